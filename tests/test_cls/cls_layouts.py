"""Tiny scene classification releases in the official NWPU-RESISC45 / AID layouts (written by the demo data
tool), their split files (written by the split tool), and the overrides that shrink a paper config to a
CPU-sized model (tiny arch, 64 px crops, window 4)."""
import os.path as osp
from types import ModuleType

from mmengine.config import Config

from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 64  # training crop of the shrunk configs
IMAGE_SIZE = 80  # side of the generated images
TINY_BLOCKS = 8  # blocks of the tiny arch (depths [2, 2, 2, 2])
TINY_LAST_DIMS = 256
# dataset tag of the config names -> (classes, crop, train split, test split, train ratio); paper App. B.5.1
CLS_DATASETS = {
    'nwpu-resisc45': (45, 224, 'train_10pct.txt', 'test_90pct.txt', 0.1),
    'aid': (30, 512, 'train_20pct.txt', 'test_80pct.txt', 0.2),
}


def load_tool(path: str) -> ModuleType:
    """Import a script of ``tools/`` (not a package) by its path relative to the repository."""
    return load_script(osp.join(REPO, path))


def make_release(root: str, dataset: str, classes: int, per_class: int, size: int = IMAGE_SIZE) -> str:
    """Write ``classes`` x ``per_class`` texture JPEGs in the release layout of ``dataset`` ('nwpu'/'aid')."""
    tool = load_tool('tools/dataset_converters/make_demo_cls_data.py')
    tool.write_dataset(root, dataset, classes, per_class, size, seed=0)
    return root


def make_split(root: str, train_ratio: float, seed: int = 0) -> None:
    tool = load_tool('tools/dataset_converters/make_cls_split.py')
    assert tool.main([root, '--train-ratio', str(train_ratio), '--seed', str(seed)]) == 0


def shrink(cfg: Config, data_root: str, work_dir: str, test_images: int = 8) -> Config:
    """The config's own model, pipelines, evaluator and schedule at CPU size: tiny backbone (2 experts per
    router for the sparse ones), 64 px crops, one iteration of batch 2, ``test_images`` evaluated."""
    backbone = cfg.model.backbone
    inner = backbone.backbone if backbone.type == 'mmringmoe.Convpass' else backbone
    inner.update(arch='tiny',
                 img_size=SIZE,
                 window_size=[4, 4, 4, 2],
                 pretrained_window_sizes=[4, 4, 4, 2],
                 drop_path_rate=0.1)
    if inner.type in ('mmringmoe.RingMoE', 'mmringmoe.RingMoE-EP'):
        inner.num_specialized_experts = 2
        inner.num_collaborative_experts = [2, 1] * (TINY_BLOCKS // 2)
    if inner.type == 'mmringmoe.RingMoE-EP':
        inner.init_cfg = None  # the layout is given above instead of read from a checkpoint
    cfg.model.head.in_channels = TINY_LAST_DIMS
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False, batch_size=2)
        cfg[loader].dataset.data_root = data_root
    cfg.train_dataloader.dataset.indices = 2
    cfg.val_dataloader.dataset.indices = test_images
    cfg.test_dataloader.dataset.indices = test_images
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform.type == 'RandomCrop':
            transform.crop_size = SIZE
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=1, val_interval=1)
    cfg.default_hooks.logger.interval = 1
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    return cfg
