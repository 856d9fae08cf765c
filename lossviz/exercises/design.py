r"""Checks for chapter 08, *Designing your own loss*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values are precomputed numbers, or come from
:mod:`lossviz.losses`, SciPy and scikit-learn, or are properties the answer must have (a
gradient that matches finite differences of the learner's own loss, a perturbation that
lowers every margin by the most the ε-ball allows); the solutions live only in the chapter.

The chapter imports the checks, the data and the constants its prompts print::

    from lossviz.exercises.design import (
        ADV_EPSILONS, BAKERY_COST_OVER, BAKERY_COST_UNDER, bakery_demand,
        breast_cancer_linear_model, check_bakery_loss, check_dice, check_kl_gauss,
        check_triplet_loss, check_worst_case_perturbation,
    )

Conventions (the prompts must say the same):

- ``dice_loss(mask, p, smooth=1e-5)`` and ``dice_grad(mask, p, smooth=1e-5)``: ONE image,
  ``mask`` a 2-D array of 0.0 / 1.0 and ``p`` the predicted probabilities of the same
  shape; the loss :math:`1 - (2\sum pg + s) / (\sum p + \sum g + s)` (one float, sums over
  all pixels, ``s`` in the numerator and the denominator: MONAI's ``smooth_nr = smooth_dr``)
  and its gradient with respect to ``p`` (the shape of ``p``).
- ``triplet_loss(anchor, positive, negative, margin=1.0)``: arrays of shape ``(n, d)``, one
  triplet per row; the mean over rows of :math:`\max(\lVert a - p\rVert_2 - \lVert a -
  n\rVert_2 + m, 0)` with the plain Euclidean distance. PyTorch's
  ``triplet_margin_loss`` adds ``eps = 1e-6`` to the difference vector,
  :math:`\lVert a - p + \epsilon\rVert_2`, so the two agree to about 1e-6, not exactly.
- ``kl_gauss(mu1, sigma1, mu2, sigma2)``: numbers; KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) with σ the
  standard deviations.
- ``bakery_loss(y, y_hat)`` and ``bakery_grad(y, y_hat)``: 1-D arrays of the same length n
  (demand and forecast, in loaves); the mean loss over the n days, one float, and its
  gradient with respect to ``y_hat``, shape (n,). One loaf too few (ŷ < y) costs
  :data:`BAKERY_COST_UNDER` = 3, one too many :data:`BAKERY_COST_OVER` = 1, and the loss
  must be smooth at a perfect forecast.
- ``worst_case_perturbation(X, y, w, eps)``: inputs ``X`` of shape (n, d), labels ``y`` in
  {0, 1}, the weights ``w`` (shape (d,)) of a linear model :math:`f = Xw + b` and a budget
  ε; returns δ of the shape of ``X`` with every abs(δᵢⱼ) ≤ ε that maximises the logistic
  loss of every example.

The real-data exercise uses scikit-learn's breast-cancer data (569 tumours, bundled with
scikit-learn) through :func:`breast_cancer_linear_model`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import integrate, optimize

from .. import data, losses
from ..losses._core import FloatArray
from ._check import (
    Fail,
    GradientOf,
    as_gradient,
    as_loss,
    as_number,
    call,
    call_named,
    check,
    expect_close,
    finite_difference_gradient,
    fmt,
    hint_when,
    require_function,
    require_functions,
)

__all__ = [
    "ADV_EPSILONS",
    "BAKERY_COST_OVER",
    "BAKERY_COST_UNDER",
    "bakery_demand",
    "breast_cancer_linear_model",
    "check_bakery_loss",
    "check_dice",
    "check_kl_gauss",
    "check_triplet_loss",
    "check_worst_case_perturbation",
]


def _close(a: Any, b: Any, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _run(body: Callable[[tuple[Any, ...]], str], answers: tuple[Any, ...]) -> None:
    """Run ``body`` (which returns the pass line) and print one line, as :func:`check` does."""
    __tracebackhide__ = True
    failure: Fail | None = None
    passed = ""
    try:
        passed = body(answers)
    except Fail as err:
        failure = err

    def outcome(_: Any) -> None:
        if failure is not None:
            raise failure

    check(passed)(outcome)(answers)


# --------------------------------------------------------------------------------------
# dice_loss(mask, p, smooth), dice_grad(mask, p, smooth)
# --------------------------------------------------------------------------------------

_DICE_G = np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
_DICE_P = np.array([[0.1, 0.8, 0.6, 0.2], [0.0, 0.9, 0.3, 0.1], [0.2, 0.0, 0.1, 0.0]])
_DICE_CASE = ("mask=[[0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]], p=[[0.1, 0.8, 0.6, 0.2], "
              "[0, 0.9, 0.3, 0.1], [0.2, 0, 0.1, 0]], smooth=1")
# Σp = 3.3, Σg = 4, Σpg = 2.6: 1 − (5.2 + 1)/(7.3 + 1) = 0.253012…, precomputed
_DICE_EXPECTED = 0.25301204819277123
_DICE_SMOOTH_BOTH = ("add the smoothing s to the numerator and to the denominator, "
                     "1 − (2Σpg + s)/(Σp + Σg + s) (MONAI's smooth_nr = smooth_dr)")
_DICE_NO_SMOOTH = ("the smoothing is missing (or the smooth argument is ignored): "
                   + _DICE_SMOOTH_BOTH)
_DICE_MISTAKES = {
    0.566265060240964: "the factor 2 is missing: the Dice coefficient is 2Σpg/(Σp + Σg), "
                       "which is 1 for a perfect prediction (Σpg = Σp = Σg)",
    0.37349397590361455: "the smoothing s is only in the denominator (Keras's dice does "
                         "that): " + _DICE_SMOOTH_BOTH,
    0.15068493150684947: "the smoothing s is only in the numerator: " + _DICE_SMOOTH_BOTH,
    0.2876712328767125: _DICE_NO_SMOOTH,
    0.28767083880707034: "that is the loss for smooth=1e-5: use the smooth argument",
    0.11554921540656216: "that is V-Net's variant with Σp² in the denominator (MONAI's "
                         "squared_pred=True): this exercise sums the probabilities, Σp",
    0.7469879518072288: "that is the Dice coefficient, the overlap: the loss is 1 − Dice, "
                        "0 for a perfect prediction",
    0.10880829015544047: "use sums over the pixels, not means: with means the smoothing s "
                         "weighs as much as a whole image",
    0.22580645161290336: "add s once to the numerator, not 2s: 1 − (2Σpg + s)/(Σp + Σg + s)",
}
_DICE_AXIS = ("one image gives one number: sum over all its pixels, np.sum(p * mask), "
              "without an axis")
_DICE_SHAPES = ("the inputs are 2-D images: multiply them element-wise (p * mask), not "
                "with np.dot or @, and sum over all pixels")
_DICE_NAN = ("0/0: an empty mask predicted empty has Σp + Σg = 0; the smoothing s in the "
             "numerator and the denominator makes its loss 1 − s/s = 0")
_DICE_CALL = "check_dice(dice_loss, dice_grad)"

# the gradient on the fixed case takes two values: on the mask (g = 1) and off it (g = 0)
_DICE_GRAD_ON, _DICE_GRAD_OFF = -0.15096530701117722, 0.08999854841050949


def _on_off(on: float, off: float) -> FloatArray:
    return np.where(_DICE_G == 1.0, on, off)


_DICE_SIGN = ("the sign is flipped (that is the gradient of the Dice coefficient): raising p "
              "on the mask must lower the loss, so ∂ℓ/∂p < 0 where mask = 1")
_DICE_GRAD_MISTAKES = (
    (_on_off(-_DICE_GRAD_ON, -_DICE_GRAD_OFF), _DICE_SIGN),
    (_on_off(-0.24096385542168672, 0.0),
     "only the numerator was differentiated: ℓ = 1 − N/D with N = 2Σpg + s and "
     "D = Σp + Σg + s, so by the quotient rule ∂ℓ/∂pₖ = −(2gₖ·D − N)/D² (D depends on p too)"),
    (_on_off(_DICE_GRAD_OFF, _DICE_GRAD_OFF),
     "only the denominator was differentiated: by the quotient rule ∂ℓ/∂pₖ = −(2gₖ·D − N)/D² "
     "with N = 2Σpg + s, D = Σp + Σg + s"),
    (_on_off(-1.2530120481927713, 0.7469879518072288),
     "the quotient rule divides by D², not D: ∂(N/D)/∂pₖ = (2gₖ·D − N)/D²"),
    (_on_off(_DICE_GRAD_ON / 12, _DICE_GRAD_OFF / 12),
     "do not divide by the number of pixels: the loss of one image is not a mean over pixels"),
)
_DICE_GRAD_HINT = "∂ℓ/∂pₖ = −(2gₖ·D − N)/D² with N = 2Σpg + s and D = Σp + Σg + s"
_DICE_RANDOM = (((5, 7), 1e-5), ((16, 16), 1.0), ((1, 9), 0.5), ((8, 3), 1e-5),
                ((12, 10), 0.0), ((4, 4), 1e-5), ((20, 6), 2.0), ((2, 2), 1e-5))


def _image(value: Any, what: str, shape: tuple[int, ...], nan_hint: str) -> FloatArray:
    """A returned gradient: a float array of the shape of ``p``."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    if isinstance(value, tuple) and any(np.ndim(v) > 0 for v in value):
        raise Fail(f"{what} returned a tuple of {len(value)} values, expected one array",
                   "return only the gradient: an array with the shape of p")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__}, expected an array of numbers"
                   ) from None
    if arr.shape != shape:
        if arr.ndim == 0:
            hint = ("the gradient has one partial derivative per pixel, the shape of p: do "
                    "not sum it")
        elif arr.size == math.prod(shape):
            hint = "return the gradient with the shape of p (reshape it back, or never flatten)"
        else:
            hint = "one partial derivative ∂ℓ/∂pₖ per pixel: the gradient has the shape of p"
        raise Fail(f"{what} returned an array of shape {arr.shape}, expected {shape}, the "
                   "shape of p", hint)
    if np.any(np.isnan(arr)):
        raise Fail(f"{what} returned nan", nan_hint)
    return arr


