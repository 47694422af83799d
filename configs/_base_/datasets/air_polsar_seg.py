# AIR-PolSAR-Seg (paper App. B.5.2): 512 x 512 GF-3 amplitude tiles, one polarisation as SAR-L2, 6 classes
# trained, 4 reported (Land-use and Other excluded from the results, paper Table A7); 7:3 split lists
# written by tools/dataset_converters/air_polsar_seg.py.
dataset_type = 'mmringmoe.AIRPolSARSegDataset'
data_root = 'data/AIR-PolSAR-Seg'
crop_size = (512, 512)
load_image = dict(
    type='mmringmoe.LoadRasterImage', modality='sar_l2', file_channels=('amplitude', ), expected_bands=1)
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
        ann_file='train.txt',
        polarisation='HH',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='test.txt',
        polarisation='HH',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='mmringmoe.ExclusionIoUMetric',
    iou_metrics=['mIoU', 'mFscore'],
    exclude_classes=('land_use', 'other'))
test_evaluator = val_evaluator
