"""Checks for chapter 01, *Regression losses*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values are precomputed numbers or come from
:mod:`lossviz.losses` / :mod:`lossviz.robust`; the solutions live only in the chapter.

The chapter imports the data and constants its prompts print::

    from lossviz.exercises.regression import (
        IRLS_DELTA, PINBALL_DATA, PINBALL_TAU, SHORTAGE_COST, SURPLUS_COST, diabetes_bmi,
        check_asymmetric_tau, check_huber, check_irls_huber, check_mse_mae,
        check_pinball_constant,
    )

``check_mse_mae`` and ``check_huber`` take several functions, in the order of their
signatures; the other checks take one answer, like chapter 00's.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import losses, robust
from ._check import (
    NOT_IMPLEMENTED,
    Fail,
    GradientOf,
    as_gradient,
    as_loss,
    as_number,
    call,
    call_named,
    check,
    expect_array,
    expect_close,
    finite_difference_gradient,
    fmt,
    hint_when,
    is_placeholder,
    require_functions,
    require_value,
)

__all__ = [
    "IRLS_DELTA",
    "IRLS_RTOL",
    "PINBALL_DATA",
    "PINBALL_TAU",
    "PINBALL_TOL",
    "SHORTAGE_COST",
    "SURPLUS_COST",
    "check_asymmetric_tau",
    "check_huber",
    "check_irls_huber",
    "check_mse_mae",
    "check_pinball_constant",
    "diabetes_bmi",
]

# --------------------------------------------------------------------------------------
# Helpers shared by the checks of this chapter
# --------------------------------------------------------------------------------------

# A gradient answer: one partial derivative per prediction, an array of the shape of y_hat.
_WRT_Y_HAT = GradientOf(variable="y_hat", entry="∂L/∂ŷᵢ per prediction",
                        inputs="the residuals y_hat − y",
                        nan_hint="look for a 0/0 in your formula")
_gradient = functools.partial(as_gradient, of=_WRT_Y_HAT)


# --------------------------------------------------------------------------------------
# mse(y, y_hat), mse_grad(y, y_hat), mae(y, y_hat), mae_grad(y, y_hat)
# --------------------------------------------------------------------------------------

# y = [1, 2, 3], ŷ = [1, 4, 0]: residuals r = ŷ − y = 0, 2, −3 (one exactly at MAE's kink)
_Y = np.array([1.0, 2.0, 3.0])
_Y_HAT = np.array([1.0, 4.0, 0.0])
_CASE = "y=[1, 2, 3], ŷ=[1, 4, 0]"

_SUM = "did you sum instead of averaging? Divide by the number of examples (np.mean)"
_CANCEL = ("positive and negative residuals cancel: apply np.abs to each residual, "
           "then average")
_MSE_MISTAKES = {
    13.0: _SUM,                                              # sum of r²
    5 / 3: "that is the mean *absolute* error: square the residuals instead of np.abs",
    float(np.sqrt(13 / 3)): "that is the root mean squared error: leave out the square root",
    1 / 3: "did you forget to square the residuals? Positive and negative ones cancel",
    -1 / 3: "did you forget to square the residuals? Positive and negative ones cancel",
    13 / 6: "drop the factor ½: the course's MSE is the plain mean of squared residuals",
}
_MAE_MISTAKES = {
    5.0: _SUM,                                               # sum of |r|
    13 / 3: "that is the mean *squared* error: take np.abs of the residuals, do not square",
    1 / 3: _CANCEL,                                          # mean(y − ŷ), or |mean(r)|
    -1 / 3: _CANCEL,                                         # mean(ŷ − y)
    2.0: "that is the median of |r|: the MAE is the *mean* of the absolute residuals",
}

_PER_ELEMENT = "that is the per-element loss, not its derivative with respect to ŷ"
_DIV_N = ("the gradient of the *mean* loss carries its 1/n: divide by the number of "
          "examples, len(y)")
_SIGN = ("the sign is flipped: differentiate with respect to ŷ, and the residual is "
         "r = ŷ − y (prediction minus target)")
# expected 2r/n = [0, 4/3, −2]
_MSE_GRAD = np.array([0.0, 4 / 3, -2.0])
_MSE_GRAD_MISTAKES = (
    ([0.0, 4.0, -6.0], _DIV_N),                                           # 2r
    ([0.0, -4 / 3, 2.0], _SIGN),                                          # −2r/n
    ([0.0, -4.0, 6.0], _SIGN + "; and divide by n"),                      # −2r
    ([0.0, 2 / 3, -1.0], "a factor 2 is missing: d(ŷ − y)²/dŷ = 2(ŷ − y)"),  # r/n
    ([0.0, 2.0, -3.0], "a factor 2 and the 1/n are missing: ∂L/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n"),  # r
    ([0.0, 4.0, 9.0], _PER_ELEMENT),                                      # r²
    ([0.0, 4 / 3, 3.0], _PER_ELEMENT),                                    # r²/n
    ([0.0, 1 / 3, -1 / 3], "that is the gradient of the MAE, sign(r)/n; the MSE's is 2r/n"),
)
# expected sign(r)/n = [0, 1/3, −1/3]
_KINK = ("at r = 0 (ŷ = y) the gradient is 0 by convention (a valid subgradient, as in "
         "lossviz and PyTorch): np.sign gives 0 there")
_MAE_GRAD = np.array([0.0, 1 / 3, -1 / 3])
_MAE_GRAD_MISTAKES = (
    ([0.0, 1.0, -1.0], _DIV_N),                                           # sign(r)
    ([0.0, -1 / 3, 1 / 3], _SIGN),                                        # −sign(r)/n
    ([0.0, -1.0, 1.0], _SIGN + "; and divide by n"),                      # −sign(r)
    ([1 / 3, 1 / 3, -1 / 3], _KINK),                                      # where(r >= 0, 1, −1)/n
    ([-1 / 3, 1 / 3, -1 / 3], _KINK),                                     # where(r > 0, 1, −1)/n
    ([1.0, 1.0, -1.0], _KINK + "; and divide by n"),
    ([-1.0, 1.0, -1.0], _KINK + "; and divide by n"),
    ([0.0, 2.0, 3.0], _PER_ELEMENT),                                      # |r|
    ([0.0, 2 / 3, 1.0], _PER_ELEMENT),                                    # |r|/n
    ([0.0, 4 / 3, -2.0], "that is the gradient of the MSE, 2r/n; the MAE's is sign(r)/n"),
)
_MAE_GRAD_NAN = "r / |r| is 0/0 where ŷ = y: use np.sign(r), which is 0 there"

_MSE_MAE_CALL = "check_mse_mae(mse, mse_grad, mae, mae_grad)"
_LENGTHS = (1, 5, 17, 100, 3, 8, 50, 2, 31, 64)


def _check_loss(fn: Callable[..., Any], name: str, expected: float,
                mistakes: dict[float, str], rng: np.random.Generator) -> None:
    got = as_loss(call_named(fn, name, _Y, _Y_HAT), f"{name}([1, 2, 3], [1, 4, 0])")
    expect_close(got, expected, mistakes=mistakes, what=f"{name} for {_CASE}")
    perfect = np.array([0.5, -2.0, 3.0, 7.0])
    got = as_loss(call_named(fn, name, perfect, perfect.copy()), f"{name}(y, y)")
    expect_close(got, 0.0, what=f"{name} of a perfect prediction, y = ŷ = {fmt(perfect)},",
                 hint="identical arrays have residual 0 everywhere")
    reference = losses.get(name)
    for n in _LENGTHS:
        y, y_hat = rng.normal(0, 3, n), rng.normal(0, 3, n)
        got = as_loss(call_named(fn, name, y, y_hat), f"{name}(y, y_hat)")
        expect_close(got, float(reference(y, y_hat)), rtol=1e-8,
                     what=f"{name} on random arrays of length {n}",
                     hint="it must work for any length n, not just the example above")


def _check_grad(fn: Callable[..., Any], name: str, loss_fn: Callable[..., Any], loss_name: str,
                expected: np.ndarray, mistakes: Sequence[tuple[Sequence[float], str]],
                rng: np.random.Generator, nan_hint: str | None = None) -> None:
    got = _gradient(call_named(fn, name, _Y, _Y_HAT), f"{name}([1, 2, 3], [1, 4, 0])", 3, nan_hint)
    expect_array(got, expected, mistakes=mistakes, what=f"{name} for {_CASE}")
    reference = losses.get(loss_name)
    for n in _LENGTHS:
        y = rng.normal(0, 3, n)
        # residuals of size 0.1 to 3, either sign: away from MAE's kink at 0
        y_hat = y + rng.choice([-1.0, 1.0], n) * rng.uniform(0.1, 3.0, n)
        got = _gradient(call_named(fn, name, y, y_hat), f"{name}(y, y_hat)", n, nan_hint)
        expect_array(got, reference.grad(y, y_hat), rtol=1e-8, atol=1e-12,
                     what=f"{name} on random arrays of length {n}",
                     hint="it must work for any length n, not just the example above")
    # The learner's gradient against central differences of the learner's own (checked) loss.
    y = rng.normal(0, 3, 6)
    y_hat = y + rng.choice([-1.0, 1.0], 6) * rng.uniform(0.1, 3.0, 6)
    got = _gradient(call_named(fn, name, y, y_hat), f"{name}(y, y_hat)", 6, nan_hint)

    def mean_loss(moved: np.ndarray) -> float:
        return as_loss(call_named(loss_fn, loss_name, y, moved), f"{loss_name}(y, y_hat)")

    expect_array(got, finite_difference_gradient(mean_loss, y_hat), rtol=1e-5, atol=1e-7,
                 what=f"{name} on random arrays of length 6 (central finite differences "
                       f"of your {loss_name})")


def _check_mse_mae(answers: tuple[Any, Any, Any, Any]) -> None:
    names = ("mse", "mse_grad", "mae", "mae_grad")
    require_functions(answers, names, _MSE_MAE_CALL)
    mse, mse_grad, mae, mae_grad = answers
    rng = np.random.default_rng(101)
    _check_loss(mse, "mse", 13 / 3, _MSE_MISTAKES, rng)
    _check_loss(mae, "mae", 5 / 3, _MAE_MISTAKES, rng)
    _check_grad(mse_grad, "mse_grad", mse, "mse", _MSE_GRAD, _MSE_GRAD_MISTAKES, rng)
    _check_grad(mae_grad, "mae_grad", mae, "mae", _MAE_GRAD, _MAE_GRAD_MISTAKES, rng,
                nan_hint=_MAE_GRAD_NAN)


_run_mse_mae = check(
    "mse and mae match their definitions (a fixed case, 10 random cases, 0 at a perfect "
    "prediction); mse_grad and mae_grad match lossviz (0 at MAE's kink) and finite "
    "differences of your losses"
)(_check_mse_mae)


def check_mse_mae(mse: Any, mse_grad: Any, mae: Any, mae_grad: Any) -> None:
    r"""Check four plain-numpy functions: MSE, MAE and the gradients of both.

    The learner writes, with numpy only (``y`` and ``y_hat`` are 1-D float arrays of the
    same length ``n``, residual :math:`r = \hat y - y`):

    - ``mse(y, y_hat)`` → one float, :math:`\frac1n \sum_i r_i^2`;
    - ``mse_grad(y, y_hat)`` → an array of shape ``(n,)``, the gradient of the *mean* loss
      with respect to ``y_hat``: :math:`2 r_i / n`;
    - ``mae(y, y_hat)`` → one float, :math:`\frac1n \sum_i |r_i|`;
    - ``mae_grad(y, y_hat)`` → an array of shape ``(n,)``: :math:`\operatorname{sign}(r_i) / n`,
      with 0 where :math:`r_i = 0` (the subgradient ``np.sign`` gives).

    What is checked, in this order: each loss on ``y = [1, 2, 3]``, ``ŷ = [1, 4, 0]``
    (13/3 and 5/3), at a perfect prediction (0) and on 10 random cases against
    :func:`lossviz.losses.mse` / :func:`lossviz.losses.mae`; each gradient on the same fixed
    case (``[0, 4/3, -2]`` and ``[0, 1/3, -1/3]``: one residual sits on MAE's kink), on 10
    random cases against ``losses.get(name).grad`` and against central finite differences
    of the learner's own loss (residuals at least 0.1 away from the kink). Typical mistakes
    get their own hint: a sum instead of the mean, a missing 1/n or factor 2, a flipped
    sign, the per-element loss instead of its derivative, ±1/n at the kink, the RMSE, ...

    Args:
        mse: the learner's ``mse(y, y_hat)``.
        mse_grad: the learner's ``mse_grad(y, y_hat)``.
        mae: the learner's ``mae(y, y_hat)``.
        mae_grad: the learner's ``mae_grad(y, y_hat)``.
    """
    __tracebackhide__ = True
    _run_mse_mae((mse, mse_grad, mae, mae_grad))


# --------------------------------------------------------------------------------------
# huber(y, y_hat, delta=1.0), huber_grad(y, y_hat, delta=1.0)
# --------------------------------------------------------------------------------------

# δ = 2, y = [1, 4, −2, 0], ŷ = [2, 1, 3, 0.5]: r = 1, −3, 5, 0.5 (two inside, two beyond δ)
# ℓ = ½·1, 2(3 − 1), 2(5 − 1), ½·0.25 = 0.5, 4, 8, 0.125; mean 12.625 / 4 = 3.15625
_HUBER_Y = np.array([1.0, 4.0, -2.0, 0.0])
_HUBER_Y_HAT = np.array([2.0, 1.0, 3.0, 0.5])
_HUBER_DELTA = 2.0
_HUBER_CASE = "y=[1, 4, -2, 0], ŷ=[2, 1, 3, 0.5], δ=2"
_HUBER_LOSS = 3.15625
_HUBER_LOSS_MISTAKES = {
    1.578125: "that is PyTorch's SmoothL1Loss(beta=δ), the Huber loss divided by δ; the "
              "course's Huber (PyTorch's HuberLoss) is ½r² inside and δ(|r| − ½δ) beyond δ",
    6.3125: "every term is twice too large: the quadratic part is ½r², not r²",
    3.3125: "the quadratic part is ½r², not r² (the ½ makes the branches meet at |r| = δ)",
    4.15625: "the linear branch is δ(|r| − ½δ) = δ|r| − ½δ²: the −½δ² is missing",
    2.15625: "the linear branch is δ(|r| − ½δ), not δ(|r| − δ)",
    12.625: _SUM,
    4.40625: "the linear branch is never used: beyond |r| > δ the loss is δ(|r| − ½δ)",
    4.0: "the branches are swapped: ½r² where |r| ≤ δ, δ(|r| − ½δ) where |r| > δ",
    1.90625: "that is the Huber loss with δ = 1: use the `delta` argument",
    8.8125: "that is the mean squared error: Huber is ½r² only where |r| ≤ δ",
}
# default δ = 1, y = [0, 0, 0], ŷ = [0.5, −2, 3]: ℓ = 0.125, 1.5, 2.5; mean 4.125 / 3 = 1.375
_HUBER_DEFAULT_Y_HAT = np.array([0.5, -2.0, 3.0])
_HUBER_DEFAULT = 1.375
# gradient on the δ = 2 case: clip(r, −2, 2) / 4 = [0.25, −0.5, 0.5, 0.125]
_HUBER_GRAD = np.array([0.25, -0.5, 0.5, 0.125])
_HUBER_GRAD_MISTAKES = (
    ([0.25, -0.75, 1.25, 0.125],
     "beyond δ the gradient is ±δ, not r: clip the residual, np.clip(r, -delta, delta)"),
    ([1.0, -2.0, 2.0, 0.5], _DIV_N),
    ([-0.25, 0.5, -0.5, -0.125], _SIGN),
    ([0.125, -0.25, 0.25, 0.0625],
     "that is the gradient of SmoothL1Loss (divided by δ); the Huber gradient is "
     "clip(r, −δ, δ)/n"),
    ([0.5, -0.5, 0.5, 0.25], "the derivative of ½r² is r, not 2r"),
    ([0.5, -1.0, 1.0, 0.25], "every entry is twice too large: the derivative of ½r² is r"),
    ([0.25, 0.5, 0.5, 0.125],
     "beyond δ the slope is δ·sign(r): a negative residual pulls the other way"),
    ([0.25, -0.25, 0.25, 0.125], "that is the gradient for δ = 1: use the `delta` argument"),
    ([0.5, 4.0, 8.0, 0.125], _PER_ELEMENT),
    ([0.125, 1.0, 2.0, 0.03125], _PER_ELEMENT),
)
_HUBER_DELTAS = (0.3, 1.0, 2.5, 10.0)
_HUBER_CALL = "check_huber(huber, huber_grad)"


def _huber_sample(rng: np.random.Generator, n: int, delta: float) -> tuple[np.ndarray, ...]:
    """Random y, ŷ with |r| between 0.02δ and 4δ, never within 2 % of δ (the branch switch)."""
    y = rng.normal(0, 3, n)
    mag = delta * rng.uniform(0.02, 4.0, n)
    mag = np.where(np.abs(mag - delta) < 0.02 * delta, mag + 0.05 * delta, mag)
    return y, y + rng.choice([-1.0, 1.0], n) * mag


def _call_default_delta(fn: Callable[..., Any], name: str, *args: Any) -> Any:
    """Call without ``delta``; a missing default gets a hint saying so."""
    with hint_when("required positional argument",
                   hint=f"give delta its default: def {name}(y, y_hat, delta=1.0)"):
        return call_named(fn, name, *args)


def _check_huber(answers: tuple[Any, Any]) -> None:
    require_functions(answers, ("huber", "huber_grad"), _HUBER_CALL)
    huber, huber_grad = answers
    reference = losses.get("huber")
    rng = np.random.default_rng(102)
    # the loss: a fixed case, the default δ, a perfect prediction
    got = as_loss(call_named(huber, "huber", _HUBER_Y, _HUBER_Y_HAT, _HUBER_DELTA),
                  "huber([1, 4, -2, 0], [2, 1, 3, 0.5], 2.0)")
    expect_close(got, _HUBER_LOSS, mistakes=_HUBER_LOSS_MISTAKES,
                 what=f"the Huber loss for {_HUBER_CASE}")
    zeros = np.zeros(3)
    got = as_loss(_call_default_delta(huber, "huber", zeros, _HUBER_DEFAULT_Y_HAT),
                  "huber([0, 0, 0], [0.5, -2, 3])")
    expect_close(got, _HUBER_DEFAULT, mistakes={4.125: _SUM},
                 what="the Huber loss for y=[0, 0, 0], ŷ=[0.5, -2, 3] with the default δ",
                 hint="the default is delta=1.0: def huber(y, y_hat, delta=1.0)")
    perfect = np.array([0.5, -2.0, 3.0])
    got = as_loss(call_named(huber, "huber", perfect, perfect.copy(), 1.5), "huber(y, y, 1.5)")
    expect_close(got, 0.0, what="the Huber loss of a perfect prediction",
                 hint="identical arrays have residual 0 everywhere")
    # continuity where the branches meet, |r| = δ, for both signs and several δ
    for delta in (0.5, 1.0, 3.0):
        for sign in (1.0, -1.0):
            eps = 1e-7 * delta
            inside, outside = (as_loss(
                call_named(huber, "huber", np.zeros(1), np.array([sign * t]), delta),
                f"huber([0], [{fmt(sign * t)}], {fmt(delta)})") for t in (delta - eps, delta + eps))
            if not np.isclose(inside, 0.5 * delta**2, rtol=1e-5, atol=1e-9) or abs(
                    outside - inside) > 1e-5 * max(1.0, delta**2):
                raise Fail(
                    f"the loss jumps at r = {fmt(sign * delta)} = {'' if sign > 0 else '−'}δ "
                    f"(δ = {fmt(delta)}): {inside:.6g} just inside, {outside:.6g} just outside",
                    "the branches must meet where |r| = δ: ½δ² = δ(δ − ½δ)",
                )
    for delta in _HUBER_DELTAS:
        for n in (1, 7, 40):
            y, y_hat = _huber_sample(rng, n, delta)
            got = as_loss(call_named(huber, "huber", y, y_hat, delta), f"huber(y, y_hat, {delta})")
            expect_close(got, float(reference(y, y_hat, delta=delta)), rtol=1e-8,
                         what=f"the Huber loss with δ={delta} on random arrays of length {n}",
                         hint="it must work for every δ and length n: compare |r| with delta")
    # the gradient
    got = _gradient(call_named(huber_grad, "huber_grad", _HUBER_Y, _HUBER_Y_HAT, _HUBER_DELTA),
                    "huber_grad([1, 4, -2, 0], [2, 1, 3, 0.5], 2.0)", 4)
    expect_array(got, _HUBER_GRAD, mistakes=_HUBER_GRAD_MISTAKES,
                 what=f"the Huber gradient for {_HUBER_CASE}")
    got = _gradient(_call_default_delta(huber_grad, "huber_grad", zeros, _HUBER_DEFAULT_Y_HAT),
                    "huber_grad([0, 0, 0], [0.5, -2, 3])", 3)
    expect_array(got, np.array([0.5, -1.0, 1.0]) / 3,
                 what="the Huber gradient for y=[0, 0, 0], ŷ=[0.5, -2, 3] with the default δ",
                 hint="the default is delta=1.0: def huber_grad(y, y_hat, delta=1.0)")
    for delta in _HUBER_DELTAS:
        for n in (1, 7, 40):
            y, y_hat = _huber_sample(rng, n, delta)
            got = _gradient(call_named(huber_grad, "huber_grad", y, y_hat, delta),
                            f"huber_grad(y, y_hat, {delta})", n)
            expect_array(got, reference.grad(y, y_hat, delta=delta), rtol=1e-8, atol=1e-12,
                         what=f"the Huber gradient with δ={delta} on random arrays of length {n}",
                         hint="it must work for every δ and length n: clip r to [−δ, δ], "
                              "divide by n")
    for delta in (0.7, 2.0):
        y, y_hat = _huber_sample(rng, 6, delta)
        got = _gradient(call_named(huber_grad, "huber_grad", y, y_hat, delta),
                        f"huber_grad(y, y_hat, {delta})", 6)

        def mean_loss(moved: np.ndarray, y: np.ndarray = y, delta: float = delta) -> float:
            return as_loss(call_named(huber, "huber", y, moved, delta), "huber(y, y_hat, delta)")

        expect_array(got, finite_difference_gradient(mean_loss, y_hat), rtol=1e-5, atol=1e-7,
                     what=f"the Huber gradient with δ={delta} on random arrays of length 6 "
                          "(central finite differences of your huber)")


_run_huber = check(
    "huber and huber_grad match the Huber loss and its gradient clip(r, −δ, δ)/n (fixed "
    "cases, the default δ = 1, four δ on random cases, finite differences); the loss is "
    "continuous at |r| = δ"
)(_check_huber)


def check_huber(huber: Any, huber_grad: Any) -> None:
    r"""Check the learner's Huber loss and its gradient (plain numpy).

    The learner writes (``y``, ``y_hat``: 1-D float arrays of length ``n``,
    :math:`r = \hat y - y`, ``delta`` :math:`= \delta > 0`; ``delta`` is passed as the
    third positional argument, and the default must be 1.0):

    - ``huber(y, y_hat, delta=1.0)`` → one float, the mean of
      :math:`\tfrac12 r_i^2` where :math:`|r_i| \le \delta` and
      :math:`\delta(|r_i| - \tfrac12\delta)` where :math:`|r_i| > \delta`: the convention of
      :func:`lossviz.losses.huber` and PyTorch's ``HuberLoss(delta)``;
    - ``huber_grad(y, y_hat, delta=1.0)`` → an array of shape ``(n,)``, the gradient of the
      mean: :math:`\operatorname{clip}(r_i, -\delta, \delta) / n`.

    What is checked: the loss on ``y = [1, 4, -2, 0]``, ``ŷ = [2, 1, 3, 0.5]``, ``δ = 2``
    (3.15625), with the default ``δ`` on ``y = [0, 0, 0]``, ``ŷ = [0.5, -2, 3]`` (1.375),
    at a perfect prediction (0), its continuity at :math:`r = \pm\delta` for
    :math:`\delta \in \{0.5, 1, 3\}` (value :math:`\tfrac12\delta^2`), and random cases for
    :math:`\delta \in \{0.3, 1, 2.5, 10\}` against :func:`lossviz.losses.huber`; the gradient
    on the same fixed cases (``[0.25, -0.5, 0.5, 0.125]``), on random cases against
    ``losses.get("huber").grad`` and against central finite differences of the learner's
    ``huber``. Hints name the usual mistakes: SmoothL1's division by δ, a missing ½, the
    linear branch without its −½δ², a sum instead of the mean, no clipping, δ ignored.

    Args:
        huber: the learner's ``huber(y, y_hat, delta=1.0)``.
        huber_grad: the learner's ``huber_grad(y, y_hat, delta=1.0)``.
    """
    __tracebackhide__ = True
    _run_huber((huber, huber_grad))


# --------------------------------------------------------------------------------------
# The best constant under the pinball loss (a value answer)
# --------------------------------------------------------------------------------------

#: Delivery times in minutes of 15 pizza deliveries (seeded: ``15 + lognormal(2.6, 0.55)``
#: rounded to 0.1, ``numpy.random.default_rng(0)``), skewed to the right by a few slow ones.
PINBALL_DATA = np.array([29.4, 27.5, 34.1, 29.3, 25.0, 31.4, 42.6, 37.7, 24.1, 21.7, 24.6, 28.8,
                         18.7, 26.9, 21.8])
PINBALL_DATA.setflags(write=False)

#: The quantile level of the pinball-constant exercise.
PINBALL_TAU = 0.9

#: How far (in minutes) an answer may lie from the set of minimisers and still pass.
PINBALL_TOL = 0.01

# Precomputed on PINBALL_DATA (and asserted in tests/test_exercise_checks_regression.py):
# sorted: 18.7 21.7 21.8 24.1 24.6 25.0 26.9 27.5 28.8 29.3 29.4 31.4 34.1 37.7 42.6.
# The mean pinball loss has slope (#{y <= c} − τn)/n right of c, τn = 13.5, so its unique
# minimiser is the 14th smallest value, 37.7 (robust.best_constant gives the same).
_PINBALL_MISTAKES = {
    27.5: "that is the median, the best constant for τ = 0.5 (the MAE); with τ = 0.9 a late "
          "delivery costs 9 times as much as an early one, so c must sit higher",
    28.24: "that is the mean, the best constant under squared error; the pinball loss is "
           "minimised by a quantile",
    21.7: "that is the 0.1-quantile: τ is flipped. With u = y − c, a late delivery (y > c) "
          "costs τ = 0.9 per minute, so about 90 % of the times should lie at or below c",
    21.74: "that is np.quantile(PINBALL_DATA, 0.1): τ is flipped. A late delivery (y > c) "
           "costs τ = 0.9 per minute, so about 90 % of the times should lie at or below c",
    36.26: "that is np.quantile's default, which interpolates linearly between the 13th and "
           "14th smallest times; the minimiser of a piecewise-linear loss is a data point. "
           "Plot the mean loss against c (or try np.quantile's method='inverted_cdf')",
    34.1: "one data point too low: only 13 of the 15 times (86.7 %) lie at or below 34.1, "
          "fewer than τ = 90 %",
}


def _pinball_mean(c: float) -> float:
    data = PINBALL_DATA
    return float(losses.pinball(data, np.full_like(data, c), quantile=PINBALL_TAU))


@check("c minimises the mean pinball loss (τ = 0.9) of PINBALL_DATA")
def check_pinball_constant(value: Any) -> None:
    r"""Check the constant ``c`` that minimises the mean pinball loss of :data:`PINBALL_DATA`.

    The problem: a pizzeria promises every customer the same delivery time ``c`` (minutes).
    With :math:`u = y - c`, a delivery later than promised (:math:`u > 0`) costs
    ``PINBALL_TAU`` = 0.9 per minute and an early one :math:`1 - \tau` = 0.1 per minute:
    the pinball loss :func:`lossviz.losses.pinball` with ``quantile=0.9``. Which single ``c``
    minimises its mean over the 15 delivery times in :data:`PINBALL_DATA`? The learner
    passes the number (a float); the answer is 37.7, the 14th smallest time.

    Any minimiser passes: the check computes the set of minimisers (an interval in general,
    a single point for this data) from :func:`lossviz.robust.best_constant` and accepts an
    answer within :data:`PINBALL_TOL` = 0.01 min of it, so a grid search with step 0.01
    passes too. A wrong answer is reported with its mean pinball loss against the minimum,
    and hints for the median, the mean, the 0.1-quantile (τ flipped), np.quantile's
    interpolated default (36.26, not a minimiser) and one data point too low; any other
    value gets the direction in which the loss still decreases.

    Args:
        value: the learner's constant ``c``, a number.
    """
    c = require_value(value, "the best constant c")
    if not np.isfinite(c):
        raise Fail(f"the best constant c should be a finite number of minutes, got {fmt(c)}")
    data = PINBALL_DATA
    low = robust.best_constant(data, "pinball", quantile=PINBALL_TAU)
    # the highest minimiser, by symmetry: pinball_τ(y − c) = pinball_{1−τ}((−y) − (−c))
    high = -robust.best_constant(-data, "pinball", quantile=1.0 - PINBALL_TAU)
    if low - PINBALL_TOL <= c <= high + PINBALL_TOL:
        return
    loss_c, best = _pinball_mean(c), _pinball_mean(low)
    what = (f"c = {fmt(c)} does not minimise the mean pinball loss (τ = {PINBALL_TAU}) of "
            f"PINBALL_DATA: it is {loss_c:.4g} there, and {best:.4g} at the minimum")
    for wrong, hint in _PINBALL_MISTAKES.items():
        if abs(c - wrong) <= PINBALL_TOL:
            raise Fail(what, hint)
    n = data.size
    if c < low:
        above = int(np.sum(data > c))
        raise Fail(what, f"c is too low: {above} of the {n} times ({100 * above / n:.1f} %) lie "
                         f"above it, more than 1 − τ = {100 * (1 - PINBALL_TAU):.0f} %, and each "
                         f"late minute costs τ = {PINBALL_TAU}: raising c lowers the mean loss")
    below = int(np.sum(data < c))
    raise Fail(what, f"c is too high: {below} of the {n} times ({100 * below / n:.1f} %) lie "
                     f"below it, more than τ = {100 * PINBALL_TAU:.0f} %, and each early minute "
                     f"costs 1 − τ = {1 - PINBALL_TAU:.1f}: lowering c lowers the mean loss")


# --------------------------------------------------------------------------------------
# fit_huber_line(x, y, delta, n_iter=50) by IRLS, on synthetic and real data
# --------------------------------------------------------------------------------------

#: Huber's δ for the diabetes exercise, in units of the target (disease progression): about
#: two thirds of the residual standard deviation of the least-squares line (62), so the
#: larger residuals (about half of them) pull with a bounded force δ.
IRLS_DELTA = 40.0

#: A fit passes when every prediction on the data lies within ``IRLS_RTOL * (max y − min y)``
#: of the exact Huber line's: 3e-4 progression units on the diabetes data, where a correct
#: 50-iteration IRLS (from least squares or from zero) is within 3e-13 of it.
IRLS_RTOL = 1e-6

# 12 points near y = 2 + 0.5x (seeded noise, rounded) with two outliers, at x = 3 and x = 9.
_SYNTH_X = np.arange(12.0)
_SYNTH_Y = np.array([2.1, 2.4, 3.5, -4.4, 3.6, 4.8, 6.0, 6.3, 5.4, 17.5, 6.5, 7.5])
_SYNTH_DELTA = 2.0


def diabetes_bmi() -> tuple[np.ndarray, np.ndarray]:
    """The diabetes data of the IRLS exercise: body-mass index and disease progression.

    scikit-learn's diabetes data in its original units, ``sklearn.datasets.load_diabetes(
    scaled=False)`` (bundled with scikit-learn, nothing is downloaded), all 442 patients,
    no shuffling, no standardisation:

    - ``x``: the ``"bmi"`` column, the body-mass index in kg/m² (18.0 to 42.2);
    - ``y``: the target, a quantitative measure of disease progression one year after
      baseline (25 to 346).

    Returns:
        ``(x, y)``, two float arrays of shape ``(442,)``.
    """
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=False)
    x = np.asarray(bunch.data[:, list(bunch.feature_names).index("bmi")], dtype=np.float64)
    return x, np.asarray(bunch.target, dtype=np.float64)


def _line(value: Any, what: str) -> tuple[float, float]:
    """The learner's ``(slope, intercept)`` as two floats."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    if isinstance(value, numbers.Real) or (isinstance(value, np.ndarray) and value.size == 1):
        raise Fail(f"{what} returned one number, {fmt(value)}, expected two",
                   "return both: return slope, intercept")
    if isinstance(value, np.ndarray):
        items = list(value.ravel())
    else:
        try:
            items = list(value)
        except TypeError:
            raise Fail(f"{what} returned {type(value).__name__}, expected a tuple "
                       "(slope, intercept)", "return the two numbers: return slope, intercept"
                       ) from None
    if len(items) != 2:
        raise Fail(f"{what} returned {len(items)} values, expected 2: (slope, intercept)",
                   "return the two numbers: return slope, intercept")
    division = ("a residual of exactly 0 makes δ/|r| a division by zero: guard it, for "
                "example with np.maximum(np.abs(r), 1e-12)")
    slope = as_number(items[0], f"{what} (the slope)", nan_hint=division)
    intercept = as_number(items[1], f"{what} (the intercept)", nan_hint=division)
    return slope, intercept


