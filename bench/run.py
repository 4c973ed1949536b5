"""Run every benchmark of the course, print one table per topic and write build/bench.json.

Each ``bench/bench_*.py`` module defines ``run() -> list[dict]`` returning rows made by
:func:`row`: for one measured operation, our figure, the reference's figure measured in
the same run, their ratio, which direction is better and the thread count. Times are
taken in pairs (ours, then the reference, again and again) so that both see the same
load on a shared machine; a ratio is the median of the per-pair ratios, so the numbers
compare across machines.

    python bench/run.py                      # everything
    python bench/run.py pooling attention    # only bench_pooling.py and bench_attention.py
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

from lessons_lib._files import replacing

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent / "build" / "bench.json"

TIME = "time"
"""A row's ``kind`` when its figures are durations: a ratio below 1 means we are faster."""
THROUGHPUT = "throughput"
"""A row's ``kind`` when its figures are rates: a ratio above 1 means we are faster."""
_DIRECTION = {TIME: "lower is better", THROUGHPUT: "higher is better"}


def wall_times(function, repeat) -> list[float]:
    """Wall time of each of ``repeat`` calls of ``function()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def median(values) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def median_time(function, *, repeat=7, warmup=1) -> float:
    """Median wall time of ``function()`` in seconds."""
    wall_times(function, warmup)
    return median(wall_times(function, repeat))


SETTLE_S = 0.02
"""How long each side runs untimed before each half of a pair (see :func:`paired_times`)."""


def _settle(function):
    """Call ``function`` untimed until :data:`SETTLE_S` has passed (at least once)."""
    start = time.perf_counter()
    function()
    while time.perf_counter() - start < SETTLE_S:
        function()


def paired_times(ours, reference, *, pairs=7, number=1, warmup=1):
    """Time ``ours`` and ``reference`` alternately: ``pairs`` pairs of ``number`` calls each.

    Each half of a pair starts after :data:`SETTLE_S` of untimed calls of its own side.
    PyTorch's OpenMP threads keep spinning on their cores for about 10 ms after each
    parallel region before they sleep (measured on README's 2-core machine): timed
    straight after PyTorch, our threads would share their cores with them. Running
    untimed first lets them settle without letting the cores go idle (a sleep would
    cost both sides a cold start), on both sides alike.

    Returns
    -------
    ours_s, reference_s, ratio : float
        The median seconds per call of each, and the median over pairs of
        ours / reference (lower: ours is faster).
    """
    for function in (ours, reference):
        wall_times(function, warmup)
    ours_times, reference_times = [], []
    for _ in range(pairs):
        _settle(ours)
        ours_times.append(sum(wall_times(ours, number)) / number)
        _settle(reference)
        reference_times.append(sum(wall_times(reference, number)) / number)
    ratios = [o / r for o, r in zip(ours_times, reference_times, strict=True)]
    return median(ours_times), median(reference_times), median(ratios)


def row(operation, *, ours, unit, kind, threads, reference=None, reference_name="",
        ratio=None, target=None, pairs=None):
    """One measured operation, as every table prints it and build/bench.json stores it.

    Parameters
    ----------
    operation : str
        What was measured, with its sizes.
    ours, reference : float or None
        Our figure and the reference's, in ``unit``.
    unit : str
        "ms", "s", "images/s", ...
    kind : {TIME, THROUGHPUT}
        Whether lower (time) or higher (throughput) is better.
    threads : int
        Threads both sides ran on.
    reference_name : str
        What the reference is ("scipy.ndimage.correlate", "torch 2.13.0 CPU", ...).
    ratio : float, optional
        ours / reference; by default computed from the two figures. Pass the median of
        paired ratios from :func:`paired_times` when there is one.
    target : str, optional
        The ratio the course aims for, e.g. "<= 1.0".
    pairs : int, optional
        How many paired repetitions the ratio is the median of.
    """
    if kind not in _DIRECTION:
        raise ValueError(f"kind must be {TIME!r} or {THROUGHPUT!r}, got {kind!r}")
    if ratio is None and reference:
        ratio = ours / reference
    return {"operation": operation, "threads": threads, "ours": ours, "reference": reference,
            "reference_name": reference_name, "unit": unit, "ratio": ratio, "kind": kind,
            "direction": _DIRECTION[kind], "target": target, "pairs": pairs}


def _figure(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n## {title}\n")
    if not rows:
        print("(nothing measured)")
        return
    columns = ["operation", "threads", "ours", "reference", "unit", "reference_name",
               "ratio", "direction", "target"]
    cells = [[_figure(r.get(c)) for c in columns] for r in rows]
    for cell in cells:
        ratio = columns.index("ratio")
        if cell[ratio]:
            cell[ratio] = f"{float(cell[ratio]):.2f}"
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def machine() -> dict:
    """What the figures were measured on."""
    import numpy as np

    info = {"platform": platform.platform(), "processor": platform.processor() or "",
            "python": platform.python_version(), "numpy": np.__version__,
            "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    info["processor"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    for name in ("scipy", "torch"):
        try:
            info[name] = importlib.import_module(name).__version__
        except ImportError:
            info[name] = None
    return info


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    modules = sorted(HERE.glob("bench_*.py"))
    if argv:
        unknown = set(argv) - {m.stem.removeprefix("bench_") for m in modules}
        if unknown:
            names = ", ".join(m.stem.removeprefix("bench_") for m in modules)
            print(f"unknown topic(s) {sorted(unknown)}; valid: {names}", file=sys.stderr)
            return 2
        modules = [m for m in modules if m.stem.removeprefix("bench_") in argv]
    report = {"machine": machine(), "topics": {}}
    print(f"Measured on: {report['machine']['processor']}, {report['machine']['cores']} cores, "
          f"Python {report['machine']['python']}, numpy {report['machine']['numpy']}, "
          f"scipy {report['machine']['scipy']}, torch {report['machine']['torch']}")
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        title = module.__doc__.strip().splitlines()[0]
        rows = module.run()
        print_table(title, rows)
        report["topics"][path.stem.removeprefix("bench_")] = {"title": title, "rows": rows}
    OUTPUT.parent.mkdir(exist_ok=True)
    # An interrupted run leaves the previous report whole.
    with replacing(OUTPUT) as file:
        file.write(json.dumps(report, indent=1) + "\n")
    print(f"\nwritten: {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
