r"""Reinforcement learning in numpy: returns, TD vs Monte Carlo, REINFORCE, GAE, entropy, PPO.

The numerical core of chapter 06. An agent acts, collects rewards :math:`r_t` and learns
from a *loss* it builds out of them. Everything here is tabular or linear, deterministic
for a seed, and runs in well under three seconds (``tests/test_rl.py`` checks the claims
against closed forms, finite differences and independent transcriptions of
stable-baselines3's code).

**Returns and advantages.** :func:`discounted_returns` is
:math:`G_t = r_t + \gamma G_{t+1}`; :func:`td_errors` is
:math:`\delta_t = r_t + \gamma V(s_{t+1}) - V(s_t)`; :func:`gae` is the generalized
advantage estimate :math:`\hat A_t = \sum_k (\gamma\lambda)^k \delta_{t+k}` (Schulman et
al. 2016): :math:`\lambda = 0` gives :math:`\delta_t`, :math:`\lambda = 1` gives
:math:`G_t - V(s_t)`.

**Value prediction.** Sutton's five-state random walk (:func:`random_walk_true_values`:
:math:`1/6, \dots, 5/6`): :func:`td_vs_mc` runs TD(0), which descends the value loss
:math:`\tfrac12\delta^2` with the target held fixed, and constant-α Monte Carlo over many
seeds and reports the RMS error against the episodes and the bias and variance of the
estimates; :func:`target_statistics` gives the bias and variance of the two *targets*
(the MC return and the TD target :math:`r + \gamma V(s')`) at one state, exactly and by
sampling.

**Policy gradients.** A softmax policy :math:`\pi = \mathrm{softmax}(\theta)` on a
:class:`Bandit` or a :class:`GridWorld` (Russell & Norvig's 4×3 world), trained by
REINFORCE on the surrogate :math:`-\log\pi(a)\,(G - b)`
(:func:`lossviz.losses.policy_gradient`). :func:`bandit_gradient_variance` and
:func:`gridworld_gradient_variance` measure the variance of the gradient estimate with
and without a baseline at a fixed policy; :func:`train_bandit` and
:func:`train_gridworld` give learning curves, :func:`deceptive_bandit` the case where only
an entropy bonus finds the best arm.

**PPO.** :func:`ppo_objective` splits stable-baselines3's total loss into its parts
(clipped policy loss, ``vf_coef`` × value loss, ``ent_coef`` × entropy loss);
:func:`ppo_epochs` runs several epochs of clipped updates on one gridworld batch and
monitors :math:`\mathrm{KL}(\pi_\text{old} \| \pi)`, the clip fraction and the true return.

**Loss is not progress.** :func:`falling_loss_falling_return` is a deterministic case
where every step lowers the policy loss on the batch and the expected return falls.

**Real data.** :func:`digits_bandit`: scikit-learn's digits as a contextual bandit (reward
1 for naming the digit), a linear softmax policy trained by REINFORCE, against supervised
cross-entropy on the same data.

>>> discounted_returns([0.0, 0.0, 1.0], gamma=0.9).round(2).tolist()
[0.81, 0.9, 1.0]
>>> v = np.array([0.5, 0.4, 0.2])
>>> bool(np.allclose(gae([0.0, 0.0, 1.0], v, gamma=0.9, lam=0.0),
...                  td_errors([0.0, 0.0, 1.0], v, gamma=0.9)))
True

Every function validates its input like :mod:`lossviz.losses`: NaN or infinite values,
mismatched shapes, discounts outside [0, 1] and unknown names raise ``ValueError``
(non-numbers ``TypeError``) naming the argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import log_softmax, softmax

from .losses._core import FloatArray, as_float_array, check_in_interval, check_positive, check_real
from .losses.rl import ppo_clip, ppo_clip_grad

__all__ = [
    "ACTIONS",
    "BASELINES",
    "RUSSELL_NORVIG_4X3",
    "Bandit",
    "BanditRun",
    "DigitsBandit",
    "Episodes",
    "FallingLoss",
    "GradientVariance",
    "GridWorld",
    "GridWorldRun",
    "PPOClipComparison",
    "PPOEpochs",
    "PPOObjective",
    "TDvsMC",
    "TargetStatistics",
    "bandit_gradient",
    "bandit_gradient_variance",
    "deceptive_bandit",
    "digits_bandit",
    "discounted_returns",
    "entropy",
    "entropy_gradient",
    "falling_loss_falling_return",
    "gae",
    "gae_weights",
    "gridworld_gradient_variance",
    "gridworld_warm_start",
    "lambda_returns",
    "ppo_clip_comparison",
    "ppo_epochs",
    "ppo_objective",
    "random_walk_true_values",
    "reinforce_gradients",
    "sample_bandit_gradients",
    "target_statistics",
    "td0_update",
    "td_errors",
    "td_vs_mc",
    "train_bandit",
    "train_gridworld",
]

IntArray = NDArray[np.intp]

#: Baselines of :func:`gridworld_gradient_variance`: none, the expected return J (one
#: number), or the exact value :math:`V(s_t)` of the current policy (state and time).
BASELINES = ("none", "constant", "value")


# ======================================================================================
# Validation helpers
# ======================================================================================


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
    return int(value)


def _check_name(value: Any, name: str, options: Sequence[str]) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}.")
    return str(value)


def _check_nonnegative(value: Any, name: str) -> float:
    value = check_real(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0; got {value!r}.")
    return value


def _check_discount(value: Any, name: str) -> float:
    return check_in_interval(value, name, 0.0, 1.0, closed="both")


def _trace(x: ArrayLike, name: str) -> FloatArray:
    arr = as_float_array(x, name)
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D trace with one value per time step; got shape {arr.shape}."
        )
    return arr


def _dones(dones: ArrayLike | None, n: int) -> FloatArray:
    if dones is None:
        return np.zeros(n)
    d = _trace(dones, "dones")
    if d.shape != (n,):
        raise ValueError(f"dones must have one flag per reward, shape ({n},); got shape {d.shape}.")
    if np.any((d != 0) & (d != 1)):
        raise ValueError("dones must contain 0/1 (or False/True) flags; got other values.")
    return d


# ======================================================================================
# Returns, TD errors and GAE
# ======================================================================================


def discounted_returns(
    rewards: ArrayLike, gamma: float, dones: ArrayLike | None = None, *, last_value: float = 0.0
) -> FloatArray:
    r"""Discounted returns :math:`G_t = r_t + \gamma (1 - d_t) G_{t+1}` of a reward trace.

    Computed backwards from :math:`G_T = ` ``last_value`` (0 for a finished episode, or a
    value estimate :math:`V(s_T)` to bootstrap a trace cut off by a time limit). A done
    flag :math:`d_t = 1` ends an episode after step :math:`t`: the return does not reach
    into the next episode, and ``last_value`` is not added to a trace whose last step is
    done.

    Args:
        rewards: :math:`r_0, \dots, r_{T-1}` (1-D).
        gamma: the discount :math:`\gamma \in [0, 1]`.
        dones: optional 0/1 flags, :math:`d_t = 1` if the episode ended after step
            :math:`t` (gymnasium's ``terminated``); several episodes may follow each other.
        last_value: :math:`G_T`, the value of the state after the last step.

    Returns:
        :math:`G_0, \dots, G_{T-1}`.

    Example:
        >>> discounted_returns([1.0, 1.0, 1.0, 1.0], 0.5, dones=[0, 1, 0, 0]).tolist()
        [1.5, 1.0, 1.5, 1.0]
        >>> discounted_returns([1.0, 1.0], 0.5, last_value=4.0).tolist()  # bootstrapped
        [2.5, 3.0]
    """
    r = _trace(rewards, "rewards")
    gamma = _check_discount(gamma, "gamma")
    d = _dones(dones, r.size)
    g = check_real(last_value, "last_value")
    out = np.empty_like(r)
    for t in range(r.size - 1, -1, -1):
        g = r[t] + gamma * (1.0 - d[t]) * g
        out[t] = g
    return out


def _values(values: ArrayLike, n: int) -> FloatArray:
    v = _trace(values, "values")
    if v.shape != (n,):
        raise ValueError(
            f"values must hold V(s_t) for each reward's state, shape ({n},); got shape "
            f"{v.shape}. Pass the value of the state after the last step as last_value."
        )
    return v


def td_errors(
    rewards: ArrayLike,
    values: ArrayLike,
    gamma: float,
    dones: ArrayLike | None = None,
    *,
    last_value: float = 0.0,
) -> FloatArray:
    r"""One-step TD errors :math:`\delta_t = r_t + \gamma (1 - d_t) V(s_{t+1}) - V(s_t)`.

    The TD error is the residual of the value loss :math:`\tfrac12 \delta_t^2` of TD(0): a
    critic that predicts the returns exactly has :math:`\mathbb E[\delta_t] = 0`.
    :math:`V(s_T)` = ``last_value``; a done flag stops the bootstrap.

    Args:
        rewards: :math:`r_0, \dots, r_{T-1}`.
        values: :math:`V(s_0), \dots, V(s_{T-1})`, the critic at the states where the
            rewards were collected.
        gamma: the discount :math:`\gamma \in [0, 1]`.
        dones: optional 0/1 flags, :math:`d_t = 1` if the episode ended after step
            :math:`t`.
        last_value: :math:`V(s_T)`, the value of the state after the last step.

    Returns:
        :math:`\delta_0, \dots, \delta_{T-1}`.
    """
    r = _trace(rewards, "rewards")
    v = _values(values, r.size)
    gamma = _check_discount(gamma, "gamma")
    d = _dones(dones, r.size)
    nxt = np.append(v[1:], check_real(last_value, "last_value"))
    return r + gamma * (1.0 - d) * nxt - v


def gae(
    rewards: ArrayLike,
    values: ArrayLike,
    gamma: float,
    lam: float,
    dones: ArrayLike | None = None,
    *,
    last_value: float = 0.0,
) -> FloatArray:
    r"""Generalized advantage estimates :math:`\hat A_t = \delta_t + \gamma\lambda(1 - d_t) \hat A_{t+1}`.

    .. math::
        \hat A_t^{\mathrm{GAE}(\gamma, \lambda)} = \sum_{k \ge 0} (\gamma\lambda)^k
        \delta_{t+k}

    (Schulman et al. 2016), computed backwards as stable-baselines3's
    ``RolloutBuffer.compute_returns_and_advantage`` does. :math:`\lambda` trades bias for
    variance: :math:`\lambda = 0` gives the TD error :math:`\delta_t` (low variance,
    biased by the critic's errors), :math:`\lambda = 1` gives the Monte Carlo advantage
    :math:`G_t - V(s_t)` (unbiased, high variance). Both are checked numerically in the
    tests.

    Args:
        rewards: :math:`r_0, \dots, r_{T-1}`.
        values: :math:`V(s_0), \dots, V(s_{T-1})`.
        gamma: the discount :math:`\gamma \in [0, 1]`.
        lam: :math:`\lambda \in [0, 1]` (stable-baselines3's ``gae_lambda``, default 0.95).
        dones: optional 0/1 flags, :math:`d_t = 1` if the episode ended after step
            :math:`t`: no bootstrap and no advantage flow across the boundary.
        last_value: :math:`V(s_T)`, used unless the last step is done.

    Returns:
        :math:`\hat A_0, \dots, \hat A_{T-1}`. Add ``values`` for the :math:`\lambda`-returns
        (:func:`lambda_returns`), the critic's regression targets.

    Example:
        >>> r, v = [0.0, 0.0, 1.0], [0.5, 0.4, 0.2]
        >>> bool(np.allclose(gae(r, v, gamma=1.0, lam=1.0), [1 - 0.5, 1 - 0.4, 1 - 0.2]))
        True
    """
    lam = _check_discount(lam, "lam")
    delta = td_errors(rewards, values, gamma, dones, last_value=last_value)
    d = _dones(dones, delta.size)
    gamma = float(gamma)
    out = np.empty_like(delta)
    running = 0.0
    for t in range(delta.size - 1, -1, -1):
        running = delta[t] + gamma * lam * (1.0 - d[t]) * running
        out[t] = running
    return out


def lambda_returns(
    rewards: ArrayLike,
    values: ArrayLike,
    gamma: float,
    lam: float,
    dones: ArrayLike | None = None,
    *,
    last_value: float = 0.0,
) -> FloatArray:
    r"""The :math:`\lambda`-returns :math:`\hat A_t + V(s_t)`: the critic's targets in PPO.

    stable-baselines3 regresses the value function on these (``returns = advantages +
    values``); :math:`\lambda = 1` gives the discounted returns, :math:`\lambda = 0` the
    one-step targets :math:`r_t + \gamma V(s_{t+1})`. Arguments as in :func:`gae`.
    """
    return gae(rewards, values, gamma, lam, dones, last_value=last_value) + _values(
        values, _trace(rewards, "rewards").size
    )


def gae_weights(gamma: float, lam: float, n: int) -> FloatArray:
    r"""The weights :math:`(\gamma\lambda)^k`, :math:`k = 0, \dots, n - 1`, of
    :math:`\delta_{t+k}` in :math:`\hat A_t`."""
    gamma = _check_discount(gamma, "gamma")
    lam = _check_discount(lam, "lam")
    n = _check_int(n, "n", 1)
    return (gamma * lam) ** np.arange(n, dtype=np.float64)


# ======================================================================================
# Sutton's random walk: TD(0) vs Monte Carlo
# ======================================================================================


def random_walk_true_values(n_states: int = 5) -> FloatArray:
    r"""True values :math:`v(s) = s / (n + 1)`, :math:`s = 1, \dots, n`, of the random walk.

    Sutton (1988) and Sutton & Barto (2018, Example 6.2): states :math:`1, \dots, n` in a
    row between two terminal states :math:`0` and :math:`n + 1`; every step moves left or
    right with probability ½; the reward is 1 on reaching the right end, else 0;
    :math:`\gamma = 1`; episodes start in the middle. The value of a state is the
    probability of leaving on the right, :math:`s / (n + 1)` (1/6 … 5/6 for five states).
    """
    n = _check_int(n_states, "n_states", 1)
    return np.arange(1, n + 1, dtype=np.float64) / (n + 1)


def _walk_episodes(
    rng: np.random.Generator, n_runs: int, n_episodes: int, n_states: int
) -> tuple[IntArray, IntArray]:
    """States (runs, episodes, max_len + 1) visited by the random walk, and lengths.

    Position ``t`` holds :math:`s_t` (``s_0`` is the middle state); after the episode's last
    transition the state is a terminal (0 or n + 1) and later positions repeat it.
    """
    start = (n_states + 1) // 2
    shape = (n_runs, n_episodes)
    s = np.full(shape, start, dtype=np.intp)
    path = [s.copy()]
    alive = np.ones(shape, dtype=bool)
    lengths = np.zeros(shape, dtype=np.intp)
    while alive.any():
        step = np.where(rng.random(shape) < 0.5, -1, 1)
        s = np.where(alive, s + step, s)
        lengths += alive
        alive &= (s > 0) & (s < n_states + 1)
        path.append(s.copy())
    return np.stack(path, axis=-1), lengths


def td0_update(
    values: ArrayLike,
    state: int,
    reward: float,
    next_state: int,
    *,
    alpha: float,
    gamma: float = 1.0,
    done: bool = False,
) -> tuple[FloatArray, float, float]:
    r"""One TD(0) step: a gradient step on the value loss :math:`\tfrac12\delta^2`, target fixed.

    .. math::
        \delta = r + \gamma (1 - d) V(s') - V(s), \qquad
        V(s) \leftarrow V(s) + \alpha\,\delta
        = V(s) - \alpha \frac{\partial}{\partial V(s)} \tfrac12 \delta^2

    with the target :math:`r + \gamma V(s')` treated as a constant ("semi-gradient"; in
    PyTorch it is detached).

    Args:
        values: the table :math:`V` (1-D, one entry per state).
        state: the index of :math:`s`.
        reward: :math:`r`.
        next_state: the index of :math:`s'` (ignored if ``done``).
        alpha: the step size :math:`\alpha > 0`.
        gamma: the discount.
        done: whether :math:`s'` is terminal (its value is 0).

    Returns:
        The updated table (a copy), :math:`\delta`, and the value loss
        :math:`\tfrac12\delta^2` before the step.

    Example:
        >>> v, delta, loss = td0_update([0.5, 0.5, 0.5], 1, 1.0, 2, alpha=0.1)
        >>> v.tolist(), delta, loss
        ([0.5, 0.6, 0.5], 1.0, 0.5)
    """
    v = _trace(values, "values").copy()
    s = _check_int(state, "state", 0)
    s2 = _check_int(next_state, "next_state", 0)
    if s >= v.size or s2 >= v.size:
        raise ValueError(
            f"state and next_state must index values (0..{v.size - 1}); got {s} and {s2}."
        )
    alpha = check_positive(alpha, "alpha")
    gamma = _check_discount(gamma, "gamma")
    target = check_real(reward, "reward") + (0.0 if done else gamma * v[s2])
    delta = float(target - v[s])
    v[s] += alpha * delta
    return v, delta, 0.5 * delta**2


@dataclass(frozen=True)
class TDvsMC:
    """TD(0) against constant-α Monte Carlo on the random walk (:func:`td_vs_mc`).

    Attributes:
        alphas_td: the TD step sizes.
        alphas_mc: the Monte Carlo step sizes.
        rms_td: RMS error over the states, averaged over runs, shape
            ``(len(alphas_td), n_episodes + 1)`` (entry 0 is before any episode).
        rms_mc: the same for Monte Carlo.
        values_td: the estimates after every episode, shape
            ``(len(alphas_td), n_runs, n_episodes + 1, n_states)``.
        values_mc: the same for Monte Carlo.
        true_values: :math:`1/6, \\dots, 5/6` (for five states).
        seconds: wall-clock time of the run.
    """

    alphas_td: tuple[float, ...]
    alphas_mc: tuple[float, ...]
    rms_td: FloatArray
    rms_mc: FloatArray
    values_td: FloatArray
    values_mc: FloatArray
    true_values: FloatArray
    seconds: float

    def bias_variance(self, method: str, alpha: float, episode: int) -> dict[str, FloatArray]:
        """Per-state bias (mean over runs minus the truth), variance and MSE of the estimates.

        ``method`` is ``"td"`` or ``"mc"``; ``alpha`` one of its step sizes; ``episode``
        the number of episodes seen. MSE = bias² + variance (population variance).
        """
        method = _check_name(method, "method", ("td", "mc"))
        alphas = self.alphas_td if method == "td" else self.alphas_mc
        if alpha not in alphas:
            raise ValueError(f"alpha must be one of {alphas} for {method!r}; got {alpha!r}.")
        values = self.values_td if method == "td" else self.values_mc
        n_episodes = values.shape[2] - 1
        episode = _check_int(episode, "episode", 0)
        if episode > n_episodes:
            raise ValueError(f"episode must be <= {n_episodes}; got {episode}.")
        est = values[alphas.index(alpha), :, episode, :]
        bias = est.mean(axis=0) - self.true_values
        variance = est.var(axis=0)
        return {"bias": bias, "variance": variance, "mse": bias**2 + variance}


def td_vs_mc(
    *,
    alphas_td: Sequence[float] = (0.05, 0.1, 0.15),
    alphas_mc: Sequence[float] = (0.01, 0.02, 0.03, 0.04),
    n_runs: int = 100,
    n_episodes: int = 100,
    n_states: int = 5,
    init: float = 0.5,
    seed: int = 0,
) -> TDvsMC:
    r"""TD(0) and constant-α every-visit Monte Carlo on the random walk, many runs at once.

    Sutton & Barto (2018), Example 6.2: every run starts from :math:`V = ` ``init`` and
    learns from ``n_episodes`` episodes. After each episode the RMS error
    :math:`\sqrt{\frac1n \sum_s (V(s) - v(s))^2}` is recorded and averaged over the runs.
    Both methods see the **same** episodes (common random numbers), so differences come
    from the update rule only:

    - TD(0) updates after every step, :math:`V(s_t) \mathrel{+}= \alpha\,\delta_t` with
      :math:`\delta_t = r_{t+1} + V(s_{t+1}) - V(s_t)` (:func:`td0_update`);
    - Monte Carlo updates at the end of the episode,
      :math:`V(s_t) \mathrel{+}= \alpha\,(G_t - V(s_t))`, in visiting order, with
      :math:`G_t` the episode's outcome (0 or 1; :math:`\gamma = 1`).

    Args:
        alphas_td: TD step sizes.
        alphas_mc: Monte Carlo step sizes.
        n_runs: independent runs (seeds) to average over.
        n_episodes: episodes per run.
        n_states: non-terminal states (5 in the book).
        init: the initial estimate of every state's value.
        seed: seeds the episodes.

    Returns:
        A :class:`TDvsMC`.
    """
    import time

    start = time.perf_counter()
    a_td = tuple(check_positive(a, "alphas_td") for a in alphas_td)
    a_mc = tuple(check_positive(a, "alphas_mc") for a in alphas_mc)
    if not a_td or not a_mc:
        raise ValueError("alphas_td and alphas_mc must each hold at least one step size.")
    n_runs = _check_int(n_runs, "n_runs", 1)
    n_episodes = _check_int(n_episodes, "n_episodes", 1)
    n = _check_int(n_states, "n_states", 1)
    init = check_real(init, "init")
    rng = np.random.default_rng(seed)
    path, lengths = _walk_episodes(rng, n_runs, n_episodes, n)
    truth = random_walk_true_values(n)
    alphas = np.array(a_td + a_mc)[:, None]  # (configs, 1): TD configs first
    n_td = len(a_td)
    # tables include the two terminals (value 0, never updated)
    v = np.full((alphas.shape[0], n_runs, n + 2), init)
    v[:, :, 0] = v[:, :, n + 1] = 0.0
    history = np.empty((alphas.shape[0], n_runs, n_episodes + 1, n))
    history[:, :, 0] = v[:, :, 1:-1]
    runs = np.arange(n_runs)
    for e in range(n_episodes):
        states, length = path[:, e], lengths[:, e]
        outcome = (states[runs, length] == n + 1).astype(np.float64)  # G_t for every t
        for t in range(int(length.max())):
            live = t < length
            s, s2 = states[live, t], states[live, t + 1]
            r_idx = runs[live]
            reward = (s2 == n + 1).astype(np.float64)
            # TD(0): V(s) += alpha (r + V(s') - V(s)), all TD configs at once
            vt = v[:n_td]
            delta = reward + vt[:, r_idx, s2] - vt[:, r_idx, s]
            vt[:, r_idx, s] += alphas[:n_td] * delta
            # Monte Carlo: V(s) += alpha (G - V(s)) in visiting order, after the episode;
            # done here in the same loop because G is the outcome, known in advance
            vm = v[n_td:]
            vm[:, r_idx, s] += alphas[n_td:] * (outcome[live] - vm[:, r_idx, s])
        history[:, :, e + 1] = v[:, :, 1:-1]
    rms = np.sqrt(np.mean((history - truth) ** 2, axis=-1)).mean(axis=1)
    return TDvsMC(
        alphas_td=a_td,
        alphas_mc=a_mc,
        rms_td=rms[:n_td],
        rms_mc=rms[n_td:],
        values_td=history[:n_td],
        values_mc=history[n_td:],
        true_values=truth,
        seconds=time.perf_counter() - start,
    )


@dataclass(frozen=True)
class TargetStatistics:
    """Bias and variance of the MC and TD targets at one state (:func:`target_statistics`).

    Attributes:
        state: the state (1..n).
        true_value: :math:`v(s)`.
        mc_mean: the mean of the Monte Carlo target :math:`G` (exact).
        mc_bias: ``mc_mean - true_value`` (exactly 0).
        mc_variance: the variance of :math:`G` (exact).
        td_mean: the mean of the TD target :math:`r + \\gamma V(s')` (exact).
        td_bias: ``td_mean - true_value``: the error the critic passes on.
        td_variance: the variance of the TD target (exact).
        sampled: the same six numbers estimated from ``n_samples`` draws (keys
            ``mc_mean``, ``mc_variance``, ``td_mean``, ``td_variance``, ``mc_bias``,
            ``td_bias``).
    """

    state: int
    true_value: float
    mc_mean: float
    mc_bias: float
    mc_variance: float
    td_mean: float
    td_bias: float
    td_variance: float
    sampled: dict[str, float]


def target_statistics(
    values: ArrayLike, state: int, *, n_samples: int = 20_000, seed: int = 0
) -> TargetStatistics:
    r"""The bias and variance of the Monte Carlo and the TD(0) target at one random-walk state.

    The MC target is the return :math:`G` (the outcome, 0 or 1): unbiased,
    :math:`\mathbb E[G] = v(s)`, variance :math:`v(s)(1 - v(s))`. The TD target
    :math:`r + V(s')` uses the critic :math:`V` at the next state, :math:`s \pm 1` with
    probability ½ each: its variance is only that of one step, but its mean is
    :math:`\tfrac12 (r_- + V(s-1) + r_+ + V(s+1))`, biased by the critic's errors (0 when
    :math:`V = v`). Exact values and ``n_samples`` sampled draws are returned.

    Args:
        values: the critic's estimates :math:`V(1), \dots, V(n)` of the non-terminal states
            (the terminals are worth 0).
        state: :math:`s \in \{1, \dots, n\}`.
        n_samples: draws for the sampled estimates.
        seed: seeds the draws.

    Returns:
        A :class:`TargetStatistics`.
    """
    v = _trace(values, "values")
    n = v.size
    s = _check_int(state, "state", 1)
    if s > n:
        raise ValueError(f"state must be a non-terminal state 1..{n}; got {s}.")
    n_samples = _check_int(n_samples, "n_samples", 2)
    truth = float(random_walk_true_values(n)[s - 1])
    table = np.concatenate([[0.0], v, [0.0]])
    # TD target: left neighbour (reward 0) or right neighbour (reward 1 if terminal)
    left, right = table[s - 1], table[s + 1] + (1.0 if s + 1 == n + 1 else 0.0)
    td_mean = 0.5 * (left + right)
    td_var = 0.25 * (right - left) ** 2
    rng = np.random.default_rng(seed)
    # Monte Carlo draws: walks from s until they leave (vectorised)
    pos = np.full(n_samples, s)
    alive = np.ones(n_samples, dtype=bool)
    first = None
    while alive.any():
        pos = np.where(alive, pos + np.where(rng.random(n_samples) < 0.5, -1, 1), pos)
        if first is None:
            first = pos.copy()
        alive &= (pos > 0) & (pos < n + 1)
    g = (pos == n + 1).astype(np.float64)
    assert first is not None
    td = table[first] + (first == n + 1)
    sampled = {
        "mc_mean": float(g.mean()),
        "mc_variance": float(g.var(ddof=1)),
        "td_mean": float(td.mean()),
        "td_variance": float(td.var(ddof=1)),
    }
    sampled["mc_bias"] = sampled["mc_mean"] - truth
    sampled["td_bias"] = sampled["td_mean"] - truth
    return TargetStatistics(
        state=s,
        true_value=truth,
        mc_mean=truth,
        mc_bias=0.0,
        mc_variance=truth * (1.0 - truth),
        td_mean=float(td_mean),
        td_bias=float(td_mean - truth),
        td_variance=float(td_var),
        sampled=sampled,
    )


# ======================================================================================
# Softmax policies: entropy and its gradient
# ======================================================================================


def _logits(logits: ArrayLike, n_actions: int | None = None, name: str = "logits") -> FloatArray:
    z = as_float_array(logits, name)
    if z.ndim < 1 or z.shape[-1] < 2:
        raise ValueError(
            f"{name} must hold one logit per action along the last axis (at least 2); got "
            f"shape {z.shape}."
        )
    if n_actions is not None and z.shape[-1] != n_actions:
        raise ValueError(
            f"{name} must have {n_actions} logits (one per action) along the last axis; got "
            f"shape {z.shape}."
        )
    return z


def entropy(logits: ArrayLike) -> FloatArray | float:
    r"""The entropy :math:`H(\pi) = -\sum_a \pi_a \log \pi_a` of :math:`\pi = \mathrm{softmax}(z)`.

    Computed from the logits in log space (``log_softmax``), exact for logits of
    :math:`\pm 10^4` (a sure action has entropy 0, not NaN). Reduces the last axis; a 1-D
    input gives a float.
    """
    z = _logits(logits)
    log_p = log_softmax(z, axis=-1)
    h = -np.sum(np.exp(log_p) * log_p, axis=-1)
    return float(h) if h.ndim == 0 else h


def entropy_gradient(logits: ArrayLike) -> FloatArray:
    r"""The gradient :math:`\partial H / \partial z_a = -\pi_a (\log \pi_a + H)` of :func:`entropy`.

    It vanishes at the uniform policy (the maximum) and as the policy becomes
    deterministic: an entropy bonus cannot pull a fully collapsed policy back.
    """
    z = _logits(logits)
    log_p = log_softmax(z, axis=-1)
    p = np.exp(log_p)
    h = -np.sum(p * log_p, axis=-1, keepdims=True)
    return -p * (log_p + h)


# ======================================================================================
# Bandits
# ======================================================================================


@dataclass(frozen=True)
class Bandit:
    """A multi-armed bandit whose arms pay from small discrete distributions.

    Arm ``k`` pays ``outcomes[k][j]`` with probability ``probs[k][j]``, so means and
    variances are exact.

    Attributes:
        outcomes: the possible rewards of each arm.
        probs: their probabilities (each row sums to 1).
        names: a short name per arm.
    """

    outcomes: tuple[tuple[float, ...], ...]
    probs: tuple[tuple[float, ...], ...]
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.outcomes) < 2 or len(self.outcomes) != len(self.probs):
            raise ValueError(
                "outcomes and probs must describe the same arms, at least 2; got "
                f"{len(self.outcomes)} and {len(self.probs)}."
            )
        for k, (o, p) in enumerate(zip(self.outcomes, self.probs, strict=True)):
            o_arr, p_arr = as_float_array(o, f"outcomes[{k}]"), as_float_array(p, f"probs[{k}]")
            if o_arr.shape != p_arr.shape or o_arr.ndim != 1:
                raise ValueError(f"outcomes[{k}] and probs[{k}] must be 1-D of the same length.")
            if np.any(p_arr < 0) or abs(p_arr.sum() - 1.0) > 1e-12:
                raise ValueError(f"probs[{k}] must be >= 0 and sum to 1; got {tuple(p_arr)}.")
        if self.names and len(self.names) != len(self.outcomes):
            raise ValueError(f"names must name each of the {len(self.outcomes)} arms.")

    @property
    def n_arms(self) -> int:
        """The number of arms."""
        return len(self.outcomes)

    @property
    def means(self) -> FloatArray:
        """The expected reward of each arm."""
        return np.array([np.dot(o, p) for o, p in zip(self.outcomes, self.probs, strict=True)])

    @property
    def second_moments(self) -> FloatArray:
        r"""The mean squared reward :math:`\mathbb E[r^2 \mid a]` of each arm."""
        return np.array(
            [np.dot(np.square(o), p) for o, p in zip(self.outcomes, self.probs, strict=True)]
        )

    @property
    def best_arm(self) -> int:
        """The arm with the highest mean."""
        return int(np.argmax(self.means))

    def expected_reward(self, logits: ArrayLike) -> FloatArray | float:
        r"""The policy's expected reward :math:`J(\theta) = \sum_a \pi_a \mu_a`."""
        z = _logits(logits, self.n_arms)
        j = softmax(z, axis=-1) @ self.means
        return float(j) if np.ndim(j) == 0 else j

    def _tables(self) -> tuple[FloatArray, FloatArray]:
        width = max(len(o) for o in self.outcomes)
        values = np.zeros((self.n_arms, width))
        cum = np.ones((self.n_arms, width))
        for k, (o, p) in enumerate(zip(self.outcomes, self.probs, strict=True)):
            values[k, : len(o)] = o
            values[k, len(o) :] = o[-1]
            cum[k, : len(p)] = np.cumsum(p)
        cum[:, -1] = 1.0
        return values, cum

    def pull(self, arms: ArrayLike, rng: np.random.Generator) -> FloatArray:
        """Rewards for pulling ``arms`` (an integer array of any shape)."""
        a = np.asarray(arms)
        if a.size and (
            not np.issubdtype(a.dtype, np.integer) or a.min() < 0 or a.max() >= self.n_arms
        ):
            raise ValueError(f"arms must be integers in 0..{self.n_arms - 1}.")
        values, cum = self._tables()
        u = rng.random(a.shape)
        j = np.minimum((u[..., None] >= cum[a]).sum(axis=-1), values.shape[1] - 1)
        return values[a, j]


def deceptive_bandit(offset: float = 5.0) -> Bandit:
    """The chapter's deceptive three-armed bandit: a reliable arm hides a better, rare one.

    - ``"safe"``: always pays 1 + ``offset`` (mean 1 + offset);
    - ``"jackpot"``: pays 30 + ``offset`` with probability 0.05, else ``offset``
      (mean 1.5 + offset: the best arm, though it pays nothing special 19 times in 20);
    - ``"coin"``: pays 1 + ``offset`` or ``offset``, each with probability ½
      (mean 0.5 + offset).

    The default ``offset = 5`` makes every reward positive (points in a game), so that
    REINFORCE without a baseline pushes up every arm it pulls. A greedy softmax policy
    gradient commits to the safe arm before it has seen the jackpot pay
    (:func:`train_bandit`).
    """
    c = check_real(offset, "offset")
    return Bandit(
        outcomes=((1.0 + c,), (c, 30.0 + c), (c, 1.0 + c)),
        probs=((1.0,), (0.95, 0.05), (0.5, 0.5)),
        names=("safe", "jackpot", "coin"),
    )


def bandit_gradient(bandit: Bandit, logits: ArrayLike) -> FloatArray:
    r"""The exact policy gradient :math:`\nabla_\theta J = \pi \odot (\mu - J)` of a bandit."""
    z = _logits(logits, bandit.n_arms)
    p = softmax(z, axis=-1)
    j = p @ bandit.means
    return p * (bandit.means - np.asarray(j)[..., None])


def _sample_actions(p: FloatArray, rng: np.random.Generator, size: tuple[int, ...]) -> IntArray:
    """Actions a ~ p (rows of p are distributions; ``size`` is p.shape[:-1] + (m,))."""
    cum = np.cumsum(p, axis=-1)
    cum[..., -1] = 1.0
    u = rng.random(size)
    return np.minimum((u[..., None] >= cum[..., None, :]).sum(axis=-1), p.shape[-1] - 1)


def _bandit_estimates(
    bandit: Bandit, p: FloatArray, arms: IntArray, rewards: FloatArray, b: FloatArray | float
) -> FloatArray:
    """Batch REINFORCE estimates mean_i (r_i - b)(e_{a_i} - pi), batches along the last axis."""
    onehot = np.eye(bandit.n_arms)[arms]
    adv = rewards - np.asarray(b)[..., None]
    return np.mean(adv[..., None] * (onehot - p[..., None, :]), axis=-2)


def sample_bandit_gradients(
    bandit: Bandit,
    logits: ArrayLike,
    *,
    baseline: float = 0.0,
    batch_size: int = 4,
    n_batches: int = 10_000,
    seed: int = 0,
) -> FloatArray:
    r"""REINFORCE gradient estimates from ``n_batches`` independent batches at a fixed policy.

    Each batch pulls ``batch_size`` arms :math:`a_i \sim \pi_\theta` and estimates
    :math:`\hat g = \frac1M \sum_i (r_i - b)\,(e_{a_i} - \pi)`, the gradient of the mean of
    :func:`lossviz.losses.policy_gradient` with weights :math:`r_i - b`, with the sign
    flipped (ascent on :math:`J`); :math:`e_a - \pi` is :math:`\nabla_\theta \log \pi_a`.

    Returns:
        The estimates, shape ``(n_batches, n_arms)``.
    """
    z = _logits(logits, bandit.n_arms)
    if z.ndim != 1:
        raise ValueError(f"logits must be 1-D (one per arm); got shape {z.shape}.")
    b = check_real(baseline, "baseline")
    m = _check_int(batch_size, "batch_size", 1)
    n = _check_int(n_batches, "n_batches", 2)
    rng = np.random.default_rng(seed)
    p = np.broadcast_to(softmax(z), (n, bandit.n_arms))
    arms = _sample_actions(p, rng, (n, m))
    return _bandit_estimates(bandit, p, arms, bandit.pull(arms, rng), b)


def _exact_bandit_variance(
    bandit: Bandit, p: FloatArray, b: FloatArray | float, batch_size: int
) -> FloatArray:
    r"""Trace of the covariance of the batch estimator: (E||g_1||^2 - ||grad J||^2) / M."""
    mu, m2 = bandit.means, bandit.second_moments
    b = np.asarray(b)[..., None]
    e_adv2 = m2 - 2.0 * b * mu + b**2  # E[(r - b)^2 | a]
    # ||e_a - pi||^2 = 1 - 2 pi_a + ||pi||^2
    norm2 = 1.0 - 2.0 * p + np.sum(p**2, axis=-1, keepdims=True)
    second = np.sum(p * e_adv2 * norm2, axis=-1)
    j = np.sum(p * mu, axis=-1, keepdims=True)
    grad = p * (mu - j)
    return (second - np.sum(grad**2, axis=-1)) / batch_size


@dataclass(frozen=True)
class GradientVariance:
    """The spread of a REINFORCE gradient estimator at a fixed policy.

    Attributes:
        baseline: the baseline's name (``"none"``, ``"constant"``, ``"value"``).
        batch_size: episodes (or pulls) per estimate.
        true_gradient: the exact gradient :math:`\\nabla_\\theta J`.
        mean_estimate: the mean of the sampled estimates (unbiased: close to the truth).
        variance: the trace of the covariance of one batch estimate (sum of the
            per-parameter variances), from the samples.
        exact_variance: the same, exact (bandits), or ``nan`` where not available.
        n_estimates: how many estimates were sampled.
    """

    baseline: str
    batch_size: int
    true_gradient: FloatArray
    mean_estimate: FloatArray
    variance: float
    exact_variance: float
    n_estimates: int

    @property
    def relative_bias(self) -> float:
        """The distance of the mean estimate from the truth, relative to the truth's norm."""
        return float(
            np.linalg.norm(self.mean_estimate - self.true_gradient)
            / np.linalg.norm(self.true_gradient)
        )


def bandit_gradient_variance(
    bandit: Bandit,
    logits: ArrayLike,
    *,
    batch_size: int = 4,
    n_batches: int = 20_000,
    seed: int = 0,
) -> dict[str, GradientVariance]:
    r"""The variance of the bandit REINFORCE gradient without and with a baseline.

    ``"none"``: :math:`b = 0`; ``"value"``: :math:`b = J(\theta)`, the expected reward of
    the current policy (the best constant baseline up to a small correction). Both
    estimators are unbiased (the baseline term has mean
    :math:`b\,\mathbb E[\nabla \log \pi] = 0`); the baseline only removes variance, the
    more so the further the rewards are from 0. Sampled from ``n_batches`` batches with
    common random numbers, and exact.

    Returns:
        ``{"none": GradientVariance, "value": GradientVariance}``.
    """
    z = _logits(logits, bandit.n_arms)
    m = _check_int(batch_size, "batch_size", 1)
    p = softmax(z)
    truth = bandit_gradient(bandit, z)
    out = {}
    for name, b in (("none", 0.0), ("value", float(p @ bandit.means))):
        g = sample_bandit_gradients(
            bandit, z, baseline=b, batch_size=m, n_batches=n_batches, seed=seed
        )
        out[name] = GradientVariance(
            baseline=name,
            batch_size=m,
            true_gradient=truth,
            mean_estimate=g.mean(axis=0),
            variance=float(np.sum(g.var(axis=0, ddof=1))),
            exact_variance=float(_exact_bandit_variance(bandit, p, b, m)),
            n_estimates=g.shape[0],
        )
    return out


@dataclass(frozen=True)
class BanditRun:
    """Many REINFORCE runs on a bandit (:func:`train_bandit`), all arrays run-major.

    Attributes:
        probs: the policy :math:`\\pi_t` before each step and at the end,
            ``(n_runs, steps + 1, n_arms)``.
        expected_reward: :math:`J(\\theta_t)`, exact, ``(n_runs, steps + 1)``.
        entropy: :math:`H(\\pi_t)`, ``(n_runs, steps + 1)``.
        grad_variance: the exact variance (covariance trace) of each step's batch
            gradient estimate, ``(n_runs, steps)``.
        baseline_values: the baseline :math:`b` used at each step, ``(n_runs, steps)``
            (zeros without a baseline).
        best_arm: the arm with the highest mean.
        found_best: whether the final policy's most likely arm is the best arm, ``(n_runs,)``.
        seconds: wall-clock time.
    """

    probs: FloatArray
    expected_reward: FloatArray
    entropy: FloatArray
    grad_variance: FloatArray
    baseline_values: FloatArray
    best_arm: int
    found_best: NDArray[np.bool_]
    seconds: float

    @property
    def success_rate(self) -> float:
        """The share of runs whose final policy prefers the best arm."""
        return float(np.mean(self.found_best))

    @property
    def final_entropy(self) -> float:
        """The final policy's entropy, averaged over runs (nats)."""
        return float(np.mean(self.entropy[:, -1]))


def train_bandit(
    bandit: Bandit,
    *,
    steps: int = 300,
    batch_size: int = 4,
    lr: float = 2.0,
    baseline: bool = True,
    ent_coef: float = 0.0,
    n_runs: int = 100,
    baseline_rate: float = 0.1,
    seed: int = 0,
) -> BanditRun:
    r"""REINFORCE with a softmax policy on a bandit, ``n_runs`` independent runs at once.

    Every run starts from the uniform policy (:math:`\theta = 0`). Each step pulls
    ``batch_size`` arms and takes a gradient step of size ``lr`` on

    .. math::
        L(\theta) = -\frac1M \sum_i (r_i - b) \log \pi_\theta(a_i) - c\, H(\pi_\theta),

    the :func:`lossviz.losses.policy_gradient` surrogate plus an entropy bonus with
    coefficient :math:`c` = ``ent_coef`` (stable-baselines3's ``ent_coef``). With
    ``baseline=True``, :math:`b` is a running average of the rewards of the previous
    batches (rate ``baseline_rate``), started at the mean of one warm-up batch from the
    initial policy, so it never depends on the batch it weighs (the estimate stays
    unbiased); otherwise :math:`b = 0`.

    Args:
        bandit: the :class:`Bandit`.
        steps: gradient steps per run.
        batch_size: pulls per step :math:`M`.
        lr: the step size.
        baseline: use the running-average baseline.
        ent_coef: the entropy coefficient :math:`c \ge 0`.
        n_runs: independent runs (one random stream, vectorised).
        baseline_rate: the running average's rate in (0, 1].
        seed: seeds everything.

    Returns:
        A :class:`BanditRun`.
    """
    import time

    start = time.perf_counter()
    steps = _check_int(steps, "steps", 1)
    m = _check_int(batch_size, "batch_size", 1)
    lr = check_positive(lr, "lr")
    c = _check_nonnegative(ent_coef, "ent_coef")
    n_runs = _check_int(n_runs, "n_runs", 1)
    beta = check_in_interval(baseline_rate, "baseline_rate", 0.0, 1.0, closed="right")
    rng = np.random.default_rng(seed)
    k = bandit.n_arms
    mu = bandit.means
    values, cum_probs = bandit._tables()
    theta = np.zeros((n_runs, k))
    logits = np.empty((n_runs, steps + 1, k))
    baselines = np.zeros((n_runs, steps))
    # a warm-up batch from the initial (uniform) policy starts the running average; it is
    # drawn in every setting, so runs with and without a baseline share their random numbers
    warm = np.minimum((rng.random((n_runs, m, 1)) >= np.arange(1, k + 1) / k).sum(axis=2), k - 1)
    col = (rng.random((n_runs, m, 1)) >= cum_probs[warm]).sum(axis=2)
    warm_mean = values[warm, np.minimum(col, values.shape[1] - 1)].mean(axis=1)
    b = warm_mean if baseline else np.zeros(n_runs)
    eye = np.eye(k)
    for t in range(steps):
        logits[:, t] = theta
        e = np.exp(theta - theta.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        # a ~ pi and r ~ the arm, both by inverse CDF (the hot loop: plain numpy only)
        cum = np.cumsum(p, axis=1)
        arms = np.minimum((rng.random((n_runs, m, 1)) >= cum[:, None, :]).sum(axis=2), k - 1)
        col = (rng.random((n_runs, m, 1)) >= cum_probs[arms]).sum(axis=2)
        r = values[arms, np.minimum(col, values.shape[1] - 1)]
        baselines[:, t] = b
        adv = r - b[:, None]
        grad = np.einsum("rm,rmk->rk", adv, eye[arms] - p[:, None, :]) / m
        if c > 0:
            log_p = np.log(e) - np.log(e.sum(axis=1, keepdims=True))
            h = -np.sum(p * log_p, axis=1, keepdims=True)
            grad -= c * p * (log_p + h)  # + c dH/dtheta
        theta = theta + lr * grad
        if baseline:
            b = b + beta * (r.mean(axis=1) - b)
    logits[:, steps] = theta
    probs = softmax(logits, axis=-1)
    return BanditRun(
        probs=probs,
        expected_reward=probs @ mu,
        entropy=np.asarray(entropy(logits)),
        grad_variance=_exact_bandit_variance(bandit, probs[:, :steps], baselines, m),
        baseline_values=baselines,
        best_arm=bandit.best_arm,
        found_best=np.argmax(probs[:, -1], axis=1) == bandit.best_arm,
        seconds=time.perf_counter() - start,
    )


# ======================================================================================
# A small gridworld (Russell & Norvig's 4×3 world)
# ======================================================================================

#: Russell & Norvig's 4×3 world: start S, goal G (+1), pit X (−1), one wall #.
RUSSELL_NORVIG_4X3 = ("...G", ".#.X", "S...")

#: Action names of :class:`GridWorld`, in index order.
ACTIONS = ("up", "right", "down", "left")
_MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))


@dataclass(frozen=True)
class Episodes:
    """Episodes sampled in a :class:`GridWorld`; arrays ``(..., n_episodes, horizon)``.

    Attributes:
        states: :math:`s_t` (padding after the end repeats the terminal state).
        actions: :math:`a_t` (0 after the end).
        rewards: :math:`r_t`, received on the transition from :math:`s_t` (0 after the end).
        alive: whether step :math:`t` was taken (the episode had not ended).
        gamma: the discount, for the returns.
    """

    states: IntArray
    actions: IntArray
    rewards: FloatArray
    alive: NDArray[np.bool_]
    gamma: float

    @property
    def returns(self) -> FloatArray:
        r"""Discounted rewards-to-go :math:`G_t = \sum_{k \ge t} \gamma^{k-t} r_k`."""
        g = np.zeros(self.rewards.shape[:-1])
        out = np.empty_like(self.rewards)
        for t in range(self.rewards.shape[-1] - 1, -1, -1):
            g = self.rewards[..., t] + self.gamma * g
            out[..., t] = g
        return out

    @property
    def total_return(self) -> FloatArray:
        r"""The discounted return of each episode, :math:`G_0`."""
        return self.returns[..., 0]


class GridWorld:
    r"""A tabular gridworld MDP with slippery moves, exact evaluation and sampling.

    The default is Russell & Norvig's 4×3 world (*Artificial Intelligence: A Modern
    Approach*, ch. 17): the agent starts at S, each move costs ``step_reward``, entering G
    ends the episode with ``goal_reward``, entering X with ``pit_reward``. A move goes in
    the intended direction with probability ``1 - slip`` and to either side with
    ``slip / 2``; bumping into the wall or the edge stays put. Episodes are cut after
    ``horizon`` steps, and every quantity here is for that finite horizon, so the exact
    :meth:`expected_return` is exactly what :meth:`sample` estimates.

    A tabular softmax policy has one row of logits per state, ``logits`` of shape
    ``(..., n_states, 4)`` (rows of terminal states are ignored).

    Args:
        layout: rows of ``.`` (free), ``#`` (wall), ``S`` (start), ``G`` (goal), ``X`` (pit).
        step_reward: the reward of every move.
        goal_reward: added when entering G.
        pit_reward: added when entering X.
        slip: probability of slipping sideways, in [0, 1).
        gamma: the discount.
        horizon: the maximum number of steps of an episode.

    Attributes:
        cells: the (row, column) of each state.
        start: the index of the start state.
        terminal: which states end the episode.
        P: transition probabilities ``P[s, a, s']``.
        reward_next: the reward of entering each state (``step_reward`` plus its bonus).
        R: the expected reward ``R[s, a]`` of each action.
    """

    n_actions = 4

    def __init__(
        self,
        layout: Sequence[str] = RUSSELL_NORVIG_4X3,
        *,
        step_reward: float = -0.04,
        goal_reward: float = 1.0,
        pit_reward: float = -1.0,
        slip: float = 0.2,
        gamma: float = 0.95,
        horizon: int = 25,
    ) -> None:
        rows = [str(r) for r in layout]
        if not rows or len({len(r) for r in rows}) != 1 or set("".join(rows)) - set(".#SGX"):
            raise ValueError(
                f"layout must be equal-length rows of '.', '#', 'S', 'G' and 'X'; got {layout!r}."
            )
        if "".join(rows).count("S") != 1 or "G" not in "".join(rows):
            raise ValueError("layout must have exactly one start 'S' and at least one goal 'G'.")
        self.layout = tuple(rows)
        self.step_reward = check_real(step_reward, "step_reward")
        self.slip = check_in_interval(slip, "slip", 0.0, 1.0, closed="left")
        self.gamma = _check_discount(gamma, "gamma")
        self.horizon = _check_int(horizon, "horizon", 1)
        goal, pit = check_real(goal_reward, "goal_reward"), check_real(pit_reward, "pit_reward")
        self.cells = [(i, j) for i, row in enumerate(rows) for j, ch in enumerate(row) if ch != "#"]
        index = {cell: k for k, cell in enumerate(self.cells)}
        kinds = [rows[i][j] for i, j in self.cells]
        self.n_states = len(self.cells)
        self.start = kinds.index("S")
        self.terminal = np.array([k in "GX" for k in kinds])
        bonus = np.array([goal if k == "G" else pit if k == "X" else 0.0 for k in kinds])
        self.reward_next = self.step_reward + bonus
        P = np.zeros((self.n_states, 4, self.n_states))
        for s, (i, j) in enumerate(self.cells):
            if self.terminal[s]:
                P[s, :, s] = 1.0
                continue
            for a in range(4):
                for move, prob in (
                    (a, 1.0 - self.slip),
                    ((a + 1) % 4, self.slip / 2),
                    ((a + 3) % 4, self.slip / 2),
                ):
                    di, dj = _MOVES[move]
                    target = index.get((i + di, j + dj), s)  # a wall or the edge: stay
                    P[s, a, target] += prob
        self.P = P
        self.R = np.where(self.terminal[:, None], 0.0, P @ self.reward_next)

    def __repr__(self) -> str:
        return (
            f"GridWorld({'/'.join(self.layout)}, step_reward={self.step_reward}, "
            f"slip={self.slip}, gamma={self.gamma}, horizon={self.horizon})"
        )

    # -- policies -------------------------------------------------------------------------

    def policy(self, logits: ArrayLike) -> FloatArray:
        """The softmax policy :math:`\\pi(a \\mid s)` of ``logits`` ``(..., n_states, 4)``."""
        z = self._check_logits(logits)
        return softmax(z, axis=-1)

    def _check_logits(self, logits: ArrayLike) -> FloatArray:
        z = _logits(logits, 4)
        if z.ndim < 2 or z.shape[-2] != self.n_states:
            raise ValueError(
                f"logits must have shape (..., {self.n_states}, 4), one row per state; got "
                f"{z.shape}."
            )
        return z

    # -- exact evaluation -----------------------------------------------------------------

    def q_values(self, logits: ArrayLike) -> tuple[FloatArray, FloatArray]:
        r"""Finite-horizon action values and values for every number of steps left.

        :math:`V_0 = 0`, :math:`Q_h(s, a) = R(s, a) + \gamma \sum_{s'} P(s' \mid s, a)
        V_{h-1}(s')`, :math:`V_h(s) = \sum_a \pi(a \mid s) Q_h(s, a)`, terminal states
        worth 0.

        Returns:
            ``(Q, V)`` of shapes ``(horizon + 1, ..., n_states, 4)`` and
            ``(horizon + 1, ..., n_states)``; index ``h`` is "h steps left".
        """
        pi = self.policy(logits)
        lead = pi.shape[:-2]
        q = np.zeros((self.horizon + 1, *lead, self.n_states, 4))
        v = np.zeros((self.horizon + 1, *lead, self.n_states))
        live = ~self.terminal
        for h in range(1, self.horizon + 1):
            q[h] = self.R + self.gamma * np.einsum("sat,...t->...sa", self.P, v[h - 1])
            q[h][..., ~live, :] = 0.0
            v[h] = np.sum(pi * q[h], axis=-1)
        return q, v

    def expected_return(self, logits: ArrayLike) -> FloatArray | float:
        r"""The exact expected discounted return from the start, :math:`J = V_H(s_0)`."""
        _, v = self.q_values(logits)
        j = v[-1][..., self.start]
        return float(j) if np.ndim(j) == 0 else j

    def policy_gradient(self, logits: ArrayLike) -> FloatArray:
        r"""The exact gradient :math:`\nabla_\theta J` of the expected return (policy gradient theorem).

        .. math::
            \frac{\partial J}{\partial \theta_{s,a}} = \sum_{t=0}^{H-1} \gamma^t\,
            \Pr(s_t = s)\, \pi(a \mid s) \bigl(Q_{H-t}(s, a) - V_{H-t}(s)\bigr)

        with :math:`\Pr(s_t = s)` the probability that the episode is still running and in
        :math:`s` at step :math:`t`. Checked against finite differences in the tests.
        """
        pi = self.policy(logits)
        q, v = self.q_values(logits)
        d = np.zeros(pi.shape[:-1])
        d[..., self.start] = 1.0
        grad = np.zeros_like(pi)
        for t in range(self.horizon):
            h = self.horizon - t
            grad += self.gamma**t * d[..., None] * pi * (q[h] - v[h][..., None])
            d = np.einsum("...s,...sa,sat->...t", d, pi, self.P)
            d[..., self.terminal] = 0.0
        return grad

    # -- sampling -------------------------------------------------------------------------

    def sample(self, logits: ArrayLike, n_episodes: int, rng: np.random.Generator) -> Episodes:
        """``n_episodes`` episodes per policy (``logits`` ``(n_states, 4)`` or ``(runs, n_states, 4)``).

        Returns :class:`Episodes` with arrays ``(n_episodes, horizon)`` or
        ``(runs, n_episodes, horizon)``.
        """
        pi = self.policy(logits)
        n = _check_int(n_episodes, "n_episodes", 1)
        batched = pi.ndim == 3
        pis = pi if batched else pi[None]
        runs = pis.shape[0]
        shape = (runs, n)
        run_idx = np.broadcast_to(np.arange(runs)[:, None], shape)
        cum_pi = np.cumsum(pis, axis=-1)
        cum_pi[..., -1] = 1.0
        cum_p = np.cumsum(self.P, axis=-1)
        cum_p[..., -1] = 1.0
        H = self.horizon
        states = np.empty((*shape, H), dtype=np.intp)
        actions = np.zeros((*shape, H), dtype=np.intp)
        rewards = np.zeros((*shape, H))
        alive = np.zeros((*shape, H), dtype=bool)
        s = np.full(shape, self.start, dtype=np.intp)
        live = np.ones(shape, dtype=bool)
        for t in range(H):
            states[..., t] = s
            alive[..., t] = live
            a = np.minimum((rng.random((*shape, 1)) >= cum_pi[run_idx, s]).sum(-1), 3)
            s2 = np.minimum((rng.random((*shape, 1)) >= cum_p[s, a]).sum(-1), self.n_states - 1)
            actions[..., t] = np.where(live, a, 0)
            rewards[..., t] = np.where(live, self.reward_next[s2], 0.0)
            s = np.where(live, s2, s)
            live = live & ~self.terminal[s]
        if not batched:
            states, actions, rewards, alive = states[0], actions[0], rewards[0], alive[0]
        return Episodes(
            states=states, actions=actions, rewards=rewards, alive=alive, gamma=self.gamma
        )


def reinforce_gradients(
    world: GridWorld,
    logits: ArrayLike,
    episodes: Episodes,
    baselines: ArrayLike | float = 0.0,
) -> FloatArray:
    r"""One REINFORCE gradient estimate per episode, with a baseline :math:`b_t`.

    .. math::
        \hat g = \sum_t \gamma^t \bigl(G_t - b_t\bigr)\, \nabla_\theta \log \pi(a_t \mid s_t),
        \qquad \frac{\partial \log \pi(a \mid s)}{\partial \theta_{s}} = e_a - \pi(\cdot \mid s)

    The :math:`\gamma^t` makes :math:`\hat g` unbiased for :math:`\nabla J` of the
    discounted objective; most libraries drop it (Thomas 2014). ``baselines`` broadcasts
    against ``episodes.rewards`` (a number, or :math:`b_t` per episode and step).

    Returns:
        The estimates, ``episodes.rewards.shape[:-1] + (n_states, 4)``.
    """
    pi = world.policy(logits)
    b = np.broadcast_to(np.asarray(baselines, dtype=np.float64), episodes.rewards.shape)
    t = np.arange(episodes.rewards.shape[-1])
    weight = np.where(episodes.alive, world.gamma**t * (episodes.returns - b), 0.0)
    onehot_s = np.eye(world.n_states)[episodes.states]  # (..., H, S)
    onehot_a = np.eye(4)[episodes.actions]  # (..., H, A)
    if pi.ndim == 3:  # one policy per run: pi[run, s_t]
        pi_t = np.take_along_axis(pi[:, None, :, :], episodes.states[..., None], axis=2)
    else:
        pi_t = pi[episodes.states]
    score = onehot_a - pi_t  # grad of log pi(a_t | s_t) w.r.t. theta[s_t]
    return np.einsum("...t,...ts,...ta->...sa", weight, onehot_s, score)


def gridworld_gradient_variance(
    world: GridWorld,
    logits: ArrayLike | None = None,
    *,
    n_episodes: int = 4000,
    batch_size: int = 16,
    seed: int = 0,
) -> dict[str, GradientVariance]:
    r"""The variance of the gridworld REINFORCE gradient with each baseline, at a fixed policy.

    ``n_episodes`` episodes are sampled once (common random numbers) and give one
    single-episode estimate each (:func:`reinforce_gradients`) under three baselines:
    ``"none"`` (:math:`b = 0`), ``"constant"`` (:math:`b = J`, the expected return from
    the start) and ``"value"`` (:math:`b_t = V_{H-t}(s_t)`, the exact value of the current
    policy at the state and the steps left). All three are unbiased; the variance reported
    is the covariance trace of a batch of ``batch_size`` episodes (the single-episode
    variance divided by ``batch_size``).

    Args:
        world: the :class:`GridWorld`.
        logits: the policy (default: uniform).
        n_episodes: episodes sampled.
        batch_size: episodes per gradient estimate, for the reported variance.
        seed: seeds the episodes.

    Returns:
        ``{"none": ..., "constant": ..., "value": ...}`` of :class:`GradientVariance`.
    """
    z = np.zeros((world.n_states, 4)) if logits is None else world._check_logits(logits)
    if z.ndim != 2:
        raise ValueError(f"logits must be one policy, shape ({world.n_states}, 4); got {z.shape}.")
    n = _check_int(n_episodes, "n_episodes", 2)
    m = _check_int(batch_size, "batch_size", 1)
    rng = np.random.default_rng(seed)
    episodes = world.sample(z, n, rng)
    truth = world.policy_gradient(z)
    _, v = world.q_values(z)
    steps_left = world.horizon - np.arange(world.horizon)
    value_baseline = v[steps_left[None, :], episodes.states]  # V_{H-t}(s_t)
    out = {}
    for name, b in (
        ("none", 0.0),
        ("constant", float(v[-1][world.start])),
        ("value", value_baseline),
    ):
        g = reinforce_gradients(world, z, episodes, b)
        out[name] = GradientVariance(
            baseline=name,
            batch_size=m,
            true_gradient=truth,
            mean_estimate=g.mean(axis=0),
            variance=float(np.sum(g.var(axis=0, ddof=1))) / m,
            exact_variance=float("nan"),
            n_estimates=n,
        )
    return out


@dataclass(frozen=True)
class GridWorldRun:
    """REINFORCE runs on a :class:`GridWorld` (:func:`train_gridworld`).

    Attributes:
        expected_return: the exact :math:`J(\\theta_k)` before each iteration and at the
            end, ``(n_runs, iterations + 1)``.
        sampled_return: the mean discounted return of each iteration's batch,
            ``(n_runs, iterations)``.
        policy_loss: the mean :func:`lossviz.losses.policy_gradient` surrogate of each
            batch (over the steps taken), ``(n_runs, iterations)``.
        value_loss: the critic's mean squared error on each batch (0 without a
            baseline), ``(n_runs, iterations)``.
        final_logits: the policies at the end, ``(n_runs, n_states, 4)``.
        optimal_return: the best :math:`J` over deterministic policies (value iteration
            of the finite-horizon problem), for reference.
        seconds: wall-clock time.
    """

    expected_return: FloatArray
    sampled_return: FloatArray
    policy_loss: FloatArray
    value_loss: FloatArray
    final_logits: FloatArray
    optimal_return: float
    seconds: float


def _optimal_return(world: GridWorld) -> float:
    """Finite-horizon value iteration (time-dependent greedy policy): the best achievable J."""
    v = np.zeros(world.n_states)
    for _ in range(world.horizon):
        q = world.R + world.gamma * world.P @ v
        v = np.where(world.terminal, 0.0, q.max(axis=1))
    return float(v[world.start])


def train_gridworld(
    world: GridWorld,
    *,
    iterations: int = 60,
    episodes_per_iteration: int = 2,
    lr: float = 4.0,
    baseline: bool = True,
    critic_lr: float = 0.5,
    ent_coef: float = 0.0,
    n_runs: int = 40,
    seed: int = 0,
) -> GridWorldRun:
    r"""REINFORCE on the gridworld with a tabular softmax policy, ``n_runs`` runs at once.

    Each iteration samples ``episodes_per_iteration`` episodes and takes one step of size
    ``lr`` along the mean :func:`reinforce_gradients` estimate (plus ``ent_coef`` times the
    entropy gradient of each visited state's policy, averaged over the steps). With
    ``baseline=True`` a tabular critic :math:`V(s)` serves as the baseline
    :math:`b_t = V(s_t)`; it is fitted to the returns by gradient steps of size
    ``critic_lr`` on the value loss :math:`\tfrac12 (G_t - V(s_t))^2` (a state's step is
    averaged over its visits in the batch).

    The defaults (two episodes per step, a large step) make the gradient's noise the
    bottleneck, which is what a baseline fixes: over 40 runs the mean final return is
    0.28 with the critic and 0.08 without (optimal: 0.50).

    Returns:
        A :class:`GridWorldRun`; ``expected_return`` is exact, so the learning curves carry
        no evaluation noise.
    """
    import time

    start = time.perf_counter()
    iterations = _check_int(iterations, "iterations", 1)
    n = _check_int(episodes_per_iteration, "episodes_per_iteration", 1)
    lr = check_positive(lr, "lr")
    critic_lr = check_in_interval(critic_lr, "critic_lr", 0.0, 1.0, closed="right")
    c = _check_nonnegative(ent_coef, "ent_coef")
    n_runs = _check_int(n_runs, "n_runs", 1)
    rng = np.random.default_rng(seed)
    theta = np.zeros((n_runs, world.n_states, 4))
    critic = np.zeros((n_runs, world.n_states))
    expected = np.empty((n_runs, iterations + 1))
    sampled = np.empty((n_runs, iterations))
    p_loss = np.empty((n_runs, iterations))
    v_loss = np.zeros((n_runs, iterations))
    runs = np.arange(n_runs)[:, None, None]
    for k in range(iterations):
        expected[:, k] = world.expected_return(theta)
        ep = world.sample(theta, n, rng)
        g_t = ep.returns
        b = critic[runs, ep.states] if baseline else 0.0
        grads = reinforce_gradients(world, theta, ep, b).mean(axis=1)
        steps = np.maximum(ep.alive.sum(axis=(1, 2)), 1)
        log_pi = log_softmax(theta, axis=-1)[runs, ep.states, ep.actions]
        weight = np.where(ep.alive, g_t - b, 0.0)
        p_loss[:, k] = -np.sum(weight * log_pi, axis=(1, 2)) / steps
        sampled[:, k] = ep.total_return.mean(axis=1)
        if c > 0:
            visits = np.einsum("rnt,rnts->rs", ep.alive, np.eye(world.n_states)[ep.states])
            share = visits / steps[:, None]
            grads = grads + c * share[..., None] * entropy_gradient(theta)
        if baseline:
            err = np.where(ep.alive, g_t - critic[runs, ep.states], 0.0)
            v_loss[:, k] = 0.5 * np.sum(err**2, axis=(1, 2)) / steps
            onehot = np.eye(world.n_states)[ep.states]
            total = np.einsum("rnt,rnts->rs", err, onehot)
            count = np.einsum("rnt,rnts->rs", ep.alive, onehot)
            critic = critic + critic_lr * np.divide(
                total, count, out=np.zeros_like(total), where=count > 0
            )
        theta = theta + lr * grads
    expected[:, iterations] = world.expected_return(theta)
    return GridWorldRun(
        expected_return=expected,
        sampled_return=sampled,
        policy_loss=p_loss,
        value_loss=v_loss,
        final_logits=theta,
        optimal_return=_optimal_return(world),
        seconds=time.perf_counter() - start,
    )


# ======================================================================================
# PPO: the total objective and several epochs on one batch
# ======================================================================================


@dataclass(frozen=True)
class PPOObjective:
    """The parts of stable-baselines3's PPO loss on one batch (:func:`ppo_objective`).

    ``total = policy_loss + ent_coef * entropy_loss + vf_coef * value_loss``.

    Attributes:
        policy_loss: the clipped surrogate :func:`lossviz.losses.ppo_clip`, mean over the
            batch (on normalised advantages if requested).
        value_loss: the mean squared error of the values against the returns.
        entropy_loss: minus the mean entropy (lower = more random policy).
        vf_term: ``vf_coef * value_loss``.
        ent_term: ``ent_coef * entropy_loss``.
        total: the sum of the three terms, the loss stable-baselines3 back-propagates.
        clip_fraction: the share of samples with ``abs(ratio - 1) > clip_range``.
        approx_kl: stable-baselines3's estimate of KL(old ‖ new),
            ``mean((ratio - 1) - log ratio)``.
    """

    policy_loss: float
    value_loss: float
    entropy_loss: float
    vf_term: float
    ent_term: float
    total: float
    clip_fraction: float
    approx_kl: float


def _normalise(advantages: FloatArray) -> FloatArray:
    # as stable-baselines3: (A - mean) / (std + 1e-8) with torch's unbiased std (ddof=1)
    if advantages.size < 2:
        return advantages
    return (advantages - advantages.mean()) / (advantages.std(ddof=1) + 1e-8)


def ppo_objective(
    log_prob: ArrayLike,
    old_log_prob: ArrayLike,
    advantages: ArrayLike,
    values: ArrayLike,
    returns: ArrayLike,
    entropy: ArrayLike | None = None,
    *,
    clip_range: float = 0.2,
    vf_coef: float = 0.5,
    ent_coef: float = 0.0,
    normalize_advantage: bool = True,
) -> PPOObjective:
    r"""Stable-baselines3's PPO loss on one (mini-)batch, split into its parts.

    .. math::
        L = \underbrace{\tfrac1n \textstyle\sum_i \ell^{\text{clip}}_i}_{\text{policy}}
          + c_1 \underbrace{\tfrac1n \textstyle\sum_i (R_i - V(s_i))^2}_{\text{value}}
          + c_2 \underbrace{\bigl(-\tfrac1n \textstyle\sum_i H(\pi(\cdot \mid s_i))\bigr)}_{\text{entropy}}

    with :math:`c_1` = ``vf_coef`` (default 0.5) and :math:`c_2` = ``ent_coef`` (default
    0), as in ``PPO.train``: advantages normalised per batch (``normalize_advantage``, with
    torch's unbiased std and 1e-8), ``ratio = exp(log_prob - old_log_prob)``, the clipped
    surrogate (:func:`lossviz.losses.ppo_clip` with ``clip_range``), ``F.mse_loss(returns,
    values)`` and, without an entropy, ``-mean(-log_prob)`` as its estimate.

    Args:
        log_prob: :math:`\log \pi_\theta(a_i \mid s_i)` under the current policy.
        old_log_prob: the same under the policy that collected the batch.
        advantages: :math:`\hat A_i` (e.g. :func:`gae`).
        values: the critic's :math:`V(s_i)`.
        returns: its targets :math:`R_i` (e.g. :func:`lambda_returns`).
        entropy: :math:`H(\pi_\theta(\cdot \mid s_i))`, or ``None``.
        clip_range: :math:`\varepsilon > 0`.
        vf_coef: :math:`c_1 \ge 0`.
        ent_coef: :math:`c_2 \ge 0`.
        normalize_advantage: normalise the advantages first (stable-baselines3's default).

    Returns:
        A :class:`PPOObjective`.
    """
    lp = _trace(log_prob, "log_prob")
    n = lp.size
    olp, adv, v, ret = (
        _same(x, name, n)
        for x, name in (
            (old_log_prob, "old_log_prob"),
            (advantages, "advantages"),
            (values, "values"),
            (returns, "returns"),
        )
    )
    eps = check_positive(clip_range, "clip_range")
    c1, c2 = _check_nonnegative(vf_coef, "vf_coef"), _check_nonnegative(ent_coef, "ent_coef")
    if normalize_advantage:
        adv = _normalise(adv)
    log_ratio = lp - olp
    policy = float(ppo_clip(adv, log_ratio, clip_range=eps))
    value = float(np.mean((ret - v) ** 2))
    ent = -lp if entropy is None else _same(entropy, "entropy", n)
    ent_loss = float(-np.mean(ent))
    with np.errstate(over="ignore"):
        ratio = np.exp(log_ratio)
    return PPOObjective(
        policy_loss=policy,
        value_loss=value,
        entropy_loss=ent_loss,
        vf_term=c1 * value,
        ent_term=c2 * ent_loss,
        total=policy + c2 * ent_loss + c1 * value,
        clip_fraction=float(np.mean(np.abs(ratio - 1.0) > eps)),
        approx_kl=float(np.mean((ratio - 1.0) - log_ratio)),
    )


def _same(x: ArrayLike, name: str, n: int) -> FloatArray:
    arr = _trace(x, name)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), like log_prob; got {arr.shape}.")
    return arr


def _batch_gae(
    rewards: FloatArray, values: FloatArray, alive: NDArray[np.bool_], gamma: float, lam: float
) -> FloatArray:
    """GAE over episodes along the last axis; the value after an episode's end is 0."""
    adv = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[:-1])
    horizon = rewards.shape[-1]
    for t in range(horizon - 1, -1, -1):
        nxt = values[..., t + 1] * alive[..., t + 1] if t + 1 < horizon else 0.0
        delta = rewards[..., t] + gamma * nxt - values[..., t]
        running = np.where(alive[..., t], delta + gamma * lam * running, 0.0)
        adv[..., t] = running
    return adv