def _gap(a: tuple[float, float], b: tuple[float, float], x: np.ndarray) -> float:
    """The largest difference between two lines' predictions on the data."""
    return float(np.max(np.abs((a[0] - b[0]) * x + (a[1] - b[1]))))


def _close_to(got: tuple[float, float], candidate: tuple[float, float],
              ref: tuple[float, float], x: np.ndarray) -> bool:
    """``got`` is much nearer ``candidate`` (a known mistake) than the right line ``ref``."""
    return _gap(got, candidate, x) <= 0.25 * _gap(candidate, ref, x)


def _squared_weights_stationary(line: tuple[float, float], x: np.ndarray, y: np.ndarray,
                                delta: float) -> bool:
    """The line solves Σ w(rᵢ)² rᵢ (xᵢ, 1) = 0, w = min(1, δ/|r|): rows scaled by w, not √w."""
    r = line[0] * x + line[1] - y
    w = np.minimum(1.0, delta / np.maximum(np.abs(r), 1e-300))
    A = np.column_stack([x, np.ones_like(x)])
    scale = np.abs(A).T @ np.abs(w**2 * r)
    return bool(np.all(np.abs(A.T @ (w**2 * r)) <= 1e-7 * np.maximum(scale, 1e-300)))


def _check_huber_line(fn: Callable[..., Any], x: np.ndarray, y: np.ndarray, delta: float,
                      case: str) -> None:
    got = _line(call(fn, "fit_huber_line", x, y, delta),
                f"fit_huber_line(x, y, {fmt(delta)}) on {case}")
    fit = robust.fit_line(x, y, "huber", delta=delta)
    ref = (float(fit.coef[0]), fit.intercept)
    tol = IRLS_RTOL * float(np.ptp(y))
    gap = _gap(got, ref, x)
    if gap <= tol:
        return
    what = (f"the Huber line (δ = {fmt(delta)}) on {case} should have slope {ref[0]:.6g} and "
            f"intercept {ref[1]:.6g}, got {got[0]:.6g} and {got[1]:.6g} (predictions differ "
            f"by up to {gap:.3g}, tolerance {tol:.2g})")

    def line_of(loss: str, **params: float) -> tuple[float, float]:
        f = robust.fit_line(x, y, loss, **params)
        return float(f.coef[0]), f.intercept

    if _gap((got[1], got[0]), ref, x) <= tol:
        raise Fail(what, "slope and intercept are swapped: return slope, intercept "
                         "(in this order)")
    if got[1] == 0.0:
        raise Fail(what, "the intercept is 0: add a column of ones to the design matrix, "
                         "np.column_stack([x, np.ones_like(x)])")
    least_squares = line_of("mse")
    if _close_to(got, least_squares, ref, x):
        raise Fail(what, "that is the least-squares line: delta is ignored. Reweight every "
                         "point with wᵢ = min(1, δ/|rᵢ|) and solve again, n_iter times")
    if _squared_weights_stationary(got, x, y, delta):
        raise Fail(what, "the weights enter squared: least squares on rows scaled by w "
                         "minimises Σ w² r²; scale the rows of the design matrix and y by √w")
    if _close_to(got, line_of("mae"), ref, x):
        raise Fail(what, "that is (close to) the least-absolute-deviation line: with weights "
                         "δ/|r| every point is treated as an outlier. Use min(1, δ/|r|), so "
                         "points with |r| ≤ δ keep weight 1, and the delta passed in")
    if delta != 1.0 and _close_to(got, line_of("huber", delta=1.0), ref, x):
        raise Fail(what, "that is the Huber line for δ = 1: use the delta argument")
    loss_got = float(losses.huber(y, got[0] * x + got[1], delta=delta))
    raise Fail(what, f"your line's mean Huber loss is {loss_got:.6g}, the best line's "
                     f"{fit.objective:.6g}: recompute the weights min(1, δ/|r|) from the "
                     "current residuals in every iteration, and iterate until the line stops "
                     "moving")


