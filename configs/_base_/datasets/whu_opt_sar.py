# WHU-OPT-SAR (paper App. B.5.3): GF-1 optical (R, G, B of the 4 bands) + GF-3 amplitude SAR pairs, cut
# into non-overlapping 256 x 256 patches with the release's 8:2 split
# (tools/dataset_converters/whu_opt_sar.py); 7 classes, background ignored.
dataset_type = 'mmringmoe.WHUOptSARDataset'
data_root = 'data/WHU-OPT-SAR'
crop_size = (256, 256)
load_pair = dict(
    type='mmringmoe.LoadRasterPair',
    first=dict(modality='opt', file_channels=('R', 'G', 'B', 'NIR'), expected_bands=3),  # NIR not used
    second=dict(modality='sar_l2', file_channels=('amplitude', ), expected_bands=1))
train_pipeline = [
    load_pair,
    dict(type='mmringmoe.LoadSegAnnotations'),
    dict(type='RandomResize', scale=crop_size, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [load_pair, dict(type='mmringmoe.LoadSegAnnotations'), dict(type='PackSegInputs')]
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='train/optical', img_path2='train/sar', seg_map_path='train/lbl'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='test/optical', img_path2='test/sar', seg_map_path='test/lbl'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator
