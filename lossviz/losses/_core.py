"""The machinery shared by every loss: input validation, reduction and the registry.

Each loss module defines plain functions (``mse(y_true, y_pred, *, reduction="mean")``)
and registers a :class:`Loss` record that adds the gradient, the formula, default
hyper-parameters, the reference implementation it is tested against, and the test
metadata (how to draw valid inputs, what a perfect prediction is, which inputs are
invalid). Tests, the loss atlas and the widgets all read the registry, so registering a
new loss is the only edit needed to have it tested and documented.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

REDUCTIONS = ("mean", "sum", "none")

# --------------------------------------------------------------------------------------
# Validation: every public loss calls these before computing anything, so bad input
# fails loudly with the argument's name instead of turning into a silent NaN.
# --------------------------------------------------------------------------------------


def _describe(x: Any) -> str:
    """A short description of a value for error messages."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


def as_float_array(x: ArrayLike, name: str, *, allow_empty: bool = False) -> FloatArray:
    """Convert ``x`` to a float64 array, rejecting non-numeric, empty and non-finite input."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers; got {_describe(x)}.")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers; got {_describe(x)}.") from err
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty; got an array of shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} must contain only finite numbers; got {bad} NaN or infinite "
            f"value(s) in an array of shape {arr.shape}."
        )
    return arr


def check_same_shape(
    y_true: FloatArray, y_pred: FloatArray, names: tuple[str, str] = ("y_true", "y_pred")
) -> None:
    """Refuse to broadcast: (n,) against (n, 1) is almost always a bug, not an intention."""
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape; got {names[0]} {y_true.shape} "
            f"and {names[1]} {y_pred.shape}. Reshape one of them (for example with .reshape"
            f"({list(y_true.shape) if y_true.ndim else '()'}) or .ravel()); losses never broadcast."
        )


def check_binary_labels(y: FloatArray, name: str = "y_true") -> None:
    """Binary labels must be exactly 0 or 1."""
    bad = ~((y == 0) | (y == 1))
    if np.any(bad):
        example = y[bad].flat[0]
        raise ValueError(
            f"{name} must contain binary labels 0 or 1; got {int(bad.sum())} other value(s), "
            f"e.g. {example!r}. Map labels such as -1/+1 or True/False to 0/1 first."
        )


def check_probabilities(p: FloatArray, name: str) -> None:
    """Probabilities must lie in [0, 1] (end points included)."""
    bad = (p < 0) | (p > 1)
    if np.any(bad):
        raise ValueError(
            f"{name} must contain probabilities in [0, 1]; got {int(bad.sum())} value(s) "
            f"outside, e.g. {p[bad].flat[0]!r}."
        )


def check_class_indices(y: FloatArray, n_classes: int, name: str = "y_true") -> NDArray[np.intp]:
    """Multiclass labels are integer indices 0 .. n_classes - 1; returns them as integers."""
    bad = (y != np.round(y)) | (y < 0) | (y >= n_classes)
    if np.any(bad):
        raise ValueError(
            f"{name} must contain integer class indices in 0..{n_classes - 1} "
            f"(one per row of the logits); got {int(bad.sum())} other value(s), e.g. "
            f"{y[bad].flat[0]!r}."
        )
    return y.astype(np.intp)


def check_positive(value: Any, name: str) -> float:
    """A strictly positive, finite real hyper-parameter (for example ``delta``)."""
    value = check_real(value, name)
    if not value > 0:
        raise ValueError(f"{name} must be > 0; got {value!r}.")
    return value


def check_real(value: Any, name: str) -> float:
    """A finite real scalar hyper-parameter."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {_describe(value)}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    return value


def check_in_interval(
    value: Any, name: str, low: float, high: float, *, closed: str = "neither"
) -> float:
    """A real scalar in an interval; ``closed`` is "neither", "left", "right" or "both"."""
    value = check_real(value, name)
    ok_low = value >= low if closed in ("left", "both") else value > low
    ok_high = value <= high if closed in ("right", "both") else value < high
    if not (ok_low and ok_high):
        lb = "[" if closed in ("left", "both") else "("
        rb = "]" if closed in ("right", "both") else ")"
        raise ValueError(f"{name} must lie in {lb}{low}, {high}{rb}; got {value!r}.")
    return value


def check_reduction(reduction: Any) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"reduction must be one of 'mean', 'sum' or 'none'; got {reduction!r}."
        )
    return reduction


def reduce(values: FloatArray, reduction: str) -> FloatArray | float:
    """Apply a reduction to per-element losses: mean and sum give a Python float."""
    reduction = check_reduction(reduction)
    if reduction == "mean":
        return float(np.mean(values))
    if reduction == "sum":
        return float(np.sum(values))
    return values