@dataclass(frozen=True)
class PPOEpochs:
    """Several epochs of PPO updates on one gridworld batch (:func:`ppo_epochs`).

    Every array has ``epochs + 1`` entries: index 0 is the batch under the old policy
    (before any update), index ``k`` after ``k`` epochs.

    Attributes:
        policy_loss: the clipped surrogate on the batch.
        value_loss: the critic's mean squared error against the returns.
        entropy_loss: minus the mean entropy of the policy at the batch's states.
        total_loss: ``policy_loss + ent_coef * entropy_loss + vf_coef * value_loss``.
        clip_fraction: the share of samples whose ratio is outside ``1 ± clip_range``.
        approx_kl: stable-baselines3's estimate ``mean((r - 1) - log r)`` over the samples.
        kl: the exact :math:`\\mathrm{KL}(\\pi_\\text{old} \\| \\pi)` averaged over the
            batch's states.
        expected_return: the exact :math:`J` of the policy (the old one at index 0).
        n_samples: the number of (state, action) samples in the batch.
        clip_range: the clip range used (``inf`` for the unclipped surrogate).
    """

    policy_loss: FloatArray
    value_loss: FloatArray
    entropy_loss: FloatArray
    total_loss: FloatArray
    clip_fraction: FloatArray
    approx_kl: FloatArray
    kl: FloatArray
    expected_return: FloatArray
    n_samples: int
    clip_range: float


