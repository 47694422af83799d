"""ModalityTileDataset: list file and folder scan, skipping bad tiles with a count and a named warning."""
import logging

import numpy as np
import pytest
import rasterio
from mmengine.logging import MMLogger
from rasterio.crs import CRS
from rasterio.transform import Affine
from torch.utils.data import DataLoader

from mmringmoe.datasets import InvalidRasterError, ModalityTileDataset
from mmringmoe.registry import DATASETS

PIPELINE = [dict(type='mmringmoe.LoadRasterImage', expected_bands=3)]


def write_tile(path, value=10.0, count=3, dtype='float32'):
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, 'w', driver='GTiff', width=4, height=4, count=count, dtype=dtype,
                       crs=CRS.from_epsg(32650), transform=Affine(1, 0, 0, 0, -1, 4)) as dst:
        dst.write(np.full((count, 4, 4), value, dtype=dtype))
    return path


class RecordHandler(logging.Handler):

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def warnings_log():
    logger = MMLogger.get_current_instance()
    handler = RecordHandler()
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


def test_list_file_paths_are_relative_to_the_prefix(tmp_path):
    (tmp_path / 'opt').mkdir()
    (tmp_path / 'opt' / 'opt.txt').write_text('# tiles\nsceneA/a_y0_x0.tif\n\nsceneB/b_y0_x64.tif\n')
    ds = ModalityTileDataset(
        modality='opt', data_root=str(tmp_path), ann_file='opt/opt.txt', data_prefix=dict(img_path='opt/'))
    assert len(ds) == 2
    info = ds.get_data_info(1)
    assert info['img_path'] == str(tmp_path / 'opt' / 'sceneB' / 'b_y0_x64.tif')
    assert info['modality'] == 'opt'


def test_folder_scan_is_recursive_and_filters_extensions(tmp_path):
    for rel in ('a/x.tif', 'a/b/y.TIFF', 'c.png', 'd.jpg'):
        write_tile(tmp_path / rel)
    (tmp_path / 'notes.txt').write_text('not a tile')
    (tmp_path / 'a' / 'x.tif.part').write_text('temporary')
    ds = DATASETS.build(
        dict(type='ModalityTileDataset', modality='ms', data_prefix=dict(img_path=str(tmp_path))))
    names = sorted(p['img_path'][len(str(tmp_path)) + 1:] for p in ds.load_data_list())
    assert names == ['a/b/y.TIFF', 'a/x.tif', 'c.png', 'd.jpg']
    assert {ds.get_data_info(i)['modality'] for i in range(len(ds))} == {'ms'}


def test_empty_or_missing_sources_fail_clearly(tmp_path):
    with pytest.raises(ValueError, match='no tiles'):
        ModalityTileDataset(modality='opt', data_prefix=dict(img_path=str(tmp_path)))
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        ModalityTileDataset(modality='opt', ann_file=str(tmp_path / 'missing.txt'))


@pytest.fixture
def bad_then_good(tmp_path):
    bad = write_tile(tmp_path / 'bad.tif', value=np.nan)
    good = write_tile(tmp_path / 'good.tif', value=3.0)
    (tmp_path / 'list.txt').write_text('bad.tif\ngood.tif\n')
    ds = ModalityTileDataset(modality='opt', ann_file=str(tmp_path / 'list.txt'),
                             data_prefix=dict(img_path=str(tmp_path)), pipeline=PIPELINE)
    return ds, str(bad), str(good)


def test_bad_tile_is_skipped_counted_and_logged(bad_then_good, warnings_log):
    ds, bad, good = bad_then_good
    ds._rand_another = lambda: 1  # the refetch lands on the good tile
    assert ds.num_skipped == 0

    item = ds[0]
    assert item['img_path'] == good and item['modality'] == 'opt'
    assert np.isfinite(item['img']).all()
    assert ds.num_skipped == 1
    assert len(warnings_log) == 1 and bad in warnings_log[0]

    ds[1]
    assert ds.num_skipped == 1
    ds[0]
    assert ds.num_skipped == 2


def test_only_bad_tiles_stop_after_max_refetch(tmp_path):
    write_tile(tmp_path / 'two_bands.tif', count=2)
    ds = ModalityTileDataset(modality='opt', data_prefix=dict(img_path=str(tmp_path)), pipeline=PIPELINE,
                             max_refetch=3)
    with pytest.raises(Exception, match='Cannot find valid image'):
        ds[0]
    assert ds.num_skipped == 4


def test_test_mode_raises_the_error(bad_then_good):
    ds, bad, _ = bad_then_good
    ds.test_mode = True
    with pytest.raises(InvalidRasterError, match='bad.tif'):
        ds[0]


def test_skip_count_reaches_the_main_process_from_workers(bad_then_good):
    ds, _, good = bad_then_good
    loader = DataLoader(ds, batch_size=None, num_workers=1, collate_fn=lambda x: x)
    paths = [item['img_path'] for item in loader]
    assert paths[1] == good and len(paths) == 2
    assert ds.num_skipped >= 1  # counted in the worker, read here
