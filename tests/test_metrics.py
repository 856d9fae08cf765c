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
