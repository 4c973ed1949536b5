"""Lesson 07's stored experiments are honest: seeds, spread, a stopping rule, no test
number but the workflow's final model's; and the tool that writes them makes exactly
that structure (run here on a tiny configuration)."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

from lessons_lib.architectures import SWEEPS_PATH, load_sweeps
from lessons_lib.uncertainty import mean_sd

ROOT = Path(__file__).resolve().parent.parent


def settings(results):
    """Every trained setting of the file, with where it sits."""
    for name, sweep in results["sweeps"].items():
        for run in sweep["runs"]:
            yield f"sweeps/{name}/{run['label']}", run
    for run in results["transfer"]["runs"]:
        yield f"transfer/{run['label']}", run
    for step in results["workflow"]["steps"]:
        yield f"workflow/{step['label']}", step


# How a split's test part is defined (how many events, which seed): not a score.
PART = {"events", "data_seed"}


def keys_about_test(node, where=""):
    """(path, key) of every key that mentions "test" anywhere in ``node``, except the
    definitions of test parts."""
    if isinstance(node, dict):
        for key, value in node.items():
            if "test" in str(key).lower() and not (isinstance(value, dict)
                                                   and set(value) == PART):
                yield where, key
            yield from keys_about_test(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from keys_about_test(value, f"{where}/{index}")


def check_structure(results, *, min_seeds=3):
    meta = results["meta"]
    assert "validation loss" in meta["stopping"] and meta["patience"] >= 1
    assert meta["max_epochs"] >= 1 and len(meta["seeds"]) >= min_seeds
    found = list(settings(results))
    assert found
    for where, run in found:
        seeds = run["seeds"]
        assert len(seeds) >= min_seeds and len(set(seeds)) == len(seeds), where
        for key in ("train_accuracy", "val_accuracy", "epochs", "best_epoch", "history"):
            assert len(run[key]) == len(seeds), (where, key)
        for values_key, spread_key in (("train_accuracy", "train"),
                                       ("val_accuracy", "validation")):
            values = [v for v in run[values_key] if v is not None]
            assert all(0 <= v <= 1 for v in values), where
            if len(values) < 2:
                assert run[spread_key] is None, where
                continue
            mean, sd = mean_sd(values)
            assert math.isclose(run[spread_key]["mean"], mean, abs_tol=1e-9), where
            assert math.isclose(run[spread_key]["sd"], sd, abs_tol=1e-9), where
            assert run[spread_key]["seeds"] == len(values), where
        for epochs, best, history in zip(run["epochs"], run["best_epoch"], run["history"],
                                         strict=True):
            if epochs is None:  # a diverged seed: its curves end in null
                continue
            assert 1 <= epochs <= meta["max_epochs"] and 0 <= best < epochs, where
            assert len(history["val_loss"]) == epochs, where
            # The stopping rule: the run went on until the patience ran out or the
            # epochs did, and the best epoch is the lowest validation loss.
            assert epochs == meta["max_epochs"] or epochs - 1 - best == meta["patience"]
            assert history["val_loss"][best] == min(history["val_loss"]), where
    # No test score anywhere but the workflow's final model.
    assert [where for where, _ in keys_about_test(results)] == ["/workflow/final"]
    final = results["workflow"]["final"]
    assert final["label"] in [step["label"] for step in results["workflow"]["steps"]]
    assert 0 <= final["test"]["correct"] <= final["test"]["events"]


def test_the_stored_sweeps_have_seeds_spread_a_stopping_rule_and_no_test_per_setting():
    results = load_sweeps()
    check_structure(results)
    assert len(results["meta"]["seeds"]) >= 3
    assert "seconds" not in json.dumps(results)


def test_the_structure_check_catches_a_test_score_in_a_setting():
    results = json.loads(SWEEPS_PATH.read_text())
    results["sweeps"]["layers"]["runs"][0]["test_accuracy"] = 0.8
    with pytest.raises(AssertionError):
        check_structure(results)


@pytest.fixture
def tiny_tool(monkeypatch):
    spec = importlib.util.spec_from_file_location("run_sweeps", ROOT / "tools" / "run_sweeps.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    # The same code on a few events and epochs: the structure matters here, not the scores.
    for name, value in {"N_TRAIN": 48, "N_VAL": 48, "SEEDS": (0, 1, 2), "MAX_EPOCHS": 2,
                        "PATIENCE": 1, "WORKFLOW_FIRST": 24,
                        "TRANSFER_PARTS": {"train": (24, 21), "validation": (24, 22),
                                           "test": (8, 23)},
                        "WORKFLOW_PARTS": {"train": (48, 31), "validation": (48, 32),
                                           "test": (16, 33)}}.items():
        monkeypatch.setattr(tool, name, value)
    return tool


def test_the_tool_writes_that_structure_on_a_tiny_configuration(tmp_path, tiny_tool):
    from lessons_lib.splits import evaluation_log

    out = tmp_path / "sweeps.json"
    before = len(evaluation_log())
    assert tiny_tool.main(["--rerun", "--output", str(out)]) == 0
    results = load_sweeps(out)
    check_structure(results)
    assert set(results["sweeps"]) == set(tiny_tool.SWEEPS)
    # One look at the test events in the whole run: the final model's.
    assert [e.split for e in evaluation_log()[before:]] == [
        "workflow: a noisier detector, binary"]
    assert results["meta"]["validation"]["events"] == 48
