r"""Designing your own loss: the numerical core of chapter 08.

Six small studies, each a function that runs in well under three seconds and returns a
result object whose fields are the numbers the chapter prints:

1. **Cost-sensitive and asymmetric losses.** :func:`cost_weighted_bce` charges
   :math:`c_\text{FN}` for a missed positive and :math:`c_\text{FP}` for a false alarm;
   :func:`asymmetric_linear` charges ``cost_under`` per unit of under-prediction and
   ``cost_over`` per unit of over-prediction. :func:`bayes_decision_check` and
   :func:`asymmetric_regression_check` recover their Bayes-optimal decisions numerically:
   the threshold :math:`c_\text{FP}/(c_\text{FP} + c_\text{FN})` on the true probability
   (``lossviz.metrics.bayes_threshold``) and the τ-quantile with
   :math:`\tau = c_\text{under}/(c_\text{under} + c_\text{over})`.
2. **Dice against cross-entropy** on an imbalanced segmentation task:
   :func:`segmentation_data` (seeded 24×24 images with a small blob, about 4 % of the
   pixels), :func:`train_pixel_classifier` (a per-pixel logistic model on three local
   features, trained by Adam with BCE or with soft Dice through the sigmoid) and
   :func:`dice_vs_bce`, which compares the two on held-out images.
3. **KL divergence and the ELBO**: :func:`kl_gaussians` in closed form, :func:`kl_quad`
   by numerical integration, the two directions of KL between a bimodal
   :class:`GaussianMixture1D` and a Gaussian (:func:`kl_forward`, :func:`kl_reverse`,
   :func:`fit_forward_kl` — moment matching — and :func:`fit_reverse_kl` — mode seeking),
   and the ELBO of a conjugate Gaussian model (:func:`elbo_gaussian`,
   :func:`elbo_monte_carlo`, :func:`elbo_check`).
4. **Multi-task weighting**: :func:`uncertainty_weighted_loss` (Kendall et al. 2018) and
   :func:`train_multitask`, two regression heads on a shared hidden layer trained with
   fixed equal weights or with learned :math:`\log\sigma_k`.
5. **Adversarial training**: :func:`pgd_attack` (L∞ projected gradient descent with a
   random start), the closed-form worst case of a linear model
   (:func:`robust_margin_linear`), :func:`adversarial_training` and
   :func:`pgd_experiment`, the robust-accuracy table of a standard and an adversarially
   trained model.
6. **A checklist for a new loss**: :func:`check_gradient` (central differences) and
   :func:`loss_checklist` (domain, minimum, gradient, extreme inputs, reduction, bad
   input), for the learner's own losses.

>>> check = bayes_decision_check(cost_fn=5.0, cost_fp=1.0)
>>> round(check.threshold, 4), abs(check.grid_threshold - check.threshold) <= 1e-3
(0.1667, True)
>>> round(kl_gaussians(0.0, 1.0, 1.0, 2.0), 6)       # KL(N(0, 1) ‖ N(1, 4))
0.443147

Every function validates its input like :mod:`lossviz.robust`: NaN or infinite values,
shape mismatches and invalid hyper-parameters raise ``ValueError`` (non-numbers
``TypeError``) naming the argument. Randomness is seeded everywhere.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, optimize, special
from scipy.ndimage import uniform_filter

from . import losses, metrics
from .losses._core import (
    FloatArray,
    as_float_array,
    check_binary_labels,
    check_in_interval,
    check_positive,
    check_probabilities,
    check_real,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_grad,
)
from .models import MLP, LogisticRegression, Model
from .train import Adam

__all__ = [
    "BayesDecisionCheck",
    "ChecklistItem",
    "DiceVsBCE",
    "ELBOCheck",
    "GaussianFit",
    "GaussianMixture1D",
    "GradientCheck",
    "LossChecklist",
    "MultiTaskRun",
    "PGDExperiment",
    "QuantileDecisionCheck",
    "SegmentationData",
    "SegmentationModel",
    "SegmentationScores",
    "UncertaintyLoss",
    "adversarial_training",
    "asymmetric_linear",
    "asymmetric_linear_grad",
    "asymmetric_regression_check",
    "bayes_decision_check",
    "bimodal_mixture",
    "check_gradient",
    "cost_weighted_bce",
    "cost_weighted_bce_grad",
    "dice_vs_bce",
    "elbo_check",
    "elbo_gaussian",
    "elbo_monte_carlo",
    "fit_forward_kl",
    "fit_reverse_kl",
    "gaussian_posterior",
    "input_gradient",
    "kl_forward",
    "kl_gaussians",
    "kl_quad",
    "kl_reverse",
    "log_evidence",
    "loss_checklist",
    "multitask_data",
    "pgd_attack",
    "pgd_experiment",
    "pixel_features",
    "pixel_objective",
    "reverse_kl_optima",
    "robust_accuracy",
    "robust_margin_linear",
    "segmentation_data",
    "segmentation_scores",
    "train_moons_models",
    "train_multitask",
    "train_pixel_classifier",
    "uncertainty_weighted_loss",
    "weighted_bce_minimizer",
]


def _check_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _check_cost(value: Any, name: str) -> float:
    return check_in_interval(value, name, 0.0, np.inf, closed="left")


def _check_costs(first: Any, second: Any, names: tuple[str, str]) -> tuple[float, float]:
    a, b = _check_cost(first, names[0]), _check_cost(second, names[1])
    if a + b == 0:
        raise ValueError(f"{names[0]} and {names[1]} must not both be 0 (every decision is free).")
    return a, b


# ======================================================================================
# 1. Cost-sensitive and asymmetric losses
# ======================================================================================


def _bce_inputs(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = as_float_array(y_true, "y_true")
    f = as_float_array(y_pred, "y_pred")
    check_same_shape(y, f)
    check_binary_labels(y, "y_true")
    return y, f


def cost_weighted_bce(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    cost_fn: float = 1.0,
    cost_fp: float = 1.0,
    reduction: str = "mean",
) -> FloatArray | float:
    r"""Binary cross-entropy with logits where a missed positive costs ``cost_fn`` times more.

    .. math::
        \ell(y, f) = c_\text{FN}\, y \log\bigl(1 + e^{-f}\bigr)
            + c_\text{FP}\,(1 - y) \log\bigl(1 + e^{f}\bigr)

    The positive term is the log loss of calling a positive negative, weighted by the cost
    of a false negative; the negative term likewise with the cost of a false positive.
    Its population minimiser for an example whose true probability is :math:`q` is
    :math:`\sigma(f^*) = c_\text{FN} q / (c_\text{FN} q + c_\text{FP}(1 - q))`
    (:func:`weighted_bce_minimizer`), which crosses 1/2 exactly at
    :math:`q = c_\text{FP}/(c_\text{FP} + c_\text{FN})`: a model trained with this loss and
    thresholded at 1/2 makes the Bayes-optimal cost-sensitive decision. Its logit is the
    unweighted one shifted by :math:`\log(c_\text{FN}/c_\text{FP})`, so it is *not* a
    calibrated probability.

    Gradient: :math:`\partial\ell/\partial f = -c_\text{FN}\, y\, \sigma(-f)
    + c_\text{FP}(1 - y)\,\sigma(f)`.

    Numerical stability: ``np.logaddexp(0, ±f)`` (softplus) and ``scipy.special.expit``
    stay finite and exact for logits of any size.

    Args:
        y_true: binary labels 0 or 1.
        y_pred: logits f (raw scores), same shape.
        cost_fn: cost of a false negative, >= 0.
        cost_fp: cost of a false positive, >= 0 (not both 0).
        reduction: ``"mean"`` (over elements, not normalised by the weights: the average
            cost-weighted log loss), ``"sum"`` or ``"none"``.

    Reference: ``torch.nn.functional.binary_cross_entropy_with_logits(f, y,
    weight=cost_fn * y + cost_fp * (1 - y))``, which also averages weight × loss over the
    elements.

    >>> round(cost_weighted_bce([1, 0], [0.0, 0.0], cost_fn=5.0, cost_fp=1.0), 6)   # 3 log 2
    2.079442
    """
    y, f = _bce_inputs(y_true, y_pred)
    cost_fn, cost_fp = _check_costs(cost_fn, cost_fp, ("cost_fn", "cost_fp"))
    reduction = check_reduction(reduction)
    values = cost_fn * y * np.logaddexp(0.0, -f) + cost_fp * (1.0 - y) * np.logaddexp(0.0, f)
    return reduce(values, reduction)


def cost_weighted_bce_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    cost_fn: float = 1.0,
    cost_fp: float = 1.0,
    reduction: str = "mean",
) -> FloatArray:
    """The gradient of :func:`cost_weighted_bce` with respect to the logits ``y_pred``."""
    y, f = _bce_inputs(y_true, y_pred)
    cost_fn, cost_fp = _check_costs(cost_fn, cost_fp, ("cost_fn", "cost_fp"))
    grad = -cost_fn * y * special.expit(-f) + cost_fp * (1.0 - y) * special.expit(f)
    return reduce_grad(grad, reduction)


def weighted_bce_minimizer(q: ArrayLike, cost_fn: float, cost_fp: float) -> FloatArray:
    r"""The probability :math:`\sigma(f^*)` that minimises the expected :func:`cost_weighted_bce`.

    For a label :math:`y \sim \text{Bernoulli}(q)` the expected loss
    :math:`c_\text{FN}\, q\, \text{softplus}(-f) + c_\text{FP}(1 - q)\,\text{softplus}(f)`
    has its minimum where :math:`c_\text{FN}\, q\,\sigma(-f) = c_\text{FP}(1 - q)\,\sigma(f)`:

    .. math::
        \sigma(f^*) = \frac{c_\text{FN}\, q}{c_\text{FN}\, q + c_\text{FP}\,(1 - q)}.

    Args:
        q: true probabilities of class 1, in [0, 1].
        cost_fn: cost of a false negative, >= 0.
        cost_fp: cost of a false positive, >= 0 (not both 0).

    Returns:
        σ(f*), the shape of ``q``.
    """
    q = as_float_array(q, "q")
    check_probabilities(q, "q")
    cost_fn, cost_fp = _check_costs(cost_fn, cost_fp, ("cost_fn", "cost_fp"))
    num = cost_fn * q
    den = num + cost_fp * (1.0 - q)
    return np.divide(num, den, out=np.full_like(q, 0.5), where=den > 0)


def _regression_inputs(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = as_float_array(y_true, "y_true")
    yhat = as_float_array(y_pred, "y_pred")
    check_same_shape(y, yhat)
    return y, yhat


def asymmetric_linear(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    cost_under: float = 1.0,
    cost_over: float = 1.0,
    reduction: str = "mean",
) -> FloatArray | float:
    r"""The "lin-lin" loss: ``cost_under`` per unit of under-prediction, ``cost_over`` per unit over.

    .. math::
        \ell(y, \hat y) = c_\text{under} \max(y - \hat y, 0) + c_\text{over} \max(\hat y - y, 0)
        = (c_\text{under} + c_\text{over})\, \rho_\tau(y - \hat y),
        \qquad \tau = \frac{c_\text{under}}{c_\text{under} + c_\text{over}}

    A scaled pinball loss (:func:`lossviz.losses.pinball` with ``quantile=τ``), so the
    prediction that minimises its expected value is the τ-quantile of y: stocking a shop
    where a lost sale costs three times an unsold item (``cost_under=3``,
    ``cost_over=1``) means ordering the 75th percentile of demand.

    Gradient: :math:`-c_\text{under}` where :math:`y > \hat y`, :math:`c_\text{over}` where
    :math:`y < \hat y`, and 0 at the kink (the convention of
    :func:`lossviz.losses.pinball_grad`).

    Args:
        y_true: targets y.
        y_pred: predictions ŷ, same shape.
        cost_under: cost per unit when ŷ < y, >= 0.
        cost_over: cost per unit when ŷ > y, >= 0 (not both 0).
        reduction: ``"mean"`` (over elements), ``"sum"`` or ``"none"``.

    >>> asymmetric_linear([10.0, 10.0], [8.0, 11.0], cost_under=3.0, cost_over=1.0)  # (6 + 1)/2
    3.5
    """
    y, yhat = _regression_inputs(y_true, y_pred)
    cost_under, cost_over = _check_costs(cost_under, cost_over, ("cost_under", "cost_over"))
    reduction = check_reduction(reduction)
    r = y - yhat
    values = cost_under * np.maximum(r, 0.0) + cost_over * np.maximum(-r, 0.0)
    return reduce(values, reduction)


def asymmetric_linear_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    cost_under: float = 1.0,
    cost_over: float = 1.0,
    reduction: str = "mean",
) -> FloatArray:
    """The (sub)gradient of :func:`asymmetric_linear` with respect to ``y_pred``."""
    y, yhat = _regression_inputs(y_true, y_pred)
    cost_under, cost_over = _check_costs(cost_under, cost_over, ("cost_under", "cost_over"))
    grad = np.where(y > yhat, -cost_under, np.where(y < yhat, cost_over, 0.0))
    return reduce_grad(grad, reduction)


@dataclass(frozen=True)
class BayesDecisionCheck:
    """The Bayes-optimal cost-sensitive decision, derived and recovered three ways.

    Attributes:
        cost_fn: cost of a false negative.
        cost_fp: cost of a false positive.
        threshold: the analytic threshold t* = c_FP / (c_FP + c_FN) on the true
            probability (``lossviz.metrics.bayes_threshold``).
        pointwise_threshold: the smallest q on a grid of step 1e-4 where deciding
            "positive" has the lower expected cost, (1 − q) c_FP < q c_FN.
        grid_threshold: the threshold (grid of step 1e-3) minimising the population risk
            E_x[expected cost] of thresholding the true probability q(x).
        risk_at_threshold: the population risk at t*.
        risk_at_half: the population risk at the usual threshold 1/2.
        empirical_threshold: the threshold minimising
            ``lossviz.metrics.expected_cost`` on the sampled labels (noisy).
        empirical_cost_at_threshold: that sample's cost at t*.
        empirical_cost_min: that sample's smallest cost over the grid.
        weighted_slope: slope a of the logistic model f = a x + b fitted with
            :func:`cost_weighted_bce` (true slope 2).
        weighted_intercept: its intercept b (true logit intercept −0.5, shifted by
            log(c_FN / c_FP) in theory).
        weighted_boundary: x where the weighted model's σ(f) crosses 1/2.
        bayes_boundary: x where the true q(x) crosses t*.
    """

    cost_fn: float
    cost_fp: float
    threshold: float
    pointwise_threshold: float
    grid_threshold: float
    risk_at_threshold: float
    risk_at_half: float
    empirical_threshold: float
    empirical_cost_at_threshold: float
    empirical_cost_min: float
    weighted_slope: float
    weighted_intercept: float
    weighted_boundary: float
    bayes_boundary: float


#: The true model of :func:`bayes_decision_check`: q(x) = σ(SLOPE x + INTERCEPT).
_TRUE_SLOPE, _TRUE_INTERCEPT = 2.0, -0.5


def _population_risk(
    q: FloatArray, thresholds: FloatArray, cost_fn: float, cost_fp: float
) -> FloatArray:
    """E_x[c_FN q 1{q < t} + c_FP (1 − q) 1{q ≥ t}] for every t, by sorting q once."""
    qs = np.sort(q)
    below = np.searchsorted(qs, thresholds, side="left")  # how many q < t
    miss = np.concatenate([[0.0], np.cumsum(qs)])[below]  # Σ q over q < t
    alarm = np.concatenate([[0.0], np.cumsum((1.0 - qs)[::-1])])[::-1][below]  # Σ (1−q), q ≥ t
    return (cost_fn * miss + cost_fp * alarm) / q.size


def bayes_decision_check(
    cost_fn: float = 5.0, cost_fp: float = 1.0, *, n: int = 20_000, seed: int = 0
) -> BayesDecisionCheck:
    r"""Recover the Bayes-optimal threshold :math:`c_\text{FP}/(c_\text{FP} + c_\text{FN})` numerically.

    The population: x uniform on [−3, 3] and :math:`y \sim \text{Bernoulli}(q(x))` with
    :math:`q(x) = \sigma(2x - 0.5)`. Three independent routes to the decision:

    - pointwise: for each true probability q on a fine grid, compare the expected costs
      of the two decisions, :math:`(1 - q)\,c_\text{FP}` against :math:`q\,c_\text{FN}`;
    - population risk: threshold q(x) at every t on a grid and average the expected cost
      over x (no label noise), then take the argmin; and the same with
      ``lossviz.metrics.expected_cost`` on ``n`` sampled labels (noisy);
    - training: fit the logistic model f = a x + b to the sample with
      :func:`cost_weighted_bce` (L-BFGS, exact gradient) and threshold σ(f) at 1/2.

    Args:
        cost_fn: cost of a false negative, >= 0.
        cost_fp: cost of a false positive, >= 0 (not both 0).
        n: sample size of the empirical checks.
        seed: random seed.

    Returns:
        A :class:`BayesDecisionCheck`.
    """
    cost_fn, cost_fp = _check_costs(cost_fn, cost_fp, ("cost_fn", "cost_fp"))
    n = _check_int(n, "n", 10)
    t_star = metrics.bayes_threshold(cost_fn=cost_fn, cost_fp=cost_fp)

    q_grid = np.linspace(0.0, 1.0, 10_001)
    positive_cheaper = (1.0 - q_grid) * cost_fp < q_grid * cost_fn
    pointwise = float(q_grid[np.argmax(positive_cheaper)])

    x_pop = np.linspace(-3.0, 3.0, 200_001)
    q_pop = special.expit(_TRUE_SLOPE * x_pop + _TRUE_INTERCEPT)
    thresholds = np.linspace(0.0, 1.0, 1001)
    risk = _population_risk(q_pop, thresholds, cost_fn, cost_fp)
    best = int(np.argmin(risk))
    risk_at = _population_risk(q_pop, np.array([t_star, 0.5]), cost_fn, cost_fp)

    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, n)
    q = special.expit(_TRUE_SLOPE * x + _TRUE_INTERCEPT)
    y = (rng.uniform(size=n) < q).astype(np.float64)
    costs = np.array([metrics.expected_cost(y, q, float(t), cost_fn, cost_fp) for t in thresholds])

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        f = theta[0] * x + theta[1]
        g = cost_weighted_bce_grad(y, f, cost_fn=cost_fn, cost_fp=cost_fp)
        loss = cost_weighted_bce(y, f, cost_fn=cost_fn, cost_fp=cost_fp)
        return float(loss), np.array([g @ x, g.sum()])

    fit = optimize.minimize(
        objective,
        np.zeros(2),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-10, "ftol": 1e-14, "maxiter": 500},
    )
    a, b = (float(v) for v in fit.x)
    return BayesDecisionCheck(
        cost_fn=cost_fn,
        cost_fp=cost_fp,
        threshold=t_star,
        pointwise_threshold=pointwise,
        grid_threshold=float(thresholds[best]),
        risk_at_threshold=float(risk_at[0]),
        risk_at_half=float(risk_at[1]),
        empirical_threshold=float(thresholds[np.argmin(costs)]),
        empirical_cost_at_threshold=metrics.expected_cost(y, q, t_star, cost_fn, cost_fp),
        empirical_cost_min=float(costs.min()),
        weighted_slope=a,
        weighted_intercept=b,
        weighted_boundary=-b / a,
        bayes_boundary=float((special.logit(t_star) - _TRUE_INTERCEPT) / _TRUE_SLOPE),
    )


@dataclass(frozen=True)
class QuantileDecisionCheck:
    """The constant prediction that minimises :func:`asymmetric_linear`, found three ways.

    Attributes:
        cost_under: cost per unit of under-prediction.
        cost_over: cost per unit of over-prediction.
        tau: τ = cost_under / (cost_under + cost_over).
        analytic: the τ-quantile of the demand distribution (``scipy.stats.gamma.ppf``).
        sample_quantile: ``np.quantile(y, τ)`` of the sample (method "inverted_cdf").
        numeric: the minimiser of the mean loss over the sample
            (``scipy.optimize.minimize_scalar``, bounded).
        grid: the minimiser of the mean loss over a grid of step 0.01.
        mean_prediction: the sample mean (what MSE would predict).
        loss_at_numeric: the mean loss at ``numeric``.
        loss_at_mean: the mean loss at the sample mean (higher).
    """

    cost_under: float
    cost_over: float
    tau: float
    analytic: float
    sample_quantile: float
    numeric: float
    grid: float
    mean_prediction: float
    loss_at_numeric: float
    loss_at_mean: float


def asymmetric_regression_check(
    cost_under: float = 3.0, cost_over: float = 1.0, *, n: int = 5_000, seed: int = 0
) -> QuantileDecisionCheck:
    r"""The best constant prediction under :func:`asymmetric_linear` is the τ-quantile.

    Demand y follows a skewed gamma distribution (shape 2, scale 10: mean 20). The mean
    loss over ``n`` seeded samples is minimised numerically and compared with the sample
    τ-quantile and the distribution's τ-quantile, :math:`\tau = c_\text{under} /
    (c_\text{under} + c_\text{over})`.

    Args:
        cost_under: cost per unit of under-prediction, >= 0.
        cost_over: cost per unit of over-prediction, >= 0 (not both 0).
        n: sample size.
        seed: random seed.

    Returns:
        A :class:`QuantileDecisionCheck`.
    """
    from scipy.stats import gamma

    cost_under, cost_over = _check_costs(cost_under, cost_over, ("cost_under", "cost_over"))
    n = _check_int(n, "n", 2)
    tau = cost_under / (cost_under + cost_over)
    y = np.random.default_rng(seed).gamma(2.0, 10.0, n)

    def mean_loss(c: float) -> float:
        return float(
            asymmetric_linear(y, np.full_like(y, c), cost_under=cost_under, cost_over=cost_over)
        )

    res = optimize.minimize_scalar(
        mean_loss,
        bounds=(float(y.min()), float(y.max())),
        method="bounded",
        options={"xatol": 1e-9},
    )
    grid = np.arange(np.floor(y.min()), np.ceil(y.max()) + 0.01, 0.01)
    # mean loss on the grid in one pass: sort once, then cumulative sums
    ys = np.sort(y)
    k = np.searchsorted(ys, grid, side="right")  # how many y <= c
    csum = np.concatenate([[0.0], np.cumsum(ys)])
    over = grid * k - csum[k]
    under = (csum[-1] - csum[k]) - grid * (n - k)
    grid_loss = (cost_under * under + cost_over * over) / n
    mean = float(y.mean())
    return QuantileDecisionCheck(
        cost_under=cost_under,
        cost_over=cost_over,
        tau=tau,
        analytic=float(gamma.ppf(tau, 2.0, scale=10.0)),
        sample_quantile=float(np.quantile(y, tau, method="inverted_cdf")),
        numeric=float(res.x),
        grid=float(grid[np.argmin(grid_loss)]),
        mean_prediction=mean,
        loss_at_numeric=mean_loss(float(res.x)),
        loss_at_mean=mean_loss(mean),
    )


# ======================================================================================
# 2. Dice against cross-entropy on an imbalanced segmentation task
# ======================================================================================


@dataclass(frozen=True, eq=False)
class SegmentationData:
    """Seeded synthetic images with one small foreground blob each.

    Attributes:
        images: noisy intensities, shape ``(n, size, size)``.
        masks: the true foreground, 0.0 / 1.0, shape ``(n, size, size)``.
        features: :func:`pixel_features` of the images, shape ``(n, size, size, 3)``.
    """

    images: FloatArray
    masks: FloatArray
    features: FloatArray

    @property
    def foreground_share(self) -> float:
        """The fraction of foreground pixels over all images."""
        return float(self.masks.mean())


def pixel_features(images: ArrayLike) -> FloatArray:
    """Three local features per pixel: its intensity and the means of its 3×3 and 5×5 windows.

    Averaging over a window trades noise for resolution: a lone bright pixel is probably
    noise, a bright neighbourhood probably the blob. Borders are reflected
    (``scipy.ndimage.uniform_filter``, ``mode="reflect"``).

    Args:
        images: shape ``(n, height, width)``.

    Returns:
        Features of shape ``(n, height, width, 3)``.
    """
    images = as_float_array(images, "images")
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width); got shape {images.shape}.")
    return np.stack(
        [
            images,
            uniform_filter(images, size=(1, 3, 3), mode="reflect"),
            uniform_filter(images, size=(1, 5, 5), mode="reflect"),
        ],
        axis=-1,
    )


def segmentation_data(
    n_images: int = 60,
    size: int = 24,
    *,
    noise: float = 1.0,
    contrast: float = 1.0,
    seed: int = 0,
) -> SegmentationData:
    """Images of one small elliptical blob (about 4 % of the pixels) in Gaussian noise.

    Each image is ``contrast * mask + N(0, noise²)`` per pixel. The blob's centre is
    uniform in [5, size − 5]², its radius uniform in [2.2, 3.4] pixels and its aspect
    ratio in [0.7, 1.4], so on 24×24 images it covers 3–5 % of the pixels (4.3 % on
    average): a rare foreground class, as in lesion or cell segmentation.

    Args:
        n_images: number of images.
        size: image height and width in pixels (>= 12).
        noise: standard deviation of the pixel noise, > 0.
        contrast: the blob's mean intensity above the background, > 0.
        seed: random seed.

    Returns:
        A :class:`SegmentationData`.
    """
    n_images = _check_int(n_images, "n_images")
    size = _check_int(size, "size", 12)
    noise = check_positive(noise, "noise")
    contrast = check_positive(contrast, "contrast")
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:size, :size]
    masks = np.empty((n_images, size, size))
    for i in range(n_images):
        centre = rng.uniform(5.0, size - 5.0, 2)
        radius, aspect = rng.uniform(2.2, 3.4), rng.uniform(0.7, 1.4)
        inside = ((rows - centre[0]) / (radius * aspect)) ** 2 + (
            (cols - centre[1]) * aspect / radius
        ) ** 2 <= 1.0
        masks[i] = inside
    images = contrast * masks + rng.normal(0.0, noise, masks.shape)
    return SegmentationData(images=images, masks=masks, features=pixel_features(images))


@dataclass(frozen=True, eq=False)
class SegmentationModel:
    """A per-pixel logistic model p = σ(features · w + b) and how it was trained.

    Attributes:
        w: the feature weights, shape ``(n_features,)``.
        b: the intercept.
        loss: ``"bce"`` or ``"dice"``.
        history: the training loss after each step.
    """

    w: FloatArray
    b: float
    loss: str
    history: FloatArray

    def logits(self, features: ArrayLike) -> FloatArray:
        """f = features · w + b, the shape of ``features`` without its last axis."""
        F = as_float_array(features, "features")
        if F.shape[-1] != self.w.size:
            raise ValueError(
                f"features must have {self.w.size} values on the last axis; got shape {F.shape}."
            )
        return F @ self.w + self.b

    def predict_proba(self, features: ArrayLike) -> FloatArray:
        """σ(f), the predicted probability of foreground for every pixel."""
        return special.expit(self.logits(features))


def _check_segmentation(features: ArrayLike, masks: ArrayLike) -> tuple[FloatArray, FloatArray]:
    F = as_float_array(features, "features")
    M = as_float_array(masks, "masks")
    if M.ndim < 2 or F.shape[:-1] != M.shape:
        raise ValueError(
            f"features must have shape masks.shape + (n_features,) with masks of "
            f"shape (n, ...); got features {F.shape} and masks {M.shape}."
        )
    check_binary_labels(M, "masks")
    return F, M


def train_pixel_classifier(
    features: ArrayLike,
    masks: ArrayLike,
    loss: str = "bce",
    *,
    steps: int = 300,
    lr: float = 0.5,
) -> SegmentationModel:
    r"""Train p = σ(features · w + b) on every pixel with BCE or with soft Dice.

    - ``"bce"``: the mean of :func:`lossviz.losses.bce_with_logits` over all pixels of
      all images; every pixel counts the same, so with 4 % foreground the background
      dominates the loss.
    - ``"dice"``: :func:`lossviz.losses.dice` of the masks and p, one soft Dice loss
      per image, averaged over images. The gradient reaches the logits through the
      sigmoid by the chain rule, :math:`\partial L/\partial f = \partial L/\partial p
      \cdot p(1 - p)`, with :math:`\partial L/\partial p` from
      :func:`lossviz.losses.dice_grad`.

    Full-batch Adam (``lossviz.train.Adam``) from w = 0, b = 0, deterministic. With the
    defaults BCE converges (its optimum is scikit-learn's unpenalised
    ``LogisticRegression`` on the pooled pixels; the tests check it). Soft Dice has no
    finite minimiser here: it keeps falling as the weights grow and the probabilities
    harden towards 0 and 1, so its weights depend on ``steps`` (its hard predictions
    hardly do).

    Args:
        features: shape ``(n, height, width, n_features)``.
        masks: binary masks, shape ``(n, height, width)``.
        loss: ``"bce"`` or ``"dice"``.
        steps: Adam steps.
        lr: Adam's learning rate.

    Returns:
        A :class:`SegmentationModel`.
    """
    F, M = _check_segmentation(features, masks)
    if loss not in ("bce", "dice"):
        raise ValueError(f"loss must be 'bce' or 'dice'; got {loss!r}.")
    steps = _check_int(steps, "steps")
    X = F.reshape(-1, F.shape[-1])
    params = {"w": np.zeros(X.shape[1]), "b": np.zeros(())}
    opt = Adam(lr=lr)
    history = np.empty(steps)
    for step in range(steps):
        history[step], grad_w, grad_b = _pixel_objective(
            params["w"], float(params["b"]), X, M, loss
        )
        opt.step(params, {"w": grad_w, "b": np.asarray(grad_b)})
    return SegmentationModel(w=params["w"].copy(), b=float(params["b"]), loss=loss, history=history)


def _pixel_objective(
    w: FloatArray, b: float, X: FloatArray, M: FloatArray, loss: str
) -> tuple[float, FloatArray, float]:
    """The training loss of the per-pixel model and its gradient in (w, b)."""
    f = X @ w + b
    if loss == "bce":
        # lossviz.losses.bce_with_logits and its gradient, inlined: they validate their
        # input on every call, which costs more than the arithmetic here (tests compare)
        m_flat = M.ravel()
        value = float(np.mean(np.logaddexp(0.0, f) - m_flat * f))
        g = (special.expit(f) - m_flat) / f.size
    else:
        p = special.expit(f).reshape(M.shape)
        value = float(losses.dice(M, p))
        # chain rule through the sigmoid: dσ/df = σ(f) σ(−f), exact for large abs(f)
        g = (losses.dice_grad(M, p) * p * special.expit(-f).reshape(M.shape)).ravel()
    return value, X.T @ g, float(g.sum())


def pixel_objective(
    w: ArrayLike, b: float, features: ArrayLike, masks: ArrayLike, loss: str = "bce"
) -> tuple[float, FloatArray, float]:
    """The loss :func:`train_pixel_classifier` minimises, and its gradient in (w, b).

    Args:
        w: feature weights, shape ``(n_features,)``.
        b: intercept.
        features: shape ``(n, height, width, n_features)``.
        masks: binary masks, shape ``(n, height, width)``.
        loss: ``"bce"`` or ``"dice"``.

    Returns:
        ``(value, grad_w, grad_b)``.
    """
    F, M = _check_segmentation(features, masks)
    if loss not in ("bce", "dice"):
        raise ValueError(f"loss must be 'bce' or 'dice'; got {loss!r}.")
    w = as_float_array(w, "w")
    if w.shape != (F.shape[-1],):
        raise ValueError(f"w must have shape ({F.shape[-1]},); got {w.shape}.")
    return _pixel_objective(w, check_real(b, "b"), F.reshape(-1, F.shape[-1]), M, loss)


@dataclass(frozen=True)
class SegmentationScores:
    """Hard-prediction scores of a segmentation, pooled over all pixels of all images.

    Attributes:
        dice: 2 TP / (2 TP + FP + FN), the Dice score (= F1 of the foreground class).
        iou: TP / (TP + FP + FN), intersection over union (Jaccard).
        precision: TP / (TP + FP).
        recall: TP / (TP + FN).
        predicted_share: the fraction of pixels predicted foreground.
        true_share: the fraction of pixels that are foreground.
        mean_image_dice: the Dice score of each image, averaged over images.
        mean_probability: the mean predicted probability (the soft foreground share; for
            a calibrated model close to ``true_share``).
        uncertain_share: the fraction of pixels with a probability in (0.1, 0.9).
        threshold: the probability threshold used.
    """

    dice: float
    iou: float
    precision: float
    recall: float
    predicted_share: float
    true_share: float
    mean_image_dice: float
    mean_probability: float
    uncertain_share: float
    threshold: float


def segmentation_scores(
    masks: ArrayLike, probabilities: ArrayLike, threshold: float = 0.5
) -> SegmentationScores:
    """Score the segmentation ``probabilities >= threshold`` against the true ``masks``.

    Precision and recall come from :mod:`lossviz.metrics` (scikit-learn's conventions);
    the Dice score is ``lossviz.metrics.f1`` of the pooled pixels.

    Args:
        masks: binary masks, shape ``(n, ...)``.
        probabilities: predicted foreground probabilities, same shape.
        threshold: pixels with probability >= threshold are foreground.

    Returns:
        A :class:`SegmentationScores`.
    """
    M = as_float_array(masks, "masks")
    P = as_float_array(probabilities, "probabilities")
    check_same_shape(M, P, ("masks", "probabilities"))
    check_binary_labels(M, "masks")
    check_probabilities(P, "probabilities")
    threshold = check_real(threshold, "threshold")
    pred = (P >= threshold).astype(np.float64)
    (_, fp), (fn, tp) = metrics.confusion_matrix(M, pred)
    union = tp + fp + fn
    per_image = [metrics.f1(m, p) for m, p in zip(M, pred, strict=True)]
    return SegmentationScores(
        dice=metrics.f1(M, pred),
        iou=float(tp / union) if union else 0.0,
        precision=metrics.precision(M, pred),
        recall=metrics.recall(M, pred),
        predicted_share=float(pred.mean()),
        true_share=float(M.mean()),
        mean_image_dice=float(np.mean(per_image)),
        mean_probability=float(P.mean()),
        uncertain_share=float(np.mean((P > 0.1) & (P < 0.9))),
        threshold=threshold,
    )


@dataclass(frozen=True, eq=False)
class DiceVsBCE:
    """BCE against soft Dice on :func:`segmentation_data`, scored on held-out images.

    Attributes:
        train: the training images.
        test: the held-out images.
        bce: the model trained with BCE.
        dice: the model trained with soft Dice.
        bce_scores: the BCE model's test scores at threshold 1/2.
        dice_scores: the Dice model's test scores at threshold 1/2.
        bce_tuned_scores: the BCE model's test scores at ``bce_tuned_threshold``.
        bce_tuned_threshold: the threshold (grid of step 0.01) that maximises the BCE
            model's Dice score on the *training* images.
    """

    train: SegmentationData
    test: SegmentationData
    bce: SegmentationModel
    dice: SegmentationModel
    bce_scores: SegmentationScores
    dice_scores: SegmentationScores
    bce_tuned_scores: SegmentationScores
    bce_tuned_threshold: float


def dice_vs_bce(
    *,
    n_train: int = 60,
    n_test: int = 60,
    size: int = 24,
    noise: float = 1.0,
    steps: int = 300,
    lr: float = 0.5,
    seed: int = 0,
) -> DiceVsBCE:
    """Train the per-pixel model once with BCE and once with soft Dice; score both on new images.

    The training images use ``seed``, the test images ``seed + 1``. Both models are
    thresholded at 1/2. The BCE model's probabilities are calibrated for the rare class,
    so at 1/2 it calls a pixel foreground only when fairly sure and under-segments; the
    Dice loss rewards overlap directly and predicts a larger foreground. For a fair
    comparison the result also reports the BCE model at the threshold that maximises its
    Dice score on the training images: much of Dice's advantage is a threshold effect.

    Args:
        n_train: training images.
        n_test: test images.
        size: image size.
        noise: pixel noise (:func:`segmentation_data`).
        steps: Adam steps for each model.
        lr: Adam's learning rate.
        seed: random seed.

    Returns:
        A :class:`DiceVsBCE`.
    """
    train = segmentation_data(n_train, size, noise=noise, seed=seed)
    test = segmentation_data(n_test, size, noise=noise, seed=seed + 1)
    bce = train_pixel_classifier(train.features, train.masks, "bce", steps=steps, lr=lr)
    dice = train_pixel_classifier(train.features, train.masks, "dice", steps=steps, lr=lr)
    p_train = bce.predict_proba(train.features).ravel()
    fg = train.masks.ravel() == 1
    grid = np.round(np.arange(0.01, 1.0, 0.01), 2)
    # Dice = 2TP / (2TP + FP + FN) at every threshold at once, from sorted probabilities
    tp = fg.sum() - np.searchsorted(np.sort(p_train[fg]), grid, side="left")
    fp = (~fg).sum() - np.searchsorted(np.sort(p_train[~fg]), grid, side="left")
    train_dice = 2 * tp / (2 * tp + fp + (fg.sum() - tp))
    tuned = float(grid[int(np.argmax(train_dice))])
    p_bce = bce.predict_proba(test.features)
    return DiceVsBCE(
        train=train,
        test=test,
        bce=bce,
        dice=dice,
        bce_scores=segmentation_scores(test.masks, p_bce),
        dice_scores=segmentation_scores(test.masks, dice.predict_proba(test.features)),
        bce_tuned_scores=segmentation_scores(test.masks, p_bce, tuned),
        bce_tuned_threshold=tuned,
    )


# ======================================================================================
# 3. KL divergence and the ELBO
# ======================================================================================


def _check_sigma(sigma: ArrayLike, name: str) -> FloatArray:
    s = as_float_array(sigma, name)
    if np.any(s <= 0):
        raise ValueError(f"{name} must be > 0 (a standard deviation); got {s[s <= 0].flat[0]!r}.")
    return s


def kl_gaussians(
    mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike, sigma2: ArrayLike
) -> FloatArray | float:
    r"""KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) in closed form.

    .. math::
        \mathrm{KL} = \log\frac{\sigma_2}{\sigma_1}
            + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12

    Zero exactly when the two Gaussians are equal, and not symmetric: swapping them
    changes the value unless σ₁ = σ₂. The arguments broadcast; scalars give a float.

    Args:
        mu1: mean of the first distribution (the one the expectation is over).
        sigma1: its standard deviation, > 0.
        mu2: mean of the second distribution.
        sigma2: its standard deviation, > 0.

    >>> kl_gaussians(0.0, 1.0, 0.0, 1.0)
    0.0
    """
    m1, m2 = as_float_array(mu1, "mu1"), as_float_array(mu2, "mu2")
    s1, s2 = _check_sigma(sigma1, "sigma1"), _check_sigma(sigma2, "sigma2")
    value = np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2.0 * s2**2) - 0.5
    return float(value) if np.ndim(value) == 0 else value


def kl_quad(
    log_p: Callable[[float], float],
    log_q: Callable[[float], float],
    lower: float = -np.inf,
    upper: float = np.inf,
    *,
    points: Sequence[float] | None = None,
) -> float:
    r"""KL(p ‖ q) = ∫ p(x) (log p(x) − log q(x)) dx by adaptive quadrature (``scipy.integrate.quad``).

    The reference for every closed form and grid formula in this module. Where
    :math:`p(x)` underflows to 0 the integrand is 0 (the limit of :math:`p \log p`).

    Args:
        log_p: the log-density of p, a function of one float.
        log_q: the log-density of q.
        lower: lower limit of integration (may be ``-np.inf`` when ``points`` is None).
        upper: upper limit.
        points: break points inside a finite interval where the integrand changes fast
            (the modes of a mixture).

    Returns:
        The divergence, in nats.
    """

    def integrand(x: float) -> float:
        lp = log_p(x)
        return 0.0 if lp == -np.inf else float(np.exp(lp) * (lp - log_q(x)))

    kwargs: dict[str, Any] = {"limit": 400, "epsabs": 1e-13, "epsrel": 1e-12}
    if points is not None:
        if not (np.isfinite(lower) and np.isfinite(upper)):
            raise ValueError("points needs finite lower and upper limits (scipy.integrate.quad).")
        kwargs["points"] = list(points)
    value, _ = integrate.quad(integrand, lower, upper, **kwargs)
    return float(value)


@dataclass(frozen=True, eq=False)
class GaussianMixture1D:
    r"""A mixture of one-dimensional Gaussians, :math:`p(x) = \sum_k w_k\,\mathcal N(x; m_k, s_k^2)`.

    Attributes:
        weights: the mixture weights, positive and summing to 1.
        means: the component means.
        sigmas: the component standard deviations, > 0.
    """

    weights: FloatArray
    means: FloatArray
    sigmas: FloatArray

    def __post_init__(self) -> None:
        w = as_float_array(self.weights, "weights").ravel()
        m = as_float_array(self.means, "means").ravel()
        s = _check_sigma(self.sigmas, "sigmas").ravel()
        if not (w.size == m.size == s.size):
            raise ValueError(
                f"weights, means and sigmas must have the same length; got "
                f"{w.size}, {m.size} and {s.size}."
            )
        if np.any(w <= 0) or abs(w.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must be positive and sum to 1; got {w.tolist()}.")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "means", m)
        object.__setattr__(self, "sigmas", s)

    def _log_components(self, x: FloatArray) -> FloatArray:
        """log(w_k N(x; m_k, s_k²)), components on the *first* axis: shape (K, *x.shape).

        Reductions over a short leading axis are elementwise operations in numpy, many
        times faster than over a trailing axis of length K.
        """
        shape = (-1,) + (1,) * x.ndim
        m, s = self.means.reshape(shape), self.sigmas.reshape(shape)
        d = (x - m) / s
        return (
            np.log(self.weights).reshape(shape) - np.log(s) - 0.5 * np.log(2 * np.pi) - 0.5 * d * d
        )

    def logpdf(self, x: ArrayLike) -> FloatArray | float:
        """log p(x), by log-sum-exp over the components (no underflow far from the modes)."""
        log_c = self._log_components(np.asarray(x, dtype=np.float64))
        top = np.max(log_c, axis=0)
        value = top + np.log(np.sum(np.exp(log_c - top), axis=0))
        return float(value) if value.ndim == 0 else value

    def pdf(self, x: ArrayLike) -> FloatArray | float:
        """p(x)."""
        return np.exp(self.logpdf(x))

    def log_derivatives(self, x: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        r"""log p(x) and its first two derivatives in x.

        With responsibilities :math:`r_k(x)` and :math:`a_k = -(x - m_k)/s_k^2`:
        :math:`(\log p)' = \sum_k r_k a_k` and
        :math:`(\log p)'' = \sum_k r_k (a_k^2 - 1/s_k^2) - ((\log p)')^2`.
        """
        xa = np.asarray(x, dtype=np.float64)
        log_c = self._log_components(xa)
        # log-sum-exp by hand: one exp serves log p and the responsibilities r_k
        top = np.max(log_c, axis=0)
        e = np.exp(log_c - top)
        total = np.sum(e, axis=0)
        r = e / total
        shape = (-1,) + (1,) * xa.ndim
        inv_var = 1.0 / self.sigmas.reshape(shape) ** 2
        a = -(xa - self.means.reshape(shape)) * inv_var
        d1 = np.sum(r * a, axis=0)
        d2 = np.sum(r * (a * a - inv_var), axis=0) - d1 * d1
        return top + np.log(total), d1, d2

    @property
    def mean(self) -> float:
        r"""The mixture's mean :math:`\sum_k w_k m_k`."""
        return float(self.weights @ self.means)

    @property
    def var(self) -> float:
        r"""The mixture's variance :math:`\sum_k w_k (s_k^2 + m_k^2) - \text{mean}^2`."""
        return float(self.weights @ (self.sigmas**2 + self.means**2) - self.mean**2)

    @property
    def entropy(self) -> float:
        """The differential entropy −E_p[log p] (no closed form: quadrature on a fine grid)."""
        return -float(
            sum(
                w * _gauss_expect(self.logpdf, m, s)
                for w, m, s in zip(self.weights, self.means, self.sigmas, strict=True)
            )
        )


