"""Tiny synthetic segmentation datasets in each benchmark's published layout and encoding, and the config
overrides that shrink a paper config to a CPU-sized model (RingMoE-KC ``tiny``, 64 px, window 4).

Layouts checked against the fixtures in /work/shared/fixtures (mmseg's converted Potsdam: RGB PNG patches,
grey index labels 0-6) and the datasets' documentation (see each dataset class's docstring).
"""
import json
import os
import os.path as osp
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict

import numpy as np
import rasterio
from affine import Affine
from mmengine.config import Config
from PIL import Image

from mmringmoe.datasets.dfc23 import DFC23_CATEGORIES
from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64  # tile side of the generated data and the test crop
ISAID_PALETTE = [(0, 0, 0), (0, 0, 63), (0, 63, 63), (0, 63, 0), (0, 63, 127), (0, 63, 191), (0, 63, 255),
                 (0, 127, 63), (0, 127, 127), (0, 0, 127), (0, 0, 191), (0, 0, 255), (0, 191, 127),
                 (0, 127, 191), (0, 127, 255), (0, 100, 155)]
AIR_POLSAR_COLOURS = [(255, 255, 0), (0, 0, 255), (0, 255, 0), (255, 0, 0), (0, 255, 255), (255, 255, 255)]


def write_tif(path: str, bands: np.ndarray, georeferenced: bool = True) -> None:
    """Write ``(C, H, W)`` as a GeoTIFF (UTM CRS and a 3 m grid when ``georeferenced``)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    extra = dict(crs='EPSG:32610', transform=Affine(3, 0, 500000, 0, -3, 4200000)) if georeferenced else {}
    with rasterio.open(
            path,
            'w',
            driver='GTiff',
            width=bands.shape[2],
            height=bands.shape[1],
            count=bands.shape[0],
            dtype=bands.dtype,
            **extra) as dst:
        dst.write(bands)


def write_png(path: str, array: np.ndarray, palette=None) -> None:
    """Write ``H x W`` (grey or, with ``palette``, P-mode) or ``H x W x 3`` (RGB) uint8 as PNG."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    img = Image.fromarray(array.astype(np.uint8))
    if palette is not None:
        img = img.convert('P')
        img.putpalette([v for colour in palette for v in colour])
    img.save(path)


