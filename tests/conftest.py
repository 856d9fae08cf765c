"""Shared pytest configuration."""

from __future__ import annotations

import os

# Test fixtures are notebooks *about* notebooks (the exercise-bite test runs them itself);
# nbval should execute only the chapters.
collect_ignore_glob = ["fixtures/*.ipynb"]

# Never force a matplotlib backend through the environment: kernels started by nbval, the
# book build and the bite test inherit it, and MPLBACKEND=Agg silently replaces the inline
# backend, so plt.show() would display nothing. (The demos draw on their own Agg canvas, and
# matplotlib picks Agg by itself on a machine without a display.)
os.environ.pop("MPLBACKEND", None)


# --------------------------------------------------------------------------------------
# The book, built once per pytest run (shared by test_book.py and test_browser.py)
# --------------------------------------------------------------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

BOOK_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_book() -> subprocess.CompletedProcess[str]:
    """The strict build, ``jupyter-book build . -W -n --keep-going --all``, run once.

    ``--all`` re-reads every page so that warnings cannot hide behind Sphinx's incremental
    build; executed notebooks still come from the jupyter cache. The HTML is in
    ``_build/html``; the result carries the return code and the build's output.
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    if not jupyter_book.exists():
        pytest.fail(f"jupyter-book is not installed next to {sys.executable}")
    return subprocess.run(
        [str(jupyter_book), "build", str(BOOK_ROOT), "-W", "-n", "--keep-going", "--all"],
        cwd=BOOK_ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
