"""The chapter-08 checks: a correct answer passes, a stub is "not implemented yet", and each
common mistake gets its own hint.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from check_support import passes, run, stub
from scipy import stats
from sklearn.linear_model import LogisticRegression

from lossviz import data, losses
from lossviz.exercises import NOT_IMPLEMENTED
from lossviz.exercises import design as DS

# --------------------------------------------------------------------------------------
# Reference solutions (tests only), written as a learner would
# --------------------------------------------------------------------------------------


def dice_loss(mask, p, smooth=1e-5):  # type: ignore[no-untyped-def]
    overlap = np.sum(p * mask)
    total = np.sum(p) + np.sum(mask)
    return float(1.0 - (2.0 * overlap + smooth) / (total + smooth))


def dice_grad(mask, p, smooth=1e-5):  # type: ignore[no-untyped-def]
    numerator = 2.0 * np.sum(p * mask) + smooth
    denominator = np.sum(p) + np.sum(mask) + smooth
    return -(2.0 * mask * denominator - numerator) / denominator**2


def triplet_loss(anchor, positive, negative, margin=1.0):  # type: ignore[no-untyped-def]
    d_pos = np.linalg.norm(anchor - positive, axis=1)
    d_neg = np.linalg.norm(anchor - negative, axis=1)
    return float(np.mean(np.maximum(d_pos - d_neg + margin, 0.0)))


def kl_gauss(mu1, sigma1, mu2, sigma2):  # type: ignore[no-untyped-def]
    return float(np.log(sigma2 / sigma1)
                 + (sigma1**2 + (mu1 - mu2) ** 2) / (2.0 * sigma2**2) - 0.5)


def bakery_loss(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y                            # r < 0: too few loaves, r > 0: too many
    w = np.where(r < 0, 3.0, 1.0)            # a missing loaf costs 3, a spare one 1
    a = np.abs(r)
    huber = np.where(a <= 1.0, 0.5 * r**2, a - 0.5)   # smooth within one loaf (δ = 1)
    return float(np.mean(w * huber))


def bakery_grad(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y
    w = np.where(r < 0, 3.0, 1.0)
    return w * np.clip(r, -1.0, 1.0) / r.size


def worst_case_perturbation(X, y, w, eps):  # type: ignore[no-untyped-def]
    s = 2.0 * y - 1.0                        # labels {0, 1} -> {-1, +1}
    return -eps * s[:, None] * np.sign(w)[None, :]


# Other designs that must pass the bakery check: a weighted log-cosh, and the Huber with
# δ = 0.5 loaf.
def logcosh_loss(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y
    a = np.abs(r)
    return float(np.mean(np.where(r < 0, 3.0, 1.0) * (a + np.log1p(np.exp(-2 * a)) - np.log(2))))


def logcosh_grad(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y
    return np.where(r < 0, 3.0, 1.0) * np.tanh(r) / r.size


def _huber(delta: float, w_under: float = 3.0, w_over: float = 1.0,
           ) -> tuple[Callable[..., float], Callable[..., np.ndarray]]:
    def loss(y, y_hat):  # type: ignore[no-untyped-def]
        r = y_hat - y
        a = np.abs(r)
        h = np.where(a <= delta, 0.5 * r**2 / delta, a - 0.5 * delta)
        return float(np.mean(np.where(r < 0, w_under, w_over) * h))

    def grad(y, y_hat):  # type: ignore[no-untyped-def]
        r = y_hat - y
        return np.where(r < 0, w_under, w_over) * np.clip(r / delta, -1, 1) / r.size

    return loss, grad


def _softplus_pinball(s: float) -> tuple[Callable[..., float], Callable[..., np.ndarray]]:
    """A softplus-smoothed pinball loss: f(u) = u + 4s·softplus(−u/s) has slopes −3 and 1 far
    out; it is shifted so that its minimum, at u = s·log 3, sits at r = 0 with value 0. The
    shift makes the plain cost ratio at d = 10 differ from 3 (2.47 for s = 2): the check
    falls back to the ratio of the extra costs of the next 10 loaves."""
    u0 = s * np.log(3.0)

    def f(u):  # type: ignore[no-untyped-def]
        return u + 4 * s * np.logaddexp(0, -u / s)

    def loss(y, y_hat):  # type: ignore[no-untyped-def]
        return float(np.mean(f(y_hat - y + u0) - f(u0)))

    def grad(y, y_hat):  # type: ignore[no-untyped-def]
        return (1 - 4 / (1 + np.exp((y_hat - y + u0) / s))) / y.size

    return loss, grad


# --------------------------------------------------------------------------------------
# Every check: the solution passes, a stub and a placeholder are "not implemented yet"
# --------------------------------------------------------------------------------------

CHECKS: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
    (DS.check_dice, (dice_loss, dice_grad)),
    (DS.check_triplet_loss, (triplet_loss,)),
    (DS.check_kl_gauss, (kl_gauss,)),
    (DS.check_bakery_loss, (bakery_loss, bakery_grad)),
    (DS.check_worst_case_perturbation, (worst_case_perturbation,)),
]


def _ids(item: Any) -> str:
    return item.__name__ if callable(item) else ""


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=_ids)
def test_the_reference_solution_passes_with_one_short_line(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    assert check(*solution) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✓ passed: "), out
    assert len(out.strip()) <= 160, (len(out.strip()), out)


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=_ids)
def test_a_stub_is_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(check, capsys, *(stub for _ in solution))
    assert line.startswith("✗ " + NOT_IMPLEMENTED)


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=_ids)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_a_placeholder_is_not_implemented_yet(check, solution, placeholder, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(check, capsys, *(placeholder for _ in solution))
    assert line.startswith("✗ " + NOT_IMPLEMENTED)


@pytest.mark.parametrize(("check", "first", "second"),
                         [(DS.check_dice, dice_loss, dice_grad),
                          (DS.check_bakery_loss, bakery_loss, bakery_grad)], ids=_ids)
def test_the_check_names_the_function_that_is_still_a_stub(check, first, second, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(check, capsys, first, stub)
    assert NOT_IMPLEMENTED in line and f"`{second.__name__}`" in line
    line = run(check, capsys, stub, second)
    assert NOT_IMPLEMENTED in line and f"`{first.__name__}`" in line


def test_learner_prints_and_warnings_do_not_leak(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(mu1, sigma1, mu2, sigma2):  # type: ignore[no-untyped-def]
        print("debugging", mu1)
        np.log(np.array([-1.0]))  # a RuntimeWarning
        return kl_gauss(mu1, sigma1, mu2, sigma2)

    passes(DS.check_kl_gauss, capsys, chatty)


def test_passing_a_result_instead_of_the_function_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(DS.check_kl_gauss, capsys, 0.37)
    assert "without calling it: check_kl_gauss(kl_gauss)" in line
    line = run(DS.check_dice, capsys, 0.25, dice_grad)
    assert "pass the functions themselves" in line


def test_the_check_module_contains_no_solution_code() -> None:
    source = inspect.getsource(DS)
    for solution_line in ("np.sum(p * mask) + ", "2.0 * overlap", "np.linalg.norm(anchor",
                          "axis=1)))", "np.log(sigma2 / sigma1)", "np.where(r < 0, 3",
                          "np.clip(r", "np.sign(w)[None", "s[:, None] * np.sign",
                          "-eps * s"):
        assert solution_line not in source, solution_line


# --------------------------------------------------------------------------------------
# check_dice
# --------------------------------------------------------------------------------------


def test_dice_precomputed_values_are_lossvizs_and_monais_convention() -> None:
    g, p = DS._DICE_G, DS._DICE_P
    assert dice_loss(g, p, 1.0) == pytest.approx(DS._DICE_EXPECTED, rel=1e-14)
    assert float(losses.dice(g[None], p[None], smooth_nr=1.0, smooth_dr=1.0)) == pytest.approx(
        DS._DICE_EXPECTED, rel=1e-14)
    grad = losses.dice_grad(g[None], p[None], smooth_nr=1.0, smooth_dr=1.0)[0]
    np.testing.assert_allclose(grad, DS._on_off(DS._DICE_GRAD_ON, DS._DICE_GRAD_OFF),
                               rtol=1e-13)
    np.testing.assert_allclose(dice_grad(g, p, 1.0), grad, rtol=1e-13)


def _dice_variant(num: Callable[..., float], den: Callable[..., float], coefficient: bool = False
                  ) -> Callable[..., float]:
    def fn(mask, p, smooth=1e-5):  # type: ignore[no-untyped-def]
        ratio = num(mask, p, smooth) / den(mask, p, smooth)
        return float(ratio if coefficient else 1.0 - ratio)
    return fn


_N = lambda g, p, s: 2 * np.sum(p * g) + s  # noqa: E731
_D = lambda g, p, s: np.sum(p) + np.sum(g) + s  # noqa: E731
DICE_LOSS_MISTAKES = [
    (_dice_variant(lambda g, p, s: np.sum(p * g) + s, _D), "the factor 2 is missing"),
    (_dice_variant(lambda g, p, s: 2 * np.sum(p * g), _D), "only in the denominator (Keras"),
    (_dice_variant(_N, lambda g, p, s: np.sum(p) + np.sum(g)), "only in the numerator"),
    (_dice_variant(lambda g, p, s: 2 * np.sum(p * g), lambda g, p, s: np.sum(p) + np.sum(g)),
     "the smoothing is missing"),
    (lambda g, p, smooth=1e-5: dice_loss(g, p), "that is the loss for smooth=1e-5"),
    (_dice_variant(_N, lambda g, p, s: np.sum(p**2) + np.sum(g**2) + s), "V-Net's variant"),
    (_dice_variant(_N, _D, coefficient=True), "that is the Dice coefficient"),
    (_dice_variant(lambda g, p, s: 2 * np.mean(p * g) + s, lambda g, p, s: np.mean(p)
                   + np.mean(g) + s), "not means"),
    (_dice_variant(lambda g, p, s: 2 * np.sum(p * g) + 2 * s, lambda g, p, s: np.sum(p)
                   + np.sum(g) + 2 * s), "not 2s"),
    (lambda g, p, smooth=1e-5: 1 - (2 * np.sum(p * g, axis=0) + smooth)
     / (np.sum(p, axis=0) + np.sum(g, axis=0) + smooth), "without an axis"),
    (lambda g, p, smooth=1e-5: 1 - (2 * np.sum(np.dot(p, g)) + smooth) / _D(g, p, smooth),
     "not with np.dot or @"),
    (lambda g, p, smooth=1e-5: 1 - (2 * np.sum(p @ g) + smooth) / _D(g, p, smooth),
     "not with np.dot or @"),
    (lambda g, p, smooth: dice_loss(g, p, smooth), "smooth is the third argument, optional"),
    (lambda g, p, smooth=1.0: dice_loss(g, p, smooth), "the default smoothing is smooth=1e-5"),
    (lambda g, p, smooth=1e-5: dice_loss(g, p, smooth) if g.shape in ((3, 4), (4, 5))
     else 0.5, "not just the examples above"),
    (lambda g, p, smooth=1e-5: 1.0 - dice_loss(g, p, smooth) if np.all(p == g)
     else dice_loss(g, p, smooth), "1 − Dice, 0 for a perfect prediction"),
]


@pytest.mark.parametrize(("wrong", "hint"), DICE_LOSS_MISTAKES,
                         ids=["no-2", "keras", "numerator-only", "no-smooth", "smooth-ignored",
                              "squared-pred", "coefficient", "means", "two-s", "axis", "dot",
                              "matmul", "no-default", "default-1", "fixed-only", "perfect"])
def test_dice_loss_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(DS.check_dice, capsys, wrong, dice_grad)


def test_dice_keras_convention_fails_on_the_empty_mask(capsys) -> None:  # type: ignore[no-untyped-def]
    def keras_like(mask, p, smooth=1e-5):  # type: ignore[no-untyped-def]
        # right on ordinary masks, but 1 for an empty mask predicted empty
        if np.sum(mask) == 0 and np.sum(p) == 0:
            return 1.0
        return dice_loss(mask, p, smooth)

    line = run(DS.check_dice, capsys, keras_like, dice_grad)
    assert "empty mask and an all-zero prediction" in line and "Keras's convention" in line


def test_dice_zero_over_zero_gets_the_smoothing_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def unguarded(mask, p, smooth=1e-5):  # type: ignore[no-untyped-def]
        if np.sum(mask) == 0 and np.sum(p) == 0:
            return 2 * np.sum(p * mask) / (np.sum(p) + np.sum(mask))  # 0/0 = nan
        return dice_loss(mask, p, smooth)

    line = run(DS.check_dice, capsys, unguarded, dice_grad)
    assert "returned nan" in line and "1 − s/s = 0" in line


def _grad_variant(make: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def fn(mask, p, smooth=1e-5):  # type: ignore[no-untyped-def]
        N = 2 * np.sum(p * mask) + smooth
        D = np.sum(p) + np.sum(mask) + smooth
        return make(mask, p, N, D)
    return fn


DICE_GRAD_MISTAKES = [
    (lambda g, p, s=1e-5: -dice_grad(g, p, s), "the sign is flipped"),
    (_grad_variant(lambda g, p, N, D: -2 * g / D), "only the numerator was differentiated"),
    (_grad_variant(lambda g, p, N, D: N / D**2 + 0 * p), "only the denominator"),
    (_grad_variant(lambda g, p, N, D: -(2 * g * D - N) / D), "divides by D², not D"),
    (lambda g, p, s=1e-5: dice_grad(g, p, s) / p.size, "do not divide by the number of pixels"),
    (lambda g, p, s=1e-5: dice_grad(g, p, s).ravel(), "reshape it back"),
    (lambda g, p, s=1e-5: float(np.sum(dice_grad(g, p, s))), "do not sum it"),
    (lambda g, p, s=1e-5: (dice_loss(g, p, s), dice_grad(g, p, s)), "return only the gradient"),
    (_grad_variant(lambda g, p, N, D: -(g * D - (N / 2)) / D**2), "∂ℓ/∂pₖ = −(2gₖ·D − N)/D²"),
    (lambda g, p, s=1e-5: dice_grad(g, p, s) if g.shape == (3, 4) else dice_grad(g, p, 1.0),
     "differs from lossviz.losses.dice_grad"),
]


@pytest.mark.parametrize(("wrong", "hint"), DICE_GRAD_MISTAKES,
                         ids=["sign", "numerator-only", "denominator-only", "D-not-squared",
                              "per-pixel-mean", "flat", "summed", "tuple", "no-2", "fixed-only"])
def test_dice_grad_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(DS.check_dice, capsys, dice_loss, wrong)


def test_dice_gradient_inconsistent_with_the_own_loss_fails_finite_differences(capsys) -> None:  # type: ignore[no-untyped-def]
    def odd(mask, p, smooth=1e-5):  # type: ignore[no-untyped-def]
        return dice_grad(mask, p, smooth) * (1.5 if p.shape == (3, 5) else 1.0)

    assert "finite differences of your dice_loss" in run(DS.check_dice, capsys, dice_loss, odd)


def test_dice_accepts_other_correct_forms(capsys) -> None:  # type: ignore[no-untyped-def]
    def via_lossviz_form(mask, p, smooth=1e-5):  # type: ignore[no-untyped-def]
        value = dice_loss(mask, p, smooth)
        D = np.sum(p) + np.sum(mask) + smooth
        return list((1 - 2 * mask - value) / D)   # a list of rows

    passes(DS.check_dice, capsys, lambda m, p, smooth=1e-5: np.float64(dice_loss(m, p, smooth)),
           via_lossviz_form)


# --------------------------------------------------------------------------------------
# check_triplet_loss
# --------------------------------------------------------------------------------------


def _torch_triplet_margin_loss(a, p, n, margin=1.0, eps=1e-6):  # type: ignore[no-untyped-def]
    """ATen's triplet_margin_loss: pairwise_distance(x1, x2) = ‖x1 − x2 + eps‖₂, mean."""
    d_pos = np.linalg.norm(a - p + eps, axis=-1)
    d_neg = np.linalg.norm(a - n + eps, axis=-1)
    return float(np.mean(np.maximum(margin + d_pos - d_neg, 0.0)))


