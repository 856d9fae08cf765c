"""Chapter 05 demos: the numbers they print agree with lossviz.gan.

The generic catalog tests (every control changes picture and numbers, fast render equals a
full draw, ...) live in tests/test_widgets.py; these assert what each demo shows.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import numpy as np
import pytest

from lossviz import gan
from lossviz.widgets import DiracGAN, GANTraining2D, GaussianGAN1D, catalog


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


def test_the_three_demos_are_in_the_chapter_05_catalog():
    entries = catalog()
    assert {entries[name].chapter for name in ("GaussianGAN1D", "DiracGAN", "GANTraining2D")} == {
        "05_gans"}


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


# -- GANTraining2D ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def training_runs() -> dict[str, gan.GANRun]:
    kwargs = {"steps": 200, "snapshot_every": 20, "n_eval": 400, **gan.MODE_COLLAPSE}
    return {loss: gan.train_gan_2d(loss, **kwargs) for loss in ("nonsaturating", "lsgan")}


@pytest.fixture(scope="module")
def training(training_runs) -> GANTraining2D:
    return GANTraining2D(training_runs)


def test_gan_training_uses_the_runs_it_is_given(training, training_runs):
    for name, run in training_runs.items():
        assert training.runs[name] is run
    assert [value for _, value in training.controls["loss"].options] == list(training_runs)
    assert training.controls["step"].max == 10  # 11 snapshots: 0, 20, ..., 200


@pytest.mark.parametrize("loss", ["nonsaturating", "lsgan"])
@pytest.mark.parametrize("index", [0, 1, 4, 7, 10])
def test_gan_training_prints_the_runs_numbers_at_the_snapshot(training, training_runs, loss,
                                                              index):
    shown = show(training, loss=loss, step=index)
    run = training_runs[loss]
    d_loss, g_loss = run.losses_at(index)
    assert shown["loss"] == loss and shown["snapshot"] == index
    assert shown["step"] == run.snapshot_steps[index] == 20 * index
    assert (shown["d_loss"], shown["g_loss"]) == (d_loss, g_loss)
    assert shown["modes"] == run.modes[index]
    assert shown["high_quality"] == run.high_quality[index]
    assert shown["spread"] == run.spread[index] and shown["grad_norm"] == run.grad_norm[index]
    printed = {key: text.get_text() for key, text in training._headline.items()}
    assert printed["step"] == str(20 * index) and printed["modes"] == f"{run.modes[index]} of 8"
    assert printed["hq"] == f"{100 * run.high_quality[index]:.1f} %"


def test_gan_training_draws_the_snapshots_samples_and_covered_modes(training, training_runs):
    run = training_runs["lsgan"]
    index = int(np.argmax(run.modes))  # a snapshot that covers some modes
    assert run.modes[index] > 0
    show(training, loss="lsgan", step=index)
    x, y = training._samples.get_data()
    np.testing.assert_array_equal(np.column_stack([x, y]), run.samples[index])
    cx, cy = training._covered.get_data()
    np.testing.assert_allclose(np.column_stack([cx, cy]),
                               gan.ring_centers()[run.covered_mask[index]])
    step = run.snapshot_steps[index]
    assert list(training._loss_cursor.get_xdata()) == [step, step]
    assert list(training._raster_cursor.get_xdata()) == [step, step]


def test_changing_the_loss_switches_the_curves(training, training_runs):
    for loss, run in training_runs.items():
        show(training, loss=loss, step=3)
        np.testing.assert_array_equal(training._d_raw.get_ydata(), run.d_loss)
        np.testing.assert_array_equal(training._g_raw.get_ydata(), run.g_loss)
        np.testing.assert_array_equal(training._modes_line.get_ydata(), run.modes)
        np.testing.assert_array_equal(training._raster.get_array(), run.covered_mask.T)
        assert training._samples_title.get_text().startswith(
            {"nonsaturating": "non-saturating", "lsgan": "least-squares"}[loss])
    a, b = training_runs.values()
    assert not np.array_equal(a.d_loss, b.d_loss)


def test_moving_average_of_the_loss_curves(training, training_runs):
    show(training, loss="nonsaturating", step=0)
    run = training_runs["nonsaturating"]
    window = max(1, run.d_loss.size // 60)  # 3 for 200 steps
    smooth = training._d_avg.get_ydata()
    assert smooth[10] == pytest.approx(np.mean(run.d_loss[10 - window + 1:11]), rel=1e-12)
    assert smooth[0] == run.d_loss[0]


def test_play_drives_the_step_slider_and_the_figure(training, training_runs):
    training.controls["loss"].value = "nonsaturating"
    training.play.value = 6
    assert training.controls["step"].value == 6
    assert training.numbers()["step"] == training_runs["nonsaturating"].snapshot_steps[6]
    training.controls["step"].value = 2
    assert training.play.value == 2
    assert training.play.max == training.controls["step"].max


def test_the_live_view_shows_play_next_to_the_step_slider(training):
    children = list(training.widget().children[0].children)
    assert any(isinstance(c, widgets.Play) for c in children)
    assert children.index(training.play) + 1 == children.index(training.controls["step"])
    assert "play" not in training.controls  # it drives "step"; not a control of its own


def test_runs_with_fewer_snapshots_show_their_last_one(training_runs):
    short = gan.train_gan_2d("minimax", steps=60, snapshot_every=20, n_eval=400)
    demo = GANTraining2D({"long": training_runs["nonsaturating"], "short": short},
                         loss="short", snapshot=0)
    shown = show(demo, step=10)
    assert shown["snapshot"] == 3 and shown["step"] == 60
    assert shown["d_loss"] == short.d_loss[-1]


def test_gan_training_starts_at_the_last_snapshot_by_default(training_runs):
    demo = GANTraining2D(training_runs)
    assert demo.numbers()["step"] == 200 and demo.controls["step"].value == 10
    assert GANTraining2D(training_runs, snapshot=-3).numbers()["step"] == 160
    assert GANTraining2D(training_runs, snapshot=99).numbers()["step"] == 200


def test_gan_training_trains_its_own_runs_without_runs():
    demo = GANTraining2D(losses=("lsgan",), train_kwargs={"steps": 40, "snapshot_every": 10})
    reference = gan.train_gan_2d("lsgan", steps=40, snapshot_every=10)
    np.testing.assert_array_equal(demo.runs["lsgan"].samples, reference.samples)
    assert demo.numbers()["step"] == 40


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"runs": {}}, ValueError, "at least one GANRun"),
    ({"runs": [1, 2]}, TypeError, "runs must be a mapping"),
    ({"runs": {"a": 1.0}}, TypeError, r"runs\['a'\] must be a GANRun"),
    ({"loss": "wgan"}, ValueError, "loss must be one of"),
    ({"snapshot": 1.5}, TypeError, "snapshot must be an integer"),
])
def test_gan_training_refuses_bad_arguments(training_runs, kwargs, error, match):
    with pytest.raises(error, match=match):
        GANTraining2D(**{"runs": training_runs, **kwargs})
