"""Classification losses on logits (raw scores), computed in log space.

Binary losses take labels ``y_true`` in {0, 1} and one logit (or decision value) per label;
:func:`softmax_cross_entropy` takes integer class indices and a row of ``C`` logits per
example. Probabilities are never formed and then logged: ``log sigma(x) = -softplus(-x)``
and ``log softmax(z) = z - logsumexp(z)`` are evaluated directly, so logits of +-1e4 give
finite, exact losses.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, log_softmax, softmax

from ._core import (
    FloatArray,
    Loss,
    as_float_array,
    check_binary_labels,
    check_class_indices,
    check_in_interval,
    check_positive,
    check_probabilities,
    check_real,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_grad,
    register,
)

# -- shared helpers -------------------------------------------------------------------------


def softplus(x: FloatArray) -> FloatArray:
    """``log(1 + exp(x))`` without overflow: ``max(x, 0) + log1p(exp(-|x|))``."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _binary_inputs(
    y_true: ArrayLike, y_pred: ArrayLike, *, soft: bool
) -> tuple[FloatArray, FloatArray]:
    y = as_float_array(y_true, "y_true")
    x = as_float_array(y_pred, "y_pred")
    check_same_shape(y, x)
    if soft:
        check_probabilities(y, "y_true")
    else:
        check_binary_labels(y, "y_true")
    return y, x


def _binary_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    y = rng.integers(0, 2, size=n).astype(np.float64)
    return y, rng.normal(0.0, 2.0, size=n)


def _binary_bad_labels(y_true: FloatArray) -> FloatArray:
    bad = np.array(y_true, dtype=np.float64, copy=True)
    bad.flat[0] = 0.5
    return bad


def _margin_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    # Margins m = (2y - 1) f in [-2, 3], never within 2e-2 of the hinge's kink at m = 1.
    y = rng.integers(0, 2, size=n).astype(np.float64)
    m = rng.uniform(-2.0, 3.0, size=n)
    m = np.where(np.abs(m - 1.0) < 2e-2, m + 5e-2, m)
    return y, (2.0 * y - 1.0) * m


def _margin_perfect(y_true: FloatArray) -> FloatArray:
    return 2.0 * (2.0 * y_true - 1.0)  # margin 2 > 1: no hinge loss


def _signed_labels_bad(y_true: FloatArray) -> FloatArray:
    bad = np.array(y_true, dtype=np.float64, copy=True)
    bad.flat[0] = -1.0  # the classic mistake: labels in {-1, +1}
    return bad


# -- binary cross-entropy with logits --------------------------------------------------------


def _check_pos_weight(pos_weight: Any, x: FloatArray) -> float | FloatArray:
    if pos_weight is None:
        return 1.0
    if isinstance(pos_weight, numbers.Real) and not isinstance(pos_weight, bool):
        return check_positive(pos_weight, "pos_weight")
    w = as_float_array(pos_weight, "pos_weight")
    if w.ndim == 0:
        return check_positive(float(w), "pos_weight")
    if x.ndim == 0 or w.shape != x.shape[-1:]:
        raise ValueError(
            f"pos_weight must be a positive number or an array with one weight per column of "
            f"y_pred (shape {x.shape[-1:]}); got shape {w.shape}."
        )
    if np.any(w <= 0):
        raise ValueError(f"pos_weight must be > 0; got {w[w <= 0].flat[0]!r}.")
    return w


def _bce_values(y: FloatArray, x: FloatArray, pw: float | FloatArray) -> FloatArray:
    # pw*y*softplus(-x) + (1-y)*softplus(x): two non-negative terms, so no cancellation for
    # soft targets or pos_weight (torch's (1-y)x + (1+(pw-1)y)softplus(-x) cancels at x << 0).
    return pw * y * softplus(-x) + (1.0 - y) * softplus(x)


