"""Chapter 06 demos: PPO's clip, the GAE dial, and a bandit trained with and without tricks.

- :class:`PPOClipExplorer`: PPO's per-example loss ℓ = −min(rA, clip(r, 1 − ε, 1 + ε)A)
  and the unclipped −rA against the ratio r, with the region where the gradient flows
  and the region where the clip stops it shaded, and the gradient ∂ℓ/∂log r beside it;
  sliders for ε (``clip_range``), the advantage A and a marked ratio.
- :class:`GAEDial`: a five-step episode whose rewards and critic values are sliders; it
  shows the TD errors δ_t, the GAE advantages for the chosen γ and λ, the λ = 0 (TD) and
  λ = 1 (Monte Carlo) advantages, and the weights (γλ)^k.
- :class:`BanditTrainer`: REINFORCE on the deceptive bandit of
  :func:`lossviz.rl.deceptive_bandit`, 100 runs, with a baseline toggle and an entropy
  bonus; it shows one run's policy, the expected reward and the gradient variance.

Every number shown comes from :mod:`lossviz.rl` and :mod:`lossviz.losses` (the tests
compare them). The bandit runs of every baseline × entropy setting are computed once, at
construction, so a toggle only swaps curves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from numpy.typing import NDArray

from .. import losses, rl
from ..style import LOSS_COLORS, OKABE_ITO, ROLE_COLORS
from ._base import Demo
from .foundations import _fmt

__all__ = ["ARM_COLORS", "BanditTrainer", "GAEDial", "PPOClipExplorer"]

FloatArray = NDArray[np.float64]

_BOX = {"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#BBBBBB", "alpha": 0.92}
_ACTIVE = OKABE_ITO["sky_blue"]
_FROZEN = "#000000"
_CLIPPED_COLOR = LOSS_COLORS["ppo_clip"]
_UNCLIPPED_COLOR = ROLE_COLORS["muted"]

#: One colour per arm of the deceptive bandit (safe, jackpot, coin).
ARM_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"])


def _slider(
    value: float,
    low: float,
    high: float,
    step: float,
    description: str,
    fmt: str = ".2f",
    width: str = "300px",
) -> widgets.FloatSlider:
    return widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        readout_format=fmt,
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width),
    )


# ======================================================================================
# PPOClipExplorer
# ======================================================================================


def _ppo_regions(
    advantage: float, eps: float, r_max: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(active, frozen) ratio intervals: where ∂ℓ/∂log r = −rA flows, and where it is 0."""
    if advantage > 0:
        return (0.0, 1.0 + eps), (1.0 + eps, r_max)
    if advantage < 0:
        low = max(1.0 - eps, 0.0)
        return (low, r_max), (0.0, low)
    return (0.0, 0.0), (0.0, r_max)  # A = 0: no gradient anywhere


def _ppo_limit(advantage: float, r_max: float) -> float:
    """y-limit of both panels: r_max·|A| rounded up to |A| = 0.5, 1 or 2 (a static-layer key)."""
    size = next((a for a in (0.5, 1.0) if abs(advantage) <= a), 2.0)
    return round(1.05 * r_max * size, 2)


