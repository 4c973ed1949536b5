"""Where the stored data of the course (trained weights, cached results) are read from.

The files live in the repository's ``data/`` folder, which the build configuration
(pyproject.toml) installs as the package ``lessons_lib.data``: ``importlib.resources``
finds them in an installed wheel and, through the editable install, in the repository.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """The path of the stored file ``name`` (for example ``"detector_cnn.npz"``).

    Examples
    --------
    >>> data_path("detector_cnn.npz").name
    'detector_cnn.npz'
    """
    try:
        folder = resources.files("lessons_lib.data")
    except ModuleNotFoundError:
        # A checkout put on sys.path without `pip install -e .`: data/ sits beside
        # the package, as in the repository.
        folder = Path(__file__).resolve().parents[1] / "data"
    return Path(folder.joinpath(name))
