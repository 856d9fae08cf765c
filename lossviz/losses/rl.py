r"""Policy-gradient objectives written as losses (chapter 06).

A policy-gradient method does not fit a target: it raises the log-probability of the
actions that turned out better than expected. Both losses here are *surrogates*: their
value is not a measure of progress (the chapter shows a run where the loss falls while
the return falls too); what matters is their gradient with respect to the policy's
log-probabilities. They fit the registry's ``(y_true, y_pred)`` convention as follows.

- :func:`policy_gradient`, the REINFORCE surrogate (Williams 1992):
  ``y_true`` = the weight of each sampled action (its return :math:`G`, or an advantage
  :math:`A = G - b`), ``y_pred`` = :math:`\log \pi_\theta(a \mid s)`, the log-probability
  of the action that was taken. :math:`\ell = -A \log \pi`.
- :func:`ppo_clip`, PPO's clipped surrogate (Schulman et al. 2017):
  ``y_true`` = the advantage :math:`A` of each sampled action, ``y_pred`` = the
  **log-ratio** :math:`\log \pi_\theta(a \mid s) - \log \pi_{\theta_\text{old}}(a \mid s)`
  of the new and the old (data-collecting) policy, so that the ratio is
  :math:`r = e^{y_\text{pred}}`. :math:`\ell = -\min(rA, \operatorname{clip}(r, 1 - \varepsilon,
  1 + \varepsilon) A)`.

Both gradients are with respect to ``y_pred``, i.e. with respect to the log-probability
:math:`\log \pi_\theta(a \mid s)` (the old policy's is a constant); the chain rule through
the policy's logits is :math:`\partial \log \pi(a) / \partial z = e_a - \pi` for a softmax
policy (see :mod:`lossviz.rl`). Advantages are real numbers of either sign, so neither
loss is bounded below or zero at a "perfect" prediction.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._core import (
    FloatArray,
    Loss,
    as_float_array,
    check_positive,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_grad,
    register,
)

# -- shared helpers -------------------------------------------------------------------------


def _rl_inputs(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    a = as_float_array(y_true, "y_true")
    x = as_float_array(y_pred, "y_pred")
    check_same_shape(a, x)
    return a, x


def _advantages(rng: np.random.Generator, n: int) -> FloatArray:
    """Advantages of both signs, none within 0.05 of zero (the sign decides the clipping)."""
    size = rng.uniform(0.05, 2.5, size=n)
    return np.where(rng.random(n) < 0.5, -size, size)


# -- REINFORCE ------------------------------------------------------------------------------


def _check_log_probabilities(log_p: FloatArray) -> None:
    bad = log_p > 0.0
    if np.any(bad):
        raise ValueError(
            f"y_pred must contain log-probabilities log pi(a|s) <= 0; got {int(bad.sum())} "
            f"positive value(s), e.g. {log_p[bad].flat[0]!r}. Pass the log-probability of the "
            "action taken (for example log_softmax(logits)[a]), not a probability or a logit."
        )


def policy_gradient(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray | float:
    r"""The REINFORCE surrogate: minus the advantage-weighted log-probability of each action.

    .. math::
        \ell_i = -A_i \log \pi_\theta(a_i \mid s_i)

    where :math:`a_i` is the action taken in state :math:`s_i` and :math:`A_i` its weight:
    the return :math:`G_i` (plain REINFORCE), the return minus a baseline
    :math:`G_i - b(s_i)`, or an advantage estimate such as GAE. The weight is data, not a
    function of :math:`\theta` (in PyTorch it is detached). Minimising the mean over
    actions sampled from :math:`\pi_\theta` follows an unbiased estimate of the policy
    gradient :math:`-\nabla_\theta \mathbb E[G]` (Williams 1992): the value of the loss
    itself means nothing, only its gradient does.

    Gradient: :math:`\partial \ell_i / \partial \log \pi_i = -A_i`, divided by the number
    of elements with ``reduction="mean"``: a positive advantage pushes the action's
    log-probability up, a negative one pushes it down, whatever the current probability.

    Numerical stability: the loss is linear in ``y_pred``; pass log-probabilities computed
    in log space (``log_softmax``), never ``log(softmax(z))``, which is ``-inf`` once a
    probability underflows.

    Args:
        y_true: the weight :math:`A_i` of each action (return, return minus baseline, or
            advantage); any real number.
        y_pred: :math:`\log \pi_\theta(a_i \mid s_i) \le 0`, the log-probability of the
            action taken (positive values are refused: they are not log-probabilities).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> log_p = np.log([0.5, 0.25])
        >>> policy_gradient([2.0, -1.0], log_p, reduction="none").round(4).tolist()
        [1.3863, -1.3863]
        >>> policy_gradient_grad([2.0, -1.0], log_p, reduction="sum").tolist()
        [-2.0, 1.0]

    Reference: stable-baselines3's A2C, ``policy_loss = -(advantages * log_prob).mean()``
    (``stable_baselines3/a2c/a2c.py``), transcribed in numpy. R. J. Williams, "Simple
    statistical gradient-following algorithms for connectionist reinforcement learning",
    Machine Learning 8, 1992.
    """
    check_reduction(reduction)
    a, log_p = _rl_inputs(y_true, y_pred)
    _check_log_probabilities(log_p)
    return reduce(0.0 - a * log_p, reduction)


def policy_gradient_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray:
    """Gradient of :func:`policy_gradient` with respect to the log-probabilities ``y_pred``."""
    check_reduction(reduction)
    a, log_p = _rl_inputs(y_true, y_pred)
    _check_log_probabilities(log_p)
    return reduce_grad(0.0 - a, reduction)  # 0.0 - a: no -0.0 for a zero weight


def _policy_gradient_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    return _advantages(rng, n), np.log(rng.uniform(0.02, 0.98, size=n))


def _policy_gradient_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    # An independent numpy transcription of stable-baselines3's A2C policy loss
    # (stable_baselines3/a2c/a2c.py): policy_loss = -(advantages * log_prob).mean()
    advantages, log_prob = np.asarray(y_true), np.asarray(y_pred)
    return float(-(advantages * log_prob).mean())


def _policy_gradient_torch(y_true: FloatArray, y_pred: FloatArray) -> float:
    import torch

    advantages, log_prob = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    return float(-(advantages * log_prob).mean())


register(
    Loss(
        name="policy_gradient",
        func=policy_gradient,
        grad_func=policy_gradient_grad,
        latex=r"-A \log \pi_\theta(a \mid s)",
        grad_latex=r"-A",
        task="reinforcement learning",
        reference="stable-baselines3 A2C: -(advantages * log_prob).mean(), transcribed in numpy",
        reference_func=_policy_gradient_reference,
        torch_func=_policy_gradient_torch,
        sample=_policy_gradient_sample,
        perfect=None,
        bad_labels=None,
        nonnegative=False,
        summary=(
            "REINFORCE's surrogate on the log-probability of the action taken, weighted by its "
            "return or advantage: only its gradient is meaningful, never its value."
        ),
    )
)


# -- PPO's clipped surrogate ----------------------------------------------------------------


def _ppo_terms(
    a: FloatArray, log_ratio: FloatArray, clip_range: float
) -> tuple[FloatArray, FloatArray]:
    """Per-element loss and d(loss)/d(log r), overflow-safe.

    min(rA, clip(r)A) is A·min(r, 1 + eps) for A >= 0 and A·max(r, 1 - eps) for A < 0, so
    the ratio only matters where the unclipped term is the minimum; a huge log-ratio then
    gives the true value (an infinite loss for A < 0), never a NaN or a warning.
    """
    with np.errstate(over="ignore"):
        ratio = np.exp(log_ratio)
    upper = np.log1p(clip_range)
    lower = np.log1p(-clip_range) if clip_range < 1.0 else -np.inf
    positive = a >= 0.0
    # where the unclipped term r·A is the active minimum (strictly inside for the kinks)
    active = np.where(positive, log_ratio < upper, log_ratio > lower) & (a != 0.0)
    bound = np.where(
        positive, np.minimum(ratio, 1.0 + clip_range), np.maximum(ratio, 1.0 - clip_range)
    )
    loss = np.where(a == 0.0, 0.0, -a * np.where(a == 0.0, 1.0, bound))
    grad = np.where(active, -a * np.where(active, ratio, 0.0), 0.0)
    return loss + 0.0, grad + 0.0  # + 0.0 turns -0.0 into 0.0


def ppo_clip(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", clip_range: float = 0.2
) -> FloatArray | float:
    r"""PPO's clipped surrogate loss on advantages (``y_true``) and log-ratios (``y_pred``).

    .. math::
        \ell_i = -\min\bigl(r_i A_i,\ \operatorname{clip}(r_i, 1 - \varepsilon,
        1 + \varepsilon)\, A_i\bigr),
        \qquad r_i = \frac{\pi_\theta(a_i \mid s_i)}{\pi_{\theta_\text{old}}(a_i \mid s_i)}
        = e^{y_{\text{pred}, i}}

    Proximal Policy Optimization (Schulman et al. 2017) reuses one batch of actions,
    sampled from the old policy, for several gradient steps. The ratio :math:`r` reweights
    each action to the new policy; the clip removes the incentive to move :math:`r` beyond
    :math:`[1 - \varepsilon, 1 + \varepsilon]` in the direction the advantage favours,
    and the min keeps the unclipped (pessimistic) term when it is lower. Equivalently,
    :math:`\ell = -A \min(r, 1 + \varepsilon)` for :math:`A \ge 0` and
    :math:`\ell = -A \max(r, 1 - \varepsilon)` for :math:`A < 0`. At :math:`r = 1` (the
    first epoch) the gradient is the policy gradient's, :math:`-A`.

    The registry mapping: ``y_true`` is the advantage :math:`A` (of either sign;
    stable-baselines3 normalises it per mini-batch before this loss, which is not done
    here), ``y_pred`` the log-ratio :math:`\log \pi_\theta(a \mid s) - \log
    \pi_{\theta_\text{old}}(a \mid s)` (0 for the data-collecting policy).

    Gradient: with respect to the log-ratio (equivalently :math:`\log \pi_\theta`),
    :math:`\partial \ell_i / \partial \log r_i = -r_i A_i` where the unclipped term is the
    minimum (:math:`A > 0,\ r < 1 + \varepsilon` or :math:`A < 0,\ r > 1 - \varepsilon`)
    and 0 where the clipped term is (the action is already "far enough"); divided by the
    number of elements with ``reduction="mean"``. At the kinks :math:`r = 1 \pm
    \varepsilon` the clipped side (0) is returned.

    Numerical stability: computed as :math:`-A \min(r, 1 + \varepsilon)` /
    :math:`-A \max(r, 1 - \varepsilon)`, so a huge log-ratio with :math:`A > 0` gives the
    exact clipped value; with :math:`A < 0` the true loss :math:`|A| r` exceeds float64
    beyond :math:`\log r \approx 709.8` and is returned as ``inf`` (no NaN, no warning).

    Args:
        y_true: advantages :math:`A_i` (any real numbers).
        y_pred: log-ratios :math:`\log \pi_\theta(a_i \mid s_i) - \log
            \pi_{\theta_\text{old}}(a_i \mid s_i)` (any real numbers).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.
        clip_range: :math:`\varepsilon > 0`, stable-baselines3's ``clip_range`` (default
            0.2, as in the paper).

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> log_r = np.log([1.1, 1.5, 0.5, 0.9])
        >>> A = np.array([1.0, 1.0, -1.0, -1.0])
        >>> ppo_clip(A, log_r, reduction="none").round(6).tolist()   # 1.5 clipped to 1.2
        [-1.1, -1.2, 0.8, 0.9]
        >>> ppo_clip_grad(A, log_r, reduction="none").round(6).tolist()
        [-1.1, 0.0, 0.0, 0.9]

    Reference: stable-baselines3's ``PPO.train`` (``stable_baselines3/ppo/ppo.py``):
    ``policy_loss_1 = advantages * ratio``, ``policy_loss_2 = advantages *
    th.clamp(ratio, 1 - clip_range, 1 + clip_range)``, ``policy_loss =
    -th.min(policy_loss_1, policy_loss_2).mean()``, transcribed in numpy. J. Schulman et
    al., "Proximal Policy Optimization Algorithms", arXiv:1707.06347, 2017.
    """
    check_reduction(reduction)
    eps = check_positive(clip_range, "clip_range")
    a, log_ratio = _rl_inputs(y_true, y_pred)
    loss, _ = _ppo_terms(a, log_ratio, eps)
    return reduce(loss, reduction)


def ppo_clip_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", clip_range: float = 0.2
) -> FloatArray:
    """Gradient of :func:`ppo_clip` with respect to the log-ratios ``y_pred``."""
    check_reduction(reduction)
    eps = check_positive(clip_range, "clip_range")
    a, log_ratio = _rl_inputs(y_true, y_pred)
    _, grad = _ppo_terms(a, log_ratio, eps)
    return reduce_grad(grad, reduction)


#: Ratios of the test sample: on both sides of every kink 1 ± eps for eps in
#: {0.1, 0.2, 0.3} (the default and the extra settings), never within 0.01 of one.
_RATIO_BANDS = (
    (0.3, 0.65),
    (0.74, 0.76),
    (0.84, 0.86),
    (0.94, 1.06),
    (1.14, 1.16),
    (1.24, 1.26),
    (1.4, 2.5),
)


def _ppo_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    bands = np.array(_RATIO_BANDS)
    pick = bands[rng.integers(0, len(bands), size=n)]
    ratio = rng.uniform(pick[:, 0], pick[:, 1])
    return _advantages(rng, n), np.log(ratio)


def _ppo_reference(y_true: FloatArray, y_pred: FloatArray, *, clip_range: float = 0.2) -> float:
    # An independent numpy transcription of stable-baselines3's PPO.train
    # (stable_baselines3/ppo/ppo.py):
    #   ratio = th.exp(log_prob - rollout_data.old_log_prob)
    #   policy_loss_1 = advantages * ratio
    #   policy_loss_2 = advantages * th.clamp(ratio, 1 - clip_range, 1 + clip_range)
    #   policy_loss = -th.min(policy_loss_1, policy_loss_2).mean()
    advantages = np.asarray(y_true, dtype=np.float64)
    ratio = np.exp(np.asarray(y_pred, dtype=np.float64))
    policy_loss_1 = advantages * ratio
    policy_loss_2 = advantages * np.clip(ratio, 1 - clip_range, 1 + clip_range)
    return float(-np.minimum(policy_loss_1, policy_loss_2).mean())


def _ppo_torch(y_true: FloatArray, y_pred: FloatArray, *, clip_range: float = 0.2) -> float:
    import torch

    advantages, log_ratio = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    ratio = torch.exp(log_ratio)
    policy_loss_1 = advantages * ratio
    policy_loss_2 = advantages * torch.clamp(ratio, 1 - clip_range, 1 + clip_range)
    return float(-torch.min(policy_loss_1, policy_loss_2).mean())


register(
    Loss(
        name="ppo_clip",
        func=ppo_clip,
        grad_func=ppo_clip_grad,
        latex=(
            r"-\min\bigl(rA,\ \operatorname{clip}(r, 1 - \varepsilon, 1 + \varepsilon) A\bigr),"
            r"\quad r = e^{\log \pi_\theta - \log \pi_{\theta_\text{old}}}"
        ),
        grad_latex=(
            r"-rA \ \text{ if } rA \le \operatorname{clip}(r, 1 - \varepsilon, 1 + \varepsilon)A,"
            r"\ \text{ else } 0"
        ),
        task="reinforcement learning",
        params={"clip_range": 0.2},
        reference=(
            "stable-baselines3 PPO: -min(A * ratio, A * clamp(ratio, 1 - clip_range, "
            "1 + clip_range)).mean(), transcribed in numpy"
        ),
        reference_func=_ppo_reference,
        torch_func=_ppo_torch,
        sample=_ppo_sample,
        perfect=None,
        bad_labels=None,
        nonnegative=False,
        invalid_params=({"clip_range": 0.0}, {"clip_range": -0.2}, {"clip_range": "0.2"}),
        extra_params=({"clip_range": 0.1}, {"clip_range": 0.3}),
        summary=(
            "PPO's clipped surrogate on advantages and log-ratios of the new to the old policy: "
            "no gradient once the ratio has left [1 - ε, 1 + ε] in the favoured direction."
        ),
    )
)
