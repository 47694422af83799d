"""Object detection over a scene: boxes of every tile in scene pixels, merged across tiles (paper App. B.5.4
models: Faster R-CNN and Oriented R-CNN on RingMoE-KC).

A box that crosses a tile's edge shared with a neighbouring tile is the cut-off view of an object that the
neighbour, overlapping by more than the object's size, sees whole: such boxes are dropped, and the
remaining duplicates (objects inside the overlap, seen whole by two tiles) are merged by class-wise NMS
(mmcv's ``batched_nms``; ``nms_rotated`` for oriented boxes).
"""
from typing import List, Sequence, Tuple

import numpy as np
import torch
from mmcv.ops import batched_nms, nms_rotated
from mmdet.structures import DetDataSample

from .base import BoxAdapter, dataset_metainfo, to_batch

EDGE_MARGIN = 2.0  # px: a box reaching this close to an inner tile edge is cut off by it


def box_extent(boxes: np.ndarray) -> np.ndarray:
    """``(N, 4)`` x1, y1, x2, y2 of horizontal ``(N, 4)`` or oriented ``(N, 5)`` (cx, cy, w, h, angle) boxes."""
    if boxes.shape[1] == 4:
        return boxes
    cx, cy, w, h, angle = boxes.T
    cos, sin = np.abs(np.cos(angle)), np.abs(np.sin(angle))
    half_w, half_h = (w * cos + h * sin) / 2, (w * sin + h * cos) / 2
    return np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)


def box_corners(boxes: np.ndarray) -> np.ndarray:
    """``(N, 4, 2)`` corner points (x, y) of horizontal or oriented boxes, in drawing order."""
    if boxes.shape[1] == 4:
        x1, y1, x2, y2 = boxes.T
        return np.stack([np.stack([x1, y1], 1), np.stack([x2, y1], 1), np.stack([x2, y2], 1),
                         np.stack([x1, y2], 1)], axis=1)
    cx, cy, w, h, angle = boxes.T
    cos, sin = np.cos(angle), np.sin(angle)
    corners = []
    for dx, dy in ((-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)):
        x, y = dx * w, dy * h
        corners.append(np.stack([cx + x * cos - y * sin, cy + x * sin + y * cos], 1))
    return np.stack(corners, axis=1)


def inner_edge_cut(boxes: np.ndarray, x: int, y: int, tile_w: int, tile_h: int, width: int,
                   height: int) -> np.ndarray:
    """Boolean mask of boxes (tile coordinates) that reach an edge of the tile at ``(x, y)`` that is not the
    scene's edge."""
    x1, y1, x2, y2 = box_extent(boxes).T
    cut = np.zeros(len(boxes), dtype=bool)
    if x > 0:
        cut |= x1 <= EDGE_MARGIN
    if y > 0:
        cut |= y1 <= EDGE_MARGIN
    if x + tile_w < width:
        cut |= x2 >= tile_w - EDGE_MARGIN
    if y + tile_h < height:
        cut |= y2 >= tile_h - EDGE_MARGIN
    return cut


def scene_boxes(boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray, x: int, y: int,
                grid) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The boxes of the tile at ``(x, y)`` of ``grid`` (a :class:`~..tiling.TileGrid`) in scene pixels,
    without those cut off by an inner tile edge."""
    keep = ~inner_edge_cut(boxes, x, y, grid.tile_width, grid.tile_height, grid.width, grid.height)
    boxes = boxes[keep].copy()
    boxes[:, 0] += x
    boxes[:, 1] += y
    if boxes.shape[1] == 4:
        boxes[:, 2] += x
        boxes[:, 3] += y
    return boxes, scores[keep], labels[keep]


def merge_detections(boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray,
                     iou_threshold: float) -> np.ndarray:
    """Indices of the boxes kept by class-wise NMS, highest score first: ``batched_nms`` for ``(N, 4)``
    boxes, ``nms_rotated`` for ``(N, 5)`` ones."""
    if not len(boxes):
        return np.zeros(0, dtype=np.int64)
    b, s, l = (torch.from_numpy(np.ascontiguousarray(a)) for a in (boxes, scores, labels))
    if boxes.shape[1] == 4:
        _, keep = batched_nms(b.float(), s.float(), l.long(), dict(type='nms', iou_threshold=iou_threshold,
                                                                    split_thr=10**9))
    else:
        # class-wise as batched_nms does it: each class moved far from the others (mmcv 2.0.1's CPU
        # nms_rotated does not separate its ``labels``)
        b = b.float().clone()
        b[:, :2] += (l.float() * (b[:, :2].max() + b[:, 2:4].max() + 1))[:, None]
        _, keep = nms_rotated(b, s.float(), iou_threshold)
    return keep.numpy()


class DetAdapter(BoxAdapter):
    """Run tiles through an mmdet / mmrotate detector as its test step does (the model's data preprocessor,
    then ``predict`` with the tile at scale 1).

    Args:
        model: the detector, in eval mode, on its device.
        cfg: its config (class names from the test dataset).
        score_threshold: boxes scoring less are dropped.
    """

    def __init__(self, model, cfg, score_threshold: float = 0.3) -> None:
        self.model, self.score_threshold = model, score_threshold
        meta = dataset_metainfo(cfg)
        self.classes = [str(c) for c in meta.get('classes', ())]

    def class_name(self, label: int) -> str:
        return self.classes[label] if label < len(self.classes) else str(label)

    @torch.no_grad()
    def predict(self, tiles: Sequence[np.ndarray]) -> List[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
        device = next(self.model.parameters()).device
        height, width = tiles[0].shape[1:]
        meta = dict(img_shape=(height, width), ori_shape=(height, width), scale_factor=(1.0, 1.0))
        data = dict(inputs=to_batch(tiles, device), data_samples=[DetDataSample(metainfo=meta) for _ in tiles])
        data = self.model.data_preprocessor(data, False)
        results = self.model.predict(data['inputs'], data['data_samples'], rescale=True)
        out = []
        for result in results:
            inst = result.pred_instances
            boxes = inst.bboxes.tensor if hasattr(inst.bboxes, 'tensor') else inst.bboxes
            keep = inst.scores >= self.score_threshold
            out.append((boxes[keep].float().cpu().numpy(), inst.scores[keep].float().cpu().numpy(),
                        inst.labels[keep].cpu().numpy()))
        return out
