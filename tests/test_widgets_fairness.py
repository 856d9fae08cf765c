"""Chapter 07 demos: the numbers they print agree with lossviz.fairness and fairlearn.

The generic catalog tests (every control changes picture and numbers, fast render equals a
full draw, ...) live in tests/test_widgets.py; these assert what each demo shows.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import fairlearn.metrics as flm
import numpy as np
import pytest

from lossviz import fairness as fair
from lossviz.widgets import FairnessTradeoff, ThresholdLandscape, catalog


@pytest.fixture(scope="module")
def tradeoff() -> FairnessTradeoff:
    return FairnessTradeoff()


@pytest.fixture(scope="module")
def landscape() -> ThresholdLandscape:
    return ThresholdLandscape()


def show(demo, **values):  # type: ignore[no-untyped-def]
    with demo.hold():
        for name, value in values.items():
            demo.controls[name].value = value
    return demo.numbers()


def fairlearn_numbers(y, pred, group) -> dict[str, float]:  # type: ignore[no-untyped-def]
    frame = flm.MetricFrame(metrics={"sel": flm.selection_rate, "tpr": flm.true_positive_rate,
                                     "fpr": flm.false_positive_rate},
                            y_true=y, y_pred=pred, sensitive_features=group).by_group
    out = {"dp_difference": flm.demographic_parity_difference(y, pred, sensitive_features=group),
           "eo_difference": flm.equalized_odds_difference(y, pred, sensitive_features=group),
           "accuracy": float(np.mean(pred == y))}
    for a in (0, 1):
        out[f"selection_{a}"] = frame.loc[float(a), "sel"]
        out[f"tpr_{a}"] = frame.loc[float(a), "tpr"]
        out[f"fpr_{a}"] = frame.loc[float(a), "fpr"]
    return out


def test_both_demos_are_in_the_catalog_for_chapter_07() -> None:
    entries = catalog()
    for name in ("FairnessTradeoff", "ThresholdLandscape"):
        assert entries[name].chapter == "07_fairness"


# -- FairnessTradeoff ---------------------------------------------------------------------


def test_slider_positions_map_onto_the_sweep(tradeoff) -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_allclose(tradeoff.mus, fair.DEFAULT_MUS, rtol=1e-12)
    slider = tradeoff.controls["log_mu"]
    assert slider.min == pytest.approx(-2.2) and slider.max == pytest.approx(3.0)
    assert tradeoff.index(-2.2) == 0 and tradeoff.index(-2.0) == 1
    assert tradeoff.index(3.0) == 26 and tradeoff.index(0.4000000001) == 13
    assert show(tradeoff, log_mu=-2.2)["mu"] == 0.0
    assert show(tradeoff, log_mu=1.0)["mu"] == pytest.approx(10.0)


@pytest.mark.parametrize("penalty", ["parity", "covariance"])
@pytest.mark.parametrize("log_mu", [-2.2, -1.0, 0.2, 1.4, 3.0])
def test_tradeoff_numbers_are_the_models_and_fairlearns(tradeoff, penalty, log_mu) -> None:  # type: ignore[no-untyped-def]
    shown = show(tradeoff, penalty=penalty, log_mu=log_mu)
    i = tradeoff.index(log_mu)
    sweep = tradeoff.sweeps[penalty]
    val = tradeoff.val
    model = sweep.model(i)
    pred = model.predict(val.X)
    expected = fairlearn_numbers(val.y, pred, val.group)
    for key, value in expected.items():
        assert shown[key] == pytest.approx(value, abs=1e-12), key
    assert shown["penalty"] == penalty and shown["mu"] == pytest.approx(tradeoff.mus[i])
    assert shown["on_front"] == int(sweep.pareto[i])
    assert shown["soft_gap"] == pytest.approx(
        fair.soft_parity_gap(model.decision_function(val.X), val.group))
    for a in (0, 1):
        m = val.group == a
        assert shown[f"accuracy_{a}"] == pytest.approx(np.mean(pred[m] == val.y[m]))


def test_plain_model_numbers_match_the_caption(tradeoff) -> None:  # type: ignore[no-untyped-def]
    shown = show(tradeoff, penalty="parity", log_mu=-2.2)
    assert shown["dp_difference"] == pytest.approx(0.243, abs=5e-4)
    assert shown["accuracy"] == pytest.approx(0.802, abs=5e-4)
    # EO first falls, then grows again once the selection rates are forced together
    eo = tradeoff.sweeps["parity"].eo_difference
    assert eo.min() < eo[0] < eo[-1]


def test_tradeoff_readout_and_bars_show_the_numbers(tradeoff) -> None:  # type: ignore[no-untyped-def]
    shown = show(tradeoff, penalty="parity", log_mu=0.6)
    text = tradeoff._front_readout.text
    for key in ("accuracy", "dp_difference", "eo_difference"):
        assert f"{shown[key]:.3f}" in text
    assert "3.981" in text  # μ = 10^0.6
    heights = [[bar.get_height() for bar in bars] for bars in tradeoff._bars]
    for a in (0, 1):
        np.testing.assert_allclose(heights[a], [shown[f"selection_{a}"], shown[f"tpr_{a}"],
                                                shown[f"fpr_{a}"], shown[f"accuracy_{a}"]])
        assert [t.get_text() for t in tradeoff._bar_labels[a]] == [f"{h:.2f}" for h in heights[a]]


def test_tradeoff_marker_is_filled_exactly_on_the_front(tradeoff) -> None:  # type: ignore[no-untyped-def]
    for log_mu in (-2.2, 0.0, 1.2, 2.0):
        shown = show(tradeoff, penalty="parity", log_mu=log_mu)
        assert (tradeoff._point.get_markerfacecolor() != "none") == bool(shown["on_front"])


def test_tradeoff_histograms_are_the_models_score_distributions(tradeoff) -> None:  # type: ignore[no-untyped-def]
    show(tradeoff, penalty="covariance", log_mu=1.0)
    val = tradeoff.val
    p = tradeoff.sweeps["covariance"].model(tradeoff.index(1.0)).predict_proba(val.X)
    for a, line in enumerate(tradeoff._hist_lines):
        x, y = line.get_data()
        counts, edges = np.histogram(p[val.group == a], tradeoff._edges)
        np.testing.assert_allclose(x, edges)
        np.testing.assert_allclose(y[:-1], counts / np.sum(val.group == a))
        assert y[:-1].sum() == pytest.approx(1.0)


def test_tradeoff_reference_points(tradeoff) -> None:  # type: ignore[no-untyped-def]
    train, val = tradeoff.train, tradeoff.val
    fit = fair.fit_fair_logistic(train.X, train.y, l2=1e-3,
                                 sample_weight=fair.reweighing_weights(train.y, train.group))
    pred = fit.predict(val.X)
    assert tradeoff.reweighting.dp_difference == pytest.approx(
        flm.demographic_parity_difference(val.y, pred, sensitive_features=val.group))
    assert tradeoff.reweighting.accuracy == pytest.approx(np.mean(pred == val.y))
    assert tradeoff.group_thresholds.dp_difference < 0.02
    plain = tradeoff.sweeps["parity"]
    assert tradeoff.reweighting.dp_difference < plain.dp_difference[0]


def test_switching_the_penalty_redraws_the_curve(tradeoff) -> None:  # type: ignore[no-untyped-def]
    show(tradeoff, penalty="parity", log_mu=1.0)
    parity = np.array(tradeoff._curve.get_xydata())
    show(tradeoff, penalty="covariance")
    covariance = np.array(tradeoff._curve.get_xydata())
    sweep = tradeoff.sweeps["covariance"]
    np.testing.assert_allclose(covariance, np.c_[sweep.dp_difference, sweep.accuracy])
    assert not np.allclose(parity, covariance)
    assert "Zafar" in tradeoff._front_title.get_text()


def test_tradeoff_rejects_an_unknown_penalty() -> None:
    with pytest.raises(ValueError, match="penalty must be one of"):
        FairnessTradeoff(penalty="hinge")


# -- ThresholdLandscape -------------------------------------------------------------------


@pytest.mark.parametrize(("t0", "t1"), [(0.5, 0.5), (0.0, 1.0), (0.67, 0.31), (0.52, 0.37),
                                         (1.0, 0.0), (0.25, 0.8)])
def test_landscape_numbers_are_fairlearns(landscape, t0, t1) -> None:  # type: ignore[no-untyped-def]
    shown = show(landscape, t0=t0, t1=t1)
    pred = (landscape.scores >= np.where(landscape.group == 1, t1, t0)).astype(float)
    expected = fairlearn_numbers(landscape.y, pred, landscape.group)
    for key, value in expected.items():
        assert shown[key] == pytest.approx(value, abs=1e-12), key
    assert landscape._table.text.count(f"{shown['accuracy']:.3f}") >= 1
    assert f"{shown['eo_difference']:.3f}" in landscape._table.text


def test_landscape_at_one_half_is_the_plain_model(landscape, tradeoff) -> None:  # type: ignore[no-untyped-def]
    shown = show(landscape, t0=0.5, t1=0.5)
    plain = tradeoff.sweeps["parity"]
    assert shown["accuracy"] == plain.accuracy[0]
    assert shown["dp_difference"] == pytest.approx(plain.dp_difference[0])


def test_heat_map_is_the_accuracy_at_every_grid_pair(landscape) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, landscape.grid.size, (6, 2)):
        t0, t1 = landscape.grid[i], landscape.grid[j]
        r = landscape.metrics(t0, t1)
        assert landscape.accuracy_map[i, j] == pytest.approx(r.accuracy)
        assert landscape.dp_map[i, j] == pytest.approx(r.selection_rate[0] - r.selection_rate[1])


def test_marked_pairs_are_the_best_under_each_constraint(landscape) -> None:  # type: ignore[no-untyped-def]
    shown = landscape.numbers()
    assert shown["best_accuracy"] == pytest.approx(landscape.accuracy_map.max())
    eo = np.maximum(np.abs(landscape.tpr_map), np.abs(landscape.fpr_map))
    assert shown["eo_accuracy"] == pytest.approx(landscape.accuracy_map[eo <= 0.02].max())
    assert shown["dp_accuracy"] == pytest.approx(
        landscape.accuracy_map[np.abs(landscape.dp_map) <= 0.01].max())
    r = landscape.metrics(shown["eo_t0"], shown["eo_t1"])
    assert r.eo_difference <= 0.02 and r.accuracy == pytest.approx(shown["eo_accuracy"])
    r = landscape.metrics(shown["dp_t0"], shown["dp_t1"])
    assert r.dp_difference <= 0.01
    # each constraint costs accuracy
    assert shown["dp_accuracy"] < shown["eo_accuracy"] < shown["best_accuracy"]


def test_landscape_moves_its_marker_and_lines(landscape) -> None:  # type: ignore[no-untyped-def]
    show(landscape, t0=0.3, t1=0.7)
    np.testing.assert_allclose(np.ravel(landscape._marker.get_data()), [0.3, 0.7])
    assert landscape._t_lines[0].get_xdata()[0] == pytest.approx(0.3)
    assert landscape._t_lines[1].get_xdata()[0] == pytest.approx(0.7)
