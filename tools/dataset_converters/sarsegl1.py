"""Cut the SARSegL1 scenes into the paper's 500 x 500 patches with an overlap of 200, as 4-band complex
GeoTIFFs, and split them 8:2 (paper App. B.5.2, Table A6).

    python tools/dataset_converters/sarsegl1.py /path/to/SARSegL1 -o data/SARSegL1 --format amp_phase

The release's file layout is not published; this tool reads one folder per scene (the paper has two GF-3
scenes, Guangzhou and Hangzhou) holding one raster per polarisation and a label raster::

    RAW/<scene>/HH.tif  HV.tif  VH.tif  VV.tif   label.tif (or label.png)

each polarisation as ``--format``:

    complex     one complex band (CInt16 / CFloat32, the SLC itself)
    amp_phase   two bands, amplitude then phase in radians (the paper's description)
    real_imag   two bands, real then imaginary part

and the label with 0 for unlabelled pixels and 1-5 for water, vegetation, bare land, road, building (the
order of Table A6). It writes::

    OUT/img_dir/{train,test}/<scene>_<y>_<x>.tif   # 4 complex64 bands HH, HV, VH, VV (exact for CInt16)
    OUT/ann_dir/{train,test}/<scene>_<y>_<x>.png   # 0-4 the classes, 255 unlabelled

Patches start at 0, 300, 600, ... (stride = patch - overlap) while a whole patch fits, which gives the
paper's 540 patches for scenes of 5456 x 4708 and 6192 x 4888. Patches are split at random (``--seed``),
``--test-ratio`` of them to test. A folder without scene folders, or with scenes all smaller than a patch,
stops the tool with a line saying so. Each file appears under its name only once completely written
(encoded in memory, written to a temporary name and renamed); a failed write (full disk, read-only
folder) stops the tool with a line naming the folder.
"""
import argparse
import os
import os.path as osp
import random
import sys
import warnings
from typing import List, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from PIL import Image  # noqa: E402
from rasterio.errors import NotGeoreferencedWarning, RasterioError  # noqa: E402
from rasterio.windows import Window  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.datasets.transforms.loading import is_complex_dtype  # noqa: E402
from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_image,  # noqa: E402
                                       atomic_write_raster, prepare_output_folder, remove_temporaries)

POLARISATIONS = ('HH', 'HV', 'VH', 'VV')
FORMATS = ('complex', 'amp_phase', 'real_imag')
NUM_CLASSES = 5
IGNORE_INDEX = 255


class ConversionError(Exception):
    """Bad input; the message is one line naming the file."""


def patch_offsets(size: int, patch: int, stride: int) -> List[int]:
    """Patch offsets along one axis: 0, stride, 2 * stride, ... while a whole patch fits."""
    return list(range(0, size - patch + 1, stride))


def read_polarisation(path: str, window: Window, fmt: str) -> np.ndarray:
    """``(H, W)`` complex64 of a window of one polarisation's raster."""
    with rasterio.open(path) as src:
        if fmt == 'complex':
            return src.read(1, window=window).astype(np.complex64)
        first, second = src.read([1, 2], window=window).astype(np.float64)
    if fmt == 'amp_phase':
        return (first * np.exp(1j * second)).astype(np.complex64)
    return (first + 1j * second).astype(np.complex64)


def check_scene(scene_dir: str, fmt: str) -> Tuple[list, str, Tuple[int, int]]:
    """The polarisation rasters, the label path and the scene size; raises on a bad scene."""
    paths = [osp.join(scene_dir, f'{pol}.tif') for pol in POLARISATIONS]
    labels = [
        osp.join(scene_dir, name) for name in ('label.tif', 'label.png')
        if osp.isfile(osp.join(scene_dir, name))
    ]
    for path in paths:
        if not osp.isfile(path):
            raise ConversionError(f'polarisation missing: {path}')
    if not labels:
        raise ConversionError(f'label missing: {scene_dir}/label.tif (or label.png)')
    sizes = set()
    for path in paths + labels[:1]:
        with rasterio.open(path) as src:
            sizes.add((src.height, src.width))
            if path in paths:
                complex_band = is_complex_dtype(src.dtypes[0])
                if fmt == 'complex' and (src.count != 1 or not complex_band):
                    raise ConversionError(f'{path}: --format complex needs one complex band, the file has '
                                          f'{src.count} {src.dtypes[0]} bands')
                if fmt != 'complex' and (src.count != 2 or complex_band):
                    raise ConversionError(f'{path}: --format {fmt} needs two real bands, the file has '
                                          f'{src.count} {src.dtypes[0]} bands')
    if len(sizes) != 1:
        raise ConversionError(f'{scene_dir}: polarisations and label differ in size {sorted(sizes)}')
    return paths, labels[0], sizes.pop()


