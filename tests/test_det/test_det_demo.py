"""The horizontal detection demo (``tools/demo/run_demo.py --task det``): scenes generated in DIOR's release
layout, read by ``mmringmoe.DIORDataset``, trained (here 2 iterations) and evaluated, with the per-class AP
table printed and each test image drawn with its ground truth next to the prediction."""
import os
import os.path as osp

import numpy as np
from det_layouts import REPO, load_tool
from PIL import Image

from mmringmoe.datasets import DIORDataset

run_demo = load_tool('tools/demo/run_demo.py')
make_demo_det_data = load_tool('tools/dataset_converters/make_demo_det_data.py')


def test_demo_scenes_are_read_by_the_dior_reader(tmp_path):
    root = str(tmp_path / 'DIOR')
    assert make_demo_det_data.main([root, '--train', '4', '--test', '2', '--size', '96']) == 0
    dataset = DIORDataset(data_root=root, ann_file='ImageSets/Main/test.txt', img_subdir='JPEGImages-test',
                          data_prefix=dict(sub_data_root=''), pipeline=[], serialize_data=False)
    assert [i['img_id'] for i in dataset.data_list] == ['00005', '00006']
    classes = dataset.metainfo['classes']
    for info in dataset.data_list:
        image = np.asarray(Image.open(info['img_path']))
        assert image.shape == (96, 96, 3) and info['instances']
        for instance in info['instances']:
            assert classes[instance['bbox_label']] in make_demo_det_data.DEMO_CLASSES
            x1, y1, x2, y2 = (int(v) for v in instance['bbox'])
            inside = image[y1 + 2:y2 - 2, x1 + 2:x2 - 2].astype(int)
            assert abs(inside.mean(axis=(0, 1)) - np.array([85, 105, 70])).max() > 20  # not the ground


def test_det_demo_prints_the_ap_table_and_draws_the_test_images(tmp_path, capfd):
    config = tmp_path / 'short_demo.py'
    config.write_text(f"_base_ = ['{osp.join(REPO, 'configs/demo/faster-rcnn_ringmoe-kc-tiny_demo_dior.py')}']\n"
                      'train_cfg = dict(max_iters=2)\n')
    argv = ['--task', 'det', '--config', str(config), '--data', str(tmp_path / 'demo'), '--work-dir',
            str(tmp_path / 'work')]
    assert run_demo.main(argv) == 0
    out, _ = capfd.readouterr()
    line = next(line for line in out.splitlines() if line.startswith('demo result: mAP50 '))
    assert float(line.split()[-1]) >= 0.0  # finite: nan >= 0 is False
    assert '| storagetank ' in out and '| tenniscourt ' in out and '| mAP ' in out  # mmdet's per-class table
    pictures = next(line for line in out.splitlines() if line.startswith('test images')).split(': ')[-1]
    drawn = sorted(os.listdir(pictures))
    assert drawn == [f'{i:05d}.jpg' for i in range(65, 77)]  # the 12 test scenes
    picture = np.asarray(Image.open(osp.join(pictures, drawn[0])))
    assert picture.shape == (128, 256, 3)  # ground truth and prediction side by side


def test_det_demo_has_its_own_work_dir():
    assert run_demo.parse_args(['--task', 'det']).work_dir == 'work_dirs/demo_det'
