# SARSegL1 (paper App. B.5.2): GF-3 single-look complex HH/HV/VH/VV as 8 channels (real, imaginary per
# polarisation), 500 x 500 patches with overlap 200 (tools/dataset_converters/sarsegl1.py), 8:2 split.
dataset_type = 'mmringmoe.SARSegL1Dataset'
data_root = 'data/SARSegL1'
crop_size = (500, 500)
# tools/dataset_converters/sarsegl1.py writes 4 complex bands HH, HV, VH, VV: the canonical SAR-L1 order.
load_image = dict(
    type='mmringmoe.LoadRasterImage',
    modality='sar_l1',
    file_channels=('HH_re', 'HH_im', 'HV_re', 'HV_im', 'VH_re', 'VH_im', 'VV_re', 'VV_im'),
    expected_bands=8)
train_pipeline = [
    load_image,
    dict(type='mmringmoe.LoadSegAnnotations'),
    # nearest, as in pretraining: bilinear interpolation of complex samples with independent speckle phases
    # keeps only part of their power (configs/_base_/datasets/ringmoss_pretrain.py)
    dict(type='RandomResize', scale=crop_size, ratio_range=(0.5, 2.0), keep_ratio=True, interpolation='nearest'),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [load_image, dict(type='mmringmoe.LoadSegAnnotations'), dict(type='PackSegInputs')]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/test', seg_map_path='ann_dir/test'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator
