"""Seeded synthetic data and scikit-learn's bundled datasets (no downloads)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from lossviz import data

GENERATORS = [
    lambda seed: data.one_param_regression(30, seed=seed),
    lambda seed: data.linear_1d(40, outliers=3, seed=seed),
    lambda seed: data.two_blobs(50, imbalance=0.2, seed=seed),
    lambda seed: data.two_moons(60, seed=seed),
    lambda seed: data.imbalanced_blobs(80, minority_fraction=0.2, seed=seed),
]


@pytest.mark.parametrize("make", GENERATORS,
                         ids=["one_param", "linear_1d", "blobs", "moons", "imbalanced"])
def test_generators_are_deterministic_under_a_seed(make) -> None:  # type: ignore[no-untyped-def]
    a, b, c = make(3), make(3), make(4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[1], c[1]) or not np.array_equal(a[0], c[0])


def test_generator_shapes() -> None:
    x, y = data.one_param_regression(30)
    assert x.shape == y.shape == (30,)
    x, y = data.linear_1d(40)
    assert x.shape == y.shape == (40,) and np.all(np.diff(x) >= 0)
    X, y = data.two_blobs(50)
    assert X.shape == (50, 2) and y.shape == (50,) and set(np.unique(y)) == {0.0, 1.0}


def test_outliers_are_shifted_up_by_outlier_shift() -> None:
    _, clean = data.linear_1d(40, seed=1)
    _, dirty = data.linear_1d(40, outliers=3, outlier_shift=10.0, seed=1)
    np.testing.assert_allclose(dirty - clean, [0.0] * 37 + [10.0] * 3)


def test_two_blobs_imbalance_sets_the_fraction_of_positives() -> None:
    _, y = data.two_blobs(200, imbalance=0.1, seed=0)
    assert y.mean() == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("n", "fraction", "n_minority"),
    [(400, 0.1, 40), (200, 0.05, 10), (101, 0.1, 10), (30, 0.05, 2), (10, 0.01, 1),
     (5, 0.5, 2), (2, 0.5, 1), (1000, 0.001, 1), (1000, 0.0025, 3)],
)
def test_imbalanced_blobs_has_exactly_the_documented_minority_count(n, fraction, n_minority) -> None:
    """min(n // 2, max(1, floor(n * fraction + 0.5))) examples of label 1."""
    X, y = data.imbalanced_blobs(n, minority_fraction=fraction, seed=3)
    assert X.shape == (n, 2) and y.shape == (n,) and X.dtype == y.dtype == np.float64
    assert set(np.unique(y)) == {0.0, 1.0}
    assert int(y.sum()) == n_minority


def test_imbalanced_blobs_default_signature_and_centres() -> None:
    X, y = data.imbalanced_blobs()
    assert X.shape == (400, 2) and int(y.sum()) == 40
    X, y = data.imbalanced_blobs(20000, minority_fraction=0.3, separation=4.0, seed=1)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2.0, 0.0], atol=0.05)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2.0, 0.0], atol=0.05)
    np.testing.assert_allclose(X[y == 0].std(axis=0), [1.0, 1.0], atol=0.03)
    X, y = data.imbalanced_blobs(200, separation=0.0)
    assert np.abs(X[y == 1].mean(axis=0)).max() < 0.5  # one blob: the classes overlap fully


def test_imbalanced_blobs_are_nested_across_the_minority_fraction() -> None:
    """Raising the fraction only relabels (and moves) the points that switch to class 1."""
    X1, y1 = data.imbalanced_blobs(300, minority_fraction=0.05, seed=7)
    X2, y2 = data.imbalanced_blobs(300, minority_fraction=0.2, seed=7)
    kept = y1 == y2
    np.testing.assert_array_equal(X1[kept], X2[kept])
    assert not np.any((y1 == 1) & (y2 == 0))
    assert int(np.sum(~kept)) == 60 - 15


def test_imbalanced_blobs_refuses_bad_input_by_name() -> None:
    for bad in (0.0, 0.6, -0.1, 1.0):
        with pytest.raises(ValueError, match=r"minority_fraction must lie in \(0.0, 0.5\]"):
            data.imbalanced_blobs(100, minority_fraction=bad)
    with pytest.raises(TypeError, match="minority_fraction must be a real number"):
        data.imbalanced_blobs(100, minority_fraction="0.1")
    for bad in (1, 0, 2.5, True):
        with pytest.raises(ValueError, match="n must be an integer >= 2"):
            data.imbalanced_blobs(bad)
    with pytest.raises(ValueError, match="separation must lie in"):
        data.imbalanced_blobs(100, separation=-1.0)
    with pytest.raises(ValueError, match="separation must be finite"):
        data.imbalanced_blobs(100, separation=np.inf)


def test_one_param_regression_recovers_theta_without_noise() -> None:
    x, y = data.one_param_regression(25, theta=2.5, noise=0.0)
    assert np.sum(x * y) / np.sum(x * x) == pytest.approx(2.5)


def test_heteroscedastic_1d_is_deterministic_sorted_and_shaped() -> None:
    x, y = data.heteroscedastic_1d(80, seed=5)
    x2, y2 = data.heteroscedastic_1d(80, seed=5)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert x.shape == y.shape == (80,) and np.all(np.diff(x) >= 0)
    assert not np.array_equal(y, data.heteroscedastic_1d(80, seed=6)[1])


