"""Semantic segmentation over a scene: blended logits -> a class map with the dataset's colour table, and
optionally per-class probabilities (paper App. B.5.2-B.5.3 models: UperNet on RingMoE-KC, the optical + SAR
fusion, sparse variants)."""
import os.path as osp
from typing import List

import numpy as np

from ..raster_writer import RasterOutput
from .base import DenseAdapter, blended, dataset_metainfo

PROBS_SCALE = 254  # scaled uint8 probabilities: round(p * 254), 255 is nodata


def probs_path(out: str) -> str:
    """``scene_classes.tif`` -> ``scene_classes_probs.tif``."""
    stem, ext = osp.splitext(out)
    return f'{stem}_probs{ext or ".tif"}'


class SegAdapter(DenseAdapter):
    """Run tiles through an mmseg segmentor (``EncoderDecoder`` and subclasses) as its test step does: the
    model's data preprocessor (the config's normalisation), then ``inference`` (the ``whole`` or ``slide``
    mode of the config's ``test_cfg``), the logits at the tile's size that ``predict`` would also return.
    ``predict``'s post-processing (a resize to the same size and an argmax per tile) is skipped: the
    argmax comes after blending.

    Args:
        model: the segmentor, in eval mode, on its device.
        cfg: its config (classes and palette from the test dataset).
        probs: None, ``'float16'`` or ``'uint8'``: also write per-class probabilities.
    """

    band_name = 'class'

    def __init__(self, model, cfg, probs: str = None) -> None:
        self.model, self.probs = model, probs
        self.channels = int(model.decode_head.out_channels)
        if self.channels < 2:
            raise ValueError('a one-channel (sigmoid) segmentation head is not supported by the scene tool')
        meta = dataset_metainfo(cfg)
        classes = meta.get('classes') or [str(i) for i in range(self.channels)]
        self.classes = [str(c) for c in classes][:self.channels]
        self.palette = meta.get('palette')
        self.dtype = 'uint8' if self.channels < 255 else 'uint16'
        self.nodata = 255 if self.dtype == 'uint8' else 65535

    def outputs(self, out: str) -> List[RasterOutput]:
        colormap = None
        if self.palette:
            colormap = {i: (*map(int, self.palette[i]), 255) for i in range(min(len(self.palette), self.channels))}
        outputs = [RasterOutput(out, 1, self.dtype, self.nodata, colormap=colormap,
                                descriptions=[self.band_name], resampling='NEAREST')]
        if self.probs == 'float16':
            outputs.append(RasterOutput(probs_path(out), self.channels, 'float32', float('nan'),
                                        creation=dict(NBITS='16'), descriptions=self.classes,
                                        resampling='AVERAGE'))
        elif self.probs == 'uint8':
            outputs.append(RasterOutput(probs_path(out), self.channels, 'uint8', 255, scale=1.0 / PROBS_SCALE,
                                        descriptions=self.classes, resampling='AVERAGE'))
        return outputs

    def finalize(self, sums: np.ndarray, weights: np.ndarray) -> List[np.ndarray]:
        # the argmax of the weighted sums is that of the average (one positive weight per pixel)
        classes = sums.argmax(axis=0).astype(self.dtype)
        empty = weights <= 0
        classes[empty] = self.nodata
        bands = [classes[None]]
        if self.probs:
            logits, _ = blended(sums, weights)
            exp = np.exp(logits - logits.max(axis=0, keepdims=True))
            probs = exp / exp.sum(axis=0, keepdims=True)
            if self.probs == 'uint8':
                probs = np.rint(probs * PROBS_SCALE).astype(np.uint8)
                probs[:, empty] = 255
            else:
                probs = probs.astype(np.float32)
                probs[:, empty] = np.nan
            bands.append(probs)
        return bands
