"""The chapter-08 losses of the registry: dice, triplet, contrastive and info_nce.

The generic registry tests (tests/test_losses_*.py) cover gradients, reductions, bad input
and the reference for every registered loss; these pin down what is specific to these
four: their conventions (smoothing, averaging, the eps in the distance, the 1/2 factors),
agreement with transcriptions of MONAI, PyTorch and pytorch-metric-learning, extreme
inputs, and PyTorch autograd where torch is installed.
"""

from __future__ import annotations

import doctest
import importlib
from fractions import Fraction

import numpy as np
import pytest
from scipy.spatial.distance import dice as scipy_dice
from scipy.special import logsumexp

from lossviz import losses

RNG = np.random.default_rng


# -- the registry's conventions ------------------------------------------------------------


@pytest.mark.parametrize("module", ["lossviz.losses.segmentation", "lossviz.losses.metric"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), extraglobs={"np": np})
    assert result.attempted > 0 and result.failed == 0


def test_tasks_and_defaults():
    assert losses.get("dice").task == "segmentation"
    for name in ("triplet", "contrastive", "info_nce"):
        assert losses.get(name).task == "metric learning"
        assert losses.get(name).rowwise
    assert dict(losses.get("dice").params) == {"smooth_nr": 1e-5, "smooth_dr": 1e-5}
    assert dict(losses.get("triplet").params) == {"margin": 1.0, "p": 2.0, "eps": 1e-6}
    assert dict(losses.get("contrastive").params) == {"margin": 1.0}
    assert dict(losses.get("info_nce").params) == {"temperature": 0.1}


# -- dice ---------------------------------------------------------------------------------------


def monai_dice_loss(prediction, target, smooth_nr=1e-5, smooth_dr=1e-5, reduction="mean"):
    """A transcription of monai/losses/dice.py ``DiceLoss.forward`` in numpy.

    With MONAI's defaults include_background=True, to_onehot_y=False, sigmoid=False,
    softmax=False, squared_pred=False, jaccard=False, batch=False: ``input`` (the
    prediction, MONAI's first argument) and ``target`` are (B, C, *spatial*); the sums run
    over the spatial axes only, one Dice per (batch, channel), then the mean.
    """
    reduce_axis = tuple(range(2, prediction.ndim))
    intersection = np.sum(target * prediction, axis=reduce_axis)
    ground_o = np.sum(target, axis=reduce_axis)
    pred_o = np.sum(prediction, axis=reduce_axis)
    denominator = ground_o + pred_o
    f = 1.0 - (2.0 * intersection + smooth_nr) / (denominator + smooth_dr)
    return float(np.mean(f)) if reduction == "mean" else f


def random_masks(rng, shape):
    g = (rng.random(shape) < 0.3).astype(float)
    p = np.clip(0.5 * g + rng.uniform(0.0, 0.6, size=shape), 0.0, 1.0)
    return g, p


def test_scipy_dice_on_real_vectors_is_the_unsmoothed_soft_dice():
    """scipy's (c_TF + c_FT) / (2 c_TT + c_FT + c_TF) is 1 - 2 sum(pg) / (sum p + sum g)."""
    rng = RNG(0)
    worst = 0.0
    for _ in range(50):
        g, p = random_masks(rng, 40)
        soft = 1.0 - 2.0 * np.sum(p * g) / (np.sum(p) + np.sum(g))
        worst = max(worst, abs(scipy_dice(g, p) - soft) / soft)
        # also for two real vectors, neither binary
        u, v = rng.random(40), rng.random(40)
        soft = 1.0 - 2.0 * np.sum(u * v) / (np.sum(u) + np.sum(v))
        worst = max(worst, abs(scipy_dice(u, v) - soft) / soft)
    assert worst < 1e-14


def test_dice_without_smoothing_is_scipys_dice_per_example():
    g, p = random_masks(RNG(1), (30, 5, 5))
    ours = losses.dice(g, p, reduction="none", smooth_nr=0.0, smooth_dr=0.0)
    ref = [scipy_dice(gi.ravel(), pi.ravel()) for gi, pi in zip(g, p, strict=True)]
    np.testing.assert_allclose(ours, ref, rtol=1e-14, atol=0)


