"""Chapter 03 demo: the linked landscape of a two-parameter regression.

- :class:`LinkedLandscape`: the line ŷ = w·x + b fitted to 30 noisy points by gradient
  descent, momentum or Adam on the MSE, MAE or Huber loss. Left, the loss surface over
  (w, b) with the optimizer's path and the direction of −∇L at the current step; middle,
  the excess loss L(θ_k) − L* against the step k (log scale); right, the data with the
  current line. Moving the step slider walks along a precomputed path.

Every loss value shown comes from :mod:`lossviz.losses`; the paths come from
:func:`lossviz.optimization.run_optimizer` with :mod:`lossviz.train`'s update rules, and
L* from :func:`lossviz.robust.fit_line` (exact for the MSE and the MAE).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from numpy.typing import NDArray

from .. import losses
from ..data import linear_1d
from ..optimization import OPTIMIZERS, make_optimizer, run_optimizer
from ..robust import fit_line
from ..style import OKABE_ITO, ROLE_COLORS, color_for
from ._base import Demo
from .foundations import LOSS_LABELS, _fmt

__all__ = ["OPTIMIZER_LABELS", "LandscapeRun", "LinkedLandscape", "landscape_data"]

FloatArray = NDArray[np.float64]

#: Display names of the optimizers in the dropdown.
OPTIMIZER_LABELS: Mapping[str, str] = {
    "gd": "gradient descent",
    "momentum": "momentum (heavy ball)",
    "adam": "Adam",
}

_BOX = {"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#BBBBBB", "alpha": 0.92}


def landscape_data(n: int = 30, *, seed: int = 0) -> tuple[FloatArray, FloatArray]:
    """The data of :class:`LinkedLandscape`: y = 2x + 1 + ε, x uniform on [0, 5], ε ~ N(0, 1).

    ``lossviz.data.linear_1d(n, seed=seed)``. The inputs are not centred (mean x ≈ 2.5),
    so slope and intercept are coupled: with the defaults the MSE's Hessian
    2·mean([x, 1]ᵀ[x, 1]) has eigenvalues 0.482 and 20.81 (κ ≈ 43) and gradient descent is
    stable for η < 2/L ≈ 0.096.
    """
    return linear_1d(n, slope=2.0, intercept=1.0, noise=1.0, seed=seed)


def _fast_loss_and_grad(name: str, x: FloatArray, y: FloatArray, delta: float
                        ) -> tuple[Callable[[FloatArray], float], Callable[[FloatArray], FloatArray]]:
    """L(θ) and ∇L(θ) for θ = (w, b), with the formulas of the registry's losses.

    The registry validates its input on every call; a path of a few hundred steps calls
    these instead (the tests check that they agree with :mod:`lossviz.losses` to 1e-12).
    """
    n = x.size

    def residual(theta: FloatArray) -> FloatArray:
        return theta[0] * x + theta[1] - y

    if name == "mse":
        def value(theta: FloatArray) -> float:
            r = residual(theta)
            return float(r @ r / n)

        def psi(r: FloatArray) -> FloatArray:
            return 2.0 * r
    elif name == "mae":
        def value(theta: FloatArray) -> float:
            return float(np.abs(residual(theta)).sum() / n)

        psi = np.sign
    else:  # huber: ½r² inside ±δ, δ(|r| − ½δ) outside
        def value(theta: FloatArray) -> float:
            a = np.abs(residual(theta))
            return float(np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta)).sum() / n)

        def psi(r: FloatArray) -> FloatArray:
            return np.clip(r, -delta, delta)

    def grad(theta: FloatArray) -> FloatArray:
        p = psi(residual(theta))  # dℓ/dŷ per example; the chain rule gives x and 1
        return np.array([p @ x, p.sum()]) / n

    return value, grad


@dataclass(frozen=True, eq=False)
class LandscapeRun:
    """One precomputed path of :class:`LinkedLandscape`.

    Attributes:
        path: θ_0 … θ_K as rows (w, b), shape ``(K + 1, 2)``.
        losses: L(θ_k) from :mod:`lossviz.losses`, shape ``(K + 1,)``.
        excess: L(θ_k) − L*, floored at 1e-16 (log axis), shape ``(K + 1,)``.
        grads: ∇L(θ_k), shape ``(K + 1, 2)``.
        steps_to_tol: the first k with L(θ_k) − L* <= tol, or ``None``.
        diverged: whether the run blew up and stopped early; ``message`` says when.
    """

    path: FloatArray
    losses: FloatArray
    excess: FloatArray
    grads: FloatArray
    steps_to_tol: int | None
    diverged: bool
    message: str

    @property
    def steps_run(self) -> int:
        return self.path.shape[0] - 1


def _short(value: float) -> str:
    """At most 9 characters: fixed-point below 1000, scientific above."""
    if abs(value) < 1000:
        return f"{value:.3f}".replace("-", "−")
    return f"{value:.2e}".replace("-", "−")


class LinkedLandscape(Demo):
    """Loss contours with the optimizer's path, the loss curve and the fitted line, linked.

    The model ŷ = w·x + b on :func:`landscape_data` (30 points), trained from
    θ₀ = (w, b) = ``theta0`` by gradient descent, heavy-ball momentum or Adam
    (:mod:`lossviz.train`'s update rules, via :func:`lossviz.optimization.run_optimizer`)
    on the mean MSE, MAE or Huber loss (δ = 1) of :mod:`lossviz.losses`.

    Left: contours of L(w, b), the minimiser θ* (✕), the whole path (faint), the path up
    to step k and an arrow along −∇L(θ_k) (fixed length: the direction of steepest
    descent; its size is printed). Middle: the excess loss L(θ_k) − L* on a log scale with
    the tolerance 10⁻⁶; a straight line is linear convergence. Right: the data, the best
    line for the loss (dashed) and the line at step k. A run whose loss blows up stops and
    says so (for the MSE, gradient descent diverges for η > 2/L ≈ 0.096). Paths are
    computed once per (loss, optimizer, η, β) and cached, so moving k is cheap.

    Args:
        loss: ``"mse"``, ``"mae"`` or ``"huber"``.
        optimizer: ``"gd"``, ``"momentum"`` or ``"adam"``.
        log_lr: log₁₀ η (slider −3 to 0).
        momentum: β of momentum, Adam's β₁ (slider 0–0.99; unused by gradient descent).
        step: the step k shown (slider 0 to ``max_steps``).
        max_steps: K, the length of every run.
        theta0: the start (w, b).
        n, seed: the data (:func:`landscape_data`).
        figsize, dpi: figure size and resolution.

    Controls: ``loss``, ``optimizer``, ``log_lr`` (log₁₀ η), ``momentum`` (β), ``step`` (k).
    Numbers: ``loss_name``, ``optimizer``, ``lr``, ``momentum``, ``step`` (k shown, at
    most the steps run), ``w``, ``b``, ``loss`` (L(θ_k), from the registry), ``excess``
    (L(θ_k) − L*), ``grad_norm`` (‖∇L(θ_k)‖), ``loss_min`` (L*), ``steps_run``,
    ``steps_to_tol`` (int, or ``"not reached"``), ``diverged`` (0/1).
    """

    caption = (
        "The contours are long thin ellipses because slope and intercept are coupled (the "
        "inputs are not centred): gradient descent zig-zags across the valley and crawls "
        "along it, momentum builds up speed along it, Adam rescales each coordinate. Push η "
        "past 2/L with the MSE and the path flies off; with the MAE the constant-size "
        "subgradient makes the path chatter around θ*."
    )
    alt_text = (
        "Three linked panels. Left: elongated elliptical contours of the loss over slope w "
        "and intercept b, with the minimiser marked by a cross, an optimizer's path spiralling "
        "in towards it from the upper left, and a short arrow at the current point along "
        "the negative gradient. Middle: the excess loss against the step number on a "
        "logarithmic axis, falling towards a dashed tolerance line, with the current step "
        "marked. Right: thirty data points, the best-fit line dashed and the current "
        "fitted line."
    )

    figsize = (11.0, 4.0)
    LOSS_NAMES: Sequence[str] = ("mse", "mae", "huber")
    LOG_LR_RANGE = (-3.0, 0.0)
    LOG_LR_STEP = 0.05
    W_RANGE = (-1.5, 4.5)
    B_RANGE = (-3.5, 6.5)
    EXCESS_RANGE = (1e-9, 1e3)
    TOL = 1e-6
    DELTA = 1.0  # Huber's δ (the registry's default)
    ARROW_PIXELS = 38.0
    max_cached_runs = 256

    def __init__(
        self,
        loss: str = "mse",
        optimizer: str = "momentum",
        log_lr: float = -1.5,
        momentum: float = 0.9,
        step: int = 25,
        *,
        max_steps: int = 200,
        theta0: tuple[float, float] = (-0.5, 5.5),
        n: int = 30,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.loss_names = [name for name in self.LOSS_NAMES if name in losses.names()]
        if loss not in self.loss_names:
            raise ValueError(f"loss must be one of {self.loss_names}; got {loss!r}.")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}; got {optimizer!r}.")
        self.x, self.y = landscape_data(n, seed=seed)
        self.max_steps = int(max_steps)
        self.theta0 = np.array(theta0, dtype=np.float64)
        design = np.column_stack([self.x, np.ones_like(self.x)])
        eigenvalues = np.linalg.eigvalsh(2.0 * design.T @ design / self.x.size)
        #: The smoothness L of each smooth loss, the largest eigenvalue of its Hessian
        #: (an upper bound for Huber).
        self.smoothness = {"mse": float(eigenvalues[-1]), "huber": float(eigenvalues[-1]) / 2}
        self.condition_number = float(eigenvalues[-1] / eigenvalues[0])
        self.best = {}
        for name in self.loss_names:
            fit = fit_line(self.x, self.y, name, delta=self.DELTA)
            self.best[name] = (np.array([fit.coef[0], fit.intercept]), fit.objective)
        self._fns = {name: _fast_loss_and_grad(name, self.x, self.y, self.DELTA)
                     for name in self.loss_names}
        self._runs: OrderedDict[tuple[str, str, float, float], LandscapeRun] = OrderedDict()
        self._init = {"loss": loss, "optimizer": optimizer, "log_lr": log_lr,
                      "momentum": momentum, "step": step}
        self._shown_loss: str | None = None
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def loss_at(self, theta: FloatArray, name: str | None = None) -> float:
        """L(w, b) = mean ℓ(w·xᵢ + b, yᵢ) from :mod:`lossviz.losses`."""
        name = name or self.value("loss")
        params = {"delta": self.DELTA} if name == "huber" else {}
        return float(losses.get(name)(self.y, theta[0] * self.x + theta[1], **params))

    def grad_at(self, theta: FloatArray, name: str | None = None) -> FloatArray:
        """∇L(w, b) = (Σᵢ gᵢ·xᵢ, Σᵢ gᵢ) with gᵢ = ∂L/∂ŷᵢ from :mod:`lossviz.losses`."""
        name = name or self.value("loss")
        params = {"delta": self.DELTA} if name == "huber" else {}
        g = losses.get(name).grad(self.y, theta[0] * self.x + theta[1], **params)
        return np.array([g @ self.x, g.sum()])

    def run(self, loss: str, optimizer: str, lr: float, momentum: float) -> LandscapeRun:
        """The path for these settings (computed once, then cached)."""
        key = (loss, optimizer, float(lr), float(momentum))
        cached = self._runs.get(key)
        if cached is not None:
            self._runs.move_to_end(key)
            return cached
        value, grad = self._fns[loss]
        start = value(self.theta0)
        result = run_optimizer(grad, self.theta0, make_optimizer(optimizer, lr, momentum=momentum),
                               self.max_steps, loss_fn=value, blow_up=1e6 * max(start, 1.0))
        path = result.path
        preds = np.outer(path[:, 0], self.x) + path[:, 1:2]
        params = {"delta": self.DELTA} if loss == "huber" else {}
        fn = losses.get(loss)
        target = np.broadcast_to(self.y, preds.shape)
        path_losses = fn(target, preds, reduction="none", **params).mean(axis=1)
        per_example = fn.grad(target, preds, reduction="none", **params) / self.x.size
        grads = np.column_stack([per_example @ self.x, per_example.sum(axis=1)])
        excess = path_losses - self.best[loss][1]
        hit = np.flatnonzero(excess <= self.TOL)
        run = LandscapeRun(path=path, losses=path_losses, excess=np.maximum(excess, 1e-16),
                           grads=grads, steps_to_tol=int(hit[0]) if hit.size else None,
                           diverged=result.diverged, message=result.message)
        self._runs[key] = run
        if len(self._runs) > self.max_cached_runs:
            self._runs.popitem(last=False)
        return run

    def current_run(self) -> LandscapeRun:
        """The path for the current control values."""
        return self.run(self.value("loss"), self.value("optimizer"),
                        10.0 ** float(self.value("log_lr")), float(self.value("momentum")))

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        low, high = self.LOG_LR_RANGE
        return {
            "loss": widgets.Dropdown(
                options=[(LOSS_LABELS.get(n, n), n) for n in self.loss_names],
                value=self._init["loss"], description="loss", style=style,
                layout=widgets.Layout(width="150px"),
            ),
            "optimizer": widgets.Dropdown(
                options=[(OPTIMIZER_LABELS[n], n) for n in OPTIMIZERS],
                value=self._init["optimizer"], description="optimizer", style=style,
                layout=widgets.Layout(width="270px"),
            ),
            "log_lr": widgets.FloatSlider(
                value=self._init["log_lr"], min=low, max=high, step=self.LOG_LR_STEP,
                description="log₁₀ η", readout_format=".2f", style=style,
            ),
            "momentum": widgets.FloatSlider(
                value=self._init["momentum"], min=0.0, max=0.99, step=0.01,
                description="β (momentum, Adam's β₁)", readout_format=".2f", style=style,
            ),
            "step": widgets.IntSlider(
                value=self._init["step"], min=0, max=self.max_steps, description="step k",
                style=style,
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.055, right=0.99, bottom=0.13, top=0.8, wspace=0.3)
        self.ax_land, self.ax_curve, self.ax_data = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.15, 1.0, 1.0]})
        self._shown_loss = None  # fresh artists: the per-loss layer must be set again
        self._setup_landscape(self.ax_land)
        self._setup_curve(self.ax_curve)
        self._setup_data(self.ax_data)
        self._headline, _ = self._value_row(
            fig, 0.01, 0.93,
            [("k", "step k", "200"), ("w", "w", "−0.00e+00"), ("b", "b", "−0.00e+00"),
             ("loss", "L(θ)", "0.00e+00"), ("grad", "‖∇L‖", "0.00e+00"),
             ("lr", "η", "0.0000"), ("beta", "β", "0.00")],
            fontsize=10,
        )

    def _setup_landscape(self, ax: Axes) -> None:
        w = np.linspace(*self.W_RANGE, 121)
        b = np.linspace(*self.B_RANGE, 121)
        W, B = np.meshgrid(w, b)
        preds = W[..., None] * self.x + B[..., None]
        target = np.broadcast_to(self.y, preds.shape)
        self._contours = {}
        self._minimizers = {}
        for name in self.loss_names:
            params = {"delta": self.DELTA} if name == "huber" else {}
            L = losses.get(name)(target, preds, reduction="none", **params).mean(axis=-1)
            theta_star, loss_min = self.best[name]
            excess = L - loss_min
            levels = loss_min + np.geomspace(0.01, 0.8, 9) * excess.max()
            self._contours[name] = ax.contour(W, B, L, levels=levels, colors=color_for(name),
                                              linewidths=0.8, alpha=0.75)
            (self._minimizers[name],) = ax.plot(*theta_star, "x", color="#222222", ms=8,
                                                mew=2, zorder=4)
        ax.plot(*self.theta0, "o", mfc="white", mec="#222222", ms=6, zorder=4)
        ax.annotate("θ₀", self.theta0, xytext=(5, 3), textcoords="offset points", fontsize=9)
        ax.set(xlim=self.W_RANGE, ylim=self.B_RANGE)
        ax.set_xlabel("slope w")
        ax.set_ylabel("intercept b")
        self._land_title = ax.set_title(" ")
        step_color = ROLE_COLORS["step"]
        (self._path_all,) = ax.plot([], [], "-", color=step_color, lw=0.8, alpha=0.35, zorder=5)
        (self._path_done,) = ax.plot([], [], "-o", color=step_color, lw=1.3, ms=2.5, zorder=6)
        self._arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=13,
                                      color=ROLE_COLORS["gradient"], lw=1.6, zorder=7)
        ax.add_patch(self._arrow)
        (self._point,) = ax.plot([], [], "o", color="#222222", ms=6.5, zorder=8)
        self._message = ax.text(0.5, 0.04, "", transform=ax.transAxes, ha="center",
                                va="bottom", fontsize=8.5, color=ROLE_COLORS["warning"],
                                bbox=_BOX, zorder=9)
        self._animate(self._path_all, self._path_done, self._arrow, self._point, self._message)

    def _setup_curve(self, ax: Axes) -> None:
        ax.set_yscale("log")
        ax.set(xlim=(0, self.max_steps), ylim=self.EXCESS_RANGE)
        ax.set_xlabel("step k")
        ax.set_ylabel("L(θ_k) − L*")
        ax.set_title("excess loss (log scale)")
        ax.axhline(self.TOL, color=ROLE_COLORS["muted"], lw=1.0, ls="--")
        ax.text(2, self.TOL, " tolerance 10⁻⁶", ha="left", va="bottom", fontsize=8,
                color=ROLE_COLORS["muted"])
        self._limit_text = ax.text(0.98, 0.97, "", transform=ax.transAxes, ha="right",
                                   va="top", fontsize=8, color="#444444")
        (self._curve_line,) = ax.plot([], [], color=ROLE_COLORS["step"], lw=1.4)
        (self._curve_point,) = ax.plot([], [], "o", color="#222222", ms=5.5, zorder=5)
        self._status = ax.text(0.03, 0.03, "", transform=ax.transAxes, ha="left",
                               va="bottom", fontsize=8.5, bbox=_BOX, zorder=6)
        self._animate(self._curve_line, self._curve_point, self._status)

    def _setup_data(self, ax: Axes) -> None:
        x_max = 5.2
        self._x_line = np.array([-0.2, x_max])
        ax.plot(self.x, self.y, "o", color=ROLE_COLORS["data"], ms=4, zorder=3)
        self._best_lines = {
            name: ax.plot(self._x_line, theta[0] * self._x_line + theta[1], ls="--", lw=1.2,
                          color=ROLE_COLORS["optimum"])[0]
            for name, (theta, _) in self.best.items()
        }
        pad = 0.15 * np.ptp(self.y)
        ax.set(xlim=(self._x_line[0], x_max), ylim=(self.y.min() - pad, self.y.max() + pad))
        ax.set_xlabel("x")
        ax.set_ylabel("y,  ŷ = w·x + b")
        ax.set_title("the data and the line at step k")
        (self._fit_line,) = ax.plot([], [], color=ROLE_COLORS["step"], lw=2.0, zorder=4)
        ax.legend([self._fit_line, next(iter(self._best_lines.values()))],
                  ["line at step k", "best line (θ*)"], loc="upper left")
        self._animate(self._fit_line)

    def _show_loss(self, name: str) -> None:
        for key in self.loss_names:
            self._contours[key].set_visible(key == name)
            self._minimizers[key].set_visible(key == name)
            self._best_lines[key].set_visible(key == name)
        self._land_title.set_text(f"{LOSS_LABELS.get(name, name)} loss L(w, b), θ* = ✕")
        if name in self.smoothness:
            limit = 2.0 / self.smoothness[name]
            self._limit_text.set_text(f"GD stable for η < 2/L = {limit:.3f}\n"
                                      f"(κ = {self.condition_number:.0f} for the MSE)")
        else:
            self._limit_text.set_text("MAE: not smooth, no L;\nsteps never shrink by themselves")
        self._shown_loss = name

    def _static_key(self) -> str:
        return self._shown_loss or ""

    def _update(self) -> None:
        name, optimizer = self.value("loss"), self.value("optimizer")
        if name != self._shown_loss:
            self._show_loss(name)
        log_lr, beta = float(self.value("log_lr")), float(self.value("momentum"))
        lr = 10.0**log_lr
        run = self.run(name, optimizer, lr, beta)
        k = min(int(self.value("step")), run.steps_run)
        theta = run.path[k]
        loss = self.loss_at(theta, name)
        grad = run.grads[k]
        grad_norm = float(np.hypot(*grad))
        loss_min = self.best[name][1]

        self._path_all.set_data(run.path[:, 0], run.path[:, 1])
        self._path_done.set_data(run.path[: k + 1, 0], run.path[: k + 1, 1])
        self._point.set_data([theta[0]], [theta[1]])
        self._set_arrow(theta, grad)
        steps = np.arange(run.steps_run + 1)
        self._curve_line.set_data(steps, run.excess)
        self._curve_point.set_data([k], [run.excess[k]])
        self._fit_line.set_data(self._x_line, theta[0] * self._x_line + theta[1])
        self._set_messages(run, lr)
        values = {"k": str(k), "w": _short(theta[0]), "b": _short(theta[1]),
                  "loss": _short(loss), "grad": _short(grad_norm), "lr": _fmt(lr, 4),
                  "beta": f"{beta:.2f}"}
        for key, text in values.items():
            self._headline[key].set_text(text)
        self._show(loss_name=name, optimizer=optimizer, lr=lr, momentum=beta, step=k,
                   w=float(theta[0]), b=float(theta[1]), loss=loss, excess=loss - loss_min,
                   grad_norm=grad_norm, loss_min=loss_min, steps_run=run.steps_run,
                   steps_to_tol=("not reached" if run.steps_to_tol is None
                                 else run.steps_to_tol),
                   diverged=int(run.diverged))

    def _set_arrow(self, theta: FloatArray, grad: FloatArray) -> None:
        """An arrow of fixed screen length from θ along −∇L (perpendicular to the contour
        on screen only if the axes had equal scales; the direction is exact)."""
        norm = float(np.hypot(*grad))
        visible = norm > 1e-12 and bool(np.all(np.abs(theta) < 1e6))
        self._arrow.set_visible(visible)
        if not visible:
            return
        to_screen = self.ax_land.transData
        start = to_screen.transform(theta)
        ahead = to_screen.transform(theta - grad / norm * 1e-3) - start
        length = float(np.hypot(*ahead))
        end = start + ahead / length * self.ARROW_PIXELS * self.figure.dpi / 100
        self._arrow.set_positions(tuple(theta), tuple(to_screen.inverted().transform(end)))

    def _set_messages(self, run: LandscapeRun, lr: float) -> None:
        if run.diverged:
            self._message.set_text(f"diverged at step {run.steps_run + 1}: the loss blew up "
                                   "— lower η")
            self._message.set_visible(True)
        else:
            self._message.set_visible(False)
        if run.steps_to_tol is not None:
            self._status.set_text(f"L − L* ≤ 10⁻⁶ at step {run.steps_to_tol}")
            self._status.set_color(OKABE_ITO["bluish_green"])
        elif run.diverged:
            self._status.set_text(f"diverged after {run.steps_run} steps")
            self._status.set_color(ROLE_COLORS["warning"])
        else:
            self._status.set_text(f"not within 10⁻⁶ in {run.steps_run} steps")
            self._status.set_color("#444444")