def bimodal_mixture(
    separation: float = 6.0, weight: float = 0.7, sigma: float = 1.0
) -> GaussianMixture1D:
    """Two Gaussians of standard deviation ``sigma`` at ±separation/2; ``weight`` on the left one.

    Args:
        separation: distance between the modes, >= 0.
        weight: the weight of the left mode, in (0, 1).
        sigma: the components' standard deviation, > 0.

    Returns:
        A :class:`GaussianMixture1D`.
    """
    separation = check_in_interval(separation, "separation", 0.0, np.inf, closed="left")
    weight = check_in_interval(weight, "weight", 0.0, 1.0)
    sigma = check_positive(sigma, "sigma")
    half = separation / 2.0
    return GaussianMixture1D(
        np.array([weight, 1.0 - weight]), np.array([-half, half]), np.array([sigma, sigma])
    )


#: Nodes and weights of E_{z ~ N(0, 1)}[g(z)] ≈ Σ ω_j g(z_j): the trapezoid rule on a
#: uniform grid, which converges geometrically for smooth integrands against a Gaussian
#: (Trefethen & Weideman 2014); 1e-14 agreement with scipy.integrate.quad in the tests.
_Z = np.linspace(-10.0, 10.0, 801)
_OMEGA = np.exp(-0.5 * _Z**2) / np.sqrt(2.0 * np.pi) * (_Z[1] - _Z[0])