def bce_with_logits(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    pos_weight: float | ArrayLike | None = None,
) -> FloatArray | float:
    r"""Binary cross-entropy (log loss) on logits.

    .. math::
        \ell_i = -\bigl[w_+\, y_i \log \sigma(x_i) + (1 - y_i) \log(1 - \sigma(x_i))\bigr]
               = w_+\, y_i\, \mathrm{softplus}(-x_i) + (1 - y_i)\, \mathrm{softplus}(x_i)

    where :math:`x_i` is the logit, :math:`\sigma` the logistic sigmoid and :math:`w_+`
    the ``pos_weight`` (1 by default). Without ``pos_weight`` this is
    :math:`\mathrm{softplus}(x_i) - x_i y_i`.

    Gradient: :math:`\partial \ell_i / \partial x_i = (1 - y_i)\,\sigma(x_i) - w_+ y_i\,
    \sigma(-x_i)`, which is :math:`\sigma(x_i) - y_i` without ``pos_weight``; with
    ``reduction="mean"`` it is divided by the number of elements.

    Numerical stability: never forms :math:`\sigma(x)` and then takes its log;
    ``softplus(x) = max(x, 0) + log1p(exp(-|x|))`` is exact for logits of any size
    (``x = 1e4`` with label 0 gives exactly ``1e4``). The gradient is evaluated as
    :math:`(1 - y)\sigma(x) - w_+ y\,\sigma(-x)` with ``scipy.special.expit``, which keeps
    its relative precision for confident, correct predictions (:math:`\sigma(x) - 1`
    rounds to 0 there). Compare with probability-space references only at moderate
    logits: ``sklearn.metrics.log_loss`` clips probabilities and caps the loss at 36.04.

    Args:
        y_true: targets in [0, 1], the same shape as ``y_pred``. Labels are usually exactly
            0 or 1; soft targets (probabilities) are accepted, as in PyTorch.
        y_pred: logits (raw scores, any real number).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.
        pos_weight: weight :math:`w_+ > 0` of the positive term, a number or one weight per
            column of ``y_pred`` (shape ``(C,)``, broadcast along the last axis); ``None``
            means 1. As in PyTorch, ``pos_weight = n_negative / n_positive`` balances classes.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> bool(np.isclose(bce_with_logits([1.0], [0.0]), np.log(2.0)))
        True
        >>> bce_with_logits([0.0, 1.0], [1e4, -1e4], reduction="none").tolist()
        [10000.0, 10000.0]
        >>> bce_with_logits_grad([0.0, 1.0], [0.0, 0.0], reduction="sum").tolist()
        [0.5, -0.5]

    Reference: ``sklearn._loss.loss.HalfBinomialLoss().loss(y_true=y, raw_prediction=x)``
    (per element; ``pos_weight`` via linearity in ``y``);
    ``torch.nn.functional.binary_cross_entropy_with_logits(x, y, pos_weight=...)``.
    """
    check_reduction(reduction)
    y, x = _binary_inputs(y_true, y_pred, soft=True)
    pw = _check_pos_weight(pos_weight, x)
    return reduce(_bce_values(y, x, pw), reduction)


def bce_with_logits_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    pos_weight: float | ArrayLike | None = None,
) -> FloatArray:
    """Gradient of :func:`bce_with_logits` with respect to the logits ``y_pred``."""
    check_reduction(reduction)
    y, x = _binary_inputs(y_true, y_pred, soft=True)
    pw = _check_pos_weight(pos_weight, x)
    # (1-y) sigma(x) - pw y sigma(-x) rather than sigma(x) - y: for y = 1 and x = 40 this
    # gives -sigma(-40) = -4.2e-18, where sigma(40) - 1 rounds to 0.
    grad = (1.0 - y) * expit(x) - pw * y * expit(-x)
    return reduce_grad(np.asarray(grad, dtype=np.float64), reduction)


def _bce_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    y, x = _binary_sample(rng, n)
    soft = rng.random(n) < 0.3  # some soft targets, as PyTorch allows
    return np.where(soft, rng.uniform(0.0, 1.0, size=n), y), x


def _bce_bad_labels(y_true: FloatArray) -> FloatArray:
    bad = np.array(y_true, dtype=np.float64, copy=True)
    bad.flat[0] = 1.5
    return bad


def _bce_reference(
    y_true: FloatArray, y_pred: FloatArray, *, pos_weight: float | ArrayLike | None = None
) -> float:
    from sklearn._loss.loss import HalfBinomialLoss

    y = np.asarray(y_true, dtype=np.float64)
    x = np.asarray(y_pred, dtype=np.float64)
    hbl = HalfBinomialLoss()

    def kernel(labels: FloatArray) -> FloatArray:
        return hbl.loss(y_true=labels.ravel(), raw_prediction=x.ravel()).reshape(x.shape)

    if pos_weight is None:
        return float(np.mean(kernel(y)))
    # The loss is linear in y: l(y) = pw * y * l(1) + (1 - y) * l(0).
    pw = np.asarray(pos_weight, dtype=np.float64)
    values = pw * y * kernel(np.ones_like(x)) + (1.0 - y) * kernel(np.zeros_like(x))
    return float(np.mean(values))


def _bce_torch(
    y_true: FloatArray, y_pred: FloatArray, *, pos_weight: float | ArrayLike | None = None
) -> float:
    import torch

    pw = None if pos_weight is None else torch.as_tensor(np.asarray(pos_weight, dtype=np.float64))
    return float(
        torch.nn.functional.binary_cross_entropy_with_logits(
            torch.from_numpy(y_pred), torch.from_numpy(y_true), pos_weight=pw
        )
    )


register(
    Loss(
        name="bce_with_logits",
        func=bce_with_logits,
        grad_func=bce_with_logits_grad,
        latex=r"w_+\, y\,\mathrm{softplus}(-f) + (1 - y)\,\mathrm{softplus}(f)",
        grad_latex=r"(1 - y)\,\sigma(f) - w_+\, y\,\sigma(-f)",
        task="classification",
        params={"pos_weight": None},
        reference="sklearn._loss.loss.HalfBinomialLoss().loss(y_true=y, raw_prediction=f)",
        reference_func=_bce_reference,
        torch_func=_bce_torch,
        sample=_bce_sample,
        perfect=None,
        bad_labels=_bce_bad_labels,
        invalid_params=({"pos_weight": 0}, {"pos_weight": -2.0}, {"pos_weight": "big"}),
        extra_params=({"pos_weight": 2.5}, {"pos_weight": 0.4}),
        summary=(
            "Logistic (log) loss on logits, the proper scoring rule behind logistic regression; "
            "the default for binary and multi-label classification, with pos_weight for imbalance."
        ),
    )
)


