"""Config loading and Runner building shared by ``tools/train.py`` and ``tools/test.py``."""
import os.path as osp
import sys
from typing import Iterator, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner


def load_config(path: str, cfg_options: dict, launcher: str, work_dir: Optional[str]) -> Config:
    """Read ``path``, apply ``--cfg-options``, launcher and work dir (``work_dirs/<config name>``)."""
    if not osp.isfile(path):
        sys.exit(f'config not found: {path}')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    if launcher == 'pytorch' and not torch.cuda.is_available():
        # NCCL needs GPUs; gloo runs DDP on the CPU.
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
        _run_distributed_on_cpu(cfg)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(path))[0])
    return cfg


def _run_distributed_on_cpu(cfg: Config) -> None:
    """Undo mmengine's GPU pinning of each rank, which a machine without CUDA cannot do.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device(LOCAL_RANK)`` (a CPU-only torch has no
    ``_cuda_setDevice``) and wraps the model in DDP with ``device_ids=[LOCAL_RANK]`` (FSDP with
    ``device_id=LOCAL_RANK``), which a CPU module refuses. Here the first is a no-op, DDP gets
    ``device_ids=None`` and FSDP ``device_id='cpu'``.
    """
    torch.cuda.set_device = lambda device: None
    if 'strategy' in cfg:  # FlexibleRunner
        if 'FSDP' in str(cfg.strategy.get('type', '')):
            cfg.strategy.setdefault('model_wrapper', {})['device_id'] = 'cpu'
        return
    # mmengine's own default wrapper when the config has none, on the CPU.
    wrapper = cfg.setdefault('model_wrapper_cfg', dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False)))
    if wrapper.get('type', 'MMDistributedDataParallel') in ('MMDistributedDataParallel',
                                                            'DistributedDataParallel'):
        wrapper['device_ids'] = None


def _data_roots(node) -> Iterator[str]:
    """Every ``data_root`` in a (possibly nested) dataset config."""
    if isinstance(node, dict):
        if isinstance(node.get('data_root'), str):
            yield node['data_root']
        for value in node.values():
            yield from _data_roots(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _data_roots(value)


def missing_data_root(cfg: Config, splits: Sequence[str]) -> Optional[str]:
    """The first ``data_root`` of the given dataloaders that does not exist, if any.

    Checked before the Runner builds the model (a 1B-parameter build takes a while), so that a user who
    has not downloaded a dataset gets one line instead of a traceback after minutes.
    """
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        for root in _data_roots(loader.get('dataset') if loader else None):
            if not osp.exists(root):
                return root
    return None


def exit_if_data_missing(cfg: Config, splits: Sequence[str], tool: str) -> None:
    root = missing_data_root(cfg, splits)
    if root is not None:
        sys.exit(f'{tool}: dataset not found at {root}: see docs/datasets.md')


def enable_amp(cfg: Config) -> None:
    """Turn the config's optimizer wrapper into a mixed-precision one for this machine."""
    wrapper = cfg.optim_wrapper
    if wrapper.get('type', 'OptimWrapper') in ('AmpOptimWrapper', 'mmringmoe.CPUAmpOptimWrapper'):
        return
    if torch.cuda.is_available():
        wrapper.type, wrapper.loss_scale = 'AmpOptimWrapper', 'dynamic'
    else:
        wrapper.type = 'mmringmoe.CPUAmpOptimWrapper'


def build_runner(cfg: Config, amp: bool = False) -> Runner:
    """The config's runner (``runner_type`` if set, e.g. FlexibleRunner for FSDP, else mmengine's)."""
    if amp:
        enable_amp(cfg)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
