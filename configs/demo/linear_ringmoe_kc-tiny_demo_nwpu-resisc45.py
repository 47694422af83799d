# The classification demo (tools/demo/run_demo.py --task cls): the linear classifier on a tiny RingMoE-KC,
# trained from scratch on the CPU on generated texture scenes of 6 classes in NWPU-RESISC45's layout
# (tools/dataset_converters/make_demo_cls_data.py, split 50/50 by tools/dataset_converters/make_cls_split.py),
# then evaluated. It is the paper's NWPU-RESISC45 config with a small backbone, 64 px crops of 96 px images
# and a short, faster schedule.
_base_ = ['../cls/linear_ringmoe_kc_200e_nwpu-resisc45-224x224.py']
data_root = 'data/demo/NWPU-RESISC45'
classes = ('airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach', 'bridge')
model = dict(
    data_preprocessor=dict(num_classes=6),
    backbone=dict(arch='tiny', img_size=64, window_size=[4, 4, 4, 2], pretrained_window_sizes=[4, 4, 4, 2],
                  drop_path_rate=0.0),
    head=dict(num_classes=6, in_channels=256))
train_pipeline = [
    dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
    dict(type='RandomCrop', crop_size=64),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand', min_area_ratio=0.02, max_area_ratio=1 / 3,
         fill_color=[123.675, 116.28, 103.53], fill_std=[58.395, 57.12, 57.375]),
    dict(type='PackInputs')
]
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='train_50pct.txt', metainfo=dict(classes=classes),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='test_50pct.txt', metainfo=dict(classes=classes)))
test_dataloader = val_dataloader
# From scratch in half a minute: plain AdamW with a larger learning rate, a short warm-up, then cosine; 90
# iterations of 16 are 12 epochs of the 120 training images.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=8),
    dict(type='CosineAnnealingLR', eta_min=1e-5, T_max=82, by_epoch=False, begin=8, end=90)
]
train_cfg = dict(max_iters=90, val_interval=90)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=90, save_best=None, max_keep_ckpts=1))
