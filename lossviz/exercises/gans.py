r"""Checks for chapter 05, *GANs*.

Each ``check_*`` prints one line and raises ``AssertionError`` on failure (see
``lossviz.exercises._check``). Expected values come from :mod:`lossviz.losses`
(``gan_discriminator``, ``gan_generator_minimax``, ``gan_generator_nonsaturating``),
:mod:`lossviz.gan` (``gaussian_logpdf``, the critic :class:`~lossviz.gan.TinyMLP`) and
:func:`lossviz.data.digits_real_vs_fake`; the solutions live only in the chapter.

Conventions: a real example has label 1, a generated one label 0; the discriminator outputs
a logit :math:`f` and :math:`D = \sigma(f)` is its probability that the example is real.

The chapter imports the checks and the real-data helper::

    from lossviz.exercises.gans import (
        D_STAR_DATA, D_STAR_GENERATOR, digits_discriminator_logits,
        check_critic_loss, check_d_star, check_discriminator_loss,
        check_generator_gradients, check_generator_losses, check_js_lower_bound,
    )

``check_generator_losses`` and ``check_generator_gradients`` take two functions each, in
the order of their signatures; every other check takes one function.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.special import expit

from .. import data, losses
from ..gan import TinyMLP, gaussian_logpdf
from ..losses._core import FloatArray
from ._check import (
    Fail,
    as_loss,
    call,
    call_named,
    check,
    expect_close,
    fmt,
    hint_when,
    require_function,
    require_functions,
)

__all__ = [
    "D_STAR_DATA",
    "D_STAR_GENERATOR",
    "check_critic_loss",
    "check_d_star",
    "check_discriminator_loss",
    "check_generator_gradients",
    "check_generator_losses",
    "check_js_lower_bound",
    "digits_discriminator_logits",
]

# --------------------------------------------------------------------------------------
# Helpers shared by the checks of this chapter
# --------------------------------------------------------------------------------------

_LOG2 = float(np.log(2.0))
_SUM = "did you sum instead of averaging? Each group's term is a mean (np.mean)"
_LOGITS = ("f holds logits (any real number), not probabilities: D = σ(f) = 1 / (1 + e^(−f)), "
           "and np.log of a negative logit is nan")
_STABLE = ("for logits like ±800 the naive formula overflows (exp(800) = inf) or takes "
           "log(0): compute −log σ(f) = log(1 + e^(−f)) as np.logaddexp(0, -f) and "
           "−log(1 − σ(f)) = log(1 + e^f) as np.logaddexp(0, f), never np.log(sigmoid(f))")
_ELEMENTWISE = ("use numpy's element-wise functions (np.exp, np.log, np.logaddexp), not "
                "math.exp or math.log, which take one number")
_LENGTHS = ((1, 1), (5, 5), (17, 3), (2, 40), (100, 100), (8, 13), (64, 31), (3, 1))


def _softplus(t: FloatArray) -> FloatArray:
    """log(1 + e^t) from lossviz's stable loss: the binary cross-entropy of a label-0 logit."""
    return np.asarray(losses.gan_discriminator(np.zeros(t.shape), t, reduction="none"))


