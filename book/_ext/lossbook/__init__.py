"""Local Sphinx extension of the course book.

Loaded by ``_config.yml`` (``sphinx.local_extensions: {lossbook: book/_ext}``). It

- strips nbgrader marker lines from rendered notebook code cells (:mod:`.nbgrader`);
- generates the loss atlas and the loss part of the API reference from the registry
  ``lossviz.losses`` at build time (:mod:`.atlas`, :mod:`.api`);
- defuses two reST traps in plain-text docstrings (:mod:`.docstrings`);
- serves MathJax from the build instead of a CDN (:mod:`.offline`).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from . import api, atlas, docstrings, nbgrader, offline


def setup(app: Sphinx) -> dict[str, Any]:
    nbgrader.setup(app)
    atlas.setup(app)
    api.setup(app)
    docstrings.setup(app)
    offline.setup(app)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
