"""Chapter 08 demos: the two directions of KL, and adversarial examples under PGD.

- :class:`KLAsymmetryExplorer`: a bimodal p (separation and weight sliders) and the
  Gaussian q fitted under KL(p ‖ q) (mass-covering: moment matching) and under KL(q ‖ p)
  (mode-seeking), drawn over p with both divergences printed; a hand-set q (μ, σ
  sliders) shows both divergences live, and a second panel draws both against μ.
- :class:`PGDExplorer`: two moons, a small MLP's decision boundary, and the test points
  moved by an L∞ PGD attack of radius ε (arrows from each point to its perturbed copy,
  the ε-box around one highlighted point); the robust accuracy against ε of a standard
  and an adversarially trained model, with the current ε marked.

Every number shown comes from :mod:`lossviz.design` (the tests compare them with it). What
is expensive is done once: the PGD models are trained and the accuracy curves computed at
construction, and each mode-seeking fit is cached per (separation, weight).
"""

from __future__ import annotations

from collections.abc import Hashable

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle
from numpy.typing import NDArray

from .. import design
from ..data import two_moons
from ..style import OKABE_ITO, ROLE_COLORS
from ._base import Demo

__all__ = ["KLAsymmetryExplorer", "PGDExplorer"]

FloatArray = NDArray[np.float64]

#: The colours of the two fits, the same in both panels and in the chapter's figures.
FORWARD_COLOR = OKABE_ITO["blue"]
REVERSE_COLOR = OKABE_ITO["vermillion"]
HAND_COLOR = "#222222"
P_COLOR = OKABE_ITO["bluish_green"]


def _slider(
    value: float, low: float, high: float, step: float, description: str, fmt: str = ".2f"
) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="260px"),
    )


def _gaussian(x: FloatArray, mu: float, sigma: float) -> FloatArray:
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2.0 * np.pi))


# ======================================================================================
# KLAsymmetryExplorer
# ======================================================================================


