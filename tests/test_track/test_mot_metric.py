"""mmringmoe.MultiClassMOTMetric: equal to TrackEval's own MOTChallenge evaluation on the real MOT15 fixture,
classes scored apart, where mmdet 3.1's MOTChallengeMetric goes wrong, and the dataset -> test pipeline ->
metric path of a tracking config."""
import contextlib
import io
import os.path as osp
from typing import List, Sequence, Tuple

import numpy as np
import pytest
import torch
import trackeval
from mmdet.datasets import MOTChallengeDataset
from mmdet.datasets.samplers import TrackImgSampler
from mmdet.evaluation import MOTChallengeMetric
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.dataset import pseudo_collate
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData
from mot_layouts import FIXTURE, FIXTURE_VIDEOS, converter, fixture_release, fixture_rows, write_video

from mmringmoe.datasets import AIRMOTDataset
from mmringmoe.evaluation.metrics import MultiClassMOTMetric
from mmringmoe.evaluation.metrics import mot_metric
from mmringmoe.evaluation.metrics.mot_metric import REPORTED

# (instance or track id, label, (x1, y1, x2, y2)); category id = label + 1 (the converter's ids)
Box = Tuple[int, int, Tuple[float, float, float, float]]


def frame_sample(video: str, video_id: int, frame_id: int, length: int, gt: Sequence[Box],
                 pred: Sequence[Box]) -> DetDataSample:
    """One frame as mmdet's PackTrackInputs and a tracker leave it: metainfo ``instances``, predictions."""
    instances = [dict(bbox=list(box), bbox_label=label, instance_id=i, category_id=label + 1, mot_conf=1.0,
                      visibility=1.0, ignore_flag=0) for i, label, box in gt]
    sample = DetDataSample(metainfo=dict(img_path=f'data/{video}/img1/{frame_id + 1:06d}.jpg', video_id=video_id,
                                         frame_id=frame_id, ori_video_length=length, instances=instances))
    sample.pred_track_instances = InstanceData(
        bboxes=torch.tensor([list(box) for _, _, box in pred], dtype=torch.float32).reshape(-1, 4),
        labels=torch.tensor([label for _, label, _ in pred], dtype=torch.long),
        instances_id=torch.tensor([i for i, _, _ in pred], dtype=torch.long),
        scores=torch.ones(len(pred)))
    return sample


def video_input(frames: List[DetDataSample]) -> dict:
    """A whole video as mmengine's Evaluator hands it to ``process`` (the TrackDataSample as a dict)."""
    track = TrackDataSample()
    track.video_data_samples = frames
    return track.to_dict()


def evaluate(metric, classes, videos: Sequence[List[DetDataSample]]) -> dict:
    metric.dataset_meta = dict(classes=tuple(classes))
    for frames in videos:
        metric.process({}, [video_input(frames)])
    return metric.evaluate(len(videos))


def trackeval_mot15(output: str) -> dict:
    """TrackEval's own evaluation of the fixture's tracker results: MotChallenge2DBox on its files (MOT15:
    no preprocessing), HOTA + CLEAR + Identity, sequences combined."""
    eval_config = trackeval.Evaluator.get_default_eval_config()
    eval_config.update(USE_PARALLEL=False, PRINT_RESULTS=False, PRINT_CONFIG=False, TIME_PROGRESS=False,
                       OUTPUT_SUMMARY=False, OUTPUT_DETAILED=False, PLOT_CURVES=False)
    dataset_config = dict(GT_FOLDER=FIXTURE, TRACKERS_FOLDER=FIXTURE, TRACKERS_TO_EVAL=['results'],
                          TRACKER_SUB_FOLDER='', OUTPUT_FOLDER=output, BENCHMARK='MOT15', SPLIT_TO_EVAL='train',
                          SKIP_SPLIT_FOL=True, DO_PREPROC=False, SEQ_INFO={v: None for v in FIXTURE_VIDEOS},
                          GT_LOC_FORMAT='{gt_folder}/{seq}/gt/gt.txt', PRINT_CONFIG=False)
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR(dict(THRESHOLD=0.5, PRINT_CONFIG=False)),
               trackeval.metrics.Identity(dict(THRESHOLD=0.5, PRINT_CONFIG=False))]
    with contextlib.redirect_stdout(io.StringIO()):
        results, _ = trackeval.Evaluator(eval_config).evaluate(
            [trackeval.datasets.MotChallenge2DBox(dataset_config)], metrics)
    return results['MotChallenge2DBox']['results']['COMBINED_SEQ']['pedestrian']


