"""Every config of configs/track (paper App. B.5.5): the paper's two-stage settings, the paper-size ByteTrack +
YOLOX + RingMoE-KC (1B) built on the meta device, and, per dataset, stage 1 and then stage 2 from stage 1's
checkpoint each training one iteration and tracking a generated clip (converted by the real converter) with the
config's own pipelines, dataset classes, tracker and metric on a tiny backbone; stage 2 leaves the backbone as
stage 1 saved it."""
import math
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.registry import MODELS
from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TRACK_CONFIGS = sorted(os.listdir(osp.join(REPO, 'configs', 'track')))
FRAMES_PER_VIDEO = 70  # the paper's "over 70 timestamps" per AIR-MOT video, also taken for AIR-HSAO
# dataset: (training videos (paper), classes, generated objects per clip)
DATASETS = {
    'air-mot': (106, ('aircraft', 'ship'), ['--aircraft', '1', '--ships', '1']),
    'air-hsao': (128, ('airplane', ), ['--aircraft', '2', '--ships', '0']),
}
TINY_DIMS = [64, 128, 256]  # RingMoE-KC 'tiny' stages 1-3
SIZE = 64  # crop side of the shrunk configs


def config(dataset: str, stage: int) -> Config:
    name = next(n for n in TRACK_CONFIGS if f'_stage{stage}-' in n and f'_{dataset}-' in n)
    return Config.fromfile(osp.join(REPO, 'configs', 'track', name))


def epoch_iterations(dataset: str) -> int:
    return math.ceil(DATASETS[dataset][0] * FRAMES_PER_VIDEO / 2)  # batch 2


def test_one_config_per_dataset_and_stage():
    assert TRACK_CONFIGS == sorted(f'bytetrack_yolox_ringmoe-kc_stage{stage}_{dataset}-{size}.py'
                                   for dataset in DATASETS
                                   for stage, size in (('1-5e', '640x640'), ('2-2e', '1920x1080')))


@pytest.mark.parametrize('dataset', sorted(DATASETS))
def test_stage1_carries_the_paper_settings(dataset):
    cfg = config(dataset, 1)
    _, classes, _ = DATASETS[dataset]
    assert cfg.default_scope == 'mmdet' and cfg.model.type == 'ByteTrack' and cfg.model.detector.type == 'YOLOX'
    backbone = cfg.model.detector.backbone
    assert (backbone.type, backbone.arch, backbone.modality) == ('mmringmoe.RingMoE-KC', '1b', 'opt')
    assert tuple(backbone.out_indices) == (1, 2, 3) and backbone.get('frozen_stages', -1) == -1
    assert cfg.model.detector.neck.in_channels == [896, 1792, 3584]
    assert cfg.model.detector.bbox_head.num_classes == len(classes)
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == ('AdamW', 1e-5, 0.005)
    (warmup, ) = cfg.param_scheduler  # then constant
    assert (warmup.type, warmup.start_factor, warmup.begin, warmup.end, warmup.by_epoch) == (
        'LinearLR', 0.1, 0, 5000, False)
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.train_cfg.type == 'IterBasedTrainLoop' and cfg.train_cfg.max_iters == 5 * epoch_iterations(dataset)
    crop = [t for t in cfg.train_dataloader.dataset.pipeline if t.type == 'RandomCrop']
    assert len(crop) == 1 and tuple(crop[0].crop_size) == (640, 640)
    assert tuple(cfg.train_dataloader.dataset.metainfo.classes) == classes
    assert cfg.test_evaluator.type == 'mmringmoe.MultiClassMOTMetric'


@pytest.mark.parametrize('dataset', sorted(DATASETS))
def test_stage2_carries_the_paper_settings(dataset):
    cfg, stage1 = config(dataset, 2), config(dataset, 1)
    assert cfg.model.detector.backbone.frozen_stages == 3  # every stage of the 4-stage 1b arch
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == ('SGD', 4e-4, 0.005)
    assert not cfg.param_scheduler and cfg.train_dataloader.batch_size == 2
    assert cfg.train_cfg.max_iters == 2 * epoch_iterations(dataset)
    pipeline = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    assert 'RandomCrop' not in pipeline and 'RandomResize' not in pipeline  # whole 1920 x 1080 frames
    stage1_name = next(n for n in TRACK_CONFIGS if '_stage1-' in n and f'_{dataset}-' in n)
    assert cfg.load_from == f'work_dirs/{osp.splitext(stage1_name)[0]}/iter_{stage1.train_cfg.max_iters}.pth'
    assert cfg.model.tracker == stage1.model.tracker and cfg.test_dataloader == stage1.test_dataloader


