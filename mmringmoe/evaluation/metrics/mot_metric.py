"""MOTA, IDF1 and HOTA per class and over all classes for multi-class tracking in satellite video (paper App.
B.5.5, "Evaluation Metric": MOTA = 1 - (FN + FP + IDSW) / GT, and IDF1; Fig. A6.b), computed by TrackEval's
own metric classes (the MOTChallenge reference implementation) on data held in memory."""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmdet.evaluation.metrics.base_video_metric import BaseVideoMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement
from trackeval.datasets._base_dataset import _BaseDataset  # first imported by mmringmoe.utils.compat
from trackeval.metrics import CLEAR, HOTA, Identity

from mmringmoe.registry import METRICS

# (result key, TrackEval metric, TrackEval field, shown as a percentage)
REPORTED = (('HOTA', 'HOTA', 'HOTA', True), ('DetA', 'HOTA', 'DetA', True), ('AssA', 'HOTA', 'AssA', True),
            ('MOTA', 'CLEAR', 'MOTA', True), ('MOTP', 'CLEAR', 'MOTP', True), ('IDF1', 'Identity', 'IDF1', True),
            ('IDP', 'Identity', 'IDP', True), ('IDR', 'Identity', 'IDR', True), ('MT', 'CLEAR', 'MT', False),
            ('ML', 'CLEAR', 'ML', False), ('FP', 'CLEAR', 'CLR_FP', False), ('FN', 'CLEAR', 'CLR_FN', False),
            ('IDSW', 'CLEAR', 'IDSW', False), ('Frag', 'CLEAR', 'Frag', False))
OVERALL = 'overall'


def _empty_frame() -> dict:
    return dict(gt_boxes=np.zeros((0, 4)), gt_ids=np.zeros(0, int), gt_labels=np.zeros(0, int),
                pred_boxes=np.zeros((0, 4)), pred_ids=np.zeros(0, int), pred_labels=np.zeros(0, int))


def _contiguous(ids: List[np.ndarray]) -> List[np.ndarray]:
    """Track ids renumbered 0..K-1 over a sequence (TrackEval's metrics index arrays by id)."""
    unique = np.unique(np.concatenate(ids)) if ids else np.zeros(0, int)
    return [np.searchsorted(unique, frame_ids).astype(int) for frame_ids in ids]


