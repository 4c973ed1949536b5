"""Input checks shared by the compute modules: every error names the argument.

Each check raises ``TypeError`` for a value of the wrong kind (a string where a number
belongs, complex numbers, None) and ``ValueError`` for a value of the right kind that
is out of range (a negative size, NaN, a ragged list), with a message that names the
argument, shows briefly what was received and says what would be valid.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import reprlib

import numpy as np

# Short reprs for error messages: a long list or string is cut, not printed whole.
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 40
_SHORT.maxlist = _SHORT.maxtuple = 6


def brief(value) -> str:
    """A short description of ``value`` for an error message.

    Examples
    --------
    >>> brief(np.zeros((2, 3)))
    'an array of shape (2, 3) and dtype float64'
    >>> brief(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...]'
    """
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return _SHORT.repr(value)


def as_array(value, name: str) -> np.ndarray:
    """``np.asarray(value)``, or an error naming ``name`` if it cannot be one array.

    The one place where user input becomes an array: a ragged list (rows of different
    lengths) gets a message naming the argument instead of numpy's "inhomogeneous
    shape".

    Examples
    --------
    >>> as_array([[1, 2], [3, 4]], "A").shape
    (2, 2)
    >>> as_array([[1, 2], [3]], "A")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: A must be a rectangular array (every row of the same length), got a ragged ...
    """
    if isinstance(value, np.ndarray):
        return value
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as error:
        if "inhomogeneous" in str(error):
            raise ValueError(f"{name} must be a rectangular array (every row of the same "
                             f"length), got a ragged sequence {brief(value)}") from None
        raise TypeError(f"{name} must be an array, got {brief(value)} ({error})") from None


def _describe_dtype(value, array: np.ndarray) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"dtype {value.dtype}"
    return f"{brief(value)} (dtype {array.dtype})"


def as_float_array(value, name: str, *, ndim: int | tuple[int, ...] | None = None,
                   keep_float32: bool = False, check_finite: bool = True) -> np.ndarray:
    """Return ``value`` as a finite float64 array, or raise naming ``name``.

    Parameters
    ----------
    value : array_like
        Real numbers (bool, int or float): booleans count as 0 and 1.
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
        ``value`` itself when it already is such an array: callers never write into it.

    Raises
    ------
    TypeError
        If ``value`` is not made of real numbers (strings, complex numbers, None, objects).
    ValueError
        If it is ragged, has another number of dimensions, is empty or holds NaN or inf.

    Examples
    --------
    >>> as_float_array([1, 2], "x")
    array([1., 2.])
    >>> as_float_array(np.ones(2, np.float32), "x", keep_float32=True).dtype
    dtype('float32')
    >>> as_float_array("abc", "x")
    Traceback (most recent call last):
    ...
    TypeError: x must be an array of real numbers, got 'abc' (dtype <U3)
    """
    array = as_array(value, name)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got "
                        f"{_describe_dtype(value, array)}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            words = " or ".join(f"{n}-D" for n in allowed)
            raise ValueError(f"{name} must be {words}, got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if not (keep_float32 and array.dtype == np.float32):
        # float16, float128 and integers beyond 2**53 become float64: too large a
        # longdouble turns into inf here and is refused just below.
        with np.errstate(over="ignore"):
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
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {brief(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def real_number(value, name: str, *, minimum: float | None = None,
                maximum: float | None = None, above_minimum: bool = False) -> float:
    """Return ``value`` as a finite float within the bounds, or raise naming ``name``.

    Parameters
    ----------
    value : int or float
        A real number; booleans, strings and None are refused.
    name : str
    minimum, maximum : float, optional
        Inclusive bounds (``minimum`` is exclusive with ``above_minimum``).
    above_minimum : bool, default False

    Examples
    --------
    >>> real_number(0.5, "precision_value", minimum=0, maximum=1)
    0.5
    >>> real_number(2, "precision_value", minimum=0, maximum=1)
    Traceback (most recent call last):
    ...
    ValueError: precision_value must be a finite number in [0, 1], got 2
    >>> real_number("0.1", "sigma", minimum=0, above_minimum=True)
    Traceback (most recent call last):
    ...
    TypeError: sigma must be a finite number > 0, got '0.1'
    """
    if minimum is not None and maximum is not None:
        wanted = f"a finite number in [{minimum:g}, {maximum:g}]"
    elif minimum is not None:
        wanted = f"a finite number {'>' if above_minimum else '>='} {minimum:g}"
    else:
        wanted = "a finite number" if maximum is None else f"a finite number <= {maximum:g}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {wanted}, got {brief(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    too_low = minimum is not None and (number < minimum or above_minimum and number == minimum)
    too_high = maximum is not None and number > maximum
    if not math.isfinite(number) or too_low or too_high:
        raise ValueError(f"{name} must be {wanted}, got {brief(value)}")
    return number


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


def shape_tuple(value, name: str, *, lengths: int | tuple[int, ...] | None = None,
                minimum: int = 1) -> tuple[int, ...]:
    """Return ``value`` as a tuple of ints >= ``minimum`` (a shape), or raise naming ``name``.

    Parameters
    ----------
    value : tuple or list of int
    name : str
    lengths : int or tuple of int, optional
        The allowed numbers of entries.
    minimum : int, default 1
        The smallest size allowed on an axis.

    Examples
    --------
    >>> shape_tuple([8, 9], "input_shape")
    (8, 9)
    >>> shape_tuple((-8, 9), "input_shape")
    Traceback (most recent call last):
    ...
    ValueError: input_shape must hold integers >= 1 (one size per axis), got (-8, 9)
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of integers (one size per axis), "
                        f"got {brief(value)}")
    if lengths is not None:
        allowed = (lengths,) if isinstance(lengths, int) else tuple(lengths)
        if len(value) not in allowed:
            words = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {words} entries, got {brief(value)}")
    elif not value:
        raise ValueError(f"{name} must have at least one entry, got {value!r}")
    for size in value:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
            raise TypeError(f"{name} must hold integers (one size per axis), got {brief(value)}")
        if size < minimum:
            raise ValueError(f"{name} must hold integers >= {minimum} (one size per axis), "
                             f"got {brief(value)}")
    return tuple(int(size) for size in value)


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
        raise ValueError(f"{name} must be one of {words}, got {brief(value)}")
    return value