def _signature(name: str) -> str:
    return (f"the signature is {name}(mask, p, smooth=1e-5): smooth is the third argument, "
            "optional, with the default 1e-5")


def _dice_value(fn: Any, mask: FloatArray, p: FloatArray, smooth: float | None,
                what: str) -> float:
    args = (mask, p) if smooth is None else (mask, p, smooth)
    with hint_when("shapes", hint=_DICE_SHAPES), hint_when("matmul", hint=_DICE_SHAPES), \
            hint_when("TypeError", "positional argument", hint=_signature("dice_loss")):
        value = call_named(fn, "dice_loss", *args)
    with hint_when("returned an array of shape", hint=_DICE_AXIS):
        return as_loss(value, what, nan_hint=_DICE_NAN)


def _dice_gradient(fn: Any, mask: FloatArray, p: FloatArray, smooth: float | None,
                   what: str) -> FloatArray:
    args = (mask, p) if smooth is None else (mask, p, smooth)
    with hint_when("shapes", hint=_DICE_SHAPES), hint_when("matmul", hint=_DICE_SHAPES), \
            hint_when("TypeError", "positional argument", hint=_signature("dice_grad")):
        value = call_named(fn, "dice_grad", *args)
    return _image(value, what, p.shape, "look for a 0/0: the denominator Σp + Σg + s")


def _dice_case(rng: np.random.Generator, shape: tuple[int, int]) -> tuple[FloatArray, ...]:
    """A blob-free random mask (about 30 % foreground) and probabilities leaning towards it."""
    g = (rng.random(shape) < 0.3).astype(np.float64)
    p = np.clip(0.5 * g + rng.uniform(-0.1, 0.6, shape), 0.0, 1.0)  # some exact 0s and 1s
    return g, p


def _check_dice(answers: tuple[Any, ...]) -> str:
    require_functions(answers, ("dice_loss", "dice_grad"), _DICE_CALL)
    loss_fn, grad_fn = answers

    # -- the loss: the fixed case, the default smoothing, perfect and empty masks --
    got = _dice_value(loss_fn, _DICE_G, _DICE_P, 1.0, f"dice_loss for {_DICE_CASE}")
    expect_close(got, _DICE_EXPECTED, rtol=1e-9, mistakes=_DICE_MISTAKES,
                 what=f"dice_loss for {_DICE_CASE}",
                 hint="ℓ = 1 − (2Σpg + s)/(Σp + Σg + s), the sums over all pixels")
    expected = float(losses.dice(_DICE_G[None], _DICE_P[None]))
    got = _dice_value(loss_fn, _DICE_G, _DICE_P, None,
                      "dice_loss(mask, p) with the default smooth")
    expect_close(got, expected, rtol=1e-9,
                 what="dice_loss(mask, p) for the same case with the default smooth",
                 mistakes={_DICE_EXPECTED: "the default smoothing is smooth=1e-5, not 1"},
                 hint="the default is smooth=1e-5: def dice_loss(mask, p, smooth=1e-5)")
    got = _dice_value(loss_fn, _DICE_G, _DICE_G.copy(), None,
                      "dice_loss(mask, mask), a perfect prediction")
    expect_close(got, 0.0, atol=1e-12,
                 what="dice_loss for a perfect prediction (p = mask)",
                 mistakes={1.0: "that is the Dice coefficient, the overlap: the loss is "
                                "1 − Dice, 0 for a perfect prediction"},
                 hint="with p = mask, 2Σpg = Σp + Σg, so the loss is 0")
    empty = np.zeros((4, 5))
    got = _dice_value(loss_fn, empty, empty.copy(), None,
                      "dice_loss for an empty mask predicted empty")
    expect_close(got, 0.0, atol=1e-12,
                 what="dice_loss for an empty mask and an all-zero prediction",
                 mistakes={1.0: "with s only in the denominator (Keras's convention) an "
                                "empty mask predicted perfectly costs 1: put s in the "
                                "numerator too, so it costs 1 − s/s = 0"},
                 hint=_DICE_NAN)
    spill = np.zeros((4, 5))
    spill[1, 2], spill[3, 0] = 0.4, 0.1
    got = _dice_value(loss_fn, empty, spill, None,
                      "dice_loss for an empty mask with two predicted pixels")
    expect_close(got, float(losses.dice(empty[None], spill[None])), rtol=1e-9,
                 what="dice_loss for an empty mask with p = 0.4 and 0.1 at two pixels",
                 hint="predicting anything for an empty mask costs almost 1: "
                      "1 − s/(Σp + s)")

    # -- random images against lossviz.losses.dice --
    rng = np.random.default_rng(808)
    for shape, smooth in _DICE_RANDOM:
        g, p = _dice_case(rng, shape)
        g.flat[0] = 1.0  # never an empty mask (smooth may be 0)
        expected = float(losses.dice(g[None], p[None], smooth_nr=smooth, smooth_dr=smooth))
        got = _dice_value(loss_fn, g, p, smooth, "dice_loss(mask, p, smooth)")
        expect_close(got, expected, rtol=1e-9, atol=1e-12,
                     what=f"dice_loss on a random {shape[0]}×{shape[1]} image with "
                          f"smooth={fmt(smooth)}",
                     hint="it must work for any image size and any smooth, not just the "
                          "examples above")

    # -- the gradient --
    expected_grad = losses.dice_grad(_DICE_G[None], _DICE_P[None], smooth_nr=1.0,
                                     smooth_dr=1.0)[0]
    got_grad = _dice_gradient(grad_fn, _DICE_G, _DICE_P, 1.0, f"dice_grad for {_DICE_CASE}")
    if not _close(got_grad, expected_grad):
        hint = next((h for wrong, h in _DICE_GRAD_MISTAKES if _close(got_grad, wrong)),
                    _DICE_GRAD_HINT)
        raise Fail(f"dice_grad for the same fixed case should be {fmt(_DICE_GRAD_ON)} on the "
                   f"mask and {fmt(_DICE_GRAD_OFF)} off it, got "
                   f"{np.round(got_grad, 4).tolist()}", hint)
    for shape, smooth in _DICE_RANDOM[:5]:
        g, p = _dice_case(rng, shape)
        g.flat[0] = 1.0
        expected_grad = losses.dice_grad(g[None], p[None], smooth_nr=smooth,
                                         smooth_dr=smooth)[0]
        got_grad = _dice_gradient(grad_fn, g, p, smooth, "dice_grad(mask, p, smooth)")
        if not _close(got_grad, expected_grad, rtol=1e-8, atol=1e-12):
            raise Fail(f"dice_grad on a random {shape[0]}×{shape[1]} image with "
                       f"smooth={fmt(smooth)} differs from lossviz.losses.dice_grad by up to "
                       f"{np.max(np.abs(got_grad - expected_grad)):.3g}",
                       "it must work for any image size and any smooth, not just the "
                       "example above")
    # the learner's gradient against central differences of the learner's own loss
    g, p = _dice_case(rng, (3, 5))
    g.flat[0] = 1.0
    p = np.clip(p, 0.05, 0.95)
    got_grad = _dice_gradient(grad_fn, g, p, 0.5, "dice_grad(mask, p, 0.5)")

    def loss_of(moved: FloatArray) -> float:
        return _dice_value(loss_fn, g, moved.reshape(p.shape), 0.5, "dice_loss(mask, p, 0.5)")

    numeric = finite_difference_gradient(loss_of, p.ravel()).reshape(p.shape)
    if not _close(got_grad, numeric, rtol=1e-5, atol=1e-8):
        raise Fail("dice_grad on a random 3×5 image does not match central finite "
                   "differences of your dice_loss", _DICE_GRAD_HINT)
    return ("dice_loss matches lossviz.losses.dice on 13 cases (perfect and empty masks too); "
            "dice_grad matches dice_grad and finite differences")


