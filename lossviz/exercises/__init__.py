"""Exercise checks used by the chapters: ``check_<exercise>(answer)``.

Each check prints one line — ``✓ passed: …`` or ``✗ <what failed> — <hint>`` — returns
``None`` on success and raises ``AssertionError`` on failure, so the same call works in a
notebook and as an nbgrader test. A stub that raises ``NotImplementedError`` gets
"not implemented yet". Chapter modules: :mod:`lossviz.exercises.foundations` (00),
:mod:`lossviz.exercises.regression` (01), :mod:`lossviz.exercises.classification` (02),
:mod:`lossviz.exercises.optimization` (03), :mod:`lossviz.exercises.regularization` (04),
:mod:`lossviz.exercises.gans` (05), :mod:`lossviz.exercises.rl` (06),
:mod:`lossviz.exercises.fairness` (07), :mod:`lossviz.exercises.design` (08).

>>> from lossviz.exercises.foundations import check_mse
"""

from __future__ import annotations

from ._check import NOT_IMPLEMENTED, Fail, check

__all__ = ["NOT_IMPLEMENTED", "Fail", "check"]