class KLAsymmetryExplorer(Demo):
    """A bimodal p, and the Gaussians that minimise KL(p ‖ q) and KL(q ‖ p).

    p is :func:`lossviz.design.bimodal_mixture`: two unit-variance Gaussians at
    ±separation/2, the left one with weight ``weight``. Left panel: p (shaded), the
    mass-covering fit q = argmin KL(p ‖ q) (:func:`lossviz.design.fit_forward_kl`: p's mean
    and variance), the mode-seeking fit q = argmin KL(q ‖ p)
    (:func:`lossviz.design.fit_reverse_kl`: Newton from each mode and from the moment
    match; a dotted curve marks a second local minimum when there is one) and a hand-set
    q = N(μ, σ²) (dashed), with both divergences of each printed. Right panel: KL(p ‖ q)
    and KL(q ‖ p) against μ for the hand-set σ: the reverse direction has one valley per
    mode when the modes are apart, the forward direction always one.

    Args:
        separation: initial distance between the modes (slider 0 to 8).
        weight: initial weight of the left mode (slider 0.05 to 0.95).
        mu: initial mean of the hand-set q.
        sigma: initial standard deviation of the hand-set q.
        figsize: figure size in inches.
        dpi: resolution.

    Controls: ``separation``, ``weight``, ``mu``, ``sigma``.
    Numbers: ``separation``, ``weight``; ``forward_mu``, ``forward_sigma``,
    ``forward_kl_pq``, ``forward_kl_qp``; ``reverse_mu``, ``reverse_sigma``,
    ``reverse_kl_pq``, ``reverse_kl_qp``, ``n_reverse_optima``; ``q_mu``, ``q_sigma``,
    ``q_kl_pq``, ``q_kl_qp`` (KL in nats).
    """

    caption = (
        "Minimising KL(p‖q) spreads q over both modes of p (it matches p's mean and "
        "variance) and puts its peak in the gap where p has almost no mass. Minimising "
        "KL(q‖p) makes q sit on one mode and ignore the other: q is punished wherever it "
        "has mass that p lacks, not for missing mass. Pull the modes together and the two "
        "fits meet."
    )
    alt_text = (
        "Two panels. Left: a shaded two-humped density p; a wide blue Gaussian covering both "
        "humps with its peak between them; a narrow vermillion Gaussian sitting on the taller "
        "hump; a dashed hand-set Gaussian; a table of the means, standard deviations and both "
        "KL divergences of each. Right: the two divergences against the mean of the "
        "hand-set Gaussian, the reverse one with two valleys, one under each hump, the "
        "forward one with a single valley between them."
    )

    figsize = (9.6, 4.3)
    X_RANGE = (-8.0, 8.0)
    KL_TOP = 6.0
    MU_GRID = np.linspace(-8.0, 8.0, 161)
    #: quadrature nodes for the curves on the right (the printed numbers use the default)
    CURVE_NODES = 201
    #: The format of a table row (μ, σ, KL(p‖q) and KL(q‖p) in fixed-width fields).
    ROW = "{:>5} {:>4} {:>7} {:>7}"

    def __init__(
        self,
        separation: float = 6.0,
        weight: float = 0.7,
        mu: float = 0.0,
        sigma: float = 2.0,
        *,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self._init = {"separation": separation, "weight": weight, "mu": mu, "sigma": sigma}
        self.x = np.linspace(*self.X_RANGE, 401)
        self._fits: dict[
            tuple[float, float], tuple[design.GaussianFit, list[design.GaussianFit]]
        ] = {}
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def mixture(self) -> design.GaussianMixture1D:
        """The current p."""
        return design.bimodal_mixture(float(self.value("separation")), float(self.value("weight")))

    def fits(self) -> tuple[design.GaussianFit, list[design.GaussianFit]]:
        """The forward fit and the local minima of KL(q ‖ p), best first (cached per p)."""
        key = (round(float(self.value("separation")), 9), round(float(self.value("weight")), 9))
        if key not in self._fits:
            p = self.mixture()
            self._fits[key] = (design.fit_forward_kl(p), design.reverse_kl_optima(p))
        return self._fits[key]

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        init = self._init
        return {
            "separation": _slider(init["separation"], 0.0, 8.0, 0.25, "separation of p"),
            "weight": _slider(init["weight"], 0.05, 0.95, 0.05, "weight of left mode"),
            "mu": _slider(init["mu"], -7.0, 7.0, 0.1, "your q: μ"),
            "sigma": _slider(init["sigma"], 0.6, 5.0, 0.1, "your q: σ"),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.13, top=0.9, wspace=0.2)
        self.ax_density, self.ax_kl = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        self._setup_density(self.ax_density)
        self._setup_kl(self.ax_kl)

    def _setup_density(self, ax: Axes) -> None:
        ax.set(xlim=self.X_RANGE, ylim=(0.0, 1.08))
        ax.set_xlabel("x")
        ax.set_ylabel("density")
        ax.set_title("p and three Gaussians q")
        self._p_fill = Polygon(
            np.zeros((3, 2)), closed=True, facecolor=P_COLOR, alpha=0.25, edgecolor="none", zorder=1
        )
        ax.add_patch(self._p_fill)
        (self._p_line,) = ax.plot([], [], color=P_COLOR, lw=1.6, zorder=2, label="p (bimodal)")
        (self._forward,) = ax.plot(
            [], [], color=FORWARD_COLOR, lw=2.2, zorder=3, label="argmin KL(p‖q)"
        )
        (self._reverse,) = ax.plot(
            [], [], color=REVERSE_COLOR, lw=2.2, zorder=4, label="argmin KL(q‖p)"
        )
        (self._reverse_other,) = ax.plot(
            [], [], color=REVERSE_COLOR, lw=1.2, ls=":", zorder=4, label="other local min."
        )
        (self._hand,) = ax.plot([], [], color=HAND_COLOR, lw=1.5, ls="--", zorder=5, label="your q")
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.7), fontsize=8)
        self._animate(
            self._p_fill,
            self._p_line,
            self._forward,
            self._reverse,
            self._reverse_other,
            self._hand,
        )
        # the table: static headers and row labels; the 12 numbers are ONE animated text in
        # a monospaced font with fixed-width fields (each Text costs ~1 ms to draw, each
        # character ~0.05 ms, so one compact text is the cheapest way to show them)
        mono = {
            "family": "DejaVu Sans Mono",
            "fontsize": 8,
            "va": "top",
            "ha": "left",
            "transform": ax.transAxes,
            "zorder": 9,
        }
        ax.add_patch(
            FancyBboxPatch(
                (0.015, 0.71),
                0.625,
                0.275,
                transform=ax.transAxes,
                boxstyle="round,pad=0.01",
                facecolor="white",
                edgecolor="#BBBBBB",
                alpha=0.92,
                zorder=8,
            )
        )
        ax.text(
            0.265, 0.975, self.ROW.format("μ", "σ", "KL(p‖q)", "KL(q‖p)"), color="#444444", **mono
        )
        for i, (label, color) in enumerate(
            (
                ("argmin KL(p‖q)", FORWARD_COLOR),
                ("argmin KL(q‖p)", REVERSE_COLOR),
                ("your q", HAND_COLOR),
            )
        ):
            ax.text(0.025, 0.975 - 0.055 * (i + 1), label, color=color, **mono)
        self._table = ax.text(0.265, 0.975 - 0.055, "", color="#222222", linespacing=1.38, **mono)
        self._animate(self._table)
        self._note = ax.text(
            0.025,
            0.745,
            "",
            transform=ax.transAxes,
            fontsize=8,
            va="center",
            ha="left",
            color=REVERSE_COLOR,
            zorder=9,
        )

    def _setup_kl(self, ax: Axes) -> None:
        ax.set(xlim=self.X_RANGE, ylim=(0.0, self.KL_TOP))
        ax.set_xlabel("μ of q (σ = your σ)")
        ax.set_ylabel("divergence (nats)")
        ax.set_title("both divergences against μ")
        (self._curve_pq,) = ax.plot([], [], color=FORWARD_COLOR, lw=2.0, label="KL(p‖q)")
        (self._curve_qp,) = ax.plot([], [], color=REVERSE_COLOR, lw=2.0, label="KL(q‖p)")
        self._mu_line = ax.axvline(0.0, color=HAND_COLOR, lw=1.0, ls="--")
        (self._dot_pq,) = ax.plot([], [], "o", color=FORWARD_COLOR, ms=6, zorder=5)
        (self._dot_qp,) = ax.plot([], [], "o", color=REVERSE_COLOR, ms=6, zorder=5)
        ax.legend(loc="upper right")
        self._animate(self._curve_pq, self._curve_qp, self._mu_line, self._dot_pq, self._dot_qp)

    def _static_key(self) -> Hashable:
        return self._note.get_text()  # the note under the table changes only with p

    def _update(self) -> None:
        p = self.mixture()
        forward, optima = self.fits()
        reverse = optima[0]
        mu, sigma = float(self.value("mu")), float(self.value("sigma"))
        hand_pq, hand_qp = (
            float(design.kl_forward(p, mu, sigma)),
            float(design.kl_reverse(p, mu, sigma)),
        )

        density = np.asarray(p.pdf(self.x))
        self._p_fill.set_xy(
            np.column_stack([np.r_[self.x[0], self.x, self.x[-1]], np.r_[0.0, density, 0.0]])
        )
        self._p_line.set_data(self.x, density)
        self._forward.set_data(self.x, _gaussian(self.x, forward.mu, forward.sigma))
        self._reverse.set_data(self.x, _gaussian(self.x, reverse.mu, reverse.sigma))
        if len(optima) > 1:
            other = optima[1]
            self._reverse_other.set_data(self.x, _gaussian(self.x, other.mu, other.sigma))
        else:
            self._reverse_other.set_data([], [])
        self._hand.set_data(self.x, _gaussian(self.x, mu, sigma))

        grid = self.MU_GRID
        curve_pq = np.asarray(design.kl_forward(p, grid, sigma))
        curve_qp = np.asarray(design.kl_reverse(p, grid, sigma, n_nodes=self.CURVE_NODES))
        top = 1.5 * self.KL_TOP  # keep the drawn segments inside reach of the axes
        self._curve_pq.set_data(grid, np.minimum(curve_pq, top))
        self._curve_qp.set_data(grid, np.minimum(curve_qp, top))
        self._mu_line.set_xdata([mu, mu])
        self._dot_pq.set_data([mu], [min(hand_pq, top)])
        self._dot_qp.set_data([mu], [min(hand_qp, top)])

        n_optima = len(optima)
        self._note.set_text(
            "KL(q‖p) has 2 local minima (dotted: the other)"
            if n_optima > 1
            else "KL(q‖p) has a single minimum here"
        )
        self._table.set_text(
            "\n".join(
                self.ROW.format(f"{m:.2f}", f"{sd:.2f}", f"{pq:.2f}", f"{qp:.2f}")
                for m, sd, pq, qp in (
                    (forward.mu, forward.sigma, forward.kl_pq, forward.kl_qp),
                    (reverse.mu, reverse.sigma, reverse.kl_pq, reverse.kl_qp),
                    (mu, sigma, hand_pq, hand_qp),
                )
            )
        )
        self._show(
            separation=float(self.value("separation")),
            weight=float(self.value("weight")),
            forward_mu=forward.mu,
            forward_sigma=forward.sigma,
            forward_kl_pq=forward.kl_pq,
            forward_kl_qp=forward.kl_qp,
            reverse_mu=reverse.mu,
            reverse_sigma=reverse.sigma,
            reverse_kl_pq=reverse.kl_pq,
            reverse_kl_qp=reverse.kl_qp,
            n_reverse_optima=n_optima,
            q_mu=mu,
            q_sigma=sigma,
            q_kl_pq=hand_pq,
            q_kl_qp=hand_qp,
        )


