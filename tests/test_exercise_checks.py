"""The chapter-00 checks: a correct answer passes, each common mistake gets its own hint.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from check_support import passes, run, stub

from lossviz.exercises import NOT_IMPLEMENTED, _check
from lossviz.exercises import foundations as F

# --------------------------------------------------------------------------------------
# Reference solutions (tests only)
# --------------------------------------------------------------------------------------


def mse(y, y_hat):  # type: ignore[no-untyped-def]
    return float(np.mean((y_hat - y) ** 2))


def grad_theta(theta, x, y):  # type: ignore[no-untyped-def]
    return float(np.mean(2 * (theta * x - y) * x))


def gradient_descent(theta0, eta, n_steps, x, y, *, sign=-1.0, use_eta=True, keep_first=True,  # type: ignore[no-untyped-def]
                     extra=0):
    thetas = [theta0] if keep_first else []
    theta = theta0
    for _ in range(n_steps + extra):
        theta = theta + sign * (eta if use_eta else 1.0) * grad_theta(theta, x, y)
        thetas.append(theta)
    return np.array(thetas)


def precision_recall_f1(y_true, y_pred):  # type: ignore[no-untyped-def]
    tp = np.sum((y_true == 1) & (y_pred == 1))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return p, r, f


def early_stopping_epoch(val_losses, patience, *, strict=True, return_stop=False, slack=0):  # type: ignore[no-untyped-def]
    best, wait = 0, 0
    for i in range(1, len(val_losses)):
        better = val_losses[i] < val_losses[best] if strict else val_losses[i] <= val_losses[best]
        if better:
            best, wait = i, 0
        else:
            wait += 1
            if wait >= patience + slack:
                return i if return_stop else best
    return len(val_losses) - 1 if return_stop else best


# --------------------------------------------------------------------------------------
# The mechanism
# --------------------------------------------------------------------------------------

ALL_CHECKS = [F.check_mse, F.check_grad_theta, F.check_gradient_descent,
              F.check_precision_recall_f1, F.check_early_stopping]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_a_stub_is_reported_as_not_implemented_yet(check, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(check, capsys, stub) == "✗ " + NOT_IMPLEMENTED


@pytest.mark.parametrize("check", [*ALL_CHECKS, F.check_best_constant], ids=lambda c: c.__name__)
def test_a_placeholder_none_is_not_implemented_yet(check, capsys) -> None:  # type: ignore[no-untyped-def]
    assert "not implemented yet" in run(check, capsys, None)


def test_another_exception_is_named_in_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    def broken(y, y_hat):  # type: ignore[no-untyped-def]
        return {}[1]

    line = run(F.check_mse, capsys, broken)
    assert "raised KeyError" in line and "mse([1, 2, 3], [1, 4, 0])" in line


def test_learner_prints_and_warnings_do_not_leak(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(y, y_hat):  # type: ignore[no-untyped-def]
        print("debugging", y)
        np.log(np.array([-1.0]))  # a RuntimeWarning
        return mse(y, y_hat)

    passes(F.check_mse, capsys, chatty)


def test_passing_the_result_instead_of_the_function_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    assert "without calling it: check_mse(mse)" in run(F.check_mse, capsys, 3.0)


def test_check_decorator_turns_fail_into_assertion_with_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    @_check.check("nothing")
    def check_demo(answer: Any) -> None:
        raise _check.Fail("the value should be 1", "try harder")

    assert run(check_demo, capsys, 0) == "✗ the value should be 1 — try harder"


# --------------------------------------------------------------------------------------
# check_mse
# --------------------------------------------------------------------------------------


def test_mse_correct_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(F.check_mse, capsys, mse)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, h: float(np.sum((h - y) ** 2)), "sum instead of averaging"),
        (lambda y, h: float(np.mean(np.abs(h - y))), "mean *absolute* error"),
        (lambda y, h: float(np.sqrt(np.mean((h - y) ** 2))), "root mean squared error"),
        (lambda y, h: float(np.mean(h - y)), "forget to square"),
        (lambda y, h: (h - y) ** 2, "array of shape (3,)"),
        (lambda y, h: None, "forget the `return`"),
    ],
    ids=["sum", "abs", "rmse", "no-square", "no-reduction", "no-return"],
)
def test_mse_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(F.check_mse, capsys, wrong)
    assert hint in line
    assert "y=[1, 2, 3], ŷ=[1, 4, 0]" in line or "returned" in line


def test_mse_example_message_names_expected_and_got(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(F.check_mse, capsys, lambda y, h: float(np.sum((h - y) ** 2)))
    assert "should be 4.333, got 13.0" in line


# --------------------------------------------------------------------------------------
# check_grad_theta
# --------------------------------------------------------------------------------------


def test_grad_theta_correct_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(F.check_grad_theta, capsys, grad_theta)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda t, x, y: np.mean((t * x - y) * x), "factor 2 is missing"),
        (lambda t, x, y: np.mean(2 * (t * x - y)), "factor x is missing"),
        (lambda t, x, y: np.mean(2 * (y - t * x) * x), "sign is flipped"),
        (lambda t, x, y: np.sum(2 * (t * x - y) * x), "sum instead of averaging"),
    ],
    ids=["no-2", "no-x", "sign", "sum"],
)
def test_grad_theta_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(F.check_grad_theta, capsys, wrong)


def test_grad_theta_that_only_fits_the_fixed_case_fails_finite_differences(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(F.check_grad_theta, capsys, lambda t, x, y: -16 / 3)
    assert "finite differences" in line


# --------------------------------------------------------------------------------------
# check_gradient_descent
# --------------------------------------------------------------------------------------


def test_gradient_descent_correct_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(F.check_gradient_descent, capsys, gradient_descent)


def test_gradient_descent_returning_a_list_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(F.check_gradient_descent, capsys, lambda *a: list(gradient_descent(*a)))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda *a: gradient_descent(*a, keep_first=False), "θ₀ is missing"),
        (lambda *a: gradient_descent(*a)[:-1], "one step is missing"),
        (lambda *a: gradient_descent(*a, extra=1), "one step too many"),
        (lambda *a: gradient_descent(*a, sign=+1.0), "uphill"),
        (lambda *a: gradient_descent(*a, use_eta=False), "learning rate is missing"),
    ],
    ids=["no-theta0", "short", "long", "ascent", "no-eta"],
)
def test_gradient_descent_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(F.check_gradient_descent, capsys, wrong)


def test_gradient_descent_with_gradient_frozen_at_theta0_fails(capsys) -> None:  # type: ignore[no-untyped-def]
    def frozen(theta0, eta, n, x, y):  # type: ignore[no-untyped-def]
        g = grad_theta(theta0, x, y)
        return np.array([theta0 - k * eta * g for k in range(n + 1)])

    assert "current θ" in run(F.check_gradient_descent, capsys, frozen)


# --------------------------------------------------------------------------------------
# check_precision_recall_f1
# --------------------------------------------------------------------------------------


def test_precision_recall_f1_correct_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(F.check_precision_recall_f1, capsys, precision_recall_f1)


def test_precision_recall_f1_swapped_gets_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def swapped(t, p):  # type: ignore[no-untyped-def]
        a, b, c = precision_recall_f1(t, p)
        return b, a, c

    assert "they are swapped" in run(F.check_precision_recall_f1, capsys, swapped)


def test_f1_as_arithmetic_mean_gets_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def arithmetic(t, p):  # type: ignore[no-untyped-def]
        a, b, _ = precision_recall_f1(t, p)
        return a, b, (a + b) / 2

    assert "harmonic mean" in run(F.check_precision_recall_f1, capsys, arithmetic)


def test_unguarded_zero_division_gets_the_convention_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def unguarded(t, p):  # type: ignore[no-untyped-def]
        tp = np.sum((t == 1) & (p == 1))
        prec = tp / np.sum(p == 1)
        rec = tp / np.sum(t == 1)
        return prec, rec, 2 * prec * rec / (prec + rec)

    line = run(F.check_precision_recall_f1, capsys, unguarded)
    assert "zero_division" in line and "nothing is predicted positive" in line, line


def test_precision_recall_f1_returning_one_number_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    assert "expected a tuple" in run(F.check_precision_recall_f1, capsys, lambda t, p: 0.5)


# --------------------------------------------------------------------------------------
# check_early_stopping
# --------------------------------------------------------------------------------------


def test_early_stopping_correct_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(F.check_early_stopping, capsys, early_stopping_epoch)


def test_early_stopping_precomputed_cases_match_the_reference() -> None:
    for losses, patience, expected, _ in F._ES_CASES:
        assert early_stopping_epoch(np.array(losses), patience) == expected


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda v, p: early_stopping_epoch(v, p, return_stop=True), "where training stops"),
        (lambda v, p: early_stopping_epoch(v, p, strict=False), "a tie is not an improvement"),
        (lambda v, p: int(np.argmin(v)), "never seen"),
        (lambda v, p: early_stopping_epoch(v, p) + 1, "counted from 0"),
        (lambda v, p: float(np.min(v)), "not its loss"),
    ],
    ids=["stop-epoch", "non-strict", "no-patience", "one-based", "loss-value"],
)
def test_early_stopping_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(F.check_early_stopping, capsys, wrong)


def test_early_stopping_off_by_one_patience_gets_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(F.check_early_stopping, capsys, lambda v, p: early_stopping_epoch(v, p, slack=-1))
    assert "one epoch too early" in line or "never seen" in line or "a tie" in line


# --------------------------------------------------------------------------------------
# check_best_constant
# --------------------------------------------------------------------------------------


def test_best_constant_is_the_median_and_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(F.check_best_constant, capsys, float(np.median(F.BEST_CONSTANT_DATA)))


def test_best_constant_data_has_a_unique_minimiser() -> None:
    data = F.BEST_CONSTANT_DATA
    assert data.size % 2 == 1
    grid = np.linspace(data.min(), data.max(), 20001)
    mae = np.abs(data[None, :] - grid[:, None]).mean(axis=1)
    assert grid[np.argmin(mae)] == pytest.approx(np.median(data), abs=1e-2)


def test_best_constant_mean_gets_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(F.check_best_constant, capsys, float(np.mean(F.BEST_CONSTANT_DATA)))
    assert "that is the mean" in line


def test_best_constant_function_instead_of_value_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    assert "not a function" in run(F.check_best_constant, capsys, np.median)


def test_best_constant_accepts_numpy_scalar(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(F.check_best_constant, capsys, np.median(F.BEST_CONSTANT_DATA))


@pytest.mark.parametrize("answer", [(0.1, np.zeros(3)), [1.0, [2.0, 3.0]]],
                         ids=["loss-and-gradient-tuple", "ragged-list"])
def test_a_ragged_answer_gets_a_clear_line_not_a_crash(answer, capsys) -> None:  # type: ignore[no-untyped-def]
    from lossviz.exercises.foundations import check_mse

    line = run(check_mse, capsys, lambda y, y_hat: answer)
    assert "expected a single number" in line
