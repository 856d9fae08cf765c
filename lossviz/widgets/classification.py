"""Chapter 02 demos: margin losses, who pushes a decision boundary, and costly mistakes.

- :class:`MarginLossAtlas`: the 0-1 loss and its surrogates (logistic, hinge, squared
  hinge, exponential, focal) against the margin m = y·f, with their derivatives dℓ/dm;
  sliders for the focal γ, label smoothing ε, the temperature T and a margin m₀.
- :class:`WhoPushesTheBoundary`: logistic, hinge and focal linear models trained on the
  same imbalanced 2-D data; each point's marker area is its gradient |∂ℓ/∂f|, so the
  picture shows which points move the boundary.
- :class:`CostThresholdExplorer`: a logistic model on the breast-cancer data; a missed
  malignant tumour costs ``cost_fn`` false alarms, and the threshold that minimises the
  expected cost moves to 1/(1 + cost_fn).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from matplotlib.text import Text
from numpy.typing import NDArray
from scipy.special import expit

from .. import losses
from ..data import imbalanced_blobs, load_breast_cancer
from ..style import OKABE_ITO, ROLE_COLORS, color_for
from ._base import Demo, Readout
from .foundations import classification_metrics, confusion_counts, confusion_grid

__all__ = [
    "BOUNDARY_MODELS",
    "MARGIN_LOSS_LABELS",
    "CostThresholdExplorer",
    "MarginLossAtlas",
    "WhoPushesTheBoundary",
    "bayes_threshold",
    "fit_linear_classifier",
    "margin_losses",
    "push_count",
    "smoothed_minimiser",
]

FloatArray = NDArray[np.float64]
ArrayLikeFloat = float | Sequence[float] | FloatArray

LN2 = float(np.log(2.0))

# ======================================================================================
# MarginLossAtlas
# ======================================================================================

#: The losses of the atlas, in drawing order, with the names shown on the figure.
MARGIN_LOSS_LABELS: Mapping[str, str] = {
    "zero_one": "0-1  [m ≤ 0]",
    "logistic": "logistic (bits)",
    "logistic_smoothed": "logistic, smoothed ε",
    "hinge": "hinge",
    "squared_hinge": "squared hinge",
    "exponential": "exponential",
    "focal": "focal γ (bits)",
}

#: The colour of each atlas curve: the registry name whose colour it takes.
_MARGIN_COLOR_OF: Mapping[str, str] = {
    "zero_one": "zero_one",
    "logistic": "bce_with_logits",
    "logistic_smoothed": "bce_with_logits",
    "hinge": "hinge",
    "squared_hinge": "squared_hinge",
    "exponential": "exponential",
    "focal": "focal",
}


def margin_losses(
    m: ArrayLikeFloat,
    *,
    gamma: float = 2.0,
    label_smoothing: float = 0.0,
    temperature: float = 1.0,
) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Each atlas loss and its derivative dℓ/dm at the margins ``m``, for a positive example.

    A positive example (y = +1) with score f has margin m = f; the temperature divides the
    score first, so every loss is evaluated at z = m/T and dℓ/dm = ℓ'(z)/T. The values come
    from the loss registry (labels 1, ``reduction="none"``):

    - ``zero_one``: [m ≤ 0] (a tie counts as an error); derivative 0 wherever it exists.
    - ``logistic``: ``bce_with_logits`` / log 2, i.e. log₂(1 + e^(−z)) in **bits**, so that
      it passes through (0, 1) like hinge and exponential and bounds the 0-1 loss above.
    - ``logistic_smoothed``: ``softmax_cross_entropy`` on the two logits (0, z) with
      ``label_smoothing=ε`` (target 1 − ε/2 for the true class), in bits; its minimum
      is at z = log((1 − ε/2)/(ε/2)).
    - ``hinge``, ``squared_hinge``: the registered losses, max(0, 1 − z) and its square.
    - ``exponential``: e^(−z) (the registered ``exponential`` when it exists, else numpy
      with the exponent clipped at 700 so it never overflows).
    - ``focal``: ``focal`` with ``alpha=None`` (no class weighting) and ``gamma``, in bits;
      with γ = 0 it equals ``logistic``.

    Args:
        m: margins (any shape).
        gamma: focal γ ≥ 0.
        label_smoothing: ε in [0, 1].
        temperature: T > 0.

    Returns:
        name -> (ℓ(m), dℓ/dm), arrays of the shape of ``m``.

    Examples:
        >>> out = margin_losses([0.0, 1.0])
        >>> np.round(out["logistic"][0], 4).tolist()      # log₂(1 + e^(−m)): 1 bit at m = 0
        [1.0, 0.4519]
        >>> out["hinge"][0].tolist(), out["hinge"][1].tolist()
        ([1.0, 0.0], [-1.0, 0.0])
    """
    m = np.asarray(m, dtype=np.float64)
    shape = m.shape
    m = m.ravel()
    t = float(temperature)
    z = m / t
    ones = np.ones_like(z)
    out: dict[str, tuple[FloatArray, FloatArray]] = {
        "zero_one": ((m <= 0).astype(np.float64), np.zeros_like(m)),
    }
    bce = losses.get("bce_with_logits")
    out["logistic"] = (
        bce(ones, z, reduction="none") / LN2,
        bce.grad(ones, z, reduction="none") / (t * LN2),
    )
    # two-class softmax on the logits (0, z): softmax(...)[1] = σ(z), so this is the binary
    # cross-entropy with the smoothed target 1 − ε/2, computed by the registered loss
    ce = losses.get("softmax_cross_entropy")
    logits = np.column_stack([np.zeros_like(z), z])
    smoothed = ce(ones, logits, reduction="none", label_smoothing=label_smoothing)
    smoothed_grad = ce.grad(ones, logits, reduction="none", label_smoothing=label_smoothing)
    out["logistic_smoothed"] = (smoothed / LN2, smoothed_grad[:, 1] / (t * LN2))
    for name in ("hinge", "squared_hinge"):
        loss = losses.get(name)
        out[name] = (loss(ones, z, reduction="none"), loss.grad(ones, z, reduction="none") / t)
    if "exponential" in losses.names():
        loss = losses.get("exponential")
        out["exponential"] = (loss(ones, z, reduction="none"),
                              loss.grad(ones, z, reduction="none") / t)
    else:
        e = np.exp(np.minimum(-z, 700.0))  # e^(-z); the clip keeps it finite (e^700 ≈ 1e304)
        out["exponential"] = (e, -e / t)
    focal = losses.get("focal")
    params = {"alpha": None, "gamma": float(gamma)}
    out["focal"] = (
        focal(ones, z, reduction="none", **params) / LN2,
        focal.grad(ones, z, reduction="none", **params) / (t * LN2),
    )
    return {k: (v.reshape(shape), g.reshape(shape)) for k, (v, g) in out.items()}


