"""Checks for chapter 07, *Fairness in the loss*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values are precomputed numbers or come from
:mod:`lossviz.fairness` and scikit-learn; the solutions live only in the chapter.

The chapter imports the checks, the data helpers and the target its prompts print::

    from lossviz.exercises.fairness import (
        PARITY_TARGET, diabetes_by_sex, loan_sweep,
        check_diabetes_parity, check_group_gaps, check_parity_mu, check_soft_parity,
    )

``check_group_gaps`` and ``check_soft_parity`` take two functions each, in the order of
their names; the other two checks take a number. Groups are coded 0 and 1 throughout.
The real-data exercise uses scikit-learn's diabetes data (bundled, nothing is
downloaded) with the patients' recorded sex as the group: a didactic stand-in for a
sensitive attribute, with a hypothetical decision (refer a patient to a follow-up
programme when the model predicts a progression above the median).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import fairness as fair
from ..losses._core import FloatArray
from ._check import (
    Fail,
    GradientOf,
    as_gradient,
    as_number,
    call_named,
    check,
    expect_array,
    expect_close,
    finite_difference_gradient,
    fmt,
    hint_when,
    require_functions,
    require_value,
)

__all__ = [
    "PARITY_TARGET",
    "GroupSplit",
    "check_diabetes_parity",
    "check_group_gaps",
    "check_parity_mu",
    "check_soft_parity",
    "diabetes_by_sex",
    "loan_sweep",
]


def _close(a: Any, b: Any, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    return bool(np.isclose(float(a), float(b), rtol=rtol, atol=atol))


def _binary_cases(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Labels, decisions and groups 0/1 with both labels and some decisions in each group."""
    while True:
        g = (rng.random(n) < rng.uniform(0.3, 0.7)).astype(np.float64)
        y = (rng.random(n) < rng.uniform(0.3, 0.7)).astype(np.float64)
        p = (rng.random(n) < 0.25 + 0.5 * y).astype(np.float64)
        if all(np.any((g == a) & (y == c)) for a in (0, 1) for c in (0, 1)):
            return y, p, g


# --------------------------------------------------------------------------------------
# dp_difference(y_pred, group), eo_difference(y_true, y_pred, group)
# --------------------------------------------------------------------------------------

# Two fixed cases of 14 people, 8 in group 0 and 6 in group 1 (interleaved). In case A the
# TPR difference is the larger one, in case B the FPR difference.
_GAP_GROUP = np.array([0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1], dtype=np.float64)
_GAP_Y_A = np.array([1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0], dtype=np.float64)
_GAP_P_A = np.array([1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0], dtype=np.float64)
_GAP_Y_B = np.array([0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1], dtype=np.float64)
_GAP_P_B = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0], dtype=np.float64)
_GAP_CASE_A = ("y_true=[1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0], "
               "y_pred=[1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0], "
               "group=[0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]")
_GAP_CASE_B = ("y_true=[0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1], "
               "y_pred=[1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0], same group")
_DP_CASE_A = ("y_pred=[1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0], "
              "group=[0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]")
_DP_CASE_B = "y_pred=[1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0], same group"
_SIGNED = ("a difference of rates is reported as an absolute value (the largest minus the "
           "smallest rate): use abs(), the result is never negative")
_DP_ROUTE = ("the selection rate of group a is the mean of y_pred over the members of group "
             "a: y_pred[group == a].mean(); DP difference = abs(rate₁ − rate₀)")
# Precomputed selection rates: case A 5/8 and 2/6, case B 6/8 and 2/6.
_DP_A, _DP_B = 0.2916666666666667, 0.4166666666666667
_DP_MISTAKES = {
    -_DP_A: _SIGNED,
    0.5333333333333333: "that is the ratio of the selection rates (fairlearn's "
                        "demographic_parity_ratio); the exercise asks for their difference",
    3.0: "compare rates, not counts: divide each group's number of selections by the "
         "group's size (a bigger group would otherwise always look favoured)",
    -3.0: "compare rates, not counts: divide each group's number of selections by the "
          "group's size",
    0.21428571428571427: "each group's rate is divided by the group's own size, not by the "
                         "total number of people: use .mean() over the group",
}
_EO_ROUTE = ("TPR of group a = mean of y_pred where group == a and y_true == 1, FPR of group "
             "a = mean of y_pred where group == a and y_true == 0; EO difference = "
             "max(abs(TPR₁ − TPR₀), abs(FPR₁ − FPR₀))")
