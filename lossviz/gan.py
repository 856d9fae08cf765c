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
non-saturating, minimax, least-squares (LSGAN), WGAN-GP or weight-clipped WGAN losses, and
counts the modes covered (:func:`modes_covered`), snapshot by snapshot, with the critic's
slope and the share of clipped weights. Deterministic for a seed; a few seconds.
:data:`MODE_COLLAPSE` is a setting in which the standard GAN's generator never settles: it
covers at most two or three modes at a time and hops between them, while LSGAN learns the
whole ring.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
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
    "MODE_COLLAPSE",
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
    "wasserstein_critic_loss",
    "wgan_gp_critic_loss",
]

#: Generator losses of :func:`generator_gradient`, as functions of the discriminator's logit
#: on a generated example: minimax log(1 − D) = −softplus(f), non-saturating −log D =
#: softplus(−f).
GENERATOR_LOSSES = ("minimax", "nonsaturating")

#: Update schemes of :func:`dirac_gan_trajectory`.
DIRAC_MODES = ("simultaneous", "alternating")

#: Losses of :func:`train_gan_2d`.
GAN_LOSSES = ("nonsaturating", "minimax", "lsgan", "wgan-gp", "wgan-clip")

#: Keyword arguments of :func:`train_gan_2d` in which the standard GAN collapses: the
#: generator's Adam step (``lr``) is five times the discriminator's (``lr_d``), so the
#: discriminator cannot keep up and the generator chases whatever region it currently
#: calls real. With ``seed`` 3 the non-saturating and the minimax generators cover at
#: most 2 modes at any snapshot and hop between them; LSGAN covers all 8 at every snapshot
#: from step 925 on. The measured table over five seeds is in :func:`train_gan_2d`;
#: override the seed with ``{**MODE_COLLAPSE, "seed": s}``.
MODE_COLLAPSE: Mapping[str, Any] = MappingProxyType({"lr": 5e-3, "lr_d": 1e-3, "seed": 3})

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
    r"""The result of :func:`train_gan_2d`.

    Per-step histories have one entry per generator step; per-snapshot arrays have one
    row per entry of ``snapshot_steps``. The snapshot at step :math:`s` shows the
    generator *before* its update :math:`s`, the state in which ``d_loss[s]`` and
    ``g_loss[s]`` were measured (see :meth:`losses_at`).

    Attributes:
        loss: the loss name.
        d_loss: the discriminator's (critic's) loss at every generator step (for WGAN-GP
            it includes the penalty; for the Wasserstein losses it is the negated estimate
            of :math:`W_1` by the critic).
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
        mode_counts: high-quality samples nearest to each mode at each snapshot, shape
            ``(n_snapshots, 8)``: *which* modes are covered when (:attr:`covered_mask`),
            so a generator hopping from mode to mode shows up.
        grad_norm: the mean norm of the critic's input gradient
            :math:`\|\nabla_x f(\hat x)\|_2` at each snapshot, over ``n_eval`` points
            :math:`\hat x = \epsilon x + (1 - \epsilon)\tilde x` between ``data`` and the
            snapshot's samples (one fixed draw of ε, as in WGAN-GP's penalty). WGAN-GP
            pulls it towards 1; a clipped critic's is bounded by the clip, at most
            :math:`\sqrt2 \cdot` ``hidden`` :math:`\cdot c^2` (0.009 for 64 units and
            c = 0.01).
        grad_norm_std: the standard deviation of those norms at each snapshot.
        clipped_share: the share of the critic's parameters (weights and biases) with
            magnitude at least ``clip_value`` at each snapshot. For ``"wgan-clip"`` these
            sit exactly at :math:`\pm c`; for the other losses it is the share that
            clipping at ``clip_value`` would cut.
        critic: the discriminator (critic) at the end of training, a :class:`TinyMLP`.
        generator: the generator at the end of training, a :class:`TinyMLP`.
        settings: the resolved settings of the run (every keyword of
            :func:`train_gan_2d`, with defaults such as ``n_critic`` filled in).
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
    mode_counts: np.ndarray
    grad_norm: FloatArray
    grad_norm_std: FloatArray
    clipped_share: FloatArray
    critic: TinyMLP
    generator: TinyMLP
    settings: dict[str, Any]

    @property
    def final_modes(self) -> int:
        """The modes covered at the last snapshot."""
        return int(self.modes[-1])

    @property
    def covered_mask(self) -> np.ndarray:
        """Boolean ``(n_snapshots, 8)``, True where a mode is covered (the rule of :func:`modes_covered`)."""
        need = max(1, round(0.02 * self.samples.shape[1]))
        return self.mode_counts >= need

    @property
    def mode_changes(self) -> int:
        """How often the set of covered modes changes between consecutive snapshots.

        Counted only between snapshots that both cover at least one mode, so learning the
        ring (0 → some modes) does not count; a generator that hops from mode to mode
        scores high, one that has settled scores 0.
        """
        mask = self.covered_mask
        both = mask[1:].any(axis=1) & mask[:-1].any(axis=1)
        return int(np.sum(both & np.any(mask[1:] != mask[:-1], axis=1)))

    @property
    def modes_ever_covered(self) -> int:
        """The modes covered at one snapshot or another (a hopping generator visits many)."""
        return int(np.sum(self.covered_mask.any(axis=0)))

    def losses_at(self, index: int) -> tuple[float, float]:
        """``(d_loss, g_loss)`` at snapshot ``index``: the step of the snapshot's generator.

        The last snapshot, taken after the last step, gets the last step's losses.
        """
        step = min(int(self.snapshot_steps[index]), self.d_loss.size - 1)
        return float(self.d_loss[step]), float(self.g_loss[step])


class _RMSprop:
    """RMSprop (Tieleman & Hinton 2012; PyTorch's defaults ρ = 0.99, ε = 1e-8), as in WGAN.

    v ← ρ v + (1 − ρ) g², θ ← θ − η g / (√v + ε). Arjovsky et al. (2017) use it for the
    weight-clipped critic because momentum (Adam) made their training unstable.
    """

    def __init__(self, lr: float, rho: float = 0.99, eps: float = 1e-8) -> None:
        self.lr, self.rho, self.eps = lr, rho, eps
        self.v: dict[str, FloatArray] = {}

    def step(self, params: dict[str, FloatArray], grads: dict[str, FloatArray]) -> None:
        for name, p in params.items():
            g = grads[name]
            v = self.rho * self.v.get(name, np.zeros_like(g)) + (1.0 - self.rho) * g * g
            self.v[name] = v
            p -= self.lr * g / (np.sqrt(v) + self.eps)


def _optimizer(name: str, lr: float) -> Any:
    if name == "rmsprop":
        return _RMSprop(lr)
    from .train import Adam

    return Adam(lr=lr, beta1=0.5, beta2=0.9)


_OPTIMIZERS = ("adam", "rmsprop")


def wasserstein_critic_loss(
    critic: TinyMLP, x_real: FloatArray, x_fake: FloatArray
) -> tuple[float, dict[str, FloatArray]]:
    r"""The WGAN critic loss :math:`\mathbb{E}[f(\tilde x)] - \mathbb{E}[f(x)]` and its parameter gradients.

    Minimising it maximises the critic's estimate of :math:`W_1`; without a constraint on
    the critic's slope (weight clipping, :func:`train_gan_2d` with ``"wgan-clip"``, or a
    gradient penalty, :func:`wgan_gp_critic_loss`) it is unbounded below.

    Args:
        critic: a :class:`TinyMLP` with one output.
        x_real: a batch of data, shape ``(n, d)``.
        x_fake: a batch of generated examples, shape ``(m, d)``.

    Returns:
        ``(loss, grads)``.
    """
    n, m = x_real.shape[0], x_fake.shape[0]
    f_real, f_fake = critic.forward(x_real)[:, 0], critic.forward(x_fake)[:, 0]
    grads_real, _ = critic.backward(x_real, np.full((n, 1), -1.0 / n))
    grads_fake, _ = critic.backward(x_fake, np.full((m, 1), 1.0 / m))
    grads = {k: grads_real[k] + grads_fake[k] for k in critic.params}
    return float(np.mean(f_fake) - np.mean(f_real)), grads


def train_gan_2d(
    loss: str = "nonsaturating",
    *,
    steps: int = 1500,
    seed: int = 0,
    batch: int = 128,
    hidden: int = 64,
    hidden_g: int | None = None,
    latent: int = 2,
    lr: float = 1e-3,
    lr_d: float | None = None,
    n_critic: int | None = None,
    gp_weight: float = 0.1,
    clip_value: float = 0.01,
    optimizer: str | None = None,
    n_snapshots: int = 7,
    snapshot_every: int | None = None,
    n_eval: int = 1000,
    data_std: float = 0.05,
    critic_activation: str | None = None,
) -> GANRun:
    r"""Train a tiny GAN on the ring of eight Gaussians, in numpy.

    Generator :math:`G`: :class:`TinyMLP` from ``latent``-dimensional Gaussian noise to
    :math:`\mathbb{R}^2` (``hidden_g`` relu units); discriminator / critic :math:`f`: a
    :class:`TinyMLP` from :math:`\mathbb{R}^2` to one logit (``hidden`` tanh units; relu
    for ``"wgan-clip"``, see ``critic_activation``). Both
    use Adam (β = (0.5, 0.9)) unless ``optimizer`` says otherwise. Per generator step, the
    discriminator takes ``n_critic`` steps on fresh batches. The losses (``y = 1`` real,
    ``y = 0`` generated):

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
    - ``"wgan-clip"`` (Arjovsky et al. 2017): the critic minimises
      :func:`wasserstein_critic_loss`, :math:`\mathbb{E}[f(G(z))] - \mathbb{E}[f(x)]`, and
      after every critic step each of its parameters (weights and biases) is clipped to
      :math:`[-c, c]`, ``c = clip_value``; G minimises :math:`-\mathbb{E}[f(G(z))]`. The
      defaults follow the paper where they can: c = 0.01, five critic steps per generator
      step, RMSprop, critic step size ``lr_d`` = 5e-5; the generator's step size stays
      ``lr`` = 1e-3 (the paper's 5e-5 needs far more than 1500 steps). The critic is
      **relu** here, not tanh: with :math:`|w| \le 0.01` every pre-activation of a tanh
      critic stays within about ±0.05, where tanh is linear to 0.1 %, so a clipped tanh
      critic is a linear function (its slope varies by 0.1 % over the samples, seeds 0–4)
      and tells the generator little more than which way the data's mean lies (0–1
      modes). Relu is positively homogeneous, so the clip bounds the relu critic's scale
      but not its shape.

    Deterministic: one ``numpy.random.Generator`` seeded with ``seed`` draws the
    initial weights, the data and the noise, in a fixed order (the per-snapshot
    diagnostics use their own generators, so they do not change the run, and neither
    does ``snapshot_every``).

    With the defaults (seed 0, 1500 steps) every loss learns the ring; the modes covered
    at steps 0, 250, ..., 1500 are ``"nonsaturating"`` 0 0 0 0 0 6 8, ``"minimax"``
    0 0 0 0 0 4 7, ``"lsgan"`` 0 0 0 5 7 8 8 and ``"wgan-gp"`` 0 0 0 2 7 8 8 (1–2 s each,
    WGAN-GP 4–6 s with its five critic steps). None of them collapses to a single mode
    in this setting.

    **Weight clipping vs gradient penalty** (defaults, 1500 steps, final snapshot, seeds
    0–4): ``"wgan-clip"`` covers 1, 2, 5, 3, 4 modes (seed 0: 0 1 1 1 0 1 1 at steps 0,
    250, ...; 2–3 s); it learns the ring's size (spread 2.0–2.4) but not its modes. Its
    critic's slope :math:`\|\nabla_x f\|` (``GANRun.grad_norm``) is 2.7e-4 to 4.1e-4,
    and uneven: its standard deviation is 0.56–1.15 times its mean. ``"wgan-gp"`` covers
    8, 8, 8, 8, 8 with slopes 1.77–1.88 (relative spread 0.43–0.48); its penalty weight
    0.1 is weak, and with the paper's λ = 10 the slopes are 0.83–1.06 but the generator
    covers 0–1 modes in 1500 steps. With a relu critic like the clipped one, WGAN-GP
    covers 6, 4, 7, 2, 5. Only 2–16 % of the clipped critic's parameters sit at ±c at the
    end (72–74 % of the initial weights lie beyond c, so the first step clips them).

    **Mode collapse** (:data:`MODE_COLLAPSE`: ``lr`` = 5e-3, ``lr_d`` = 1e-3, a
    snapshot every 50 steps; modes covered at the last snapshot / the most at any
    snapshot / modes ever covered, for seeds 0, 1, 2, 3, 4):

    ================  ======================================================
    loss              seeds 0 / 1 / 2 / 3 / 4
    ================  ======================================================
    non-saturating    0/2/8, 1/2/8, 3/5/8, 1/2/8, 0/2/7
    minimax           6/8/8, 1/2/8, 0/2/7, 2/2/8, 1/3/8
    LSGAN             8/8/8, 8/8/8, 5/7/8, 8/8/8, 8/8/8
    WGAN-GP           2/2/8, 2/2/8, 2/2/8, 1/3/8, 1/2/8
    ================  ======================================================

    The standard GAN never settles: its samples form a thin, moving fold of the plane
    that touches at most 2 modes at a time (non-saturating, 4 seeds of 5; up to 5 for
    seed 2), and over the run it visits nearly all of them. LSGAN learns the ring under
    the same step sizes (8 modes in 4 seeds of 5); WGAN-GP, whose critic must stay ahead
    of the generator, fails too. Seed 3 (the preset's) is typical for every loss; the
    minimax run of seed 0 is the exception that recovers late (6 modes at the end).

    Args:
        loss: one of :data:`GAN_LOSSES`.
        steps: generator steps.
        seed: the seed.
        batch: examples per batch (real and generated each).
        hidden: hidden units of the discriminator (and of the generator, by default).
        hidden_g: hidden units of the generator (default ``hidden``).
        latent: noise dimension.
        lr: the step size of the generator (and of the discriminator, by default).
        lr_d: the discriminator's step size (default ``lr``; 5e-5 for ``"wgan-clip"``).
        n_critic: discriminator steps per generator step (default 5 for the two
            Wasserstein losses, else 1).
        gp_weight: WGAN-GP's λ.
        clip_value: the weight clip c of ``"wgan-clip"`` (> 0); also the threshold of
            ``GANRun.clipped_share`` for the other losses.
        optimizer: ``"adam"`` (β = (0.5, 0.9)) or ``"rmsprop"``; default RMSprop for
            ``"wgan-clip"`` and Adam otherwise.
        n_snapshots: evenly spaced snapshots of the samples, including the start and end.
        snapshot_every: if given, a snapshot every this many generator steps instead
            (and at the end), for an animation.
        n_eval: samples per snapshot (one fixed batch of noise).
        data_std: the spread of each mode.
        critic_activation: the discriminator's activation, ``"tanh"`` or ``"relu"``
            (default relu for ``"wgan-clip"``, tanh otherwise).

    Returns:
        A :class:`GANRun`.
    """
    import time

    from . import losses

    loss = _check_name(loss, "loss", GAN_LOSSES)
    steps = _check_int(steps, "steps", 1)
    batch, hidden, latent = (_check_int(v, name, 1) for v, name in
                             ((batch, "batch"), (hidden, "hidden"), (latent, "latent")))
    hidden_g = hidden if hidden_g is None else _check_int(hidden_g, "hidden_g", 1)
    wasserstein = loss in ("wgan-gp", "wgan-clip")
    n_critic = (5 if wasserstein else 1) if n_critic is None else _check_int(
        n_critic, "n_critic", 1)
    gp_weight = _check_nonnegative(gp_weight, "gp_weight")
    clip_value = check_positive(clip_value, "clip_value")
    optimizer = ("rmsprop" if loss == "wgan-clip" else "adam") if optimizer is None else (
        _check_name(optimizer, "optimizer", _OPTIMIZERS))
    n_snapshots = _check_int(n_snapshots, "n_snapshots", 2)
    n_eval = _check_int(n_eval, "n_eval", 1)
    data_std = check_positive(data_std, "data_std")
    lr = check_positive(lr, "lr")
    lr_d = (5e-5 if loss == "wgan-clip" else lr) if lr_d is None else check_positive(lr_d, "lr_d")
    critic_activation = ("relu" if loss == "wgan-clip" else "tanh") if critic_activation is None else (
        _check_name(critic_activation, "critic_activation", _GAN_ACTIVATIONS))
    if snapshot_every is None:
        snapshot_steps = np.unique(np.linspace(0, steps, n_snapshots).round().astype(int))
    else:
        every = _check_int(snapshot_every, "snapshot_every", 1)
        snapshot_steps = np.unique(np.append(np.arange(0, steps, every), steps))
    settings = {
        "steps": steps, "seed": seed, "batch": batch, "hidden": hidden, "hidden_g": hidden_g,
        "latent": latent, "lr": lr, "lr_d": lr_d, "n_critic": n_critic,
        "gp_weight": gp_weight, "clip_value": clip_value, "optimizer": optimizer,
        "n_eval": n_eval, "data_std": data_std, "critic_activation": critic_activation,
    }

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    gen = TinyMLP(latent, hidden_g, 2, activation="relu", rng=rng)
    disc = TinyMLP(2, hidden, 1, activation=critic_activation, rng=rng)
    opt_g, opt_d = _optimizer(optimizer, lr), _optimizer(optimizer, lr_d)
    z_eval = rng.normal(size=(n_eval, latent))
    # the diagnostics draw from their own generators: the training stream stays the same
    data = ring_data(n_eval, std=data_std, seed=seed + 1)
    eps_eval = np.random.default_rng([seed, 2]).uniform(size=(n_eval, 1))
    take = set(snapshot_steps.tolist())
    snapshots: list[FloatArray] = []
    norms: list[FloatArray] = []
    clipped: list[float] = []
    labels = np.concatenate([np.ones(batch), np.zeros(batch)])
    zeros = np.zeros(batch)
    d_hist, g_hist = np.empty(steps), np.empty(steps)

    def sample(n: int) -> tuple[FloatArray, FloatArray]:
        z = rng.normal(size=(n, latent))
        return z, gen.forward(z)

    def snapshot() -> None:
        x_fake = gen.forward(z_eval)
        snapshots.append(x_fake)
        x_hat = eps_eval * data + (1.0 - eps_eval) * x_fake
        norms.append(np.sqrt(np.sum(disc.input_gradient(x_hat) ** 2, axis=1)))
        weights = np.concatenate([p.ravel() for p in disc.params.values()])
        clipped.append(float(np.mean(np.abs(weights) >= clip_value)))

    for step in range(steps):
        if step in take:
            snapshot()
        # -- the discriminator (critic) ---------------------------------------------------
        for _ in range(n_critic):
            x_real = ring_data(batch, radius=2.0, std=data_std, seed=rng)
            _, x_fake = sample(batch)
            if loss == "wgan-gp":
                d_value, d_grads, _ = wgan_gp_critic_loss(disc, x_real, x_fake,
                                                          gp_weight=gp_weight, rng=rng)
            elif loss == "wgan-clip":
                d_value, d_grads = wasserstein_critic_loss(disc, x_real, x_fake)
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
            if loss == "wgan-clip":
                for p in disc.params.values():
                    np.clip(p, -clip_value, clip_value, out=p)
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
    snapshot()
    samples = np.stack(snapshots)
    norm_arr = np.stack(norms)
    coverage = [modes_covered(s, radius=2.0, threshold=5.0 * data_std) for s in samples]
    return GANRun(
        loss=loss, d_loss=d_hist, g_loss=g_hist, snapshot_steps=snapshot_steps,
        samples=samples, modes=np.array([c.covered for c in coverage]),
        high_quality=np.array([c.high_quality for c in coverage]),
        spread=np.sqrt(np.mean(np.sum((samples - samples.mean(axis=1, keepdims=True)) ** 2,
                                      axis=2), axis=1)),
        data=data, seconds=time.perf_counter() - start,
        mode_counts=np.stack([c.counts for c in coverage]),
        grad_norm=norm_arr.mean(axis=1), grad_norm_std=norm_arr.std(axis=1),
        clipped_share=np.array(clipped), critic=disc, generator=gen, settings=settings,
    )
