"""The chapter-01 checks: a correct answer passes, each common mistake gets its own hint.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from check_support import passes, run, stub

from lossviz import losses, robust
from lossviz.exercises import NOT_IMPLEMENTED
from lossviz.exercises import regression as R

# --------------------------------------------------------------------------------------
# Reference solutions (tests only)
# --------------------------------------------------------------------------------------


def mse(y, y_hat):  # type: ignore[no-untyped-def]
    return float(np.mean((y_hat - y) ** 2))


def mse_grad(y, y_hat):  # type: ignore[no-untyped-def]
    return 2 * (y_hat - y) / y.size


def mae(y, y_hat):  # type: ignore[no-untyped-def]
    return float(np.mean(np.abs(y_hat - y)))


def mae_grad(y, y_hat):  # type: ignore[no-untyped-def]
    return np.sign(y_hat - y) / y.size


def huber(y, y_hat, delta=1.0):  # type: ignore[no-untyped-def]
    r = y_hat - y
    a = np.abs(r)
    return float(np.mean(np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))))


def huber_grad(y, y_hat, delta=1.0):  # type: ignore[no-untyped-def]
    return np.clip(y_hat - y, -delta, delta) / y.size


def best_pinball_constant(data, tau):  # type: ignore[no-untyped-def]
    # the smallest value with at least τn of the data at or below it
    s = np.sort(data)
    return float(s[int(np.ceil(tau * s.size)) - 1])


def fit_huber_line(x, y, delta, n_iter=50, *, weight=None, root=True, start_ones=True,  # type: ignore[no-untyped-def]
                   intercept=True, update=True):
    A = np.column_stack([x, np.ones_like(x)]) if intercept else x[:, None]
    weight = weight or (lambda r, d: np.minimum(1.0, d / np.maximum(np.abs(r), 1e-12)))
    w = np.ones_like(y)
    if not start_ones:  # start from the line y = 0 instead of least squares
        w = weight(-y, delta)
    for i in range(n_iter):
        s = np.sqrt(w) if root else w
        beta = np.linalg.lstsq(A * s[:, None], y * s, rcond=None)[0]
        r = A @ beta - y
        if update or i == 0:
            w = weight(r, delta)
    slope, b = (beta[0], beta[1]) if intercept else (beta[0], 0.0)
    return float(slope), float(b)


def fit_huber_line_gd(x, y, delta, n_iter=3000):  # type: ignore[no-untyped-def]
    """Gradient descent on standardised x, an accepted alternative to IRLS."""
    mu, sd = x.mean(), x.std()
    z = (x - mu) / sd
    a, b = 0.0, float(np.median(y))
    for _ in range(n_iter):
        g = np.clip(a * z + b - y, -delta, delta) / y.size
        a, b = a - 0.5 * float(g @ z), b - 0.5 * float(g.sum())
    return a / sd, b - a * mu / sd


ASYMMETRIC_TAU = R.SHORTAGE_COST / (R.SHORTAGE_COST + R.SURPLUS_COST)


# --------------------------------------------------------------------------------------
# Every check: stub, placeholder, solution
# --------------------------------------------------------------------------------------

SOLUTIONS: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
    (R.check_mse_mae, (mse, mse_grad, mae, mae_grad)),
    (R.check_huber, (huber, huber_grad)),
    (R.check_pinball_constant, (best_pinball_constant(R.PINBALL_DATA, R.PINBALL_TAU),)),
    (R.check_irls_huber, (fit_huber_line,)),
    (R.check_asymmetric_tau, (ASYMMETRIC_TAU,)),
]
FUNCTION_CHECKS = SOLUTIONS[:2] + SOLUTIONS[3:4]


def _ids(item: Any) -> str:
    return item.__name__ if callable(item) else ""


@pytest.mark.parametrize(("check", "answers"), SOLUTIONS, ids=_ids)
def test_the_reference_solution_passes(check, answers, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(check, capsys, *answers)


@pytest.mark.parametrize(("check", "answers"), FUNCTION_CHECKS, ids=_ids)
def test_a_stub_is_reported_as_not_implemented_yet(check, answers, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(check, capsys, *[stub] * len(answers))
    assert line.startswith("✗ " + NOT_IMPLEMENTED)


@pytest.mark.parametrize(("check", "answers"), SOLUTIONS, ids=_ids)
def test_a_placeholder_none_is_not_implemented_yet(check, answers, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(check, capsys, *[None] * len(answers)).startswith("✗ " + NOT_IMPLEMENTED)


def test_the_irls_stub_message_is_exactly_chapter_00s(capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(R.check_irls_huber, capsys, stub) == "✗ " + NOT_IMPLEMENTED


@pytest.mark.parametrize(
    ("answers", "name"),
    [
        ((mse, mse_grad, mae, stub), "mae_grad"),
        ((mse, stub, mae, mae_grad), "mse_grad"),
        ((stub, stub, stub, stub), "mse"),
    ],
)
def test_mse_mae_names_the_function_that_is_still_a_stub(answers, name, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_mse_mae, capsys, *answers)
    assert line == f"✗ {NOT_IMPLEMENTED} — `{name}` still raises NotImplementedError"


def test_huber_names_the_placeholder(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_huber, capsys, huber, None)
    assert "not implemented yet" in line and "`huber_grad` is still a placeholder" in line


def test_passing_results_instead_of_functions_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_mse_mae, capsys, 3.0, mse_grad, mae, mae_grad)
    assert "expected the function `mse`" in line
    assert "check_mse_mae(mse, mse_grad, mae, mae_grad)" in line


def test_learner_prints_and_warnings_do_not_leak(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(y, y_hat, delta=1.0):  # type: ignore[no-untyped-def]
        print("debugging", y)
        np.log(np.array([-1.0]))  # a RuntimeWarning
        return huber(y, y_hat, delta)

    passes(R.check_huber, capsys, chatty, huber_grad)


# --------------------------------------------------------------------------------------
# check_mse_mae
# --------------------------------------------------------------------------------------


def test_mse_mae_precomputed_cases_match_lossviz() -> None:
    y, y_hat = R._Y, R._Y_HAT
    assert mse(y, y_hat) == pytest.approx(13 / 3) == losses.mse(y, y_hat)
    assert mae(y, y_hat) == pytest.approx(5 / 3) == losses.mae(y, y_hat)
    np.testing.assert_allclose(R._MSE_GRAD, losses.mse_grad(y, y_hat))
    np.testing.assert_allclose(R._MAE_GRAD, losses.mae_grad(y, y_hat))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, h: float(np.sum((h - y) ** 2)), "sum instead of averaging"),
        (lambda y, h: float(np.mean(np.abs(h - y))), "mean *absolute* error"),
        (lambda y, h: float(np.sqrt(np.mean((h - y) ** 2))), "root mean squared error"),
        (lambda y, h: float(np.mean(h - y)), "forget to square"),
        (lambda y, h: (h - y) ** 2, "array of shape (3,)"),
        (lambda y, h: (float(np.mean((h - y) ** 2)), 2 * (h - y) / y.size), "a tuple of 2 values"),
        (lambda y, h: None, "forget the `return`"),
    ],
    ids=["sum", "abs", "rmse", "no-square", "no-reduction", "tuple", "no-return"],
)
def test_mse_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_mse_mae, capsys, wrong, mse_grad, mae, mae_grad)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, h: float(np.sum(np.abs(h - y))), "sum instead of averaging"),
        (lambda y, h: float(np.mean((h - y) ** 2)), "mean *squared* error"),
        (lambda y, h: float(np.mean(h - y)), "cancel"),
        (lambda y, h: float(abs(np.mean(h - y))), "cancel"),
        (lambda y, h: float(np.median(np.abs(h - y))), "median of |r|"),
    ],
    ids=["sum", "squared", "no-abs", "abs-of-mean", "median"],
)
def test_mae_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_mse_mae, capsys, mse, mse_grad, wrong, mae_grad)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, h: 2 * (h - y), "divide by the number of examples"),
        (lambda y, h: 2 * (y - h) / y.size, "sign is flipped"),
        (lambda y, h: (h - y) / y.size, "factor 2 is missing"),
        (lambda y, h: h - y, "factor 2 and the 1/n are missing"),
        (lambda y, h: (h - y) ** 2, "per-element loss"),
        (lambda y, h: np.sign(h - y) / y.size, "gradient of the MAE"),
        (lambda y, h: float(np.mean(2 * (h - y))), "returned one number"),
        (lambda y, h: (2 * (h - y) / y.size)[:, None], "shape (3, 1)"),
    ],
    ids=["no-n", "sign", "no-2", "no-2-no-n", "loss", "mae-grad", "scalar", "column"],
)
def test_mse_grad_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_mse_mae, capsys, mse, wrong, mae, mae_grad)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, h: np.sign(h - y), "divide by the number of examples"),
        (lambda y, h: np.sign(y - h) / y.size, "sign is flipped"),
        (lambda y, h: np.where(h - y >= 0, 1.0, -1.0) / y.size, "at r = 0"),
        (lambda y, h: np.where(h - y > 0, 1.0, -1.0) / y.size, "at r = 0"),
        (lambda y, h: (h - y) / np.abs(h - y) / y.size, "0/0 where ŷ = y"),
        (lambda y, h: np.abs(h - y) / y.size, "per-element loss"),
        (lambda y, h: 2 * (h - y) / y.size, "gradient of the MSE"),
    ],
    ids=["no-n", "sign", "kink-ge", "kink-gt", "nan", "loss", "mse-grad"],
)
def test_mae_grad_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_mse_mae, capsys, mse, mse_grad, mae, wrong)


def test_mse_grad_that_only_fits_the_fixed_case_fails_on_random_cases(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_mse_mae, capsys, mse, lambda y, h: np.resize(R._MSE_GRAD, y.size), mae,
               mae_grad)
    assert "random arrays" in line


def test_a_gradient_inconsistent_with_the_own_loss_fails_finite_differences(capsys) -> None:  # type: ignore[no-untyped-def]
    # wrong only for length 6, which none of the random cases has
    def odd_grad(y, h):  # type: ignore[no-untyped-def]
        return mse_grad(y, h) * (0.5 if y.size == 6 else 1.0)

    line = run(R.check_mse_mae, capsys, mse, odd_grad, mae, mae_grad)
    assert "finite differences of your mse" in line


def test_another_exception_is_named_in_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    def broken(y, y_hat):  # type: ignore[no-untyped-def]
        return {}[1]

    line = run(R.check_mse_mae, capsys, mse, mse_grad, broken, mae_grad)
    assert "raised KeyError" in line and "mae([1, 2, 3], [1, 4, 0])" in line


def test_mse_mae_accept_lists_and_numpy_scalars(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(R.check_mse_mae, capsys, lambda y, h: np.mean((h - y) ** 2),
           lambda y, h: list(mse_grad(y, h)), lambda y, h: np.mean(np.abs(h - y)), mae_grad)


# --------------------------------------------------------------------------------------
# check_huber
# --------------------------------------------------------------------------------------


def test_huber_precomputed_cases_match_lossviz() -> None:
    y, y_hat, d = R._HUBER_Y, R._HUBER_Y_HAT, R._HUBER_DELTA
    assert R._HUBER_LOSS == pytest.approx(losses.huber(y, y_hat, delta=d), rel=1e-15)
    assert R._HUBER_DEFAULT == pytest.approx(
        losses.huber(np.zeros(3), R._HUBER_DEFAULT_Y_HAT), rel=1e-15)
    np.testing.assert_allclose(R._HUBER_GRAD, losses.huber_grad(y, y_hat, delta=d), rtol=1e-15)


def _huber_variant(y, y_hat, delta=1.0, *, inside=lambda r, d: 0.5 * r**2,  # type: ignore[no-untyped-def]
                   outside=lambda a, d: d * (a - 0.5 * d), reduce=np.mean, cut=None):
    r = y_hat - y
    a = np.abs(r)
    cut = delta if cut is None else cut
    return float(reduce(np.where(a <= cut, inside(r, delta), outside(a, delta))))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, h, d=1.0: huber(y, h, d) / d, "SmoothL1Loss"),
        (lambda y, h, d=1.0: 2 * huber(y, h, d), "twice too large"),
        (lambda y, h, d=1.0: _huber_variant(y, h, d, inside=lambda r, d: r**2),
         "the quadratic part is ½r², not r²"),
        (lambda y, h, d=1.0: _huber_variant(y, h, d, outside=lambda a, d: d * a), "−½δ² is missing"),
        (lambda y, h, d=1.0: _huber_variant(y, h, d, outside=lambda a, d: d * (a - d)),
         "not δ(|r| − δ)"),
        (lambda y, h, d=1.0: _huber_variant(y, h, d, reduce=np.sum), "sum instead of averaging"),
        (lambda y, h, d=1.0: float(np.mean(0.5 * (h - y) ** 2)), "linear branch is never used"),
        (lambda y, h, d=1.0: _huber_variant(y, h, d, inside=lambda r, d: d * (np.abs(r) - 0.5 * d),
                                            outside=lambda a, d: 0.5 * a**2), "branches are swapped"),
        (lambda y, h, d=1.0: huber(y, h), "δ = 1: use the `delta` argument"),
        (lambda y, h, d=1.0: mse(y, h), "mean squared error"),
        (lambda y, h: huber(y, h), "takes 2 positional arguments"),
        (lambda y, h, d=1.0: (huber(y, h, d), huber_grad(y, h, d)), "a tuple of 2 values"),
    ],
    ids=["smooth-l1", "double", "no-half", "no-offset", "wrong-offset", "sum", "always-quadratic",
         "swapped", "delta-ignored", "mse", "no-delta-arg", "tuple"],
)
def test_huber_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_huber, capsys, wrong, huber_grad)


def test_huber_without_a_default_delta_gets_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_huber, capsys, lambda y, h, delta: huber(y, h, delta), huber_grad)
    assert "missing 1 required positional argument" in line
    assert "give delta its default: def huber(y, y_hat, delta=1.0)" in line


def test_huber_that_jumps_at_delta_fails_continuity(capsys) -> None:  # type: ignore[no-untyped-def]
    # right on the fixed cases, but the linear branch starts a hair beyond δ with a step
    def jumpy(y, h, delta=1.0):  # type: ignore[no-untyped-def]
        r = np.abs(h - y)
        step = np.where((r > delta) & (r < delta * (1 + 1e-3)), 0.1, 0.0)
        return huber(y, h, delta) + float(np.mean(step))

    line = run(R.check_huber, capsys, jumpy, huber_grad)
    assert "the loss jumps at r = 0.5" in line and "branches must meet" in line


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda y, h, d=1.0: (h - y) / y.size, "clip the residual"),
        (lambda y, h, d=1.0: np.clip(h - y, -d, d), "divide by the number of examples"),
        (lambda y, h, d=1.0: np.clip(y - h, -d, d) / y.size, "sign is flipped"),
        (lambda y, h, d=1.0: np.clip(h - y, -d, d) / d / y.size, "SmoothL1Loss"),
        (lambda y, h, d=1.0: np.where(np.abs(h - y) <= d, 2 * (h - y), d * np.sign(h - y)) / y.size,
         "derivative of ½r² is r, not 2r"),
        (lambda y, h, d=1.0: np.where(np.abs(h - y) <= d, h - y, d) / y.size,
         "a negative residual pulls the other way"),
        (lambda y, h, d=1.0: np.clip(h - y, -1, 1) / y.size, "gradient for δ = 1"),
        (lambda y, h, d=1.0: float(np.mean(np.clip(h - y, -d, d))), "returned one number"),
    ],
    ids=["no-clip", "no-n", "sign", "smooth-l1", "2r", "no-sign", "delta-ignored", "scalar"],
)
def test_huber_grad_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_huber, capsys, huber, wrong)


def test_huber_grad_only_right_for_delta_2_fails_on_other_deltas(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_huber, capsys, huber, lambda y, h, d=1.0: np.clip(h - y, -2, 2) / y.size)
    assert "default δ" in line or "δ=0.3" in line


# --------------------------------------------------------------------------------------
# check_pinball_constant
# --------------------------------------------------------------------------------------


def test_pinball_data_has_the_documented_shape_and_minimiser() -> None:
    data = R.PINBALL_DATA
    assert data.size == 15 and np.unique(data).size == 15 and not data.flags.writeable
    assert robust.best_constant(data, "pinball", quantile=R.PINBALL_TAU) == 37.7
    assert -robust.best_constant(-data, "pinball", quantile=1 - R.PINBALL_TAU) == 37.7
    assert best_pinball_constant(data, R.PINBALL_TAU) == 37.7
    assert np.quantile(data, 0.9, method="inverted_cdf") == 37.7
    # right-skewed: the mean lies above the median
    assert data.mean() > np.median(data)


def test_pinball_minimiser_agrees_with_a_fine_grid() -> None:
    data = R.PINBALL_DATA
    grid = np.round(np.arange(18.0, 43.0, 0.01), 2)
    values = [losses.pinball(data, np.full_like(data, c), quantile=0.9) for c in grid]
    assert grid[int(np.argmin(values))] == pytest.approx(37.7)


def test_pinball_mistake_values_are_what_the_mistakes_give() -> None:
    data, keys = R.PINBALL_DATA, R._PINBALL_MISTAKES
    assert float(np.median(data)) in keys
    assert round(float(np.mean(data)), 10) in keys
    assert best_pinball_constant(data, 0.1) in keys
    assert round(float(np.quantile(data, 0.1)), 10) in keys
    assert round(float(np.quantile(data, 0.9)), 10) in keys
    assert float(np.sort(data)[12]) in keys
    best = losses.pinball(data, np.full_like(data, 37.7), quantile=0.9)
    for wrong in keys:  # none of them is a minimiser
        assert losses.pinball(data, np.full_like(data, wrong), quantile=0.9) > best + 1e-3


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (float(np.median(R.PINBALL_DATA)), "that is the median"),
        (float(np.mean(R.PINBALL_DATA)), "that is the mean"),
        (best_pinball_constant(R.PINBALL_DATA, 0.1), "0.1-quantile: τ is flipped"),
        (float(np.quantile(R.PINBALL_DATA, 0.1)), "τ is flipped"),
        (float(np.quantile(R.PINBALL_DATA, 0.9)), "np.quantile's default, which interpolates"),
        (34.1, "one data point too low"),
        (30.0, "c is too low: 4 of the 15 times (26.7 %) lie above it"),
        (42.6, "c is too high: 14 of the 15 times (93.3 %) lie below it"),
        (0.9, "c is too low"),
    ],
    ids=["median", "mean", "q10", "np-q10", "np-q90-linear", "one-low", "low", "max", "tau"],
)
def test_pinball_mistakes_get_their_hint(answer, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_pinball_constant, capsys, answer)
    assert hint in line
    assert "does not minimise the mean pinball loss" in line and "at the minimum" in line


def test_pinball_message_compares_the_mean_losses(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_pinball_constant, capsys, float(np.quantile(R.PINBALL_DATA, 0.9)))
    got = losses.pinball(R.PINBALL_DATA, np.full(15, np.quantile(R.PINBALL_DATA, 0.9)),
                         quantile=0.9)
    assert f"it is {got:.4g} there, and 1.273 at the minimum" in line


@pytest.mark.parametrize("answer", [37.7, np.float64(37.7), 37.705, 37.695, np.array([37.7])])
def test_pinball_accepts_the_minimiser_within_the_tolerance(answer, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(R.check_pinball_constant, capsys, answer)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (np.median, "not a function"),
        ("37.7", "returned the text"),
        (float("inf"), "finite number"),
        (np.array([37.7, 38.0]), "expected a single number"),
    ],
    ids=["function", "text", "inf", "array"],
)
def test_pinball_wrong_types_are_explained(answer, message, capsys) -> None:  # type: ignore[no-untyped-def]
    assert message in run(R.check_pinball_constant, capsys, answer)


# --------------------------------------------------------------------------------------
# check_irls_huber
# --------------------------------------------------------------------------------------


def test_diabetes_bmi_is_the_raw_bmi_column_and_target() -> None:
    x, y = R.diabetes_bmi()
    assert x.shape == y.shape == (442,)
    assert (x.min(), x.max()) == (18.0, 42.2)
    assert (y.min(), y.max()) == (25.0, 346.0)


def _data_sets() -> list[tuple[np.ndarray, np.ndarray, float]]:
    x, y = R.diabetes_bmi()
    return [(R._SYNTH_X, R._SYNTH_Y, R._SYNTH_DELTA), (x, y, R.IRLS_DELTA)]


@pytest.mark.parametrize("start_ones", [True, False], ids=["from-least-squares", "from-zero"])
def test_a_50_iteration_irls_meets_the_tolerance_with_a_wide_margin(start_ones) -> None:  # type: ignore[no-untyped-def]
    for x, y, delta in _data_sets():
        fit = robust.fit_line(x, y, "huber", delta=delta)
        got = fit_huber_line(x, y, delta, start_ones=start_ones)
        gap = R._gap(got, (float(fit.coef[0]), fit.intercept), x)
        tol = R.IRLS_RTOL * float(np.ptp(y))
        assert gap <= 1e-6 * tol, (gap, tol)  # measured: about 1e-13 vs 3e-4 (diabetes)


def test_a_20_iteration_irls_from_zero_still_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(R.check_irls_huber, capsys,
           lambda x, y, d, n_iter=20: fit_huber_line(x, y, d, n_iter, start_ones=False))


def test_gradient_descent_on_standardised_x_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(R.check_irls_huber, capsys, fit_huber_line_gd)


def test_irls_returning_an_array_or_a_list_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(R.check_irls_huber, capsys, lambda *a: np.array(fit_huber_line(*a)))
    passes(R.check_irls_huber, capsys, lambda *a: list(fit_huber_line(*a)))


def test_the_diabetes_lines_differ_enough_to_tell_the_mistakes_apart() -> None:
    x, y = R.diabetes_bmi()

    def line(loss: str, **params: float) -> tuple[float, float]:
        fit = robust.fit_line(x, y, loss, **params)
        return float(fit.coef[0]), fit.intercept

    huber_line = line("huber", delta=R.IRLS_DELTA)
    assert huber_line == pytest.approx((11.3501, -150.193), rel=1e-4)
    tol = R.IRLS_RTOL * float(np.ptp(y))
    for other in (line("mse"), line("mae"), line("huber", delta=1.0)):
        assert R._gap(other, huber_line, x) > 1e4 * tol


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, y, d, n_iter=50: tuple(np.polyfit(x, y, 1)), "least-squares line"),
        (lambda x, y, d, n_iter=50: fit_huber_line(x, y, d)[::-1], "swapped"),
        (lambda x, y, d, n_iter=50: fit_huber_line(
            x, y, d, weight=lambda r, d: d / np.maximum(np.abs(r), 1e-12)),
         "least-absolute-deviation line"),
        (lambda x, y, d, n_iter=50: fit_huber_line(x, y, d, root=False), "weights enter squared"),
        (lambda x, y, d, n_iter=50: fit_huber_line(x, y, d, intercept=False), "intercept is 0"),
        (lambda x, y, d, n_iter=50: fit_huber_line(x, y, d, update=False),
         "recompute the weights"),
        (lambda x, y, d, n_iter=50: fit_huber_line(x, y, d, n_iter=2), "recompute the weights"),
        (lambda x, y, d, n_iter=50: fit_huber_line(x, y, 1.0), "Huber line for δ = 1"),
    ],
    ids=["least-squares", "swapped", "no-min", "w-not-sqrt", "no-intercept", "frozen-weights",
         "one-iteration", "delta-1"],
)
def test_irls_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_irls_huber, capsys, wrong)
    assert hint in line
    assert "12 points with two outliers" in line


def test_irls_message_names_expected_and_got(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_irls_huber, capsys, lambda x, y, d, n_iter=50: tuple(np.polyfit(x, y, 1)))
    assert "slope 0.569614 and intercept 1.73408, got 0.883217 and 0.242308" in line


def test_irls_mistake_only_on_the_diabetes_data_is_reported_there(capsys) -> None:  # type: ignore[no-untyped-def]
    def synthetic_only(x, y, d, n_iter=50):  # type: ignore[no-untyped-def]
        return fit_huber_line(x, y, d) if x.size == 12 else tuple(np.polyfit(x, y, 1))

    line = run(R.check_irls_huber, capsys, synthetic_only)
    assert "diabetes data" in line and "least-squares line" in line


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda x, y, d, n_iter=50: None, "forget the `return`"),
        (lambda x, y, d, n_iter=50: 1.5, "returned one number"),
        (lambda x, y, d, n_iter=50: (1.0, 2.0, 3.0), "returned 3 values"),
        (lambda x, y, d, n_iter=50: robust.fit_line(x, y, "huber", delta=d),
         "returned LinearFit, expected a tuple (slope, intercept)"),
        (lambda x, y, d, n_iter=50: (float("nan"), 1.0), "division by zero"),
        (lambda x, y, d, n_iter=50: ("a", "b"), "returned the text"),
        (lambda x, y: (1.0, 2.0), "raised TypeError"),
    ],
    ids=["none", "number", "three", "object", "nan", "text", "signature"],
)
def test_irls_wrong_types_are_explained(wrong, message, capsys) -> None:  # type: ignore[no-untyped-def]
    assert message in run(R.check_irls_huber, capsys, wrong)


def test_irls_result_instead_of_function_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_irls_huber, capsys, (1.0, 2.0))
    assert "without calling it: check_irls_huber(fit_huber_line)" in line


# --------------------------------------------------------------------------------------
# check_asymmetric_tau
# --------------------------------------------------------------------------------------


def test_asymmetric_tau_is_the_critical_ratio() -> None:
    # the day's cost 4 (y − q)⁺ + 1 (q − y)⁺ is 5 × the pinball loss with τ = 0.8
    rng = np.random.default_rng(0)
    y, q = rng.normal(100, 20, 50), rng.normal(100, 20, 50)
    cost = np.where(y > q, R.SHORTAGE_COST * (y - q), R.SURPLUS_COST * (q - y))
    np.testing.assert_allclose(cost, 5 * losses.pinball(y, q, quantile=0.8, reduction="none"))
    assert ASYMMETRIC_TAU == pytest.approx(0.8)


@pytest.mark.parametrize("answer", [0.8, 4 / 5, np.float64(0.8), 0.8000001])
def test_asymmetric_tau_accepts_0_8(answer, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(R.check_asymmetric_tau, capsys, answer)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (0.2, "τ is flipped"),
        (0.25, "ratio of the costs, 1/4"),
        (4.0, "ratio of the costs, 4/1"),
        (0.5, "treats both errors alike"),
        (80, "not a percentage"),
        (20.0, "not a percentage (and τ is flipped)"),
        (1.5, "strictly between 0 and 1"),
        (0.7, "stand 4 : 1"),
        (np.quantile, "not a function"),
    ],
    ids=["flipped", "ratio", "inverse-ratio", "median", "percent", "percent-flipped", "range",
         "other", "function"],
)
def test_asymmetric_tau_mistakes_get_their_hint(answer, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(R.check_asymmetric_tau, capsys, answer)


def test_asymmetric_tau_message_names_the_costs(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(R.check_asymmetric_tau, capsys, 0.2)
    assert "shortage cost of €4 and a surplus cost of €1 per loaf should be 0.8, got 0.2" in line


# --------------------------------------------------------------------------------------
# The module never contains the solutions
# --------------------------------------------------------------------------------------


def test_the_check_module_contains_no_solution_code() -> None:
    import inspect

    source = inspect.getsource(R)
    for solution_line in ("np.mean((y_hat - y) ** 2)", "np.sign(y_hat - y) / ",
                          "np.clip(y_hat - y", "method=\"inverted_cdf\")",
                          "np.linalg.lstsq"):
        assert solution_line not in source, solution_line
