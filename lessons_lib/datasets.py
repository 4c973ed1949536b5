"""The data the course ships: the slides' example matrices and bundled photographs.

Nothing here downloads: the photographs are package data (``data/photographs.npz``,
written from scikit-image's bundled images by ``tools/make_photographs.py``), so neither
edition of the course needs scikit-image.
"""

from __future__ import annotations

import numpy as np

from lessons_lib import detector
from lessons_lib._data import data_path
from lessons_lib._validate import choice

PHOTOGRAPHS = ("camera", "astronaut", "coins", "moon", "chelsea", "coffee")
"""Names accepted by :func:`photograph` (scikit-image's bundled photographs, stored as grey)."""


PHOTOGRAPHS_FILE = "photographs.npz"
"""The stored photographs: one 8-bit grey array per name (see tools/make_photographs.py)."""


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
    """A grey-scale photograph from the course's package data, values in [0, 1].

    Parameters
    ----------
    name : {"camera", "astronaut", "coins", "moon", "chelsea", "coffee"}, default "camera"
        scikit-image's bundled photographs. Colour ones were converted to grey with the
        ITU-R 601 luma weights and rounded to 8 bits when they were stored.

    Returns
    -------
    image : ndarray of float64, shape (H, W)
        camera, astronaut and moon are 512 x 512.

    Raises
    ------
    ValueError
        If ``name`` is not one of the names above.

    Examples
    --------
    >>> photograph("camera").shape
    (512, 512)
    """
    choice(name, "name", PHOTOGRAPHS)
    with np.load(data_path(PHOTOGRAPHS_FILE)) as stored:
        return stored[name].astype(np.float64) / 255.0


def detector_events(n, *, seed=0, image_size=64, class_mix=detector.DEFAULT_CLASS_MIX,
                    noise=1.0, view="3-class"):
    """Simulated events of an active-target detector's pad plane, with their classes.

    A 2-D toy, not AT-TPC data (the real detector records 3-D point clouds). Protons
    (long tracks that curl into spirals in the magnetic field, brightest where they
    stop), carbon nuclei of the target gas (short, dense, nearly straight: they stop
    within a short range, before the field visibly curves them) and "other" events
    (sparks, multi-prong fragments, noise), projected on the pad plane with diffusion,
    gain variation, noise pads, a threshold and ADC saturation: see
    :mod:`lessons_lib.detector`. Lessons 04-07 take their events from
    :func:`lessons_lib.splits.course_split`, which calls this function.

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
    labels : ndarray of np.intp, shape (n,)
        int64 natively, int32 in the browser edition (see lessons_lib._platform).
    class_names : tuple of str
        ``class_names[label]`` names a label: ("proton", "carbon", "other") or
        ("not proton", "proton").

    Raises
    ------
    TypeError
        If ``n``, ``seed`` or ``image_size`` is not an integer, ``noise`` is not a
        number or ``class_mix`` not numeric.
    ValueError
        If ``n`` < 1, ``image_size`` < 16, ``seed`` < 0, ``noise`` outside [0, 1000),
        ``class_mix`` is not 3 non-negative weights with a positive sum, ``view`` is
        not one of the words above, or the events would need more memory than the
        machine has to spare (half of it): ``detector_events(10**8)`` is refused at
        once, naming ``n`` and the limit, instead of running for minutes first.

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
    choice(view, "view", detector.VIEWS)
    images, labels = detector.simulate(
        n, seed=seed, image_size=image_size, class_mix=class_mix, noise=noise
    )
    if view == "binary":
        return images, detector.to_binary(labels), detector.BINARY_CLASS_NAMES
    return images, labels, detector.CLASS_NAMES