@check("fit_huber_line returns the line with the lowest mean Huber loss (predictions within "
       "1e-6 × the range of y of lossviz.robust.fit_line's) on 12 points with two outliers "
       "(δ = 2) and on the 442 diabetes patients, BMI → progression (δ = 40)")
def check_irls_huber(fn: Any) -> None:
    r"""Check ``fit_huber_line(x, y, delta, n_iter=50)``, the Huber line by IRLS.

    The learner writes ``fit_huber_line(x, y, delta, n_iter=50)`` returning
    ``(slope, intercept)`` (two floats, in this order) of the line
    :math:`\hat y = a x + b` minimising the mean Huber loss
    :math:`\frac1n\sum_i \ell_\delta(a x_i + b - y_i)` (:func:`lossviz.losses.huber`):
    iteratively reweighted least squares, starting from the least-squares line (all weights
    1), with weights :math:`w_i = \min(1, \delta / |r_i|)` from the current residuals and a
    weighted least-squares solve (rows of ``[x, 1]`` and ``y`` scaled by
    :math:`\sqrt{w_i}`), ``n_iter`` times. Gradient descent is accepted too if it reaches the
    tolerance. The check calls ``fit_huber_line(x, y, delta)`` (``n_iter`` at its default).

    Data: (a) 12 synthetic points ``x = 0, 1, ..., 11`` near :math:`y = 2 + x/2` with two
    outliers, ``delta = 2``; (b) :func:`diabetes_bmi` (BMI in kg/m² → disease progression,
    442 patients), ``delta =`` :data:`IRLS_DELTA` = 40. Expected lines come from
    :func:`lossviz.robust.fit_line` ``(x, y, "huber", delta=delta)``; on the diabetes data
    the slope is 11.35 progression units per kg/m² (least squares: 10.23). A fit passes when
    every prediction on the data is within :data:`IRLS_RTOL` × (max y − min y) of the
    exact line's (3e-4 progression units on the diabetes data; a correct 50-iteration IRLS
    is within 3e-13, a 20-iteration one started at zero within 8e-6).

    Hints: slope and intercept swapped, a zero intercept, the least-squares line (delta
    ignored), weights entering squared (rows scaled by w instead of √w), the
    least-absolute-deviation line (weights δ/|r| without the min(1, ·)), the line for
    δ = 1; otherwise the mean Huber loss of the learner's line against the optimum.

    Args:
        fn: the learner's ``fit_huber_line(x, y, delta, n_iter=50)``.
    """
    if is_placeholder(fn):
        raise Fail(NOT_IMPLEMENTED)
    if not callable(fn):
        raise Fail(f"expected the function `fit_huber_line(x, y, delta, n_iter=50)`, got "
                   f"{type(fn).__name__} {fmt(fn)}",
                   "pass the function itself, without calling it: "
                   "check_irls_huber(fit_huber_line)")
    _check_huber_line(fn, _SYNTH_X, _SYNTH_Y, _SYNTH_DELTA, "12 points with two outliers")
    x, y = diabetes_bmi()
    _check_huber_line(fn, x, y, IRLS_DELTA, "the diabetes data (BMI → progression)")


