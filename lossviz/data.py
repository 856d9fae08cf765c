"""Seeded synthetic data and the datasets that ship with scikit-learn.

Every generator takes a ``seed`` and returns the same arrays for the same arguments.
The real datasets (diabetes, breast cancer, digits) are read from scikit-learn's
installed files with ``sklearn.datasets.load_*``; nothing is downloaded at run time.

>>> from lossviz import data
>>> x, y = data.linear_1d(20, seed=0)
>>> x.shape, y.shape
((20,), (20,))
>>> split = data.load_breast_cancer(seed=0)
>>> split.X_train.shape[1]
30
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from .losses._core import FloatArray, as_float_array, check_in_interval, check_real

__all__ = [
    "LOAN_FEATURES",
    "LoanData",
    "Split",
    "breast_cancer",
    "diabetes",
    "digits",
    "digits_real_vs_fake",
    "heteroscedastic_1d",
    "imbalanced_blobs",
    "linear_1d",
    "load_breast_cancer",
    "load_diabetes",
    "load_digits",
    "loan_approval",
    "one_param_regression",
    "polynomial_data",
    "polynomial_features",
    "polynomial_truth",
    "split",
    "standardize",
    "two_blobs",
    "two_moons",
]


def _check_n(n: int, name: str = "n", minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {n!r}.")
    return int(n)


# --------------------------------------------------------------------------------------
# Synthetic generators
# --------------------------------------------------------------------------------------


def one_param_regression(
    n: int = 20, *, theta: float = 1.5, noise: float = 0.5, x_range: tuple[float, float] = (0.0, 3.0),
    mean_x2: float | None = None, seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """Data for the one-parameter model ŷ = θ x (no intercept): y = θ x + noise.

    Returns ``(x, y)``, both of shape (n,), sorted by x; x is uniform on ``x_range``, the
    noise Gaussian with standard deviation ``noise``. The least-squares θ is ``Σ x y / Σ x²``.
    With ``mean_x2`` the x values are rescaled (before y is made) so that mean(x²) equals it:
    the MSE's curvature is then L''(θ) = 2·mean_x2 exactly. Chapter 00 and its demos use
    ``one_param_regression(12, noise=0.6, x_range=(0.3, 3.2), mean_x2=5.0)``, so that
    1/L'' = 0.1 and 2/L'' = 0.2.
    """
    n = _check_n(n)
    theta = check_real(theta, "theta")
    noise = check_in_interval(noise, "noise", 0.0, np.inf, closed="left")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(*x_range, size=n))
    if mean_x2 is not None:
        mean_x2 = check_in_interval(mean_x2, "mean_x2", 0.0, np.inf)
        x *= np.sqrt(mean_x2 / np.mean(x**2))
    y = theta * x + rng.normal(0.0, noise, size=n)
    return x, y


def linear_1d(
    n: int = 50, *, slope: float = 2.0, intercept: float = 1.0, noise: float = 1.0,
    outliers: int = 0, outlier_shift: float = 15.0, seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """A noisy line y = slope · x + intercept + ε on x ∈ [0, 5], optionally with outliers.

    Args:
        n: number of points.
        noise: standard deviation of the Gaussian noise ε.
        outliers: how many points (the ones with the largest x) are moved up by
            ``outlier_shift``, so that they pull a least-squares fit.
        seed: random seed.

    Returns: ``(x, y)`` sorted by x, both of shape (n,).
    """
    n = _check_n(n)
    noise = check_in_interval(noise, "noise", 0.0, np.inf, closed="left")
    if isinstance(outliers, bool) or not isinstance(outliers, (int, np.integer)) or not (
        0 <= outliers <= n
    ):
        raise ValueError(f"outliers must be an integer in 0..n={n}; got {outliers!r}.")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 5.0, size=n))
    y = slope * x + intercept + rng.normal(0.0, noise, size=n)
    if outliers:
        y[n - outliers :] += outlier_shift
    return x, y


def heteroscedastic_1d(
    n: int = 100, *, slope: float = 0.6, intercept: float = 1.0, noise: float = 0.3,
    noise_growth: float = 0.25, x_range: tuple[float, float] = (0.0, 10.0), seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """A noisy line whose spread grows with x: y = a + b·x + (noise + noise_growth·x)·ε.

    Here a = ``intercept``, b = ``slope`` and ε is standard normal. The spread fans out to
    the right, so the conditional τ-quantiles are lines with different slopes:
    q_τ(x) = a + noise·z_τ + (b + noise_growth·z_τ)·x, with z_τ = Φ⁻¹(τ) the standard
    normal quantile. Chapter 01 fits them with the pinball loss.

    Args:
        n: number of points.
        slope, intercept: the line of conditional means (and medians).
        noise: standard deviation of the noise at x = 0, >= 0.
        noise_growth: how much the standard deviation grows per unit of x, >= 0.
        x_range: x is uniform on this interval ``(low, high)`` with ``0 <= low < high``,
            so the spread only grows across it.
        seed: random seed.

    Returns: ``(x, y)`` sorted by x, both of shape (n,).

    >>> x, y = heteroscedastic_1d(100, seed=0)
    >>> x.shape, bool(np.all(np.diff(x) >= 0))
    ((100,), True)
    """
    n = _check_n(n)
    slope = check_real(slope, "slope")
    intercept = check_real(intercept, "intercept")
    noise = check_in_interval(noise, "noise", 0.0, np.inf, closed="left")
    noise_growth = check_in_interval(noise_growth, "noise_growth", 0.0, np.inf, closed="left")
    low, high = (check_real(v, "x_range") for v in x_range)
    if not 0.0 <= low < high:
        raise ValueError(f"x_range must be (low, high) with 0 <= low < high; got {x_range!r}.")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(low, high, size=n))
    y = intercept + slope * x + (noise + noise_growth * x) * rng.normal(size=n)
    return x, y


def polynomial_truth(x: ArrayLike) -> FloatArray:
    """The true curve of the over-fitting example, f(x) = sin(πx): one period on [−1, 1].

    Smooth but not a polynomial, so every polynomial degree has some bias; a degree-12 fit
    to 20 noisy points over-fits badly (chapter 04).
    """
    return np.sin(np.pi * as_float_array(x, "x"))


def polynomial_data(
    n: int = 20, *, noise: float = 0.3, x_range: tuple[float, float] = (-1.0, 1.0),
    seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """Noisy samples of :func:`polynomial_truth` for the over-fitting example (chapter 04).

    ``x`` is uniform on ``x_range`` and sorted; ``y = sin(πx) + ε`` with Gaussian ε of
    standard deviation ``noise``. Fit polynomials of :func:`polynomial_features` to it.

    Args:
        n: number of points.
        noise: standard deviation of ε, >= 0.
        x_range: ``(low, high)`` with ``low < high``.
        seed: random seed.

    Returns: ``(x, y)``, both of shape (n,), sorted by x.

    >>> x, y = polynomial_data(20, seed=0)
    >>> x.shape, bool(np.all(np.diff(x) >= 0))
    ((20,), True)
    """
    n = _check_n(n)
    noise = check_in_interval(noise, "noise", 0.0, np.inf, closed="left")
    low, high = (check_real(v, "x_range") for v in x_range)
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high; got {x_range!r}.")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(low, high, size=n))
    return x, polynomial_truth(x) + rng.normal(0.0, noise, size=n)


def polynomial_features(x: ArrayLike, degree: int, *, include_bias: bool = False) -> FloatArray:
    """The powers of a 1-D ``x``: columns ``x, x², ..., x^degree`` (and a column of ones first
    with ``include_bias``), as scikit-learn's ``PolynomialFeatures(degree)`` for one feature.

    The powers are strongly correlated and of very different scales: standardise them
    (:func:`standardize`) before a penalised fit, so that λ treats every column alike.

    Args:
        x: inputs, 1-D.
        degree: the highest power, >= 1.
        include_bias: prepend the column ``x⁰ = 1``.

    Returns: an array of shape ``(len(x), degree)`` (``degree + 1`` with the bias column).

    >>> polynomial_features([1.0, 2.0], 3).tolist()
    [[1.0, 1.0, 1.0], [2.0, 4.0, 8.0]]
    """
    x = as_float_array(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D; got shape {x.shape}.")
    degree = _check_n(degree, "degree")
    return x[:, None] ** np.arange(0 if include_bias else 1, degree + 1)[None, :]


def two_blobs(
    n: int = 200, *, imbalance: float = 0.5, separation: float = 2.0, seed: int = 0
) -> tuple[FloatArray, FloatArray]:
    """Two Gaussian blobs in 2-D for binary classification.

    Args:
        n: total number of points.
        imbalance: fraction of positives (label 1), in (0, 1); ``0.1`` gives a 9:1 split.
        separation: distance between the blob centres (unit-variance blobs).

    Returns: ``X`` (n, 2) and ``y`` (n,) with values 0.0 / 1.0, shuffled.
    """
    n = _check_n(n, minimum=2)
    imbalance = check_in_interval(imbalance, "imbalance", 0.0, 1.0)
    rng = np.random.default_rng(seed)
    n_pos = min(max(round(n * imbalance), 1), n - 1)
    centre = np.array([separation / 2.0, 0.0])
    X = np.vstack(
        [rng.normal(size=(n - n_pos, 2)) - centre, rng.normal(size=(n_pos, 2)) + centre]
    )
    y = np.concatenate([np.zeros(n - n_pos), np.ones(n_pos)])
    order = rng.permutation(n)
    return X[order], y[order]


def imbalanced_blobs(
    n: int = 400, *, minority_fraction: float = 0.1, separation: float = 2.0, seed: int = 0
) -> tuple[FloatArray, FloatArray]:
    """Two unit-variance Gaussian blobs in 2-D where label 1 is the rare class.

    The majority (label 0) is centred at ``(-separation / 2, 0)``, the minority (label 1)
    at ``(+separation / 2, 0)``. The minority has exactly
    ``min(n // 2, max(1, floor(n * minority_fraction + 0.5)))`` examples (rounded half
    up, at least one, never more than the majority), the majority the rest. Points are nested across ``minority_fraction``: with the
    same ``n`` and ``seed``, raising the fraction only turns majority points into new
    minority points; every other point keeps its coordinates, its label and its row, so an
    imbalance slider changes only the points that switch class. Chapter 02 uses it for
    class weights and focal loss.

    Args:
        n: total number of points, at least 2.
        minority_fraction: fraction of label-1 points, in (0, 0.5].
        separation: distance between the two centres (>= 0; 0 makes the classes
            indistinguishable).
        seed: random seed.

    Returns: ``X`` (n, 2) and ``y`` (n,) with values 0.0 / 1.0, shuffled.

    >>> X, y = imbalanced_blobs(200, minority_fraction=0.05, seed=0)
    >>> X.shape, int(y.sum())
    ((200, 2), 10)
    """
    n = _check_n(n, minimum=2)
    minority_fraction = check_in_interval(
        minority_fraction, "minority_fraction", 0.0, 0.5, closed="right")
    separation = check_in_interval(separation, "separation", 0.0, np.inf, closed="left")
    n_min = min(n // 2, max(1, int(np.floor(n * minority_fraction + 0.5))))
    rng = np.random.default_rng(seed)
    # two fixed noise pools and one fixed shuffle, none depending on the fraction: row i is
    # majority[i] or minority[i], so the points are nested across minority_fraction
    majority = rng.normal(size=(n, 2))
    minority = rng.normal(size=(n, 2))
    order = rng.permutation(n)
    y = (np.arange(n) >= n - n_min).astype(np.float64)
    centre = np.array([separation / 2.0, 0.0])
    X = np.where(y[:, None] == 1.0, minority + centre, majority - centre)
    return X[order], y[order]


def two_moons(n: int = 200, *, noise: float = 0.2, seed: int = 0) -> tuple[FloatArray, FloatArray]:
    """scikit-learn's ``make_moons``: a binary problem no linear model separates (for the MLP)."""
    from sklearn.datasets import make_moons

    n = _check_n(n, minimum=2)
    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return X.astype(np.float64), y.astype(np.float64)


