"""The few-shot segmentation test loop (``mmringmoe.EpisodicSegTestLoop``): each unique image of the episodes
loaded once and forwarded once, and the same fold mIoU as testing episode by episode (mmengine's ``TestLoop``
over the episode dataset)."""
import os.path as osp
from collections import Counter

import pytest
from fewshot_seg_layouts import REPO, make_loveda, shrink
from mmengine.config import Config
from mmengine.runner import Runner

from mmringmoe.datasets.transforms import LoadSegEpisode

CONFIG = osp.join(REPO, 'configs', 'fewshot', 'proto-seg_ringmoe_kc_60e_loveda-fold0-384x384.py')
EPISODES = 24


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config at every runner start (~1.5 s)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    return make_loveda(str(tmp_path_factory.mktemp('fewshot_seg_loop') / 'LoveDA'), images_per_scene=3)


def _runner(root, work_dir, **test_cfg):
    cfg = shrink(Config.fromfile(CONFIG), root, str(work_dir), test_episodes=EPISODES)
    cfg.test_dataloader.batch_size = 4
    if test_cfg:
        cfg.test_cfg = test_cfg
    return Runner.from_cfg(cfg)


def test_config_tests_with_the_episodic_loop():
    cfg = Config.fromfile(CONFIG)
    assert (cfg.val_cfg.type, cfg.test_cfg.type) == ('mmringmoe.EpisodicSegValLoop', 'mmringmoe.EpisodicSegTestLoop')


def test_each_unique_image_is_loaded_once_and_forwarded_once(root, tmp_path, monkeypatch):
    runner = _runner(root, tmp_path)
    loads = Counter()
    load_image = LoadSegEpisode.load_image

    def counting_load(self, info):
        loads[info['img_path']] += 1
        return load_image(self, info)

    monkeypatch.setattr(LoadSegEpisode, 'load_image', counting_load)
    model = runner.model
    forwarded = []
    backbone_features = model.backbone_features
    model.backbone_features = lambda images: forwarded.append(len(images)) or backbone_features(images)
    runner.test()
    dataset = runner.test_dataloader.dataset
    used = {dataset.get_data_info(i)[role]['img_path'] for i in range(EPISODES) for role in ('support', 'query')}
    assert len(used) < EPISODES  # images shared between episodes
    assert loads == Counter({path: 1 for path in used})
    assert sum(forwarded) == len(used) and max(forwarded) <= 4  # in batches of the dataloader's size
    assert model.feature_cache.forwarded == 0 and len(runner.test_loop.labels) == 0  # nothing kept after it


def test_the_fold_miou_is_the_per_episode_tests(root, tmp_path):
    episodic = _runner(root, tmp_path / 'episodic')
    per_episode = _runner(root, tmp_path / 'per_episode', type='TestLoop')
    # the same weights (the backbone's state dict leaves out its relative-position tables, rebuilt at init)
    per_episode.model.load_state_dict(episodic.model.state_dict(), strict=False)
    once = episodic.test()
    each = per_episode.test()
    assert per_episode.model.feature_cache.forwarded > 0  # the per-episode path went through the model's predict
    assert set(once) == {'fewshot/mIoU', 'fewshot/IoU.building', 'fewshot/IoU.road'}
    assert once == each
