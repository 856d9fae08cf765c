"""Student notebooks and autograding (SPEC §5, issue 3), for every chapter in notebooks/.

The slow tests share one nbgrader course directory, generated once for all chapters by
``lossviz.assign.generate``, and one autograde run that grades, for every chapter, the source
notebook submitted by student ``solution``, the untouched student notebook submitted by
student ``untouched`` and a file that is not a notebook submitted by student ``broken``.
New chapters are covered without edits here.
"""

from __future__ import annotations

import copy
import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from lossviz import assign, notebooks

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURE = ROOT / "tests" / "fixtures" / "exercise_demo.ipynb"
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
DIRECTIVES = ("{exercise-start}", "{exercise-end}", "{solution-start}", "{solution-end}")

by_chapter = pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)


def _solution_lines(nb: nbformat.NotebookNode) -> set[str]:
    """Lines (stripped, non-blank) that occur in the source only between the solution markers.

    A line that also occurs outside every solution region (``return np.array(thetas)`` in
    a demo, say) may legitimately appear in the student notebook, so it is not counted.
    """
    inside_lines: set[str] = set()
    outside_lines: set[str] = set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.split("\n"):
            if notebooks.BEGIN_SOLUTION in line:
                inside = True
            elif notebooks.END_SOLUTION in line:
                inside = False
            elif line.strip():
                (inside_lines if inside else outside_lines).add(line.strip())
    return inside_lines - outside_lines


# --------------------------------------------------------------------------------------
# Fast: the configuration, the chapter format, the submission layouts
# --------------------------------------------------------------------------------------


def _loaded_config() -> Config:
    namespace: dict[str, object] = {"get_config": Config}
    exec(compile(assign.nbgrader_config(), "nbgrader_config.py", "exec"), namespace)
    return namespace["c"]  # type: ignore[return-value]


def test_config_removes_book_only_cells_before_any_nbgrader_preprocessor() -> None:
    from nbconvert.preprocessors import TagRemovePreprocessor
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    c = _loaded_config()
    pre = c.GenerateAssignment.preprocessors
    assert pre[0] is TagRemovePreprocessor
    assert c.TagRemovePreprocessor.enabled is True
    assert c.TagRemovePreprocessor.remove_cell_tags == {"book-only"}
    # after it, exactly nbgrader's own default pipeline
    assert pre[1:] == list(GenerateAssignment.class_traits()["preprocessors"].default())
    assert pre.index(ClearSolutions) < pre.index(ClearHiddenTests)


@by_chapter
def test_every_exercise_has_grade_id_points_and_a_check(chapter: Path) -> None:
    nb = notebooks.read_notebook(chapter)
    found = notebooks.exercises(nb)
    assert found, f"{chapter.name} has no nbgrader exercises"
    for ex in found:
        assert ex.grade_id and not ex.grade_id.startswith("cell-"), "exercise without grade_id"
        assert ex.test_indices, f"{ex.grade_id}: no graded test cell"
        assert all(ex.test_grade_ids), f"{ex.grade_id}: a test cell without grade_id"
        assert ex.points > 0, f"{ex.grade_id}: no points"
        assert any("check_" in nb.cells[i].source for i in ex.test_indices), (
            f"{ex.grade_id}: no test cell calls a check_* function")


def test_chapter_names_numbers_and_paths_resolve() -> None:
    first = CHAPTERS[0]
    assert assign.chapter_paths([first.stem]) == [first]
    assert assign.chapter_paths([first.stem.split("_")[0]]) == [first]
    assert assign.chapter_paths([str(first)]) == [first]
    assert assign.chapter_paths() == CHAPTERS


def test_unknown_chapter_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(assign.AssignError, match=CHAPTERS[0].stem):
        assign.chapter_paths(["no_such_chapter"])


def test_submissions_in_nbgraders_layout_and_flat_layout(tmp_path: Path) -> None:
    name = CHAPTERS[0].stem
    nested = tmp_path / "nested" / "ada" / name
    nested.mkdir(parents=True)
    (nested / f"{name}.ipynb").write_text("{}")
    assert list(assign.collect_submissions(tmp_path / "nested")) == [("ada", name)]
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "Grace Hopper.ipynb").write_text("{}")
    assert list(assign.collect_submissions(flat, name)) == [("Grace_Hopper", name)]
    with pytest.raises(assign.AssignError, match="--chapter"):
        assign.collect_submissions(flat)


def test_empty_submissions_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(assign.AssignError, match="no submissions found"):
        assign.collect_submissions(tmp_path)


