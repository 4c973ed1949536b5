"""The data the course ships: the slides' example matrices and bundled photographs.

Nothing here downloads: photographs come from the images that scikit-image
installs with itself.
"""

from __future__ import annotations

import numpy as np

from lessons_lib._validate import choice

PHOTOGRAPHS = ("camera", "astronaut", "coins", "moon", "chelsea", "coffee")
"""Names accepted by :func:`photograph` (all bundled with scikit-image)."""


def figure_matrix() -> np.ndarray:
    """The slides' 8 x 9 binary "figure" matrix: a stick figure drawn in ones.

    Returns
    -------
    A : ndarray of float64, shape (8, 9)

    Examples
    --------
    >>> figure_matrix().astype(int)
    array([[1, 0, 1, 0, 0, 0, 0, 0, 0],
           [0, 1, 1, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 1, 0, 0, 0, 0, 0],
           [0, 0, 1, 0, 1, 0, 0, 0, 0],
           [1, 1, 1, 1, 1, 1, 1, 1, 1],
           [0, 0, 1, 0, 0, 0, 1, 0, 0],
           [0, 0, 1, 0, 0, 0, 0, 1, 0]])
    """
    return np.array(
        [
            [1, 0, 1, 0, 0, 0, 0, 0, 0],
            [0, 1, 1, 0, 0, 0, 0, 0, 0],
            [0, 0, 1, 0, 0, 0, 0, 0, 0],
            [0, 0, 1, 1, 0, 0, 0, 0, 0],
            [0, 0, 1, 0, 1, 0, 0, 0, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 1],
            [0, 0, 1, 0, 0, 0, 1, 0, 0],
            [0, 0, 1, 0, 0, 0, 0, 1, 0],
        ],
        dtype=np.float64,
    )


def pooling_example() -> np.ndarray:
    """The slides' 4 x 4 pooling example.

    Examples
    --------
    >>> pooling_example().astype(int)
    array([[1, 1, 2, 4],
           [5, 6, 9, 3],
           [3, 2, 4, 4],
           [1, 2, 0, 7]])
    """
    return np.array([[1, 1, 2, 4], [5, 6, 9, 3], [3, 2, 4, 4], [1, 2, 0, 7]], dtype=np.float64)


def photograph(name="camera") -> np.ndarray:
    """A grey-scale photograph from scikit-image's bundled images, values in [0, 1].

    Parameters
    ----------
    name : {"camera", "astronaut", "coins", "moon", "chelsea", "coffee"}, default "camera"
        Colour images are converted to grey with the ITU-R 601 luma weights.

    Returns
    -------
    image : ndarray of float64, shape (H, W)
        camera, astronaut and moon are 512 x 512.

    Examples
    --------
    >>> photograph("camera").shape
    (512, 512)
    """
    from skimage import data

    choice(name, "name", PHOTOGRAPHS)
    image = np.asarray(getattr(data, name)(), dtype=np.float64) / 255.0
    if image.ndim == 3:
        image = image[..., :3] @ np.array([0.299, 0.587, 0.114])
    return image