def test_dice_is_monais_dice_loss_per_batch_and_channel():
    g, p = random_masks(RNG(2), (3, 4, 6, 5))  # (B, C, H, W)
    ours = losses.dice(g.reshape(12, -1), p.reshape(12, -1), reduction="none")
    np.testing.assert_allclose(ours, monai_dice_loss(p, g, reduction="none").ravel(), rtol=1e-14)
    assert losses.dice(g.reshape(12, -1), p.reshape(12, -1)) == pytest.approx(
        monai_dice_loss(p, g), rel=1e-14
    )
    for s_nr, s_dr in [(0.0, 1e-7), (1.0, 1.0), (0.0, 0.0)]:
        assert losses.dice(
            g.reshape(12, -1), p.reshape(12, -1), smooth_nr=s_nr, smooth_dr=s_dr
        ) == pytest.approx(monai_dice_loss(p, g, s_nr, s_dr), rel=1e-13)


def test_dice_sums_every_non_batch_axis():
    g, p = random_masks(RNG(3), (4, 3, 5, 2))
    np.testing.assert_allclose(
        losses.dice(g, p, reduction="none"),
        losses.dice(g.reshape(4, -1), p.reshape(4, -1), reduction="none"),
        rtol=1e-15,
    )
    assert losses.dice_grad(g, p).shape == (4, 3, 5, 2)


def test_smoothing_of_empty_masks():
    empty = np.zeros((1, 6))
    some = np.array([[0.5, 0.0, 0.0, 0.0, 0.0, 0.0]])
    # equal smoothing: nothing predicted for nothing costs 0; anything predicted costs ~1
    assert losses.dice(empty, empty) == 0.0
    assert losses.dice(empty, some) == pytest.approx(0.5 / (0.5 + 1e-5), rel=1e-15)
    # Keras: epsilon in the denominator only, so an empty mask predicted empty costs 1
    assert losses.dice(empty, empty, smooth_nr=0.0, smooth_dr=1e-7) == 1.0
    # an object predicted as nothing costs ~1 whatever the smoothing
    assert losses.dice(some > 0, empty) == pytest.approx(1.0 / (1.0 + 1e-5), rel=1e-15)


def test_dice_without_smoothing_refuses_the_empty_zero_over_zero():
    with pytest.raises(ValueError, match=r"smooth_dr is 0.*0/0"):
        losses.dice(np.zeros((2, 3)), np.zeros((2, 3)), smooth_nr=0.0, smooth_dr=0.0)
    with pytest.raises(ValueError, match="smooth_dr is 0"):
        losses.dice_grad(np.zeros((1, 3)), np.zeros((1, 3)), smooth_nr=0.0, smooth_dr=0.0)


def test_dice_refuses_more_numerator_than_denominator_smoothing():
    with pytest.raises(ValueError, match="smooth_nr must be <= smooth_dr"):
        losses.dice(np.zeros((1, 3)), np.zeros((1, 3)), smooth_nr=1.0, smooth_dr=0.5)


def test_dice_needs_probabilities_and_a_batch_axis():
    with pytest.raises(ValueError, match=r"y_pred must contain probabilities in \[0, 1\]"):
        losses.dice([[1.0, 0.0]], [[1.2, 0.0]])
    with pytest.raises(ValueError, match=r"y_pred must have a batch axis.*y_pred\[None\]"):
        losses.dice([1.0, 0.0], [0.9, 0.1])


def test_dice_is_zero_at_the_mask_but_the_gradient_is_not():
    """The minimum p = g lies on the boundary of [0, 1]: why the registry has no `perfect`."""
    g = np.array([[1.0, 1.0, 0.0, 0.0, 1.0]])
    assert losses.dice(g, g) == 0.0
    grad = losses.dice_grad(g, g, reduction="sum")
    denominator = 2 * g.sum() + 1e-5
    np.testing.assert_allclose(grad, (1 - 2 * g) / denominator, rtol=1e-15)
    assert np.all(grad[g == 1] < 0) and np.all(grad[g == 0] > 0)


