"""Interactive demos: matplotlib figures driven by ipywidgets controls.

Each demo is a :class:`Demo` subclass with ``.controls`` (name -> ipywidgets control),
``.figure`` (a matplotlib Figure, not registered with pyplot) and ``.numbers()`` (the
numbers printed on the figure). Display it in a notebook cell to get the live widget; the
static book shows an image of its initial state.

>>> from lossviz.widgets import catalog
>>> entry = catalog()["ParameterExplorer"]
>>> demo = entry.make()                      # headless: works without a kernel
>>> demo.controls["theta"].value = 1.0       # re-renders synchronously
>>> round(demo.numbers()["theta"], 2)
1.0

Importing this package needs matplotlib and ipywidgets but no running kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._base import STATIC_NOTE, WIDGET_VIEW_MIME, Demo
from .classification import CostThresholdExplorer, MarginLossAtlas, WhoPushesTheBoundary
from .foundations import LearningRateExplorer, ParameterExplorer, ThresholdExplorer
from .gan import DiracGAN, GaussianGAN1D
from .optimization import LinkedLandscape
from .regression import OutlierTugOfWar, PinballExplorer, RobustFamilyExplorer
from .regularization import RegularizationGeometry, ValidationCurve

__all__ = [
    "STATIC_NOTE",
    "WIDGET_VIEW_MIME",
    "CatalogEntry",
    "CostThresholdExplorer",
    "Demo",
    "DiracGAN",
    "GaussianGAN1D",
    "LearningRateExplorer",
    "LinkedLandscape",
    "MarginLossAtlas",
    "OutlierTugOfWar",
    "ParameterExplorer",
    "PinballExplorer",
    "RegularizationGeometry",
    "RobustFamilyExplorer",
    "ThresholdExplorer",
    "ValidationCurve",
    "WhoPushesTheBoundary",
    "catalog",
]


@dataclass(frozen=True)
class CatalogEntry:
    """A demo class, the chapter that uses it, and default constructor arguments."""

    cls: type[Demo]
    chapter: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def make(self, **overrides: Any) -> Demo:
        """Construct the demo with the default arguments (updated by ``overrides``)."""
        return self.cls(**{**self.kwargs, **overrides})


def catalog() -> dict[str, CatalogEntry]:
    """Every demo of the course, by class name, in chapter order.

    Tests and benchmarks iterate over this, so adding a demo here is all it takes to have
    it driven headless, checked for in-place updates and timed.
    """
    entries = [
        CatalogEntry(ParameterExplorer, "00_foundations"),
        CatalogEntry(LearningRateExplorer, "00_foundations"),
        CatalogEntry(ThresholdExplorer, "00_foundations"),
        CatalogEntry(OutlierTugOfWar, "01_regression"),
        CatalogEntry(RobustFamilyExplorer, "01_regression"),
        CatalogEntry(PinballExplorer, "01_regression"),
        CatalogEntry(MarginLossAtlas, "02_classification"),
        CatalogEntry(WhoPushesTheBoundary, "02_classification"),
        CatalogEntry(CostThresholdExplorer, "02_classification"),
        CatalogEntry(LinkedLandscape, "03_optimization"),
        CatalogEntry(RegularizationGeometry, "04_regularization"),
        CatalogEntry(ValidationCurve, "04_regularization"),
        CatalogEntry(GaussianGAN1D, "05_gans"),
        CatalogEntry(DiracGAN, "05_gans"),
    ]
    return {entry.cls.__name__: entry for entry in entries}
