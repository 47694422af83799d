"""Tiny few-shot scene releases in the official NWPU-RESISC45, WHU-RS19 and UC Merced layouts, and the
overrides that shrink a few-shot config to a CPU-sized model (tiny arch, 64 px images, short episodes)."""
import os
import os.path as osp
from types import ModuleType
from typing import Optional, Sequence

import numpy as np
from mmengine.config import Config
from PIL import Image

from mmringmoe.datasets.fewshot import RELEASE_CLASSES
from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64  # image side of the shrunk configs
TINY_LAST_DIMS = 256  # channels of the tiny arch's last stage
TINY_FEAT_SIZE = 2  # its side at 64 px (stride 32)
# split -> (release folder, image folder inside it, file name of the n-th image (from 1) of a class, format)
LAYOUTS = {
    'nwpu-resisc45': ('NWPU-RESISC45', '', lambda cls, n: f'{cls}_{n:03d}.jpg', 'JPEG'),
    'whu-rs19': ('WHU-RS19', '', lambda cls, n: f'{cls.lower()}_{n:02d}.jpg', 'JPEG'),
    'ucm': ('UCMerced_LandUse', 'Images', lambda cls, n: f'{cls}{n - 1:02d}.tif', 'TIFF'),
}


def load_tool(path: str) -> ModuleType:
    return load_script(osp.join(REPO, path))


def make_release(root: str,
                 split: str,
                 per_class: int,
                 size: int = SIZE,
                 classes: Optional[Sequence[str]] = None) -> str:
    """Write ``per_class`` texture images of every class of ``split``'s release (or of ``classes``) under
    ``root/<release folder>`` in its layout; UC Merced's first image of each class is 2 rows short (the
    release has a few tiles that are not square). Returns the release folder."""
    folder, images, file_name, fmt = LAYOUTS[split]
    texture = load_tool('tools/dataset_converters/make_demo_cls_data.py').texture
    names = list(RELEASE_CLASSES[split] if classes is None else classes)
    rng = np.random.default_rng(0)
    for label, name in enumerate(names):
        class_dir = osp.join(root, folder, images, name)
        os.makedirs(class_dir, exist_ok=True)
        for n in range(1, per_class + 1):
            pixels = texture(label, len(names), size, rng)
            if split == 'ucm' and n == 1:
                pixels = pixels[:-2]
            Image.fromarray(pixels).save(osp.join(class_dir, file_name(name, n)), fmt)
    return osp.join(root, folder)


def shrink(cfg: Config,
           release: str,
           work_dir: str,
           n_query: int = 1,
           episodes: int = 2,
           checkpoint: bool = False) -> Config:
    """The config's own model, pipelines, sampler, loops and evaluator at CPU size: tiny backbone, 64 px
    images, ``n_query`` queries per class, one training episode, ``episodes`` validation and test episodes;
    the checkpoint hook (mmengine's config formatting costs seconds) only with ``checkpoint``."""
    cfg.model.backbone.update(
        arch='tiny', img_size=SIZE, window_size=[4, 4, 4, 2], pretrained_window_sizes=[4, 4, 4, 2])
    cfg.model.relation.update(in_channels=TINY_LAST_DIMS, feat_size=TINY_FEAT_SIZE)
    shape = cfg.train_dataloader.batch_sampler
    shape.n_query = n_query
    cfg.train_dataloader.batch_size = shape.n_way * (shape.k_shot + n_query)
    for loop in (cfg.val_cfg, cfg.test_cfg):
        loop.update(n_query=n_query, num_episodes=episodes)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.update(data_root=release, serialize_data=False)  # mmengine's gc.collect: seconds
        for transform in cfg[loader].dataset.pipeline:
            if transform.type == 'Resize':
                transform.scale = (SIZE, SIZE)
            if transform.type == 'RandomCrop':
                transform.update(crop_size=SIZE, padding=8)
    cfg.val_dataloader.batch_size = cfg.test_dataloader.batch_size = 8
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1)
    cfg.default_hooks.logger.interval = 1
    if not checkpoint:
        cfg.default_hooks.checkpoint = None
    cfg.work_dir = work_dir
    return cfg
