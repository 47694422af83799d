"""tools/infer.py on a change detector (two dates in, a change map out) and a height estimator (a float32
height GeoTIFF): with the plain average, the tiled result equals the model's own slide inference."""
import numpy as np
import pytest
import rasterio
import torch
from mmengine.config import Config, ConfigDict
from mmseg.structures import SegDataSample

from mmringmoe.apis.scene import build_model
from scene_helpers import ROOT, TRANSFORM, infer_tool, make_checkpoint, textured_scene, write_scene

CHANGE_CONFIG = f'{ROOT}/configs/demo/bit_ringmoe-kc-tiny_demo_levir-cd.py'  # 64 px tiles, 2 classes
HEIGHT_CONFIG = f'{ROOT}/configs/demo/binsformer_ringmoe-kc-tiny_demo_vaihingen.py'  # 128 px tiles


def slide_reference(config: str, checkpoint: str, image: np.ndarray, tile: int, overlap: int) -> np.ndarray:
    """The model's own ``slide`` inference (mmseg's, whole image in memory) on ``image`` ``(C, H, W)``."""
    model = build_model(Config.fromfile(config), checkpoint, 'cpu')
    model.test_cfg = ConfigDict(mode='slide', crop_size=(tile, tile), stride=(tile - overlap, tile - overlap))
    h, w = image.shape[1:]
    data = dict(inputs=[torch.from_numpy(image.astype(np.float32))],
                data_samples=[SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))])
    with torch.no_grad():
        data = model.data_preprocessor(data, False)
        # slide_inference itself: mmseg 1.2.2's DepthEstimator.inference runs 'whole' after 'slide'
        return model.slide_inference(data['inputs'], [s.metainfo for s in data['data_samples']])[0].numpy()


def test_change_map_of_two_dates(tmp_path):
    checkpoint = make_checkpoint(CHANGE_CONFIG, str(tmp_path / 'change.pth'))
    before = textured_scene(160, 208, seed=3)  # (160 - 64) and (208 - 64) are multiples of the stride 48
    after = before.copy()
    after[:, 40:90, 50:120] = textured_scene(50, 70, seed=4)  # something changed there
    paths = [write_scene(str(tmp_path / f'{name}.tif'), image) for name, image in (('a', before), ('b', after))]
    out = str(tmp_path / 'change.tif')
    assert infer_tool.main([CHANGE_CONFIG, checkpoint, *paths, '--out', out, '--blend', 'uniform', '--probs',
                            'float16', '--no-progress']) == 0
    logits = slide_reference(CHANGE_CONFIG, checkpoint, np.concatenate([before, after]), 64, 16)
    with rasterio.open(out) as src:
        assert src.descriptions == ('change',) and src.transform == TRANSFORM and src.dtypes[0] == 'uint8'
        change = src.read(1)
    with rasterio.open(out.replace('.tif', '_probs.tif')) as src:
        probs = src.read()
    np.testing.assert_allclose(probs, torch.from_numpy(logits).softmax(0).numpy(), atol=2e-3)
    decided = np.abs(logits[1] - logits[0]) > 1e-3
    assert (change[decided] == logits.argmax(0)[decided]).all() and set(np.unique(change)) <= {0, 1}
    with pytest.raises(SystemExit, match='reads two co-registered scenes .*, got 1 inputs'):
        infer_tool.main([CHANGE_CONFIG, checkpoint, paths[0], '--out', str(tmp_path / 'one.tif')])


def test_height_map_in_metres(tmp_path):
    checkpoint = make_checkpoint(HEIGHT_CONFIG, str(tmp_path / 'height.pth'))
    image = textured_scene(224, 320, seed=5)  # (224 - 128) and (320 - 128): multiples of the stride 96
    image[:, :, :20] = 0
    scene = write_scene(str(tmp_path / 'scene.tif'), image, nodata=0)
    out = str(tmp_path / 'height.tif')
    assert infer_tool.main([HEIGHT_CONFIG, checkpoint, scene, '--out', out, '--blend', 'uniform',
                            '--no-progress']) == 0
    with rasterio.open(out) as src:
        assert src.dtypes[0] == 'float32' and np.isnan(src.nodata) and src.descriptions == ('height (m)',)
        heights = src.read(1)
    nodata = (image == 0).any(axis=0)
    assert np.isnan(heights[nodata]).all() and not np.isnan(heights[~nodata]).any()
    assert heights[~nodata].min() >= 0.0 and heights[~nodata].max() <= 20.0  # the head's bins span 0-20 m
    reference = slide_reference(HEIGHT_CONFIG, checkpoint, image, 128, 32)[0]
    np.testing.assert_allclose(heights[~nodata], reference[~nodata], atol=1e-4)
