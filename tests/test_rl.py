"""Chapter 06's numerical core: returns, GAE, TD vs MC, REINFORCE, entropy, PPO, digits.

Every claim the chapter makes is asserted against an independent computation: direct sums,
transcriptions of stable-baselines3's loops, a Bellman linear solve, central finite
differences, plain-loop re-implementations and sampling (with a tolerance of several
standard errors).
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from scipy.special import log_softmax, softmax

from lossviz import losses, rl

RNG = np.random.default_rng(20261122)


def random_trace(n: int, seed: int, with_dones: bool = True):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=n)
    values = rng.normal(size=n)
    dones = (rng.random(n) < 0.25).astype(float) if with_dones else np.zeros(n)
    return rewards, values, dones, float(rng.normal())


def direct_returns(rewards, gamma, dones, last_value):
    """G_t as an explicit sum over the rest of the episode (no recursion)."""
    n = rewards.size
    out = np.empty(n)
    for t in range(n):
        total, discount, k = 0.0, 1.0, t
        while True:
            total += discount * rewards[k]
            if dones[k]:
                break
            discount *= gamma
            k += 1
            if k == n:
                total += discount * last_value
                break
        out[t] = total
    return out


def sb3_gae(rewards, values, dones, last_value, gamma, lam):
    """stable-baselines3's RolloutBuffer.compute_returns_and_advantage, transcribed.

    SB3 stores ``episode_starts[t]`` (step t begins a new episode) and the ``dones`` of the
    last step; ours are "the episode ended after step t", so episode_starts[t + 1] = dones[t].
    """
    n = rewards.size
    episode_starts = np.concatenate([[1.0], dones[:-1]])
    advantages = np.zeros(n)
    last_gae_lam = 0.0
    for step in reversed(range(n)):
        if step == n - 1:
            next_non_terminal = 1.0 - dones[-1]
            next_values = last_value
        else:
            next_non_terminal = 1.0 - episode_starts[step + 1]
            next_values = values[step + 1]
        delta = rewards[step] + gamma * next_values * next_non_terminal - values[step]
        last_gae_lam = delta + gamma * lam * next_non_terminal * last_gae_lam
        advantages[step] = last_gae_lam
    return advantages, advantages + values


# -- returns, TD errors, GAE ----------------------------------------------------------------


@pytest.mark.parametrize("module", ["lossviz.rl", "lossviz.losses.rl"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), extraglobs={"np": np})
    assert result.attempted > 0 and result.failed == 0


def test_discounted_returns_of_a_sparse_reward():
    np.testing.assert_allclose(rl.discounted_returns([0, 0, 1], 0.9), [0.81, 0.9, 1.0])


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.99, 1.0])
def test_discounted_returns_equal_the_explicit_sum(seed, gamma):
    r, _, d, last = random_trace(12, seed)
    ours = rl.discounted_returns(r, gamma, d, last_value=last)
    np.testing.assert_allclose(ours, direct_returns(r, gamma, d, last), rtol=1e-12, atol=1e-12)


def test_a_done_flag_stops_the_return_and_the_bootstrap():
    g = rl.discounted_returns([1.0, 1.0, 1.0], 0.5, dones=[0, 0, 1], last_value=100.0)
    np.testing.assert_array_equal(g, [1.75, 1.5, 1.0])
    g = rl.discounted_returns([1.0, 1.0, 1.0], 0.5, last_value=8.0)
    np.testing.assert_array_equal(g, [2.75, 3.5, 5.0])


def test_td_errors_by_hand():
    delta = rl.td_errors([0.0, 1.0], [0.5, 0.2], 0.9, last_value=1.0)
    np.testing.assert_allclose(delta, [0.0 + 0.9 * 0.2 - 0.5, 1.0 + 0.9 * 1.0 - 0.2])


@pytest.mark.parametrize("seed", range(5))
def test_gae_with_lambda_zero_is_the_td_error(seed):
    r, v, d, last = random_trace(15, seed)
    np.testing.assert_allclose(
        rl.gae(r, v, 0.95, 0.0, d, last_value=last),
        rl.td_errors(r, v, 0.95, d, last_value=last), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_gae_with_lambda_one_is_the_monte_carlo_advantage(seed):
    r, v, d, last = random_trace(15, seed)
    mc = direct_returns(r, 0.95, d, last) - v
    np.testing.assert_allclose(rl.gae(r, v, 0.95, 1.0, d, last_value=last), mc,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("gamma", "lam"), [(0.99, 0.95), (0.9, 0.5), (1.0, 0.3)])
def test_gae_is_the_weighted_sum_of_td_errors(gamma, lam):
    r, v, _, last = random_trace(10, 7, with_dones=False)
    delta = rl.td_errors(r, v, gamma, last_value=last)
    direct = [sum((gamma * lam) ** k * delta[t + k] for k in range(10 - t)) for t in range(10)]
    np.testing.assert_allclose(rl.gae(r, v, gamma, lam, last_value=last), direct, rtol=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("gamma", "lam"), [(0.99, 0.95), (0.9, 0.0), (0.8, 1.0)])
def test_gae_matches_stable_baselines3s_loop(seed, gamma, lam):
    r, v, d, last = random_trace(20, seed)
    adv, returns = sb3_gae(r, v, d, last, gamma, lam)
    np.testing.assert_allclose(rl.gae(r, v, gamma, lam, d, last_value=last), adv, rtol=1e-13,
                               atol=1e-13)
    np.testing.assert_allclose(rl.lambda_returns(r, v, gamma, lam, d, last_value=last),
                               returns, rtol=1e-13, atol=1e-13)


def test_lambda_returns_with_lambda_one_are_the_returns():
    r, v, d, last = random_trace(9, 3)
    np.testing.assert_allclose(rl.lambda_returns(r, v, 0.9, 1.0, d, last_value=last),
                               rl.discounted_returns(r, 0.9, d, last_value=last), rtol=1e-12)


def test_gae_weights():
    np.testing.assert_allclose(rl.gae_weights(0.9, 0.5, 4), 0.45 ** np.arange(4))
    np.testing.assert_array_equal(rl.gae_weights(0.9, 0.0, 3), [1.0, 0.0, 0.0])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rl.discounted_returns([1.0], 1.5), r"gamma must lie in \[0.0, 1.0\]"),
        (lambda: rl.gae([1.0], [0.0], 0.9, -0.1), r"lam must lie in"),
        (lambda: rl.gae([1.0, 2.0], [0.0], 0.9, 0.9), r"values must hold V\(s_t\).*\(2,\)"),
        (lambda: rl.td_errors([[1.0]], [[0.0]], 0.9), r"rewards must be a 1-D trace"),
        (lambda: rl.discounted_returns([1.0, 2.0], 0.9, dones=[0, 2]), "dones must contain 0/1"),
        (lambda: rl.discounted_returns([1.0, 2.0], 0.9, dones=[0]), r"dones must have one flag"),
        (lambda: rl.discounted_returns([1.0, np.nan], 0.9), "rewards must contain only finite"),
        (lambda: rl.gae_weights(0.9, 0.9, 0), "n must be >= 1"),
    ],
)
def test_bad_traces_are_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_numeric_rewards_are_a_type_error():
    with pytest.raises(TypeError, match="rewards must be an array of numbers"):
        rl.discounted_returns("abc", 0.9)


# -- the random walk ----------------------------------------------------------------------


def test_random_walk_true_values_solve_the_bellman_equations():
    n = 5
    # v(s) = 0.5 (r + v(s-1)) + 0.5 (r + v(s+1)), terminals worth 0, reward 1 into n + 1
    A = np.eye(n)
    b = np.zeros(n)
    for i in range(n):
        if i > 0:
            A[i, i - 1] -= 0.5
        if i < n - 1:
            A[i, i + 1] -= 0.5
        else:
            b[i] += 0.5
    np.testing.assert_allclose(rl.random_walk_true_values(n), np.linalg.solve(A, b), rtol=1e-14)
    np.testing.assert_allclose(rl.random_walk_true_values(), np.arange(1, 6) / 6)


def test_td0_update_is_a_gradient_step_on_half_the_squared_td_error_with_the_target_fixed():
    v = np.array([0.1, 0.4, 0.7])
    new, delta, loss = rl.td0_update(v, 1, 0.5, 2, alpha=0.2, gamma=0.9)
    target = 0.5 + 0.9 * 0.7
    assert delta == pytest.approx(target - 0.4) and loss == pytest.approx(0.5 * delta**2)
    h = 1e-6  # d/dV(s) of 0.5 (target - V(s))^2, target held fixed
    slope = (0.5 * (target - (0.4 + h)) ** 2 - 0.5 * (target - (0.4 - h)) ** 2) / (2 * h)
    np.testing.assert_allclose(new, [0.1, 0.4 - 0.2 * slope, 0.7], rtol=1e-9)
    done, delta_done, _ = rl.td0_update(v, 1, 1.0, 2, alpha=0.5, done=True)
    assert delta_done == pytest.approx(1.0 - 0.4) and done[1] == pytest.approx(0.7)


def plain_td_and_mc(path, lengths, run, alpha_td, alpha_mc, n_states=5, init=0.5):
    """One run of TD(0) and of constant-alpha MC, written as plain loops over episodes."""
    v_td = np.full(n_states + 2, init)
    v_mc = np.full(n_states + 2, init)
    v_td[0] = v_td[-1] = v_mc[0] = v_mc[-1] = 0.0
    hist_td, hist_mc = [v_td[1:-1].copy()], [v_mc[1:-1].copy()]
    for e in range(path.shape[1]):
        states = path[run, e, : lengths[run, e] + 1]
        for s, s2 in itertools.pairwise(states):
            r = 1.0 if s2 == n_states + 1 else 0.0
            v_td[s] += alpha_td * (r + v_td[s2] - v_td[s])
        g = 1.0 if states[-1] == n_states + 1 else 0.0
        for s in states[:-1]:
            v_mc[s] += alpha_mc * (g - v_mc[s])
        hist_td.append(v_td[1:-1].copy())
        hist_mc.append(v_mc[1:-1].copy())
    return np.array(hist_td), np.array(hist_mc)


@pytest.fixture(scope="module")
def td_mc():
    return rl.td_vs_mc()


def test_td_vs_mc_agrees_with_plain_loops(td_mc):
    path, lengths = rl._walk_episodes(np.random.default_rng(0), 100, 100, 5)
    for run in (0, 37):
        td, mc = plain_td_and_mc(path, lengths, run, alpha_td=0.1, alpha_mc=0.02)
        np.testing.assert_allclose(td_mc.values_td[1, run], td, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(td_mc.values_mc[1, run], mc, rtol=1e-12, atol=1e-14)


def test_td_learns_faster_than_monte_carlo_on_the_random_walk(td_mc):
    start = np.sqrt(np.mean((0.5 - rl.random_walk_true_values()) ** 2))
    assert np.all(td_mc.rms_td[:, 0] == pytest.approx(start)) and start == pytest.approx(0.2357,
                                                                                          abs=1e-4)
    best_td, best_mc = td_mc.rms_td[:, -1].min(), td_mc.rms_mc[:, -1].min()
    assert best_td < 0.04 < 0.075 < best_mc  # 0.038 (alpha 0.05) vs 0.079 (alpha 0.02)
    assert np.all(td_mc.rms_td[:, 25] < td_mc.rms_mc[:, 25].min())


def test_td_vs_mc_bias_variance_decomposes_the_mse(td_mc):
    bv = td_mc.bias_variance("td", 0.1, 10)
    est = td_mc.values_td[1, :, 10, :]
    np.testing.assert_allclose(bv["mse"], np.mean((est - td_mc.true_values) ** 2, axis=0),
                               rtol=1e-12)
    # early on both are biased towards the initial 0.5 (outer states most)
    assert bv["bias"][0] > 0.1 and bv["bias"][-1] < -0.1
    assert td_mc.bias_variance("mc", 0.02, 100)["variance"].mean() > \
        td_mc.bias_variance("td", 0.05, 100)["variance"].mean()
    with pytest.raises(ValueError, match="alpha must be one of"):
        td_mc.bias_variance("td", 0.3, 10)


def test_td_vs_mc_is_deterministic_and_fast():
    start = time.perf_counter()
    a = rl.td_vs_mc(n_runs=20, n_episodes=30, seed=4)
    assert time.perf_counter() - start < 3.0
    b = rl.td_vs_mc(n_runs=20, n_episodes=30, seed=4)
    np.testing.assert_array_equal(a.values_td, b.values_td)
    np.testing.assert_array_equal(a.rms_mc, b.rms_mc)


@pytest.mark.parametrize("state", [1, 2, 3, 4, 5])
def test_with_a_perfect_critic_both_targets_are_unbiased_and_td_has_less_variance(state):
    stats = rl.target_statistics(rl.random_walk_true_values(), state, n_samples=40_000)
    v = state / 6
    assert stats.td_bias == pytest.approx(0.0, abs=1e-15) and stats.mc_bias == 0.0
    assert stats.mc_variance == pytest.approx(v * (1 - v))
    assert stats.td_variance == pytest.approx(1 / 36)  # neighbours differ by 2/6
    assert stats.td_variance < stats.mc_variance
    se = np.sqrt(stats.mc_variance / 40_000)
    assert abs(stats.sampled["mc_mean"] - v) < 4 * se
    assert stats.sampled["td_variance"] == pytest.approx(stats.td_variance, rel=0.05)
    assert stats.sampled["mc_variance"] == pytest.approx(stats.mc_variance, rel=0.05)


def test_a_wrong_critic_biases_the_td_target_but_not_the_monte_carlo_return():
    stats = rl.target_statistics(np.full(5, 0.5), 2)
    assert stats.td_bias == pytest.approx(0.5 - 2 / 6) and stats.td_variance == 0.0
    assert stats.sampled["td_bias"] == pytest.approx(1 / 6, abs=1e-12)
    assert abs(stats.sampled["mc_bias"]) < 0.01


# -- entropy ----------------------------------------------------------------------------------


def test_entropy_is_log_k_at_uniform_and_zero_for_a_sure_action():
    assert rl.entropy(np.zeros(4)) == pytest.approx(np.log(4))
    assert rl.entropy([1e4, -1e4, 0.0]) == 0.0
    np.testing.assert_allclose(rl.entropy_gradient(np.zeros(4)), 0.0, atol=1e-16)


def test_entropy_gradient_matches_finite_differences():
    z = RNG.normal(size=(3, 5))
    grad = rl.entropy_gradient(z)
    for idx in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[idx] += 1e-6
        down[idx] -= 1e-6
        numeric = (np.sum(rl.entropy(up)) - np.sum(rl.entropy(down))) / 2e-6
        assert grad[idx] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


# -- bandits ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bandit():
    return rl.deceptive_bandit()


def test_deceptive_bandit_hides_the_best_arm_behind_a_rare_payout(bandit):
    np.testing.assert_allclose(bandit.means, [6.0, 6.5, 5.5])
    assert bandit.best_arm == 1 and bandit.names == ("safe", "jackpot", "coin")
    np.testing.assert_allclose(bandit.second_moments, [36.0, 0.95 * 25 + 0.05 * 35**2, 30.5])
    rewards = bandit.pull(np.repeat(np.arange(3), 40_000), np.random.default_rng(1))
    np.testing.assert_allclose(rewards.reshape(3, -1).mean(axis=1), bandit.means, atol=0.1)
    assert set(np.unique(rewards)) == {5.0, 6.0, 35.0}


def test_bandit_refuses_inconsistent_arms():
    with pytest.raises(ValueError, match="sum to 1"):
        rl.Bandit(outcomes=((1.0,), (0.0, 1.0)), probs=((1.0,), (0.5, 0.4)))
    with pytest.raises(ValueError, match="at least 2"):
        rl.Bandit(outcomes=((1.0,),), probs=((1.0,),))
    with pytest.raises(ValueError, match="arms must be integers"):
        rl.deceptive_bandit().pull(np.array([0, 3]), np.random.default_rng(0))


def test_bandit_gradient_matches_finite_differences(bandit):
    z = np.array([0.3, -0.5, 1.2])
    grad = rl.bandit_gradient(bandit, z)
    for k in range(3):
        e = np.eye(3)[k] * 1e-6
        numeric = (bandit.expected_reward(z + e) - bandit.expected_reward(z - e)) / 2e-6
        assert grad[k] == pytest.approx(numeric, rel=1e-7)


def test_reinforce_estimate_is_minus_the_chain_ruled_policy_gradient_loss(bandit):
    """The estimator is exactly -dL/dθ of lossviz.losses.policy_gradient (mean) on the batch."""
    z = np.array([0.2, -0.4, 0.1])
    rng = np.random.default_rng(3)
    arms = rng.integers(0, 3, 16)
    rewards = bandit.pull(arms, rng)
    b = 5.7
    log_p = log_softmax(z)[arms]
    d_logp = losses.policy_gradient_grad(rewards - b, log_p)  # d L / d log pi(a_i)
    dz = np.sum(d_logp[:, None] * (np.eye(3)[arms] - softmax(z)), axis=0)
    estimate = rl._bandit_estimates(bandit, softmax(z), arms, rewards, b)
    np.testing.assert_allclose(estimate, -dz, rtol=1e-12)


@pytest.fixture(scope="module")
def bandit_variance(bandit):
    return rl.bandit_gradient_variance(bandit, np.zeros(3), batch_size=4, n_batches=20_000)


def test_bandit_estimates_are_unbiased_with_and_without_baseline(bandit_variance):
    for gv in bandit_variance.values():
        se = np.sqrt(gv.exact_variance / gv.n_estimates)  # per-component bound
        assert np.all(np.abs(gv.mean_estimate - gv.true_gradient) < 5 * se)


def test_bandit_baseline_cuts_the_variance_as_computed_exactly(bandit_variance):
    none, value = bandit_variance["none"], bandit_variance["value"]
    assert none.exact_variance == pytest.approx(8.4028, rel=1e-4)
    assert value.exact_variance == pytest.approx(2.4028, rel=1e-4)
    for gv in (none, value):
        assert gv.variance == pytest.approx(gv.exact_variance, rel=0.05)


@pytest.fixture(scope="module")
def bandit_runs(bandit):
    return {(b, c): rl.train_bandit(bandit, baseline=b, ent_coef=c)
            for b in (False, True) for c in (0.0, 0.5)}


def test_only_baseline_and_entropy_together_find_the_jackpot(bandit_runs):
    rates = {k: run.success_rate for k, run in bandit_runs.items()}
    assert rates[(False, 0.0)] == pytest.approx(0.39)
    assert rates[(False, 0.5)] == pytest.approx(0.40)
    assert rates[(True, 0.0)] == pytest.approx(0.37)
    assert rates[(True, 0.5)] == pytest.approx(0.97)
    assert bandit_runs[(True, 0.5)].expected_reward[:, -1].mean() > 6.45
    assert bandit_runs[(False, 0.0)].expected_reward[:, -1].mean() < 6.1


def test_bandit_runs_are_fast_deterministic_and_consistent(bandit, bandit_runs):
    run = bandit_runs[(True, 0.5)]
    assert run.seconds < 3.0
    again = rl.train_bandit(bandit, baseline=True, ent_coef=0.5)
    np.testing.assert_array_equal(run.probs, again.probs)
    np.testing.assert_allclose(run.expected_reward, run.probs @ bandit.means)
    np.testing.assert_allclose(run.probs.sum(axis=-1), 1.0)
    exact = rl._exact_bandit_variance(bandit, run.probs[:, 5], run.baseline_values[:, 5], 4)
    np.testing.assert_allclose(run.grad_variance[:, 5], exact)
    # without a baseline the first step's gradient variance is ~3x larger (8.40 vs 2.85)
    assert bandit_runs[(False, 0.0)].grad_variance[:, 0].mean() == pytest.approx(8.4028,
                                                                                rel=1e-4)
    assert run.grad_variance[:, 0].mean() == pytest.approx(2.8472, rel=1e-3)
    assert np.all(bandit_runs[(False, 0.0)].baseline_values == 0.0)


# -- the gridworld ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world():
    return rl.GridWorld()


def test_gridworld_is_russell_and_norvigs_four_by_three(world):
    assert world.n_states == 11 and world.cells[world.start] == (2, 0)
    assert [world.cells[s] for s in np.flatnonzero(world.terminal)] == [(0, 3), (1, 3)]
    np.testing.assert_allclose(world.P.sum(axis=-1), 1.0)
    # "up" from the start: 0.8 up, 0.1 right, 0.1 left (a wall: stay)
    up = world.P[world.start, 0]
    assert up[world.cells.index((1, 0))] == pytest.approx(0.8)
    assert up[world.cells.index((2, 1))] == pytest.approx(0.1)
    assert up[world.start] == pytest.approx(0.1)


def test_gridworld_expected_return_matches_sampled_episodes(world):
    z = np.random.default_rng(2).normal(size=(world.n_states, 4))
    ep = world.sample(z, 20_000, np.random.default_rng(5))
    g = ep.total_return
    assert abs(g.mean() - world.expected_return(z)) < 4 * g.std() / np.sqrt(g.size)
    # an episode's returns are discounted_returns of its rewards
    k = 3
    np.testing.assert_allclose(ep.returns[k], rl.discounted_returns(ep.rewards[k], world.gamma),
                               rtol=1e-12, atol=1e-15)


def test_gridworld_policy_gradient_matches_finite_differences(world):
    z = np.random.default_rng(4).normal(size=(world.n_states, 4))
    grad = world.policy_gradient(z)
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[idx] += 1e-6
        down[idx] -= 1e-6
        numeric[idx] = (world.expected_return(up) - world.expected_return(down)) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)


def test_optimal_return_bounds_every_policy(world):
    best = rl._optimal_return(world)
    assert best == pytest.approx(0.5011, abs=1e-4)
    assert world.expected_return(np.zeros((world.n_states, 4))) == pytest.approx(-0.5943,
                                                                                 abs=1e-4)
    zs = np.random.default_rng(0).normal(0, 3, size=(50, world.n_states, 4))
    assert np.all(world.expected_return(zs) <= best + 1e-12)


@pytest.fixture(scope="module")
def grid_variance(world):
    return rl.gridworld_gradient_variance(world, n_episodes=4000, batch_size=16)


def test_gridworld_reinforce_is_unbiased_for_every_baseline(world, grid_variance):
    for gv in grid_variance.values():
        # per-parameter standard error of the mean of 4000 single-episode estimates
        assert gv.relative_bias < 0.25
        cos = gv.mean_estimate.ravel() @ gv.true_gradient.ravel() / (
            np.linalg.norm(gv.mean_estimate) * np.linalg.norm(gv.true_gradient))
        assert cos > 0.97


def test_gridworld_baselines_cut_the_gradient_variance(grid_variance):
    v = {k: gv.variance for k, gv in grid_variance.items()}
    assert v["none"] > 2.0 * v["value"] and v["none"] > v["constant"] > v["value"]
    assert v["none"] == pytest.approx(0.1669, rel=1e-3)
    assert v["value"] == pytest.approx(0.0612, rel=1e-3)


def test_gridworld_learning_curves_with_and_without_baseline(world):
    start = time.perf_counter()
    plain = rl.train_gridworld(world, baseline=False)
    with_b = rl.train_gridworld(world, baseline=True)
    assert time.perf_counter() - start < 3.0
    assert plain.expected_return[:, 0] == pytest.approx(-0.5943, abs=1e-4)
    final_plain, final_b = plain.expected_return[:, -1].mean(), with_b.expected_return[:, -1].mean()
    assert final_b > final_plain + 0.1  # 0.283 vs 0.078
    assert final_b == pytest.approx(0.2827, abs=1e-3)
    assert np.all(with_b.value_loss[:, 1:] > 0) and np.all(plain.value_loss == 0)
    assert (with_b.expected_return[:, -1] < 0).mean() < (plain.expected_return[:, -1] < 0).mean()


# -- PPO ----------------------------------------------------------------------------------------


def sb3_total_loss(log_prob, old_log_prob, advantages, values, returns, entropy,
                   clip_range, vf_coef, ent_coef):
    """stable-baselines3's PPO.train loss, transcribed in numpy (normalize_advantage=True)."""
    advantages = (advantages - advantages.mean()) / (advantages.std(ddof=1) + 1e-8)
    ratio = np.exp(log_prob - old_log_prob)
    policy_loss_1 = advantages * ratio
    policy_loss_2 = advantages * np.clip(ratio, 1 - clip_range, 1 + clip_range)
    policy_loss = -np.minimum(policy_loss_1, policy_loss_2).mean()
    value_loss = np.mean((returns - values) ** 2)
    entropy_loss = -np.mean(-log_prob) if entropy is None else -np.mean(entropy)
    return policy_loss + ent_coef * entropy_loss + vf_coef * value_loss


