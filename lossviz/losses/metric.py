r"""Metric-learning losses on embeddings (chapter 08): triplet, contrastive and InfoNCE.

A metric-learning model maps each input to an embedding vector :math:`z_i \in
\mathbb{R}^d`; the loss asks that examples of the same class (or two views of the same
item) land close together and the others far apart. None of these losses compares a
prediction with a target elementwise: each looks at *pairs* or *triplets* of rows of one
batch. They fit the registry's ``(y_true, y_pred)`` convention as pytorch-metric-learning's
``loss(embeddings, labels)`` does:

- ``y_true``: integer labels, shape ``(n,)``, one per row (any integers; equal labels mean
  "same class");
- ``y_pred``: the embeddings, shape ``(n, d)``, one row per example.

The gradients are with respect to the embeddings ``y_pred``. ``reduction="none"`` returns
one value per row (per *anchor* for :func:`triplet` and :func:`info_nce`; half of each
pair's loss to each of its two rows for :func:`contrastive`), so ``"sum"`` is the sum of
all triplet or pair losses; ``"mean"`` divides that sum by the number of terms each loss
averages over (triplets, pairs, or rows), as documented per loss.

- :func:`triplet`: the "batch-all" triplet margin loss, PyTorch's
  ``triplet_margin_loss`` on every valid (anchor, positive, negative) triplet;
- :func:`contrastive`: Hadsell, Chopra and LeCun's (2006) pair loss, squared distances
  for same-class pairs and a squared hinge for the others;
- :func:`info_nce`: InfoNCE / SimCLR's NT-Xent on cosine similarities, for batches of
  positive pairs (each label exactly twice).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp, softmax

from ._core import (
    FloatArray,
    Loss,
    as_float_array,
    check_positive,
    check_real,
    check_reduction,
    reduce,
    reduce_grad,
    register,
)

# -- shared helpers -------------------------------------------------------------------------


def _embedding_inputs(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validated labels ``(n,)`` and embeddings ``(n, d)``."""
    z = as_float_array(y_pred, "y_pred")
    if z.ndim != 2:
        raise ValueError(
            f"y_pred must be a 2-D array of embeddings, one row per example, shape (n, d); "
            f"got shape {z.shape}. For one-dimensional embeddings pass y_pred[:, None]."
        )
    y = as_float_array(y_true, "y_true")
    if y.ndim != 1:
        raise ValueError(
            f"y_true must be a 1-D array of integer labels, one per row of y_pred, shape "
            f"({z.shape[0]},); got shape {y.shape}."
        )
    if y.shape[0] != z.shape[0]:
        raise ValueError(
            f"y_true and y_pred must have one label per embedding row; got y_true {y.shape} "
            f"and y_pred {z.shape}."
        )
    bad = y != np.round(y)
    if np.any(bad):
        raise ValueError(
            f"y_true must contain integer class labels (equal labels mean the same class); "
            f"got {int(bad.sum())} non-integer value(s), e.g. {y[bad].flat[0]!r}."
        )
    return y, z


def _lp_norm(w: FloatArray, p: float) -> FloatArray:
    """The p-norm along the last axis, scaled by the largest entry so it cannot overflow."""
    a = np.abs(w)
    top = np.max(a, axis=-1)
    scale = np.where(top > 0.0, top, 1.0)
    return top * np.sum((a / scale[..., None]) ** p, axis=-1) ** (1.0 / p)


def _lp_norm_grad(w: FloatArray, norm: FloatArray, p: float) -> FloatArray:
    """d||w||_p / dw = sign(w) (|w| / ||w||)^(p-1); 0 at w = 0 (as torch's norm backward)."""
    safe = np.where(norm > 0.0, norm, 1.0)[..., None]
    grad = np.sign(w) * (np.abs(w) / safe) ** (p - 1.0)
    return np.where(norm[..., None] > 0.0, grad, 0.0)


def _embedding_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    """A batch of ``max(n, 4)`` 3-D embeddings in 2 or 3 overlapping classes.

    At least four rows and two classes of at least two rows each, so that the batch has
    same-class pairs, other-class pairs and valid triplets.
    """
    rows = max(n, 4)
    k = 2 if rows < 6 else 3
    y = rng.permutation(np.arange(rows) % k).astype(np.float64)
    centres = rng.normal(0.0, 1.0, size=(k, 3))
    return y, centres[y.astype(np.intp)] + rng.normal(0.0, 0.7, size=(rows, 3))


def _embedding_perfect(y_true: FloatArray) -> FloatArray:
    """Each class on one point, 10 e_k: same-class distances ~0, the others 14.1."""
    _, k = np.unique(y_true, return_inverse=True)
    return 10.0 * np.eye(int(k.max()) + 1)[k]


