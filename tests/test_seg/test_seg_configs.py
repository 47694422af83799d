"""Every config of configs/seg: the paper-size model builds and runs (on the meta device), and the config's
own pipeline, dataset class, model and evaluator train one iteration and evaluate on generated data in the
dataset's published layout with a tiny backbone."""
import math
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from seg_layouts import LAYOUTS, REPO, shrink

from mmringmoe.models.utils import meta_device
from mmringmoe.registry import MODELS

SEG_CONFIGS = sorted(os.listdir(osp.join(REPO, 'configs', 'seg')))
# paper App. B.5.2 / B.5.3: (crop, iterations, batch size, learning rate, weight decay, input channels)
PAPER_SETTINGS = {
    'upernet_ringmoe_kc_isaid.py': ((896, 896), 80000, 8, 1e-4, 0.05, 3),
    'upernet_ringmoe_kc_80k_potsdam-irrg-512x512.py': ((512, 512), 80000, 8, 1e-4, 0.05, 3),
    'upernet_ringmoe_kc_16k_dynamicearthnet-1024x1024.py': ((1024, 1024), 16000, 8, 1e-4, 0.05, 4),
    'upernet_ringmoe_kc_20k_sarsegl1-500x500.py': ((500, 500), 20000, 4, 1e-4, 0.05, 8),
    'upernet_ringmoe_kc_80k_air-polsar-seg-512x512.py': ((512, 512), 80000, 8, 1e-4, 0.05, 1),
    'upernet_ringmoe_kc-opt-sar_80k_whu-opt-sar-256x256.py': ((256, 256), 80000, 16, 6e-5, 0.01, 4),
    'upernet_ringmoe_kc-opt-sar_80k_dfc23-512x512.py': ((512, 512), 80000, 12, 6e-5, 0.01, 4),
}


def test_every_config_has_a_generated_layout_and_paper_settings():
    assert SEG_CONFIGS == sorted(LAYOUTS) == sorted(PAPER_SETTINGS)


@pytest.mark.parametrize('name', SEG_CONFIGS)
def test_config_carries_the_paper_schedule(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'seg', name))
    crop, iters, batch, lr, wd, _ = PAPER_SETTINGS[name]
    assert tuple(cfg.crop_size) == crop == tuple(cfg.model.data_preprocessor.size)
    assert cfg.train_cfg.max_iters == iters and cfg.train_dataloader.batch_size == batch
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert (cfg.optim_wrapper.optimizer.lr, cfg.optim_wrapper.optimizer.weight_decay) == (lr, wd)
    warmup, poly = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.end) == ('LinearLR', 0.1, 1500)
    assert (poly.type, poly.eta_min, poly.begin, poly.end) == ('PolyLR', 1e-6, 1500, iters)
    resize, crop_t, flip = cfg.train_dataloader.dataset.pipeline[2:5]
    assert resize.ratio_range == (0.5, 2.0) and tuple(crop_t.crop_size) == crop and flip.type == 'RandomFlip'
    assert cfg.model.backbone.arch == '1b'
    assert 'mIoU' in cfg.val_evaluator.iou_metrics and 'mFscore' in cfg.val_evaluator.iou_metrics


@pytest.mark.parametrize('name', SEG_CONFIGS)
def test_paper_size_model_builds_and_runs_on_meta(name):
    """The 1B backbone(s), fusion and UperNet fit together at the config's crop, without memory."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'seg', name))
    init_default_scope('mmseg')
    *_, channels = PAPER_SETTINGS[name]
    assert len(cfg.model.data_preprocessor.mean) == len(cfg.model.data_preprocessor.std) == channels
    with meta_device():
        model = MODELS.build(cfg.model).eval()
        logits = model.decode_head(
            model.extract_feat(torch.empty(1, channels, *cfg.crop_size, device='meta')))
    backbones = [model.backbone] + ([model.second_backbone] if hasattr(model, 'second_backbone') else [])
    assert [b.embed_dims for b in backbones] == [448] * len(backbones)
    assert sum(b.patch_embed.projection.in_channels for b in backbones) == channels
    assert logits.shape[:2] == (1, cfg.model.decode_head.num_classes)
    assert logits.shape[2:] == (math.ceil(cfg.crop_size[0] / 4), math.ceil(cfg.crop_size[1] / 4))


@pytest.mark.parametrize('name', SEG_CONFIGS)
def test_one_iteration_and_evaluation_on_the_published_layout(name, tmp_path):
    LAYOUTS[name](str(tmp_path / 'data'), np.random.default_rng(0))
    cfg = shrink(
        Config.fromfile(osp.join(REPO, 'configs', 'seg', name)), str(tmp_path / 'data'),
        str(tmp_path / 'work'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    metrics = runner.test()
    for key in ('aAcc', 'mIoU', 'mAcc', 'mFscore'):
        assert math.isfinite(float(metrics[key])), (key, metrics)
    assert len(runner.test_dataloader.dataset) == 2
