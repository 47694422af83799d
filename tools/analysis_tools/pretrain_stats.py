"""Normalisation statistics of a RingMOSS-style pretraining set, printed as config lines.

    python tools/analysis_tools/pretrain_stats.py data/ringmoss
    python tools/analysis_tools/pretrain_stats.py data/demo_pretrain --max-tiles 200 --out stats.json

DATA_ROOT holds <modality>/<modality>.txt list files (the layout of tools/dataset_converters/
make_pretrain_tiles.py and configs/_base_/datasets/ringmoss_pretrain.py). For each modality, the tiles are
loaded exactly as in training (mmringmoe.LoadRasterImage: SAR-L1 complex bands become real/imaginary
channel pairs) and the per-channel mean and standard deviation over the valid (non-nodata) pixels are
computed: the `model.data_preprocessor` mean/std. For the power-target modalities (--power, default
sar_l1) the mean and std of log(|HH|^2 + |HV|^2 + |VH|^2 + |VV|^2 + eps) (Eq. 5's target, the log option of
mmringmoe.MultiModalMIMHead) are computed too: `model.head.power_norm`. Unreadable or invalid tiles are
skipped and counted. At most --max-tiles tiles per modality are read, evenly spread over the list.
(tools/analysis_tools/compute_band_stats.py does per-band statistics for a single-dataset config; this tool
reads the multi-modal pretraining layout and adds the power-target statistics.)
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.datasets.transforms.loading import InvalidRasterError, LoadRasterImage  # noqa: E402
from mmringmoe.models.backbones.arch_zoo import DEFAULT_MODALITIES  # noqa: E402
from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_text, output_errors,  # noqa: E402
                                       prepare_output_folder)
from mmringmoe.utils.threads import configure_threads  # noqa: E402


def list_tiles(data_root: str, modality: str, max_tiles: int) -> List[str]:
    """Up to ``max_tiles`` tile paths of ``modality``, evenly spread over its list file."""
    list_file = osp.join(data_root, modality, f'{modality}.txt')
    if not osp.isfile(list_file):
        raise FileNotFoundError(f'list file not found: {list_file}')
    with open(list_file, encoding='utf-8') as f:
        lines = [line.strip() for line in f if line.strip() and not line.startswith('#')]
    if not lines:
        raise ValueError(f'no tiles in {list_file}')
    picks = np.unique(np.linspace(0, len(lines) - 1, min(max_tiles, len(lines))).round().astype(int))
    return [osp.join(data_root, modality, lines[i]) for i in picks]


def modality_stats(paths: List[str], channels: int, power: bool, eps: float, progress: bool) -> Dict:
    """Per-channel mean/std (and log-power mean/std) over the valid pixels of ``paths``."""
    load = LoadRasterImage(expected_bands=channels)
    total = np.zeros(channels)
    total_sq = np.zeros(channels)
    log_power = [0.0, 0.0]
    pixels, skipped = 0, 0
    for path in tqdm(paths, unit='tile', disable=not progress, leave=False):
        try:
            results = load(dict(img_path=path))
        except InvalidRasterError as err:
            skipped += 1
            print(f'pretrain_stats: skipped {err}', file=sys.stderr)
            continue
        valid = results['img'][~results['nodata_mask']].astype(np.float64)  # [N, C]
        total += valid.sum(axis=0)
        total_sq += (valid**2).sum(axis=0)
        pixels += valid.shape[0]
        if power:
            value = np.log((valid**2).sum(axis=1) + eps)
            log_power[0] += value.sum()
            log_power[1] += (value**2).sum()
    if pixels == 0:
        raise ValueError(f'no valid pixel in {len(paths)} tiles ({skipped} skipped)')
    mean = total / pixels
    std = np.sqrt(np.maximum(total_sq / pixels - mean**2, 0.0))
    stats = dict(mean=[round(float(v), 4) for v in mean], std=[round(float(v), 4) for v in std],
                 tiles=len(paths) - skipped, skipped=skipped, pixels=pixels)
    if power:
        lp_mean = log_power[0] / pixels
        lp_std = float(np.sqrt(max(log_power[1] / pixels - lp_mean**2, 0.0)))
        stats['power_norm'] = dict(log=True, eps=eps, mean=round(float(lp_mean), 4), std=round(lp_std, 4))
    return stats


def main(argv=None) -> int:
    configure_threads()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data_root', help='folder with <modality>/<modality>.txt list files')
    parser.add_argument('--modalities', nargs='+', default=list(DEFAULT_MODALITIES),
                        help=f'modalities to measure (default: {" ".join(DEFAULT_MODALITIES)})')
    parser.add_argument('--channels', nargs='+', type=int, default=None,
                        help='channels of each modality (default: opt 3, ms 4, sar_l1 8, sar_l2 1)')
    parser.add_argument('--power', nargs='*', default=['sar_l1'],
                        help='modalities with a power target (default: sar_l1)')
    parser.add_argument('--eps', type=float, default=1.0, help='eps of log(power + eps) (default: 1.0)')
    parser.add_argument('--max-tiles', type=int, default=1000, help='tiles read per modality (default: 1000)')
    parser.add_argument('--out', help='also write the statistics to this JSON file')
    args = parser.parse_args(argv)
    if not osp.isdir(args.data_root):
        parser.error(f'data_root is not a folder: {args.data_root}')
    if args.max_tiles <= 0 or args.eps <= 0:
        parser.error('--max-tiles and --eps must be positive')
    if args.channels is None:
        unknown = [m for m in args.modalities if m not in DEFAULT_MODALITIES]
        if unknown:
            parser.error(f'--channels is needed for modalities without a default: {unknown}')
        args.channels = [DEFAULT_MODALITIES[m] for m in args.modalities]
    if len(args.channels) != len(args.modalities):
        parser.error('give one --channels value per modality')
    out_folder = osp.dirname(osp.abspath(args.out)) if args.out else None
    if out_folder:
        try:
            prepare_output_folder(out_folder)  # before the work
        except OutputWriteError as err:
            sys.exit(f'pretrain_stats: {err}')

    results = {}
    for modality, channels in zip(args.modalities, args.channels):
        power = modality in args.power
        if power and channels % 2:
            parser.error(f'{modality} has {channels} channels; a power target needs real/imaginary pairs')
        try:
            paths = list_tiles(args.data_root, modality, args.max_tiles)
            results[modality] = modality_stats(paths, channels, power, args.eps, sys.stderr.isatty())
        except (FileNotFoundError, ValueError) as err:
            sys.exit(f'pretrain_stats: {modality}: {err}')
        print(f'{modality}: {results[modality]["tiles"]} tiles, {results[modality]["skipped"]} skipped',
              file=sys.stderr)

    mean = {m: s['mean'] for m, s in results.items()}
    std = {m: s['std'] for m, s in results.items()}
    print(f'model.data_preprocessor.mean = {mean}')
    print(f'model.data_preprocessor.std = {std}')
    power_norm = {m: s['power_norm'] for m, s in results.items() if 'power_norm' in s}
    if power_norm:
        print(f'model.head.power_norm = {power_norm}')
    if args.out:
        try:
            with output_errors(out_folder):
                atomic_write_text(args.out, json.dumps(results, indent=2))
        except OutputWriteError as err:
            sys.exit(f'pretrain_stats: {err}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
