"""The segmentation converters on a full disk and into a read-only folder (issue 18.4): one line naming the
folder, no file cut short under its final name, no temporary file left, and a rerun with space finishes
with the same files as a run that never failed."""
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import pytest
from fs_limits import Limit, full_disk, read_only
from seg_layouts import (REPO, load_tool, unzip_isaid_release, write_dfc23_release, write_png, write_tif,
                         write_whu_release)


CONVERTERS_DIR = os.path.join(REPO, 'tools', 'dataset_converters')


def run_here(tool: str, args: List[str]) -> int:
    """``main(args)`` of ``tools/dataset_converters/<tool>.py``, in this process."""
    return load_tool(f'tools/dataset_converters/{tool}.py').main(args)


def run(limit: Limit, tool: str, args: List[str]) -> Tuple[int, List[str]]:
    """Run ``tools/dataset_converters/<tool>.py`` under ``limit``: in this process where the limit holds
    here too (a tmpfs), else as a subprocess. Returns its exit status and the lines of its error output."""
    if not limit.in_process:
        result = limit.run([sys.executable, os.path.join(CONVERTERS_DIR, f'{tool}.py')] + args)
        return result.returncode, result.stderr.splitlines()
    try:
        return run_here(tool, args), []
    except SystemExit as exit:
        return 1, [str(exit.code)]


def assert_one_line_failure(status: int, lines: List[str], tool: str, folder: Path, strerror: str) -> None:
    assert status != 0 and not any('Traceback' in line for line in lines), lines
    pattern = re.compile(f'^{tool}: cannot write to {re.escape(str(folder))}.*: {re.escape(strerror)}$')
    assert any(pattern.match(line) for line in lines), lines


def files(root: Path) -> Dict[Path, bytes]:
    """Relative path -> content of every file under ``root``."""
    return {p.relative_to(root): p.read_bytes() for p in root.rglob('*') if p.is_file()}


def hidden(root: Path) -> List[Path]:
    """Temporary files and staging folders (hidden names) under ``root``."""
    return list(root.rglob('.*'))


