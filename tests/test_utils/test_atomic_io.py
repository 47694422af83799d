import os

import pytest

from mmringmoe.utils.atomic_io import atomic_write_text


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