# --------------------------------------------------------------------------------------
# Splits and the scikit-learn datasets
# --------------------------------------------------------------------------------------


@dataclass
class Split:
    """Train / validation / test arrays of one dataset (test arrays may be empty)."""

    X_train: FloatArray
    y_train: FloatArray
    X_val: FloatArray
    y_val: FloatArray
    X_test: FloatArray
    y_test: FloatArray
    feature_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    description: str = ""
    #: (x_mean, x_std[, y_mean, y_std]) of the training data if standardised, else None
    scaling: tuple[FloatArray, ...] | None = None


def standardize(
    X_train: ArrayLike, *others: ArrayLike
) -> tuple[FloatArray, ...]:
    """Scale features to zero mean and unit variance using the *training* statistics only.

    Returns the scaled ``X_train``, then each of ``others``, then the tuple ``(mean, std)``.
    Constant columns are left centred (their std is treated as 1).
    """
    X_train = as_float_array(X_train, "X_train")
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    scaled = [(X_train - mean) / std]
    for i, X in enumerate(others):
        scaled.append((as_float_array(X, f"others[{i}]", allow_empty=True) - mean) / std)
    return (*scaled, (mean, std))


def _count(size: float | int | None, n: int, name: str) -> int | None:
    """A split size as a number of examples: an int is a count, a float a fraction of n."""
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a fraction (float) or a count (int); got {size!r}.")
    if isinstance(size, (int, np.integer)):
        count = int(size)
    else:
        check_in_interval(float(size), name, 0.0, 1.0, closed="left")
        count = round(float(size) * n)
    if not 0 <= count <= n:
        raise ValueError(f"{name} must select between 0 and {n} examples; got {size!r}.")
    return count


