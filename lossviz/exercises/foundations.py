"""Checks for chapter 00, *Foundations*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values are precomputed numbers or come from
:mod:`lossviz.losses` / :mod:`lossviz.metrics`; the solutions live only in the chapter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import data, metrics
from ..losses import mse as _mse_reference
from ._check import (
    Fail,
    as_array,
    as_number,
    call,
    check,
    expect_close,
    finite_difference,
    fmt,
    require_function,
    require_value,
)

__all__ = [
    "BEST_CONSTANT_DATA",
    "check_best_constant",
    "check_early_stopping",
    "check_grad_theta",
    "check_gradient_descent",
    "check_mse",
    "check_precision_recall_f1",
]

# --------------------------------------------------------------------------------------
# mse(y, y_hat)
# --------------------------------------------------------------------------------------

_MSE_HINT_SUM = "did you sum instead of averaging? Divide by the number of examples (np.mean)"
_MSE_HINT_ABS = "that is the mean *absolute* error: square the residuals instead of np.abs"
_MSE_HINT_RMSE = "that is the root mean squared error: leave out the square root"
_MSE_HINT_NOSQUARE = "did you forget to square the residuals? Positive and negative ones cancel"
_MSE_HINT_HALF = "drop the factor ½: the course's MSE is the plain mean of squared residuals"

# y = [1, 2, 3], ŷ = [1, 4, 0]: residuals 0, 2, -3, squares 0, 4, 9
_MSE_CASES = (
    (
        [1.0, 2.0, 3.0], [1.0, 4.0, 0.0], 13 / 3,
        {13.0: _MSE_HINT_SUM, 5 / 3: _MSE_HINT_ABS, 5.0: _MSE_HINT_ABS + " (and average)",
         float(np.sqrt(13 / 3)): _MSE_HINT_RMSE, 1 / 3: _MSE_HINT_NOSQUARE,
         -1 / 3: _MSE_HINT_NOSQUARE, 13 / 6: _MSE_HINT_HALF, 13 / 2: _MSE_HINT_SUM},
    ),
    ([1.0, 2.0], [1.0, 4.0], 2.0, {4.0: _MSE_HINT_SUM, 1.0: _MSE_HINT_ABS,
                                   float(np.sqrt(2.0)): _MSE_HINT_RMSE}),
)


@check("mse(y, ŷ) matches the mean squared error on 2 fixed and 10 random cases, "
       "is 0 for a perfect prediction and returns one number")
def check_mse(fn: Any) -> None:
    fn = require_function(fn, "mse(y, y_hat)")
    for y, y_hat, expected, mistakes in _MSE_CASES:
        y, y_hat = np.array(y), np.array(y_hat)
        got = as_number(call(fn, "mse", y, y_hat), f"mse({fmt(y)}, {fmt(y_hat)})")
        expect_close(got, expected, mistakes=mistakes,
                     what=f"the loss for y={fmt(y)}, ŷ={fmt(y_hat)}")
    perfect = np.array([0.5, -2.0, 3.0, 7.0])
    got = as_number(call(fn, "mse", perfect, perfect.copy()), "mse(y, y)")
    expect_close(got, 0.0, what=f"the loss of a perfect prediction, y = ŷ = {fmt(perfect)},",
                 hint="identical arrays have residual 0 everywhere")
    rng = np.random.default_rng(0)
    for n in (1, 5, 17, 100, 3, 8, 50, 2, 31, 64):
        y, y_hat = rng.normal(0, 3, n), rng.normal(0, 3, n)
        got = as_number(call(fn, "mse", y, y_hat), "mse(y, y_hat)")
        expect_close(got, float(_mse_reference(y, y_hat)), rtol=1e-8,
                     what=f"the loss on random arrays of length {n}",
                     hint="it must work for any length n, not just the examples above")


# --------------------------------------------------------------------------------------
# grad_theta(theta, x, y)
# --------------------------------------------------------------------------------------

# θ = 1.5, x = [1, 2, 3], y = [2, 3, 7]: residuals θx − y = −0.5, 0, −2.5
_GRAD_X = np.array([1.0, 2.0, 3.0])
_GRAD_Y = np.array([2.0, 3.0, 7.0])
_GRAD_MISTAKES = {
    -8 / 3: "a factor 2 is missing: d/dθ (θx − y)² = 2 (θx − y) · x",
    -2.0: "the chain rule's factor x is missing: d(θx − y)/dθ = x",
    16 / 3: "the sign is flipped: the residual is θx − y (prediction minus target)",
    8 / 3: "the sign is flipped and a factor 2 is missing",
    -1.0: "both the factor 2 and the chain rule's factor x are missing",
    -16.0: "did you sum instead of averaging? L is a mean, so is its gradient",
    -8.0: "did you sum instead of averaging, and drop the factor 2?",
}


def _loss_theta(theta: float, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((theta * x - y) ** 2))  # the loss L(θ), not the exercise's answer


@check("grad_theta(θ, x, y) matches the exact gradient of L(θ) = mean((θx − y)²) on a fixed case "
       "and finite differences on 10 random cases, and is 0 at the least-squares θ")
def check_grad_theta(fn: Any) -> None:
    fn = require_function(fn, "grad_theta(theta, x, y)")
    got = as_number(call(fn, "grad_theta", 1.5, _GRAD_X, _GRAD_Y), "grad_theta(1.5, x, y)")
    expect_close(got, -16 / 3, mistakes=_GRAD_MISTAKES,
                 what="the gradient at θ=1.5 for x=[1, 2, 3], y=[2, 3, 7]")
    rng = np.random.default_rng(1)
    for n in (1, 4, 10, 25, 7, 3, 40, 2, 12, 60):
        x, y, theta = rng.normal(0, 2, n), rng.normal(0, 2, n), float(rng.normal(0, 2))
        got = as_number(call(fn, "grad_theta", theta, x, y), "grad_theta(theta, x, y)")
        numeric = finite_difference(lambda t, x=x, y=y: _loss_theta(t, x, y), theta)
        expect_close(got, numeric, rtol=1e-5, atol=1e-7,
                     what=f"the gradient at θ={theta:.3g} on random data of length {n} "
                          "(finite differences)",
                     hint="it must work for any θ and any length n: average over all examples")
    theta_star = float(np.sum(_GRAD_X * _GRAD_Y) / np.sum(_GRAD_X**2))
    got = as_number(call(fn, "grad_theta", theta_star, _GRAD_X, _GRAD_Y), "grad_theta")
    expect_close(got, 0.0, atol=1e-9, what=f"the gradient at the minimum θ*={theta_star:.4g}",
                 hint="at the minimum of L the gradient vanishes")


# --------------------------------------------------------------------------------------
# gradient_descent(theta0, eta, n_steps, x, y)
# --------------------------------------------------------------------------------------

# Precomputed trajectories of θ ← θ − η · mean(2(θx − y)x) on x = [1, 2, 3], y = [2, 3, 7]
# (θ* = 29/14 ≈ 2.0714). Each entry: θ₀, η, n_steps, trajectory, θ₁ if ascending,
# θ₁ if η is left out.
_GD_CASES = (
    (0.0, 0.05, 5,
     [0.0, 0.9666666666666667, 1.482222222222222, 1.7571851851851852, 1.903832098765432,
      1.9820437860082305],
     -0.9666666666666667, 19.333333333333332),
    (3.0, 0.02, 4,
     [3.0, 2.8266666666666667, 2.685688888888889, 2.571026962962963, 2.4777685965432097],
     3.1733333333333333, -5.666666666666666),
    (-1.0, 0.1, 3,
     [-1.0, 1.8666666666666671, 2.057777777777778, 2.0705185185185186],
     -3.866666666666667, 27.666666666666668),
    (2.0, 0.05, 0, [2.0], None, None),
)


@check("gradient_descent returns θ₀, θ₁, …, θₙ (n_steps + 1 values) matching precomputed "
       "trajectories for 4 settings of θ₀, η and n_steps")
def check_gradient_descent(fn: Any) -> None:
    fn = require_function(fn, "gradient_descent(theta0, eta, n_steps, x, y)")
    for theta0, eta, n_steps, expected, ascent1, no_eta1 in _GD_CASES:
        expected = np.array(expected)
        name = f"gradient_descent({fmt(theta0)}, {eta}, {n_steps}, x, y)"
        got = as_array(call(fn, "gradient_descent", theta0, eta, n_steps, _GRAD_X, _GRAD_Y), name)
        if got.size != n_steps + 1:
            hint = "return all n_steps + 1 values, starting with θ₀ itself"
            if got.size == n_steps and n_steps > 0:
                if np.allclose(got, expected[1:]):
                    hint = "θ₀ is missing: start the list with the initial value"
                elif np.allclose(got, expected[:-1]):
                    hint = "one step is missing: loop n_steps times, after recording θ₀"
                else:
                    hint = "off by one: " + hint
            elif got.size == n_steps + 2:
                hint = "off by one: you took one step too many (loop range(n_steps))"
            raise Fail(f"{name} returned {got.size} values, expected n_steps + 1 = {n_steps + 1}",
                       hint)
        if not np.isclose(got[0], theta0):
            raise Fail(f"{name} starts with {fmt(got[0])}, expected θ₀ = {fmt(theta0)}",
                       "the first value is the starting point θ₀, before any step")
        if n_steps == 0:
            continue
        mistakes = {ascent1: "the step goes uphill: subtract η · gradient (θ − η g), do not add",
                    no_eta1: "the learning rate is missing: the step is η times the gradient"}
        expect_close(float(got[1]), expected[1], mistakes=mistakes, rtol=1e-7,
                     what=f"θ₁ for θ₀={fmt(theta0)}, η={eta}")
        bad = np.flatnonzero(~np.isclose(got, expected, rtol=1e-7, atol=1e-10))
        if bad.size:
            k = int(bad[0])
            raise Fail(
                f"θ_{k} for θ₀={fmt(theta0)}, η={eta} should be {fmt(expected[k])}, "
                f"got {fmt(got[k])}",
                "evaluate the gradient at the current θ in every step (not always at θ₀)",
            )


# --------------------------------------------------------------------------------------
# precision_recall_f1(y_true, y_pred)
# --------------------------------------------------------------------------------------

# TP = 3, FP = 1, FN = 2, TN = 2: precision 3/4, recall 3/5, F1 = 2/3
_PRF_TRUE = np.array([1, 1, 1, 0, 0, 1, 0, 1])
_PRF_PRED = np.array([1, 0, 1, 1, 0, 0, 0, 1])


def _triple(value: Any, what: str, nan_hint: str | None = None) -> tuple[float, float, float]:
    if isinstance(value, (int, float, np.number)) or value is None:
        raise Fail(f"{what} returned {fmt(value)}, expected a tuple (precision, recall, f1)",
                   "return all three: return precision, recall, f1")
    try:
        items = list(value)
    except TypeError:
        raise Fail(f"{what} returned {type(value).__name__}, expected a tuple of 3 numbers") from None
    if len(items) != 3:
        raise Fail(f"{what} returned {len(items)} values, expected 3 (precision, recall, f1)")
    names = ("precision", "recall", "f1")
    p, r, f = (as_number(v, f"{what} ({names[i]})", nan_hint=nan_hint) for i, v in enumerate(items))
    return p, r, f


@check("precision_recall_f1 agrees with scikit-learn's precision, recall and F1 on a fixed case, "
       "20 random cases, the no-predicted-positives case (0.0 by convention) and all 569 "
       "breast-cancer tumours flagged by the rule 'mean radius > 15'")
def check_precision_recall_f1(fn: Any) -> None:
    fn = require_function(fn, "precision_recall_f1(y_true, y_pred)")
    what = "precision_recall_f1(y_true, y_pred)"
    p, r, f = _triple(call(fn, "precision_recall_f1", _PRF_TRUE, _PRF_PRED), what)
    case = f"y_true={fmt(_PRF_TRUE)}, y_pred={fmt(_PRF_PRED)} (TP=3, FP=1, FN=2)"
    if np.isclose(p, 0.6) and np.isclose(r, 0.75):
        raise Fail(f"precision and recall for {case} should be 0.75 and 0.6, got 0.6 and 0.75",
                   "they are swapped: precision = TP / (TP + FP), recall = TP / (TP + FN)")
    expect_close(p, 0.75, what=f"the precision for {case}", rtol=1e-9,
                 mistakes={0.625: "that is the accuracy; precision = TP / (TP + FP)",
                           0.6: "that is the recall; precision = TP / (TP + FP)"})
    expect_close(r, 0.6, what=f"the recall for {case}", rtol=1e-9,
                 mistakes={0.75: "that is the precision; recall = TP / (TP + FN)",
                           0.5: "recall divides TP by the actual positives, TP + FN"})
    expect_close(f, 2 / 3, what=f"F1 for {case}", rtol=1e-9,
                 mistakes={0.675: "that is the arithmetic mean; F1 is the harmonic mean "
                                  "2PR / (P + R)"})
    none_pred = np.zeros(6, dtype=int)
    y_true = np.array([1, 0, 1, 0, 0, 1])
    convention = ("precision is 0/0 when nothing is predicted positive: the convention "
                  "(scikit-learn's zero_division default) is 0.0 — guard the division")
    p, r, f = _triple(call(fn, "precision_recall_f1", y_true, none_pred),
                      f"precision_recall_f1({fmt(y_true)}, {fmt(none_pred)})", nan_hint=convention)
    for got, name in ((p, "precision"), (r, "recall"), (f, "F1")):
        expect_close(got, 0.0, what=f"{name} when nothing is predicted positive",
                     hint=convention)
    rng = np.random.default_rng(2)
    for n in (5, 10, 30, 100, 7, 12, 50, 3, 20, 40, 8, 60, 15, 25, 9, 11, 6, 70, 4, 90):
        y_true, y_pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
        _expect_metrics(fn, y_true, y_pred, f"for y_true={fmt(y_true)}, y_pred={fmt(y_pred)}",
                        hint="count TP, FP and FN with boolean masks, e.g. "
                             "np.sum((y_true == 1) & (y_pred == 1))")
    # Real data: every tumour of scikit-learn's breast-cancer set (malignant = 1), flagged by
    # a one-feature rule, so the counts are large and the classes unbalanced.
    real = data.load_breast_cancer(val_size=0.0, test_size=0.0, standardize_features=False)
    radius = real.X_train[:, list(real.feature_names).index("mean radius")]
    _expect_metrics(fn, real.y_train, (radius > 15).astype(int),
                    "on the 569 breast-cancer tumours (rule: mean radius > 15)",
                    hint="the random cases pass, so look at what changes with 569 examples: "
                         "integer division, or labels stored as floats")


def _expect_metrics(fn: Any, y_true: np.ndarray, y_pred: np.ndarray, case: str,
                    hint: str) -> None:
    """The learner's (precision, recall, F1) must equal lossviz.metrics' on one case."""
    got = _triple(call(fn, "precision_recall_f1", y_true, y_pred),
                  "precision_recall_f1(y_true, y_pred)")
    for value, name, ref in zip(got, ("precision", "recall", "F1"),
                                (metrics.precision, metrics.recall, metrics.f1), strict=True):
        expect_close(value, ref(y_true, y_pred), rtol=1e-9, what=f"{name} {case}", hint=hint)


# --------------------------------------------------------------------------------------
# early_stopping_epoch(val_losses, patience)
# --------------------------------------------------------------------------------------

_ES_STOP = ("that is the epoch where training stops; return the epoch whose weights you "
            "keep, the one with the lowest validation loss")
_ES_STRICT = ("a tie is not an improvement: count an epoch as better only if its loss is "
              "strictly lower (<, not <=)")
_ES_PATIENCE = ("training stops after `patience` epochs in a row without improvement; a "
                "later, lower loss is never seen")
_ES_ONE_BASED = "epochs are counted from 0 (the index into val_losses)"
_ES_LAST = "the run ended without stopping: return the best epoch, not the last one"
_ES_EARLY = ("you stopped one epoch too early: stop only after `patience` epochs without "
             "improvement, and reset the count when the loss improves")

# (val_losses, patience, expected, {wrong answer: hint})
_ES_CASES: tuple[tuple[list[float], int, int, dict[float, str]], ...] = (
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9, 0.65], 3, 2,
     {5: _ES_STOP, 7: _ES_PATIENCE, 3: _ES_ONE_BASED, 6: _ES_STOP}),
    ([1.0, 0.9, 0.95, 0.5], 1, 1, {2: _ES_STOP, 3: _ES_PATIENCE}),
    ([1.0, 0.8, 0.8, 0.8, 0.6], 2, 1, {4: _ES_STRICT, 3: _ES_STOP, 2: _ES_ONE_BASED}),
    ([1.0, 0.5, 0.7, 0.5, 0.9], 5, 1, {3: _ES_STRICT, 4: _ES_LAST, 2: _ES_ONE_BASED}),
    ([2.0, 1.0, 1.5, 1.2, 1.1, 0.9], 4, 5, {1: _ES_EARLY, 6: _ES_ONE_BASED}),
    ([3.0, 2.0, 2.5, 1.5, 1.6], 10, 3, {4: _ES_LAST}),
    ([5.0, 4.0, 3.0, 2.0, 1.0], 1, 4, {5: _ES_ONE_BASED}),
    ([0.3], 2, 0, {1: _ES_ONE_BASED}),
)


@check("early_stopping_epoch returns the epoch to keep on 8 precomputed runs (ties, patience "
       "longer than the run, an improving-only run, a single epoch)")
def check_early_stopping(fn: Any) -> None:
    fn = require_function(fn, "early_stopping_epoch(val_losses, patience)")
    for losses, patience, expected, mistakes in _ES_CASES:
        name = f"early_stopping_epoch({fmt(losses)}, patience={patience})"
        # a plain list, like History.val_loss
        got = call(fn, "early_stopping_epoch", list(losses), patience)
        if isinstance(got, (float, np.floating)) and not float(got).is_integer():
            raise Fail(f"{name} returned {fmt(got)}, expected an epoch index",
                       "return the index of the epoch, not its loss")
        value = as_number(got, name)
        value = int(value) if value.is_integer() else value
        expect_close(value, expected, what=name, mistakes=mistakes, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------
# best constant under MAE (a value answer)
# --------------------------------------------------------------------------------------

#: The data of the "best constant" exercise: find c minimising mean(|BEST_CONSTANT_DATA − c|).
BEST_CONSTANT_DATA = np.array([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0, 30.0])
BEST_CONSTANT_DATA.setflags(write=False)


@check("c minimises the mean absolute error of BEST_CONSTANT_DATA")
def check_best_constant(value: Any) -> None:
    c = require_value(value, "the best constant c")
    data = BEST_CONSTANT_DATA
    expected = 4.0  # the median of the 9 values (precomputed)
    mean = float(data.mean())
    expect_close(
        c, expected, atol=1e-9, rtol=0,
        what="the constant c minimising mean(|BEST_CONSTANT_DATA − c|)",
        mistakes={
            mean: "that is the mean, which minimises the *squared* error; with absolute "
                  "errors, which value has as many data points above as below?",
            (data.min() + data.max()) / 2: "that is the midrange; it minimises the largest "
                                           "error, not the average absolute error",
        },
        hint="plot mean(|data − c|) against c, or sort the data and look at the middle",
    )