_EO_MEAN = ("you averaged the TPR and FPR differences; fairlearn's equalized-odds difference "
            "is the larger of the two (the worst case): max(abs(ΔTPR), abs(ΔFPR))")
_EO_SUM = "take the larger of the two differences, not their sum: max(abs(ΔTPR), abs(ΔFPR))"
_EO_DP = ("that is the demographic-parity difference: equalized odds compares the groups "
          "separately among the true positives (y_true == 1) and the true negatives "
          "(y_true == 0)")
_EO_ACC = ("that is the difference of the groups' accuracies: equalized odds compares the "
           "rates of positive decisions, y_pred == 1, among y_true == 1 (TPR) and among "
           "y_true == 0 (FPR)")
_EO_BASE = ("that is the difference of the groups' base rates, the mean of y_true: the "
            "rates in equalized odds are means of y_pred (the decisions), taken among the "
            "people with y_true == 1 and with y_true == 0")
_EO_PPV = ("you conditioned on the decision instead of the label: P(y = 1 | ŷ = 1) is the "
           "precision (PPV); the TPR is P(ŷ = 1 | y = 1), the mean of y_pred where "
           "y_true == 1")
_EO_MISTAKES_A = {
    0.375: _EO_MEAN, -0.375: _EO_MEAN + "; and use abs()",
    0.25: "that is the FPR difference alone; equalized odds needs the TPR difference too, "
          "and takes the larger: max(abs(ΔTPR), abs(ΔFPR))",
    -0.25: _SIGNED, 0.75: _EO_SUM, _DP_A: _EO_DP, 0.041666666666666685: _EO_ACC,
    0.16666666666666669: _EO_BASE, 0.4: _EO_PPV,
}
_EO_MISTAKES_B = {
    0.55: _EO_MEAN, -0.55: _EO_MEAN + "; and use abs()",
    0.09999999999999998: "that is the TPR difference alone (the equal-opportunity "
                         "difference); equalized odds needs the FPR difference too, and "
                         "takes the larger: max(abs(ΔTPR), abs(ΔFPR))",
    -0.09999999999999998: _SIGNED, 1.1: _EO_SUM, _DP_B: _EO_DP,
    0.29166666666666663: _EO_ACC, 0.04166666666666663: _EO_BASE, 0.5: _EO_PPV,
}
_GAP_CALL = "check_group_gaps(dp_difference, eo_difference)"
_GAP_LENGTHS = (10, 40, 7, 200, 25, 63)


def _dp_call(fn: Callable[..., Any], y_pred: np.ndarray, group: np.ndarray, what: str
             ) -> float:
    with hint_when("TypeError", "argument",
                   hint="the signature is dp_difference(y_pred, group): selection rates need "
                        "only the decisions (fairlearn's version asks for y_true but ignores "
                        "it)"):
        value = call_named(fn, "dp_difference", y_pred, group)
    return as_number(value, what, nan_hint="a group with no members? Use the masks "
                                           "group == 0 and group == 1")


def _eo_call(fn: Callable[..., Any], y_true: np.ndarray, y_pred: np.ndarray,
             group: np.ndarray, what: str) -> float:
    with hint_when("TypeError", "argument",
                   hint="the signature is eo_difference(y_true, y_pred, group), in that "
                        "order"):
        value = call_named(fn, "eo_difference", y_true, y_pred, group)
    return as_number(value, what, nan_hint="an empty selection: combine the masks with &, "
                                           "(group == a) & (y_true == 1)")


