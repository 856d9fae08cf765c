"""Binary classification metrics: the numbers we report, as opposed to the loss we train.

All functions take binary labels ``y_true`` in {0, 1} and validate their input with errors
that name the argument. What they compare the labels with:

- hard 0/1 decisions ``y_pred``: :func:`confusion_matrix`, :func:`accuracy`,
  :func:`precision`, :func:`recall`, :func:`f1`;
- real-valued scores (only their order matters): :func:`roc_auc`,
  :func:`average_precision`;
- predicted probabilities ``p`` of the positive class, in [0, 1]: the proper scoring rules
  :func:`brier_score` and :func:`log_loss`, the reliability diagram
  :func:`calibration_curve` and :func:`expected_calibration_error`, and the
  cost-sensitive decision :func:`expected_cost` with its optimum :func:`bayes_threshold`.

Zero division: when a ratio is 0/0 — precision with no predicted positives, recall with
no actual positives, F1 with neither true positives, false positives nor false
negatives — the result is ``0.0``. This is what scikit-learn returns with its default
``zero_division="warn"`` (we return the same value without the warning).

>>> precision([1, 0, 1, 1], [1, 1, 0, 1])
0.6666666666666666
>>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
0.75
>>> bayes_threshold(cost_fn=10.0, cost_fp=1.0)   # a missed case costs 10 false alarms
0.09090909090909091
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import xlogy
from scipy.stats import rankdata

from .losses._core import (
    FloatArray,
    as_float_array,
    check_binary_labels,
    check_in_interval,
    check_probabilities,
    check_same_shape,
)

__all__ = [
    "CalibrationCurve",
    "accuracy",
    "average_precision",
    "bayes_threshold",
    "brier_score",
    "calibration_curve",
    "confusion_matrix",
    "expected_calibration_error",
    "expected_cost",
    "f1",
    "log_loss",
    "precision",
    "recall",
    "roc_auc",
]


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


def _scores(y_true: ArrayLike, scores: ArrayLike, name: str) -> tuple[FloatArray, FloatArray]:
    """Binary labels and one real score per label, both flattened."""
    yt = as_float_array(y_true, "y_true")
    s = as_float_array(scores, name)
    check_same_shape(yt, s, ("y_true", name))
    check_binary_labels(yt, "y_true")
    return yt.ravel(), s.ravel()


def _probabilities(y_true: ArrayLike, p: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Binary labels and the predicted probability of class 1 for each, both flattened."""
    yt, pr = _scores(y_true, p, "p")
    check_probabilities(pr, "p")
    return yt, pr


def average_precision(y_true: ArrayLike, scores: ArrayLike) -> float:
    r"""Area under the precision-recall curve, as a step sum: :math:`\sum_k (R_k - R_{k-1}) P_k`.

    The thresholds are the distinct scores from the highest down; :math:`P_k` and
    :math:`R_k` are precision and recall when every example scoring at least the k-th
    threshold is called positive (tied scores enter together), and :math:`R_0 = 0`. No
    interpolation between points. Unlike ROC AUC it depends on the class balance: a
    random ranking scores about the fraction of positives, not 0.5, which makes it the more
    telling number for a rare positive class. Needs at least one positive in ``y_true``
    (scikit-learn warns and returns 0.0 otherwise; this raises).

    Agrees with ``sklearn.metrics.average_precision_score(y_true, scores)``.

    >>> average_precision([0, 1, 0, 1], [0.1, 0.9, 0.8, 0.3])   # (1/2)(1/1) + (1/2)(2/3)
    0.8333333333333333
    """
    yt, s = _scores(y_true, scores, "scores")
    n_pos = int(yt.sum())
    if n_pos == 0:
        raise ValueError(
            "y_true must contain at least one positive for average_precision (recall is "
            f"undefined otherwise); got {yt.size} negative(s) and no positive."
        )
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], yt[order]
    # the last position of each group of tied scores: one point of the curve per threshold
    ends = np.r_[np.flatnonzero(np.diff(s_sorted)), s.size - 1]
    tp = np.cumsum(y_sorted)[ends]
    precision_k = tp / (ends + 1.0)
    recall_k = tp / n_pos
    return float(np.sum(np.diff(recall_k, prepend=0.0) * precision_k))


def brier_score(y_true: ArrayLike, p: ArrayLike) -> float:
    r"""Mean squared error of the predicted probability, :math:`\frac1n \sum_i (p_i - y_i)^2`.

    A strictly proper scoring rule (Brier 1950): its expected value
    :math:`\mathbb E_{y \sim \mathrm{Bernoulli}(q)}[(p - y)^2] = (p - q)^2 + q(1 - q)`
    is smallest exactly at the true probability :math:`p = q`. It lies in [0, 1]; always
    answering 0.5 scores 0.25. Unlike :func:`log_loss` it stays bounded for a sure, wrong
    prediction (1.0 rather than infinity).

    Agrees with ``sklearn.metrics.brier_score_loss(y_true, p)``.

    >>> brier_score([1, 0], [0.8, 0.4])    # (0.04 + 0.16) / 2
    0.1
    """
    yt, pr = _probabilities(y_true, p)
    return float(np.mean((pr - yt) ** 2))


