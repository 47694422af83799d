"""The horizontal detection demo behind ``tools/demo/run_demo.py --task det`` (run it through that tool).

1. Generates synthetic scenes in DIOR's release layout (``tools/dataset_converters/make_demo_det_data.py``:
   storage tanks and tennis courts, 64 training and 12 test scenes of 128 px) if ``DATA/DIOR`` lacks them.
2. Trains the demo config (Faster R-CNN + FPN on a tiny RingMoE-KC, from scratch, read by
   ``mmringmoe.DIORDataset`` as the real release is) with mmengine's Runner.
3. Evaluates on the test split with mmdet's VOCMetric: the per-class AP table and mAP50, and draws each test
   image with its ground truth (left) next to the predicted boxes (right) into
   ``<work-dir>/<timestamp>/vis/`` (mmdet's ``DetVisualizationHook``, boxes scoring at least 0.5).
"""
import math
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.runner import Runner

from mmringmoe.utils.atomic_io import is_write_failure
from mmringmoe.utils.scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATASET_DIR = 'DIOR'
TRAIN, TEST, SIZE = 64, 12, 128


def make_demo_data(data: str) -> str:
    """The demo scenes in DIOR's layout under ``DATA/DIOR`` (kept when present)."""
    root = osp.join(data, DATASET_DIR)
    if not osp.isfile(osp.join(root, 'ImageSets', 'Main', 'test.txt')):
        load_script(osp.join(ROOT, 'tools/dataset_converters/make_demo_det_data.py')).main(
            [root, '--train', str(TRAIN), '--test', str(TEST), '--size', str(SIZE)])
    return root


def run(config: str, data: str, work_dir: str) -> int:
    """Steps 1-3 of the module docstring; exits with one line when the mAP50 is not finite or a write
    fails."""
    print(f'[1/3] demo data in {osp.join(data, DATASET_DIR)}')
    root = make_demo_data(data)
    cfg = Config.fromfile(config)
    test_sets = [cfg.val_dataloader.dataset, cfg.test_dataloader.dataset]
    for dataset in cfg.train_dataloader.dataset.datasets + test_sets:
        dataset.data_root = root
    cfg.work_dir = work_dir
    cfg.train_cfg.val_begin = cfg.train_cfg.max_iters + 1  # evaluate once, in step 3
    cfg.default_hooks.visualization.test_out_dir = 'vis'
    cfg.visualizer.pop('name', None)  # a fresh visualizer per run (mmengine reuses one by name)
    print(f'[2/3] training {osp.basename(config)} for {cfg.train_cfg.max_iters} iterations '
          f'(log in {work_dir})')
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
        print('[3/3] evaluating on the demo test split (per-class AP table above the summary)')
        metrics = runner.test()
    except OSError as err:  # a checkpoint, log or picture: mmengine's writers raise plain OSErrors
        if not is_write_failure(err):
            raise
        sys.exit(f'run_demo: cannot write to {work_dir}: {err.strerror}')
    map50 = float(metrics['pascal_voc/mAP'])
    print(f'demo result: mAP50 {100 * map50:.2f}')
    print(f'test images, ground truth (left) and prediction (right): {osp.join(runner.log_dir, "vis")}')
    if not math.isfinite(map50):
        sys.exit('run_demo: the mAP50 is not finite')
    return 0
