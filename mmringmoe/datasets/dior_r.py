"""DIOR-R (paper App. B.5.4): the DIOR images with oriented boxes, read from the release as it is."""
import os.path as osp
from typing import List

import numpy as np
from mmengine.fileio import list_from_file
from mmrotate.datasets import DIORDataset

from mmringmoe.registry import DATASETS
from .oriented_annotations import AnnotationError, OrientedBoxChecker, class_label, parse_xml, require_file

CORNER_TAGS = ('x_left_top', 'y_left_top', 'x_right_top', 'y_right_top', 'x_right_bottom', 'y_right_bottom',
               'x_left_bottom', 'y_left_bottom')


@DATASETS.register_module()
class DIORRDataset(DIORDataset):
    """mmrotate's ``DIORDataset`` (oriented boxes), with every problem of the release named.

    Layout (the release unpacked as it is; ``ann_file`` is one of ``ImageSets/Main/{train,val,test}.txt``,
    5-digit ids, and ``data_prefix.img_path`` is ``JPEGImages-trainval`` or ``JPEGImages-test``)::

        <data_root>/JPEGImages-trainval/<id>.jpg   JPEGImages-test/<id>.jpg
        <data_root>/Annotations/Oriented Bounding Boxes/<id>.xml   (<robndbox>: four corners, <angle>)
        <data_root>/ImageSets/Main/{train,val,test}.txt

    Differences from mmrotate's reader, all checked when the dataset is built:

    - an id whose image or XML is missing raises ``FileNotFoundError`` naming the file and the split file;
      an XML that does not parse raises :class:`~.oriented_annotations.AnnotationError` naming it;
    - a class name not in ``classes`` raises ``AnnotationError`` naming the file and the class (mmrotate
      raises a bare ``KeyError``); names are compared in lower case, as the release mixes cases;
    - a box with zero area is skipped and a box reaching outside the image is clipped, both counted in one
      warning (:class:`~.oriented_annotations.OrientedBoxChecker`);
    - ``filter_cfg.bbox_min_size`` is not supported (mmrotate compares the image size with it).

    The boxes are the XML's four corners as mmrotate reads them (``box_type='qbox'``); the pipeline turns
    them into ``(cx, cy, w, h, angle)`` with ``ConvertBoxType``, so ``<angle>`` is not read.
    """

    def load_data_list(self) -> List[dict]:
        self.cat2label = {c.lower(): i for i, c in enumerate(self.metainfo['classes'])}
        self.box_checker = OrientedBoxChecker(f'{type(self).__name__}({self.ann_file})')
        data_list = []
        for img_id in list_from_file(self.ann_file):
            img_id = img_id.strip()
            if img_id:
                data_list.append(self.parse_data_info(dict(img_id=img_id)))
        self.box_checker.report()
        return data_list

    def parse_data_info(self, img_info: dict) -> dict:
        img_id = img_info['img_id']
        img_path = osp.join(self.data_prefix['img_path'], f'{img_id}.jpg')
        xml_path = osp.join(self.data_root, self.ann_subdir, f'{img_id}.xml')
        require_file(img_path, self.ann_file)
        root = parse_xml(xml_path, self.ann_file)
        size = root.find('size')
        try:
            width, height = int(size.find('width').text), int(size.find('height').text)
        except (AttributeError, TypeError, ValueError):
            raise AnnotationError(f'{xml_path}: no <size> with <width> and <height>') from None
        instances = []
        for obj in root.findall('object'):
            label = class_label(obj.findtext('name'), self.cat2label, xml_path)
            corners = obj.find('robndbox')
            try:
                qbox = np.array([float(corners.find(tag).text) for tag in CORNER_TAGS], dtype=np.float32)
            except (AttributeError, TypeError, ValueError):
                raise AnnotationError(f'{xml_path}: an object without the four <robndbox> corners') from None
            qbox = self.box_checker.check(qbox, width, height, xml_path)
            if qbox is not None:
                instances.append(dict(bbox=qbox, bbox_label=label, ignore_flag=0))
        return dict(
            img_path=img_path,
            img_id=img_id,
            xml_path=xml_path,
            width=width,
            height=height,
            instances=instances)
