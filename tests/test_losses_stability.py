"""Extreme inputs: logits of +-1e4, probabilities of exactly 0 and 1, tiny and huge residuals.

Every value is compared with mpmath at 50 digits (or an exact asymptote), not only checked
for finiteness.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lossviz import losses

mpmath.mp.dps = 50
LOGITS = np.array([-1e4, -1e3, -40.0, -1.0, 0.0, 1.0, 40.0, 1e3, 1e4])


def mp_softplus(x):
    return mpmath.log1p(mpmath.exp(x)) if x < 0 else x + mpmath.log1p(mpmath.exp(-x))


def assert_close_to_mp(ours, exact, rel=1e-14):
    ours = np.ravel(ours)
    exact = [float(e) for e in exact]
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, exact, rtol=rel, atol=0)


# -- binary cross-entropy and focal ----------------------------------------------------------


@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_bce_is_exact_for_huge_logits(target):
    y = np.full_like(LOGITS, target)
    exact = [target * mp_softplus(-mpmath.mpf(x)) + (1 - target) * mp_softplus(mpmath.mpf(x))
             for x in LOGITS]
    assert_close_to_mp(losses.bce_with_logits(y, LOGITS, reduction="none"), exact)


@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_bce_gradient_is_exact_for_huge_logits(target):
    y = np.full_like(LOGITS, target)
    exact = [1 / (1 + mpmath.exp(-mpmath.mpf(x))) - target for x in LOGITS]
    grad = losses.bce_with_logits_grad(y, LOGITS, reduction="none")
    np.testing.assert_allclose(grad, [float(e) for e in exact], rtol=1e-14, atol=1e-300)


def test_bce_with_pos_weight_is_exact_for_huge_logits():
    for target in (0.0, 1.0, 0.25):
        y = np.full_like(LOGITS, target)
        exact = [4 * target * mp_softplus(-mpmath.mpf(x))
                 + (1 - target) * mp_softplus(mpmath.mpf(x)) for x in LOGITS]
        ours = losses.bce_with_logits(y, LOGITS, reduction="none", pos_weight=4.0)
        assert_close_to_mp(ours, exact)


def test_bce_accepts_probabilities_of_exactly_zero_and_one():
    y = np.array([0.0, 1.0, 0.0, 1.0])
    x = np.array([-1e4, 1e4, 1e4, -1e4])
    np.testing.assert_array_equal(losses.bce_with_logits(y, x, reduction="none"),
                                  [0.0, 0.0, 1e4, 1e4])


def mp_focal(y, x, alpha, gamma):
    """torchvision's formula at 50 digits (p_t in log space so 1 - p_t keeps its digits)."""
    s = 2 * y - 1
    a = s * mpmath.mpf(x)
    log_pt = -mp_softplus(-a)
    value = mpmath.exp(-gamma * mp_softplus(a)) * (-log_pt)
    return value if alpha is None else (alpha * y + (1 - alpha) * (1 - y)) * value


@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (None, 0.5), (0.9, 5.0)])
@pytest.mark.parametrize("label", [0.0, 1.0])
def test_focal_is_exact_for_huge_logits(alpha, gamma, label):
    y = np.full_like(LOGITS, label)
    exact = [mp_focal(label, x, alpha, gamma) for x in LOGITS]
    ours = losses.focal(y, LOGITS, reduction="none", alpha=alpha, gamma=gamma)
    np.testing.assert_allclose(ours, [float(e) for e in exact], rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("label", [0.0, 1.0])
def test_focal_gradient_is_exact_for_huge_logits(label):
    y = np.full_like(LOGITS, label)
    exact = [mpmath.diff(lambda t: mp_focal(label, t, 0.25, 2.0), mpmath.mpf(x)) for x in LOGITS]
    grad = losses.focal_grad(y, LOGITS, reduction="none")
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [float(e) for e in exact], rtol=1e-12, atol=1e-300)


# -- softmax cross-entropy and KL -------------------------------------------------------------