def _embedding_bad_labels(y_true: FloatArray) -> FloatArray:
    bad = np.array(y_true, dtype=np.float64, copy=True)
    bad.flat[0] = 0.5
    return bad


# -- triplet --------------------------------------------------------------------------------


def _check_triplet_params(margin: float, p: float, eps: float) -> tuple[float, float, float]:
    m = check_real(margin, "margin")
    if m < 0:
        raise ValueError(f"margin must be >= 0; got {m!r}.")
    order = check_real(p, "p")
    if order < 1:
        raise ValueError(f"p must be >= 1 (the order of a norm); got {order!r}.")
    e = check_real(eps, "eps")
    if e < 0:
        raise ValueError(f"eps must be >= 0; got {e!r}.")
    return m, order, e


def _triplet_masks(y: FloatArray) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """positive[a, j]: j != a has a's label; negative[a, k]: k has another label."""
    same = y[:, None] == y[None, :]
    return same & ~np.eye(y.size, dtype=bool), ~same


def _triplet_count(y: FloatArray) -> int:
    positive, negative = _triplet_masks(y)
    return int(np.sum(positive.sum(axis=1) * negative.sum(axis=1)))


def _triplet_denominator(y: FloatArray, reduction: str) -> int:
    count = _triplet_count(y)
    if reduction == "mean" and count == 0:
        raise ValueError(
            "y_true has no valid triplet (a triplet needs two examples of one label and one "
            "of another), so the mean over triplets is 0/0; got "
            f"{np.unique(y).size} distinct label(s) in {y.size} row(s). Use reduction='sum' "
            "or a batch with at least two labels."
        )
    return count


def _triplet_parts(
    y: FloatArray, z: FloatArray, margin: float, p: float, eps: float
) -> tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray]:
    """Violations [a, j, k], the active mask, difference vectors [a, j] and distances."""
    positive, negative = _triplet_masks(y)
    # w[a, j] = z_a - z_j + eps and d[a, j] = ||w[a, j]||_p, exactly torch's
    # pairwise_distance(z_a, z_j, p, eps): eps goes into the difference (catalog pitfall 10)
    w = z[:, None, :] - z[None, :, :] + eps
    dist = _lp_norm(w, p)
    violation = dist[:, :, None] - dist[:, None, :] + margin
    active = positive[:, :, None] & negative[:, None, :] & (violation > 0.0)
    return np.where(active, violation, 0.0), active, w, dist


