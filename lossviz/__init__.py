"""lossviz: the helper package of the course *Loss Functions, Interactively*.

Subpackages are imported on demand so that ``import lossviz.losses`` stays light
(numpy and SciPy only):

- :mod:`lossviz.losses`    numerically stable losses with gradients, and their registry
- :mod:`lossviz.widgets`   the interactive demos (matplotlib + ipywidgets)
- :mod:`lossviz.style`     the book's figure style and colour palette
- :mod:`lossviz.models`, :mod:`lossviz.train`   tiny numpy models and optimisers
- :mod:`lossviz.data`      seeded synthetic data and scikit-learn's bundled datasets
- :mod:`lossviz.metrics`   accuracy, precision, recall, F1, ROC AUC
- :mod:`lossviz.robust`, :mod:`lossviz.regularization`, :mod:`lossviz.optimization`,
  :mod:`lossviz.gan`, :mod:`lossviz.rl`, :mod:`lossviz.fairness`   the numerical core of
  chapters 01 and 03-07
- :mod:`lossviz.exercises` the exercise checks used by the chapters
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
