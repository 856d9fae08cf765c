"""Read the loss registry generically: titles, API targets and a 1-D slice for a plot."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

TASK_ORDER = ("regression", "classification", "divergence")


def losses_module():
    return importlib.import_module("lossviz.losses")


def grouped() -> list[tuple[str, list[Any]]]:
    """Registered losses grouped by task: known tasks first, the rest in registry order."""
    mod = losses_module()
    groups: dict[str, list[Any]] = {}
    for name in mod.names():
        loss = mod.get(name)
        groups.setdefault(loss.task, []).append(loss)
    order = [t for t in TASK_ORDER if t in groups] + [t for t in groups if t not in TASK_ORDER]
    return [(task, groups[task]) for task in order]


def task_title(task: str) -> str:
    return task.replace("_", " ").replace("-", " ").capitalize()


def title(loss: Any) -> str:
    """A short title from the first line of the loss's docstring, as MyST markdown.

    "Huber loss: quadratic near zero, linear beyond ``delta``." gives "Huber loss".
    """
    doc = (getattr(loss.func, "__doc__", None) or "").strip()
    first = doc.split("\n", 1)[0].strip()
    first = re.split(r":\s|;\s|\s[—–-]\s|,\s", first, maxsplit=1)[0].strip().rstrip(".")
    first = rst_inline_to_myst(first)
    return first or loss.name


def rst_inline_to_myst(text: str) -> str:
    """Inline reST (``code``, :math:`x`, :role:`x`) to MyST markdown."""
    text = re.sub(r":math:`([^`]*)`", r"$\1$", text)
    text = re.sub(r":[\w:.-]+:`([^`]*)`", r"`\1`", text)
    return re.sub(r"``([^`]*)``", r"`\1`", text)


def derivative_symbol(loss: Any) -> str:
    """The variable the registry's ``grad_latex`` differentiates by, as LaTeX."""
    try:
        kind = _template(loss)[-1]
    except Exception:
        kind = "regression" if loss.task == "regression" else "other"
    return {
        "regression": r"\hat y",
        "binary": "f",
        "probability": "p",
        "rowwise": "z",
        "distribution": "z",
        "log-probability": r"\log\pi",
        "log-ratio": r"\log r",
        "metric": "z",
    }.get(kind, r"\hat y")


def api_target(func: Callable[..., Any]) -> str:
    """The dotted path under which the API page documents ``func``.

    Public functions re-exported by ``lossviz.losses`` are documented there; anything
    else under its defining module.
    """
    mod = losses_module()
    name = getattr(func, "__name__", "")
    if name and not name.startswith("_") and getattr(mod, name, None) is func:
        return f"lossviz.losses.{name}"
    return f"{func.__module__}.{getattr(func, '__qualname__', name)}"


def grad_function(loss: Any) -> Callable[..., Any] | None:
    """The public gradient function (``mse_grad``), if the loss has one."""
    grad = loss.grad_func
    name = getattr(grad, "__name__", "")
    if not name or name.startswith("_") or "<" in name:
        return None
    return grad


# --------------------------------------------------------------------------------------
# A 1-D slice through each loss, decided from the record's own sample
# --------------------------------------------------------------------------------------


@dataclass
class Slice:
    """Loss and derivative along one coordinate of ``y_pred``, the others held fixed."""

    x: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    xlabel: str
    setting: str  # what is held fixed, in words (MyST markdown)


class NoSlice(Exception):
    """The loss's inputs have a shape this page does not know how to slice."""


def _is_binary(y: np.ndarray) -> bool:
    return bool(np.all((y == 0) | (y == 1)))


def _is_distribution_rows(y: np.ndarray) -> bool:
    return y.ndim == 2 and bool(np.all(y >= 0)) and np.allclose(y.sum(axis=1), 1.0)


