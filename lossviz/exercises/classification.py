"""Checks for chapter 02, *Classification losses*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values are precomputed numbers or come from
:mod:`lossviz.losses` / :mod:`lossviz.metrics`; the solutions live only in the chapter.

The chapter imports the checks, the real-data helper and the costs its prompts print::

    from lossviz.exercises.classification import (
        COST_FN, COST_FP, breast_cancer_probabilities,
        check_bce, check_best_threshold, check_focal_loss, check_softmax_cross_entropy,
    )

``check_bce`` takes the loss and its gradient, in that order; every other check takes one
function, like chapter 00's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

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
    expect_array,
    expect_close,
    finite_difference_gradient,
    fmt,
    hint_when,
    require_function,
    require_functions,
)

__all__ = [
    "COST_FN",
    "COST_FP",
    "breast_cancer_probabilities",
    "check_bce",
    "check_best_threshold",
    "check_focal_loss",
    "check_softmax_cross_entropy",
]

# --------------------------------------------------------------------------------------
# Helpers shared by the checks of this chapter
# --------------------------------------------------------------------------------------

# A gradient answer: one partial derivative per logit, an array of the shape of z.
_WRT_Z = GradientOf(variable="z", entry="∂L/∂zᵢ per logit", inputs="σ(z) and y",
                    nan_hint="look for a 0/0 or inf/inf in your formula")
_gradient = functools.partial(as_gradient, of=_WRT_Z)

_LENGTHS = (1, 5, 17, 100, 3, 8, 50, 2, 31, 64)
_SUM = "did you sum instead of averaging? Divide by the number of examples (np.mean)"
_DIV_N = ("the gradient of the *mean* loss carries its 1/n: divide by the number of "
          "examples, len(y)")


def _binary_case(rng: np.random.Generator, n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    return rng.integers(0, 2, n).astype(np.float64), rng.normal(0.0, scale, n)


# --------------------------------------------------------------------------------------
# bce_with_logits(y, z), bce_grad(y, z)
# --------------------------------------------------------------------------------------

_BCE_Y = np.array([1.0, 0.0, 1.0, 0.0])
_BCE_Z = np.array([2.0, -1.0, 0.5, 0.3])
_BCE_CASE = "y=[1, 0, 1, 0], z=[2, -1, 0.5, 0.3]"
_BCE_EXPECTED = 0.44215548180245734  # mean(softplus(z) − y z), precomputed
_BCE_PROBABILITIES = (
    "z holds logits (any real number), not probabilities: log σ(z) = −log(1 + e^(−z)) and "
    "log(1 − σ(z)) = −log(1 + e^z); np.log(z) of a logit is nan for z ≤ 0"
)
_BCE_MISTAKES = {
    4 * _BCE_EXPECTED: _SUM,
    -_BCE_EXPECTED: "the sign is flipped: ℓ = −[y log σ(z) + (1 − y) log(1 − σ(z))] ≥ 0",
    0.6171554818024573: "every example is scored as a positive: a negative (y = 0) costs "
                        "−log(1 − σ(z)) = log(1 + e^z)",  # mean(softplus(−z))
}
_BCE_STABLE = ("for large |z| the naive formula overflows (exp(1000) = inf) or takes "
               "log(0): use np.logaddexp(0, -z) or log1p(exp(-|z|)), never log(sigmoid(z))")
# z = ±1000: confident right answers cost 0, confident wrong ones cost |z|
_BCE_Y_BIG = np.array([1.0, 0.0, 1.0, 0.0])
_BCE_Z_BIG = np.array([1000.0, -1000.0, -1000.0, 1000.0])
_BCE_BIG_CASE = "y=[1, 0, 1, 0], z=[1000, -1000, -1000, 1000]"

# (σ(z) − y) / n on the fixed case, precomputed
_BCE_GRAD = np.array([-0.02980073050552942, 0.06723535534249878, -0.09438516719953635,
                      0.14361062920291476])
_BCE_SIGN = ("the sign is flipped: ∂ℓ/∂z = σ(z) − y (prediction minus target), so a "
             "gradient step lowers the logit of a negative")
_BCE_GRAD_MISTAKES = (
    (4 * _BCE_GRAD, _DIV_N),
    (-_BCE_GRAD, _BCE_SIGN),
    (-4 * _BCE_GRAD, _BCE_SIGN + "; and divide by n"),
    ([0.25, -0.25, -0.125, 0.075], "z holds logits, not probabilities: the gradient is "
                                   "(σ(z) − y)/n, not (z − y)/n"),
    ([-0.2201992694944706, 0.18276464465750122, -0.15561483280046365, 0.10638937079708526],
     "σ(z) = 1 / (1 + e^(−z)): mind the minus sign in the exponent"),
)
_BCE_GRAD_NAN = ("exp(z) / (1 + exp(z)) is inf/inf = nan for large z: compute σ(z) as "
                 "1 / (1 + np.exp(-z)) or scipy.special.expit(z)")
_BCE_CALL = "check_bce(bce_with_logits, bce_grad)"


def _check_bce(answers: tuple[Any, Any]) -> None:
    require_functions(answers, ("bce_with_logits", "bce_grad"), _BCE_CALL)
    loss_fn, grad_fn = answers
    rng = np.random.default_rng(202)

    # -- the loss --
    got = as_loss(call_named(loss_fn, "bce_with_logits", _BCE_Y, _BCE_Z),
                  f"bce_with_logits for {_BCE_CASE}", nan_hint=_BCE_PROBABILITIES)
    expect_close(got, _BCE_EXPECTED, mistakes=_BCE_MISTAKES, rtol=1e-8,
                 what=f"bce_with_logits for {_BCE_CASE}")
    got = as_loss(call_named(loss_fn, "bce_with_logits", _BCE_Y_BIG, _BCE_Z_BIG),
                  f"bce_with_logits for {_BCE_BIG_CASE}", nan_hint=_BCE_STABLE)
    expect_close(got, 500.0, rtol=1e-10, what=f"bce_with_logits for {_BCE_BIG_CASE}",
                 hint=_BCE_STABLE)
    for n, scale in zip(_LENGTHS, (3, 3, 3, 3, 3, 300, 300, 300, 1000, 3), strict=True):
        y, z = _binary_case(rng, n, scale)
        got = as_loss(call_named(loss_fn, "bce_with_logits", y, z), "bce_with_logits(y, z)",
                      nan_hint=_BCE_STABLE)
        expect_close(got, float(losses.bce_with_logits(y, z)), rtol=1e-8, atol=1e-12,
                     what=f"bce_with_logits on random logits of size ~{scale}, length {n}",
                     hint=_BCE_STABLE if scale > 100 else
                     "it must work for any length n, not just the examples above")

    # -- the gradient --
    got = _gradient(call_named(grad_fn, "bce_grad", _BCE_Y, _BCE_Z), f"bce_grad for {_BCE_CASE}",
                    4, nan_hint=_BCE_GRAD_NAN)
    expect_array(got, _BCE_GRAD, mistakes=_BCE_GRAD_MISTAKES, rtol=1e-8,
                 what=f"bce_grad for {_BCE_CASE}")
    got = _gradient(call_named(grad_fn, "bce_grad", _BCE_Y_BIG, _BCE_Z_BIG),
                    f"bce_grad for {_BCE_BIG_CASE}", 4, nan_hint=_BCE_GRAD_NAN)
    expect_array(got, np.array([0.0, 0.0, -0.25, 0.25]), rtol=1e-10, atol=1e-12,
                 what=f"bce_grad for {_BCE_BIG_CASE}", hint=_BCE_GRAD_NAN)
    for n, scale in zip(_LENGTHS, (3, 3, 3, 3, 3, 300, 300, 3, 3, 3), strict=True):
        y, z = _binary_case(rng, n, scale)
        got = _gradient(call_named(grad_fn, "bce_grad", y, z), "bce_grad(y, z)", n, _BCE_GRAD_NAN)
        expect_array(got, losses.bce_with_logits_grad(y, z), rtol=1e-8, atol=1e-12,
                     what=f"bce_grad on random logits of size ~{scale}, length {n}",
                     hint="it must work for any length n, not just the examples above")
    # the learner's gradient against central differences of the learner's own (checked) loss
    y, z = _binary_case(rng, 6, 2.0)
    got = _gradient(call_named(grad_fn, "bce_grad", y, z), "bce_grad(y, z)", 6, _BCE_GRAD_NAN)

    def mean_loss(moved: np.ndarray) -> float:
        return as_loss(call_named(loss_fn, "bce_with_logits", y, moved), "bce_with_logits(y, z)")

    expect_array(got, finite_difference_gradient(mean_loss, z), rtol=1e-5, atol=1e-7,
                 what="bce_grad on random logits of length 6 (central finite differences of "
                      "your bce_with_logits)")


_run_bce = check(
    "bce_with_logits matches the mean binary cross-entropy on a fixed case, at logits of "
    "±1000 (exactly 500) and on 10 random cases up to |z| ~ 1000; bce_grad is (σ(z) − y)/n "
    "there and agrees with finite differences of your loss"
)(_check_bce)


def check_bce(bce_with_logits: Any, bce_grad: Any) -> None:
    r"""Check the learner's binary cross-entropy on logits and its gradient (plain numpy).

    The learner writes (``y``: 1-D float array of labels 0.0 / 1.0, ``z``: 1-D float array
    of logits of the same length ``n``):

    - ``bce_with_logits(y, z)`` → one float, the mean over examples of
      :math:`-[y_i \log\sigma(z_i) + (1 - y_i)\log(1 - \sigma(z_i))]
      = \log(1 + e^{z_i}) - y_i z_i`, finite and exact for logits as large as ±1000;
    - ``bce_grad(y, z)`` → an array of shape ``(n,)``, the gradient of that mean,
      :math:`(\sigma(z_i) - y_i) / n`.

    What is checked: the loss on ``y = [1, 0, 1, 0]``, ``z = [2, -1, 0.5, 0.3]``
    (0.442155…), on ``z = [1000, -1000, -1000, 1000]`` (exactly 500: the stable form is
    required; the hint is ``use np.logaddexp(0, -z) or log1p(exp(-|z|))``), and on 10 random
    cases (logits of size 3 to 1000) against :func:`lossviz.losses.bce_with_logits`; the
    gradient on both fixed cases, on 10 random cases against
    :func:`lossviz.losses.bce_with_logits_grad`, and against central finite differences of
    the learner's loss. Hints name the usual mistakes: the naive formula (inf / nan), a sum
    instead of the mean, a missing 1/n, a flipped sign, logits treated as probabilities.

    Args:
        bce_with_logits: the learner's ``bce_with_logits(y, z)``.
        bce_grad: the learner's ``bce_grad(y, z)``.
    """
    __tracebackhide__ = True
    _run_bce((bce_with_logits, bce_grad))


# --------------------------------------------------------------------------------------
# softmax_cross_entropy(y, Z)
# --------------------------------------------------------------------------------------

_CE_Y = np.array([0, 2, 1])
_CE_Z = np.array([[2.0, 1.0, 0.5], [0.5, 1.5, 3.0], [1.0, 1.0, 1.0]])
_CE_CASE = "y=[0, 2, 1], Z=[[2, 1, 0.5], [0.5, 1.5, 3], [1, 1, 1]]"
_CE_EXPECTED = 0.6097829908610628  # mean(logsumexp(Z_i) − Z[i, y_i]), precomputed
_CE_INDEX = ("pick each row's own true class: log_p[np.arange(n), y] (log_p[:, y] or "
             "log_p[y] mixes examples and classes)")
_CE_KEEPDIMS = ("the row maxima must broadcast across each row: Z.max(axis=1, keepdims=True) "
                "has shape (n, 1); without keepdims, shape (n,) is subtracted column-wise")
_CE_MISTAKES = {
    3 * _CE_EXPECTED: _SUM,
    -_CE_EXPECTED: "the sign is flipped: the loss is −log softmax(z)_y = logsumexp(z) − z_y ≥ 0",
    -0.5972531564093516: "Z holds logits, not probabilities: take log softmax(Z) = "
                         "Z − logsumexp(Z), not np.log(Z)",
    -0.5760074197004793: "the log is missing: the loss is −log of the true class's softmax "
                         "probability, not minus the probability",
    1.3320052130832851: _CE_INDEX,
    0.2032609969536876: "average over the n examples (rows), not over all n·k entries",
    1.0070680481433998: _CE_KEEPDIMS,
}
_CE_NO_SHIFT = ("exp(1000) overflows to inf: subtract each row's maximum before "
                "exponentiating, logsumexp(z) = m + log Σ exp(z − m) with m = max(z) "
                "(log-sum-exp)")
_CE_GLOBAL_SHIFT = ("you subtracted one maximum for the whole array: a row whose logits are "
                    "all far below it underflows to exp(−1000) = 0 and log 0 = −inf; subtract "
                    "each row's own maximum (axis=1, keepdims=True)")
# rows whose maxima differ by 1000: catches a missing shift and a global (not per-row) shift
_CE_Y_BIG = np.array([1, 0, 2])
_CE_Z_BIG = np.array([[1000.0, 999.0, -1000.0], [-1000.0, 0.0, -999.0], [5.0, 1000.0, 1000.0]])
_CE_BIG_CASE = "y=[1, 0, 2], Z=[[1000, 999, -1000], [-1000, 0, -999], [5, 1000, 1000]]"
_CE_BIG_EXPECTED = 334.0021362893594  # (1 + log(1 + 1/e) + 1000 + log 2) / 3, precomputed


def _ce_call(fn: Callable[..., Any], y: np.ndarray, Z: np.ndarray, what: str,
             nan_hint: str) -> float:
    with hint_when("broadcast", hint=_CE_KEEPDIMS):
        value = call(fn, "softmax_cross_entropy", y, Z)
    return as_loss(value, what, nan_hint=nan_hint)


@check("softmax_cross_entropy matches the mean cross-entropy on a fixed case, on logits of "
       "±1000 whose rows differ by 1000 (log-sum-exp per row), and on 13 random cases "
       "(2 to 6 classes, logits up to ~500)")
def check_softmax_cross_entropy(fn: Any) -> None:
    r"""Check the learner's softmax cross-entropy (plain numpy, stable).

    The learner writes ``softmax_cross_entropy(y, Z)`` → one float: ``y`` is a 1-D integer
    array of ``n`` class indices in ``0 .. k-1`` and ``Z`` an ``(n, k)`` float array of
    logits; the result is the mean over the rows of
    :math:`\operatorname{logsumexp}(Z_i) - Z_{i, y_i} = -\log\operatorname{softmax}(Z_i)_{y_i}`,
    computed with each row's maximum subtracted first, so logits of ±1000 are fine.

    What is checked: ``y = [0, 2, 1]``, ``Z = [[2, 1, 0.5], [0.5, 1.5, 3], [1, 1, 1]]``
    (0.609783…); ``y = [1, 0, 2]``, ``Z = [[1000, 999, -1000], [-1000, 0, -999],
    [5, 1000, 1000]]`` (334.002…, which needs a per-row shift); 10 random cases with 2 to 6
    classes and 3 with logits of size ~500, against
    :func:`lossviz.losses.softmax_cross_entropy`. Hints name the usual mistakes: no
    max-subtraction (inf / nan), one global maximum instead of one per row, a maximum without
    ``keepdims``, ``np.log`` of logits, a missing log, the wrong indexing
    (``log_p[:, y]``), a sum instead of the mean, an average over all n·k entries.
    """
    fn = require_function(fn, "softmax_cross_entropy(y, Z)")
    got = _ce_call(fn, _CE_Y, _CE_Z, f"softmax_cross_entropy for {_CE_CASE}",
                   nan_hint="look for a log of a negative number or a 0/0")
    expect_close(got, _CE_EXPECTED, mistakes=_CE_MISTAKES, rtol=1e-8,
                 what=f"softmax_cross_entropy for {_CE_CASE}")
    got = _ce_call(fn, _CE_Y_BIG, _CE_Z_BIG, f"softmax_cross_entropy for {_CE_BIG_CASE}",
                   nan_hint=_CE_NO_SHIFT)
    expect_close(got, _CE_BIG_EXPECTED, rtol=1e-10, hint=_CE_NO_SHIFT,
                 mistakes={np.inf: _CE_NO_SHIFT, -np.inf: _CE_GLOBAL_SHIFT},
                 what=f"softmax_cross_entropy for {_CE_BIG_CASE}")
    rng = np.random.default_rng(203)
    shapes = ((1, 2), (5, 3), (17, 4), (100, 10), (3, 5), (8, 2), (50, 6), (2, 3), (31, 4),
              (64, 3), (20, 4), (7, 3), (40, 5))
    for (n, k), scale in zip(shapes, (3,) * 10 + (500,) * 3, strict=True):
        y, Z = rng.integers(0, k, n), rng.normal(0.0, scale, (n, k))
        got = _ce_call(fn, y, Z, "softmax_cross_entropy(y, Z)", nan_hint=_CE_NO_SHIFT)
        expect_close(got, float(losses.softmax_cross_entropy(y, Z)), rtol=1e-8, atol=1e-12,
                     what=f"softmax_cross_entropy on random logits of size ~{scale}, "
                          f"shape ({n}, {k})",
                     hint=_CE_NO_SHIFT if scale > 100 else
                     "it must work for any n and any number of classes k")


# --------------------------------------------------------------------------------------
# focal_loss(y, z, gamma=2.0, alpha=0.25)
# --------------------------------------------------------------------------------------

_FOCAL_Y = np.array([1.0, 0.0, 1.0, 0.0])
_FOCAL_Z = np.array([2.0, -1.0, -0.5, 1.5])
_FOCAL_CASE = "y=[1, 0, 1, 0], z=[2, -1, -0.5, 1.5]"
_FOCAL_EXPECTED = 0.24118789269234886  # lossviz.losses.focal with α = 0.25, γ = 2
_FOCAL_GAMMA0 = 0.4465643682328754  # γ = 0, α = 0.25: the α-weighted cross-entropy
_FOCAL_NO_ALPHA = 0.38478638420557354  # γ = 2 without the α weighting
_ALPHA_T = "α_t is α for a positive (y = 1) and 1 − α for a negative (y = 0)"
_FOCAL_MISTAKES = {
    4 * _FOCAL_EXPECTED: _SUM,
    -_FOCAL_EXPECTED: "the sign is flipped: ℓ = −α_t (1 − p_t)^γ log p_t ≥ 0",
    _FOCAL_NO_ALPHA: "the α weighting is missing: multiply each example by α_t; " + _ALPHA_T,
    0.25 * _FOCAL_NO_ALPHA: "every example was multiplied by α: " + _ALPHA_T,
    0.14359849151322462: "α and 1 − α are swapped: " + _ALPHA_T + " (torchvision's convention)",
    0.0657090313346918: "the modulating factor is (1 − p_t)^γ with p_t the probability of the "
                        "*true* class (p for y = 1, 1 − p for y = 0), not (1 − p)^γ for both",
    _FOCAL_GAMMA0: "the focusing factor (1 − p_t)^γ is missing (that is the α-weighted "
                   "cross-entropy, focal loss with γ = 0)",
}
_FOCAL_GAMMA0_HINT = ("with γ = 0 the factor (1 − p_t)^0 is 1, so focal loss must equal the "
                      "α-weighted cross-entropy α_t · BCE")


def _focal_call(fn: Callable[..., Any], what: str, *args: Any) -> float:
    with hint_when("TypeError", "argument",
                   hint="the signature must be focal_loss(y, z, gamma=2.0, alpha=0.25): "
                        "gamma and alpha third and fourth, with those defaults"):
        value = call(fn, "focal_loss", *args)
    return as_loss(value, what)


@check("focal_loss matches lossviz.losses.focal on a fixed case with the defaults γ = 2, "
       "α = 0.25, reduces to α-weighted cross-entropy at γ = 0, and matches on 10 random "
       "cases of γ ∈ [0, 5] and α ∈ [0.1, 1]")
def check_focal_loss(fn: Any) -> None:
    r"""Check the learner's sigmoid focal loss (plain numpy).

    The learner writes ``focal_loss(y, z, gamma=2.0, alpha=0.25)`` → one float (``y``: 1-D
    float labels 0.0 / 1.0, ``z``: logits of the same length ``n``; the check passes
    ``gamma`` and ``alpha`` as the third and fourth positional arguments): the mean over
    examples of

    .. math::
        -\alpha_t (1 - p_t)^\gamma \log p_t, \quad p = \sigma(z),\
        p_t = p \text{ if } y = 1 \text{ else } 1 - p,\
        \alpha_t = \alpha \text{ if } y = 1 \text{ else } 1 - \alpha,

    the convention of :func:`lossviz.losses.focal` and ``torchvision.ops.sigmoid_focal_loss``
    (α weights the positives). Logits stay moderate (:math:`|z| \le 6`), so a plain
    ``p = 1 / (1 + np.exp(-z))`` is accurate enough.

    What is checked: ``y = [1, 0, 1, 0]``, ``z = [2, -1, -0.5, 1.5]`` with the defaults
    (0.241188…) and with ``gamma=0.0, alpha=0.25`` (0.446564…, the α-weighted cross-entropy),
    then 10 random cases against :func:`lossviz.losses.focal`. Hints name the usual mistakes:
    no α weighting, α for every example, α and 1 − α swapped, :math:`(1 - p)^\gamma` for
    both classes instead of :math:`(1 - p_t)^\gamma`, the focusing factor missing, a sum
    instead of the mean, a flipped sign.
    """
    fn = require_function(fn, "focal_loss(y, z, gamma=2.0, alpha=0.25)")
    got = _focal_call(fn, f"focal_loss for {_FOCAL_CASE}", _FOCAL_Y, _FOCAL_Z)
    expect_close(got, _FOCAL_EXPECTED, mistakes=_FOCAL_MISTAKES, rtol=1e-8,
                 what=f"focal_loss for {_FOCAL_CASE} (defaults γ = 2, α = 0.25)")
    got = _focal_call(fn, f"focal_loss for {_FOCAL_CASE}, gamma=0, alpha=0.25",
                      _FOCAL_Y, _FOCAL_Z, 0.0, 0.25)
    expect_close(got, _FOCAL_GAMMA0, rtol=1e-8, hint=_FOCAL_GAMMA0_HINT,
                 mistakes={0.7789199901810137: "the α weighting is missing: " + _ALPHA_T},
                 what=f"focal_loss for {_FOCAL_CASE} with γ = 0, α = 0.25")
    rng = np.random.default_rng(204)
    gammas = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 1.5, 2.0, 0.0, 4.0)
    alphas = (0.25, 0.5, 0.1, 0.75, 1.0, 0.25, 0.6, 0.9, 0.4, 0.25)
    for n, gamma, alpha in zip(_LENGTHS, gammas, alphas, strict=True):
        y = rng.integers(0, 2, n).astype(np.float64)
        z = np.clip(rng.normal(0.0, 2.5, n), -6.0, 6.0)
        got = _focal_call(fn, "focal_loss(y, z, gamma, alpha)", y, z, gamma, alpha)
        expect_close(got, float(losses.focal(y, z, gamma=gamma, alpha=alpha)), rtol=1e-8,
                     atol=1e-12,
                     what=f"focal_loss on random logits, length {n}, γ = {gamma}, α = {alpha}",
                     hint="use the arguments gamma and alpha (not fixed numbers), for any n")


# --------------------------------------------------------------------------------------
# best_threshold(y, p, cost_fn, cost_fp) on real data
# --------------------------------------------------------------------------------------

#: Cost of a missed malignant tumour (a false negative) in the breast-cancer exercise.
COST_FN = 10.0
#: Cost of a false alarm (a benign tumour sent to biopsy) in the breast-cancer exercise.
COST_FP = 1.0
# The lowest total cost on the 114 validation tumours of breast_cancer_probabilities(),
# precomputed (1 missed cancer + 3 false alarms, at t = 0.4325); tests recompute it.
_BC_MIN_TOTAL_COST = 13.0


@functools.lru_cache(maxsize=1)
def _breast_cancer_probabilities() -> tuple[FloatArray, FloatArray]:
    from sklearn.linear_model import LogisticRegression

    split = data.load_breast_cancer(seed=0)
    model = LogisticRegression(C=1.0, max_iter=5000).fit(split.X_train, split.y_train)
    return split.y_val, model.predict_proba(split.X_val)[:, 1]


def breast_cancer_probabilities() -> tuple[FloatArray, FloatArray]:
    """Validation labels and predicted probabilities of malignancy from a fixed model.

    Data: :func:`lossviz.data.load_breast_cancer` with ``seed=0`` (a stratified 60 / 20 / 20
    split of the 569 tumours, 1 = malignant, features standardised with the training
    statistics). Model: scikit-learn's ``LogisticRegression(C=1.0, max_iter=5000)`` fitted
    on the 341 training tumours. Returns ``(y_val, p_val)``: the labels (0.0 / 1.0) and
    P(malignant) of the 114 validation tumours (43 malignant). Computed once per session
    (about 0.1 s); every call returns fresh copies.
    """
    y, p = _breast_cancer_probabilities()
    return y.copy(), p.copy()


def _total_cost(y: np.ndarray, p: np.ndarray, t: float, cost_fn: float, cost_fp: float) -> float:
    """c_FN · FN + c_FP · FP when every example with p ≥ t is called positive."""
    positive = p >= t
    return float(cost_fn * np.sum((y == 1) & ~positive) + cost_fp * np.sum((y == 0) & positive))


def _lowest_cost(y: np.ndarray, p: np.ndarray, cost_fn: float, cost_fp: float) -> float:
    # the cost is a step function of t that changes only where t passes a value of p
    return min(_total_cost(y, p, t, cost_fn, cost_fp) for t in (*np.unique(p), np.inf))


def _threshold_case(rng: np.random.Generator, n: int, ties: bool,
                    top_negative: bool) -> tuple[np.ndarray, np.ndarray]:
    q = rng.beta(0.7, 0.7, n)
    y = (rng.random(n) < q).astype(np.float64)
    p = np.clip(q + rng.normal(0.0, 0.15, n), 0.0, 1.0)
    p = np.round(p, 1) if ties else p
    if top_negative:  # every threshold that finds a positive raises a false alarm first
        y[p == p.max()] = 0.0
    return y, p


# (n, ties, top_negative, cost_fn, cost_fp): the seeded random cases. In the last one the
# most confident examples are negatives and a false alarm costs 40, more than all n = 20
# misses together: the cheapest decision is to call nothing positive (t = inf).
_THRESHOLD_CASES = ((40, False, False, 10.0, 1.0), (25, True, False, 1.0, 1.0),
                    (60, False, False, 1.0, 5.0), (12, True, False, 3.0, 2.0),
                    (80, False, False, 0.5, 4.0), (30, True, False, 25.0, 1.0),
                    (50, False, False, 2.0, 1.0), (20, False, True, 1.0, 40.0))
_GRID_HINT = ("the cost changes only where the threshold passes a predicted probability, so "
              "a grid can step over the best threshold: try every value in p as the threshold "
              "(and np.inf, which calls nothing positive)")


def _expect_best(got: float, y: np.ndarray, p: np.ndarray, cost_fn: float, cost_fp: float,
                 case: str, best: float | None = None) -> None:
    """The learner's threshold must reach the lowest total cost (``best``, if precomputed)."""
    best = _lowest_cost(y, p, cost_fn, cost_fp) if best is None else best
    cost = _total_cost(y, p, got, cost_fn, cost_fp)
    if np.isclose(cost, best, rtol=1e-12, atol=1e-12):
        return
    what = (f"best_threshold {case} returned t = {fmt(got)}, whose total cost is {fmt(cost)}; "
            f"the lowest possible is {fmt(best)}")
    bayes = cost_fp / (cost_fp + cost_fn)
    if best > 0 and (np.isclose(got, best) or np.isclose(got, best / y.size)):
        hint = "return the threshold t, not its cost"
    elif np.isclose(got, bayes, rtol=1e-9, atol=0):
        hint = (f"that is the Bayes threshold cost_fp / (cost_fp + cost_fn) = {bayes:.4g}, "
                "optimal only for perfectly calibrated probabilities; the exercise asks for "
                "the threshold with the lowest cost on these data: evaluate the cost at every "
                "value in p")
    elif np.isclose(got, 0.5, rtol=0, atol=1e-12) and cost_fn != cost_fp:
        hint = "0.5 is the best threshold only when both mistakes cost the same"
    elif np.isclose(_total_cost(y, p, got, cost_fp, cost_fn), _lowest_cost(y, p, cost_fp, cost_fn)):
        hint = ("the costs look swapped: a false negative (y = 1 called negative) costs cost_fn, "
                "a false positive (y = 0 called positive) costs cost_fp")
    elif np.isclose(_total_cost(y, p, np.nextafter(got, np.inf), cost_fn, cost_fp), best):
        hint = ("the decision rule is p >= t: an example whose p equals the threshold is "
                "called positive (you seem to use p > t)")
    elif got < np.inf and best == _total_cost(y, p, np.inf, cost_fn, cost_fp):
        hint = ("here the cheapest decision is to call nothing positive: include a threshold "
                "above every p, such as np.inf, among your candidates")
    else:
        hint = _GRID_HINT
    raise Fail(what, hint)


