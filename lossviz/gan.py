r"""GANs in numpy: the optimal discriminator, JS vs Wasserstein, Dirac-GAN, a tiny 2-D GAN.

The numerical core of chapter 05. A GAN pits a generator :math:`G`, which turns noise
:math:`z` into samples with density :math:`p_g`, against a discriminator
:math:`D = \sigma(f)`, which tells them from data with density :math:`p_\text{data}`. They
play for the value (Goodfellow et al. 2014)

.. math::
    V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)]
            + \mathbb{E}_{x \sim p_g}[\log(1 - D(x))],

which the discriminator maximises and the generator minimises. Everything here is exact
or numerically checked (``tests/test_gan.py``):

**1-D closed forms.** :func:`optimal_discriminator` is
:math:`D^* = p_\text{data} / (p_\text{data} + p_g)`; :func:`gan_value` integrates
:math:`V` on a grid; :func:`js_divergence` integrates the Jensen–Shannon divergence, so
that :math:`V(D^*, G) = 2\,\mathrm{JS}(p_\text{data} \| p_g) - \log 4` can be checked
(:func:`gaussian_gan`, which also compares JS with ``scipy.spatial.distance.jensenshannon``).
:func:`wasserstein1_gaussians` is the closed-form :math:`W_1` between two Gaussians and
:func:`wasserstein1_samples` the distance between two samples, both checked against
``scipy.stats.wasserstein_distance``; :func:`disjoint_supports` shows JS stuck at
:math:`\log 2` while :math:`W_1` grows linearly with the shift (Arjovsky et al. 2017).

**The generator's gradient.** :func:`generator_gradient` is the gradient of the minimax and
the non-saturating generator losses with respect to the generator's mean and spread,
:math:`G(z) = \mu_g + \sigma_g z`, with the discriminator frozen at :math:`D^*` (by
Gauss–Hermite quadrature; :func:`generator_objective` gives the loss itself for finite
differences). Far from the data the minimax gradient vanishes, the non-saturating one
does not.

**Dirac-GAN** (Mescheder et al. 2018): :func:`dirac_gan_trajectory` runs gradient steps on
:math:`p_\theta = \delta_\theta`, :math:`p_\text{data} = \delta_0`, :math:`f_\psi(x) = \psi x`:
simultaneous steps spiral out, alternating steps circle, an R1 gradient penalty or
consensus optimisation converge; :func:`dirac_gan_spectral_radius` gives the reason.

**A 2-D GAN.** :func:`train_gan_2d` trains a one-hidden-layer generator and discriminator
(:class:`TinyMLP`, forward and backward written out, including the double backward of
the gradient penalty) on :func:`ring_data`, eight Gaussians on a circle, with the
non-saturating, minimax, least-squares (LSGAN) or WGAN-GP losses, and counts the modes
covered (:func:`modes_covered`). Deterministic for a seed; a few seconds.

>>> import numpy as np
>>> r = gaussian_gan(mu_g=2.0, sigma_g=1.0)              # p_data = N(0, 1)
>>> bool(abs(r.value_optimal - (2 * r.js - np.log(4))) < 1e-12)
True
>>> d = dirac_gan_trajectory(1.0, 0.0, lr=0.1, steps=200, mode="simultaneous")
>>> bool(d.distance[-1] > d.distance[0])                 # spirals away from (0, 0)
True

Every function validates its input like :mod:`lossviz.losses`: NaN or infinite values,
non-positive spreads or learning rates and unknown names raise ``ValueError`` (non-numbers
``TypeError``) naming the argument.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from .losses._core import FloatArray, as_float_array, check_positive, check_real
from .losses.classification import softplus

__all__ = [
    "DIRAC_MODES",
    "GAN_LOSSES",
    "GENERATOR_LOSSES",
    "DiracTrajectory",
    "DisjointSupports",
    "GANRun",
    "GaussianGAN",
    "ModeCoverage",
    "TinyMLP",
    "dirac_gan_field",
    "dirac_gan_spectral_radius",
    "dirac_gan_trajectory",
    "disjoint_supports",
    "gan_value",
    "gaussian_gan",
    "gaussian_logpdf",
    "generator_gradient",
    "generator_objective",
    "js_divergence",
    "modes_covered",
    "optimal_discriminator",
    "optimal_logit",
    "ring_centers",
    "ring_data",
    "train_gan_2d",
    "wasserstein1_gaussians",
    "wasserstein1_samples",
    "wgan_gp_critic_loss",
]

#: Generator losses of :func:`generator_gradient`, as functions of the discriminator's logit
#: on a generated example: minimax log(1 − D) = −softplus(f), non-saturating −log D =
#: softplus(−f).
GENERATOR_LOSSES = ("minimax", "nonsaturating")

#: Update schemes of :func:`dirac_gan_trajectory`.
DIRAC_MODES = ("simultaneous", "alternating")

#: Losses of :func:`train_gan_2d`.
GAN_LOSSES = ("nonsaturating", "minimax", "lsgan", "wgan-gp")

_LOG2 = float(np.log(2.0))


def _check_name(value: Any, name: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}.")
    return value


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
    return int(value)


def _check_nonnegative(value: Any, name: str) -> float:
    value = check_real(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0; got {value!r}.")
    return value


# ======================================================================================
# 1-D densities: D*, the value, Jensen–Shannon
# ======================================================================================


def gaussian_logpdf(x: ArrayLike, mu: float, sigma: float) -> FloatArray:
    r"""The log-density of :math:`\mathcal N(\mu, \sigma^2)` at ``x`` (exact in the far tails)."""
    x = as_float_array(x, "x")
    mu, sigma = check_real(mu, "mu"), check_positive(sigma, "sigma")
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2.0 * np.pi)


def _densities(p_data: ArrayLike, p_g: ArrayLike) -> tuple[FloatArray, FloatArray]:
    p = as_float_array(p_data, "p_data")
    q = as_float_array(p_g, "p_g")
    if p.shape != q.shape:
        raise ValueError(
            f"p_data and p_g must be densities on the same grid, the same shape; got "
            f"{p.shape} and {q.shape}."
        )
    for arr, name in ((p, "p_data"), (q, "p_g")):
        if np.any(arr < 0):
            raise ValueError(f"{name} must be a density, >= 0 everywhere; got {arr.min()!r}.")
    return p, q


def optimal_discriminator(p_data: ArrayLike, p_g: ArrayLike) -> FloatArray:
    r"""The best discriminator for a fixed generator: :math:`D^* = p_\text{data} / (p_\text{data} + p_g)`.

    For each :math:`x`, :math:`D^*(x)` maximises
    :math:`p_\text{data}(x) \log D + p_g(x) \log(1 - D)` (Goodfellow et al. 2014,
    Proposition 1). Where both densities are 0 every :math:`D` is optimal; this returns ½
    there.

    Args:
        p_data: the data density on a grid (values >= 0).
        p_g: the generator's density on the same grid.

    Returns:
        :math:`D^*` on the grid, values in [0, 1].

    Example:
        >>> optimal_discriminator([3.0, 1.0, 0.0, 0.0], [1.0, 1.0, 2.0, 0.0]).tolist()
        [0.75, 0.5, 0.0, 0.5]
    """
    p, q = _densities(p_data, p_g)
    total = p + q
    return np.divide(p, total, out=np.full_like(p, 0.5), where=total > 0)


def _grid(x: ArrayLike, n: int) -> FloatArray:
    x = as_float_array(x, "x")
    if x.ndim != 1 or x.size < 2 or x.size != n or np.any(np.diff(x) <= 0):
        raise ValueError(
            f"x must be a strictly increasing 1-D grid with one point per density value "
            f"({n}); got shape {x.shape}."
        )
    return x


def gan_value(x: ArrayLike, p_data: ArrayLike, p_g: ArrayLike, d: ArrayLike | None = None) -> float:
    r"""The GAN value :math:`V(D, G) = \int p_\text{data} \log D + p_g \log(1 - D)\,dx` on a grid.

    Integrated with the trapezoidal rule; :math:`0 \log 0 = 0` (``scipy.special.xlogy``),
    so a discriminator that is exactly 0 or 1 where one density vanishes is fine.

    Args:
        x: the grid, strictly increasing, covering both densities' mass.
        p_data, p_g: the densities on the grid.
        d: the discriminator's probabilities :math:`D(x)` on the grid; ``None`` means the
            optimal one, :func:`optimal_discriminator`.

    Returns:
        :math:`V(D, G)`; at most :math:`V(D^*, G) = 2\,\mathrm{JS} - \log 4 \le 0`.
    """
    from scipy.special import xlogy

    p, q = _densities(p_data, p_g)
    x = _grid(x, p.size)
    if d is None:
        # p log D* + q log(1 − D*) = p log p + q log q − (p + q) log(p + q): no 1 − D* that
        # rounds to 0 where p_g is tiny but positive (which would give −inf).
        total = p + q
        integrand = xlogy(p, p) + xlogy(q, q) - xlogy(total, total)
    else:
        d_arr = as_float_array(d, "d")
        if d_arr.shape != p.shape or np.any((d_arr < 0) | (d_arr > 1)):
            raise ValueError(
                f"d must hold probabilities in [0, 1] on the grid, shape {p.shape}; got shape "
                f"{d_arr.shape}."
            )
        with np.errstate(divide="ignore"):
            integrand = xlogy(p, d_arr) + xlogy(q, 1.0 - d_arr)
    return float(np.trapezoid(integrand, x))


def js_divergence(x: ArrayLike, p_data: ArrayLike, p_g: ArrayLike) -> float:
    r"""Jensen–Shannon divergence (nats) between two densities on a grid.

    .. math::
        \mathrm{JS}(P \| Q) = \tfrac12 \mathrm{KL}(P \| M) + \tfrac12 \mathrm{KL}(Q \| M),
        \qquad M = \tfrac12 (P + Q),

    integrated with the trapezoidal rule (:math:`0 \log 0 = 0`). It lies in
    :math:`[0, \log 2]`: 0 for equal densities, :math:`\log 2` for disjoint supports,
    whatever the distance between them.

    Args:
        x: the grid, strictly increasing.
        p_data, p_g: the densities on the grid (each should integrate to 1 on it).

    Returns:
        JS in nats. ``scipy.spatial.distance.jensenshannon(p, q) ** 2`` is the same number
        for the discretised distributions (the tests compare them).
    """
    from scipy.special import xlogy

    p, q = _densities(p_data, p_g)
    x = _grid(x, p.size)
    m = 0.5 * (p + q)
    safe_m = np.where(m > 0, m, 1.0)
    integrand = 0.5 * (xlogy(p, p) - xlogy(p, safe_m)) + 0.5 * (xlogy(q, q) - xlogy(q, safe_m))
    return float(np.trapezoid(integrand, x))


@dataclass(frozen=True)
class GaussianGAN:
    r"""The 1-D GAN with :math:`p_\text{data} = \mathcal N(\mu_d, \sigma_d^2)` and
    :math:`p_g = \mathcal N(\mu_g, \sigma_g^2)`, on a grid (see :func:`gaussian_gan`).

    Attributes:
        x: the grid.
        p_data: the data density on it.
        p_g: the generator's density on it.
        d_optimal: :math:`D^*` on the grid.
        value_optimal: :math:`V(D^*, G)` by quadrature.
        js: :math:`\mathrm{JS}(p_\text{data} \| p_g)` by quadrature.
        js_scipy: ``scipy.spatial.distance.jensenshannon(p_data, p_g) ** 2`` (natural log)
            on the same grid, an independent check of ``js``.
        w1: the Wasserstein-1 distance, closed form (:func:`wasserstein1_gaussians`).
        identity_error: :math:`|V(D^*, G) - (2\,\mathrm{JS} - \log 4)|`.
        grad_minimax: the generator's gradient
            :math:`(\partial L/\partial\mu_g, \partial L/\partial\sigma_g)` under the
            minimax loss, the discriminator frozen at :math:`D^*` (:func:`generator_gradient`).
        grad_nonsaturating: the same under the non-saturating loss.
    """

    x: FloatArray
    p_data: FloatArray
    p_g: FloatArray
    d_optimal: FloatArray
    value_optimal: float
    js: float
    js_scipy: float
    w1: float
    identity_error: float
    grad_minimax: tuple[float, float]
    grad_nonsaturating: tuple[float, float]


def gaussian_gan(
    mu_g: float,
    sigma_g: float,
    *,
    mu_data: float = 0.0,
    sigma_data: float = 1.0,
    n_grid: int = 4001,
    width: float = 12.0,
) -> GaussianGAN:
    r"""Everything the closed-form 1-D GAN shows, for one generator :math:`\mathcal N(\mu_g, \sigma_g^2)`.

    The grid spans ``width`` standard deviations beyond both means on each side, so the
    densities' mass outside it is below 1e-30.

    Args:
        mu_g, sigma_g: the generator's mean and standard deviation (> 0).
        mu_data, sigma_data: the data's.
        n_grid: grid points (odd numbers put a point on the midpoint).
        width: half-width of the grid in standard deviations.

    Returns:
        A :class:`GaussianGAN`.
    """
    from scipy.spatial.distance import jensenshannon

    mu_g, sigma_g = check_real(mu_g, "mu_g"), check_positive(sigma_g, "sigma_g")
    mu_data, sigma_data = check_real(mu_data, "mu_data"), check_positive(sigma_data, "sigma_data")
    n_grid = _check_int(n_grid, "n_grid", 3)
    width = check_positive(width, "width")
    low = min(mu_data - width * sigma_data, mu_g - width * sigma_g)
    high = max(mu_data + width * sigma_data, mu_g + width * sigma_g)
    x = np.linspace(low, high, n_grid)
    p = np.exp(gaussian_logpdf(x, mu_data, sigma_data))
    q = np.exp(gaussian_logpdf(x, mu_g, sigma_g))
    value = gan_value(x, p, q)
    js = js_divergence(x, p, q)
    js_scipy = float(jensenshannon(p, q)) ** 2  # scipy normalises p and q to sum to 1
    kwargs = {"mu_data": mu_data, "sigma_data": sigma_data}
    return GaussianGAN(
        x=x, p_data=p, p_g=q, d_optimal=optimal_discriminator(p, q), value_optimal=value,
        js=js, js_scipy=js_scipy,
        w1=wasserstein1_gaussians(mu_data, sigma_data, mu_g, sigma_g),
        identity_error=abs(value - (2.0 * js - np.log(4.0))),
        grad_minimax=generator_gradient(mu_g, sigma_g, loss="minimax", **kwargs),
        grad_nonsaturating=generator_gradient(mu_g, sigma_g, loss="nonsaturating", **kwargs),
    )


# ======================================================================================
# Wasserstein-1
# ======================================================================================


def wasserstein1_gaussians(mu1: float, sigma1: float, mu2: float, sigma2: float) -> float:
    r"""The Wasserstein-1 distance between :math:`\mathcal N(\mu_1, \sigma_1^2)` and :math:`\mathcal N(\mu_2, \sigma_2^2)`.

    In 1-D, :math:`W_1 = \int_0^1 |F_1^{-1}(u) - F_2^{-1}(u)|\,du
    = \mathbb{E}\,|a + bZ|` with :math:`a = \mu_1 - \mu_2`, :math:`b = \sigma_1 - \sigma_2`
    and :math:`Z \sim \mathcal N(0, 1)`, the mean of a folded normal:

    .. math::
        W_1 = |b| \sqrt{2/\pi}\; e^{-a^2 / 2b^2} + a\,\bigl(1 - 2\Phi(-a/|b|)\bigr),

    which is :math:`|a|` for equal spreads. (It is not the often-quoted
    :math:`\sqrt{a^2 + b^2}`, which is :math:`W_2`.)

    Example:
        >>> wasserstein1_gaussians(0.0, 1.0, 3.0, 1.0)
        3.0
    """
    from scipy.special import ndtr

    a = check_real(mu1, "mu1") - check_real(mu2, "mu2")
    b = abs(check_positive(sigma1, "sigma1") - check_positive(sigma2, "sigma2"))
    if b == 0.0:
        return abs(a)
    return float(b * np.sqrt(2.0 / np.pi) * np.exp(-0.5 * (a / b) ** 2) + a * (1.0 - 2.0 * ndtr(-a / b)))


def wasserstein1_samples(u: ArrayLike, v: ArrayLike) -> float:
    r"""The Wasserstein-1 distance between the empirical distributions of two 1-D samples.

    :math:`W_1 = \int |F_u(t) - F_v(t)|\,dt`, the area between the two empirical CDFs,
    computed exactly on the merged sorted sample (the algorithm of
    ``scipy.stats.wasserstein_distance``, which the tests compare with to 1e-12). For two
    samples of the same size it is ``mean(|sort(u) − sort(v)|)``.

    Args:
        u, v: 1-D samples (any sizes, at least one value each).
    """
    u = np.sort(as_float_array(u, "u").ravel())
    v = np.sort(as_float_array(v, "v").ravel())
    points = np.sort(np.concatenate([u, v]))
    widths = np.diff(points)
    cdf_u = np.searchsorted(u, points[:-1], side="right") / u.size
    cdf_v = np.searchsorted(v, points[:-1], side="right") / v.size
    return float(np.sum(np.abs(cdf_u - cdf_v) * widths))


@dataclass(frozen=True)
class DisjointSupports:
    """JS and W₁ between U[0, w] and U[s, s + w] for each shift s (:func:`disjoint_supports`)."""

    shifts: FloatArray
    js: FloatArray
    js_exact: FloatArray
    w1: FloatArray
    w1_scipy: FloatArray


def disjoint_supports(
    shifts: ArrayLike, *, width: float = 1.0, n_per_unit: int = 2000
) -> DisjointSupports:
    r"""Jensen–Shannon saturates, Wasserstein-1 does not: two uniforms pulled apart.

    :math:`p_\text{data} = U[0, w]`, :math:`p_g = U[s, s + w]`. Once the supports are
    disjoint (:math:`|s| \ge w`) the JS divergence is :math:`\log 2` whatever the shift,
    so its gradient with respect to :math:`s` is 0: a generator trained on it gets no
    signal about *which way* the data lies. :math:`W_1 = |s|` keeps a slope of ±1
    (Arjovsky et al. 2017, Example 1, with a width instead of a line).

    JS is integrated numerically (:func:`js_divergence`, midpoint grid aligned with the
    supports) and compared with its closed form :math:`\min(|s|/w, 1)\log 2`; :math:`W_1`
    is ``scipy.stats.wasserstein_distance`` between the two discretised uniforms
    (``w1_scipy``) and :func:`wasserstein1_samples` (``w1``) on the same points.

    Args:
        shifts: the shifts s (multiples of ``1 / n_per_unit`` keep the grid aligned).
        width: w > 0.
        n_per_unit: grid points per unit length.
    """
    from scipy.stats import wasserstein_distance

    s = as_float_array(shifts, "shifts").ravel()
    width = check_positive(width, "width")
    n_per_unit = _check_int(n_per_unit, "n_per_unit", 10)
    h = 1.0 / n_per_unit
    js, w1, w1_scipy = (np.empty_like(s) for _ in range(3))
    support = (np.arange(round(width * n_per_unit)) + 0.5) * h  # midpoints of U[0, w]
    for i, shift in enumerate(s):
        low, high = min(0.0, shift) - 2 * h, max(width, shift + width) + 2 * h
        n = round((high - low) * n_per_unit)
        x = low + (np.arange(n) + 0.5) * h
        p = ((x > 0) & (x < width)).astype(float) / width
        q = ((x > shift) & (x < shift + width)).astype(float) / width
        # midpoint rule as a sum: exact for these piecewise-constant densities
        m = 0.5 * (p + q)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 0, p * np.log(p / np.where(m > 0, m, 1.0)), 0.0)
            terms += np.where(q > 0, q * np.log(q / np.where(m > 0, m, 1.0)), 0.0)
        js[i] = 0.5 * float(np.sum(terms)) * h
        w1[i] = wasserstein1_samples(support, support + shift)
        w1_scipy[i] = wasserstein_distance(support, support + shift)
    js_exact = np.minimum(np.abs(s) / width, 1.0) * _LOG2
    return DisjointSupports(shifts=s, js=js, js_exact=js_exact, w1=w1, w1_scipy=w1_scipy)


# ======================================================================================
# The generator's gradient under the two losses
# ======================================================================================


@functools.lru_cache(maxsize=8)
def _hermite_nodes(n_quad: int) -> tuple[FloatArray, FloatArray]:
    """Gauss–Hermite nodes and weights for E[g(Z)], Z ~ N(0, 1) (cached: an eigenproblem)."""
    z, w = np.polynomial.hermite_e.hermegauss(n_quad)
    z.setflags(write=False)
    w = w / np.sqrt(2.0 * np.pi)
    w.setflags(write=False)
    return z, w


def _generator_loss_terms(f: FloatArray, loss: str) -> tuple[FloatArray, FloatArray]:
    """ℓ(f) and dℓ/df on generated examples: minimax −softplus(f), non-saturating softplus(−f)."""
    if loss == "minimax":
        return -softplus(f), -expit(f)  # log(1 − D) and −D
    return softplus(-f), -expit(-f)  # −log D and −(1 − D)


def generator_objective(
    mu_g: float,
    sigma_g: float,
    d_logit: Callable[[FloatArray], FloatArray],
    *,
    loss: str = "nonsaturating",
    n_quad: int = 80,
) -> float:
    r"""The generator's loss :math:`\mathbb{E}_z[\ell(f(\mu_g + \sigma_g z))]` for a fixed discriminator.

    :math:`z \sim \mathcal N(0, 1)`, :math:`\ell(f) = -\mathrm{softplus}(f) = \log(1 - D)`
    (``"minimax"``) or :math:`\mathrm{softplus}(-f) = -\log D` (``"nonsaturating"``);
    the expectation by Gauss–Hermite quadrature with ``n_quad`` nodes (exact for
    polynomial integrands up to degree 2·n_quad − 1). Used to check
    :func:`generator_gradient` by finite differences.

    Args:
        mu_g, sigma_g: the generator :math:`G(z) = \mu_g + \sigma_g z`.
        d_logit: the discriminator's logit :math:`f(x)`, vectorised over ``x``.
        loss: ``"minimax"`` or ``"nonsaturating"``.
        n_quad: quadrature nodes.
    """
    loss = _check_name(loss, "loss", GENERATOR_LOSSES)
    z, w = _hermite_nodes(_check_int(n_quad, "n_quad", 2))
    x = check_real(mu_g, "mu_g") + check_real(sigma_g, "sigma_g") * z
    value, _ = _generator_loss_terms(np.asarray(d_logit(x), dtype=np.float64), loss)
    return float(np.sum(w * value))


def optimal_logit(
    mu_data: float, sigma_data: float, mu_g: float, sigma_g: float
) -> Callable[[FloatArray], FloatArray]:
    r"""The logit of :math:`D^*`, :math:`f^*(x) = \log p_\text{data}(x) - \log p_g(x)`, as a function."""
    def f(x: FloatArray) -> FloatArray:
        return gaussian_logpdf(x, mu_data, sigma_data) - gaussian_logpdf(x, mu_g, sigma_g)

    return f


def generator_gradient(
    mu_g: float,
    sigma_g: float,
    *,
    loss: str = "nonsaturating",
    mu_data: float = 0.0,
    sigma_data: float = 1.0,
    n_quad: int = 80,
) -> tuple[float, float]:
    r"""The generator's gradient :math:`(\partial L/\partial \mu_g, \partial L/\partial \sigma_g)`, D frozen at D*.

    The generator :math:`G(z) = \mu_g + \sigma_g z` faces the best discriminator for its
    current parameters, :math:`f^*(x) = \log p_\text{data}(x) - \log p_g(x)`, which is then
    held fixed (as in alternating training). By the chain rule through :math:`x = G(z)`,

    .. math::
        \frac{\partial L}{\partial \mu_g} = \mathbb{E}_z\bigl[\ell'(f^*(x))\, f^{*\prime}(x)\bigr],
        \qquad
        \frac{\partial L}{\partial \sigma_g} = \mathbb{E}_z\bigl[\ell'(f^*(x))\, f^{*\prime}(x)\, z\bigr],

    with :math:`f^{*\prime}(x) = -(x - \mu_d)/\sigma_d^2 + (x - \mu_g)/\sigma_g^2` and
    :math:`\ell'(f) = -D` (minimax) or :math:`-(1 - D)` (non-saturating): the two losses
    differ only by the factor :math:`D/(1 - D) = e^{f}`. Where the generator's samples are
    confidently rejected (:math:`D \approx 0`) the minimax gradient vanishes.

    Args:
        mu_g, sigma_g: the generator's parameters.
        loss: ``"minimax"`` or ``"nonsaturating"``.
        mu_data, sigma_data: the data distribution.
        n_quad: Gauss–Hermite nodes.

    Returns:
        ``(dL/dmu_g, dL/dsigma_g)``.
    """
    loss = _check_name(loss, "loss", GENERATOR_LOSSES)
    mu_g, sigma_g = check_real(mu_g, "mu_g"), check_positive(sigma_g, "sigma_g")
    mu_data, sigma_data = check_real(mu_data, "mu_data"), check_positive(sigma_data, "sigma_data")
    g_mu, g_sigma = _generator_gradients(np.array([mu_g]), sigma_g, loss, mu_data, sigma_data,
                                         _check_int(n_quad, "n_quad", 2))
    return float(g_mu[0]), float(g_sigma[0])


def _generator_gradients(
    mu_g: FloatArray, sigma_g: float, loss: str, mu_data: float, sigma_data: float, n_quad: int
) -> tuple[FloatArray, FloatArray]:
    """:func:`generator_gradient` for many means at once (one row of quadrature per mean)."""
    z, w = _hermite_nodes(n_quad)
    mu = np.asarray(mu_g, dtype=np.float64)[:, None]
    x = mu + sigma_g * z[None, :]
    # f*(x) = log p_data(x) − log p_g(x); the normalising constants give log(σ_g/σ_d)
    f = (-0.5 * ((x - mu_data) / sigma_data) ** 2 + 0.5 * z[None, :] ** 2
         + np.log(sigma_g / sigma_data))
    _, dl_df = _generator_loss_terms(f, loss)
    df_dx = -(x - mu_data) / sigma_data**2 + (x - mu) / sigma_g**2
    g = w * dl_df * df_dx
    return g.sum(axis=1), (g * z).sum(axis=1)


# ======================================================================================
# Dirac-GAN
# ======================================================================================


def _log_sigmoid_grad(t: FloatArray | float) -> FloatArray | float:
    """f'(t) for f(t) = log σ(t) = −softplus(−t): σ(−t)."""
    return expit(-t)


def dirac_gan_field(
    theta: ArrayLike, psi: ArrayLike, *, gp: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    r"""The Dirac-GAN's gradient vector field :math:`v(\theta, \psi)`: the direction each player moves.

    Mescheder et al. (2018): data :math:`\delta_0`, generator :math:`\delta_\theta`,
    discriminator :math:`D_\psi(x) = \sigma(\psi x)`. The value is
    :math:`L(\theta, \psi) = \log\sigma(\psi\theta) + \log\sigma(0)` minus, with an R1
    gradient penalty, :math:`\tfrac{\gamma}{2}\psi^2` (:math:`\|\nabla_x (\psi x)\|^2 = \psi^2`
    on the data). The discriminator ascends :math:`L`, the generator descends it:

    .. math::
        v(\theta, \psi) = \bigl(-\partial_\theta L,\ \partial_\psi L\bigr)
        = \bigl(-\psi\, \sigma(-\psi\theta),\ \ \theta\, \sigma(-\psi\theta) - \gamma\psi\bigr).

    The only equilibrium is :math:`(0, 0)`; without a penalty the Jacobian there,
    :math:`\begin{pmatrix}0 & -\tfrac12\\ \tfrac12 & 0\end{pmatrix}`, has purely imaginary
    eigenvalues :math:`\pm i/2`: the flow circles around it.

    Args:
        theta, psi: points (arrays of the same shape, or scalars).
        gp: the R1 penalty weight :math:`\gamma \ge 0`.

    Returns:
        ``(v_theta, v_psi)``, arrays of the shape of ``theta``.
    """
    theta = as_float_array(theta, "theta")
    psi = as_float_array(psi, "psi")
    gp = _check_nonnegative(gp, "gp")
    s = _log_sigmoid_grad(psi * theta)
    return -psi * s, theta * s - gp * psi


def _field_jacobian(theta: float, psi: float, gp: float) -> FloatArray:
    """∂v/∂(θ, ψ) of :func:`dirac_gan_field`, analytic (f'' = −σ(t)σ(−t))."""
    t = psi * theta
    s, s2 = expit(-t), -expit(t) * expit(-t)
    return np.array([
        [-psi * psi * s2, -s - t * s2],
        [s + t * s2, theta * theta * s2 - gp],
    ])


def _sigmoid_neg(t: float) -> float:
    """σ(−t) for a Python float, without overflow (the scalar twin of ``expit(-t)``)."""
    if t >= 0:
        e = math.exp(-t)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(t))


def _consensus_field(theta: float, psi: float, gp: float, consensus: float) -> tuple[float, float]:
    # plain floats: a trajectory takes thousands of these steps (the demo re-runs it live)
    s = _sigmoid_neg(psi * theta)
    v_theta, v_psi = -psi * s, theta * s - gp * psi
    if consensus:
        # consensus optimisation (Mescheder et al. 2017): follow v − γ ∇(½‖v‖²) = v − γ Jᵀv
        v = np.array([v_theta, v_psi])
        v = v - consensus * _field_jacobian(theta, psi, gp).T @ v
        return float(v[0]), float(v[1])
    return v_theta, v_psi


def _dirac_step(
    theta: float, psi: float, lr: float, mode: str, n_critic: int, gp: float, consensus: float
) -> tuple[float, float]:
    """One generator step and ``n_critic`` discriminator steps."""
    psi_new = psi
    for _ in range(n_critic - 1):  # extra discriminator steps first, the generator fixed
        psi_new += lr * _consensus_field(theta, psi_new, gp, consensus)[1]
    if mode == "simultaneous":  # the last D step and the G step from the same point
        v_theta, v_psi = _consensus_field(theta, psi_new, gp, consensus)
        return theta + lr * v_theta, psi_new + lr * v_psi
    psi_new += lr * _consensus_field(theta, psi_new, gp, consensus)[1]
    return theta + lr * _consensus_field(theta, psi_new, gp, consensus)[0], psi_new


@dataclass(frozen=True)
class DiracTrajectory:
    """A Dirac-GAN run (:func:`dirac_gan_trajectory`).

    Attributes:
        theta: the generator's iterates, including the start (``steps + 1`` values, fewer
            if the run was stopped because it diverged).
        psi: the discriminator's iterates, likewise.
        distance: :math:`\\sqrt{\\theta^2 + \\psi^2}`, the distance to the equilibrium.
        diverged: whether the distance passed ``max_distance`` (the run stops there).
    """

    theta: FloatArray
    psi: FloatArray
    distance: FloatArray
    diverged: bool

    @property
    def final_distance(self) -> float:
        return float(self.distance[-1])


def _dirac_args(lr: Any, mode: Any, n_critic: Any, gp: Any, consensus: Any
                ) -> tuple[float, str, int, float, float]:
    return (check_positive(lr, "lr"), _check_name(mode, "mode", DIRAC_MODES),
            _check_int(n_critic, "n_critic", 1), _check_nonnegative(gp, "gp"),
            _check_nonnegative(consensus, "consensus"))


def dirac_gan_trajectory(
    theta0: float,
    psi0: float,
    *,
    lr: float,
    steps: int,
    mode: str = "simultaneous",
    n_critic: int = 1,
    gp: float = 0.0,
    consensus: float = 0.0,
    max_distance: float = 1e6,
) -> DiracTrajectory:
    r"""Gradient steps on the Dirac-GAN from :math:`(\theta_0, \psi_0)` (Mescheder et al. 2018).

    Each step moves along :func:`dirac_gan_field` with step size :math:`\eta` = ``lr``:

    - ``"simultaneous"``: both players step from the same point,
      :math:`(\theta, \psi) \leftarrow (\theta, \psi) + \eta\, v(\theta, \psi)`. The
      linearised update has eigenvalues :math:`1 \pm i\eta/2`, of modulus
      :math:`\sqrt{1 + \eta^2/4} > 1`: the iterates spiral **out**, for every step size.
      (Far from the equilibrium :math:`\sigma(-\psi\theta)` saturates and the spiral
      slows down: the distance keeps growing, ever more slowly.)
    - ``"alternating"``: the discriminator steps first, then the generator sees the new
      :math:`\psi`. The linearised update has determinant 1: the iterates circle the
      equilibrium, neither converging nor diverging (for :math:`\eta < 4`).

    With ``n_critic > 1`` the discriminator takes ``n_critic − 1`` extra steps (generator
    fixed) before each joint step. ``gp`` = γ adds the R1 penalty
    :math:`\tfrac{\gamma}{2}\psi^2` to the discriminator's loss: the iterates converge to
    :math:`(0, 0)` (simultaneous steps need :math:`\eta < 4\gamma`).
    ``consensus`` = γ_c follows :math:`v - \gamma_c J^\top v` (consensus optimisation,
    Mescheder et al. 2017), which also converges.

    Args:
        theta0, psi0: the start.
        lr: the step size η > 0.
        steps: the number of generator steps.
        mode: ``"simultaneous"`` or ``"alternating"``.
        n_critic: discriminator steps per generator step (>= 1).
        gp: R1 gradient-penalty weight γ >= 0.
        consensus: consensus-optimisation weight >= 0.
        max_distance: stop (``diverged=True``) once the distance to (0, 0) exceeds this.

    Returns:
        A :class:`DiracTrajectory`.
    """
    lr, mode, n_critic, gp, consensus = _dirac_args(lr, mode, n_critic, gp, consensus)
    steps = _check_int(steps, "steps", 0)
    theta, psi = check_real(theta0, "theta0"), check_real(psi0, "psi0")
    max_distance = check_positive(max_distance, "max_distance")
    thetas, psis = [theta], [psi]
    diverged = False
    for _ in range(steps):
        theta, psi = _dirac_step(theta, psi, lr, mode, n_critic, gp, consensus)
        thetas.append(theta)
        psis.append(psi)
        if not np.hypot(theta, psi) <= max_distance:  # also catches a non-finite iterate
            diverged = True
            break
    t, p = np.array(thetas), np.array(psis)
    return DiracTrajectory(theta=t, psi=p, distance=np.hypot(t, p), diverged=diverged)


def dirac_gan_spectral_radius(
    *, lr: float, mode: str = "simultaneous", n_critic: int = 1, gp: float = 0.0,
    consensus: float = 0.0,
) -> float:
    r"""The spectral radius of one Dirac-GAN update, linearised at the equilibrium (0, 0).

    Below 1 the iterates converge (locally), above 1 they spiral out, at 1 they circle.
    The Jacobian of the update map is taken by central differences (step 1e-6) of the
    update itself, so it covers every mode. Simultaneous steps without a penalty give
    :math:`\sqrt{1 + \eta^2/4}`; alternating steps give exactly 1.
    """
    lr, mode, n_critic, gp, consensus = _dirac_args(lr, mode, n_critic, gp, consensus)
    h = 1e-6
    jac = np.empty((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        up = _dirac_step(e[0], e[1], lr, mode, n_critic, gp, consensus)
        down = _dirac_step(-e[0], -e[1], lr, mode, n_critic, gp, consensus)
        jac[:, j] = (np.array(up) - np.array(down)) / (2 * h)
    return float(np.max(np.abs(np.linalg.eigvals(jac))))


# ======================================================================================
# A tiny MLP with its backward pass, and the gradient penalty's double backward
# ======================================================================================


_GAN_ACTIVATIONS = ("tanh", "relu")


class TinyMLP:
    r"""One hidden layer, written out: :math:`a = xW_1 + b_1`, :math:`h = \phi(a)`, :math:`y = hW_2 + b_2`.

    Small enough to read like micrograd: :meth:`forward`, :meth:`backward` (the gradients
    of the parameters *and* of the input, which the generator needs to be trained through
    the discriminator) and, for a scalar output, :meth:`input_gradient` and
    :meth:`gradient_penalty` with its own backward pass (the "double backward" of WGAN-GP,
    derived by hand; the tests check it by finite differences).

    Args:
        n_in: input size.
        n_hidden: hidden units.
        n_out: output size.
        activation: ``"tanh"`` or ``"relu"`` (φ).
        rng: the random generator that draws the initial weights (Glorot for tanh, He for
            relu; zero biases).
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, *, activation: str = "tanh",
                 rng: np.random.Generator) -> None:
        n_in, n_hidden, n_out = (_check_int(v, name, 1) for v, name in
                                 ((n_in, "n_in"), (n_hidden, "n_hidden"), (n_out, "n_out")))
        self.activation = _check_name(activation, "activation", _GAN_ACTIVATIONS)
        scale1 = np.sqrt((1.0 if activation == "tanh" else 2.0) / n_in)
        self.params: dict[str, FloatArray] = {
            "W1": rng.normal(0.0, scale1, (n_in, n_hidden)),
            "b1": np.zeros(n_hidden),
            "W2": rng.normal(0.0, np.sqrt(1.0 / n_hidden), (n_hidden, n_out)),
            "b2": np.zeros(n_out),
        }

    def _act(self, a: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """φ(a), φ'(a) and φ''(a)."""
        if self.activation == "tanh":
            h = np.tanh(a)
            s = 1.0 - h * h
            return h, s, -2.0 * h * s
        return np.maximum(a, 0.0), (a > 0).astype(np.float64), np.zeros_like(a)

    def forward(self, x: FloatArray) -> FloatArray:
        """The output, shape ``(n, n_out)``."""
        h, _, _ = self._act(x @ self.params["W1"] + self.params["b1"])
        return h @ self.params["W2"] + self.params["b2"]

    def backward(self, x: FloatArray, grad_out: FloatArray) -> tuple[dict[str, FloatArray], FloatArray]:
        """Gradients of ``sum(grad_out * forward(x))``: parameters, and the input ``x``."""
        p = self.params
        h, s, _ = self._act(x @ p["W1"] + p["b1"])
        grads = {"W2": h.T @ grad_out, "b2": grad_out.sum(axis=0)}
        grad_a = (grad_out @ p["W2"].T) * s  # through h = φ(a)
        grads["W1"] = x.T @ grad_a
        grads["b1"] = grad_a.sum(axis=0)
        return grads, grad_a @ p["W1"].T

    def input_gradient(self, x: FloatArray) -> FloatArray:
        r""":math:`\nabla_x y(x)` for a scalar output, one row per example: :math:`(w_2 \odot \phi'(a)) W_1^\top`."""
        _, s, _ = self._act(x @ self.params["W1"] + self.params["b1"])
        return (s * self.params["W2"][:, 0]) @ self.params["W1"].T

    def gradient_penalty(self, x: FloatArray, weight: float) -> tuple[float, dict[str, FloatArray]]:
        r"""WGAN-GP's penalty :math:`\lambda\,\mathbb{E}[(\|\nabla_x y(x)\|_2 - 1)^2]` and its parameter gradients.

        With :math:`u = w_2 \odot \phi'(a)` and :math:`g = u W_1^\top` (the input gradient),
        the penalty's gradient flows back through :math:`g` twice: directly into
        :math:`W_1`, and through :math:`u` into :math:`w_2` and, via
        :math:`\phi''(a)`, into :math:`W_1` and :math:`b_1` again.
        """
        p = self.params
        w2 = p["W2"][:, 0]
        a = x @ p["W1"] + p["b1"]
        _, s, s2 = self._act(a)
        u = s * w2                      # (n, H)
        g = u @ p["W1"].T               # (n, d): the input gradient
        norm = np.sqrt(np.sum(g * g, axis=1))
        n = x.shape[0]
        value = weight * float(np.mean((norm - 1.0) ** 2))
        # d value / d g, per example: 2λ(‖g‖ − 1) g / (n ‖g‖)   (0 where g = 0)
        scale = np.divide(2.0 * weight * (norm - 1.0), n * norm, out=np.zeros_like(norm),
                          where=norm > 0)
        r = scale[:, None] * g
        q = r @ p["W1"]                 # d value / d u
        e = q * w2 * s2                 # d value / d a, through u = w2 ⊙ φ'(a)
        grads = {
            "W1": r.T @ u + x.T @ e,    # g = u W1ᵀ directly, and a = x W1 + b1
            "b1": e.sum(axis=0),
            "W2": (q * s).sum(axis=0)[:, None],
            "b2": np.zeros_like(p["b2"]),
        }
        return value, grads


def wgan_gp_critic_loss(
    critic: TinyMLP, x_real: FloatArray, x_fake: FloatArray, *, gp_weight: float = 10.0,
    rng: np.random.Generator,
) -> tuple[float, dict[str, FloatArray], dict[str, float]]:
    r"""The WGAN-GP critic loss (Gulrajani et al. 2017) and its gradient for the critic's parameters.

    .. math::
        L_C = \mathbb{E}[f(\tilde x)] - \mathbb{E}[f(x)]
            + \lambda\, \mathbb{E}_{\hat x}\bigl[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\bigr],
        \qquad \hat x = \epsilon x + (1 - \epsilon)\tilde x,\ \epsilon \sim U[0, 1],

    for real :math:`x` and generated :math:`\tilde x` (paired row by row). The first two
    terms are the negated estimate of :math:`W_1` (Kantorovich–Rubinstein: the sup over
    1-Lipschitz critics of :math:`\mathbb{E}[f(x)] - \mathbb{E}[f(\tilde x)]`); the penalty
    keeps the critic's slope near 1 on the lines between real and generated samples.

    Args:
        critic: a :class:`TinyMLP` with one output.
        x_real, x_fake: batches of the same shape ``(n, d)``.
        gp_weight: λ >= 0 (10 in the paper).
        rng: draws ε.

    Returns:
        ``(loss, grads, parts)``: the loss, the gradients of the critic's parameters, and
        ``{"wasserstein": E f(x) − E f(x̃), "penalty": ...}``.
    """
    gp_weight = _check_nonnegative(gp_weight, "gp_weight")
    n = x_real.shape[0]
    if x_fake.shape != x_real.shape:
        raise ValueError(f"x_real and x_fake must have the same shape; got {x_real.shape} "
                         f"and {x_fake.shape}.")
    f_real, f_fake = critic.forward(x_real)[:, 0], critic.forward(x_fake)[:, 0]
    grads_real, _ = critic.backward(x_real, np.full((n, 1), -1.0 / n))
    grads_fake, _ = critic.backward(x_fake, np.full((n, 1), 1.0 / n))
    eps = rng.uniform(size=(n, 1))
    penalty, grads_gp = critic.gradient_penalty(eps * x_real + (1.0 - eps) * x_fake, gp_weight)
    w_estimate = float(np.mean(f_real) - np.mean(f_fake))
    grads = {k: grads_real[k] + grads_fake[k] + grads_gp[k] for k in critic.params}
    return -w_estimate + penalty, grads, {"wasserstein": w_estimate, "penalty": penalty}


# ======================================================================================
# The ring of Gaussians, mode coverage and the 2-D trainer
# ======================================================================================


def ring_centers(n_modes: int = 8, radius: float = 2.0) -> FloatArray:
    """The centres of the ring's modes, evenly spaced on a circle, shape ``(n_modes, 2)``."""
    angles = 2.0 * np.pi * np.arange(_check_int(n_modes, "n_modes", 1)) / n_modes
    return check_positive(radius, "radius") * np.column_stack([np.cos(angles), np.sin(angles)])


def ring_data(n: int, *, n_modes: int = 8, radius: float = 2.0, std: float = 0.05,
              seed: int | np.random.Generator = 0) -> FloatArray:
    """``n`` points from a ring of ``n_modes`` Gaussians (equal weights, spread ``std``).

    The standard toy problem for mode collapse (Metz et al. 2017): eight well-separated
    modes on a circle of radius 2.
    """
    rng = np.random.default_rng(seed)
    n = _check_int(n, "n", 1)
    centers = ring_centers(n_modes, radius)
    return centers[rng.integers(0, n_modes, n)] + check_positive(std, "std") * rng.normal(size=(n, 2))


@dataclass(frozen=True)
class ModeCoverage:
    """How many modes a sample covers (:func:`modes_covered`).

    Attributes:
        covered: modes holding at least ``min_count`` high-quality samples.
        counts: high-quality samples per mode.
        high_quality: the share of samples within ``threshold`` of some mode.
    """

    covered: int
    counts: np.ndarray
    high_quality: float


def modes_covered(samples: ArrayLike, *, n_modes: int = 8, radius: float = 2.0,
                  threshold: float = 0.25, min_count: int | None = None) -> ModeCoverage:
    """Count the ring's modes that a sample covers.

    A sample is *high quality* if it lies within ``threshold`` of its nearest mode (5 data
    standard deviations by default); a mode is *covered* if at least ``min_count`` samples
    are high quality and nearest to it (default: 2 % of the sample, a quarter of a fair
    share for 8 modes).
    """
    x = as_float_array(samples, "samples")
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"samples must have shape (n, 2); got {x.shape}.")
    threshold = check_positive(threshold, "threshold")
    centers = ring_centers(n_modes, radius)
    dist = np.linalg.norm(x[:, None, :] - centers[None, :, :], axis=2)
    nearest = np.argmin(dist, axis=1)
    good = dist[np.arange(x.shape[0]), nearest] <= threshold
    counts = np.bincount(nearest[good], minlength=n_modes)
    need = max(1, round(0.02 * x.shape[0])) if min_count is None else _check_int(
        min_count, "min_count", 1)
    return ModeCoverage(covered=int(np.sum(counts >= need)), counts=counts,
                        high_quality=float(np.mean(good)))


@dataclass(frozen=True)
class GANRun:
    """The result of :func:`train_gan_2d`.

    Attributes:
        loss: the loss name.
        d_loss: the discriminator's (critic's) loss at every generator step (for WGAN-GP
            it includes the penalty).
        g_loss: the generator's loss at every generator step.
        snapshot_steps: the generator steps at which ``samples`` were taken (0 = start).
        samples: generated samples from one fixed batch of noise at each snapshot, shape
            ``(n_snapshots, n_eval, 2)``.
        modes: modes covered at each snapshot (:func:`modes_covered`).
        high_quality: the share of high-quality samples at each snapshot.
        spread: the samples' root-mean-square distance from their own mean at each
            snapshot (the data's is about 2.0, the ring's radius): a generator that has
            collapsed to one point has a spread near 0.
        data: a sample of the data, for plotting.
        seconds: wall-clock training time.
    """

    loss: str
    d_loss: FloatArray
    g_loss: FloatArray
    snapshot_steps: np.ndarray
    samples: FloatArray
    modes: np.ndarray
    high_quality: FloatArray
    spread: FloatArray
    data: FloatArray
    seconds: float

    @property
    def final_modes(self) -> int:
        return int(self.modes[-1])


def _adam(lr: float, beta1: float, beta2: float) -> Any:
    from .train import Adam

    return Adam(lr=lr, beta1=beta1, beta2=beta2)


def train_gan_2d(
    loss: str = "nonsaturating",
    *,
    steps: int = 1500,
    seed: int = 0,
    batch: int = 128,
    hidden: int = 64,
    latent: int = 2,
    lr: float = 1e-3,
    lr_d: float | None = None,
    n_critic: int | None = None,
    gp_weight: float = 0.1,
    n_snapshots: int = 7,
    n_eval: int = 1000,
    data_std: float = 0.05,
) -> GANRun:
    r"""Train a tiny GAN on the ring of eight Gaussians, in numpy.

    Generator :math:`G`: :class:`TinyMLP` from ``latent``-dimensional Gaussian noise to
    :math:`\mathbb{R}^2` (``hidden`` relu units); discriminator / critic :math:`f`: a
    :class:`TinyMLP` from :math:`\mathbb{R}^2` to one logit (``hidden`` tanh units). Both
    use Adam (β = (0.5, 0.9)). Per generator step, the discriminator takes ``n_critic``
    steps on fresh batches. The losses (``y = 1`` real, ``y = 0`` generated):

    - ``"nonsaturating"``: D minimises :func:`lossviz.losses.gan_discriminator`, G
      minimises :func:`lossviz.losses.gan_generator_nonsaturating` (:math:`-\log D(G(z))`);
    - ``"minimax"``: the same D, G minimises :func:`lossviz.losses.gan_generator_minimax`
      (:math:`\log(1 - D(G(z)))`);
    - ``"lsgan"`` (Mao et al. 2017): D minimises
      :math:`\tfrac12\mathbb{E}[(f(x) - 1)^2] + \tfrac12\mathbb{E}[f(G(z))^2]`, G minimises
      :math:`\tfrac12\mathbb{E}[(f(G(z)) - 1)^2]`;
    - ``"wgan-gp"`` (Gulrajani et al. 2017): the critic minimises
      :func:`wgan_gp_critic_loss`, G minimises :math:`-\mathbb{E}[f(G(z))]`; ``n_critic``
      defaults to 5 here (1 otherwise).

    Deterministic: one ``numpy.random.Generator`` seeded with ``seed`` draws the
    initial weights, the data and the noise, in a fixed order.

    With the defaults (seed 0, 1500 steps) every loss learns the ring; the modes covered
    at steps 0, 250, ..., 1500 are ``"nonsaturating"`` 0 0 0 0 0 6 8, ``"minimax"``
    0 0 0 0 0 4 7, ``"lsgan"`` 0 0 0 5 7 8 8 and ``"wgan-gp"`` 0 0 0 2 7 8 8 (1–2 s each,
    WGAN-GP 4–6 s with its five critic steps). None of them collapses to a single mode
    in this setting.

    Args:
        loss: one of :data:`GAN_LOSSES`.
        steps: generator steps.
        seed: the seed.
        batch: examples per batch (real and generated each).
        hidden: hidden units of both networks.
        latent: noise dimension.
        lr: Adam's step size for both networks.
        n_critic: discriminator steps per generator step (default 5 for WGAN-GP, else 1).
        gp_weight: WGAN-GP's λ.
        n_snapshots: evenly spaced snapshots of the samples, including the start and end.
        n_eval: samples per snapshot (one fixed batch of noise).
        data_std: the spread of each mode.

    Returns:
        A :class:`GANRun`.
    """
    import time

    from . import losses

    loss = _check_name(loss, "loss", GAN_LOSSES)
    steps = _check_int(steps, "steps", 1)
    batch, hidden, latent = (_check_int(v, name, 1) for v, name in
                             ((batch, "batch"), (hidden, "hidden"), (latent, "latent")))
    n_critic = (5 if loss == "wgan-gp" else 1) if n_critic is None else _check_int(
        n_critic, "n_critic", 1)
    gp_weight = _check_nonnegative(gp_weight, "gp_weight")
    n_snapshots = _check_int(n_snapshots, "n_snapshots", 2)
    data_std = check_positive(data_std, "data_std")
    lr = check_positive(lr, "lr")
    if lr_d is not None:
        lr_d = check_positive(lr_d, "lr_d")

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    gen = TinyMLP(latent, hidden, 2, activation="relu", rng=rng)
    disc = TinyMLP(2, hidden, 1, activation="tanh", rng=rng)
    opt_g, opt_d = _adam(lr, 0.5, 0.9), _adam(lr if lr_d is None else lr_d, 0.5, 0.9)
    z_eval = rng.normal(size=(_check_int(n_eval, "n_eval", 1), latent))
    snapshot_steps = np.unique(np.linspace(0, steps, n_snapshots).round().astype(int))
    snapshots: list[FloatArray] = []
    labels = np.concatenate([np.ones(batch), np.zeros(batch)])
    zeros = np.zeros(batch)
    d_hist, g_hist = np.empty(steps), np.empty(steps)

    def sample(n: int) -> tuple[FloatArray, FloatArray]:
        z = rng.normal(size=(n, latent))
        return z, gen.forward(z)

    for step in range(steps):
        if step in snapshot_steps:
            snapshots.append(gen.forward(z_eval))
        # -- the discriminator (critic) ---------------------------------------------------
        for _ in range(n_critic):
            x_real = ring_data(batch, radius=2.0, std=data_std, seed=rng)
            _, x_fake = sample(batch)
            if loss == "wgan-gp":
                d_value, d_grads, _ = wgan_gp_critic_loss(disc, x_real, x_fake,
                                                          gp_weight=gp_weight, rng=rng)
            else:
                x = np.concatenate([x_real, x_fake])
                f = disc.forward(x)[:, 0]
                if loss == "lsgan":  # ½E(f(x) − 1)² + ½E f(x̃)² = the mean over both halves
                    d_value = float(np.mean((f - labels) ** 2))
                    grad_f = 2.0 * (f - labels) / f.size
                else:
                    d_value = losses.gan_discriminator(labels, f)
                    grad_f = losses.gan_discriminator_grad(labels, f)
                d_grads, _ = disc.backward(x, grad_f[:, None])
            opt_d.step(disc.params, d_grads)
        # -- the generator, through the discriminator's input gradient ----------------------
        z, x_fake = sample(batch)
        f = disc.forward(x_fake)[:, 0]
        if loss == "nonsaturating":
            g_value = losses.gan_generator_nonsaturating(zeros, f)
            grad_f = losses.gan_generator_nonsaturating_grad(zeros, f)
        elif loss == "minimax":
            g_value = losses.gan_generator_minimax(zeros, f)
            grad_f = losses.gan_generator_minimax_grad(zeros, f)
        elif loss == "lsgan":
            g_value = 0.5 * float(np.mean((f - 1.0) ** 2))
            grad_f = (f - 1.0) / f.size
        else:
            g_value = -float(np.mean(f))
            grad_f = np.full(batch, -1.0 / batch)
        _, grad_x = disc.backward(x_fake, grad_f[:, None])
        g_grads, _ = gen.backward(z, grad_x)
        opt_g.step(gen.params, g_grads)
        d_hist[step], g_hist[step] = d_value, g_value
    snapshots.append(gen.forward(z_eval))
    samples = np.stack(snapshots)
    coverage = [modes_covered(s, radius=2.0, threshold=5.0 * data_std) for s in samples]
    return GANRun(
        loss=loss, d_loss=d_hist, g_loss=g_hist, snapshot_steps=snapshot_steps,
        samples=samples, modes=np.array([c.covered for c in coverage]),
        high_quality=np.array([c.high_quality for c in coverage]),
        spread=np.sqrt(np.mean(np.sum((samples - samples.mean(axis=1, keepdims=True)) ** 2,
                                      axis=2), axis=1)),
        data=ring_data(n_eval, std=data_std, seed=seed + 1),
        seconds=time.perf_counter() - start,
    )
