"""Tiny bitemporal pairs in the published layouts of LEVIR-CD (split folders, or the three archives unzipped
into one folder as torchgeo's test data has it), LEVIR-CD+ and CDD, and the config overrides that shrink a
paper config to a CPU-sized model. Layouts checked against /work/shared/fixtures/levircd/ (torchgeo's
LEVIR-CD and LEVIR-CD+ test data: RGB PNG dates, one-band PNG labels, ``<split>_<n>.png`` / ``NN.png``)."""
import os
import os.path as osp
from types import ModuleType
from typing import Dict, Tuple

import numpy as np
from mmengine.config import Config
from PIL import Image

from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64  # side of a generated pair; the converter cuts it into 32 px slices in the tests
TINY_DIMS = [32, 64, 128, 256]


def load_tool(path: str) -> ModuleType:
    """Import a script of ``tools/`` by its path relative to the repository."""
    return load_script(osp.join(REPO, path))


def write_image(path: str, array: np.ndarray, format: str = 'PNG') -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array.astype(np.uint8)).save(path, format=format, **({'quality': 90} if format == 'JPEG'
                                                                        else {}))


def pair(rng: np.random.Generator, size: int = SIZE) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Date A, date B (RGB) and a 0/255 label: B is A with bright blocks where the label is 255."""
    first = rng.integers(40, 120, (size, size, 3)).astype(np.uint8)
    label = np.kron(rng.integers(0, 2, (size // 16, size // 16)), np.ones((16, 16), dtype=np.int64)) * 255
    second = first.copy()
    second[label == 255] = 230
    return first, second, label.astype(np.uint8)


def make_levir_cd(root: str, rng: np.random.Generator, splits=('train', 'val', 'test'), flat: bool = False,
                  plus: bool = False) -> Dict[str, int]:
    """LEVIR-CD: ``ROOT/<split>/{A,B,label}/<split>_<n>.png`` (``flat``: ``ROOT/{A,B,label}/<split>_<n>.png``;
    ``plus``: LEVIR-CD+'s ``NN.png`` names); two pairs a split. Returns pairs per split."""
    for split in splits:
        for n in range(2):
            name = f'{n:02d}.png' if plus else f'{split}_{n + 1}.png'
            folder = root if flat else osp.join(root, split)
            for sub, array in zip(('A', 'B', 'label'), pair(rng)):
                write_image(osp.join(folder, sub, name), array)
    return {split: 2 for split in splits}


def make_cdd(root: str, rng: np.random.Generator) -> None:
    """CDD: ``ROOT/Real/subset/{train,val,test}/{A,B,OUT}/<n>.jpg``, the change map a JPEG."""
    for split in ('train', 'val', 'test'):
        for n in range(2):
            for sub, array in zip(('A', 'B', 'OUT'), pair(rng)):
                write_image(osp.join(root, 'Real', 'subset', split, sub, f'{n}.jpg'), array, 'JPEG')


def shrink(cfg: Config, data_root: str, work_dir: str) -> Config:
    """The config's own model, pipelines and schedule at CPU size: tiny backbone, window 4, 32 px crops,
    16-wide BIT head with one decoder layer, one iteration, data from ``data_root``, no worker processes."""
    cfg.model.backbone.update(arch='tiny', img_size=32, window_size=4, drop_path_rate=0.0)
    cfg.model.decode_head.update(in_channels=TINY_DIMS, channels=16, dec_depth=1, num_heads=2, head_dims=8)
    cfg.model.data_preprocessor.size = (32, 32)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        cfg[loader].dataset.data_root = data_root
    cfg.train_dataloader.batch_size = 2
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform.type == 'RandomResize':
            transform.scale = (32, 32)
        if transform.type == 'RandomCrop':
            transform.crop_size = (32, 32)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1000)  # runner.test() evaluates
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=1000)
    cfg.default_hooks.logger.interval = 1
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    return cfg