def test_dice_keeps_full_precision_for_a_nearly_perfect_prediction():
    g = np.array([[1.0, 1.0, 0.0, 0.0]])
    p = np.array([[1.0 - 1e-13, 1.0, 3e-14, 0.0]])
    exact_mismatch = sum(
        (Fraction(pk) * (1 - Fraction(gk)) + Fraction(gk) * (1 - Fraction(pk)))
        for pk, gk in zip(p[0], g[0], strict=True)
    )
    total = sum(Fraction(v) for v in p[0]) + sum(Fraction(v) for v in g[0])
    exact = float(exact_mismatch / total)  # smooth_nr = smooth_dr = 0
    ours = losses.dice(g, p, smooth_nr=0.0, smooth_dr=0.0)
    assert ours == pytest.approx(exact, rel=1e-14)
    naive = 1.0 - 2.0 * np.sum(p * g) / (np.sum(p) + np.sum(g))
    assert abs(naive / exact - 1.0) > 1e-4  # the cancelling form loses most digits


def test_dice_weighs_a_small_object_like_a_large_one():
    """Missing half of a 2-pixel object costs as much as half of a 200-pixel one."""
    small_g = np.zeros((1, 1000))
    small_g[0, :2] = 1.0
    large_g = np.zeros((1, 1000))
    large_g[0, :200] = 1.0
    small_p = small_g.copy()
    small_p[0, 1] = 0.0
    large_p = large_g.copy()
    large_p[0, 100:200] = 0.0
    kw = {"smooth_nr": 0.0, "smooth_dr": 0.0}
    assert losses.dice(small_g, small_p, **kw) == pytest.approx(1 / 3, rel=1e-15)
    assert losses.dice(large_g, large_p, **kw) == pytest.approx(1 / 3, rel=1e-15)
    # per-pixel cross-entropy-like error counts barely see the small object
    assert np.mean(small_g != small_p) == 0.001 < np.mean(large_g != large_p) == 0.1


@pytest.mark.torch
def test_dice_gradient_is_autograd_of_monais_formula():
    torch = pytest.importorskip("torch")
    g, p = random_masks(RNG(4), (3, 2, 4, 4))
    g, p = g, np.clip(p, 0.01, 0.99)
    x = torch.tensor(p, requires_grad=True)
    t = torch.tensor(g)
    dims = (2, 3)
    f = 1.0 - (2.0 * (t * x).sum(dims) + 1e-5) / (t.sum(dims) + x.sum(dims) + 1e-5)
    (grad,) = torch.autograd.grad(f.mean(), x)
    ours = losses.dice_grad(g.reshape(6, -1), p.reshape(6, -1)).reshape(p.shape)
    np.testing.assert_allclose(ours, grad.numpy(), rtol=1e-12, atol=1e-16)


# -- triplet -------------------------------------------------------------------------------------


def numpy_triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6):
    """torch.nn.functional.triplet_margin_loss(reduction='none'), transcribed from ATen."""
    dist_pos = np.linalg.norm(anchor - positive + eps, ord=p, axis=-1)
    dist_neg = np.linalg.norm(anchor - negative + eps, ord=p, axis=-1)
    return np.maximum(margin + dist_pos - dist_neg, 0.0)


def mined_triplets(y):
    return np.array(
        [
            (a, j, k)
            for a in range(len(y))
            for j in range(len(y))
            for k in range(len(y))
            if j != a and y[j] == y[a] and y[k] != y[a]
        ]
    )


def embedding_batch(seed, n=10, d=3, k=3, spread=1.0):
    rng = RNG(seed)
    y = rng.permutation(np.arange(n) % k)
    return y, rng.normal(0, spread, size=(k, d))[y] + rng.normal(0, 0.8, size=(n, d))


@pytest.mark.parametrize("params", [{}, {"p": 1.0}, {"p": 3.0, "margin": 0.3, "eps": 0.0}])
def test_triplet_per_anchor_is_the_sum_of_its_mined_triplets(params):
    y, z = embedding_batch(0, n=11)
    t = mined_triplets(y)
    per_triplet = numpy_triplet_margin_loss(z[t[:, 0]], z[t[:, 1]], z[t[:, 2]], **params)
    expected = np.bincount(t[:, 0], weights=per_triplet, minlength=y.size)
    np.testing.assert_allclose(
        losses.triplet(y, z, reduction="none", **params), expected, rtol=1e-13, atol=1e-15
    )
    assert losses.triplet(y, z, **params) == pytest.approx(per_triplet.mean(), rel=1e-13)