def triplet(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
) -> FloatArray | float:
    r"""Batch-all triplet margin loss: every anchor nearer its positives than its negatives.

    .. math::
        \ell_a = \sum_{j:\, y_j = y_a,\, j \ne a}\ \sum_{k:\, y_k \ne y_a}
                 \max\bigl(d(z_a, z_j) - d(z_a, z_k) + m,\ 0\bigr), \qquad
        d(u, v) = \lVert u - v + \epsilon \rVert_p

    Every row :math:`a` of the batch is an anchor; every other row with its label is a
    positive :math:`j` and every row with another label a negative :math:`k`. A triplet
    costs nothing once the negative is at least the margin :math:`m` farther from the
    anchor than the positive. The distance is exactly PyTorch's ``pairwise_distance``:
    :math:`\epsilon` is added to the *difference vector* (so :math:`d(u, u) =
    \epsilon\, d^{1/p}`, and :math:`d(u, v) \ne d(v, u)` in the last digits).

    The mean is over **all valid triplets**, the zero ones included:
    :math:`L = \sum_a \ell_a / T` with :math:`T = \sum_a (\#\text{positives of } a)
    (\#\text{negatives of } a)`, which is ``torch.nn.functional.triplet_margin_loss`` on
    the list of all triplets. pytorch-metric-learning's ``TripletMarginLoss`` mines the
    same triplets (``triplets_per_anchor="all"``) but averages over the *non-zero* ones
    only (``AvgNonZeroReducer``), with ``margin=0.05`` on unit-normalised embeddings by
    default; as training satisfies more triplets, its mean stays large while this one
    falls.

    Gradient: for each active triplet (violation > 0), with :math:`w_{aj} = z_a - z_j +
    \epsilon` and :math:`\nabla \lVert w \rVert_p = \operatorname{sign}(w)
    (|w| / \lVert w \rVert_p)^{p - 1}` (:math:`w / \lVert w \rVert` for :math:`p = 2`),

    .. math::
        \frac{\partial}{\partial z_a} = \nabla\lVert w_{aj}\rVert - \nabla\lVert w_{ak}
        \rVert, \quad \frac{\partial}{\partial z_j} = -\nabla\lVert w_{aj}\rVert, \quad
        \frac{\partial}{\partial z_k} = \nabla\lVert w_{ak}\rVert;

    inactive triplets (and the kink itself) contribute 0; ``reduction="mean"`` divides
    by :math:`T`.

    Numerical stability: the p-norm is computed with the difference scaled by its largest
    entry, so embeddings of 1e200 give finite distances; :math:`\epsilon > 0` keeps the
    norm's gradient defined for coincident points (with ``eps=0`` a zero difference gets
    gradient 0, as in PyTorch). A batch with no valid triplet has ``"sum"`` 0 and raises
    ``ValueError`` for ``"mean"`` (0/0) rather than returning NaN (pytorch-metric-learning
    returns 0 there).

    Args:
        y_true: integer class labels, one per row of ``y_pred``.
        y_pred: the embeddings, one row per example.
        reduction: ``"mean"`` (over all valid triplets, see above), ``"sum"`` (over all
            triplets) or ``"none"`` (one value per anchor, the sum of its triplets).
        margin: :math:`m \ge 0` (PyTorch's ``margin``).
        p: the order :math:`p \ge 1` of the norm (PyTorch's ``p``).
        eps: :math:`\epsilon \ge 0` added to the difference vector (PyTorch's ``eps``).

    Shape:
        ``y_true``: ``(n,)``. ``y_pred``: ``(n, d)``. Output: scalar, or ``(n,)`` with
        ``"none"``. Memory and time grow as :math:`n^2 d + n^3`.

    Examples:
        >>> z = np.array([[0.0], [0.3], [1.2], [2.2]])          # 1-D embeddings
        >>> y = [0, 0, 1, 1]
        >>> triplet(y, z, reduction="none", eps=0.0).round(3).tolist()   # per anchor
        [0.1, 0.4, 1.9, 0.1]
        >>> round(triplet(y, z, eps=0.0), 4)                    # 2.5 over T = 8 triplets
        0.3125
        >>> triplet_grad(y, z, reduction="sum", eps=0.0).round(3).tolist()
        [[0.0], [5.0], [-7.0], [2.0]]

    Reference: ``torch.nn.functional.triplet_margin_loss(anchor, positive, negative,
    margin=1.0, p=2, eps=1e-6)`` on all mined triplets (transcribed in numpy for the
    tests); pytorch-metric-learning ``TripletMarginLoss``. F. Schroff, D. Kalenichenko and
    J. Philbin, "FaceNet", CVPR 2015; A. Hermans, L. Beyer and B. Leibe, "In Defense of
    the Triplet Loss for Person Re-Identification", 2017 (batch-all and batch-hard).
    """
    check_reduction(reduction)
    m, order, e = _check_triplet_params(margin, p, eps)
    y, z = _embedding_inputs(y_true, y_pred)
    values, _, _, _ = _triplet_parts(y, z, m, order, e)
    per_anchor = values.sum(axis=(1, 2))
    if reduction == "mean":
        return float(np.sum(per_anchor) / _triplet_denominator(y, reduction))
    return reduce(per_anchor, reduction)


def triplet_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
) -> FloatArray:
    """Gradient of :func:`triplet` with respect to the embeddings ``y_pred``."""
    check_reduction(reduction)
    m, order, e = _check_triplet_params(margin, p, eps)
    y, z = _embedding_inputs(y_true, y_pred)
    _, active, w, dist = _triplet_parts(y, z, m, order, e)
    # weight of the pair (a, j): +1 per active triplet using it as the positive distance,
    # -1 per active triplet using it as the negative one
    weight = active.sum(axis=2) - active.sum(axis=1)
    dnorm = _lp_norm_grad(w, dist, order)  # d d[a, j] / d z_a; d / d z_j is its negative
    grad = np.einsum("aj,ajd->ad", weight, dnorm) - np.einsum("aj,ajd->jd", weight, dnorm)
    return reduce_grad(grad, reduction, _triplet_denominator(y, reduction))


def _triplet_mean_denominator(y_true: ArrayLike, y_pred: ArrayLike, **params: float) -> float:
    return float(_triplet_count(np.asarray(y_true, dtype=np.float64)))


