"""Regression losses: functions of the residual r = y_pred - y_true."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._core import (
    FloatArray,
    Loss,
    as_float_array,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_grad,
    register,
)


def _residual(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    yt = as_float_array(y_true, "y_true")
    yp = as_float_array(y_pred, "y_pred")
    check_same_shape(yt, yp)
    return yt, yp, yp - yt


def _regression_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    # Residuals of magnitude ~0.05..3, never within 1e-3 of 0 or of +-1 (kinks of MAE/Huber).
    y_true = rng.normal(0.0, 2.0, size=n)
    mag = rng.uniform(0.05, 3.0, size=n)
    mag = np.where(np.abs(mag - 1.0) < 1e-2, mag + 0.05, mag)
    sign = rng.choice([-1.0, 1.0], size=n)
    return y_true, y_true + sign * mag


def _identity(y_true: FloatArray) -> FloatArray:
    return y_true.copy()


# -- MSE ---------------------------------------------------------------------------------


def mse(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> FloatArray | float:
    r"""Mean squared error.

    .. math::
        \ell_i = (\hat y_i - y_i)^2, \qquad
        L = \frac{1}{n}\sum_i \ell_i \ (\text{mean}) \quad\text{or}\quad \sum_i \ell_i \ (\text{sum})

    Gradient: :math:`\partial \ell_i / \partial \hat y_i = 2 (\hat y_i - y_i)`; with
    ``reduction="mean"`` it is divided by the number of elements.

    Numerical stability: a plain square; it overflows only for residuals beyond 1e154.

    Args:
        y_true: targets, any shape.
        y_pred: predictions, the same shape as ``y_true`` (no broadcasting).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> mse([1.0, 2.0], [1.0, 4.0])
        2.0

    Reference: ``sklearn.metrics.mean_squared_error(y_true, y_pred)``; ``torch.nn.functional.mse_loss``.
    """
    check_reduction(reduction)
    _, _, r = _residual(y_true, y_pred)
    return reduce(r * r, reduction)


def mse_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> FloatArray:
    """Gradient of :func:`mse` with respect to ``y_pred``."""
    check_reduction(reduction)
    _, _, r = _residual(y_true, y_pred)
    return reduce_grad(2.0 * r, reduction)


def _mse_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    from sklearn.metrics import mean_squared_error

    return float(mean_squared_error(y_true, y_pred))


def _mse_torch(y_true: FloatArray, y_pred: FloatArray) -> float:
    import torch

    return float(torch.nn.functional.mse_loss(torch.from_numpy(y_pred), torch.from_numpy(y_true)))


register(
    Loss(
        name="mse",
        func=mse,
        grad_func=mse_grad,
        latex=r"(\hat y - y)^2",
        grad_latex=r"2(\hat y - y)",
        task="regression",
        reference="sklearn.metrics.mean_squared_error(y_true, y_pred)",
        reference_func=_mse_reference,
        torch_func=_mse_torch,
        sample=_regression_sample,
        perfect=_identity,
        summary=(
            "The default for regression with Gaussian-like noise: its minimiser is the mean, "
            "and one outlier can pull the fit arbitrarily far (unbounded influence)."
        ),
    )
)
