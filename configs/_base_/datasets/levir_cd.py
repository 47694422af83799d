# LEVIR-CD (paper App. B.5.6): 445 / 64 / 128 building-change pairs of 1024 x 1024, cut into non-overlapping
# 256 x 256 slices with 0 / 1 labels by tools/dataset_converters/change_detection.py --dataset levir-cd.
dataset_type = 'mmringmoe.LEVIRCDDataset'
data_root = 'data/LEVIR-CD'
crop_size = (256, 256)
load_pair = dict(
    type='mmringmoe.LoadRasterPair',
    first=dict(modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),  # date A
    second=dict(modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3))  # date B
# Paper: flipping, cropping, re-scaling, colour jittering, Gaussian blur. The geometric ones act on the
# stacked pair (both dates and the label alike), the photometric ones on each date with its own draw.
# Strengths are not stated: BIT's reference (re-scaling 1-1.2 then a 256 crop, both flips, blur sigma < 1)
# and mmseg's PhotoMetricDistortion defaults.
train_pipeline = [
    load_pair,
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
test_pipeline = [load_pair, dict(type='mmringmoe.LoadSegAnnotations'), dict(type='PackSegInputs')]
train_dataloader = dict(
    batch_size=8,  # not stated in the paper: BIT's reference batch
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='train/A', img_path2='train/B', seg_map_path='train/label'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='val/A', img_path2='val/B', seg_map_path='val/label'),
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='test/A', img_path2='test/B', seg_map_path='test/label'),
        pipeline=test_pipeline))
val_evaluator = dict(type='mmringmoe.ChangeMetric')  # F1 (the paper's), precision, recall, IoU, OA
test_evaluator = val_evaluator