def split(
    X: ArrayLike, y: ArrayLike, *, val_size: float | int = 0.2, test_size: float | int = 0.2,
    n_train: int | None = None, n_val: int | None = None, n_test: int | None = None,
    stratify: bool = False, standardize_features: bool = True,
    standardize_target: bool = False, seed: int = 0,
) -> Split:
    """Shuffle and split into train / validation / test, optionally standardising.

    Sizes: ``val_size`` and ``test_size`` are fractions of the whole dataset (float) or
    counts (int); ``n_val`` / ``n_test`` are counts that override them. With ``n_train``
    the training set has exactly that many examples and, unless ``n_test`` is given, the
    test set takes all the rest. ``test_size=0`` gives empty test arrays. With ``stratify``
    every part keeps the class proportions. Standardisation uses training statistics only;
    ``standardize_target`` (regression) also scales ``y`` (its mean and std are then in
    ``scaling`` as ``(x_mean, x_std, y_mean, y_std)``).
    """
    from sklearn.model_selection import train_test_split

    X = as_float_array(X, "X")
    y = as_float_array(y, "y")
    n = X.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"y must have {n} rows, one per row of X; got shape {y.shape}.")
    n_val_c = n_val if n_val is not None else _count(val_size, n, "val_size")
    n_val_c = _count(n_val_c, n, "n_val")
    if n_train is not None:
        n_train_c = _count(n_train, n, "n_train")
        n_test_c = n - n_train_c - n_val_c if n_test is None else _count(n_test, n, "n_test")
    else:
        n_test_c = _count(n_test if n_test is not None else test_size, n, "test_size")
        n_train_c = n - n_val_c - n_test_c
    if n_train_c < 1 or n_test_c < 0 or n_train_c + n_val_c + n_test_c > n:  # type: ignore[operator]
        raise ValueError(
            f"cannot split {n} examples into {n_train_c} train, {n_val_c} validation and "
            f"{n_test_c} test examples; make the sizes smaller."
        )
    strat = y if stratify else None
    idx = np.arange(n)
    rest, test = (idx, idx[:0]) if n_test_c == 0 else train_test_split(
        idx, test_size=n_test_c, train_size=n - n_test_c, random_state=seed, stratify=strat)
    strat_rest = y[rest] if stratify else None
    if n_val_c == 0:
        train, val = rest[:n_train_c], rest[:0]
    else:
        train, val = train_test_split(rest, test_size=n_val_c, train_size=n_train_c,
                                      random_state=seed + 1, stratify=strat_rest)
    X_train, X_val, X_test = X[train], X[val], X[test]
    y_train, y_val, y_test = y[train], y[val], y[test]
    scaling = None
    if standardize_features:
        X_train, X_val, X_test, (mean, std) = standardize(X_train, X_val, X_test)
        scaling = (mean, std)
    if standardize_target:
        y_mean, y_std = float(y_train.mean()), float(y_train.std()) or 1.0
        y_train, y_val, y_test = ((v - y_mean) / y_std for v in (y_train, y_val, y_test))
        scaling = (*(scaling or (np.zeros(X.shape[1:]), np.ones(X.shape[1:]))),
                   np.asarray(y_mean), np.asarray(y_std))
    return Split(X_train, y_train, X_val, y_val, X_test, y_test, scaling=scaling)


