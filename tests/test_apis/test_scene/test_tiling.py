"""The tile grid and the blending window (mmringmoe/apis/scene/tiling.py)."""
import numpy as np
import pytest

from mmringmoe.apis.scene.tiling import TileGrid, blend_window, ramp, tile_origins


@pytest.mark.parametrize('length, tile, stride', [(300, 128, 96), (128, 128, 96), (100, 128, 96), (1000, 64, 64),
                                                  (129, 64, 1)])
def test_tiles_cover_the_side_inside_it(length, tile, stride):
    origins = tile_origins(length, tile, stride)
    covered = np.zeros(length, bool)
    for start in origins:
        assert start >= 0 and (start + tile <= length or length < tile)
        covered[start:start + tile] = True
    assert covered.all()
    assert origins == sorted(set(origins))
    assert all(b - a <= stride for a, b in zip(origins, origins[1:]))


def test_grid_is_even_and_mmseg_slide_grid_when_the_stride_fits():
    """mmseg's slide inference: h_grids = max(H - crop + stride - 1, 0) // stride + 1, y2 clipped, y1 moved back."""
    for size, crop, stride in [(320, 128, 96), (224, 128, 96), (976, 96, 80), (96, 96, 80)]:
        grids = max(size - crop + stride - 1, 0) // stride + 1
        mmseg = [max(min(i * stride + crop, size) - crop, 0) for i in range(grids)]
        assert tile_origins(size, crop, stride) == mmseg
    for size in (300, 16384, 4097):
        origins = tile_origins(size, 128, 96)
        steps = np.diff(origins)
        assert len(origins) == -(-(size - 128) // 96) + 1 and origins[-1] == size - 128
        assert steps.max() <= 96 and steps.max() - steps.min() <= 1  # no last tile overlapping by ~a tile


def test_grid_rejects_bad_overlap():
    with pytest.raises(ValueError, match='overlap'):
        TileGrid(100, 100, 64, 64)


def test_window_is_positive_smooth_and_flat_in_the_middle():
    w = ramp(128, 32)
    assert w.min() == pytest.approx(np.sin(np.pi / 128)**2) and w.min() > 0
    assert (w > 0).all() and np.allclose(w[32:96], 1.0)
    assert np.allclose(w, w[::-1]) and (np.diff(w[:32]) > 0).all()
    window = blend_window(128, 96, 32)
    assert window.shape == (128, 96) and np.allclose(window, np.outer(ramp(128, 32), ramp(96, 32)))
    assert (blend_window(64, 64, 16, 'uniform') == 1).all()
    with pytest.raises(ValueError, match='unknown blending window'):
        blend_window(64, 64, 16, 'hann')
