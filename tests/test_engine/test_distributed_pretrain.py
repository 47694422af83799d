"""Scale-out on the CPU: the tiny pretraining config under torchrun with 2 gloo processes, DDP and FSDP."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
from mmengine.config import Config
from pretrain_helpers import ROOT, TINY_CONFIG, data_root_options

FSDP_CONFIG = osp.join(ROOT, 'configs', 'pretrain', 'ringmoe-mim_1b_fsdp_ringmoss-192px.py')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def torchrun(config, work_dir, data_root, iters, *options):
    command = [sys.executable, '-m', 'torch.distributed.run', '--nproc-per-node', '2', '--master-port',
               str(free_port()), 'tools/train.py', config, '--launcher', 'pytorch',
               '--work-dir', str(work_dir), '--cfg-options', *data_root_options(data_root),
               f'train_cfg.max_iters={iters}', 'train_dataloader.batch_size=4',
               'default_hooks.logger.interval=1', *options]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)


def train_log(work_dir) -> str:
    logs = [osp.join(root, name) for root, _, names in os.walk(work_dir) for name in names
            if name.endswith('.log')]
    assert len(logs) == 1
    with open(logs[0], encoding='utf-8') as f:
        return f.read()


@pytest.mark.slow
def test_ddp_two_processes(pretrain_data, tmp_path):
    """DDP with find_unused_parameters (the pretraining runtime's) and gradient checkpointing together: the
    checkpoint is non-reentrant, which DDP's unused-parameter search supports (the reentrant one fails)."""
    result = torchrun(TINY_CONFIG, tmp_path, pretrain_data, 2, 'model.backbone.with_cp=True')
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    log = train_log(tmp_path)
    assert 'Distributed training: True' in log and "backend='gloo'" in log
    assert 'MMDistributedDataParallel' in log and 'Iter(train) [2/2]' in log
    assert osp.isfile(tmp_path / 'iter_2.pth')


@pytest.mark.slow
def test_fsdp_two_processes(pretrain_data, tmp_path):
    """The 1B FSDP config's strategy (FlexibleRunner, FSDP, block wrap policy, sharded checkpoints) and
    its gradient checkpointing on the tiny arch (RingMoE refuses balance losses without a graph, so a
    run in which FSDP or the checkpointing detached them would fail here).

    In fp32: mmengine's AmpOptimWrapper of the config needs CUDA (bf16 autocast itself is tested in
    tests/test_models/test_selfsup/test_ringmoe_simmim.py::test_losses_under_bf16_autocast).
    """
    fsdp = Config.fromfile(FSDP_CONFIG)
    assert fsdp.optim_wrapper.type == 'AmpOptimWrapper' and fsdp.optim_wrapper.dtype == 'bfloat16'
    wrapper = dict(fsdp.optim_wrapper.to_dict(), _delete_=True, type='OptimWrapper')
    del wrapper['dtype']
    config = tmp_path / 'tiny_fsdp.py'
    config.write_text(f'_base_ = [{TINY_CONFIG!r}]\n'
                      f'runner_type = {fsdp.runner_type!r}\n'
                      f'strategy = {fsdp.strategy.to_dict()!r}\n'
                      f'optim_wrapper = {wrapper!r}\n'
                      f'model = dict(backbone=dict(with_cp={fsdp.model.backbone.with_cp!r}))\n')
    result = torchrun(str(config), tmp_path / 'work', pretrain_data, iters=2)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    log = train_log(tmp_path / 'work')
    assert 'Iter(train) [2/2]' in log and 'MMFullyShardedDataParallel' in log
    shards = sorted(os.listdir(tmp_path / 'work' / 'iter_2.pth'))  # 'local' state dicts: one shard per rank
    assert shards == ['rank0.pth', 'rank1.pth']