def _check_group_gaps(answers: tuple[Any, Any]) -> None:
    require_functions(answers, ("dp_difference", "eo_difference"), _GAP_CALL)
    dp_fn, eo_fn = answers
    # -- demographic parity --
    for y_pred, dp, case, mistakes in ((_GAP_P_A, _DP_A, _DP_CASE_A, _DP_MISTAKES),
                                       (_GAP_P_B, _DP_B, _DP_CASE_B, {-_DP_B: _SIGNED})):
        got = _dp_call(dp_fn, y_pred, _GAP_GROUP, f"dp_difference for {case}")
        expect_close(got, dp, what=f"dp_difference(y_pred, group) for {case}",
                     mistakes=mistakes, hint=_DP_ROUTE)
    # -- equalized odds: case A needs the TPR, case B the FPR --
    for y_true, y_pred, eo, case, mistakes in (
            (_GAP_Y_A, _GAP_P_A, 0.5, _GAP_CASE_A, _EO_MISTAKES_A),
            (_GAP_Y_B, _GAP_P_B, 1.0, _GAP_CASE_B, _EO_MISTAKES_B)):
        got = _eo_call(eo_fn, y_true, y_pred, _GAP_GROUP, f"eo_difference for {case}")
        expect_close(got, eo, what=f"eo_difference(y_true, y_pred, group) for {case}",
                     mistakes=mistakes, hint=_EO_ROUTE)
    # -- random cases against lossviz.fairness (which agrees with fairlearn) --
    rng = np.random.default_rng(707)
    for n in _GAP_LENGTHS:
        y, p, g = _binary_cases(rng, n)
        got = _dp_call(dp_fn, p, g, "dp_difference(y_pred, group)")
        expect_close(got, fair.demographic_parity_difference(p, g),
                     what=f"dp_difference on random decisions of {n} people",
                     hint="it must work for any length and any group sizes, not just the "
                          "examples above")
        got = _eo_call(eo_fn, y, p, g, "eo_difference(y_true, y_pred, group)")
        expect_close(got, fair.equalized_odds_difference(y, p, g),
                     what=f"eo_difference on random labels and decisions of {n} people",
                     hint="it must work for any length and any group sizes, not just the "
                          "examples above")


_run_group_gaps = check(
    "dp_difference and eo_difference match the demographic-parity and equalized-odds "
    "differences on 2 fixed cases (one where the TPR gap is larger, one where the FPR gap "
    "is) and on 6 random cases, where lossviz.fairness and fairlearn agree"
)(_check_group_gaps)


def check_group_gaps(dp_difference: Any, eo_difference: Any) -> None:
    r"""Check the learner's demographic-parity and equalized-odds differences (numpy only).

    The learner writes, for 1-D arrays of 0s and 1s of the same length (``y_true`` the
    labels, ``y_pred`` the decisions, ``group`` the sensitive attribute):

    - ``dp_difference(y_pred, group)`` → one float,
      :math:`|P(\hat y = 1 | A = 1) - P(\hat y = 1 | A = 0)|`, the absolute difference of
      the groups' selection rates;
    - ``eo_difference(y_true, y_pred, group)`` → one float,
      :math:`\max(|\mathrm{TPR}_1 - \mathrm{TPR}_0|, |\mathrm{FPR}_1 - \mathrm{FPR}_0|)` with
      :math:`\mathrm{TPR}_a = P(\hat y = 1 | A = a, y = 1)` and
      :math:`\mathrm{FPR}_a = P(\hat y = 1 | A = a, y = 0)`: fairlearn's
      ``equalized_odds_difference`` (worst case of the two).

    What is checked: two fixed cases of 14 people (case A: DP 7/24 ≈ 0.2917, EO 0.5 from
    the TPR; case B: DP 5/12, EO 1.0 from the FPR), then 6 random cases of 7 to 200
    people against :func:`lossviz.fairness.demographic_parity_difference` and
    :func:`lossviz.fairness.equalized_odds_difference`. Hints name the usual mistakes: a
    signed difference, a ratio, counts instead of rates, dividing by the total n; for
    equalized odds the mean (or sum) of the two gaps instead of the larger, only the TPR
    or only the FPR, the accuracy difference, the base-rate difference (y_true used as the
    decision), the DP difference, the precision (conditioning on the decision), and a
    ``dp_difference`` that expects ``y_true`` too.

    Args:
        dp_difference: the learner's ``dp_difference(y_pred, group)``.
        eo_difference: the learner's ``eo_difference(y_true, y_pred, group)``.
    """
    __tracebackhide__ = True
    _run_group_gaps((dp_difference, eo_difference))


# --------------------------------------------------------------------------------------
# soft_parity_penalty(w, X, group), soft_parity_grad(w, X, group)
# --------------------------------------------------------------------------------------

_SP_X = np.array([[1.0, 0.5], [-1.0, 2.0], [0.5, -1.0], [2.0, 1.0], [-0.5, -0.5]])
_SP_GROUP = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
_SP_W = np.array([0.8, -0.4])
_SP_CASE = "w=[0.8, -0.4], X=[[1, 0.5], [-1, 2], [0.5, -1], [2, 1], [-0.5, -0.5]], group=[0, 0, 1, 1, 1]"
# Precomputed: f = Xw = [0.6, −1.6, 0.8, 1.2, −0.2], gap = 0.2294027952254486
_SP_VALUE = 0.0526256424572491
_SP_GRAD_EXACT = np.array([0.031421265750010106, -0.11480127934064849])
_SP_HARD = ("the penalty uses the probabilities σ(f), not hard decisions (f ≥ 0): a step "
            "function has zero gradient almost everywhere, so gradient descent could never "
            "reduce it")
