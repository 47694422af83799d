"""Shared steps of the toolkit smoke tests: build a model from a config in ``tests/data/configs`` the way the
toolkits' tools do (``Config.fromfile`` -> ``custom_imports`` -> ``MODELS.build`` under the config's
``default_scope``), run one optimizer step and one predict step."""
from contextlib import ExitStack
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, DefaultScope

from mmringmoe.models.backbones import RingMoEKC

CONFIG_DIR = Path(__file__).resolve().parents[1] / 'data' / 'configs'
# The tiny arch: embed 32, depths [2, 2, 2, 2], so stages give 32, 64, 128, 256 channels at strides 4..32.
TINY_CHANNELS = (32, 64, 128, 256)


@pytest.fixture
def build_model():
    """``build(config_name) -> (cfg, model)``; the config's default scope stays current until the end."""
    with ExitStack() as scopes:

        def build(config_name):
            cfg = Config.fromfile(CONFIG_DIR / config_name)
            assert cfg.custom_imports == dict(imports=['mmringmoe'], allow_failed_imports=False)
            scopes.enter_context(DefaultScope.overwrite_default_scope(cfg.default_scope))
            model = MODELS.build(cfg.model)
            model.init_weights()
            return cfg, model

        yield build


def _check_backbone(backbone, inputs, out_indices=(0, 1, 2, 3)):
    """The backbone is RingMoE-KC tiny and gives the tiny channels at strides 4, 8, 16, 32."""
    assert type(backbone) is RingMoEKC
    with torch.no_grad():
        feats = backbone(inputs)
    height, width = inputs.shape[-2:]
    expected = [(inputs.shape[0], TINY_CHANNELS[i], height // 2**(i + 2), width // 2**(i + 2))
                for i in out_indices]
    assert [tuple(f.shape) for f in feats] == expected


def _train_one_step(cfg, model, data, backbone):
    """One ``train_step`` (preprocess, loss, backward, optimizer step) with the config's optimizer.

    Checks that every logged loss is finite, that the gradient reached the backbone's first layer, and that
    backbone parameters changed. Returns the logged values.
    """
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    before = {name: p.detach().clone() for name, p in backbone.named_parameters()}
    first_layer_grad = []
    handle = backbone.patch_embed.projection.weight.register_hook(
        lambda g: first_layer_grad.append(g.abs().sum()))
    model.train()
    try:
        log_vars = model.train_step(data, optim_wrapper)
    finally:
        handle.remove()
    assert log_vars, 'no losses'
    for name, value in log_vars.items():
        assert torch.isfinite(torch.as_tensor(value)).all(), f'{name} = {value}'
    assert first_layer_grad and first_layer_grad[0] > 0
    changed = [name for name, p in backbone.named_parameters() if not torch.equal(before[name], p.detach())]
    assert 'patch_embed.projection.weight' in changed
    return log_vars


def _predict(model, data):
    """One ``test_step`` (preprocess + predict) in eval mode."""
    model.eval()
    with torch.no_grad():
        return model.test_step(data)


@pytest.fixture
def check_backbone():
    return _check_backbone


@pytest.fixture
def train_one_step():
    return _train_one_step


@pytest.fixture
def predict():
    return _predict
