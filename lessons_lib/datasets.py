"""The data the course ships: the slides' example matrices and bundled photographs.

Nothing here downloads: photographs come from the images that scikit-image
installs with itself.
"""

from __future__ import annotations

import numbers

import numpy as np

from lessons_lib import detector
from lessons_lib._validate import choice, positive_int

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


def detector_events(n, *, seed=0, image_size=64, class_mix=detector.DEFAULT_CLASS_MIX,
                    noise=1.0, view="3-class"):
    """Simulated events of an active-target detector's pad plane, with their classes.

    Protons (long tracks that curl into spirals in the magnetic field, brightest where
    they stop), carbon ions (short, dense, straight) and "other" events (sparks,
    multi-prong fragments, noise), projected on the pad plane with diffusion, gain
    variation, noise pads, a threshold and ADC saturation: see :mod:`lessons_lib.detector`.

    Parameters
    ----------
    n : int
        Number of events (10,000 take a few seconds).
    seed : int, default 0
        The same seed gives the same events.
    image_size : int, default 64
        Pads per side (at least 16).
    class_mix : sequence of 3 float, default (0.5, 0.25, 0.25)
        Relative frequencies of proton, carbon and other; the counts are exact
        (rounded), e.g. ``(0.98, 0.01, 0.01)`` for a strongly imbalanced set.
    noise : float, default 1.0
        Scales the random noise pads and the electronic noise; 0 turns them off.
    view : {"3-class", "binary"}, default "3-class"
        "3-class": labels 0 proton, 1 carbon, 2 other. "binary": the slides'
        proton (1) vs not proton (0) for the same events.

    Returns
    -------
    images : ndarray of float32, shape (n, 1, image_size, image_size)
        Pad charges in [0, 1], ready for a CNN (one channel).
    labels : ndarray of int64, shape (n,)
    class_names : tuple of str
        ``class_names[label]`` names a label: ("proton", "carbon", "other") or
        ("not proton", "proton").

    Examples
    --------
    >>> images, labels, class_names = detector_events(8, seed=1)
    >>> images.shape, images.dtype, class_names
    ((8, 1, 64, 64), dtype('float32'), ('proton', 'carbon', 'other'))
    >>> np.bincount(labels, minlength=3)
    array([4, 2, 2])
    >>> detector_events(8, seed=1, view="binary")[1].tolist() == (labels == 0).tolist()
    True
    """
    n = positive_int(n, "n")
    image_size = positive_int(image_size, "image_size", minimum=16)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not 0 <= noise < 1e3:
        raise ValueError(f"noise must be a number >= 0 (1.0 is the default level), got {noise!r}")
    choice(view, "view", detector.VIEWS)
    images, labels = detector.simulate(
        n, seed=int(seed), image_size=image_size, class_mix=class_mix, noise=float(noise)
    )
    if view == "binary":
        return images, detector.to_binary(labels), detector.BINARY_CLASS_NAMES
    return images, labels, detector.CLASS_NAMES