def blocks(rng: np.random.Generator, classes, size: int = SIZE) -> np.ndarray:
    """A label of 16 x 16 blocks drawn from ``classes``."""
    grid = rng.choice(np.asarray(classes), size=(size // 16, size // 16))
    return np.kron(grid, np.ones((16, 16), dtype=grid.dtype))


def make_isaid(root: str, rng: np.random.Generator) -> None:
    """mmseg's converted iSAID: RGB patches, P-mode index labels ``*_instance_color_RGB.png``."""
    for split in ('train', 'val'):
        for i in range(2):
            name = f'P000{i}_0_{SIZE}_0_{SIZE}'
            write_png(f'{root}/img_dir/{split}/{name}.png', rng.integers(0, 256, (SIZE, SIZE, 3)))
            write_png(
                f'{root}/ann_dir/{split}/{name}_instance_color_RGB.png',
                blocks(rng, range(16)),
                palette=ISAID_PALETTE)


def make_potsdam(root: str, rng: np.random.Generator) -> None:
    """mmseg's converted Potsdam (IRRG): RGB PNG patches, grey labels 0 (boundary) and 1-6."""
    for split, tile in (('train', '2_10'), ('val', '5_15')):
        for i in range(2):
            name = f'{tile}_{i * SIZE}_0_{(i + 1) * SIZE}_{SIZE}'
            write_png(f'{root}/img_dir/{split}/{name}.png', rng.integers(0, 256, (SIZE, SIZE, 3)))
            write_png(f'{root}/ann_dir/{split}/{name}.png', blocks(rng, range(7)))


def make_dynamic_earthnet(root: str, rng: np.random.Generator) -> None:
    """Official DynamicEarthNet: daily 4-band uint16 PF-SR GeoTIFFs, monthly 7-band one-hot labels, splits."""
    lines = {'train': [], 'val': [], 'test': []}
    for split, cube in (('train', '1311_3077_13'), ('val', '1700_3100_13'), ('test', '2029_3764_13')):
        for month in ('2018-01', '2018-02'):
            image_dir = f'planet/10N/18E-66N/{cube}/PF-SR'
            write_tif(f'{root}/{image_dir}/{month}-01.tif',
                      rng.integers(0, 4000, (4, SIZE, SIZE)).astype(np.uint16))
            classes = blocks(rng, range(7))
            onehot = np.stack([(classes == c) * 255 for c in range(7)]).astype(np.uint8)
            label = f'labels/10N/18E-66N/{cube}/Labels/Raster/10N-122W-40N-L3H-SR/' \
                    f'10N-122W-40N-L3H-SR-{month.replace("-", "_")}_01.tif'
            write_tif(f'{root}/{label}', onehot)
            lines[split].append(f'/{image_dir} /{label} {month}')
    os.makedirs(f'{root}/dynnet_training_splits', exist_ok=True)
    for split, split_lines in lines.items():
        with open(f'{root}/dynnet_training_splits/{split}.txt', 'w') as f:
            f.write('\n'.join(split_lines) + '\n')


def make_sarsegl1(root: str, rng: np.random.Generator) -> None:
    """SARSegL1 patches as the converter writes them: 4 complex64 bands, PNG labels 0-4 / 255."""
    for split in ('train', 'test'):
        for i in range(2):
            name = f'Guangzhou_{i * 300}_0'
            slc = (rng.normal(0, 50, (4, SIZE, SIZE)) + 1j * rng.normal(0, 50, (4, SIZE, SIZE)))
            write_tif(f'{root}/img_dir/{split}/{name}.tif', slc.astype(np.complex64), georeferenced=False)
            write_png(f'{root}/ann_dir/{split}/{name}.png', blocks(rng, [0, 1, 2, 3, 4, 255]))


def make_air_polsar_seg(root: str, rng: np.random.Generator) -> None:
    """AIR-PolSAR-Seg: ``<id>_{HH,HV,VH,VV}.tiff`` amplitudes, ``<id>_gt.png`` colour labels, split lists."""
    for i in range(4):
        for pol in ('HH', 'HV', 'VH', 'VV'):
            write_tif(
                f'{root}/{i}_{pol}.tiff',
                rng.integers(0, 256, (1, SIZE, SIZE)).astype(np.uint8),
                georeferenced=False)
        colours = np.asarray(AIR_POLSAR_COLOURS + [(0, 0, 0)], dtype=np.uint8)
        write_png(f'{root}/{i}_gt.png', colours[blocks(rng, range(7))])
    with open(f'{root}/train.txt', 'w') as f:
        f.write('0\n1\n')
    with open(f'{root}/test.txt', 'w') as f:
        f.write('2\n3\n')


def make_whu_opt_sar(root: str, rng: np.random.Generator) -> None:
    """WHU-OPT-SAR patches: ``{train,test}/{optical,sar,lbl}/<scene>_<r>_<c>.tif``, labels 0, 10, ..., 70."""
    for split, scene in (('train', 'NH49E001013'), ('test', 'NH49E001014')):
        for i in range(2):
            name = f'{scene}_{i}_0.tif'
            optical = rng.integers(0, 256, (4, SIZE, SIZE)).astype(np.uint8)
            write_tif(f'{root}/{split}/optical/{name}', optical)
            write_tif(f'{root}/{split}/sar/{name}', rng.integers(0, 256, (1, SIZE, SIZE)).astype(np.uint8))
            write_tif(f'{root}/{split}/lbl/{name}', blocks(rng, range(0, 80, 10))[None].astype(np.uint8))


def make_dfc23(root: str, rng: np.random.Generator) -> None:
    """DFC23 track 1 as released (``train/rgb/P_000i.tif``, ``train/sar/P_000i.tif``: one name, the COCO
    ``file_name``), with converted labels and 7:2:1 split lists."""
    for i in range(6):
        write_tif(
            f'{root}/train/rgb/P_000{i}.tif',
            rng.integers(0, 256, (3, SIZE, SIZE)).astype(np.uint8),
            georeferenced=False)
        write_tif(
            f'{root}/train/sar/P_000{i}.tif',
            rng.integers(0, 256, (1, SIZE, SIZE)).astype(np.uint8),
            georeferenced=False)
        write_png(f'{root}/train/label/P_000{i}.png', blocks(rng, range(13)))
    os.makedirs(f'{root}/splits', exist_ok=True)
    for split, ids in (('train', '0 1'), ('val', '2 3'), ('test', '4 5')):
        with open(f'{root}/splits/{split}.txt', 'w') as f:
            f.write(''.join(f'P_000{i}\n' for i in ids.split()))


def write_whu_release(root: str, rng: np.random.Generator, scenes=('NH49E001013', 'NH49E001014')) -> None:
    """The WHU-OPT-SAR release: 64 x 96 scenes in ``optical/``, ``sar/``, ``lbl/`` and its split list."""
    for name in scenes:
        write_tif(f'{root}/optical/{name}.tif', rng.integers(0, 256, (4, 64, 96)).astype(np.uint8))
        write_tif(f'{root}/sar/{name}.tif', rng.integers(0, 256, (1, 64, 96)).astype(np.uint8))
        write_tif(f'{root}/lbl/{name}.tif', (rng.integers(0, 8, (1, 64, 96)) * 10).astype(np.uint8))
    with open(f'{root}/The division of the dataset.txt', 'w') as f:
        f.write(f'train:\n{scenes[0]}.tif\n\ntest:\n{scenes[1]}.tif\n')


def write_dfc23_release(root, categories=DFC23_CATEGORIES, tiles=10, rgb_suffix='', sar_suffix=''):
    """Track 1 as released: ``train/rgb/P_0000.tif`` and ``train/sar/P_0000.tif`` under the COCO
    ``file_name``, image ids from 0, categories ``{supercategory, id, name}`` with ids 1-12."""
    images, anns = [], []
    for i in range(tiles):
        write_tif(f'{root}/train/rgb/P_{i:04d}{rgb_suffix}.tif', np.zeros((3, 32, 32), dtype=np.uint8))
        write_tif(f'{root}/train/sar/P_{i:04d}{sar_suffix}.tif', np.zeros((1, 32, 32), dtype=np.uint8))
        images.append(dict(file_name=f'P_{i:04d}.tif', height=32, width=32, id=i))
        # a large flat roof with a small revolved (dome) roof on it
        for cat, box in ((1, (2, 2, 20, 20)), (11, (8, 8, 6, 6))):
            x, y, w, h = box
            anns.append(
                dict(
                    id=len(anns) + 1,
                    image_id=i,
                    category_id=cat,
                    iscrowd=0,
                    area=w * h,
                    bbox=[x, y, w, h],
                    segmentation=[[x, y, x + w, y, x + w, y + h, x, y + h]]))
    cats = [dict(supercategory=name, id=i + 1, name=name) for i, name in enumerate(categories)]
    os.makedirs(f'{root}/annotations', exist_ok=True)
    with open(f'{root}/annotations/roof_fine_train.json', 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=cats), f)


def unzip_isaid_release(release: Path) -> None:
    """Unpack the iSAID release as a user does, each archive where it lies: ``train/images/P0000.png``,
    ``train/Semantic_masks/images/P0000_instance_color_RGB.png``; the archives are removed."""
    for archive in sorted(release.glob('*/*/*.zip')):
        with zipfile.ZipFile(archive) as z:
            z.extractall(archive.parent if archive.parent.name == 'Semantic_masks' else archive.parent.parent)
        archive.unlink()


# config file name -> writer of its dataset's layout
LAYOUTS: Dict[str, Callable[[str, np.random.Generator], None]] = {
    'upernet_ringmoe_kc_isaid.py': make_isaid,
    'upernet_ringmoe_kc_80k_potsdam-irrg-512x512.py': make_potsdam,
    'upernet_ringmoe_kc_16k_dynamicearthnet-1024x1024.py': make_dynamic_earthnet,
    'upernet_ringmoe_kc_20k_sarsegl1-500x500.py': make_sarsegl1,
    'upernet_ringmoe_kc_80k_air-polsar-seg-512x512.py': make_air_polsar_seg,
    'upernet_ringmoe_kc-opt-sar_80k_whu-opt-sar-256x256.py': make_whu_opt_sar,
    'upernet_ringmoe_kc-opt-sar_80k_dfc23-512x512.py': make_dfc23,
}

TINY_DIMS = [32, 64, 128, 256]  # RingMoE-KC 'tiny' stage channels


def shrink(cfg: Config, data_root: str, work_dir: str) -> Config:
    """The config's own model, pipelines and schedule, at CPU size: tiny backbone(s), window 4, 64 px crops,
    16-channel heads, one iteration, data from ``data_root``, no worker processes."""
    model = cfg.model
    for key in ('backbone', 'second_backbone'):
        if key in model:
            model[key].update(arch='tiny', img_size=SIZE, window_size=4, drop_path_rate=0.0)
    if 'fusion' in model:
        model.fusion.in_channels = [TINY_DIMS, TINY_DIMS]
    model.decode_head.update(in_channels=TINY_DIMS, channels=16)
    model.auxiliary_head.update(in_channels=TINY_DIMS[2], channels=16)
    model.data_preprocessor.size = (SIZE, SIZE)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.data_root = data_root
    cfg.train_dataloader.batch_size = 2
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform.type == 'RandomResize':
            transform.scale = (SIZE, SIZE)
        if transform.type == 'RandomCrop':
            transform.crop_size = (SIZE, SIZE)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=1000)
    cfg.default_hooks.logger.interval = 1
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    return cfg


def load_tool(path: str) -> ModuleType:
    """Import a script of ``tools/`` (not a package) by its path relative to the repository."""
    return load_script(osp.join(REPO, path))
