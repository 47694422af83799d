"""Every config of configs/fewshot for scene classification: the paper's settings (App. B.5.8), the paper-size
model on the meta device, and on generated data in each release layout with a tiny backbone one training
episode and short validation and test runs that load and forward each unique image once and repeat exactly."""
import glob
import math
import os.path as osp
from collections import Counter

import pytest
import torch
from fewshot_cls_layouts import REPO, make_release, shrink
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmringmoe.datasets.fewshot import FewShotDataError
from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.registry import MODELS

CONFIGS = sorted(osp.basename(p) for p in glob.glob(osp.join(REPO, 'configs', 'fewshot', 'relationnet_*.py')))
SPLITS = ('nwpu-resisc45', 'whu-rs19', 'ucm')


def _tags(name):
    split = next(s for s in SPLITS if name.endswith(f'_{s}-256x256.py'))
    return split, int(name.split('5way-')[1][0])


def test_one_config_per_dataset_and_shot():
    assert sorted(_tags(name) for name in CONFIGS) == sorted((s, k) for s in SPLITS for k in (1, 5))


@pytest.mark.parametrize('name', CONFIGS)
def test_config_carries_the_paper_settings(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fewshot', name))
    split, k_shot = _tags(name)
    model = cfg.model
    assert (model.type, model.backbone.type, model.backbone.arch,
            model.backbone.modality) == ('mmringmoe.RelationNetClassifier', 'mmringmoe.RingMoE-KC', '1b',
                                         'opt')
    assert (model.relation.in_channels, model.relation.feat_size) == (3584, 8)  # 1b's last stage at 256 px
    shape = dict(n_way=5, k_shot=k_shot, n_query=15)
    assert (model.n_way, model.k_shot) == (5, k_shot)
    sampler = cfg.train_dataloader.batch_sampler
    assert sampler.type == 'mmringmoe.EpisodeBatchSampler'
    assert {k: sampler[k] for k in shape} == shape and cfg.train_dataloader.batch_size == 5 * (k_shot + 15)
    for loop, kind in ((cfg.val_cfg, 'mmringmoe.EpisodicValLoop'), (cfg.test_cfg,
                                                                    'mmringmoe.EpisodicTestLoop')):
        assert loop.type == kind and {k: loop[k] for k in shape} == shape
        assert (loop.num_episodes, loop.seed) == (600, 0)
    assert cfg.test_evaluator.type == cfg.val_evaluator.type == 'mmringmoe.EpisodeAccuracy'
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == ('SGD', 0.001, 5e-4)
    for loader, subset in (('train_dataloader', 'train'), ('val_dataloader', 'val'), ('test_dataloader',
                                                                                      'test')):
        dataset = cfg[loader].dataset
        assert (dataset.type, dataset.split, dataset.subset) == ('mmringmoe.FewShotSceneDataset', split,
                                                                 subset)
    train, test = cfg.train_dataloader.dataset.pipeline, cfg.test_dataloader.dataset.pipeline
    assert [t.type for t in train
            ] == ['mmringmoe.LoadRasterImage', 'Resize', 'RandomCrop', 'RandomFlip', 'PackInputs']
    assert [t.type for t in test] == ['mmringmoe.LoadRasterImage', 'Resize', 'PackInputs']
    assert train[1].scale == test[1].scale == (256, 256) and train[2].crop_size == 256
    assert train[3].direction == 'horizontal'
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert dict(type='mmringmoe.IterationSeedHook') in cfg.custom_hooks


def test_paper_size_model_on_meta():
    """The 1b RingMoE-KC's last stage at 256 px fits the relation module; its size for the README."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fewshot', CONFIGS[0]))
    init_default_scope('mmpretrain')
    with meta_device():
        model = MODELS.build(cfg.model).eval()
        features = model.backbone(torch.empty(2, 3, 256, 256, device='meta'))[-1]
        assert features.shape == (2, 3584, 8, 8)
        assert model.relation(features, features).shape == (2, 2)
    assert count_parameters(model.relation) == pytest.approx(4.17e6, rel=0.01)
    assert not any(p.requires_grad for p in model.backbone.parameters())


@pytest.fixture(scope='module')
def releases(tmp_path_factory):
    """Each release in its layout, 6 images per class (5 shots + 1 query)."""
    root = str(tmp_path_factory.mktemp('fewshot_cls_releases'))
    return {split: make_release(root, split, per_class=6) for split in SPLITS}


@pytest.mark.parametrize('name', CONFIGS)
def test_one_episode_of_training_and_evaluations_on_the_release_layout(name, releases, tmp_path):
    split, k_shot = _tags(name)
    keep_best = name == CONFIGS[0]  # the checkpoint hook's save_best on the validation accuracy, once
    cfg = shrink(
        Config.fromfile(osp.join(REPO, 'configs', 'fewshot', name)),
        releases[split],
        str(tmp_path),
        checkpoint=keep_best)
    runner = Runner.from_cfg(cfg)
    runner.train()  # one episode, then a validation on the validation classes
    assert runner.iter == 1 and math.isfinite(runner.message_hub.get_scalar('train/loss').current())
    assert math.isfinite(runner.message_hub.get_scalar('val/fewshot/accuracy').current())
    if keep_best:
        assert osp.isfile(osp.join(str(tmp_path), 'best_fewshot_accuracy_iter_1.pth'))
    dataset = runner.test_dataloader.dataset
    loaded, forwarded = Counter(), []
    prepare = dataset.prepare_data
    dataset.prepare_data = lambda index: loaded.update([index]) or prepare(index)
    runner.model.backbone.register_forward_hook(lambda module, args, out: forwarded.append(len(args[0])))
    metrics = runner.test()
    episodes = runner.test_loop.draw()
    unique = {i for episode in episodes for i in episode.indices()}
    assert len(episodes) == metrics['fewshot/episodes'] == 2
    assert set(loaded) == unique and set(loaded.values()) == {1}  # each image loaded once
    assert sum(forwarded) == len(unique)  # and forwarded once
    assert 0 <= metrics['fewshot/accuracy'] <= 100 and metrics['fewshot/ci95'] >= 0
    assert runner.test() == metrics  # seeded episodes: a rerun gives the same number


def test_class_with_too_few_images_one_line(releases, tmp_path):
    name = 'relationnet_ringmoe_kc_10k_5way-1shot_whu-rs19-256x256.py'
    cfg = shrink(
        Config.fromfile(osp.join(REPO, 'configs', 'fewshot', name)),
        releases['whu-rs19'],
        str(tmp_path),
        n_query=10)
    runner = Runner.from_cfg(cfg)
    with pytest.raises(
            FewShotDataError, match=r"class 'Viaduct' has 6 images, fewer than shot \+ query = "
            r'1 \+ 10 = 11'):
        runner.test()