@pytest.mark.parametrize("with_entropy", [True, False])
@pytest.mark.parametrize(("clip", "vf", "ent"), [(0.2, 0.5, 0.0), (0.1, 1.0, 0.01)])
def test_ppo_objective_is_stable_baselines3s_loss(with_entropy, clip, vf, ent):
    rng = np.random.default_rng(9)
    n = 32
    lp, olp = np.log(rng.uniform(0.05, 1, n)), np.log(rng.uniform(0.05, 1, n))
    adv, values, returns = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    entropy = rng.uniform(0, 1.4, n) if with_entropy else None
    obj = rl.ppo_objective(lp, olp, adv, values, returns, entropy, clip_range=clip,
                           vf_coef=vf, ent_coef=ent)
    expected = sb3_total_loss(lp, olp, adv, values, returns, entropy, clip, vf, ent)
    assert obj.total == pytest.approx(expected, rel=1e-12)
    assert obj.total == pytest.approx(obj.policy_loss + obj.vf_term + obj.ent_term, rel=1e-14)
    ratio = np.exp(lp - olp)
    assert obj.clip_fraction == np.mean(np.abs(ratio - 1) > clip)
    assert obj.approx_kl == pytest.approx(np.mean((ratio - 1) - (lp - olp)), rel=1e-12)


