"""Georeferenced inference of any trained model over a scene of any size, in memory flat in the scene size.

The scene is read tile by tile (:class:`~.scene_reader.SceneReader`, the config's loading semantics), tiles
that hold no valid pixel are skipped, the others run through the model in batches (:mod:`.adapters`), and
the predictions are blended (:class:`~.blending.RowBlender`) or merged (boxes) row by row of tiles; finished
rows go to disk at once (:mod:`.raster_writer`), so neither the scene nor its prediction is ever in memory.
State is committed as rows finish (:mod:`.resume_state`); the outputs appear only when complete.
"""
import os
import os.path as osp
import time
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import rasterio
import torch
from mmengine.config import Config
from tqdm import tqdm

from mmringmoe.utils.atomic_io import atomic_output, remove_temporaries
from .adapters.base import BoxAdapter, DenseAdapter
from .adapters.det import merge_detections, scene_boxes
from .blending import RowBlender
from .raster_writer import GDAL_CACHE_MB, RasterOutput, assemble, strip_path, write_strip
from .model_setup import make_adapter, test_pipeline
from .resume_state import ResumeState
from .scene_reader import SceneReader, SceneWarning, find_loader
from .tiling import TileGrid, blend_window
from .vector_writer import vector_driver, write_boxes

COMMIT_SECONDS = 30.0  # commit the resume state at most this often (the carry is K x overlap x width floats)
BOXES_FILE = 'boxes.npz'


@dataclass
class SceneJob:
    """One scene run: what to read, what to write, and how to tile.

    Attributes:
        inputs: the scene (two for an optical + SAR config).
        out: the output (class map / height GeoTIFF, or a ``.gpkg`` / ``.geojson`` for detectors).
        tile, overlap: tile size and overlap in pixels.
        batch: tiles per forward pass.
        blend: ``'cosine'`` (smooth window) or ``'uniform'`` (plain average, as mmseg's ``slide``).
        cog: write Cloud-Optimized GeoTIFFs with overviews.
        resume: continue a partial run of the same settings.
        overwrite: replace existing outputs (and discard a partial run).
        iou_threshold: NMS threshold of boxes merged across tiles.
        settings: the values that decide the output (for the resume check).
    """
    inputs: Sequence[str]
    out: str
    tile: int
    overlap: int
    batch: int = 4
    blend: str = 'cosine'
    cog: bool = False
    resume: bool = False
    overwrite: bool = False
    iou_threshold: float = 0.5
    settings: Optional[dict] = None


def _pad(image: np.ndarray, tile: int) -> np.ndarray:
    """A tile of a scene smaller than one tile, zero-padded to ``tile`` x ``tile`` (its prediction is cropped
    back before blending)."""
    c, h, w = image.shape
    if h == tile and w == tile:
        return image
    padded = np.zeros((c, tile, tile), np.float32)
    padded[:, :h, :w] = image
    return padded


