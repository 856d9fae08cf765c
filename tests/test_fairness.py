"""lossviz.fairness: group metrics against fairlearn, the fairness penalties and their
gradients, the penalised logistic model against scikit-learn, the μ sweep and its Pareto
front, reweighting, group thresholds, fairlearn's reductions, the impossibility numbers;
and the loan-approval data of chapter 07."""

from __future__ import annotations

import itertools

import fairlearn.metrics as flm
import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from lossviz import data
from lossviz import fairness as F
from lossviz.metrics import expected_calibration_error

# --------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loans() -> tuple[data.LoanData, data.LoanData]:
    return F.loan_split()


@pytest.fixture(scope="module")
def plain(loans) -> F.FairLogistic:  # type: ignore[no-untyped-def]
    train, _ = loans
    return F.fit_fair_logistic(train.X, train.y, l2=1e-3)


@pytest.fixture(scope="module")
def sweeps(loans) -> dict[str, F.MuSweep]:  # type: ignore[no-untyped-def]
    train, val = loans
    return {p: F.mu_sweep(train.X, train.y, train.group, penalty=p, X_eval=val.X,
                          y_eval=val.y, group_eval=val.group) for p in F.PENALTIES}


def random_case(rng: np.random.Generator, n: int, n_groups: int = 2
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, decisions and groups with both labels and both decisions in every group."""
    while True:
        g = rng.integers(0, n_groups, n).astype(float)
        y = (rng.random(n) < rng.uniform(0.2, 0.8)).astype(float)
        p = (rng.random(n) < np.clip(0.3 + 0.4 * y + 0.1 * g, 0, 1)).astype(float)
        cells = [(g == a) & (y == c) for a in range(n_groups) for c in (0, 1)]
        if all(m.any() for m in cells) and all(
                len(np.unique(p[g == a])) == 2 for a in range(n_groups)):
            return y, p, g


def finite_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        out[j] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-12))


# --------------------------------------------------------------------------------------
# The loan-approval data
# --------------------------------------------------------------------------------------


def test_loan_data_has_the_documented_shapes_and_rates() -> None:
    d = data.loan_approval(2000, seed=0)
    assert d.X.shape == (2000, 4) and d.feature_names == data.LOAN_FEATURES and d.n == 2000
    a = d.group
    assert int(a.sum()) == 800
    assert d.y[a == 0].mean() == pytest.approx(0.5642, abs=5e-4)
    assert d.y[a == 1].mean() == pytest.approx(0.2825, abs=5e-4)
    assert d.qualified[a == 0].mean() == pytest.approx(0.4783, abs=5e-4)
    assert d.qualified[a == 1].mean() == pytest.approx(0.4975, abs=5e-4)
    for arr in (d.y, d.group, d.qualified):
        assert set(np.unique(arr)) == {0.0, 1.0}


def test_loan_data_is_deterministic_per_seed() -> None:
    a, b, c = data.loan_approval(300, seed=3), data.loan_approval(300, seed=3), \
        data.loan_approval(300, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_loan_data_group_1_has_lower_income_and_a_neighbourhood_proxy() -> None:
    d = data.loan_approval(20000, seed=1)
    income, savings, _, hood = d.X.T
    a = d.group == 1
    assert income[~a].mean() - income[a].mean() == pytest.approx(0.8, abs=0.05)
    assert abs(savings[~a].mean() - savings[a].mean()) < 0.05
    assert hood[a].mean() - hood[~a].mean() == pytest.approx(1.2, abs=0.05)


def test_loan_data_bias_parameters_change_only_what_they_should() -> None:
    base = data.loan_approval(500, seed=2)
    fair = data.loan_approval(500, seed=2, pay_gap=0.0, label_bias=0.0)
    np.testing.assert_array_equal(base.group, fair.group)
    np.testing.assert_array_equal(base.qualified, fair.qualified)
    np.testing.assert_array_equal(base.X[:, 1:], fair.X[:, 1:])
    np.testing.assert_allclose(fair.X[:, 0] - base.X[:, 0], 0.8 * base.group)
    # without gap and bias, the approval rule no longer looks at the group
    assert np.all(fair.approval_probability[base.group == 1]
                  >= base.approval_probability[base.group == 1])


def test_loan_approval_probability_is_calibrated_within_each_group() -> None:
    d = data.loan_approval(40000, seed=5)
    for a in (0.0, 1.0):
        m = d.group == a
        assert expected_calibration_error(d.y[m], d.approval_probability[m]) < 0.015


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n": 1}, "n must be"), ({"group_fraction": 0.0}, "group_fraction"),
    ({"group_fraction": 1.5}, "group_fraction"), ({"pay_gap": float("nan")}, "pay_gap"),
    ({"label_bias": "a lot"}, "label_bias"),
])
def test_loan_approval_rejects_bad_arguments(kwargs, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((ValueError, TypeError), match=match):
        data.loan_approval(**kwargs)


# --------------------------------------------------------------------------------------
# Group metrics against fairlearn
# --------------------------------------------------------------------------------------


def test_docstring_example_values() -> None:
    y = np.array([1, 0, 1, 0, 1, 0])
    g = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([1, 1, 1, 0, 1, 0])
    np.testing.assert_allclose(F.selection_rates(p, g), [1.0, 1 / 3])
    np.testing.assert_allclose(F.true_positive_rates(y, p, g), [1.0, 1.0])
    np.testing.assert_allclose(F.false_positive_rates(y, p, g), [1.0, 0.0])
    assert F.equalized_odds_difference(y, p, g) == 1.0
    assert F.equal_opportunity_difference(y, p, g) == 0.0


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n_groups", [2, 3])
def test_group_metrics_agree_with_fairlearn_on_random_cases(seed: int, n_groups: int) -> None:
    rng = np.random.default_rng(seed)
    y, p, g = random_case(rng, int(rng.integers(20, 400)), n_groups)
    kw = {"sensitive_features": g}
    assert F.demographic_parity_difference(p, g) == pytest.approx(
        flm.demographic_parity_difference(y, p, **kw), abs=1e-15)
    assert F.equalized_odds_difference(y, p, g) == pytest.approx(
        flm.equalized_odds_difference(y, p, **kw), abs=1e-15)
    assert F.equal_opportunity_difference(y, p, g) == pytest.approx(
        flm.equal_opportunity_difference(y, p, **kw), abs=1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_weighted_group_metrics_agree_with_fairlearn(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    y, p, g = random_case(rng, 200)
    w = rng.uniform(0.1, 3.0, y.size)
    kw = {"sensitive_features": g, "sample_weight": w}
    assert F.demographic_parity_difference(p, g, sample_weight=w) == pytest.approx(
        flm.demographic_parity_difference(y, p, **kw), abs=1e-14)
    assert F.equalized_odds_difference(y, p, g, sample_weight=w) == pytest.approx(
        flm.equalized_odds_difference(y, p, **kw), abs=1e-14)
    assert F.equal_opportunity_difference(y, p, g, sample_weight=w) == pytest.approx(
        flm.equal_opportunity_difference(y, p, **kw), abs=1e-14)


def test_every_metric_agrees_with_fairlearn_on_the_loan_data(loans, plain) -> None:  # type: ignore[no-untyped-def]
    _, val = loans
    comparison = F.compare_with_fairlearn(val.y, plain.predict(val.X), val.group)
    assert {"dp_difference", "eo_difference", "eopp_difference", "selection_rate[0]",
            "tpr[1]", "fpr[1]"} <= set(comparison)
    worst = max(abs(ours - theirs) for ours, theirs in comparison.values())
    assert worst <= 1e-15
    assert comparison["dp_difference"][0] == pytest.approx(0.2429, abs=5e-4)


def test_group_report_collects_the_same_numbers(loans, plain) -> None:  # type: ignore[no-untyped-def]
    _, val = loans
    pred = plain.predict(val.X)
    r = F.group_report(val.y, pred, val.group)
    assert r.accuracy == pytest.approx(np.mean(pred == val.y))
    np.testing.assert_array_equal(r.counts, [1200, 800])
    np.testing.assert_allclose(r.selection_rate, F.selection_rates(pred, val.group))
    np.testing.assert_allclose(r.tpr, F.true_positive_rates(val.y, pred, val.group))
    for a in (0, 1):
        m = val.group == a
        assert r.group_accuracy[a] == pytest.approx(np.mean(pred[m] == val.y[m]))
    assert r.eo_difference == pytest.approx(max(np.ptp(r.tpr), np.ptp(r.fpr)))


def test_metrics_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="y_pred must contain binary labels"):
        F.selection_rates([0.2, 1.0], [0, 1])
    with pytest.raises(ValueError, match="group must have 3 entries"):
        F.selection_rates([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="group 1 has no examples with y_true = 1"):
        F.true_positive_rates([1, 0, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="1-D"):
        F.demographic_parity_difference(np.ones((3, 1)), [0, 1, 1])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        F.demographic_parity_difference([1, 0], [0, 1], sample_weight=[1.0, -1.0])


# --------------------------------------------------------------------------------------
# The penalties and their gradients
# --------------------------------------------------------------------------------------


def test_soft_gap_and_covariance_on_a_hand_case() -> None:
    f = np.array([0.0, 2.0, -1.0, 1.0])
    g = np.array([0, 0, 1, 1])
    expected = (expit(-1.0) + expit(1.0)) / 2 - (0.5 + expit(2.0)) / 2
    assert F.soft_parity_gap(f, g) == pytest.approx(expected, rel=1e-15)
    # ā = 0.5: c = (−0.5·0 − 0.5·2 + 0.5·(−1) + 0.5·1) / 4 = −0.25
    assert F.covariance_proxy(f, g) == pytest.approx(-0.25, rel=1e-15)


def test_penalties_are_zero_when_the_groups_agree() -> None:
    f = np.array([1.0, -2.0, 1.0, -2.0])
    g = np.array([0, 0, 1, 1])
    assert F.soft_parity_gap(f, g) == 0.0
    assert F.covariance_proxy(f, g) == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_gap_gradients_in_the_logits_match_finite_differences(seed: int) -> None:
    rng = np.random.default_rng(seed)
    f = rng.normal(0, 2, 30)
    g = (rng.random(30) < 0.4).astype(float)
    g[:2] = [0, 1]
    for value, grad in ((F.soft_parity_gap, F.soft_parity_gap_grad),
                        (F.covariance_proxy, F.covariance_proxy_grad)):
        numeric = finite_difference(lambda v, value=value: value(v, g), f)
        assert rel_error(grad(f, g), numeric) < 1e-7


@pytest.mark.parametrize("penalty", F.PENALTIES)
@pytest.mark.parametrize("seed", range(4))
def test_penalty_gradient_in_the_weights_matches_finite_differences(penalty, seed) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(10 + seed)
    X = rng.normal(size=(40, 3))
    g = (rng.random(40) < 0.5).astype(float)
    g[:2] = [0, 1]
    theta = rng.normal(size=4)
    value, grad = F.fairness_penalty(theta, X, g, penalty=penalty)
    numeric = finite_difference(lambda t: F.fairness_penalty(t, X, g, penalty=penalty)[0],
                                theta)
    assert value >= 0
    assert rel_error(grad, numeric) < 1e-6
    if penalty == "covariance":
        assert grad[-1] == pytest.approx(0.0, abs=1e-15)  # shifting every logit: no change


@pytest.mark.parametrize("penalty", F.PENALTIES)
@pytest.mark.parametrize("weighted", [False, True])
def test_objective_gradient_matches_finite_differences(penalty, weighted) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    train = data.loan_approval(300, seed=11)
    s = rng.uniform(0.5, 2.0, 300) if weighted else None
    theta = rng.normal(0, 0.5, 5)

    def J(t: np.ndarray) -> float:
        return F.fair_objective(t, train.X, train.y, train.group, mu=3.0, penalty=penalty,
                                l2=0.1, sample_weight=s)[0]

    _, grad = F.fair_objective(theta, train.X, train.y, train.group, mu=3.0, penalty=penalty,
                               l2=0.1, sample_weight=s)
    assert rel_error(grad, finite_difference(J, theta)) < 1e-6


def test_objective_value_is_cross_entropy_plus_l2_plus_mu_penalty() -> None:
    train = data.loan_approval(200, seed=12)
    theta = np.array([0.5, -0.2, 0.1, 0.3, -0.1])
    f = train.X @ theta[:-1] + theta[-1]
    ce = np.mean(np.logaddexp(0, f) - train.y * f)
    gap = F.soft_parity_gap(f, train.group)
    value, _ = F.fair_objective(theta, train.X, train.y, train.group, mu=2.0, l2=0.5)
    assert value == pytest.approx(ce + 0.25 * theta[:-1] @ theta[:-1] + 2.0 * gap**2,
                                  rel=1e-14)


def test_objective_rejects_bad_arguments() -> None:
    train = data.loan_approval(50, seed=0)
    theta = np.zeros(5)
    with pytest.raises(ValueError, match="mu must be"):
        F.fair_objective(theta, train.X, train.y, train.group, mu=-1.0)
    with pytest.raises(ValueError, match="penalty must be one of"):
        F.fair_objective(theta, train.X, train.y, train.group, penalty="hinge")
    with pytest.raises(ValueError, match="group is required"):
        F.fair_objective(theta, train.X, train.y, None, mu=1.0)
    with pytest.raises(ValueError, match="theta must hold"):
        F.fair_objective(np.zeros(4), train.X, train.y, train.group)
    with pytest.raises(ValueError, match="both groups"):
        F.fair_objective(theta, train.X, train.y, np.zeros(50), mu=1.0)


# --------------------------------------------------------------------------------------
# The penalised logistic model
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("l2", [1e-3, 1e-1])
def test_plain_fit_is_sklearns_logistic_regression(loans, l2: float) -> None:  # type: ignore[no-untyped-def]
    train, _ = loans
    ours = F.fit_fair_logistic(train.X, train.y, l2=l2)
    sk = LogisticRegression(C=1 / (train.n * l2), tol=1e-12, max_iter=10_000).fit(
        train.X, train.y)
    assert ours.converged
    np.testing.assert_allclose(ours.coef, sk.coef_[0], atol=1e-6)
    assert ours.intercept == pytest.approx(sk.intercept_[0], abs=1e-6)


def test_weighted_fit_is_sklearns_with_sample_weight(loans) -> None:  # type: ignore[no-untyped-def]
    train, _ = loans
    w = F.reweighing_weights(train.y, train.group)
    ours = F.fit_fair_logistic(train.X, train.y, l2=1e-3, sample_weight=w)
    sk = LogisticRegression(C=1 / (1e-3 * w.sum()), tol=1e-12, max_iter=10_000).fit(
        train.X, train.y, sample_weight=w)
    np.testing.assert_allclose(ours.theta, np.r_[sk.coef_[0], sk.intercept_], atol=1e-6)


@pytest.mark.parametrize("penalty", F.PENALTIES)
def test_penalised_fit_is_a_stationary_point(loans, penalty: str) -> None:  # type: ignore[no-untyped-def]
    train, _ = loans
    fit = F.fit_fair_logistic(train.X, train.y, train.group, mu=10.0, penalty=penalty)
    _, grad = F.fair_objective(fit.theta, train.X, train.y, train.group, mu=10.0,
                               penalty=penalty, l2=1e-3)
    assert fit.converged and np.max(np.abs(grad)) < 1e-6


def test_plain_model_is_unfair_on_the_loan_data(loans, plain) -> None:  # type: ignore[no-untyped-def]
    _, val = loans
    r = F.group_report(val.y, plain.predict(val.X), val.group)
    assert r.selection_rate[0] - r.selection_rate[1] > 0.2
    # it learned the proxy: the neighbourhood weight is negative
    assert plain.coef[3] < 0
    # against the true qualification, qualified members of group 1 are approved far less
    q = F.group_report(val.qualified, plain.predict(val.X), val.group)
    assert q.tpr[0] - q.tpr[1] > 0.25


# --------------------------------------------------------------------------------------
# The μ sweep and the Pareto front
# --------------------------------------------------------------------------------------


def test_pareto_front_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    acc, dis = rng.random(40), rng.random(40)
    acc[5], dis[5] = acc[4], dis[4]  # a duplicate: both kept or both dropped
    mask = F.pareto_front(acc, dis)
    for i in range(40):
        dominated = any(acc[j] >= acc[i] and dis[j] <= dis[i]
                        and (acc[j] > acc[i] or dis[j] < dis[i]) for j in range(40))
        assert mask[i] == (not dominated)
    assert mask[4] == mask[5]


@pytest.mark.parametrize("penalty", F.PENALTIES)
def test_sweep_penalty_shrinks_as_mu_grows(loans, sweeps, penalty: str) -> None:  # type: ignore[no-untyped-def]
    train, _ = loans
    sweep = sweeps[penalty]
    values = [F.fairness_penalty(np.r_[w, b], train.X, train.group, penalty=penalty)[0]
              for w, b in zip(sweep.coefs, sweep.intercepts, strict=True)]
    assert np.all(np.diff(values) <= 1e-12)
    assert values[-1] < 0.02 * values[0]


@pytest.mark.parametrize("penalty", F.PENALTIES)
def test_sweep_trades_accuracy_for_parity(sweeps, penalty: str) -> None:  # type: ignore[no-untyped-def]
    sweep = sweeps[penalty]
    np.testing.assert_array_equal(sweep.mus, F.DEFAULT_MUS)
    assert sweep.dp_difference[0] == pytest.approx(0.2429, abs=5e-4)
    assert sweep.dp_difference[-1] < 0.03
    assert 0.02 < sweep.accuracy[0] - sweep.accuracy[-1] < 0.05
    np.testing.assert_array_equal(sweep.pareto,
                                  F.pareto_front(sweep.accuracy, sweep.dp_difference))
    # EO first improves, then gets worse once the selection rates are forced together
    assert sweep.eo_difference.min() < 0.05 < sweep.eo_difference[-1]


def test_sweep_metrics_are_those_of_its_models(loans, sweeps) -> None:  # type: ignore[no-untyped-def]
    _, val = loans
    sweep = sweeps["parity"]
    for i in (0, 10, 26):
        pred = sweep.model(i).predict(val.X)
        r = F.group_report(val.y, pred, val.group)
        assert sweep.accuracy[i] == r.accuracy
        assert sweep.dp_difference[i] == pytest.approx(r.dp_difference, abs=1e-15)
        np.testing.assert_allclose(sweep.selection_rates[i], r.selection_rate)
        assert sweep.soft_gap[i] == pytest.approx(
            F.soft_parity_gap(sweep.model(i).decision_function(val.X), val.group))
    row = sweep.table()[10]
    assert row["mu"] == sweep.mus[10] and row["accuracy"] == sweep.accuracy[10]


def test_best_under_picks_the_most_accurate_point_meeting_the_target(sweeps) -> None:  # type: ignore[no-untyped-def]
    sweep = sweeps["parity"]
    for target in (0.04, 0.06, 0.1):
        i = sweep.best_under(target)
        ok = sweep.dp_difference <= target + 1e-12
        assert ok[i] and sweep.accuracy[i] == sweep.accuracy[ok].max()
    assert sweep.mus[sweep.best_under(0.04)] == pytest.approx(10**1.4)  # 25.1
    with pytest.raises(ValueError, match="no μ in the sweep"):
        sweep.best_under(0.001)


def test_sweep_rejects_unsorted_mus(loans) -> None:  # type: ignore[no-untyped-def]
    train, _ = loans
    with pytest.raises(ValueError, match="strictly increasing"):
        F.mu_sweep(train.X, train.y, train.group, mus=[0.0, 1.0, 0.5])
    with pytest.raises(ValueError, match="X_eval, y_eval and group_eval"):
        F.mu_sweep(train.X, train.y, train.group, mus=[0.0], X_eval=train.X)


# --------------------------------------------------------------------------------------
# Reweighting and group thresholds
# --------------------------------------------------------------------------------------


def test_reweighing_weights_follow_kamiran_and_calders(loans) -> None:  # type: ignore[no-untyped-def]
    train, _ = loans
    y, g = train.y, train.group
    w = F.reweighing_weights(y, g)
    for a, c in itertools.product((0, 1), (0, 1)):
        cell = (g == a) & (y == c)
        expected = np.mean(g == a) * np.mean(y == c) / np.mean(cell)
        np.testing.assert_allclose(w[cell], expected, rtol=1e-14)
    assert w.sum() == pytest.approx(train.n, rel=1e-12)
    # weighted, the base rate is the same in both groups
    rates = [np.average(y[g == a], weights=w[g == a]) for a in (0, 1)]
    assert rates[0] == pytest.approx(rates[1], abs=1e-12)


def test_reweighting_lowers_the_disparity(loans, plain) -> None:  # type: ignore[no-untyped-def]
    train, val = loans
    fit = F.fit_fair_logistic(train.X, train.y, sample_weight=F.reweighing_weights(
        train.y, train.group))
    point = F.operating_point("reweighting", val.y, fit.predict(val.X), val.group)
    before = F.demographic_parity_difference(plain.predict(val.X), val.group)
    assert point.dp_difference < before - 0.05
    assert point.accuracy > 0.78


def test_threshold_table_matches_direct_counts() -> None:
    rng = np.random.default_rng(4)
    y, _, g = random_case(rng, 300)
    s = rng.random(300)
    t = np.array([0.0, 0.13, 0.5, 0.77, 1.0])
    table = F.threshold_table(s, y, g, t)
    for a, (k, th) in itertools.product((0, 1), enumerate(t)):
        pred = (s >= th).astype(float)
        m = g == a
        assert table.selection_rate[a, k] == pytest.approx(np.mean(pred[m]))
        assert table.tpr[a, k] == pytest.approx(np.mean(pred[m & (y == 1)]))
        assert table.fpr[a, k] == pytest.approx(np.mean(pred[m & (y == 0)]))
        assert table.correct[a, k] == np.sum(pred[m] == y[m])


def test_parity_thresholds_equalise_selection_rates_with_the_best_accuracy(loans, plain) -> None:  # type: ignore[no-untyped-def]
    train, _ = loans
    s = plain.predict_proba(train.X)
    rule = F.parity_thresholds(s, train.y, train.group)
    pred = rule.predict(s, train.group)
    rates = F.selection_rates(pred, train.group)
    assert abs(rates[0] - rates[1]) <= 1 / 800
    assert rule.train_accuracy == pytest.approx(np.mean(pred == train.y))
    # brute force over a grid of common rates: nothing more accurate
    best = 0.0
    for r in np.linspace(0, 1, 401):
        t = [np.quantile(s[train.group == a], 1 - r, method="higher") if r > 0 else np.inf
             for a in (0, 1)]
        best = max(best, np.mean((s >= np.where(train.group == 1, t[1], t[0])) == train.y))
    assert rule.train_accuracy >= best - 1e-12


def test_equalized_odds_thresholds_are_the_most_accurate_within_the_tolerance() -> None:
    big = data.loan_approval(5000, seed=9)
    s, y, g = big.approval_probability, big.y, big.group
    grid = np.arange(1, 100) / 100
    rule = F.equalized_odds_thresholds(s, y, g, tolerance=0.02, grid=grid)
    pred = rule.predict(s, g)
    assert F.equalized_odds_difference(y, pred, g) <= 0.02
    table = F.threshold_table(s, y, g, grid)
    eo = np.maximum(np.abs(table.tpr[0][:, None] - table.tpr[1]),
                    np.abs(table.fpr[0][:, None] - table.fpr[1]))
    acc = (table.correct[0][:, None] + table.correct[1]) / y.size
    assert rule.train_accuracy == pytest.approx(acc[eo <= 0.02].max())


def test_threshold_rule_rejects_unknown_groups(loans, plain) -> None:  # type: ignore[no-untyped-def]
    train, _ = loans
    rule = F.parity_thresholds(plain.predict_proba(train.X), train.y, train.group)
    with pytest.raises(ValueError, match="no threshold for"):
        rule.predict([0.5, 0.5], [0, 2])


# --------------------------------------------------------------------------------------
# The limits
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def impossibility() -> F.Impossibility:
    big = data.loan_approval(20000, seed=7)
    return F.calibration_vs_equalized_odds(big.approval_probability, big.y, big.group)


def test_a_calibrated_score_with_different_base_rates_has_unequal_error_rates(
        impossibility) -> None:  # type: ignore[no-untyped-def]
    r = impossibility
    assert r.base_rate[0] - r.base_rate[1] > 0.2
    assert np.all(r.calibration_error < 0.015)
    assert r.shared_fpr[0] - r.shared_fpr[1] > 0.1      # 0.216 against 0.083
    assert r.shared_fnr[1] - r.shared_fnr[0] > 0.15     # 0.346 against 0.160
    # Kleinberg et al.: the calibrated score is not balanced
    assert r.mean_score_positive[0] - r.mean_score_positive[1] > 0.1
    assert r.mean_score_negative[0] - r.mean_score_negative[1] > 0.1


def test_equalising_odds_with_group_thresholds_splits_the_ppv(impossibility) -> None:  # type: ignore[no-untyped-def]
    r = impossibility
    assert r.odds_eo_difference <= 0.01
    assert r.odds_ppv[0] - r.odds_ppv[1] > 0.15         # 0.860 against 0.687
    np.testing.assert_allclose(r.group_thresholds, [0.59, 0.365])


def test_chouldechovas_identity_holds_exactly(impossibility) -> None:  # type: ignore[no-untyped-def]
    assert impossibility.chouldechova_residual < 1e-12


# --------------------------------------------------------------------------------------
# fairlearn's reductions and post-processing
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reductions(loans) -> dict[str, F.OperatingPoint]:  # type: ignore[no-untyped-def]
    train, val = loans
    args = (train.X, train.y, train.group, val.X, val.y, val.group)
    return {c: F.fairlearn_exponentiated_gradient(*args, constraint=c)
            for c in ("demographic_parity", "equalized_odds")}


def test_exponentiated_gradient_reaches_its_constraint(reductions, sweeps) -> None:  # type: ignore[no-untyped-def]
    dp, eo = reductions["demographic_parity"], reductions["equalized_odds"]
    plain_dp, plain_eo = sweeps["parity"].dp_difference[0], sweeps["parity"].eo_difference[0]
    assert dp.name == "ExponentiatedGradient (DP)" and eo.name == "ExponentiatedGradient (EO)"
    assert dp.expected_dp_difference < 0.05 < plain_dp
    assert eo.expected_eo_difference < plain_eo
    assert dp.accuracy > 0.75 and eo.accuracy > 0.78
    for point in (dp, eo):
        assert abs(point.accuracy - point.expected_accuracy) < 0.02  # sampling scatter
        assert 0 < point.seconds < 10


def test_threshold_optimizer_reaches_parity(loans) -> None:  # type: ignore[no-untyped-def]
    train, val = loans
    point = F.fairlearn_threshold_optimizer(train.X, train.y, train.group, val.X, val.y,
                                            val.group)
    assert point.dp_difference < 0.05 and point.accuracy > 0.75


def test_fairlearn_functions_reject_unknown_constraints(loans) -> None:  # type: ignore[no-untyped-def]
    train, val = loans
    args = (train.X, train.y, train.group, val.X, val.y, val.group)
    with pytest.raises(ValueError, match="constraint must be one of"):
        F.fairlearn_exponentiated_gradient(*args, constraint="calibration")


def test_importing_lossviz_fairness_does_not_import_fairlearn() -> None:
    import subprocess
    import sys

    code = ("import sys, lossviz.fairness, lossviz.widgets.fairness, "
            "lossviz.exercises.fairness; print('fairlearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