def test_heteroscedastic_1d_spread_grows_with_x() -> None:
    x, y = data.heteroscedastic_1d(20_000, slope=0.6, intercept=1.0, noise=0.3,
                                   noise_growth=0.25, seed=0)
    residual = y - (1.0 + 0.6 * x)
    left, right = residual[x < 2.0], residual[x > 8.0]
    # the standard deviation is noise + noise_growth * x: about 0.55 on [0, 2], 2.55 on [8, 10]
    assert left.std() == pytest.approx(0.55, rel=0.05)
    assert right.std() == pytest.approx(2.55, rel=0.05)


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_heteroscedastic_1d_true_quantile_line_has_a_fraction_tau_below(tau: float) -> None:
    from scipy.stats import norm

    x, y = data.heteroscedastic_1d(20_000, slope=0.6, intercept=1.0, noise=0.3,
                                   noise_growth=0.25, seed=1)
    z = norm.ppf(tau)
    quantile_line = 1.0 + 0.3 * z + (0.6 + 0.25 * z) * x  # the docstring's formula
    assert np.mean(y < quantile_line) == pytest.approx(tau, abs=0.01)


def test_heteroscedastic_1d_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="noise_growth"):
        data.heteroscedastic_1d(10, noise_growth=-0.1)
    with pytest.raises(ValueError, match="x_range"):
        data.heteroscedastic_1d(10, x_range=(-1.0, 5.0))
    with pytest.raises(ValueError, match="n must be"):
        data.heteroscedastic_1d(0)


@pytest.mark.parametrize(
    ("loader", "n", "d"),
    [(data.load_diabetes, 442, 10), (data.load_breast_cancer, 569, 30), (data.load_digits, 1797, 64)],
    ids=["diabetes", "breast_cancer", "digits"],
)
def test_loaders_split_all_examples_with_a_seed(loader, n, d) -> None:  # type: ignore[no-untyped-def]
    s = loader(seed=0)
    sizes = [len(s.y_train), len(s.y_val), len(s.y_test)]
    assert sum(sizes) == n and s.X_train.shape[1] == d
    assert s.X_val.shape == (sizes[1], d) and s.X_test.shape == (sizes[2], d)
    assert sizes[1] == pytest.approx(0.2 * n, abs=1) and sizes[2] == pytest.approx(0.2 * n, abs=1)
    np.testing.assert_array_equal(loader(seed=0).X_train, s.X_train)
    assert not np.array_equal(loader(seed=1).X_train, s.X_train)
    assert len(s.feature_names) == d and s.description


def test_features_are_standardised_with_training_statistics_only() -> None:
    s = data.load_breast_cancer(seed=0)
    np.testing.assert_allclose(s.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(s.X_train.std(axis=0), 1.0, atol=1e-12)
    assert not np.allclose(s.X_val.mean(axis=0), 0.0, atol=1e-3)
    raw = data.load_breast_cancer(seed=0, standardize_features=False)
    mean, std = s.scaling
    np.testing.assert_allclose((raw.X_val - mean) / std, s.X_val)


def test_breast_cancer_labels_malignant_as_the_positive_class() -> None:
    from sklearn.datasets import load_breast_cancer

    s = data.load_breast_cancer(seed=0, test_size=0.0, val_size=0.5)
    y = np.concatenate([s.y_train, s.y_val])
    assert y.sum() == np.sum(load_breast_cancer().target == 0) == 212
    assert s.target_names == ["benign", "malignant"]
    sk = data.load_breast_cancer(seed=0, malignant_is_positive=False)
    assert sk.target_names == ["malignant", "benign"]


def test_classification_splits_are_stratified() -> None:
    s = data.load_breast_cancer(seed=0)
    assert abs(s.y_train.mean() - s.y_val.mean()) < 0.02
    d = data.load_digits(seed=0)
    assert set(np.unique(d.y_val)) == set(range(10))


def test_counts_override_fractions_and_the_test_set_takes_the_rest() -> None:
    d = data.diabetes(n_train=60, n_val=120, seed=0)
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (60, 120, 262)
    np.testing.assert_allclose([d.y_train.mean(), d.y_train.std()], [0.0, 1.0], atol=1e-12)
    raw = data.diabetes(n_train=60, n_val=120, seed=0, standardize_target=False)
    y_mean, y_std = d.scaling[2], d.scaling[3]
    np.testing.assert_allclose(raw.y_val, d.y_val * y_std + y_mean)


def test_impossible_split_sizes_are_rejected() -> None:
    with pytest.raises(ValueError, match="cannot split"):
        data.load_diabetes(val_size=0.6, test_size=0.5)
    with pytest.raises(ValueError, match="imbalance"):
        data.two_blobs(10, imbalance=1.0)


def test_no_loader_downloads_anything() -> None:
    source = inspect.getsource(data)
    assert "fetch_" not in source and "urllib" not in source and "requests" not in source


def test_loaders_work_with_the_network_blocked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import socket

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for loader in (data.load_diabetes, data.load_breast_cancer, data.load_digits):
        assert len(loader(seed=2).y_train) > 0
