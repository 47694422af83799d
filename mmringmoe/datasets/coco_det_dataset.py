"""COCO-format detection datasets as released (HRSID, SARDet-100K): ``instances`` JSON with ``images``,
``annotations`` (``bbox`` as x, y, w, h) and ``categories``."""
import copy
import os.path as osp
from typing import List, Union

from mmdet.datasets import CocoDataset
from mmengine.fileio import get_local_path

from mmringmoe.registry import DATASETS
from .det_annotations import BoxTally
from .oriented_annotations import AnnotationError, class_label, require_file


@DATASETS.register_module()
class RSCocoDetDataset(CocoDataset):
    """mmdet's :class:`~mmdet.datasets.CocoDataset` with the checks of a remote-sensing release.

    Differences from mmdet's reader, which silently drops boxes under one pixel and annotations of unknown
    categories and maps labels in the JSON's category order whatever ``classes`` says:

    - each JSON category is matched to ``classes`` by name, ignoring case, any category id (HRSID's
      re-annotated variants number their only category 0). A category not in ``classes`` raises
      :class:`~mmringmoe.datasets.oriented_annotations.AnnotationError` naming the file and the class; so
      does a JSON whose categories (in id order) are not exactly the config's classes in the config's
      order, which mmdet's ``CocoMetric`` (it reads the same JSON) would otherwise miss or pair with the
      wrong labels.
    - boxes with zero or negative width or height are skipped, boxes outside the image clipped: both
      counted in one warning.
    - an image of the JSON missing on disk raises ``FileNotFoundError`` naming it. ``file_name`` may or may
      not repeat the split folder of ``data_prefix['img']`` (``train/0001.jpg`` or ``0001.jpg``).
    """

    def load_data_list(self) -> List[dict]:
        """Every image of the JSON, as mmdet's loading does, with the checks of the class docstring."""
        with get_local_path(self.ann_file, backend_args=self.backend_args) as local_path:
            self.coco = self.COCOAPI(local_path)
        self._check_categories()
        self.cat_img_map = copy.deepcopy(self.coco.cat_img_map)
        self.tally = BoxTally()
        data_list = []
        for img_id in self.coco.get_img_ids():
            raw_img_info = dict(self.coco.load_imgs([img_id])[0], img_id=img_id)
            raw_ann_info = self.coco.load_anns(self.coco.get_ann_ids(img_ids=[img_id]))
            data_list.append(self.parse_data_info(dict(raw_img_info=raw_img_info, raw_ann_info=raw_ann_info)))
        del self.coco
        self.tally.warn(type(self).__name__)
        return data_list

    def _check_categories(self) -> None:
        """Label every category by name; refuse unknown names and an order the COCO metric would misread."""
        categories = sorted(self.coco.dataset.get('categories', []), key=lambda c: c['id'])
        classes = self._metainfo['classes']
        by_name = {name.lower(): i for i, name in enumerate(classes)}
        self.cat2label = {c['id']: class_label(c['name'], by_name, self.ann_file) for c in categories}
        names = [c['name'] for c in categories]
        if names != list(classes):  # CocoMetric finds the categories by their exact names, in this order
            raise AnnotationError(f'{self.ann_file}: categories {names} (in id order) are not the config\'s '
                                  f'classes {list(classes)}, spelled so and in that order')
        self.cat_ids = [c['id'] for c in categories]

    def parse_data_info(self, raw_data_info: dict) -> Union[dict, List[dict]]:
        """One image: its path resolved and checked, its boxes checked (see the class docstring)."""
        img_info = raw_data_info['raw_img_info']
        img_path = self._image_path(img_info['file_name'])
        width, height = img_info['width'], img_info['height']
        instances = []
        for ann in raw_data_info['raw_ann_info']:
            if ann.get('ignore', False):
                continue
            x, y, w, h = ann['bbox']
            source = f'{self.ann_file} (image {img_path})'
            bbox = self.tally.clean([x, y, x + w, y + h], width, height, source)
            if bbox is None:
                continue
            instances.append(
                dict(bbox=bbox, bbox_label=self.cat2label[ann['category_id']],
                     ignore_flag=int(bool(ann.get('iscrowd', False)))))
        return dict(img_path=img_path, img_id=img_info['img_id'], seg_map_path=None, height=height,
                    width=width, instances=instances)

    def _image_path(self, file_name: str) -> str:
        """The image of ``file_name`` under ``data_prefix['img']``, or under its parent when ``file_name``
        already starts with the split folder; ``FileNotFoundError`` when neither exists."""
        prefix = self.data_prefix['img']
        candidates = [osp.join(prefix, file_name), osp.join(osp.dirname(osp.normpath(prefix)), file_name)]
        for path in candidates:
            if osp.isfile(path):
                return path
        require_file(candidates[0], self.ann_file)
        return candidates[0]