class SceneRunner:
    """Run ``adapter`` over the scene of ``reader`` for ``job`` (see :func:`infer_scene`)."""

    def __init__(self, adapter, reader: SceneReader, job: SceneJob, progress: bool = True,
                 on_batch: Optional[Callable[[int], None]] = None,
                 commit_seconds: Optional[float] = None) -> None:
        self.adapter, self.reader, self.job = adapter, reader, job
        grid = reader.grid
        self.grid = TileGrid(grid.width, grid.height, job.tile, job.overlap)
        self.state = ResumeState(job.out, job.settings or {})
        self.progress, self.on_batch = progress, on_batch
        self.commit_seconds = COMMIT_SECONDS if commit_seconds is None else commit_seconds
        self.tiles_run = 0
        self.bar = None
        self.pool: Optional[ThreadPoolExecutor] = None  # reads windows
        self.model_pool: Optional[ThreadPoolExecutor] = None  # runs the model

    def _read(self, y: int, xs: List[int]) -> Tuple[np.ndarray, np.ndarray]:
        """The window of the tiles at ``xs`` of the row at ``y`` (in the reading thread, with the run's GDAL
        cache limit: rasterio's environment is per thread)."""
        with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
            return self.reader.read(xs[0], y, xs[-1] + self.grid.tile_width - xs[0], self.grid.tile_height)

    def _row_tiles(self, y: int) -> Iterator[Tuple[int, Optional[np.ndarray], np.ndarray]]:
        """``(x, prediction or None, valid)`` of every tile of the row at ``y``, in order. Tiles go through the
        model ``job.batch`` columns at a time, read in one window; tiles without a valid pixel are not run.
        Three stages overlap, each in its own thread and in order: the next window is read (GDAL releases the
        GIL) and the next batch runs through the model (torch releases it) while this batch's predictions are
        blended by the caller. The same reads, forward passes and blending in the same order: the same result.
        """
        tw = self.grid.tile_width
        columns = self.grid.columns
        chunks = [columns[first:first + self.job.batch] for first in range(0, len(columns), self.job.batch)]
        reading = self.pool.submit(self._read, y, chunks[0])
        previous = None
        for index, xs in enumerate(chunks):
            image, nodata = reading.result()
            if index + 1 < len(chunks):
                reading = self.pool.submit(self._read, y, chunks[index + 1])
            tiles = []
            for x in xs:
                valid = ~nodata[:, x - xs[0]:x - xs[0] + tw]
                tiles.append((x, image[:, :, x - xs[0]:x - xs[0] + tw] if valid.any() else None, valid))
            submitted = (tiles, self._submit(tiles))
            if previous is not None:
                yield from self._collect(*previous)
            previous = submitted
        yield from self._collect(*previous)

    def _submit(self, tiles) -> Optional[Future]:
        """The model's predictions of the tiles to run, computing in the model thread (None: none to run)."""
        run = [_pad(image, self.job.tile) for _, image, _ in tiles if image is not None]
        return self.model_pool.submit(self.adapter.predict, run) if run else None

    def _collect(self, tiles, predicting: Optional[Future]):
        predictions = []
        if predicting is not None:
            th, tw = self.grid.tile_height, self.grid.tile_width
            predictions = predicting.result()
            if self.adapter.kind == 'dense':
                predictions = [p[:, :th, :tw] for p in predictions]
            self.tiles_run += len(predictions)
            if self.on_batch is not None:
                self.on_batch(self.tiles_run)
        it = iter(predictions)
        for x, image, valid in tiles:
            yield x, (next(it) if image is not None else None), valid
            if self.bar is not None:
                self.bar.update(1)

    def run(self) -> None:
        rows = self.grid.rows
        start = self.state.next_row() if self.job.resume and self.state.exists() else 0
        if start == 0:
            self.state.start()
        remove_temporaries(self.state.folder)
        self.bar = tqdm(total=len(self.grid), initial=start * len(self.grid.columns), unit='tiles',
                        disable=not self.progress, dynamic_ncols=True, desc='tiles')
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix='scene-reader') as self.pool, \
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix='scene-model') as self.model_pool:
                if isinstance(self.adapter, DenseAdapter):
                    self._run_dense(rows, start)
                else:
                    self._run_boxes(rows, start)
        finally:
            self.bar.close()
        self.state.discard()

    def _run_dense(self, rows: List[int], start: int) -> None:
        grid = self.reader.grid
        outputs: List[RasterOutput] = self.adapter.outputs(self.job.out)
        window = blend_window(self.grid.tile_height, self.grid.tile_width, self.job.overlap, self.job.blend)
        carry = self.state.load_carry() if start else None
        blender = RowBlender(self.grid, self.adapter.channels, window, carry)
        last_commit = time.monotonic()
        for row in range(start, len(rows)):
            final, _ = blender.row_heights(row)
            strips = [np.zeros((o.count, final, grid.width), o.dtype) for o in outputs]

            def finalize(x, y, sums, weights, strips=strips):
                for strip, band in zip(strips, self.adapter.finalize(sums, weights)):
                    strip[:, :, x:x + band.shape[2]] = band

            blender.blend_row(row, self._row_tiles(rows[row]), finalize)
            for index, strip in enumerate(strips):
                write_strip(self.state.folder, index, row, strip)
            if row + 1 < len(rows) and time.monotonic() - last_commit >= self.commit_seconds:
                self.state.commit(row + 1, blender.carry)
                last_commit = time.monotonic()
        for index, output in enumerate(outputs):
            strips = [(strip_path(self.state.folder, index, r), rows[r], blender.row_heights(r)[0])
                      for r in range(len(rows))]
            assemble(output, grid, strips, self.state.folder, self.job.cog)

    def _run_boxes(self, rows: List[int], start: int) -> None:
        adapter: BoxAdapter = self.adapter
        found = self._load_boxes() if start else []
        last_commit = time.monotonic()
        for row in range(start, len(rows)):
            y = rows[row]
            for x, prediction, _ in self._row_tiles(y):
                if prediction is not None:
                    found.append(scene_boxes(*prediction, x, y, self.grid))
            if row + 1 < len(rows) and time.monotonic() - last_commit >= self.commit_seconds:
                self._save_boxes(found)
                self.state.commit(row + 1)
                last_commit = time.monotonic()
        dim = 5 if any(b.shape[1] == 5 for b, _, _ in found) else 4
        boxes = np.concatenate([b.reshape(-1, dim) for b, _, _ in found]) if found else np.zeros((0, dim))
        scores = np.concatenate([s for _, s, _ in found]) if found else np.zeros(0)
        labels = np.concatenate([lb for _, _, lb in found]) if found else np.zeros(0, np.int64)
        keep = merge_detections(boxes, scores, labels, self.job.iou_threshold)
        write_boxes(self.job.out, self.reader.grid, boxes[keep], scores[keep], labels[keep], adapter.classes)

    def _save_boxes(self, found) -> None:
        with atomic_output(self.state.path(BOXES_FILE)) as tmp:
            with open(tmp, 'wb') as f:
                np.savez(f, *[a for triple in found for a in triple])

    def _load_boxes(self):
        with np.load(self.state.path(BOXES_FILE)) as data:
            arrays = [data[f'arr_{i}'] for i in range(len(data.files))]
        return [tuple(arrays[i:i + 3]) for i in range(0, len(arrays), 3)]


