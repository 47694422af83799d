"""HRSC2016 (paper App. B.5.4): optical ship images with oriented boxes, read from the release as it is."""
import os.path as osp
import xml.etree.ElementTree as ET
from typing import List, Tuple

import torch
from mmrotate.datasets import HRSCDataset
from mmrotate.structures.bbox import rbox2qbox

from mmringmoe.registry import DATASETS
from .oriented_annotations import AnnotationError, OrientedBoxChecker, parse_xml, require_file

RBOX_TAGS = ('mbox_cx', 'mbox_cy', 'mbox_w', 'mbox_h', 'mbox_ang')  # centre, size, angle in radians


def image_size(root: ET.Element, path: str) -> Tuple[int, int]:
    """``(width, height)`` from ``<Img_SizeWidth>`` and ``<Img_SizeHeight>``.

    mmrotate 1.0.0rc1's ``HRSCDataset`` reads the height from ``<Img_SizeWidth>`` too, so every image
    (most are about 1000 x 600) gets a wrong height.
    """
    try:
        return int(root.findtext('Img_SizeWidth')), int(root.findtext('Img_SizeHeight'))
    except (TypeError, ValueError):
        raise AnnotationError(f'{path}: no <Img_SizeWidth> and <Img_SizeHeight>') from None


@DATASETS.register_module()
class HRSC2016Dataset(HRSCDataset):
    """mmrotate's ``HRSCDataset`` with the image height read from ``<Img_SizeHeight>`` and every problem of
    the release named.

    Layout (the release unpacked as it is; ``ann_file`` is ``ImageSets/trainval.txt`` or
    ``ImageSets/test.txt``, ``data_prefix=dict(sub_data_root='FullDataSet/')``)::

        <data_root>/FullDataSet/AllImages/<id>.bmp
        <data_root>/FullDataSet/Annotations/<id>.xml   (<mbox_cx>, <mbox_cy>, <mbox_w>, <mbox_h>, <mbox_ang>)
        <data_root>/ImageSets/{trainval,test}.txt

    Differences from mmrotate's reader, all checked when the dataset is built:

    - ``height`` is ``<Img_SizeHeight>`` (see :func:`image_size`);
    - an id whose image or XML is missing raises ``FileNotFoundError`` naming the file and the split file;
      an XML that does not parse raises :class:`~.oriented_annotations.AnnotationError` naming it;
    - with ``classwise=True`` a ``<Class_ID>`` outside ``classes_id`` raises ``AnnotationError`` naming the
      file and the id (mmrotate raises a bare ``KeyError``);
    - a box with zero or negative ``mbox_w``/``mbox_h`` is skipped and a box reaching outside the image is
      clipped, both counted in one warning (:class:`~.oriented_annotations.OrientedBoxChecker`);
    - ``filter_cfg.bbox_min_size`` is not supported.
    """

    def load_data_list(self) -> List[dict]:
        self.box_checker = OrientedBoxChecker(f'{type(self).__name__}({self.ann_file})')
        data_list = super().load_data_list()  # reads the split file, calls parse_data_info per id
        self.box_checker.report()
        return data_list

    def parse_data_info(self, img_info: dict) -> dict:
        img_path = osp.join(self.sub_data_root, img_info['file_name'])
        xml_path = img_info['xml_path']
        require_file(img_path, self.ann_file)
        root = parse_xml(xml_path, self.ann_file)
        width, height = image_size(root, xml_path)
        instances = []
        for obj in root.findall('HRSC_Objects/HRSC_Object'):
            label = self._label(obj, xml_path)
            try:
                rbox = [float(obj.findtext(tag)) for tag in RBOX_TAGS]
                head = [int(obj.findtext('header_x')), int(obj.findtext('header_y'))]
            except (TypeError, ValueError):
                raise AnnotationError(f'{xml_path}: an object without {", ".join(RBOX_TAGS)}, header_x/y') \
                    from None
            if not rbox[2] > 0 or not rbox[3] > 0:
                self.box_checker.count_skipped(xml_path)
                continue
            qbox = rbox2qbox(torch.tensor([rbox])).numpy()[0]
            qbox = self.box_checker.check(qbox, width, height, xml_path)
            if qbox is not None:
                instances.append(dict(bbox=qbox, bbox_label=label, ignore_flag=0, head=head))
        return dict(
            img_path=img_path,
            img_id=img_info['img_id'],
            xml_path=xml_path,
            width=width,
            height=height,
            instances=instances)

    def _label(self, obj: ET.Element, path: str) -> int:
        """0 (ship) unless ``classwise``; then the label of ``<Class_ID>``."""
        if not self.classwise:
            return 0
        class_id = (obj.findtext('Class_ID') or '').strip()
        if class_id not in self.catid2label:
            raise AnnotationError(f'{path}: Class_ID {class_id!r} is not one of the classes_id of the config')
        return self.catid2label[class_id]
