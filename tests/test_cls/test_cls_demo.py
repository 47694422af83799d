"""The classification demo (tools/demo/run_demo.py --task cls): generated NWPU-RESISC45-layout textures, the
split tool, training, the per-class table, OA and the confusion matrix picture (here 10 iterations)."""
import os
import os.path as osp

import pytest
from cls_layouts import REPO, load_tool

run_demo = load_tool('tools/demo/run_demo.py')
CONFIG = osp.join(REPO, 'configs', 'demo', 'linear_ringmoe_kc-tiny_demo_nwpu-resisc45.py')


def test_demo_prints_the_per_class_table_and_oa(tmp_path, capsys):
    short = tmp_path / 'short_demo.py'
    short.write_text(f"_base_ = ['{CONFIG}']\ntrain_cfg = dict(max_iters=10)\n")
    data, work = str(tmp_path / 'demo'), str(tmp_path / 'work')
    assert run_demo.main(['--task', 'cls', '--config', str(short), '--data', data, '--work-dir', work]) == 0
    out = capsys.readouterr().out.splitlines()
    root = osp.join(data, 'NWPU-RESISC45')
    assert sorted(os.listdir(root)) == [
        'airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach', 'bridge', 'test_50pct.txt',
        'train_50pct.txt'
    ]
    assert len(os.listdir(osp.join(root, 'airplane'))) == 40
    header = out.index('class             images  accuracy')
    rows = [line.split() for line in out[header + 1:header + 7]]
    assert [row[0] for row in rows
            ] == ['airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach', 'bridge']
    assert all(row[1] == '20' and 0 <= float(row[2]) <= 100 for row in rows)
    result = out[header + 7].split()
    assert result[:3] == ['demo', 'result:', 'OA'] and 0 <= float(result[3]) <= 100
    assert float(result[3]) == pytest.approx(sum(float(row[2]) for row in rows) / 6, abs=0.01)  # 20 each
    assert out[header + 8] == f'confusion matrix: {osp.join(work, "confusion_matrix.png")}'
    with open(osp.join(work, 'confusion_matrix.png'), 'rb') as f:
        assert f.read(4) == b'\x89PNG'


def test_demo_task_arguments():
    assert run_demo.parse_args(['--task', 'cls']).work_dir == 'work_dirs/demo_cls'
    assert run_demo.parse_args(['--task', 'cls']).config.endswith(CONFIG[len(REPO):])
    with pytest.raises(SystemExit):
        run_demo.parse_args(['--task', 'cls', '--fusion'])
