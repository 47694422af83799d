"""Normalisation statistics: one placeholder per modality (the pretraining base's), shared by every config
that has no measured statistics; the configs with measured ones are listed here with their source, so a
placeholder changed in one place only, or a measured set reordered without its channels, fails."""
import os.path as osp

import numpy as np
import pytest
from config_loaders import CONFIGS, fed_loaders, load_config, raster_loaders

from mmringmoe.datasets.transforms import LoadRasterImage

PLACEHOLDERS = 'configs/_base_/models/ringmoe_mim.py'
# Configs normalised with statistics measured on their own data (README, "Where the paper is silent").
MEASURED = {
    'ringmoe-mim_tiny_demo.py': 'the demo set, tools/analysis_tools/pretrain_stats.py',
    'upernet_ringmoe_kc_16k_dynamicearthnet-1024x1024.py': 'the reference loader, aysim/dynnet',
}
# aysim/dynnet's statistics, in its own R, G, B, NIR order.
DYNNET_RGBN = dict(
    mean=dict(R=1042.59240722656, G=915.618408203125, B=671.260559082031, NIR=2605.20922851562),
    std=dict(R=957.958435058593, G=715.548767089843, B=596.943908691406, NIR=1059.90319824218))
MODEL_CONFIGS = [
    p for p in CONFIGS
    if p.startswith(
        ('configs/seg', 'configs/cls', 'configs/det', 'configs/demo', 'configs/pretrain', 'configs/change'))]


def placeholders() -> dict:
    preprocessor = load_config(PLACEHOLDERS)['model']['data_preprocessor']
    return {m: (preprocessor['mean'][m], preprocessor['std'][m]) for m in preprocessor['mean']}


def stats_by_modality(cfg: dict) -> dict:
    """modality -> (mean, std) of a config's data preprocessor: per modality for pretraining, else split
    along the channels of the config's loaders (a pair: the first image's channels, then the second's)."""
    preprocessor = cfg['model']['data_preprocessor']
    mean, std = preprocessor['mean'], preprocessor['std']
    if isinstance(mean, dict):
        return {m: (mean[m], std[m]) for m in mean}
    stats, start = {}, 0
    for loader in fed_loaders(cfg):
        width = len(LoadRasterImage(**loader).output_channels())
        stats[loader['modality']] = (mean[start:start + width], std[start:start + width])
        start += width
    assert start == len(mean) == len(std)
    return stats


def test_measured_configs_exist():
    assert {osp.basename(p) for p in MODEL_CONFIGS} >= set(MEASURED)


@pytest.mark.parametrize('path', MODEL_CONFIGS)
def test_statistics_are_the_modality_placeholder_unless_measured(path):
    stats, shared = stats_by_modality(load_config(path)), placeholders()
    differing = sorted(m for m, s in stats.items() if not np.allclose(s, shared[m]))
    if osp.basename(path) in MEASURED:
        assert differing, f'{path} is listed as measured but carries the placeholders'
    else:
        assert not differing, f'{path}: statistics of {differing} differ from those of {PLACEHOLDERS}'


def test_dynamicearthnet_statistics_follow_the_channels_it_is_fed():
    """The reference loader's statistics, permuted into the order the config's loader gives."""
    cfg = load_config('configs/seg/upernet_ringmoe_kc_16k_dynamicearthnet-1024x1024.py')
    (loader, ) = raster_loaders(cfg['train_dataloader'])
    order = LoadRasterImage(**loader).output_channels()
    preprocessor = cfg['model']['data_preprocessor']
    for key in ('mean', 'std'):
        assert preprocessor[key] == [DYNNET_RGBN[key][c] for c in order]
