"""The generated parts of the API reference (``book/api.md``).

``{loss-api}`` documents every registered loss (and its public gradient function), grouped
by task, so the API page can never miss a loss. ``{lossviz-modules}`` documents the other
subpackages with ``automodule :members:``, skipping only those not written yet (a module
that exists but fails to import still fails the strict build, loudly).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from . import registry

logger = logging.getLogger(__name__)


def _parse(directive: SphinxDirective, lines: list[str]) -> list[nodes.Node]:
    container = nodes.section()
    container.document = directive.state.document
    nested_parse_with_titles(
        directive.state, StringList(lines, source=directive.env.docname), container
    )
    return container.children


class LossApiDirective(SphinxDirective):
    """``{loss-api}``: autodoc for every registered loss function, grouped by task."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        lines: list[str] = []
        for task, losses in registry.grouped():
            lines += [f"### {registry.task_title(task)} losses", ""]
            lines.append("```{eval-rst}")
            for loss in losses:
                lines.append(f".. autofunction:: {registry.api_target(loss.func)}")
                lines.append("")
                grad = registry.grad_function(loss)
                if grad is not None:
                    lines.append(f".. autofunction:: {registry.api_target(grad)}")
                    lines.append("")
            lines += ["```", ""]
        return _parse(self, lines)


def _first_line(module_name: str) -> str:
    try:
        doc = importlib.import_module(module_name).__doc__ or ""
    except Exception:
        return ""
    return doc.strip().split("\n", 1)[0].strip().rstrip(".")


def _public_submodules(module_name: str) -> list[tuple[str, list[str]]]:
    """Public submodules of a package, each with the members the package re-exports.

    A chapter's exercise checks live in ``lossviz.exercises.foundations`` and are not
    re-exported, so the submodule gets its own entry; a demo class re-exported by
    ``lossviz.widgets`` is documented there once and excluded from its submodule.
    """
    module = importlib.import_module(module_name)
    if not hasattr(module, "__path__"):
        return []
    exported = {
        name: getattr(module, name)
        for name in getattr(module, "__all__", [])
        if hasattr(module, name)
    }
    out = []
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        sub_name = f"{module_name}.{info.name}"
        sub = importlib.import_module(sub_name)
        excluded = [
            name
            for name, obj in exported.items()
            if getattr(sub, name, None) is obj and getattr(obj, "__module__", None) == sub_name
        ]
        out.append((sub_name, excluded))
    return out


class LossvizModulesDirective(SphinxDirective):
    """``{lossviz-modules}`` with one module name per line of content."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        lines: list[str] = []
        for module_name in (line.strip() for line in self.content):
            if not module_name:
                continue
            try:
                found = importlib.util.find_spec(module_name) is not None
            except ModuleNotFoundError:
                found = False
            if not found:
                logger.info(f"[lossbook] API page: {module_name} does not exist yet; skipped.")
                continue
            summary = _first_line(module_name)
            heading = f"`{module_name}`" + (f": {summary}" if summary else "")
            lines += [
                f"## {heading}",
                "",
                "```{eval-rst}",
                f".. automodule:: {module_name}",
                "   :members:",
                "```",
                "",
            ]
            for sub_name, excluded in _public_submodules(module_name):
                lines += ["```{eval-rst}", f".. automodule:: {sub_name}", "   :members:"]
                if excluded:
                    lines.append(f"   :exclude-members: {', '.join(sorted(excluded))}")
                lines += ["```", ""]
        return _parse(self, lines)


def _resolve_by_unique_suffix(app: Sphinx, env, node, contnode):
    """Resolve a short Python reference that names exactly one documented lossviz object.

    A class defined in ``lossviz.widgets.foundations`` and re-exported by ``lossviz.widgets``
    is documented under the package, so ``:func:`one_parameter_data``` in its docstring is
    looked up there and missed, although the function is documented under its own module.
    A reference that still matches several objects, or none, stays a warning.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip(".~")
    if not target or target.startswith("_") or "._" in target:
        return None
    domain = env.get_domain("py")
    matches = [
        name
        for name in domain.objects
        if name.startswith("lossviz.") and (name == target or name.endswith("." + target))
    ]
    if len(matches) != 1:
        return None
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], matches[0], node, contnode
    )


def setup(app: Sphinx) -> None:
    app.connect("missing-reference", _resolve_by_unique_suffix)
    app.add_directive("loss-api", LossApiDirective)
    app.add_directive("lossviz-modules", LossvizModulesDirective)
