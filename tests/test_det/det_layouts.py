"""Tiny synthetic detection datasets in each benchmark's release layout, and the config overrides that shrink
a paper detection config to a CPU-sized model (RingMoE-KC ``tiny``, 64 px, window 4).

The DIOR XML text (``make_demo_det_data.dior_xml``) follows the real DIOR-R file of the shared fixtures
(image 00001, one golf field with corners (133, 237) ... (684, 672), angle 0) line by line, with
``<bndbox>`` in place of ``<robndbox>`` and ``<angle>``.
"""
import json
import os
import os.path as osp
from types import ModuleType
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
from mmengine.config import Config
from PIL import Image

from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64  # side of the generated images and of the test input
TINY_DIMS = [32, 64, 128, 256]  # RingMoE-KC 'tiny' stage channels
# (name, xmin, ymin, xmax, ymax) of a generated object
Box = Tuple[str, int, int, int, int]
# The one object of the real DIOR(-R) image 00001: a golf field, axis-aligned (angle 0).
DIOR_00001 = ('golffield', 133, 237, 684, 672)


def load_tool(path: str) -> ModuleType:
    """Import a script of ``tools/`` (not a package) by its path relative to the repository."""
    return load_script(osp.join(REPO, path))


# The DIOR annotation text of the demo generator, laid out as the release's files.
dior_xml = load_tool('tools/dataset_converters/make_demo_det_data.py').dior_xml