def _template(
    loss: Any,
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], np.ndarray, str, str, str]:
    """One example (batch of 1), the index of the swept coordinate, the sweep and labels."""
    rng = np.random.default_rng(0)
    # 64 examples decide what kind of input this is (probabilities or logits); one is swept.
    y_true, y_pred = (np.asarray(a, dtype=np.float64) for a in loss.sample(rng, 64))
    if y_pred.ndim == 0 or y_true.ndim == 0:
        raise NoSlice("its sample has no batch axis")
    yt, yp = y_true[:1].copy(), y_pred[:1].copy()
    first = (0,) * yp.ndim

    if yt.shape == yp.shape and loss.task == "regression":
        yt[...] = 0.0
        yp[...] = 0.0
        return (
            yt,
            yp,
            first,
            np.linspace(-3.0, 3.0, 241),
            r"residual $r = \hat y - y$",
            "with $y = 0$, so the prediction $\\hat y$ equals the residual $r$",
            "regression",
        )
    if loss.task == "metric learning" and yt.ndim == 1 and yp.ndim == 2:
        return _metric_template(loss)
    if yt.shape == yp.shape and loss.task == "reinforcement learning":
        # y_true is the advantage (weight) A, held at 1; y_pred is a log-probability (<= 0,
        # as for the policy gradient) or a log-ratio log pi - log pi_old (PPO).
        yt[...] = 1.0
        yp[...] = 0.0
        if np.all(y_pred <= 0):
            return (
                yt,
                yp,
                first,
                np.linspace(-4.0, -0.02, 200),
                r"log-probability $\log \pi(a \mid s)$",
                "for an action with advantage $A = 1$",
                "log-probability",
            )
        return (
            yt,
            yp,
            first,
            np.linspace(-1.0, 1.0, 241),
            r"log-ratio $\log r$",
            "for an action with advantage $A = 1$; $\\log r = \\log \\pi(a \\mid s) - "
            "\\log \\pi_\\text{old}(a \\mid s)$",
            "log-ratio",
        )
    # Labels in [0, 1] (binary, or soft labels a classification loss also accepts): y = 1.
    labels = yt.shape == yp.shape and bool(np.all((y_true >= 0) & (y_true <= 1)))
    labels = labels and (_is_binary(y_true) or loss.task == "classification")
    if labels and np.all((y_pred >= 0) & (y_pred <= 1)):
        # Probabilities, not logits (a soft mask, as for Dice): sweep p inside (0, 1).
        yt[...] = 1.0
        yp[...] = 1.0
        return (
            yt,
            yp,
            first,
            np.linspace(0.01, 0.99, 197),
            r"predicted probability $p$ for $y = 1$",
            "for a positive example ($y = 1$), the other entries predicted exactly",
            "probability",
        )
    if labels:
        # A generator loss only depends on f through generated examples (y = 0); every
        # other binary loss is swept on a positive example, where f is the margin.
        generated = loss.task == "gan" and loss.name.startswith("gan_generator")
        yt[...] = 0.0 if generated else 1.0
        yp[...] = 0.0
        return (
            yt,
            yp,
            first,
            np.linspace(-4.0, 4.0, 241),
            r"discriminator's logit $f$ on a generated example" if generated
            else r"score $f$ for $y = 1$ (margin $m = f$)",
            "for a generated example ($y = 0$), the only kind the generator can change"
            if generated
            else "for a positive example ($y = 1$), so the score $f$ is the margin $m$",
            "binary",
        )
    if yt.ndim == yp.ndim - 1 and yt.shape == yp.shape[:-1]:
        yt[...] = 0.0
        yp[...] = 0.0
        k = yp.shape[-1]
        return (
            yt,
            yp,
            first,
            np.linspace(-4.0, 4.0, 241),
            r"logit $z_1$ of the true class",
            f"for true class 1 of {k}, sweeping its logit $z_1$ with the other logits at 0",
            "rowwise",
        )
    if yt.shape == yp.shape and _is_distribution_rows(yt):
        k = yp.shape[-1]
        if k < 2:
            raise NoSlice("its distributions have a single outcome")
        yt[0, 0], yt[0, 1:] = 0.5, 0.5 / (k - 1)
        yp[...] = 0.0
        return (
            yt,
            yp,
            first,
            np.linspace(-4.0, 4.0, 241),
            r"logit $z_1$ of $Q$",
            f"for $P = (0.5, {0.5 / (k - 1):.3g}, \\dots)$ over {k} outcomes, "
            "sweeping the first logit of $Q$ with the others at 0",
            "distribution",
        )
    if yt.shape == yp.shape:
        yp[...] = 0.0
        return (
            yt,
            yp,
            first,
            np.linspace(-3.0, 3.0, 241),
            "first prediction coordinate",
            "sweeping the first coordinate of the prediction, the rest of one sample fixed",
            "other",
        )
    raise NoSlice(f"y_true {y_true.shape} and y_pred {y_pred.shape} have no coordinate to sweep")


