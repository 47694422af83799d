# DynamicEarthNet, "Dyna.-pla" (paper App. B.5.2): PlanetFusion 1024 x 1024 4-band images, monthly labels,
# 6 scored classes; official split files, evaluation on the official val (validation) and test splits.
# The files store B, G, R, NIR, which is already the canonical MS order of the pretrained ms embedding
# (CANONICAL_BANDS); the reference loader (aysim/dynnet) reorders to R, G, B, NIR, we do not.
dataset_type = 'mmringmoe.DynamicEarthNetDataset'
data_root = 'data/DynamicEarthNet'
crop_size = (1024, 1024)
load_image = dict(
    type='mmringmoe.LoadRasterImage', modality='ms', file_channels=('B', 'G', 'R', 'NIR'), expected_bands=4)
train_pipeline = [
    load_image,
    dict(type='mmringmoe.LoadSegAnnotations'),
    dict(type='RandomResize', scale=crop_size, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [load_image, dict(type='mmringmoe.LoadSegAnnotations'), dict(type='PackSegInputs')]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='dynnet_training_splits/train.txt',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='dynnet_training_splits/val.txt',
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='dynnet_training_splits/test.txt',
        pipeline=test_pipeline))
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator
