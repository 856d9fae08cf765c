"""The reinforcement-learning losses of the registry: ppo_clip and policy_gradient.

The generic registry tests (tests/test_losses_*.py) cover gradients, reductions, bad input
and the reference for every registered loss; these pin down what is specific to the two
policy-gradient surrogates: the registry's (y_true, y_pred) mapping, the clip's
zero-gradient regions, extreme log-ratios, and autograd of stable-baselines3's expression.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lossviz import losses

EPS = 0.2


def sb3_policy_loss(advantages, log_ratio, clip_range):
    """stable-baselines3's PPO.train policy loss, per example (before the mean)."""
    ratio = np.exp(log_ratio)
    return -np.minimum(advantages * ratio,
                       advantages * np.clip(ratio, 1 - clip_range, 1 + clip_range))


def test_registry_mapping_is_advantages_and_log_ratios():
    loss = losses.get("ppo_clip")
    assert loss.task == "reinforcement learning" == losses.get("policy_gradient").task
    assert dict(loss.params) == {"clip_range": 0.2}
    assert "y_true" in loss.func.__doc__ and "log-ratio" in loss.func.__doc__


@pytest.mark.parametrize(
    ("adv", "ratio", "expected_loss", "expected_grad"),
    [
        (1.0, 1.1, -1.1, -1.1),  # A > 0 inside the band: -rA, gradient -rA
        (1.0, 1.5, -1.2, 0.0),  # A > 0 above 1 + eps: clipped, flat
        (1.0, 0.5, -0.5, -0.5),  # A > 0 below the band: unclipped (pessimistic) term
        (-1.0, 0.5, 0.8, 0.0),  # A < 0 below 1 - eps: clipped, flat
        (-1.0, 0.9, 0.9, 0.9),  # A < 0 inside the band
        (-1.0, 1.5, 1.5, 1.5),  # A < 0 above: unclipped, always pulled back
        (0.0, 1.5, 0.0, 0.0),
    ],
)
def test_ppo_clip_by_hand(adv, ratio, expected_loss, expected_grad):
    log_r = np.log([ratio])
    assert losses.ppo_clip([adv], log_r, reduction="sum") == pytest.approx(expected_loss)
    assert losses.ppo_clip_grad([adv], log_r, reduction="sum")[0] == pytest.approx(expected_grad)


def test_ppo_clip_is_sb3s_expression_elementwise():
    rng = np.random.default_rng(0)
    adv, log_r = rng.normal(size=200), rng.normal(0, 0.5, size=200)
    for eps in (0.1, 0.2, 0.3, 1.5):
        np.testing.assert_array_equal(
            losses.ppo_clip(adv, log_r, reduction="none", clip_range=eps),
            sb3_policy_loss(adv, log_r, eps) + 0.0)


def test_at_the_old_policy_ppo_is_the_policy_gradient():
    """At r = 1 (the first epoch) the clipped loss's gradient is REINFORCE's, -A."""
    rng = np.random.default_rng(1)
    adv = rng.normal(size=20)
    zero = np.zeros(20)
    np.testing.assert_allclose(losses.ppo_clip_grad(adv, zero, reduction="none"),
                               losses.policy_gradient_grad(adv, np.log(np.full(20, 0.3)),
                                                           reduction="none"))
    assert losses.ppo_clip(adv, zero) == pytest.approx(-adv.mean())


def test_gradient_is_zero_exactly_where_the_clip_holds():
    r = np.linspace(0.3, 2.0, 341)
    for adv in (1.3, -0.7):
        a = np.full_like(r, adv)
        grad = losses.ppo_clip_grad(a, np.log(r), reduction="none")
        away = np.abs(r - (1 + EPS if adv > 0 else 1 - EPS)) > 1e-9  # the kink itself aside
        frozen = r > 1 + EPS if adv > 0 else r < 1 - EPS
        assert np.all(grad[frozen & away] == 0.0)
        np.testing.assert_allclose(grad[~frozen & away], -r[~frozen & away] * adv, rtol=1e-15)


def test_a_clipped_sample_gives_no_incentive_to_move_further():
    """With A > 0 the loss is flat beyond 1 + eps: pushing r from 1.5 to 3 gains nothing."""
    assert losses.ppo_clip([2.0], [np.log(1.5)]) == losses.ppo_clip([2.0], [np.log(3.0)])
    assert losses.ppo_clip([2.0], [np.log(1.1)]) > losses.ppo_clip([2.0], [np.log(1.5)])