class PPOClipExplorer(Demo):
    """PPO's clipped loss and its gradient against the probability ratio r.

    Left: the per-example loss :math:`\\ell(r) = -\\min(rA, \\operatorname{clip}(r, 1 -
    \\varepsilon, 1 + \\varepsilon)A)` (:func:`lossviz.losses.ppo_clip` with ``y_true = A``,
    ``y_pred = log r``), the unclipped policy-gradient loss :math:`-rA` (dashed), and the
    clip band :math:`[1 - \\varepsilon, 1 + \\varepsilon]`. The region where the unclipped
    term is the minimum, so that the gradient flows, is shaded blue; the region where the
    clip holds, so that the gradient is 0, grey. Right: the gradient
    :math:`\\partial\\ell/\\partial \\log r = -rA` or 0 (:func:`lossviz.losses.ppo_clip_grad`).
    The readout prints both losses and the gradient at the marked ratio.

    Args:
        clip_range: initial ε (slider 0.05 to 0.5).
        advantage: initial advantage A (slider −2 to 2).
        ratio: initial marked ratio r (slider 0.2 to 2.5).
        figsize: figure size in inches.
        dpi: resolution.

    Controls: ``clip_range``, ``advantage``, ``ratio``.
    Numbers: ``clip_range``, ``advantage``, ``ratio``, ``log_ratio``, ``loss`` (ℓ at r),
    ``unclipped_loss`` (−rA), ``gradient`` (∂ℓ/∂log r at r), ``clipped`` (1 if the clip
    holds at r, so the gradient is 0, else 0), ``frozen_from`` / ``frozen_to`` (the
    zero-gradient interval of r on the plot).
    """

    caption = (
        "With A > 0 the loss falls as r grows, until r = 1 + ε: beyond it the clip holds, the "
        "loss is flat and the gradient is 0 (grey) — no incentive to move further. With A < 0 "
        "the same happens below 1 − ε. On the other side the unclipped term stays in charge: "
        "a ratio that moved the wrong way is always pulled back."
    )
    alt_text = (
        "Two panels against the probability ratio r from 0 to 2.6. Left: PPO's clipped loss, "
        "a line that falls with slope minus A until r = 1 + epsilon and is flat after it, over "
        "the dashed unclipped loss minus r A; a blue shaded region where the gradient flows and "
        "a grey one where it is zero; dotted lines at 1 minus and plus epsilon, and a dot at the "
        "marked ratio. Right: the gradient with respect to log r, minus r A in the blue region "
        "and zero in the grey one. A readout above prints the losses and the gradient."
    )

    figsize = (9.6, 3.9)
    R_MAX = 2.6
    EPS_RANGE = (0.05, 0.5)
    A_RANGE = (-2.0, 2.0)
    RATIO_RANGE = (0.2, 2.5)

    def __init__(
        self,
        clip_range: float = 0.2,
        advantage: float = 1.0,
        ratio: float = 1.5,
        *,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        self._init = {"clip_range": clip_range, "advantage": advantage, "ratio": ratio}
        self.r = np.linspace(1e-3, self.R_MAX, 521)
        self._limit = _ppo_limit(advantage, self.R_MAX)
        super().__init__(figsize=figsize, dpi=dpi)

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "clip_range": _slider(self._init["clip_range"], *self.EPS_RANGE, 0.01, "clip range ε"),
            "advantage": _slider(self._init["advantage"], *self.A_RANGE, 0.05, "advantage A"),
            "ratio": _slider(self._init["ratio"], *self.RATIO_RANGE, 0.01, "marked ratio r"),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.075, right=0.985, bottom=0.14, top=0.76, wspace=0.28)
        self.ax_loss, self.ax_grad = fig.subplots(1, 2)
        bound = self._limit
        for ax, title, ylabel in (
            (self.ax_loss, "per-example loss ℓ(r)", "ℓ = −min(rA, clip(r)A)"),
            (self.ax_grad, "gradient with respect to log r", "∂ℓ/∂log r"),
        ):
            ax.set(xlim=(0.0, self.R_MAX), ylim=(-bound, bound))
            ax.set_xlabel("probability ratio r = π/π_old")
            ax.set_ylabel(ylabel)
            ax.set_title(title)
            ax.axhline(0.0, color=ROLE_COLORS["muted"], lw=0.8)
            ax.axvline(1.0, color=ROLE_COLORS["muted"], lw=0.8, ls=":")
        self._spans = []
        self._band_lines = []
        for ax in (self.ax_loss, self.ax_grad):
            active = ax.axvspan(0.0, 1.0, color=_ACTIVE, alpha=0.18, lw=0, zorder=0)
            frozen = ax.axvspan(1.0, 2.0, color=_FROZEN, alpha=0.09, lw=0, zorder=0)
            lo = ax.axvline(0.8, color=_CLIPPED_COLOR, lw=1.0, ls=":")
            hi = ax.axvline(1.2, color=_CLIPPED_COLOR, lw=1.0, ls=":")
            self._spans.append((active, frozen))
            self._band_lines += [lo, hi]
        (self._unclipped,) = self.ax_loss.plot(
            [], [], color=_UNCLIPPED_COLOR, lw=1.6, ls="--", label="unclipped −rA"
        )
        (self._clipped,) = self.ax_loss.plot(
            [], [], color=_CLIPPED_COLOR, lw=2.4, label="PPO (clipped)"
        )
        (self._grad,) = self.ax_grad.plot([], [], color=_CLIPPED_COLOR, lw=2.4)
        (self._grad_unclipped,) = self.ax_grad.plot([], [], color=_UNCLIPPED_COLOR, lw=1.4, ls="--")
        (self._mark_loss,) = self.ax_loss.plot([], [], "o", color="#222222", ms=6, zorder=6)
        (self._mark_grad,) = self.ax_grad.plot([], [], "o", color="#222222", ms=6, zorder=6)
        self.ax_loss.legend(loc="lower left", fontsize=8, handlelength=2.0)
        self._animate(
            *(s for pair in self._spans for s in pair),
            *self._band_lines,
            self._unclipped,
            self._clipped,
            self._grad,
            self._grad_unclipped,
            self._mark_loss,
            self._mark_grad,
        )
        self._numbers_readout = self._readout(
            fig,
            0.075,
            0.975,
            "ε = {eps:>5}   A = {adv:>6}   r = {ratio:>5}   log r = {logr:>7}\n"
            "loss at r = {loss:>8}   unclipped −rA = {unclipped:>8}\n"
            "gradient d(loss)/d(log r) = {grad:>8}   {state:<34}",
            transform=fig.transFigure,
            ha="left",
            va="top",
            fontsize=9,
        )

    def _static_key(self) -> float:
        return self._limit

    def _update(self) -> None:
        eps = float(self.value("clip_range"))
        adv = float(self.value("advantage"))
        ratio = float(self.value("ratio"))
        limit = _ppo_limit(adv, self.R_MAX)
        if limit != self._limit:
            self._limit = limit
            for ax in (self.ax_loss, self.ax_grad):
                ax.set_ylim(-limit, limit)
        log_r = np.log(self.r)
        a_grid = np.full_like(self.r, adv)
        loss = losses.ppo_clip(a_grid, log_r, reduction="none", clip_range=eps)
        grad = losses.ppo_clip_grad(a_grid, log_r, reduction="none", clip_range=eps)
        self._clipped.set_data(self.r, loss)
        self._unclipped.set_data(self.r, -self.r * adv)
        jump = np.flatnonzero(np.abs(np.diff(grad)) > 0.05 * self._limit) + 1
        self._grad.set_data(self.r, np.where(np.isin(np.arange(grad.size), jump), np.nan, grad))
        self._grad_unclipped.set_data(self.r, -self.r * adv)
        (a0, a1), (f0, f1) = _ppo_regions(adv, eps, self.R_MAX)
        for active, frozen in self._spans:
            active.set_x(a0)
            active.set_width(a1 - a0)
            frozen.set_x(f0)
            frozen.set_width(f1 - f0)
        for i, line in enumerate(self._band_lines):
            x = 1.0 - eps if i % 2 == 0 else 1.0 + eps
            line.set_xdata([x, x])
        point = np.array([np.log(ratio)])
        at_loss = float(losses.ppo_clip([adv], point, reduction="sum", clip_range=eps))
        at_grad = float(losses.ppo_clip_grad([adv], point, reduction="sum", clip_range=eps)[0])
        self._mark_loss.set_data([ratio], [at_loss])
        self._mark_grad.set_data([ratio], [at_grad])
        clipped = adv != 0 and at_grad == 0.0
        if adv == 0:
            state = "A = 0: no gradient anywhere"
        elif clipped:
            state = "clip holds: no gradient"
        else:
            state = "unclipped term active: −rA"
        self._numbers_readout.set(
            eps=f"{eps:.2f}",
            adv=_fmt(adv, 2),
            ratio=f"{ratio:.2f}",
            logr=_fmt(point[0], 3),
            loss=_fmt(at_loss, 3),
            unclipped=_fmt(-ratio * adv, 3),
            grad=_fmt(at_grad, 3),
            state=state,
        )
        self._show(
            clip_range=eps,
            advantage=adv,
            ratio=ratio,
            log_ratio=float(point[0]),
            loss=at_loss,
            unclipped_loss=-ratio * adv,
            gradient=at_grad,
            clipped=int(clipped),
            frozen_from=f0,
            frozen_to=f1,
        )


