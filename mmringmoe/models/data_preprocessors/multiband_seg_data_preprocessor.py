"""mmseg's data preprocessor for images of any band count, with a check of that count."""
from typing import Any, Dict

from mmseg.models.data_preprocessor import SegDataPreProcessor

from mmringmoe.registry import MODELS


@MODELS.register_module()
class MultiBandSegDataPreProcessor(SegDataPreProcessor):
    """``SegDataPreProcessor`` for 1-, 4-, 8- (any) band images, normalised with per-band statistics.

    mmseg's preprocessor already normalises ``C`` bands with ``C`` means and stds; what it lacks is a clear
    error when an image's band count differs from the statistics in the config (it fails in a tensor
    broadcast). This subclass checks every image first and names the file. Per-band statistics of a new
    sensor come from ``tools/analysis_tools/compute_band_stats.py``. ``bgr_to_rgb`` stays False: rasters
    are loaded in their band order by ``LoadRasterImage``.

    Args:
        mean (Sequence[float]): per-band means, one per input channel.
        std (Sequence[float]): per-band standard deviations, one per input channel.
        **kwargs: the other arguments of mmseg's ``SegDataPreProcessor`` (``size``, ``pad_val``,
            ``seg_pad_val``, ``size_divisor``, ``test_cfg``, ...).
    """

    def forward(self, data: dict, training: bool = False) -> Dict[str, Any]:
        """Check every image's band count against the statistics, then run mmseg's preprocessing."""
        if self._enable_normalize:
            bands = self.mean.numel()
            samples = data.get('data_samples') or [None] * len(data['inputs'])
            for img, sample in zip(data['inputs'], samples):
                if img.shape[0] != bands:
                    name = sample.metainfo.get('img_path', '<unknown file>') if sample is not None else \
                        '<unknown file>'
                    raise ValueError(f'{name}: image has {img.shape[0]} bands but the config normalises '
                                     f'{bands} (data_preprocessor mean/std)')
        return super().forward(data, training)
