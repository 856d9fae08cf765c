r"""Fairness in the loss: group metrics, fairness penalties, reweighting, group thresholds.

The numerical core of chapter 07. A binary classifier makes decisions ŷ ∈ {0, 1} (1 = the
favourable outcome, a loan approved) for people who belong to groups A = a (the sensitive
attribute, here 0 or 1). Three families of group metrics compare the groups:

- **demographic parity** (statistical parity): equal selection rates P(ŷ = 1 | A = a);
  :func:`demographic_parity_difference` is the largest minus the smallest;
- **equalized odds** (Hardt et al. 2016, hardt2016equality): equal true-positive rates
  P(ŷ = 1 | A = a, y = 1) *and* equal false-positive rates P(ŷ = 1 | A = a, y = 0);
  :func:`equalized_odds_difference` is the larger of the two differences;
- **equal opportunity**: equal true-positive rates only
  (:func:`equal_opportunity_difference`).

All three follow fairlearn's definitions (``method="between_groups"``, the worst case over
the two rates for equalized odds); ``tests/test_fairness.py`` asserts agreement with
``fairlearn.metrics`` to 1e-15. Unlike fairlearn, :func:`demographic_parity_difference`
takes no ``y_true`` (selection rates do not use it).

Fairness in the loss. A logistic model with logits f = Xw + b trained on

.. math::
    J(\theta) = \underbrace{\frac{\sum_i s_i\,\ell(y_i, f_i)}{\sum_i s_i}}_{\text{cross-entropy}}
        + \frac{\lambda}{2}\lVert w\rVert^2 + \mu\, P(\theta),

with :math:`\theta = (w, b)`, sample weights :math:`s_i` (all 1 unless reweighting) and one of
two penalties :math:`P`, both squared so that they are smooth and zero when the groups agree:

- ``"parity"``: the soft demographic-parity gap, :math:`P = g^2` with
  :math:`g = \frac{1}{n_1}\sum_{a_i = 1}\sigma(f_i) - \frac{1}{n_0}\sum_{a_i = 0}\sigma(f_i)`,
  the difference of the groups' mean predicted probabilities: a differentiable stand-in for
  the difference of selection rates (our construction);
- ``"covariance"``: the decision-boundary covariance of Zafar et al. (2017,
  zafar2017fairness), :math:`P = c^2` with :math:`c = \frac1n\sum_i (a_i - \bar a) f_i`.
  Zafar et al. impose :math:`|c| \le` a budget as a *constraint*; we add :math:`\mu c^2` as
  a *penalty* instead, so that both penalties share one trainer and one μ slider (a larger
  μ plays the role of a smaller budget). :math:`c` is linear in θ, so this penalty keeps
  the objective convex; the soft parity gap does not.

:func:`fit_fair_logistic` minimises J exactly (L-BFGS with the analytic gradient of
:func:`fair_objective`; with μ = 0 it is scikit-learn's ``LogisticRegression(C=1/(nλ))``),
:func:`mu_sweep` traces the accuracy–fairness trade-off over μ with warm starts, and
:func:`pareto_front` keeps its non-dominated points.

Around them: pre-processing by reweighting (:func:`reweighing_weights`, Kamiran & Calders
2012), post-processing by per-group thresholds (:func:`parity_thresholds`,
:func:`equalized_odds_thresholds`, :func:`threshold_table`), fairlearn's reductions
(:func:`fairlearn_exponentiated_gradient`, Agarwal et al. 2018, agarwal2018reductions) and
post-processing (:func:`fairlearn_threshold_optimizer`), which import fairlearn only when
called, and the limits: :func:`calibration_vs_equalized_odds` shows numerically that with
different base rates a score calibrated within groups cannot also equalise the error rates
(Chouldechova 2017, chouldechova2017fair; Kleinberg et al. 2017).

>>> import numpy as np
>>> y_true = np.array([1, 0, 1, 0, 1, 0]); group = np.array([0, 0, 0, 1, 1, 1])
>>> y_pred = np.array([1, 1, 1, 0, 1, 0])
>>> selection_rates(y_pred, group).tolist()          # group 0 selects 3/3, group 1 1/3
[1.0, 0.3333333333333333]
>>> round(demographic_parity_difference(y_pred, group), 4)
0.6667
>>> equalized_odds_difference(y_true, y_pred, group)  # TPRs 1 and 1; FPRs 1 and 0
1.0

Bad input (shapes that differ, labels other than 0/1, a group with no positives where a
true-positive rate is needed, a negative μ or λ, an unknown penalty) raises ``ValueError``
or ``TypeError`` naming the argument.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import expit
from threadpoolctl import threadpool_limits

from .data import LoanData, loan_approval
from .losses._core import FloatArray, as_float_array, check_binary_labels, check_real
from .metrics import expected_calibration_error

__all__ = [
    "DEFAULT_MUS",
    "PENALTIES",
    "FairLogistic",
    "GroupReport",
    "Impossibility",
    "MuSweep",
    "OperatingPoint",
    "ThresholdRule",
    "ThresholdTable",
    "calibration_vs_equalized_odds",
    "compare_with_fairlearn",
    "covariance_proxy",
    "covariance_proxy_grad",
    "demographic_parity_difference",
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "equalized_odds_thresholds",
    "fair_objective",
    "fairlearn_exponentiated_gradient",
    "fairlearn_threshold_optimizer",
    "fairness_penalty",
    "false_positive_rates",
    "fit_fair_logistic",
    "group_report",
    "loan_split",
    "mu_sweep",
    "operating_point",
    "pareto_front",
    "parity_thresholds",
    "reweighing_weights",
    "selection_rates",
    "soft_parity_gap",
    "soft_parity_gap_grad",
    "threshold_table",
    "true_positive_rates",
]

#: The penalties of :func:`fair_objective`: the soft parity gap² and Zafar's covariance².
PENALTIES = ("parity", "covariance")

#: The μ grid of the chapter's sweep: 0, then 10^−2, 10^−1.8, ..., 10^3 (27 values).
DEFAULT_MUS: FloatArray = np.r_[0.0, 10.0 ** (np.arange(-10, 16) / 5)]
DEFAULT_MUS.flags.writeable = False


# --------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------


def _one_blas_thread() -> threadpool_limits:
    """Run the small matrix-vector products of the trainers on one BLAS thread.

    For a (2000, 4) design, OpenBLAS's threads cost more than they save, and on a busy
    2-core machine they spin against each other: a μ sweep took 3-6 s with the default
    threads and 0.15-0.3 s with one.
    """
    return threadpool_limits(limits=1, user_api="blas")


def _vector(x: ArrayLike, name: str, n: int | None = None) -> FloatArray:
    arr = as_float_array(x, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one entry per example); got shape {arr.shape}.")
    if n is not None and arr.size != n:
        raise ValueError(f"{name} must have {n} entries, one per example; got {arr.size}.")
    return arr


def _labels(y: ArrayLike, name: str, n: int | None = None) -> FloatArray:
    arr = _vector(y, name, n)
    check_binary_labels(arr, name)
    return arr


def _groups(group: ArrayLike, n: int) -> tuple[FloatArray, FloatArray]:
    """The group array and its distinct values (sorted)."""
    g = _vector(group, "group", n)
    return g, np.unique(g)


def _binary_group(group: ArrayLike, n: int) -> FloatArray:
    """A group array of 0s and 1s with both groups present (for the penalties)."""
    g = _vector(group, "group", n)
    check_binary_labels(g, "group")
    n1 = int(g.sum())
    if n1 == 0 or n1 == n:
        raise ValueError(
            f"group must contain both groups 0 and 1; got {n - n1} example(s) in group 0 "
            f"and {n1} in group 1."
        )
    return g


def _sample_weight(sample_weight: ArrayLike | None, n: int) -> FloatArray | None:
    if sample_weight is None:
        return None
    w = _vector(sample_weight, "sample_weight", n)
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("sample_weight must be non-negative with a positive sum; got "
                         f"min {w.min():.4g} and sum {w.sum():.4g}.")
    return w


def _design(X: ArrayLike) -> FloatArray:
    X = as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_features); got shape {X.shape}.")
    return X


def _theta(theta: ArrayLike, d: int) -> FloatArray:
    theta = _vector(theta, "theta")
    if theta.size != d + 1:
        raise ValueError(f"theta must hold the {d} weights then the intercept, {d + 1} "
                         f"entries; got {theta.size}.")
    return theta


def _nonnegative(value: Any, name: str) -> float:
    value = check_real(value, name)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}.")
    return value


def _penalty_name(penalty: Any) -> str:
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {list(PENALTIES)}; got {penalty!r}.")
    return str(penalty)


# --------------------------------------------------------------------------------------
# Group metrics
# --------------------------------------------------------------------------------------


def _rate(decision: FloatArray, mask: np.ndarray, weight: FloatArray | None) -> float:
    """The (weighted) mean of ``decision`` over ``mask``; the caller guarantees mass > 0."""
    if weight is None:
        return float(np.mean(decision[mask]))
    return float(np.dot(decision[mask], weight[mask]) / weight[mask].sum())


def _conditional_rates(y_true: FloatArray, decision: FloatArray, g: FloatArray,
                       values: FloatArray, label: float, weight: FloatArray | None,
                       what: str) -> FloatArray:
    rates = []
    for v in values:
        mask = (g == v) & (y_true == label)
        mass = mask.sum() if weight is None else weight[mask].sum()
        if mass == 0:
            raise ValueError(
                f"group {v:g} has no examples with y_true = {label:g} (of positive weight): "
                f"its {what} is undefined."
            )
        rates.append(_rate(decision, mask, weight))
    return np.array(rates)


def selection_rates(
    y_pred: ArrayLike, group: ArrayLike, *, sample_weight: ArrayLike | None = None
) -> FloatArray:
    """P(ŷ = 1 | A = a) for every group a, in the order of ``np.unique(group)``.

    Args:
        y_pred: decisions 0 or 1, shape (n,).
        group: the group of each example, shape (n,) (any numbers; 0/1 in the chapter).
        sample_weight: optional non-negative weights, shape (n,).

    Returns:
        One selection rate per group, shape (n_groups,). For A ∈ {0, 1}, entry a is group a.
    """
    yp = _labels(y_pred, "y_pred")
    g, values = _groups(group, yp.size)
    w = _sample_weight(sample_weight, yp.size)
    return np.array([_rate(yp, g == v, w) for v in values])


def true_positive_rates(
    y_true: ArrayLike, y_pred: ArrayLike, group: ArrayLike, *,
    sample_weight: ArrayLike | None = None,
) -> FloatArray:
    """P(ŷ = 1 | A = a, y = 1) for every group a (recall within the group).

    Raises ``ValueError`` if a group has no positive example. Same arguments and order as
    :func:`selection_rates`.
    """
    yt = _labels(y_true, "y_true")
    yp = _labels(y_pred, "y_pred", yt.size)
    g, values = _groups(group, yt.size)
    w = _sample_weight(sample_weight, yt.size)
    return _conditional_rates(yt, yp, g, values, 1.0, w, "true-positive rate")


def false_positive_rates(
    y_true: ArrayLike, y_pred: ArrayLike, group: ArrayLike, *,
    sample_weight: ArrayLike | None = None,
) -> FloatArray:
    """P(ŷ = 1 | A = a, y = 0) for every group a (false alarms among the negatives).

    Raises ``ValueError`` if a group has no negative example. Same arguments and order as
    :func:`selection_rates`.
    """
    yt = _labels(y_true, "y_true")
    yp = _labels(y_pred, "y_pred", yt.size)
    g, values = _groups(group, yt.size)
    w = _sample_weight(sample_weight, yt.size)
    return _conditional_rates(yt, yp, g, values, 0.0, w, "false-positive rate")


def _spread(rates: FloatArray) -> float:
    return float(np.max(rates) - np.min(rates))


def demographic_parity_difference(
    y_pred: ArrayLike, group: ArrayLike, *, sample_weight: ArrayLike | None = None
) -> float:
    r"""The largest minus the smallest selection rate, :math:`\max_a P(\hat y = 1 | A = a)
    - \min_a P(\hat y = 1 | A = a)`.

    0 means every group is selected at the same rate. Equals
    ``fairlearn.metrics.demographic_parity_difference(y_true, y_pred,
    sensitive_features=group)`` for any ``y_true`` (fairlearn requires the argument but does
    not use it).

    Args:
        y_pred: decisions 0 or 1, shape (n,).
        group: the group of each example, shape (n,).
        sample_weight: optional non-negative weights, shape (n,).
    """
    return _spread(selection_rates(y_pred, group, sample_weight=sample_weight))


def equal_opportunity_difference(
    y_true: ArrayLike, y_pred: ArrayLike, group: ArrayLike, *,
    sample_weight: ArrayLike | None = None,
) -> float:
    """The largest minus the smallest true-positive rate over the groups.

    0 means qualified people (y = 1) are selected at the same rate in every group
    (Hardt et al. 2016, hardt2016equality). Equals
    ``fairlearn.metrics.equal_opportunity_difference``.
    """
    return _spread(true_positive_rates(y_true, y_pred, group, sample_weight=sample_weight))


def equalized_odds_difference(
    y_true: ArrayLike, y_pred: ArrayLike, group: ArrayLike, *,
    sample_weight: ArrayLike | None = None,
) -> float:
    """The larger of the true-positive-rate difference and the false-positive-rate difference.

    0 means equal TPR *and* equal FPR in every group (Hardt et al. 2016,
    hardt2016equality). This is fairlearn's ``equalized_odds_difference`` with its defaults
    (``method="between_groups"``, ``agg="worst_case"``): the maximum of the two
    differences, not their mean.
    """
    tpr = true_positive_rates(y_true, y_pred, group, sample_weight=sample_weight)
    fpr = false_positive_rates(y_true, y_pred, group, sample_weight=sample_weight)
    return max(_spread(tpr), _spread(fpr))


@dataclass(frozen=True, eq=False)
class GroupReport:
    """Accuracy and the fairness metrics of one set of decisions, per group and overall.

    Arrays have one entry per group, in the order of ``groups`` (``np.unique(group)``).

    Attributes:
        groups: the distinct group values.
        counts: the number of examples in each group.
        accuracy: the overall fraction of correct decisions.
        group_accuracy: the accuracy within each group.
        selection_rate: P(ŷ = 1 | A = a).
        tpr: P(ŷ = 1 | A = a, y = 1).
        fpr: P(ŷ = 1 | A = a, y = 0).
        dp_difference: the demographic-parity difference.
        eo_difference: the equalized-odds difference (the larger of the TPR and FPR gaps).
        eopp_difference: the equal-opportunity difference (the TPR gap).
    """

    groups: FloatArray
    counts: np.ndarray
    accuracy: float
    group_accuracy: FloatArray
    selection_rate: FloatArray
    tpr: FloatArray
    fpr: FloatArray
    dp_difference: float
    eo_difference: float
    eopp_difference: float


def _report(yt: FloatArray, decision: FloatArray, g: FloatArray) -> GroupReport:
    """The report for decisions that may be probabilities of deciding 1 (randomised)."""
    values = np.unique(g)
    correct = decision * yt + (1.0 - decision) * (1.0 - yt)
    sel = np.array([np.mean(decision[g == v]) for v in values])
    tpr = _conditional_rates(yt, decision, g, values, 1.0, None, "true-positive rate")
    fpr = _conditional_rates(yt, decision, g, values, 0.0, None, "false-positive rate")
    return GroupReport(
        groups=values,
        counts=np.array([int(np.sum(g == v)) for v in values]),
        accuracy=float(np.mean(correct)),
        group_accuracy=np.array([np.mean(correct[g == v]) for v in values]),
        selection_rate=sel, tpr=tpr, fpr=fpr,
        dp_difference=_spread(sel),
        eo_difference=max(_spread(tpr), _spread(fpr)),
        eopp_difference=_spread(tpr),
    )


def group_report(y_true: ArrayLike, y_pred: ArrayLike, group: ArrayLike) -> GroupReport:
    """Every group metric of hard decisions ``y_pred`` at once (see :class:`GroupReport`).

    >>> r = group_report([1, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 1])
    >>> r.accuracy, r.tpr.tolist(), r.dp_difference
    (0.75, [1.0, 0.0], 0.5)
    """
    yt = _labels(y_true, "y_true")
    yp = _labels(y_pred, "y_pred", yt.size)
    g, _ = _groups(group, yt.size)
    return _report(yt, yp, g)


# --------------------------------------------------------------------------------------
# Fairness penalties and the penalised objective
# --------------------------------------------------------------------------------------


def soft_parity_gap(f: ArrayLike, group: ArrayLike) -> float:
    r"""The soft demographic-parity gap :math:`g = \overline{\sigma(f)}_{A=1} -
    \overline{\sigma(f)}_{A=0}`.

    The difference between the groups' mean predicted probabilities: where the selection
    rate counts σ(f) ≥ ½ (a step), this averages σ(f) itself, so it is differentiable in
    the logits. Signed (positive when group 1 gets the higher probabilities).

    Args:
        f: logits, shape (n,).
        group: 0 or 1 for each example, shape (n,), both groups present.
    """
    f = _vector(f, "f")
    g = _binary_group(group, f.size)
    p = expit(f)  # σ, stable for any logit
    return float(np.mean(p[g == 1]) - np.mean(p[g == 0]))


def soft_parity_gap_grad(f: ArrayLike, group: ArrayLike) -> FloatArray:
    r"""The gradient of :func:`soft_parity_gap` with respect to the logits.

    .. math::
        \frac{\partial g}{\partial f_i} = \sigma(f_i)\,(1 - \sigma(f_i)) \times
        \begin{cases} 1/n_1 & a_i = 1 \\ -1/n_0 & a_i = 0 \end{cases}

    Returns an array of shape (n,).
    """
    f = _vector(f, "f")
    g = _binary_group(group, f.size)
    p = expit(f)
    n1 = g.sum()
    return p * (1.0 - p) * np.where(g == 1, 1.0 / n1, -1.0 / (g.size - n1))


def covariance_proxy(f: ArrayLike, group: ArrayLike) -> float:
    r"""Zafar et al.'s decision-boundary covariance, :math:`c = \frac1n \sum_i (a_i - \bar a)
    f_i`.

    The empirical covariance between the group and the signed distance to the decision
    boundary (the logit) (Zafar et al. 2017, zafar2017fairness). It is linear in the
    logits, hence in the weights; 0 when the groups have the same mean logit.
    """
    f = _vector(f, "f")
    g = _binary_group(group, f.size)
    return float(np.mean((g - g.mean()) * f))


def covariance_proxy_grad(f: ArrayLike, group: ArrayLike) -> FloatArray:
    r"""The gradient of :func:`covariance_proxy` with respect to the logits, :math:`(a_i -
    \bar a)/n` (a constant)."""
    f = _vector(f, "f")
    g = _binary_group(group, f.size)
    return (g - g.mean()) / g.size


def _penalty_parts(penalty: str, f: FloatArray, g: FloatArray) -> tuple[float, FloatArray]:
    """The unsquared gap (g or c) and its gradient with respect to the logits.

    ``f`` and ``g`` are validated already (``g`` of 0s and 1s, both groups present): this
    runs in every evaluation of the training objective.
    """
    if penalty == "parity":
        p = expit(f)
        in1 = g == 1
        n1 = np.count_nonzero(in1)
        gap = float(np.mean(p[in1]) - np.mean(p[~in1]))
        return gap, p * (1.0 - p) * np.where(in1, 1.0 / n1, -1.0 / (g.size - n1))
    centred = (g - g.mean()) / g.size
    return float(np.dot(centred, f)), centred


def _chain(X: FloatArray, grad_f: FloatArray) -> FloatArray:
    """From ∂/∂f to ∂/∂θ for f = Xw + b: (Xᵀ ∂f, Σ ∂f)."""
    return np.r_[X.T @ grad_f, grad_f.sum()]


def fairness_penalty(
    theta: ArrayLike, X: ArrayLike, group: ArrayLike, *, penalty: str = "parity"
) -> tuple[float, FloatArray]:
    r"""The squared penalty P(θ) and its gradient with respect to θ = (w, b).

    ``"parity"``: :math:`P = g^2` (:func:`soft_parity_gap` of the logits f = Xw + b),
    :math:`\nabla P = 2g\,(X^\top \partial g/\partial f,\ \sum_i \partial g/\partial f_i)`.
    ``"covariance"``: :math:`P = c^2` (:func:`covariance_proxy`), gradient likewise (its
    intercept entry is 0: shifting every logit leaves the covariance unchanged).

    Args:
        theta: the weights then the intercept, shape (d + 1,).
        X: inputs, shape (n, d).
        group: 0 or 1 for each example, shape (n,).
        penalty: ``"parity"`` or ``"covariance"``.

    Returns:
        ``(value, grad)`` with ``grad`` of shape (d + 1,).
    """
    X = _design(X)
    theta = _theta(theta, X.shape[1])
    penalty = _penalty_name(penalty)
    g = _binary_group(group, X.shape[0])
    gap, grad_f = _penalty_parts(penalty, X @ theta[:-1] + theta[-1], g)
    return gap**2, 2.0 * gap * _chain(X, grad_f)


def fair_objective(
    theta: ArrayLike, X: ArrayLike, y: ArrayLike, group: ArrayLike | None = None, *,
    mu: float = 0.0, penalty: str = "parity", l2: float = 0.0,
    sample_weight: ArrayLike | None = None,
) -> tuple[float, FloatArray]:
    r"""The penalised training objective J(θ) and its gradient with respect to θ = (w, b).

    .. math::
        J(\theta) = \frac{\sum_i s_i\,[\log(1 + e^{f_i}) - y_i f_i]}{\sum_i s_i}
            + \frac{\lambda}{2}\lVert w\rVert^2 + \mu\,P(\theta), \qquad f = Xw + b,

    with P from :func:`fairness_penalty`. The cross-entropy is computed in log space
    (``np.logaddexp``), its gradient with respect to f is :math:`s_i(\sigma(f_i) - y_i) /
    \sum s`. The sample weights s weight the cross-entropy only, never the penalty.

    Args:
        theta: the weights then the intercept, shape (d + 1,).
        X: inputs, shape (n, d).
        y: labels 0 or 1, shape (n,).
        group: 0 or 1 for each example, shape (n,); needed when ``mu > 0``.
        mu: the fairness weight μ >= 0.
        penalty: ``"parity"`` or ``"covariance"``.
        l2: the L2 strength λ >= 0 on w (not on b).
        sample_weight: optional weights s, shape (n,) (e.g. :func:`reweighing_weights`).

    Returns:
        ``(value, grad)`` with ``grad`` of shape (d + 1,).
    """
    X, y, g, s, mu, penalty, l2 = _objective_inputs(X, y, group, mu, penalty, l2,
                                                    sample_weight)
    return _objective(_theta(theta, X.shape[1]), X, y, g, s, mu, penalty, l2)


def _objective_inputs(
    X: ArrayLike, y: ArrayLike, group: ArrayLike | None, mu: float, penalty: str, l2: float,
    sample_weight: ArrayLike | None,
) -> tuple[FloatArray, FloatArray, FloatArray | None, FloatArray, float, str, float]:
    """Validate the arguments of :func:`fair_objective` once (not in every evaluation)."""
    X = _design(X)
    n = X.shape[0]
    y = _labels(y, "y", n)
    mu = _nonnegative(mu, "mu")
    l2 = _nonnegative(l2, "l2")
    penalty = _penalty_name(penalty)
    s = _sample_weight(sample_weight, n)
    s = np.ones(n) if s is None else s
    g = None
    if mu > 0:
        if group is None:
            raise ValueError("group is required when mu > 0 (the penalty compares groups).")
        g = _binary_group(group, n)
    return X, y, g, s / s.sum(), mu, penalty, l2


def _objective(theta: FloatArray, X: FloatArray, y: FloatArray, g: FloatArray | None,
               s: FloatArray, mu: float, penalty: str, l2: float) -> tuple[float, FloatArray]:
    """J and ∇J on validated inputs (``s`` normalised to sum 1)."""
    f = X @ theta[:-1] + theta[-1]
    # cross-entropy on logits: log(1 + e^f) − y f, in log space for any f
    value = float(np.dot(s, np.logaddexp(0.0, f) - y * f))
    grad = _chain(X, s * (expit(f) - y))
    w = theta[:-1]
    value += 0.5 * l2 * float(w @ w)
    grad[:-1] += l2 * w
    if mu > 0 and g is not None:
        gap, grad_f = _penalty_parts(penalty, f, g)
        value += mu * gap**2
        grad += 2.0 * mu * gap * _chain(X, grad_f)
    return value, grad


@dataclass(frozen=True, eq=False)
class FairLogistic:
    """A logistic model fitted by :func:`fit_fair_logistic`: logits f = X @ coef + intercept.

    Attributes:
        coef: the weights w, shape (d,).
        intercept: the bias b.
        mu: the fairness weight it was trained with.
        penalty: ``"parity"`` or ``"covariance"``.
        l2: the L2 strength λ.
        objective: J at the solution.
        n_iter: L-BFGS iterations.
        converged: whether L-BFGS met its tolerance.
    """

    coef: FloatArray
    intercept: float
    mu: float
    penalty: str
    l2: float
    objective: float
    n_iter: int
    converged: bool

    @property
    def theta(self) -> FloatArray:
        """The weights then the intercept, shape (d + 1,)."""
        return np.r_[self.coef, self.intercept]

    def decision_function(self, X: ArrayLike) -> FloatArray:
        """The logits f = Xw + b, shape (n,)."""
        X = _design(X)
        if X.shape[1] != self.coef.size:
            raise ValueError(f"X must have {self.coef.size} columns; got {X.shape[1]}.")
        return X @ self.coef + self.intercept

    def predict_proba(self, X: ArrayLike) -> FloatArray:
        """σ(f), the predicted probability of y = 1, shape (n,)."""
        return expit(self.decision_function(X))

    def predict(self, X: ArrayLike, threshold: float = 0.5) -> FloatArray:
        """Decisions 1.0 where σ(f) >= ``threshold``, else 0.0."""
        return (self.predict_proba(X) >= threshold).astype(np.float64)


def fit_fair_logistic(
    X: ArrayLike, y: ArrayLike, group: ArrayLike | None = None, *, mu: float = 0.0,
    penalty: str = "parity", l2: float = 1e-3, sample_weight: ArrayLike | None = None,
    theta0: ArrayLike | None = None, tol: float = 1e-9, max_iter: int = 1000,
) -> FairLogistic:
    """Minimise :func:`fair_objective` with L-BFGS (scipy) from ``theta0`` (default zeros).

    With ``mu = 0`` and no weights this is plain logistic regression and agrees with
    scikit-learn's ``LogisticRegression(C=1/(n·l2))`` (with ``sample_weight``,
    ``C = 1/(l2·Σs)``); ``tests/test_fairness.py`` checks both to 1e-6. The soft parity
    penalty makes J non-convex, so a warm start (``theta0`` = the previous μ's solution, as
    in :func:`mu_sweep`) keeps the path continuous.

    Args:
        X: inputs, shape (n, d).
        y: labels 0 or 1, shape (n,).
        group: 0 or 1 for each example; needed when ``mu > 0``.
        mu: the fairness weight μ >= 0.
        penalty: ``"parity"`` (soft parity gap²) or ``"covariance"`` (Zafar's covariance²).
        l2: the L2 strength λ >= 0 on w.
        sample_weight: optional weights of the cross-entropy, shape (n,).
        theta0: starting point, shape (d + 1,).
        tol: L-BFGS's tolerance on the largest gradient entry.
        max_iter: L-BFGS's iteration limit.
    """
    args = _objective_inputs(X, y, group, mu, penalty, l2, sample_weight)
    X, penalty = args[0], args[5]
    d = X.shape[1]
    start = np.zeros(d + 1) if theta0 is None else _theta(theta0, d).copy()
    with _one_blas_thread():
        result = minimize(_objective, start, args=args, jac=True, method="L-BFGS-B",
                          options={"gtol": tol, "ftol": 1e-15, "maxiter": int(max_iter)})
    return FairLogistic(coef=result.x[:-1].copy(), intercept=float(result.x[-1]),
                        mu=float(mu), penalty=penalty, l2=float(l2),
                        objective=float(result.fun), n_iter=int(result.nit),
                        converged=bool(result.success))


# --------------------------------------------------------------------------------------
# The μ sweep and its Pareto front
# --------------------------------------------------------------------------------------


def pareto_front(accuracy: ArrayLike, disparity: ArrayLike) -> np.ndarray:
    """Which points are not dominated: no other point is at least as accurate *and* at
    least as fair (smaller disparity), and strictly better in one of the two.

    Args:
        accuracy: one accuracy per point (higher is better), shape (k,).
        disparity: one disparity per point, e.g. the DP difference (lower is better).

    Returns:
        A boolean mask of shape (k,); duplicated points are all kept.

    >>> pareto_front([0.8, 0.7, 0.75, 0.6], [0.2, 0.1, 0.25, 0.1]).tolist()
    [True, True, False, False]
    """
    acc = _vector(accuracy, "accuracy")
    dis = _vector(disparity, "disparity", acc.size)
    at_least = (acc[None, :] >= acc[:, None]) & (dis[None, :] <= dis[:, None])
    strictly = (acc[None, :] > acc[:, None]) | (dis[None, :] < dis[:, None])
    return ~np.any(at_least & strictly, axis=1)


@dataclass(frozen=True, eq=False)
class MuSweep:
    """The models of :func:`mu_sweep`, one per μ, and how they score.

    Arrays have one entry (row) per μ. "eval" metrics are on the evaluation set (the
    validation set in the chapter), "train" metrics on the training set.

    Attributes:
        mus: the fairness weights, increasing.
        penalty: ``"parity"`` or ``"covariance"``.
        coefs: the weights, shape (k, d).
        intercepts: the biases, shape (k,).
        accuracy: eval accuracy at threshold ½.
        dp_difference: eval demographic-parity difference.
        eo_difference: eval equalized-odds difference.
        selection_rates: eval selection rates, shape (k, 2) (group 0, group 1).
        tpr: eval true-positive rates, shape (k, 2).
        fpr: eval false-positive rates, shape (k, 2).
        soft_gap: eval soft parity gap (signed).
        train_accuracy: training accuracy.
        train_dp_difference: training demographic-parity difference.
        pareto: the non-dominated points of (accuracy, dp_difference), a boolean mask.
        n_iter: L-BFGS iterations per μ.
        seconds: wall-clock time of the whole sweep.
        l2: the L2 strength λ every model was trained with.
    """

    mus: FloatArray
    penalty: str
    coefs: FloatArray
    intercepts: FloatArray
    accuracy: FloatArray
    dp_difference: FloatArray
    eo_difference: FloatArray
    selection_rates: FloatArray
    tpr: FloatArray
    fpr: FloatArray
    soft_gap: FloatArray
    train_accuracy: FloatArray
    train_dp_difference: FloatArray
    pareto: np.ndarray
    n_iter: np.ndarray
    seconds: float
    l2: float = 0.0

    def model(self, i: int) -> FairLogistic:
        """The fitted model at ``mus[i]``."""
        return FairLogistic(self.coefs[i].copy(), float(self.intercepts[i]),
                            float(self.mus[i]), self.penalty, self.l2, float("nan"),
                            int(self.n_iter[i]), True)

    def best_under(self, target: float) -> int:
        """The index of the most accurate point whose eval DP difference is <= ``target``
        (the smallest μ among equally accurate ones); ``ValueError`` if there is none."""
        ok = np.flatnonzero(self.dp_difference <= target + 1e-12)
        if ok.size == 0:
            raise ValueError(f"no μ in the sweep reaches a DP difference <= {target}; the "
                             f"smallest is {self.dp_difference.min():.4g}.")
        return int(ok[np.argmax(self.accuracy[ok])])  # argmax takes the first, smallest μ

    def table(self) -> list[dict[str, float]]:
        """One row per μ: μ, accuracy, DP and EO differences, selection rates, soft gap."""
        return [
            {"mu": float(m), "accuracy": float(a), "dp_difference": float(dp),
             "eo_difference": float(eo), "selection_0": float(s[0]),
             "selection_1": float(s[1]), "soft_gap": float(gap), "pareto": bool(p)}
            for m, a, dp, eo, s, gap, p in zip(
                self.mus, self.accuracy, self.dp_difference, self.eo_difference,
                self.selection_rates, self.soft_gap, self.pareto, strict=True)
        ]


def mu_sweep(
    X: ArrayLike, y: ArrayLike, group: ArrayLike, *, mus: ArrayLike = DEFAULT_MUS,
    penalty: str = "parity", l2: float = 1e-3, X_eval: ArrayLike | None = None,
    y_eval: ArrayLike | None = None, group_eval: ArrayLike | None = None,
    threshold: float = 0.5,
) -> MuSweep:
    """Train :func:`fit_fair_logistic` at every μ (increasing, each warm-started from the
    previous solution) and score each model on the evaluation set.

    Args:
        X: training inputs, shape (n, d).
        y: training labels 0 or 1.
        group: training groups 0 or 1.
        mus: the fairness weights, strictly increasing, >= 0 (default :data:`DEFAULT_MUS`).
        penalty: ``"parity"`` or ``"covariance"``.
        l2: the L2 strength λ on w.
        X_eval: evaluation inputs; the training set if omitted (then also omit
            ``y_eval`` and ``group_eval``).
        y_eval: evaluation labels.
        group_eval: evaluation groups.
        threshold: decisions are σ(f) >= threshold.

    Returns:
        A :class:`MuSweep`. On the chapter's loan data (2000 + 2000 applicants, 27 values
        of μ) it takes about half a second.
    """
    start = time.perf_counter()
    X = _design(X)
    n = X.shape[0]
    y = _labels(y, "y", n)
    g = _binary_group(group, n)
    mus = _vector(mus, "mus")
    if np.any(mus < 0) or np.any(np.diff(mus) <= 0):
        raise ValueError(f"mus must be >= 0 and strictly increasing; got {mus.tolist()}.")
    if (X_eval is None) != (y_eval is None) or (X_eval is None) != (group_eval is None):
        raise ValueError("pass all of X_eval, y_eval and group_eval, or none of them.")
    if X_eval is None:
        Xe, ye, ge = X, y, g
    else:
        Xe = _design(X_eval)
        ye = _labels(y_eval, "y_eval", Xe.shape[0])
        ge = _binary_group(group_eval, Xe.shape[0])
    theta = np.zeros(X.shape[1] + 1)
    fits, reports, train_reports = [], [], []
    with _one_blas_thread():
        for mu in mus:
            fit = fit_fair_logistic(X, y, g, mu=float(mu), penalty=penalty, l2=l2,
                                    theta0=theta)
            theta = fit.theta
            fits.append(fit)
            reports.append(_report(ye, fit.predict(Xe, threshold), ge))
            train_reports.append(_report(y, fit.predict(X, threshold), g))
    accuracy = np.array([r.accuracy for r in reports])
    dp = np.array([r.dp_difference for r in reports])
    return MuSweep(
        mus=mus.copy(), penalty=penalty,
        coefs=np.array([f.coef for f in fits]),
        intercepts=np.array([f.intercept for f in fits]),
        accuracy=accuracy, dp_difference=dp,
        eo_difference=np.array([r.eo_difference for r in reports]),
        selection_rates=np.array([r.selection_rate for r in reports]),
        tpr=np.array([r.tpr for r in reports]),
        fpr=np.array([r.fpr for r in reports]),
        soft_gap=np.array([soft_parity_gap(f.decision_function(Xe), ge) for f in fits]),
        train_accuracy=np.array([r.accuracy for r in train_reports]),
        train_dp_difference=np.array([r.dp_difference for r in train_reports]),
        pareto=pareto_front(accuracy, dp),
        n_iter=np.array([f.n_iter for f in fits]),
        seconds=time.perf_counter() - start, l2=float(l2),
    )


# --------------------------------------------------------------------------------------
# Pre-processing: reweighting
# --------------------------------------------------------------------------------------


def reweighing_weights(y: ArrayLike, group: ArrayLike) -> FloatArray:
    r"""Kamiran & Calders' (2012) reweighing: :math:`w(a, y) = P(A{=}a)\,P(Y{=}y) /
    P(A{=}a, Y{=}y)`.

    Each example gets the weight that would make its (group, label) cell as frequent as it
    would be if labels were independent of the group: under-represented cells (approved
    members of group 1) weigh more than 1, over-represented ones less. The weights sum to
    n, and under them the weighted base rate is the same in every group. Training on the
    weighted cross-entropy (``sample_weight`` of :func:`fit_fair_logistic`) is the
    pre-processing remedy.

    Args:
        y: labels 0 or 1, shape (n,).
        group: the group of each example, shape (n,).

    Returns:
        The weight of each example, shape (n,).

    >>> reweighing_weights([1, 1, 0, 1, 0, 0], [0, 0, 0, 1, 1, 1]).tolist()
    [0.75, 0.75, 1.5, 1.5, 0.75, 0.75]
    """
    yt = _labels(y, "y")
    g, values = _groups(group, yt.size)
    w = np.empty(yt.size)
    for v in values:
        for label in (0.0, 1.0):
            cell = (g == v) & (yt == label)
            if cell.any():
                w[cell] = np.mean(g == v) * np.mean(yt == label) / np.mean(cell)
    return w


# --------------------------------------------------------------------------------------
# Post-processing: one threshold per group
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ThresholdTable:
    """Per-group metrics of the decisions ``score >= t`` for every threshold t of a grid.

    Arrays have shape (n_groups, n_thresholds); groups in the order of ``groups``.

    Attributes:
        thresholds: the grid, shape (n_thresholds,).
        groups: the distinct group values.
        counts: examples per group.
        positives: examples with y = 1 per group.
        selection_rate: P(score >= t | A = a).
        tpr: P(score >= t | A = a, y = 1).
        fpr: P(score >= t | A = a, y = 0).
        correct: the number of correct decisions in each group.
    """

    thresholds: FloatArray
    groups: FloatArray
    counts: np.ndarray
    positives: np.ndarray
    selection_rate: FloatArray
    tpr: FloatArray
    fpr: FloatArray
    correct: FloatArray

    def accuracy(self, index: Sequence[int]) -> float:
        """The overall accuracy when group j uses ``thresholds[index[j]]``."""
        total = sum(self.correct[j, i] for j, i in enumerate(index))
        return float(total / self.counts.sum())


def _count_at_least(sorted_scores: FloatArray, thresholds: FloatArray) -> np.ndarray:
    """How many of the (ascending) scores are >= each threshold."""
    return sorted_scores.size - np.searchsorted(sorted_scores, thresholds, side="left")


def threshold_table(scores: ArrayLike, y: ArrayLike, group: ArrayLike,
                    thresholds: ArrayLike) -> ThresholdTable:
    """Selection rate, TPR, FPR and correct decisions per group for every threshold.

    Computed from sorted scores (``np.searchsorted``), so a grid of any size costs
    O((n + n_thresholds) log n): the heat map of :class:`lossviz.widgets.ThresholdLandscape`
    and the searches of :func:`equalized_odds_thresholds` read from it.

    Args:
        scores: any real scores (probabilities in the chapter), shape (n,).
        y: labels 0 or 1, shape (n,); every group needs both labels.
        group: the group of each example, shape (n,).
        thresholds: the grid, shape (m,).
    """
    s = _vector(scores, "scores")
    yt = _labels(y, "y", s.size)
    g, values = _groups(group, s.size)
    t = _vector(thresholds, "thresholds")
    rows: dict[str, list[FloatArray]] = {"sel": [], "tpr": [], "fpr": [], "correct": []}
    counts, positives = [], []
    for v in values:
        pos = np.sort(s[(g == v) & (yt == 1)])
        neg = np.sort(s[(g == v) & (yt == 0)])
        if pos.size == 0 or neg.size == 0:
            raise ValueError(f"group {v:g} needs examples of both labels; it has {pos.size} "
                             f"positive(s) and {neg.size} negative(s).")
        tp, fp = _count_at_least(pos, t), _count_at_least(neg, t)
        counts.append(pos.size + neg.size)
        positives.append(pos.size)
        rows["sel"].append((tp + fp) / (pos.size + neg.size))
        rows["tpr"].append(tp / pos.size)
        rows["fpr"].append(fp / neg.size)
        rows["correct"].append((tp + (neg.size - fp)).astype(np.float64))
    return ThresholdTable(
        thresholds=t, groups=values, counts=np.array(counts), positives=np.array(positives),
        selection_rate=np.array(rows["sel"]), tpr=np.array(rows["tpr"]),
        fpr=np.array(rows["fpr"]), correct=np.array(rows["correct"]),
    )


@dataclass(frozen=True, eq=False)
class ThresholdRule:
    """A decision rule with one threshold per group: ŷ = 1 where score >= thresholds[a].

    Attributes:
        groups: the distinct group values.
        thresholds: one threshold per group, in the order of ``groups``.
        train_accuracy: its accuracy on the data it was chosen on.
    """

    groups: FloatArray
    thresholds: FloatArray
    train_accuracy: float

    def predict(self, scores: ArrayLike, group: ArrayLike) -> FloatArray:
        """The decisions for ``scores`` of examples in ``group`` (0.0 / 1.0)."""
        s = _vector(scores, "scores")
        g = _vector(group, "group", s.size)
        unknown = np.setdiff1d(np.unique(g), self.groups)
        if unknown.size:
            raise ValueError(f"group has values {unknown.tolist()} this rule has no "
                             f"threshold for; known groups: {self.groups.tolist()}.")
        t = self.thresholds[np.searchsorted(self.groups, g)]
        return (s >= t).astype(np.float64)


def parity_thresholds(scores: ArrayLike, y: ArrayLike, group: ArrayLike, *,
                      n_rates: int = 2001) -> ThresholdRule:
    """Per-group thresholds with (nearly) equal selection rates and the best accuracy.

    For every common selection rate r on a grid of ``n_rates`` values in [0, 1], group a
    selects its round(r·n_a) highest scores; of these rules the most accurate is
    returned. The selection rates then differ only by rounding (≤ 1/(2 n_a) each). This
    is the simplest post-processing for demographic parity; fairlearn's
    ``ThresholdOptimizer`` solves the same problem with randomised thresholds
    (:func:`fairlearn_threshold_optimizer`).

    Args:
        scores: model scores (probabilities), shape (n,); ties are broken by ``>=``.
        y: labels 0 or 1 of the data the rule is chosen on.
        group: the group of each example.
        n_rates: the number of candidate rates.
    """
    s = _vector(scores, "scores")
    yt = _labels(y, "y", s.size)
    g, values = _groups(group, s.size)
    rates = np.linspace(0.0, 1.0, int(n_rates))
    correct = np.zeros(rates.size)
    picks = []
    for v in values:
        order = np.argsort(-s[g == v], kind="stable")
        ranked_scores, ranked_y = s[g == v][order], yt[g == v][order]
        m = ranked_y.size
        # selecting the top k: TP = cumsum(y)[k], TN = negatives − (k − TP)
        tp = np.r_[0.0, np.cumsum(ranked_y)]
        k = np.arange(m + 1)
        correct_k = tp + (m - ranked_y.sum()) - (k - tp)
        k_at_rate = np.floor(rates * m + 0.5).astype(int)
        correct += correct_k[k_at_rate]
        picks.append((k_at_rate, ranked_scores))
    best = int(np.argmax(correct))
    thresholds = []
    for k_at_rate, ranked_scores in picks:
        k = k_at_rate[best]
        thresholds.append(np.inf if k == 0 else float(ranked_scores[k - 1]))
    return ThresholdRule(values, np.array(thresholds), float(correct[best] / s.size))


def equalized_odds_thresholds(scores: ArrayLike, y: ArrayLike, group: ArrayLike, *,
                              tolerance: float = 0.01,
                              grid: ArrayLike | None = None) -> ThresholdRule:
    """The most accurate pair of per-group thresholds whose equalized-odds difference is at
    most ``tolerance``.

    Deterministic thresholds can equalise TPR and FPR only where the groups' ROC curves
    cross; this searches every pair (t0, t1) of ``grid`` (default 0.005, 0.010, ...,
    0.995, for probabilities) and keeps, among the pairs with max(|ΔTPR|, |ΔFPR|) <=
    ``tolerance``, the most accurate; if no pair qualifies, the pair with the smallest
    difference (the most accurate among equals). Hardt et al. (2016, hardt2016equality)
    reach exact equality by randomising between thresholds, as fairlearn's
    ``ThresholdOptimizer`` does.

    Args:
        scores: model scores, shape (n,).
        y: labels 0 or 1.
        group: 0 or 1 for each example (exactly two groups).
        tolerance: the largest equalized-odds difference accepted, >= 0.
        grid: candidate thresholds.
    """
    s = _vector(scores, "scores")
    g = _binary_group(group, s.size)
    tolerance = _nonnegative(tolerance, "tolerance")
    grid = np.arange(1, 200) / 200 if grid is None else _vector(grid, "grid")
    table = threshold_table(s, y, g, grid)
    eo = np.maximum(np.abs(table.tpr[0][:, None] - table.tpr[1][None, :]),
                    np.abs(table.fpr[0][:, None] - table.fpr[1][None, :]))
    correct = table.correct[0][:, None] + table.correct[1][None, :]
    if np.any(eo <= tolerance):
        best = int(np.argmax(np.where(eo <= tolerance, correct, -1.0)))
    else:  # the smallest difference first, then the most correct decisions
        best = int(np.lexsort((-correct.ravel(), eo.ravel()))[0])
    i, j = np.unravel_index(best, eo.shape)
    return ThresholdRule(table.groups, np.array([grid[i], grid[j]]),
                         float(correct[i, j] / s.size))


# --------------------------------------------------------------------------------------
# Operating points, and fairlearn (imported only inside these functions)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OperatingPoint:
    """One method's place on the accuracy–fairness plane (evaluation-set numbers).

    Attributes:
        name: what produced it ("reweighting", "ExponentiatedGradient (DP)", ...).
        accuracy: the fraction of correct decisions.
        dp_difference: the demographic-parity difference.
        eo_difference: the equalized-odds difference.
        selection_rates: per group, shape (n_groups,).
        seconds: the time it took to train (0 when nothing was trained).
        expected_accuracy: for a randomised classifier, the accuracy of its expected
            decisions (``None`` otherwise); the sampled ``accuracy`` scatters around it.
        expected_dp_difference: likewise for the DP difference.
        expected_eo_difference: likewise for the EO difference.
    """

    name: str
    accuracy: float
    dp_difference: float
    eo_difference: float
    selection_rates: FloatArray
    seconds: float = 0.0
    expected_accuracy: float | None = None
    expected_dp_difference: float | None = None
    expected_eo_difference: float | None = None


def operating_point(name: str, y_true: ArrayLike, y_pred: ArrayLike, group: ArrayLike,
                    seconds: float = 0.0) -> OperatingPoint:
    """The :class:`OperatingPoint` of hard decisions ``y_pred``."""
    r = group_report(y_true, y_pred, group)
    return OperatingPoint(name, r.accuracy, r.dp_difference, r.eo_difference,
                          r.selection_rate, seconds)


def compare_with_fairlearn(y_true: ArrayLike, y_pred: ArrayLike, group: ArrayLike
                           ) -> dict[str, tuple[float, float]]:
    """Each group metric from lossviz and from ``fairlearn.metrics``, side by side.

    Returns ``{name: (lossviz value, fairlearn value)}`` for ``"dp_difference"``,
    ``"eo_difference"``, ``"eopp_difference"``, and ``"selection_rate[a]"``, ``"tpr[a]"``,
    ``"fpr[a]"`` for every group a. Imports fairlearn (about 3 s the first time, for
    pandas).
    """
    import fairlearn.metrics as flm

    yt = _labels(y_true, "y_true")
    yp = _labels(y_pred, "y_pred", yt.size)
    g, values = _groups(group, yt.size)
    ours = group_report(yt, yp, g)
    frame = flm.MetricFrame(
        metrics={"selection_rate": flm.selection_rate, "tpr": flm.true_positive_rate,
                 "fpr": flm.false_positive_rate},
        y_true=yt.astype(int), y_pred=yp.astype(int), sensitive_features=g)
    out = {
        "dp_difference": (ours.dp_difference, float(flm.demographic_parity_difference(
            yt, yp, sensitive_features=g))),
        "eo_difference": (ours.eo_difference, float(flm.equalized_odds_difference(
            yt, yp, sensitive_features=g))),
        "eopp_difference": (ours.eopp_difference, float(flm.equal_opportunity_difference(
            yt, yp, sensitive_features=g))),
    }
    by_group = frame.by_group
    for j, v in enumerate(values):
        for name, mine in (("selection_rate", ours.selection_rate), ("tpr", ours.tpr),
                           ("fpr", ours.fpr)):
            out[f"{name}[{v:g}]"] = (float(mine[j]), float(by_group.loc[v, name]))
    return out


_CONSTRAINTS = {"demographic_parity": "DP", "equalized_odds": "EO"}


@contextmanager
def _quiet_fairlearn() -> Iterator[None]:
    """Silence the deprecation warnings pandas 3 raises inside fairlearn 0.15's own code."""
    with warnings.catch_warnings():
        for category in (FutureWarning, DeprecationWarning):
            warnings.filterwarnings("ignore", category=category, module=r"fairlearn\.")
        yield


def fairlearn_exponentiated_gradient(
    X: ArrayLike, y: ArrayLike, group: ArrayLike, X_eval: ArrayLike, y_eval: ArrayLike,
    group_eval: ArrayLike, *, constraint: str = "demographic_parity", eps: float = 0.01,
    difference_bound: float = 0.01, max_iter: int = 50, C: float = 1.0, seed: int = 0,
) -> OperatingPoint:
    r"""fairlearn's ``ExponentiatedGradient`` reduction with a logistic base learner.

    Agarwal et al. (2018, agarwal2018reductions) turn fair classification into a game.
    Over randomised classifiers Q (distributions over base classifiers h) and Lagrange
    multipliers λ >= 0 with :math:`\lVert\lambda\rVert_1 \le B`, it solves

    .. math::
        \min_{Q}\ \max_{\lambda \ge 0,\ \lVert\lambda\rVert_1 \le B}\
        L(Q, \lambda) = \widehat{\mathrm{err}}(Q)
        + \lambda^\top \bigl(\gamma(Q) - c\bigr),

    where :math:`\gamma(Q)` stacks the constraint moments and c their bound. For
    demographic parity the moments are :math:`\pm(E[h(X) | A = a] - E[h(X)])` for every
    group a; for equalized odds the same conditioned on Y = y as well; c is
    ``difference_bound``. The λ-player updates its multipliers by exponentiated
    gradient (multiplicative weights); the Q-player best-responds with a *cost-sensitive*
    classifier, which is the base learner (here scikit-learn's
    ``LogisticRegression(C=C)``) trained with per-example weights from λ. The result is
    a weighted mixture of the base learners found, a randomised classifier. fairlearn
    sets :math:`B = 1/\text{eps}` and stops when the duality gap ν is small enough or
    after ``max_iter`` rounds; its documentation states that the error is then within 2ν
    of the best error under the constraint and the violation at most 2(eps + ν).

    The operating point is measured on the evaluation set twice: for the decisions of
    ``predict(X_eval, random_state=seed)`` (``accuracy``, ``dp_difference``,
    ``eo_difference``), and for the *expected* decisions
    :math:`P(\hat y = 1) = \sum_k Q_k h_k(x)` (``expected_*``), which sampling scatters
    around. ``seconds`` is the time of ``fit``: 0.5 to 1 s on the chapter's 2000
    applicants (plus 0.5 to 3 s to import fairlearn and pandas the first time).

    Args:
        X: training inputs.
        y: training labels 0 or 1.
        group: training groups.
        X_eval: evaluation inputs.
        y_eval: evaluation labels.
        group_eval: evaluation groups.
        constraint: ``"demographic_parity"`` or ``"equalized_odds"``.
        eps: fairlearn's ``eps`` (the multipliers' bound is 1/eps).
        difference_bound: the allowed constraint violation c.
        max_iter: the largest number of rounds.
        C: the base learner's inverse L2 strength.
        seed: seeds the sampled decisions.
    """
    from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient
    from sklearn.linear_model import LogisticRegression

    if constraint not in _CONSTRAINTS:
        raise ValueError(f"constraint must be one of {list(_CONSTRAINTS)}; got {constraint!r}.")
    X, Xe = _design(X), _design(X_eval)
    y = _labels(y, "y", X.shape[0])
    ye = _labels(y_eval, "y_eval", Xe.shape[0])
    g, _ = _groups(group, X.shape[0])
    ge, _ = _groups(group_eval, Xe.shape[0])
    moment = (DemographicParity if constraint == "demographic_parity" else EqualizedOdds)(
        difference_bound=difference_bound)
    reduction = ExponentiatedGradient(LogisticRegression(C=C, max_iter=1000),
                                      constraints=moment, eps=eps, max_iter=max_iter)
    start = time.perf_counter()
    with _one_blas_thread(), _quiet_fairlearn():
        reduction.fit(X, y.astype(int), sensitive_features=g)
    seconds = time.perf_counter() - start
    with _quiet_fairlearn():
        sampled = np.asarray(reduction.predict(Xe, random_state=seed), dtype=np.float64)
    weights = np.asarray(reduction.weights_, dtype=np.float64)
    expected = sum(w * np.asarray(h.predict(Xe), dtype=np.float64)
                   for w, h in zip(weights, reduction.predictors_, strict=True) if w > 0)
    hard = group_report(ye, sampled, ge)
    soft = _report(ye, np.asarray(expected, dtype=np.float64), ge)
    return OperatingPoint(
        f"ExponentiatedGradient ({_CONSTRAINTS[constraint]})", hard.accuracy,
        hard.dp_difference, hard.eo_difference, hard.selection_rate, seconds,
        soft.accuracy, soft.dp_difference, soft.eo_difference)


def fairlearn_threshold_optimizer(
    X: ArrayLike, y: ArrayLike, group: ArrayLike, X_eval: ArrayLike, y_eval: ArrayLike,
    group_eval: ArrayLike, *, constraint: str = "demographic_parity", C: float = 1.0,
    seed: int = 0,
) -> OperatingPoint:
    """fairlearn's ``ThresholdOptimizer`` (Hardt et al. 2016's post-processing) on a
    logistic model.

    Fits scikit-learn's ``LogisticRegression(C=C)`` on the training set, then chooses
    per-group (randomised) thresholds on its ``predict_proba`` scores that satisfy the
    constraint with the best training accuracy; the operating point is that of
    ``predict(X_eval, sensitive_features=group_eval, random_state=seed)``. ``seconds``
    covers both fits (about 0.1 s here).
    """
    from fairlearn.postprocessing import ThresholdOptimizer
    from sklearn.linear_model import LogisticRegression

    if constraint not in _CONSTRAINTS:
        raise ValueError(f"constraint must be one of {list(_CONSTRAINTS)}; got {constraint!r}.")
    X, Xe = _design(X), _design(X_eval)
    y = _labels(y, "y", X.shape[0])
    ye = _labels(y_eval, "y_eval", Xe.shape[0])
    g, _ = _groups(group, X.shape[0])
    ge, _ = _groups(group_eval, Xe.shape[0])
    start = time.perf_counter()
    with _one_blas_thread(), _quiet_fairlearn():
        model = LogisticRegression(C=C, max_iter=1000).fit(X, y.astype(int))
        post = ThresholdOptimizer(estimator=model, constraints=constraint, prefit=True,
                                  predict_method="predict_proba")
        post.fit(X, y.astype(int), sensitive_features=g)
    seconds = time.perf_counter() - start
    with _quiet_fairlearn():
        decided = np.asarray(post.predict(Xe, sensitive_features=ge, random_state=seed),
                             dtype=np.float64)
    return operating_point(f"ThresholdOptimizer ({_CONSTRAINTS[constraint]})", ye, decided,
                           ge, seconds)


# --------------------------------------------------------------------------------------
# The limits: calibration within groups against equalized odds
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Impossibility:
    """The numbers of :func:`calibration_vs_equalized_odds`; arrays are (group 0, group 1).

    Attributes:
        base_rate: P(y = 1 | A = a).
        calibration_error: the expected calibration error of the scores within each group
            (10 equal-width bins; near 0 for a calibrated score).
        mean_score_positive: E[score | y = 1, A = a] (Kleinberg et al.'s balance for the
            positive class asks these to be equal).
        mean_score_negative: E[score | y = 0, A = a] (balance for the negative class).
        threshold: the shared threshold.
        shared_fpr: FPR of score >= threshold in each group.
        shared_fnr: FNR (1 − TPR) at the shared threshold.
        shared_ppv: PPV, P(y = 1 | ŷ = 1, A = a), at the shared threshold.
        shared_eo_difference: the equalized-odds difference at the shared threshold.
        group_thresholds: the most accurate per-group thresholds with an equalized-odds
            difference <= ``tolerance`` (:func:`equalized_odds_thresholds`).
        odds_fpr: FPR with the per-group thresholds.
        odds_fnr: FNR with the per-group thresholds.
        odds_ppv: PPV with the per-group thresholds.
        odds_eo_difference: the equalized-odds difference with the per-group thresholds.
        chouldechova_residual: the largest deviation from Chouldechova's identity
            FPR = p/(1 − p) · (1 − PPV)/PPV · (1 − FNR) over both groups and both rules
            (an identity of the counts: it is 0 up to rounding).
    """

    base_rate: FloatArray
    calibration_error: FloatArray
    mean_score_positive: FloatArray
    mean_score_negative: FloatArray
    threshold: float
    shared_fpr: FloatArray
    shared_fnr: FloatArray
    shared_ppv: FloatArray
    shared_eo_difference: float
    group_thresholds: FloatArray
    odds_fpr: FloatArray
    odds_fnr: FloatArray
    odds_ppv: FloatArray
    odds_eo_difference: float
    chouldechova_residual: float


def _error_rates(y: FloatArray, decided: FloatArray, g: FloatArray
                 ) -> tuple[FloatArray, FloatArray, FloatArray]:
    fpr, fnr, ppv = [], [], []
    for v in (0.0, 1.0):
        yy, dd = y[g == v], decided[g == v]
        fpr.append(np.mean(dd[yy == 0]))
        fnr.append(1.0 - np.mean(dd[yy == 1]))
        ppv.append(np.mean(yy[dd == 1]) if np.any(dd == 1) else 0.0)
    return np.array(fpr), np.array(fnr), np.array(ppv)


def _chouldechova(base: FloatArray, fpr: FloatArray, fnr: FloatArray,
                  ppv: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = base / (1 - base) * (1 - ppv) / ppv * (1 - fnr)
    ok = ppv > 0
    return float(np.max(np.abs(fpr[ok] - implied[ok]), initial=0.0))


def calibration_vs_equalized_odds(
    scores: ArrayLike, y: ArrayLike, group: ArrayLike, *, threshold: float = 0.5,
    tolerance: float = 0.01, grid: ArrayLike | None = None,
) -> Impossibility:
    r"""With different base rates, calibration within groups and equalized odds conflict.

    Give it a score calibrated within each group (P(y = 1 | score = s, A = a) = s; for the
    loan data, ``LoanData.approval_probability``) and the labels. It
    reports, per group:

    - the base rates and the calibration error (small: the score is calibrated);
    - at one shared threshold, the FPR, FNR and PPV: with different base rates they
      differ, so equalized odds fails. Chouldechova (2017, chouldechova2017fair):
      :math:`\mathrm{FPR} = \frac{p}{1-p}\,\frac{1-\mathrm{PPV}}{\mathrm{PPV}}\,(1 -
      \mathrm{FNR})` in each group, so equal PPV (predictive parity) and different base
      rates p force different FPR or FNR. Kleinberg et al. (2017): a calibrated score
      cannot also be *balanced* (equal mean score among positives, and among negatives)
      unless base rates are equal or prediction is perfect; ``mean_score_positive`` and
      ``mean_score_negative`` show the imbalance;
    - with per-group thresholds chosen to equalise the odds
      (:func:`equalized_odds_thresholds`): the FPR and FNR now (nearly) agree, and the
      PPV, the calibration of the decision ŷ = 1 (how often an approval is deserved),
      drifts apart.

    Args:
        scores: a score in [0, 1] calibrated within each group, shape (n,).
        y: labels 0 or 1.
        group: 0 or 1 for each example.
        threshold: the shared threshold.
        tolerance: the equalized-odds difference the per-group thresholds may keep.
        grid: candidate per-group thresholds (see :func:`equalized_odds_thresholds`).
    """
    s = _vector(scores, "scores")
    yt = _labels(y, "y", s.size)
    g = _binary_group(group, s.size)
    threshold = check_real(threshold, "threshold")
    masks = [g == 0, g == 1]
    base = np.array([np.mean(yt[m]) for m in masks])
    ece = np.array([expected_calibration_error(yt[m], s[m]) for m in masks])
    pos_mean = np.array([np.mean(s[m & (yt == 1)]) for m in masks])
    neg_mean = np.array([np.mean(s[m & (yt == 0)]) for m in masks])
    shared = (s >= threshold).astype(np.float64)
    fpr, fnr, ppv = _error_rates(yt, shared, g)
    rule = equalized_odds_thresholds(s, yt, g, tolerance=tolerance, grid=grid)
    odds = rule.predict(s, g)
    ofpr, ofnr, oppv = _error_rates(yt, odds, g)
    residual = max(_chouldechova(base, fpr, fnr, ppv), _chouldechova(base, ofpr, ofnr, oppv))
    return Impossibility(
        base_rate=base, calibration_error=ece, mean_score_positive=pos_mean,
        mean_score_negative=neg_mean, threshold=threshold,
        shared_fpr=fpr, shared_fnr=fnr, shared_ppv=ppv,
        shared_eo_difference=float(max(abs(fpr[1] - fpr[0]), abs(fnr[1] - fnr[0]))),
        group_thresholds=rule.thresholds, odds_fpr=ofpr, odds_fnr=ofnr, odds_ppv=oppv,
        odds_eo_difference=float(max(abs(ofpr[1] - ofpr[0]), abs(ofnr[1] - ofnr[0]))),
        chouldechova_residual=residual,
    )


# --------------------------------------------------------------------------------------
# The chapter's data
# --------------------------------------------------------------------------------------


def loan_split(n_train: int = 2000, n_val: int = 2000, *, seed: int = 0,
               **kwargs: Any) -> tuple[LoanData, LoanData]:
    """A training and a validation set of :func:`lossviz.data.loan_approval`.

    The training set uses ``seed``, the validation set ``seed + 1`` (independent
    applicants from the same process); ``kwargs`` (``pay_gap``, ``label_bias``, ...) go
    to both.
    """
    return (loan_approval(n_train, seed=seed, **kwargs),
            loan_approval(n_val, seed=seed + 1, **kwargs))
