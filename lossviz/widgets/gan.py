"""Chapter 05 demos: the closed-form 1-D GAN and the Dirac-GAN's training dynamics.

- :class:`GaussianGAN1D`: data N(0, 1) against a generator N(μ_g, σ_g²). The μ_g and σ_g
  sliders move the generator's density, the optimal discriminator D* = p_data / (p_data + p_g),
  the value V(D*, G) = 2·JS − log 4, and the generator's gradient under the minimax and the
  non-saturating loss (plotted against μ_g on a log scale: the minimax gradient collapses
  as the generator moves away from the data, the non-saturating one does not).
- :class:`DiracGAN`: the vector field of the Dirac-GAN (Mescheder et al. 2018) and a
  trajectory of gradient steps through it, with the distance to the equilibrium per step;
  the update scheme, discriminator steps, R1 gradient penalty and step size are controls.

Every number shown comes from :mod:`lossviz.gan` (the tests compare them with it).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from .. import gan
from ..style import OKABE_ITO, ROLE_COLORS
from ._base import Demo
from .foundations import _fmt

__all__ = ["DiracGAN", "GaussianGAN1D"]

FloatArray = NDArray[np.float64]

#: One colour per generator loss, the same in every figure of the chapter.
GENERATOR_COLORS = {"minimax": OKABE_ITO["vermillion"], "nonsaturating": OKABE_ITO["blue"]}
_DATA_COLOR = "#4D4D4D"
_GEN_COLOR = OKABE_ITO["orange"]
_D_COLOR = OKABE_ITO["bluish_green"]
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
        "by orders of magnitude while the non-saturating gradient (blue) keeps growing. Both "
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