def one_d_slice(loss: Any) -> Slice:
    """Evaluate the loss and its derivative along a 1-D sweep; raises :class:`NoSlice`."""
    try:
        yt, yp, index, xs, xlabel, setting, _kind = _template(loss)
    except NoSlice:
        raise
    except Exception as err:  # an unexpected sampler: no plot, and say why
        raise NoSlice(f"its sample could not be read ({type(err).__name__}: {err})") from err
    values = np.empty_like(xs)
    slopes = np.empty_like(xs)
    for i, x in enumerate(xs):
        yp[index] = x
        try:
            values[i] = float(np.sum(loss(yt, yp, reduction="sum")))
            slopes[i] = float(np.asarray(loss.grad(yt, yp, reduction="sum"))[index])
        except Exception as err:  # any failure means: no plot, say why
            raise NoSlice(f"evaluating it at {x:.2f} raised {type(err).__name__}: {err}") from err
    if not (np.all(np.isfinite(values)) and np.all(np.isfinite(slopes))):
        raise NoSlice("it is not finite along the sweep")
    return Slice(xs, values, slopes, xlabel, setting)


def _metric_template(
    loss: Any,
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], np.ndarray, str, str, str]:
    """A tiny batch of 2-D embeddings in which one coordinate moves one example.

    Metric-learning losses take integer labels and a batch of embeddings, and a single
    example has no loss of its own, so the slice is a hand-made batch: the smallest one
    with a positive and a negative (triplet, contrastive) or with two positive pairs
    (InfoNCE, which needs every label exactly twice).
    """
    try:
        loss(np.array([0, 0, 1]), np.array([[0.0, 0.0], [0.5, 0.0], [-1.0, 0.0]]))
        triplet_batch = True
    except ValueError:
        triplet_batch = False
    if triplet_batch and loss.name != "contrastive":
        # anchor (0, 0), positive (0.5, 0), negative (-x, 0): x is d(anchor, negative)
        yt = np.array([0.0, 0.0, 1.0])
        yp = np.array([[0.0, 0.0], [0.5, 0.0], [-1.0, 0.0]])
        return (
            yt,
            yp,
            (2, 0),
            np.linspace(-3.0, 0.0, 241),
            r"negative's coordinate $x$",
            "for the batch anchor $(0, 0)$, positive $(0.5, 0)$ (one class) and a negative "
            "$(x, 0)$ (another class); every example serves as an anchor",
            "metric",
        )
    if loss.name == "contrastive" or triplet_batch:
        # two examples of different classes, one at the origin, the other at (x, 0)
        yt = np.array([0.0, 1.0])
        yp = np.array([[0.0, 0.0], [1.0, 0.0]])
        return (
            yt,
            yp,
            (1, 0),
            np.linspace(0.0, 2.5, 241),
            r"distance $d$",
            "for two examples of different classes at $(0, 0)$ and $(d, 0)$",
            "metric",
        )
    # two positive pairs: (1, 0) with (1, t), swept by t, and (0, 1) with (0.3, 1)
    yt = np.array([0.0, 0.0, 1.0, 1.0])
    yp = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.3, 1.0]])
    return (
        yt,
        yp,
        (1, 1),
        np.linspace(-3.0, 3.0, 241),
        r"coordinate $t$ of the view $(1, t)$",
        "for two positive pairs, $(1, 0)$ with $(1, t)$ and $(0, 1)$ with $(0.3, 1)$: "
        "at $t = 0$ the first pair is identical",
        "metric",
    )