def check_dice(dice_loss: Any, dice_grad: Any) -> None:
    r"""Check the learner's soft Dice loss of one image and its gradient (plain numpy).

    The learner writes, for ``mask`` (a 2-D array of 0.0 / 1.0), ``p`` (predicted
    probabilities, the same shape) and ``smooth`` = s ≥ 0 (default ``1e-5``):

    - ``dice_loss(mask, p, smooth=1e-5)`` → one float,
      :math:`\ell = 1 - \dfrac{2\sum_k p_k g_k + s}{\sum_k p_k + \sum_k g_k + s}`, the sums
      over all pixels: :func:`lossviz.losses.dice` of ``mask[None]`` and ``p[None]`` with
      ``smooth_nr = smooth_dr = s`` (MONAI's ``DiceLoss`` convention);
    - ``dice_grad(mask, p, smooth=1e-5)`` → an array of the shape of ``p``, by the quotient
      rule :math:`\partial\ell/\partial p_k = -(2g_k D - N)/D^2` with
      :math:`N = 2\sum pg + s`, :math:`D = \sum p + \sum g + s` (equivalently
      :math:`(1 - 2g_k - \ell)/D`).

    What is checked: the fixed 3×4 case of the prompt with s = 1 (ℓ = 0.253012…), the
    same case with the default s; a perfect prediction (0); an empty mask predicted empty
    (exactly 0 = 1 − s/s) and an empty mask with two predicted pixels (almost 1); 8 random
    images (1×9 to 16×16, s from 0 to 2) against :func:`lossviz.losses.dice`; the gradient
    on the fixed case, on 5 random images against :func:`lossviz.losses.dice_grad`, and
    against central finite differences of the learner's loss. Hints for: the missing 2,
    the smoothing only in the denominator (Keras) or only in the numerator, missing or
    ignored, V-Net's Σp², the Dice coefficient instead of 1 − Dice, means instead of sums,
    np.dot on images, a sum along one axis; for the gradient: the flipped sign, only the
    numerator's or only the denominator's derivative (the quotient rule), D instead of D²,
    a division by the number of pixels, the wrong shape.

    Args:
        dice_loss: the learner's ``dice_loss(mask, p, smooth=1e-5)``.
        dice_grad: the learner's ``dice_grad(mask, p, smooth=1e-5)``.
    """
    __tracebackhide__ = True
    _run(_check_dice, (dice_loss, dice_grad))


# --------------------------------------------------------------------------------------
# triplet_loss(anchor, positive, negative, margin)
# --------------------------------------------------------------------------------------

_TRI_A = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [2.0, 0.0], [0.0, 0.0]])
_TRI_P = np.array([[3.0, 4.0], [2.0, 2.0], [0.0, 1.0], [2.0, 0.0], [0.0, 2.0]])
_TRI_N = np.array([[6.0, 8.0], [1.0, 1.5], [0.0, 3.0], [2.0, 0.5], [0.5, 0.0]])
_TRI_CASE = ("anchor=[[0, 0], [1, 1], [0, 0], [2, 0], [0, 0]], positive=[[3, 4], [2, 2], "
             "[0, 1], [2, 0], [0, 2]], negative=[[6, 8], [1, 1.5], [0, 3], [2, 0.5], "
             "[0.5, 0]], margin=1")
# ‖a − p‖ = [5, √2, 1, 0, 2], ‖a − n‖ = [10, 0.5, 3, 0.5, 0.5]:
# hinges [0, 1.914, 0, 0.5, 2.5], mean (3.5 + √2)/5, precomputed
_TRI_EXPECTED = 0.982842712474619
_TRI_EPS = 1e-6  # PyTorch's eps, added to the difference vector
_TRI_MISTAKES = {
    1.65: "those are squared distances: the triplet loss uses the Euclidean distance "
          "itself, ‖a − p‖₂ = sqrt(Σ(a − p)²)",
    -0.017157287525381017: "the hinge is missing: a triplet whose negative is already "
                           "farther than the margin costs 0, max(‖a − p‖ − ‖a − n‖ + m, 0)",
    0.1: "the margin's sign is flipped: max(‖a − p‖ − ‖a − n‖ + m, 0) asks the negative to "
         "be at least m farther than the positive",
    4.914213562373095: "did you sum instead of averaging? The loss is the mean over the "
                       "n triplets",
    2.117157287525381: "positive and negative are swapped: the loss pulls the positive in, "
                       "‖a − p‖ − ‖a − n‖ + m",
    1.1: "that is the L1 (Manhattan) distance: use the Euclidean distance, "
         "np.linalg.norm(a − p, axis=1)",
    1.6380711874576983: "average over all n triplets, including those that cost 0 (you "
                        "averaged only the non-zero ones)",
    0.0: "not every triplet costs 0 here: compute one distance per row, "
         "np.linalg.norm(a − p, axis=1), take the hinge of each row, then the mean",
    0.9828431124740689: "that is PyTorch's formula, with eps = 1e-6 added to the difference "
                        "vector: the exercise asks for the plain Euclidean distance ‖a − p‖₂",
}
_TRI_RANDOM = ((8, 2, 1.0), (1, 3, 0.5), (30, 16, 2.0), (12, 5, 0.0), (50, 8, 0.2),
               (5, 1, 1.0), (20, 32, 4.0), (3, 2, 1.0))


def _paired(u: FloatArray, v: FloatArray) -> FloatArray:
    from sklearn.metrics.pairwise import paired_euclidean_distances

    return paired_euclidean_distances(u, v)


def _hinge_mean(d_pos: FloatArray, d_neg: FloatArray, margin: float) -> float:
    return float(np.mean(np.maximum(d_pos - d_neg + margin, 0.0)))


def _triplet_reference(a: FloatArray, p: FloatArray, n: FloatArray, margin: float,
                       eps: float = 0.0) -> float:
    """The triplet loss with scikit-learn's paired distances (PyTorch's with ``eps``)."""
    # torch's pairwise_distance(x1, x2, eps) = ‖x1 − x2 + eps‖: shift the first argument
    return _hinge_mean(_paired(a + eps, p), _paired(a + eps, n), margin)


def _triplet_value(fn: Any, a: FloatArray, p: FloatArray, n: FloatArray,
                   margin: float | None, what: str) -> float:
    args = (a, p, n) if margin is None else (a, p, n, margin)
    with hint_when("TypeError", "positional argument", hint="the signature is "
                   "triplet_loss(anchor, positive, negative, margin=1.0): margin is the fourth "
                   "argument, optional, with the default 1.0"):
        value = call(fn, "triplet_loss", *args)
    with hint_when("returned an array of shape", hint="the loss is one number: the mean over "
                   "the n triplets of their hinges"):
        return as_loss(value, what)


