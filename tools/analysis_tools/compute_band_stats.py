"""Per-band mean and standard deviation over a dataset, for the ``mean`` / ``std`` of a config's data
preprocessor. Every new sensor needs its own: 16-bit reflectance, SAR amplitude and complex SAR have
nothing in common with ImageNet's statistics.

    python tools/analysis_tools/compute_band_stats.py configs/seg/upernet_ringmoe_kc_20k_sarsegl1-500x500.py
    python tools/analysis_tools/compute_band_stats.py --images 'data/new_sensor/*.tif' --bands 3 2 1 4

With a config, the images of its training set (``--split``) are read by the config's own loading
transform (the first of the pipeline: ``LoadRasterImage`` or ``LoadRasterPair``), so band selection,
complex bands (real and imaginary channels) and optical+SAR stacking are exactly what training sees. With
``--images``, a glob of rasters is read by ``LoadRasterImage`` with ``--bands``. Nodata pixels are left
out. The statistics are exact over all pixels (float64, per-image moments merged with Chan et al.'s
pairwise update), the population standard deviation; ``--max-images`` uses a random subset.
Prints the two lists to paste into ``data_preprocessor``; ``--out`` also writes them as JSON.
"""
import argparse
import glob
import json
import os.path as osp
import random
import sys
from typing import Callable, List, Optional, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims, registries)
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from mmringmoe.datasets.transforms import LoadRasterImage  # noqa: E402
from mmringmoe.registry import DATASETS  # noqa: E402
from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_text, output_errors,  # noqa: E402
                                       prepare_output_folder)
from mmringmoe.utils.threads import configure_threads  # noqa: E402

LOADERS = ('LoadRasterImage', 'LoadRasterPair')


class BandMoments:
    """Running count, mean and sum of squared deviations per band (Chan, Golub & LeVeque's merge)."""

    def __init__(self) -> None:
        self.count = 0
        self.mean: Optional[np.ndarray] = None
        self.m2: Optional[np.ndarray] = None

    def update(self, pixels: np.ndarray) -> None:
        """Add ``(N, C)`` pixels."""
        if pixels.shape[0] == 0:
            return
        pixels = pixels.astype(np.float64)
        count = pixels.shape[0]
        mean = pixels.mean(axis=0)
        m2 = ((pixels - mean)**2).sum(axis=0)
        if self.mean is None:
            self.count, self.mean, self.m2 = count, mean, m2
            return
        total = self.count + count
        delta = mean - self.mean
        self.mean = self.mean + delta * (count / total)
        self.m2 = self.m2 + m2 + delta**2 * (self.count * count / total)
        self.count = total

    @property
    def std(self) -> np.ndarray:
        return np.sqrt(self.m2 / self.count)


def config_images(args: argparse.Namespace) -> Tuple[List[str], Callable[[int], dict]]:
    """The names of the config's ``--split`` images and a loader of the i-th through its first transform."""
    cfg = Config.fromfile(args.source)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    dataset_cfg = cfg[f'{args.split}_dataloader'].dataset
    parts = dataset_cfg.datasets if 'datasets' in dataset_cfg else [dataset_cfg]  # a ConcatDataset: each part
    first = parts[0].pipeline[0]
    if not first['type'].endswith(LOADERS):  # GreyLoadRasterImage is a LoadRasterImage
        sys.exit(f'compute_band_stats: the first transform of the {args.split} pipeline is {first["type"]}, '
                 f'not one of {LOADERS}')
    for part in parts:
        part.pipeline = [first]
    dataset = DATASETS.build(dataset_cfg)
    return [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))], dataset.__getitem__


def glob_images(args: argparse.Namespace) -> Tuple[List[str], Callable[[int], dict]]:
    """The rasters matching ``--images`` and a loader of the i-th with ``LoadRasterImage``."""
    paths = sorted(glob.glob(args.images, recursive=True))
    if not paths:
        sys.exit(f'compute_band_stats: no file matches {args.images}')
    load = LoadRasterImage(bands=args.bands)
    return paths, lambda i: load(dict(img_path=paths[i]))


def compute(names: List[str], load: Callable[[int], dict], indices: List[int]) -> BandMoments:
    """Moments of the valid pixels of the images ``indices``."""
    moments = BandMoments()
    bands = None
    for i in tqdm(indices, desc='images', unit='img'):
        results = load(i)
        img = results['img'] if results['img'].ndim == 3 else results['img'][..., None]
        if bands is None:
            bands = img.shape[2]
        elif img.shape[2] != bands:
            raise ValueError(f'{names[i]}: has {img.shape[2]} bands, the images before it {bands}')
        valid = ~results['nodata_mask']
        moments.update(img[valid])
    if moments.count == 0:
        raise ValueError('no valid pixel in the images read')
    return moments


def write_json(path: str, payload: dict) -> None:
    """Write ``payload`` to ``path`` through a temporary file (never a half-written file); raises
    :class:`OutputWriteError`."""
    with output_errors(osp.dirname(osp.abspath(path))):
        atomic_write_text(path, json.dumps(payload, indent=2))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', nargs='?', help='a config whose dataset to measure')
    parser.add_argument('--images', help='instead of a config: a glob of rasters (quote it; ** recurses)')
    parser.add_argument('--bands', type=int, nargs='+', help='with --images: 1-based bands to read, in order')
    parser.add_argument(
        '--split',
        choices=['train', 'val', 'test'],
        default='train',
        help='with a config: the dataloader whose dataset to measure (default: train)')
    parser.add_argument('--max-images', type=int, help='measure a random subset of this many images')
    parser.add_argument('--seed', type=int, default=0, help='seed of the --max-images subset (default: 0)')
    parser.add_argument('--out', help='also write {"mean", "std", "pixels", "images"} to this JSON file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help='override config keys, e.g. train_dataloader.dataset.data_root=/data/x')
    args = parser.parse_args(argv)
    if (args.source is None) == (args.images is None):
        parser.error('give either a config or --images')
    if args.source is not None and not osp.isfile(args.source):
        parser.error(f'config not found: {args.source}')
    if args.bands is not None and args.images is None:
        parser.error('--bands goes with --images; a config reads the bands of its loading transform')
    if args.max_images is not None and args.max_images < 1:
        parser.error('--max-images must be positive')
    return args


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    try:
        if args.out:  # before the work: a folder that cannot be written is found now, not after it
            prepare_output_folder(osp.dirname(osp.abspath(args.out)))
        names, load = config_images(args) if args.source else glob_images(args)
        indices = list(range(len(names)))
        if args.max_images is not None and args.max_images < len(indices):
            indices = sorted(random.Random(args.seed).sample(indices, args.max_images))
        moments = compute(names, load, indices)
    except (FileNotFoundError, ValueError, OutputWriteError) as err:  # InvalidRasterError is a ValueError
        sys.exit(f'compute_band_stats: {err}')
    mean = [round(float(v), 6) for v in moments.mean]
    std = [round(float(v), 6) for v in moments.std]
    print(f'{len(mean)} bands, {moments.count} pixels in {len(indices)} images')
    print(f'mean={mean},\nstd={std},')
    if args.out:
        try:
            write_json(args.out, dict(mean=mean, std=std, pixels=moments.count, images=len(indices)))
        except OutputWriteError as err:
            sys.exit(f'compute_band_stats: {err}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