def test_triplet_precomputed_value_and_torchs_gap() -> None:
    a, p, n = DS._TRI_A, DS._TRI_P, DS._TRI_N
    assert triplet_loss(a, p, n) == pytest.approx(DS._TRI_EXPECTED, rel=1e-15)
    assert DS._TRI_EXPECTED == pytest.approx((3.5 + np.sqrt(2)) / 5, rel=1e-15)
    torch_value = _torch_triplet_margin_loss(a, p, n)
    # PyTorch's eps gets its own hint
    assert any(np.isclose(torch_value, k, rtol=1e-12, atol=0) for k in DS._TRI_MISTAKES)
    assert 1e-7 < abs(torch_value - DS._TRI_EXPECTED) < 1e-6
    # the check's own transcription (sklearn's paired distances) equals ATen's formula
    rng = np.random.default_rng(0)
    a, p, n = rng.normal(size=(3, 20, 6))
    assert DS._triplet_reference(a, p, n, 0.7, 1e-6) == pytest.approx(
        _torch_triplet_margin_loss(a, p, n, 0.7), rel=1e-13)
    assert DS._triplet_reference(a, p, n, 0.7) == pytest.approx(triplet_loss(a, p, n, 0.7),
                                                                rel=1e-13)


def test_triplet_pass_line_reports_the_gap_to_torch(capsys) -> None:  # type: ignore[no-untyped-def]
    DS.check_triplet_loss(triplet_loss)
    line = capsys.readouterr().out
    gap = float(line.rsplit("by ", 1)[1])
    assert 1e-7 < gap < 1e-5