def _gauss_expect(
    g: Callable[[FloatArray], Any],
    mu: ArrayLike,
    sigma: ArrayLike,
    nodes: tuple[FloatArray, FloatArray] = (_Z, _OMEGA),
) -> FloatArray | float:
    """E_{x ~ N(mu, sigma²)}[g(x)], broadcast over mu and sigma."""
    z, omega = nodes
    mu_a, sigma_a = np.broadcast_arrays(np.asarray(mu, float), np.asarray(sigma, float))
    values = np.asarray(g(mu_a[..., None] + sigma_a[..., None] * z)) @ omega
    return float(values) if np.ndim(values) == 0 else values


def _check_q(mu: ArrayLike, sigma: ArrayLike) -> tuple[FloatArray, FloatArray]:
    return as_float_array(mu, "mu"), _check_sigma(sigma, "sigma")


def kl_forward(p: GaussianMixture1D, mu: ArrayLike, sigma: ArrayLike) -> FloatArray | float:
    r"""KL(p ‖ q) for q = N(μ, σ²): the *mass-covering* direction (broadcast over μ, σ).

    .. math::
        \mathrm{KL}(p\,\|\,q) = -H(p) + \log\sigma + \tfrac12\log 2\pi
            + \frac{\mathrm{Var}_p + (\mathbb E_p x - \mu)^2}{2\sigma^2}

    The second part is exact (log q is quadratic, so only p's mean and variance enter);
    the entropy H(p) is a one-dimensional integral on a fine grid. Where p has mass and
    q has almost none the divergence explodes, so its minimiser spreads q over all of p:
    the moment-matched Gaussian (:func:`fit_forward_kl`).

    Args:
        p: the mixture.
        mu: mean(s) of q.
        sigma: standard deviation(s) of q, > 0.
    """
    mu_a, sigma_a = _check_q(mu, sigma)
    cross = (
        np.log(sigma_a)
        + 0.5 * np.log(2.0 * np.pi)
        + (p.var + (p.mean - mu_a) ** 2) / (2.0 * sigma_a**2)
    )
    value = cross - p.entropy
    return float(value) if np.ndim(value) == 0 else value