# -- softmax cross-entropy --------------------------------------------------------------------


def _ce_inputs(
    y_true: ArrayLike, y_pred: ArrayLike, weight: ArrayLike | None, label_smoothing: float
) -> tuple[np.ndarray, FloatArray, FloatArray | None, float]:
    eps = check_in_interval(label_smoothing, "label_smoothing", 0.0, 1.0, closed="both")
    z = as_float_array(y_pred, "y_pred")
    if z.ndim != 2 or z.shape[1] < 2:
        raise ValueError(
            f"y_pred must be a 2-D array of logits of shape (n, C) with C >= 2 classes; got "
            f"shape {z.shape}. For one logit per example use bce_with_logits."
        )
    yt = as_float_array(y_true, "y_true")
    if yt.shape != (z.shape[0],):
        raise ValueError(
            f"y_true must be a 1-D array of {z.shape[0]} class indices, shape ({z.shape[0]},), "
            f"one per row of y_pred {z.shape}; got shape {yt.shape}. For one-hot targets "
            "pass y_true.argmax(axis=1); for probability targets use kl_divergence."
        )
    y = check_class_indices(yt, z.shape[1], "y_true")
    w = None
    if weight is not None:
        w = as_float_array(weight, "weight")
        if w.shape != (z.shape[1],):
            raise ValueError(
                f"weight must hold one weight per class, shape ({z.shape[1]},); got shape "
                f"{w.shape}."
            )
        if np.any(w < 0):
            raise ValueError(f"weight must be >= 0; got {w[w < 0].flat[0]!r}.")
    return y, z, w, eps


def _ce_targets(y: np.ndarray, n_classes: int, w: FloatArray | None, eps: float) -> FloatArray:
    """The weighted, smoothed target rows q_i with l_i = -sum_k q_ik log softmax(z_i)_k."""
    wc = np.ones(n_classes) if w is None else w
    q = np.broadcast_to((eps / n_classes) * wc, (y.size, n_classes)).copy()
    q[np.arange(y.size), y] += (1.0 - eps) * wc[y]
    return q


def _ce_denominator(y: np.ndarray, w: FloatArray | None, reduction: str) -> float:
    if w is None:
        return float(y.size)
    total = float(np.sum(w[y]))
    if reduction == "mean" and total == 0.0:
        raise ValueError(
            "weight gives every target class weight 0, so the weighted mean "
            "sum(w[y] * l) / sum(w[y]) is 0/0; use reduction='sum' or non-zero weights."
        )
    return total


def softmax_cross_entropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    weight: ArrayLike | None = None,
    label_smoothing: float = 0.0,
) -> FloatArray | float:
    r"""Softmax cross-entropy on logits, with optional class weights and label smoothing.

    .. math::
        \ell_i = -\sum_{k=1}^{C} q_{ik} \log \operatorname{softmax}(z_i)_k, \qquad
        q_{ik} = (1 - \varepsilon)\, w_{y_i} [k = y_i] + \frac{\varepsilon}{C}\, w_k

    With no ``weight`` (:math:`w = 1`) and no smoothing (:math:`\varepsilon = 0`),
    :math:`\ell_i = \operatorname{logsumexp}(z_i) - z_{i, y_i}`. The mean is weighted
    exactly as PyTorch's ``cross_entropy``:

    .. math::
        L_\text{mean} = \frac{\sum_i \ell_i}{\sum_i w_{y_i}}
        \quad(\text{with } w = 1: \text{ the mean over the } n \text{ examples}),

    not :math:`\frac1n \sum_i \ell_i`: class weights change the relative importance of the
    examples, not the scale of the loss.

    Gradient: :math:`\partial \ell_i / \partial z_i = \bigl(\sum_k q_{ik}\bigr)
    \operatorname{softmax}(z_i) - q_i`, which is :math:`\operatorname{softmax}(z_i) -
    \operatorname{onehot}(y_i)` in the plain case; ``reduction="mean"`` divides it by
    :math:`\sum_i w_{y_i}`.

    Numerical stability: ``scipy.special.log_softmax`` subtracts the row maximum before
    exponentiating (log-sum-exp), so logits of +-1e4 give exact, finite losses; the
    softmax is never logged.

    Args:
        y_true: integer class indices in ``0 .. C-1`` (integer-valued floats are accepted).
        y_pred: logits, one row of ``C >= 2`` scores per example.
        reduction: ``"mean"`` (weighted mean over examples, see above), ``"sum"`` or
            ``"none"`` (one loss per example).
        weight: optional non-negative class weights, shape ``(C,)`` (PyTorch's ``weight``;
            scikit-learn's ``log_loss`` gets the same mean with ``sample_weight=weight[y]``).
        label_smoothing: :math:`\varepsilon \in [0, 1]`; the target becomes
            :math:`(1 - \varepsilon)\,\mathrm{onehot}(y) + \varepsilon / C`, as in PyTorch.

    Shape:
        ``y_true``: ``(n,)``. ``y_pred``: ``(n, C)``. Output: scalar, or ``(n,)`` with
        ``"none"``.

    Examples:
        >>> bool(np.isclose(softmax_cross_entropy([0], [[0.0, 0.0]]), np.log(2.0)))
        True
        >>> softmax_cross_entropy([1], [[1e4, -1e4]])                 # no overflow
        20000.0
        >>> z = [[0.0, 0.0], [0.0, 0.0]]
        >>> softmax_cross_entropy([0, 1], z, weight=[1.0, 3.0]) / float(np.log(2.0))  # 4/4
        1.0
        >>> softmax_cross_entropy_grad([0], [[0.0, 0.0]]).tolist()
        [[-0.5, 0.5]]

    Reference: ``sklearn.metrics.log_loss(y, softmax(z), sample_weight=weight[y],
    labels=range(C))`` (label smoothing via its per-class terms);
    ``torch.nn.functional.cross_entropy(z, y, weight=weight, label_smoothing=eps)``.
    """
    check_reduction(reduction)
    y, z, w, eps = _ce_inputs(y_true, y_pred, weight, label_smoothing)
    logp = log_softmax(z, axis=1)
    rows = np.arange(y.size)
    wc = np.ones(z.shape[1]) if w is None else w
    nll = -logp[rows, y]
    smooth = -(logp @ wc)  # sum_k w_k (-log p_ik); multiplied by eps / C below
    values = (1.0 - eps) * wc[y] * nll + (eps / z.shape[1]) * smooth
    if reduction == "mean":
        return float(np.sum(values) / _ce_denominator(y, w, reduction))
    return reduce(values, reduction)