def _short(value: float) -> str:
    """A number in at most six characters: two decimals while they fit, then fewer.

    >>> [_short(v) for v in (0.5, -0.0, -104.2, 162754.79)]
    ['0.50', '0.00', '−104', '1.6e5']
    """
    value = float(value) + 0.0  # −0.0 + 0.0 = 0.0: no "−0.00"
    if abs(value) < 99.995:
        text = f"{value:.2f}"
    elif abs(value) < 99999.5:
        text = f"{value:.0f}"
    else:
        mantissa, exponent = f"{value:.1e}".split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def smoothed_minimiser(label_smoothing: float, temperature: float = 1.0) -> float:
    """The margin m* that minimises the label-smoothed logistic loss: T·log((1 − ε/2)/(ε/2)).

    With smoothing ε the positive example's target probability is q = 1 − ε/2, and the
    cross-entropy −q log σ(z) − (1 − q) log(1 − σ(z)) is smallest where σ(z) = q, i.e.
    z = log(q/(1 − q)); with temperature z = m/T. ``inf`` for ε = 0 (no finite minimiser).

    >>> round(smoothed_minimiser(0.1), 4)
    2.9444
    """
    eps = float(label_smoothing)
    if eps <= 0.0:
        return float("inf")
    return float(temperature * np.log((1.0 - eps / 2.0) / (eps / 2.0)))