def _norm(u):  # type: ignore[no-untyped-def]
    return np.linalg.norm(u, axis=1)


TRIPLET_MISTAKES = [
    (lambda a, p, n, margin=1.0: float(np.mean(np.maximum(_norm(a - p) ** 2 - _norm(a - n) ** 2
                                                          + margin, 0))), "squared distances"),
    (lambda a, p, n, margin=1.0: float(np.mean(_norm(a - p) - _norm(a - n) + margin)),
     "the hinge is missing"),
    (lambda a, p, n, margin=1.0: float(np.mean(np.maximum(_norm(a - p) - _norm(a - n) - margin,
                                                          0))), "margin's sign is flipped"),
    (lambda a, p, n, margin=1.0: float(np.sum(np.maximum(_norm(a - p) - _norm(a - n) + margin,
                                                         0))), "sum instead of averaging"),
    (lambda a, p, n, margin=1.0: triplet_loss(a, n, p, margin), "swapped"),
    (lambda a, p, n, margin=1.0: float(np.mean(np.maximum(
        np.abs(a - p).sum(1) - np.abs(a - n).sum(1) + margin, 0))), "L1 (Manhattan)"),
    (lambda a, p, n, margin=1.0: float(np.mean([h for h in np.maximum(
        _norm(a - p) - _norm(a - n) + margin, 0) if h > 0] or [0.0])), "only the non-zero"),
    (lambda a, p, n, margin=1.0: float(np.maximum(np.linalg.norm(a - p) - np.linalg.norm(a - n)
                                                  + margin, 0)), "one distance per row"),
    (lambda a, p, n, margin=1.0: float(np.mean(np.maximum(
        np.linalg.norm(a - p, axis=0) - np.linalg.norm(a - n, axis=0) + margin, 0))),
     "one distance per row"),
    (_torch_triplet_margin_loss, "PyTorch's formula"),
    (lambda a, p, n, margin=1.0: triplet_loss(a, p, n, 1.0), "use the margin argument"),
    (lambda a, p, n, margin=2.0: triplet_loss(a, p, n, margin), "the default is margin=1.0"),
    (lambda a, p, n, margin: triplet_loss(a, p, n, margin), "margin is the fourth argument"),
    (lambda a, p, n, margin=1.0: np.maximum(_norm(a - p) - _norm(a - n) + margin, 0),
     "the mean over the n triplets"),
    (lambda a, p, n, margin=1.0: triplet_loss(a, p, n, margin) if a.shape == (5, 2) else 0.3,
     "not just the example above"),
]


