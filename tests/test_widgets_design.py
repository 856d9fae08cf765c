"""Chapter 08 demos: the numbers they print agree with lossviz.design (and SciPy's quad).

The generic catalog tests (every control changes picture and numbers, fast render equals a
full draw, ...) live in tests/test_widgets.py; these assert what each demo shows.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from scipy import stats

from lossviz import design as D
from lossviz.widgets import KLAsymmetryExplorer, PGDExplorer, catalog


@pytest.fixture(scope="module")
def kl() -> KLAsymmetryExplorer:
    return KLAsymmetryExplorer()


@pytest.fixture(scope="module")
def pgd() -> PGDExplorer:
    return PGDExplorer()


def show(demo, **values):  # type: ignore[no-untyped-def]
    with demo.hold():
        for name, value in values.items():
            demo.controls[name].value = value
    return demo.numbers()


def test_both_demos_are_in_the_catalog_for_chapter_08() -> None:
    entries = catalog()
    for name in ("KLAsymmetryExplorer", "PGDExplorer"):
        assert entries[name].chapter == "08_designing_losses"


# -- KLAsymmetryExplorer ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("separation", "weight"), [(6.0, 0.7), (8.0, 0.3), (2.0, 0.5), (0.0, 0.05), (4.5, 0.3)]
)
def test_kl_fits_are_lossviz_designs(kl, separation, weight) -> None:  # type: ignore[no-untyped-def]
    shown = show(kl, separation=separation, weight=weight, mu=1.0, sigma=1.5)
    p = D.bimodal_mixture(separation, weight)
    forward, optima = D.fit_forward_kl(p), D.reverse_kl_optima(p)
    assert (shown["forward_mu"], shown["forward_sigma"]) == (forward.mu, forward.sigma)
    assert (shown["reverse_mu"], shown["reverse_sigma"]) == (optima[0].mu, optima[0].sigma)
    assert shown["reverse_kl_qp"] == optima[0].kl_qp and shown["n_reverse_optima"] == len(optima)
    assert shown["q_kl_pq"] == pytest.approx(float(D.kl_forward(p, 1.0, 1.5)), rel=1e-14)
    assert shown["q_kl_qp"] == pytest.approx(float(D.kl_reverse(p, 1.0, 1.5)), rel=1e-14)


def test_kl_numbers_agree_with_quad(kl) -> None:  # type: ignore[no-untyped-def]
    shown = show(kl, separation=6.0, weight=0.7, mu=-2.0, sigma=1.2)
    p = D.bimodal_mixture(6.0, 0.7)
    points = [-3.0, -2.0, 3.0]
    for prefix in ("forward", "reverse", "q"):
        mu = shown[f"{prefix}_mu"]
        sigma = shown[f"{prefix}_sigma"]
        q = stats.norm(mu, sigma)
        pts = sorted({*points, round(mu, 6)})
        assert shown[f"{prefix}_kl_pq"] == pytest.approx(
            D.kl_quad(p.logpdf, q.logpdf, -40, 40, points=pts), rel=1e-9
        )
        assert shown[f"{prefix}_kl_qp"] == pytest.approx(
            D.kl_quad(q.logpdf, p.logpdf, -40, 40, points=pts), rel=1e-9
        )


def test_each_fit_wins_its_own_divergence(kl) -> None:  # type: ignore[no-untyped-def]
    for separation in (2.0, 5.0, 8.0):
        shown = show(kl, separation=separation, weight=0.7)
        assert shown["forward_kl_pq"] <= shown["reverse_kl_pq"] + 1e-12
        assert shown["reverse_kl_qp"] <= shown["forward_kl_qp"] + 1e-12


def test_mode_seeking_sits_on_the_heavier_mode_and_covering_between(kl) -> None:  # type: ignore[no-untyped-def]
    shown = show(kl, separation=7.0, weight=0.3)  # the heavier mode is the right one
    assert shown["reverse_mu"] == pytest.approx(3.5, abs=0.02)
    assert shown["reverse_sigma"] == pytest.approx(1.0, abs=0.02)
    assert shown["forward_mu"] == pytest.approx(0.3 * -3.5 + 0.7 * 3.5)
    assert shown["forward_sigma"] > 3.0 and shown["n_reverse_optima"] == 2


def test_hand_q_at_the_fits_reproduces_their_divergences(kl) -> None:  # type: ignore[no-untyped-def]
    shown = show(kl, separation=8.0, weight=0.7, mu=-4.0, sigma=1.0)
    p = D.bimodal_mixture(8.0, 0.7)
    assert shown["q_kl_qp"] == pytest.approx(float(D.kl_reverse(p, -4.0, 1.0)))
    assert abs(shown["q_kl_qp"] - shown["reverse_kl_qp"]) < 1e-5  # the fit is at (-4.0, 1.0)


def test_kl_drawn_curves_are_the_densities(kl) -> None:  # type: ignore[no-untyped-def]
    shown = show(kl, separation=5.0, weight=0.4, mu=2.0, sigma=0.8)
    x, density = kl._p_line.get_data()
    np.testing.assert_allclose(density, D.bimodal_mixture(5.0, 0.4).pdf(x), rtol=1e-12)
    x, hand = kl._hand.get_data()
    np.testing.assert_allclose(hand, stats.norm.pdf(x, 2.0, 0.8), rtol=1e-12)
    x, reverse = kl._reverse.get_data()
    np.testing.assert_allclose(
        reverse, stats.norm.pdf(x, shown["reverse_mu"], shown["reverse_sigma"]), rtol=1e-12
    )
    mu_grid, curve = kl._curve_qp.get_data()
    i = int(np.argmin(np.abs(mu_grid - 2.0)))
    assert curve[i] == pytest.approx(shown["q_kl_qp"], rel=1e-6)  # the dot lies on the curve


def test_kl_table_prints_the_numbers(kl) -> None:  # type: ignore[no-untyped-def]
    shown = show(kl, separation=6.0, weight=0.7, mu=0.0, sigma=2.0)
    table = kl._table.get_text()
    for key in (
        "forward_mu",
        "forward_sigma",
        "forward_kl_pq",
        "reverse_mu",
        "reverse_kl_qp",
        "q_kl_pq",
        "q_kl_qp",
    ):
        assert f"{shown[key]:.2f}" in table
    assert "2 local minima" in kl._note.get_text()
    show(kl, separation=1.0)
    assert "single minimum" in kl._note.get_text()


def test_kl_extreme_slider_values_do_not_raise(kl) -> None:  # type: ignore[no-untyped-def]
    for separation in (0.0, 8.0):
        for weight in (0.05, 0.95):
            for mu, sigma in ((-7.0, 0.6), (7.0, 5.0)):
                shown = show(kl, separation=separation, weight=weight, mu=mu, sigma=sigma)
                assert all(np.isfinite(v) for v in shown.values())


# -- PGDExplorer ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["standard", "adversarial"])
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.2, 0.37])
def test_pgd_accuracy_is_lossviz_designs(pgd, model, eps) -> None:  # type: ignore[no-untyped-def]
    shown = show(pgd, model=model, eps=eps)
    net = pgd.models[model]
    assert shown["robust_accuracy"] == D.robust_accuracy(net, pgd.X, pgd.y, eps, seed=0)
    assert shown["clean_accuracy"] == D.robust_accuracy(net, pgd.X, pgd.y, 0.0)
    assert shown[f"robust_accuracy_{model}"] == shown["robust_accuracy"]  # the curve's value
    n = pgd.y.size
    assert shown["n_flipped"] == round((shown["clean_accuracy"] - shown["robust_accuracy"]) * n)


def test_pgd_at_eps_zero_is_the_clean_accuracy(pgd) -> None:  # type: ignore[no-untyped-def]
    shown = show(pgd, eps=0.0, model="standard")
    assert shown["robust_accuracy"] == shown["clean_accuracy"] > 0.95
    assert shown["n_flipped"] == 0


def test_adversarial_training_is_more_robust_on_the_curve(pgd) -> None:  # type: ignore[no-untyped-def]
    grid = list(np.round(pgd.eps_grid, 2))
    std, adv = pgd.curves["standard"], pgd.curves["adversarial"]
    for eps, gain in ((0.15, 0.05), (0.25, 0.1), (0.3, 0.2), (0.4, 0.25)):
        assert adv[grid.index(eps)] > std[grid.index(eps)] + gain
    assert adv[0] >= std[0]  # no clean accuracy lost on this data
    for curve in (std, adv):
        assert np.all(np.diff(curve) <= 0.0)  # robust accuracy never rises with ε


def test_the_perturbed_points_stay_in_their_boxes(pgd) -> None:  # type: ignore[no-untyped-def]
    show(pgd, eps=0.25, model="adversarial")
    moved = np.asarray(pgd._moved.get_offsets())
    assert np.max(np.abs(moved - pgd.X)) <= 0.25 + 1e-12
    segments = pgd._arrows.get_segments()
    np.testing.assert_allclose(np.array(segments)[:, 0], pgd.X)
    h = pgd.highlight
    assert pgd._box.get_width() == pytest.approx(0.5)
    assert pgd._box.get_xy() == pytest.approx((pgd.X[h, 0] - 0.25, pgd.X[h, 1] - 0.25))
    star = np.array(pgd._star.get_data()).ravel()
    np.testing.assert_allclose(star, moved[h])


def test_the_highlighted_point_is_flipped_for_the_standard_model(pgd) -> None:  # type: ignore[no-untyped-def]
    clean = show(pgd, eps=0.0, model="standard")
    assert clean["highlight_margin"] > 0  # correctly classified, closest to the boundary
    attacked = show(pgd, eps=0.15, model="standard")
    assert attacked["highlight_margin"] < 0


def test_the_ringed_points_are_the_flipped_ones(pgd) -> None:  # type: ignore[no-untyped-def]
    shown = show(pgd, eps=0.2, model="standard")
    assert len(pgd._flipped.get_offsets()) == shown["n_flipped"] > 10


def test_the_model_toggle_swaps_the_decision_regions(pgd) -> None:  # type: ignore[no-untyped-def]
    show(pgd, model="adversarial")
    visible = {name: image.get_visible() for name, (image, _) in pgd._backgrounds_by_model.items()}
    assert visible == {"standard": False, "adversarial": True}
    assert pgd._data_title.get_text().startswith("adversarial training")


def test_pgd_refuses_an_unknown_model() -> None:
    with pytest.raises(ValueError, match="model must be one of"):
        PGDExplorer(model="robust")
