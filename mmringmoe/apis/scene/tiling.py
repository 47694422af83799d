"""The tile grid over a scene and the smooth blending window of overlapping tile predictions.

A scene of any size is cut into tiles of the model's input size on a grid spread evenly from edge to edge
(:func:`tile_origins`), so every tile lies inside the scene (a scene smaller than one tile is one tile,
zero-padded). Overlapping predictions are averaged per pixel with the weights of :func:`blend_window`: a
separable raised-cosine ramp over the overlap that starts near zero but never reaches it, so that a pixel
near a tile's edge leans on the neighbouring tile (no seams) and a pixel at the scene's edge, seen by one
tile only, still has weight.
"""
import math
from dataclasses import dataclass
from typing import List

import numpy as np



def tile_origins(length: int, tile: int, stride: int) -> List[int]:
    """Start offsets of tiles of ``tile`` px along a side of ``length`` px, as many as a step of ``stride``
    needs, spread evenly from 0 to ``length - tile`` (steps differ by at most 1 px and never exceed
    ``stride``); ``[0]`` when the side is not longer than a tile.

    When ``length - tile`` is a multiple of ``stride`` these are mmseg's ``slide`` positions. Otherwise mmseg
    moves only its last tile back to the edge, and that tile overlaps the one before it by up to a whole
    tile: a band of the scene's width that the blender would have to hold (about three times the overlap).
    """
    if length <= tile:
        return [0]
    steps = math.ceil((length - tile) / stride)
    return [round(i * (length - tile) / steps) for i in range(steps + 1)]


@dataclass(frozen=True)
class TileGrid:
    """Tiles of ``tile`` x ``tile`` px overlapping by ``overlap`` px over a ``width`` x ``height`` scene."""
    width: int
    height: int
    tile: int
    overlap: int

    def __post_init__(self) -> None:
        if self.tile < 1:
            raise ValueError(f'the tile size must be positive, got {self.tile}')
        if not 0 <= self.overlap < self.tile:
            raise ValueError(f'the overlap must lie in [0, tile size {self.tile}), got {self.overlap}')

    @property
    def stride(self) -> int:
        return self.tile - self.overlap

    @property
    def rows(self) -> List[int]:
        """The ``y`` of each row of tiles, top to bottom."""
        return tile_origins(self.height, self.tile, self.stride)

    @property
    def columns(self) -> List[int]:
        """The ``x`` of each column of tiles, left to right."""
        return tile_origins(self.width, self.tile, self.stride)

    @property
    def tile_height(self) -> int:
        return min(self.tile, self.height)

    @property
    def tile_width(self) -> int:
        return min(self.tile, self.width)

    def __len__(self) -> int:
        return len(self.rows) * len(self.columns)


def ramp(length: int, overlap: int) -> np.ndarray:
    """1-D weights of ``length`` px: a raised cosine ``sin^2(pi / 2 * (i + 0.5) / overlap)`` rising to 1
    over the first ``overlap`` px, 1 in the middle, and falling again over the last ``overlap`` px; all ones
    for ``overlap == 0``. Sampled at pixel centres, the first weight is small but positive
    (``sin^2(pi / (4 * overlap))``, 6e-4 for 32 px): a neighbouring tile fades in without a step (no seam),
    and a pixel at the scene's edge, seen by one tile only, still has a weight to divide by."""
    weights = np.ones(length, dtype=np.float64)
    rise = min(overlap, length // 2)
    if rise > 0:
        edge = np.sin(0.5 * np.pi * (np.arange(rise) + 0.5) / rise)**2
        weights[:rise] = edge
        weights[length - rise:] = edge[::-1]
    return weights


def blend_window(height: int, width: int, overlap: int, kind: str = 'cosine') -> np.ndarray:
    """``(height, width)`` float32 blending weights of one tile: ``'cosine'`` (the outer product of two
    :func:`ramp`) or ``'uniform'`` (all ones: the plain average of mmseg's ``slide`` inference)."""
    if kind == 'uniform':
        return np.ones((height, width), dtype=np.float32)
    if kind != 'cosine':
        raise ValueError(f'unknown blending window {kind!r} (cosine, uniform)')
    return np.outer(ramp(height, overlap), ramp(width, overlap)).astype(np.float32)
