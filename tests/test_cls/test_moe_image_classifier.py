"""MoEImageClassifier: a sparse RingMoE classifier's loss carries Eq. 7's balance term, routing is
deterministic in eval mode, and a checkpoint of another expert layout is refused with one line."""
import os.path as osp

import pytest
import torch
from cls_layouts import REPO, shrink
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from mmringmoe.registry import MODELS
from mmringmoe.utils.checkpoint_files import CheckpointError

CONFIGS = osp.join(REPO, 'configs', 'cls')


def _model(tmp_path, name='linear_ringmoe_opt_200e_nwpu-resisc45-224x224.py', init=True, **backbone):
    cfg = shrink(Config.fromfile(osp.join(CONFIGS, name)), str(tmp_path), str(tmp_path))
    cfg.model.backbone.update(backbone)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    if init:
        model.init_weights()
    return model


def _batch():
    images = torch.randint(0, 256, (2, 3, 64, 64), dtype=torch.uint8)
    return pseudo_collate(
        [dict(inputs=images[i], data_samples=DataSample().set_gt_label(i + 3)) for i in range(2)])


def _router_grads(model, data):
    model.zero_grad()
    losses = model.loss(**model.data_preprocessor(data, training=True))
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    return losses, {n: p.grad.clone() for n, p in model.backbone.named_parameters() if 'router' in n}


def test_loss_adds_alpha_times_the_balance_losses(tmp_path):
    model = _model(tmp_path).train()
    data = _batch()
    torch.manual_seed(1)
    losses, with_balance = _router_grads(model, data)
    balance = model.backbone.balance_losses()
    assert set(losses) == {'loss', 'loss_balance_collaborative', 'loss_balance_specialized_opt'}
    torch.testing.assert_close(losses['loss_balance_collaborative'], 0.01 * balance['collaborative'])
    torch.testing.assert_close(losses['loss_balance_specialized_opt'], 0.01 * balance['specialized.opt'])
    assert not any(layer.record_expert_counts for layer in model.backbone.rmoe_layers)
    model.balance_loss_weight = 0.0  # the same forward (same noise) without the alpha term
    torch.manual_seed(1)
    _, without_balance = _router_grads(model, data)
    assert any(not torch.allclose(with_balance[n], without_balance[n]) for n in with_balance)


def test_routing_noise_is_off_in_eval_mode(tmp_path):
    model = _model(tmp_path).eval()
    data = _batch()
    with torch.no_grad():
        first = [r.pred_score for r in model.test_step(data)]
        torch.manual_seed(123)
        second = [r.pred_score for r in model.test_step(data)]
    for a, b in zip(first, second):
        assert torch.equal(a, b)


def test_checkpoint_of_another_expert_layout_is_named(tmp_path):
    """RingMoE-Opt (2 collaborative experts per block) given an expert-pruned checkpoint, and the RingMoE-EP
    config given a dense RingMoE-KC checkpoint."""
    pruned = _model(tmp_path)  # the shrunk layout keeps [2, 1, 2, 1, ...] collaborative experts
    path = str(tmp_path / 'ringmoe-ep_opt.pth')
    torch.save({'state_dict': pruned.state_dict()}, path)
    opt = _model(tmp_path,
                 init=False,
                 num_collaborative_experts=2,
                 init_cfg=dict(type='Pretrained', checkpoint=path))
    with pytest.raises(CheckpointError) as err:
        opt.backbone.init_weights()
    message = str(err.value)
    assert '\n' not in message
    assert ('stages.0.blocks.1.ffn.collaborative_experts.fc1_weight: [1, 128, 32] in the file, '
            '[2, 128, 32] in the model') in message

    dense = _model(tmp_path, 'linear_ringmoe_kc_200e_nwpu-resisc45-224x224.py')
    dense_path = str(tmp_path / 'ringmoe-kc_opt.pth')
    torch.save({'state_dict': dense.state_dict()}, dense_path)
    with pytest.raises(CheckpointError) as err:
        _model(tmp_path,
               'linear_ringmoe_ep_200e_nwpu-resisc45-224x224.py',
               num_collaborative_experts=None,
               init_cfg=dict(type='Pretrained', checkpoint=dense_path))
    assert str(err.value) == (
        f'RingMoE-EP: {dense_path}: not a RingMoE checkpoint (no '
        'patch_embed.<modality>.projection.weight; it is a dense SwinV2 / RingMoE-KC checkpoint)')