def _check_triplet(answers: tuple[Any, ...]) -> str:
    (fn,) = answers
    fn = require_function(fn, "triplet_loss(anchor, positive, negative, margin=1.0)")
    got = _triplet_value(fn, _TRI_A, _TRI_P, _TRI_N, 1.0, f"triplet_loss for {_TRI_CASE}")
    expect_close(got, _TRI_EXPECTED, rtol=1e-9, mistakes=_TRI_MISTAKES,
                 what=f"triplet_loss for {_TRI_CASE}",
                 hint="per row max(‖a − p‖₂ − ‖a − n‖₂ + margin, 0), then the mean")
    got = _triplet_value(fn, _TRI_A, _TRI_P, _TRI_N, None,
                         "triplet_loss(anchor, positive, negative) with the default margin")
    expect_close(got, _TRI_EXPECTED, rtol=1e-9,
                 what="triplet_loss for the same case with the default margin",
                 hint="the default is margin=1.0")
    expected = _triplet_reference(_TRI_A, _TRI_P, _TRI_N, 0.25)
    got = _triplet_value(fn, _TRI_A, _TRI_P, _TRI_N, 0.25,
                         "triplet_loss(anchor, positive, negative, 0.25)")
    expect_close(got, expected, rtol=1e-9,
                 what="triplet_loss for the same case with margin=0.25",
                 mistakes={_TRI_EXPECTED: "that is the loss for margin=1: use the margin "
                                          "argument"},
                 hint="per row max(‖a − p‖₂ − ‖a − n‖₂ + margin, 0), then the mean")
    rng = np.random.default_rng(809)
    torch_gap = 0.0
    for n, d, margin in _TRI_RANDOM:
        a = rng.normal(size=(n, d))
        p = a + rng.normal(0.0, 0.8, (n, d))
        neg = a + rng.normal(0.0, 1.2, (n, d))
        p[0] = a[0]  # an anchor that coincides with its positive: distance 0
        got = _triplet_value(fn, a, p, neg, margin, "triplet_loss(anchor, positive, negative, "
                             "margin)")
        expect_close(got, _triplet_reference(a, p, neg, margin), rtol=1e-9, atol=1e-12,
                     what=f"triplet_loss on {n} random triplets in {d} dimensions with "
                          f"margin={fmt(margin)}",
                     hint="it must work for any n, any dimension d and any margin, not just "
                          "the example above")
        torch_gap = max(torch_gap, abs(got - _triplet_reference(a, p, neg, margin, _TRI_EPS)))
    if torch_gap > 1e-5:  # cannot happen once the plain formula matched; a guard
        raise Fail(f"triplet_loss differs from PyTorch's formula by {torch_gap:.2g}",
                   "use the Euclidean distance of each row")
    return (f"triplet_loss = mean max(‖a − p‖ − ‖a − n‖ + m, 0) on 3 fixed and "
            f"{len(_TRI_RANDOM)} random cases; differs from PyTorch's (eps = 1e-6) by "
            f"{torch_gap:.1e}")


def check_triplet_loss(triplet_loss: Any) -> None:
    r"""Check the learner's triplet margin loss for explicit triplets (plain numpy).

    The learner writes ``triplet_loss(anchor, positive, negative, margin=1.0)`` → one
    float: the three arrays have shape ``(n, d)``, row i is one triplet, and the loss is

    .. math::
        L = \frac1n \sum_i \max\bigl(\lVert a_i - p_i\rVert_2 - \lVert a_i - n_i\rVert_2
            + m,\ 0\bigr),

    with the plain Euclidean distance. PyTorch's
    ``torch.nn.functional.triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2,
    eps=1e-6)`` computes :math:`\lVert a - p + \epsilon\rVert_2` (``eps`` added to the
    difference vector, not to the distance), so the two differ by about 1e-6; the check
    measures that gap against a numpy transcription of PyTorch's formula and prints it.
    (:func:`lossviz.losses.triplet` is the batch-all version, mining every triplet of a
    labelled batch, with PyTorch's eps.)

    What is checked: the fixed case of the prompt (5 triplets in 2-D, L = (3.5 + √2)/5 =
    0.982843), with the default margin, with margin = 0.25, and 8 random cases (n from 1
    to 50, d from 1 to 32, margins 0 to 4, one anchor equal to its positive) against
    scikit-learn's ``paired_euclidean_distances``. Hints for: squared distances, the
    missing hinge, the margin's sign, a sum instead of the mean, swapped positive and
    negative, the L1 distance, the mean over non-zero triplets only, a whole-array norm,
    PyTorch's eps, the margin argument ignored.

    Args:
        triplet_loss: the learner's ``triplet_loss(anchor, positive, negative, margin=1.0)``.
    """
    __tracebackhide__ = True
    _run(_check_triplet, (triplet_loss,))


# --------------------------------------------------------------------------------------
# kl_gauss(mu1, sigma1, mu2, sigma2)
# --------------------------------------------------------------------------------------

_KL_CASE = (0.5, 1.5, -1.0, 2.5)
_KL_CASE_TEXT = "KL(N(0.5, 1.5²) ‖ N(−1, 2.5²)), kl_gauss(0.5, 1.5, -1.0, 2.5)"
_KL_EXPECTED = 0.3708256237659907  # log(2.5/1.5) + (1.5² + 1.5²)/(2·2.5²) − ½, precomputed
_KL_SIGMA_SQ = ("σ₁ and σ₂ are standard deviations: the fraction is "
                "(σ₁² + (μ₁ − μ₂)²)/(2σ₂²), with the variances σ²")
_KL_MISTAKES = {
    0.8780632651228981: "that is KL(N(μ₂, σ₂²) ‖ N(μ₁, σ₁²)), the other direction: KL is "
                        "not symmetric. The expectation is over the first distribution: "
                        "log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½",
    0.8708256237659907: "the −½ is missing: it makes KL(p ‖ p) = 0",
    -0.14: "the log term log(σ₂/σ₁) is missing (it comes from the normalising constants "
           "of the two densities)",
    0.7608256237659907: _KL_SIGMA_SQ + " (you used σ, not σ²)",
    0.5054128118829952: "the arguments are standard deviations, not variances: square them "
                        "in the fraction and use log(σ₂/σ₁) (= ½·log(σ₂²/σ₁²))",
    0.8816512475319813: "the log term is log(σ₂/σ₁) = ½·log(σ₂²/σ₁²): the ½ is missing "
                        "from the log of the variance ratio",
    0.7308256237659907: "the fraction's denominator is 2σ₂², not σ₂²",
    -0.6508256237659907: "the log term is log(σ₂/σ₁), not log(σ₁/σ₂)",
    0.31082562376599077: "the mean difference is squared: (μ₁ − μ₂)²",
    1.0108256237659907: "the fraction's denominator is 2σ₂², the second distribution's "
                        "variance, not σ₁²",
}
# (mu1, sigma1, mu2, sigma2): wide, narrow, far apart, equal spreads, both directions
_KL_CASES = ((0.0, 1.0, 1.0, 2.0), (1.0, 2.0, 0.0, 1.0), (-2.0, 0.3, 1.5, 1.0),
             (1.5, 1.0, -2.0, 0.3), (3.0, 0.5, 3.0, 4.0), (0.0, 1.0, 5.0, 1.0),
             (-1.0, 5.0, 2.0, 0.7), (10.0, 0.1, 9.0, 0.2), (0.2, 1.3, -0.4, 1.1))


def _kl_quad(mu1: float, s1: float, mu2: float, s2: float) -> float:
    """∫ p log(p/q) by ``scipy.integrate.quad`` over μ₁ ± 40σ₁ (p is 0 beyond)."""

    def log_normal(x: float, mu: float, s: float) -> float:
        return -0.5 * ((x - mu) / s) ** 2 - math.log(s) - 0.5 * math.log(2.0 * math.pi)

    def integrand(x: float) -> float:
        lp = log_normal(x, mu1, s1)
        return math.exp(lp) * (lp - log_normal(x, mu2, s2))

    value, _ = integrate.quad(integrand, mu1 - 40.0 * s1, mu1 + 40.0 * s1, points=[mu1],
                              limit=200, epsabs=1e-13, epsrel=1e-12)
    return float(value)


