"""Every exercise check is proven to bite (SPEC §5), in every chapter notebook.

Each notebook runs top to bottom in one Jupyter kernel. At each nbgrader solution cell the
student stub runs first and every following test cell must fail with an AssertionError
saying "not implemented yet"; then the real solution runs and the test cells must pass.
Every other cell must run without error. New chapters are covered without edits here.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from lossviz import notebooks

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("*.ipynb"))
ALL = CHAPTERS + FIXTURES


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --------------------------------------------------------------------------------------
# stub_source mimics nbgrader's ClearSolutions exactly
# --------------------------------------------------------------------------------------

SOURCES = [
    "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION",
    "a = None\n### BEGIN SOLUTION\na = 3\n### END SOLUTION\nprint(a)",
    "def f(x):\n    if x:\n        ### BEGIN SOLUTION\n        y = 1\n        ### END SOLUTION\n"
    "    ### BEGIN SOLUTION\n    return y\n    ### END SOLUTION\n",
    "x = 1  # no solution region: the whole cell is replaced",
    "\tdef g():\n\t### BEGIN SOLUTION\n\tpass\n\t### END SOLUTION",
]


def _nbgrader_stub(source: str) -> str:
    from nbgrader.preprocessors import ClearSolutions

    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                 "grade_id": "x", "schema_version": 3}
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"language": "python", "name": "python3"}
    out, _ = ClearSolutions().preprocess(nb, {})
    return out.cells[0].source


@pytest.mark.parametrize("source", SOURCES)
def test_stub_source_equals_nbgraders_clear_solutions(source: str) -> None:
    assert notebooks.stub_source(source) == _nbgrader_stub(source)


def test_stub_source_rejects_unterminated_and_nested_regions() -> None:
    with pytest.raises(ValueError, match="no end solution"):
        notebooks.stub_source("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError, match="nested"):
        notebooks.stub_source("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION")


def test_strip_hidden_tests_removes_the_region_and_markers() -> None:
    src = "check(a)\n### BEGIN HIDDEN TESTS\nassert a == 1\n### END HIDDEN TESTS\nprint(1)"
    assert notebooks.strip_hidden_tests(src) == "check(a)\nprint(1)"


# --------------------------------------------------------------------------------------
# validate_exercise_metadata
# --------------------------------------------------------------------------------------


def _fixture() -> nbformat.NotebookNode:
    return notebooks.read_notebook(FIXTURES[0])


def test_fixture_has_function_value_and_hidden_test_exercises() -> None:
    found = notebooks.exercises(_fixture())
    assert [e.grade_id for e in found] == ["ex-demo-mse", "ex-demo-constant", "ex-demo-prf"]
    assert [len(e.test_indices) for e in found] == [1, 1, 2]
    assert [(m.grade_id, m.points) for m in notebooks.manual_answers(_fixture())] == [
        ("ex-demo-why", 2.0)]


def _manual(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if notebooks.is_manual_answer(c))


def test_a_manual_answer_is_neither_an_exercise_nor_a_test_cell() -> None:
    cell = _manual(_fixture())
    assert not notebooks.is_solution_cell(cell) and not notebooks.is_test_cell(cell)
    assert notebooks.stub_source(cell.source, cell_type="markdown") == notebooks.TEXT_STUB


def test_validate_flags_a_locked_manual_answer_without_points() -> None:
    problems = _problems_after(lambda nb: _manual(nb).metadata.nbgrader.update(locked=True,
                                                                              points=0))
    assert any("needs locked: false" in p for p in problems)
    assert any("needs points > 0" in p for p in problems)


def test_validate_flags_a_manual_answer_in_a_code_cell_or_with_markers() -> None:
    def to_code(nb: nbformat.NotebookNode) -> None:
        _manual(nb).cell_type = "code"

    def with_markers(nb: nbformat.NotebookNode) -> None:
        _manual(nb).source = "### BEGIN SOLUTION\nbecause\n### END SOLUTION"

    assert any("must be markdown" in p for p in _problems_after(to_code))
    assert any("leave out the solution markers" in p for p in _problems_after(with_markers))


def _problems_after(edit) -> list[str]:  # type: ignore[no-untyped-def]
    nb = copy.deepcopy(_fixture())
    edit(nb)
    return notebooks.validate_exercise_metadata(nb)


def _solution(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if notebooks.is_solution_cell(c))


def _test(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if notebooks.is_test_cell(c))


def test_validate_flags_wrong_schema_version() -> None:
    problems = _problems_after(lambda nb: _solution(nb).metadata.nbgrader.update(schema_version=2))
    assert any("schema_version" in p for p in problems)


def test_validate_flags_locked_solution_cell() -> None:
    problems = _problems_after(lambda nb: _solution(nb).metadata.nbgrader.update(locked=True))
    assert any("locked: false" in p for p in problems)


def test_validate_flags_test_cell_without_points() -> None:
    problems = _problems_after(lambda nb: _test(nb).metadata.nbgrader.update(points=0))
    assert any("points > 0" in p for p in problems)


def test_validate_flags_duplicate_grade_ids() -> None:
    problems = _problems_after(lambda nb: _test(nb).metadata.nbgrader.update(grade_id="ex-demo-mse"))
    assert any("already used" in p for p in problems)


def test_validate_flags_solution_without_test_cell() -> None:
    def drop_first_test(nb: nbformat.NotebookNode) -> None:
        nb.cells.remove(_test(nb))

    assert any("not followed by a test cell" in p for p in _problems_after(drop_first_test))


def test_validate_flags_hidden_tests_without_remove_cell_tag() -> None:
    def untag(nb: nbformat.NotebookNode) -> None:
        next(c for c in nb.cells if notebooks.has_hidden_tests(c.source)).metadata.tags = []

    assert any("remove-cell" in p for p in _problems_after(untag))


def test_validate_flags_untagged_directive_cell() -> None:
    def untag(nb: nbformat.NotebookNode) -> None:
        next(c for c in nb.cells if "{solution-end}" in c.source).metadata.tags = []

    assert any("book-only" in p for p in _problems_after(untag))


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_exercise_metadata_is_valid(path: Path) -> None:
    assert notebooks.validate_exercise_metadata(path) == []


# --------------------------------------------------------------------------------------
# The bite test: one kernel per notebook
# --------------------------------------------------------------------------------------


def _run(client, cell, index):  # type: ignore[no-untyped-def]
    """Execute one cell; return None on success or the CellExecutionError."""
    from nbclient.exceptions import CellExecutionError

    try:
        client.execute_cell(cell, index)
    except CellExecutionError as err:
        return err
    return None


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=_id)
def test_every_check_bites_stub_fails_and_solution_passes(path: Path) -> None:
    from nbclient import NotebookClient

    nb = notebooks.read_notebook(path)
    cwd = ROOT / "notebooks" if path.parent == ROOT / "notebooks" else path.parent
    client = NotebookClient(nb, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(cwd)}})
    test_cells = {i for ex in notebooks.exercises(nb) for i in ex.test_indices}
    exercises = {ex.solution_index: ex for ex in notebooks.exercises(nb)}
    assert exercises or path.parent != ROOT / "tests" / "fixtures", "fixture has no exercises"
    failures: list[str] = []
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or i in test_cells:
                continue
            if i in exercises:
                ex = exercises[i]
                stub = copy.deepcopy(cell)
                stub.source = notebooks.stub_source(cell.source)
                err = _run(client, stub, i)
                if err is not None and err.ename != "NotImplementedError":
                    failures.append(f"{ex.grade_id}: the stub cell raised {err.ename}: {err.evalue}")
                for t in ex.test_indices:
                    err = _run(client, copy.deepcopy(nb.cells[t]), t)
                    if err is None:
                        failures.append(f"{ex.grade_id}: test cell {t} PASSED against the stub")
                    elif err.ename != "AssertionError" or "not implemented yet" not in err.evalue:
                        failures.append(f"{ex.grade_id}: test cell {t} on the stub raised "
                                        f"{err.ename}: {err.evalue!r} (want 'not implemented yet')")
                err = _run(client, cell, i)
                if err is not None:
                    failures.append(f"{ex.grade_id}: the solution cell raised {err.ename}: "
                                    f"{err.evalue}")
                for t in ex.test_indices:
                    err = _run(client, nb.cells[t], t)
                    if err is not None:
                        failures.append(f"{ex.grade_id}: test cell {t} FAILED against the "
                                        f"solution: {err.ename}: {err.evalue}")
            else:
                err = _run(client, cell, i)
                if err is not None and "raises-exception" not in cell.metadata.get("tags", []):
                    failures.append(f"cell {i} raised {err.ename}: {err.evalue}")
    assert not failures, "\n".join(failures)
