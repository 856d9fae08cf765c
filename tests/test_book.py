"""The book: a strict, offline Jupyter Book build, and what its HTML must contain.

The build test runs ``jupyter-book build . -W -n --keep-going --all`` (the strict build of
SPEC §6; ``--all`` re-reads every page so that warnings cannot hide behind Sphinx's
incremental build, while executed notebooks still come from the jupyter cache) and then
reads the HTML: math served locally, one atlas section with a plot per registered loss,
every registered loss in the API reference, solutions in dropdowns, no nbgrader markers,
a bibliography with entries.

The marker-stripping helper of the book's Sphinx extension is tested on its own (fast).
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
NBGRADER_MARKERS = (
    "### BEGIN SOLUTION",
    "### END SOLUTION",
    "### BEGIN HIDDEN TESTS",
    "### END HIDDEN TESTS",
)
# Sphinx reports problems as "path:line: WARNING: message" / "ERROR: ...". (A kernel's own
# "[IPKernelApp] WARNING | ..." log line while a notebook executes is not a build warning.)
BUILD_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|SEVERE):")


# --------------------------------------------------------------------------------------
# Fast: the nbgrader marker stripping used by the book extension
# --------------------------------------------------------------------------------------


def _extension(module: str):
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        return importlib.import_module(f"lossbook.{module}")
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))


def _strip_markers():
    return _extension("nbgrader").strip_markers


def test_strip_markers_keeps_the_solution_and_drops_the_marker_lines():
    source = "def mse(y, y_hat):\n    ### BEGIN SOLUTION\n    return 1.0\n    ### END SOLUTION\n"
    assert _strip_markers()(source) == "def mse(y, y_hat):\n    return 1.0"


def test_strip_markers_drops_hidden_tests_with_their_markers():
    source = "check(f)\n### BEGIN HIDDEN TESTS\nassert secret(f)\n### END HIDDEN TESTS"
    assert _strip_markers()(source) == "check(f)"


def test_strip_markers_leaves_ordinary_comments_alone():
    source = "### a heading comment\nx = 1  # BEGIN SOLUTION is only a marker on its own line"
    assert _strip_markers()(source) == source


def test_absolute_value_bars_in_docstrings_are_escaped_outside_code():
    escape = _extension("docstrings").escape_substitutions
    assert escape(["stops once |θ − θ*| exceeds ``clip``"]) == [
        "stops once \\|θ − θ*\\| exceeds ``clip``"
    ]
    assert escape([":math:`|x|` and ``|y|``"]) == [":math:`|x|` and ``|y|``"]
    assert escape(["x (int | None): a value"]) == ["x (int | None): a value"]
    assert escape([".. math::", "   |x|"]) == [".. math::", "   |x|"]


def test_a_docstring_line_that_starts_with_an_absolute_value_is_escaped_too():
    escape = _extension("docstrings").escape_substitutions
    assert escape(["|r| = c, where ψ peaks"]) == ["\\|r\\| = c, where ψ peaks"]
    # a line block or a table row is not prose
    assert escape(["| a line block"]) == ["| a line block"]


# --------------------------------------------------------------------------------------
# Slow: the strict build and its HTML
# --------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collects start tags as (tag, attrs) from one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags(page: Path) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


def _pages() -> list[Path]:
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)


def _chapter_pages() -> list[Path]:
    return sorted((HTML / "notebooks").glob("*.html"))


def _registered():
    losses = importlib.import_module("lossviz.losses")
    return [losses.get(name) for name in losses.names()]


@pytest.fixture(scope="module")
def build(built_book) -> subprocess.CompletedProcess[str]:
    """The strict build, done once per run by conftest's ``built_book`` (shared with the
    browser tests)."""
    return built_book


@pytest.mark.book
@pytest.mark.slow
def test_strict_build_passes_with_no_warnings(build):
    output = build.stdout + build.stderr
    problems = [line for line in output.splitlines() if BUILD_PROBLEM.search(line)]
    assert build.returncode == 0, "\n".join(problems) or output[-4000:]
    assert problems == []


@pytest.mark.book
@pytest.mark.slow
def test_chapter_pages_render_math_served_from_the_build(build):
    chapter = HTML / "notebooks" / "00_foundations.html"
    assert chapter.is_file()
    html = chapter.read_text(encoding="utf-8")
    assert 'class="math notranslate nohighlight"' in html
    scripts = [attrs["src"] for tag, attrs in _tags(chapter) if tag == "script" and "src" in attrs]
    assert any(re.search(r"_static/mathjax/tex-chtml\.js", src) for src in scripts), scripts
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert any((HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))


@pytest.mark.book
@pytest.mark.slow
def test_no_page_loads_scripts_or_stylesheets_from_the_network(build):
    remote = []
    for page in _pages():
        for tag, attrs in _tags(page):
            if tag == "script" and attrs.get("src", "").startswith(("http:", "https:", "//")):
                remote.append((page.name, attrs["src"]))
            if (
                tag == "link"
                and "stylesheet" in attrs.get("rel", "")
                and attrs.get("href", "").startswith(("http:", "https:", "//"))
            ):
                remote.append((page.name, attrs["href"]))
    assert remote == []


@pytest.mark.book
@pytest.mark.slow
def test_loss_atlas_has_a_section_with_a_plot_for_every_registered_loss(build):
    html = (HTML / "book" / "loss-atlas.html").read_text(encoding="utf-8")
    for loss in _registered():
        anchor = re.sub(r"[^a-z0-9]+", "-", loss.name.lower())  # docutils' id normalization
        start = html.find(f'id="atlas-{anchor}"')
        assert start >= 0, f"no atlas section for {loss.name}"
        end = html.find("<h3", html.find("</h3>", start))
        section = html[start : end if end > 0 else len(html)]
        assert "<img" in section, f"the atlas section of {loss.name} has no plot"
        assert 'class="math notranslate nohighlight"' in section


@pytest.mark.book
@pytest.mark.slow
def test_api_reference_documents_every_registered_loss(build):
    html = (HTML / "book" / "api.html").read_text(encoding="utf-8")
    for name in ("names", "get", "Loss"):
        assert f'id="lossviz.losses.{name}"' in html
    for loss in _registered():
        ids = {f"lossviz.losses.{loss.name}", f"{loss.func.__module__}.{loss.func.__name__}"}
        assert any(f'id="{i}"' in html for i in ids), f"{loss.name} is missing from the API page"


@pytest.mark.book
@pytest.mark.slow
def test_solutions_are_in_dropdowns(build):
    solutions = 0
    for page in _chapter_pages():
        for tag, attrs in _tags(page):
            classes = attrs.get("class", "").split()
            if tag == "div" and "solution" in classes and "admonition" in classes:
                solutions += 1
                assert "dropdown" in classes, f"an open solution on {page.name}"
    assert solutions > 0


@pytest.mark.book
@pytest.mark.slow
def test_no_chapter_page_shows_nbgrader_markers(build):
    # Chapter pages only: the instructor guide shows the markers on purpose, to document them.
    for page in _chapter_pages():
        text = page.read_text(encoding="utf-8")
        for marker in NBGRADER_MARKERS:
            assert marker not in text, f"{marker!r} on {page.relative_to(HTML)}"


@pytest.mark.book
@pytest.mark.slow
def test_bibliography_lists_its_entries(build):
    page = HTML / "book" / "bibliography.html"
    entries = [attrs for tag, attrs in _tags(page) if "citation" in attrs.get("class", "").split()]
    assert len(entries) >= 20
    html = page.read_text(encoding="utf-8")
    assert "robust estimation of a location parameter" in html.lower()


@pytest.mark.book
@pytest.mark.slow
def test_every_captioned_figure_cell_renders_its_figure(build):
    """A figure cell that draws nothing (e.g. a forced non-inline matplotlib backend in the
    kernel) would leave a chapter without its pictures while the build stays green."""
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        names = [c["metadata"]["mystnb"]["figure"].get("name") for c in cells
                 if c["cell_type"] == "code" and "figure" in c["metadata"].get("mystnb", {})]
        html = (HTML / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        for name in names:
            match = re.search(rf'<figure[^>]*id="{re.escape(name)}"[^>]*>(.*?)</figure>', html, re.S)
            assert match, f"{notebook.name}: figure {name!r} is missing from the page"
            assert "<img" in match.group(1), f"{notebook.name}: figure {name!r} has no image"
