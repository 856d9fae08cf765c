"""Serve MathJax from the build: the book renders math with no network access.

The MathJax 3 files come from the PyPI package ``sphinx-mathjax-offline`` (Apache-2.0;
MathJax 3.2.2 ``es5`` build). Instead of loading that package as an extension (it copies
all 24 MB on every build), this copies only what ``tex-chtml.js`` loads at view time (the
component, its CHTML fonts, the TeX extensions it autoloads, the accessibility menu) into
``_build/html/_static/mathjax/`` once, and points ``mathjax_path`` at it.
"""

from __future__ import annotations

import filecmp
import importlib.util
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

MATHJAX_PACKAGE = "sphinx-mathjax-offline"  # the distribution's import name has dashes
MATHJAX_ENTRY = "mathjax/tex-chtml.js"
# Big alternative bundles tex-chtml.js never loads.
_SKIP = {
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "tex-mml-chtml.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
    "mml-chtml.js",
    "mml-svg.js",
    "node-main.js",
    "svg",
}


def mathjax_source() -> Path:
    """The folder holding MathJax's es5 build, from the installed package."""
    spec = importlib.util.find_spec(MATHJAX_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            "MathJax for the offline book is missing: install the PyPI package "
            "'sphinx-mathjax-offline' (it is in requirements.txt)."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    if not (folder / "tex-chtml.js").is_file():
        raise ExtensionError(f"MathJax's tex-chtml.js was not found in {folder}.")
    return folder


def _ignore(directory: str, entries: list[str]) -> set[str]:
    return {e for e in entries if e in _SKIP}


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    stamp = target / "tex-chtml.js"
    if stamp.is_file() and filecmp.cmp(stamp, source / "tex-chtml.js", shallow=False):
        return  # already copied by an earlier build
    shutil.copytree(source, target, ignore=_ignore, dirs_exist_ok=True)


def _set_mathjax_path(app: Sphinx, config) -> None:
    mathjax_source()  # fail early, with the fix, if the package is missing
    config.mathjax_path = MATHJAX_ENTRY


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict,
                    doctree: object) -> None:
    """Drop repeated script entries from a page.

    Sphinx 7.4 emits inline scripts that extensions register after the builder starts twice
    (once with filename None, once with ''): sphinx-thebe's ``const THEBE_JS_URL`` then
    raises "Identifier has already been declared" in the browser on every page.
    """
    seen: set[tuple[str, tuple]] = set()
    unique = []
    for script in context.get("script_files", []):
        key = (str(getattr(script, "filename", script) or ""),
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("config-inited", _set_mathjax_path)
    # Copy after a successful write (the same moment Sphinx copies _static).
    app.connect("build-finished", _copy_mathjax)
