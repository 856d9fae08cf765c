"""Checks for chapter 04, *Regularization*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values are precomputed numbers or come from
``lossviz.regularization``, :mod:`lossviz.losses` and :mod:`lossviz.models`; the
solutions live only in the chapter.

The chapter imports the data and constants its prompts print::

    from lossviz.exercises.regularization import (
        COUNT_LAMBDA, CV_FOLDS, CV_LAMBDAS, CV_SEED, diabetes_quadratic,
        diabetes_standardized, check_cv_lambda, check_l2_loss_and_grad,
        check_lasso_survivors, check_soft_threshold,
    )

The two real-data exercises use scikit-learn's diabetes data (442 patients, bundled with
scikit-learn). In scikit-learn's ``Lasso(alpha=...)`` the ``alpha`` is the chapter's λ
exactly (both minimise (1/2n)‖y − Xw − b‖² + λ‖w‖₁), so learners may use it or
``lossviz.regularization``.
"""

from __future__ import annotations

import functools
import numbers
from typing import Any

import numpy as np

from .. import losses
from .. import regularization as reg
from ..losses._core import FloatArray
from ..models import LinearRegression
from ._check import (
    Fail,
    as_number,
    call,
    check,
    expect_close,
    finite_difference_gradient,
    fmt,
    hint_when,
    require_function,
    require_value,
)

__all__ = [
    "COUNT_LAMBDA",
    "CV_FOLDS",
    "CV_LAMBDAS",
    "CV_SEED",
    "check_cv_lambda",
    "check_l2_loss_and_grad",
    "check_lasso_survivors",
    "check_soft_threshold",
    "diabetes_quadratic",
    "diabetes_standardized",
]


def _close(a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


# --------------------------------------------------------------------------------------
# The diabetes data, two ways
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _diabetes() -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=False)  # original units; bundled, nothing is downloaded
    X = np.asarray(bunch.data, dtype=np.float64)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, np.asarray(bunch.target, dtype=np.float64), tuple(bunch.feature_names)


def diabetes_standardized() -> tuple[FloatArray, FloatArray, list[str]]:
    """The 10 diabetes features, standardised, and the disease progression.

    ``sklearn.datasets.load_diabetes(scaled=False)`` (all 442 patients, no shuffling), each
    feature centred and divided by its standard deviation (``ddof=0``, as scikit-learn's
    ``StandardScaler``) over all patients, so one λ penalises every feature alike; the
    target ``y`` is in its original units (25 to 346, a measure of disease progression
    one year after baseline). Names: ``age, sex, bmi, bp, s1, ..., s6``.

    Returns:
        ``(X, y, names)``: shapes ``(442, 10)`` and ``(442,)``, and the 10 column names.
    """
    X, y, names = _diabetes()
    return X.copy(), y.copy(), list(names)


@functools.lru_cache(maxsize=1)
def _quadratic() -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    X, y, names = _diabetes()
    columns, labels = [X[:, j] for j in range(10)], list(names)
    for j in range(10):
        for k in range(j, 10):
            if names[j] == names[k] == "sex":
                continue  # sex takes two values: sex² is a linear function of sex
            columns.append(X[:, j] * X[:, k])
            labels.append(f"{names[j]}^2" if j == k else f"{names[j]}*{names[k]}")
    Q = np.column_stack(columns)
    return (Q - Q.mean(axis=0)) / Q.std(axis=0), y, tuple(labels)


def diabetes_quadratic() -> tuple[FloatArray, FloatArray, list[str]]:
    """The 64-feature quadratic diabetes model of Efron et al. (2004), standardised.

    The 10 standardised features of :func:`diabetes_standardized`, then their 9 squares
    (not sex²: sex takes two values, so its square is a linear function of it) and 45
    pairwise products, in scikit-learn's ``PolynomialFeatures(2)`` order; every column is
    standardised again. With 64 features and 442 patients, least squares over-fits and
    λ matters: the cross-validation exercise uses this design. Target as in
    :func:`diabetes_standardized`.

    Returns:
        ``(X, y, names)``: shapes ``(442, 64)`` and ``(442,)``, and the 64 column names
        (``"bmi"``, ``"bmi^2"``, ``"bmi*bp"``, ...).
    """
    X, y, names = _quadratic()
    return X.copy(), y.copy(), list(names)


