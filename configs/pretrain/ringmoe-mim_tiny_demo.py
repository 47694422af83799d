# RingMoE pretraining demo: the tiny arch on the synthetic 4-modality demo set, on the CPU in two minutes.
#
#   python tools/dataset_converters/make_demo_pretrain_data.py --out data/demo_pretrain
#   python tools/train.py configs/pretrain/ringmoe-mim_tiny_demo.py
#   (or python tools/demo/run_pretrain_demo.py, which does both and reports the loss)
#
# The 1b config's recipe at toy size: 64 px tiles (the demo set's), 16 px mask patches at ratio 0.6,
# windows [4, 4, 4, 2] (16, 8, 4, 2 tokens per side), 2 tiles of each modality per batch.
_base_ = ['./ringmoe-mim_1b_ringmoss-192px.py']

data_root = 'data/demo_pretrain/'
_img = 64
_transforms = [
    dict(type='mmpretrain.RandomResizedCrop', scale=_img, crop_ratio_range=(0.2, 1.0),
         interpolation='bilinear'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.SimMIMMaskGenerator', input_size=_img, mask_patch_size=16, model_patch_size=4,
         mask_ratio=0.6),
    dict(
        type='mmpretrain.PackInputs',
        meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape', 'flip', 'flip_direction', 'modality',
                   'crs', 'transform')),
]
# SAR-L1 is resized with nearest, as in the base (ringmoss_pretrain.py): bilinear interpolation of complex
# samples with independent speckle phases keeps only about half of their power.
_sar_l1_transforms = [dict(_transforms[0], interpolation='nearest')] + _transforms[1:]
# The demo set's tiles are in the canonical channel orders (make_demo_pretrain_data.py; see the base).
_channels = dict(
    opt=('R', 'G', 'B'),
    ms=('B', 'G', 'R', 'NIR'),
    sar_l1=('HH_re', 'HH_im', 'HV_re', 'HV_im', 'VH_re', 'VH_im', 'VV_re', 'VV_im'),
    sar_l2=('amplitude', ))
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    batch_sampler=dict(proportions=dict(opt=2, ms=2, sar_l1=2, sar_l2=2)),
    dataset=dict(datasets={
        m: dict(data_root=data_root,
                pipeline=[
                    dict(type='mmringmoe.LoadRasterImage', modality=m, file_channels=c, expected_bands=len(c))
                ] + (_sar_l1_transforms if m == 'sar_l1' else _transforms))
        for m, c in _channels.items()
    }))

# Statistics of the demo set (seed 0), from: python tools/analysis_tools/pretrain_stats.py data/demo_pretrain
_mean = dict(
    opt=[106.7376, 121.9091, 94.8758],
    ms=[95.5274, 122.2622, 107.4586, 133.6497],
    sar_l1=[1.0461, -0.958, 0.5128, 0.2337, -0.4105, -0.848, 0.2879, -0.5808],
    sar_l2=[134.4536])
_std = dict(
    opt=[52.0161, 36.1382, 36.3895],
    ms=[37.3898, 36.0865, 52.3186, 64.959],
    sar_l1=[928.8955, 932.8821, 397.6893, 397.7826, 397.8359, 398.1862, 826.8065, 825.0026],
    sar_l2=[39.9283])
model = dict(
    data_preprocessor=dict(mean=_mean, std=_std),
    backbone=dict(arch='tiny', img_size=_img, window_size=[4, 4, 4, 2], drop_path_rate=0.0),
    neck=dict(in_channels=32 * 2**3),
    head=dict(power_norm=dict(sar_l1=dict(log=True, eps=1.0, mean=14.2677, std=1.445))))

# 400 iterations: the SAR-L1 power target stays at its mean-predictor baseline for the first 100-175 (it is
# quadratic in the 8 input channels, the other targets are linear in theirs), then falls below it like the
# others (docs/pretraining.md, "Does every modality learn?"); 120 iterations ended on that plateau.
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=False, begin=10, end=400)
]
train_cfg = dict(max_iters=400)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=1000, max_keep_ckpts=1))  # the last iteration's only (save_last)
log_processor = dict(window_size=10)

del _img, _transforms, _sar_l1_transforms, _channels, _mean, _std
