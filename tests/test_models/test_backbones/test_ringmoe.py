import io
import logging

import pytest
import torch
from mmengine.logging import MMLogger
from mmpretrain.models.backbones import SwinTransformerV2

from mmringmoe.models.backbones import RingMoE
from mmringmoe.models.backbones.arch_zoo import RINGMOE_ARCH_ZOO
from mmringmoe.models.utils import swinv2_to_ringmoe_state_dict
from mmringmoe.registry import MODELS

TINY = dict(arch='tiny', window_size=4, drop_path_rate=0., out_indices=(0, 1, 2, 3), pad_small_map=True)


def _ringmoe(**kwargs):
    return RingMoE(**{**TINY, **kwargs})


def load_exactly(model, state):
    """Load ``state``; only the position buffers SwinV2 always re-creates may be missing."""
    result = model.load_state_dict(state, strict=False)
    assert not result.unexpected_keys
    assert all('relative_position_index' in k or 'relative_coords_table' in k for k in result.missing_keys)


def test_registered_and_builds_from_config():
    model = MODELS.build(dict(type='mmringmoe.RingMoE', **TINY))
    assert isinstance(model, RingMoE)
    assert set(model.patch_embed) == {'opt', 'ms', 'sar_l1', 'sar_l2'}


def test_multiscale_output_shapes():
    model = _ringmoe().eval()
    outs = model(torch.randn(2, 8, 64, 64), modality='sar_l1')
    assert [tuple(o.shape) for o in outs] == [(2, 32, 16, 16), (2, 64, 8, 8), (2, 128, 4, 4), (2, 256, 2, 2)]


def test_mixed_modality_batch_equals_separate_forwards():
    model = _ringmoe().eval()
    opt, sar = torch.randn(3, 64, 64), torch.randn(1, 64, 64)
    mixed = model([opt, sar, opt.clone()], modality=['opt', 'sar_l2', 'opt'])
    alone_opt = model(opt[None], modality='opt')
    alone_sar = model(sar[None], modality='sar_l2')
    for level in range(4):
        torch.testing.assert_close(mixed[level][0], alone_opt[level][0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(mixed[level][1], alone_sar[level][0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(mixed[level][2], alone_opt[level][0], atol=1e-5, rtol=1e-5)


def test_balance_losses_named_per_router():
    model = _ringmoe().train()
    model([torch.randn(3, 64, 64), torch.randn(4, 64, 64)], modality=['opt', 'ms'])
    losses = model.balance_losses()
    assert set(losses) == {'collaborative', 'specialized.opt', 'specialized.ms'}
    assert all(v.requires_grad and torch.isfinite(v) for v in losses.values())


def test_single_modality_model_needs_no_modality():
    model = _ringmoe(modalities=['sar_l2']).eval()
    x = torch.randn(2, 1, 64, 64)
    for a, b in zip(model(x), model(x, modality='sar_l2')):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize('x, modality, match', [
    (torch.randn(2, 3, 64, 64), 'hyperspectral', 'modality'),
    (torch.randn(2, 3, 64, 64), 'ms', r'x\[0\].*4 channels'),
    (torch.randn(2, 3, 64, 64), ['opt'], 'modality has 1 entries'),
    (torch.randn(2, 3, 64, 64), None, 'modality is required'),
    (torch.randn(3, 64, 64), 'opt', r'x must be \[B, C, H, W\]'),
])
def test_bad_input_is_a_clear_value_error(x, modality, match):
    with pytest.raises(ValueError, match=match):
        _ringmoe()(x, modality=modality)


def test_image_smaller_than_one_window_is_a_clear_error():
    model = _ringmoe(pad_small_map=False)
    with pytest.raises(ValueError, match='less than its window'):
        model(torch.randn(1, 3, 8, 8), modality='opt')


def test_frozen_stages_and_gradient_checkpointing():
    model = _ringmoe(frozen_stages=1).train()
    assert all(not p.requires_grad for p in model.patch_embed.parameters())
    assert all(not p.requires_grad for p in model.stages[1].parameters())
    assert all(p.requires_grad for p in model.stages[2].parameters())
    x = torch.randn(2, 3, 64, 64)
    plain = _ringmoe(noisy_gating=False).train()
    checkpointed = _ringmoe(noisy_gating=False, with_cp=True).train()
    load_exactly(checkpointed, plain.state_dict())
    for model in (plain, checkpointed):
        sum(o.sum() for o in model(x, modality='opt')).backward()
    grad_plain = plain.stages[2].blocks[0].ffn.collaborative_experts.fc1_weight.grad
    grad_cp = checkpointed.stages[2].blocks[0].ffn.collaborative_experts.fc1_weight.grad
    torch.testing.assert_close(grad_plain, grad_cp)


def test_drop_path_is_kept_on_the_rmoe_layers():
    model = _ringmoe(drop_path_rate=0.3)
    last = model.stages[-1].blocks[-1].ffn.dropout_layer
    assert last.drop_prob == pytest.approx(0.3)


def test_parity_with_mmpretrain_swinv2():
    """A RingMoE with only the shared expert is SwinV2: same weights, same features (< 1e-5)."""
    swin = SwinTransformerV2(arch=RINGMOE_ARCH_ZOO['tiny'], window_size=4, drop_path_rate=0.,
                             out_indices=(0, 1, 2, 3), pad_small_map=True, in_channels=3)
    swin.eval()
    ringmoe = _ringmoe(modalities=['opt'], num_specialized_experts=0, num_collaborative_experts=0).eval()
    load_exactly(ringmoe, swinv2_to_ringmoe_state_dict(swin.state_dict(), 'opt'))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(swin(x), ringmoe(x)):
            assert (a - b).abs().max().item() < 1e-5


def test_pretrained_init_reports_missing_keys_grouped(tmp_path):
    swin = SwinTransformerV2(arch=RINGMOE_ARCH_ZOO['tiny'], window_size=4, pad_small_map=True)
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in swin.state_dict().items()}}, tmp_path / 'swin.pth')
    model = _ringmoe(modalities=['opt'], init_cfg=dict(type='Pretrained', checkpoint=str(tmp_path / 'swin.pth')))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        model.init_weights()
    finally:
        logger.removeHandler(handler)
    torch.testing.assert_close(model.stages[0].blocks[0].ffn.shared_expert.layers[1].weight,
                               swin.stages[0].blocks[0].ffn.layers[1].weight)
    report = stream.getvalue()
    assert 'RingMoE: 102 missing keys' in report
    assert 'stages.*.blocks.*.ffn.collaborative_experts.fc1_weight  (x8)' in report
    assert 'unexpected keys' not in report


def test_train_and_eval_return_the_module():
    model = _ringmoe()
    assert model.eval() is model and model.train() is model
