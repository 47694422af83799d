"""Tiny scenes and checkpoints for the scene-inference tests."""
import os.path as osp
from typing import Optional

import numpy as np
import rasterio
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from rasterio.transform import Affine

from mmringmoe.utils.scripts import load_script

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
SEG_CONFIG = osp.join(ROOT, 'configs', 'demo', 'upernet_ringmoe_kc-tiny_demo_isaid.py')  # 128 px, 16 classes
FUSION_CONFIG = osp.join(ROOT, 'configs', 'demo', 'upernet_ringmoe_kc-tiny-opt-sar_demo_whu-opt-sar.py')
DET_CONFIG = osp.join(ROOT, 'configs', 'demo', 'faster-rcnn_ringmoe-kc-tiny_demo_dior.py')
ROTATED_CONFIG = osp.join(ROOT, 'configs', 'demo', 'oriented-rcnn-le90_ringmoe-kc-tiny_demo_dior-r.py')
CRS = 'EPSG:32650'
TRANSFORM = Affine(0.5, 0.0, 500000.0, 0.0, -0.5, 4000000.0)  # 0.5 m pixels, north up

infer_tool = load_script(osp.join(ROOT, 'tools', 'infer.py'))


def make_checkpoint(config: str, path: str, sharpen: bool = True) -> str:
    """A randomly initialised model of ``config`` saved as an mmengine checkpoint; ``sharpen`` gives the
    segmentation head unit-variance weights, so that class maps are not a near-tie everywhere."""
    cfg = Config.fromfile(config)
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    if sharpen and hasattr(getattr(model, 'decode_head', None), 'conv_seg'):
        torch.nn.init.normal_(model.decode_head.conv_seg.weight, std=1.0)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def write_scene(path: str, data: np.ndarray, nodata: Optional[float] = None, crs: Optional[str] = CRS,
                transform=TRANSFORM, **options) -> str:
    """``data`` (bands, H, W) as a tiled, compressed GeoTIFF."""
    profile = dict(driver='GTiff', width=data.shape[2], height=data.shape[1], count=data.shape[0],
                   dtype=data.dtype, nodata=nodata, transform=transform, tiled=True, blockxsize=64,
                   blockysize=64, compress='deflate', **options)
    if crs is not None:
        profile['crs'] = crs
    with rasterio.open(path, 'w', **profile) as dst:
        dst.write(data)
    return path


def textured_scene(height: int, width: int, bands: int = 3, seed: int = 0) -> np.ndarray:
    """Smooth random texture (uint8), so that a segmentor's classes form regions."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (bands, height // 16 + 2, width // 16 + 2))
    rows = np.linspace(0, coarse.shape[1] - 1.001, height)
    cols = np.linspace(0, coarse.shape[2] - 1.001, width)
    r0, c0 = rows.astype(int), cols.astype(int)
    fr, fc = (rows - r0)[:, None], (cols - c0)[None]
    a = coarse[:, r0][:, :, c0] * (1 - fr) * (1 - fc) + coarse[:, r0 + 1][:, :, c0] * fr * (1 - fc)
    a += coarse[:, r0][:, :, c0 + 1] * (1 - fr) * fc + coarse[:, r0 + 1][:, :, c0 + 1] * fr * fc
    return (a + rng.normal(0, 8, a.shape)).clip(1, 255).astype(np.uint8)
