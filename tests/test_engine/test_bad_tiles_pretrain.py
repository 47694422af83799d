"""Pretraining never crashes on, and never trains on, bad tiles: NaN, wrong band count, nodata, unreadable."""
import argparse
import math
import os.path as osp
import shutil

import numpy as np
import pytest
import rasterio
from mmengine.config import Config, DictAction
from pretrain_helpers import TINY_CONFIG, data_root_options

from mmringmoe.engine.runner_setup import build_runner, load_config


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config (at every runner start and checkpoint, ~1.5 s each)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


def write_tif(path, pixels, dtype, nodata=None):
    with rasterio.open(path, 'w', driver='GTiff', width=pixels.shape[2], height=pixels.shape[1],
                       count=pixels.shape[0], dtype=dtype, nodata=nodata) as dst:
        dst.write(pixels)


def add_bad_tiles(root):
    """Bad tiles listed among the good ones; returns their names."""
    bad = {
        'opt': ('nan.tif', np.full((3, 64, 64), 100., dtype=np.float32), 'float32', None),
        'sar_l1': ('six_bands.tif', np.ones((6, 64, 64), dtype=np.int16), 'int16', None),
        'ms': ('all_nodata.tif', np.zeros((4, 64, 64), dtype=np.uint8), 'uint8', 0),
    }
    bad['opt'][1][1, 10:20, 10:20] = np.nan
    for modality, (name, pixels, dtype, nodata) in bad.items():
        write_tif(osp.join(root, modality, name), pixels, dtype, nodata)
    with open(osp.join(root, 'sar_l2', 'broken.tif'), 'wb') as f:
        f.write(b'not a GeoTIFF at all')
    names = {m: b[0] for m, b in bad.items()}
    names['sar_l2'] = 'broken.tif'
    for modality, name in names.items():
        list_file = osp.join(root, modality, f'{modality}.txt')
        with open(list_file, encoding='utf-8') as f:
            lines = f.read().splitlines()
        # Every other line is the bad tile: the shuffled stream meets it in the first batches.
        with open(list_file, 'w', encoding='utf-8') as f:
            f.write('\n'.join(line for good in lines for line in (good, name)) + '\n')
    return names


@pytest.mark.slow
def test_training_skips_bad_tiles_and_stays_finite(pretrain_data, tmp_path):
    root = str(tmp_path / 'data')
    shutil.copytree(pretrain_data, root)
    names = add_bad_tiles(root)
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    options = parser.parse_args(['--cfg-options', *data_root_options(root), 'train_cfg.max_iters=3',
                                 'model.backbone.num_specialized_experts=1',
                                 'model.backbone.num_collaborative_experts=2']).cfg_options
    cfg = load_config(TINY_CONFIG, options, 'none', str(tmp_path / 'work'))
    runner = build_runner(cfg)
    runner.train()

    skipped = runner.train_dataloader.dataset.num_skipped
    assert all(skipped[m] > 0 for m in names), skipped
    losses = runner.message_hub.log_scalars['train/loss'].data[0]
    assert len(losses) == 3 and all(math.isfinite(v) for v in losses)
    log = open(runner.logger.handlers[-1].baseFilename, encoding='utf-8').read()
    for name in names.values():
        assert name in log
