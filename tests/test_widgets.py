"""Widget tests: every demo in the catalog is driven headless through all its controls.

The generic tests are parametrised over ``catalog()``, so a new demo is covered as soon as
it is listed there. The behaviour tests below them assert the numbers each demo prints.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn import metrics as skm

from lossviz import losses, style
from lossviz.widgets import (
    STATIC_NOTE,
    WIDGET_VIEW_MIME,
    Demo,
    LearningRateExplorer,
    ParameterExplorer,
    ThresholdExplorer,
    catalog,
)
from lossviz.widgets.foundations import gd_regime, one_parameter_data

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CATALOG = catalog()


@pytest.fixture(params=list(CATALOG), ids=list(CATALOG))
def demo(request: pytest.FixtureRequest) -> Demo:
    return CATALOG[request.param].make()


def control_values(control: widgets.ValueWidget) -> list[Any]:
    """Every dropdown option, or a slider's min, max and middle (and back to min)."""
    if isinstance(control, (widgets.Dropdown, widgets.RadioButtons, widgets.ToggleButtons)):
        return [value for _, value in control.options] + [control.options[0][1]]
    if isinstance(control, widgets.Checkbox):
        return [not control.value, control.value]
    middle = control.min + (control.max - control.min) / 2
    if isinstance(control, widgets.IntSlider):
        middle = round(middle)
    return [control.min, control.max, middle, control.min]


def pixels(demo: Demo) -> np.ndarray:
    return np.asarray(demo.figure.canvas.buffer_rgba()).copy()


def structure(demo: Demo) -> tuple[int, list[int], list[int]]:
    """The figure's id, its axes' ids and the number of artists in each axes."""
    fig = demo.figure
    return id(fig), [id(ax) for ax in fig.axes], [len(ax.get_children()) for ax in fig.axes]


# -- every demo ---------------------------------------------------------------------------


def test_catalog_lists_demo_classes_with_caption_and_alt_text() -> None:
    assert CATALOG, "catalog() is empty"
    for name, entry in CATALOG.items():
        assert issubclass(entry.cls, Demo) and entry.cls.__name__ == name
        assert len(entry.cls.caption) > 40 and len(entry.cls.alt_text) > 40


def test_demo_exposes_controls_figure_and_numbers(demo: Demo) -> None:
    assert demo.controls and all(hasattr(c, "value") for c in demo.controls.values())
    assert isinstance(demo.figure, matplotlib.figure.Figure)
    assert demo.numbers(), "a demo prints at least one number"
    for ax in demo.figure.axes:
        assert ax.get_xlabel() and ax.get_ylabel(), f"unlabelled axis in {type(demo).__name__}"


def test_demo_is_not_registered_with_pyplot(demo: Demo) -> None:
    assert plt.get_fignums() == []


def test_every_control_value_updates_in_place_without_error(demo: Demo) -> None:
    before = structure(demo)
    for name, control in demo.controls.items():
        for value in control_values(control):
            control.value = value
            assert structure(demo) == before, f"changing {name} rebuilt figure or axes"
            assert all(
                isinstance(v, str) or np.isfinite(v) for v in demo.numbers().values()
            ), f"non-finite number shown after {name}={value!r}"
    assert plt.get_fignums() == []


def test_every_control_changes_the_picture_and_the_numbers(demo: Demo) -> None:
    for name, control in demo.controls.items():
        values = control_values(control)
        control.value = values[0]
        first_pixels, first_numbers = pixels(demo), demo.numbers()
        control.value = values[1]
        assert not np.array_equal(pixels(demo), first_pixels), f"{name} did not change the figure"
        assert demo.numbers() != first_numbers, f"{name} did not change the numbers shown"


def test_fast_render_matches_a_plain_full_draw(demo: Demo) -> None:
    """Cached static layer + moving artists = the picture of one ordinary draw."""
    for control in demo.controls.values():
        control.value = control_values(control)[2]
    fast = pixels(demo)
    with demo._everything_static(), matplotlib.rc_context(style.DRAW_RCPARAMS):
        demo.figure.canvas.draw()
    different = np.any(np.abs(fast.astype(int) - pixels(demo).astype(int)) > 24, axis=-1)
    assert different.mean() < 0.0025


def test_naive_replot_rebuilds_the_same_picture(demo: Demo) -> None:
    numbers = demo.numbers()
    demo.naive_replot()
    assert demo.numbers() == numbers
    assert plt.get_fignums() == []


