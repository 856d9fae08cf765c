"""Chapter 04 demos: the numbers they print agree with lossviz.regularization and scikit-learn.

The generic catalog tests (every control changes picture and numbers, fast render equals a
full draw, ...) live in tests/test_widgets.py; these assert what each demo shows.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet, Lasso, Ridge

from lossviz import regularization as reg
from lossviz.widgets import RegularizationGeometry, ValidationCurve, catalog
from lossviz.widgets.regularization import geometry_data, penalty_ball

SK = {"tol": 1e-12, "max_iter": 1_000_000}


@pytest.fixture(scope="module")
def geometry() -> RegularizationGeometry:
    return RegularizationGeometry()


@pytest.fixture(scope="module")
def validation() -> ValidationCurve:
    return ValidationCurve()


def show(demo, **values):  # type: ignore[no-untyped-def]
    with demo.hold():
        for name, value in values.items():
            demo.controls[name].value = value
    return demo.numbers()


def test_both_demos_are_in_the_catalog_for_chapter_04() -> None:
    entries = catalog()
    for name in ("RegularizationGeometry", "ValidationCurve"):
        assert entries[name].chapter == "04_regularization"


# -- RegularizationGeometry ---------------------------------------------------------------


def test_geometry_data_has_the_documented_solutions() -> None:
    X, y = geometry_data()
    np.testing.assert_allclose(reg.ridge_closed_form(X, y, 0.0).coef, [1.633, 0.497], atol=5e-4)
    assert reg.lambda_max(X, y) == pytest.approx(1.925, abs=5e-4)
    knots, _ = reg.lasso_knots(X, y)
    assert knots[1] == pytest.approx(0.789, abs=5e-4)  # where w₂ leaves the lasso


@pytest.mark.parametrize("penalty", ["lasso", "ridge", "elastic_net"])
@pytest.mark.parametrize("log_lambda", [-2.0, -0.6, 0.0, 0.35, 0.7])
def test_geometry_solution_is_lossviz_and_sklearns(geometry, penalty, log_lambda) -> None:  # type: ignore[no-untyped-def]
    shown = show(geometry, penalty=penalty, log_lambda=log_lambda)
    X, y = geometry.X, geometry.y
    lam = 10.0**log_lambda
    assert shown["lam"] == pytest.approx(lam)
    if penalty == "ridge":
        ours = reg.ridge_closed_form(X, y, lam)
        ref = Ridge(alpha=y.size * lam, solver="svd").fit(X, y).coef_
    else:
        rho = 1.0 if penalty == "lasso" else 0.5
        ours = reg.elastic_net(X, y, lam, rho)
        ref = (Lasso(alpha=lam, **SK) if rho == 1 else
               ElasticNet(alpha=lam, l1_ratio=rho, **SK)).fit(X, y).coef_
    assert (shown["w1"], shown["w2"]) == (ours.coef[0], ours.coef[1])
    np.testing.assert_allclose([shown["w1"], shown["w2"]], ref, rtol=0, atol=1e-8)
    assert shown["objective"] == pytest.approx(ours.objective, rel=1e-12)
    rho = {"lasso": 1.0, "ridge": 0.0, "elastic_net": 0.5}[penalty]
    assert shown["budget"] == pytest.approx(reg.penalty_value(ours.coef, rho))
    assert shown["objective"] == pytest.approx(shown["loss"] + lam * shown["budget"], rel=1e-12)


def test_at_large_lambda_the_lasso_has_an_exact_zero_and_ridge_none(geometry) -> None:  # type: ignore[no-untyped-def]
    shown = show(geometry, penalty="lasso", log_lambda=0.0)
    assert shown["w2"] == 0.0 and shown["w1"] > 0 and shown["n_zero"] == 1
    assert "w₂ = 0 exactly" in geometry._numbers_readout.text
    shown = show(geometry, penalty="lasso", log_lambda=0.5)  # λ = 3.16 > λ_max = 1.925
    assert shown["w1"] == shown["w2"] == 0.0 and shown["n_zero"] == 2
    assert "both weights exactly 0" in geometry._numbers_readout.text
    for log_lambda in np.linspace(-2.0, 0.7, 10):
        shown = show(geometry, penalty="ridge", log_lambda=float(log_lambda))
        assert shown["n_zero"] == 0 and shown["w1"] != 0 and shown["w2"] != 0


def test_lasso_zeros_w2_before_the_elastic_net_does(geometry) -> None:  # type: ignore[no-untyped-def]
    assert show(geometry, penalty="lasso", log_lambda=-0.05)["w2"] == 0.0  # λ = 0.89
    assert show(geometry, penalty="elastic_net", log_lambda=-0.05)["w2"] > 0.0


@pytest.mark.parametrize("penalty", ["lasso", "ridge", "elastic_net"])
def test_the_solution_minimises_the_loss_on_its_ball(geometry, penalty) -> None:  # type: ignore[no-untyped-def]
    """The picture's claim: the penalised solution is where the ball meets the lowest contour."""
    shown = show(geometry, penalty=penalty, log_lambda=-0.3)
    rho = {"lasso": 1.0, "ridge": 0.0, "elastic_net": 0.5}[penalty]
    boundary = penalty_ball(shown["budget"], rho, n_points=20001)
    losses = [geometry.data_loss(w) for w in boundary]
    assert min(losses) >= shown["loss"] - 1e-9
    # the drawn ball passes through the solution, and so does the highlighted contour
    solution = np.array([shown["w1"], shown["w2"]])
    drawn = geometry._ball.get_xy()
    assert np.min(np.linalg.norm(drawn - solution, axis=1)) < 0.01
    contour = np.column_stack(geometry._touching.get_data())
    assert np.min(np.linalg.norm(contour - solution, axis=1)) < 0.01
    assert geometry.data_loss(contour[0]) == pytest.approx(shown["loss"], rel=1e-10)


