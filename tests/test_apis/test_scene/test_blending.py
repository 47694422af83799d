"""The row-by-row blender against the plain whole-scene weighted average (mmringmoe/apis/scene/blending.py)."""
import numpy as np
import pytest

from mmringmoe.apis.scene.blending import RowBlender
from mmringmoe.apis.scene.tiling import TileGrid, blend_window


def reference(grid, predictions, valid, window):
    """The per-pixel weighted average over the whole scene at once."""
    k = next(iter(predictions.values())).shape[0]
    sums = np.zeros((k, grid.height, grid.width))
    weights = np.zeros((grid.height, grid.width))
    for (x, y), pred in predictions.items():
        th, tw = pred.shape[1:]
        w = window * valid[y:y + th, x:x + tw]
        sums[:, y:y + th, x:x + tw] += pred * w
        weights[y:y + th, x:x + tw] += w
    return sums, weights


def run_blender(grid, predictions, valid, window, k, stop_after_row=None):
    sums = np.full((k, grid.height, grid.width), np.nan)
    weights = np.full((grid.height, grid.width), np.nan)

    def finalize(x, y, s, w):
        assert np.isnan(weights[y:y + w.shape[0], x:x + w.shape[1]]).all(), 'a block finalised twice'
        sums[:, y:y + s.shape[1], x:x + s.shape[2]] = s
        weights[y:y + w.shape[0], x:x + w.shape[1]] = w

    blender = RowBlender(grid, k, window)
    for row, y in enumerate(grid.rows):
        tiles = [(x, predictions[x, y].copy() if (x, y) in predictions else None,  # the blender overwrites it
                  valid[y:y + grid.tile_height, x:x + grid.tile_width]) for x in grid.columns]
        blender.blend_row(row, tiles, finalize)
    return sums, weights


@pytest.mark.parametrize('width, height, tile, overlap', [(300, 260, 64, 16), (64, 200, 64, 32), (50, 40, 64, 16),
                                                           (130, 129, 32, 28)])
def test_row_blender_equals_whole_scene_average(width, height, tile, overlap):
    rng = np.random.default_rng(1)
    grid = TileGrid(width, height, tile, overlap)
    valid = rng.uniform(size=(height, width)) > 0.1
    th, tw = grid.tile_height, grid.tile_width
    predictions = {(x, y): rng.normal(size=(3, th, tw)).astype(np.float32) for y in grid.rows for x in grid.columns
                   if rng.uniform() > 0.15}  # some tiles not run (all nodata)
    window = blend_window(th, tw, overlap)
    sums, weights = run_blender(grid, predictions, valid, window, 3)
    ref_sums, ref_weights = reference(grid, predictions, valid, window)
    assert not np.isnan(weights).any(), 'every pixel is finalised'
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sums, ref_sums, rtol=1e-5, atol=1e-5)


def test_constant_predictions_blend_to_the_constant_without_seams():
    grid = TileGrid(333, 201, 64, 24)
    th, tw = grid.tile_height, grid.tile_width
    predictions = {(x, y): np.full((2, th, tw), 7.0, np.float32) for y in grid.rows for x in grid.columns}
    sums, weights = run_blender(grid, predictions, np.ones((201, 333), bool), blend_window(th, tw, 24), 2)
    assert (weights > 0).all()
    np.testing.assert_allclose(sums / weights, 7.0, rtol=1e-6)