def _kl_value(fn: Any, case: tuple[float, ...], what: str) -> float:
    return as_number(call(fn, "kl_gauss", *case), what,
                     nan_hint="log of a negative number? log(σ₂/σ₁) with σ > 0")


def _check_kl(answers: tuple[Any, ...]) -> str:
    (fn,) = answers
    fn = require_function(fn, "kl_gauss(mu1, sigma1, mu2, sigma2)")
    got = _kl_value(fn, _KL_CASE, _KL_CASE_TEXT)
    expect_close(got, _KL_EXPECTED, rtol=1e-9, mistakes=_KL_MISTAKES,
                 what=f"kl_gauss for {_KL_CASE_TEXT}",
                 hint="KL = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½")
    got = _kl_value(fn, (0.3, 0.7, 0.3, 0.7), "kl_gauss(0.3, 0.7, 0.3, 0.7)")
    expect_close(got, 0.0, atol=1e-12, what="KL between two equal Gaussians",
                 hint="KL(p ‖ p) = 0: the log term vanishes and the fraction is ½")
    values = []
    for case in _KL_CASES:
        got = _kl_value(fn, case, f"kl_gauss{case}")
        expected = _kl_quad(*case)
        expect_close(got, expected, rtol=1e-8, atol=1e-10,
                     what=f"kl_gauss{case} (scipy.integrate.quad of p·log(p/q))",
                     hint="it must work for any means and standard deviations, not just the "
                          "example above")
        values.append(got)
    return (f"kl_gauss matches scipy.integrate.quad on {len(_KL_CASES)} cases and is 0 for "
            f"p = q; asymmetric: KL(N(0,1) ‖ N(1,2²)) = {values[0]:.4f}, reversed "
            f"{values[1]:.4f}")


def check_kl_gauss(kl_gauss: Any) -> None:
    r"""Check the learner's closed-form KL divergence between two 1-D Gaussians.

    The learner writes ``kl_gauss(mu1, sigma1, mu2, sigma2)`` → one float (σ are standard
    deviations, > 0):

    .. math::
        \mathrm{KL}\bigl(\mathcal N(\mu_1, \sigma_1^2)\,\|\,\mathcal N(\mu_2, \sigma_2^2)
        \bigr) = \log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}
        {2\sigma_2^2} - \frac12,

    the expectation over the *first* distribution of the log-ratio of the densities
    (:func:`lossviz.design.kl_gaussians` computes the same).

    What is checked: the fixed case KL(N(0.5, 1.5²) ‖ N(−1, 2.5²)) = 0.370826; 0 for two
    equal Gaussians; 9 cases (wide, narrow, far apart, both directions of the same pair)
    against ``scipy.integrate.quad`` of :math:`p \log(p/q)`. The pass line prints the
    asymmetry, KL(N(0, 1) ‖ N(1, 2²)) = 0.4431 against 1.3069 the other way. Hints for:
    the swapped arguments (KL(q ‖ p)), the missing −½, the missing log term,
    σ instead of σ² in the fraction, the arguments taken as variances, log of the variance
    ratio without the ½, σ₂² instead of 2σ₂², σ₁² in the denominator, log(σ₁/σ₂), an
    unsquared mean difference.

    Args:
        kl_gauss: the learner's ``kl_gauss(mu1, sigma1, mu2, sigma2)``.
    """
    __tracebackhide__ = True
    _run(_check_kl, (kl_gauss,))


# --------------------------------------------------------------------------------------
# bakery_loss(y, y_hat), bakery_grad(y, y_hat): design a loss for a stated problem
# --------------------------------------------------------------------------------------

#: The cost of one loaf too few (a lost sale).
BAKERY_COST_UNDER = 3.0
#: The cost of one loaf too many (thrown away).
BAKERY_COST_OVER = 1.0
_BAKERY_TAU = BAKERY_COST_UNDER / (BAKERY_COST_UNDER + BAKERY_COST_OVER)  # 0.75
_BAKERY_SEED = 2024
_BAKERY_CALL = "check_bakery_loss(bakery_loss, bakery_grad)"
_BAKERY_GRAD = GradientOf(variable="y_hat", entry="∂L/∂ŷᵢ per day",
                          inputs="the residuals y_hat − y",
                          nan_hint="look for a 0/0 or an overflow (np.cosh of a large "
                                   "residual is inf)")
# forecast errors r = ŷ − y for the gradient check: both signs, inside and outside any
# smoothing zone of about one loaf, never exactly 0 (where a kink would fool the check)
_BAKERY_RESIDUALS = np.array([-25.0, -7.5, -2.2, -0.9, -0.35, -0.05, 0.02, 0.4, 0.8, 1.7,
                              6.0, 30.0])
_BAKERY_D = 10.0
_BAKERY_SMOOTH_EPS = 1e-6
_BAKERY_SMOOTH_TOL = 1e-3
_BAKERY_REVERSED = ("the asymmetry is reversed: a loaf too few (ŷ < y, the residual "
                    "r = ŷ − y < 0) must cost 3, a loaf too many (r > 0) 1")


@functools.lru_cache(maxsize=1)
def _bakery_demand() -> FloatArray:
    rng = np.random.default_rng(_BAKERY_SEED)
    # a year of daily demand: Poisson counts around a gamma-distributed rate (skewed, mean 40)
    demand = rng.poisson(rng.gamma(4.0, 10.0, 365)).astype(np.float64)
    demand.flags.writeable = False
    return demand


def bakery_demand() -> FloatArray:
    """A year of daily bread demand (loaves), the sample of the bakery exercise.

    365 seeded days: a Poisson count around a gamma-distributed daily rate (shape 4, scale
    10), so the demand is skewed to the right: mean 39.8, median 38, 0.75-quantile 49,
    range 5 to 123. :func:`check_bakery_loss` finds the best constant forecast of this
    sample under the learner's loss. Returns a fresh copy.
    """
    return _bakery_demand().copy()


def _bakery_value(fn: Any, y: FloatArray, y_hat: FloatArray, what: str) -> float:
    with hint_when("returned an array of shape", hint="the loss is one number: the mean "
                   "over the days of each day's cost (np.mean)"):
        return as_loss(call_named(fn, "bakery_loss", y, y_hat), what)


def _bakery_gradient(fn: Any, y: FloatArray, y_hat: FloatArray, what: str) -> FloatArray:
    return as_gradient(call_named(fn, "bakery_grad", y, y_hat), what, y.size, of=_BAKERY_GRAD)


def _check_zero_and_sign(loss_fn: Any, y: FloatArray) -> None:
    """(b): 0 at a perfect forecast, ≥ 0 everywhere (one day at a time, so no mean hides it)."""
    got = _bakery_value(loss_fn, y, y.copy(), "bakery_loss(y, y) for a perfect forecast")
    expect_close(got, 0.0, atol=1e-9, what="bakery_loss for a perfect forecast (ŷ = y)",
                 hint="a perfect forecast costs nothing: subtract the loss's value at r = 0 "
                      "(for example log(cosh(r)) is 0 at r = 0, log(1 + eᶜ) is not)")
    for r in np.linspace(-30.0, 30.0, 41):
        got = _bakery_value(loss_fn, np.array([40.0]), np.array([40.0 + r]),
                            f"bakery_loss([40], [{fmt(40.0 + r)}])")
        if got < -1e-12:
            raise Fail(f"bakery_loss([40], [{fmt(40.0 + r)}]) is {fmt(got)}, below 0",
                       "a loss is ≥ 0: each day costs a non-negative amount, growing with "
                       "the size of the error on either side (use abs(r) or np.maximum)")