# ======================================================================================
# GAEDial
# ======================================================================================


#: y-limits of the advantage panel: the smallest that holds every bar (static layer key).
_GAE_LIMITS = (1.0, 2.0, 4.0, 8.0)


class GAEDial(Demo):
    """TD errors, GAE advantages and their weights for an editable five-step episode.

    The episode has rewards :math:`r_0, \\dots, r_4` and critic values
    :math:`V(s_0), \\dots, V(s_4)` (sliders) and ends after the last step
    (:math:`V(s_5) = 0`). Left: the rewards (bars) and the values (line). Middle: the TD
    errors :math:`\\delta_t = r_t + \\gamma V(s_{t+1}) - V(s_t)` (hatched bars) and the
    advantages :math:`\\hat A_t` of :func:`lossviz.rl.gae` for the chosen γ and λ (solid
    bars), with the λ = 0 advantages (= δ_t, ▼) and the λ = 1 advantages
    (:math:`G_t - V(s_t)`, ▲) marked. Right: the weight :math:`(\\gamma\\lambda)^k` of
    :math:`\\delta_{t+k}` in :math:`\\hat A_t`.

    Args:
        gamma: initial γ.
        lam: initial λ.
        rewards: the five initial rewards (sliders −1 to 1).
        values: the five initial values (sliders −1 to 1).
        figsize: figure size in inches.
        dpi: resolution.

    Controls: ``gamma``, ``lam``, ``r0`` … ``r4``, ``v0`` … ``v4``.
    Numbers: ``gamma``, ``lam``, ``A0`` … ``A4`` (GAE), ``delta0`` … ``delta4``,
    ``mc0`` … ``mc4`` (λ = 1), ``weight_sum`` (the sum of the five weights). The readout
    prints Â_0 … Â_4 and, for t = 0, the λ = 0, chosen-λ and λ = 1 advantages.
    """

    caption = (
        "λ slides the advantage from the one-step TD error (λ = 0, ▼: low variance, but only as "
        "good as the critic) to the Monte Carlo advantage G_t − V(s_t) (λ = 1, ▲: the true "
        "return, noisy). A reward at the end reaches the early steps only through the weights "
        "(γλ)^k."
    )
    alt_text = (
        "Three panels for a five-step episode. Left: reward bars per step and the critic's value "
        "as a line. Middle: per step, hatched bars for the TD errors and solid bars for the GAE "
        "advantages, with downward triangles for the lambda-zero and upward triangles for the "
        "lambda-one advantages. Right: the weights gamma-lambda to the power k, decaying bars. A "
        "readout prints the advantages for lambda 0, the chosen lambda, and 1."
    )

    figsize = (10.4, 4.1)
    T = 5

    def __init__(
        self,
        gamma: float = 0.9,
        lam: float = 0.8,
        rewards: Sequence[float] = (0.0, 0.0, -0.2, 0.0, 1.0),
        values: Sequence[float] = (0.2, 0.3, 0.3, 0.5, 0.7),
        *,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        if len(rewards) != self.T or len(values) != self.T:
            raise ValueError(f"rewards and values must each hold {self.T} numbers.")
        self._init = {
            "gamma": gamma,
            "lam": lam,
            "rewards": tuple(rewards),
            "values": tuple(values),
        }
        self._limit = _GAE_LIMITS[0]
        super().__init__(figsize=figsize, dpi=dpi)

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        controls: dict[str, widgets.ValueWidget] = {
            "gamma": _slider(self._init["gamma"], 0.0, 1.0, 0.01, "discount γ", width="260px"),
            "lam": _slider(self._init["lam"], 0.0, 1.0, 0.05, "GAE λ", width="260px"),
        }
        for t in range(self.T):
            controls[f"r{t}"] = _slider(
                self._init["rewards"][t], -1.0, 1.0, 0.1, f"r{t}", fmt=".1f", width="190px"
            )
        for t in range(self.T):
            controls[f"v{t}"] = _slider(
                self._init["values"][t], -1.0, 1.0, 0.1, f"V(s{t})", fmt=".1f", width="190px"
            )
        return controls

    def _trace(self) -> tuple[FloatArray, FloatArray]:
        r = np.array([float(self.value(f"r{t}")) for t in range(self.T)])
        v = np.array([float(self.value(f"v{t}")) for t in range(self.T)])
        return r, v

    def _static_key(self) -> float:
        return self._limit

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.13, top=0.76, wspace=0.3)
        self.ax_trace, self.ax_adv, self.ax_w = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.0, 1.35, 0.9]}
        )
        t = np.arange(self.T)
        legend_kw = {"fontsize": 7.5, "handlelength": 1.4, "framealpha": 0.9}
        ax = self.ax_trace
        ax.set(xlim=(-0.6, self.T - 0.4), ylim=(-1.15, 1.15), xticks=t)
        ax.set_xlabel("step t")
        ax.set_ylabel("reward r_t, value V(s_t)")
        ax.set_title("the episode")
        ax.axhline(0.0, color=ROLE_COLORS["muted"], lw=0.8)
        # bars are one PolyCollection per series (one artist to redraw, not five)
        self._reward_bars = _bars(
            ax, t, 0.6, facecolors=OKABE_ITO["orange"], alpha=0.85, label="reward r_t"
        )
        (self._value_line,) = ax.plot(
            [], [], "o-", color=OKABE_ITO["blue"], lw=1.8, ms=5, label="critic V(s_t)"
        )
        ax.legend(loc="upper left", **legend_kw)

        ax = self.ax_adv
        ax.set(xlim=(-0.6, self.T - 0.4), ylim=(-self._limit, self._limit), xticks=t)
        ax.set_xlabel("step t")
        ax.set_ylabel("advantage")
        ax.set_title("TD errors and GAE advantages")
        ax.axhline(0.0, color=ROLE_COLORS["muted"], lw=0.8)
        self._delta_bars = _bars(
            ax, t - 0.19, 0.36, facecolors=OKABE_ITO["sky_blue"], alpha=0.55, label="δ_t (TD error)"
        )
        self._gae_bars = _bars(
            ax, t + 0.19, 0.36, facecolors=OKABE_ITO["reddish_purple"], label="Â_t (GAE, γ, λ)"
        )
        (self._td_marks,) = ax.plot([], [], "v", color="#222222", ms=6, label="λ = 0")
        (self._mc_marks,) = ax.plot(
            [], [], "^", color=OKABE_ITO["vermillion"], ms=6, label="λ = 1: G_t − V(s_t)"
        )
        ax.legend(loc="lower left", ncol=2, columnspacing=0.8, **legend_kw)

        ax = self.ax_w
        ax.set(xlim=(-0.6, self.T - 0.4), ylim=(0.0, 1.08), xticks=t)
        ax.set_xlabel("k (steps ahead)")
        ax.set_ylabel("weight (γλ)^k of δ_{t+k}")
        ax.set_title("how far Â looks ahead")
        self._weight_bars = _bars(ax, t, 0.6, facecolors=OKABE_ITO["reddish_purple"], alpha=0.8)
        (self._gamma_line,) = ax.plot(
            [], [], "_", color="#222222", ms=14, mew=1.6, label="γ^k (λ = 1)"
        )
        ax.legend(loc="upper right", **legend_kw)
        self._animate(
            self._reward_bars,
            self._value_line,
            self._delta_bars,
            self._gae_bars,
            self._td_marks,
            self._mc_marks,
            self._weight_bars,
            self._gamma_line,
        )
        cells = "".join(f"{{a{t}:>7}}" for t in range(self.T))
        self._numbers_readout = self._readout(
            fig,
            0.06,
            0.975,
            "γ = {gamma:>4}  λ = {lam:>4}   GAE A_t for t = 0..4:" + cells + "\n"
            "A_0 at λ = 0 (= δ_0): {d0:>7}   at λ: {a:>7}   at λ = 1 (= G_0 − V(s_0)): {m0:>7}",
            transform=fig.transFigure,
            ha="left",
            va="top",
            fontsize=8.5,
        )

    def _update(self) -> None:
        gamma, lam = float(self.value("gamma")), float(self.value("lam"))
        r, v = self._trace()
        delta = rl.td_errors(r, v, gamma)
        adv = rl.gae(r, v, gamma, lam)
        mc = rl.gae(r, v, gamma, 1.0)
        peak = float(np.max(np.abs(np.concatenate([delta, adv, mc]))))
        limit = next((lim for lim in _GAE_LIMITS if peak <= 0.92 * lim), _GAE_LIMITS[-1])
        if limit != self._limit:
            self._limit = limit
            self.ax_adv.set_ylim(-limit, limit)
        t = np.arange(self.T)
        _set_heights(self._reward_bars, r)
        self._value_line.set_data(t, v)
        _set_heights(self._delta_bars, delta)
        _set_heights(self._gae_bars, adv)
        self._td_marks.set_data(t + 0.19, delta)
        self._mc_marks.set_data(t + 0.19, mc)
        weights = rl.gae_weights(gamma, lam, self.T)
        _set_heights(self._weight_bars, weights)
        self._gamma_line.set_data(t, gamma**t)
        values = {
            "gamma": f"{gamma:.2f}",
            "lam": f"{lam:.2f}",
            "d0": _fmt(delta[0], 3),
            "a": _fmt(adv[0], 3),
            "m0": _fmt(mc[0], 3),
        }
        values.update({f"a{i}": _fmt(adv[i], 3) for i in range(self.T)})
        self._numbers_readout.set(**values)
        shown: dict[str, float] = {"gamma": gamma, "lam": lam, "weight_sum": float(weights.sum())}
        for i in range(self.T):
            shown[f"A{i}"] = float(adv[i])
            shown[f"delta{i}"] = float(delta[i])
            shown[f"mc{i}"] = float(mc[i])
        self._show(**shown)


