"""The pretraining configs parse and build: the 1B (14.7B with experts) and base models on the meta device,
the FSDP variant and its wrap policy."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import FUNCTIONS
from mmpretrain.models.backbones.swin_transformer_v2 import SwinBlockV2

from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.registry import MODELS

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'pretrain', '*.py')))


def config(name):
    return Config.fromfile(osp.join(ROOT, 'configs', 'pretrain', name))


def test_every_pretrain_config_parses():
    names = [osp.basename(p) for p in CONFIGS]
    assert {'ringmoe-mim_1b_ringmoss-192px.py', 'ringmoe-mim_base_ringmoss-192px.py',
            'ringmoe-mim_1b_fsdp_ringmoss-192px.py', 'ringmoe-mim_tiny_demo.py'} <= set(names)
    for path in CONFIGS:
        cfg = Config.fromfile(path)
        assert cfg.model.type == 'mmringmoe.RingMoESimMIM' and cfg.model.alpha == 0.01
        assert cfg.model_wrapper_cfg.find_unused_parameters is True


def test_settings_of_the_1b_config():
    cfg = config('ringmoe-mim_1b_ringmoss-192px.py')
    # The paper's (App. B.2-B.3, Eq. 5-6).
    assert cfg.model.backbone.arch == '1b' and cfg.model.backbone.img_size == 192
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert (cfg.optim_wrapper.optimizer.lr, cfg.optim_wrapper.optimizer.weight_decay) == (2e-4, 0.05)
    assert cfg.model.head.targets.sar_l1 == 'power' and cfg.model.head.loss.criterion == 'L2'
    # Ours where the paper is silent (README's choices table): SwinV2's windows, SimMIM's masks.
    assert cfg.model.backbone.window_size == [12, 12, 12, 6]
    pipeline = cfg.train_dataloader.dataset.datasets.opt.pipeline
    mask = [t for t in pipeline if 'SimMIMMaskGenerator' in t.type][0]
    assert (mask.input_size, mask.mask_patch_size, mask.model_patch_size) == (192, 32, 4)
    assert mask.mask_ratio == 0.6


@pytest.mark.parametrize('name, low, high', [
    ('ringmoe-mim_1b_ringmoss-192px.py', 14.7e9, 14.85e9),  # paper 14.7B + the decoders
    ('ringmoe-mim_base_ringmoss-192px.py', 0.5e9, 2e9),
])
def test_config_builds_on_meta_device(name, low, high):
    cfg = config(name)
    with meta_device():
        model = MODELS.build(cfg.model)
    assert low < count_parameters(model) < high
    assert model.neck.out_channels == dict(opt=3, ms=4, sar_l1=1, sar_l2=1)


def test_fsdp_config_and_wrap_policy():
    cfg = config('ringmoe-mim_1b_fsdp_ringmoss-192px.py')
    assert cfg.runner_type == 'FlexibleRunner' and cfg.strategy.type == 'FSDPStrategy'
    assert cfg.model.backbone.with_cp is True and cfg.optim_wrapper.clip_grad is None
    policy = FUNCTIONS.get(cfg.strategy.model_wrapper.auto_wrap_policy.type)
    tiny = config('ringmoe-mim_tiny_demo.py')
    model = MODELS.build(tiny.model)
    wrapped = [name for name, module in model.named_modules()
               if policy(module, recurse=False, nonwrapped_numel=0)]
    assert len(wrapped) == 8 and all(isinstance(model.get_submodule(n), SwinBlockV2) for n in wrapped)
    assert policy(model, recurse=True, nonwrapped_numel=0)


def test_sar_l1_pixel_ablation_is_one_option():
    cfg = config('ringmoe-mim_tiny_demo.py')
    cfg.merge_from_dict({'model.head.targets.sar_l1': 'pixel'})
    model = MODELS.build(cfg.model)
    assert model.neck.out_channels['sar_l1'] == 8
    assert tuple(model.neck.decoders['sar_l1'][0].weight.shape) == (32**2 * 8, 256, 1, 1)
