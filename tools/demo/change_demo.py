"""The change-detection demo behind ``tools/demo/run_demo.py --task change`` (run it through that tool).

1. Generates synthetic bitemporal scenes in LEVIR-CD's release layout
   (``tools/dataset_converters/make_demo_change_data.py``: buildings built and demolished on a textured
   ground, with illumination, colour-balance and seasonal field changes as distractors; 24 training, 2
   validation and 4 test scenes of 128 px) and cuts them into 64 px slices with labels 0 / 1 with the
   converter users run on the release (``tools/dataset_converters/change_detection.py``), if
   ``DATA/LEVIR-CD`` lacks them.
2. Trains the demo config (BIT on a tiny Siamese RingMoE-KC, from scratch) with mmengine's Runner.
3. Evaluates on the test slices with ``mmringmoe.ChangeMetric`` (F1, precision, recall, IoU of the change
   class, OA) and draws each test slice as date A, date B, and the change map over date B, true positives,
   false positives and misses in three colours with a legend, into ``<work-dir>/<timestamp>/vis/``.
"""
import math
import os.path as osp
import sys
from typing import Tuple

import numpy as np
import torch
from mmengine.runner import Runner
from PIL import Image, ImageDraw, ImageFont

from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_image, is_write_failure, prepare_output_folder
from mmringmoe.utils.scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATASET_DIR, RELEASE_DIR = 'LEVIR-CD', 'LEVIR-CD_release'
TRAIN, VAL, TEST, SCENE, SLICE = 24, 2, 4, 128, 64
PANEL = 256  # drawn size of a slice
# outcome colours over date B: detected change, false alarm, missed change
OUTCOMES = (('true positive (changed, found)', (255, 215, 0)), ('false positive (false alarm)', (235, 40, 235)),
            ('false negative (missed)', (0, 210, 255)))


def make_demo_data(data: str) -> str:
    """The demo release under ``DATA/LEVIR-CD_release`` and its 64 px slices under ``DATA/LEVIR-CD`` (both
    kept when present)."""
    release, root = osp.join(data, RELEASE_DIR), osp.join(data, DATASET_DIR)
    converters = osp.join(ROOT, 'tools', 'dataset_converters')
    if not osp.isdir(osp.join(release, 'test', 'label')):
        load_script(osp.join(converters, 'make_demo_change_data.py')).main([
            release, '--train', str(TRAIN), '--val', str(VAL), '--test', str(TEST), '--size', str(SCENE)])
    if not osp.isdir(osp.join(root, 'test', 'label')):
        load_script(osp.join(converters, 'change_detection.py')).main(
            ['--dataset', 'levir-cd', release, '-o', root, '--patch', str(SLICE)])
    return root


def outcome_overlay(image: np.ndarray, truth: np.ndarray, pred: np.ndarray, alpha: float = 0.6) -> np.ndarray:
    """``image`` (H x W x 3 uint8) with true positives, false positives and misses painted in
    :data:`OUTCOMES`' colours (the agreeing unchanged pixels left as they are)."""
    out = image.astype(np.float32)
    masks = ((truth == 1) & (pred == 1), (truth == 0) & (pred == 1), (truth == 1) & (pred == 0))
    for mask, (_, colour) in zip(masks, OUTCOMES):
        out[mask] = (1 - alpha) * out[mask] + alpha * np.asarray(colour, np.float32)
    return out.round().astype(np.uint8)