def _load(loader_name: str, stratify: bool, **kwargs: object) -> Split:
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader_name)()  # bundled files: no download
    target = bunch.target
    target_names = [str(t) for t in getattr(bunch, "target_names", [])]
    if loader_name == "load_breast_cancer" and kwargs.pop("malignant_is_positive"):
        # scikit-learn codes malignant as 0; the course's positive class is the disease
        target = 1 - target
        target_names = target_names[::-1]
    result = split(bunch.data, target, stratify=stratify, **kwargs)  # type: ignore[arg-type]
    result.feature_names = [str(f) for f in bunch.feature_names]
    result.target_names = target_names
    result.description = bunch.DESCR
    return result


def load_diabetes(
    *, val_size: float | int = 0.2, test_size: float | int = 0.2, n_train: int | None = None,
    n_val: int | None = None, n_test: int | None = None, standardize_features: bool = True,
    standardize_target: bool = True, seed: int = 0,
) -> Split:
    """scikit-learn's diabetes regression data (442 patients, 10 features, progression after a year).

    The target is standardised too by default (mean 0, std 1 on the training set), so an
    MSE of 1 means "no better than predicting the mean"; ``split.scaling[2:]`` holds its
    mean and std.
    """
    return _load("load_diabetes", False, val_size=val_size, test_size=test_size,
                 n_train=n_train, n_val=n_val, n_test=n_test,
                 standardize_features=standardize_features,
                 standardize_target=standardize_target, seed=seed)


