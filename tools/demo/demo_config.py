"""The step every task demo starts its training with: the demo config pointed at the generated data."""
from mmengine.config import Config


def load_demo_config(config: str, data_root: str, work_dir: str) -> Config:
    """``config`` with its train/val/test loaders reading ``data_root``, writing to ``work_dir`` and
    evaluating once, after the last training iteration (the demos' step 3), not during training."""
    cfg = Config.fromfile(config)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    cfg.work_dir = work_dir
    cfg.train_cfg.val_begin = cfg.train_cfg.max_iters + 1  # evaluate once, in step 3
    return cfg
