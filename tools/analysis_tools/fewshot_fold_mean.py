"""The paper's few-shot segmentation number: the mean of the three folds' mIoUs (App. B.5.8 (3)).

    python tools/analysis_tools/fewshot_fold_mean.py work_dirs/fold0 work_dirs/fold1 work_dirs/fold2

Each argument is the work dir of one fold's ``tools/test.py`` run (or the metrics file itself): mmengine
writes the evaluation's metrics as the last line of ``<work dir>/<timestamp>/<timestamp>.json``; the newest
such file holding ``fewshot/mIoU`` (``mmringmoe.FewShotSegMetric``) is read. Prints each fold's mIoU and class
IoUs, then "Final mIoU values are averaged across all folds". A work dir without such a file stops the tool
with one line naming it.
"""
import argparse
import glob
import json
import os.path as osp
import sys
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

from mmringmoe.evaluation.metrics.fewshot_seg_metric import mean_over_folds  # noqa: E402

TOOL = 'fewshot_fold_mean.py'
KEY = 'fewshot/mIoU'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument('runs', nargs='+', help='the test work dir (or metrics .json) of each fold, fold 0 first')
    return parser.parse_args(argv)


def fold_metrics(run: str) -> Dict[str, float]:
    """The few-shot metrics of the newest evaluation under ``run`` (a work dir) or in ``run`` (a .json)."""
    candidates = [run] if osp.isfile(run) else sorted(glob.glob(osp.join(run, '*', '*.json')), reverse=True)
    for path in candidates:
        with open(path, encoding='utf-8') as f:
            lines = [line for line in f.read().splitlines() if line.strip()]
        try:
            metrics = json.loads(lines[-1]) if lines else {}
        except json.JSONDecodeError:
            continue
        if KEY in metrics:
            return {k: v for k, v in metrics.items() if k.startswith('fewshot/')}
    raise ValueError(f'no few-shot evaluation ({KEY}) found in {run}')


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        folds: List[Dict[str, float]] = [fold_metrics(run) for run in args.runs]
    except (OSError, ValueError) as err:
        sys.exit(f'{TOOL}: {err}')
    for fold, (run, metrics) in enumerate(zip(args.runs, folds)):
        classes = ', '.join(f'{k[len("fewshot/IoU."):]} {v:.2f}' for k, v in metrics.items() if k != KEY)
        print(f'fold {fold}: mIoU {metrics[KEY]:.2f} ({classes})  [{run}]')
    print(f'mean over {len(folds)} folds: mIoU {mean_over_folds(dict(enumerate(m[KEY] for m in folds))):.2f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