def kl_reverse(
    p: GaussianMixture1D, mu: ArrayLike, sigma: ArrayLike, *, n_nodes: int | None = None
) -> FloatArray | float:
    r"""KL(q ‖ p) for q = N(μ, σ²): the *mode-seeking* direction (broadcast over μ, σ).

    .. math::
        \mathrm{KL}(q\,\|\,p) = -\tfrac12\log(2\pi e\sigma^2) - \mathbb E_{q}[\log p(x)]

    Where q has mass and p has almost none the divergence explodes, so q avoids the gap
    between the modes and sits on one of them (:func:`fit_reverse_kl`). The expectation
    is the trapezoid rule on 801 standardised nodes in [−10, 10] (``n_nodes`` uses fewer,
    for fast curves in a demo).

    Args:
        p: the mixture.
        mu: mean(s) of q.
        sigma: standard deviation(s) of q, > 0.
        n_nodes: number of quadrature nodes (default 801; >= 41).
    """
    mu_a, sigma_a = _check_q(mu, sigma)
    nodes = (_Z, _OMEGA) if n_nodes is None else _nodes(n_nodes)
    value = -0.5 * np.log(2.0 * np.pi * np.e * sigma_a**2) - _gauss_expect(
        p.logpdf, mu_a, sigma_a, nodes
    )
    return float(value) if np.ndim(value) == 0 else value


def _nodes(n: int) -> tuple[FloatArray, FloatArray]:
    n = _check_int(n, "n_nodes", 41)
    z = np.linspace(-10.0, 10.0, n)
    return z, np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi) * (z[1] - z[0])


_COARSE_NODES = _nodes(201)


@dataclass(frozen=True)
class GaussianFit:
    """A Gaussian q = N(mu, sigma²) fitted to a mixture p, with both divergences.

    Attributes:
        mu: the mean of q.
        sigma: the standard deviation of q.
        kl_pq: KL(p ‖ q).
        kl_qp: KL(q ‖ p).
        direction: ``"forward"`` (minimises KL(p ‖ q)) or ``"reverse"`` (KL(q ‖ p)).
        n_iter: Newton iterations (0 for the closed-form forward fit).
    """

    mu: float
    sigma: float
    kl_pq: float
    kl_qp: float
    direction: str
    n_iter: int = 0


def fit_forward_kl(p: GaussianMixture1D) -> GaussianFit:
    """The Gaussian that minimises KL(p ‖ q): moment matching, μ = E_p[x], σ² = Var_p[x].

    Setting the derivatives of :func:`kl_forward` in μ and σ to zero gives exactly p's
    mean and variance: the fit covers both modes and puts its peak in the gap between them.
    """
    mu, sigma = p.mean, float(np.sqrt(p.var))
    return GaussianFit(
        mu, sigma, float(kl_forward(p, mu, sigma)), float(kl_reverse(p, mu, sigma)), "forward"
    )


def _reverse_objective(
    p: GaussianMixture1D,
    mu: FloatArray,
    s: FloatArray,
    hessian: bool,
    nodes: tuple[FloatArray, FloatArray] = (_Z, _OMEGA),
) -> tuple[FloatArray, ...]:
    """KL(q ‖ p) with σ = e^s; with ``hessian=True`` also its gradient and Hessian in (μ, s)."""
    z, omega = nodes
    sigma = np.exp(s)
    x = mu[:, None] + sigma[:, None] * z
    if not hessian:
        value = -s - 0.5 * np.log(2.0 * np.pi * np.e) - np.asarray(p.logpdf(x)) @ omega
        return (value,)
    log_p, d1, d2 = p.log_derivatives(x)
    value = -s - 0.5 * np.log(2.0 * np.pi * np.e) - log_p @ omega
    e1, e1z = d1 @ omega, (d1 * z) @ omega
    grad = np.stack([-e1, -1.0 - sigma * e1z], axis=-1)
    h_mm = -(d2 @ omega)
    h_ms = -sigma * ((d2 * z) @ omega)
    h_ss = -(sigma**2) * ((d2 * z * z) @ omega) - sigma * e1z
    return value, grad, np.stack([np.stack([h_mm, h_ms], -1), np.stack([h_ms, h_ss], -1)], -2)


def _newton(
    p: GaussianMixture1D,
    mu0: FloatArray,
    s0: FloatArray,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
    nodes: tuple[FloatArray, FloatArray] = (_Z, _OMEGA),
) -> tuple[FloatArray, FloatArray, FloatArray, int]:
    """Damped Newton on KL(q ‖ p) in (μ, log σ), for a batch of starting points at once.

    The Hessian is shifted to be positive definite where it is not, and each step is
    halved until it decreases the objective (Armijo); steps are capped at length 2.
    ``nodes`` are the quadrature nodes and weights (a coarse grid for a cheap first pass).
    """
    mu, s = mu0.astype(float).copy(), s0.astype(float).copy()
    value, grad, hess = _reverse_objective(p, mu, s, True, nodes)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        active = np.max(np.abs(grad), axis=-1) > tol
        if not np.any(active):
            n_iter -= 1
            break
        a, b, c = hess[:, 0, 0], hess[:, 0, 1], hess[:, 1, 1]
        lam_min = 0.5 * (a + c) - np.sqrt(0.25 * (a - c) ** 2 + b * b)
        shift = np.where(lam_min < 1e-8, 1e-8 - lam_min + 1e-3 * (1.0 + np.abs(lam_min)), 0.0)
        a, c = a + shift, c + shift
        det = a * c - b * b
        step = (
            -np.stack([c * grad[:, 0] - b * grad[:, 1], a * grad[:, 1] - b * grad[:, 0]], axis=-1)
            / det[:, None]
        )
        length = np.linalg.norm(step, axis=-1)
        step *= np.minimum(1.0, 2.0 / np.maximum(length, 1e-300))[:, None]
        slope = np.sum(grad * step, axis=-1)
        t = np.where(active, 1.0, 0.0)
        for _ in range(40):
            new_value = _reverse_objective(
                p, mu + t * step[:, 0], s + t * step[:, 1], False, nodes
            )[0]
            # the slack accepts steps whose decrease is below rounding (near the minimum)
            ok = new_value <= value + 1e-4 * t * slope + 1e-12 * (1.0 + np.abs(value))
            if np.all(ok | (t == 0)):
                break
            t = np.where(ok, t, 0.5 * t)
        t = np.where(ok, t, 0.0)
        mu, s = mu + t * step[:, 0], s + t * step[:, 1]
        value, grad, hess = _reverse_objective(p, mu, s, True, nodes)
        if np.all(t * np.linalg.norm(step, axis=-1) < 1e-14):
            break
    return mu, s, value, n_iter