# --------------------------------------------------------------------------------------
# The quantile level of an asymmetric cost (a value answer)
# --------------------------------------------------------------------------------------

#: Lost profit per customer turned away because the bakery ran out (€ per loaf too few).
SHORTAGE_COST = 4.0

#: Cost of a loaf left unsold at closing time (€ per loaf too many).
SURPLUS_COST = 1.0

_TAU = 0.8  # SHORTAGE_COST / (SHORTAGE_COST + SURPLUS_COST) = 4 / 5
_TAU_MISTAKES = {
    0.2: "τ is flipped: in the pinball loss an under-prediction (too few loaves, y > q) "
         "costs τ per unit, so τ goes with the shortage cost",
    0.25: "that is the ratio of the costs, 1/4; τ is a fraction of the total, "
          "τ / (1 − τ) = shortage cost / surplus cost",
    4.0: "that is the ratio of the costs, 4/1; τ is a fraction of the total, "
         "τ / (1 − τ) = shortage cost / surplus cost",
    0.5: "τ = 0.5 (the median) treats both errors alike; here a loaf too few costs 4 times "
         "as much as a loaf too many",
    80.0: "give τ as a fraction between 0 and 1, not a percentage",
    20.0: "give τ as a fraction between 0 and 1, not a percentage (and τ is flipped)",
}


