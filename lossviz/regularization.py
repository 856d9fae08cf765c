r"""Regularized least squares: ridge, lasso and elastic net, their paths, λ by cross-validation.

The numerical core of the regularization chapter. One objective covers every penalty:

.. math::
    J(w, b) = \frac{1}{2n} \lVert y - Xw - b \rVert_2^2
        + \lambda \Bigl( \rho \lVert w \rVert_1 + \frac{1 - \rho}{2} \lVert w \rVert_2^2 \Bigr),

with :math:`\lambda \ge 0` the regularization strength (``lam``) and :math:`\rho \in [0, 1]`
the L1 share (``l1_ratio``): :math:`\rho = 0` is ridge, :math:`\rho = 1` the lasso, anything
between the elastic net. The intercept :math:`b` is never penalised. This is scikit-learn's
``ElasticNet`` objective, so the mappings to scikit-learn are (``n`` = number of rows of the
data the model is fitted on; ``tests/test_regularization.py`` asserts each to 1e-8 or better):

- ``elastic_net(X, y, lam, l1_ratio)`` is ``ElasticNet(alpha=lam, l1_ratio=l1_ratio)``, which
  minimises ``(1/2n)‖y − Xw − b‖² + alpha·l1_ratio·‖w‖₁ + ½·alpha·(1 − l1_ratio)·‖w‖²``;
- ``lasso_cd(X, y, lam)`` (and ``lasso_ista``, ``lasso_fista``) is ``Lasso(alpha=lam)``,
  which minimises ``(1/2n)‖y − Xw − b‖² + alpha·‖w‖₁``;
- ``ridge_closed_form(X, y, lam)`` (and ``ridge_gd``) is ``Ridge(alpha=n * lam)``, which
  minimises ``‖y − Xw − b‖² + alpha·‖w‖²`` (no 1/n, no ½).

For ridge, multiplying :math:`J` (with :math:`\rho = 0`) by :math:`2n` gives
:math:`\lVert y - Xw - b\rVert^2 + n\lambda\lVert w\rVert^2`, so ``alpha = n * lam``. In
k-fold cross-validation ``n`` is the size of each *training fold*, so one λ is a slightly
different ``alpha`` in every fold (the lasso and elastic-net mappings do not depend on n).
:class:`lossviz.models.LinearRegression` with ``l2`` and the ``"mse"`` loss minimises
``mean((ŷ − y)²) + ½ l2 ‖w‖²`` = :math:`2 J` with ``l2 = 2 * lam``.

Solvers (all deterministic, all working on the centred data, so the intercept is exact:
:math:`b = \bar y - \bar x^\top w`):

- :func:`ridge_closed_form`: the SVD of the centred design, exact;
- :func:`ridge_gd`: gradient descent with step ``1/L``;
- :func:`lasso_ista`, :func:`lasso_fista`: proximal gradient (a gradient step on the smooth
  part, then :func:`soft_threshold`), FISTA with momentum and adaptive restart;
- :func:`lasso_cd`: cyclic coordinate descent, as in scikit-learn and glmnet;
- :func:`elastic_net`: any ``l1_ratio`` with any of these iterative solvers;
- :func:`lasso_knots`: the exact, piecewise-linear lasso path (LARS-lasso homotopy), which
  :func:`regularization_path` and :func:`kfold_cv` use for the lasso.

Around them: :func:`regularization_path` (warm starts, non-zero counts), :func:`kfold_cv`
(λ by k-fold cross-validation), :func:`bootstrap_bias_variance` (bias², variance and noise
from refits), :func:`early_stopping_vs_ridge` (gradient descent's iterates against ridge
with λ = 1/(ηt)) and :func:`conditioning` (what λ does to the curvature).

>>> import numpy as np
>>> X = np.array([[-1.0, 1.0], [0.0, -2.0], [1.0, 1.0]]); y = np.array([-1.7, -0.6, 2.3])
>>> lasso = lasso_cd(X, y, 1.0)           # the L1 penalty sets w₂ exactly to zero
>>> lasso.coef.round(12).tolist(), lasso.n_nonzero
([0.5, 0.0], 1)
>>> ridge_closed_form(X, y, 1.0).coef.round(12).tolist()   # L2 only shrinks
[0.8, 0.2]

Every function validates its input like :mod:`lossviz.robust`: NaN or infinite values, shape
mismatches, a negative λ, an ``l1_ratio`` outside [0, 1] and unknown penalty names raise
``ValueError`` (non-numbers ``TypeError``) naming the argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .losses._core import FloatArray, as_float_array, check_in_interval, check_real

__all__ = [
    "PENALTIES",
    "SOLVERS",
    "BiasVariance",
    "CVResult",
    "Conditioning",
    "EarlyStoppingComparison",
    "PenalizedFit",
    "RegularizationPath",
    "bootstrap_bias_variance",
    "conditioning",
    "early_stopping_vs_ridge",
    "elastic_net",
    "kfold_cv",
    "lambda_grid",
    "lambda_max",
    "lasso_cd",
    "lasso_fista",
    "lasso_ista",
    "lasso_knots",
    "penalized_objective",
    "penalty_value",
    "regularization_path",
    "ridge_closed_form",
    "ridge_effective_df",
    "ridge_gd",
    "soft_threshold",
]

#: Penalty names accepted by :func:`regularization_path`, :func:`kfold_cv`, ... and their ρ.
PENALTIES = {"ridge": 0.0, "lasso": 1.0, "elastic_net": None}

#: Iterative solvers accepted by :func:`elastic_net`.
SOLVERS = ("cd", "fista", "ista")

_DEFAULT_TOL = 1e-12
_DEFAULT_MAX_ITER = 100_000
_BLOW_UP = 1e100  # an objective this large means gradient descent is diverging


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PenalizedFit:
    """A fitted linear model ``y_hat = X @ coef + intercept`` and how it was found.

    Attributes:
        coef: the weights :math:`w`, shape ``(n_features,)``; lasso and elastic-net
            solvers return exact zeros (``0.0``), never ±1e-17.
        intercept: :math:`b` (0.0 with ``fit_intercept=False``).
        lam: the regularization strength λ.
        l1_ratio: ρ, the L1 share of the penalty (0 ridge, 1 lasso).
        solver: ``"svd"`` (closed form), ``"gd"``, ``"ista"``, ``"fista"``, ``"cd"`` or
            ``"lars"`` (read off the exact lasso homotopy).
        n_iter: iterations (gradient or proximal steps; sweeps over all coordinates for
            ``"cd"``); 1 for the closed form.
        converged: whether the optimality (KKT) conditions hold to ``tol`` (see
            :func:`elastic_net`); always ``True`` for the closed form.
        objective: :math:`J(w, b)` at the fit (:func:`penalized_objective`).
        history: :math:`J` after every iteration (empty for the closed form and the
            homotopy).
    """

    coef: FloatArray
    intercept: float
    lam: float
    l1_ratio: float
    solver: str
    n_iter: int
    converged: bool
    objective: float
    history: FloatArray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_nonzero(self) -> int:
        """How many coefficients are not exactly zero."""
        return int(np.count_nonzero(self.coef))

    def predict(self, X: ArrayLike) -> FloatArray:
        """Predictions ``X @ coef + intercept`` for ``X`` of shape ``(n, n_features)``."""
        X = _as_design(X, "X")
        if X.shape[1] != self.coef.size:
            raise ValueError(f"X must have {self.coef.size} columns; got shape {X.shape}.")
        return X @ self.coef + self.intercept


@dataclass(frozen=True, eq=False)
class RegularizationPath:
    """Solutions along a grid of λ (rows in the order of ``lambdas`` as given).

    Attributes:
        lambdas: the λ values, shape ``(m,)``.
        coefs: the weights, shape ``(m, n_features)``.
        intercepts: shape ``(m,)``.
        n_nonzero: exact non-zero coefficients at each λ, shape ``(m,)``.
        objectives: :math:`J` at each solution, shape ``(m,)``.
        n_iter: solver iterations at each λ (1 for ridge's closed form), shape ``(m,)``.
        converged: shape ``(m,)``.
        penalty: ``"ridge"``, ``"lasso"`` or ``"elastic_net"``.
        l1_ratio: ρ.
    """

    lambdas: FloatArray
    coefs: FloatArray
    intercepts: FloatArray
    n_nonzero: np.ndarray
    objectives: FloatArray
    n_iter: np.ndarray
    converged: np.ndarray
    penalty: str
    l1_ratio: float


@dataclass(frozen=True, eq=False)
class CVResult:
    """k-fold cross-validation of a penalised fit over a λ grid.

    Attributes:
        lambdas: the λ grid as given, shape ``(m,)``.
        fold_mse: validation MSE ``mean((y − ŷ)²)`` of each fold, shape ``(m, k)``.
        mean_mse: the mean over folds (the CV estimate), shape ``(m,)``.
        std_mse: the standard deviation over folds (``ddof=0``, like scikit-learn's
            ``GridSearchCV.cv_results_["std_test_score"]``), shape ``(m,)``.
        train_mse: the training MSE averaged over folds, shape ``(m,)``: it only falls as
            λ falls, which is why λ is never chosen by it.
        best_index: index of the λ with the lowest ``mean_mse`` (ties: the largest λ).
        best_lambda: ``lambdas[best_index]``.
        lambda_1se: the largest λ whose ``mean_mse`` is within one standard error
            (``std_mse / sqrt(k)``) of the best: the "one-standard-error rule".
        folds: ``(train_index, validation_index)`` of each fold.
        penalty: the penalty name; ``l1_ratio``: ρ.
    """

    lambdas: FloatArray
    fold_mse: FloatArray
    mean_mse: FloatArray
    std_mse: FloatArray
    train_mse: FloatArray
    best_index: int
    best_lambda: float
    lambda_1se: float
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]
    penalty: str
    l1_ratio: float


@dataclass(frozen=True, eq=False)
class BiasVariance:
    """Bias², variance and noise of a penalised polynomial fit, per λ (see
    :func:`bootstrap_bias_variance`).

    Attributes:
        lambdas: shape ``(m,)``.
        bias2: mean over the test points of (f(x) − mean refit(x))², shape ``(m,)``.
        variance: mean over the test points of the refits' variance at x, shape ``(m,)``.
        noise: σ², the irreducible error.
        expected_error: ``bias2 + variance + noise``, shape ``(m,)``.
        test_error: the Monte-Carlo test error: mean over refits and test points of
            (f(x) + ε − refit(x))² with fresh noise ε, shape ``(m,)``.
        test_error_se: its Monte-Carlo standard error, shape ``(m,)``.
        x_test: the test inputs, shape ``(t,)``; ``f_test``: f there.
        predictions: every refit's predictions, shape ``(m, n_refits, t)``.
        mean_prediction: their mean over refits, shape ``(m, t)``.
    """

    lambdas: FloatArray
    bias2: FloatArray
    variance: FloatArray
    noise: float
    expected_error: FloatArray
    test_error: FloatArray
    test_error_se: FloatArray
    x_test: FloatArray
    f_test: FloatArray
    predictions: FloatArray
    mean_prediction: FloatArray


@dataclass(frozen=True, eq=False)
class EarlyStoppingComparison:
    """Gradient descent from zero against ridge with λ = 1/(η t) (see
    :func:`early_stopping_vs_ridge`).

    Attributes:
        steps: t = 0, 1, ..., n_steps, shape ``(T + 1,)``.
        lr: the step size η.
        lambdas: the matched ridge strengths 1/(η t) (``inf`` at t = 0), shape ``(T + 1,)``.
        gd_coefs: gradient descent's weights after t steps, shape ``(T + 1, p)``.
        ridge_coefs: ridge's weights at ``lambdas[t]``, shape ``(T + 1, p)``.
        gd_intercepts: gradient descent's intercepts, shape ``(T + 1,)``.
        ridge_intercepts: ridge's intercepts, shape ``(T + 1,)``.
        eigenvalues: s, the eigenvalues of XᵀX/n (centred), ascending, shape ``(p,)``.
        gd_filter: 1 − (1 − ηs)^t, shape ``(T + 1, p)``.
        ridge_filter: s / (s + λ_t), shape ``(T + 1, p)``.
        least_squares_coef: the limit of both paths (λ → 0, t → ∞), shape ``(p,)``.
    """

    steps: np.ndarray
    lr: float
    lambdas: FloatArray
    gd_coefs: FloatArray
    ridge_coefs: FloatArray
    gd_intercepts: FloatArray
    ridge_intercepts: FloatArray
    eigenvalues: FloatArray
    gd_filter: FloatArray
    ridge_filter: FloatArray
    least_squares_coef: FloatArray

    def relative_gap(self) -> FloatArray:
        """‖w_GD(t) − w_ridge(1/(ηt))‖ / ‖w_LS‖ at every t, shape ``(T + 1,)``."""
        scale = float(np.linalg.norm(self.least_squares_coef)) or 1.0
        return np.linalg.norm(self.gd_coefs - self.ridge_coefs, axis=1) / scale


@dataclass(frozen=True, eq=False)
class Conditioning:
    """What λ does to the curvature of the ridge objective (see :func:`conditioning`).

    Attributes:
        eigenvalues: s, eigenvalues of XᵀX/n (centred), ascending, shape ``(p,)``.
        lambdas: shape ``(m,)``.
        condition_number: (s_max + λ) / (s_min + λ), shape ``(m,)``.
        gd_rate: the factor by which gradient descent with step 1/L shrinks the error in
            the slowest direction per step, 1 − (s_min + λ)/(s_max + λ), shape ``(m,)``.
        gd_steps: steps that factor needs to shrink the error a millionfold,
            ceil(ln 1e-6 / ln gd_rate), shape ``(m,)``.
    """

    eigenvalues: FloatArray
    lambdas: FloatArray
    condition_number: FloatArray
    gd_rate: FloatArray
    gd_steps: FloatArray


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def _as_design(X: ArrayLike, name: str) -> FloatArray:
    X = as_float_array(X, name)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D, shape (n_samples, n_features); got shape {X.shape}. "
            "Use X.reshape(-1, 1) for a single feature."
        )
    return X


def _check_xy(X: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    X = _as_design(X, "X")
    y = as_float_array(y, "y")
    if y.shape != (X.shape[0],):
        raise ValueError(
            f"y must have shape ({X.shape[0]},), one target per row of X; got shape {y.shape}."
        )
    return X, y


def _check_lambda(lam: Any, name: str = "lam") -> float:
    lam = check_real(lam, name)
    if lam < 0:
        raise ValueError(f"{name} must be >= 0 (the regularization strength λ); got {lam!r}.")
    return lam


def _check_lambdas(lambdas: ArrayLike) -> FloatArray:
    lambdas = as_float_array(lambdas, "lambdas")
    if lambdas.ndim != 1:
        raise ValueError(f"lambdas must be 1-D; got shape {lambdas.shape}.")
    if np.any(lambdas < 0):
        raise ValueError(
            f"lambdas must all be >= 0; got {int(np.sum(lambdas < 0))} negative value(s), "
            f"e.g. {float(lambdas[lambdas < 0][0])!r}."
        )
    return lambdas


def _check_l1_ratio(l1_ratio: Any) -> float:
    return check_in_interval(l1_ratio, "l1_ratio", 0.0, 1.0, closed="both")


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _check_tol(tol: Any) -> float:
    tol = check_real(tol, "tol")
    if tol <= 0:
        raise ValueError(f"tol must be > 0; got {tol!r}.")
    return tol


def _resolve_penalty(penalty: Any, l1_ratio: Any) -> float:
    """ρ for a penalty name; ``l1_ratio`` is used by ``"elastic_net"`` only."""
    if penalty not in PENALTIES:
        raise ValueError(
            f"penalty must be one of {', '.join(map(repr, PENALTIES))}; got {penalty!r}."
        )
    rho = PENALTIES[penalty]
    return _check_l1_ratio(l1_ratio) if rho is None else rho


# --------------------------------------------------------------------------------------
# The objective and its pieces
# --------------------------------------------------------------------------------------


def penalty_value(coef: ArrayLike, l1_ratio: float = 1.0) -> float:
    r"""The penalty without λ: :math:`\rho \lVert w\rVert_1 + \frac{1-\rho}{2}\lVert w\rVert_2^2`.

    In the constrained form :math:`\min \frac{1}{2n}\lVert y - Xw - b\rVert^2` subject to
    ``penalty_value(w) <= t``, the penalised solution at λ solves the constrained problem
    with budget ``t = penalty_value(w_λ)`` (Lagrange duality): the L1 ball is a diamond,
    the L2 ball a disc, the elastic-net ball a rounded diamond.

    Args:
        coef: the weights, 1-D.
        l1_ratio: ρ in [0, 1].

    Returns:
        The penalty, a float.
    """
    coef = as_float_array(coef, "coef")
    rho = _check_l1_ratio(l1_ratio)
    return float(rho * np.sum(np.abs(coef)) + 0.5 * (1.0 - rho) * np.dot(coef, coef))


def penalized_objective(
    X: ArrayLike, y: ArrayLike, coef: ArrayLike, intercept: float, lam: float,
    l1_ratio: float = 1.0,
) -> float:
    r"""The chapter's objective :math:`J(w, b)` (see the module docstring).

    .. math::
        J(w, b) = \frac{1}{2n}\lVert y - Xw - b\rVert_2^2
            + \lambda\Bigl(\rho\lVert w\rVert_1 + \frac{1-\rho}{2}\lVert w\rVert_2^2\Bigr)

    Args:
        X: inputs, shape ``(n, p)``.
        y: targets, shape ``(n,)``.
        coef: weights, shape ``(p,)``.
        intercept: b.
        lam: λ >= 0.
        l1_ratio: ρ in [0, 1].

    Returns:
        :math:`J`, a float.
    """
    X, y = _check_xy(X, y)
    coef = as_float_array(coef, "coef")
    if coef.shape != (X.shape[1],):
        raise ValueError(f"coef must have shape ({X.shape[1]},); got shape {coef.shape}.")
    intercept = check_real(intercept, "intercept")
    lam = _check_lambda(lam)
    r = y - X @ coef - intercept
    return float(0.5 * np.dot(r, r) / y.size + lam * penalty_value(coef, l1_ratio))


def soft_threshold(v: ArrayLike, t: float | ArrayLike) -> FloatArray:
    r"""The soft-thresholding operator, the proximal map of :math:`t\lVert\cdot\rVert_1`.

    .. math::
        S_t(v) = \operatorname{sign}(v)\,\max(|v| - t,\ 0)
            = \arg\min_u \tfrac12 (u - v)^2 + t\,|u|

    Entries with :math:`|v| \le t` become exactly 0 (this is where the lasso's zeros come
    from); the others move toward 0 by t. Compare ridge's shrinkage :math:`v / (1 + t)`,
    which never reaches 0.

    Args:
        v: values, any shape.
        t: threshold(s) >= 0, a number or an array of the shape of ``v``.

    Returns:
        :math:`S_t(v)`, the shape of ``v``, with exact zeros (never −0.0).

    Examples:
        >>> soft_threshold([-3.0, -0.5, 0.0, 1.0, 2.5], 1.0).tolist()
        [-2.0, 0.0, 0.0, 0.0, 1.5]
    """
    v = as_float_array(v, "v")
    t_arr = as_float_array(t, "t")
    if t_arr.ndim and t_arr.shape != v.shape:
        raise ValueError(
            f"t must be a number or have the shape of v {v.shape}; got shape {t_arr.shape}."
        )
    if np.any(t_arr < 0):
        raise ValueError(f"t must be >= 0 (a threshold); got {float(np.min(t_arr))!r}.")
    return _soft(v, t_arr)


def _soft(v: Any, t: Any) -> Any:
    # + 0.0 turns the -0.0 of negative entries that hit the threshold into +0.0
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0) + 0.0


# --------------------------------------------------------------------------------------
# Shared machinery: centred data, Gram matrix, optimality conditions
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Centred:
    """Centred data in Gram form: J(w) = ½ wᵀGw − cᵀw + ½ yy + λ P(w), G = XcᵀXc/n, c = Xcᵀyc/n."""

    n: int
    x_mean: FloatArray
    y_mean: float
    gram: FloatArray
    xty: FloatArray
    yy: float

    @classmethod
    def of(cls, X: FloatArray, y: FloatArray, fit_intercept: bool) -> _Centred:
        n = y.size
        x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
        y_mean = float(y.mean()) if fit_intercept else 0.0
        Xc, yc = X - x_mean, y - y_mean
        return cls(n, x_mean, y_mean, Xc.T @ Xc / n, Xc.T @ yc / n, float(yc @ yc) / n)

    def intercept(self, coef: FloatArray) -> float:
        return float(self.y_mean - self.x_mean @ coef)

    def scale(self) -> float:
        """The size of the gradient at w = 0, ‖Xᵀy/n‖∞: tolerances are relative to it."""
        return max(float(np.max(np.abs(self.xty))), np.finfo(float).tiny)

    def smooth_value(self, coef: FloatArray, l2: float) -> float:
        return float(0.5 * coef @ self.gram @ coef - self.xty @ coef + 0.5 * self.yy
                     + 0.5 * l2 * coef @ coef)

    def lipschitz(self, l2: float) -> float:
        return float(np.linalg.eigvalsh(self.gram)[-1]) + l2


def _kkt_violation(coef: FloatArray, grad: FloatArray, l1: float) -> float:
    """The largest violation of the optimality conditions of J at ``coef``.

    ``grad`` is the gradient of the smooth part. At an optimum, for every j:
    ``grad_j + l1 * sign(w_j) = 0`` if ``w_j != 0``, and ``|grad_j| <= l1`` if ``w_j = 0``.
    """
    active = coef != 0
    on = np.abs(grad + l1 * np.sign(coef))
    off = np.maximum(np.abs(grad) - l1, 0.0)
    return float(np.max(np.where(active, on, off), initial=0.0))


def _finish(
    X: FloatArray, y: FloatArray, data: _Centred, coef: FloatArray, lam: float, rho: float,
    solver: str, n_iter: int, converged: bool, history: Sequence[float] = (),
) -> PenalizedFit:
    coef = coef + 0.0  # no -0.0 in the result
    intercept = data.intercept(coef)
    objective = penalized_objective(X, y, coef, intercept, lam, rho)
    return PenalizedFit(coef, intercept, lam, rho, solver, n_iter, converged, objective,
                        np.asarray(history, dtype=np.float64))


def _start(init: ArrayLike | None, p: int) -> FloatArray:
    if init is None:
        return np.zeros(p)
    w0 = as_float_array(init, "init")
    if w0.shape != (p,):
        raise ValueError(f"init must have shape ({p},), one weight per column of X; "
                         f"got shape {w0.shape}.")
    return w0.copy()


# --------------------------------------------------------------------------------------
# Ridge
# --------------------------------------------------------------------------------------


def _ridge_svd_coefs(X: FloatArray, y: FloatArray, lambdas: FloatArray,
                     fit_intercept: bool) -> tuple[FloatArray, FloatArray]:
    """Ridge weights for every λ at once from one SVD; returns (coefs (m, p), intercepts)."""
    n = y.size
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
    y_mean = float(y.mean()) if fit_intercept else 0.0
    U, s, Vt = np.linalg.svd(X - x_mean, full_matrices=False)
    uty = U.T @ (y - y_mean)
    # w = V diag(s / (s² + nλ)) Uᵀ y: the normal equations (XᵀX/n + λI) w = Xᵀy/n in the
    # singular basis. For λ = 0 a zero singular value gets 0: the minimum-norm solution.
    denom = s[None, :] ** 2 + n * lambdas[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(denom > 0, s[None, :] / np.where(denom > 0, denom, 1.0), 0.0)
    coefs = (factor * uty[None, :]) @ Vt
    return coefs, y_mean - coefs @ x_mean


def ridge_closed_form(
    X: ArrayLike, y: ArrayLike, lam: float, *, fit_intercept: bool = True
) -> PenalizedFit:
    r"""Ridge regression, exactly: the minimiser of :math:`J` with :math:`\rho = 0`.

    .. math::
        \min_{w,b}\ \frac{1}{2n}\lVert y - Xw - b\rVert^2 + \frac{\lambda}{2}\lVert w\rVert^2
        \quad\Longrightarrow\quad
        w = \Bigl(\tfrac1n X_c^\top X_c + \lambda I\Bigr)^{-1} \tfrac1n X_c^\top y_c,

    with :math:`X_c, y_c` the centred data and :math:`b = \bar y - \bar x^\top w`. Computed
    from the SVD :math:`X_c = U\,\mathrm{diag}(\sigma)V^\top` as
    :math:`w = V\,\mathrm{diag}\bigl(\sigma/(\sigma^2 + n\lambda)\bigr)U^\top y_c`, which stays
    accurate when :math:`X_c^\top X_c` is nearly singular; with ``lam = 0`` it is the
    minimum-norm least-squares solution.

    scikit-learn: ``Ridge(alpha=n * lam)`` (it minimises ``‖y − Xw − b‖² + alpha ‖w‖²``).

    Args:
        X: inputs, shape ``(n, p)``.
        y: targets, shape ``(n,)``.
        lam: λ >= 0.
        fit_intercept: fit an unpenalised intercept (otherwise b = 0, no centring).

    Returns:
        A :class:`PenalizedFit` with ``solver="svd"``.

    Examples:
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0.0, 1.0, 2.0, 3.0])
        >>> round(float(ridge_closed_form(X, y, 1.25).coef[0]), 12)   # 1.25 / (1.25 + 1.25)
        0.5
    """
    X, y = _check_xy(X, y)
    lam = _check_lambda(lam)
    coefs, intercepts = _ridge_svd_coefs(X, y, np.array([lam]), fit_intercept)
    coef = coefs[0] + 0.0
    objective = penalized_objective(X, y, coef, float(intercepts[0]), lam, 0.0)
    return PenalizedFit(coef, float(intercepts[0]), lam, 0.0, "svd", 1, True, objective)


def ridge_gd(
    X: ArrayLike, y: ArrayLike, lam: float, *, lr: float | None = None,
    max_iter: int = _DEFAULT_MAX_ITER, tol: float = _DEFAULT_TOL, fit_intercept: bool = True,
    init: ArrayLike | None = None,
) -> PenalizedFit:
    r"""Ridge regression by gradient descent: :math:`w \leftarrow w - \eta\,\nabla J(w)`.

    .. math::
        \nabla J(w) = \tfrac1n X_c^\top (X_c w - y_c) + \lambda w

    The default step is :math:`\eta = 1/L` with :math:`L = s_{\max} + \lambda`, the largest
    eigenvalue of the Hessian :math:`X_c^\top X_c/n + \lambda I`; then the error along the
    eigenvector of eigenvalue :math:`s` shrinks by :math:`1 - \eta(s + \lambda)` per step.
    The slowest direction sets the pace: about :math:`\kappa \ln(1/\text{tol})` steps with
    :math:`\kappa = (s_{\max}+\lambda)/(s_{\min}+\lambda)`, so a larger λ converges faster
    (:func:`conditioning`). Steps :math:`\eta > 2/L` diverge: the run stops at the first
    objective above 1e100 with ``converged=False``.

    Stops when :math:`\lVert\nabla J(w)\rVert_\infty \le` ``tol`` ×
    :math:`\lVert X_c^\top y_c / n\rVert_\infty` (the gradient at w = 0).

    Args:
        X, y: data, shapes ``(n, p)`` and ``(n,)``.
        lam: λ >= 0.
        lr: the step size η > 0; default 1/L.
        max_iter: the maximum number of steps.
        tol: relative tolerance on the gradient.
        fit_intercept: fit an unpenalised intercept (exactly, by centring).
        init: starting weights (default zeros).

    Returns:
        A :class:`PenalizedFit` with ``solver="gd"`` and ``history`` the objective after
        every step.
    """
    X, y = _check_xy(X, y)
    lam = _check_lambda(lam)
    max_iter = _check_int(max_iter, "max_iter", 1)
    tol = _check_tol(tol)
    data = _Centred.of(X, y, fit_intercept)
    eta = 1.0 / data.lipschitz(lam) if lr is None else check_real(lr, "lr")
    if eta <= 0:
        raise ValueError(f"lr must be > 0; got {lr!r}.")
    w = _start(init, X.shape[1])
    G, c, limit = data.gram, data.xty, tol * data.scale()
    history: list[float] = []
    converged, it = False, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for it in range(1, max_iter + 1):
            new = w - eta * (G @ w - c + lam * w)
            value = data.smooth_value(new, lam)
            if not value < _BLOW_UP:  # also catches nan and inf
                it -= 1  # diverging: keep the last iterate before the blow-up
                break
            w = new
            history.append(value)
            if np.max(np.abs(G @ w - c + lam * w)) <= limit:
                converged = True
                break
    return _finish(X, y, data, w, lam, 0.0, "gd", it, converged, history)


def ridge_effective_df(X: ArrayLike, lam: float | ArrayLike, *, fit_intercept: bool = True
                       ) -> FloatArray | float:
    r"""Ridge's effective number of parameters, :math:`\sum_j s_j / (s_j + \lambda)`.

    :math:`s_j` are the eigenvalues of :math:`X_c^\top X_c / n`; the sum is the trace of the
    hat matrix (without the intercept). It is p at λ = 0 (full rank) and falls toward 0 as
    λ grows: a continuous version of "how many coefficients the model uses".

    Args:
        X: inputs, shape ``(n, p)``.
        lam: λ >= 0, a number or a 1-D array.
        fit_intercept: centre X first.

    Returns:
        A float, or an array of the shape of ``lam``.
    """
    X = _as_design(X, "X")
    s = _eigenvalues(X, fit_intercept)
    if np.ndim(lam) == 0:
        lam = _check_lambda(lam)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum(np.where(s > 0, s / (s + lam), 0.0)))
    lams = _check_lambdas(lam)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(np.where(s > 0, s / (s + lams[:, None]), 0.0), axis=1)


def _eigenvalues(X: FloatArray, fit_intercept: bool) -> FloatArray:
    Xc = X - X.mean(axis=0) if fit_intercept else X
    s = np.linalg.svd(Xc, compute_uv=False) ** 2 / X.shape[0]
    return np.sort(np.pad(s, (0, X.shape[1] - s.size)))


# --------------------------------------------------------------------------------------
# Lasso and elastic net
# --------------------------------------------------------------------------------------


def _proximal_gradient(
    data: _Centred, lam: float, rho: float, w: FloatArray, accelerated: bool,
    max_iter: int, tol: float,
) -> tuple[FloatArray, int, bool, list[float]]:
    """ISTA / FISTA on J: a gradient step on the smooth part, then soft-thresholding.

    FISTA (Beck & Teboulle 2009) adds momentum and restarts it whenever the step and the
    momentum disagree (gradient restart, O'Donoghue & Candès 2015), which keeps the linear
    convergence of ISTA on strongly convex problems and adds the speed-up.
    """
    G, c = data.gram, data.xty
    l1, l2 = lam * rho, lam * (1.0 - rho)
    eta = 1.0 / data.lipschitz(l2)
    limit = tol * data.scale()
    point, momentum = w.copy(), 1.0
    history: list[float] = []
    for it in range(1, max_iter + 1):
        grad = G @ point - c + l2 * point
        new = _soft(point - eta * grad, eta * l1)
        if accelerated:
            if np.dot(point - new, new - w) > 0:  # momentum points uphill: restart
                momentum = 1.0
            next_momentum = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * momentum**2))
            point = new + ((momentum - 1.0) / next_momentum) * (new - w)
            momentum = next_momentum
        else:
            point = new
        w = new
        history.append(data.smooth_value(w, l2) + l1 * float(np.sum(np.abs(w))))
        if _kkt_violation(w, G @ w - c + l2 * w, l1) <= limit:
            return w, it, True, history
    return w, max_iter, False, history


def _objective_smooth_l1(data: _Centred, w: FloatArray, l1: float, l2: float) -> float:
    return data.smooth_value(w, l2) + l1 * float(np.sum(np.abs(w)))


def _polish(data: _Centred, w: FloatArray, l1: float, l2: float) -> FloatArray | None:
    """Solve the optimality conditions exactly on the current zero pattern and signs.

    If ``w`` has the right zero pattern and signs, the optimum solves the linear system
    ``(G_AA + l2 I) w_A = c_A − l1 sign(w_A)`` on the active set A. A coefficient whose
    solution comes out with the wrong sign is on its way to zero: it is dropped from A
    and the system solved again. The caller keeps the result only if it satisfies every
    optimality condition (None if a system is singular).
    """
    active = np.flatnonzero(w)
    signs = np.sign(w[active])
    out = np.zeros_like(w)
    while active.size:
        system = data.gram[np.ix_(active, active)] + l2 * np.eye(active.size)
        try:
            solution = np.linalg.solve(system, data.xty[active] - l1 * signs)
        except np.linalg.LinAlgError:
            return None
        kept = signs * solution > 0
        if np.all(kept):
            out[active] = solution
            break
        active, signs = active[kept], signs[kept]
    return out


def _coordinate_descent(
    data: _Centred, lam: float, rho: float, w: FloatArray, max_iter: int, tol: float,
) -> tuple[FloatArray, int, bool, list[float]]:
    """Cyclic coordinate descent (covariance updates), finished by an exact active-set solve.

    Coordinate j's exact minimiser, the others fixed, is
    ``w_j = S(c_j − Σ_{k≠j} G_jk w_k, l1) / (G_jj + l2)`` (Friedman, Hastie & Tibshirani
    2010). ``q = G w`` is kept up to date, so a sweep costs O(p²). Coordinate descent finds
    the zero pattern quickly but converges slowly on correlated features; so after every
    sweep that leaves the signs unchanged, :func:`_polish` solves the optimality
    conditions exactly on that pattern. Its result is kept only if it satisfies all of
    them to ``tol``, so the answer is always a verified optimum (or ``converged=False``).
    """
    G, c = data.gram, data.xty
    l1, l2 = lam * rho, lam * (1.0 - rho)
    limit = tol * data.scale()
    diag = np.diag(G).tolist()
    targets = c.tolist()
    coef = w.tolist()
    history: list[float] = []
    previous_support = None
    for sweep in range(1, max_iter + 1):
        q = G @ w  # recomputed every sweep, so rounding in the updates never accumulates
        for j, old in enumerate(coef):
            denom = diag[j] + l2
            if denom <= 0.0:  # a constant column without an L2 term: w_j stays 0
                continue
            partial = targets[j] - float(q[j]) + diag[j] * old
            excess = abs(partial) - l1
            new = (excess if partial > 0 else -excess) / denom if excess > 0 else 0.0
            if new != old:
                q += G[j] * (new - old)  # G is symmetric: row j is column j
                coef[j] = new
        w = np.array(coef)
        history.append(_objective_smooth_l1(data, w, l1, l2))
        if _kkt_violation(w, G @ w - c + l2 * w, l1) <= limit:
            return w, sweep, True, history
        support = np.sign(w)
        if previous_support is not None and np.array_equal(support, previous_support):
            polished = _polish(data, w, l1, l2)
            if polished is not None and _kkt_violation(
                polished, G @ polished - c + l2 * polished, l1
            ) <= limit:
                history[-1] = _objective_smooth_l1(data, polished, l1, l2)
                return polished + 0.0, sweep, True, history
        previous_support = support
    return w, max_iter, False, history


def _lasso_homotopy(data: _Centred, lam_min: float) -> tuple[FloatArray, FloatArray] | None:
    """The exact lasso path from λ_max down to ``lam_min``: its knots (λ_k, w_k).

    On an interval of λ where the active set A and the signs s do not change, the
    optimality conditions ``G_AA w_A = c_A − λ s_A`` make the solution linear in λ:
    ``w_A(λ) = a − λ d`` with ``a = G_AA⁻¹ c_A`` and ``d = G_AA⁻¹ s_A``. The next knot is
    the largest λ below the current one at which either an inactive feature's correlation
    ``c_j − G_jA w_A(λ)`` reaches ±λ (it joins A) or an active coefficient reaches 0 (it
    leaves A): the LARS-lasso homotopy (Osborne, Presnell & Turlach 2000; Efron et al.
    2004). Returns None when a system is singular (more active features than the data
    support), when two events coincide or after too many knots; the caller then falls
    back to coordinate descent.
    """
    G, c = data.gram, data.xty
    p = c.size
    lam = float(np.max(np.abs(c)))
    knots_lam, knots_w = [lam], [np.zeros(p)]
    if lam <= lam_min or lam == 0.0:
        return np.array(knots_lam), np.array(knots_w)
    active = [int(np.argmax(np.abs(c)))]
    signs = [float(np.sign(c[active[0]]))]
    w = np.zeros(p)
    for _ in range(8 * p + 16):
        A = np.array(active)
        try:
            a = np.linalg.solve(G[np.ix_(A, A)], c[A])
            d = np.linalg.solve(G[np.ix_(A, A)], np.array(signs))
        except np.linalg.LinAlgError:
            return None
        inactive = np.setdiff1d(np.arange(p), A)
        u = c[inactive] - G[np.ix_(inactive, A)] @ a
        v = G[np.ix_(inactive, A)] @ d
        below = lam * (1.0 - 1e-10)
        events: list[tuple[float, str, int, float]] = []
        with np.errstate(divide="ignore", invalid="ignore"):
            for j, uj, vj in zip(inactive, u, v, strict=True):
                for sign, value in ((1.0, uj / (1.0 - vj)), (-1.0, -uj / (1.0 + vj))):
                    if np.isfinite(value) and lam_min < value < below:
                        events.append((float(value), "join", int(j), sign))
            for k, (ak, dk) in enumerate(zip(a, d, strict=True)):
                value = ak / dk if dk != 0 else np.nan
                if np.isfinite(value) and lam_min < value < below:
                    events.append((float(value), "leave", k, 0.0))
        if not events:
            w = np.zeros(p)
            w[A] = a - lam_min * d
            if np.any(np.sign(w[A]) != np.array(signs)):
                return None
            knots_lam.append(lam_min)
            knots_w.append(w)
            return np.array(knots_lam), np.array(knots_w)
        events.sort(reverse=True)
        nxt, kind, index, sign = events[0]
        if len(events) > 1 and events[1][0] > nxt * (1.0 - 1e-9):
            return None  # two events at once: leave the degenerate case to coordinate descent
        w = np.zeros(p)
        w[A] = a - nxt * d
        if kind == "leave":
            w[A[index]] = 0.0
            del active[index], signs[index]
        else:
            active.append(index)
            signs.append(sign)
        knots_lam.append(nxt)
        knots_w.append(w)
        lam = nxt
        if not active:
            return None
    return None


def _interpolate_knots(knots_lam: FloatArray, knots_w: FloatArray, lam: float) -> FloatArray:
    """The piecewise-linear lasso path at ``lam`` (exact zeros stay exact)."""
    if lam >= knots_lam[0]:
        return np.zeros(knots_w.shape[1])
    k = int(np.searchsorted(-knots_lam, -lam, side="right")) - 1  # knots_lam[k] >= lam
    k = min(k, knots_lam.size - 2)
    hi, lo = knots_lam[k], knots_lam[k + 1]
    t = (hi - lam) / (hi - lo) if hi > lo else 1.0
    w = (1.0 - t) * knots_w[k] + t * knots_w[k + 1]
    w[(knots_w[k] == 0) & (knots_w[k + 1] == 0)] = 0.0
    if t == 1.0:
        w = knots_w[k + 1].copy()
    return w + 0.0


def _fit_penalized(
    X: FloatArray, y: FloatArray, data: _Centred, lam: float, rho: float, solver: str,
    w0: FloatArray, max_iter: int, tol: float,
) -> PenalizedFit:
    if solver == "cd":
        w, it, ok, history = _coordinate_descent(data, lam, rho, w0, max_iter, tol)
    else:
        w, it, ok, history = _proximal_gradient(data, lam, rho, w0, solver == "fista",
                                                max_iter, tol)
    return _finish(X, y, data, w, lam, rho, solver, it, ok, history)


def elastic_net(
    X: ArrayLike, y: ArrayLike, lam: float, l1_ratio: float = 0.5, *, solver: str = "cd",
    max_iter: int = _DEFAULT_MAX_ITER, tol: float = _DEFAULT_TOL, fit_intercept: bool = True,
    init: ArrayLike | None = None,
) -> PenalizedFit:
    r"""The minimiser of :math:`J` for any L1 share ρ = ``l1_ratio`` (elastic net).

    .. math::
        \min_{w,b}\ \frac{1}{2n}\lVert y - Xw - b\rVert^2
            + \lambda\rho\lVert w\rVert_1 + \frac{\lambda(1-\rho)}{2}\lVert w\rVert^2

    scikit-learn: ``ElasticNet(alpha=lam, l1_ratio=l1_ratio)`` minimises exactly this
    (``Lasso(alpha=lam)`` is ``l1_ratio=1``).

    Solvers:

    - ``"cd"``: cyclic coordinate descent; each coordinate's exact minimiser is
      :math:`w_j = S_{\lambda\rho}(c_j - \sum_{k \ne j} G_{jk} w_k)/(G_{jj} + \lambda(1-\rho))`
      with :math:`G = X_c^\top X_c/n`, :math:`c = X_c^\top y_c/n` and :math:`S` the
      :func:`soft_threshold`. Once the zero pattern is stable the optimality conditions are
      solved exactly on it (kept only if they then hold), which finishes in a few sweeps
      and to rounding error.
    - ``"ista"``: proximal gradient, :math:`w \leftarrow S_{\eta\lambda\rho}\bigl(w - \eta
      \nabla f(w)\bigr)` with :math:`f` the smooth part and :math:`\eta = 1/L`,
      :math:`L = s_{\max} + \lambda(1-\rho)`.
    - ``"fista"``: ISTA with Nesterov momentum and adaptive (gradient) restart.

    All stop when the optimality (KKT) conditions hold to ``tol`` relative to
    :math:`\lVert X_c^\top y_c/n\rVert_\infty`: with :math:`g = \nabla f(w)`,
    :math:`|g_j + \lambda\rho\,\mathrm{sign}(w_j)| \le` tol·scale where :math:`w_j \ne 0` and
    :math:`|g_j| \le \lambda\rho +` tol·scale where :math:`w_j = 0`.

    Args:
        X, y: data, shapes ``(n, p)`` and ``(n,)``.
        lam: λ >= 0.
        l1_ratio: ρ in [0, 1] (0: ridge by an iterative solver; 1: lasso).
        solver: ``"cd"``, ``"ista"`` or ``"fista"``.
        max_iter: maximum sweeps (cd) or steps (ista, fista).
        tol: relative tolerance on the optimality conditions.
        fit_intercept: fit an unpenalised intercept (exactly, by centring).
        init: starting weights (default zeros): warm starts along a path.

    Returns:
        A :class:`PenalizedFit`.
    """
    X, y = _check_xy(X, y)
    lam = _check_lambda(lam)
    rho = _check_l1_ratio(l1_ratio)
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(map(repr, SOLVERS))}; "
                         f"got {solver!r}.")
    max_iter = _check_int(max_iter, "max_iter", 1)
    tol = _check_tol(tol)
    data = _Centred.of(X, y, fit_intercept)
    return _fit_penalized(X, y, data, lam, rho, solver, _start(init, X.shape[1]),
                          max_iter, tol)


def lasso_cd(X: ArrayLike, y: ArrayLike, lam: float, **kwargs: Any) -> PenalizedFit:
    r"""The lasso by coordinate descent: ``elastic_net(X, y, lam, 1.0, solver="cd")``.

    .. math::
        \min_{w,b}\ \frac{1}{2n}\lVert y - Xw - b\rVert^2 + \lambda\lVert w\rVert_1

    scikit-learn: ``Lasso(alpha=lam)``. Keyword arguments as :func:`elastic_net`.
    """
    return elastic_net(X, y, lam, 1.0, solver="cd", **kwargs)


def lasso_ista(X: ArrayLike, y: ArrayLike, lam: float, **kwargs: Any) -> PenalizedFit:
    """The lasso by proximal gradient (ISTA): ``elastic_net(X, y, lam, 1.0, solver="ista")``.

    Each step is a gradient step on the squared error, then :func:`soft_threshold` by
    ``eta * lam``. scikit-learn: ``Lasso(alpha=lam)``.
    """
    return elastic_net(X, y, lam, 1.0, solver="ista", **kwargs)


def lasso_fista(X: ArrayLike, y: ArrayLike, lam: float, **kwargs: Any) -> PenalizedFit:
    """The lasso by accelerated proximal gradient (FISTA with restart).

    ``elastic_net(X, y, lam, 1.0, solver="fista")``; scikit-learn: ``Lasso(alpha=lam)``.
    """
    return elastic_net(X, y, lam, 1.0, solver="fista", **kwargs)


def lambda_max(X: ArrayLike, y: ArrayLike, l1_ratio: float = 1.0, *,
               fit_intercept: bool = True) -> float:
    r"""The smallest λ at which every lasso / elastic-net coefficient is exactly zero.

    At w = 0 the optimality condition is :math:`|c_j| \le \lambda\rho` for all j, with
    :math:`c = X_c^\top y_c / n`, so :math:`\lambda_{\max} = \lVert c\rVert_\infty / \rho`
    (scikit-learn's largest ``alpha`` in ``lasso_path`` and ``LassoCV``). Ridge
    (ρ = 0) never reaches exact zeros: ``inf``.
    """
    X, y = _check_xy(X, y)
    rho = _check_l1_ratio(l1_ratio)
    top = float(np.max(np.abs(_Centred.of(X, y, fit_intercept).xty)))
    return top / rho if rho > 0 else float("inf")


def lambda_grid(X: ArrayLike, y: ArrayLike, n_lambdas: int = 100, *, eps: float = 1e-3,
                l1_ratio: float = 1.0, fit_intercept: bool = True) -> FloatArray:
    """``n_lambdas`` values from :func:`lambda_max` down to ``eps * lambda_max``, log-spaced.

    The same grid as scikit-learn's ``lasso_path`` / ``LassoCV`` defaults (descending).
    """
    n_lambdas = _check_int(n_lambdas, "n_lambdas", 1)
    eps = check_in_interval(eps, "eps", 0.0, 1.0, closed="right")
    top = lambda_max(X, y, l1_ratio, fit_intercept=fit_intercept)
    if not np.isfinite(top):
        raise ValueError("l1_ratio must be > 0 for a lasso grid: ridge has no lambda_max.")
    return np.logspace(np.log10(top), np.log10(top * eps), n_lambdas)


# --------------------------------------------------------------------------------------
# The regularization path
# --------------------------------------------------------------------------------------


def regularization_path(
    X: ArrayLike, y: ArrayLike, lambdas: ArrayLike, *, penalty: str = "lasso",
    l1_ratio: float = 0.5, solver: str = "auto", max_iter: int = _DEFAULT_MAX_ITER,
    tol: float = _DEFAULT_TOL, fit_intercept: bool = True,
) -> RegularizationPath:
    r"""The solutions along a grid of λ, and how many coefficients are non-zero at each.

    - ``penalty="ridge"``: the closed form, one SVD for the whole grid.
    - ``penalty="lasso"`` with ``solver="auto"``: the exact homotopy (LARS-lasso). On an
      interval of λ where the set of non-zero coefficients and their signs do not change,
      the optimality conditions :math:`G_{AA} w_A = c_A - \lambda\,\mathrm{sign}(w_A)`
      (:math:`G = X_c^	op X_c/n`, :math:`c = X_c^	op y_c/n`) make the solution *linear*
      in λ; the path is computed knot by knot from :func:`lambda_max` down, where a
      feature joins (its correlation reaches ±λ) or leaves (its coefficient reaches 0),
      and read off at each λ of the grid. Every solution is checked against the
      optimality conditions and refined by coordinate descent if needed (also when the
      homotopy meets a degenerate case: tied events, singular systems).
    - ``penalty="elastic_net"`` (with ``l1_ratio``), or an explicit ``solver``
      (``"cd"``, ``"ista"``, ``"fista"``): solved from the largest λ down, each solve
      starting from the previous solution (a warm start: neighbouring solutions are
      close, so each takes a few iterations).

    The lasso's non-zero count is 0 from :func:`lambda_max` up and grows as λ falls, though
    not always one at a time, and a coefficient can also return to zero.

    scikit-learn: ``lasso_path(X_c, y_c, alphas=lambdas)`` / ``enet_path(...,
    l1_ratio=ρ)`` on the *centred* data (those functions fit no intercept) give the same
    coefficients; ``lars_path(X_c, y_c, method="lasso")`` returns the knots, at
    ``alphas = λ``.

    Args:
        X, y: data, shapes ``(n, p)`` and ``(n,)``.
        lambdas: λ values >= 0, 1-D, in any order (results follow that order).
        penalty: ``"ridge"``, ``"lasso"`` or ``"elastic_net"``.
        l1_ratio: ρ for ``"elastic_net"`` (ignored otherwise).
        solver: ``"auto"``, ``"cd"``, ``"ista"`` or ``"fista"`` (ignored for ridge).
        max_iter, tol, fit_intercept: as in :func:`elastic_net`.

    Returns:
        A :class:`RegularizationPath`; its ``n_iter`` counts the homotopy's knots above
        each λ for the exact lasso path (plus any refining sweeps).
    """
    X, y = _check_xy(X, y)
    lams = _check_lambdas(lambdas)
    rho = _resolve_penalty(penalty, l1_ratio)
    if solver != "auto" and solver not in SOLVERS:
        raise ValueError(f"solver must be 'auto' or one of {', '.join(map(repr, SOLVERS))}; "
                         f"got {solver!r}.")
    max_iter = _check_int(max_iter, "max_iter", 1)
    tol = _check_tol(tol)
    m = lams.size
    if penalty == "ridge":
        coefs, intercepts = _ridge_svd_coefs(X, y, lams, fit_intercept)
        coefs = coefs + 0.0
        objectives = np.array([penalized_objective(X, y, coefs[i], intercepts[i], lams[i], 0.0)
                               for i in range(m)])
        return RegularizationPath(lams.copy(), coefs, intercepts, np.count_nonzero(coefs, axis=1),
                                  objectives, np.ones(m, dtype=int), np.ones(m, dtype=bool),
                                  penalty, 0.0)
    data = _Centred.of(X, y, fit_intercept)
    knots = None
    if solver == "auto" and rho == 1.0:
        knots = _lasso_homotopy(data, float(lams.min()))
    iterative = "cd" if solver == "auto" else solver
    coefs = np.zeros((m, X.shape[1]))
    intercepts, objectives = np.zeros(m), np.zeros(m)
    n_iter, converged = np.zeros(m, dtype=int), np.zeros(m, dtype=bool)
    w = np.zeros(X.shape[1])
    limit = tol * data.scale()
    for i in np.argsort(-lams, kind="stable"):  # largest λ first: warm starts
        lam = float(lams[i])
        if knots is not None:
            w = _interpolate_knots(*knots, lam)
            if _kkt_violation(w, data.gram @ w - data.xty, lam) <= limit:
                fit = _finish(X, y, data, w, lam, rho, "lars",
                              int(np.sum(knots[0] > lam)), True)
            else:
                fit = _fit_penalized(X, y, data, lam, rho, "cd", w, max_iter, tol)
        else:
            fit = _fit_penalized(X, y, data, lam, rho, iterative, w.copy(), max_iter, tol)
        w = fit.coef
        coefs[i], intercepts[i], objectives[i] = fit.coef, fit.intercept, fit.objective
        n_iter[i], converged[i] = fit.n_iter, fit.converged
    return RegularizationPath(lams.copy(), coefs, intercepts, np.count_nonzero(coefs, axis=1),
                              objectives, n_iter, converged, penalty, rho)


def lasso_knots(X: ArrayLike, y: ArrayLike, *, lambda_min: float = 0.0,
                fit_intercept: bool = True) -> tuple[FloatArray, FloatArray]:
    r"""The knots of the exact lasso path: where a coefficient joins or leaves the model.

    Between consecutive knots the lasso solution is linear in λ (see
    :func:`regularization_path`), so these points *are* the path: λ_max (all zero), then
    one knot per event, down to ``lambda_min``. scikit-learn:
    ``lars_path(X_c, y_c, method="lasso")`` returns the same knots as ``alphas`` (for
    ``lambda_min=0``) and coefficients.

    Args:
        X, y: data, shapes ``(n, p)`` and ``(n,)``.
        lambda_min: where to stop, >= 0.
        fit_intercept: centre the data first.

    Returns:
        ``(lambdas, coefs)``: the knots in decreasing order, shape ``(k,)``, and the
        coefficients there, shape ``(k, p)``.

    Raises:
        RuntimeError: the homotopy met a degenerate case (two features joining at the same
            λ, collinear active features); use :func:`regularization_path` on a grid.
    """
    X, y = _check_xy(X, y)
    lambda_min = _check_lambda(lambda_min, "lambda_min")
    knots = _lasso_homotopy(_Centred.of(X, y, fit_intercept), lambda_min)
    if knots is None:
        raise RuntimeError("the lasso homotopy met a degenerate case (tied events or "
                           "collinear active features); use regularization_path on a grid.")
    return knots


# --------------------------------------------------------------------------------------
# Cross-validation
# --------------------------------------------------------------------------------------


def kfold_cv(
    X: ArrayLike, y: ArrayLike, lambdas: ArrayLike, k: int = 5, *, penalty: str = "ridge",
    l1_ratio: float = 0.5, seed: int | None = 0, shuffle: bool = True,
    tol: float = _DEFAULT_TOL, max_iter: int = _DEFAULT_MAX_ITER, fit_intercept: bool = True,
) -> CVResult:
    r"""Choose λ by k-fold cross-validation: the λ with the lowest mean validation MSE.

    The rows are split into k folds by scikit-learn's
    ``KFold(n_splits=k, shuffle=shuffle, random_state=seed)``. For each fold, the model is
    fitted on the other k − 1 folds along the whole λ grid (:func:`regularization_path`)
    and scored by the plain validation MSE :math:`\frac{1}{n_v}\sum (y_i - \hat y_i)^2` on
    the held-out fold. ``mean_mse`` averages the k fold scores (each fold counts the same,
    as in scikit-learn); the best λ minimises it. Features are used as given: standardise
    them beforehand (or per fold, in a pipeline) so that one λ means the same for each.

    scikit-learn: with ``penalty="lasso"``, ``LassoCV(alphas=lambdas, cv=KFold(...))`` has
    ``mse_path_.mean(axis=1)`` equal to ``mean_mse`` (its rows in descending α) and
    ``alpha_`` equal to ``best_lambda``. For ridge, ``cross_val_score`` with
    ``Ridge(alpha=n_train * lam)`` and ``n_train`` the size of each training fold (353 or
    354 for k = 5 on 442 rows): ``RidgeCV(alphas=...)`` uses one α for every fold, which is
    a slightly different λ in each.

    Args:
        X, y: data, shapes ``(n, p)`` and ``(n,)``.
        lambdas: λ values >= 0, 1-D.
        k: number of folds, 2 <= k <= n.
        penalty: ``"ridge"``, ``"lasso"`` or ``"elastic_net"`` (with ``l1_ratio``).
        seed: ``random_state`` of the fold shuffle.
        shuffle: shuffle the rows before splitting (``False``: consecutive blocks).
        tol, max_iter, fit_intercept: as in :func:`elastic_net`.

    Returns:
        A :class:`CVResult`.
    """
    from sklearn.model_selection import KFold

    X, y = _check_xy(X, y)
    lams = _check_lambdas(lambdas)
    rho = _resolve_penalty(penalty, l1_ratio)
    k = _check_int(k, "k", 2)
    if k > y.size:
        raise ValueError(f"k must be at most the number of rows ({y.size}); got {k}.")
    splitter = KFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None)
    folds = tuple((train, val) for train, val in splitter.split(X))
    fold_mse = np.zeros((lams.size, k))
    train_mse = np.zeros((lams.size, k))
    for f, (train, val) in enumerate(folds):
        path = regularization_path(X[train], y[train], lams, penalty=penalty, l1_ratio=rho,
                                   tol=tol, max_iter=max_iter, fit_intercept=fit_intercept)
        fold_mse[:, f] = _path_mse(path, X[val], y[val])
        train_mse[:, f] = _path_mse(path, X[train], y[train])
    mean, std = fold_mse.mean(axis=1), fold_mse.std(axis=1)
    best = _best_index(lams, mean)
    within = mean <= mean[best] + std[best] / np.sqrt(k)
    return CVResult(lams.copy(), fold_mse, mean, std, train_mse.mean(axis=1), best,
                    float(lams[best]), float(np.max(lams[within])), folds, penalty, rho)


def _path_mse(path: RegularizationPath, X: FloatArray, y: FloatArray) -> FloatArray:
    predictions = X @ path.coefs.T + path.intercepts[None, :]
    return np.mean((y[:, None] - predictions) ** 2, axis=0)


def _best_index(lams: FloatArray, mean: FloatArray) -> int:
    """argmin of ``mean``; among exact ties the largest λ (as scikit-learn's LassoCV)."""
    ties = np.flatnonzero(mean == mean.min())
    return int(ties[np.argmax(lams[ties])])


# --------------------------------------------------------------------------------------
# Bias and variance from refits
# --------------------------------------------------------------------------------------


def bootstrap_bias_variance(
    x: ArrayLike, y: ArrayLike, lambdas: ArrayLike, *, degree: int,
    true_fn: Callable[[FloatArray], FloatArray], noise_std: float,
    x_test: ArrayLike | None = None, n_refits: int = 200, penalty: str = "ridge",
    l1_ratio: float = 0.5,
    sampler: Callable[[np.random.Generator], tuple[ArrayLike, ArrayLike]] | None = None,
    seed: int = 0,
) -> BiasVariance:
    r"""Bias², variance and noise of a penalised polynomial fit, per λ, from refits.

    The model: polynomial features :math:`x, x^2, \dots, x^d` (``degree`` d), standardised
    with the statistics of each refit's own training sample (as a scikit-learn
    ``Pipeline(PolynomialFeatures, StandardScaler, Ridge)`` does), then the penalised fit
    with an intercept. It is refitted ``n_refits`` times:

    - ``sampler=None`` (default): on bootstrap resamples of ``(x, y)``: n rows drawn with
      replacement, what one can do with a single data set;
    - ``sampler`` given: on fresh training sets ``sampler(rng) -> (x, y)`` drawn from the
      true distribution, the textbook definition.

    With :math:`\hat f_1, \dots, \hat f_B` the refits and :math:`\bar f` their mean, at
    each test point :math:`x` (``x_test``, default 101 points across the range of ``x``)
    and averaged over the test points:

    .. math::
        \underbrace{\mathbb{E}\bigl[(f(x) + \varepsilon - \hat f_b(x))^2\bigr]}_{\text{test error}}
        = \underbrace{\sigma^2}_{\text{noise}}
        + \underbrace{\bigl(f(x) - \bar f(x)\bigr)^2}_{\text{bias}^2}
        + \underbrace{\tfrac1B \textstyle\sum_b \bigl(\hat f_b(x) - \bar f(x)\bigr)^2}_{\text{variance}},

    the expectation being over the refits and fresh noise :math:`\varepsilon \sim
    N(0, \sigma^2)` independent of them (the cross terms vanish: the mean of
    :math:`\hat f_b - \bar f` is 0 by definition, and ε has mean 0). The identity is exact
    for the empirical mean and variance over the B refits; ``test_error`` checks it by
    Monte Carlo, drawing one fresh ε for every refit and test point, and
    ``test_error_se`` is that estimate's standard error. With bootstrap refits the bias²
    also contains the luck of the one training set; fresh sets average it out.

    Args:
        x, y: the training set, 1-D, same length.
        lambdas: λ values >= 0.
        degree: the polynomial degree d >= 1.
        true_fn: the true regression function f.
        noise_std: σ, the standard deviation of the noise in y, >= 0.
        x_test: test inputs (1-D); default ``linspace(min x, max x, 101)``.
        n_refits: B >= 2.
        penalty, l1_ratio: as in :func:`regularization_path`.
        sampler: draws a fresh training set; ``None`` for bootstrap resampling.
        seed: seeds the resampling and the test noise.

    Returns:
        A :class:`BiasVariance`.
    """
    x = as_float_array(x, "x")
    y = as_float_array(y, "y")
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"x and y must be 1-D of the same length; got shapes {x.shape} and "
                         f"{y.shape}.")
    lams = _check_lambdas(lambdas)
    degree = _check_int(degree, "degree", 1)
    n_refits = _check_int(n_refits, "n_refits", 2)
    noise_std = check_real(noise_std, "noise_std")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0; got {noise_std!r}.")
    rho = _resolve_penalty(penalty, l1_ratio)
    if not callable(true_fn):
        raise TypeError(f"true_fn must be a function f(x); got {type(true_fn).__name__}.")
    x_test = (np.linspace(x.min(), x.max(), 101) if x_test is None
              else as_float_array(x_test, "x_test"))
    if x_test.ndim != 1:
        raise ValueError(f"x_test must be 1-D; got shape {x_test.shape}.")
    f_test = as_float_array(true_fn(x_test), "true_fn(x_test)")
    if f_test.shape != x_test.shape:
        raise ValueError(f"true_fn must return one value per input; got shape {f_test.shape} "
                         f"for x_test of shape {x_test.shape}.")

    rng = np.random.default_rng(seed)
    predictions = np.zeros((lams.size, n_refits, x_test.size))
    for b in range(n_refits):
        if sampler is None:
            rows = rng.integers(0, x.size, x.size)
            xb, yb = x[rows], y[rows]
        else:
            xb, yb = (as_float_array(v, "sampler(rng)") for v in sampler(rng))
        predictions[:, b, :] = _polynomial_predictions(xb, yb, x_test, lams, degree,
                                                       penalty, rho)
    mean_prediction = predictions.mean(axis=1)
    bias2 = np.mean((f_test[None, :] - mean_prediction) ** 2, axis=1)
    variance = np.mean(predictions.var(axis=1), axis=1)
    noise = noise_std**2
    eps = rng.normal(0.0, noise_std, size=(n_refits, x_test.size))
    squared = (f_test[None, None, :] + eps[None] - predictions) ** 2
    test_error = squared.mean(axis=(1, 2))
    test_error_se = squared.reshape(lams.size, -1).std(axis=1, ddof=1) / np.sqrt(
        n_refits * x_test.size)
    return BiasVariance(lams.copy(), bias2, variance, noise, bias2 + variance + noise,
                        test_error, test_error_se, x_test, f_test, predictions,
                        mean_prediction)


def _polynomial_predictions(
    x: FloatArray, y: FloatArray, x_test: FloatArray, lams: FloatArray, degree: int,
    penalty: str, rho: float,
) -> FloatArray:
    """Predictions at x_test, shape (m, t), of the standardised polynomial fit per λ."""
    from .data import polynomial_features, standardize

    F, F_test, _ = standardize(polynomial_features(x, degree), polynomial_features(x_test, degree))
    path = regularization_path(F, y, lams, penalty=penalty, l1_ratio=rho)
    return path.coefs @ F_test.T + path.intercepts[:, None]


# --------------------------------------------------------------------------------------
# Early stopping as regularization
# --------------------------------------------------------------------------------------


def early_stopping_vs_ridge(
    X: ArrayLike, y: ArrayLike, *, n_steps: int = 200, lr: float | None = None,
    fit_intercept: bool = True,
) -> EarlyStoppingComparison:
    r"""Gradient descent from w = 0, stopped after t steps, against ridge with λ = 1/(η t).

    Gradient descent on the unpenalised objective :math:`\frac{1}{2n}\lVert y_c - X_c
    w\rVert^2` with step η, started at zero, is run for ``n_steps`` steps (literally, one
    step at a time); ridge is solved exactly at :math:`\lambda_t = 1/(\eta t)`. The
    intercept of both is :math:`\bar y - \bar x^\top w` (unpenalised, exact).

    Why they track each other (the spectral-filter argument): write
    :math:`S = X_c^\top X_c/n = \sum_j s_j v_j v_j^\top` and
    :math:`w_{\mathrm{LS}} = S^{+} X_c^\top y_c / n`. From zero, the error obeys
    :math:`w_t - w_{\mathrm{LS}} = (I - \eta S)^t (0 - w_{\mathrm{LS}})`, so along
    :math:`v_j`

    .. math::
        v_j^\top w_t = \bigl[1 - (1 - \eta s_j)^t\bigr]\, v_j^\top w_{\mathrm{LS}},
        \qquad
        v_j^\top w_\lambda = \frac{s_j}{s_j + \lambda}\, v_j^\top w_{\mathrm{LS}}.

    Both filters are ≈ 0 for directions with :math:`s_j \ll 1/(\eta t)` (resp. λ) and ≈ 1
    for :math:`s_j \gg`; with :math:`u = \eta t s_j` and a small step,
    :math:`1 - (1-\eta s)^t \approx 1 - e^{-u}` while :math:`s/(s + 1/(\eta t)) =
    u/(1+u)`. Their gap :math:`1/(1+u) - e^{-u} \ge 0` peaks at about 0.204 (u ≈ 2.5), so
    ‖w_t − w_λ‖ ≤ 0.204 ‖w_LS‖ in the small-step limit (``lr`` small against 1/s_max); with
    a finite step the gap along :math:`v_j` is exactly
    :math:`1/(1+u) - (1-\eta s_j)^t`, which ``gd_filter - ridge_filter`` holds. Gradient
    descent is always the less regularised of the two (:math:`e^{-u} \le 1/(1+u)`).

    Args:
        X, y: data, shapes ``(n, p)`` and ``(n,)``.
        n_steps: the number of gradient steps T >= 1.
        lr: the step η, 0 < η < 2/s_max; default 1/s_max.
        fit_intercept: centre the data (an exact, unpenalised intercept).

    Returns:
        An :class:`EarlyStoppingComparison`.
    """
    X, y = _check_xy(X, y)
    n_steps = _check_int(n_steps, "n_steps", 1)
    data = _Centred.of(X, y, fit_intercept)
    s, V = np.linalg.eigh(data.gram)
    s = np.maximum(s, 0.0)
    if s[-1] <= 0:
        raise ValueError("X has no variation: every column is constant (after centring).")
    eta = 1.0 / s[-1] if lr is None else check_real(lr, "lr")
    if not 0 < eta < 2.0 / s[-1]:
        raise ValueError(f"lr must lie in (0, 2/s_max) = (0, {2.0 / s[-1]:.6g}) for gradient "
                         f"descent to converge; got {lr!r}.")
    steps = np.arange(n_steps + 1)
    gd = np.zeros((n_steps + 1, X.shape[1]))
    w = np.zeros(X.shape[1])
    for t in range(1, n_steps + 1):
        w = w - eta * (data.gram @ w - data.xty)
        gd[t] = w
    with np.errstate(divide="ignore"):
        lambdas = 1.0 / (eta * steps)
    ridge = np.zeros_like(gd)
    ridge[1:], _ = _ridge_svd_coefs(X, y, lambdas[1:], fit_intercept)
    gd_filter = 1.0 - (1.0 - eta * s[None, :]) ** steps[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ridge_filter = np.where(s[None, :] > 0, s[None, :] / (s[None, :] + lambdas[:, None]),
                                0.0)
    ridge_filter[0] = 0.0
    coef_ls = V @ np.where(s > 1e-12 * s[-1], (V.T @ data.xty) / np.where(s > 0, s, 1.0), 0.0)
    return EarlyStoppingComparison(
        steps, eta, lambdas, gd, ridge, data.y_mean - gd @ data.x_mean,
        data.y_mean - ridge @ data.x_mean, s, gd_filter, ridge_filter, coef_ls,
    )


# --------------------------------------------------------------------------------------
# Conditioning
# --------------------------------------------------------------------------------------


def conditioning(X: ArrayLike, lambdas: ArrayLike, *, fit_intercept: bool = True
                 ) -> Conditioning:
    r"""How λ reshapes the loss landscape of least squares: curvature and GD's speed.

    The ridge objective (ρ = 0) is quadratic with Hessian :math:`X_c^\top X_c / n + \lambda I`:
    its eigenvalues are :math:`s_j + \lambda`. The level sets are ellipses with axes
    :math:`\propto 1/\sqrt{s_j + \lambda}`; adding λ makes them rounder, the condition
    number :math:`\kappa = (s_{\max}+\lambda)/(s_{\min}+\lambda)` smaller, and gradient
    descent with step 1/L faster: the error along the flattest direction shrinks by
    :math:`1 - 1/\kappa` per step (compare :func:`ridge_gd`'s ``n_iter``).

    Args:
        X: inputs, shape ``(n, p)``.
        lambdas: λ values >= 0.
        fit_intercept: centre X first.

    Returns:
        A :class:`Conditioning`.
    """
    X = _as_design(X, "X")
    lams = _check_lambdas(lambdas)
    s = _eigenvalues(X, fit_intercept)
    top, bottom = s[-1] + lams, s[0] + lams
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.inf)
        rate = np.where(top > 0, 1.0 - bottom / np.where(top > 0, top, 1.0), 1.0)
        gd_steps = np.where(rate <= 0, 1.0,
                            np.where(rate < 1, np.ceil(np.log(1e-6) / np.log(
                                np.clip(rate, 1e-300, 1 - 1e-16))), np.inf))
    return Conditioning(s, lams.copy(), kappa, rate, gd_steps)
