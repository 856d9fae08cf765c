"""Chapter 08 (designing losses): lossviz.design against closed forms, SciPy and scikit-learn.

One behaviour per test. The expensive experiments (segmentation, multi-task, PGD) run once
per module in fixtures.
"""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pytest
from scipy import optimize, special, stats

from lossviz import design as D
from lossviz import losses
from lossviz.models import MLP, LogisticRegression


def central_difference(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:  # type: ignore[no-untyped-def]
    """An independent finite-difference gradient (not lossviz.design.check_gradient)."""
    x = np.array(x, dtype=float)
    g = np.empty_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


def test_the_docstring_examples_run() -> None:
    result = doctest.testmod(D, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


# ======================================================================================
# 1. Cost-sensitive and asymmetric losses
# ======================================================================================


def test_cost_weighted_bce_is_a_per_example_weighted_bce_with_logits() -> None:
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=50) < 0.3).astype(float)
    f = rng.normal(0, 3, 50)
    weight = 5.0 * y + 1.0 * (1 - y)  # torch's weight= argument
    expected = weight * losses.bce_with_logits(y, f, reduction="none")
    got = D.cost_weighted_bce(y, f, cost_fn=5.0, cost_fp=1.0, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)
    assert D.cost_weighted_bce(y, f, cost_fn=5.0, cost_fp=1.0) == pytest.approx(expected.mean())
    assert D.cost_weighted_bce(y, f, cost_fn=5.0, cost_fp=1.0, reduction="sum") == (
        pytest.approx(expected.sum())
    )


def test_cost_weighted_bce_sum_is_sklearns_weighted_log_loss() -> None:
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(1)
    y = (rng.uniform(size=40) < 0.5).astype(float)
    f = rng.normal(0, 2, 40)
    w = np.where(y == 1, 3.0, 0.5)
    ref = log_loss(y, special.expit(f), sample_weight=w, normalize=False, labels=[0, 1])
    assert D.cost_weighted_bce(y, f, cost_fn=3.0, cost_fp=0.5, reduction="sum") == (
        pytest.approx(ref, rel=1e-10)
    )


def test_cost_weighted_bce_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(2)
    y = (rng.uniform(size=8) < 0.5).astype(float)
    f = rng.normal(0, 2, 8)
    kw = {"cost_fn": 4.0, "cost_fp": 0.7}
    numeric = central_difference(lambda z: D.cost_weighted_bce(y, z, **kw), f)
    np.testing.assert_allclose(D.cost_weighted_bce_grad(y, f, **kw), numeric, rtol=1e-7, atol=1e-10)