@dataclass(frozen=True)
class _TabularBatch:
    """One PPO batch of a tabular policy: states, actions and their fixed targets."""

    s: IntArray
    a: IntArray
    advantages: FloatArray
    returns: FloatArray
    old_log_prob: FloatArray


def _ppo_tabular_loss(
    z: FloatArray, v: FloatArray, batch: _TabularBatch, eps: float, c1: float, c2: float
) -> tuple[dict[str, float], FloatArray, FloatArray]:
    """The total PPO loss of a tabular policy ``z`` and critic ``v``, and its gradients.

    ``eps = inf`` is the unclipped surrogate -rA. Returns the parts (policy, value, entropy,
    total) and d(total)/dz, d(total)/dv.
    """
    s, a, adv, n = batch.s, batch.a, batch.advantages, batch.s.size
    log_pi = log_softmax(z, axis=-1)
    pi = np.exp(log_pi)
    log_ratio = log_pi[s, a] - batch.old_log_prob
    if np.isfinite(eps):
        policy = float(ppo_clip(adv, log_ratio, clip_range=eps))
        d_logp = ppo_clip_grad(adv, log_ratio, clip_range=eps)
    else:
        ratio = np.exp(log_ratio)
        policy = float(np.mean(-ratio * adv))
        d_logp = -ratio * adv / n
    ent_loss = float(-np.mean(-np.sum(pi * log_pi, axis=-1)[s]))
    value = float(np.mean((batch.returns - v[s]) ** 2))
    # chain rule: d log pi(a|s) / d z_s = e_a - pi(.|s)
    g_z = np.zeros_like(z)
    np.add.at(g_z, s, d_logp[:, None] * (np.eye(z.shape[-1])[a] - pi[s]))
    counts = np.bincount(s, minlength=z.shape[0]).astype(np.float64)
    g_z -= c2 * (counts / n)[:, None] * entropy_gradient(z)  # d(c2 * (-mean H))/dz
    g_v = np.zeros_like(v)
    np.add.at(g_v, s, -2.0 * c1 * (batch.returns - v[s]) / n)
    parts = {
        "policy_loss": policy,
        "value_loss": value,
        "entropy_loss": ent_loss,
        "total_loss": policy + c2 * ent_loss + c1 * value,
    }
    return parts, g_z, g_v


