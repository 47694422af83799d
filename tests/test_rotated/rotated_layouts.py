"""Tiny oriented detection datasets in the DIOR-R and HRSC2016 release layouts, and the config overrides that
shrink a paper config to a CPU-sized model (RingMoE-KC ``tiny``, 64 px, window 4).

DIOR-R's XML is written by ``tools/dataset_converters/make_demo_rotated_data.py``'s ``dior_r_xml``, whose
text was compared byte for byte with the release's ``Annotations/Oriented Bounding Boxes/00001.xml``
(../shared/fixtures/dior) by hand; ``test_rotated_datasets.py`` reproduces that file with it. HRSC2016's XML
follows the release's ``FullDataSet/Annotations/<id>.xml`` (tags as mmrotate's ``HRSCDataset`` reads them).
"""
import os
import os.path as osp
from types import ModuleType
from typing import Sequence, Tuple

import cv2
import numpy as np
from mmengine.config import Config

from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64  # input side of the shrunk configs
TINY_DIMS = [32, 64, 128, 256]
DIOR_R_CONFIG = 'configs/rotated/oriented-rcnn-le90_ringmoe-kc_fpn_12e_dior-r-800x800.py'
HRSC_CONFIG = 'configs/rotated/oriented-rcnn-le90_ringmoe-kc_fpn_12e_hrsc2016-800x800.py'

HRSC_IMAGE = """<?xml version="1.0" encoding="utf-8"?>
<HRSC_Image>
  <Img_ID>{img_id}</Img_ID>
  <Place_ID>100000001</Place_ID>
  <Source_ID>100000001</Source_ID>
  <Img_NO>{img_id}</Img_NO>
  <Img_FileName>{img_id}</Img_FileName>
  <Img_FileFmt>bmp</Img_FileFmt>
  <Img_Date>1900-01-01</Img_Date>
  <Img_CusType>sealand</Img_CusType>
  <Img_Des></Img_Des>
  <Img_Location>69.040297,33.070036</Img_Location>
  <Img_SizeWidth>{width}</Img_SizeWidth>
  <Img_SizeHeight>{height}</Img_SizeHeight>
  <Img_SizeDepth>3</Img_SizeDepth>
  <Img_Resolution>1.07</Img_Resolution>
  <Img_Resolution_Layer>18</Img_Resolution_Layer>
  <Img_Scale>100</Img_Scale>
  <segmented>0</segmented>
  <Annotated>1</Annotated>
  <HRSC_Objects>
{objects}  </HRSC_Objects>
</HRSC_Image>
"""
HRSC_OBJECT = """    <HRSC_Object>
      <Object_ID>{object_id}</Object_ID>
      <Class_ID>{class_id}</Class_ID>
      <Object_NO>{object_id}</Object_NO>
      <truncated>0</truncated>
      <difficult>0</difficult>
      <box_xmin>0</box_xmin>
      <box_ymin>0</box_ymin>
      <box_xmax>1</box_xmax>
      <box_ymax>1</box_ymax>
      <mbox_cx>{cx:.4f}</mbox_cx>
      <mbox_cy>{cy:.4f}</mbox_cy>
      <mbox_w>{w:.4f}</mbox_w>
      <mbox_h>{h:.4f}</mbox_h>
      <mbox_ang>{angle:.4f}</mbox_ang>
      <segmented>0</segmented>
      <seg_color></seg_color>
      <header_x>{hx}</header_x>
      <header_y>{hy}</header_y>
    </HRSC_Object>
"""


def load_tool(path: str) -> ModuleType:
    """Import a script of ``tools/`` (not a package) by its path relative to the repository."""
    return load_script(osp.join(REPO, path))


DEMO_DATA = load_tool('tools/dataset_converters/make_demo_rotated_data.py')


def make_dior_r(root: str, rng: np.random.Generator, size: int = 96) -> None:
    """2 train, 1 val and 2 test scenes of ``size`` px with oriented ships and tennis courts (ids 00001-5)."""
    scenes, next_id = {}, 1
    for split, count in (('train', 2), ('val', 1), ('test', 2)):
        scenes[split] = []
        for _ in range(count):
            scenes[split].append((f'{next_id:05d}', *DEMO_DATA.draw_scene(size, rng, max_objects=2)))
            next_id += 1
    DEMO_DATA.write_dior_r(root, scenes)