_SP_VALUE_MISTAKES = {
    0.2294027952254486: "the penalty is the *square* of the gap: (mean₁ − mean₀)²",
    0.027777777777777766: _SP_HARD,
    1.2100000000000002: "average the probabilities σ(Xw), not the logits Xw: the gap is "
                        "mean σ(f) over group 1 − mean σ(f) over group 0",
    0.04796339555898447: "each group's mean divides by the group's own size, not by the "
                         "total number of examples: use .mean() over the group",
}
_SP_GRAD_MISTAKES = (
    ([0.3058703936339314, -0.6499745864721044],
     "the chain rule through σ is missing: dσ(f)/df = σ(f)(1 − σ(f)), so each xᵢ is "
     "weighted by σ(fᵢ)(1 − σ(fᵢ))"),
    ([0.015710632875005053, -0.057400639670324244],
     "the factor 2 of the square is missing: d(gap²)/dw = 2·gap·d(gap)/dw"),
    ([-0.031421265750010106, 0.11480127934064849],
     "the sign is flipped: the gradient points uphill, ∇P = 2·gap·(∂gap/∂w), with gap = "
     "mean₁ − mean₀"),
    ([0.06848492347081134, -0.25021769945703154],
     "that is the gradient of the gap itself; the penalty is gap², so multiply by 2·gap"),
    ([0.0, 0.0], _SP_HARD),
    ([1.4666666666666668, -3.116666666666667],
     "that is the gradient of the squared gap of the *logits*; the penalty averages σ(Xw)"),
    ([0.1438266470642095, -0.17353859185255124],
     "the derivative of σ(f) is σ(f)(1 − σ(f)), not σ(f)"),
)
_WRT_W = GradientOf(variable="w", entry="∂P/∂wⱼ per weight", inputs="the groups' means",
                    nan_hint="look for an empty group or a 0/0 in your formula")
_SP_CALL = "check_soft_parity(soft_parity_penalty, soft_parity_grad)"
_SP_SHAPES = ((6, 1), (20, 3), (50, 2), (9, 5), (100, 4), (30, 3))


def _sp_grad(value: Any, what: str, d: int) -> np.ndarray:
    if value is not None and np.ndim(value) == 1 and np.size(value) != d:
        raise Fail(f"{what} returned an array of {np.size(value)} values, expected {d}, the "
                   "shape of w",
                   "that has one entry per example: chain it through f = Xw with Xᵀ to get "
                   "one entry per weight")
    return as_gradient(value, what, d, of=_WRT_W)


def _reference_penalty(w: np.ndarray, X: np.ndarray, g: np.ndarray
                       ) -> tuple[float, np.ndarray]:
    """lossviz's penalty and gradient for f = Xw (no intercept)."""
    value, grad = fair.fairness_penalty(np.r_[w, 0.0], X, g, penalty="parity")
    return value, grad[:-1]


