"""Optimisers and the training loop: predict → loss → gradient → update.

>>> import numpy as np
>>> from lossviz.models import LinearRegression
>>> from lossviz.train import GD, fit
>>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
>>> model = LinearRegression(1)
>>> history = fit(model, "mse", X, y, optimizer=GD(lr=0.1), epochs=500)
>>> round(float(model.params["w"][0]), 6), round(float(model.params["b"]), 6)
(2.0, 1.0)

Each optimiser keeps its own state (velocity, moments) keyed by parameter name, so two
models never share state. ``fit`` stops with :class:`TrainingDiverged` (or, with
``on_divergence="stop"``, returns a history marked ``diverged``) as soon as the loss or a
gradient stops being finite; numpy's overflow warnings are silenced while it checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import losses
from .losses._core import FloatArray, Loss, as_float_array, check_positive, check_real
from .models import Model

__all__ = ["GD", "Adam", "History", "Momentum", "Optimizer", "TrainingDiverged", "fit"]


# --------------------------------------------------------------------------------------
# Optimisers
# --------------------------------------------------------------------------------------


class Optimizer:
    """Base class: ``step(params, grads)`` updates ``params`` in place."""

    def __init__(self, lr: float) -> None:
        self.lr = check_positive(lr, "lr")
        self.t = 0  # number of steps taken

    def step(self, params: dict[str, FloatArray], grads: dict[str, FloatArray]) -> None:
        self.t += 1
        for name, p in params.items():
            p -= self._update(name, grads[name])

    def _update(self, name: str, g: FloatArray) -> FloatArray:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the state (step count, velocities, moments)."""
        self.t = 0


