"""Tiny numpy models with an explicit forward and backward pass.

Every model keeps its parameters in ``model.params`` (a dict of float arrays) and has

- ``forward(X)``: the output for a batch ``X`` of shape ``(n, d)``: predictions
  (:class:`LinearRegression`), logits of shape ``(n,)`` (:class:`LogisticRegression`) or
  ``(n, C)`` (:class:`SoftmaxRegression`, :class:`MLP` with ``n_outputs > 1``);
- ``backward(X, grad_out)``: given dL/d(output) (same shape as the output), the gradients
  of ``L + penalty()`` with respect to every parameter, as a dict with the keys of
  ``params``. The backward pass recomputes the forward pass, so models hold no hidden
  state between calls;
- ``penalty()``: the L2 penalty ``½ λ Σ‖W‖²`` over the weight matrices (never the biases).

The losses come from :mod:`lossviz.losses`; :func:`lossviz.train.fit` glues them together.

Convention for the L2 strength: the objective is ``mean loss + ½ λ ‖w‖²``. scikit-learn's
``LogisticRegression(C=...)`` minimises ``C · Σ loss + ½ ‖w‖²``, so ``C = 1 / (n λ)`` with
``n`` the number of training examples (``tests/test_models.py`` checks this numerically);
``Ridge(alpha=...)`` minimises ``Σ (ŷ - y)² + alpha ‖w‖²``, so ``alpha = n λ / 2`` with MSE.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .losses._core import FloatArray, as_float_array, check_real

__all__ = ["MLP", "LinearRegression", "LogisticRegression", "Model", "SoftmaxRegression"]


def _check_X(X: ArrayLike, n_features: int) -> FloatArray:
    X = as_float_array(X, "X")
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(
            f"X must have shape (n_samples, {n_features}); got shape {X.shape}. "
            "Use X.reshape(-1, 1) for a single feature."
        )
    return X


def _check_l2(l2: float) -> float:
    l2 = check_real(l2, "l2")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0; got {l2!r}.")
    return l2


def _check_count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


class Model:
    """The shared interface: ``params``, ``forward``, ``backward`` and the L2 penalty."""

    params: dict[str, FloatArray]
    n_features: int
    l2: float
    #: names of the parameters the L2 penalty applies to (weights, not biases)
    penalized: tuple[str, ...] = ()

    def forward(self, X: ArrayLike) -> FloatArray:
        raise NotImplementedError

    def backward(self, X: ArrayLike, grad_out: ArrayLike) -> dict[str, FloatArray]:
        raise NotImplementedError

    def __call__(self, X: ArrayLike) -> FloatArray:
        return self.forward(X)

    def penalty(self) -> float:
        """``½ λ Σ ‖W‖²`` over the weight arrays."""
        if self.l2 == 0.0:
            return 0.0
        return 0.5 * self.l2 * sum(float(np.sum(self.params[k] ** 2)) for k in self.penalized)

    def _add_penalty_grad(self, grads: dict[str, FloatArray]) -> dict[str, FloatArray]:
        if self.l2 != 0.0:
            for k in self.penalized:
                grads[k] = grads[k] + self.l2 * self.params[k]
        return grads

    def _check_grad_out(self, grad_out: ArrayLike, out_shape: tuple[int, ...]) -> FloatArray:
        g = as_float_array(grad_out, "grad_out")
        if g.shape != out_shape:
            raise ValueError(
                f"grad_out must have the shape of the model's output {out_shape}; got {g.shape}."
            )
        return g

    def copy_params(self) -> dict[str, FloatArray]:
        """A deep copy of the parameters (for snapshots such as the best epoch)."""
        return {k: v.copy() for k, v in self.params.items()}

    def set_params(self, params: dict[str, ArrayLike]) -> None:
        """Overwrite the parameters in place (shapes must match)."""
        for k, v in params.items():
            arr = np.asarray(v, dtype=np.float64)
            if k not in self.params or arr.shape != self.params[k].shape:
                raise ValueError(f"parameter {k!r} must have shape {self.params[k].shape}.")
            self.params[k][...] = arr


class _Affine(Model):
    """ŷ = X w + b, with ``w`` of shape (d,) or (d, k)."""

    penalized = ("w",)

    def __init__(self, n_features: int, n_outputs: int | None, l2: float) -> None:
        self.n_features = _check_count(n_features, "n_features")
        self.l2 = _check_l2(l2)
        shape_w = (self.n_features,) if n_outputs is None else (self.n_features, n_outputs)
        shape_b = () if n_outputs is None else (n_outputs,)
        self.params = {"w": np.zeros(shape_w), "b": np.zeros(shape_b)}

    def forward(self, X: ArrayLike) -> FloatArray:
        X = _check_X(X, self.n_features)
        return X @ self.params["w"] + self.params["b"]

    def backward(self, X: ArrayLike, grad_out: ArrayLike) -> dict[str, FloatArray]:
        X = _check_X(X, self.n_features)
        out_shape = (X.shape[0], *self.params["b"].shape)
        g = self._check_grad_out(grad_out, out_shape)
        # out = X w + b  =>  dL/dw = Xᵀ dL/dout,  dL/db = Σ_i dL/dout_i
        grads = {"w": X.T @ g, "b": g.sum(axis=0)}
        return self._add_penalty_grad(grads)


class LinearRegression(_Affine):
    """Linear regression ŷ = X w + b; train it with the ``"mse"`` loss.

    Args:
        n_features: number of input columns ``d``.
        l2: L2 strength λ on ``w`` (objective ``mean loss + ½ λ ‖w‖²``).

    Shape: ``X`` (n, d) → ŷ (n,).
    """

    def __init__(self, n_features: int, *, l2: float = 0.0) -> None:
        super().__init__(n_features, None, l2)


class LogisticRegression(_Affine):
    """Binary logistic regression; ``forward`` returns logits f = X w + b.

    Train it with ``"bce_with_logits"``; ``predict_proba`` gives σ(f). Class weights:
    ``fit(..., loss_params={"pos_weight": w})`` weights the positives by ``w`` and equals
    scikit-learn's ``class_weight={0: 1, 1: w}`` at the same ``C = 1 / (n λ)``;
    ``w = n_negative / n_positive`` is ``class_weight="balanced"`` up to a rescaling of C.

    Args:
        n_features: number of input columns ``d``.
        l2: L2 strength λ on ``w``; matches scikit-learn's ``C = 1 / (n λ)``.

    Shape: ``X`` (n, d) → logits (n,).
    """

    def __init__(self, n_features: int, *, l2: float = 0.0) -> None:
        super().__init__(n_features, None, l2)

    def predict_proba(self, X: ArrayLike) -> FloatArray:
        """P(y = 1 | x) = σ(f), computed without overflow for large |f|."""
        f = self.forward(X)
        # σ(f) = exp(-logaddexp(0, -f)): stable for logits of either sign
        return np.exp(-np.logaddexp(0.0, -f))

    def predict(self, X: ArrayLike, threshold: float = 0.5) -> FloatArray:
        return (self.predict_proba(X) >= threshold).astype(np.float64)


class SoftmaxRegression(_Affine):
    """Multinomial logistic regression; ``forward`` returns logits (n, C).

    Train it with ``"softmax_cross_entropy"`` and integer labels in 0..C-1.

    Args:
        n_features: number of input columns ``d``.
        n_classes: number of classes ``C`` (≥ 2).
        l2: L2 strength λ on ``W``; matches scikit-learn's multinomial ``C = 1 / (n λ)``.
    """

    def __init__(self, n_features: int, n_classes: int, *, l2: float = 0.0) -> None:
        if _check_count(n_classes, "n_classes") < 2:
            raise ValueError(f"n_classes must be >= 2; got {n_classes!r}.")
        self.n_classes = int(n_classes)
        super().__init__(n_features, self.n_classes, l2)

    def predict_proba(self, X: ArrayLike) -> FloatArray:
        f = self.forward(X)
        f = f - f.max(axis=1, keepdims=True)  # shift by the row max: exp never overflows
        e = np.exp(f)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: ArrayLike) -> FloatArray:
        return np.argmax(self.forward(X), axis=1).astype(np.float64)


_ACTIVATIONS = ("tanh", "relu")


class MLP(Model):
    """A multilayer perceptron with one or two hidden layers.

    ``h1 = act(X W1 + b1)``, (``h2 = act(h1 W2 + b2)``), ``out = h_last W_out + b_out``.
    The output is ``(n,)`` when ``n_outputs == 1`` (a regression value or a binary logit)
    and ``(n, n_outputs)`` otherwise (multiclass logits).

    Args:
        n_inputs: number of input columns ``d``.
        hidden: sizes of the hidden layers, one or two integers, e.g. ``(16,)``.
        n_outputs: output size.
        activation: ``"tanh"`` or ``"relu"``.
        l2: L2 strength λ on every weight matrix (not the biases).
        seed: seeds the initialisation (Glorot for tanh, He for relu; zero biases).
    """

    def __init__(
        self,
        n_inputs: int,
        hidden: tuple[int, ...] | list[int] | int = (16,),
        n_outputs: int = 1,
        *,
        activation: str = "tanh",
        l2: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.n_features = _check_count(n_inputs, "n_inputs")
        hidden = (hidden,) if isinstance(hidden, (int, np.integer)) else tuple(hidden)
        if not 1 <= len(hidden) <= 2:
            raise ValueError(f"hidden must list one or two layer sizes; got {hidden!r}.")
        self.hidden = tuple(_check_count(h, "hidden") for h in hidden)
        self.n_outputs = _check_count(n_outputs, "n_outputs")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be 'tanh' or 'relu'; got {activation!r}.")
        self.activation = activation
        self.l2 = _check_l2(l2)
        rng = np.random.default_rng(seed)
        sizes = (self.n_features, *self.hidden, self.n_outputs)
        self.params = {}
        names = [str(i + 1) for i in range(len(self.hidden))] + ["_out"]
        for name, fan_in, fan_out in zip(names, sizes[:-1], sizes[1:], strict=True):
            if activation == "relu" and name != "_out":
                scale = np.sqrt(2.0 / fan_in)  # He et al. 2015
            else:
                scale = np.sqrt(2.0 / (fan_in + fan_out))  # Glorot & Bengio 2010
            self.params["W" + name] = rng.normal(0.0, scale, size=(fan_in, fan_out))
            self.params["b" + name] = np.zeros(fan_out)
        self.penalized = tuple(k for k in self.params if k.startswith("W"))
        self._layers = names

    def _act(self, z: FloatArray) -> FloatArray:
        return np.tanh(z) if self.activation == "tanh" else np.maximum(z, 0.0)

    def _act_grad(self, z: FloatArray, a: FloatArray) -> FloatArray:
        # d tanh(z)/dz = 1 - tanh(z)²;  d relu(z)/dz = 1[z > 0]
        return 1.0 - a * a if self.activation == "tanh" else (z > 0).astype(np.float64)

    def _forward_cache(self, X: FloatArray) -> tuple[FloatArray, list[tuple[FloatArray, ...]]]:
        cache = []
        h = X
        for name in self._layers[:-1]:
            z = h @ self.params["W" + name] + self.params["b" + name]
            a = self._act(z)
            cache.append((h, z, a))
            h = a
        out = h @ self.params["W_out"] + self.params["b_out"]
        cache.append((h,))
        return out, cache

    def forward(self, X: ArrayLike) -> FloatArray:
        X = _check_X(X, self.n_features)
        out, _ = self._forward_cache(X)
        return out[:, 0] if self.n_outputs == 1 else out

    def backward(self, X: ArrayLike, grad_out: ArrayLike) -> dict[str, FloatArray]:
        X = _check_X(X, self.n_features)
        out, cache = self._forward_cache(X)
        shape = (X.shape[0],) if self.n_outputs == 1 else out.shape
        g = self._check_grad_out(grad_out, shape).reshape(out.shape)
        grads: dict[str, FloatArray] = {}
        # output layer: out = h W + b
        (h,) = cache[-1]
        grads["W_out"] = h.T @ g
        grads["b_out"] = g.sum(axis=0)
        g_h = g @ self.params["W_out"].T
        # hidden layers, last to first: a = act(z), z = h_prev W + b
        for name, (h_prev, z, a) in zip(
            reversed(self._layers[:-1]), reversed(cache[:-1]), strict=True
        ):
            g_z = g_h * self._act_grad(z, a)
            grads["W" + name] = h_prev.T @ g_z
            grads["b" + name] = g_z.sum(axis=0)
            g_h = g_z @ self.params["W" + name].T
        grads = {k: grads[k] for k in self.params}  # same order as params
        return self._add_penalty_grad(grads)
