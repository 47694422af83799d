"""The horizontal detection readers on generated copies of the releases (DIOR, SAR-AIRcraft-1.0, HRSID,
SARDet-100K), the one-band SAR-L2 loader, and each bad input of issue 12 named in one line."""
import importlib.util
import json
import logging
import os.path as osp

import numpy as np
import pytest
from det_layouts import (DIOR_00001, REPO, SIZE, coco_json, dior_xml, make_dior, make_hrsid, make_sardet100k,
                         write_image, write_text)

from mmringmoe.datasets import (DIORDataset, HRSIDDataset, SARAircraftDataset, SARDet100KDataset,
                                det_annotations)
from mmringmoe.datasets.dior import DIOR_CLASSES
from mmringmoe.datasets.oriented_annotations import AnnotationError
from mmringmoe.datasets.transforms import ColourImageError, CorruptFileError, GreyLoadRasterImage
from mmringmoe.engine.runner_setup import one_line_errors

DIOR_CONFIG = 'configs/det/faster-rcnn_ringmoe-kc_fpn_12e_dior-800x800.py'


def dior(root, split='train', img_subdir='JPEGImages-trainval', **kwargs) -> DIORDataset:
    return DIORDataset(data_root=str(root), ann_file=f'ImageSets/Main/{split}.txt', img_subdir=img_subdir,
                       data_prefix=dict(sub_data_root=''), pipeline=[], serialize_data=False, **kwargs)


def write_dior_item(root, img_id: str, objects, size: int = SIZE) -> None:
    """One trainval image of DIOR (a grey 8 x 8 JPEG: the reader takes the size from the XML)."""
    write_image(osp.join(root, 'JPEGImages-trainval', f'{img_id}.jpg'), np.zeros((8, 8), np.uint8))
    write_text(osp.join(root, 'Annotations', 'Horizontal Bounding Boxes', f'{img_id}.xml'),
               dior_xml(f'{img_id}.jpg', size, size, objects))


def test_dior_reads_the_real_files_object(tmp_path):
    """The object of the real image 00001 (checked by hand against /work/shared/fixtures/dior: a golf field
    with corners x 133..684, y 237..672 in an 800 x 800 image), in the release's XML text."""
    write_dior_item(tmp_path, '00001', [DIOR_00001], size=800)
    write_text(str(tmp_path / 'ImageSets' / 'Main' / 'train.txt'), '00001\n')
    (info, ) = dior(tmp_path).data_list
    assert (info['width'], info['height'], info['img_id']) == (800, 800, '00001')
    assert info['img_path'] == osp.join(str(tmp_path), 'JPEGImages-trainval', '00001.jpg')
    (instance, ) = info['instances']
    assert instance['bbox'] == [133, 237, 684, 672] and instance['ignore_flag'] == 0
    assert DIOR_CLASSES[instance['bbox_label']] == 'golffield'


def test_dior_splits_images_and_class_case(tmp_path):
    make_dior(str(tmp_path), np.random.default_rng(0))
    train, test = dior(tmp_path), dior(tmp_path, 'test', 'JPEGImages-test')
    assert [i['img_id'] for i in train.data_list] == ['00001', '00002']
    assert [i['img_id'] for i in test.data_list] == ['11726', '11727']
    assert all(osp.isfile(i['img_path']) for i in train.data_list + test.data_list)
    objects = [('expressway-service-area', 1, 2, 30, 40), ('Expressway-toll-station', 3, 4, 20, 21)]
    write_dior_item(tmp_path, '00001', objects)
    labels = [i['bbox_label'] for i in dior(tmp_path).data_list[0]['instances']]
    assert [DIOR_CLASSES[k] for k in labels] == ['Expressway-Service-area', 'Expressway-toll-station']


def test_unknown_class_names_the_file_and_the_class(tmp_path):
    make_dior(str(tmp_path), np.random.default_rng(0))
    write_dior_item(tmp_path, '00002', [('helicopter', 1, 2, 30, 40)])
    with pytest.raises(AnnotationError, match=r"00002\.xml: class 'helicopter' is not one of"):
        dior(tmp_path)
    with pytest.raises(SystemExit, match=r"^train\.py: .*00002\.xml: class 'helicopter'"):
        with one_line_errors('train.py'):
            dior(tmp_path)


