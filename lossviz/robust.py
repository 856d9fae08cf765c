"""Robust regression: lines and constants that minimise a regression loss, and influence.

The numerical core of the regression-losses chapter. Each estimator minimises the *mean*
of a registered loss from :mod:`lossviz.losses` with the solver that fits it best:

- :func:`fit_line`: least squares (``"mse"``), IRLS (``"huber"``, ``"log_cosh"``) or an
  exact linear programme (``"mae"``, ``"pinball"``);
- :func:`fit_huber_sklearn`: scikit-learn's ``HuberRegressor`` objective, with its joint
  scale, and its mapping to ``fit_line(..., loss="huber", delta=epsilon * scale)``;
- :func:`influence`: the influence function ψ = ρ′ and the IRLS weight ψ(r)/r;
- :func:`best_constant`: the constant prediction with the lowest mean loss (mean, median,
  quantile, and Huber's compromise).

>>> import numpy as np
>>> x = np.arange(5.0); y = np.array([1.0, 3.0, 5.0, 7.0, 40.0])   # one outlier
>>> [round(float(fit_line(x, y, loss).coef[0]), 6) for loss in ("mse", "huber", "mae")]
[8.2, 2.5, 2.0]
>>> best_constant([1.0, 2.0, 10.0], "mae")
2.0

Every function validates its input like the losses do: NaN, shape mismatches, unknown loss
names and invalid hyper-parameters raise ``ValueError`` naming the argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import losses
from .losses._core import (
    FloatArray,
    Loss,
    as_float_array,
    check_in_interval,
    check_positive,
    check_real,
    check_same_shape,
)

__all__ = ["LinearFit", "best_constant", "fit_huber_sklearn", "fit_line", "influence"]

#: The losses :func:`fit_line` can minimise, with the solver used for each.
FIT_LOSSES = ("mse", "mae", "huber", "log_cosh", "pinball")

#: Redescending losses reached through :func:`lossviz.losses.barron` by name.
BARRON_ALIASES = {"cauchy": 0.0, "geman_mcclure": -2.0}


@dataclass(frozen=True, eq=False)
class LinearFit:
    """A fitted linear model ``y_hat = X @ coef + intercept`` and how it was found.

    Attributes:
        coef: the slopes, shape ``(n_features,)``.
        intercept: the intercept (0.0 with ``fit_intercept=False``).
        loss: the registered loss that was minimised (``"huber"``).
        params: its hyper-parameters (``{"delta": 1.0}``); read-only.
        n_iter: iterations of the solver (1 for least squares, HiGHS iterations for the
            linear programme, IRLS or L-BFGS-B iterations otherwise).
        converged: whether the solver met its tolerance (for IRLS: within ``max_iter``).
        objective: the mean loss at the fit, ``losses.get(loss)(y, predict(X), **params)``.
    """

    coef: FloatArray
    intercept: float
    loss: str
    params: Mapping[str, float]
    n_iter: int
    converged: bool
    objective: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def predict(self, x_or_X: ArrayLike) -> FloatArray:
        """Predictions for a 1-D ``x`` (one feature) or a 2-D ``X`` of shape (n, n_features).

        Args:
            x_or_X: inputs with ``len(coef)`` features.

        Returns:
            The predictions, shape ``(n,)``.
        """
        X = _as_design(x_or_X)
        if X.shape[1] != self.coef.size:
            raise ValueError(
                f"x_or_X must have {self.coef.size} feature(s); got shape {X.shape}."
            )
        return X @ self.coef + self.intercept


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def _as_design(x_or_X: ArrayLike) -> FloatArray:
    X = as_float_array(x_or_X, "x_or_X")
    if X.ndim == 1:
        return X.reshape(-1, 1)
    if X.ndim != 2:
        raise ValueError(
            f"x_or_X must be 1-D (one feature) or 2-D (n_samples, n_features); got shape {X.shape}."
        )
    return X


def _check_xy(x_or_X: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    X = _as_design(x_or_X)
    y = as_float_array(y, "y")
    if np.ndim(x_or_X) == 1:
        check_same_shape(X[:, 0], y, names=("x_or_X", "y"))
    elif y.shape != (X.shape[0],):
        raise ValueError(
            f"y must have shape ({X.shape[0]},), one target per row of x_or_X; got shape {y.shape}."
        )
    return X, y


def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
    return int(value)


def _check_fit_loss(loss: Any) -> str:
    if loss not in FIT_LOSSES:
        raise ValueError(f"loss must be one of {', '.join(FIT_LOSSES)}; got {loss!r}.")
    return loss


def _loss_params(loss: str, delta: float, quantile: float) -> dict[str, float]:
    if loss == "huber":
        return {"delta": check_positive(delta, "delta")}
    if loss == "pinball":
        return {"quantile": check_in_interval(quantile, "quantile", 0.0, 1.0)}
    return {}


# --------------------------------------------------------------------------------------
# fit_line and its solvers
# --------------------------------------------------------------------------------------


def _with_intercept(X: FloatArray, fit_intercept: bool) -> FloatArray:
    return np.hstack([X, np.ones((X.shape[0], 1))]) if fit_intercept else X


def _split(beta: FloatArray, fit_intercept: bool) -> tuple[FloatArray, float]:
    if fit_intercept:
        return beta[:-1].copy(), float(beta[-1])
    return beta.copy(), 0.0


def _weighted_lstsq(A: FloatArray, y: FloatArray, w: FloatArray) -> FloatArray:
    """argmin_beta sum_i w_i (y_i - A_i beta)^2, via lstsq on sqrt(w)-scaled rows."""
    s = np.sqrt(w)
    return np.linalg.lstsq(A * s[:, None], y * s, rcond=None)[0]


def _least_squares(X: FloatArray, y: FloatArray, fit_intercept: bool) -> FloatArray:
    if not fit_intercept:
        return np.linalg.lstsq(X, y, rcond=None)[0]
    # Centre first, as scikit-learn's LinearRegression does: the intercept column is then
    # orthogonal to the features, which keeps the problem well conditioned.
    x_mean, y_mean = X.mean(axis=0), y.mean()
    coef = np.linalg.lstsq(X - x_mean, y - y_mean, rcond=None)[0]
    return np.append(coef, y_mean - x_mean @ coef)


def _irls(
    A: FloatArray, y: FloatArray, name: str, params: dict[str, float], beta: FloatArray,
    max_iter: int, tol: float,
) -> tuple[FloatArray, int, bool]:
    """Iteratively reweighted least squares for a loss rho(r) = f(r^2) with f concave.

    Why it converges (Huber, log-cosh): both losses are concave functions of r^2 (their IRLS
    weight psi(r)/r never increases with |r|), so the weighted quadratic
    ``rho(r_k) + w(r_k) (r^2 - r_k^2) / 2`` lies above rho and touches it at r_k. Each
    weighted least-squares step minimises this majoriser, so the mean loss never increases
    (a majorise-minimise algorithm); both losses are convex, so the only fixed points are
    minimisers (Huber 1981, ch. 7; Holland & Welsch 1977).
    """
    for it in range(1, max_iter + 1):
        _, w = influence(name, A @ beta - y, **params)
        new = _weighted_lstsq(A, y, w)
        step = float(np.max(np.abs(new - beta)))
        beta = new
        if step <= tol * max(1.0, float(np.max(np.abs(beta)))):
            return _newton_polish(A, y, name, params, beta), it, True
    return _newton_polish(A, y, name, params, beta), max_iter, False


def _psi_prime(name: str, r: FloatArray, params: dict[str, float]) -> FloatArray:
    if name == "huber":
        return (np.abs(r) <= params["delta"]).astype(float)
    return 1.0 - np.tanh(r) ** 2  # log-cosh: d tanh(r) / dr


def _newton_polish(
    A: FloatArray, y: FloatArray, name: str, params: dict[str, float], beta: FloatArray
) -> FloatArray:
    """A few Newton steps from the converged IRLS iterate, kept only if they help.

    IRLS converges linearly; near the optimum Newton's method finishes the job (for Huber,
    once the set of points beyond ``delta`` is right, one step solves the problem exactly).
    A step is accepted only if it lowers the first-order residual ``|A^T psi|`` without
    raising the mean loss, so the polish can never make the fit worse.
    """
    loss = losses.get(name)

    def state(b: FloatArray) -> tuple[float, float, FloatArray, FloatArray]:
        r = A @ b - y
        psi = loss.grad(y, A @ b, reduction="none", **params)
        return float(loss(y, A @ b, **params)), float(np.max(np.abs(A.T @ psi))), psi, r

    value, foc, psi, r = state(beta)
    for _ in range(3):
        hess = A.T @ (A * _psi_prime(name, r, params)[:, None])
        try:
            trial = beta - np.linalg.solve(hess, A.T @ psi)
        except np.linalg.LinAlgError:
            break
        t_value, t_foc, t_psi, t_r = state(trial)
        if not (t_foc < foc and t_value <= value * (1.0 + 1e-14)):
            break
        beta, value, foc, psi, r = trial, t_value, t_foc, t_psi, t_r
    return beta


def _lp_quantile(A: FloatArray, y: FloatArray, tau: float) -> tuple[FloatArray, int, bool]:
    """Quantile regression as a linear programme, solved exactly by HiGHS.

    Write the residual ``y - A beta = u_plus - u_minus`` with ``u_plus, u_minus >= 0``; then

        minimise   sum_i tau * u_plus_i + (1 - tau) * u_minus_i
        subject to A beta + u_plus - u_minus = y,   beta free,   u_plus, u_minus >= 0.

    At an optimum at most one of ``u_plus_i, u_minus_i`` is positive, so the objective is the
    summed pinball loss. MAE is the case ``tau = 1/2`` (``|u| = 2 * pinball_0.5(u)``).
    """
    from scipy import sparse
    from scipy.optimize import linprog

    n, p = A.shape
    eye = sparse.identity(n, format="csr")
    A_eq = sparse.hstack([sparse.csr_matrix(A), eye, -eye], format="csr")
    cost = np.concatenate([np.zeros(p), np.full(n, tau), np.full(n, 1.0 - tau)])
    bounds = [(None, None)] * p + [(0.0, None)] * (2 * n)
    res = linprog(cost, A_eq=A_eq, b_eq=y, bounds=bounds, method="highs")
    if res.x is None:
        raise RuntimeError(f"the quantile-regression LP failed: {res.message}")
    return res.x[:p], int(res.nit), res.status == 0


def fit_line(
    x_or_X: ArrayLike,
    y: ArrayLike,
    loss: str = "mse",
    *,
    delta: float = 1.0,
    quantile: float = 0.5,
    fit_intercept: bool = True,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> LinearFit:
    r"""The linear model minimising the mean of a registered regression loss.

    .. math::
        \min_{w, b} \frac1n \sum_i \rho(x_i^\top w + b - y_i)

    Solvers (all deterministic):

    - ``"mse"``: least squares (``np.linalg.lstsq`` on centred data), exact.
    - ``"huber"``: IRLS with weights ``min(1, delta / |r|)``, started from least squares.
    - ``"log_cosh"``: IRLS with weights ``tanh(r) / r``, started from least squares.
    - ``"mae"``, ``"pinball"``: an exact linear programme (``scipy.optimize.linprog``,
      method ``"highs"``), splitting each residual :math:`y_i - x_i^\top w - b` into its
      positive and negative parts :math:`u_i^+, u_i^- \ge 0`:

      .. math::
          \min_{w,\, b,\, u^\pm} \sum_i \tau u_i^+ + (1 - \tau) u_i^-
          \quad\text{s.t.}\quad x_i^\top w + b + u_i^+ - u_i^- = y_i,\ \ u^\pm \ge 0,

      with :math:`\tau` = ``quantile`` (MAE is :math:`\tau = 1/2`, with twice the cost).
      When several lines are optimal the LP returns one vertex solution.

    Both IRLS fits end with at most three Newton steps, each kept only if it lowers the
    first-order residual without raising the loss (``_newton_polish``); on ordinary data the
    returned line satisfies :math:`\sum_i \psi(r_i)\,(x_i, 1) = 0` to about 1e-13. IRLS
    slows down when almost every residual is far beyond the quadratic zone (Huber with a
    tiny ``delta``, log-cosh on data with residuals in the thousands, both close to MAE);
    ``converged`` is then ``False`` after ``max_iter`` steps: use ``"mae"`` or rescale ``y``.

    Args:
        x_or_X: inputs, 1-D (one feature) or 2-D of shape (n_samples, n_features).
        y: targets, shape (n_samples,).
        loss: ``"mse"``, ``"mae"``, ``"huber"``, ``"log_cosh"`` or ``"pinball"``.
        delta: Huber's threshold (``loss="huber"`` only), > 0.
        quantile: the target quantile in (0, 1) (``loss="pinball"`` only).
        fit_intercept: whether to fit ``b`` (otherwise ``b = 0``).
        max_iter: maximum number of IRLS iterations, >= 1.
        tol: IRLS stops when no coefficient moves by more than ``tol * max(1, max |beta|)``.

    Returns:
        A :class:`LinearFit`.

    Examples:
        >>> fit = fit_line([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
        >>> round(float(fit.coef[0]), 12), round(fit.intercept, 12)
        (2.0, 1.0)
    """
    loss = _check_fit_loss(loss)
    params = _loss_params(loss, delta, quantile)
    X, y = _check_xy(x_or_X, y)
    max_iter = _check_count(max_iter, "max_iter")
    tol = check_positive(tol, "tol")
    A = _with_intercept(X, fit_intercept)
    n_iter, converged = 1, True
    if loss == "mse":
        beta = _least_squares(X, y, fit_intercept)
    elif loss in ("mae", "pinball"):
        beta, n_iter, converged = _lp_quantile(A, y, params.get("quantile", 0.5))
    else:
        start = _least_squares(X, y, fit_intercept)
        beta, n_iter, converged = _irls(A, y, loss, params, start, max_iter, tol)
    coef, intercept = _split(beta, fit_intercept)
    objective = float(losses.get(loss)(y, A @ beta, **params))
    return LinearFit(coef, intercept, loss, params, n_iter, converged, objective)


# --------------------------------------------------------------------------------------
# scikit-learn's HuberRegressor (joint scale, Owen 2007)
# --------------------------------------------------------------------------------------


def _huber_scaled_objective(
    theta: FloatArray, A: FloatArray, y: FloatArray, epsilon: float, alpha: float, p: int
) -> tuple[float, FloatArray]:
    """HuberRegressor's objective and gradient; theta = (coef, [intercept], sigma)."""
    beta, sigma = theta[:-1], theta[-1]
    r = y - A @ beta
    outlier = np.abs(r) > epsilon * sigma
    inl = r[~outlier]
    # sum_i [sigma + 2 sigma H_eps(r_i / sigma)], written without dividing r by sigma twice.
    value = (
        y.size * sigma + inl @ inl / sigma
        + np.sum(2.0 * epsilon * np.abs(r[outlier]) - sigma * epsilon**2)
        + alpha * beta[:p] @ beta[:p]
    )
    # d(term_i)/d(r_i); r = y - A beta, hence the minus sign for the gradient in beta.
    dterm = np.where(outlier, 2.0 * epsilon * np.sign(r), 2.0 * r / sigma)
    grad_beta = -(A.T @ dterm)
    grad_beta[:p] += 2.0 * alpha * beta[:p]
    grad_sigma = y.size - np.count_nonzero(outlier) * epsilon**2 - inl @ inl / sigma**2
    return float(value), np.append(grad_beta, grad_sigma)


def fit_huber_sklearn(
    x_or_X: ArrayLike,
    y: ArrayLike,
    *,
    epsilon: float = 1.35,
    alpha: float = 0.0,
    fit_intercept: bool = True,
) -> tuple[LinearFit, float]:
    r"""scikit-learn's ``HuberRegressor``: Huber regression with a jointly estimated scale.

    Minimises, over the coefficients :math:`w`, the intercept :math:`b` and the scale
    :math:`\sigma > 0` (Owen 2007, as in ``sklearn/linear_model/_huber.py``):

    .. math::
        \sum_i \Bigl[\sigma + \sigma\, M_\varepsilon\!\Bigl(\frac{r_i}{\sigma}\Bigr)\Bigr]
            + \alpha \lVert w \rVert_2^2, \qquad r_i = y_i - x_i^\top w - b,

    with :math:`M_\varepsilon(z) = z^2` for :math:`|z| \le \varepsilon` and
    :math:`2\varepsilon|z| - \varepsilon^2` otherwise: twice the :func:`lossviz.losses.huber`
    loss :math:`h_\varepsilon`. The objective is jointly convex in :math:`(w, b, \sigma)`;
    it is minimised with L-BFGS-B (``sigma >= 10 * machine epsilon``, as scikit-learn does).

    Mapping to :func:`fit_line`: since :math:`\sigma\, M_\varepsilon(r/\sigma) =
    \tfrac{2}{\sigma} h_{\varepsilon\sigma}(r)`, at the optimal scale :math:`\sigma^*` and
    with ``alpha = 0`` the coefficients minimise the mean :math:`h_{\varepsilon\sigma^*}`
    loss, so ``fit_line(X, y, "huber", delta=epsilon * scale)`` returns the same line
    (checked in ``tests/test_robust.py``). With ``alpha > 0`` the penalty breaks this.

    Args:
        x_or_X: inputs, 1-D (one feature) or 2-D of shape (n_samples, n_features).
        y: targets, shape (n_samples,).
        epsilon: the threshold in units of the scale, >= 1 (scikit-learn's default 1.35
            gives 95 % efficiency on Gaussian noise).
        alpha: the L2 penalty strength on ``coef`` (not on the intercept), >= 0.
        fit_intercept: whether to fit the intercept.

    Returns:
        ``(fit, scale)``: a :class:`LinearFit` with ``loss="huber"``,
        ``params={"delta": epsilon * scale}`` and ``objective`` the mean Huber loss at that
        delta, and the fitted scale :math:`\sigma` (scikit-learn's ``scale_``). scikit-learn's
        objective value is ``n * (scale + 2 * objective / scale) + alpha * ||coef||^2``.
    """
    from scipy.optimize import minimize

    epsilon = check_in_interval(epsilon, "epsilon", 1.0, np.inf, closed="left")
    alpha = check_real(alpha, "alpha")
    if alpha < 0:
        raise ValueError(f"alpha must be >= 0; got {alpha!r}.")
    X, y = _check_xy(x_or_X, y)
    A = _with_intercept(X, fit_intercept)
    p = X.shape[1]
    start = np.append(np.zeros(A.shape[1]), 1.0)  # scikit-learn's starting point
    bounds = [(None, None)] * A.shape[1] + [(10 * np.finfo(float).eps, None)]
    res = minimize(
        _huber_scaled_objective, start, args=(A, y, epsilon, alpha, p), jac=True,
        method="L-BFGS-B", bounds=bounds,
        options={"maxiter": 15000, "maxfun": 30000, "gtol": 1e-12, "ftol": 1e-15},
    )
    beta, scale = res.x[:-1], float(res.x[-1])
    coef, intercept = _split(beta, fit_intercept)
    params = {"delta": epsilon * scale}
    objective = float(losses.get("huber")(y, A @ beta, **params))
    fit = LinearFit(coef, intercept, "huber", params, int(res.nit), bool(res.success), objective)
    return fit, scale


# --------------------------------------------------------------------------------------
# Influence functions
# --------------------------------------------------------------------------------------


def _resolve_loss(
    name: Any, params: dict[str, Any], arg: str
) -> tuple[Loss, dict[str, Any]]:
    """The registered regression loss called ``name`` (or a Barron alias) and its params."""
    if isinstance(name, str) and name in BARRON_ALIASES:
        if "alpha" in params:
            raise ValueError(f"alpha is fixed for {name!r}; use {arg}='barron' to choose alpha.")
        return losses.get("barron"), {"alpha": BARRON_ALIASES[name], **params}
    if not isinstance(name, str) or name not in losses.names():
        raise ValueError(
            f"{arg} must be a registered regression loss name, 'cauchy' or 'geman_mcclure'; "
            f"got {name!r}."
        )
    loss = losses.get(name)
    if loss.task != "regression":
        raise ValueError(
            f"{arg} must be a regression loss (a function of the residual); "
            f"got {name!r}, a {loss.task} loss."
        )
    return loss, params


def _curvature_at_zero(name: str, params: Mapping[str, Any]) -> float:
    """lim_{r -> 0} psi(r) / r = rho''(0); infinite at the kink of MAE and pinball."""
    if name == "mse":
        return 2.0
    if name in ("huber", "log_cosh"):
        return 1.0
    if name == "barron":
        return 1.0 / float(params.get("scale", 1.0)) ** 2
    return np.inf


def influence(name: str, r: ArrayLike, **params: Any) -> tuple[FloatArray, FloatArray]:
    r"""The influence function :math:`\psi(r) = \rho'(r)` and the IRLS weight :math:`\psi(r)/r`.

    :math:`\psi` is the registered gradient per element (``reduction="none"``) at residual
    :math:`r = \hat y - y`: it says how hard one point pulls on the fit. The weight
    :math:`w(r) = \psi(r)/r` is what IRLS gives each point; at :math:`r = 0` it is the exact
    limit :math:`\rho''(0)` (2 for MSE, 1 for Huber and log-cosh, :math:`1/c^2` for Barron)
    and ``inf`` for MAE and pinball, whose :math:`\psi` jumps at 0 (there ``psi = 0``, the
    registry's subgradient).

    Besides every registered regression loss, ``name`` may be ``"cauchy"`` or
    ``"geman_mcclure"``: :func:`lossviz.losses.barron` with ``alpha = 0`` or ``-2``
    (redescending: :math:`\psi \to 0` as :math:`|r| \to \infty`), with an optional ``scale``.

    Args:
        name: a registered regression loss, ``"cauchy"`` or ``"geman_mcclure"``.
        r: residuals, any shape.
        **params: the loss's hyper-parameters (``delta``, ``quantile``, ``alpha``, ``scale``).

    Returns:
        ``(psi, weight)``, both the shape of ``r``.

    Examples:
        >>> psi, w = influence("huber", [0.0, 0.5, 3.0], delta=1.0)
        >>> psi.tolist(), w.tolist()
        ([0.0, 0.5, 1.0], [1.0, 1.0, 0.3333333333333333])
    """
    loss, params = _resolve_loss(name, dict(params), "name")
    r = as_float_array(r, "r")
    psi = loss.grad(np.zeros_like(r), r, reduction="none", **params)
    zero = r == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(zero, 0.0, psi / np.where(zero, 1.0, r))
    weight[zero] = _curvature_at_zero(loss.name, params)
    return psi, weight


# --------------------------------------------------------------------------------------
# The best constant prediction
# --------------------------------------------------------------------------------------


def _best_kink(y: FloatArray, quantile: float) -> float:
    """Exact minimiser of the mean pinball loss (MAE: ``quantile = 1/2``): a data point.

    The mean loss is convex and linear between consecutive data points, so a minimiser lies
    at a kink, i.e. at a data point, and the minimisers form a closed interval between two
    of them. Comparing the mean loss at the data points in floating point cannot tell a
    true tie (MAE with even ``n``) from a difference of 1e-300, so the lowest minimiser is
    found from the exact subgradient instead: the slope of the mean loss just right of
    ``c`` is ``(#{y <= c} - quantile * n) / n``, so the lowest minimiser is the smallest data
    point ``c`` with ``#{y <= c} >= quantile * n``, which is
    ``np.quantile(y, quantile, method="inverted_cdf")`` (``quantile * n`` rounded as numpy
    rounds it).
    """
    ordered = np.sort(y)
    candidates = np.unique(ordered)
    at_or_below = np.searchsorted(ordered, candidates, side="right")
    return float(candidates[np.argmax(at_or_below >= quantile * y.size)])


def best_constant(y: ArrayLike, loss: str = "mse", **params: Any) -> float:
    """The constant prediction ``c`` that minimises the mean ``loss(y, c)``.

    - Piecewise-linear losses (``"mae"``, ``"pinball"``): exact. The minimiser lies at a
      kink, i.e. at a data point; the lowest one is returned on ties, decided exactly from
      the subgradient (the smallest data point ``c`` with ``#{y <= c} >= quantile * n``)
      rather than by comparing rounded sums: the median for odd ``n``, the lower median
      for even ``n``, and ``np.quantile(y, quantile, method="inverted_cdf")`` for pinball.
    - Smooth losses (``"mse"``, ``"huber"``, ``"log_cosh"``, ``"barron"``, ``"cauchy"``,
      ``"geman_mcclure"``): ``scipy.optimize.minimize_scalar(method="bounded")`` on
      ``[min y, max y]`` (searching the offset from the midpoint), accurate to about
      ``1e-8 * (max y - min y)``. MSE gives the mean. Huber's constant moves from the median
      (small ``delta``) to the mean (``delta >= max |y - mean|``) and, for odd ``n``, is
      within ``delta`` of the median; it is *not* always between the median and the mean
      (``y = [-4.9, -3.5, 0.2, 0.9, 17.6]``, ``delta = 2`` gives -0.45). For the non-convex
      Barron losses (``alpha < 1``) it returns a local minimiser.

    Args:
        y: the targets, any shape (flattened).
        loss: a registered regression loss name.
        **params: its hyper-parameters (``delta``, ``quantile``, ``alpha``, ``scale``).

    Returns:
        The minimising constant, as a float.

    Examples:
        >>> best_constant([1.0, 2.0, 3.0, 10.0], "pinball", quantile=0.5)
        2.0
        >>> round(best_constant([1.0, 2.0, 3.0, 10.0], "mse"), 6)
        4.0
    """
    from scipy.optimize import minimize_scalar

    loss_fn, params = _resolve_loss(loss, dict(params), "loss")
    y = as_float_array(y, "y").ravel()
    if loss_fn.name in ("mae", "pinball"):
        loss_fn(y, y, **params)  # validates quantile
        return _best_kink(y, float(params.get("quantile", 0.5)))
    lo, hi = float(y.min()), float(y.max())
    if lo == hi:
        return lo
    # Search over the offset t = c - mid: Brent's tolerance is relative to |t| <= (hi - lo) / 2,
    # not to |c|, which keeps full accuracy for data far from 0 with a small spread.
    mid = 0.5 * (lo + hi)
    res = minimize_scalar(
        lambda t: loss_fn(y, np.full_like(y, mid + t), **params),
        bounds=(lo - mid, hi - mid), method="bounded", options={"xatol": 1e-12 * (hi - lo)},
    )
    return float(min(max(mid + res.x, lo), hi))
