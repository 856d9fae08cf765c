"""Chapter 03 demo: the numbers LinkedLandscape shows agree with lossviz.losses and hand-made steps.

The generic catalog tests (every control changes picture and numbers, fast render equals a
full draw, ...) live in tests/test_widgets.py; these assert what the demo shows.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lossviz import losses
from lossviz.widgets import LinkedLandscape, catalog
from lossviz.widgets.optimization import _fast_loss_and_grad, landscape_data

LOSS_NAMES = ("mse", "mae", "huber")


@pytest.fixture(scope="module")
def demo() -> LinkedLandscape:
    return LinkedLandscape()


def show(demo: LinkedLandscape, **values):  # type: ignore[no-untyped-def]
    with demo.hold():
        for name, value in values.items():
            demo.controls[name].value = value
    return demo.numbers()


def hand_gradient(loss: str, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∇ of mean ℓ(w·x + b, y) written out by hand for the three losses."""
    r = theta[0] * x + theta[1] - y
    psi = {"mse": 2 * r, "mae": np.sign(r), "huber": np.clip(r, -1.0, 1.0)}[loss]
    return np.array([np.mean(psi * x), np.mean(psi)])


def test_the_demo_is_in_the_catalog_for_chapter_03() -> None:
    assert catalog()["LinkedLandscape"].chapter == "03_optimization"


def test_landscape_data_is_ill_conditioned_as_documented() -> None:
    x, _ = landscape_data()
    design = np.column_stack([x, np.ones_like(x)])
    eigenvalues = np.linalg.eigvalsh(2 * design.T @ design / x.size)
    assert eigenvalues == pytest.approx([0.482, 20.813], abs=5e-4)
    assert 2 / eigenvalues[-1] == pytest.approx(0.096, abs=5e-4)
    assert LinkedLandscape().condition_number == pytest.approx(43.16, abs=0.01)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_the_first_step_of_gradient_descent_is_one_step_by_hand(demo, loss) -> None:  # type: ignore[no-untyped-def]
    shown = show(demo, loss=loss, optimizer="gd", log_lr=-1.5, step=1)
    theta0 = demo.theta0
    expected = theta0 - 10**-1.5 * hand_gradient(loss, theta0, demo.x, demo.y)
    assert (shown["w"], shown["b"]) == pytest.approx(tuple(expected), rel=1e-12)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("step", [0, 7, 200])
def test_the_loss_shown_is_lossviz_losses_at_the_current_parameters(  # type: ignore[no-untyped-def]
    demo, loss, optimizer, step
) -> None:
    shown = show(demo, loss=loss, optimizer=optimizer, log_lr=-1.3, momentum=0.8, step=step)
    params = {"delta": 1.0} if loss == "huber" else {}
    expected = losses.get(loss)(demo.y, shown["w"] * demo.x + shown["b"], **params)
    assert shown["loss"] == pytest.approx(expected, rel=1e-12)
    assert shown["excess"] == pytest.approx(shown["loss"] - shown["loss_min"], rel=1e-12)
    grad = hand_gradient(loss, np.array([shown["w"], shown["b"]]), demo.x, demo.y)
    assert shown["grad_norm"] == pytest.approx(np.hypot(*grad), rel=1e-10, abs=1e-14)


def test_the_minimum_of_the_mse_is_least_squares(demo) -> None:  # type: ignore[no-untyped-def]
    design = np.column_stack([demo.x, np.ones_like(demo.x)])
    theta, *_ = np.linalg.lstsq(design, demo.y, rcond=None)
    best, loss_min = demo.best["mse"]
    np.testing.assert_allclose(best, theta, rtol=1e-12)
    assert loss_min == pytest.approx(np.mean((design @ theta - demo.y) ** 2), rel=1e-12)


def test_a_learning_rate_above_two_over_l_diverges_and_is_announced(demo) -> None:  # type: ignore[no-untyped-def]
    limit = 2 / demo.smoothness["mse"]
    shown = show(demo, loss="mse", optimizer="gd", log_lr=-1.0, step=200)  # η = 0.1
    assert 10**-1.0 > limit
    assert shown["diverged"] == 1 and shown["steps_run"] < 200
    assert shown["steps_to_tol"] == "not reached"
    assert demo._message.get_visible() and "diverged" in demo._message.get_text()
    assert "diverged" in demo._status.get_text()
    assert all(np.isfinite(v) for v in shown.values() if not isinstance(v, str))


