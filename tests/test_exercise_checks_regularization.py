"""The chapter-04 checks: a correct answer passes, each common mistake gets its own hint.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from check_support import passes, run, stub
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LassoCV, Ridge
from sklearn.model_selection import KFold

from lossviz import regularization as reg
from lossviz.exercises import NOT_IMPLEMENTED
from lossviz.exercises import regularization as RG

# --------------------------------------------------------------------------------------
# Reference solutions (tests only)
# --------------------------------------------------------------------------------------


def l2_loss_and_grad(w, X, y, lam):  # type: ignore[no-untyped-def]
    r = X @ w - y
    return float(np.mean(r**2) + lam * np.sum(w**2)), 2 * X.T @ r / y.size + 2 * lam * w


def soft_threshold(v, t):  # type: ignore[no-untyped-def]
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def cv_scores(make: Callable[[float], Any], X: np.ndarray, y: np.ndarray,
              folds: KFold | None = None) -> np.ndarray:
    """Mean validation MSE over the folds for every λ in CV_LAMBDAS, as a learner would."""
    folds = folds or KFold(RG.CV_FOLDS, shuffle=True, random_state=RG.CV_SEED)
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for lam in RG.CV_LAMBDAS:
            errors = [np.mean((y[val] - make(lam).fit(X[train], y[train]).predict(X[val])) ** 2)
                      for train, val in folds.split(X)]
            scores.append(np.mean(errors))
    return np.array(scores)


@pytest.fixture(scope="module")
def quadratic() -> tuple[np.ndarray, np.ndarray]:
    X, y, _ = RG.diabetes_quadratic()
    return X, y


@pytest.fixture(scope="module")
def cv_answer(quadratic) -> float:  # type: ignore[no-untyped-def]
    X, y = quadratic
    return float(RG.CV_LAMBDAS[np.argmin(cv_scores(lambda lam: Lasso(alpha=lam), X, y))])


def survivors(X: np.ndarray, y: np.ndarray, lam: float = RG.COUNT_LAMBDA) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return int(np.count_nonzero(Lasso(alpha=lam, max_iter=100_000).fit(X, y).coef_))


# --------------------------------------------------------------------------------------
# Every check: stub, placeholder, solution
# --------------------------------------------------------------------------------------

FUNCTION_CHECKS: list[tuple[Callable[..., None], Any]] = [
    (RG.check_l2_loss_and_grad, l2_loss_and_grad),
    (RG.check_soft_threshold, soft_threshold),
]
VALUE_CHECKS = [RG.check_cv_lambda, RG.check_lasso_survivors]


def _ids(item: Any) -> str:
    return item.__name__ if callable(item) else ""


@pytest.mark.parametrize(("check", "solution"), FUNCTION_CHECKS, ids=_ids)
def test_the_reference_solution_passes(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(check, capsys, solution)


def test_the_cross_validated_lambda_computed_with_sklearn_passes(cv_answer, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cv_answer == pytest.approx(10**0.4)
    passes(RG.check_cv_lambda, capsys, cv_answer)


def test_the_survivor_count_computed_with_sklearn_passes(capsys) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = RG.diabetes_standardized()
    passes(RG.check_lasso_survivors, capsys, survivors(X, y))


@pytest.mark.parametrize(("check", "solution"), FUNCTION_CHECKS, ids=_ids)
def test_a_stub_is_reported_as_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(check, capsys, stub) == "✗ " + NOT_IMPLEMENTED


@pytest.mark.parametrize("check", [c for c, _ in FUNCTION_CHECKS] + VALUE_CHECKS, ids=_ids)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_a_placeholder_is_not_implemented_yet(check, placeholder, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(check, capsys, placeholder) == "✗ " + NOT_IMPLEMENTED


def test_learner_prints_and_warnings_do_not_leak(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(v, t):  # type: ignore[no-untyped-def]
        print("debugging", v)
        np.log(np.array([-1.0]))  # a RuntimeWarning
        return soft_threshold(v, t)

    passes(RG.check_soft_threshold, capsys, chatty)


# --------------------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------------------


def test_diabetes_standardized_is_the_raw_data_with_unit_variance_columns() -> None:
    X, y, names = RG.diabetes_standardized()
    raw = load_diabetes(scaled=False)
    assert X.shape == (442, 10) and names == list(raw.feature_names)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(y, raw.target)
    X[0, 0] = 99.0  # copies: the cache is not touched
    assert RG.diabetes_standardized()[0][0, 0] != 99.0


def test_diabetes_quadratic_is_efron_et_als_64_features() -> None:
    X, y, names = RG.diabetes_quadratic()
    np.testing.assert_array_equal(y, RG.diabetes_standardized()[1])
    assert X.shape == (442, 64) and len(names) == 64 == len(set(names))
    assert "sex^2" not in names and {"bmi", "bmi^2", "bmi*bp", "age*sex"} <= set(names)
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-12)
    Xs, _, plain = RG.diabetes_standardized()
    product = Xs[:, plain.index("bmi")] * Xs[:, plain.index("bp")]
    np.testing.assert_allclose(X[:, names.index("bmi*bp")], (product - product.mean())
                               / product.std(), atol=1e-12)
    assert np.linalg.matrix_rank(X) == 64


# --------------------------------------------------------------------------------------
# check_l2_loss_and_grad
# --------------------------------------------------------------------------------------


def test_l2_precomputed_case_matches_lossviz() -> None:
    value, grad = l2_loss_and_grad(RG._L2_W, RG._L2_X, RG._L2_Y, RG._L2_LAM)
    assert value == pytest.approx(RG._L2_LOSS, rel=1e-15)
    np.testing.assert_allclose(grad, RG._L2_GRAD, rtol=1e-14)
    ref_value, ref_grad = RG._reference(RG._L2_W, RG._L2_X, RG._L2_Y, RG._L2_LAM)
    assert ref_value == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(ref_grad, grad, rtol=1e-14)


def test_l2_objective_has_ridges_minimiser_with_alpha_n_lambda() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    lam = 0.3
    w = Ridge(alpha=40 * lam, fit_intercept=False).fit(X, y).coef_
    np.testing.assert_allclose(l2_loss_and_grad(w, X, y, lam)[1], 0.0, atol=1e-12)


def _variant(*, data_scale=2.0, pen=lambda w, lam: lam * np.sum(w**2),  # type: ignore[no-untyped-def]
             pen_grad=lambda w, lam: 2 * lam * w, mean=True, data_loss_scale=1.0, sign=1.0):
    def fn(w, X, y, lam):  # type: ignore[no-untyped-def]
        r = X @ w - y
        n = y.size if mean else 1
        value = data_loss_scale * np.sum(r**2) / n + pen(w, lam)
        return float(value), sign * (data_scale * X.T @ r / n) + pen_grad(w, lam)
    return fn


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_variant(pen=lambda w, lam: 0.5 * lam * np.sum(w**2), pen_grad=lambda w, lam: lam * w),
         "not ½λ‖w‖²"),
        (_variant(mean=False), "sum the squared residuals instead of averaging"),
        (_variant(data_scale=1.0, data_loss_scale=0.5), "without a factor ½"),
        (_variant(data_scale=1.0, data_loss_scale=0.5,
                  pen=lambda w, lam: 0.5 * lam * np.sum(w**2), pen_grad=lambda w, lam: lam * w),
         "the chapter's objective J"),
        (_variant(pen=lambda w, lam: 0.0, pen_grad=lambda w, lam: 0 * w), "penalty is missing"),
        (_variant(pen=lambda w, lam: lam * np.linalg.norm(w)), "the *squared* norm"),
        (_variant(pen=lambda w, lam: lam * np.sum(np.abs(w))), "an L1 penalty"),
        (_variant(pen=lambda w, lam: lam**2 * np.sum(w**2)), "not λ²·Σw²"),
        (_variant(pen_grad=lambda w, lam: 0 * w), "the gradient of the penalty is missing"),
        (_variant(pen_grad=lambda w, lam: lam * w), "is 2λw, not λw"),
        (_variant(pen_grad=lambda w, lam: lam * np.sign(w)), "gradient of an L1 penalty"),
        (_variant(data_scale=1.0), "a factor 2 is missing in the data term"),
        (_variant(sign=-1.0), "the data term's sign is flipped"),
        (lambda w, X, y, lam: tuple(-g if i else g for i, g in
                                    enumerate(l2_loss_and_grad(w, X, y, lam)))
         , "this is −∇J"),
    ],
    ids=["half-penalty", "sum", "half-mse", "chapter-J", "no-penalty", "norm", "l1", "lam-squared",
         "no-penalty-grad", "lam-w", "l1-grad", "no-2", "data-sign", "descent-direction"],
)
def test_l2_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(RG.check_l2_loss_and_grad, capsys, wrong)


def test_l2_sum_of_everything_gets_the_sum_hint(capsys) -> None:  # type: ignore[no-untyped-def]
    def summed(w, X, y, lam):  # type: ignore[no-untyped-def]
        r = X @ w - y
        return float(r @ r + y.size * lam * w @ w), 2 * X.T @ r + 2 * y.size * lam * w

    assert "did you sum instead of averaging" in run(RG.check_l2_loss_and_grad, capsys, summed)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda w, X, y, lam: l2_loss_and_grad(w, X, y, lam)[0], "return both: return loss, grad"),
        (lambda w, X, y, lam: l2_loss_and_grad(w, X, y, lam)[::-1], "the order is swapped"),
        (lambda w, X, y, lam: (l2_loss_and_grad(w, X, y, lam)[0], 2 * (X @ w - y) / y.size),
         "gradient with respect to the predictions"),
        (lambda w, X, y, lam: (*l2_loss_and_grad(w, X, y, lam), 0.0), "tuple of 3 values"),
        (lambda w, X, y, lam: None, "forget the `return`"),
        (lambda w, X, y, lam: (l2_loss_and_grad(w, X, y, lam)[0],
                               l2_loss_and_grad(w, X, y, lam)[1][:, None]), "a 1-D array like w"),
        (lambda w, X, y: l2_loss_and_grad(w, X, y, 0.1), "raised TypeError"),
    ],
    ids=["loss-only", "swapped", "per-example", "three", "none", "column", "no-lam"],
)
def test_l2_wrong_shapes_and_types_are_explained(wrong, message, capsys) -> None:  # type: ignore[no-untyped-def]
    assert message in run(RG.check_l2_loss_and_grad, capsys, wrong)


def test_l2_passing_a_result_instead_of_the_function_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(RG.check_l2_loss_and_grad, capsys, (2.625, [0.0, 0.0]))
    assert "without calling it: check_l2_loss_and_grad(l2_loss_and_grad)" in line


def test_l2_ignoring_lambda_fails_at_lambda_zero(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(RG.check_l2_loss_and_grad, capsys,
               lambda w, X, y, lam: l2_loss_and_grad(w, X, y, 0.1))
    assert "J with λ = 0" in line and "use the lam argument" in line


def test_l2_answer_that_only_fits_the_fixed_case_fails_on_random_data(capsys) -> None:  # type: ignore[no-untyped-def]
    def fixed_only(w, X, y, lam):  # type: ignore[no-untyped-def]
        if X.shape == (3, 2):
            return l2_loss_and_grad(w, X, y, lam)
        return l2_loss_and_grad(w, X, y, lam)[0], 2 * X.T @ (X @ w - y) / y.size

    assert "on random data with n=5, p=3" in run(RG.check_l2_loss_and_grad, capsys, fixed_only)


def test_l2_gradient_inconsistent_with_the_own_loss_fails_finite_differences(capsys) -> None:  # type: ignore[no-untyped-def]
    def odd(w, X, y, lam):  # type: ignore[no-untyped-def]
        value, grad = l2_loss_and_grad(w, X, y, lam)
        return value, grad * (1.5 if X.shape == (12, 4) else 1.0)

    assert "finite differences of your J" in run(RG.check_l2_loss_and_grad, capsys, odd)


def test_l2_accepts_lists_and_numpy_scalars(capsys) -> None:  # type: ignore[no-untyped-def]
    def loose(w, X, y, lam):  # type: ignore[no-untyped-def]
        value, grad = l2_loss_and_grad(w, X, y, lam)
        return np.float64(value), list(grad)

    passes(RG.check_l2_loss_and_grad, capsys, loose)


# --------------------------------------------------------------------------------------
# check_soft_threshold
# --------------------------------------------------------------------------------------


def test_soft_threshold_precomputed_case_matches_lossviz() -> None:
    np.testing.assert_array_equal(reg.soft_threshold(RG._ST_V, 1.0), RG._ST_EXPECTED)
    np.testing.assert_array_equal(soft_threshold(RG._ST_V, 1.0), RG._ST_EXPECTED)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda v, t: np.where(np.abs(v) > t, v, 0.0), "*hard* thresholding (keep v"),
        (lambda v, t: np.where(np.abs(v) >= t, v, 0.0), "|v| = t becomes exactly 0"),
        (lambda v, t: v - t, "v − t moves every entry down"),
        (lambda v, t: np.maximum(v - t, 0.0), "handles only positive entries"),
        (lambda v, t: np.sign(v) * (np.abs(v) - t), "must become 0, not flip sign"),
        (lambda v, t: np.maximum(np.abs(v) - t, 0.0), "the sign is lost"),
        (lambda v, t: -soft_threshold(v, t), "the sign is flipped"),
        (lambda v, t: np.clip(v, -t, t), "np.clip(v, −t, t)"),
        (lambda v, t: v / (1 + t), "ridge's shrinkage"),
        (lambda v, t: soft_threshold(v, t / 2), "not t/2"),
        (lambda v, t: soft_threshold(v, 1.0), "use the t argument"),
        (lambda v, t: np.array([max(x - t, 0.0) if x > 0 else min(x + t, 0.0) for x in v])
         if v.size == 7 else soft_threshold(v, t) * 0.5, "random v of length 1"),
        (lambda v, t: v if t == 0 else soft_threshold(v[:-1], t), "returned shape (6,)"),
        (lambda v, t: np.sign(v) * max(np.abs(v) - t, 0.0), "element-wise functions"),
        (lambda v, t: soft_threshold(v, t) if t > 0 else np.zeros_like(v), "t=0 should return v"),
        (lambda v, t: np.sign(v) * np.maximum(np.abs(v) - t, 0) * (v / v), "returned nan"),
    ],
    ids=["hard", "hard-ge", "minus-t", "one-sided", "no-max", "no-sign", "flipped", "clip",
         "ridge", "half-t", "t-ignored", "fixed-only", "shape", "python-max", "t-zero", "nan"],
)
def test_soft_threshold_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(RG.check_soft_threshold, capsys, wrong)


def test_soft_threshold_accepts_negative_zero_and_lists(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(RG.check_soft_threshold, capsys,
           lambda v, t: list(np.sign(v) * np.maximum(np.abs(v) - t, 0.0) * 1.0))
    passes(RG.check_soft_threshold, capsys,
           lambda v, t: np.where(v > t, v - t, np.where(v < -t, v + t, -0.0)))


# --------------------------------------------------------------------------------------
# check_cv_lambda
# --------------------------------------------------------------------------------------


def test_cv_precomputed_values_are_lossvizs_and_lasso_cvs(quadratic) -> None:  # type: ignore[no-untyped-def]
    X, y = quadratic
    cv = reg.kfold_cv(X, y, RG.CV_LAMBDAS, RG.CV_FOLDS, penalty="lasso", seed=RG.CV_SEED)
    assert cv.best_index == RG._CV_BEST_INDEX and cv.best_lambda == RG._CV_BEST
    assert cv.mean_mse[cv.best_index] == pytest.approx(RG._CV_BEST_MSE, rel=1e-10)
    assert cv.lambda_1se == pytest.approx(5.011872336272722)
    ref = LassoCV(alphas=RG.CV_LAMBDAS, cv=KFold(5, shuffle=True, random_state=0),
                  tol=1e-12, max_iter=1_000_000).fit(X, y)
    assert ref.alpha_ == pytest.approx(RG._CV_BEST)
    # the neighbours accepted by the check are within 0.4 % of the best mean MSE
    near = cv.mean_mse[RG._CV_BEST_INDEX - 1: RG._CV_BEST_INDEX + 2]
    assert np.all(near <= 1.004 * RG._CV_BEST_MSE)
    assert cv.mean_mse[0] == pytest.approx(3371.14, abs=0.01)


def test_cv_mistake_values_are_what_the_mistakes_give(quadratic) -> None:  # type: ignore[no-untyped-def]
    X, y = quadratic
    lams, keys = RG.CV_LAMBDAS, RG._CV_MISTAKES
    cv = reg.kfold_cv(X, y, lams, 5, penalty="lasso", seed=0)
    assert lams[np.argmin(cv.train_mse)] in keys                      # by training error
    assert lams[np.argmax(cv.mean_mse)] in keys and lams[-1] in keys  # the worst λ
    X10, _, _ = RG.diabetes_standardized()
    assert reg.kfold_cv(X10, y, lams, 5, penalty="lasso", seed=0).best_lambda in keys
    ridge_alpha = lams[np.argmin(cv_scores(lambda lam: Ridge(alpha=lam), X, y))]
    ridge_mapped = lams[np.argmin(cv_scores(lambda lam: Ridge(alpha=353.6 * lam), X, y))]
    assert ridge_alpha in keys and ridge_mapped in keys
    for wrong in keys:  # none of them is accepted
        assert not RG._CV_LOW <= wrong <= RG._CV_HIGH


@pytest.mark.parametrize("answer", [10**0.4, 2.5119, np.float64(10**0.3), 10**0.5,
                                    2.2476253357778933, np.array([2.512])])
def test_cv_accepts_the_minimiser_and_its_neighbourhood(answer, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(RG.check_cv_lambda, capsys, answer)


def test_cv_other_reasonable_fold_choices_land_inside_the_accepted_range(quadratic) -> None:  # type: ignore[no-untyped-def]
    X, y = quadratic
    for folds in (KFold(5), KFold(10, shuffle=True, random_state=0),
                  KFold(5, shuffle=True, random_state=42)):
        lam = RG.CV_LAMBDAS[np.argmin(cv_scores(lambda a: Lasso(alpha=a), X, y, folds))]
        assert RG._CV_LOW <= lam <= RG._CV_HIGH


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (0.01, "what the *training* error picks"),
        (100.0, "validation MSE is *largest*"),
        (50.11872336272722, "validation MSE is *largest*"),
        (5.011872336272722, "one-standard-error choice"),
        (0.7943282347242815, "the 10 plain features"),
        (63.09573444801933, "Ridge(alpha=λ) instead of Lasso"),
        (0.19952623149688797, "looks like ridge regression"),
        (2959.77, "the lowest mean validation MSE itself"),
        (24, "the index of the best λ"),
        (0.4, "that is log₁₀ λ"),
        (10.0, "its mean validation MSE is 3273.7, the best λ's is 2959.8"),
        (0.0, "a positive number from CV_LAMBDAS"),
        (-2.5, "a positive number from CV_LAMBDAS"),
        (float("inf"), "a positive number from CV_LAMBDAS"),
    ],
    ids=["train", "largest", "argmax", "one-se", "ten-features", "ridge", "ridge-mapped", "mse", "index",
         "log", "other", "zero", "negative", "inf"],
)
def test_cv_mistakes_get_their_hint(answer, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(RG.check_cv_lambda, capsys, answer)
    assert hint in line


@pytest.mark.parametrize(
    ("answer", "message"),
    [(np.argmin, "not a function"), ("2.5", "returned the text"),
     (np.array([1.0, 2.0]), "expected a single number")],
    ids=["function", "text", "array"],
)
def test_cv_wrong_types_are_explained(answer, message, capsys) -> None:  # type: ignore[no-untyped-def]
    assert message in run(RG.check_cv_lambda, capsys, answer)


# --------------------------------------------------------------------------------------
# check_lasso_survivors
# --------------------------------------------------------------------------------------


def test_survivor_count_and_mistake_values_are_what_the_fits_give() -> None:
    X, y, names = RG.diabetes_standardized()
    fit = reg.lasso_cd(X, y, RG.COUNT_LAMBDA)
    assert fit.n_nonzero == RG._SURVIVORS == survivors(X, y)
    assert [names[j] for j in np.flatnonzero(fit.coef)] == ["bmi", "bp", "s5"]
    knots, _ = reg.lasso_knots(X, y)
    assert knots[3] < RG.COUNT_LAMBDA < knots[2]  # between the 4th and 3rd joining
    keys = RG._SURVIVOR_MISTAKES
    raw = load_diabetes(scaled=False).data
    assert X.shape[1] - RG._SURVIVORS in keys                         # zeros counted
    assert RG._SURVIVORS + 1 in keys                                  # intercept counted
    assert survivors(X, y, RG.COUNT_LAMBDA / 2) in keys
    assert survivors(raw, y) in keys                                  # unstandardised
    assert survivors(load_diabetes().data, y) in keys                 # unit-norm columns
    assert survivors(X, y, y.size * RG.COUNT_LAMBDA) in keys          # alpha = n λ
    assert survivors(X, y, RG.COUNT_LAMBDA / y.size) in keys          # alpha = λ / n
    assert survivors(X, y, 2 * RG.COUNT_LAMBDA) in keys
    assert RG._SURVIVORS not in keys


@pytest.mark.parametrize("answer", [3, 3.0, np.int64(3), np.float64(3.0)])
def test_survivors_accept_three(answer, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(RG.check_lasso_survivors, capsys, answer)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (7, "exactly 0: count the non-zero ones"),
        (4, "not the intercept"),
        (6, "without standardising"),
        (0, "unit *norm*"),
        (10, "that is ridge"),
        (2, "the count at λ = 40"),
        (5, "fit Lasso(alpha=20)"),
        (3.5, "a whole number"),
        (11, "between 0 and 10"),
        (True, "expected a count"),
        (np.count_nonzero, "not a function"),
    ],
    ids=["zeros", "intercept", "raw", "unit-norm", "ridge", "double", "other", "fraction",
         "too-many", "bool", "function"],
)
def test_survivor_mistakes_get_their_hint(answer, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(RG.check_lasso_survivors, capsys, answer)


# --------------------------------------------------------------------------------------
# The module never contains the solutions
# --------------------------------------------------------------------------------------


def test_the_check_module_contains_no_solution_code() -> None:
    import inspect

    source = inspect.getsource(RG)
    for solution_line in ("np.mean(r**2)", "np.mean(r ** 2)", "2 * X.T @", "X.T @ r",
                          "np.maximum(np.abs(v) - t", "np.sign(v) * np.maximum",
                          ".fit(X", "count_nonzero(fit"):
        assert solution_line not in source, solution_line
