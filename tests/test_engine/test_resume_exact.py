"""--resume continues exactly, in every task family: N iterations straight == K, stop, resume, up to N.

Every family's runtime inherits configs/_base_/default_runtime.py (IterationSeedHook, a fixed seed). A
new family adds its demo config, a data fixture and its tiny-size options to ``TASKS``.
"""
import argparse
import glob
import os.path as osp
from typing import Callable, List, NamedTuple, Sequence, Tuple

import numpy as np
import pytest
import torch
from mmengine.config import Config, DictAction
from pretrain_helpers import ROOT, TINY_CONFIG, data_root_options, load_tool

from mmringmoe.engine.hooks import IterationSeedHook
from mmringmoe.engine.runner_setup import build_runner, load_config

N, K = 4, 2


class Task(NamedTuple):
    """A family's demo config, the fixture that makes its data, and the ``--cfg-options`` (given the data
    folder) that keep it tiny while every source of randomness stays on."""
    config: str
    data_fixture: str
    options: Callable[[str], List[str]]


def seg_options(data: str, workers: int = 0) -> List[str]:
    """Random resize, crop and flip in the pipeline, drop path in the backbone, dropout in both heads, and a
    validation at K, as the paper configs validate at each checkpoint."""
    return [f'train_dataloader.dataset.data_root={data}/iSAID',
            f'val_dataloader.dataset.data_root={data}/iSAID',
            'train_dataloader.batch_size=2', f'train_dataloader.num_workers={workers}',
            'model.backbone.drop_path_rate=0.2', f'train_cfg.val_interval={K}']


SEG_DEMO = osp.join(ROOT, 'configs', 'demo', 'upernet_ringmoe_kc-tiny_demo_isaid.py')
TASKS = {
    # drop path and router noise on; 1 specialized and 2 collaborative experts keep the checkpoints small
    'pretrain': Task(TINY_CONFIG, 'pretrain_data', lambda data: [
        *data_root_options(data), 'train_dataloader.batch_size=4', 'model.backbone.drop_path_rate=0.2',
        'model.backbone.num_specialized_experts=1', 'model.backbone.num_collaborative_experts=2']),
    'seg': Task(SEG_DEMO, 'seg_demo_data', seg_options),
    # worker processes: mmengine seeds numpy, random and torch in each from (seed, rank, worker)
    'seg_2_workers': Task(SEG_DEMO, 'seg_demo_data', lambda data: seg_options(data, workers=2)),
}


@pytest.fixture(scope='session')
def seg_demo_data(tmp_path_factory):
    """The segmentation demo's generated data (iSAID and WHU-OPT-SAR layouts, converted)."""
    out = str(tmp_path_factory.mktemp('demo_seg'))
    load_tool('tools/dataset_converters/make_demo_seg_data.py').main(['--out', out])
    return out


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config (at every runner start and checkpoint, ~1.5 s each)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


def train(task: Task, data: str, work_dir, max_iters: int, resume: bool = False,
          extra: Sequence[str] = ()) -> Tuple[dict, np.ndarray]:
    """tools/train.py's steps, in this process, with a checkpoint at the end. Returns the final weights and
    the total loss of every iteration since iteration 0 (a resumed run's log continues the checkpoint's)."""
    options = [*task.options(data), f'train_cfg.max_iters={max_iters}',
               'default_hooks.checkpoint.interval=1000', *extra]
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = load_config(task.config, parser.parse_args(['--cfg-options', *options]).cfg_options, 'none',
                      str(work_dir))
    cfg.experiment_name = f'{osp.basename(str(work_dir))}_{max_iters}_{resume}'
    if resume:
        cfg.resume, cfg.load_from = True, None
    runner = build_runner(cfg)
    runner.train()
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    weights = torch.load(osp.join(str(work_dir), f'iter_{max_iters}.pth'), map_location='cpu',
                         weights_only=False)['state_dict']
    return weights, losses


def max_difference(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a)


def straight_and_resumed(task: Task, data: str, tmp_path, extra: Sequence[str] = ()):
    straight = train(task, data, tmp_path / 'straight', N, extra=extra)
    train(task, data, tmp_path / 'halves', K, extra=extra)
    resumed = train(task, data, tmp_path / 'halves', N, resume=True, extra=extra)
    return straight, resumed


@pytest.mark.slow
@pytest.mark.parametrize('name', sorted(TASKS))
def test_resume_reproduces_the_uninterrupted_run(name, tmp_path, request):
    task = TASKS[name]
    (straight, straight_losses), (resumed, resumed_losses) = straight_and_resumed(
        task, request.getfixturevalue(task.data_fixture), tmp_path)
    assert max_difference(straight, resumed) == 0.0
    assert len(straight_losses) == N and np.array_equal(straight_losses, resumed_losses)


@pytest.mark.slow
@pytest.mark.parametrize('name', ['pretrain', 'seg'])
def test_without_the_hook_mmengine_resume_diverges(name, tmp_path, request):
    """Why the hook exists: mmengine restores the seed but not the generators' states."""
    task = TASKS[name]
    (straight, _), (resumed, _) = straight_and_resumed(
        task, request.getfixturevalue(task.data_fixture), tmp_path, extra=['custom_hooks=[]'])
    assert max_difference(straight, resumed) > 1e-6


@pytest.mark.parametrize('path', sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True) if '_base_' not in p))
def test_every_config_inherits_the_exact_resume_runtime(path):
    """The seeding hook and a fixed seed reach every config (a family's runtime inherits the project's)."""
    cfg = Config.fromfile(path)
    assert [hook.type for hook in cfg.custom_hooks].count('mmringmoe.IterationSeedHook') == 1
    assert isinstance(cfg.randomness.seed, int)


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
