"""The machinery behind every ``check_<exercise>(answer)``.

A chapter's check is a short function decorated with :func:`check`::

    @check("mse(y, ŷ) equals the mean squared error on 3 fixed and 20 random cases")
    def check_mse(fn):
        fn = require_function(fn, "mse(y, y_hat)")
        got = as_number(call(fn, "mse", Y, Y_HAT), "mse(y, y_hat)")
        expect_close(got, 13 / 3, what="the loss for y=[1, 2, 3], ŷ=[1, 4, 0]",
                     mistakes={13.0: "did you sum instead of averaging? ..."})

Inside the body, anything wrong raises :class:`Fail` ("what failed", "hint"). The decorator
turns the outcome into exactly one printed line,

- ``✓ passed: <what was verified>``, returning ``None``; or
- ``✗ <what failed> — <hint>``, then raises ``AssertionError`` with the same text
  (``from None``, so the notebook shows a short traceback without the learner's code and
  without the check's internals), which makes the same call an nbgrader test.

Learner code is only ever run through :func:`call`, which silences its prints and warnings,
turns ``NotImplementedError`` into "not implemented yet: ..." and any other exception into
a one-line message naming it. Checks never contain the exercise's solution: expected values
are precomputed numbers, or come from :mod:`lossviz` / scikit-learn reference functions.

A check that takes several functions (say a loss and its gradient) validates them with
:func:`require_functions` and runs them through :func:`call_named`, so that "not implemented
yet" names the one still missing; :func:`as_loss`, :func:`as_gradient` and
:func:`expect_array` read and compare what such functions return.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import numbers
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "NOT_IMPLEMENTED",
    "Fail",
    "GradientOf",
    "as_array",
    "as_gradient",
    "as_loss",
    "as_number",
    "call",
    "call_named",
    "check",
    "expect_array",
    "expect_close",
    "finite_difference_gradient",
    "fmt",
    "hint_when",
    "is_placeholder",
    "require_function",
    "require_functions",
    "require_value",
]

NOT_IMPLEMENTED = "not implemented yet: replace `raise NotImplementedError()` with your code"


class Fail(Exception):
    """Raised inside a check body: ``what`` failed, with an optional ``hint`` for the fix."""

    def __init__(self, what: str, hint: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint

    def line(self) -> str:
        return self.what if not self.hint else f"{self.what} — {self.hint}"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check(passed: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Decorate a check body; ``passed`` says what a pass has verified."""

    def decorate(body: Callable[[Any], None]) -> Callable[[Any], None]:
        @functools.wraps(body)
        def run(answer: Any) -> None:
            __tracebackhide__ = True  # IPython and pytest skip this frame in tracebacks
            try:
                body(answer)
            except Fail as failure:
                message = "✗ " + _one_line(failure.line(), limit=600)
            else:
                print("✓ passed: " + passed)
                return None
            print(message)
            raise AssertionError(message) from None

        return run

    return decorate


# --------------------------------------------------------------------------------------
# Running the learner's code
# --------------------------------------------------------------------------------------


def is_placeholder(answer: Any) -> bool:
    """``None`` or ``...``: what an unanswered value exercise holds."""
    return answer is None or answer is Ellipsis


def require_function(answer: Any, signature: str) -> Callable[..., Any]:
    """The answer must be a function (not its result, not a placeholder)."""
    if is_placeholder(answer):
        raise Fail(NOT_IMPLEMENTED)
    if not callable(answer):
        name = signature.split("(")[0]
        raise Fail(
            f"expected the function `{signature}`, got {type(answer).__name__} {_short(answer)}",
            f"pass the function itself, without calling it: check_{name}({name})",
        )
    return answer


def require_functions(answers: Sequence[Any], names: Sequence[str], check_call: str) -> None:
    """Every answer must be a function; a placeholder means "not implemented yet".

    For checks of several functions: ``names`` are the functions' names, in the order of
    ``answers``; ``check_call`` shows the right call in the hint, for example
    ``check_huber(huber, huber_grad)``.
    """
    for answer, name in zip(answers, names, strict=True):
        if is_placeholder(answer):
            raise Fail(NOT_IMPLEMENTED, f"`{name}` is still a placeholder")
        if not callable(answer):
            raise Fail(
                f"expected the function `{name}`, got {type(answer).__name__} {fmt(answer)}",
                f"pass the functions themselves, without calling them: {check_call}",
            )


def require_value(answer: Any, what: str) -> float:
    """The answer must be a single real number (a placeholder means not answered yet)."""
    if is_placeholder(answer):
        raise Fail(NOT_IMPLEMENTED)
    if callable(answer):
        raise Fail(f"expected a number for {what}, got a function",
                   "pass the value itself (for example a float), not a function")
    return as_number(answer, what)


