"""Chapter 01 demos: the numbers they show, checked against lossviz.robust and closed forms.

The generic tests in ``test_widgets.py`` drive every control of every catalog demo; the
tests here assert what the regression demos compute and print.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lossviz import losses, robust
from lossviz.data import heteroscedastic_1d
from lossviz.widgets import OutlierTugOfWar, PinballExplorer, RobustFamilyExplorer, catalog
from lossviz.widgets.foundations import _fmt
from lossviz.widgets.regression import (
    BARRON_CASES,
    QuantileLines,
    barron_case,
    barron_psi_sup,
    barron_rho_sup,
    huber_line,
    mse_line,
    outlier_data,
    quantile_line,
)

LOSS_PARAMS = {"mse": {}, "mae": {}, "huber": {"delta": 1.0}, "pinball": {"quantile": 0.5}}


def test_the_regression_demos_are_in_the_catalog_for_chapter_01() -> None:
    entries = catalog()
    for name in ("OutlierTugOfWar", "RobustFamilyExplorer", "PinballExplorer"):
        assert entries[name].chapter == "01_regression"


# -- exact line fits ------------------------------------------------------------------------


def _objective(loss: str, x: np.ndarray, y: np.ndarray, slope: float, intercept: float,
               **params: float) -> float:
    return float(losses.get(loss)(y, slope * x + intercept, **params))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("tau", [0.05, 0.3, 0.5, 0.77, 0.95])
def test_quantile_line_reaches_the_linear_programme_optimum(seed: int, tau: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, 25)
    y = 1.0 + 0.5 * x + rng.standard_t(2, 25)
    line = quantile_line(x, y, tau)
    reference = robust.fit_line(x, y, "pinball", quantile=tau)
    objective = _objective("pinball", x, y, line.slope, line.intercept, quantile=tau)
    assert objective == pytest.approx(reference.objective, rel=1e-12)


def test_quantile_line_passes_through_its_two_support_points() -> None:
    x, y = outlier_data()
    line = quantile_line(x, y, 0.3)
    i, j = line.support
    assert x[i] != x[j]
    np.testing.assert_allclose(line.predict(x[[i, j]]), y[[i, j]], rtol=1e-12)
    assert np.all(line.residuals(x, y)[[i, j]] == 0.0)


def test_quantile_lines_skip_pairs_with_equal_x() -> None:
    x = np.array([0.0, 0.0, 1.0, 2.0, 2.0])
    y = np.array([0.0, 5.0, 1.0, 2.0, -3.0])
    lines = QuantileLines(x, y)
    assert np.all(np.isfinite(lines.slopes)) and lines.slopes.size == 8
    reference = robust.fit_line(x, y, "mae")
    line = lines.fit(0.5)
    assert _objective("mae", x, y, line.slope, line.intercept) == pytest.approx(
        reference.objective, rel=1e-12)


def test_quantile_lines_refuse_data_without_two_different_x() -> None:
    with pytest.raises(ValueError, match="two different values"):
        QuantileLines([1.0, 1.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="quantile"):
        QuantileLines([0.0, 1.0], [0.0, 1.0]).fit(1.0)


@pytest.mark.parametrize("delta", [1e-3, 0.1, 0.5, 1.0, 3.0, 100.0])
@pytest.mark.parametrize("outlier", [(9.0, 30.0), (0.5, -10.0), (5.0, 5.0), (10.0, 40.0)])
def test_huber_line_reaches_the_optimum_of_robust_fit_line(
    delta: float, outlier: tuple[float, float]
) -> None:
    x, y = outlier_data()
    x, y = np.append(x, outlier[0]), np.append(y, outlier[1])
    line = huber_line(x, y, delta)
    reference = robust.fit_line(x, y, "huber", delta=delta, max_iter=10_000)
    objective = _objective("huber", x, y, line.slope, line.intercept, delta=delta)
    assert objective == pytest.approx(reference.objective, rel=1e-12)
    # first-order condition: the clipped residuals are orthogonal to (x, 1)
    psi = np.clip(line.predict(x) - y, -delta, delta)
    assert np.abs([psi @ x, psi.sum()]).max() < 1e-9 * max(1.0, delta) * x.size


def test_mse_line_is_least_squares() -> None:
    x, y = outlier_data()
    slope, intercept = np.polyfit(x, y, 1)
    line = mse_line(x, y)
    assert (line.slope, line.intercept) == pytest.approx((slope, intercept), rel=1e-12)


# -- OutlierTugOfWar ------------------------------------------------------------------------


def test_tug_of_war_moving_the_outlier_up_raises_mse_slope_most() -> None:
    demo = OutlierTugOfWar(outlier_x=9.0, outlier_y=10.0)
    low = demo.numbers()
    demo.controls["outlier_y"].value = 40.0
    high = demo.numbers()
    rise = {name: high[f"slope_{name}"] - low[f"slope_{name}"]
            for name in ("mse", "mae", "huber", "pinball")}
    assert rise["mse"] > 0.3
    assert rise["mse"] > 10 * max(abs(rise["mae"]), abs(rise["huber"]), abs(rise["pinball"]))


@pytest.mark.parametrize(
    ("outlier_x", "outlier_y", "delta", "tau"),
    [(9.0, 30.0, 1.0, 0.75), (0.0, -10.0, 0.1, 0.05), (10.0, 40.0, 3.0, 0.95),
     (4.3, 2.0, 0.55, 0.5)],
)
def test_tug_of_war_lines_minimise_the_objectives_of_robust_fit_line(
    outlier_x: float, outlier_y: float, delta: float, tau: float
) -> None:
    demo = OutlierTugOfWar(outlier_x=outlier_x, outlier_y=outlier_y, delta=delta, tau=tau)
    x, y = demo.data()
    params = {"mse": {}, "mae": {}, "huber": {"delta": delta}, "pinball": {"quantile": tau}}
    for name, line in demo.lines.items():
        reference = robust.fit_line(x, y, name, **params[name])
        objective = _objective(name, x, y, line.slope, line.intercept, **params[name])
        assert objective == pytest.approx(reference.objective, rel=1e-12), name
        assert demo.numbers()[f"slope_{name}"] == line.slope


def test_tug_of_war_influence_bars_equal_robust_influence() -> None:
    demo = OutlierTugOfWar(outlier_x=7.5, outlier_y=25.0, delta=0.8, tau=0.3)
    x, y = demo.data()
    params = {"mse": {}, "mae": {}, "huber": {"delta": 0.8}, "pinball": {"quantile": 0.3}}
    for name, line in demo.lines.items():
        r = demo.residuals[name]
        np.testing.assert_allclose(r, line.predict(x) - y, atol=1e-12)
        psi, _ = robust.influence(name, r, **params[name])
        inliers, outlier = demo._bars[name]
        drawn = [path.vertices[1, 1] for path in [*inliers.get_paths(), *outlier.get_paths()]]
        np.testing.assert_allclose(drawn, psi, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(demo.psi[name], psi)
        assert demo.numbers()[f"psi_outlier_{name}"] == psi[-1]


def test_tug_of_war_outlier_mse_bar_grows_linearly_and_the_others_stay_capped() -> None:
    demo = OutlierTugOfWar(outlier_x=9.0, delta=1.5, tau=0.7)
    heights = np.arange(20.0, 40.5, 5.0)
    shown = []
    for height in heights:
        demo.controls["outlier_y"].value = float(height)
        shown.append(demo.numbers())
    psi_mse = np.array([s["psi_outlier_mse"] for s in shown])
    # refitting least squares, the outlier's residual moves by (1 - h) per unit of y, where
    # h is its leverage: psi = 2 r is an affine function of the outlier's height
    x, _ = demo.data()
    leverage = 1 / x.size + (x[-1] - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2)
    np.testing.assert_allclose(np.diff(psi_mse) / np.diff(heights), -2 * (1 - leverage),
                               rtol=1e-9)
    assert abs(psi_mse[-1]) > 2 * abs(psi_mse[0]) > 20
    assert all(s["psi_outlier_huber"] == -1.5 for s in shown)
    assert all(s["psi_outlier_mae"] == -1.0 for s in shown)
    assert all(s["psi_outlier_pinball"] == -0.7 for s in shown)


@pytest.mark.parametrize("delta", [0.1, 0.6, 2.0, 3.0])
def test_tug_of_war_huber_bars_are_capped_at_delta(delta: float) -> None:
    demo = OutlierTugOfWar(outlier_y=40.0, delta=delta)
    assert np.max(np.abs(demo.psi["huber"])) == pytest.approx(delta)
    assert demo.numbers()["psi_outlier_huber"] == -delta
    cap_y = demo._caps["huber"].get_ydata()
    assert sorted(v for v in cap_y if np.isfinite(v)) == [-delta, -delta, delta, delta]


def test_tug_of_war_prints_the_slopes_and_the_outlier_psi() -> None:
    demo = OutlierTugOfWar()
    shown = demo.numbers()
    for name in ("mse", "mae", "huber", "pinball"):
        assert demo._slope_values[name].get_text() == _fmt(shown[f"slope_{name}"])
        assert demo._psi_values[name].get_text() == _fmt(shown[f"psi_outlier_{name}"], 2)


def test_tug_of_war_outlier_on_an_inlier_x_still_fits() -> None:
    x, _ = outlier_data()
    demo = OutlierTugOfWar(outlier_x=float(np.round(x[5], 1)), outlier_y=-10.0)
    assert all(np.isfinite(v) for v in demo.numbers().values())


# -- RobustFamilyExplorer -------------------------------------------------------------------

CLOSED_FORMS = {
    "l2": lambda z: 0.5 * z**2,
    "charbonnier": lambda z: np.sqrt(z**2 + 1.0) - 1.0,
    "cauchy": lambda z: np.log(0.5 * z**2 + 1.0),
    "geman_mcclure": lambda z: 2.0 * z**2 / (z**2 + 4.0),
    "welsch": lambda z: 1.0 - np.exp(-0.5 * z**2),
}


@pytest.mark.parametrize("alpha", [2.0, 1.5, 1.0, 0.3, 0.0, -2.0, -7.3, -10.0])
@pytest.mark.parametrize("scale", [0.5, 1.0, 2.35])
def test_family_curves_are_barron_and_its_influence(alpha: float, scale: float) -> None:
    demo = RobustFamilyExplorer(alpha=alpha, scale=scale)
    r = demo._r
    rho = losses.barron(np.zeros_like(r), r, reduction="none", alpha=alpha, scale=scale)
    psi, weight = robust.influence("barron", r, alpha=alpha, scale=scale)
    np.testing.assert_array_equal(demo._curves[0].get_ydata(), rho)
    np.testing.assert_array_equal(demo._curves[1].get_ydata(), psi)
    np.testing.assert_allclose(demo._curves[2].get_ydata(), weight * scale**2, rtol=1e-15)
    shown = demo.numbers()
    rho_3c = losses.barron([0.0], [3 * scale], alpha=alpha, scale=scale)
    psi_3c, w_3c = robust.influence("barron", [3 * scale], alpha=alpha, scale=scale)
    assert shown["rho_3c"] == pytest.approx(rho_3c, rel=1e-12)
    assert shown["psi_3c"] == pytest.approx(psi_3c[0], rel=1e-12)
    assert shown["weight_3c"] == pytest.approx(w_3c[0], rel=1e-12)
    assert shown["weight_ratio_3c"] == pytest.approx(w_3c[0] * scale**2, rel=1e-12)


@pytest.mark.parametrize("case", list(CLOSED_FORMS))
@pytest.mark.parametrize("scale", [0.5, 1.0, 2.7])
def test_family_named_cases_match_their_closed_forms(case: str, scale: float) -> None:
    demo = RobustFamilyExplorer(alpha=0.5, scale=scale)
    demo.controls["case"].value = case
    z = demo._r / scale
    expected = CLOSED_FORMS[case](z)
    np.testing.assert_allclose(demo._curves[0].get_ydata(), expected, rtol=1e-12, atol=1e-15)
    assert demo.numbers()["case"] == BARRON_CASES[case][1]
    assert demo._header["case"].get_text() == BARRON_CASES[case][1]


def test_family_picking_a_case_moves_the_alpha_slider_and_renders_once() -> None:
    demo = RobustFamilyExplorer(alpha=0.5)
    renders = []
    original = demo.render
    demo.render = lambda: (renders.append(1), original())  # type: ignore[method-assign]
    demo.controls["case"].value = "geman_mcclure"
    assert renders == [1]
    assert demo.controls["alpha"].value == -2.0 and demo.numbers()["alpha"] == -2.0
    demo.controls["alpha"].value = -1.5
    assert renders == [1, 1]
    assert demo.controls["case"].value == "custom" and demo.numbers()["case"] == "general"


def test_family_welsch_is_alpha_minus_infinity_beyond_the_slider() -> None:
    demo = RobustFamilyExplorer(case="welsch", scale=1.0)
    shown = demo.numbers()
    assert demo.controls["alpha"].value == -10.0  # the slider rests at its end
    assert shown["alpha"] == "−∞" and shown["case"] == "Welsch"
    assert shown["rho_sup"] == 1.0
    assert shown["psi_sup"] == pytest.approx(np.exp(-0.5))
    assert shown["psi_peak_r"] == 1.0
    # moving α from Welsch leaves the limit: α is the slider's again
    demo.controls["alpha"].value = -9.9
    assert demo.numbers()["alpha"] == pytest.approx(-9.9)
    assert demo.numbers()["case"] == "general"


@pytest.mark.parametrize("alpha", [0.9, 0.5, 0.0, -2.0, -6.0, -np.inf])
@pytest.mark.parametrize("scale", [0.5, 1.3])
def test_barron_psi_sup_is_the_maximum_of_psi(alpha: float, scale: float) -> None:
    r = np.linspace(0.0, 40.0 * scale, 400_001)
    psi, _ = robust.influence("barron", r, alpha=alpha, scale=scale)
    sup, peak = barron_psi_sup(alpha, scale)
    psi_at_peak, _ = robust.influence("barron", [peak], alpha=alpha, scale=scale)
    assert psi_at_peak[0] == pytest.approx(sup, rel=1e-12)
    assert sup * (1 - 1e-7) <= psi.max() <= sup * (1 + 1e-12)  # no higher point on a grid
    assert r[np.argmax(psi)] == pytest.approx(peak, abs=2e-4 * scale)


def test_barron_psi_sup_at_alpha_one_is_approached_at_infinity() -> None:
    psi, _ = robust.influence("barron", [1e6], alpha=1.0, scale=0.8)
    assert barron_psi_sup(1.0, 0.8) == (1.25, np.inf)
    assert psi[0] == pytest.approx(1.25, rel=1e-9) and psi[0] < 1.25
    assert barron_psi_sup(1.5, 1.0) == (np.inf, np.inf)


@pytest.mark.parametrize("alpha", [-0.5, -2.0, -10.0, -np.inf])
def test_barron_rho_sup_is_the_limit_of_rho(alpha: float) -> None:
    rho = losses.barron([0.0], [1e60], alpha=alpha, scale=1.0)
    assert rho == pytest.approx(barron_rho_sup(alpha), rel=1e-12)
    assert barron_rho_sup(0.0) == np.inf


def test_family_weight_ratio_at_3c_depends_on_alpha_only() -> None:
    alpha = -2.0
    expected = (9.0 / abs(alpha - 2.0) + 1.0) ** (alpha / 2.0 - 1.0)
    for scale in (0.5, 1.0, 3.0):
        shown = RobustFamilyExplorer(alpha=alpha, scale=scale).numbers()
        assert shown["weight_ratio_3c"] == pytest.approx(expected, rel=1e-12)
        assert shown["weight_3c"] == pytest.approx(expected / scale**2, rel=1e-12)


@pytest.mark.parametrize(
    ("alpha", "case", "kind"),
    [(2.0, "L2", "convex"), (1.4, "general", "convex"), (1.0, "Charbonnier", "convex"),
     (0.5, "general", "non-convex"), (0.0, "Cauchy", "non-convex"),
     (-2.0, "Geman–McClure", "non-convex"), (-10.0, "general", "non-convex")],
)
def test_family_names_the_case_and_convexity(alpha: float, case: str, kind: str) -> None:
    shown = RobustFamilyExplorer(alpha=alpha).numbers()
    assert (shown["case"], shown["kind"]) == (case, kind)
    assert barron_case(alpha) == case


def test_family_rejects_an_unknown_case() -> None:
    with pytest.raises(ValueError, match="case must be one of"):
        RobustFamilyExplorer(case="huber")


# -- PinballExplorer ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pinball_demo() -> PinballExplorer:
    return PinballExplorer()


@pytest.mark.parametrize("tau", [0.05, 0.1, 0.25, 0.5, 0.63, 0.9, 0.95])
def test_pinball_fraction_below_tracks_tau_and_is_a_recount(
    pinball_demo: PinballExplorer, tau: float
) -> None:
    pinball_demo.controls["tau"].value = tau
    shown = pinball_demo.numbers()
    x, y, n = pinball_demo.x, pinball_demo.y, pinball_demo.x.size
    assert abs(shown["fraction_below"] - tau) <= 2 / n
    y_hat = shown["slope"] * x + shown["intercept"]
    below = int(np.sum(y < y_hat - 1e-9))  # the two points on the line are not counted
    above = int(np.sum(y > y_hat + 1e-9))
    assert (shown["n_below"], shown["n_above"], shown["n_on"]) == (below, above, n - below - above)
    assert shown["fraction_below"] == below / n


@pytest.mark.parametrize("tau", [0.05, 0.37, 0.5, 0.95])
def test_pinball_line_reaches_the_linear_programme_optimum(
    pinball_demo: PinballExplorer, tau: float
) -> None:
    pinball_demo.controls["tau"].value = tau
    shown = pinball_demo.numbers()
    x, y = pinball_demo.x, pinball_demo.y
    reference = robust.fit_line(x, y, "pinball", quantile=tau)
    assert shown["mean_loss"] == pytest.approx(reference.objective, rel=1e-12)
    assert _objective("pinball", x, y, shown["slope"], shown["intercept"],
                      quantile=tau) == shown["mean_loss"]


@pytest.mark.parametrize("tau", [0.05, 0.2, 0.5, 0.8, 0.95])
def test_pinball_pulls_balance_at_the_optimum(pinball_demo: PinballExplorer, tau: float) -> None:
    # subgradient in the intercept: (1 - τ) n_below - τ n_above is within the points on the line
    pinball_demo.controls["tau"].value = tau
    shown = pinball_demo.numbers()
    imbalance = shown["pull_below"] - shown["pull_above"]
    assert -shown["n_on"] * (1 - tau) - 1e-9 <= imbalance <= shown["n_on"] * tau + 1e-9
    assert shown["pull_below"] == pytest.approx((1 - tau) * shown["n_below"])


def test_pinball_upper_quantile_lines_are_steeper_in_a_widening_fan() -> None:
    demo = PinballExplorer()
    slopes = []
    for tau in (0.1, 0.5, 0.9):
        demo.controls["tau"].value = tau
        slopes.append(demo.numbers()["slope"])
    assert slopes[0] < slopes[1] < slopes[2]


def test_pinball_true_quantile_line_uses_the_generator_parameters() -> None:
    demo = PinballExplorer()
    x, y = heteroscedastic_1d(20_000, seed=3, **demo.data_params)
    line = demo.true_quantile_line(0.8)
    assert np.mean(y < line.predict(x)) == pytest.approx(0.8, abs=0.01)


def test_pinball_prints_the_numbers_it_reports(pinball_demo: PinballExplorer) -> None:
    pinball_demo.controls["tau"].value = 0.9
    shown = pinball_demo.numbers()
    header = pinball_demo._header
    assert header["fraction_below"].get_text() == f"{shown['fraction_below']:.3f}"
    assert header["n_below"].get_text() == str(shown["n_below"])
    assert header["slope"].get_text() == _fmt(shown["slope"])
    assert pinball_demo._pulls["pull_above"].get_text() == f"{shown['pull_above']:.1f}"
