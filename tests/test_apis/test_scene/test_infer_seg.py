"""tools/infer.py on a segmentor: the tiled result against mmseg's whole-image inference, georeferencing,
nodata, COG, and one-line errors for bad input."""
import numpy as np
import pytest
import rasterio
import torch
from mmengine.config import Config, ConfigDict
from mmseg.structures import SegDataSample

from mmringmoe.apis.scene import build_model
from mmringmoe.datasets.transforms import LoadRasterImage
from scene_helpers import CRS, SEG_CONFIG, TRANSFORM, infer_tool, textured_scene, write_scene

TILE, OVERLAP = 128, 32  # the demo config's input size, and the tool's default overlap (a quarter)


def mmseg_slide_logits(checkpoint: str, scene: str) -> np.ndarray:
    """mmseg's own ``slide`` inference on the whole scene in memory, the tool's tile grid."""
    cfg = Config.fromfile(SEG_CONFIG)
    model = build_model(cfg, checkpoint, 'cpu')
    model.test_cfg = ConfigDict(mode='slide', crop_size=(TILE, TILE), stride=(TILE - OVERLAP, TILE - OVERLAP))
    img = LoadRasterImage(modality='opt', file_channels=('R', 'G', 'B'))(dict(img_path=scene))['img']
    h, w = img.shape[:2]
    data = dict(inputs=[torch.from_numpy(img.transpose(2, 0, 1).copy())],
                data_samples=[SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))])
    with torch.no_grad():
        data = model.data_preprocessor(data, False)
        return model.predict(data['inputs'], data['data_samples'])[0].seg_logits.data.numpy()


def test_uniform_blend_equals_mmseg_slide_inference(tmp_path, seg_checkpoint):
    """Same tiles, plain average: the tiled, windowed, row-by-row result is mmseg's slide result. Stated
    tolerance: probabilities within 2e-3 (they are stored as float16), class maps identical wherever the
    two best logits differ by more than 1e-3."""
    # (320 - 128) and (224 - 128) are multiples of the stride 96: the tool's grid is mmseg's
    scene = write_scene(str(tmp_path / 'scene.tif'), textured_scene(320, 224))
    out = str(tmp_path / 'classes.tif')
    assert infer_tool.main([SEG_CONFIG, seg_checkpoint, scene, '--out', out, '--blend', 'uniform', '--probs',
                            'float16', '--batch', '3', '--no-progress']) == 0
    logits = mmseg_slide_logits(seg_checkpoint, scene)
    probs = torch.from_numpy(logits).softmax(0).numpy()
    with rasterio.open(out) as src:
        classes = src.read(1)
    with rasterio.open(out.replace('.tif', '_probs.tif')) as src:
        assert src.dtypes[0] == 'float32' and src.tags(1, 'IMAGE_STRUCTURE').get('NBITS') == '16'
        tiled_probs = src.read()
    np.testing.assert_allclose(tiled_probs, probs, atol=2e-3)
    top2 = np.sort(logits, axis=0)[-2:]
    decided = top2[1] - top2[0] > 1e-3
    assert decided.mean() > 0.95
    assert (classes[decided] == logits.argmax(0)[decided]).all()
    assert len(np.unique(classes)) > 3  # a map with regions, not one class


def test_cosine_blend_leaves_no_seam_at_tile_edges(tmp_path, seg_checkpoint):
    """Where a tile's edge lies inside the scene, the plain average jumps (a seam: the pixels on one side
    average other tiles than those on the other); the smooth window does not. The jump between neighbouring
    columns (rows) of probabilities, summed over classes, at every tile edge, against its median."""
    scene = write_scene(str(tmp_path / 'scene.tif'), textured_scene(300, 260))
    jumps = {}
    for blend in ('cosine', 'uniform'):
        out = str(tmp_path / f'{blend}.tif')
        assert infer_tool.main([SEG_CONFIG, seg_checkpoint, scene, '--out', out, '--blend', blend, '--probs',
                                'float16', '--no-progress']) == 0
        with rasterio.open(out.replace('.tif', '_probs.tif')) as src:
            probs = src.read().astype(np.float64)
        across_columns = np.abs(np.diff(probs, axis=2)).sum(0).mean(0)
        across_rows = np.abs(np.diff(probs, axis=1)).sum(0).mean(1)
        # tiles (128 px) at x 0, 66, 132 and y 0, 86, 172: edges after columns 65, 127, 131, 193 and rows
        # 85, 127, 171, 213
        jumps[blend] = np.concatenate([across_columns[[65, 127, 131, 193]] / np.median(across_columns),
                                       across_rows[[85, 127, 171, 213]] / np.median(across_rows)])
    assert jumps['uniform'].max() > 10  # the measure sees a seam (20-100 x the median here)
    assert jumps['cosine'].max() < 3  # no larger than the texture's own changes