def reverse_kl_optima(
    p: GaussianMixture1D, starts: Sequence[tuple[float, float]] | None = None
) -> list[GaussianFit]:
    """Every distinct local minimum of KL(q ‖ p) reached from ``starts``, best first.

    Each start (μ₀, σ₀) runs damped Newton (exact gradient and Hessian
    of the quadrature). By default the starts are each component of p and the
    moment-matched Gaussian. Minima closer than 1e-5 in μ and σ count once.

    Args:
        p: the mixture.
        starts: pairs (μ₀, σ₀) with σ₀ > 0.

    Returns:
        A list of :class:`GaussianFit` with ``direction="reverse"``, lowest KL(q ‖ p) first.
    """
    if starts is None:
        starts = [
            *zip(p.means.tolist(), p.sigmas.tolist(), strict=True),
            (p.mean, float(np.sqrt(p.var))),
        ]
    start = np.array(starts, dtype=np.float64).reshape(-1, 2)
    if not np.all(np.isfinite(start)) or np.any(start[:, 1] <= 0):
        raise ValueError(
            f"starts must be pairs (mu, sigma) of finite numbers with sigma > 0; "
            f"got {start.tolist()}."
        )
    # a cheap pass on 201 nodes, then polish on the full grid (one or two steps)
    mu, s, _, n_coarse = _newton(p, start[:, 0], np.log(start[:, 1]), tol=1e-6, nodes=_COARSE_NODES)
    mu, s, value, n_iter = _newton(p, mu, s)
    n_iter += n_coarse
    fits: list[GaussianFit] = []
    for i in np.argsort(value, kind="stable"):
        m, sg = float(mu[i]), float(np.exp(s[i]))
        if any(abs(m - f.mu) < 1e-5 and abs(sg - f.sigma) < 1e-5 for f in fits):
            continue
        fits.append(
            GaussianFit(m, sg, float(kl_forward(p, m, sg)), float(value[i]), "reverse", n_iter)
        )
    return fits


def fit_reverse_kl(
    p: GaussianMixture1D, starts: Sequence[tuple[float, float]] | None = None
) -> GaussianFit:
    """The Gaussian with the smallest KL(q ‖ p) among the local minima from ``starts``.

    With well-separated modes KL(q ‖ p) has one local minimum per mode, each a Gaussian
    sitting on that mode: the fit is *mode-seeking* and ignores the other mode entirely.
    With close modes the single minimum covers both. See :func:`reverse_kl_optima`.
    """
    return reverse_kl_optima(p, starts)[0]


def gaussian_posterior(
    x: ArrayLike, *, prior_sigma: float = 2.0, noise_sigma: float = 1.0
) -> tuple[float, float]:
    r"""The exact posterior N(μₙ, σₙ²) of θ given x₁..xₙ ~ N(θ, s²) with prior θ ~ N(0, s₀²).

    .. math::
        \frac1{\sigma_n^2} = \frac1{s_0^2} + \frac n{s^2}, \qquad
        \mu_n = \sigma_n^2 \frac{\sum_i x_i}{s^2}

    Args:
        x: the observations, shape ``(n,)``.
        prior_sigma: s₀, the prior standard deviation, > 0.
        noise_sigma: s, the observation noise, > 0.

    Returns:
        ``(mu_n, sigma_n)``.
    """
    xs, s0, s = _elbo_inputs(x, prior_sigma, noise_sigma)
    var = 1.0 / (1.0 / s0**2 + xs.size / s**2)
    return float(var * xs.sum() / s**2), float(np.sqrt(var))


def _elbo_inputs(
    x: ArrayLike, prior_sigma: float, noise_sigma: float
) -> tuple[FloatArray, float, float]:
    xs = as_float_array(x, "x")
    if xs.ndim != 1:
        raise ValueError(f"x must be 1-D, one observation per entry; got shape {xs.shape}.")
    return (
        xs,
        check_positive(prior_sigma, "prior_sigma"),
        check_positive(noise_sigma, "noise_sigma"),
    )


def log_evidence(x: ArrayLike, *, prior_sigma: float = 2.0, noise_sigma: float = 1.0) -> float:
    r"""log p(x) of the conjugate model: x ~ N(0, s² I + s₀² 1 1ᵀ), in closed form.

    The determinant and the quadratic form use the structure of the covariance (matrix
    determinant lemma and Sherman–Morrison):
    :math:`\log\det = (n - 1)\log s^2 + \log(s^2 + n s_0^2)` and
    :math:`x^\top\Sigma^{-1}x = \bigl(\sum x_i^2 - s_0^2 (\sum x_i)^2 / (s^2 + n s_0^2)\bigr)/s^2`.
    Agrees with ``scipy.stats.multivariate_normal.logpdf`` (tested).
    """
    xs, s0, s = _elbo_inputs(x, prior_sigma, noise_sigma)
    n = xs.size
    logdet = (n - 1) * np.log(s**2) + np.log(s**2 + n * s0**2)
    quad = (np.sum(xs**2) - s0**2 * xs.sum() ** 2 / (s**2 + n * s0**2)) / s**2
    return float(-0.5 * (n * np.log(2.0 * np.pi) + logdet + quad))


def elbo_gaussian(
    x: ArrayLike,
    q_mu: float,
    q_sigma: float,
    *,
    prior_sigma: float = 2.0,
    noise_sigma: float = 1.0,
) -> float:
    r"""The ELBO of q = N(m, v) for the conjugate Gaussian model, in closed form.

    .. math::
        \mathrm{ELBO}(q) = \mathbb E_q[\log p(x \mid \theta)] + \mathbb E_q[\log p(\theta)]
            - \mathbb E_q[\log q(\theta)]

    with :math:`\mathbb E_q[\log p(x\mid\theta)] = -\frac n2\log 2\pi s^2 -
    \sum_i \frac{(x_i - m)^2 + v}{2s^2}`, :math:`\mathbb E_q[\log p(\theta)] =
    -\frac12\log 2\pi s_0^2 - \frac{m^2 + v}{2 s_0^2}` and the entropy
    :math:`\frac12\log 2\pi e v`. It equals :math:`\log p(x) - \mathrm{KL}(q \,\|\,
    p(\theta\mid x))`, so it is at most the log evidence, with equality exactly at the
    posterior.

    Args:
        x: the observations, shape ``(n,)``.
        q_mu: m, the mean of q.
        q_sigma: the standard deviation of q, > 0 (v = q_sigma²).
        prior_sigma: s₀, > 0.
        noise_sigma: s, > 0.
    """
    xs, s0, s = _elbo_inputs(x, prior_sigma, noise_sigma)
    m = check_real(q_mu, "q_mu")
    v = check_positive(q_sigma, "q_sigma") ** 2
    n = xs.size
    likelihood = -0.5 * n * np.log(2 * np.pi * s**2) - np.sum((xs - m) ** 2 + v) / (2 * s**2)
    prior = -0.5 * np.log(2 * np.pi * s0**2) - (m * m + v) / (2 * s0**2)
    entropy = 0.5 * np.log(2 * np.pi * np.e * v)
    return float(likelihood + prior + entropy)


def elbo_monte_carlo(
    x: ArrayLike,
    q_mu: float,
    q_sigma: float,
    *,
    prior_sigma: float = 2.0,
    noise_sigma: float = 1.0,
    n_samples: int = 10_000,
    seed: int = 0,
) -> tuple[float, float]:
    """The ELBO by Monte Carlo: the mean of log p(x, θ) − log q(θ) over θ ~ q.

    Returns:
        ``(estimate, standard_error)``; at the exact posterior every sample gives the same
        value (log p(x)) and the standard error is 0 up to rounding.
    """
    xs, s0, s = _elbo_inputs(x, prior_sigma, noise_sigma)
    m = check_real(q_mu, "q_mu")
    sq = check_positive(q_sigma, "q_sigma")
    n_samples = _check_int(n_samples, "n_samples", 2)
    theta = m + sq * np.random.default_rng(seed).standard_normal(n_samples)

    def log_normal(v: FloatArray, mean: FloatArray | float, sd: float) -> FloatArray:
        return -0.5 * np.log(2 * np.pi * sd**2) - (v - mean) ** 2 / (2 * sd**2)

    log_joint = log_normal(xs[None, :], theta[:, None], s).sum(axis=1) + log_normal(theta, 0.0, s0)
    terms = log_joint - log_normal(theta, m, sq)
    return float(terms.mean()), float(terms.std(ddof=1) / np.sqrt(n_samples))


@dataclass(frozen=True)
class ELBOCheck:
    """The ELBO of a conjugate Gaussian model, checked against the exact posterior.

    Attributes:
        x: the observations.
        prior_sigma: s₀.
        noise_sigma: s.
        posterior_mu: μₙ of the exact posterior.
        posterior_sigma: σₙ of the exact posterior.
        fitted_mu: the mean of q that maximises the ELBO (L-BFGS over m and log σ).
        fitted_sigma: its standard deviation.
        log_evidence: log p(x), closed form.
        log_evidence_scipy: log p(x) from ``scipy.stats.multivariate_normal``.
        elbo_at_posterior: the ELBO at the exact posterior (closed form).
        elbo_mc_at_posterior: the Monte-Carlo ELBO there.
        elbo_mc_at_posterior_se: its standard error.
        elbo_at_prior: the ELBO at q = the prior (lower).
        elbo_mc_at_prior: the Monte-Carlo ELBO at the prior.
        elbo_mc_at_prior_se: its standard error.
        kl_prior_to_posterior: KL(prior ‖ posterior) = log p(x) − ELBO(prior).
    """

    x: tuple[float, ...]
    prior_sigma: float
    noise_sigma: float
    posterior_mu: float
    posterior_sigma: float
    fitted_mu: float
    fitted_sigma: float
    log_evidence: float
    log_evidence_scipy: float
    elbo_at_posterior: float
    elbo_mc_at_posterior: float
    elbo_mc_at_posterior_se: float
    elbo_at_prior: float
    elbo_mc_at_prior: float
    elbo_mc_at_prior_se: float
    kl_prior_to_posterior: float


def elbo_check(
    x: ArrayLike | None = None,
    *,
    prior_sigma: float = 2.0,
    noise_sigma: float = 1.0,
    n_samples: int = 10_000,
    seed: int = 0,
) -> ELBOCheck:
    """Maximise the ELBO over Gaussian q and compare with the exact posterior and log p(x).

    Args:
        x: the observations; by default five draws from N(1.5, noise_sigma²) with ``seed``.
        prior_sigma: s₀.
        noise_sigma: s.
        n_samples: Monte-Carlo samples.
        seed: random seed (data and Monte Carlo).

    Returns:
        An :class:`ELBOCheck`.
    """
    from scipy.stats import multivariate_normal

    if x is None:
        x = 1.5 + check_positive(noise_sigma, "noise_sigma") * np.random.default_rng(
            seed
        ).standard_normal(5)
    xs, s0, s = _elbo_inputs(x, prior_sigma, noise_sigma)
    mu_n, sigma_n = gaussian_posterior(xs, prior_sigma=s0, noise_sigma=s)

    def negative(theta: FloatArray) -> float:
        return -elbo_gaussian(
            xs, float(theta[0]), float(np.exp(theta[1])), prior_sigma=s0, noise_sigma=s
        )

    fit = optimize.minimize(
        negative, np.array([0.0, 0.0]), method="L-BFGS-B", options={"gtol": 1e-12, "ftol": 1e-15}
    )
    cov = s**2 * np.eye(xs.size) + s0**2 * np.ones((xs.size, xs.size))
    kw = {"prior_sigma": s0, "noise_sigma": s, "n_samples": n_samples, "seed": seed + 1}
    mc_post = elbo_monte_carlo(xs, mu_n, sigma_n, **kw)
    mc_prior = elbo_monte_carlo(xs, 0.0, s0, **kw)
    log_z = log_evidence(xs, prior_sigma=s0, noise_sigma=s)
    elbo_prior = elbo_gaussian(xs, 0.0, s0, prior_sigma=s0, noise_sigma=s)
    return ELBOCheck(
        x=tuple(float(v) for v in xs),
        prior_sigma=s0,
        noise_sigma=s,
        posterior_mu=mu_n,
        posterior_sigma=sigma_n,
        fitted_mu=float(fit.x[0]),
        fitted_sigma=float(np.exp(fit.x[1])),
        log_evidence=log_z,
        log_evidence_scipy=float(multivariate_normal(np.zeros(xs.size), cov).logpdf(xs)),
        elbo_at_posterior=elbo_gaussian(xs, mu_n, sigma_n, prior_sigma=s0, noise_sigma=s),
        elbo_mc_at_posterior=mc_post[0],
        elbo_mc_at_posterior_se=mc_post[1],
        elbo_at_prior=elbo_prior,
        elbo_mc_at_prior=mc_prior[0],
        elbo_mc_at_prior_se=mc_prior[1],
        kl_prior_to_posterior=log_z - elbo_prior,
    )


