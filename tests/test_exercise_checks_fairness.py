"""The chapter-07 checks: a correct answer passes, a stub is "not implemented yet", and each
common mistake gets its own hint.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fairlearn.metrics as flm
import numpy as np
import pytest
from check_support import passes, run, stub
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from lossviz import fairness as fair
from lossviz.exercises import NOT_IMPLEMENTED
from lossviz.exercises import fairness as E

# --------------------------------------------------------------------------------------
# Reference solutions (tests only)
# --------------------------------------------------------------------------------------


def dp_difference(y_pred, group):  # type: ignore[no-untyped-def]
    return abs(y_pred[group == 1].mean() - y_pred[group == 0].mean())


def eo_difference(y_true, y_pred, group):  # type: ignore[no-untyped-def]
    tpr = [y_pred[(group == a) & (y_true == 1)].mean() for a in (0, 1)]
    fpr = [y_pred[(group == a) & (y_true == 0)].mean() for a in (0, 1)]
    return max(abs(tpr[1] - tpr[0]), abs(fpr[1] - fpr[0]))


def soft_parity_penalty(w, X, group):  # type: ignore[no-untyped-def]
    p = expit(X @ w)
    return (p[group == 1].mean() - p[group == 0].mean()) ** 2


def soft_parity_grad(w, X, group):  # type: ignore[no-untyped-def]
    p = expit(X @ w)
    gap = p[group == 1].mean() - p[group == 0].mean()
    d = (p * (1 - p))[:, None] * X
    return 2 * gap * (d[group == 1].mean(axis=0) - d[group == 0].mean(axis=0))


def parity_mu() -> float:
    sweep = E.loan_sweep()
    ok = np.flatnonzero(sweep.dp_difference <= E.PARITY_TARGET)
    return float(sweep.mus[ok[np.argmax(sweep.accuracy[ok])]])


def diabetes_parity() -> float:
    d = E.diabetes_by_sex()
    pred = LogisticRegression().fit(d.X_train, d.y_train).predict(d.X_val)
    return abs(pred[d.group_val == 1].mean() - pred[d.group_val == 0].mean())


# --------------------------------------------------------------------------------------
# Every check: solution, stub, placeholder
# --------------------------------------------------------------------------------------

FUNCTION_CHECKS: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
    (E.check_group_gaps, (dp_difference, eo_difference)),
    (E.check_soft_parity, (soft_parity_penalty, soft_parity_grad)),
]
VALUE_CHECKS = [E.check_parity_mu, E.check_diabetes_parity]


def _ids(item: Any) -> str:
    return item.__name__ if callable(item) else ""


@pytest.mark.parametrize(("check", "solution"), FUNCTION_CHECKS, ids=_ids)
def test_the_reference_solution_passes(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(check, capsys, *solution)


def test_the_parity_mu_computed_by_hand_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    mu = parity_mu()
    assert mu == pytest.approx(10**1.4)
    passes(E.check_parity_mu, capsys, mu)


def test_the_diabetes_parity_computed_with_sklearn_and_fairlearn_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    value = diabetes_parity()
    assert value == pytest.approx(0.1357, abs=1e-4)
    passes(E.check_diabetes_parity, capsys, value)
    d = E.diabetes_by_sex()
    pred = LogisticRegression().fit(d.X_train, d.y_train).predict(d.X_val)
    passes(E.check_diabetes_parity, capsys, flm.demographic_parity_difference(
        d.y_val, pred, sensitive_features=d.group_val))


def test_a_lossviz_fit_of_the_diabetes_model_gives_the_same_decisions(capsys) -> None:  # type: ignore[no-untyped-def]
    d = E.diabetes_by_sex()
    model = fair.fit_fair_logistic(d.X_train, d.y_train, l2=1 / d.y_train.size)  # C = 1
    passes(E.check_diabetes_parity, capsys,
           fair.demographic_parity_difference(model.predict(d.X_val), d.group_val))


@pytest.mark.parametrize(("check", "solution"), FUNCTION_CHECKS, ids=_ids)
def test_stubs_are_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(check, capsys, stub, stub).startswith("✗ " + NOT_IMPLEMENTED)


@pytest.mark.parametrize(("check", "solution"), FUNCTION_CHECKS, ids=_ids)
def test_the_check_names_the_function_that_is_still_a_stub(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    first, second = solution
    line = run(check, capsys, first, stub)
    assert NOT_IMPLEMENTED in line and f"`{second.__name__}`" in line
    line = run(check, capsys, stub, second)
    assert NOT_IMPLEMENTED in line and f"`{first.__name__}`" in line


@pytest.mark.parametrize("check", VALUE_CHECKS, ids=_ids)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_an_unanswered_value_is_not_implemented_yet(check, placeholder, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(check, capsys, placeholder) == "✗ " + NOT_IMPLEMENTED


def test_learner_prints_and_warnings_do_not_leak(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(y_pred, group):  # type: ignore[no-untyped-def]
        print("debugging", y_pred)
        np.log(np.array([-1.0]))  # a RuntimeWarning
        return dp_difference(y_pred, group)

    passes(E.check_group_gaps, capsys, chatty, eo_difference)


# --------------------------------------------------------------------------------------
# check_group_gaps: typical mistakes
# --------------------------------------------------------------------------------------


def _rates(y_pred, group):  # type: ignore[no-untyped-def]
    return [y_pred[group == a].mean() for a in (0, 1)]


def _tpr_fpr(y_true, y_pred, group):  # type: ignore[no-untyped-def]
    tpr = [y_pred[(group == a) & (y_true == 1)].mean() for a in (0, 1)]
    fpr = [y_pred[(group == a) & (y_true == 0)].mean() for a in (0, 1)]
    return tpr[1] - tpr[0], fpr[1] - fpr[0]


DP_MISTAKES = [
    (lambda p, g: _rates(p, g)[1] - _rates(p, g)[0], "use abs()"),
    (lambda p, g: min(_rates(p, g)) / max(_rates(p, g)), "demographic_parity_ratio"),
    (lambda p, g: abs(p[g == 1].sum() - p[g == 0].sum()), "compare rates, not counts"),
    (lambda p, g: abs(p[g == 1].sum() - p[g == 0].sum()) / p.size, "not by the total"),
]


@pytest.mark.parametrize(("wrong", "hint"), DP_MISTAKES)
def test_dp_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(E.check_group_gaps, capsys, wrong, eo_difference)
    assert "dp_difference" in line and hint in line


def test_a_dp_difference_that_expects_y_true_is_told_the_signature(capsys) -> None:  # type: ignore[no-untyped-def]
    def with_y_true(y_true, y_pred, group):  # type: ignore[no-untyped-def]
        return dp_difference(y_pred, group)

    line = run(E.check_group_gaps, capsys, with_y_true, eo_difference)
    assert "the signature is dp_difference(y_pred, group)" in line


def _eo(combine):  # type: ignore[no-untyped-def]
    def fn(y, p, g):  # type: ignore[no-untyped-def]
        dt, df = _tpr_fpr(y, p, g)
        return combine(dt, df)
    return fn


EO_MISTAKES = [
    (_eo(lambda dt, df: (abs(dt) + abs(df)) / 2), "you averaged the TPR and FPR differences"),
    (_eo(lambda dt, df: abs(dt) + abs(df)), "not their sum"),
    (_eo(lambda dt, df: abs(dt)), "the TPR difference alone"),
    (_eo(lambda dt, df: abs(df)), "the FPR difference alone"),
    (_eo(lambda dt, df: max(dt, df)), "use abs()"),
    (lambda y, p, g: abs(np.mean(p[g == 1] == y[g == 1]) - np.mean(p[g == 0] == y[g == 0])),
     "the groups' accuracies"),
    (lambda y, p, g: abs(y[g == 1].mean() - y[g == 0].mean()), "base rates"),
    (lambda y, p, g: dp_difference(p, g), "that is the demographic-parity difference"),
    (lambda y, p, g: max(abs(y[(g == 1) & (p == 1)].mean() - y[(g == 0) & (p == 1)].mean()),
                         abs(y[(g == 1) & (p == 0)].mean() - y[(g == 0) & (p == 0)].mean())),
     "conditioned on the decision instead of the label"),
]


@pytest.mark.parametrize(("wrong", "hint"), EO_MISTAKES)
def test_eo_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(E.check_group_gaps, capsys, dp_difference, wrong)
    assert "eo_difference" in line and hint in line


def test_a_function_hardwired_to_the_example_fails_on_random_cases(capsys) -> None:  # type: ignore[no-untyped-def]
    def memorised(y_pred, group):  # type: ignore[no-untyped-def]
        return 0.4166666666666667 if y_pred[0] == 1 and y_pred[4] == 0 else 0.2916666666666667

    line = run(E.check_group_gaps, capsys, memorised, eo_difference)
    assert "random decisions" in line and "any length" in line


def test_fixed_case_constants_agree_with_fairlearn() -> None:
    for y, p, dp, eo in ((E._GAP_Y_A, E._GAP_P_A, E._DP_A, 0.5),
                         (E._GAP_Y_B, E._GAP_P_B, E._DP_B, 1.0)):
        kw = {"sensitive_features": E._GAP_GROUP}
        assert flm.demographic_parity_difference(y, p, **kw) == pytest.approx(dp, abs=1e-15)
        assert flm.equalized_odds_difference(y, p, **kw) == pytest.approx(eo, abs=1e-15)


# --------------------------------------------------------------------------------------
# check_soft_parity: typical mistakes
# --------------------------------------------------------------------------------------


def _gap(p, g):  # type: ignore[no-untyped-def]
    return p[g == 1].mean() - p[g == 0].mean()


PENALTY_MISTAKES = [
    (lambda w, X, g: _gap(expit(X @ w), g), "the *square* of the gap"),
    (lambda w, X, g: _gap((X @ w >= 0).astype(float), g) ** 2, "not hard decisions"),
    (lambda w, X, g: _gap(X @ w, g) ** 2, "average the probabilities σ(Xw), not the logits"),
    (lambda w, X, g: (np.sum(expit(X @ w) * g) - np.sum(expit(X @ w) * (1 - g))) ** 2
     / g.size**2, "not by the total number of examples"),
]


@pytest.mark.parametrize(("wrong", "hint"), PENALTY_MISTAKES)
def test_penalty_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(E.check_soft_parity, capsys, wrong, soft_parity_grad)
    assert "soft_parity_penalty" in line and hint in line


def _grad_variant(*, chain=True, factor=2.0, sign=1.0, squared=True, deriv=None):  # type: ignore[no-untyped-def]
    def fn(w, X, g):  # type: ignore[no-untyped-def]
        p = expit(X @ w)
        weight = (p * (1 - p) if deriv is None else deriv(p)) if chain else np.ones_like(p)
        d = weight[:, None] * X
        dgap = d[g == 1].mean(axis=0) - d[g == 0].mean(axis=0)
        scale = factor * _gap(p, g) if squared else 1.0
        return sign * scale * dgap
    return fn


GRAD_MISTAKES = [
    (_grad_variant(chain=False), "the chain rule through σ is missing"),
    (_grad_variant(factor=1.0), "the factor 2 of the square is missing"),
    (_grad_variant(sign=-1.0), "the sign is flipped"),
    (_grad_variant(squared=False), "that is the gradient of the gap itself"),
    (_grad_variant(deriv=lambda p: p), "not σ(f)"),
    (lambda w, X, g: np.zeros_like(w), "not hard decisions"),
]


@pytest.mark.parametrize(("wrong", "hint"), GRAD_MISTAKES)
def test_gradient_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(E.check_soft_parity, capsys, soft_parity_penalty, wrong)
    assert "soft_parity_grad" in line and hint in line


def test_a_gradient_per_example_is_told_to_chain_through_X(capsys) -> None:  # type: ignore[no-untyped-def]
    def per_example(w, X, g):  # type: ignore[no-untyped-def]
        p = expit(X @ w)
        return 2 * _gap(p, g) * p * (1 - p) * np.where(g == 1, 1 / g.sum(), -1 / (1 - g).sum())

    line = run(E.check_soft_parity, capsys, soft_parity_penalty, per_example)
    assert "one entry per example" in line and "Xᵀ" in line


def test_an_unknown_wrong_penalty_gets_the_formula(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(E.check_soft_parity, capsys, lambda w, X, g: 2 * soft_parity_penalty(w, X, g),
               soft_parity_grad)
    assert "should be 0.05263, got 0.1053" in line and "P = (mean of σ(Xw)" in line


def test_a_gradient_that_only_fits_lossviz_on_the_fixed_case_fails_later(capsys) -> None:  # type: ignore[no-untyped-def]
    def memorised(w, X, g):  # type: ignore[no-untyped-def]
        return E._SP_GRAD_EXACT.copy() if X.shape == (5, 2) else np.zeros(X.shape[1])

    line = run(E.check_soft_parity, capsys, soft_parity_penalty, memorised)
    assert "random data" in line


def test_soft_parity_constants_match_lossviz() -> None:
    value, grad = E._reference_penalty(E._SP_W, E._SP_X, E._SP_GROUP)
    assert value == pytest.approx(E._SP_VALUE, rel=1e-14)
    np.testing.assert_allclose(grad, E._SP_GRAD_EXACT, rtol=1e-13)


# --------------------------------------------------------------------------------------
# check_parity_mu and the sweep
# --------------------------------------------------------------------------------------


def test_loan_sweep_is_the_chapter_sweep_and_a_fresh_copy() -> None:
    sweep = E.loan_sweep()
    np.testing.assert_array_equal(sweep.mus, fair.DEFAULT_MUS)
    assert sweep.penalty == "parity" and sweep.accuracy.shape == (27,)
    sweep.accuracy[:] = 0.0
    assert E.loan_sweep().accuracy.max() > 0.8


@pytest.fixture(scope="module")
def sweep() -> fair.MuSweep:
    return E.loan_sweep()


def _mu_cases(sweep: fair.MuSweep) -> list[tuple[float, str]]:
    i = sweep.best_under(E.PARITY_TARGET)
    train_ok = np.flatnonzero(sweep.train_dp_difference <= E.PARITY_TARGET)
    eo_ok = np.flatnonzero(sweep.eo_difference <= E.PARITY_TARGET)
    return [
        (float(sweep.mus[-1]), "the largest μ meets the target"),
        (0.0, "it ignores the target"),
        (float(sweep.mus[np.argmax(sweep.accuracy)]), "the most accurate μ overall"),
        (float(sweep.accuracy[i]), "that is the accuracy of the right model"),
        (float(sweep.dp_difference[i]), "that is the DP difference of the right model"),
        (float(i), "the index into sweep.mus"),
        (float(np.log10(sweep.mus[i])), "that is log₁₀ μ"),
        (float(sweep.mus[train_ok[np.argmax(sweep.accuracy[train_ok])]]), "*training*"),
        (float(sweep.mus[eo_ok[np.argmax(sweep.accuracy[eo_ok])]]), "equalized-odds"),
        (float(sweep.mus[5]), "among the μ with dp_difference ≤ PARITY_TARGET"),
        (3.3, "pick one of the values in sweep.mus"),
    ]


def test_parity_mu_mistakes_get_their_hint(sweep, capsys) -> None:  # type: ignore[no-untyped-def]
    for value, hint in _mu_cases(sweep):
        line = run(E.check_parity_mu, capsys, value)
        assert hint in line, (value, line)


def test_parity_mu_rejects_a_function(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(E.check_parity_mu, capsys, parity_mu)
    assert "expected a number" in line


# --------------------------------------------------------------------------------------
# check_diabetes_parity and its data
# --------------------------------------------------------------------------------------


def test_diabetes_by_sex_is_the_documented_split() -> None:
    d = E.diabetes_by_sex()
    assert d.X_train.shape == (221, 9) and d.X_val.shape == (221, 9)
    assert "sex" not in d.feature_names and len(d.feature_names) == 9
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), 1.0, rtol=1e-12)
    group = np.r_[d.group_train, d.group_val]
    y = np.r_[d.y_train, d.y_val]
    assert int(group.sum()) == 207 and int(y.sum()) == 221
    assert y[group == 0].mean() == pytest.approx(0.4979, abs=1e-4)
    assert y[group == 1].mean() == pytest.approx(0.5024, abs=1e-4)
    d.X_train[0, 0] = 99.0  # copies: the cache is not touched
    assert E.diabetes_by_sex().X_train[0, 0] != 99.0


def _diabetes_fit():  # type: ignore[no-untyped-def]
    d = E.diabetes_by_sex()
    model = LogisticRegression().fit(d.X_train, d.y_train)
    return d, model


def test_diabetes_mistakes_get_their_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    d, model = _diabetes_fit()
    pv, gv = model.predict(d.X_val), d.group_val
    prob = model.predict_proba(d.X_val)[:, 1]
    with_group = LogisticRegression().fit(np.c_[d.X_train, d.group_train], d.y_train)
    cases = [
        (pv[gv == 0].mean() - pv[gv == 1].mean(), "absolute value"),
        (abs(d.y_val[gv == 1].mean() - d.y_val[gv == 0].mean()), "base rates"),
        (fair.demographic_parity_difference(model.predict(d.X_train), d.group_train),
         "training patients"),
        (abs(prob[gv == 1].mean() - prob[gv == 0].mean()), "soft gap"),
        (abs(np.mean(pv[gv == 1] == d.y_val[gv == 1]) - np.mean(pv[gv == 0] == d.y_val[gv == 0])),
         "accuracies"),
        (fair.demographic_parity_difference(with_group.predict(np.c_[d.X_val, gv]), gv),
         "not an input"),
        (fair.equalized_odds_difference(d.y_val, pv, gv), "equalized-odds"),
        (0.5, "fit LogisticRegression() on d.X_train"),
    ]
    for value, hint in cases:
        line = run(E.check_diabetes_parity, capsys, value)
        assert hint in line, (value, line)


def test_diabetes_decisions_are_robust_to_the_solver() -> None:
    d, model = _diabetes_fit()
    assert np.min(np.abs(model.decision_function(d.X_val))) > 0.02