@pytest.mark.torch
def test_ppo_objective_matches_stable_baselines3s_expressions_in_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(10)
    n = 40
    lp, olp = np.log(rng.uniform(0.05, 1, n)), np.log(rng.uniform(0.05, 1, n))
    adv, values, returns, ent = (rng.normal(size=n) for _ in range(4))
    t = {k: torch.tensor(x) for k, x in dict(lp=lp, olp=olp, adv=adv, v=values, ret=returns,
                                               ent=ent).items()}
    advantages = (t["adv"] - t["adv"].mean()) / (t["adv"].std() + 1e-8)
    ratio = torch.exp(t["lp"] - t["olp"])
    policy_loss_1 = advantages * ratio
    policy_loss_2 = advantages * torch.clamp(ratio, 1 - 0.2, 1 + 0.2)
    policy_loss = -torch.min(policy_loss_1, policy_loss_2).mean()
    value_loss = F.mse_loss(t["ret"], t["v"])
    entropy_loss = -torch.mean(t["ent"])
    loss = policy_loss + 0.01 * entropy_loss + 0.5 * value_loss
    obj = rl.ppo_objective(lp, olp, adv, values, returns, ent, ent_coef=0.01)
    assert obj.policy_loss == pytest.approx(float(policy_loss), rel=1e-12)
    assert obj.value_loss == pytest.approx(float(value_loss), rel=1e-12)
    assert obj.total == pytest.approx(float(loss), rel=1e-12)


