"""Helpers of the engine tests: paths, tool loading, data-root options for the tiny pretraining config."""
import importlib.util
import os.path as osp
import sys

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TINY_CONFIG = osp.join(ROOT, 'configs', 'pretrain', 'ringmoe-mim_tiny_demo.py')
MODALITIES = ('opt', 'ms', 'sar_l1', 'sar_l2')


def load_tool(relative_path: str):
    """Import a script of tools/ as a module."""
    path = osp.join(ROOT, relative_path)
    sys.path.insert(0, osp.dirname(path))
    spec = importlib.util.spec_from_file_location(osp.splitext(osp.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data_root_options(root: str) -> list:
    """--cfg-options values pointing every modality's dataset of the tiny config at ``root``."""
    return [f'train_dataloader.dataset.datasets.{m}.data_root={root}' for m in MODALITIES]
