"""Bad input fails loudly, naming the argument: for every registered loss and its gradient."""

from __future__ import annotations

import numpy as np
import pytest

from lossviz import losses
from lossviz.losses import get, names

NAMES = names()


def _sample(name):
    loss = get(name)
    y_true, y_pred = loss.sample(np.random.default_rng(0), 5)
    return loss, y_true, y_pred


def each_function():
    cases = []
    for name in NAMES:
        loss = get(name)
        cases.append(pytest.param(name, loss.func, id=f"{name}"))
        cases.append(pytest.param(name, loss.grad_func, id=f"{name}_grad"))
    return cases


@pytest.mark.parametrize(("name", "func"), each_function())
def test_shape_mismatch_is_refused(name, func):
    _, y_true, y_pred = _sample(name)
    with pytest.raises(ValueError, match=r"(?s)y_true.*y_pred|y_pred.*y_true"):
        func(y_true, y_pred[:-1])


@pytest.mark.parametrize(("name", "func"), each_function())
def test_extra_axis_on_y_pred_is_not_broadcast(name, func):
    """(n,) against (n, 1) is refused, never broadcast to (n, n)."""
    _, y_true, y_pred = _sample(name)
    with pytest.raises(ValueError, match="y_pred"):
        func(y_true, y_pred[..., None])


@pytest.mark.parametrize(("name", "func"), each_function())
def test_extra_axis_on_y_true_is_not_broadcast(name, func):
    _, y_true, y_pred = _sample(name)
    with pytest.raises(ValueError, match="y_true"):
        func(y_true[..., None], y_pred)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize(("name", "func"), each_function())
def test_non_finite_prediction_is_refused(name, func, bad):
    _, y_true, y_pred = _sample(name)
    y_pred = y_pred.copy()
    y_pred.flat[0] = bad
    with pytest.raises(ValueError, match="y_pred must contain only finite numbers"):
        func(y_true, y_pred)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize(("name", "func"), each_function())
def test_non_finite_target_is_refused(name, func, bad):
    _, y_true, y_pred = _sample(name)
    y_true = y_true.copy()
    y_true.flat[0] = bad
    with pytest.raises(ValueError, match="y_true must contain only finite numbers"):
        func(y_true, y_pred)


@pytest.mark.parametrize(("name", "func"), each_function())
def test_empty_prediction_is_refused(name, func):
    _, y_true, y_pred = _sample(name)
    with pytest.raises(ValueError, match="y_pred must not be empty"):
        func(y_true, y_pred[:0])


@pytest.mark.parametrize(("name", "func"), each_function())
def test_empty_target_is_refused(name, func):
    _, y_true, y_pred = _sample(name)
    with pytest.raises(ValueError, match="y_true must not be empty"):
        func(y_true[:0], y_pred)


@pytest.mark.parametrize(("name", "func"), each_function())
def test_non_numeric_prediction_is_a_type_error(name, func):
    _, y_true, _ = _sample(name)
    with pytest.raises(TypeError, match="y_pred must be an array of numbers"):
        func(y_true, "not numbers")


@pytest.mark.parametrize(
    ("name", "func"), [c for c in each_function() if get(c.values[0]).bad_labels is not None]
)
def test_labels_outside_their_domain_are_refused(name, func):
    loss, y_true, y_pred = _sample(name)
    with pytest.raises(ValueError, match="y_true must"):
        func(loss.bad_labels(y_true), y_pred)


@pytest.mark.parametrize(("name", "func"), each_function())
def test_unknown_reduction_is_refused(name, func):
    _, y_true, y_pred = _sample(name)
    expected = "reduction must be one of 'mean', 'sum' or 'none'; got 'avg'"
    with pytest.raises(ValueError, match=expected):
        func(y_true, y_pred, reduction="avg")


@pytest.mark.parametrize(("name", "func"), each_function())
def test_unknown_hyper_parameter_is_a_type_error(name, func):
    _, y_true, y_pred = _sample(name)
    with pytest.raises(TypeError, match="not_a_parameter"):
        func(y_true, y_pred, not_a_parameter=1.0)


def invalid_param_cases():
    cases = []
    for name in NAMES:
        loss = get(name)
        for i, bad in enumerate(loss.invalid_params):
            for which, func in (("loss", loss.func), ("grad", loss.grad_func)):
                cases.append(pytest.param(name, func, bad, id=f"{name}-{which}-{i}"))
    return cases


@pytest.mark.parametrize(("name", "func", "bad"), invalid_param_cases())
def test_invalid_hyper_parameter_is_refused_by_name(name, func, bad):
    _, y_true, y_pred = _sample(name)
    with pytest.raises((ValueError, TypeError), match="|".join(bad)):
        func(y_true, y_pred, **bad)


