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
from .design import KLAsymmetryExplorer, PGDExplorer
from .fairness import FairnessTradeoff, ThresholdLandscape
from .foundations import LearningRateExplorer, ParameterExplorer, ThresholdExplorer
from .gan import DiracGAN, GANTraining2D, GaussianGAN1D
from .optimization import LinkedLandscape
from .regression import OutlierTugOfWar, PinballExplorer, RobustFamilyExplorer
from .regularization import RegularizationGeometry, ValidationCurve
from .rl import BanditTrainer, GAEDial, PPOClipExplorer

__all__ = [
    "STATIC_NOTE",
    "WIDGET_VIEW_MIME",
    "BanditTrainer",
    "CatalogEntry",
    "CostThresholdExplorer",
    "Demo",
    "DiracGAN",
    "FairnessTradeoff",
    "GAEDial",
    "GANTraining2D",
    "GaussianGAN1D",
    "KLAsymmetryExplorer",
    "LearningRateExplorer",
    "LinkedLandscape",
    "MarginLossAtlas",
    "OutlierTugOfWar",
    "PGDExplorer",
    "PPOClipExplorer",
    "ParameterExplorer",
    "PinballExplorer",
    "RegularizationGeometry",
    "RobustFamilyExplorer",
    "ThresholdExplorer",
    "ThresholdLandscape",
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
        # short runs keep the headless tests cheap; the notebook passes its own runs
        CatalogEntry(GANTraining2D, "05_gans",
                     {"train_kwargs": {"steps": 300, "snapshot_every": 25}}),
        CatalogEntry(PPOClipExplorer, "06_rl"),
        CatalogEntry(GAEDial, "06_rl"),
        CatalogEntry(BanditTrainer, "06_rl"),
        CatalogEntry(FairnessTradeoff, "07_fairness"),
        CatalogEntry(ThresholdLandscape, "07_fairness"),
        CatalogEntry(KLAsymmetryExplorer, "08_designing_losses"),
        CatalogEntry(PGDExplorer, "08_designing_losses"),
    ]
    return {entry.cls.__name__: entry for entry in entries}