def test_paper_size_model_builds_on_meta():
    """The 1B RingMoE-KC gives YOLOX's PAFPN strides 8, 16, 32 at 640 x 640 crops and whole frames; stage 2
    trains only the neck and the head (AIR-MOT; AIR-HSAO's head has one class less)."""
    init_default_scope('mmdet')
    counts = []
    for stage, (height, width) in ((1, (640, 640)), (2, (1088, 1920))):  # 1080 padded to a multiple of 32
        with meta_device():
            model = MODELS.build(config('air-mot', stage).model)
            feats = model.detector.extract_feat(torch.empty(1, 3, height, width, device='meta'))
        assert [tuple(f.shape[1:]) for f in feats] == [(256, height // s, width // s) for s in (8, 16, 32)]
        total = count_parameters(model)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        backbone = count_parameters(model.detector.backbone)
        print(f'AIR-MOT stage {stage}: {total:,} parameters, backbone {backbone:,}, trainable {trainable:,}')
        counts.append((total, trainable, backbone))
    (total, trainable1, backbone), (total2, trainable2, _) = counts
    assert total == total2 and trainable1 == total and trainable2 == total - backbone
    assert 1.0e9 < backbone < 1.1e9 and 1.2e9 < total < 1.4e9  # YOLOX's PAFPN at 896-3584 channels: ~248M


def make_clips(root: str, dataset: str) -> None:
    """One training and one test clip in the MOT-Challenge layout, converted as the release would be."""
    *_, objects = DATASETS[dataset]
    load_script(osp.join(REPO, 'tools/dataset_converters/make_demo_track_data.py')).main(
        [root, '--train-videos', '1', '--test-videos', '1', '--frames', '4', '--width', '160', '--height', '128',
         *objects])
    converter = load_script(osp.join(REPO, 'tools/dataset_converters/mot2coco.py'))
    assert converter.main([root, '--out', osp.join(root, 'annotations'), '--layout', dataset]) == 0


def shrink(cfg: Config, data_root: str, work_dir: str) -> Config:
    """The config's own model, pipelines, datasets, tracker and metric at CPU size: tiny backbone, window 4,
    64 px crops, 32-channel neck and head, one iteration with a checkpoint, data from ``data_root``."""
    detector = cfg.model.detector
    detector.backbone.update(arch='tiny', img_size=SIZE, window_size=4, drop_path_rate=0.0)
    detector.neck.update(in_channels=TINY_DIMS, out_channels=32, num_csp_blocks=1)
    detector.bbox_head.update(in_channels=32, feat_channels=32)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].update(num_workers=0, persistent_workers=False)
        cfg[name].dataset.data_root = data_root
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform.type == 'RandomCrop':
            transform.crop_size = (SIZE, SIZE)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1000)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=1)
    cfg.default_hooks.logger.interval = 1
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    cfg.work_dir = work_dir
    return cfg


def train_and_track(cfg: Config, classes: tuple) -> Runner:
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1
    metrics = runner.test()
    for key in ('MOTA', 'IDF1', 'HOTA'):
        assert math.isfinite(float(metrics[f'mot/{key}'])), metrics
    for name in classes:  # and per class
        assert math.isfinite(float(metrics[f'mot/{name}/MOTA'])), metrics
    return runner


@pytest.mark.parametrize('dataset', sorted(DATASETS))
def test_two_stages_train_and_track_a_generated_clip(dataset, tmp_path):
    data_root = str(tmp_path / dataset)
    make_clips(data_root, dataset)
    classes = DATASETS[dataset][1]
    stage1 = train_and_track(shrink(config(dataset, 1), data_root, str(tmp_path / 'stage1')), classes)
    checkpoint = osp.join(stage1.work_dir, 'iter_1.pth')
    saved = torch.load(checkpoint, map_location='cpu')['state_dict']

    cfg = shrink(config(dataset, 2), data_root, str(tmp_path / 'stage2'))
    cfg.load_from = checkpoint
    stage2 = train_and_track(cfg, classes)
    model = stage2.model
    backbone = dict(model.detector.backbone.named_parameters())
    assert backbone and not any(p.requires_grad or p.grad is not None for p in backbone.values())
    state = stage2.optim_wrapper.optimizer.state  # SGD keeps a momentum buffer for every parameter it updated
    assert not any(p in state for p in backbone.values()) and state
    for name, value in model.detector.backbone.state_dict().items():
        torch.testing.assert_close(value, saved[f'detector.backbone.{name}'], rtol=0, atol=0)
    neck = model.detector.neck.state_dict()
    assert any(not torch.equal(value, saved[f'detector.neck.{name}']) for name, value in neck.items())
