r"""Simulated events in the pad plane of an active-target time projection chamber.

A toy, physically inspired by the proton / carbon / other classification of
Kuchera et al., Nucl. Instrum. Methods A 940 (2019) 156, on events of the AT-TPC. A
beam of nuclei travels along the chamber's axis, perpendicular to the pad plane, so it
projects onto the centre of the image; a reaction at some point of the beam sends
charged particles out from there. The gas they cross is ionised; the electrons drift to
the pad plane, which records the charge collected by each pad: the images are that
projection.

What the toy is not: it is not AT-TPC data, nor a model fitted to that detector. The
real detector records each event as a 3-D point cloud (x and y from the pads, z from
the electrons' drift time, a charge per point); these events are 64 x 64 images of
the pad plane only, with lengths, charges and noise chosen to look plausible. A
network's accuracy on them says how well it separates the toy's classes; networks
trained on simulated events lose accuracy on real ones (Kuchera et al.).

What a physicist sees, and what is simulated:

- **proton** (a proton of the target gas, struck by a beam nucleus): a long, faint
  track from the vertex. The chamber sits in a magnetic field along the beam, so the
  projected track is an arc of radius :math:`\rho \propto p_T`; as the proton slows
  down :math:`p_T` shrinks and the arc curls into a spiral. The charge per step
  follows the Bragg curve, :math:`dE/dx \propto R^{-0.43}` (``R`` the residual range):
  faint at the start, brightest where the proton stops. A proton leaving almost along
  the beam has a short projection, a small tight circle.
- **carbon** (a carbon nucleus of the target gas, recoiling from a beam nucleus): a
  short, dense, nearly straight track. Not because the field cannot bend it: at the
  same kinetic energy :math:`T` a fully stripped :math:`^{12}\mathrm{C}` ion has the
  momentum :math:`p = \sqrt{2 m T}`, :math:`\sqrt{12} \approx 3.46` times the proton's,
  and the charge :math:`6e`, so its magnetic rigidity :math:`B\rho = p / q` is
  :math:`\sqrt{12} / 6 \approx 0.58` of the proton's: it would curl more tightly. Its
  track is short because the energy loss per unit length grows as the charge squared,
  :math:`Z^2 = 36` times a proton's at the same velocity, so it stops within a range
  far shorter than its radius of curvature, before the field can visibly curve it.
- **other**: everything else the trigger records: sparks (straight bright streaks that
  do not come from the vertex), multi-prong fragmentation (two to four short tracks),
  and pure noise (an unreacted beam spot and random pad hits).

Detector effects: every event gets a beam spot, a drift-dependent diffusion (each
deposit is smeared by a Gaussian whose width depends on how far the electrons drifted),
a pad response blur, a gain that varies from event to event (so the total charge does
not tell the classes apart), random noise pads, a pad threshold, ADC digitisation and
saturation at 1.
"""

from __future__ import annotations

import numpy as np

from lessons_lib._validate import (
    as_array,
    as_float_array,
    brief,
    check_memory,
    positive_int,
    real_number,
)

CLASS_NAMES = ("proton", "carbon", "other")
"""The 3-class labels: ``labels == 0`` is a proton, ``1`` carbon, ``2`` other."""

BINARY_CLASS_NAMES = ("not proton", "proton")
"""The binary view, as in the slides: ``labels == 1`` is a proton (the positive class)."""

VIEWS = ("3-class", "binary")
DEFAULT_CLASS_MIX = (0.5, 0.25, 0.25)

# Points per track: enough that consecutive deposits overlap after diffusion.
_STEPS = 96
# Events rendered at once; fixed so that the random stream does not depend on memory.
_CHUNK = 256
# Bragg curve exponent: range R ∝ E^1.75 (Geiger's rule) gives dE/dx ∝ R^(1/1.75 - 1).
_BRAGG = 1 / 1.75 - 1
# Digitisation: pads below the threshold read 0; the ADC has 64 levels up to 1.
_THRESHOLD = 0.04
_ADC_LEVELS = 64


