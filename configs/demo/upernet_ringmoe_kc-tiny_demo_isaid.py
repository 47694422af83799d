# The segmentation demo (`make demo`): UperNet on a tiny RingMoE-KC, trained for 40 iterations on the CPU
# on synthetic scenes in iSAID's layout (tools/dataset_converters/make_demo_seg_data.py), then evaluated.
# It is the paper's iSAID config with a small backbone, 128 px crops and a short, faster schedule.
_base_ = ['../seg/upernet_ringmoe_kc_isaid.py']
data_root = 'data/demo/iSAID'
crop_size = (128, 128)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(arch='tiny', img_size=128, window_size=[8, 8, 8, 4], drop_path_rate=0.0),
    decode_head=dict(in_channels=[32, 64, 128, 256], channels=64),
    auxiliary_head=dict(in_channels=128, channels=32))
train_pipeline = [
    dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
    dict(type='mmringmoe.LoadSegAnnotations'),
    dict(type='RandomResize', scale=crop_size, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
# From scratch in 40 iterations: plain AdamW (no per-parameter decay rules, which log a line per
# parameter) with a larger learning rate, a short warm-up, then poly decay.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999), weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=5),
    dict(type='PolyLR', eta_min=1e-6, power=1.0, by_epoch=False, begin=5, end=40)
]
train_cfg = dict(max_iters=40, val_interval=40)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=40, save_best=None, max_keep_ckpts=1),
    visualization=dict(_delete_=True, type='mmringmoe.RasterSegVisualizationHook'))
# Pictures a person can read (drawn by tools/demo/run_demo.py): captioned panels enlarged from
# the 128 px demo images, one legend of class colours, written atomically.
visualizer = dict(
    type='mmringmoe.SegPanelVisualizer', vis_backends=[dict(type='mmringmoe.AtomicLocalVisBackend')])
