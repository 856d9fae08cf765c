"""The 2-D embedding toy problem of chapter 08 (lossviz.embeddings)."""

from __future__ import annotations

import dataclasses
import doctest

import numpy as np
import pytest

from lossviz import embeddings as emb
from lossviz import losses
from lossviz.embeddings import (
    LOSSES,
    augment,
    compare_losses,
    make_embedding_data,
    nearest_neighbour_accuracy,
    separation_ratio,
    train_embedding,
)


@pytest.fixture(scope="module")
def data():
    return make_embedding_data(seed=0)


@pytest.fixture(scope="module")
def runs(data):
    return compare_losses(data, seed=0)


def test_docstring_examples_run():
    result = doctest.testmod(emb, extraglobs={"np": np})
    assert result.attempted > 0 and result.failed == 0


# -- data and views -------------------------------------------------------------------------


def test_data_shapes_labels_and_determinism(data):
    assert data.x_train.shape == data.x_test.shape == (80, 8)
    assert np.bincount(data.y_train).tolist() == [20, 20, 20, 20]
    np.testing.assert_array_equal(data.y_train, data.y_test)
    again = make_embedding_data(seed=0)
    np.testing.assert_array_equal(again.x_train, data.x_train)
    assert not np.array_equal(make_embedding_data(seed=1).x_train, data.x_train)


def test_the_class_lives_in_the_signal_coordinates_only(data):
    x, y = data.x_train, data.y_train
    means = np.stack([x[y == k].mean(axis=0) for k in range(4)])
    radii = np.linalg.norm(means[:, :2], axis=1)
    np.testing.assert_allclose(radii, 3.0, atol=0.6)  # centres on the circle of radius 3
    assert np.all(np.abs(means[:, 2:]) < 2.0)  # nuisance: no class information
    assert np.std(x[:, 2:]) == pytest.approx(3.0, rel=0.1)


def test_augment_keeps_the_signal_and_redraws_the_nuisance(data):
    rng = np.random.default_rng(12345)
    view = augment(data.x_train, data, rng)
    signal_shift = view[:, :2] - data.x_train[:, :2]
    assert np.std(signal_shift) == pytest.approx(0.3, rel=0.15)
    assert abs(np.corrcoef(view[:, 2:].ravel(), data.x_train[:, 2:].ravel())[0, 1]) < 0.1
    with pytest.raises(ValueError, match=r"x must have shape \(n, 8\)"):
        augment(np.zeros((3, 5)), data, rng)


# -- quality measures -------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_nearest_neighbour_accuracy_is_sklearns_1nn(metric):
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(1)
    train, test = rng.normal(size=(60, 2)), rng.normal(size=(40, 2))
    y_train, y_test = rng.integers(0, 3, 60), rng.integers(0, 3, 40)
    y_train[train[:, 0] > 0.5] = 2
    y_test[test[:, 0] > 0.5] = 2
    knn = KNeighborsClassifier(n_neighbors=1, metric=metric, algorithm="brute")
    expected = knn.fit(train, y_train).score(test, y_test)
    ours = nearest_neighbour_accuracy(train, y_train, test, y_test, metric=metric)
    assert ours == pytest.approx(expected, abs=1e-15)


def test_separation_ratio_by_hand_and_scale_free():
    z = np.array([[0.0, 0.0], [0.0, 2.0], [6.0, 0.0], [6.0, 2.0]])
    y = [0, 0, 1, 1]
    assert separation_ratio(z, y) == pytest.approx(6.0)  # centroids 6 apart, spread 1
    assert separation_ratio(1e-3 * z + 5.0, y) == pytest.approx(6.0)
    assert separation_ratio(z, [0, 1, 0, 1]) == pytest.approx(2.0 / 3.0)
    with pytest.raises(ValueError, match="at least two classes"):
        separation_ratio(z, [0, 0, 0, 0])


def test_cosine_measures_ignore_lengths():
    z = np.array([[1.0, 0.0], [2.0, 0.1], [0.0, 1.0], [0.1, 5.0]])
    y = [0, 0, 1, 1]
    scaled = z * np.array([[1.0], [100.0], [0.01], [3.0]])
    assert separation_ratio(scaled, y, metric="cosine") == pytest.approx(
        separation_ratio(z, y, metric="cosine")
    )
    with pytest.raises(ValueError, match="zero row"):
        separation_ratio(np.vstack([z, [[0.0, 0.0]]]), [0, 0, 1, 1, 1], metric="cosine")


def test_quality_measures_validate_their_input():
    with pytest.raises(ValueError, match="metric must be 'euclidean' or 'cosine'"):
        separation_ratio([[0.0], [1.0]], [0, 1], metric="manhattan")
    with pytest.raises(ValueError, match=r"labels must hold one integer label per row"):
        separation_ratio([[0.0], [1.0]], [0, 1, 1])
    with pytest.raises(ValueError, match="test_embeddings must have the width"):
        nearest_neighbour_accuracy([[0.0, 1.0]], [0], [[0.0]], [0])


