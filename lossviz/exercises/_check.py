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
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import numbers
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "NOT_IMPLEMENTED",
    "Fail",
    "as_array",
    "as_number",
    "call",
    "check",
    "expect_close",
    "fmt",
    "is_placeholder",
    "require_function",
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
        arr = np.asarray(x)
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
    arr = np.asarray(value) if isinstance(value, (list, tuple, np.ndarray)) else None
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


def finite_difference(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """Central difference (f(x + h) − f(x − h)) / 2h, error O(h²)."""
    return (f(x + h) - f(x - h)) / (2.0 * h)
