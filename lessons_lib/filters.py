"""The pre-defined filters of the slides: blurring, line detection, edges, sharpening.

Every function returns a float64 kernel, shape (size, size), ready for
:func:`lessons_lib.convolution.correlate`.
"""

from __future__ import annotations

import numpy as np

from lessons_lib._validate import (
    as_float_array,
    check_memory,
    choice,
    positive_int,
    real_number,
)
from lessons_lib.convolution import correlate

LINE_DIRECTIONS = ("horizontal", "vertical", "diagonal", "antidiagonal")
SOBEL_DIRECTIONS = ("x", "y")


def _odd_size(size, name="size") -> int:
    size = positive_int(size, name)
    if size % 2 == 0:
        raise ValueError(f"{name} must be an odd integer >= 1 (the filter needs a centre), got {size}")
    # The kernel and a temporary of its size, in float64.
    check_memory(2 * 8 * size * size, f"a {name}={size} filter")
    return size


def identity(size=3) -> np.ndarray:
    """A filter that returns its input: 1 at the centre, 0 elsewhere.

    Parameters
    ----------
    size : int, default 3
        Odd filter size.

    Returns
    -------
    kernel : ndarray, shape (size, size)

    Raises
    ------
    TypeError
        If ``size`` is not an integer.
    ValueError
        If ``size`` is not odd and positive, or the kernel would not fit in memory.

    Examples
    --------
    >>> identity(3)
    array([[0., 0., 0.],
           [0., 1., 0.],
           [0., 0., 0.]])
    """
    size = _odd_size(size)
    kernel = np.zeros((size, size))
    kernel[size // 2, size // 2] = 1.0
    return kernel


def box_blur(size=3) -> np.ndarray:
    """The blurring filter: every output is the mean of a size x size window.

    Parameters
    ----------
    size : int, default 3
        Odd filter size: the slides use 3, 11 and 101.

    Returns
    -------
    kernel : ndarray, shape (size, size)
        All entries 1 / size², so they sum to 1 and brightness is kept.

    Raises
    ------
    TypeError
        If ``size`` is not an integer.
    ValueError
        If ``size`` is not odd and positive, or the kernel would not fit in memory.

    Examples
    --------
    >>> box_blur(3) * 9
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    size = _odd_size(size)
    return np.full((size, size), 1.0 / size**2)


def gaussian_blur(size=5, sigma=None) -> np.ndarray:
    """A Gaussian blur: weights fall off with distance from the centre.

    Parameters
    ----------
    size : int, default 5
        Odd filter size.
    sigma : float, optional
        Standard deviation in pixels; default ``size / 6`` so that the filter
        holds ±3 sigma.

    Returns
    -------
    kernel : ndarray, shape (size, size)
        Normalised to sum to 1.

    Raises
    ------
    TypeError
        If ``size`` is not an integer or ``sigma`` not a number.
    ValueError
        If ``size`` is not odd and positive, the kernel would not fit in memory, or
        ``sigma`` is not positive and finite.

    Examples
    --------
    >>> np.round(gaussian_blur(3, sigma=1.0), 3)
    array([[0.075, 0.124, 0.075],
           [0.124, 0.204, 0.124],
           [0.075, 0.124, 0.075]])
    """
    size = _odd_size(size)
    sigma = size / 6.0 if sigma is None else real_number(sigma, "sigma", minimum=0,
                                                         above_minimum=True)
    r = np.arange(size) - size // 2
    g = np.exp(-(r**2) / (2.0 * sigma**2))
    kernel = np.outer(g, g)
    return kernel / kernel.sum()


def line_detector(direction="horizontal", size=3) -> np.ndarray:
    """Responds to thin lines in one direction: (size - 1) on the line, -1 elsewhere.

    The weights sum to zero, so a flat region gives 0 and only a line along the
    chosen direction gives a large positive response.

    Parameters
    ----------
    direction : {"horizontal", "vertical", "diagonal", "antidiagonal"}
        "diagonal" is the main diagonal of the matrix, top-left to bottom-right
        (\\); "antidiagonal" runs bottom-left to top-right (/).
    size : int, default 3

    Returns
    -------
    kernel : ndarray, shape (size, size)

    Raises
    ------
    TypeError
        If ``size`` is not an integer.
    ValueError
        If ``direction`` is not one of the words above, ``size`` is not odd and
        positive, or the kernel would not fit in memory.

    Examples
    --------
    >>> line_detector("horizontal")
    array([[-1., -1., -1.],
           [ 2.,  2.,  2.],
           [-1., -1., -1.]])
    >>> line_detector("antidiagonal")
    array([[-1., -1.,  2.],
           [-1.,  2., -1.],
           [ 2., -1., -1.]])
    """
    choice(direction, "direction", LINE_DIRECTIONS)
    size = _odd_size(size)
    on_line = {
        "horizontal": np.zeros((size, size), bool),
        "vertical": np.zeros((size, size), bool),
        "diagonal": np.eye(size, dtype=bool),
        "antidiagonal": np.fliplr(np.eye(size, dtype=bool)),
    }[direction]
    if direction == "horizontal":
        on_line[size // 2, :] = True
    elif direction == "vertical":
        on_line[:, size // 2] = True
    return np.where(on_line, size - 1.0, -1.0)


def line_pixels(A, h, threshold) -> np.ndarray:
    """The pixels of ``A`` on a line: where the detector ``h`` responds at least ``threshold``.

    This is line *extraction*: the response ``C = correlate(A, h)`` (stride 1, edges
    "none") is thresholded, and each output cell at or above the threshold marks the
    input pixel under the filter's centre, ``A[m + ω, n + ω]`` (ω = (K − 1) / 2 on
    each axis). The border of ω pixels, where the filter does not fit, is never marked.

    Parameters
    ----------
    A : array_like, shape (H, W)
        The input (a matrix, a photograph).
    h : array_like, shape (K_h, K_w)
        The detector, odd sizes (it needs a centre), at most ``A``'s.
    threshold : float
        The smallest response that counts as a line.

    Returns
    -------
    mask : ndarray of bool, shape (H, W)
        True on the detected line pixels.

    Raises
    ------
    TypeError
        If ``A`` or ``h`` is not numeric, or ``threshold`` is not a number.
    ValueError
        If ``A`` or ``h`` is not 2-D, ``h`` has an even size or is larger than ``A``,
        or a value is not finite.

    Examples
    --------
    A vertical line of ones: the pixels under the filter's centre where it fits.

    >>> A = np.zeros((4, 5))
    >>> A[:, 2] = 1
    >>> line_pixels(A, line_detector("vertical"), 4).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0]])
    """
    A = as_float_array(A, "A", ndim=2)
    h = as_float_array(h, "h", ndim=2)
    threshold = real_number(threshold, "threshold")
    if any(k % 2 == 0 for k in h.shape):
        raise ValueError(f"h must have odd sizes (a centre pixel to mark), got {h.shape}")
    # Direct sums: an FFT's round-off could move a response that equals the threshold.
    response = correlate(A, h, method="direct")
    omega_m, omega_n = ((k - 1) // 2 for k in h.shape)
    mask = np.zeros(A.shape, dtype=bool)
    mask[omega_m:omega_m + response.shape[0], omega_n:omega_n + response.shape[1]] = (
        response >= threshold)
    return mask


def sobel(direction="x") -> np.ndarray:
    """Sobel edge filter: a smoothed difference across x (columns) or y (rows).

    It responds to edges (changes of brightness), positive where brightness grows
    along the chosen direction.

    Parameters
    ----------
    direction : {"x", "y"}, default "x"

    Returns
    -------
    kernel : ndarray, shape (3, 3)

    Raises
    ------
    ValueError
        If ``direction`` is not "x" or "y".

    Examples
    --------
    >>> sobel("x")
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    """
    choice(direction, "direction", SOBEL_DIRECTIONS)
    kernel = np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0])
    return kernel if direction == "x" else kernel.T.copy()


def sharpen() -> np.ndarray:
    """Sharpening: the identity minus the Laplacian [[0, 1, 0], [1, -4, 1], [0, 1, 0]].

    Subtracting the Laplacian (a measure of local curvature) exaggerates
    differences between a pixel and its neighbours.

    Returns
    -------
    kernel : ndarray, shape (3, 3)

    Examples
    --------
    >>> sharpen()
    array([[ 0., -1.,  0.],
           [-1.,  5., -1.],
           [ 0., -1.,  0.]])
    """
    return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])


FILTERS = {
    "identity": identity,
    "box blur": box_blur,
    "gaussian blur": gaussian_blur,
    "horizontal lines": lambda size=3: line_detector("horizontal", size),
    "vertical lines": lambda size=3: line_detector("vertical", size),
    "diagonal lines": lambda size=3: line_detector("diagonal", size),
    "antidiagonal lines": lambda size=3: line_detector("antidiagonal", size),
    "sobel x": lambda size=3: sobel("x"),
    "sobel y": lambda size=3: sobel("y"),
    "sharpen": lambda size=3: sharpen(),
}
"""Filter name → function of ``size``; Sobel and sharpen are always 3 x 3."""

RESIZABLE = ("identity", "box blur", "gaussian blur", "horizontal lines", "vertical lines",
             "diagonal lines", "antidiagonal lines")


def make_filter(name, size=3) -> np.ndarray:
    """The filter called ``name`` (a key of :data:`FILTERS`) at ``size``.

    Parameters
    ----------
    name : str
        A key of :data:`FILTERS`.
    size : int, default 3
        Odd filter size; Sobel and sharpen are 3 x 3 whatever it says.

    Returns
    -------
    kernel : ndarray of float64, shape (size, size), or (3, 3)

    Raises
    ------
    TypeError
        If ``size`` is not an integer.
    ValueError
        If ``name`` is not a key of :data:`FILTERS`, or ``size`` is not odd and
        positive, or the kernel would not fit in memory.

    Examples
    --------
    >>> make_filter("box blur", 3).sum()
    np.float64(1.0)
    """
    choice(name, "name", tuple(FILTERS))
    # Checked here too: the fixed 3 x 3 filters would otherwise ignore a wrong size.
    size = _odd_size(size)
    return FILTERS[name](size)
