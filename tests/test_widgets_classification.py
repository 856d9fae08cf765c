"""Behaviour tests for chapter 02's demos: the numbers each one shows are the right ones.

The generic tests in ``test_widgets.py`` (every control changes the picture, fast render
equals a full draw, ...) cover these demos through ``catalog()``; here each demo's printed
numbers are checked against the loss registry, finite differences, scikit-learn and the
formulas the chapter states.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.linear_model import LogisticRegression

from lossviz import losses
from lossviz.data import imbalanced_blobs, load_breast_cancer
from lossviz.widgets import (
    CostThresholdExplorer,
    MarginLossAtlas,
    WhoPushesTheBoundary,
    catalog,
)
from lossviz.widgets.classification import (
    BOUNDARY_MODELS,
    MARGIN_LOSS_LABELS,
    _short,
    bayes_threshold,
    fit_linear_classifier,
    margin_losses,
    push_count,
    smoothed_minimiser,
)

LN2 = np.log(2.0)
SURROGATES = [k for k in MARGIN_LOSS_LABELS if k != "zero_one"]


def test_chapter_02_demos_are_in_the_catalog() -> None:
    entries = catalog()
    for cls in (MarginLossAtlas, WhoPushesTheBoundary, CostThresholdExplorer):
        assert entries[cls.__name__].cls is cls
        assert entries[cls.__name__].chapter == "02_classification"


# -- MarginLossAtlas ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def atlas() -> MarginLossAtlas:
    return MarginLossAtlas()


def set_atlas(demo: MarginLossAtlas, **values: float) -> dict:
    with demo.hold():
        for name, value in values.items():
            demo.controls[name].value = value
    return demo.numbers()


@pytest.mark.parametrize(
    ("m0", "gamma", "eps", "temperature"),
    [(-2.0, 2.0, 0.1, 1.0), (0.5, 0.0, 0.0, 1.0), (0.3, 3.5, 0.25, 0.5), (2.5, 1.0, 0.05, 3.0)],
)
def test_atlas_values_and_slopes_are_the_registered_losses(
    atlas: MarginLossAtlas, m0: float, gamma: float, eps: float, temperature: float
) -> None:
    shown = set_atlas(atlas, margin=m0, gamma=gamma, label_smoothing=eps,
                      temperature=temperature)
    z, y, t = np.array([m0 / temperature]), np.ones(1), temperature
    bce, hinge, sq = (losses.get(n) for n in ("bce_with_logits", "hinge", "squared_hinge"))
    focal = losses.get("focal")
    q = np.array([1.0 - eps / 2])  # the smoothed target of a positive example
    expected = {
        "logistic": (bce(y, z) / LN2, bce.grad(y, z)[0] / (t * LN2)),
        # smoothing via bce_with_logits' soft target: a different registered loss than the demo's
        "logistic_smoothed": (bce(q, z) / LN2, bce.grad(q, z)[0] / (t * LN2)),
        "hinge": (hinge(y, z), hinge.grad(y, z)[0] / t),
        "squared_hinge": (sq(y, z), sq.grad(y, z)[0] / t),
        "exponential": (np.exp(-z[0]), -np.exp(-z[0]) / t),
        "focal": (focal(y, z, alpha=None, gamma=gamma) / LN2,
                  focal.grad(y, z, alpha=None, gamma=gamma)[0] / (t * LN2)),
        "zero_one": (float(m0 <= 0), 0.0),
    }
    for name, (value, slope) in expected.items():
        assert shown[f"loss_{name}"] == pytest.approx(value, rel=1e-12, abs=1e-15), name
        assert shown[f"grad_{name}"] == pytest.approx(slope, rel=1e-12, abs=1e-15), name


@pytest.mark.parametrize("name", SURROGATES)
@pytest.mark.parametrize("m0", [-1.7, -0.4, 0.35, 2.2])
def test_atlas_slopes_are_finite_differences_of_the_values(name: str, m0: float) -> None:
    params = {"gamma": 1.5, "label_smoothing": 0.12, "temperature": 0.8}
    h = 1e-6
    values, slopes = margin_losses(np.array([m0 - h, m0 + h, m0]), **params)[name]
    assert slopes[2] == pytest.approx((values[1] - values[0]) / (2 * h), rel=1e-6, abs=1e-9)


def test_atlas_draws_the_curves_it_computes(atlas: MarginLossAtlas) -> None:
    set_atlas(atlas, gamma=1.2, label_smoothing=0.08, temperature=1.5, margin=0.0)
    curves = atlas.curves()
    for name in SURROGATES:
        np.testing.assert_array_equal(atlas._loss_lines[name].get_ydata(), curves[name][0])
        np.testing.assert_array_equal(atlas._grad_lines[name].get_ydata(), curves[name][1])


def test_focal_with_gamma_zero_is_the_logistic_curve() -> None:
    demo = MarginLossAtlas(gamma=0.0, label_smoothing=0.0)
    curves = demo.curves()
    np.testing.assert_allclose(curves["focal"][0], curves["logistic"][0], rtol=1e-12)
    np.testing.assert_allclose(curves["focal"][1], curves["logistic"][1], rtol=1e-12)
    assert demo.numbers()["loss_focal"] == pytest.approx(demo.numbers()["loss_logistic"])


def test_focal_quiets_well_classified_examples_more_as_gamma_grows() -> None:
    m = np.array([1.0, 2.0, 3.0])
    low = margin_losses(m, gamma=0.5)["focal"]
    high = margin_losses(m, gamma=4.0)["focal"]
    assert np.all(high[0] < low[0]) and np.all(np.abs(high[1]) < np.abs(low[1]))


@pytest.mark.parametrize(("eps", "temperature"), [(0.1, 1.0), (0.3, 1.0), (0.05, 0.5), (0.2, 2.0)])
def test_label_smoothing_marks_the_minimiser_of_the_formula(eps: float, temperature: float) -> None:
    demo = MarginLossAtlas(label_smoothing=eps, temperature=temperature)
    star = temperature * np.log((1 - eps / 2) / (eps / 2))
    assert demo.numbers()["smoothed_minimiser"] == pytest.approx(star, rel=1e-12)
    assert smoothed_minimiser(eps, temperature) == pytest.approx(star, rel=1e-12)
    # the smoothed loss's slope vanishes there, and it is lower than at the neighbours
    values, slopes = margin_losses(np.array([star - 0.1, star, star + 0.1]), label_smoothing=eps,
                                   temperature=temperature)["logistic_smoothed"]
    assert slopes[1] == pytest.approx(0.0, abs=1e-12)
    assert values[1] < values[0] and values[1] < values[2]
    # the ring is drawn at m* on the smoothed curve, when m* is on the plot
    if star <= demo.M_RANGE[1]:
        x, y = demo._star_points.get_data()
        assert x[0] == pytest.approx(star) and y[0] == pytest.approx(values[1])
        assert demo._star_points.get_visible()


def test_without_smoothing_there_is_no_finite_minimiser() -> None:
    demo = MarginLossAtlas(label_smoothing=0.0)
    assert demo.numbers()["smoothed_minimiser"] == "∞"
    assert not demo._star_line.get_visible()
    assert not demo._loss_lines["logistic_smoothed"].get_visible()
    assert "∞" in demo._params_readout.text


def test_temperature_evaluates_every_loss_at_m_over_t() -> None:
    stretched = MarginLossAtlas(temperature=2.0, margin=1.0).numbers()
    plain = MarginLossAtlas(temperature=1.0, margin=0.5).numbers()
    for name in MARGIN_LOSS_LABELS:
        assert stretched[f"loss_{name}"] == pytest.approx(plain[f"loss_{name}"], rel=1e-12)
        assert stretched[f"grad_{name}"] == pytest.approx(plain[f"grad_{name}"] / 2, rel=1e-12)


def test_every_surrogate_in_bits_is_one_at_zero_margin_and_bounds_the_zero_one_loss() -> None:
    shown = MarginLossAtlas(margin=0.0, temperature=1.0, label_smoothing=0.1).numbers()
    for name in ("logistic", "logistic_smoothed", "hinge", "squared_hinge", "exponential"):
        assert shown[f"loss_{name}"] == pytest.approx(1.0, rel=1e-12)
    m = np.linspace(-3, 4, 701)
    curves = margin_losses(m)
    for name in ("logistic", "hinge", "squared_hinge", "exponential"):
        assert np.all(curves[name][0] >= curves["zero_one"][0] - 1e-12), name


def test_hinge_stops_pushing_at_margin_one_and_logistic_never_does() -> None:
    curves = margin_losses(np.array([1.5, 3.0]))
    assert np.all(curves["hinge"][1] == 0) and np.all(curves["squared_hinge"][1] == 0)
    assert np.all(curves["logistic"][1] < 0)


def test_atlas_prints_the_numbers_it_reports(atlas: MarginLossAtlas) -> None:
    shown = set_atlas(atlas, margin=-1.25, gamma=2.0, label_smoothing=0.1, temperature=1.0)
    printed = atlas._table.text
    for name in MARGIN_LOSS_LABELS:
        assert _short(shown[f"loss_{name}"]) in printed
        assert _short(shown[f"grad_{name}"]) in printed
    assert "−1.25" in atlas._params_readout.text
    assert f"{shown['smoothed_minimiser']:.2f}" in atlas._params_readout.text


def test_atlas_extreme_sliders_stay_finite_without_warnings() -> None:
    with np.errstate(all="raise"):
        shown = MarginLossAtlas(gamma=5.0, label_smoothing=0.3, temperature=0.25,
                                margin=-3.0).numbers()
    assert all(np.isfinite(v) for v in shown.values() if not isinstance(v, str))
    assert shown["loss_exponential"] == pytest.approx(np.exp(12.0))


# -- WhoPushesTheBoundary -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pushes() -> WhoPushesTheBoundary:
    return WhoPushesTheBoundary()


LOSS_OF = {tag: name for tag, name, _ in BOUNDARY_MODELS}


@pytest.mark.parametrize("imbalance", [0.05, 0.2, 0.5])
@pytest.mark.parametrize("tag", ["logistic", "hinge", "focal"])
def test_marker_areas_are_the_loss_gradients_of_the_fitted_models(
    pushes: WhoPushesTheBoundary, tag: str, imbalance: float
) -> None:
    with pushes.hold():
        pushes.controls["imbalance"].value = imbalance
        pushes.controls["gamma"].value = 2.0
    X, y = imbalanced_blobs(400, minority_fraction=imbalance, separation=2.0, seed=0)
    panel = pushes.panel(tag, imbalance, 2.0)
    f = X @ panel.theta[:-1] + panel.theta[-1]
    params = {"alpha": None, "gamma": 2.0} if tag == "focal" else {}
    expected = np.abs(losses.get(LOSS_OF[tag]).grad(y, f, reduction="none", **params))
    np.testing.assert_allclose(pushes.gradient_magnitudes(tag, imbalance, 2.0), expected,
                               rtol=1e-12, atol=1e-15)
    # the drawn markers: every point whose area is visible, at that area
    areas = pushes.MARKER_AREA * expected
    shown = areas >= pushes.MIN_AREA
    collection = pushes._artists[tag]["pushes"]
    np.testing.assert_allclose(collection.get_offsets(), X[shown])
    np.testing.assert_allclose(collection.get_sizes(), areas[shown], rtol=1e-12)


@pytest.mark.parametrize("imbalance", [0.05, 0.1, 0.3, 0.5])
def test_hinge_points_beyond_the_margin_push_exactly_zero(
    pushes: WhoPushesTheBoundary, imbalance: float
) -> None:
    pushes.controls["imbalance"].value = imbalance
    _, y = pushes.data(imbalance)
    panel = pushes.panel("hinge", imbalance)
    margins = (2 * y - 1) * panel.score
    assert np.all(panel.magnitude[margins >= 1] == 0)
    assert np.all(panel.magnitude[margins < 1] == 1)
    assert pushes.numbers()["zero_push_hinge"] == int(np.sum(margins >= 1)) > 0
    # the vanished markers are not drawn
    assert len(pushes._artists["hinge"]["pushes"].get_offsets()) == int(np.sum(margins < 1))


def test_logistic_fit_is_sklearns_logistic_regression() -> None:
    X, y = imbalanced_blobs(400, minority_fraction=0.2, seed=0)
    l2 = 1e-3
    theta = fit_linear_classifier("bce_with_logits", X, y, l2=l2)
    reference = LogisticRegression(C=1 / (len(y) * l2), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(theta[:-1], reference.coef_.ravel(), rtol=1e-5)
    assert theta[-1] == pytest.approx(reference.intercept_[0], rel=1e-5)


@pytest.mark.parametrize("gamma", [0.5, 2.0, 5.0])
def test_focal_fit_is_a_stationary_point_of_its_objective(gamma: float) -> None:
    X, y = imbalanced_blobs(400, minority_fraction=0.1, seed=0)
    l2 = 1e-3
    theta = fit_linear_classifier("focal", X, y, l2=l2, gamma=gamma)
    f = X @ theta[:-1] + theta[-1]
    g = losses.get("focal").grad(y, f, alpha=None, gamma=gamma)  # of the mean
    gradient = np.append(X.T @ g + l2 * theta[:-1], np.sum(g))
    assert np.max(np.abs(gradient)) < 1e-9


def test_hinge_fit_minimises_its_objective() -> None:
    X, y = imbalanced_blobs(400, minority_fraction=0.1, seed=0)
    l2 = 1e-3

    def objective(theta: np.ndarray) -> float:
        return losses.get("hinge")(y, X @ theta[:-1] + theta[-1]) + l2 / 2 * theta[:-1] @ theta[:-1]

    theta = fit_linear_classifier("hinge", X, y, l2=l2)
    best = objective(theta)
    rng = np.random.default_rng(0)
    for step in rng.normal(scale=1e-3, size=(200, 3)):
        assert objective(theta + step) >= best - 1e-9


def test_focal_with_gamma_zero_trains_the_logistic_model(pushes: WhoPushesTheBoundary) -> None:
    np.testing.assert_allclose(pushes.panel("focal", 0.1, 0.0).theta,
                               pushes.panel("logistic", 0.1).theta, rtol=1e-8)


@pytest.mark.parametrize("tag", ["logistic", "focal"])
def test_the_two_classes_push_equally_hard_in_total(pushes: WhoPushesTheBoundary, tag: str) -> None:
    # the intercept is not penalised, so at the optimum the sum of dℓ/df over all points is 0
    _, y = pushes.data(0.1)
    magnitude = pushes.gradient_magnitudes(tag, 0.1, 2.0)
    assert magnitude[y == 1].sum() == pytest.approx(magnitude[y == 0].sum(), rel=1e-7)


def test_minority_recall_of_the_logistic_model_falls_with_imbalance(
    pushes: WhoPushesTheBoundary,
) -> None:
    recall = {}
    for q in (0.5, 0.2, 0.05):
        pushes.controls["imbalance"].value = q
        recall[q] = pushes.numbers()["recall_logistic"]
    assert recall[0.5] > recall[0.2] > recall[0.05]
    assert recall[0.05] < 0.7 < recall[0.5]


def test_focal_alpha_weighting_the_minority_raises_its_recall() -> None:
    weighted = WhoPushesTheBoundary(imbalance=0.1, gamma=2.0, focal_alpha=0.9).numbers()
    assert weighted["recall_focal"] > weighted["recall_logistic"]


def test_minority_metrics_agree_with_sklearn(pushes: WhoPushesTheBoundary) -> None:
    pushes.controls["imbalance"].value = 0.15
    _, y = pushes.data(0.15)
    shown = pushes.numbers()
    for tag in ("logistic", "hinge", "focal"):
        pred = (pushes.panel(tag, 0.15, shown["gamma"]).score >= 0).astype(int)
        assert shown[f"recall_{tag}"] == pytest.approx(skm.recall_score(y, pred))
        assert shown[f"f1_{tag}"] == pytest.approx(skm.f1_score(y, pred))


def test_pushers_are_the_fewest_points_carrying_eighty_percent(
    pushes: WhoPushesTheBoundary,
) -> None:
    pushes.controls["imbalance"].value = 0.1
    for tag in ("logistic", "hinge", "focal"):
        k = pushes.numbers()[f"pushers_{tag}"]
        ranked = np.sort(pushes.gradient_magnitudes(tag, 0.1, pushes.value("gamma")))[::-1]
        assert ranked[:k].sum() >= 0.8 * ranked.sum() > ranked[: k - 1].sum()
    assert push_count(np.array([5.0, 3.0, 1.0, 1.0]), 0.8) == 2
    assert push_count(np.zeros(4)) == 0


def test_boundary_demo_prints_the_numbers_it_reports(pushes: WhoPushesTheBoundary) -> None:
    pushes.controls["imbalance"].value = 0.3
    shown = pushes.numbers()
    for tag in ("logistic", "hinge", "focal"):
        printed = pushes._readouts[tag].text
        assert f"{shown[f'recall_{tag}']:.2f}, {shown[f'f1_{tag}']:.2f}" in printed
        assert str(shown[f"pushers_{tag}"]) in printed
    assert str(shown["zero_push_hinge"]) in pushes._readouts["hinge"].text
    assert pushes._gamma_text.get_text() == f"{shown['gamma']:.1f}"


def test_every_grid_value_is_trained_at_construction_and_reused(
    pushes: WhoPushesTheBoundary,
) -> None:
    fits = len(pushes._fits)
    assert fits >= 2 * len(pushes.IMBALANCE_GRID) + len(pushes.IMBALANCE_GRID) * len(
        pushes.GAMMA_GRID)
    pushes.controls["imbalance"].value = 0.35
    pushes.controls["gamma"].value = 4.5
    first = np.asarray(pushes.figure.canvas.buffer_rgba()).copy()
    pushes.controls["imbalance"].value = 0.1
    pushes.controls["imbalance"].value = 0.35
    assert len(pushes._fits) == fits, "a grid value was trained again"
    np.testing.assert_array_equal(np.asarray(pushes.figure.canvas.buffer_rgba()), first)


def test_an_off_grid_imbalance_is_trained_once_and_cached(pushes: WhoPushesTheBoundary) -> None:
    pushes.controls["imbalance"].value = 0.275
    shown = pushes.numbers()
    assert shown["n_minority"] == 110
    fits = len(pushes._fits)
    pushes.controls["imbalance"].value = 0.1
    pushes.controls["imbalance"].value = 0.275
    assert pushes.numbers() == shown and len(pushes._fits) == fits


# -- CostThresholdExplorer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cost_demo() -> CostThresholdExplorer:
    return CostThresholdExplorer()


def set_cost(demo: CostThresholdExplorer, threshold: float, cost_fn: float) -> dict:
    with demo.hold():
        demo.controls["threshold"].value = threshold
        demo.controls["cost_fn"].value = cost_fn
    return demo.numbers()


@pytest.mark.parametrize(
    ("t", "c"), [(0.0, 1.0), (0.15, 5.0), (0.5, 5.0), (0.72, 12.5), (1.0, 20.0)]
)
def test_cost_demo_confusion_matrix_and_cost_agree_with_sklearn(
    cost_demo: CostThresholdExplorer, t: float, c: float
) -> None:
    shown = set_cost(cost_demo, t, c)
    y, pred = cost_demo.y_true, (cost_demo.probability >= t).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert (shown["tn"], shown["fp"], shown["fn"], shown["tp"]) == (tn, fp, fn, tp)
    assert shown["expected_cost"] == pytest.approx((fp + c * fn) / len(y), rel=1e-12)
    assert shown["recall"] == pytest.approx(skm.recall_score(y, pred, zero_division=0))
    assert shown["precision"] == pytest.approx(skm.precision_score(y, pred, zero_division=0))
    for key, text in cost_demo._cm_counts.items():
        assert text.get_text() == str(shown[key])


@pytest.mark.parametrize("c", [1.0, 2.5, 5.0, 10.0, 20.0])
def test_the_lowest_cost_threshold_minimises_the_cost_over_the_grid(
    cost_demo: CostThresholdExplorer, c: float
) -> None:
    shown = set_cost(cost_demo, 0.5, c)
    y, p = cost_demo.y_true, cost_demo.probability
    costs = []
    for t in np.round(np.linspace(0, 1, 101), 2):
        (_, fp), (fn, _) = skm.confusion_matrix(y, (p >= t).astype(int), labels=[0, 1])
        costs.append((fp + c * fn) / len(y))
    assert shown["best_cost"] == pytest.approx(min(costs), rel=1e-12)
    # at that threshold the demo itself shows the lowest cost
    assert set_cost(cost_demo, shown["best_threshold"], c)["expected_cost"] == pytest.approx(
        min(costs), rel=1e-12)


@pytest.mark.parametrize("c", [1.0, 4.0, 9.0, 19.5])
def test_bayes_threshold_is_one_over_one_plus_cost(
    cost_demo: CostThresholdExplorer, c: float
) -> None:
    shown = set_cost(cost_demo, 0.5, c)
    assert shown["bayes_threshold"] == pytest.approx(1 / (1 + c), rel=1e-15)
    assert bayes_threshold(c) == pytest.approx(1 / (1 + c), rel=1e-15)
    assert cost_demo._bayes_line.get_xdata()[0] == pytest.approx(1 / (1 + c))


def test_costlier_misses_move_the_best_threshold_down(cost_demo: CostThresholdExplorer) -> None:
    cheap = set_cost(cost_demo, 0.5, 1.0)["best_threshold"]
    costly = set_cost(cost_demo, 0.5, 20.0)["best_threshold"]
    assert costly < cheap


def test_the_bayes_threshold_is_near_the_best_for_moderate_costs_only(
    cost_demo: CostThresholdExplorer,
) -> None:
    # near 0.5 the model's probabilities are close to calibrated, so 1/(1 + c) is nearly
    # the best threshold; far out (c = 20, t* < 0.05) they are not, and it flags too many
    for c in (1.0, 5.0):
        shown = set_cost(cost_demo, 0.5, c)
        assert shown["bayes_cost"] <= 1.1 * shown["best_cost"]
    shown = set_cost(cost_demo, 0.5, 20.0)
    assert shown["bayes_cost"] > 1.25 * shown["best_cost"]


def test_cost_demo_model_is_sklearns_logistic_regression_on_the_held_out_split(
    cost_demo: CostThresholdExplorer,
) -> None:
    split = load_breast_cancer(val_size=0, test_size=0.4, seed=0)
    columns = [split.feature_names.index(f) for f in ("mean radius", "mean texture")]
    model = LogisticRegression().fit(split.X_train[:, columns], split.y_train)
    np.testing.assert_allclose(cost_demo.probability,
                               model.predict_proba(split.X_test[:, columns])[:, 1], rtol=1e-12)
    assert cost_demo.y_true.sum() == 85 and cost_demo.y_true.size == 228


def test_cost_demo_prints_the_numbers_it_reports(cost_demo: CostThresholdExplorer) -> None:
    shown = set_cost(cost_demo, 0.3, 7.5)
    printed = cost_demo._table.text
    for key in ("expected_cost", "recall", "precision", "bayes_threshold", "best_cost"):
        assert f"{shown[key]:.3f}" in printed
    assert f"{shown['best_threshold']:.2f}" in printed and "7.5" in printed


def test_cost_demo_can_use_all_thirty_features() -> None:
    two = CostThresholdExplorer().numbers()
    thirty = CostThresholdExplorer(features=None).numbers()
    assert thirty["best_cost"] < two["best_cost"]


def test_cost_demo_rejects_unknown_features() -> None:
    with pytest.raises(ValueError, match="unknown"):
        CostThresholdExplorer(features=("mean radius", "tumour colour"))
