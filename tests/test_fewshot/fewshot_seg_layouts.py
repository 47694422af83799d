"""Tiny generated iSAID and LoveDA data in the layouts the few-shot segmentation configs read, and the config
overrides that shrink a paper config to a CPU-sized model (RingMoE-KC ``tiny``, 64 px, window 4).

iSAID: the output of ``tools/dataset_converters/isaid.py`` (``img_dir/{train,val}/P..._<y0>_<y1>_<x0>_<x1>.png``
RGB patches, ``ann_dir/.../*_instance_color_RGB.png`` grey class indices 0-15). LoveDA: the release
(``{Train,Val}/{Urban,Rural}/{images_png,masks_png}/<n>.png``, masks 0 no-data, 1-7 classes), checked against
/work/shared/fixtures/loveda (torchgeo's copy of the layout, mmseg's pseudo dataset for the mask values).
"""
import os
import os.path as osp

import numpy as np
from mmengine.config import Config
from PIL import Image

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64
TINY_STAGE3_CHANNELS = 128  # tiny arch dims [32, 64, 128, 256]


def write_png(path: str, array: np.ndarray) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array.astype(np.uint8)).save(path)


def all_class_label(rng: np.random.Generator, values) -> np.ndarray:
    """A 64 x 64 label of 16 x 16 blocks, the 16 ``values`` in a random arrangement (every value present)."""
    grid = rng.permutation(np.asarray(values)).reshape(4, 4)
    return np.kron(grid, np.ones((16, 16), dtype=grid.dtype))


def image_for(label: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An RGB image whose colour follows the label (so a class looks alike in every image), plus noise."""
    colours = np.stack([(np.arange(256) * k) % 256 for k in (37, 91, 53)], axis=1)
    return np.clip(colours[label] + rng.normal(0, 8, label.shape + (3, )), 0, 255)


def make_isaid(root: str, images_per_split: int = 4, seed: int = 0) -> str:
    """Converted iSAID: every patch contains all 16 classes (0 background, 1-15 objects)."""
    rng = np.random.default_rng(seed)
    for split in ('train', 'val'):
        for i in range(images_per_split):
            name = f'P000{i}_0_{SIZE}_0_{SIZE}'
            label = all_class_label(rng, range(16))
            write_png(f'{root}/img_dir/{split}/{name}.png', image_for(label, rng))
            write_png(f'{root}/ann_dir/{split}/{name}_instance_color_RGB.png', label)
    return root


def make_loveda(root: str, images_per_scene: int = 2, seed: int = 0) -> str:
    """The LoveDA release: masks with 0 (no-data) and 1-7; numbered file names, unique across scenes."""
    rng = np.random.default_rng(seed)
    number = 0
    for split in ('Train', 'Val'):
        for scene in ('Urban', 'Rural'):
            for _ in range(images_per_scene):
                # 16 blocks: no-data, the 7 classes, and 8 more draws of the classes
                label = all_class_label(rng, list(range(8)) + list(rng.integers(1, 8, 8)))
                write_png(f'{root}/{split}/{scene}/images_png/{number}.png', image_for(label, rng))
                write_png(f'{root}/{split}/{scene}/masks_png/{number}.png', label)
                number += 1
    return root


def shrink(cfg: Config, data_root: str, work_dir: str, test_episodes: int = 6) -> Config:
    """The config's own model, pipelines, evaluator and training loop at CPU size: tiny backbone on 64 px
    inputs, batch 2, one epoch (one episode per training image), ``test_episodes`` test episodes."""
    cfg.model.backbone.update(arch='tiny', img_size=SIZE, window_size=[4, 4, 4, 2],
                              pretrained_window_sizes=[4, 4, 4, 2])
    cfg.model.data_preprocessor.size = (SIZE, SIZE)
    cfg.model.in_channels = TINY_STAGE3_CHANNELS
    cfg.model.channels = 32
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False, batch_size=2)
        dataset = cfg[loader].dataset
        dataset.dataset.data_root = data_root
        dataset.update(min_pixels=1, serialize_data=False)  # mmengine's packing costs a gc.collect() (~1 s)
        dataset.pipeline[0].transforms[-1].scale = (SIZE, SIZE)
    cfg.val_dataloader.dataset.num_episodes = test_episodes
    cfg.test_dataloader.dataset.num_episodes = test_episodes
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.param_scheduler[0].end = 1
    cfg.default_hooks.logger.interval = 1
    cfg.work_dir = work_dir
    return cfg