@METRICS.register_module()
class MultiClassMOTMetric(BaseVideoMetric):
    """HOTA, CLEAR-MOT (MOTA, MOTP, FP, FN, IDSW, MT, ML, Frag) and identity (IDF1, IDP, IDR) metrics of every
    class of the dataset, and over all classes.

    Each class is evaluated on its own, as TrackEval evaluates the classes of multi-class benchmarks (KITTI,
    BDD100K): a ground-truth box of class c is matched only with predicted boxes labelled c, so a ship tracked
    as an aircraft is a false negative of ship and a false positive of aircraft. The overall row combines the
    classes as TrackEval's ``COMBINED_SEQ`` / ``cls_comb_det_av`` does: counts (TP, FN, FP, IDSW, IDTP, ...)
    summed over classes and the ratios recomputed from them (detection-averaged, not the mean of the class
    values). TrackEval's ``HOTA``, ``CLEAR`` and ``Identity`` classes compute every number, on IoU from
    TrackEval's own box IoU, with its matching threshold 0.5 (``iou_thr``) for CLEAR and Identity; HOTA
    averages over its 19 thresholds as TrackEval reports it.

    Why mmdet 3.1's ``MOTChallengeMetric`` is replaced: it evaluates the ``pedestrian`` class only (TrackEval's
    ``MotChallenge2DBox`` dataset accepts no other; a ground truth of another category id is removed as a
    non-pedestrian or distractor, so a perfect tracker of ships scores MOTA <= 0 and IDF1 0), it ignores the
    predicted labels, it writes ground-truth boxes to text files as integers (``%d``: a 12.4 px box becomes
    12 px, and for 5-20 px objects that moves IoU across the 0.5 threshold), and it runs TrackEval through
    those files in a temporary folder. This metric reads boxes as floats from memory and keeps the classes
    apart.

    Ground truth: the frame's ``instances`` (as mmdet's ``PackTrackInputs`` puts them in the metainfo); a box
    with ``ignore_flag`` 1 or MOT's "consider" flag ``mot_conf`` 0 is left out, as TrackEval leaves out
    MOTChallenge's zero-marked boxes. Predictions: ``pred_track_instances`` (``bboxes`` x1, y1, x2, y2 in the
    original frame, ``labels``, ``instances_id``). MOTChallenge's distractor classes (MOT17 preprocessing) are
    not used: the satellite datasets have none.

    Args:
        iou_thr (float): IoU at which a prediction matches a ground-truth box for CLEAR and Identity.
            Defaults to 0.5 (TrackEval's and the MOTChallenge default).
        collect_device (str): how results are gathered across ranks; ``'cpu'`` (mmdet's tracking metrics
            implement no other).
        prefix (str, optional): prefix of the result keys; defaults to ``'mot'``.

    Results: ``<prefix>/<key>`` over all classes and ``<prefix>/<class>/<key>`` per class, for the keys of
    :data:`REPORTED`; ratios as fractions (0-1), as TrackEval and mmdet return them; the logged table shows
    them in percent.
    """
    default_prefix: Optional[str] = 'mot'

    def __init__(self, iou_thr: float = 0.5, collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.iou_thr = iou_thr
        config = dict(THRESHOLD=iou_thr, PRINT_CONFIG=False)
        self.engines = dict(HOTA=HOTA(), CLEAR=CLEAR(config), Identity=Identity(config))

    # -- collecting frames -------------------------------------------------------------------------------
    def process_video(self, data_samples: Sequence) -> None:
        """A whole video at once (mmdet's video-level test mode)."""
        for sample in data_samples:
            self._add_frame(sample, len(data_samples))

    def process_image(self, data_samples: Sequence, video_len: int) -> None:
        """One frame of a video (mmdet's frame-level test mode)."""
        self._add_frame(data_samples[0], video_len)

    def _add_frame(self, sample, video_len: int) -> None:
        sample = sample.to_dict() if isinstance(sample, BaseDataElement) else sample
        record = _empty_frame()
        gt = [i for i in sample.get('instances', []) if not i.get('ignore_flag', 0) and i.get('mot_conf', 1) != 0]
        if gt:
            record.update(gt_boxes=np.array([i['bbox'] for i in gt], dtype=np.float64),
                          gt_ids=np.array([i['instance_id'] for i in gt], dtype=int),
                          gt_labels=np.array([i['bbox_label'] for i in gt], dtype=int))
        pred = sample['pred_track_instances']
        if len(pred['bboxes']):
            record.update(pred_boxes=np.asarray(pred['bboxes'].cpu(), dtype=np.float64).reshape(-1, 4),
                          pred_ids=np.asarray(pred['instances_id'].cpu(), dtype=int),
                          pred_labels=np.asarray(pred['labels'].cpu(), dtype=int))
        record.update(video=sample['video_id'], frame=sample['frame_id'], video_len=video_len)
        self.results.append(record)

    # -- evaluating --------------------------------------------------------------------------------------
    def sequence_data(self, frames: Dict[int, dict], num_frames: int, label: int) -> dict:
        """One video's boxes of class ``label`` in TrackEval's per-sequence form (what its dataset classes'
        ``get_preprocessed_seq_data`` return)."""
        gt_ids, tracker_ids, similarity = [], [], []
        for t in range(num_frames):
            frame = frames.get(t, _empty_frame())
            gt, pred = frame['gt_labels'] == label, frame['pred_labels'] == label
            gt_ids.append(frame['gt_ids'][gt])
            tracker_ids.append(frame['pred_ids'][pred])
            similarity.append(_BaseDataset._calculate_box_ious(frame['gt_boxes'][gt], frame['pred_boxes'][pred],
                                                               box_format='x0y0x1y1'))
        for name, ids in (('ground-truth', gt_ids), ('predicted', tracker_ids)):
            for t, frame_ids in enumerate(ids):
                if len(np.unique(frame_ids)) < len(frame_ids):
                    raise ValueError(f'MultiClassMOTMetric: a {name} track id occurs twice in frame {t}')
        gt_ids, tracker_ids = _contiguous(gt_ids), _contiguous(tracker_ids)
        return dict(
            num_timesteps=num_frames, gt_ids=gt_ids, tracker_ids=tracker_ids, similarity_scores=similarity,
            num_gt_dets=sum(map(len, gt_ids)), num_tracker_dets=sum(map(len, tracker_ids)),
            num_gt_ids=len(np.unique(np.concatenate(gt_ids))) if gt_ids else 0,
            num_tracker_ids=len(np.unique(np.concatenate(tracker_ids))) if tracker_ids else 0)

    def evaluate_classes(self, results: List[dict], classes: Sequence[str]) -> Dict[str, Dict[str, dict]]:
        """TrackEval's results ``{class or 'overall': {metric name: fields}}``, sequences combined."""
        videos: Dict[int, Dict[int, dict]] = defaultdict(dict)
        lengths: Dict[int, int] = {}
        for record in results:
            videos[record['video']][record['frame']] = record
            lengths[record['video']] = max(record['video_len'], record['frame'] + 1)
        combined = {}
        for label, name in enumerate(classes):
            per_video = {video: self.sequence_data(frames, lengths[video], label) for video, frames in videos.items()}
            combined[name] = {
                metric: engine.combine_sequences({video: engine.eval_sequence(data)
                                                  for video, data in per_video.items()})
                for metric, engine in self.engines.items()
            }
        combined[OVERALL] = {metric: engine.combine_classes_det_averaged({c: combined[c][metric] for c in classes})
                             for metric, engine in self.engines.items()}
        return combined

    def compute_metrics(self, results: list) -> Dict[str, float]:
        summary = summarize(self.evaluate_classes(results, list(self.dataset_meta['classes'])))
        print_log('\n' + format_table(summary), logger='current')
        return {key if row == OVERALL else f'{row}/{key}': value
                for row, values in summary.items() for key, value in values.items()}


def summarize(combined: Dict[str, Dict[str, dict]]) -> Dict[str, Dict[str, float]]:
    """``{row: {key: value}}`` for the keys of :data:`REPORTED` (HOTA and its parts: mean over TrackEval's
    thresholds, as TrackEval's summary reports them); counts as ``int``."""
    summary = {}
    for row, values in combined.items():
        summary[row] = {}
        for key, metric, field, percent in REPORTED:
            value = values[metric][field]
            summary[row][key] = float(np.mean(value)) if percent else int(value)
    return summary


def format_table(summary: Dict[str, Dict[str, float]]) -> str:
    """A MOTChallenge-style table: one row per class and the overall row, ratios in percent."""
    header = ['class'] + [key for key, *_ in REPORTED]
    rows = [[row] + [f'{100 * values[key]:.2f}' if percent else str(values[key]) for key, _, _, percent in REPORTED]
            for row, values in summary.items()]
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    return '\n'.join('  '.join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                     for r in [header] + rows)
