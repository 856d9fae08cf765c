"""Regression losses: functions of the residual r = y_pred - y_true."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from ._core import (
    FloatArray,
    Loss,
    _describe,
    as_float_array,
    check_in_interval,
    check_positive,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_grad,
    register,
)


def _residual(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    yt = as_float_array(y_true, "y_true")
    yp = as_float_array(y_pred, "y_pred")
    check_same_shape(yt, yp)
    return yt, yp, yp - yt


def _regression_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    # Residuals of magnitude 0.05..3.05, never within 1e-2 of 0 or of +-1 (kinks of MAE/Huber).
    y_true = rng.normal(0.0, 2.0, size=n)
    mag = rng.uniform(0.05, 3.0, size=n)
    mag = np.where(np.abs(mag - 1.0) < 1e-2, mag + 0.05, mag)
    sign = rng.choice([-1.0, 1.0], size=n)
    return y_true, y_true + sign * mag


def _identity(y_true: FloatArray) -> FloatArray:
    return y_true.copy()


# -- MSE ---------------------------------------------------------------------------------


def mse(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> FloatArray | float:
    r"""Mean squared error.

    .. math::
        \ell_i = (\hat y_i - y_i)^2, \qquad
        L = \frac{1}{n}\sum_i \ell_i \ (\text{mean}) \quad\text{or}\quad \sum_i \ell_i \ (\text{sum})

    Gradient: :math:`\partial \ell_i / \partial \hat y_i = 2 (\hat y_i - y_i)`; with
    ``reduction="mean"`` it is divided by the number of elements.

    Numerical stability: a plain square; it overflows only for residuals beyond 1e154.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, the same shape as ``y_true`` (no broadcasting).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> mse([1.0, 2.0], [1.0, 4.0])
        2.0

    Reference: ``sklearn.metrics.mean_squared_error(y_true, y_pred)``; ``torch.nn.functional.mse_loss``.
    """
    check_reduction(reduction)
    _, _, r = _residual(y_true, y_pred)
    return reduce(r * r, reduction)


def mse_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> FloatArray:
    """Gradient of :func:`mse` with respect to ``y_pred``."""
    check_reduction(reduction)
    _, _, r = _residual(y_true, y_pred)
    return reduce_grad(2.0 * r, reduction)


def _mse_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    from sklearn.metrics import mean_squared_error

    return float(mean_squared_error(y_true, y_pred))


def _mse_torch(y_true: FloatArray, y_pred: FloatArray) -> float:
    import torch

    return float(torch.nn.functional.mse_loss(torch.from_numpy(y_pred), torch.from_numpy(y_true)))


register(
    Loss(
        name="mse",
        func=mse,
        grad_func=mse_grad,
        latex=r"(\hat y - y)^2",
        grad_latex=r"2(\hat y - y)",
        task="regression",
        reference="sklearn.metrics.mean_squared_error(y_true, y_pred)",
        reference_func=_mse_reference,
        torch_func=_mse_torch,
        sample=_regression_sample,
        perfect=_identity,
        summary=(
            "The default for regression with Gaussian-like noise: its minimiser is the mean, "
            "and one outlier can pull the fit arbitrarily far (unbounded influence)."
        ),
    )
)


# -- MAE ---------------------------------------------------------------------------------


def mae(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> FloatArray | float:
    r"""Mean absolute error.

    .. math::
        \ell_i = |\hat y_i - y_i|

    Gradient: :math:`\partial \ell_i / \partial \hat y_i = \operatorname{sign}(\hat y_i - y_i)`,
    taken as 0 at the kink :math:`\hat y_i = y_i` (like ``torch.sgn``); with
    ``reduction="mean"`` it is divided by the number of elements.

    Numerical stability: exact; no overflow for finite inputs below 1e308.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, the same shape as ``y_true`` (no broadcasting).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> mae([1.0, 2.0], [1.0, 4.0])
        1.0
        >>> mae_grad([1.0, 2.0, 3.0], [0.0, 2.0, 5.0], reduction="sum").tolist()
        [-1.0, 0.0, 1.0]

    Reference: ``sklearn.metrics.mean_absolute_error(y_true, y_pred)``; ``torch.nn.functional.l1_loss``.
    """
    check_reduction(reduction)
    _, _, r = _residual(y_true, y_pred)
    return reduce(np.abs(r), reduction)


def mae_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> FloatArray:
    """Gradient of :func:`mae` with respect to ``y_pred`` (0 where ``y_pred == y_true``)."""
    check_reduction(reduction)
    _, _, r = _residual(y_true, y_pred)
    return reduce_grad(np.sign(r), reduction)


def _mae_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    from sklearn.metrics import mean_absolute_error

    return float(mean_absolute_error(y_true, y_pred))


def _mae_torch(y_true: FloatArray, y_pred: FloatArray) -> float:
    import torch

    return float(torch.nn.functional.l1_loss(torch.from_numpy(y_pred), torch.from_numpy(y_true)))


register(
    Loss(
        name="mae",
        func=mae,
        grad_func=mae_grad,
        latex=r"|\hat y - y|",
        grad_latex=r"\operatorname{sign}(\hat y - y)",
        task="regression",
        reference="sklearn.metrics.mean_absolute_error(y_true, y_pred)",
        reference_func=_mae_reference,
        torch_func=_mae_torch,
        sample=_regression_sample,
        perfect=_identity,
        summary=(
            "Regression robust to outliers: its minimiser is the median and every point pulls "
            "with the same force, at the price of a kink at zero and a constant-size gradient."
        ),
    )
)


# -- Huber -------------------------------------------------------------------------------


def huber(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", delta: float = 1.0
) -> FloatArray | float:
    r"""Huber loss: quadratic near zero, linear beyond ``delta``.

    .. math::
        \ell_i = \begin{cases}
            \tfrac12 r_i^2 & |r_i| \le \delta \\
            \delta\,(|r_i| - \tfrac12 \delta) & |r_i| > \delta
        \end{cases}, \qquad r_i = \hat y_i - y_i

    Gradient: :math:`\partial \ell_i / \partial \hat y_i = \operatorname{clip}(r_i, -\delta, \delta)`;
    with ``reduction="mean"`` it is divided by the number of elements.

    Numerical stability: evaluated as :math:`q (|r| - q/2)` with :math:`q = \min(|r|, \delta)`,
    which never squares a large residual (finite for every finite input) and equals
    ``scipy.special.huber`` bit for bit.

    This is PyTorch's ``HuberLoss(delta)`` parametrisation (slope ``delta`` in the tails,
    ``delta -> inf`` gives half the MSE). PyTorch's ``SmoothL1Loss(beta)`` equals
    ``huber(delta=beta) / beta``.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, the same shape as ``y_true`` (no broadcasting).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.
        delta: the threshold between the quadratic and the linear part, ``> 0``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> huber([0.0, 0.0], [0.5, 3.0])
        1.3125
        >>> huber_grad([0.0, 0.0], [0.5, 3.0], reduction="none", delta=2.0).tolist()
        [0.5, 2.0]

    Reference: ``scipy.special.huber(delta, r)`` (``delta`` comes first);
    ``torch.nn.functional.huber_loss(y_pred, y_true, delta=delta)``.
    """
    check_reduction(reduction)
    delta = check_positive(delta, "delta")
    _, _, r = _residual(y_true, y_pred)
    a = np.abs(r)
    # q (a - q/2) with q = min(|r|, delta) is r^2/2 inside and delta (|r| - delta/2) outside,
    # bit for bit as scipy.special.huber, and never squares a large residual (no overflow).
    q = np.minimum(a, delta)
    return reduce(q * (a - 0.5 * q), reduction)


def huber_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", delta: float = 1.0
) -> FloatArray:
    """Gradient of :func:`huber` with respect to ``y_pred``: ``clip(r, -delta, delta)``."""
    check_reduction(reduction)
    delta = check_positive(delta, "delta")
    _, _, r = _residual(y_true, y_pred)
    return reduce_grad(np.clip(r, -delta, delta), reduction)


def _huber_reference(y_true: FloatArray, y_pred: FloatArray, *, delta: float = 1.0) -> float:
    from scipy.special import huber as scipy_huber

    return float(np.mean(scipy_huber(delta, np.asarray(y_pred) - np.asarray(y_true))))


def _huber_torch(y_true: FloatArray, y_pred: FloatArray, *, delta: float = 1.0) -> float:
    import torch

    return float(
        torch.nn.functional.huber_loss(
            torch.from_numpy(y_pred), torch.from_numpy(y_true), delta=delta
        )
    )


register(
    Loss(
        name="huber",
        func=huber,
        grad_func=huber_grad,
        latex=(
            r"\begin{cases} \tfrac12 r^2 & |r| \le \delta \\ "
            r"\delta\,(|r| - \tfrac12\delta) & |r| > \delta \end{cases},\quad r = \hat y - y"
        ),
        grad_latex=r"\operatorname{clip}(\hat y - y,\, -\delta,\, \delta)",
        task="regression",
        params={"delta": 1.0},
        reference="scipy.special.huber(delta, y_pred - y_true), averaged",
        reference_func=_huber_reference,
        torch_func=_huber_torch,
        sample=_regression_sample,
        perfect=_identity,
        bad_labels=None,
        invalid_params=({"delta": 0}, {"delta": -1.0}, {"delta": float("inf")}),
        extra_params=({"delta": 0.37}, {"delta": 2.5}),
        summary=(
            "MSE for small residuals and MAE for large ones: a smooth, robust default when a "
            "few outliers are expected and the scale delta of ordinary errors is known."
        ),
    )
)


# -- log-cosh ----------------------------------------------------------------------------

_LOG2 = float(np.log(2.0))


def _log_cosh(r: FloatArray) -> FloatArray:
    a = np.abs(r)
    small = a < 1.0
    # cosh r = 1 + 2 sinh^2(r/2): log1p keeps full relative precision for tiny r, where
    # Keras' r + softplus(-2r) - log 2 cancels (122 % error at r = 1e-8, catalog pitfall 13).
    s = np.sinh(np.where(small, 0.5 * a, 0.0))
    # log cosh r = |r| - log 2 + log1p(exp(-2|r|)): no overflow of cosh for |r| >= 710.
    big = a - _LOG2 + np.log1p(np.exp(-2.0 * np.where(small, 1.0, a)))
    return np.where(small, np.log1p(2.0 * s * s), big)


def log_cosh(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray | float:
    r"""Log-cosh loss: about :math:`\tfrac12 r^2` near zero and :math:`|r| - \log 2` far away.

    .. math::
        \ell_i = \log\cosh(\hat y_i - y_i)

    Gradient: :math:`\partial \ell_i / \partial \hat y_i = \tanh(\hat y_i - y_i)`; with
    ``reduction="mean"`` it is divided by the number of elements.

    Numerical stability: ``log(cosh(r))`` overflows for :math:`|r| \ge 710`. For
    :math:`|r| < 1` the loss is computed as ``log1p(2 * sinh(r / 2) ** 2)`` (exact relative
    precision even at :math:`r = 10^{-8}`), and otherwise as
    ``|r| - log(2) + log1p(exp(-2 |r|))`` (no overflow). Relative error below 1e-15 against
    mpmath at 50 digits.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, the same shape as ``y_true`` (no broadcasting).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> round(log_cosh([0.0], [np.log(2.0)]), 12)   # cosh(log 2) = 1.25
        0.223143551314
        >>> round(log_cosh([0.0], [1e-8]) * 1e17, 12)  # r**2 / 2 = 5e-17, no cancellation
        5.0
        >>> log_cosh([0.0], [1000.0])                   # 1000 - log 2, no overflow
        999.3068528194401

    Reference: ``mpmath.log(mpmath.cosh(r))`` at 50 significant digits (neither SciPy,
    scikit-learn nor PyTorch has this loss; Keras has ``keras.losses.log_cosh``).
    """
    check_reduction(reduction)
    _, _, r = _residual(y_true, y_pred)
    return reduce(_log_cosh(r), reduction)


def log_cosh_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray:
    """Gradient of :func:`log_cosh` with respect to ``y_pred``: ``tanh(r)``."""
    check_reduction(reduction)
    _, _, r = _residual(y_true, y_pred)
    return reduce_grad(np.tanh(r), reduction)


def _log_cosh_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    import mpmath

    with mpmath.workdps(50):
        r = [mpmath.mpf(float(p)) - mpmath.mpf(float(t)) for t, p in zip(
            np.ravel(y_true), np.ravel(y_pred), strict=True)]
        return float(mpmath.fsum(mpmath.log(mpmath.cosh(x)) for x in r) / len(r))


register(
    Loss(
        name="log_cosh",
        func=log_cosh,
        grad_func=log_cosh_grad,
        latex=r"\log\cosh(\hat y - y)",
        grad_latex=r"\tanh(\hat y - y)",
        task="regression",
        reference="mpmath.log(mpmath.cosh(y_pred - y_true)) at 50 digits, averaged",
        reference_func=_log_cosh_reference,
        sample=_regression_sample,
        perfect=_identity,
        summary=(
            "A smooth cousin of Huber without a tuning knob: quadratic for small residuals, "
            "linear for large ones, and twice differentiable everywhere."
        ),
    )
)


# -- pinball (quantile) -------------------------------------------------------------------


def pinball(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", quantile: float = 0.5
) -> FloatArray | float:
    r"""Pinball (quantile) loss; its constant minimiser is the ``quantile`` of ``y_true``.

    .. math::
        \ell_i = \rho_\tau(u_i) = \max\bigl(\tau u_i,\ (\tau - 1) u_i\bigr),
        \qquad u_i = y_i - \hat y_i

    Gradient: :math:`\partial \ell_i / \partial \hat y_i = -\tau` if :math:`y_i > \hat y_i`,
    :math:`1 - \tau` if :math:`y_i < \hat y_i`, and 0 at the kink :math:`y_i = \hat y_i`
    (as for :func:`mae`, so a perfect prediction has zero gradient; scikit-learn's
    ``PinballLoss`` returns :math:`-\tau` there); with ``reduction="mean"`` it is divided by
    the number of elements.

    Numerical stability: exact piecewise-linear expression. ``2 * pinball(quantile=0.5)``
    equals :func:`mae`.

    Args:
        y_true: targets, any shape.
        y_pred: predictions of the ``quantile``, the same shape as ``y_true``.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.
        quantile: the target quantile :math:`\tau`, in the open interval (0, 1). It is called
            ``alpha`` in ``sklearn.metrics.mean_pinball_loss`` and ``quantile`` in
            scikit-learn's ``PinballLoss`` and ``QuantileRegressor``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> pinball([1.0, 1.0], [0.0, 2.0], quantile=0.9)   # (0.9 * 1 + 0.1 * 1) / 2
        0.5
        >>> pinball_grad([1.0, 1.0], [0.0, 2.0], reduction="none", quantile=0.9).tolist()
        [-0.9, 0.09999999999999998]

    Reference: ``sklearn.metrics.mean_pinball_loss(y_true, y_pred, alpha=quantile)``.
    """
    check_reduction(reduction)
    tau = check_in_interval(quantile, "quantile", 0.0, 1.0)
    yt, yp, _ = _residual(y_true, y_pred)
    u = yt - yp
    return reduce(np.where(u >= 0, tau * u, (tau - 1.0) * u), reduction)


def pinball_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", quantile: float = 0.5
) -> FloatArray:
    """Gradient of :func:`pinball` with respect to ``y_pred``: ``-quantile``, ``1 - quantile`` or 0."""
    check_reduction(reduction)
    tau = check_in_interval(quantile, "quantile", 0.0, 1.0)
    yt, yp, _ = _residual(y_true, y_pred)
    grad = np.where(yt > yp, -tau, np.where(yt < yp, 1.0 - tau, 0.0))
    return reduce_grad(grad, reduction)


def _pinball_reference(
    y_true: FloatArray, y_pred: FloatArray, *, quantile: float = 0.5
) -> float:
    from sklearn.metrics import mean_pinball_loss

    return float(mean_pinball_loss(np.ravel(y_true), np.ravel(y_pred), alpha=quantile))


register(
    Loss(
        name="pinball",
        func=pinball,
        grad_func=pinball_grad,
        latex=r"\max\bigl(\tau (y - \hat y),\ (\tau - 1)(y - \hat y)\bigr)",
        grad_latex=r"\begin{cases} -\tau & y > \hat y \\ 1 - \tau & y < \hat y \end{cases}",
        task="regression",
        params={"quantile": 0.5},
        reference="sklearn.metrics.mean_pinball_loss(y_true, y_pred, alpha=quantile)",
        reference_func=_pinball_reference,
        sample=_regression_sample,
        perfect=_identity,
        invalid_params=({"quantile": 0}, {"quantile": 1}, {"quantile": 1.5}, {"quantile": -0.2}),
        extra_params=({"quantile": 0.1}, {"quantile": 0.9}),
        summary=(
            "Quantile regression: under-prediction costs tau and over-prediction 1 - tau per "
            "unit, so the fit tracks the tau-quantile; use it for prediction intervals."
        ),
    )
)


# -- Barron's general robust loss ----------------------------------------------------------


def _check_barron_alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a real number or -inf; got {_describe(alpha)}.")
    value = float(alpha)
    if np.isnan(value) or value == np.inf:
        raise ValueError(
            f"alpha must be a real number or -inf (the Welsch limit); got {value!r}. "
            "alpha = +inf is not supported: its loss exp(x^2 / 2) - 1 overflows."
        )
    return value


def _barron_log_term(
    x: FloatArray, alpha: float, scale: float
) -> tuple[FloatArray, float, FloatArray]:
    """L = log1p((x/c)^2 / |alpha - 2|), b = |alpha - 2| and where (x/c)^2/b overflowed."""
    b = abs(alpha - 2.0)
    with np.errstate(over="ignore"):
        q = np.square(x / scale) / b
    huge = ~np.isfinite(q)
    log_term = np.log1p(np.where(huge, 0.0, q))
    if huge.any():
        # (x/c)^2 / b overflowed: log1p(q) = log(q) to double precision.
        log_term[huge] = 2.0 * (np.log(np.abs(x[huge])) - np.log(scale)) - np.log(b)
    return log_term, b, huge


def _barron(x: FloatArray, alpha: float, scale: float) -> FloatArray:
    from scipy.special import exprel

    if alpha == 2.0:
        return 0.5 * np.square(x / scale)
    if alpha == -np.inf:
        with np.errstate(over="ignore"):  # (x/c)^2 = inf gives the exact limit 1
            return -np.expm1(-0.5 * np.square(x / scale))
    log_term, b, _ = _barron_log_term(x, alpha, scale)
    t = 0.5 * alpha * log_term
    # |a-2|/a * ((q + 1)^(a/2) - 1) = |a-2|/a * expm1(t) = |a-2| * (L/2) * exprel(t):
    # exprel(t) = expm1(t)/t is exact at alpha = 0 (Cauchy) and has no 0/0 near it.
    big = t > 700.0
    values = b * 0.5 * log_term * exprel(np.where(big, 0.0, t))
    if big.any():  # alpha > 2 and a huge residual: stay in log space until the end
        values[big] = np.exp(np.log(b / alpha) + t[big]) - b / alpha
    return values


def _barron_psi(x: FloatArray, alpha: float, scale: float) -> FloatArray:
    if alpha == 2.0:
        return x / scale**2
    if alpha == -np.inf:
        with np.errstate(over="ignore"):  # (x/c)^2 = inf gives the exact limit 0
            return x / scale**2 * np.exp(-0.5 * np.square(x / scale))
    log_term, _, huge = _barron_log_term(x, alpha, scale)
    # Barron (2019), eq. 6: x/c^2 * ((x/c)^2/|a-2| + 1)^(a/2 - 1), with the power in log space.
    exponent = (0.5 * alpha - 1.0) * log_term
    psi = x / scale**2 * np.exp(exponent)
    if huge.any():  # the power under- or overflows on its own; combine the logs first
        psi[huge] = np.sign(x[huge]) * np.exp(
            np.log(np.abs(x[huge])) - 2.0 * np.log(scale) + exponent[huge]
        )
    return psi


def barron(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    alpha: float = 1.0,
    scale: float = 1.0,
) -> FloatArray | float:
    r"""Barron's general and adaptive robust loss; ``alpha`` dials the robustness.

    .. math::
        \ell_i = \rho(x_i, \alpha, c) = \frac{|\alpha - 2|}{\alpha}
            \left( \left( \frac{(x_i / c)^2}{|\alpha - 2|} + 1 \right)^{\alpha / 2} - 1 \right),
        \qquad x_i = \hat y_i - y_i

    with its limits taken exactly: :math:`\alpha = 2` gives :math:`\tfrac12 (x/c)^2`
    (L2), :math:`\alpha = 0` gives :math:`\log(\tfrac12 (x/c)^2 + 1)` (Cauchy),
    :math:`\alpha = -\infty` gives :math:`1 - \exp(-\tfrac12 (x/c)^2)` (Welsch). Other named
    cases: :math:`\alpha = 1` is the pseudo-Huber (Charbonnier) loss
    :math:`\sqrt{(x/c)^2 + 1} - 1` and :math:`\alpha = -2` is Geman-McClure
    :math:`2 (x/c)^2 / ((x/c)^2 + 4)`.

    Gradient (Barron 2019, eq. 6):

    .. math::
        \frac{\partial \ell_i}{\partial \hat y_i} = \frac{x_i}{c^2}
            \left( \frac{(x_i / c)^2}{|\alpha - 2|} + 1 \right)^{\alpha / 2 - 1},

    divided by the number of elements with ``reduction="mean"``.

    Numerical stability: the power is evaluated in log space as
    ``|alpha - 2| * (L / 2) * exprel(alpha * L / 2)`` with ``L = log1p((x/c)^2 / |alpha - 2|)``
    and ``exprel(t) = expm1(t) / t``, which is exact at ``alpha = 0`` and has no 0/0 or
    cancellation near it, near 2 (the doubles next to 2 use the general formula) or for large
    negative ``alpha``: the loss and its gradient agree with mpmath at 50 digits to 1e-13
    relative for ``alpha`` in {1e-300, +-1e-12, 0.5, 1, 2 +- 2.2e-16, 2 - 1e-9, 3, -2, -1e6}
    and residuals from 1e-6 to 1e5. ``alpha = 2`` and ``alpha = -inf`` use their
    closed forms. For ``alpha > 2`` the loss grows like :math:`|x|^\alpha` and can exceed the
    float64 range for huge residuals.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, the same shape as ``y_true`` (no broadcasting).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.
        alpha: the shape parameter :math:`\alpha`: any real number, or ``-np.inf``
            (``+inf`` is rejected). Smaller is more robust; :math:`\alpha \le 0` gives a
            bounded-influence, non-convex loss.
        scale: the scale :math:`c > 0` of the quadratic bowl around zero.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> barron([0.0], [3.0 ** 0.5])                    # pseudo-Huber: sqrt(3 + 1) - 1
        1.0
        >>> barron([0.0], [2.0], alpha=-2.0)               # Geman-McClure: 8 / 8
        1.0
        >>> barron([0.0], [2.0], alpha=2.0)                # L2: 4 / 2
        2.0
        >>> bool(np.isclose(barron([0.0], [2.0 ** 0.5], alpha=0.0), np.log(2.0)))   # Cauchy
        True

    Reference: the closed-form special cases (``scipy.special.pseudo_huber(scale, x) /
    scale**2`` at ``alpha = 1``; Geman-McClure, Cauchy, L2, Welsch) and the general formula
    in mpmath at 50 digits for other ``alpha``. J. T. Barron, "A General and Adaptive Robust
    Loss Function", CVPR 2019. The parameter names follow his reference implementation
    (``alpha``, ``scale``).
    """
    check_reduction(reduction)
    alpha = _check_barron_alpha(alpha)
    scale = check_positive(scale, "scale")
    _, _, x = _residual(y_true, y_pred)
    return reduce(_barron(x, alpha, scale), reduction)


def barron_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    alpha: float = 1.0,
    scale: float = 1.0,
) -> FloatArray:
    """Gradient of :func:`barron` with respect to ``y_pred`` (the influence function psi)."""
    check_reduction(reduction)
    alpha = _check_barron_alpha(alpha)
    scale = check_positive(scale, "scale")
    _, _, x = _residual(y_true, y_pred)
    return reduce_grad(_barron_psi(x, alpha, scale), reduction)


def _barron_reference(
    y_true: FloatArray, y_pred: FloatArray, *, alpha: float = 1.0, scale: float = 1.0
) -> float:
    from scipy.special import pseudo_huber

    x = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    z2 = np.square(x / scale)
    if alpha == 1.0:  # pseudo-Huber / Charbonnier
        return float(np.mean(pseudo_huber(scale, x) / scale**2))
    if alpha == 2.0:  # L2
        return float(np.mean(0.5 * z2))
    if alpha == 0.0:  # Cauchy / Lorentzian
        return float(np.mean(np.log1p(0.5 * z2)))
    if alpha == -2.0:  # Geman-McClure
        return float(np.mean(2.0 * z2 / (z2 + 4.0)))
    if alpha == -np.inf:  # Welsch / Leclerc
        return float(np.mean(-np.expm1(-0.5 * z2)))
    import mpmath

    with mpmath.workdps(50):
        a = mpmath.mpf(alpha)
        b = abs(a - 2)
        total = mpmath.mpf(0)
        for xi in np.ravel(x):
            s = (mpmath.mpf(float(xi)) / mpmath.mpf(scale)) ** 2
            total += b / a * ((s / b + 1) ** (a / 2) - 1)
        return float(total / x.size)


register(
    Loss(
        name="barron",
        func=barron,
        grad_func=barron_grad,
        latex=(
            r"\frac{|\alpha - 2|}{\alpha}\left(\left(\frac{((\hat y - y)/c)^2}{|\alpha - 2|}"
            r" + 1\right)^{\alpha/2} - 1\right)"
        ),
        grad_latex=(
            r"\frac{\hat y - y}{c^2}\left(\frac{((\hat y - y)/c)^2}{|\alpha - 2|}"
            r" + 1\right)^{\alpha/2 - 1}"
        ),
        task="regression",
        params={"alpha": 1.0, "scale": 1.0},
        reference=(
            "closed forms: scipy.special.pseudo_huber(scale, r) / scale**2 (alpha=1), "
            "Cauchy (0), Geman-McClure (-2), L2 (2), Welsch (-inf); mpmath at 50 digits "
            "for other alpha"
        ),
        reference_func=_barron_reference,
        sample=_regression_sample,
        perfect=_identity,
        invalid_params=(
            {"scale": 0},
            {"scale": -1.0},
            {"alpha": float("inf")},
            {"alpha": float("nan")},
        ),
        extra_params=(
            {"alpha": 2.0},
            {"alpha": 0.0},
            {"alpha": -2.0},
            {"alpha": -np.inf, "scale": 0.7},
            {"alpha": 0.5, "scale": 2.0},
            {"alpha": 3.5, "scale": 1.5},
            {"alpha": -7.0},
        ),
        summary=(
            "One family that contains L2, pseudo-Huber, Cauchy, Geman-McClure and Welsch: "
            "lower alpha ignores outliers more; use it to compare or tune robustness."
        ),
    )
)