def log_loss(y_true: ArrayLike, p: ArrayLike) -> float:
    r"""Mean negative log-likelihood of the labels under probabilities ``p`` (natural log).

    .. math::
        L = -\frac1n \sum_i \bigl[y_i \log p_i + (1 - y_i) \log(1 - p_i)\bigr]

    The strictly proper scoring rule behind cross-entropy training. Computed with
    ``scipy.special.xlogy``, so ``0 * log 0 = 0``: probabilities of exactly 0 and 1 are
    accepted, a sure, right prediction costs 0 and a sure, wrong one costs ``inf`` (the true
    value). scikit-learn's ``log_loss`` instead clips ``p`` to ``[eps, 1 - eps]`` and
    reports at most 36.04 per example; away from 0 and 1 the two agree. To score a model's
    *logits*, use :func:`lossviz.losses.bce_with_logits`, which stays exact where
    :math:`\sigma(f)` rounds to 0 or 1.

    >>> round(log_loss([1, 0], [0.8, 0.4]), 6)   # -(log 0.8 + log 0.6) / 2
    0.366985
    >>> log_loss([1, 0], [1.0, 0.0]), log_loss([1], [0.0])
    (0.0, inf)
    """
    yt, pr = _probabilities(y_true, p)
    with np.errstate(divide="ignore"):  # log(0) = -inf only where the label makes it count
        values = -(xlogy(yt, pr) + xlogy(1.0 - yt, 1.0 - pr))
    return float(np.mean(values))


class CalibrationCurve(NamedTuple):
    """The points of a reliability diagram, one per non-empty bin (lowest bin first).

    ``prob_true`` is the fraction of positives among the bin's examples (the y-axis),
    ``prob_pred`` the mean predicted probability in the bin (the x-axis) and ``counts`` the
    number of examples in the bin (a histogram under the diagram; the counts sum to n).
    """

    prob_true: FloatArray
    prob_pred: FloatArray
    counts: np.ndarray


def _check_n_bins(n_bins: int) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1; got {n_bins!r}.")
    return int(n_bins)


def _uniform_bins(p: FloatArray, n_bins: int) -> np.ndarray:
    # scikit-learn's edges and rule, to agree exactly on values that fall on an edge
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return np.searchsorted(edges[1:-1], p)


def calibration_curve(y_true: ArrayLike, p: ArrayLike, n_bins: int = 10) -> CalibrationCurve:
    """Reliability diagram: observed frequency of class 1 against predicted probability.

    The interval [0, 1] is cut into ``n_bins`` bins of equal width, closed on the right:
    [0, 1/B], (1/B, 2/B], ..., ((B-1)/B, 1]. For every bin that holds at least one example
    it returns the fraction of positives (``prob_true``), the mean prediction
    (``prob_pred``) and the number of examples (``counts``). A calibrated model has
    ``prob_true`` close to ``prob_pred``, with a sampling error of about
    ``sqrt(q (1 - q) / count)`` per bin, so read sparse bins with care.

    Returns a :class:`CalibrationCurve` ``(prob_true, prob_pred, counts)``; empty bins are
    left out. ``prob_true`` and ``prob_pred`` equal
    ``sklearn.calibration.calibration_curve(y_true, p, n_bins=n_bins, strategy="uniform")``.

    >>> curve = calibration_curve([0, 0, 1, 1, 1], [0.1, 0.2, 0.6, 0.7, 0.9], n_bins=2)
    >>> curve.prob_true.tolist(), curve.prob_pred.round(4).tolist(), curve.counts.tolist()
    ([0.0, 1.0], [0.15, 0.7333], [2, 3])
    """
    yt, pr = _probabilities(y_true, p)
    n_bins = _check_n_bins(n_bins)
    bins = _uniform_bins(pr, n_bins)
    counts = np.bincount(bins, minlength=n_bins)
    sum_p = np.bincount(bins, weights=pr, minlength=n_bins)
    sum_y = np.bincount(bins, weights=yt, minlength=n_bins)
    full = counts > 0
    return CalibrationCurve(sum_y[full] / counts[full], sum_p[full] / counts[full],
                            counts[full].astype(np.int64))