class GD(Optimizer):
    """Plain gradient descent: θ ← θ − η g. ``lr`` is η."""

    def _update(self, name: str, g: FloatArray) -> FloatArray:
        return self.lr * g

    def __repr__(self) -> str:
        return f"GD(lr={self.lr})"


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← β v + g, θ ← θ − η v (PyTorch's SGD with momentum).

    Args:
        lr: the learning rate η.
        momentum: β in [0, 1).
    """

    def __init__(self, lr: float, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = check_real(momentum, "momentum")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum must lie in [0, 1); got {momentum!r}.")
        self.velocity: dict[str, FloatArray] = {}

    def _update(self, name: str, g: FloatArray) -> FloatArray:
        v = self.momentum * self.velocity.get(name, np.zeros_like(g)) + g
        self.velocity[name] = v
        return self.lr * v

    def reset(self) -> None:
        super().reset()
        self.velocity = {}

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr}, momentum={self.momentum})"


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction.

    m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², θ ← θ − η m̂ / (√v̂ + ε).
    """

    def __init__(
        self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= check_real(b, name) < 1.0:
                raise ValueError(f"{name} must lie in [0, 1); got {b!r}.")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = check_positive(eps, "eps")
        self.m: dict[str, FloatArray] = {}
        self.v: dict[str, FloatArray] = {}

    def _update(self, name: str, g: FloatArray) -> FloatArray:
        m = self.beta1 * self.m.get(name, np.zeros_like(g)) + (1 - self.beta1) * g
        v = self.beta2 * self.v.get(name, np.zeros_like(g)) + (1 - self.beta2) * g * g
        self.m[name], self.v[name] = m, v
        m_hat = m / (1 - self.beta1**self.t)
        v_hat = v / (1 - self.beta2**self.t)
        return self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def reset(self) -> None:
        super().reset()
        self.m, self.v = {}, {}

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"


# --------------------------------------------------------------------------------------
# History and the training loop
# --------------------------------------------------------------------------------------


@dataclass
class History:
    """What happened during :func:`fit`, one entry per completed epoch (index 0 = epoch 1).

    Attributes:
        train_loss: mean data loss on the whole training set after each epoch.
        val_loss: the same on the validation set (empty without validation data).
        objective: ``train_loss + penalty`` (what the optimiser minimises).
        best_epoch: index of the lowest ``val_loss`` (``train_loss`` without validation
            data); the first one on ties. ``None`` before the first epoch.
        best_params: a copy of the parameters at ``best_epoch``.
        diverged: True if training stopped because the loss became non-finite.
        message: why training stopped early ("" when it ran all epochs).
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    best_params: dict[str, FloatArray] | None = None
    diverged: bool = False
    message: str = ""

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def _monitored(self) -> list[float]:
        return self.val_loss if self.val_loss else self.train_loss

    def _record(self, model: Model, train: float, val: float | None) -> None:
        self.train_loss.append(train)
        self.objective.append(train + model.penalty())
        if val is not None:
            self.val_loss.append(val)
        monitored = self._monitored()
        if self.best_epoch is None or monitored[-1] < monitored[self.best_epoch]:
            self.best_epoch = len(monitored) - 1
            self.best_params = model.copy_params()


class TrainingDiverged(RuntimeError):
    """The loss or a gradient became NaN or infinite; ``.history`` holds what was recorded."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


def _resolve_loss(loss: str | Loss) -> Loss:
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        return losses.get(loss)
    raise TypeError(f"loss must be a registered loss name or a Loss; got {type(loss).__name__}.")


def _check_y(y: ArrayLike, n: int, name: str) -> FloatArray:
    y = as_float_array(y, name)
    if y.shape[0] != n:
        raise ValueError(f"{name} must have {n} rows, one per row of X; got shape {y.shape}.")
    return y


def _check_loss_params(loss: Loss, loss_params: Mapping[str, Any] | None) -> dict[str, Any]:
    params = dict(loss_params or {})
    unknown = sorted(set(params) - set(loss.params))
    if unknown:
        valid = ", ".join(loss.params) or "none"
        raise TypeError(
            f"loss_params has {', '.join(map(repr, unknown))}, which {loss.name!r} does not "
            f"take; its hyper-parameters are: {valid}. (fit always minimises the mean loss, "
            "so 'reduction' is not one of them.)"
        )
    return params


def _finite_loss(
    loss: Loss, y: FloatArray, out: FloatArray, params: Mapping[str, Any] | None = None
) -> float:
    """The mean loss, or inf if the model output or the loss is not finite."""
    if not np.all(np.isfinite(out)):
        return float("inf")
    with np.errstate(all="ignore"):
        value = float(loss(y, out, **(params or {})))
    return value if np.isfinite(value) else float("inf")


def fit(
    model: Model,
    loss: str | Loss,
    X: ArrayLike,
    y: ArrayLike,
    *,
    optimizer: Optimizer,
    epochs: int,
    loss_params: Mapping[str, Any] | None = None,
    X_val: ArrayLike | None = None,
    y_val: ArrayLike | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    callback: Callable[[int, Model, History], Any] | None = None,
    on_divergence: str = "raise",
) -> History:
    """Train ``model`` in place by minimising ``mean loss + model.penalty()``.

    Args:
        model: a :mod:`lossviz.models` model (its ``params`` are updated in place).
        loss: a registry name (``"mse"``, ``"bce_with_logits"``, ``"softmax_cross_entropy"``)
            or a :class:`~lossviz.losses.Loss`; called as ``loss(y, model.forward(X))``.
        X, y: training inputs (n, d) and targets (n,) (integer class indices for softmax).
        loss_params: the loss's hyper-parameters, e.g. ``{"pos_weight": 9.0}`` for
            class-weighted cross-entropy or ``{"gamma": 2.0, "alpha": 0.25}`` for focal
            loss; ``None`` uses its defaults. They apply to the training and the
            validation loss alike.
        optimizer: :class:`GD`, :class:`Momentum` or :class:`Adam` (its state carries over
            if you call ``fit`` again; call ``optimizer.reset()`` to start afresh).
        epochs: number of passes over the training set.
        X_val, y_val: optional validation data, evaluated after every epoch.
        batch_size: mini-batch size; ``None`` means full-batch gradient descent.
        seed: seeds the shuffling of mini-batches.
        callback: ``callback(epoch, model, history)`` after every epoch (``epoch`` counts
            from 0); return ``True`` to stop training (e.g. for early stopping).
        on_divergence: ``"raise"`` raises :class:`TrainingDiverged`; ``"stop"`` returns
            the history with ``diverged=True`` and a ``message``.

    Returns:
        The :class:`History`.
    """
    loss_fn = _resolve_loss(loss)
    params = _check_loss_params(loss_fn, loss_params)
    X = as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_features); got shape {X.shape}.")
    n = X.shape[0]
    y = _check_y(y, n, "y")
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val, or neither.")
    if X_val is not None:
        X_val = as_float_array(X_val, "X_val")
        y_val = _check_y(y_val, X_val.shape[0], "y_val")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer; got {epochs!r}.")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer or None; got {batch_size!r}.")
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop'; got {on_divergence!r}.")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be GD, Momentum or Adam; got {type(optimizer).__name__}."
        )

    rng = np.random.default_rng(seed)
    batch = n if batch_size is None else min(int(batch_size), n)
    history = History()

    def diverge(epoch: int, what: str) -> History:
        history.diverged = True
        history.message = (
            f"training diverged in epoch {epoch}: {what} became NaN or infinite. "
            f"Lower the learning rate (now {optimizer!r}) or standardise the inputs."
        )
        if on_divergence == "raise":
            raise TrainingDiverged(history.message, history)
        return history

    for epoch in range(int(epochs)):
        order = rng.permutation(n) if batch < n else np.arange(n)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            Xb, yb = X[idx], y[idx]
            with np.errstate(all="ignore"):
                out = model.forward(Xb) if _finite_params(model) else None
            if out is None or not np.isfinite(_finite_loss(loss_fn, yb, out, params)):
                return diverge(epoch, "the loss")
            with np.errstate(all="ignore"):
                grads = model.backward(Xb, loss_fn.grad(yb, out, **params))
                if not all(np.all(np.isfinite(g)) for g in grads.values()):
                    return diverge(epoch, "a gradient")
                optimizer.step(model.params, grads)
        if not _finite_params(model):
            return diverge(epoch, "a parameter")
        with np.errstate(all="ignore"):
            train = _finite_loss(loss_fn, y, model.forward(X), params)
            val = (None if X_val is None
                   else _finite_loss(loss_fn, y_val, model.forward(X_val), params))
        if not np.isfinite(train) or (val is not None and not np.isfinite(val)):
            return diverge(epoch, "the loss")
        history._record(model, train, val)
        if callback is not None and callback(epoch, model, history) is True:
            history.message = f"stopped by the callback after epoch {epoch}."
            break
    return history


def _finite_params(model: Model) -> bool:
    return all(np.all(np.isfinite(p)) for p in model.params.values())
