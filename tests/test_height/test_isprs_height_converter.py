"""tools/dataset_converters/isprs_height.py: the releases' name mapping (Potsdam's zero-padded height files),
the official splits, crops of image and height that match the source, the 1 px size difference, and its
one-line errors."""
import os
import os.path as osp

import numpy as np
import pytest
import rasterio
from height_layouts import load_tool, scene, write_potsdam, write_vaihingen

converter = load_tool('tools/dataset_converters/isprs_height.py')
FIXTURES = '/work/shared/fixtures'


def test_height_file_names_of_both_releases():
    assert converter.height_file('potsdam', '2_10', 'ndsm') == \
        '1_DSM_normalisation/dsm_potsdam_02_10_normalized_lastools.jpg'
    assert converter.height_file('potsdam', '6_7', 'dsm') == '1_DSM/dsm_potsdam_06_07.tif'
    assert converter.height_file('vaihingen', 'area1', 'dsm') == 'dsm/dsm_09cm_matching_area1.tif'
    assert converter.height_file('vaihingen', 'area1', 'ndsm') == 'ndsm/ndsm_09cm_matching_area1.bmp'


def test_official_splits():
    counts = {d: {s: len(t) for s, t in splits.items()} for d, splits in converter.SPLITS.items()}
    assert counts == {'vaihingen': {'train': 16, 'val': 17}, 'potsdam': {'train': 24, 'val': 14}}
    assert converter.split_of('potsdam', '2_10') == 'train' and converter.split_of('potsdam', '2_13') == 'val'
    assert converter.split_of('vaihingen', 'area1') == 'train' and converter.split_of('vaihingen',
                                                                                      'area6') == 'val'


def test_release_image_names_are_those_of_the_real_releases():
    tiles = converter.release_tiles('vaihingen', osp.join(FIXTURES, 'vaihingen', 'torchgeo'))
    assert [t for t, _ in tiles] == ['area1', 'area11', 'area24', 'area6']
    real = sorted(os.listdir(osp.join(FIXTURES, 'potsdam', 'torchgeo', '4_Ortho_RGBIR')))
    pattern = converter.IMAGES['potsdam'][1]
    assert [pattern.match(n.replace('_RGBIR', '_RGB')).group(1)
            for n in real] == ['2_10', '2_11', '5_15', '6_15']


def read(path):
    with rasterio.open(path) as src:
        return src.read(), src.transform, src.crs


def test_vaihingen_ndsm_crops_match_the_source(tmp_path, capsys):
    tiles = {'area1': scene(80, 96, 0), 'area2': scene(80, 96, 1)}
    write_vaihingen(str(tmp_path / 'release'), tiles)
    out = tmp_path / 'out'
    assert converter.main(['vaihingen', str(tmp_path / 'release'), '-o', str(out), '--height-scale', '0.1',
                           '--crop', '64', '--stride', '64']) == 0
    assert '8 crops of 2 tiles (1 train, 1 val; ndsm)' in capsys.readouterr().out
    names = ['0_0', '0_32', '16_0', '16_32']  # the last row and column end at the tile's edge
    assert sorted(os.listdir(out / 'img_dir' / 'train')) == [f'area1_{n}.tif' for n in names]
    assert sorted(os.listdir(out / 'height_dir' / 'val')) == [f'area2_{n}.tif' for n in names]
    image, heights = tiles['area2']
    crop, _, crs = read(out / 'img_dir' / 'val' / 'area2_16_32.tif')
    np.testing.assert_array_equal(crop, image[:, 16:80, 32:96])
    assert crs is None  # Vaihingen's tiles have none
    height, _, _ = read(out / 'height_dir' / 'val' / 'area2_16_32.tif')
    assert height.dtype == np.float32
    np.testing.assert_allclose(height[0], heights[16:80, 32:96], atol=1e-5)  # decimetres x 0.1


def test_potsdam_dsm_with_a_tile_one_pixel_narrower_and_nodata(tmp_path, capsys):
    release = str(tmp_path / 'release')
    tiles = {'2_10': scene(64, 96, 2), '2_13': scene(64, 64, 3)}
    write_potsdam(release, tiles)
    narrow = osp.join(release, '1_DSM', 'dsm_potsdam_02_10.tif')  # 95 px wide, one nodata pixel
    dsm = (tiles['2_10'][1][:, :95] + 35.0).astype(np.float32)
    dsm[3, 4] = -32767.0
    with rasterio.open(narrow, 'r+') as src:
        profile = src.profile
    with rasterio.open(narrow, 'w', **dict(profile, width=95, nodata=-32767.0)) as dst:
        dst.write(dsm, 1)
    out = tmp_path / 'out'
    assert converter.main(['potsdam', release, '-o', str(out), '--label', 'dsm', '--crop', '64']) == 0
    printed = capsys.readouterr().out
    assert '2_10: image 96 x 64, heights 95 x 64 px: cut to 95 x 64' in printed
    assert '3 crops of 2 tiles (1 train, 1 val; dsm)' in printed
    assert '1 height pixels without a value' in printed
    assert sorted(os.listdir(out / 'img_dir' / 'train')) == ['2_10_0_0.tif', '2_10_0_31.tif']
    crop, transform, crs = read(out / 'img_dir' / 'train' / '2_10_0_31.tif')
    np.testing.assert_array_equal(crop, tiles['2_10'][0][:, :, 31:95])
    with rasterio.open(osp.join(release, '2_Ortho_RGB', 'top_potsdam_2_10_RGB.tif')) as src:
        assert crs == src.crs and transform == src.transform @ rasterio.Affine.translation(31, 0)
    height, _, _ = read(out / 'height_dir' / 'train' / '2_10_0_0.tif')
    assert np.isnan(height[0, 3, 4]) and np.isfinite(height).sum() == 64 * 64 - 1
    np.testing.assert_allclose(height[0, :3], tiles['2_10'][1][:3, :64] + 35.0)


def test_bad_releases_stop_with_one_line(tmp_path):
    release = str(tmp_path / 'release')
    with pytest.raises(SystemExit,
                       match=r'no vaihingen orthophotos .* found in .*/top: see docs/datasets.md'):
        converter.main(['vaihingen', str(tmp_path), '-o', str(tmp_path / 'o')])
    write_vaihingen(release, {'area1': scene(64, 64, 0)})
    os.remove(osp.join(release, 'ndsm', 'ndsm_09cm_matching_area1.bmp'))
    with pytest.raises(SystemExit,
                       match=r'top_mosaic_09cm_area1.tif has no height file: .*ndsm_09cm_matching_area1'):
        converter.main(['vaihingen', release, '-o', str(tmp_path / 'o')])
    write_vaihingen(release, {'area1': scene(64, 64, 0)}, ndsm_levels={'area1': np.zeros((61, 64), np.uint8)})
    with pytest.raises(SystemExit) as mismatch:
        converter.main(['vaihingen', release, '-o', str(tmp_path / 'o'), '--crop', '32'])
    message = str(mismatch.value)
    assert message.count('\n') == 0 and 'ndsm_09cm_matching_area1.bmp is 64 x 61 px' in message
    assert 'top_mosaic_09cm_area1.tif 64 x 64 px' in message
