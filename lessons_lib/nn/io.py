"""Saving and loading weights as ``.npz`` archives: plain arrays, never pickle.

An archive holds one array per entry of ``model.params`` (under the same name, e.g.
``"0.W"``) and, optionally, a JSON text of metadata (what the weights were trained on,
their test accuracy...). Saving writes a temporary file and moves it over the old one,
so a save that fails or is killed part-way leaves the previous file whole. Loading
never executes anything from the file (``allow_pickle=False``) and checks every array
(its name, shape, real numbers, all finite) and the metadata before it copies any: a
file that cannot be used gives one ValueError and leaves the model as it was.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from lessons_lib._files import as_path, damaged, write_files
from lessons_lib.nn.layers import Layer

_METADATA = "__metadata__"
# Metadata that save writes is a few kilobytes; a longer text is not from it, and is
# refused before it is read into memory.
_METADATA_CHARS = 2**24
_SAVE_AGAIN = "`nn.save(model, path)`"


def _npz(path) -> Path:
    path = as_path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def encode(model, *, metadata=None) -> bytes:
    """The ``.npz`` archive :func:`save` writes, as bytes (for a caller that writes it
    together with other files, see :func:`lessons_lib._files.write_files`).

    Parameters
    ----------
    model : Layer
        Every parameter must hold finite real numbers: weights that could not be loaded
        again are never written.
    metadata : dict, optional
        JSON data stored beside the weights.

    Returns
    -------
    archive : bytes

    Raises
    ------
    TypeError
        If ``model`` is not a Layer, a parameter is not real, or ``metadata`` is not a
        dict of JSON data.
    ValueError
        If a parameter holds NaN or inf, or is called ``"__metadata__"``.
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer, got {type(model).__name__}")
    arrays = {}
    for name, value in model.params.items():
        array = np.asarray(value)
        if array.dtype.kind not in "iuf":
            raise TypeError(f"model parameter {name!r} must hold real numbers, got dtype "
                            f"{array.dtype}")
        if not np.isfinite(array).all():
            raise ValueError(f"model parameter {name!r} holds NaN or inf: weights that "
                             "could not be loaded again are not saved")
        arrays[name] = array
    if _METADATA in arrays:
        raise ValueError(f"a parameter may not be called {_METADATA!r}")
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    try:
        text = json.dumps({} if metadata is None else metadata, sort_keys=True)
    except (TypeError, ValueError, RecursionError) as error:
        raise TypeError("metadata must hold JSON data only (dicts with str keys, lists, str, "
                        f"numbers, bool, None): {error}") from None
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays, **{_METADATA: np.array(text)})
    return buffer.getvalue()


def save(model, path, *, metadata=None) -> Path:
    """Write ``model.params`` (and ``metadata``) to the ``.npz`` file ``path``.

    The archive is written to a temporary file beside ``path`` and then moved over it:
    if the save fails or the process is killed, ``path`` keeps its previous content.

    Parameters
    ----------
    model : Layer
    path : str or Path
        ``.npz`` is appended if missing; the folder is created if missing.
    metadata : dict, optional
        JSON-serialisable information stored beside the weights.

    Returns
    -------
    path : Path
        The file written.

    Raises
    ------
    TypeError, ValueError
        As :func:`encode` (nothing is written then), or if ``path`` is not a str or Path.
    OSError
        If the file cannot be written; its previous content is kept.

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
    archive = encode(model, metadata=metadata)
    path = _npz(path)
    write_files({path: archive})
    return path


@contextmanager
def _reading(path, rebuild: str, what: str):
    """Turn any error of zipfile or numpy's .npy reader into the one damaged-file error."""
    try:
        yield
    except Exception as error:
        # Damaged bytes make these readers raise many kinds of errors (BadZipFile,
        # EOFError, zlib.error, ValueError, a tokenizer's error on a garbled header...):
        # each means the same thing here.
        raise damaged(path, f"{what} failed ({type(error).__name__}: {error})", rebuild) from None


def _header(archive: zipfile.ZipFile, entry: str) -> tuple[tuple, np.dtype]:
    """The shape and dtype an entry declares, read without reading its data."""
    with archive.open(entry) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    return shape, dtype