def test_degenerate_boxes_are_skipped_and_outside_boxes_clipped_with_one_warning(tmp_path, monkeypatch):
    make_dior(str(tmp_path), np.random.default_rng(0))
    write_dior_item(tmp_path, '00001', [('airplane', 10, 10, 10, 30), ('airplane', 10, 30, 20, 25),
                                        ('airplane', -5, 50, 20, 70), ('airplane', 1, 2, 30, 40)])
    logged = []
    monkeypatch.setattr(det_annotations, 'print_log', lambda msg, logger, level: logged.append((msg, level)))
    instances = dior(tmp_path).data_list[0]['instances']
    assert [i['bbox'] for i in instances] == [[0, 50, 20, SIZE], [1, 2, 30, 40]]
    assert len(logged) == 1 and logged[0][1] == logging.WARNING, logged
    assert 'skipped 2 box(es)' in logged[0][0] and 'clipped 1 box(es)' in logged[0][0]
    assert '00001.xml' in logged[0][0]


def test_an_image_listed_but_missing_is_named(tmp_path):
    make_dior(str(tmp_path), np.random.default_rng(0))
    (tmp_path / 'JPEGImages-trainval' / '00002.jpg').unlink()
    with pytest.raises(FileNotFoundError, match=r'train\.txt lists .*JPEGImages-trainval/00002\.jpg'):
        dior(tmp_path)


def test_sar_aircraft_reads_its_release_names(tmp_path):
    write_text(str(tmp_path / 'ImageSets' / 'Main' / 'test.txt'), '7\n')
    write_image(str(tmp_path / 'JPEGImages' / '7.jpg'), np.zeros((8, 8), np.uint8))
    write_text(str(tmp_path / 'Annotations' / '7.xml'),
               dior_xml('7.jpg', 1000, 1000, [('A320/321', 10, 20, 60, 90), ('Boeing787', 900, 5, 1010, 60)]))
    dataset = SARAircraftDataset(data_root=str(tmp_path), ann_file='ImageSets/Main/test.txt',
                                 data_prefix=dict(sub_data_root=''), pipeline=[], serialize_data=False)
    instances = dataset.data_list[0]['instances']
    assert [i['bbox'] for i in instances] == [[10, 20, 60, 90], [900, 5, 1000, 60]]
    assert [dataset.metainfo['classes'][i['bbox_label']] for i in instances] == ['A320/321', 'Boeing787']


def hrsid(root, split='train2017') -> HRSIDDataset:
    return HRSIDDataset(data_root=str(root), ann_file=f'annotations/{split}.json',
                        data_prefix=dict(img='JPEGImages/'), pipeline=[], serialize_data=False)


@pytest.mark.parametrize('first_id', [1, 0])  # the release numbers "ship" 1; re-annotated variants 0
def test_hrsid_reads_coco_with_either_category_id(tmp_path, first_id):
    make_hrsid(str(tmp_path), np.random.default_rng(0), first_id)
    doc = json.loads((tmp_path / 'annotations' / 'train2017.json').read_text())
    dataset = hrsid(tmp_path)
    assert len(dataset) == 2
    for info, image in zip(dataset.data_list, doc['images']):
        assert info['img_path'] == osp.join(str(tmp_path), 'JPEGImages', image['file_name'])
        expected = [[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2], a['bbox'][1] + a['bbox'][3]]
                    for a in doc['annotations'] if a['image_id'] == image['id']]
        assert [i['bbox'] for i in info['instances']] == expected
        assert {i['bbox_label'] for i in info['instances']} == {0}