def call(fn: Callable[..., Any], name: str, *args: Any) -> Any:
    """Run learner code on copies of ``args``, quietly, converting exceptions into :class:`Fail`."""
    args = tuple(a.copy() if isinstance(a, (np.ndarray, list)) else a for a in args)
    try:
        with (
            contextlib.redirect_stdout(io.StringIO()),
            warnings.catch_warnings(),
            np.errstate(all="ignore"),
        ):
            warnings.simplefilter("ignore")
            return fn(*args)
    except NotImplementedError:
        raise Fail(NOT_IMPLEMENTED) from None
    except Exception as err:  # the learner's bug, reported in one line
        shown = ", ".join(fmt(a) for a in args)
        raise Fail(
            f"{name}({shown}) raised {type(err).__name__}: {_one_line(str(err), 160)}",
            _hint_for_exception(err),
        ) from None


def call_named(fn: Callable[..., Any], name: str, *args: Any) -> Any:
    """:func:`call`, naming the function that is still a stub (checks of several functions)."""
    try:
        return call(fn, name, *args)
    except Fail as failure:
        if failure.what == NOT_IMPLEMENTED and failure.hint is None:
            raise Fail(NOT_IMPLEMENTED, f"`{name}` still raises NotImplementedError") from None
        raise


@contextlib.contextmanager
def hint_when(*fragments: str, hint: str) -> Iterator[None]:
    """Replace the hint of a :class:`Fail` raised in the block whose message has every fragment.

    For a mistake that shows up as a particular exception in :func:`call`'s one-line report::

        with hint_when("broadcast", hint="use keepdims=True"):
            value = call(fn, "softmax_cross_entropy", y, Z)

    Any other failure passes through unchanged.
    """
    try:
        yield
    except Fail as failure:
        if all(fragment in failure.what for fragment in fragments):
            raise Fail(failure.what, hint) from None
        raise


def _hint_for_exception(err: Exception) -> str:
    if isinstance(err, NameError):
        return "a name is not defined: did you run the cells above, and spell it the same way?"
    if isinstance(err, (TypeError, ValueError)) and "shape" in str(err):
        return "check the shapes: the inputs are 1-D numpy arrays of the same length"
    if isinstance(err, TypeError):
        return "check the arguments and their order in your function's signature"
    if isinstance(err, ZeroDivisionError):
        return "guard the division: what should the result be when the denominator is 0?"
    return "run your function on the inputs shown above and read the full error"


# --------------------------------------------------------------------------------------
# Reading and comparing results
# --------------------------------------------------------------------------------------


def _short(x: Any) -> str:
    return _one_line(repr(x), 60)


def fmt(x: Any) -> str:
    """Numbers as a learner would write them: ``2.0``, ``4.333``, ``[1, 2]``."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Real):
        v = float(x)
        if math.isfinite(v) and v == round(v) and abs(v) < 1e15:
            return f"{v:.1f}"
        return f"{v:.4g}"
    if isinstance(x, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError):  # ragged: [1, [2, 3]] or (0.1, np.zeros(3))
            return _short(x)
        if arr.dtype.kind in "biuf" and arr.ndim == 1:
            items = [str(int(v)) if float(v).is_integer() else f"{float(v):.4g}" for v in arr[:8]]
            return "[" + ", ".join(items) + (", …" if arr.size > 8 else "") + "]"
    return _short(x)


def as_number(value: Any, what: str, *, nan_hint: str | None = None) -> float:
    """A returned value as a float, failing with a hint for the usual wrong types."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    if isinstance(value, (str, bytes)):
        raise Fail(f"{what} returned the text {_short(value)}", "return a number, not a string")
    try:
        arr = np.asarray(value) if isinstance(value, (list, tuple, np.ndarray)) else None
    except (TypeError, ValueError):  # ragged: (loss, gradient) or [1, [2, 3]]
        raise Fail(f"{what} returned {type(value).__name__} {_short(value)}, "
                   "expected a single number",
                   "return one number (not a tuple of several results)") from None
    if arr is not None:
        if arr.size != 1:
            raise Fail(
                f"{what} returned an array of shape {arr.shape}, expected a single number",
                "reduce over the examples (for example with np.mean) to get one number",
            )
        value = arr.reshape(())[()]
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Fail(
            f"{what} returned {type(value).__name__} {_short(value)}, expected a number"
        ) from None
    if math.isnan(number):
        raise Fail(f"{what} returned nan",
                   nan_hint or "look for a 0/0 or an operation on an empty array")
    return number


def as_array(value: Any, what: str, *, length: int | None = None) -> np.ndarray:
    """A returned sequence as a 1-D float array, optionally of a given length."""
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__}, expected an array of numbers") from None
    if arr.ndim != 1:
        raise Fail(f"{what} returned an array of shape {arr.shape}, expected a 1-D array",
                   "collect the values in a list and return np.array(values)")
    if length is not None and arr.size != length:
        raise Fail(f"{what} returned {arr.size} values, expected {length}")
    return arr


