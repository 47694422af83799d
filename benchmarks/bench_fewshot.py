"""Time a few-shot classification test (600 episodes) against one forward pass over the images it uses.

    python benchmarks/bench_fewshot.py                          # UC Merced's novel classes: 6 x 100 TIFFs
    python benchmarks/bench_fewshot.py --split nwpu-resisc45 --per-class 100 --shot 5
    python benchmarks/bench_fewshot.py --split whu-rs19 --work-dir /tmp/fs   # keep the generated images

The novel (test) classes of ``--split``'s Table A2 split are generated as texture images in the release layout
and size (NWPU-RESISC45 256 px JPEGs, WHU-RS19 600 px JPEGs, UC Merced 256 px TIFFs; ``--per-class`` images
each, by default the release's count), and the split's 5-way ``--shot``-shot config runs its test on the tiny
RingMoE-KC at the configs' 256 px: ``--episodes`` seeded episodes through mmengine's test loop
(``mmringmoe.EpisodicTestLoop``), as ``tools/test.py`` runs it. The reference is one pass over the unique
images of those episodes with the same loading (dataset, pipeline, batch size, workers) and the same frozen
backbone, without episodes, timed before and after the test (their mean is the reference). Times are the CPU
time of this process (with the default ``--workers 0`` all the work is in it), which the other jobs of a
shared machine inflate much less than wall time. Reported: the times, the ratio (the target: at most 1.3), and
the images the test forwarded through the backbone (each unique image once). The model is randomly
initialised: the accuracy means nothing.
"""
import argparse
import os
import os.path as osp
import platform
import sys
import tempfile
import time

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Subset
from tqdm import tqdm

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

import mmringmoe  # noqa: E402,F401
from mmengine.config import Config  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmringmoe.datasets.fewshot import split_classes  # noqa: E402
from mmringmoe.utils.scripts import load_script  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402

# split -> (release folder, image folder in it, file name of the n-th image (from 1), format, side,
# images/class)
RELEASES = {
    'nwpu-resisc45': ('NWPU-RESISC45', '', lambda c, n: f'{c}_{n:03d}.jpg', 'JPEG', 256, 700),
    'whu-rs19': ('WHU-RS19', '', lambda c, n: f'{c.lower()}_{n:02d}.jpg', 'JPEG', 600, 50),
    'ucm': ('UCMerced_LandUse', 'Images', lambda c, n: f'{c}{n - 1:02d}.tif', 'TIFF', 256, 100),
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.strip().splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__)
    parser.add_argument(
        '--split', choices=sorted(RELEASES), default='ucm', help='Table A2 split (default ucm)')
    parser.add_argument('--shot', type=int, choices=(1, 5), default=1, help='shots per class (default 1)')
    parser.add_argument('--episodes', type=int, default=600, help='test episodes (default 600)')
    parser.add_argument('--per-class', type=int, help="images per novel class (default: the release's)")
    parser.add_argument('--batch-size', type=int, default=32, help='images per forward (default 32)')
    parser.add_argument('--workers', type=int, default=0, help='dataloader workers (default 0)')
    parser.add_argument('--work-dir', help='where to generate the images (default: a temporary folder)')
    args = parser.parse_args(argv)
    if args.episodes < 1 or args.batch_size < 1 or args.workers < 0:
        parser.error('--episodes and --batch-size must be >= 1, --workers >= 0')
    if args.per_class is not None and args.per_class < args.shot + 15:
        parser.error(f'--per-class must be at least shot + 15 queries = {args.shot + 15}')
    return args


def generate(root: str, split: str, per_class: int) -> str:
    """The novel classes of ``split`` in its release layout under ``root`` (kept when complete)."""
    folder, images, file_name, fmt, side, _ = RELEASES[split]
    texture = load_script(osp.join(REPO, 'tools/dataset_converters/make_demo_cls_data.py')).texture
    classes = split_classes(split, 'test')
    rng = np.random.default_rng(0)
    jobs = [(label, name, n) for label, name in enumerate(classes) for n in range(1, per_class + 1)]
    for label, name, n in tqdm(jobs, desc='images', unit='image'):
        path = osp.join(root, folder, images, name, file_name(name, n))
        if not osp.isfile(path):
            os.makedirs(osp.dirname(path), exist_ok=True)
            Image.fromarray(texture(label, len(classes), side, rng)).save(path, fmt)
    return osp.join(root, folder)


def build_runner(split: str, shot: int, release: str, args: argparse.Namespace, work_dir: str) -> Runner:
    """The split's config on the tiny RingMoE-KC (last stage 256 x 8 x 8 at 256 px), reading ``release``."""
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'fewshot',
                 f'relationnet_ringmoe_kc_10k_5way-{shot}shot_{split}-256x256.py'))
    cfg.model.backbone.update(arch='tiny', window_size=[8, 8, 8, 4], pretrained_window_sizes=[8, 8, 8, 4])
    cfg.model.relation.update(in_channels=256, feat_size=8)
    cfg.test_cfg.num_episodes = args.episodes
    cfg.test_dataloader.update(batch_size=args.batch_size, num_workers=args.workers)
    cfg.test_dataloader.dataset.data_root = release
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    return Runner.from_cfg(cfg)


def forward_once(runner: Runner, indices) -> float:
    """CPU seconds to load and forward the dataset's ``indices`` once, as the test loop loads them."""
    loader, model = runner.test_loop.dataloader, runner.model
    subset = DataLoader(
        Subset(loader.dataset, indices),
        batch_size=loader.batch_size,
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn)
    model.eval()
    start = time.process_time()
    with torch.no_grad():
        for batch in tqdm(subset, desc='reference pass', unit='batch'):
            model.extract_feat(model.data_preprocessor(batch, False)['inputs'])
    return time.process_time() - start


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    per_class = args.per_class or RELEASES[args.split][-1]
    with tempfile.TemporaryDirectory() as tmp:
        release = generate(args.work_dir or tmp, args.split, per_class)
        runner = build_runner(args.split, args.shot, release, args, osp.join(tmp, 'work'))
        loop = runner.test_loop
        unique = list(dict.fromkeys(i for episode in loop.draw() for i in episode.indices()))
        forwarded = []
        runner.model.backbone.register_forward_hook(
            lambda module, inputs, out: forwarded.append(len(inputs[0])))
        before = forward_once(runner, unique)
        forwarded.clear()
        start = time.process_time()
        metrics = runner.test()
        test = time.process_time() - start
        images = sum(forwarded)
        after = forward_once(runner, unique)
        reference = (before + after) / 2
    print(f'machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads, '
          f'{args.workers} dataloader workers')
    print(
        f'{args.split}: {len(split_classes(args.split, "test"))} novel classes x {per_class} images; '
        f'{int(metrics["fewshot/episodes"])} 5-way {args.shot}-shot episodes with 15 queries use '
        f'{len(unique)} images')
    print(
        f'reference pass over the {len(unique)} images: {reference:.1f} CPU s (mean of {before:.1f} s '
        f'before and {after:.1f} s after the test)')
    print(
        f'test of {args.episodes} episodes: {test:.1f} CPU s (ratio {test / reference:.2f}; target <= 1.3), '
        f'{images} images forwarded')
    return 0


if __name__ == '__main__':
    sys.exit(main())