def hrsc_xml(img_id: str,
             width: int,
             height: int,
             rboxes: Sequence[Tuple[float, float, float, float, float]],
             class_id: str = '100000013') -> str:
    """An HRSC2016 annotation with ``rboxes`` ``(cx, cy, w, h, angle in radians)``."""
    objects = ''.join(
        HRSC_OBJECT.format(
            object_id=100000001 + i,
            class_id=class_id,
            cx=cx,
            cy=cy,
            w=w,
            h=h,
            angle=a,
            hx=int(cx),
            hy=int(cy)) for i, (cx, cy, w, h, a) in enumerate(rboxes))
    return HRSC_IMAGE.format(img_id=img_id, width=width, height=height, objects=objects)


def make_hrsc2016(root: str, rng: np.random.Generator, width: int = 96, height: int = 64) -> None:
    """2 trainval and 2 test images (``width`` x ``height`` BMP, as most of the release is wider than
    tall), each with one ship."""
    os.makedirs(osp.join(root, 'FullDataSet', 'AllImages'), exist_ok=True)
    os.makedirs(osp.join(root, 'FullDataSet', 'Annotations'), exist_ok=True)
    os.makedirs(osp.join(root, 'ImageSets'), exist_ok=True)
    ids = {'trainval': ['100000001', '100000002'], 'test': ['100000003', '100000004']}
    for split, split_ids in ids.items():
        for img_id in split_ids:
            image = np.clip(rng.normal((110, 90, 60), 10, (height, width, 3)), 0, 255).astype(np.uint8)
            cx, cy, angle = rng.uniform(35, 60), rng.uniform(25, 40), rng.uniform(-1.2, 1.2)
            corners = DEMO_DATA.rotated_corners(cx, cy, 40, 12, angle)
            cv2.fillPoly(image, [np.round(corners).astype(np.int32)], (230, 230, 230))
            cv2.imwrite(osp.join(root, 'FullDataSet', 'AllImages', f'{img_id}.bmp'), image)
            with open(osp.join(root, 'FullDataSet', 'Annotations', f'{img_id}.xml'), 'w') as f:
                f.write(hrsc_xml(img_id, width, height, [(cx, cy, 40, 12, angle)]))
        with open(osp.join(root, 'ImageSets', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(split_ids) + '\n')


LAYOUTS = {osp.basename(DIOR_R_CONFIG): make_dior_r, osp.basename(HRSC_CONFIG): make_hrsc2016}


def shrink(cfg: Config, data_root: str, work_dir: str) -> Config:
    """The config's own model, pipelines and schedule at CPU size: tiny backbone, window 4, 64 px input,
    32-channel FPN and heads, few samples and proposals, one iteration, data from ``data_root``, no
    workers."""
    model = cfg.model
    model.backbone.update(arch='tiny', img_size=SIZE, window_size=4, drop_path_rate=0.0)
    model.neck.update(in_channels=TINY_DIMS, out_channels=32)
    model.rpn_head.update(in_channels=32, feat_channels=32)
    model.roi_head.bbox_roi_extractor.out_channels = 32
    model.roi_head.bbox_head.update(in_channels=32, fc_out_channels=64)
    model.train_cfg.rpn.sampler.num = 64
    model.train_cfg.rcnn.sampler.num = 64
    for stage in (model.train_cfg.rpn_proposal, model.test_cfg.rpn):
        stage.update(nms_pre=200, max_per_img=100)
    model.test_cfg.rcnn.update(nms_pre=200, max_per_img=20)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        dataset = cfg[loader].dataset
        for part in dataset.get('datasets', [dataset]):
            part.data_root = data_root
            for transform in part.pipeline:
                if transform.type == 'mmdet.Resize':
                    transform.scale = (SIZE, SIZE)
    # evaluated once, by runner.test(), not after the training iteration too
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1, val_begin=2)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=1000)
    cfg.default_hooks.logger.interval = 1
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    return cfg
