"""Height labels: nodata and NaN masked and counted, 16-bit PNG with a scale, one-line errors for a missing
file and a size mismatch; the dataset pairs images with height files by name; right-angle rotation."""
import os.path as osp

import numpy as np
import pytest
import rasterio
from PIL import Image

from mmringmoe.datasets import VaihingenHeightDataset
from mmringmoe.datasets.oriented_annotations import AnnotationError
from mmringmoe.datasets.transforms import HeightLabelError, LoadHeightAnnotation, RandomRotate90


def write_tif(path, array, **profile):
    with rasterio.open(path, 'w', driver='GTiff', width=array.shape[1], height=array.shape[0], count=1,
                       dtype=array.dtype.name, **profile) as dst:
        dst.write(array, 1)
    return str(path)


def load(path, shape=(6, 8), **kwargs):
    return LoadHeightAnnotation(**kwargs)(dict(depth_map_path=path, img_shape=shape, img_path='img.tif'))


def test_nodata_and_nan_heights_become_nan_and_are_counted(tmp_path):
    heights = np.arange(48, dtype=np.float32).reshape(6, 8)
    heights[0, 0] = -9999.0  # the file's nodata
    heights[1, :3] = np.nan
    heights[2, 2] = np.inf
    results = load(write_tif(tmp_path / 'h.tif', heights, nodata=-9999.0))
    out = results['gt_depth_map']
    assert out.dtype == np.float32 and results['height_missing_pixels'] == 5
    assert np.isnan(out[0, 0]) and np.isnan(out[1, :3]).all() and np.isnan(out[2, 2])
    assert np.isfinite(out).sum() == 43 and out[5, 7] == 47.0
    assert 'gt_depth_map' in results['seg_fields']


def test_sixteen_bit_png_heights_are_scaled(tmp_path):
    centimetres = np.array([[0, 150, 1234], [65535, 7, 20000]], dtype=np.uint16)
    Image.fromarray(centimetres).save(tmp_path / 'h.png')
    results = load(str(tmp_path / 'h.png'), shape=(2, 3), scale=0.01, nodata=65535)
    np.testing.assert_allclose(results['gt_depth_map'], [[0, 1.5, 12.34], [np.nan, 0.07, 200.0]], rtol=1e-6)
    assert results['height_missing_pixels'] == 1


def test_missing_height_file_and_size_mismatch_are_one_line_naming_the_file(tmp_path):
    with pytest.raises(FileNotFoundError) as missing:
        load(str(tmp_path / 'none.tif'))
    assert str(missing.value).count('\n') == 0 and 'none.tif' in str(missing.value)
    path = write_tif(tmp_path / 'small.tif', np.zeros((5, 8), np.float32))
    with pytest.raises(AnnotationError) as mismatch:
        load(path)
    message = str(mismatch.value)
    assert message.count('\n') == 0 and 'small.tif' in message and 'img.tif' in message and '5 x 8' in message
    # re-raised by a DataLoader worker with the worker's traceback as its message: still the one line
    rewrapped = HeightLabelError(f'Caught HeightLabelError in DataLoader worker process 0.\nTraceback ...\n'
                                 f'  File "x.py", line 1\nHeightLabelError: {message}\n')
    assert str(rewrapped) == message


def test_dataset_pairs_images_with_heights_and_names_a_missing_one(tmp_path):
    for folder in ('img_dir/train', 'height_dir/train'):
        (tmp_path / folder).mkdir(parents=True)
    for name in ('area1_0_0.tif', 'area1_0_64.tif'):
        write_tif(tmp_path / 'img_dir/train' / name, np.zeros((4, 4), np.uint8))
        write_tif(tmp_path / 'height_dir/train' / name, np.zeros((4, 4), np.float32))
    prefix = dict(img_path='img_dir/train', depth_map_path='height_dir/train')
    dataset = VaihingenHeightDataset(data_root=str(tmp_path), data_prefix=prefix, pipeline=[])
    assert [osp.basename(i['depth_map_path']) for i in dataset] == ['area1_0_0.tif', 'area1_0_64.tif']
    (tmp_path / 'height_dir/train/area1_0_64.tif').unlink()
    with pytest.raises(FileNotFoundError, match=r'height file not found: .*area1_0_64\.tif'):
        VaihingenHeightDataset(data_root=str(tmp_path), data_prefix=prefix, pipeline=[])
    with pytest.raises(FileNotFoundError, match='dataset not found'):
        VaihingenHeightDataset(data_root=str(tmp_path / 'nothing'), data_prefix=prefix, pipeline=[])


def test_right_angle_rotation_moves_image_and_heights_together():
    image = np.arange(2 * 3 * 3).reshape(2, 3, 3)
    heights = np.arange(6, dtype=np.float32).reshape(2, 3)
    seen = set()
    for _ in range(40):
        out = RandomRotate90()(dict(img=image.copy(),
                                    gt_depth_map=heights.copy(),
                                    seg_fields=['gt_depth_map']))
        k = out['rotate90']
        seen.add(k)
        np.testing.assert_array_equal(out['img'], np.rot90(image, k))
        np.testing.assert_array_equal(out['gt_depth_map'], np.rot90(heights, k))
        assert out['img_shape'] == out['gt_depth_map'].shape
    assert seen == {0, 1, 2, 3}
