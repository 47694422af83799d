"""The frozen-backbone option (paper Sec. 4.3.1, Fig. 12.a): ``model.backbone.frozen_stages=3`` freezes every
backbone parameter (weights, routers, norms, patch embeddings) of a classification, segmentation or
detection config from the moment the model is built; a training step changes the head and not the
backbone, whose dropout, drop path and routing noise stay off."""
import os.path as osp

import pytest
import torch
from cls_layouts import REPO, shrink
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, DefaultScope
from mmengine.structures import InstanceData, PixelData
from mmpretrain.structures import DataSample
from mmseg.structures import SegDataSample

TOOLKIT_CONFIGS = osp.join(REPO, 'tests', 'data', 'configs')
FREEZE_ALL = 3  # the last stage of every arch (4 stages)


def _image():
    return torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8)


def _cls_batch():
    return pseudo_collate(
        [dict(inputs=_image(), data_samples=DataSample().set_gt_label(label)) for label in (1, 4)])


def _seg_batch():
    samples = []
    for i in range(2):
        sample = SegDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64)))
        label = torch.zeros(1, 64, 64, dtype=torch.long)
        label[:, :32] = 1 + i
        sample.gt_sem_seg = PixelData(data=label)
        samples.append(dict(inputs=_image(), data_samples=sample))
    return pseudo_collate(samples)


def _det_batch():
    samples = []
    for i in range(2):
        sample = DetDataSample(
            metainfo=dict(img_id=i, img_shape=(64, 64), ori_shape=(64, 64), scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(bboxes=torch.tensor([[5., 6., 30., 40.]]),
                                           labels=torch.tensor([i]))
        samples.append(dict(inputs=_image(), data_samples=sample))
    return pseudo_collate(samples)


def _sparse_cls_config(tmp_path):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'cls',
                                   'linear_ringmoe_opt_200e_nwpu-resisc45-224x224.py'))
    return shrink(cfg, str(tmp_path), str(tmp_path))


CASES = {
    # name: (config, batch, head attribute)
    'cls, RingMoE-KC':
    (lambda _: Config.fromfile(osp.join(TOOLKIT_CONFIGS, 'ringmoe-kc-tiny_linear_64x64_cls.py')), _cls_batch,
     'head'),
    'cls, sparse RingMoE (routers)': (_sparse_cls_config, _cls_batch, 'head'),
    'seg, UperNet':
    (lambda _: Config.fromfile(osp.join(TOOLKIT_CONFIGS, 'upernet_ringmoe-kc-tiny_64x64_seg.py')), _seg_batch,
     'decode_head'),
    'det, Faster R-CNN':
    (lambda _: Config.fromfile(osp.join(TOOLKIT_CONFIGS, 'faster-rcnn_ringmoe-kc-tiny_fpn_64x64_det.py')),
     _det_batch, 'roi_head'),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_frozen_backbone_trains_only_the_head(case, tmp_path):
    make_config, make_batch, head_name = CASES[case]
    cfg = make_config(tmp_path)
    cfg.model.backbone.frozen_stages = FREEZE_ALL
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
        model.init_weights()
        backbone, head = model.backbone, getattr(model, head_name)
        # frozen when built, so that DDP and the optimizer never see a backbone parameter as trainable
        assert not any(p.requires_grad for p in backbone.parameters())
        if 'routers' in case:
            assert any('router' in name for name, _ in backbone.named_parameters())
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
        model.train()
        # the stages and patch embeddings run in eval mode: no dropout, drop path or routing noise
        assert not any(m.training for part in (*backbone.stages, backbone.patch_embed)
                       for m in part.modules())
        assert head.training
        before = {name: p.detach().clone() for name, p in model.named_parameters()}
        log_vars = model.train_step(make_batch(), optim_wrapper)
    assert not any(key.startswith('loss_balance') for key in log_vars)  # frozen routers: no balance term
    changed = {name for name, p in model.named_parameters() if not torch.equal(before[name], p.detach())}
    assert not {name for name in changed if name.startswith('backbone.')}
    assert {name for name in changed if name.startswith(head_name + '.')}
