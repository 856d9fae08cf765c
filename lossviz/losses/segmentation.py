r"""The soft Dice loss for segmentation masks (chapter 08).

A segmentation model predicts, for every pixel (or voxel), the probability :math:`p_k` that
it belongs to the object; the ground truth is a binary mask :math:`g_k`. Per-pixel
cross-entropy treats every pixel alike, so a small object on a large background is
swamped by easy background pixels. The Dice loss instead scores the *overlap* of the
predicted and the true region, one whole mask (one example) at a time, so a tiny object
weighs as much as a large one:

- :func:`dice`: one minus the soft Dice coefficient
  :math:`2\sum p g / (\sum p + \sum g)`, with MONAI's two smoothing terms.

Convention: ``y_true`` and ``y_pred`` have shape ``(n, ...)``; each row (all non-batch
axes together) is one example, so ``reduction="none"`` returns ``n`` losses. For MONAI's
per-(batch, channel) Dice of a ``(B, C, H, W)`` array, pass ``y.reshape(B * C, -1)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._core import (
    FloatArray,
    Loss,
    as_float_array,
    check_binary_labels,
    check_probabilities,
    check_real,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_grad,
    register,
)

# -- helpers --------------------------------------------------------------------------------


def _check_smoothing(smooth_nr: float, smooth_dr: float) -> tuple[float, float]:
    s_nr = check_real(smooth_nr, "smooth_nr")
    s_dr = check_real(smooth_dr, "smooth_dr")
    if s_nr < 0:
        raise ValueError(f"smooth_nr must be >= 0; got {s_nr!r}.")
    if s_dr < 0:
        raise ValueError(f"smooth_dr must be >= 0; got {s_dr!r}.")
    if s_nr > s_dr:
        raise ValueError(
            f"smooth_nr must be <= smooth_dr; got smooth_nr={s_nr!r} and smooth_dr={s_dr!r}. "
            "With a larger numerator term a perfect prediction of an empty mask has a "
            "negative loss 1 - smooth_nr / smooth_dr."
        )
    return s_nr, s_dr


def _dice_inputs(
    y_true: ArrayLike, y_pred: ArrayLike
) -> tuple[FloatArray, FloatArray, tuple[int, ...]]:
    """Masks and probabilities as ``(n, m)`` arrays (one row per example), and the shape."""
    g = as_float_array(y_true, "y_true")
    p = as_float_array(y_pred, "y_pred")
    if p.ndim < 2:
        raise ValueError(
            f"y_pred must have a batch axis, shape (n, ...) with one mask per row; got shape "
            f"{p.shape}. For a single mask pass y_true[None] and y_pred[None]."
        )
    check_same_shape(g, p)
    check_binary_labels(g, "y_true")
    check_probabilities(p, "y_pred")
    n = p.shape[0]
    return g.reshape(n, -1), p.reshape(n, -1), p.shape


def _dice_parts(
    g: FloatArray, p: FloatArray, s_nr: float, s_dr: float
) -> tuple[FloatArray, FloatArray]:
    """Per-row loss and denominator ``D = sum p + sum g + s_dr``.

    The loss is evaluated as (soft false positives + soft false negatives + s_dr - s_nr)
    / D, a sum of non-negative terms, rather than as 1 - (2 sum pg + s_nr) / D, which
    cancels catastrophically for a nearly perfect prediction (a loss of 1e-12 would keep
    only ~4 correct digits).
    """
    denominator = p.sum(axis=1) + g.sum(axis=1) + s_dr
    empty = denominator == 0.0
    if np.any(empty):
        raise ValueError(
            f"smooth_dr is 0 and {int(empty.sum())} example(s) have an empty mask in y_true "
            f"and an all-zero prediction in y_pred (e.g. row {int(np.argmax(empty))}), so "
            "their Dice loss is 0/0; use smooth_dr > 0 (MONAI's default is 1e-5)."
        )
    mismatch = np.sum(p * (1.0 - g) + g * (1.0 - p), axis=1)
    return (mismatch + (s_dr - s_nr)) / denominator, denominator


# -- soft Dice ------------------------------------------------------------------------------


def dice(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    smooth_nr: float = 1e-5,
    smooth_dr: float = 1e-5,
) -> FloatArray | float:
    r"""Soft Dice loss: one minus the overlap of a predicted and a true mask, per example.

    .. math::
        \ell_i = 1 - \frac{2 \sum_k p_{ik} g_{ik} + s_\text{nr}}
                          {\sum_k p_{ik} + \sum_k g_{ik} + s_\text{dr}}

    where :math:`g_{ik} \in \{0, 1\}` is the true mask of example :math:`i` at pixel
    :math:`k`, :math:`p_{ik} \in [0, 1]` the predicted probability, and the sums run over
    all the non-batch axes of the example. With hard predictions this is one minus the
    Dice coefficient :math:`2 |P \cap G| / (|P| + |G|)` (the F1 score of the pixels); with
    probabilities the overlap is "soft", so the loss is differentiable.

    Smoothing. :math:`s_\text{nr}` and :math:`s_\text{dr}` are MONAI's ``smooth_nr`` and
    ``smooth_dr`` (both ``1e-5``). With ``smooth_nr == smooth_dr`` an empty mask predicted
    empty costs exactly 0 (:math:`1 - s/s`) instead of the undefined 0/0, and an empty
    mask with *any* predicted pixels costs almost 1 (:math:`\sum p / (\sum p + s)`): the
    loss cannot reward a prediction for "nothing" except by predicting nothing. Keras's
    ``dice`` puts a small epsilon (``1e-7``) in the denominator only
    (``smooth_nr=0, smooth_dr=1e-7`` here), so an empty mask predicted empty costs 1, and it
    reduces over the whole batch as one region by default. The classic "smooth = 1" of many
    tutorials is ``smooth_nr = smooth_dr = 1``, which noticeably biases small masks.
    ``smooth_nr`` may not exceed ``smooth_dr`` (the loss would go negative).

    .. note::
        :math:`\ell = 0` at :math:`p = g`, but that minimum lies on the boundary of
        :math:`[0, 1]`: the gradient there is :math:`(1 - 2g_k) / D \ne 0` (pushing
        :math:`p` further towards 0 or 1 would lower the formula below 0 if it were
        allowed), so gradient descent on raw probabilities must clip them. Networks
        produce :math:`p = \sigma(\text{logit})`, which keeps them inside.

    Gradient: with :math:`D_i = \sum_k p_{ik} + \sum_k g_{ik} + s_\text{dr}`,

    .. math::
        \frac{\partial \ell_i}{\partial p_{ik}} = \frac{1 - 2 g_{ik} - \ell_i}{D_i},

    divided by the number of examples :math:`n` with ``reduction="mean"``.

    Numerical stability: the loss is computed as
    :math:`\bigl(\sum_k [p_{ik}(1 - g_{ik}) + g_{ik}(1 - p_{ik})] + s_\text{dr} -
    s_\text{nr}\bigr) / D_i`, the soft false positives plus false negatives over the
    total, a sum of non-negative terms: a nearly perfect prediction keeps full relative
    precision, where ``1 - ratio`` cancels. With ``smooth_dr = 0``, an empty mask
    predicted as exactly empty is 0/0 and raises ``ValueError`` instead of returning NaN.

    Args:
        y_true: the binary ground-truth mask, 0 or 1, shape ``(n, ...)``.
        y_pred: predicted probabilities in ``[0, 1]`` (for example a sigmoid of the logits),
            the same shape as ``y_true``.
        reduction: ``"mean"`` (over the ``n`` examples, as MONAI's ``"mean"`` over batch
            and channel), ``"sum"`` or ``"none"`` (one loss per example).
        smooth_nr: :math:`s_\text{nr} \ge 0`, added to the numerator (MONAI's
            ``smooth_nr``).
        smooth_dr: :math:`s_\text{dr} \ge s_\text{nr}`, added to the denominator (MONAI's
            ``smooth_dr``).

    Shape:
        ``y_true``, ``y_pred``: ``(n, *)`` with at least two axes (a batch axis first).
        Output: scalar, or ``(n,)`` with ``"none"``. The gradient has the shape of
        ``y_pred``.

    Examples:
        >>> g = np.array([[1.0, 1.0, 0.0, 0.0]])
        >>> dice(g, np.array([[1.0, 0.0, 1.0, 0.0]]), smooth_nr=0, smooth_dr=0)  # 1 - 2/4
        0.5
        >>> dice(g, g)                                          # a perfect prediction
        0.0
        >>> dice(np.zeros((1, 4)), np.zeros((1, 4)))            # empty and predicted empty
        0.0
        >>> dice_grad(g, np.full((1, 4), 0.5), smooth_nr=0, smooth_dr=0).tolist()
        [[-0.375, -0.375, 0.125, 0.125]]

    Reference: ``scipy.spatial.distance.dice(g, p)`` per example, which on real-valued
    inputs is :math:`(c_{TF} + c_{FT}) / (2c_{TT} + c_{FT} + c_{TF}) = 1 - 2\sum pg /
    (\sum p + \sum g)`, the soft Dice loss without smoothing (the smoothing terms are
    restored from that value and the sums); ``monai.losses.DiceLoss(smooth_nr=1e-5,
    smooth_dr=1e-5)`` (transcribed in the tests). F. Milletari, N. Navab and S.-A. Ahmadi,
    "V-Net", 3DV 2016; C. H. Sudre et al., "Generalised Dice overlap as a deep learning
    loss function for highly unbalanced segmentations", DLMIA 2017.
    """
    check_reduction(reduction)
    s_nr, s_dr = _check_smoothing(smooth_nr, smooth_dr)
    g, p, _ = _dice_inputs(y_true, y_pred)
    values, _ = _dice_parts(g, p, s_nr, s_dr)
    return reduce(values, reduction)


def dice_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    smooth_nr: float = 1e-5,
    smooth_dr: float = 1e-5,
) -> FloatArray:
    """Gradient of :func:`dice` with respect to the probabilities ``y_pred``."""
    check_reduction(reduction)
    s_nr, s_dr = _check_smoothing(smooth_nr, smooth_dr)
    g, p, shape = _dice_inputs(y_true, y_pred)
    values, denominator = _dice_parts(g, p, s_nr, s_dr)
    grad = (1.0 - 2.0 * g - values[:, None]) / denominator[:, None]
    return reduce_grad(grad.reshape(shape), reduction, g.shape[0])


def _dice_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    """``n`` masks of 8 pixels and probabilities in [0.05, 0.95] leaning towards the truth."""
    g = (rng.random((n, 8)) < 0.4).astype(np.float64)
    p = np.clip(0.35 * g + rng.uniform(0.05, 0.65, size=(n, 8)), 0.05, 0.95)
    return g, p


def _dice_bad_labels(y_true: FloatArray) -> FloatArray:
    bad = np.array(y_true, dtype=np.float64, copy=True)
    bad.flat[0] = 0.5
    return bad


def _dice_reference(
    y_true: FloatArray, y_pred: FloatArray, *, smooth_nr: float = 1e-5, smooth_dr: float = 1e-5
) -> float:
    from scipy.spatial.distance import dice as scipy_dice

    n = np.shape(y_pred)[0]
    g = np.asarray(y_true, dtype=np.float64).reshape(n, -1)
    p = np.asarray(y_pred, dtype=np.float64).reshape(n, -1)
    values = []
    for gi, pi in zip(g, p, strict=True):
        unsmoothed = scipy_dice(gi, pi)  # 1 - 2 sum(pg) / (sum p + sum g), no smoothing
        total = float(np.sum(gi) + np.sum(pi))
        # 1 - (2I + s_nr) / (S + s_dr) with 2I = (1 - unsmoothed) S, rearranged
        values.append((unsmoothed * total + smooth_dr - smooth_nr) / (total + smooth_dr))
    return float(np.mean(values))


register(
    Loss(
        name="dice",
        func=dice,
        grad_func=dice_grad,
        latex=(
            r"1 - \frac{2 \sum_k p_k g_k + s_\text{nr}}"
            r"{\sum_k p_k + \sum_k g_k + s_\text{dr}}"
        ),
        grad_latex=r"\frac{1 - 2 g_k - \ell}{\sum_j p_j + \sum_j g_j + s_\text{dr}}",
        task="segmentation",
        params={"smooth_nr": 1e-5, "smooth_dr": 1e-5},
        reference=(
            "scipy.spatial.distance.dice(g, p) per example (soft Dice without smoothing), "
            "smoothing restored; monai.losses.DiceLoss transcribed in the tests"
        ),
        reference_func=_dice_reference,
        sample=_dice_sample,
        perfect=None,  # zero at p = g, but a boundary minimum: the gradient is not zero there
        bad_labels=_dice_bad_labels,
        rowwise=True,
        invalid_params=(
            {"smooth_nr": -1.0},
            {"smooth_dr": -1e-5},
            {"smooth_nr": "1"},
            {"smooth_nr": 1.0},  # > smooth_dr
        ),
        extra_params=(
            {"smooth_nr": 0.0, "smooth_dr": 0.0},
            {"smooth_nr": 0.0, "smooth_dr": 1e-7},
            {"smooth_nr": 1.0, "smooth_dr": 1.0},
        ),
        summary=(
            "One minus the soft overlap of a predicted probability mask and a binary mask, "
            "per example: the segmentation loss for small objects on a large background."
        ),
    )
)