def test_a_learning_rate_just_below_two_over_l_converges_with_oscillation(demo) -> None:  # type: ignore[no-untyped-def]
    shown = show(demo, loss="mse", optimizer="gd", log_lr=-1.05, step=200)  # η = 0.089
    assert 10**-1.05 < 2 / demo.smoothness["mse"]
    assert shown["diverged"] == 0 and shown["steps_run"] == 200
    assert not demo._message.get_visible()
    run = demo.current_run()
    assert np.all(np.diff(run.losses[-50:]) < 0)  # the loss falls, however slowly


def test_momentum_reaches_the_tolerance_in_fewer_steps_than_gradient_descent(demo) -> None:  # type: ignore[no-untyped-def]
    momentum = show(demo, loss="mse", optimizer="momentum", log_lr=-1.5, momentum=0.9)
    gd = show(demo, loss="mse", optimizer="gd", log_lr=-1.5, momentum=0.9)
    assert isinstance(momentum["steps_to_tol"], int) and momentum["steps_to_tol"] <= 130
    assert gd["steps_to_tol"] == "not reached"
    # even gradient descent's best learning rate on the slider loses to momentum with β = 0.9
    grid = np.round(np.arange(-3.0, 0.001, 0.05), 2)
    best_gd = min(r.steps_to_tol for lr in 10.0**grid
                  if (r := demo.run("mse", "gd", lr, 0.9)).steps_to_tol is not None)
    best_momentum = min(r.steps_to_tol for lr in 10.0**grid
                        if (r := demo.run("mse", "momentum", lr, 0.9)).steps_to_tol is not None)
    assert best_momentum < best_gd


def test_the_mae_path_never_reaches_the_tolerance_with_a_constant_step(demo) -> None:  # type: ignore[no-untyped-def]
    shown = show(demo, loss="mae", optimizer="gd", log_lr=-1.0, step=200)
    assert shown["steps_to_tol"] == "not reached" and shown["diverged"] == 0
    assert shown["grad_norm"] > 0.1  # a subgradient of MAE does not shrink near θ*


def test_moving_the_step_reuses_the_cached_path(demo) -> None:  # type: ignore[no-untyped-def]
    show(demo, loss="huber", optimizer="adam", log_lr=-1.0, momentum=0.9, step=3)
    run, cached = demo.current_run(), len(demo._runs)
    for k in (0, 50, 199, 200):
        demo.controls["step"].value = k
        assert demo.current_run() is run
    assert len(demo._runs) == cached


def test_the_arrow_points_downhill(demo) -> None:  # type: ignore[no-untyped-def]
    shown = show(demo, loss="mse", optimizer="gd", log_lr=-2.0, step=10)
    theta = np.array([shown["w"], shown["b"]])
    start, end = (np.array(p) for p in demo._arrow._posA_posB)
    np.testing.assert_allclose(start, theta)
    assert (end - start) @ hand_gradient("mse", theta, demo.x, demo.y) < 0


def test_extreme_settings_stay_finite_without_numpy_warnings() -> None:
    with np.errstate(all="raise"):
        demo = LinkedLandscape(loss="mse", optimizer="gd", log_lr=0.0, step=200)
        for optimizer in ("gd", "momentum", "adam"):
            shown = show(demo, optimizer=optimizer, momentum=0.99, log_lr=0.0)
            assert all(np.isfinite(v) for v in shown.values() if not isinstance(v, str))


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_the_fast_path_formulas_are_the_registrys(loss) -> None:  # type: ignore[no-untyped-def]
    x, y = landscape_data()
    value, grad = _fast_loss_and_grad(loss, x, y, 1.0)
    params = {"delta": 1.0} if loss == "huber" else {}
    rng = np.random.default_rng(3)
    for theta in rng.normal(1.0, 3.0, size=(20, 2)):
        pred = theta[0] * x + theta[1]
        assert value(theta) == pytest.approx(losses.get(loss)(y, pred, **params), rel=1e-12)
        g = losses.get(loss).grad(y, pred, **params)
        np.testing.assert_allclose(grad(theta), [g @ x, g.sum()], rtol=1e-12, atol=1e-15)


def test_bad_constructor_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="loss"):
        LinkedLandscape(loss="hinge")
    with pytest.raises(ValueError, match="optimizer"):
        LinkedLandscape(optimizer="sgd")