def _mine_triplets(y_true: ArrayLike) -> tuple[list[int], list[int], list[int]]:
    """All valid (anchor, positive, negative) index triplets, by explicit loops."""
    y = np.asarray(y_true).tolist()
    anchors, positives, negatives = [], [], []
    for a, ya in enumerate(y):
        for j, yj in enumerate(y):
            if j == a or yj != ya:
                continue
            for k, yk in enumerate(y):
                if yk != ya:
                    anchors.append(a)
                    positives.append(j)
                    negatives.append(k)
    return anchors, positives, negatives


def _torch_triplet_margin_loss(
    anchor: FloatArray,
    positive: FloatArray,
    negative: FloatArray,
    margin: float,
    p: float,
    eps: float,
) -> float:
    """A numpy transcription of torch.nn.functional.triplet_margin_loss (reduction 'mean').

    ATen ``triplet_margin_loss``: ``dist_pos = pairwise_distance(anchor, positive, p,
    eps)``, ``dist_neg = pairwise_distance(anchor, negative, p, eps)``, ``clamp_min(margin
    + dist_pos - dist_neg, 0)``, mean; ``pairwise_distance(x1, x2) = norm(x1 - x2 + eps, p,
    -1)``.
    """
    dist_pos = np.linalg.norm(anchor - positive + eps, ord=p, axis=-1)
    dist_neg = np.linalg.norm(anchor - negative + eps, ord=p, axis=-1)
    return float(np.mean(np.maximum(margin + dist_pos - dist_neg, 0.0)))


def _triplet_reference(
    y_true: FloatArray,
    y_pred: FloatArray,
    *,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
) -> float:
    a, pos, neg = _mine_triplets(y_true)
    z = np.asarray(y_pred, dtype=np.float64)
    return _torch_triplet_margin_loss(z[a], z[pos], z[neg], margin, p, eps)


def _triplet_torch(
    y_true: FloatArray,
    y_pred: FloatArray,
    *,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
) -> float:
    import torch

    a, pos, neg = (torch.as_tensor(idx) for idx in _mine_triplets(y_true))
    z = torch.from_numpy(np.asarray(y_pred, dtype=np.float64))
    return float(
        torch.nn.functional.triplet_margin_loss(z[a], z[pos], z[neg], margin=margin, p=p, eps=eps)
    )


register(
    Loss(
        name="triplet",
        func=triplet,
        grad_func=triplet_grad,
        latex=(
            r"\sum_{j:\, y_j = y_a,\, j \ne a}\ \sum_{k:\, y_k \ne y_a} "
            r"\max\bigl(d(z_a, z_j) - d(z_a, z_k) + m,\ 0\bigr),\quad "
            r"d(u, v) = \lVert u - v + \epsilon \rVert_p"
        ),
        grad_latex=(
            r"\nabla \lVert z_a - z_j + \epsilon \rVert_p - \nabla \lVert z_a - z_k + \epsilon "
            r"\rVert_p \text{ per active triplet (with respect to the anchor } z_a\text{)}"
        ),
        task="metric learning",
        params={"margin": 1.0, "p": 2.0, "eps": 1e-6},
        reference=(
            "torch.nn.functional.triplet_margin_loss(anchor, positive, negative, margin, p, eps) "
            "on all mined triplets, transcribed in numpy"
        ),
        reference_func=_triplet_reference,
        torch_func=_triplet_torch,
        sample=_embedding_sample,
        perfect=_embedding_perfect,
        bad_labels=_embedding_bad_labels,
        rowwise=True,
        mean_denominator=_triplet_mean_denominator,
        invalid_params=(
            {"margin": -0.5},
            {"margin": "1"},
            {"p": 0.5},
            {"p": float("inf")},
            {"eps": -1e-6},
        ),
        extra_params=({"margin": 0.2}, {"p": 1.0}, {"p": 3.0, "eps": 0.0}),
        summary=(
            "Asks every anchor to be nearer (by a margin) to each same-class embedding than to "
            "each other-class one, over all triplets of the batch."
        ),
    )
)


# -- contrastive (Hadsell, Chopra and LeCun 2006) --------------------------------------------


def _contrastive_denominator(y: FloatArray, reduction: str) -> float:
    n = y.size
    if reduction == "mean" and n < 2:
        raise ValueError(
            "y_true and y_pred hold a single row, so there is no pair and the mean over pairs "
            "is 0/0; pass at least two embeddings or use reduction='sum'."
        )
    return n * (n - 1) / 2