@pytest.mark.parametrize("name", NAMES)
def test_every_loss_with_hyper_parameters_declares_invalid_ones(name):
    loss = get(name)
    assert bool(loss.params) == bool(loss.invalid_params)


# -- specific messages ------------------------------------------------------------------------


def test_error_message_says_what_was_expected_and_what_was_given():
    with pytest.raises(ValueError, match=r"same shape; got y_true \(3,\) and y_pred \(3, 1\)"):
        losses.mse(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"delta must be > 0; got -1.0"):
        losses.huber([0.0], [1.0], delta=-1.0)
    with pytest.raises(ValueError, match=r"quantile must lie in \(0.0, 1.0\); got 1.5"):
        losses.pinball([0.0], [1.0], quantile=1.5)


def test_signed_labels_get_a_hint_to_map_them():
    with pytest.raises(ValueError, match="Map labels such as -1/\\+1"):
        losses.hinge([-1, 1], [0.5, 0.5])


def test_probability_targets_outside_zero_one_are_refused():
    with pytest.raises(ValueError, match=r"y_true must contain probabilities in \[0, 1\]"):
        losses.bce_with_logits([1.2, 0.0], [0.5, 0.5])


def test_one_hot_targets_for_cross_entropy_get_a_hint():
    with pytest.raises(ValueError, match="argmax"):
        losses.softmax_cross_entropy(np.eye(3), np.zeros((3, 3)))


def test_cross_entropy_refuses_a_single_logit_column():
    with pytest.raises(ValueError, match=r"y_pred must be a 2-D array of logits.*bce_with_logits"):
        losses.softmax_cross_entropy([0, 1], [[0.3], [0.2]])


def test_cross_entropy_refuses_non_integer_and_out_of_range_classes():
    for bad in ([0.5, 1], [0, 3]):
        with pytest.raises(ValueError, match=r"y_true must contain integer class indices in 0\.\.2"):
            losses.softmax_cross_entropy(bad, np.zeros((2, 3)))


def test_cross_entropy_weights_must_fit_the_classes():
    with pytest.raises(ValueError, match=r"weight must hold one weight per class, shape \(3,\)"):
        losses.softmax_cross_entropy([0, 1], np.zeros((2, 3)), weight=[1.0, 2.0])


def test_cross_entropy_mean_with_all_zero_target_weights_is_refused():
    with pytest.raises(ValueError, match="weight gives every target class weight 0"):
        losses.softmax_cross_entropy([0, 0], np.zeros((2, 3)), weight=[0.0, 1.0, 1.0])
    assert losses.softmax_cross_entropy(
        [0, 0], np.zeros((2, 3)), weight=[0.0, 1.0, 1.0], reduction="sum"
    ) == 0.0


def test_kl_divergence_rows_must_sum_to_one():
    with pytest.raises(ValueError, match=r"rows sum to 1.*Normalise"):
        losses.kl_divergence([[0.5, 0.4]], [[0.0, 0.0]])


def test_kl_divergence_needs_two_dimensional_inputs():
    with pytest.raises(ValueError, match=r"must be 2-D.*y_true\[None, :\]"):
        losses.kl_divergence([0.5, 0.5], [0.0, 0.0])


def test_pos_weight_must_be_positive_and_fit_the_columns():
    y, x = np.zeros((2, 3)), np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"pos_weight must be a positive number or an array"):
        losses.bce_with_logits(y, x, pos_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="pos_weight must be > 0"):
        losses.bce_with_logits(y, x, pos_weight=[1.0, 0.0, 2.0])
    assert losses.bce_with_logits(y, x, pos_weight=[1.0, 2.0, 3.0]) == pytest.approx(np.log(2))


def test_focal_alpha_and_gamma_messages():
    with pytest.raises(ValueError, match="alpha must lie in \\[0, 1\\], or be None or -1"):
        losses.focal([1.0], [0.0], alpha=2.0)
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        losses.focal([1.0], [0.0], gamma=-0.5)
    with pytest.raises(TypeError, match="gamma must be a real number"):
        losses.focal([1.0], [0.0], gamma="2")


def test_barron_accepts_minus_infinity_but_not_plus_infinity():
    assert np.isfinite(losses.barron([0.0], [3.0], alpha=-np.inf))
    with pytest.raises(ValueError, match="alpha must be a real number or -inf"):
        losses.barron([0.0], [3.0], alpha=np.inf)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        losses.barron([0.0], [3.0], alpha="1")
