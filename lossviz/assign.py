"""Student notebooks and autograding with nbgrader (SPEC §5): ``python -m lossviz.assign``.

Two commands, both run from the repository root::

    python -m lossviz.assign generate [CHAPTER ...] [--out DIR]
    python -m lossviz.assign autograde SUBMISSIONS [--chapter CHAPTER] [--out DIR]

``generate`` sets up an nbgrader course directory in ``DIR`` (default ``instructor/``,
git-ignored), copies each chapter notebook to ``source/<chapter>/<chapter>.ipynb`` and runs
nbgrader's own ``generate_assignment``. Its preprocessors, configured in the
``nbgrader_config.py`` this module writes, start with nbconvert's ``TagRemovePreprocessor``
(removing the ``book-only`` directive cells), then nbgrader's defaults: solutions become
``raise NotImplementedError()`` and hidden tests disappear. The student notebooks land in
``release/<chapter>/`` and, laid out as the ``student`` branch, in ``student/``.

``autograde`` copies a folder of submissions into the course directory's ``submitted/``
folder, runs ``nbgrader autograde`` and ``nbgrader generate_feedback`` (a local SQLite
gradebook, ``gradebook.db``; no server) and writes ``grades.csv``. Submissions are laid out
as nbgrader's ``submitted/`` folder, ``SUBMISSIONS/<student>/<chapter>/<chapter>.ipynb``, or
as a flat folder of ``<student>.ipynb`` files for one ``--chapter``.

nbgrader runs as ``python -m nbgrader`` subprocesses of the current interpreter, quietly:
its log is shown only when a step fails (or with ``--verbose``).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BOOK_ONLY_TAG",
    "COURSE_ID",
    "DEFAULT_OUT",
    "AssignError",
    "AutogradeResult",
    "GenerateResult",
    "Grade",
    "autograde",
    "chapter_paths",
    "collect_submissions",
    "generate",
    "main",
    "nbgrader_config",
    "read_grades",
    "run_nbgrader",
]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "instructor"
COURSE_ID = "loss-functions-interactively"
BOOK_ONLY_TAG = "book-only"
STUDENT_BRANCH = "student"

# nbgrader's default GenerateAssignment preprocessors (nbgrader 0.9), with nbconvert's
# TagRemovePreprocessor in front so that the sphinx-exercise directive cells are gone before
# nbgrader looks at the notebook.
_GENERATE_PREPROCESSORS = (
    "nbconvert.preprocessors.TagRemovePreprocessor",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",  # after SaveCells: the gradebook keeps them
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",  # again, after the hidden tests are gone
    "nbgrader.preprocessors.CheckCellMetadata",
)

# What a learner needs on the student branch (pins are taken from requirements.txt).
_STUDENT_REQUIREMENTS = ("numpy", "scipy", "scikit-learn", "matplotlib", "jupyterlab",
                         "ipywidgets", "ipykernel")


class AssignError(RuntimeError):
    """A step of generating or grading failed; the message says which and why."""


# --------------------------------------------------------------------------------------
# Chapters and the course directory
# --------------------------------------------------------------------------------------


def chapter_paths(names: Sequence[str] = (), notebooks: Path | None = None) -> list[Path]:
    """The chapter notebooks named by ``names`` (all of ``notebooks/*.ipynb`` when empty).

    A name is a notebook stem (``00_foundations``), its number (``00``) or a path.
    """
    notebooks = NOTEBOOKS if notebooks is None else notebooks
    available = sorted(notebooks.glob("*.ipynb"))
    if not names:
        if not available:
            raise AssignError(f"no chapter notebooks (*.ipynb) in {notebooks}")
        return available
    chosen: list[Path] = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            chosen.append(path.resolve())
            continue
        matches = [p for p in available if p.stem == name or p.stem.split("_")[0] == name]
        if len(matches) != 1:
            known = ", ".join(p.stem for p in available) or "none"
            raise AssignError(f"unknown chapter {name!r}: expected one of {known} "
                              "(a notebook name, its number, or a path to an .ipynb file)")
        chosen.append(matches[0])
    return list(dict.fromkeys(chosen))


def nbgrader_config() -> str:
    """The text of the course directory's ``nbgrader_config.py``."""
    pre = ",\n    ".join(f'import_item("{p}")' for p in _GENERATE_PREPROCESSORS)
    return f'''# nbgrader configuration written by `python -m lossviz.assign` (do not edit: it is
# rewritten on every run). See the instructor guide, book/instructors.md.
from traitlets.utils.importstring import import_item

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "{COURSE_ID}"

# Remove the sphinx-exercise directive cells (tagged "{BOOK_ONLY_TAG}") FIRST, then run
# nbgrader's own preprocessors in their default order.
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {{"{BOOK_ONLY_TAG}"}}
c.GenerateAssignment.preprocessors = [
    {pre},
]

# Chapters draw figures: run them headless, and give slow cells time.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
'''


def _bin_dir() -> str:
    return str(Path(sys.executable).parent)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # nbgrader's gradebook calls the `alembic` script: it must be found next to this Python.
    env["PATH"] = _bin_dir() + os.pathsep + env.get("PATH", "")
    env["MPLBACKEND"] = "Agg"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


@contextmanager
def _alembic_on_path() -> Iterator[None]:
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = _bin_dir() + os.pathsep + old
    try:
        yield
    finally:
        os.environ["PATH"] = old


def run_nbgrader(course: Path, *args: str, verbose: bool = False) -> str:
    """Run ``python -m nbgrader ARGS`` in the course directory; return its log.

    Raises :class:`AssignError` with the log when nbgrader exits with an error.
    """
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}",
           "--log-level=" + ("INFO" if verbose else "WARN")]
    proc = subprocess.run(cmd, cwd=course, env=_env(), text=True,
                          stdout=None if verbose else subprocess.PIPE,
                          stderr=None if verbose else subprocess.STDOUT, check=False)
    log = proc.stdout or ""
    if proc.returncode != 0:
        raise AssignError(f"`nbgrader {' '.join(args)}` failed (exit code {proc.returncode}) "
                          f"in {course}:\n{log.strip()}")
    return log


def _prepare_course(course: Path) -> None:
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(nbgrader_config(), encoding="utf-8")


# --------------------------------------------------------------------------------------
# generate
# --------------------------------------------------------------------------------------


@dataclass
class GenerateResult:
    """Where ``generate`` put things."""

    course: Path
    assignments: list[str]
    release: list[Path]  # release/<chapter>/<chapter>.ipynb (nbgrader's output)
    student: list[Path]  # student/notebooks/<chapter>.ipynb (the student branch)
    seconds: float = 0.0


def generate(chapters: Sequence[str | Path] = (), out: str | Path = DEFAULT_OUT,
             *, verbose: bool = False) -> GenerateResult:
    """Generate the student notebooks of ``chapters`` (all when empty) into course dir ``out``."""
    start = time.perf_counter()
    paths = chapter_paths([str(c) for c in chapters])
    course = Path(out).resolve()
    _prepare_course(course)
    names = [p.stem for p in paths]
    for path in paths:
        source = course / "source" / path.stem
        if source.exists():
            shutil.rmtree(source)
        source.mkdir(parents=True)
        shutil.copy2(path, source / path.name)
    every = {p.name for p in (course / "source").iterdir() if p.is_dir()}
    # One nbgrader process for all chapters when that is what is asked (saves start-up time).
    targets = ["*"] if set(names) == every and len(names) > 1 else names
    for target in targets:
        run_nbgrader(course, "generate_assignment", target, "--force", "--create",
                     verbose=verbose)
    release = [course / "release" / n / f"{n}.ipynb" for n in names]
    missing = [str(p) for p in release if not p.is_file()]
    if missing:
        raise AssignError("nbgrader did not write " + ", ".join(missing))
    student = _write_student_branch(course, release)
    return GenerateResult(course, names, release, student, time.perf_counter() - start)


def _student_requirements() -> str:
    pins: dict[str, str] = {}
    main = ROOT / "requirements.txt"
    if main.is_file():
        for line in main.read_text(encoding="utf-8").splitlines():
            spec = line.split("#")[0].strip()
            name = re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].lower()
            if name in _STUDENT_REQUIREMENTS:
                pins[name] = spec
    lines = [pins.get(n, n) for n in _STUDENT_REQUIREMENTS]
    return ("# The student branch of 'Loss Functions, Interactively' (generated by\n"
            "# `python -m lossviz.assign generate`). The course's helper package, then what it\n"
            "# needs to run the chapters.\n-e .\n" + "\n".join(lines) + "\n")


_STUDENT_README = """# Loss Functions, Interactively — student notebooks

The chapters of the course with the exercise solutions removed. Open a notebook in
`notebooks/`, run it from the top, and replace each `raise NotImplementedError()` with your
answer; the check cell below each exercise says at once whether it is right.

    python3 -m pip install -r requirements.txt
    jupyter lab notebooks/

This branch is generated from the course's main branch by `python -m lossviz.assign generate`;
do not edit it by hand.
"""


def _write_student_branch(course: Path, release: Sequence[Path]) -> list[Path]:
    """``student/``: the student notebooks, lossviz, requirements and a README."""
    branch = course / STUDENT_BRANCH
    (branch / "notebooks").mkdir(parents=True, exist_ok=True)
    written = []
    for nb in release:
        target = branch / "notebooks" / nb.name
        shutil.copy2(nb, target)
        written.append(target)
    package = branch / "lossviz"
    if package.exists():
        shutil.rmtree(package)
    shutil.copytree(ROOT / "lossviz", package,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "pyproject.toml", branch / "pyproject.toml")
    (branch / "requirements.txt").write_text(_student_requirements(), encoding="utf-8")
    (branch / "README.md").write_text(_STUDENT_README, encoding="utf-8")
    (branch / ".gitignore").write_text(".ipynb_checkpoints/\n__pycache__/\n*.egg-info/\n",
                                       encoding="utf-8")
    return written


# --------------------------------------------------------------------------------------
# autograde
# --------------------------------------------------------------------------------------

_ID = re.compile(r"[^A-Za-z0-9_.@-]+")


def _student_id(name: str) -> str:
    sid = _ID.sub("_", name).strip("._")
    if not sid:
        raise AssignError(f"cannot make a student id from {name!r}")
    return sid


def _generated(course: Path | None) -> set[str]:
    """The assignments already in the course directory (``source/<assignment>/``)."""
    source = None if course is None else course / "source"
    return {p.name for p in source.iterdir() if p.is_dir()} if source and source.is_dir() else set()


def _assignment_name(chapter: str, course: Path | None = None) -> str:
    """A chapter's assignment name: generated in ``course`` already, or in notebooks/."""
    if chapter in _generated(course):
        return chapter
    return chapter_paths([chapter])[0].stem


def collect_submissions(submissions: str | Path, chapter: str | None = None,
                        course: Path | None = None) -> dict[tuple[str, str], list[Path]]:
    """Map (student, assignment) to the submitted notebooks (and files) to grade.

    Layouts: ``SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb`` (nbgrader's
    ``submitted/``), or ``SUBMISSIONS/<student>.ipynb`` for the one chapter ``chapter``.
    With ``chapter`` given, only that assignment is collected from the nested layout.
    A chapter already generated in ``course`` needs no chapter notebook in notebooks/.
    """
    root = Path(submissions)
    if not root.is_dir():
        raise AssignError(f"submissions folder {root} does not exist")
    found: dict[tuple[str, str], list[Path]] = {}
    flat = sorted(root.glob("*.ipynb"))
    if flat:
        if chapter is None:
            raise AssignError(f"{root} holds notebooks directly (<student>.ipynb): say which "
                              "chapter they are with --chapter, e.g. --chapter 00_foundations")
        name = _assignment_name(chapter, course)
        for nb in flat:
            found[(_student_id(nb.stem), name)] = [nb]
    for student in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for assignment in sorted(p for p in student.iterdir() if p.is_dir()):
            if chapter is not None and assignment.name != _assignment_name(chapter, course):
                continue
            files = [p for p in assignment.iterdir()
                     if not p.name.startswith(".") and p.name != ".ipynb_checkpoints"]
            if any(p.suffix == ".ipynb" for p in files):
                found[(_student_id(student.name), assignment.name)] = files
    if not found:
        raise AssignError(f"no submissions found in {root}: expected "
                          "<student>/<assignment>/<notebook>.ipynb, or <student>.ipynb files "
                          "with --chapter")
    return found


def _stage_submissions(course: Path, found: dict[tuple[str, str], list[Path]],
                       submissions: Path) -> None:
    """Copy the submissions into the course's ``submitted/`` folder, as nbgrader expects.

    ``submitted/*/<assignment>`` is a copy of the folder being graded: other students'
    copies of the same assignment are removed so that only this batch is graded. A
    chapter's one notebook is renamed to the released name if the student renamed it.
    """
    staged = course / "submitted"
    if submissions.resolve() == staged:
        return  # already in place (e.g. after `nbgrader collect`)
    for assignment in {a for _, a in found}:
        for old in staged.glob(f"*/{assignment}"):
            shutil.rmtree(old)
    for (student, assignment), files in found.items():
        target = staged / student / assignment
        target.mkdir(parents=True)
        notebooks = [f for f in files if f.suffix == ".ipynb"]
        for f in files:
            if f.is_dir():
                shutil.copytree(f, target / f.name)
            elif len(notebooks) == 1 and f in notebooks:
                shutil.copy2(f, target / f"{assignment}.ipynb")
            else:
                shutil.copy2(f, target / f.name)


@dataclass
class Grade:
    """One student's result on one assignment, read from the gradebook."""

    student: str
    assignment: str
    score: float
    max_score: float
    cells: dict[str, float] = field(default_factory=dict)  # grade_id → points scored
    #: grade_ids of written answers still waiting for a person (nbgrader formgrader);
    #: until then they count 0 in ``score``.
    needs_manual_grade: list[str] = field(default_factory=list)


@dataclass
class AutogradeResult:
    """What ``autograde`` wrote."""

    course: Path
    grades: list[Grade]
    csv: Path
    feedback: list[Path]  # feedback/<student>/<assignment>/<notebook>.html
    failed: list[str]  # "<student>/<assignment>" that nbgrader could not grade
    seconds: float = 0.0


def read_grades(course: str | Path, assignments: Sequence[str] | None = None) -> list[Grade]:
    """Every autograded submission in the course directory's gradebook."""
    from nbgrader.api import Gradebook

    course = Path(course).resolve()
    db = course / "gradebook.db"
    if not db.is_file():
        raise AssignError(f"no gradebook in {course}: run `python -m lossviz.assign generate`")
    grades: list[Grade] = []
    with _alembic_on_path(), Gradebook(f"sqlite:///{db}", COURSE_ID) as gb:
        for assignment in gb.assignments:
            if assignments is not None and assignment.name not in assignments:
                continue
            for sub in assignment.submissions:
                cells = {g.name: float(g.score) for nb in sub.notebooks for g in nb.grades}
                manual = [g.name for nb in sub.notebooks for g in nb.grades
                          if g.needs_manual_grade]
                grades.append(Grade(sub.student.id, assignment.name, float(sub.score),
                                    float(sub.max_score), cells, manual))
    return sorted(grades, key=lambda g: (g.assignment, g.student))


def _write_csv(path: Path, grades: Sequence[Grade]) -> None:
    cells = list(dict.fromkeys(name for g in grades for name in g.cells))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "score", "max_score",
                         "needs_manual_grade", *cells])
        for g in grades:
            writer.writerow([g.student, g.assignment, f"{g.score:g}", f"{g.max_score:g}",
                             " ".join(g.needs_manual_grade),
                             *(f"{g.cells[c]:g}" if c in g.cells else "" for c in cells)])


