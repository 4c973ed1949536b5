"""Input checks shared by the compute modules: every error names the argument."""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(value, name: str, *, ndim: int | tuple[int, ...] | None = None,
                   keep_float32: bool = False, check_finite: bool = True) -> np.ndarray:
    """Return ``value`` as a finite float64 array, or raise naming ``name``.

    Parameters
    ----------
    value : array_like
        Real numbers (bool, int or float).
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        The allowed numbers of dimensions.
    keep_float32 : bool, default False
        Return float32 input as it is (the training precision of the course's
        networks) instead of converting it to float64.
    check_finite : bool, default True
        Scan for NaN and inf; callers that use only the shape may skip it.

    Returns
    -------
    array : ndarray of float64 (or float32 with ``keep_float32``)

    Examples
    --------
    >>> as_float_array([1, 2], "x")
    array([1., 2.])
    >>> as_float_array(np.ones(2, np.float32), "x", keep_float32=True).dtype
    dtype('float32')
    >>> as_float_array("abc", "x")
    Traceback (most recent call last):
    ...
    TypeError: x must be an array of real numbers, got dtype <U3
    """
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            words = " or ".join(f"{n}-D" for n in allowed)
            raise ValueError(f"{name} must be {words}, got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if not (keep_float32 and array.dtype == np.float32):
        array = array.astype(np.float64, copy=False)
    if check_finite and not np.isfinite(array).all():
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return array


def positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``, or raise naming ``name``.

    Examples
    --------
    >>> positive_int(2, "stride")
    2
    >>> positive_int(0, "stride")
    Traceback (most recent call last):
    ...
    ValueError: stride must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def int_tuple(value, name: str, ndim: int, *, minimum: int = 1) -> tuple[int, ...]:
    """Expand an int or a tuple of ``ndim`` ints (each >= ``minimum``) to a tuple.

    Examples
    --------
    >>> int_tuple(2, "stride", 3)
    (2, 2, 2)
    >>> int_tuple((1, 2), "stride", 3)
    Traceback (most recent call last):
    ...
    ValueError: stride must be an int or a tuple of 3 ints, got (1, 2)
    """
    if isinstance(value, (tuple, list)):
        if len(value) != ndim:
            raise ValueError(f"{name} must be an int or a tuple of {ndim} ints, got {value!r}")
        return tuple(positive_int(v, name, minimum=minimum) for v in value)
    return (positive_int(value, name, minimum=minimum),) * ndim


def choice(value, name: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``, or raise naming ``name``.

    Examples
    --------
    >>> choice("fft", "method", ("auto", "direct", "fft"))
    'fft'
    >>> choice("fast", "method", ("auto", "direct", "fft"))
    Traceback (most recent call last):
    ...
    ValueError: method must be one of 'auto', 'direct', 'fft', got 'fast'
    """
    if not isinstance(value, str) or value not in allowed:
        words = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {words}, got {value!r}")
    return value


def as_feature_maps(A, name: str = "A", *, check_finite: bool = True) -> np.ndarray:
    """``A`` as a finite float array of shape (H, W) or (N, C, H, W), float32 kept.

    The input check of pooling (:mod:`lessons_lib.pooling` and its fast twin).
    ``check_finite=False`` skips the scan for NaN and inf, for callers that use only
    the shape.

    Examples
    --------
    >>> as_feature_maps(np.ones((2, 2), np.float32)).dtype
    dtype('float32')
    >>> as_feature_maps(np.ones(3))
    Traceback (most recent call last):
    ...
    ValueError: A must be 2-D or 4-D ((H, W) or (N, C, H, W)), got an array of shape (3,)
    """
    array = np.asarray(A)
    if array.ndim not in (2, 4):
        raise ValueError(f"{name} must be 2-D or 4-D ((H, W) or (N, C, H, W)), got an array "
                         f"of shape {array.shape}")
    # A float32 batch stays float32: converting it to float64 would double the memory
    # traffic of a training step.
    return as_float_array(array, name, keep_float32=True, check_finite=check_finite)


def as_pooled_gradient(dout, A, out_shape) -> np.ndarray:
    """``dout`` as a finite array of ``A``'s dtype and the pooled output's shape.

    ``A`` needs only ``shape`` and ``dtype``: an ``np.empty`` of them will do.

    Examples
    --------
    >>> as_pooled_gradient([[1, 2]], np.empty((2, 4), np.float32), (1, 2))
    array([[1., 2.]], dtype=float32)
    >>> as_pooled_gradient([1, 2], np.empty((2, 4)), (1, 2))
    Traceback (most recent call last):
    ...
    ValueError: dout must have the shape of the pooled output, (1, 2) for A of shape (2, 4), got (2,)
    """
    array = np.asarray(dout)
    if array.dtype != np.float32:
        array = as_float_array(array, "dout")
    if array.shape != out_shape:
        raise ValueError(f"dout must have the shape of the pooled output, {out_shape} for A of "
                         f"shape {A.shape}, got {array.shape}")
    if array.dtype == np.float32 and not np.isfinite(array).all():
        raise ValueError("dout must contain only finite numbers (no NaN or inf)")
    return array.astype(A.dtype, copy=False)