def _contrastive_parts(
    y: FloatArray, z: FloatArray, margin: float
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
    """Pair losses L[i, j] (0 on the diagonal), differences, distances, same-label mask."""
    diff = z[:, None, :] - z[None, :, :]
    dist = _lp_norm(diff, 2.0)
    same = y[:, None] == y[None, :]
    hinge = np.maximum(margin - dist, 0.0)
    # same-label pairs: half the squared distance, summed directly (no sqrt then square)
    pair = np.where(same, 0.5 * np.sum(diff * diff, axis=-1), 0.5 * hinge * hinge)
    np.fill_diagonal(pair, 0.0)
    return pair, diff, dist, same


def contrastive(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", margin: float = 1.0
) -> FloatArray | float:
    r"""Contrastive pair loss: pull same-class pairs together, push others beyond a margin.

    .. math::
        L_{ij} = \begin{cases} \tfrac12\, d_{ij}^2 & y_i = y_j \\
                 \tfrac12 \max(0,\ m - d_{ij})^2 & y_i \ne y_j \end{cases},
        \qquad d_{ij} = \lVert z_i - z_j \rVert_2,
        \qquad \ell_i = \tfrac12 \sum_{j \ne i} L_{ij}

    over all pairs :math:`i < j` of the batch: the loss of Hadsell, Chopra and LeCun
    (2006, eq. 4), with its factors :math:`\tfrac12`. A same-class pair is pulled together
    however close it already is; a pair of different classes costs nothing once it is at
    least :math:`m` apart, so the embedding cannot simply blow up. ``reduction="none"``
    gives each row half of each of its pairs' losses, so ``"sum"`` is
    :math:`\sum_{i<j} L_{ij}` and ``"mean"`` is that sum over the :math:`n(n-1)/2` pairs.

    pytorch-metric-learning's ``ContrastiveLoss(pos_margin=0, neg_margin=1)`` differs:
    it uses *non-squared* distances (``power=1``: :math:`d` and :math:`\max(0, m - d)`),
    no :math:`\tfrac12`, unit-normalised embeddings by default, and averages the
    positive-pair and negative-pair terms separately over their non-zero pairs only
    (``avg_non_zero_only=True``), then adds the two averages.

    Gradient: :math:`\partial \sum_{i<j} L_{ij} / \partial z_i = \sum_{j \ne i} c_{ij}
    (z_i - z_j)` with :math:`c_{ij} = 1` for a same-class pair and :math:`c_{ij} =
    -\max(0, m - d_{ij}) / d_{ij}` otherwise; ``reduction="mean"`` divides by
    :math:`n(n-1)/2`.

    Numerical stability: distances are computed with the difference scaled by its largest
    entry; squared same-class distances are summed directly. Two *coincident* rows of
    different classes sit on the hinge's singular point (:math:`\nabla d` is undefined at
    :math:`d = 0`); their gradient is taken as 0 (PyTorch's norm backward does the same),
    so they are not pushed apart: a collapsed embedding is a fixed point, start from
    distinct points.

    Args:
        y_true: integer class labels, one per row of ``y_pred``.
        y_pred: the embeddings, one row per example.
        reduction: ``"mean"`` (over the :math:`n(n-1)/2` pairs), ``"sum"`` (over pairs) or
            ``"none"`` (one value per row, half of each of its pairs).
        margin: :math:`m > 0`, the distance beyond which a different-class pair costs
            nothing (pytorch-metric-learning's ``neg_margin``).

    Shape:
        ``y_true``: ``(n,)``. ``y_pred``: ``(n, d)``. Output: scalar, or ``(n,)`` with
        ``"none"``.

    Examples:
        >>> z = np.array([[0.0], [0.4], [1.2]])
        >>> y = [0, 0, 1]           # pairs: 0.4**2 / 2, 0 (beyond the margin), 0.2**2 / 2
        >>> contrastive(y, z, reduction="none").round(3).tolist()      # half to each row
        [0.04, 0.05, 0.01]
        >>> round(contrastive(y, z, reduction="sum"), 3), round(contrastive(y, z), 4)
        (0.1, 0.0333)
        >>> contrastive_grad(y, z, reduction="sum").round(3).tolist()
        [[-0.4], [0.6], [-0.2]]

    Reference: pairs from ``scipy.spatial.distance.pdist(z)`` with Hadsell et al.'s formula;
    pytorch-metric-learning ``ContrastiveLoss`` (different conventions, above). R. Hadsell,
    S. Chopra and Y. LeCun, "Dimensionality Reduction by Learning an Invariant Mapping",
    CVPR 2006.
    """
    check_reduction(reduction)
    m = check_positive(margin, "margin")
    y, z = _embedding_inputs(y_true, y_pred)
    pair, _, _, _ = _contrastive_parts(y, z, m)
    per_row = 0.5 * pair.sum(axis=1)
    if reduction == "mean":
        return float(np.sum(per_row) / _contrastive_denominator(y, reduction))
    return reduce(per_row, reduction)


def contrastive_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", margin: float = 1.0
) -> FloatArray:
    """Gradient of :func:`contrastive` with respect to the embeddings ``y_pred``."""
    check_reduction(reduction)
    m = check_positive(margin, "margin")
    y, z = _embedding_inputs(y_true, y_pred)
    _, diff, dist, same = _contrastive_parts(y, z, m)
    hinge = np.maximum(m - dist, 0.0)
    push = -np.divide(hinge, dist, out=np.zeros_like(dist), where=dist > 0.0)
    coef = np.where(same, 1.0, push)
    grad = np.einsum("ij,ijd->id", coef, diff)  # the diagonal has diff = 0
    return reduce_grad(grad, reduction, _contrastive_denominator(y, reduction))


