"""GAN objectives on the discriminator's logits (chapter 05).

The discriminator of a GAN is a binary classifier: it sees real examples, labelled
``y = 1``, and generated ones, labelled ``y = 0``, and outputs a logit ``f`` with
``D = sigma(f)``. All three losses here take those labels and logits, so one batch of
real and generated examples can be passed to each of them:

- :func:`gan_discriminator`: the discriminator's cross-entropy (with optional one-sided
  label smoothing);
- :func:`gan_generator_minimax`: the generator's loss in the zero-sum game of Goodfellow
  et al. (2014), minus the discriminator's loss, whose generated-example term is
  ``log(1 - D)``;
- :func:`gan_generator_nonsaturating`: the generator's "non-saturating" loss of the same
  paper, the discriminator's loss with the labels flipped, whose generated-example term is
  ``-log D``.

Only the terms with ``y = 0`` depend on the generator; the terms of real examples are
constants for it (they matter to the discriminator). Everything is computed from logits in
log space (``log sigma(f) = -softplus(-f)``), so logits of +-1e4 give exact values.

The Wasserstein critic's loss with a gradient penalty is not registered here: the penalty
needs the critic's gradient with respect to its *input*, which is not a function of
``(y_true, y_pred)``. It lives in :mod:`lossviz.gan` (``wgan_gp_critic_loss``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from ._core import (
    FloatArray,
    Loss,
    as_float_array,
    check_binary_labels,
    check_in_interval,
    check_reduction,
    check_same_shape,
    reduce,
    reduce_grad,
    register,
)
from .classification import softplus

# -- shared helpers -------------------------------------------------------------------------


def _gan_inputs(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = as_float_array(y_true, "y_true")
    f = as_float_array(y_pred, "y_pred")
    check_same_shape(y, f)
    check_binary_labels(y, "y_true")
    return y, f


def _bce(t: FloatArray, f: FloatArray) -> FloatArray:
    """Cross-entropy of target probability ``t`` against logit ``f``: two non-negative terms."""
    return t * softplus(-f) + (1.0 - t) * softplus(f)


def _bce_grad(t: FloatArray, f: FloatArray) -> FloatArray:
    # (1 - t) sigma(f) - t sigma(-f) = sigma(f) - t, without the cancellation of
    # sigma(f) - 1 at large f (see bce_with_logits_grad).
    return np.asarray((1.0 - t) * expit(f) - t * expit(-f), dtype=np.float64)


def _gan_sample(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    y = rng.integers(0, 2, size=n).astype(np.float64)
    return y, rng.normal(0.0, 2.5, size=n)


def _gan_bad_labels(y_true: FloatArray) -> FloatArray:
    bad = np.array(y_true, dtype=np.float64, copy=True)
    bad.flat[0] = 0.5
    return bad


def _half_binomial(t: FloatArray, f: FloatArray) -> FloatArray:
    from sklearn._loss.loss import HalfBinomialLoss

    t = np.asarray(t, dtype=np.float64)
    f = np.asarray(f, dtype=np.float64)
    return HalfBinomialLoss().loss(y_true=t.ravel(), raw_prediction=f.ravel()).reshape(f.shape)


# -- the discriminator ------------------------------------------------------------------------


def _smoothed(y: FloatArray, label_smoothing: float) -> FloatArray:
    eps = check_in_interval(label_smoothing, "label_smoothing", 0.0, 1.0, closed="left")
    return (1.0 - eps) * y  # one-sided: only the real label 1 moves, to 1 - eps


def gan_discriminator(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", label_smoothing: float = 0.0
) -> FloatArray | float:
    r"""The GAN discriminator's loss: cross-entropy on real (1) and generated (0) examples.

    .. math::
        \ell_i = -\bigl[t_i \log \sigma(f_i) + (1 - t_i) \log(1 - \sigma(f_i))\bigr]
               = t_i\,\mathrm{softplus}(-f_i) + (1 - t_i)\,\mathrm{softplus}(f_i),
        \qquad t_i = (1 - \varepsilon)\, y_i

    where :math:`f_i` is the discriminator's logit, :math:`D = \sigma(f)` its probability
    that the example is real, and :math:`\varepsilon` the one-sided label smoothing of
    Salimans et al. (2016): real targets become :math:`1 - \varepsilon`, generated ones stay
    0. With :math:`\varepsilon = 0` this is :func:`bce_with_logits` with hard labels: a real
    example costs :math:`-\log D(x)`, a generated one :math:`-\log(1 - D(G(z)))`.

    .. note::
        ``reduction="mean"`` averages over all examples of the batch. Goodfellow et al.
        (2014) write the loss as a sum of two expectations,
        :math:`-\mathbb{E}_{x}[\log D(x)] - \mathbb{E}_{z}[\log(1 - D(G(z)))] = -V(D, G)`;
        with as many real as generated examples in the batch, that is **twice** the mean
        (PyTorch's DCGAN example adds two means, torchgan's
        ``minimax_discriminator_loss`` too).

    Gradient: :math:`\partial \ell_i / \partial f_i = \sigma(f_i) - t_i = D_i - t_i`,
    divided by the number of elements with ``reduction="mean"``.

    Numerical stability: computed from the logits with
    ``softplus(f) = max(f, 0) + log1p(exp(-|f|))``, never as ``log(sigmoid(f))``, so logits
    of +-1e4 give exact losses (1e4 for a sure mistake, 0 for a sure hit); the gradient is
    :math:`(1 - t)\sigma(f) - t\,\sigma(-f)` with ``scipy.special.expit``.

    Args:
        y_true: 1 for a real (data) example, 0 for a generated one; the same shape as
            ``y_pred``.
        y_pred: the discriminator's logits :math:`f` (raw scores, any real number).
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.
        label_smoothing: :math:`\varepsilon \in [0, 1)`, one-sided: the target of real
            examples is :math:`1 - \varepsilon` (Salimans et al. suggest 0.1); generated
            examples keep target 0.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> bool(np.isclose(gan_discriminator([1, 0], [0.0, 0.0]), np.log(2.0)))  # D = 1/2
        True
        >>> gan_discriminator([1, 0], [1e4, -1e4], reduction="none").tolist()   # D is right
        [0.0, 0.0]
        >>> gan_discriminator_grad([1, 0], [0.0, 0.0], reduction="sum").tolist()
        [-0.5, 0.5]

    Reference: ``sklearn._loss.loss.HalfBinomialLoss().loss(y_true=(1 - eps) * y,
    raw_prediction=f)``; torchgan's ``minimax_discriminator_loss(dx, dgz,
    label_smoothing)`` is the sum of the two group means. I. Goodfellow et al.,
    "Generative Adversarial Nets", NeurIPS 2014; T. Salimans et al., "Improved Techniques
    for Training GANs", NeurIPS 2016.
    """
    check_reduction(reduction)
    y, f = _gan_inputs(y_true, y_pred)
    return reduce(_bce(_smoothed(y, label_smoothing), f), reduction)


def gan_discriminator_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", label_smoothing: float = 0.0
) -> FloatArray:
    """Gradient of :func:`gan_discriminator` with respect to the logits ``y_pred``."""
    check_reduction(reduction)
    y, f = _gan_inputs(y_true, y_pred)
    return reduce_grad(_bce_grad(_smoothed(y, label_smoothing), f), reduction)


def _discriminator_reference(
    y_true: FloatArray, y_pred: FloatArray, *, label_smoothing: float = 0.0
) -> float:
    return float(np.mean(_half_binomial((1.0 - label_smoothing) * y_true, y_pred)))


register(
    Loss(
        name="gan_discriminator",
        func=gan_discriminator,
        grad_func=gan_discriminator_grad,
        latex=(
            r"t\,\mathrm{softplus}(-f) + (1 - t)\,\mathrm{softplus}(f),\quad "
            r"t = (1 - \varepsilon)\, y"
        ),
        grad_latex=r"\sigma(f) - t",
        task="gan",
        params={"label_smoothing": 0.0},
        reference="sklearn._loss.loss.HalfBinomialLoss().loss(y_true=(1 - eps) y, raw_prediction=f)",
        reference_func=_discriminator_reference,
        sample=_gan_sample,
        perfect=None,
        bad_labels=_gan_bad_labels,
        invalid_params=({"label_smoothing": 1.0}, {"label_smoothing": -0.1},
                        {"label_smoothing": "0.1"}),
        extra_params=({"label_smoothing": 0.1}, {"label_smoothing": 0.3}),
        summary=(
            "The discriminator's cross-entropy on real (label 1) and generated (label 0) "
            "examples, with optional one-sided label smoothing of the real targets."
        ),
    )
)


# -- the generator: minimax (zero-sum) ---------------------------------------------------------


def gan_generator_minimax(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray | float:
    r"""The generator's minimax loss: minus the discriminator's, so ``log(1 - D)`` on fakes.

    .. math::
        \ell_i = y_i \log \sigma(f_i) + (1 - y_i) \log\bigl(1 - \sigma(f_i)\bigr)
               = -\,y_i\,\mathrm{softplus}(-f_i) - (1 - y_i)\,\mathrm{softplus}(f_i)

    In the zero-sum game of Goodfellow et al. (2014) the generator minimises the value
    :math:`V(D, G) = \mathbb{E}_x[\log D(x)] + \mathbb{E}_z[\log(1 - D(G(z)))]` that the
    discriminator maximises, so its loss is exactly minus :func:`gan_discriminator`'s. On a
    generated example (``y = 0``) it is :math:`\log(1 - D) = -\mathrm{softplus}(f)`; real
    examples contribute a constant for the generator. The loss is :math:`\le 0`.

    It *saturates*: early in training the discriminator rejects the fakes confidently
    (:math:`f \ll 0`, :math:`D(G(z)) \approx 0`), and there the loss is flat,
    :math:`\partial \ell / \partial f = -\sigma(f) = -D \to 0`: the generator gets almost no
    gradient exactly when it is worst. Compare :func:`gan_generator_nonsaturating`.

    Gradient: :math:`\partial \ell_i / \partial f_i = y_i - \sigma(f_i)` (minus the
    discriminator's), which is :math:`-D` on a generated example; divided by the number of
    elements with ``reduction="mean"``.

    Numerical stability: :math:`\log(1 - \sigma(f)) = -\mathrm{softplus}(f)` is evaluated
    from the logit (``max(f, 0) + log1p(exp(-|f|))``), exact for logits of +-1e4;
    ``log(1 - sigmoid(f))`` would return ``-inf`` as soon as :math:`\sigma(f)` rounds to 1
    (:math:`f > 37`). The gradient uses ``scipy.special.expit`` on each term.

    Args:
        y_true: the discriminator's labels, 1 for a real example and 0 for a generated one
            (only the 0s depend on the generator); the same shape as ``y_pred``.
        y_pred: the discriminator's logits :math:`f`.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> f = np.array([-6.0, 0.0])                        # fakes: D = 0.0025 and 0.5
        >>> gan_generator_minimax([0, 0], f, reduction="none").round(4).tolist()
        [-0.0025, -0.6931]
        >>> gan_generator_minimax_grad([0, 0], f, reduction="none").round(4).tolist()
        [-0.0025, -0.5]

    Reference: ``-sklearn._loss.loss.HalfBinomialLoss().loss(y_true=y, raw_prediction=f)``;
    torchgan's ``minimax_generator_loss(dgz, nonsaturating=False)`` on the generated
    examples. I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """
    check_reduction(reduction)
    y, f = _gan_inputs(y_true, y_pred)
    return reduce(-_bce(y, f), reduction)


def gan_generator_minimax_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray:
    """Gradient of :func:`gan_generator_minimax` with respect to the logits ``y_pred``."""
    check_reduction(reduction)
    y, f = _gan_inputs(y_true, y_pred)
    return reduce_grad(-_bce_grad(y, f), reduction)


def _minimax_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    return float(-np.mean(_half_binomial(y_true, y_pred)))


register(
    Loss(
        name="gan_generator_minimax",
        func=gan_generator_minimax,
        grad_func=gan_generator_minimax_grad,
        latex=r"-\,y\,\mathrm{softplus}(-f) - (1 - y)\,\mathrm{softplus}(f)",
        grad_latex=r"y - \sigma(f)",
        task="gan",
        reference="-sklearn._loss.loss.HalfBinomialLoss().loss(y_true=y, raw_prediction=f)",
        reference_func=_minimax_reference,
        sample=_gan_sample,
        perfect=None,
        bad_labels=_gan_bad_labels,
        nonnegative=False,
        summary=(
            "The generator's loss in the zero-sum GAN game, log(1 - D) on generated examples: "
            "it saturates (vanishing gradient) when the discriminator rejects the fakes."
        ),
    )
)


# -- the generator: non-saturating -------------------------------------------------------------


def gan_generator_nonsaturating(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray | float:
    r"""The generator's non-saturating loss: ``-log D`` on fakes (the labels flipped).

    .. math::
        \ell_i = -\bigl[(1 - y_i) \log \sigma(f_i) + y_i \log(1 - \sigma(f_i))\bigr]
               = (1 - y_i)\,\mathrm{softplus}(-f_i) + y_i\,\mathrm{softplus}(f_i)

    The discriminator's cross-entropy with the labels flipped, as Goodfellow et al. (2014)
    recommend for training the generator: instead of minimising
    :math:`\log(1 - D(G(z)))`, maximise :math:`\log D(G(z))`. On a generated example
    (``y = 0``) the loss is :math:`-\log D = \mathrm{softplus}(-f)`; the terms of real
    examples are constants for the generator. Both losses have the same fixed point
    (:math:`p_g = p_\text{data}`), but this one has a large gradient when the discriminator
    rejects the fakes: :math:`\partial \ell / \partial f = -(1 - D) \to -1` as
    :math:`D \to 0`, where the minimax loss's :math:`-D` vanishes.

    Gradient: :math:`\partial \ell_i / \partial f_i = \sigma(f_i) - (1 - y_i)`, which is
    :math:`-(1 - D) = -\sigma(-f)` on a generated example; divided by the number of
    elements with ``reduction="mean"``.

    Numerical stability: :math:`-\log \sigma(f) = \mathrm{softplus}(-f)` is evaluated from
    the logit, exact for logits of +-1e4 (``-log(sigmoid(f))`` is ``inf`` for
    :math:`f < -745`); the gradient is :math:`y\,\sigma(f) - (1 - y)\,\sigma(-f)` with
    ``scipy.special.expit``.

    Args:
        y_true: the discriminator's labels, 1 for a real example and 0 for a generated one
            (only the 0s depend on the generator); the same shape as ``y_pred``.
        y_pred: the discriminator's logits :math:`f`.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``y_true``, ``y_pred``: ``(*)``. Output: scalar, or ``(*)`` with ``"none"``.

    Examples:
        >>> f = np.array([-6.0, 0.0])                        # fakes: D = 0.0025 and 0.5
        >>> gan_generator_nonsaturating([0, 0], f, reduction="none").round(4).tolist()
        [6.0025, 0.6931]
        >>> gan_generator_nonsaturating_grad([0, 0], f, reduction="none").round(4).tolist()
        [-0.9975, -0.5]

    Reference: ``sklearn._loss.loss.HalfBinomialLoss().loss(y_true=1 - y,
    raw_prediction=f)``; torchgan's ``minimax_generator_loss(dgz, nonsaturating=True)`` on
    the generated examples. I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS
    2014, section 3.
    """
    check_reduction(reduction)
    y, f = _gan_inputs(y_true, y_pred)
    return reduce(_bce(1.0 - y, f), reduction)


def gan_generator_nonsaturating_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean"
) -> FloatArray:
    """Gradient of :func:`gan_generator_nonsaturating` with respect to the logits ``y_pred``."""
    check_reduction(reduction)
    y, f = _gan_inputs(y_true, y_pred)
    return reduce_grad(_bce_grad(1.0 - y, f), reduction)


def _nonsaturating_reference(y_true: FloatArray, y_pred: FloatArray) -> float:
    return float(np.mean(_half_binomial(1.0 - y_true, y_pred)))


register(
    Loss(
        name="gan_generator_nonsaturating",
        func=gan_generator_nonsaturating,
        grad_func=gan_generator_nonsaturating_grad,
        latex=r"(1 - y)\,\mathrm{softplus}(-f) + y\,\mathrm{softplus}(f)",
        grad_latex=r"\sigma(f) - (1 - y)",
        task="gan",
        reference="sklearn._loss.loss.HalfBinomialLoss().loss(y_true=1 - y, raw_prediction=f)",
        reference_func=_nonsaturating_reference,
        sample=_gan_sample,
        perfect=None,
        bad_labels=_gan_bad_labels,
        summary=(
            "The generator's usual loss, -log D on generated examples (the labels flipped): "
            "same fixed point as the minimax loss, but a strong gradient early in training."
        ),
    )
)
