"""Time a few-shot segmentation test (1-shot episodes) against one pass over the images it uses.

    python benchmarks/bench_fewshot_seg.py                      # 600 episodes over 200 LoveDA-layout images
    python benchmarks/bench_fewshot_seg.py --episodes 1000 --size 128

The LoveDA fold-0 config (``configs/fewshot/proto-seg_ringmoe_kc_60e_loveda-fold0-384x384.py``) on the tiny
RingMoE-KC, its inputs resized to ``--size``, evaluates ``--episodes`` test episodes drawn from generated
images in the release layout (in a temporary folder), through the config's test loop
(``mmringmoe.EpisodicSegTestLoop``) as ``tools/test.py`` runs it. The reference is one pass over the unique
images of those episodes with the same loading (the episode pipeline's per-image transforms, batch size,
workers) and the same normalisation and frozen backbone, without episodes, timed before and after the test
(their mean is the reference). Times are the CPU time of this process (with the config's shrunk
``num_workers=0`` all the work is in it), which the other jobs of a shared machine inflate much less than wall
time. Reported: the times, the ratio (the target of issue 16: at most 1.3), and the images the test forwarded
through the backbone (each unique image once). The model is randomly initialised: the mIoU means nothing.
"""
import argparse
import os.path as osp
import platform
import sys
import tempfile
import time

import torch
from tqdm import tqdm

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tests', 'test_fewshot'))  # the generated layouts of the tests

import mmringmoe  # noqa: E402,F401
from fewshot_seg_layouts import make_loveda, shrink  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmringmoe.utils.threads import configure_threads  # noqa: E402

CONFIG = osp.join(REPO, 'configs', 'fewshot', 'proto-seg_ringmoe_kc_60e_loveda-fold0-384x384.py')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('--episodes', type=int, default=600, help='test episodes (default 600)')
    parser.add_argument('--images', type=int, default=200, help='generated Val images (default 200)')
    parser.add_argument('--size', type=int, default=256, help='input size of the episodes (default 256)')
    parser.add_argument('--batch', type=int, default=16, help='episodes and images per batch (default 16)')
    args = parser.parse_args(argv)
    if min(args.episodes, args.images, args.size, args.batch) < 1:
        parser.error('--episodes, --images, --size and --batch must be >= 1')
    return args


def reference_pass(runner: Runner, indices) -> float:
    """CPU seconds to load, normalise and forward the source images ``indices`` once, as the test loop does."""
    loop, model = runner.test_loop, runner.model.eval()
    loader = torch.utils.data.DataLoader(
        loop.image_dataset(indices),
        batch_size=loop.dataloader.batch_size,
        num_workers=loop.dataloader.num_workers,
        collate_fn=loop.collate)
    start = time.process_time()
    with torch.no_grad():
        for batch in tqdm(loader, desc='reference pass', unit='batch'):
            model.backbone_features(model.image_inputs([item['img'] for item in batch]))
    return time.process_time() - start


def main(argv=None) -> int:
    args = parse_args(argv)
    configure_threads()
    with tempfile.TemporaryDirectory() as tmp:
        root = make_loveda(osp.join(tmp, 'LoveDA'), images_per_scene=max(1, args.images // 2))
        cfg = shrink(Config.fromfile(CONFIG), root, osp.join(tmp, 'work'), test_episodes=args.episodes)
        cfg.model.backbone.update(img_size=args.size, window_size=[8, 8, 8, 8])
        cfg.model.data_preprocessor.size = (args.size, args.size)
        cfg.test_dataloader.dataset.pipeline[0].transforms[-1].scale = (args.size, args.size)
        cfg.test_dataloader.batch_size = args.batch
        cfg.log_level = 'WARNING'
        runner = Runner.from_cfg(cfg)
        loop = runner.test_loop
        unique = list(dict.fromkeys(i for episode in loop.draw() for i in loop.episode_images(episode)))
        forwarded = []
        runner.model.backbone.register_forward_hook(lambda module, inputs, out: forwarded.append(len(inputs[0])))
        before = reference_pass(runner, unique)
        forwarded.clear()
        start = time.process_time()
        metrics = runner.test()
        test = time.process_time() - start
        images = sum(forwarded)
        after = reference_pass(runner, unique)
        reference = (before + after) / 2
    print(f'machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads')
    print(f'{args.episodes} episodes over {len(unique)} images, {args.size} px (fold-0 mIoU '
          f'{metrics["fewshot/mIoU"]:.2f}, random weights)')
    print(f'reference pass over the {len(unique)} images: {reference:.2f} CPU s (mean of {before:.2f} s before '
          f'and {after:.2f} s after the test)')
    print(f'test: {test:.2f} CPU s (ratio {test / reference:.2f}; target <= 1.3), {images} images forwarded')
    return 0


if __name__ == '__main__':
    sys.exit(main())