def test_extreme_log_ratios_give_exact_values_without_warnings():
    adv = np.array([1.0, 1.0, -1.0, -1.0, 0.0, 0.0])
    log_r = np.array([1e4, -1e4, 1e4, -1e4, 1e4, -1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = losses.ppo_clip(adv, log_r, reduction="none")
        grad = losses.ppo_clip_grad(adv, log_r, reduction="none")
    # A > 0: clipped at 1.2 above, -A r = 0 below; A < 0: |A| r = inf above, 0.8 below
    np.testing.assert_array_equal(loss, [-1.2, 0.0, np.inf, 0.8, 0.0, 0.0])
    np.testing.assert_array_equal(grad, [0.0, 0.0, np.inf, 0.0, 0.0, 0.0])
    assert not np.any(np.isnan(loss)) and not np.any(np.isnan(grad))


def test_a_huge_clip_range_is_the_unclipped_surrogate_for_positive_advantages():
    rng = np.random.default_rng(2)
    adv, log_r = np.abs(rng.normal(size=30)), rng.normal(0, 0.5, 30)
    np.testing.assert_allclose(losses.ppo_clip(adv, log_r, reduction="none", clip_range=1e6),
                               -np.exp(log_r) * adv, rtol=1e-15)


def test_clip_range_must_be_positive():
    with pytest.raises(ValueError, match=r"clip_range must be > 0; got 0\.0"):
        losses.ppo_clip([1.0], [0.0], clip_range=0.0)
    with pytest.raises(TypeError, match="clip_range must be a real number"):
        losses.ppo_clip_grad([1.0], [0.0], clip_range="0.2")


@pytest.mark.torch
@pytest.mark.parametrize("eps", [0.1, 0.2, 0.3])
def test_ppo_clip_gradient_is_autograd_of_sb3s_expression(eps):
    torch = pytest.importorskip("torch")
    loss = losses.get("ppo_clip")
    adv, log_r = loss.sample(np.random.default_rng(7), 40)  # away from the kinks
    x = torch.tensor(log_r, requires_grad=True)
    a = torch.tensor(adv)
    ratio = torch.exp(x)
    value = -torch.min(a * ratio, a * torch.clamp(ratio, 1 - eps, 1 + eps)).mean()
    (grad,) = torch.autograd.grad(value, x)
    np.testing.assert_allclose(losses.ppo_clip_grad(adv, log_r, clip_range=eps), grad.numpy(),
                               rtol=1e-12, atol=1e-15)
    assert losses.ppo_clip(adv, log_r, clip_range=eps) == pytest.approx(float(value.detach()),
                                                                        rel=1e-12)


# -- policy_gradient ------------------------------------------------------------------------


def test_policy_gradient_by_hand():
    log_p = np.log([0.5, 0.25])
    np.testing.assert_allclose(losses.policy_gradient([2.0, -1.0], log_p, reduction="none"),
                               [2 * np.log(2), -np.log(4)])
    np.testing.assert_array_equal(losses.policy_gradient_grad([2.0, -1.0], log_p), [-1.0, 0.5])


def test_policy_gradient_refuses_positive_log_probabilities_with_a_hint():
    with pytest.raises(ValueError, match=r"log-probabilities log pi\(a\|s\) <= 0.*log_softmax"):
        losses.policy_gradient([1.0], [0.3])
    with pytest.raises(ValueError, match="y_pred must contain log-probabilities"):
        losses.policy_gradient_grad([1.0, 1.0], [-0.1, 2.0])
    assert losses.policy_gradient([1.0], [0.0]) == 0.0  # a sure action: log pi = 0 is fine


@pytest.mark.torch
def test_policy_gradient_gradient_with_respect_to_the_logits_is_autograd():
    """Chained through log_softmax, -A log pi(a) has gradient -A (e_a - pi): torch agrees."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 4))
    a = rng.integers(0, 4, 6)
    adv = rng.normal(size=6)
    zt = torch.tensor(z, requires_grad=True)
    log_p = torch.log_softmax(zt, dim=1)[torch.arange(6), torch.tensor(a)]
    (grad,) = torch.autograd.grad(-(torch.tensor(adv) * log_p).mean(), zt)
    log_pi = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    d = losses.policy_gradient_grad(adv, log_pi[np.arange(6), a])
    ours = d[:, None] * (np.eye(4)[a] - np.exp(log_pi))
    np.testing.assert_allclose(ours, grad.numpy(), rtol=1e-12, atol=1e-15)
