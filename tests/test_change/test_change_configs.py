"""Both change-detection configs: the paper's settings (App. B.5.6), the paper-size model on the meta device,
and one training iteration and one evaluation with the config's own pipeline, dataset class and metric on
generated data in the official layout, converted by the converter users run (tiny backbone)."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
from change_layouts import REPO, load_tool, make_cdd, make_levir_cd, shrink
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmringmoe.models.utils import meta_device
from mmringmoe.registry import MODELS

converter = load_tool('tools/dataset_converters/change_detection.py')
# config: (dataset, release generator, training iterations = 200 epochs of training slices at batch 8)
CONFIGS = {
    'bit_ringmoe-kc_200e_levir-cd-256x256.py': ('levir-cd', make_levir_cd, 445 * 16 * 200 // 8),
    'bit_ringmoe-kc_200e_cdd-256x256.py': ('cdd', make_cdd, 10000 * 200 // 8),
}


def load(name):
    return Config.fromfile(osp.join(REPO, 'configs', 'change', name))


def test_every_change_config_is_tested():
    assert sorted(CONFIGS) == sorted(p for p in __import__('os').listdir(osp.join(REPO, 'configs', 'change')))


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_config_carries_the_paper_settings(name):
    cfg = load(name)
    iters = CONFIGS[name][2]
    assert cfg.model.backbone.type == 'mmringmoe.RingMoE-KC' and cfg.model.backbone.arch == '1b'
    assert cfg.model.backbone.modality == 'opt' and cfg.model.backbone.frozen_stages == 0  # stage 1 frozen
    assert cfg.model.type == 'mmringmoe.SiameseEncoderDecoder' and cfg.model.decode_head.type == 'mmringmoe.BITHead'
    assert cfg.model.decode_head.loss_decode.type == 'CrossEntropyLoss' and cfg.model.decode_head.num_classes == 2
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr) == ('AdamW', 5e-5)
    (decay, ) = cfg.param_scheduler  # linear to zero over the whole run, no warm-up
    assert (decay.type, decay.power, decay.eta_min, decay.begin, decay.end) == ('PolyLR', 1.0, 0.0, 0, iters)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop' and cfg.train_cfg.max_iters == iters
    assert cfg.train_dataloader.batch_size == 8 and tuple(cfg.model.data_preprocessor.size) == (256, 256)
    steps = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    assert steps == ['mmringmoe.LoadRasterPair', 'mmringmoe.LoadSegAnnotations', 'RandomResize', 'RandomCrop',
                     'RandomFlip', 'RandomFlip', 'mmringmoe.PerDatePhotometric', 'PackSegInputs']
    photometric = [t.type for t in cfg.train_dataloader.dataset.pipeline[6].transforms]
    assert photometric == ['PhotoMetricDistortion', 'mmringmoe.RandomGaussianBlur']  # colour jitter, blur
    assert tuple(cfg.train_dataloader.dataset.pipeline[3].crop_size) == (256, 256)
    assert cfg.val_evaluator.type == cfg.test_evaluator.type == 'mmringmoe.ChangeMetric'
    assert cfg.default_hooks.checkpoint.save_best == 'F1'


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_paper_size_model_builds_and_runs_on_meta(name):
    cfg = load(name)
    init_default_scope('mmseg')
    with meta_device():
        model = MODELS.build(cfg.model).eval()
        logits = model.decode_head(model.extract_feat(torch.empty(1, 6, 256, 256, device='meta')))
    assert logits.shape == (1, 2, 256, 256)
    backbone = sum(p.numel() for p in model.backbone.parameters())
    head = sum(p.numel() for p in model.decode_head.parameters())
    assert backbone == 1_060_994_020  # the 1B RingMoE-KC, once for both dates
    assert head == 2_575_074  # of which 1,935,392 in the 3x3 reduction of the 6720 concatenated channels
    trainable = sum(p.numel() for p in model.backbone.parameters() if p.requires_grad)
    frozen = sum(p.numel() for m in (model.backbone.patch_embed, model.backbone.stages[0]) for p in m.parameters())
    assert trainable == backbone - frozen - sum(p.numel() for p in model.backbone.norm0.parameters())


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_one_iteration_and_evaluation_on_the_published_layout(name, tmp_path):
    dataset, make_release, _ = CONFIGS[name]
    make_release(str(tmp_path / 'release'), np.random.default_rng(0))
    data = tmp_path / 'data'
    assert converter.main(['--dataset', dataset, str(tmp_path / 'release'), '-o', str(data), '--patch', '32']) == 0
    cfg = shrink(load(name), str(data), str(tmp_path / 'work'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    metrics = runner.test()
    for key in ('F1', 'precision', 'recall', 'IoU', 'OA'):
        assert math.isfinite(float(metrics[key])), (key, metrics)
    assert len(runner.test_dataloader.dataset) == 8  # 2 test pairs x 4 slices
