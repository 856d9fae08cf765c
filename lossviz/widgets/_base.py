"""The base class of every interactive demo.

A demo is a matplotlib figure plus a dict of ipywidgets controls. A subclass writes
three small methods:

- ``_build_controls()`` returns the controls, each with a ``value`` trait;
- ``_setup(fig)`` creates the axes and every artist **once**: the static layer (loss
  curves, data, axis labels) and the moving artists, registered with ``self._animate``;
- ``_update()`` reads the control values, moves the artists (``set_data``,
  ``set_text``, ...) and records the numbers it prints with ``self._show``.

The base class wires ``observe(..., "value")`` on every control and re-renders
synchronously: the figure is never rebuilt, only the moving artists are redrawn over a
cached image of the static layer (matplotlib "blitting"). The one rule: whatever
``_update`` changes must either be animated or be part of ``_static_key()`` (say, the
selected loss, which sets the curve and the y-limits); the static layer is cached per
key. Printed numbers use ``_readout`` / ``_value_row``, which keep the labels static and
redraw only the digits (text is the slowest thing matplotlib draws).

Display: in JupyterLab the demo shows as a live widget (controls above a PNG of the
figure). Every display also carries static fallbacks (``text/html`` with an ``<img>``
and a note on how to run it live, ``image/png``, ``text/plain``), which is what the
static book shows.
"""

from __future__ import annotations

import base64
import html
import io
import re
import string
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from .. import style

__all__ = ["STATIC_NOTE", "Demo", "Readout"]

#: The note under every static image of a demo.
STATIC_NOTE = (
    "Static image of the initial state — run this chapter live (launch button at the top "
    "of the page, or JupyterLab) to move the sliders."
)

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

Number = float | int | str


