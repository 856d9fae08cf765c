"""Numerically stable loss functions with gradients, and their registry.

Every loss is a plain function ``name(y_true, y_pred, *, reduction="mean", **params)``;
its gradient is ``name_grad`` with the same signature. The registry gives uniform access:

>>> from lossviz import losses
>>> losses.get("mse")([1.0, 2.0], [1.0, 4.0])
2.0
>>> "huber" in losses.names()
True

Importing this module needs only numpy and SciPy.
"""

from __future__ import annotations

from ._core import REDUCTIONS, Loss, get, names, register

# isort: off
# Import order is registration order, which is the order of the book's loss atlas.
from .regression import (
    barron,
    barron_grad,
    huber,
    huber_grad,
    log_cosh,
    log_cosh_grad,
    mae,
    mae_grad,
    mse,
    mse_grad,
    pinball,
    pinball_grad,
)
from .classification import (
    bce_with_logits,
    bce_with_logits_grad,
    exponential,
    exponential_grad,
    focal,
    focal_grad,
    hinge,
    hinge_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    squared_hinge,
    squared_hinge_grad,
)
from .divergence import kl_divergence, kl_divergence_grad
from .gan import (
    gan_discriminator,
    gan_discriminator_grad,
    gan_generator_minimax,
    gan_generator_minimax_grad,
    gan_generator_nonsaturating,
    gan_generator_nonsaturating_grad,
)
from .rl import policy_gradient, policy_gradient_grad, ppo_clip, ppo_clip_grad
from .segmentation import dice, dice_grad
from .metric import (
    contrastive,
    contrastive_grad,
    info_nce,
    info_nce_grad,
    triplet,
    triplet_grad,
)

# isort: on

__all__ = [
    "REDUCTIONS",
    "Loss",
    "barron",
    "barron_grad",
    "bce_with_logits",
    "bce_with_logits_grad",
    "contrastive",
    "contrastive_grad",
    "dice",
    "dice_grad",
    "exponential",
    "exponential_grad",
    "focal",
    "focal_grad",
    "gan_discriminator",
    "gan_discriminator_grad",
    "gan_generator_minimax",
    "gan_generator_minimax_grad",
    "gan_generator_nonsaturating",
    "gan_generator_nonsaturating_grad",
    "get",
    "hinge",
    "hinge_grad",
    "huber",
    "huber_grad",
    "info_nce",
    "info_nce_grad",
    "kl_divergence",
    "kl_divergence_grad",
    "log_cosh",
    "log_cosh_grad",
    "mae",
    "mae_grad",
    "mse",
    "mse_grad",
    "names",
    "pinball",
    "pinball_grad",
    "policy_gradient",
    "policy_gradient_grad",
    "ppo_clip",
    "ppo_clip_grad",
    "register",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "squared_hinge",
    "squared_hinge_grad",
    "triplet",
    "triplet_grad",
]