def ppo_epochs(
    world: GridWorld,
    *,
    logits: ArrayLike | None = None,
    critic: ArrayLike | None = None,
    n_episodes: int = 16,
    epochs: int = 10,
    lr: float = 0.1,
    clip_range: float | None = 0.2,
    vf_coef: float = 0.5,
    ent_coef: float = 0.0,
    gae_lambda: float = 0.95,
    normalize_advantage: bool = True,
    monitor_clip_range: float = 0.2,
    seed: int = 0,
) -> PPOEpochs:
    r"""PPO's inner loop on a tabular gridworld policy: ``epochs`` updates on one batch.

    ``n_episodes`` episodes are sampled with the old policy (``logits``, default
    uniform); advantages are :func:`gae` with the old critic (``critic``, default 0;
    stable-baselines3's ``gae_lambda`` = 0.95) and the critic's targets are the
    :math:`\lambda`-returns. Each epoch takes one full-batch Adam step (stable-baselines3's
    optimizer; it uses mini-batches, here the batch is small) of size ``lr`` on the total
    loss of :func:`ppo_objective`, for the policy's logits and the critic's table together.
    ``clip_range=None`` uses the unclipped surrogate :math:`-rA` instead (no trust region),
    for comparison (its clip fraction is then measured at ``monitor_clip_range``).

    Args:
        world: the :class:`GridWorld`.
        logits: the old policy (default: uniform).
        critic: the old critic :math:`V(s)` (default: 0).
        n_episodes: episodes in the batch.
        epochs: updates on the batch.
        lr: Adam's step size.
        clip_range: :math:`\varepsilon`, or ``None`` for the unclipped surrogate.
        vf_coef: the value loss's weight :math:`c_1`.
        ent_coef: the entropy loss's weight :math:`c_2`.
        gae_lambda: :math:`\lambda` of the advantages.
        normalize_advantage: normalise the advantages over the batch.
        monitor_clip_range: the :math:`\varepsilon` of the reported clip fraction when
            ``clip_range`` is ``None``.
        seed: seeds the batch.

    Returns:
        A :class:`PPOEpochs` with every monitored number per epoch.
    """
    from .train import Adam

    z0 = np.zeros((world.n_states, 4)) if logits is None else world._check_logits(logits)
    if z0.ndim != 2:
        raise ValueError(f"logits must be one policy, shape ({world.n_states}, 4).")
    v0 = np.zeros(world.n_states) if critic is None else _trace(critic, "critic")
    if v0.shape != (world.n_states,):
        raise ValueError(f"critic must hold one value per state, shape ({world.n_states},).")
    n_ep = _check_int(n_episodes, "n_episodes", 1)
    epochs = _check_int(epochs, "epochs", 1)
    eps = np.inf if clip_range is None else check_positive(clip_range, "clip_range")
    eps_monitor = (
        check_positive(monitor_clip_range, "monitor_clip_range") if clip_range is None else eps
    )
    c1, c2 = _check_nonnegative(vf_coef, "vf_coef"), _check_nonnegative(ent_coef, "ent_coef")
    lam = _check_discount(gae_lambda, "gae_lambda")
    rng = np.random.default_rng(seed)
    ep = world.sample(z0, n_ep, rng)
    adv_all = _batch_gae(ep.rewards, v0[ep.states], ep.alive, world.gamma, lam)
    mask = ep.alive
    s, a = ep.states[mask], ep.actions[mask]
    returns = adv_all[mask] + v0[s]
    adv = _normalise(adv_all[mask]) if normalize_advantage else adv_all[mask]
    n = s.size
    old_log_pi = log_softmax(z0, axis=-1)
    old_lp = old_log_pi[s, a]
    params = {"logits": z0.copy(), "critic": v0.copy()}
    opt = Adam(lr=check_positive(lr, "lr"))
    rows: dict[str, list[float]] = {
        k: []
        for k in (
            "policy_loss",
            "value_loss",
            "entropy_loss",
            "total_loss",
            "clip_fraction",
            "approx_kl",
            "kl",
            "expected_return",
        )
    }
    batch = _TabularBatch(s=s, a=a, advantages=adv, returns=returns, old_log_prob=old_lp)
    for k in range(epochs + 1):
        z, v = params["logits"], params["critic"]
        parts, g_z, g_v = _ppo_tabular_loss(z, v, batch, eps, c1, c2)
        log_pi = log_softmax(z, axis=-1)
        log_ratio = log_pi[s, a] - old_lp
        ratio = np.exp(log_ratio)
        kl_states = np.sum(np.exp(old_log_pi) * (old_log_pi - log_pi), axis=-1)
        for key in ("policy_loss", "value_loss", "entropy_loss", "total_loss"):
            rows[key].append(parts[key])
        rows["clip_fraction"].append(float(np.mean(np.abs(ratio - 1.0) > eps_monitor)))
        rows["approx_kl"].append(float(np.mean((ratio - 1.0) - log_ratio)))
        rows["kl"].append(float(np.mean(kl_states[s])))
        rows["expected_return"].append(float(world.expected_return(z)))
        if k < epochs:
            opt.step(params, {"logits": g_z, "critic": g_v})
    return PPOEpochs(
        **{k: np.array(x) for k, x in rows.items()}, n_samples=n, clip_range=float(eps)
    )