def test_ppo_objective_at_the_old_policy_has_no_clipping_and_no_kl():
    rng = np.random.default_rng(1)
    lp = np.log(rng.uniform(0.1, 1, 10))
    obj = rl.ppo_objective(lp, lp, rng.normal(size=10), np.zeros(10), np.zeros(10))
    assert obj.clip_fraction == 0.0 and obj.approx_kl == 0.0
    assert obj.policy_loss == pytest.approx(0.0, abs=1e-15)  # -mean of normalised advantages


def test_ppo_objective_refuses_mismatched_batches():
    with pytest.raises(ValueError, match=r"advantages must have shape \(3,\)"):
        rl.ppo_objective(np.zeros(3), np.zeros(3), np.zeros(2), np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="clip_range must be > 0"):
        rl.ppo_objective(np.zeros(3), np.zeros(3), np.ones(3), np.zeros(3), np.zeros(3),
                         clip_range=0.0)


@pytest.mark.parametrize("seed", range(3))
def test_batch_gae_is_gae_per_episode(world, seed):
    ep = world.sample(np.zeros((world.n_states, 4)), 6, np.random.default_rng(seed))
    v = np.random.default_rng(seed).normal(size=world.n_states)
    batch = rl._batch_gae(ep.rewards, v[ep.states], ep.alive, world.gamma, 0.9)
    for k in range(6):
        n = int(ep.alive[k].sum())
        expected = rl.gae(ep.rewards[k, :n], v[ep.states[k, :n]], world.gamma, 0.9)
        np.testing.assert_allclose(batch[k, :n], expected, rtol=1e-12, atol=1e-15)
        assert np.all(batch[k, n:] == 0.0)


