# DFC23 track 1 (paper App. B.5.3): 512 x 512 optical (3 bands) + SAR amplitude pairs, roof polygons
# rasterised to 13 classes (background + 12 roof types) and split 7:2:1 by
# tools/dataset_converters/dfc23.py. Tiles as released: train/rgb/P_0000.tif and train/sar/P_0000.tif (an
# older release's P0001_RGB.tif / P0001_SAR.tif: add img_suffix='_RGB.tif', img_suffix2='_SAR.tif' to the
# three datasets).
dataset_type = 'mmringmoe.DFC23Dataset'
data_root = 'data/DFC23'
crop_size = (512, 512)
load_pair = dict(
    type='mmringmoe.LoadRasterPair',
    first=dict(modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
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
    batch_size=12,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='splits/train.txt', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/val.txt', pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/test.txt', pipeline=test_pipeline))
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator
