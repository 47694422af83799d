"""Every pretraining and fine-tuning config resizes SAR-L1 without losing its power (Eq. 5's target).

The samples of a single-look complex image carry independent speckle phases, so bilinear interpolation,
which averages neighbours with weights w_i, leaves an interpolated value sum(w_i^2) of their power: an
enlarged crop kept about half of it. Eq. 5's power target then no longer described the scene nor matched
the tiles' statistics, and the demo's SAR-L1 reconstruction did not learn (docs/pretraining.md, "Does every
modality learn?"). The configs resize SAR-L1 with nearest; the other modalities keep bilinear. Fine-tuning on
SAR-L1 (SARSegL1) resizes the same way, so that the backbone sees the statistics it was pretrained on.
"""
import numpy as np
import pytest
from config_loaders import CONFIGS
from mmengine.config import Config

from mmringmoe.registry import TRANSFORMS

PRETRAIN_CONFIGS = [c for c in CONFIGS if c.startswith('configs/pretrain/')]


def speckle(rng: np.random.Generator, size: int) -> np.ndarray:
    """``[size, size, 8]`` fully developed speckle: HH, HV, VH, VV as independent (real, imaginary) pairs."""
    return (rng.normal(size=(size, size, 8)) * 500.0).astype(np.float32)


def power(img: np.ndarray) -> float:
    """Mean of |HH|^2 + |HV|^2 + |VH|^2 + |VV|^2 over the pixels."""
    return float((img.astype(np.float64)**2).sum(axis=-1).mean())


@pytest.mark.parametrize('config', PRETRAIN_CONFIGS)
def test_sar_l1_crop_and_resize_keep_the_power(config):
    cfg = Config.fromfile(config)
    pipeline = cfg.train_dataloader.dataset.datasets.sar_l1.pipeline
    crops = [t for t in pipeline if t['type'].endswith('RandomResizedCrop')]
    assert len(crops) == 1, f'{config}: expected one RandomResizedCrop in the SAR-L1 pipeline'
    crop = TRANSFORMS.build(crops[0])
    size = crops[0]['scale']  # tiles of the output size: every crop of 0.2-1.0 of them is enlarged
    rng = np.random.default_rng(0)
    ratios = []
    for _ in range(8):
        img = speckle(rng, size)
        out = crop(dict(img=img.copy(), img_shape=img.shape[:2], ori_shape=img.shape[:2]))['img']
        assert out.shape == (size, size, 8)
        ratios.append(power(out) / power(img))
    # Nearest: 0.99-1.02 per crop. Bilinear: 0.44-0.67, mean 0.48.
    assert 0.95 < min(ratios) and max(ratios) < 1.05, f'{config}: power kept {np.round(ratios, 2)}'


SAR_L1_SEG_CONFIGS = [c for c in CONFIGS if c.startswith('configs/seg/') and 'sarsegl1' in c]


@pytest.mark.parametrize('config', SAR_L1_SEG_CONFIGS)
def test_sar_l1_segmentation_resize_keeps_the_power(config):
    assert SAR_L1_SEG_CONFIGS
    cfg = Config.fromfile(config)
    resizes = [t for t in cfg.train_dataloader.dataset.pipeline if t['type'].endswith('RandomResize')]
    assert len(resizes) == 1, f'{config}: expected one RandomResize'
    resize = TRANSFORMS.build(resizes[0])
    rng = np.random.default_rng(0)
    ratios = []
    for _ in range(4):
        img = speckle(rng, 125)
        out = resize(dict(img=img.copy(), img_shape=img.shape[:2], ori_shape=img.shape[:2]))['img']
        ratios.append(power(out) / power(img))
    assert 0.95 < min(ratios) and max(ratios) < 1.05, f'{config}: power kept {np.round(ratios, 2)}'