def test_triplet_mean_counts_the_satisfied_triplets_too():
    """Mean over all T valid triplets (torch on the mined list), not PML's non-zero mean."""
    y, z = embedding_batch(1, n=12, spread=3.0)
    t = mined_triplets(y)
    per_triplet = numpy_triplet_margin_loss(z[t[:, 0]], z[t[:, 1]], z[t[:, 2]])
    assert 0 < np.count_nonzero(per_triplet) < len(t)
    assert losses.triplet(y, z) == pytest.approx(per_triplet.sum() / len(t), rel=1e-13)
    pml_avg_non_zero = per_triplet.sum() / np.count_nonzero(per_triplet)
    assert losses.triplet(y, z) < 0.9 * pml_avg_non_zero


def test_triplet_eps_is_added_to_the_difference_vector():
    """Catalog pitfall 10: d(u, u) = ||eps * 1|| = eps sqrt(d), not sqrt(0 + eps)."""
    y = [0, 0, 1]
    z = np.array([[0.0, 0.0], [0.0, 0.0], [0.5, 0.0]])  # anchor and positive coincide
    eps = 1e-3
    d_an = np.hypot(-0.5 + eps, eps)
    expected = 1.0 + eps * np.sqrt(2.0) - d_an
    per_anchor = losses.triplet(y, z, reduction="none", eps=eps)
    assert per_anchor[0] == pytest.approx(expected, rel=1e-14)
    assert per_anchor[0] != pytest.approx(1.0 + np.sqrt(eps) - d_an, rel=1e-6)


def test_triplet_without_a_valid_triplet():
    z = RNG(2).normal(size=(4, 2))
    for y in ([0, 0, 0, 0], [0, 1, 2, 3]):
        assert losses.triplet(y, z, reduction="sum") == 0.0
        np.testing.assert_array_equal(losses.triplet(y, z, reduction="none"), np.zeros(4))
        np.testing.assert_array_equal(losses.triplet_grad(y, z, reduction="sum"), np.zeros((4, 2)))
        with pytest.raises(ValueError, match="no valid triplet"):
            losses.triplet(y, z)
        with pytest.raises(ValueError, match="no valid triplet"):
            losses.triplet_grad(y, z)


@pytest.mark.parametrize("name", ["triplet", "contrastive", "info_nce"])
def test_metric_losses_are_translation_or_scale_invariant_in_their_gradient(name):
    """Distances ignore a shift of all embeddings, so the gradient sums to zero over rows
    (triplet, contrastive); cosines ignore each row's length, so the gradient is
    perpendicular to each row (info_nce)."""
    loss = losses.get(name)
    y, z = loss.sample(RNG(3), 10)
    grad = loss.grad(y, z, reduction="sum")
    if name == "info_nce":
        np.testing.assert_allclose(np.sum(grad * z, axis=1), 0.0, atol=1e-12)
    else:
        np.testing.assert_allclose(grad.sum(axis=0), 0.0, atol=1e-12)
        assert loss(y, z + 100.0) == pytest.approx(loss(y, z), rel=1e-9)


def test_triplet_distances_do_not_overflow_for_huge_embeddings():
    """With margin 0 and eps 0 the loss is homogeneous: l(c z) = c l(z), even at c = 1e200."""
    y, z = embedding_batch(4, n=9)
    base = losses.triplet(y, z, margin=0.0, eps=0.0, reduction="none")
    for p in (1.0, 2.0, 3.0):
        base = losses.triplet(y, z, margin=0.0, eps=0.0, p=p, reduction="none")
        huge = losses.triplet(y, 1e200 * z, margin=0.0, eps=0.0, p=p, reduction="none")
        assert np.all(np.isfinite(huge))
        np.testing.assert_allclose(huge, 1e200 * base, rtol=1e-12)
        grad = losses.triplet_grad(y, 1e200 * z, margin=0.0, eps=0.0, p=p)
        np.testing.assert_allclose(
            grad, losses.triplet_grad(y, z, margin=0.0, eps=0.0, p=p), rtol=1e-12, atol=1e-15
        )