def _bars(ax: Any, x: FloatArray, width: float, **kw: Any) -> PolyCollection:
    """Bars of height 0 at ``x`` as one PolyCollection (see :func:`_set_heights`)."""
    verts = np.zeros((x.size, 4, 2))
    verts[:, :2, 0] = (x - width / 2)[:, None]
    verts[:, 2:, 0] = (x + width / 2)[:, None]
    bars = PolyCollection(verts, **kw)
    bars._lossviz_verts = verts  # type: ignore[attr-defined]
    ax.add_collection(bars)
    return bars


def _set_heights(bars: PolyCollection, heights: FloatArray) -> None:
    verts = bars._lossviz_verts  # type: ignore[attr-defined]
    verts[:, 1:3, 1] = heights[:, None]
    bars.set_verts(verts)


# ======================================================================================
# BanditTrainer
# ======================================================================================

#: Entropy-bonus choices of :class:`BanditTrainer` (label, coefficient); 0 is "off".
ENTROPY_CHOICES = (("off", 0.0), ("c = 0.1", 0.1), ("c = 0.3", 0.3), ("c = 1", 1.0))


class BanditTrainer(Demo):
    """REINFORCE on the deceptive bandit, with and without a baseline and an entropy bonus.

    The bandit (:func:`lossviz.rl.deceptive_bandit`): a safe arm pays 6, a jackpot arm
    pays 35 once in 20 pulls and 5 otherwise (mean 6.5, the best), a coin arm pays 5 or 6.
    :func:`lossviz.rl.train_bandit` trains ``n_runs`` softmax policies for ``steps``
    steps of ``batch_size`` pulls. Left: the policy of the run chosen by the ``run``
    slider. Middle: the expected reward :math:`J(\\pi_t)`, that run and the mean over all
    runs. Right: the variance of the batch gradient estimate (exact, mean over runs, log
    scale). The readout counts the runs whose final policy prefers the jackpot arm.

    All baseline × entropy settings are trained at construction (a few hundred
    milliseconds), so a toggle only swaps curves.

    Args:
        baseline: start with the running-average baseline on.
        ent_coef: start with this entropy coefficient (one of 0, 0.1, 0.3, 1).
        run: the run shown first.
        n_runs: runs per setting.
        steps: gradient steps per run.
        batch_size: pulls per step.
        lr: the step size.
        seed: seeds the runs (the same for every setting).
        figsize: figure size in inches.
        dpi: resolution.

    Controls: ``baseline`` (toggle buttons), ``entropy`` (dropdown: off or a coefficient),
    ``run`` (which run's policy is drawn).
    Numbers: ``success_rate`` (share of runs that prefer the best arm), ``successes``,
    ``final_entropy`` (mean over runs), ``final_reward`` (mean J), ``variance_start`` /
    ``variance_end`` (mean gradient variance at the first and the last step),
    ``run_final_jackpot`` (the shown run's final probability of the jackpot arm),
    ``run_final_reward`` (its final J).
    """

    caption = (
        "Without a baseline every reward is positive, so whatever arm is pulled gets pushed up "
        "and the policy commits to the safe arm before the jackpot has paid. A baseline cuts "
        "the gradient's variance; only with an entropy bonus as well do nearly all runs keep "
        "exploring long enough to find the jackpot arm."
    )
    alt_text = (
        "Three panels over 300 training steps. Left: one run's probabilities of the safe, "
        "jackpot and coin arms. Middle: the expected reward of that run and the mean over 100 "
        "runs, with dashed lines at the safe arm's 6 and the jackpot arm's 6.5. Right: the "
        "variance of the gradient estimate on a log scale. A readout counts the runs that found "
        "the jackpot arm and prints the final entropy."
    )

    figsize = (10.4, 3.9)

    def __init__(
        self,
        baseline: bool = False,
        ent_coef: float = 0.0,
        run: int = 0,
        *,
        n_runs: int = 100,
        steps: int = 300,
        batch_size: int = 4,
        lr: float = 2.0,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        coefs = [c for _, c in ENTROPY_CHOICES]
        if ent_coef not in coefs:
            raise ValueError(f"ent_coef must be one of {coefs}; got {ent_coef!r}.")
        self._init = {"baseline": bool(baseline), "entropy": float(ent_coef), "run": int(run)}
        self.bandit = rl.deceptive_bandit()
        self.n_runs, self.steps = int(n_runs), int(steps)
        self.runs: dict[tuple[bool, float], rl.BanditRun] = {
            (b, c): rl.train_bandit(
                self.bandit,
                steps=steps,
                batch_size=batch_size,
                lr=lr,
                baseline=b,
                ent_coef=c,
                n_runs=n_runs,
                seed=seed,
            )
            for b in (False, True)
            for c in coefs
        }
        super().__init__(figsize=figsize, dpi=dpi)

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "baseline": widgets.ToggleButtons(
                options=[("no baseline", False), ("baseline b", True)],
                value=self._init["baseline"],
                description="",
                style={"button_width": "95px"},
            ),
            "entropy": widgets.Dropdown(
                options=list(ENTROPY_CHOICES),
                value=self._init["entropy"],
                description="entropy bonus",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="210px"),
            ),
            "run": widgets.IntSlider(
                value=self._init["run"],
                min=0,
                max=self.n_runs - 1,
                description="shown run",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="300px"),
            ),
        }

    def current(self) -> rl.BanditRun:
        """The :class:`lossviz.rl.BanditRun` of the current baseline and entropy setting."""
        return self.runs[(bool(self.value("baseline")), float(self.value("entropy")))]

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.14, top=0.76, wspace=0.3)
        self.ax_pi, self.ax_j, self.ax_var = fig.subplots(1, 3)
        steps = np.arange(self.steps + 1)
        self._steps = steps
        names = self.bandit.names
        means = self.bandit.means
        for ax in (self.ax_pi, self.ax_j, self.ax_var):
            # the first steps decide: a symmetric-log step axis shows them and the long tail
            ax.set_xscale("symlog", linthresh=10, linscale=0.6)
        ax = self.ax_pi
        ax.set(xlim=(0, self.steps), ylim=(-0.02, 1.02))
        ax.set_xlabel("training step (log scale after 10)")
        ax.set_ylabel("π(arm), shown run")
        ax.set_title("one run's policy")
        self._pi_lines = [
            ax.plot([], [], color=color, lw=1.8, label=f"{name} (mean {mu:g})")[0]
            for name, color, mu in zip(names, ARM_COLORS, means, strict=True)
        ]
        ax.legend(loc="center right", fontsize=7.5)
        ax = self.ax_j
        ax.set(xlim=(0, self.steps), ylim=(means.min() - 0.1, means.max() + 0.15))
        ax.set_xlabel("training step (log scale after 10)")
        ax.set_ylabel("expected reward J(π)")
        ax.set_title("expected reward")
        for mu, color in zip(means[:2], ARM_COLORS[:2], strict=True):
            ax.axhline(mu, color=color, lw=1.2, ls="--", zorder=3)
        (self._j_run,) = ax.plot([], [], color=ROLE_COLORS["muted"], lw=1.0, label="shown run")
        (self._j_mean,) = ax.plot([], [], color="#222222", lw=2.0, label="mean of all runs")
        ax.legend(loc="lower right", fontsize=7.5)
        ax = self.ax_var
        ax.set_yscale("log")
        ax.set(xlim=(0, self.steps), ylim=(1e-4, 3e1))
        ax.set_xlabel("training step (log scale after 10)")
        ax.set_ylabel("Var of the gradient estimate")
        ax.set_title("gradient variance (mean of runs)")
        (self._var_line,) = ax.plot([], [], color=OKABE_ITO["reddish_purple"], lw=1.8)
        self._animate(*self._pi_lines, self._j_run, self._j_mean, self._var_line)
        # two rows of "label value" pairs: only the short value texts are redrawn
        row_kw = {"fontsize": 9}
        first, _ = self._value_row(
            fig,
            0.06,
            0.94,
            [
                ("succ", "runs that found the jackpot arm", "100 of 100"),
                ("ent", "final entropy (nats)", "0.000"),
                ("jmean", "final mean J", "6.500"),
            ],
            **row_kw,
        )
        second, _ = self._value_row(
            fig,
            0.06,
            0.875,
            [
                ("v0", "gradient variance: first step", "8.403"),
                ("v1", "last step", "0.000"),
                ("pj", "shown run: final π(jackpot)", "1.00e−04"),
                ("jrun", "its J", "6.500"),
            ],
            **row_kw,
        )
        self._values = {**first, **second}

    def _update(self) -> None:
        run = self.current()
        k = int(np.clip(self.value("run"), 0, self.n_runs - 1))
        for line, p in zip(self._pi_lines, run.probs[k].T, strict=True):
            line.set_data(self._steps, p)
        self._j_run.set_data(self._steps, run.expected_reward[k])
        mean_j = run.expected_reward.mean(axis=0)
        self._j_mean.set_data(self._steps, mean_j)
        var = run.grad_variance.mean(axis=0)
        self._var_line.set_data(self._steps[:-1], np.clip(var, 1e-4, None))
        best = run.best_arm
        successes = int(run.found_best.sum())
        texts = {
            "succ": f"{successes} of {self.n_runs}",
            "ent": _fmt(run.final_entropy, 3),
            "jmean": _fmt(float(mean_j[-1]), 3),
            "v0": _fmt(float(var[0]), 3),
            "v1": _fmt(float(var[-1]), 3),
            "pj": _fmt(float(run.probs[k, -1, best]), 3),
            "jrun": _fmt(float(run.expected_reward[k, -1]), 3),
        }
        for key, text in texts.items():
            self._values[key].set_text(text)
        self._show(
            success_rate=run.success_rate,
            successes=successes,
            final_entropy=run.final_entropy,
            final_reward=float(mean_j[-1]),
            variance_start=float(var[0]),
            variance_end=float(var[-1]),
            run_final_jackpot=float(run.probs[k, -1, best]),
            run_final_reward=float(run.expected_reward[k, -1]),
        )