@check("best_threshold finds a threshold with the lowest total cost on the 114 breast-cancer "
       "validation tumours (a miss costs 10, a false alarm 1) and on 8 random cases (ties, "
       "equal costs, costly false alarms)")
def check_best_threshold(fn: Any) -> None:
    r"""Check the learner's empirical cost-minimising threshold.

    The learner writes ``best_threshold(y, p, cost_fn, cost_fp)`` → one float ``t``: ``y``
    holds labels 0.0 / 1.0, ``p`` predicted probabilities of class 1 (same length), and every
    example with ``p >= t`` is called positive. ``t`` must give the lowest total cost
    :math:`c_\text{FN}\cdot\mathrm{FN} + c_\text{FP}\cdot\mathrm{FP}` on these data (or the
    lowest mean cost: the same thresholds). The cost changes only where ``t`` passes a
    value of ``p``, so trying every value in ``p``, plus ``np.inf`` (nothing positive),
    finds the minimum exactly; any threshold reaching it passes, so ties may be broken
    either way.

    This is the *empirical* optimum on validation data. The chapter sets it beside the
    Bayes threshold :func:`lossviz.metrics.bayes_threshold` = c_FP / (c_FP + c_FN) = 1/11,
    which is optimal if the probabilities are calibrated and needs no data; returning it
    here gets its own hint.

    What is checked: on :func:`breast_cancer_probabilities` with ``COST_FN`` = 10 and
    ``COST_FP`` = 1 the returned threshold must reach the precomputed lowest total cost
    13 (one missed cancer, three false alarms); then 8 seeded random cases with tied
    probabilities, equal costs and one case where calling nothing positive is cheapest.
    Hints: the cost returned instead of the threshold, the Bayes threshold, 0.5, swapped
    costs, ``p > t`` instead of ``p >= t``, a grid that steps over the optimum.
    """
    fn = require_function(fn, "best_threshold(y, p, cost_fn, cost_fp)")
    y, p = breast_cancer_probabilities()
    got = as_number(call(fn, "best_threshold", y, p, COST_FN, COST_FP),
                    "best_threshold(y_val, p_val, 10, 1)")
    _expect_best(got, y, p, COST_FN, COST_FP, "on the breast-cancer validation set "
                 "(cost_fn=10, cost_fp=1)", best=_BC_MIN_TOTAL_COST)
    rng = np.random.default_rng(205)
    for n, ties, top_negative, cost_fn, cost_fp in _THRESHOLD_CASES:
        y, p = _threshold_case(rng, n, ties, top_negative)
        got = as_number(call(fn, "best_threshold", y, p, cost_fn, cost_fp),
                        "best_threshold(y, p, cost_fn, cost_fp)")
        _expect_best(got, y, p, cost_fn, cost_fp,
                     f"on random data (n={n}, cost_fn={fmt(cost_fn)}, cost_fp={fmt(cost_fp)}"
                     f"{', tied probabilities' if ties else ''})")
