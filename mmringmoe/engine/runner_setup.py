"""Config loading and Runner building shared by ``tools/train.py`` and ``tools/test.py``."""
import os.path as osp
import sys
from typing import Optional

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
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(path))[0])
    return cfg


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
