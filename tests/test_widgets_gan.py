"""Chapter 05 demos: the numbers they print agree with lossviz.gan.

The generic catalog tests (every control changes picture and numbers, fast render equals a
full draw, ...) live in tests/test_widgets.py; these assert what each demo shows.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lossviz import gan
from lossviz.widgets import DiracGAN, GaussianGAN1D, catalog


@pytest.fixture(scope="module")
def gaussian() -> GaussianGAN1D:
    return GaussianGAN1D()


@pytest.fixture(scope="module")
def dirac() -> DiracGAN:
    return DiracGAN()


def show(demo, **values):  # type: ignore[no-untyped-def]
    with demo.hold():
        for name, value in values.items():
            demo.controls[name].value = value
    return demo.numbers()


def test_both_demos_are_in_the_chapter_05_catalog():
    entries = catalog()
    assert entries["GaussianGAN1D"].chapter == entries["DiracGAN"].chapter == "05_gans"


# -- GaussianGAN1D ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mu_g", "sigma_g"), [(3.0, 1.0), (-2.0, 0.5), (0.0, 2.5), (5.5, 0.3)])
def test_gaussian_gan_prints_what_lossviz_gan_computes(gaussian, mu_g, sigma_g):
    shown = show(gaussian, mu_g=mu_g, sigma_g=sigma_g)
    r = gan.gaussian_gan(mu_g, sigma_g)
    assert shown["value"] == r.value_optimal and shown["js"] == r.js and shown["w1"] == r.w1
    assert shown["two_js_minus_log4"] == pytest.approx(shown["value"], abs=1e-12)
    assert (shown["grad_mu_minimax"], shown["grad_sigma_minimax"]) == r.grad_minimax
    assert (shown["grad_mu_nonsaturating"], shown["grad_sigma_nonsaturating"]) == (
        r.grad_nonsaturating)


def test_gaussian_gan_at_the_data_distribution_has_value_minus_log_4_and_no_gradient(gaussian):
    shown = show(gaussian, mu_g=0.0, sigma_g=1.0)
    assert shown["value"] == pytest.approx(-np.log(4.0), abs=1e-12)
    assert shown["js"] == pytest.approx(0.0, abs=1e-15) and shown["w1"] == 0.0
    for key in ("grad_mu_minimax", "grad_mu_nonsaturating"):
        assert shown[key] == pytest.approx(0.0, abs=1e-14)
    d_star = gaussian._d_star.get_ydata()
    np.testing.assert_allclose(d_star, 0.5, atol=1e-12)  # D* cannot tell them apart


def test_gaussian_gan_minimax_gradient_falls_behind_as_the_generator_moves_away(gaussian):
    near = show(gaussian, mu_g=1.0, sigma_g=1.0)["ratio"]
    far = show(gaussian, mu_g=5.0, sigma_g=1.0)["ratio"]
    farther = show(gaussian, mu_g=5.0, sigma_g=0.3)["ratio"]
    assert 1.0 < near < far < farther
    assert farther > 1e3  # 3803: the minimax gradient is 0.0013, the other 5.0


def test_gaussian_gan_draws_the_generator_density_and_d_star(gaussian):
    show(gaussian, mu_g=2.0, sigma_g=0.5)
    x, p_g = gaussian._p_g.get_data()
    np.testing.assert_allclose(p_g, np.exp(gan.gaussian_logpdf(x, 2.0, 0.5)))
    _, d_star = gaussian._d_star.get_data()
    np.testing.assert_allclose(d_star, gan.optimal_discriminator(gaussian.p_data, p_g))
    assert d_star[np.argmin(np.abs(x - 2.0))] < 0.1  # under the generator: "fake"
    assert d_star[np.argmin(np.abs(x))] > 0.9        # at the data's mode: "real"


# -- DiracGAN --------------------------------------------------------------------------------


def test_dirac_gan_simultaneous_steps_spiral_out(dirac):
    shown = show(dirac, mode="simultaneous", n_critic=1, gp=0.0, lr=0.1)
    run = gan.dirac_gan_trajectory(1.0, 0.0, lr=0.1, steps=300)
    assert shown["final_distance"] == run.final_distance > 1.3
    assert shown["verdict"] == "spirals out"
    assert shown["spectral_radius"] == pytest.approx(np.sqrt(1 + 0.1**2 / 4), rel=1e-9)


def test_dirac_gan_alternating_steps_circle(dirac):
    shown = show(dirac, mode="alternating", n_critic=1, gp=0.0, lr=0.1)
    assert shown["verdict"] == "circles"
    assert 0.95 < shown["final_distance"] < 1.05 and shown["max_distance"] < 1.05


@pytest.mark.parametrize("mode", ["simultaneous", "alternating"])
def test_dirac_gan_gradient_penalty_converges(dirac, mode):
    shown = show(dirac, mode=mode, n_critic=1, gp=0.3, lr=0.1)
    assert shown["verdict"] == "converges" and shown["final_distance"] < 0.05


def test_dirac_gan_draws_the_trajectory_it_reports(dirac):
    show(dirac, mode="alternating", n_critic=3, gp=0.1, lr=0.2)
    run = gan.dirac_gan_trajectory(1.0, 0.0, lr=0.2, steps=300, mode="alternating",
                                   n_critic=3, gp=0.1)
    theta, psi = dirac._path.get_data()
    np.testing.assert_array_equal(theta, run.theta)
    np.testing.assert_array_equal(psi, run.psi)
    assert dirac.numbers()["final_distance"] == run.final_distance


def test_dirac_gan_extreme_settings_stay_finite(dirac):
    for mode in ("simultaneous", "alternating"):
        shown = show(dirac, mode=mode, n_critic=5, gp=1.0, lr=0.5)
        assert np.isfinite(shown["final_distance"]) and shown["diverged"] == 0
        shown = show(dirac, mode=mode, n_critic=5, gp=0.0, lr=0.5)
        assert np.isfinite(shown["final_distance"])
        assert shown["max_distance"] < 10  # stays below the readout box (distance 20 up)