def _check_soft_parity(answers: tuple[Any, Any]) -> None:
    require_functions(answers, ("soft_parity_penalty", "soft_parity_grad"), _SP_CALL)
    pen_fn, grad_fn = answers
    # -- the penalty --
    got = as_number(call_named(pen_fn, "soft_parity_penalty", _SP_W, _SP_X, _SP_GROUP),
                    f"soft_parity_penalty for {_SP_CASE}")
    expect_close(got, _SP_VALUE, rtol=1e-8, mistakes=_SP_VALUE_MISTAKES,
                 what=f"soft_parity_penalty for {_SP_CASE}",
                 hint="P = (mean of σ(Xw) over group 1 − mean of σ(Xw) over group 0)²")
    # -- the gradient --
    got_grad = _sp_grad(call_named(grad_fn, "soft_parity_grad", _SP_W, _SP_X, _SP_GROUP),
                        f"soft_parity_grad for {_SP_CASE}", 2)
    expect_array(got_grad, _SP_GRAD_EXACT, rtol=1e-7, atol=1e-10,
                 mistakes=_SP_GRAD_MISTAKES, what=f"soft_parity_grad for {_SP_CASE}",
                 hint="∇P = 2·gap·(mean over group 1 of σ'(fᵢ)xᵢ − mean over group 0 of "
                      "σ'(fᵢ)xᵢ), with σ'(f) = σ(f)(1 − σ(f))")
    # -- random cases against lossviz.fairness --
    rng = np.random.default_rng(708)
    for n, d in _SP_SHAPES:
        X, w = rng.normal(size=(n, d)), rng.normal(0.0, 1.5, d)
        g = (rng.random(n) < 0.5).astype(np.float64)
        g[:2] = (0.0, 1.0)  # both groups present
        ref_value, ref_grad = _reference_penalty(w, X, g)
        got = as_number(call_named(pen_fn, "soft_parity_penalty", w, X, g),
                        "soft_parity_penalty(w, X, group)")
        expect_close(got, ref_value, rtol=1e-8, atol=1e-14,
                     what=f"soft_parity_penalty on random data with n={n}, d={d}",
                     hint="it must work for any n, any number of features d and any group "
                          "sizes, not just the example above")
        got_grad = _sp_grad(call_named(grad_fn, "soft_parity_grad", w, X, g),
                            "soft_parity_grad(w, X, group)", d)
        expect_array(got_grad, ref_grad, rtol=1e-7, atol=1e-12,
                     what=f"soft_parity_grad on random data with n={n}, d={d}",
                     hint="it must work for any n, d and group sizes, not just the example "
                          "above")
    # -- the learner's gradient against central differences of the learner's penalty --
    X, w = rng.normal(size=(15, 3)), rng.normal(size=3)
    g = (np.arange(15) % 3 == 0).astype(np.float64)
    got_grad = _sp_grad(call_named(grad_fn, "soft_parity_grad", w, X, g),
                        "soft_parity_grad(w, X, group)", 3)

    def penalty(moved: np.ndarray) -> float:
        return as_number(call_named(pen_fn, "soft_parity_penalty", moved, X, g),
                         "soft_parity_penalty(w, X, group)")

    expect_array(got_grad, finite_difference_gradient(penalty, w), rtol=1e-5, atol=1e-9,
                 what="soft_parity_grad on random data (central finite differences of your "
                      "soft_parity_penalty)")


_run_soft_parity = check(
    "soft_parity_penalty is the squared gap of the groups' mean σ(Xw) and soft_parity_grad "
    "its gradient, on a fixed case and 6 random cases (lossviz.fairness), and the gradient "
    "agrees with finite differences of your penalty"
)(_check_soft_parity)


def check_soft_parity(soft_parity_penalty: Any, soft_parity_grad: Any) -> None:
    r"""Check the learner's soft demographic-parity penalty and its gradient (numpy only).

    The learner writes, for weights ``w`` (shape ``(d,)``), inputs ``X`` (shape
    ``(n, d)``; no intercept: f = Xw) and ``group`` (0s and 1s, shape ``(n,)``):

    - ``soft_parity_penalty(w, X, group)`` → one float,
      :math:`P(w) = g^2` with :math:`g = \frac{1}{n_1}\sum_{a_i = 1}\sigma(f_i) -
      \frac{1}{n_0}\sum_{a_i = 0}\sigma(f_i)`;
    - ``soft_parity_grad(w, X, group)`` → an array of shape ``(d,)``,
      :math:`\nabla P = 2g\,\bigl(\frac{1}{n_1}\sum_{a_i=1}\sigma'(f_i)x_i -
      \frac{1}{n_0}\sum_{a_i=0}\sigma'(f_i)x_i\bigr)`, :math:`\sigma' = \sigma(1 - \sigma)`.

    What is checked: the fixed case ``w = [0.8, -0.4]``, ``X = [[1, 0.5], [-1, 2],
    [0.5, -1], [2, 1], [-0.5, -0.5]]``, ``group = [0, 0, 1, 1, 1]`` (P = 0.052626, ∇P =
    [0.031421, −0.114801]); 6 random cases against
    :func:`lossviz.fairness.fairness_penalty`; the learner's gradient against central
    finite differences of the learner's penalty. Hints for: the gap not squared, hard
    decisions (f ≥ 0) instead of σ(f), logits instead of probabilities, means over all n,
    the missing chain rule σ(1 − σ), the missing factor 2, a flipped sign, the gradient of
    the gap instead of its square, σ instead of σ', a gradient per example.

    Args:
        soft_parity_penalty: the learner's ``soft_parity_penalty(w, X, group)``.
        soft_parity_grad: the learner's ``soft_parity_grad(w, X, group)``.
    """
    __tracebackhide__ = True
    _run_soft_parity((soft_parity_penalty, soft_parity_grad))


