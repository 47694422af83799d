"""tools/analysis_tools/fewshot_fold_mean.py: the mean of the folds' mIoUs from their test work dirs."""
import json
import os.path as osp

import pytest
from fewshot_seg_layouts import REPO

from mmringmoe.utils.scripts import load_script

tool = load_script(osp.join(REPO, 'tools', 'analysis_tools', 'fewshot_fold_mean.py'))


def _run(work_dir, timestamp, metrics):
    path = work_dir / timestamp / f'{timestamp}.json'
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({'lr': 0.1}) + '\n' + json.dumps(metrics) + '\n')


def test_prints_each_fold_and_the_mean_of_the_newest_evaluations(tmp_path, capsys):
    runs = []
    for fold, miou in enumerate((40.0, 50.0, 63.0)):
        run = tmp_path / f'fold{fold}'
        _run(run, '20250101_000000', {'fewshot/mIoU': 1.0, 'fewshot/IoU.ship': 1.0})  # an older evaluation
        _run(run, '20250102_000000', {'fewshot/mIoU': miou, 'fewshot/IoU.ship': miou, 'time': 0.1})
        runs.append(str(run))
    assert tool.main(runs) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('fold 0: mIoU 40.00 (ship 40.00)')
    assert out[-1] == 'mean over 3 folds: mIoU 51.00'


def test_a_run_without_few_shot_metrics_is_one_line(tmp_path):
    _run(tmp_path / 'seg', '20250101_000000', {'mIoU': 50.0})
    with pytest.raises(SystemExit, match=r'fewshot_fold_mean.py: no few-shot evaluation \(fewshot/mIoU\) found in'):
        tool.main([str(tmp_path / 'seg')])
