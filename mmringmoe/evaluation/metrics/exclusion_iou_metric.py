"""mmseg's IoU metric with classes left out of the reported results (paper App. B.5.2, AIR-PolSAR-Seg)."""
from typing import Dict, Sequence

from mmseg.evaluation import IoUMetric

from mmringmoe.registry import METRICS


@METRICS.register_module()
class ExclusionIoUMetric(IoUMetric):
    """``IoUMetric`` whose per-class table and means leave out ``exclude_classes``.

    Paper App. B.5.2, AIR-PolSAR-Seg: "Due to the small proportion of Land-use and Other areas, these two
    categories are excluded from the experimental results"; Table A7 reports the other four. The model
    still trains and predicts every class; only the reported metrics drop the excluded ones: their rows
    leave the table, and mIoU / mAcc / mFscore average the kept classes, aAcc counts the pixels of the kept
    classes only.

    Args:
        exclude_classes (Sequence[str]): class names (of the dataset's ``metainfo``) to leave out.
        **kwargs: the arguments of mmseg's ``IoUMetric`` (``iou_metrics``, ``ignore_index``, ...).
    """

    def __init__(self, exclude_classes: Sequence[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.exclude_classes = tuple(exclude_classes)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """mmseg's metrics over the kept classes only."""
        classes = list(self.dataset_meta['classes'])
        unknown = [c for c in self.exclude_classes if c not in classes]
        if unknown:
            raise ValueError(f'ExclusionIoUMetric: exclude_classes {unknown} are not classes of the dataset '
                             f'{classes}')
        keep = [i for i, name in enumerate(classes) if name not in self.exclude_classes]
        kept_results = [tuple(area[keep] for area in areas) for areas in results]
        full_meta = self.dataset_meta
        self.dataset_meta = {**full_meta, 'classes': [classes[i] for i in keep]}
        try:
            return super().compute_metrics(kept_results)
        finally:
            self.dataset_meta = full_meta
