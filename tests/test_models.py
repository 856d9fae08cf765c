"""Tiny numpy models and the training loop: gradients, agreement with scikit-learn, History."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lossviz import losses
from lossviz.losses._core import Loss
from lossviz.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression
from lossviz.train import GD, Adam, History, Momentum, TrainingDiverged, fit

# --------------------------------------------------------------------------------------
# The classification losses come from the registry; until they are registered these
# stand-ins (same documented names and conventions) keep the model tests running.
# --------------------------------------------------------------------------------------


def _bce(y, f, reduction="mean"):  # type: ignore[no-untyped-def]
    return float(np.mean(np.logaddexp(0.0, f) - y * f))


def _bce_grad(y, f, reduction="mean"):  # type: ignore[no-untyped-def]
    return (np.exp(-np.logaddexp(0.0, -f)) - y) / f.size


def _ce(y, f, reduction="mean"):  # type: ignore[no-untyped-def]
    lse = np.log(np.exp(f - f.max(1, keepdims=True)).sum(1)) + f.max(1)
    return float(np.mean(lse - f[np.arange(len(y)), y.astype(int)]))


def _ce_grad(y, f, reduction="mean"):  # type: ignore[no-untyped-def]
    p = np.exp(f - f.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(len(y)), y.astype(int)] -= 1.0
    return p / len(y)


def _stand_in(name: str, func, grad) -> Loss:  # type: ignore[no-untyped-def]
    return Loss(name=name, func=func, grad_func=grad, latex="", grad_latex="", task="test",
                reference="", sample=lambda rng, n: (np.zeros(n), np.zeros(n)), summary="")


def loss_named(name: str) -> Loss:
    if name in losses.names():
        return losses.get(name)
    return {"bce_with_logits": _stand_in(name, _bce, _bce_grad),
            "softmax_cross_entropy": _stand_in(name, _ce, _ce_grad)}[name]


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


@pytest.fixture
def regression_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.7 + rng.normal(0, 0.3, 200)
    return X, y


@pytest.fixture
def binary_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    p = 1 / (1 + np.exp(-(X @ np.array([2.0, -1.0, 0.5]) - 0.3)))
    return X, (rng.uniform(size=200) < p).astype(float)


@pytest.fixture
def multiclass_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(150, 4))
    logits = X @ rng.normal(size=(4, 3))
    y = np.array([rng.choice(3, p=np.exp(row) / np.exp(row).sum()) for row in logits])
    return X, y.astype(float)


# --------------------------------------------------------------------------------------
# Agreement with scikit-learn and closed forms
# --------------------------------------------------------------------------------------


def test_linear_regression_by_gd_matches_sklearn_and_normal_equations(regression_data) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LinearRegression as SkLinear

    X, y = regression_data
    model = LinearRegression(3)
    fit(model, "mse", X, y, optimizer=GD(lr=0.2), epochs=600)
    sk = SkLinear().fit(X, y)
    A = np.column_stack([X, np.ones(len(X))])
    normal = np.linalg.solve(A.T @ A, A.T @ y)
    np.testing.assert_allclose(model.params["w"], sk.coef_, atol=1e-6)
    assert float(model.params["b"]) == pytest.approx(sk.intercept_, abs=1e-6)
    np.testing.assert_allclose(model.params["w"], normal[:3], atol=1e-6)


def test_l2_linear_regression_matches_ridge_with_alpha_n_lambda_over_2(regression_data) -> None:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import Ridge

    X, y = regression_data
    lam = 0.1
    model = LinearRegression(3, l2=lam)
    fit(model, "mse", X, y, optimizer=GD(lr=0.2), epochs=600)
    sk = Ridge(alpha=len(X) * lam / 2).fit(X, y)
    np.testing.assert_allclose(model.params["w"], sk.coef_, atol=1e-6)
    assert float(model.params["b"]) == pytest.approx(sk.intercept_, abs=1e-6)


def _sk_logistic(X, y, C):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression as SkLogistic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return SkLogistic(C=C, tol=1e-12, max_iter=10_000).fit(X, y)


def test_logistic_regression_l2_matches_sklearn_with_C_equal_1_over_n_lambda(binary_data) -> None:  # type: ignore[no-untyped-def]
    X, y = binary_data
    lam = 0.05
    model = LogisticRegression(3, l2=lam)
    fit(model, loss_named("bce_with_logits"), X, y, optimizer=GD(lr=2.0), epochs=3000)
    sk = _sk_logistic(X, y, C=1.0 / (len(X) * lam))
    np.testing.assert_allclose(model.params["w"], sk.coef_[0], atol=1e-6)
    assert float(model.params["b"]) == pytest.approx(sk.intercept_[0], abs=1e-6)
    # the mapping matters: C = 1/λ (forgetting n) gives a visibly different model
    wrong = _sk_logistic(X, y, C=1.0 / lam)
    assert np.max(np.abs(wrong.coef_[0] - model.params["w"])) > 0.1


def test_softmax_regression_matches_sklearn_multinomial(multiclass_data) -> None:  # type: ignore[no-untyped-def]
    X, y = multiclass_data
    lam = 0.02
    model = SoftmaxRegression(4, 3, l2=lam)
    fit(model, loss_named("softmax_cross_entropy"), X, y, optimizer=GD(lr=2.0), epochs=3000)
    sk = _sk_logistic(X, y, C=1.0 / (len(X) * lam))
    np.testing.assert_allclose(model.params["w"], sk.coef_.T, atol=1e-5)
    # intercepts are defined up to a common shift: compare them centred, and the probabilities
    b = model.params["b"]
    np.testing.assert_allclose(b - b.mean(), sk.intercept_ - sk.intercept_.mean(), atol=1e-5)
    np.testing.assert_allclose(model.predict_proba(X), sk.predict_proba(X), atol=1e-6)


# --------------------------------------------------------------------------------------
# Backward passes against finite differences
# --------------------------------------------------------------------------------------


def _check_backward(model, X, rng, h=1e-6, tol=1e-6):  # type: ignore[no-untyped-def]
    """For J = Σ out·R + penalty, backward(X, R) must equal the numerical gradient."""
    R = rng.normal(size=model.forward(X).shape)

    def J() -> float:
        return float(np.sum(model.forward(X) * R)) + model.penalty()

    grads = model.backward(X, R)
    assert list(grads) == list(model.params)
    for name, p in model.params.items():
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = J()
            p[idx] = old - h
            down = J()
            p[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grads[name], numeric, rtol=tol, atol=tol, err_msg=name)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("hidden", [(5,), (4, 3)])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_mlp_backward_matches_finite_differences(activation, hidden, n_outputs) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    model = MLP(3, hidden, n_outputs, activation=activation, l2=0.1, seed=4)
    _check_backward(model, rng.normal(size=(6, 3)), rng)


@pytest.mark.parametrize(
    "model", [LinearRegression(3, l2=0.3), LogisticRegression(3, l2=0.1),
              SoftmaxRegression(3, 4, l2=0.2)], ids=["linear", "logistic", "softmax"],
)
def test_linear_models_backward_match_finite_differences(model) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    model.set_params({k: rng.normal(size=v.shape) for k, v in model.params.items()})
    _check_backward(model, rng.normal(size=(7, 3)), rng)


def test_mlp_init_is_seeded() -> None:
    a, b, c = MLP(2, (8,), seed=1), MLP(2, (8,), seed=1), MLP(2, (8,), seed=2)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_mlp_learns_two_moons() -> None:
    from lossviz.data import two_moons

    X, y = two_moons(200, noise=0.1, seed=0)
    model = MLP(2, (16,), activation="tanh", seed=0)
    fit(model, loss_named("bce_with_logits"), X, y, optimizer=Adam(lr=0.05), epochs=300)
    assert np.mean((model.forward(X) > 0) == (y == 1)) > 0.95


# --------------------------------------------------------------------------------------
# Optimisers, History, determinism, divergence
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", [Momentum(lr=0.05, momentum=0.9), Adam(lr=0.05)],
                         ids=["momentum", "adam"])
def test_momentum_and_adam_reach_the_least_squares_fit(optimizer, regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    model = LinearRegression(3)
    fit(model, "mse", X, y, optimizer=optimizer, epochs=1500)
    A = np.column_stack([X, np.ones(len(X))])
    normal = np.linalg.solve(A.T @ A, A.T @ y)
    np.testing.assert_allclose(model.params["w"], normal[:3], atol=1e-4)


def test_optimizer_state_is_per_instance(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    m1, m2 = LinearRegression(3), LinearRegression(3)
    opt1, opt2 = Adam(lr=0.1), Adam(lr=0.1)
    fit(m1, "mse", X, y, optimizer=opt1, epochs=5)
    fit(m2, "mse", X, y, optimizer=opt2, epochs=5)
    np.testing.assert_array_equal(m1.params["w"], m2.params["w"])
    assert opt1.m["w"] is not opt2.m["w"] and opt1.t == opt2.t == 5


def test_history_records_one_entry_per_epoch_and_the_best_epoch(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    model = LinearRegression(3, l2=0.01)
    h = fit(model, "mse", X[:150], y[:150], optimizer=GD(lr=0.05), epochs=20,
            X_val=X[150:], y_val=y[150:])
    assert isinstance(h, History)
    assert len(h.train_loss) == len(h.val_loss) == len(h.objective) == h.epochs == 20
    assert h.best_epoch == int(np.argmin(h.val_loss))
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.objective[-1] == pytest.approx(h.train_loss[-1] + model.penalty())
    assert h.train_loss[-1] == pytest.approx(losses.get("mse")(y[:150], model.forward(X[:150])))
    assert not h.diverged and h.message == ""


def test_best_params_are_a_snapshot_of_the_best_epoch(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    model = LinearRegression(3)
    h = fit(model, "mse", X, y, optimizer=GD(lr=0.05), epochs=10)
    assert h.best_epoch == 9  # training loss only falls under a small step
    np.testing.assert_array_equal(h.best_params["w"], model.params["w"])
    assert h.best_params["w"] is not model.params["w"]


def test_without_validation_data_best_epoch_follows_training_loss(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    h = fit(LinearRegression(3), "mse", X, y, optimizer=GD(lr=0.05), epochs=5)
    assert h.val_loss == [] and h.best_epoch == int(np.argmin(h.train_loss))


def test_callback_returning_true_stops_training(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    seen: list[int] = []

    def stop_after_three(epoch, model, history):  # type: ignore[no-untyped-def]
        seen.append(epoch)
        return epoch == 2

    h = fit(LinearRegression(3), "mse", X, y, optimizer=GD(lr=0.05), epochs=10,
            callback=stop_after_three)
    assert seen == [0, 1, 2] and h.epochs == 3 and "callback" in h.message


def test_minibatch_training_is_deterministic_under_a_seed(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data

    def run(seed: int) -> list[float]:
        model = MLP(3, (8,), seed=0)
        return fit(model, "mse", X, y, optimizer=Adam(lr=0.01), epochs=5, batch_size=32,
                   seed=seed).train_loss

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_diverging_learning_rate_raises_a_clear_error_without_warnings(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    try:
        fit(LinearRegression(3), "mse", X * 1e3, y, optimizer=GD(lr=10.0), epochs=500)
    except TrainingDiverged as err:
        assert err.history.diverged and err.history.message == str(err)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TrainingDiverged, match=r"diverged in epoch \d+.*Lower the learning"):
            fit(LinearRegression(3), "mse", X * 1e3, y, optimizer=GD(lr=10.0), epochs=500)


def test_on_divergence_stop_returns_the_partial_history(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = fit(LinearRegression(3), "mse", X * 1e3, y, optimizer=GD(lr=10.0), epochs=500,
                on_divergence="stop")
    assert h.diverged and "diverged" in h.message and h.epochs < 500
    assert all(np.isfinite(h.train_loss))


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


def test_wrong_number_of_features_names_X() -> None:
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 3\)"):
        LinearRegression(3).forward(np.zeros((4, 2)))


def test_mismatched_targets_name_y(regression_data) -> None:  # type: ignore[no-untyped-def]
    X, y = regression_data
    with pytest.raises(ValueError, match="y must have 200 rows"):
        fit(LinearRegression(3), "mse", X, y[:10], optimizer=GD(lr=0.1), epochs=1)


def test_negative_l2_and_bad_hyperparameters_are_rejected() -> None:
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        LinearRegression(2, l2=-1.0)
    with pytest.raises(ValueError, match="momentum"):
        Momentum(lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        GD(lr=0.0)
    with pytest.raises(ValueError, match="activation"):
        MLP(2, activation="sigmoid")


# --------------------------------------------------------------------------------------
# Classification with loss hyper-parameters (chapter 02): class weights, focal loss,
# real data
# --------------------------------------------------------------------------------------


@pytest.fixture
def imbalanced_data() -> tuple[np.ndarray, np.ndarray]:
    from lossviz.data import imbalanced_blobs

    return imbalanced_blobs(400, minority_fraction=0.1, seed=0)


def test_pos_weight_logistic_regression_matches_sklearn_class_weight(imbalanced_data) -> None:  # type: ignore[no-untyped-def]
    """mean(pos_weight-BCE) + ½λ‖w‖² is sklearn's class_weight={0: 1, 1: pos_weight}, C = 1/(nλ).

    class_weight="balanced" weights the classes n/(2 n_c): the same ratio, scaled by
    n/(2 n_0), so it needs C = 2 n_0 / (n² λ).
    """
    from sklearn.linear_model import LogisticRegression as SkLogistic

    X, y = imbalanced_data
    n, n_pos = len(y), int(y.sum())
    n_neg = n - n_pos
    pos_weight, lam = n_neg / n_pos, 0.01
    model = LogisticRegression(2, l2=lam)
    fit(model, "bce_with_logits", X, y, optimizer=GD(lr=1.0), epochs=3000,
        loss_params={"pos_weight": pos_weight})
    for class_weight, C in (({0: 1.0, 1: pos_weight}, 1 / (n * lam)),
                            ("balanced", 2 * n_neg / (n**2 * lam))):
        sk = SkLogistic(C=C, class_weight=class_weight, tol=1e-12, max_iter=10_000).fit(X, y)
        np.testing.assert_allclose(model.params["w"], sk.coef_[0], atol=1e-6)
        assert float(model.params["b"]) == pytest.approx(sk.intercept_[0], abs=1e-6)


def test_class_weights_trade_precision_for_minority_recall(imbalanced_data) -> None:  # type: ignore[no-untyped-def]
    from lossviz.metrics import precision, recall

    X, y = imbalanced_data
    plain, weighted = LogisticRegression(2, l2=0.01), LogisticRegression(2, l2=0.01)
    fit(plain, "bce_with_logits", X, y, optimizer=GD(lr=1.0), epochs=1000)
    fit(weighted, "bce_with_logits", X, y, optimizer=GD(lr=1.0), epochs=1000,
        loss_params={"pos_weight": 9.0})
    assert recall(y, weighted.predict(X)) > recall(y, plain.predict(X)) + 0.2
    assert precision(y, weighted.predict(X)) < precision(y, plain.predict(X))


def test_fit_passes_loss_params_to_the_training_and_validation_loss(imbalanced_data) -> None:  # type: ignore[no-untyped-def]
    X, y = imbalanced_data
    params = {"gamma": 2.0, "alpha": 0.5}
    model = LogisticRegression(2)
    history = fit(model, "focal", X[:300], y[:300], optimizer=GD(lr=1.0), epochs=50,
                  X_val=X[300:], y_val=y[300:], loss_params=params)
    assert history.train_loss[-1] == pytest.approx(
        losses.focal(y[:300], model.forward(X[:300]), **params), rel=1e-14)
    assert history.val_loss[-1] == pytest.approx(
        losses.focal(y[300:], model.forward(X[300:]), **params), rel=1e-14)
    default = LogisticRegression(2)
    fit(default, "focal", X[:300], y[:300], optimizer=GD(lr=1.0), epochs=50)
    assert not np.allclose(default.params["w"], model.params["w"])


def test_unknown_loss_params_are_refused_by_name(imbalanced_data) -> None:  # type: ignore[no-untyped-def]
    X, y = imbalanced_data
    with pytest.raises(TypeError, match=r"'gama'.*'focal'.*alpha, gamma"):
        fit(LogisticRegression(2), "focal", X, y, optimizer=GD(lr=1.0), epochs=1,
            loss_params={"gama": 2.0})
    with pytest.raises(TypeError, match=r"'reduction'.*mean loss"):
        fit(LogisticRegression(2), "bce_with_logits", X, y, optimizer=GD(lr=1.0), epochs=1,
            loss_params={"reduction": "sum"})


def test_logistic_regression_on_breast_cancer_matches_sklearn_C_1() -> None:
    """Real data: LogisticRegression(l2=1/n) is sklearn's default LogisticRegression(C=1.0)."""
    from sklearn.linear_model import LogisticRegression as SkLogistic

    from lossviz.data import load_breast_cancer

    s = load_breast_cancer(seed=0)
    n = len(s.y_train)
    model = LogisticRegression(30, l2=1.0 / n)
    fit(model, "bce_with_logits", s.X_train, s.y_train,
        optimizer=Momentum(lr=0.5, momentum=0.9), epochs=2000)
    sk = SkLogistic(C=1.0, tol=1e-12, max_iter=10_000).fit(s.X_train, s.y_train)
    np.testing.assert_allclose(model.params["w"], sk.coef_[0], atol=1e-5)
    np.testing.assert_allclose(model.predict_proba(s.X_val), sk.predict_proba(s.X_val)[:, 1],
                               atol=1e-5)


