"""The oriented detection readers (DIOR-R, HRSC2016) on files in the release layout: boxes and classes as
written, the HRSC2016 height fix, and every bad input named in one line."""
import os
import os.path as osp

import numpy as np
import pytest
from mmrotate.datasets import HRSCDataset
from rotated_layouts import DEMO_DATA, hrsc_xml, make_dior_r, make_hrsc2016

from mmringmoe.datasets import AnnotationError, CorruptFileError, DIORRDataset, HRSC2016Dataset
from mmringmoe.datasets import det_annotations
from mmringmoe.engine.runner_setup import one_line_errors
from mmringmoe.registry import DATASETS

LOAD = [
    dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)
]
ANN_DIR = osp.join('Annotations', 'Oriented Bounding Boxes')


def dior_r(root, split='train', **kwargs):
    part = 'test' if split == 'test' else 'trainval'
    return DIORRDataset(
        data_root=str(root),
        ann_file=f'ImageSets/Main/{split}.txt',
        data_prefix=dict(img_path=f'JPEGImages-{part}'),
        **kwargs)


def hrsc(root, split='trainval', cls=HRSC2016Dataset, **kwargs):
    return cls(
        data_root=str(root),
        ann_file=f'ImageSets/{split}.txt',
        data_prefix=dict(sub_data_root='FullDataSet/'),
        **kwargs)


def write_dior_r_image(root, img_id, objects, size=(800, 800), split='train'):
    """One trainval image (``size`` = width, height) with ``objects`` and a split file listing it."""
    height, width = size[1], size[0]
    DEMO_DATA.write_dior_r(str(root), {split: [(img_id, np.zeros((height, width, 3), np.uint8), objects)]})


def test_reads_the_release_xml_boxes_and_classes(tmp_path):
    # ../shared/fixtures/dior: 00001.xml, reproduced byte for byte by dior_r_xml (checked by hand), one
    # golffield with corners (133, 237), (684, 237), (684, 672), (133, 672), angle 0; plus a class spelled
    # as the release spells it in other files.
    write_dior_r_image(tmp_path, '00001', [('golffield', [133, 237, 684, 237, 684, 672, 133, 672], 0),
                                           ('Expressway-Service-area', [10, 20, 50, 20, 50, 60, 10, 60], 0)])
    with open(osp.join(tmp_path, ANN_DIR, '00001.xml')) as f:
        text = f.read()
    assert '<name>golffield</name>' in text and '<x_left_top>133</x_left_top>' in text
    dataset = dior_r(tmp_path)
    info = dataset[0]
    assert (info['img_id'], info['width'], info['height']) == ('00001', 800, 800)
    assert info['img_path'] == osp.join(tmp_path, 'JPEGImages-trainval', '00001.jpg')
    classes = dataset.metainfo['classes']
    assert [classes[i['bbox_label']] for i in info['instances']] == ['golffield', 'expressway-service-area']
    np.testing.assert_array_equal(info['instances'][0]['bbox'], [133, 237, 684, 237, 684, 672, 133, 672])
    assert dataset.box_checker.skipped == dataset.box_checker.clipped == 0


def test_pipeline_gives_the_rotated_box(tmp_path):
    """Four corners become mmrotate's (cx, cy, w, h, angle) through the config's transforms."""
    write_dior_r_image(tmp_path, '00001', [('ship', [20, 10, 60, 10, 60, 30, 20, 30], 0)], size=(96, 64))
    dataset = dior_r(
        tmp_path,
        pipeline=LOAD + [
            dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
            dict(type='mmrotate.ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox'))
        ])
    results = dataset[0]
    assert results['img'].shape == (64, 96, 3)
    cx, cy, w, h, _ = results['gt_bboxes'].tensor[0].tolist()
    assert (cx, cy) == (40, 20) and sorted((w, h)) == [20, 40]
    assert dataset.metainfo['classes'][results['gt_bboxes_labels'][0]] == 'ship'


def test_unknown_class_names_the_file_and_the_class(tmp_path):
    write_dior_r_image(tmp_path, '00007', [('spaceship', [1, 1, 9, 1, 9, 9, 1, 9], 0)], size=(96, 96))
    xml = osp.join(tmp_path, ANN_DIR, '00007.xml')
    with pytest.raises(
            AnnotationError, match=f"^{xml}: class 'spaceship' is not one of the config's classes"):
        dior_r(tmp_path)
    cfg = dict(
        type='mmringmoe.DIORRDataset',
        data_root=str(tmp_path),
        ann_file='ImageSets/Main/train.txt',
        data_prefix=dict(img_path='JPEGImages-trainval'))
    with pytest.raises(SystemExit, match=f'^train.py: {xml}: class'):  # one line from tools/train.py
        with one_line_errors('train.py'):
            DATASETS.build(cfg)


