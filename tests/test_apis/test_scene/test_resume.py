"""tools/infer.py --resume: a run killed mid-scene continues and writes the same bytes as an uninterrupted one."""
import os

import pytest
import rasterio

from mmringmoe.apis.scene import inference
from scene_helpers import SEG_CONFIG, infer_tool, textured_scene, write_scene


class Killed(Exception):
    """Stands for the process being killed."""


def kill_after(tiles: int):
    def on_batch(done: int) -> None:
        if done >= tiles:
            raise Killed
    return on_batch


@pytest.mark.parametrize('extra', [['--probs', 'uint8'], ['--probs', 'float16'], ['--cog', '--probs', 'float16']])
def test_resumed_run_is_byte_identical(tmp_path, seg_checkpoint, monkeypatch, extra):
    monkeypatch.setattr(inference, 'COMMIT_SECONDS', 0.0)  # commit after every row of tiles
    data = textured_scene(420, 300)
    data[:, 250:, 150:] = 0  # nodata holding the last tile of the last row
    scene = write_scene(str(tmp_path / 'scene.tif'), data, nodata=0)
    args = [SEG_CONFIG, seg_checkpoint, scene, '--batch', '2', '--no-progress', *extra]
    straight = str(tmp_path / 'straight.tif')
    assert infer_tool.main([*args, '--out', straight]) == 0

    out = str(tmp_path / 'resumed.tif')
    with pytest.raises(Killed):  # 5 rows (y 0, 73, 146, 219, 292) x 3 columns (x 0, 86, 172): killed in row 3
        infer_tool.main([*args, '--out', out], on_batch=kill_after(7))
    assert not os.path.exists(out) and os.path.isdir(out + '.partial')
    with pytest.raises(SystemExit, match='a partial run exists in .*: --resume continues it'):
        infer_tool.main([*args, '--out', out])
    with pytest.raises(SystemExit, match='was made with batch=2, this run has 3'):
        infer_tool.main([SEG_CONFIG, seg_checkpoint, scene, '--batch', '3', '--no-progress', *extra, '--out', out,
                         '--resume'])
    resumed_tiles = []
    assert infer_tool.main([*args, '--out', out, '--resume'], on_batch=resumed_tiles.append) == 0
    assert resumed_tiles[-1] == 3 + 3 + 2  # rows 3-5 again (the nodata tile not run), not rows 1-2
    if '--cog' in extra:  # GDAL's COG writer does not write half floats reproducibly: float32
        with rasterio.open(out.replace('.tif', '_probs.tif')) as src:
            assert src.dtypes[0] == 'float32' and 'NBITS' not in src.tags(1, 'IMAGE_STRUCTURE')
            assert src.overviews(1) and src.tags(ns='IMAGE_STRUCTURE').get('LAYOUT') == 'COG'
    for suffix in ('.tif', '_probs.tif'):
        with open(straight.replace('.tif', suffix), 'rb') as a, open(out.replace('.tif', suffix), 'rb') as b:
            assert a.read() == b.read(), suffix
    assert not os.path.exists(out + '.partial')