def test_mimebundle_has_widget_view_and_static_fallbacks(demo: Demo) -> None:
    bundle = demo._repr_mimebundle_()
    assert "model_id" in bundle[WIDGET_VIEW_MIME]
    html = bundle["text/html"]
    match = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', html)
    assert match, "text/html must hold an <img> with a base64 PNG and alt text"
    assert base64.b64decode(match.group(1)).startswith(PNG_SIGNATURE)
    assert STATIC_NOTE in html
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)
    assert bundle["text/plain"]


def test_live_view_image_follows_the_controls(demo: Demo) -> None:
    view = demo.widget()
    assert isinstance(view, widgets.VBox)
    image = demo._image
    control = next(iter(demo.controls.values()))
    before = image.value
    control.value = control_values(control)[1]
    assert image.value != before and bytes(image.value).startswith(PNG_SIGNATURE)


def test_hold_renders_once_after_several_changes() -> None:
    demo = ParameterExplorer(theta=0.3, eta=0.05)
    with demo.hold():
        demo.controls["theta"].value = 2.0
        demo.controls["eta"].value = 0.1
        assert demo.numbers()["theta"] == pytest.approx(0.3)  # not rendered yet
    assert demo.numbers()["theta"] == pytest.approx(2.0)
    assert demo.numbers()["next_theta"] == pytest.approx(2.0 - 0.1 * demo.numbers()["slope"])


# -- ParameterExplorer ----------------------------------------------------------------------


def test_parameter_explorer_mse_loss_and_slope_match_numpy() -> None:
    demo = ParameterExplorer(theta=0.8, loss="mse")
    x, y = one_parameter_data()
    r = 0.8 * x - y
    shown = demo.numbers()
    assert shown["loss"] == pytest.approx(np.mean(r**2), rel=1e-12)
    assert shown["slope"] == pytest.approx(2 * np.mean(r * x), rel=1e-12)


def test_parameter_explorer_at_the_least_squares_theta_has_zero_slope() -> None:
    x, y = one_parameter_data()
    theta_star = float(np.dot(x, y) / np.dot(x, x))
    demo = ParameterExplorer(theta=theta_star, loss="mse")
    assert demo.numbers()["slope"] == pytest.approx(0.0, abs=1e-12)
    assert demo.numbers()["next_theta"] == pytest.approx(theta_star)


@pytest.mark.parametrize("loss", ["mse", "mae", "huber", "log_cosh"])
@pytest.mark.parametrize("theta", [-0.7, 0.35, 2.9])
def test_parameter_explorer_tangent_slope_is_a_finite_difference(loss: str, theta: float) -> None:
    if loss not in losses.names():
        pytest.skip(f"{loss} is not registered yet")
    demo = ParameterExplorer(theta=theta, loss=loss)
    h = 1e-6
    numeric = (demo.loss_at(theta + h) - demo.loss_at(theta - h)) / (2 * h)
    assert demo.numbers()["slope"] == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    tangent_x, tangent_y = demo._tangent.get_data()
    drawn_slope = (tangent_y[1] - tangent_y[0]) / (tangent_x[1] - tangent_x[0])
    assert drawn_slope == pytest.approx(demo.numbers()["slope"])


def test_parameter_explorer_prints_the_numbers_it_reports() -> None:
    demo = ParameterExplorer(theta=0.8)
    shown, printed = demo.numbers(), demo._numbers_readout.text
    for key in ("loss", "slope", "next_theta", "next_loss"):
        assert f"{shown[key]:.3f}".replace("-", "−") in printed


@pytest.mark.parametrize("theta", [-0.5, 0.4, 3.5])
def test_parameter_explorer_a_small_step_lowers_the_loss(theta: float) -> None:
    demo = ParameterExplorer(theta=theta, eta=0.01)
    shown = demo.numbers()
    assert shown["next_theta"] == pytest.approx(theta - 0.01 * shown["slope"])
    assert shown["next_loss"] < shown["loss"]


def test_parameter_explorer_offers_only_registered_losses() -> None:
    demo = ParameterExplorer(loss_names=("mse", "not_a_loss"))
    assert [value for _, value in demo.controls["loss"].options] == ["mse"]


def test_parameter_explorer_announces_an_overshooting_step() -> None:
    demo = ParameterExplorer(theta=-1.0, eta=0.3)
    assert not -1.0 <= demo.numbers()["next_theta"] <= 4.0
    assert "off the plot" in demo._message.get_text()


# -- LearningRateExplorer -------------------------------------------------------------------


