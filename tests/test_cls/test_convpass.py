"""Convpass PEFT (paper Sec. 4.3.2): on RingMoE-KC and the sparse RingMoE, zero-initialised adapters leave the
frozen model's output exactly unchanged, only adapters and head receive gradients, and the trainable
fraction of a config is counted on the meta device."""
import os
import os.path as osp

import pytest
import torch
from cls_layouts import REPO, load_tool, shrink
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from mmringmoe.models.peft import ConvpassBackbone
from mmringmoe.registry import MODELS

TINY = dict(arch='tiny', img_size=64, window_size=[4, 4, 4, 2], drop_path_rate=0.2)
BACKBONES = {
    'RingMoE-KC':
    dict(type='mmringmoe.RingMoE-KC', **TINY),
    'RingMoE':
    dict(type='mmringmoe.RingMoE',
         modalities=['opt', 'sar_l2'],
         num_specialized_experts=2,
         num_collaborative_experts=2,
         **TINY),
}
PEFT_CLS = osp.join(REPO, 'configs', 'peft', 'convpass_linear_ringmoe_kc_200e_aid-512x512.py')


def _inputs(name):
    image = torch.randn(2, 3, 64, 64)
    return ((image, ), dict(modality='opt')) if name == 'RingMoE' else ((image, ), {})


@pytest.mark.parametrize('name', sorted(BACKBONES))
@pytest.mark.parametrize('with_cp', [False, True])
def test_zero_adapters_give_the_frozen_output_and_only_adapters_learn(name, with_cp, tmp_path):
    cfg = dict(BACKBONES[name], with_cp=with_cp, out_indices=(0, 1, 2, 3))
    frozen = MODELS.build(cfg)
    frozen.init_weights()
    checkpoint = str(tmp_path / 'backbone.pth')
    torch.save(frozen.state_dict(), checkpoint)
    # the wrapped backbone loads its own checkpoint unchanged (every key required for RingMoE-KC)
    adapted = MODELS.build(
        dict(type='mmringmoe.Convpass',
             backbone=dict(cfg, init_cfg=dict(type='Pretrained', checkpoint=checkpoint))))
    adapted.init_weights()
    args, kwargs = _inputs(name)
    frozen.eval()
    with torch.no_grad():
        expected = frozen(*args, **kwargs)
    for mode in (False, True):  # eval, then training mode (the backbone stays in eval mode)
        adapted.train(mode)
        with torch.no_grad():
            outputs = adapted(*args, **kwargs)
        assert all(torch.equal(a, b) for a, b in zip(outputs, expected))
    assert len(adapted.adapters) == 8  # one pair of bypasses per block of the tiny arch

    adapted.train()
    sum(out.square().mean() for out in adapted(*args, **kwargs)).backward()
    with_grad = {n for n, p in adapted.named_parameters() if p.grad is not None}
    assert with_grad and all(n.startswith('adapters.') for n in with_grad)
    assert all(p.grad is None and not p.requires_grad for p in adapted.backbone.parameters())
    # zero up-projections: only they receive a non-zero gradient on the first step
    assert all(adapters.attn.up.weight.grad.abs().sum() > 0 for adapters in adapted.adapters)


def test_peft_config_trains_only_adapters_and_head(tmp_path):
    cfg = shrink(Config.fromfile(PEFT_CLS), str(tmp_path), str(tmp_path))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
        model.init_weights()
        assert isinstance(model.backbone, ConvpassBackbone)
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
        model.train()
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        images = torch.randint(0, 256, (2, 3, 64, 64), dtype=torch.uint8)
        data = pseudo_collate(
            [dict(inputs=images[i], data_samples=DataSample().set_gt_label(i)) for i in range(2)])
        model.train_step(data, optim_wrapper)
    changed = {n for n, p in model.named_parameters() if not torch.equal(before[n], p.detach())}
    assert changed and all(n.startswith(('backbone.adapters.', 'head.')) for n in changed)
    assert any(n.startswith('head.') for n in changed) and any('.up.' in n for n in changed)


def test_trainable_fraction_tool(capsys):
    tool = load_tool('tools/analysis_tools/trainable_params.py')
    assert tool.main([PEFT_CLS]) == 0
    lines = capsys.readouterr().out.splitlines()
    parts = {line.split()[0]: [int(v.replace(',', '')) for v in line.split()[1:]] for line in lines[1:-1]}
    # the 1b arch: 24 blocks x 2 adapters of (448..3584 -> 8 -> 3x3 -> 8 -> 448..3584); 30-class head
    adapter_params = sum(2 * depth * ((dims * 8 + 8) + (8 * 8 * 9 + 8) + (8 * dims + dims))
                         for depth, dims in zip((2, 2, 18, 2), (448, 896, 1792, 3584)))
    assert parts['backbone.adapters'] == [adapter_params, adapter_params]
    assert parts['head'] == [3584 * 30 + 30] * 2
    assert parts['backbone'][0] == 0 and parts['backbone'][1] > 1.06e9
    trainable = adapter_params + 3584 * 30 + 30
    total = sum(total for _, total in parts.values())
    assert lines[-1] == (f'trainable: {trainable / 1e6:.2f}M of {total / 1e6:.2f}M parameters '
                         f'({100.0 * trainable / total:.2f}%)')


def test_trainable_fraction_tool_bad_config(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text("model = dict(type='NoSuchModel')\n")
    with pytest.raises(SystemExit,
                       match=r'trainable_params.py: cannot build the model of .*bad.py: KeyError'):
        load_tool('tools/analysis_tools/trainable_params.py').main([str(bad)])


@pytest.mark.parametrize('config', sorted(os.listdir(osp.join(REPO, 'configs', 'peft'))))
def test_every_peft_config_trains_adapters_and_heads_only(config, capsys):
    tool = load_tool('tools/analysis_tools/trainable_params.py')
    assert tool.main([osp.join(REPO, 'configs', 'peft', config)]) == 0
    lines = capsys.readouterr().out.splitlines()[1:-1]
    parts = {line.split()[0]: [int(v.replace(',', '')) for v in line.split()[1:]] for line in lines}
    assert parts.pop('backbone')[0] == 0 and parts['backbone.adapters'][0] > 0
    assert all(trainable == total for trainable, total in parts.values())  # adapters and task heads
