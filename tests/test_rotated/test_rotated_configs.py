"""Every config of configs/rotated: the paper's settings (App. B.5.4), the paper-size model builds and runs on
the meta device, and the config's own pipeline, dataset class, model and evaluator train one iteration and
evaluate on generated data in the release layout with a tiny backbone."""
import math
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from rotated_layouts import DIOR_R_CONFIG, LAYOUTS, REPO, load_tool, shrink

from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.registry import MODELS

ROTATED_CONFIGS = sorted(os.listdir(osp.join(REPO, 'configs', 'rotated')))
# (classes, 12 epochs of the trainval images at a total batch of 16, in iterations)
PAPER_SETTINGS = {
    'oriented-rcnn-le90_ringmoe-kc_fpn_12e_dior-r-800x800.py': (20, 8796),
    'oriented-rcnn-le90_ringmoe-kc_fpn_12e_hrsc2016-800x800.py': (1, 468),
}


def test_every_config_has_a_generated_layout_and_paper_settings():
    assert ROTATED_CONFIGS == sorted(LAYOUTS) == sorted(PAPER_SETTINGS)


@pytest.mark.parametrize('name', ROTATED_CONFIGS)
def test_config_carries_the_paper_settings(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'rotated', name))
    classes, iters = PAPER_SETTINGS[name]
    assert cfg.default_scope == 'mmrotate' and cfg.angle_version == 'le90'
    assert cfg.model.roi_head.bbox_head.num_classes == classes
    backbone = cfg.model.backbone
    assert (backbone.type, backbone.arch, backbone.modality) == ('mmringmoe.RingMoE-KC', '1b', 'opt')
    assert backbone.drop_path_rate == 0.3 and tuple(backbone.out_indices) == (0, 1, 2, 3)
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == ('SGD', 0.01, 0.05)
    warmup, step = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, step.end) == ('LinearLR', 1e-3, iters)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop' and cfg.train_cfg.max_iters == iters
    assert cfg.train_dataloader.batch_size == 2  # per GPU, 16 on 8 GPUs: the iterations above assume it
    dataset = cfg.train_dataloader.dataset
    pipeline = dataset.get('datasets', [dataset])[0].pipeline
    kinds = [t.type for t in pipeline]
    # 800 x 800, RandomFlip the only augmentation, no multi-scale training
    assert kinds == [
        'mmringmoe.LoadRasterImage', 'mmdet.LoadAnnotations', 'ConvertBoxType', 'mmdet.Resize',
        'mmdet.RandomFlip', 'mmdet.PackDetInputs'
    ]
    assert tuple(pipeline[3].scale) == (800, 800) and pipeline[3].keep_ratio
    assert (cfg.val_evaluator.type, cfg.val_evaluator.iou_thrs,
            cfg.val_evaluator.eval_mode) == ('DOTAMetric', 0.5, 'area')


@pytest.mark.parametrize('name', ROTATED_CONFIGS)
def test_paper_size_model_builds_and_runs_on_meta(name):
    """The 1B backbone, FPN and Oriented R-CNN heads fit together at 800 x 800, without memory."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'rotated', name))
    init_default_scope('mmrotate')
    with meta_device():
        model = MODELS.build(cfg.model).eval()
        feats = model.extract_feat(torch.empty(1, 3, 800, 800, device='meta'))
        rpn_scores, rpn_deltas = model.rpn_head(feats)
    assert model.backbone.embed_dims == 448
    assert [tuple(f.shape) for f in feats] == [(1, 256, math.ceil(800 / s), math.ceil(800 / s))
                                               for s in (4, 8, 16, 32, 64)]
    # three anchors per position, one objectness and six midpoint offsets (Oriented R-CNN) each
    assert (rpn_scores[0].shape[1], rpn_deltas[0].shape[1]) == (3, 18)
    # the README's parameter count: backbone about 1B, detector on top
    total, backbone = count_parameters(model), count_parameters(model.backbone)
    print(f'{name}: {total:,} parameters, backbone {backbone:,}')
    assert 0.9e9 < backbone < 1.2e9 and 0 < total - backbone < 0.1e9


@pytest.mark.parametrize('name', ROTATED_CONFIGS)
def test_one_iteration_and_evaluation_on_the_release_layout(name, tmp_path):
    LAYOUTS[name](str(tmp_path / 'data'), np.random.default_rng(0))
    cfg = shrink(
        Config.fromfile(osp.join(REPO, 'configs', 'rotated', name)), str(tmp_path / 'data'),
        str(tmp_path / 'work'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    metrics = runner.test()
    assert math.isfinite(float(metrics['dota/mAP'])) and 0 <= metrics['dota/mAP'] <= 1
    assert len(runner.test_dataloader.dataset) == 2


def test_train_without_the_data_stops_with_one_line(tmp_path):
    train = load_tool('tools/train.py')
    with pytest.raises(SystemExit) as exit_info:
        train.main([osp.join(REPO, DIOR_R_CONFIG), '--work-dir', str(tmp_path)])
    assert str(exit_info.value.code) == 'train.py: dataset not found at data/DIOR: see docs/datasets.md'
