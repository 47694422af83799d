"""make_pretrain_tiles.py writes every tile in its modality's canonical channel order (CANONICAL_BANDS),
reordering a scene stored otherwise (--file-channels), and names the tile's bands by it."""
import importlib.util
import os.path as osp
import re
import sys

import numpy as np
import pytest
import rasterio

from mmringmoe.datasets.transforms import LoadRasterImage
from mmringmoe.models.backbones.arch_zoo import CANONICAL_BANDS

TOOL = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'dataset_converters', 'make_pretrain_tiles.py')
spec = importlib.util.spec_from_file_location('make_pretrain_tiles', TOOL)
tiler = importlib.util.module_from_spec(spec)
sys.modules.setdefault('make_pretrain_tiles', tiler)
spec.loader.exec_module(tiler)


def write_scene(path, values, dtype=np.uint8):
    """A 64 x 64 scene whose band i holds ``values[i]`` everywhere."""
    bands = (np.asarray(values)[:, None, None] * np.ones((1, 64, 64))).astype(dtype)
    with rasterio.open(path, 'w', driver='GTiff', width=64, height=64, count=len(values),
                       dtype=np.dtype(dtype).name) as dst:
        dst.write(bands)
    return str(path)


def only_tile(out):
    with open(osp.join(out, f'{osp.basename(out)}.txt')) as f:
        (name, ) = f.read().split()
    with rasterio.open(osp.join(out, name)) as src:
        return src.read()[:, 0, 0].tolist(), src.descriptions


def test_an_rgbn_scene_is_tiled_as_bgrn_ms_and_read_back_canonically(tmp_path):
    scene = write_scene(tmp_path / 'rgbn.tif', [10, 20, 30, 40])
    out = str(tmp_path / 'ms')
    tiler.tile_scenes([scene], 'ms', out, tile=64, step=64, show_progress=False,
                      file_channels=['R', 'G', 'B', 'NIR'])
    values, descriptions = only_tile(out)
    assert values == [30, 20, 10, 40] and descriptions == ('B', 'G', 'R', 'NIR')
    # The pretraining config's loader (tiles described as canonical) reads them unchanged.
    loader = LoadRasterImage(modality='ms', file_channels=CANONICAL_BANDS['ms'])
    with open(osp.join(out, 'ms.txt')) as f:
        img = loader(dict(img_path=osp.join(out, f.read().strip())))['img']
    assert img[0, 0].tolist() == [30, 20, 10, 40]


def test_a_bgrn_scene_gives_rgb_opt_tiles(tmp_path):
    scene = write_scene(tmp_path / 'bgrn.tif', [1, 2, 3, 4])
    out = str(tmp_path / 'opt')
    tiler.tile_scenes([scene], 'opt', out, tile=64, step=64, show_progress=False,
                      file_channels=['B', 'G', 'R', 'NIR'])
    assert only_tile(out) == ([3, 2, 1], ('R', 'G', 'B'))


def test_a_complex_slc_is_reordered_by_whole_bands(tmp_path):
    pols = np.array([4, 3, 2, 1])  # VV, VH, HV, HH
    scene = write_scene(tmp_path / 'slc.tif', pols - 10j * pols, dtype=np.complex64)
    out = str(tmp_path / 'sar_l1')
    file_channels = [f'{p}_{part}' for p in ('VV', 'VH', 'HV', 'HH') for part in ('re', 'im')]
    tiler.tile_scenes([scene], 'sar_l1', out, tile=64, step=64, show_progress=False,
                      file_channels=file_channels)
    values, descriptions = only_tile(out)
    assert values == [1 - 10j, 2 - 20j, 3 - 30j, 4 - 40j] and descriptions == ('HH', 'HV', 'VH', 'VV')


def test_the_folder_remembers_the_channel_description(tmp_path):
    scene = write_scene(tmp_path / 'rgb.tif', [1, 2, 3])
    out = str(tmp_path / 'opt')
    tiler.tile_scenes([scene], 'opt', out, tile=64, step=64, show_progress=False)
    # Stating the canonical order is the default: the same settings.
    tiler.tile_scenes([scene], 'opt', out, tile=64, step=64, show_progress=False,
                      file_channels=['R', 'G', 'B'])
    with pytest.raises(tiler.SceneError, match='was tiled with'):
        tiler.tile_scenes([scene], 'opt', out, tile=64, step=64, show_progress=False,
                          file_channels=['B', 'G', 'R'])


@pytest.mark.parametrize('option, message', [
    ([], r"4 uint8 band\(s\) = 4 channel\(s\), but modality 'opt' needs 3: R G B \(see --file-channels\)"),
    (['--file-channels', 'B', 'G', 'R'], '--file-channels names 3'),
    (['--file-channels', 'R', 'G', 'X', 'NIR'], r"channels \['B'\]"),
])
def test_cli_says_in_one_line_what_does_not_fit(tmp_path, capsys, option, message):
    scene = write_scene(tmp_path / 'rgbn.tif', [1, 2, 3, 4])
    with pytest.raises(SystemExit) as exit_info:
        tiler.main([scene, '--modality', 'opt', '--out', str(tmp_path / 'out')] + option)
    line = str(exit_info.value.code)
    assert line.startswith('make_pretrain_tiles: ') and '\n' not in line
    assert re.search(message, line), line