def to_binary(labels) -> np.ndarray:
    """3-class labels → the binary view: 1 for proton, 0 for carbon and other.

    Raises
    ------
    ValueError
        If ``labels`` is not a non-empty 1-D array of the integers 0, 1 and 2.

    Examples
    --------
    >>> to_binary([0, 1, 2, 0])
    array([1, 0, 0, 1])
    """
    labels = as_array(labels, "labels")
    if (labels.ndim != 1 or labels.size == 0 or labels.dtype.kind not in "iu"
            or labels.min() < 0 or labels.max() > 2):
        raise ValueError("labels must be a non-empty 1-D array of 3-class labels: integers 0 "
                         f"(proton), 1 (carbon) or 2 (other), got {brief(labels)}")
    # np.intp (int64 here, int32 in the browser): np.bincount takes only labels that
    # cast safely to it.
    return (labels == 0).astype(np.intp)


def _check_mix(class_mix):
    mix = as_float_array(class_mix, "class_mix")
    if mix.shape != (3,) or np.any(mix < 0) or not np.any(mix > 0):
        raise ValueError(
            "class_mix must be 3 non-negative weights (proton, carbon, other) with a "
            f"positive sum, got {class_mix!r}"
        )
    # Divided by the largest weight first, so that the sum cannot overflow.
    mix = mix / mix.max()
    return mix / mix.sum()


def _counts(n, mix):
    """Exact class counts summing to ``n``, as close to ``n · mix`` as possible."""
    raw = n * mix
    # np.intp, the index type: np.repeat takes the counts as repeats, and under
    # WebAssembly (the browser edition) np.intp is 32-bit, so int64 counts would not cast.
    counts = np.floor(raw).astype(np.intp)
    # Largest remainders first: the counts round the proportions, never drift.
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


# -- tracks: each returns points (k, S) x, y and charge per point -----------------------


def _proton_tracks(rng, k, scale):
    """Spirals of decreasing radius from the vertex, with a Bragg-curve charge."""
    s = np.linspace(0.0, 1.0, _STEPS)
    # Range in the gas (pixels of path length) and the polar angle to the beam axis:
    # the projection keeps sin(theta) of every step.
    path = rng.uniform(28, 70, size=(k, 1)) * scale
    sin_theta = np.sqrt(1 - rng.uniform(0.0, 0.95, size=(k, 1)) ** 2)
    residual = path * (1 - s) + 1e-3 * scale
    # Momentum ∝ sqrt(E) ∝ R^(1/3.5), so the radius of curvature shrinks as the proton
    # slows down; rho0 is the initial radius at full transverse momentum.
    rho0 = rng.uniform(8, 45, size=(k, 1)) * scale
    rho = rho0 * sin_theta * (residual / path) ** (1 / 3.5) + 0.5 * scale
    step_t = np.diff(s, prepend=0.0) * path * sin_theta
    sign = rng.choice([-1.0, 1.0], size=(k, 1))
    phi = rng.uniform(0, 2 * np.pi, size=(k, 1)) + sign * np.cumsum(step_t / rho, axis=1)
    x = np.cumsum(step_t * np.cos(phi), axis=1)
    y = np.cumsum(step_t * np.sin(phi), axis=1)
    dedx = np.minimum((residual / path) ** _BRAGG, 3.5)
    charge = rng.uniform(0.35, 0.6, size=(k, 1)) * dedx * (path / _STEPS)
    return x, y, charge


def _carbon_tracks(rng, k, scale):
    """Short, dense, almost straight tracks from the vertex.

    Straight because the range is far shorter than the radius of curvature (a fast
    energy loss, not a high rigidity: see the module's docstring).
    """
    s = np.linspace(0.0, 1.0, _STEPS)
    length = rng.uniform(3, 11, size=(k, 1)) * scale
    phi = rng.uniform(0, 2 * np.pi, size=(k, 1)) + rng.normal(0, 0.05, size=(k, 1)) * s
    x = np.cumsum(np.cos(phi) * length / _STEPS, axis=1)
    y = np.cumsum(np.sin(phi) * length / _STEPS, axis=1)
    residual = length * (1 - s) + 0.2 * scale
    dedx = np.minimum((residual / length) ** _BRAGG, 2.0)
    charge = rng.uniform(2.5, 4.5, size=(k, 1)) * dedx * (length / _STEPS)
    return x, y, charge


