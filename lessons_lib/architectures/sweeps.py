"""Lesson 07's stored experiments: reading them back, and printing one as a table."""

from __future__ import annotations

import json
from pathlib import Path

from lessons_lib._data import data_path
from lessons_lib.architectures.kinds import check_spec, kind_of


def format_sweep(sweep) -> str:
    """One sweep of ``tools/run_sweeps.py`` as a table: each setting's size, cost and accuracies.

    Parameters
    ----------
    sweep : dict
        With "xlabel" and "runs" (each with "label", "params", "macs" and the
        accuracies; a diverged run has none).

    Returns
    -------
    table : str
    """
    head = sweep["xlabel"]
    width = max(len(head), *(len(run["label"]) for run in sweep["runs"]))
    lines = [f"{head:<{width}} {'params':>8} {'MACs':>11} {'train acc':>9} {'val acc':>8} "
             f"{'test acc':>8}"]
    for run in sweep["runs"]:
        if run.get("diverged"):
            scores = f"{'diverged':>27}"
        else:
            scores = (f"{run['train_accuracy']:>9.3f} {run['val_accuracy']:>8.3f} "
                      f"{run['test_accuracy']:>8.3f}")
        lines.append(f"{run['label']:<{width}} {run['params']:>8,} {run['macs']:>11,} {scores}")
    return "\n".join(lines)


def spec_from_json(spec) -> list[dict]:
    """A spec read back from JSON, with its pairs as tuples again.

    Examples
    --------
    >>> import json
    >>> from lessons_lib.architectures import conv, maxpool
    >>> spec = [conv(4, 3, padding=1), maxpool(2)]
    >>> spec_from_json(json.loads(json.dumps(spec))) == spec
    True
    """
    return [kind_of(item).from_json(dict(item)) for item in check_spec(spec)]


SWEEPS_PATH = data_path("sweeps.json")
"""Lesson 07's cached experiments, as ``tools/run_sweeps.py`` wrote them to ``data/``."""


def load_sweeps(path=None) -> dict:
    """The cached results of lesson 07's experiments (written by ``tools/run_sweeps.py``).

    Parameters
    ----------
    path : str or Path, optional
        Default :data:`SWEEPS_PATH`, ``data/sweeps.json`` as installed with the package.

    Returns
    -------
    results : dict
        Parsed JSON; every stored spec is converted back with :func:`spec_from_json`.
    """
    path = SWEEPS_PATH if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python tools/run_sweeps.py` "
                                "in the course repository to compute it")
    results = json.loads(path.read_text())

    def convert(node):
        if isinstance(node, dict):
            return {k: spec_from_json(v) if k == "spec" else convert(v) for k, v in node.items()}
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    return convert(results)
