"""ISPRS Vaihingen and Potsdam releases in their published layouts (file names as in /work/shared/fixtures:
``top/top_mosaic_09cm_area1.tif``, ``top_potsdam_2_10_*.tif``; height files as the releases name them), and
the overrides that shrink a height config to a CPU-sized model (RingMoE-KC ``tiny``, 64 px crops)."""
import os
import os.path as osp
from types import ModuleType
from typing import Dict, Optional

import numpy as np
import rasterio
from affine import Affine
from mmengine.config import Config

from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64  # crop side in the tests
TINY_DIMS = [32, 64, 128, 256]  # RingMoE-KC 'tiny' stage channels
CHANNELS = 32  # head width in the tests (GroupNorm's 32 groups)


def load_tool(path: str) -> ModuleType:
    """Import a script of ``tools/`` (not a package) by its path relative to the repository."""
    return load_script(osp.join(REPO, path))


def _write(path: str, array: np.ndarray, driver: str = 'GTiff', **profile) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    array = array if array.ndim == 3 else array[None]
    with rasterio.open(path,
                       'w',
                       driver=driver,
                       width=array.shape[2],
                       height=array.shape[1],
                       count=array.shape[0],
                       dtype=array.dtype.name,
                       **profile) as dst:
        dst.write(array)


def scene(height: int, width: int, seed: int, bands: int = 3):
    """``(image (bands, H, W) uint8, heights (H, W) float32 m)``: a 12 m block on noisy ground."""
    rng = np.random.default_rng(seed)
    image = rng.integers(60, 120, size=(bands, height, width), dtype=np.uint8)
    heights = np.zeros((height, width), np.float32)
    heights[height // 4:height // 2, width // 4:width // 2] = 12.0
    image[:, heights > 0] = 200
    return image, heights


def write_vaihingen(root: str, tiles: Dict[str, tuple], ndsm_levels: Optional[Dict[str, np.ndarray]] = None,
                    dsm_nodata: Optional[float] = None) -> None:
    """Vaihingen's release for ``{area: (image, heights)}``: IRRG ``top/`` tiles without CRS, the float32 DSM
    (ground at 265 m; ``dsm_nodata`` declared in the file when given) and the 8-bit nDSM BMP (``heights``
    in decimetres, or ``ndsm_levels``)."""
    for area, (image, heights) in tiles.items():
        _write(osp.join(root, 'top', f'top_mosaic_09cm_{area}.tif'), image)
        extra = {} if dsm_nodata is None else dict(nodata=dsm_nodata)
        _write(osp.join(root, 'dsm', f'dsm_09cm_matching_{area}.tif'), (heights + 265.0).astype(np.float32),
               **extra)
        levels = (ndsm_levels or {}).get(area)
        levels = np.round(heights * 10).astype(np.uint8) if levels is None else levels
        _write(osp.join(root, 'ndsm', f'ndsm_09cm_matching_{area}.bmp'), levels, driver='BMP')


def write_potsdam(root: str, tiles: Dict[str, tuple]) -> None:
    """Potsdam's release for ``{'2_10': (image, heights)}``: RGB orthophotos in UTM 33N, the float32 DSM and
    the 8-bit nDSM JPEG, both with zero-padded tile numbers (``dsm_potsdam_02_10``)."""
    for tile, (image, heights) in tiles.items():
        a, b = (int(x) for x in tile.split('_'))
        geo = dict(crs='EPSG:32633',
                   transform=Affine(0.05, 0, 366000.0 + 300 * a, 0, -0.05, 5810000.0 - 300 * b))
        _write(osp.join(root, '2_Ortho_RGB', f'top_potsdam_{tile}_RGB.tif'), image, **geo)
        _write(osp.join(root, '1_DSM', f'dsm_potsdam_{a:02d}_{b:02d}.tif'),
               (heights + 35.0).astype(np.float32), **geo)
        _write(osp.join(root, '1_DSM_normalisation', f'dsm_potsdam_{a:02d}_{b:02d}_normalized_lastools.jpg'),
               np.round(heights * 10).astype(np.uint8), driver='JPEG')


def shrink(cfg: Config, data_root: str, work_dir: str) -> Config:
    """The config's own pipelines, head design, loss, metric and schedule at CPU size: tiny backbone
    (window 4), a 32-channel head with a 1-layer encoder and a 3-layer decoder, 64 px crops, one iteration."""
    model = cfg.model
    model.backbone.update(arch='tiny', img_size=SIZE, window_size=4, drop_path_rate=0.0)
    model.data_preprocessor.size = (SIZE, SIZE)
    head = model.decode_head
    head.update(in_channels=TINY_DIMS, channels=CHANNELS, aux_indices=(0, 1))
    encoder = head.pixel_decoder.encoder
    encoder.num_layers = 1
    encoder.layer_cfg.self_attn_cfg.embed_dims = encoder.layer_cfg.ffn_cfg.embed_dims = CHANNELS
    encoder.layer_cfg.ffn_cfg.feedforward_channels = 2 * CHANNELS
    head.pixel_decoder.positional_encoding.num_feats = CHANNELS // 2
    decoder = head.transformer_decoder
    decoder.num_layers = 3
    for key in ('self_attn_cfg', 'cross_attn_cfg', 'ffn_cfg'):
        decoder.layer_cfg[key].embed_dims = CHANNELS
    decoder.layer_cfg.ffn_cfg.feedforward_channels = 2 * CHANNELS
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.data_root = data_root
    cfg.train_dataloader.batch_size = 2
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=1000)
    cfg.default_hooks.logger.interval = 1
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    cfg.work_dir = work_dir
    return cfg