def test_degenerate_boxes_are_skipped_and_outside_boxes_clipped_with_one_warning(tmp_path, monkeypatch):
    warnings = []
    # the warning comes from the box counting the oriented checker shares with the horizontal readers
    monkeypatch.setattr(det_annotations, 'print_log', lambda msg, **kw: warnings.append((msg, kw)))
    write_dior_r_image(
        tmp_path,
        '00001',
        [
            ('ship', [10, 10, 10, 10, 30, 10, 30, 10], 0),  # zero height
            ('ship', [10, 10, 30, 10, 30, 10, 10, 10], 0),  # zero area
            ('ship', [80, 20, 110, 20, 110, 40, 80, 40], 0),  # reaches past the right border (width 96)
            ('ship', [200, 20, 230, 20, 230, 40, 200, 40], 0),  # wholly outside
            ('vehicle', [5, 5, 20, 5, 20, 12, 5, 12], 0),
        ],
        size=(96, 64))
    info = dior_r(tmp_path)[0]
    assert [i['bbox_label'] for i in info['instances']] == [13, 18]
    np.testing.assert_array_equal(info['instances'][0]['bbox'], [80, 20, 96, 20, 96, 40, 80, 40])
    assert len(warnings) == 1
    message, kwargs = warnings[0]
    assert 'skipped 3 box(es)' in message and 'clipped 1 box(es)' in message and '00001.xml' in message
    assert kwargs['level'] == 30


def test_image_listed_but_missing_is_named(tmp_path):
    make_dior_r(str(tmp_path), np.random.default_rng(0))
    os.remove(osp.join(tmp_path, 'JPEGImages-test', '00005.jpg'))
    with pytest.raises(
            FileNotFoundError,
            match='ImageSets/Main/test.txt lists .*JPEGImages-test/00005.jpg, '
            'which does not exist'):
        dior_r(tmp_path, split='test')
    os.remove(osp.join(tmp_path, ANN_DIR, '00001.xml'))
    with pytest.raises(FileNotFoundError, match='train.txt lists .*00001.xml, which does not exist'):
        dior_r(tmp_path)


def test_unreadable_xml_is_named(tmp_path):
    make_dior_r(str(tmp_path), np.random.default_rng(0))
    xml = osp.join(tmp_path, ANN_DIR, '00002.xml')
    with open(xml, 'w') as f:
        f.write('<annotation><size>')
    with pytest.raises(AnnotationError, match=f'^{xml}: not a readable XML annotation'):
        dior_r(tmp_path)


def test_corrupt_image_is_named(tmp_path):
    make_dior_r(str(tmp_path), np.random.default_rng(0))
    path = osp.join(tmp_path, 'JPEGImages-trainval', '00001.jpg')
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    dataset = dior_r(tmp_path, pipeline=LOAD)
    with pytest.raises(CorruptFileError, match='00001.jpg'):
        dataset[0]


def test_hrsc2016_reads_the_height_that_mmrotate_reads_from_the_width(tmp_path):
    make_hrsc2016(str(tmp_path), np.random.default_rng(0), width=96, height=64)
    ours, theirs = hrsc(tmp_path), hrsc(tmp_path, cls=HRSCDataset)
    assert (ours[0]['width'], ours[0]['height']) == (96, 64)
    assert (theirs[0]['width'], theirs[0]['height']) == (96, 96)  # mmrotate 1.0.0rc1's bug
    assert ours[0]['img_path'] == osp.join(tmp_path, 'FullDataSet', 'AllImages', '100000001.bmp')
    # the same ship, as four corners of the centre/size/angle box
    np.testing.assert_allclose(ours[0]['instances'][0]['bbox'], theirs[0]['instances'][0]['bbox'], atol=1e-4)
    assert ours.metainfo['classes'] == ('ship', )
    # the height matters: a ship reaching below the 64-px image is clipped by ours only
    with open(osp.join(tmp_path, 'FullDataSet', 'Annotations', '100000002.xml'), 'w') as f:
        f.write(hrsc_xml('100000002', 96, 64, [(40, 60, 30, 10, 0.0), (40, 30, -5, 10, 0.0)]))
    info = hrsc(tmp_path)[1]
    assert len(info['instances']) == 1  # the negative width is skipped
    assert info['instances'][0]['bbox'].reshape(4, 2)[:, 1].max() == 64
    assert max(hrsc(tmp_path, cls=HRSCDataset)[1]['instances'][0]['bbox'][1::2]) == 65


def test_hrsc2016_pipeline_reads_the_bmp(tmp_path):
    make_hrsc2016(str(tmp_path), np.random.default_rng(0), width=96, height=64)
    dataset = hrsc(
        tmp_path,
        split='test',
        pipeline=LOAD + [dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox')])
    results = dataset[0]
    assert results['img'].shape == (64, 96, 3) and len(results['gt_bboxes']) == 1
    # the BMP's B, G, R bytes come out as R, G, B: the painted ship is (230, 230, 230), the water bluish
    assert results['img'][..., 2].mean() > results['img'][..., 0].mean()


def test_hrsc2016_classwise_unknown_class_id_is_named(tmp_path):
    make_hrsc2016(str(tmp_path), np.random.default_rng(0))
    xml = osp.join(tmp_path, 'FullDataSet', 'Annotations', '100000001.xml')
    with open(xml, 'w') as f:
        f.write(hrsc_xml('100000001', 96, 64, [(40, 30, 30, 10, 0.0)], class_id='100000099'))
    with pytest.raises(AnnotationError, match=f"^{xml}: Class_ID '100000099'"):
        hrsc(tmp_path, classwise=True)
    assert hrsc(tmp_path)[0]['instances'][0]['bbox_label'] == 0  # one class (ship): every ship counts
