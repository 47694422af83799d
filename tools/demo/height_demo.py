"""The height estimation demo behind ``tools/demo/run_demo.py --task height`` (run it through that tool).

1. Generates scenes with buildings (6 m and 15 m) and trees (8-11 m) in ISPRS Vaihingen's release layout
   (``tools/dataset_converters/make_demo_height_data.py``: 12 training and 2 test areas of 256 px) if
   ``DATA/vaihingen_release`` lacks them, and cuts them into 128 px crops with the converter users run on
   the real release (``tools/dataset_converters/isprs_height.py vaihingen``, the nDSM in decimetres:
   ``--height-scale 0.1``) into ``DATA/vaihingen_height``.
2. Trains the demo config (BinsFormer on a tiny RingMoE-KC, from scratch) with mmengine's Runner.
3. Evaluates on the test crops with ``mmringmoe.HeightMetric`` (Rel and delta1-3 over pixels at least 1 m
   high, RMSE and MAE in metres over all pixels) and draws each test crop as image | true height |
   predicted height with one colour bar (``<work-dir>/<timestamp>/vis_data/vis_image/``).
"""
import math
import os.path as osp
import sys

from mmengine.runner import Runner

from mmringmoe.utils.atomic_io import is_write_failure
from mmringmoe.utils.scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RELEASE_DIR, DATASET_DIR = 'vaihingen_release', 'vaihingen_height'
TRAIN, TEST, SIZE, CROP = 12, 2, 256, 128
METRICS = ('Rel', 'delta1', 'delta2', 'delta3', 'RMSE', 'MAE')


def make_demo_data(data: str) -> str:
    """The converted demo crops under ``DATA/vaihingen_height`` (generated and converted when missing)."""
    release, root = osp.join(data, RELEASE_DIR), osp.join(data, DATASET_DIR)
    converters = osp.join(ROOT, 'tools', 'dataset_converters')
    if not osp.isdir(osp.join(release, 'ndsm')):
        load_script(osp.join(converters, 'make_demo_height_data.py')).main(
            [release, '--train', str(TRAIN), '--test', str(TEST), '--size', str(SIZE)])
    if not osp.isdir(osp.join(root, 'height_dir', 'val')):
        crops = ['--crop', str(CROP), '--stride', str(CROP)]
        load_script(osp.join(converters, 'isprs_height.py')).main(
            ['vaihingen', release, '-o', root, '--height-scale', '0.1'] + crops)
    return root


def run(config: str, data: str, work_dir: str) -> int:
    """Steps 1-3 of the module docstring; exits with one line when a metric is not finite or a write fails."""
    print(f'[1/3] demo data in {osp.join(data, DATASET_DIR)}')
    root = make_demo_data(data)
    cfg = load_script(osp.join(ROOT, 'tools/demo/demo_config.py')).load_demo_config(config, root, work_dir)
    cfg.default_hooks.visualization.update(draw=True, interval=1)
    cfg.visualizer.pop('name', None)  # a fresh visualizer per run (mmengine reuses one by name)
    print(
        f'[2/3] training {osp.basename(config)} for {cfg.train_cfg.max_iters} iterations (log in {work_dir})')
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
        print('[3/3] evaluating on the demo test crops')
        metrics = runner.test()
    except OSError as err:  # a checkpoint, log or picture: mmengine's writers raise plain OSErrors
        if not is_write_failure(err):
            raise
        sys.exit(f'run_demo: cannot write to {work_dir}: {err.strerror}')
    values = {key: float(metrics[f'height/{key}']) for key in METRICS}
    print('demo result: ' + ', '.join(f'{key} {value:.3f}' + (' m' if key in ('RMSE', 'MAE') else '')
                                      for key, value in values.items()))
    pictures = osp.join(runner.log_dir, 'vis_data', 'vis_image')
    print(f'test crops drawn as image | true height | predicted height: {pictures}')
    if not all(math.isfinite(value) for value in values.values()):
        sys.exit('run_demo: a height metric is not finite')
    return 0