def output_paths(adapter, out: str) -> List[str]:
    if isinstance(adapter, DenseAdapter):
        return [o.path for o in adapter.outputs(out)]
    vector_driver(out)
    return [out]


def infer_scene(cfg: Config, model: torch.nn.Module, job: SceneJob, probs: Optional[str] = None,
                score_threshold: float = 0.3, progress: bool = True,
                on_batch: Optional[Callable[[int], None]] = None,
                commit_seconds: Optional[float] = None) -> List[str]:
    """Run ``model`` (built from ``cfg``) over ``job.inputs`` and write ``job.out``; returns the written files.

    Raises:
        SceneError: unreadable scene, wrong band count or number of inputs, corrupt block.
        FileExistsError: an output exists (without ``job.overwrite``), or a partial run exists (without
            ``job.resume`` or ``job.overwrite``).
        ValueError: a model without scene inference, a resume with other settings.
    """
    adapter = make_adapter(model, cfg, probs, score_threshold)
    paths = output_paths(adapter, job.out)
    state = ResumeState(job.out, job.settings or {})
    if not job.overwrite:
        for path in paths:
            if osp.exists(path):
                raise FileExistsError(f'{path} exists: --overwrite replaces it')
        if state.exists() and not job.resume:
            raise FileExistsError(f'a partial run exists in {state.folder}: --resume continues it, '
                                  f'--overwrite starts again')
    elif state.exists() and not job.resume:
        state.discard()
    os.makedirs(osp.dirname(osp.abspath(job.out)), exist_ok=True)
    loader = find_loader(test_pipeline(cfg))
    # GDAL's block cache bounded (its default is 5% of the RAM): the scene's blocks must not pile up in it.
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB), SceneReader(loader, job.inputs) as reader:
        if reader.grid.crs is None:
            warnings.warn(f'{job.inputs[0]} has no CRS: the output keeps its pixel grid without one', SceneWarning)
        SceneRunner(adapter, reader, job, progress, on_batch, commit_seconds).run()
    return paths