class Demo:
    """An interactive figure: ``.controls`` drive ``.figure``, synchronously.

    A subclass stores its data and initial values in ``__init__``, then calls
    ``super().__init__(figsize=..., dpi=...)``, which builds the controls, the figure and
    the first render. Set ``caption`` and ``alt_text`` as class attributes.

    Args:
        figsize: figure size in inches; the class default otherwise.
        dpi: dots per inch of the live image; the class default otherwise.

    Attributes:
        controls: name -> ipywidgets control; changing any ``value`` re-renders.
        figure: the demo's :class:`matplotlib.figure.Figure` (Agg canvas, not in pyplot).
        caption: one or two sentences saying what to notice.
        alt_text: a description of the figure for screen readers and the static book.
    """

    caption: ClassVar[str] = ""
    alt_text: ClassVar[str] = ""
    figsize: ClassVar[tuple[float, float]] = style.DEFAULT_FIGSIZE
    dpi: ClassVar[float] = style.DEFAULT_DPI
    #: dpi of the static PNG (crisper than the live view; displayed at the live size).
    static_dpi: ClassVar[float] = 150
    #: how many rendered static layers (one per ``_static_key``) to keep.
    max_cached_layers: ClassVar[int] = 16

    def __init__(
        self, *, figsize: tuple[float, float] | None = None, dpi: float | None = None
    ) -> None:
        self._numbers: dict[str, Number] = {}
        self._animated: list[Artist] = []
        self._backgrounds: OrderedDict[Hashable, Any] = OrderedDict()
        self._view: widgets.VBox | None = None
        self._image: widgets.Image | None = None
        self._held = 0
        self._pending = False
        self.controls: dict[str, widgets.ValueWidget] = dict(self._build_controls())
        self.figure: Figure = style.new_figure(
            figsize=figsize or self.figsize, dpi=dpi or self.dpi
        )
        self._build_figure()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    # -- subclass hooks -------------------------------------------------------------------

    def _build_controls(self) -> Mapping[str, widgets.ValueWidget]:
        """Return the controls (name -> ipywidgets control)."""
        raise NotImplementedError

    def _setup(self, fig: Figure) -> None:
        """Create the axes and all artists once; register moving ones with ``_animate``."""
        raise NotImplementedError

    def _update(self) -> None:
        """Move the artists to the current control values and record the numbers shown."""
        raise NotImplementedError

    # -- helpers for subclasses -----------------------------------------------------------

    def _animate(self, *artists: Artist) -> None:
        """Mark artists as moving: redrawn on every change over the cached static layer."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)

    def _static_key(self) -> Hashable:
        """What the static layer currently shows (e.g. the selected loss), as a hashable.

        The rendered static layer is cached per key, so a subclass whose ``_update``
        changes static artists (a curve, axis limits, a title) returns a key that
        identifies that state; revisiting a state is then as cheap as any other change.
        The default, ``None``, means the static layer never changes.
        """
        return None

    def _invalidate(self) -> None:
        """Forget every cached static layer: the next render is a full draw."""
        self._backgrounds.clear()

    def _readout(
        self, target: Any, x: float, y: float, template: str, *, on_top: bool = False,
        **text_kw: Any,
    ) -> Readout:
        """A :class:`Readout` on ``target`` (Axes or Figure) whose numbers are animated.

        With ``on_top=True`` the labels (and box) are redrawn too, above moving artists
        that may cross them; it costs the labels' glyphs on every change.
        """
        readout = Readout(target, x, y, template, **text_kw)
        if on_top:
            self._animate(readout.labels)
        self._animate(readout.values)
        return readout

    def _value_row(
        self, fig: Figure, x: float, y: float, items: Sequence[tuple[str, str, str]],
        **text_kw: Any,
    ) -> tuple[dict[str, Text], float]:
        """A row of "label value" pairs in figure fraction; only the values are animated.

        ``items`` are ``(key, label, widest value)``; the widest value reserves the space
        of each value so that the row never shifts. Returns key -> value text, and the x
        where the row ends.
        """
        renderer = fig.canvas.get_renderer()
        fontsize = text_kw.get("fontsize", mpl.rcParams["font.size"])
        points_to_fig = fig.dpi / 72 / fig.bbox.width  # one point, in figure fraction
        values = {}
        for key, label, widest in items:
            label_text = fig.text(x, y, label, va="baseline", **text_kw)
            x += label_text.get_window_extent(renderer).width / fig.bbox.width
            x += 0.35 * fontsize * points_to_fig
            value = fig.text(x, y, widest, va="baseline", **text_kw)
            x += value.get_window_extent(renderer).width / fig.bbox.width
            x += 1.6 * fontsize * points_to_fig
            value.set_text("")
            self._animate(value)
            values[key] = value
        return values, x

    def _show(self, **numbers: Number) -> None:
        """Record the numbers currently printed on the figure (see :meth:`numbers`)."""
        self._numbers.update(numbers)

    def value(self, name: str) -> Any:
        """The current value of the control ``name``."""
        return self.controls[name].value

    # -- public API -----------------------------------------------------------------------

    def numbers(self) -> dict[str, Number]:
        """The numbers printed on the figure for the current control values."""
        return dict(self._numbers)

    def render(self) -> None:
        """Bring the figure's pixels (and the live image, if displayed) up to date.

        Called automatically whenever a control's ``value`` changes.
        """
        self._update()
        self._draw()
        if self._image is not None:
            self._image.value = self.live_png()

    @contextmanager
    def hold(self, *, render: bool = True) -> Iterator[None]:
        """Change several controls and render once at the end: ``with demo.hold(): ...``.

        With ``render=False`` nothing is rendered; the caller redraws (the benchmark uses
        this to time :meth:`naive_replot` on the same control changes).
        """
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if self._held == 0 and self._pending:
                self._pending = False
                if render:
                    self.render()

    def naive_replot(self) -> None:
        """Rebuild the figure from scratch and draw it: the benchmark's baseline."""
        self.figure.clear()
        self._build_figure()

    def to_png(self, dpi: float | None = None) -> bytes:
        """The current state as PNG bytes (at ``dpi``, default: the live dpi)."""
        if dpi is None or dpi == self.figure.dpi:
            self._draw()
            return self._encode_png(compress_level=6)
        buffer = io.BytesIO()
        with self._everything_static(), mpl.rc_context(style.DRAW_RCPARAMS):
            self.figure.savefig(buffer, format="png", dpi=dpi)
        self._draw()  # savefig changed the renderer size; refresh the cached layer
        return buffer.getvalue()

    def live_png(self) -> bytes:
        """The current pixels as PNG, fast compression: what the live view is sent."""
        return self._encode_png(compress_level=1)

    def widget(self) -> widgets.VBox:
        """The live view: the controls above an image of the figure (built once)."""
        if self._view is None:
            width_px = round(self.figure.get_figwidth() * self.figure.dpi)
            self._image = widgets.Image(
                value=self.live_png(),
                format="png",
                layout=widgets.Layout(width=f"{width_px}px", max_width="100%", height="auto"),
            )
            controls = widgets.HBox(
                list(self.controls.values()),
                layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
            )
            children: list[widgets.Widget] = [controls, self._image]
            if self.caption:
                children.append(widgets.HTML(
                    f'<div style="font-size:0.9em;max-width:{width_px}px">'
                    f"{html.escape(self.caption)}</div>"
                ))
            self._view = widgets.VBox(children)
        return self._view

    def static_html(self) -> str:
        """An ``<img>`` of the current state with alt text, the caption and the live note."""
        png = base64.b64encode(self.to_png(dpi=self.static_dpi)).decode("ascii")
        width_px = round(self.figure.get_figwidth() * self.figure.dpi)
        caption = f"<br>{html.escape(self.caption)}" if self.caption else ""
        return (
            '<figure class="lossviz-demo" style="margin:0">'
            f'<img src="data:image/png;base64,{png}" alt="{html.escape(self.alt_text)}" '
            f'width="{width_px}" style="max-width:100%;height:auto">'
            '<figcaption style="font-size:0.9em">'
            f"<em>{html.escape(STATIC_NOTE)}</em>{caption}</figcaption></figure>"
        )

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The live widget view plus static fallbacks for pages that run no JavaScript."""
        view = self.widget()
        bundle = dict(view._repr_mimebundle_(include=include, exclude=exclude, **kwargs) or {})
        bundle["text/html"] = self.static_html()
        bundle["image/png"] = base64.b64encode(self.to_png()).decode("ascii")
        bundle["text/plain"] = f"<{type(self).__name__}: {self.alt_text}>"
        return bundle

    def __repr__(self) -> str:
        controls = ", ".join(f"{k}={c.value!r}" for k, c in self.controls.items())
        return f"{type(self).__name__}({controls})"

    # -- machinery ------------------------------------------------------------------------

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if self._held:
            self._pending = True
        else:
            self.render()

    def _build_figure(self) -> None:
        self._animated = []
        self._invalidate()
        with style.context():
            self._setup(self.figure)
        self._update()
        self._draw()

    def _draw(self) -> None:
        """Render into the Agg buffer: the cached static layer, then the moving artists."""
        canvas = self.figure.canvas
        key = self._static_key()
        with mpl.rc_context(style.DRAW_RCPARAMS):
            background = self._backgrounds.get(key)
            if background is None:
                canvas.draw()  # everything except the animated artists
                background = canvas.copy_from_bbox(self.figure.bbox)
                self._backgrounds[key] = background
                if len(self._backgrounds) > self.max_cached_layers:
                    self._backgrounds.popitem(last=False)
            else:
                self._backgrounds.move_to_end(key)
                canvas.restore_region(background)
            for artist in self._animated:
                if artist.get_visible():
                    self.figure.draw_artist(artist)

    def _encode_png(self, compress_level: int) -> bytes:
        """Encode the Agg buffer (already rendered) as PNG; no extra draw."""
        rgba = np.asarray(self.figure.canvas.buffer_rgba())
        buffer = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buffer, format="png", compress_level=compress_level)
        return buffer.getvalue()

    @contextmanager
    def _everything_static(self) -> Iterator[None]:
        """Temporarily draw the moving artists in a normal draw (for ``savefig``)."""
        for artist in self._animated:
            artist.set_animated(False)
        try:
            yield
        finally:
            for artist in self._animated:
                artist.set_animated(True)
            self._invalidate()


class Readout:
    """Numbers printed on a figure, where only the numbers are redrawn on a change.

    Text is the most expensive thing matplotlib draws, so a readout is two overlaid
    monospaced texts: the labels (static layer, drawn once) and the values (animated,
    spaces where the labels are). ``template`` is a format string whose fields give
    their alignment and width, e.g. ``"L(θ) = {loss:>8}\\ndL/dθ = {slope:>8}"``;
    :meth:`set` takes the values as already formatted strings.

    Args:
        target: the Axes or Figure to draw on (``.text`` is called on it).
        x, y: position, in the coordinates of ``transform`` (pass ``transform=``).
        template: the text with ``{name:>width}`` fields.
        **text_kw: passed to both texts (``ha``, ``va``, ``transform``, ``bbox`` only
            reaches the labels).
    """

    _FIELD = re.compile(r"^([<>^])?(\d+)$")

    def __init__(self, target: Any, x: float, y: float, template: str, **text_kw: Any) -> None:
        self._fields: dict[str, tuple[str, int]] = {}
        labels, values = [], []
        for literal, name, spec, _ in string.Formatter().parse(template):
            labels.append(literal)
            values.append(_blank(literal))
            if name is None:
                continue
            match = self._FIELD.match(spec or "")
            if not name or not match:
                raise ValueError(
                    f"template fields need a name and a width, like {{loss:>8}}; got "
                    f"{{{name}:{spec}}} in {template!r}."
                )
            align, width = match.group(1) or ">", int(match.group(2))
            self._fields[name] = (align, width)
            labels.append(" " * width)
            values.append(f"{{{name}}}")
        self._value_template = "".join(values)
        text_kw = {"family": "DejaVu Sans Mono", "fontsize": 8.5, **text_kw}
        bbox = text_kw.pop("bbox", None)
        self.labels: Text = target.text(x, y, "".join(labels), bbox=bbox, **text_kw)
        self.values: Text = target.text(x, y, "", **text_kw)
        self.set(**{name: "" for name in self._fields})

    def set(self, **values: str) -> None:
        """Show ``values`` (formatted strings), padded to their field widths."""
        padded = {}
        for name, (align, width) in self._fields.items():
            text = str(values.get(name, ""))
            padded[name] = f"{text:{align}{width}}"
        self.values.set_text(self._value_template.format(**padded))

    @property
    def text(self) -> str:
        """Labels and values merged, as a reader sees them."""
        labels, values = self.labels.get_text(), self.values.get_text()
        return "".join(v if v != " " else lab for lab, v in zip(labels, values, strict=False))


def _blank(text: str) -> str:
    """Spaces in place of every character except line breaks."""
    return "".join(ch if ch == "\n" else " " for ch in text)