def test_cli_reports_errors_in_one_line_without_a_traceback(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert assign.main(["autograde", str(tmp_path / "missing"), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "does not exist" in err and "Traceback" not in err


# --------------------------------------------------------------------------------------
# Slow: one generated course directory, one autograde run
# --------------------------------------------------------------------------------------


@dataclass
class Course:
    generated: assign.GenerateResult
    graded: assign.AutogradeResult

    @property
    def dir(self) -> Path:
        return self.generated.course

    def student(self, chapter: Path) -> Path:
        return self.dir / "release" / chapter.stem / f"{chapter.stem}.ipynb"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    out = tmp_path_factory.mktemp("course")
    generated = assign.generate(out=out)
    subs = tmp_path_factory.mktemp("submissions")
    for chapter in CHAPTERS:
        for student, nb in (("solution", chapter),
                            ("untouched", out / "release" / chapter.stem / chapter.name)):
            (subs / student / chapter.stem).mkdir(parents=True)
            shutil.copy2(nb, subs / student / chapter.stem / chapter.name)
        (subs / "broken" / chapter.stem).mkdir(parents=True)
        (subs / "broken" / chapter.stem / chapter.name).write_text("not a notebook")
    graded = assign.autograde(subs, out=out)
    return Course(generated, graded)


@pytest.mark.slow
@by_chapter
def test_source_notebook_passes_nbgrader_validate(chapter: Path) -> None:
    from nbgrader.validator import Validator

    assert Validator().validate(str(chapter)) == {}


@pytest.mark.slow
@by_chapter
def test_student_notebook_fails_every_graded_test(course: Course, chapter: Path) -> None:
    """``nbgrader validate --invert``: no graded test passes on the untouched notebook.

    A test cell that held only hidden tests is empty in the student notebook and passes
    trivially there; the autograder restores its hidden tests (see the round trip).
    """
    from nbgrader.validator import Validator

    results = Validator(invert=True).validate(str(course.student(chapter)))
    assert set(results) <= {"passed"}, results
    passed = [cell["source"] for cell in results.get("passed", []) if cell["source"].strip()]
    assert passed == [], f"graded tests that pass on the stubs: {passed}"


@pytest.mark.slow
@by_chapter
def test_student_notebook_errors_only_where_an_answer_is_awaited(
        course: Course, chapter: Path, tmp_path: Path) -> None:
    from nbclient import NotebookClient

    work = tmp_path / chapter.stem
    shutil.copytree(course.student(chapter).parent, work)
    nb = notebooks.read_notebook(work / chapter.name)
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(work)}}).execute()
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if notebooks.is_test_cell(cell) and cell.source.strip():
            if not errors:
                problems.append(f"cell {i}: graded test passed on the stubs")
            elif "not implemented yet" not in errors[0].evalue:
                problems.append(f"cell {i}: graded test says {errors[0].evalue!r}, "
                                "expected 'not implemented yet'")
        elif notebooks.is_solution_cell(cell):
            if errors and errors[0].ename != "NotImplementedError":
                problems.append(f"cell {i}: stub raised {errors[0].ename}: {errors[0].evalue}")
        elif errors and "raises-exception" not in cell.metadata.get("tags", []):
            first = cell.source.strip().split("\n")[0]
            problems.append(f"cell {i} ({first!r}), not an exercise, raised {errors[0].ename}: "
                            f"{errors[0].evalue}")
    assert not problems, (
        "cells outside the exercises fail in the student notebook; they must not use a "
        "learner's answer (use lossviz's own function there):\n" + "\n".join(problems))


def _grades(course: Course, chapter: Path) -> dict[str, dict[str, str]]:
    with course.graded.csv.open(newline="", encoding="utf-8") as fh:
        return {row["student"]: row for row in csv.DictReader(fh)
                if row["assignment"] == chapter.stem}


@pytest.mark.slow
@by_chapter
def test_round_trip_source_gets_full_marks_and_stub_gets_zero(course: Course,
                                                             chapter: Path) -> None:
    """Full autograded marks for the source; written answers wait for a person (SPEC §5)."""
    points = sum(ex.points for ex in notebooks.exercises(chapter))
    manual = notebooks.manual_answers(chapter)
    total = points + sum(m.points for m in manual)
    gradebook = {g.student: g for g in course.graded.grades if g.assignment == chapter.stem}
    assert (gradebook["solution"].score, gradebook["solution"].max_score) == (points, total)
    assert gradebook["solution"].needs_manual_grade == [m.grade_id for m in manual]
    assert (gradebook["untouched"].score, gradebook["untouched"].max_score) == (0, total)
    assert gradebook["untouched"].needs_manual_grade == []
    rows = _grades(course, chapter)
    assert float(rows["solution"]["score"]) == points
    assert float(rows["solution"]["max_score"]) == total
    assert rows["solution"]["needs_manual_grade"].split() == [m.grade_id for m in manual]
    assert float(rows["untouched"]["score"]) == 0


