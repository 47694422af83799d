"""Windowed scene reads as the config's loader reads a tile: band order, 16-bit and complex values, and the
SAR of an optical + SAR pair resampled on the fly onto the optical grid (mmringmoe/apis/scene/scene_reader.py)."""
import numpy as np
import pytest
import rasterio
from mmengine.config import Config
from rasterio.warp import Resampling, reproject

from mmringmoe.apis.scene.scene_reader import SceneError, SceneReader, find_loader
from mmringmoe.datasets.transforms import LoadRasterImage
from scene_helpers import CRS, FUSION_CONFIG, ROOT, TRANSFORM, infer_tool, make_checkpoint, textured_scene, \
    write_scene

SARSEGL1_LOADER = Config.fromfile(f'{ROOT}/configs/_base_/datasets/sarsegl1.py').load_image
DYNAMIC_EARTHNET_LOADER = Config.fromfile(f'{ROOT}/configs/_base_/datasets/dynamic_earthnet.py').load_image
PAIR_LOADER = Config.fromfile(f'{ROOT}/configs/_base_/datasets/whu_opt_sar.py').load_pair


@pytest.mark.parametrize('loader, dtype', [(SARSEGL1_LOADER, 'complex_int16'), (DYNAMIC_EARTHNET_LOADER, 'uint16')])
def test_window_equals_the_loader_on_the_whole_file(tmp_path, loader, dtype):
    """Complex SAR-L1 (CInt16 -> 8 channels, int16 exact) and 16-bit MS in the file's own band order."""
    rng = np.random.default_rng(0)
    if dtype == 'complex_int16':
        data = (rng.integers(-3000, 3000, (4, 90, 110)) + 1j * rng.integers(-3000, 3000, (4, 90, 110)))
        data = data.astype(np.complex64)
        data[:, :5, :5] = 0  # nodata 0 + 0j
    else:
        data = rng.integers(0, 65535, (4, 90, 110)).astype(np.uint16)
        data[:, :5, :5] = 0
    path = write_scene(str(tmp_path / 'scene.tif'), data, nodata=0)
    whole = LoadRasterImage(**{k: v for k, v in loader.items() if k != 'type'})(dict(img_path=path))
    with SceneReader(dict(loader), [path]) as reader:
        image, nodata = reader.read(30, 20, 64, 64)
    assert image.dtype == np.float32 and image.shape == (whole['img'].shape[2], 64, 64)
    assert np.array_equal(image, whole['img'][20:84, 30:94].transpose(2, 0, 1))
    assert np.array_equal(nodata, whole['nodata_mask'][20:84, 30:94])
    with SceneReader(dict(loader), [path]) as reader:
        assert reader.read(0, 0, 8, 8)[1][:5, :5].all()


def test_sar_on_another_grid_is_warped_onto_the_optical_grid(tmp_path):
    optical = textured_scene(120, 100, bands=4)
    sar = textured_scene(60, 50, bands=1, seed=1)
    opt_path = write_scene(str(tmp_path / 'opt.tif'), optical)
    coarse = TRANSFORM @ TRANSFORM.scale(2)  # 1 m pixels over the same extent
    sar_path = write_scene(str(tmp_path / 'sar.tif'), sar, transform=coarse)
    expected = np.zeros((120, 100), np.uint8)  # resampled in the file's data type, as a warped copy would be
    reproject(sar[0], expected, src_transform=coarse, src_crs=CRS, dst_transform=TRANSFORM,
              dst_crs=CRS, resampling=Resampling.bilinear)
    with SceneReader(dict(PAIR_LOADER), [opt_path, sar_path]) as reader:
        assert reader.channels == 4 and (reader.grid.width, reader.grid.height) == (100, 120)
        image, _ = reader.read(20, 30, 64, 64)
    assert np.array_equal(image[:3], optical[:3, 30:94, 20:84].astype(np.float32))  # R, G, B of R, G, B, NIR
    difference = np.abs(image[3] - expected[30:94, 20:84])
    assert difference.max() <= 1 and difference.mean() < 0.05


def test_pair_errors(tmp_path):
    opt_path = write_scene(str(tmp_path / 'opt.tif'), textured_scene(64, 64, bands=4))
    no_crs = write_scene(str(tmp_path / 'sar.tif'), textured_scene(32, 32, bands=1), crs=None)
    with pytest.raises(SceneError, match='reads two co-registered scenes'):
        SceneReader(dict(PAIR_LOADER), [opt_path])
    with pytest.raises(SceneError, match='grid differs .* no CRS'):
        SceneReader(dict(PAIR_LOADER), [opt_path, no_crs])
    with pytest.raises(SceneError, match='no mmringmoe.LoadRasterImage'):
        find_loader([dict(type='LoadImageFromFile')])


def test_optical_and_sar_scenes_through_the_tool(tmp_path):
    checkpoint = make_checkpoint(FUSION_CONFIG, str(tmp_path / 'fusion.pth'))
    opt_path = write_scene(str(tmp_path / 'opt.tif'), textured_scene(150, 130, bands=4), nodata=0)
    coarse = TRANSFORM @ TRANSFORM.scale(2)
    sar_path = write_scene(str(tmp_path / 'sar.tif'), textured_scene(75, 65, bands=1, seed=2), transform=coarse)
    out = str(tmp_path / 'classes.tif')
    assert infer_tool.main([FUSION_CONFIG, checkpoint, opt_path, sar_path, '--out', out, '--no-progress']) == 0
    with rasterio.open(out) as src:
        assert (src.width, src.height, src.transform) == (130, 150, TRANSFORM)
        classes = src.read(1)
    assert classes.max() < 8


def test_grey_three_band_scene_is_read_as_one_band(tmp_path):
    loader = Config.fromfile(f'{ROOT}/configs/_base_/datasets/hrsid_det.py').load_image  # GreyLoadRasterImage
    grey = textured_scene(70, 90, bands=1)
    path = write_scene(str(tmp_path / 'grey.tif'), np.repeat(grey, 3, axis=0))
    with SceneReader(dict(loader), [path]) as reader:
        image, _ = reader.read(10, 5, 64, 64)
    assert reader.channels == 1 and np.array_equal(image[0], grey[0, 5:69, 10:74].astype(np.float32))
