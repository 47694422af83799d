"""Degenerate boxes and boxes outside the image in the horizontal detection datasets' readers.

The readers (VOC-style XML: DIOR, SAR-AIRcraft-1.0; COCO JSON: HRSID, SARDet-100K) call these while
parsing, so that bad boxes are counted and reported once instead of training on silently wrong targets. Class
names and missing files are checked with the helpers of :mod:`mmringmoe.datasets.oriented_annotations`.
"""
from typing import List, Optional, Sequence

from mmengine.logging import print_log


class BoxTally:
    """Clip boxes to their image and drop degenerate ones, counting both for one summary warning.

    A box with zero or negative width or height (``x2 <= x1`` or ``y2 <= y1``) gives no regression target
    and is skipped; a box reaching outside the image is clipped to it (and skipped if nothing is left).
    The counting and the warning serve the oriented readers too
    (:class:`~mmringmoe.datasets.oriented_annotations.OrientedBoxChecker`), which say why in their own words.
    """

    skip_reason = 'with zero or negative width/height or wholly outside their image'
    clip_reason = 'reaching outside their image to it'

    def __init__(self) -> None:
        self.skipped = 0
        self.clipped = 0
        self.first_skipped: Optional[str] = None
        self.first_clipped: Optional[str] = None

    def count_skipped(self, source: str) -> None:
        """Count a skipped box of the annotation ``source``."""
        self.skipped += 1
        self.first_skipped = self.first_skipped or source

    def count_clipped(self, source: str) -> None:
        """Count a clipped box of the annotation ``source``."""
        self.clipped += 1
        self.first_clipped = self.first_clipped or source

    def clean(self, bbox: Sequence[float], width: int, height: int, source: str) -> Optional[List[float]]:
        """``[x1, y1, x2, y2]`` clipped to ``[0, width] x [0, height]``, or None when it has no area."""
        x1, y1, x2, y2 = (float(v) for v in bbox)
        if x2 <= x1 or y2 <= y1:
            self.count_skipped(source)
            return None
        clipped = [min(max(x1, 0.), width), min(max(y1, 0.), height), min(max(x2, 0.), width),
                   min(max(y2, 0.), height)]
        if clipped != [x1, y1, x2, y2]:
            self.count_clipped(source)
            if clipped[2] <= clipped[0] or clipped[3] <= clipped[1]:
                self.skipped += 1
                return None
        return clipped

    def warn(self, dataset: str) -> None:
        """One warning summarising what was skipped and clipped, if anything was."""
        parts = []
        if self.skipped:
            parts.append(f'skipped {self.skipped} box(es) {self.skip_reason} '
                         f'(first in {self.first_skipped or self.first_clipped})')
        if self.clipped:
            parts.append(f'clipped {self.clipped} box(es) {self.clip_reason} (first in {self.first_clipped})')
        if parts:
            print_log(f'{dataset}: ' + '; '.join(parts), logger='current', level=30)

