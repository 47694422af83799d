"""Eq. 5's plain SAR-L1 power target is one --cfg-options away from the pretraining configs: with
``model.head.power_norm.sar_l1.log=False`` the algorithm built from the config reconstructs the normalised
power ``(|HH|^2 + |HV|^2 + |VH|^2 + |VV|^2 - mean) / std`` of a complex tile, not its log."""
import math
import os.path as osp

import numpy as np
import rasterio
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample

from mmringmoe.registry import MODELS, TRANSFORMS

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
CONFIG = osp.join(ROOT, 'configs', 'pretrain', 'ringmoe-mim_tiny_demo.py')
MEAN, STD = 60.0, 20.0
# HH, HV, VH, VV: |.|^2 = 25, 2, 4, 4, a power of 35; times k^2 for a pixel scaled by k.
POLARISATIONS = np.array([3 + 4j, 1 - 1j, 2j, -2])


def write_slc(path, scale):
    """A 4-band CInt16 SAR-L1 tile (HH, HV, VH, VV) whose pixels are POLARISATIONS times ``scale``."""
    slc = (POLARISATIONS[:, None, None] * scale[None]).astype(np.complex64)
    with rasterio.open(path, 'w', driver='GTiff', width=slc.shape[2], height=slc.shape[1], count=4,
                       dtype='complex_int16') as dst:
        dst.write(slc)
    return str(path)


def test_plain_power_target_is_one_cfg_option_away(tmp_path):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict({  # what tools/train.py --cfg-options does
        'model.head.power_norm.sar_l1.log': False,
        'model.head.power_norm.sar_l1.mean': MEAN,
        'model.head.power_norm.sar_l1.std': STD,
    })
    model = MODELS.build(cfg.model)
    size = cfg.model.backbone.img_size
    scale = np.kron(np.array([[1, 2], [3, 1]]), np.ones((size // 2, size // 2)))
    loader = TRANSFORMS.build(cfg.train_dataloader.dataset.datasets.sar_l1.pipeline[0])
    img = loader(dict(img_path=write_slc(tmp_path / 'slc.tif', scale), modality='sar_l1'))['img']
    sample = DataSample(metainfo=dict(modality='sar_l1'))
    sample.set_mask(torch.ones(size // 4, size // 4, dtype=torch.long))

    targets, real_loss = [], model.head.loss

    def recording_loss(pred, target, mask):
        targets.append(target)
        return real_loss(pred, target, mask)

    model.head.loss = recording_loss
    inputs = [torch.from_numpy(img).permute(2, 0, 1)]
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=[sample]))
    losses = model.loss(**data)

    (target, ) = targets
    power = torch.from_numpy(35.0 * scale**2).float()
    torch.testing.assert_close(target, ((power - MEAN) / STD)[None, None])
    assert not torch.allclose(target, ((torch.log(power + 1.0) - MEAN) / STD)[None, None])
    assert math.isfinite(losses['loss_rec_sar_l1'].item())
