"""Read a chapter notebook's nbgrader exercises, make stubs, validate the cell format.

A chapter exercise (SPEC §5) is an nbgrader *solution* cell followed by one or more
*test* cells::

    solution cell  metadata.nbgrader = {solution: true, grade: false, locked: false,
                                        grade_id: "ex-mse", schema_version: 3}
    test cell      metadata.nbgrader = {solution: false, grade: true, locked: true,
                                        points: 1, grade_id: "ex-mse-test", schema_version: 3}

The solution lies between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; hidden tests
between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` in a test cell tagged
``remove-cell``. :func:`stub_source` does what nbgrader's ``ClearSolutions`` does to a
solution cell, so tests can run the student version without nbgrader.

A written answer that a person grades (a "Think!" justification) is an nbgrader
*manually graded answer*: a markdown cell with ``{solution: true, grade: true,
locked: false, points: 2}`` holding the model answer, which the student notebook replaces
by ``YOUR ANSWER HERE``. It has no test cell; :func:`manual_answers` lists them and
:func:`exercises` leaves them out.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BEGIN_HIDDEN",
    "BEGIN_SOLUTION",
    "CODE_STUB",
    "END_HIDDEN",
    "END_SOLUTION",
    "TEXT_STUB",
    "Exercise",
    "ManualAnswer",
    "exercises",
    "has_hidden_tests",
    "has_solution_region",
    "is_manual_answer",
    "is_solution_cell",
    "is_test_cell",
    "manual_answers",
    "read_notebook",
    "strip_hidden_tests",
    "stub_source",
    "validate_exercise_metadata",
]

# The delimiters and stubs are nbgrader's defaults (nbgrader/preprocessors/clearsolutions.py).
BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"

_DIRECTIVES = ("exercise-start", "exercise-end", "solution-start", "solution-end")
_DIRECTIVE_ONLY = re.compile(
    r"^\s*(`{3,}|:{3,})\s*\{(" + "|".join(_DIRECTIVES) + r")\}[^\n]*\n"
    r"(?:\s*:[\w-]+:[^\n]*\n)*\s*\1\s*$"
)


def read_notebook(path: str | os.PathLike[str]) -> Any:
    """Read a notebook with nbformat (version 4)."""
    import nbformat  # lazily: the rest of this module needs only the standard library

    return nbformat.read(os.fspath(path), as_version=4)


def _nbgrader(cell: Any) -> dict[str, Any]:
    return dict(cell.get("metadata", {}).get("nbgrader", {}) or {})


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []) or [])


def is_solution_cell(cell: Any) -> bool:
    """An autograded answer cell: ``solution: true, grade: false`` (a manual answer is not)."""
    meta = _nbgrader(cell)
    return bool(meta.get("solution", False)) and not meta.get("grade", False)


def is_manual_answer(cell: Any) -> bool:
    """A manually graded answer: ``solution: true`` and ``grade: true`` (graded by a person)."""
    meta = _nbgrader(cell)
    return bool(meta.get("solution", False)) and bool(meta.get("grade", False))


def is_test_cell(cell: Any) -> bool:
    """An autograded tests cell: ``grade: true`` and not a solution cell."""
    meta = _nbgrader(cell)
    return bool(meta.get("grade", False)) and not meta.get("solution", False)


def has_solution_region(source: str) -> bool:
    return any(BEGIN_SOLUTION in line for line in source.split("\n"))


def has_hidden_tests(source: str) -> bool:
    return any(BEGIN_HIDDEN in line for line in source.split("\n"))


def stub_source(source: str, *, cell_type: str = "code") -> str:
    """The student version of a solution cell's source, exactly as nbgrader makes it.

    Each ``BEGIN SOLUTION`` … ``END SOLUTION`` region (marker lines included) becomes
    ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` at the indentation of the
    ``BEGIN`` line; a solution cell without a region is replaced entirely. Markdown
    cells get ``YOUR ANSWER HERE``. Nested or unterminated regions raise ``ValueError``.
    """
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    new_lines: list[str] = []
    in_solution = replaced = False
    for line in source.split("\n"):
        if BEGIN_SOLUTION in line:
            if in_solution:
                raise ValueError("encountered nested begin solution statements")
            in_solution = replaced = True
            indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
            new_lines.extend(indent + s for s in stub.split("\n"))
        elif END_SOLUTION in line:
            in_solution = False
        elif not in_solution:
            new_lines.append(line)
    if in_solution:
        raise ValueError("no end solution statement found")
    return "\n".join(new_lines) if replaced else stub


def strip_hidden_tests(source: str) -> str:
    """Remove ``BEGIN HIDDEN TESTS`` … ``END HIDDEN TESTS`` regions, as nbgrader does."""
    new_lines: list[str] = []
    in_test = False
    for line in source.split("\n"):
        if BEGIN_HIDDEN in line:
            if in_test:
                raise ValueError("encountered nested begin hidden tests statements")
            in_test = True
        elif END_HIDDEN in line:
            in_test = False
        elif not in_test:
            new_lines.append(line)
    if in_test:
        raise ValueError("no end hidden tests statement found")
    return "\n".join(new_lines)


@dataclass
class Exercise:
    """One autograded exercise: its solution cell and the test cells after it."""

    grade_id: str
    solution_index: int
    test_indices: list[int] = field(default_factory=list)
    test_grade_ids: list[str] = field(default_factory=list)
    points: float = 0.0
    solution_source: str = ""

    @property
    def stub(self) -> str:
        return stub_source(self.solution_source)


@dataclass
class ManualAnswer:
    """A written answer graded by a person: its cell, ``grade_id`` and points."""

    grade_id: str
    index: int
    points: float


def manual_answers(nb: Any) -> list[ManualAnswer]:
    """The manually graded answer cells of a notebook, in order."""
    if isinstance(nb, (str, os.PathLike)):
        nb = read_notebook(nb)
    return [ManualAnswer(str(_nbgrader(c).get("grade_id", f"cell-{i}")), i,
                         float(_nbgrader(c).get("points", 0) or 0))
            for i, c in enumerate(nb.cells) if is_manual_answer(c)]


def exercises(nb: Any) -> list[Exercise]:
    """The exercises of a notebook, in order.

    The tests of an exercise are the test cells between its solution cell and the next
    solution cell (other cells may sit between them, e.g. the ``{solution-end}`` directive).
    """
    if isinstance(nb, (str, os.PathLike)):
        nb = read_notebook(nb)
    found: list[Exercise] = []
    for i, cell in enumerate(nb.cells):
        if is_solution_cell(cell):
            found.append(Exercise(_nbgrader(cell).get("grade_id", f"cell-{i}"), i,
                                  solution_source=cell.source))
        elif is_test_cell(cell) and found:
            ex = found[-1]
            ex.test_indices.append(i)
            ex.test_grade_ids.append(str(_nbgrader(cell).get("grade_id", "")))
            ex.points += float(_nbgrader(cell).get("points", 0) or 0)
    return found


def validate_exercise_metadata(nb: Any) -> list[str]:
    """Problems with a notebook's exercise cells (SPEC §5); an empty list means valid.

    Checks: ``schema_version`` 3; solution cells ``solution: true, grade: false,
    locked: false`` and code cells; test cells ``grade: true, locked: true, points > 0``;
    a ``grade_id`` on every nbgrader cell, unique in the notebook; every solution cell
    followed by a test cell before the next solution cell; solution regions only in
    solution cells, balanced; hidden tests only in test cells tagged ``remove-cell``,
    balanced; sphinx-exercise directive-only cells tagged ``book-only``.
    """
    if isinstance(nb, (str, os.PathLike)):
        nb = read_notebook(nb)
    problems: list[str] = []
    seen: dict[str, int] = {}
    last_solution: int | None = None
    for i, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        where = f"cell {i}"
        source = cell.get("source", "")
        if cell.cell_type == "markdown" and _DIRECTIVE_ONLY.match(source.strip() + "\n") and (
            "book-only" not in _tags(cell)
        ):
            problems.append(f"{where}: a directive-only cell ({source.strip()[:40]!r}) must be "
                            "tagged 'book-only'")
        if has_solution_region(source) and not meta.get("solution", False):
            problems.append(f"{where}: has '### {BEGIN_SOLUTION}' but is not a solution cell")
        if has_hidden_tests(source):
            if not is_test_cell(cell):
                problems.append(f"{where}: hidden tests outside an nbgrader test cell")
            if "remove-cell" not in _tags(cell):
                problems.append(f"{where}: a cell with hidden tests must be tagged 'remove-cell'")
            try:
                strip_hidden_tests(source)
            except ValueError as err:
                problems.append(f"{where}: {err}")
        if not meta:
            continue
        grade_id = meta.get("grade_id")
        where = f"cell {i} ({grade_id!r})"
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader schema_version must be 3, "
                            f"got {meta.get('schema_version')!r}")
        if not grade_id:
            problems.append(f"{where}: nbgrader cell without a grade_id")
        elif grade_id in seen:
            problems.append(f"{where}: grade_id {grade_id!r} already used by cell {seen[grade_id]}")
        else:
            seen[grade_id] = i
        if is_manual_answer(cell):
            if meta.get("locked", False) is not False:
                problems.append(f"{where}: a manually graded answer needs locked: false")
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"{where}: a manually graded answer needs points > 0, "
                                f"got {points!r}")
            if cell.cell_type != "markdown":
                problems.append(f"{where}: manually graded answers must be markdown cells")
            if has_solution_region(source):
                problems.append(f"{where}: a manually graded answer is replaced whole; "
                                "leave out the solution markers")
        elif meta.get("solution", False):
            if meta.get("grade", False) is not False or meta.get("locked", False) is not False:
                problems.append(f"{where}: a solution cell needs grade: false and locked: false")
            if cell.cell_type != "code":
                problems.append(f"{where}: solution cells must be code cells")
            try:
                stub_source(source)
            except ValueError as err:
                problems.append(f"{where}: {err}")
            if last_solution is not None:
                problems.append(f"cell {last_solution}: solution cell not followed by a test cell")
            last_solution = i
        elif meta.get("grade", False):
            if meta.get("locked") is not True:
                problems.append(f"{where}: a test cell needs locked: true")
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"{where}: a test cell needs points > 0, got {points!r}")
            if cell.cell_type != "code":
                problems.append(f"{where}: test cells must be code cells")
            last_solution = None
    if last_solution is not None:
        problems.append(f"cell {last_solution}: solution cell not followed by a test cell")
    return problems
