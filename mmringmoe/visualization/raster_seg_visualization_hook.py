"""Draw segmentation results over the inputs as training reads them (rasterio), every input of a pair."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmseg.engine.hooks import SegVisualizationHook

from mmringmoe.datasets.transforms import LoadRasterImage, LoadRasterPair
from mmringmoe.models.backbones.arch_zoo import CANONICAL_BANDS
from mmringmoe.registry import HOOKS
from .seg_panel_visualizer import SegPanelVisualizer

CAPTIONS = {'opt': 'optical', 'ms': 'multispectral', 'sar_l1': 'SAR (amplitude)', 'sar_l2': 'SAR'}


def display_image(image: np.ndarray, modality: str) -> np.ndarray:
    """An ``H x W x 3`` uint8 RGB picture of a loaded ``H x W x C`` image of ``modality``.

    Optical and multispectral: the R, G, B channels (by their canonical names); complex SAR: the
    amplitude of the first polarisation; other images: the first channel in grey. Values that do not fit
    0-255 are stretched linearly between their 2nd and 98th percentiles.
    """
    names = CANONICAL_BANDS.get(modality, ())
    if image.ndim == 2:
        image = image[..., None]
    if len(names) == image.shape[2] and {'R', 'G', 'B'} <= set(names):
        picture = image[..., [names.index(c) for c in 'RGB']]
    elif len(names) == image.shape[2] and names[0].endswith('_re'):
        picture = np.hypot(image[..., 0], image[..., 1])[..., None]
    else:
        picture = image[..., :3] if image.shape[2] == 3 else image[..., :1]
    picture = picture.astype(np.float64)
    finite = picture[np.isfinite(picture)]
    if finite.size and (finite.min() < 0 or finite.max() > 255 or not np.all(finite == np.round(finite))):
        low, high = np.percentile(finite, [2, 98])
        picture = (picture - low) * (255. / max(high - low, 1e-12))
    picture = np.nan_to_num(picture).clip(0, 255).astype(np.uint8)
    return np.repeat(picture, 3, axis=2) if picture.shape[2] == 1 else picture


@HOOKS.register_module()
class RasterSegVisualizationHook(SegVisualizationHook):
    """mmseg's :class:`SegVisualizationHook`, reading each drawn sample the way training does.

    mmseg's hook reads ``img_path`` with OpenCV, which cannot show 16-bit, complex or SAR rasters, prints
    libtiff's warnings about GeoTIFF tags, and sees only the first image of an optical + SAR pair. This
    hook runs the dataset's own loading transform (:class:`LoadRasterImage` or :class:`LoadRasterPair`,
    rasterio) on the sample's data info and converts each image with :func:`display_image`. With
    :class:`SegPanelVisualizer` each image gets a captioned panel ("image"; "optical", "SAR"); other
    visualizers get the first image. A dataset without such a loader is drawn as mmseg's hook does.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._infos: Dict[int, Dict[str, dict]] = {}

    @staticmethod
    def _loader(dataset) -> Optional[object]:
        """The dataset's raster loading transform, or None."""
        loaders = (t for t in dataset.pipeline.transforms if isinstance(t, (LoadRasterImage, LoadRasterPair)))
        return next(loaders, None)

    def _info(self, dataset, img_path: str) -> dict:
        """The data info of the sample ``img_path`` (an index of the dataset built once)."""
        if id(dataset) not in self._infos:
            infos = (dataset.get_data_info(i) for i in range(len(dataset)))
            self._infos[id(dataset)] = {info['img_path']: info for info in infos}
        return self._infos[id(dataset)][img_path]

    def display_inputs(self, dataset, img_path: str) -> List[Tuple[str, np.ndarray]]:
        """``(caption, RGB uint8 picture)`` of each image of the sample ``img_path``."""
        results = self._loader(dataset)(dict(self._info(dataset, img_path)))
        modalities = results['modality'].split('+')
        channels: Sequence[int] = results.get('pair_channels', (results['img'].shape[2], ))
        splits = np.split(results['img'], np.cumsum(channels)[:-1], axis=2)
        if len(modalities) == 1:
            return [('image', display_image(splits[0], modalities[0]))]
        return [(CAPTIONS.get(m, m), display_image(img, m)) for m, img in zip(modalities, splits)]

    def _after_iter(self, runner, batch_idx: int, data_batch: dict, outputs, mode: str = 'val') -> None:
        if self.draw is False or mode == 'train' or not self.every_n_inner_iters(batch_idx, self.interval):
            return
        dataset = (runner.val_loop if mode == 'val' else runner.test_loop).dataloader.dataset
        if self._loader(dataset) is None:
            return super()._after_iter(runner, batch_idx, data_batch, outputs, mode)
        for output in outputs:
            inputs = self.display_inputs(dataset, output.img_path)
            extra = dict(inputs=inputs) if isinstance(self._visualizer, SegPanelVisualizer) else {}
            self._visualizer.add_datasample(f'{mode}_{osp.basename(output.img_path)}',
                                            inputs[0][1],
                                            data_sample=output,
                                            show=self.show,
                                            wait_time=self.wait_time,
                                            step=runner.iter,
                                            **extra)