def fill_up(folder: Path) -> None:
    """Take every free byte of the file system of ``folder``."""
    fd = os.open(folder / 'filler', os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError:
        pass
    finally:
        os.close(fd)


def write_isaid(release: Path) -> None:
    """The demo's iSAID release, unpacked (the tool unpacks archives into a temporary folder elsewhere)."""
    load_tool('tools/dataset_converters/make_demo_seg_data.py').write_isaid_release(
        str(release), np.random.default_rng(0))
    unzip_isaid_release(release)


def write_potsdam(release: Path) -> None:
    release.mkdir(parents=True)
    rng = np.random.default_rng(0)
    write_tif(str(release / 'top_potsdam_2_10_IRRG.tif'), rng.integers(0, 256, (3, 64, 64)).astype(np.uint8))
    white = np.full((3, 64, 64), 255, dtype=np.uint8)  # impervious surface
    write_tif(str(release / 'top_potsdam_2_10_label_noBoundary.tif'), white)
    for archive, name in (('3_Ortho_IRRG.zip', '3_Ortho_IRRG/top_potsdam_2_10_IRRG.tif'),
                          ('5_Labels_all_noBoundary.zip', 'top_potsdam_2_10_label_noBoundary.tif')):
        with zipfile.ZipFile(release / archive, 'w') as z:
            z.write(release / os.path.basename(name), name)


def write_sarsegl1(raw: Path) -> None:
    rng = np.random.default_rng(0)
    for pol in ('HH', 'HV', 'VH', 'VV'):
        write_tif(str(raw / 'Guangzhou' / f'{pol}.tif'), rng.normal(0, 50, (1, 11, 13)).astype(np.complex64),
                  georeferenced=False)
    write_png(str(raw / 'Guangzhou' / 'label.png'), rng.integers(0, 6, (11, 13)))


# tool -> (writer of a tiny release, the tool's arguments for release and output folder, a disk capacity that
# holds part of the output, the largest file the tool must still write where only file sizes can be limited)
CONVERTERS = {
    'whu_opt_sar': (lambda root: write_whu_release(str(root), np.random.default_rng(0)),
                    lambda release, out: [str(release), '-o', str(out), '--patch', '32'], 32768, 2048),
    'sarsegl1': (write_sarsegl1,
                 lambda release, out: [str(release), '-o', str(out), '--format', 'complex', '--patch', '5',
                                       '--overlap', '2'], 32768, 512),
    'isaid': (write_isaid, lambda release, out: [
        str(release), '-o', str(out), '--patch_width', '128', '--patch_height', '128', '--overlap_area', '0'
    ], 262144, 16384),
    'potsdam': (write_potsdam, lambda release, out: [
        str(release), '-o', str(out), '--clip_size', '32', '--stride_size', '32'
    ], 16384, 1024),
}


@pytest.mark.parametrize('tool', sorted(CONVERTERS))
def test_full_disk_leaves_complete_files_only_and_a_rerun_finishes(tool, tmp_path):
    write_release, arguments, capacity, file_limit = CONVERTERS[tool]
    release = tmp_path / 'release'
    write_release(release)
    assert run_here(tool, arguments(release, tmp_path / 'reference')) == 0
    expected = files(tmp_path / 'reference')
    with full_disk(tmp_path / 'out', capacity=capacity, file_limit=file_limit) as limit:
        status, lines = run(limit, tool, arguments(release, limit.folder))
        assert_one_line_failure(status, lines, tool, limit.folder, limit.strerror)
        written = files(limit.folder)
        assert len(written) < len(expected)
        assert all(expected[path] == data for path, data in written.items())  # none empty or cut short
        assert hidden(limit.folder) == []

        limit.resize(1 << 26)  # space freed: the rerun
        assert run(limit, tool, arguments(release, limit.folder))[0] == 0
        assert files(limit.folder) == expected and hidden(limit.folder) == []


@pytest.mark.parametrize('tool', sorted(CONVERTERS))
def test_read_only_output_folder_is_one_line(tool, tmp_path):
    write_release, arguments, _, _ = CONVERTERS[tool]
    write_release(tmp_path / 'release')
    with read_only(tmp_path / 'readonly') as limit:
        out = limit.folder / 'out'
        status, lines = run(limit, tool, arguments(tmp_path / 'release', out))
        assert_one_line_failure(status, lines, tool, out, limit.strerror)
        assert [f for _, _, names in os.walk(limit.folder) for f in names] == []


def test_dfc23_full_disk_and_read_only_label_folder(tmp_path):
    write_dfc23_release(str(tmp_path / 'reference'))
    shutil.copytree(tmp_path / 'reference', tmp_path / 'release')
    assert run_here('dfc23', [str(tmp_path / 'reference')]) == 0
    expected = files(tmp_path / 'reference' / 'train' / 'label')
    with full_disk(tmp_path / 'release' / 'train' / 'label', capacity=16 * 1024, file_limit=64) as limit:
        status, lines = run(limit, 'dfc23', [str(tmp_path / 'release')])
        assert_one_line_failure(status, lines, 'dfc23', limit.folder, limit.strerror)
        written = files(limit.folder)
        assert len(written) < len(expected) and all(expected[p] == data for p, data in written.items())
        assert hidden(limit.folder) == [] and not (tmp_path / 'release' / 'splits' / 'train.txt').exists()
        limit.resize(1 << 20)
        assert run(limit, 'dfc23', [str(tmp_path / 'release')])[0] == 0
        assert files(limit.folder) == expected
    with read_only(tmp_path / 'release' / 'train' / 'label') as limit:
        status, lines = run(limit, 'dfc23', [str(tmp_path / 'release')])
        assert_one_line_failure(status, lines, 'dfc23', limit.folder, limit.strerror)


def test_air_polsar_seg_full_disk_writes_no_split_list(tmp_path):
    tiles = tmp_path / 'tiles'
    for i in range(4):
        for pol in ('HH', 'HV', 'VH', 'VV'):
            write_tif(str(tiles / f'{i}_{pol}.tiff'), np.zeros((1, 8, 8), np.uint8), georeferenced=False)
        write_png(str(tiles / f'{i}_gt.png'), np.zeros((8, 8, 3)))
    with full_disk(tmp_path / 'data', capacity=4096, file_limit=4) as limit:
        (limit.folder / 'tiles').symlink_to('../tiles')  # the release, in a folder that cannot take a file
        if limit.in_process:
            fill_up(limit.folder)
        status, lines = run(limit, 'air_polsar_seg', [str(limit.folder)])
        assert_one_line_failure(status, lines, 'air_polsar_seg', limit.folder, limit.strerror)
        assert sorted(p.name for p in limit.folder.iterdir()) in (['filler', 'tiles'], ['tiles'])


def test_demo_data_on_a_full_disk_leaves_nothing_behind(tmp_path):
    with full_disk(tmp_path / 'demo', capacity=256 * 1024, file_limit=16384) as limit:
        status, lines = run(limit, 'make_demo_seg_data', ['--out', str(limit.folder)])
        assert status != 0 and not any('Traceback' in line for line in lines), lines
        pattern = f'^[a-z_]+: cannot write to {re.escape(str(limit.folder))}.*: {re.escape(limit.strerror)}$'
        assert any(re.match(pattern, line) for line in lines), lines
        assert list(limit.folder.iterdir()) == []
