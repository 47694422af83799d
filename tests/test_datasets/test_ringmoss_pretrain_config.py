"""The pretraining data config: mmpretrain's crop/flip on 1-8 channel float32 tiles, and the dataloader
mmengine builds from configs/_base_/datasets/ringmoss_pretrain.py on generated tiles."""
import os.path as osp

import numpy as np
import pytest
import rasterio
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.runner import Runner
from rasterio.crs import CRS
from rasterio.transform import Affine

CONFIG = osp.join(osp.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets', 'ringmoss_pretrain.py')
CHANNELS = dict(opt=3, ms=4, sar_l1=8, sar_l2=1)


@pytest.mark.parametrize('channels', [1, 3, 4, 8])
def test_mmpretrain_crop_flip_pack_keep_float32_channels(channels):
    cfg = Config.fromfile(CONFIG)
    pipeline = Compose(cfg.pretrain_transforms)
    rng = np.random.default_rng(channels)
    img = rng.uniform(-30000, 60000, size=(96, 80, channels)).astype(np.float32)  # 16-bit SAR range
    img[:, :, 0] = 40000.0  # a constant channel stays exactly constant through bilinear resizing
    out = pipeline(dict(img=img, modality='x', img_path='x.tif', crs=None, transform=None))
    inputs, sample = out['inputs'], out['data_samples']
    assert tuple(inputs.shape) == (channels, 192, 192)
    assert inputs.dtype.is_floating_point and inputs.element_size() == 4
    assert float(inputs[0].min()) == float(inputs[0].max()) == 40000.0
    assert img.min() <= float(inputs.min()) and float(inputs.max()) <= img.max()
    assert tuple(sample.mask.shape) == (48, 48)  # 192 / patch 4, in 32-px blocks
    assert abs(float(sample.mask.float().mean()) - 0.6) < 0.03
    assert sample.modality == 'x'


def write_tiles(root, modality, n, seed):
    """``n`` GeoTIFF tiles of ``modality`` in the tiling tool's layout; the first is bad (NaN)."""
    rng = np.random.default_rng(seed)
    count, dtype = (4, 'complex64') if modality == 'sar_l1' else (CHANNELS[modality], 'uint8')
    lines = []
    for i in range(n):
        rel = f'scene/scene_y000000_x{64 * i:06d}.tif'
        path = osp.join(root, modality, rel)
        bands = rng.integers(1, 255, size=(count, 64, 64)).astype(dtype)
        if modality == 'sar_l1':
            bands = bands * (1 + 1j)
            if i == 0:
                bands[0, 0, 0] = np.nan
        with rasterio.open(path, 'w', driver='GTiff', width=64, height=64, count=count, dtype=dtype,
                           crs=CRS.from_epsg(32650), transform=Affine(1, 0, 64.0 * i, 0, -1, 0)) as dst:
            dst.write(bands)
        lines.append(rel)
    with open(osp.join(root, modality, f'{modality}.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def test_config_builds_the_multimodal_dataloader(tmp_path):
    for seed, (modality, n) in enumerate(dict(opt=6, ms=2, sar_l1=3, sar_l2=2).items()):
        (tmp_path / modality / 'scene').mkdir(parents=True)
        write_tiles(str(tmp_path), modality, n, seed)
    cfg = Config.fromfile(CONFIG)
    loader_cfg = cfg.train_dataloader
    loader_cfg.update(batch_size=4, num_workers=0, persistent_workers=False)
    loader_cfg.batch_sampler.proportions = dict(opt=2, ms=1, sar_l1=1, sar_l2=0)
    for dataset in loader_cfg.dataset.datasets.values():
        dataset.data_root = str(tmp_path)
    loader = Runner.build_dataloader(loader_cfg.to_dict(), seed=0)

    assert len(loader) == 3  # Opt: 6 tiles, 2 per batch
    batches = list(loader)
    for batch in batches:
        samples = batch['data_samples']
        assert [s.modality for s in samples] == ['opt', 'opt', 'ms', 'sar_l1']
        assert [tuple(x.shape) for x in batch['inputs']] == [(3, 192, 192), (3, 192, 192), (4, 192, 192),
                                                             (8, 192, 192)]
        assert all(bool(x.isfinite().all()) for x in batch['inputs'])
        for sample in samples:
            assert CRS.from_wkt(sample.crs) == CRS.from_epsg(32650) and len(sample.transform) == 6
            assert sample.img_path.startswith(str(tmp_path / sample.modality))
            assert tuple(sample.mask.shape) == (48, 48)
    sar_l1 = loader.dataset.datasets[loader.dataset.modalities.index('sar_l1')]
    assert sar_l1.num_skipped >= 1  # the NaN tile was drawn (3 draws from 3 tiles) and skipped
    sar_paths = [s.img_path for b in batches for s in b['data_samples'] if s.modality == 'sar_l1']
    assert all('x000000' not in p for p in sar_paths)