def expected_calibration_error(y_true: ArrayLike, p: ArrayLike, n_bins: int = 10) -> float:
    r"""Weighted mean gap of the reliability diagram, :math:`\sum_b \frac{n_b}{n}\,
    |\bar y_b - \bar p_b|`.

    Uses the bins of :func:`calibration_curve` (equal width, ``n_bins`` of them), with
    :math:`\bar y_b` the fraction of positives, :math:`\bar p_b` the mean predicted
    probability of class 1 and :math:`n_b` the number of examples in bin :math:`b`. This is
    the binary, positive-class ECE; the multiclass "top-label" ECE of Guo et al. (2017)
    bins the confidence :math:`\max(p, 1 - p)` against accuracy and gives a different
    number. ECE depends on ``n_bins`` and is biased upwards on small samples (an exactly
    calibrated model scores above 0); compare models with the same bins and data.

    >>> y, p = [0, 0, 1, 1, 1], [0.1, 0.2, 0.6, 0.7, 0.9]
    >>> round(expected_calibration_error(y, p, n_bins=2), 12)   # 2/5 * 0.15 + 3/5 * 0.2667
    0.22
    """
    curve = calibration_curve(y_true, p, n_bins)
    weights = curve.counts / curve.counts.sum()
    return float(np.sum(weights * np.abs(curve.prob_true - curve.prob_pred)))


def _check_costs(cost_fn: float, cost_fp: float) -> tuple[float, float]:
    cost_fn = check_in_interval(cost_fn, "cost_fn", 0.0, np.inf, closed="left")
    cost_fp = check_in_interval(cost_fp, "cost_fp", 0.0, np.inf, closed="left")
    return cost_fn, cost_fp


def expected_cost(
    y_true: ArrayLike, p: ArrayLike, threshold: float, cost_fn: float, cost_fp: float
) -> float:
    r"""Mean cost per example of deciding "positive" when :math:`p \ge` ``threshold``.

    .. math::
        \text{cost} = \frac{c_\text{FN}\cdot \mathrm{FN} + c_\text{FP}\cdot \mathrm{FP}}{n}

    Correct decisions cost 0. A threshold of 0 calls every example positive; a threshold
    above 1 calls none. With ``cost_fn = cost_fp = 1`` this is the error rate, 1 −
    accuracy, at that threshold.

    Args:
        y_true: binary labels 0 or 1.
        p: predicted probabilities of class 1, in [0, 1] (any score works, as long as the
            threshold is on the same scale).
        threshold: examples with ``p >= threshold`` are called positive; ``np.inf`` (or
            anything above 1) calls none positive, ``-np.inf`` (or 0) calls all.
        cost_fn: cost of a false negative (a missed positive), >= 0.
        cost_fp: cost of a false positive (a false alarm), >= 0.

    >>> expected_cost([1, 1, 0, 0], [0.9, 0.2, 0.3, 0.1], 0.25, cost_fn=10, cost_fp=1)  # FN, FP
    2.75
    >>> expected_cost([1, 1, 0, 0], [0.9, 0.2, 0.3, 0.1], 0.15, cost_fn=10, cost_fp=1)  # 1 FP
    0.25
    """
    yt, pr = _probabilities(y_true, p)
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or np.isnan(
            threshold):
        raise TypeError(f"threshold must be a real number (np.inf calls nothing positive); "
                        f"got {threshold!r}.")
    threshold = float(threshold)
    cost_fn, cost_fp = _check_costs(cost_fn, cost_fp)
    positive = pr >= threshold
    fn = np.sum((yt == 1) & ~positive)
    fp = np.sum((yt == 0) & positive)
    return float((cost_fn * fn + cost_fp * fp) / yt.size)


def bayes_threshold(cost_fn: float, cost_fp: float) -> float:
    r"""The threshold on a *calibrated* probability that minimises the expected cost.

    Derivation: for an example whose true probability of being positive is :math:`p`,
    calling it positive risks a false alarm, with expected cost :math:`(1 - p)\,
    c_\text{FP}`; calling it negative risks a miss, :math:`p\, c_\text{FN}`. Calling it
    positive is cheaper exactly when :math:`(1 - p)\, c_\text{FP} < p\, c_\text{FN}`, that
    is when

    .. math::
        p > t^* = \frac{c_\text{FP}}{c_\text{FP} + c_\text{FN}}.

    Equal costs give :math:`t^* = 1/2`, the usual rule; a miss that costs 10 false alarms
    gives :math:`t^* = 1/11 \approx 0.091`. (With costs for correct decisions too, replace
    each cost by its excess over the correct decision's cost: Elkan 2001.) The rule is only
    as good as the probabilities: for a miscalibrated model, the threshold that minimises
    :func:`expected_cost` on validation data can lie far from :math:`t^*`.

    Args:
        cost_fn: cost of a false negative, >= 0.
        cost_fp: cost of a false positive, >= 0; not both 0.

    >>> bayes_threshold(cost_fn=1.0, cost_fp=1.0)
    0.5
    """
    cost_fn, cost_fp = _check_costs(cost_fn, cost_fp)
    if cost_fn + cost_fp == 0:
        raise ValueError("cost_fn and cost_fp must not both be 0 (every decision is free).")
    return cost_fp / (cost_fp + cost_fn)