def _contrastive_mean_denominator(y_true: ArrayLike, y_pred: ArrayLike, **params: float) -> float:
    n = np.shape(y_true)[0]
    return n * (n - 1) / 2


def _contrastive_reference(y_true: FloatArray, y_pred: FloatArray, *, margin: float = 1.0) -> float:
    from scipy.spatial.distance import pdist

    y = np.asarray(y_true)
    d = pdist(np.asarray(y_pred, dtype=np.float64), "euclidean")  # pairs i < j, row-major
    i, j = np.triu_indices(y.size, k=1)
    same = y[i] == y[j]
    pair = np.where(same, 0.5 * d**2, 0.5 * np.maximum(margin - d, 0.0) ** 2)
    return float(np.mean(pair))


def _contrastive_torch(y_true: FloatArray, y_pred: FloatArray, *, margin: float = 1.0) -> float:
    import torch

    y = np.asarray(y_true)
    d = torch.nn.functional.pdist(torch.from_numpy(np.asarray(y_pred, dtype=np.float64)))
    i, j = np.triu_indices(y.size, k=1)
    same = torch.as_tensor(y[i] == y[j])
    hinge = torch.clamp_min(margin - d, 0.0)
    return float(torch.where(same, 0.5 * d**2, 0.5 * hinge**2).mean())


register(
    Loss(
        name="contrastive",
        func=contrastive,
        grad_func=contrastive_grad,
        latex=(
            r"\tfrac12 \sum_{j \ne i} \tfrac12 \begin{cases} d_{ij}^2 & y_i = y_j \\ "
            r"\max(0,\ m - d_{ij})^2 & y_i \ne y_j \end{cases},\quad "
            r"d_{ij} = \lVert z_i - z_j \rVert_2"
        ),
        grad_latex=(
            r"\sum_{j \ne i} \begin{cases} z_i - z_j & y_i = y_j \\ "
            r"-\max(0,\ m - d_{ij})\,(z_i - z_j) / d_{ij} & y_i \ne y_j \end{cases}"
        ),
        task="metric learning",
        params={"margin": 1.0},
        reference=(
            "scipy.spatial.distance.pdist(z) with Hadsell et al.'s (2006) formula over all "
            "pairs i < j"
        ),
        reference_func=_contrastive_reference,
        torch_func=_contrastive_torch,
        sample=_embedding_sample,
        perfect=_embedding_perfect,
        bad_labels=_embedding_bad_labels,
        rowwise=True,
        mean_denominator=_contrastive_mean_denominator,
        invalid_params=({"margin": 0.0}, {"margin": -1.0}, {"margin": "1"}),
        extra_params=({"margin": 0.5}, {"margin": 2.0}),
        summary=(
            "Hadsell et al.'s pair loss on embeddings: squared distance for same-class pairs, "
            "a squared hinge pushing other pairs beyond a margin."
        ),
    )
)


# -- InfoNCE / NT-Xent ------------------------------------------------------------------------


def _partners(y: FloatArray) -> NDArray[np.intp]:
    """The index of the other row with the same label; each label must appear twice."""
    values, counts = np.unique(y, return_counts=True)
    wrong = counts != 2
    if np.any(wrong):
        raise ValueError(
            "y_true must contain each label exactly twice (the two views of one item form a "
            f"positive pair); got {int(wrong.sum())} label(s) that do not, e.g. label "
            f"{int(values[wrong][0])} appearing {int(counts[wrong][0])} time(s)."
        )
    order = np.argsort(y, kind="stable")
    first, second = order[0::2], order[1::2]
    partner = np.empty(y.size, dtype=np.intp)
    partner[first] = second
    partner[second] = first
    return partner


