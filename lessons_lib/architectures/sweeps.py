"""Lesson 07's stored experiments: reading them back, printing them as tables and
sentences (mean ± sd over seeds; no test numbers but the workflow's final model)."""

from __future__ import annotations

from lessons_lib._data import REBUILD, data_path
from lessons_lib._files import NUMBER, as_path, damaged, read_json
from lessons_lib.architectures.kinds import check_spec, kind_of
from lessons_lib.uncertainty import mean_sd, mean_sd_text


def _values(run, key) -> list[float]:
    """The seeds' values of ``key`` ("train_accuracy", "val_accuracy", "val_f1"),
    leaving out seeds that diverged (stored as null)."""
    return [v for v in run.get(key, []) if v is not None]


def spread_text(run, key="val_accuracy", *, digits=3) -> str:
    """A setting's mean ± sd over its seeds, as the lesson prints it.

    Parameters
    ----------
    run : dict
        One setting of ``tools/run_sweeps.py`` (per-seed lists under ``key``).
    key : str, default "val_accuracy"
    digits : int, default 3

    Returns
    -------
    text : str
        ``"0.820 ± 0.020 (3 seeds)"``, or ``"diverged"`` when fewer than two seeds
        finished.

    Examples
    --------
    >>> spread_text({"val_accuracy": [0.80, 0.82, 0.84]})
    '0.820 ± 0.020 (3 seeds)'
    >>> spread_text({"val_accuracy": [None, None, 0.5]})
    'diverged'
    """
    values = _values(run, key)
    return mean_sd_text(values, digits=digits) if len(values) >= 2 else "diverged"


def distinguishable(a, b, key="val_accuracy") -> bool:
    """Whether two settings' mean ± sd bars are apart (the difference of the means
    exceeds the sum of the sds): the course's rule for "the spread tells them apart".

    Examples
    --------
    >>> distinguishable({"val_accuracy": [0.80, 0.81, 0.82]},
    ...                 {"val_accuracy": [0.85, 0.86, 0.87]})
    True
    >>> distinguishable({"val_accuracy": [0.80, 0.82, 0.84]},
    ...                 {"val_accuracy": [0.81, 0.83, 0.85]})
    False
    """
    (mean_a, sd_a), (mean_b, sd_b) = mean_sd(_values(a, key)), mean_sd(_values(b, key))
    return abs(mean_a - mean_b) > sd_a + sd_b


def compare_text(a, b, key="val_accuracy", *, what="validation accuracy", names=None) -> str:
    """One sentence comparing two settings by their mean ± sd over seeds.

    Parameters
    ----------
    a, b : dict
        Two settings (each with "label" and per-seed values under ``key``).
    key : str, default "val_accuracy"
    what : str
        The score's name in the sentence.
    names : (str, str), optional
        How the sentence names the two settings; default their labels.

    Returns
    -------
    sentence : str
        Names both settings with their mean ± sd, and says whether the spread tells
        them apart (:func:`distinguishable`).

    Examples
    --------
    >>> print(compare_text({"label": "A", "val_accuracy": [0.80, 0.82, 0.84]},
    ...                    {"label": "B", "val_accuracy": [0.81, 0.83, 0.85]}))
    A: validation accuracy 0.820 ± 0.020 (3 seeds); B: 0.830 ± 0.020 (3 seeds). \
The difference of the means (0.010) is within the spread: indistinguishable with these seeds.
    """
    name_a, name_b = (a["label"], b["label"]) if names is None else names
    first, second = spread_text(a, key), spread_text(b, key)
    text = _sentence(f"{name_a}: {what} {first}; {name_b}: {second}.")
    if "diverged" in (first, second):
        return text
    difference = abs(mean_sd(_values(a, key))[0] - mean_sd(_values(b, key))[0])
    if distinguishable(a, b, key):
        higher = name_a if mean_sd(_values(a, key))[0] > mean_sd(_values(b, key))[0] \
            else name_b
        return (f"{text} {_sentence(higher)} is higher by {difference:.3f}, more than the "
                "two sds together: a real difference.")
    return (f"{text} The difference of the means ({difference:.3f}) is within the spread: "
            "indistinguishable with these seeds.")