def _check_asymmetry(loss_fn: Any, y: FloatArray) -> float:
    """(c): under-forecasting by d costs about 3× over-forecasting by d, growing linearly.

    Returns the ratio of the costs at d = 10, or, for a loss shifted by a constant (a
    softplus-smoothed pinball loss, say), the ratio of the extra cost of the next 10 loaves.
    """
    d = _BAKERY_D
    under = [_bakery_value(loss_fn, y, y - k * d, f"bakery_loss(y, y − {fmt(k * d)})")
             for k in (1, 2, 3)]
    over = [_bakery_value(loss_fn, y, y + k * d, f"bakery_loss(y, y + {fmt(k * d)})")
            for k in (1, 2, 3)]
    if over[0] <= 0.0 or under[0] <= 0.0:
        side = "over-forecasting (ŷ = y + 10)" if over[0] <= 0.0 else "under-forecasting"
        raise Fail(f"{side} by 10 loaves costs {fmt(min(over[0], under[0]))}",
                   "both mistakes cost something: 3 per missing loaf, 1 per spare loaf")
    for side, cost in (("under", under), ("over", over)):
        if not cost[0] < cost[1] < cost[2]:
            raise Fail(f"{side}-forecasting by 10, 20 and 30 loaves costs {fmt(cost[0])}, "
                       f"{fmt(cost[1])} and {fmt(cost[2])}",
                       "a bigger error must cost more: the loss grows with abs(ŷ − y) on both "
                       "sides")
    ratio = under[0] / over[0]
    # the extra cost of 10 more loaves short against 10 more over: immune to a constant shift
    marginal = (under[1] - under[0]) / (over[1] - over[0])
    if not (2.5 <= ratio <= 3.5 or 2.5 <= marginal <= 3.5):
        what = (f"under-forecasting by 10 loaves should cost about 3× over-forecasting by 10 "
                f"(2.5 to 3.5), got {ratio:.3g}× ({fmt(under[0])} against {fmt(over[0])})")
        if 1 / 3.5 <= ratio <= 1 / 2.5:
            hint = _BAKERY_REVERSED
        elif 0.9 <= ratio <= 1.1:
            hint = ("your loss is symmetric: weight the two sides differently, 3 for a "
                    "shortage (r = ŷ − y < 0) and 1 for a surplus")
        else:
            hint = ("weight the errors by the costs: 3 per loaf for a shortage (ŷ < y), 1 "
                    "per loaf for a surplus (ŷ > y)")
        raise Fail(what, hint)
    for side, cost in (("under", under), ("over", over)):
        growth = (cost[2] - cost[1]) / (cost[1] - cost[0])
        if not 0.8 <= growth <= 1.25:
            hint = ("the costs are per loaf, so every 10 extra loaves add the same cost: for "
                    "large errors the loss must grow linearly, like abs(r)")
            if growth > 1.4:
                hint += ("; yours grows like r², whose best forecast is an expectile, not "
                         "the 0.75-quantile (a squared or Huber-with-large-δ loss: keep the "
                         "quadratic part within about a loaf)")
            raise Fail(f"{side}-forecasting by 30 instead of 20 loaves adds {growth:.3g}× "
                       "what 20 instead of 10 adds (expected about 1)", hint)
    for sign in (-1.0, 1.0):
        shift = "+" if sign > 0 else "−"
        far = _bakery_value(loss_fn, y, y + sign * 1000.0, f"bakery_loss(y, y {shift} 1000)")
        if not math.isfinite(far):
            raise Fail(f"bakery_loss for a forecast 1000 loaves off is {fmt(far)}",
                       "compute it stably: np.cosh(1000) overflows; log(cosh(r)) = "
                       "abs(r) + log1p(exp(−2·abs(r))) − log 2")
    return ratio if 2.5 <= ratio <= 3.5 else marginal


def _check_bakery_gradient(loss_fn: Any, grad_fn: Any, y: FloatArray) -> str:
    """(a): the learner's gradient against central differences with lossviz's checker."""
    from .. import design

    y_hat = y + _BAKERY_RESIDUALS

    def loss_at(y_true: FloatArray, y_pred: FloatArray) -> float:
        return _bakery_value(loss_fn, y_true, y_pred, "bakery_loss(y, y_hat)")

    def grad_at(y_true: FloatArray, y_pred: FloatArray) -> FloatArray:
        return _bakery_gradient(grad_fn, y_true, y_pred, "bakery_grad(y, y_hat)")

    grad_at(y, y_hat)  # shape and type first, with their own hints
    try:
        verdict = design.check_gradient(loss_at, grad_at, y, y_hat)
    except ValueError as err:  # a non-finite loss at these forecasts
        raise Fail(f"lossviz.design.check_gradient could not run: {err}") from None
    if not verdict.passed:
        i = verdict.worst_index
        a, n = float(verdict.analytic[i]), float(verdict.numerical[i])
        what = (f"bakery_grad does not match central differences of your bakery_loss "
                f"(lossviz.design.check_gradient): at r = {fmt(_BAKERY_RESIDUALS[i])}, "
                f"analytic {a:.6g}, numerical {n:.6g}")
        ratio = a / n if n != 0 else math.nan
        if math.isclose(ratio, -1.0, rel_tol=1e-3):
            hint = ("the sign is flipped: the gradient is with respect to ŷ, so a shortage "
                    "(ŷ < y) has a negative slope (raising ŷ lowers the loss)")
        elif math.isclose(ratio, y.size, rel_tol=1e-3):
            hint = (f"too large by a factor n = {y.size}: the loss is a mean, so each entry "
                    "carries 1/n")
        else:
            hint = ("differentiate your bakery_loss piece by piece (each branch of an "
                    "np.where separately) and divide by n for the mean")
        raise Fail(what, hint)
    return f"{verdict.max_rel_error:.0e}"


def _check_smooth(grad_fn: Any) -> None:
    """(e): the slope does not jump at a perfect forecast."""
    eps = _BAKERY_SMOOTH_EPS
    y = np.array([40.0])
    up = _bakery_gradient(grad_fn, y, y + eps, "bakery_grad([40], [40 + 1e-6])")[0]
    down = _bakery_gradient(grad_fn, y, y - eps, "bakery_grad([40], [40 − 1e-6])")[0]
    if abs(up - down) > _BAKERY_SMOOTH_TOL:
        raise Fail(f"the loss is not smooth at a perfect forecast: its slope jumps from "
                   f"{down:.3g} just below ŷ = y to {up:.3g} just above",
                   "that corner is what the pinball loss has (slopes −3 and +1): gradient "
                   "descent then zig-zags around the optimum. Round it off within about a "
                   "loaf: a quadratic piece near 0 (an asymmetric Huber loss) or a weighted "
                   "log-cosh")


