"""Agreement with the reference libraries, hand-computed values and the catalog's pitfalls."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, log_softmax, rel_entr, softmax
from scipy.special import huber as scipy_huber

from lossviz import losses
from lossviz.losses import get, names

NAMES = names()
SEEDS = range(5)
REL_TOL = 1e-12  # SPEC section 8: float64 agreement with the reference to 1e-12 relative


def param_cases(names=NAMES) -> list:
    cases = []
    for name in names:
        loss = get(name)
        settings = [dict(loss.params)] + [{**loss.params, **e} for e in loss.extra_params]
        for i, params in enumerate(settings):
            cases.append(pytest.param(name, params, id=f"{name}-p{i}"))
    return cases


@pytest.mark.parametrize("name", NAMES)
def test_every_loss_has_a_reference_implementation(name):
    assert get(name).reference_func is not None, f"{name} is not tested against a library"


@pytest.mark.parametrize(("name", "params"), param_cases())
def test_mean_agrees_with_the_reference_library(name, params):
    loss = get(name)
    for seed in SEEDS:
        y_true, y_pred = loss.sample(np.random.default_rng(seed), 16)
        ours = loss(y_true, y_pred, **params)
        ref = loss.reference_func(y_true, y_pred, **params)
        assert ours == pytest.approx(ref, rel=REL_TOL, abs=1e-300), (seed, ours, ref)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "params"), param_cases([n for n in NAMES if get(n).torch_func is not None])
)
def test_mean_agrees_with_pytorch(name, params):
    pytest.importorskip("torch")
    loss = get(name)
    for seed in SEEDS:
        y_true, y_pred = loss.sample(np.random.default_rng(seed), 16)
        ours = loss(y_true, y_pred, **params)
        ref = loss.torch_func(y_true, y_pred, **params)
        assert ours == pytest.approx(ref, rel=REL_TOL, abs=1e-300), (seed, ours, ref)


def _torch_grad(fn, y_pred):
    """d fn(x) / dx at x = y_pred, by PyTorch autograd."""
    import torch

    x = torch.tensor(y_pred, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(fn(x), x)
    return grad.numpy()


@pytest.mark.torch
def test_gradients_agree_with_pytorch_autograd():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(8)
    y, x = rng.integers(0, 2, 10).astype(float), rng.normal(0, 3, 10)
    yt = torch.tensor(y)
    np.testing.assert_allclose(
        losses.bce_with_logits_grad(y, x, pos_weight=2.5),
        _torch_grad(lambda t: F.binary_cross_entropy_with_logits(
            t, yt, pos_weight=torch.tensor(2.5, dtype=torch.float64)), x),
        rtol=1e-12, atol=1e-15,
    )
    np.testing.assert_allclose(
        losses.huber_grad(y, x, delta=0.7),
        _torch_grad(lambda t: F.huber_loss(t, yt, delta=0.7), x), rtol=1e-12,
    )
    labels, z = rng.integers(0, 4, 10), rng.normal(0, 2, (10, 4))
    w = np.array([0.5, 2.0, 1.0, 3.0])
    np.testing.assert_allclose(
        losses.softmax_cross_entropy_grad(labels, z, weight=w, label_smoothing=0.2),
        _torch_grad(lambda t: F.cross_entropy(
            t, torch.tensor(labels), weight=torch.tensor(w), label_smoothing=0.2), z),
        rtol=1e-12, atol=1e-15,
    )
    p = rng.dirichlet(np.ones(4), 10)
    np.testing.assert_allclose(
        losses.kl_divergence_grad(p, z),
        _torch_grad(lambda t: F.kl_div(
            F.log_softmax(t, dim=1), torch.tensor(p), reduction="batchmean"), z),
        rtol=1e-12, atol=1e-15,
    )


# -- hand-computed values -------------------------------------------------------------------

LOG2 = float(np.log(2.0))


@pytest.mark.parametrize(
    ("func", "y_true", "y_pred", "params", "expected"),
    [
        (losses.mse, [1, 2], [1, 4], {}, 2.0),
        (losses.mae, [1, 2], [1, 4], {}, 1.0),
        (losses.huber, [0, 0], [0.5, 3.0], {}, (0.125 + 2.5) / 2),
        (losses.huber, [0, 0], [0.5, 3.0], {"delta": 2.0}, (0.125 + 4.0) / 2),
        (losses.log_cosh, [0.0], [LOG2], {}, float(np.log(1.25))),
        (losses.pinball, [1, 1], [0, 2], {"quantile": 0.9}, 0.5),
        (losses.pinball, [1, 1], [0, 2], {"quantile": 0.2}, 0.5),
        (losses.pinball, [3.0], [1.0], {"quantile": 0.25}, 0.5),
        (losses.barron, [0.0], [3.0**0.5], {}, 1.0),
        (losses.barron, [0.0], [2.0], {"alpha": -2.0}, 1.0),
        (losses.barron, [0.0], [2.0], {"alpha": 2.0}, 2.0),
        (losses.barron, [0.0], [2.0**0.5], {"alpha": 0.0}, LOG2),
        (losses.barron, [0.0], [2.0], {"alpha": 2.0, "scale": 2.0}, 0.5),
        (losses.barron, [0.0], [2.0], {"alpha": -np.inf}, 1.0 - np.exp(-2.0)),
        (losses.bce_with_logits, [1.0], [0.0], {}, LOG2),
        (losses.bce_with_logits, [1.0], [0.0], {"pos_weight": 3.0}, 3 * LOG2),
        (losses.bce_with_logits, [0.5], [0.0], {}, LOG2),
        (losses.softmax_cross_entropy, [0], [[0.0, 0.0]], {}, LOG2),
        (losses.softmax_cross_entropy, [2], [[0.0, 0.0, LOG2]], {}, LOG2),
        (losses.softmax_cross_entropy, [0], [[0.0, 0.0]], {"label_smoothing": 0.5}, LOG2),
        (losses.hinge, [1, 0], [0.5, 0.5], {}, 1.0),
        (losses.squared_hinge, [1, 0], [0.5, 0.5], {}, 1.25),
        (losses.exponential, [1, 0], [0.0, LOG2], {}, 1.5),
        (losses.focal, [1.0], [0.0], {}, 0.25 * 0.25 * LOG2),
        (losses.focal, [0.0], [0.0], {}, 0.75 * 0.25 * LOG2),
        (losses.focal, [0.0], [0.0], {"alpha": None, "gamma": 1.0}, 0.5 * LOG2),
        (losses.kl_divergence, [[1.0, 0.0]], [[0.0, 0.0]], {}, LOG2),
        (losses.kl_divergence, [[0.5, 0.5]], [[0.0, 0.0]], {}, 0.0),
    ],
)
def test_hand_computed_value(func, y_true, y_pred, params, expected):
    assert func(y_true, y_pred, **params) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_mse_of_the_textbook_example_is_two():
    assert losses.mse([1, 2], [1, 4]) == 2.0


def test_two_pinball_at_the_median_is_mae():
    rng = np.random.default_rng(0)
    y, p = rng.normal(size=20), rng.normal(size=20)
    assert 2 * losses.pinball(y, p) == pytest.approx(losses.mae(y, p), rel=1e-15)
    np.testing.assert_allclose(2 * losses.pinball_grad(y, p), losses.mae_grad(y, p))


def test_barron_special_cases_match_named_losses():
    x = np.linspace(-5, 5, 41)
    zero = np.zeros_like(x)
    b = lambda **kw: losses.barron(zero, x, reduction="none", **kw)  # noqa: E731
    np.testing.assert_allclose(b(alpha=2.0), 0.5 * x**2, rtol=1e-15)
    np.testing.assert_allclose(b(alpha=1.0), np.sqrt(x**2 + 1) - 1, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(b(alpha=0.0), np.log1p(0.5 * x**2), rtol=1e-15)
    np.testing.assert_allclose(b(alpha=-2.0), 2 * x**2 / (x**2 + 4), rtol=1e-14)
    np.testing.assert_allclose(b(alpha=-np.inf), -np.expm1(-0.5 * x**2), rtol=1e-15)


def test_huber_with_a_large_delta_is_half_the_mse():
    y, p = [0.0, 1.0, -2.0], [3.0, -1.0, 5.0]
    assert losses.huber(y, p, delta=1e6) == pytest.approx(losses.mse(y, p) / 2, rel=1e-15)


def test_focal_without_focusing_or_weighting_is_bce():
    rng = np.random.default_rng(1)
    y, x = rng.integers(0, 2, 30).astype(float), rng.normal(0, 3, 30)
    for alpha in (None, -1):
        assert losses.focal(y, x, alpha=alpha, gamma=0.0) == pytest.approx(
            losses.bce_with_logits(y, x), rel=1e-14
        )
        np.testing.assert_allclose(
            losses.focal_grad(y, x, alpha=alpha, gamma=0.0), losses.bce_with_logits_grad(y, x),
            rtol=1e-13,
        )


def test_bce_with_logits_matches_sklearn_log_loss_at_moderate_logits():
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(2)
    y, x = rng.integers(0, 2, 50), rng.normal(0, 2, 50)
    assert losses.bce_with_logits(y, x) == pytest.approx(log_loss(y, expit(x)), rel=1e-12)


def test_hinge_matches_sklearns_sgd_kernel_and_metric():
    from sklearn.linear_model._sgd_fast import Hinge
    from sklearn.metrics import hinge_loss

    rng = np.random.default_rng(3)
    y, f = rng.integers(0, 2, 40), rng.normal(0, 2, 40)
    kernel = Hinge(1.0)
    per_sample = [kernel.py_loss(fi, 2.0 * yi - 1.0) for fi, yi in zip(f, y, strict=True)]
    np.testing.assert_allclose(losses.hinge(y, f, reduction="none"), per_sample, rtol=1e-15)
    assert losses.hinge(y, f) == pytest.approx(hinge_loss(y, f), rel=1e-15)


def test_exponential_matches_sklearns_exponential_loss_and_gradient():
    from sklearn._loss.loss import ExponentialLoss

    rng = np.random.default_rng(5)
    y, f = rng.integers(0, 2, 40).astype(float), rng.normal(0, 3, 40)
    ref = ExponentialLoss()
    np.testing.assert_allclose(losses.exponential(y, f, reduction="none"),
                               ref.loss(y_true=y, raw_prediction=f), rtol=1e-15)
    np.testing.assert_allclose(losses.exponential_grad(y, f, reduction="none"),
                               ref.gradient(y_true=y, raw_prediction=f), rtol=1e-15)


def test_exponential_minimiser_is_half_the_log_odds():
    """The score minimising p e^{-f} + (1 - p) e^{f} is f* = log(p / (1 - p)) / 2, so p = sigmoid(2 f*)."""
    from scipy.optimize import minimize_scalar

    for p in (0.1, 0.5, 0.8, 0.97):
        def risk(f, p=p):
            return p * losses.exponential([1.0], [f]) + (1 - p) * losses.exponential([0.0], [f])

        f_star = minimize_scalar(risk, bracket=(-1.0, 1.0), tol=1e-12).x
        assert f_star == pytest.approx(0.5 * np.log(p / (1 - p)), abs=1e-6)
        assert expit(2 * f_star) == pytest.approx(p, abs=1e-6)


def test_margin_surrogates_bound_the_zero_one_loss():
    m = np.linspace(-3, 3, 121)
    y = np.ones_like(m)
    zero_one = (m <= 0).astype(float)
    for name in ("hinge", "squared_hinge", "exponential"):
        assert np.all(losses.get(name)(y, m, reduction="none") >= zero_one), name
    # the logistic loss bounds it once measured in bits (log base 2)
    assert np.all(losses.bce_with_logits(y, m, reduction="none") / LOG2 >= zero_one)


# -- the catalog's pitfalls, as regression tests --------------------------------------------


def test_weighted_cross_entropy_mean_divides_by_the_summed_target_weights():
    """Catalog pitfall 12: 'mean' with class weights is sum(w_y l) / sum(w_y)."""
    z = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 3.0], [-2.0, 0.5, 0.0]])
    y = np.array([0, 1, 2, 2])
    w = np.array([1.0, 5.0, 0.5])
    per_example = -log_softmax(z, axis=1)[np.arange(4), y]
    expected = np.sum(w[y] * per_example) / np.sum(w[y])
    value = losses.softmax_cross_entropy(y, z, weight=w)
    assert value == pytest.approx(expected, rel=1e-14)
    assert value != pytest.approx(np.mean(w[y] * per_example), rel=1e-3)
    np.testing.assert_allclose(
        losses.softmax_cross_entropy(y, z, weight=w, reduction="none"), w[y] * per_example
    )


def test_weighted_cross_entropy_matches_log_loss_with_sample_weights():
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(4)
    z, y = rng.normal(0, 2, (30, 4)), rng.integers(0, 4, 30)
    w = np.array([0.2, 1.0, 4.0, 2.5])
    ref = log_loss(y, softmax(z, axis=1), sample_weight=w[y], labels=range(4))
    assert losses.softmax_cross_entropy(y, z, weight=w) == pytest.approx(ref, rel=1e-12)


def test_kl_divergence_is_kl_of_p_from_q_in_that_order():
    """Catalog pitfall 1: y_true is P, y_pred the logits of Q, and KL(P||Q) != KL(Q||P)."""
    p = np.array([[0.9, 0.09, 0.01], [0.1, 0.1, 0.8]])
    q = np.array([[0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
    forward = losses.kl_divergence(p, np.log(q))
    backward = losses.kl_divergence(q, np.log(p))
    assert forward == pytest.approx(rel_entr(p, q).sum(axis=1).mean(), rel=1e-14)
    assert backward == pytest.approx(rel_entr(q, p).sum(axis=1).mean(), rel=1e-14)
    assert forward != pytest.approx(backward, rel=0.1)


def test_kl_divergence_mean_is_batchmean_not_elementwise_mean():
    """Catalog pitfall 1: the mean is over rows (PyTorch's 'batchmean'), not rows x classes."""
    p = np.array([[0.25, 0.25, 0.5], [1.0, 0.0, 0.0]])
    z = np.array([[0.0, 1.0, 2.0], [0.5, 0.0, -0.5]])
    per_row = losses.kl_divergence(p, z, reduction="none")
    assert per_row.shape == (2,)
    assert losses.kl_divergence(p, z) == pytest.approx(per_row.sum() / 2, rel=1e-15)
    assert losses.kl_divergence(p, z) != pytest.approx(per_row.sum() / 6, rel=1e-2)


def test_kl_divergence_is_not_scipys_kl_div():
    """Catalog pitfall 2: scipy.special.kl_div adds -p + q; rel_entr is the KL term."""
    from scipy.special import kl_div

    p = np.array([[0.5, 0.5, 0.0]])
    q = np.array([[0.2, 0.3, 0.5]])
    ours = losses.kl_divergence(p, np.log(q))
    assert ours == pytest.approx(rel_entr(p, q).sum(), rel=1e-14)
    # Both rows sum to 1, so kl_div's extra terms cancel in the sum but not elementwise.
    assert not np.allclose(kl_div(p, q), rel_entr(p, q))


def test_huber_matches_scipy_with_delta_first():
    """Catalog pitfall 5: scipy.special.huber(delta, r) takes delta first."""
    r = np.array([-3.0, -0.5, 0.2, 1.5, 4.0])
    zero = np.zeros_like(r)
    ours = losses.huber(zero, r, delta=2.0, reduction="none")
    np.testing.assert_allclose(ours, scipy_huber(2.0, r), rtol=1e-15)
    assert not np.allclose(ours, scipy_huber(r, 2.0))


def test_pinball_quantile_is_sklearns_alpha():
    """The quantile is called ``alpha`` in sklearn.metrics.mean_pinball_loss."""
    from sklearn.metrics import mean_pinball_loss

    y, p = np.array([0.0, 1.0, 5.0, 2.0]), np.array([1.0, 1.5, 2.0, 2.5])
    assert losses.pinball(y, p, quantile=0.9) == pytest.approx(
        mean_pinball_loss(y, p, alpha=0.9), rel=1e-15
    )
    assert losses.pinball(y, p, quantile=0.9) != pytest.approx(
        mean_pinball_loss(y, p, alpha=0.1), rel=1e-2
    )


def test_log_loss_clipping_would_hide_the_true_bce():
    """Catalog pitfall 3: sklearn's log_loss caps a confident mistake at -log(eps) = 36.04."""
    from sklearn.metrics import log_loss

    x, y = np.array([1000.0, -1000.0]), np.array([0, 1])
    assert losses.bce_with_logits(y, x) == 1000.0
    assert log_loss(y, expit(x), labels=[0, 1]) == pytest.approx(-np.log(np.finfo(float).eps))


def test_hinge_maps_zero_one_labels_like_sklearn():
    """sklearn.metrics.hinge_loss maps {0, 1} to {-1, +1}; so do we."""
    from sklearn.metrics import hinge_loss

    y, f = np.array([0, 1, 1, 0]), np.array([-2.0, 0.3, 1.5, 0.4])
    assert losses.hinge(y, f) == pytest.approx(hinge_loss(y, f), rel=1e-15)
    assert losses.hinge(y, f) == pytest.approx(hinge_loss(2 * y - 1, f), rel=1e-15)


def test_exponential_stays_nan_free_where_sklearns_form_gives_nan():
    """sklearn's y e^{-f} + (1 - y) e^{f} is 0 * inf = nan for a sure, correct score."""
    from sklearn._loss.loss import ExponentialLoss

    y, f = np.array([1.0, 0.0]), np.array([800.0, -800.0])
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.all(np.isnan(ExponentialLoss().loss(y_true=y, raw_prediction=f)))
    np.testing.assert_array_equal(losses.exponential(y, f, reduction="none"), [0.0, 0.0])


def test_focal_default_reduction_is_mean_not_torchvisions_none():
    y, x = np.array([1.0, 0.0, 1.0]), np.array([0.5, -0.2, 2.0])
    none = losses.focal(y, x, reduction="none")
    assert losses.focal(y, x) == pytest.approx(none.mean(), rel=1e-15)
