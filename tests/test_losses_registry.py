"""The loss registry: every registered loss is complete, exported and documented."""

from __future__ import annotations

import inspect
import subprocess
import sys

import numpy as np
import pytest

from lossviz import losses
from lossviz.losses import Loss, get, names, register

NAMES = names()
REQUIRED = [
    "mse",
    "mae",
    "huber",
    "log_cosh",
    "pinball",
    "barron",
    "bce_with_logits",
    "softmax_cross_entropy",
    "hinge",
    "squared_hinge",
    "focal",
    "kl_divergence",
]
TASKS = {"regression", "classification", "divergence", "metric learning", "segmentation",
         "gan", "reinforcement learning", "fairness", "probabilistic", "ranking"}


def _hyper_parameters(func) -> dict:
    sig = inspect.signature(func)
    return {
        k: p.default
        for k, p in sig.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and k != "reduction"
    }


def test_importing_losses_loads_only_numpy_and_scipy():
    code = (
        "import sys, lossviz.losses\n"
        "heavy = ['matplotlib', 'sklearn', 'ipywidgets', 'torch', 'mpmath', 'pandas']\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


@pytest.mark.parametrize("name", REQUIRED)
def test_required_loss_is_registered(name):
    assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_loss_and_its_gradient_are_exported(name):
    loss = get(name)
    assert getattr(losses, name) is loss.func
    assert getattr(losses, f"{name}_grad") is loss.grad_func
    assert name in losses.__all__ and f"{name}_grad" in losses.__all__


@pytest.mark.parametrize("name", NAMES)
def test_record_names_match_functions(name):
    loss = get(name)
    assert loss.name == name == loss.func.__name__
    assert loss.grad_func.__name__ == f"{name}_grad"


@pytest.mark.parametrize("name", NAMES)
def test_signature_is_y_true_y_pred_then_keyword_only(name):
    loss = get(name)
    for func in (loss.func, loss.grad_func):
        params = list(inspect.signature(func).parameters.values())
        assert [p.name for p in params[:2]] == ["y_true", "y_pred"]
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[2:])
        assert inspect.signature(func).parameters["reduction"].default == "mean"


@pytest.mark.parametrize("name", NAMES)
def test_params_are_the_functions_defaults(name):
    loss = get(name)
    assert dict(loss.params) == _hyper_parameters(loss.func) == _hyper_parameters(loss.grad_func)


@pytest.mark.parametrize("name", NAMES)
def test_every_record_field_is_filled(name):
    loss = get(name)
    assert loss.latex and "$" not in loss.latex
    assert loss.grad_latex and "$" not in loss.grad_latex
    assert loss.task in TASKS
    assert loss.reference.strip()
    assert callable(loss.reference_func), f"{name} has no reference_func"
    assert callable(loss.sample)
    assert loss.summary.endswith(".") and loss.summary.count(". ") == 0
    assert 40 <= len(loss.summary) <= 250


@pytest.mark.parametrize("name", NAMES)
def test_test_metadata_names_real_hyper_parameters(name):
    loss = get(name)
    for settings in (*loss.invalid_params, *loss.extra_params):
        assert set(settings) <= set(loss.params), settings


@pytest.mark.parametrize("name", NAMES)
def test_sample_is_valid_and_deterministic(name):
    loss = get(name)
    a = loss.sample(np.random.default_rng(3), 7)
    b = loss.sample(np.random.default_rng(3), 7)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert np.all(np.isfinite(loss(*a)))


@pytest.mark.parametrize("name", NAMES)
def test_docstring_has_the_pytorch_layout(name):
    doc = inspect.getdoc(get(name).func)
    for section in (".. math::", "Gradient", "Numerical stability", "Args:", "Shape:",
                    "Examples:", ">>> ", "Reference"):
        assert section in doc, f"{name}'s docstring lacks {section!r}"
    assert "reduction" in doc


def test_get_unknown_name_lists_the_registered_ones():
    with pytest.raises(ValueError, match=r"unknown loss name 'msee'.*mse"):
        get("msee")


def test_register_refuses_a_duplicate_name():
    with pytest.raises(ValueError, match="already registered"):
        register(get("mse"))


def test_loss_record_calls_through_to_the_function():
    loss = get("huber")
    assert isinstance(loss, Loss)
    assert loss([0.0, 0.0], [0.5, 3.0], delta=1.0) == losses.huber([0.0, 0.0], [0.5, 3.0])
    np.testing.assert_array_equal(
        loss.grad([0.0], [3.0], delta=2.0), losses.huber_grad([0.0], [3.0], delta=2.0)
    )
    assert "huber" in repr(loss) and "delta=1.0" in repr(loss)
