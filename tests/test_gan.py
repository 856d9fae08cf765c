"""Chapter 05's numerical core: D*, the value and JS, W1, generator gradients, Dirac-GAN, 2-D GAN.

Every claim the chapter will make is asserted against an independent computation: SciPy's
``jensenshannon``, ``wasserstein_distance`` and ``integrate.quad``, closed forms, and
central finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.spatial.distance import jensenshannon
from scipy.special import expit
from scipy.stats import norm, wasserstein_distance

from lossviz import gan, losses

LOG2, LOG4 = float(np.log(2.0)), float(np.log(4.0))
GENERATORS = [(2.0, 1.0), (4.0, 1.0), (1.0, 0.5), (-3.0, 2.0), (8.0, 0.3), (0.5, 1.5)]


# -- the GAN losses of the registry ----------------------------------------------------------


def test_discriminator_loss_is_bce_with_hard_labels_and_one_sided_smoothing():
    rng = np.random.default_rng(0)
    y, f = rng.integers(0, 2, 40).astype(float), rng.normal(0, 3, 40)
    assert losses.gan_discriminator(y, f) == pytest.approx(losses.bce_with_logits(y, f), rel=1e-15)
    smoothed = losses.gan_discriminator(y, f, label_smoothing=0.1)
    assert smoothed == pytest.approx(losses.bce_with_logits(0.9 * y, f), rel=1e-15)
    fake = y == 0  # generated examples keep target 0
    np.testing.assert_array_equal(
        losses.gan_discriminator(y, f, reduction="none", label_smoothing=0.1)[fake],
        losses.gan_discriminator(y, f, reduction="none")[fake])


def test_minimax_generator_loss_is_minus_the_discriminators():
    rng = np.random.default_rng(1)
    y, f = rng.integers(0, 2, 30).astype(float), rng.normal(0, 3, 30)
    assert losses.gan_generator_minimax(y, f) == -losses.gan_discriminator(y, f)
    np.testing.assert_array_equal(losses.gan_generator_minimax_grad(y, f),
                                  -losses.gan_discriminator_grad(y, f))


def test_nonsaturating_generator_loss_is_the_discriminators_with_flipped_labels():
    rng = np.random.default_rng(2)
    y, f = rng.integers(0, 2, 30).astype(float), rng.normal(0, 3, 30)
    assert losses.gan_generator_nonsaturating(y, f) == losses.gan_discriminator(1 - y, f)


def test_on_generated_examples_the_losses_are_log_one_minus_d_and_minus_log_d():
    f = np.array([-30.0, -3.0, 0.0, 2.0])
    d = expit(f)
    zeros = np.zeros_like(f)
    np.testing.assert_allclose(losses.gan_generator_minimax(zeros, f, reduction="none"),
                               np.log1p(-d), rtol=1e-14)
    np.testing.assert_allclose(losses.gan_generator_nonsaturating(zeros, f, reduction="none"),
                               -np.log(d), rtol=1e-14)
    # their slopes: -D (vanishes as D -> 0) and -(1 - D) (tends to -1)
    np.testing.assert_allclose(losses.gan_generator_minimax_grad(zeros, f, reduction="none"), -d,
                               rtol=1e-14)
    np.testing.assert_allclose(
        losses.gan_generator_nonsaturating_grad(zeros, f, reduction="none"), -(1 - d), rtol=1e-14)


def test_generator_losses_stay_exact_for_huge_logits():
    f = np.array([-1e4, -800.0, 800.0, 1e4])
    zeros = np.zeros_like(f)
    np.testing.assert_array_equal(losses.gan_generator_minimax(zeros, f, reduction="none"),
                                  [0.0, 0.0, -800.0, -1e4])
    np.testing.assert_array_equal(losses.gan_generator_nonsaturating(zeros, f, reduction="none"),
                                  [1e4, 800.0, 0.0, 0.0])


def test_label_smoothing_must_lie_in_zero_one():
    with pytest.raises(ValueError, match=r"label_smoothing must lie in \[0.0, 1.0\)"):
        losses.gan_discriminator([1.0], [0.0], label_smoothing=1.0)


# -- D*, the value and Jensen-Shannon ----------------------------------------------------------


def test_optimal_discriminator_is_the_density_ratio():
    np.testing.assert_array_equal(
        gan.optimal_discriminator([3.0, 1.0, 0.0, 0.0], [1.0, 1.0, 2.0, 0.0]), [0.75, 0.5, 0.0, 0.5])


@pytest.mark.parametrize(("mu_g", "sigma_g"), GENERATORS)
def test_optimal_discriminator_beats_every_perturbed_discriminator(mu_g, sigma_g):
    r = gan.gaussian_gan(mu_g, sigma_g)
    logit = gan.optimal_logit(0.0, 1.0, mu_g, sigma_g)(r.x)
    rng = np.random.default_rng(3)
    for _ in range(5):
        bump = 0.5 * rng.normal() * np.exp(-0.5 * (r.x - rng.normal(0, 2)) ** 2)
        other = gan.gan_value(r.x, r.p_data, r.p_g, expit(logit + bump))
        assert other < r.value_optimal


@pytest.mark.parametrize(("mu_g", "sigma_g"), GENERATORS)
def test_value_at_d_star_is_twice_js_minus_log_4(mu_g, sigma_g):
    r = gan.gaussian_gan(mu_g, sigma_g)
    assert r.identity_error < 1e-12
    assert r.value_optimal == pytest.approx(2 * r.js - LOG4, abs=1e-12)


@pytest.mark.parametrize(("mu_g", "sigma_g"), GENERATORS)
def test_js_agrees_with_scipy_jensenshannon_and_with_adaptive_quadrature(mu_g, sigma_g):
    r = gan.gaussian_gan(mu_g, sigma_g)
    assert r.js == pytest.approx(float(jensenshannon(r.p_data, r.p_g)) ** 2, abs=1e-12)

    def integrand(x):
        lp, lq = norm.logpdf(x, 0.0, 1.0), norm.logpdf(x, mu_g, sigma_g)
        lm = np.logaddexp(lp, lq) - LOG2
        return 0.5 * np.exp(lp) * (lp - lm) + 0.5 * np.exp(lq) * (lq - lm)

    points = sorted({0.0, mu_g})
    exact, _ = integrate.quad(integrand, -40, 40, points=points, limit=400, epsabs=1e-13)
    assert r.js == pytest.approx(exact, abs=1e-9)


def test_js_is_zero_for_equal_densities_and_at_most_log_2():
    assert gan.gaussian_gan(0.0, 1.0).js == pytest.approx(0.0, abs=1e-15)
    assert gan.gaussian_gan(0.0, 1.0).value_optimal == pytest.approx(-LOG4, abs=1e-12)
    far = gan.gaussian_gan(40.0, 1.0)
    assert far.js == pytest.approx(LOG2, abs=1e-12) and far.js <= LOG2 + 1e-15


def test_gan_value_refuses_mismatched_grids_and_negative_densities():
    with pytest.raises(ValueError, match="same grid"):
        gan.gan_value([0.0, 1.0], [1.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="p_g must be a density"):
        gan.gan_value([0.0, 1.0], [1.0, 1.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        gan.js_divergence([1.0, 0.0], [1.0, 1.0], [1.0, 1.0])


# -- Wasserstein-1 -------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [(0, 1, 3, 1), (0, 1, 1, 2), (1, 0.5, -1, 3), (2, 1, 2, 0.2)])
def test_w1_between_gaussians_agrees_with_scipy_and_quadrature(params):
    mu1, s1, mu2, s2 = params
    ours = gan.wasserstein1_gaussians(*params)
    kink = [norm.cdf(-(mu1 - mu2) / (s1 - s2))] if s1 != s2 else None  # where F1⁻¹ = F2⁻¹
    exact, _ = integrate.quad(lambda u: abs((mu1 - mu2) + (s1 - s2) * norm.ppf(u)), 0, 1,
                              points=kink, limit=200, epsabs=1e-13)
    assert ours == pytest.approx(exact, rel=1e-9)
    n = 200_000
    z = norm.ppf((np.arange(n) + 0.5) / n)  # the quantiles: a deterministic "sample"
    assert ours == pytest.approx(wasserstein_distance(mu1 + s1 * z, mu2 + s2 * z), rel=1e-5)


def test_w1_is_the_mean_shift_for_equal_spreads_not_w2():
    assert gan.wasserstein1_gaussians(0.0, 1.0, 3.0, 1.0) == 3.0
    assert gan.wasserstein1_gaussians(0.0, 1.0, 0.0, 2.0) == pytest.approx(np.sqrt(2 / np.pi))


@pytest.mark.parametrize(("n", "m"), [(37, 53), (100, 100), (1, 9)])
def test_w1_between_samples_agrees_with_scipy(n, m):
    rng = np.random.default_rng(n + m)
    u, v = rng.normal(size=n), rng.exponential(size=m)
    assert gan.wasserstein1_samples(u, v) == pytest.approx(wasserstein_distance(u, v), rel=1e-12)


def test_js_saturates_at_log_2_for_disjoint_supports_while_w1_grows_linearly():
    shifts = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0])
    d = gan.disjoint_supports(shifts)
    np.testing.assert_allclose(d.js, d.js_exact, atol=1e-12)
    np.testing.assert_allclose(d.js[shifts >= 1], LOG2, atol=1e-12)  # flat: zero gradient
    np.testing.assert_allclose(d.w1, shifts, atol=1e-12)             # slope 1 everywhere
    np.testing.assert_allclose(d.w1, d.w1_scipy, atol=1e-12)


# -- the generator's gradient under the two losses ---------------------------------------------


@pytest.mark.parametrize("loss", gan.GENERATOR_LOSSES)
@pytest.mark.parametrize(("mu_g", "sigma_g"), GENERATORS)
def test_generator_gradient_matches_finite_differences(loss, mu_g, sigma_g):
    frozen = gan.optimal_logit(0.0, 1.0, mu_g, sigma_g)  # D* of the current G, held fixed
    g_mu, g_sigma = gan.generator_gradient(mu_g, sigma_g, loss=loss)
    h = 1e-6

    def objective(m, s):
        return gan.generator_objective(m, s, frozen, loss=loss)

    fd_mu = (objective(mu_g + h, sigma_g) - objective(mu_g - h, sigma_g)) / (2 * h)
    fd_sigma = (objective(mu_g, sigma_g + h) - objective(mu_g, sigma_g - h)) / (2 * h)
    assert g_mu == pytest.approx(fd_mu, rel=1e-6, abs=1e-9)
    assert g_sigma == pytest.approx(fd_sigma, rel=1e-6, abs=1e-9)


def test_minimax_gradient_vanishes_far_from_the_data_while_nonsaturating_does_not():
    mm = gan.generator_gradient(4.0, 1.0, loss="minimax")[0]
    ns = gan.generator_gradient(4.0, 1.0, loss="nonsaturating")[0]
    assert ns > 25 * mm > 0  # 3.86 vs 0.137: same sign, 28 times larger
    mm_far = gan.generator_gradient(8.0, 0.3, loss="minimax")[0]
    ns_far = gan.generator_gradient(8.0, 0.3, loss="nonsaturating")[0]
    assert 0 < mm_far < 1e-7 and ns_far > 7.0


def test_both_generator_gradients_vanish_at_the_equilibrium():
    for loss in gan.GENERATOR_LOSSES:
        assert gan.generator_gradient(0.0, 1.0, loss=loss) == pytest.approx((0.0, 0.0), abs=1e-14)


def test_gaussian_gan_reports_both_gradients():
    r = gan.gaussian_gan(2.0, 1.0)
    assert r.grad_minimax == gan.generator_gradient(2.0, 1.0, loss="minimax")
    assert r.grad_nonsaturating == gan.generator_gradient(2.0, 1.0, loss="nonsaturating")
    assert r.w1 == 2.0


# -- Dirac-GAN ---------------------------------------------------------------------------------


def test_dirac_field_vanishes_only_at_the_origin_with_imaginary_eigenvalues_there():
    v = gan.dirac_gan_field(0.0, 0.0)
    assert float(v[0]) == 0.0 and float(v[1]) == 0.0
    h = 1e-6
    jac = np.column_stack([
        (np.ravel(gan.dirac_gan_field(h, 0.0)) - np.ravel(gan.dirac_gan_field(-h, 0.0))) / (2 * h),
        (np.ravel(gan.dirac_gan_field(0.0, h)) - np.ravel(gan.dirac_gan_field(0.0, -h))) / (2 * h),
    ])
    np.testing.assert_allclose(np.linalg.eigvals(jac), [0.5j, -0.5j], atol=1e-9)


def test_simultaneous_steps_spiral_out_at_the_predicted_rate():
    lr, steps = 0.1, 400
    t = gan.dirac_gan_trajectory(0.01, 0.0, lr=lr, steps=steps, mode="simultaneous")
    assert np.all(np.diff(t.distance) > 0)
    predicted = 0.01 * (1 + lr**2 / 4) ** (steps / 2)  # |1 ± iη/2|^k near the origin
    assert t.distance[-1] == pytest.approx(predicted, rel=1e-3)
    far = gan.dirac_gan_trajectory(1.0, 0.0, lr=0.1, steps=500, mode="simultaneous")
    assert far.distance[-1] > 1.7  # 1.76: distance to the equilibrium grows


def test_alternating_steps_circle_without_converging_or_diverging():
    t = gan.dirac_gan_trajectory(1.0, 0.0, lr=0.1, steps=2000, mode="alternating")
    assert 0.95 < t.distance.min() and t.distance.max() < 1.05
    angles = np.unwrap(np.arctan2(t.psi, t.theta))
    assert abs(angles[-1] - angles[0]) > 2 * np.pi  # it goes round, more than once


@pytest.mark.parametrize("mode", gan.DIRAC_MODES)
def test_gradient_penalty_makes_the_iterates_converge(mode):
    t = gan.dirac_gan_trajectory(1.0, 0.0, lr=0.1, steps=500, mode=mode, gp=0.3)
    assert t.distance[-1] < 2e-3


def test_consensus_optimisation_converges():
    t = gan.dirac_gan_trajectory(1.0, 0.0, lr=0.1, steps=500, consensus=1.0)
    assert t.distance[-1] < 1e-4


@pytest.mark.parametrize("lr", [0.05, 0.1, 0.5])
def test_spectral_radius_of_the_updates(lr):
    assert gan.dirac_gan_spectral_radius(lr=lr) == pytest.approx(np.sqrt(1 + lr**2 / 4), rel=1e-9)
    assert gan.dirac_gan_spectral_radius(lr=lr, mode="alternating") == pytest.approx(1.0, abs=1e-9)
    assert gan.dirac_gan_spectral_radius(lr=lr, gp=0.3) < 1.0
    assert gan.dirac_gan_spectral_radius(lr=lr, mode="alternating", n_critic=5) == pytest.approx(
        1.0, abs=1e-9)


def test_a_diverging_run_stops_finite_and_says_so():
    # a penalty step η·γ > 2 overshoots: ψ is multiplied by 1 − ηγ = −9 at every step
    t = gan.dirac_gan_trajectory(1.0, 0.5, lr=1.0, gp=10.0, steps=100_000, max_distance=1e6)
    assert t.diverged and np.all(np.isfinite(t.distance)) and t.theta.size < 100_001


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"lr": 0.0}, "lr must be > 0"), ({"mode": "async"}, "mode must be one of"),
    ({"n_critic": 0}, "n_critic must be >= 1"), ({"gp": -1.0}, "gp must be >= 0"),
    ({"consensus": float("nan")}, "consensus must be finite"),
])
def test_dirac_gan_refuses_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gan.dirac_gan_trajectory(1.0, 0.0, **{"lr": 0.1, "steps": 5, **kwargs})


# -- the tiny MLP and the gradient penalty, by finite differences -------------------------------


def numeric_param_grads(net, objective, h=1e-6):
    grads = {}
    for name, p in net.params.items():
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = objective()
            p[idx] = old - h
            down = objective()
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads[name] = g
    return grads


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_tiny_mlp_backward_matches_finite_differences(activation):
    rng = np.random.default_rng(4)
    net = gan.TinyMLP(3, 5, 2, activation=activation, rng=rng)
    x, weights = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    grads, grad_x = net.backward(x, weights)
    numeric = numeric_param_grads(net, lambda: float(np.sum(weights * net.forward(x))))
    for name in net.params:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-6, atol=1e-8)
    fd_x = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += 1e-6
        down[idx] -= 1e-6
        fd_x[idx] = (np.sum(weights * net.forward(up)) - np.sum(weights * net.forward(down))) / 2e-6
    np.testing.assert_allclose(grad_x, fd_x, rtol=1e-6, atol=1e-8)


def test_input_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    net = gan.TinyMLP(2, 7, 1, rng=rng)
    x = rng.normal(size=(4, 2))
    fd = np.column_stack([
        (net.forward(x + e)[:, 0] - net.forward(x - e)[:, 0]) / 2e-6
        for e in (np.array([1e-6, 0.0]), np.array([0.0, 1e-6]))
    ])
    np.testing.assert_allclose(net.input_gradient(x), fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_gradient_penalty_gradient_matches_finite_differences(activation):
    rng = np.random.default_rng(6)
    net = gan.TinyMLP(2, 6, 1, activation=activation, rng=rng)
    x = rng.normal(size=(8, 2))
    value, grads = net.gradient_penalty(x, 10.0)
    norms = np.linalg.norm(net.input_gradient(x), axis=1)
    assert value == pytest.approx(10.0 * np.mean((norms - 1) ** 2), rel=1e-14)
    numeric = numeric_param_grads(net, lambda: net.gradient_penalty(x, 10.0)[0])
    for name in net.params:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-5, atol=1e-8,
                                   err_msg=name)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_gradient_penalty_gradient_of_a_wider_critic_agrees_to_1e_8_overall(activation):
    """16 hidden units, 32 points, λ = 10: the whole gradient, normwise (measured 2e-10)."""
    rng = np.random.default_rng(8)
    net = gan.TinyMLP(2, 16, 1, activation=activation, rng=rng)
    x = rng.normal(size=(32, 2))
    _, grads = net.gradient_penalty(x, 10.0)
    numeric = numeric_param_grads(net, lambda: net.gradient_penalty(x, 10.0)[0])
    ours = np.concatenate([grads[k].ravel() for k in net.params])
    fd = np.concatenate([numeric[k].ravel() for k in net.params])
    assert np.linalg.norm(ours - fd) < 1e-8 * np.linalg.norm(fd)


def test_wasserstein_critic_loss_and_its_gradient_match_finite_differences():
    rng = np.random.default_rng(9)
    critic = gan.TinyMLP(2, 6, 1, activation="relu", rng=rng)
    x_real, x_fake = rng.normal(size=(7, 2)), rng.normal(1.0, 1.0, size=(5, 2))
    value, grads = gan.wasserstein_critic_loss(critic, x_real, x_fake)
    f = critic.forward
    assert value == pytest.approx(np.mean(f(x_fake)) - np.mean(f(x_real)), rel=1e-14)
    numeric = numeric_param_grads(critic, lambda: gan.wasserstein_critic_loss(
        critic, x_real, x_fake)[0])
    for name in critic.params:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-6, atol=1e-9,
                                   err_msg=name)


def test_wgan_gp_critic_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(7)
    critic = gan.TinyMLP(2, 6, 1, rng=rng)
    x_real, x_fake = rng.normal(size=(5, 2)), rng.normal(1.0, 1.0, size=(5, 2))

    def loss_with_fixed_eps():
        return gan.wgan_gp_critic_loss(critic, x_real, x_fake, gp_weight=10.0,
                                       rng=np.random.default_rng(11))[0]

    value, grads, parts = gan.wgan_gp_critic_loss(critic, x_real, x_fake, gp_weight=10.0,
                                                  rng=np.random.default_rng(11))
    assert value == pytest.approx(parts["penalty"] - parts["wasserstein"], rel=1e-14)
    f = critic.forward
    assert parts["wasserstein"] == pytest.approx(np.mean(f(x_real)) - np.mean(f(x_fake)))
    numeric = numeric_param_grads(critic, loss_with_fixed_eps)
    for name in critic.params:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-5, atol=1e-8,
                                   err_msg=name)


# -- the 2-D GAN ---------------------------------------------------------------------------------


def test_modes_covered_counts_the_ring_and_a_collapsed_sample():
    data = gan.ring_data(2000, seed=0)
    assert gan.modes_covered(data).covered == 8
    assert gan.modes_covered(data).high_quality > 0.99
    collapsed = gan.ring_centers()[3] + 0.05 * np.random.default_rng(1).normal(size=(500, 2))
    coverage = gan.modes_covered(collapsed)
    assert coverage.covered == 1 and coverage.counts[3] == coverage.counts.sum()
    assert gan.modes_covered(np.zeros((100, 2))).covered == 0


@pytest.fixture(scope="module")
def runs():
    return {loss: gan.train_gan_2d(loss) for loss in ("nonsaturating", "wgan-gp", "wgan-clip")}


def test_training_is_deterministic_for_a_seed():
    a = gan.train_gan_2d("lsgan", steps=60, seed=3)
    b = gan.train_gan_2d("lsgan", steps=60, seed=3)
    c = gan.train_gan_2d("lsgan", steps=60, seed=4)
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.d_loss, b.d_loss)
    assert not np.array_equal(a.samples, c.samples)


def test_both_default_runs_learn_the_ring(runs):
    for run in (runs["nonsaturating"], runs["wgan-gp"]):
        assert run.modes[0] == 0 and run.final_modes >= 7
        assert run.spread[-1] == pytest.approx(2.0, abs=0.2)  # the data's spread: no collapse
        assert np.all(np.isfinite(run.d_loss)) and np.all(np.isfinite(run.g_loss))


def test_wgan_gp_covers_the_modes_in_fewer_generator_steps(runs):
    middle = list(runs["wgan-gp"].snapshot_steps).index(1000)
    assert runs["wgan-gp"].modes[middle] >= 6 > runs["nonsaturating"].modes[middle]


def test_nonsaturating_discriminator_loss_settles_near_log_2(runs):
    """At the equilibrium D = 1/2 and the mean cross-entropy is log 2 = 0.693."""
    assert np.mean(runs["nonsaturating"].d_loss[-200:]) == pytest.approx(LOG2, abs=0.05)


def test_train_gan_2d_refuses_unknown_losses():
    with pytest.raises(ValueError, match="loss must be one of"):
        gan.train_gan_2d("wgan")


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"optimizer": "sgd"}, ValueError, "optimizer must be one of"),
    ({"clip_value": 0.0}, ValueError, "clip_value must be > 0"),
    ({"snapshot_every": 0}, ValueError, "snapshot_every must be >= 1"),
    ({"snapshot_every": 2.5}, TypeError, "snapshot_every must be an integer"),
    ({"critic_activation": "sigmoid"}, ValueError, "critic_activation must be one of"),
    ({"hidden_g": 0}, ValueError, "hidden_g must be >= 1"),
    ({"lr_d": -1e-3}, ValueError, "lr_d must be > 0"),
])
def test_train_gan_2d_refuses_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        gan.train_gan_2d("wgan-clip", steps=2, **kwargs)


# -- snapshots and the per-snapshot diagnostics ---------------------------------------------


@pytest.fixture(scope="module")
def short_run():
    return gan.train_gan_2d("nonsaturating", steps=100, snapshot_every=10, seed=2)


def test_snapshot_every_takes_a_snapshot_every_k_steps_and_at_the_end():
    run = gan.train_gan_2d("lsgan", steps=55, snapshot_every=20, n_eval=50)
    np.testing.assert_array_equal(run.snapshot_steps, [0, 20, 40, 55])
    assert run.samples.shape == (4, 50, 2) and run.mode_counts.shape == (4, 8)
    for field in (run.modes, run.high_quality, run.spread, run.grad_norm, run.grad_norm_std,
                  run.clipped_share):
        assert field.shape == (4,)


def test_snapshots_and_diagnostics_do_not_change_the_training(short_run):
    sparse = gan.train_gan_2d("nonsaturating", steps=100, n_snapshots=3, seed=2)  # 0, 50, 100
    np.testing.assert_array_equal(short_run.d_loss, sparse.d_loss)
    np.testing.assert_array_equal(short_run.g_loss, sparse.g_loss)
    np.testing.assert_array_equal(short_run.samples[[0, 5, 10]], sparse.samples)
    np.testing.assert_array_equal(short_run.grad_norm[[0, 5, 10]], sparse.grad_norm)


def test_mode_counts_agree_with_modes_covered(short_run):
    for i, samples in enumerate(short_run.samples):
        coverage = gan.modes_covered(samples, threshold=5 * 0.05)
        np.testing.assert_array_equal(short_run.mode_counts[i], coverage.counts)
        assert short_run.modes[i] == coverage.covered
        assert short_run.high_quality[i] == coverage.high_quality
    np.testing.assert_array_equal(short_run.covered_mask.sum(axis=1), short_run.modes)


def test_grad_norm_is_the_critic_slope_between_data_and_samples(short_run):
    eps = np.random.default_rng([2, 2]).uniform(size=(1000, 1))  # the run's fixed ε
    x_hat = eps * short_run.data + (1 - eps) * short_run.samples[-1]
    norms = np.linalg.norm(short_run.critic.input_gradient(x_hat), axis=1)
    assert short_run.grad_norm[-1] == pytest.approx(norms.mean(), rel=1e-12)
    assert short_run.grad_norm_std[-1] == pytest.approx(norms.std(), rel=1e-12)


def test_the_final_generator_draws_the_last_snapshot(short_run):
    z_eval = np.random.default_rng(2)  # the run draws z_eval right after both networks
    gan.TinyMLP(2, 64, 2, activation="relu", rng=z_eval)
    gan.TinyMLP(2, 64, 1, rng=z_eval)
    z = z_eval.normal(size=(1000, 2))
    np.testing.assert_array_equal(short_run.generator.forward(z), short_run.samples[-1])


def test_losses_at_a_snapshot_are_those_of_its_generator(short_run):
    assert short_run.losses_at(3) == (short_run.d_loss[30], short_run.g_loss[30])
    last = short_run.snapshot_steps.size - 1
    assert short_run.losses_at(last) == (short_run.d_loss[-1], short_run.g_loss[-1])


def test_mode_changes_count_only_changes_between_covering_snapshots():
    def run_with(mask):
        counts = np.asarray(mask) * 100
        n = counts.shape[0]
        return gan.GANRun(
            loss="x", d_loss=np.zeros(1), g_loss=np.zeros(1), snapshot_steps=np.arange(n),
            samples=np.zeros((n, 1000, 2)), modes=(counts >= 20).sum(axis=1),
            high_quality=np.zeros(n), spread=np.zeros(n), data=np.zeros((1, 2)), seconds=0.0,
            mode_counts=counts, grad_norm=np.zeros(n), grad_norm_std=np.zeros(n),
            clipped_share=np.zeros(n), critic=None, generator=None, settings={})

    empty, one, two, both = [0] * 8, [1] + [0] * 7, [0, 1] + [0] * 6, [1, 1] + [0] * 6
    hopping = run_with([empty, one, two, one, one, both])
    assert hopping.mode_changes == 3 and hopping.modes_ever_covered == 2
    learning = run_with([empty, empty, both, both])
    assert learning.mode_changes == 0 and learning.modes_ever_covered == 2


# -- weight clipping vs gradient penalty ----------------------------------------------------


def test_wgan_clip_keeps_every_critic_parameter_in_the_box(runs):
    run = runs["wgan-clip"]
    weights = np.concatenate([p.ravel() for p in run.critic.params.values()])
    assert np.abs(weights).max() == 0.01
    assert run.clipped_share[-1] == np.mean(np.abs(weights) == 0.01)
    assert run.clipped_share[0] > 0.7  # the initial weights, before the first clip
    assert run.settings["critic_activation"] == "relu"
    assert run.settings["optimizer"] == "rmsprop" and run.settings["lr_d"] == 5e-5
    assert run.settings["n_critic"] == 5 and run.settings["clip_value"] == 0.01


def test_wgan_clip_default_run_learns_the_rings_size_but_few_modes(runs):
    run = runs["wgan-clip"]
    np.testing.assert_array_equal(run.modes, [0, 1, 1, 1, 0, 1, 1])  # as documented
    assert 2.0 < run.spread[-1] < 2.4  # the data's 2.0: not collapsed, not the modes
    assert run.high_quality[-1] < 0.1 < runs["wgan-gp"].high_quality[-1] - 0.3


def test_gradient_penalty_holds_the_slope_near_one_clipping_makes_it_tiny_and_uneven(runs):
    gp, clip = runs["wgan-gp"], runs["wgan-clip"]
    assert 1.5 < gp.grad_norm[-1] < 2.0        # 1.82: λ = 0.1 pulls it towards 1
    assert clip.grad_norm[-1] < 1e-3           # 3.0e-4 (bound: √2 · 64 · 0.01² = 0.009)
    assert gp.grad_norm[-1] > 1000 * clip.grad_norm[-1]
    cv_gp = gp.grad_norm_std[-1] / gp.grad_norm[-1]
    cv_clip = clip.grad_norm_std[-1] / clip.grad_norm[-1]
    assert cv_clip > 1.0 > 0.5 > cv_gp         # 1.15 vs 0.47
    assert np.all(gp.clipped_share[1:] > 0.9)  # GP's critic uses weights far beyond 0.01


def test_a_clipped_tanh_critic_is_a_linear_function():
    run = gan.train_gan_2d("wgan-clip", steps=150, critic_activation="tanh")
    relative_spread = run.grad_norm_std[1:] / run.grad_norm[1:]
    assert np.all(relative_spread < 0.005)  # one slope everywhere: 0.1 %
    relu = gan.train_gan_2d("wgan-clip", steps=150)
    assert np.all(relu.grad_norm_std[1:] / relu.grad_norm[1:] > 0.1)


# -- mode collapse -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collapse():
    return {loss: gan.train_gan_2d(loss, snapshot_every=25, **gan.MODE_COLLAPSE)
            for loss in ("nonsaturating", "minimax", "lsgan")}


def test_mode_collapse_preset_is_a_fast_generator_with_seed_3():
    assert dict(gan.MODE_COLLAPSE) == {"lr": 5e-3, "lr_d": 1e-3, "seed": 3}
    with pytest.raises(TypeError):
        gan.MODE_COLLAPSE["seed"] = 0  # read-only


@pytest.mark.parametrize("loss", ["nonsaturating", "minimax"])
def test_standard_gan_covers_at_most_two_modes_at_a_time_and_hops(collapse, loss):
    run = collapse[loss]
    assert run.modes.max() == 2 and run.final_modes <= 2
    assert run.modes_ever_covered == 8  # it visits every mode, one or two at a time
    assert run.mode_changes >= 20       # 22 changes in 61 snapshots
    assert run.high_quality[-1] < 0.15


def test_lsgan_learns_the_ring_under_the_same_step_sizes(collapse):
    run = collapse["lsgan"]
    from_925 = run.snapshot_steps >= 925
    assert np.all(run.modes[from_925] == 8) and run.modes[~from_925][-1] < 8
    assert run.high_quality[-1] > 0.5 > 0.15 > collapse["nonsaturating"].high_quality[-1]
    assert run.spread[-1] == pytest.approx(2.0, abs=0.1)