# --------------------------------------------------------------------------------------
# μ for a parity target on the loan data (a value answer)
# --------------------------------------------------------------------------------------

#: The demographic-parity target of the μ exercise (on the validation applicants).
PARITY_TARGET = 0.04


@functools.lru_cache(maxsize=1)
def _loan_sweep() -> fair.MuSweep:
    train, val = fair.loan_split()
    return fair.mu_sweep(train.X, train.y, train.group, X_eval=val.X, y_eval=val.y,
                         group_eval=val.group)


def loan_sweep() -> fair.MuSweep:
    """The chapter's μ sweep on the loan data (soft parity penalty), computed once.

    :func:`lossviz.fairness.mu_sweep` on :func:`lossviz.fairness.loan_split` ``()`` (2000
    training and 2000 validation applicants) with the penalty ``"parity"``, λ = 10⁻³ and
    the 27 values of :data:`lossviz.fairness.DEFAULT_MUS` (0, then 10⁻² to 10³). Its
    ``accuracy``, ``dp_difference`` and ``eo_difference`` are measured on the validation
    applicants; ``train_accuracy`` and ``train_dp_difference`` on the training ones. About
    0.3 s the first time; every call returns a fresh copy.
    """
    sweep = _loan_sweep()
    copies = {f.name: getattr(sweep, f.name).copy() for f in dataclasses.fields(sweep)
              if isinstance(getattr(sweep, f.name), np.ndarray)}
    return dataclasses.replace(sweep, **copies)


def _mu_mistakes(sweep: fair.MuSweep, answer: int) -> dict[float, str]:
    """Values a common wrong route gives, with their hints (those equal to the answer are
    dropped: they are right here)."""
    target = PARITY_TARGET
    meets = sweep.dp_difference <= target + 1e-12
    train_meets = np.flatnonzero(sweep.train_dp_difference <= target + 1e-12)
    eo_meets = np.flatnonzero(sweep.eo_difference <= target + 1e-12)
    candidates: list[tuple[float, str]] = [
        (float(sweep.mus[-1]), "the largest μ meets the target, but at a higher accuracy "
                               "cost than needed: take the most accurate μ among those "
                               "whose DP difference is ≤ PARITY_TARGET"),
        (0.0, f"μ = 0 is the plain model, whose DP difference is "
              f"{sweep.dp_difference[0]:.3f}: it ignores the target"),
        (float(sweep.mus[int(np.argmin(sweep.dp_difference))]),
         "that is the μ with the smallest DP difference, not the most accurate one that "
         "meets the target"),
        (float(sweep.mus[int(np.argmax(sweep.accuracy))]),
         "that is the most accurate μ overall: it must also meet the target, "
         "dp_difference ≤ PARITY_TARGET"),
        (float(sweep.accuracy[answer]), "that is the accuracy of the right model: report "
                                        "its μ"),
        (float(sweep.dp_difference[answer]), "that is the DP difference of the right model: "
                                             "report its μ"),
        (float(answer), "that is the index into sweep.mus: report sweep.mus[index]"),
        (float(np.log10(sweep.mus[answer])), "that is log₁₀ μ: report μ itself"),
    ]
    if np.any(meets):
        candidates.append((float(sweep.mus[np.flatnonzero(meets)[0]]),
                           "that is the smallest μ that meets the target; a larger μ is "
                           "more accurate here (the sweep is not monotone): take the most "
                           "accurate point with dp_difference ≤ PARITY_TARGET"))
    if train_meets.size:
        best = train_meets[np.argmax(sweep.accuracy[train_meets])]
        candidates.append((float(sweep.mus[best]),
                           "that uses the *training* DP difference; the target is on the "
                           "validation applicants: sweep.dp_difference"))
    if eo_meets.size:
        best = eo_meets[np.argmax(sweep.accuracy[eo_meets])]
        candidates.append((float(sweep.mus[best]),
                           "that meets the target in the equalized-odds difference; the "
                           "target is on the demographic-parity difference"))
    right = float(sweep.mus[answer])
    mistakes: dict[float, str] = {}
    for value, hint in candidates:
        if not _close(value, right) and value not in mistakes:
            mistakes[value] = hint
    return mistakes


@check(f"μ is the most accurate point of the loan sweep whose validation DP difference is "
       f"≤ {PARITY_TARGET} (PARITY_TARGET)")