def _info_nce_parts(
    y: FloatArray, z: FloatArray, temperature: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.intp]]:
    """Per-row losses, logits (diagonal -inf), unit rows, norms and partners."""
    partner = _partners(y)
    norms = _lp_norm(z, 2.0)
    zero = norms == 0.0
    if np.any(zero):
        raise ValueError(
            f"y_pred must have non-zero rows: the cosine similarity of a zero embedding is "
            f"undefined; got {int(zero.sum())} zero row(s), e.g. row {int(np.argmax(zero))}."
        )
    u = z / norms[:, None]
    logits = (u @ u.T) / temperature
    np.fill_diagonal(logits, -np.inf)  # an item is not its own candidate
    rows = np.arange(y.size)
    # log-sum-exp with the row maximum subtracted: exact for any temperature
    values = logsumexp(logits, axis=1) - logits[rows, partner]
    return values, logits, u, norms, partner


def info_nce(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", temperature: float = 0.1
) -> FloatArray | float:
    r"""InfoNCE / NT-Xent: find each item's positive partner among all the other items.

    .. math::
        \ell_i = -\log \frac{\exp(s_{i i^+} / \tau)}{\sum_{j \ne i} \exp(s_{ij} / \tau)},
        \qquad s_{ij} = \frac{z_i \cdot z_j}{\lVert z_i \rVert\, \lVert z_j \rVert}

    The batch holds :math:`2N` embeddings forming :math:`N` positive pairs (two views of
    the same item, or two examples of one class): ``y_true`` gives each pair its own label,
    so every label appears exactly twice, and :math:`i^+` is the other row with
    :math:`i`'s label. Each row is a :math:`(2N - 1)`-way classification of its partner
    against the :math:`2N - 2` other rows (the negatives) by cosine similarity over the
    temperature :math:`\tau`: the cross-entropy of van den Oord et al.'s InfoNCE, in the
    symmetric "NT-Xent" form of SimCLR (Chen et al. 2020), whose loss is the mean over all
    :math:`2N` rows. Minimising it aligns the two views of each item and spreads all items
    apart on the unit sphere; a small :math:`\tau` concentrates the loss on the hardest
    negatives.

    With each label exactly twice this is pytorch-metric-learning's
    ``NTXentLoss(temperature)`` (mean over the :math:`2N` ordered positive pairs, cosine
    similarity; its default ``temperature`` is 0.07, SimCLR used 0.1 to 0.5), and
    ``F.cross_entropy(S / tau, partner)`` with the diagonal of :math:`S` masked. PML also
    accepts labels appearing more than twice (several positives per row); this function
    does not.

    Gradient: with :math:`u_i = z_i / \lVert z_i \rVert`, :math:`P_{ij}` the softmax of
    row :math:`i`'s logits (:math:`P_{ii} = 0`) and :math:`A = (P - E) / \tau`, :math:`E`
    the partner indicator, the gradient of :math:`\sum_i \ell_i` is
    :math:`\partial / \partial u = (A + A^\top) U` and :math:`\partial / \partial z_i =
    (I - u_i u_i^\top)\, (\partial / \partial u_i) / \lVert z_i \rVert`: perpendicular to
    :math:`z_i`, so it never changes an embedding's length to first order. ``"mean"``
    divides by :math:`2N`.

    Numerical stability: ``scipy.special.logsumexp`` subtracts each row's largest logit,
    so temperatures down to 1e-4 (logits of 1e4) give exact, finite losses; the diagonal
    is excluded as :math:`-\infty`, never as a large negative number. A zero embedding has
    no direction and raises ``ValueError``.

    Args:
        y_true: one label per row, each label appearing exactly twice (the positive pairs).
        y_pred: the embeddings, one row per item (any length except zero; only directions
            matter).
        reduction: ``"mean"`` (over the :math:`2N` rows), ``"sum"`` or ``"none"`` (one
            loss per row).
        temperature: :math:`\tau > 0` (pytorch-metric-learning's ``temperature``).

    Shape:
        ``y_true``: ``(2N,)``. ``y_pred``: ``(2N, d)``. Output: scalar, or ``(2N,)`` with
        ``"none"``.

    Examples:
        >>> z = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [-0.1, 1.0]])
        >>> y = [0, 0, 1, 1]                                   # rows 0-1 and 2-3 are pairs
        >>> info_nce(y, z, reduction="none", temperature=1.0).round(4).tolist()
        [0.5332, 0.5755, 0.5755, 0.5332]
        >>> bool(info_nce(y, z[[0, 2, 1, 3]]) > info_nce(y, z))    # the pairs mixed up
        True

    Reference: per row, ``scipy.special.logsumexp`` of the cosine similarities
    ``1 - scipy.spatial.distance.cdist(z, z, "cosine")`` over the temperature;
    pytorch-metric-learning ``NTXentLoss(temperature)``. A. van den Oord, Y. Li and
    O. Vinyals, "Representation Learning with Contrastive Predictive Coding", 2018;
    T. Chen et al., "A Simple Framework for Contrastive Learning of Visual
    Representations" (SimCLR), ICML 2020.
    """
    check_reduction(reduction)
    tau = check_positive(temperature, "temperature")
    y, z = _embedding_inputs(y_true, y_pred)
    values, _, _, _, _ = _info_nce_parts(y, z, tau)
    return reduce(values, reduction)