def _read(file, params: dict, path, rebuild: str) -> tuple[dict, dict]:
    """Every array of the archive ``file``, checked against ``params``, and the metadata."""
    if os.fstat(file.fileno()).st_size == 0:
        raise damaged(path, "it is empty", rebuild)
    with _reading(path, rebuild, "opening it as an .npz archive"):
        archive = zipfile.ZipFile(file)
        names = archive.namelist()
    with archive:
        foreign = [name for name in names if not name.endswith(".npy")]
        if foreign:
            raise damaged(path, f"it holds entries that are not .npy arrays: {foreign[:8]}",
                          rebuild)
        entries = {name.removesuffix(".npy"): name for name in names}
        if len(entries) < len(names):
            twice = sorted({name for name in names if names.count(name) > 1})
            raise damaged(path, f"it holds the same entry twice: {twice[:8]}", rebuild)
        metadata_entry = entries.pop(_METADATA, None)
        missing, extra = sorted(set(params) - set(entries)), sorted(set(entries) - set(params))
        if missing or extra:
            raise damaged(path, f"it does not match the model (missing parameters {missing}, "
                                f"unexpected parameters {extra})", rebuild)
        # Every header first: no array is read (nor memory given to it) before all fit.
        for name, value in params.items():
            with _reading(path, rebuild, f"reading the header of {name!r}"):
                shape, dtype = _header(archive, entries[name])
            if shape != value.shape:
                raise damaged(path, f"parameter {name!r} has shape {shape}, the model "
                                    f"expects {value.shape}", rebuild)
            if dtype.hasobject:
                raise damaged(path, f"parameter {name!r} holds Python objects (pickled data), "
                                    "which are never loaded", rebuild)
            if dtype.kind not in "iuf":
                raise damaged(path, f"parameter {name!r} holds values of dtype {dtype}, the "
                                    "model expects real numbers", rebuild)
        if metadata_entry is not None:
            with _reading(path, rebuild, "reading the header of the metadata"):
                shape, dtype = _header(archive, metadata_entry)
            if shape != () or dtype.kind != "U" or dtype.itemsize > 4 * _METADATA_CHARS:
                raise damaged(path, f"its metadata is not one JSON text (shape {shape}, dtype "
                                    f"{dtype})", rebuild)
        arrays = {}
        for name, value in params.items():
            with _reading(path, rebuild, f"reading {name!r}"), \
                    archive.open(entries[name]) as member:
                array = np.lib.format.read_array(member, allow_pickle=False)
            # Cast as the copy into the model would: a float64 beyond float32's range
            # becomes inf, which is refused like a stored one.
            with np.errstate(over="ignore", invalid="ignore"):
                arrays[name] = array.astype(value.dtype)
            if not np.isfinite(arrays[name]).all():
                words = "NaN or inf" if not np.isfinite(array).all() else \
                    f"values beyond the range of {value.dtype}"
                raise damaged(path, f"parameter {name!r} holds {words}", rebuild)
        if metadata_entry is None:
            return arrays, {}
        with _reading(path, rebuild, "reading the metadata"), \
                archive.open(metadata_entry) as member:
            text = str(np.lib.format.read_array(member, allow_pickle=False)[()])
    try:
        metadata = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise damaged(path, f"its metadata is not valid JSON ({error})", rebuild) from None
    if not isinstance(metadata, dict):
        raise damaged(path, "its metadata must be a JSON object, found "
                            f"{type(metadata).__name__}", rebuild)
    return arrays, metadata


def load(model, path, *, rebuild: str = _SAVE_AGAIN) -> dict:
    """Copy the weights stored in ``path`` into ``model``, in place; return the metadata.

    Every array is checked before any is copied: its name, its shape, real numbers,
    all finite (after conversion to the model's dtype). Nothing in the file is executed
    (no pickle).

    Parameters
    ----------
    model : Layer
        Built with the same architecture as the saved one.
    path : str or Path
        A file written by :func:`save`.
    rebuild : str, default "`nn.save(model, path)`"
        The command that writes the file again, named in the error.

    Returns
    -------
    metadata : dict

    Raises
    ------
    TypeError
        If ``model`` is not a Layer or ``path`` not a str or Path.
    FileNotFoundError
        If there is no such file (other OSErrors as they come).
    ValueError
        If the file cannot be used: empty, truncated, not an archive, damaged, arrays
        missing or extra, of another shape, not real numbers (complex, strings,
        pickled objects), NaN or inf, metadata that is not a JSON object. The message
        names the file, what is wrong and ``rebuild``; the model is left unchanged.
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer, got {type(model).__name__}")
    path = as_path(path)
    if not isinstance(rebuild, str):
        raise TypeError(f"rebuild must be a str, got {type(rebuild).__name__}")
    params = model.params
    with path.open("rb") as file:
        arrays, metadata = _read(file, params, path, rebuild)
    for name, value in params.items():
        value[...] = arrays[name]
    return metadata
