"""VOC-style XML detection datasets as released (DIOR, SAR-AIRcraft-1.0): one ``<id>.xml`` per image with
``<object><name>`` and ``<bndbox>`` (xmin, ymin, xmax, ymax), a split file of image ids."""
import os.path as osp
import xml.etree.ElementTree as ET
from typing import List, Tuple

import rasterio
from mmdet.datasets import XMLDataset
from mmengine.fileio import list_from_file

from mmringmoe.registry import DATASETS
from .det_annotations import BoxTally
from .oriented_annotations import class_label, parse_xml, require_file


@DATASETS.register_module()
class RSVOCDetDataset(XMLDataset):
    """mmdet's :class:`~mmdet.datasets.XMLDataset` with the checks of a remote-sensing release.

    Differences from mmdet's reader, which silently drops objects of unknown classes and keeps boxes as
    written: a class name is matched to ``classes`` ignoring case and an unknown one raises
    :class:`~mmringmoe.datasets.oriented_annotations.AnnotationError` naming the XML file; boxes with zero or
    negative size are skipped and boxes outside the image clipped, both counted in one warning; an image
    listed in the split file but missing, or its XML, raises ``FileNotFoundError`` naming it, and an XML
    that does not parse raises ``AnnotationError``. Coordinates are taken as written (mmdet's VOC reader
    subtracts 1 for VOC's 1-based pixel indices; these releases do not use them). mmdet's
    ``filter_cfg.bbox_min_size`` is not supported.

    Args:
        ann_file (str): the split file of image ids, one per line (``ImageSets/Main/train.txt``).
        img_subdir (str): the image folder, relative to ``data_root``.
        ann_subdir (str): the XML folder, relative to ``data_root``.
        img_suffix (str): the images' file suffix. Defaults to ``'.jpg'``.
    """

    def __init__(self, img_suffix: str = '.jpg', **kwargs) -> None:
        self.img_suffix = img_suffix
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse every image listed in ``ann_file``; warn once about skipped and clipped boxes."""
        self.cat2label = {name.lower(): i for i, name in enumerate(self._metainfo['classes'])}
        self.tally = BoxTally()
        data_list = []
        for img_id in list_from_file(self.ann_file, backend_args=self.backend_args):
            img_id = img_id.strip()
            if not img_id:
                continue
            file_name = osp.join(self.img_subdir, f'{img_id}{self.img_suffix}')
            require_file(osp.join(self.sub_data_root, file_name), self.ann_file)
            xml_path = osp.join(self.sub_data_root, self.ann_subdir, f'{img_id}.xml')
            data_list.append(
                self.parse_data_info(dict(img_id=img_id, file_name=file_name, xml_path=xml_path)))
        self.tally.warn(type(self).__name__)
        return data_list

    def parse_data_info(self, img_info: dict) -> dict:
        """One image: its XML parsed (an unreadable one is named), its size and its checked objects."""
        xml_path = img_info['xml_path']
        root = parse_xml(xml_path, self.ann_file)
        img_path = osp.join(self.sub_data_root, img_info['file_name'])
        width, height = self._image_size(root, img_path)
        instances = self._instances(root, width, height, xml_path)
        return dict(img_path=img_path, img_id=img_info['img_id'], xml_path=xml_path, width=width,
                    height=height, instances=instances)

    @staticmethod
    def _image_size(root: ET.Element, img_path: str) -> Tuple[int, int]:
        """(width, height) from the XML's ``<size>``, else from the image's header."""
        if root.find('size/width') is not None and root.find('size/height') is not None:
            return int(float(root.findtext('size/width'))), int(float(root.findtext('size/height')))
        with rasterio.open(img_path) as src:
            return src.width, src.height

    def _instances(self, root: ET.Element, width: int, height: int, xml_path: str) -> List[dict]:
        """The objects of one XML file, checked (see the class docstring); ``difficult`` ones are ignored
        in training and evaluation, as in mmdet."""
        instances = []
        for obj in root.findall('object'):
            label = class_label(obj.findtext('name'), self.cat2label, xml_path)
            box = obj.find('bndbox')
            bbox = self.tally.clean([float(box.findtext(k)) for k in ('xmin', 'ymin', 'xmax', 'ymax')], width,
                                    height, xml_path)
            if bbox is None:
                continue
            difficult = int(obj.findtext('difficult') or 0)
            instances.append(dict(bbox=bbox, bbox_label=label, ignore_flag=int(bool(difficult))))
        return instances