@pytest.mark.parametrize(("wrong", "hint"), TRIPLET_MISTAKES,
                         ids=["squared", "no-hinge", "margin-sign", "sum", "swapped", "l1",
                              "nonzero-mean", "frobenius", "axis0", "torch-eps",
                              "margin-ignored", "default-2", "no-default", "per-row",
                              "fixed-only"])
def test_triplet_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(DS.check_triplet_loss, capsys, wrong)


# --------------------------------------------------------------------------------------
# check_kl_gauss
# --------------------------------------------------------------------------------------


def test_kl_precomputed_value_is_the_integral_and_lossvizs() -> None:
    from lossviz import design

    case = DS._KL_CASE
    assert kl_gauss(*case) == pytest.approx(DS._KL_EXPECTED, rel=1e-15)
    assert DS._kl_quad(*case) == pytest.approx(DS._KL_EXPECTED, rel=1e-10)
    assert design.kl_gaussians(*case) == pytest.approx(DS._KL_EXPECTED, rel=1e-14)
    # the check's quadrature against scipy.stats' own entropy terms on every case
    for mu1, s1, mu2, s2 in DS._KL_CASES:
        p, q = stats.norm(mu1, s1), stats.norm(mu2, s2)
        cross = -p.expect(q.logpdf, lb=mu1 - 40 * s1, ub=mu1 + 40 * s1, epsabs=1e-13)
        assert DS._kl_quad(mu1, s1, mu2, s2) == pytest.approx(cross - p.entropy(), rel=1e-7,
                                                              abs=1e-10)
        assert DS._kl_quad(mu1, s1, mu2, s2) == pytest.approx(kl_gauss(mu1, s1, mu2, s2),
                                                              rel=1e-9, abs=1e-11)


