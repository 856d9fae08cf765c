"""Binary metrics agree with scikit-learn, including ties and zero-division edge cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lossviz import metrics

labels = st.integers(1, 40).flatmap(
    lambda n: st.tuples(arrays(np.int64, n, elements=st.integers(0, 1)),
                        arrays(np.int64, n, elements=st.integers(0, 1)))
)


def _sk(name: str, y_true, y_pred):  # type: ignore[no-untyped-def]
    import sklearn.metrics as skm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UndefinedMetricWarning: we return 0.0 silently
        if name == "confusion_matrix":
            return skm.confusion_matrix(y_true, y_pred, labels=[0, 1])
        func = {"accuracy": skm.accuracy_score, "precision": skm.precision_score,
                "recall": skm.recall_score, "f1": skm.f1_score}[name]
        return func(y_true, y_pred)


@settings(max_examples=150, deadline=None)
@given(labels)
def test_label_metrics_agree_with_sklearn_default_zero_division(pair) -> None:  # type: ignore[no-untyped-def]
    y_true, y_pred = pair
    for name in ("accuracy", "precision", "recall", "f1"):
        assert getattr(metrics, name)(y_true, y_pred) == pytest.approx(
            _sk(name, y_true, y_pred), abs=1e-12), name
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred),
                                  _sk("confusion_matrix", y_true, y_pred))


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 40).flatmap(lambda n: st.tuples(
    arrays(np.int64, n, elements=st.integers(0, 1)),
    arrays(np.float64, n, elements=st.sampled_from([-1.0, 0.0, 0.5, 0.5, 2.0, 3.0])))))
def test_roc_auc_agrees_with_sklearn_including_ties(pair) -> None:  # type: ignore[no-untyped-def]
    from sklearn.metrics import roc_auc_score

    y_true, scores = pair
    if y_true.min() == y_true.max():
        with pytest.raises(ValueError, match="both classes"):
            metrics.roc_auc(y_true, scores)
    else:
        assert metrics.roc_auc(y_true, scores) == pytest.approx(roc_auc_score(y_true, scores),
                                                                abs=1e-12)


def test_roc_auc_counts_a_tie_between_classes_as_one_half() -> None:
    assert metrics.roc_auc([0, 1], [0.3, 0.3]) == 0.5
    assert metrics.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75


def test_no_predicted_positives_gives_zero_precision_and_f1_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.precision([1, 0, 1], [0, 0, 0]) == 0.0
        assert metrics.recall([0, 0, 0], [1, 0, 1]) == 0.0
        assert metrics.f1([0, 0, 0], [0, 0, 0]) == 0.0


def test_confusion_matrix_layout_is_tn_fp_fn_tp() -> None:
    np.testing.assert_array_equal(metrics.confusion_matrix([0, 0, 1, 1, 1], [0, 1, 0, 1, 1]),
                                  [[1, 1], [1, 2]])


@pytest.mark.parametrize("func", [metrics.accuracy, metrics.precision, metrics.recall,
                                  metrics.f1, metrics.confusion_matrix])
def test_bad_input_names_the_argument(func) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="y_pred must contain binary labels"):
        func([0, 1], [0, 2])
    with pytest.raises(ValueError, match="y_true must contain binary labels"):
        func([-1, 1], [0, 1])
    with pytest.raises(ValueError, match="same shape"):
        func([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="y_true must not be empty"):
        func([], [])


def test_roc_auc_bad_scores_are_named() -> None:
    with pytest.raises(ValueError, match="scores must contain only finite"):
        metrics.roc_auc([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="y_true and scores must have the same shape"):
        metrics.roc_auc([0, 1], [0.1, 0.2, 0.3])


# -- scores and probabilities -------------------------------------------------------------------

scored = st.integers(2, 40).flatmap(lambda n: st.tuples(
    arrays(np.int64, n, elements=st.integers(0, 1)),
    arrays(np.float64, n, elements=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.7, 0.9, 1.0])
           | st.floats(0.0, 1.0))))


@settings(max_examples=150, deadline=None)
@given(scored)
def test_average_precision_agrees_with_sklearn_including_ties(pair) -> None:  # type: ignore[no-untyped-def]
    from sklearn.metrics import average_precision_score

    y_true, scores = pair
    if y_true.sum() == 0:
        with pytest.raises(ValueError, match="at least one positive"):
            metrics.average_precision(y_true, scores)
    else:
        assert metrics.average_precision(y_true, scores) == pytest.approx(
            average_precision_score(y_true, scores), rel=1e-12, abs=1e-15)


def test_average_precision_of_a_random_ranking_is_the_positive_fraction() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(20000) < 0.1).astype(float)
    assert metrics.average_precision(y, rng.random(20000)) == pytest.approx(0.1, abs=0.01)
    assert metrics.roc_auc(y, rng.random(20000)) == pytest.approx(0.5, abs=0.02)
    assert metrics.average_precision(y, y) == 1.0


@settings(max_examples=150, deadline=None)
@given(scored)
def test_brier_and_log_loss_agree_with_sklearn(pair) -> None:  # type: ignore[no-untyped-def]
    from sklearn.metrics import brier_score_loss
    from sklearn.metrics import log_loss as sk_log_loss

    y_true, p = pair
    assert metrics.brier_score(y_true, p) == pytest.approx(
        brier_score_loss(y_true, p, labels=[0, 1]), rel=1e-12, abs=1e-15)
    p = np.clip(p, 1e-6, 1 - 1e-6)  # away from sklearn's clipping at eps
    assert metrics.log_loss(y_true, p) == pytest.approx(
        sk_log_loss(y_true, p, labels=[0, 1]), rel=1e-12)


def test_log_loss_is_exact_at_probabilities_zero_and_one() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.log_loss([1, 0], [1.0, 0.0]) == 0.0
        assert metrics.log_loss([1, 0], [0.0, 0.0]) == np.inf  # a sure mistake, not 36.04
    assert metrics.brier_score([1, 0], [0.0, 0.0]) == 0.5


def test_log_loss_on_sigmoid_matches_bce_with_logits() -> None:
    from scipy.special import expit

    from lossviz.losses import bce_with_logits

    rng = np.random.default_rng(1)
    y, f = rng.integers(0, 2, 50), rng.normal(0, 2, 50)
    assert metrics.log_loss(y, expit(f)) == pytest.approx(bce_with_logits(y, f), rel=1e-12)


@pytest.mark.parametrize("rule", [metrics.brier_score, metrics.log_loss])
def test_brier_and_log_loss_are_proper_scores(rule) -> None:  # type: ignore[no-untyped-def]
    """Expected score under y ~ Bernoulli(q) is minimised at the honest forecast p = q."""
    grid = np.linspace(0.01, 0.99, 99)
    for q in (0.1, 0.3, 0.5, 0.8):
        risk = [q * rule([1], [p]) + (1 - q) * rule([0], [p]) for p in grid]
        assert grid[int(np.argmin(risk))] == pytest.approx(q, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(scored, st.integers(1, 12))
def test_calibration_curve_agrees_with_sklearn_uniform_bins(pair, n_bins) -> None:  # type: ignore[no-untyped-def]
    from sklearn.calibration import calibration_curve

    y_true, p = pair
    y_true = np.r_[y_true, 0, 1]  # sklearn needs labels it can map to the positive class
    p = np.r_[p, 0.3, 0.6]
    prob_true, prob_pred = calibration_curve(y_true, p, n_bins=n_bins, strategy="uniform")
    curve = metrics.calibration_curve(y_true, p, n_bins=n_bins)
    np.testing.assert_allclose(curve.prob_true, prob_true, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(curve.prob_pred, prob_pred, rtol=1e-12, atol=1e-15)
    assert curve.counts.sum() == y_true.size and np.all(curve.counts > 0)
    # counts: sklearn's bin assignment (right-closed bins, 0 in the first bin)
    edges = np.linspace(0, 1, n_bins + 1)
    expected = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    np.testing.assert_array_equal(curve.counts, expected[expected > 0])
    ece = np.sum(curve.counts / y_true.size * np.abs(prob_true - prob_pred))
    assert metrics.expected_calibration_error(y_true, p, n_bins) == pytest.approx(
        ece, rel=1e-12, abs=1e-15)


def test_calibration_bins_are_closed_on_the_right() -> None:
    curve = metrics.calibration_curve([0, 1, 1, 0], [0.0, 0.5, 0.5000001, 1.0], n_bins=2)
    np.testing.assert_array_equal(curve.counts, [2, 2])  # 0.5 is in [0, 0.5]
    prob_true, prob_pred, counts = curve  # unpacks like sklearn's pair plus the counts
    np.testing.assert_array_equal(prob_true, [0.5, 0.5])
    np.testing.assert_allclose(prob_pred, [0.25, 0.75000005], rtol=1e-15)
    assert counts is curve.counts


def test_a_calibrated_model_has_a_small_ece_and_an_overconfident_one_a_large_one() -> None:
    rng = np.random.default_rng(2)
    q = rng.random(50000)
    y = (rng.random(50000) < q).astype(float)
    assert metrics.expected_calibration_error(y, q) < 0.01
    sharpened = q**3 / (q**3 + (1 - q) ** 3)  # pushes the same ranking towards 0 and 1
    assert metrics.expected_calibration_error(y, sharpened) > 0.1
    assert metrics.roc_auc(y, sharpened) == pytest.approx(metrics.roc_auc(y, q), abs=1e-12)


def test_expected_cost_counts_misses_and_false_alarms() -> None:
    y, p = [1, 1, 0, 0], [0.9, 0.2, 0.3, 0.1]
    assert metrics.expected_cost(y, p, 0.25, cost_fn=10, cost_fp=1) == (10 + 1) / 4
    assert metrics.expected_cost(y, p, 0.0, cost_fn=10, cost_fp=1) == 2 / 4  # all positive
    assert metrics.expected_cost(y, p, 1.5, cost_fn=10, cost_fp=1) == 20 / 4  # none positive
    assert metrics.expected_cost(y, p, 0.2, cost_fn=10, cost_fp=1) == 1 / 4  # p >= threshold
    assert metrics.expected_cost(y, p, np.inf, cost_fn=10, cost_fp=1) == 20 / 4  # none
    assert metrics.expected_cost(y, p, -np.inf, cost_fn=10, cost_fp=1) == 2 / 4  # all
    cm = metrics.confusion_matrix(y, (np.array(p) >= 0.5).astype(float))
    assert metrics.expected_cost(y, p, 0.5, cost_fn=1, cost_fp=1) == (cm[0, 1] + cm[1, 0]) / 4


def test_bayes_threshold_minimises_the_expected_cost_of_calibrated_probabilities() -> None:
    assert metrics.bayes_threshold(cost_fn=10, cost_fp=1) == pytest.approx(1 / 11)
    assert metrics.bayes_threshold(cost_fn=1, cost_fp=1) == 0.5
    assert metrics.bayes_threshold(cost_fn=0, cost_fp=3) == 1.0
    rng = np.random.default_rng(3)
    q = rng.random(200000)
    y = (rng.random(200000) < q).astype(float)
    grid = np.linspace(0, 1, 201)
    for c_fn, c_fp in ((10, 1), (1, 1), (1, 4)):
        costs = [metrics.expected_cost(y, q, t, c_fn, c_fp) for t in grid]
        assert grid[int(np.argmin(costs))] == pytest.approx(
            metrics.bayes_threshold(c_fn, c_fp), abs=0.03)


def test_probability_metrics_name_bad_arguments() -> None:
    for func in (metrics.brier_score, metrics.log_loss, metrics.calibration_curve,
                 metrics.expected_calibration_error):
        with pytest.raises(ValueError, match=r"p must contain probabilities in \[0, 1\]"):
            func([0, 1], [0.2, 1.2])
        with pytest.raises(ValueError, match="y_true must contain binary labels"):
            func([0, 2], [0.2, 0.3])
        with pytest.raises(ValueError, match="y_true and p must have the same shape"):
            func([0, 1, 1], [0.2, 0.3])
        with pytest.raises(ValueError, match="p must contain only finite"):
            func([0, 1], [0.2, np.nan])
        with pytest.raises(ValueError, match="y_true must not be empty"):
            func([], [])
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n_bins must be an integer >= 1"):
            metrics.calibration_curve([0, 1], [0.2, 0.3], n_bins=bad)
    with pytest.raises(ValueError, match="y_true and scores must have the same shape"):
        metrics.average_precision([0, 1], [0.1])
    with pytest.raises(ValueError, match=r"cost_fn must lie in \[0.0, inf\)"):
        metrics.expected_cost([0, 1], [0.2, 0.3], 0.5, cost_fn=-1, cost_fp=1)
    with pytest.raises(TypeError, match="threshold must be a real number"):
        metrics.expected_cost([0, 1], [0.2, 0.3], "0.5", cost_fn=1, cost_fp=1)
    with pytest.raises(ValueError, match="must not both be 0"):
        metrics.bayes_threshold(0, 0)


def test_docstring_examples_run() -> None:
    import doctest

    assert doctest.testmod(metrics).failed == 0
