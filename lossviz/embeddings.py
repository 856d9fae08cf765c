r"""A 2-D embedding toy problem for the metric-learning losses (chapter 08).

Points of a few classes live in a :math:`D`-dimensional input space; a linear map
:math:`z = x W` (:math:`W \in \mathbb{R}^{D \times 2}`) sends them to a 2-D embedding that
can be drawn. Only the first ``n_signal`` input coordinates carry the class (the class
centres sit on a circle there); the other ``n_nuisance`` coordinates are large,
class-independent noise. A random :math:`W` mostly shows the nuisance, so the classes are
mixed; a good :math:`W` ignores it. :func:`train_embedding` learns :math:`W` by gradient
descent on one of the registered losses, using its registered gradient with respect to the
embeddings and the chain rule :math:`\partial L / \partial W = X^\top\, \partial L /
\partial Z`:

- ``"triplet"`` and ``"contrastive"`` (:func:`lossviz.losses.triplet`,
  :func:`lossviz.losses.contrastive`) see the class labels: each step takes a batch with
  the same number of points of every class (Euclidean geometry);
- ``"info_nce"`` (:func:`lossviz.losses.info_nce`) never sees a class label: as in SimCLR,
  each step takes a batch of points, makes two *views* of each (the nuisance coordinates
  redrawn, the signal slightly jittered), and asks each view to find its twin among all
  the others (cosine geometry). The classes separate only because the augmentation tells
  the loss what to ignore.

Every run records snapshots of the train and test embeddings, the loss on a fixed
monitoring batch, the 1-nearest-neighbour accuracy of the test points against the train
points (:func:`nearest_neighbour_accuracy`) and a class-separation ratio
(:func:`separation_ratio`), each in the loss's own geometry, so a chapter can show the
points moving and the quality rising. Runs are deterministic for a seed and take well
under a second.

>>> run = train_embedding("triplet", steps=40, seed=0)
>>> run.embeddings.shape                      # (snapshots, train points, 2)
(9, 80, 2)
>>> bool(run.knn_accuracy[-1] > run.knn_accuracy[0])
True
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .losses import get
from .losses._core import FloatArray, as_float_array, check_positive

__all__ = [
    "LOSSES",
    "EmbeddingData",
    "EmbeddingRun",
    "augment",
    "compare_losses",
    "make_embedding_data",
    "nearest_neighbour_accuracy",
    "separation_ratio",
    "train_embedding",
]

IntArray = NDArray[np.intp]

#: The registered losses :func:`train_embedding` can train with.
LOSSES = ("triplet", "contrastive", "info_nce")

#: Geometry in which each loss measures closeness (and the quality measures follow).
_METRIC = {"triplet": "euclidean", "contrastive": "euclidean", "info_nce": "cosine"}

#: Default learning rates (plain gradient descent on the mean loss).
_LEARNING_RATE = {"triplet": 0.02, "contrastive": 0.02, "info_nce": 0.005}


# -- validation -------------------------------------------------------------------------------


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
    return int(value)


def _check_loss(loss: Any) -> str:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}; got {loss!r}.")
    return str(loss)


def _check_metric(metric: Any) -> str:
    if metric not in ("euclidean", "cosine"):
        raise ValueError(f"metric must be 'euclidean' or 'cosine'; got {metric!r}.")
    return str(metric)


def _embeddings(z: ArrayLike, name: str) -> FloatArray:
    arr = as_float_array(z, name)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of embeddings, shape (n, d); got shape {arr.shape}."
        )
    return arr


def _labels(y: ArrayLike, n: int, name: str, rows_of: str) -> IntArray:
    arr = as_float_array(y, name)
    if arr.shape != (n,):
        raise ValueError(
            f"{name} must hold one integer label per row of {rows_of}, shape ({n},); got "
            f"shape {arr.shape}."
        )
    if np.any(arr != np.round(arr)):
        raise ValueError(
            f"{name} must contain integer labels; got {arr[arr != np.round(arr)][0]!r}."
        )
    return arr.astype(np.intp)


def _in_geometry(z: FloatArray, metric: str, name: str) -> FloatArray:
    """Unit rows for the cosine geometry (rejecting zero rows), the rows as they are else."""
    if metric == "euclidean":
        return z
    norms = np.linalg.norm(z, axis=1)
    if np.any(norms == 0.0):
        raise ValueError(f"{name} has a zero row, which has no direction for metric='cosine'.")
    return z / norms[:, None]


# -- quality measures ---------------------------------------------------------------------------


def nearest_neighbour_accuracy(
    train_embeddings: ArrayLike,
    train_labels: ArrayLike,
    test_embeddings: ArrayLike,
    test_labels: ArrayLike,
    *,
    metric: str = "euclidean",
) -> float:
    """Fraction of test points whose nearest train point (1-NN) has their label.

    Args:
        train_embeddings: the reference points, shape ``(n, d)``.
        train_labels: their integer labels, shape ``(n,)``.
        test_embeddings: the points to classify, shape ``(m, d)``.
        test_labels: their true labels, shape ``(m,)``.
        metric: ``"euclidean"``, or ``"cosine"`` (the largest cosine similarity, i.e. the
            Euclidean nearest neighbour of the unit-normalised rows).

    Returns:
        The accuracy in [0, 1] (scikit-learn's ``KNeighborsClassifier(n_neighbors=1)``
        gives the same).

    Example:
        >>> nearest_neighbour_accuracy([[0.0], [1.0]], [0, 1], [[0.2], [0.4], [0.9]], [0, 1, 1])
        0.6666666666666666
    """
    metric = _check_metric(metric)
    ref = _embeddings(train_embeddings, "train_embeddings")
    query = _embeddings(test_embeddings, "test_embeddings")
    if query.shape[1] != ref.shape[1]:
        raise ValueError(
            f"test_embeddings must have the width of train_embeddings ({ref.shape[1]}); got "
            f"shape {query.shape}."
        )
    y_ref = _labels(train_labels, ref.shape[0], "train_labels", "train_embeddings")
    y_query = _labels(test_labels, query.shape[0], "test_labels", "test_embeddings")
    ref = _in_geometry(ref, metric, "train_embeddings")
    query = _in_geometry(query, metric, "test_embeddings")
    sq = np.sum(query**2, axis=1)[:, None] - 2.0 * query @ ref.T + np.sum(ref**2, axis=1)[None, :]
    return float(np.mean(y_ref[np.argmin(sq, axis=1)] == y_query))


def separation_ratio(
    embeddings: ArrayLike, labels: ArrayLike, *, metric: str = "euclidean"
) -> float:
    r"""How far apart the classes are, relative to how spread out each class is.

    .. math::
        \frac{\operatorname{mean}_{a < b} \lVert \mu_a - \mu_b \rVert}
             {\operatorname{mean}_i \lVert z_i - \mu_{y_i} \rVert}

    with :math:`\mu_a` the centroid of class :math:`a`. Scale-free; for
    ``metric="cosine"`` it is computed on the unit-normalised rows. Needs at least two
    classes; a ratio well above 1 means compact, well separated classes.

    Args:
        embeddings: shape ``(n, d)``.
        labels: integer labels, shape ``(n,)``.
        metric: ``"euclidean"`` or ``"cosine"``.

    Returns:
        The ratio (``inf`` if every point sits exactly on its class centroid).

    Example:
        >>> separation_ratio([[0.0], [2.0], [10.0], [12.0]], [0, 0, 1, 1])   # 10 / 1
        10.0
    """
    metric = _check_metric(metric)
    z = _in_geometry(_embeddings(embeddings, "embeddings"), metric, "embeddings")
    y = _labels(labels, z.shape[0], "labels", "embeddings")
    classes, index = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"labels must contain at least two classes; got {classes.size}.")
    centroids = np.stack([z[index == k].mean(axis=0) for k in range(classes.size)])
    a, b = np.triu_indices(classes.size, k=1)
    between = float(np.mean(np.linalg.norm(centroids[a] - centroids[b], axis=1)))
    within = float(np.mean(np.linalg.norm(z - centroids[index], axis=1)))
    return between / within if within > 0.0 else float("inf")


# -- the data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbeddingData:
    """Labelled points whose class lives in a few of their coordinates.

    Attributes:
        x_train: training inputs, shape ``(n_classes * n_per_class, n_signal + n_nuisance)``.
        y_train: their class labels ``0 .. n_classes - 1``.
        x_test: held-out inputs drawn the same way, the same shape as ``x_train``.
        y_test: their class labels.
        n_signal: the number of leading coordinates that carry the class.
        nuisance_scale: the standard deviation of the other (nuisance) coordinates.
        jitter: the standard deviation of the signal noise that :func:`augment` adds.
    """

    x_train: FloatArray
    y_train: IntArray
    x_test: FloatArray
    y_test: IntArray
    n_signal: int
    nuisance_scale: float
    jitter: float

    @property
    def n_classes(self) -> int:
        """The number of classes."""
        return int(self.y_train.max()) + 1


def make_embedding_data(
    n_classes: int = 4,
    n_per_class: int = 20,
    *,
    n_signal: int = 2,
    n_nuisance: int = 6,
    separation: float = 3.0,
    nuisance_scale: float = 3.0,
    jitter: float = 0.3,
    seed: int = 0,
) -> EmbeddingData:
    """Draw train and test points: class centres on a circle, plus nuisance coordinates.

    In the first two signal coordinates the centre of class :math:`k` is
    ``separation * (cos, sin)(2 pi k / n_classes)`` (further signal coordinates have centre
    0); each point adds unit Gaussian noise to its centre. The ``n_nuisance`` remaining
    coordinates are Gaussian with standard deviation ``nuisance_scale``, independent of the
    class.

    Args:
        n_classes: at least 2.
        n_per_class: points per class in the train set and again in the test set (>= 2).
        n_signal: coordinates carrying the class (>= 2).
        n_nuisance: class-independent coordinates (>= 0).
        separation: the radius of the circle of class centres (> 0).
        nuisance_scale: the standard deviation of the nuisance coordinates (> 0).
        jitter: the signal noise of :func:`augment`'s views (> 0).
        seed: the random seed.

    Returns:
        An :class:`EmbeddingData`.

    Example:
        >>> data = make_embedding_data(n_classes=3, n_per_class=5, seed=1)
        >>> data.x_train.shape, data.y_train.tolist()[:6]
        ((15, 8), [0, 0, 0, 0, 0, 1])
    """
    k = _check_int(n_classes, "n_classes", 2)
    m = _check_int(n_per_class, "n_per_class", 2)
    s = _check_int(n_signal, "n_signal", 2)
    q = _check_int(n_nuisance, "n_nuisance", 0)
    radius = check_positive(separation, "separation")
    scale = check_positive(nuisance_scale, "nuisance_scale")
    jit = check_positive(jitter, "jitter")
    rng = np.random.default_rng(seed)
    angles = 2.0 * np.pi * np.arange(k) / k
    centres = np.zeros((k, s))
    centres[:, 0], centres[:, 1] = radius * np.cos(angles), radius * np.sin(angles)
    y = np.repeat(np.arange(k), m)

    def draw() -> FloatArray:
        signal = centres[y] + rng.normal(0.0, 1.0, size=(y.size, s))
        return np.hstack([signal, rng.normal(0.0, scale, size=(y.size, q))])

    x_train, x_test = draw(), draw()
    return EmbeddingData(
        x_train, y.astype(np.intp), x_test, y.astype(np.intp).copy(), s, scale, jit
    )


def augment(x: ArrayLike, data: EmbeddingData, rng: np.random.Generator) -> FloatArray:
    """A random view of each input row: nuisance coordinates redrawn, signal jittered.

    The two views of one point share its class coordinates (up to ``data.jitter``) and
    nothing else, which is all that InfoNCE learns from.

    Args:
        x: inputs, shape ``(n, n_signal + n_nuisance)``.
        data: gives ``n_signal``, ``nuisance_scale`` and ``jitter``.
        rng: the random generator to draw from.

    Returns:
        The views, the shape of ``x``.
    """
    view = np.array(as_float_array(x, "x"), dtype=np.float64, copy=True)
    if view.ndim != 2 or view.shape[1] != data.x_train.shape[1]:
        raise ValueError(
            f"x must have shape (n, {data.x_train.shape[1]}) like data.x_train; got "
            f"shape {view.shape}."
        )
    s = data.n_signal
    view[:, :s] += rng.normal(0.0, data.jitter, size=(view.shape[0], s))
    view[:, s:] = rng.normal(0.0, data.nuisance_scale, size=(view.shape[0], view.shape[1] - s))
    return view


# -- training -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbeddingRun:
    """Snapshots of a linear 2-D embedding trained by :func:`train_embedding`.

    Attributes:
        loss: the registered loss trained with (``"triplet"``, ``"contrastive"`` or
            ``"info_nce"``).
        params: its hyper-parameters.
        metric: the geometry of the loss and of the quality measures, ``"euclidean"`` or
            ``"cosine"``.
        learning_rate: the gradient-descent step size.
        steps: the step at which each snapshot was taken (0 = before training), shape
            ``(S,)``.
        embeddings: the train embeddings at each snapshot, shape ``(S, n_train, 2)``.
        test_embeddings: the test embeddings, shape ``(S, n_test, 2)``.
        labels: the train labels (for colouring), shape ``(n_train,)``.
        test_labels: the test labels, shape ``(n_test,)``.
        monitor_loss: the loss on a fixed monitoring batch at each snapshot (the whole
            train set; for InfoNCE two fixed views of it), shape ``(S,)``.
        knn_accuracy: the test points' 1-nearest-neighbour accuracy against the train
            points at each snapshot, shape ``(S,)``.
        separation: the train points' :func:`separation_ratio` at each snapshot.
        batch_losses: the mini-batch loss at every step, shape ``(n_steps,)``.
        weights: the final linear map :math:`W`, shape ``(D, 2)``.
        seconds: the wall-clock time of the run.
    """

    loss: str
    params: Mapping[str, Any]
    metric: str
    learning_rate: float
    steps: IntArray
    embeddings: FloatArray
    test_embeddings: FloatArray
    labels: IntArray
    test_labels: IntArray
    monitor_loss: FloatArray
    knn_accuracy: FloatArray
    separation: FloatArray
    batch_losses: FloatArray
    weights: FloatArray
    seconds: float = field(compare=False)


def _class_batch(y: IntArray, n_classes: int, per_class: int, rng: np.random.Generator) -> IntArray:
    """Indices of ``per_class`` random points of every class (a balanced batch)."""
    picks = [
        rng.choice(np.flatnonzero(y == k), size=per_class, replace=False) for k in range(n_classes)
    ]
    return np.concatenate(picks)


def train_embedding(
    loss: str = "triplet",
    data: EmbeddingData | None = None,
    *,
    steps: int = 150,
    learning_rate: float | None = None,
    batch_size: int = 32,
    snapshot_every: int = 5,
    seed: int = 0,
    **params: Any,
) -> EmbeddingRun:
    r"""Train a linear 2-D embedding :math:`z = x W` with one metric-learning loss.

    Plain gradient descent on the mean loss of a mini-batch, :math:`W \leftarrow W - \eta
    X_B^\top\, \partial L / \partial Z_B`, where :math:`\partial L / \partial Z_B` is the
    loss's registered gradient (``lossviz.losses.get(loss).grad``). The initial :math:`W`
    depends only on ``seed`` and the input width, so runs with different losses start from
    the same embedding.

    Batches: for ``"triplet"`` and ``"contrastive"``, ``batch_size // n_classes`` random
    points of every class with their class labels; for ``"info_nce"``, ``batch_size // 2``
    random points, each seen through two :func:`augment` views, labelled by point (so each
    label appears twice and class labels are never used).

    Args:
        loss: ``"triplet"``, ``"contrastive"`` or ``"info_nce"``.
        data: the points; by default ``make_embedding_data(seed=seed)``.
        steps: the number of gradient steps (>= 1).
        learning_rate: the step size :math:`\eta > 0`; by default 0.02 for triplet and
            contrastive, 0.005 for InfoNCE (its gradient carries a factor
            :math:`1 / \tau = 10`).
        batch_size: the number of embeddings per step (>= 4).
        snapshot_every: take a snapshot every this many steps (and always after the last).
        seed: the random seed (initial :math:`W`, batches and views).
        **params: the loss's hyper-parameters (``margin``, ``temperature``, ...); the
            registry's defaults otherwise.

    Returns:
        An :class:`EmbeddingRun`.

    Example:
        >>> run = train_embedding("info_nce", steps=10, snapshot_every=5, temperature=0.5)
        >>> run.steps.tolist(), run.metric
        ([0, 5, 10], 'cosine')
    """
    start = time.perf_counter()
    name = _check_loss(loss)
    n_steps = _check_int(steps, "steps", 1)
    every = _check_int(snapshot_every, "snapshot_every", 1)
    size = _check_int(batch_size, "batch_size", 4)
    eta = check_positive(
        _LEARNING_RATE[name] if learning_rate is None else learning_rate, "learning_rate"
    )
    if data is None:
        data = make_embedding_data(seed=seed)
    registered = get(name)
    unknown = set(params) - set(registered.params)
    if unknown:
        raise TypeError(
            f"{name} has no hyper-parameter {sorted(unknown)[0]!r}; it takes "
            f"{', '.join(registered.params)}."
        )
    settings = {**registered.params, **params}
    metric = _METRIC[name]
    # child streams, independent of make_embedding_data(seed)'s default_rng(seed)
    train_seed, monitor_seed = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(train_seed)
    x, y = data.x_train, data.y_train
    width = x.shape[1]
    w = rng.normal(0.0, 1.0 / np.sqrt(width), size=(width, 2))
    per_class = max(2, size // data.n_classes)
    if np.min(np.bincount(y)) < per_class:
        raise ValueError(
            f"batch_size {size} needs {per_class} points per class; data has only "
            f"{int(np.min(np.bincount(y)))} in its smallest class."
        )
    # the fixed monitoring batch: the whole train set (two fixed views of it for InfoNCE)
    monitor_rng = np.random.default_rng(monitor_seed)
    if name == "info_nce":
        monitor_x = np.vstack([augment(x, data, monitor_rng), augment(x, data, monitor_rng)])
        monitor_y = np.concatenate([np.arange(y.size), np.arange(y.size)])
    else:
        monitor_x, monitor_y = x, y

    snapshot_steps, train_z, test_z, monitor, knn, sep = [], [], [], [], [], []

    def snapshot(step: int) -> None:
        z, zt = x @ w, data.x_test @ w
        snapshot_steps.append(step)
        train_z.append(z)
        test_z.append(zt)
        monitor.append(registered(monitor_y, monitor_x @ w, **settings))
        knn.append(nearest_neighbour_accuracy(z, y, zt, data.y_test, metric=metric))
        sep.append(separation_ratio(z, y, metric=metric))

    batch_losses = np.empty(n_steps)
    snapshot(0)
    for step in range(1, n_steps + 1):
        if name == "info_nce":
            items = rng.choice(y.size, size=max(2, size // 2), replace=False)
            xb = np.vstack([augment(x[items], data, rng), augment(x[items], data, rng)])
            yb = np.concatenate([np.arange(items.size), np.arange(items.size)])
        else:
            idx = _class_batch(y, data.n_classes, per_class, rng)
            xb, yb = x[idx], y[idx]
        zb = xb @ w
        batch_losses[step - 1] = registered(yb, zb, **settings)
        w = w - eta * (xb.T @ registered.grad(yb, zb, **settings))
        if step % every == 0 or step == n_steps:
            snapshot(step)

    return EmbeddingRun(
        loss=name,
        params=MappingProxyType(settings),
        metric=metric,
        learning_rate=eta,
        steps=np.array(snapshot_steps, dtype=np.intp),
        embeddings=np.stack(train_z),
        test_embeddings=np.stack(test_z),
        labels=y.copy(),
        test_labels=data.y_test.copy(),
        monitor_loss=np.array(monitor),
        knn_accuracy=np.array(knn),
        separation=np.array(sep),
        batch_losses=batch_losses,
        weights=w,
        seconds=time.perf_counter() - start,
    )


def compare_losses(
    data: EmbeddingData | None = None, *, steps: int = 150, seed: int = 0
) -> dict[str, EmbeddingRun]:
    """:func:`train_embedding` with each of :data:`LOSSES` on the same data and start.

    Args:
        data: the points; by default ``make_embedding_data(seed=seed)``.
        steps: gradient steps per run.
        seed: the random seed shared by the runs.

    Returns:
        ``{loss name: EmbeddingRun}`` in the order of :data:`LOSSES`.
    """
    if data is None:
        data = make_embedding_data(seed=seed)
    return {name: train_embedding(name, data, steps=steps, seed=seed) for name in LOSSES}
