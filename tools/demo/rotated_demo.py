"""The oriented detection demo behind ``tools/demo/run_demo.py --task rotated`` (run it through that tool).

1. Generates synthetic 128 px scenes with rotated ships and tennis courts in DIOR-R's release layout
   (``tools/dataset_converters/make_demo_rotated_data.py``: 64 training and 16 test scenes) if
   ``DATA/DIOR-R`` lacks them; ``mmringmoe.DIORRDataset`` reads them as it reads the real release.
2. Trains the demo config (Oriented R-CNN le90 on a tiny RingMoE-KC, from scratch) with mmengine's Runner.
3. Evaluates on the test split with mmrotate's DOTAMetric: the per-class AP50 table (recall, AP) and the
   mAP50; then draws each test image enlarged, the ground truth on the left and the predictions (score at
   least 0.3) on the right, into ``<work-dir>/pictures/<id>.png``, and all of them in one sheet,
   ``<work-dir>/pictures/sheet.png``.
"""
import math
import os
import os.path as osp
import sys
from typing import List

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmrotate.structures.bbox import rbox2qbox

from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_bytes, is_write_failure
from mmringmoe.utils.scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATASET_DIR = 'DIOR-R'
TRAIN_SCENES, TEST_SCENES, SCENE_SIZE = 64, 16, 128
SCORE_THR, ZOOM = 0.3, 3
COLOURS = [(0, 0, 255), (255, 160, 0)]  # BGR per class: ship red, tennis court blue


def make_demo_data(data: str) -> str:
    """The demo scenes under ``DATA/DIOR-R`` (kept when present)."""
    root = osp.join(data, DATASET_DIR)
    if not osp.isfile(osp.join(root, 'ImageSets', 'Main', 'test.txt')):
        load_script(osp.join(ROOT, 'tools/dataset_converters/make_demo_rotated_data.py')).main(
            [root, '--train',
             str(TRAIN_SCENES), '--test',
             str(TEST_SCENES), '--size',
             str(SCENE_SIZE)])
    return root


def draw_boxes(image: np.ndarray, rboxes: torch.Tensor, labels: torch.Tensor, classes: List[str],
               caption: str) -> np.ndarray:
    """``image`` (BGR) enlarged ZOOM times with the rotated boxes ``(cx, cy, w, h, angle)`` outlined."""
    canvas = cv2.resize(image, None, fx=ZOOM, fy=ZOOM, interpolation=cv2.INTER_NEAREST)
    corners = rbox2qbox(rboxes.reshape(-1, 5).float()).reshape(-1, 4, 2).numpy() * ZOOM
    for quad, label in zip(corners, labels.tolist()):
        colour = COLOURS[label % len(COLOURS)]
        cv2.polylines(canvas, [np.round(quad).astype(np.int32)], True, colour, 2)
        x, y = np.round(quad.min(axis=0)).astype(int)
        cv2.putText(canvas, classes[label], (int(x), max(int(y) - 4, 12)), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    colour, 1, cv2.LINE_AA)
    cv2.putText(canvas, caption, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1, cv2.LINE_AA)
    return canvas


def contact_sheet(panels: List[np.ndarray], columns: int = 2, gap: int = 16) -> np.ndarray:
    """Panels at half size, ``columns`` a row, separated by white gaps (an incomplete last row is dropped)."""
    small = [cv2.resize(p, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) for p in panels]
    height, width = small[0].shape[:2]
    rows = max(len(small) // columns, 1)
    sheet = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap, 3), 255, np.uint8)
    for i, panel in enumerate(small[:rows * columns]):
        y, x = (i // columns) * (height + gap), (i % columns) * (width + gap)
        sheet[y:y + height, x:x + width] = panel
    return sheet


def draw_predictions(runner: Runner, out_dir: str) -> List[str]:
    """Predict every test image and write its ground truth | prediction panel; returns the panel paths."""
    model, loader = runner.model, runner.test_dataloader
    classes = list(loader.dataset.metainfo['classes'])
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    panels, paths = [], []
    for batch in loader:
        with torch.no_grad():
            results = model.test_step(batch)
        for result in results:
            image = cv2.imread(result.img_path)
            gt = result.gt_instances
            pred = result.pred_instances[result.pred_instances.scores >= SCORE_THR]
            gt_boxes = gt.bboxes.tensor if hasattr(gt.bboxes, 'tensor') else gt.bboxes
            panel = np.concatenate([
                draw_boxes(image, gt_boxes, gt.labels, classes, 'ground truth'),
                np.full((image.shape[0] * ZOOM, 8, 3), 255, np.uint8),
                draw_boxes(image, pred.bboxes, pred.labels, classes, f'prediction (score >= {SCORE_THR})')
            ],
                                   axis=1)
            path = osp.join(out_dir, f'{result.img_id}.png')
            atomic_write_bytes(path, cv2.imencode('.png', panel)[1].tobytes())
            panels.append(panel)
            paths.append(path)
    atomic_write_bytes(
        osp.join(out_dir, 'sheet.png'),
        cv2.imencode('.png', contact_sheet(panels[:6]))[1].tobytes())
    return paths


def run(config: str, data: str, work_dir: str) -> int:
    """Steps 1-3 of the module docstring; exits with one line when the mAP is not finite or a write fails."""
    print(f'[1/3] demo data in {osp.join(data, DATASET_DIR)}')
    root = make_demo_data(data)
    cfg = Config.fromfile(config)
    for part in cfg.train_dataloader.dataset.datasets:
        part.data_root = root
    for loader in ('val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = root
    cfg.work_dir = work_dir
    cfg.train_cfg.val_begin = cfg.train_cfg.max_iters + 1  # evaluate once, in step 3
    cfg.visualizer.pop('name', None)  # a fresh visualizer per run (see tools/demo/run_demo.py)
    print(
        f'[2/3] training {osp.basename(config)} for {cfg.train_cfg.max_iters} iterations (log in {work_dir})')
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
        print('[3/3] evaluating on the demo test split (per-class AP50 table above the result line)')
        metrics = runner.test()
        pictures = draw_predictions(runner, osp.join(work_dir, 'pictures'))
    except (OutputWriteError, OSError) as err:
        if isinstance(err, OutputWriteError) or is_write_failure(err):
            sys.exit(f'run_demo: cannot write to {work_dir}: {err.strerror}')
        raise
    mean_ap = float(metrics['dota/mAP'])
    print(f'demo result: mAP50 {100 * mean_ap:.2f}')
    print(f'{len(pictures)} test images drawn, ground truth | prediction: {osp.dirname(pictures[0])}')
    if not math.isfinite(mean_ap):
        sys.exit('run_demo: the mAP is not finite')
    return 0
