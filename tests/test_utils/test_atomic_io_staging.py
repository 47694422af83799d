"""atomic_io's staging folder (for mmseg's converters, which write whole folder trees) and in-memory image
encoding: complete files only, nothing hidden left behind."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmringmoe.utils.atomic_io import atomic_write_image, image_bytes, publish_tree, staging_folder


def test_staging_folder_publishes_what_is_finished_and_removes_the_rest(tmp_path):
    out = tmp_path / 'out'
    stale = out / '.staging-demo-abc123'  # left by a killed run
    (stale / 'img_dir').mkdir(parents=True)
    (stale / 'img_dir' / 'half.png').write_bytes(b'\x89PNG')
    with pytest.raises(RuntimeError, match='converter failed'):
        with staging_folder(str(out), 'demo') as staging:
            assert not stale.exists() and Path(staging).parent == out
            patches = Path(staging) / 'img_dir' / 'train'
            patches.mkdir(parents=True)
            (patches / 'a.png').write_bytes(b'a')
            assert publish_tree(staging, str(out)) == 1
            (patches / 'b.png').write_bytes(b'b')  # not published
            raise RuntimeError('converter failed')
    assert sorted(str(p.relative_to(out)) for p in out.rglob('*')) == ['img_dir', 'img_dir/train',
                                                                     'img_dir/train/a.png']


def test_image_bytes_are_the_encoded_file(tmp_path):
    image = Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8))
    atomic_write_image(str(tmp_path / 'label.png'), image, 'PNG')
    assert (tmp_path / 'label.png').read_bytes() == image_bytes(image, 'PNG')
    assert np.array_equal(np.asarray(Image.open(tmp_path / 'label.png')), np.asarray(image))
    assert [p.name for p in tmp_path.iterdir()] == ['label.png']