@pytest.mark.torch
@pytest.mark.parametrize("params", [{}, {"p": 1.0, "margin": 0.5}, {"p": 3.0, "eps": 1e-3}])
def test_triplet_gradient_is_pytorch_autograd(params):
    torch = pytest.importorskip("torch")
    y, z = embedding_batch(5, n=10)
    t = torch.as_tensor(mined_triplets(y))
    x = torch.tensor(z, requires_grad=True)
    value = torch.nn.functional.triplet_margin_loss(x[t[:, 0]], x[t[:, 1]], x[t[:, 2]], **params)
    (grad,) = torch.autograd.grad(value, x)
    assert losses.triplet(y, z, **params) == pytest.approx(value.item(), rel=1e-13)
    np.testing.assert_allclose(
        losses.triplet_grad(y, z, **params), grad.numpy(), rtol=1e-12, atol=1e-15
    )


# -- contrastive ---------------------------------------------------------------------------------


def test_contrastive_is_hadsells_formula_with_the_halves():
    z = np.array([[0.0, 0.0], [0.3, 0.4]])  # d = 0.5
    assert losses.contrastive([0, 0], z) == pytest.approx(0.5 * 0.25, rel=1e-15)
    assert losses.contrastive([0, 1], z) == pytest.approx(0.5 * 0.5**2, rel=1e-15)
    assert losses.contrastive([0, 1], z, margin=0.4) == 0.0
    np.testing.assert_allclose(
        losses.contrastive_grad([0, 0], z, reduction="sum"), [[-0.3, -0.4], [0.3, 0.4]], rtol=1e-15
    )


def test_contrastive_mean_is_over_pairs_and_none_splits_each_pair():
    y, z = embedding_batch(6, n=9)
    i, j = np.triu_indices(9, k=1)
    d = np.linalg.norm(z[i] - z[j], axis=1)
    pair = np.where(y[i] == y[j], 0.5 * d**2, 0.5 * np.maximum(1.0 - d, 0.0) ** 2)
    assert losses.contrastive(y, z) == pytest.approx(pair.mean(), rel=1e-13)
    expected = 0.5 * (np.bincount(i, pair, minlength=9) + np.bincount(j, pair, minlength=9))
    np.testing.assert_allclose(losses.contrastive(y, z, reduction="none"), expected, rtol=1e-13)


def test_contrastive_differs_from_pml_defaults():
    """PML: non-squared relu(d - 0) and relu(1 - d), each averaged over its non-zero pairs."""
    y, z = embedding_batch(7, n=10, spread=0.5)
    i, j = np.triu_indices(10, k=1)
    d = np.linalg.norm(z[i] - z[j], axis=1)
    same = y[i] == y[j]
    pos, neg = d[same], np.maximum(1.0 - d[~same], 0.0)
    pml = pos.sum() / np.count_nonzero(pos) + neg.sum() / np.count_nonzero(neg)
    assert losses.contrastive(y, z) != pytest.approx(pml, rel=0.1)


def test_contrastive_single_row():
    z = np.array([[1.0, 2.0]])
    assert losses.contrastive([0], z, reduction="sum") == 0.0
    with pytest.raises(ValueError, match="single row"):
        losses.contrastive([0], z)


def test_coincident_rows_of_different_classes_get_no_push():
    z = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 0.0]])
    y = [0, 1, 1]
    assert losses.contrastive(y, z, reduction="sum") == pytest.approx(0.5 + 4.5, rel=1e-15)
    grad = losses.contrastive_grad(y, z, reduction="sum")
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [[0.0, 0.0], [-3.0, 0.0], [3.0, 0.0]], atol=1e-15)


def test_contrastive_is_finite_and_exact_for_huge_embeddings():
    y = np.zeros(5, dtype=int)  # one class: sum of d^2 / 2, homogeneous of degree 2
    z = RNG(8).normal(size=(5, 3))
    base = losses.contrastive(y, z, reduction="sum")
    assert losses.contrastive(y, 1e150 * z, reduction="sum") == pytest.approx(
        1e300 * base, rel=1e-13
    )