# --------------------------------------------------------------------------------------
# l2_loss_and_grad(w, X, y, lam)
# --------------------------------------------------------------------------------------

# X = [[1, 2], [0, 1], [3, −1]], y = [1, 0, 2], w = [0.5, −1], λ = 0.1:
# Xw − y = [−2.5, −1, 0.5], MSE = 7.5/3 = 2.5, λ‖w‖² = 0.125, J = 2.625;
# (2/n) Xᵀ(Xw − y) = [−2/3, −13/3], 2λw = [0.1, −0.2], ∇J = [−17/30, −68/15]
_L2_X = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]])
_L2_Y = np.array([1.0, 0.0, 2.0])
_L2_W = np.array([0.5, -1.0])
_L2_LAM = 0.1
_L2_CASE = "w=[0.5, -1], X=[[1, 2], [0, 1], [3, -1]], y=[1, 0, 2], λ=0.1"
_L2_CALL = "l2_loss_and_grad(w, X, y, lam)"
_L2_LOSS = 2.625
_L2_GRAD = np.array([-17 / 30, -68 / 15])

_CHAPTER_J = ("that is ½·MSE + ½λ‖w‖², the chapter's objective J of lossviz.regularization "
              "(scikit-learn's Lasso and ElasticNet scaling): here the exercise asks for "
              "exactly twice that, MSE + λ‖w‖²")
_L2_LOSS_MISTAKES = {
    2.5625: "the penalty is λ‖w‖² = λ·Σw², not ½λ‖w‖² (lossviz.models writes ½λ, with a "
            "λ twice as large; this exercise does not)",
    7.625: "did you sum the squared residuals instead of averaging? The data term is the "
           "mean over the n examples",
    7.875: "did you sum instead of averaging? The data term is the mean of the squared "
           "residuals, and the penalty is not multiplied by n",
    1.375: "the data term is the MSE, mean((Xw − y)²), without a factor ½",
    1.3125: _CHAPTER_J,
    2.5: "the penalty is missing: add λ·Σⱼ wⱼ²",
    2.6118033988749896: "the penalty is λ‖w‖² = λ·Σw², the *squared* norm, not λ‖w‖ "
                        "(np.linalg.norm(w) is the norm itself)",
    2.65: "that is an L1 penalty, λ·Σ|w|; the L2 penalty squares the weights: λ·Σw²",
    2.5125: "the penalty is λ·Σw², not λ²·Σw²",
    2.5416666666666665: "the penalty λ‖w‖² is added once, not averaged over the examples",
}
_DATA_GRAD = np.array([-2 / 3, -13 / 3])
_L2_GRAD_MISTAKES = (
    (_DATA_GRAD, "the gradient of the penalty is missing: d(λΣw²)/dw = 2λw"),
    ([-0.6166666666666667, -4.433333333333333],
     "the derivative of λ‖w‖² = λΣw² is 2λw, not λw"),
    ([-1.9, -13.2], "divide the data term's gradient by n: the loss is the *mean* of the "
                    "squared residuals, so ∇ = (2/n)·Xᵀ(Xw − y) + 2λw"),
    ([-0.23333333333333334, -2.3666666666666667],
     "a factor 2 is missing in the data term: d/dw mean((Xw − y)²) = (2/n)·Xᵀ(Xw − y)"),
    ([-0.2833333333333333, -2.2666666666666666], _CHAPTER_J + " (its gradient is half)"),
    ([0.7666666666666667, 4.133333333333333],
     "the data term's sign is flipped: the residual is Xw − y (prediction minus target), "
     "and ∇ = (2/n)·Xᵀ(Xw − y)"),
    ([0.5666666666666667, 4.533333333333333],
     "the sign is flipped: this is −∇J, the direction gradient descent steps in, not ∇J"),
    ([-0.5666666666666667, -4.433333333333333],
     "that is the gradient of an L1 penalty, λ·sign(w); the L2 penalty's is 2λw"),
)
_L2_SHAPES = ((5, 3, 0.5), (20, 1, 0.01), (1, 4, 3.7), (50, 10, 0.0), (8, 8, 100.0),
              (30, 2, 1.0))


