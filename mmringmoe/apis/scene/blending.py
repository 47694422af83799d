"""Per-pixel weighted average of overlapping tile predictions, in memory that does not grow with the scene.

Tiles arrive row by row, left to right (:class:`~.tiling.TileGrid` order). Within a row, the columns left of
the next tile's start can receive nothing more from this row: their upper part (above the next row of
tiles) is final and leaves at once; their lower part, which the next row overlaps, is carried over to that
row. So the blender holds one tile's worth of columns for the current row and the overlap band of the scene's
width (``(K + 1) x overlap x width`` float32, one buffer for every row): never the scene, never a whole row
of tiles.

The sums are float32 and accumulated in a fixed order (tile order), so a run continued from a saved carry
(:mod:`.resume_state`) reproduces the uninterrupted run bit for bit.
"""
from typing import Callable, Iterable, Optional, Tuple

import numpy as np

from .tiling import TileGrid

# finalize(x, y, sums (K, h, w), weights (h, w)): the blended columns [x, x + w) of rows [y, y + h)
Finalize = Callable[[int, int, np.ndarray, np.ndarray], None]


class RowBlender:
    """Blend ``K``-channel tile predictions (logits, heights) with the weights ``window``.

    Args:
        grid: the tile grid.
        channels: ``K``, the channels of a prediction.
        window: ``(tile_height, tile_width)`` weights (:func:`~.tiling.blend_window`).
        carry: the carry of the row to continue from (:attr:`carry` after the previous row), or None to start
            at the first row.
    """

    def __init__(self, grid: TileGrid, channels: int, window: np.ndarray,
                 carry: Optional[np.ndarray] = None) -> None:
        self.grid, self.channels = grid, channels
        self.window = window.astype(np.float32)
        # One buffer for the carry of every row, as high as the highest: rows carry 0, overlap or a pixel
        # more, and a second array of the scene's width would double the blender's memory.
        rows = max(self.row_heights(r)[1] for r in range(len(grid.rows)))
        self._buffer = np.zeros((channels + 1, rows, grid.width), np.float32)
        if carry is not None:
            self._buffer[:, :carry.shape[1]] = carry
        self.carry = self._buffer[:, :0 if carry is None else carry.shape[1]]

    def row_heights(self, row: int) -> Tuple[int, int]:
        """(rows of the scene that row ``row`` of tiles finishes, rows it carries to the next row)."""
        ys = self.grid.rows
        final = ys[row + 1] - ys[row] if row + 1 < len(ys) else self.grid.tile_height
        return final, self.grid.tile_height - final

    def blend_row(self, row: int, tiles: Iterable[Tuple[int, Optional[np.ndarray], Optional[np.ndarray]]],
                  finalize: Finalize) -> None:
        """Add the tiles of row ``row`` and hand every finished block of the scene to ``finalize``.

        Args:
            row: index of the row of tiles (in ``grid.rows``).
            tiles: ``(x, prediction (K, th, tw) float32, valid (th, tw) bool)`` for every column of the grid
                in order; ``prediction`` None for a tile that was not run (all nodata). ``prediction`` is
                overwritten.
            finalize: called once per column block, left to right, with the sums and weights of the rows
                this row finishes.
        """
        y = self.grid.rows[row]
        height, width = self.grid.tile_height, self.grid.tile_width
        final, carried = self.row_heights(row)
        columns = self.grid.columns
        current = np.zeros((self.channels + 1, height, width), np.float32)
        carry_rows = self.carry.shape[1]
        # The next row's carry goes into the same buffer: this row's carry is consumed column block by column
        # block, left to right, before the block is overwritten.
        next_carry = self._buffer[:, :carried]
        for index, (x, prediction, valid) in enumerate(tiles):
            if x != columns[index]:
                raise ValueError(f'tile {index} of row {row} starts at x={x}, the grid says {columns[index]}')
            if prediction is not None:
                weights = self.window if valid.all() else self.window * valid
                current[:-1] += np.multiply(prediction, weights, out=prediction)  # the prediction is ours
                current[-1] += weights
            end = columns[index + 1] if index + 1 < len(columns) else self.grid.width
            done = end - x
            block = current[:, :, :done]
            block[:, :carry_rows] += self.carry[:, :, x:end]
            finalize(x, y, block[:-1, :final], block[-1, :final])
            next_carry[:, :, x:end] = block[:, final:]
            current[:, :, :width - done] = current[:, :, done:]
            current[:, :, width - done:] = 0
        self.carry = next_carry