# ======================================================================================
# 4. Multi-task learning: fixed weights against uncertainty weighting
# ======================================================================================


@dataclass(frozen=True)
class UncertaintyLoss:
    """The value and derivatives of the uncertainty-weighted multi-task loss.

    Attributes:
        value: L = Σ_k L_k / (2σ_k²) + log σ_k.
        weights: ∂L/∂L_k = 1 / (2σ_k²), the weight each task's loss gets.
        grad_log_sigma: ∂L/∂(log σ_k) = 1 − L_k / σ_k².
    """

    value: float
    weights: FloatArray
    grad_log_sigma: FloatArray


def uncertainty_weighted_loss(task_losses: ArrayLike, log_sigma: ArrayLike) -> UncertaintyLoss:
    r"""Kendall, Gal & Cipolla (2018): weigh each task by a learned noise level σ_k.

    .. math::
        L = \sum_k \frac{1}{2\sigma_k^2} L_k + \log \sigma_k

    For a regression task whose :math:`L_k` is the mean squared error, each term is the
    Gaussian negative log-likelihood with noise σ_k (up to a constant). The
    :math:`\log\sigma_k` term stops σ_k from growing without bound; for fixed
    :math:`L_k` the minimum is at :math:`\sigma_k^2 = L_k`, so a noisy task learns a large
    σ_k and a small weight. Learning s = log σ (rather than σ) keeps σ positive.
    LibMTL's ``UW`` uses s = log σ² instead: :math:`L_k / (2e^{s}) + s/2`, the same loss.

    Args:
        task_losses: L_k >= 0, shape ``(K,)``.
        log_sigma: log σ_k, shape ``(K,)``.

    Returns:
        An :class:`UncertaintyLoss`.
    """
    L = as_float_array(task_losses, "task_losses")
    s = as_float_array(log_sigma, "log_sigma")
    check_same_shape(L, s, ("task_losses", "log_sigma"))
    if np.any(L < 0):
        raise ValueError("task_losses must be >= 0.")
    inv_var = np.exp(-2.0 * s)
    return UncertaintyLoss(
        value=float(np.sum(0.5 * inv_var * L + s)),
        weights=0.5 * inv_var,
        grad_log_sigma=1.0 - inv_var * L,
    )


def multitask_data(
    n: int, *, noise: tuple[float, float] = (0.5, 2.0), seed: int = 0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Two regression tasks on the same inputs, with different noise levels.

    x uniform on [−2, 2]²; task 1 is :math:`\sin(1.5 x_1) + x_2/2`, task 2 is
    :math:`x_1\cos x_2`, plus Gaussian noise of standard deviations ``noise``.

    Returns:
        ``(X, Y, F)``: inputs (n, 2), noisy targets (n, 2), noise-free targets (n, 2).
    """
    n = _check_int(n, "n")
    s1, s2 = (check_positive(v, "noise") for v in noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, (n, 2))
    F = np.column_stack([np.sin(1.5 * X[:, 0]) + 0.5 * X[:, 1], X[:, 0] * np.cos(X[:, 1])])
    Y = F + rng.normal(size=(n, 2)) * np.array([s1, s2])
    return X, Y, F


@dataclass(frozen=True, eq=False)
class MultiTaskRun:
    """A two-task network trained with one weighting scheme.

    Attributes:
        weighting: ``"equal"`` or ``"uncertainty"``.
        noise: the true noise levels (σ₁, σ₂).
        sigma: the learned σ_k (``"uncertainty"``), or (1, 1) for equal weights.
        sigma_history: σ_k after each epoch, shape ``(epochs, 2)``.
        train_mse: the per-task training MSE.
        test_mse: the per-task test MSE against the noisy targets.
        test_excess_mse: the per-task test MSE against the noise-free targets (the error
            the model adds to the irreducible noise).
        model: the trained ``lossviz.models.MLP`` (one shared hidden layer, two
            linear heads).
    """

    weighting: str
    noise: tuple[float, float]
    sigma: FloatArray
    sigma_history: FloatArray
    train_mse: FloatArray
    test_mse: FloatArray
    test_excess_mse: FloatArray
    model: MLP


def train_multitask(
    weighting: str = "uncertainty",
    *,
    n_train: int = 1000,
    n_test: int = 2000,
    hidden: int = 8,
    epochs: int = 2000,
    lr: float = 0.02,
    noise: tuple[float, float] = (0.5, 2.0),
    seed: int = 0,
) -> MultiTaskRun:
    r"""Train two regression heads on a shared tanh layer, with equal or uncertainty weights.

    The network is ``lossviz.models.MLP`` with ``n_outputs=2``: the hidden layer is
    shared, and each output is a linear head. With ``"equal"`` the loss is
    :math:`L_1 + L_2` (the MSEs); with ``"uncertainty"`` it is
    :func:`uncertainty_weighted_loss` with learned :math:`\log\sigma_k` (starting at 0),
    trained jointly with the network by full-batch Adam.

    Args:
        weighting: ``"equal"`` or ``"uncertainty"``.
        n_train: training examples.
        n_test: test examples (seed + 100).
        hidden: hidden units.
        epochs: Adam steps.
        lr: Adam's learning rate.
        noise: the tasks' noise levels.
        seed: random seed (data and initialisation).

    Returns:
        A :class:`MultiTaskRun`.
    """
    if weighting not in ("equal", "uncertainty"):
        raise ValueError(f"weighting must be 'equal' or 'uncertainty'; got {weighting!r}.")
    epochs = _check_int(epochs, "epochs")
    X, Y, _ = multitask_data(n_train, noise=noise, seed=seed)
    X_test, Y_test, F_test = multitask_data(n_test, noise=noise, seed=seed + 100)
    model = MLP(2, (hidden,), 2, seed=seed)
    log_sigma = np.zeros(2)
    params = {**model.params, "log_sigma": log_sigma}  # the same arrays: updated in place
    opt = Adam(lr=lr)
    history = np.empty((epochs, 2))
    for epoch in range(epochs):
        residual = model.forward(X) - Y
        task_losses = np.mean(residual**2, axis=0)
        if weighting == "equal":
            weights, grad_s = np.ones(2), np.zeros(2)
        else:
            combined = uncertainty_weighted_loss(task_losses, log_sigma)
            weights, grad_s = combined.weights, combined.grad_log_sigma
        grads = model.backward(X, 2.0 * residual / X.shape[0] * weights)
        opt.step(params, {**grads, "log_sigma": grad_s})
        history[epoch] = np.exp(log_sigma)
    return MultiTaskRun(
        weighting=weighting,
        noise=(float(noise[0]), float(noise[1])),
        sigma=np.exp(log_sigma),
        sigma_history=history,
        train_mse=np.mean((model.forward(X) - Y) ** 2, axis=0),
        test_mse=np.mean((model.forward(X_test) - Y_test) ** 2, axis=0),
        test_excess_mse=np.mean((model.forward(X_test) - F_test) ** 2, axis=0),
        model=model,
    )


# ======================================================================================
# 5. Adversarial training: PGD as a min–max loss
# ======================================================================================


def _check_binary_model(model: Model) -> Model:
    if isinstance(model, LogisticRegression):
        return model
    if isinstance(model, MLP) and model.n_outputs == 1:
        return model
    raise TypeError(
        f"model must be a lossviz.models.LogisticRegression or an MLP with "
        f"n_outputs=1 (one logit); got {type(model).__name__}."
    )


def _check_xy(X: ArrayLike, y: ArrayLike, model: Model) -> tuple[FloatArray, FloatArray]:
    Xa = as_float_array(X, "X")
    ya = as_float_array(y, "y")
    if Xa.ndim != 2 or Xa.shape[1] != model.n_features or ya.shape != (Xa.shape[0],):
        raise ValueError(
            f"X must have shape (n, {model.n_features}) and y shape (n,); got X "
            f"{Xa.shape} and y {ya.shape}."
        )
    check_binary_labels(ya, "y")
    return Xa, ya


def input_gradient(model: Model, X: ArrayLike) -> FloatArray:
    r"""∂f/∂x, the gradient of the model's logit with respect to each input row.

    For ``lossviz.models.LogisticRegression`` it is w for every row. For an
    ``lossviz.models.MLP`` with one output it is the backward pass continued one
    layer further, to the inputs: :math:`\partial f/\partial h = W_\text{out}`, then
    through each hidden layer :math:`\partial f/\partial h_\text{prev} = (\partial f/
    \partial h \odot \mathrm{act}'(z))\, W^\top`.

    Args:
        model: a logistic model or a one-output MLP.
        X: inputs, shape ``(n, n_features)``.

    Returns:
        Shape ``(n, n_features)``.
    """
    model = _check_binary_model(model)
    Xa = as_float_array(X, "X")
    if Xa.ndim != 2 or Xa.shape[1] != model.n_features:
        raise ValueError(f"X must have shape (n, {model.n_features}); got {Xa.shape}.")
    return np.array(_logit_and_input_grad(model, Xa)[1])


def _logit_and_input_grad(model: Model, X: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The logits f(X) and ∂f/∂x from one forward pass (no input checks: internal)."""
    if isinstance(model, LogisticRegression):
        w = model.params["w"]
        return X @ w + model.params["b"], np.broadcast_to(w, X.shape)
    assert isinstance(model, MLP)
    out, cache = model._forward_cache(X)
    g = np.broadcast_to(model.params["W_out"][:, 0], (X.shape[0], model.hidden[-1]))
    for name, (_, z, a) in zip(reversed(model._layers[:-1]), reversed(cache[:-1]), strict=True):
        g = (g * model._act_grad(z, a)) @ model.params["W" + name].T
    return out[:, 0], np.asarray(g)


def _pgd(
    model: Model,
    X: FloatArray,
    y: FloatArray,
    eps: float,
    alpha: float,
    steps: int,
    delta: FloatArray,
) -> FloatArray:
    """The PGD loop of :func:`pgd_attack` from ``delta`` (no input checks: internal)."""
    for _ in range(steps):
        f, df_dx = _logit_and_input_grad(model, X + delta)
        # ∂ℓ/∂x = (σ(f) − y) ∂f/∂x for the cross-entropy of a logit
        grad = (special.expit(f) - y)[:, None] * df_dx
        delta = np.clip(delta + alpha * np.sign(grad), -eps, eps)
    return delta


def pgd_attack(
    model: Model,
    X: ArrayLike,
    y: ArrayLike,
    *,
    eps: float,
    alpha: float | None = None,
    steps: int = 10,
    random_start: bool = True,
    seed: int = 0,
) -> FloatArray:
    r"""L∞ projected gradient ascent on the loss: the worst perturbation δ with ‖δ‖∞ ≤ ε.

    Madry et al. (2018): start from δ uniform in the ε-box (``random_start``), then
    ``steps`` times

    .. math::
        \delta \leftarrow \Pi_{[-\varepsilon, \varepsilon]^d}\bigl(\delta + \alpha\,
        \operatorname{sign} \nabla_x \ell(y, f(x + \delta))\bigr),

    with ℓ the binary cross-entropy of the logit f and the projection a clip. The sign
    makes every step a corner move of the L∞ ball (the steepest ascent for that norm).

    Args:
        model: a logistic model or a one-output MLP.
        X: inputs, shape ``(n, d)``.
        y: binary labels 0/1, shape ``(n,)``.
        eps: the radius ε >= 0 of the L∞ ball.
        alpha: step size; default 2.5 ε / steps (Madry et al.).
        steps: number of steps k.
        random_start: start from a uniform point in the box instead of 0.
        seed: seeds the random start.

    Returns:
        δ, shape ``(n, d)``, with every entry in [−ε, ε].
    """
    model = _check_binary_model(model)
    Xa, ya = _check_xy(X, y, model)
    eps = check_in_interval(eps, "eps", 0.0, np.inf, closed="left")
    steps = _check_int(steps, "steps", 0)
    alpha = (
        2.5 * eps / max(steps, 1)
        if alpha is None
        else check_in_interval(alpha, "alpha", 0.0, np.inf, closed="left")
    )
    if eps == 0.0:
        return np.zeros_like(Xa)
    rng = np.random.default_rng(seed)
    delta = rng.uniform(-eps, eps, Xa.shape) if random_start else np.zeros_like(Xa)
    return _pgd(model, Xa, ya, eps, alpha, steps, delta)


def robust_margin_linear(
    model: LogisticRegression, X: ArrayLike, y: ArrayLike, eps: float
) -> FloatArray:
    r"""The exact worst-case margin of a linear model over the L∞ ball: m − ε‖w‖₁.

    With labels ±1 (:math:`\tilde y = 2y - 1`) the margin :math:`\tilde y (w^\top x + b)`
    over :math:`\lVert\delta\rVert_\infty \le \varepsilon` is smallest at
    :math:`\delta^* = -\varepsilon\,\tilde y \operatorname{sign}(w)`, where it drops by
    :math:`\varepsilon \lVert w\rVert_1` (Hölder's inequality). The cross-entropy is
    decreasing in the margin, so its inner maximum is
    :math:`\log(1 + e^{-(m - \varepsilon\lVert w\rVert_1)})`: adversarial training of a
    linear model is an L1-like penalty inside the loss.

    Returns:
        The worst-case margins, shape ``(n,)``.
    """
    if not isinstance(model, LogisticRegression):
        raise TypeError(
            f"model must be a lossviz.models.LogisticRegression; got {type(model).__name__}."
        )
    Xa, ya = _check_xy(X, y, model)
    eps = check_in_interval(eps, "eps", 0.0, np.inf, closed="left")
    return (2.0 * ya - 1.0) * model.forward(Xa) - eps * float(np.sum(np.abs(model.params["w"])))


def robust_accuracy(
    model: Model, X: ArrayLike, y: ArrayLike, eps: float, *, steps: int = 10, seed: int = 0
) -> float:
    """The accuracy on ``X + pgd_attack(...)``: the fraction still classified right under attack.

    PGD gives an upper bound on the true robust accuracy (a stronger attack can only find
    more errors); for a linear model it is exact (:func:`robust_margin_linear`).
    """
    model = _check_binary_model(model)
    Xa, ya = _check_xy(X, y, model)
    delta = pgd_attack(model, Xa, ya, eps=eps, steps=steps, seed=seed)
    return float(np.mean((model.forward(Xa + delta) > 0) == (ya == 1)))


def adversarial_training(
    model: Model,
    X: ArrayLike,
    y: ArrayLike,
    *,
    eps: float,
    epochs: int = 500,
    lr: float = 0.04,
    steps: int = 5,
    seed: int = 0,
) -> FloatArray:
    r"""Train ``model`` in place on the min–max loss :math:`\min_\theta \frac1n\sum_i
    \max_{\lVert\delta_i\rVert_\infty \le \varepsilon} \ell(y_i, f_\theta(x_i + \delta_i))`.

    Each epoch finds the inner maximum approximately with :func:`pgd_attack` (``steps``
    steps, random start), then takes one full-batch Adam step on
    the cross-entropy at the perturbed inputs (Danskin's theorem: the gradient of the
    max is the gradient at the maximiser). With ``eps=0`` it is ordinary training.

    Args:
        model: a logistic model or a one-output MLP (trained in place).
        X: inputs, shape ``(n, d)``.
        y: binary labels, shape ``(n,)``.
        eps: the training radius ε.
        epochs: Adam steps.
        lr: Adam's learning rate.
        steps: PGD steps per epoch.
        seed: seeds the PGD random starts.

    Returns:
        The adversarial training loss at each epoch, shape ``(epochs,)``.
    """
    model = _check_binary_model(model)
    Xa, ya = _check_xy(X, y, model)
    epochs = _check_int(epochs, "epochs")
    opt = Adam(lr=lr)
    history = np.empty(epochs)
    eps = check_in_interval(eps, "eps", 0.0, np.inf, closed="left")
    steps = _check_int(steps, "steps", 0)
    alpha = 2.5 * eps / max(steps, 1)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        x_adv = Xa
        if eps > 0:  # the same attack as pgd_attack, one random stream for the whole run
            x_adv = Xa + _pgd(model, Xa, ya, eps, alpha, steps, rng.uniform(-eps, eps, Xa.shape))
        f = model.forward(x_adv)
        history[epoch] = losses.bce_with_logits(ya, f)
        opt.step(model.params, model.backward(x_adv, losses.bce_with_logits_grad(ya, f)))
    return history


@dataclass(frozen=True, eq=False)
class PGDExperiment:
    """Robust accuracy against ε for standard and adversarially trained models.

    Attributes:
        eps_grid: the attack radii ε.
        train_eps: the radius used in adversarial training.
        accuracy: model name -> robust test accuracy at each ε (``"logistic"``,
            ``"logistic_adversarial"``, ``"mlp"``, ``"mlp_adversarial"``).
        models: model name -> the trained model.
        linear_gap: the largest difference between the PGD margins and the closed-form
            worst-case margins m − ε‖w‖₁ of the two logistic models over ``eps_grid``.
        X_train: training inputs.
        y_train: training labels.
        X_test: test inputs.
        y_test: test labels.
    """

    eps_grid: FloatArray
    train_eps: float
    accuracy: Mapping[str, FloatArray]
    models: Mapping[str, Model]
    linear_gap: float
    X_train: FloatArray
    y_train: FloatArray
    X_test: FloatArray
    y_test: FloatArray

    def table(self) -> str:
        """The accuracies as a plain-text table, one row per model."""
        head = "model".ljust(22) + "".join(f"ε={e:<6.2f}" for e in self.eps_grid)
        rows = [
            name.ljust(22) + "".join(f"{a:<8.3f}" for a in acc)
            for name, acc in self.accuracy.items()
        ]
        return "\n".join([head, *rows])


def train_moons_models(
    *,
    train_eps: float = 0.2,
    n_train: int = 300,
    noise: float = 0.15,
    hidden: int = 16,
    epochs: int = 500,
    seed: int = 0,
    kinds: Sequence[str] = ("logistic", "mlp"),
) -> tuple[dict[str, Model], FloatArray, FloatArray]:
    """Standard and adversarially trained models on ``make_moons`` (the training data too).

    For each kind, one model trained with ``eps=0`` and one with ``eps=train_eps`` by
    :func:`adversarial_training` (5 PGD steps per epoch; Adam with learning rate 0.04 and
    ``epochs`` steps for the MLP, 0.1 and ``epochs // 2`` for the logistic model).

    Args:
        train_eps: the adversarial training radius.
        n_train: training points (``lossviz.data.two_moons`` with ``seed``).
        noise: the moons' noise.
        hidden: hidden units of the tanh MLP.
        epochs: Adam steps for the MLPs.
        seed: random seed (data, initialisation, PGD starts).
        kinds: ``"logistic"`` and/or ``"mlp"``.

    Returns:
        ``(models, X_train, y_train)`` with models named like :class:`PGDExperiment`'s.
    """
    from .data import two_moons

    X, y = two_moons(n_train, noise=noise, seed=seed)
    models: dict[str, Model] = {}
    for kind in kinds:
        if kind not in ("logistic", "mlp"):
            raise ValueError(f"kinds must contain 'logistic' and/or 'mlp'; got {kind!r}.")
        for suffix, eps in (("", 0.0), ("_adversarial", train_eps)):
            model: Model = (
                LogisticRegression(2) if kind == "logistic" else MLP(2, (hidden,), 1, seed=seed)
            )
            adversarial_training(
                model,
                X,
                y,
                eps=eps,
                epochs=epochs if kind == "mlp" else epochs // 2,
                lr=0.04 if kind == "mlp" else 0.1,
                steps=5,
                seed=seed,
            )
            models[kind + suffix] = model
    return models, X, y


def pgd_experiment(
    eps_grid: Sequence[float] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3),
    *,
    train_eps: float = 0.2,
    n_train: int = 300,
    n_test: int = 500,
    noise: float = 0.15,
    epochs: int = 500,
    seed: int = 0,
) -> PGDExperiment:
    """Robust test accuracy (PGD, 10 steps) against ε for four models on two moons.

    A logistic model and a tanh MLP (16 hidden units), each trained normally and with
    :func:`adversarial_training` at ``train_eps`` (5 PGD steps per epoch, Adam with
    learning rate 0.04 for the MLP and 0.1 for the logistic model). For the two
    logistic models PGD is also compared with the closed-form worst case
    (:func:`robust_margin_linear`): a 20-step attack reaches it exactly.

    Args:
        eps_grid: attack radii.
        train_eps: adversarial training radius.
        n_train: training points (``lossviz.data.two_moons``, ``seed``).
        n_test: test points (``seed + 1``).
        noise: the moons' noise.
        epochs: Adam steps for the MLPs (the logistic models take half).
        seed: random seed.

    Returns:
        A :class:`PGDExperiment`.
    """
    from .data import two_moons

    grid = as_float_array(eps_grid, "eps_grid")
    if grid.ndim != 1 or np.any(grid < 0):
        raise ValueError(f"eps_grid must be a 1-D sequence of radii >= 0; got {grid.tolist()}.")
    models, X, y = train_moons_models(
        train_eps=train_eps, n_train=n_train, noise=noise, epochs=epochs, seed=seed
    )
    X_test, y_test = two_moons(n_test, noise=noise, seed=seed + 1)
    accuracy = {
        name: np.array([robust_accuracy(m, X_test, y_test, float(e), seed=seed) for e in grid])
        for name, m in models.items()
    }
    gap = 0.0
    for name in ("logistic", "logistic_adversarial"):
        model = models[name]
        assert isinstance(model, LogisticRegression)
        for e in grid:
            delta = pgd_attack(model, X_test, y_test, eps=float(e), steps=20, seed=seed)
            pgd_margin = (2 * y_test - 1) * model.forward(X_test + delta)
            exact = robust_margin_linear(model, X_test, y_test, float(e))
            gap = max(gap, float(np.max(np.abs(pgd_margin - exact))))
    return PGDExperiment(
        eps_grid=grid,
        train_eps=float(train_eps),
        accuracy=accuracy,
        models=models,
        linear_gap=gap,
        X_train=X,
        y_train=y,
        X_test=X_test,
        y_test=y_test,
    )


