"""Every config of configs/det: the paper's settings (App. B.5.4), the paper-size model built on the meta
device, and the config's own pipeline, dataset class, model and evaluators training one iteration and
evaluating on generated data in the dataset's release layout with a tiny backbone."""
import math
import os
import os.path as osp

import numpy as np
import pytest
import torch
from det_layouts import LAYOUTS, REPO, datasets_of, shrink
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.registry import MODELS

DET_CONFIGS = sorted(os.listdir(osp.join(REPO, 'configs', 'det')))
# (modality, input channels, classes, 12 epochs in iterations at a total batch of 16)
SETTINGS = {
    'faster-rcnn_ringmoe-kc_fpn_12e_dior-800x800.py': ('opt', 3, 20, 12 * math.ceil(11725 / 16)),
    'faster-rcnn_ringmoe-kc_fpn_12e_hrsid-800x800.py': ('sar_l2', 1, 1, 12 * math.ceil(3642 / 16)),
    'faster-rcnn_ringmoe-kc_fpn_12e_sar-aircraft-800x800.py': ('sar_l2', 1, 7, 12 * math.ceil(3494 / 16)),
    'faster-rcnn_ringmoe-kc_fpn_12e_sardet-100k-800x800.py': ('sar_l2', 1, 6, 12 * math.ceil(94493 / 16)),
}


def config(name: str) -> Config:
    return Config.fromfile(osp.join(REPO, 'configs', 'det', name))


def test_every_config_has_a_generated_layout_and_settings():
    assert DET_CONFIGS == sorted(LAYOUTS) == sorted(SETTINGS)


@pytest.mark.parametrize('name', DET_CONFIGS)
def test_config_carries_the_paper_settings(name):
    cfg = config(name)
    modality, channels, classes, iters = SETTINGS[name]
    assert cfg.default_scope == 'mmdet' and cfg.model.type == 'FasterRCNN'
    assert (cfg.model.backbone.arch, cfg.model.backbone.modality) == ('1b', modality)
    assert cfg.model.backbone.drop_path_rate == 0.3 and tuple(cfg.model.backbone.out_indices) == (0, 1, 2, 3)
    assert cfg.model.roi_head.bbox_head.num_classes == classes
    assert len(cfg.model.data_preprocessor.mean) == len(cfg.model.data_preprocessor.std) == channels
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == ('SGD', 0.01, 0.05)
    warmup, decay = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, decay.end) == ('LinearLR', 1e-3, iters)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop' and cfg.train_cfg.max_iters == iters
    pipeline = datasets_of(cfg.train_dataloader)[0].pipeline
    assert [t.type for t in pipeline[1:]] == ['LoadAnnotations', 'Resize', 'RandomFlip', 'PackDetInputs']
    resize = pipeline[2]  # 800 x 800, no multi-scale; RandomFlip is the only augmentation
    assert tuple(resize.scale) == (800, 800) and resize.keep_ratio
    evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
    voc = [e for e in evaluators if e.type == 'VOCMetric']
    assert len(voc) == 1 and voc[0].iou_thrs == [0.5] and voc[0].eval_mode == 'area'
    if 'json' in str(cfg.test_dataloader.dataset.ann_file):  # the COCO-format sets: COCO's mAP as well
        assert any(e.type == 'CocoMetric' for e in evaluators)


@pytest.mark.parametrize('name', DET_CONFIGS)
def test_paper_size_model_builds_on_meta(name):
    """The 1B RingMoE-KC, FPN and the Faster R-CNN heads fit together at 800 px, without memory."""
    cfg = config(name)
    init_default_scope('mmdet')
    _, channels, *_ = SETTINGS[name]
    with meta_device():
        model = MODELS.build(cfg.model)
        feats = model.extract_feat(torch.empty(1, channels, 800, 800, device='meta'))
    assert model.backbone.embed_dims == 448 and model.backbone.patch_embed.projection.in_channels == channels
    sides = [math.ceil(800 / stride) for stride in (4, 8, 16, 32, 64)]
    assert [tuple(f.shape[1:]) for f in feats] == [(256, side, side) for side in sides]
    total = count_parameters(model)
    print(f'{name}: {total / 1e6:.1f} M parameters')  # the README's table
    assert 1.0e9 < total < 1.2e9


@pytest.mark.parametrize('name', DET_CONFIGS)
def test_one_iteration_and_evaluation_on_the_release_layout(name, tmp_path):
    LAYOUTS[name](str(tmp_path / 'data'), np.random.default_rng(0))
    cfg = shrink(config(name), str(tmp_path / 'data'), str(tmp_path / 'work'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    metrics = runner.test()
    assert math.isfinite(float(metrics['pascal_voc/mAP'])), metrics
    if isinstance(cfg.test_evaluator, list):  # the COCO-format sets
        assert 'coco/bbox_mAP' in metrics
    assert len(runner.test_dataloader.dataset) == 2