def _sentence(text: str) -> str:
    """``text`` with a capital first letter (labels such as "relu" start sentences)."""
    return text[:1].upper() + text[1:]


def format_sweep(sweep) -> str:
    """One sweep of ``tools/run_sweeps.py`` as a table: each setting's size, cost, and its
    training and validation accuracy as mean ± sd over the seeds.

    Parameters
    ----------
    sweep : dict
        With "xlabel" and "runs" (each with "label", "params", "macs", and per-seed
        "train_accuracy", "val_accuracy" and "epochs"; a diverged seed has null).

    Returns
    -------
    table : str
        No test column: settings are compared on validation only. "epochs" is the
        range of epochs the seeds ran before the stopping rule ended them.

    Examples
    --------
    >>> run = {"label": "a", "params": 10, "macs": 20, "epochs": [5, 7, 6],
    ...        "train_accuracy": [0.9, 0.92, 0.94], "val_accuracy": [0.8, 0.81, 0.82]}
    >>> print(format_sweep({"xlabel": "depth", "runs": [run]}))
    depth params  MACs     train acc       val acc epochs
    a         10    20 0.920 ± 0.020 0.810 ± 0.010    5–7
    """
    head = sweep["xlabel"]
    width = max(len(head), *(len(run["label"]) for run in sweep["runs"]))
    params = max(6, *(len(f"{run['params']:,}") for run in sweep["runs"]))
    macs = max(5, *(len(f"{run['macs']:,}") for run in sweep["runs"]))
    lines = [f"{head:<{width}} {'params':>{params}} {'MACs':>{macs}} {'train acc':>13} "
             f"{'val acc':>13} epochs"]
    for run in sweep["runs"]:
        cells = []
        for key, size in (("train_accuracy", 13), ("val_accuracy", 13)):
            values = _values(run, key)
            cell = "{:.3f} ± {:.3f}".format(*mean_sd(values)) if len(values) >= 2 else "diverged"
            cells.append(f"{cell:>{size}}")
        epochs = [e for e in run.get("epochs", []) if e is not None]
        span = f"{min(epochs)}–{max(epochs)}" if epochs else "–"
        lines.append(f"{run['label']:<{width}} {run['params']:>{params},} {run['macs']:>{macs},} "
                     f"{cells[0]} {cells[1]} {span:>6}")
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

# What lesson 07 and its plots read from the cache: per setting, one value per seed (a
# diverged seed has none, and its history marks the divergence with null).
_HISTORY = {...: [(*NUMBER, type(None))]}
_SEEDS = [(*NUMBER, type(None))]
_SPREAD = (dict, type(None))
_SETTING = {"label": str, "seeds": [int], "train_accuracy": _SEEDS, "val_accuracy": _SEEDS,
            "epochs": [(int, type(None))], "history": [_HISTORY], "train": _SPREAD,
            "validation": _SPREAD}
_COUNT = {"events": int, "correct": int}
_SWEEPS_SCHEMA = {
    "meta": {"stopping": str, "seeds": [int], "max_epochs": int, "patience": int},
    "sweeps": {...: {"question": str, "xlabel": str,
                     "runs": [{**_SETTING, "spec": list, "params": int, "macs": int}]}},
    "transfer": {"pretrained": {"validation": _COUNT}, "as_it_is": {"validation": _COUNT},
                 "runs": [{**_SETTING, "trained_params": int}]},
    "workflow": {"class_names": [str], "data": dict,
                 "validation": {"events": int, "protons": int},
                 "baseline": {"val_accuracy": NUMBER, "val_f1": NUMBER},
                 "errors": {"indices": [int], "true": [int], "predicted": [int],
                            "confusion": [[int]]},
                 "steps": [{**_SETTING, "val_f1": _SEEDS, "val_f1_interval": [NUMBER],
                            "train_protons": int}],
                 "final": {"label": str, "test": {"events": int, "protons": int,
                                                  "correct": int, "f1": NUMBER,
                                                  "f1_interval": [NUMBER],
                                                  "confusion": [[int]]}}},
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
