"""lossviz.robust: robust line fits, sklearn agreement, best constants and influence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import minimize
from sklearn.linear_model import HuberRegressor, LinearRegression, QuantileRegressor

from lossviz import data, losses
from lossviz.robust import best_constant, fit_huber_sklearn, fit_line, influence

SAMPLES = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: arrays(np.float64, n, elements=st.floats(-1e3, 1e3, allow_subnormal=False))
)
ODD_SAMPLES = st.integers(min_value=0, max_value=12).flatmap(
    lambda k: arrays(np.float64, 2 * k + 1, elements=st.floats(-1e3, 1e3, allow_subnormal=False))
)


def heavy_tailed(n: int = 80, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three features, Student-t noise (df = 2) and three gross outliers."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + rng.standard_t(2, size=n)
    y[:3] += 25.0
    return X, y


def with_ones(X: np.ndarray) -> np.ndarray:
    return np.hstack([X.reshape(X.shape[0], -1), np.ones((X.shape[0], 1))])


# -- fit_line against scikit-learn and first-order conditions ---------------------------


@pytest.mark.parametrize("one_feature", [True, False])
def test_fit_line_mse_matches_sklearn_linear_regression(one_feature: bool) -> None:
    X, y = heavy_tailed()
    x_or_X = X[:, 0] if one_feature else X
    ours = fit_line(x_or_X, y, "mse")
    ref = LinearRegression().fit(x_or_X.reshape(len(y), -1), y)
    np.testing.assert_allclose(ours.coef, ref.coef_, rtol=0, atol=1e-10)
    assert ours.intercept == pytest.approx(ref.intercept_, abs=1e-10)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_fit_line_pinball_matches_sklearn_quantile_regressor(q: float) -> None:
    X, y = heavy_tailed()
    ours = fit_line(X, y, "pinball", quantile=q)
    ref = QuantileRegressor(quantile=q, alpha=0.0, solver="highs").fit(X, y)
    ref_objective = losses.pinball(y, ref.predict(X), quantile=q)
    assert ours.objective == pytest.approx(ref_objective, abs=1e-6)
    # Continuous data: the LP optimum is a unique vertex, so the coefficients agree too.
    np.testing.assert_allclose(ours.coef, ref.coef_, rtol=0, atol=1e-6)
    assert ours.intercept == pytest.approx(ref.intercept_, abs=1e-6)


def test_fit_line_mae_equals_pinball_at_one_half() -> None:
    X, y = heavy_tailed()
    mae_fit, pin_fit = fit_line(X, y, "mae"), fit_line(X, y, "pinball", quantile=0.5)
    np.testing.assert_allclose(mae_fit.coef, pin_fit.coef, rtol=0, atol=1e-10)
    assert mae_fit.objective == pytest.approx(2.0 * pin_fit.objective, rel=1e-12)


@pytest.mark.parametrize(("loss", "params"), [("huber", {"delta": 1.0}),
                                              ("huber", {"delta": 0.3}),
                                              ("log_cosh", {})])
def test_fit_line_irls_solution_satisfies_first_order_condition(loss: str, params: dict) -> None:
    X, y = heavy_tailed()
    fit = fit_line(X, y, loss, **params)
    psi, _ = influence(loss, fit.predict(X) - y, **params)
    assert fit.converged
    np.testing.assert_allclose(with_ones(X).T @ psi, 0.0, atol=1e-8)


def test_fit_line_huber_matches_scipy_minimize_of_mean_huber_loss() -> None:
    X, y = heavy_tailed()
    A = with_ones(X)

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        pred = A @ beta
        return losses.huber(y, pred), A.T @ losses.huber_grad(y, pred)

    ref = minimize(objective, np.zeros(4), jac=True, method="BFGS", options={"gtol": 1e-12})
    ours = fit_line(X, y, "huber")
    assert ours.objective == pytest.approx(ref.fun, rel=1e-10)
    np.testing.assert_allclose(np.append(ours.coef, ours.intercept), ref.x, atol=1e-6)


# -- scikit-learn's HuberRegressor -------------------------------------------------------


@pytest.mark.parametrize("epsilon", [1.35, 2.0])
def test_fit_huber_sklearn_matches_huber_regressor(epsilon: float) -> None:
    X, y = heavy_tailed()
    fit, scale = fit_huber_sklearn(X, y, epsilon=epsilon)
    ref = HuberRegressor(epsilon=epsilon, alpha=0.0).fit(X, y)
    np.testing.assert_allclose(fit.coef, ref.coef_, rtol=0, atol=1e-4)
    assert fit.intercept == pytest.approx(ref.intercept_, abs=1e-4)
    assert scale == pytest.approx(ref.scale_, abs=1e-4)


def test_fit_huber_sklearn_with_alpha_matches_huber_regressor() -> None:
    X, y = heavy_tailed()
    fit, scale = fit_huber_sklearn(X, y, alpha=5.0)
    ref = HuberRegressor(alpha=5.0).fit(X, y)
    np.testing.assert_allclose(fit.coef, ref.coef_, rtol=0, atol=1e-4)
    assert scale == pytest.approx(ref.scale_, abs=1e-4)


@pytest.mark.parametrize("epsilon", [1.35, 2.0])
def test_huber_regressor_is_fit_line_huber_with_delta_epsilon_times_scale(epsilon: float) -> None:
    X, y = heavy_tailed()
    fit, scale = fit_huber_sklearn(X, y, epsilon=epsilon)
    same = fit_line(X, y, "huber", delta=epsilon * scale)
    assert fit.params["delta"] == epsilon * scale
    np.testing.assert_allclose(same.coef, fit.coef, rtol=0, atol=1e-7)
    assert same.intercept == pytest.approx(fit.intercept, abs=1e-7)


# -- one outlier -------------------------------------------------------------------------


def test_one_outlier_moves_the_mse_slope_far_more_than_mae_and_huber() -> None:
    x, clean = data.linear_1d(40, seed=0)
    _, dirty = data.linear_1d(40, outliers=1, outlier_shift=50.0, seed=0)
    change = {
        loss: fit_line(x, dirty, loss).coef[0] - fit_line(x, clean, loss).coef[0]
        for loss in ("mse", "mae", "huber")
    }
    assert change["mse"] > 1.0  # 1.27 on this seed
    assert abs(change["mae"]) < 1e-9  # the outlier was already above the LAD line
    assert abs(change["huber"]) < 0.01  # its pull is capped at delta
    assert change["mse"] > 100 * max(abs(change["mae"]), abs(change["huber"]))


# -- best_constant -----------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(SAMPLES)
def test_best_constant_of_mse_is_the_mean(y: np.ndarray) -> None:
    spread = float(np.ptp(y))
    assert best_constant(y, "mse") == pytest.approx(np.mean(y), abs=1e-7 * (1 + spread))


@settings(max_examples=30, deadline=None)
@given(ODD_SAMPLES)
def test_best_constant_of_mae_is_the_median_for_odd_n(y: np.ndarray) -> None:
    assert best_constant(y, "mae") == np.median(y)


@settings(max_examples=30, deadline=None)
@given(SAMPLES, st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9]))
def test_best_constant_of_pinball_is_the_inverted_cdf_quantile(y: np.ndarray, q: float) -> None:
    # The lowest minimiser is the smallest y with empirical CDF >= q: method="inverted_cdf".
    expected = np.quantile(y, q, method="inverted_cdf")
    assert best_constant(y, "pinball", quantile=q) == expected


@settings(max_examples=30, deadline=None)
@given(SAMPLES, st.sampled_from([0.1, 0.5, 0.9]))
def test_best_constant_of_pinball_has_the_lowest_mean_loss_over_the_data_points(
    y: np.ndarray, q: float
) -> None:
    best = losses.pinball(y, np.full_like(y, best_constant(y, "pinball", quantile=q)), quantile=q)
    at_points = [losses.pinball(y, np.full_like(y, c), quantile=q) for c in y]
    assert best <= min(at_points) * (1 + 1e-12) + 1e-300


@settings(max_examples=30, deadline=None)
@given(SAMPLES)
def test_best_constant_of_huber_is_the_mean_when_delta_covers_every_residual(y: np.ndarray) -> None:
    delta = float(np.max(np.abs(y - y.mean()))) + 1.0
    spread = float(np.ptp(y))
    assert best_constant(y, "huber", delta=delta) == pytest.approx(
        np.mean(y), abs=1e-7 * (1 + spread)
    )


@settings(max_examples=30, deadline=None)
@given(ODD_SAMPLES, st.sampled_from([1e-3, 0.1, 1.0, 10.0]))
def test_best_constant_of_huber_is_within_delta_of_the_median_for_odd_n(
    y: np.ndarray, delta: float
) -> None:
    # At median +- delta, the (n + 1) / 2 points on one side each pull with the full delta.
    c = best_constant(y, "huber", delta=delta)
    assert abs(c - np.median(y)) <= delta + 1e-7 * (1 + float(np.ptp(y)))


def test_best_constant_of_huber_is_between_median_and_mean_on_skewed_data() -> None:
    y = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 30.0])
    c = best_constant(y, "huber", delta=1.0)
    assert np.median(y) < c < np.mean(y)


def test_best_constant_of_huber_is_not_always_between_median_and_mean() -> None:
    # A counterexample to the folklore: the Huber location is below both.
    y = np.array([-4.9, -3.5, 0.2, 0.9, 17.6])
    c = best_constant(y, "huber", delta=2.0)
    assert c == pytest.approx(-0.45, abs=1e-6)
    assert c < np.median(y) < np.mean(y)


def test_best_constant_of_mae_takes_the_lower_median_on_ties() -> None:
    assert best_constant([1.0, 2.0, 5.0, 9.0], "mae") == 2.0


# -- influence ---------------------------------------------------------------------------

RESIDUALS = np.array([-1e6, -50.0, -3.0, -1.0, -0.2, 0.2, 1.0, 3.0, 50.0, 1e6])


def test_influence_of_mse_is_two_r_and_unbounded() -> None:
    psi, weight = influence("mse", RESIDUALS)
    np.testing.assert_array_equal(psi, 2.0 * RESIDUALS)
    np.testing.assert_array_equal(weight, 2.0)


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_influence_of_huber_is_bounded_by_delta(delta: float) -> None:
    psi, weight = influence("huber", RESIDUALS, delta=delta)
    assert np.max(np.abs(psi)) == delta
    np.testing.assert_allclose(weight, np.minimum(1.0, delta / np.abs(RESIDUALS)))


def test_influence_of_mae_is_bounded_by_one() -> None:
    psi, _ = influence("mae", RESIDUALS)
    np.testing.assert_array_equal(np.abs(psi), 1.0)


@pytest.mark.parametrize("name", ["cauchy", "geman_mcclure"])
def test_influence_of_cauchy_and_geman_mcclure_redescends(name: str) -> None:
    r = np.array([1.0, 10.0, 100.0, 1e4, 1e8])
    psi, _ = influence(name, r)
    assert np.all(np.diff(psi) < 0)  # beyond the peak, larger residuals pull less
    assert psi[-1] < 1e-7


def test_influence_of_cauchy_is_barron_with_alpha_zero() -> None:
    psi, weight = influence("cauchy", RESIDUALS, scale=2.0)
    ref_psi, ref_weight = influence("barron", RESIDUALS, alpha=0.0, scale=2.0)
    np.testing.assert_array_equal(psi, ref_psi)
    np.testing.assert_array_equal(weight, ref_weight)


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [("mse", {}, 2.0), ("huber", {"delta": 0.5}, 1.0), ("log_cosh", {}, 1.0),
     ("cauchy", {"scale": 2.0}, 0.25), ("geman_mcclure", {}, 1.0),
     ("barron", {"alpha": 1.0, "scale": 0.5}, 4.0)],
)
def test_influence_weight_at_zero_is_the_finite_limit(
    name: str, params: dict, expected: float
) -> None:
    psi, weight = influence(name, [0.0, 1e-7], **params)
    assert psi[0] == 0.0
    assert weight[0] == expected
    assert weight[1] == pytest.approx(expected, rel=1e-10)


def test_influence_weight_of_mae_at_zero_is_infinite() -> None:
    _, weight = influence("mae", [0.0])
    assert weight[0] == np.inf


# -- bad input ---------------------------------------------------------------------------


def test_fit_line_rejects_x_and_y_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="x_or_X and y"):
        fit_line(np.arange(5.0), np.arange(4.0))


def test_fit_line_rejects_y_that_does_not_match_the_rows_of_X() -> None:
    with pytest.raises(ValueError, match="y must have shape"):
        fit_line(np.ones((5, 2)), np.arange(4.0))


@pytest.mark.parametrize("where", ["x_or_X", "y"])
def test_fit_line_rejects_nan(where: str) -> None:
    x, y = np.arange(5.0), np.arange(5.0)
    (x if where == "x_or_X" else y)[2] = np.nan
    with pytest.raises(ValueError, match=where):
        fit_line(x, y)


@pytest.mark.parametrize("loss", ["nope", "hinge", "barron"])
def test_fit_line_rejects_an_unsupported_loss(loss: str) -> None:
    with pytest.raises(ValueError, match="loss must be one of"):
        fit_line(np.arange(5.0), np.arange(5.0), loss)


@pytest.mark.parametrize("delta", [0.0, -1.0])
def test_fit_line_rejects_delta_not_positive(delta: float) -> None:
    with pytest.raises(ValueError, match="delta"):
        fit_line(np.arange(5.0), np.arange(5.0), "huber", delta=delta)


@pytest.mark.parametrize("quantile", [0.0, 1.0, 1.5, -0.1])
def test_fit_line_rejects_quantile_outside_open_unit_interval(quantile: float) -> None:
    with pytest.raises(ValueError, match="quantile"):
        fit_line(np.arange(5.0), np.arange(5.0), "pinball", quantile=quantile)


def test_fit_huber_sklearn_rejects_epsilon_below_one() -> None:
    with pytest.raises(ValueError, match="epsilon"):
        fit_huber_sklearn(np.arange(5.0), np.arange(5.0), epsilon=0.9)


def test_influence_rejects_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="name must be"):
        influence("nope", [1.0])


def test_influence_rejects_a_classification_loss() -> None:
    with pytest.raises(ValueError, match="name must be a regression loss"):
        influence("hinge", [1.0])


def test_influence_rejects_nan_residuals() -> None:
    with pytest.raises(ValueError, match="r must contain only finite"):
        influence("mse", [1.0, np.nan])


def test_influence_rejects_delta_not_positive() -> None:
    with pytest.raises(ValueError, match="delta"):
        influence("huber", [1.0], delta=0.0)


def test_best_constant_rejects_an_unknown_loss() -> None:
    with pytest.raises(ValueError, match="loss must be"):
        best_constant([1.0, 2.0], "nope")


def test_best_constant_rejects_nan() -> None:
    with pytest.raises(ValueError, match="y must contain only finite"):
        best_constant([1.0, np.nan], "mse")


def test_best_constant_rejects_quantile_outside_open_unit_interval() -> None:
    with pytest.raises(ValueError, match="quantile"):
        best_constant([1.0, 2.0], "pinball", quantile=1.0)
