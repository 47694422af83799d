import os
import os.path as osp
import sys

import pytest
from fs_limits import full_disk, read_only

from mmringmoe.utils import atomic_io
from mmringmoe.utils.atomic_io import (atomic_output, atomic_write_text, prepare_output_folder,
                                       remove_temporaries)

ATOMIC_IO = atomic_io.__file__


def test_writes_the_text_and_leaves_nothing_else(tmp_path):
    target = tmp_path / 'list.txt'
    atomic_write_text(str(target), 'a.tif\nb.tif\n')
    assert target.read_text(encoding='utf-8') == 'a.tif\nb.tif\n'
    assert os.listdir(tmp_path) == ['list.txt']


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / 'stats.json'
    target.write_text('old')
    with pytest.raises(TypeError):
        atomic_write_text(str(target), b'not text')  # the write itself fails
    assert target.read_text() == 'old' and os.listdir(tmp_path) == ['stats.json']


def test_new_files_get_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        atomic_write_text(str(tmp_path / 'x.txt'), 'x')
    finally:
        os.umask(umask)
    assert (tmp_path / 'x.txt').stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0o600


def test_atomic_output_publishes_a_complete_file_with_its_extension(tmp_path):
    target = tmp_path / 'tile.tif'
    with atomic_output(str(target)) as tmp:
        assert osp.dirname(tmp) == str(tmp_path) and tmp.endswith('.tif')
        assert osp.basename(tmp).startswith('.') and not target.exists()  # hidden from '*.tif' until done
        with open(tmp, 'wb') as f:
            f.write(b'data')
    assert target.read_bytes() == b'data' and os.listdir(tmp_path) == ['tile.tif']


def test_atomic_output_removes_the_temporary_when_the_writer_fails(tmp_path):
    with pytest.raises(ValueError):
        with atomic_output(str(tmp_path / 'tile.tif')) as tmp:
            open(tmp, 'wb').write(b'half')
            raise ValueError('encoder failed')
    assert os.listdir(tmp_path) == []


def test_remove_temporaries_removes_only_what_a_killed_writer_left(tmp_path):
    for name in ('.a.tif.x7k2q9.tmp.tif', '.list.txt.ab_12c.tmp', 'a.tif', '.done.json', '.notes.tmpl'):
        (tmp_path / name).write_text('x')
    stale = remove_temporaries(str(tmp_path))
    assert sorted(osp.basename(p) for p in stale) == ['.a.tif.x7k2q9.tmp.tif', '.list.txt.ab_12c.tmp']
    assert sorted(os.listdir(tmp_path)) == ['.done.json', '.notes.tmpl', 'a.tif']


def test_prepare_output_folder_creates_missing_parents(tmp_path):
    folder = str(tmp_path / 'a' / 'b')
    assert prepare_output_folder(folder) == folder and os.listdir(folder) == []


# Run in a subprocess under the limit; loads atomic_io.py alone (no mmringmoe import: fast).
WRITERS = '''
import importlib.util, sys
import numpy as np, torch
spec = importlib.util.spec_from_file_location('atomic_io', sys.argv[1])
io = importlib.util.module_from_spec(spec)
spec.loader.exec_module(io)
folder = sys.argv[2]
profile = dict(driver='GTiff', width=256, height=256, count=3, dtype='uint8')
noise = np.random.default_rng(0).integers(0, 256, (3, 256, 256), dtype=np.uint8)
writers = {
    'raster': lambda: io.atomic_write_raster(folder + '/t.tif', profile, lambda dst: dst.write(noise)),
    'torch': lambda: io.atomic_torch_save({'w': torch.zeros(50000)}, folder + '/m.pth'),
    'bytes': lambda: io.atomic_write_bytes(folder + '/b.bin', bytes(200000)),
    'folder': lambda: io.prepare_output_folder(folder + '/sub'),
}
for name in sys.argv[3:]:
    try:
        writers[name]()
        print(name, 'written')
    except io.OutputWriteError as err:
        print(name, err)
'''


def run_writers(limit, names):
    result = limit.run([sys.executable, '-c', WRITERS, ATOMIC_IO, str(limit.folder)] + names)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_writers_report_a_full_disk_in_one_line_and_leave_nothing(tmp_path):
    """GDAL and torch hide a full disk (a zero-byte GeoTIFF and no error; an 'unexpected pos' RuntimeError);
    each writer raises OutputWriteError naming the folder and leaves no file."""
    with full_disk(tmp_path / 'full', capacity=16 * 1024) as limit:
        lines = run_writers(limit, ['raster', 'torch', 'bytes'])
        assert lines == [f'{name} cannot write to {limit.folder}: {limit.strerror}'
                         for name in ('raster', 'torch', 'bytes')]
        assert os.listdir(limit.folder) == []


def test_prepare_output_folder_fails_early_on_a_read_only_folder(tmp_path):
    with read_only(tmp_path / 'readonly') as limit:
        line = f'folder cannot write to {limit.folder}/sub: {limit.strerror}'
        assert run_writers(limit, ['folder']) == [line]
        assert os.listdir(limit.folder) == []
