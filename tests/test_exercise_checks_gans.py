"""The chapter-05 checks: a correct answer passes, a stub is "not implemented yet", and each
common mistake gets its own hint; and the real-vs-fake digits of ``lossviz.data``.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from check_support import passes, run, stub
from scipy.special import expit
from scipy.stats import norm
from sklearn.datasets import load_digits

from lossviz import data
from lossviz.exercises import NOT_IMPLEMENTED
from lossviz.exercises import gans as G
from lossviz.gan import TinyMLP, wgan_gp_critic_loss

# --------------------------------------------------------------------------------------
# Reference solutions (tests only; the chapter's solution cells use the same code)
# --------------------------------------------------------------------------------------


def discriminator_loss(f_real, f_fake):  # type: ignore[no-untyped-def]
    # −log σ(f) = log(1 + e^(−f)) and −log(1 − σ(f)) = log(1 + e^f), without overflow
    return float(np.mean(np.logaddexp(0, -f_real)) + np.mean(np.logaddexp(0, f_fake)))


def generator_loss_nonsaturating(f_fake):  # type: ignore[no-untyped-def]
    return float(np.mean(np.logaddexp(0, -f_fake)))  # −mean log σ(f)


def generator_loss_minimax(f_fake):  # type: ignore[no-untyped-def]
    return float(-np.mean(np.logaddexp(0, f_fake)))  # mean log(1 − σ(f))


def d_star(x):  # type: ignore[no-untyped-def]
    log_p_data = -0.5 * x**2 - 0.5 * np.log(2 * np.pi)                       # N(0, 1)
    log_p_g = -0.5 * ((x - 2) / 0.5) ** 2 - np.log(0.5) - 0.5 * np.log(2 * np.pi)  # N(2, 0.5²)
    return 1 / (1 + np.exp(-(log_p_data - log_p_g)))  # σ(log p_data − log p_g)


def grad_minimax(f):  # type: ignore[no-untyped-def]
    return -1 / (1 + np.exp(-f))  # d/df log(1 − σ(f)) = −σ(f)


def grad_nonsaturating(f):  # type: ignore[no-untyped-def]
    return 1 / (1 + np.exp(-f)) - 1  # d/df −log σ(f) = σ(f) − 1


def critic_loss(critic, x_real, x_fake, eps, gp_weight):  # type: ignore[no-untyped-def]
    x_hat = eps * x_real + (1 - eps) * x_fake
    grad_norm = np.linalg.norm(critic.input_gradient(x_hat), axis=1)
    return float(np.mean(critic.forward(x_fake)) - np.mean(critic.forward(x_real))
                 + gp_weight * np.mean((grad_norm - 1) ** 2))


def js_lower_bound(f_real, f_fake):  # type: ignore[no-untyped-def]
    loss = np.mean(np.logaddexp(0, -f_real)) + np.mean(np.logaddexp(0, f_fake))
    return float(np.log(2) - 0.5 * loss)


# --------------------------------------------------------------------------------------
# Every check: the solution passes, a stub and a placeholder are "not implemented yet"
# --------------------------------------------------------------------------------------

CHECKS = [
    (G.check_discriminator_loss, (discriminator_loss,)),
    (G.check_generator_losses, (generator_loss_nonsaturating, generator_loss_minimax)),
    (G.check_d_star, (d_star,)),
    (G.check_generator_gradients, (grad_minimax, grad_nonsaturating)),
    (G.check_critic_loss, (critic_loss,)),
    (G.check_js_lower_bound, (js_lower_bound,)),
]
IDS = ["discriminator_loss", "generator_losses", "d_star", "generator_gradients",
       "critic_loss", "js_lower_bound"]


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_the_reference_solution_passes(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(check, capsys, *solution)


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_a_stub_is_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(check, capsys, *(stub for _ in solution))
    assert line.startswith("✗ " + NOT_IMPLEMENTED)


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_a_placeholder_none_is_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    assert "not implemented yet" in run(check, capsys, *(None for _ in solution))


def test_two_function_checks_name_the_one_still_a_stub(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(G.check_generator_losses, capsys, generator_loss_nonsaturating, stub)
    assert "not implemented yet" in line and "`generator_loss_minimax` still raises" in line
    line = run(G.check_generator_losses, capsys, stub, generator_loss_minimax)
    assert "`generator_loss_nonsaturating` still raises" in line
    line = run(G.check_generator_gradients, capsys, grad_minimax, stub)
    assert "`grad_nonsaturating` still raises" in line


def test_passing_results_instead_of_functions_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(G.check_generator_losses, capsys, 0.5, generator_loss_minimax)
    assert "without calling them: check_generator_losses(" in line
    assert "without calling it" in run(G.check_d_star, capsys, np.zeros(3))


def test_checks_print_one_line_and_return_none_even_with_noisy_learner_code(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(x):  # type: ignore[no-untyped-def]
        print("debugging", x.shape)
        return d_star(x)

    passes(G.check_d_star, capsys, chatty)


# --------------------------------------------------------------------------------------
# check_discriminator_loss
# --------------------------------------------------------------------------------------


def _sp(t):  # type: ignore[no-untyped-def]
    return np.logaddexp(0, t)


def _sigmoid(t):  # type: ignore[no-untyped-def]
    return 1 / (1 + np.exp(-t))


D_LOSS_MISTAKES: list[tuple[str, Callable[..., Any], str]] = [
    ("wrong sign", lambda r, f: -discriminator_loss(r, f), "the sign is flipped"),
    ("labels swapped", lambda r, f: float(np.mean(_sp(r)) + np.mean(_sp(-f))),
     "the labels are swapped"),
    ("mean over the concatenated batch",
     lambda r, f: float(np.mean(np.concatenate([_sp(-r), _sp(f)]))), "that is half the loss"),
    ("average of the two means", lambda r, f: discriminator_loss(r, f) / 2,
     "you averaged the two group means"),
    ("twice the concatenated mean",
     lambda r, f: float(2 * np.mean(np.concatenate([_sp(-r), _sp(f)]))),
     "only when the two groups have the same size"),
    ("sums", lambda r, f: float(np.sum(_sp(-r)) + np.sum(_sp(f))), "sum instead of averaging"),
    ("reals only", lambda r, f: float(np.mean(_sp(-r))), "only the real examples"),
    ("fakes only", lambda r, f: float(np.mean(_sp(f))), "only the generated examples"),
    ("paired element-wise", lambda r, f: float(np.mean(_sp(-r) + _sp(f))),
     "may have different lengths"),
    ("sigmoid then log",
     lambda r, f: float(-np.mean(np.log(_sigmoid(r))) - np.mean(np.log(1 - _sigmoid(f)))),
     "np.logaddexp(0, -f)"),
    ("logits as probabilities",
     lambda r, f: float(-np.mean(np.log(r)) - np.mean(np.log(1 - f))), "not probabilities"),
]


@pytest.mark.parametrize(("mistake", "hint"), [(m[1], m[2]) for m in D_LOSS_MISTAKES],
                         ids=[m[0] for m in D_LOSS_MISTAKES])
def test_discriminator_loss_mistakes_get_their_hint(mistake, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(G.check_discriminator_loss, capsys, mistake)


def test_discriminator_loss_right_only_thanks_to_np_where_is_rejected_for_its_overflow(capsys) -> None:  # type: ignore[no-untyped-def]
    def softplus_where(t):  # type: ignore[no-untyped-def]
        # right values, but both branches are evaluated: exp(800) overflows (a warning)
        return np.where(t > 0, t + np.log1p(np.exp(-t)), np.log1p(np.exp(t)))

    def via_where(r, f):  # type: ignore[no-untyped-def]
        return float(np.mean(softplus_where(-r)) + np.mean(softplus_where(f)))

    line = run(G.check_discriminator_loss, capsys, via_where)
    assert "is right, but numpy warned" in line and "overflow" in line
    assert "np.logaddexp(0, -f)" in line


def test_discriminator_loss_accepts_scipy_log_expit(capsys) -> None:  # type: ignore[no-untyped-def]
    from scipy.special import log_expit

    passes(G.check_discriminator_loss, capsys,
           lambda r, f: float(-np.mean(log_expit(r)) - np.mean(log_expit(-f))))


def test_discriminator_loss_accepts_the_log1p_form_whose_exp_only_underflows(capsys) -> None:  # type: ignore[no-untyped-def]
    def softplus(t):  # type: ignore[no-untyped-def]
        return np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))  # exp(−800) = 0 is harmless

    passes(G.check_discriminator_loss, capsys,
           lambda r, f: float(np.mean(softplus(-r)) + np.mean(softplus(f))))


def test_discriminator_loss_expectations_match_plain_numpy() -> None:
    for r, f in ((G._EQ_REAL, G._EQ_FAKE), (G._UNEQ_REAL, G._UNEQ_FAKE),
                 (G._BIG_REAL, G._BIG_FAKE)):
        assert G._discriminator_loss(r, f) == pytest.approx(discriminator_loss(r, f), rel=1e-14)
    assert G._discriminator_loss(G._BIG_REAL, G._BIG_FAKE) == pytest.approx(466.8878812484253)


# --------------------------------------------------------------------------------------
# check_generator_losses
# --------------------------------------------------------------------------------------

GEN_MISTAKES = [
    ("swapped", (generator_loss_minimax, generator_loss_nonsaturating),
     "are the two functions swapped?"),
    ("non-saturating sign", (lambda f: -generator_loss_nonsaturating(f), generator_loss_minimax),
     "the sign is flipped"),
    ("non-saturating as the discriminator's term",
     (lambda f: float(np.mean(_sp(f))), generator_loss_minimax),
     "the discriminator's loss on the fakes"),
    ("non-saturating summed", (lambda f: float(np.sum(_sp(-f))), generator_loss_minimax),
     "sum instead of averaging"),
    ("minimax sign", (generator_loss_nonsaturating, lambda f: -generator_loss_minimax(f)),
     "in the zero-sum game the generator minimises"),
    ("minimax as log D", (generator_loss_nonsaturating, lambda f: float(-np.mean(_sp(-f)))),
     "that is mean log D"),
    ("minimax copies the non-saturating loss",
     (generator_loss_nonsaturating, generator_loss_nonsaturating),
     "that is the non-saturating loss"),
    ("naive minimax", (generator_loss_nonsaturating,
                       lambda f: float(np.mean(np.log(1 - _sigmoid(f))))),
     "np.logaddexp(0, f)"),
    ("naive non-saturating", (lambda f: float(-np.mean(np.log(_sigmoid(f)))),
                              generator_loss_minimax), "np.logaddexp(0, -f)"),
]


@pytest.mark.parametrize(("answers", "hint"), [(m[1], m[2]) for m in GEN_MISTAKES],
                         ids=[m[0] for m in GEN_MISTAKES])
def test_generator_loss_mistakes_get_their_hint(answers, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(G.check_generator_losses, capsys, *answers)


def test_generator_losses_name_the_function_that_failed(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(G.check_generator_losses, capsys, generator_loss_nonsaturating,
               lambda f: -generator_loss_minimax(f))
    assert line.startswith("✗ generator_loss_minimax for f_fake=")


# --------------------------------------------------------------------------------------
# check_d_star
# --------------------------------------------------------------------------------------


def _log_gauss_unnormalised(x, mu, sigma):  # type: ignore[no-untyped-def]
    return -0.5 * ((x - mu) / sigma) ** 2


D_STAR_MISTAKES = [
    ("p_g on top", lambda x: 1 - d_star(x), "the probability that x is *generated*"),
    ("no normalising constants",
     lambda x: expit(_log_gauss_unnormalised(x, 0, 1) - _log_gauss_unnormalised(x, 2, 0.5)),
     "normalising constants are missing"),
    ("variance 0.5", lambda x: expit(norm.logpdf(x, 0, 1) - norm.logpdf(x, 2, np.sqrt(0.5))),
     "variance 0.25, not variance 0.5"),
    ("sigma 0.25", lambda x: expit(norm.logpdf(x, 0, 1) - norm.logpdf(x, 2, 0.25)),
     "0.25 is its variance"),
    ("the logit", lambda x: norm.logpdf(x, 0, 1) - norm.logpdf(x, 2, 0.5), "that is the logit"),
    ("the ratio", lambda x: np.exp(norm.logpdf(x, 0, 1) - norm.logpdf(x, 2, 0.5)),
     "that is the ratio"),
    ("naive ratio", lambda x: norm.pdf(x, 0, 1) / (norm.pdf(x, 0, 1) + norm.pdf(x, 2, 0.5)),
     "work in log space"),
    ("math.exp", lambda x: __import__("math").exp(-x), "not math.exp"),
    ("one number", lambda x: float(np.mean(d_star(x))), "one value per entry of x"),
    ("some other probability", lambda x: expit(x), "p_data(x) / (p_data(x) + p_g(x))"),
    ("out of range", lambda x: 2 * d_star(x), "a probability in [0, 1]"),
]


@pytest.mark.parametrize(("mistake", "hint"), [(m[1], m[2]) for m in D_STAR_MISTAKES],
                         ids=[m[0] for m in D_STAR_MISTAKES])
def test_d_star_mistakes_get_their_hint(mistake, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(G.check_d_star, capsys, mistake)


def test_d_star_naive_ratio_is_right_away_from_the_tails_and_nan_at_40() -> None:
    def naive(x):  # type: ignore[no-untyped-def]
        with np.errstate(invalid="ignore"):
            return norm.pdf(x, 0, 1) / (norm.pdf(x, 0, 1) + norm.pdf(x, 2, 0.5))

    np.testing.assert_allclose(naive(G._DS_GRID), G._d_star(G._DS_GRID), rtol=1e-12)
    assert np.all(np.isnan(naive(G._DS_TAILS)))
    np.testing.assert_array_equal(G._d_star(G._DS_TAILS), [1.0, 1.0])


def test_d_star_agrees_with_lossviz_optimal_discriminator_where_densities_are_positive() -> None:
    from lossviz.gan import optimal_discriminator

    x = G._DS_GRID
    expected = optimal_discriminator(norm.pdf(x, 0, 1), norm.pdf(x, 2, 0.5))
    np.testing.assert_allclose(G._d_star(x), expected, rtol=1e-12)
    assert G.D_STAR_DATA == (0.0, 1.0) and G.D_STAR_GENERATOR == (2.0, 0.5)


# --------------------------------------------------------------------------------------
# check_generator_gradients
# --------------------------------------------------------------------------------------

GRAD_MISTAKES = [
    ("minimax with respect to D", (lambda f: -1 / (1 - _sigmoid(f)), grad_nonsaturating),
     "derivative with respect to D"),
    ("non-saturating with respect to D", (grad_minimax, lambda f: -1 / _sigmoid(f)),
     "d/dD (−log D) = −1/D"),
    ("minimax sign", (lambda f: _sigmoid(f), grad_nonsaturating), "the sign is flipped"),
    ("non-saturating sign", (grad_minimax, lambda f: 1 - _sigmoid(f)), "the sign is flipped"),
    ("swapped", (grad_nonsaturating, grad_minimax), "are the two functions swapped?"),
    ("a 1/n", (lambda f: grad_minimax(f) / f.size, grad_nonsaturating), "no 1/n"),
    ("one number", (lambda f: float(np.mean(grad_minimax(f))), grad_nonsaturating),
     "return one value per entry of f"),
    ("wrong almost everywhere", (lambda f: -_sigmoid(f) * (1 - _sigmoid(f)), grad_nonsaturating),
     "differentiate the per-example loss log(1 − σ(f))"),
]


@pytest.mark.parametrize(("answers", "hint"), [(m[1], m[2]) for m in GRAD_MISTAKES],
                         ids=[m[0] for m in GRAD_MISTAKES])
def test_generator_gradient_mistakes_get_their_hint(answers, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(G.check_generator_gradients, capsys, *answers)


def test_generator_gradients_at_f_minus_10_show_the_saturation() -> None:
    f = np.array([-10.0])
    assert grad_minimax(f)[0] == pytest.approx(-4.5397868702434395e-05, rel=1e-12)
    assert grad_nonsaturating(f)[0] == pytest.approx(-0.9999546021312976, rel=1e-12)
    np.testing.assert_allclose(G._grad_mm(G._GR_GRID), grad_minimax(G._GR_GRID), rtol=1e-12)
    np.testing.assert_allclose(G._grad_ns(G._GR_GRID), grad_nonsaturating(G._GR_GRID),
                               rtol=1e-9)


def test_generator_gradient_mistake_only_at_one_random_point_is_caught_by_finite_differences(capsys) -> None:  # type: ignore[no-untyped-def]
    def off_beyond_grid(f):  # type: ignore[no-untyped-def]
        g = grad_nonsaturating(f)
        return np.where(np.isin(f, G._GR_GRID), g, 0.9 * g)

    line = run(G.check_generator_gradients, capsys, grad_minimax, off_beyond_grid)
    assert "central finite differences" in line


# --------------------------------------------------------------------------------------
# check_critic_loss
# --------------------------------------------------------------------------------------


def _critic_parts(critic, x_real, x_fake, eps, gp_weight, x_pen=None, pen=None):  # type: ignore[no-untyped-def]
    """The Wasserstein term plus a (possibly wrong) penalty, as a mistaken learner writes it."""
    x_hat = eps * x_real + (1 - eps) * x_fake if x_pen is None else x_pen
    g = critic.input_gradient(x_hat)
    w_term = np.mean(critic.forward(x_fake)) - np.mean(critic.forward(x_real))
    return float(w_term + gp_weight * (pen or (lambda g: np.mean(
        (np.linalg.norm(g, axis=1) - 1) ** 2)))(g))


CRITIC_MISTAKES = [
    ("sign flipped", lambda c, r, f, e, w: critic_loss(c, f, r, 1 - e, w),
     "the sign of the Wasserstein term is flipped"),
    ("squared norm", lambda c, r, f, e, w: _critic_parts(
        c, r, f, e, w, pen=lambda g: np.mean(np.sum(g**2, axis=1))), "penalises the squared norm"),
    ("squared norm minus 1", lambda c, r, f, e, w: _critic_parts(
        c, r, f, e, w, pen=lambda g: np.mean((np.sum(g**2, axis=1) - 1) ** 2)),
     "not (‖g‖² − 1)²"),
    ("penalty at the real points", lambda c, r, f, e, w: _critic_parts(c, r, f, e, w, x_pen=r),
     "not at the real points"),
    ("penalty at the fake points", lambda c, r, f, e, w: _critic_parts(c, r, f, e, w, x_pen=f),
     "not at the generated points"),
    ("interpolation reversed", lambda c, r, f, e, w: critic_loss(c, r, f, 1 - e, w),
     "the interpolation is the other way round"),
    ("no gp_weight", lambda c, r, f, e, w: critic_loss(c, r, f, e, 1.0),
     "gp_weight is missing"),
    ("one-sided", lambda c, r, f, e, w: _critic_parts(
        c, r, f, e, w, pen=lambda g: np.mean(np.maximum(np.linalg.norm(g, axis=1) - 1, 0) ** 2)),
     "one-sided penalty"),
    ("one norm for the batch", lambda c, r, f, e, w: _critic_parts(
        c, r, f, e, w, pen=lambda g: (np.linalg.norm(g) - 1) ** 2), "without axis=1"),
    ("mean norm", lambda c, r, f, e, w: _critic_parts(
        c, r, f, e, w, pen=lambda g: (np.mean(np.linalg.norm(g, axis=1)) - 1) ** 2),
     "not (mean ‖gᵢ‖ − 1)²"),
    ("summed penalty", lambda c, r, f, e, w: _critic_parts(
        c, r, f, e, w, pen=lambda g: np.sum((np.linalg.norm(g, axis=1) - 1) ** 2)),
     "not a sum"),
    ("no penalty", lambda c, r, f, e, w: critic_loss(c, r, f, e, 0.0),
     "the gradient penalty is missing"),
]


@pytest.mark.parametrize(("mistake", "hint"), [(m[1], m[2]) for m in CRITIC_MISTAKES],
                         ids=[m[0] for m in CRITIC_MISTAKES])
def test_critic_loss_mistakes_get_their_hint(mistake, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(G.check_critic_loss, capsys, mistake)


def test_critic_loss_ignoring_gp_weight_zero_is_caught(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(G.check_critic_loss, capsys, lambda c, r, f, e, w: critic_loss(c, r, f, e, 10.0))
    assert "gp_weight=0" in line and "use the gp_weight argument" in line


def test_critic_loss_fixed_case_has_gradient_norms_on_both_sides_of_1() -> None:
    critic, x_real, x_fake, eps = G._critic_case(*G._CL_FIXED[:2])
    norms = np.linalg.norm(critic.input_gradient(eps * x_real + (1 - eps) * x_fake), axis=1)
    assert norms.min() < 1 < norms.max()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_critic_loss_solution_matches_lossviz_wgan_gp_critic_loss_with_the_same_eps(seed) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    critic = TinyMLP(2, 8, 1, rng=rng)
    x_real, x_fake = rng.normal(size=(12, 2)), rng.normal(1.0, 0.5, (12, 2))
    eps = np.random.default_rng(100 + seed).uniform(size=(12, 1))  # what it draws first
    loss, _, _ = wgan_gp_critic_loss(critic, x_real, x_fake, gp_weight=10.0,
                                     rng=np.random.default_rng(100 + seed))
    assert critic_loss(critic, x_real, x_fake, eps, 10.0) == pytest.approx(loss, rel=1e-12)


def test_critic_loss_expectations_match_the_solution() -> None:
    for seed, n, w in (G._CL_FIXED, *G._CL_RANDOM):
        critic, x_real, x_fake, eps = G._critic_case(seed, n)
        assert G._critic_losses(seed, n, w)[0] == pytest.approx(
            critic_loss(critic, x_real, x_fake, eps, w), rel=1e-12)


# --------------------------------------------------------------------------------------
# check_js_lower_bound and the digits
# --------------------------------------------------------------------------------------

JS_MISTAKES = [
    ("log 4", lambda r, f: js_lower_bound(r, f) + np.log(2), "log 4 − ½·L_D is off by log 2"),
    ("no ½", lambda r, f: float(np.log(2) - discriminator_loss(r, f)), "the ½ is missing"),
    ("log 4 and no ½", lambda r, f: float(np.log(4) - discriminator_loss(r, f)),
     "twice the bound"),
    ("bits", lambda r, f: js_lower_bound(r, f) / np.log(2), "that is the bound in bits"),
    ("log₂ 2 with nats", lambda r, f: float(np.log2(2) - discriminator_loss(r, f) / 2),
     "log₂ 2 = 1 mixed with a loss in nats"),
    ("sign", lambda r, f: -js_lower_bound(r, f), "the sign is flipped"),
    ("labels swapped", lambda r, f: float(np.log(2) - (np.mean(_sp(r)) + np.mean(_sp(-f))) / 2),
     "the labels are swapped"),
    ("concatenated mean",
     lambda r, f: float(np.log(2) - np.mean(np.concatenate([_sp(-r), _sp(f)])) / 2),
     "not one mean over all examples"),
    ("probabilities", lambda r, f: float(np.log(2) + (np.mean(np.log(r))
                                                      + np.mean(np.log(1 - f))) / 2),
     "not probabilities"),
    ("naive sigmoid", lambda r, f: float(np.log(2) + (np.mean(np.log(_sigmoid(r)))
                                                      + np.mean(np.log(1 - _sigmoid(f)))) / 2),
     "np.logaddexp(0, -f)"),
]


@pytest.mark.parametrize(("mistake", "hint"), [(m[1], m[2]) for m in JS_MISTAKES],
                         ids=[m[0] for m in JS_MISTAKES])
def test_js_lower_bound_mistakes_get_their_hint(mistake, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(G.check_js_lower_bound, capsys, mistake)


def test_js_lower_bound_pass_line_prints_the_digits_numbers(capsys) -> None:  # type: ignore[no-untyped-def]
    G.check_js_lower_bound(js_lower_bound)
    line = capsys.readouterr().out
    assert "accuracy 98.2%" in line and "0.615 nats = 0.887 bits, 88.7%" in line


def test_digits_numbers_in_the_pass_line_are_measured() -> None:
    f_real, f_fake = G.digits_discriminator_logits()
    assert f_real.shape == (898,) and f_fake.shape == (899,)
    accuracy = (np.sum(f_real > 0) + np.sum(f_fake < 0)) / (f_real.size + f_fake.size)
    bound = js_lower_bound(f_real, f_fake)
    assert accuracy == pytest.approx(G._DIGITS_ACCURACY, abs=5e-5)
    assert bound == pytest.approx(G._DIGITS_BOUND_NATS, abs=5e-5)
    assert bound / np.log(2) == pytest.approx(G._DIGITS_BOUND_BITS, abs=5e-5)
    assert 0 < bound < np.log(2)  # a valid lower bound on JS, below its maximum


def test_a_linear_discriminator_cannot_see_the_fakes() -> None:
    f_real, f_fake = G.digits_discriminator_logits(quadratic=False)
    accuracy = (np.sum(f_real > 0) + np.sum(f_fake < 0)) / (f_real.size + f_fake.size)
    assert 0.45 < accuracy < 0.55                 # the pixel means are the same in both sets
    assert js_lower_bound(f_real, f_fake) < 0.01  # so its bound says nothing


def test_digits_discriminator_logits_returns_fresh_copies() -> None:
    f_real, _ = G.digits_discriminator_logits()
    f_real[:] = 0.0
    assert np.any(G.digits_discriminator_logits()[0] != 0.0)


def test_js_bound_is_tight_at_the_optimal_discriminator() -> None:
    # for p_data = N(0, 1), p_g = N(2, 0.5²): logits of D* on samples give ≈ JS
    from lossviz.gan import gaussian_gan

    rng = np.random.default_rng(0)
    x_real, x_fake = rng.normal(0, 1, 200_000), rng.normal(2, 0.5, 200_000)

    def logit(x):  # type: ignore[no-untyped-def]
        return norm.logpdf(x, 0, 1) - norm.logpdf(x, 2, 0.5)

    js = gaussian_gan(mu_g=2.0, sigma_g=0.5).js
    assert js_lower_bound(logit(x_real), logit(x_fake)) == pytest.approx(js, abs=3e-3)
    assert js_lower_bound(0.5 * logit(x_real), 0.5 * logit(x_fake)) < js - 0.02


# --------------------------------------------------------------------------------------
# lossviz.data.digits_real_vs_fake
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits_split() -> tuple[np.ndarray, ...]:
    return data.digits_real_vs_fake(seed=0)


def test_digits_real_vs_fake_shapes_and_balanced_labels(digits_split) -> None:  # type: ignore[no-untyped-def]
    X_train, y_train, X_test, y_test = digits_split
    assert X_train.shape == X_test.shape == (1797, 64)
    assert X_train.dtype == np.float64
    assert set(np.unique(np.concatenate([y_train, y_test]))) == {0.0, 1.0}
    assert int(y_train.sum()) + int(y_test.sum()) == 1797
    assert int(y_test.sum()) == 898


def test_digits_real_vs_fake_is_deterministic_under_a_seed(digits_split) -> None:  # type: ignore[no-untyped-def]
    for a, b in zip(digits_split, data.digits_real_vs_fake(seed=0), strict=True):
        np.testing.assert_array_equal(a, b)
    other = data.digits_real_vs_fake(seed=1)
    assert not np.array_equal(digits_split[2], other[2])


def test_digits_real_vs_fake_real_images_are_the_digits(digits_split) -> None:  # type: ignore[no-untyped-def]
    X_train, y_train, X_test, y_test = digits_split
    real = np.vstack([X_train[y_train == 1], X_test[y_test == 1]])
    digits = load_digits().data

    def sort_rows(a):  # type: ignore[no-untyped-def]
        return a[np.lexsort(a.T[::-1])]

    np.testing.assert_array_equal(sort_rows(real), sort_rows(digits))


def test_digits_real_vs_fake_fakes_have_the_marginals_but_not_the_correlations(digits_split) -> None:  # type: ignore[no-untyped-def]
    X_train, y_train, X_test, y_test = digits_split
    real = np.vstack([X_train[y_train == 1], X_test[y_test == 1]])
    fake = np.vstack([X_train[y_train == 0], X_test[y_test == 0]])
    for j in range(64):  # every fake pixel value occurs in that pixel's real column
        assert set(np.unique(fake[:, j])) <= set(np.unique(real[:, j]))
    np.testing.assert_allclose(fake.mean(axis=0), real.mean(axis=0), atol=0.5)
    varying = real.std(axis=0) > 0
    off = ~np.eye(int(varying.sum()), dtype=bool)
    corr_real = np.corrcoef(real[:, varying].T)[off]
    corr_fake = np.corrcoef(fake[:, varying].T)[off]
    assert np.mean(np.abs(corr_fake)) < 0.03 < 0.1 < np.mean(np.abs(corr_real))  # 0.018, 0.124
    assert np.max(np.abs(corr_fake)) < 0.1 < np.max(np.abs(corr_real))


@pytest.mark.parametrize(("kwargs", "name"), [({"test_size": 0.0}, "test_size"),
                                              ({"test_size": 1.5}, "test_size"),
                                              ({"seed": -1}, "seed"), ({"seed": 0.5}, "seed")])
def test_digits_real_vs_fake_rejects_bad_arguments_by_name(kwargs, name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=name):
        data.digits_real_vs_fake(**kwargs)