def softmax_cross_entropy_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    weight: ArrayLike | None = None,
    label_smoothing: float = 0.0,
) -> FloatArray:
    """Gradient of :func:`softmax_cross_entropy` with respect to the logits ``y_pred``."""
    check_reduction(reduction)
    y, z, w, eps = _ce_inputs(y_true, y_pred, weight, label_smoothing)
    q = _ce_targets(y, z.shape[1], w, eps)
    grad = q.sum(axis=1, keepdims=True) * softmax(z, axis=1) - q
    return reduce_grad(grad, reduction, _ce_denominator(y, w, reduction))


_N_CLASSES = 4  # classes drawn by the samplers of the multiclass losses


def _ce_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    y = rng.integers(0, _N_CLASSES, size=n).astype(np.float64)
    return y, rng.normal(0.0, 2.0, size=(n, _N_CLASSES))


def _ce_bad_labels(y_true: FloatArray) -> FloatArray:
    bad = np.array(y_true, dtype=np.float64, copy=True)
    bad.flat[0] = -1.0
    return bad


def _ce_mean_denominator(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    label_smoothing: float = 0.0,
) -> float:
    y, _, w, _ = _ce_inputs(y_true, y_pred, weight, label_smoothing)
    return _ce_denominator(y, w, "sum")


def _ce_reference(
    y_true: FloatArray,
    y_pred: FloatArray,
    *,
    weight: ArrayLike | None = None,
    label_smoothing: float = 0.0,
) -> float:
    from sklearn.metrics import log_loss

    y = np.asarray(y_true).astype(int)
    z = np.asarray(y_pred, dtype=np.float64)
    n, n_classes = z.shape
    proba = softmax(z, axis=1)
    labels = list(range(n_classes))
    w = np.ones(n_classes) if weight is None else np.asarray(weight, dtype=np.float64)
    nll = log_loss(y, proba, sample_weight=w[y], labels=labels)  # sum w_y l / sum w_y
    if label_smoothing == 0.0:
        return float(nll)
    # sum_i sum_k w_k (-log p_ik) = sum_k w_k * n * log_loss(all labels k).
    smooth = sum(
        w[k] * n * log_loss(np.full(n, k), proba, labels=labels) for k in range(n_classes)
    )
    eps = label_smoothing
    return float((1.0 - eps) * nll + eps / n_classes * smooth / np.sum(w[y]))


def _ce_torch(
    y_true: FloatArray,
    y_pred: FloatArray,
    *,
    weight: ArrayLike | None = None,
    label_smoothing: float = 0.0,
) -> float:
    import torch

    w = None if weight is None else torch.as_tensor(np.asarray(weight, dtype=np.float64))
    return float(
        torch.nn.functional.cross_entropy(
            torch.from_numpy(np.asarray(y_pred, dtype=np.float64)),
            torch.from_numpy(np.asarray(y_true)).long(),
            weight=w,
            label_smoothing=label_smoothing,
        )
    )


register(
    Loss(
        name="softmax_cross_entropy",
        func=softmax_cross_entropy,
        grad_func=softmax_cross_entropy_grad,
        latex=r"\log \sum_{k} e^{z_k} - z_y",
        grad_latex=r"\operatorname{softmax}(z) - \operatorname{onehot}(y)",
        task="classification",
        params={"weight": None, "label_smoothing": 0.0},
        reference=(
            "sklearn.metrics.log_loss(y, softmax(z), sample_weight=weight[y], labels=range(C))"
        ),
        reference_func=_ce_reference,
        torch_func=_ce_torch,
        sample=_ce_sample,
        perfect=None,
        bad_labels=_ce_bad_labels,
        invalid_params=(
            {"label_smoothing": 1.5},
            {"label_smoothing": -0.1},
            {"weight": [1.0, -1.0, 1.0, 1.0]},
            {"weight": [1.0, 1.0]},
        ),
        extra_params=(
            {"weight": (0.5, 2.0, 1.0, 3.0)},
            {"label_smoothing": 0.1},
            {"weight": (0.5, 2.0, 1.0, 3.0), "label_smoothing": 0.2},
        ),
        rowwise=True,
        mean_denominator=_ce_mean_denominator,
        summary=(
            "Multiclass log loss on logits (softmax regression, neural-network classifiers); "
            "class weights rebalance rare classes and label smoothing curbs over-confidence."
        ),
    )
)