def test_cost_weighted_bce_is_finite_and_exact_at_extreme_logits() -> None:
    y = np.array([1.0, 0.0, 1.0, 0.0])
    f = np.array([-1e4, 1e4, 1e4, -1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = D.cost_weighted_bce(y, f, cost_fn=2.0, cost_fp=3.0, reduction="none")
        grad = D.cost_weighted_bce_grad(y, f, cost_fn=2.0, cost_fp=3.0, reduction="none")
    np.testing.assert_allclose(values, [2e4, 3e4, 0.0, 0.0])
    np.testing.assert_allclose(grad, [-2.0, 3.0, 0.0, 0.0])


@pytest.mark.parametrize(("cost_fn", "cost_fp"), [(5.0, 1.0), (1.0, 1.0), (1.0, 4.0)])
@pytest.mark.parametrize("q", [0.05, 0.3, 0.8])
def test_weighted_bce_minimizer_minimises_the_expected_loss(cost_fn, cost_fp, q) -> None:  # type: ignore[no-untyped-def]
    def expected(f: float) -> float:
        return q * D.cost_weighted_bce([1.0], [f], cost_fn=cost_fn, cost_fp=cost_fp) + (
            1 - q
        ) * D.cost_weighted_bce([0.0], [f], cost_fn=cost_fn, cost_fp=cost_fp)

    f_star = optimize.minimize_scalar(
        expected, bounds=(-30, 30), method="bounded", options={"xatol": 1e-10}
    ).x
    assert special.expit(f_star) == pytest.approx(
        float(D.weighted_bce_minimizer(q, cost_fn, cost_fp)), abs=1e-7
    )


def test_the_weighted_minimizer_crosses_one_half_at_the_bayes_threshold() -> None:
    from lossviz.metrics import bayes_threshold

    t = bayes_threshold(cost_fn=5.0, cost_fp=1.0)
    assert float(D.weighted_bce_minimizer(t, 5.0, 1.0)) == pytest.approx(0.5, abs=1e-15)
    assert (
        D.weighted_bce_minimizer(t - 0.01, 5.0, 1.0)
        < 0.5
        < D.weighted_bce_minimizer(t + 0.01, 5.0, 1.0)
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cost_fn": -1.0}, "cost_fn must lie in"),
        ({"cost_fn": 0.0, "cost_fp": 0.0}, "both be 0"),
        ({"reduction": "avg"}, "reduction must be"),
    ],
)
def test_cost_weighted_bce_refuses_bad_hyperparameters(kwargs, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=match):
        D.cost_weighted_bce([1.0, 0.0], [0.0, 0.0], **kwargs)


def test_cost_weighted_bce_refuses_non_binary_labels_and_broadcasting() -> None:
    with pytest.raises(ValueError, match="binary labels"):
        D.cost_weighted_bce([1.0, 0.5], [0.0, 0.0])
    with pytest.raises(ValueError, match="same shape"):
        D.cost_weighted_bce(np.ones(3), np.zeros((3, 1)))


def test_asymmetric_linear_is_a_scaled_pinball_loss() -> None:
    from sklearn.metrics import mean_pinball_loss

    rng = np.random.default_rng(3)
    y, yhat = rng.normal(size=30), rng.normal(size=30)
    got = D.asymmetric_linear(y, yhat, cost_under=3.0, cost_over=1.0)
    assert got == pytest.approx(4.0 * losses.pinball(y, yhat, quantile=0.75), rel=1e-13)
    assert got == pytest.approx(4.0 * mean_pinball_loss(y, yhat, alpha=0.75), rel=1e-13)
    np.testing.assert_allclose(
        D.asymmetric_linear_grad(y, yhat, cost_under=3.0, cost_over=1.0),
        4.0 * losses.pinball_grad(y, yhat, quantile=0.75),
        rtol=1e-14,
    )


def test_asymmetric_linear_gradient_matches_finite_differences_away_from_the_kink() -> None:
    y = np.array([1.0, 2.0, -1.0, 0.5])
    yhat = np.array([1.5, 1.0, -1.2, 3.0])
    kw = {"cost_under": 2.5, "cost_over": 0.5}
    numeric = central_difference(lambda z: D.asymmetric_linear(y, z, **kw), yhat)
    np.testing.assert_allclose(D.asymmetric_linear_grad(y, yhat, **kw), numeric, rtol=1e-8)


@pytest.fixture(scope="module")
def bayes() -> D.BayesDecisionCheck:
    return D.bayes_decision_check(cost_fn=5.0, cost_fp=1.0)


def test_the_pointwise_and_population_decisions_recover_the_bayes_threshold(bayes) -> None:  # type: ignore[no-untyped-def]
    assert bayes.threshold == pytest.approx(1 / 6)
    assert abs(bayes.pointwise_threshold - bayes.threshold) <= 1e-4
    assert abs(bayes.grid_threshold - bayes.threshold) <= 1e-3
    assert bayes.risk_at_threshold < bayes.risk_at_half - 0.1


def test_the_empirical_cost_is_minimised_near_the_bayes_threshold(bayes) -> None:  # type: ignore[no-untyped-def]
    assert abs(bayes.empirical_threshold - bayes.threshold) < 0.05
    assert bayes.empirical_cost_at_threshold - bayes.empirical_cost_min < 0.005


def test_training_with_the_weighted_loss_moves_the_boundary_to_the_bayes_threshold(bayes) -> None:  # type: ignore[no-untyped-def]
    # the true logit is 2x - 0.5; the weighted fit shifts the intercept by log(c_FN / c_FP)
    assert bayes.weighted_slope == pytest.approx(2.0, abs=0.15)
    assert bayes.weighted_intercept == pytest.approx(-0.5 + np.log(5.0), abs=0.15)
    assert bayes.weighted_boundary == pytest.approx(bayes.bayes_boundary, abs=0.05)


def test_equal_costs_give_the_usual_threshold_of_one_half() -> None:
    check = D.bayes_decision_check(cost_fn=1.0, cost_fp=1.0, n=2000)
    assert check.threshold == 0.5 and abs(check.grid_threshold - 0.5) <= 1e-3
    assert check.risk_at_threshold == pytest.approx(check.risk_at_half)


def test_the_best_constant_under_the_lin_lin_loss_is_the_tau_quantile() -> None:
    check = D.asymmetric_regression_check(cost_under=3.0, cost_over=1.0)
    y = np.sort(np.random.default_rng(0).gamma(2.0, 10.0, 5000))
    k = int(np.ceil(0.75 * y.size))  # the minimisers are the points between y_(k) and y_(k+1)
    assert check.tau == 0.75
    assert y[k - 1] - 1e-6 <= check.numeric <= y[k] + 1e-6
    assert check.sample_quantile == y[k - 1]
    assert abs(check.grid - check.sample_quantile) <= 0.01
    assert check.analytic == pytest.approx(stats.gamma.ppf(0.75, 2.0, scale=10.0))
    assert abs(check.sample_quantile - check.analytic) < 1.5  # about 4 standard errors
    assert check.loss_at_mean > check.loss_at_numeric


# ======================================================================================
# 2. Dice against BCE
# ======================================================================================


def test_segmentation_data_has_a_rare_foreground_and_is_seeded() -> None:
    data = D.segmentation_data(40, seed=3)
    shares = data.masks.mean(axis=(1, 2))
    assert data.images.shape == data.masks.shape == (40, 24, 24)
    assert data.features.shape == (40, 24, 24, 3)
    assert 0.03 < data.foreground_share < 0.055 and shares.min() > 0.01 and shares.max() < 0.08
    again = D.segmentation_data(40, seed=3)
    np.testing.assert_array_equal(again.images, data.images)


def test_pixel_features_are_the_intensity_and_its_3x3_and_5x5_means() -> None:
    images = np.random.default_rng(0).normal(size=(2, 12, 12))
    F = D.pixel_features(images)
    np.testing.assert_array_equal(F[..., 0], images)
    assert F[0, 5, 5, 1] == pytest.approx(images[0, 4:7, 4:7].mean())
    assert F[1, 6, 4, 2] == pytest.approx(images[1, 4:9, 2:7].mean())


@pytest.mark.parametrize("loss", ["bce", "dice"])
def test_pixel_objective_gradient_matches_finite_differences(loss) -> None:  # type: ignore[no-untyped-def]
    """The chain rule through the sigmoid (and Dice's gradient) reaches w and b correctly."""
    data = D.segmentation_data(4, seed=5)
    theta = np.array([0.4, 1.5, 3.0, -3.0])

    def value(t: np.ndarray) -> float:
        return D.pixel_objective(t[:3], float(t[3]), data.features, data.masks, loss)[0]

    _, grad_w, grad_b = D.pixel_objective(
        theta[:3], float(theta[3]), data.features, data.masks, loss
    )
    np.testing.assert_allclose(
        np.r_[grad_w, grad_b], central_difference(value, theta), rtol=1e-6, atol=1e-10
    )


def test_pixel_objective_is_the_registered_losses() -> None:
    data = D.segmentation_data(3, seed=6)
    w, b = np.array([0.3, 1.0, 2.0]), -2.5
    f = data.features @ w + b
    bce, _, _ = D.pixel_objective(w, b, data.features, data.masks, "bce")
    dice, _, _ = D.pixel_objective(w, b, data.features, data.masks, "dice")
    assert bce == pytest.approx(losses.bce_with_logits(data.masks.ravel(), f.ravel()), rel=1e-12)
    assert dice == pytest.approx(losses.dice(data.masks, special.expit(f)), rel=1e-12)


@pytest.fixture(scope="module")
def segmentation() -> D.DiceVsBCE:
    return D.dice_vs_bce()


def test_the_bce_pixel_model_is_sklearns_logistic_regression(segmentation) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression as SkLogistic

    X = segmentation.train.features.reshape(-1, 3)
    y = segmentation.train.masks.ravel()
    ref = SkLogistic(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(segmentation.bce.w, ref.coef_[0], rtol=1e-4)
    assert segmentation.bce.b == pytest.approx(ref.intercept_[0], rel=1e-4)


def test_bce_is_calibrated_in_the_large_on_the_training_images(segmentation) -> None:  # type: ignore[no-untyped-def]
    p = segmentation.bce.predict_proba(segmentation.train.features)
    assert p.mean() == pytest.approx(segmentation.train.foreground_share, abs=1e-6)


def test_bce_at_one_half_under_segments_the_rare_class(segmentation) -> None:  # type: ignore[no-untyped-def]
    bce = segmentation.bce_scores
    assert bce.predicted_share < 0.7 * bce.true_share
    assert bce.precision > 0.75 and bce.recall < 0.55


def test_dice_predicts_a_foreground_close_to_the_true_share_and_scores_higher(segmentation) -> None:  # type: ignore[no-untyped-def]
    bce, dice = segmentation.bce_scores, segmentation.dice_scores
    assert abs(dice.predicted_share - dice.true_share) < 0.2 * dice.true_share
    assert dice.recall > bce.recall + 0.1 and dice.precision < bce.precision
    assert dice.dice > bce.dice + 0.02 and dice.iou > bce.iou + 0.02
    assert dice.mean_image_dice > bce.mean_image_dice


def test_soft_dice_hardens_the_probabilities(segmentation) -> None:  # type: ignore[no-untyped-def]
    assert segmentation.dice_scores.uncertain_share < 0.5 * segmentation.bce_scores.uncertain_share
    assert np.all(np.abs(segmentation.dice.w) > np.abs(segmentation.bce.w))


def test_a_lower_threshold_recovers_most_of_dices_advantage(segmentation) -> None:  # type: ignore[no-untyped-def]
    assert segmentation.bce_tuned_threshold < 0.5
    tuned = segmentation.bce_tuned_scores
    assert tuned.dice > segmentation.bce_scores.dice + 0.02
    assert abs(tuned.dice - segmentation.dice_scores.dice) < 0.02


def test_the_training_loss_falls(segmentation) -> None:  # type: ignore[no-untyped-def]
    for model in (segmentation.bce, segmentation.dice):
        assert model.history[-1] < 0.5 * model.history[0]
        assert np.all(np.diff(model.history[100:]) <= 1e-12)


def test_segmentation_scores_agree_with_sklearn() -> None:
    from sklearn.metrics import f1_score, jaccard_score, precision_score, recall_score

    rng = np.random.default_rng(0)
    masks = (rng.uniform(size=(5, 6, 6)) < 0.2).astype(float)
    probs = np.clip(masks * 0.6 + rng.uniform(0, 0.5, masks.shape), 0, 1)
    s = D.segmentation_scores(masks, probs, threshold=0.5)
    y, pred = masks.ravel(), (probs.ravel() >= 0.5)
    assert s.dice == pytest.approx(f1_score(y, pred))
    assert s.iou == pytest.approx(jaccard_score(y, pred))
    assert s.precision == pytest.approx(precision_score(y, pred))
    assert s.recall == pytest.approx(recall_score(y, pred))


def test_train_pixel_classifier_refuses_bad_input() -> None:
    data = D.segmentation_data(2, seed=0)
    with pytest.raises(ValueError, match="loss must be"):
        D.train_pixel_classifier(data.features, data.masks, "focal")
    with pytest.raises(ValueError, match="features must have shape"):
        D.train_pixel_classifier(data.features[:1], data.masks)
    with pytest.raises(ValueError, match="binary labels"):
        D.train_pixel_classifier(data.features, data.masks * 0.5)


# ======================================================================================
# 3. KL divergence and the ELBO
# ======================================================================================


@pytest.mark.parametrize(
    ("m1", "s1", "m2", "s2"), [(0.0, 1.0, 1.0, 2.0), (-2.0, 0.3, 1.5, 1.0), (3.0, 4.0, 3.0, 0.5)]
)
def test_kl_gaussians_closed_form_is_the_integral(m1, s1, m2, s2) -> None:  # type: ignore[no-untyped-def]
    quad = D.kl_quad(stats.norm(m1, s1).logpdf, stats.norm(m2, s2).logpdf)
    assert D.kl_gaussians(m1, s1, m2, s2) == pytest.approx(quad, rel=1e-9, abs=1e-12)


def test_kl_gaussians_is_zero_only_for_equal_gaussians_and_asymmetric() -> None:
    assert D.kl_gaussians(0.5, 2.0, 0.5, 2.0) == 0.0
    forward, backward = D.kl_gaussians(0.0, 1.0, 1.0, 2.0), D.kl_gaussians(1.0, 2.0, 0.0, 1.0)
    assert forward == pytest.approx(np.log(2) + 2 / 8 - 0.5)
    assert backward == pytest.approx(-np.log(2) + 5 / 2 - 0.5)
    assert backward > 2.5 * forward


def test_kl_gaussians_refuses_a_non_positive_sigma() -> None:
    with pytest.raises(ValueError, match="sigma2 must be > 0"):
        D.kl_gaussians(0.0, 1.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("separation", "weight", "mu", "sigma"),
    [(6.0, 0.7, -1.0, 2.5), (8.0, 0.3, 4.0, 1.0), (2.0, 0.5, 0.5, 0.7), (0.0, 0.4, 1.0, 3.0)],
)
def test_both_kl_directions_agree_with_quad(separation, weight, mu, sigma) -> None:  # type: ignore[no-untyped-def]
    p = D.bimodal_mixture(separation, weight)
    q = stats.norm(mu, sigma)
    points = sorted({-separation / 2, separation / 2, mu})
    forward = D.kl_quad(p.logpdf, q.logpdf, -40, 40, points=points)
    reverse = D.kl_quad(q.logpdf, p.logpdf, -40, 40, points=points)
    assert D.kl_forward(p, mu, sigma) == pytest.approx(forward, rel=1e-10, abs=1e-13)
    assert D.kl_reverse(p, mu, sigma) == pytest.approx(reverse, rel=1e-10, abs=1e-13)


def test_mixture_density_and_derivatives() -> None:
    p = D.bimodal_mixture(5.0, 0.3, sigma=0.8)
    x = np.linspace(-6, 6, 13)
    ref = 0.3 * stats.norm.pdf(x, -2.5, 0.8) + 0.7 * stats.norm.pdf(x, 2.5, 0.8)
    np.testing.assert_allclose(p.pdf(x), ref, rtol=1e-13)
    _, d1, d2 = p.log_derivatives(x)
    np.testing.assert_allclose(
        d1, (p.logpdf(x + 1e-6) - p.logpdf(x - 1e-6)) / 2e-6, rtol=1e-6, atol=1e-8
    )
    _, d1_up, _ = p.log_derivatives(x + 1e-6)
    _, d1_down, _ = p.log_derivatives(x - 1e-6)
    np.testing.assert_allclose(d2, (d1_up - d1_down) / 2e-6, rtol=1e-6, atol=1e-7)
    assert p.mean == pytest.approx(0.3 * -2.5 + 0.7 * 2.5)
    assert p.var == pytest.approx(0.64 + 6.25 - p.mean**2)


def test_the_forward_fit_matches_moments_and_minimises_kl_p_q() -> None:
    p = D.bimodal_mixture(6.0, 0.7)
    fit = D.fit_forward_kl(p)
    assert (fit.mu, fit.sigma) == (pytest.approx(-1.2), pytest.approx(np.sqrt(9 + 1 - 1.44)))
    res = optimize.minimize(
        lambda t: D.kl_forward(p, t[0], np.exp(t[1])),
        [2.0, 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-13},
    )
    assert res.x[0] == pytest.approx(fit.mu, abs=1e-5)
    assert np.exp(res.x[1]) == pytest.approx(fit.sigma, abs=1e-5)


def test_the_reverse_fit_seeks_the_heavier_mode() -> None:
    p = D.bimodal_mixture(6.0, 0.7)
    fit = D.fit_reverse_kl(p)
    assert fit.mu == pytest.approx(-3.0, abs=0.02) and fit.sigma == pytest.approx(1.0, abs=0.02)
    forward = D.fit_forward_kl(p)
    assert fit.kl_qp < forward.kl_qp and forward.kl_pq < fit.kl_pq  # each wins its own game


def test_the_reverse_fit_is_a_stationary_point_that_nelder_mead_agrees_with() -> None:
    p = D.bimodal_mixture(6.0, 0.3)
    for fit in D.reverse_kl_optima(p):
        grad = central_difference(
            lambda t: D.kl_reverse(p, t[0], t[1]), np.array([fit.mu, fit.sigma]), eps=1e-5
        )
        assert np.max(np.abs(grad)) < 1e-7
        res = optimize.minimize(
            lambda t: D.kl_reverse(p, t[0], np.exp(t[1])),
            [fit.mu + 0.3, np.log(fit.sigma) + 0.2],
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-14},
        )
        assert res.x[0] == pytest.approx(fit.mu, abs=1e-5)
        assert res.fun == pytest.approx(fit.kl_qp, abs=1e-11)


def test_separated_modes_give_two_local_minima_close_modes_one() -> None:
    far = D.reverse_kl_optima(D.bimodal_mixture(6.0, 0.7))
    near = D.reverse_kl_optima(D.bimodal_mixture(2.0, 0.7))
    assert len(far) == 2 and far[0].kl_qp < far[1].kl_qp
    assert far[1].mu == pytest.approx(3.0, abs=0.05)
    assert len(near) == 1
    forward = D.fit_forward_kl(D.bimodal_mixture(2.0, 0.7))
    assert near[0].mu == pytest.approx(forward.mu, abs=0.05)  # close modes: the fits meet


def test_a_single_gaussian_p_is_fitted_exactly_by_both() -> None:
    p = D.bimodal_mixture(0.0, 0.4)
    for fit in (D.fit_forward_kl(p), D.fit_reverse_kl(p)):
        assert fit.mu == pytest.approx(0.0, abs=1e-9) and fit.sigma == pytest.approx(1.0)
        assert fit.kl_pq == pytest.approx(0.0, abs=1e-12)
        assert fit.kl_qp == pytest.approx(0.0, abs=1e-12)


@pytest.fixture(scope="module")
def elbo() -> D.ELBOCheck:
    return D.elbo_check()


def test_log_evidence_is_scipys_multivariate_normal(elbo) -> None:  # type: ignore[no-untyped-def]
    assert elbo.log_evidence == pytest.approx(elbo.log_evidence_scipy, rel=1e-12)


def test_the_posterior_is_the_conjugate_update(elbo) -> None:  # type: ignore[no-untyped-def]
    x = np.array(elbo.x)
    var = 1 / (1 / 4 + x.size / 1)
    assert elbo.posterior_sigma == pytest.approx(np.sqrt(var))
    assert elbo.posterior_mu == pytest.approx(var * x.sum())


def test_maximising_the_elbo_recovers_the_posterior_and_the_evidence(elbo) -> None:  # type: ignore[no-untyped-def]
    assert elbo.fitted_mu == pytest.approx(elbo.posterior_mu, abs=1e-6)
    assert elbo.fitted_sigma == pytest.approx(elbo.posterior_sigma, abs=1e-6)
    assert elbo.elbo_at_posterior == pytest.approx(elbo.log_evidence, abs=1e-12)
    assert elbo.elbo_mc_at_posterior == pytest.approx(elbo.log_evidence, abs=1e-12)
    assert elbo.elbo_mc_at_posterior_se < 1e-12


def test_monte_carlo_elbo_agrees_with_the_closed_form_within_its_error(elbo) -> None:  # type: ignore[no-untyped-def]
    assert abs(elbo.elbo_mc_at_prior - elbo.elbo_at_prior) < 4 * elbo.elbo_mc_at_prior_se
    assert elbo.kl_prior_to_posterior == pytest.approx(
        D.kl_gaussians(0.0, 2.0, elbo.posterior_mu, elbo.posterior_sigma), rel=1e-12
    )


def test_elbo_is_the_evidence_minus_the_kl_to_the_posterior(elbo) -> None:  # type: ignore[no-untyped-def]
    x = np.array(elbo.x)
    for m, s in [(0.0, 1.0), (2.0, 0.1), (-1.0, 3.0)]:
        gap = elbo.log_evidence - D.elbo_gaussian(x, m, s)
        assert gap > 0
        assert gap == pytest.approx(
            D.kl_gaussians(m, s, elbo.posterior_mu, elbo.posterior_sigma), rel=1e-11
        )


# ======================================================================================
# 4. Multi-task weighting
# ======================================================================================


def test_uncertainty_weighted_loss_gradient_and_optimum() -> None:
    L = np.array([0.3, 5.0])
    s = np.array([0.2, -0.4])
    out = D.uncertainty_weighted_loss(L, s)
    assert out.value == pytest.approx(np.sum(L / (2 * np.exp(2 * s)) + s))
    numeric_s = central_difference(lambda v: D.uncertainty_weighted_loss(L, v).value, s)
    numeric_L = central_difference(lambda v: D.uncertainty_weighted_loss(v, s).value, L)
    np.testing.assert_allclose(out.grad_log_sigma, numeric_s, rtol=1e-8)
    np.testing.assert_allclose(out.weights, numeric_L, rtol=1e-8)
    at_optimum = D.uncertainty_weighted_loss(L, 0.5 * np.log(L))  # σ² = L
    np.testing.assert_allclose(at_optimum.grad_log_sigma, 0.0, atol=1e-15)


def test_uncertainty_weighting_is_libmtls_form() -> None:
    """LibMTL UW: L/(2 e^s) + s/2 with s = log σ² — the same function of σ."""
    L, log_sigma = np.array([0.7, 2.0]), np.array([0.1, 0.8])
    s = 2 * log_sigma
    assert D.uncertainty_weighted_loss(L, log_sigma).value == pytest.approx(
        np.sum(L / (2 * np.exp(s)) + s / 2)
    )


@pytest.fixture(scope="module")
def multitask() -> dict[str, D.MultiTaskRun]:
    return {w: D.train_multitask(w) for w in ("equal", "uncertainty")}


def test_learned_sigmas_recover_the_noise_levels(multitask) -> None:  # type: ignore[no-untyped-def]
    run = multitask["uncertainty"]
    np.testing.assert_allclose(run.sigma, [0.5, 2.0], rtol=0.05)
    # at convergence each σ_k² is the task's training MSE (the stationary point)
    np.testing.assert_allclose(run.sigma**2, run.train_mse, rtol=0.02)
    np.testing.assert_array_equal(multitask["equal"].sigma, [1.0, 1.0])


def test_uncertainty_weighting_helps_the_clean_task(multitask) -> None:  # type: ignore[no-untyped-def]
    equal, uw = multitask["equal"], multitask["uncertainty"]
    assert uw.test_excess_mse[0] < 0.7 * equal.test_excess_mse[0]
    assert uw.test_mse[0] < equal.test_mse[0]
    # the noisy task is neither helped nor hurt by much
    assert abs(uw.test_mse[1] - equal.test_mse[1]) < 0.05 * equal.test_mse[1]


def test_test_mse_is_noise_plus_excess(multitask) -> None:  # type: ignore[no-untyped-def]
    for run in multitask.values():
        np.testing.assert_allclose(
            run.test_mse, np.array([0.25, 4.0]) + run.test_excess_mse, rtol=0.06
        )


def test_train_multitask_refuses_an_unknown_weighting() -> None:
    with pytest.raises(ValueError, match="weighting must be"):
        D.train_multitask("gradnorm")


# ======================================================================================
# 5. Adversarial training
# ======================================================================================


def _mlp() -> MLP:
    return MLP(2, (5,), 1, seed=3)


def test_input_gradient_matches_finite_differences() -> None:
    X = np.random.default_rng(0).normal(size=(4, 2))
    for model in (_mlp(), MLP(2, (4, 3), 1, seed=1, activation="tanh")):
        numeric = np.array(
            [central_difference(lambda v, m=model: float(m.forward(v[None])[0]), x) for x in X]
        )
        np.testing.assert_allclose(D.input_gradient(model, X), numeric, rtol=1e-7, atol=1e-10)
    logistic = LogisticRegression(2)
    logistic.params["w"][:] = [1.5, -0.5]
    np.testing.assert_array_equal(D.input_gradient(logistic, X), np.tile([1.5, -0.5], (4, 1)))


def test_pgd_stays_in_the_box_and_eps_zero_changes_nothing() -> None:
    from lossviz.data import two_moons

    X, y = two_moons(50, seed=0)
    model = _mlp()
    delta = D.pgd_attack(model, X, y, eps=0.1)
    assert np.max(np.abs(delta)) <= 0.1 + 1e-15
    np.testing.assert_array_equal(D.pgd_attack(model, X, y, eps=0.0), 0.0)


def test_pgd_raises_the_loss_more_than_random_noise() -> None:
    from lossviz.data import two_moons

    X, y = two_moons(100, seed=0)
    model = _mlp()
    D.adversarial_training(model, X, y, eps=0.0, epochs=200)
    delta = D.pgd_attack(model, X, y, eps=0.2)
    noise = np.random.default_rng(0).choice([-0.2, 0.2], size=X.shape)
    clean = losses.bce_with_logits(y, model.forward(X))
    attacked = losses.bce_with_logits(y, model.forward(X + delta))
    assert attacked > losses.bce_with_logits(y, model.forward(X + noise)) > 0.5 * clean
    assert attacked > clean + 0.1


def test_pgd_reaches_the_closed_form_worst_case_of_a_linear_model() -> None:
    from lossviz.data import two_moons

    X, y = two_moons(80, seed=2)
    model = LogisticRegression(2)
    model.params["w"][:] = [0.8, -1.7]
    model.params["b"][...] = 0.3
    for eps in (0.05, 0.2, 0.5):
        delta = D.pgd_attack(model, X, y, eps=eps, steps=20)
        margin = (2 * y - 1) * model.forward(X + delta)
        np.testing.assert_allclose(
            margin, D.robust_margin_linear(model, X, y, eps), rtol=0, atol=1e-12
        )
        # ... which is the minimum over the four corners of the box (a linear function)
        corners = np.array([[a, b] for a in (-eps, eps) for b in (-eps, eps)])
        brute = np.min([(2 * y - 1) * model.forward(X + c) for c in corners], axis=0)
        np.testing.assert_allclose(margin, brute, atol=1e-12)


@pytest.fixture(scope="module")
def pgd() -> D.PGDExperiment:
    return D.pgd_experiment()


def test_pgd_experiment_linear_gap_is_rounding(pgd) -> None:  # type: ignore[no-untyped-def]
    assert pgd.linear_gap < 1e-12


def test_robust_accuracy_falls_with_eps(pgd) -> None:  # type: ignore[no-untyped-def]
    for name, acc in pgd.accuracy.items():
        assert np.all(np.diff(acc) <= 1e-12), name
    assert pgd.accuracy["mlp"][0] > 0.97 and pgd.accuracy["logistic"][0] < 0.9


def test_adversarial_training_makes_the_mlp_more_robust(pgd) -> None:  # type: ignore[no-untyped-def]
    grid = list(np.round(pgd.eps_grid, 2))
    std, adv = pgd.accuracy["mlp"], pgd.accuracy["mlp_adversarial"]
    for eps in (0.2, 0.25, 0.3):
        i = grid.index(eps)
        assert adv[i] > std[i] + 0.1
    assert adv[0] >= std[0] - 0.01  # without losing clean accuracy here


def test_pgd_table_lists_every_model(pgd) -> None:  # type: ignore[no-untyped-def]
    table = pgd.table()
    for name in ("logistic", "logistic_adversarial", "mlp", "mlp_adversarial"):
        assert name in table
    assert f"{pgd.accuracy['mlp'][-1]:.3f}" in table


def test_pgd_refuses_a_multiclass_model_and_bad_eps() -> None:
    X, y = np.zeros((3, 2)), np.array([0.0, 1.0, 0.0])
    with pytest.raises(TypeError, match="n_outputs=1"):
        D.pgd_attack(MLP(2, (3,), 3), X, y, eps=0.1)
    with pytest.raises(ValueError, match="eps must lie in"):
        D.pgd_attack(_mlp(), X, y, eps=-0.1)
    with pytest.raises(ValueError, match="X must have shape"):
        D.pgd_attack(_mlp(), np.zeros((3, 3)), y, eps=0.1)


# ======================================================================================
# 6. The checklist
# ======================================================================================


def test_check_gradient_accepts_a_right_gradient() -> None:
    y, yhat = np.array([1.0, 2.0, 0.5]), np.array([0.0, 2.5, 3.0])
    check = D.check_gradient(losses.mse, losses.mse_grad, y, yhat)
    assert check.passed and check.max_abs_error < 1e-8 and check.max_rel_error < 1e-7
    assert str(check).startswith("✓ gradient matches")
    check = D.check_gradient(losses.huber, losses.huber_grad, y, yhat, params={"delta": 0.7})
    assert check.passed


def test_check_gradient_flags_a_forgotten_average() -> None:
    y, yhat = np.array([1.0, 2.0, 0.5]), np.array([0.0, 2.5, 3.0])
    check = D.check_gradient(losses.mse, lambda t, p: 2 * (p - t), y, yhat)
    assert not check.passed
    assert "too large by a factor 3: did you forget to average?" in str(check)
    np.testing.assert_allclose(check.numerical, losses.mse_grad(y, yhat), rtol=1e-7)


def test_check_gradient_flags_a_sign_error() -> None:
    y, yhat = np.array([1.0, 2.0]), np.array([0.0, 2.5])
    check = D.check_gradient(losses.mse, lambda t, p: -losses.mse_grad(t, p), y, yhat)
    assert not check.passed and "the sign is flipped" in str(check)


def test_check_gradient_points_at_the_wrong_entry() -> None:
    y, yhat = np.zeros((2, 3)), np.arange(6.0).reshape(2, 3) + 1

    def grad(t, p):  # type: ignore[no-untyped-def]
        g = losses.mse_grad(t, p)
        g[1, 0] += 0.01
        return g

    check = D.check_gradient(losses.mse, grad, y, yhat)
    assert not check.passed and check.worst_index == (1, 0)
    assert check.max_abs_error == pytest.approx(0.01, rel=1e-5)
    assert "at index (1, 0)" in str(check)


def test_check_gradient_explains_shape_and_scalar_mistakes() -> None:
    y, yhat = np.array([1.0, 2.0]), np.array([0.0, 2.5])
    with pytest.raises(
        ValueError, match=r"grad_fn must return an array the shape of y_pred \(2,\)"
    ):
        D.check_gradient(losses.mse, lambda t, p: np.zeros(3), y, yhat)
    with pytest.raises(ValueError, match="loss_fn must return a scalar"):
        D.check_gradient(lambda t, p: (p - t) ** 2, losses.mse_grad, y, yhat)
    with pytest.raises(ValueError, match="eps must be > 0"):
        D.check_gradient(losses.mse, losses.mse_grad, y, yhat, eps=0.0)


def test_checklist_passes_for_a_registered_loss() -> None:
    y = np.array([1.0, -2.0, 0.5, 3.0])
    yhat = np.array([0.5, -1.0, 2.0, 2.0])
    result = D.loss_checklist(losses.huber, losses.huber_grad, y_true=y, y_pred=yhat, perfect=y)
    assert result.passed, str(result)
    assert all(item.passed for item in result.items)
    assert len(str(result).splitlines()) == 7


def test_checklist_on_a_classification_loss_skips_the_perfect_prediction() -> None:
    y = np.array([1.0, 0.0, 1.0])
    f = np.array([0.3, -1.2, 2.0])
    result = D.loss_checklist(
        losses.bce_with_logits, losses.bce_with_logits_grad, y_true=y, y_pred=f
    )
    assert result.passed
    assert result["minimum at a perfect prediction"].passed is None


def test_checklist_on_dice_with_probabilities_at_the_edges() -> None:
    rng = np.random.default_rng(0)
    g = (rng.uniform(size=(3, 8)) < 0.4).astype(float)
    g[:, 0] = 1.0
    p = np.clip(g * 0.7 + rng.uniform(0, 0.3, g.shape), 0, 1)
    result = D.loss_checklist(
        losses.dice,
        losses.dice_grad,
        y_true=g,
        y_pred=p,
        perfect=g,
        extreme=[np.zeros_like(p), np.ones_like(p), g],
    )
    assert result.passed, str(result)


def test_checklist_catches_a_naive_log_sigmoid_loss() -> None:
    def naive_bce(y, f):  # type: ignore[no-untyped-def]
        p = 1 / (1 + np.exp(-f))
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def naive_grad(y, f):  # type: ignore[no-untyped-def]
        return (1 / (1 + np.exp(-f)) - y) / np.size(y)

    result = D.loss_checklist(
        naive_bce, naive_grad, y_true=np.array([1.0, 0.0]), y_pred=np.array([0.5, -0.3])
    )
    assert result["gradient"].passed is True
    assert result["extreme inputs"].passed is False
    assert result["reduction"].passed is None  # no reduction argument
    assert result["refuses bad input"].passed is False  # NaN goes through silently
    assert not result.passed


def test_checklist_catches_a_wrong_gradient_and_a_wrong_minimum() -> None:
    def shifted(y, yhat, reduction="mean"):  # type: ignore[no-untyped-def]
        return losses.mse(y, np.asarray(yhat) - 1.0, reduction=reduction)

    y = np.array([1.0, 2.0, 3.0])
    result = D.loss_checklist(shifted, losses.mse_grad, y_true=y, y_pred=y + 0.5, perfect=y)
    assert result["minimum at a perfect prediction"].passed is False
    assert result["gradient"].passed is False
    assert result["reduction"].passed and result["refuses bad input"].passed


def test_checklist_catches_a_negative_loss_and_a_wrong_mean() -> None:
    def signed(y, yhat, reduction="mean"):  # type: ignore[no-untyped-def]
        r = np.asarray(yhat, float) - np.asarray(y, float)
        if np.any(np.isnan(r)) or np.shape(y) != np.shape(yhat):
            raise ValueError("bad input")
        return {"none": r, "sum": float(r.sum()), "mean": float(r.sum() / 2)}[reduction]

    result = D.loss_checklist(signed, None, y_true=np.zeros(4), y_pred=np.arange(4.0))
    assert result["non-negative"].passed is False
    assert result["reduction"].passed is False  # 'mean' does not average
    assert result["gradient"].passed is None
    assert result["refuses bad input"].passed is True