@pytest.mark.torch
@pytest.mark.parametrize("margin", [1.0, 2.5])
def test_contrastive_gradient_is_pytorch_autograd(margin):
    torch = pytest.importorskip("torch")
    y, z = embedding_batch(9, n=10)
    i, j = np.triu_indices(10, k=1)
    x = torch.tensor(z, requires_grad=True)
    d = torch.nn.functional.pdist(x)
    same = torch.as_tensor(y[i] == y[j])
    value = torch.where(same, 0.5 * d**2, 0.5 * torch.clamp_min(margin - d, 0.0) ** 2).mean()
    (grad,) = torch.autograd.grad(value, x)
    np.testing.assert_allclose(
        losses.contrastive_grad(y, z, margin=margin), grad.numpy(), rtol=1e-12, atol=1e-15
    )


# -- info_nce ------------------------------------------------------------------------------------


def pairs_batch(seed, n_pairs=6, d=4, noise=0.5):
    rng = RNG(seed)
    y = rng.permutation(np.repeat(np.arange(n_pairs), 2))
    return y, rng.normal(size=(n_pairs, d))[y] + rng.normal(0, noise, size=(2 * n_pairs, d))


def pml_ntxent(y, z, temperature):
    """A numpy transcription of pytorch-metric-learning's NTXentLoss._compute_loss.

    Per ordered positive pair (a, p): -log(e^{s_ap/t} / (e^{s_ap/t} + sum over a's
    negatives e^{s_an/t}) + 1e-20), max-shifted; MeanReducer over the pairs.
    """
    u = z / np.linalg.norm(z, axis=1, keepdims=True)
    s = u @ u.T
    out = []
    for a in range(len(y)):
        for p in range(len(y)):
            if p == a or y[p] != y[a]:
                continue
            pos = s[a, p] / temperature
            neg = s[a, y != y[a]] / temperature
            max_val = max(pos, neg.max())
            numerator = np.exp(pos - max_val)
            denominator = np.sum(np.exp(neg - max_val)) + numerator
            out.append(-np.log(numerator / denominator + 1e-20))
    return float(np.mean(out))


@pytest.mark.parametrize("temperature", [0.07, 0.1, 0.5, 1.0])
def test_info_nce_is_pmls_ntxent_with_each_label_twice(temperature):
    y, z = pairs_batch(0)
    assert losses.info_nce(y, z, temperature=temperature) == pytest.approx(
        pml_ntxent(y, z, temperature), rel=1e-12
    )


def test_info_nce_is_softmax_cross_entropy_without_the_diagonal():
    y, z = pairs_batch(1, n_pairs=5)
    u = z / np.linalg.norm(z, axis=1, keepdims=True)
    s = (u @ u.T) / 0.1
    n = y.size
    logits = s[~np.eye(n, dtype=bool)].reshape(n, n - 1)  # row i without column i
    target = []
    for i in range(n):
        (partner,) = [j for j in range(n) if j != i and y[j] == y[i]]
        target.append(partner - (partner > i))
    np.testing.assert_allclose(
        losses.info_nce(y, z, reduction="none"),
        losses.softmax_cross_entropy(target, logits, reduction="none"),
        rtol=1e-13,
    )


def test_info_nce_ignores_the_length_of_each_embedding():
    y, z = pairs_batch(2)
    scale = np.geomspace(1e-150, 1e150, y.size)[:, None]
    np.testing.assert_allclose(
        losses.info_nce(y, scale * z, reduction="none"),
        losses.info_nce(y, z, reduction="none"),
        rtol=1e-13,
    )
    np.testing.assert_allclose(
        scale * losses.info_nce_grad(y, scale * z),
        losses.info_nce_grad(y, z),
        rtol=1e-12,
        atol=1e-15,
    )