def _loss_and_grad(value: Any, what: str, p: int) -> tuple[float, np.ndarray]:
    """The learner's ``(objective, gradient)``: one number and an array of shape (p,)."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    if isinstance(value, numbers.Real) or (isinstance(value, np.ndarray) and value.ndim == 0):
        raise Fail(f"{what} returned one number, {fmt(value)}, expected two things: the "
                   "objective and its gradient", "return both: return loss, grad")
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        size = len(value) if isinstance(value, (tuple, list)) else None
        raise Fail(f"{what} returned {type(value).__name__}"
                   + (f" of {size} values" if size is not None else "")
                   + ", expected a tuple (loss, grad)", "return both: return loss, grad")
    loss_value, grad_value = value
    if np.ndim(loss_value) == 1 and np.ndim(grad_value) == 0:
        raise Fail(f"{what} returned (array, number): the order is swapped",
                   "return the objective first, then the gradient: return loss, grad")
    loss = as_number(loss_value, f"{what} (the objective)")
    try:
        grad = np.asarray(grad_value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned a gradient of type {type(grad_value).__name__}, "
                   "expected an array of numbers") from None
    if grad.shape != (p,):
        n_hint = ("that has one entry per example: it is the gradient with respect to the "
                  "predictions; chain it through ŷ = Xw with Xᵀ to get one entry per weight")
        raise Fail(f"{what} returned a gradient of shape {grad.shape}, expected ({p},), the "
                   "shape of w",
                   n_hint if grad.ndim == 1 else "return one partial derivative ∂J/∂wⱼ per "
                   "weight, a 1-D array like w")
    if np.any(np.isnan(grad)):
        raise Fail(f"{what} returned nan in the gradient", "look for a 0/0 in your formula")
    return loss, grad


def _reference(w: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float
               ) -> tuple[float, np.ndarray]:
    """J and ∇J from lossviz: 2 × the chapter's objective, and the model's backward pass."""
    value = 2.0 * reg.penalized_objective(X, y, w, 0.0, lam, 0.0)
    model = LinearRegression(X.shape[1], l2=2.0 * lam)  # ½·(2λ)‖w‖² = λ‖w‖²
    model.set_params({"w": w, "b": 0.0})
    grads = model.backward(X, losses.get("mse").grad(y, X @ w))
    return value, grads["w"]


@check("l2_loss_and_grad returns J(w) = mean((Xw − y)²) + λ‖w‖² and its gradient "
       "(2/n)·Xᵀ(Xw − y) + 2λw on a fixed case, at λ = 0 and on 6 random cases, and the "
       "gradient matches finite differences of your J")
def check_l2_loss_and_grad(fn: Any) -> None:
    r"""Check ``l2_loss_and_grad(w, X, y, lam)``: the MSE with an L2 penalty, and its gradient.

    The learner writes, with numpy only, for weights ``w`` (shape ``(p,)``), inputs ``X``
    (shape ``(n, p)``, no column of ones: every weight is penalised), targets ``y`` (shape
    ``(n,)``) and ``lam`` = λ >= 0, a function returning the tuple ``(loss, grad)``:

    .. math::
        J(w) = \frac1n \sum_i (x_i^\top w - y_i)^2 + \lambda \lVert w\rVert_2^2,
        \qquad
        \nabla J(w) = \frac2n X^\top (Xw - y) + 2\lambda w,

    ``loss`` one float, ``grad`` an array of shape ``(p,)``. This J is twice the chapter's
    objective (½·MSE + ½λ‖w‖², ``lossviz.regularization.penalized_objective`` with
    ρ = 0), so it has the same minimiser for the same λ: ridge, scikit-learn's
    ``Ridge(alpha=n * lam)``. (:class:`lossviz.models.LinearRegression` writes the same
    objective as MSE + ½·l2·‖w‖² with ``l2 = 2λ``.)

    What is checked, in this order: the fixed case ``w = [0.5, -1]``,
    ``X = [[1, 2], [0, 1], [3, -1]]``, ``y = [1, 0, 2]``, ``λ = 0.1`` (J = 2.625,
    ∇J = [−17/30, −68/15]); the same case at λ = 0 (the plain MSE, 2.5); 6 random cases
    (n from 1 to 50, p from 1 to 10, λ from 0 to 100) against lossviz; the learner's
    gradient against central finite differences of the learner's own J. Hints for: ½λ‖w‖²
    (lossviz.models' convention), the chapter's ½·MSE + ½λ‖w‖², a sum instead of the
    mean, a missing or squared-norm-less penalty, an L1 penalty, the penalty missing from
    the gradient, λw instead of 2λw, a missing 1/n or factor 2, flipped signs, the
    gradient with respect to the predictions (shape (n,)), a single return value or the
    swapped order.

    Args:
        fn: the learner's ``l2_loss_and_grad(w, X, y, lam)``.
    """
    fn = require_function(fn, _L2_CALL)
    loss, grad = _loss_and_grad(call(fn, "l2_loss_and_grad", _L2_W, _L2_X, _L2_Y, _L2_LAM),
                                f"l2_loss_and_grad({fmt(_L2_W)}, X, y, 0.1)", 2)
    expect_close(loss, _L2_LOSS, what=f"the objective J for {_L2_CASE}",
                 mistakes=_L2_LOSS_MISTAKES,
                 hint="J is the mean squared residual (xᵢᵀw − yᵢ)² over the n examples "
                      "plus λ times the sum of the squared weights")
    for wrong, hint in _L2_GRAD_MISTAKES:
        if _close(grad, wrong):
            raise Fail(f"the gradient for {_L2_CASE} should be {fmt(_L2_GRAD)}, got "
                       f"{fmt(grad)}", hint)
    if not _close(grad, _L2_GRAD):
        raise Fail(f"the gradient for {_L2_CASE} should be {fmt(_L2_GRAD)}, got {fmt(grad)}",
                   "∇J = (2/n)·Xᵀ(Xw − y) + 2λw: one entry per weight")
    loss0, _ = _loss_and_grad(call(fn, "l2_loss_and_grad", _L2_W, _L2_X, _L2_Y, 0.0),
                              f"l2_loss_and_grad({fmt(_L2_W)}, X, y, 0.0)", 2)
    expect_close(loss0, 2.5, what="J with λ = 0 for the same case (the plain MSE)",
                 hint="use the lam argument: with lam = 0 the penalty vanishes")
    rng = np.random.default_rng(404)
    for n, p, lam in _L2_SHAPES:
        X, y, w = rng.normal(size=(n, p)), rng.normal(0, 2, n), rng.normal(size=p)
        loss, grad = _loss_and_grad(call(fn, "l2_loss_and_grad", w, X, y, lam),
                                    "l2_loss_and_grad(w, X, y, lam)", p)
        ref_loss, ref_grad = _reference(w, X, y, lam)
        case = f"random data with n={n}, p={p}, λ={fmt(lam)}"
        expect_close(loss, ref_loss, rtol=1e-8, what=f"J on {case}",
                     hint="it must work for any n, p and λ, not just the example above")
        if not _close(grad, ref_grad, rtol=1e-8, atol=1e-10):
            raise Fail(f"the gradient on {case} differs from (2/n)·Xᵀ(Xw − y) + 2λw by up "
                       f"to {np.max(np.abs(grad - ref_grad)):.3g}",
                       "it must work for any n, p and λ, not just the example above")
    # the learner's gradient against central differences of the learner's own J
    X, y, w = rng.normal(size=(12, 4)), rng.normal(size=12), rng.normal(size=4)
    _, grad = _loss_and_grad(call(fn, "l2_loss_and_grad", w, X, y, 0.7),
                             "l2_loss_and_grad(w, X, y, 0.7)", 4)

    def objective(moved: np.ndarray) -> float:
        return _loss_and_grad(call(fn, "l2_loss_and_grad", moved, X, y, 0.7),
                              "l2_loss_and_grad(w, X, y, 0.7)", 4)[0]

    numeric = finite_difference_gradient(objective, w)
    if not _close(grad, numeric, rtol=1e-5, atol=1e-7):
        raise Fail(f"your gradient {fmt(grad)} does not match central finite differences of "
                   f"your J, {fmt(numeric)}",
                   "differentiate your own objective term by term")


# --------------------------------------------------------------------------------------
# soft_threshold(v, t)
# --------------------------------------------------------------------------------------

_ST_V = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5])
_ST_CASE = "v=[-3, -1, -0.5, 0, 0.5, 1, 2.5], t=1"
_ST_EXPECTED = np.array([-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5])
_ST_MISTAKES = (
    ([-3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5],
     "that is *hard* thresholding (keep v where |v| > t): soft thresholding also moves "
     "the surviving entries toward 0 by t"),
    ([-3.0, -1.0, 0.0, 0.0, 0.0, 1.0, 2.5],
     "that is *hard* thresholding: soft thresholding also moves the surviving entries "
     "toward 0 by t, and |v| = t becomes exactly 0"),
    ([-4.0, -2.0, -1.5, -1.0, -0.5, 0.0, 1.5],
     "v − t moves every entry down; shrink toward 0 instead: sign(v)·max(|v| − t, 0)"),
    ([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5],
     "max(v − t, 0) handles only positive entries: negative ones shrink toward 0 too, "
     "sign(v)·max(|v| − t, 0)"),
    ([-2.0, 0.0, 0.5, 0.0, -0.5, 0.0, 1.5],
     "entries with |v| < t must become 0, not flip sign: take max(|v| − t, 0) before "
     "multiplying by sign(v)"),
    ([2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5],
     "the sign is lost: multiply max(|v| − t, 0) by np.sign(v)"),
    ([2.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.5], "the sign is flipped: S_t(v) keeps the sign of v"),
    ([-1.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.0],
     "that is np.clip(v, −t, t), what soft thresholding *removes*: v − clip(v, −t, t) is "
     "the answer"),
    ([-1.5, -0.5, -0.25, 0.0, 0.25, 0.5, 1.25],
     "v / (1 + t) is ridge's shrinkage (the proximal map of ½t·v²): it never reaches 0. "
     "The L1 proximal map subtracts t and stops at 0"),
    ([-2.5, -0.5, 0.0, 0.0, 0.0, 0.5, 2.0], "the threshold is t, not t/2"),
)
_ST_ELEMENTWISE = ("use numpy's element-wise functions (np.sign, np.abs, np.maximum, "
                   "np.where), not Python's max or an if on the whole array")
_ST_LENGTHS = (1, 4, 9, 30, 100, 2, 17, 64)


def _threshold_array(value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__}, expected an array of numbers"
                   ) from None
    if arr.shape != shape:
        raise Fail(f"{what} returned shape {arr.shape}, expected {shape}, the shape of v",
                   _ST_ELEMENTWISE)
    if np.any(np.isnan(arr)):
        raise Fail(f"{what} returned nan", "look for a 0/0, e.g. v / |v| at v = 0: use np.sign")
    return arr


def _st_call(fn: Any, v: np.ndarray, t: float, what: str) -> np.ndarray:
    with hint_when("truth value of an array", hint=_ST_ELEMENTWISE):
        value = call(fn, "soft_threshold", v, t)
    return _threshold_array(value, what, v.shape)


@check("soft_threshold(v, t) = sign(v)·max(|v| − t, 0), element-wise, on 2 fixed cases, "
       "t = 0, and 8 random cases with entries exactly at ±t")
def check_soft_threshold(fn: Any) -> None:
    r"""Check ``soft_threshold(v, t)``, the proximal map of :math:`t\lVert\cdot\rVert_1`.

    The learner writes, with numpy only, for a 1-D float array ``v`` and a number
    ``t >= 0``, a function returning an array of the shape of ``v``:

    .. math::
        S_t(v)_i = \operatorname{sign}(v_i)\,\max(|v_i| - t,\ 0),

    the exact minimiser of :math:`\tfrac12 (u - v_i)^2 + t|u|`: entries with
    :math:`|v_i| \le t` become exactly 0 (−0.0 is accepted), the others move toward 0 by t.
    It is the step that turns a gradient step into a lasso step (ISTA).

    What is checked: ``v = [-3, -1, -0.5, 0, 0.5, 1, 2.5]`` with ``t = 1`` →
    ``[-2, 0, 0, 0, 0, 0, 1.5]``, the same ``v`` with ``t = 0.75``, ``t = 0`` (the
    identity), and 8 random cases against ``lossviz.regularization.soft_threshold``,
    some entries exactly at ±t. Hints for: hard thresholding, v − t, a one-sided
    max(v − t, 0), a missing max (small entries flip sign), a lost or flipped sign,
    clip(v, −t, t), ridge's v/(1 + t), t/2, Python's ``max`` or ``if`` on an array.

    Args:
        fn: the learner's ``soft_threshold(v, t)``.
    """
    fn = require_function(fn, "soft_threshold(v, t)")
    got = _st_call(fn, _ST_V, 1.0, "soft_threshold(v, 1.0)")
    if not _close(got, _ST_EXPECTED):
        hint = next((h for wrong, h in _ST_MISTAKES if _close(got, wrong)),
                    "shrink every entry toward 0 by t, and set those with |v| ≤ t to 0")
        raise Fail(f"soft_threshold for {_ST_CASE} should be {fmt(_ST_EXPECTED)}, got "
                   f"{fmt(got)}", hint)
    expected = reg.soft_threshold(_ST_V, 0.75)
    got = _st_call(fn, _ST_V, 0.75, "soft_threshold(v, 0.75)")
    if not _close(got, expected):
        hint = ("that is the result for t = 1: use the t argument" if _close(got, _ST_EXPECTED)
                else "shrink every entry toward 0 by t, and set those with |v| ≤ t to 0")
        raise Fail(f"soft_threshold for the same v with t=0.75 should be {fmt(expected)}, got "
                   f"{fmt(got)}", hint)
    got = _st_call(fn, _ST_V, 0.0, "soft_threshold(v, 0.0)")
    if not _close(got, _ST_V):
        raise Fail(f"soft_threshold with t=0 should return v unchanged, {fmt(_ST_V)}, got "
                   f"{fmt(got)}", "with t = 0 nothing is shrunk")
    rng = np.random.default_rng(405)
    for n in _ST_LENGTHS:
        t = float(rng.uniform(0.1, 2.0))
        v = rng.normal(0.0, 2.0, n)
        v[: n // 4] = rng.choice([-t, t], n // 4)  # entries exactly at the threshold
        got = _st_call(fn, v, t, "soft_threshold(v, t)")
        if not _close(got, reg.soft_threshold(v, t), rtol=1e-12, atol=1e-12):
            raise Fail(f"soft_threshold on random v of length {n} (t = {t:.4g}) is wrong at "
                       f"{int(np.sum(~np.isclose(got, reg.soft_threshold(v, t))))} entries",
                       "it must work element-wise for any length; entries with |v| = t "
                       "become exactly 0")


# --------------------------------------------------------------------------------------
# λ by 5-fold cross-validation on the quadratic diabetes model (a value answer)
# --------------------------------------------------------------------------------------

#: The λ grid of the cross-validation exercise: 10^(−2), 10^(−1.9), ..., 10^2 (41 values).
CV_LAMBDAS = 10.0 ** (np.arange(-20, 21) / 10)
CV_LAMBDAS.flags.writeable = False
#: The number of folds, split by ``KFold(n_splits=CV_FOLDS, shuffle=True, random_state=CV_SEED)``.
CV_FOLDS = 5
CV_SEED = 0

# Precomputed with lossviz.regularization.kfold_cv(X, y, CV_LAMBDAS, 5, penalty="lasso",
# seed=0) on diabetes_quadratic() (tests recompute them, and LassoCV agrees to 1e-9):
_CV_BEST_INDEX = 24
_CV_BEST = float(CV_LAMBDAS[_CV_BEST_INDEX])    # 10^0.4 = 2.512
_CV_BEST_MSE = 2959.7689798978017
_CV_LOW, _CV_HIGH = float(CV_LAMBDAS[23]), float(CV_LAMBDAS[25])   # 1.995 and 3.162
_CV_MISTAKES = {
    0.01: "λ = 0.01 is the smallest λ on the grid: that is what the *training* error picks "
          "(it only falls as λ falls). Score each fit on the fold it did not see",
    100.0: "λ = 100 is where the validation MSE is *largest* (every weight is 0 there): take "
           "the λ with the lowest mean validation MSE",
    50.11872336272722: "from λ = 50 up the validation MSE is *largest* (every weight is 0 "
                       "there): take the λ with the lowest mean validation MSE",
    5.011872336272722: "that is the one-standard-error choice (the largest λ within one "
                       "standard error of the best); the exercise asks for the λ with the "
                       "lowest mean validation MSE",
    0.7943282347242815: "that is the best λ for the 10 plain features; use the 64 features "
                        "of diabetes_quadratic()",
    63.09573444801933: "that looks like Ridge(alpha=λ) instead of Lasso(alpha=λ)",
    0.19952623149688797: "that looks like ridge regression; the exercise uses the lasso, "
                         "scikit-learn's Lasso(alpha=λ)",
    2959.7689798978017: "that is the lowest mean validation MSE itself: report the λ where "
                        "it is reached",
    24.0: "that is the index of the best λ in CV_LAMBDAS: report CV_LAMBDAS[index]",
    0.4: "that is log₁₀ λ: report λ itself, 10 ** 0.4",
}


def _cv_mse(lam: float) -> float:
    """The mean 5-fold validation MSE of the lasso at ``lam`` (lossviz's kfold_cv)."""
    X, y, _ = _quadratic()
    return float(reg.kfold_cv(X, y, [lam], CV_FOLDS, penalty="lasso", seed=CV_SEED)
                 .mean_mse[0])


@check("λ = 10^0.4 ≈ 2.512 has the lowest mean 5-fold validation MSE (2959.8) of the lasso "
       "on the 64-feature diabetes model over CV_LAMBDAS (accepted: 1.995 ≤ λ ≤ 3.162, the "
       "neighbouring grid points)")
def check_cv_lambda(value: Any) -> None:
    r"""Check the λ chosen by 5-fold cross-validation of the lasso on real data.

    The task (the chapter's prompt should say this): with ``X, y, names =``
    :func:`diabetes_quadratic` ``()`` (442 patients, 64 standardised features) and the
    folds ``KFold(n_splits=CV_FOLDS, shuffle=True, random_state=CV_SEED)`` (5 folds,
    seed 0), compute for every λ in :data:`CV_LAMBDAS` the mean over the 5 folds of the
    validation MSE ``mean((y_val − ŷ)²)`` of the lasso fitted on the other 4 folds
    (scikit-learn's ``Lasso(alpha=λ)``, or ``lossviz.regularization.lasso_cd``, or all
    at once with ``lossviz.regularization.kfold_cv``), and report the λ with the
    lowest mean. The answer is ``CV_LAMBDAS[24]`` = 10^0.4 ≈ 2.512 (mean validation MSE
    2959.8, against 3371.1 at λ = 0.01); ``LassoCV`` finds the same.

    Accepted: any λ between the two neighbouring grid points, 10^0.3 ≈ 1.995 and
    10^0.5 ≈ 3.162 (inclusive, to 1e-6): a finer grid, another shuffle of the folds or 10
    folds land there too, and their mean MSEs differ by less than 0.4 %. Hints for: the
    training error's choice (the smallest λ), the largest λ, the one-standard-error λ, the
    10-feature design's λ, ridge instead of the lasso, the MSE or the index or log₁₀ λ
    instead of λ; any other value is told its own mean validation MSE (computed with
    ``lossviz.regularization.kfold_cv``) against the best.

    Args:
        value: the learner's λ, a number.
    """
    lam = require_value(value, "λ")
    if not np.isfinite(lam) or lam <= 0:
        raise Fail(f"λ should be a positive number from CV_LAMBDAS, got {fmt(lam)}",
                   "λ is a regularization strength: one of the 41 values in CV_LAMBDAS")
    if _CV_LOW * (1 - 1e-6) <= lam <= _CV_HIGH * (1 + 1e-6):
        return
    what = (f"λ = {fmt(lam)} is not the λ with the lowest mean 5-fold validation MSE "
            f"(about {_CV_BEST:.4g})")
    for wrong, hint in _CV_MISTAKES.items():
        if np.isclose(lam, wrong, rtol=1e-4, atol=0):
            raise Fail(what, hint)
    mse = _cv_mse(lam)
    raise Fail(what, f"its mean validation MSE is {mse:.1f}, the best λ's is "
                     f"{_CV_BEST_MSE:.1f}: compute the mean over the {CV_FOLDS} folds for "
                     "every λ in CV_LAMBDAS and take the smallest")


# --------------------------------------------------------------------------------------
# How many lasso coefficients survive at λ = COUNT_LAMBDA (a value answer)
# --------------------------------------------------------------------------------------

#: The λ of the "how many survive?" exercise (scikit-learn's ``Lasso(alpha=20)``).
COUNT_LAMBDA = 20.0

# Precomputed: lasso_cd(X, y, 20.0) on diabetes_standardized() keeps bmi, bp and s5.
_SURVIVORS = 3
_SURVIVOR_MISTAKES = {
    7: "7 is the number of coefficients that are exactly 0: count the non-zero ones, "
       "np.count_nonzero(coef)",
    4: "one too many: count only the 10 weights (coef_), not the intercept — or did you fit "
       "at λ/2? Lasso(alpha=20) is the chapter's λ = 20 exactly",
    6: "that is the count without standardising the features: use X from "
       "diabetes_standardized(), where one λ penalises every feature alike",
    0: "every weight is 0 when the penalty is far too strong for these features: use X from "
       "diabetes_standardized() (scikit-learn's default load_diabetes() scales features to "
       "unit *norm*) and alpha = λ, not n·λ",
    10: "nothing is removed: that is ridge (or a tiny λ such as λ/n); the lasso at "
        "alpha = 20 sets most weights exactly to 0",
    2: "that is the count at λ = 40: Lasso(alpha=20) is the chapter's λ = 20 exactly (no "
       "factor 2)",
}


@check("3 of the 10 standardised diabetes coefficients (bmi, bp, s5) are non-zero in the "
       "lasso at λ = 20")
def check_lasso_survivors(value: Any) -> None:
    r"""Check the number of non-zero lasso coefficients at λ = :data:`COUNT_LAMBDA` = 20.

    The task: with ``X, y, names =`` :func:`diabetes_standardized` ``()`` (10 standardised
    features, target in original units), fit the lasso at λ = 20 (scikit-learn's
    ``Lasso(alpha=20)``, or ``lossviz.regularization.lasso_cd``) and count the
    coefficients that are not exactly zero (the intercept is not a coefficient). First
    predict the number from the regularization path (λ = 20 lies between the knots 15.03
    and 21.54 where the fourth and third coefficients join), then check. The answer is 3:
    bmi, bp and s5.

    Accepted: the integer 3 (``3``, ``3.0``, ``np.int64(3)``). Hints for: 7 (the zeros
    counted), 4 (the intercept counted, or λ/2), 6 (unstandardised features), 0 (features
    scaled to unit norm, or alpha = n·λ), 10 (ridge, or λ/n), 2 (2λ); a non-integer or a
    count outside 0..10.

    Args:
        value: the learner's count, a number.
    """
    if isinstance(value, (bool, np.bool_)):
        raise Fail(f"expected a count of coefficients, got {value!r}",
                   "count the non-zero weights, e.g. int(np.count_nonzero(model.coef_))")
    count = require_value(value, "the number of non-zero coefficients")
    if count != round(count):
        raise Fail(f"the number of non-zero coefficients is a whole number, got {fmt(count)}",
                   "count the weights that are not exactly 0: np.count_nonzero(model.coef_)")
    count = round(count)
    if not 0 <= count <= 10:
        raise Fail(f"the diabetes data have 10 coefficients, so the count lies between 0 and "
                   f"10; got {count}")
    if count != _SURVIVORS:
        raise Fail(f"the number of non-zero lasso coefficients at λ = {fmt(COUNT_LAMBDA)} "
                   f"should be {_SURVIVORS}, got {count}",
                   _SURVIVOR_MISTAKES.get(count, "fit Lasso(alpha=20) on X from "
                                                 "diabetes_standardized() and count "
                                                 "np.count_nonzero(model.coef_)"))

