"""The scene classification demo behind ``tools/demo/run_demo.py --task cls`` (run it through that tool).

1. Generates texture scenes of 6 classes in NWPU-RESISC45's release layout
   (``tools/dataset_converters/make_demo_cls_data.py``, 40 images of 96 x 96 per class) and their 50/50
   split files (``tools/dataset_converters/make_cls_split.py``) if ``DATA/NWPU-RESISC45`` lacks them.
2. Trains the demo config (a tiny RingMoE-KC and a linear head, from scratch) with mmengine's Runner.
3. Evaluates on the test split: the per-class accuracy table, OA, and the confusion matrix drawn by
   ``tools/analysis_tools/cls_confusion_matrix.py``'s plot into ``<work-dir>/confusion_matrix.png``.
"""
import math
import os.path as osp
import sys

from mmengine.runner import Runner

from mmringmoe.utils.atomic_io import OutputWriteError, is_write_failure
from mmringmoe.utils.scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATASET_DIR = 'NWPU-RESISC45'
CLASSES, PER_CLASS, SIZE, TRAIN_RATIO = 6, 40, 96, 0.5


def make_demo_data(data: str) -> str:
    """The demo release and its split files under ``DATA/NWPU-RESISC45`` (kept when present)."""
    root = osp.join(data, DATASET_DIR)
    if not osp.isdir(root):
        load_script(osp.join(ROOT, 'tools/dataset_converters/make_demo_cls_data.py')).main([
            root, '--dataset', 'nwpu', '--classes',
            str(CLASSES), '--per-class',
            str(PER_CLASS), '--size',
            str(SIZE)
        ])
    split = load_script(osp.join(ROOT, 'tools/dataset_converters/make_cls_split.py'))
    if not all(osp.isfile(osp.join(root, name)) for name in split.split_file_names(TRAIN_RATIO)):
        split.main([root, '--train-ratio', str(TRAIN_RATIO)])
    return root


def run(config: str, data: str, work_dir: str) -> int:
    """Steps 1-3 of the module docstring; exits with one line when the OA is not finite or a write fails."""
    print(f'[1/3] demo data in {osp.join(data, DATASET_DIR)}')
    root = make_demo_data(data)
    cfg = load_script(osp.join(ROOT, 'tools/demo/demo_config.py')).load_demo_config(config, root, work_dir)
    cfg.test_evaluator = list(cfg.test_evaluator) + [dict(type='ConfusionMatrix')]
    print(
        f'[2/3] training {osp.basename(config)} for {cfg.train_cfg.max_iters} iterations (log in {work_dir})')
    runner = Runner.from_cfg(cfg)
    confusion = load_script(osp.join(ROOT, 'tools/analysis_tools/cls_confusion_matrix.py'))
    figure = osp.join(work_dir, 'confusion_matrix.png')
    try:
        runner.train()
        print('[3/3] evaluating on the demo test split')
        metrics = runner.test()
        classes = list(runner.test_dataloader.dataset.metainfo['classes'])
        matrix = metrics['confusion_matrix/result']
        confusion.save_figure(matrix, classes, figure, values=True)
    except (OutputWriteError, OSError) as err:
        if isinstance(err, OutputWriteError) or is_write_failure(err):
            sys.exit(f'run_demo: cannot write to {work_dir}: {err.strerror}')
        raise
    print(confusion.per_class_table(matrix, classes))
    oa = float(metrics['accuracy/top1'])
    print(f'demo result: OA {oa:.2f} (chance {100.0 / len(classes):.2f})')
    print(f'confusion matrix: {figure}')
    if not math.isfinite(oa):
        sys.exit('run_demo: the OA is not finite')
    return 0