# ======================================================================================
# 6. A checklist for a new loss
# ======================================================================================


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """The analytic gradient of a loss compared with central differences.

    Attributes:
        analytic: ``grad_fn(y_true, y_pred)``.
        numerical: the central-difference estimate, same shape.
        max_abs_error: the largest abs(analytic − numerical).
        max_rel_error: the largest abs(analytic − numerical) / max(abs(analytic),
            abs(numerical)) (0 where both are 0).
        worst_index: the index of ``y_pred`` where the error is largest relative to the
            tolerance ``atol + rtol * abs(numerical)``.
        passed: every entry within that tolerance.
        eps: the finite-difference step.
        rtol: relative tolerance.
        atol: absolute tolerance.
    """

    analytic: FloatArray
    numerical: FloatArray
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    passed: bool
    eps: float
    rtol: float
    atol: float

    def __str__(self) -> str:
        i = self.worst_index
        where = f"at index {i}" if i else "(scalar)"
        a, n = self.analytic[i], self.numerical[i]
        if self.passed:
            return (
                f"✓ gradient matches central differences: max abs error "
                f"{self.max_abs_error:.2e}, max rel error {self.max_rel_error:.2e} "
                f"(worst {where})."
            )
        hint = "."
        if n != 0 and a != 0:
            ratio = float(a / n)
            if np.isclose(ratio, -1.0, rtol=1e-3):
                hint = " — the sign is flipped."
            elif ratio > 1.5 and np.isclose(ratio, round(ratio), rtol=1e-3):
                hint = f" — too large by a factor {round(ratio)}: did you forget to average?"
            elif 0 < ratio < 0.75 and np.isclose(1 / ratio, round(1 / ratio), rtol=1e-3):
                hint = f" — too small by a factor {round(1 / ratio)}: a missing factor?"
        return (
            f"✗ gradient does not match central differences {where}: analytic {a:.6g}, "
            f"numerical {n:.6g} (max abs error {self.max_abs_error:.2e}, max rel error "
            f"{self.max_rel_error:.2e}){hint}"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def _scalar_loss(
    loss_fn: Callable[..., Any], y_true: Any, y_pred: FloatArray, params: Mapping[str, Any]
) -> float:
    value = np.asarray(loss_fn(y_true, y_pred, **params), dtype=np.float64)
    if value.size != 1:
        raise ValueError(
            f"loss_fn must return a scalar (the reduced loss); got an array of shape "
            f"{value.shape}. Average it (reduction='mean') or sum it before checking."
        )
    return float(value.reshape(()))


def check_gradient(
    loss_fn: Callable[..., Any],
    grad_fn: Callable[..., Any],
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    params: Mapping[str, Any] | None = None,
) -> GradientCheck:
    r"""Compare ``grad_fn`` with central differences of ``loss_fn`` in every entry of ``y_pred``.

    .. math::
        \frac{\partial L}{\partial \hat y_i} \approx
        \frac{L(\hat y + \varepsilon e_i) - L(\hat y - \varepsilon e_i)}{2\varepsilon}

    The error of this estimate is :math:`O(\varepsilon^2)` from the curvature plus
    :math:`O(u\,|L|/\varepsilon)` from rounding (u ≈ 1e-16), so ε = 1e-6 leaves about
    1e-10: far below the tolerance. Entry i passes when
    ``abs(analytic - numerical) <= atol + rtol * abs(numerical)`` (``np.allclose``).
    Check away from kinks (MAE at a zero residual has no derivative).

    Args:
        loss_fn: ``loss_fn(y_true, y_pred, **params)`` returning the *reduced* loss.
        grad_fn: ``grad_fn(y_true, y_pred, **params)`` returning its gradient, the shape
            of ``y_pred``.
        y_true: targets (passed through unchanged).
        y_pred: the point where the gradient is checked.
        eps: the finite-difference step, > 0.
        rtol: relative tolerance.
        atol: absolute tolerance.
        params: keyword arguments for both functions (``{"delta": 1.0}``).

    Returns:
        A :class:`GradientCheck`; ``print`` it for one readable line.

    >>> from lossviz.losses import mse, mse_grad
    >>> check_gradient(mse, mse_grad, [1.0, 2.0], [1.5, 0.0]).passed
    True
    >>> wrong = lambda y, yhat: 2 * (yhat - y)          # forgot to divide by n
    >>> print(check_gradient(mse, wrong, [1.0, 2.0], [1.5, 0.0]))  # doctest: +ELLIPSIS
    ✗ gradient does not match ... — too large by a factor 2: did you forget to average?
    """
    eps = check_positive(eps, "eps")
    rtol = check_in_interval(rtol, "rtol", 0.0, np.inf, closed="left")
    atol = check_in_interval(atol, "atol", 0.0, np.inf, closed="left")
    params = dict(params or {})
    yp = as_float_array(y_pred, "y_pred").copy()
    base = _scalar_loss(loss_fn, y_true, yp, params)
    if not np.isfinite(base):
        raise ValueError(
            f"loss_fn returned {base!r} at y_pred; check the gradient where the loss is finite."
        )
    analytic = np.asarray(grad_fn(y_true, yp.copy(), **params), dtype=np.float64)
    if analytic.shape != yp.shape:
        raise ValueError(
            f"grad_fn must return an array the shape of y_pred {yp.shape}; got shape "
            f"{analytic.shape}. The gradient has one entry per prediction."
        )
    numerical = np.empty_like(yp)
    for index in np.ndindex(yp.shape):
        original = yp[index]
        yp[index] = original + eps
        up = _scalar_loss(loss_fn, y_true, yp, params)
        yp[index] = original - eps
        down = _scalar_loss(loss_fn, y_true, yp, params)
        yp[index] = original
        numerical[index] = (up - down) / (2.0 * eps)
    error = np.abs(analytic - numerical)
    scale = np.maximum(np.abs(analytic), np.abs(numerical))
    rel = np.divide(error, scale, out=np.zeros_like(error), where=scale > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = error / (atol + rtol * np.abs(numerical))
    excess = np.where(np.isnan(excess), np.inf, excess)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), yp.shape))
    return GradientCheck(
        analytic=analytic,
        numerical=numerical,
        max_abs_error=float(error.max()),
        max_rel_error=float(rel.max()),
        worst_index=worst,
        passed=bool(np.all(error <= atol + rtol * np.abs(numerical))),
        eps=eps,
        rtol=rtol,
        atol=atol,
    )