def mp_log_softmax(row):
    row = [mpmath.mpf(v) for v in row]
    lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in row))
    return [v - lse for v in row]


def test_softmax_cross_entropy_is_exact_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e3, 999.0, -1e4], [0.0, 0.0, 1e4]])
    y = np.array([1, 0, 1, 2])
    exact = [-mp_log_softmax(row)[k] for row, k in zip(z, y, strict=True)]
    assert_close_to_mp(losses.softmax_cross_entropy(y, z, reduction="none"), exact)
    grad = losses.softmax_cross_entropy_grad(y, z, reduction="none")
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


def test_softmax_cross_entropy_with_smoothing_and_weights_is_finite_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    y = np.array([0, 2])
    w = np.array([1.0, 2.0, 0.5])
    value = losses.softmax_cross_entropy(y, z, weight=w, label_smoothing=0.1, reduction="none")
    exact = []
    for row, k in zip(z, y, strict=True):
        logp = mp_log_softmax(row)
        q = [0.1 / 3 * w[j] + (0.9 * w[k] if j == k else 0) for j in range(3)]
        exact.append(-mpmath.fsum(qj * lj for qj, lj in zip(q, logp, strict=True)))
    assert_close_to_mp(value, exact)


def test_kl_divergence_is_exact_for_huge_logits_and_one_hot_targets():
    p = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])
    z = np.array([[-1e4, 1e4, 0.0], [1e4, -1e4, 0.0], [1e3, -1e3, 0.0], [0.0, 0.0, 1e4]])
    exact = []
    for prow, zrow in zip(p, z, strict=True):
        logq = mp_log_softmax(zrow)
        exact.append(mpmath.fsum(
            mpmath.mpf(pk) * (mpmath.log(pk) - lq) for pk, lq in zip(prow, logq, strict=True)
            if pk > 0
        ))
    ours = losses.kl_divergence(p, z, reduction="none")
    np.testing.assert_allclose(ours, [float(e) for e in exact], rtol=1e-14, atol=1e-300)
    assert np.all(np.isfinite(losses.kl_divergence_grad(p, z)))


def test_kl_divergence_stays_finite_where_probability_space_gives_inf():
    """Catalog pitfall 2: rel_entr(p, softmax(z)) is inf once q underflows to 0."""
    from scipy.special import rel_entr, softmax

    p = np.array([[0.5, 0.5, 0.0]])
    z = np.array([[1000.0, -1000.0, 0.0]])
    assert np.isinf(rel_entr(p, softmax(z, axis=1)).sum())
    assert losses.kl_divergence(p, z) == pytest.approx(1000.0 - np.log(2.0), rel=1e-14)


# -- hinge ------------------------------------------------------------------------------------


def test_hinge_losses_are_exact_for_huge_scores():
    y = np.array([1.0, 0.0, 1.0, 0.0])
    f = np.array([1e4, -1e4, -1e4, 1e4])
    np.testing.assert_array_equal(losses.hinge(y, f, reduction="none"), [0, 0, 10001, 10001])
    np.testing.assert_array_equal(
        losses.squared_hinge(y, f, reduction="none"), [0, 0, 10001.0**2, 10001.0**2]
    )


