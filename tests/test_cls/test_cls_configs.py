"""Every config of configs/cls: the paper's settings (App. B.5.1), the paper-size model builds and runs on
the meta device, and the config's own pipeline, dataset, model and evaluator train one iteration and
evaluate on generated data in the dataset's release layout with a tiny backbone."""
import math
import os
import os.path as osp

import pytest
import torch
from cls_layouts import CLS_DATASETS as DATASETS
from cls_layouts import REPO, shrink
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.registry import MODELS

CLS_CONFIGS = sorted(os.listdir(osp.join(REPO, 'configs', 'cls')))
# training images of the paper's splits: 10% of 45 x 700 (NWPU-RESISC45), 20% of AID's 10,000 (every class
# of AID has a multiple of 10 images)
TRAIN_IMAGES = {'nwpu-resisc45': 3150, 'aid': 2000}
# variant tag -> (classifier, backbone, arch, last-stage channels)
VARIANTS = {
    'kc': ('ImageClassifier', 'mmringmoe.RingMoE-KC', '1b', 3584),
    'opt': ('mmringmoe.MoEImageClassifier', 'mmringmoe.RingMoE', '1b', 3584),
    'ep': ('mmringmoe.MoEImageClassifier', 'mmringmoe.RingMoE-EP', '1b', 3584),
    'base': ('mmringmoe.MoEImageClassifier', 'mmringmoe.RingMoE', 'base', 1024),
}


def _tags(name):
    variant = name.split('_')[2]
    dataset = next(tag for tag in DATASETS if f'_200e_{tag}-' in name)
    return variant, dataset


def test_one_config_per_variant_and_dataset():
    assert sorted(_tags(name) for name in CLS_CONFIGS) == sorted((v, d) for v in VARIANTS for d in DATASETS)


@pytest.mark.parametrize('name', CLS_CONFIGS)
def test_config_carries_the_paper_settings(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'cls', name))
    variant, dataset = _tags(name)
    classes, crop, train_split, test_split, _ = DATASETS[dataset]
    classifier, backbone, arch, channels = VARIANTS[variant]
    assert (cfg.model.type, cfg.model.backbone.type, cfg.model.backbone.arch) == (classifier, backbone, arch)
    assert cfg.model.get('balance_loss_weight', 0.01) == 0.01
    assert cfg.model.backbone.get('modality', cfg.model.backbone.get('modalities', ['opt'])[0]) == 'opt'
    assert cfg.model.neck.type == 'GlobalAveragePooling' and cfg.model.head.type == 'LinearClsHead'
    assert cfg.model.head.num_classes == cfg.model.data_preprocessor.num_classes == classes
    assert cfg.model.head.in_channels == channels
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == ('AdamW', 5e-5, 0.05)
    # 10 warm-up epochs and 200 in all, in iterations of the config's batch over the paper's training split
    iterations_per_epoch = TRAIN_IMAGES[dataset] / cfg.train_dataloader.batch_size
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.begin, warmup.by_epoch) == ('LinearLR', 0.01, 0, False)
    assert warmup.end == round(10 * iterations_per_epoch)
    assert (cosine.type, cosine.eta_min, cosine.by_epoch) == ('CosineAnnealingLR', 5e-6, False)
    assert cosine.begin == warmup.end and cosine.T_max == cosine.end - cosine.begin
    assert cosine.end == cfg.train_cfg.max_iters == round(200 * iterations_per_epoch)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.train_dataloader.sampler.type == 'InfiniteSampler'
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert [t.type for t in pipeline
            ] == ['mmringmoe.LoadRasterImage', 'RandomCrop', 'RandomFlip', 'RandomErasing', 'PackInputs']
    assert pipeline[1].crop_size == crop == cfg.model.backbone.img_size
    assert cfg.train_dataloader.dataset.ann_file == train_split
    assert cfg.test_dataloader.dataset.ann_file == cfg.val_dataloader.dataset.ann_file == test_split
    assert [e.type for e in cfg.test_evaluator] == ['Accuracy', 'SingleLabelMetric']
    assert dict(type='mmringmoe.IterationSeedHook') in cfg.custom_hooks


# backbone parameters of the sparse 1b variants (README "Parameter counts"; RingMoE-EP with one of the four
# collaborative experts kept per block: the top-25% layout)
SPARSE_PARAMETERS = {'opt': 6.535e9, 'ep': 4.482e9}


@pytest.mark.parametrize('name', CLS_CONFIGS)
def test_paper_size_model_builds_on_meta(name):
    """The paper-size model fits together; the dense one also runs a batch at the config's crop (the
    sparse dispatch sorts tokens by expert, which the meta device cannot)."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'cls', name))
    variant, _ = _tags(name)
    if variant == 'ep':
        cfg.model.backbone.update(init_cfg=None, num_collaborative_experts=[1] * 24)
    init_default_scope('mmpretrain')
    crop = cfg.model.backbone.img_size
    with meta_device():
        model = MODELS.build(cfg.model).eval()
        if variant == 'kc':
            logits = model(torch.empty(2, 3, crop, crop, device='meta'), mode='tensor')
            assert logits.shape == (2, cfg.model.head.num_classes)
    assert model.backbone.stages[-1].out_channels == cfg.model.head.in_channels
    if variant in SPARSE_PARAMETERS:
        assert count_parameters(model.backbone) == pytest.approx(SPARSE_PARAMETERS[variant], rel=1e-3)


@pytest.mark.parametrize('name', CLS_CONFIGS)
def test_one_iteration_and_evaluation_on_the_release_layout(name, releases, tmp_path):
    _, dataset = _tags(name)
    cfg = shrink(Config.fromfile(osp.join(REPO, 'configs', 'cls', name)), releases[dataset], str(tmp_path))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    logged = runner.message_hub.log_scalars
    sparse = cfg.model.type == 'mmringmoe.MoEImageClassifier'
    assert ('train/loss_balance_collaborative' in logged) == sparse
    if sparse:
        assert not any(layer.record_expert_counts for layer in runner.model.backbone.rmoe_layers)
        assert 'train/loss_balance_specialized_opt' in logged
    metrics = runner.test()
    classes = DATASETS[dataset][0]
    assert 0 <= metrics['accuracy/top1'] <= 100
    assert len(metrics['single-label/recall_classwise']) == classes
    assert all(math.isfinite(v) for v in metrics['single-label/recall_classwise'])
    assert len(runner.test_dataloader.dataset) == 8