def test_info_nce_is_exact_at_a_tiny_temperature():
    import mpmath

    mpmath.mp.dps = 40
    y, z = pairs_batch(3, n_pairs=3)
    tau = 1e-4  # logits up to 1e4
    ours = losses.info_nce(y, z, reduction="none", temperature=tau)
    exact = []
    for i in range(y.size):
        zi = [mpmath.mpf(v) for v in z[i]]
        ni = mpmath.sqrt(mpmath.fsum(v * v for v in zi))
        logits = {}
        for j in range(y.size):
            if j == i:
                continue
            zj = [mpmath.mpf(v) for v in z[j]]
            nj = mpmath.sqrt(mpmath.fsum(v * v for v in zj))
            logits[j] = mpmath.fsum(a * b for a, b in zip(zi, zj, strict=True)) / (ni * nj) / tau
        (partner,) = [j for j in logits if y[j] == y[i]]
        top = max(logits.values())
        lse = top + mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in logits.values()))
        exact.append(float(lse - logits[partner]))
    assert np.all(np.isfinite(ours))
    # cosines carry ~1e-16 absolute error, amplified by 1/tau = 1e4
    np.testing.assert_allclose(ours, exact, rtol=1e-9, atol=1e-10)
    assert np.all(np.isfinite(losses.info_nce_grad(y, z, temperature=tau)))


def test_info_nce_labels_must_come_in_pairs():
    z = RNG(4).normal(size=(5, 3))
    with pytest.raises(ValueError, match=r"each label exactly twice.*label 2.*1 time"):
        losses.info_nce([0, 0, 1, 1, 2], z)
    with pytest.raises(ValueError, match="exactly twice"):
        losses.info_nce_grad([0, 0, 0, 1, 1], z)


def test_info_nce_refuses_a_zero_embedding():
    z = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match=r"y_pred must have non-zero rows.*row 1"):
        losses.info_nce([0, 0, 1, 1], z)


def test_info_nce_with_a_single_pair_is_zero():
    z = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert losses.info_nce([3, 3], z) == 0.0
    np.testing.assert_array_equal(losses.info_nce_grad([3, 3], z), np.zeros((2, 2)))


def test_info_nce_reference_uses_independent_code():
    """The registry's reference goes through scipy's cdist and logsumexp, row by row."""
    y, z = pairs_batch(5)
    from scipy.spatial.distance import cdist

    s = 1.0 - cdist(z, z, "cosine")
    rows = []
    for i in range(y.size):
        mask = np.arange(y.size) != i
        partner = np.flatnonzero(mask & (y == y[i]))[0]
        rows.append(logsumexp(s[i, mask] / 0.1) - s[i, partner] / 0.1)
    np.testing.assert_allclose(losses.info_nce(y, z, reduction="none"), rows, rtol=1e-13)


@pytest.mark.torch
@pytest.mark.parametrize("temperature", [0.1, 0.5])
def test_info_nce_gradient_is_pytorch_autograd(temperature):
    torch = pytest.importorskip("torch")
    y, z = pairs_batch(6)
    partner = [
        int(np.flatnonzero((y == y[i]) & (np.arange(y.size) != i))[0]) for i in range(y.size)
    ]
    x = torch.tensor(z, requires_grad=True)
    u = torch.nn.functional.normalize(x)
    logits = (u @ u.T) / temperature
    logits = logits.masked_fill(torch.eye(y.size, dtype=torch.bool), float("-inf"))
    value = torch.nn.functional.cross_entropy(logits, torch.as_tensor(partner))
    (grad,) = torch.autograd.grad(value, x)
    assert losses.info_nce(y, z, temperature=temperature) == pytest.approx(value.item(), rel=1e-13)
    np.testing.assert_allclose(
        losses.info_nce_grad(y, z, temperature=temperature), grad.numpy(), rtol=1e-11, atol=1e-15
    )


# -- bad input shared by the three ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["triplet", "contrastive", "info_nce"])
def test_metric_losses_want_one_label_per_row(name):
    func = losses.get(name).func
    z = np.ones((4, 2)) + np.arange(8).reshape(4, 2)
    with pytest.raises(ValueError, match=r"y_pred must be a 2-D array of embeddings.*\(n, d\)"):
        func([0, 0, 1, 1], z.ravel())
    with pytest.raises(ValueError, match=r"y_true must be a 1-D array of integer labels"):
        func([[0, 0], [1, 1]], z)
    with pytest.raises(ValueError, match=r"one label per embedding row.*\(3,\).*\(4, 2\)"):
        func([0, 0, 1], z)
    with pytest.raises(ValueError, match="y_true must contain integer class labels"):
        func([0, 0.5, 1, 1], z)
