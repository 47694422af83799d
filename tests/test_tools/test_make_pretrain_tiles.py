"""make_pretrain_tiles.py: tile count, border rule, georeferenced tiles, resume, windowed reads, CLI, and
no corrupt tile ever (full disk, read-only folder, rerun after a failure)."""
import importlib.util
import os
import os.path as osp
import sys

import numpy as np
import pytest
import rasterio
from fs_limits import full_disk, read_only
from rasterio.crs import CRS
from rasterio.transform import Affine

TOOL = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'dataset_converters', 'make_pretrain_tiles.py')
spec = importlib.util.spec_from_file_location('make_pretrain_tiles', TOOL)
tiler = importlib.util.module_from_spec(spec)
sys.modules.setdefault('make_pretrain_tiles', tiler)
spec.loader.exec_module(tiler)

CRS_UTM50N = CRS.from_epsg(32650)
TRANSFORM = Affine(0.5, 0.0, 300000.0, 0.0, -0.5, 4000000.0)


def write_scene(path, bands, dtype=None, nodata=None):
    with rasterio.open(path, 'w', driver='GTiff', width=bands.shape[2], height=bands.shape[1],
                       count=bands.shape[0], dtype=dtype or bands.dtype.name, crs=CRS_UTM50N,
                       transform=TRANSFORM, nodata=nodata) as dst:
        dst.write(bands)
    return str(path)


def ramp_scene(height, width, count=3, dtype=np.uint8):
    """Pixel values that identify their position (never 0), so a tile's window can be checked."""
    yy, xx = np.mgrid[0:height, 0:width]
    return np.stack([(yy * 7 + xx * 3 + b) % 250 + 1 for b in range(count)]).astype(dtype)


def read_list(out):
    with open(osp.join(out, 'opt.txt')) as f:
        return f.read().splitlines()


def test_tile_count_names_and_georeferencing(tmp_path):
    scene = ramp_scene(200, 300)
    path = write_scene(tmp_path / 'sceneA.tif', scene, nodata=0)
    out = str(tmp_path / 'out')
    list_path = tiler.tile_scenes([path], 'opt', out, tile=64, step=48, show_progress=False)

    # Columns: offsets 0, 48, ..., 192 (240 + 64 > 300): 5; rows: 0, 48, 96 (144 + 64 > 200): 3.
    tiles = read_list(out)
    assert list_path == osp.join(out, 'opt.txt')
    assert len(tiles) == 5 * 3 == len(set(tiles))
    assert tiles[0] == 'sceneA/sceneA_y000000_x000000.tif'
    assert 'sceneA/sceneA_y000096_x000192.tif' in tiles

    with rasterio.open(osp.join(out, 'sceneA', 'sceneA_y000096_x000144.tif')) as src:
        assert (src.width, src.height, src.count, src.dtypes[0]) == (64, 64, 3, 'uint8')
        np.testing.assert_array_equal(src.read(), scene[:, 96:160, 144:208])
        assert src.crs == CRS_UTM50N and src.nodata == 0
        assert src.transform == TRANSFORM @ Affine.translation(144, 96)


def test_complex_and_16_bit_scenes_keep_their_dtype(tmp_path):
    slc = (ramp_scene(64, 64, count=4).astype(np.float32) * (1 - 2j)).astype(np.complex64)
    path = write_scene(tmp_path / 'slc.tif', slc, dtype='complex_int16')
    out = str(tmp_path / 'sar')
    tiler.tile_scenes([path], 'sar_l1', out, tile=32, step=32, show_progress=False)
    with rasterio.open(osp.join(out, 'slc', 'slc_y000032_x000000.tif')) as src:
        assert src.dtypes[0] == 'complex_int16' and src.count == 4
        np.testing.assert_array_equal(src.read(), slc[:, 32:64, 0:32])

    wide = ramp_scene(32, 32, count=8, dtype=np.int16) * -120
    path = write_scene(tmp_path / 'slc8.tif', wide)
    tiler.tile_scenes([path], 'sar_l1', str(tmp_path / 'sar8'), tile=32, step=32, show_progress=False)
    with rasterio.open(tmp_path / 'sar8' / 'slc8' / 'slc8_y000000_x000000.tif') as src:
        assert src.dtypes[0] == 'int16'
        np.testing.assert_array_equal(src.read(), wide)