@check("τ = shortage / (shortage + surplus) = 4 / 5: the bake quantity targets the "
       "0.8-quantile of demand")
def check_asymmetric_tau(value: Any) -> None:
    r"""Check the quantile level τ for the bakery's asymmetric costs.

    The problem (the chapter's prompt should say this, using :data:`SHORTAGE_COST` and
    :data:`SURPLUS_COST`): a bakery decides each morning how many loaves ``q`` to bake for an
    uncertain demand ``y``. Each loaf left unsold costs ``SURPLUS_COST`` = €1, each customer
    turned away costs ``SHORTAGE_COST`` = €4 in lost profit, so the day's cost is
    :math:`4\,(y - q)` if :math:`y > q` and :math:`1\,(q - y)` otherwise. With the pinball
    loss (under-prediction costs :math:`\tau` per unit, over-prediction :math:`1 - \tau`),
    which quantile level τ of the demand should the bake quantity target? The learner passes
    the number; the answer is :math:`\tau = 4 / (4 + 1) = 0.8` (the cost is 5 × the pinball
    loss with τ = 0.8, the newsvendor's critical ratio). Accepted within 1e-6.

    Hints: 0.2 (flipped), 0.25 or 4 (a ratio of the costs, not a fraction), 0.5 (no
    asymmetry), 80 or 20 (a percentage).

    Args:
        value: the learner's τ, a number.
    """
    tau = require_value(value, "τ")
    hint = None if 0.0 < tau < 1.0 else "τ is a quantile level: a number strictly between 0 and 1"
    expect_close(
        tau, _TAU, rtol=0.0, atol=1e-6, mistakes=_TAU_MISTAKES,
        what=f"the quantile level τ for a shortage cost of €{SHORTAGE_COST:g} and a surplus "
             f"cost of €{SURPLUS_COST:g} per loaf",
        hint=hint or "a loaf too few (under-prediction) costs τ in the pinball loss and a "
                     "loaf too many 1 − τ: which τ makes these two costs stand "
                     f"{SHORTAGE_COST:g} : {SURPLUS_COST:g}?",
    )
