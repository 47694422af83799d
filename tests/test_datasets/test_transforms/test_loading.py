"""LoadRasterImage: exact values, complex split order, band selection, nodata, georeferencing, bad tiles."""
import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.crs import CRS
from rasterio.transform import Affine
from torch._utils import ExceptionWrapper

from mmringmoe.datasets.transforms import CorruptFileError, InvalidRasterError, LoadRasterImage
from mmringmoe.registry import TRANSFORMS

CRS_UTM50N = CRS.from_epsg(32650)
TRANSFORM = Affine(2.0, 0.0, 500000.0, 0.0, -2.0, 4400000.0)


def write_tif(path, bands, dtype=None, nodata=None, crs=CRS_UTM50N, transform=TRANSFORM):
    """Write ``(B, H, W)`` bands as a GeoTIFF; returns the path as a string."""
    dtype = dtype or bands.dtype.name
    with rasterio.open(path, 'w', driver='GTiff', width=bands.shape[2], height=bands.shape[1],
                       count=bands.shape[0], dtype=dtype, crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(bands)
    return str(path)


def load(path, **kwargs):
    return LoadRasterImage(**kwargs)(dict(img_path=str(path)))


def test_uint16_8_band_values_exact(tmp_path):
    rng = np.random.default_rng(0)
    bands = rng.integers(0, 65536, size=(8, 6, 7), dtype=np.uint16)
    bands[5, 2, 3] = 65535  # top of the 16-bit range, far beyond 8 bits
    path = write_tif(tmp_path / 'sar_amp.tif', bands)

    as_float = load(path)
    assert as_float['img'].dtype == np.float32
    assert as_float['img'].shape == (6, 7, 8)
    np.testing.assert_array_equal(as_float['img'], bands.transpose(1, 2, 0).astype(np.float64))

    kept = load(path, to_float32=False)
    assert kept['img'].dtype == np.uint16
    np.testing.assert_array_equal(kept['img'], bands.transpose(1, 2, 0))
    assert kept['img_shape'] == kept['ori_shape'] == (6, 7)


def test_int16_8_band_sar_l1_keeps_sign_and_range(tmp_path):
    bands = np.arange(-32768, 32768, 1024, dtype=np.int16)[:64].reshape(8, 2, 4)
    path = write_tif(tmp_path / 'slc8.tif', bands)
    out = load(path, to_float32=False, expected_bands=8)
    assert out['img'].dtype == np.int16
    np.testing.assert_array_equal(out['img'], bands.transpose(1, 2, 0))
    np.testing.assert_array_equal(load(path)['img'], bands.transpose(1, 2, 0).astype(np.float32))


@pytest.mark.parametrize('dtype, part', [('complex_int16', np.int16), ('complex64', np.float32)])
def test_complex_bands_split_real_then_imag(tmp_path, dtype, part):
    # Band b (HH, HV, VH, VV) holds real 100*b + pixel and imaginary -(100*b + pixel) - 7.
    pixel = np.arange(12, dtype=np.float32).reshape(3, 4)
    real = np.stack([100 * b + pixel for b in range(1, 5)])
    slc = (real - 1j * (real + 7)).astype(np.complex64)
    path = write_tif(tmp_path / 'slc.tif', slc, dtype=dtype)

    out = load(path, to_float32=False, expected_bands=8)
    img = out['img']
    assert img.shape == (3, 4, 8)
    assert img.dtype == part
    for b in range(4):
        np.testing.assert_array_equal(img[..., 2 * b], real[b])  # HH_re, HV_re, VH_re, VV_re
        np.testing.assert_array_equal(img[..., 2 * b + 1], -(real[b] + 7))  # the imaginary parts
    assert load(path)['img'].dtype == np.float32


def test_band_selection_is_1_based_and_ordered(tmp_path):
    bands = np.stack([np.full((4, 5), 10 * (b + 1), dtype=np.uint8) for b in range(4)])  # 10, 20, 30, 40
    path = write_tif(tmp_path / 'ms.tif', bands)
    img = load(path, bands=[4, 1, 2], expected_bands=3)['img']
    assert img.shape == (4, 5, 3)
    assert img[0, 0].tolist() == [40.0, 10.0, 20.0]
    with pytest.raises(InvalidRasterError, match='ms.tif'):
        load(path, bands=[5])
    with pytest.raises(ValueError, match='1-based'):
        LoadRasterImage(bands=[0, 1])


def test_expected_bands_counts_complex_as_two_channels(tmp_path):
    slc = np.ones((4, 3, 3), dtype=np.complex64)
    path = write_tif(tmp_path / 'cint.tif', slc, dtype='complex_int16')
    assert load(path, expected_bands=8)['img'].shape[-1] == 8
    with pytest.raises(InvalidRasterError, match='cint.tif.*expected 4'):
        load(path, expected_bands=4)


def test_nodata_mask_any_band_and_override(tmp_path):
    bands = np.full((3, 4, 4), 50, dtype=np.uint8)
    bands[:, 0, 0] = 0  # every band nodata
    bands[1, 2, 3] = 0  # one band only: still flagged
    bands[2, 3, 3] = 7
    path = write_tif(tmp_path / 'opt.tif', bands, nodata=0)

    out = load(path)
    expected = np.zeros((4, 4), dtype=bool)
    expected[0, 0] = expected[2, 3] = True
    np.testing.assert_array_equal(out['nodata_mask'], expected)
    assert out['nodata_mask'].dtype == bool

    overridden = load(path, nodata=7)['nodata_mask']
    assert overridden.sum() == 1 and overridden[3, 3]

    no_nodata = write_tif(tmp_path / 'plain.tif', bands)
    assert not load(no_nodata)['nodata_mask'].any()


def test_nan_nodata_pixels_are_masked_and_zeroed(tmp_path):
    bands = np.full((2, 3, 3), 1.5, dtype=np.float32)
    bands[:, 1, 1] = np.nan
    out = load(write_tif(tmp_path / 'f.tif', bands, nodata=np.nan))
    assert np.isfinite(out['img']).all()
    assert out['img'][1, 1].tolist() == [0.0, 0.0]
    assert out['nodata_mask'].sum() == 1 and out['nodata_mask'][1, 1]


def test_crs_and_transform_metainfo(tmp_path):
    path = write_tif(tmp_path / 'geo.tif', np.ones((1, 3, 3), dtype=np.uint8))
    out = load(path, modality='sar_l2')
    assert CRS.from_wkt(out['crs']) == CRS_UTM50N
    assert out['transform'] == (2.0, 0.0, 500000.0, 0.0, -2.0, 4400000.0)
    assert out['modality'] == 'sar_l2'
    assert out['img_path'] == path


def test_png_and_jpeg_through_rasterio(tmp_path):
    gray16 = (np.arange(20, dtype=np.uint16) * 3000).reshape(4, 5)  # up to 57000
    Image.fromarray(gray16).save(tmp_path / 'g.png')
    out = load(tmp_path / 'g.png', to_float32=False)
    assert out['img'].dtype == np.uint16 and out['img'].shape == (4, 5, 1)
    np.testing.assert_array_equal(out['img'][..., 0], gray16)
    assert out['crs'] is None and out['transform'] is None

    rgb = np.zeros((8, 8, 3), dtype=np.uint8)
    rgb[..., 0] = 200
    Image.fromarray(rgb).save(tmp_path / 'c.png')
    np.testing.assert_array_equal(load(tmp_path / 'c.png', to_float32=False)['img'], rgb)
    Image.fromarray(rgb).save(tmp_path / 'c.jpg', quality=95)
    jpg = load(tmp_path / 'c.jpg', expected_bands=3)['img']
    assert jpg.shape == (8, 8, 3) and abs(float(jpg[..., 0].mean()) - 200) < 3


def _corrupt(tmp_path):
    path = tmp_path / 'corrupt.tif'
    path.write_bytes(b'II*\x00' + b'\x13' * 64)
    return str(path), {}


def _missing(tmp_path):
    return str(tmp_path / 'missing.tif'), {}


def _wrong_bands(tmp_path):
    return write_tif(tmp_path / 'four.tif', np.ones((4, 3, 3), dtype=np.uint8)), dict(expected_bands=3)


def _nan(tmp_path):
    bands = np.ones((1, 3, 3), dtype=np.float32)
    bands[0, 1, 2] = np.nan
    return write_tif(tmp_path / 'nan.tif', bands), {}


def _inf(tmp_path):
    bands = np.ones((2, 3, 3), dtype=np.float32)
    bands[1, 0, 0] = np.inf
    return write_tif(tmp_path / 'inf.tif', bands, nodata=-1), {}


def _complex_nan(tmp_path):
    slc = np.ones((4, 2, 2), dtype=np.complex64)
    slc[2, 1, 1] = complex(1, np.nan)
    return write_tif(tmp_path / 'cnan.tif', slc), {}


def _all_nodata(tmp_path):
    return write_tif(tmp_path / 'empty.tif', np.zeros((3, 4, 4), dtype=np.uint8), nodata=0), {}


def _too_much_nodata(tmp_path):
    bands = np.full((1, 4, 4), 9, dtype=np.uint8)
    bands[0, :2] = 0  # 50% nodata
    return write_tif(tmp_path / 'half.tif', bands, nodata=0), dict(max_nodata_fraction=0.4)


@pytest.mark.parametrize('make', [
    _corrupt, _missing, _wrong_bands, _nan, _inf, _complex_nan, _all_nodata, _too_much_nodata])
def test_bad_inputs_raise_invalid_raster_error_naming_the_file(tmp_path, make):
    path, kwargs = make(tmp_path)
    with pytest.raises(InvalidRasterError) as info:
        load(path, **kwargs)
    assert isinstance(info.value, ValueError)
    assert path in str(info.value)


def test_half_nodata_passes_a_higher_threshold(tmp_path):
    path, _ = _too_much_nodata(tmp_path)
    assert load(path, max_nodata_fraction=0.5)['nodata_mask'].mean() == 0.5


def test_modality_from_the_dataset_and_conflicts(tmp_path):
    path = write_tif(tmp_path / 'a.tif', np.ones((1, 2, 2), dtype=np.uint8))
    assert LoadRasterImage()(dict(img_path=path, modality='ms'))['modality'] == 'ms'
    with pytest.raises(ValueError, match="'opt'.*'ms'"):
        LoadRasterImage(modality='opt')(dict(img_path=path, modality='ms'))


def test_registered_in_mmringmoe_scope():
    transform = TRANSFORMS.build(dict(type='mmringmoe.LoadRasterImage', expected_bands=4))
    assert isinstance(transform, LoadRasterImage) and transform.expected_bands == 4


def cut_in_half(path):
    """Truncate a file to half its bytes, as an interrupted copy or a full disk leaves it."""
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    return str(path)


def random_rgb(size=64):
    return np.random.default_rng(0).integers(0, 256, (size, size, 3)).astype(np.uint8)


def test_truncated_png_is_reported_as_truncated(tmp_path):
    """GDAL decodes a truncated PNG without an error (the missing rows come out as garbage)."""
    path = tmp_path / 'label.png'
    Image.fromarray(random_rgb()).save(path)
    cut_in_half(path)
    with pytest.raises(CorruptFileError, match=f'^{path}: the file is truncated: the PNG ends after '
                       '\\d+ bytes, before its end chunk \\(IEND\\)$'):
        load(path)


def tiff_with_directory_at_the_end(path, rgb):
    """A GeoTIFF whose directory GDAL rewrote after the pixels (a tag added in place)."""
    write_tif(path, rgb.transpose(2, 0, 1))
    with rasterio.open(path, 'r+') as dst:
        dst.update_tags(note='x' * 500)


@pytest.mark.parametrize('name,save,message', [
    ('scene.tif', lambda path, rgb: write_tif(path, rgb.transpose(2, 0, 1)),
     'the file is truncated: it ends after \\d+ bytes, its pixel data run to byte \\d+$'),
    ('edited.tif', tiff_with_directory_at_the_end,
     'the file is truncated: the TIFF ends after \\d+ bytes, before its directory \\(at byte \\d+\\)$'),
    ('photo.jpg', lambda path, rgb: Image.fromarray(rgb).save(path, format='JPEG'),
     'the file is truncated: the JPEG ends after \\d+ bytes, before its end marker$'),
    ('patch.png', lambda path, rgb: Image.fromarray(rgb).save(path, format='BMP'),  # mmseg's iSAID patches
     'the file is truncated or damaged: GDAL cannot decode its pixels \\(.*IReadBlock failed.*\\)$'),
])
def test_truncated_tiff_jpeg_bmp_are_reported_as_truncated(tmp_path, name, save, message):
    path = tmp_path / name
    save(path, random_rgb())
    assert load(path)['img'].shape == (64, 64, 3)  # complete: read as before
    cut_in_half(path)
    with pytest.raises(CorruptFileError, match=f'^{path}: {message}'):
        load(path)


def test_empty_file_is_reported_as_truncated(tmp_path):
    path = tmp_path / 'tile.tif'
    path.write_bytes(b'')
    with pytest.raises(CorruptFileError, match=f'^{path}: the file is truncated: it is empty \\(0 bytes\\)$'):
        load(path)


def test_complete_png_with_trailing_bytes_is_not_truncated(tmp_path):
    path = tmp_path / 'c.png'
    Image.fromarray(random_rgb()).save(path)
    with open(path, 'ab') as f:
        f.write(b'\0' * 16)  # some writers pad the file after the end chunk
    assert load(path, expected_bands=3)['img'].shape == (64, 64, 3)


def test_a_file_that_is_no_raster_is_unreadable_not_truncated(tmp_path):
    path = tmp_path / 'notes.tif'
    path.write_text('not an image')
    with pytest.raises(InvalidRasterError, match=f'^{path}: cannot be read') as info:
        load(path)
    assert not isinstance(info.value, CorruptFileError)


def test_corrupt_file_error_stays_one_line_when_a_dataloader_worker_reraises_it():
    """PyTorch re-raises a worker's error as ``type(err)(text with the worker's traceback)``."""
    message = '/data/a.png: the file is truncated: it is empty (0 bytes)'
    try:
        raise CorruptFileError(message)
    except CorruptFileError:
        wrapper = ExceptionWrapper(where='in DataLoader worker process 0')
    with pytest.raises(CorruptFileError) as info:
        wrapper.reraise()
    assert 'Traceback' in info.value.args[0] and str(info.value) == message
