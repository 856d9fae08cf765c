"""The chapter-03 checks: a correct answer passes, each common mistake gets its own hint.

Reference solutions and typical wrong answers live here, in the tests only; the checks
themselves never contain them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from check_support import passes, run, stub

from lossviz import optimization as O
from lossviz.exercises import NOT_IMPLEMENTED
from lossviz.exercises import optimization as OP

# --------------------------------------------------------------------------------------
# Reference solutions (tests only)
# --------------------------------------------------------------------------------------


def gd_step(w, grad, lr):  # type: ignore[no-untyped-def]
    return w - lr * grad


def momentum_step(w, v, grad, lr, beta):  # type: ignore[no-untyped-def]
    v = beta * v + grad
    return w - lr * v, v


def adam_step(w, m, v, grad, t, lr, beta1, beta2, eps):  # type: ignore[no-untyped-def]
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def max_lr() -> float:
    return 2 / np.linalg.eigvalsh(OP.QUAD_A)[-1]


def standardized_condition() -> float:
    X, _ = OP.diabetes_raw()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    eigenvalues = np.linalg.eigvalsh(Z.T @ Z / len(Z))
    return eigenvalues[-1] / eigenvalues[0]


# --------------------------------------------------------------------------------------
# Every check: stub, placeholder, solution
# --------------------------------------------------------------------------------------

FUNCTION_CHECKS: list[tuple[Callable[..., None], Any]] = [
    (OP.check_gd_step, gd_step),
    (OP.check_momentum_step, momentum_step),
    (OP.check_adam_step, adam_step),
]
VALUE_CHECKS = [OP.check_max_lr, OP.check_standardized_condition]


def _ids(item: Any) -> str:
    return item.__name__ if callable(item) else ""


@pytest.mark.parametrize(("check", "solution"), FUNCTION_CHECKS, ids=_ids)
def test_the_reference_solution_passes(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(check, capsys, solution)


@pytest.mark.parametrize(("check", "solution"), FUNCTION_CHECKS, ids=_ids)
def test_a_stub_is_reported_as_not_implemented_yet(check, solution, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(check, capsys, stub) == "✗ " + NOT_IMPLEMENTED


@pytest.mark.parametrize("check", [c for c, _ in FUNCTION_CHECKS] + VALUE_CHECKS, ids=_ids)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_a_placeholder_is_not_implemented_yet(check, placeholder, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(check, capsys, placeholder) == "✗ " + NOT_IMPLEMENTED


def test_the_computed_value_answers_pass(capsys) -> None:  # type: ignore[no-untyped-def]
    passes(OP.check_max_lr, capsys, max_lr())
    passes(OP.check_standardized_condition, capsys, standardized_condition())


def test_learner_prints_and_warnings_do_not_leak(capsys) -> None:  # type: ignore[no-untyped-def]
    def chatty(w, v, grad, lr, beta):  # type: ignore[no-untyped-def]
        print("debugging", w)
        np.log(np.array([-1.0]))  # a RuntimeWarning
        return momentum_step(w, v, grad, lr, beta)

    passes(OP.check_momentum_step, capsys, chatty)


# --------------------------------------------------------------------------------------
# check_gd_step
# --------------------------------------------------------------------------------------


def test_gd_precomputed_case_matches_lossviz_train() -> None:
    np.testing.assert_allclose(gd_step(OP._GD_W, OP._GD_G, 0.1), OP._GD_EXPECTED, rtol=1e-15)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda w, g, lr: w + lr * g, "goes uphill"),
        (lambda w, g, lr: w - g, "learning rate is missing"),
        (lambda w, g, lr: lr * g, "that is the step lr·grad itself"),
        (lambda w, g, lr: -lr * g, "add it to w"),
        (lambda w, g, lr: w - lr, "not w − lr"),
        (lambda w, g, lr: w - g / lr, "do not divide"),
        (lambda w, g, lr: w - 0.1 * g, "use the lr argument"),
        (lambda w, g, lr: w[0] - lr * g[0], "expected (3,)"),
        (lambda w, g, lr: (w - lr * g) if len(w) == 3 else w, "random w of length 1"),
        (lambda w, g, lr: None, "forget the `return`"),
    ],
    ids=["uphill", "no-lr", "step", "update", "w-lr", "divide", "fixed-lr", "scalar",
         "fixed-only", "none"],
)
def test_gd_mistakes_get_their_hint(wrong, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(OP.check_gd_step, capsys, wrong)


def test_gd_passing_a_result_instead_of_the_function_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    assert "without calling it: check_gd_step(gd_step)" in run(OP.check_gd_step, capsys,
                                                                np.zeros(3))


def test_gd_in_place_updates_and_lists_are_accepted(capsys) -> None:  # type: ignore[no-untyped-def]
    def in_place(w, g, lr):  # type: ignore[no-untyped-def]
        w -= lr * g
        return w

    passes(OP.check_gd_step, capsys, in_place)
    passes(OP.check_gd_step, capsys, lambda w, g, lr: list(w - lr * g))


# --------------------------------------------------------------------------------------
# check_max_lr
# --------------------------------------------------------------------------------------


def test_max_lr_constants_are_the_eigenvalues_of_quad_a() -> None:
    q = O.Quadratic(OP.QUAD_A, OP.QUAD_B)
    np.testing.assert_allclose(q.eigenvalues, [3.0, 8.0])
    assert q.max_stable_lr == pytest.approx(OP._MAX_LR)
    keys = OP._MAX_LR_MISTAKES
    for value in (1 / q.L, 2 / q.mu, 1 / q.mu, q.optimal_lr, 2 / np.trace(q.A),
                  2 / np.max(np.diag(q.A)), 2 / np.linalg.norm(q.A),
                  2 / np.abs(q.A).sum(axis=1).max(), 2 / np.linalg.det(q.A), q.L, q.mu,
                  q.condition_number, 0.5 / q.L, 2 / np.linalg.eigvalsh(2 * q.A)[-1]):
        assert any(np.isclose(value, k, rtol=1e-9) for k in keys), value
        assert abs(value - OP._MAX_LR) > 0.01 * OP._MAX_LR   # no mistake is accepted


def test_max_lr_is_what_an_experiment_with_gd_finds() -> None:
    q = O.Quadratic(OP.QUAD_A, OP.QUAD_B)
    x0 = np.array([2.0, -1.0])

    def converges(lr: float) -> bool:
        r = O.run_optimizer(q.grad, x0, O.GD(lr), 2000, loss_fn=q.loss)
        return not r.diverged and np.linalg.norm(r.path[-1] - q.minimizer) < 1e-3

    assert converges(0.2475) and not converges(0.2525)


@pytest.mark.parametrize("answer", [0.25, 0.2476, 0.2524, np.float64(0.25), np.array([0.25])])
def test_max_lr_accepts_two_over_l_within_one_percent(answer, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(OP.check_max_lr, capsys, answer)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (0.125, "1/L is the largest step that never overshoots"),
        (2 / 3, "2/μ uses the smallest eigenvalue"),
        (1 / 3, "1/μ uses the smallest eigenvalue"),
        (2 / 11, "fastest guaranteed convergence"),
        (2 / 7, "diagonal entries are not the eigenvalues"),
        (0.2341, "Frobenius"),
        (2 / 9, "Gershgorin"),
        (1 / 12, "determinant"),
        (8, "8 is L"),
        (3, "3 is μ"),
        (8 / 3, "condition number"),
        (0.0625, "1/(2L)"),
        (0.3, "|1 − ηL| = 1.4 > 1"),
        (0.2, "is stable (|1 − ηL| = 0.6 < 1) but not the largest"),
        (-0.25, "a positive number"),
    ],
    ids=["1/L", "2/mu", "1/mu", "optimal", "diag", "frobenius", "gershgorin", "det", "L",
         "mu", "kappa", "half", "too-large", "too-small", "negative"],
)
def test_max_lr_mistakes_get_their_hint(answer, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(OP.check_max_lr, capsys, answer)


def test_max_lr_wrong_types_are_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    assert "not a function" in run(OP.check_max_lr, capsys, max_lr)
    assert "returned the text" in run(OP.check_max_lr, capsys, "0.25")


# --------------------------------------------------------------------------------------
# check_momentum_step
# --------------------------------------------------------------------------------------


def test_momentum_precomputed_case_and_mistakes_are_what_the_code_gives() -> None:
    w, v, g = OP._MOM_W, OP._MOM_V, OP._MOM_G
    got = momentum_step(w, v, g, 0.1, 0.9)
    for a, b in zip(got, OP._MOM_EXPECTED, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14)
    variants = {
        "sutskever": (w + (0.9 * v - 0.1 * g), 0.9 * v - 0.1 * g),
        "ema": (w - 0.1 * (0.9 * v + 0.1 * g), 0.9 * v + 0.1 * g),
        "old-v": (w - 0.1 * v, 0.9 * v + g),
        "mixed": (w - 0.1 * g - 0.9 * v, None),
        "nesterov": (w - 0.1 * (g + 0.9 * (0.9 * v + g)), 0.9 * v + g),
        "sign": (w - 0.1 * (0.9 * v - g), 0.9 * v - g),
        "old-v-returned": (got[0], v),
        "no-momentum": (w - 0.1 * g, g),
    }
    for ((mw, mv), _), (name, (vw, vv)) in zip(OP._MOM_MISTAKES, variants.items(), strict=True):
        np.testing.assert_allclose(mw, vw, rtol=1e-12, err_msg=name)
        if mv is not None:
            np.testing.assert_allclose(mv, vv, rtol=1e-12, err_msg=name)


def _momentum(kind: str):  # type: ignore[no-untyped-def]
    def fn(w, v, g, lr, beta):  # type: ignore[no-untyped-def]
        if kind == "sutskever":
            v = beta * v - lr * g
            return w + v, v
        if kind == "ema":
            v = beta * v + (1 - beta) * g
            return w - lr * v, v
        if kind == "old-v":
            return w - lr * v, beta * v + g
        if kind == "mixed":
            return w - lr * g - beta * v, beta * v + g
        if kind == "nesterov":
            v = beta * v + g
            return w - lr * (g + beta * v), v
        if kind == "sign":
            v = beta * v - g
            return w - lr * v, v
        if kind == "old-v-returned":
            return w - lr * (beta * v + g), v
        if kind == "no-momentum":
            return w - lr * g, g
        if kind == "swapped":
            return momentum_step(w, v, g, lr, beta)[::-1]
        if kind == "w-only":
            return momentum_step(w, v, g, lr, beta)[0]
        if kind == "fixed-beta":
            return momentum_step(w, v, g, lr, 0.9)
        if kind == "fixed-only":
            return momentum_step(w, v, g, lr, beta) if w.size == 2 else (w, v)
        raise AssertionError(kind)
    return fn


@pytest.mark.parametrize(
    ("kind", "hint"),
    [
        ("sutskever", "the other common convention"),
        ("ema", "exponential moving average"),
        ("old-v", "moved with the old v"),
        ("mixed", "β multiplies v inside the step"),
        ("nesterov", "Nesterov"),
        ("sign", "a sign is flipped"),
        ("old-v-returned", "return the new v"),
        ("no-momentum", "the momentum is missing"),
        ("swapped", "the order is swapped"),
        ("w-only", "expected the tuple (w_new, v_new)"),
        ("fixed-beta", "after step 2 of 20 chained steps"),
        ("fixed-only", "random arrays of length 1"),
    ],
)
def test_momentum_mistakes_get_their_hint(kind, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(OP.check_momentum_step, capsys, _momentum(kind))


# --------------------------------------------------------------------------------------
# check_adam_step
# --------------------------------------------------------------------------------------


def _adam(kind: str):  # type: ignore[no-untyped-def]
    def fn(w, m, v, g, t, lr, b1, b2, eps):  # type: ignore[no-untyped-def]
        m_new = (1 - b1) * m + b1 * g if kind == "m-swap" else b1 * m + (1 - b1) * g
        if kind == "v-abs":
            v_new = b2 * v + (1 - b2) * g
        elif kind == "v-swap":
            v_new = (1 - b2) * v + b2 * g**2
        else:
            v_new = b2 * v + (1 - b2) * g**2
        tt = {"t-plus": t + 1, "t-minus": t - 1}.get(kind, t)
        m_hat = m_new / (1 - b1**tt)
        v_hat = v_new / (1 - (b1 if kind == "beta1-both" else b2) ** tt)
        if kind == "no-bias":
            m_hat, v_hat = m_new, v_new
        if kind == "eps-inside":
            step = lr * m_hat / np.sqrt(v_hat + eps)
        elif kind == "no-sqrt":
            step = lr * m_hat / (v_hat + eps)
        else:
            step = lr * m_hat / (np.sqrt(v_hat) + eps)
        w_new = w + step if kind == "sign" else w - step
        if kind == "hat-state":
            return w_new, m_hat, v_hat
        if kind == "swapped":
            return m_new, v_new, w_new
        if kind == "fixed-eps":
            return adam_step(w, m, v, g, t, lr, b1, b2, 1e-8)
        return w_new, m_new, v_new
    return fn


def test_adam_precomputed_first_step_and_mistakes_are_what_the_code_gives() -> None:
    args = (OP._ADAM_W, np.zeros(3), np.zeros(3), OP._ADAM_G, 1, 0.1, 0.9, 0.999, 1e-8)
    for got, want in zip(adam_step(*args), OP._ADAM_EXPECTED, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    for got, want in zip(OP._reference_adam(*args), OP._ADAM_EXPECTED, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    kinds = ["no-bias", "eps-inside", "t-plus", "beta1-both", "no-sqrt", "sign"]
    for (wrong, _), kind in zip(OP._ADAM_W_MISTAKES, kinds, strict=True):
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(_adam(kind)(*args)[0], wrong, rtol=1e-12, err_msg=kind)


@pytest.mark.parametrize(
    ("kind", "hint"),
    [
        ("no-bias", "the bias correction is missing"),
        ("eps-inside", "ε sits outside the square root"),
        ("t-plus", "t is off by one"),
        ("t-minus", "use t itself (it starts at 1), not t − 1"),
        ("beta1-both", "v̂ is corrected with β₂"),
        ("no-sqrt", "divide by the square root of v̂"),
        ("sign", "the step goes uphill"),
        ("hat-state", "return the raw moments m and v"),
        ("m-swap", "the new gradient gets the small weight 1 − β₁"),
        ("v-abs", "the *squared* gradient"),
        ("v-swap", "the new squared gradient gets the small weight 1 − β₂"),
        ("swapped", "the new m for"),
        ("fixed-eps", "use every argument"),
    ],
)
def test_adam_mistakes_get_their_hint(kind, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(OP.check_adam_step, capsys, _adam(kind))


def test_adam_off_by_one_only_after_the_first_step_is_caught(capsys) -> None:  # type: ignore[no-untyped-def]
    def late(w, m, v, g, t, lr, b1, b2, eps):  # type: ignore[no-untyped-def]
        return adam_step(w, m, v, g, t if t == 1 else t + 1, lr, b1, b2, eps)

    assert "use t itself, not t + 1" in run(OP.check_adam_step, capsys, late)


def test_adam_returning_only_w_is_explained(capsys) -> None:  # type: ignore[no-untyped-def]
    line = run(OP.check_adam_step, capsys, lambda *args: adam_step(*args)[0])
    assert "expected the tuple (w, m, v)" in line


# --------------------------------------------------------------------------------------
# check_standardized_condition
# --------------------------------------------------------------------------------------


def test_condition_answer_and_its_equivalents() -> None:
    assert standardized_condition() == pytest.approx(OP._KAPPA_STD, rel=1e-12)
    X, _ = OP.diabetes_raw()
    Z1 = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    ones = np.column_stack([Z1, np.ones(len(Z1))])
    for M in (Z1, ones):
        e = np.linalg.eigvalsh(2 * M.T @ M / len(M))
        assert e[-1] / e[0] == pytest.approx(OP._KAPPA_STD, rel=1e-4)
    assert O.input_scaling_experiment().condition_standardized == pytest.approx(OP._KAPPA_STD)


def test_condition_mistake_values_are_what_the_mistakes_give() -> None:
    from sklearn.datasets import load_diabetes

    X, y = OP.diabetes_raw()
    n = len(y)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)

    def kappa(M: np.ndarray, ones: bool = True) -> float:
        return O.condition_number(M, fit_intercept=ones)

    keys = list(OP._KAPPA_MISTAKES)
    e = np.linalg.eigvalsh(Z.T @ Z / n)
    for value in (kappa(X), kappa(X, False), kappa(load_diabetes().data),
                  kappa(X - X.mean(axis=0)), kappa(X / X.std(axis=0)),
                  kappa(X / X.std(axis=0), False),
                  kappa((X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))),
                  kappa(X / np.linalg.norm(X, axis=0)), np.linalg.cond(Z), 1 / kappa(Z),
                  e[-1], e[0], kappa(np.column_stack([Z, (y - y.mean()) / y.std()]))):
        assert any(np.isclose(value, k, rtol=1e-9) for k in keys), value
        assert abs(value - OP._KAPPA_STD) > 1e-3 * OP._KAPPA_STD


@pytest.mark.parametrize("answer", [470.078, 470.0, 470.5, np.float64(470.08)])
def test_condition_accepts_the_answer_within_a_tenth_of_a_percent(answer, capsys) -> None:  # type: ignore[no-untyped-def]
    passes(OP.check_standardized_condition, capsys, answer)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (52365337.3, "raw features (with the column of ones)"),
        (1030320.67, "κ of the raw features"),
        (51631.1, "scikit-learn's load_diabetes() scaling"),
        (76279.0, "centring alone"),
        (247910.0, "centre the columns too"),
        (11369.6, "centre the columns too"),
        (13099.0, "min-max"),
        (1474238.7, "unit-norm columns"),
        (21.681, "np.linalg.cond(Z)"),
        (0.0021273, "that is 1/κ"),
        (4.0242, "largest eigenvalue"),
        (0.0085607, "smallest eigenvalue"),
        (517.73, "includes the target y"),
        (300.0, "standardise every column"),
        (0.5, "at least 1"),
    ],
    ids=["raw", "raw-no-ones", "sklearn", "centred", "scaled", "scaled-no-ones", "minmax",
         "unit-norm", "cond", "inverse", "max", "min", "with-y", "other", "below-one"],
)
def test_condition_mistakes_get_their_hint(answer, hint, capsys) -> None:  # type: ignore[no-untyped-def]
    assert hint in run(OP.check_standardized_condition, capsys, answer)


def test_diabetes_raw_is_the_unscaled_data() -> None:
    from sklearn.datasets import load_diabetes

    X, _ = OP.diabetes_raw()
    np.testing.assert_array_equal(X, load_diabetes(scaled=False).data)
    X[0, 0] = -1.0  # a copy: the cache is not touched
    assert OP.diabetes_raw()[0][0, 0] != -1.0


# --------------------------------------------------------------------------------------
# The module never contains the solutions
# --------------------------------------------------------------------------------------


def test_the_check_module_contains_no_solution_code() -> None:
    import inspect

    source = inspect.getsource(OP)
    for solution_line in ("w - lr * grad", "beta * v + grad", "np.sqrt(v_hat) + eps",
                          "(1 - beta1) * grad", "1 - beta2**t", "X.std(axis=0)\n",
                          "eigvalsh(Z.T"):
        assert solution_line not in source, solution_line
