r"""Checks for chapter 06, *Reinforcement-learning losses*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values are precomputed numbers or are computed
here with plain numpy (never shown to the learner as code); the solutions live only in
the chapter.

The chapter imports the checks and the real-data helpers its prompts use::

    from lossviz.exercises.rl import (
        DIGITS_LR, DIGITS_STEPS, digits_bandit, train_digits_bandit,
        check_discounted_returns, check_ppo_clip, check_reinforce_logit_grad,
        check_reinforce_loss, check_td,
    )

Conventions (the prompts must say the same):

- ``discounted_returns(rewards, gamma)``: one episode, ``rewards`` a 1-D float array of
  length T; returns the array of the T returns
  :math:`G_t = \sum_{k \ge 0} \gamma^k r_{t+k}`.
- ``td_error(r, v_s, v_next, gamma, done)``: 1-D float arrays of the same length,
  ``done`` holding 0.0 / 1.0; returns δ = r + γ(1 − done)·V(s′) − V(s) element-wise.
- ``td0_update(V, s, r, s_next, alpha, gamma, done)``: ``V`` a 1-D value table, ``s`` and
  ``s_next`` integer states, ``r``, ``alpha``, ``gamma`` numbers, ``done`` a bool; returns
  a *new* table equal to V except ``V[s] + alpha·δ`` at s (copy first, the caller's V is
  left unchanged; the check reads only the returned array).
- ``reinforce_loss(log_probs, returns, baseline)``: arrays of the same shape (1-D or
  2-D), ``baseline`` a number or an array of that shape; returns
  −mean((G − b)·log π(a|s)), one float.
- ``ppo_clip_loss(logp, logp_old, adv, clip_range)`` and
  ``ppo_clip_grad(logp, logp_old, adv, clip_range)``: 1-D arrays of the same length n,
  ``clip_range`` = ε; the loss −mean(min(r·A, clip(r, 1 − ε, 1 + ε)·A)) with
  r = exp(logp − logp_old), and its gradient with respect to ``logp``, shape (n,).
- ``reinforce_logit_grad(logits, actions, rewards, baseline)``: logits of shape (n, K),
  integer actions and float rewards of shape (n,), ``baseline`` a number; returns the
  gradient of −mean((r − b)·log softmax(z)[a]) with respect to the logits, shape (n, K).

The real-data exercise turns scikit-learn's digits (1797 8×8 images, bundled with
scikit-learn) into a contextual bandit: the context is an image (64 pixels scaled to
[0, 1]), the 10 actions are the digits, the reward is 1 for naming the right digit and 0
otherwise. :func:`train_digits_bandit` trains a linear-softmax policy with the learner's
gradient; :func:`check_reinforce_logit_grad` runs it and prints the greedy policy's
test accuracy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp, softmax

from .. import data
from ..losses._core import FloatArray
from ._check import (
    Fail,
    GradientOf,
    as_gradient,
    as_loss,
    call,
    call_named,
    check,
    expect_array,
    expect_close,
    finite_difference_gradient,
    fmt,
    hint_when,
    require_function,
    require_functions,
)

__all__ = [
    "DIGITS_BASELINE_RATE",
    "DIGITS_LR",
    "DIGITS_MIN_ACCURACY",
    "DIGITS_SEED",
    "DIGITS_STEPS",
    "DigitsBanditRun",
    "check_discounted_returns",
    "check_ppo_clip",
    "check_reinforce_logit_grad",
    "check_reinforce_loss",
    "check_td",
    "digits_bandit",
    "train_digits_bandit",
]


def _close(a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _array(value: Any, what: str, shape: tuple[int, ...], of: str,
           scalar_hint: str) -> np.ndarray:
    """A returned array of ``shape`` (the shape of ``of``), without nan."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    if isinstance(value, tuple) and any(np.ndim(v) > 0 for v in value):
        raise Fail(f"{what} returned a tuple of {len(value)} values, expected one array",
                   f"return one array with the shape of {of}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__} {fmt(value)}, expected an array "
                   "of numbers") from None
    if arr.ndim == 0:
        raise Fail(f"{what} returned one number, {fmt(arr[()])}, expected an array of shape "
                   f"{shape}", scalar_hint)
    if arr.shape != shape:
        raise Fail(f"{what} returned an array of shape {arr.shape}, expected {shape}, the "
                   f"shape of {of}", "compute the result element-wise, one entry per entry "
                   f"of {of}")
    if np.any(np.isnan(arr)):
        raise Fail(f"{what} returned nan", "look for a 0/0 or an operation on inf")
    return arr


def _first_hint(got: np.ndarray, mistakes: tuple[tuple[Any, str], ...]) -> str | None:
    return next((hint for wrong, hint in mistakes if _close(got, wrong)), None)


# --------------------------------------------------------------------------------------
# discounted_returns(rewards, gamma)
# --------------------------------------------------------------------------------------

_RET_R = np.array([1.0, 0.0, 2.0, 3.0])
_RET_CASE = "rewards=[1, 0, 2, 3], γ=0.5"
_RET_EXPECTED = np.array([1.875, 1.75, 3.5, 3.0])  # G_t = r_t + γ G_{t+1}, from the end
_RET_MISTAKES = (
    ([1.0, 0.5, 2.25, 4.125],
     "that accumulates forward in time (each entry discounts the *past* rewards); G_t "
     "adds up the rewards from step t to the end of the episode. Loop backwards, from the "
     "last step: G = r[t] + γ·G"),
    ([3.0, 3.5, 1.75, 1.875],
     "the returns are in reverse order: G[0] is the return from the first step. If you "
     "looped backwards and appended, reverse the list at the end (or fill G[t] by index)"),
    ([0.9375, 0.875, 1.75, 1.5],
     "every entry is γ times too small: the reward of step t itself is not discounted "
     "(γ⁰ = 1): G_t = r_t + γ·r_{t+1} + γ²·r_{t+2} + …; the exponent is off by one"),
    ([3.75, 3.5, 7.0, 6.0],
     "every entry is 1/γ times too large: the exponent of γ is k, the number of steps "
     "after t (γ⁰ = 1 for r_t itself); the exponent is off by one"),
    ([0.875, 1.75, 1.5, 0.0],
     "the reward of step t itself is missing: G_t = r_t + γ·G_{t+1} starts with r_t"),
    ([6.0, 5.0, 5.0, 3.0],
     "γ is missing: that is the undiscounted sum (γ = 1). Multiply the reward k steps "
     "ahead by γ^k"),
    ([1.875, 1.875, 1.875, 1.875],
     "every entry is G_0: each step t has its own return, the discounted sum of the "
     "rewards from r_t onwards"),
    ([1.0, 1.0, 1.5, 1.875],
     "that is the discounted sum of the rewards from the start up to t; G_t sums the "
     "rewards from t to the end: r_t + γ·r_{t+1} + …"),
    ([6.0, 6.0, 6.0, 6.0],
     "every entry is the total reward of the episode: G_t starts at step t and discounts "
     "the later rewards"),
)
_RET_G1_R = np.array([1.0, -1.0, 2.0, 0.5, 3.0])
_RET_G1 = np.array([5.5, 4.5, 5.5, 3.5, 3.0])  # γ = 1: the reversed cumulative sum
_RET_RANDOM = ((1, 0.9), (3, 0.99), (10, 0.5), (50, 0.95), (200, 0.999), (7, 0.3))


