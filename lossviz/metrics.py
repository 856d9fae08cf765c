"""Binary classification metrics: the numbers we report, as opposed to the loss we train.

All functions take binary labels in {0, 1} (``y_pred`` are hard 0/1 decisions, except
for :func:`roc_auc`, which takes real-valued scores) and validate their input with errors
that name the argument.

Zero division: when a ratio is 0/0 — precision with no predicted positives, recall with
no actual positives, F1 with neither true positives, false positives nor false
negatives — the result is ``0.0``. This is what scikit-learn returns with its default
``zero_division="warn"`` (we return the same value without the warning).

>>> precision([1, 0, 1, 1], [1, 1, 0, 1])
0.6666666666666666
>>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from .losses._core import FloatArray, as_float_array, check_binary_labels, check_same_shape

__all__ = ["accuracy", "confusion_matrix", "f1", "precision", "recall", "roc_auc"]


def _labels(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    yt = as_float_array(y_true, "y_true")
    yp = as_float_array(y_pred, "y_pred")
    check_same_shape(yt, yp)
    check_binary_labels(yt, "y_true")
    check_binary_labels(yp, "y_pred")
    return yt.ravel(), yp.ravel()


def _ratio(num: int, den: int) -> float:
    return float(num / den) if den > 0 else 0.0  # zero_division convention: 0.0


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike) -> np.ndarray:
    """``[[TN, FP], [FN, TP]]`` as integers: rows are the true class, columns the prediction.

    The same layout as ``sklearn.metrics.confusion_matrix(y_true, y_pred, labels=[0, 1])``.
    """
    yt, yp = _labels(y_true, y_pred)
    tp = int(np.sum((yt == 1) & (yp == 1)))
    tn = int(np.sum((yt == 0) & (yp == 0)))
    fp = int(np.sum((yt == 0) & (yp == 1)))
    fn = int(np.sum((yt == 1) & (yp == 0)))
    return np.array([[tn, fp], [fn, tp]], dtype=np.int64)


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Fraction of correct decisions, (TP + TN) / n."""
    yt, yp = _labels(y_true, y_pred)
    return float(np.mean(yt == yp))


def precision(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """TP / (TP + FP): of the predicted positives, the fraction that are positive (0.0 if none)."""
    (_, fp), (_, tp) = confusion_matrix(y_true, y_pred)
    return _ratio(tp, tp + fp)


def recall(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """TP / (TP + FN): of the actual positives, the fraction found (0.0 if there are none)."""
    _, (fn, tp) = confusion_matrix(y_true, y_pred)
    return _ratio(tp, tp + fn)


def f1(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """The harmonic mean of precision and recall, 2 TP / (2 TP + FP + FN) (0.0 if 0/0)."""
    (_, fp), (fn, tp) = confusion_matrix(y_true, y_pred)
    # 2TP / (2TP + FP + FN) equals 2PR / (P + R) and has no 0/0 when only P or R is undefined
    return _ratio(2 * tp, 2 * tp + fp + fn)


def roc_auc(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve: P(score of a random positive > score of a random negative).

    Computed from ranks (Mann–Whitney U); tied scores get their average rank, so a tie
    between a positive and a negative counts one half. Needs both classes in ``y_true``.
    Agrees with ``sklearn.metrics.roc_auc_score``.
    """
    yt = as_float_array(y_true, "y_true")
    s = as_float_array(scores, "scores")
    check_same_shape(yt, s, ("y_true", "scores"))
    check_binary_labels(yt, "y_true")
    yt, s = yt.ravel(), s.ravel()
    n_pos = int(yt.sum())
    n_neg = yt.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError(
            "y_true must contain both classes for roc_auc (it is undefined otherwise); "
            f"got {n_pos} positive(s) and {n_neg} negative(s)."
        )
    ranks = rankdata(s)  # average ranks for ties
    u = ranks[yt == 1].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))
