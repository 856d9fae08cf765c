"""The chapter-06 checks: a correct answer passes, each common mistake gets its own hint.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from check_support import passes, run, stub
from scipy.signal import lfilter
from scipy.special import softmax
from sklearn.metrics import log_loss

from lossviz.exercises import NOT_IMPLEMENTED
from lossviz.exercises import rl as R
from lossviz.exercises._check import finite_difference_gradient

# --------------------------------------------------------------------------------------
# Reference solutions (tests only), written as a learner would, in plain numpy
# --------------------------------------------------------------------------------------


def discounted_returns(rewards, gamma):  # type: ignore[no-untyped-def]
    G = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        G[t] = running
    return G


def td_error(r, v_s, v_next, gamma, done):  # type: ignore[no-untyped-def]
    return r + gamma * (1 - done) * v_next - v_s


def td0_update(V, s, r, s_next, alpha, gamma, done):  # type: ignore[no-untyped-def]
    V = V.copy()
    delta = r + gamma * (1 - done) * V[s_next] - V[s]
    V[s] += alpha * delta
    return V


def reinforce_loss(log_probs, returns, baseline):  # type: ignore[no-untyped-def]
    return -np.mean((returns - baseline) * log_probs)


def ppo_clip_loss(logp, logp_old, adv, clip_range):  # type: ignore[no-untyped-def]
    ratio = np.exp(logp - logp_old)
    clipped = np.clip(ratio, 1 - clip_range, 1 + clip_range)
    return -np.mean(np.minimum(ratio * adv, clipped * adv))


def ppo_clip_grad(logp, logp_old, adv, clip_range):  # type: ignore[no-untyped-def]
    ratio = np.exp(logp - logp_old)
    clipped = np.clip(ratio, 1 - clip_range, 1 + clip_range)
    unclipped_is_min = ratio * adv <= clipped * adv
    return np.where(unclipped_is_min, -ratio * adv, 0.0) / len(adv)


def reinforce_logit_grad(logits, actions, rewards, baseline):  # type: ignore[no-untyped-def]
    n, k = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    onehot = np.eye(k)[actions]
    return -(onehot - probs) * (rewards - baseline)[:, None] / n


# --------------------------------------------------------------------------------------
# The mechanism, for every check
# --------------------------------------------------------------------------------------

CHECKS: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
    (R.check_discounted_returns, (discounted_returns,)),
    (R.check_td, (td_error, td0_update)),
    (R.check_reinforce_loss, (reinforce_loss,)),
    (R.check_ppo_clip, (ppo_clip_loss, ppo_clip_grad)),
    (R.check_reinforce_logit_grad, (reinforce_logit_grad,)),
]
IDS = ["discounted_returns", "td", "reinforce_loss", "ppo_clip", "reinforce_logit_grad"]


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_the_reference_solution_passes(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(check, capsys, *solution)


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_a_stub_is_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(check, capsys, *(stub for _ in solution))
    assert line.startswith("✗ " + NOT_IMPLEMENTED)


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_a_placeholder_is_not_implemented_yet(check, solution, placeholder, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(check, capsys, *(placeholder for _ in solution))
    assert line.startswith("✗ " + NOT_IMPLEMENTED)


def test_two_function_checks_name_the_function_that_is_still_a_stub(capsys) -> None:  # type: ignore[no-untyped-def]
    assert "`td0_update` still raises" in run(R.check_td, capsys, td_error, stub)
    assert "`td_error` still raises" in run(R.check_td, capsys, stub, td0_update)
    assert "`ppo_clip_grad` still raises" in run(R.check_ppo_clip, capsys, ppo_clip_loss, stub)
    assert "`ppo_clip_loss` still raises" in run(R.check_ppo_clip, capsys, stub, ppo_clip_grad)


def test_passing_results_instead_of_functions_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    assert "without calling them: check_td(td_error, td0_update)" in run(
        R.check_td, capsys, np.zeros(4), td0_update)
    assert "without calling them: check_ppo_clip(ppo_clip_loss, ppo_clip_grad)" in run(
        R.check_ppo_clip, capsys, ppo_clip_loss, -0.4)
    assert "without calling it: check_discounted_returns(discounted_returns)" in run(
        R.check_discounted_returns, capsys, [1.875, 1.75, 3.5, 3.0])
    assert "without calling it" in run(R.check_reinforce_loss, capsys, -0.075)
    assert "without calling it" in run(R.check_reinforce_logit_grad, capsys, np.zeros((3, 3)))


def test_learner_prints_and_warnings_do_not_leak(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(log_probs, returns, baseline):  # type: ignore[no-untyped-def]
        print("debugging", returns)
        np.log(np.array([-1.0]))  # a RuntimeWarning
        return reinforce_loss(log_probs, returns, baseline)

    passes(R.check_reinforce_loss, capsys, chatty)


def test_the_digits_pass_line_reports_the_accuracy(capsys) -> None:  # type: ignore[no-untyped-def]
    assert R.check_reinforce_logit_grad(reinforce_logit_grad) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✓ passed: ")
    assert "the greedy policy names 95.8% of the 449 test digits correctly" in out, out


def test_the_check_module_contains_no_solution_code() -> None:
    source = inspect.getsource(R)
    for solution_line in ("running = rewards[t]", "for t in reversed(", "gamma * (1 - done)",
                          "V[s] += alpha", "(returns - baseline) * log_probs",
                          "np.minimum(ratio * adv", "-(onehot - probs)", "np.eye(k)[actions]"):
        assert solution_line not in source, solution_line


# --------------------------------------------------------------------------------------
# check_discounted_returns
# --------------------------------------------------------------------------------------


def test_returns_precomputed_cases_are_right() -> None:
    np.testing.assert_allclose(discounted_returns(R._RET_R, 0.5), R._RET_EXPECTED, rtol=1e-15)
    np.testing.assert_allclose(discounted_returns(R._RET_G1_R, 1.0), R._RET_G1, rtol=1e-15)


@pytest.mark.parametrize(("steps", "gamma"), [(1, 0.9), (10, 0.5), (200, 0.999), (7, 0.0)])
def test_returns_reference_agrees_with_scipy_lfilter(steps, gamma) -> None:  # type: ignore[no-untyped-def]
    rewards = np.random.default_rng(steps).normal(size=steps)
    # the classic one-liner: G is a first-order IIR filter run backwards in time
    expected = lfilter([1.0], [1.0, -gamma], rewards[::-1])[::-1]
    np.testing.assert_allclose(R._discounted(rewards, gamma), expected, rtol=1e-12, atol=1e-12)


def _forward(rewards, gamma):  # type: ignore[no-untyped-def]
    out, running = [], 0.0
    for r in rewards:
        running = r + gamma * running
        out.append(running)
    return np.array(out)


def _exponent_shift(shift):  # type: ignore[no-untyped-def]
    def fn(rewards, gamma):  # type: ignore[no-untyped-def]
        T = len(rewards)
        return np.array([sum(gamma ** (k + shift) * rewards[t + k] for k in range(T - t))
                         for t in range(T)])
    return fn


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_forward, "accumulates forward in time"),
        (lambda r, g: discounted_returns(r, g)[::-1], "in reverse order"),
        (_exponent_shift(1), "γ times too small"),
        (_exponent_shift(-1), "1/γ times too large"),
        (lambda r, g: discounted_returns(r, g) - r, "the reward of step t itself is missing"),
        (lambda r, g: discounted_returns(r, 1.0), "γ is missing"),
        (lambda r, g: np.full(len(r), discounted_returns(r, g)[0]), "every entry is G_0"),
        (lambda r, g: np.cumsum(g ** np.arange(len(r)) * r), "from the start up to t"),
        (lambda r, g: np.full(len(r), np.sum(r)), "the total reward of the episode"),
        (lambda r, g: float(discounted_returns(r, g)[0]), "returned only one number"),
        (lambda r, g: discounted_returns(r, g)[:1], "returned an array of shape (1,)"),
        (lambda r, g: discounted_returns(r, 0.5), "use the gamma argument"),
        (lambda r, g: discounted_returns(r, g if g > 0 else 0.1), "only the immediate reward"),
        (lambda r, g: discounted_returns(r, min(g, 0.99)), "γ=1"),
        (lambda r, g: discounted_returns(r, g) if len(r) < 6 else np.zeros(len(r)),
         "random episode of 10 steps"),
        (lambda r, g: None, "forget the `return`"),
    ],
    ids=["forward", "reversed", "exponent+1", "exponent-1", "no-r_t", "no-gamma", "all-G0",
         "up-to-t", "total", "scalar-G0", "only-G0-array", "gamma-ignored", "gamma-zero",
         "gamma-one", "fixed-only", "none"],
)
def test_returns_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_discounted_returns, capsys, wrong)


def test_returns_accepts_lists(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(R.check_discounted_returns, capsys, lambda r, g: list(discounted_returns(r, g)))


# --------------------------------------------------------------------------------------
# check_td
# --------------------------------------------------------------------------------------


def test_td_precomputed_cases_are_right() -> None:
    np.testing.assert_allclose(td_error(R._TD_R, R._TD_V, R._TD_V_NEXT, 0.9, R._TD_DONE),
                               R._TD_EXPECTED, rtol=1e-14)
    np.testing.assert_allclose(td0_update(R._UPD_V, 1, 0.5, 2, 0.1, 0.9, False),
                               R._UPD_EXPECTED, rtol=1e-14)
    np.testing.assert_allclose(td0_update(R._UPD_TERMINAL_V, 3, 1.0, 4, 0.5, 0.9, True),
                               R._UPD_TERMINAL, rtol=1e-14)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda r, v, vn, g, d: r + g * vn - v, "the last transition ends the episode"),
        (lambda r, v, vn, g, d: r + g * d * vn - v, "the terminal mask is inverted"),
        (lambda r, v, vn, g, d: -td_error(r, v, vn, g, d), "the sign is reversed"),
        (lambda r, v, vn, g, d: r + (1 - d) * vn - v, "γ is missing"),
        (lambda r, v, vn, g, d: r + g * (1 - d) * v - vn, "V(s) and V(s′) are swapped"),
        (lambda r, v, vn, g, d: td_error(r, v, vn, g, d) ** 2, "that is δ²"),
        (lambda r, v, vn, g, d: float(np.mean(td_error(r, v, vn, g, d))), "do not average"),
        (lambda r, v, vn, g, d: td_error(r, v, vn, 0.9, d), "random transitions, γ=0"),
    ],
    ids=["no-mask", "inverted-mask", "sign", "no-gamma", "swapped", "squared", "mean",
         "gamma-fixed"],
)
def test_td_error_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_td, capsys, wrong, td0_update)


def _update(step):  # type: ignore[no-untyped-def]
    """td0_update with a wrong ``step(V, s, s_next, delta, alpha)`` applied to a copy."""
    def fn(V, s, r, s_next, alpha, gamma, done):  # type: ignore[no-untyped-def]
        new = V.copy()
        delta = r + gamma * (1 - done) * V[s_next] - V[s]
        step(new, s, s_next, delta, alpha)
        return new
    return fn


def _set(new, index, value):  # type: ignore[no-untyped-def]
    new[index] = value


def _update_no_mask(V, s, r, s_next, alpha, gamma, done):  # type: ignore[no-untyped-def]
    return td0_update(V, s, r, s_next, alpha, gamma, False)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_update(lambda V, s, sn, d, a: _set(V, s, V[s] + a * d**2)), "that adds α·δ²"),
        (_update(lambda V, s, sn, d, a: _set(V, sn, V[sn] + a * d)), "the wrong entry moved"),
        (_update(lambda V, s, sn, d, a: _set(V, s, V[s] - a * d)), "the wrong way"),
        (_update(lambda V, s, sn, d, a: _set(V, s, V[s] + d)), "the step size α is missing"),
        (_update(lambda V, s, sn, d, a: _set(V, s, a * d)), "V[s] was replaced by α·δ"),
        (_update(lambda V, s, sn, d, a: _set(V, slice(None), V + a * d)), "every entry moved"),
        (lambda V, s, r, sn, a, g, d: td0_update(V, s, r, sn, a, g, not d),
         "the terminal mask is inverted"),
        (lambda V, s, r, sn, a, g, d: td0_update(V, s, r, sn, a, 1.0, d), "γ is missing"),
        (_update_no_mask, "the transition ends the episode (done=True)"),
        (lambda V, s, r, sn, a, g, d: r + g * (1 - d) * V[sn] - V[s],
         "return the whole updated table V"),
        (lambda V, s, r, sn, a, g, d: td0_update(V, s, r, sn, a, g, d)[s],
         "return the whole updated table V"),
        (lambda V, s, r, sn, a, g, d: td0_update(V, s, r, sn, a, g, d) if V.size == 5
         else V, "on a random table"),
    ],
    ids=["delta-squared", "wrong-state", "sign", "no-alpha", "replaced", "all-states",
         "inverted-mask", "no-gamma", "no-mask-terminal", "returns-delta", "returns-V[s]",
         "fixed-only"],
)
def test_td0_update_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_td, capsys, td_error, wrong)


def test_td0_update_in_place_without_return_gets_its_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def in_place(V, s, r, s_next, alpha, gamma, done):  # type: ignore[no-untyped-def]
        V[s] += alpha * (r + gamma * (1 - done) * V[s_next] - V[s])

    line = run(R.check_td, capsys, td_error, in_place)
    assert "td0_update" in line and "returned None" in line
    assert "did you update V in place and forget to return it?" in line


def test_td0_update_in_place_that_returns_v_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    def in_place(V, s, r, s_next, alpha, gamma, done):  # type: ignore[no-untyped-def]
        V[s] += alpha * (r + gamma * (1 - done) * V[s_next] - V[s])
        return V

    passes(R.check_td, capsys, td_error, in_place)


def test_td_accepts_an_update_written_with_if_done(capsys) -> None:  # type: ignore[no-untyped-def]
    def with_if(V, s, r, s_next, alpha, gamma, done):  # type: ignore[no-untyped-def]
        target = r if done else r + gamma * V[s_next]
        new = np.array(V, dtype=float)
        new[s] = V[s] + alpha * (target - V[s])
        return new

    passes(R.check_td, capsys, td_error, with_if)


# --------------------------------------------------------------------------------------
# check_reinforce_loss
# --------------------------------------------------------------------------------------


def test_reinforce_loss_precomputed_cases_are_right() -> None:
    assert reinforce_loss(R._RL_LOGP, R._RL_G, 1.0) == pytest.approx(R._RL_EXPECTED, rel=1e-14)
    assert reinforce_loss(R._RL_LOGP, R._RL_G, R._RL_B_ARRAY) == pytest.approx(
        R._RL_ARRAY_EXPECTED, rel=1e-14)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda lp, G, b: -reinforce_loss(lp, G, b), "the minus sign is missing"),
        (lambda lp, G, b: -np.mean((G + b) * lp), "the baseline is added"),
        (lambda lp, G, b: -np.mean(G * lp), "the baseline is missing"),
        (lambda lp, G, b: -np.sum((G - b) * lp), "sum instead of averaging"),
        (lambda lp, G, b: -np.mean((G - b) * np.exp(lp)), "uses the probabilities"),
        (lambda lp, G, b: -np.mean(G - b) * np.mean(lp), "the mean of the product"),
        (lambda lp, G, b: -((G - b) * lp), "reduce over the examples"),
        (lambda lp, G, b: reinforce_loss(lp, G, np.mean(b)), "baseline=[1.5, 0.5, 1, 2]"),
        (lambda lp, G, b: -np.mean(np.mean((G - b) * lp, axis=0)) if lp.ndim == 1
         else -np.mean((G - b) * lp, axis=0), "expected a single number"),
        (lambda lp, G, b: (reinforce_loss(lp, G, b), 0.0), "a tuple of 2 values"),
    ],
    ids=["sign", "baseline-added", "no-baseline", "sum", "probabilities", "product-of-means",
         "per-sample", "baseline-array", "2d-axis0", "tuple"],
)
def test_reinforce_loss_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_reinforce_loss, capsys, wrong)


def test_reinforce_loss_broadcast_error_gets_its_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def flat_baseline(log_probs, returns, baseline):  # type: ignore[no-untyped-def]
        return -np.mean((returns - np.ravel(baseline)[: max(1, returns.size // 2)]) * log_probs)

    assert "combine them element-wise" in run(R.check_reinforce_loss, capsys, flat_baseline)


# --------------------------------------------------------------------------------------
# check_ppo_clip
# --------------------------------------------------------------------------------------


def test_ppo_precomputed_case_is_right_and_covers_the_four_regions() -> None:
    args = (R._PPO_LOGP, R._PPO_OLD, R._PPO_ADV, 0.2)
    assert ppo_clip_loss(*args) == pytest.approx(R._PPO_LOSS, rel=1e-14)
    np.testing.assert_allclose(ppo_clip_grad(*args), R._PPO_GRAD, rtol=1e-13, atol=1e-16)
    ratio, adv = np.exp(R._PPO_LOGP - R._PPO_OLD), R._PPO_ADV
    regions = [(adv > 0) & (ratio > 1.2), (adv > 0) & (ratio < 0.8),
               (adv < 0) & (ratio < 0.8), (adv < 0) & (ratio > 1.2)]
    assert [int(np.flatnonzero(m)[0]) for m in regions] == [0, 1, 2, 3]
    assert [R._PPO_GRAD[i] == 0 for i in range(4)] == [True, False, True, False]
    # the precomputed gradient is the finite-difference gradient of the loss (no kink nearby)
    numeric = finite_difference_gradient(lambda lp: ppo_clip_loss(lp, *args[1:]),
                                         R._PPO_LOGP.copy())
    np.testing.assert_allclose(numeric, R._PPO_GRAD, atol=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_ppo_reference_gradient_matches_finite_differences_and_sb3_form(seed) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    logp, logp_old, adv = R._ppo_random(rng, 30, 0.2, margin=1e-3)
    loss, grad = R._ppo_expected(logp, logp_old, adv, 0.2)
    # Stable-Baselines3's ppo.py: -min(A·r, A·clamp(r, 1 − ε, 1 + ε)).mean()
    ratio = np.exp(logp - logp_old)
    sb3 = -np.minimum(adv * ratio, adv * np.clip(ratio, 0.8, 1.2)).mean()
    assert loss == pytest.approx(sb3, rel=1e-14)
    numeric = finite_difference_gradient(lambda lp: R._ppo_expected(lp, logp_old, adv, 0.2)[0],
                                         logp)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)
    assert np.any(grad == 0) and np.any(grad != 0)


def _ppo_loss_variant(*, ratio=lambda lp, old: np.exp(lp - old), combine=np.minimum,  # type: ignore[no-untyped-def]
                      clip_adv=False, clip_product=False, reduce=np.mean, sign=-1.0):
    def fn(logp, logp_old, adv, eps):  # type: ignore[no-untyped-def]
        r = ratio(logp, logp_old)
        if clip_adv:
            second = r * np.clip(adv, 1 - eps, 1 + eps)
        elif clip_product:
            second = np.clip(r * adv, 1 - eps, 1 + eps)
        else:
            second = np.clip(r, 1 - eps, 1 + eps) * adv
        return sign * reduce(combine(r * adv, second))
    return fn


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_ppo_loss_variant(sign=1.0), "the minus sign is missing"),
        (_ppo_loss_variant(combine=np.maximum), "that takes the max of the two terms"),
        (_ppo_loss_variant(clip_adv=True), "that clips the advantage"),
        (_ppo_loss_variant(clip_product=True), "that clips the product r·A"),
        (_ppo_loss_variant(ratio=lambda lp, old: lp - old), "not the difference"),
        (_ppo_loss_variant(ratio=lambda lp, old: np.exp(old - lp)), "the ratio is inverted"),
        (_ppo_loss_variant(combine=lambda a, b: b), "the min with the unclipped term"),
        (_ppo_loss_variant(combine=lambda a, b: a), "the clipping is missing"),
        (_ppo_loss_variant(reduce=np.sum), "sum instead of averaging"),
        (lambda lp, old, adv, eps: ppo_clip_loss(lp, old, adv, 0.2), "ε=0.1"),
    ],
    ids=["sign", "max", "clip-adv", "clip-product", "log-ratio", "inverted", "no-min",
         "no-clip", "sum", "eps-fixed"],
)
def test_ppo_loss_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_ppo_clip, capsys, wrong, ppo_clip_grad)


def _ppo_grad_variant(*, active=None, value=None):  # type: ignore[no-untyped-def]
    """ppo_clip_grad with a wrong active set ``active(r, A, eps)`` or value ``value(r, A)``."""
    def fn(logp, logp_old, adv, eps):  # type: ignore[no-untyped-def]
        r = np.exp(logp - logp_old)
        mask = (active or (lambda r, A, e: r * A <= np.clip(r, 1 - e, 1 + e) * A))(r, adv, eps)
        return np.where(mask, (value or (lambda r, A: -r * A))(r, adv), 0.0) / len(adv)
    return fn


def _ppo_grad_of_log_ratio(logp, logp_old, adv, eps):  # type: ignore[no-untyped-def]
    r = logp - logp_old  # the mistake: no exp
    mask = r * adv <= np.clip(r, 1 - eps, 1 + eps) * adv
    return np.where(mask, -r * adv, 0.0) / len(adv)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda *a: -ppo_clip_grad(*a), "the sign is flipped"),
        (_ppo_grad_variant(value=lambda r, A: -A), "a factor r is missing"),
        (_ppo_grad_variant(active=lambda r, A, e: (r >= 1 - e) & (r <= 1 + e)),
         "the zero-gradient region is wrong"),
        (_ppo_grad_variant(active=lambda r, A, e: r * A >= np.clip(r, 1 - e, 1 + e) * A),
         "the gradient of the max"),
        (_ppo_grad_variant(active=lambda r, A, e: np.ones_like(r, dtype=bool)),
         "there is no zero region"),
        (lambda *a: len(a[2]) * ppo_clip_grad(*a), "divide by n"),
        (_ppo_grad_variant(active=lambda r, A, e: r * A < np.clip(r, 1 - e, 1 + e) * A),
         "compare with <="),
        (lambda lp, old, A, e: -np.minimum(np.exp(lp - old) * A,
                                           np.exp(lp - old) * np.clip(A, 1 - e, 1 + e)) / len(A),
         "clips the advantage"),
        (_ppo_grad_variant(active=lambda r, A, e: np.log(r) * A
                           <= np.clip(np.log(r), 1 - e, 1 + e) * A, value=lambda r, A: -A),
         "(then its derivative would be 1, not r)"),
        (_ppo_grad_of_log_ratio, "not logp − logp_old"),
    ],
    ids=["sign", "wrt-ratio", "both-sides", "max", "no-zero-region", "no-1/n", "strict-less",
         "clip-adv", "log-ratio-derivative", "log-ratio-formula"],
)
def test_ppo_grad_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_ppo_clip, capsys, ppo_clip_loss, wrong)


def test_ppo_grad_failure_names_the_region_of_the_first_wrong_entry(capsys) -> None:  # type: ignore[no-untyped-def]
    def wrong_in_region_1(logp, logp_old, adv, eps):  # type: ignore[no-untyped-def]
        g = ppo_clip_grad(logp, logp_old, adv, eps)
        g[1] = 0.0
        return g

    line = run(R.check_ppo_clip, capsys, ppo_clip_loss, wrong_in_region_1)
    assert "entry 1: A > 0 and r = 0.5 < 1 − ε: the unclipped r·A is the minimum" in line


def test_ppo_grad_inconsistent_with_the_own_loss_fails_finite_differences(capsys) -> None:  # type: ignore[no-untyped-def]
    def odd(logp, logp_old, adv, eps):  # type: ignore[no-untyped-def]
        return ppo_clip_grad(logp, logp_old, adv, eps) * (1.5 if len(adv) == 12 else 1.0)

    assert "central finite differences of your ppo_clip_loss" in run(
        R.check_ppo_clip, capsys, ppo_clip_loss, odd)


def test_ppo_grad_of_wrong_shape_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_ppo_clip, capsys, ppo_clip_loss,
               lambda *a: float(np.sum(ppo_clip_grad(*a))))
    assert "returned one number, expected an array of shape (6,)" in line


# --------------------------------------------------------------------------------------
# check_reinforce_logit_grad and the digits bandit
# --------------------------------------------------------------------------------------


def test_logit_grad_precomputed_cases_are_right() -> None:
    np.testing.assert_allclose(reinforce_logit_grad(R._LG_Z, R._LG_A, R._LG_R, 0.5),
                               R._LG_EXPECTED, rtol=1e-14)
    np.testing.assert_allclose(reinforce_logit_grad(R._LG_BIG_Z, R._LG_BIG_A, R._LG_BIG_R, 0.5),
                               R._LG_BIG, atol=1e-300)


def test_reinforce_loss_of_logits_is_sklearns_log_loss_at_unit_advantage() -> None:
    rng = np.random.default_rng(7)
    logits, actions = rng.normal(0, 2, (50, 10)), rng.integers(0, 10, 50)
    value = R._reinforce_loss_of_logits(logits, actions, np.ones(50), 0.0)
    expected = log_loss(actions, softmax(logits, axis=1), labels=np.arange(10))
    assert value == pytest.approx(expected, rel=1e-12)


def test_expected_logit_grad_matches_finite_differences() -> None:
    rng = np.random.default_rng(8)
    logits, actions = rng.normal(0, 2, (6, 4)), rng.integers(0, 4, 6)
    rewards = rng.integers(0, 2, 6).astype(float)
    numeric = finite_difference_gradient(
        lambda z: R._reinforce_loss_of_logits(z.reshape(6, 4), actions, rewards, 0.4),
        logits.ravel()).reshape(6, 4)
    np.testing.assert_allclose(R._expected_logit_grad(logits, actions, rewards, 0.4), numeric,
                               atol=1e-9)


def _naive_softmax_grad(logits, actions, rewards, baseline):  # type: ignore[no-untyped-def]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -(np.eye(logits.shape[1])[actions] - probs) * (rewards - baseline)[:, None] / len(
        actions)


def _lg_variant(*, axis=1, weight=lambda r, b: r - b, subtract=True, divide=True,  # type: ignore[no-untyped-def]
                column=True):
    def fn(logits, actions, rewards, baseline):  # type: ignore[no-untyped-def]
        n, k = logits.shape
        probs = softmax(logits, axis=axis)
        diff = np.eye(k)[actions] - (probs if subtract else 0.0)
        w = weight(rewards, baseline)
        w = w[:, None] if column else w
        return -diff * w / (n if divide else 1)
    return fn


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda *a: -reinforce_logit_grad(*a), "the sign is flipped"),
        (_lg_variant(subtract=False), "the softmax is not subtracted"),
        (_lg_variant(divide=False), "divide by n"),
        (_lg_variant(axis=0), "the softmax runs down the columns"),
        (_lg_variant(weight=lambda r, b: r), "the baseline is missing"),
        (_lg_variant(weight=lambda r, b: r + b), "the baseline is added"),
        (_lg_variant(weight=lambda r, b: np.ones_like(r)), "the advantage weight is missing"),
        (_lg_variant(column=False), "multiplies the columns instead of the rows"),
        (_naive_softmax_grad, "subtract each row's maximum"),
        (lambda z, a, r, b: np.sum(reinforce_logit_grad(z, a, r, b), axis=1),
         "one entry per sample"),
        (lambda z, a, r, b: reinforce_logit_grad(z, a, r, b) if z.shape[1] == 3
         else np.zeros_like(z), "random logits of shape (1, 10)"),
        (lambda z, a, r, b: reinforce_logit_grad(z, a, r, b) if z.shape[0] != 4
         else 1.01 * reinforce_logit_grad(z, a, r, b), "central finite differences"),
        (lambda z, a, r, b: reinforce_logit_grad(z, a, r, b) if z.shape[0] < 100
         else np.zeros_like(z), "names only 10.0% of the 449 test digits"),
    ],
    ids=["sign", "no-softmax", "no-1/n", "axis-0", "no-baseline", "baseline-added",
         "no-advantage", "columns", "naive-softmax", "per-sample", "fixed-only", "fd",
         "training"],
)
def test_logit_grad_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_reinforce_logit_grad, capsys, wrong)


def test_the_sign_hint_reports_that_the_policy_learns_to_avoid_the_right_digit(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_reinforce_logit_grad, capsys, lambda *a: -reinforce_logit_grad(*a))
    assert "names 0% of the test digits correctly (chance: 10%)" in line
    assert "it learns to avoid the right answer" in line


def test_digits_bandit_is_the_scaled_bundled_digits() -> None:
    X_train, y_train, X_test, y_test = R.digits_bandit()
    assert X_train.shape == (1348, 64) and X_test.shape == (449, 64)
    assert y_train.dtype.kind == "i" and set(np.unique(y_train)) == set(range(10))
    assert y_test.shape == (449,) and set(np.unique(y_test)) == set(range(10))
    assert X_train.min() == 0.0 and X_train.max() == 1.0 and X_test.max() <= 1.0
    X_train[0, 0] = 99.0  # copies: the cache is not touched
    assert R.digits_bandit()[0][0, 0] != 99.0


def test_train_digits_bandit_with_the_solution_reaches_high_accuracy() -> None:
    result = R.train_digits_bandit(reinforce_logit_grad)
    assert result.test_accuracy == pytest.approx(430 / 449, abs=1e-12)
    assert result.test_accuracy >= R.DIGITS_MIN_ACCURACY + 0.1
    assert result.mean_reward.shape == result.baseline.shape == (R.DIGITS_STEPS,)
    assert result.mean_reward[0] == pytest.approx(0.1, abs=0.03)  # uniform policy: chance
    assert result.mean_reward[-1] > 0.9
    assert result.baseline[0] == 0.0 and 0.8 < result.baseline[-1] < 1.0
    assert result.weights.shape == (64, 10)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_train_digits_bandit_accuracy_does_not_hinge_on_the_seed(seed) -> None:  # type: ignore[no-untyped-def]
    result = R.train_digits_bandit(reinforce_logit_grad, seed=seed)
    assert result.test_accuracy >= R.DIGITS_MIN_ACCURACY + 0.08


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"steps": 0}, ValueError, "steps must be an integer >= 1"),
        ({"steps": 2.5}, ValueError, "steps must be an integer >= 1"),
        ({"lr": -1.0}, ValueError, "lr must be a positive finite number"),
        ({"lr": float("nan")}, ValueError, "lr must be a positive finite number"),
    ],
)
def test_train_digits_bandit_rejects_bad_arguments(kwargs, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        R.train_digits_bandit(reinforce_logit_grad, **kwargs)


def test_train_digits_bandit_rejects_bad_gradients() -> None:
    with pytest.raises(TypeError, match="must be a function"):
        R.train_digits_bandit(np.zeros((3, 3)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"logits' shape \(1348, 10\); got shape \(1348,\)"):
        R.train_digits_bandit(lambda z, a, r, b: np.zeros(len(a)), steps=1)
    with pytest.raises(ValueError, match="non-finite"):
        R.train_digits_bandit(lambda z, a, r, b: np.full(z.shape, np.nan), steps=1)


def test_logit_grad_index_error_gets_the_one_hot_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def float_index(logits, actions, rewards, baseline):  # type: ignore[no-untyped-def]
        return reinforce_logit_grad(logits, actions.astype(float), rewards, baseline)

    line = run(R.check_reinforce_logit_grad, capsys, float_index)
    assert "raised IndexError" in line and "np.eye(K)[actions]" in line
