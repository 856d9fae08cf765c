"""The chapter-02 checks: a correct answer passes, a stub is "not implemented yet", and each
common mistake gets its own hint.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

import numpy as np
import pytest
from check_support import passes, run, stub
from scipy.special import log_softmax

from lossviz import losses, metrics
from lossviz.exercises import NOT_IMPLEMENTED
from lossviz.exercises import classification as C

# --------------------------------------------------------------------------------------
# Reference solutions (tests only; the chapter's solution cells use the same code)
# --------------------------------------------------------------------------------------


def bce_with_logits(y, z):  # type: ignore[no-untyped-def]
    # log(1 + e^z) - y z, with log(1 + e^z) = np.logaddexp(0, z): no overflow at |z| = 1000
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def bce_grad(y, z):  # type: ignore[no-untyped-def]
    sigma = np.exp(-np.logaddexp(0.0, -z))  # σ(z) = 1 / (1 + e^(-z)), without overflow
    return (sigma - y) / len(y)


def softmax_cross_entropy(y, Z):  # type: ignore[no-untyped-def]
    shifted = Z - Z.max(axis=1, keepdims=True)  # log-sum-exp: the largest exponent is 0
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(y)), y]))


def focal_loss(y, z, gamma=2.0, alpha=0.25):  # type: ignore[no-untyped-def]
    p = 1 / (1 + np.exp(-z))
    p_t = np.where(y == 1, p, 1 - p)  # probability of the true class
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return float(np.mean(-alpha_t * (1 - p_t) ** gamma * np.log(p_t)))


def best_threshold(y, p, cost_fn, cost_fp):  # type: ignore[no-untyped-def]
    candidates = np.append(np.unique(p), np.inf)  # np.inf: call nothing positive
    costs = [cost_fn * np.sum((y == 1) & (p < t)) + cost_fp * np.sum((y == 0) & (p >= t))
             for t in candidates]
    return float(candidates[np.argmin(costs)])


# --------------------------------------------------------------------------------------
# Every check: the solution passes, a stub and a placeholder are "not implemented yet"
# --------------------------------------------------------------------------------------

CHECKS = [
    (C.check_bce, (bce_with_logits, bce_grad)),
    (C.check_softmax_cross_entropy, (softmax_cross_entropy,)),
    (C.check_focal_loss, (focal_loss,)),
    (C.check_best_threshold, (best_threshold,)),
]
IDS = ["bce", "softmax_cross_entropy", "focal_loss", "best_threshold"]


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_the_reference_solution_passes(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(check, capsys, *solution)


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_a_stub_is_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(check, capsys, *(stub for _ in solution))
    assert line.startswith("✗ " + NOT_IMPLEMENTED)


@pytest.mark.parametrize(("check", "solution"), CHECKS, ids=IDS)
def test_a_placeholder_none_is_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    assert "not implemented yet" in run(check, capsys, *(None for _ in solution))


def test_check_bce_names_the_function_that_is_still_a_stub(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(C.check_bce, capsys, bce_with_logits, stub)
    assert "not implemented yet" in line and "`bce_grad` still raises" in line
    line = run(C.check_bce, capsys, stub, bce_grad)
    assert "`bce_with_logits` still raises" in line


def test_passing_results_instead_of_functions_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(C.check_bce, capsys, 0.44, bce_grad)
    assert "without calling them: check_bce(bce_with_logits, bce_grad)" in line
    line = run(C.check_focal_loss, capsys, 0.24)
    assert "without calling it" in line


def test_checks_print_one_line_and_return_none_even_with_noisy_learner_code(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(y, Z):  # type: ignore[no-untyped-def]
        print("debugging", Z.shape)
        np.exp(np.array([1000.0]))  # a RuntimeWarning
        return softmax_cross_entropy(y, Z)

    passes(C.check_softmax_cross_entropy, capsys, chatty)


# --------------------------------------------------------------------------------------
# check_bce
# --------------------------------------------------------------------------------------


def naive_bce(y, z):  # type: ignore[no-untyped-def]
    p = 1 / (1 + np.exp(-z))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def test_bce_precomputed_numbers_are_right() -> None:
    assert C._BCE_EXPECTED == pytest.approx(losses.bce_with_logits(C._BCE_Y, C._BCE_Z),
                                            rel=1e-15)
    np.testing.assert_allclose(C._BCE_GRAD, losses.bce_with_logits_grad(C._BCE_Y, C._BCE_Z),
                               rtol=1e-14)
    assert losses.bce_with_logits(C._BCE_Y_BIG, C._BCE_Z_BIG) == 500.0


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (naive_bce, "np.logaddexp(0, -z) or log1p(exp(-|z|))"),
        (lambda y, z: float(np.mean(np.log1p(np.exp(z)) - y * z)), "np.logaddexp(0, -z)"),
        (lambda y, z: float(np.sum(np.logaddexp(0, z) - y * z)), "sum instead of averaging"),
        (lambda y, z: -bce_with_logits(y, z), "sign is flipped"),
        (lambda y, z: float(np.mean(-(y * np.log(z) + (1 - y) * np.log(1 - z)))),
         "not probabilities"),
        (lambda y, z: float(np.mean(np.logaddexp(0, -z))), "a negative (y = 0) costs"),
    ],
    ids=["naive", "log1p-exp", "sum", "sign", "probabilities", "positives-only"],
)
def test_bce_loss_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(C.check_bce, capsys, wrong, bce_grad)


def test_the_naive_bce_is_caught_at_logits_of_1000(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(C.check_bce, capsys, naive_bce, bce_grad)
    assert "z=[1000, -1000, -1000, 1000]" in line and "returned nan" in line


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, z: bce_grad(y, z) * len(y), "carries its 1/n"),
        (lambda y, z: -bce_grad(y, z), "sign is flipped"),
        (lambda y, z: (z - y) / len(y), "not (z − y)/n"),
        (lambda y, z: bce_grad(y, -z) + 2 * 0 * y, "minus sign in the exponent"),
        (lambda y, z: (np.exp(z) / (1 + np.exp(z)) - y) / len(y), "expit"),
        (lambda y, z: float(np.mean(bce_grad(y, z))), "expected an array of shape (4,)"),
    ],
    ids=["no-1/n", "sign", "probabilities", "sigma(-z)", "inf/inf", "scalar"],
)
def test_bce_grad_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(C.check_bce, capsys, bce_with_logits, wrong)


def test_bce_grad_must_agree_with_the_learners_own_loss(capsys) -> None:  # type: ignore[no-untyped-def]
    """A correct gradient with a loss that is right everywhere but on random data fails."""
    calls = {"n": 0}

    def drifting(y, z):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return bce_with_logits(y, z) * (1.0 if calls["n"] <= 12 else 2.0)

    assert "finite differences" in run(C.check_bce, capsys, drifting, bce_grad)


# --------------------------------------------------------------------------------------
# check_softmax_cross_entropy
# --------------------------------------------------------------------------------------


def test_softmax_precomputed_numbers_are_right() -> None:
    assert C._CE_EXPECTED == pytest.approx(losses.softmax_cross_entropy(C._CE_Y, C._CE_Z),
                                           rel=1e-15)
    assert C._CE_BIG_EXPECTED == pytest.approx(
        losses.softmax_cross_entropy(C._CE_Y_BIG, C._CE_Z_BIG), rel=1e-15)
    assert C._CE_BIG_EXPECTED == pytest.approx(
        (1 + np.log1p(np.exp(-1)) + 1000 + np.log(2)) / 3, rel=1e-15)


def no_shift(y, Z):  # type: ignore[no-untyped-def]
    return float(np.mean(np.log(np.exp(Z).sum(axis=1)) - Z[np.arange(len(y)), y]))


def global_shift(y, Z):  # type: ignore[no-untyped-def]
    m = Z.max()
    return float(np.mean(m + np.log(np.exp(Z - m).sum(axis=1)) - Z[np.arange(len(y)), y]))


def no_keepdims(y, Z):  # type: ignore[no-untyped-def]
    m = Z.max(axis=1)
    return float(np.mean(m + np.log(np.exp(Z - m).sum(axis=1)) - Z[np.arange(len(y)), y]))


def via_probabilities(y, Z):  # type: ignore[no-untyped-def]
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(P[np.arange(len(y)), y])))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (no_shift, "subtract each row's maximum"),
        (via_probabilities, "subtract each row's maximum"),
        (global_shift, "one maximum for the whole array"),
        (no_keepdims, "keepdims=True"),
        (lambda y, Z: float(-np.mean(np.log(Z[np.arange(len(y)), y]))), "not np.log(Z)"),
        (lambda y, Z: float(-np.mean(np.exp(log_softmax(Z, axis=1))[np.arange(len(y)), y])),
         "the log is missing"),
        (lambda y, Z: float(-np.mean(log_softmax(Z, axis=1)[:, y])), "log_p[np.arange(n), y]"),
        (lambda y, Z: float(-np.mean(log_softmax(Z, axis=1)[y])), "log_p[np.arange(n), y]"),
        (lambda y, Z: float(-np.sum(log_softmax(Z, axis=1)[np.arange(len(y)), y])),
         "sum instead of averaging"),
        (lambda y, Z: float(-np.mean(np.eye(Z.shape[1])[y] * log_softmax(Z, axis=1))),
         "not over all n·k entries"),
        (lambda y, Z: -softmax_cross_entropy(y, Z), "sign is flipped"),
    ],
    ids=["no-shift", "probabilities-no-shift", "global-max", "no-keepdims", "log-of-logits",
         "no-log", "index-columns", "index-rows", "sum", "mean-all-entries", "sign"],
)
def test_softmax_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(C.check_softmax_cross_entropy, capsys, wrong)


def test_no_keepdims_on_a_non_square_case_gets_the_keepdims_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    """n = k hides the bug as a wrong number; n != k makes numpy refuse to broadcast."""

    def only_square(y, Z):  # type: ignore[no-untyped-def]
        if Z.shape[0] == Z.shape[1]:
            return softmax_cross_entropy(y, Z)
        return no_keepdims(y, Z)

    line = run(C.check_softmax_cross_entropy, capsys, only_square)
    assert "broadcast" in line and "keepdims=True" in line


# --------------------------------------------------------------------------------------
# check_focal_loss
# --------------------------------------------------------------------------------------


def test_focal_precomputed_numbers_are_right() -> None:
    y, z = C._FOCAL_Y, C._FOCAL_Z
    assert C._FOCAL_EXPECTED == pytest.approx(losses.focal(y, z), rel=1e-15)
    assert C._FOCAL_GAMMA0 == pytest.approx(losses.focal(y, z, gamma=0.0), rel=1e-15)
    assert C._FOCAL_NO_ALPHA == pytest.approx(losses.focal(y, z, alpha=None), rel=1e-15)
    assert focal_loss(y, z) == pytest.approx(C._FOCAL_EXPECTED, rel=1e-14)


def focal_variant(y, z, gamma=2.0, alpha=0.25, *, weight="alpha_t", modulator="p_t"):  # type: ignore[no-untyped-def]
    p = 1 / (1 + np.exp(-z))
    p_t = np.where(y == 1, p, 1 - p)
    a = {"alpha_t": np.where(y == 1, alpha, 1 - alpha), "none": 1.0, "all": alpha,
         "swapped": np.where(y == 1, 1 - alpha, alpha)}[weight]
    m = {"p_t": (1 - p_t) ** gamma, "p": (1 - p) ** gamma, "none": 1.0}[modulator]
    return float(np.mean(-a * m * np.log(p_t)))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, z, g=2.0, a=0.25: focal_variant(y, z, g, a, weight="none"),
         "α weighting is missing"),
        (lambda y, z, g=2.0, a=0.25: focal_variant(y, z, g, a, weight="all"),
         "every example was multiplied by α"),
        (lambda y, z, g=2.0, a=0.25: focal_variant(y, z, g, a, weight="swapped"),
         "α and 1 − α are swapped"),
        (lambda y, z, g=2.0, a=0.25: focal_variant(y, z, g, a, modulator="p"),
         "not (1 − p)^γ for both"),
        (lambda y, z, g=2.0, a=0.25: focal_variant(y, z, g, a, modulator="none"),
         "focusing factor (1 − p_t)^γ is missing"),
        (lambda y, z, g=2.0, a=0.25: 4 * focal_loss(y, z, g, a), "sum instead of averaging"),
        (lambda y, z, g=2.0, a=0.25: -focal_loss(y, z, g, a), "sign is flipped"),
        (lambda y, z, g=2.0, a=0.25: focal_loss(y, z, 2.0, a), "must equal the α-weighted"),
        (lambda y, z, g=2.0, a=0.25: focal_loss(y, z, g, 0.25), "use the arguments gamma and"),
        (lambda y, z: focal_loss(y, z), "the signature must be focal_loss(y, z, gamma=2.0"),
    ],
    ids=["no-alpha", "alpha-all", "alpha-swapped", "one-minus-p", "no-gamma", "sum", "sign",
         "gamma-ignored", "alpha-ignored", "no-parameters"],
)
def test_focal_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(C.check_focal_loss, capsys, wrong)


def test_focal_with_gamma_zero_ignoring_alpha_gets_the_alpha_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def alpha_only_when_focusing(y, z, gamma=2.0, alpha=0.25):  # type: ignore[no-untyped-def]
        return focal_variant(y, z, gamma, alpha, weight="alpha_t" if gamma else "none")

    line = run(C.check_focal_loss, capsys, alpha_only_when_focusing)
    assert "γ = 0" in line and "α weighting is missing" in line


# --------------------------------------------------------------------------------------
# check_best_threshold and the real data
# --------------------------------------------------------------------------------------


def test_breast_cancer_probabilities_come_from_the_documented_model() -> None:
    from sklearn.linear_model import LogisticRegression

    from lossviz.data import load_breast_cancer

    y, p = C.breast_cancer_probabilities()
    assert y.shape == p.shape == (114,) and int(y.sum()) == 43
    s = load_breast_cancer(seed=0)
    model = LogisticRegression(C=1.0, max_iter=5000).fit(s.X_train, s.y_train)
    np.testing.assert_array_equal(p, model.predict_proba(s.X_val)[:, 1])
    np.testing.assert_array_equal(y, s.y_val)
    p[:] = 0.0  # callers get copies: the cached arrays stay intact
    assert C.breast_cancer_probabilities()[1].max() > 0.99


def test_precomputed_breast_cancer_cost_is_the_brute_force_minimum() -> None:
    """13 = one missed cancer (10) + three false alarms, at the threshold p = 0.4325."""
    y, p = C.breast_cancer_probabilities()
    assert C._lowest_cost(y, p, C.COST_FN, C.COST_FP) == C._BC_MIN_TOTAL_COST == 13.0
    t = best_threshold(y, p, C.COST_FN, C.COST_FP)
    assert t == pytest.approx(0.4325, abs=5e-5)
    assert metrics.expected_cost(y, p, t, C.COST_FN, C.COST_FP) * len(y) == pytest.approx(13.0)
    # the Bayes threshold is not the empirical minimiser on these 114 tumours
    bayes = metrics.bayes_threshold(C.COST_FN, C.COST_FP)
    assert metrics.expected_cost(y, p, bayes, C.COST_FN, C.COST_FP) * len(y) == pytest.approx(19)


def test_the_last_random_threshold_case_is_best_with_nothing_positive() -> None:
    rng = np.random.default_rng(205)
    for n, ties, top_negative, _, _ in C._THRESHOLD_CASES:
        y, p = C._threshold_case(rng, n, ties, top_negative)
    *_, cost_fn, cost_fp = C._THRESHOLD_CASES[-1]
    costs = [C._total_cost(y, p, t, cost_fn, cost_fp) for t in np.unique(p)]
    assert min(costs) > C._total_cost(y, p, np.inf, cost_fn, cost_fp)


def _grid(y, p, cost_fn, cost_fp):  # type: ignore[no-untyped-def]
    grid = np.linspace(0, 1, 11)
    costs = [metrics.expected_cost(y, p, t, cost_fn, cost_fp) for t in grid]
    return float(grid[np.argmin(costs)])


def _strict(y, p, cost_fn, cost_fp):  # type: ignore[no-untyped-def]
    candidates = np.unique(p)
    costs = [cost_fn * np.sum((y == 1) & (p <= t)) + cost_fp * np.sum((y == 0) & (p > t))
             for t in candidates]
    return float(candidates[np.argmin(costs)])


def _without_inf(y, p, cost_fn, cost_fp):  # type: ignore[no-untyped-def]
    candidates = np.unique(p)
    costs = [cost_fn * np.sum((y == 1) & (p < t)) + cost_fp * np.sum((y == 0) & (p >= t))
             for t in candidates]
    return float(candidates[np.argmin(costs)])


def _lowest_cost_value(y, p, cost_fn, cost_fp):  # type: ignore[no-untyped-def]
    t = best_threshold(y, p, cost_fn, cost_fp)
    return float(cost_fn * np.sum((y == 1) & (p < t)) + cost_fp * np.sum((y == 0) & (p >= t)))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, p, c_fn, c_fp: c_fp / (c_fp + c_fn), "that is the Bayes threshold"),
        (lambda y, p, c_fn, c_fp: best_threshold(y, p, c_fp, c_fn), "the costs look swapped"),
        (lambda y, p, c_fn, c_fp: 0.5, "only when both mistakes cost the same"),
        (_strict, "the decision rule is p >= t"),
        (_grid, "a grid can step over the best threshold"),
        (_lowest_cost_value, "return the threshold t, not its cost"),
        (_without_inf, "call nothing positive"),
    ],
    ids=["bayes", "swapped", "one-half", "strict", "grid", "cost", "no-inf"],
)
def test_best_threshold_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(C.check_best_threshold, capsys, wrong)


def test_any_threshold_reaching_the_lowest_cost_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    """Ties may be broken either way: e.g. the midpoint below the chosen probability."""

    def midpoint(y, p, cost_fn, cost_fp):  # type: ignore[no-untyped-def]
        t = best_threshold(y, p, cost_fn, cost_fp)
        below = p[p < t]
        return t if below.size == 0 or not np.isfinite(t) else (t + below.max()) / 2

    passes(C.check_best_threshold, capsys, midpoint)


def test_best_threshold_minimising_the_mean_cost_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    def by_mean_cost(y, p, cost_fn, cost_fp):  # type: ignore[no-untyped-def]
        candidates = np.unique(p)
        costs = [metrics.expected_cost(y, p, t, cost_fn, cost_fp) for t in candidates]
        nothing = cost_fn * np.sum(y == 1) / len(y)
        return float(candidates[np.argmin(costs)]) if min(costs) <= nothing else np.inf

    passes(C.check_best_threshold, capsys, by_mean_cost)


def test_checks_never_import_the_solutions() -> None:
    import inspect

    source = inspect.getsource(C)
    assert "np.logaddexp(0.0, z) - y * z" not in source
    assert "tests" not in {m.split(".")[0] for m in source.split() if m.startswith("tests.")}
