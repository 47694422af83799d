"""Satellite-video multi-object tracking datasets of paper App. B.5.5, read from the video COCO JSON that
``tools/dataset_converters/mot2coco.py`` writes from the MOT-Challenge style release:

- AIR-MOT (He et al., TGRS 2022): 152 Jilin-1 videos of 1920 x 1080 px, 5-10 fps, classes aircraft and ship;
  106 training and 46 test videos (``--layout air-mot``).
- AIR-HSAO (Ren et al., TGRS 2024): 197 clips of 1920 x 1080 px, airplanes; 128 training and 69 test clips
  (``--layout air-hsao``).

Layout after conversion (docs/datasets.md, "Tracking datasets")::

    data/AIR-MOT/train/<video>/img1/000001.jpg ...     data_prefix=dict(img_path='train')
    data/AIR-MOT/annotations/train_cocoformat.json     ann_file
"""
import os.path as osp
from typing import List

from mmdet.datasets import MOTChallengeDataset

from mmringmoe.registry import DATASETS
from .oriented_annotations import AnnotationError


class SatVideoMOTDataset(MOTChallengeDataset):
    """mmdet 3.1's :class:`~mmdet.datasets.MOTChallengeDataset` for small objects in satellite video.

    Differences from mmdet's reader, and why:

    - a training frame without objects is allowed (mmdet asserts that every frame has one, true of
      pedestrian videos but not of a runway or a harbour between two aircraft or ships); ``filter_data``
      leaves such frames out of training as it does for any image without annotations.
    - in test mode every ground-truth box of the dataset's classes is kept, also one under 1 px or outside
      the frame, which mmdet drops: the metric must see the annotation as it is, as TrackEval does.
    - a box whose MOT "consider" flag (``mot_conf``) is 0 is marked ``ignore_flag=1``: it is not a training
      target, and :class:`~mmringmoe.evaluation.metrics.MultiClassMOTMetric` drops it from the ground truth
      as TrackEval drops MOTChallenge's zero-marked boxes.
    - an annotation file without a category of the dataset's classes (converted with another ``--layout``)
      raises :class:`~mmringmoe.datasets.oriented_annotations.AnnotationError` naming the file; mmdet would
      silently read no box of that class.
    """
    LAYOUT: str = ''

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        classes = self.metainfo['classes']
        if len(self.cat_ids) != len(classes):  # mmdet found the categories by their exact names
            raise AnnotationError(
                f'{self.ann_file}: its categories do not name every class of {type(self).__name__} '
                f'({", ".join(classes)}); convert the release with tools/dataset_converters/mot2coco.py '
                f'--layout {self.LAYOUT}')
        return data_list

    def parse_data_info(self, raw_data_info: dict) -> dict:
        """One frame: image fields and ``instances`` (``bbox`` as x1, y1, x2, y2 floats, ``bbox_label``,
        ``instance_id``, ``category_id``, ``mot_conf``, ``visibility``, ``ignore_flag``)."""
        img_info = raw_data_info['raw_img_info']
        data_info = dict(img_info)
        prefix = self.data_prefix.get('img_path')
        data_info['img_path'] = img_info['file_name'] if prefix is None else osp.join(prefix, img_info['file_name'])
        instances = []
        for ann in raw_data_info['raw_ann_info']:
            if ann.get('ignore', False) or ann['category_id'] not in self.cat_ids:
                continue
            x1, y1, w, h = ann['bbox']
            if not self.test_mode and not self._trainable(ann, img_info):
                continue
            instances.append(
                dict(bbox=[x1, y1, x1 + w, y1 + h], bbox_label=self.cat2label[ann['category_id']],
                     instance_id=ann['instance_id'], category_id=ann['category_id'], mot_conf=ann['mot_conf'],
                     visibility=ann['visibility'],
                     ignore_flag=int(bool(ann.get('iscrowd', False)) or ann['mot_conf'] == 0)))
        data_info['instances'] = instances
        return data_info

    def _trainable(self, ann: dict, img_info: dict) -> bool:
        """mmdet's training filter: visible enough, at least 1 px wide and high, overlapping the frame."""
        x1, y1, w, h = ann['bbox']
        inter_w = max(0, min(x1 + w, img_info['width']) - max(x1, 0))
        inter_h = max(0, min(y1 + h, img_info['height']) - max(y1, 0))
        return ann['visibility'] >= self.visibility_thr and w >= 1 and h >= 1 and inter_w * inter_h > 0


@DATASETS.register_module()
class AIRMOTDataset(SatVideoMOTDataset):
    """AIR-MOT: ``ann_file`` from ``mot2coco.py --layout air-mot``, ``data_prefix=dict(img_path=<split>)``."""
    METAINFO = dict(classes=('aircraft', 'ship'), palette=[(220, 20, 60), (0, 0, 230)])
    LAYOUT = 'air-mot'


@DATASETS.register_module()
class AIRHSAODataset(SatVideoMOTDataset):
    """AIR-HSAO: ``ann_file`` from ``mot2coco.py --layout air-hsao``, ``data_prefix=dict(img_path=<split>)``."""
    METAINFO = dict(classes=('airplane', ), palette=[(220, 20, 60)])
    LAYOUT = 'air-hsao'
