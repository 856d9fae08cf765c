"""How long the instructor tooling takes: generate every student notebook, grade one class.

Run from the repository root::

    .venv/bin/python benchmarks/bench_assign.py                 # a class of 30, chapter 00
    .venv/bin/python benchmarks/bench_assign.py --students 10 --chapter 00_foundations

Two timings, each a fresh nbgrader course directory in a temporary folder:

generate   ``lossviz.assign.generate()`` for all chapters in notebooks/ (nbgrader
           ``generate_assignment`` and the student-branch layout);
autograde  ``lossviz.assign.autograde()`` on a class of simulated submissions of one chapter
           (nbgrader ``autograde``, ``generate_feedback`` and grades.csv): a third submit the
           source notebook (full marks), a third the untouched student notebook (zero), a
           third the student notebook with the first k exercises solved (k = 1, 2, ...),
           built by copying the source's solution cells into the student notebook.

Each submission's score is checked against what it should get. Results are printed as a
table and written as JSON to benchmarks/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from lossviz import assign, notebooks

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _solved(student: nbformat.NotebookNode, source: nbformat.NotebookNode,
            k: int) -> tuple[nbformat.NotebookNode, float]:
    """The student notebook with its first ``k`` exercises answered; and the score it earns."""
    answers = {ex.grade_id: source.cells[ex.solution_index].source
               for ex in notebooks.exercises(source)}
    nb = copy.deepcopy(student)
    points = 0.0
    for ex in notebooks.exercises(nb)[:k]:
        nb.cells[ex.solution_index].source = answers[ex.grade_id]
        points += ex.points
    return nb, points


def build_class(chapter: Path, student_nb: Path, folder: Path, n: int) -> dict[str, float]:
    """Write ``n`` submissions in nbgrader's layout; return the score each should get."""
    source = notebooks.read_notebook(chapter)
    student = notebooks.read_notebook(student_nb)
    n_ex = len(notebooks.exercises(source))
    total = sum(ex.points for ex in notebooks.exercises(source))
    expected: dict[str, float] = {}
    for i in range(n):
        sid = f"student{i:02d}"
        kind = i % 3
        if kind == 0:
            nb, score = source, total
        elif kind == 1:
            nb, score = student, 0.0
        else:
            nb, score = _solved(student, source, 1 + (i // 3) % max(n_ex - 1, 1))
        target = folder / sid / chapter.stem
        target.mkdir(parents=True)
        nbformat.write(nb, target / chapter.name)
        expected[sid] = score
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--chapter", default="00_foundations")
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    chapter = assign.chapter_paths([args.chapter])[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-assign-") as tmp:
        tmp_path = Path(tmp)
        gen = assign.generate(out=tmp_path / "all")
        rows.append(("generate (all chapters)", len(gen.assignments), gen.seconds))

        course = tmp_path / "class"
        one = assign.generate([chapter], course)
        subs = tmp_path / "submissions"
        expected = build_class(chapter, one.release[0], subs, args.students)
        graded = assign.autograde(subs, chapter.stem, course)
        rows.append((f"autograde {chapter.stem} (+ feedback, csv)", len(graded.grades),
                     graded.seconds))
        got = {g.student: g.score for g in graded.grades}
        wrong = {s: (got.get(s), e) for s, e in expected.items() if got.get(s) != e}

    print(f"{'step':<44} {'notebooks':>9} {'total s':>9} {'s / notebook':>13}")
    for name, n, seconds in rows:
        print(f"{name:<44} {n:>9} {seconds:>9.1f} {seconds / max(n, 1):>13.2f}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}")
    if wrong:
        print(f"WRONG SCORES (student: got, expected): {wrong}", file=sys.stderr)
    if not args.no_json:
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS_DIR / f"assign-{stamp}.json"
        out.write_text(json.dumps({
            "when": stamp, "cpus": os.cpu_count(), "python": platform.python_version(),
            "rows": [{"step": s, "notebooks": n, "seconds": round(t, 3)} for s, n, t in rows],
            "wrong_scores": wrong,
        }, indent=2))
        print(f"written {out}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