def _best_constant(loss_fn: Any, y: FloatArray) -> float:
    """(d): the constant forecast minimising the learner's mean loss over the sample."""
    grid = np.linspace(y.min(), y.max(), 301)
    values = [_bakery_value(loss_fn, y, np.full_like(y, c), "bakery_loss(y, constant)")
              for c in grid]
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    found = optimize.minimize_scalar(
        lambda c: _bakery_value(loss_fn, y, np.full_like(y, c), "bakery_loss(y, constant)"),
        bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    return float(found.x) if found.fun <= values[i] else float(grid[i])


def _check_bakery(answers: tuple[Any, ...]) -> str:
    require_functions(answers, ("bakery_loss", "bakery_grad"), _BAKERY_CALL)
    loss_fn, grad_fn = answers
    y = bakery_demand()
    _check_zero_and_sign(loss_fn, y)
    ratio = _check_asymmetry(loss_fn, y)
    rel_error = _check_bakery_gradient(loss_fn, grad_fn, y[:_BAKERY_RESIDUALS.size])
    _check_smooth(grad_fn)
    best = _best_constant(loss_fn, y)
    q50, q70, q75, q80 = np.quantile(y, [0.5, 0.7, _BAKERY_TAU, 0.8])
    if not q70 <= best <= q80:
        level = float(np.mean(y <= best))
        what = (f"the best constant forecast under your loss is {best:.4g} loaves, the "
                f"{level:.2f}-quantile of the demand; the costs 3 : 1 put it at the "
                f"τ = 3/(3 + 1) = 0.75-quantile, {q75:.4g} (accepted {q70:.4g} to {q80:.4g})")
        if best < q50:
            hint = _BAKERY_REVERSED + " (your best constant lies below the median)"
        elif best < q70:
            hint = ("too close to the median: the shortage side must weigh 3× the surplus "
                    "side, and the smooth zone must stay small (about a loaf)")
        else:
            hint = "the shortage side weighs too much: 3 per missing loaf, 1 per spare loaf"
        raise Fail(what, hint)
    return (f"bakery_loss ≥ 0, 0 at ŷ = y, smooth, {ratio:.2f}× dearer to under-bake; "
            f"check_gradient rel. error {rel_error}; best constant {best:.1f} ≈ 0.75-quantile "
            f"{q75:.0f}")


def check_bakery_loss(bakery_loss: Any, bakery_grad: Any) -> None:
    r"""Check a loss the learner designed for the bakery, and its gradient.

    The problem (the chapter's prompt says this): a bakery forecasts tomorrow's demand;
    baking one loaf too few costs :data:`BAKERY_COST_UNDER` = 3 (a lost sale), one too
    many :data:`BAKERY_COST_OVER` = 1 (a loaf thrown away); the loss should also be smooth
    near zero so gradient descent behaves. The learner writes ``bakery_loss(y, y_hat)`` →
    one float, the mean over the days, and ``bakery_grad(y, y_hat)`` → its gradient with
    respect to ``y_hat``, shape (n,).

    Any loss with these properties passes; a natural answer is the asymmetric Huber loss
    with the residual r = ŷ − y, weight 3 for r < 0 and 1 for r > 0, and δ = 1 loaf,
    or the weighted log-cosh. What is checked, in this order (the letters are the
    chapter's):

    - (b) 0 for a perfect forecast and ≥ 0 for one day with errors from −30 to 30 loaves;
    - (c) on the year of :func:`bakery_demand`, under-forecasting every day by 10 loaves
      costs 2.5 to 3.5 times as much as over-forecasting by 10 (or, for a loss shifted by
      a constant such as a softplus-smoothed pinball loss, the next 10 loaves do); errors
      of 10, 20 and 30 loaves cost more and more, and going from 20 to 30 adds 0.8 to 1.25
      times what going from 10 to 20 adds, on each side (costs are per loaf: the loss
      grows linearly; a squared loss gives 5/3); a forecast 1000 loaves off gives a finite
      loss;
    - (a) the gradient on 12 days with errors from −25 to 30 matches central differences
      of the learner's loss, by :func:`lossviz.design.check_gradient` (its relative error
      is printed);
    - (e) smoothness: the slope for one day at ŷ = y ± 1e-6 changes by at most 1e-3 (the
      pinball loss, which passes everything else, jumps from −3 to 1 here);
    - (d) the constant forecast minimising the learner's mean loss over the year (a grid
      of 301 values, refined with ``scipy.optimize.minimize_scalar``) lies between the
      0.70- and the 0.80-quantiles of the demand (47 and 53.2 loaves), around the
      Bayes-optimal 0.75-quantile, 49: the asymmetric Huber loss gives 49.04, the pinball
      loss exactly 49.

    Hints for: a loss that is not 0 at a perfect forecast or goes negative, a reversed or
    missing asymmetry, quadratic growth (an expectile loss, or Huber with a large δ), an
    overflowing log-cosh, a flipped or un-averaged gradient, a kink at 0, a best constant
    below the median or off the 0.75-quantile.

    Args:
        bakery_loss: the learner's ``bakery_loss(y, y_hat)``.
        bakery_grad: the learner's ``bakery_grad(y, y_hat)``.
    """
    __tracebackhide__ = True
    _run(_check_bakery, (bakery_loss, bakery_grad))


# --------------------------------------------------------------------------------------
# worst_case_perturbation(X, y, w, eps) on the breast-cancer data
# --------------------------------------------------------------------------------------

#: The budgets ε (in standard deviations of each feature) of the real-data exercise.
ADV_EPSILONS = (0.1, 0.25)

_ADV_X = np.array([[0.5, -1.0, 2.0, 0.0], [-0.3, 0.8, 0.1, 1.5], [1.2, 0.0, -0.7, -2.0]])
_ADV_Y = np.array([1.0, 0.0, 1.0])
_ADV_W = np.array([2.0, -1.0, 0.5, -0.25])
_ADV_EPS = 0.1
_ADV_CASE = ("X=[[0.5, -1, 2, 0], [-0.3, 0.8, 0.1, 1.5], [1.2, 0, -0.7, -2]], y=[1, 0, 1], "
             "w=[2, -1, 0.5, -0.25], eps=0.1")
_ADV_EXPECTED = np.array([[-0.1, 0.1, -0.1, 0.1], [0.1, -0.1, 0.1, -0.1],
                          [-0.1, 0.1, -0.1, 0.1]])
_ADV_SIGN = ("the sign is flipped: this δ raises every margin (it helps the model). The "
             "loss grows as the margin s·(w·x + b) falls, so move x against s·w: "
             "δ = −ε·s·sign(w) with s = 2y − 1")
_ADV_MISTAKES = (
    (-_ADV_EXPECTED, _ADV_SIGN),
    (_ADV_EPS * np.array([[-2.0, 1.0, -0.5, 0.25], [2.0, -1.0, 0.5, -0.25],
                          [-2.0, 1.0, -0.5, 0.25]]),
     "that steps along w itself (−ε·s·w, an L2-style step) and leaves the ε-ball: "
     "abs(δ) reaches ε·max abs(w). In the L∞ ball every feature moves by the full ε in the "
     "direction of sign(w)"),
    (_ADV_EPS * np.array([[2.0, -1.0, 0.5, -0.25], [-2.0, 1.0, -0.5, 0.25],
                          [2.0, -1.0, 0.5, -0.25]]),
     "that steps along w itself, and with the wrong sign: use −ε·s·sign(w), which stays in "
     "the ε-ball and lowers the margin"),
    (np.tile([-0.1, 0.1, -0.1, 0.1], (3, 1)),
     "the label's sign is missing: for a benign tumour (y = 0, s = −1) the worst case "
     "pushes the score up, not down: δ = −ε·s·sign(w) with s = 2y − 1"),
    (np.tile([0.1, -0.1, 0.1, -0.1], (3, 1)),
     "the label's sign is missing (and the step goes the wrong way): δ = −ε·s·sign(w) with "
     "s = 2y − 1"),
    (np.array([[-0.1, 0.1, -0.1, 0.1], [0.0, 0.0, 0.0, 0.0], [-0.1, 0.1, -0.1, 0.1]]),
     "the labels are 0 and 1: map them to s = 2y − 1 = ±1 first (with y itself the benign "
     "tumours are not perturbed)"),
    (np.array([[0.1, -0.1, 0.1, 0.0], [-0.1, 0.1, 0.1, 0.1], [0.1, 0.0, -0.1, -0.1]]),
     "that is ε·sign(X), a step that depends on the input, not on the model: the loss "
     "changes through w·δ, so the worst δ follows sign(w)"),
)
_ADV_HINT = ("the logistic loss falls as the margin s·(w·x + b) grows (s = 2y − 1), and "
             "w·δ ≥ −ε‖w‖₁ over the ε-ball: δ = −ε·s·sign(w) reaches it")
_ADV_RANDOM = ((10, 3, 0.5), (1, 5, 0.01), (40, 30, 0.25), (7, 1, 2.0), (25, 8, 0.1))


@functools.lru_cache(maxsize=1)
def _breast_cancer_model() -> tuple[FloatArray, FloatArray, FloatArray, float]:
    from sklearn.linear_model import LogisticRegression

    split = data.load_breast_cancer(seed=0)
    model = LogisticRegression(C=1.0, max_iter=5000).fit(split.X_train, split.y_train)
    return split.X_test, split.y_test, model.coef_[0].copy(), float(model.intercept_[0])


def breast_cancer_linear_model() -> tuple[FloatArray, FloatArray, FloatArray, float]:
    r"""The held-out breast-cancer tumours and a fitted linear model, for the attack exercise.

    Data: :func:`lossviz.data.load_breast_cancer` with ``seed=0`` (a stratified 60 / 20 /
    20 split of scikit-learn's 569 tumours, 1 = malignant, each of the 30 features
    standardised with the training statistics, so ε is in standard deviations). Model:
    scikit-learn's ``LogisticRegression(C=1.0, max_iter=5000)`` fitted on the 341 training
    tumours, score :math:`f = x^\top w + b`, malignant when f > 0.

    Returns:
        ``(X_test, y_test, w, b)``: the 114 test tumours, shape (114, 30), their labels
        (0.0 / 1.0), the weights (shape (30,), ‖w‖₁ = 17.22) and the intercept. Clean test
        accuracy 94.7 %. Computed once per session (about 0.2 s); every call returns fresh
        copies.
    """
    X, y, w, b = _breast_cancer_model()
    return X.copy(), y.copy(), w.copy(), b


def _perturbation(fn: Any, X: FloatArray, y: FloatArray, w: FloatArray, eps: float,
                  what: str) -> FloatArray:
    value = call(fn, "worst_case_perturbation", X, y, w, eps)
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    try:
        delta = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__}, expected an array of numbers"
                   ) from None
    if delta.shape != X.shape:
        hint = "δ perturbs every example: one row per example, one column per feature"
        if delta.shape == w.shape:
            hint = ("that is one δ for all examples: the worst direction depends on each "
                    "example's label, δᵢ = −ε·sᵢ·sign(w) with sᵢ = 2yᵢ − 1 (use [:, None])")
        raise Fail(f"{what} returned shape {delta.shape}, expected {X.shape}, the shape of X",
                   hint)
    if not np.all(np.isfinite(delta)):
        raise Fail(f"{what} returned nan or inf", "look for a 0/0, e.g. w / abs(w): use np.sign")
    return delta