def test_output_keeps_crs_transform_size_and_nodata(tmp_path, seg_checkpoint):
    data = textured_scene(300, 260)
    data[:, 140:, :230] = 0  # a block of nodata holding whole tiles
    data[:, 10:20, 200:230] = 0
    scene = write_scene(str(tmp_path / 'scene.tif'), data, nodata=0)
    out = str(tmp_path / 'out' / 'classes.tif')
    tiles_run = []
    assert infer_tool.main([SEG_CONFIG, seg_checkpoint, scene, '--out', out, '--probs', 'uint8', '--no-progress'],
                           on_batch=tiles_run.append) == 0
    nodata = (data == 0).any(axis=0)
    with rasterio.open(out) as src:
        assert (src.crs, src.transform, src.width, src.height) == (rasterio.crs.CRS.from_string(CRS), TRANSFORM,
                                                                    260, 300)
        assert src.dtypes[0] == 'uint8' and src.nodata == 255 and src.compression.name == 'deflate'
        assert src.profile['tiled'] and src.block_shapes[0] == (256, 256)
        classes = src.read(1)
        colormap = src.colormap(1)
    assert ((classes == 255) == nodata).all()
    assert (classes[~nodata] < 16).all()
    from mmringmoe.datasets.isaid import ISAIDDataset
    assert colormap[3] == (*ISAIDDataset.METAINFO['palette'][3], 255)
    with rasterio.open(out.replace('.tif', '_probs.tif')) as src:
        assert src.count == 16 and src.scales[0] == pytest.approx(1 / 254) and src.nodata == 255
        assert src.descriptions[1] == 'ship'
        probs = src.read()
    assert (probs[:, nodata] == 255).all()
    assert np.abs(probs[:, ~nodata].sum(axis=0).astype(int) - 254).max() <= 8  # rounded probabilities
    # 3 x 3 tiles (rows at 0, 86, 172, columns at 0, 66, 132); the two at y=172, x=0 and 66 lie wholly
    # in the nodata block and are not run
    assert tiles_run[-1] == 9 - 2


def test_cog_with_overviews_and_missing_crs_warning(tmp_path, seg_checkpoint, capsys):
    scene = write_scene(str(tmp_path / 'scene.tif'), textured_scene(600, 560), crs=None)
    out = str(tmp_path / 'classes.tif')
    assert infer_tool.main([SEG_CONFIG, seg_checkpoint, scene, '--out', out, '--cog', '--batch', '8',
                            '--no-progress']) == 0
    assert 'has no CRS' in capsys.readouterr().err
    with rasterio.open(out) as src:
        assert src.crs is None and src.transform == TRANSFORM and (src.width, src.height) == (560, 600)
        assert src.overviews(1)[0] == 2 and src.tags(ns='IMAGE_STRUCTURE').get('LAYOUT') == 'COG'
        assert src.colormap(1)[1] == (0, 0, 63, 255)
    assert not (tmp_path / 'classes.tif.partial').exists()


def _error(argv, capsys=None) -> str:
    with pytest.raises(SystemExit) as exc:
        infer_tool.main(argv)
    message = str(exc.value.code)
    assert message.startswith('infer.py: ') and '\n' not in message, message
    return message


def test_bad_inputs_are_one_line_each(tmp_path, seg_checkpoint):
    good = write_scene(str(tmp_path / 'good.tif'), textured_scene(150, 150))
    four = write_scene(str(tmp_path / 'four.tif'), textured_scene(150, 150, bands=4))
    out = str(tmp_path / 'out.tif')
    assert 'has 4 channels' in _error([SEG_CONFIG, seg_checkpoint, four, '--out', out])
    assert 'reads one scene' in _error([SEG_CONFIG, seg_checkpoint, good, good, '--out', out])
    assert '--overlap must lie in [0, 128)' in _error([SEG_CONFIG, seg_checkpoint, good, '--out', out,
                                                       '--overlap', '128'])
    assert 'no such file' in _error([SEG_CONFIG, seg_checkpoint, str(tmp_path / 'none.tif'), '--out', out])

    # a corrupt compressed block in the middle of the scene
    corrupt = str(tmp_path / 'corrupt.tif')
    write_scene(corrupt, textured_scene(300, 300))
    with rasterio.open(corrupt) as src:
        offset = int(src.get_tag_item('BLOCK_OFFSET_2_2', 'TIFF', bidx=1))
        size = int(src.get_tag_item('BLOCK_SIZE_2_2', 'TIFF', bidx=1))
    with open(corrupt, 'r+b') as f:
        f.seek(offset)
        f.write(b'\xff' * size)
    message = _error([SEG_CONFIG, seg_checkpoint, corrupt, '--out', str(tmp_path / 'c.tif'), '--no-progress'])
    assert 'corrupt block' in message and corrupt in message

    assert infer_tool.main([SEG_CONFIG, seg_checkpoint, good, '--out', out, '--no-progress']) == 0
    assert 'exists: --overwrite replaces it' in _error([SEG_CONFIG, seg_checkpoint, good, '--out', out])
    assert infer_tool.main([SEG_CONFIG, seg_checkpoint, good, '--out', out, '--overwrite', '--no-progress']) == 0

    det_ckpt = str(tmp_path / 'other.pth')
    torch.save({'state_dict': {'backbone.x': torch.zeros(1)}}, det_ckpt)
    assert 'does not fit' in _error([SEG_CONFIG, det_ckpt, good, '--out', str(tmp_path / 'o2.tif')])


def test_scene_smaller_than_a_tile(tmp_path, seg_checkpoint):
    scene = write_scene(str(tmp_path / 'small.tif'), textured_scene(90, 100))
    out = str(tmp_path / 'small_classes.tif')
    assert infer_tool.main([SEG_CONFIG, seg_checkpoint, scene, '--out', out, '--no-progress']) == 0
    with rasterio.open(out) as src:
        assert (src.width, src.height, src.transform) == (100, 90, TRANSFORM)
        assert (src.read(1) < 16).all()
