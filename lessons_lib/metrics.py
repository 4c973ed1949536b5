r"""Classification metrics from the slides: the confusion matrix and what is read off it.

For a binary problem (the slides: *proton* vs *not proton*) the four counts sit as the
slides draw them, rows TRUE and columns PREDICTED, positive class first::

                        PREDICTED
                        positive   negative
    TRUE  positive        TP          FN
          negative        FP          TN

.. math::

    \text{accuracy} = \frac{TP + TN}{TP + FN + FP + TN}, \quad
    \text{precision} = \frac{TP}{TP + FP}, \quad
    \text{recall} = \frac{TP}{TP + FN}, \quad
    F_1 = \frac{2 \cdot \text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}

With more than two classes every class ``k`` has its own TP (the diagonal entry ``CM[k, k]``),
FN (the rest of row ``k``) and FP (the rest of column ``k``); ``average`` says how the
per-class values become one number:

- ``None``: no averaging, one value per class;
- ``"binary"``: only the class ``pos_label`` (two classes at most);
- ``"macro"``: the plain mean over classes (every class counts the same, however rare);
- ``"micro"``: add up TP, FP, FN over classes first (every *sample* counts the same);
- ``"weighted"``: the mean over classes weighted by support (the number of true samples).

Conventions: labels may be integers, booleans (the integers 0 and 1) or strings, but not
a mix of integers and strings, in one array or between ``y_true`` and ``y_pred``: 1 and
"1" are refused rather than compared. The classes are the sorted union of the labels in
``y_true`` and ``y_pred`` unless ``labels=`` gives them (in that order, possibly including
classes that never occur; for precision, recall and F1 possibly leaving out classes that
do occur, which are then not scored). An undefined ratio (0/0, for instance the precision
of a class that is never predicted) is 0.0, silently. These match scikit-learn with
``zero_division=0``, which the tests use as the reference.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from lessons_lib._validate import (
    as_array,
    as_float_array,
    brief,
    choice,
    positive_int,
    real_number,
)

AVERAGES = (None, "binary", "macro", "micro", "weighted")
_AVERAGE_NAMES = ("binary", "macro", "micro", "weighted")


# --- labels ------------------------------------------------------------------------------

_FLOAT_ADVICE = ("if these are scores or probabilities, turn them into predictions first, "
                 "for example (scores >= 0.5).astype(int)")


def _label_kind(array: np.ndarray, name: str) -> str:
    if array.dtype.kind in "biu":
        return "number"
    if array.dtype.kind == "U":
        return "string"
    if array.dtype.kind == "f":
        raise TypeError(f"{name} must hold class labels (integers or strings), got floats; "
                        + _FLOAT_ADVICE)
    raise TypeError(f"{name} must hold class labels (integers or strings), got dtype {array.dtype}")


def _element_kind(value) -> str:
    if isinstance(value, (bool, np.bool_, numbers.Integral)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, numbers.Real):
        return "float"
    return "other"


def _from_elements(items, name: str) -> np.ndarray:
    """Labels given one by one (a list, an object array): each must be of the same kind.

    numpy would turn ``[1, "a"]`` into the strings ``["1", "a"]``, so that 1 and "1"
    became one class: the labels are looked at one by one instead.
    """
    first_of = {}
    for value in items:
        first_of.setdefault(_element_kind(value), value)
    if "other" in first_of:
        odd = first_of["other"]
        raise TypeError(f"{name} must hold class labels (integers or strings), got "
                        f"{brief(odd)} of type {type(odd).__name__}")
    if "string" in first_of and len(first_of) > 1:
        number = first_of.get("number", first_of.get("float"))
        raise TypeError(f"{name} mixes labels of different types, {number!r} and "
                        f"{first_of['string']!r}: use all integers or all strings "
                        "(1 and '1' would be different classes)")
    if "float" in first_of:
        raise TypeError(f"{name} must hold class labels (integers or strings), got floats "
                        f"such as {first_of['float']!r}; " + _FLOAT_ADVICE)
    if "string" in first_of:
        return np.array(list(items), dtype=str)
    array = np.array(list(items))
    if array.dtype.kind not in "biu":
        raise ValueError(f"{name} holds integers that no 64-bit integer type holds together "
                         f"(from {min(items)} to {max(items)})")
    return array


def _as_labels(value, name: str) -> tuple[np.ndarray, str]:
    array = as_array(value, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if array.dtype.kind == "O":
        array = _from_elements(array.tolist(), name)
    elif not isinstance(value, np.ndarray) and array.dtype.kind in "Uf":
        # A list of strings, or of floats, may have been a mix of kinds before numpy
        # converted it.
        array = _from_elements(list(value), name)
    kind = _label_kind(array, name)
    return (array.astype(str) if kind == "string" else array), kind


_INT64_MAX = np.iinfo(np.int64).max


def _common_integers(arrays: list[np.ndarray], names: str) -> list[np.ndarray]:
    """Integer labels of several arrays in one integer type, compared exactly.

    numpy compares a uint64 with an int64 as float64, which turns labels into floats
    and merges large neighbours: the arrays are converted to int64 (or uint64) first.
    """
    if np.result_type(*[a.dtype for a in arrays]).kind != "f":
        return arrays
    if all(a.dtype.kind != "u" or a.max() <= _INT64_MAX for a in arrays):
        return [a.astype(np.int64) for a in arrays]
    if all(a.dtype.kind != "i" or a.min() >= 0 for a in arrays):
        return [a.astype(np.uint64) for a in arrays]
    raise ValueError(f"{names} hold labels from {min(int(a.min()) for a in arrays)} to "
                     f"{max(int(a.max()) for a in arrays)}: no 64-bit integer type holds "
                     "them all; number the classes 0, 1, 2, ...")


def _check_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray, str]:
    y_true, kind_true = _as_labels(y_true, "y_true")
    y_pred, kind_pred = _as_labels(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    if kind_true != kind_pred:
        raise TypeError(
            f"y_true and y_pred must hold the same kind of labels, got {kind_true}s "
            f"and {kind_pred}s"
        )
    if kind_true == "number":
        y_true, y_pred = _common_integers([y_true, y_pred], "y_true and y_pred")
    return y_true, y_pred, kind_true


def _listed(labels, y_true, y_pred, kind):
    """``labels`` checked (same kind as the data, no repeats), and the data in its type."""
    classes, kind_labels = _as_labels(labels, "labels")
    if kind_labels != kind:
        raise TypeError(f"labels must be {kind}s like y_true and y_pred, got {kind_labels}s")
    if len(np.unique(classes)) != len(classes):
        raise ValueError(f"labels must not repeat a class, got {brief(classes.tolist())}")
    if kind == "number":
        classes, y_true, y_pred = _common_integers([classes, y_true, y_pred],
                                                   "labels, y_true and y_pred")
    return classes, y_true, y_pred


def _check_pos_label(pos_label, kind: str) -> None:
    """``pos_label`` must be a label of the same kind as the data (not 1.0, not "1" for 1)."""
    if isinstance(pos_label, (bool, np.bool_, numbers.Integral)):
        given = "number"
    elif isinstance(pos_label, str):
        given = "string"
    else:
        raise TypeError(f"pos_label must be a class label (an integer, a bool or a string), "
                        f"got {brief(pos_label)}")
    if given != kind:
        raise TypeError(f"pos_label={pos_label!r} is a {given} but the labels are {kind}s: "
                        "give the positive class as it appears in the labels")


def _indices(values: np.ndarray, classes: np.ndarray, name: str) -> np.ndarray:
    """Position of every value in ``classes``; values outside ``classes`` are an error."""
    sorter = np.argsort(classes, kind="stable")
    position = np.searchsorted(classes, values, sorter=sorter)
    index = sorter[np.minimum(position, len(classes) - 1)]
    unknown = classes[index] != values
    if np.any(unknown):
        missing = np.unique(values[unknown]).tolist()
        raise ValueError(
            f"{name} holds labels that are not in labels={brief(classes.tolist())}: "
            f"{brief(missing)}"
        )
    return index


def _ratio(numerator, denominator) -> np.ndarray:
    """numerator / denominator elementwise, with 0/0 (and x/0) defined as 0.0, no warning."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