def _kl_variant(log_term: Callable[..., float], frac: Callable[..., float], const: float = -0.5
                ) -> Callable[..., float]:
    def fn(mu1, s1, mu2, s2):  # type: ignore[no-untyped-def]
        return float(log_term(s1, s2) + frac(mu1, s1, mu2, s2) + const)
    return fn


_LOG = lambda s1, s2: np.log(s2 / s1)  # noqa: E731
_FRAC = lambda m1, s1, m2, s2: (s1**2 + (m1 - m2) ** 2) / (2 * s2**2)  # noqa: E731
KL_MISTAKES = [
    (lambda m1, s1, m2, s2: kl_gauss(m2, s2, m1, s1), "the other direction"),
    (_kl_variant(_LOG, _FRAC, 0.0), "the −½ is missing"),
    (_kl_variant(lambda s1, s2: 0.0, _FRAC), "the log term log(σ₂/σ₁) is missing"),
    (_kl_variant(_LOG, lambda m1, s1, m2, s2: (s1 + (m1 - m2) ** 2) / (2 * s2)),
     "you used σ, not σ²"),
    (_kl_variant(lambda s1, s2: 0.5 * np.log(s2 / s1),
                 lambda m1, s1, m2, s2: (s1 + (m1 - m2) ** 2) / (2 * s2)),
     "not variances"),
    (_kl_variant(lambda s1, s2: np.log(s2**2 / s1**2), _FRAC), "the ½ is missing from the log"),
    (_kl_variant(_LOG, lambda m1, s1, m2, s2: (s1**2 + (m1 - m2) ** 2) / s2**2),
     "2σ₂², not σ₂²"),
    (_kl_variant(lambda s1, s2: np.log(s1 / s2), _FRAC), "not log(σ₁/σ₂)"),
    (_kl_variant(_LOG, lambda m1, s1, m2, s2: (s1**2 + (m1 - m2)) / (2 * s2**2)),
     "the mean difference is squared"),
    (_kl_variant(_LOG, lambda m1, s1, m2, s2: (s1**2 + (m1 - m2) ** 2) / (2 * s1**2)),
     "not σ₁²"),
    (lambda m1, s1, m2, s2: kl_gauss(m1, s1, m2, s2) if (m1, s1) == (0.5, 1.5) else 0.1,
     "KL between two equal Gaussians"),
    (lambda m1, s1, m2, s2: kl_gauss(m1, s1, m2, s2) if m1 in (0.5, 0.3) else 1.0,
     "scipy.integrate.quad"),
    (lambda m1, s1, m2, s2: np.log(-1.0), "returned nan"),
    (lambda m1, s1, m2, s2: [kl_gauss(m1, s1, m2, s2), 0.0], "expected a single number"),
]