def autograde(submissions: str | Path, chapter: str | None = None,
              out: str | Path = DEFAULT_OUT, *, verbose: bool = False) -> AutogradeResult:
    """Autograde a folder of submissions; write ``grades.csv`` and feedback HTML into ``out``."""
    start = time.perf_counter()
    course = Path(out).resolve()
    found = collect_submissions(submissions, chapter, course)
    assignments = sorted({a for _, a in found})
    known = {p.stem for p in sorted(NOTEBOOKS.glob("*.ipynb"))} | _generated(course)
    unknown = [a for a in assignments if a not in known]
    if unknown:
        raise AssignError(f"submissions for unknown chapter(s) {', '.join(unknown)}; the "
                          f"chapters are {', '.join(sorted(known))}")
    # The gradebook must know the assignment (its tests, points and hidden tests).
    needed = [a for a in assignments
              if not (course / "release" / a / f"{a}.ipynb").is_file()
              or not (course / "gradebook.db").is_file()]
    if needed:
        generate(needed, course, verbose=verbose)
    else:
        _prepare_course(course)
    _stage_submissions(course, found, Path(submissions))
    failed: list[str] = []
    for assignment in assignments:
        students = sorted(s for s, a in found if a == assignment)
        log = course / f"autograde-{assignment}.log"
        try:
            log.write_text(run_nbgrader(course, "autograde", assignment, "--force", "--create",
                                        verbose=verbose), encoding="utf-8")
        except AssignError as err:  # some submissions failed; the others are graded
            log.write_text(str(err) + "\n", encoding="utf-8")
        graded = {g.student for g in read_grades(course, [assignment])}
        failed += [f"{s}/{assignment}" for s in students
                   if s not in graded or not (course / "autograded" / s / assignment).is_dir()]
        run_nbgrader(course, "generate_feedback", assignment, "--force", verbose=verbose)
    # nbgrader records a submission before running it: leave out the ones it could not grade.
    graded_now = {(s, a) for s, a in found} - {tuple(f.split("/")) for f in failed}
    grades = [g for g in read_grades(course, assignments) if (g.student, g.assignment) in graded_now]
    csv_path = course / "grades.csv"
    _write_csv(csv_path, grades)
    feedback = sorted(p for s, a in found for p in (course / "feedback" / s / a).glob("*.html"))
    return AutogradeResult(course, grades, csv_path, feedback, failed,
                           time.perf_counter() - start)


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lossviz.assign",
        description="Student notebooks and autograding with nbgrader (see the instructor "
                    "guide, book/instructors.md).")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="make the student notebooks (solutions removed)")
    gen.add_argument("chapters", nargs="*", metavar="CHAPTER",
                     help="chapter names (00_foundations), numbers (00) or paths; default: all")
    grade = sub.add_parser("autograde", help="grade a folder of submissions")
    grade.add_argument("submissions", metavar="SUBMISSIONS_DIR",
                       help="<student>/<chapter>/<chapter>.ipynb, or <student>.ipynb files "
                            "with --chapter")
    grade.add_argument("--chapter", help="grade only this chapter (needed for a flat folder)")
    for p in (gen, grade):
        p.add_argument("--out", default=str(DEFAULT_OUT),
                       help="the nbgrader course directory (default: instructor/)")
        p.add_argument("--verbose", action="store_true", help="show nbgrader's log")
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            res = generate(args.chapters, args.out, verbose=args.verbose)
            print(f"generated {len(res.assignments)} student notebook(s) in {res.seconds:.1f} s")
            for nb in res.student:
                print(f"  {_rel(nb)}")
            print(f"nbgrader course directory: {_rel(res.course)} (release/, gradebook.db); "
                  f"publish {_rel(res.course / STUDENT_BRANCH)}/ as the '{STUDENT_BRANCH}' branch")
        else:
            res_g = autograde(args.submissions, args.chapter, args.out, verbose=args.verbose)
            print(f"graded {len(res_g.grades)} submission(s) in {res_g.seconds:.1f} s")
            for g in res_g.grades:
                manual = (f"  (+ written answers to grade by hand: {', '.join(g.needs_manual_grade)})"
                          if g.needs_manual_grade else "")
                print(f"  {g.student:<24} {g.assignment:<20} {g.score:g} / {g.max_score:g}"
                      + manual)
            print(f"grades:   {_rel(res_g.csv)}")
            print(f"feedback: {_rel(res_g.course / 'feedback')}/<student>/<chapter>/*.html "
                  f"({len(res_g.feedback)} file(s))")
            if res_g.failed:
                print("could not grade " + ", ".join(res_g.failed) + "; nbgrader's log is in "
                      + _rel(res_g.course) + "/autograde-<chapter>.log", file=sys.stderr)
                return 1
    except AssignError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
