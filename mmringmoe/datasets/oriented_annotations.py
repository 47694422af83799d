"""Checks shared by the oriented detection datasets (DIOR-R, HRSC2016): a listed image or annotation that is
missing, an XML that does not parse, a class name the config does not know, and boxes that are degenerate or
reach outside their image.

Nothing is silently wrong: a missing file, an unparsable XML or an unknown class stops the build with one line
naming the file; a degenerate box (zero area, or zero/negative width or height) is skipped and a box reaching
outside its image is clipped, each counted, and the counts are reported in one summary warning per dataset.
"""
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Dict, Optional

import numpy as np

from .det_annotations import BoxTally
from .rs_base_seg_dataset import DATASETS_DOC


class AnnotationError(ValueError):
    """An annotation file that cannot be used (unparsable, or naming a class the config does not know).
    The message names the file."""


def require_file(path: str, listed_in: str) -> None:
    """Raise ``FileNotFoundError`` naming ``path`` and the split file that lists it when it does not exist."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{listed_in} lists {path}, which does not exist (layout: {DATASETS_DOC})')


def parse_xml(path: str, listed_in: str) -> ET.Element:
    """The root of the XML at ``path``; ``FileNotFoundError`` / :class:`AnnotationError` naming the file."""
    require_file(path, listed_in)
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as err:
        raise AnnotationError(f'{path}: not a readable XML annotation ({err})') from None


def class_label(name: Optional[str], cat2label: Dict[str, int], path: str) -> int:
    """The label of the class ``name`` (compared in lower case: the DIOR releases spell some classes
    differently from file to file, e.g. ``Expressway-Service-area``); :class:`AnnotationError` naming the
    file and the class when the config's classes do not have it."""
    key = (name or '').strip().lower()
    if key not in cat2label:
        raise AnnotationError(f'{path}: class {name!r} is not one of the config\'s classes '
                              f'({", ".join(cat2label)})')
    return cat2label[key]


def polygon_area(corners: np.ndarray) -> float:
    """Area of the polygon with ``(N, 2)`` corners, in their order (shoelace formula)."""
    x, y = corners[:, 0], corners[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


class OrientedBoxChecker(BoxTally):
    """Skips degenerate boxes and clips boxes to their image, counting both, for one dataset.

    A box is four corners ``(x1, y1, ..., x4, y4)`` (mmrotate's ``qbox``). Clipping moves each corner into
    ``[0, width] x [0, height]``; mmrotate's ``ConvertBoxType`` then fits the smallest rotated rectangle
    around the clipped corners. A box with no area left inside the image is skipped as degenerate.
    """

    skip_reason = 'with zero area or a zero/negative width or height'
    clip_reason = 'reaching outside their image'

    def __init__(self, dataset: str) -> None:
        super().__init__()
        self.dataset = dataset

    def check(self, qbox: np.ndarray, width: int, height: int, path: str) -> Optional[np.ndarray]:
        """The box clipped to the image, float32 ``(8,)``; None (counted) when it has no area inside."""
        corners = np.asarray(qbox, dtype=np.float32).reshape(4, 2)
        if not np.isfinite(corners).all() or polygon_area(corners) <= 0:
            self.count_skipped(path)
            return None
        inside = np.clip(corners, 0, [width, height]).astype(np.float32)
        if polygon_area(inside) <= 0:
            self.count_skipped(path)
            return None
        if not np.array_equal(inside, corners):
            self.count_clipped(path)
        return inside.reshape(-1)

    def report(self) -> None:
        """One warning with the counts of skipped and clipped boxes, if any."""
        self.warn(self.dataset)
