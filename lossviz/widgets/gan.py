"""Chapter 05 demos: the closed-form 1-D GAN, the Dirac-GAN and a 2-D GAN in training.

- :class:`GaussianGAN1D`: data N(0, 1) against a generator N(μ_g, σ_g²). The μ_g and σ_g
  sliders move the generator's density, the optimal discriminator D* = p_data / (p_data + p_g),
  the value V(D*, G) = 2·JS − log 4, and the generator's gradient under the minimax and the
  non-saturating loss (plotted against μ_g on a log scale: the minimax gradient collapses
  as the generator moves away from the data, the non-saturating one does not).
- :class:`DiracGAN`: the vector field of the Dirac-GAN (Mescheder et al. 2018) and a
  trajectory of gradient steps through it, with the distance to the equilibrium per step;
  the update scheme, discriminator steps, R1 gradient penalty and step size are controls.
- :class:`GANTraining2D`: precomputed runs of :func:`lossviz.gan.train_gan_2d` on the ring
  of eight Gaussians, stepped (or played) snapshot by snapshot: samples, both losses with
  a cursor, and which modes are covered when.

Every number shown comes from :mod:`lossviz.gan` (the tests compare them with it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import NDArray

from .. import gan
from ..style import LOSS_COLORS, OKABE_ITO, ROLE_COLORS
from ._base import Demo
from .foundations import _fmt

__all__ = ["DiracGAN", "GANTraining2D", "GaussianGAN1D"]

FloatArray = NDArray[np.float64]

#: One colour per generator loss, the same in every figure of the chapter.
GENERATOR_COLORS = {"minimax": LOSS_COLORS["gan_generator_minimax"],
                    "nonsaturating": LOSS_COLORS["gan_generator_nonsaturating"]}
_DATA_COLOR = "#4D4D4D"
_GEN_COLOR = OKABE_ITO["orange"]
_D_COLOR = LOSS_COLORS["gan_discriminator"]  # the discriminator is blue, like every log loss
_BOX = {"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#BBBBBB", "alpha": 0.92}


def _slider(value: float, low: float, high: float, step: float, description: str,
            fmt: str = ".2f") -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=step, description=description,
        readout_format=fmt, style={"description_width": "initial"},
        layout=widgets.Layout(width="300px"),
    )


# ======================================================================================
# GaussianGAN1D
# ======================================================================================


class GaussianGAN1D(Demo):
    """The closed-form 1-D GAN: densities, D*, the value and the generator's two gradients.

    Data :math:`p_\\text{data} = \\mathcal N(0, 1)`, generator :math:`p_g = \\mathcal N(\\mu_g,
    \\sigma_g^2)`, i.e. :math:`G(z) = \\mu_g + \\sigma_g z`. Left: the two densities.
    Middle: the optimal discriminator :math:`D^*(x) = p_\\text{data} / (p_\\text{data} + p_g)`,
    ½ everywhere only when :math:`p_g = p_\\text{data}`. Right: the size of the generator's
    gradient :math:`|\\partial L / \\partial \\mu_g|` under the minimax loss
    :math:`\\log(1 - D)` and the non-saturating loss :math:`-\\log D` against :math:`\\mu_g`
    (log scale; the discriminator frozen at :math:`D^*`), with the current
    :math:`\\mu_g` marked. The readout prints :math:`V(D^*, G)`, :math:`2\\,\\mathrm{JS} -
    \\log 4` (equal, to 1e-12), JS, :math:`W_1` and both gradients
    (``lossviz.gan.gaussian_gan``).

    Args:
        mu_g: initial generator mean (slider −6 to 6).
        sigma_g: initial generator standard deviation (slider 0.2 to 3).
        figsize, dpi: figure size and resolution.

    Controls: ``mu_g``, ``sigma_g``.
    Numbers: ``mu_g``, ``sigma_g``, ``value`` (V(D*, G)), ``two_js_minus_log4``, ``js``,
    ``w1``, ``grad_mu_minimax``, ``grad_mu_nonsaturating``, ``grad_sigma_minimax``,
    ``grad_sigma_nonsaturating``, ``ratio`` (non-saturating over minimax |∂L/∂μ_g|, or
    ``inf`` when the minimax gradient is exactly 0).
    """

    caption = (
        "Move μ_g away from the data: D* rejects the generator's samples ever more confidently, "
        "V(D*, G) climbs to 0 (JS to log 2), and the minimax gradient (vermillion) collapses "
        "by orders of magnitude while the non-saturating gradient (green) keeps growing. Both "
        "vanish only at μ_g = 0, σ_g = 1."
    )
    alt_text = (
        "Three panels. Left: the standard normal data density and the generator's Gaussian "
        "density, shifted to the right. Middle: the optimal discriminator, near 1 where the data "
        "lies and near 0 under the generator, with a dashed line at one half. Right: on a log "
        "scale, the size of the generator's gradient against the generator mean for the minimax "
        "loss, which falls steeply away from zero, and for the non-saturating loss, which grows; "
        "dots mark the current mean. A readout above prints the value, the Jensen-Shannon "
        "divergence, the Wasserstein distance and both gradients."
    )

    figsize = (10.4, 3.9)
    X_RANGE = (-8.0, 8.0)
    MU_RANGE = (-6.0, 6.0)
    SIGMA_RANGE = (0.2, 3.0)
    GRAD_RANGE = (1e-6, 3e1)

    def __init__(
        self,
        mu_g: float = 3.0,
        sigma_g: float = 1.0,
        *,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self._init = {"mu_g": mu_g, "sigma_g": sigma_g}
        self.x = np.linspace(*self.X_RANGE, 481)
        self.mu_grid = np.linspace(*self.MU_RANGE, 241)
        self.p_data = np.exp(gan.gaussian_logpdf(self.x, 0.0, 1.0))
        super().__init__(figsize=figsize, dpi=dpi)

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "mu_g": _slider(self._init["mu_g"], *self.MU_RANGE, 0.05, "generator mean μ_g"),
            "sigma_g": _slider(self._init["sigma_g"], *self.SIGMA_RANGE, 0.05,
                               "generator spread σ_g"),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.72, wspace=0.32)
        self.ax_density, self.ax_d, self.ax_grad = fig.subplots(1, 3)
        ax = self.ax_density
        ax.set(xlim=self.X_RANGE, ylim=(0.0, 2.1))
        ax.set_xlabel("x")
        ax.set_ylabel("density")
        ax.set_title("data and generator")
        ax.plot(self.x, self.p_data, color=_DATA_COLOR, lw=2.0, label="p_data = N(0, 1)")
        (self._p_g,) = ax.plot([], [], color=_GEN_COLOR, lw=2.0, label="p_g = N(μ_g, σ_g²)")
        ax.legend(loc="upper left", fontsize=8)

        ax = self.ax_d
        ax.set(xlim=self.X_RANGE, ylim=(-0.03, 1.03))
        ax.set_xlabel("x")
        ax.set_ylabel("D*(x)")
        ax.set_title("optimal discriminator")
        ax.axhline(0.5, color=ROLE_COLORS["muted"], lw=1.0, ls="--")
        ax.text(self.X_RANGE[0] + 0.3, 0.52, "½: can't tell", fontsize=8,
                color=ROLE_COLORS["muted"], va="bottom")
        (self._d_star,) = ax.plot([], [], color=_D_COLOR, lw=2.2)

        ax = self.ax_grad
        ax.set_yscale("log")
        ax.set(xlim=self.MU_RANGE, ylim=self.GRAD_RANGE)
        ax.set_xlabel("generator mean μ_g")
        ax.set_ylabel("|∂L/∂μ_g|")
        ax.set_title("generator gradient (D = D*)")
        self._grad_lines = {
            loss: ax.plot([], [], color=color, lw=2.0, label=label)[0]
            for (loss, color), label in zip(GENERATOR_COLORS.items(),
                                            ("minimax", "non-saturating"), strict=True)
        }
        self._grad_points = {loss: ax.plot([], [], "o", color=color, ms=6, zorder=5)[0]
                             for loss, color in GENERATOR_COLORS.items()}
        ax.legend(loc="lower left", fontsize=8, handlelength=1.5)
        self._mu_line = ax.axvline(0.0, color=ROLE_COLORS["threshold"], lw=1.0)
        self._animate(self._p_g, self._d_star, *self._grad_lines.values(), self._mu_line,
                      *self._grad_points.values())
        self._numbers_readout = self._readout(
            fig, 0.06, 0.975,
            "V(D*, G) = {value:>8}   2·JS − log 4 = {identity:>8}   JS = {js:>6} nats"
            "   W₁ = {w1:>6}\n"
            "∂L/∂μ_g:  minimax {gmm:>9}   non-saturating {gns:>9}   ratio {ratio:>8}\n"
            "∂L/∂σ_g:  minimax {smm:>9}   non-saturating {sns:>9}",
            transform=fig.transFigure, ha="left", va="top", fontsize=9,
        )

    def _update(self) -> None:
        mu, sigma = float(self.value("mu_g")), float(self.value("sigma_g"))
        r = gan.gaussian_gan(mu, sigma)
        p_g = np.exp(gan.gaussian_logpdf(self.x, mu, sigma))
        self._p_g.set_data(self.x, p_g)
        self._d_star.set_data(self.x, gan.optimal_discriminator(self.p_data, p_g))
        for loss, line in self._grad_lines.items():
            g_mu, _ = gan._generator_gradients(self.mu_grid, sigma, loss, 0.0, 1.0, 80)
            line.set_data(self.mu_grid, np.abs(g_mu))
        grads = {"minimax": r.grad_minimax, "nonsaturating": r.grad_nonsaturating}
        for loss, point in self._grad_points.items():
            size = abs(grads[loss][0])
            point.set_data([mu], [size] if size > 0 else [np.nan])
        self._mu_line.set_xdata([mu, mu])
        g_mm, g_ns = abs(r.grad_minimax[0]), abs(r.grad_nonsaturating[0])
        ratio = g_ns / g_mm if g_mm > 0 else (1.0 if g_ns == 0 else np.inf)
        identity = 2.0 * r.js - np.log(4.0)
        self._numbers_readout.set(
            value=_fmt(r.value_optimal, 4), identity=_fmt(identity, 4), js=_fmt(r.js),
            w1=_fmt(r.w1), gmm=_fmt(r.grad_minimax[0]), gns=_fmt(r.grad_nonsaturating[0]),
            ratio=_fmt(ratio, 2), smm=_fmt(r.grad_minimax[1]),
            sns=_fmt(r.grad_nonsaturating[1]),
        )
        self._show(mu_g=mu, sigma_g=sigma, value=r.value_optimal, two_js_minus_log4=identity,
                   js=r.js, w1=r.w1, grad_mu_minimax=r.grad_minimax[0],
                   grad_mu_nonsaturating=r.grad_nonsaturating[0],
                   grad_sigma_minimax=r.grad_minimax[1],
                   grad_sigma_nonsaturating=r.grad_nonsaturating[1],
                   ratio=float(min(ratio, 1e300)))


# ======================================================================================
# DiracGAN
# ======================================================================================


_MODE_LABELS = {"simultaneous": "simultaneous", "alternating": "alternating (D, then G)"}


class DiracGAN(Demo):
    """The Dirac-GAN's vector field and a run of gradient steps through it.

    Mescheder et al. (2018): data :math:`\\delta_0`, generator :math:`\\delta_\\theta`,
    discriminator :math:`D_\\psi(x) = \\sigma(\\psi x)`; the only equilibrium is
    :math:`(\\theta, \\psi) = (0, 0)`. Left: the field :math:`v(\\theta, \\psi)` the players
    follow (``lossviz.gan.dirac_gan_field``, including the R1 penalty) and the iterates of
    ``steps`` updates from :math:`(1, 0)` (``lossviz.gan.dirac_gan_trajectory``). Right: the
    distance to the equilibrium per step, log scale. Simultaneous steps spiral out,
    alternating steps circle, a gradient penalty γ > 0 pulls the iterates in. The readout
    prints the final distance and the spectral radius of the update at the equilibrium
    (``lossviz.gan.dirac_gan_spectral_radius``): above 1 spirals out, 1 circles, below 1
    converges.

    Args:
        mode: ``"simultaneous"`` or ``"alternating"``.
        n_critic: discriminator steps per generator step (slider 1 to 5).
        gp: R1 gradient-penalty weight γ (slider 0 to 1).
        lr: step size η (slider 0.02 to 0.5).
        steps: generator steps per run.
        theta0, psi0: the start.
        figsize, dpi: figure size and resolution.

    Controls: ``mode``, ``n_critic``, ``gp``, ``lr``.
    Numbers: ``final_distance``, ``max_distance``, ``spectral_radius``, ``verdict``
    ("spirals out", "circles" or "converges"), ``steps``, ``diverged`` (0 or 1).
    """

    caption = (
        "Simultaneous gradient steps spiral away from the equilibrium (0, 0) for every step "
        "size: the update's spectral radius is √(1 + η²/4) > 1. Alternating steps circle it "
        "forever (radius exactly 1). Only a gradient penalty γ > 0 on the discriminator makes "
        "the iterates converge."
    )
    alt_text = (
        "Two panels. Left: a field of arrows circling the origin in the plane of the generator "
        "parameter theta and the discriminator parameter psi, with a trajectory of gradient "
        "steps starting at (1, 0) spiralling outward. Right: the distance to the equilibrium "
        "against the step number on a log scale, rising steadily, with the final distance and "
        "the spectral radius printed."
    )

    figsize = (9.6, 4.2)
    LIMIT = 2.2
    DIST_RANGE = (1e-4, 1e2)

    def __init__(
        self,
        mode: str = "simultaneous",
        n_critic: int = 1,
        gp: float = 0.0,
        lr: float = 0.1,
        *,
        steps: int = 300,
        theta0: float = 1.0,
        psi0: float = 0.0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        if mode not in gan.DIRAC_MODES:
            raise ValueError(f"mode must be one of {list(gan.DIRAC_MODES)}; got {mode!r}.")
        self._init = {"mode": mode, "n_critic": n_critic, "gp": gp, "lr": lr}
        self.steps, self.theta0, self.psi0 = int(steps), float(theta0), float(psi0)
        g = np.linspace(-self.LIMIT * 0.92, self.LIMIT * 0.92, 14)  # no arrow on the axes
        self._grid_theta, self._grid_psi = np.meshgrid(g, g)
        super().__init__(figsize=figsize, dpi=dpi)

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "mode": widgets.Dropdown(
                options=[(label, name) for name, label in _MODE_LABELS.items()],
                value=self._init["mode"], description="updates",
                layout=widgets.Layout(width="260px"),
            ),
            "n_critic": widgets.IntSlider(
                value=self._init["n_critic"], min=1, max=5, step=1, description="D steps",
                style={"description_width": "initial"}, layout=widgets.Layout(width="220px"),
            ),
            "gp": _slider(self._init["gp"], 0.0, 1.0, 0.05, "gradient penalty γ"),
            "lr": _slider(self._init["lr"], 0.02, 0.5, 0.01, "step size η"),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.07, right=0.985, bottom=0.13, top=0.9, wspace=0.25)
        self.ax_field, self.ax_dist = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
        ax = self.ax_field
        ax.set(xlim=(-self.LIMIT, self.LIMIT), ylim=(-self.LIMIT, self.LIMIT), aspect="equal")
        ax.set_xlabel("generator θ")
        ax.set_ylabel("discriminator ψ")
        ax.set_title("vector field and iterates")
        ax.plot([0.0], [0.0], "*", color="#222222", ms=11, zorder=6)
        ax.annotate("equilibrium", (0.0, 0.0), xytext=(6, -12), textcoords="offset points",
                    fontsize=8)
        self._quiver = ax.quiver(self._grid_theta, self._grid_psi,
                                 np.zeros_like(self._grid_theta), np.zeros_like(self._grid_psi),
                                 color=ROLE_COLORS["muted"], angles="xy", scale_units="xy",
                                 scale=1.0, width=0.004, zorder=2)
        (self._path,) = ax.plot([], [], color=OKABE_ITO["blue"], lw=1.3, zorder=4)
        (self._start,) = ax.plot([], [], "o", color=OKABE_ITO["blue"], ms=5, zorder=5)
        (self._end,) = ax.plot([], [], "o", color=OKABE_ITO["vermillion"], ms=6, zorder=5)

        ax = self.ax_dist
        ax.set_yscale("log")
        ax.set(xlim=(0, self.steps), ylim=self.DIST_RANGE)
        ax.set_xlabel("generator step")
        ax.set_ylabel("distance to equilibrium √(θ² + ψ²)")
        ax.set_title("distance to (0, 0)")
        ax.axhline(np.hypot(self.theta0, self.psi0), color=ROLE_COLORS["muted"], lw=1.0, ls="--")
        (self._dist,) = ax.plot([], [], color=OKABE_ITO["blue"], lw=2.0)
        self._animate(self._quiver, self._path, self._start, self._end, self._dist)
        self._numbers_readout = self._readout(
            ax, 0.97, 0.96,
            "{verdict:<12}  spectral radius {radius:>8}\n"
            "distance after {steps:>4} steps = {final:>9}",
            transform=ax.transAxes, ha="right", va="top", ma="left", bbox=_BOX, zorder=8,
        )  # above distance 20, where no run of 300 steps from (1, 0) reaches

    def _update(self) -> None:
        mode, n_critic = self.value("mode"), int(self.value("n_critic"))
        gp, lr = float(self.value("gp")), float(self.value("lr"))
        v_theta, v_psi = gan.dirac_gan_field(self._grid_theta, self._grid_psi, gp=gp)
        # arrows show the direction; their length |v|/(1 + |v|) compresses the fast corners
        speed = np.hypot(v_theta, v_psi)
        shrink = np.divide(0.45, 1.0 + speed, out=np.zeros_like(speed), where=speed > 0)
        self._quiver.set_UVC(v_theta * shrink, v_psi * shrink)
        run = gan.dirac_gan_trajectory(self.theta0, self.psi0, lr=lr, steps=self.steps,
                                       mode=mode, n_critic=n_critic, gp=gp)
        self._path.set_data(run.theta, run.psi)
        self._start.set_data([run.theta[0]], [run.psi[0]])
        self._end.set_data([run.theta[-1]], [run.psi[-1]])
        self._dist.set_data(np.arange(run.distance.size),
                            np.clip(run.distance, *self.DIST_RANGE))
        radius = gan.dirac_gan_spectral_radius(lr=lr, mode=mode, n_critic=n_critic, gp=gp)
        if radius > 1.0 + 1e-9:
            verdict = "spirals out"
        elif radius < 1.0 - 1e-9:
            verdict = "converges"
        else:
            verdict = "circles"
        final = run.final_distance
        self._numbers_readout.set(verdict=verdict + ("!" if run.diverged else ""),
                                  radius=f"{radius:.5f}", steps=str(run.distance.size - 1),
                                  final=_fmt(final, 4))
        self._show(final_distance=final, max_distance=float(run.distance.max()),
                   spectral_radius=radius, verdict=verdict, steps=run.distance.size - 1,
                   diverged=int(run.diverged))


# ======================================================================================
# GANTraining2D
# ======================================================================================


#: Names of the 2-D GAN losses in the dropdown and the titles.
RUN_LABELS = {
    "nonsaturating": "non-saturating GAN",
    "minimax": "minimax GAN",
    "lsgan": "least-squares GAN",
    "wgan-gp": "WGAN-GP",
    "wgan-clip": "WGAN, weight clipping",
}
_MODE_COLOR = OKABE_ITO["blue"]


def _smooth(values: FloatArray, window: int) -> FloatArray:
    """A trailing moving average (the first ``window - 1`` points average what there is)."""
    if window <= 1:
        return values.copy()
    sums = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, values.size + 1), window)
    return (sums[1:] - sums[np.maximum(np.arange(1, values.size + 1) - window, 0)]) / counts


def _loss_limits(run: gan.GANRun) -> tuple[float, float]:
    """y-limits holding the bulk (1st to 99th percentile) of both loss curves."""
    both = np.concatenate([run.d_loss, run.g_loss])
    low, high = np.percentile(both, [1.0, 99.0])
    pad = 0.08 * (high - low) if high > low else 0.5
    return float(low - pad), float(high + pad)


class GANTraining2D(Demo):
    """Step through the training of a tiny 2-D GAN: samples, losses and modes covered.

    Every run is trained once, up front (:func:`lossviz.gan.train_gan_2d`, a snapshot of
    the generator every few steps); the controls only pick a precomputed snapshot, so
    moving them is fast. Left: the generator's samples (one fixed batch of noise) over the
    data, the ring of eight Gaussians; the eight mode centres are numbered and filled when
    the snapshot covers them. Middle: the discriminator's (critic's) and the generator's
    loss at every step (faint) and their moving average, with a cursor at the current
    step. Right: modes covered against the step (top) and *which* modes (bottom, one row
    per mode): a generator that hops from mode to mode shows a staircase of short bars.
    The readout prints the step, both losses at that step
    (:meth:`lossviz.gan.GANRun.losses_at`), the modes covered, the share of high-quality
    samples, the samples' spread and the mean slope of the critic
    :math:`\\|\\nabla_x f\\|` between data and samples (about 1 for WGAN-GP).

    Args:
        runs: precomputed runs, name -> :class:`lossviz.gan.GANRun` (e.g. the ones the
            notebook already trained); the names are the dropdown's options. ``None``
            trains ``losses`` with ``train_kwargs``.
        losses: the losses to train when ``runs`` is None.
        train_kwargs: keyword arguments for :func:`lossviz.gan.train_gan_2d` when ``runs``
            is None (default: 1500 steps, a snapshot every 50).
        loss: the initial run (default: the first).
        snapshot: the initial snapshot index (default: the last; negative counts from
            the end, as in Python).
        figsize: figure size in inches.
        dpi: resolution of the live image.

    Runs may have different snapshot schedules: the ``step`` slider runs over the longest
    and a shorter run shows its last snapshot beyond its end.

    Controls: ``loss`` (dropdown), ``step`` (slider over the snapshots). An
    ``ipywidgets.Play`` (``play``), linked to ``step``, animates the training; it is
    shown next to the controls but is not in ``controls`` (it drives ``step``).
    Numbers: ``loss`` (the run's name), ``snapshot`` (index), ``step`` (generator step),
    ``d_loss``, ``g_loss``, ``modes`` (covered, of 8), ``high_quality`` (share),
    ``spread``, ``grad_norm`` (mean critic slope). Which modes are covered is drawn, not
    printed.
    """

    caption = (
        "Press play to watch a GAN train. The samples (orange) move towards the eight modes; "
        "the numbered circles fill in as modes are covered, and the raster on the right shows "
        "which modes are covered when: a collapsing generator hops from mode to mode instead "
        "of covering the ring. The losses oscillate rather than fall: neither player is "
        "minimising a fixed objective."
    )
    alt_text = (
        "Three panels. Left: grey data points in eight small clusters on a circle, numbered "
        "mode centres, and orange generated samples at the selected training step. Middle: "
        "the discriminator's and the generator's loss against the training step, noisy, with "
        "a vertical cursor at the current step. Right: the number of modes covered against "
        "the step, and below it a raster marking which of the eight modes are covered at each "
        "snapshot, with the same cursor. A readout above prints the step, both losses, the "
        "modes covered and the share of high-quality samples."
    )

    figsize = (11.6, 4.6)
    LIMIT = 3.0

    def __init__(
        self,
        runs: Mapping[str, gan.GANRun] | None = None,
        *,
        losses: Sequence[str] = ("nonsaturating", "lsgan"),
        train_kwargs: Mapping[str, Any] | None = None,
        loss: str | None = None,
        snapshot: int = -1,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        if runs is None:
            kwargs = {"steps": 1500, "snapshot_every": 50, **(train_kwargs or {})}
            runs = {name: gan.train_gan_2d(name, **kwargs) for name in losses}
        elif not isinstance(runs, Mapping):
            raise TypeError(f"runs must be a mapping name -> GANRun; got {type(runs).__name__}.")
        if not runs:
            raise ValueError("runs must hold at least one GANRun; got none.")
        for name, run in runs.items():
            if not isinstance(run, gan.GANRun):
                raise TypeError(f"runs[{name!r}] must be a GANRun; got {type(run).__name__}.")
        self.runs: dict[str, gan.GANRun] = dict(runs)
        if loss is None:
            loss = next(iter(self.runs))
        if loss not in self.runs:
            raise ValueError(f"loss must be one of {list(self.runs)}; got {loss!r}.")
        self.n_snapshots = max(run.snapshot_steps.size for run in self.runs.values())
        if isinstance(snapshot, bool) or not isinstance(snapshot, (int, np.integer)):
            raise TypeError(f"snapshot must be an integer; got {snapshot!r}.")
        self._init = {"loss": loss, "step": int(np.clip(
            snapshot + self.n_snapshots if snapshot < 0 else snapshot, 0, self.n_snapshots - 1))}
        self.play = widgets.Play(
            value=self._init["step"], min=0, max=self.n_snapshots - 1, step=1, interval=120,
            description="play", repeat=False, show_repeat=False,
        )
        super().__init__(figsize=figsize, dpi=dpi)
        widgets.link((self.play, "value"), (self.controls["step"], "value"))

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "loss": widgets.Dropdown(
                options=[(RUN_LABELS.get(name, name), name) for name in self.runs],
                value=self._init["loss"], description="loss",
                layout=widgets.Layout(width="280px"),
            ),
            "step": widgets.IntSlider(
                value=self._init["step"], min=0, max=self.n_snapshots - 1, step=1,
                description="snapshot", style={"description_width": "initial"},
                layout=widgets.Layout(width="360px"),
            ),
        }

    def widget(self) -> widgets.VBox:
        """The live view, with the play button before the snapshot slider."""
        view = super().widget()
        controls = view.children[0]
        if self.play not in controls.children:
            children = list(controls.children)
            children.insert(children.index(self.controls["step"]), self.play)
            controls.children = tuple(children)
        return view

    # -- figure ---------------------------------------------------------------------------

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.055, right=0.985, bottom=0.12, top=0.83, wspace=0.3,
                            hspace=0.12)
        grid = fig.add_gridspec(2, 3, width_ratios=[1.0, 1.25, 1.15])
        self.ax_samples = fig.add_subplot(grid[:, 0])
        self.ax_loss = fig.add_subplot(grid[:, 1])
        self.ax_modes = fig.add_subplot(grid[0, 2])
        self.ax_raster = fig.add_subplot(grid[1, 2], sharex=self.ax_modes)
        self._shown: str | None = None
        self._setup_samples(self.ax_samples)
        self._setup_losses(self.ax_loss)
        self._setup_modes(self.ax_modes, self.ax_raster)
        # two rows of short texts: one long monospaced readout costs 6 ms to draw
        self._headline, _ = self._value_row(
            fig, 0.055, 0.95,
            [("step", "step", "0000"), ("d", "D loss", "−0.00e−00"),
             ("g", "G loss", "−0.00e−00"), ("modes", "modes covered", "8 of 8")],
            fontsize=9.5,
        )
        row, _ = self._value_row(
            fig, 0.055, 0.905,
            [("hq", "high-quality samples", "100.0 %"), ("spread", "spread", "0.00"),
             ("gn", "critic slope ‖∇f‖", "0.00e−00")],
            fontsize=9.5,
        )
        self._headline.update(row)

    def _setup_samples(self, ax: Axes) -> None:
        lim = self.LIMIT
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal")
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        self._samples_title = ax.set_title(" ", fontsize=9)
        (self._data,) = ax.plot([], [], ".", color=_DATA_COLOR, ms=2.0, alpha=0.45,
                                label="data")
        centers = gan.ring_centers()
        ax.plot(*centers.T, "o", ms=11, mfc="none", mec=_MODE_COLOR, mew=1.2, zorder=3)
        for k, (cx, cy) in enumerate(centers):
            ax.text(1.22 * cx, 1.22 * cy, str(k), ha="center", va="center", fontsize=8,
                    color=_MODE_COLOR)
        (self._samples,) = ax.plot([], [], ".", color=_GEN_COLOR, ms=2.6, alpha=0.75,
                                   label="generated", zorder=4)
        (self._covered,) = ax.plot([], [], "o", ms=11, mfc=_MODE_COLOR, mec=_MODE_COLOR,
                                   alpha=0.45, zorder=2, label="covered mode")
        # outside the axes, top right of the figure: samples may pass anywhere in the axes
        proxies = [
            Line2D([], [], ls="", marker="o", ms=4, color=_DATA_COLOR, label="data"),
            Line2D([], [], ls="", marker="o", ms=4, color=_GEN_COLOR, label="generated"),
            Line2D([], [], ls="", marker="o", ms=8, mfc=_MODE_COLOR, mec=_MODE_COLOR,
                   alpha=0.45, label="covered mode"),
        ]
        ax.figure.legend(handles=proxies, ncol=3, loc="upper right", fontsize=8,
                         bbox_to_anchor=(0.985, 0.985), handlelength=1.0, frameon=False)
        self._animate(self._covered, self._samples)

    def _setup_losses(self, ax: Axes) -> None:
        ax.set_xlabel("generator step")
        ax.set_ylabel("loss")
        ax.set_title("losses (faint: every step; bold: moving average)", fontsize=9)
        (self._d_raw,) = ax.plot([], [], color=_D_COLOR, lw=0.6, alpha=0.3)
        (self._g_raw,) = ax.plot([], [], color=_GEN_COLOR, lw=0.6, alpha=0.3)
        (self._d_avg,) = ax.plot([], [], color=_D_COLOR, lw=1.8, label="discriminator / critic")
        (self._g_avg,) = ax.plot([], [], color=_GEN_COLOR, lw=1.8, label="generator")
        ax.legend(loc="upper right", fontsize=7.5)
        self._loss_cursor = ax.axvline(0.0, color=ROLE_COLORS["threshold"], lw=1.0)
        (self._loss_points,) = ax.plot([], [], "o", color="#222222", ms=4.5, zorder=5)
        self._animate(self._loss_cursor, self._loss_points)

    def _setup_modes(self, ax: Axes, raster: Axes) -> None:
        ax.set(ylim=(-0.4, 8.6))
        ax.set_yticks([0, 2, 4, 6, 8])
        ax.set_ylabel("modes covered")
        ax.set_xlabel("generator step")
        ax.xaxis.label.set_visible(False)  # shared with the raster below
        ax.tick_params(labelbottom=False)
        ax.set_title("modes covered, and which", fontsize=9)
        (self._modes_line,) = ax.plot([], [], color=_MODE_COLOR, lw=1.6, drawstyle="steps-post")
        self._modes_cursor = ax.axvline(0.0, color=ROLE_COLORS["threshold"], lw=1.0)
        (self._modes_point,) = ax.plot([], [], "o", color="#222222", ms=4.5, zorder=5)
        raster.set_xlabel("generator step")
        raster.set_ylabel("mode")
        raster.set_yticks(range(8))
        raster.tick_params(axis="y", labelsize=7)
        raster.grid(False)
        self._raster = raster.imshow(
            np.zeros((8, 2)), aspect="auto", origin="lower", interpolation="nearest",
            cmap=ListedColormap(["#F2F2F2", _MODE_COLOR]), vmin=0, vmax=1,
            extent=(0.0, 1.0, -0.5, 7.5),
        )
        self._raster_cursor = raster.axvline(0.0, color=ROLE_COLORS["threshold"], lw=1.0)
        self._animate(self._modes_cursor, self._modes_point, self._raster_cursor)

    def _show_run(self, name: str) -> None:
        """Point the static artists (data, curves, limits, raster) at run ``name``."""
        run = self.runs[name]
        self._samples_title.set_text(f"{RUN_LABELS.get(name, name)}: samples")
        self._data.set_data(run.data[:, 0], run.data[:, 1])
        steps = np.arange(run.d_loss.size)
        window = max(1, run.d_loss.size // 60)
        self._d_raw.set_data(steps, run.d_loss)
        self._g_raw.set_data(steps, run.g_loss)
        self._d_avg.set_data(steps, _smooth(run.d_loss, window))
        self._g_avg.set_data(steps, _smooth(run.g_loss, window))
        end = float(max(run.snapshot_steps[-1], 1))
        self.ax_loss.set(xlim=(0.0, end), ylim=_loss_limits(run))
        self._modes_line.set_data(run.snapshot_steps, run.modes)
        self.ax_modes.set_xlim(0.0, end)
        # one column per snapshot, from its step to the next one's
        edges = np.append(run.snapshot_steps, run.snapshot_steps[-1]).astype(float)
        mask = run.covered_mask.T.astype(float)
        if run.snapshot_steps.size > 1:
            edges[-1] += float(np.min(np.diff(run.snapshot_steps)))
            self._raster.set_data(mask)
            self._raster.set_extent((0.0, float(edges[-1]), -0.5, 7.5))
        self.ax_raster.set_xlim(0.0, end)
        self._shown = name

    def _static_key(self) -> str:
        return self._shown or ""

    def snapshot_index(self) -> int:
        """The snapshot index shown: the slider's, clamped to the current run's snapshots."""
        run = self.runs[self.value("loss")]
        return int(np.clip(int(self.value("step")), 0, run.snapshot_steps.size - 1))

    def _update(self) -> None:
        name = self.value("loss")
        if name != self._shown:
            self._show_run(name)
        run = self.runs[name]
        i = self.snapshot_index()
        step = int(run.snapshot_steps[i])
        d_value, g_value = run.losses_at(i)
        samples = run.samples[i]
        self._samples.set_data(samples[:, 0], samples[:, 1])
        covered = np.flatnonzero(run.covered_mask[i])
        centers = gan.ring_centers()[covered]
        self._covered.set_data(centers[:, 0], centers[:, 1])
        loss_step = min(step, run.d_loss.size - 1)
        for cursor in (self._loss_cursor, self._modes_cursor, self._raster_cursor):
            cursor.set_xdata([step, step])
        self._loss_points.set_data([loss_step, loss_step], [d_value, g_value])
        self._modes_point.set_data([step], [run.modes[i]])
        modes, hq = int(run.modes[i]), float(run.high_quality[i])
        spread, gn = float(run.spread[i]), float(run.grad_norm[i])
        texts = {"step": str(step), "d": _fmt(d_value), "g": _fmt(g_value),
                 "modes": f"{modes} of 8", "hq": f"{100 * hq:.1f} %", "spread": f"{spread:.2f}",
                 "gn": _fmt(gn)}
        for key, text in texts.items():
            self._headline[key].set_text(text)
        self._show(loss=name, snapshot=i, step=step, d_loss=d_value, g_loss=g_value,
                   modes=modes, high_quality=hq, spread=spread, grad_norm=gn)
