"""Hide nbgrader's marker lines in the rendered book.

The source notebooks keep nbgrader's markers so that one notebook yields the book, the
student notebook and the autograder's tests (SPEC §5). On the page a reader sees only the
code: the solution lines stay (inside the collapsed "Solution" dropdown), the marker lines
``### BEGIN SOLUTION`` / ``### END SOLUTION`` go, and hidden tests (the lines between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``) go with their markers.

Only code cells of notebooks are touched; a code block in a prose page that *explains*
nbgrader's markers is shown as written.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

_SOLUTION_MARKER = re.compile(r"^\s*###\s*(BEGIN|END)\s+SOLUTION\s*$")
_HIDDEN_BEGIN = re.compile(r"^\s*###\s*BEGIN\s+HIDDEN\s+TESTS\s*$")
_HIDDEN_END = re.compile(r"^\s*###\s*END\s+HIDDEN\s+TESTS\s*$")


def strip_markers(source: str) -> str:
    """Remove solution marker lines and hidden-test blocks from a cell's source.

    >>> strip_markers("def f(x):\\n    ### BEGIN SOLUTION\\n    return x\\n    ### END SOLUTION")
    'def f(x):\\n    return x'
    """
    kept: list[str] = []
    hidden = False
    for line in source.split("\n"):
        if _HIDDEN_BEGIN.match(line):
            hidden = True
            continue
        if _HIDDEN_END.match(line):
            hidden = False
            continue
        if hidden or _SOLUTION_MARKER.match(line):
            continue
        kept.append(line)
    # Removing a block can leave trailing blank lines; the page should not show them.
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def _in_notebook_code_cell(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.get("nb_element") == "cell_code_source":
            return True
        parent = parent.parent
    return False


def _strip_doctree(app: Sphinx, doctree: nodes.document) -> None:
    for block in list(doctree.findall(nodes.literal_block)):
        if not _in_notebook_code_cell(block):
            continue
        text = block.astext()
        if "###" not in text:
            continue
        cleaned = strip_markers(text)
        if cleaned == text:
            continue
        block.children = []
        block.append(nodes.Text(cleaned))
        block.rawsource = cleaned


def setup(app: Sphinx) -> None:
    # doctree-read runs after the notebook is parsed and before the doctree is pickled,
    # so every builder (HTML, LaTeX, search index) sees the cleaned code.
    app.connect("doctree-read", _strip_doctree)
