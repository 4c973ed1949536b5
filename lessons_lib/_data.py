"""Where the stored data of the course (trained weights, cached results) are read from,
and the command that writes each file again.

The files live in the repository's ``data/`` folder, which the build configuration
(pyproject.toml) installs as the package ``lessons_lib.data``: ``importlib.resources``
finds them in an installed wheel and, through the editable install, in the repository.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

REBUILD = {
    "detector_cnn.npz": "`make weights` (tools/train_detector_cnn.py)",
    "detector_cnn.json": "`make weights` (tools/train_detector_cnn.py)",
    "vit_detector.npz": "`make weights` (tools/train_vit.py)",
    "sweeps.json": "`make sweeps RERUN=1` (tools/run_sweeps.py)",
    "photographs.npz": "`python tools/make_photographs.py` (needs scikit-image)",
}
"""Each stored file → the command that writes it again, as error messages name it."""


def data_path(name: str) -> Path:
    """The path of the stored file ``name`` (for example ``"detector_cnn.npz"``).

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        If ``name`` is not a plain file name (empty, or with a folder in it).

    Examples
    --------
    >>> data_path("detector_cnn.npz").name
    'detector_cnn.npz'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name in ("", ".", "..") or Path(name).name != name or "\\" in name:
        raise ValueError(f"name must be the name of a file in data/, such as "
                         f"'detector_cnn.npz', got {name!r}")
    try:
        folder = resources.files("lessons_lib.data")
    except ModuleNotFoundError:
        # A checkout put on sys.path without `pip install -e .`: data/ sits beside
        # the package, as in the repository.
        folder = Path(__file__).resolve().parents[1] / "data"
    return Path(folder.joinpath(name))