@pytest.mark.parametrize(("rho", "expected"), [(1.0, "diamond"), (0.0, "disc"), (0.5, "between")])
def test_penalty_ball_is_the_level_set_of_the_penalty(rho, expected) -> None:  # type: ignore[no-untyped-def]
    t = 0.8
    boundary = penalty_ball(t, rho)
    values = [reg.penalty_value(w, rho) for w in boundary]
    np.testing.assert_allclose(values, t, rtol=1e-12)
    np.testing.assert_allclose(boundary[0], boundary[-1], atol=1e-15)
    radius = np.linalg.norm(boundary, axis=1)
    corner, diagonal = radius[0], radius[len(radius) // 8]  # on the w₁ axis, at 45°
    if expected == "diamond":
        assert corner == pytest.approx(t) and diagonal == pytest.approx(t / np.sqrt(2))
    elif expected == "disc":
        np.testing.assert_allclose(radius, np.sqrt(2 * t))
    else:
        assert diagonal < corner


def test_geometry_readout_prints_the_numbers(geometry) -> None:  # type: ignore[no-untyped-def]
    shown = show(geometry, penalty="elastic_net", log_lambda=-1.0)
    text = geometry._numbers_readout.text
    for key in ("w1", "w2", "budget"):
        assert f"{shown[key]:.3f}" in text
    assert "λ = 0.100" in text and "no weight is 0" in text


def test_geometry_refuses_an_unknown_penalty() -> None:
    with pytest.raises(ValueError, match="penalty must be one of"):
        RegularizationGeometry(penalty="l0")


# -- ValidationCurve -----------------------------------------------------------------------


@pytest.mark.parametrize("log_lambda", [-8.0, -4.0, -1.5, 0.0, 1.0])
def test_validation_curve_numbers_are_ridge_closed_form_and_sklearns(validation, log_lambda) -> None:  # type: ignore[no-untyped-def]
    shown = show(validation, log_lambda=log_lambda)
    lam = 10.0**log_lambda
    F, y = validation.features, validation.y
    fit = reg.ridge_closed_form(F, y, lam)
    ref = Ridge(alpha=y.size * lam, solver="svd").fit(F, y)
    for predict in (fit.predict, ref.predict):
        assert shown["train_mse"] == pytest.approx(np.mean((y - predict(F)) ** 2), rel=1e-8)
        assert shown["val_mse"] == pytest.approx(
            np.mean((validation.y_val - predict(validation.features_val)) ** 2), rel=1e-8)
    assert shown["effective_df"] == pytest.approx(reg.ridge_effective_df(F, lam), rel=1e-10)


def test_training_error_rises_monotonically_with_lambda(validation) -> None:  # type: ignore[no-untyped-def]
    train = [show(validation, log_lambda=float(v))["train_mse"] for v in np.arange(-8, 1.01, 0.5)]
    assert np.all(np.diff(train) > 0)
    assert np.all(np.diff(validation.train_curve) >= 0)


def test_validation_error_is_u_shaped_with_its_minimum_inside(validation) -> None:  # type: ignore[no-untyped-def]
    val = validation.val_curve
    best = int(np.argmin(val))
    assert 0 < best < val.size - 1
    assert val[0] > 10 * val[best] and val[-1] > 2 * val[best]
    shown = show(validation, log_lambda=-1.5)
    assert shown["best_lambda"] == pytest.approx(10**-1.5)
    assert shown["val_mse"] == pytest.approx(shown["best_val_mse"])
    small = show(validation, log_lambda=-8.0)
    assert small["train_mse"] < 0.5 * 0.3**2 < small["val_mse"]  # over-fitting: below the noise


def test_effective_degrees_of_freedom_fall_from_the_degree_toward_zero(validation) -> None:  # type: ignore[no-untyped-def]
    low, high = show(validation, log_lambda=-8.0), show(validation, log_lambda=1.0)
    assert 11 < low["effective_df"] <= 12 and high["effective_df"] < 1.5


def test_the_drawn_curve_is_the_fit(validation) -> None:  # type: ignore[no-untyped-def]
    show(validation, log_lambda=-2.0)
    x, curve = validation._curve.get_data()
    np.testing.assert_allclose(curve, validation.predict(x, 0.01), rtol=1e-12, atol=1e-12)
    text = validation._numbers_readout.text
    assert "λ = 0.010" in text and f"{validation.numbers()['val_mse']:.4f}" in text