@pytest.mark.parametrize("eps", [0.2, np.inf])
def test_ppo_tabular_gradients_match_finite_differences(world, eps):
    rng = np.random.default_rng(6)
    n = 40
    s = rng.integers(0, world.n_states, n)
    a = rng.integers(0, 4, n)
    z0 = rng.normal(size=(world.n_states, 4))
    z = z0 + rng.normal(0, 0.3, size=z0.shape)
    batch = rl._TabularBatch(s=s, a=a, advantages=rng.normal(size=n),
                             returns=rng.normal(size=n), old_log_prob=log_softmax(z0, -1)[s, a])
    v = rng.normal(size=world.n_states)
    _, g_z, g_v = rl._ppo_tabular_loss(z, v, batch, eps, 0.5, 0.01)

    def total(zz, vv):
        return rl._ppo_tabular_loss(zz, vv, batch, eps, 0.5, 0.01)[0]["total_loss"]

    for idx in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[idx] += 1e-6
        down[idx] -= 1e-6
        assert g_z[idx] == pytest.approx((total(up, v) - total(down, v)) / 2e-6, abs=1e-7)
    for i in range(v.size):
        e = np.eye(v.size)[i] * 1e-6
        assert g_v[i] == pytest.approx((total(z, v + e) - total(z, v - e)) / 2e-6, abs=1e-7)


