"""Chapter 06 demos: the numbers they print agree with lossviz.losses and lossviz.rl.

The generic catalog tests (every control changes picture and numbers, fast render equals a
full draw, ...) live in tests/test_widgets.py; these assert what each demo shows.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lossviz import losses, rl
from lossviz.widgets import BanditTrainer, GAEDial, PPOClipExplorer, catalog


def show(demo, **values):  # type: ignore[no-untyped-def]
    with demo.hold():
        for name, value in values.items():
            demo.controls[name].value = value
    return demo.numbers()


def test_the_three_demos_are_in_the_chapter_06_catalog():
    entries = catalog()
    for name in ("PPOClipExplorer", "GAEDial", "BanditTrainer"):
        assert entries[name].chapter == "06_rl"


# -- PPOClipExplorer ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ppo() -> PPOClipExplorer:
    return PPOClipExplorer()


@pytest.mark.parametrize(
    ("eps", "adv", "ratio", "clipped"),
    [(0.2, 1.0, 1.5, 1), (0.2, 1.0, 1.1, 0), (0.2, 1.0, 0.5, 0), (0.3, -1.5, 0.5, 1),
     (0.3, -1.5, 0.9, 0), (0.1, -0.5, 2.0, 0), (0.5, 2.0, 2.5, 1), (0.05, 0.0, 1.3, 0)],
)
def test_ppo_explorer_prints_the_registered_loss_and_gradient(ppo, eps, adv, ratio, clipped):
    shown = show(ppo, clip_range=eps, advantage=adv, ratio=ratio)
    log_r = np.log([ratio])
    assert shown["loss"] == losses.ppo_clip([adv], log_r, reduction="sum", clip_range=eps)
    assert shown["gradient"] == losses.ppo_clip_grad([adv], log_r, reduction="sum",
                                                     clip_range=eps)[0]
    assert shown["unclipped_loss"] == pytest.approx(-ratio * adv)
    assert shown["clipped"] == clipped


def test_ppo_explorer_shades_the_zero_gradient_region_on_the_favoured_side(ppo):
    shown = show(ppo, clip_range=0.2, advantage=1.0, ratio=1.0)
    assert (shown["frozen_from"], shown["frozen_to"]) == (pytest.approx(1.2), ppo.R_MAX)
    shown = show(ppo, clip_range=0.3, advantage=-1.0)
    assert (shown["frozen_from"], shown["frozen_to"]) == (0.0, pytest.approx(0.7))
    _, frozen = ppo._spans[0]
    assert frozen.get_x() == 0.0 and frozen.get_width() == pytest.approx(0.7)
    shown = show(ppo, advantage=0.0)
    assert (shown["frozen_from"], shown["frozen_to"]) == (0.0, ppo.R_MAX)  # no gradient at all
    assert "A = 0" in ppo._numbers_readout.text


def test_ppo_explorer_draws_the_loss_and_gradient_it_reports(ppo):
    show(ppo, clip_range=0.25, advantage=-0.8, ratio=1.4)
    r, drawn = ppo._clipped.get_data()
    np.testing.assert_allclose(drawn, losses.ppo_clip(np.full_like(r, -0.8), np.log(r),
                                                      reduction="none", clip_range=0.25))
    _, grad = ppo._grad.get_data()
    expected = losses.ppo_clip_grad(np.full_like(r, -0.8), np.log(r), reduction="none",
                                    clip_range=0.25)
    finite = np.isfinite(grad)  # one point is left out to break the line at the kink
    assert finite.sum() >= r.size - 2
    np.testing.assert_allclose(grad[finite], expected[finite])


def test_ppo_explorer_readout_prints_the_numbers(ppo):
    shown = show(ppo, clip_range=0.2, advantage=1.0, ratio=1.1)
    text = ppo._numbers_readout.text
    assert "−1.100" in text and "unclipped term active" in text
    assert shown["ratio"] == pytest.approx(1.1)


# -- GAEDial ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dial() -> GAEDial:
    return GAEDial()


def trace(demo):
    r = np.array([demo.controls[f"r{t}"].value for t in range(5)])
    v = np.array([demo.controls[f"v{t}"].value for t in range(5)])
    return r, v


@pytest.mark.parametrize(("gamma", "lam"), [(0.9, 0.8), (0.99, 0.95), (0.5, 0.0), (1.0, 1.0)])
def test_gae_dial_prints_what_lossviz_rl_computes(dial, gamma, lam):
    shown = show(dial, gamma=gamma, lam=lam, r1=0.5, v3=-0.4)
    r, v = trace(dial)
    adv = rl.gae(r, v, gamma, lam)
    delta = rl.td_errors(r, v, gamma)
    mc = rl.discounted_returns(r, gamma) - v
    for t in range(5):
        assert shown[f"A{t}"] == pytest.approx(adv[t], abs=1e-12)
        assert shown[f"delta{t}"] == pytest.approx(delta[t], abs=1e-12)
        assert shown[f"mc{t}"] == pytest.approx(mc[t], abs=1e-12)
    assert shown["weight_sum"] == pytest.approx(rl.gae_weights(gamma, lam, 5).sum())


def test_gae_dial_lambda_zero_is_td_and_lambda_one_is_monte_carlo(dial):
    shown = show(dial, gamma=0.9, lam=0.0)
    assert all(shown[f"A{t}"] == pytest.approx(shown[f"delta{t}"]) for t in range(5))
    shown = show(dial, lam=1.0)
    assert all(shown[f"A{t}"] == pytest.approx(shown[f"mc{t}"]) for t in range(5))


def test_gae_dial_draws_the_bars_it_reports(dial):
    shown = show(dial, gamma=0.8, lam=0.6, r0=-0.3, v2=0.9)
    heights = dial._gae_bars._lossviz_verts[:, 1, 1]
    np.testing.assert_allclose(heights, [shown[f"A{t}"] for t in range(5)])
    weights = dial._weight_bars._lossviz_verts[:, 1, 1]
    np.testing.assert_allclose(weights, 0.48 ** np.arange(5))
    _, td = dial._td_marks.get_data()
    np.testing.assert_allclose(td, [shown[f"delta{t}"] for t in range(5)])


def test_gae_dial_rescales_for_large_advantages_without_rebuilding(dial):
    axes = list(dial.figure.axes)
    show(dial, gamma=1.0, lam=1.0, **{f"r{t}": 1.0 for t in range(5)},
         **{f"v{t}": -1.0 for t in range(5)})
    assert dial.numbers()["A0"] == pytest.approx(6.0)  # G_0 = 5, V = -1
    assert dial.ax_adv.get_ylim() == (-8.0, 8.0)
    show(dial, **{f"r{t}": 0.0 for t in range(5)}, **{f"v{t}": 0.0 for t in range(5)})
    assert dial.ax_adv.get_ylim() == (-1.0, 1.0) and list(dial.figure.axes) == axes


# -- BanditTrainer ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trainer() -> BanditTrainer:
    return BanditTrainer()


@pytest.mark.parametrize(
    ("baseline", "entropy", "rate"),
    [(False, 0.0, 0.39), (True, 0.0, 0.37), (True, 0.3, 0.81), (True, 1.0, 0.99),
     (False, 1.0, 0.46)],
)
def test_bandit_trainer_prints_the_success_rate_of_train_bandit(trainer, baseline, entropy,
                                                                 rate):
    shown = show(trainer, baseline=baseline, entropy=entropy)
    assert shown["success_rate"] == pytest.approx(rate)
    run = rl.train_bandit(rl.deceptive_bandit(), baseline=baseline, ent_coef=entropy)
    assert shown["successes"] == int(run.found_best.sum())
    assert shown["final_entropy"] == pytest.approx(run.final_entropy)
    assert shown["variance_start"] == pytest.approx(run.grad_variance[:, 0].mean())
    assert trainer._values["succ"].get_text() == f"{round(rate * 100)} of 100"


def test_bandit_trainer_baseline_cuts_the_first_steps_variance(trainer):
    without = show(trainer, baseline=False, entropy=0.0)["variance_start"]
    with_b = show(trainer, baseline=True)["variance_start"]
    assert without == pytest.approx(8.4028, rel=1e-4) and with_b < without / 2.5


def test_bandit_trainer_toggles_swap_precomputed_runs(trainer, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a toggle must not retrain")

    monkeypatch.setattr(rl, "train_bandit", refuse)
    for baseline in (False, True):
        for entropy in (0.0, 0.1, 0.3, 1.0):
            show(trainer, baseline=baseline, entropy=entropy)
    assert len(trainer.runs) == 8


def test_bandit_trainer_draws_the_shown_run(trainer):
    shown = show(trainer, baseline=True, entropy=0.3, run=7)
    run = trainer.current()
    _, p_jackpot = trainer._pi_lines[1].get_data()
    np.testing.assert_array_equal(p_jackpot, run.probs[7, :, 1])
    assert shown["run_final_jackpot"] == run.probs[7, -1, 1]
    _, mean_j = trainer._j_mean.get_data()
    np.testing.assert_allclose(mean_j, run.expected_reward.mean(axis=0))


def test_bandit_trainer_refuses_an_unknown_entropy_coefficient():
    with pytest.raises(ValueError, match="ent_coef must be one of"):
        BanditTrainer(ent_coef=0.25)