@pytest.mark.parametrize(("wrong", "hint"), KL_MISTAKES,
                         ids=["swapped", "no-half", "no-log", "sigma-not-squared",
                              "variances", "log-variance", "no-2", "log-flipped",
                              "mean-not-squared", "sigma1-denominator", "not-zero",
                              "fixed-only", "nan", "two-values"])
def test_kl_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(DS.check_kl_gauss, capsys, wrong)


def test_kl_pass_line_shows_the_asymmetry(capsys) -> None:  # type: ignore[no-untyped-def]
    DS.check_kl_gauss(kl_gauss)
    line = capsys.readouterr().out
    assert "= 0.4431, reversed 1.3069" in line


# --------------------------------------------------------------------------------------
# check_bakery_loss
# --------------------------------------------------------------------------------------


def test_bakery_demand_is_seeded_skewed_and_read_only() -> None:
    y = DS.bakery_demand()
    assert y.shape == (365,) and np.all(y == np.round(y)) and y.min() >= 0
    assert stats.skew(y) > 0.5
    np.testing.assert_allclose(np.quantile(y, [0.5, 0.7, 0.75, 0.8]), [38, 47, 49, 53.2],
                               rtol=1e-12)
    y[0] = -1.0
    assert DS.bakery_demand()[0] != -1.0


@pytest.mark.parametrize(("loss", "grad"), [(bakery_loss, bakery_grad),
                                            (logcosh_loss, logcosh_grad), _huber(0.5),
                                            _huber(5.0), _softplus_pinball(1.0),
                                            _softplus_pinball(2.0)],
                         ids=["huber-1", "log-cosh", "huber-0.5", "huber-5", "softplus-1",
                              "softplus-2"])
