"""Properties every registered loss must have: gradients, reductions, zeros and signs.

All tests are parametrised from the registry, so a newly registered loss is covered with
no edit here. Inputs come from each record's ``sample``; hypothesis draws the seed, the
number of examples and the hyper-parameter setting.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.losses import get, names

NAMES = names()
PROPERTY_SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)


def param_sets(loss) -> list[dict]:
    """The defaults, then each extra setting on top of the defaults."""
    return [dict(loss.params)] + [{**loss.params, **extra} for extra in loss.extra_params]


def gradient_cases() -> list:
    cases = []
    for name in NAMES:
        for i, params in enumerate(param_sets(get(name))):
            for reduction in ("mean", "sum"):
                cases.append(pytest.param(name, params, reduction, id=f"{name}-p{i}-{reduction}"))
    return cases


def mean_denominator(loss, y_true, y_pred, params) -> float:
    if loss.mean_denominator is not None:
        return loss.mean_denominator(y_true, y_pred, **params)
    return float(np.size(loss(y_true, y_pred, reduction="none", **params)))


def draw_inputs(loss, data):
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    n = data.draw(st.integers(1, 12), label="n")
    params = data.draw(st.sampled_from(param_sets(loss)), label="params")
    y_true, y_pred = loss.sample(np.random.default_rng(seed), n)
    return y_true, y_pred, params


# -- gradients ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params", "reduction"), gradient_cases())
def test_gradient_matches_central_differences(name, params, reduction):
    loss = get(name)
    y_true, y_pred = loss.sample(np.random.default_rng(20261122), 6)
    grad = loss.grad(y_true, y_pred, reduction=reduction, **params)
    assert grad.shape == y_pred.shape
    numeric = np.zeros_like(y_pred)
    for idx in np.ndindex(y_pred.shape):
        h = 1e-6 * max(1.0, abs(y_pred[idx]))
        up, down = y_pred.copy(), y_pred.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (
            loss(y_true, up, reduction=reduction, **params)
            - loss(y_true, down, reduction=reduction, **params)
        ) / (up[idx] - down[idx])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_none_gradient_is_the_per_element_derivative_of_the_sum(name):
    loss = get(name)
    y_true, y_pred = loss.sample(np.random.default_rng(1), 5)
    np.testing.assert_array_equal(
        loss.grad(y_true, y_pred, reduction="none"), loss.grad(y_true, y_pred, reduction="sum")
    )


@PROPERTY_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("name", NAMES)
def test_mean_gradient_is_the_sum_gradient_over_the_denominator(name, data):
    loss = get(name)
    y_true, y_pred, params = draw_inputs(loss, data)
    denom = mean_denominator(loss, y_true, y_pred, params)
    np.testing.assert_allclose(
        loss.grad(y_true, y_pred, reduction="mean", **params) * denom,
        loss.grad(y_true, y_pred, reduction="sum", **params),
        rtol=1e-12,
        atol=1e-300,
    )


# -- values -----------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("name", [n for n in NAMES if get(n).nonnegative])
def test_loss_is_nonnegative(name, data):
    loss = get(name)
    y_true, y_pred, params = draw_inputs(loss, data)
    assert np.all(loss(y_true, y_pred, reduction="none", **params) >= 0.0)


@PROPERTY_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("name", [n for n in NAMES if get(n).perfect is not None])
def test_loss_is_zero_at_a_perfect_prediction(name, data):
    loss = get(name)
    y_true, _, params = draw_inputs(loss, data)
    perfect = loss.perfect(y_true)
    assert loss(y_true, perfect, **params) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(loss.grad(y_true, perfect, **params), 0.0, atol=1e-12)


@PROPERTY_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("name", NAMES)
def test_sum_is_mean_times_the_denominator(name, data):
    loss = get(name)
    y_true, y_pred, params = draw_inputs(loss, data)
    total = loss(y_true, y_pred, reduction="sum", **params)
    mean = loss(y_true, y_pred, reduction="mean", **params)
    denom = mean_denominator(loss, y_true, y_pred, params)
    assert total == pytest.approx(mean * denom, rel=1e-12, abs=1e-300)
    none = loss(y_true, y_pred, reduction="none", **params)
    assert total == pytest.approx(float(np.sum(none)), rel=1e-12, abs=1e-300)


@PROPERTY_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("name", NAMES)
def test_reductions_return_a_float_or_an_array_of_the_documented_shape(name, data):
    loss = get(name)
    y_true, y_pred, params = draw_inputs(loss, data)
    assert type(loss(y_true, y_pred, reduction="mean", **params)) is float
    assert type(loss(y_true, y_pred, reduction="sum", **params)) is float
    none = loss(y_true, y_pred, reduction="none", **params)
    assert isinstance(none, np.ndarray) and none.dtype == np.float64
    expected = y_pred.shape[:-1] if loss.rowwise else y_pred.shape
    assert none.shape == expected
    for reduction in ("mean", "sum", "none"):
        assert loss.grad(y_true, y_pred, reduction=reduction, **params).shape == y_pred.shape


@PROPERTY_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("name", NAMES)
def test_loss_is_deterministic_and_leaves_its_inputs_alone(name, data):
    loss = get(name)
    y_true, y_pred, params = draw_inputs(loss, data)
    yt, yp = y_true.copy(), y_pred.copy()
    first = loss(y_true, y_pred, reduction="none", **params)
    grad = loss.grad(y_true, y_pred, **params)
    np.testing.assert_array_equal(loss(y_true, y_pred, reduction="none", **params), first)
    np.testing.assert_array_equal(loss.grad(y_true, y_pred, **params), grad)
    np.testing.assert_array_equal(y_true, yt)
    np.testing.assert_array_equal(y_pred, yp)


@pytest.mark.parametrize("name", NAMES)
def test_lists_give_the_same_result_as_arrays(name):
    loss = get(name)
    y_true, y_pred = loss.sample(np.random.default_rng(5), 4)
    assert loss(y_true.tolist(), y_pred.tolist()) == loss(y_true, y_pred)
    np.testing.assert_array_equal(
        loss.grad(y_true.tolist(), y_pred.tolist()), loss.grad(y_true, y_pred)
    )


@pytest.mark.parametrize("name", NAMES)
def test_float32_inputs_are_computed_in_float64(name):
    loss = get(name)
    y_true, y_pred = loss.sample(np.random.default_rng(6), 4)
    y_pred32 = y_pred.astype(np.float32)
    value = loss(y_true, y_pred32)
    assert value == loss(y_true, y_pred32.astype(np.float64))
    assert loss.grad(y_true, y_pred32).dtype == np.float64