def test_matches_trackeval_on_the_mot15_fixture(tmp_path):
    """The fixture's gt converted by mot2coco.py and read by mmdet's MOTChallengeDataset, the real tracker
    results as float32 predictions: every reported number equals TrackEval's to four decimals."""
    release = fixture_release(str(tmp_path))
    assert converter().main([release, '--out', str(tmp_path / 'annotations'), '--layout', 'mot15']) == 0
    dataset = MOTChallengeDataset(data_root=release, ann_file='annotations/train_cocoformat.json',
                                  data_prefix=dict(img_path='train'), metainfo=dict(classes=('pedestrian', )),
                                  test_mode=True, pipeline=[], serialize_data=False)
    videos = []
    for index in range(len(dataset)):
        images = dataset.get_data_info(index)['images']
        name = images[0]['img_path'].split(osp.sep)[-3]
        results = fixture_rows(osp.join(FIXTURE, 'results', f'{name}.txt'))
        frames = []
        for image in images:
            rows = results[results[:, 0] == image['frame_id'] + 1]
            frame = frame_sample(name, image['video_id'], image['frame_id'], len(images), [], [
                (int(r[1]), 0, (r[2], r[3], r[2] + r[4], r[3] + r[5])) for r in rows])
            frame.set_metainfo(dict(instances=image['instances']))
            frames.append(frame)
        videos.append(frames)
    ours = evaluate(MultiClassMOTMetric(), ['pedestrian'], videos)
    reference = trackeval_mot15(str(tmp_path / 'trackeval'))
    assert reference['CLEAR']['CLR_TP'] > 0 and reference['Identity']['IDTP'] > 0
    for key, metric, field, _ in REPORTED:
        expected = float(np.mean(reference[metric][field]))
        assert ours[f'mot/pedestrian/{key}'] == pytest.approx(expected, abs=5e-5), key
        assert ours[f'mot/{key}'] == pytest.approx(expected, abs=5e-5), key
    assert ours['mot/FN'] == 602 and ours['mot/IDSW'] == 14  # the values, for the reader: MOTA 0.5551


def two_class_video(ship_track_label: int, ship_label: int = 1) -> List[DetDataSample]:
    """4 frames: an aircraft (label 0) and a ship (``ship_label``) moving right, tracked exactly; the ship's
    predicted track carries the label ``ship_track_label``."""
    frames = []
    for t in range(4):
        aircraft, ship = (10 + 2 * t, 10, 22 + 2 * t, 20), (40 + 3 * t, 30, 60 + 3 * t, 38)
        frames.append(frame_sample('v', 1, t, 4, [(0, 0, aircraft), (1, ship_label, ship)],
                                   [(10, 0, aircraft), (11, ship_track_label, ship)]))
    return frames


def test_classes_are_scored_separately():
    """A ship tracked under the aircraft label: an FP of aircraft and an FN of ship, where pooling the
    classes (labels ignored) scores the same boxes perfect; the overall row sums the classes' counts."""
    results = evaluate(MultiClassMOTMetric(), ['aircraft', 'ship'], [two_class_video(0)])
    aircraft = {key: results[f'mot/aircraft/{key}'] for key, *_ in REPORTED}
    ship = {key: results[f'mot/ship/{key}'] for key, *_ in REPORTED}
    assert (aircraft['FP'], aircraft['FN'], aircraft['MOTA'], aircraft['IDF1']) == (4, 0, 0.0, pytest.approx(2 / 3))
    assert (ship['FP'], ship['FN'], ship['MOTA'], ship['IDF1']) == (0, 4, 0.0, 0.0)
    assert (results['mot/FP'], results['mot/FN'], results['mot/MOTA']) == (4, 4, 0.0)  # 1 - (4 + 4) / 8
    assert results['mot/IDF1'] == pytest.approx(2 * 4 / (2 * 4 + 4 + 4))  # summed IDTP, IDFP, IDFN
    pooled = evaluate(MultiClassMOTMetric(), ['object'], [two_class_video(0, ship_label=0)])  # one class
    assert pooled['mot/MOTA'] == pooled['mot/IDF1'] == 1.0 and pooled['mot/FP'] == pooled['mot/FN'] == 0
    relabelled = evaluate(MultiClassMOTMetric(), ['aircraft', 'ship'], [two_class_video(1)])
    assert relabelled['mot/MOTA'] == relabelled['mot/IDF1'] == relabelled['mot/HOTA'] == 1.0
    assert relabelled['mot/ship/MOTA'] == relabelled['mot/aircraft/MOTA'] == 1.0


