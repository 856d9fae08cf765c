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