def load_breast_cancer(
    *, val_size: float | int = 0.2, test_size: float | int = 0.2, n_train: int | None = None,
    n_val: int | None = None, n_test: int | None = None, standardize_features: bool = True,
    malignant_is_positive: bool = True, seed: int = 0,
) -> Split:
    """scikit-learn's Wisconsin breast-cancer data (569 tumours, 30 features), stratified.

    Labels: 1 = malignant, 0 = benign (the disease is the positive class, so recall is the
    fraction of cancers found). ``malignant_is_positive=False`` keeps scikit-learn's coding
    (0 = malignant, 1 = benign).
    """
    return _load("load_breast_cancer", True, val_size=val_size, test_size=test_size,
                 n_train=n_train, n_val=n_val, n_test=n_test,
                 standardize_features=standardize_features,
                 malignant_is_positive=malignant_is_positive, seed=seed)


def load_digits(
    *, val_size: float | int = 0.2, test_size: float | int = 0.2, n_train: int | None = None,
    n_val: int | None = None, n_test: int | None = None, standardize_features: bool = True,
    seed: int = 0,
) -> Split:
    """scikit-learn's 8×8 handwritten digits (1797 images, 64 pixel features, classes 0-9).

    Labels are integer class indices 0-9 (stored as floats); splits are stratified.
    """
    return _load("load_digits", True, val_size=val_size, test_size=test_size,
                 n_train=n_train, n_val=n_val, n_test=n_test,
                 standardize_features=standardize_features, seed=seed)


#: Short aliases used in the chapters.
diabetes = load_diabetes
breast_cancer = load_breast_cancer
digits = load_digits