# -- hinge and squared hinge ------------------------------------------------------------------


def _margins(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y, f = _binary_inputs(y_true, y_pred, soft=False)
    s = 2.0 * y - 1.0  # labels {0, 1} -> {-1, +1}
    return s, s * f


def hinge(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> FloatArray | float:
    r"""Hinge loss (the SVM loss) on decision values, for binary labels.

    .. math::
        \ell_i = \max(0,\ 1 - m_i), \qquad m_i = s_i f_i, \quad s_i = 2 y_i - 1 \in \{-1, +1\}

    Gradient (a subgradient): :math:`\partial \ell_i / \partial f_i = -s_i` if
    :math:`m_i < 1`, else 0 (0 at the kink :math:`m_i = 1`); with ``reduction="mean"`` it is
    divided by the number of elements.

    Numerical stability: exact piecewise-linear expression.

    Args:
        y_true: binary labels 0 or 1, mapped to -1 and +1 inside (labels already in
            {-1, +1} are rejected rather than guessed).
        y_pred: decision values :math:`f` (raw scores), the same shape as ``y_true``.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> hinge([1, 0], [0.5, 0.5], reduction="none").tolist()
        [0.5, 1.5]
        >>> hinge_grad([1, 0, 1], [0.5, 0.5, 2.0], reduction="sum").tolist()
        [-1.0, 1.0, 0.0]

    Reference: ``sklearn.metrics.hinge_loss(y_true, pred_decision)`` (which maps the two
    labels to -1/+1 with ``LabelBinarizer``); per element
    ``sklearn.linear_model._sgd_fast.Hinge(1.0).py_loss(f, s)``.
    """
    check_reduction(reduction)
    _, m = _margins(y_true, y_pred)
    return reduce(np.maximum(0.0, 1.0 - m), reduction)


def hinge_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> FloatArray:
    """(Sub)gradient of :func:`hinge` with respect to ``y_pred``."""
    check_reduction(reduction)
    s, m = _margins(y_true, y_pred)
    return reduce_grad(np.where(m < 1.0, -s, 0.0), reduction)


def _sgd_kernel_mean(name: str, y_true: FloatArray, y_pred: FloatArray) -> float:
    from sklearn.linear_model import _sgd_fast

    kernel = getattr(_sgd_fast, name)(1.0)
    s = 2.0 * np.ravel(y_true) - 1.0
    return float(np.mean([kernel.py_loss(f, si) for f, si in zip(np.ravel(y_pred), s, strict=True)]))


def _hinge_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    from sklearn.metrics import hinge_loss

    y = np.ravel(y_true)
    if np.unique(y).size < 2:
        # hinge_loss's LabelBinarizer maps a single class to -1; use the per-sample kernel.
        return _sgd_kernel_mean("Hinge", y_true, y_pred)
    return float(hinge_loss(y, np.ravel(y_pred)))


def _margin_torch(y_true: FloatArray, y_pred: FloatArray, power: int) -> float:
    import torch

    # multi_margin_loss on the two scores [0, f] is max(0, 1 - s f)^p / 2 for each example.
    f = torch.from_numpy(np.ravel(y_pred).astype(np.float64))
    scores = torch.stack([torch.zeros_like(f), f], dim=1)
    target = torch.from_numpy(np.ravel(y_true)).long()
    return 2.0 * float(torch.nn.functional.multi_margin_loss(scores, target, p=power, margin=1.0))


def _hinge_torch(y_true: FloatArray, y_pred: FloatArray) -> float:
    return _margin_torch(y_true, y_pred, 1)


register(
    Loss(
        name="hinge",
        func=hinge,
        grad_func=hinge_grad,
        latex=r"\max(0,\ 1 - m),\quad m = (2y - 1) f",
        grad_latex=r"-(2y - 1)\,[m < 1]",
        task="classification",
        reference="sklearn.metrics.hinge_loss(y_true, pred_decision)",
        reference_func=_hinge_reference,
        torch_func=_hinge_torch,
        sample=_margin_sample,
        perfect=_margin_perfect,
        bad_labels=_signed_labels_bad,
        summary=(
            "The support vector machine's loss: zero once an example is beyond the margin, "
            "so only the hard examples (support vectors) shape the boundary; not a probability."
        ),
    )
)


def squared_hinge(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray | float:
    r"""Squared hinge loss (L2-SVM) on decision values.

    .. math::
        \ell_i = \max(0,\ 1 - m_i)^2, \qquad m_i = s_i f_i, \quad s_i = 2 y_i - 1

    Gradient: :math:`\partial \ell_i / \partial f_i = -2 s_i \max(0, 1 - m_i)`, continuous
    (the loss is differentiable everywhere); with ``reduction="mean"`` it is divided by the
    number of elements.

    Numerical stability: exact; the square overflows only for margins beyond -1e154.

    Args:
        y_true: binary labels 0 or 1, mapped to -1 and +1 inside.
        y_pred: decision values :math:`f`, the same shape as ``y_true``.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> squared_hinge([1, 0], [0.5, 0.5], reduction="none").tolist()
        [0.25, 2.25]
        >>> squared_hinge([1, 0], [0.5, 0.5])
        1.25

    Reference: ``sklearn.linear_model._sgd_fast.SquaredHinge(1.0).py_loss(f, s)`` per
    element (the kernel of ``SGDClassifier(loss="squared_hinge")``); PyTorch:
    ``2 * multi_margin_loss([0, f], y, p=2)``.
    """
    check_reduction(reduction)
    _, m = _margins(y_true, y_pred)
    return reduce(np.square(np.maximum(0.0, 1.0 - m)), reduction)


def squared_hinge_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray:
    """Gradient of :func:`squared_hinge` with respect to ``y_pred``."""
    check_reduction(reduction)
    s, m = _margins(y_true, y_pred)
    return reduce_grad(-2.0 * s * np.maximum(0.0, 1.0 - m), reduction)


def _squared_hinge_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    return _sgd_kernel_mean("SquaredHinge", y_true, y_pred)


def _squared_hinge_torch(y_true: FloatArray, y_pred: FloatArray) -> float:
    return _margin_torch(y_true, y_pred, 2)


register(
    Loss(
        name="squared_hinge",
        func=squared_hinge,
        grad_func=squared_hinge_grad,
        latex=r"\max(0,\ 1 - m)^2,\quad m = (2y - 1) f",
        grad_latex=r"-2(2y - 1)\max(0,\ 1 - m)",
        task="classification",
        reference="sklearn.linear_model._sgd_fast.SquaredHinge(1.0).py_loss(f, 2y - 1)",
        reference_func=_squared_hinge_reference,
        torch_func=_squared_hinge_torch,
        sample=_margin_sample,
        perfect=_margin_perfect,
        bad_labels=_signed_labels_bad,
        summary=(
            "A smooth hinge (L2-SVM, LinearSVC's default): differentiable, still zero beyond the "
            "margin, but it punishes badly misclassified points quadratically."
        ),
    )
)


# -- exponential loss (AdaBoost) ---------------------------------------------------------------

#: ``log(float64 max)``: for margins below ``-_EXP_OVERFLOW_MARGIN`` the exponential loss is
#: larger than the largest float64 (1.8e308) and evaluates to ``inf``.
_EXP_OVERFLOW_MARGIN = float(np.log(np.finfo(np.float64).max))  # 709.78...


def _exp_neg(m: FloatArray) -> FloatArray:
    # exp(-m) is correctly rounded for every margin it can represent; below m = -709.78 the
    # true value exceeds float64's range and IEEE overflow to +inf is the honest answer
    # (clipping would return a wrong finite number), so the overflow warning is silenced.
    with np.errstate(over="ignore"):
        return np.exp(-m)


def exponential(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray | float:
    r"""Exponential loss (AdaBoost's loss) on scores, for binary labels.

    .. math::
        \ell_i = e^{-m_i}, \qquad m_i = s_i f_i, \quad s_i = 2 y_i - 1 \in \{-1, +1\}

    The steepest of the margin surrogates of the 0-1 loss: it upper-bounds
    :math:`[m_i \le 0]`, equals 1 at :math:`m_i = 0`, and grows exponentially for
    misclassified examples, which is why boosting with it is sensitive to label noise.
    Its population minimiser is *half* the log-odds, :math:`f^* = \tfrac12 \log
    \frac{p}{1 - p}`, so a score converts to a probability as :math:`p = \sigma(2 f)`
    (Friedman, Hastie and Tibshirani 2000); it is a proper scoring rule with that link.

    Gradient: :math:`\partial \ell_i / \partial f_i = -s_i\, e^{-m_i}`, divided by the
    number of elements with ``reduction="mean"``.

    Numerical stability: :math:`e^{-m}` is evaluated directly from the margin, so it has
    full relative precision for every margin :math:`m \ge -709.78` (``log`` of the largest
    float64) and underflows gracefully to 0 for confident, correct scores. Below
    :math:`m = -709.78` the true loss exceeds 1.8e308: the loss returns ``inf`` (and the
    gradient :math:`-s_i \cdot \infty`), never NaN and with no warning. No float64
    formula can be finite *and* correct there; the overflow is the loss's point, not a
    bug. (scikit-learn's ``ExponentialLoss`` evaluates
    :math:`y e^{-f} + (1 - y) e^{f}`, which gives ``0 * inf = nan`` for a confident
    *correct* score beyond :math:`|f| = 709.78`; this form does not.)

    Args:
        y_true: binary labels 0 or 1, mapped to -1 and +1 inside (labels already in
            {-1, +1} are rejected rather than guessed).
        y_pred: scores :math:`f` (raw predictions, such as a boosted ensemble's sum), the
            same shape as ``y_true``.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> exponential([1, 0], [0.0, 0.0], reduction="none").tolist()
        [1.0, 1.0]
        >>> bool(np.isclose(exponential([1, 0], [2.0, 2.0], reduction="sum"),
        ...                 np.exp(-2.0) + np.exp(2.0)))
        True
        >>> exponential([1, 0], [1e4, -1e4], reduction="none").tolist()  # right and sure
        [0.0, 0.0]
        >>> exponential([1], [-1e3])                                      # wrong and sure
        inf
        >>> exponential_grad([1, 0], [0.0, 0.0], reduction="sum").tolist()
        [-1.0, 1.0]

    Reference: ``sklearn._loss.loss.ExponentialLoss().loss(y_true=y, raw_prediction=f)``
    (the loss of ``GradientBoostingClassifier(loss="exponential")``; labels {0, 1}, link
    ``p = expit(2 f)``). J. Friedman, T. Hastie, R. Tibshirani, "Additive logistic
    regression: a statistical view of boosting", Ann. Statist. 28 (2), 2000.
    """
    check_reduction(reduction)
    _, m = _margins(y_true, y_pred)
    return reduce(_exp_neg(m), reduction)


def exponential_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray:
    """Gradient of :func:`exponential` with respect to ``y_pred``: ``-s * exp(-m)``."""
    check_reduction(reduction)
    s, m = _margins(y_true, y_pred)
    return reduce_grad(-s * _exp_neg(m), reduction)


def _exponential_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    from sklearn._loss.loss import ExponentialLoss

    f = np.asarray(y_pred, dtype=np.float64).ravel()
    y = np.asarray(y_true, dtype=np.float64).ravel()
    return float(np.mean(ExponentialLoss().loss(y_true=y, raw_prediction=f)))


register(
    Loss(
        name="exponential",
        func=exponential,
        grad_func=exponential_grad,
        latex=r"e^{-m},\quad m = (2y - 1) f",
        grad_latex=r"-(2y - 1)\, e^{-m}",
        task="classification",
        reference="sklearn._loss.loss.ExponentialLoss().loss(y_true=y, raw_prediction=f)",
        reference_func=_exponential_reference,
        sample=_margin_sample,
        perfect=None,
        bad_labels=_signed_labels_bad,
        summary=(
            "AdaBoost's loss exp(-margin), the steepest margin surrogate: it keeps pushing even "
            "correct examples and lets one mislabelled point dominate (inf below margin -709.78)."
        ),
    )
)


# -- sigmoid focal loss -------------------------------------------------------------------------


def _check_focal_params(alpha: Any, gamma: Any) -> tuple[float | None, float]:
    gamma = check_real(gamma, "gamma")
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0 (gamma = 0 is cross-entropy); got {gamma!r}.")
    if alpha is None:
        return None, gamma
    alpha = check_real(alpha, "alpha")
    if alpha == -1.0:  # torchvision's switch for "no alpha weighting"
        return None, gamma
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(
            f"alpha must lie in [0, 1], or be None or -1 to switch the class weighting off; "
            f"got {alpha!r}."
        )
    return alpha, gamma


def _focal_parts(
    y: FloatArray, x: FloatArray, alpha: float | None
) -> tuple[FloatArray, FloatArray, FloatArray | float]:
    s = 2.0 * y - 1.0
    a = s * x  # p_t = sigma(a): the probability given to the true class
    alpha_t = 1.0 if alpha is None else alpha * y + (1.0 - alpha) * (1.0 - y)
    return s, a, alpha_t


def focal(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    alpha: float | None = 0.25,
    gamma: float = 2.0,
) -> FloatArray | float:
    r"""Sigmoid focal loss (Lin et al. 2017) on logits: cross-entropy that down-weights easy examples.

    .. math::
        \ell_i = -\alpha_t\, (1 - p_t)^\gamma \log p_t, \qquad
        p_t = \sigma\bigl((2 y_i - 1)\, x_i\bigr), \quad
        \alpha_t = \alpha y_i + (1 - \alpha)(1 - y_i)

    Gradient: with :math:`s_i = 2 y_i - 1`,

    .. math::
        \frac{\partial \ell_i}{\partial x_i} = \alpha_t\, s_i\, (1 - p_t)^\gamma
            \bigl(\gamma\, p_t \log p_t - (1 - p_t)\bigr),

    divided by the number of elements with ``reduction="mean"``. With ``gamma = 0`` and the
    weighting off it is :func:`bce_with_logits`.

    Numerical stability: everything is in log space: :math:`\log p_t =
    -\mathrm{softplus}(-s x)` and :math:`(1 - p_t)^\gamma = \exp(-\gamma\,
    \mathrm{softplus}(s x))`, so logits of +-1e4 give exact, finite values (torchvision forms
    ``1 - sigmoid(x)``, which loses relative precision as :math:`p_t \to 1`).

    .. note::
        The default ``reduction`` here is ``"mean"``, like every loss in this package;
        ``torchvision.ops.sigmoid_focal_loss`` defaults to ``reduction="none"``. Labels must
        be exactly 0 or 1 (torchvision also accepts soft targets, for which
        :math:`p_t` is not a probability of the true class).

    Args:
        y_true: binary labels 0 or 1, the same shape as ``y_pred``.
        y_pred: logits.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.
        alpha: weight of the positive class in [0, 1] (negatives get ``1 - alpha``);
            ``None`` or ``-1`` switches the weighting off (torchvision's convention:
            ``alpha=-1``).
        gamma: focusing parameter :math:`\gamma \ge 0`; ``0`` gives (weighted)
            cross-entropy.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> focal([1.0], [0.0]) / float(np.log(2.0))   # 0.25 * 0.5**2 * log 2
        0.0625
        >>> bool(np.isclose(focal([1.0, 0.0], [0.3, -1.2], alpha=None, gamma=0.0),
        ...                 bce_with_logits([1.0, 0.0], [0.3, -1.2])))
        True

    Reference: ``torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha, gamma)``'s
    formula evaluated in mpmath at 50 digits. T.-Y. Lin, P. Goyal, R. Girshick, K. He,
    P. Dollar, "Focal Loss for Dense Object Detection", ICCV 2017.
    """
    check_reduction(reduction)
    alpha, gamma = _check_focal_params(alpha, gamma)
    y, x = _binary_inputs(y_true, y_pred, soft=False)
    _, a, alpha_t = _focal_parts(y, x, alpha)
    values = alpha_t * np.exp(-gamma * softplus(a)) * softplus(-a)
    return reduce(np.asarray(values, dtype=np.float64), reduction)


def focal_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    alpha: float | None = 0.25,
    gamma: float = 2.0,
) -> FloatArray:
    """Gradient of :func:`focal` with respect to the logits ``y_pred``."""
    check_reduction(reduction)
    alpha, gamma = _check_focal_params(alpha, gamma)
    y, x = _binary_inputs(y_true, y_pred, soft=False)
    s, a, alpha_t = _focal_parts(y, x, alpha)
    p_t, one_minus_p_t = expit(a), expit(-a)
    log_p_t = -softplus(-a)
    modulator = np.exp(-gamma * softplus(a))  # (1 - p_t)^gamma
    grad = alpha_t * s * modulator * (gamma * p_t * log_p_t - one_minus_p_t)
    return reduce_grad(np.asarray(grad, dtype=np.float64), reduction)


def _focal_reference(
    y_true: FloatArray, y_pred: FloatArray, *, alpha: float | None = 0.25, gamma: float = 2.0
) -> float:
    import mpmath

    # torchvision.ops.sigmoid_focal_loss, line by line, at 50 significant digits.
    with mpmath.workdps(50):
        total = mpmath.mpf(0)
        for t, xv in zip(np.ravel(y_true), np.ravel(y_pred), strict=True):
            t, x = mpmath.mpf(float(t)), mpmath.mpf(float(xv))
            p = 1 / (1 + mpmath.exp(-x))
            ce = -(t * mpmath.log(p) + (1 - t) * mpmath.log(1 - p))
            p_t = p * t + (1 - p) * (1 - t)
            loss = ce * (1 - p_t) ** mpmath.mpf(gamma)
            if alpha is not None and alpha >= 0:
                loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
            total += loss
        return float(total / np.size(y_true))


def _focal_torch(
    y_true: FloatArray, y_pred: FloatArray, *, alpha: float | None = 0.25, gamma: float = 2.0
) -> float:
    import torch

    inputs = torch.from_numpy(np.asarray(y_pred, dtype=np.float64))
    targets = torch.from_numpy(np.asarray(y_true, dtype=np.float64))
    a = -1.0 if alpha is None else alpha
    try:
        from torchvision.ops import sigmoid_focal_loss
    except ImportError:  # torchvision 0.29.2's formula, verbatim, on torch tensors
        p = torch.sigmoid(inputs)
        ce = torch.nn.functional.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce * ((1 - p_t) ** gamma)
        if a >= 0:
            loss = (a * targets + (1 - a) * (1 - targets)) * loss
        return float(loss.mean())
    return float(sigmoid_focal_loss(inputs, targets, alpha=a, gamma=gamma, reduction="mean"))


register(
    Loss(
        name="focal",
        func=focal,
        grad_func=focal_grad,
        latex=r"-\alpha_t (1 - p_t)^\gamma \log p_t,\quad p_t = \sigma\bigl((2y - 1) f\bigr)",
        grad_latex=(
            r"\alpha_t (2y - 1)(1 - p_t)^\gamma \bigl(\gamma\, p_t \log p_t - (1 - p_t)\bigr)"
        ),
        task="classification",
        params={"alpha": 0.25, "gamma": 2.0},
        reference=(
            "torchvision.ops.sigmoid_focal_loss(inputs, targets, alpha, gamma) formula, in "
            "mpmath at 50 digits"
        ),
        reference_func=_focal_reference,
        torch_func=_focal_torch,
        sample=_binary_sample,
        perfect=None,
        bad_labels=_binary_bad_labels,
        invalid_params=({"gamma": -1.0}, {"alpha": 1.5}, {"alpha": -0.5}, {"gamma": float("nan")}),
        extra_params=(
            {"alpha": None, "gamma": 0.0},
            {"alpha": 0.75, "gamma": 0.5},
            {"alpha": -1, "gamma": 5.0},
            {"gamma": 1.0},
        ),
        summary=(
            "Cross-entropy that fades out well-classified examples by (1 - p_t)^gamma, "
            "for heavy class imbalance with many easy negatives (dense object detection)."
        ),
    )
)
