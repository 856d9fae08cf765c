"""Divergences between probability distributions, with the model's distribution given as logits."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import log_softmax, softmax, xlogy

from ._core import (
    FloatArray,
    Loss,
    as_float_array,
    check_probabilities,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_grad,
    register,
)

_ROW_SUM_TOL = 1e-6  # rows of P must sum to 1 within this absolute tolerance


def _kl_inputs(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    p = as_float_array(y_true, "y_true")
    z = as_float_array(y_pred, "y_pred")
    check_same_shape(p, z)
    if z.ndim != 2:
        raise ValueError(
            f"y_true and y_pred must be 2-D, one distribution per row, shape (n, C); got shape "
            f"{z.shape}. For a single distribution pass y_true[None, :] and y_pred[None, :]."
        )
    check_probabilities(p, "y_true")
    sums = p.sum(axis=1)
    bad = np.abs(sums - 1.0) > _ROW_SUM_TOL
    if np.any(bad):
        raise ValueError(
            f"y_true must hold probability distributions whose rows sum to 1 (within "
            f"{_ROW_SUM_TOL:g}); got {int(bad.sum())} row(s) that do not, e.g. a row summing to "
            f"{sums[bad][0]!r}. Normalise with y_true / y_true.sum(axis=1, keepdims=True)."
        )
    return p, z


def kl_divergence(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray | float:
    r"""Kullback-Leibler divergence KL(P || Q): P given as probabilities, Q as logits.

    .. math::
        \ell_i = \mathrm{KL}(P_i \,\|\, Q_i) = \sum_{k=1}^{C} p_{ik}
            \bigl(\log p_{ik} - \log q_{ik}\bigr), \qquad
        q_i = \operatorname{softmax}(z_i), \quad 0 \log 0 = 0

    ``y_true`` holds the probabilities of P (the data, the target) and ``y_pred`` the logits
    of Q (the model). The order matters: KL is not symmetric, and this is the order
    ``scipy.special.rel_entr(p, q)`` and ``torch.nn.functional.kl_div(log_q, p)`` use.

    .. note::
        One loss per **row**: ``reduction="none"`` returns ``n`` values and ``"mean"``
        averages over the ``n`` rows, which is PyTorch's ``reduction="batchmean"`` (the true
        mean KL). PyTorch's ``reduction="mean"`` divides by ``n * C`` instead.

    Gradient: :math:`\partial \ell_i / \partial z_i = \bigl(\sum_k p_{ik}\bigr)
    \operatorname{softmax}(z_i) - p_i = q_i - p_i` (rows of P sum to 1); divided by ``n``
    with ``reduction="mean"``.

    Numerical stability: Q stays in log space (``scipy.special.log_softmax``), so it never
    underflows to 0 and the loss stays finite (``rel_entr(p, softmax(z))`` returns inf for
    logits of +-1000); ``scipy.special.xlogy`` makes exact zeros in P contribute 0.

    Args:
        y_true: probabilities of P, each row in [0, 1] and summing to 1 (within 1e-6);
            exact zeros and ones are fine.
        y_pred: logits of Q, the same shape.
        reduction: ``"mean"`` (over rows, "batchmean"), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(n, C)``. Output: scalar, or ``(n,)`` with ``"none"``.

    Examples:
        >>> p = [[1.0, 0.0]]                                   # P certain of class 0
        >>> bool(np.isclose(kl_divergence(p, [[0.0, 0.0]]), np.log(2.0)))   # Q uniform
        True
        >>> round(kl_divergence([[0.5, 0.5]], [[1e4, -1e4]]), 6)   # 1e4 - log 2, not inf
        9999.306853
        >>> kl_divergence_grad(p, [[0.0, 0.0]]).tolist()       # softmax(z) - p
        [[-0.5, 0.5]]

    Reference: ``scipy.special.rel_entr(p, softmax(z)).sum(axis=1).mean()`` at ordinary
    logits; ``torch.nn.functional.kl_div(log_softmax(z), p, reduction="batchmean")``.
    """
    check_reduction(reduction)
    p, z = _kl_inputs(y_true, y_pred)
    values = np.sum(xlogy(p, p) - p * log_softmax(z, axis=1), axis=1)
    return reduce(values, reduction)


def kl_divergence_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray:
    """Gradient of :func:`kl_divergence` with respect to the logits ``y_pred``."""
    check_reduction(reduction)
    p, z = _kl_inputs(y_true, y_pred)
    grad = p.sum(axis=1, keepdims=True) * softmax(z, axis=1) - p
    return reduce_grad(grad, reduction, z.shape[0])


_N_CLASSES = 4


def _kl_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    p = rng.dirichlet(np.ones(_N_CLASSES), size=n)
    # Every third row has an exact zero, so the 0 log 0 = 0 path is always exercised.
    rows = np.arange(n) % 3 == 0
    p[rows, 0] = 0.0
    p /= p.sum(axis=1, keepdims=True)
    return p, rng.normal(0.0, 2.0, size=(n, _N_CLASSES))


def _kl_perfect(y_true: FloatArray) -> FloatArray:
    # log P; zeros get logit -745 (exp underflows to 0, so Q = P to the last bit elsewhere).
    return np.log(np.maximum(y_true, 5e-324))


def _kl_bad_labels(y_true: FloatArray) -> FloatArray:
    bad = np.array(y_true, dtype=np.float64, copy=True)
    bad[0, 0] -= 1.0  # a negative "probability"
    bad[0, 1] += 1.0
    return bad


def _kl_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    from scipy.special import rel_entr

    return float(np.mean(np.sum(rel_entr(y_true, softmax(y_pred, axis=1)), axis=1)))


def _kl_torch(y_true: FloatArray, y_pred: FloatArray) -> float:
    import torch

    log_q = torch.nn.functional.log_softmax(torch.from_numpy(y_pred), dim=1)
    return float(
        torch.nn.functional.kl_div(log_q, torch.from_numpy(y_true), reduction="batchmean")
    )


register(
    Loss(
        name="kl_divergence",
        func=kl_divergence,
        grad_func=kl_divergence_grad,
        latex=r"\sum_k p_k \bigl(\log p_k - \log \operatorname{softmax}(z)_k\bigr)",
        grad_latex=r"\operatorname{softmax}(z) - p",
        task="divergence",
        reference="scipy.special.rel_entr(p, softmax(z)).sum(axis=1).mean()",
        reference_func=_kl_reference,
        torch_func=_kl_torch,
        sample=_kl_sample,
        perfect=_kl_perfect,
        bad_labels=_kl_bad_labels,
        rowwise=True,
        summary=(
            "How many extra nats a model distribution Q costs when the data follow P; "
            "the loss for soft targets, distillation and the ELBO's regulariser."
        ),
    )
)