def _discounted(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """G = Γ r with Γ[t, j] = γ^(j − t) for j ≥ t, 0 below the diagonal."""
    steps = np.arange(rewards.size)
    ahead = steps[None, :] - steps[:, None]
    weights = np.where(ahead >= 0, gamma ** np.maximum(ahead, 0), 0.0)
    return weights @ rewards


def _returns_call(fn: Any, rewards: np.ndarray, gamma: float) -> np.ndarray:
    what = f"discounted_returns({fmt(rewards)}, {fmt(gamma)})"
    value = call(fn, "discounted_returns", rewards, gamma)
    g0 = float(_discounted(rewards, gamma)[0])
    if np.ndim(value) == 0 and value is not None:
        try:
            only_g0 = np.isclose(float(value), g0, rtol=1e-6)
        except (TypeError, ValueError):
            only_g0 = False
        if only_g0 and rewards.size > 1:
            raise Fail(f"{what} returned only one number, {fmt(value)} = G_0, expected an "
                       f"array of {rewards.size} returns",
                       "that is the return from the first step only: return an array with "
                       "one G_t for every step t, the same length as rewards")
    return _array(value, what, rewards.shape, "rewards",
                  "return one G_t per time step: an array the length of rewards")


@check("discounted_returns(rewards, gamma) gives G_t = Σ_k γ^k·r_{t+k} for every step t "
       "on a fixed episode, with γ = 0 (G = r), γ = 1 (the reversed cumulative sum) and on "
       "6 random episodes of up to 200 steps")
def check_discounted_returns(fn: Any) -> None:
    r"""Check ``discounted_returns(rewards, gamma)``: the return from every step of an episode.

    The learner writes, for one episode's rewards (a 1-D float array of length T) and a
    discount ``gamma`` in [0, 1], a function returning the array of the T returns

    .. math::
        G_t = \sum_{k=0}^{T-1-t} \gamma^k r_{t+k} = r_t + \gamma G_{t+1}, \qquad G_T = 0.

    What is checked: ``rewards = [1, 0, 2, 3]`` with γ = 0.5 → ``[1.875, 1.75, 3.5, 3]``;
    the same rewards with γ = 0 (G = r); ``[1, -1, 2, 0.5, 3]`` with γ = 1 (the reversed
    cumulative sum ``[5.5, 4.5, 5.5, 3.5, 3]``); 6 random episodes (1 to 200 steps,
    γ from 0.3 to 0.999). Hints for: accumulating forward in time, the reversed order,
    γ's exponent off by one either way, the reward of step t left out, γ forgotten,
    every entry G_0 or the total, the discounted sum *up to* t, only G_0 returned.

    Args:
        fn: the learner's ``discounted_returns(rewards, gamma)``.
    """
    fn = require_function(fn, "discounted_returns(rewards, gamma)")
    got = _returns_call(fn, _RET_R, 0.5)
    expect_array(got, _RET_EXPECTED, what=f"discounted_returns for {_RET_CASE}",
                 mistakes=_RET_MISTAKES,
                 hint="G_t = r_t + γ·r_{t+1} + γ²·r_{t+2} + … to the end of the episode")
    got = _returns_call(fn, _RET_R, 0.0)
    if not _close(got, _RET_R):
        raise Fail(f"discounted_returns for rewards=[1, 0, 2, 3], γ=0 should be "
                   f"{fmt(_RET_R)} (G = r), got {fmt(got)}",
                   "use the gamma argument" if _close(got, _RET_EXPECTED) else
                   "with γ = 0 only the immediate reward counts: G_t = r_t (γ⁰ = 1)")
    got = _returns_call(fn, _RET_G1_R, 1.0)
    expect_array(got, _RET_G1, what="discounted_returns for rewards=[1, -1, 2, 0.5, 3], γ=1",
                 hint="with γ = 1, G_t is the plain sum of the rewards from t to the end, a "
                      "reversed cumulative sum")
    rng = np.random.default_rng(606)
    for steps, gamma in _RET_RANDOM:
        rewards = rng.normal(0.0, 1.0, steps)
        got = _returns_call(fn, rewards, gamma)
        expect_array(got, _discounted(rewards, gamma), rtol=1e-8, atol=1e-10,
                     what=f"discounted_returns on a random episode of {steps} steps, "
                          f"γ={fmt(gamma)}",
                     hint="it must work for any episode length and any γ, not just the "
                          "examples above")


# --------------------------------------------------------------------------------------
# td_error(r, v_s, v_next, gamma, done), td0_update(V, s, r, s_next, alpha, gamma, done)
# --------------------------------------------------------------------------------------

_TD_R = np.array([1.0, 0.0, -1.0, 2.0])
_TD_V = np.array([0.5, 1.0, 2.0, 0.0])
_TD_V_NEXT = np.array([1.0, 3.0, 4.0, 10.0])
_TD_DONE = np.array([0.0, 0.0, 0.0, 1.0])
_TD_CASE = "r=[1, 0, -1, 2], v_s=[0.5, 1, 2, 0], v_next=[1, 3, 4, 10], γ=0.9, done=[0, 0, 0, 1]"
_TD_EXPECTED = np.array([1.4, 1.7, 0.6, 2.0])
_NO_MASK = ("the last transition ends the episode (done = 1): there is no next state to "
            "bootstrap from, so its target is r alone. Multiply γ·V(s′) by (1 − done)")
_INVERTED_MASK = ("the terminal mask is inverted: bootstrap while the episode goes on, "
                  "(1 − done)·γ·V(s′), not done·γ·V(s′)")
_TD_MISTAKES = (
    ([1.4, 1.7, 0.6, 11.0], _NO_MASK),
    ([0.5, -1.0, -3.0, 11.0], _INVERTED_MASK),
    ([-1.4, -1.7, -0.6, -2.0],
     "the sign is reversed: δ = target − estimate = r + γ(1 − done)·V(s′) − V(s)"),
    ([1.5, 2.0, 1.0, 2.0], "γ is missing: the next state's value is discounted, γ·V(s′)"),
    ([0.45, -2.1, -3.2, -8.0],
     "V(s) and V(s′) are swapped: the target bootstraps from the next state's value "
     "V(s′), and the current estimate V(s) is subtracted"),
    ([1.96, 2.89, 0.36, 4.0],
     "that is δ², the squared TD error (the value loss); td_error returns δ itself, with "
     "its sign"),
)
_TD_SIZES = ((1, 0.9), (6, 0.99), (30, 0.5), (100, 0.0))

# V = [0, 1, 2, 3, 0], s = 1, r = 0.5, s_next = 2, α = 0.1, γ = 0.9, not done:
# δ = 0.5 + 0.9·2 − 1 = 1.3, V[1] = 1 + 0.13
_UPD_V = np.array([0.0, 1.0, 2.0, 3.0, 0.0])
_UPD_CASE = "V=[0, 1, 2, 3, 0], s=1, r=0.5, s_next=2, α=0.1, γ=0.9, done=False"
_UPD_EXPECTED = np.array([0.0, 1.13, 2.0, 3.0, 0.0])
_UPD_MISTAKES = (
    ([0.0, 1.169, 2.0, 3.0, 0.0],
     "that adds α·δ²: the TD(0) step is V[s] += α·δ, with the sign of δ (δ² would only "
     "ever raise V)"),
    ([0.0, 1.0, 2.13, 3.0, 0.0],
     "the wrong entry moved: update the state you were in, V[s], not V[s_next]"),
    ([0.0, 0.87, 2.0, 3.0, 0.0],
     "the update goes the wrong way: V[s] += α·δ with δ = r + γ·V[s_next] − V[s] (target "
     "minus estimate)"),
    ([0.0, 2.3, 2.0, 3.0, 0.0],
     "the step size α is missing: V[s] moves only the fraction α of the way to the TD "
     "target, V[s] + α·δ"),
    ([0.0, 0.13, 2.0, 3.0, 0.0],
     "V[s] was replaced by α·δ; add the step to the old value: V[s] + α·δ"),
    ([0.13, 1.13, 2.13, 3.13, 0.13],
     "every entry moved: only V[s], the state just left, changes"),
    ([0.0, 0.95, 2.0, 3.0, 0.0], _INVERTED_MASK),
    ([0.0, 1.15, 2.0, 3.0, 0.0], "γ is missing: the target is r + γ·V[s_next]"),
)
# terminal: V = [0, 1, 2, 3, 5], s = 3, r = 1, s_next = 4, α = 0.5, done: δ = 1 − 3 = −2
_UPD_TERMINAL_V = np.array([0.0, 1.0, 2.0, 3.0, 5.0])
_UPD_TERMINAL_CASE = "V=[0, 1, 2, 3, 5], s=3, r=1, s_next=4, α=0.5, γ=0.9, done=True"
_UPD_TERMINAL = np.array([0.0, 1.0, 2.0, 2.0, 5.0])
_UPD_TERMINAL_NO_MASK = np.array([0.0, 1.0, 2.0, 4.25, 5.0])
_UPD_NONE = ("did you update V in place and forget to return it? End with `return V` "
             "(better: start with V = V.copy(), so the caller's table stays unchanged)")
_TD_CALL = "check_td(td_error, td0_update)"


def _td_expected(r: np.ndarray, v_s: np.ndarray, v_next: np.ndarray, gamma: float,
                 done: np.ndarray) -> np.ndarray:
    return r - v_s + np.where(done == 1.0, 0.0, gamma * v_next)


def _td_call(fn: Any, r: np.ndarray, v_s: np.ndarray, v_next: np.ndarray, gamma: float,
             done: np.ndarray, what: str) -> np.ndarray:
    value = call_named(fn, "td_error", r, v_s, v_next, gamma, done)
    return _array(value, what, r.shape, "r",
                  "δ is element-wise: one TD error per transition, do not average them")


def _update_call(fn: Any, V: np.ndarray, s: int, r: float, s_next: int, alpha: float,
                 gamma: float, done: bool, what: str) -> np.ndarray:
    value = call_named(fn, "td0_update", V, s, r, s_next, alpha, gamma, done)
    if value is None:
        raise Fail(f"{what} returned None", _UPD_NONE)
    return _array(value, what, V.shape, "V",
                  "return the whole updated table V (a copy with V[s] changed), not δ or the "
                  "new V[s] alone")


def _check_td(answers: tuple[Any, Any]) -> None:
    require_functions(answers, ("td_error", "td0_update"), _TD_CALL)
    td_error, td0_update = answers
    rng = np.random.default_rng(616)

    # -- the TD error, element-wise --
    got = _td_call(td_error, _TD_R, _TD_V, _TD_V_NEXT, 0.9, _TD_DONE, f"td_error for {_TD_CASE}")
    expect_array(got, _TD_EXPECTED, what=f"td_error for {_TD_CASE}", mistakes=_TD_MISTAKES,
                 hint="δ = r + γ·(1 − done)·V(s′) − V(s), element-wise")
    for n, gamma in _TD_SIZES:
        r, v_s, v_next = rng.normal(size=n), rng.normal(size=n), rng.normal(0, 3, n)
        done = (rng.random(n) < 0.3).astype(np.float64)
        got = _td_call(td_error, r, v_s, v_next, gamma, done, "td_error(r, v_s, v_next, γ, done)")
        expect_array(got, _td_expected(r, v_s, v_next, gamma, done), rtol=1e-10, atol=1e-12,
                     what=f"td_error on {n} random transitions, γ={fmt(gamma)}",
                     hint="it must work element-wise for arrays of any length and any γ")

    # -- one TD(0) update of a value table --
    got = _update_call(td0_update, _UPD_V, 1, 0.5, 2, 0.1, 0.9, False,
                       f"td0_update for {_UPD_CASE}")
    expect_array(got, _UPD_EXPECTED, what=f"td0_update for {_UPD_CASE}",
                 mistakes=_UPD_MISTAKES,
                 hint="only V[s] changes, to V[s] + α·δ with δ = r + γ·V[s_next] − V[s]")
    got = _update_call(td0_update, _UPD_TERMINAL_V, 3, 1.0, 4, 0.5, 0.9, True,
                       f"td0_update for {_UPD_TERMINAL_CASE}")
    expect_array(got, _UPD_TERMINAL, what=f"td0_update for {_UPD_TERMINAL_CASE}",
                 mistakes=((_UPD_TERMINAL_NO_MASK,
                            "the transition ends the episode (done=True): its target is r "
                            "alone, do not bootstrap from V[s_next] (the terminal entry of V "
                            "is arbitrary, here 5). Multiply γ·V[s_next] by (1 − done)"),),
                 hint="with done=True the TD target is r alone: δ = r − V[s]")
    for _ in range(8):
        n_states = int(rng.integers(2, 11))
        V = rng.normal(0.0, 2.0, n_states)
        s, s_next = (int(i) for i in rng.integers(0, n_states, 2))
        r, alpha, gamma = float(rng.normal()), float(rng.uniform(0.01, 1)), float(rng.uniform())
        done = bool(rng.random() < 0.4)
        expected = V.copy()
        expected[s] += alpha * (r + (0.0 if done else gamma * V[s_next]) - V[s])
        got = _update_call(td0_update, V, s, r, s_next, alpha, gamma, done,
                           "td0_update(V, s, r, s_next, α, γ, done)")
        expect_array(got, expected, rtol=1e-10, atol=1e-12,
                     what=f"td0_update on a random table of {n_states} states (s={s}, "
                          f"s_next={s_next}, done={done})",
                     hint="it must work for any table, any states (also s_next = s), α, γ "
                          "and done")


_run_td = check(
    "td_error gives δ = r + γ(1 − done)·V(s′) − V(s) element-wise on a fixed batch and 4 "
    "random ones; td0_update moves only V[s], by α·δ, on a non-terminal and a terminal "
    "transition and on 8 random ones"
)(_check_td)


def check_td(td_error: Any, td0_update: Any) -> None:
    r"""Check the learner's TD error and one tabular TD(0) update (plain numpy).

    The learner writes:

    - ``td_error(r, v_s, v_next, gamma, done)`` → an array of the shape of ``r``, the TD
      errors :math:`\delta = r + \gamma(1 - d)\,V(s') - V(s)` of a batch of transitions
      (``r``, ``v_s``, ``v_next``, ``done``: 1-D float arrays of the same length, ``done``
      holding 0.0 or 1.0; a terminal transition does not bootstrap);
    - ``td0_update(V, s, r, s_next, alpha, gamma, done)`` → a *new* value table (a copy of
      ``V``) with :math:`V(s) \leftarrow V(s) + \alpha\,\delta` and every other entry
      unchanged (``V``: 1-D float array, ``s`` and ``s_next``: integer states, ``done``: a
      bool). The check reads only the returned array, so an in-place update that also
      returns V passes; returning None gets its own hint.

    What is checked: δ on ``r = [1, 0, -1, 2]``, ``v_s = [0.5, 1, 2, 0]``,
    ``v_next = [1, 3, 4, 10]``, γ = 0.9, ``done = [0, 0, 0, 1]`` → ``[1.4, 1.7, 0.6, 2]``,
    and on 4 random batches (γ = 0 included); the update on ``V = [0, 1, 2, 3, 0]``,
    ``s = 1``, ``r = 0.5``, ``s_next = 2``, α = 0.1, γ = 0.9 → ``V[1] = 1.13``; on a
    terminal transition (``V = [0, 1, 2, 3, 5]``, ``s = 3``, ``r = 1``, ``s_next = 4``,
    α = 0.5, ``done=True`` → ``V[3] = 2``: the terminal entry 5 must be ignored); and 8
    random updates. Hints for: the terminal mask forgotten or inverted, δ's sign reversed,
    γ missing, V(s) and V(s′) swapped, δ², α·δ², the wrong state updated, α missing, V[s]
    replaced instead of moved, every entry moved, None returned after an in-place update.

    Args:
        td_error: the learner's ``td_error(r, v_s, v_next, gamma, done)``.
        td0_update: the learner's ``td0_update(V, s, r, s_next, alpha, gamma, done)``.
    """
    __tracebackhide__ = True
    _run_td((td_error, td0_update))


# --------------------------------------------------------------------------------------
# reinforce_loss(log_probs, returns, baseline)
# --------------------------------------------------------------------------------------

_RL_LOGP = np.array([-0.5, -1.0, -2.0, -0.1])
_RL_G = np.array([2.0, 0.0, 1.0, 3.0])
_RL_CASE = "log_probs=[-0.5, -1, -2, -0.1], returns=[2, 0, 1, 3], baseline=1"
_RL_EXPECTED = -0.075  # G − b = [1, −1, 0, 2]
_RL_MISTAKES = {
    0.075: "the minus sign is missing: REINFORCE *maximises* mean((G − b)·log π), so the "
           "loss that gradient descent minimises is its negative",
    1.725: "the baseline is added; subtract it: each log-probability is weighted by the "
           "advantage G − b",
    0.825: "the baseline is missing: weight each log-probability by G − b, not by G",
    -0.3: "did you sum instead of averaging? Take the mean over the samples",
    -0.5120815136532775: "that uses the probabilities π = exp(log π); the policy-gradient "
                         "loss weights the *log*-probabilities: use log_probs as they are",
    0.45: "that multiplies the mean advantage by the mean log-probability: take the mean "
          "of the product, mean((G − b)·log π)",
}
_RL_B_ARRAY = np.array([1.5, 0.5, 1.0, 2.0])
_RL_ARRAY_EXPECTED = -0.0375
_RL_SHAPES = ((1,), (8,), (100,), (5, 3), (20, 4), (2, 50), (30,), (4, 4))


def _rl_call(fn: Any, logp: np.ndarray, returns: np.ndarray, baseline: Any, what: str) -> float:
    with hint_when("operands could not be broadcast", hint="log_probs, returns and an array "
                   "baseline have the same shape: combine them element-wise"):
        value = call(fn, "reinforce_loss", logp, returns, baseline)
    return as_loss(value, what)


@check("reinforce_loss gives −mean((G − b)·log π(a|s)) on a fixed case, with a baseline "
       "array, and on 8 random cases (1-D and 2-D, scalar and array baselines)")
def check_reinforce_loss(fn: Any) -> None:
    r"""Check ``reinforce_loss(log_probs, returns, baseline)``: the policy-gradient loss.

    The learner writes, for the log-probabilities :math:`\log\pi(a_i|s_i)` of the actions
    taken, their returns :math:`G_i` (arrays of the same shape, 1-D or 2-D such as
    time steps × environments) and a baseline b (a number, or an array of that shape), a
    function returning one float,

    .. math::
        L = -\frac1N \sum_i (G_i - b_i)\,\log\pi(a_i|s_i),

    the mean over every entry, whose gradient with respect to the policy's parameters is
    the REINFORCE estimate of −∇J (Williams 1992). (In an autodiff framework G − b is a
    constant; here only the value is checked.)

    What is checked: ``log_probs = [-0.5, -1, -2, -0.1]``, ``returns = [2, 0, 1, 3]``,
    ``baseline = 1`` → −0.075; the same with ``baseline = [1.5, 0.5, 1, 2]`` → −0.0375;
    8 random cases of shapes (1,) to (2, 50) with scalar and array baselines. Hints for:
    the missing minus sign, the baseline added or missing, a sum instead of the mean,
    probabilities instead of log-probabilities, the product of the means.

    Args:
        fn: the learner's ``reinforce_loss(log_probs, returns, baseline)``.
    """
    fn = require_function(fn, "reinforce_loss(log_probs, returns, baseline)")
    got = _rl_call(fn, _RL_LOGP, _RL_G, 1.0, f"reinforce_loss for {_RL_CASE}")
    expect_close(got, _RL_EXPECTED, what=f"reinforce_loss for {_RL_CASE}",
                 mistakes=_RL_MISTAKES, rtol=1e-8,
                 hint="L = −mean((G − b)·log π): weight each log-probability by its "
                      "advantage, average, and negate")
    got = _rl_call(fn, _RL_LOGP, _RL_G, _RL_B_ARRAY, "reinforce_loss with an array baseline")
    expect_close(got, _RL_ARRAY_EXPECTED, rtol=1e-8,
                 what="reinforce_loss for the same case with baseline=[1.5, 0.5, 1, 2]",
                 hint="the baseline may be an array with one value per sample: subtract it "
                      "element-wise, returns − baseline")
    rng = np.random.default_rng(626)
    for i, shape in enumerate(_RL_SHAPES):
        logp = np.log(rng.uniform(0.01, 1.0, shape))
        returns = rng.normal(1.0, 2.0, shape)
        baseline: Any = float(rng.normal()) if i % 2 == 0 else rng.normal(size=shape)
        expected = -float(np.sum((returns - baseline) * logp)) / logp.size
        got = _rl_call(fn, logp, returns, baseline, f"reinforce_loss on shape {shape}")
        kind = "a scalar" if i % 2 == 0 else "an array"
        expect_close(got, expected, rtol=1e-8, atol=1e-12,
                     what=f"reinforce_loss on random arrays of shape {shape} with {kind} "
                          "baseline",
                     hint="average over every entry (np.mean without an axis): it must work "
                          "for 1-D and 2-D arrays and for scalar and array baselines")


# --------------------------------------------------------------------------------------
# ppo_clip_loss(logp, logp_old, adv, clip_range), ppo_clip_grad(...)
# --------------------------------------------------------------------------------------

# Six samples covering every region, ε = 0.2:
#   0: A > 0, r = 1.5 > 1 + ε (clipped term is the min, gradient 0)
#   1: A > 0, r = 0.5 < 1 − ε (unclipped term is the min)
#   2: A < 0, r = 0.5 < 1 − ε (clipped term is the min, gradient 0)
#   3: A < 0, r = 1.4 > 1 + ε (unclipped term is the min)
#   4, 5: inside [1 − ε, 1 + ε]
_PPO_RATIO = np.array([1.5, 0.5, 0.5, 1.4, 1.1, 0.9])
_PPO_ADV = np.array([1.0, 2.0, -1.0, -0.5, 2.0, -0.5])
_PPO_OLD = np.array([-1.0, -2.0, -0.5, -1.5, -1.0, -3.0])
_PPO_LOGP = _PPO_OLD + np.log(_PPO_RATIO)
for _a in (_PPO_RATIO, _PPO_ADV, _PPO_OLD, _PPO_LOGP):
    _a.flags.writeable = False
_PPO_CASE = ("ratios r = exp(logp − logp_old) = [1.5, 0.5, 0.5, 1.4, 1.1, 0.9], "
             "adv=[1, 2, -1, -0.5, 2, -0.5], ε=0.2")
_PPO_LOSS = -0.4083333333333334  # −(1.2 + 1 − 0.8 − 0.7 + 2.2 − 0.45)/6
_PPO_SUM = "did you sum instead of averaging? Take the mean over the samples"
_PPO_LOSS_MISTAKES = {
    -_PPO_LOSS: "the minus sign is missing: PPO *maximises* the clipped surrogate, so the "
                "loss is its negative",
    -0.625: "that takes the max of the two terms; PPO takes the min (the pessimistic "
            "bound), so moving the ratio far from 1 never earns more than (1 ± ε)·A",
    -0.295: "that clips the advantage; clip the ratio: clip(r, 1 − ε, 1 + ε)·A",
    -0.29166666666666663: "that clips the product r·A; clip the ratio alone: "
                          "clip(r, 1 − ε, 1 + ε)·A",
    0.3983681489005127: "the ratio is π/π_old = exp(logp − logp_old), not the difference "
                        "of the log-probabilities",
    -0.3215488215488215: "the ratio is inverted: r = π/π_old = exp(logp − logp_old)",
    -0.525: "the min with the unclipped term is missing: −mean(min(r·A, clip(r, 1 − ε, "
            "1 + ε)·A))",
    -0.5083333333333333: "the clipping is missing: that is the plain surrogate −mean(r·A)",
    6 * _PPO_LOSS: _PPO_SUM,
}
_PPO_GRAD = np.array([0.0, -1 / 6, 0.0, 0.7 / 6, -2.2 / 6, 0.45 / 6])
_PPO_ZERO_WHERE = ("the clipped term clip(r, 1 − ε, 1 + ε)·A does not depend on logp once "
                   "the clip is active, so where it is the minimum the gradient is 0")
_PPO_GRAD_MISTAKES = (
    (-_PPO_GRAD, "the sign is flipped: the loss is the *negative* surrogate, so where the "
                 "unclipped term is the minimum the gradient is −r·A/n"),
    ([0.0, -2 / 6, 0.0, 0.5 / 6, -2 / 6, 0.5 / 6],
     "a factor r is missing: −A/n is the gradient with respect to the ratio r; with "
     "respect to logp the chain rule adds dr/dlogp = r, so it is −r·A/n"),
    ([0.0, 0.0, 0.0, 0.0, -2.2 / 6, 0.45 / 6],
     "the zero-gradient region is wrong: the clip removes the gradient only on the side "
     "where it binds (r > 1 + ε when A > 0, r < 1 − ε when A < 0). For A > 0 and r < 1 − ε "
     "(or A < 0 and r > 1 + ε) the unclipped r·A is the minimum and −r·A/n flows"),
    ([-1.5 / 6, 0.0, 0.5 / 6, 0.0, -2.2 / 6, 0.45 / 6],
     "that is the gradient of the max of the two terms; the loss takes the min, so the "
     "gradient is −r·A/n where r·A is the smaller term and 0 elsewhere"),
    ([-1.5 / 6, -1 / 6, 0.5 / 6, 0.7 / 6, -2.2 / 6, 0.45 / 6],
     "there is no zero region: " + _PPO_ZERO_WHERE),
    (6 * _PPO_GRAD, "divide by n: the loss is the *mean* over the samples, so each entry "
                    "of its gradient carries 1/n"),
    ([-1.5 / 6, -0.6 / 6, 0.5 / 6, 0.7 / 6, -1.32 / 6, 0.45 / 6],
     "that is the gradient of a loss that clips the advantage; clip the ratio"),
    ([0.0, -1 / 6, 0.0, 0.7 / 6, 0.0, 0.0],
     "inside the clip range the two terms are equal and the gradient is −r·A/n: compare "
     "with <= (r·A <= clip(r, 1 − ε, 1 + ε)·A), not <, or test the regions explicitly"),
    ([-1 / 6, -2 / 6, 0.0, 0.0, -2 / 6, 0.0],
     "the ratio is exp(logp − logp_old), not logp − logp_old (then its derivative would "
     "be 1, not r)"),
    ([-0.0675775180180274, 0.23104906018664848, 0.0, 0.0, -0.031770059934775, 0.0],
     "the ratio is exp(logp − logp_old), not logp − logp_old"),
)
_PPO_REGIONS = (
    "A > 0 and r = 1.5 > 1 + ε: the clipped term is the minimum, so the gradient is 0",
    "A > 0 and r = 0.5 < 1 − ε: the unclipped r·A is the minimum, so it is −r·A/n",
    "A < 0 and r = 0.5 < 1 − ε: the clipped term is the minimum, so the gradient is 0",
    "A < 0 and r = 1.4 > 1 + ε: the unclipped r·A is the minimum, so it is −r·A/n",
    "r = 1.1 inside [1 − ε, 1 + ε]: both terms agree, the gradient is −r·A/n",
    "r = 0.9 inside [1 − ε, 1 + ε]: both terms agree, the gradient is −r·A/n",
)
_WRT_LOGP = GradientOf(variable="logp", entry="∂L/∂logpᵢ per sample",
                       inputs="the ratios r and the advantages A",
                       nan_hint="look for an operation on inf or a 0/0")
_PPO_RANDOM = ((1, 0.2), (5, 0.1), (40, 0.2), (200, 0.3), (3, 0.2), (17, 0.25), (64, 0.2),
               (9, 0.05))
_PPO_CALL = "check_ppo_clip(ppo_clip_loss, ppo_clip_grad)"


def _ppo_expected(logp: np.ndarray, logp_old: np.ndarray, adv: np.ndarray, eps: float
                  ) -> tuple[float, np.ndarray]:
    """The loss and its gradient: where the unclipped term is the minimum it is −r·A/n."""
    ratio = np.exp(logp - logp_old)
    clipped = np.clip(ratio, 1.0 - eps, 1.0 + eps) * adv
    unclipped_is_min = ratio * adv <= clipped
    surrogate = np.where(unclipped_is_min, ratio * adv, clipped)
    return -float(np.sum(surrogate)) / adv.size, np.where(unclipped_is_min,
                                                          -ratio * adv / adv.size, 0.0)


def _ppo_random(rng: np.random.Generator, n: int, eps: float, margin: float = 0.0
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random samples whose ratios lie in [0.4, 2.5], at least ``margin`` from the kinks."""
    logp_old = np.log(rng.uniform(0.05, 1.0, n))
    ratio = rng.uniform(0.4, 2.5, n)
    for kink in (1.0 - eps, 1.0 + eps):
        near = np.abs(ratio - kink) < margin
        ratio[near] = kink + np.where(ratio[near] < kink, -2.0, 2.0) * margin
    adv = rng.normal(0.0, 1.5, n)
    return logp_old + np.log(ratio), logp_old, adv


def _check_ppo(answers: tuple[Any, Any]) -> None:
    require_functions(answers, ("ppo_clip_loss", "ppo_clip_grad"), _PPO_CALL)
    loss_fn, grad_fn = answers
    rng = np.random.default_rng(636)
    args = (_PPO_LOGP, _PPO_OLD, _PPO_ADV, 0.2)

    # -- the loss --
    got = as_loss(call_named(loss_fn, "ppo_clip_loss", *args), f"ppo_clip_loss for {_PPO_CASE}")
    expect_close(got, _PPO_LOSS, what=f"ppo_clip_loss for {_PPO_CASE}",
                 mistakes=_PPO_LOSS_MISTAKES, rtol=1e-8,
                 hint="L = −mean(min(r·A, clip(r, 1 − ε, 1 + ε)·A)) with "
                      "r = exp(logp − logp_old)")
    for n, eps in _PPO_RANDOM:
        logp, logp_old, adv = _ppo_random(rng, n, eps)
        got = as_loss(call_named(loss_fn, "ppo_clip_loss", logp, logp_old, adv, eps),
                      "ppo_clip_loss(logp, logp_old, adv, clip_range)")
        expect_close(got, _ppo_expected(logp, logp_old, adv, eps)[0], rtol=1e-8, atol=1e-12,
                     what=f"ppo_clip_loss on {n} random samples, ε={fmt(eps)}",
                     hint="it must work for any n and any clip_range ε, not just the "
                          "example above")

    # -- the gradient with respect to logp --
    got = as_gradient(call_named(grad_fn, "ppo_clip_grad", *args),
                      f"ppo_clip_grad for {_PPO_CASE}", 6, of=_WRT_LOGP)
    if not _close(got, _PPO_GRAD, rtol=1e-8):
        hint = _first_hint(got, _PPO_GRAD_MISTAKES)
        i = int(np.flatnonzero(~np.isclose(got, _PPO_GRAD, rtol=1e-8, atol=1e-9))[0])
        raise Fail(f"ppo_clip_grad for {_PPO_CASE} should be {fmt(_PPO_GRAD)}, got {fmt(got)}; "
                   f"entry {i}: {_PPO_REGIONS[i]}",
                   hint or "∂L/∂logpᵢ = −rᵢ·Aᵢ/n where the unclipped term is the minimum, "
                           "0 where the clipped one is")
    for n, eps in _PPO_RANDOM:
        logp, logp_old, adv = _ppo_random(rng, n, eps)
        got = as_gradient(call_named(grad_fn, "ppo_clip_grad", logp, logp_old, adv, eps),
                          "ppo_clip_grad(logp, logp_old, adv, clip_range)", n, of=_WRT_LOGP)
        expect_array(got, _ppo_expected(logp, logp_old, adv, eps)[1], rtol=1e-8, atol=1e-12,
                     what=f"ppo_clip_grad on {n} random samples, ε={fmt(eps)}",
                     hint="it must work for any n and any clip_range ε, not just the "
                          "example above")
    # the learner's gradient against central differences of the learner's own loss,
    # at ratios at least 1e-3 away from the kinks 1 ± ε
    logp, logp_old, adv = _ppo_random(rng, 12, 0.2, margin=1e-3)
    got = as_gradient(call_named(grad_fn, "ppo_clip_grad", logp, logp_old, adv, 0.2),
                      "ppo_clip_grad(logp, logp_old, adv, clip_range)", 12, of=_WRT_LOGP)

    def mean_loss(moved: np.ndarray) -> float:
        return as_loss(call_named(loss_fn, "ppo_clip_loss", moved, logp_old, adv, 0.2),
                       "ppo_clip_loss(logp, logp_old, adv, clip_range)")

    expect_array(got, finite_difference_gradient(mean_loss, logp), rtol=1e-5, atol=1e-8,
                 what="ppo_clip_grad on 12 random samples (central finite differences of your "
                      "ppo_clip_loss, away from the kinks)")


_run_ppo = check(
    "ppo_clip_loss gives −mean(min(r·A, clip(r, 1 − ε, 1 + ε)·A)) and ppo_clip_grad its "
    "gradient with respect to logp (−r·A/n, or 0 where the clip is active) on a fixed case "
    "covering the four regions and on 8 random cases, and the gradient matches finite "
    "differences of your loss"
)(_check_ppo)


def check_ppo_clip(ppo_clip_loss: Any, ppo_clip_grad: Any) -> None:
    r"""Check the learner's PPO clipped loss and its gradient with respect to ``logp``.

    The learner writes (``logp``, ``logp_old``, ``adv``: 1-D float arrays of length n,
    the log-probabilities of the actions taken under the current and the old policy and
    their advantages; ``clip_range`` = ε > 0):

    - ``ppo_clip_loss(logp, logp_old, adv, clip_range)`` → one float,

      .. math::
          L = -\frac1n \sum_i \min\bigl(r_i A_i,\
          \operatorname{clip}(r_i, 1 - \varepsilon, 1 + \varepsilon)\,A_i\bigr),
          \qquad r_i = e^{\log\pi_i - \log\pi_{\text{old}, i}};

    - ``ppo_clip_grad(logp, logp_old, adv, clip_range)`` → an array of shape ``(n,)``,
      :math:`\partial L/\partial \log\pi_i = -r_i A_i / n` where the unclipped term is the
      minimum (A > 0 and r ≤ 1 + ε, or A < 0 and r ≥ 1 − ε), and 0 where the clipped term
      is (Schulman et al. 2017; the convention of Stable-Baselines3's ``ppo.py``).

    What is checked: the loss and the gradient on a fixed case with ratios
    ``[1.5, 0.5, 0.5, 1.4, 1.1, 0.9]`` and advantages ``[1, 2, -1, -0.5, 2, -0.5]``,
    ε = 0.2, which covers the four regions (A > 0 with r > 1 + ε: 0; A > 0 with
    r < 1 − ε: −rA/n; A < 0 with r < 1 − ε: 0; A < 0 with r > 1 + ε: −rA/n) and two
    points inside the clip range (loss −0.408333…, gradient
    ``[0, −1/6, 0, 0.7/6, −2.2/6, 0.45/6]``; a wrong entry is named with its region); 8
    random cases (n up to 200, ε from 0.05 to 0.3); the learner's gradient against
    central finite differences of the learner's loss at ratios at least 1e-3 from the
    kinks. Hints for: max instead of min, the missing minus sign, the advantage or the
    product clipped instead of the ratio, the log-ratio logp − logp_old (or its inverse)
    used as the ratio, the min or the clip missing, a sum instead of the mean; in the
    gradient: the flipped sign, the gradient with respect to the ratio (no factor r), the
    zero region on both sides regardless of the sign of A, no zero region, the max's
    gradient, a missing 1/n.

    Args:
        ppo_clip_loss: the learner's ``ppo_clip_loss(logp, logp_old, adv, clip_range)``.
        ppo_clip_grad: the learner's ``ppo_clip_grad(logp, logp_old, adv, clip_range)``.
    """
    __tracebackhide__ = True
    _run_ppo((ppo_clip_loss, ppo_clip_grad))


# --------------------------------------------------------------------------------------
# The digits contextual bandit
# --------------------------------------------------------------------------------------

#: Training steps of the digits bandit (each samples one action for every training image).
DIGITS_STEPS = 300
#: The learning rate η of the SGD step W ← W − η·Xᵀ·∂L/∂z.
DIGITS_LR = 5.0
#: The baseline's update rate β (after each step b ← b + β·(mean reward − b), from b = 0).
DIGITS_BASELINE_RATE = 0.1
#: The seed of the action sampling (the train / test split is fixed).
DIGITS_SEED = 0
#: The greedy test accuracy a correct gradient must reach (it reaches about 0.96).
DIGITS_MIN_ACCURACY = 0.85


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[FloatArray, np.ndarray, FloatArray, np.ndarray]:
    split = data.load_digits(val_size=0, test_size=0.25, standardize_features=False, seed=0)
    for part in (split.X_train, split.X_test):
        part /= 16.0  # pixel intensities 0..16 → [0, 1]
        part.flags.writeable = False
    y_train, y_test = split.y_train.astype(np.int64), split.y_test.astype(np.int64)
    y_train.flags.writeable = False
    y_test.flags.writeable = False
    return split.X_train, y_train, split.X_test, y_test


def digits_bandit() -> tuple[FloatArray, np.ndarray, FloatArray, np.ndarray]:
    """scikit-learn's digits as a contextual bandit: contexts and the (hidden) right actions.

    ``lossviz.data.load_digits(val_size=0, test_size=0.25, standardize_features=False,
    seed=0)`` (a stratified split, nothing downloaded), pixels divided by 16 so each of the
    64 features lies in [0, 1]. The labels define the reward: action a on image i earns
    1 if a equals its label, else 0 — the learner never sees the label, only the reward.

    Returns:
        ``(X_train, y_train, X_test, y_test)``: shapes ``(1348, 64)``, ``(1348,)``,
        ``(449, 64)``, ``(449,)``; labels are integers 0-9. Fresh copies.
    """
    X_train, y_train, X_test, y_test = _digits()
    return X_train.copy(), y_train.copy(), X_test.copy(), y_test.copy()


@dataclass
class DigitsBanditRun:
    """The outcome of :func:`train_digits_bandit`.

    Attributes:
        test_accuracy: the fraction of test images whose greedy action
            (argmax of the logits) is the right digit; chance is 0.1.
        mean_reward: the mean reward of the sampled actions at every step, shape
            ``(steps,)``.
        baseline: the baseline used at every step, shape ``(steps,)``.
        weights: the final policy weights W, shape ``(64, 10)``.
    """

    test_accuracy: float
    mean_reward: FloatArray
    baseline: FloatArray
    weights: FloatArray


GradFn = Callable[[np.ndarray, np.ndarray, np.ndarray, float], np.ndarray]


def _train(grad: GradFn, steps: int, lr: float, seed: int) -> DigitsBanditRun:
    """REINFORCE on the digits bandit with a linear-softmax policy, logits z = XW."""
    X, y, X_test, y_test = _digits()
    n, n_actions = X.shape[0], 10
    rng = np.random.default_rng(seed)
    W = np.zeros((X.shape[1], n_actions))
    baseline = 0.0
    rewards, baselines = np.empty(steps), np.empty(steps)
    for step in range(steps):
        logits = X @ W
        cumulative = np.cumsum(softmax(logits, axis=1), axis=1)
        # inverse-CDF sampling of one action per image
        actions = np.minimum(np.sum(cumulative < rng.random((n, 1)), axis=1), n_actions - 1)
        reward = (actions == y).astype(np.float64)
        W -= lr * X.T @ grad(logits, actions, reward, baseline)
        rewards[step], baselines[step] = reward.mean(), baseline
        baseline += DIGITS_BASELINE_RATE * (reward.mean() - baseline)
    accuracy = float(np.mean(np.argmax(X_test @ W, axis=1) == y_test))
    return DigitsBanditRun(accuracy, rewards, baselines, W)


def train_digits_bandit(reinforce_logit_grad: GradFn, *, steps: int = DIGITS_STEPS,
                        lr: float = DIGITS_LR, seed: int = DIGITS_SEED) -> DigitsBanditRun:
    r"""Train a linear-softmax policy on the digits bandit with a given logit gradient.

    The policy is :math:`\pi(\cdot|x) = \operatorname{softmax}(xW)` with W of shape
    (64, 10), starting at 0 (every digit equally likely). Each step, for every training
    image of :func:`digits_bandit`, it samples an action from the policy, gets reward 1
    for the right digit and 0 otherwise, and takes one gradient step on the REINFORCE
    loss :math:`-\tfrac1n\sum_i (r_i - b)\log\pi(a_i|x_i)`:
    ``W ← W − lr · Xᵀ · reinforce_logit_grad(logits, actions, rewards, b)``. The baseline b
    is a running mean of the reward, :math:`b \leftarrow b + 0.1\,(\bar r - b)` after each
    step, starting at 0 (a step's baseline never depends on its own rewards). With the
    defaults and a correct gradient the greedy test accuracy is about 0.96 in about 0.2 s.

    Args:
        reinforce_logit_grad: ``(logits, actions, rewards, baseline) → array of shape
            (n, 10)``, the gradient of the loss with respect to the logits.
        steps: the number of steps, at least 1.
        lr: the learning rate, a positive number.
        seed: the seed of the action sampling.

    Returns:
        A :class:`DigitsBanditRun` with the test accuracy, the rewards and baselines per
        step, and W.

    Raises:
        ValueError: for ``steps < 1``, a non-positive or non-finite ``lr``, or a gradient of
            the wrong shape or with non-finite entries.
        TypeError: if ``reinforce_logit_grad`` is not callable.
    """
    if not callable(reinforce_logit_grad):
        raise TypeError("reinforce_logit_grad must be a function (logits, actions, rewards, "
                        f"baseline) -> array; got {type(reinforce_logit_grad).__name__}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1; got {steps!r}.")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive finite number; got {lr!r}.")

    def validated(z: np.ndarray, a: np.ndarray, r: np.ndarray, b: float) -> np.ndarray:
        g = np.asarray(reinforce_logit_grad(z, a, r, b), dtype=np.float64)
        if g.shape != z.shape:
            raise ValueError(f"reinforce_logit_grad must return an array of the logits' shape "
                             f"{z.shape}; got shape {g.shape}.")
        if not np.all(np.isfinite(g)):
            raise ValueError("reinforce_logit_grad returned non-finite entries.")
        return g

    return _train(validated, int(steps), float(lr), int(seed))


# --------------------------------------------------------------------------------------
# reinforce_logit_grad(logits, actions, rewards, baseline)
# --------------------------------------------------------------------------------------

_LG_Z = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 3.0, -1.0]])
_LG_A = np.array([0, 2, 1])
_LG_R = np.array([1.0, 0.0, 1.0])
_LG_CASE = "logits=[[2, 1, 0], [0, 0, 0], [1, 3, -1]], actions=[0, 2, 1], rewards=[1, 0, 1], b=0.5"
# −(onehot(a) − softmax(z))·(r − b)/n, precomputed
_LG_EXPECTED = np.array([[-0.0557931740375297, 0.04078807850913294, 0.015005095528396744],
                         [-0.05555555555555555, -0.05555555555555555, 0.11111111111111112],
                         [0.01955173797103306, -0.022197777967110883, 0.002646039996077794]])
_LG_SIGN = ("the sign is flipped: the loss is −mean((r − b)·log π(a|x)), so its gradient is "
            "−(onehot(a) − softmax(z))·(r − b)/n = (softmax(z) − onehot(a))·(r − b)/n")
_LG_MISTAKES = (
    (-_LG_EXPECTED, _LG_SIGN),
    ([[-1 / 6, 0.0, 0.0], [0.0, 0.0, 1 / 6], [0.0, -1 / 6, 0.0]],
     "the softmax is not subtracted: ∂log π(a|x)/∂z = onehot(a) − softmax(z), because "
     "every logit enters the normaliser log Σ exp(z)"),
    (3 * _LG_EXPECTED, "divide by n: the loss is the *mean* over the n samples, so each row "
                       "of its gradient carries 1/n"),
    ([[-0.0557931740375297, 0.019032533230765748, 0.07038646637525303],
      [-0.015005095528396744, -0.007001677689011008, 0.09628020029141364],
      [0.04078807850913294, -0.026034210919776757, 0.025893733916160604]],
     "the softmax runs down the columns: normalise each row, softmax over the actions "
     "(axis=1, with keepdims=True)"),
    ([[-0.1115863480750594, 0.08157615701826589, 0.03001019105679349],
      [0.0, 0.0, 0.0], [0.03910347594206612, -0.044395555934221766, 0.005292079992155588]],
     "the baseline is missing: weight each row by the advantage r − b, not by r"),
    ([[-0.1673795221125891, 0.12236423552739882, 0.04501528658519024],
      [0.05555555555555555, 0.05555555555555555, -0.11111111111111112],
      [0.05865521391309917, -0.06659333390133265, 0.007938119988233381]],
     "the baseline is added; subtract it: each row is weighted by r − b"),
    ([[-0.1115863480750594, 0.08157615701826589, 0.03001019105679349],
      [0.1111111111111111, 0.1111111111111111, -0.22222222222222224],
      [0.03910347594206612, -0.044395555934221766, 0.005292079992155588]],
     "the advantage weight is missing: that is the gradient of −mean(log π(a|x)); "
     "multiply each row by r − b"),
    ([[-0.0557931740375297, -0.04078807850913294, 0.015005095528396744],
      [0.05555555555555555, -0.05555555555555555, -0.11111111111111112],
      [0.01955173797103306, 0.022197777967110883, 0.002646039996077794]],
     "(r − b) multiplies the columns instead of the rows: sample i's row is weighted by "
     "rᵢ − b, so reshape it to a column, (rewards − baseline)[:, None]"),
)
_LG_BIG_Z = np.array([[800.0, 0.0, -800.0], [-800.0, 800.0, 0.0]])
_LG_BIG_A = np.array([0, 0])
_LG_BIG_R = np.array([1.0, 0.0])
_LG_BIG_CASE = "logits=[[800, 0, -800], [-800, 800, 0]], actions=[0, 0], rewards=[1, 0], b=0.5"
_LG_BIG = np.array([[0.0, 0.0, 0.0], [0.25, -0.25, 0.0]])
_LG_STABLE = ("exp(800) overflows to inf and inf/inf is nan: subtract each row's maximum "
              "before np.exp (z - z.max(axis=1, keepdims=True)), or use scipy.special.softmax")
_LG_RANDOM = ((1, 10), (7, 10), (64, 10), (5, 4), (30, 2), (16, 10))
_LG_PASSED = (
    "reinforce_logit_grad is −(onehot(a) − softmax(z))·(r − b)/n on a fixed case, at "
    "logits of ±800 and on 6 random cases, and matches finite differences of the REINFORCE "
    "loss; trained with it for {steps} steps on the digits bandit, the greedy policy names "
    "{accuracy:.1%} of the {n_test} test digits correctly (chance: 10%)"
)


def _expected_logit_grad(logits: np.ndarray, actions: np.ndarray, rewards: np.ndarray,
                         baseline: float) -> np.ndarray:
    chosen = np.zeros_like(logits)
    chosen[np.arange(actions.size), actions] = 1.0
    return (softmax(logits, axis=1) - chosen) * ((rewards - baseline) / actions.size)[:, None]


def _reinforce_loss_of_logits(logits: np.ndarray, actions: np.ndarray, rewards: np.ndarray,
                              baseline: float) -> float:
    log_pi = logits[np.arange(actions.size), actions] - logsumexp(logits, axis=1)
    return -float(np.mean((rewards - baseline) * log_pi))


def _matrix(value: Any, what: str, shape: tuple[int, int], nan_hint: str) -> np.ndarray:
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__}, expected an array of numbers"
                   ) from None
    if arr.shape != shape:
        hint = ("one partial derivative per logit: the gradient has the shape of logits, "
                "(n, K)")
        if arr.shape == shape[:1]:
            hint = ("that has one entry per sample: the gradient has one entry per logit, "
                    "shape (n, K); multiply onehot(a) − softmax(z) row by row by (r − b)/n "
                    "with [:, None]")
        elif arr.shape == (shape[0], shape[0]):
            hint = ("(r − b) of shape (n,) broadcast against (n, K) the wrong way: use "
                    "(rewards − baseline)[:, None]")
        raise Fail(f"{what} returned an array of shape {arr.shape}, expected {shape}, the "
                   "shape of logits", hint)
    if not np.all(np.isfinite(arr)):
        raise Fail(f"{what} returned {'nan' if np.any(np.isnan(arr)) else 'inf'}", nan_hint)
    return arr


def _lg_call(fn: Any, logits: np.ndarray, actions: np.ndarray, rewards: np.ndarray,
             baseline: float, what: str, nan_hint: str = _LG_STABLE) -> np.ndarray:
    with hint_when("IndexError", hint="actions are integer class indices: build the one-hot "
                   "rows with np.eye(K)[actions] or index [np.arange(n), actions]"):
        value = call(fn, "reinforce_logit_grad", logits, actions, rewards, baseline)
    return _matrix(value, what, logits.shape, nan_hint)


def _training_accuracy(fn: Any) -> float:
    """The greedy test accuracy after training with the learner's (wrong) gradient."""
    def grad(z: np.ndarray, a: np.ndarray, r: np.ndarray, b: float) -> np.ndarray:
        g = np.asarray(call(fn, "reinforce_logit_grad", z, a, r, b), dtype=np.float64)
        return np.nan_to_num(g, nan=0.0, posinf=0.0, neginf=0.0)

    with np.errstate(all="ignore"):
        return _train(grad, DIGITS_STEPS, DIGITS_LR, DIGITS_SEED).test_accuracy


def _verify_logit_grad(fn: Any) -> tuple[float, int]:
    """Every check of ``reinforce_logit_grad``; returns (test accuracy, test images)."""
    fn = require_function(fn, "reinforce_logit_grad(logits, actions, rewards, baseline)")
    got = _lg_call(fn, _LG_Z, _LG_A, _LG_R, 0.5, f"reinforce_logit_grad for {_LG_CASE}",
                   nan_hint="look for a 0/0 or an operation on inf")
    if not _close(got, _LG_EXPECTED, rtol=1e-8):
        hint = _first_hint(got, _LG_MISTAKES)
        if hint == _LG_SIGN:
            hint += (f"; trained with this sign on the digits bandit, the policy names "
                     f"{_training_accuracy(fn):.0%} of the test digits correctly (chance: "
                     "10%): it learns to avoid the right answer")
        raise Fail(f"reinforce_logit_grad for {_LG_CASE} should be "
                   f"{np.round(_LG_EXPECTED, 4).tolist()}, got {np.round(got, 4).tolist()}",
                   hint or "∂L/∂z = −(onehot(a) − softmax(z))·(r − b)/n, row by row")
    got = _lg_call(fn, _LG_BIG_Z, _LG_BIG_A, _LG_BIG_R, 0.5,
                   f"reinforce_logit_grad for {_LG_BIG_CASE}")
    if not _close(got, _LG_BIG, rtol=1e-10, atol=1e-12):
        raise Fail(f"reinforce_logit_grad for {_LG_BIG_CASE} should be {_LG_BIG.tolist()}, "
                   f"got {np.round(got, 4).tolist()}", _LG_STABLE)
    rng = np.random.default_rng(646)
    for n, k in _LG_RANDOM:
        logits = rng.normal(0.0, 2.0, (n, k))
        actions = rng.integers(0, k, n)
        rewards = (rng.random(n) < 0.5).astype(np.float64)
        baseline = float(rng.uniform())
        got = _lg_call(fn, logits, actions, rewards, baseline,
                       "reinforce_logit_grad(logits, actions, rewards, baseline)")
        if not _close(got, _expected_logit_grad(logits, actions, rewards, baseline),
                      rtol=1e-8, atol=1e-12):
            raise Fail(f"reinforce_logit_grad on random logits of shape ({n}, {k}) is wrong",
                       "it must work for any number of samples n and of actions K, not just "
                       "the example above")
    # the learner's gradient against central differences of the REINFORCE loss itself
    logits, actions = rng.normal(0.0, 2.0, (4, 10)), rng.integers(0, 10, 4)
    rewards = np.array([1.0, 0.0, 1.0, 1.0])
    got = _lg_call(fn, logits, actions, rewards, 0.3,
                   "reinforce_logit_grad(logits, actions, rewards, baseline)")

    def loss(moved: np.ndarray) -> float:
        return _reinforce_loss_of_logits(moved.reshape(4, 10), actions, rewards, 0.3)

    numeric = finite_difference_gradient(loss, logits.ravel()).reshape(4, 10)
    if not _close(got, numeric, rtol=1e-5, atol=1e-8):
        raise Fail("reinforce_logit_grad on random logits of shape (4, 10) does not match "
                   "central finite differences of −mean((r − b)·log softmax(z)[a])",
                   "∂L/∂z = −(onehot(a) − softmax(z))·(r − b)/n, row by row")

    # -- train the policy with it --
    def grad(z: np.ndarray, a: np.ndarray, r: np.ndarray, b: float) -> np.ndarray:
        return _lg_call(fn, z, a, r, b, "reinforce_logit_grad during training")

    accuracy = _train(grad, DIGITS_STEPS, DIGITS_LR, DIGITS_SEED).test_accuracy
    n_test = _digits()[2].shape[0]
    if accuracy < DIGITS_MIN_ACCURACY:
        raise Fail(f"trained with your reinforce_logit_grad for {DIGITS_STEPS} steps, the "
                   f"greedy policy names only {accuracy:.1%} of the {n_test} test digits "
                   f"correctly (a correct gradient reaches about 96%)",
                   "the gradient must be right for any inputs: logits of shape (n, 10), the "
                   "sampled actions, rewards 0 / 1 and the running-mean baseline")
    return accuracy, n_test


def check_reinforce_logit_grad(fn: Any) -> None:
    r"""Check ``reinforce_logit_grad``, then train a digits-recognising policy with it.

    The learner writes, for the logits ``z`` of a linear-softmax policy (shape (n, K)),
    the integer ``actions`` taken (shape (n,)), their ``rewards`` (shape (n,)) and a
    ``baseline`` b (a float), the gradient of the REINFORCE loss
    :math:`L = -\tfrac1n \sum_i (r_i - b)\log\operatorname{softmax}(z_i)_{a_i}` with
    respect to the logits,

    .. math::
        \frac{\partial L}{\partial z_i} = -\bigl(\mathrm{onehot}(a_i) -
        \operatorname{softmax}(z_i)\bigr)\,\frac{r_i - b}{n},

    an array of shape (n, K), finite for logits as large as ±800.

    What is checked: the fixed case ``z = [[2, 1, 0], [0, 0, 0], [1, 3, -1]]``,
    ``actions = [0, 2, 1]``, ``rewards = [1, 0, 1]``, b = 0.5; logits of ±800 (the
    stable softmax is required); 6 random cases (n from 1 to 64, K from 2 to 10); central
    finite differences of the REINFORCE loss (computed here with ``logsumexp``). Then
    :func:`train_digits_bandit` runs with the learner's function (300 steps, about
    0.2 s) and the greedy test accuracy, about 96 %, is printed in the pass line; below
    :data:`DIGITS_MIN_ACCURACY` fails. Hints for: the flipped sign (the hint trains the
    policy with it and reports its accuracy, 0 %), the softmax not subtracted, a missing
    1/n, the softmax over the wrong axis, the baseline missing or added, the advantage
    weight missing, the naive softmax (nan at large logits), a per-sample shape.

    Args:
        fn: the learner's ``reinforce_logit_grad(logits, actions, rewards, baseline)``.
    """
    __tracebackhide__ = True
    failure: Fail | None = None
    accuracy, n_test = 0.0, 0
    try:
        accuracy, n_test = _verify_logit_grad(fn)
    except Fail as err:
        failure = err

    def outcome(_: Any) -> None:
        if failure is not None:
            raise failure

    passed = _LG_PASSED.format(steps=DIGITS_STEPS, accuracy=accuracy, n_test=n_test)
    check(passed)(outcome)(fn)
