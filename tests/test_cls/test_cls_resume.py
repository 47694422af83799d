"""--resume of a classification config continues exactly: N iterations straight == K, stop, resume, up to N,
with every source of randomness on (random crop, flip and erasing, drop path, RingMoE's routing noise)."""
import os.path as osp

import numpy as np
import torch
from cls_layouts import REPO, make_release, make_split
from mmengine.config import Config

from mmringmoe.engine.runner_setup import build_runner, load_config

CONFIG = osp.join(REPO, 'configs', 'demo', 'linear_ringmoe_kc-tiny_demo_nwpu-resisc45.py')
N, K = 4, 2


def train(data: str, work_dir: str, max_iters: int, resume: bool = False, hooks: bool = True):
    """tools/train.py's steps in this process on a sparse tiny RingMoE; returns the final weights and the loss
    of every iteration since iteration 0."""
    options = {
        'train_dataloader.dataset.data_root':
        data,
        'val_dataloader.dataset.data_root':
        data,
        'test_dataloader.dataset.data_root':
        data,
        'train_dataloader.batch_size':
        4,
        'train_dataloader.dataset.pipeline.3.erase_prob':
        1.0,
        'train_cfg.max_iters':
        max_iters,
        'train_cfg.val_interval':
        1000,
        'default_hooks.checkpoint.interval':
        max_iters,
        'model.type':
        'mmringmoe.MoEImageClassifier',
        'model.backbone':
        dict(_delete_=True,
             type='mmringmoe.RingMoE',
             arch='tiny',
             modalities=['opt'],
             img_size=64,
             window_size=[4, 4, 4, 2],
             num_specialized_experts=1,
             num_collaborative_experts=2,
             drop_path_rate=0.2,
             out_indices=(3, ))
    }
    if not hooks:
        options['custom_hooks'] = []
    cfg = load_config(CONFIG, options, 'none', work_dir)
    cfg.experiment_name = f'{osp.basename(work_dir)}_{max_iters}_{resume}'
    if resume:
        cfg.resume, cfg.load_from = True, None
    runner = build_runner(cfg)
    runner.train()
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    weights = torch.load(osp.join(work_dir, f'iter_{max_iters}.pth'), map_location='cpu',
                         weights_only=False)['state_dict']
    return weights, losses


def straight_and_resumed(tmp_path, hooks: bool = True):
    data = make_release(str(tmp_path / 'NWPU-RESISC45'), 'nwpu', classes=6, per_class=4)
    make_split(data, 0.5)
    straight = train(data, str(tmp_path / 'straight'), N, hooks=hooks)
    train(data, str(tmp_path / 'halves'), K, hooks=hooks)
    return straight, train(data, str(tmp_path / 'halves'), N, resume=True, hooks=hooks)


def test_resume_reproduces_the_uninterrupted_run(tmp_path, monkeypatch):
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))  # fast
    (straight, straight_losses), (resumed, resumed_losses) = straight_and_resumed(tmp_path)
    assert straight.keys() == resumed.keys()
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)
    assert len(straight_losses) == N and np.array_equal(straight_losses, resumed_losses)


def test_without_the_seeding_hook_the_resumed_run_differs(tmp_path, monkeypatch):
    """What the test above would catch: the config's IterationSeedHook is what makes the resume exact."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))
    (straight, _), (resumed, _) = straight_and_resumed(tmp_path, hooks=False)
    assert not all(torch.equal(straight[k], resumed[k]) for k in straight)