def test_exponential_is_exact_until_it_overflows_and_never_nan():
    """exp(-m) is exact down to m = -709.78; beyond, the true value exceeds float64: inf."""
    import warnings

    for label in (0.0, 1.0):
        y = np.full_like(LOGITS, label)
        m = (2 * label - 1) * LOGITS
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow warning leaks to the learner
            value = losses.exponential(y, LOGITS, reduction="none")
            grad = losses.exponential_grad(y, LOGITS, reduction="none")
        fits = m >= -np.log(np.finfo(np.float64).max)
        exact = [float(mpmath.exp(-mpmath.mpf(mi))) for mi in m[fits]]
        np.testing.assert_allclose(value[fits], exact, rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(grad[fits], -(2 * label - 1) * np.array(exact),
                                   rtol=1e-14, atol=1e-300)
        assert np.all(value[~fits] == np.inf)
        assert np.all(grad[~fits] == -(2 * label - 1) * np.inf)
    assert losses.exponential([1.0], [-709.0]) == pytest.approx(float(mpmath.exp(709)), rel=1e-14)
    assert losses.exponential([1.0, 1.0], [-1e4, 3.0]) == np.inf  # the mean is inf, not nan


# -- regression -------------------------------------------------------------------------------


@pytest.mark.parametrize("r", [1e-300, 1e-8, 1e-5, 0.5, 0.999, 1.0, 3.0, 709.0, 710.0, 1e3, 1e300])
def test_log_cosh_has_full_relative_precision(r):
    exact = float(mpmath.log(mpmath.cosh(mpmath.mpf(r))))
    for sign in (1.0, -1.0):
        value = losses.log_cosh([0.0], [sign * r])
        assert value == pytest.approx(exact, rel=1e-15, abs=0)


def test_log_cosh_fixes_the_keras_form_at_tiny_residuals():
    """Catalog pitfall 13: r + softplus(-2r) - log 2 is 122 % off at r = 1e-8."""
    r = 1e-8
    keras = r + np.logaddexp(0.0, -2 * r) - np.log(2.0)
    exact = float(mpmath.log(mpmath.cosh(mpmath.mpf(r))))
    assert abs(keras / exact - 1) > 0.5
    assert losses.log_cosh([0.0], [r]) == pytest.approx(exact, rel=1e-15)


def test_log_cosh_gradient_is_tanh_at_extremes():
    r = np.array([-1e300, -1e3, -1e-8, 0.0, 1e-8, 1e3, 1e300])
    np.testing.assert_array_equal(losses.log_cosh_grad(np.zeros(7), r, reduction="none"),
                                  np.tanh(r))


def mp_barron(x, alpha, scale=1.0):
    x, c = mpmath.mpf(x), mpmath.mpf(scale)
    s = (x / c) ** 2
    if alpha == 2:
        return s / 2
    if alpha == -np.inf:
        return -mpmath.expm1(-s / 2)
    a = mpmath.mpf(alpha)
    if a == 0:
        return mpmath.log1p(s / 2)
    b = abs(a - 2)
    return b / a * mpmath.expm1(a / 2 * mpmath.log1p(s / b))


def mp_barron_psi(x, alpha, scale=1.0):
    x, c = mpmath.mpf(x), mpmath.mpf(scale)
    s = (x / c) ** 2
    if alpha == 2:
        return x / c**2
    if alpha == -np.inf:
        return x / c**2 * mpmath.exp(-s / 2)
    a = mpmath.mpf(alpha)
    return x / c**2 * mpmath.exp((a / 2 - 1) * mpmath.log1p(s / abs(a - 2)))


BARRON_ALPHAS = [0.0, 1e-300, 1e-12, -1e-12, 0.5, 1.0, np.nextafter(2.0, 0.0),
                 np.nextafter(2.0, 3.0), 2.0 - 1e-9, 2.0, 3.0, -2.0, -1e6, -np.inf]


@pytest.mark.parametrize("alpha", BARRON_ALPHAS)
def test_barron_is_accurate_near_its_limits(alpha):
    x = np.array([1e-6, 0.01, 0.5, 1.0, 3.0, 100.0, 1e5])
    for scale in (1.0, 0.3):
        zero = np.zeros_like(x)
        value = losses.barron(zero, x, reduction="none", alpha=alpha, scale=scale)
        exact = [float(mp_barron(xi, alpha, scale)) for xi in x]
        np.testing.assert_allclose(value, exact, rtol=1e-13, atol=0)
        grad = losses.barron_grad(zero, x, reduction="none", alpha=alpha, scale=scale)
        exact = [float(mp_barron_psi(xi, alpha, scale)) for xi in x]
        np.testing.assert_allclose(grad, exact, rtol=1e-13, atol=0)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, -2.0, -np.inf])