def test_border_rule_drops_tiles_above_the_threshold(tmp_path):
    scene = ramp_scene(128, 192)
    scene[:, :64, :25] = 255  # nodata: 25/64 = 39% of tile (0, 0) -> dropped
    scene[:, 64:, :15] = 255  # 15/64 = 23% of tile (64, 0) -> kept
    scene[:, :64, 64:84] = 0  # black (all bands 0, not nodata): 31% of tile (0, 64) -> dropped
    scene[0, 64:, 64:128] = 0  # one band 0 is not black -> tile (64, 64) kept
    scene[:, 64:128, 128:192][:, :, :18] = 0  # 18/64 = 28% black -> kept
    out = str(tmp_path / 'out')
    tiler.tile_scenes([write_scene(tmp_path / 's.tif', scene, nodata=255)], 'opt', out, tile=64, step=64,
                      max_border=0.3, show_progress=False)
    assert read_list(out) == [f's/s_y{y:06d}_x{x:06d}.tif' for y, x in
                              [(0, 128), (64, 0), (64, 64), (64, 128)]]


def test_resume_after_interruption_gives_the_same_list(tmp_path, monkeypatch):
    scenes = [write_scene(tmp_path / f'scene{i}.tif', ramp_scene(160, 160)) for i in range(2)]
    reference = str(tmp_path / 'reference')
    tiler.tile_scenes(scenes, 'opt', reference, tile=64, step=32, show_progress=False)
    expected = read_list(reference)
    assert len(expected) == 2 * 4 * 4

    out = str(tmp_path / 'out')
    real_write, written = tiler.write_tile, []

    def interrupted_write(path, *args):
        if len(written) == 20:  # in the middle of the second scene
            open(osp.join(osp.dirname(path), f'.{osp.basename(path)}.x7k2q9.tmp.tif'), 'wb').close()  # a half
            raise KeyboardInterrupt  # written temporary file
        written.append(path)
        real_write(path, *args)

    monkeypatch.setattr(tiler, 'write_tile', interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        tiler.tile_scenes(scenes, 'opt', out, tile=64, step=32, show_progress=False)
    os.remove(written[3])  # a finished scene loses a tile too
    before = {p: os.stat(p).st_mtime_ns for p in written[4:]}

    rewrites = []

    def counted_write(path, *args):
        rewrites.append(path)
        real_write(path, *args)

    monkeypatch.setattr(tiler, 'write_tile', counted_write)
    tiler.tile_scenes(scenes, 'opt', out, tile=64, step=32, show_progress=False)
    assert read_list(out) == expected
    assert len(rewrites) == len(expected) - 19  # only the missing tiles are written
    assert written[3] in rewrites
    assert all(os.stat(p).st_mtime_ns == t for p, t in before.items())
    assert temporaries(out) == []

    rewrites.clear()
    tiler.tile_scenes(scenes, 'opt', out, tile=64, step=32, show_progress=False)
    assert rewrites == [] and read_list(out) == expected


def temporaries(out):
    return [f for _, _, fs in os.walk(out) for f in fs if '.tmp' in f]


def tile_bytes(out):
    """``{relative path: bytes}`` of every tile (``.tif``) under ``out``."""
    files = {}
    for root, _, names in os.walk(out):
        for name in names:
            if name.endswith('.tif'):
                with open(osp.join(root, name), 'rb') as f:
                    files[osp.relpath(osp.join(root, name), out)] = f.read()
    return files


def test_a_rerun_trusts_only_the_tiles_it_finished(tmp_path, monkeypatch):
    scenes = [write_scene(tmp_path / f'scene{i}.tif', ramp_scene(160, 160)) for i in range(2)]
    reference = str(tmp_path / 'reference')
    tiler.tile_scenes(scenes, 'opt', reference, tile=64, step=32, show_progress=False)
    out = str(tmp_path / 'out')
    tiler.tile_scenes(scenes, 'opt', out, tile=64, step=32, show_progress=False)

    # What a killed run, a full disk or an older version of the tool leaves: scene1 unfinished with an empty
    # and a truncated tile under their final names; in the finished scene0 a tile lost its end.
    tiler.write_json(osp.join(out, 'scene1', tiler.DONE_FILE), dict(scene=scenes[1], complete=False))
    empty = osp.join(out, 'scene1', 'scene1_y000032_x000064.tif')
    cut = osp.join(out, 'scene1', 'scene1_y000096_x000000.tif')
    cut0 = osp.join(out, 'scene0', 'scene0_y000000_x000032.tif')
    open(empty, 'wb').close()
    for path in (cut, cut0):
        os.truncate(path, os.path.getsize(path) // 2)
    assert open(tiler.write_list(out, 'opt')).read() == ''  # neither scene's tiles can be trusted now

    rewrites, real_write = [], tiler.write_tile

    def counted_write(path, *args):
        rewrites.append(path)
        real_write(path, *args)

    monkeypatch.setattr(tiler, 'write_tile', counted_write)
    tiler.tile_scenes(scenes, 'opt', out, tile=64, step=32, show_progress=False)
    assert sorted(rewrites) == sorted([empty, cut, cut0])  # the intact tiles are verified, not rewritten
    assert read_list(out) == read_list(reference)
    assert tile_bytes(out) == tile_bytes(reference)


def tiling_args(tmp_path, out):
    scenes = [write_scene(tmp_path / f'scene{i}.tif', ramp_scene(160, 160)) for i in range(2)]
    return scenes + ['--modality', 'opt', '--out', str(out), '--tile', '64', '--step', '32']


def assert_one_line_failure(result, out, strerror):
    assert result.returncode != 0 and 'Traceback' not in result.stderr, result.stderr
    line = result.stderr.splitlines()[-1]
    assert line.startswith(f'make_pretrain_tiles: cannot write to {out}: {strerror}'), line


def test_a_full_disk_leaves_complete_tiles_only_and_a_rerun_finishes(tmp_path):
    reference = tmp_path / 'reference'
    assert tiler.main(tiling_args(tmp_path, reference)) == 0
    expected = tile_bytes(reference)  # 32 tiles of 12.4 kB

    # 64 KiB hold a few tiles (without mount rights: no file over 4 kB, i.e. no tile, can be written).
    with full_disk(tmp_path / 'out', capacity=64 * 1024, file_limit=4096) as limit:
        args = tiling_args(tmp_path, limit.folder)
        assert_one_line_failure(limit.run([sys.executable, TOOL] + args), limit.folder, limit.strerror)
        written = tile_bytes(limit.folder)
        assert len(written) < len(expected)
        assert all(expected[path] == data for path, data in written.items())  # no empty or cut tile
        assert temporaries(limit.folder) == [] and not osp.exists(limit.folder / 'opt.txt')

        limit.resize(1 << 24)  # space freed: the documented rerun
        assert tiler.main(args) == 0
        assert tile_bytes(limit.folder) == expected
        assert read_list(limit.folder) == read_list(reference)


def test_a_read_only_output_folder_is_one_line(tmp_path):
    with read_only(tmp_path / 'readonly') as limit:
        out = limit.folder / 'tiles'
        assert_one_line_failure(limit.run([sys.executable, TOOL] + tiling_args(tmp_path, out)), out,
                                limit.strerror)
        assert [f for _, _, fs in os.walk(limit.folder) for f in fs] == []


def test_scene_is_read_one_row_of_tiles_at_a_time(tmp_path, monkeypatch):
    height, width, tile, step = 256, 200, 64, 32
    path = write_scene(tmp_path / 'big.tif', ramp_scene(height, width))
    windows = []
    real_open = rasterio.open

    class Recorder:

        def __init__(self, src):
            self.src = src

        def __getattr__(self, name):
            return getattr(self.src, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.src.__exit__(*exc)

        def read(self, *args, window=None, **kwargs):
            windows.append(window)
            return self.src.read(*args, window=window, **kwargs)

    monkeypatch.setattr(rasterio, 'open', lambda p, *a, **k: Recorder(real_open(p, *a, **k)) if not a else
                        real_open(p, *a, **k))
    tiler.tile_scenes([path], 'opt', str(tmp_path / 'out'), tile=tile, step=step, show_progress=False)
    assert windows and None not in windows
    assert all(w.height <= tile and w.width == width for w in windows)
    assert sum(w.height for w in windows) == height  # each scene row read once


def test_cli_help_and_one_line_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        tiler.main(['--help'])
    assert info.value.code == 0 and '--max-border' in capsys.readouterr().out

    with pytest.raises(SystemExit) as info:
        tiler.main([str(tmp_path / 'nope.tif'), '--modality', 'opt', '--out', str(tmp_path / 'o')])
    assert info.value.code != 0
    assert 'scene not found' in str(info.value.code) and '\n' not in str(info.value.code)

    four = write_scene(tmp_path / 'four.tif', ramp_scene(64, 64, count=4))
    with pytest.raises(SystemExit) as info:
        tiler.main([four, '--modality', 'opt', '--out', str(tmp_path / 'o')])
    message = str(info.value.code)
    assert 'four.tif' in message and "'opt' needs 3" in message and '\n' not in message

    ms_args = [four, '--modality', 'ms', '--out', str(tmp_path / 'ms'), '--step', '32']
    assert tiler.main(ms_args + ['--tile', '32']) == 0
    assert '4 tiles' in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        tiler.main(ms_args + ['--tile', '16'])
    assert 'tiled with' in str(info.value.code)

    zipped = str(tmp_path / 'zipped')
    assert tiler.main([four, '--modality', 'ms', '--out', zipped, '--tile', '32',
                       '--compress', 'deflate']) == 0
    with rasterio.open(osp.join(zipped, 'four', 'four_y000000_x000000.tif')) as src:
        assert src.compression.value == 'DEFLATE'
        np.testing.assert_array_equal(src.read(), ramp_scene(64, 64, count=4)[:, :32, :32])