@pytest.mark.slow
@by_chapter
def test_an_unreadable_submission_is_reported_and_left_out_of_the_grades(
        course: Course, chapter: Path) -> None:
    assert f"broken/{chapter.stem}" in course.graded.failed
    assert "broken" not in _grades(course, chapter)
    assert (course.dir / f"autograde-{chapter.stem}.log").is_file()


@pytest.mark.slow
@by_chapter
def test_feedback_html_for_each_student(course: Course, chapter: Path) -> None:
    for student in ("solution", "untouched"):
        html = course.dir / "feedback" / student / chapter.stem / f"{chapter.stem}.html"
        assert html.is_file() and "Score" in html.read_text(encoding="utf-8")


@pytest.mark.slow
@by_chapter
def test_no_solution_line_or_marker_in_student_notebooks(course: Course, chapter: Path) -> None:
    solution = _solution_lines(notebooks.read_notebook(chapter))
    assert solution, f"{chapter.name}: no solution lines found"
    branch = course.dir / "student" / "notebooks" / chapter.name
    for path in (course.student(chapter), branch):
        text = path.read_text(encoding="utf-8")
        assert not [m for m in MARKERS if m in text], f"{path}: nbgrader marker left"
        nb = notebooks.read_notebook(path)
        lines = {line.strip() for c in nb.cells for line in c.source.split("\n")}
        assert solution.isdisjoint(lines), f"{path}: solution lines {solution & lines}"


@pytest.mark.slow
@by_chapter
def test_book_only_cells_are_gone_and_exercises_remain(course: Course, chapter: Path) -> None:
    source = notebooks.read_notebook(chapter)
    student = notebooks.read_notebook(course.student(chapter))
    for cell in student.cells:
        assert "book-only" not in cell.metadata.get("tags", [])
        assert not any(d in cell.source for d in DIRECTIVES), cell.source
    ids = [c.metadata.nbgrader["grade_id"] for c in student.cells if "nbgrader" in c.metadata]
    assert ids == [c.metadata.nbgrader["grade_id"] for c in source.cells
                   if "nbgrader" in c.metadata]
    for ex in notebooks.exercises(student):
        assert "raise NotImplementedError()" in student.cells[ex.solution_index].source


@pytest.mark.slow
def test_student_branch_is_self_contained(course: Course) -> None:
    branch = course.dir / "student"
    assert sorted(p.name for p in (branch / "notebooks").glob("*.ipynb")) == [
        p.name for p in CHAPTERS]
    assert "-e ." in (branch / "requirements.txt").read_text().splitlines()
    assert (branch / "pyproject.toml").is_file() and (branch / "README.md").is_file()
    assert (branch / "lossviz" / "exercises" / "_check.py").is_file()


@pytest.mark.slow
def test_hidden_tests_are_removed_and_restored_by_the_autograder(tmp_path: Path) -> None:
    """The fixture's hidden-tests cell: empty for the student, graded from the gradebook;
    its written answer: emptied for the student, left for a person once written."""
    out = tmp_path / "course"
    nb = notebooks.read_notebook(FIXTURE)
    chapter = tmp_path / "notebooks" / "99_hidden.ipynb"
    chapter.parent.mkdir()
    nbformat.write(nb, chapter)
    generated = assign.generate([chapter], out)
    student = notebooks.read_notebook(generated.release[0])
    hidden = [c for c in student.cells if "remove-cell" in c.metadata.get("tags", [])]
    assert hidden and all(not c.source.strip() for c in hidden)
    # the untouched notebook with its hidden test cell given a correct-looking answer
    # still scores zero there: the autograder puts the hidden tests back.
    cheat = copy.deepcopy(student)
    for c in cheat.cells:
        if "remove-cell" in c.metadata.get("tags", []):
            c.source = "pass"
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(cheat, subs / "mallory.ipynb")
    # a second student writes the written answer (and nothing else)
    (written,) = [c for c in student.cells if notebooks.is_manual_answer(c)]
    assert written.source == notebooks.TEXT_STUB
    writer = copy.deepcopy(student)
    next(c for c in writer.cells if notebooks.is_manual_answer(c)).source = "Ranks, not sizes."
    nbformat.write(writer, subs / "ada.ipynb")
    # the chapter is not in notebooks/: autograde finds it in the course directory
    graded = assign.autograde(subs, chapter.stem, out)
    grades = {g.student: g for g in graded.grades}
    assert grades["mallory"].cells["ex-demo-prf-hidden"] == 0
    assert grades["mallory"].score == 0
    assert grades["mallory"].needs_manual_grade == []          # untouched: scored 0
    assert grades["ada"].needs_manual_grade == ["ex-demo-why"]  # written: left for a person
    assert grades["ada"].max_score == 4 + 2  # four graded test cells + the written answer