def _logistic_loss(margins: FloatArray) -> float:
    return float(np.mean(np.logaddexp(0.0, -margins)))


def _expect_worst_case(delta: FloatArray, X: FloatArray, y: FloatArray, w: FloatArray,
                       b: float, eps: float, case: str) -> None:
    """δ must stay in the ε-ball and lower every margin by ε‖w‖₁, the most it can."""
    largest = float(np.max(np.abs(delta))) if delta.size else 0.0
    if largest > eps * (1.0 + 1e-9):
        raise Fail(f"δ {case} leaves the ε-ball: max abs(δ) = {largest:.4g} > ε = {fmt(eps)}",
                   "every entry must satisfy abs(δᵢⱼ) ≤ ε (the L∞ ball): move each feature "
                   "by ±ε, following sign(w)")
    s = 2.0 * y - 1.0
    clean = s * (X @ w + b)
    attacked = s * ((X + delta) @ w + b)
    drop = eps * float(np.sum(np.abs(w)))
    worst = clean - drop
    if _close(attacked, worst, rtol=1e-9, atol=1e-9 * max(1.0, drop)):
        return
    what = (f"δ {case} is not the worst case: it takes the mean logistic loss from "
            f"{_logistic_loss(clean):.4g} to {_logistic_loss(attacked):.4g}, the worst case "
            f"in the ε-ball to {_logistic_loss(worst):.4g}")
    if np.all(attacked >= clean - 1e-12) and np.any(attacked > clean + 1e-12):
        clean_acc, acc = float(np.mean(clean > 0)), float(np.mean(attacked > 0))
        raise Fail(what, _ADV_SIGN + f" (with your δ the accuracy goes from {clean_acc:.1%} "
                                     f"to {acc:.1%})")
    raise Fail(what, _ADV_HINT)


def _check_adversarial(answers: tuple[Any, ...]) -> str:
    (fn,) = answers
    fn = require_function(fn, "worst_case_perturbation(X, y, w, eps)")
    # -- the fixed case --
    what = f"worst_case_perturbation for {_ADV_CASE}"
    delta = _perturbation(fn, _ADV_X, _ADV_Y, _ADV_W, _ADV_EPS, what)
    if not _close(delta, _ADV_EXPECTED):
        hint = next((h for wrong, h in _ADV_MISTAKES if _close(delta, wrong)), None)
        if hint is None:  # name the failed property: the ball, or not the worst case
            _expect_worst_case(delta, _ADV_X, _ADV_Y, _ADV_W, 0.0, _ADV_EPS,
                               "for the fixed case")
            hint = _ADV_HINT
        raise Fail(f"{what} should be {_ADV_EXPECTED.tolist()}, got "
                   f"{np.round(delta, 4).tolist()}", hint)
    # -- random cases: the property, not a formula --
    rng = np.random.default_rng(810)
    for n, d, eps in _ADV_RANDOM:
        X, w = rng.normal(size=(n, d)), rng.normal(0.0, 2.0, d)
        y = (rng.random(n) < 0.5).astype(np.float64)
        b = float(rng.normal())
        delta = _perturbation(fn, X, y, w, eps, "worst_case_perturbation(X, y, w, eps)")
        _expect_worst_case(delta, X, y, w, b, eps,
                           f"on random data (n={n}, d={d}, ε={fmt(eps)})")
    # -- the breast-cancer test set --
    X, y, w, b = breast_cancer_linear_model()
    s = 2.0 * y - 1.0
    accuracies = [float(np.mean(s * (X @ w + b) > 0))]
    for eps in ADV_EPSILONS:
        delta = _perturbation(fn, X, y, w, eps, f"worst_case_perturbation(X_test, y_test, w, "
                              f"{fmt(eps)})")
        _expect_worst_case(delta, X, y, w, b, eps, f"on the breast-cancer test set at "
                           f"ε = {fmt(eps)}")
        accuracies.append(float(np.mean(s * ((X + delta) @ w + b) > 0)))
    robust = ", ".join(f"{a:.1%} at ε = {fmt(e)}" for e, a in zip(ADV_EPSILONS, accuracies[1:],
                                                                    strict=True))
    return (f"δ is the L∞ worst case (margins drop by ε‖w‖₁); breast-cancer test accuracy "
            f"{accuracies[0]:.1%} clean, {robust}")


def check_worst_case_perturbation(worst_case_perturbation: Any) -> None:
    r"""Check the learner's worst-case L∞ perturbation against a linear logistic model.

    The learner writes ``worst_case_perturbation(X, y, w, eps)`` → δ, an array of the
    shape of ``X`` (n, d), for labels ``y`` in {0, 1}, the weights ``w`` of the model
    :math:`f(x) = w^\top x + b` and a budget ε: the δ with every abs(δᵢⱼ) ≤ ε that
    maximises each example's logistic loss :math:`\log(1 + e^{-s_i f(x_i + \delta_i)})`,
    :math:`s_i = 2y_i - 1`. The loss only falls as the margin :math:`s_i f` grows, and
    :math:`s_i w^\top\delta_i \ge -\varepsilon\lVert w\rVert_1` (Hölder), so

    .. math::
        \delta_i = -\varepsilon\, s_i \operatorname{sign}(w),

    which lowers every margin by exactly :math:`\varepsilon\lVert w\rVert_1` (the bias b
    does not matter; :func:`lossviz.design.robust_margin_linear` gives the same margins).

    What is checked: the fixed case of the prompt (3 examples, 4 features, ε = 0.1); 5
    random cases, where δ must stay in the ball and lower every margin by ε‖w‖₁ (to
    1e-9), so the logistic loss reaches its closed-form maximum (a property, not a
    formula: any δ achieving it passes); the same on the 114 test tumours of
    :func:`breast_cancer_linear_model` at ε = 0.1 and 0.25 (‖w‖₁ = 17.22, so the margins
    drop by 1.72 and 4.31; the mean logistic loss goes from 0.118 to 0.315 and 0.926). The
    pass line prints the clean and the robust test accuracy: 94.7 % clean, 86.0 % at
    ε = 0.1, 64.9 % at ε = 0.25. Hints for: the flipped sign
    (the accuracy rises), a step along w (it leaves the ball), the label's sign missing,
    the labels used as 0/1, ε·sign(X), one δ for all examples.

    Args:
        worst_case_perturbation: the learner's ``worst_case_perturbation(X, y, w, eps)``.
    """
    __tracebackhide__ = True
    _run(_check_adversarial, (worst_case_perturbation,))
