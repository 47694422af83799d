"""``tools/analysis_tools/compute_band_stats.py`` on a detection config: the one SAR-L2 band that
``GreyLoadRasterImage`` reads from R = G = B chips, over both parts of the train + val ``ConcatDataset``."""
import json
import os.path as osp

import numpy as np
import rasterio
from det_layouts import REPO, load_tool, make_sar_aircraft

CONFIG = 'configs/det/faster-rcnn_ringmoe-kc_fpn_12e_sar-aircraft-800x800.py'


def test_band_statistics_of_a_one_band_sar_config(tmp_path):
    root = str(tmp_path / 'data')
    make_sar_aircraft(root, np.random.default_rng(0))
    out = str(tmp_path / 'stats.json')
    options = [f'train_dataloader.dataset.datasets.{i}.data_root={root}' for i in (0, 1)]
    tool = load_tool('tools/analysis_tools/compute_band_stats.py')
    assert tool.main([osp.join(REPO, CONFIG), '--out', out, '--cfg-options', *options]) == 0
    stats = json.loads(open(out).read())
    pixels = []
    for img_id in ('1', '2', '3'):  # train.txt and val.txt
        with rasterio.open(osp.join(root, 'JPEGImages', f'{img_id}.jpg')) as src:
            pixels.append(src.read(1).astype(np.float64).ravel())
    pixels = np.concatenate(pixels)
    assert stats['images'] == 3 and stats['pixels'] == pixels.size
    assert np.allclose(stats['mean'], [pixels.mean()]) and np.allclose(stats['std'], [pixels.std()])
