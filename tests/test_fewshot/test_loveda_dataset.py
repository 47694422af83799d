"""The LoveDA reader on data generated in the release layout (``{Train,Val}/{Urban,Rural}/{images_png,
masks_png}``; masks 0 no-data, 1 background ... 7 agriculture)."""
import numpy as np
import pytest
from fewshot_seg_layouts import make_loveda, write_png
from PIL import Image

from mmringmoe.datasets import LoveDADataset

LOADERS = [
    dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
    dict(type='mmringmoe.LoadSegAnnotations')
]


@pytest.fixture(scope='module')
def loveda(tmp_path_factory):
    return make_loveda(str(tmp_path_factory.mktemp('loveda') / 'LoveDA'))


def test_both_scenes_of_a_split_are_read_with_their_masks(loveda):
    dataset = LoveDADataset(data_root=loveda, split='Val', pipeline=LOADERS)
    paths = [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]
    assert len(paths) == 4
    assert sum('/Val/Urban/images_png/' in p for p in paths) == sum('/Val/Rural/images_png/' in p for p in paths) == 2
    sample = dataset[0]
    assert sample['img'].shape == (64, 64, 3)
    assert sample['seg_map_path'] == sample['img_path'].replace('images_png', 'masks_png')
    urban = LoveDADataset(data_root=loveda, split='Train', scenes=('Urban', ), pipeline=LOADERS)
    assert len(urban) == 2 and all('/Train/Urban/' in urban.get_data_info(i)['img_path'] for i in range(2))


def test_no_data_is_ignored_and_the_seven_classes_are_zero_based(loveda):
    dataset = LoveDADataset(data_root=loveda, split='Train', pipeline=LOADERS)
    for i in range(len(dataset)):
        sample = dataset[i]
        raw = np.array(Image.open(sample['seg_map_path']))
        expected = np.where(raw == 0, 255, raw.astype(np.int64) - 1)
        np.testing.assert_array_equal(sample['gt_seg_map'], expected)
    assert dataset.metainfo['classes'] == ('background', 'building', 'road', 'water', 'barren', 'forest',
                                           'agriculture')


def test_a_missing_folder_image_or_mask_is_one_line(tmp_path):
    write_png(str(tmp_path / 'Train' / 'Urban' / 'images_png' / '0.png'), np.zeros((8, 8, 3)))
    with pytest.raises(FileNotFoundError, match='LoveDA Train/Rural/images_png not found under'):
        LoveDADataset(data_root=str(tmp_path), split='Train')
    (tmp_path / 'Train' / 'Rural' / 'images_png').mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match='no LoveDA images'):
        LoveDADataset(data_root=str(tmp_path), split='Train', scenes=('Rural', ))
    with pytest.raises(FileNotFoundError, match='seg_map_path not found: .*Urban/masks_png/0.png'):
        LoveDADataset(data_root=str(tmp_path), split='Train', scenes=('Urban', ))
    with pytest.raises(FileNotFoundError, match="split 'Test' has no masks"):
        LoveDADataset(data_root=str(tmp_path), split='Test')
    with pytest.raises(FileNotFoundError, match='the release has Urban, Rural'):
        LoveDADataset(data_root=str(tmp_path), scenes=('Suburb', ))