def test_bakery_accepts_several_smooth_designs(loss, grad, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(DS.check_bakery_loss, capsys, loss, grad)


def test_bakery_pass_line_reports_the_best_constant_and_the_quantile(capsys) -> None:  # type: ignore[no-untyped-def]
    DS.check_bakery_loss(bakery_loss, bakery_grad)
    line = capsys.readouterr().out
    assert "3.00× dearer to under-bake" in line and "0.75-quantile 49" in line
    assert "best constant 49.0" in line


def _pinball(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y
    return float(np.mean(np.where(r < 0, -3.0 * r, r)))


def _pinball_grad(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y
    return np.where(r < 0, -3.0, 1.0) / r.size


def _expectile(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y
    return float(np.mean(np.where(r < 0, 3.0, 1.0) * r**2))


def _expectile_grad(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y
    return 2 * np.where(r < 0, 3.0, 1.0) * r / r.size


_REVERSED = _huber(1.0, w_under=1.0, w_over=3.0)
_SYMMETRIC = _huber(1.0, w_under=1.0, w_over=1.0)
_BIG_DELTA = _huber(30.0)
_WEAK = _huber(1.0, w_under=2.0, w_over=1.0)  # ratio 2: caught by (c)


def _naive_logcosh(y, y_hat):  # type: ignore[no-untyped-def]
    r = y_hat - y
    return float(np.mean(np.where(r < 0, 3.0, 1.0) * np.log(np.cosh(r))))


BAKERY_MISTAKES = [
    (_pinball, _pinball_grad, "not smooth at a perfect forecast"),
    (_expectile, _expectile_grad, "yours grows like r²"),
    (*_BIG_DELTA, "yours grows like r²"),
    (*_REVERSED, "the asymmetry is reversed"),
    (*_SYMMETRIC, "your loss is symmetric"),
    (*_WEAK, "weight the errors by the costs"),
    (bakery_loss, lambda y, y_hat: -bakery_grad(y, y_hat), "the sign is flipped"),
    (bakery_loss, lambda y, y_hat: bakery_grad(y, y_hat) * y.size, "too large by a factor n"),
    (bakery_loss, lambda y, y_hat: 3.0 * bakery_grad(y, y_hat), "piece by piece"),
    (lambda y, y_hat: bakery_loss(y, y_hat) + 0.1, bakery_grad, "a perfect forecast costs nothing"),
    (lambda y, y_hat: float(np.mean(np.where(y_hat < y, 3.0, 1.0) * (y_hat - y))),
     bakery_grad, "below 0"),
    (lambda y, y_hat: float(np.mean(np.where(y_hat < y, 3.0, 0.0) * np.abs(y_hat - y))),
     bakery_grad, "both mistakes cost something"),
    (_naive_logcosh, logcosh_grad, "log1p"),
    (lambda y, y_hat: float(np.mean(np.minimum(np.where(y_hat < y, 3.0, 1.0) * np.abs(y_hat - y),
                                               25.0))), bakery_grad, "a bigger error must cost"),
    (lambda y, y_hat: np.where(y_hat < y, 3.0, 1.0) * (y_hat - y) ** 2, _expectile_grad,
     "np.mean"),
    (bakery_loss, lambda y, y_hat: float(np.sum(bakery_grad(y, y_hat))), "do not sum"),
    (bakery_loss, lambda y, y_hat: (bakery_loss(y, y_hat), bakery_grad(y, y_hat)),
     "return only the gradient"),
]


@pytest.mark.parametrize(("loss", "grad", "hint"), BAKERY_MISTAKES,
                         ids=["pinball", "expectile", "huber-30", "reversed", "symmetric",
                              "ratio-2", "grad-sign", "grad-sum", "grad-wrong", "offset",
                              "negative", "over-free", "naive-logcosh", "capped", "per-day",
                              "grad-scalar", "grad-tuple"])
def test_bakery_mistakes_get_their_hint(loss, grad, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(DS.check_bakery_loss, capsys, loss, grad)


def test_bakery_pinball_passes_everything_but_smoothness() -> None:
    """The pinball loss has the right ratio, growth, gradient and best constant (exactly 49)."""
    y = DS.bakery_demand()
    DS._check_zero_and_sign(_pinball, y)
    assert DS._check_asymmetry(_pinball, y) == pytest.approx(3.0)
    DS._check_bakery_gradient(_pinball, _pinball_grad, y[:12])
    assert DS._best_constant(_pinball, y) == pytest.approx(49.0, abs=1e-4)
    with pytest.raises(DS.Fail, match="slope jumps from -3 just below"):
        DS._check_smooth(_pinball_grad)


def test_bakery_best_constant_of_the_expectile_lands_in_the_band_so_growth_is_checked() -> None:
    """Why (c) checks linear growth: the asymmetric squared loss would pass (d) on this sample."""
    y = DS.bakery_demand()
    q70, q80 = np.quantile(y, [0.7, 0.8])
    assert q70 <= DS._best_constant(_expectile, y) <= q80
    # and the reversed loss puts the best constant below the median
    assert DS._best_constant(_REVERSED[0], y) < np.median(y)


def test_bakery_reference_minimiser_is_a_smoothed_quantile() -> None:
    y = DS.bakery_demand()
    best = DS._best_constant(bakery_loss, y)
    assert best == pytest.approx(49.04, abs=0.01)
    assert np.mean(y <= best) == pytest.approx(0.753, abs=1e-3)


def test_bakery_check_uses_lossvizs_gradient_checker() -> None:
    from lossviz import design

    y = DS.bakery_demand()[:12]
    verdict = design.check_gradient(bakery_loss, bakery_grad, y, y + DS._BAKERY_RESIDUALS)
    assert verdict.passed and verdict.max_rel_error < 1e-6


# --------------------------------------------------------------------------------------
# check_worst_case_perturbation
# --------------------------------------------------------------------------------------


def test_breast_cancer_model_is_sklearns_fit_on_lossvizs_split() -> None:
    X, y, w, b = DS.breast_cancer_linear_model()
    split = data.load_breast_cancer(seed=0)
    model = LogisticRegression(C=1.0, max_iter=5000).fit(split.X_train, split.y_train)
    np.testing.assert_array_equal(X, split.X_test)
    np.testing.assert_allclose(w, model.coef_[0], rtol=1e-12)
    assert X.shape == (114, 30) and np.sum(np.abs(w)) == pytest.approx(17.22, abs=0.01)
    assert model.score(X, y) == pytest.approx(np.mean((X @ w + b > 0) == (y == 1)))
    X[0, 0] = 99.0
    assert DS.breast_cancer_linear_model()[0][0, 0] != 99.0


def test_worst_case_agrees_with_lossviz_design_and_reaches_the_closed_form_loss() -> None:
    from lossviz import design
    from lossviz.models import LogisticRegression as LVLogistic

    X, y, w, b = DS.breast_cancer_linear_model()
    model = LVLogistic(X.shape[1])
    model.set_params({"w": w, "b": b})
    s = 2 * y - 1
    for eps in DS.ADV_EPSILONS:
        delta = worst_case_perturbation(X, y, w, eps)
        attacked = s * ((X + delta) @ w + b)
        np.testing.assert_allclose(attacked, design.robust_margin_linear(model, X, y, eps),
                                   rtol=0, atol=1e-12)
        # no other vertex of the ball does better for a sampled example
        rng = np.random.default_rng(1)
        for _ in range(200):
            other = eps * rng.choice([-1.0, 1.0], size=X.shape[1])
            assert s[0] * ((X[0] + other) @ w + b) >= attacked[0] - 1e-12


def test_worst_case_pass_line_prints_clean_and_robust_accuracy(capsys) -> None:  # type: ignore[no-untyped-def]
    DS.check_worst_case_perturbation(worst_case_perturbation)
    line = capsys.readouterr().out
    assert "94.7% clean, 86.0% at ε = 0.1, 64.9% at ε = 0.25" in line


def test_worst_case_mistake_arrays_are_what_the_mistakes_give() -> None:
    X, y, w, eps = DS._ADV_X, DS._ADV_Y, DS._ADV_W, DS._ADV_EPS
    s = 2 * y - 1
    made = [-worst_case_perturbation(X, y, w, eps), -eps * s[:, None] * w,
            eps * s[:, None] * w, np.tile(-eps * np.sign(w), (3, 1)),
            np.tile(eps * np.sign(w), (3, 1)), -eps * y[:, None] * np.sign(w), eps * np.sign(X)]
    for got, (wrong, _) in zip(made, DS._ADV_MISTAKES, strict=True):
        np.testing.assert_allclose(got, wrong, rtol=0, atol=1e-15)
    np.testing.assert_allclose(worst_case_perturbation(X, y, w, eps), DS._ADV_EXPECTED)


ADV_MISTAKES = [
    (lambda X, y, w, eps: -worst_case_perturbation(X, y, w, eps), "the sign is flipped"),
    (lambda X, y, w, eps: -eps * (2 * y - 1)[:, None] * w, "an L2-style step"),
    (lambda X, y, w, eps: eps * (2 * y - 1)[:, None] * w, "along w itself, and with the wrong"),
    (lambda X, y, w, eps: np.tile(-eps * np.sign(w), (len(y), 1)), "the label's sign is missing"),
    (lambda X, y, w, eps: np.tile(eps * np.sign(w), (len(y), 1)), "the label's sign is missing"),
    (lambda X, y, w, eps: -eps * y[:, None] * np.sign(w), "map them to s = 2y − 1"),
    (lambda X, y, w, eps: eps * np.sign(X), "ε·sign(X)"),
    (lambda X, y, w, eps: -eps * np.sign(w), "one δ for all examples"),
    (lambda X, y, w, eps: -eps * (2 * y - 1)[:, None] * w / np.linalg.norm(w),
     "is not the worst case"),
    (lambda X, y, w, eps: worst_case_perturbation(X, y, w, eps) if X.shape == (3, 4)
     else -worst_case_perturbation(X, y, w, eps), "the accuracy goes from"),
    (lambda X, y, w, eps: worst_case_perturbation(X, y, w, eps) if X.shape[0] < 100
     else 2 * worst_case_perturbation(X, y, w, eps), "leaves the ε-ball"),
    (lambda X, y, w, eps: worst_case_perturbation(X, y, w, eps) * X / X, "returned nan or inf"),
    (lambda X, y, w, eps: None, "forget the `return`"),
]


@pytest.mark.parametrize(("wrong", "hint"), ADV_MISTAKES,
                         ids=["sign", "along-w", "along-w-plus", "no-label", "no-label-plus",
                              "labels-01", "sign-x", "one-delta", "l2-normalised",
                              "sign-on-real-data", "outside-ball-on-real-data", "nan", "none"])
def test_worst_case_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(DS.check_worst_case_perturbation, capsys, wrong)


def test_worst_case_any_delta_reaching_the_bound_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    """Where w has a zero entry, any δ in [−ε, ε] there is optimal: the property decides."""
    def with_free_coordinate(X, y, w, eps):  # type: ignore[no-untyped-def]
        delta = worst_case_perturbation(X, y, w, eps)
        return [list(row) for row in delta]    # a nested list is fine too

    passes(DS.check_worst_case_perturbation, capsys, with_free_coordinate)
    X, y = np.ones((2, 3)), np.array([1.0, 0.0])
    w = np.array([1.0, 0.0, -2.0])
    delta = worst_case_perturbation(X, y, w, 0.2)
    delta[:, 1] = [0.2, -0.13]
    DS._expect_worst_case(delta, X, y, w, 0.0, 0.2, "with w₂ = 0")  # does not raise
