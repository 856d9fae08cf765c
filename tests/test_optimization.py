"""lossviz.optimization: rates against theory, optimizers against lossviz.train, the variance
law of mini-batches, landscape invariance under rescaling, and the diabetes conditioning."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from lossviz import data
from lossviz import optimization as O
from lossviz.models import MLP
from lossviz.robust import fit_line
from lossviz.train import GD, Adam, Momentum, fit


def numeric_grad(f, x, h=1e-6):  # type: ignore[no-untyped-def]
    out = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        out[j] = (f(x + e) - f(x - e)) / (2 * h)
    return out


# --------------------------------------------------------------------------------------
# Quadratic and the rate of gradient descent
# --------------------------------------------------------------------------------------


def test_quadratic_knows_its_curvature_and_critical_steps() -> None:
    q = O.Quadratic([[3.0, 1.0], [1.0, 3.0]], [1.0, -1.0])
    np.testing.assert_allclose(q.eigenvalues, [2.0, 4.0])
    assert (q.mu, q.L, q.condition_number) == pytest.approx((2.0, 4.0, 2.0))
    assert q.max_stable_lr == pytest.approx(0.5) and q.optimal_lr == pytest.approx(1 / 3)
    np.testing.assert_allclose(q.A @ q.minimizer, q.b)
    np.testing.assert_allclose(q.grad(q.minimizer), 0.0, atol=1e-15)
    assert q.loss(q.minimizer) == pytest.approx(q.min_value)


def test_quadratic_gradient_is_a_finite_difference_and_works_on_grids() -> None:
    q = O.Quadratic.from_condition(20.0, L=3.0, angle=0.7, b=[0.5, -1.0])
    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(q.grad(x), numeric_grad(q.loss, x), rtol=1e-7)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3)), axis=-1)
    values = q.loss(grid)
    assert values.shape == (3, 4)
    assert values[1, 2] == pytest.approx(q.loss(grid[1, 2]))
    assert q.grad(grid).shape == (3, 4, 2)


def test_from_condition_sets_kappa_and_l() -> None:
    q = O.Quadratic.from_condition(50.0, L=2.0, angle=1.0)
    assert q.condition_number == pytest.approx(50.0) and q.L == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("A", "b", "match"),
    [([[1.0, 2.0], [0.0, 1.0]], None, "symmetric"), ([[1.0, 0.0], [0.0, -1.0]], None,
     "positive definite"), ([1.0, 2.0], None, "square"), ([[1.0, 0.0], [0.0, 1.0]], [1.0], "b"),
     ([[np.nan, 0.0], [0.0, 1.0]], None, "A")],
)
def test_quadratic_rejects_bad_matrices(A, b, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=match):
        O.Quadratic(A, b)


@pytest.mark.parametrize("kappa", [1.5, 10.0, 100.0, 1000.0])
def test_gd_at_the_optimal_step_converges_at_the_theoretical_rate(kappa: float) -> None:
    q = O.Quadratic.from_condition(kappa, angle=0.4, b=[0.2, 0.1])
    run = O.run_optimizer(q.grad, [1.0, -2.0], GD(q.optimal_lr), 300, loss_fn=q.loss)
    errors = np.linalg.norm(run.path - q.minimizer, axis=1)
    theory = (kappa - 1) / (kappa + 1)
    assert O.gd_rate(q.mu, q.L) == pytest.approx(theory)
    assert O.empirical_rate(errors) == pytest.approx(theory, rel=1e-6)   # measured: ~1e-8


@pytest.mark.parametrize("fraction", [0.5, 1.0, 1.5, 1.9])
def test_gd_rate_for_other_steps_is_max_of_one_minus_eta_lambda(fraction: float) -> None:
    q = O.Quadratic.from_condition(10.0, angle=0.3)
    lr = fraction / q.L
    run = O.run_optimizer(q.grad, [1.0, 1.0], GD(lr), 400, loss_fn=q.loss)
    errors = np.linalg.norm(run.path - q.minimizer, axis=1)
    expected = max(abs(1 - lr * q.mu), abs(1 - lr * q.L))
    assert q.gd_rate(lr) == pytest.approx(expected)
    assert O.empirical_rate(errors, start=100) == pytest.approx(expected, rel=1e-6)


def test_between_one_and_two_over_l_the_steep_direction_oscillates() -> None:
    q = O.Quadratic.from_condition(10.0, angle=0.3)
    top = np.linalg.eigh(q.A)[1][:, -1]
    run = O.run_optimizer(q.grad, [1.0, 1.0], GD(1.5 / q.L), 20, loss_fn=q.loss)
    along = (run.path - q.minimizer) @ top
    assert np.all(np.sign(along[1:]) == -np.sign(along[:-1]))
    assert not run.diverged


def test_above_two_over_l_gd_diverges_at_rate_eta_l_minus_one_and_stops() -> None:
    q = O.Quadratic.from_condition(10.0, angle=0.3)
    lr = 2.2 / q.L
    run = O.run_optimizer(q.grad, [1.0, 1.0], GD(lr), 1000, loss_fn=q.loss, blow_up=1e10)
    assert run.diverged and run.n_steps < 1000 and "diverged at step" in run.message
    assert np.all(np.isfinite(run.losses)) and run.losses.max() <= 1e10
    errors = np.linalg.norm(run.path - q.minimizer, axis=1)
    assert O.empirical_rate(errors, start=20) == pytest.approx(1.2, rel=1e-6)


def test_gd_rate_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="L must be >= mu"):
        O.gd_rate(2.0, 1.0)
    with pytest.raises(ValueError, match="lr"):
        O.gd_rate(1.0, 2.0, 0.0)
    with pytest.raises(ValueError, match="errors"):
        O.empirical_rate([1.0, 1e-20])


# --------------------------------------------------------------------------------------
# run_optimizer: lossviz.train's update rules, bit for bit
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "optimizer",
    [GD(1e-3), Momentum(1e-3, 0.9), Adam(0.05), Adam(0.1, beta1=0.5, beta2=0.9, eps=1e-3)],
    ids=repr,
)
def test_run_optimizer_follows_lossviz_train_exactly(optimizer) -> None:  # type: ignore[no-untyped-def]
    surface = O.rosenbrock()
    run = O.run_optimizer(surface.grad, [-1.2, 1.0], optimizer, 50, loss_fn=surface.loss)
    assert run.n_steps == 50 and not run.diverged
    reference = type(optimizer)(**{k: v for k, v in vars(optimizer).items()
                                   if k in ("lr", "momentum", "beta1", "beta2", "eps")})
    params = {"x": np.array([-1.2, 1.0])}
    for k in range(50):
        reference.step(params, {"x": surface.grad(params["x"])})
        np.testing.assert_array_equal(run.path[k + 1], params["x"])
    assert run.losses[-1] == surface.loss(run.path[-1])


def test_run_optimizer_leaves_the_optimizer_and_the_start_alone() -> None:
    q = O.Quadratic.from_condition(5.0)
    opt, x0 = Momentum(0.1, 0.5), np.array([1.0, 2.0])
    first = O.run_optimizer(q.grad, x0, opt, 10, loss_fn=q.loss)
    second = O.run_optimizer(q.grad, x0, opt, 10, loss_fn=q.loss)
    np.testing.assert_array_equal(first.path, second.path)
    assert opt.velocity == {} and opt.t == 0
    np.testing.assert_array_equal(x0, [1.0, 2.0])


def test_momentum_and_adam_beat_gd_along_rosenbrocks_valley() -> None:
    surface = O.rosenbrock()
    final = {
        name: O.run_optimizer(surface.grad, [-1.2, 1.0], opt, 3000, loss_fn=surface.loss).losses[-1]
        for name, opt in (("gd", GD(1e-3)), ("momentum", Momentum(1e-3, 0.9)),
                          ("adam", Adam(0.05)))
    }
    assert final["gd"] > 1e-2
    assert final["momentum"] < 1e-9 and final["adam"] < 1e-9


def test_momentum_carries_over_the_ridge_of_the_two_well_surface() -> None:
    surface = O.two_well()
    gd = O.run_optimizer(surface.grad, [1.6, 1.0], GD(0.05), 500, loss_fn=surface.loss)
    heavy = O.run_optimizer(surface.grad, [1.6, 1.0], Momentum(0.05, 0.9), 500,
                            loss_fn=surface.loss)
    local, best = surface.minimizers[1], surface.minimizers[0]
    np.testing.assert_allclose(gd.path[-1], local, atol=1e-8)    # the nearer, shallower well
    np.testing.assert_allclose(heavy.path[-1], best, atol=1e-8)  # over the ridge, the deeper


def test_surfaces_have_zero_gradient_at_their_minima_and_match_finite_differences() -> None:
    for surface in (O.rosenbrock(1.5, 20.0), O.two_well(0.5, 3.0)):
        for point, value in zip(surface.minimizers, surface.min_values, strict=True):
            np.testing.assert_allclose(surface.grad(point), 0.0, atol=1e-12)
            assert surface.loss(point) == pytest.approx(value, abs=1e-15)
        x = np.array([0.3, -0.7])
        np.testing.assert_allclose(surface.grad(x), numeric_grad(surface.loss, x), rtol=1e-6)
    assert O.two_well().min_values[0] < O.two_well().min_values[1]


def test_run_optimizer_validates_its_arguments() -> None:
    q = O.Quadratic.from_condition(5.0)
    with pytest.raises(TypeError, match="optimizer"):
        O.run_optimizer(q.grad, [1.0, 1.0], "gd", 5, loss_fn=q.loss)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="steps"):
        O.run_optimizer(q.grad, [1.0, 1.0], GD(0.1), -1, loss_fn=q.loss)
    with pytest.raises(ValueError, match="grad_fn"):
        O.run_optimizer(lambda x: x[:1], [1.0, 1.0], GD(0.1), 5, loss_fn=q.loss)
    with pytest.raises(ValueError, match="x0"):
        O.run_optimizer(q.grad, [[1.0, 1.0]], GD(0.1), 5, loss_fn=q.loss)
    with pytest.raises(ValueError, match="clip"):
        O.run_optimizer(q.grad, [1.0, 1.0], GD(0.1), 5, loss_fn=q.loss, clip=0.0)
    with pytest.raises(ValueError, match="name"):
        O.make_optimizer("sgd", 0.1)


def test_make_optimizer_maps_momentum_to_adams_beta1() -> None:
    adam = O.make_optimizer("adam", 0.01, momentum=0.8)
    assert isinstance(adam, Adam) and adam.beta1 == 0.8 and adam.beta2 == 0.999
    assert isinstance(O.make_optimizer("momentum", 0.1, momentum=0.5), Momentum)
    assert isinstance(O.make_optimizer("gd", 0.1), GD)


# --------------------------------------------------------------------------------------
# Gradient clipping
# --------------------------------------------------------------------------------------


def test_clip_by_norm_shortens_long_gradients_and_keeps_their_direction() -> None:
    g = np.array([3.0, -4.0])
    np.testing.assert_allclose(O.clip_by_norm(g, 1.0), [0.6, -0.8])
    np.testing.assert_array_equal(O.clip_by_norm(g, 5.0), g)
    np.testing.assert_array_equal(O.clip_by_norm(np.zeros(3), 1.0), 0.0)
    assert O.clip_by_norm(g, 10.0) is not g
    with pytest.raises(ValueError, match="max_norm"):
        O.clip_by_norm(g, -1.0)


def test_clipping_tames_an_exploding_step_on_rosenbrock() -> None:
    surface = O.rosenbrock()
    wild = O.run_optimizer(surface.grad, [-2.0, -1.0], GD(1.5e-3), 5000, loss_fn=surface.loss)
    tamed = O.run_optimizer(surface.grad, [-2.0, -1.0], GD(1.5e-3), 5000,
                            loss_fn=surface.loss, clip=5.0)
    assert wild.diverged and wild.n_steps <= 3 and wild.grad_norms[0] > 4000
    assert not tamed.diverged and tamed.clipped[0] and tamed.losses[-1] < 1e-3
    assert np.linalg.norm(np.diff(tamed.path, axis=0), axis=1).max() <= 1.5e-3 * 5.0 + 1e-15


# --------------------------------------------------------------------------------------
# Subgradient descent
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    return data.two_blobs(200, separation=2.0, seed=0)


@pytest.fixture(scope="module")
def outliers() -> tuple[np.ndarray, np.ndarray]:
    x, y = data.linear_1d(100, outliers=10, seed=0)
    return x[:, None], y


def test_subgradient_hinge_gap_stays_under_the_bound_and_falls_like_one_over_sqrt_t(blobs) -> None:  # type: ignore[no-untyped-def]
    X, y = blobs
    run = O.subgradient_descent(X, y, "hinge", 10_000, lr0=0.1)
    assert np.all(run.gap <= run.bound + 1e-12)
    assert np.all(np.diff(run.best) <= 0) and run.gap[0] > 0.1
    assert -0.75 < run.decay_exponent(10) < -0.4          # measured: −0.58
    assert run.gap[10_000] * np.sqrt(10_000) < 2 * run.gap[100] * np.sqrt(100)


def test_subgradient_l1_optimum_is_the_exact_mae_line(outliers) -> None:  # type: ignore[no-untyped-def]
    X, y = outliers
    run = O.subgradient_descent(X, y, "l1", 2000, lr0=1.0)
    assert run.f_star == pytest.approx(fit_line(X[:, 0], y, "mae").objective, rel=1e-9)
    assert np.all(run.best >= run.f_star - 1e-9) and np.all(run.gap <= run.bound + 1e-12)


def test_a_constant_step_stalls_where_the_diminishing_step_keeps_going(outliers) -> None:  # type: ignore[no-untyped-def]
    X, y = outliers
    sqrt = O.subgradient_descent(X, y, "l1", 5000, lr0=1.0)
    constant = O.subgradient_descent(X, y, "l1", 5000, lr0=1.0, schedule="constant")
    assert constant.gap[5000] > 1e-2 and constant.gap[5000] > 0.5 * constant.gap[500]
    assert sqrt.gap[5000] < 1e-4
    np.testing.assert_allclose(sqrt.lrs[:3], [1.0, 1 / np.sqrt(2), 1 / np.sqrt(3)])


def test_subgradient_descent_validates_its_arguments(blobs) -> None:  # type: ignore[no-untyped-def]
    X, y = blobs
    with pytest.raises(ValueError, match="loss"):
        O.subgradient_descent(X, y, "mse")
    with pytest.raises(ValueError, match="schedule"):
        O.subgradient_descent(X, y, "hinge", schedule="cosine")
    with pytest.raises(ValueError, match="theta0"):
        O.subgradient_descent(X, y, "hinge", theta0=[0.0])
    with pytest.raises(ValueError, match="y_true"):
        O.subgradient_descent(X, 2 * y - 1, "hinge")  # labels must be 0/1


# --------------------------------------------------------------------------------------
# Mini-batch noise
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diabetes_with_ones() -> tuple[np.ndarray, np.ndarray]:
    X, y = O.diabetes_design(standardize=True)
    return np.column_stack([X, np.ones(len(y))]), y / 100


def test_minibatch_variance_follows_the_finite_population_law(diabetes_with_ones) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes_with_ones
    sizes = [1, 2, 5, 10, 50, 100, 200, 400, 442]
    result = O.minibatch_gradient_variance(X, y, np.zeros(11), sizes, n_draws=4000, seed=1)
    N = 442
    np.testing.assert_allclose(result.theory, result.per_example_variance / np.array(sizes)
                               * (N - np.array(sizes)) / (N - 1))
    inner = slice(0, -1)
    z = (result.variance[inner] - result.theory[inner]) / result.variance_se[inner]
    assert np.all(np.abs(z) < 4), z
    assert result.variance[-1] == pytest.approx(0.0, abs=1e-20)   # b = N: no noise at all
    # log-log slope of variance·(N − 1)/(N − b) against b is −1
    corrected = result.variance[inner] * (N - 1) / (N - np.array(sizes[:-1]))
    assert np.polyfit(np.log(sizes[:-1]), np.log(corrected), 1)[0] == pytest.approx(-1, abs=0.03)


def test_minibatch_full_gradient_is_the_mse_gradient(diabetes_with_ones) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes_with_ones
    w = np.linspace(-0.2, 0.2, 11)
    result = O.minibatch_gradient_variance(X, y, w, [5], n_draws=10)
    np.testing.assert_allclose(result.full_gradient, 2 * X.T @ (X @ w - y) / len(y), rtol=1e-12)


def test_minibatch_variance_works_for_classification_losses(blobs) -> None:  # type: ignore[no-untyped-def]
    X, y = blobs
    Xt = np.column_stack([X, np.ones(len(y))])
    result = O.minibatch_gradient_variance(Xt, y, np.array([0.5, -0.2, 0.1]), [4, 16],
                                           loss="bce_with_logits", n_draws=3000)
    z = (result.variance - result.theory) / result.variance_se
    assert np.all(np.abs(z) < 4)


def test_minibatch_variance_validates_its_arguments(diabetes_with_ones) -> None:  # type: ignore[no-untyped-def]
    X, y = diabetes_with_ones
    with pytest.raises(ValueError, match="batch_sizes"):
        O.minibatch_gradient_variance(X, y, np.zeros(11), [0, 5])
    with pytest.raises(ValueError, match="batch_sizes"):
        O.minibatch_gradient_variance(X, y, np.zeros(11), [443])
    with pytest.raises(ValueError, match="w must have shape"):
        O.minibatch_gradient_variance(X, y, np.zeros(3), [5])
    with pytest.raises(ValueError, match="element-wise"):
        O.minibatch_gradient_variance(X, y, np.zeros(11), [5], loss="softmax_cross_entropy")


# --------------------------------------------------------------------------------------
# Loss landscapes and filter normalization
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained() -> tuple[MLP, np.ndarray, np.ndarray]:
    X, y = data.two_moons(200, seed=0)
    model = MLP(2, (16,), 1, activation="relu", seed=0)
    fit(model, "bce_with_logits", X, y, optimizer=Adam(0.01), epochs=300)
    return model, X, y


@pytest.mark.parametrize("c", [0.1, 3.0, 10.0])
def test_rescaling_layers_preserves_every_prediction(trained, c) -> None:  # type: ignore[no-untyped-def]
    model, X, _ = trained
    rescaled = O.rescale_layers(model, c)
    np.testing.assert_allclose(rescaled.forward(X), model.forward(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rescaled.params["W1"], c * model.params["W1"])
    np.testing.assert_allclose(rescaled.params["W_out"], model.params["W_out"] / c)
    assert rescaled.params["W1"] is not model.params["W1"]


def test_rescaling_works_between_two_hidden_layers() -> None:
    model = MLP(3, (5, 4), 1, activation="relu", seed=2)
    X = np.random.default_rng(0).normal(size=(20, 3))
    np.testing.assert_allclose(O.rescale_layers(model, 7.0).forward(X), model.forward(X),
                               rtol=1e-12)


@pytest.mark.parametrize("c", [0.2, 5.0])
def test_raw_slices_change_under_rescaling_filter_normalized_ones_do_not(trained, c) -> None:  # type: ignore[no-untyped-def]
    model, X, y = trained
    rescaled = O.rescale_layers(model, c)
    raw = O.random_directions(model, seed=1, normalization=None)
    grid = np.linspace(-1, 1, 21)
    raw_a, raw_b = (O.loss_landscape_slice(m, X, y, "bce_with_logits", raw,
                                           normalization=None, grid=grid)
                    for m in (model, rescaled))
    filt_a, filt_b = (O.loss_landscape_slice(m, X, y, "bce_with_logits", raw,
                                             normalization="filter", grid=grid)
                      for m in (model, rescaled))
    assert np.max(np.abs(raw_a.losses - raw_b.losses)) > 0.05
    assert np.max(np.abs(filt_a.losses - filt_b.losses)) < 1e-10   # measured: ~1e-15
    assert filt_a.curvature() == pytest.approx(filt_b.curvature(), rel=1e-8)
    assert abs(np.log(raw_b.curvature() / raw_a.curvature())) > 0.5  # "sharper" or "flatter"


def test_two_dimensional_surfaces_are_invariant_too(trained) -> None:  # type: ignore[no-untyped-def]
    model, X, y = trained
    dirs = [O.random_directions(model, seed=s, normalization=None) for s in (1, 2)]
    grid = np.linspace(-0.5, 0.5, 7)
    a = O.loss_landscape_slice(model, X, y, "bce_with_logits", dirs, grid=grid)
    b = O.loss_landscape_slice(O.rescale_layers(model, 4.0), X, y, "bce_with_logits", dirs,
                               grid=grid)
    assert a.losses.shape == (7, 7)
    np.testing.assert_allclose(a.losses, b.losses, rtol=0, atol=1e-10)
    assert a.losses[3, 3] == pytest.approx(fit_loss(model, X, y))


def fit_loss(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    from lossviz import losses

    return float(losses.get("bce_with_logits")(y, model.forward(X)))


def test_filter_normalization_matches_each_neurons_norm_and_zeroes_biases(trained) -> None:  # type: ignore[no-untyped-def]
    model, _, _ = trained
    d = O.random_directions(model, seed=5)
    for key, theta in model.params.items():
        if key.startswith("W"):
            np.testing.assert_allclose(np.linalg.norm(d[key], axis=0),
                                       np.linalg.norm(theta, axis=0), rtol=1e-12)
        else:
            np.testing.assert_array_equal(d[key], 0.0)
    again = O.normalize_direction(d, model, "filter")
    for key in d:
        np.testing.assert_allclose(again[key], d[key], rtol=1e-14)
    raw = O.random_directions(model, seed=5, normalization=None)
    assert np.linalg.norm(raw["W1"]) != pytest.approx(np.linalg.norm(model.params["W1"]))
    np.testing.assert_array_equal(O.random_directions(model, 5)["W1"], d["W1"])


def test_the_slice_through_zero_is_the_models_loss_and_the_model_is_untouched(trained) -> None:  # type: ignore[no-untyped-def]
    model, X, y = trained
    before = model.copy_params()
    s = O.loss_landscape_slice(model, X, y, "bce_with_logits", O.random_directions(model, 3))
    assert s.losses[20] == pytest.approx(fit_loss(model, X, y)) and s.alphas[20] == 0
    assert s.losses[20] <= s.losses.min() + 0.05  # a trained model sits near a minimum
    for key, value in before.items():
        np.testing.assert_array_equal(model.params[key], value)


def test_landscape_functions_validate_their_arguments(trained) -> None:  # type: ignore[no-untyped-def]
    model, X, y = trained
    with pytest.raises(ValueError, match="relu"):
        O.rescale_layers(MLP(2, (4,), activation="tanh"), 2.0)
    with pytest.raises(ValueError, match="c must be > 0"):
        O.rescale_layers(model, 0.0)
    with pytest.raises(ValueError, match="normalization"):
        O.random_directions(model, 0, normalization="layer")
    with pytest.raises(TypeError, match="MLP"):
        O.random_directions("model", 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="keys"):
        O.normalize_direction({"W1": model.params["W1"]}, model)
    with pytest.raises(ValueError, match="one direction or a list of one or two"):
        O.loss_landscape_slice(model, X, y, "bce_with_logits", [O.random_directions(model)] * 3)


# --------------------------------------------------------------------------------------
# Input scaling on the diabetes data
# --------------------------------------------------------------------------------------


def test_diabetes_design_is_sklearns_raw_data_or_its_standard_scaling() -> None:
    X, y = O.diabetes_design()
    raw = load_diabetes(scaled=False)
    np.testing.assert_array_equal(X, raw.data)
    np.testing.assert_array_equal(y, raw.target)
    Z, _ = O.diabetes_design(standardize=True)
    np.testing.assert_allclose(Z, StandardScaler().fit_transform(raw.data), rtol=1e-12,
                               atol=1e-12)


def test_standardising_moves_the_condition_number_from_5e7_to_470() -> None:
    result = O.input_scaling_experiment()
    assert result.condition_raw == pytest.approx(5.2365e7, rel=1e-4)
    assert result.condition_standardized == pytest.approx(470.078, rel=1e-5)
    Z, _ = O.diabetes_design(standardize=True)
    assert O.condition_number(Z, fit_intercept=False) == pytest.approx(470.078, rel=1e-5)
    X, _ = O.diabetes_design()
    assert O.condition_number(X, fit_intercept=False) == pytest.approx(1.0303e6, rel=1e-4)
    assert result.steps_standardized == 1585 and result.steps_raw == 228_817_546
    assert result.speedup == pytest.approx(1.44e5, rel=1e-2)


def explicit_gd_steps(X: np.ndarray, y: np.ndarray, tol: float, limit: int) -> int:
    """Gradient descent on (1/2n)‖[X, 1]θ − y‖² from 0 with η = 1/L, step by step."""
    Xt = np.column_stack([X, np.ones(len(y))])
    H, c = Xt.T @ Xt / len(y), Xt.T @ y / len(y)
    lr = 1 / np.linalg.eigvalsh(H)[-1]
    best = LinearRegression().fit(X, y)
    theta_star = np.append(best.coef_, best.intercept_)

    def gap(theta: np.ndarray) -> float:
        d = theta - theta_star
        return 0.5 * d @ H @ d

    theta, first = np.zeros(Xt.shape[1]), gap(np.zeros(Xt.shape[1]))
    for k in range(1, limit + 1):
        theta = theta - lr * (H @ theta - c)
        if gap(theta) <= tol * first:
            return k
    return -1


@pytest.mark.parametrize(("standardize", "tol"), [(True, 1e-6), (True, 1e-3), (False, 1e-2)])
def test_the_exact_step_count_matches_explicit_gradient_descent(standardize, tol) -> None:  # type: ignore[no-untyped-def]
    X, y = O.diabetes_design(standardize)
    expected = O.gd_steps_to_tolerance(X, y, tol)
    assert explicit_gd_steps(X, y, tol, expected + 10) == expected


def test_step_count_validates_its_arguments() -> None:
    X, y = O.diabetes_design(True)
    with pytest.raises(ValueError, match="tol"):
        O.gd_steps_to_tolerance(X, y, 1.5)
    with pytest.raises(ValueError, match="lr must be <= 1/L"):
        O.gd_steps_to_tolerance(X, y, 1e-3, lr=1.0)
    with pytest.raises(ValueError, match="y must have shape"):
        O.gd_steps_to_tolerance(X, y[:-1])
