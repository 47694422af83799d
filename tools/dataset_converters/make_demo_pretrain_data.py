"""Make a small synthetic RingMOSS-like pretraining set: scenes of all four modalities, then tiles.

    python tools/dataset_converters/make_demo_pretrain_data.py --out data/demo_pretrain
    python tools/dataset_converters/make_demo_pretrain_data.py --out /tmp/demo --scenes 2 --size 256 --seed 1

Scenes are GeoTIFFs in the formats of the real modalities (paper App. B.1), in UTM zone 50N (EPSG:32650),
with nodata 0 and a black corner cut off like a swath edge:

  opt      3 bands uint8 (R, G, B)
  ms       4 bands uint8 (B, G, R, NIR)
  sar_l1   4 bands CInt16 (HH, HV, VH, VV single-look complex); LoadRasterImage splits them into the 8
           channels HH_re, HH_im, HV_re, ... (the GDAL form of SLC products; an 8-band int16 file with the
           same channel order loads identically)
  sar_l2   1 band uint8 (amplitude, log-scaled)

The content is learnable structure, not noise: Voronoi parcels of five land-cover classes (water,
vegetation, bare soil, built-up, field) with class signatures, smooth illumination fields, straight
roads, and, for SAR, multiplicative speckle of the class backscatter.

Output, in OUT: scenes/<modality>/<modality>_NN.tif, and the tiles of each modality made by
make_pretrain_tiles.py in OUT/<modality>/ with the list file OUT/<modality>/<modality>.txt, the layout
configs/_base_/datasets/ringmoss_pretrain.py expects under its data_root. Same --seed, same files.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List

import numpy as np
import rasterio
from rasterio.transform import Affine
from scipy.spatial import cKDTree
from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from make_pretrain_tiles import SceneError, tile_scenes, write_json  # noqa: E402

MODALITIES = ('opt', 'ms', 'sar_l1', 'sar_l2')
CRS = 'EPSG:32650'
PIXEL_SIZE = dict(opt=1.0, ms=4.0, sar_l1=1.0, sar_l2=3.0)  # metres, as GF-2 PAN-sharpened / PMS, GF-3
SETTINGS_FILE = '.make_demo_pretrain_data.json'

# Land-cover classes: water, vegetation, bare soil, built-up, field.
OPT_SIGNATURE = np.array([[40, 70, 90], [60, 110, 50], [150, 130, 100], [170, 165, 160], [120, 150, 70]])
MS_SIGNATURE = np.array([[90, 70, 40, 20], [50, 110, 60, 200], [100, 130, 150, 160], [160, 165, 170, 150],
                         [70, 150, 120, 170]])
# Backscatter (intensity) per class for HH, HV, VH, VV; cross-pol weaker, water darkest, built-up brightest.
SAR_SIGMA = np.array([[0.01, 0.001, 0.001, 0.012], [0.10, 0.03, 0.03, 0.08], [0.06, 0.01, 0.01, 0.07],
                      [0.60, 0.10, 0.10, 0.45], [0.12, 0.02, 0.02, 0.10]])
ROAD_OPT, ROAD_MS, ROAD_SIGMA = np.array([95, 95, 100]), np.array([100, 95, 95, 90]), 0.004


def land_cover(rng: np.random.Generator, size: int) -> Dict[str, np.ndarray]:
    """Class map (Voronoi parcels), road mask, smooth illumination field and nodata mask of one scene."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    seeds = rng.uniform(0, size, size=(max(4, (size // 48)**2), 2)).astype(np.float32)
    nearest = cKDTree(seeds).query(np.stack([yy.ravel(), xx.ravel()], axis=1))[1].reshape(size, size)
    classes = rng.integers(0, len(OPT_SIGNATURE), size=len(seeds))[nearest]

    road = np.zeros((size, size), dtype=bool)
    for _ in range(rng.integers(1, 4)):
        angle, offset, width = rng.uniform(0, np.pi), rng.uniform(0.2, 0.8) * size, rng.uniform(1.5, 3.5)
        road |= np.abs(np.cos(angle) * (xx - offset) + np.sin(angle) * (yy - offset)) < width

    field = np.ones((size, size), dtype=np.float32)
    for _ in range(3):
        fy, fx, phase = rng.uniform(0.5, 2.5, size=2).tolist() + [rng.uniform(0, 2 * np.pi)]
        field += 0.06 * np.sin(2 * np.pi * (fy * yy + fx * xx) / size + phase)

    # A black corner (swath edge): the triangle below a diagonal through a random corner.
    corner = rng.integers(0, 4)
    u = xx if corner in (0, 3) else size - 1 - xx
    v = yy if corner in (0, 1) else size - 1 - yy
    nodata = u + v < rng.uniform(0.3, 0.6) * size
    return dict(classes=classes, road=road, field=field, nodata=nodata)


