"""Chapter 01 demos: one outlier against four losses, Barron's robust family, quantiles.

- :class:`OutlierTugOfWar`: drag one outlier; the lines fitted by MSE, MAE, Huber (δ) and
  pinball (τ) move together, beside bars of every point's influence ψ(rᵢ) = ρ′(rᵢ).
- :class:`RobustFamilyExplorer`: Barron's general robust loss ρ(r, α, c); the α and c
  sliders reshape ρ, ψ and the IRLS weight, and the named special cases are labelled.
- :class:`PinballExplorer`: the τ slider moves a pinball-fitted line through data whose
  spread grows with x; the fraction of points below the line tracks τ.

The demos refit on every slider move, so the line fits here are exact and fast: an optimal
MAE / pinball line passes through two data points (:class:`QuantileLines` enumerates
them), and :func:`huber_line` runs Newton's method with an exact line search. Both agree
with :func:`lossviz.robust.fit_line` (tests compare the objectives to 1e-12).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from .. import losses
from ..data import heteroscedastic_1d
from ..losses._core import as_float_array, check_in_interval, check_positive
from ..robust import influence
from ..style import ROLE_COLORS, color_for
from ._base import Demo
from .foundations import _fmt

__all__ = [
    "BARRON_CASES",
    "ExactLine",
    "OutlierTugOfWar",
    "PinballExplorer",
    "QuantileLines",
    "RobustFamilyExplorer",
    "barron_case",
    "barron_psi_sup",
    "barron_rho_sup",
    "huber_line",
    "mse_line",
    "outlier_data",
    "quantile_line",
]

FloatArray = NDArray[np.float64]

_FIG_TEXT = {"fontsize": 10}


# ======================================================================================
# Exact line fits, fast enough for every frame
# ======================================================================================


class ExactLine(NamedTuple):
    """A fitted line ŷ = slope·x + intercept.

    ``support`` holds the indices of the data points the line passes through by
    construction (the two points of an MAE / pinball line; empty otherwise): their
    residuals are exactly 0, not ±1e-16 from rounding.
    """

    slope: float
    intercept: float
    support: tuple[int, ...] = ()

    def predict(self, x: ArrayLike) -> FloatArray:
        """ŷ at ``x``."""
        return self.slope * np.asarray(x, dtype=np.float64) + self.intercept

    def residuals(self, x: ArrayLike, y: ArrayLike) -> FloatArray:
        """r = ŷ − y, with exact zeros at the support points."""
        r = self.predict(x) - np.asarray(y, dtype=np.float64)
        r[list(self.support)] = 0.0
        return r


def _check_line_data(x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = as_float_array(x, "x"), as_float_array(y, "y")
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"x and y must be 1-D arrays of the same length; got shapes {x.shape} and {y.shape}."
        )
    if np.ptp(x) == 0:
        raise ValueError("x must take at least two different values to fit a line.")
    return x, y


def mse_line(x: ArrayLike, y: ArrayLike) -> ExactLine:
    """The least-squares line: slope cov(x, y) / var(x), computed on centred data.

    Examples:
        >>> mse_line([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
        ExactLine(slope=2.0, intercept=1.0, support=())
    """
    x, y = _check_line_data(x, y)
    xc = x - x.mean()
    slope = float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))
    return ExactLine(slope, float(y.mean() - slope * x.mean()))


class QuantileLines:
    """Every line through two data points, ready to return the best one for any τ.

    The mean pinball loss of a line, ρ_τ(u) = max(τu, (τ − 1)u) with u = y − ŷ, is convex
    and piecewise linear in (slope, intercept), so an optimal line is a vertex of the
    linear programme that :func:`lossviz.robust.fit_line` solves: a line through two data
    points with different x. Enumerating those n(n − 1)/2 lines and keeping the one with
    the lowest loss is therefore exact. For each candidate the sums Σu⁺ and Σu⁻ of the
    positive and negative residual parts are stored once; the summed loss
    τ·Σu⁺ + (1 − τ)·Σu⁻ is linear in τ, so :meth:`fit` costs one pass over the candidates.
    MAE is τ = 1/2 (mean |u| = 2·mean ρ_½(u)). When several lines are optimal (ties), the
    first candidate in (i, j) order is returned; its loss is the same.

    Args:
        x, y: the data, 1-D of the same length, with at least two different x.

    Examples:
        >>> lines = QuantileLines([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 9.0])
        >>> lines.fit(0.5)                     # the outlier at x = 3 does not pull
        ExactLine(slope=1.0, intercept=0.0, support=(0, 1))
    """

    def __init__(self, x: ArrayLike, y: ArrayLike) -> None:
        self.x, self.y = _check_line_data(x, y)
        i, j = np.triu_indices(self.x.size, k=1)
        dx = self.x[j] - self.x[i]
        keep = dx != 0  # two points with the same x define no line y = a + b x
        self.i, self.j = i[keep], j[keep]
        self.slopes = (self.y[self.j] - self.y[self.i]) / dx[keep]
        self.intercepts = self.y[self.i] - self.slopes * self.x[self.i]
        u = self.y - (self.intercepts[:, None] + self.slopes[:, None] * self.x)
        rows = np.arange(self.i.size)
        u[rows, self.i] = 0.0  # both points lie on their line exactly: no ±1e-16
        u[rows, self.j] = 0.0
        self.sum_above = np.sum(np.maximum(u, 0.0), axis=1)  # Σ u⁺: points above the line
        self.sum_below = np.sum(np.maximum(-u, 0.0), axis=1)  # Σ u⁻: points below it

    def fit(self, quantile: float = 0.5) -> ExactLine:
        """The line minimising the mean pinball loss at τ = ``quantile`` in (0, 1)."""
        tau = check_in_interval(quantile, "quantile", 0.0, 1.0)
        k = int(np.argmin(tau * self.sum_above + (1.0 - tau) * self.sum_below))
        return ExactLine(
            float(self.slopes[k]), float(self.intercepts[k]), (int(self.i[k]), int(self.j[k]))
        )


def quantile_line(x: ArrayLike, y: ArrayLike, quantile: float = 0.5) -> ExactLine:
    """The exact pinball (τ = ``quantile``) line; ``quantile=0.5`` gives an MAE line.

    See :class:`QuantileLines`; build one directly to fit many τ on the same data.

    Examples:
        >>> quantile_line([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 9.0]).slope
        1.0
    """
    return QuantileLines(x, y).fit(quantile)


def _huber_line_search(r: FloatArray, s: FloatArray, delta: float) -> float:
    """The exact minimiser t > 0 of φ(t) = Σ huber(r + t·s) along a descent direction.

    φ′(t) = Σ sᵢ·clip(rᵢ + t·sᵢ, −δ, δ) is continuous, non-decreasing and linear between
    the breakpoints where a residual crosses ±δ, so the root is found by evaluating φ′
    at the breakpoints and interpolating linearly in the bracket where it changes sign.
    """
    moving = s != 0
    r, s = r[moving], s[moving]
    breaks = np.concatenate([(delta - r) / s, (-delta - r) / s])
    breaks = np.unique(breaks[breaks > 0])
    t = np.concatenate([[0.0], breaks])
    slope = np.clip(r + t[:, None] * s, -delta, delta) @ s
    k = int(np.argmax(slope >= 0))  # beyond every breakpoint φ′ = δ Σ|sᵢ| > 0
    if k == 0:
        return 0.0
    t0, t1, d0, d1 = t[k - 1], t[k], slope[k - 1], slope[k]
    return float(t0 - d0 * (t1 - t0) / (d1 - d0)) if d1 != d0 else float(t1)


def huber_line(
    x: ArrayLike, y: ArrayLike, delta: float = 1.0, *, max_iter: int = 100
) -> ExactLine:
    """The line minimising the mean Huber loss, by Newton's method with exact line search.

    Started from least squares. Each step takes the Newton direction of the current
    quadratic zone (points with |r| ≤ δ) and the exact minimiser along it; once the zone
    stops changing, the Newton step lands on the optimum (a quadratic has no secrets from
    Newton). When fewer than two points with different x are in the zone the Hessian is
    singular, and the step is an IRLS step (weights min(1, δ/|r|)), which always descends.
    It agrees with ``robust.fit_line(x, y, "huber", delta=delta)`` to rounding, in a few
    iterations even for a tiny ``delta``, where IRLS needs dozens.

    Examples:
        >>> fit = huber_line([0.0, 1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 5.0, 7.0, 40.0])
        >>> round(fit.slope, 12), round(fit.intercept, 12)
        (2.5, 0.5)
    """
    x, y = _check_line_data(x, y)
    delta = check_positive(delta, "delta")
    A = np.column_stack([x, np.ones_like(x)])
    start = mse_line(x, y)
    beta = np.array([start.slope, start.intercept])
    for _ in range(max_iter):
        r = A @ beta - y
        gradient = A.T @ np.clip(r, -delta, delta)
        inside = np.abs(r) <= delta
        direction = None
        if inside.sum() >= 2 and np.ptp(x[inside]) > 0:
            hessian = A[inside].T @ A[inside]
            if np.linalg.cond(hessian) < 1e12:
                direction = -np.linalg.solve(hessian, gradient)
        if direction is None or gradient @ direction >= 0:
            sw = np.sqrt(np.minimum(1.0, delta / np.maximum(np.abs(r), delta)))
            direction = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)[0] - beta
        step = _huber_line_search(r, A @ direction, delta) * direction
        beta = beta + step
        if np.max(np.abs(step)) <= 1e-14 * (1.0 + np.max(np.abs(beta))):
            break
    return ExactLine(float(beta[0]), float(beta[1]))


# ======================================================================================
# Figure helpers
# ======================================================================================


def _legend_row(
    demo: Demo, fig: Figure, x: float, y: float,
    entries: Sequence[tuple[str, str, str, Mapping[str, Any]]], **text_kw: Any,
) -> tuple[dict[str, Text], float]:
    """A header row "── label value" per entry, each in its line's colour and style.

    ``entries`` are ``(key, label, widest value, line style)``; the style (``color``,
    ``ls``, ``lw``, ``marker``) draws a short sample of the line, like a legend. Only the
    values are animated. Returns key -> value text and the x where the row ends.
    """
    values: dict[str, Text] = {}
    glyph = 0.028
    for key, label, widest, line_style in entries:
        mid_y = y + 0.012
        fig.add_artist(Line2D([x, x + glyph], [mid_y, mid_y], transform=fig.transFigure,
                              **line_style))
        row, x = demo._value_row(fig, x + glyph + 0.006, y, [(key, label, widest)],
                                 color=line_style.get("color"), **text_kw)
        values.update(row)
    return values, x


def _bar_verts(positions: FloatArray, width: float) -> FloatArray:
    """Rectangles of height 0 at ``positions`` (shape (n, 4, 2)); heights go in [:, 1:3, 1]."""
    verts = np.zeros((positions.size, 4, 2))
    verts[:, :2, 0] = (positions - width / 2)[:, None]
    verts[:, 2:, 0] = (positions + width / 2)[:, None]
    return verts


# ======================================================================================
# OutlierTugOfWar
# ======================================================================================

#: The four losses of the tug of war: display name and line style.
TUG_LOSSES: Mapping[str, tuple[str, Mapping[str, Any]]] = {
    "mse": ("MSE", {"color": color_for("mse"), "ls": "-", "lw": 2.2}),
    "mae": ("MAE", {"color": color_for("mae"), "ls": (0, (5, 2)), "lw": 2.2}),
    "huber": ("Huber (δ)", {"color": color_for("huber"), "ls": "-", "lw": 2.2}),
    "pinball": ("pinball (τ)", {"color": color_for("pinball"), "ls": (0, (6, 2, 1.5, 2)),
                                "lw": 2.2}),
}

#: The outlier's marker.
_OUTLIER_STYLE: Mapping[str, Any] = {
    "marker": "*", "ms": 15, "mfc": "#222222", "mec": "white", "mew": 0.8, "ls": "none",
}


def outlier_data(
    n: int = 20, *, slope: float = 0.8, intercept: float = 1.0, noise: float = 0.6,
    seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """The tug of war's well-behaved points: y = intercept + slope·x + ε on x ∈ [0.3, 9.7].

    ``x`` is sorted, ε Gaussian with standard deviation ``noise``. The movable outlier is
    added by :class:`OutlierTugOfWar`.

    Examples:
        >>> x, y = outlier_data(20, seed=0)
        >>> x.shape, bool(np.all(np.diff(x) > 0))
        ((20,), True)
    """
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.3, 9.7, size=n))
    return x, intercept + slope * x + rng.normal(0.0, noise, size=n)


class OutlierTugOfWar(Demo):
    """Drag one outlier: MSE, MAE, Huber and pinball lines, and every point's influence ψ.

    Twenty points scatter around the line y = 1 + 0.8·x; one more point, the outlier ★,
    moves with the ``outlier_x`` and ``outlier_y`` sliders. Left: the data and the lines
    that minimise the mean MSE, MAE, Huber (δ) and pinball (τ) loss, refitted exactly on
    every change, with their slopes printed above. Right: one strip per loss with the
    influence ψ(rᵢ) = ρ′(rᵢ) of every point (:func:`lossviz.robust.influence`, residual
    rᵢ = ŷᵢ − yᵢ, so a point above its line has a negative bar); the outlier's bar is
    the outlined one at the right, and its value is printed. MSE's ψ = 2r grows with the
    outlier's distance; Huber's is capped at ±δ, MAE's at ±1 and pinball's at −τ / 1 − τ
    (dashed lines).

    Args:
        outlier_x: initial x of the outlier (slider 0–10).
        outlier_y: initial y of the outlier (slider −10 to 40).
        delta: initial Huber threshold δ (slider 0.1–3).
        tau: initial pinball quantile τ (slider 0.05–0.95).
        n_points, seed: size and seed of the well-behaved data (:func:`outlier_data`).
        figsize, dpi: figure size and resolution.

    Controls: ``outlier_x``, ``outlier_y``, ``delta`` (δ), ``tau`` (τ).
    Numbers: ``outlier_x``, ``outlier_y``, ``delta``, ``tau``, ``slope_<loss>`` and
    ``psi_outlier_<loss>`` for each loss in ``mse``, ``mae``, ``huber``, ``pinball``.
    The fitted lines are in ``.lines``, the residuals and ψ of every point (the outlier
    last) in ``.residuals`` and ``.psi``, all keyed by loss.

    Examples:
        >>> demo = OutlierTugOfWar(outlier_y=30.0)
        >>> demo.controls["outlier_y"].value = 40.0      # drag the outlier further up
        >>> shown = demo.numbers()
        >>> shown["slope_mse"] > shown["slope_huber"] > 0.7
        True
        >>> shown["psi_outlier_huber"], shown["psi_outlier_mae"]   # capped at −δ and −1
        (-1.0, -1.0)
    """

    caption = (
        "Drag the outlier ★ up: the MSE line chases it and the outlier's MSE bar grows "
        "without limit (ψ = 2r), while the Huber, MAE and pinball bars stay capped at δ, 1 "
        "and τ, so their lines barely move. A point above its line has r = ŷ − y < 0: its "
        "bar points down."
    )
    alt_text = (
        "Two parts. Left: twenty grey points along a rising line, one black star (the "
        "outlier) far above them, and four fitted lines: MSE (blue) tilted towards the "
        "star, MAE (vermillion, dashed), Huber (green) and pinball (orange, dash-dot) "
        "staying with the bulk; their slopes are printed above. Right: four strips of bar "
        "charts, one per loss, with the influence psi of each point; the outlier's bar, at "
        "the right, is by far the longest for MSE and capped for the other three."
    )

    figsize = (10.0, 4.9)
    X_RANGE = (0.0, 10.0)
    Y_RANGE = (-10.0, 40.0)
    DELTA_RANGE = (0.1, 3.0)
    TAU_RANGE = (0.05, 0.95)
    TRUE_SLOPE, TRUE_INTERCEPT = 0.8, 1.0
    BAR_WIDTH = 0.72

    def __init__(
        self,
        outlier_x: float = 9.0,
        outlier_y: float = 30.0,
        delta: float = 1.0,
        tau: float = 0.75,
        *,
        n_points: int = 20,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.x, self.y = outlier_data(n_points, slope=self.TRUE_SLOPE,
                                      intercept=self.TRUE_INTERCEPT, seed=seed)
        self._init = {"outlier_x": outlier_x, "outlier_y": outlier_y, "delta": delta,
                      "tau": tau}
        self.lines: dict[str, ExactLine] = {}
        self.residuals: dict[str, FloatArray] = {}
        self.psi: dict[str, FloatArray] = {}
        # bar positions: the points in x order, then a gap, then the outlier
        self._bar_x = np.append(np.arange(n_points, dtype=float), n_points + 1.0)
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def data(self) -> tuple[FloatArray, FloatArray]:
        """All points for the current sliders, the outlier last."""
        return (np.append(self.x, float(self.value("outlier_x"))),
                np.append(self.y, float(self.value("outlier_y"))))

    def params(self, name: str) -> dict[str, float]:
        """The hyper-parameters of the loss ``name`` at the current sliders."""
        if name == "huber":
            return {"delta": float(self.value("delta"))}
        if name == "pinball":
            return {"quantile": float(self.value("tau"))}
        return {}

    def fit(self, x: FloatArray, y: FloatArray) -> dict[str, ExactLine]:
        """The four fitted lines (exact; see :class:`QuantileLines`, :func:`huber_line`)."""
        quantile_lines = QuantileLines(x, y)
        return {
            "mse": mse_line(x, y),
            "mae": quantile_lines.fit(0.5),
            "huber": huber_line(x, y, float(self.value("delta"))),
            "pinball": quantile_lines.fit(float(self.value("tau"))),
        }

    def _psi_limit_mse(self) -> float:
        """The largest |ψ| of MSE over the slider range (the outlier at a corner)."""
        largest = 0.0
        for ox in self.X_RANGE:
            for oy in self.Y_RANGE:
                x, y = np.append(self.x, ox), np.append(self.y, oy)
                largest = max(largest, float(np.max(np.abs(2 * mse_line(x, y).residuals(x, y)))))
        return largest

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        return {
            "outlier_x": widgets.FloatSlider(
                value=self._init["outlier_x"], min=self.X_RANGE[0], max=self.X_RANGE[1],
                step=0.1, description="outlier x", readout_format=".1f", style=style,
            ),
            "outlier_y": widgets.FloatSlider(
                value=self._init["outlier_y"], min=self.Y_RANGE[0], max=self.Y_RANGE[1],
                step=0.5, description="outlier y", readout_format=".1f", style=style,
            ),
            "delta": widgets.FloatSlider(
                value=self._init["delta"], min=self.DELTA_RANGE[0], max=self.DELTA_RANGE[1],
                step=0.05, description="δ (Huber)", readout_format=".2f", style=style,
            ),
            "tau": widgets.FloatSlider(
                value=self._init["tau"], min=self.TAU_RANGE[0], max=self.TAU_RANGE[1],
                step=0.01, description="τ (pinball)", readout_format=".2f", style=style,
            ),
        }

    def _setup(self, fig: Figure) -> None:
        self._setup_header(fig)
        self.ax_data = fig.add_axes((0.058, 0.115, 0.39, 0.7))
        self._setup_data_panel(self.ax_data)
        top, height, gap = 0.815, 0.152, 0.03
        self.ax_psi: dict[str, Axes] = {}
        for k, name in enumerate(TUG_LOSSES):
            bottom = top - height - k * (height + gap)
            shared = self.ax_psi.get("mse")
            self.ax_psi[name] = fig.add_axes((0.575, bottom, 0.255, height), sharex=shared)
        self._setup_influence_panels(fig)

    def _setup_header(self, fig: Figure) -> None:
        fig.text(0.012, 0.94, "slope of each line:", va="baseline", **_FIG_TEXT)
        entries = [(name, label.split(" ")[0], "−0.000", style)
                   for name, (label, style) in TUG_LOSSES.items()]
        self._slope_values, row_end = _legend_row(self, fig, 0.15, 0.94, entries,
                                                  **_FIG_TEXT)
        fig.text(row_end, 0.94, f"(true line: slope {self.TRUE_SLOPE:.2f})",
                 color=ROLE_COLORS["muted"], va="baseline", **_FIG_TEXT)

    def _setup_data_panel(self, ax: Axes) -> None:
        x_line = np.array([self.X_RANGE[0] - 0.4, self.X_RANGE[1] + 0.4])
        ax.set(xlim=tuple(x_line), ylim=(self.Y_RANGE[0] - 2.5, self.Y_RANGE[1] + 2.5))
        ax.set_xlabel("x")
        ax.set_ylabel("y,  ŷ")
        ax.set_title("the data, the outlier ★ and the four fitted lines")
        ax.plot(x_line, self.TRUE_INTERCEPT + self.TRUE_SLOPE * x_line,
                color=ROLE_COLORS["muted"], lw=1.0, ls=":", zorder=1)
        self._x_line = x_line
        self._fit_lines = {
            name: ax.plot([], [], zorder=2, **style)[0] for name, (_, style) in TUG_LOSSES.items()
        }
        (points,) = ax.plot(self.x, self.y, "o", color=ROLE_COLORS["data"], ms=5, zorder=3)
        (self._outlier,) = ax.plot([], [], zorder=4, **_OUTLIER_STYLE)
        # the points are redrawn too (20 markers, cheap) so that they stay above the lines
        self._animate(*self._fit_lines.values(), points, self._outlier)

    def _setup_influence_panels(self, fig: Figure) -> None:
        n = self.x.size
        mse_limit = 1.12 * self._psi_limit_mse()
        limits = {"mse": mse_limit, "mae": 1.3, "huber": 1.15 * self.DELTA_RANGE[1],
                  "pinball": 1.15}
        notes = {"mse": "ψ = 2r, unbounded", "mae": "ψ = sign(r), |ψ| ≤ 1",
                 "huber": "ψ = clip(r, −δ, δ)", "pinball": "ψ = −τ or 1 − τ"}
        self._bars: dict[str, tuple[PolyCollection, PolyCollection]] = {}
        self._caps: dict[str, Line2D] = {}
        self._psi_values: dict[str, Text] = {}
        self._verts = _bar_verts(self._bar_x, self.BAR_WIDTH)
        for k, (name, (label, style)) in enumerate(TUG_LOSSES.items()):
            ax = self.ax_psi[name]
            color = style["color"]
            ax.set(xlim=(-0.9, n + 1.9), ylim=(-limits[name], limits[name]))
            ax.set_ylabel(label.split(" ")[0], rotation=0, ha="right", va="center",
                          color=color, labelpad=4)
            ax.set_xlabel("points in x order, then the outlier ★")
            ax.yaxis.set_major_locator(_symmetric_locator(limits[name]))
            ax.axvspan(n + 0.4, n + 1.6, color="#000000", alpha=0.06, lw=0, zorder=0)
            ax.axhline(0.0, color="#555555", lw=0.8, zorder=0.9)
            inliers = PolyCollection(self._verts[:n], facecolors=color, alpha=0.55,
                                     edgecolors="none", zorder=1)
            outlier = PolyCollection(self._verts[n:], facecolors=color, edgecolors="#222222",
                                     linewidths=1.0, zorder=1.5)
            ax.add_collection(inliers)
            ax.add_collection(outlier)
            self._bars[name] = (inliers, outlier)
            animated: list[Any] = [inliers, outlier]
            if name == "mae":
                for level in (-1.0, 1.0):
                    ax.axhline(level, color=color, lw=1.0, ls="--", zorder=0.9)
            elif name in ("huber", "pinball"):
                (self._caps[name],) = ax.plot([], [], color=color, lw=1.0, ls="--", zorder=2)
                animated.append(self._caps[name])
            if k == 0:
                ax.set_title("influence ψ(rᵢ) = ρ′(rᵢ) of every point, rᵢ = ŷᵢ − yᵢ\n"
                             "(ψ < 0: the point is above its line and pulls it up)")
            if k < len(TUG_LOSSES) - 1:
                ax.tick_params(labelbottom=False)
                ax.xaxis.label.set_visible(False)  # the strips share the bottom strip's label
            else:
                numbers = [1, *range(5, n + 1, 5)]  # point numbers 1, 5, 10, …
                ax.set_xticks([k - 1 for k in numbers] + [n + 1], [*map(str, numbers), "★"])
            self._animate(*animated)
            y_mid = (ax.get_position().y0 + ax.get_position().y1) / 2
            fig.text(0.842, y_mid + 0.012, notes[name], va="baseline", color=color,
                     fontsize=8.5)
            values, _ = self._value_row(fig, 0.842, y_mid - 0.035,
                                        [(name, "outlier ψ =", "−00.00")], color=color,
                                        fontsize=8.5)
            self._psi_values[name] = values[name]

    def _update(self) -> None:
        x, y = self.data()
        delta, tau = float(self.value("delta")), float(self.value("tau"))
        self.lines = self.fit(x, y)
        shown: dict[str, float] = {}
        for name, line in self.lines.items():
            r = line.residuals(x, y)
            psi, _ = influence(name, r, **self.params(name))
            self.residuals[name], self.psi[name] = r, psi
            self._fit_lines[name].set_data(self._x_line, line.predict(self._x_line))
            self._slope_values[name].set_text(_fmt(line.slope))
            self._set_bars(name, psi)
            self._psi_values[name].set_text(_fmt(psi[-1], 2))
            shown[f"slope_{name}"] = line.slope
            shown[f"psi_outlier_{name}"] = float(psi[-1])
        self._outlier.set_data([x[-1]], [y[-1]])
        xlim = self.ax_psi["mse"].get_xlim()
        self._caps["huber"].set_data(_level_lines(xlim, (-delta, delta)))
        self._caps["pinball"].set_data(_level_lines(xlim, (-tau, 1.0 - tau)))
        self._show(outlier_x=float(x[-1]), outlier_y=float(y[-1]), delta=delta, tau=tau,
                   **shown)

    def _set_bars(self, name: str, psi: FloatArray) -> None:
        verts = self._verts.copy()
        verts[:, 1:3, 1] = psi[:, None]
        inliers, outlier = self._bars[name]
        inliers.set_verts(verts[:-1])
        outlier.set_verts(verts[-1:])


def _level_lines(xlim: tuple[float, float], levels: Sequence[float]) -> tuple[list[float], ...]:
    """Horizontal lines across ``xlim`` at ``levels``, as one polyline broken by NaNs."""
    xs: list[float] = []
    ys: list[float] = []
    for level in levels:
        xs += [xlim[0], xlim[1], np.nan]
        ys += [level, level, np.nan]
    return xs, ys


def _symmetric_locator(limit: float) -> FixedLocator:
    """Ticks at 0 and ± a round number below ``limit``: a strip has room for three."""
    exponent = np.floor(np.log10(limit))
    step = max(m * 10**exponent for m in (1, 2, 5, 10) if m * 10**exponent <= limit * 0.92)
    return FixedLocator([-step, 0.0, step])


# ======================================================================================
# RobustFamilyExplorer
# ======================================================================================

#: The named members of Barron's family: key -> (α, name, other name or "").
BARRON_CASES: Mapping[str, tuple[float, str, str]] = {
    "l2": (2.0, "L2", "quadratic"),
    "charbonnier": (1.0, "Charbonnier", "pseudo-Huber"),
    "cauchy": (0.0, "Cauchy", "Lorentzian"),
    "geman_mcclure": (-2.0, "Geman–McClure", ""),
    "welsch": (-np.inf, "Welsch", "Leclerc"),
}


def barron_case(alpha: float) -> str:
    """The name of Barron's loss at ``alpha`` ("general" between the named cases).

    Examples:
        >>> barron_case(0.0), barron_case(-np.inf), barron_case(0.5)
        ('Cauchy', 'Welsch', 'general')
    """
    for case_alpha, name, _ in BARRON_CASES.values():
        if case_alpha == alpha or abs(case_alpha - alpha) < 1e-9:
            return name
    return "general"


def barron_kind(alpha: float) -> str:
    """"convex" for α ≥ 1, else "non-convex" (Barron 2019, section 2)."""
    return "convex" if alpha >= 1 - 1e-9 else "non-convex"


def barron_psi_sup(alpha: float, scale: float = 1.0) -> tuple[float, float]:
    """The supremum of ``abs(psi)`` for Barron's loss and the ``abs(r)`` where it is reached.

    Both are ``inf`` when the supremum is not reached. For α < 1,
    ψ(r) = (r/c²)((r/c)²/(2 − α) + 1)^(α/2 − 1) peaks at
    ``abs(r)`` = c·√((2 − α)/(1 − α)) with value ((2 − α)/(1 − α))^((α − 1)/2) / c (setting
    ψ′ = 0); the Welsch limit α → −∞ gives e^(−1/2)/c at |r| = c. At α = 1 the supremum
    1/c is approached as r → ±∞; for α > 1, ψ is unbounded.

    Examples:
        >>> sup, at = barron_psi_sup(0.0)         # Cauchy: 1/√2 at r = √2
        >>> round(sup, 12) == round(2 ** -0.5, 12), round(at ** 2, 12)
        (True, 2.0)
        >>> barron_psi_sup(2.0)
        (inf, inf)
    """
    if alpha == -np.inf:
        return float(np.exp(-0.5) / scale), float(scale)
    if alpha > 1 + 1e-9:
        return np.inf, np.inf
    if alpha >= 1 - 1e-9:
        return 1.0 / scale, np.inf
    ratio = (2.0 - alpha) / (1.0 - alpha)
    return float(ratio ** ((alpha - 1.0) / 2.0) / scale), float(scale * np.sqrt(ratio))


def barron_rho_sup(alpha: float) -> float:
    """sup ρ of Barron's loss: (2 − α)/|α| for α < 0 (1 for Welsch), inf for α ≥ 0.

    As |r| → ∞ the power ((r/c)²/|α − 2| + 1)^(α/2) goes to 0 when α < 0, leaving
    ρ → −|α − 2|/α. The bound does not depend on c.

    Examples:
        >>> barron_rho_sup(-2.0), barron_rho_sup(-np.inf), barron_rho_sup(0.0)
        (2.0, 1.0, inf)
    """
    if alpha == -np.inf:
        return 1.0
    return (2.0 - alpha) / -alpha if alpha < 0 else np.inf


class RobustFamilyExplorer(Demo):
    """Barron's general robust loss ρ(r, α, c): the α and c sliders reshape ρ, ψ and w.

    Three linked panels over the residual r: the loss ρ(r) (:func:`lossviz.losses.barron`),
    its influence function ψ(r) = ρ′(r) and the IRLS weight w(r) = ψ(r)/r, drawn relative to
    w(0) = 1/c² (:func:`lossviz.robust.influence`). Faint references: L2 (α = 2) and L1
    (|r|/c). Dotted lines mark r = ±3c, where ρ, ψ and w are printed, with sup ρ and
    sup |ψ| (bounded or not). The header names the case: α = 2 L2, α = 1 Charbonnier
    (pseudo-Huber), α = 0 Cauchy (Lorentzian), α = −2 Geman–McClure, α → −∞ Welsch, else
    "general", and whether the loss is convex (α ≥ 1). The ``case`` dropdown jumps to a
    named case (Welsch, α = −∞, is beyond the slider, which then rests at its end);
    moving the α slider makes the case "custom".

    Args:
        alpha: initial α (slider −10 to 2, step 0.1).
        scale: initial c (slider 0.5–3).
        case: initial case, a key of :data:`BARRON_CASES` or ``"custom"``; a named case
            sets α. Default: the named case at ``alpha``, else ``"custom"``.
        figsize, dpi: figure size and resolution.

    Controls: ``alpha`` (α), ``scale`` (c), ``case``.
    Numbers: ``alpha`` (a float, or "−∞" for Welsch), ``scale``, ``case`` (the name, or
    "general"), ``kind`` ("convex" or "non-convex"), ``rho_3c``, ``psi_3c``,
    ``weight_3c`` (ρ, ψ and w at r = 3c), ``weight_ratio_3c`` (w(3c)/w(0)), ``rho_sup``
    (sup ρ), ``psi_sup`` and ``psi_peak_r`` (sup |ψ| and the |r| where it is reached);
    the last three are floats, or "∞".

    Examples:
        >>> demo = RobustFamilyExplorer(alpha=1.0)
        >>> demo.controls["case"].value = "cauchy"       # sets the α slider to 0
        >>> shown = demo.numbers()
        >>> shown["alpha"], shown["case"], round(shown["rho_3c"], 6)   # log(9/2 + 1)
        (0.0, 'Cauchy', 1.704748)
        >>> shown["rho_sup"], round(shown["psi_sup"], 6)                # 1/√2
        ('∞', 0.707107)
    """

    caption = (
        "Lower α and the loss flattens: from α = 1 down ψ is bounded, so no single point "
        "can pull without limit, and below α = 1 ψ bends back to 0 and far points get almost "
        "no weight. The scale c sets where \"far\" begins."
    )
    alt_text = (
        "Three panels over the residual r from −6 to 6. Left: the loss rho, a bowl that "
        "flattens as alpha decreases. Middle: its derivative psi, a straight line for L2, "
        "bounded for alpha of 1, rising and falling back to zero for smaller alpha. Right: "
        "the IRLS weight psi over r relative to its value at zero, 1 at the centre and "
        "falling with distance. Dotted lines mark r = ±3c; alpha, c, the case name and "
        "sup |psi| are printed."
    )

    figsize = (10.0, 4.3)
    R_MAX = 6.0
    ALPHA_RANGE = (-10.0, 2.0)
    SCALE_RANGE = (0.5, 3.0)
    RHO_MAX = 4.6
    PSI_MAX = 2.25
    CUSTOM = "custom"

    def __init__(
        self,
        alpha: float = 1.0,
        scale: float = 1.0,
        case: str | None = None,
        *,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        if case is None:
            case = next((key for key, (a, _, _) in BARRON_CASES.items()
                         if a == alpha or abs(a - alpha) < 1e-9), self.CUSTOM)
        if case != self.CUSTOM and case not in BARRON_CASES:
            raise ValueError(
                f"case must be one of {[*BARRON_CASES, self.CUSTOM]}; got {case!r}."
            )
        if case != self.CUSTOM:
            alpha = self._slider_alpha(case)
        self._init = {"alpha": alpha, "scale": scale, "case": case}
        self._r = np.linspace(-self.R_MAX, self.R_MAX, 601)
        self._syncing = False
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def _slider_alpha(self, case: str) -> float:
        """Where the α slider goes for a named case (Welsch, α = −∞, at the slider's end)."""
        return max(BARRON_CASES[case][0], self.ALPHA_RANGE[0])

    @property
    def alpha(self) -> float:
        """The shape α in use (the slider's value, or −∞ when the case is Welsch)."""
        if self.value("case") == "welsch":
            return -np.inf
        return float(self.value("alpha"))

    def rho(self, r: ArrayLike) -> FloatArray:
        """ρ(r, α, c) at the current α and c (:func:`lossviz.losses.barron`)."""
        r = np.asarray(r, dtype=np.float64)
        return losses.get("barron")(np.zeros_like(r), r, reduction="none", alpha=self.alpha,
                                    scale=float(self.value("scale")))

    def influence(self, r: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """ψ(r) and w(r) = ψ(r)/r at the current α and c (:func:`lossviz.robust.influence`)."""
        return influence("barron", r, alpha=self.alpha, scale=float(self.value("scale")))

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        options = [
            (f"{name}{f' ({aka})' if aka else ''} · α {'→' if a == -np.inf else '='} "
             f"{_alpha_text(a)}", key)
            for key, (a, name, aka) in BARRON_CASES.items()
        ] + [("custom α (slider)", self.CUSTOM)]
        return {
            "alpha": widgets.FloatSlider(
                value=self._init["alpha"], min=self.ALPHA_RANGE[0], max=self.ALPHA_RANGE[1],
                step=0.1, description="α (shape)", readout_format=".1f", style=style,
            ),
            "scale": widgets.FloatSlider(
                value=self._init["scale"], min=self.SCALE_RANGE[0], max=self.SCALE_RANGE[1],
                step=0.05, description="c (scale)", readout_format=".2f", style=style,
            ),
            "case": widgets.Dropdown(
                options=options, value=self._init["case"], description="case", style=style,
                layout=widgets.Layout(width="330px"),
            ),
        }

    def _on_change(self, change: Mapping[str, Any]) -> None:
        """Keep α and the case in step, rendering once (``hold``) for both changes.

        Picking a named case moves the α slider there; moving the α slider makes the case
        "custom". The second change happens inside ``hold``, so the figure renders once.
        """
        owner, case = change["owner"], self.controls["case"]
        if self._syncing or not (
            (owner is case and change["new"] != self.CUSTOM)
            or (owner is self.controls["alpha"] and case.value != self.CUSTOM)
        ):
            super()._on_change(change)
            return
        with self.hold():
            self._syncing = True
            try:
                if owner is case:
                    self.controls["alpha"].value = self._slider_alpha(change["new"])
                else:
                    case.value = self.CUSTOM
            finally:
                self._syncing = False
            super()._on_change(change)

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.125, top=0.7, wspace=0.32)
        self.ax_rho, self.ax_psi, self.ax_weight = fig.subplots(1, 3)
        self._header, _ = self._value_row(
            fig, 0.012, 0.935,
            [("alpha", "α =", "−10.0"), ("scale", "c =", "0.00"),
             ("case", "case:", "Geman–McClure"), ("kind", "loss:", "non-convex")],
            fontsize=10.5,
        )
        current = color_for("barron")
        reference = {"color": ROLE_COLORS["muted"], "lw": 1.1, "alpha": 0.8}
        fig.legend(
            handles=[Line2D([], [], color=current, lw=2.2, label="ρ, ψ, w at α, c"),
                     Line2D([], [], ls="--", label="L2 (α = 2)", **reference),
                     Line2D([], [], ls=":", label="L1 (|r| / c)", **reference),
                     Line2D([], [], color="#222222", lw=0.9, ls=(0, (1, 2)),
                            label="r = ±3c")],
            loc="upper left", bbox_to_anchor=(0.005, 0.905), ncol=4, handlelength=2.2,
            columnspacing=1.4, borderaxespad=0.0,
        )
        # two rows of numbers above each panel: (key, label, widest value) per row
        specs = [
            (self.ax_rho, "ρ(r)", (-0.15, self.RHO_MAX),
             [[("rho_3c", "ρ(3c) =", "00.000")], [("rho_sup", "sup ρ =", "00.000")]]),
            (self.ax_psi, "ψ(r) = ρ′(r)", (-self.PSI_MAX, self.PSI_MAX),
             [[("psi_3c", "ψ(3c) =", "00.000")],
              [("psi_sup", "sup |ψ| =", "0.000"), ("psi_peak_r", "at |r| =", "0.00")]]),
            (self.ax_weight, "w(r) / w(0),  w = ψ/r", (0.0, 1.12),
             [[("weight_3c", "w(3c) =", "00.000")],
              [("weight_ratio_3c", "w(3c) / w(0) =", "0.000")]]),
        ]
        self._curves, self._refs, self._marks = [], [], []
        self._values: dict[str, Text] = {}
        for ax, ylabel, ylim, rows in specs:
            ax.set(xlim=(-self.R_MAX, self.R_MAX), ylim=ylim)
            ax.set_xlabel("r = ŷ − y")
            ax.set_ylabel(ylabel)
            ax.axhline(0.0, color="#555555", lw=0.8, zorder=0.9)
            refs = (ax.plot([], [], ls="--", zorder=1.5, **reference)[0],
                    ax.plot([], [], ls=":", zorder=1.5, **reference)[0])
            (curve,) = ax.plot(self._r, np.zeros_like(self._r), color=current, lw=2.2,
                               zorder=2)
            (marks,) = ax.plot([], [], color="#222222", lw=0.9, ls=(0, (1, 2)), zorder=2.5)
            (dots,) = ax.plot([], [], "o", color=current, mec="white", ms=6, zorder=3)
            self._animate(*refs, curve, marks, dots)
            self._curves.append(curve)
            self._refs.append(refs)
            self._marks.append((marks, dots))
            box = ax.get_position()
            for k, items in enumerate(rows):
                values, _ = self._value_row(fig, box.x0, box.y1 + 0.075 - 0.055 * k, items,
                                            fontsize=9)
                self._values.update(values)

    def _update(self) -> None:
        alpha, scale = self.alpha, float(self.value("scale"))
        r = self._r
        rho = self.rho(r)
        psi, weight = self.influence(r)
        c2 = scale**2
        three_c = np.array([-3.0 * scale, 3.0 * scale])
        rho_3c = self.rho(three_c)
        psi_3c, weight_3c = self.influence(three_c)
        sup, peak = barron_psi_sup(alpha, scale)

        self._curves[0].set_ydata(rho)
        self._curves[1].set_ydata(psi)
        self._curves[2].set_ydata(weight * c2)
        with np.errstate(divide="ignore"):
            refs = [(0.5 * (r / scale) ** 2, np.abs(r) / scale),
                    (r / c2, np.sign(r) / scale),
                    (np.ones_like(r), np.minimum(1.0, scale / np.abs(r)))]
        for (l2, l1), (l2_ref, l1_ref) in zip(refs, self._refs, strict=True):
            l2_ref.set_data(r, l2)
            l1_ref.set_data(r, l1)
        for ax, (marks, dots), values in zip(
            (self.ax_rho, self.ax_psi, self.ax_weight), self._marks,
            (rho_3c, psi_3c, weight_3c * c2), strict=True,
        ):
            low, high = ax.get_ylim()
            marks.set_data([three_c[0], three_c[0], np.nan, three_c[1], three_c[1]],
                           [low, high, np.nan, low, high])
            dots.set_data(three_c, values)

        case, kind = barron_case(alpha), barron_kind(alpha)
        alpha_shown: float | str = alpha if np.isfinite(alpha) else "−∞"
        self._header["alpha"].set_text(_alpha_text(alpha))
        self._header["scale"].set_text(f"{scale:.2f}")
        self._header["case"].set_text(case)
        self._header["kind"].set_text(kind)
        shown = {
            "rho_3c": float(rho_3c[1]), "rho_sup": barron_rho_sup(alpha),
            "psi_3c": float(psi_3c[1]), "psi_sup": sup, "psi_peak_r": peak,
            "weight_3c": float(weight_3c[1]), "weight_ratio_3c": float(weight_3c[1] * c2),
        }
        for key, value in shown.items():
            self._values[key].set_text(_fmt(value, 2 if key == "psi_peak_r" else 3))
        self._show(alpha=alpha_shown, scale=scale, case=case, kind=kind,
                   **{key: _finite_or_infinity(value) for key, value in shown.items()})


def _finite_or_infinity(value: float) -> float | str:
    """A float for numbers(), or "∞" (numbers() holds no inf)."""
    return float(value) if np.isfinite(value) else "∞"


def _alpha_text(alpha: float) -> str:
    """α for the figure: "−∞", a whole number, or one decimal, with a true minus sign."""
    if alpha == -np.inf:
        return "−∞"
    alpha += 0.0  # no "−0"
    text = f"{alpha:.0f}" if abs(alpha - round(alpha)) < 1e-9 else f"{alpha:.1f}"
    return text.replace("-", "−")


# ======================================================================================
# PinballExplorer
# ======================================================================================


class PinballExplorer(Demo):
    """Quantile regression: the pinball loss with τ fits a line with a fraction τ below it.

    Seeded data whose spread grows with x (:func:`lossviz.data.heteroscedastic_1d`).
    Left: the points, the line minimising the mean pinball loss ρ_τ (exact, see
    :class:`QuantileLines`) and, dashed, the true conditional τ-quantile; points below the
    line are filled. Right: the tilted-V shape of ρ_τ against r = ŷ − y, slope 1 − τ for
    over-prediction (r > 0) and −τ for under-prediction, with every point's residual as a
    tick underneath. The header prints the fraction of points below the line: at the
    optimum, raising the line costs (1 − τ) per point below and saves τ per point above,
    so the two pulls balance when about a fraction τ lies below.

    Args:
        tau: initial quantile τ (slider 0.05–0.95).
        n_points, seed: size and seed of the data (:func:`lossviz.data.heteroscedastic_1d`).
        figsize, dpi: figure size and resolution.

    Controls: ``tau`` (τ).
    Numbers: ``tau``, ``fraction_below``, ``n_below``, ``n_above``, ``n_on`` (points on
    the line), ``slope``, ``intercept``, ``mean_loss`` (mean ρ_τ), ``pull_below``
    ((1 − τ)·n_below) and ``pull_above`` (τ·n_above).

    Examples:
        >>> demo = PinballExplorer(tau=0.9)
        >>> shown = demo.numbers()
        >>> shown["n_below"], shown["n_on"], shown["fraction_below"]
        (89, 2, 0.89)
    """

    caption = (
        "Slide τ: the line climbs through the fan of points and the fraction below it "
        "follows τ, because the loss charges 1 − τ per unit of over-prediction and τ per "
        "unit of under-prediction. The dashed line is the true τ-quantile."
    )
    alt_text = (
        "Two panels. Left: 100 points along a rising line whose spread widens to the right, "
        "an orange fitted quantile line with the points below it filled, and a dashed grey "
        "true quantile line close to it. Right: the pinball loss, a tilted V over the "
        "residual r, with a tick under it for each point's residual. The header prints tau, "
        "the fraction of points below the line and the line's slope and intercept."
    )

    figsize = (10.0, 3.9)
    TAU_RANGE = (0.05, 0.95)
    R_MAX = 9.0

    def __init__(
        self,
        tau: float = 0.9,
        *,
        n_points: int = 100,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.data_params = {"slope": 0.6, "intercept": 1.0, "noise": 0.3, "noise_growth": 0.25}
        self.x, self.y = heteroscedastic_1d(n_points, seed=seed, **self.data_params)
        self.quantile_lines = QuantileLines(self.x, self.y)
        self.line = ExactLine(0.0, 0.0)
        self._init = {"tau": tau}
        super().__init__(figsize=figsize, dpi=dpi)

    def true_quantile_line(self, tau: float) -> ExactLine:
        """The conditional τ-quantile of the generator: a + noise·z_τ + (b + growth·z_τ)·x."""
        z, p = float(ndtri(tau)), self.data_params
        return ExactLine(p["slope"] + p["noise_growth"] * z, p["intercept"] + p["noise"] * z)

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "tau": widgets.FloatSlider(
                value=self._init["tau"], min=self.TAU_RANGE[0], max=self.TAU_RANGE[1],
                step=0.01, description="τ (quantile)", readout_format=".2f",
                style={"description_width": "initial"},
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.14, top=0.74, wspace=0.22)
        self.ax_data, self.ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
        self._header, _ = self._value_row(
            fig, 0.012, 0.935,
            [("tau", "τ =", "0.00"), ("fraction_below", "fraction below the line", "0.000"),
             ("n_below", "points below", "000"), ("n_on", "on it", "0"),
             ("slope", "slope", "−0.000"), ("intercept", "intercept", "−0.000"),
             ("mean_loss", r"mean $\rho_\tau$", "0.0000")],
            fontsize=10.5,
        )
        self._setup_data_panel(self.ax_data)
        self._setup_loss_panel(self.ax_loss)

    def _setup_data_panel(self, ax: Axes) -> None:
        color = color_for("pinball")
        x_line = np.array([self.x.min() - 0.3, self.x.max() + 0.3])
        self._x_line = x_line
        pad = 0.08 * np.ptp(self.y)
        ax.set(xlim=tuple(x_line), ylim=(self.y.min() - pad, self.y.max() + pad))
        ax.set_xlabel("x")
        ax.set_ylabel("y,  ŷ")
        (self._true_line,) = ax.plot([], [], color="#555555", lw=1.3, ls="--", zorder=2,
                                     label="true τ-quantile")
        (self._fit_line,) = ax.plot([], [], color=color, lw=2.4, zorder=2.5,
                                    label="pinball fit, τ")
        (self._below,) = ax.plot([], [], "o", color=ROLE_COLORS["data"], ms=4.5, zorder=3,
                                 label="below the line (y < ŷ)")
        (self._above,) = ax.plot([], [], "o", mfc="white", mec=ROLE_COLORS["data"], mew=1.0,
                                 ms=4.5, zorder=3, label="on or above it")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4, handlelength=1.6,
                  borderaxespad=0.2, columnspacing=1.0)
        self._animate(self._true_line, self._fit_line, self._below, self._above)

    def _setup_loss_panel(self, ax: Axes) -> None:
        self._r = np.array([-self.R_MAX, 0.0, self.R_MAX])  # ρ_τ is linear on each side
        # room above the steepest branch (0.95 · R_MAX) for the slopes note
        ax.set(xlim=(-self.R_MAX, self.R_MAX), ylim=(-0.9, 1.12 * self.R_MAX))
        ax.set_xlabel("r = ŷ − y")
        ax.set_ylabel(r"$\rho_\tau(r)$")
        ax.axhline(0.0, color="#555555", lw=0.8, zorder=0.9)
        ax.plot(self._r, 0.5 * np.abs(self._r), color=ROLE_COLORS["muted"], lw=1.0, ls="--", zorder=1,
                label="τ = 0.5 (MAE / 2)")
        (self._loss_curve,) = ax.plot([], [], color=color_for("pinball"), lw=2.4, zorder=2,
                                      label=r"$\rho_\tau(r)$")
        (self._rug,) = ax.plot([], [], color=ROLE_COLORS["data"], lw=0.8, zorder=2)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, handlelength=1.6,
                  borderaxespad=0.2)
        ax.text(0.5, 0.97, "slope −τ for r < 0 (ŷ < y),  1 − τ for r > 0 (ŷ > y)",
                transform=ax.transAxes, ha="center", va="top", fontsize=8.5)
        # the first-order condition: raising the line costs (1 − τ) per point below it
        # and saves τ per point above it; the two balance at the optimum
        box = ax.get_position()
        x_mid = (box.x0 + box.x1) / 2 - 0.1
        ax.text(0.5, 0.84, "pulls on the line, balanced at the optimum:", transform=ax.transAxes,
                ha="center", va="baseline", fontsize=8.5, color=ROLE_COLORS["muted"])
        self._pulls = {}
        for k, (key, label) in enumerate((("pull_below", "(1 − τ) · #below ="),
                                          ("pull_above", "τ · #above ="))):
            values, _ = self._value_row(self.figure, x_mid, box.y1 - 0.16 - 0.055 * k,
                                        [(key, label, "00.0")], fontsize=9)
            self._pulls.update(values)
        # one tick per residual, under the axis line: a polyline broken by NaNs
        self._rug_y = np.tile([-0.75, -0.2, np.nan], self.x.size)
        self._animate(self._loss_curve, self._rug)

    def _update(self) -> None:
        tau = float(self.value("tau"))
        self.line = line = self.quantile_lines.fit(tau)
        true = self.true_quantile_line(tau)
        r = line.residuals(self.x, self.y)  # r = ŷ − y: positive below the line
        below, above = r > 0, r < 0
        n_below, n_above = int(below.sum()), int(above.sum())
        n_on = self.x.size - n_below - n_above
        fraction = n_below / self.x.size
        mean_loss = float(losses.get("pinball")(self.y, line.predict(self.x), quantile=tau))
        pull_below, pull_above = (1.0 - tau) * n_below, tau * n_above

        self._fit_line.set_data(self._x_line, line.predict(self._x_line))
        self._true_line.set_data(self._x_line, true.predict(self._x_line))
        self._below.set_data(self.x[below], self.y[below])
        self._above.set_data(self.x[~below], self.y[~below])
        self._loss_curve.set_data(self._r, np.maximum((1.0 - tau) * self._r, -tau * self._r))
        self._rug.set_data(np.column_stack([r, r, np.full_like(r, np.nan)]).ravel(),
                           self._rug_y)
        self._header["tau"].set_text(f"{tau:.2f}")
        self._header["fraction_below"].set_text(f"{fraction:.3f}")
        self._header["n_below"].set_text(str(n_below))
        self._header["n_on"].set_text(str(n_on))
        self._header["slope"].set_text(_fmt(line.slope))
        self._header["intercept"].set_text(_fmt(line.intercept))
        self._header["mean_loss"].set_text(_fmt(mean_loss, 4))
        self._pulls["pull_below"].set_text(f"{pull_below:.1f}")
        self._pulls["pull_above"].set_text(f"{pull_above:.1f}")
        self._show(tau=tau, fraction_below=fraction, n_below=n_below, n_above=n_above,
                   n_on=n_on, slope=line.slope, intercept=line.intercept, mean_loss=mean_loss,
                   pull_below=pull_below, pull_above=pull_above)