def gridworld_warm_start(
    world: GridWorld, *, iterations: int = 15, seed: int = 3
) -> tuple[FloatArray, FloatArray]:
    r"""A partially trained policy and a well-fitted critic: where PPO's clipping matters.

    15 iterations of REINFORCE with a baseline (:func:`train_gridworld`, one run, 4
    episodes per iteration, step 2) from the uniform policy; on the default world its
    expected return is 0.175 (uniform: −0.594, optimal: 0.501). The critic is that
    policy's exact value with the full horizon left, :math:`V_H(s)`.

    Returns:
        ``(logits, critic)`` of shapes ``(n_states, 4)`` and ``(n_states,)``.
    """
    run = train_gridworld(
        world,
        iterations=iterations,
        episodes_per_iteration=4,
        lr=2.0,
        baseline=True,
        n_runs=1,
        seed=seed,
    )
    logits = run.final_logits[0]
    _, v = world.q_values(logits)
    return logits, v[-1].copy()


@dataclass(frozen=True)
class PPOClipComparison:
    """Clipped against unclipped PPO epochs on many batches (:func:`ppo_clip_comparison`).

    Attributes:
        expected_return: ``"clipped"`` / ``"unclipped"`` -> exact :math:`J` after each
            epoch, ``(n_batches, epochs + 1)`` (index 0: the old policy).
        kl: the same for the exact :math:`\\mathrm{KL}(\\pi_\\text{old} \\| \\pi)`.
        clip_fraction: the same for the clip fraction (the share of ratios outside
            ``1 ± clip_range``, also for the unclipped run, where nothing stops them).
        seconds: wall-clock time.
    """

    expected_return: dict[str, FloatArray]
    kl: dict[str, FloatArray]
    clip_fraction: dict[str, FloatArray]
    seconds: float