class MarginLossAtlas(Demo):
    """The 0-1 loss and its surrogates against the margin m = y·f, with their gradients.

    Left: each loss ℓ(m) of a positive example as a function of its margin (the margin of a
    negative example is −f, so the picture covers both classes): the 0-1 step [m ≤ 0], the
    logistic loss log₂(1 + e^(−m)) — **in bits**, so that like hinge and exponential it
    passes through (0, 1) and lies above the 0-1 loss — its label-smoothed version (dashed),
    hinge max(0, 1 − m), squared hinge, exponential e^(−m) and focal (also in bits).
    Right: the derivatives dℓ/dm, i.e. how hard each loss pushes an example with margin m.
    A vertical line marks m₀; each loss's value and slope there are printed.

    The sliders:

    - ``gamma`` (γ, 0–5): focal's (1 − p)^γ factor flattens the loss and its gradient for
      well-classified examples (large m); γ = 0 is the logistic loss.
    - ``label_smoothing`` (ε, 0–0.3): the smoothed target 1 − ε/2 makes the logistic loss
      turn up again for large margins, with its minimum at the finite margin
      m* = T·log((1 − ε/2)/(ε/2)) (marked): the model is no longer paid for certainty.
    - ``temperature`` (T, 0.25–4): the scores are divided by T before the loss, so every
      curve is plotted against m/T: ℓ_T(m) = ℓ(m/T), stretched horizontally by T, with
      slopes divided by T. T > 1 softens the losses (a T-times larger margin is needed for
      the same loss), T < 1 sharpens them; the 0-1 loss never changes, because dividing by
      T > 0 does not flip a sign. Temperature scaling is how a trained network's
      probabilities are calibrated without changing its decisions.
    - ``margin`` (m₀, −3 to 4): the margin whose values and slopes are printed.

    The values come from the loss registry (:func:`margin_losses`), so the figure and
    ``lossviz.losses`` agree.

    Args:
        gamma: initial focal γ.
        label_smoothing: initial ε.
        temperature: initial T.
        margin: initial m₀.
        figsize, dpi: figure size and resolution.

    Controls: ``gamma``, ``label_smoothing``, ``temperature``, ``margin``.
    Numbers: ``margin``, ``gamma``, ``label_smoothing``, ``temperature``,
    ``loss_<name>`` and ``grad_<name>`` (ℓ(m₀) and dℓ/dm at m₀) for each name of
    :data:`MARGIN_LOSS_LABELS` (``zero_one``, ``logistic``, ``logistic_smoothed``,
    ``hinge``, ``squared_hinge``, ``exponential``, ``focal``), and ``smoothed_minimiser``
    (m*, or the string ``"∞"`` when ε = 0).

    Examples:
        >>> demo = MarginLossAtlas(margin=0.0)
        >>> demo.numbers()["loss_hinge"], demo.numbers()["loss_logistic"]
        (1.0, 1.0)
        >>> demo.controls["label_smoothing"].value = 0.1
        >>> round(demo.numbers()["smoothed_minimiser"], 3)
        2.944
    """

    caption = (
        "Logistic (in bits), hinge, squared hinge and exponential lie above the 0-1 step and, "
        "unlike it, have a slope that tells a misclassified point which way to move. Hinge "
        "stops pushing at m = 1; logistic never quite stops; focal (raise γ) goes quiet early; "
        "label smoothing (raise ε) even pushes back beyond m*."
    )
    alt_text = (
        "Two panels against the margin m from -3 to 4. Left: the 0-1 step and the logistic, "
        "smoothed logistic, hinge, squared hinge, exponential and focal losses, all but focal "
        "passing through loss 1 at margin 0, all falling towards 0 for large margins; the "
        "smoothed logistic has a minimum at a finite margin m*, marked. Right: their derivatives, "
        "negative for small margins and approaching 0. A vertical line marks the margin m0; a "
        "table on the right lists each loss's value and slope there."
    )

    figsize = (10.0, 4.1)
    M_RANGE = (-3.0, 4.0)
    LOSS_YLIM = (-0.08, 4.0)
    GRAD_YLIM = (-3.0, 1.0)
    TABLE_NAMES: Mapping[str, str] = {
        "zero_one": "0-1", "logistic": "logistic", "logistic_smoothed": "smoothed",
        "hinge": "hinge", "squared_hinge": "squared hinge", "exponential": "exponential",
        "focal": "focal",
    }

    def __init__(
        self,
        gamma: float = 2.0,
        label_smoothing: float = 0.1,
        temperature: float = 1.0,
        margin: float = 0.5,
        *,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self._init = {"gamma": gamma, "label_smoothing": label_smoothing,
                      "temperature": temperature, "margin": margin}
        self._m = np.linspace(*self.M_RANGE, 281)  # step 0.025: contains m = 0 and m = 1
        super().__init__(figsize=figsize, dpi=dpi)

    def curves(self) -> dict[str, tuple[FloatArray, FloatArray]]:
        """The drawn curves at the current control values: name -> (ℓ(m), dℓ/dm) on the grid."""
        return margin_losses(self._m, **self._params())

    def _params(self) -> dict[str, float]:
        return {"gamma": float(self.value("gamma")),
                "label_smoothing": float(self.value("label_smoothing")),
                "temperature": float(self.value("temperature"))}

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        return {
            "gamma": widgets.FloatSlider(
                value=self._init["gamma"], min=0.0, max=5.0, step=0.1,
                description="γ (focal)", readout_format=".1f", style=style,
            ),
            "label_smoothing": widgets.FloatSlider(
                value=self._init["label_smoothing"], min=0.0, max=0.3, step=0.01,
                description="ε (label smoothing)", readout_format=".2f", style=style,
            ),
            "temperature": widgets.FloatSlider(
                value=self._init["temperature"], min=0.25, max=4.0, step=0.05,
                description="T (temperature)", readout_format=".2f", style=style,
            ),
            "margin": widgets.FloatSlider(
                value=self._init["margin"], min=self.M_RANGE[0], max=self.M_RANGE[1],
                step=0.05, description="m₀ (margin)", readout_format=".2f", style=style,
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.685, bottom=0.13, top=0.76, wspace=0.3)
        self.ax_loss, self.ax_grad = fig.subplots(1, 2)
        self._colors = {k: color_for(v) for k, v in _MARGIN_COLOR_OF.items()}
        self._loss_lines: dict[str, Line2D] = {}
        self._grad_lines: dict[str, Line2D] = {}
        for ax, lines, ylim in ((self.ax_loss, self._loss_lines, self.LOSS_YLIM),
                                (self.ax_grad, self._grad_lines, self.GRAD_YLIM)):
            ax.set(xlim=self.M_RANGE, ylim=ylim)
            ax.axvline(0.0, color=ROLE_COLORS["muted"], lw=0.8)
            self._setup_curves(ax, lines)
        self.ax_loss.set_xlabel("margin m = y·f")
        self.ax_loss.set_ylabel("loss ℓ(m)   (log losses in bits)")
        self.ax_loss.set_title("losses against the margin")
        self.ax_grad.set_xlabel("margin m = y·f")
        self.ax_grad.set_ylabel("gradient dℓ/dm")
        self.ax_grad.set_title("gradients: how hard each loss pushes", fontsize=10)
        self._setup_markers()
        handles = [Line2D([], [], color=self._colors[k], lw=2.0,
                          ls="--" if k == "logistic_smoothed" else "-")
                   for k in MARGIN_LOSS_LABELS]
        fig.legend(handles, list(MARGIN_LOSS_LABELS.values()), loc="upper left",
                   bbox_to_anchor=(0.045, 1.0), ncol=4, handlelength=1.8, columnspacing=1.4,
                   labelspacing=0.35)
        self._setup_table(fig)

    def _setup_curves(self, ax: Axes, lines: dict[str, Line2D]) -> None:
        # the 0-1 loss does not depend on any slider: a static step (its derivative: 0)
        if ax is self.ax_loss:
            steps = ([self.M_RANGE[0], 0.0, 0.0, self.M_RANGE[1]], [1.0, 1.0, 0.0, 0.0])
        else:
            steps = (list(self.M_RANGE), [0.0, 0.0])
        ax.plot(*steps, color=self._colors["zero_one"], lw=1.6)
        for key in MARGIN_LOSS_LABELS:
            if key == "zero_one":
                continue
            (lines[key],) = ax.plot(self._m, np.zeros_like(self._m), color=self._colors[key],
                                    lw=1.4 if key == "logistic_smoothed" else 1.8,
                                    ls="--" if key == "logistic_smoothed" else "-")
            self._animate(lines[key])

    def _setup_markers(self) -> None:
        colors = [self._colors[k] for k in MARGIN_LOSS_LABELS]
        self._m0_lines = [ax.axvline(0.0, color=ROLE_COLORS["threshold"], lw=0.9, ls=":")
                          for ax in (self.ax_loss, self.ax_grad)]
        self._m0_points = [
            ax.scatter(np.zeros(len(colors)), np.zeros(len(colors)), s=22, c=colors,
                       edgecolors="white", linewidths=0.6, zorder=4)
            for ax in (self.ax_loss, self.ax_grad)
        ]
        # the smoothed logistic's minimiser m*: a dashed line, a ring on each curve, a label
        smooth = self._colors["logistic_smoothed"]
        self._star_line = self.ax_loss.axvline(0.0, ymax=0.86, color=smooth, lw=1.0, ls="--")
        (self._star_points,) = self.ax_loss.plot([], [], "o", mfc="white", mec=smooth, mew=1.6,
                                                 ms=6, zorder=5)
        (self._star_grad,) = self.ax_grad.plot([], [], "o", mfc="white", mec=smooth, mew=1.6,
                                               ms=6, zorder=5)
        self._star_label = self.ax_loss.text(0.0, 0.88, "m*", transform=self.ax_loss.transAxes,
                                             ha="center", va="bottom", fontsize=9,
                                             color=smooth, zorder=6)
        self._animate(*self._m0_lines, *self._m0_points, self._star_line, self._star_points,
                      self._star_grad, self._star_label)

    def _setup_table(self, fig: Figure) -> None:
        # Static labels, and few animated lines that hold little but digits: matplotlib lays
        # out every text line and draws every glyph (spaces too) one by one, so each
        # moving line and character costs time on every change.
        x, right = 0.705, 0.985
        mono = {"family": "DejaVu Sans Mono", "fontsize": 8.5, "va": "top",
                "transform": fig.transFigure}
        line = 1.25 * 8.5 / 72 / fig.get_figheight()  # about one line, in figure fraction
        top = 0.95
        fig.text(right, top, f"{'m₀':>5}{'T':>6}{'γ':>5}{'ε':>6}{'m*':>6}", ha="right", **mono)
        fig.text(x, top - line, "current", **mono)
        self._params_readout = self._readout(fig, right, top - line,
                                             "{m:>5}{t:>6}{gamma:>5}{eps:>6}{star:>6}",
                                             ha="right", **mono)
        head = top - 2.6 * line
        fig.text(x, head, "at m₀", **mono)
        fig.text(right, head, f"{'value':>6} {'slope':>6}", ha="right", **mono)
        # one multi-line block per column: rows align exactly with the values' lines;
        # each label is its own text (preceded by empty lines) to take its loss's colour
        for i, key in enumerate(MARGIN_LOSS_LABELS):
            fig.text(x, head - line, "\n" * i + self.TABLE_NAMES[key],
                     color=self._colors[key], **mono)
        fields = "\n".join(f"{{v_{k}:>6}} {{g_{k}:>6}}" for k in MARGIN_LOSS_LABELS)
        self._table = self._readout(fig, right, head - line, fields, ha="right", **mono)
        note = ("m* = T·log((1 − ε/2)/(ε/2)) is where\nthe smoothed logistic loss is lowest\n"
                "(∞ for ε = 0). Logistic and focal are\nin bits (log₂): logistic, hinge and\n"
                "exponential are all 1 at m = 0.")
        fig.text(x, 0.13, note, fontsize=8.5, va="bottom", color="#444444", linespacing=1.3)

    def _update(self) -> None:
        params = self._params()
        m0 = float(self.value("margin"))
        eps, t = params["label_smoothing"], params["temperature"]
        star = smoothed_minimiser(eps, t)
        # one evaluation for the curves, m₀ and m* (every call validates its inputs)
        points = np.append(self._m, [m0, star if np.isfinite(star) else 0.0])
        everything = margin_losses(points, **params)
        curves = {k: (v[:-2], g[:-2]) for k, (v, g) in everything.items()}
        at_m0 = {k: (v[-2:-1], g[-2:-1]) for k, (v, g) in everything.items()}
        self._update_minimiser(star, float(everything["logistic_smoothed"][0][-1]))

        for key, (values, grads) in curves.items():
            if key in self._loss_lines:
                self._loss_lines[key].set_ydata(values)
                self._grad_lines[key].set_ydata(grads)
        self._loss_lines["logistic_smoothed"].set_visible(eps > 0)
        self._grad_lines["logistic_smoothed"].set_visible(eps > 0)

        values = {k: float(v[0]) for k, (v, _) in at_m0.items()}
        slopes = {k: float(g[0]) for k, (_, g) in at_m0.items()}
        for line in self._m0_lines:
            line.set_xdata([m0, m0])
        self._m0_points[0].set_offsets(np.column_stack([np.full(len(values), m0),
                                                        list(values.values())]))
        self._m0_points[1].set_offsets(np.column_stack([np.full(len(slopes), m0),
                                                        list(slopes.values())]))

        self._params_readout.set(m=f"{m0:.2f}".replace("-", "−"), t=f"{t:.2f}",
                                 gamma=f"{params['gamma']:.1f}", eps=f"{eps:.2f}",
                                 star=f"{star:.2f}" if np.isfinite(star) else "∞")
        self._table.set(**{f"v_{k}": _short(v) for k, v in values.items()},
                        **{f"g_{k}": _short(g) for k, g in slopes.items()})
        self._show(margin=m0, **params,
                   **{f"loss_{k}": v for k, v in values.items()},
                   **{f"grad_{k}": g for k, g in slopes.items()},
                   smoothed_minimiser=star if np.isfinite(star) else "∞")

    def _update_minimiser(self, star: float, value: float) -> None:
        """Mark m* and the smoothed loss there; hidden when m* is ∞ or off the plot."""
        inside = bool(np.isfinite(star) and star <= self.M_RANGE[1])
        for artist in (self._star_line, self._star_points, self._star_grad, self._star_label):
            artist.set_visible(inside)
        if inside:
            self._star_line.set_xdata([star, star])
            self._star_points.set_data([star], [value])
            self._star_grad.set_data([star], [0.0])
            self._star_label.set_x((star - self.M_RANGE[0]) / (self.M_RANGE[1] - self.M_RANGE[0]))


# ======================================================================================
# WhoPushesTheBoundary
# ======================================================================================

#: The three models side by side, as (tag used in numbers(), registry loss, panel title).
BOUNDARY_MODELS: tuple[tuple[str, str, str], ...] = (
    ("logistic", "bce_with_logits", "logistic (log loss)"),
    ("hinge", "hinge", "hinge (linear SVM)"),
    ("focal", "focal", "focal, γ ="),
)


def fit_linear_classifier(
    loss: str,
    X: FloatArray,
    y: FloatArray,
    *,
    l2: float = 1e-3,
    gamma: float = 2.0,
    alpha: float | None = None,
    init: FloatArray | None = None,
    max_iter: int = 100,
) -> FloatArray:
    """Parameters θ = (w₁, …, w_d, b) of the linear score f = X·w + b minimising
    mean ℓ(y, f) + (λ/2)‖w‖² (the intercept b is not penalised), deterministically.

    - ``"bce_with_logits"`` and ``"focal"`` (with ``alpha`` and ``gamma``): damped
      Newton steps with a backtracking line search, from ``init`` (default 0). The
      per-example curvature ∂²ℓ/∂f² is σ(f)(1 − σ(f)) for the log loss and a central
      difference of the registered gradient for focal, floored at 1e-8 (focal is not
      convex in f everywhere); the iteration stops when the gradient's largest entry is
      below 1e-10.
    - ``"hinge"``: the exact minimiser, from scikit-learn's ``SVC(kernel="linear")`` (libsvm,
      deterministic) with C = 1/(nλ), which is the same objective multiplied by 1/λ.

    Args:
        loss: ``"bce_with_logits"``, ``"hinge"`` or ``"focal"``.
        X: inputs (n, d). y: labels in {0, 1}, shape (n,).
        l2: λ > 0. gamma, alpha: focal's γ ≥ 0 and class weight (``None``: none).
        init: starting θ for the Newton iterations.
        max_iter: at most this many Newton steps.

    Returns:
        θ, shape (d + 1,).

    Examples:
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]]); y = np.array([0.0, 1.0, 0.0, 1.0])
        >>> theta = fit_linear_classifier("bce_with_logits", X, y, l2=0.1)
        >>> theta.shape
        (2,)
    """
    n, d = X.shape
    if loss == "hinge":
        from sklearn.svm import SVC

        svm = SVC(kernel="linear", C=1.0 / (n * l2), tol=1e-6).fit(X, y)
        return np.append(svm.coef_.ravel(), svm.intercept_[0]).astype(np.float64)
    if loss not in ("bce_with_logits", "focal"):
        raise ValueError(f"loss must be 'bce_with_logits', 'hinge' or 'focal'; got {loss!r}.")
    fn = losses.get(loss)
    params = {"alpha": alpha, "gamma": float(gamma)} if loss == "focal" else {}
    X1 = np.column_stack([X, np.ones(n)])
    penalty = np.append(np.full(d, float(l2)), 0.0)

    def objective(theta: FloatArray) -> float:
        return float(fn(y, X1 @ theta, **params)) + 0.5 * float(np.sum(penalty * theta**2))

    theta = np.zeros(d + 1) if init is None else np.array(init, dtype=np.float64)
    value = objective(theta)
    for _ in range(max_iter):
        f = X1 @ theta
        g = fn.grad(y, f, reduction="none", **params)
        grad = X1.T @ g / n + penalty * theta
        if np.max(np.abs(grad)) < 1e-10:
            break
        if loss == "bce_with_logits":
            curv = expit(f) * expit(-f)
        else:
            h = 1e-5
            curv = (fn.grad(y, f + h, reduction="none", **params)
                    - fn.grad(y, f - h, reduction="none", **params)) / (2 * h)
        hessian = (X1.T * np.maximum(curv, 1e-8)) @ X1 / n + np.diag(penalty + 1e-12)
        step = np.linalg.solve(hessian, grad)
        size, slope = 1.0, float(grad @ step)
        while size > 1e-10:
            candidate = theta - size * step
            new_value = objective(candidate)
            if new_value <= value - 1e-4 * size * slope:
                break
            size /= 2
        else:
            break  # no decrease possible at float precision: at the minimum
        theta, value = candidate, new_value
    return theta


def push_count(magnitudes: FloatArray, share: float = 0.8) -> int:
    """The fewest points whose gradient magnitudes add up to ``share`` of the total.

    >>> push_count(np.array([5.0, 3.0, 1.0, 1.0]), 0.8)
    2
    >>> push_count(np.zeros(3))
    0
    """
    total = float(np.sum(magnitudes))
    if total <= 0:
        return 0
    cumulative = np.cumsum(np.sort(magnitudes)[::-1])
    return int(np.searchsorted(cumulative, share * total * (1 - 1e-12)) + 1)


@dataclass(frozen=True)
class _Panel:
    """One trained model on one dataset: what its panel shows."""

    theta: FloatArray
    score: FloatArray  # f = X·w + b, per point
    magnitude: FloatArray  # |∂ℓ/∂f| per point (reduction="none")
    recall: float
    precision: float
    f1: float
    pushers: int
    zero_push: int


class WhoPushesTheBoundary(Demo):
    """Logistic, hinge and focal linear models on the same imbalanced data: who pushes?

    The data are :func:`lossviz.data.imbalanced_blobs` (400 points, the minority fraction
    set by the ``imbalance`` slider, label 1 = minority, in vermillion). Each panel shows
    one linear model f = w·x + b trained on them by minimising mean ℓ + (λ/2)‖w‖²
    (:func:`fit_linear_classifier`): the logistic loss, the hinge loss (a linear SVM; its
    margin lines f = ±1 dashed) and the focal loss with the ``gamma`` slider's γ (no α
    class weighting unless ``focal_alpha`` is given). The decision boundary f = 0 is drawn
    and the region predicted "minority" is tinted.

    Each point's **marker area is its gradient magnitude** |∂ℓ/∂f| under that panel's loss
    at the trained parameters (the registry's ``grad`` with ``reduction="none"``, on the
    same scale in all panels: area ``MARKER_AREA`` for |∂ℓ/∂f| = 1, a misclassified
    point's push under the log loss), over a small dot that marks every point. Points with
    large markers are the ones that move the boundary: under the log loss every point
    pushes, less the farther it is on its correct side; under hinge the points beyond the
    margin (m = y·f ≥ 1) push exactly zero and their markers vanish. Focal's factor
    (1 − p_t)^γ mutes confident points *at a fixed model*, but the trained focal model
    answers by shrinking all its scores (it is not paid for confidence), so its push is
    not more concentrated and its boundary stays close to the logistic one: focal loss,
    like hinge, still aims at the sign of P(y = 1 | x) − 1/2, which is the same boundary
    for these Gaussian blobs. Printed per panel, on the training data: the minority recall
    and F1 (decision f ≥ 0) and how many points carry 80% of the total gradient Σ|∂ℓ/∂f|
    ("who pushes"); for hinge also how many push exactly 0. (The two classes always push
    equally hard in total: with an unpenalised intercept b the optimum has
    Σᵢ ∂ℓ/∂fᵢ = 0, so each of the few minority points pushes many times harder than a
    typical majority point.)

    Every model is trained at construction for every slider value on the grid (imbalance
    0.05–0.5 in steps of 0.05, γ 0–5 in steps of 0.5), so moving a slider only looks the
    result up; a value off the grid is trained on first use and cached. Training is
    deterministic (Newton steps or libsvm), so revisiting a value gives the same picture.

    Args:
        imbalance: initial minority fraction (slider 0.05–0.5).
        gamma: initial focal γ (slider 0–5).
        n: number of points. separation: distance of the blob centres. seed: data seed.
        l2: the L2 strength λ of all three models.
        focal_alpha: focal's class weight α of the minority (``None``: no weighting).
        push_share: the share of the total gradient that the "who pushes" count covers.
        figsize, dpi: figure size and resolution.

    Controls: ``imbalance``, ``gamma``.
    Numbers: ``imbalance``, ``gamma``, ``n_minority``, and for each model tag
    (``logistic``, ``hinge``, ``focal``): ``recall_<tag>`` and ``f1_<tag>`` (of the
    minority class), ``pushers_<tag>`` (the fewest points carrying ``push_share`` of
    Σ|∂ℓ/∂f|); ``zero_push_hinge`` (points with hinge gradient exactly 0: those with
    margin ≥ 1). ``panel(tag, imbalance, gamma)`` holds everything else (parameters, scores, magnitudes,
    precision).

    Examples:
        >>> demo = WhoPushesTheBoundary(imbalance=0.1)
        >>> demo.numbers()["n_minority"]
        40
        >>> demo.controls["imbalance"].value = 0.5     # looked up, not retrained
        >>> demo.numbers()["n_minority"]
        200
    """

    caption = (
        "Marker area = how hard a point pushes the boundary. Logistic: every point pushes, "
        "less the safer it is. Hinge: points beyond the dashed margin push exactly zero. "
        "Focal: raising γ mutes confident points, but the trained model just becomes less "
        "confident, and its boundary barely moves. Lower the minority fraction: every "
        "model's minority recall falls."
    )
    alt_text = (
        "Three scatter plots of the same two-class 2-D data, a large majority class in blue "
        "on the left and a small minority class in vermillion on the right, each with a "
        "straight decision boundary and the minority side tinted. The panels are the logistic, "
        "hinge and focal models. Each point's marker size is its gradient: markers are largest "
        "near and across the boundary and shrink with distance; in the hinge panel points "
        "beyond the dashed margin lines have no marker at all. The minority recall and F1 and "
        "the number of points carrying 80 percent of the gradient are printed above each "
        "panel, and for hinge the number of points that push exactly zero."
    )

    figsize = (10.5, 4.2)
    IMBALANCE_GRID = np.round(np.arange(0.05, 0.5001, 0.05), 2)
    GAMMA_GRID = np.round(np.arange(0.0, 5.0001, 0.5), 1)
    MARKER_AREA = 70.0  # points² for |∂ℓ/∂f| = 1
    MIN_AREA = 1.0  # smaller markers hide under the point's dot: not drawn
    ALPHA = 0.55  # opacity of the markers

    def __init__(
        self,
        imbalance: float = 0.1,
        gamma: float = 2.0,
        *,
        n: int = 400,
        separation: float = 2.0,
        seed: int = 0,
        l2: float = 1e-3,
        focal_alpha: float | None = None,
        push_share: float = 0.8,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.n, self.separation, self.seed, self.l2 = n, separation, seed, l2
        self.focal_alpha = focal_alpha
        self.push_share = push_share
        self._init = {"imbalance": imbalance, "gamma": gamma}
        self._data: dict[float, tuple[FloatArray, FloatArray]] = {}
        self._fits: dict[tuple[str, float, float], _Panel] = {}
        for q in self.IMBALANCE_GRID:
            for g in self.GAMMA_GRID:
                self.panel("focal", float(q), float(g))
            self.panel("hinge", float(q))
        points = np.vstack([X for X, _ in self._data.values()])
        low, high = points.min(axis=0), points.max(axis=0)
        pad = 0.06 * (high - low)
        self._xlim, self._ylim = (low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1],
                                                                        high[1] + pad[1])
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def data(self, imbalance: float) -> tuple[FloatArray, FloatArray]:
        """The points and labels at minority fraction ``imbalance`` (cached)."""
        key = round(float(imbalance), 9)
        if key not in self._data:
            self._data[key] = imbalanced_blobs(self.n, minority_fraction=key,
                                               separation=self.separation, seed=self.seed)
        return self._data[key]

    def panel(self, tag: str, imbalance: float, gamma: float = 0.0) -> _Panel:
        """The trained model ``tag`` (logistic, hinge, focal) at these slider values (cached).

        ``gamma`` matters for focal only. Focal is warm-started from the logistic fit of the
        same data, so the result depends on the slider values only.
        """
        gamma = round(float(gamma), 9) if tag == "focal" else 0.0
        key = (tag, round(float(imbalance), 9), gamma)
        if key not in self._fits:
            X, y = self.data(imbalance)
            loss = dict((t, name) for t, name, _ in BOUNDARY_MODELS)[tag]
            init = self.panel("logistic", imbalance).theta if tag == "focal" else None
            theta = fit_linear_classifier(loss, X, y, l2=self.l2, gamma=gamma,
                                          alpha=self.focal_alpha, init=init)
            self._fits[key] = self._summarise(tag, X, y, theta, gamma)
        return self._fits[key]

    def gradient_magnitudes(self, tag: str, imbalance: float, gamma: float = 0.0) -> FloatArray:
        """|∂ℓ/∂f| per point for model ``tag``: what the marker areas show."""
        return self.panel(tag, imbalance, gamma).magnitude

    def _summarise(
        self, tag: str, X: FloatArray, y: FloatArray, theta: FloatArray, gamma: float
    ) -> _Panel:
        score = X @ theta[:-1] + theta[-1]
        loss = dict((t, name) for t, name, _ in BOUNDARY_MODELS)[tag]
        params = {"alpha": self.focal_alpha, "gamma": gamma} if tag == "focal" else {}
        magnitude = np.abs(losses.get(loss).grad(y, score, reduction="none", **params))
        metrics = classification_metrics(**confusion_counts(y, score, 0.0))
        return _Panel(theta, score, magnitude, metrics["recall"], metrics["precision"],
                      metrics["f1"], push_count(magnitude, self.push_share),
                      int(np.sum(magnitude == 0)))

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        return {
            "imbalance": widgets.FloatSlider(
                value=self._init["imbalance"], min=0.05, max=0.5, step=0.05,
                description="minority fraction", readout_format=".2f", style=style,
            ),
            "gamma": widgets.FloatSlider(
                value=self._init["gamma"], min=0.0, max=5.0, step=0.5,
                description="γ (focal)", readout_format=".1f", style=style,
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.05, right=0.99, bottom=0.19, top=0.73, wspace=0.16)
        self.axes = fig.subplots(1, 3, sharex=True, sharey=True)
        self._artists: dict[str, dict[str, object]] = {}
        self._readouts: dict[str, Readout] = {}
        for ax, (tag, _, title) in zip(self.axes, BOUNDARY_MODELS, strict=True):
            self._setup_panel(ax, tag, title)
        self.axes[0].set_ylabel("x₂")
        for ax in self.axes[1:]:
            ax.set_ylabel("x₂")  # every axis keeps its label for screen readers and tests
            ax.yaxis.label.set_visible(False)
        self._legend(fig)

    def _setup_panel(self, ax: Axes, tag: str, title: str) -> None:
        ax.set(xlim=self._xlim, ylim=self._ylim)
        ax.set_xlabel("x₁")
        heading = ax.set_title(title, pad=52, fontsize=10.5)
        tint = Polygon(np.zeros((3, 2)), closed=True, facecolor=ROLE_COLORS["positive"],
                       alpha=0.09, lw=0)
        ax.add_patch(tint)
        # only the points whose marker is visible are in the collection (fewer to draw);
        # every point also has a dot, one cheap Line2D per class
        pushes = ax.scatter([], [], s=[], linewidths=0, zorder=2)
        dots = [ax.plot([], [], ls="", marker="o", ms=1.5, mew=0, color=ROLE_COLORS[role],
                        zorder=3)[0] for role in ("negative", "positive")]
        (boundary,) = ax.plot([], [], color="#222222", lw=1.6, zorder=4)
        artists: dict[str, Any] = {"tint": tint, "pushes": pushes, "dots": dots,
                                   "boundary": boundary}
        self._animate(tint, pushes, *dots, boundary)
        if tag == "hinge":
            (margins,) = ax.plot([], [], color="#222222", lw=0.9, ls="--", zorder=4)
            artists["margins"] = margins
            self._animate(margins)
        self._artists[tag] = artists

        # numbers: static labels, right-aligned animated values (little but digits to draw)
        labels = ["minority recall, F1", f"{100 * self.push_share:.0f}% of the push"]
        fields = ["{recall:>4}, {f1:>4}", "{pushers:>3}"]
        units = ["", "points"]
        if tag == "hinge":
            labels.append("push exactly 0")
            fields.append("{zero:>3}")
            units.append("points")
        mono = {"family": "DejaVu Sans Mono", "fontsize": 8.5, "va": "bottom",
                "transform": ax.transAxes}
        ax.text(0.0, 1.03, "\n".join(labels), **mono)
        ax.text(0.82, 1.03, "\n".join(units), **mono)
        self._readouts[tag] = self._readout(ax, 0.8, 1.03, "\n".join(fields), ha="right",
                                            **mono)
        if tag == "focal":  # "focal, γ = " is static; the number after it moves
            width = heading.get_window_extent(ax.figure.canvas.get_renderer()).width
            self._gamma_text = ax.text(width / ax.bbox.width + 0.012, 1.0, "",
                                       transform=heading.get_transform(), va="baseline",
                                       ha="left", fontsize=10.5)
            self._animate(self._gamma_text)

    def _legend(self, fig: Figure) -> None:
        neg, pos = ROLE_COLORS["negative"], ROLE_COLORS["positive"]
        handles = [
            Line2D([], [], ls="", marker="o", ms=7, mew=0, mfc=to_rgba(neg, self.ALPHA)),
            Line2D([], [], ls="", marker="o", ms=7, mew=0, mfc=to_rgba(pos, self.ALPHA)),
            Line2D([], [], ls="", marker="o", ms=1.8, mew=0, color="#444444"),
            Line2D([], [], color="#222222", lw=1.6),
            Line2D([], [], color="#222222", lw=0.9, ls="--"),
            Patch(facecolor=to_rgba(pos, 0.12)),
        ]
        labels = ["majority (y = 0)", "minority (y = 1)",
                  "every point; marker area ∝ |∂ℓ/∂f|", "boundary f = 0",
                  "hinge margin f = ±1", "predicted minority"]
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=6,
                   handlelength=1.6, columnspacing=1.2)

    def _update(self) -> None:
        q, gamma = float(self.value("imbalance")), float(self.value("gamma"))
        X, y = self.data(q)
        minority = y == 1
        face = np.where(minority[:, None], *to_rgba_array(
            [to_rgba(ROLE_COLORS["positive"], self.ALPHA),
             to_rgba(ROLE_COLORS["negative"], self.ALPHA)]))
        numbers: dict[str, float | int] = {"imbalance": q, "gamma": gamma,
                                           "n_minority": int(np.sum(minority))}
        for tag, _, _ in BOUNDARY_MODELS:
            panel = self.panel(tag, q, gamma)
            artists = self._artists[tag]
            areas = self.MARKER_AREA * panel.magnitude
            shown = areas >= self.MIN_AREA
            artists["pushes"].set_offsets(X[shown])
            artists["pushes"].set_sizes(areas[shown])
            artists["pushes"].set_facecolor(face[shown])
            artists["dots"][0].set_data(X[~minority, 0], X[~minority, 1])
            artists["dots"][1].set_data(X[minority, 0], X[minority, 1])
            w, b = panel.theta[:-1], float(panel.theta[-1])
            artists["boundary"].set_data(*self._level_line(w, b, 0.0))
            artists["tint"].set_xy(self._half_plane(w, b))
            if "margins" in artists:
                xs1, ys1 = self._level_line(w, b, 1.0)
                xs2, ys2 = self._level_line(w, b, -1.0)
                artists["margins"].set_data(np.r_[xs1, np.nan, xs2], np.r_[ys1, np.nan, ys2])
            self._readouts[tag].set(recall=f"{panel.recall:.2f}", f1=f"{panel.f1:.2f}",
                                    pushers=str(panel.pushers), zero=str(panel.zero_push))
            numbers.update({f"recall_{tag}": panel.recall, f"f1_{tag}": panel.f1,
                            f"pushers_{tag}": panel.pushers})
        numbers["zero_push_hinge"] = self.panel("hinge", q).zero_push
        self._gamma_text.set_text(f"{gamma:.1f}")
        self._show(**numbers)

    def _level_line(self, w: FloatArray, b: float, level: float) -> tuple[FloatArray, FloatArray]:
        """Two far-apart points of the line w·x + b = level (clipped by the axes)."""
        (x0, x1), (y0, y1) = self._xlim, self._ylim
        span = 4 * max(x1 - x0, y1 - y0)
        norm = float(np.hypot(*w))
        if norm == 0:
            return np.array([]), np.array([])
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        foot = centre + (level - b - w @ centre) / norm**2 * w  # nearest point on the line
        along = np.array([-w[1], w[0]]) / norm
        ends = foot + np.outer([-span, span], along)
        return ends[:, 0], ends[:, 1]

    def _half_plane(self, w: FloatArray, b: float) -> FloatArray:
        """The polygon {x in the axes box : w·x + b ≥ 0} (Sutherland–Hodgman, one edge)."""
        (x0, x1), (y0, y1) = self._xlim, self._ylim
        box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        inside = box @ w + b
        out = []
        for i in range(4):
            p, q = box[i], box[(i + 1) % 4]
            fp, fq = inside[i], inside[(i + 1) % 4]
            if fp >= 0:
                out.append(p)
            if (fp >= 0) != (fq >= 0):
                out.append(p + fp / (fp - fq) * (q - p))
        return np.array(out) if len(out) >= 3 else np.zeros((3, 2)) + box[0]


# ======================================================================================
# CostThresholdExplorer
# ======================================================================================


def bayes_threshold(cost_fn: float, cost_fp: float = 1.0) -> float:
    """The threshold on a calibrated P(positive) that minimises the expected cost.

    Flagging costs (1 − p)·c_FP in expectation, not flagging p·c_FN; flag when
    p·c_FN ≥ (1 − p)·c_FP, i.e. p ≥ c_FP/(c_FP + c_FN).

    >>> bayes_threshold(4.0)
    0.2
    """
    return float(cost_fp / (cost_fp + cost_fn))


class CostThresholdExplorer(Demo):
    """Cost-sensitive decisions: when a missed cancer costs more, flag at a lower threshold.

    The classifier is scikit-learn's ``LogisticRegression`` (lbfgs, default C = 1) on two
    standardised features of scikit-learn's breast-cancer data (by default "mean radius"
    and "mean texture", as in chapter 00), fitted once at construction on a stratified 60%
    training split (:func:`lossviz.data.load_breast_cancer`, malignant = 1); everything
    shown is on the held-out 40% (228 tumours). A tumour is flagged malignant when its
    predicted probability p is at least the threshold t.

    A false alarm (FP) costs 1, a missed malignant tumour (FN) costs ``cost_fn``. Left: the
    confusion matrix at t, with each error cell's cost. Right: the expected cost per
    patient, (FP + cost_fn·FN)/n, at every threshold of the slider's grid (0, 0.01, …, 1),
    with the current t, the lowest-cost threshold on these data and the Bayes-optimal
    threshold 1/(1 + cost_fn) (:func:`lossviz.metrics.bayes_threshold`), the best choice if p were exactly
    calibrated. The more a miss costs, the lower the Bayes threshold moves; the lowest-cost
    threshold on these data stops at 0.16 from ``cost_fn`` = 4 on, because this
    two-feature model's small probabilities are too high (it is not calibrated there).

    Args:
        threshold: initial threshold t (slider 0–1, step 0.01).
        cost_fn: initial cost of a missed malignant tumour, in false alarms (slider 1–20).
        features: the breast-cancer features the model uses; ``None`` means all 30.
        test_size: the held-out fraction the figure is computed on.
        seed: the split's seed.
        figsize, dpi: figure size and resolution.

    Controls: ``threshold`` (t), ``cost_fn``.
    Numbers: ``threshold``, ``cost_fn``, ``tp``, ``fp``, ``fn``, ``tn``, ``expected_cost``
    (per patient), ``recall``, ``precision``, ``bayes_threshold``, ``bayes_cost`` (the
    cost at the grid threshold nearest to it), ``best_threshold`` (the lowest-cost grid
    threshold; the middle one of the first run of ties), ``best_cost``.

    Examples:
        >>> demo = CostThresholdExplorer(cost_fn=4.0)
        >>> demo.numbers()["bayes_threshold"]
        0.2
        >>> shown = demo.numbers()
        >>> shown["tp"] + shown["fn"]                      # malignant tumours held out
        85
    """

    caption = (
        "With equal costs the best threshold is near 0.5. Make a missed cancer c times as "
        "costly and the Bayes threshold 1/(1 + c) drops: flag more tumours, accept more false "
        "alarms, pay less in total. Where the star (lowest cost on these data) and the dashed "
        "line part, the model's small probabilities are not calibrated."
    )
    alt_text = (
        "Two panels. Left: a 2 by 2 confusion matrix, actual benign or malignant against "
        "predicted, with the counts and the cost of the false alarms and the missed cancers. "
        "Right: the expected cost per patient against the threshold from 0 to 1, a curve "
        "with a minimum at a low threshold; the current threshold, the lowest-cost threshold "
        "and the Bayes-optimal threshold 1/(1 + cost) are marked. A table on the right lists "
        "TP, FP, FN, TN, cost, recall and precision."
    )

    figsize = (10.0, 3.7)
    COST_YLIM = (0.0, 2.0)

    def __init__(
        self,
        threshold: float = 0.5,
        cost_fn: float = 5.0,
        *,
        features: Sequence[str] | None = ("mean radius", "mean texture"),
        test_size: float = 0.4,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self.y_true, self.probability, self.features = _held_out_probabilities(
            features, test_size, seed)
        self.thresholds = np.round(np.linspace(0.0, 1.0, 101), 2)  # the slider's grid
        table = [confusion_counts(self.y_true, self.probability, t) for t in self.thresholds]
        self._fp = np.array([row["fp"] for row in table], dtype=np.float64)
        self._fn = np.array([row["fn"] for row in table], dtype=np.float64)
        self._init = {"threshold": threshold, "cost_fn": cost_fn}
        super().__init__(figsize=figsize, dpi=dpi)

    def counts(self, threshold: float) -> dict[str, int]:
        """TP, FP, FN, TN when p ≥ ``threshold`` is flagged malignant."""
        return confusion_counts(self.y_true, self.probability, threshold)

    def cost_curve(self, cost_fn: float) -> FloatArray:
        """The expected cost per patient (FP + cost_fn·FN)/n at each of ``self.thresholds``."""
        return (self._fp + cost_fn * self._fn) / self.y_true.size

    def best_threshold(self, cost_fn: float) -> tuple[float, float]:
        """The grid threshold with the lowest cost (middle of the first run of ties), and
        that cost."""
        cost = self.cost_curve(cost_fn)
        ties = np.flatnonzero(cost <= cost.min() + 1e-12)
        run = ties[: np.argmax(np.append(np.diff(ties) > 1, True)) + 1]  # first contiguous run
        best = int(run[len(run) // 2])
        return float(self.thresholds[best]), float(cost[best])

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        return {
            "threshold": widgets.FloatSlider(
                value=self._init["threshold"], min=0.0, max=1.0, step=0.01,
                description="t (threshold)", readout_format=".2f", style=style,
            ),
            "cost_fn": widgets.FloatSlider(
                value=self._init["cost_fn"], min=1.0, max=20.0, step=0.5,
                description="cost of a miss (c_FN / c_FP)", readout_format=".1f", style=style,
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.725, bottom=0.15, top=0.9, wspace=0.3)
        self.ax_cm, self.ax_cost = fig.subplots(1, 2, gridspec_kw={"width_ratios": [0.85, 1.5]})
        self._setup_confusion(self.ax_cm)
        self._setup_cost(self.ax_cost)
        # static labels, one right-aligned column of animated values (little but digits)
        mono = {"family": "DejaVu Sans Mono", "fontsize": 8.5, "va": "top",
                "transform": fig.transFigure}
        rows = [("threshold t", "{t:>4}"), ("cost of a miss c", "{c:>4}"),
                ("cost per patient", "{cost:>5}"), ("recall", "{recall:>5}"),
                ("precision", "{precision:>5}"), ("Bayes t* = 1/(1+c)", "{bayes:>5}"),
                ("  its cost", "{bayes_cost:>5}"), ("lowest-cost t", "{best:>4}"),
                ("  its cost", "{best_cost:>5}")]
        fig.text(0.75, 0.9, "\n".join(label for label, _ in rows), **mono)
        self._table = self._readout(fig, 0.945, 0.9, "\n".join(field for _, field in rows),
                                    ha="right", **mono)

    def _setup_confusion(self, ax: Axes) -> None:
        confusion_grid(ax)
        names = (("TN", "FP: false alarm"), ("FN: missed", "TP"))
        costs = (("", "costs 1 each"), ("costs c each", ""))
        self._cm_counts: dict[str, Text] = {}
        for i, j, key in ((0, 0, "tn"), (0, 1, "fp"), (1, 0, "fn"), (1, 1, "tp")):
            ax.text(j, i - 0.3, names[i][j], ha="center", va="center", fontsize=7.5,
                    color="#444444")
            ax.text(j, i + 0.3, costs[i][j], ha="center", va="center", fontsize=7.5,
                    color=ROLE_COLORS["warning"])
            self._cm_counts[key] = ax.text(j, i, "", ha="center", va="center", fontsize=13)
        self._animate(*self._cm_counts.values())

    def _setup_cost(self, ax: Axes) -> None:
        ax.set(xlim=(0, 1), ylim=self.COST_YLIM)
        ax.set_xlabel("threshold t  (flag malignant when p ≥ t)")
        ax.set_ylabel("expected cost per patient")
        ax.set_title("expected cost  (FP + c·FN) / n")
        cost_color = OKABE_ITO["blue"]
        bayes_color = OKABE_ITO["bluish_green"]
        best_color = OKABE_ITO["vermillion"]
        (self._curve,) = ax.plot(self.thresholds, np.zeros_like(self.thresholds),
                                 color=cost_color, lw=1.8)
        self._bayes_line = ax.axvline(0.0, color=bayes_color, lw=1.4, ls="--")
        self._t_line = ax.axvline(0.0, color=ROLE_COLORS["threshold"], lw=1.0)
        (self._best_point,) = ax.plot([], [], "*", color=best_color, ms=13, mec="white",
                                      mew=0.6, zorder=5)
        (self._t_point,) = ax.plot([], [], "o", color=ROLE_COLORS["threshold"], ms=6, zorder=6)
        self._animate(self._curve, self._bayes_line, self._t_line, self._best_point,
                      self._t_point)
        handles = [
            Line2D([], [], color=cost_color, lw=1.8),
            Line2D([], [], color=ROLE_COLORS["threshold"], lw=1.0, marker="o", ms=5),
            Line2D([], [], color=best_color, ls="", marker="*", ms=11),
            Line2D([], [], color=bayes_color, lw=1.4, ls="--"),
        ]
        labels = ["cost at each t", "current t", "lowest cost on these data",
                  "Bayes t* = 1/(1 + c)"]
        # in the right-hand column, under the table: no curve can cross it
        ax.figure.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.74, 0.08),
                         handlelength=1.8, labelspacing=0.45)

    def _update(self) -> None:
        t, c = float(self.value("threshold")), float(self.value("cost_fn"))
        counts = self.counts(t)
        metrics = classification_metrics(**counts)
        n = self.y_true.size
        cost = (counts["fp"] + c * counts["fn"]) / n
        bayes = bayes_threshold(c)
        curve = self.cost_curve(c)
        bayes_cost = float(curve[int(np.argmin(np.abs(self.thresholds - bayes)))])
        best, best_cost = self.best_threshold(c)

        for key, text in self._cm_counts.items():
            text.set_text(str(counts[key]))
        self._curve.set_ydata(curve)
        self._bayes_line.set_xdata([bayes, bayes])
        self._t_line.set_xdata([t, t])
        self._t_point.set_data([t], [min(cost, self.COST_YLIM[1])])
        self._best_point.set_data([best], [best_cost])
        self._table.set(
            t=f"{t:.2f}", c=f"{c:g}", cost=f"{cost:.3f}",
            recall=f"{metrics['recall']:.3f}", precision=f"{metrics['precision']:.3f}",
            bayes=f"{bayes:.3f}", bayes_cost=f"{bayes_cost:.3f}", best=f"{best:.2f}",
            best_cost=f"{best_cost:.3f}",
        )
        self._show(threshold=t, cost_fn=c, **counts, expected_cost=cost,
                   recall=metrics["recall"], precision=metrics["precision"],
                   bayes_threshold=bayes, bayes_cost=bayes_cost, best_threshold=best,
                   best_cost=best_cost)


def _held_out_probabilities(
    features: Sequence[str] | None, test_size: float, seed: int
) -> tuple[NDArray[np.int_], FloatArray, tuple[str, ...]]:
    """Held-out labels (1 = malignant), P(malignant) from a logistic regression fitted on the
    training split, and the features used. lbfgs is deterministic; nothing is downloaded."""
    from sklearn.linear_model import LogisticRegression

    split = load_breast_cancer(val_size=0, test_size=test_size, seed=seed)
    names = list(split.feature_names)
    chosen = tuple(names if features is None else features)
    unknown = [f for f in chosen if f not in names]
    if unknown:
        raise ValueError(f"features must be breast-cancer feature names; unknown: {unknown}.")
    columns = [names.index(f) for f in chosen]
    model = LogisticRegression().fit(split.X_train[:, columns], split.y_train)
    probability = model.predict_proba(split.X_test[:, columns])[:, 1]
    return split.y_test.astype(int), probability.astype(np.float64), chosen