def test_softmax_regression_learns_digits_in_a_few_hundred_epochs() -> None:
    from lossviz.data import load_digits

    s = load_digits(seed=0)
    model = SoftmaxRegression(64, 10, l2=1e-3)
    history = fit(model, "softmax_cross_entropy", s.X_train, s.y_train, optimizer=GD(lr=0.5),
                  epochs=200, X_val=s.X_val, y_val=s.y_val)
    assert np.mean(model.predict(s.X_val) == s.y_val) > 0.93
    assert np.mean(model.predict(s.X_test) == s.y_test) > 0.93
    assert history.val_loss[-1] < 0.25


def test_softmax_regression_agrees_with_sklearn_multinomial_logistic_on_digits() -> None:
    """Softmax cross-entropy + (λ/2)‖W‖² with λ = 0.01 is sklearn's C = 1/(n λ)."""
    from sklearn.linear_model import LogisticRegression as SkLogistic

    from lossviz.data import load_digits

    s = load_digits(seed=0)
    lam = 0.01
    model = SoftmaxRegression(64, 10, l2=lam)
    fit(model, "softmax_cross_entropy", s.X_train, s.y_train,
        optimizer=Momentum(lr=1.0, momentum=0.9), epochs=300)
    sk = SkLogistic(C=1 / (len(s.y_train) * lam), tol=1e-10, max_iter=10_000)
    sk.fit(s.X_train, s.y_train)
    np.testing.assert_allclose(model.predict_proba(s.X_test), sk.predict_proba(s.X_test),
                               atol=1e-5)
    assert np.array_equal(model.predict(s.X_test), sk.predict(s.X_test))
