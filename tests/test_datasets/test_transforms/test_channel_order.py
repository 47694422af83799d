"""LoadRasterImage(file_channels=...): a file's channels, named in file order, come out in the modality's
canonical order (CANONICAL_BANDS) or an explicit channel_order; mismatches are caught by name."""
import numpy as np
import pytest
import rasterio

from mmringmoe.datasets.transforms import InvalidRasterError, LoadRasterImage
from mmringmoe.datasets.transforms.band_order import band_selection
from mmringmoe.models.backbones.arch_zoo import CANONICAL_BANDS, DEFAULT_MODALITIES

SAR_L1 = CANONICAL_BANDS['sar_l1']


def write(path, bands):
    """``(B, H, W)`` bands as an ungeoreferenced GeoTIFF; returns the path."""
    with rasterio.open(path, 'w', driver='GTiff', width=bands.shape[2], height=bands.shape[1],
                       count=bands.shape[0], dtype=bands.dtype.name) as dst:
        dst.write(bands)
    return str(path)


def constant_bands(values, dtype=np.uint16):
    return np.stack([np.full((3, 3), v) for v in values]).astype(dtype)


def pixel(loader, path, **results):
    return loader(dict(img_path=path, **results))['img'][0, 0].tolist()


def test_canonical_orders_give_the_default_channel_counts():
    assert DEFAULT_MODALITIES == {m: len(c) for m, c in CANONICAL_BANDS.items()}
    assert DEFAULT_MODALITIES == dict(opt=3, ms=4, sar_l1=8, sar_l2=1)
    assert CANONICAL_BANDS['ms'] == ('B', 'G', 'R', 'NIR')  # App. B.1's listing; GF-1/2 and Planet files


def test_an_rgbn_file_becomes_bgrn_for_ms_and_rgb_for_opt(tmp_path):
    path = write(tmp_path / 'rgbn.tif', constant_bands([10, 20, 30, 40]))  # R, G, B, NIR
    rgbn = ('R', 'G', 'B', 'NIR')
    assert pixel(LoadRasterImage(modality='ms', file_channels=rgbn), path) == [30, 20, 10, 40]
    assert pixel(LoadRasterImage(modality='opt', file_channels=rgbn), path) == [10, 20, 30]
    irrg = LoadRasterImage(modality='opt', file_channels=rgbn, channel_order=('NIR', 'R', 'G'))
    assert pixel(irrg, path) == [40, 10, 20]
    assert irrg.output_channels() == ('NIR', 'R', 'G')


def test_the_modality_may_come_from_the_data_info(tmp_path):
    """Pretraining tiles carry their modality in the data info; the loader orders for it."""
    path = write(tmp_path / 'bgrn.tif', constant_bands([1, 2, 3, 4]))
    loader = LoadRasterImage(file_channels=('B', 'G', 'R', 'NIR'))
    assert pixel(loader, path, modality='ms') == [1, 2, 3, 4]
    assert pixel(loader, path, modality='opt') == [3, 2, 1]
    assert loader.output_channels('opt') == ('R', 'G', 'B')
    assert loader.output_channels() == loader.file_channels  # no modality: the file's own order


def test_a_complex_slc_in_another_polarisation_order_is_reordered_by_band(tmp_path):
    pols = np.array([4, 3, 2, 1])  # the file holds VV, VH, HV, HH
    slc = (pols[:, None, None] + 10j * pols[:, None, None]) * np.ones((4, 3, 3))
    path = write(tmp_path / 'slc.tif', slc.astype(np.complex64))
    file_channels = [f'{p}_{part}' for p in ('VV', 'VH', 'HV', 'HH') for part in ('re', 'im')]
    loader = LoadRasterImage(modality='sar_l1', file_channels=file_channels)
    assert pixel(loader, path) == [1, 10, 2, 20, 3, 30, 4, 40]  # HH_re, HH_im, HV_re, ... VV_im


def test_a_complex_band_is_never_split(tmp_path):
    with pytest.raises(ValueError, match='read whole'):
        band_selection(SAR_L1, ('HH_im', 'HH_re') + SAR_L1[2:], complex_bands=True)
    assert band_selection(SAR_L1, SAR_L1, complex_bands=True) == [1, 2, 3, 4]
    assert band_selection(SAR_L1, SAR_L1, complex_bands=False) == list(range(1, 9))


def test_a_file_that_does_not_match_its_description_names_the_file(tmp_path):
    path = write(tmp_path / 'three.tif', constant_bands([1, 2, 3]))
    loader = LoadRasterImage(modality='ms', file_channels=('B', 'G', 'R', 'NIR'))
    with pytest.raises(InvalidRasterError, match=r'three\.tif: has 3 channels .* describes 4'):
        loader(dict(img_path=path))


@pytest.mark.parametrize('kwargs, message', [
    (dict(modality='opt', file_channels=('NIR', 'R', 'G')), r"channels \['B'\] .*\(channel_order"),
    (dict(modality='ms', file_channels=('B', 'G', 'B', 'NIR')), 'more than once'),
    (dict(modality='opt', file_channels=('R', 'G', 'B'), bands=[1, 2, 3]), 'not both'),
    (dict(modality='opt', channel_order=('R', 'G', 'B')), 'needs file_channels'),
    (dict(modality='radar', file_channels=('R', )), 'unknown modality'),
])
def test_bad_descriptions_fail_when_the_config_is_built(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LoadRasterImage(**kwargs)
