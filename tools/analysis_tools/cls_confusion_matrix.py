"""Confusion matrix, overall accuracy and per-class accuracy of a scene classification test run.

    python tools/test.py configs/cls/CONFIG.py CKPT --out work_dirs/preds.pkl
    python tools/analysis_tools/cls_confusion_matrix.py work_dirs/preds.pkl configs/cls/CONFIG.py \
        --out work_dirs/confusion.png

Reads the predictions that ``tools/test.py --out`` dumps (one dict per test image with ``gt_label`` and
``pred_label``), counts them with mmpretrain's ``ConfusionMatrix``, prints OA (the paper's metric, App.
B.5.1) and a table of each class's accuracy (its recall: correct / images of the class) named by the
config's test dataset, and draws the matrix in percent of each true class (rows sum to 100) with
mmpretrain's plot into ``--out`` (PNG, PDF or SVG; written to a temporary name and renamed). A file that is
not such a dump, a label outside the config's classes or a failed write stops the tool with one line.
"""
import argparse
import os.path as osp
import sys
from typing import List, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import mmringmoe  # noqa: E402,F401  (import shims, registries)
import mmengine  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmpretrain.evaluation import ConfusionMatrix  # noqa: E402

from mmringmoe.registry import DATASETS  # noqa: E402
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_output, prepare_output_folder  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402

TOOL = 'cls_confusion_matrix.py'
FIGURE_FORMATS = ('.png', '.pdf', '.svg')


def class_names(cfg: Config) -> Tuple[str, ...]:
    """The classes of the config's test dataset (its ``metainfo`` override, else its class's ``METAINFO``)."""
    dataset = cfg.test_dataloader.dataset
    classes = (dataset.get('metainfo') or {}).get('classes')
    if classes is None:
        classes = DATASETS.get(dataset.type).METAINFO['classes']
    return tuple(classes)


def read_labels(path: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(predicted, true)`` labels of a ``tools/test.py --out`` dump; ``ValueError`` if it is none."""
    try:
        results = mmengine.load(path, file_format='pkl')
    except Exception as err:  # pickle raises many kinds
        raise ValueError(f'{path} cannot be read as a pickle ({type(err).__name__})') from None
    if not isinstance(results, list) or not results or not all(
            isinstance(r, dict) and 'pred_label' in r and 'gt_label' in r for r in results):
        raise ValueError(f'{path} is not a classification dump of tools/test.py --out '
                         '(a list of dicts with pred_label and gt_label)')
    predicted = torch.cat([torch.as_tensor(r['pred_label']).reshape(-1) for r in results])
    true = torch.cat([torch.as_tensor(r['gt_label']).reshape(-1) for r in results])
    return predicted, true


def per_class_table(matrix: torch.Tensor, classes: List[str]) -> str:
    """One line per class: name, images, accuracy (%)."""
    width = max(len(name) for name in classes + ['class'])
    lines = [f'{"class":<{width}}  images  accuracy']
    for name, row, correct in zip(classes, matrix, matrix.diagonal()):
        total = int(row.sum())
        accuracy = f'{100.0 * int(correct) / total:8.2f}' if total else '       -'
        lines.append(f'{name:<{width}}  {total:6d}  {accuracy}')
    return '\n'.join(lines)


def save_figure(matrix: torch.Tensor, classes: List[str], out: str, values: bool = False) -> None:
    """Draw ``matrix`` in percent of each true class (mmpretrain's plot) into ``out``, atomically; its folder
    is created. A failed write raises ``OutputWriteError``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    percent = (100.0 * matrix.float() / matrix.sum(dim=1, keepdim=True).clamp(min=1)).round().int()
    figure = ConfusionMatrix.plot(percent, include_values=values, classes=classes, show=False)
    try:
        prepare_output_folder(osp.dirname(osp.abspath(out)))
        with atomic_output(out) as tmp:
            figure.savefig(tmp, bbox_inches='tight', dpi=150)
    finally:
        plt.close(figure)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('predictions', help='the .pkl of tools/test.py --out')
    parser.add_argument('config', help='the config the predictions were made with (class names)')
    parser.add_argument('--out', required=True, help='figure to write (.png, .pdf or .svg)')
    parser.add_argument('--values', action='store_true', help='print the percentages into the cells')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    if not args.out.lower().endswith(FIGURE_FORMATS):
        sys.exit(f'{TOOL}: --out must end with one of {", ".join(FIGURE_FORMATS)}, got {args.out}')
    for path, what in ((args.predictions, 'predictions'), (args.config, 'config')):
        if not osp.isfile(path):
            sys.exit(f'{TOOL}: {what} not found: {path}')
    try:
        classes = list(class_names(Config.fromfile(args.config)))
        predicted, true = read_labels(args.predictions)
    except (ValueError, KeyError, AttributeError) as err:
        sys.exit(f'{TOOL}: {err}')
    labels = torch.cat([predicted, true])
    if labels.min() < 0 or labels.max() >= len(classes):
        sys.exit(
            f'{TOOL}: {args.predictions} has label {int(labels.max())} (or a negative one), the config has '
            f'{len(classes)} classes')
    matrix = ConfusionMatrix.calculate(predicted, true, num_classes=len(classes))
    print(per_class_table(matrix, classes))
    print(f'OA: {100.0 * float(matrix.diagonal().sum()) / len(true):.2f} ({len(true)} images)')

    try:
        save_figure(matrix, classes, args.out, args.values)
    except OutputWriteError as err:
        sys.exit(f'{TOOL}: {err}')
    print(f'confusion matrix: {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