# --- sizes and magnitudes ---------------------------------------------------------------

# Where the system does not report its memory (Windows, the browser edition).
_FALLBACK_MEMORY_LIMIT = 2 * 2**30


def memory_limit() -> int:
    """The most memory, in bytes, that one request may need.

    Half of the machine's physical memory, as the system reports it; 2 GiB where it
    does not. A request above it would swap, or be killed, after a long time: it is
    refused before any work by :func:`check_memory`.

    Examples
    --------
    >>> memory_limit() > 0
    True
    """
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return _FALLBACK_MEMORY_LIMIT
    return total // 2 if total > 0 else _FALLBACK_MEMORY_LIMIT


def _format_bytes(nbytes) -> str:
    try:
        return f"{float(nbytes) / 1e9:.3g} GB"
    except OverflowError:
        return "more than 1e300 GB"


def check_memory(nbytes, request: str) -> None:
    """Refuse, before any work, a request that would need more than :func:`memory_limit`.

    Parameters
    ----------
    nbytes : int
        The estimated memory the request needs (exact Python integer arithmetic, so
        that a huge request cannot wrap around).
    request : str
        The request, naming the arguments that make it large ("n=100000000 events").

    Raises
    ------
    ValueError
        If ``nbytes`` is above the limit.

    Examples
    --------
    >>> check_memory(10**6, "n=1000")
    >>> check_memory(10**15, "n=10**15")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: n=10**15 would need about 1e+06 GB of memory, more than the limit of ...
    """
    limit = memory_limit()
    if nbytes > limit:
        raise ValueError(f"{request} would need about {_format_bytes(nbytes)} of memory, more "
                         f"than the limit of {_format_bytes(limit)} (half of this machine's "
                         "memory); ask for less")


# A float64 overflows at 2**1024: sums of products are kept below half of that, so that
# rounding cannot push them over.
_SUM_LIMIT_LOG2 = 1023


def _log2_sum_bound(values, weights) -> float:
    """log2(max|values| · Σ|weights|), computed without overflow; -inf if either is 0."""
    largest_value = float(np.max(np.abs(values)))
    largest_weight = float(np.max(np.abs(weights)))
    if largest_value == 0 or largest_weight == 0:
        return -math.inf
    # Σ|w| = max|w| · Σ|w / max|w||, the last sum between 1 and the number of weights.
    total = float(np.sum(np.abs(weights) / largest_weight))
    return math.log2(largest_value) + math.log2(largest_weight) + math.log2(total)


