"""Every few-shot segmentation config: the paper's settings (App. B.5.8, Table A3), the paper-size model on
the meta device, and one epoch of training plus a short evaluation on generated data in each dataset's layout
with a tiny backbone."""
import os
import os.path as osp

import pytest
import torch
from fewshot_seg_layouts import REPO, make_isaid, make_loveda, shrink
from mmengine.config import Config
from mmengine.runner import Runner

from mmringmoe.datasets.fewshot import SEG_FOLDS
from mmringmoe.models.utils import meta_device
from mmringmoe.registry import MODELS
from mmringmoe.utils.scripts import load_script

fold_mean_tool = load_script(osp.join(REPO, 'tools', 'analysis_tools', 'fewshot_fold_mean.py'))
CONFIGS = sorted(n for n in os.listdir(osp.join(REPO, 'configs', 'fewshot')) if n.startswith('proto-seg_'))
# dataset tag -> (input size, learning rate, train split, test split) of App. B.5.8
PAPER = {
    'isaid': (256, 0.005, dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
              dict(img_path='img_dir/val', seg_map_path='ann_dir/val')),
    'loveda': (384, 0.003, 'Train', 'Val'),
}


def _tags(name):
    dataset, fold = name.split('_')[-1].split('-')[:2]
    return dataset, int(fold[len('fold'):])


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config at every runner start (~1.5 s)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('fewshot_seg_data')
    return dict(isaid=make_isaid(str(root / 'iSAID')), loveda=make_loveda(str(root / 'LoveDA')))


def test_three_folds_per_dataset():
    assert sorted(_tags(n) for n in CONFIGS) == [(d, f) for d in sorted(PAPER) for f in range(3)]


@pytest.mark.parametrize('name', CONFIGS)
def test_config_carries_the_paper_settings(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fewshot', name))
    dataset, fold = _tags(name)
    size, lr, train_split, test_split = PAPER[dataset]
    backbone = cfg.model.backbone
    assert (cfg.model.type, backbone.type, backbone.arch, backbone.modality) == \
        ('mmringmoe.PrototypeFewShotSegmentor', 'mmringmoe.RingMoE-KC', '1b', 'opt')
    assert backbone.frozen_stages == 3 and backbone.img_size == size
    assert tuple(cfg.model.data_preprocessor.size) == (size, size)
    assert len(cfg.model.data_preprocessor.mean) == 6  # support and query RGB
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.momentum, optimizer.weight_decay) == ('SGD', lr, 0.9, 1e-4)
    assert cfg.train_dataloader.batch_size == 8
    assert (cfg.train_cfg.type, cfg.train_cfg.max_epochs) == ('mmringmoe.EpochLengthIterTrainLoop', 60)
    (poly, ) = cfg.param_scheduler
    assert (poly.type, poly.by_epoch, poly.end, poly.convert_to_iter_based) == ('PolyLR', True, 60, True)
    for split, loader, mode in ((train_split, cfg.train_dataloader, 'train'),
                                (test_split, cfg.test_dataloader, 'test'), (test_split, cfg.val_dataloader, 'test')):
        episodes = loader.dataset
        assert (episodes.type, episodes.benchmark, episodes.fold, episodes.mode) == \
            ('mmringmoe.FewShotSegDataset', dataset, fold, mode)
        assert episodes.dataset.get('split', episodes.dataset.get('data_prefix')) == split
        (load, pack) = episodes.pipeline
        assert load.transforms[-1] == dict(type='Resize', scale=(size, size), keep_ratio=False)
    assert cfg.test_dataloader.dataset.num_episodes == 1000
    assert cfg.test_evaluator.type == 'mmringmoe.FewShotSegMetric'
    assert dict(type='mmringmoe.IterationSeedHook') in cfg.custom_hooks


@pytest.mark.parametrize('dataset', sorted(PAPER))
def test_paper_size_model_builds_on_meta(dataset):
    name = next(n for n in CONFIGS if _tags(n) == (dataset, 0))
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fewshot', name))
    size = PAPER[dataset][0]
    with meta_device():
        model = MODELS.build(cfg.model)
        features = model.backbone_features(torch.empty(1, 3, size, size, device='meta'))
    assert features.shape == (1, cfg.model.in_channels, size // 16, size // 16)
    trained = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trained == 1792 * 512 + 512 + 1  # the projection and the scale (README)


@pytest.mark.parametrize('name', CONFIGS)
def test_one_epoch_and_evaluation_on_the_dataset_layout(name, data, tmp_path):
    dataset, fold = _tags(name)
    cfg = shrink(Config.fromfile(osp.join(REPO, 'configs', 'fewshot', name)), data[dataset], str(tmp_path))
    runner = Runner.from_cfg(cfg)
    runner.train()
    # one epoch = one episode per training image (4, all with a base class) at batch 2; the epoch-based
    # poly decay and the validation interval in iterations of that length
    assert runner.iter == runner.train_loop.max_iters == len(runner.train_dataloader) == 2
    assert runner.train_loop.val_interval == 2 and (runner.param_schedulers[0].begin,
                                                    runner.param_schedulers[0].end) == (0, 2)
    metrics = runner.test()
    classes = SEG_FOLDS[dataset][fold]['test']
    assert set(metrics) == {'fewshot/mIoU'} | {f'fewshot/IoU.{c}' for c in classes}
    assert all(0 <= value <= 100 for value in metrics.values())
    assert len(runner.test_dataloader.dataset) == 6
    assert fold_mean_tool.fold_metrics(str(tmp_path)) == pytest.approx(metrics)  # what the fold-mean tool reads
