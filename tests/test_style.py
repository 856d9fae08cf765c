"""The book's figure style: palette, loss colours, rcParams and pyplot-free figures."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

from lossviz import losses, style

OKABE_ITO_HEX = {
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
}


def test_palette_is_okabe_ito() -> None:
    assert set(style.OKABE_ITO.values()) == OKABE_ITO_HEX


def test_mse_is_always_the_okabe_ito_blue() -> None:
    assert style.color_for("mse") == "#0072B2"


@pytest.mark.parametrize(
    "name",
    ["mse", "mae", "huber", "log_cosh", "pinball", "barron", "bce_with_logits",
     "softmax_cross_entropy", "hinge", "squared_hinge", "focal", "kl_divergence", "zero_one",
     "exponential"],
)
def test_every_named_loss_has_a_fixed_palette_colour(name: str) -> None:
    assert name in style.LOSS_COLORS
    assert style.color_for(name) in OKABE_ITO_HEX


def test_every_registered_loss_gets_a_colour() -> None:
    for name in losses.names():
        to_rgb(style.color_for(name))


@pytest.mark.parametrize(
    "group",
    [
        ["mse", "mae", "huber", "log_cosh", "pinball", "barron"],
        ["zero_one", "bce_with_logits", "hinge", "squared_hinge", "exponential", "focal"],
    ],
)
def test_losses_plotted_together_have_distinct_colours(group: list[str]) -> None:
    assert len({style.color_for(name) for name in group}) == len(group)


def test_unknown_names_get_a_stable_readable_fallback() -> None:
    colour = style.color_for("a_loss_from_the_future")
    assert colour == style.color_for("a_loss_from_the_future")
    assert colour in OKABE_ITO_HEX and colour not in ("#F0E442", "#000000")


def test_context_applies_rcparams_and_restores_them() -> None:
    before = matplotlib.rcParams["axes.spines.top"]
    with style.context():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["figure.facecolor"] == "white"
    assert matplotlib.rcParams["axes.spines.top"] == before


def test_use_sets_rcparams_globally() -> None:
    with matplotlib.rc_context():
        style.use()
        assert matplotlib.rcParams["savefig.transparent"] is False
        assert matplotlib.rcParams["axes.labelsize"] == 10
    assert style.apply is style.use


def test_new_figure_has_an_agg_canvas_and_is_not_in_pyplot() -> None:
    fig = style.new_figure()
    assert isinstance(fig.canvas, FigureCanvasAgg)
    assert tuple(fig.get_size_inches()) == style.DEFAULT_FIGSIZE
    assert plt.get_fignums() == []
    fig.canvas.draw()