def check_parity_mu(value: Any) -> None:
    r"""Check the μ that meets the parity target at the least accuracy cost.

    The task (the chapter's prompt should say this): with ``sweep =``
    :func:`loan_sweep` ``()``, among the values of ``sweep.mus`` whose validation
    demographic-parity difference ``sweep.dp_difference`` is at most
    :data:`PARITY_TARGET` (0.04), report the μ with the highest validation
    ``sweep.accuracy`` (the smallest such μ on ties). The answer is computed from the same
    sweep (``MuSweep.best_under``): μ = 10^1.4 ≈ 25.1 (accuracy 0.7725, DP difference
    0.0396, against 0.802 and 0.243 at μ = 0).

    Accepted: that μ (relative tolerance 1e-9). Hints for: the largest μ, μ = 0, the μ
    with the smallest DP difference, the most accurate μ overall, the accuracy, DP
    difference, index or log₁₀ of the right point instead of its μ, the training DP
    difference, and the equalized-odds difference instead of the DP difference.

    Args:
        value: the learner's μ, a number.
    """
    mu = require_value(value, "μ")
    sweep = _loan_sweep()
    answer = sweep.best_under(PARITY_TARGET)
    right = float(sweep.mus[answer])
    if _close(mu, right):
        return
    what = (f"μ = {fmt(mu)} is not the most accurate μ whose validation DP difference is "
            f"≤ {PARITY_TARGET}")
    for wrong, hint in _mu_mistakes(sweep, answer).items():
        if _close(mu, wrong):
            raise Fail(what, hint)
    on_grid = np.flatnonzero(np.isclose(sweep.mus, mu, rtol=1e-9, atol=1e-12))
    if on_grid.size == 0:
        raise Fail(what, "pick one of the values in sweep.mus (the models of the sweep)")
    i = int(on_grid[0])
    raise Fail(what, f"at that μ the DP difference is {sweep.dp_difference[i]:.4f} and the "
                     f"accuracy {sweep.accuracy[i]:.4f}: among the μ with dp_difference ≤ "
                     f"PARITY_TARGET take the one with the highest accuracy")


# --------------------------------------------------------------------------------------
# Real data: the demographic-parity difference of a model on the diabetes patients
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class GroupSplit:
    """A training and a validation set with a group attribute (see :func:`diabetes_by_sex`).

    Attributes:
        X_train: the training features (standardised with the training statistics).
        y_train: the training labels 0 / 1.
        group_train: the training groups 0 / 1 (not a column of ``X_train``).
        X_val: the validation features (standardised with the training statistics).
        y_val: the validation labels.
        group_val: the validation groups.
        feature_names: the column names of ``X_train``.
    """

    X_train: FloatArray
    y_train: FloatArray
    group_train: FloatArray
    X_val: FloatArray
    y_val: FloatArray
    group_val: FloatArray
    feature_names: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _diabetes_by_sex() -> GroupSplit:
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    bunch = load_diabetes(scaled=False)  # bundled with scikit-learn; nothing is downloaded
    X = np.asarray(bunch.data, dtype=np.float64)
    names = list(bunch.feature_names)
    sex = names.index("sex")
    group = (X[:, sex] == 2).astype(np.float64)
    y = (bunch.target > np.median(bunch.target)).astype(np.float64)
    features = np.delete(X, sex, axis=1)
    train, val = train_test_split(np.arange(y.size), test_size=0.5, random_state=2,
                                  stratify=2 * group + y)
    mean, std = features[train].mean(axis=0), features[train].std(axis=0)
    Z = (features - mean) / std
    return GroupSplit(Z[train], y[train], group[train], Z[val], y[val], group[val],
                      tuple(n for n in names if n != "sex"))


def diabetes_by_sex() -> GroupSplit:
    """scikit-learn's diabetes patients, a binary label, and their recorded sex as the group.

    The 442 patients of ``sklearn.datasets.load_diabetes(scaled=False)``. Label: 1.0 if the
    disease progression after one year is above the median of all patients (140.5), else
    0.0 (the hypothetical decision: refer to a follow-up programme). Group: the recorded
    sex, coded 0.0 for the value 1 (235 patients) and 1.0 for the value 2 (207 patients);
    the data set does not say which is which, and the group is a didactic stand-in for a
    sensitive attribute. The base rates are almost equal, 0.498 and 0.502. Features: the
    other 9 columns (age, bmi, bp, s1, ..., s6), standardised with the training
    statistics; sex is not among them. Split: half and half,
    ``train_test_split(test_size=0.5, random_state=2)`` stratified by group and label (221
    training and 221 validation patients). Every call returns fresh copies.
    """
    split = _diabetes_by_sex()
    return GroupSplit(*(getattr(split, f.name).copy() if f.name != "feature_names"
                        else split.feature_names for f in dataclasses.fields(split)))


