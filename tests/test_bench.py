"""The benchmark runner's rows: what every table prints and build/bench.json stores."""

import importlib.util
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location(
    "bench_run", Path(__file__).resolve().parents[1] / "bench" / "run.py")
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)


def test_row_computes_the_ratio_and_names_the_direction():
    time_row = run.row("op", ours=2.0, reference=4.0, unit="ms", kind=run.TIME, threads=1)
    assert time_row["ratio"] == 0.5
    assert time_row["direction"] == "lower is better"
    rate_row = run.row("op", ours=300.0, reference=200.0, unit="images/s",
                       kind=run.THROUGHPUT, threads=2)
    assert rate_row["ratio"] == 1.5
    assert rate_row["direction"] == "higher is better"
    assert rate_row["threads"] == 2


def test_row_keeps_a_paired_ratio_and_allows_no_reference():
    paired = run.row("op", ours=2.0, reference=4.0, ratio=0.6, pairs=7, unit="ms",
                     kind=run.TIME, threads=1)
    assert (paired["ratio"], paired["pairs"]) == (0.6, 7)
    alone = run.row("op", ours=2.0, unit="s", kind=run.TIME, threads=1)
    assert alone["ratio"] is None and alone["reference"] is None


def test_row_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        run.row("op", ours=1.0, unit="ms", kind="speed", threads=1)


def test_paired_times_alternates_and_takes_the_median_of_pair_ratios(monkeypatch):
    calls = []
    clock = iter(range(1000))
    # Every call takes one tick of a fake clock.
    monkeypatch.setattr(run.time, "perf_counter", lambda: next(clock))
    # Each side settles (runs untimed) for 3 ticks before each of its timed halves.
    monkeypatch.setattr(run, "SETTLE_S", 3)
    ours, reference, ratio = run.paired_times(lambda: calls.append("o"),
                                              lambda: calls.append("r"), pairs=5)
    # One warm-up call each, then o, r, o, r, ...: both sides see the same moments.
    # A half is 3 untimed calls (one tick each, the clock read after each) and 1 timed.
    assert calls == ["o", "r"] + (["o"] * 4 + ["r"] * 4) * 5
    assert (ours, reference, ratio) == (1, 1, 1.0)


def test_median_of_even_and_odd_counts():
    assert run.median([3, 1, 2]) == 2
    assert run.median([4, 1, 3, 2]) == 2.5


def test_views_bench_alternates_two_values_so_every_assignment_redraws(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(run.__file__).parent))
    views_spec = importlib.util.spec_from_file_location(
        "bench_views", Path(run.__file__).parent / "bench_views.py")
    bench_views = importlib.util.module_from_spec(views_spec)
    views_spec.loader.exec_module(bench_views)

    class Slider:
        min, max = 3, 101

        def __init__(self):
            self.set = []
            self._value = 11

        @property
        def value(self):
            return self._value

        @value.setter
        def value(self, value):
            self.set.append(value)
            self._value = value

    view = type("View", (), {})()
    view.size = Slider()
    assert bench_views.update_ms(view, "size", None) >= 0
    assert view.size.set == [101, 11] * (bench_views.REPEAT // 2) + [101]
    view.size = Slider()
    bench_views.update_ms(view, "size", (5, 7))
    assert view.size.set[:3] == [5, 7, 5]