def test_coco_unknown_category_and_wrong_order_are_named(tmp_path):
    make_hrsid(str(tmp_path), np.random.default_rng(0))
    write_image(str(tmp_path / 'JPEGImages' / 'a.jpg'), np.zeros((8, 8), np.uint8))
    path = tmp_path / 'annotations' / 'train2017.json'
    path.write_text(json.dumps(coco_json([('a.jpg', [('boat', 1, 1, 9, 9)])], ['boat'])))
    with pytest.raises(AnnotationError, match=r"train2017\.json: class 'boat' is not one of"):
        hrsid(tmp_path)
    classes = SARDet100KDataset.METAINFO['classes']
    path.write_text(json.dumps(coco_json([('a.jpg', [])], classes[::-1])))
    with pytest.raises(AnnotationError, match='spelled so and in that order'):
        SARDet100KDataset(data_root=str(tmp_path), ann_file='annotations/train2017.json',
                          data_prefix=dict(img='JPEGImages/'), pipeline=[], serialize_data=False)


@pytest.mark.parametrize('split_in_file_name', [False, True])
def test_sardet100k_file_names_with_or_without_the_split_folder(tmp_path, split_in_file_name):
    make_sardet100k(str(tmp_path), np.random.default_rng(0), split_in_file_name)
    dataset = SARDet100KDataset(data_root=str(tmp_path), ann_file='Annotations/val.json',
                                data_prefix=dict(img='JPEGImages/val/'), pipeline=[], serialize_data=False)
    assert [osp.relpath(i['img_path'], str(tmp_path)) for i in dataset.data_list] == [
        'JPEGImages/val/val_0000.jpg', 'JPEGImages/val/val_0001.png']
    (tmp_path / 'JPEGImages' / 'val' / 'val_0001.png').unlink()
    with pytest.raises(FileNotFoundError, match=r'val\.json lists .*val_0001\.png'):
        SARDet100KDataset(data_root=str(tmp_path), ann_file='Annotations/val.json',
                          data_prefix=dict(img='JPEGImages/val/'), pipeline=[], serialize_data=False)


def grey_loader() -> GreyLoadRasterImage:
    return GreyLoadRasterImage(modality='sar_l2', file_channels=('amplitude', ), expected_bands=1)


def test_grey_chips_load_as_one_band(tmp_path):
    grey = np.random.default_rng(0).integers(0, 256, (SIZE, SIZE)).astype(np.uint8)
    write_image(str(tmp_path / 'rgb.png'), grey)  # R = G = B
    write_image(str(tmp_path / 'rgb.jpg'), grey)
    from PIL import Image
    Image.fromarray(grey).save(str(tmp_path / 'one.png'))  # one band
    for name in ('rgb.png', 'one.png'):
        img = grey_loader()(dict(img_path=str(tmp_path / name)))['img']
        assert img.shape == (SIZE, SIZE, 1) and (img[..., 0] == grey).all()
    img = grey_loader()(dict(img_path=str(tmp_path / 'rgb.jpg')))['img']  # lossy: first band of three
    assert img.shape == (SIZE, SIZE, 1) and np.abs(img[..., 0] - grey.astype(np.float32)).mean() < 20


def test_a_colour_image_where_sar_l2_is_expected_is_named(tmp_path):
    grey = np.full((SIZE, SIZE), 100, np.uint8)
    path = str(tmp_path / 'colour.jpg')
    write_image(path, grey, colour=True)
    with pytest.raises(ColourImageError, match=r'colour\.jpg: a colour image .* expects one band \(sar_l2\)'):
        grey_loader()(dict(img_path=path))
    with pytest.raises(SystemExit, match=r'^train\.py: .*colour\.jpg: a colour image'):
        with one_line_errors('train.py'):
            grey_loader()(dict(img_path=path))


def test_a_corrupt_chip_is_named(tmp_path):
    path = tmp_path / 'cut.jpg'
    write_image(str(path), np.zeros((SIZE, SIZE), np.uint8))
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CorruptFileError, match='cut.jpg'):
        grey_loader()(dict(img_path=str(path)))


def test_train_without_dior_stops_with_one_line(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location('train_tool', osp.join(REPO, 'tools', 'train.py'))
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        train.main([osp.join(REPO, DIOR_CONFIG), '--work-dir', str(tmp_path / 'work')])
    assert str(exit_info.value.code) == 'train.py: dataset not found at data/DIOR/: see docs/datasets.md'
