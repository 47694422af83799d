"""The configs under configs/ and the raster loaders in them (shared by the config tests)."""
import glob
import os.path as osp
from typing import Iterator

from mmengine.config import Config

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIGS = sorted(
    osp.relpath(p, ROOT) for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True))


def load_config(path: str) -> dict:
    """The config at ``path`` (relative to the repository) as a plain dict."""
    return Config.fromfile(osp.join(ROOT, path)).to_dict()


def raster_loaders(node) -> Iterator[dict]:
    """The ``LoadRasterImage`` arguments of every raster loader in a config (both images of a pair, first
    then second), in config order."""
    if isinstance(node, dict):
        kind = str(node.get('type', ''))
        if kind.endswith('LoadRasterImage'):
            yield {k: v for k, v in node.items() if k != 'type'}
        elif kind.endswith('LoadRasterPair'):
            yield dict(node['first'])
            yield dict(node['second'])
        else:
            for value in node.values():
                yield from raster_loaders(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from raster_loaders(value)


def fed_loaders(cfg: dict) -> list:
    """The raster loaders of a config's training set, one per image of a sample (both images of a pair). The
    parts of a ``ConcatDataset`` (DIOR's train + val) share one pipeline, so its first part speaks for all."""
    dataset = cfg['train_dataloader']['dataset']
    if str(dataset.get('type', '')).endswith('ConcatDataset'):
        dataset = dataset['datasets'][0]
    return list(raster_loaders(dataset))
