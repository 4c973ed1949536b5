"""Saving and loading weights as ``.npz`` archives: plain arrays, never pickle.

An archive holds one array per entry of ``model.params`` (under the same name, e.g.
``"0.W"``) and, optionally, a JSON text of metadata (what the weights were trained on,
their test accuracy...). Loading never executes anything from the file
(``allow_pickle=False``) and checks every name and shape against the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lessons_lib.nn.layers import Layer

_METADATA = "__metadata__"


def save(model, path, *, metadata=None) -> Path:
    """Write ``model.params`` (and ``metadata``) to the ``.npz`` file ``path``.

    Parameters
    ----------
    model : Layer
    path : str or Path
        ``.npz`` is appended if missing.
    metadata : dict, optional
        JSON-serialisable information stored beside the weights.

    Returns
    -------
    path : Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from lessons_lib.nn.layers import Dense
    >>> path = Path(tempfile.mkdtemp()) / "dense.npz"
    >>> a, b = Dense(3, 2, rng=1), Dense(3, 2, rng=2)
    >>> _ = save(a, path, metadata={"note": "demo"})
    >>> load(b, path)
    {'note': 'demo'}
    >>> bool(np.array_equal(a.params["W"], b.params["W"]))
    True
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer, got {type(model).__name__}")
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = {name: np.asarray(value) for name, value in model.params.items()}
    if _METADATA in arrays:
        raise ValueError(f"a parameter may not be called {_METADATA!r}")
    text = json.dumps({} if metadata is None else metadata, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays, **{_METADATA: np.array(text)})
    return path


def load(model, path) -> dict:
    """Copy the weights stored in ``path`` into ``model``, in place; return the metadata.

    Parameters
    ----------
    model : Layer
        Built with the same architecture as the saved one.
    path : str or Path
        A file written by :func:`save`.

    Returns
    -------
    metadata : dict

    Raises
    ------
    ValueError
        If the archive's parameter names or shapes differ from the model's (nothing
        is changed then).
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer, got {type(model).__name__}")
    params = model.params
    with np.load(Path(path), allow_pickle=False) as archive:
        stored = {name: archive[name] for name in archive.files}
    metadata = json.loads(str(stored.pop(_METADATA, "{}")))
    missing, extra = sorted(set(params) - set(stored)), sorted(set(stored) - set(params))
    if missing or extra:
        raise ValueError(f"{path} does not match the model: missing parameters {missing}, "
                         f"unexpected parameters {extra}")
    for name, value in params.items():
        if stored[name].shape != value.shape:
            raise ValueError(f"{path}: parameter {name!r} has shape {stored[name].shape}, "
                             f"the model expects {value.shape}")
    for name, value in params.items():
        value[...] = stored[name]
    return metadata
