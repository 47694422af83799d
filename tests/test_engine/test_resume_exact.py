"""--resume continues exactly: N iterations straight == N/2, resume, N/2 (IterationSeedHook)."""
import argparse
import os.path as osp

import pytest
import torch
from mmengine.config import Config, DictAction
from pretrain_helpers import TINY_CONFIG, data_root_options

from mmringmoe.engine.hooks import IterationSeedHook
from mmringmoe.engine.runner_setup import build_runner, load_config

N = 4


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config (at every runner start and checkpoint, ~1.5 s each)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


def train(work_dir, data_root, max_iters, resume=False, extra=()):
    """tools/train.py's steps, in this process: drop path and router noise on, a checkpoint at the end.

    Fewer experts than the demo (1 specialized per modality, 2 collaborative) keep the checkpoints small.
    """
    options = [*data_root_options(data_root), f'train_cfg.max_iters={max_iters}',
               'train_dataloader.batch_size=4', 'default_hooks.checkpoint.interval=1000',
               'model.backbone.drop_path_rate=0.2', 'model.backbone.num_specialized_experts=1',
               'model.backbone.num_collaborative_experts=2', *extra]
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg_options = parser.parse_args(['--cfg-options', *options]).cfg_options
    cfg = load_config(TINY_CONFIG, cfg_options, 'none', str(work_dir))
    cfg.experiment_name = f'{osp.basename(str(work_dir))}_{max_iters}_{resume}'
    if resume:
        cfg.resume, cfg.load_from = True, None
    build_runner(cfg).train()
    return torch.load(osp.join(str(work_dir), f'iter_{max_iters}.pth'), map_location='cpu',
                      weights_only=False)['state_dict']


def max_difference(a, b):
    assert a.keys() == b.keys()
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a)


@pytest.mark.slow
def test_resume_reproduces_the_uninterrupted_run(pretrain_data, tmp_path):
    straight = train(tmp_path / 'straight', pretrain_data, N)
    train(tmp_path / 'halves', pretrain_data, N // 2)
    resumed = train(tmp_path / 'halves', pretrain_data, N, resume=True)
    assert max_difference(straight, resumed) == 0.0


@pytest.mark.slow
def test_without_the_hook_mmengine_resume_diverges(pretrain_data, tmp_path):
    """Why the hook exists: mmengine restores the seed but not the generators' states."""
    no_hook = ['custom_hooks=[]']
    straight = train(tmp_path / 'straight', pretrain_data, N, extra=no_hook)
    train(tmp_path / 'halves', pretrain_data, N // 2, extra=no_hook)
    resumed = train(tmp_path / 'halves', pretrain_data, N, resume=True, extra=no_hook)
    assert max_difference(straight, resumed) > 1e-6


def test_iteration_seed_depends_on_seed_iteration_and_rank(monkeypatch):
    class FakeRunner:
        seed, iter = 7, 3

    hook = IterationSeedHook()
    base = hook.iteration_seed(FakeRunner, 3)
    assert base == hook.iteration_seed(FakeRunner, 3)
    assert base != hook.iteration_seed(FakeRunner, 4)
    assert base != IterationSeedHook(seed=8).iteration_seed(FakeRunner, 3)
    monkeypatch.setattr('mmringmoe.engine.hooks.iteration_seed_hook.get_rank', lambda: 1)
    assert base != hook.iteration_seed(FakeRunner, 3)
    hook.before_train_iter(FakeRunner, 0)
    first = torch.rand(3)
    hook.before_train_iter(FakeRunner, 0)
    torch.testing.assert_close(torch.rand(3), first)
