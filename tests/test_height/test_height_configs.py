"""Both height configs (paper App. B.5.7): the paper's settings, the paper-size model on the meta device, and
one training iteration and one evaluation of the config's own pipeline, dataset, model and metric on data
generated in the release's layout and cut by the converter users run (tiny arch)."""
import math
import os.path as osp

import pytest
from height_layouts import REPO, load_tool, scene, shrink, write_potsdam, write_vaihingen
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.registry import MODELS

CONFIGS = {
    'vaihingen': ('binsformer_ringmoe-kc_38.4k_vaihingen-512x512.py', ('NIR', 'R', 'G')),
    'potsdam': ('binsformer_ringmoe-kc_38.4k_potsdam-512x512.py', ('R', 'G', 'B')),
}
converter = load_tool('tools/dataset_converters/isprs_height.py')


def config(dataset: str) -> Config:
    return Config.fromfile(osp.join(REPO, 'configs', 'height', CONFIGS[dataset][0]))


@pytest.mark.parametrize('dataset', sorted(CONFIGS))
def test_config_carries_the_paper_settings(dataset):
    cfg = config(dataset)
    model = cfg.model
    assert (model.type, model.backbone.type, model.backbone.arch, model.backbone.modality) == \
        ('DepthEstimator', 'mmringmoe.RingMoE-KC', '1b', 'opt')
    head = model.decode_head
    assert (head.type, head.num_bins, head.in_channels) == ('mmringmoe.BinsFormerHead', 64,
                                                            [448, 896, 1792, 3584])
    assert (head.loss_decode.type, head.loss_decode.loss_weight) == ('mmringmoe.BinsFormerSiLogLoss', 10.0)
    assert (head.transformer_decoder.num_layers, list(head.aux_indices)) == (9, [2, 5])
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.betas, optimizer.weight_decay) == \
        ('AdamW', 1e-4, (0.9, 0.999), 0.01)
    warmup, decay = cfg.param_scheduler
    assert (warmup.type, warmup.begin, warmup.end) == ('LinearLR', 0, round(0.3 * 38400))
    assert (decay.begin, decay.end) == (warmup.end, 38400) == (warmup.end, cfg.train_cfg.max_iters)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop' and cfg.train_dataloader.batch_size == 8
    assert model.data_preprocessor.size == (512, 512)
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert [t.type for t in pipeline] == ['mmringmoe.LoadRasterImage', 'mmringmoe.LoadHeightAnnotation',
                                          'mmringmoe.RandomRotate90', 'RandomFlip', 'PackSegInputs']
    assert pipeline[0].file_channels == CONFIGS[dataset][1]
    assert cfg.test_evaluator.type == 'mmringmoe.HeightMetric'
    assert dict(type='mmringmoe.IterationSeedHook') in cfg.custom_hooks


def test_paper_size_model_builds_on_meta():
    """The 1B backbone (1.061B) and the BinsFormer head at width 512 (README "Height estimation")."""
    init_default_scope('mmseg')
    with meta_device():
        model = MODELS.build(config('vaihingen').model)
    assert count_parameters(model.backbone) == 1060994020
    assert count_parameters(model.decode_head) == 56001409


def write_release(dataset: str, root: str) -> None:
    if dataset == 'vaihingen':
        write_vaihingen(root, {'area1': scene(64, 128, 0), 'area2': scene(64, 128, 1)})
    else:
        write_potsdam(root, {'2_10': scene(64, 128, 0), '2_13': scene(64, 128, 1)})


@pytest.mark.parametrize('dataset', sorted(CONFIGS))
def test_one_iteration_and_evaluation_on_the_release_layout(dataset, tmp_path):
    write_release(dataset, str(tmp_path / 'release'))
    data_root = str(tmp_path / 'converted')
    scale = ['--height-scale', '0.1'] if dataset == 'vaihingen' else []  # the generated nDSM is in decimetres
    assert converter.main([dataset, str(tmp_path / 'release'), '-o', data_root, '--crop', '64'] + scale) == 0
    runner = Runner.from_cfg(shrink(config(dataset), data_root, str(tmp_path / 'work')))
    runner.train()
    assert runner.iter == 1
    logged = runner.message_hub.log_scalars
    assert all(math.isfinite(logged[f'train/decode.{k}'].current()) for k in
               ('loss_silog', 'loss_silog_aux0', 'loss_silog_aux1'))
    metrics = runner.test()
    assert sorted(metrics) == sorted(f'height/{k}'
                                     for k in ('Rel', 'delta1', 'delta2', 'delta3', 'RMSE', 'MAE'))
    assert all(math.isfinite(v) for v in metrics.values())
    assert len(runner.test_dataloader.dataset) == 2
