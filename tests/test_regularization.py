"""lossviz.regularization: ridge, lasso and elastic net against scikit-learn, paths, CV,
bias–variance, early stopping and conditioning; the polynomial data of chapter 04."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LassoCV,
    Ridge,
    enet_path,
    lars_path,
    lasso_path,
)
from sklearn.model_selection import KFold, cross_val_score
from sklearn.preprocessing import PolynomialFeatures

from lossviz import data
from lossviz import regularization as R
from lossviz.models import LinearRegression

# scikit-learn's coordinate descent, run to (almost) machine precision
SK = {"tol": 1e-12, "max_iter": 1_000_000}


@pytest.fixture(scope="module")
def diabetes() -> tuple[np.ndarray, np.ndarray]:
    """The 10 diabetes features in original units, standardised; the raw target."""
    bunch = load_diabetes(scaled=False)
    X = (bunch.data - bunch.data.mean(axis=0)) / bunch.data.std(axis=0)
    return X, bunch.target.astype(float)


@pytest.fixture(scope="module")
def quadratic(diabetes: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Efron et al.'s 64-feature quadratic diabetes model (sex² dropped), standardised."""
    X, y = diabetes
    poly = PolynomialFeatures(2, include_bias=False).fit(X)
    names = list(poly.get_feature_names_out())
    Q = np.delete(poly.transform(X), names.index("x1^2"), axis=1)
    return (Q - Q.mean(axis=0)) / Q.std(axis=0), y


