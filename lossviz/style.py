"""The book's figure style: one palette, one colour per loss, one set of rcParams.

Every figure in the course, static or interactive, takes its colours from here, so a
loss has the same colour in every chapter (MSE is always the same blue). The palette
is Okabe & Ito's eight colours, which stay distinguishable under the common forms of
colour-vision deficiency.

>>> from lossviz import style
>>> style.color_for("mse") == style.OKABE_ITO["blue"]
True
>>> fig = style.new_figure()          # not registered with pyplot: never double-displays
>>> with style.context():             # the book's rcParams, restored afterwards
...     ax = fig.add_subplot()

``use()`` (alias ``apply()``) sets the rcParams globally, for a notebook's own plots.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_FIGSIZE",
    "DRAW_RCPARAMS",
    "LOSS_COLORS",
    "OKABE_ITO",
    "RCPARAMS",
    "ROLE_COLORS",
    "apply",
    "color_for",
    "context",
    "new_figure",
    "use",
]

#: Okabe & Ito (2008), "Color Universal Design": safe for protan, deutan and tritan viewers.
OKABE_ITO: Mapping[str, str] = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
    }
)

_C = OKABE_ITO

#: A fixed colour per loss name. Losses that are plotted together in one chapter get
#: different colours; the regression and classification families may share a hue.
LOSS_COLORS: Mapping[str, str] = MappingProxyType(
    {
        # regression (chapter 01)
        "mse": _C["blue"],
        "mae": _C["vermillion"],
        "huber": _C["bluish_green"],
        "log_cosh": _C["reddish_purple"],
        "pinball": _C["orange"],
        "barron": _C["sky_blue"],
        # classification (chapter 02); the log loss is the "default" blue like MSE
        "zero_one": _C["black"],
        "bce_with_logits": _C["blue"],
        "softmax_cross_entropy": _C["blue"],
        "hinge": _C["vermillion"],
        "squared_hinge": _C["orange"],
        "exponential": _C["reddish_purple"],
        "focal": _C["bluish_green"],
        "brier": _C["sky_blue"],
        # GANs (chapter 05): the discriminator's log loss is blue like every log loss; the
        # generator's two losses get the contrasting pair vermillion (saturates) / green
        "gan_discriminator": _C["blue"],
        "gan_generator_minimax": _C["vermillion"],
        "gan_generator_nonsaturating": _C["bluish_green"],
        # reinforcement learning (chapter 06)
        "policy_gradient": _C["blue"],
        "ppo_clip": _C["orange"],
        # divergences and representation learning (chapters 05 and 08)
        "kl_divergence": _C["sky_blue"],
        "dice": _C["reddish_purple"],
        "triplet": _C["orange"],
        "contrastive": _C["bluish_green"],
        "info_nce": _C["vermillion"],
    }
)

#: Colours for the roles that recur across demos (data, the model, a gradient, ...).
ROLE_COLORS: Mapping[str, str] = MappingProxyType(
    {
        "data": "#4D4D4D",
        "model": _C["blue"],
        "residual": _C["vermillion"],
        "gradient": "#222222",
        "step": _C["reddish_purple"],
        "optimum": "#4D4D4D",
        "negative": _C["sky_blue"],
        "positive": _C["vermillion"],
        "threshold": _C["black"],
        "warning": _C["vermillion"],
        "muted": "#8C8C8C",
    }
)

# Fallback colours for unknown names: every Okabe-Ito colour except yellow (too light on
# white) and black (reserved for the 0-1 loss and reference lines).
_FALLBACK = tuple(v for k, v in _C.items() if k not in ("yellow", "black"))

DEFAULT_FIGSIZE: tuple[float, float] = (9.0, 3.4)
DEFAULT_DPI: int = 100

_TEXT = "#222222"
_GRID = "#E5E5E5"

#: The book's rcParams. White figure and axes faces (a white "card" reads on light and
#: dark page themes alike, and stays opaque when saved), dark-grey text, no top/right
#: spines, a faint grid, modest font sizes.
RCPARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "figure.facecolor": "white",
        "figure.edgecolor": "white",
        "figure.dpi": DEFAULT_DPI,
        "figure.figsize": DEFAULT_FIGSIZE,
        "savefig.facecolor": "white",
        "savefig.edgecolor": "white",
        "savefig.transparent": False,
        "axes.facecolor": "white",
        "axes.edgecolor": "#555555",
        "axes.linewidth": 0.8,
        "axes.labelcolor": _TEXT,
        "axes.titlesize": 10.5,
        "axes.titleweight": "regular",
        "axes.titlelocation": "left",
        "axes.titlepad": 6.0,
        "axes.labelsize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.axisbelow": True,
        "axes.prop_cycle": mpl.cycler(color=list(_FALLBACK)),
        "grid.color": _GRID,
        "grid.linewidth": 0.7,
        "xtick.color": "#555555",
        "ytick.color": "#555555",
        "xtick.labelcolor": _TEXT,
        "ytick.labelcolor": _TEXT,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "text.color": _TEXT,
        "font.size": 10,
        "legend.fontsize": 8.5,
        "legend.frameon": False,
        "lines.linewidth": 2.0,
        "lines.markersize": 5.0,
        "mathtext.fontset": "dejavusans",
        "text.hinting": "no_hinting",
        "image.cmap": "Blues",
    }
)


#: The rcParams matplotlib reads while *drawing* (not when artists are made). The demos
#: draw under these only, so they never touch the global rcParams. Unhinted glyphs render
#: about twice as fast and look the same at screen resolution.
DRAW_RCPARAMS: Mapping[str, Any] = MappingProxyType({"text.hinting": "no_hinting"})


def color_for(name: str) -> str:
    """The colour of the loss called ``name``; unknown names get a stable fallback.

    The fallback hashes the name (CRC-32, not Python's salted ``hash``), so it is the
    same in every process and every chapter.
    """
    try:
        return LOSS_COLORS[name]
    except KeyError:
        return _FALLBACK[zlib.crc32(name.encode("utf-8")) % len(_FALLBACK)]


def use() -> None:
    """Set the book's rcParams globally (for a notebook's own ``pyplot`` figures)."""
    mpl.rcParams.update(RCPARAMS)


apply = use


@contextmanager
def context() -> Iterator[None]:
    """Apply the book's rcParams inside a ``with`` block only; restored afterwards."""
    with mpl.rc_context(dict(RCPARAMS)):
        yield


def new_figure(
    figsize: tuple[float, float] = DEFAULT_FIGSIZE, dpi: float = DEFAULT_DPI
) -> Figure:
    """A figure with an Agg canvas that pyplot does not know about.

    ``pyplot.figure()`` registers the figure with the notebook backend, which then shows
    it a second time at the end of the cell; a bare :class:`~matplotlib.figure.Figure`
    is displayed only where the caller puts it.
    """
    with context():
        fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig
