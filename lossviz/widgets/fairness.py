"""Chapter 07 demos: fairness in the loss, and one decision threshold per group.

- :class:`FairnessTradeoff`: a logistic model on the biased loan history
  (:func:`lossviz.data.loan_approval`) trained on cross-entropy + μ·penalty. The log-μ
  slider moves the model along the accuracy–fairness trade-off (the sweep is computed once
  at construction, so a move only indexes it): the accuracy against the
  demographic-parity difference with the Pareto front, the distributions of the predicted
  probability in each group, and the per-group rates, with reweighting and group
  thresholds as reference points.
- :class:`ThresholdLandscape`: the plain model's scores with a threshold t₀ for group 0
  and t₁ for group 1; the accuracy over (t₀, t₁) as a heat map with the curves where the
  selection rates (demographic parity), the true-positive rates and the false-positive
  rates (equalized odds where both cross) are equal, and every rate at the marker.

Every number shown comes from :mod:`lossviz.fairness` on the validation applicants
(``tests/test_widgets_fairness.py`` recomputes them, and fairlearn agrees).
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import NDArray

from .. import fairness as fair
from ..style import OKABE_ITO, ROLE_COLORS
from ._base import Demo
from .foundations import _fmt

__all__ = [
    "GROUP_COLORS",
    "PENALTY_LABELS",
    "FairnessTradeoff",
    "ThresholdLandscape",
]

FloatArray = NDArray[np.float64]

#: The colour of each group, the same in both demos and the chapter's figures.
GROUP_COLORS: Mapping[int, str] = {0: OKABE_ITO["blue"], 1: OKABE_ITO["orange"]}

#: Display names of the penalties in the dropdown.
PENALTY_LABELS: Mapping[str, str] = {
    "parity": "soft parity gap²",
    "covariance": "covariance² (Zafar)",
}
_PENALTY_COLORS: Mapping[str, str] = {
    "parity": OKABE_ITO["reddish_purple"],
    "covariance": OKABE_ITO["bluish_green"],
}
_BOX = {"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#BBBBBB", "alpha": 0.92}
_MONO = {"family": "DejaVu Sans Mono", "fontsize": 8.5}


# ======================================================================================
# FairnessTradeoff
# ======================================================================================


class FairnessTradeoff(Demo):
    """Cross-entropy + μ·penalty: the μ slider moves the model along the trade-off curve.

    A logistic model f = Xw + b is trained on 2000 applicants of the biased loan history
    (:func:`lossviz.fairness.loan_split`; the group A is not an input) by minimising
    cross-entropy + ½λ‖w‖² + μ·P, with P the squared soft parity gap or Zafar's squared
    covariance (:func:`lossviz.fairness.fair_objective`), at each μ of
    :data:`lossviz.fairness.DEFAULT_MUS` (:func:`lossviz.fairness.mu_sweep`, warm-started,
    computed once). Every number is measured on 2000 validation applicants at threshold ½.

    Left: accuracy against the demographic-parity difference for every μ, the Pareto front
    (no other μ is both more accurate and fairer), the current model ● (filled when it is on
    the front, hollow when another μ dominates it), and two reference
    points: reweighting (Kamiran & Calders) and group thresholds with equal selection
    rates (post-processing of the plain model). Middle: the distribution of the predicted
    probability σ(f) in each group. Right: selection rate, TPR, FPR and accuracy per group.

    Args:
        log_mu: initial slider position: log₁₀ μ from −2 to 3 in steps of 0.2; the
            leftmost position, −2.2, means μ = 0 (plain cross-entropy).
        penalty: ``"parity"`` or ``"covariance"``.
        n_train: training applicants.
        n_val: validation applicants.
        l2: the L2 strength λ.
        seed: the data (training seed; validation uses seed + 1).
        figsize: figure size.
        dpi: resolution.

    Controls: ``log_mu``, ``penalty``.
    Numbers: ``log_mu``, ``mu``, ``penalty``, ``accuracy``, ``dp_difference``,
    ``eo_difference``, ``soft_gap``, ``on_front`` (1 if on the Pareto front),
    ``selection_0``, ``selection_1``, ``tpr_0``, ``tpr_1``, ``fpr_0``, ``fpr_1``,
    ``accuracy_0``, ``accuracy_1``.
    """

    caption = (
        "At μ = 0 the model trained on the biased history approves group 0 far more often "
        "than group 1 (demographic-parity difference 0.24). Raising μ trades accuracy on "
        "the historical labels for parity: the two probability distributions slide "
        "together. Watch the equalized-odds difference: it first falls, then grows again "
        "once the selection rates are forced equal."
    )
    alt_text = (
        "Three panels. Left: accuracy against demographic-parity difference for a sweep of "
        "fairness weights mu, a curve running from about 0.80 accuracy at parity difference "
        "0.24 down to about 0.77 accuracy near parity difference 0.02, with the Pareto "
        "front highlighted, the current model as a large dot, and markers for reweighting "
        "and group thresholds. Middle: histograms of the predicted approval probability for "
        "group 0 and group 1. Right: grouped bars of selection rate, true-positive rate, "
        "false-positive rate and accuracy for the two groups."
    )

    figsize = (10.4, 4.2)
    LOG_RANGE = (-2.0, 3.0)
    LOG_STEP = 0.2
    #: the slider's leftmost position, one step below 10⁻²: μ = 0
    ZERO_POSITION = -2.2
    N_BINS = 20

    def __init__(
        self,
        log_mu: float = ZERO_POSITION,
        penalty: str = "parity",
        *,
        n_train: int = 2000,
        n_val: int = 2000,
        l2: float = 1e-3,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        if penalty not in PENALTY_LABELS:
            raise ValueError(f"penalty must be one of {list(PENALTY_LABELS)}; got {penalty!r}.")
        self.train, self.val = fair.loan_split(n_train, n_val, seed=seed)
        tr, va = self.train, self.val
        low, high = self.LOG_RANGE
        logs = np.round(np.arange(low, high + self.LOG_STEP / 2, self.LOG_STEP), 10)
        self.mus = np.r_[0.0, 10.0**logs]
        self.sweeps = {
            name: fair.mu_sweep(tr.X, tr.y, tr.group, mus=self.mus, penalty=name, l2=l2,
                                X_eval=va.X, y_eval=va.y, group_eval=va.group)
            for name in PENALTY_LABELS
        }
        self.reports: dict[str, list[fair.GroupReport]] = {}
        self._hist: dict[str, FloatArray] = {}
        edges = np.linspace(0.0, 1.0, self.N_BINS + 1)
        for name, sweep in self.sweeps.items():
            self.reports[name] = []
            hists = []
            for i in range(self.mus.size):
                model = sweep.model(i)
                self.reports[name].append(fair.group_report(va.y, model.predict(va.X),
                                                            va.group))
                p = model.predict_proba(va.X)
                hists.append([np.histogram(p[va.group == a], edges)[0] / np.sum(va.group == a)
                              for a in (0, 1)])
            self._hist[name] = np.array(hists)
        self._edges = edges
        plain = self.sweeps["parity"].model(0)
        weighted = fair.fit_fair_logistic(tr.X, tr.y, l2=l2,
                                          sample_weight=fair.reweighing_weights(tr.y, tr.group))
        self.reweighting = fair.operating_point("reweighting", va.y, weighted.predict(va.X),
                                                va.group)
        rule = fair.parity_thresholds(plain.predict_proba(tr.X), tr.y, tr.group)
        self.group_thresholds = fair.operating_point(
            "group thresholds", va.y, rule.predict(plain.predict_proba(va.X), va.group),
            va.group)
        self._init = {"log_mu": log_mu, "penalty": penalty}
        self._shown_penalty: str | None = None
        super().__init__(figsize=figsize, dpi=dpi)

    # -- model --------------------------------------------------------------------------

    def index(self, log_mu: float) -> int:
        """The sweep index of a slider position (0 is μ = 0)."""
        low = self.LOG_RANGE[0]
        if log_mu < low - self.LOG_STEP / 2:
            return 0
        k = round((min(log_mu, self.LOG_RANGE[1]) - low) / self.LOG_STEP)
        return int(k) + 1

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "log_mu": widgets.FloatSlider(
                value=self._init["log_mu"], min=self.ZERO_POSITION, max=self.LOG_RANGE[1],
                step=self.LOG_STEP, description="log₁₀ μ", readout_format=".1f",
                style={"description_width": "initial"}, layout=widgets.Layout(width="380px"),
            ),
            "penalty": widgets.Dropdown(
                options=[(label, name) for name, label in PENALTY_LABELS.items()],
                value=self._init["penalty"], description="penalty",
                layout=widgets.Layout(width="240px"),
            ),
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.06, right=0.99, bottom=0.15, top=0.88, wspace=0.33)
        self.ax_front, self.ax_hist, self.ax_bars = fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.25, 1.0, 1.0]})
        self._shown_penalty = None
        self._setup_front(self.ax_front)
        self._setup_hist(self.ax_hist)
        self._setup_bars(self.ax_bars)

    def _setup_front(self, ax: Axes) -> None:
        points = [self.reweighting, self.group_thresholds]
        dps = np.concatenate([s.dp_difference for s in self.sweeps.values()]
                             + [[p.dp_difference for p in points]])
        accs = np.concatenate([s.accuracy for s in self.sweeps.values()]
                              + [[p.accuracy for p in points]])
        ax.set(xlim=(-0.01, dps.max() + 0.03),
               ylim=(accs.min() - 0.012, accs.max() + 0.012))
        ax.set_xlabel("demographic-parity difference")
        ax.set_ylabel("accuracy (validation)")
        self._front_title = ax.set_title(" ")
        (self._curve,) = ax.plot([], [], "o-", ms=3, lw=1.2, alpha=0.55)
        (self._front,) = ax.plot([], [], lw=2.4, drawstyle="steps-post",
                                 label="Pareto front")
        ax.plot([self.reweighting.dp_difference], [self.reweighting.accuracy], "D",
                color=ROLE_COLORS["data"], ms=6, label="reweighting")
        ax.plot([self.group_thresholds.dp_difference], [self.group_thresholds.accuracy], "^",
                color=ROLE_COLORS["data"], ms=7, mfc="white", mew=1.5,
                label="group thresholds")
        first = self.sweeps["parity"]
        ax.annotate("μ = 0", (first.dp_difference[0], first.accuracy[0]), xytext=(0, -9),
                    textcoords="offset points", ha="center", va="top", fontsize=8)
        handles, labels = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], color="#222222", ls="", marker="o", ms=7, mfc="none",
                              mew=1.8))
        labels.append("current μ (filled: on the front)")
        # lower right: high disparity *and* low accuracy, where no point of the curve lies
        self._front_legend = ax.legend(handles, labels, loc="lower right", fontsize=7.5,
                                       handlelength=1.5)
        # filled when the current model is on the Pareto front, hollow when dominated
        (self._point,) = ax.plot([], [], "o", color="#222222", ms=9, mfc="none", mew=2,
                                 zorder=6)
        self._animate(self._point)
        # upper left: the curve runs from upper right to lower left and never gets there
        self._front_readout = self._readout(
            ax, 0.03, 0.97, "μ = {mu:<9}\naccuracy {acc:>6}\nDP diff  {dp:>6}\n"
            "EO diff  {eo:>6}",
            transform=ax.transAxes, ha="left", va="top", ma="left", bbox=_BOX, zorder=8)

    def _setup_hist(self, ax: Axes) -> None:
        top = max(float(h.max()) for h in self._hist.values())
        ax.set(xlim=(0.0, 1.0), ylim=(0.0, top * 1.12))
        ax.set_xlabel("predicted P(approve) = σ(f)")
        ax.set_ylabel("share of the group")
        ax.set_title("scores by group")
        ax.axvline(0.5, color=ROLE_COLORS["threshold"], lw=1.0, ls="--")
        ax.text(0.51, 0.98, "threshold ½", transform=ax.get_xaxis_transform(), va="top",
                fontsize=8)
        self._hist_lines = []
        for a in (0, 1):
            (line,) = ax.plot([], [], color=GROUP_COLORS[a], lw=1.8, drawstyle="steps-post",
                              label=f"group {a}")
            self._hist_lines.append(line)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.9))
        self._animate(*self._hist_lines)

    def _setup_bars(self, ax: Axes) -> None:
        names = ("selection", "TPR", "FPR", "accuracy")
        x = np.arange(len(names))
        ax.set(xlim=(-0.6, len(names) - 0.4), ylim=(0.0, 1.12))
        ax.set_xticks(x, names)
        ax.set_xlabel("rate in each group")
        ax.set_ylabel("rate (validation)")
        ax.set_title("group 0 vs group 1")
        self._bars = []
        self._bar_labels = []
        width = 0.38
        for a, shift in ((0, -width / 2), (1, width / 2)):
            bars = ax.bar(x + shift, np.zeros(len(names)), width, color=GROUP_COLORS[a],
                          label=f"group {a}")
            self._bars.append(list(bars))
            texts = [ax.text(xi + shift, 0.0, "", ha="center", va="bottom", fontsize=7)
                     for xi in x]
            self._bar_labels.append(texts)
            self._animate(*bars, *texts)
        ax.legend(loc="upper right", ncol=2, fontsize=7.5)

    def _show_penalty(self, penalty: str) -> None:
        sweep = self.sweeps[penalty]
        color = _PENALTY_COLORS[penalty]
        self._curve.set_data(sweep.dp_difference, sweep.accuracy)
        self._curve.set_color(color)
        on = np.flatnonzero(sweep.pareto)
        order = on[np.argsort(sweep.dp_difference[on])]
        self._front.set_data(sweep.dp_difference[order], sweep.accuracy[order])
        self._front.set_color(color)
        self._front_legend.legend_handles[0].set_color(color)
        self._front_title.set_text(f"accuracy vs parity: {PENALTY_LABELS[penalty]}")
        self._shown_penalty = penalty

    def _static_key(self) -> str:
        return self._shown_penalty or ""

    def _update(self) -> None:
        penalty, log_mu = self.value("penalty"), float(self.value("log_mu"))
        if penalty != self._shown_penalty:
            self._show_penalty(penalty)
        i = self.index(log_mu)
        sweep, report = self.sweeps[penalty], self.reports[penalty][i]
        mu = float(self.mus[i])
        self._point.set_data([sweep.dp_difference[i]], [sweep.accuracy[i]])
        for a, line in enumerate(self._hist_lines):
            heights = self._hist[penalty][i, a]
            line.set_data(self._edges, np.r_[heights, heights[-1]])
        rates = np.array([report.selection_rate, report.tpr, report.fpr,
                          report.group_accuracy])  # (4 metrics, 2 groups)
        for a in (0, 1):
            for bar, text, value in zip(self._bars[a], self._bar_labels[a], rates[:, a],
                                        strict=True):
                bar.set_height(value)
                text.set_position((text.get_position()[0], value + 0.01))
                text.set_text(f"{value:.2f}")
        on_front = bool(sweep.pareto[i])
        self._point.set_markerfacecolor(_PENALTY_COLORS[penalty] if on_front else "none")
        self._front_readout.set(
            mu="0 (plain)" if mu == 0 else _fmt(mu), acc=f"{sweep.accuracy[i]:.3f}",
            dp=f"{sweep.dp_difference[i]:.3f}", eo=f"{sweep.eo_difference[i]:.3f}")
        self._show(
            log_mu=log_mu, mu=mu, penalty=penalty, accuracy=float(sweep.accuracy[i]),
            dp_difference=float(sweep.dp_difference[i]),
            eo_difference=float(sweep.eo_difference[i]), soft_gap=float(sweep.soft_gap[i]),
            on_front=int(on_front),
            selection_0=float(rates[0, 0]), selection_1=float(rates[0, 1]),
            tpr_0=float(rates[1, 0]), tpr_1=float(rates[1, 1]),
            fpr_0=float(rates[2, 0]), fpr_1=float(rates[2, 1]),
            accuracy_0=float(rates[3, 0]), accuracy_1=float(rates[3, 1]),
        )


# ======================================================================================
# ThresholdLandscape
# ======================================================================================


class ThresholdLandscape(Demo):
    """Accuracy over one threshold per group, with the parity and equal-odds curves.

    The plain logistic model (cross-entropy only) of the loan history scores 2000
    validation applicants with p = σ(f); group 0 is approved when p ≥ t₀, group 1 when
    p ≥ t₁. Left: the accuracy for every (t₀, t₁) on a 0.01 grid as a heat map, with the
    curves where the two groups have equal selection rates (demographic parity), equal
    true-positive rates and equal false-positive rates: equalized odds holds only where the
    last two cross. Marked: the most accurate pair ★, the most accurate pair with DP
    difference ≤ 0.01 ◆ and with EO difference ≤ 0.02 ●, and the current pair ✕. Right:
    each group's selection rate, TPR and FPR against its threshold, with the current
    thresholds. Every rate at the marker is printed.

    Args:
        t0: initial threshold of group 0, in [0, 1].
        t1: initial threshold of group 1, in [0, 1].
        n_train: training applicants.
        n_val: validation applicants.
        l2: the L2 strength λ of the plain model.
        seed: the data (training seed; validation uses seed + 1).
        figsize: figure size.
        dpi: resolution.

    Controls: ``t0``, ``t1``.
    Numbers: ``t0``, ``t1``, ``accuracy``, ``selection_0``, ``selection_1``, ``tpr_0``,
    ``tpr_1``, ``fpr_0``, ``fpr_1``, ``dp_difference``, ``eo_difference``, and the marked
    pairs ``best_t0``, ``best_t1``, ``best_accuracy``, ``dp_t0``, ``dp_t1``,
    ``dp_accuracy``, ``eo_t0``, ``eo_t1``, ``eo_accuracy``.
    """

    caption = (
        "One threshold cannot serve both groups: at t₀ = t₁ = 0.5 group 0 is approved almost "
        "twice as often (56 % against 31 %). Along the black curve the selection rates are equal "
        "(demographic parity); equalized odds needs the TPR and FPR curves to cross, a "
        "single point. Each costs accuracy on the historical labels, by different amounts."
    )
    alt_text = (
        "Two panels. Left: a heat map of accuracy over the threshold for group 0 (x) and "
        "for group 1 (y), brightest near 0.5 and 0.5; a solid black curve of equal selection "
        "rates, a dashed curve of equal true-positive rates and a dotted curve of equal "
        "false-positive rates crossing near t0 = 0.5, t1 = 0.37; star, diamond and dot "
        "markers for the best pairs and a cross at the current thresholds. Right: selection "
        "rate, true-positive rate and false-positive rate of each group against the "
        "threshold, with vertical lines at the two current thresholds."
    )

    figsize = (10.4, 4.4)
    STEP = 0.01
    DP_TOLERANCE = 0.01
    EO_TOLERANCE = 0.02

    def __init__(
        self,
        t0: float = 0.5,
        t1: float = 0.5,
        *,
        n_train: int = 2000,
        n_val: int = 2000,
        l2: float = 1e-3,
        seed: int = 0,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
    ) -> None:
        train, val = fair.loan_split(n_train, n_val, seed=seed)
        self.model = fair.fit_fair_logistic(train.X, train.y, l2=l2)
        self.scores = self.model.predict_proba(val.X)
        self.y, self.group = val.y, val.group
        self.grid = np.round(np.arange(0, round(1 / self.STEP) + 1) * self.STEP, 10)
        self.table = fair.threshold_table(self.scores, self.y, self.group, self.grid)
        T = self.table
        self.accuracy_map = (T.correct[0][:, None] + T.correct[1][None, :]) / self.y.size
        self.dp_map = T.selection_rate[0][:, None] - T.selection_rate[1][None, :]
        self.tpr_map = T.tpr[0][:, None] - T.tpr[1][None, :]
        self.fpr_map = T.fpr[0][:, None] - T.fpr[1][None, :]
        eo = np.maximum(np.abs(self.tpr_map), np.abs(self.fpr_map))
        self.marked = {
            "best": self._argmax(self.accuracy_map),
            "dp": self._argmax(np.where(np.abs(self.dp_map) <= self.DP_TOLERANCE,
                                        self.accuracy_map, -1.0)),
            "eo": self._argmax(np.where(eo <= self.EO_TOLERANCE, self.accuracy_map, -1.0)),
        }
        self._init = {"t0": t0, "t1": t1}
        super().__init__(figsize=figsize, dpi=dpi)

    def _argmax(self, values: FloatArray) -> tuple[float, float, float]:
        i, j = np.unravel_index(int(np.argmax(values)), values.shape)
        return float(self.grid[i]), float(self.grid[j]), float(self.accuracy_map[i, j])

    def metrics(self, t0: float, t1: float) -> fair.GroupReport:
        """Every group metric when group 0 uses ``t0`` and group 1 uses ``t1``."""
        thresholds = np.where(self.group == 1, t1, t0)
        return fair.group_report(self.y, (self.scores >= thresholds).astype(np.float64),
                                 self.group)

    # -- demo hooks ---------------------------------------------------------------------

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        return {
            name: widgets.FloatSlider(
                value=self._init[name], min=0.0, max=1.0, step=self.STEP,
                description=f"t{sub} (group {k})", readout_format=".2f", style=style,
            )
            for k, (name, sub) in enumerate((("t0", "₀"), ("t1", "₁")))
        }

    def _setup(self, fig: Figure) -> None:
        fig.subplots_adjust(left=0.055, right=0.745, bottom=0.13, top=0.9, wspace=0.28)
        self.ax_map, self.ax_rates = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 0.9]})
        self._setup_map(self.ax_map)
        self._setup_rates(self.ax_rates)
        rows = [("t₀, t₁", "{t:>11}"), ("accuracy", "{acc:>11}"),
                ("selection 0 | 1", "{sel:>11}"), ("DP difference", "{dp:>11}"),
                ("TPR 0 | 1", "{tpr:>11}"), ("FPR 0 | 1", "{fpr:>11}"),
                ("EO difference", "{eo:>11}")]
        mono = {**_MONO, "va": "top", "transform": fig.transFigure}
        fig.text(0.765, 0.9, "\n".join(label for label, _ in rows), **mono)
        self._table = self._readout(fig, 0.995, 0.9, "\n".join(f for _, f in rows),
                                    ha="right", **mono)
        handles = [Line2D([], [], color="#222222", lw=1.6),
                   Line2D([], [], color=OKABE_ITO["vermillion"], lw=1.6, ls="--"),
                   Line2D([], [], color=OKABE_ITO["bluish_green"], lw=1.8, ls=":"),
                   Line2D([], [], color="#222222", ls="", marker="*", ms=10),
                   Line2D([], [], color="#222222", ls="", marker="D", ms=6, mfc="white"),
                   Line2D([], [], color="#222222", ls="", marker="o", ms=6, mfc="white"),
                   Line2D([], [], color=ROLE_COLORS["warning"], ls="", marker="X", ms=8)]
        labels = ["equal selection rates (DP)", "equal TPR", "equal FPR",
                  "most accurate", f"most accurate, DP ≤ {self.DP_TOLERANCE:g}",
                  f"most accurate, EO ≤ {self.EO_TOLERANCE:g}", "current (t₀, t₁)"]
        fig.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.755, 0.06),
                   fontsize=7.8, handlelength=1.8, labelspacing=0.45)

    def _setup_map(self, ax: Axes) -> None:
        half = self.STEP / 2
        ax.imshow(self.accuracy_map.T, origin="lower", cmap="Blues", aspect="equal",
                  extent=(-half, 1 + half, -half, 1 + half), interpolation="nearest")
        ax.set_xlabel("t₀ (threshold for group 0)")
        ax.set_ylabel("t₁ (threshold for group 1)")
        ax.set_title("accuracy over (t₀, t₁)")
        ax.grid(False)
        T0, T1 = np.meshgrid(self.grid, self.grid, indexing="ij")
        levels = [0.7, 0.75, 0.8]
        lines = ax.contour(T0, T1, self.accuracy_map, levels=levels, colors="#FFFFFF",
                           linewidths=0.7, alpha=0.8)
        ax.clabel(lines, fmt=lambda v: f"{v:.2f}", fontsize=7)
        ax.contour(T0, T1, self.dp_map, levels=[0.0], colors="#222222", linewidths=1.6)
        ax.contour(T0, T1, self.tpr_map, levels=[0.0], colors=OKABE_ITO["vermillion"],
                   linewidths=1.6, linestyles="--")
        ax.contour(T0, T1, self.fpr_map, levels=[0.0], colors=OKABE_ITO["bluish_green"],
                   linewidths=1.8, linestyles=":")
        for key, marker, size in (("best", "*", 13), ("dp", "D", 7), ("eo", "o", 7)):
            t0, t1, _ = self.marked[key]
            ax.plot([t0], [t1], marker, color="#222222", ms=size,
                    mfc="#222222" if key == "best" else "white", mew=1.3, zorder=5)
        ax.set(xlim=(0, 1), ylim=(0, 1))
        (self._marker,) = ax.plot([], [], "X", color=ROLE_COLORS["warning"], ms=10,
                                  mec="white", mew=0.8, zorder=7)
        self._animate(self._marker)

    def _setup_rates(self, ax: Axes) -> None:
        ax.set(xlim=(0, 1), ylim=(-0.02, 1.02))
        ax.set_xlabel("threshold t of the group")
        ax.set_ylabel("rate (validation)")
        ax.set_title("each group's rates against its threshold")
        T = self.table
        styles = (("selection_rate", "-", "selection"), ("tpr", "--", "TPR"),
                  ("fpr", ":", "FPR"))
        for a in (0, 1):
            for attr, ls, _ in styles:
                ax.plot(self.grid, getattr(T, attr)[a], color=GROUP_COLORS[a], ls=ls,
                        lw=1.5)
        handles = [Line2D([], [], color="#555555", ls=ls) for _, ls, _ in styles]
        handles += [Line2D([], [], color=GROUP_COLORS[a], lw=4) for a in (0, 1)]
        ax.legend(handles, [label for *_, label in styles] + ["group 0", "group 1"],
                  loc="upper right", fontsize=7.5, ncol=1)
        self._t_lines = [ax.axvline(0.0, color=GROUP_COLORS[a], lw=1.2) for a in (0, 1)]
        self._rate_points = [ax.plot([], [], "o", color=GROUP_COLORS[a], ms=5, zorder=5)[0]
                             for a in (0, 1)]
        self._animate(*self._t_lines, *self._rate_points)

    def _update(self) -> None:
        t0, t1 = float(self.value("t0")), float(self.value("t1"))
        r = self.metrics(t0, t1)
        self._marker.set_data([t0], [t1])
        for a, t in enumerate((t0, t1)):
            self._t_lines[a].set_xdata([t, t])
            self._rate_points[a].set_data([t, t, t],
                                          [r.selection_rate[a], r.tpr[a], r.fpr[a]])
        self._table.set(
            t=f"{t0:.2f}, {t1:.2f}", acc=f"{r.accuracy:.3f}",
            sel=f"{r.selection_rate[0]:.2f} | {r.selection_rate[1]:.2f}",
            dp=f"{r.dp_difference:.3f}", tpr=f"{r.tpr[0]:.2f} | {r.tpr[1]:.2f}",
            fpr=f"{r.fpr[0]:.2f} | {r.fpr[1]:.2f}", eo=f"{r.eo_difference:.3f}")
        best, dp, eo = self.marked["best"], self.marked["dp"], self.marked["eo"]
        self._show(
            t0=t0, t1=t1, accuracy=r.accuracy,
            selection_0=float(r.selection_rate[0]), selection_1=float(r.selection_rate[1]),
            tpr_0=float(r.tpr[0]), tpr_1=float(r.tpr[1]),
            fpr_0=float(r.fpr[0]), fpr_1=float(r.fpr[1]),
            dp_difference=r.dp_difference, eo_difference=r.eo_difference,
            best_t0=best[0], best_t1=best[1], best_accuracy=best[2],
            dp_t0=dp[0], dp_t1=dp[1], dp_accuracy=dp[2],
            eo_t0=eo[0], eo_t1=eo[1], eo_accuracy=eo[2],
        )