def encode_label(raw: np.ndarray, path: str) -> np.ndarray:
    """0 unlabelled -> 255, 1-5 -> 0-4; other values raise."""
    bad = [int(v) for v in np.unique(raw) if v > NUM_CLASSES]
    if bad:
        raise ConversionError(f'{path}: label values {bad} are outside 0 (unlabelled) and 1-{NUM_CLASSES}')
    return np.where(raw == 0, IGNORE_INDEX, raw.astype(np.int64) - 1).astype(np.uint8)


def write_patch(out: str, split: str, name: str, slc: np.ndarray, label: np.ndarray) -> None:
    """Write one patch: its ``(4, H, W)`` complex image as a GeoTIFF, its label as a PNG, each atomically."""

    def fill(dst) -> None:
        dst.write(slc)
        dst.descriptions = POLARISATIONS

    profile = dict(
        driver='GTiff', width=slc.shape[2], height=slc.shape[1], count=slc.shape[0], dtype='complex64')
    atomic_write_raster(osp.join(out, 'img_dir', split, f'{name}.tif'), profile, fill)
    atomic_write_image(osp.join(out, 'ann_dir', split, f'{name}.png'), Image.fromarray(label), 'PNG')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('raw', help='folder with one sub-folder per scene')
    parser.add_argument('-o', '--out', default='data/SARSegL1', help='output folder (default: data/SARSegL1)')
    parser.add_argument('--format', choices=FORMATS, required=True, help='how each polarisation is stored')
    parser.add_argument('--patch', type=int, default=500, help='patch size (default: 500)')
    parser.add_argument(
        '--overlap', type=int, default=200, help='overlap of neighbouring patches (default: 200)')
    parser.add_argument('--test-ratio', type=float, default=0.2, help='share of test patches (default: 0.2)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the split (default: 0)')
    args = parser.parse_args(argv)
    if not osp.isdir(args.raw):
        parser.error(f'folder not found: {args.raw}')
    if not 0 <= args.overlap < args.patch:
        parser.error('--overlap must lie in [0, --patch)')
    if not 0.0 <= args.test_ratio < 1.0:
        parser.error('--test-ratio must lie in [0, 1)')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    scenes = sorted(d for d in os.listdir(args.raw) if osp.isdir(osp.join(args.raw, d)))
    if not scenes:
        sys.exit(f'sarsegl1: no scene folder in {args.raw} (looked for one folder per scene holding '
                 f'{", ".join(p + ".tif" for p in POLARISATIONS)} and label.tif or label.png)')
    stride = args.patch - args.overlap
    try:
        jobs = []
        for scene in scenes:
            paths, label_path, (height, width) = check_scene(osp.join(args.raw, scene), args.format)
            for y in patch_offsets(height, args.patch, stride):
                for x in patch_offsets(width, args.patch, stride):
                    jobs.append((scene, paths, label_path, y, x))
        if not jobs:
            raise ConversionError(
                f'{args.raw}: every scene is smaller than a {args.patch} x {args.patch} patch')
        order = list(range(len(jobs)))
        random.Random(args.seed).shuffle(order)
        test = set(order[:round(len(jobs) * args.test_ratio)])
        for split in ('train', 'test'):
            for folder in ('img_dir', 'ann_dir'):
                remove_temporaries(prepare_output_folder(osp.join(args.out, folder, split)))
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', NotGeoreferencedWarning)
            for i, (scene, paths, label_path, y, x) in enumerate(tqdm(jobs, desc='patches', unit='patch')):
                window = Window(x, y, args.patch, args.patch)
                slc = np.stack([read_polarisation(p, window, args.format) for p in paths])
                with rasterio.open(label_path) as src:
                    label = encode_label(src.read(1, window=window), label_path)
                write_patch(args.out, 'test' if i in test else 'train', f'{scene}_{y}_{x}', slc, label)
    except (ConversionError, OutputWriteError, RasterioError) as err:
        sys.exit(f'sarsegl1: {err}')
    print(f'{len(jobs)} patches ({len(jobs) - len(test)} train, {len(test)} test) in {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
