"""Run every benchmark of the course and print one table per topic.

Each ``bench/bench_*.py`` module defines ``run() -> list[dict]``; a row's keys are
the table's columns. Times are medians of repeated runs; each figure is reported as
a ratio against a reference measured in the same run, so the numbers compare across
machines.

    python bench/run.py            # everything
    python bench/run.py pooling    # only bench_pooling.py
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def wall_times(function, repeat) -> list[float]:
    """Wall time of each of ``repeat`` calls of ``function()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def median_time(function, *, repeat=7, warmup=1) -> float:
    """Median wall time of ``function()`` in seconds."""
    wall_times(function, warmup)
    times = sorted(wall_times(function, repeat))
    return times[len(times) // 2]


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n## {title}\n")
    if not rows:
        print("(nothing measured)")
        return
    columns = list(rows[0])
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    modules = sorted(HERE.glob("bench_*.py"))
    if argv:
        modules = [m for m in modules if m.stem.removeprefix("bench_") in argv]
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print_table(module.__doc__.strip().splitlines()[0], module.run())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