def reduce_grad(grad: FloatArray, reduction: str, n: int | None = None) -> FloatArray:
    """Scale a per-element derivative to the gradient of the *reduced* loss.

    ``'none'`` and ``'sum'`` keep d(l_i)/d(y_pred_i); ``'mean'`` divides by the number of
    terms averaged (``n``, by default ``grad.size``), as PyTorch's backward pass does.
    """
    reduction = check_reduction(reduction)
    if reduction == "mean":
        return grad / (grad.size if n is None else n)
    return grad


# --------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------

Sampler = Callable[[np.random.Generator, int], tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class Loss:
    """A registered loss: the function, its gradient, its formula and its test metadata.

    Attributes:
        name: registry name, equal to the function's name (``"huber"``).
        func: the loss function ``func(y_true, y_pred, *, reduction="mean", **params)``.
        grad_func: ``grad_func(y_true, y_pred, *, reduction="mean", **params)``, the
            gradient of the reduced loss with respect to ``y_pred`` (same shape as
            ``y_pred``). With ``reduction="none"`` it is the per-element derivative.
        latex: the unreduced per-example loss as LaTeX (no surrounding ``$``).
        grad_latex: its derivative with respect to the prediction, as LaTeX.
        params: default hyper-parameters (read-only mapping).
        task: ``"regression"``, ``"classification"``, ``"divergence"``, ...
        reference: the library function the tests compare against, as text.
        reference_func: computes the *mean* loss with that library, same signature as
            ``func`` minus ``reduction`` (imports the library lazily); ``None`` if the
            reference cannot run here (the tests then say why they skip).
        sample: ``sample(rng, n)`` draws valid ``(y_true, y_pred)`` with ``n`` examples,
            away from kinks, for gradient and property tests.
        perfect: ``perfect(y_true)`` returns a prediction with zero loss, or ``None`` if
            the loss has no exact zero (cross-entropy from finite logits).
        bad_labels: ``bad_labels(y_true)`` returns an invalid ``y_true`` of the same shape
            (a label outside the domain), or ``None`` for real-valued targets.
        invalid_params: hyper-parameter settings that must raise ``ValueError``.
        summary: one sentence: what it is and when to use it (shown in the loss atlas).
        nonnegative: whether the loss is >= 0 for every valid input.
        torch_func: optional ``torch_func(y_true, y_pred, **params)`` computing the mean
            loss with PyTorch (tests skip it when torch is absent).
        rowwise: ``False`` when the loss is computed element by element (``"none"``
            returns the shape of ``y_pred``); ``True`` when one example is a row of
            ``y_pred`` along its last axis (class logits), so ``"none"`` returns
            ``y_pred.shape[:-1]``.
        mean_denominator: optional ``mean_denominator(y_true, y_pred, **params)``, the
            number (or total weight) that ``reduction="mean"`` divides the sum by, when it
            is not the number of values ``reduction="none"`` returns (class-weighted
            cross-entropy divides by the summed weights of the targets).
        extra_params: valid non-default hyper-parameter settings that the tests exercise
            besides the defaults (gradient, reference and property checks).
    """

    name: str
    func: Callable[..., Any]
    grad_func: Callable[..., FloatArray]
    latex: str
    grad_latex: str
    task: str
    reference: str
    sample: Sampler
    summary: str
    params: Mapping[str, Any] = field(default_factory=dict)
    reference_func: Callable[..., float] | None = None
    perfect: Callable[[FloatArray], FloatArray] | None = None
    bad_labels: Callable[[FloatArray], FloatArray] | None = None
    invalid_params: tuple[Mapping[str, Any], ...] = ()
    nonnegative: bool = True
    torch_func: Callable[..., float] | None = None
    rowwise: bool = False
    mean_denominator: Callable[..., float] | None = None
    extra_params: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __call__(self, y_true: ArrayLike, y_pred: ArrayLike, **params: Any) -> Any:
        return self.func(y_true, y_pred, **params)

    def grad(self, y_true: ArrayLike, y_pred: ArrayLike, **params: Any) -> FloatArray:
        return self.grad_func(y_true, y_pred, **params)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"<Loss {self.name}({params}) task={self.task!r}>"


_REGISTRY: dict[str, Loss] = {}


def register(loss: Loss) -> Loss:
    """Add a loss to the registry (names are unique)."""
    if loss.name in _REGISTRY:
        raise ValueError(f"a loss named {loss.name!r} is already registered.")
    _REGISTRY[loss.name] = loss
    return loss


def names() -> list[str]:
    """The names of all registered losses, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> Loss:
    """The registered :class:`Loss` called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown loss name {name!r}; registered losses are: {', '.join(_REGISTRY)}."
        ) from None