# --- confusion matrix ------------------------------------------------------------------------


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """Count, for every pair of classes, how often true class ``i`` was predicted as ``j``.

    Parameters
    ----------
    y_true : array_like, shape (N,)
        True labels (integers, booleans or strings).
    y_pred : array_like, shape (N,)
        Predicted labels, same kind as ``y_true``.
    labels : array_like, shape (C,), optional
        The classes and their order (rows and columns). Default: the sorted union of the
        labels that occur. Classes that never occur get a row and column of zeros; a label
        in ``y_true`` or ``y_pred`` that is not in ``labels`` is an error.

    Returns
    -------
    CM : ndarray of int64, shape (C, C)
        ``CM[i, j]`` = number of samples of true class ``labels[i]`` predicted as
        ``labels[j]``. Rows sum to the class supports; the diagonal holds the correct ones.

    Raises
    ------
    TypeError
        If the labels are floats, mix integers and strings (within an array or
        between them), or are not labels at all (None, objects).
    ValueError
        If an array is not 1-D, is empty or ragged, the lengths differ, ``labels``
        repeats a class or misses one that occurs.

    Examples
    --------
    >>> confusion_matrix([1, 1, 0, 0, 0], [1, 0, 1, 0, 0])
    array([[2, 1],
           [1, 1]])

    Positive class first, as the slides draw it (rows TRUE, columns PREDICTED):

    >>> confusion_matrix([1, 1, 0, 0, 0], [1, 0, 1, 0, 0], labels=[1, 0])
    array([[1, 1],
           [1, 2]])
    >>> confusion_matrix(["cat", "dog"], ["cat", "cat"], labels=["dog", "cat", "emu"])
    array([[0, 1, 0],
           [0, 1, 0],
           [0, 0, 0]])
    """
    y_true, y_pred, kind = _check_pair(y_true, y_pred)
    if labels is None:
        classes = np.union1d(y_true, y_pred)
    else:
        classes, y_true, y_pred = _listed(labels, y_true, y_pred, kind)
    k = len(classes)
    i = _indices(y_true, classes, "y_true")
    j = _indices(y_pred, classes, "y_pred")
    return np.bincount(i * k + j, minlength=k * k).reshape(k, k).astype(np.int64)


