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
from .regression import mse, mse_grad

__all__ = ["REDUCTIONS", "Loss", "get", "mse", "mse_grad", "names", "register"]
