# The change-detection demo: BIT on a tiny Siamese RingMoE-KC, trained from scratch on the CPU on synthetic
# pairs in LEVIR-CD's layout (tools/dataset_converters/make_demo_change_data.py, cut into 64 px slices by
# tools/dataset_converters/change_detection.py), then evaluated and drawn.
# Run: python tools/demo/run_demo.py --task change
_base_ = ['../change/bit_ringmoe-kc_200e_levir-cd-256x256.py']
data_root = 'data/demo/LEVIR-CD'
crop_size = (64, 64)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(arch='tiny', img_size=64, window_size=4, drop_path_rate=0.0, frozen_stages=-1),  # from scratch
    decode_head=dict(in_channels=[32, 64, 128, 256], dec_depth=1))  # BIT's one-layer decoder variant: faster
train_pipeline = [
    dict(
        type='mmringmoe.LoadRasterPair',
        first=dict(modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
        second=dict(modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)),
    dict(type='mmringmoe.LoadSegAnnotations'),
    dict(type='RandomResize', scale=crop_size, ratio_range=(1.0, 1.2), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomFlip', prob=0.5, direction='vertical'),
    dict(
        type='mmringmoe.PerDatePhotometric',
        transforms=[
            dict(type='PhotoMetricDistortion'),
            dict(type='mmringmoe.RandomGaussianBlur', sigma_range=(0.1, 1.0), prob=0.5)
        ]),
    dict(type='PackSegInputs')
]
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(**loader, dataset=dict(data_root=data_root))
test_dataloader = dict(**loader, dataset=dict(data_root=data_root))
# From scratch in a few CPU minutes: a larger learning rate, plain AdamW (no per-parameter rules, which log a
# line per parameter), a short warm-up, then linear decay.
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='PolyLR', eta_min=0.0, power=1.0, by_epoch=False, begin=20, end=400)
]
train_cfg = dict(max_iters=400, val_interval=400)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=400, save_best=None, max_keep_ckpts=1))