@dataclass(frozen=True)
class ChecklistItem:
    """One line of :func:`loss_checklist`.

    Attributes:
        name: what was checked.
        passed: True, False, or None when it could not be checked (skipped).
        detail: what was found, in words and numbers.
    """

    name: str
    passed: bool | None
    detail: str

    def __str__(self) -> str:
        mark = {True: "✓", False: "✗", None: "–"}[self.passed]
        return f"{mark} {self.name}: {self.detail}"


@dataclass(frozen=True)
class LossChecklist:
    """The results of :func:`loss_checklist`; ``print`` it for a table.

    Attributes:
        items: one :class:`ChecklistItem` per check, in order.
    """

    items: tuple[ChecklistItem, ...]

    @property
    def passed(self) -> bool:
        """Whether no check failed (skipped checks do not count)."""
        return all(item.passed is not False for item in self.items)

    def __getitem__(self, name: str) -> ChecklistItem:
        for item in self.items:
            if item.name == name:
                return item
        raise KeyError(
            f"no checklist item named {name!r}; items are {[item.name for item in self.items]}."
        )

    def __str__(self) -> str:
        return "\n".join(str(item) for item in self.items)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def _accepts_reduction(loss_fn: Callable[..., Any]) -> bool:
    try:
        signature = inspect.signature(loss_fn)
    except (TypeError, ValueError):
        return False
    return "reduction" in signature.parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
    )


def _quiet_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call ``fn``; return its value and the floating-point warnings it raised."""
    # underflow to 0 is exact enough (exp(-1e4)); overflow, 0/0 and log(0) are findings
    with (
        warnings.catch_warnings(record=True) as caught,
        np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"),
    ):
        warnings.simplefilter("always")
        value = fn(*args, **kwargs)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return value, messages


def _nearby(
    center: FloatArray, other: FloatArray | None, rng: np.random.Generator, scale: float
) -> list[FloatArray]:
    """``center``, 20 random perturbations of it, and points on the way to ``other``.

    The segment towards ``other`` stays inside a convex domain (probabilities in [0, 1])
    where random noise may leave it; perturbations outside the domain are skipped by the
    caller when the loss refuses them.
    """
    points = [center]
    points += [
        center + rng.normal(0.0, scale, center.shape) * (1.0 + np.abs(center)) for _ in range(20)
    ]
    if other is not None and other.shape == center.shape:
        points += [center + t * (other - center) for t in (0.05, 0.2, 0.5, 1.0)]
    return points


def loss_checklist(
    loss_fn: Callable[..., Any],
    grad_fn: Callable[..., Any] | None = None,
    *,
    y_true: ArrayLike,
    y_pred: ArrayLike,
    perfect: ArrayLike | None = None,
    extreme: Sequence[ArrayLike] | None = None,
    nonnegative: bool = True,
    params: Mapping[str, Any] | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    seed: int = 0,
) -> LossChecklist:
    """Run the automatable items of the checklist for a new loss.

    1. **domain**: the loss is a finite scalar at (``y_true``, ``y_pred``);
    2. **non-negative**: per-example values (``reduction="none"`` when accepted) are >= 0
       there, at 20 random perturbations of ``y_pred`` and on the segment to ``perfect``
       (skipped with ``nonnegative=False``; perturbations the loss refuses with
       ``ValueError``, outside its domain, are skipped);
    3. **minimum at a perfect prediction**: with ``perfect`` given, the loss there is no
       larger than at 20 random perturbations of it and on the segment to ``y_pred`` (the
       detail says whether it is exactly 0; skipped without ``perfect``: cross-entropy
       from finite logits has no exact zero);
    4. **gradient**: :func:`check_gradient` at (``y_true``, ``y_pred``) (skipped without
       ``grad_fn``);
    5. **extreme inputs**: the loss (and gradient) at each of ``extreme`` is finite and
       raises no overflow or divide warning; refusing an input with ``ValueError`` is
       fine. By default: every prediction set to +1e4, to −1e4, and ``y_pred`` scaled to a
       largest magnitude of 1e4;
    6. **reduction**: duplicating the batch leaves ``"mean"`` unchanged and doubles
       ``"sum"``, and ``"sum"`` is the sum of ``"none"`` (skipped when ``loss_fn`` has no
       ``reduction`` argument);
    7. **refuses bad input**: a NaN in ``y_pred`` and a ``y_pred`` missing its last row
       raise ``ValueError`` or ``TypeError`` instead of returning a number.

    What it cannot check: whether the loss measures what you care about, whether its
    minimiser is the decision you want (derive it: the mean, the median, a quantile, a
    threshold), and whether it behaves well in training. Those stay on the checklist.

    Args:
        loss_fn: ``loss_fn(y_true, y_pred, **params)`` returning the mean loss.
        grad_fn: its gradient with respect to ``y_pred``, or None.
        y_true: ordinary targets.
        y_pred: ordinary predictions (away from kinks).
        perfect: the prediction that should be optimal for ``y_true``, or None.
        extreme: predictions at the edge of the domain, or None for the default.
        nonnegative: whether the loss should be >= 0.
        params: keyword arguments for ``loss_fn`` and ``grad_fn``.
        rtol: relative tolerance of the gradient check.
        atol: absolute tolerance of the gradient check and of "zero".
        seed: seeds the random perturbations.

    Returns:
        A :class:`LossChecklist`.
    """
    params = dict(params or {})
    yp = as_float_array(y_pred, "y_pred")
    rng = np.random.default_rng(seed)
    items: list[ChecklistItem] = []

    def call(pred: Any, **extra: Any) -> Any:
        return loss_fn(y_true, pred, **params, **extra)

    # 1. domain
    try:
        value, warned = _quiet_call(call, yp.copy())
        scalar = np.asarray(value, dtype=np.float64)
        ok = scalar.size == 1 and bool(np.isfinite(scalar).all()) and not warned
        detail = (
            f"L = {float(scalar.reshape(-1)[0]):.6g} at the given inputs"
            if ok
            else f"got {value!r}"
            + (f" with warnings {warned}" if warned else "")
            + " (expected one finite number)"
        )
    except Exception as err:
        ok, detail = False, f"raised {type(err).__name__}: {err}"
    items.append(ChecklistItem("domain", ok, detail))

    # 2. non-negative
    reduction_ok = _accepts_reduction(loss_fn)
    best = None if perfect is None else as_float_array(perfect, "perfect")
    if not nonnegative:
        items.append(ChecklistItem("non-negative", None, "skipped (nonnegative=False)"))
    else:
        lowest, n_valid = np.inf, 0
        for pred in _nearby(yp, best, rng, scale=1.0):
            try:
                per = call(pred, reduction="none") if reduction_ok else call(pred)
            except (ValueError, TypeError):
                continue  # outside the loss's domain: not a counterexample
            lowest, n_valid = min(lowest, float(np.min(per))), n_valid + 1
        items.append(
            ChecklistItem(
                "non-negative",
                lowest >= -atol,
                f"smallest value {lowest:.3g} over {n_valid} predictions",
            )
        )

    # 3. minimum at a perfect prediction
    if best is None:
        items.append(
            ChecklistItem("minimum at a perfect prediction", None, "skipped (pass perfect=...)")
        )
    else:
        try:
            at_best = float(call(best))
            others = []
            for pred in _nearby(best, yp, rng, scale=0.1)[1:]:
                try:
                    others.append(float(call(pred)))
                except (ValueError, TypeError):
                    continue
            zero = abs(at_best) <= atol
            lowest = min(others) if others else np.inf
            detail = (
                f"L(perfect) = {at_best:.3g}"
                + (" (zero)" if zero else "")
                + f"; smallest L at {len(others)} nearby predictions = {lowest:.3g}"
            )
            items.append(
                ChecklistItem("minimum at a perfect prediction", at_best <= lowest + atol, detail)
            )
        except Exception as err:
            items.append(
                ChecklistItem(
                    "minimum at a perfect prediction", False, f"raised {type(err).__name__}: {err}"
                )
            )

    # 4. gradient
    if grad_fn is None:
        items.append(ChecklistItem("gradient", None, "skipped (pass grad_fn=...)"))
    else:
        try:
            check = check_gradient(
                loss_fn, grad_fn, y_true, yp, rtol=rtol, atol=atol, params=params
            )
            items.append(ChecklistItem("gradient", check.passed, str(check)[2:]))
        except Exception as err:
            items.append(ChecklistItem("gradient", False, f"raised {type(err).__name__}: {err}"))

    # 5. extreme inputs
    if extreme is None:
        scale = 1e4 / max(float(np.max(np.abs(yp))), 1e-300)
        extreme = [np.full_like(yp, 1e4), np.full_like(yp, -1e4), yp * scale]
    problems, refused = [], 0
    for k, pred in enumerate(extreme):
        for name, fn in (("loss", loss_fn), ("gradient", grad_fn)):
            if fn is None:
                continue
            try:
                value, warned = _quiet_call(
                    fn, y_true, np.asarray(pred, dtype=np.float64), **params
                )
            except (ValueError, TypeError):
                refused += 1
                continue
            except Exception as err:
                problems.append(f"{name} raised {type(err).__name__} at input {k}")
                continue
            if warned or not np.all(np.isfinite(np.asarray(value, dtype=np.float64))):
                problems.append(
                    f"{name} at input {k}: {value!r}"[:80] + (f" ({warned[0]})" if warned else "")
                )
    detail = (
        "; ".join(problems)
        if problems
        else f"finite at {len(extreme)} extreme input(s)"
        + (f" ({refused} refused with ValueError/TypeError)" if refused else "")
    )
    items.append(ChecklistItem("extreme inputs", not problems, detail))

    # 6. reduction
    if not reduction_ok:
        items.append(ChecklistItem("reduction", None, "skipped (no reduction argument)"))
    else:
        try:
            yt2 = np.concatenate([np.asarray(y_true), np.asarray(y_true)])
            yp2 = np.concatenate([yp, yp])
            mean1 = float(call(yp, reduction="mean"))
            mean2 = float(loss_fn(yt2, yp2, reduction="mean", **params))
            sum1 = float(call(yp, reduction="sum"))
            sum2 = float(loss_fn(yt2, yp2, reduction="sum", **params))
            none_sum = float(np.sum(call(yp, reduction="none")))
            ok = (
                np.isclose(mean1, mean2, rtol=1e-10, atol=1e-12)
                and np.isclose(sum2, 2 * sum1, rtol=1e-10, atol=1e-12)
                and np.isclose(none_sum, sum1, rtol=1e-10, atol=1e-12)
            )
            detail = (
                f"mean {mean1:.6g} (doubled batch {mean2:.6g}), sum {sum1:.6g} "
                f"(doubled batch {sum2:.6g}), sum of 'none' {none_sum:.6g}"
            )
            items.append(ChecklistItem("reduction", bool(ok), detail))
        except Exception as err:
            items.append(ChecklistItem("reduction", False, f"raised {type(err).__name__}: {err}"))

    # 7. bad input
    failures = []
    bad_nan = yp.copy()
    bad_nan.flat[0] = np.nan
    cases = [("a NaN in y_pred", bad_nan)]
    if yp.ndim >= 1 and yp.shape[0] > 1:
        cases.append(("y_pred missing its last row", yp[:-1]))
    for label, pred in cases:
        try:
            value, _ = _quiet_call(call, pred)
        except (ValueError, TypeError):
            continue
        except Exception as err:
            failures.append(f"{label} raised {type(err).__name__}, not ValueError")
            continue
        failures.append(f"{label} returned {np.asarray(value).round(6).tolist()!r}"[:90])
    items.append(
        ChecklistItem(
            "refuses bad input",
            not failures,
            "; ".join(failures)
            if failures
            else f"{' and '.join(label for label, _ in cases)} raise ValueError/TypeError",
        )
    )
    return LossChecklist(tuple(items))
