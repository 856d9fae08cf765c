"""Checks for chapter 03, *Optimization*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values are precomputed numbers or come from
:mod:`lossviz.train` (the reference update rules) and :mod:`lossviz.optimization`; the
solutions live only in the chapter.

The chapter imports the constants and data its prompts use::

    from lossviz.exercises.optimization import (
        QUAD_A, QUAD_B, diabetes_raw, check_adam_step, check_gd_step, check_max_lr,
        check_momentum_step, check_standardized_condition,
    )

Conventions (the prompts must say the same):

- ``gd_step(w, grad, lr)`` returns ``w − lr·grad``;
- ``momentum_step(w, v, grad, lr, beta)`` is the heavy-ball form of
  :class:`lossviz.train.Momentum` and PyTorch's ``SGD(momentum=beta)`` (dampening 0,
  no Nesterov): ``v_new = beta·v + grad``, ``w_new = w − lr·v_new``, returned as
  ``(w_new, v_new)``, with ``v = 0`` before the first step;
- ``adam_step(w, m, v, grad, t, lr, beta1, beta2, eps)`` is Kingma & Ba's Algorithm 1
  (:class:`lossviz.train.Adam`), ``t`` the number of the current step counting from 1:
  ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``, ``m̂ = m/(1 − β₁ᵗ)``,
  ``v̂ = v/(1 − β₂ᵗ)``, ``w ← w − lr·m̂/(√v̂ + eps)``, returned as ``(w, m, v)`` (the raw
  moments, not m̂ and v̂).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..optimization import diabetes_design
from ..train import GD, Adam, Momentum
from ._check import (
    Fail,
    call,
    check,
    expect_array,
    fmt,
    require_function,
    require_value,
)

__all__ = [
    "QUAD_A",
    "QUAD_B",
    "check_adam_step",
    "check_gd_step",
    "check_max_lr",
    "check_momentum_step",
    "check_standardized_condition",
    "diabetes_raw",
]


def _close(a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _array(value: Any, what: str, shape: tuple[int, ...], name: str = "w") -> np.ndarray:
    """A returned array of the shape of ``name``, without nan."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__}, expected an array of numbers"
                   ) from None
    if arr.shape != shape:
        raise Fail(f"{what} returned shape {arr.shape}, expected {shape}, the shape of {name}",
                   "update every parameter element-wise: the result has the shape of w")
    return arr