def centred(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return X - X.mean(axis=0), y - y.mean()


def small_problem(seed: int = 0, n: int = 60, p: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) @ np.triu(np.full((p, p), 0.4)) + rng.normal(size=(n, p))
    y = X @ np.array([3.0, -2.0, 0.0, 0.5, 0.0][:p]) + 1.5 + rng.normal(size=n)
    return X, y


# -- the objective and its mappings to scikit-learn -----------------------------------------


@pytest.mark.parametrize("lam", [0.0, 0.01, 0.3, 5.0, 200.0])
def test_ridge_closed_form_is_sklearn_ridge_with_alpha_n_lambda(diabetes, lam) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    ours = R.ridge_closed_form(X, y, lam)
    ref = Ridge(alpha=y.size * lam, solver="svd").fit(X, y)
    np.testing.assert_allclose(ours.coef, ref.coef_, rtol=0, atol=1e-10)
    assert ours.intercept == pytest.approx(ref.intercept_, abs=1e-10)
    assert ours.solver == "svd" and ours.converged and ours.n_iter == 1


def test_ridge_without_intercept_matches_sklearn(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    ours = R.ridge_closed_form(X + 1.0, y, 0.5, fit_intercept=False)
    ref = Ridge(alpha=y.size * 0.5, fit_intercept=False, solver="svd").fit(X + 1.0, y)
    np.testing.assert_allclose(ours.coef, ref.coef_, rtol=0, atol=1e-10)
    assert ours.intercept == 0.0


@pytest.mark.parametrize("lam", [0.0, 0.05, 2.0])
def test_ridge_gd_reaches_the_closed_form(diabetes, lam) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    gd, exact = R.ridge_gd(X, y, lam), R.ridge_closed_form(X, y, lam)
    assert gd.converged and gd.solver == "gd"
    np.testing.assert_allclose(gd.coef, exact.coef, rtol=0, atol=1e-8)  # measured: 5e-9
    assert gd.intercept == pytest.approx(exact.intercept, abs=1e-8)
    assert gd.objective == pytest.approx(exact.objective, rel=1e-13)


def test_ridge_gd_objective_never_increases_with_step_one_over_l(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    history = R.ridge_gd(X, y, 0.1, max_iter=300).history
    assert history.size == 300 and np.all(np.diff(history) <= 1e-12 * history[0])


def test_ridge_gd_with_too_large_a_step_stops_finite_and_unconverged(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    with np.errstate(all="raise"):
        fit = R.ridge_gd(X, y, 0.0, lr=1.0, max_iter=5000)  # 1.0 > 2 / s_max = 0.497
    assert not fit.converged and fit.n_iter < 5000
    assert np.all(np.isfinite(fit.coef)) and np.isfinite(fit.objective)


def test_the_models_l2_convention_is_twice_the_objective_with_l2_equal_2_lambda(diabetes) -> None:  # type: ignore[no-untyped-def]
    # lossviz.models: mean((ŷ − y)²) + ½ l2 ‖w‖² = 2 J with l2 = 2 λ: the same minimiser
    X, y = diabetes
    lam = 0.7
    fit = R.ridge_closed_form(X, y, lam)
    model = LinearRegression(X.shape[1], l2=2 * lam)
    model.set_params({"w": fit.coef, "b": fit.intercept})
    grads = model.backward(X, 2 * (model.forward(X) - y) / y.size)
    np.testing.assert_allclose(grads["w"], 0.0, atol=1e-10)
    assert float(grads["b"]) == pytest.approx(0.0, abs=1e-10)
    value = np.mean((model.forward(X) - y) ** 2) + model.penalty()
    assert value == pytest.approx(2 * fit.objective, rel=1e-14)


@pytest.mark.parametrize("solver", ["cd", "ista", "fista"])
@pytest.mark.parametrize("lam", [0.01, 0.1, 1.0, 5.0, 20.0])
def test_lasso_solvers_are_sklearn_lasso_with_alpha_lambda(diabetes, solver, lam) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    ours = R.elastic_net(X, y, lam, 1.0, solver=solver)
    ref = Lasso(alpha=lam, **SK).fit(X, y)
    assert ours.converged and ours.solver == solver
    np.testing.assert_allclose(ours.coef, ref.coef_, rtol=0, atol=1e-8)  # measured <= 7e-9
    assert ours.intercept == pytest.approx(ref.intercept_, abs=1e-8)
    # the same exact zeros, and never a worse objective
    np.testing.assert_array_equal(ours.coef == 0, ref.coef_ == 0)
    theirs = R.penalized_objective(X, y, ref.coef_, ref.intercept_, lam, 1.0)
    assert ours.objective <= theirs + 1e-12 * theirs


@pytest.mark.parametrize("solver", ["cd", "fista"])
@pytest.mark.parametrize(("lam", "rho"), [(0.5, 0.5), (2.0, 0.2), (0.1, 0.9), (1.0, 0.0)])
def test_elastic_net_is_sklearn_elastic_net(diabetes, solver, lam, rho) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    ours = R.elastic_net(X, y, lam, rho, solver=solver)
    ref = ElasticNet(alpha=lam, l1_ratio=rho, **SK).fit(X, y)
    np.testing.assert_allclose(ours.coef, ref.coef_, rtol=0, atol=1e-8)
    assert ours.intercept == pytest.approx(ref.intercept_, abs=1e-8)


def test_elastic_net_with_l1_ratio_zero_is_ridge(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    np.testing.assert_allclose(R.elastic_net(X, y, 0.4, 0.0).coef,
                               R.ridge_closed_form(X, y, 0.4).coef, rtol=0, atol=1e-10)


def test_lasso_shortcuts_are_elastic_net_with_l1_ratio_one(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    for shortcut, solver in ((R.lasso_cd, "cd"), (R.lasso_ista, "ista"), (R.lasso_fista, "fista")):
        fit = shortcut(X, y, 2.0)
        assert fit.l1_ratio == 1.0 and fit.solver == solver
        np.testing.assert_array_equal(fit.coef, R.elastic_net(X, y, 2.0, 1.0, solver=solver).coef)


def test_lasso_solution_satisfies_the_optimality_conditions_with_exact_zeros(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    lam = 3.0
    fit = R.lasso_cd(X, y, lam)
    Xc, yc = centred(X, y)
    grad = Xc.T @ (Xc @ fit.coef - yc) / y.size
    on = fit.coef != 0
    assert 0 < on.sum() < X.shape[1]
    np.testing.assert_allclose(grad[on], -lam * np.sign(fit.coef[on]), rtol=0, atol=1e-11)
    assert np.all(np.abs(grad[~on]) <= lam)
    assert not np.any(np.signbit(fit.coef[~on])), "exact zeros are +0.0"
    assert fit.n_nonzero == int(on.sum())


def test_fista_needs_far_fewer_steps_than_ista_and_ista_never_goes_uphill(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    ista, fista = R.lasso_ista(X, y, 0.1), R.lasso_fista(X, y, 0.1)
    assert fista.n_iter * 5 < ista.n_iter
    assert np.all(np.diff(ista.history) <= 1e-12 * ista.history[0])


def test_coordinate_descent_warm_start_takes_fewer_sweeps(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    cold = R.lasso_cd(X, y, 0.9)
    warm = R.lasso_cd(X, y, 0.9, init=R.lasso_cd(X, y, 1.0).coef)
    assert warm.n_iter <= cold.n_iter
    np.testing.assert_allclose(warm.coef, cold.coef, rtol=0, atol=1e-10)


def test_penalized_objective_and_penalty_value_follow_the_documented_formula() -> None:
    X, y = small_problem()
    w, b, lam, rho = np.array([1.0, -2.0, 0.0, 0.5, 3.0]), 0.25, 0.7, 0.3
    r = y - X @ w - b
    expected = r @ r / (2 * y.size) + lam * (rho * np.abs(w).sum() + (1 - rho) / 2 * w @ w)
    assert R.penalized_objective(X, y, w, b, lam, rho) == pytest.approx(expected, rel=1e-15)
    assert R.penalty_value(w, 1.0) == pytest.approx(6.5)
    assert R.penalty_value(w, 0.0) == pytest.approx(0.5 * 14.25)


def test_predict_uses_coef_and_intercept() -> None:
    X, y = small_problem()
    fit = R.lasso_cd(X, y, 0.1)
    np.testing.assert_allclose(fit.predict(X), X @ fit.coef + fit.intercept)
    with pytest.raises(ValueError, match="5 columns"):
        fit.predict(X[:, :2])


# -- soft thresholding -------------------------------------------------------------------


def test_soft_threshold_values_and_exact_zeros() -> None:
    out = R.soft_threshold([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5], 1.0)
    np.testing.assert_array_equal(out, [-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5])
    assert not np.any(np.signbit(out[1:6])), "no -0.0"


def test_soft_threshold_is_the_proximal_map_of_the_l1_norm() -> None:
    rng = np.random.default_rng(3)
    grid = np.linspace(-6, 6, 120001)
    for v, t in zip(rng.uniform(-4, 4, 12), rng.uniform(0, 2, 12), strict=True):
        brute = grid[np.argmin(0.5 * (grid - v) ** 2 + t * np.abs(grid))]
        assert R.soft_threshold(np.array([v]), t)[0] == pytest.approx(brute, abs=2e-4)


def test_soft_threshold_with_zero_threshold_is_the_identity_and_takes_array_thresholds() -> None:
    v = np.array([[1.5, -0.2], [0.0, 3.0]])
    np.testing.assert_array_equal(R.soft_threshold(v, 0.0), v)
    np.testing.assert_array_equal(R.soft_threshold(v, np.array([[1.0, 0.1], [1.0, 5.0]])),
                                  [[0.5, -0.1], [0.0, 0.0]])


# -- lambda_max, the path, the knots ------------------------------------------------------


def test_lambda_max_is_where_the_last_coefficient_leaves(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    top = R.lambda_max(X, y)
    assert R.lasso_cd(X, y, top).n_nonzero == 0
    assert R.lasso_cd(X, y, 0.999 * top).n_nonzero == 1
    assert R.lambda_max(X, y, 0.5) == pytest.approx(2 * top)
    assert R.lambda_max(X, y, 0.0) == np.inf


def test_lambda_grid_is_sklearns_default_grid(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    alphas, _, _ = lasso_path(*centred(X, y), alphas=100, eps=1e-3)
    np.testing.assert_allclose(R.lambda_grid(X, y, 100), alphas, rtol=1e-13)


def test_lasso_path_matches_sklearns_lasso_path_on_centred_data(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    lams = R.lambda_grid(X, y, 60)
    path = R.regularization_path(X, y, lams, penalty="lasso")
    _, coefs, _ = lasso_path(*centred(X, y), alphas=lams, **SK)
    np.testing.assert_allclose(path.coefs, coefs.T, rtol=0, atol=1e-8)  # measured 2e-9
    np.testing.assert_array_equal(path.n_nonzero, np.count_nonzero(coefs.T, axis=1))
    assert path.converged.all()
    np.testing.assert_allclose(path.intercepts, y.mean() - path.coefs @ X.mean(axis=0))


def test_exact_lasso_path_equals_coordinate_descent_on_64_quadratic_features(quadratic) -> None:  # type: ignore[no-untyped-def]
    X, y = quadratic
    lams = 10.0 ** np.linspace(1.5, -1, 12)
    exact = R.regularization_path(X, y, lams)
    cd = R.regularization_path(X, y, lams, solver="cd")
    np.testing.assert_allclose(exact.coefs, cd.coefs, rtol=0, atol=1e-7)
    np.testing.assert_array_equal(exact.n_nonzero, cd.n_nonzero)
    np.testing.assert_allclose(exact.objectives, cd.objectives, rtol=1e-13)


def test_lasso_knots_are_sklearns_lars_path(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    knots, coefs = R.lasso_knots(X, y)
    alphas, _, ref = lars_path(*centred(X, y), method="lasso")
    np.testing.assert_allclose(knots, alphas, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(coefs, ref.T, rtol=0, atol=1e-9)
    # between knots the path is linear: the midpoint solution is the mean of the two knots
    mid = 0.5 * (knots[3] + knots[4])
    np.testing.assert_allclose(R.lasso_cd(X, y, mid).coef, 0.5 * (coefs[3] + coefs[4]),
                               rtol=0, atol=1e-10)


def test_elastic_net_path_matches_sklearns_enet_path(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    lams = R.lambda_grid(X, y, 30, l1_ratio=0.5)
    path = R.regularization_path(X, y, lams, penalty="elastic_net", l1_ratio=0.5)
    _, coefs, _ = enet_path(*centred(X, y), l1_ratio=0.5, alphas=lams, **SK)
    np.testing.assert_allclose(path.coefs, coefs.T, rtol=0, atol=1e-8)
    assert path.penalty == "elastic_net" and path.l1_ratio == 0.5


def test_ridge_path_is_ridge_at_every_lambda_and_never_exactly_zero(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    lams = np.array([100.0, 0.0, 3.0, 0.1])  # any order: results follow it
    path = R.regularization_path(X, y, lams, penalty="ridge")
    for lam, coef in zip(lams, path.coefs, strict=True):
        np.testing.assert_allclose(coef, R.ridge_closed_form(X, y, lam).coef, rtol=0, atol=1e-12)
    assert np.all(path.n_nonzero == X.shape[1])


def test_lasso_path_keeps_the_order_of_the_grid(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    lams = np.array([0.5, 30.0, 5.0])
    path = R.regularization_path(X, y, lams)
    for lam, coef in zip(lams, path.coefs, strict=True):
        np.testing.assert_allclose(coef, R.lasso_cd(X, y, lam).coef, rtol=0, atol=1e-10)
    assert path.n_nonzero.tolist() == [8, 2, 5]


def test_lasso_path_counts_nonzeros_from_zero_to_all(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    path = R.regularization_path(X, y, R.lambda_grid(X, y, 100, eps=1e-4))
    assert path.n_nonzero[0] == 0 and path.n_nonzero[-1] == X.shape[1]
    # mostly growing as λ falls, but a coefficient can return to zero (diabetes: one does)
    assert np.any(np.diff(path.n_nonzero) < 0)


# -- cross-validation ------------------------------------------------------------------------


def test_kfold_cv_lasso_matches_lasso_cv(quadratic) -> None:  # type: ignore[no-untyped-def]
    X, y = quadratic
    lams = 10.0 ** (np.arange(-10, 21, 2) / 10)
    ours = R.kfold_cv(X, y, lams, 5, penalty="lasso", seed=0)
    ref = LassoCV(alphas=lams, cv=KFold(5, shuffle=True, random_state=0), **SK).fit(X, y)
    np.testing.assert_allclose(ours.mean_mse, ref.mse_path_.mean(axis=1)[::-1], rtol=1e-8)
    assert ours.best_lambda == pytest.approx(ref.alpha_)
    assert ours.best_lambda == pytest.approx(10**0.4)  # a clear minimum inside the grid
    assert ours.mean_mse[ours.best_index] == pytest.approx(2959.77, abs=0.01)


def test_kfold_cv_ridge_matches_cross_val_score_with_alpha_n_train_lambda(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    lams = np.array([0.01, 0.3, 3.0, 30.0])
    folds = KFold(5, shuffle=True, random_state=7)
    ours = R.kfold_cv(X, y, lams, 5, penalty="ridge", seed=7)
    for lam, mean in zip(lams, ours.mean_mse, strict=True):
        per_fold = [
            -cross_val_score(Ridge(alpha=train.size * lam), X, y, cv=[(train, val)],
                             scoring="neg_mean_squared_error")[0]
            for train, val in folds.split(X)
        ]
        assert mean == pytest.approx(np.mean(per_fold), rel=1e-10)


def test_kfold_cv_reports_folds_spread_training_error_and_the_one_se_rule(quadratic) -> None:  # type: ignore[no-untyped-def]
    X, y = quadratic
    lams = 10.0 ** (np.arange(-20, 21, 4) / 10)
    cv = R.kfold_cv(X, y, lams, 5, penalty="lasso", seed=0)
    assert cv.fold_mse.shape == (lams.size, 5)
    np.testing.assert_allclose(cv.mean_mse, cv.fold_mse.mean(axis=1))
    np.testing.assert_allclose(cv.std_mse, cv.fold_mse.std(axis=1))
    assert np.all(np.diff(cv.train_mse) >= 0), "training error only rises with λ"
    assert lams[np.argmin(cv.train_mse)] == lams.min() != cv.best_lambda
    assert cv.lambda_1se >= cv.best_lambda
    expected_folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    for (a, b), (c, d) in zip(cv.folds, expected_folds, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_kfold_cv_breaks_ties_toward_the_largest_lambda(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    top = R.lambda_max(X, y)
    cv = R.kfold_cv(X, y, [top * 2, top * 3], 5, penalty="lasso")  # all-zero fits: a tie
    assert cv.mean_mse[0] == cv.mean_mse[1] and cv.best_lambda == top * 3


# -- bias and variance -------------------------------------------------------------------


def _polynomial_case(resample: str, n_refits: int = 150) -> R.BiasVariance:
    x, y = data.polynomial_data(25, noise=0.3, seed=2)

    def fresh(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return data.polynomial_data(25, noise=0.3, seed=int(rng.integers(2**31)))

    return R.bootstrap_bias_variance(
        x, y, 10.0 ** np.arange(-6.0, 1.5, 1.0), degree=12, true_fn=data.polynomial_truth,
        noise_std=0.3, n_refits=n_refits, sampler=fresh if resample == "fresh" else None,
    )


@pytest.mark.parametrize("resample", ["bootstrap", "fresh"])
def test_bias2_plus_variance_plus_noise_is_the_monte_carlo_test_error(resample) -> None:  # type: ignore[no-untyped-def]
    bv = _polynomial_case(resample)
    np.testing.assert_allclose(bv.expected_error, bv.bias2 + bv.variance + bv.noise)
    z = (bv.test_error - bv.expected_error) / bv.test_error_se
    assert np.all(np.abs(z) < 4), z


@pytest.mark.parametrize("resample", ["bootstrap", "fresh"])
def test_regularization_trades_variance_for_bias(resample) -> None:  # type: ignore[no-untyped-def]
    bv = _polynomial_case(resample)
    assert bv.variance[0] > 10 * bv.variance[-1]
    assert bv.bias2[-1] > bv.bias2[np.argmin(bv.expected_error)]
    best = int(np.argmin(bv.expected_error))
    assert 0 < best < bv.lambdas.size - 1, "the best λ lies strictly inside the grid"


def test_bias_variance_is_deterministic_and_shaped() -> None:
    a, b = _polynomial_case("bootstrap", 20), _polynomial_case("bootstrap", 20)
    np.testing.assert_array_equal(a.predictions, b.predictions)
    assert a.predictions.shape == (8, 20, 101) and a.mean_prediction.shape == (8, 101)
    np.testing.assert_allclose(a.f_test, np.sin(np.pi * a.x_test))
    assert a.noise == pytest.approx(0.09)


# -- early stopping and conditioning ------------------------------------------------------


def test_gradient_descent_iterates_are_the_spectral_filter(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    es = R.early_stopping_vs_ridge(X, y, n_steps=400)
    Xc = X - X.mean(axis=0)
    s, V = np.linalg.eigh(Xc.T @ Xc / y.size)
    projected = V.T @ es.least_squares_coef
    for t in (1, 7, 60, 400):
        np.testing.assert_allclose(es.gd_coefs[t], V @ (es.gd_filter[t] * projected),
                                   rtol=0, atol=1e-9)
        np.testing.assert_allclose(es.ridge_coefs[t], V @ (es.ridge_filter[t] * projected),
                                   rtol=0, atol=1e-9)
        np.testing.assert_allclose(es.ridge_coefs[t],
                                   R.ridge_closed_form(X, y, es.lambdas[t]).coef, atol=1e-10)
    np.testing.assert_allclose(es.eigenvalues, s, rtol=1e-12)
    np.testing.assert_allclose(es.least_squares_coef, R.ridge_closed_form(X, y, 0.0).coef,
                               atol=1e-9)


def test_gradient_descent_is_never_more_regularized_than_its_ridge_twin(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    es = R.early_stopping_vs_ridge(X, y, n_steps=300)
    assert np.all(es.gd_filter >= es.ridge_filter - 1e-15)
    assert es.lambdas[0] == np.inf and es.lambdas[10] == pytest.approx(1 / (10 * es.lr))


def test_early_stopping_tracks_ridge_within_the_filter_gap(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    # small steps: the gradient-flow limit, gap at most max_u 1/(1+u) − e^(−u) ≈ 0.204
    small = R.early_stopping_vs_ridge(X, y, n_steps=20000, lr=0.02 / 4.0242)
    assert small.relative_gap().max() < 0.21
    # the default step 1/s_max: the exact per-direction gap bounds the coefficient gap
    es = R.early_stopping_vs_ridge(X, y, n_steps=3000)
    bound = np.max(es.gd_filter - es.ridge_filter, axis=1)
    assert np.all(es.relative_gap() <= bound + 1e-12)
    # both reach least squares
    np.testing.assert_allclose(es.gd_coefs[-1], es.least_squares_coef, rtol=0, atol=0.5)


def test_early_stopping_refuses_a_diverging_step(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    with pytest.raises(ValueError, match="lr must lie in"):
        R.early_stopping_vs_ridge(X, y, lr=1.0)


def test_larger_lambda_improves_conditioning_and_speeds_up_gradient_descent(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    lams = np.array([0.0, 0.1, 1.0, 10.0])
    cond = R.conditioning(X, lams)
    assert cond.condition_number[0] == pytest.approx(470.078, rel=1e-4)
    assert np.all(np.diff(cond.condition_number) < 0) and np.all(np.diff(cond.gd_steps) < 0)
    steps = [R.ridge_gd(X, y, lam, tol=1e-8).n_iter for lam in lams]
    assert steps == sorted(steps, reverse=True)
    assert steps[0] > 10 * steps[-1]


def test_ridge_effective_df_is_the_trace_of_the_hat_matrix(diabetes) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes
    Xc = X - X.mean(axis=0)
    for lam in (0.0, 0.5, 20.0):
        hat = Xc @ np.linalg.solve(Xc.T @ Xc + y.size * lam * np.eye(10), Xc.T)
        assert R.ridge_effective_df(X, lam) == pytest.approx(np.trace(hat), rel=1e-12)
    assert R.ridge_effective_df(X, 0.0) == pytest.approx(10.0)
    df = R.ridge_effective_df(X, np.array([0.1, 1.0, 10.0]))
    assert df.shape == (3,) and np.all(np.diff(df) < 0)


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda X, y: R.ridge_closed_form(X, y, -1.0), ValueError, "lam must be >= 0"),
        (lambda X, y: R.lasso_cd(X, y, float("nan")), ValueError, "lam must be finite"),
        (lambda X, y: R.lasso_cd(X, y, "1"), TypeError, "lam must be a real number"),
        (lambda X, y: R.elastic_net(X, y, 1.0, 1.5), ValueError, r"l1_ratio must lie in \[0.0, 1.0\]"),
        (lambda X, y: R.elastic_net(X, y, 1.0, -0.1), ValueError, "l1_ratio"),
        (lambda X, y: R.ridge_gd(X, y[:-1], 1.0), ValueError, r"y must have shape \(60,\)"),
        (lambda X, y: R.lasso_cd(X[:, 0], y, 1.0), ValueError, "X must be 2-D"),
        (lambda X, y: R.lasso_cd(np.where(X > 2, np.nan, X), y, 1.0), ValueError,
         "X must contain only finite numbers"),
        (lambda X, y: R.lasso_cd(X, "abc", 1.0), TypeError, "y must be an array of numbers"),
        (lambda X, y: R.elastic_net(X, y, 1.0, solver="newton"), ValueError, "solver must be"),
        (lambda X, y: R.lasso_cd(X, y, 1.0, init=np.zeros(3)), ValueError, "init must have shape"),
        (lambda X, y: R.lasso_cd(X, y, 1.0, tol=0.0), ValueError, "tol must be > 0"),
        (lambda X, y: R.lasso_cd(X, y, 1.0, max_iter=0), ValueError, "max_iter must be"),
        (lambda X, y: R.ridge_gd(X, y, 1.0, lr=-0.1), ValueError, "lr must be > 0"),
        (lambda X, y: R.regularization_path(X, y, [1.0, -2.0]), ValueError,
         "lambdas must all be >= 0"),
        (lambda X, y: R.regularization_path(X, y, [1.0], penalty="l3"), ValueError,
         "penalty must be one of"),
        (lambda X, y: R.kfold_cv(X, y, [1.0], k=1), ValueError, "k must be an integer >= 2"),
        (lambda X, y: R.kfold_cv(X, y, [1.0], k=61), ValueError, "k must be at most"),
        (lambda X, y: R.kfold_cv(X, y, [1.0], penalty="elastic_net", l1_ratio=2.0), ValueError,
         "l1_ratio"),
        (lambda X, y: R.soft_threshold([1.0, 2.0], -0.5), ValueError, "t must be >= 0"),
        (lambda X, y: R.soft_threshold([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "t must be"),
        (lambda X, y: R.penalized_objective(X, y, np.zeros(4), 0.0, 1.0), ValueError,
         r"coef must have shape \(5,\)"),
        (lambda X, y: R.early_stopping_vs_ridge(X, y, n_steps=0), ValueError, "n_steps"),
        (lambda X, y: R.bootstrap_bias_variance(X[:, 0], y, [1.0], degree=0,
                                                true_fn=np.sin, noise_std=0.1), ValueError,
         "degree must be an integer >= 1"),
        (lambda X, y: R.bootstrap_bias_variance(X[:, 0], y, [1.0], degree=3,
                                                true_fn=np.sin, noise_std=-1.0), ValueError,
         "noise_std must be >= 0"),
        (lambda X, y: R.bootstrap_bias_variance(X[:, 0], y, [1.0], degree=3, true_fn=2.0,
                                                noise_std=0.1), TypeError, "true_fn must be"),
        (lambda X, y: R.lambda_grid(X, y, l1_ratio=0.0), ValueError, "l1_ratio must be > 0"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(call, error, match) -> None:  # type: ignore[no-untyped-def]
    X, y = small_problem()
    with pytest.raises(error, match=match):
        call(X, y)


def test_bool_lambda_is_not_a_number() -> None:
    X, y = small_problem()
    with pytest.raises(TypeError, match="lam"):
        R.lasso_cd(X, y, True)


# -- the polynomial data of chapter 04 ------------------------------------------------------


def test_polynomial_data_is_seeded_sorted_and_noisy_samples_of_the_truth() -> None:
    x, y = data.polynomial_data(30, noise=0.3, seed=4)
    x2, y2 = data.polynomial_data(30, noise=0.3, seed=4)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert x.shape == y.shape == (30,) and np.all(np.diff(x) >= 0)
    assert -1 <= x.min() and x.max() <= 1
    clean_x, clean_y = data.polynomial_data(30, noise=0.0, seed=4)
    np.testing.assert_allclose(clean_y, np.sin(np.pi * clean_x))
    assert 0.15 < np.std(y - data.polynomial_truth(x)) < 0.45


def test_polynomial_features_are_sklearns_polynomial_features() -> None:
    x = np.linspace(-1, 1, 7)
    for bias in (False, True):
        ref = PolynomialFeatures(5, include_bias=bias).fit_transform(x[:, None])
        np.testing.assert_allclose(data.polynomial_features(x, 5, include_bias=bias), ref)


def test_polynomial_generators_refuse_bad_arguments() -> None:
    with pytest.raises(ValueError, match="x_range"):
        data.polynomial_data(10, x_range=(1.0, -1.0))
    with pytest.raises(ValueError, match="noise"):
        data.polynomial_data(10, noise=-0.1)
    with pytest.raises(ValueError, match="degree"):
        data.polynomial_features([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="x must be 1-D"):
        data.polynomial_features(np.ones((2, 2)), 3)
