"""--resume of a few-shot config continues exactly: N training episodes straight == K, stop, resume, up to N
(the seeded episode stream, random crop and flip, the relation module's BatchNorm)."""
import os.path as osp

import numpy as np
import torch
from fewshot_cls_layouts import REPO, make_release, shrink
from mmengine.config import Config

from mmringmoe.engine.runner_setup import build_runner

CONFIG = osp.join(REPO, 'configs', 'fewshot', 'relationnet_ringmoe_kc_10k_5way-1shot_ucm-256x256.py')
N, K = 4, 2


def train(release: str, work_dir: str, max_iters: int, resume: bool = False):
    """The config shrunk to CPU size, trained in this process; returns the final weights and every loss."""
    cfg = shrink(Config.fromfile(CONFIG), release, work_dir, n_query=2, checkpoint=True)
    cfg.train_cfg.update(max_iters=max_iters, val_interval=1000)
    cfg.default_hooks.checkpoint.update(interval=max_iters, save_best=None)
    cfg.experiment_name = f'{osp.basename(work_dir)}_{max_iters}_{resume}'
    if resume:
        cfg.resume, cfg.load_from = True, None
    runner = build_runner(cfg)
    runner.train()
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    weights = torch.load(osp.join(work_dir, f'iter_{max_iters}.pth'), map_location='cpu',
                         weights_only=False)['state_dict']
    return weights, losses


def test_resume_reproduces_the_uninterrupted_run(tmp_path, monkeypatch):
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))  # fast
    release = make_release(str(tmp_path), 'ucm', per_class=3)
    straight, straight_losses = train(release, str(tmp_path / 'straight'), N)
    train(release, str(tmp_path / 'halves'), K)
    resumed, resumed_losses = train(release, str(tmp_path / 'halves'), N, resume=True)
    assert straight.keys() == resumed.keys()
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)
    assert len(straight_losses) == N and np.array_equal(straight_losses, resumed_losses)
    relation = [k for k in straight if k.startswith('relation.')]
    first = train(release, str(tmp_path / 'one'), 1)[0]
    assert any(not torch.equal(first[k], straight[k]) for k in relation)  # the episodes trained it
