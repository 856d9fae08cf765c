"""The loss atlas: one section per registered loss, generated from ``lossviz.losses``.

``book/loss-atlas.md`` holds the prose and a ``{loss-atlas}`` directive; at build time the
directive reads the registry and writes, for every loss, grouped by task: its name and
summary, the per-example formula and derivative, default hyper-parameters, a plot of the
loss and its derivative along a 1-D slice, and the reference implementation the tests
compare it with. Plots go to ``book/_generated/atlas/`` (git-ignored). Nothing is
hand-copied, so a newly registered loss appears on the next build.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from . import registry

logger = logging.getLogger(__name__)

GENERATED = Path("_generated") / "atlas"  # relative to the page's folder (book/)


# --------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------


def _colour(name: str, default: str) -> str:
    """The book's colour for this loss (lossviz.style), or matplotlib's default."""
    try:
        style = importlib.import_module("lossviz.style")
        return style.color_for(name)
    except Exception:
        return default


def _plot(loss: Any, sl: registry.Slice) -> bytes:
    # A bare Figure with the Agg canvas: no pyplot, no global state, no backend switch.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    colour = _colour(loss.name, "#0072B2")
    fig = Figure(figsize=(7.2, 2.7), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    ax_loss, ax_grad = fig.subplots(1, 2)
    ax_loss.plot(sl.x, sl.loss, color=colour, lw=2.2)
    ax_loss.set_ylabel(r"loss $\ell$")
    ax_loss.set_title("loss", fontsize=10)
    ax_grad.axhline(0.0, color="0.6", lw=0.8)
    ax_grad.plot(sl.x, sl.grad, color=colour, lw=2.2, ls="--")
    ax_grad.set_ylabel(r"derivative $\partial\ell/\partial$" + _short(sl.xlabel))
    ax_grad.set_title("derivative", fontsize=10)
    for ax in (ax_loss, ax_grad):
        ax.set_xlabel(sl.xlabel)
        ax.axvline(0.0, color="0.6", lw=0.8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(True, alpha=0.25)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def _short(xlabel: str) -> str:
    """The symbol of the swept variable ("$r$", "$f$", "$z_1$") for the y-axis label."""
    for symbol in ("r", "f", "p", "z_1"):
        if f"${symbol}" in xlabel or f"${symbol} " in xlabel:
            return f"${symbol}$"
    math = re.search(r"\$([^$]+)\$", xlabel)  # else the first symbol in the label
    return f"${math.group(1)}$" if math else "x"


def _write_if_changed(path: Path, data: bytes) -> None:
    """Rewrite a figure only when its bytes change, so rebuilds stay incremental."""
    if (
        path.is_file()
        and hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()
    ):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --------------------------------------------------------------------------------------
# Markdown for one loss
# --------------------------------------------------------------------------------------


def _params_md(params: Any) -> str:
    if not params:
        return "none"
    return ", ".join(f"`{k}={v!r}`" for k, v in params.items())


def _latex_display(latex: str, lhs: str) -> str:
    latex = latex.strip()
    if latex.startswith(("\\ell", "\\frac{\\partial")) or "=" in latex.split("\\", 1)[0]:
        return f"$$\n{latex}\n$$"
    return f"$$\n{lhs} = {latex}\n$$"


def _api_link(func: Any) -> str:
    # The API page documents every registered loss under this same target (see api.py).
    target = registry.api_target(func)
    return f"{{py:func}}`{target.rsplit('.', 1)[1]} <{target}>`"


def loss_markdown(loss: Any, figure_dir: Path, docdir: Path) -> list[str]:
    name = loss.name
    out = [f"(atlas-{name})=", f"### `{name}` — {registry.title(loss)}", ""]
    if loss.summary:
        out += [f"**When to use it.** {loss.summary}", ""]
    out += [
        'Per-example loss, before the reduction (`reduction="mean"` averages it):',
        "",
        _latex_display(loss.latex, r"\ell"),
        "",
        "Its derivative with respect to the prediction (the argument `y_pred`):",
        "",
        _latex_display(
            loss.grad_latex,
            rf"\frac{{\partial \ell}}{{\partial {registry.derivative_symbol(loss)}}}",
        ),
        "",
    ]
    try:
        sl = registry.one_d_slice(loss)
    except registry.NoSlice as why:
        out += [f":::{{note}}\nNo 1-D plot for `{name}`: {_escape(str(why))}.\n:::", ""]
    else:
        png = _plot(loss, sl)
        path = figure_dir / f"{name}.png"
        _write_if_changed(path, png)
        rel = path.relative_to(docdir).as_posix()
        alt = (
            f"Two panels: the {name} loss (solid) and its derivative (dashed) plotted against "
            f"{_plain(sl.xlabel)}."
        )
        out += [
            f"```{{figure}} {rel}",
            f":alt: {alt}",
            ":class: atlas-figure",
            "",
            f"`{name}` (left) and its derivative (right) {sl.setting}, "
            "at the default hyper-parameters.",
            "```",
            "",
        ]
    grad = registry.grad_function(loss)
    api = _api_link(loss.func)
    if grad is not None:
        api += " and its gradient " + _api_link(grad)
    rows = [
        ("Task", loss.task),
        ("Default hyper-parameters", _params_md(loss.params)),
        (
            "Tested against",
            f"`{loss.reference}`"
            + (" (and PyTorch, when it is installed)" if loss.torch_func is not None else ""),
        ),
        ("API", api),
    ]
    out += [f"- **{k}**: {v}" for k, v in rows] + [""]
    return out


def _plain(label: str) -> str:
    """An axis label without TeX, for alt text."""
    table = {
        r"$r = \hat y - y$": "r = y_pred - y",
        r"$\hat y$": "y_pred",
        "$f$": "f",
        "$m = f$": "m = f",
        "$y = 1$": "y = 1",
        "$z_1$": "z1",
        "$Q$": "Q",
    }
    for tex, text in table.items():
        label = label.replace(tex, text)
    return label.replace("$", "")


def overview_markdown() -> list[str]:
    """A table of every loss, linking to its section."""
    out = [
        "## All losses at a glance",
        "",
        "| Loss | | Task | Hyper-parameters |",
        "|:--|:--|:--|:--|",
    ]
    for _task, losses in registry.grouped():
        for loss in losses:
            out.append(
                f"| {{ref}}`{loss.name} <atlas-{loss.name}>` | {_cell(registry.title(loss))} | "
                f"{loss.task} | {_params_md(loss.params)} |"
            )
    out.append("")
    return out


def _escape(text: str) -> str:
    """Plain text (an error message) safe inside MyST markdown."""
    return re.sub(r"([\\`*_{}\[\]<>$|#])", r"\\\1", " ".join(text.split()))


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def sections_markdown(figure_dir: Path, docdir: Path) -> list[str]:
    """One section per task, one subsection per loss (headings only: see the directive)."""
    out: list[str] = []
    for task, losses in registry.grouped():
        out += [f"## {registry.task_title(task)}", ""]
        for loss in losses:
            out += loss_markdown(loss, figure_dir, docdir)
    return out


class LossAtlasDirective(SphinxDirective):
    """``{loss-atlas}``: every registered loss, generated from the registry."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        env = self.env
        docdir = (Path(env.srcdir) / env.docname).parent
        figure_dir = docdir / GENERATED
        mod = registry.losses_module()
        # Re-read the atlas whenever a loss module changes.
        for source in sorted(Path(mod.__file__).parent.glob("*.py")):
            env.note_dependency(str(source))
        # Everything generated sits under a heading: MyST attaches parsed sections to the
        # page as it goes, so anything before the first heading would land after them.
        lines = overview_markdown() + sections_markdown(figure_dir, docdir)
        sections = nodes.section()
        sections.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source=env.docname), sections)
        return sections.children


def setup(app: Sphinx) -> None:
    app.add_directive("loss-atlas", LossAtlasDirective)