def as_loss(value: Any, what: str, *, nan_hint: str | None = None) -> float:
    """A loss value: one float (a tuple such as ``(loss, grad)`` gets its own message)."""
    if isinstance(value, tuple):
        raise Fail(f"{what} returned a tuple of {len(value)} values, expected a single number",
                   "return only the loss, one float (for example `return float(np.mean(...))`)")
    try:
        return as_number(value, what, nan_hint=nan_hint)
    except ValueError:  # np.asarray of a ragged list
        raise Fail(f"{what} returned {type(value).__name__} {fmt(value)}, "
                   "expected a single number") from None


@dataclass(frozen=True)
class GradientOf:
    """The argument a gradient is taken with respect to, as :func:`as_gradient` words it.

    Attributes:
        variable: the argument whose shape the gradient has, as the learner calls it
            (``"y_hat"``, ``"z"``).
        entry: what one entry is, ``"∂L/∂ŷᵢ per prediction"``.
        inputs: what the entries are computed from, element-wise,
            ``"the residuals y_hat − y"``.
        nan_hint: the hint for a nan entry when the caller has no more specific one.
    """

    variable: str
    entry: str
    inputs: str
    nan_hint: str


def as_gradient(value: Any, what: str, n: int, nan_hint: str | None = None, *,
                of: GradientOf) -> np.ndarray:
    """A gradient: a float array of shape ``(n,)``, the shape of the argument ``of.variable``.

    A tuple of arrays (say ``(loss, grad)``), one number, another shape and a nan entry each
    fail with their own hint, worded with ``of``; ``nan_hint`` replaces ``of.nan_hint``.
    """
    if value is None:
        raise Fail(f"{what} returned None", "did you forget the `return` statement?")
    if isinstance(value, tuple) and any(np.ndim(v) > 0 for v in value):
        raise Fail(f"{what} returned a tuple of {len(value)} values, expected one array",
                   f"return only the gradient: an array with the shape of {of.variable}")
    try:
        grad = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {type(value).__name__} {fmt(value)}, "
                   "expected an array of numbers") from None
    if grad.ndim == 0:
        raise Fail(
            f"{what} returned one number, expected an array of shape ({n},): one partial "
            f"derivative {of.entry}",
            f"do not sum or average the entries: the gradient has the shape of {of.variable}, "
            "and each entry carries the 1/n of the mean",
        )
    if grad.shape != (n,):
        raise Fail(f"{what} returned an array of shape {grad.shape}, expected ({n},), "
                   f"the shape of {of.variable}",
                   f"compute the gradient element-wise from {of.inputs}")
    bad = np.flatnonzero(np.isnan(grad))
    if bad.size:
        raise Fail(f"{what} returned nan at index {int(bad[0])}", nan_hint or of.nan_hint)
    return grad


def _matches(got: float, value: float, rtol: float, atol: float) -> bool:
    return bool(np.isclose(got, value, rtol=rtol, atol=atol))


def expect_close(
    got: float,
    expected: float,
    *,
    what: str,
    mistakes: Mapping[float, str] | None = None,
    hint: str | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> None:
    """Fail unless ``got ≈ expected``; a known wrong value gets its dedicated hint.

    ``mistakes`` maps the value a common mistake produces (precomputed) to its hint.
    """
    if _matches(got, expected, rtol, atol):
        return
    for wrong, mistake_hint in (mistakes or {}).items():
        if _matches(got, wrong, rtol, atol):
            hint = mistake_hint
            break
    raise Fail(f"{what} should be {fmt(expected)}, got {fmt(got)}", hint)


def expect_array(
    got: np.ndarray,
    expected: np.ndarray,
    *,
    what: str,
    mistakes: Sequence[tuple[Sequence[float], str]] = (),
    hint: str | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> None:
    """Fail unless ``got ≈ expected`` element-wise; a known wrong array gets its hint.

    ``mistakes`` pairs the array a common mistake produces (precomputed) with its hint. Up
    to 8 entries the message shows both arrays, beyond that the first entry that differs.
    """
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    for wrong, mistake_hint in mistakes:
        if np.allclose(got, np.asarray(wrong, dtype=float), rtol=rtol, atol=atol):
            hint = mistake_hint
            break
    if got.size <= 8:
        raise Fail(f"{what} should be {fmt(expected)}, got {fmt(got)}", hint)
    i = int(np.flatnonzero(~np.isclose(got, expected, rtol=rtol, atol=atol))[0])
    raise Fail(f"{what}, entry {i}, should be {fmt(expected[i])}, got {fmt(got[i])}", hint)


def finite_difference(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """Central difference (f(x + h) − f(x − h)) / 2h, error O(h²)."""
    return (f(x + h) - f(x - h)) / (2.0 * h)


def finite_difference_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """The gradient of ``f`` at ``x`` by central differences, one coordinate at a time.

    ``f`` is called on copies of ``x`` with one entry moved, in the order
    ``x₀ + h, x₀ − h, x₁ + h, ...``; ``x`` itself is left unchanged.
    """
    out = np.empty_like(x)
    for j in range(x.size):
        def along_j(t: float, j: int = j) -> float:
            moved = x.copy()
            moved[j] = t
            return f(moved)

        out[j] = finite_difference(along_j, float(x[j]), h)
    return out