def _close(a: Any, b: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _numpy_warnings(fn: Callable[..., Any], *args: Any) -> list[str]:
    """The floating-point warnings (overflow, divide by zero, invalid) learner code raises.

    ``call`` silences them; a stability exercise runs the learner's function a second time
    through this to tell "right, but only by luck" from "right". Exceptions are ignored
    here: ``call`` has reported them already.
    """
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    with (
        contextlib.redirect_stdout(io.StringIO()),
        warnings.catch_warnings(record=True) as caught,
        np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"),
    ):
        warnings.simplefilter("always")
        try:
            fn(*args)
        except Exception:  # reported by call()
            return []
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def _expect_quiet(fn: Callable[..., Any], what: str, *args: Any) -> None:
    """Fail if the learner's (correct) value came with an overflow or divide warning."""
    messages = _numpy_warnings(fn, *args)
    if messages:
        raise Fail(f"{what} is right, but numpy warned \"{messages[0]}\" on the way",
                   "the value survived an overflow or a log(0) on the way (np.where, for "
                   "example, computes both branches before it picks one): " + _STABLE)


def _values(value: Any, what: str, shape: tuple[int, ...], like: str, nan_hint: str
            ) -> np.ndarray:
    """An element-wise answer: a float array of ``shape`` (the shape of the argument ``like``)."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    if isinstance(value, tuple):
        raise Fail(f"{what} returned a tuple of {len(value)} values, expected one array",
                   f"return one array with the shape of {like}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__} {fmt(value)}, expected an array "
                   "of numbers") from None
    if arr.shape != shape:
        hint = (f"do not average or sum: return one value per entry of {like}" if arr.ndim == 0
                else f"compute element-wise: one value per entry of {like}")
        raise Fail(f"{what} returned shape {arr.shape}, expected {shape}, the shape of {like}",
                   hint)
    bad = np.flatnonzero(np.isnan(arr))
    if bad.size:
        raise Fail(f"{what} returned nan at index {int(bad[0])}", nan_hint)
    return arr


def _array_mistake(got: np.ndarray, mistakes: Sequence[tuple[Any, str]]) -> str | None:
    return next((hint for wrong, hint in mistakes if _close(got, wrong)), None)


def _numbers(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{float(v):.6g}" for v in values) + "]"


def _expect_elementwise(got: np.ndarray, expected: np.ndarray, *, what: str, at: np.ndarray,
                        name: str, mistakes: Sequence[tuple[Any, str]] = (),
                        hint: str | None = None, rtol: float = 1e-8, atol: float = 1e-12
                        ) -> None:
    """Fail unless ``got ≈ expected``, naming the input ``name = at[i]`` where it is worst.

    Values are shown with 6 significant digits (a D of 0.99995 is not "1" here); a known
    wrong array gets its hint.
    """
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if not np.any(wrong):
        return
    hint = _array_mistake(got, mistakes) or hint
    if got.size <= 8:
        raise Fail(f"{what} should be {_numbers(expected)}, got {_numbers(got)}", hint)
    i = int(np.argmax(np.where(wrong, np.abs(got - expected), -1.0)))
    raise Fail(f"{what} is wrong at {int(wrong.sum())} of {got.size} points; at {name} = "
               f"{float(at[i]):.4g} it should be {float(expected[i]):.6g}, got "
               f"{float(got[i]):.6g}", hint)


def _two_group_case(rng: np.random.Generator, n_real: int, n_fake: int, scale: float
                    ) -> tuple[FloatArray, FloatArray]:
    return rng.normal(1.0, scale, n_real), rng.normal(-1.0, scale, n_fake)


def _discriminator_loss(f_real: FloatArray, f_fake: FloatArray) -> float:
    """L_D = mean over reals of −log D + mean over fakes of −log(1 − D), from lossviz."""
    return float(losses.gan_discriminator(np.ones(f_real.size), f_real)
                 + losses.gan_discriminator(np.zeros(f_fake.size), f_fake))


# The fixed cases of the three loss exercises: equal sizes, unequal sizes, logits of ±800.
_EQ_REAL = np.array([2.0, -1.0, 0.5, 3.0])
_EQ_FAKE = np.array([-2.0, 0.5, -0.5, 1.0])
_EQ_CASE = "f_real=[2, -1, 0.5, 3], f_fake=[-2, 0.5, -0.5, 1]"
_UNEQ_REAL = np.array([1.5, -0.5, 2.5])
_UNEQ_FAKE = np.array([0.0, -1.0, -3.0, 2.0, 0.5])
_UNEQ_CASE = "f_real=[1.5, -0.5, 2.5], f_fake=[0, -1, -3, 2, 0.5] (3 real, 5 generated)"
_BIG_REAL = np.array([800.0, -800.0, 3.0])
_BIG_FAKE = np.array([-800.0, 800.0, -2.0, 0.0])
_BIG_CASE = "f_real=[800, -800, 3], f_fake=[-800, 800, -2, 0]"


def _group_means(f_real: FloatArray, f_fake: FloatArray) -> tuple[float, float, float, float]:
    """Means of −log D on reals, −log(1 − D) on fakes, and the two with the labels swapped."""
    return (float(np.mean(_softplus(-f_real))), float(np.mean(_softplus(f_fake))),
            float(np.mean(_softplus(f_real))), float(np.mean(_softplus(-f_fake))))


# --------------------------------------------------------------------------------------
# Exercise 1: discriminator_loss(f_real, f_fake)
# --------------------------------------------------------------------------------------

_CONCAT = ("you averaged over all real and generated examples together (one batch); the "
           "loss is the *sum* of two group means: mean over the reals of −log D plus mean "
           "over the fakes of −log(1 − D), each group averaged on its own")
_BROADCAST = ("f_real and f_fake may have different lengths: reduce each array to its own "
              "mean first, then add the two numbers")


def _d_loss_mistakes(f_real: FloatArray, f_fake: FloatArray) -> dict[float, str]:
    r, f, r_swapped, f_swapped = _group_means(f_real, f_fake)
    n_r, n_f = f_real.size, f_fake.size
    loss = r + f
    concatenated = {} if n_r == n_f else {  # with equal sizes: loss / 2 and loss, below
        (n_r * r + n_f * f) / (n_r + n_f): _CONCAT,
        2 * (n_r * r + n_f * f) / (n_r + n_f): "twice the mean over the concatenated batch "
                                               "equals the loss only when the two groups "
                                               "have the same size; " + _CONCAT,
    }
    return {
        **concatenated,
        -loss: "the sign is flipped: L_D = −mean log D(x_real) − mean log(1 − D(x_fake)) ≥ 0",
        r_swapped + f_swapped: "the labels are swapped: a real example (label 1) costs "
                               "−log D = −log σ(f), a generated one (label 0) costs "
                               "−log(1 − D) = −log(1 − σ(f))",
        loss / 2: "that is half the loss: you averaged the two group means, or averaged "
                  "over the concatenated batch; the loss is their *sum* (the paper's "
                  "−E log D(x) − E log(1 − D(G(z))))",
        n_r * r + n_f * f: _SUM,
        r: "only the real examples are scored: add mean −log(1 − σ(f)) over the fakes",
        f: "only the generated examples are scored: add mean −log σ(f) over the reals",
    }


def _d_loss(fn: Any, f_real: FloatArray, f_fake: FloatArray, what: str, nan_hint: str) -> float:
    with hint_when("broadcast", hint=_BROADCAST), hint_when("arrays can be converted",
                                                            hint=_ELEMENTWISE):
        value = call(fn, "discriminator_loss", f_real, f_fake)
    return as_loss(value, what, nan_hint=nan_hint)


@check("discriminator_loss = mean −log σ(f_real) + mean −log(1 − σ(f_fake)) on 2 fixed "
       "cases (equal and unequal group sizes), on logits of ±800 without overflow, and on 8 "
       "random cases")
def check_discriminator_loss(fn: Any) -> None:
    r"""Check ``discriminator_loss(f_real, f_fake)``: the GAN discriminator's loss from logits.

    The learner writes, with numpy only, for the discriminator's logits ``f_real`` on real
    examples and ``f_fake`` on generated ones (1-D float arrays, possibly of different
    lengths), the sum of the two group means (the form of Goodfellow et al. 2014, minus
    the value :math:`V(D, G)`):

    .. math::
        L_D = -\frac{1}{n_r}\sum_i \log\sigma(f^\text{real}_i)
              - \frac{1}{n_g}\sum_j \log\bigl(1 - \sigma(f^\text{fake}_j)\bigr),

    computed stably: :math:`-\log\sigma(f) = \log(1 + e^{-f})` is ``np.logaddexp(0, -f)``
    and :math:`-\log(1 - \sigma(f)) = \log(1 + e^{f})` is ``np.logaddexp(0, f)``.

    What is checked, in this order: ``f_real = [2, -1, 0.5, 3]``, ``f_fake = [-2, 0.5,
    -0.5, 1]``; ``f_real = [1.5, -0.5, 2.5]`` against 5 fakes ``[0, -1, -3, 2, 0.5]``;
    ``f_real = [800, -800, 3]``, ``f_fake = [-800, 800, -2, 0]`` (the loss is finite,
    about 466.89, and numpy must not warn of an overflow or a log of 0 on the way); 8
    random cases against :func:`lossviz.losses.gan_discriminator`. Hints for: a flipped
    sign, swapped labels, a mean over the concatenated batch (half the loss when the
    groups have equal sizes), a sum instead of the means, one group missing, arrays of
    different lengths combined element-wise, ``np.log(sigmoid(f))`` (inf, nan or an
    overflow warning), logits treated as probabilities.

    Args:
        fn: the learner's ``discriminator_loss(f_real, f_fake)``.
    """
    fn = require_function(fn, "discriminator_loss(f_real, f_fake)")
    for f_real, f_fake, case in ((_EQ_REAL, _EQ_FAKE, _EQ_CASE),
                                 (_UNEQ_REAL, _UNEQ_FAKE, _UNEQ_CASE)):
        got = _d_loss(fn, f_real, f_fake, f"discriminator_loss for {case}", _LOGITS)
        expect_close(got, _discriminator_loss(f_real, f_fake), rtol=1e-8,
                     what=f"discriminator_loss for {case}",
                     mistakes=_d_loss_mistakes(f_real, f_fake),
                     hint="L_D = mean of −log σ(f) over the reals + mean of −log(1 − σ(f)) "
                          "over the fakes")
    what = f"discriminator_loss for {_BIG_CASE}"
    got = _d_loss(fn, _BIG_REAL, _BIG_FAKE, what, _STABLE)
    expect_close(got, _discriminator_loss(_BIG_REAL, _BIG_FAKE), rtol=1e-10, what=what,
                 hint=_STABLE)
    _expect_quiet(fn, what, _BIG_REAL, _BIG_FAKE)
    rng = np.random.default_rng(501)
    for (n_r, n_f), scale in zip(_LENGTHS, (3, 3, 3, 3, 3, 300, 300, 3), strict=True):
        f_real, f_fake = _two_group_case(rng, n_r, n_f, scale)
        got = _d_loss(fn, f_real, f_fake, "discriminator_loss(f_real, f_fake)", _STABLE)
        expect_close(got, _discriminator_loss(f_real, f_fake), rtol=1e-8, atol=1e-12,
                     what=f"discriminator_loss on random logits of size ~{scale} "
                          f"({n_r} real, {n_f} generated)",
                     hint=_STABLE if scale > 100 else
                     "it must work for any two lengths, not just the examples above")


# --------------------------------------------------------------------------------------
# Exercise 2: generator_loss_nonsaturating(f_fake), generator_loss_minimax(f_fake)
# --------------------------------------------------------------------------------------

_G_FAKE = np.array([-3.0, -0.5, 0.0, 1.5, 4.0])
_G_CASE = "f_fake=[-3, -0.5, 0, 1.5, 4]"
_G_BIG = np.array([-800.0, 800.0, 0.0])
_G_BIG_CASE = "f_fake=[-800, 800, 0]"
_NS = "generator_loss_nonsaturating"
_MM = "generator_loss_minimax"
_G_CALL = "check_generator_losses(generator_loss_nonsaturating, generator_loss_minimax)"


def _nonsaturating(f: FloatArray) -> float:
    return float(losses.gan_generator_nonsaturating(np.zeros(f.size), f))


def _minimax(f: FloatArray) -> float:
    return float(losses.gan_generator_minimax(np.zeros(f.size), f))


def _ns_mistakes(f: FloatArray) -> dict[float, str]:
    ns, mm = _nonsaturating(f), _minimax(f)
    return {
        mm: "that is the minimax loss, mean log(1 − D): are the two functions swapped? The "
            "non-saturating loss is −mean log D = −mean log σ(f)",
        -ns: "the sign is flipped: the generator *minimises* −log D(G(z)) (it wants D to call "
             "its fakes real), a loss ≥ 0",
        -mm: "that is −log(1 − D), the discriminator's loss on the fakes; the generator's "
             "non-saturating loss flips the label: −log D = −log σ(f)",
        f.size * ns: _SUM,
    }


def _mm_mistakes(f: FloatArray) -> dict[float, str]:
    ns, mm = _nonsaturating(f), _minimax(f)
    return {
        ns: "that is the non-saturating loss, −mean log D: are the two functions swapped? "
            "The minimax loss is mean log(1 − D) = mean log(1 − σ(f))",
        -mm: "the sign is flipped: in the zero-sum game the generator minimises "
             "+log(1 − D(G(z))), exactly minus the discriminator's loss on the fakes (≤ 0)",
        -ns: "that is mean log D; the minimax generator minimises mean log(1 − D) = "
             "mean log(1 − σ(f))",
        f.size * mm: _SUM,
    }


def _g_loss(fn: Any, name: str, f: FloatArray, what: str, nan_hint: str) -> float:
    with hint_when("arrays can be converted", hint=_ELEMENTWISE):
        value = call_named(fn, name, f)
    return as_loss(value, what, nan_hint=nan_hint)


def _check_generator_losses(answers: tuple[Any, Any]) -> None:
    require_functions(answers, (_NS, _MM), _G_CALL)
    rng = np.random.default_rng(502)
    for fn, name, reference, mistakes in ((answers[0], _NS, _nonsaturating, _ns_mistakes),
                                          (answers[1], _MM, _minimax, _mm_mistakes)):
        what = f"{name} for {_G_CASE}"
        expect_close(_g_loss(fn, name, _G_FAKE, what, _LOGITS), reference(_G_FAKE), rtol=1e-8,
                     what=what, mistakes=mistakes(_G_FAKE))
        what = f"{name} for {_G_BIG_CASE}"
        expect_close(_g_loss(fn, name, _G_BIG, what, _STABLE), reference(_G_BIG), rtol=1e-10,
                     what=what, hint=_STABLE)
        _expect_quiet(fn, what, _G_BIG)
        for n, scale in zip((1, 4, 17, 100, 3, 50), (3, 3, 3, 3, 300, 300), strict=True):
            f = rng.normal(-1.0, scale, n)
            expect_close(_g_loss(fn, name, f, f"{name}(f_fake)", _STABLE), reference(f),
                         rtol=1e-8, atol=1e-12,
                         what=f"{name} on random logits of size ~{scale}, length {n}",
                         hint=_STABLE if scale > 100 else
                         "it must work for any length, not just the examples above")


_run_generator_losses = check(
    "generator_loss_nonsaturating = −mean log σ(f) and generator_loss_minimax = "
    "mean log(1 − σ(f)) on a fixed case, on logits of ±800 without overflow, and on 6 "
    "random cases each"
)(_check_generator_losses)


def check_generator_losses(generator_loss_nonsaturating: Any, generator_loss_minimax: Any
                           ) -> None:
    r"""Check the generator's two losses, from the discriminator's logits on generated examples.

    The learner writes, with numpy only, for a 1-D float array ``f_fake`` of logits
    :math:`f = f(G(z))` (so :math:`D(G(z)) = \sigma(f)`):

    - ``generator_loss_nonsaturating(f_fake)`` → one float,
      :math:`-\frac1n\sum_j \log\sigma(f_j)` = ``np.mean(np.logaddexp(0, -f_fake))``;
    - ``generator_loss_minimax(f_fake)`` → one float,
      :math:`\frac1n\sum_j \log(1 - \sigma(f_j))` = ``-np.mean(np.logaddexp(0, f_fake))``,
      the quantity the generator minimises in the zero-sum game (≤ 0).

    What is checked, for each function in turn: ``f_fake = [-3, -0.5, 0, 1.5, 4]``;
    ``f_fake = [-800, 800, 0]`` (finite, no overflow or divide warning); 6 random cases
    against :func:`lossviz.losses.gan_generator_nonsaturating` /
    :func:`lossviz.losses.gan_generator_minimax` on generated examples. Hints for: the
    two losses swapped, flipped signs, the discriminator's −log(1 − D) instead of −log D,
    log D instead of log(1 − D), a sum instead of the mean, the naive
    ``np.log(sigmoid(f))``, logits treated as probabilities.

    Args:
        generator_loss_nonsaturating: the learner's ``generator_loss_nonsaturating(f_fake)``.
        generator_loss_minimax: the learner's ``generator_loss_minimax(f_fake)``.
    """
    __tracebackhide__ = True
    _run_generator_losses((generator_loss_nonsaturating, generator_loss_minimax))


# --------------------------------------------------------------------------------------
# Exercise 3: d_star(x) for p_data = N(0, 1), p_g = N(2, 0.5²)
# --------------------------------------------------------------------------------------

#: The data density of :func:`check_d_star`: :math:`\mathcal N(0, 1)`, as (mean, std).
D_STAR_DATA = (0.0, 1.0)
#: The generator's density of :func:`check_d_star`: :math:`\mathcal N(2, 0.5^2)`, as (mean, std).
D_STAR_GENERATOR = (2.0, 0.5)

_DS_GRID = np.linspace(-4.0, 6.0, 41)
_DS_TAILS = np.array([-40.0, 40.0])
_DS_LOG_SPACE = ("far from both means both densities underflow to 0 (exp(−800) = 0.0), and "
                 "0 / (0 + 0) = nan: work in log space, D* = σ(log p_data − log p_g) with "
                 "log p = −(x − μ)² / (2σ²) − log σ − ½ log 2π")
_DS_PROBABILITY = ("D*(x) is a probability in [0, 1]: p_data / (p_data + p_g); if you computed "
                   "the logit log p_data − log p_g, apply σ to it")


def _log_pdf(x: FloatArray, mu: float, sigma: float) -> FloatArray:
    return gaussian_logpdf(x, mu, sigma)


def _d_star(x: FloatArray, sigma_g: float = D_STAR_GENERATOR[1], shift: float = 0.0
            ) -> FloatArray:
    """σ(log p_data − log p_g + shift): D*, or a mistake's version of it."""
    logit = _log_pdf(x, *D_STAR_DATA) - _log_pdf(x, D_STAR_GENERATOR[0], sigma_g)
    return np.asarray(expit(logit + shift))


def _d_star_mistakes(x: FloatArray) -> tuple[tuple[FloatArray, str], ...]:
    logit = _log_pdf(x, *D_STAR_DATA) - _log_pdf(x, *D_STAR_GENERATOR)
    return (
        (1.0 - _d_star(x), "that is p_g / (p_data + p_g), the probability that x is "
                           "*generated*: D* puts p_data on top"),
        (_d_star(x, shift=_LOG2),
         "the Gaussians' normalising constants are missing: N(μ, σ²) has density "
         "exp(−(x − μ)²/(2σ²)) / (σ√(2π)), and the 1/σ does not cancel when σ_data = 1 and "
         "σ_g = 0.5 differ"),
        (_d_star(x, sigma_g=np.sqrt(0.5)), "p_g = N(2, 0.5²) has standard deviation 0.5 and "
                                           "variance 0.25, not variance 0.5"),
        (_d_star(x, sigma_g=0.25), "p_g = N(2, 0.5²) has standard deviation σ = 0.5; 0.25 is "
                                   "its variance σ²"),
        (logit, "that is the logit log p_data − log p_g; D* = σ(logit) = "
                "1 / (1 + exp(−logit))"),
        (np.exp(logit), "that is the ratio p_data / p_g; D* = p_data / (p_data + p_g)"),
    )


def _d_star_call(fn: Any, x: FloatArray, what: str, nan_hint: str) -> np.ndarray:
    with hint_when("arrays can be converted", hint=_ELEMENTWISE), \
            hint_when("truth value of an array", hint=_ELEMENTWISE):
        value = call(fn, "d_star", x)
    return _values(value, what, x.shape, "x", nan_hint)


@check("d_star(x) = p_data / (p_data + p_g) for p_data = N(0, 1), p_g = N(2, 0.5²) on 41 "
       "points of [−4, 6], in the far tails x = ±40 (where both densities underflow to 0) "
       "and on 30 random points")
def check_d_star(fn: Any) -> None:
    r"""Check ``d_star(x)``: the optimal discriminator for two given densities.

    The densities (the chapter's prompt states them; :data:`D_STAR_DATA` and
    :data:`D_STAR_GENERATOR` hold them as (mean, standard deviation)):

    - :math:`p_\text{data} = \mathcal N(0, 1)`,
    - :math:`p_g = \mathcal N(2, 0.5^2)` (standard deviation 0.5, variance 0.25).

    The learner writes ``d_star(x)`` → an array of the shape of the 1-D float array ``x``,

    .. math::
        D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}
               = \sigma\bigl(\log p_\text{data}(x) - \log p_g(x)\bigr),

    the discriminator that maximises :math:`V(D, G)` for this generator (Goodfellow et al.
    2014, Proposition 1). The second form is the stable one: at :math:`x = \pm 40` both
    densities underflow to 0.0 and the plain ratio is 0/0 = nan, while the log-densities
    are finite and :math:`D^*(\pm 40) = 1` (:math:`p_g` is narrower, so it falls faster
    in both tails).

    What is checked: 41 points from −4 to 6 (step 0.25) against
    :math:`\sigma(\log p_\text{data} - \log p_g)` with the log-densities of
    :func:`lossviz.gan.gaussian_logpdf`; that the values lie in [0, 1]; ``x = [-40, 40]``
    (``[1, 1]``); 30 random points in [−10, 12]. Hints for: p_g on top (1 − D*), the
    normalising constants forgotten (the 1/σ matters when the spreads differ), variance
    and standard deviation confused, the logit or the ratio p_data/p_g returned, nan in
    the tails (work in log space), ``math.exp`` on an array.

    Args:
        fn: the learner's ``d_star(x)``.
    """
    fn = require_function(fn, "d_star(x)")
    what = "d_star on 41 points of [−4, 6]"
    got = _d_star_call(fn, _DS_GRID, what, "look for a 0/0 or a log of a negative number")
    in_range = bool(np.all((got >= 0) & (got <= 1)))
    _expect_elementwise(got, _d_star(_DS_GRID), what=what, at=_DS_GRID, name="x",
                        mistakes=_d_star_mistakes(_DS_GRID),
                        hint="D*(x) = p_data(x) / (p_data(x) + p_g(x)) with the two Gaussian "
                             "densities N(0, 1) and N(2, 0.5²)" if in_range else _DS_PROBABILITY)
    what = "d_star(np.array([-40.0, 40.0]))"
    got = _d_star_call(fn, _DS_TAILS, what, _DS_LOG_SPACE)
    _expect_elementwise(got, _d_star(_DS_TAILS), what=what, at=_DS_TAILS, name="x",
                        hint=_DS_LOG_SPACE)
    rng = np.random.default_rng(503)
    x = rng.uniform(-10.0, 12.0, 30)
    got = _d_star_call(fn, x, "d_star on 30 random points", _DS_LOG_SPACE)
    _expect_elementwise(got, _d_star(x), what="d_star on 30 random points of [−10, 12]", at=x,
                        name="x", hint="it must work for any array x, not just the grid above")


# --------------------------------------------------------------------------------------
# Exercise 4: grad_minimax(f), grad_nonsaturating(f)
# --------------------------------------------------------------------------------------

_GR_SAT = np.array([-10.0])
_GR_GRID = np.array([-10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0])
_GR_GRID_CASE = "f=[-10, -3, -1, 0, 1, 3, 10]"
_GR_MM = "grad_minimax"
_GR_NS = "grad_nonsaturating"
_GR_CALL = "check_generator_gradients(grad_minimax, grad_nonsaturating)"
_CHAIN = ("that is the derivative with respect to D, not the logit f: chain it through "
          "D = σ(f) with dD/df = σ(f)(1 − σ(f)) = D(1 − D)")
_PER_EXAMPLE = ("these are per-example derivatives, one per logit: no 1/n (nothing is "
                "averaged here)")


def _grad_mm(f: FloatArray) -> FloatArray:
    """d/df log(1 − σ(f)) = −σ(f), from lossviz."""
    return np.asarray(losses.gan_generator_minimax_grad(np.zeros(f.size), f, reduction="sum"))


def _grad_ns(f: FloatArray) -> FloatArray:
    """d/df −log σ(f) = σ(f) − 1, from lossviz."""
    return np.asarray(losses.gan_generator_nonsaturating_grad(np.zeros(f.size), f,
                                                              reduction="sum"))


def _grad_mistakes(f: FloatArray, name: str) -> tuple[tuple[FloatArray, str], ...]:
    d = expit(f)
    mm, ns = _grad_mm(f), _grad_ns(f)
    if name == _GR_MM:  # d/df log(1 − σ(f)) = −σ(f)
        return ((-mm, "the sign is flipped: log(1 − σ(f)) falls as f grows, its derivative "
                      "is −σ(f) < 0"),
                (ns, "that is the non-saturating gradient σ(f) − 1: are the two functions "
                     "swapped?"),
                (-ns, "that is 1 − σ(f); the derivative of log(1 − σ(f)) is −σ(f)"),
                (-1.0 / (1.0 - d), _CHAIN + ": d/dD log(1 − D) = −1/(1 − D)"),
                (mm / f.size, _PER_EXAMPLE))
    return ((-ns, "the sign is flipped: −log σ(f) falls as f grows, its derivative is "
                  "σ(f) − 1 < 0"),
            (mm, "that is the minimax gradient −σ(f): are the two functions swapped?"),
            (-mm, "that is σ(f); the derivative of −log σ(f) is σ(f) − 1 = −(1 − D)"),
            (-1.0 / d, _CHAIN + ": d/dD (−log D) = −1/D"),
            (ns / f.size, _PER_EXAMPLE))


def _grad_call(fn: Any, name: str, f: FloatArray, what: str) -> np.ndarray:
    with hint_when("arrays can be converted", hint=_ELEMENTWISE), \
            hint_when("truth value of an array", hint=_ELEMENTWISE):
        value = call_named(fn, name, f)
    return _values(value, what, f.shape, "f", "look for a 0/0 or inf/inf, e.g. exp(f) / "
                   "(1 + exp(f)) for large f: write σ(f) = 1 / (1 + np.exp(-f))")


def _per_example_loss(name: str, f: FloatArray) -> FloatArray:
    zeros = np.zeros(f.size)
    if name == _GR_MM:
        return np.asarray(losses.gan_generator_minimax(zeros, f, reduction="none"))
    return np.asarray(losses.gan_generator_nonsaturating(zeros, f, reduction="none"))


def _check_generator_gradients(answers: tuple[Any, Any]) -> None:
    require_functions(answers, (_GR_MM, _GR_NS), _GR_CALL)
    rng = np.random.default_rng(504)
    for fn, name, reference in ((answers[0], _GR_MM, _grad_mm),
                                (answers[1], _GR_NS, _grad_ns)):
        loss = "log(1 − σ(f))" if name == _GR_MM else "−log σ(f)"
        for f, case in ((_GR_SAT, "f=[-10] (D ≈ 4.5e-5: the discriminator rejects the fake)"),
                        (_GR_GRID, _GR_GRID_CASE)):
            what = f"{name} for {case}"
            got = _grad_call(fn, name, f, what)
            _expect_elementwise(got, reference(f), what=what, at=f, name="f", atol=1e-14,
                                mistakes=_grad_mistakes(f, name),
                                hint=f"differentiate the per-example loss {loss} with respect "
                                     "to the logit f")
        # the learner's gradient against central differences of the per-example loss
        f, h = rng.normal(0.0, 3.0, 20), 1e-6
        numeric = (_per_example_loss(name, f + h) - _per_example_loss(name, f - h)) / (2 * h)
        got = _grad_call(fn, name, f, f"{name}(f)")
        _expect_elementwise(got, numeric, rtol=1e-5, atol=1e-8, at=f, name="f",
                            what=f"{name} on 20 random logits (against central finite "
                                 f"differences of {loss})",
                            hint="it must work element-wise for any array f")


_run_generator_gradients = check(
    "grad_minimax = −σ(f) and grad_nonsaturating = σ(f) − 1 on 7 logits from −10 to 10 and "
    "against finite differences on 20 random ones; at f = −10 (D ≈ 4.5e-5) the minimax gradient is only −4.5e-5, the "
    "non-saturating one −0.99995"
)(_check_generator_gradients)


def check_generator_gradients(grad_minimax: Any, grad_nonsaturating: Any) -> None:
    r"""Check the derivatives of the two per-example generator losses with respect to the logit.

    The learner writes, with numpy only, element-wise on a 1-D float array ``f`` of the
    discriminator's logits on generated examples (an array of the shape of ``f``, no 1/n):

    - ``grad_minimax(f)``: :math:`\frac{d}{df}\log(1 - \sigma(f)) = -\sigma(f) = -D`;
    - ``grad_nonsaturating(f)``: :math:`\frac{d}{df}\bigl(-\log\sigma(f)\bigr)
      = \sigma(f) - 1 = -(1 - D)`.

    At :math:`f = -10`, where the discriminator is sure the example is fake
    (:math:`D \approx 4.5 \cdot 10^{-5}`), the minimax gradient is about −4.5e-5 and the
    non-saturating one about −1: the minimax loss saturates exactly when the generator is
    worst (Goodfellow et al. 2014, section 3).

    What is checked, for each function in turn: ``f = [-10]``; ``f = [-10, -3, -1, 0, 1,
    3, 10]`` against :func:`lossviz.losses.gan_generator_minimax_grad` /
    :func:`lossviz.losses.gan_generator_nonsaturating_grad` (per example); 20 random
    logits against central finite differences (h = 1e-6) of the per-example losses of
    :func:`lossviz.losses.gan_generator_minimax` / ``gan_generator_nonsaturating``. Hints
    for: the derivative with respect to D instead of f (−1/(1 − D), −1/D), flipped signs,
    the two functions swapped, a 1/n, a single number instead of an array.

    Args:
        grad_minimax: the learner's ``grad_minimax(f)``.
        grad_nonsaturating: the learner's ``grad_nonsaturating(f)``.
    """
    __tracebackhide__ = True
    _run_generator_gradients((grad_minimax, grad_nonsaturating))


# --------------------------------------------------------------------------------------
# Exercise 5: critic_loss(critic, x_real, x_fake, eps, gp_weight)
# --------------------------------------------------------------------------------------

_CL_CALL = "critic_loss(critic, x_real, x_fake, eps, gp_weight)"
_CL_SIGN = ("the sign of the Wasserstein term is flipped: the critic *minimises* "
            "mean f(x_fake) − mean f(x_real) (it maximises real minus fake)")
# (seed, n, gp_weight): the fixed case (seed 505: gradient norms at the interpolates on both
# sides of 1), the same at gp_weight = 0, then random cases
_CL_FIXED = (505, 8, 10.0)
_CL_RANDOM = ((506, 5, 1.0), (507, 16, 10.0), (508, 1, 2.5), (509, 32, 0.5))


def _critic_case(seed: int, n: int) -> tuple[TinyMLP, FloatArray, FloatArray, FloatArray]:
    """A tanh critic with 16 hidden units, reals around (2, 0), fakes around 0, and ε."""
    rng = np.random.default_rng(seed)
    critic = TinyMLP(2, 16, 1, rng=rng)
    x_real = rng.normal([2.0, 0.0], 0.3, (n, 2))
    x_fake = rng.normal(0.0, 1.0, (n, 2))
    return critic, x_real, x_fake, rng.uniform(size=(n, 1))


def _critic_losses(seed: int, n: int, gp_weight: float) -> tuple[float, dict[float, str]]:
    """The WGAN-GP critic loss for a case, and the values of its common mistakes."""
    critic, x_real, x_fake, eps = _critic_case(seed, n)
    w_term = float(np.mean(critic.forward(x_fake)) - np.mean(critic.forward(x_real)))

    def norms(x: FloatArray) -> FloatArray:
        return np.sqrt(np.sum(critic.input_gradient(x) ** 2, axis=1))

    x_hat = eps * x_real + (1.0 - eps) * x_fake
    g_hat = norms(x_hat)
    penalty = float(np.mean((g_hat - 1.0) ** 2))
    frobenius = float(np.sqrt(np.sum(critic.input_gradient(x_hat) ** 2)))
    where = ("the penalty is taken at the interpolates x̂ = eps·x_real + (1 − eps)·x_fake, "
             "between the two samples, not at the {} points")
    mistakes = {
        -w_term + gp_weight * penalty: _CL_SIGN,
        w_term + gp_weight * float(np.mean(g_hat ** 2)):
            "that penalises the squared norm ‖∇f(x̂)‖², which pushes the slope to 0; the "
            "penalty is (‖∇f(x̂)‖₂ − 1)², which pushes it toward 1",
        w_term + gp_weight * float(np.mean((g_hat ** 2 - 1.0) ** 2)):
            "the penalty is (‖g‖₂ − 1)² with the norm itself, not (‖g‖² − 1)²: take the "
            "square root of the sum of squares, np.linalg.norm(g, axis=1)",
        w_term + gp_weight * float(np.mean((norms(x_real) - 1.0) ** 2)): where.format("real"),
        w_term + gp_weight * float(np.mean((norms(x_fake) - 1.0) ** 2)):
            where.format("generated"),
        w_term + gp_weight * float(np.mean((norms(eps * x_fake + (1.0 - eps) * x_real) - 1.0)
                                           ** 2)):
            "the interpolation is the other way round: x̂ = eps·x_real + (1 − eps)·x_fake "
            "(eps is the weight of the *real* point, as in Gulrajani et al. 2017)",
        w_term + penalty: "gp_weight is missing: the penalty is gp_weight · mean((‖g‖ − 1)²)",
        w_term + gp_weight * float(np.mean(np.maximum(g_hat - 1.0, 0.0) ** 2)):
            "that is the one-sided penalty max(‖g‖ − 1, 0)², which lets slopes below 1 go; "
            "WGAN-GP penalises both sides: (‖g‖ − 1)²",
        w_term + gp_weight * (frobenius - 1.0) ** 2:
            "np.linalg.norm(g) without axis=1 is one norm for the whole batch: take one "
            "norm per example, np.linalg.norm(g, axis=1), then average (‖gᵢ‖ − 1)²",
        w_term + gp_weight * (float(np.mean(g_hat)) - 1.0) ** 2:
            "average the squared deviations, mean((‖gᵢ‖ − 1)²), not (mean ‖gᵢ‖ − 1)²",
        w_term + gp_weight * n * penalty: "the penalty is a mean over the interpolates, not "
                                          "a sum",
        w_term: "the gradient penalty is missing: add gp_weight · mean((‖∇f(x̂)‖₂ − 1)²)",
    }
    return w_term + gp_weight * penalty, mistakes


def _critic_loss_value(fn: Any, seed: int, n: int, gp_weight: float, what: str) -> float:
    critic, x_real, x_fake, eps = _critic_case(seed, n)
    value = call(fn, "critic_loss", critic, x_real, x_fake, eps, gp_weight)
    return as_loss(value, what)


@check("critic_loss = mean f(x_fake) − mean f(x_real) + gp_weight · mean((‖∇f(x̂)‖₂ − 1)²) "
       "at x̂ = eps·x_real + (1 − eps)·x_fake, for a TinyMLP critic on a fixed case, at "
       "gp_weight = 0 and on 4 random cases")
def check_critic_loss(fn: Any) -> None:
    r"""Check ``critic_loss(critic, x_real, x_fake, eps, gp_weight)``: WGAN-GP's critic loss.

    The learner writes, with numpy only, for a ``critic`` with ``critic.forward(x)`` →
    the scores, shape ``(n, 1)``, and ``critic.input_gradient(x)`` → :math:`\nabla_x f(x)`
    per row, shape ``(n, 2)`` (a :class:`lossviz.gan.TinyMLP` with one output), real and
    generated batches ``x_real``, ``x_fake`` of shape ``(n, 2)``, interpolation weights
    ``eps`` of shape ``(n, 1)`` in [0, 1] and ``gp_weight`` = λ ≥ 0, one float
    (Gulrajani et al. 2017):

    .. math::
        L_C = \frac1n\sum_i f(\tilde x_i) - \frac1n\sum_i f(x_i)
            + \lambda\,\frac1n\sum_i \bigl(\lVert\nabla f(\hat x_i)\rVert_2 - 1\bigr)^2,
        \qquad \hat x_i = \epsilon_i x_i + (1 - \epsilon_i)\,\tilde x_i.

    The checks pass ``eps`` in, where :func:`lossviz.gan.wgan_gp_critic_loss` draws it
    from its ``rng``; with the same ε the two agree (the tests compare them).

    What is checked: a tanh ``TinyMLP(2, 16, 1)`` critic (seed 505) on 8 reals around
    (2, 0) and 8 fakes around 0 with λ = 10, where the gradient norms at the interpolates
    lie on both sides of 1; the same case with λ = 0 (the Wasserstein term alone); 4
    random cases (n from 1 to 32, λ from 0.5 to 10). The expectation is computed from the
    critic's ``forward`` and ``input_gradient``. Hints for: the Wasserstein term's sign
    flipped, the squared norm ‖g‖² or (‖g‖² − 1)² penalised, the penalty at the real or
    generated points or with ε on the wrong side, gp_weight forgotten, a one-sided
    penalty, one norm for the whole batch, (mean ‖g‖ − 1)², a sum over the interpolates,
    the penalty missing.

    Args:
        fn: the learner's ``critic_loss(critic, x_real, x_fake, eps, gp_weight)``.
    """
    fn = require_function(fn, _CL_CALL)
    seed, n, gp_weight = _CL_FIXED
    case = f"a TinyMLP critic on {n} real and {n} generated points"
    expected, mistakes = _critic_losses(seed, n, gp_weight)
    what = f"critic_loss for {case}, gp_weight={fmt(gp_weight)}"
    expect_close(_critic_loss_value(fn, seed, n, gp_weight, what), expected, rtol=1e-8,
                 what=what, mistakes=mistakes,
                 hint="L = mean f(x_fake) − mean f(x_real) + gp_weight · mean((‖∇f(x̂)‖₂ − 1)²)")
    what = "critic_loss for the same case with gp_weight=0 (the Wasserstein term alone)"
    expected, _ = _critic_losses(seed, n, 0.0)
    expect_close(_critic_loss_value(fn, seed, n, 0.0, what), expected, rtol=1e-8, what=what,
                 mistakes={-expected: _CL_SIGN},
                 hint="use the gp_weight argument: with gp_weight = 0 only "
                      "mean f(x_fake) − mean f(x_real) is left")
    for seed, n, gp_weight in _CL_RANDOM:
        expected, mistakes = _critic_losses(seed, n, gp_weight)
        what = f"critic_loss on a random case, n={n}, gp_weight={fmt(gp_weight)}"
        expect_close(_critic_loss_value(fn, seed, n, gp_weight, what), expected, rtol=1e-8,
                     what=what, mistakes=mistakes,
                     hint="it must work for any n and gp_weight, not just the case above")


# --------------------------------------------------------------------------------------
# Exercise 6: js_lower_bound(f_real, f_fake), on real data
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _digits_logits(quadratic: bool) -> tuple[FloatArray, FloatArray]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    X_train, y_train, X_test, y_test = data.digits_real_vs_fake(seed=0)
    steps: list[Any] = [PolynomialFeatures(2, include_bias=False)] if quadratic else []
    model = make_pipeline(*steps, StandardScaler(),
                          LogisticRegression(C=0.1, max_iter=5000, random_state=0))
    model.fit(X_train, y_train)
    f = np.asarray(model.decision_function(X_test), dtype=np.float64)
    return f[y_test == 1], f[y_test == 0]


def digits_discriminator_logits(*, quadratic: bool = True) -> tuple[FloatArray, FloatArray]:
    r"""Held-out logits of a logistic-regression discriminator: real digits against fakes.

    Data: :func:`lossviz.data.digits_real_vs_fake` with ``seed=0``: the 1797 real 8×8
    digits and 1797 fakes whose pixels are drawn independently from each pixel's marginal,
    split in half (stratified). Model: scikit-learn's ``LogisticRegression(C=0.1,
    max_iter=5000, random_state=0)`` after ``StandardScaler()``, fitted on the 1797
    training images; with ``quadratic=True`` (the default) its inputs are the 64 pixels
    and their 2080 products (``PolynomialFeatures(2)``), so it can see the pixels'
    correlations, which is all that tells the fakes apart; with ``quadratic=False`` it
    sees the raw pixels only, whose means are the same in both sets, and is no better
    than chance.

    Returns:
        ``(f_real, f_fake)``: the discriminator's logits :math:`f` (so
        :math:`D = \sigma(f)`) on the 898 held-out real and 899 held-out generated images.
        Computed once per session (about a second); every call returns fresh copies.
    """
    f_real, f_fake = _digits_logits(bool(quadratic))
    return f_real.copy(), f_fake.copy()


# Measured with digits_discriminator_logits() (the tests recompute them): the quadratic
# discriminator's held-out accuracy and the bound log 2 − ½ L_D it gives, in nats and bits.
_DIGITS_ACCURACY = 0.9816
_DIGITS_BOUND_NATS = 0.6148
_DIGITS_BOUND_BITS = 0.8870


def _js_bound(f_real: FloatArray, f_fake: FloatArray) -> float:
    return _LOG2 - 0.5 * _discriminator_loss(f_real, f_fake)


def _js_mistakes(f_real: FloatArray, f_fake: FloatArray) -> dict[float, str]:
    r, f, r_swapped, f_swapped = _group_means(f_real, f_fake)
    n_r, n_f = f_real.size, f_fake.size
    loss = r + f
    bound = _LOG2 - loss / 2
    return {
        bound + _LOG2: "log 4 − ½·L_D is off by log 2: V(D*, G) = 2·JS − log 4 and "
                       "V = −L_D, so JS ≥ (log 4 − L_D)/2 = log 2 − ½·L_D",
        _LOG2 - loss: "the ½ is missing: JS ≥ log 2 − ½·L_D",
        2 * bound: "that is log 4 − L_D, twice the bound: divide by 2, "
                   "JS ≥ (log 4 − L_D)/2 = log 2 − ½·L_D",
        bound / _LOG2: "that is the bound in bits (base-2 logs); the check asks for nats: "
                       "natural logs, np.log and np.logaddexp (divide by log 2 afterwards "
                       "to get bits)",
        1.0 - loss / 2: "log₂ 2 = 1 mixed with a loss in nats: use the natural log "
                        "throughout, log 2 = np.log(2) ≈ 0.693",
        -bound: "the sign is flipped: the bound is log 2 − ½·L_D (at most log 2 when "
                "L_D = 0)",
        _LOG2 - (r_swapped + f_swapped) / 2: "the labels are swapped: reals cost −log σ(f), "
                                             "fakes −log(1 − σ(f))",
        _LOG2 - loss / 4: "L_D is the *sum* of the two group means (as in "
                          "discriminator_loss), not their average, and not one mean over "
                          "all examples",
        **({} if n_r == n_f else {  # with equal sizes it is the one above
            _LOG2 - (n_r * r + n_f * f) / (n_r + n_f) / 2:
                "L_D is the *sum* of the two group means, not one mean over all examples"}),
    }


def _js_call(fn: Any, f_real: FloatArray, f_fake: FloatArray, what: str, nan_hint: str
             ) -> float:
    with hint_when("broadcast", hint=_BROADCAST), hint_when("arrays can be converted",
                                                            hint=_ELEMENTWISE):
        value = call(fn, "js_lower_bound", f_real, f_fake)
    return as_loss(value, what, nan_hint=nan_hint)


@check(f"js_lower_bound = log 2 − ½·L_D on 2 fixed cases, on logits of ±800 and on 6 random "
       f"cases; on the held-out digits the discriminator (accuracy {_DIGITS_ACCURACY:.1%}) "
       f"proves JS(p_data ‖ p_g) ≥ {_DIGITS_BOUND_NATS:.3f} nats = "
       f"{_DIGITS_BOUND_BITS:.3f} bits, {_DIGITS_BOUND_BITS:.1%} of the maximum log 2")
def check_js_lower_bound(fn: Any) -> None:
    r"""Check ``js_lower_bound(f_real, f_fake)``: a discriminator's loss bounds the JS divergence.

    For any discriminator :math:`D`, the value :math:`V(D, G) = \mathbb{E}\log D(x) +
    \mathbb{E}\log(1 - D(\tilde x)) = -L_D` is at most :math:`V(D^*, G) =
    2\,\mathrm{JS}(p_\text{data} \| p_g) - \log 4` (Goodfellow et al. 2014, Theorem 1), so

    .. math::
        \mathrm{JS}(p_\text{data} \| p_g) \;\ge\; \log 2 - \tfrac12 L_D,

    with equality at :math:`D^*`; :math:`L_D` is exercise 1's loss, the sum of the two
    group means. Measured on held-out examples, a trained discriminator's bound is an
    honest (unbiased) estimate of a lower bound.

    The learner writes ``js_lower_bound(f_real, f_fake)`` → one float in nats, from the
    logits on real and on generated examples (1-D arrays, possibly of different lengths):
    ``np.log(2) - 0.5 * (np.mean(np.logaddexp(0, -f_real)) +
    np.mean(np.logaddexp(0, f_fake)))``.

    What is checked: the two fixed cases of :func:`check_discriminator_loss` (equal and
    unequal group sizes), its ±800 case, 6 random cases, and the held-out digits of
    :func:`digits_discriminator_logits` (real digits against fakes with the right pixel
    marginals): the quadratic logistic-regression discriminator gets 98.2 % of the held-out
    images right and proves JS ≥ 0.615 nats = 0.887 bits, 88.7 % of the maximum, log 2
    (1 bit). The pass line prints these numbers. Hints for: log 4 instead of log 2, a
    missing ½, both (twice the bound), base-2 logs, a flipped sign, swapped labels, a mean
    over all examples or of the two means instead of their sum, logits treated as
    probabilities, the naive ``np.log(sigmoid(f))``.

    Args:
        fn: the learner's ``js_lower_bound(f_real, f_fake)``.
    """
    fn = require_function(fn, "js_lower_bound(f_real, f_fake)")
    for f_real, f_fake, case in ((_EQ_REAL, _EQ_FAKE, _EQ_CASE),
                                 (_UNEQ_REAL, _UNEQ_FAKE, _UNEQ_CASE)):
        what = f"js_lower_bound for {case}"
        expect_close(_js_call(fn, f_real, f_fake, what, _LOGITS), _js_bound(f_real, f_fake),
                     rtol=1e-8, what=what, mistakes=_js_mistakes(f_real, f_fake),
                     hint="JS ≥ log 2 − ½·L_D, with L_D = mean −log σ(f_real) + "
                          "mean −log(1 − σ(f_fake)), in nats")
    what = f"js_lower_bound for {_BIG_CASE}"
    expect_close(_js_call(fn, _BIG_REAL, _BIG_FAKE, what, _STABLE),
                 _js_bound(_BIG_REAL, _BIG_FAKE), rtol=1e-10, what=what, hint=_STABLE)
    rng = np.random.default_rng(506)
    for n_r, n_f in _LENGTHS[:6]:
        f_real, f_fake = _two_group_case(rng, n_r, n_f, 3.0)
        expect_close(_js_call(fn, f_real, f_fake, "js_lower_bound(f_real, f_fake)", _LOGITS),
                     _js_bound(f_real, f_fake), rtol=1e-8, atol=1e-12,
                     what=f"js_lower_bound on random logits ({n_r} real, {n_f} generated)",
                     hint="it must work for any two lengths, not just the examples above")
    f_real, f_fake = digits_discriminator_logits()
    what = "js_lower_bound on the held-out digits (digits_discriminator_logits())"
    expect_close(_js_call(fn, f_real, f_fake, what, _LOGITS), _js_bound(f_real, f_fake),
                 rtol=1e-8, what=what, mistakes=_js_mistakes(f_real, f_fake),
                 hint="it must work for any two arrays of logits")