def test_ppo_epochs_start_at_the_old_policy(world):
    run = rl.ppo_epochs(world, epochs=3)
    assert run.kl[0] == 0.0 and run.clip_fraction[0] == 0.0 and run.approx_kl[0] == 0.0
    assert run.expected_return[0] == pytest.approx(world.expected_return(np.zeros((11, 4))))
    assert run.policy_loss[0] == pytest.approx(0.0, abs=1e-12)
    assert run.total_loss[0] == pytest.approx(run.policy_loss[0] + 0.5 * run.value_loss[0])
    assert np.all(np.diff(run.kl) > 0)


@pytest.fixture(scope="module")
def clip_comparison(world):
    return rl.ppo_clip_comparison(world)


def test_warm_start_is_a_partly_trained_policy(world):
    z, v = rl.gridworld_warm_start(world)
    assert world.expected_return(z) == pytest.approx(0.1750, abs=1e-4)
    assert v[world.start] == pytest.approx(world.expected_return(z))


def test_clipping_bounds_the_kl_and_keeps_the_gain(clip_comparison):
    c = clip_comparison
    assert c.seconds < 3.0
    kl_c, kl_u = c.kl["clipped"].mean(axis=0), c.kl["unclipped"].mean(axis=0)
    assert kl_c[1] == pytest.approx(kl_u[1])  # the first step is the same
    assert kl_u[-1] > 5 * kl_c[-1]  # 1.27 vs 0.16
    j_c, j_u = c.expected_return["clipped"].mean(axis=0), c.expected_return["unclipped"].mean(0)
    assert j_u.max() > j_u[-1] + 0.1  # unclipped: rises, then falls (0.335 -> 0.154)
    assert j_c[-1] > j_u[-1] + 0.1 and j_c[-1] > j_c[0] + 0.1  # 0.307 > 0.154; > 0.175
    assert c.expected_return["clipped"][:, -1].min() > c.expected_return["unclipped"][:, -1].min()
    assert c.clip_fraction["clipped"].mean(axis=0)[-1] < c.clip_fraction["unclipped"].mean(0)[-1]