def ppo_clip_comparison(
    world: GridWorld,
    *,
    logits: ArrayLike | None = None,
    critic: ArrayLike | None = None,
    n_batches: int = 20,
    n_episodes: int = 16,
    epochs: int = 10,
    lr: float = 0.3,
    clip_range: float = 0.2,
    seed: int = 0,
) -> PPOClipComparison:
    r""":func:`ppo_epochs` with and without clipping on the same ``n_batches`` batches.

    Starts from :func:`gridworld_warm_start` unless ``logits`` and ``critic`` are given.
    Without the clip, the surrogate :math:`-rA` rewards moving the ratio ever further, so
    each epoch moves the policy further from the one that collected the data (the KL
    grows without bound) and the return peaks, then falls; with it, the samples whose
    ratio has left :math:`[1 - \varepsilon, 1 + \varepsilon]` stop pulling.
    """
    import time

    start = time.perf_counter()
    if logits is None or critic is None:
        z, v = gridworld_warm_start(world)
        z = z if logits is None else world._check_logits(logits)
        v = v if critic is None else _trace(critic, "critic")
    else:
        z, v = world._check_logits(logits), _trace(critic, "critic")
    n_batches = _check_int(n_batches, "n_batches", 1)
    eps = check_positive(clip_range, "clip_range")
    out: dict[str, dict[str, list[FloatArray]]] = {
        "expected_return": {"clipped": [], "unclipped": []},
        "kl": {"clipped": [], "unclipped": []},
        "clip_fraction": {"clipped": [], "unclipped": []},
    }
    for i in range(n_batches):
        for name, clip in (("clipped", eps), ("unclipped", None)):
            r = ppo_epochs(
                world,
                logits=z,
                critic=v,
                n_episodes=n_episodes,
                epochs=epochs,
                lr=lr,
                clip_range=clip,
                monitor_clip_range=eps,
                seed=seed + i,
            )
            out["expected_return"][name].append(r.expected_return)
            out["kl"][name].append(r.kl)
            out["clip_fraction"][name].append(r.clip_fraction)
    stacked = {k: {n: np.array(x) for n, x in d.items()} for k, d in out.items()}
    return PPOClipComparison(**stacked, seconds=time.perf_counter() - start)