@functools.lru_cache(maxsize=1)
def _diabetes_answers() -> dict[str, float]:
    """The expected DP difference and the values of common wrong routes (scikit-learn)."""
    from sklearn.linear_model import LogisticRegression

    d = _diabetes_by_sex()
    model = LogisticRegression().fit(d.X_train, d.y_train)
    pred_val, pred_train = model.predict(d.X_val), model.predict(d.X_train)
    prob_val = model.predict_proba(d.X_val)[:, 1]
    with_group = LogisticRegression().fit(np.c_[d.X_train, d.group_train], d.y_train)
    pred_group = with_group.predict(np.c_[d.X_val, d.group_val])
    gv, gt = d.group_val, d.group_train
    return {
        "answer": fair.demographic_parity_difference(pred_val, gv),
        "signed": float(pred_val[gv == 0].mean() - pred_val[gv == 1].mean()),
        "labels": fair.demographic_parity_difference(d.y_val, gv),
        "train": fair.demographic_parity_difference(pred_train, gt),
        "soft": float(abs(prob_val[gv == 1].mean() - prob_val[gv == 0].mean())),
        "accuracy": float(abs(np.mean(pred_val[gv == 1] == d.y_val[gv == 1])
                              - np.mean(pred_val[gv == 0] == d.y_val[gv == 0]))),
        "with_group": fair.demographic_parity_difference(pred_group, gv),
        "eo": fair.equalized_odds_difference(d.y_val, pred_val, gv),
    }


_DIABETES_HINTS = {
    "signed": "the difference is reported as an absolute value: abs(rate₁ − rate₀)",
    "labels": "that is the difference of the base rates (the labels y_val); the question "
              "is about the model's decisions, model.predict(X_val)",
    "train": "that is measured on the training patients; use the validation patients "
             "(X_val, group_val)",
    "soft": "that is the gap of the mean predicted probabilities (the soft gap); the "
            "selection rate counts decisions: model.predict(X_val), threshold ½",
    "accuracy": "that is the difference of the groups' accuracies; demographic parity "
                "compares selection rates, the means of the decisions",
    "with_group": "the group is not an input of the model: fit on X_train alone",
    "eo": "that is the equalized-odds difference; the question asks for the "
          "demographic-parity difference",
}


@check("the demographic-parity difference between the two sexes of scikit-learn's "
       "LogisticRegression on the 221 validation diabetes patients")
def check_diabetes_parity(value: Any) -> None:
    r"""Check the demographic-parity difference of a model fitted to real patients.

    The task (the chapter's prompt should say this): with ``d =``
    :func:`diabetes_by_sex` ``()``, fit scikit-learn's ``LogisticRegression()`` (default
    C = 1) on ``d.X_train, d.y_train``, predict ``d.X_val`` (threshold ½,
    ``model.predict``) and report the demographic-parity difference between the groups,
    :math:`|P(\hat y = 1 | A = 1) - P(\hat y = 1 | A = 0)|` on the validation patients.
    The base rates of the two groups are almost equal (0.500 and 0.505 on validation), yet
    the model refers group 1 far more often: 0.534 against 0.398, a difference of 0.1357.
    The answer is recomputed with scikit-learn at check time.

    Accepted: the value to 1e-9 (the decisions sit at least 0.02 in logit away from the
    threshold, so any converged solver gives the same ones). Hints for: a signed
    difference, the labels' base-rate difference, the training patients, the soft gap of
    the probabilities, the accuracy difference, sex used as an input, and the
    equalized-odds difference.

    Args:
        value: the learner's demographic-parity difference, a number.
    """
    got = require_value(value, "the demographic-parity difference")
    answers = _diabetes_answers()
    right = answers["answer"]
    if _close(got, right):
        return
    what = (f"the demographic-parity difference of the model on the validation patients "
            f"should be {right:.4f}, got {fmt(got)}")
    for key, hint in _DIABETES_HINTS.items():
        if _close(got, answers[key]) and not _close(answers[key], right):
            raise Fail(what, hint)
    raise Fail(what, "fit LogisticRegression() on d.X_train, d.y_train, take "
                     "pred = model.predict(d.X_val), and compare pred.mean() over "
                     "d.group_val == 1 and over d.group_val == 0")
