"""Helpers for the exercise-check tests (``tests/test_exercise_checks*.py``).

A check prints exactly one line: ``✓ passed: …`` and returns ``None``, or ``✗ …`` and
raises ``AssertionError`` with the same text (``from None``). :func:`run` and :func:`passes`
call a check with the learner's answers and assert that contract; :func:`stub` is an
exercise left as its template, which raises ``NotImplementedError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def run(check: Callable[..., None], capsys: pytest.CaptureFixture[str], *answers: Any) -> str:
    """Run a check that must fail; return its single printed line."""
    with pytest.raises(AssertionError) as info:
        check(*answers)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"expected exactly one printed line, got {out!r}"
    line = out.strip()
    assert line.startswith("✗ ")
    assert str(info.value) == line, "the AssertionError must carry the printed message"
    assert info.value.__suppress_context__, "raise ... from None keeps the traceback short"
    return line


def passes(check: Callable[..., None], capsys: pytest.CaptureFixture[str], *answers: Any) -> None:
    """Run a check that must pass: it returns ``None`` and prints one ``✓ passed`` line."""
    result = check(*answers)
    out = capsys.readouterr().out
    assert result is None
    assert out.count("\n") == 1 and out.startswith("✓ passed: "), out


def stub(*args: Any) -> Any:
    """An exercise function not written yet: the template's ``raise NotImplementedError()``."""
    raise NotImplementedError()
