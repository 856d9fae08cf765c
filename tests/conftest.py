"""Shared pytest configuration."""

from __future__ import annotations

import os

# Test fixtures are notebooks *about* notebooks (the exercise-bite test runs them itself);
# nbval should execute only the chapters.
collect_ignore_glob = ["fixtures/*.ipynb"]

# Headless matplotlib everywhere, whatever the caller's environment says.
os.environ.setdefault("MPLBACKEND", "Agg")
