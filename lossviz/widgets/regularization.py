"""Chapter 04 demos: the geometry of L1 / L2 / elastic-net penalties, and the validation curve.

- :class:`RegularizationGeometry`: contours of a two-weight least-squares loss, the
  penalty ball of the constrained form and the penalised solution where the smallest
  contour touches it; the log-λ slider traces the solution along its path, and a second
  panel shows both weights against log λ. The L1 diamond's corners sit on the axes, so
  the lasso's solution lands on one: a weight exactly zero.
- :class:`ValidationCurve`: ridge on degree-12 polynomial features of 25 noisy points of
  sin(πx); the log-λ slider moves the fitted curve, and the training and validation MSE
  against λ show over-fitting (small λ) and under-fitting (large λ).

Every number shown comes from ``lossviz.regularization`` (tests compare them with it and
with scikit-learn). The paths behind the static curves are computed once at construction;
a slider move solves one small problem exactly (a 2-D penalised fit, or ridge from a cached
SVD) and moves a few artists.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from numpy.typing import NDArray

from .. import regularization as reg
from ..data import polynomial_data, polynomial_features, polynomial_truth, standardize
from ..style import OKABE_ITO, ROLE_COLORS
from ._base import Demo
from .foundations import _fmt

__all__ = [
    "PENALTY_LABELS",
    "RegularizationGeometry",
    "ValidationCurve",
    "geometry_data",
    "penalty_ball",
]

FloatArray = NDArray[np.float64]

#: Display names of the penalties in the dropdown, and their L1 share ρ (``l1_ratio``).
PENALTY_LABELS: Mapping[str, str] = {
    "lasso": "L1 (lasso)",
    "ridge": "L2 (ridge)",
    "elastic_net": "elastic net (ρ = ½)",
}
_RHO: Mapping[str, float] = {"lasso": 1.0, "ridge": 0.0, "elastic_net": 0.5}

#: One colour per penalty, the same in both demos and the chapter's figures.
PENALTY_COLORS: Mapping[str, str] = {
    "lasso": OKABE_ITO["vermillion"],
    "ridge": OKABE_ITO["blue"],
    "elastic_net": OKABE_ITO["bluish_green"],
}
_WEIGHT_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"])

_BOX = {"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#BBBBBB", "alpha": 0.92}


def geometry_data(n: int = 50, *, correlation: float = 0.5, seed: int = 0
                  ) -> tuple[FloatArray, FloatArray]:
    """The two-feature regression problem of :class:`RegularizationGeometry`.

    Two standardised features with correlation ``correlation`` (in the population), and
    ``y = 1.5·x₁ + 0.5·x₂ + ε`` with Gaussian ε of standard deviation 0.8. With the
    defaults the least-squares weights are (1.633, 0.497); the lasso sets w₂ to zero for
    λ ≥ 0.789 and both weights for λ ≥ 1.925 (``lossviz.regularization.lambda_max``).

    Returns:
        ``(X, y)`` of shapes ``(n, 2)`` and ``(n,)``.
    """
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 2))
    X = np.column_stack([z[:, 0], correlation * z[:, 0] + np.sqrt(1 - correlation**2) * z[:, 1]])
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, X @ np.array([1.5, 0.5]) + rng.normal(0.0, 0.8, n)


def penalty_ball(budget: float, l1_ratio: float, n_points: int = 361) -> FloatArray:
    r"""The boundary of the ball :math:`\rho\lVert w\rVert_1 + \frac{1-\rho}{2}\lVert w\rVert_2^2 \le t`.

    In direction :math:`(\cos\phi, \sin\phi)` with :math:`a = |\cos\phi| + |\sin\phi|` the
    radius r solves :math:`\frac{1-\rho}{2}r^2 + \rho a r = t`: the diamond
    :math:`|w_1| + |w_2| = t` for ρ = 1, the disc of radius :math:`\sqrt{2t}` for ρ = 0, a
    rounded diamond (corners kept, sides bulging) in between.

    Args:
        budget: t >= 0 (``lossviz.regularization.penalty_value`` of the solution).
        l1_ratio: ρ in [0, 1].
        n_points: points on the closed boundary.

    Returns:
        The boundary, shape ``(n_points, 2)``, closed (last point = first).
    """
    phi = np.linspace(0.0, 2.0 * np.pi, n_points)
    a = np.abs(np.cos(phi)) + np.abs(np.sin(phi))
    t, rho = max(float(budget), 0.0), float(l1_ratio)
    if rho >= 1.0:
        r = t / a
    else:
        # the positive root of ½(1−ρ) r² + ρ a r − t = 0, written to avoid cancellation
        r = 2.0 * t / (rho * a + np.sqrt((rho * a) ** 2 + 2.0 * (1.0 - rho) * t))
    r = np.nan_to_num(r)  # t = 0 with ρ < 1 gives 0/0: the ball is the point 0
    return np.column_stack([r * np.cos(phi), r * np.sin(phi)])


def _log_slider(value: float, low: float, high: float, step: float) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=step, description="log₁₀ λ",
        readout_format=".2f", style={"description_width": "initial"},
        layout=widgets.Layout(width="380px"),
    )


# ======================================================================================
# RegularizationGeometry
# ======================================================================================


class RegularizationGeometry(Demo):
    """Loss contours, the L1 / L2 / elastic-net ball, and the penalised solution on it.

    The model ŷ = w₁x₁ + w₂x₂ + b on :func:`geometry_data` (two correlated, standardised
    features). Left, in the (w₁, w₂) plane: contours of the data loss
    L(w) = (1/2n)‖y − Xw − b‖² (b at its best for every w: the contours are ellipses
    around the least-squares point ✕), the path of penalised solutions as λ runs over the
    slider's range, the current solution ● and the ball
    {w : ρ‖w‖₁ + ½(1 − ρ)‖w‖² ≤ t} whose size t is the solution's own penalty: the
    penalised problem at λ is the constrained problem with that budget, and its solution
    is where the smallest contour touches the ball (the highlighted contour). Right: w₁
    and w₂ against log₁₀ λ, with the current λ marked.

    The solution at each λ is computed exactly by ``lossviz.regularization``
    (``ridge_closed_form``, ``lasso_cd``, ``elastic_net``), the objective
    (1/2n)‖y − Xw − b‖² + λ(ρ‖w‖₁ + ½(1 − ρ)‖w‖²), i.e. scikit-learn's
    ``Lasso(alpha=λ)``, ``ElasticNet(alpha=λ, l1_ratio=½)`` and ``Ridge(alpha=n·λ)``.

    Args:
        log_lambda: initial log₁₀ λ (slider −2 to 0.7).
        penalty: ``"lasso"``, ``"ridge"`` or ``"elastic_net"`` (ρ = ½).
        n, correlation, seed: the data (:func:`geometry_data`).
        figsize, dpi: figure size and resolution.

    Controls: ``log_lambda`` (log₁₀ λ), ``penalty``.
    Numbers: ``log_lambda``, ``lam`` (λ), ``w1``, ``w2``, ``n_zero`` (weights exactly 0),
    ``budget`` (t, the penalty of the solution), ``loss`` (L(w)), ``objective`` (L(w) + λ t).
    """

    caption = (
        "The penalised solution ● is where the smallest loss contour touches the penalty "
        "ball. The L1 diamond has corners on the axes, and the contours usually first touch "
        "it there: w₂ becomes exactly 0 (λ ≥ 0.79 here). The L2 disc has no corners: ridge "
        "shrinks both weights but never to zero."
    )
    alt_text = (
        "Two panels. Left: tilted elliptical contours of the squared-error loss in the plane "
        "of the two weights w1 and w2, centred on the least-squares point; a diamond-shaped "
        "L1 ball around the origin whose corner on the w1 axis touches one highlighted "
        "contour at the penalised solution, with its coordinates printed and the note that "
        "w2 is exactly zero. Right: the two weights against log lambda, both shrinking to "
        "zero as lambda grows, w2 reaching zero first, with a vertical line at the current "
        "lambda."
    )

    figsize = (9.6, 4.1)
    LOG_RANGE = (-2.0, 0.7)
    LOG_STEP = 0.01
    W1_RANGE = (-0.55, 2.35)
    W2_RANGE = (-0.75, 1.45)
    LEVELS = 8

    def __init__(
        self,
        log_lambda: float = 0.0,
        penalty: str = "lasso",
        *,
        n: int = 50,
        correlation: float = 0.5,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        if penalty not in PENALTY_LABELS:
            raise ValueError(f"penalty must be one of {list(PENALTY_LABELS)}; got {penalty!r}.")
        self.X, self.y = geometry_data(n, correlation=correlation, seed=seed)
        self._init = {"log_lambda": log_lambda, "penalty": penalty}
        self.least_squares = reg.ridge_closed_form(self.X, self.y, 0.0)
        Xc = self.X - self.X.mean(axis=0)
        self.hessian = Xc.T @ Xc / self.y.size  # L(w) = L* + ½ (w − w*)ᵀ H (w − w*)
        self.loss_min = self.data_loss(self.least_squares.coef)
        low, high = self.LOG_RANGE
        self.log_grid = np.linspace(low, high, round((high - low) / self.LOG_STEP) + 1)
        self.paths = {
            name: reg.regularization_path(self.X, self.y, 10.0**self.log_grid, penalty=name,
                                          l1_ratio=_RHO[name]).coefs
            for name in PENALTY_LABELS
        }
        self._shown_penalty: str | None = None
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def data_loss(self, coef: FloatArray) -> float:
        """L(w) = (1/2n)‖y − Xw − b‖² with the best intercept b for these weights."""
        b = float(np.mean(self.y - self.X @ coef))
        r = self.y - self.X @ coef - b
        return float(r @ r / (2 * self.y.size))

    def solve(self, lam: float, penalty: str | None = None) -> reg.PenalizedFit:
        """The penalised fit at λ (exact), from ``lossviz.regularization``."""
        penalty = penalty or self.value("penalty")
        if penalty == "ridge":
            return reg.ridge_closed_form(self.X, self.y, lam)
        return reg.elastic_net(self.X, self.y, lam, _RHO[penalty])

    def _level_set(self, level: float) -> tuple[FloatArray, FloatArray]:
        """The ellipse L(w) = level: w* + H^(−½)·(unit circle)·√(2(level − L*))."""
        radius = np.sqrt(max(2.0 * (level - self.loss_min), 0.0))
        values, vectors = np.linalg.eigh(self.hessian)
        phi = np.linspace(0.0, 2.0 * np.pi, 241)
        circle = np.vstack([np.cos(phi), np.sin(phi)]) * radius
        points = self.least_squares.coef[:, None] + vectors @ (circle / np.sqrt(values)[:, None])
        return points[0], points[1]

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "log_lambda": _log_slider(self._init["log_lambda"], *self.LOG_RANGE, self.LOG_STEP),
            "penalty": widgets.Dropdown(
                options=[(label, name) for name, label in PENALTY_LABELS.items()],
                value=self._init["penalty"], description="penalty",
                layout=widgets.Layout(width="220px"),
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.065, right=0.985, bottom=0.13, top=0.9, wspace=0.2)
        self.ax_geo, self.ax_path = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.12, 1]})
        self._shown_penalty = None  # fresh artists: the static curves must be set again
        self._setup_geometry(self.ax_geo)
        self._setup_path(self.ax_path)

    def _setup_geometry(self, ax: Axes) -> None:
        ax.set(xlim=self.W1_RANGE, ylim=self.W2_RANGE, aspect="equal")
        ax.set_xlabel("w₁")
        ax.set_ylabel("w₂")
        self._geo_title = ax.set_title(" ")
        w1 = np.linspace(*self.W1_RANGE, 161)
        w2 = np.linspace(*self.W2_RANGE, 131)
        W1, W2 = np.meshgrid(w1, w2)
        d = np.stack([W1 - self.least_squares.coef[0], W2 - self.least_squares.coef[1]])
        L = self.loss_min + 0.5 * np.einsum("i...,ij,j...->...", d, self.hessian, d)
        levels = self.loss_min + 0.5 * np.geomspace(0.02, 2.5, self.LEVELS) ** 2
        ax.contour(W1, W2, L, levels=levels, colors=ROLE_COLORS["muted"], linewidths=0.8)
        ax.axhline(0.0, color="#555555", lw=0.8, zorder=1)
        ax.axvline(0.0, color="#555555", lw=0.8, zorder=1)
        ax.plot(*self.least_squares.coef, "x", color="#222222", ms=8, mew=2, zorder=4)
        ax.annotate("least squares", self.least_squares.coef, xytext=(6, 6),
                    textcoords="offset points", fontsize=8.5, color="#222222")
        (self._path_line,) = ax.plot([], [], lw=1.2, ls="--", zorder=3)
        # moving artists, in drawing order (matches their zorder)
        self._ball = Polygon(np.zeros((4, 2)), closed=True, alpha=0.22, lw=1.8, zorder=5)
        ax.add_patch(self._ball)
        (self._touching,) = ax.plot([], [], color="#222222", lw=1.4, zorder=6)
        (self._point,) = ax.plot([], [], "o", color="#222222", ms=7, zorder=7)
        self._animate(self._ball, self._touching, self._point)  # before the readout above them
        self._numbers_readout = self._readout(
            ax, 0.03, 0.97,
            "λ = {lam:<9}\nw = ({w1:>6}, {w2:>6})\nball size t = {budget:<6}\n{zero:<22}",
            transform=ax.transAxes, ha="left", va="top", ma="left", bbox=_BOX, zorder=8,
            on_top=True,
        )

    def _setup_path(self, ax: Axes) -> None:
        ax.set_xlim(*self.LOG_RANGE)
        ax.set_xlabel("log₁₀ λ")
        ax.set_ylabel("weight")
        ax.axhline(0.0, color="#555555", lw=0.8)
        self._path_title = ax.set_title(" ")
        self._weight_lines = [
            ax.plot(self.log_grid, np.zeros_like(self.log_grid), color=color, lw=2.0,
                    label=label)[0]
            for color, label in zip(_WEIGHT_COLORS, ("w₁", "w₂"), strict=True)
        ]
        self._lambda_max_line = ax.axvline(0.0, color=ROLE_COLORS["muted"], lw=1.0, ls=":")
        self._lambda_max_text = ax.text(0.0, 0.98, "", transform=ax.get_xaxis_transform(),
                                        ha="right", va="top", fontsize=8,
                                        color=ROLE_COLORS["muted"])
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.9))
        high = max(float(np.max(c)) for c in self.paths.values())
        low = min(float(np.min(c)) for c in self.paths.values())
        ax.set_ylim(min(low, 0.0) - 0.15, high + 0.25)
        self._lambda_line = ax.axvline(0.0, color=ROLE_COLORS["threshold"], lw=1.2)
        self._weight_points = [ax.plot([], [], "o", color=color, ms=6, zorder=5)[0]
                               for color in _WEIGHT_COLORS]
        self._animate(self._lambda_line, *self._weight_points)

    def _show_penalty(self, penalty: str) -> None:
        color = PENALTY_COLORS[penalty]
        path = self.paths[penalty]
        self._path_line.set_data(path[:, 0], path[:, 1])
        self._path_line.set_color(color)
        self._ball.set_facecolor(color)
        self._ball.set_edgecolor(color)
        for line, weights in zip(self._weight_lines, path.T, strict=True):
            line.set_ydata(weights)
        label = PENALTY_LABELS[penalty]
        self._geo_title.set_text(f"{label}: the contour touches the ball")
        self._path_title.set_text(f"{label} path of the two weights")
        top = reg.lambda_max(self.X, self.y, _RHO[penalty])
        visible = np.isfinite(top) and self.LOG_RANGE[0] < np.log10(top) < self.LOG_RANGE[1]
        self._lambda_max_line.set_visible(bool(visible))
        self._lambda_max_text.set_visible(bool(visible))
        if visible:
            self._lambda_max_line.set_xdata([np.log10(top)] * 2)
            self._lambda_max_text.set_x(np.log10(top) - 0.03)
            self._lambda_max_text.set_text(f"λ_max = {top:.2f}: all weights 0")
        self._shown_penalty = penalty

    def _static_key(self) -> str:
        return self._shown_penalty or ""

    def _update(self) -> None:
        penalty, log_lam = self.value("penalty"), float(self.value("log_lambda"))
        if penalty != self._shown_penalty:
            self._show_penalty(penalty)
        lam = 10.0**log_lam
        fit = self.solve(lam, penalty)
        rho = _RHO[penalty]
        w1, w2 = (float(v) for v in fit.coef)
        budget = reg.penalty_value(fit.coef, rho)
        loss = self.data_loss(fit.coef)

        self._ball.set_xy(penalty_ball(budget, rho))
        self._touching.set_data(*self._level_set(loss))
        self._point.set_data([w1], [w2])
        self._lambda_line.set_xdata([log_lam, log_lam])
        for marker, value in zip(self._weight_points, (w1, w2), strict=True):
            marker.set_data([log_lam], [value])
        zeros = [name for name, value in (("w₁", w1), ("w₂", w2)) if value == 0.0]
        note = ("both weights exactly 0" if len(zeros) == 2
                else f"{zeros[0]} = 0 exactly" if zeros else "no weight is 0")
        self._numbers_readout.set(lam=_fmt(lam), w1=_fmt(w1), w2=_fmt(w2), budget=_fmt(budget),
                          zero=note)
        self._show(log_lambda=log_lam, lam=lam, w1=w1, w2=w2, n_zero=len(zeros),
                   budget=budget, loss=loss, objective=fit.objective)


# ======================================================================================
# ValidationCurve
# ======================================================================================


class ValidationCurve(Demo):
    """Ridge on polynomial features: λ moves the fit, the training and the validation MSE.

    Twenty-five noisy samples of f(x) = sin(πx) (:func:`lossviz.data.polynomial_data`,
    noise 0.3) are fitted with ridge regression on the powers x, x², …, x¹² (standardised
    with the training statistics; ``lossviz.regularization.ridge_closed_form``). Left:
    the training points, the validation points (200 fresh samples), the true curve and
    the fitted curve at the current λ. Right: the training and validation MSE
    ``mean((y − ŷ)²)`` against log₁₀ λ, with the current λ marked and the validation
    minimum flagged: small λ over-fits (training error near 0, validation error large),
    large λ under-fits (both large). The training error only rises with λ.

    Args:
        log_lambda: initial log₁₀ λ (slider −8 to 1).
        degree: the polynomial degree.
        n_train, n_val, noise, seed: the data; the validation set uses ``seed + 100``.
        figsize, dpi: figure size and resolution.

    Controls: ``log_lambda`` (log₁₀ λ).
    Numbers: ``log_lambda``, ``lam`` (λ), ``train_mse``, ``val_mse``, ``effective_df``
    (Σ s/(s + λ), ridge's effective number of parameters), ``best_lambda`` and
    ``best_val_mse`` (the validation minimum over the slider's grid).
    """

    caption = (
        "At tiny λ the degree-12 polynomial bends toward every training point (training MSE "
        "0.03, a third of the noise variance 0.09) and swings wildly between them "
        "(validation MSE near 4). Raising λ trades that variance for bias: the validation "
        "error falls to its minimum, then rises as the fit flattens. The training error "
        "only ever rises."
    )
    alt_text = (
        "Two panels. Left: twenty-five dark training points and many light validation "
        "points around a dashed sine curve, with the fitted polynomial curve at the current "
        "lambda. Right: training and validation mean squared error on a log scale against "
        "log lambda; the training curve rises steadily, the validation curve is U-shaped "
        "with its minimum marked, and a vertical line marks the current lambda."
    )

    figsize = (9.6, 3.9)
    LOG_RANGE = (-8.0, 1.0)
    LOG_STEP = 0.05
    Y_RANGE = (-2.0, 2.0)

    def __init__(
        self,
        log_lambda: float = -1.5,
        *,
        degree: int = 12,
        n_train: int = 25,
        n_val: int = 200,
        noise: float = 0.3,
        seed: int = 2,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.degree = degree
        self.x, self.y = polynomial_data(n_train, noise=noise, seed=seed)
        self.x_val, self.y_val = polynomial_data(n_val, noise=noise, seed=seed + 100)
        self.x_grid = np.linspace(-1.0, 1.0, 301)
        F, F_val, F_grid, (self._mean, self._std) = standardize(
            polynomial_features(self.x, degree), polynomial_features(self.x_val, degree),
            polynomial_features(self.x_grid, degree))
        self.features, self.features_val, self._features_grid = F, F_val, F_grid
        self._init = {"log_lambda": log_lambda}
        low, high = self.LOG_RANGE
        self.log_grid = np.linspace(low, high, round((high - low) / self.LOG_STEP) + 1)
        path = reg.regularization_path(F, self.y, 10.0**self.log_grid, penalty="ridge")
        self.train_curve = self._mse(F, self.y, path.coefs, path.intercepts)
        self.val_curve = self._mse(F_val, self.y_val, path.coefs, path.intercepts)
        best = int(np.argmin(self.val_curve))
        self.best_lambda = float(10.0 ** self.log_grid[best])
        self.best_val_mse = float(self.val_curve[best])
        # a cached SVD makes every slider move an exact ridge solve in microseconds
        self._y_mean = float(self.y.mean())
        U, s, Vt = np.linalg.svd(F - F.mean(axis=0), full_matrices=False)
        self._svd = (s, Vt, U.T @ (self.y - self._y_mean), F.mean(axis=0))
        super().__init__(figsize=figsize, dpi=dpi)

    @staticmethod
    def _mse(F: FloatArray, y: FloatArray, coefs: FloatArray, intercepts: FloatArray
             ) -> FloatArray:
        predictions = F @ coefs.T + intercepts[None, :]
        return np.mean((y[:, None] - predictions) ** 2, axis=0)

    # -- model --------------------------------------------------------------------------

    def fit(self, lam: float) -> tuple[FloatArray, float]:
        """Ridge weights and intercept at λ: ``ridge_closed_form(features, y, λ)``, from the
        cached SVD (the same formula, w = V diag(σ/(σ² + nλ)) Uᵀ y_c)."""
        s, Vt, uty, f_mean = self._svd
        coef = Vt.T @ (s / (s**2 + self.y.size * lam) * uty)
        return coef, self._y_mean - float(f_mean @ coef)

    def predict(self, x: FloatArray, lam: float) -> FloatArray:
        """The fitted curve at inputs ``x`` (features standardised as in training)."""
        coef, b = self.fit(lam)
        F = (polynomial_features(np.asarray(x, dtype=float), self.degree) - self._mean) / self._std
        return F @ coef + b

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {"log_lambda": _log_slider(self._init["log_lambda"], *self.LOG_RANGE,
                                          self.LOG_STEP)}

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.065, right=0.985, bottom=0.14, top=0.83, wspace=0.25)
        self.ax_fit, self.ax_curve = fig.subplots(1, 2)
        self._setup_fit(self.ax_fit)
        self._setup_curves(self.ax_curve)

    def _setup_fit(self, ax: Axes) -> None:
        ax.set(xlim=(-1.05, 1.05), ylim=self.Y_RANGE)
        ax.set_xlabel("x")
        ax.set_ylabel("y,  ŷ")
        ax.plot(self.x_val, self.y_val, ".", color=ROLE_COLORS["muted"], ms=3.5, alpha=0.6,
                label=f"validation ({self.x_val.size})")
        ax.plot(self.x_grid, polynomial_truth(self.x_grid), color="#222222", lw=1.2, ls="--",
                label="truth sin(πx)")
        (self._curve,) = ax.plot([], [], color=ROLE_COLORS["model"], lw=2.2, zorder=4,
                                 label=f"ridge fit ŷ(x), degree {self.degree}")
        (train,) = ax.plot(self.x, self.y, "o", color=ROLE_COLORS["data"], ms=5, zorder=5,
                           label=f"training ({self.x.size})")
        # the legend sits above the axes, where the moving curve never crosses it
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8,
                  handlelength=1.5, columnspacing=1.0, borderaxespad=0.2)
        self._animate(self._curve, train)  # the points stay above the moving curve

    def _setup_curves(self, ax: Axes) -> None:
        ax.set_yscale("log")
        ax.set_xlim(*self.LOG_RANGE)
        ax.set_xlabel("log₁₀ λ")
        ax.set_ylabel("MSE  (mean (y − ŷ)²)")
        ax.set_title("training vs validation error")
        ax.plot(self.log_grid, self.train_curve, color=ROLE_COLORS["data"], lw=2.0,
                label="training")
        ax.plot(self.log_grid, self.val_curve, color=OKABE_ITO["vermillion"], lw=2.0,
                label="validation")
        best = np.log10(self.best_lambda)
        ax.plot([best], [self.best_val_mse], "v", color=OKABE_ITO["vermillion"], ms=8,
                mfc="white", mew=1.5, zorder=4)
        ax.annotate(f"validation minimum\nλ = {_fmt(self.best_lambda, 3)}",
                    (best, self.best_val_mse), xytext=(-8, 10), textcoords="offset points",
                    ha="right", va="bottom", fontsize=8.5, color=OKABE_ITO["vermillion"])
        low = min(self.train_curve.min(), self.val_curve.min())
        high = max(self.train_curve.max(), self.val_curve.max())
        ax.set_ylim(low / 2.0, high * 10.0)
        ax.legend(loc="lower right")
        # the moving line and points stay below the readout, so its labels are drawn once
        self._lambda_line = ax.axvline(0.0, ymax=0.74, color=ROLE_COLORS["threshold"], lw=1.2)
        (self._train_point,) = ax.plot([], [], "o", color=ROLE_COLORS["data"], ms=6, zorder=5)
        (self._val_point,) = ax.plot([], [], "o", color=OKABE_ITO["vermillion"], ms=6, zorder=5)
        self._numbers_readout = self._readout(
            ax, 0.03, 0.97,
            "λ = {lam:<9}   effective df = {df:<5}\n"
            "training MSE   = {train:<8}\n"
            "validation MSE = {val:<8}",
            transform=ax.transAxes, ha="left", va="top", ma="left", bbox=_BOX, zorder=8,
        )
        self._animate(self._lambda_line, self._train_point, self._val_point)

    def _update(self) -> None:
        log_lam = float(self.value("log_lambda"))
        lam = 10.0**log_lam
        coef, b = self.fit(lam)
        train = float(np.mean((self.y - (self.features @ coef + b)) ** 2))
        val = float(np.mean((self.y_val - (self.features_val @ coef + b)) ** 2))
        s = self._svd[0] ** 2 / self.y.size
        df = float(np.sum(s / (s + lam)))
        curve = self._features_grid @ coef + b
        # keep the wild small-λ curves inside the axes (clipping would drop the segments)
        self._curve.set_data(self.x_grid, np.clip(curve, *(1.5 * np.array(self.Y_RANGE))))
        self._lambda_line.set_xdata([log_lam, log_lam])
        self._train_point.set_data([log_lam], [train])
        self._val_point.set_data([log_lam], [val])
        self._numbers_readout.set(lam=_fmt(lam), df=f"{df:.2f}", train=_fmt(train, 4),
                          val=_fmt(val, 4))
        self._show(log_lambda=log_lam, lam=lam, train_mse=train, val_mse=val,
                   effective_df=df, best_lambda=self.best_lambda,
                   best_val_mse=self.best_val_mse)