def info_nce_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", temperature: float = 0.1
) -> FloatArray:
    """Gradient of :func:`info_nce` with respect to the embeddings ``y_pred``."""
    check_reduction(reduction)
    tau = check_positive(temperature, "temperature")
    y, z = _embedding_inputs(y_true, y_pred)
    _, logits, u, norms, partner = _info_nce_parts(y, z, tau)
    a = softmax(logits, axis=1)  # exp(-inf) = 0 on the diagonal
    a[np.arange(y.size), partner] -= 1.0
    a /= tau
    grad_u = (a + a.T) @ u
    radial = np.sum(grad_u * u, axis=1, keepdims=True)
    grad = (grad_u - radial * u) / norms[:, None]
    return reduce_grad(grad, reduction, y.size)


def _info_nce_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    """``max(n, 2)`` positive pairs (two noisy views of each item) of 4-D embeddings."""
    pairs = max(n, 2)
    y = rng.permutation(np.repeat(np.arange(pairs), 2)).astype(np.float64)
    items = rng.normal(0.0, 1.0, size=(pairs, 4))
    return y, items[y.astype(np.intp)] + rng.normal(0.0, 0.4, size=(2 * pairs, 4))


def _info_nce_reference(
    y_true: FloatArray, y_pred: FloatArray, *, temperature: float = 0.1
) -> float:
    from scipy.spatial.distance import cdist

    y = np.asarray(y_true).tolist()
    z = np.asarray(y_pred, dtype=np.float64)
    similarity = 1.0 - cdist(z, z, "cosine")
    losses = []
    for i, yi in enumerate(y):
        others = [j for j in range(len(y)) if j != i]
        (positive,) = [j for j in others if y[j] == yi]
        logits = similarity[i, others] / temperature
        losses.append(logsumexp(logits) - similarity[i, positive] / temperature)
    return float(np.mean(losses))


def _info_nce_torch(y_true: FloatArray, y_pred: FloatArray, *, temperature: float = 0.1) -> float:
    import torch

    partner = torch.as_tensor(_partners(np.asarray(y_true, dtype=np.float64)))
    u = torch.nn.functional.normalize(torch.from_numpy(np.asarray(y_pred, dtype=np.float64)))
    logits = (u @ u.T) / temperature
    logits.fill_diagonal_(float("-inf"))
    return float(torch.nn.functional.cross_entropy(logits, partner))


register(
    Loss(
        name="info_nce",
        func=info_nce,
        grad_func=info_nce_grad,
        latex=(
            r"-\log \frac{\exp(s_{i i^+} / \tau)}{\sum_{j \ne i} \exp(s_{ij} / \tau)},\quad "
            r"s_{ij} = \frac{z_i \cdot z_j}{\lVert z_i \rVert \lVert z_j \rVert}"
        ),
        grad_latex=(
            r"\frac{(I - u_i u_i^\top)}{\lVert z_i \rVert} \sum_j (A_{ij} + A_{ji})\, u_j,\quad "
            r"A_{ij} = (\operatorname{softmax}_{j \ne i}(s_{ij} / \tau) - [j = i^+]) / \tau"
        ),
        task="metric learning",
        params={"temperature": 0.1},
        reference=(
            "scipy.special.logsumexp of cosine similarities (1 - scipy.spatial.distance.cdist "
            "cosine) over the temperature, per row"
        ),
        reference_func=_info_nce_reference,
        torch_func=_info_nce_torch,
        sample=_info_nce_sample,
        perfect=None,  # a softmax over finite logits: never exactly 0
        bad_labels=_embedding_bad_labels,
        rowwise=True,
        invalid_params=({"temperature": 0.0}, {"temperature": -0.1}, {"temperature": "0.1"}),
        extra_params=({"temperature": 0.5}, {"temperature": 0.07}),
        summary=(
            "InfoNCE (SimCLR's NT-Xent): each embedding must pick out its positive partner "
            "among all other embeddings of the batch by cosine similarity over a temperature."
        ),
    )
)
