"""Two reST traps in plain-text docstrings, defused before autodoc renders them.

1. ``|x|`` (an absolute value in prose, such as ``|θ − θ*|``) is reST's substitution syntax
   and fails the strict build with "Undefined substitution referenced". The book defines no
   substitutions, so such pairs are escaped and show as written. Code spans (````x````,
   ``:math:`|x|```), literal and math blocks, doctests and tables are left alone.
2. Napoleon reads the first line of a data, attribute or property docstring as
   ``type: description``,
   so ``#: Okabe & Ito (2008): safe for ...`` turns into a broken type reference. When the
   text before the first colon is prose (it contains a space outside brackets), an empty reST
   comment is put first (napoleon skips blank lines, but not a comment), so the whole
   docstring stays a description.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

_CODE = re.compile(r"(``.+?``|:[\w:.+-]+:`[^`]*`|`[^`]*`_?_?)")
_SUBSTITUTION = re.compile(r"(?<![\w\\|])\|(?=\S)([^|`]*?\S)\|(?![\w|])")
_LITERAL_START = re.compile(r"(::\s*$)|(^\s*\.\.\s+(math|code|code-block|sourcecode|highlight)::)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def escape_substitutions(lines: list[str]) -> list[str]:
    """Escape ``|x|`` pairs in prose lines; see the module docstring."""
    out: list[str] = []
    literal_indent: int | None = None  # inside an indented literal/math block
    for line in lines:
        stripped = line.strip()
        if literal_indent is not None:
            if stripped and _indent(line) <= literal_indent:
                literal_indent = None
            else:
                out.append(line)
                continue
        if _LITERAL_START.search(line):
            literal_indent = _indent(line)
        # a reST line block or table row starts with "| "; "|r| = c" is prose
        if not stripped or stripped == "|" or stripped.startswith(("| ", "+-", "+=", ">>>", "...")):
            out.append(line)
            continue
        parts = _CODE.split(line)
        for i in range(0, len(parts), 2):  # even indices are outside code spans
            parts[i] = _SUBSTITUTION.sub(r"\\|\1\\|", parts[i])
        out.append("".join(parts))
    return out


def _prose_before_colon(first_line: str) -> bool:
    head, colon, _ = first_line.partition(": ")
    if not colon:
        return False
    depth, words = 0, 0
    for ch in head.strip():
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == " " and depth == 0:
            words += 1
    # "int: the count" and "dict[str, int]: ..." are types; "The data of ...: ..." is prose.
    return words > 0 and not re.fullmatch(r"[\w.\[\], |~`]+", head.strip())


def _process(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    lines[:] = escape_substitutions(lines)
    if what in ("data", "attribute", "property") and lines and _prose_before_colon(lines[0]):
        lines[:0] = ["..", ""]


def setup(app: Sphinx) -> None:
    # Before napoleon (priority 500), which reads the raw lines.
    app.connect("autodoc-process-docstring", _process, priority=400)