def sums_fit(values, weights) -> bool:
    """Whether every sum ``Σ_i weights[i] · values[j_i]`` certainly stays below the float64 limit.

    ``max|values| · Σ|weights|`` bounds such a sum (a correlation output) and every
    partial sum on the way, so nothing overflows when it is below 2**1023.

    Examples
    --------
    >>> sums_fit([1e300], [1.0, 2.0]), sums_fit([1e308], [1.0, 2.0])
    (True, False)
    """
    return _log2_sum_bound(values, weights) < _SUM_LIMIT_LOG2


def check_sums_fit(values, values_name: str, weights, weights_name: str) -> None:
    """Raise a ValueError naming both arguments unless :func:`sums_fit`.

    Examples
    --------
    >>> check_sums_fit(np.full(3, 1e308), "A", np.ones(2), "h")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: A and h are too large: a sum of products h · A can reach max|A| · Σ|h| ≈ 2.0e308, ...
    """
    bound = _log2_sum_bound(values, weights)
    if bound >= _SUM_LIMIT_LOG2:
        # The bound itself may be beyond float64: print it from its logarithm.
        exponent = bound * math.log10(2)
        mantissa = 10 ** (exponent - math.floor(exponent))
        raise ValueError(f"{values_name} and {weights_name} are too large: a sum of products "
                         f"{weights_name} · {values_name} can reach max|{values_name}| · "
                         f"Σ|{weights_name}| ≈ {mantissa:.1f}e{math.floor(exponent)}, beyond the "
                         "largest float64 (about 1.8e308) with rounding; scale them down")


def check_total_fits(array, count: int, name: str, what: str) -> None:
    """Refuse ``array`` if a sum of ``count`` of its elements could overflow its dtype.

    ``max|array| · count`` bounds such a sum (a pooling window, a mean) whatever the
    order of the additions, so the readable loops and the fast code refuse alike.

    Examples
    --------
    >>> check_total_fits(np.full((2, 2), 1e308), 4, "A", "a 2 x 2 window's sum")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: A is too large: a 2 x 2 window's sum adds up to 4 values as large as 1e+308, ...
    """
    largest = float(np.max(np.abs(array)))
    limit = float(np.finfo(array.dtype).max)
    if largest * count > limit:
        raise ValueError(f"{name} is too large: {what} adds up to {count} values as large as "
                         f"{largest:.3g}, beyond the largest {array.dtype} ({limit:.2g}); "
                         "scale it down")


@contextlib.contextmanager
def refuse_overflow(names: str, what: str):
    """Turn a floating-point overflow inside the block into a ValueError naming ``names``.

    For results that finite inputs can push past the largest float (a difference of
    two numbers near 1e308, a square of 1e200): instead of an ``inf`` (or a ``NaN``
    after it) and a warning, the caller gets one clear error.

    Examples
    --------
    >>> with refuse_overflow("y_hat and y", "(y_hat - y)²"):  # doctest: +ELLIPSIS
    ...     np.array([1e200]) ** 2
    Traceback (most recent call last):
    ...
    ValueError: y_hat and y are too large: (y_hat - y)² exceeds the largest floating-point ...
    """
    verb = "are" if " and " in names else "is"
    try:
        with np.errstate(over="raise", invalid="raise"):
            yield
    except FloatingPointError:
        raise ValueError(f"{names} {verb} too large: {what} exceeds the largest floating-point "
                         "number (about 1.8e308 in float64, 3.4e38 in float32); scale them "
                         "down") from None


# --- pooling ------------------------------------------------------------------------------


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
    array = as_array(A, name)
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
    array = as_array(dout, "dout")
    if array.dtype != np.float32:
        array = as_float_array(array, "dout")
    if array.shape != out_shape:
        raise ValueError(f"dout must have the shape of the pooled output, {out_shape} for A of "
                         f"shape {A.shape}, got {array.shape}")
    if array.dtype == np.float32 and not np.isfinite(array).all():
        raise ValueError("dout must contain only finite numbers (no NaN or inf)")
    return array.astype(A.dtype, copy=False)