# -- training ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LOSSES)
def test_training_separates_the_classes(runs, name):
    run = runs[name]
    assert run.knn_accuracy[0] < 0.4  # chance is 0.25: the nuisance dominates at first
    assert run.separation[0] < 1.0
    assert run.knn_accuracy[-1] >= 0.85
    assert run.separation[-1] > 4.0
    assert run.monitor_loss[-1] < 0.3 * run.monitor_loss[0]
    assert run.seconds < 2.0


@pytest.mark.parametrize("name", LOSSES)
def test_the_learned_map_ignores_the_nuisance(runs, name):
    w = runs[name].weights
    signal = np.linalg.norm(w[:2])
    nuisance = np.linalg.norm(w[2:])
    assert nuisance < 0.3 * signal


def test_snapshots_have_the_documented_shapes(runs):
    run = runs["triplet"]
    assert run.steps.tolist() == list(range(0, 151, 5))
    s = run.steps.size
    assert run.embeddings.shape == (s, 80, 2) and run.test_embeddings.shape == (s, 80, 2)
    assert run.monitor_loss.shape == run.knn_accuracy.shape == run.separation.shape == (s,)
    assert run.batch_losses.shape == (150,)
    assert run.metric == "euclidean" and runs["info_nce"].metric == "cosine"
    assert dict(run.params) == {"margin": 1.0, "p": 2.0, "eps": 1e-6}


def test_every_loss_starts_from_the_same_embedding(runs):
    first = runs["triplet"].embeddings[0]
    for name in LOSSES:
        np.testing.assert_array_equal(runs[name].embeddings[0], first)


def test_runs_are_deterministic(data, runs):
    again = train_embedding("info_nce", data, seed=0)
    np.testing.assert_array_equal(again.embeddings, runs["info_nce"].embeddings)
    np.testing.assert_array_equal(again.batch_losses, runs["info_nce"].batch_losses)
    other = train_embedding("info_nce", data, seed=1)
    assert not np.array_equal(other.weights, again.weights)


def test_info_nce_never_sees_the_class_labels(data):
    shuffled = dataclasses.replace(data, y_train=np.random.default_rng(0).permutation(data.y_train))
    a = train_embedding("info_nce", data, steps=20)
    b = train_embedding("info_nce", shuffled, steps=20)
    np.testing.assert_array_equal(a.weights, b.weights)
    c = train_embedding("triplet", data, steps=20)
    d = train_embedding("triplet", shuffled, steps=20)
    assert not np.array_equal(c.weights, d.weights)


@pytest.mark.parametrize("name", LOSSES)
def test_the_step_is_the_gradient_with_respect_to_the_map(data, name):
    """X^T dL/dZ, the update direction, matches central differences of L(X W) in W."""
    loss = losses.get(name)
    rng = np.random.default_rng(3)
    w = rng.normal(0.0, 0.4, size=(8, 2))
    if name == "info_nce":
        items = np.arange(10)
        x = np.vstack([augment(data.x_train[items], data, rng) for _ in range(2)])
        y = np.concatenate([items, items])
    else:
        idx = rng.choice(80, size=16, replace=False)
        x, y = data.x_train[idx], data.y_train[idx]
    analytic = x.T @ loss.grad(y, x @ w)
    numeric = np.zeros_like(w)
    h = 1e-6
    for idx in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (loss(y, x @ up) - loss(y, x @ down)) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_hyper_parameters_reach_the_loss(data):
    run = train_embedding("triplet", data, steps=5, margin=0.3)
    assert run.params["margin"] == 0.3
    y, z = data.y_train, data.x_train @ run.weights
    assert run.monitor_loss[-1] == losses.triplet(y, z, margin=0.3)
    with pytest.raises(TypeError, match="triplet has no hyper-parameter 'temperature'"):
        train_embedding("triplet", data, steps=5, temperature=0.1)


def test_the_last_step_is_always_a_snapshot(data):
    run = train_embedding("contrastive", data, steps=12, snapshot_every=5)
    assert run.steps.tolist() == [0, 5, 10, 12]


def test_bad_arguments_are_refused(data):
    with pytest.raises(ValueError, match="loss must be one of 'triplet', 'contrastive'"):
        train_embedding("mse", data)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        train_embedding("triplet", data, steps=0)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        train_embedding("triplet", data, batch_size=8.0)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        train_embedding("triplet", data, learning_rate=-0.1)
    with pytest.raises(ValueError, match="needs 25 points per class"):
        train_embedding("triplet", data, batch_size=100)
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        make_embedding_data(n_classes=1)
    with pytest.raises(ValueError, match="separation must be > 0"):
        make_embedding_data(separation=0.0)