def _other_tracks(rng, k, scale, size):
    """A mixture: sparks, multi-prong fragments and noise-only events."""
    x = np.zeros((k, _STEPS))
    y = np.zeros((k, _STEPS))
    charge = np.zeros((k, _STEPS))
    kind = rng.choice(3, size=k, p=[0.35, 0.4, 0.25])
    s = np.linspace(0.0, 1.0, _STEPS)

    # Sparks: a straight streak between two random points, away from the vertex.
    sparks = np.flatnonzero(kind == 0)
    half = size / 2
    a = rng.uniform(-0.9, 0.9, size=(len(sparks), 2)) * half
    angle = rng.uniform(0, 2 * np.pi, size=(len(sparks), 1))
    length = rng.uniform(30, 80, size=(len(sparks), 1)) * scale
    x[sparks] = a[:, :1] + np.cos(angle) * length * (s - 0.5)
    y[sparks] = a[:, 1:] + np.sin(angle) * length * (s - 0.5)
    charge[sparks] = rng.uniform(0.6, 1.5, size=(len(sparks), 1)) * (length / _STEPS)

    # Fragments: two to four straight prongs of medium length from the vertex.
    frags = np.flatnonzero(kind == 1)
    prongs = rng.integers(2, 5, size=len(frags))
    prong_of = np.minimum((s * prongs[:, None]).astype(np.intp), prongs[:, None] - 1)
    t = s * prongs[:, None] - prong_of
    angles = rng.uniform(0, 2 * np.pi, size=(len(frags), 4))
    lengths = rng.uniform(5, 22, size=(len(frags), 4)) * scale
    rows = np.arange(len(frags))[:, None]
    prong_angle = angles[rows, prong_of]
    prong_length = lengths[rows, prong_of]
    x[frags] = np.cos(prong_angle) * prong_length * t
    y[frags] = np.sin(prong_angle) * prong_length * t
    charge[frags] = rng.uniform(0.5, 1.5, size=(len(frags), 1)) * prong_length * prongs[:, None] / _STEPS

    # Noise-only events keep zero track charge: beam spot and noise pads come later.
    noisy = kind == 2
    return x, y, charge, noisy


# -- rendering ----------------------------------------------------------------------------


def _blur(images, sigma):
    """Separable Gaussian blur along the last two axes (the pads' response)."""
    radius = max(1, int(np.ceil(2.5 * sigma)))
    offsets = np.arange(-radius, radius + 1)
    g = np.exp(-0.5 * (offsets / sigma) ** 2)
    g /= g.sum()
    for axis in (-1, -2):
        padded = np.pad(images, [(0, 0)] * (images.ndim - 2) + [(radius, radius)] * 2)
        windows = np.lib.stride_tricks.sliding_window_view(padded, len(g), axis=axis)
        windows = windows[:, radius:-radius, :] if axis == -1 else windows[:, :, radius:-radius]
        images = windows @ g
    return images


def _render(rng, x, y, charge, size):
    """Deposit point charges on the pad grid with diffusion; returns (k, size, size)."""
    k = x.shape[0]
    # Drift distance varies per event: a longer drift diffuses the electrons more.
    sigma = rng.uniform(0.3, 1.0, size=(k, 1))
    px = x + size / 2 + rng.normal(size=x.shape) * sigma
    py = y + size / 2 + rng.normal(size=y.shape) * sigma
    ix, iy = np.floor(px).astype(np.intp), np.floor(py).astype(np.intp)
    inside = (ix >= 0) & (ix < size) & (iy >= 0) & (iy < size)
    event = np.broadcast_to(np.arange(k)[:, None], x.shape)
    flat = (event * size + iy) * size + ix
    images = np.bincount(flat[inside], weights=charge[inside], minlength=k * size * size)
    return images.reshape(k, size, size)


# Noise levels above this would draw millions of noise pads per event.
_MAX_NOISE = 1e3


def _check_simulation(n, seed, image_size, class_mix, noise):
    """The arguments of :func:`simulate`, checked; and a refusal of a request too large."""
    n = positive_int(n, "n")
    image_size = positive_int(image_size, "image_size", minimum=16)
    seed = positive_int(seed, "seed", minimum=0)
    noise = real_number(noise, "noise", minimum=0)
    if noise >= _MAX_NOISE:
        raise ValueError(f"noise must be a finite number >= 0 and < {_MAX_NOISE:g} (1.0 is the default "
                         f"level), got {noise!r}")
    mix = _check_mix(class_mix)
    pads = image_size * image_size
    # The float32 images and int64 labels returned, plus the float64 work arrays of one
    # chunk (rendering, blurring and its padded copy, noise).
    needed = n * (4 * pads + 8) + 6 * 8 * min(n, _CHUNK) * (image_size + 8) ** 2
    check_memory(needed, f"n={n} events of image_size={image_size} ({image_size} x "
                         f"{image_size} pads)")
    return n, seed, image_size, mix, noise