def write_text(path: str, text: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def scene(rng: np.random.Generator, classes: Sequence[str], size: int = SIZE,
          count: int = 2) -> Tuple[np.ndarray, List[Box]]:
    """A dark ``size`` x ``size`` grey scene with ``count`` bright rectangles of random classes."""
    img = rng.integers(0, 40, (size, size)).astype(np.uint8)
    objects = []
    for k in range(count):
        w, h = rng.integers(size // 5, size // 3, 2)
        x1 = int(rng.integers(0, size - w)) if k % 2 else int(rng.integers(0, size // 2 - w + 1))
        y1 = int(rng.integers(0, size - h))
        img[y1:y1 + h, x1:x1 + w] = 200
        objects.append((str(rng.choice(list(classes))), x1, y1, x1 + int(w), y1 + int(h)))
    return img, objects


def write_image(path: str, grey: np.ndarray, colour: bool = False) -> None:
    """An 8-bit JPEG/PNG: three equal bands (R = G = B, as the SAR releases), or tinted when ``colour``."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    rgb = np.repeat(grey[..., None], 3, axis=2)
    if colour:
        rgb[..., 0] = 255 - rgb[..., 0]
    Image.fromarray(rgb).save(path)


def make_dior(root: str, rng: np.random.Generator) -> None:
    """DIOR's release: ``JPEGImages-{trainval,test}``, ``ImageSets/Main``, ``Annotations/Horizontal Bounding
    Boxes``; 2 + 2 trainval, 2 test images, class names in the mixed case the release uses."""
    from mmringmoe.datasets.dior import DIOR_CLASSES
    classes = [c if i % 2 else c.lower() for i, c in enumerate(DIOR_CLASSES[:4] + DIOR_CLASSES[7:9])]
    splits = dict(train=['00001', '00002'], val=['00003', '00004'], test=['11726', '11727'])
    for split, ids in splits.items():
        write_text(osp.join(root, 'ImageSets', 'Main', f'{split}.txt'), '\n'.join(ids) + '\n')
        folder = 'JPEGImages-test' if split == 'test' else 'JPEGImages-trainval'
        for img_id in ids:
            img, objects = scene(rng, classes)
            write_image(osp.join(root, folder, f'{img_id}.jpg'), img, colour=True)
            xml = dior_xml(f'{img_id}.jpg', SIZE, SIZE, objects, folder.split('-')[1])
            write_text(osp.join(root, 'Annotations', 'Horizontal Bounding Boxes', f'{img_id}.xml'), xml)


def make_sar_aircraft(root: str, rng: np.random.Generator) -> None:
    """SAR-AIRcraft-1.0's release: ``JPEGImages``, ``Annotations`` (VOC XML), ``ImageSets/Main``."""
    from mmringmoe.datasets.sar_aircraft import SAR_AIRCRAFT_CLASSES
    splits = dict(train=['1', '2'], val=['3'], test=['4', '5'])
    for split, ids in splits.items():
        write_text(osp.join(root, 'ImageSets', 'Main', f'{split}.txt'), '\n'.join(ids) + '\n')
        for img_id in ids:
            img, objects = scene(rng, SAR_AIRCRAFT_CLASSES)
            write_image(osp.join(root, 'JPEGImages', f'{img_id}.jpg'), img)
            xml = dior_xml(f'{img_id}.jpg', SIZE, SIZE, objects)
            write_text(osp.join(root, 'Annotations', f'{img_id}.xml'), xml)


def coco_json(images: List[Tuple[str, List[Box]]], classes: Sequence[str], first_id: int = 1) -> dict:
    """COCO instances of ``images`` (file name, objects), category ids from ``first_id``."""
    ids = {name: first_id + i for i, name in enumerate(classes)}
    categories = [dict(id=i, name=n, supercategory='none') for n, i in ids.items()]
    doc = dict(images=[], annotations=[], categories=categories)
    for image_id, (file_name, objects) in enumerate(images, start=1):
        doc['images'].append(dict(id=image_id, file_name=file_name, width=SIZE, height=SIZE))
        for name, x1, y1, x2, y2 in objects:
            doc['annotations'].append(
                dict(id=len(doc['annotations']) + 1, image_id=image_id, category_id=ids[name],
                     bbox=[x1, y1, x2 - x1, y2 - y1], area=(x2 - x1) * (y2 - y1), iscrowd=0,
                     segmentation=[[x1, y1, x2, y1, x2, y2, x1, y2]]))
    return doc


def make_hrsid(root: str, rng: np.random.Generator, first_id: int = 1) -> None:
    """HRSID's release: ``JPEGImages/*.jpg`` and ``annotations/{train2017,test2017}.json``."""
    for split, names in dict(train2017=['P0001_0_800_0_800', 'P0001_0_800_600_1400'],
                             test2017=['P0002_0_800_0_800', 'P0002_600_1400_0_800']).items():
        images = []
        for name in names:
            img, objects = scene(rng, ['ship'])
            write_image(osp.join(root, 'JPEGImages', f'{name}.jpg'), img)
            images.append((f'{name}.jpg', objects))
        write_text(
            osp.join(root, 'annotations', f'{split}.json'), json.dumps(coco_json(images, ['ship'], first_id)))


def make_sardet100k(root: str, rng: np.random.Generator, split_in_file_name: bool = False) -> None:
    """SARDet-100K's release: ``Annotations/{train,val,test}.json``, ``JPEGImages/{train,val,test}/``."""
    from mmringmoe.datasets.sardet100k import SARDet100KDataset
    classes = SARDet100KDataset.METAINFO['classes']
    for split in ('train', 'val', 'test'):
        images = []
        for k in range(2):
            img, objects = scene(rng, classes)
            name = f'{split}_{k:04d}.png' if k else f'{split}_{k:04d}.jpg'
            write_image(osp.join(root, 'JPEGImages', split, name), img)
            images.append((f'{split}/{name}' if split_in_file_name else name, objects))
        write_text(osp.join(root, 'Annotations', f'{split}.json'), json.dumps(coco_json(images, classes, 0)))


LAYOUTS: Dict[str, Callable[[str, np.random.Generator], None]] = {
    'faster-rcnn_ringmoe-kc_fpn_12e_dior-800x800.py': make_dior,
    'faster-rcnn_ringmoe-kc_fpn_12e_hrsid-800x800.py': make_hrsid,
    'faster-rcnn_ringmoe-kc_fpn_12e_sar-aircraft-800x800.py': make_sar_aircraft,
    'faster-rcnn_ringmoe-kc_fpn_12e_sardet-100k-800x800.py': make_sardet100k,
}


def datasets_of(loader: dict) -> List[dict]:
    """The dataset configs of a dataloader (both parts of a ConcatDataset)."""
    dataset = loader['dataset']
    return list(dataset['datasets']) if 'datasets' in dataset else [dataset]


def shrink(cfg: Config, data_root: str, work_dir: str) -> Config:
    """The config's own model, pipelines, datasets and evaluators at CPU size: tiny backbone, window 4, 64 px,
    32-channel FPN and heads, one iteration, data from ``data_root``, no worker processes."""
    model = cfg.model
    model.backbone.update(arch='tiny', img_size=SIZE, window_size=4, drop_path_rate=0.0)
    model.neck.update(in_channels=TINY_DIMS, out_channels=32)
    model.rpn_head.update(in_channels=32, feat_channels=32)
    model.roi_head.bbox_roi_extractor.out_channels = 32
    model.roi_head.bbox_head.update(in_channels=32, fc_out_channels=64)
    model.train_cfg.rpn.sampler.num = 64
    model.train_cfg.rcnn.sampler.num = 64
    old_root = datasets_of(cfg.train_dataloader)[0]['data_root']
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].update(num_workers=0, persistent_workers=False)
        for dataset in datasets_of(cfg[name]):
            dataset['data_root'] = data_root
            for transform in dataset['pipeline']:
                if transform['type'] == 'Resize':
                    transform['scale'] = (SIZE, SIZE)
    for name in ('val_evaluator', 'test_evaluator'):
        evaluators = cfg[name] if isinstance(cfg[name], list) else [cfg[name]]
        for evaluator in evaluators:
            if evaluator.get('ann_file'):
                evaluator['ann_file'] = evaluator['ann_file'].replace(old_root, data_root + '/')
    cfg.train_dataloader.batch_size = 2
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=1000)
    cfg.default_hooks.logger.interval = 1
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    return cfg
