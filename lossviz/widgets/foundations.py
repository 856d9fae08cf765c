"""Chapter 00 demos: a loss curve and its tangent, learning rates, and loss vs metric.

- :class:`ParameterExplorer`: drag θ of the model ŷ = θ·x, see the residuals, the loss
  curve L(θ), its tangent (the gradient) and one gradient-descent step.
- :class:`LearningRateExplorer`: K steps of gradient descent on the MSE; the η slider
  sweeps convergence, oscillation and divergence.
- :class:`ThresholdExplorer`: a logistic model on the breast-cancer data; the decision
  threshold moves accuracy, precision, recall and F1, but not the log loss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from numpy.typing import NDArray
from scipy.special import expit

from .. import losses
from ..data import one_param_regression
from ..style import OKABE_ITO, ROLE_COLORS, color_for
from ._base import Demo

__all__ = [
    "LearningRateExplorer",
    "ParameterExplorer",
    "ThresholdExplorer",
    "one_parameter_data",
]

FloatArray = NDArray[np.float64]

#: Display names of the regression losses offered in the dropdowns.
LOSS_LABELS: Mapping[str, str] = {
    "mse": "MSE",
    "mae": "MAE",
    "huber": "Huber",
    "log_cosh": "log-cosh",
    "pinball": "pinball",
}

_LEGEND_BOX = {"frameon": True, "framealpha": 0.9, "edgecolor": "none"}
_BOX = {"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#BBBBBB", "alpha": 0.92}


def one_parameter_data(n: int = 12, seed: int = 0) -> tuple[FloatArray, FloatArray]:
    """Chapter 00's dataset for the model ŷ = θ·x (true slope 1.5, Gaussian noise 0.6).

    ``x`` is rescaled so that mean(x²) = 5: the MSE then has L''(θ) = 2·mean(x²) = 10,
    and the critical learning rates are the round numbers 1/L'' = 0.1 and 2/L'' = 0.2.
    The same call as ``lossviz.data.one_param_regression(12, noise=0.6, x_range=(0.3, 3.2),
    mean_x2=5.0)``, which the chapter's text uses.
    """
    return one_param_regression(n, theta=1.5, noise=0.6, x_range=(0.3, 3.2), mean_x2=5.0,
                                seed=seed)


def _available(names: Sequence[str]) -> list[str]:
    """The names among ``names`` that are registered (others are skipped, not errors)."""
    registered = set(losses.names())
    return [name for name in names if name in registered]


def _loss_curve(name: str, x: FloatArray, y: FloatArray, thetas: FloatArray) -> FloatArray:
    """L(θ) = mean_i ℓ(θ·x_i, y_i) for every θ in ``thetas``, from the loss registry."""
    per_example = losses.get(name)(
        np.broadcast_to(y, (thetas.size, y.size)).copy(),
        np.outer(thetas, x),
        reduction="none",
    )
    return np.mean(per_example, axis=1)


def _fmt(value: float, digits: int = 3) -> str:
    """A number for the figure: fixed-point when readable, else scientific."""
    if not np.isfinite(value):
        return "∞" if value > 0 else "−∞" if value < 0 else "undefined"
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 10 ** (-digits)):
        return f"{value:.2e}".replace("-", "−")
    return f"{value:.{digits}f}".replace("-", "−")


# ======================================================================================
# ParameterExplorer
# ======================================================================================


class ParameterExplorer(Demo):
    """Drag θ of the one-parameter model ŷ = θ·x: residuals, loss curve, tangent, one step.

    Left: the data, the line ŷ = θ·x, the residuals ŷ − y, and (dashed) the line after one
    gradient-descent step. Right: the loss curve L(θ) of the chosen loss, the current
    point, the tangent with slope dL/dθ = Σ_i (∂L/∂ŷ_i)·x_i (chain rule over the
    registry's gradient) and the step θ → θ − η·dL/dθ as an arrow.

    Args:
        theta: initial θ (slider from -1 to 4).
        eta: initial learning rate η (slider from 0 to 0.3).
        loss: initial loss name; the dropdown offers the registered ones of ``loss_names``.
        loss_names: the losses to offer (default MSE, MAE, Huber, log-cosh).
        n_points, seed: size and seed of the dataset (:func:`one_parameter_data`).
        figsize, dpi: figure size and resolution.

    Controls: ``theta`` (θ), ``eta`` (η), ``loss``.
    Numbers: ``theta``, ``loss`` (L(θ)), ``slope`` (dL/dθ), ``next_theta``, ``next_loss``.
    """

    caption = (
        "The tangent's slope is the gradient dL/dθ. Gradient descent steps against it: "
        "downhill, by η times the slope. Near the minimum the slope, and so the step, shrinks "
        "(for MSE; MAE's slope stays constant)."
    )
    alt_text = (
        "Two panels. Left: twelve data points, the line y-hat = theta times x and vertical "
        "residual segments. Right: the loss L as a function of theta, a U-shaped curve, with "
        "the current point, its tangent line and an arrow showing one gradient-descent step "
        "downhill; the loss, its slope and the next theta are printed."
    )

    THETA_RANGE = (-1.0, 4.0)
    TANGENT_HALF_WIDTH = 0.7
    LOSS_BAND = 0.7  # fraction of the loss axes below the readout; the curve stays in it

    def __init__(
        self,
        theta: float = 0.3,
        eta: float = 0.05,
        loss: str = "mse",
        *,
        loss_names: Sequence[str] = ("mse", "mae", "huber", "log_cosh"),
        n_points: int = 12,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.x, self.y = one_parameter_data(n_points, seed)
        self.loss_names = _available(loss_names) or ["mse"]
        if loss not in self.loss_names:
            raise ValueError(f"loss must be one of {self.loss_names}; got {loss!r}.")
        self._init = {"theta": theta, "eta": eta, "loss": loss}
        self._thetas = np.linspace(*self.THETA_RANGE, 301)
        self._curves: dict[str, FloatArray] = {}
        self._shown_loss: str | None = None
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def loss_at(self, theta: float, name: str | None = None) -> float:
        """L(θ) for the loss ``name`` (default: the selected one)."""
        return float(losses.get(name or self.value("loss"))(self.y, theta * self.x))

    def slope_at(self, theta: float, name: str | None = None) -> float:
        """dL/dθ = Σ_i (∂L/∂ŷ_i)·(∂ŷ_i/∂θ) = Σ_i grad_i·x_i (chain rule)."""
        grad = losses.get(name or self.value("loss")).grad(self.y, theta * self.x)
        return float(np.dot(grad, self.x))

    def _curve(self, name: str) -> FloatArray:
        if name not in self._curves:
            self._curves[name] = _loss_curve(name, self.x, self.y, self._thetas)
        return self._curves[name]

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        return {
            "theta": widgets.FloatSlider(
                value=self._init["theta"], min=self.THETA_RANGE[0], max=self.THETA_RANGE[1],
                step=0.01, description="θ", readout_format=".2f", style=style,
            ),
            "eta": widgets.FloatSlider(
                value=self._init["eta"], min=0.0, max=0.3, step=0.005,
                description="η (learning rate)", readout_format=".3f", style=style,
            ),
            "loss": widgets.Dropdown(
                options=[(LOSS_LABELS.get(n, n), n) for n in self.loss_names],
                value=self._init["loss"], description="loss", style=style,
                layout=widgets.Layout(width="180px"),
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.065, right=0.985, bottom=0.15, top=0.85, wspace=0.22)
        self.ax_data, self.ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.2]})
        self._setup_data_panel(self.ax_data)
        self._setup_loss_panel(self.ax_loss)

    def _setup_data_panel(self, ax: Axes) -> None:
        x_max = 1.08 * self.x.max()
        self._x_line = np.array([0.0, x_max])
        ax.set(xlim=(0, x_max), ylim=(min(0.0, self.y.min()) - 0.5, 1.25 * self.y.max()))
        ax.set_xlabel("x")
        ax.set_ylabel("y,  ŷ")
        (self._residuals,) = ax.plot([], [], color=ROLE_COLORS["residual"], lw=1.2,
                                     label="residual ŷ − y")
        (self._next_line,) = ax.plot([], [], color=ROLE_COLORS["step"], lw=1.4, ls="--",
                                     label="after one step (θ′)")
        (self._line,) = ax.plot([], [], color=ROLE_COLORS["model"], lw=2.2, label="ŷ = θ·x")
        (data,) = ax.plot(self.x, self.y, "o", color=ROLE_COLORS["data"], ms=5,
                          label="data (x, y)", zorder=3)
        # the legend sits above the axes, where no moving line can cross it
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, handlelength=1.6,
                  borderaxespad=0.2, columnspacing=1.2)
        # the data are redrawn too (12 markers, cheap), so they stay above the residuals
        self._animate(self._residuals, self._next_line, self._line, data)

    def _setup_loss_panel(self, ax: Axes) -> None:
        ax.set_xlim(*self.THETA_RANGE)
        ax.set_xlabel("θ")
        ax.set_ylabel("L(θ)")
        self._loss_title = ax.set_title(" ")  # text set per loss in _show_loss_curve
        (self._curve_line,) = ax.plot(self._thetas, np.zeros_like(self._thetas), lw=2.0)
        (self._tangent,) = ax.plot([], [], color=ROLE_COLORS["gradient"], lw=1.5, ls="--",
                                   label="tangent, slope dL/dθ")
        self._arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=14,
                                      color=ROLE_COLORS["step"], lw=1.6, shrinkA=3, shrinkB=3,
                                      zorder=4)
        ax.add_patch(self._arrow)
        (self._next_point,) = ax.plot([], [], "o", mfc="white", mec=ROLE_COLORS["step"],
                                      mew=1.6, ms=7, zorder=5)
        (self._point,) = ax.plot([], [], "o", color="#222222", ms=7, zorder=6)
        self._numbers_readout = self._readout(
            ax, 0.5, 0.97,
            "θ = {theta:<6}   L(θ) = {loss:<9}\n"
            "slope  dL/dθ = {slope:<9}\n"
            "θ′ = θ − η·dL/dθ = {next:<9}\n"
            "L(θ′) = {next_loss:<9} {change:<13}",
            transform=ax.transAxes, ha="center", va="top", ma="left", bbox=_BOX, zorder=7,
        )
        # the message belongs to the static layer: its text is part of _static_key
        self._message = ax.text(0.5, self.LOSS_BAND - 0.03, "", transform=ax.transAxes,
                                ha="center", va="top", color=ROLE_COLORS["warning"],
                                fontsize=9, zorder=7)
        # moving artists stay below the readout (a large step can leave through the top)
        for artist in (self._tangent, self._arrow, self._next_point):
            artist.set_clip_path(Rectangle((0, 0), 1, self.LOSS_BAND, transform=ax.transAxes))
        self._animate(self._tangent, self._arrow, self._next_point, self._point)

    def _update(self) -> None:
        name, theta, eta = self.value("loss"), float(self.value("theta")), float(self.value("eta"))
        if name != self._shown_loss:
            self._show_loss_curve(name)
        loss, slope = self.loss_at(theta), self.slope_at(theta)
        next_theta = theta - eta * slope
        next_loss = self.loss_at(next_theta)

        self._line.set_data(self._x_line, theta * self._x_line)
        self._next_line.set_data(self._x_line, next_theta * self._x_line)
        self._residuals.set_data(_segments(self.x, self.y, theta * self.x))

        half = self.TANGENT_HALF_WIDTH
        self._tangent.set_data([theta - half, theta + half],
                               [loss - half * slope, loss + half * slope])
        self._point.set_data([theta], [loss])
        self._next_point.set_data([next_theta], [next_loss])
        moves = abs(next_theta - theta) > 1e-9
        self._arrow.set_visible(moves)
        if moves:
            self._arrow.set_positions((theta, loss), (next_theta, next_loss))
        change = next_loss - loss
        self._numbers_readout.set(
            theta=_fmt(theta, 2), loss=_fmt(loss), slope=_fmt(slope), next=_fmt(next_theta),
            next_loss=_fmt(next_loss), change=f"({'down' if change < 0 else 'up'} "
            f"{_fmt(abs(change))})",
        )
        self._message.set_text(self._step_message(eta, slope, next_theta, next_loss, loss))
        self._show(theta=theta, loss=loss, slope=slope, next_theta=next_theta,
                   next_loss=next_loss)

    def _show_loss_curve(self, name: str) -> None:
        curve = self._curve(name)
        self._curve_line.set_ydata(curve)
        self._curve_line.set_color(color_for(name))
        self.ax_loss.set_ylim(0, curve.max() / (self.LOSS_BAND - 0.04))
        # reuse the title made at setup: it already carries the book's style
        self._loss_title.set_text(
            f"the {LOSS_LABELS.get(name, name)} loss curve L(θ) = mean ℓ(θ·xᵢ, yᵢ)"
        )
        self._shown_loss = name

    def _static_key(self) -> tuple[str, str]:
        return self._shown_loss or "", self._message.get_text()

    def _step_message(
        self, eta: float, slope: float, next_theta: float, next_loss: float, loss: float
    ) -> str:
        low, high = self.THETA_RANGE
        if eta == 0:
            return "η = 0: the step has length zero"
        if not low <= next_theta <= high:
            return "θ′ is off the plot: η is too large for this slope"
        if next_loss > loss:
            return "the step overshoots: the loss goes up — try a smaller η"
        if abs(slope) < 1e-6:
            return "dL/dθ ≈ 0: at the minimum, gradient descent stops"
        return ""


def _segments(x: FloatArray, y0: FloatArray, y1: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Vertical segments (x, y0)–(x, y1) as one polyline broken by NaNs (one cheap artist)."""
    nan = np.full_like(x, np.nan)
    return np.column_stack([x, x, nan]).ravel(), np.column_stack([y0, y1, nan]).ravel()


# ======================================================================================
# LearningRateExplorer
# ======================================================================================

#: Regimes of gradient descent on a quadratic, by η·L''.
REGIME_COLORS: Mapping[str, str] = {
    "converges": OKABE_ITO["bluish_green"],
    "oscillates but converges": OKABE_ITO["orange"],
    "diverges": OKABE_ITO["vermillion"],
}


def gd_regime(eta: float, curvature: float, *, rtol: float = 1e-9) -> str:
    """Name the behaviour of gradient descent θ ← θ − η·L'(θ) on a quadratic with L'' = curvature.

    The distance to the minimum is multiplied by (1 − η·L'') each step, so:
    η < 1/L'' "converges" (monotonically; exactly in one step at η = 1/L''),
    1/L'' < η < 2/L'' "oscillates but converges", η = 2/L'' "oscillates forever",
    η > 2/L'' "diverges".
    """
    q = eta * curvature
    if q <= 1 + rtol:
        return "converges"
    if q < 2 - rtol:
        return "oscillates but converges"
    if q <= 2 + rtol:
        return "oscillates forever"
    return "diverges"


class LearningRateExplorer(Demo):
    """Gradient descent from θ₀ for K steps on the MSE of ŷ = θ·x; η sets the regime.

    Left: the loss curve L(θ) with the path θ₀, θ₁, …, θ_K (zig-zagging across the
    valley when η > 1/L''). Right: the excess loss L(θ_k) − L(θ*) against the step k on a
    log scale, where a constant rate |1 − ηL''| is a straight line. The regime name
    ("converges", "oscillates but converges", "diverges") is printed, with 1/L'' and 2/L''.
    Diverging runs stop once |θ − θ*| exceeds ``clip`` and say so.

    Args:
        eta: initial learning rate η (slider 0.005–0.25; 1/L'' = 0.1, 2/L'' = 0.2).
        steps: initial number of steps K (slider 1–60).
        theta0: initial starting point θ₀ (slider −1 to 4).
        n_points, seed: the dataset (:func:`one_parameter_data`).
        clip: stop a diverging run when |θ − θ*| exceeds this.
        figsize, dpi: figure size and resolution.

    Controls: ``eta`` (η), ``steps`` (K), ``theta0`` (θ₀).
    Numbers: ``eta``, ``curvature`` (L''), ``eta_one_step`` (1/L''), ``eta_critical``
    (2/L''), ``rate`` (|1 − ηL''|), ``regime``, ``steps_run``, ``theta_final``,
    ``loss_final``, ``clipped`` (1 if the run was stopped).
    """

    caption = (
        "Below 1/L'' gradient descent creeps down one side of the valley; between 1/L'' and "
        "2/L'' it jumps across and back but still converges; above 2/L'' every jump is longer "
        "than the last. On the log scale a constant rate is a straight line."
    )
    alt_text = (
        "Two panels. Left: the U-shaped MSE loss curve L of theta with the zig-zag path of "
        "gradient descent from theta zero. Right: the excess loss against the step number on a "
        "logarithmic axis, a falling straight line when the run converges. The regime "
        "'oscillates but converges' and the critical learning rates are printed."
    )

    THETA_RANGE = (-1.5, 4.5)
    PATH_BAND = 0.74  # the path is drawn below this fraction of the axes height
    EXCESS_RANGE = (1e-12, 1e6)

    def __init__(
        self,
        eta: float = 0.15,
        steps: int = 20,
        theta0: float = -0.5,
        *,
        n_points: int = 12,
        seed: int = 0,
        clip: float = 1e8,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.x, self.y = one_parameter_data(n_points, seed)
        self.loss = losses.get("mse")
        self.curvature = 2.0 * float(np.mean(self.x**2))  # L''(θ) of the MSE, constant
        self.theta_star = float(np.dot(self.x, self.y) / np.dot(self.x, self.x))
        self.clip = clip
        self._init = {"eta": eta, "steps": steps, "theta0": theta0}
        self._thetas = np.linspace(*self.THETA_RANGE, 301)
        super().__init__(figsize=figsize, dpi=dpi)

    def path(self, eta: float, steps: int, theta0: float) -> tuple[FloatArray, bool]:
        """θ₀ … θ_K of gradient descent (stopped early, flag True, if it runs away)."""
        thetas = [theta0]
        theta = theta0
        for _ in range(steps):
            grad = float(np.dot(self.loss.grad(self.y, theta * self.x), self.x))
            theta = theta - eta * grad
            thetas.append(theta)
            if abs(theta - self.theta_star) > self.clip:
                return np.asarray(thetas), True
        return np.asarray(thetas), False

    def excess_loss(self, thetas: FloatArray) -> FloatArray:
        """L(θ) − L(θ*) = (L''/2)(θ − θ*)², exact for the MSE (no cancellation near θ*)."""
        return 0.5 * self.curvature * (thetas - self.theta_star) ** 2

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        return {
            "eta": widgets.FloatSlider(
                value=self._init["eta"], min=0.005, max=0.25, step=0.005,
                description="η (learning rate)", readout_format=".3f", style=style,
            ),
            "steps": widgets.IntSlider(
                value=self._init["steps"], min=1, max=60, description="K (steps)", style=style,
            ),
            "theta0": widgets.FloatSlider(
                value=self._init["theta0"], min=-1.0, max=4.0, step=0.05, description="θ₀",
                readout_format=".2f", style=style,
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.065, right=0.985, bottom=0.15, top=0.9, wspace=0.25)
        self.ax_path, self.ax_steps = fig.subplots(1, 2)
        self._setup_path_panel(self.ax_path)
        self._setup_steps_panel(self.ax_steps)

    def _setup_path_panel(self, ax: Axes) -> None:
        curve = _loss_curve("mse", self.x, self.y, self._thetas)
        ax.plot(self._thetas, curve, color=color_for("mse"), lw=2.0)
        ax.axvline(self.theta_star, color=ROLE_COLORS["optimum"], lw=0.9, ls=":")
        ax.text(self.theta_star, 0.5, " θ*", transform=ax.get_xaxis_transform(), fontsize=9)
        ax.set(xlim=self.THETA_RANGE, ylim=(0, 1.3 * curve.max()))
        ax.set_xlabel("θ")
        ax.set_ylabel("L(θ)  (MSE)")
        ax.set_title("gradient descent θ ← θ − η·dL/dθ")
        (self._path_line,) = ax.plot([], [], "-o", color=ROLE_COLORS["step"], lw=1.0, ms=3.5,
                                     zorder=4)
        (self._start,) = ax.plot([], [], "o", color="#222222", ms=7, zorder=5)
        self._start_label = ax.text(0, 0, " θ₀", fontsize=9, va="bottom", ha="left", zorder=5)
        c = self.curvature
        self._numbers_readout = self._readout(
            ax, 0.5, 0.97,
            f"η = {{eta:<5}}  (1/L″ = {1 / c:.3f},  2/L″ = {2 / c:.3f})\n"
            "each step: |θ − θ*| × |1 − η·L″| = × {rate:<4}\n"
            "after {steps:>2} steps:  θ = {theta:<9}\n"
            "              L(θ) = {loss:<9}",
            transform=ax.transAxes, ha="center", va="top", ma="left", bbox=_BOX, zorder=7,
        )
        # keep the path out of the readout's band (a diverging path leaves through the top)
        band = Rectangle((0, 0), 1, self.PATH_BAND, transform=ax.transAxes)
        self._path_line.set_clip_path(band)
        self._animate(self._path_line, self._start, self._start_label)

    def _setup_steps_panel(self, ax: Axes) -> None:
        ax.set_yscale("log")
        ax.set(xlim=(0, 60), ylim=self.EXCESS_RANGE)
        ax.set_xlabel("step k")
        ax.set_ylabel(r"$L(\theta_k) - L(\theta^*)$")
        # the title names the regime in its colour; static layer, keyed by _static_key
        self._regime = ax.set_title(" ", fontweight="bold", fontsize=10)
        (self._excess_line,) = ax.plot([], [], "-o", color=ROLE_COLORS["step"], lw=1.2, ms=3)
        self._animate(self._excess_line)

    def _update(self) -> None:
        eta, steps = float(self.value("eta")), int(self.value("steps"))
        theta0 = float(self.value("theta0"))
        thetas, clipped = self.path(eta, steps, theta0)
        with np.errstate(over="ignore", invalid="ignore"):
            path_losses = _loss_curve("mse", self.x, self.y, thetas)
            excess = np.maximum(self.excess_loss(thetas), 1e-300)  # 0 would vanish on log axes
        regime = gd_regime(eta, self.curvature)
        rate = abs(1.0 - eta * self.curvature)

        self._path_line.set_data(thetas, path_losses)
        self._start.set_data([theta0], [path_losses[0]])
        self._start_label.set_position((theta0, path_losses[0]))
        self._excess_line.set_data(np.arange(thetas.size), excess)
        self._regime.set_text(regime + self._regime_note(regime, clipped, thetas.size - 1))
        self._regime.set_color(REGIME_COLORS.get(regime, OKABE_ITO["orange"]))
        self._numbers_readout.set(eta=f"{eta:.3f}", rate=f"{rate:.2f}",
                                  steps=str(thetas.size - 1), theta=_fmt(thetas[-1]),
                                  loss=_fmt(path_losses[-1]))
        self._show(eta=eta, curvature=self.curvature, eta_one_step=1 / self.curvature,
                   eta_critical=2 / self.curvature, rate=rate, regime=regime,
                   steps_run=thetas.size - 1, theta_final=float(thetas[-1]),
                   loss_final=float(path_losses[-1]), clipped=int(clipped))

    def _static_key(self) -> str:
        return self._regime.get_text()

    def _regime_note(self, regime: str, clipped: bool, steps_run: int) -> str:
        """The regime's condition on η, and the clipping notice when a run was stopped."""
        condition = {
            "converges": " (η ≤ 1/L″)",
            "oscillates but converges": " (1/L″ < η < 2/L″)",
            "oscillates forever": " (η = 2/L″)",
            "diverges": " (η > 2/L″)",
        }[regime]
        if clipped:
            condition += f", stopped at step {steps_run}"
        return condition


# ======================================================================================
# ThresholdExplorer
# ======================================================================================


def confusion_counts(y_true: NDArray[Any], score: FloatArray, threshold: float) -> dict[str, int]:
    """TP, FP, FN, TN when the positive class is predicted for score ≥ threshold."""
    pred = score >= threshold
    pos = y_true == 1
    return {
        "tp": int(np.sum(pred & pos)),
        "fp": int(np.sum(pred & ~pos)),
        "fn": int(np.sum(~pred & pos)),
        "tn": int(np.sum(~pred & ~pos)),
    }


def classification_metrics(tp: int, fp: int, fn: int, tn: int) -> dict[str, float]:
    """Accuracy, precision, recall and F1 from counts (0 where undefined, as scikit-learn's
    ``zero_division=0``)."""
    total = tp + fp + fn + tn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"accuracy": (tp + tn) / total, "precision": precision, "recall": recall, "f1": f1}


def _log_loss_from_logits(y: FloatArray, logits: FloatArray) -> float:
    """The mean binary cross-entropy, via the registry when ``bce_with_logits`` exists."""
    if "bce_with_logits" in losses.names():
        return float(losses.get("bce_with_logits")(y, logits))
    # log(1 + e^z) − y·z, written with logaddexp so large |z| neither overflows nor cancels
    return float(np.mean(np.logaddexp(0.0, logits) - y * logits))


def confusion_grid(ax: Axes, labels: tuple[str, str] = ("benign", "malignant")) -> None:
    """The static part of a 2 × 2 confusion matrix (actual rows, predicted columns).

    Correct decisions are tinted green and errors vermillion; the demos put their moving
    counts on top. Shared by :class:`ThresholdExplorer` and the chapter-02 cost demo.
    """
    correct, error = "#D9F0E9", "#F8DDCC"
    ax.imshow(to_rgba_array([correct, error, error, correct]).reshape(2, 2, 4), aspect="auto")
    ax.set_xticks([0, 1], list(labels))
    ax.set_yticks([0, 1], list(labels), rotation=90, va="center")
    ax.tick_params(length=0)
    ax.grid(False)
    ax.axhline(0.5, color="white", lw=2)
    ax.axvline(0.5, color="white", lw=2)
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title("confusion matrix at t")


class ThresholdExplorer(Demo):
    """Loss vs metric: a decision threshold moves the metrics, never the log loss.

    A logistic regression (scikit-learn, fitted once, deterministic) predicts
    P(malignant) on scikit-learn's breast-cancer data from two features. Left: the
    predicted probabilities by true class with the threshold t. Middle: the confusion
    matrix at t. Right: accuracy, precision, recall and F1 as functions of t, with the
    current t marked, and the log loss: a flat line, because the loss sees probabilities,
    not decisions.

    Args:
        threshold: initial decision threshold t (slider 0–1).
        features: the breast-cancer features the model uses.
        bins: histogram bins.
        figsize, dpi: figure size and resolution.

    Controls: ``threshold`` (t).
    Numbers: ``threshold``, ``tp``, ``fp``, ``fn``, ``tn``, ``accuracy``, ``precision``,
    ``recall``, ``f1``, ``log_loss``.
    """

    caption = (
        "Moving the threshold trades recall for precision and changes accuracy and F1, "
        "yet the log loss stays put: the loss trains the model, the metric judges its decisions."
    )
    alt_text = (
        "Three panels. Left: histograms of the predicted probability of malignancy for benign "
        "and malignant tumours, with a vertical threshold line at 0.5. Middle: the 2 by 2 "
        "confusion matrix with counts. Right: accuracy, precision, recall and F1 as curves over "
        "the threshold, and the log loss as a flat horizontal line."
    )

    figsize = (10.0, 3.5)
    METRIC_COLORS: Mapping[str, str] = {
        "accuracy": "#222222",
        "precision": OKABE_ITO["sky_blue"],
        "recall": OKABE_ITO["orange"],
        "f1": OKABE_ITO["reddish_purple"],
    }
    METRIC_LABELS: Mapping[str, str] = {
        "accuracy": "accuracy", "precision": "precision", "recall": "recall", "f1": "F1",
    }

    def __init__(
        self,
        threshold: float = 0.5,
        *,
        features: Sequence[str] = ("mean radius", "mean texture"),
        bins: int = 25,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.features = tuple(features)
        self.y_true, self.logits = _fit_breast_cancer(self.features)
        self.probability = expit(self.logits)
        self.log_loss = _log_loss_from_logits(self.y_true.astype(float), self.logits)
        self.bins = bins
        self._init = {"threshold": threshold}
        super().__init__(figsize=figsize, dpi=dpi)

    def counts(self, threshold: float) -> dict[str, int]:
        """The confusion-matrix counts at ``threshold`` (positive = malignant)."""
        return confusion_counts(self.y_true, self.probability, threshold)

    def metrics(self, threshold: float) -> dict[str, float]:
        """Accuracy, precision, recall and F1 at ``threshold``."""
        return classification_metrics(**self.counts(threshold))

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "threshold": widgets.FloatSlider(
                value=self._init["threshold"], min=0.0, max=1.0, step=0.01,
                description="t (threshold)", readout_format=".2f",
                style={"description_width": "initial"},
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.15, top=0.8, wspace=0.38)
        self.ax_hist, self.ax_cm, self.ax_metrics = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.3, 0.75, 1.3]}
        )
        self._setup_histograms(self.ax_hist)
        self._setup_confusion(self.ax_cm)
        self._setup_metrics(self.ax_metrics)
        # one line of numbers; the log loss is static text, because it never changes
        self._headline, row_end = self._value_row(
            fig, 0.01, 0.94,
            [("t", "t =", "0.00"), ("accuracy", "accuracy", "0.000"),
             ("precision", "precision", "0.000"), ("recall", "recall", "0.000"),
             ("f1", "F1", "0.000")],
            fontsize=10,
        )
        # the log loss is static text, because it never changes
        fig.text(row_end, 0.94, f"log loss {self.log_loss:.4f}  (the same at every t)",
                 color=color_for("bce_with_logits"), va="baseline", fontsize=10)

    def _setup_histograms(self, ax: Axes) -> None:
        edges = np.linspace(0.0, 1.0, self.bins + 1)
        peak = 0
        for label, cls, role in (("benign", 0, "negative"), ("malignant", 1, "positive")):
            counts, _ = np.histogram(self.probability[self.y_true == cls], bins=edges)
            peak = max(peak, counts.max())
            ax.stairs(counts, edges, fill=True, alpha=0.35, color=ROLE_COLORS[role])
            ax.stairs(counts, edges, color=ROLE_COLORS[role], lw=1.4, label=f"{label} (y = {cls})")
        ax.set(xlim=(0, 1), ylim=(0, 1.3 * peak))
        ax.set_xlabel("predicted P(malignant)")
        ax.set_ylabel("number of tumours")
        ax.set_title("scores by true class")
        self._flagged = ax.axvspan(0.5, 1.0, color="#000000", alpha=0.07, lw=0,
                                   label="flagged malignant (score ≥ t)")
        ax.legend(loc="upper right", labelspacing=0.3, **_LEGEND_BOX)
        # the threshold line stops below the legend and carries its name at the top
        self._t_line = ax.axvline(0.5, ymax=0.64, color=ROLE_COLORS["threshold"], lw=1.6)
        self._t_name = ax.text(0.5, 0.65, "t", transform=ax.get_xaxis_transform(),
                               ha="center", va="bottom", fontsize=10)
        self._animate(self._flagged, self._t_line, self._t_name)

    def _setup_confusion(self, ax: Axes) -> None:
        confusion_grid(ax)
        names = (("TN\ncorrect", "FP\nfalse alarm"), ("FN\nmissed", "TP\ncorrect"))
        self._cm_counts = []
        for i in range(2):
            for j in range(2):
                ax.text(j, i - 0.18, names[i][j], ha="center", va="center", fontsize=8,
                        color="#444444")
                self._cm_counts.append(ax.text(j, i + 0.2, "", ha="center", va="center",
                                               fontsize=13))
        self._animate(*self._cm_counts)

    def _setup_metrics(self, ax: Axes) -> None:
        grid = np.linspace(0.0, 1.0, 201)
        table = [self.metrics(t) for t in grid]
        self._metric_markers = {}
        for key, color in self.METRIC_COLORS.items():
            ax.plot(grid, [row[key] for row in table], color=color, lw=1.6,
                    label=self.METRIC_LABELS[key])
            (self._metric_markers[key],) = ax.plot([], [], "o", color=color, ms=6, zorder=5)
        ax.axhline(self.log_loss, color=color_for("bce_with_logits"), lw=2.0, ls="--",
                   label="log loss")
        ax.set(xlim=(0, 1), ylim=(0, 1.05))
        ax.set_xlabel("threshold t")
        ax.set_ylabel("metric value,  log loss")
        ax.set_title("metrics move with t, the loss does not")
        ax.legend(loc="lower center", ncol=3, handlelength=1.4, columnspacing=1.0)
        self._metric_t_line = ax.axvline(0.5, color=ROLE_COLORS["threshold"], lw=1.0)
        self._animate(self._metric_t_line, *self._metric_markers.values())

    def _update(self) -> None:
        t = float(self.value("threshold"))
        counts = self.counts(t)
        metrics = classification_metrics(**counts)

        self._flagged.set_x(t)
        self._flagged.set_width(1.0 - t)
        self._t_line.set_xdata([t, t])
        self._t_name.set_x(t)
        self._update_confusion(counts)
        self._metric_t_line.set_xdata([t, t])
        for key, marker in self._metric_markers.items():
            marker.set_data([t], [metrics[key]])
        for key, value in {"t": t, **metrics}.items():
            self._headline[key].set_text(f"{value:.2f}" if key == "t" else f"{value:.3f}")
        self._show(threshold=t, **counts, **metrics, log_loss=self.log_loss)

    def _update_confusion(self, counts: Mapping[str, int]) -> None:
        for text, key in zip(self._cm_counts, ("tn", "fp", "fn", "tp"), strict=True):
            text.set_text(str(counts[key]))


def _fit_breast_cancer(features: Sequence[str]) -> tuple[NDArray[np.int_], FloatArray]:
    """Labels (1 = malignant) and the logits of a logistic regression fitted on ``features``.

    scikit-learn's lbfgs solver is deterministic; the data ship with scikit-learn.
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = load_breast_cancer()
    names = list(data.feature_names)
    unknown = [f for f in features if f not in names]
    if unknown:
        raise ValueError(f"features must be breast-cancer feature names; unknown: {unknown}.")
    X = data.data[:, [names.index(f) for f in features]]
    y = 1 - data.target  # scikit-learn codes malignant as 0; the positive class here is 1
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    return y, model.decision_function(X)