def simulate(n, *, seed=0, image_size=64, class_mix=DEFAULT_CLASS_MIX, noise=1.0):
    """Simulate ``n`` events; see :func:`lessons_lib.datasets.detector_events`.

    Returns
    -------
    images : ndarray of float32, shape (n, 1, image_size, image_size)
    labels : ndarray of np.intp, shape (n,)
        3-class labels (0 proton, 1 carbon, 2 other).

    Raises
    ------
    TypeError
        If ``n``, ``seed`` or ``image_size`` is not an integer, ``noise`` is not a
        number or ``class_mix`` not numeric.
    ValueError
        If ``n`` < 1, ``image_size`` < 16, ``seed`` < 0, ``noise`` outside [0, 1000),
        ``class_mix`` not 3 non-negative weights with a positive sum, or if the events
        would need more memory than :func:`lessons_lib._validate.memory_limit` allows
        (refused before any work, naming ``n`` and the limit).
    """
    n, seed, image_size, mix, noise = _check_simulation(n, seed, image_size, class_mix, noise)
    label_seed, *chunk_seeds = np.random.SeedSequence(seed).spawn(1 + -(-n // _CHUNK))
    rng = np.random.default_rng(label_seed)
    labels = np.repeat(np.arange(3), _counts(n, mix))
    rng.shuffle(labels)
    # Distances in the toy are set for 64 x 64 pads; other sizes rescale them.
    scale = image_size / 64
    images = np.empty((n, 1, image_size, image_size), dtype=np.float32)
    for c, chunk_seed in enumerate(chunk_seeds):
        part = labels[c * _CHUNK : (c + 1) * _CHUNK]
        images[c * _CHUNK : c * _CHUNK + len(part), 0] = _simulate_chunk(
            np.random.default_rng(chunk_seed), part, image_size, scale, noise
        )
    return images, labels


def _simulate_chunk(rng, labels, size, scale, noise):
    k = len(labels)
    x = np.zeros((k, _STEPS))
    y = np.zeros((k, _STEPS))
    charge = np.zeros((k, _STEPS))
    noisy = np.zeros(k, dtype=bool)
    for label, make in enumerate((_proton_tracks, _carbon_tracks)):
        rows = np.flatnonzero(labels == label)
        x[rows], y[rows], charge[rows] = make(rng, len(rows), scale)
    rows = np.flatnonzero(labels == 2)
    x[rows], y[rows], charge[rows], noisy[rows] = _other_tracks(rng, len(rows), scale, size)

    # The vertex is on the beam, near the centre; the beam spot is drawn there too.
    vertex = rng.normal(0, 1.5 * scale, size=(k, 2))
    x += vertex[:, :1]
    y += vertex[:, 1:]
    images = _render(rng, x, y, charge, size)
    spot = rng.uniform(0.05, 0.5, size=k) * np.where(noisy, 2.0, 1.0)
    centre = size // 2
    images[:, centre - 1 : centre + 1, centre - 1 : centre + 1] += spot[:, None, None] / 4
    images = _blur(images, 0.7)

    # Gain varies event to event: brightness alone does not give the class away.
    images *= rng.lognormal(0.0, 0.35, size=(k, 1, 1))
    # Poisson draws are int64; as repeats they must be np.intp (32-bit in the browser).
    hits = rng.poisson(noise * np.where(noisy, 25, 6), size=k).astype(np.intp)
    event = np.repeat(np.arange(k), hits)
    pads = rng.integers(0, size, size=(2, event.size))
    np.add.at(images, (event, pads[0], pads[1]), rng.exponential(0.15, size=event.size))
    images += rng.normal(0, 0.01 * noise, size=images.shape)

    images[images < _THRESHOLD] = 0
    return np.minimum(np.round(images * _ADC_LEVELS) / _ADC_LEVELS, 1.0)