def test_where_mmdet_motchallenge_metric_goes_wrong(tmp_path):
    """A perfectly tracked ship (category id 2), and a pedestrian box 12.4 px wide at x 10.6 tracked 3.7 px
    off (IoU 0.54 with the float box, 0.46 with the integer box mmdet writes): mmdet's metric scores both
    wrong, ours scores both as matched."""
    ship = [frame_sample('ships', 1, t, 3, [(0, 1, (20 + t, 5, 32 + t, 13))], [(5, 1, (20 + t, 5, 32 + t, 13))])
            for t in range(3)]
    person = [frame_sample('people', 2, t, 3, [(0, 0, (10.6, 0, 23.0, 8))], [(5, 0, (14.3, 0, 26.7, 8))])
              for t in range(3)]
    for video, classes, label in ((ship, ('aircraft', 'ship'), 'ship'), (person, ('pedestrian', ), 'pedestrian')):
        ours = evaluate(MultiClassMOTMetric(), classes, [video])
        assert (ours[f'mot/{label}/MOTA'], ours[f'mot/{label}/IDF1'], ours[f'mot/{label}/FN']) == (1.0, 1.0, 0)
        theirs = evaluate(MOTChallengeMetric(metric=['CLEAR', 'Identity']), classes, [video])
        assert theirs['motchallenge-metric/IDF1'] == 0.0 and theirs['motchallenge-metric/MOTA'] <= 0.0


def test_config_path_dataset_pipeline_evaluator(tmp_path, monkeypatch):
    """AIRMOTDataset (test mode) -> mmdet's tracking test pipeline -> a tracker that returns the ground truth
    -> mmengine's Evaluator with the metric: perfect scores per class, and the logged table."""
    write_video(str(tmp_path / 'test'), 'clip', ['1,4,10.5,10,12.4,8,1,1,1', '1,9,40,30,20,8,1,2,1',
                                                 '2,4,12.5,10,12.4,8,1,1,1', '2,9,43,30,20,8,1,2,1'], 2, (96, 64))
    ann_file = str(tmp_path / 'test.json')
    assert converter().main([str(tmp_path / 'test'), '--out', ann_file, '--layout', 'air-mot']) == 0
    pipeline = [dict(type='mmdet.TransformBroadcaster', transforms=[
        dict(type='mmdet.LoadImageFromFile'), dict(type='mmdet.LoadTrackAnnotations')]),
        dict(type='mmdet.PackTrackInputs')]
    dataset = AIRMOTDataset(data_root=str(tmp_path), ann_file=ann_file, data_prefix=dict(img_path='test'),
                            test_mode=True, pipeline=pipeline)
    evaluator = Evaluator(dict(type='mmringmoe.MultiClassMOTMetric'))
    evaluator.dataset_meta = dataset.metainfo
    for index in TrackImgSampler(dataset, seed=0):
        track = pseudo_collate([dataset[index]])['data_samples'][0]
        frame = track.video_data_samples[0]
        frame.pred_track_instances = InstanceData(
            bboxes=frame.gt_instances.bboxes, labels=frame.gt_instances.labels,
            instances_id=frame.gt_instances.instances_ids, scores=torch.ones(len(frame.gt_instances)))
        evaluator.process([track])
    logged = []
    monkeypatch.setattr(mot_metric, 'print_log', lambda message, logger: logged.append((message, logger)))
    results = evaluator.evaluate(len(dataset))
    for row in ('', 'aircraft/', 'ship/'):
        assert results[f'mot/{row}MOTA'] == results[f'mot/{row}IDF1'] == results[f'mot/{row}HOTA'] == 1.0
    assert results['mot/FP'] == results['mot/FN'] == results['mot/IDSW'] == 0
    ((message, logger), ) = logged
    table = message.strip().splitlines()
    assert logger == 'current' and len(table) == 4
    assert table[0].split()[:5] == ['class', 'HOTA', 'DetA', 'AssA', 'MOTA']
    assert [line.split()[0] for line in table[1:]] == ['aircraft', 'ship', 'overall']
    assert table[3].split()[4] == '100.00'  # MOTA in percent
