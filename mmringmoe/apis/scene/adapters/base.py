"""What a task adapter does: run a batch of tiles through the model as the config's test step would."""
from typing import List, Sequence, Tuple

import numpy as np
import torch
from mmengine.registry import DATASETS
from mmseg.structures import SegDataSample


def dataset_metainfo(cfg) -> dict:
    """The ``METAINFO`` (classes, palette) of the config's test dataset class, updated by the config's own
    ``metainfo``; empty when the class is unknown."""
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader') or {}
    dataset = dict(loader.get('dataset', {}))
    while 'datasets' in dataset or dataset.get('type') in ('ConcatDataset', 'RepeatDataset'):
        inner = dataset.get('datasets') or [dataset.get('dataset')]
        dataset = dict(inner[0])
    cls = DATASETS.get(dataset.get('type', '')) if dataset.get('type') else None
    meta = dict(getattr(cls, 'METAINFO', {}) or {})
    meta.update(dataset.get('metainfo') or {})
    return meta


def to_batch(tiles: Sequence[np.ndarray], device: torch.device) -> List[torch.Tensor]:
    """The tiles as the list of ``(C, H, W)`` tensors a data preprocessor takes (``PackSegInputs`` gives
    the same from an ``H x W x C`` image)."""
    return [torch.from_numpy(np.ascontiguousarray(t)).to(device) for t in tiles]


class DenseAdapter:
    """A task whose prediction is a ``K``-channel map blended across tiles (logits, heights), the output of
    the mmseg-style model's ``inference`` (:attr:`model`) on the data preprocessor's batch.

    Subclasses set :attr:`model` and :attr:`channels` and implement :meth:`outputs` and :meth:`finalize`.
    """
    kind = 'dense'
    channels: int

    @torch.no_grad()
    def predict(self, tiles: Sequence[np.ndarray]) -> np.ndarray:
        """``(N, K, H, W)`` float32 predictions of ``N`` tiles ``(C, H, W)``."""
        device = next(self.model.parameters()).device
        height, width = tiles[0].shape[1:]
        shape = dict(img_shape=(height, width), ori_shape=(height, width), pad_shape=(height, width))
        data = dict(inputs=to_batch(tiles, device), data_samples=[SegDataSample(metainfo=shape) for _ in tiles])
        data = self.model.data_preprocessor(data, False)
        maps = self.model.inference(data['inputs'], [sample.metainfo for sample in data['data_samples']])
        return maps.float().cpu().numpy()

    def outputs(self, out: str) -> list:
        """The :class:`~..raster_writer.RasterOutput` files this task writes for ``--out out``."""
        raise NotImplementedError

    def finalize(self, sums: np.ndarray, weights: np.ndarray) -> List[np.ndarray]:
        """Blended ``sums (K, h, w)`` and ``weights (h, w)`` -> the bands of each output."""
        raise NotImplementedError


class BoxAdapter:
    """A task whose prediction is a set of boxes, merged across tiles."""
    kind = 'boxes'

    def predict(self, tiles: Sequence[np.ndarray]) -> List[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per tile ``(boxes, scores, labels)`` in the tile's pixel coordinates."""
        raise NotImplementedError


def blended(sums: np.ndarray, weights: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(the weighted average ``sums / weights`` (0 where no weight), the mask of pixels with no weight:
    nodata in the input or in a tile that was not run)."""
    empty = weights <= 0
    average = sums / np.where(empty, 1.0, weights)[None]
    return average, empty

