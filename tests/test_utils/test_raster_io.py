"""rasterio round-trips the GeoTIFFs RingMoE reads: multi-band uint16 optical/MS, complex SAR (CFloat32)."""
import struct

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.transform import Affine

CRS_UTM50N = CRS.from_epsg(32650)
# 10 m pixels, upper-left corner at (500000 E, 4400000 N) in UTM zone 50N.
TRANSFORM = Affine(10.0, 0.0, 500000.0, 0.0, -10.0, 4400000.0)


def _first_ifd_short_tags(path):
    """``{tag: first value}`` of the SHORT tags in a little-endian classic TIFF's first IFD."""
    data = path.read_bytes()
    assert data[:4] == b'II*\x00', 'not a little-endian classic TIFF'
    (ifd, ) = struct.unpack_from('<I', data, 4)
    (count, ) = struct.unpack_from('<H', data, ifd)
    tags = {}
    for i in range(count):
        entry = ifd + 2 + 12 * i
        tag, field_type, values = struct.unpack_from('<HHI', data, entry)
        if field_type == 3:  # SHORT: inline when two fit in the 4-byte field, else at an offset
            where = entry + 8 if values <= 2 else struct.unpack_from('<I', data, entry + 8)[0]
            tags[tag] = struct.unpack_from('<H', data, where)[0]
    return tags


def _profile(count, dtype, nodata, height=6, width=5):
    return dict(
        driver='GTiff',
        height=height,
        width=width,
        count=count,
        dtype=dtype,
        crs=CRS_UTM50N,
        transform=TRANSFORM,
        nodata=nodata)


def test_uint16_8_band_geotiff_round_trip(tmp_path):
    path = tmp_path / 'ms.tif'
    rng = np.random.default_rng(0)
    bands = rng.integers(1, 65535, size=(8, 6, 5), dtype=np.uint16)
    bands[3, 0, 0] = 0  # a nodata pixel
    bands[7, 5, 4] = 65535  # the top of the range survives
    with rasterio.open(path, 'w', **_profile(8, 'uint16', nodata=0)) as dst:
        dst.write(bands)

    with rasterio.open(path) as src:
        assert src.count == 8
        assert src.dtypes == ('uint16', ) * 8
        assert src.crs == CRS_UTM50N and src.crs.to_epsg() == 32650
        assert src.transform == TRANSFORM
        assert src.nodata == 0
        assert src.nodatavals == (0.0, ) * 8
        read = src.read()
        assert read.dtype == np.uint16
        np.testing.assert_array_equal(read, bands)
        # The nodata value is honoured by masked reads.
        band4 = src.read(4, masked=True)
        assert band4.mask[0, 0] and band4.mask.sum() == 1
        # Pixel (row 2, col 3) centre in map coordinates.
        assert src.xy(2, 3) == (500000.0 + 3.5 * 10, 4400000.0 - 2.5 * 10)
    tags = _first_ifd_short_tags(path)
    assert tags[339] == 1 and tags[258] == 16 and tags[277] == 8  # unsigned int, 16 bits, 8 samples


def test_complex64_sar_band_round_trip(tmp_path):
    path = tmp_path / 'slc.tif'
    rng = np.random.default_rng(1)
    slc = (rng.standard_normal((1, 6, 5)) + 1j * rng.standard_normal((1, 6, 5))).astype(np.complex64)
    slc[0, 1, 2] = 0
    with rasterio.open(path, 'w', **_profile(1, 'complex64', nodata=0)) as dst:
        dst.write(slc)

    with rasterio.open(path) as src:
        assert src.dtypes == ('complex64', )
        assert src.crs == CRS_UTM50N
        assert src.transform == TRANSFORM
        assert src.nodata == 0
        read = src.read()
        assert read.dtype == np.complex64
        np.testing.assert_array_equal(read, slc)  # bit-exact real and imaginary parts
        np.testing.assert_array_equal(read.real, slc.real)
        np.testing.assert_array_equal(read.imag, slc.imag)
    # On disk: GDAL's CFloat32 is TIFF SampleFormat 6 (complex IEEE float) with 64 bits per sample.
    tags = _first_ifd_short_tags(path)
    assert tags[339] == 6 and tags[258] == 64
