"""Lesson 07's stored experiments: reading them back, and printing one as a table."""

from __future__ import annotations

from lessons_lib._data import REBUILD, data_path
from lessons_lib._files import NUMBER, as_path, damaged, read_json
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

# What lesson 07 and its plots read from the cache (a diverged run has no accuracies;
# its history marks the divergence with null).
_HISTORY = {...: [(*NUMBER, type(None))]}
_SWEEPS_SCHEMA = {
    "meta": dict,
    "sweeps": {...: {"question": str, "xlabel": str,
                     "runs": [{"label": str, "spec": list, "params": int, "macs": int,
                               "history": _HISTORY}]}},
    "transfer": {"pretrained": {"test_accuracy": NUMBER},
                 "runs": [{"label": str, "test_accuracy": NUMBER, "trained_params": int}]},
    "workflow": {"class_names": [str], "data": dict, "errors": dict,
                 "steps": [{"label": str, "val_f1": NUMBER, "test_accuracy": NUMBER,
                            "test_f1": NUMBER}]},
}


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

    Raises
    ------
    FileNotFoundError
        If the file is missing, naming the command that computes it.
    ValueError
        If the file is not JSON, lacks what lesson 07 reads, or holds a spec that is
        not one: one error naming the file, the entry and the command that rebuilds it.
    """
    path = SWEEPS_PATH if path is None else as_path(path)
    rebuild = REBUILD["sweeps.json"]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python tools/run_sweeps.py` "
                                "in the course repository to compute it")
    results = read_json(path, rebuild=rebuild, schema=_SWEEPS_SCHEMA)

    def convert(node, where):
        if isinstance(node, dict):
            return {k: spec(v, f"{where}[{k!r}]") if k == "spec" else convert(v, f"{where}[{k!r}]")
                    for k, v in node.items()}
        if isinstance(node, list):
            return [convert(v, f"{where}[{i}]") for i, v in enumerate(node)]
        return node

    def spec(value, where):
        try:
            return spec_from_json(value)
        except (TypeError, ValueError, KeyError) as error:
            # A block's inner lists are read by key: a missing one is a KeyError.
            raise damaged(path, f"the entry {where} is not a network spec "
                                f"({type(error).__name__}: {error})", rebuild) from None

    return convert(results, "")