def confusion_matrix_loops(y_true, y_pred, labels) -> list[list[int]]:
    """:func:`confusion_matrix` with plain loops, for reading: one tally mark per sample.

    Parameters
    ----------
    y_true, y_pred : sequence, length N
    labels : sequence, length C
        The classes in row/column order; every label must be among them.

    Returns
    -------
    CM : list of C lists of C ints

    Raises
    ------
    TypeError, ValueError
        As :func:`confusion_matrix`.

    Examples
    --------
    >>> confusion_matrix_loops(["a", "b", "b"], ["a", "a", "b"], labels=["a", "b"])
    [[1, 0], [1, 1]]
    """
    # The same checks as confusion_matrix, so that the loops below meet only labels
    # they can place.
    confusion_matrix(y_true, y_pred, labels=labels)
    labels = list(labels)
    CM = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred, strict=True):
        CM[labels.index(t)][labels.index(p)] += 1
    return CM


class BinaryCounts(NamedTuple):
    """The four cells of a binary confusion matrix, in the slides' reading order."""

    TP: int
    FN: int
    FP: int
    TN: int


def binary_counts(y_true, y_pred, pos_label=1) -> BinaryCounts:
    """TP, FN, FP and TN for ``pos_label`` against every other class ("proton" vs "not proton").

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N,)
        Labels of any number of classes; every label other than ``pos_label`` counts as
        negative.
    pos_label : int, bool or str, default 1
        The positive class.

    Returns
    -------
    counts : BinaryCounts
        Named tuple ``(TP, FN, FP, TN)``: the slides' matrix read row by row.

    Raises
    ------
    TypeError
        As :func:`confusion_matrix`, and if ``pos_label`` is not a label of the same
        kind (integer or string) as ``y_true`` and ``y_pred``.
    ValueError
        As :func:`confusion_matrix`, and if ``pos_label`` occurs in neither
        ``y_true`` nor ``y_pred`` (a misspelt positive class would count zeros).

    Examples
    --------
    >>> binary_counts(["p", "p", "e", "m", "e"], ["p", "e", "p", "e", "e"], pos_label="p")
    BinaryCounts(TP=1, FN=1, FP=1, TN=2)
    >>> binary_counts([0, 1], [1, 1], pos_label=2)
    Traceback (most recent call last):
    ...
    ValueError: pos_label=2 is not among the labels in y_true and y_pred, [0, 1]
    """
    y_true, y_pred, kind = _check_pair(y_true, y_pred)
    _check_pos_label(pos_label, kind)
    present = np.union1d(y_true, y_pred).tolist()
    if pos_label not in present:
        raise ValueError(f"pos_label={pos_label!r} is not among the labels in y_true and "
                         f"y_pred, {brief(present)}")
    actual, predicted = y_true == pos_label, y_pred == pos_label
    return BinaryCounts(
        TP=int(np.sum(actual & predicted)),
        FN=int(np.sum(actual & ~predicted)),
        FP=int(np.sum(~actual & predicted)),
        TN=int(np.sum(~actual & ~predicted)),
    )