def test_barron_is_finite_for_huge_residuals(alpha):
    """For alpha <= 1 the loss grows at most like |x|, so even x = 1e300 is representable."""
    x = np.array([-1e200, 1e300])
    value = losses.barron(np.zeros(2), x, reduction="none", alpha=alpha)
    grad = losses.barron_grad(np.zeros(2), x, reduction="none", alpha=alpha)
    np.testing.assert_allclose(value, [float(mp_barron(xi, alpha)) for xi in x], rtol=1e-12)
    np.testing.assert_allclose(grad, [float(mp_barron_psi(xi, alpha)) for xi in x], rtol=1e-12)


def test_huber_and_pinball_are_finite_for_huge_residuals():
    r = np.array([-1e300, 1e300])
    np.testing.assert_array_equal(losses.huber(np.zeros(2), r, reduction="none"),
                                  [1e300 - 0.5, 1e300 - 0.5])
    np.testing.assert_array_equal(losses.pinball(np.zeros(2), r, reduction="none"),
                                  [0.5e300, 0.5e300])
    np.testing.assert_array_equal(losses.mae(np.zeros(2), r, reduction="none"), [1e300, 1e300])


# -- any input in the documented domain gives a finite loss and gradient ----------------------

HYP = settings(max_examples=50, deadline=None, derandomize=True)
logits = arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e4, 1e4))
residuals = arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e6, 1e6))


@HYP
@given(x=logits, data=st.data())
@pytest.mark.parametrize("name", ["bce_with_logits", "focal", "hinge", "squared_hinge"])
def test_binary_losses_are_finite_and_nonnegative_for_any_logits(name, x, data):
    y = data.draw(arrays(np.float64, x.shape, elements=st.sampled_from([0.0, 1.0])))
    value = losses.get(name)(y, x, reduction="none")
    grad = losses.get(name).grad(y, x, reduction="none")
    assert np.all(np.isfinite(value)) and np.all(value >= 0)
    assert np.all(np.isfinite(grad))


@HYP
@given(z=arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 5)),
                elements=st.floats(-1e4, 1e4)), data=st.data())
def test_softmax_cross_entropy_and_kl_are_finite_for_any_logits(z, data):
    n, c = z.shape
    y = data.draw(arrays(np.float64, (n,), elements=st.integers(0, c - 1).map(float)))
    assert np.all(np.isfinite(losses.softmax_cross_entropy(y, z, reduction="none")))
    assert np.all(np.isfinite(losses.softmax_cross_entropy_grad(y, z)))
    p = np.eye(c)[y.astype(int)]  # one-hot: probabilities of exactly 0 and 1
    kl = losses.kl_divergence(p, z, reduction="none")
    assert np.all(np.isfinite(kl)) and np.all(kl >= 0)
    assert np.all(np.isfinite(losses.kl_divergence_grad(p, z)))


@HYP
@given(r=residuals)
@pytest.mark.parametrize("name", ["mae", "huber", "log_cosh", "pinball", "barron"])
def test_regression_losses_are_finite_and_nonnegative_for_large_residuals(name, r):
    value = losses.get(name)(np.zeros_like(r), r, reduction="none")
    assert np.all(np.isfinite(value)) and np.all(value >= 0)
    assert np.all(np.isfinite(losses.get(name).grad(np.zeros_like(r), r)))


@HYP
@given(x=logits, data=st.data())
def test_exponential_is_nonnegative_and_never_nan_for_any_logits(x, data):
    y = data.draw(arrays(np.float64, x.shape, elements=st.sampled_from([0.0, 1.0])))
    value = losses.exponential(y, x, reduction="none")
    grad = losses.exponential_grad(y, x, reduction="none")
    assert not np.any(np.isnan(value)) and np.all(value >= 0)
    assert not np.any(np.isnan(grad))
    overflow = (2 * y - 1) * x < -np.log(np.finfo(np.float64).max)
    np.testing.assert_array_equal(np.isinf(value), overflow)
    np.testing.assert_array_equal(np.isinf(grad), overflow)