# ======================================================================================
# PGDExplorer
# ======================================================================================


MODEL_LABELS = {"standard": "standard training", "adversarial": "adversarial training"}


class PGDExplorer(Demo):
    """Two moons under an L∞ PGD attack of radius ε, for a standard and a robust MLP.

    Both models are the tanh MLP of :func:`lossviz.design.train_moons_models` (16 hidden
    units), one trained on the clean data and one with
    :func:`lossviz.design.adversarial_training` at ``train_eps``. Left: the decision
    regions of the selected model, the test points faint at their clean positions, each
    moved by :func:`lossviz.design.pgd_attack` (10 steps of size 2.5ε/10 from a random
    start, ``seed``) with an arrow, the points the attack pushes across the boundary ringed,
    and the ε-box around one highlighted point (the correctly classified test point
    closest to the standard model's boundary). Right: the robust accuracy against ε of
    both models (computed at construction on the slider's grid), with the current ε marked.

    Args:
        eps: initial attack radius ε (slider 0 to 0.4, step 0.01).
        model: ``"standard"`` or ``"adversarial"``.
        train_eps: the adversarial training radius.
        n_train: training points.
        n_test: test points shown and attacked.
        noise: the moons' noise.
        epochs: training epochs of each model.
        seed: random seed (data, models, attack).
        figsize: figure size in inches.
        dpi: resolution.

    Controls: ``eps`` (ε), ``model``.
    Numbers: ``eps``, ``clean_accuracy``, ``robust_accuracy``, ``n_flipped`` (test points
    correct when clean and wrong under attack), ``robust_accuracy_standard`` and
    ``robust_accuracy_adversarial`` (both curves at ε), ``highlight_margin`` (the
    highlighted point's margin (2y − 1)·f after the attack).
    """

    caption = (
        "PGD moves every test point by at most ε in each coordinate, in the direction that "
        "raises its loss; ringed points end up on the wrong side. The standard model's "
        "boundary runs close to the data, so a small ε already flips many points. "
        "Adversarial training (min over the weights of the max over the ε-box) pushes the "
        "boundary away from the points: its robust accuracy falls far more slowly with ε."
    )
    alt_text = (
        "Two panels. Left: two interleaved half-moons of test points on decision regions of "
        "a small neural network, with short arrows from each point to its adversarially "
        "perturbed copy, ringed points that crossed the boundary, and a square box of "
        "half-width epsilon around one highlighted point. Right: robust accuracy against "
        "epsilon for a standard and an adversarially trained model, the standard curve "
        "falling faster, with a vertical line at the current epsilon."
    )

    figsize = (9.6, 4.3)
    EPS_RANGE = (0.0, 0.4)
    EPS_STEP = 0.01
    X_LIM = (-1.7, 2.7)
    Y_LIM = (-1.25, 1.75)
    STEPS = 10

    def __init__(
        self,
        eps: float = 0.15,
        model: str = "standard",
        *,
        train_eps: float = 0.2,
        n_train: int = 300,
        n_test: int = 200,
        noise: float = 0.15,
        epochs: int = 500,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        if model not in MODEL_LABELS:
            raise ValueError(f"model must be one of {list(MODEL_LABELS)}; got {model!r}.")
        self._init = {"eps": eps, "model": model}
        self.seed = seed
        trained, self.X_train, self.y_train = design.train_moons_models(
            train_eps=train_eps,
            n_train=n_train,
            noise=noise,
            epochs=epochs,
            seed=seed,
            kinds=("mlp",),
        )
        self.models = {"standard": trained["mlp"], "adversarial": trained["mlp_adversarial"]}
        self.train_eps = float(train_eps)
        self.X, self.y = two_moons(n_test, noise=noise, seed=seed + 1)
        low, high = self.EPS_RANGE
        self.eps_grid = np.round(
            np.linspace(low, high, round((high - low) / self.EPS_STEP) + 1), 10
        )
        self.curves = {
            name: np.array(
                [
                    design.robust_accuracy(m, self.X, self.y, float(e), steps=self.STEPS, seed=seed)
                    for e in self.eps_grid
                ]
            )
            for name, m in self.models.items()
        }
        f_std = self.models["standard"].forward(self.X)
        correct = (f_std > 0) == (self.y == 1)
        self.highlight = int(np.flatnonzero(correct)[np.argmin(np.abs(f_std[correct]))])
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def attack(self, eps: float, model: str | None = None) -> FloatArray:
        """δ of the PGD attack on the test points (the same call as the accuracy curves)."""
        return design.pgd_attack(
            self.models[model or self.value("model")],
            self.X,
            self.y,
            eps=eps,
            steps=self.STEPS,
            seed=self.seed,
        )

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "eps": _slider(self._init["eps"], *self.EPS_RANGE, self.EPS_STEP, "ε (L∞ radius)"),
            "model": widgets.ToggleButtons(
                options=[(label, name) for name, label in MODEL_LABELS.items()],
                value=self._init["model"],
                style={"button_width": "150px"},
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.13, top=0.9, wspace=0.22)
        self.ax_data, self.ax_curve = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        self._setup_data(self.ax_data)
        self._setup_curve(self.ax_curve)

    def _setup_data(self, ax: Axes) -> None:
        ax.set(xlim=self.X_LIM, ylim=self.Y_LIM, aspect="equal")
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        self._data_title = ax.set_title(" ")
        gx = np.linspace(*self.X_LIM, 220)
        gy = np.linspace(*self.Y_LIM, 150)
        GX, GY = np.meshgrid(gx, gy)
        grid = np.column_stack([GX.ravel(), GY.ravel()])
        regions = ListedColormap(["#DCEBF5", "#F8E1D2"])  # light sky blue / light vermillion
        self._backgrounds_by_model = {}
        for name, model in self.models.items():
            f = model.forward(grid).reshape(GX.shape)
            image = ax.imshow(
                (f > 0).astype(float),
                extent=(*self.X_LIM, *self.Y_LIM),
                origin="lower",
                cmap=regions,
                vmin=0,
                vmax=1,
                aspect="auto",
                interpolation="nearest",
                zorder=0,
            )
            contour = ax.contour(
                GX, GY, f, levels=[0.0], colors="#444444", linewidths=1.4, zorder=1
            )
            self._backgrounds_by_model[name] = (image, contour)
        colors = np.where(
            self.y[:, None] == 1, _rgba(ROLE_COLORS["positive"]), _rgba(ROLE_COLORS["negative"])
        )
        ax.scatter(self.X[:, 0], self.X[:, 1], s=10, c=colors, alpha=0.35, linewidths=0, zorder=2)
        self._arrows = LineCollection([], colors="#555555", linewidths=0.7, zorder=3)
        ax.add_collection(self._arrows)
        self._moved = ax.scatter(self.X[:, 0], self.X[:, 1], s=14, c=colors, linewidths=0, zorder=4)
        self._flipped = ax.scatter(
            [], [], s=60, facecolors="none", edgecolors="#111111", linewidths=1.1, zorder=5
        )
        self._box = Rectangle(
            (0.0, 0.0), 0.0, 0.0, fill=False, edgecolor="#111111", lw=1.4, zorder=6
        )
        ax.add_patch(self._box)
        (self._star,) = ax.plot([], [], marker="*", ms=12, color="#111111", ls="none", zorder=7)
        self._animate(self._arrows, self._moved, self._flipped, self._box, self._star)

    def _setup_curve(self, ax: Axes) -> None:
        ax.set(xlim=self.EPS_RANGE, ylim=(0.0, 1.25))
        ax.set_yticks(np.linspace(0.0, 1.0, 6))
        ax.set_xlabel("ε (L∞ radius of the attack)")
        ax.set_ylabel("robust test accuracy")
        ax.set_title("accuracy under a 10-step PGD attack")
        for name, color in (
            ("standard", OKABE_ITO["reddish_purple"]),
            ("adversarial", OKABE_ITO["bluish_green"]),
        ):
            label = (
                f"{MODEL_LABELS[name]}"
                if name == "standard"
                else f"{MODEL_LABELS[name]} (ε = {self.train_eps:g})"
            )
            ax.plot(self.eps_grid, self.curves[name], color=color, lw=2.0, label=label)
        ax.axvline(self.train_eps, color=ROLE_COLORS["muted"], lw=1.0, ls=":")
        ax.legend(loc="lower left")
        self._eps_line = ax.axvline(0.0, ymax=1.02 / 1.25, color=ROLE_COLORS["threshold"], lw=1.2)
        (self._eps_dot,) = ax.plot([], [], "o", color="#111111", ms=7, zorder=5)
        mono = {
            "family": "DejaVu Sans Mono",
            "fontsize": 8.5,
            "va": "top",
            "transform": ax.transAxes,
            "zorder": 9,
        }
        ax.text(
            0.175, 0.975, "clean accuracy\nrobust accuracy (PGD)\npoints flipped", ha="left", **mono
        )
        self._values = ax.text(0.16, 0.975, "", ha="right", ma="right", **mono)
        self._animate(self._values)
        self._animate(self._eps_line, self._eps_dot)

    def _static_key(self) -> Hashable:
        return self.value("model")

    def _update(self) -> None:
        name = self.value("model")
        eps = float(self.value("eps"))
        for key, (image, contour) in self._backgrounds_by_model.items():
            image.set_visible(key == name)
            contour.set_visible(key == name)
        self._data_title.set_text(f"{MODEL_LABELS[name]}: test points under attack")
        model = self.models[name]
        delta = self.attack(eps, name)
        moved = self.X + delta
        margin_clean = (2 * self.y - 1) * model.forward(self.X)
        margin = (2 * self.y - 1) * model.forward(moved)
        flipped = (margin_clean > 0) & (margin <= 0)
        self._moved.set_offsets(moved)
        self._arrows.set_segments(np.stack([self.X, moved], axis=1))
        self._flipped.set_offsets(moved[flipped] if flipped.any() else np.empty((0, 2)))
        h = self.highlight
        self._box.set_xy((self.X[h, 0] - eps, self.X[h, 1] - eps))
        self._box.set_width(2 * eps)
        self._box.set_height(2 * eps)
        self._star.set_data([moved[h, 0]], [moved[h, 1]])

        index = int(np.argmin(np.abs(self.eps_grid - eps)))
        on_grid = abs(self.eps_grid[index] - eps) < 1e-9
        robust = float(np.mean(margin > 0))
        clean = float(np.mean(margin_clean > 0))
        self._eps_line.set_xdata([eps, eps])
        self._eps_dot.set_data([eps], [robust])
        self._values.set_text(f"{clean:.3f}\n{robust:.3f}\n{int(flipped.sum())}")
        other = {
            key: (
                float(curve[index])
                if on_grid
                else design.robust_accuracy(
                    self.models[key], self.X, self.y, eps, steps=self.STEPS, seed=self.seed
                )
            )
            for key, curve in self.curves.items()
        }
        self._show(
            eps=eps,
            model=name,
            clean_accuracy=clean,
            robust_accuracy=robust,
            n_flipped=int(flipped.sum()),
            robust_accuracy_standard=other["standard"],
            robust_accuracy_adversarial=other["adversarial"],
            highlight_margin=float(margin[h]),
        )


def _rgba(color: str) -> FloatArray:
    from matplotlib.colors import to_rgba

    return np.asarray(to_rgba(color))