# --- accuracy, precision, recall, F1 ------------------------------------------------------------


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples predicted correctly: (TP + TN) / N, for any number of classes.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N,)

    Returns
    -------
    accuracy : float
        In [0, 1]: the trace of the confusion matrix divided by its sum.

    Raises
    ------
    TypeError, ValueError
        As :func:`confusion_matrix`: labels of mixed types (``1`` and ``"1"``) are
        refused, not compared.

    Examples
    --------
    A screening test that always answers "healthy" on 99 healthy people and 1 sick one:

    >>> accuracy([0] * 99 + [1], [0] * 100)
    0.99
    """
    y_true, y_pred, _ = _check_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


class _Counts(NamedTuple):
    classes: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    support: np.ndarray


def _per_class_counts(y_true, y_pred, average, pos_label, labels) -> _Counts:
    if average is not None:
        choice(average, "average", _AVERAGE_NAMES)
    y_true, y_pred, kind = _check_pair(y_true, y_pred)
    present = np.union1d(y_true, y_pred)
    if labels is None:
        classes = everything = present
    else:
        classes, y_true, y_pred = _listed(labels, y_true, y_pred, kind)
        present = np.union1d(y_true, y_pred)
        everything = np.union1d(present, classes)
    if average == "binary":
        _check_pos_label(pos_label, kind)
        if len(everything) > 2:
            raise ValueError(
                f"average='binary' needs at most two classes, got {len(everything)}: "
                f"{brief(everything.tolist())}; choose average=None, 'macro', 'micro' or "
                "'weighted', or compare each label with the positive class first "
                "(y == pos_label)"
            )
        if pos_label not in classes.tolist() and (len(everything) == 2 or labels is not None):
            raise ValueError(
                f"pos_label={pos_label!r} is not among the labels {classes.tolist()}"
            )
    # Count over every class that occurs, then keep the listed ones: a sample of an
    # unlisted class still counts as a false positive of the class it was predicted as
    # (and a false negative of its true class), as scikit-learn counts it.
    k = len(everything)
    i = _indices(y_true, everything, "y_true")
    j = _indices(y_pred, everything, "y_pred")
    keep = _indices(classes, everything, "labels")
    tp = np.bincount(i[i == j], minlength=k)[keep]
    support = np.bincount(i, minlength=k)[keep]
    predicted = np.bincount(j, minlength=k)[keep]
    return _Counts(classes, tp, predicted - tp, support - tp, support)


def _positive(counts: _Counts, pos_label) -> int | None:
    """Index of ``pos_label`` among the classes (None when the data never show it)."""
    listed = counts.classes.tolist()
    return listed.index(pos_label) if pos_label in listed else None


def _reduce(per_class, counts: _Counts, average, pos_label, micro):
    if average is None:
        return per_class
    if average == "binary":
        k = _positive(counts, pos_label)
        return 0.0 if k is None else float(per_class[k])
    if average == "macro":
        return float(np.mean(per_class))
    if average == "micro":
        return float(micro)
    return float(_ratio(np.sum(per_class * counts.support), np.sum(counts.support)))


def precision(y_true, y_pred, average="binary", pos_label=1, *, labels=None):
    """Of the samples predicted as a class, the fraction that truly are: TP / (TP + FP).

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N,)
        True and predicted labels (integers, booleans or strings).
    average : {"binary", None, "macro", "micro", "weighted"}, default "binary"
        How per-class values are combined (see the module docstring). ``"binary"`` reports
        the class ``pos_label`` and needs at most two classes.
    pos_label : int, bool or str, default 1
        The positive class for ``average="binary"``; ignored otherwise.
    labels : array_like, shape (C,), optional
        The classes and their order (for ``average=None``) and which classes the
        averages run over. Default: the sorted union of the labels that occur. It may
        name a subset of the classes present: only the listed classes are scored, as
        scikit-learn does; a sample of an unlisted class still counts against the
        listed class it was predicted as (a false positive) or truly is (a false
        negative). A listed class that never occurs scores 0.

    Returns
    -------
    precision : float, or ndarray of shape (C,) when ``average`` is None
        0.0 where no sample was predicted as the class (0/0).

    Raises
    ------
    TypeError
        As :func:`confusion_matrix`; if ``labels`` is not of the kind of the data, or
        (for ``average="binary"``) ``pos_label`` is not.
    ValueError
        As :func:`confusion_matrix` (except that ``labels`` may leave classes out);
        if ``average`` is not one of the choices above, or ``average="binary"`` meets
        more than two classes or a ``pos_label`` that is not among them.

    Examples
    --------
    >>> precision([1, 1, 0, 0, 0], [1, 0, 1, 0, 0])
    0.5
    >>> precision(["a", "b", "c", "a"], ["a", "b", "b", "b"], average=None)
    array([1. , 0.33333333, 0. ])
    """
    c = _per_class_counts(y_true, y_pred, average, pos_label, labels)
    per_class = _ratio(c.tp, c.tp + c.fp)
    return _reduce(per_class, c, average, pos_label, _ratio(c.tp.sum(), c.tp.sum() + c.fp.sum()))


def recall(y_true, y_pred, average="binary", pos_label=1, *, labels=None):
    """Of the samples truly of a class, the fraction predicted as it: TP / (TP + FN).

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N,)
    average : {"binary", None, "macro", "micro", "weighted"}, default "binary"
    pos_label : int, bool or str, default 1
    labels : array_like, shape (C,), optional
        As for :func:`precision`: may name a subset of the classes present.

    Returns
    -------
    recall : float, or ndarray of shape (C,) when ``average`` is None
        0.0 for a class with no true samples (0/0).

    Raises
    ------
    TypeError, ValueError
        As :func:`precision`.

    Examples
    --------
    >>> recall([1, 1, 0, 0, 0], [1, 0, 1, 0, 0])
    0.5
    >>> recall([0] * 99 + [1], [0] * 100)   # "always healthy" finds no sick patient
    0.0
    """
    c = _per_class_counts(y_true, y_pred, average, pos_label, labels)
    per_class = _ratio(c.tp, c.tp + c.fn)
    return _reduce(per_class, c, average, pos_label, _ratio(c.tp.sum(), c.tp.sum() + c.fn.sum()))


def f1_score(y_true, y_pred, average="binary", pos_label=1, *, labels=None):
    """Harmonic mean of precision and recall: 2 · P · R / (P + R) = 2 TP / (2 TP + FP + FN).

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N,)
    average : {"binary", None, "macro", "micro", "weighted"}, default "binary"
    pos_label : int, bool or str, default 1
    labels : array_like, shape (C,), optional
        As for :func:`precision`: may name a subset of the classes present.

    Returns
    -------
    f1 : float, or ndarray of shape (C,) when ``average`` is None
        0.0 where precision and recall are both 0.

    Raises
    ------
    TypeError, ValueError
        As :func:`precision`.

    Examples
    --------
    >>> f1_score([1, 1, 0, 0, 0], [1, 0, 1, 0, 0])
    0.5
    >>> round(f1_score([0, 1, 2, 2], [0, 2, 2, 2], average="macro"), 4)
    0.6
    """
    c = _per_class_counts(y_true, y_pred, average, pos_label, labels)
    per_class = _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn)
    tp, fp, fn = c.tp.sum(), c.fp.sum(), c.fn.sum()
    return _reduce(per_class, c, average, pos_label, _ratio(2 * tp, 2 * tp + fp + fn))


def f1_from_precision_recall(precision_value: float, recall_value: float) -> float:
    """The slides' F1 formula for one class, written out: 2 · P · R / (P + R), 0 if both 0.

    Parameters
    ----------
    precision_value, recall_value : float
        A precision and a recall, each in [0, 1].

    Returns
    -------
    f1 : float
        In [0, 1], between the smaller of the two and their mean.

    Raises
    ------
    TypeError
        If a value is not a real number (booleans, strings and None included).
    ValueError
        If a value is NaN, infinite or outside [0, 1].

    Examples
    --------
    >>> f1_from_precision_recall(0.5, 1.0)
    0.6666666666666666
    >>> f1_from_precision_recall(2, 3)
    Traceback (most recent call last):
    ...
    ValueError: precision_value must be a finite number in [0, 1], got 2
    """
    precision_value = real_number(precision_value, "precision_value", minimum=0, maximum=1)
    recall_value = real_number(recall_value, "recall_value", minimum=0, maximum=1)
    if precision_value + recall_value == 0:
        return 0.0
    return 2 * precision_value * recall_value / (precision_value + recall_value)


# More decimals than float64 holds would print noise.
_MAX_DIGITS = 10


def classification_table(y_true, y_pred, labels=None, digits=3) -> str:
    """Per-class precision, recall, F1 and support, then the three averages, as text.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N,)
    labels : array_like, shape (C,), optional
        Class order (default: sorted union of the labels that occur); may name a
        subset of the classes present, as for :func:`precision`.
    digits : int, default 3
        Decimals printed, 0 to 10.

    Returns
    -------
    table : str

    Raises
    ------
    TypeError, ValueError
        As :func:`precision`, and if ``digits`` is not an integer in [0, 10].

    Examples
    --------
    >>> print(classification_table(["a", "b", "b"], ["a", "a", "b"]))
    class      precision  recall     f1  support
    a              0.500   1.000  0.667        1
    b              1.000   0.500  0.667        2
    macro          0.750   0.750  0.667        3
    micro          0.667   0.667  0.667        3
    weighted       0.833   0.667  0.667        3
    """
    digits = positive_int(digits, "digits", minimum=0)
    if digits > _MAX_DIGITS:
        raise ValueError(f"digits must be an integer in [0, {_MAX_DIGITS}], got {digits}")
    c = _per_class_counts(y_true, y_pred, None, 1, labels)
    rows = [f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    scores = [
        precision(y_true, y_pred, None, labels=c.classes),
        recall(y_true, y_pred, None, labels=c.classes),
        f1_score(y_true, y_pred, None, labels=c.classes),
    ]
    for k, name in enumerate(c.classes.tolist()):
        p, r, f = (s[k] for s in scores)
        rows.append(f"{str(name):<10} {p:>9.{digits}f} {r:>7.{digits}f} {f:>6.{digits}f} "
                    f"{c.support[k]:>8d}")
    total = int(c.support.sum())
    for average in ("macro", "micro", "weighted"):
        p, r, f = (metric(y_true, y_pred, average, labels=c.classes)
                   for metric in (precision, recall, f1_score))
        rows.append(f"{average:<10} {p:>9.{digits}f} {r:>7.{digits}f} {f:>6.{digits}f} "
                    f"{total:>8d}")
    return "\n".join(rows)


# --- scores and thresholds ------------------------------------------------------------------------


def _binary_scores(y_true, scores, pos_label):
    y_true, kind = _as_labels(y_true, "y_true")
    _check_pos_label(pos_label, kind)
    scores = as_float_array(scores, "scores", ndim=1)
    if len(scores) != len(y_true):
        raise ValueError(
            f"y_true and scores must have the same length, got {len(y_true)} and {len(scores)}"
        )
    positive = y_true == pos_label
    if not positive.any():
        raise ValueError(f"pos_label={pos_label!r} never occurs in y_true: no curve to draw")
    if positive.all():
        raise ValueError("y_true holds only the positive class: the curve needs negatives too")
    return positive, scores


def threshold_counts(y_true, scores, pos_label=1):
    """TP and FP for every distinct threshold, predicting positive when ``score >= threshold``.

    Parameters
    ----------
    y_true : array_like, shape (N,)
        True labels; ``pos_label`` is positive, everything else negative.
    scores : array_like of float, shape (N,)
        Higher means "more likely positive" (a probability or a logit).
    pos_label : int, bool or str, default 1

    Returns
    -------
    thresholds : ndarray, shape (T,)
        The distinct scores, decreasing.
    tp, fp : ndarray of int64, shape (T,)
        Counts at each threshold (increasing).
    n_pos, n_neg : int
        Number of true positives and negatives (``tp[-1]``, ``fp[-1]``).

    Raises
    ------
    TypeError
        If ``y_true`` does not hold labels, ``scores`` is not numeric, or ``pos_label``
        is not a label of ``y_true``'s kind.
    ValueError
        If the arrays are not 1-D of one length, are empty, ragged or not finite, or
        ``y_true`` holds no positive or only positives.

    Examples
    --------
    >>> t, tp, fp, P, N = threshold_counts([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1])
    >>> t.tolist(), tp.tolist(), fp.tolist(), P, N
    ([0.9, 0.8, 0.4, 0.1], [1, 1, 2, 2], [0, 1, 1, 2], 2, 2)
    """
    positive, scores = _binary_scores(y_true, scores, pos_label)
    order = np.argsort(-scores, kind="stable")
    sorted_scores, hits = scores[order], positive[order]
    # A threshold between two equal scores is meaningless: keep the last index of each run.
    last_of_run = np.r_[np.diff(sorted_scores) != 0, True]
    tp = np.cumsum(hits)[last_of_run].astype(np.int64)
    fp = np.cumsum(~hits)[last_of_run].astype(np.int64)
    return sorted_scores[last_of_run], tp, fp, int(tp[-1]), int(fp[-1])


def precision_recall_curve(y_true, scores, pos_label=1):
    """Precision and recall at every distinct threshold of ``scores``.

    Parameters
    ----------
    y_true : array_like, shape (N,)
    scores : array_like of float, shape (N,)
    pos_label : int, bool or str, default 1

    Returns
    -------
    precision, recall : ndarray, shape (T,)
        Recall increases along the arrays, as the threshold decreases.
    thresholds : ndarray, shape (T,)
        The distinct scores, decreasing; ``score >= threshold`` is predicted positive.

    Raises
    ------
    TypeError, ValueError
        As :func:`threshold_counts`.

    Examples
    --------
    >>> p, r, t = precision_recall_curve([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1])
    >>> p.tolist(), r.tolist()
    ([1.0, 0.5, 0.6666666666666666, 0.5], [0.5, 0.5, 1.0, 1.0])
    """
    thresholds, tp, fp, n_pos, _ = threshold_counts(y_true, scores, pos_label)
    return _ratio(tp, tp + fp), tp / n_pos, thresholds


def roc_curve(y_true, scores, pos_label=1):
    """False-positive rate and true-positive rate (recall) at every threshold, from (0, 0).

    Parameters
    ----------
    y_true : array_like, shape (N,)
    scores : array_like of float, shape (N,)
    pos_label : int, bool or str, default 1

    Returns
    -------
    fpr, tpr : ndarray, shape (T + 1,)
        ``fpr = FP / (FP + TN)``, ``tpr = TP / (TP + FN)``; the first point (0, 0) belongs
        to a threshold above every score (nothing predicted positive).
    thresholds : ndarray, shape (T + 1,)
        ``inf`` then the distinct scores, decreasing.

    Raises
    ------
    TypeError, ValueError
        As :func:`threshold_counts`.

    Examples
    --------
    >>> fpr, tpr, t = roc_curve([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    thresholds, tp, fp, n_pos, n_neg = threshold_counts(y_true, scores, pos_label)
    return np.r_[0.0, fp / n_neg], np.r_[0.0, tp / n_pos], np.r_[np.inf, thresholds]


def roc_auc(y_true, scores, pos_label=1) -> float:
    """Area under the ROC curve (trapezoids): the chance that a random positive scores
    above a random negative (ties count one half).

    Parameters
    ----------
    y_true : array_like, shape (N,)
    scores : array_like of float, shape (N,)
    pos_label : int, bool or str, default 1

    Returns
    -------
    auc : float
        1.0 for a perfect ranking, 0.5 for a random one.

    Raises
    ------
    TypeError, ValueError
        As :func:`threshold_counts`.

    Examples
    --------
    >>> roc_auc([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1])
    0.75
    """
    fpr, tpr, _ = roc_curve(y_true, scores, pos_label)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def average_precision(y_true, scores, pos_label=1) -> float:
    """Area under the precision-recall curve as a step sum: Σ (R_t − R_{t−1}) · P_t.

    Parameters
    ----------
    y_true : array_like, shape (N,)
    scores : array_like of float, shape (N,)
    pos_label : int, bool or str, default 1

    Returns
    -------
    ap : float
        1.0 for a perfect ranking; about the positive fraction for a random one.

    Raises
    ------
    TypeError, ValueError
        As :func:`threshold_counts`.

    Examples
    --------
    >>> round(average_precision([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1]), 4)
    0.8333
    """
    p, r, _ = precision_recall_curve(y_true, scores, pos_label)
    return float(np.sum(np.diff(np.r_[0.0, r]) * p))


def metrics_at_prevalence(tpr, fpr, prevalence):
    """Expected accuracy, precision, recall and F1 of a fixed classifier at another class balance.

    A classifier that finds a fraction ``tpr`` of the positives and wrongly flags a fraction
    ``fpr`` of the negatives keeps those two rates when positives become rarer or commoner;
    the metrics that mix the two rows of the confusion matrix do not. Per sample, with
    prevalence π: TP = π·tpr, FN = π·(1 − tpr), FP = (1 − π)·fpr, TN = (1 − π)·(1 − fpr).

    Parameters
    ----------
    tpr, fpr : float
        True-positive rate (recall) and false-positive rate, in [0, 1].
    prevalence : float or array_like
        Fraction π of positives, in [0, 1].

    Returns
    -------
    metrics : dict of str to float or ndarray
        ``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"``, each with the shape of
        ``prevalence``; and ``"counts"``: the expected (TP, FN, FP, TN) fractions.

    Raises
    ------
    TypeError
        If ``tpr`` or ``fpr`` is not a real number, or ``prevalence`` is not numeric.
    ValueError
        If one of them is NaN, infinite or outside [0, 1], or ``prevalence`` is empty.

    Examples
    --------
    >>> m = metrics_at_prevalence(tpr=0.9, fpr=0.05, prevalence=0.02)
    >>> round(m["accuracy"], 4), round(m["precision"], 4), round(m["f1"], 4)
    (0.949, 0.2687, 0.4138)
    """
    tpr = real_number(tpr, "tpr", minimum=0, maximum=1)
    fpr = real_number(fpr, "fpr", minimum=0, maximum=1)
    pi = as_float_array(prevalence, "prevalence")
    if np.any((pi < 0) | (pi > 1)):
        raise ValueError("prevalence must be a fraction in [0, 1]")
    tp, fn = pi * tpr, pi * (1 - tpr)
    fp, tn = (1 - pi) * fpr, (1 - pi) * (1 - fpr)
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)

    def shaped(x):
        return float(x) if np.ndim(prevalence) == 0 else x

    return {
        "accuracy": shaped(tp + tn),
        "precision": shaped(p),
        "recall": shaped(r),
        "f1": shaped(_ratio(2 * tp, 2 * tp + fp + fn)),
        "counts": (shaped(tp), shaped(fn), shaped(fp), shaped(tn)),
    }
