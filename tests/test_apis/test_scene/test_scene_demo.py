"""The large-scene demo (tools/demo/run_demo.py --task scene), with a 6-iteration training."""
import os.path as osp

import numpy as np
import rasterio
from PIL import Image

from mmringmoe.utils.scripts import load_script
from scene_helpers import ROOT, SEG_CONFIG

scene_demo = load_script(osp.join(ROOT, 'tools', 'demo', 'scene_demo.py'))


def test_scene_demo_writes_a_georeferenced_prediction_and_a_quick_look(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(scene_demo, 'ITERATIONS', 6)  # past the 5-iteration warm-up
    assert scene_demo.run(SEG_CONFIG, str(tmp_path / 'data'), str(tmp_path / 'work')) == 0
    folder = tmp_path / 'work' / 'scene'
    with rasterio.open(folder / 'classes.tif') as src:
        assert src.crs.to_epsg() == 32650 and src.transform == scene_demo.TRANSFORM
        assert (src.width, src.height) == (768, 768) and src.overviews(1)
        classes = src.read(1)
    assert (classes[:, :scene_demo.BORDER] == 255).all() and (classes[:, scene_demo.BORDER:] < 16).all()
    picture = np.asarray(Image.open(folder / 'quicklook.png'))
    assert picture.shape[1] > 3 * 768 and picture.shape[0] > 768  # three panels and a legend
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith('demo result: '))
    assert 'pixel accuracy' in line and 'nodata kept on 18432 of 18432 nodata pixels' in line