# ======================================================================================
# The policy loss is not a progress signal
# ======================================================================================


@dataclass(frozen=True)
class FallingLoss:
    """Gradient steps on one fixed batch (:func:`falling_loss_falling_return`).

    Attributes:
        means: the arms' expected rewards.
        actions: the batch's arms.
        rewards: their rewards.
        baseline: the baseline of the misleading run.
        loss: the surrogate on the batch before each step and at the end, ``(steps + 1,)``.
        expected_return: the exact :math:`J(\\theta)` along the way.
        probs: the policy along the way, ``(steps + 1, n_arms)``.
        loss_fair: the surrogate along the comparison run, whose baseline is the batch's
            mean reward.
        expected_return_fair: :math:`J` along the comparison run.
    """

    means: FloatArray
    actions: IntArray
    rewards: FloatArray
    baseline: float
    loss: FloatArray
    expected_return: FloatArray
    probs: FloatArray
    loss_fair: FloatArray
    expected_return_fair: FloatArray


def falling_loss_falling_return(
    *, baseline: float = 2.0, lr: float = 0.5, steps: int = 20
) -> FallingLoss:
    r"""A deterministic batch on which the policy loss falls at every step while the return falls.

    A three-armed bandit with deterministic rewards :math:`\mu = (1, 0.9, 0)`; the uniform
    policy (:math:`\theta = 0`) has drawn the batch of six pulls ``0 1 0 1 0 1`` (the bad
    third arm, by chance, never: probability :math:`(2/3)^6 \approx 0.09`). Gradient
    descent of size ``lr`` on the REINFORCE surrogate
    :math:`L(\theta) = -\frac16 \sum_i (r_i - b) \log \pi_\theta(a_i)` with a stale
    baseline :math:`b = 2` (higher than any reward, e.g. a critic from better times)
    makes every weight :math:`r_i - b` negative: each step lowers :math:`L` by pushing
    down the two good arms that were sampled, and the probability flows to the bad arm
    nobody tried. The true return :math:`J = \pi \cdot \mu` falls from 0.63 to 0 while
    :math:`L` falls without bound. The baseline cancels only in expectation; on a finite
    batch a wrong one is a real force. With the batch's mean reward as baseline (the
    comparison run) the loss falls too, and :math:`J` rises. The loss measures the fit to
    the current batch, not progress.

    Args:
        baseline: the stale baseline :math:`b`.
        lr: the step size.
        steps: gradient steps.

    Returns:
        A :class:`FallingLoss`.
    """
    b = check_real(baseline, "baseline")
    lr = check_positive(lr, "lr")
    steps = _check_int(steps, "steps", 1)
    means = np.array([1.0, 0.9, 0.0])
    actions = np.array([0, 1, 0, 1, 0, 1])
    rewards = means[actions]

    def run(base: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        theta = np.zeros(3)
        eye = np.eye(3)
        losses_, returns_, probs_ = [], [], []
        for k in range(steps + 1):
            log_p = log_softmax(theta)
            p = np.exp(log_p)
            weights = rewards - base
            losses_.append(float(np.mean(-weights * log_p[actions])) + 0.0)  # no -0.0
            returns_.append(float(p @ means))
            probs_.append(p)
            if k < steps:
                grad = -np.mean(weights[:, None] * (eye[actions] - p), axis=0)
                theta = theta - lr * grad
        return np.array(losses_), np.array(returns_), np.array(probs_)

    loss, ret, probs = run(b)
    loss_fair, ret_fair, _ = run(float(rewards.mean()))
    return FallingLoss(
        means=means,
        actions=actions,
        rewards=rewards,
        baseline=b,
        loss=loss,
        expected_return=ret,
        probs=probs,
        loss_fair=loss_fair,
        expected_return_fair=ret_fair,
    )


# ======================================================================================
# A real-data contextual bandit: scikit-learn's digits
# ======================================================================================


@dataclass(frozen=True)
class DigitsBandit:
    """REINFORCE on digits as a contextual bandit vs supervised learning (:func:`digits_bandit`).

    Attributes:
        methods: ``("reinforce", "reinforce_baseline", "supervised")``.
        test_accuracy: method -> test accuracy after each epoch, ``(epochs,)``.
        mean_reward: method -> the mean training reward in each epoch (for supervised
            learning, the reward its policy would have collected by sampling).
        n_train: training images.
        n_test: test images.
        seconds: method -> wall-clock time of its training.
    """

    methods: tuple[str, ...]
    test_accuracy: dict[str, FloatArray]
    mean_reward: dict[str, FloatArray]
    n_train: int
    n_test: int
    seconds: dict[str, float]

    def final_accuracy(self) -> dict[str, float]:
        """The test accuracy of each method after the last epoch."""
        return {m: float(acc[-1]) for m, acc in self.test_accuracy.items()}


def digits_bandit(
    *,
    epochs: int = 20,
    batch_size: int = 32,
    lr: float = 0.2,
    baseline_rate: float = 0.05,
    test_size: float = 0.25,
    seed: int = 0,
) -> DigitsBandit:
    r"""scikit-learn's digits as a contextual bandit: only "right" or "wrong", never the label.

    Context: an 8×8 image :math:`x` (standardised, 64 features). Action: a digit
    :math:`a \in \{0, \dots, 9\}` drawn from a linear softmax policy
    :math:`\pi(a \mid x) = \mathrm{softmax}(W^\top x + c)`. Reward: 1 if :math:`a` is the
    label, else 0; the label itself is never shown. REINFORCE descends
    :math:`-(r - b) \log \pi(a \mid x)` with :math:`b = 0` (``"reinforce"``) or a running
    average of the rewards (``"reinforce_baseline"``, rate ``baseline_rate``);
    ``"supervised"`` descends the cross-entropy :math:`-\log \pi(y \mid x)` with the label.
    All three use the same model, mini-batches (same shuffles), step size and epochs; the
    data come from :func:`lossviz.data.load_digits` (bundled, no download). The bandit
    learner gets one bit per image instead of the label, and learns more slowly.

    Returns:
        A :class:`DigitsBandit` with the test accuracy after every epoch.
    """
    import time

    from .data import load_digits

    epochs = _check_int(epochs, "epochs", 1)
    bs = _check_int(batch_size, "batch_size", 1)
    lr = check_positive(lr, "lr")
    beta = check_in_interval(baseline_rate, "baseline_rate", 0.0, 1.0, closed="right")
    split = load_digits(val_size=0, test_size=test_size, seed=seed)
    X, y = split.X_train, split.y_train.astype(np.intp)
    Xt, yt = split.X_test, split.y_test.astype(np.intp)
    n, d = X.shape
    methods = ("reinforce", "reinforce_baseline", "supervised")
    acc: dict[str, FloatArray] = {}
    rew: dict[str, FloatArray] = {}
    secs: dict[str, float] = {}
    for method in methods:
        start = time.perf_counter()
        rng = np.random.default_rng(seed)
        W, c = np.zeros((d, 10)), np.zeros(10)
        b: float | None = None
        acc_m, rew_m = [], []
        for _ in range(epochs):
            perm = rng.permutation(n)
            total = 0.0
            for i in range(0, n, bs):
                idx = perm[i : i + bs]
                xb, yb = X[idx], y[idx]
                rows = np.arange(idx.size)
                p = softmax(xb @ W + c, axis=1)
                cum = np.cumsum(p, axis=1)
                cum[:, -1] = 1.0
                a = np.minimum((rng.random((idx.size, 1)) >= cum).sum(axis=1), 9)
                r = (a == yb).astype(np.float64)
                total += r.sum()
                if method == "supervised":
                    grad = p.copy()  # d(-log pi(y|x))/dz = pi - e_y
                    grad[rows, yb] -= 1.0
                else:
                    if method == "reinforce_baseline":
                        b = float(r.mean()) if b is None else b
                        w = r - b
                        b += beta * (float(r.mean()) - b)
                    else:
                        w = r
                    grad = p * w[:, None]  # d(-w log pi(a|x))/dz = -w (e_a - pi)
                    grad[rows, a] -= w
                W -= lr * xb.T @ grad / idx.size
                c -= lr * grad.mean(axis=0)
            acc_m.append(float(np.mean(np.argmax(Xt @ W + c, axis=1) == yt)))
            rew_m.append(total / n)
        acc[method], rew[method] = np.array(acc_m), np.array(rew_m)
        secs[method] = time.perf_counter() - start
    return DigitsBandit(
        methods=methods,
        test_accuracy=acc,
        mean_reward=rew,
        n_train=n,
        n_test=int(yt.size),
        seconds=secs,
    )