def render(modality: str, scene: Dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """``(bands, H, W)`` pixels of ``modality`` for a land-cover scene, nodata pixels 0."""
    classes, road, field, nodata = scene['classes'], scene['road'], scene['field'], scene['nodata']
    if modality in ('opt', 'ms'):
        signature, road_value = (OPT_SIGNATURE, ROAD_OPT) if modality == 'opt' else (MS_SIGNATURE, ROAD_MS)
        img = signature[classes].transpose(2, 0, 1) * field
        img[:, road] = road_value[:, None]
        img = img + rng.normal(0, 3, size=img.shape)
        out = np.clip(np.rint(img), 1, 255).astype(np.uint8)  # 0 is reserved for nodata
    else:
        sigma = SAR_SIGMA[classes].transpose(2, 0, 1) * field
        sigma[:, road] = ROAD_SIGMA
        speckle = (rng.normal(size=sigma.shape) + 1j * rng.normal(size=sigma.shape)) / np.sqrt(2)
        slc = np.sqrt(sigma) * speckle * 3000.0
        if modality == 'sar_l1':
            out = np.empty(slc.shape, dtype=np.complex64)
            out.real = np.clip(np.rint(slc.real), -32767, 32767)
            out.imag = np.clip(np.rint(slc.imag), -32767, 32767)
            out[:, nodata] = 0
            return out
        amplitude_db = 20 * np.log10(np.abs(slc[0]) + np.abs(slc[3]) + 1.0)
        out = np.clip(np.rint((amplitude_db - 40.0) * 6.0), 1, 255).astype(np.uint8)[None]
    out[:, nodata] = 0
    return out


def write_scene(path: str, modality: str, pixels: np.ndarray, origin: tuple) -> None:
    """Write one scene GeoTIFF atomically; ``origin`` is its upper-left corner (easting, northing)."""
    dtype = 'complex_int16' if modality == 'sar_l1' else 'uint8'
    pixel = PIXEL_SIZE[modality]
    tmp = path + '.part'
    with rasterio.open(tmp, 'w', driver='GTiff', width=pixels.shape[2], height=pixels.shape[1],
                       count=pixels.shape[0], dtype=dtype, crs=CRS, nodata=0,
                       transform=Affine(pixel, 0.0, origin[0], 0.0, -pixel, origin[1])) as dst:
        dst.write(pixels)
        if modality == 'sar_l1':
            for i, pol in enumerate(('HH', 'HV', 'VH', 'VV'), 1):
                dst.set_band_description(i, pol)
    os.replace(tmp, path)


def make_demo(out: str,
              scenes: int = 4,
              size: int = 384,
              tile: int = 64,
              step: int = 64,
              max_border: float = 0.3,
              seed: int = 0,
              show_progress: bool = True) -> Dict[str, str]:
    """Write the demo scenes and tiles into ``out``; returns ``{modality: list file}``."""
    settings = dict(scenes=scenes, size=size, tile=tile, step=step, max_border=max_border, seed=seed)
    settings_path = osp.join(out, SETTINGS_FILE)
    if osp.isfile(settings_path):
        with open(settings_path, encoding='utf-8') as f:
            previous = json.load(f)
        if previous != settings:
            raise SceneError(f'{out} holds demo data made with {previous}; delete it or use another --out')
    os.makedirs(out, exist_ok=True)
    write_json(settings_path, settings)

    lists = {}
    with tqdm(total=len(MODALITIES) * scenes, unit='scene', desc='demo scenes',
              disable=not show_progress) as progress:
        for m_id, modality in enumerate(MODALITIES):
            scene_dir = osp.join(out, 'scenes', modality)
            os.makedirs(scene_dir, exist_ok=True)
            paths: List[str] = []
            for s_id in range(scenes):
                rng = np.random.default_rng([seed, m_id, s_id])
                pixels = render(modality, land_cover(rng, size), rng)
                origin = (500000.0 + 20000.0 * s_id, 4400000.0 - 10000.0 * m_id)
                paths.append(osp.join(scene_dir, f'{modality}_{s_id:02d}.tif'))
                write_scene(paths[-1], modality, pixels, origin)
                progress.update(1)
            lists[modality] = tile_scenes(paths, modality, osp.join(out, modality), tile, step, max_border,
                                          show_progress=False)
    return lists


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default='data/demo_pretrain',
                        help='output folder (default: data/demo_pretrain)')
    parser.add_argument('--scenes', type=int, default=4, help='scenes per modality (default: 4)')
    parser.add_argument('--size', type=int, default=384,
                        help='scene width and height in pixels (default: 384)')
    parser.add_argument('--tile', type=int, default=64, help='tile size (default: 64)')
    parser.add_argument('--step', type=int, default=64, help='sliding-window step (default: 64)')
    parser.add_argument('--max-border', type=float, default=0.3, help='border fraction limit (default: 0.3)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    args = parser.parse_args(argv)
    if args.scenes <= 0 or args.tile <= 0 or args.step <= 0:
        parser.error('--scenes, --tile and --step must be positive')
    if args.size < args.tile:
        parser.error(f'--size {args.size} is smaller than --tile {args.tile}')
    if args.seed < 0:
        parser.error('--seed must be >= 0')
    try:
        lists = make_demo(args.out, args.scenes, args.size, args.tile, args.step, args.max_border, args.seed)
    except SceneError as err:
        sys.exit(f'make_demo_pretrain_data: {err}')
    for modality, list_path in lists.items():
        with open(list_path, encoding='utf-8') as f:
            print(f'{modality}: {sum(1 for _ in f)} tiles in {list_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
