"""The change-detection demo (``tools/demo/run_demo.py --task change``): pairs generated in LEVIR-CD's release
layout, cut by the converter, trained (here 2 iterations), scored with the change-class F1, and each test slice
drawn as date A | date B | change map over date B with a three-colour legend."""
import os
import os.path as osp

import numpy as np
from change_layouts import REPO, load_tool
from PIL import Image

run_demo = load_tool('tools/demo/run_demo.py')
change_demo = load_tool('tools/demo/change_demo.py')


def test_outcomes_are_painted_in_three_colours():
    image = np.full((2, 2, 3), 100, np.uint8)
    truth, pred = np.array([[1, 0], [1, 0]]), np.array([[1, 1], [0, 0]])
    painted = change_demo.outcome_overlay(image, truth, pred, alpha=1.0)
    (_, tp), (_, fp), (_, fn) = change_demo.OUTCOMES
    assert [tuple(painted[0, 0]), tuple(painted[0, 1]), tuple(painted[1, 0])] == [tp, fp, fn]
    assert tuple(painted[1, 1]) == (100, 100, 100)  # agreeing unchanged pixels untouched
    assert len({tp, fp, fn}) == 3


def test_change_demo_prints_f1_and_draws_the_test_slices(tmp_path, capfd):
    config = tmp_path / 'short_demo.py'
    config.write_text(f"_base_ = ['{osp.join(REPO, 'configs/demo/bit_ringmoe-kc-tiny_demo_levir-cd.py')}']\n"
                      'train_cfg = dict(max_iters=2)\n')
    argv = ['--task', 'change', '--config', str(config), '--data', str(tmp_path / 'demo'), '--work-dir',
            str(tmp_path / 'work')]
    assert run_demo.main(argv) == 0
    out, _ = capfd.readouterr()
    line = next(line for line in out.splitlines() if line.startswith('demo result (change class): F1 '))
    assert float(line.split()[5].rstrip(',')) >= 0.0  # finite: nan >= 0 is False
    assert '|  Class  |' in out and 'precision' in out
    pictures = next(line for line in out.splitlines() if 'test slices drawn' in line).split(': ')[-1]
    drawn = sorted(os.listdir(pictures))
    assert len(drawn) == 16 and drawn[0] == 'test_1_0_0.png'  # 4 test scenes x 4 slices of 64 px
    picture = np.asarray(Image.open(osp.join(pictures, drawn[0])))
    assert picture.shape[1] == 3 * 256 + 4 * 8 and picture.shape[0] > 256  # three panels and the legend
    assert osp.isfile(osp.join(tmp_path, 'demo', 'LEVIR-CD_release', 'test', 'label', 'test_1.png'))


def test_change_demo_has_its_own_work_dir():
    assert run_demo.parse_args(['--task', 'change']).work_dir == 'work_dirs/demo_change'
