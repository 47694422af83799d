"""The oriented detection demo (tools/demo/run_demo.py --task rotated): generated scenes in DIOR-R's release
layout, read by mmringmoe.DIORRDataset, training (here 2 iterations), the per-class AP50 table, the mAP50 and
the ground truth | prediction pictures."""
import os
import os.path as osp
import sys

import cv2
import pytest
from fs_limits import read_only
from rotated_layouts import REPO, load_tool

run_demo = load_tool('tools/demo/run_demo.py')
CONFIG = osp.join(REPO, 'configs', 'demo', 'oriented-rcnn-le90_ringmoe-kc-tiny_demo_dior-r.py')


def test_demo_prints_the_ap_table_and_draws_the_test_images(tmp_path, capfd):
    short = tmp_path / 'short_demo.py'
    short.write_text(f"_base_ = ['{CONFIG}']\ntrain_cfg = dict(max_iters=2)\n")
    data, work = str(tmp_path / 'demo'), str(tmp_path / 'work')
    assert run_demo.main(['--task', 'rotated', '--config',
                          str(short), '--data', data, '--work-dir', work]) == 0
    out = capfd.readouterr().out
    root = osp.join(data, 'DIOR-R')
    assert sorted(os.listdir(root)) == ['Annotations', 'ImageSets', 'JPEGImages-test', 'JPEGImages-trainval']
    assert len(os.listdir(osp.join(root, 'JPEGImages-trainval'))) == 64
    assert len(os.listdir(osp.join(root, 'JPEGImages-test'))) == 16
    # mmrotate's per-class table: class, ground truths, detections, recall, AP
    assert '| class       | gts | dets | recall | ap    |' in out
    assert any(line.startswith('| ship ') for line in out.splitlines())
    assert any(line.startswith('| tenniscourt ') for line in out.splitlines())
    result = next(line for line in out.splitlines() if line.startswith('demo result: mAP50 '))
    assert 0 <= float(result.split()[-1]) <= 100  # finite: nan fails
    pictures = osp.join(work, 'pictures')
    assert f'16 test images drawn, ground truth | prediction: {pictures}' in out
    drawn = sorted(os.listdir(pictures))
    assert len(drawn) == 17 and drawn[-1] == 'sheet.png'
    panel = cv2.imread(osp.join(pictures, drawn[0]))
    assert panel.shape == (3 * 128, 2 * 3 * 128 + 8, 3)  # enlarged 3x, side by side, a white gap between
    assert (panel[:, 3 * 128:3 * 128 + 8] == 255).all()
    assert panel[:, :3 * 128].std() > 0 and panel[:, 3 * 128 + 8:].std() > 0


def test_demo_task_arguments():
    args = run_demo.parse_args(['--task', 'rotated'])
    assert args.work_dir == 'work_dirs/demo_rotated' and args.config == CONFIG
    with pytest.raises(SystemExit):
        run_demo.parse_args(['--task', 'rotated', '--fusion'])


def test_demo_data_tool_on_a_read_only_folder_is_one_line(tmp_path):
    with read_only(tmp_path / 'readonly') as limit:
        out = limit.folder / 'DIOR-R'
        result = limit.run([
            sys.executable,
            osp.join(REPO, 'tools', 'dataset_converters', 'make_demo_rotated_data.py'),
            str(out), '--train', '2', '--test', '1'
        ])
        assert result.returncode != 0 and 'Traceback' not in result.stderr, result.stderr
        assert result.stderr.splitlines()[-1].startswith('make_demo_rotated_data.py: cannot write to ')
        assert limit.strerror in result.stderr and os.listdir(limit.folder) == []