def digits_real_vs_fake(
    seed: int = 0, test_size: float = 0.5
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Real 8×8 digits against a "generator" with the right pixel marginals, for a discriminator.

    The real images are all 1797 of scikit-learn's digits (bundled, nothing is downloaded).
    The generator draws 1797 fake images, each pixel independently from that pixel's
    empirical distribution over the real images (a value of column ``j`` picked uniformly
    at random): every pixel has exactly the right marginal, but the pixels are independent,
    so the strokes that make a digit are gone. The two sets are stacked, labelled, and
    split into a training and a held-out part with the same fraction of real images
    (stratified), for training a discriminator and measuring it on examples it did not see.

    Because every pixel's mean is the same in both sets, a discriminator that is linear in
    the pixels (logistic regression on the raw pixels) is no better than chance; one that
    sees products of pixels (their correlations) tells the sets apart.

    Args:
        seed: seeds both the fake images and the split; the same seed gives the same arrays.
        test_size: the fraction of the 3594 images held out, in (0, 1).

    Returns:
        ``(X_train, y_train, X_test, y_test)``: pixel intensities 0-16 (float64, not
        standardised), shape ``(n, 64)``, and labels 1.0 for a real image, 0.0 for a
        generated one. With the defaults, 1797 images each (898 real and 899 generated held
        out).

    Example:
        >>> X_train, y_train, X_test, y_test = digits_real_vs_fake(seed=0)
        >>> X_train.shape, X_test.shape, int(y_test.sum())
        ((1797, 64), (1797, 64), 898)
    """
    import sklearn.datasets
    from sklearn.model_selection import train_test_split

    seed = _check_n(seed, "seed", minimum=0)
    test_size = check_in_interval(test_size, "test_size", 0.0, 1.0)
    real = np.asarray(sklearn.datasets.load_digits().data, dtype=np.float64)  # bundled file
    n, d = real.shape
    rng = np.random.default_rng(seed)
    # pixel j of every fake image: a value of column j from a random real image, drawn
    # independently for each pixel (the right marginals, none of the correlations)
    fake = real[rng.integers(0, n, size=(n, d)), np.arange(d)]
    X = np.vstack([real, fake])
    y = np.concatenate([np.ones(n), np.zeros(n)])
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y)
    return X_train, y_train, X_test, y_test


# --------------------------------------------------------------------------------------
# A biased loan-approval history (chapter 07, fairness)
# --------------------------------------------------------------------------------------

#: The columns of ``LoanData.X``, in order.
LOAN_FEATURES: tuple[str, ...] = ("income", "savings", "debt_ratio", "neighbourhood")


@dataclass(frozen=True, eq=False)
class LoanData:
    """Applicants, their group and the historical decisions of :func:`loan_approval`.

    Attributes:
        X: the four recorded features, shape ``(n, 4)``, columns :data:`LOAN_FEATURES`
            (each roughly in standard-deviation units).
        y: the historical decision, 1.0 = approved, 0.0 = refused, shape ``(n,)``: the
            label a model is trained on.
        group: the sensitive attribute A, 0.0 or 1.0, shape ``(n,)``; not a column of ``X``.
        qualified: 1.0 if the applicant would have repaid the loan, shape ``(n,)``: the
            truth the historical decisions should have followed (never seen in training).
        approval_probability: P(y = 1 | x, a), the exact probability of approval under
            the generating process, shape ``(n,)``: a score that is perfectly calibrated
            within each group.
        feature_names: the column names of ``X``.
    """

    X: FloatArray
    y: FloatArray
    group: FloatArray
    qualified: FloatArray
    approval_probability: FloatArray
    feature_names: tuple[str, ...] = LOAN_FEATURES

    @property
    def n(self) -> int:
        """The number of applicants."""
        return int(self.y.size)


def loan_approval(
    n: int = 2000, *, group_fraction: float = 0.4, pay_gap: float = 0.8,
    label_bias: float = 1.0, seed: int = 0,
) -> LoanData:
    r"""A synthetic, seeded loan-approval history in which a sensitive attribute shapes both
    the features and the labels.

    The story. Applicants belong to group A = 0 or A = 1 (a fraction ``group_fraction`` of
    them, exactly rounded, in group 1). Their true creditworthiness z ~ N(0, 1) has the
    *same* distribution in both groups, and so does the chance of repaying a loan. But
    the records are not neutral: group 1's recorded income is lower by ``pay_gap`` for the
    same creditworthiness (historical pay gaps), group 1 lives in other neighbourhoods,
    and the loan officers whose decisions are the labels held group membership against
    applicants beyond anything in the records (``label_bias``). A model trained on these
    labels learns the bias, partly through the neighbourhood proxy, even though A is not
    one of its inputs. The generating process, with independent standard normal
    :math:`\varepsilon_1, \dots, \varepsilon_4` and :math:`\sigma(t) = 1/(1 + e^{-t})`:

    .. math::
        \text{income} &= 0.8 z + 0.6 \varepsilon_1 - \text{pay\_gap}\cdot a \\
        \text{savings} &= 0.7 z + 0.7 \varepsilon_2 \\
        \text{debt\_ratio} &= -0.5 z + 0.85 \varepsilon_3 \\
        \text{neighbourhood} &= 1.2 a - 0.5 + 0.8 \varepsilon_4 \\
        \eta &= 0.4 + 1.8\,(0.7\,\text{income} + 0.6\,\text{savings}
                - 0.4\,\text{debt\_ratio}) - \text{label\_bias}\cdot a \\
        y &\sim \text{Bernoulli}(\sigma(\eta)), \qquad
        \text{qualified} \sim \text{Bernoulli}(\sigma(2.5 z)).

    So the historical approvals depend on the recorded features *and* on a, while the
    true qualification depends on z alone. ``approval_probability`` is σ(η), which is
    P(y = 1 | x, a) exactly: a score calibrated within each group. With the defaults
    (n = 2000, seed 0) 40 % of applicants are in group 1, 56.4 % of group 0 and 28.3 %
    of group 1 were approved (different base rates), while 47.8 % and 49.8 % are
    qualified.

    The random draws do not depend on ``pay_gap`` or ``label_bias``: with the same ``n``,
    ``group_fraction`` and ``seed`` every applicant keeps its group, z, the noise and the
    uniform numbers behind y and ``qualified``, so changing the gap or the bias changes
    only what it should.

    Args:
        n: number of applicants, at least 2 (both groups are non-empty).
        group_fraction: the fraction of applicants in group 1, in (0, 1).
        pay_gap: how much lower group 1's recorded income is, in standard deviations of
            income (a real number; 0 removes the gap).
        label_bias: how much the historical decisions held a = 1 against an applicant, on
            the log-odds scale (a real number; 0 means decisions followed the records).
        seed: random seed.

    Returns:
        A :class:`LoanData` with ``X`` of shape (n, 4) and ``y``, ``group``,
        ``qualified``, ``approval_probability`` of shape (n,).

    >>> data = loan_approval(2000, seed=0)
    >>> data.X.shape, float(data.group.mean())
    ((2000, 4), 0.4)
    """
    from scipy.special import expit

    n = _check_n(n, minimum=2)
    group_fraction = check_in_interval(group_fraction, "group_fraction", 0.0, 1.0)
    pay_gap = check_real(pay_gap, "pay_gap")
    label_bias = check_real(label_bias, "label_bias")
    rng = np.random.default_rng(seed)
    n1 = min(max(round(n * group_fraction), 1), n - 1)
    a = rng.permutation(np.r_[np.zeros(n - n1), np.ones(n1)])
    z = rng.normal(size=n)
    eps = rng.normal(size=(n, 4))
    u_label, u_qualified = rng.random(n), rng.random(n)
    income = 0.8 * z + 0.6 * eps[:, 0] - pay_gap * a
    savings = 0.7 * z + 0.7 * eps[:, 1]
    debt_ratio = -0.5 * z + 0.85 * eps[:, 2]
    neighbourhood = 1.2 * a - 0.5 + 0.8 * eps[:, 3]
    eta = 0.4 + 1.8 * (0.7 * income + 0.6 * savings - 0.4 * debt_ratio) - label_bias * a
    probability = expit(eta)  # stable for any η
    y = (u_label < probability).astype(np.float64)
    qualified = (u_qualified < expit(2.5 * z)).astype(np.float64)
    X = np.column_stack([income, savings, debt_ratio, neighbourhood])
    return LoanData(X, y, a, qualified, probability)