def _arrays(value: Any, what: str, names: tuple[str, ...], shape: tuple[int, ...]
            ) -> list[np.ndarray]:
    """A returned tuple of len(names) arrays, each of ``shape``."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    expected = "(" + ", ".join(names) + ")"
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        size = f" of {len(value)} values" if isinstance(value, (tuple, list)) else ""
        raise Fail(f"{what} returned {type(value).__name__}{size}, expected the tuple {expected}",
                   f"return all of them, in this order: return {', '.join(names)}")
    return [_array(v, f"{what} (its {name})", shape, name) for v, name in zip(value, names,
                                                                               strict=True)]


# --------------------------------------------------------------------------------------
# gd_step(w, grad, lr)
# --------------------------------------------------------------------------------------

_GD_W = np.array([1.0, -2.0, 0.5])
_GD_G = np.array([0.5, 4.0, -1.0])
_GD_CASE = "w=[1, -2, 0.5], grad=[0.5, 4, -1], lr=0.1"
_GD_EXPECTED = np.array([0.95, -2.4, 0.6])
_GD_MISTAKES = (
    ([1.05, -1.6, 0.4], "that step goes uphill: gradient descent moves *against* the gradient, "
                        "w − lr·grad"),
    ([0.5, -6.0, 1.5], "the learning rate is missing: the step is lr·grad"),
    ([0.05, 0.4, -0.1], "that is the step lr·grad itself; return the new parameters w − lr·grad"),
    ([-0.05, -0.4, 0.1], "that is the update −lr·grad; add it to w and return the new w"),
    ([0.9, -2.1, 0.4], "multiply the learning rate by the gradient: w − lr·grad, not w − lr"),
    ([-4.0, -42.0, 10.5], "multiply by lr, do not divide: w − lr·grad"),
)


@check("gd_step(w, grad, lr) returns w − lr·grad on a fixed case, lr = 0 and 6 random "
       "cases")
def check_gd_step(fn: Any) -> None:
    """Check ``gd_step(w, grad, lr)``: one step of gradient descent.

    The learner writes, for arrays ``w`` and ``grad`` of the same shape and a number
    ``lr`` = η > 0, a function returning the new parameters ``w − lr·grad`` (a new array
    of the shape of ``w``). What is checked: ``w = [1, -2, 0.5]``, ``grad = [0.5, 4, -1]``,
    ``lr = 0.1`` → ``[0.95, -2.4, 0.6]``; ``lr = 0`` leaves w unchanged; 6 random cases
    (lengths 1 to 50) against :class:`lossviz.train.GD`. Hints for: a plus sign
    (uphill), a missing learning rate, returning the step or the update instead of the new
    w, w − lr, dividing by lr, a wrong shape.

    Args:
        fn: the learner's ``gd_step(w, grad, lr)``.
    """
    fn = require_function(fn, "gd_step(w, grad, lr)")
    got = _array(call(fn, "gd_step", _GD_W, _GD_G, 0.1), "gd_step(w, grad, 0.1)", (3,))
    expect_array(got, _GD_EXPECTED, what=f"gd_step for {_GD_CASE}", mistakes=_GD_MISTAKES,
                 hint="one step of gradient descent is w − lr·grad")
    got = _array(call(fn, "gd_step", _GD_W, _GD_G, 0.0), "gd_step(w, grad, 0.0)", (3,))
    expect_array(got, _GD_W, what="gd_step with lr=0 (no step)",
                 hint="use the lr argument: with lr = 0 the parameters do not move")
    rng = np.random.default_rng(303)
    for n in (1, 2, 7, 50, 4, 11):
        w, g, lr = rng.normal(size=n), rng.normal(0, 3, n), float(rng.uniform(0.001, 2.0))
        reference = GD(lr)
        params = {"w": w.copy()}
        reference.step(params, {"w": g})
        got = _array(call(fn, "gd_step", w, g, lr), "gd_step(w, grad, lr)", (n,))
        if not _close(got, params["w"], rtol=1e-12, atol=1e-12):
            raise Fail(f"gd_step on random w of length {n} (lr = {lr:.4g}) is wrong at "
                       f"{int(np.sum(~np.isclose(got, params['w'])))} entries",
                       "it must work for any length and any lr, not just the example above")


# --------------------------------------------------------------------------------------
# The largest stable learning rate of a quadratic (a value answer)
# --------------------------------------------------------------------------------------

#: The Hessian A of the exercise's loss f(w) = ½ wᵀAw − bᵀw (eigenvalues 3 and 8).
QUAD_A = np.array([[7.0, 2.0], [2.0, 4.0]])
QUAD_A.flags.writeable = False
#: Its linear term b (the minimiser is A⁻¹b; it does not change the stable steps).
QUAD_B = np.array([1.0, 1.0])
QUAD_B.flags.writeable = False

# Precomputed (tests recompute them): eigenvalues μ = 3, L = 8.
_MAX_LR = 0.25  # 2/L
_MAX_LR_MISTAKES = {
    0.125: "1/L is the largest step that never overshoots (and the answer if the Hessian "
           "were 2A: but the Hessian of ½wᵀAw is A). Gradient descent stays stable up to 2/L",
    2 / 3: "2/μ uses the smallest eigenvalue; stability is decided by the steepest direction, "
           "the largest eigenvalue L",
    1 / 3: "1/μ uses the smallest eigenvalue; stability is decided by the steepest direction, "
           "the largest eigenvalue L: η < 2/L",
    2 / 11: "2/(μ + L) is the step with the fastest guaranteed convergence, not the largest "
            "stable one; the largest is 2/L",
    2 / 7: "2/7 uses a diagonal entry of A; the diagonal entries are not the eigenvalues: "
           "use np.linalg.eigvalsh(QUAD_A)",
    2 / np.sqrt(73): "that is 2/‖A‖_F (the Frobenius norm); the limit uses the largest "
                     "eigenvalue L, np.linalg.eigvalsh(QUAD_A)[-1]",
    2 / 9: "2/9 is a safe bound from the largest row sum (Gershgorin), not the exact limit: "
           "use the largest eigenvalue L",
    1 / 12: "that uses the determinant μ·L; the limit depends on the largest eigenvalue only",
    8.0: "8 is L, the largest eigenvalue itself; the learning rate limit is 2/L",
    3.0: "3 is μ, the smallest eigenvalue; the learning rate limit is 2/L with L the largest",
    8 / 3: "that is the condition number κ = L/μ, not a learning rate",
    0.0625: "that is 1/(2L); the limit is 2/L",
}


@check("the largest stable learning rate for QUAD_A is 2/L = 2/8 = 0.25 (accepted within 1 %)")
def check_max_lr(value: Any) -> None:
    r"""Check the largest learning rate for which gradient descent converges on a quadratic.

    The task: for :math:`f(w) = \tfrac12 w^\top A w - b^\top w` with ``A =``
    :data:`QUAD_A` ``= [[7, 2], [2, 4]]`` and ``b =`` :data:`QUAD_B`, find the largest
    η for which gradient descent converges from every start — by computing it from A's
    eigenvalues (3 and 8) or by experiment with the learner's ``gd_step``. The error
    along the eigenvector of eigenvalue λ is multiplied by 1 − ηλ each step, so the answer
    is :math:`2/L = 0.25`.

    Accepted: 0.2475 to 0.2525 (1 %: an experiment that bisects η over a few hundred
    steps lands there). Hints for: 1/L (or a Hessian of 2A), 2/μ, 1/μ, 2/(μ + L) (also
    2/trace), 2/(a diagonal entry), 2/‖A‖_F, the Gershgorin bound 2/9, 2/det, L, μ, κ,
    1/(2L); any other value below is told it is stable but not the largest, any above that
    it diverges, with its factor |1 − ηL|.

    Args:
        value: the learner's η, a number.
    """
    lr = require_value(value, "the largest stable learning rate")
    if abs(lr - _MAX_LR) <= 0.01 * _MAX_LR:
        return
    what = f"the largest stable learning rate for QUAD_A should be about {fmt(_MAX_LR)}, got {fmt(lr)}"
    for wrong, hint in _MAX_LR_MISTAKES.items():
        if np.isclose(lr, wrong, rtol=1e-3, atol=0):
            raise Fail(what, hint)
    if not np.isfinite(lr) or lr <= 0:
        raise Fail(what, "a learning rate is a positive number")
    factor = abs(1 - 8 * lr)
    if lr > _MAX_LR:
        raise Fail(what, f"at η = {fmt(lr)} the error along the steepest direction (eigenvalue "
                         f"L = 8) is multiplied by |1 − ηL| = {factor:.3g} > 1 every step: "
                         "gradient descent diverges")
    raise Fail(what, f"η = {fmt(lr)} is stable (|1 − ηL| = {factor:.3g} < 1) but not the "
                     "largest: find where |1 − ηλ| reaches 1 for the largest eigenvalue λ = L")


# --------------------------------------------------------------------------------------
# momentum_step(w, v, grad, lr, beta)
# --------------------------------------------------------------------------------------

_MOM_W = np.array([1.0, -1.0])
_MOM_V = np.array([0.5, 0.2])
_MOM_G = np.array([2.0, -1.0])
_MOM_CASE = "w=[1, -1], v=[0.5, 0.2], grad=[2, -1], lr=0.1, beta=0.9"
_MOM_EXPECTED = (np.array([0.755, -0.918]), np.array([2.45, -0.82]))  # (w_new, v_new)
_MOM_MISTAKES = (
    (([1.25, -0.72], [0.25, 0.28]),
     "that is the other common convention, v ← βv − lr·grad and w ← w + v; this exercise "
     "uses the heavy-ball form of lossviz.train.Momentum and PyTorch: v ← βv + grad, "
     "w ← w − lr·v"),
    (([0.935, -1.008], [0.65, 0.08]),
     "v ← βv + (1 − β)·grad is an exponential moving average (Adam's m, or PyTorch's "
     "dampening); here the velocity sums the gradients: v ← βv + grad"),
    (([0.95, -1.02], [2.45, -0.82]),
     "the velocity is right but w moved with the old v: update v first, then step "
     "w ← w − lr·v_new"),
    (([0.35, -1.08], None),
     "β multiplies v inside the step: w ← w − lr·(βv + grad), not w − lr·grad − βv"),
    (([0.5795, -0.8262], [2.45, -0.82]),
     "that is Nesterov's variant (w − lr·(grad + β·v_new)); the exercise uses plain heavy "
     "ball, w ← w − lr·v_new"),
    (([1.155, -1.118], [-1.55, 1.18]),
     "a sign is flipped: v accumulates +grad, and w moves against v: v ← βv + grad, "
     "w ← w − lr·v"),
    (([0.755, -0.918], [0.5, 0.2]),
     "w is right but the returned velocity is the old one: return the new v (β·v + grad)"),
    (([0.8, -0.9], [2.0, -1.0]),
     "the momentum is missing: the new velocity keeps β times the old one, v ← βv + grad"),
)


def _reference_momentum(w: np.ndarray, v: np.ndarray, g: np.ndarray, lr: float,
                        beta: float) -> tuple[np.ndarray, np.ndarray]:
    opt = Momentum(lr, beta)
    opt.velocity = {"w": v.copy()}
    params = {"w": w.copy()}
    opt.step(params, {"w": g})
    return params["w"], opt.velocity["w"]


def _momentum_call(fn: Any, w: np.ndarray, v: np.ndarray, g: np.ndarray, lr: float,
                   beta: float, what: str) -> tuple[np.ndarray, np.ndarray]:
    got_w, got_v = _arrays(call(fn, "momentum_step", w, v, g, lr, beta), what, ("w_new", "v_new"),
                           w.shape)
    return got_w, got_v


@check("momentum_step(w, v, grad, lr, beta) returns (w − lr·v_new, v_new) with "
       "v_new = beta·v + grad on a fixed case, 20 chained steps and 6 random cases")
def check_momentum_step(fn: Any) -> None:
    """Check ``momentum_step(w, v, grad, lr, beta)``: one heavy-ball momentum step.

    The convention of :class:`lossviz.train.Momentum` and PyTorch's
    ``torch.optim.SGD(momentum=beta)``: ``v_new = beta·v + grad``,
    ``w_new = w − lr·v_new``, returned as the tuple ``(w_new, v_new)``. What is checked:
    ``w = [1, -1]``, ``v = [0.5, 0.2]``, ``grad = [2, -1]``, ``lr = 0.1``, ``beta = 0.9``
    → ``([0.755, -0.918], [2.45, -0.82])``; 20 steps chained from ``v = 0`` on the
    quadratic of :data:`QUAD_A` (each step fed the learner's own w and v); 6 random cases
    against :class:`lossviz.train.Momentum`. Hints for: the v ← βv − lr·grad, w ← w + v
    convention, an exponential moving average, stepping with the old v, w − lr·grad − βv,
    Nesterov, a flipped sign, returning the old v, no momentum, the swapped order, a
    single return value.

    Args:
        fn: the learner's ``momentum_step(w, v, grad, lr, beta)``.
    """
    fn = require_function(fn, "momentum_step(w, v, grad, lr, beta)")
    what = "momentum_step(w, v, grad, 0.1, 0.9)"
    got_w, got_v = _momentum_call(fn, _MOM_W, _MOM_V, _MOM_G, 0.1, 0.9, what)
    want_w, want_v = _MOM_EXPECTED
    if not (_close(got_w, want_w) and _close(got_v, want_v)):
        shown = (f"momentum_step for {_MOM_CASE} should return (w_new, v_new) = "
                 f"({fmt(want_w)}, {fmt(want_v)}), got ({fmt(got_w)}, {fmt(got_v)})")
        if _close(got_w, want_v) and _close(got_v, want_w):
            raise Fail(shown, "the order is swapped: return w_new, v_new")
        for (wrong_w, wrong_v), hint in _MOM_MISTAKES:
            if _close(got_w, wrong_w) and (wrong_v is None or _close(got_v, wrong_v)):
                raise Fail(shown, hint)
        raise Fail(shown, "v_new = beta·v + grad, then w_new = w − lr·v_new")
    # 20 chained steps on f(w) = ½ wᵀAw − bᵀw: the state must be threaded through
    w, v = np.array([2.0, -1.0]), np.zeros(2)
    ref_w, ref_v = w.copy(), v.copy()
    for k in range(20):
        grad = QUAD_A @ w - QUAD_B
        w, v = _momentum_call(fn, w, v, grad, 0.05, 0.8, "momentum_step (chained)")
        ref_w, ref_v = _reference_momentum(ref_w, ref_v, QUAD_A @ ref_w - QUAD_B, 0.05, 0.8)
        if not (_close(w, ref_w, rtol=1e-9) and _close(v, ref_v, rtol=1e-9)):
            raise Fail(f"after step {k + 1} of 20 chained steps from v = 0 (lr = 0.05, "
                       f"beta = 0.8) w should be {fmt(ref_w)}, got {fmt(w)}",
                       "use the lr and beta arguments, and return the new velocity so the "
                       "next step can use it")
    rng = np.random.default_rng(304)
    for n in (1, 3, 10, 2, 25, 6):
        w, v, g = rng.normal(size=n), rng.normal(size=n), rng.normal(0, 2, n)
        lr, beta = float(rng.uniform(0.001, 0.5)), float(rng.uniform(0.0, 0.99))
        got_w, got_v = _momentum_call(fn, w, v, g, lr, beta, "momentum_step(w, v, grad, lr, "
                                      "beta)")
        ref_w, ref_v = _reference_momentum(w, v, g, lr, beta)
        if not (_close(got_w, ref_w, rtol=1e-10) and _close(got_v, ref_v, rtol=1e-10)):
            raise Fail(f"momentum_step on random arrays of length {n} (lr = {lr:.3g}, "
                       f"beta = {beta:.3g}) differs from lossviz.train.Momentum",
                       "it must work for any length, lr and beta, not just the example above")


# --------------------------------------------------------------------------------------
# adam_step(w, m, v, grad, t, lr, beta1, beta2, eps)
# --------------------------------------------------------------------------------------

# The first step (t = 1, m = v = 0) with one tiny gradient entry, so that ε matters there:
# w = [1, 2, 3], g = [0.5, −0.25, 1e-4], lr = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
_ADAM_W = np.array([1.0, 2.0, 3.0])
_ADAM_G = np.array([0.5, -0.25, 1e-4])
_ADAM_CASE = ("the first step t=1 from m=v=0 with w=[1, 2, 3], grad=[0.5, -0.25, 1e-4], "
              "lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8")
_ADAM_EXPECTED = (np.array([0.900000002, 2.099999996, 2.9000099990001]),
                  np.array([0.05, -0.025, 1e-5]), np.array([2.5e-4, 6.25e-5, 1e-11]))
_NO_BIAS = ("the bias correction is missing: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ before "
            "the step (at t = 1 the raw moments are 10 and 1000 times too small)")
_ADAM_W_MISTAKES = (
    ([0.6837724339830358, 2.3162273660173436, 2.684769081673979], _NO_BIAS),
    ([0.900000002, 2.0999999920000008, 2.9292893218813454],
     "ε sits outside the square root: lr·m̂ / (√v̂ + ε), not lr·m̂ / √(v̂ + ε) (see the "
     "entry with the tiny gradient)"),
    ([0.9255863197475123, 2.0744136781482774, 2.925596837208614],
     "t is off by one: at the first step t = 1, so the corrections are 1 − β₁¹ and "
     "1 − β₂¹ (do not add 1 to t inside the function)"),
    ([1.9999996048181146e-07, 2.9999996000001596, 2.0009990009990015],
     "v̂ is corrected with β₂: v̂ = v / (1 − β₂ᵗ), not 1 − β₁ᵗ"),
    ([0.8000000079999996, 2.39999993600001, -496.99999999999994],
     "divide by the square root of v̂: lr·m̂ / (√v̂ + ε)"),
    ([1.099999998, 1.9000000039999998, 3.0999900009999],
     "the step goes uphill: w ← w − lr·m̂ / (√v̂ + ε)"),
)
_ADAM_NAN = ("at t = 1 the correction 1 − β^t must not be 0: use t itself (it starts at 1), "
             "not t − 1")
_ADAM_RANDOM = ((4, 1), (1, 7), (12, 100), (3, 2), (30, 5000), (5, 3))


def _reference_adam(w: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, t: int,
                    lr: float, beta1: float, beta2: float, eps: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lossviz.train.Adam's step number t, from the moments m and v of step t − 1."""
    opt = Adam(lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.t, opt.m, opt.v = t - 1, {"w": m.copy()}, {"w": v.copy()}
    params = {"w": w.copy()}
    opt.step(params, {"w": g})
    return params["w"], opt.m["w"], opt.v["w"]


def _adam_call(fn: Any, args: tuple[Any, ...], what: str, shape: tuple[int, ...]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    got = _arrays(call(fn, "adam_step", *args), what, ("w", "m", "v"), shape)
    return got[0], got[1], got[2]


@check("adam_step(w, m, v, grad, t, lr, beta1, beta2, eps) follows Kingma & Ba with bias "
       "correction on the first step, a later step and 6 random cases")
def check_adam_step(fn: Any) -> None:
    r"""Check ``adam_step(w, m, v, grad, t, lr, beta1, beta2, eps)``: one step of Adam.

    Kingma & Ba (2015), Algorithm 1, as :class:`lossviz.train.Adam`, with ``t`` the number
    of this step counting from 1:

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g,\quad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
        \hat m = \frac{m}{1-\beta_1^t},\quad \hat v = \frac{v}{1-\beta_2^t},\quad
        w \leftarrow w - \text{lr}\,\frac{\hat m}{\sqrt{\hat v} + \epsilon},

    returning ``(w, m, v)`` with the raw moments (the next step needs them, not m̂, v̂).
    What is checked: the first step (t = 1, m = v = 0, one gradient entry 1e-4 so that ε
    shows), the step t = 3 from non-zero moments, and 6 random cases (t up to 5000)
    against :class:`lossviz.train.Adam`. Hints for: no bias correction, ε inside the
    square root, t off by one (t + 1, or t − 1 and a 0/0), v̂ corrected with β₁, no square
    root, the wrong sign, the corrected moments returned as state, m with the weights
    swapped, v from g instead of g², the order of the returned values.

    Args:
        fn: the learner's ``adam_step``.
    """
    fn = require_function(fn, "adam_step(w, m, v, grad, t, lr, beta1, beta2, eps)")
    zeros = np.zeros(3)
    what = "adam_step(w, m, v, grad, 1, 0.1, 0.9, 0.999, 1e-8)"
    got_w, got_m, got_v = _adam_call(fn, (_ADAM_W, zeros, zeros, _ADAM_G, 1, 0.1, 0.9, 0.999,
                                          1e-8), what, (3,))
    want_w, want_m, want_v = _ADAM_EXPECTED
    if _close(got_m, _ADAM_G) and _close(got_v, _ADAM_G**2):
        raise Fail(f"{what} returned m = {fmt(got_m)} and v = {fmt(got_v)}: the bias-corrected "
                   f"m̂ and v̂; the moments should be {fmt(want_m)} and {fmt(want_v)}",
                   "return the raw moments m and v (the next step builds on them), and use "
                   "m̂, v̂ only for the step")
    expect_array(got_m, want_m, what=f"the new m for {_ADAM_CASE}", rtol=1e-9, atol=1e-15,
                 mistakes=[(0.9 * _ADAM_G, "m ← β₁m + (1 − β₁)·grad: the new gradient gets the "
                                           "small weight 1 − β₁")],
                 hint="m ← beta1·m + (1 − beta1)·grad")
    expect_array(got_v, want_v, what=f"the new v for {_ADAM_CASE}", rtol=1e-9, atol=1e-20,
                 mistakes=[(0.001 * _ADAM_G, "v averages the *squared* gradient: "
                                             "v ← β₂v + (1 − β₂)·grad²"),
                           (0.999 * _ADAM_G**2, "v ← β₂v + (1 − β₂)·grad²: the new squared "
                                                "gradient gets the small weight 1 − β₂")],
                 hint="v ← beta2·v + (1 − beta2)·grad²")
    if np.any(np.isnan(got_w)):
        raise Fail(f"{what} returned nan in w", _ADAM_NAN)
    expect_array(got_w, want_w, what=f"the new w for {_ADAM_CASE}", rtol=1e-9, atol=1e-12,
                 mistakes=_ADAM_W_MISTAKES,
                 hint="w ← w − lr·m̂ / (√v̂ + eps) with m̂ = m / (1 − beta1**t), "
                      "v̂ = v / (1 − beta2**t)")
    # a later step from non-zero moments: t = 3
    w, m, v, g = (np.array([0.5, -1.0]), np.array([0.2, -0.1]), np.array([0.04, 0.02]),
                  np.array([0.3, 0.5]))
    case = "t=3, w=[0.5, -1], m=[0.2, -0.1], v=[0.04, 0.02], grad=[0.3, 0.5], lr=0.01"
    want = _reference_adam(w, m, v, g, 3, 0.01, 0.9, 0.999, 1e-8)
    got = _adam_call(fn, (w, m, v, g, 3, 0.01, 0.9, 0.999, 1e-8),
                     "adam_step(w, m, v, grad, 3, 0.01, 0.9, 0.999, 1e-8)", (2,))
    if not all(_close(a, b, rtol=1e-9, atol=1e-15) for a, b in zip(got, want, strict=True)):
        hint = "use t in the corrections 1 − beta1**t and 1 − beta2**t"
        for shift, message in ((1, "t is off by one: use t itself, not t + 1"),
                               (-1, "t is off by one: use t itself, not t − 1"),
                               (10**9, _NO_BIAS)):
            wrong = _reference_adam(w, m, v, g, 3 + shift, 0.01, 0.9, 0.999, 1e-8)
            if _close(got[0], wrong[0], rtol=1e-9, atol=1e-15):
                hint = message
        raise Fail(f"for {case} adam_step should return w = {fmt(want[0])}, m = {fmt(want[1])}, "
                   f"v = {fmt(want[2])}; got w = {fmt(got[0])}, m = {fmt(got[1])}, "
                   f"v = {fmt(got[2])}", hint)
    rng = np.random.default_rng(305)
    for n, t in _ADAM_RANDOM:
        w, g = rng.normal(size=n), rng.normal(0, 2, n)
        m, v = rng.normal(0, 0.5, n), rng.uniform(0.0, 1.0, n)
        lr, beta1 = float(rng.uniform(1e-4, 0.1)), float(rng.uniform(0.5, 0.99))
        beta2, eps = float(rng.uniform(0.9, 0.9999)), float(10 ** rng.uniform(-10, -3))
        want = _reference_adam(w, m, v, g, t, lr, beta1, beta2, eps)
        got = _adam_call(fn, (w, m, v, g, t, lr, beta1, beta2, eps),
                         "adam_step(w, m, v, grad, t, lr, beta1, beta2, eps)", (n,))
        if not all(_close(a, b, rtol=1e-9, atol=1e-14) for a, b in zip(got, want, strict=True)):
            raise Fail(f"adam_step on random arrays of length {n} at t = {t} differs from "
                       "lossviz.train.Adam",
                       "use every argument (lr, beta1, beta2, eps and t), not fixed numbers")


# --------------------------------------------------------------------------------------
# Conditioning of the diabetes data after standardising (a value answer)
# --------------------------------------------------------------------------------------


def diabetes_raw() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's diabetes data in original units: ``(X, y)``, shapes (442, 10), (442,).

    ``sklearn.datasets.load_diabetes(scaled=False)``, all 442 patients, no shuffling (the
    same as :func:`lossviz.optimization.diabetes_design`). Age is in years, blood pressure
    in mm Hg, the serum measurements in their own units: the columns' scales differ a
    hundredfold.
    """
    return diabetes_design(standardize=False)


# Precomputed with lossviz.optimization (tests recompute each):
_KAPPA_STD = 470.07799935881985
_KAPPA_MISTAKES = {
    52365337.31696258: "that is κ of the raw features (with the column of ones): standardise "
                       "each column first, (X − mean) / std",
    1030320.6720077123: "that is κ of the raw features: standardise each column first, "
                        "(X − mean) / std",
    51631.111941602576: "that looks like scikit-learn's load_diabetes() scaling (unit-norm "
                        "columns, tiny next to the column of ones): standardise the raw "
                        "columns to standard deviation 1",
    76278.95793977211: "centring alone does not fix the scales: divide each column by its "
                       "standard deviation too",
    247909.9917202532: "dividing by the standard deviation is half of it: centre the "
                       "columns too (the column of ones is then orthogonal to them)",
    11369.57291788188: "dividing by the standard deviation is half of it: centre the "
                       "columns too, (X − mean) / std",
    13098.98480496031: "min-max scaling to [0, 1] leaves the columns uncentred: "
                       "standardise to mean 0 and standard deviation 1",
    1474238.7267034063: "unit-norm columns without centring leave the means in: "
                        "standardise, (X − mean) / std",
    21.681282235117457: "that is np.linalg.cond(Z), the ratio of singular values of Z; the "
                        "condition number of ZᵀZ/n is its square",
    0.0021273065350090555: "that is 1/κ, the smallest over the largest eigenvalue; κ = "
                           "λ_max / λ_min",
    4.024210750152784: "that is the largest eigenvalue λ_max; κ = λ_max / λ_min",
    0.008560729827053908: "that is the smallest eigenvalue λ_min; κ = λ_max / λ_min",
    517.7279656156355: "that includes the target y as a column: use the 10 features only",
}


@check("the condition number of ZᵀZ/n for the standardised diabetes features is 470.08 "
       "(accepted within 0.1 %)")
def check_standardized_condition(value: Any) -> None:
    r"""Check κ of the diabetes data's least-squares Hessian after standardising.

    The task: with ``X, y =`` :func:`diabetes_raw` ``()``, standardise every column,
    :math:`Z = (X - \bar X)/\sigma` (mean and standard deviation over all 442 patients,
    ``ddof`` 0 or 1), and compute the condition number
    :math:`\kappa = \lambda_{\max}/\lambda_{\min}` of :math:`Z^\top Z/n` (e.g. with
    ``np.linalg.eigvalsh``). Appending a column of ones for the intercept, or taking the
    MSE's Hessian 2ZᵀZ/n, gives the same κ: the answer is 470.08, against 5.2·10⁷ for
    the raw columns with an intercept. Gradient descent needs about κ steps per factor e:
    the chapter measures the speed-up (1585 against 2.3·10⁸ steps to a 10⁻⁶ relative
    tolerance, :func:`lossviz.optimization.input_scaling_experiment`).

    Accepted: 469.6 to 470.5 (0.1 %). Hints for: the raw κ (with or without the column
    of ones), scikit-learn's unit-norm scaling, centring only, scaling only (with or
    without the ones), min-max scaling, unit-norm columns, ``np.linalg.cond(Z)`` (the
    square root), 1/κ, λ_max or λ_min alone, y included as a column.

    Args:
        value: the learner's κ, a number.
    """
    kappa = require_value(value, "the condition number κ")
    if abs(kappa - _KAPPA_STD) <= 1e-3 * _KAPPA_STD:
        return
    what = (f"κ of ZᵀZ/n for the standardised diabetes features should be about "
            f"{_KAPPA_STD:.2f}, got {fmt(kappa)}")
    for wrong, hint in _KAPPA_MISTAKES.items():
        if np.isclose(kappa, wrong, rtol=1e-3, atol=0):
            raise Fail(what, hint)
    if not np.isfinite(kappa) or kappa < 1:
        raise Fail(what, "a condition number λ_max / λ_min is at least 1")
    raise Fail(what, "standardise every column, Z = (X − X.mean(axis=0)) / X.std(axis=0), "
                     "then divide the largest eigenvalue of Z.T @ Z / n by the smallest")