def draw_change_panels(first: np.ndarray, second: np.ndarray, truth: np.ndarray, pred: np.ndarray,
                       caption: str) -> Image.Image:
    """Date A, date B and the change map over date B side by side, enlarged to :data:`PANEL` px, captioned,
    with the outcome legend below."""
    panels = [('date A', first), ('date B', second), (caption, outcome_overlay(second, truth, pred))]
    pad, top, legend = 8, 24, 22 * len(OUTCOMES) + 8
    canvas = Image.new('RGB', (len(panels) * (PANEL + pad) + pad, top + PANEL + pad + legend), 'white')
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    for i, (text, array) in enumerate(panels):
        left = pad + i * (PANEL + pad)
        canvas.paste(Image.fromarray(array).resize((PANEL, PANEL), Image.NEAREST), (left, top))
        draw.text((left + PANEL // 2, top // 2), text, fill='black', font=font, anchor='mm')
    for i, (name, colour) in enumerate(OUTCOMES):
        y = top + PANEL + pad + 22 * i
        draw.rectangle([pad, y, pad + 16, y + 16], fill=colour, outline='black')
        draw.text((pad + 24, y + 8), name, fill='black', font=font, anchor='lm')
    return canvas


def draw_test_slices(runner: Runner, out_dir: str) -> Tuple[int, float]:
    """Draw every test slice into ``out_dir``; returns (slices drawn, their F1 in percent recomputed from
    the drawn masks, as a check of the pictures against the metric)."""
    prepare_output_folder(out_dir)
    model = runner.model.eval()
    counts = np.zeros(3)
    drawn = 0
    with torch.no_grad():
        for batch in runner.test_dataloader:
            for inputs, sample in zip(batch['inputs'], model.test_step(batch)):
                stacked = inputs.permute(1, 2, 0).numpy().astype(np.uint8)  # raw R, G, B of A then of B
                truth = sample.gt_sem_seg.data[0].numpy()
                pred = sample.pred_sem_seg.data[0].numpy()
                counts += [((truth == 1) & (pred == 1)).sum(), ((truth == 0) & (pred == 1)).sum(),
                           ((truth == 1) & (pred == 0)).sum()]
                name = osp.splitext(osp.basename(sample.img_path))[0]
                picture = draw_change_panels(stacked[..., :3], stacked[..., 3:], truth, pred,
                                             'change map over date B')
                atomic_write_image(osp.join(out_dir, f'{name}.png'), picture, 'PNG')
                drawn += 1
    tp, fp, fn = counts
    return drawn, 100 * 2 * tp / max(2 * tp + fp + fn, 1)


def run(config: str, data: str, work_dir: str) -> int:
    """Steps 1-3 of the module docstring; exits with one line when the F1 is not finite or a write fails."""
    print(f'[1/3] demo data in {osp.join(data, DATASET_DIR)}')
    root = make_demo_data(data)
    cfg = load_script(osp.join(ROOT, 'tools/demo/demo_config.py')).load_demo_config(config, root, work_dir)
    cfg.default_hooks.pop('visualization', None)  # the change maps are drawn in step 3
    cfg.visualizer.pop('name', None)  # a fresh visualizer per run (mmengine reuses one by name)
    print(f'[2/3] training {osp.basename(config)} for {cfg.train_cfg.max_iters} iterations (log in {work_dir})')
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
        print('[3/3] evaluating on the demo test slices')
        metrics = runner.test()
        vis_dir = osp.join(runner.log_dir, 'vis')
        drawn, drawn_f1 = draw_test_slices(runner, vis_dir)
    except OutputWriteError as err:
        sys.exit(f'run_demo: {err}')
    except OSError as err:  # a checkpoint or log: mmengine's writers raise plain OSErrors
        if not is_write_failure(err):
            raise
        sys.exit(f'run_demo: cannot write to {work_dir}: {err.strerror}')
    f1 = float(metrics['F1'])
    summary = ', '.join(f'{key} {float(metrics[key]):.2f}' for key in ('F1', 'precision', 'recall', 'IoU', 'OA'))
    print(f'demo result (change class): {summary}')
    print(f'{drawn} test slices drawn (date A, date B, change map over date B; F1 of the drawn maps '
          f'{drawn_f1:.2f}): {vis_dir}')
    if not math.isfinite(f1):
        sys.exit('run_demo: the F1 is not finite')
    return 0