def test_learning_rate_explorer_critical_rates_follow_the_curvature() -> None:
    x, _ = one_parameter_data()
    shown = LearningRateExplorer().numbers()
    assert shown["curvature"] == pytest.approx(2 * np.mean(x**2))
    assert shown["eta_one_step"] == pytest.approx(0.1)
    assert shown["eta_critical"] == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("eta", "regime"),
    [
        (0.02, "converges"),
        (0.095, "converges"),
        (0.1, "converges"),
        (0.15, "oscillates but converges"),
        (0.2, "oscillates forever"),
        (0.21, "diverges"),
        (0.25, "diverges"),
    ],
)
def test_learning_rate_explorer_names_the_regime(eta: float, regime: str) -> None:
    demo = LearningRateExplorer(eta=eta)
    assert demo.numbers()["regime"] == regime
    assert demo._regime.get_text().startswith(regime)


def test_learning_rate_explorer_converging_run_approaches_the_minimum() -> None:
    x, y = one_parameter_data()
    theta_star = np.dot(x, y) / np.dot(x, x)
    shown = LearningRateExplorer(eta=0.05, steps=60, theta0=-1.0).numbers()
    assert shown["theta_final"] == pytest.approx(theta_star, abs=1e-6)
    assert shown["rate"] == pytest.approx(0.5)


def test_learning_rate_explorer_oscillation_alternates_sides() -> None:
    demo = LearningRateExplorer(eta=0.15, steps=6, theta0=-1.0)
    thetas, _ = demo.path(0.15, 6, -1.0)
    sides = np.sign(thetas - demo.theta_star)
    assert np.all(sides[1:] == -sides[:-1])


def test_learning_rate_explorer_diverging_run_is_clipped_and_announced() -> None:
    demo = LearningRateExplorer(eta=0.25, steps=60, theta0=4.0, clip=1e3)
    shown = demo.numbers()
    assert shown["regime"] == "diverges" and shown["clipped"] == 1
    assert shown["steps_run"] < 60
    assert all(np.isfinite(v) for v in shown.values() if not isinstance(v, str))
    assert "stopped" in demo._regime.get_text()


def test_learning_rate_explorer_extreme_run_stays_finite_without_warnings() -> None:
    with np.errstate(all="raise"):
        shown = LearningRateExplorer(eta=0.25, steps=60, theta0=4.0).numbers()
    assert np.isfinite(shown["loss_final"])


def test_gd_regime_boundaries() -> None:
    assert gd_regime(0.09, 10.0) == "converges"
    assert gd_regime(0.11, 10.0) == "oscillates but converges"
    assert gd_regime(0.2, 10.0) == "oscillates forever"
    assert gd_regime(0.2001, 10.0) == "diverges"


# -- ThresholdExplorer ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def threshold_demo() -> ThresholdExplorer:
    return ThresholdExplorer()


@pytest.mark.parametrize("t", [0.0, 0.1, 0.3, 0.5, 0.72, 0.9, 1.0])
def test_threshold_explorer_metrics_agree_with_sklearn(
    threshold_demo: ThresholdExplorer, t: float
) -> None:
    threshold_demo.controls["threshold"].value = t
    shown = threshold_demo.numbers()
    y, pred = threshold_demo.y_true, (threshold_demo.probability >= t).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert (shown["tn"], shown["fp"], shown["fn"], shown["tp"]) == (tn, fp, fn, tp)
    assert shown["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert shown["precision"] == pytest.approx(skm.precision_score(y, pred, zero_division=0))
    assert shown["recall"] == pytest.approx(skm.recall_score(y, pred, zero_division=0))
    assert shown["f1"] == pytest.approx(skm.f1_score(y, pred, zero_division=0))


def test_threshold_explorer_log_loss_is_sklearns_and_the_same_at_every_threshold(
    threshold_demo: ThresholdExplorer,
) -> None:
    expected = skm.log_loss(threshold_demo.y_true, threshold_demo.probability)
    shown = set()
    for t in np.linspace(0, 1, 11):
        threshold_demo.controls["threshold"].value = float(t)
        shown.add(threshold_demo.numbers()["log_loss"])
    assert len(shown) == 1
    assert shown.pop() == pytest.approx(expected, rel=1e-9)


def test_threshold_explorer_recall_falls_and_precision_rises_with_the_threshold(
    threshold_demo: ThresholdExplorer,
) -> None:
    low, high = threshold_demo.metrics(0.2), threshold_demo.metrics(0.8)
    assert low["recall"] > high["recall"] and low["precision"] < high["precision"]