# -- the policy loss is not a progress signal ---------------------------------------------------


def test_loss_falls_at_every_step_while_the_return_falls():
    case = rl.falling_loss_falling_return()
    assert np.all(np.diff(case.loss) < 0) and np.all(np.diff(case.expected_return) < 0)
    assert case.loss[0] == pytest.approx(-1.1535, abs=1e-4) and case.loss[-1] < -13.0
    assert case.expected_return[0] == pytest.approx(1.9 / 3) and case.expected_return[-1] < 1e-3
    assert case.probs[-1, 2] > 0.999  # all mass on the arm nobody sampled
    # with the batch mean as baseline the same loss also falls, and the return rises
    assert np.all(np.diff(case.loss_fair) < 0) and np.all(np.diff(case.expected_return_fair) > 0)
    # the surrogate is the registered policy_gradient loss
    log_p = np.full(6, -np.log(3.0))
    assert case.loss[0] == pytest.approx(losses.policy_gradient(case.rewards - 2.0, log_p))


# -- digits as a contextual bandit --------------------------------------------------------------


def test_digits_bandit_learns_from_one_bit_but_slower_than_supervision():
    start = time.perf_counter()
    result = rl.digits_bandit()
    assert time.perf_counter() - start < 6.0  # ~1.5 s of training plus scikit-learn's import
    assert sum(result.seconds.values()) < 3.0
    acc = result.final_accuracy()
    assert acc["supervised"] > 0.96 and acc["reinforce"] > 0.94 and acc["reinforce_baseline"] > 0.94
    assert acc["supervised"] >= max(acc["reinforce"], acc["reinforce_baseline"])
    first = {m: a[0] for m, a in result.test_accuracy.items()}
    assert first["supervised"] > first["reinforce"] + 0.1  # 0.93 vs 0.78 after one epoch
    assert result.n_train == 1348 and result.n_test == 449
    assert result.mean_reward["reinforce"][-1] > 0.9


def test_bad_arguments_are_refused_by_name(world):
    with pytest.raises(ValueError, match="lr must be > 0"):
        rl.train_bandit(rl.deceptive_bandit(), lr=0.0)
    with pytest.raises(ValueError, match="ent_coef must be >= 0"):
        rl.train_bandit(rl.deceptive_bandit(), ent_coef=-1.0)
    with pytest.raises(TypeError, match="steps must be an integer"):
        rl.train_bandit(rl.deceptive_bandit(), steps=2.5)
    with pytest.raises(ValueError, match=r"logits must have shape \(\.\.\., 11, 4\)"):
        world.expected_return(np.zeros((10, 4)))
    with pytest.raises(ValueError, match="layout must"):
        rl.GridWorld(("..G", ".#"))
    with pytest.raises(ValueError, match="state must be a non-terminal state"):
        rl.target_statistics(np.full(5, 0.5), 6)
