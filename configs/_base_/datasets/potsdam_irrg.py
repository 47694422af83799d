# ISPRS Potsdam (paper App. B.5.2): near-infrared / red / green orthophotos cut into 512 x 512 patches by
# mmseg's converter (tools/dataset_converters/potsdam.py), five classes (clutter ignored, as RingMo);
# 24 training and 14 test tiles.
dataset_type = 'mmringmoe.PotsdamDataset'
data_root = 'data/potsdam'
crop_size = (512, 512)
metainfo = dict(classes=('impervious_surface', 'building', 'low_vegetation', 'tree', 'car'))
# The paper feeds the IRRG images (near-infrared, red, green) through the opt patch embedding (App. B.5.2,
# following RingMo): the one config whose order is not its modality's canonical R, G, B, on purpose.
load_image = dict(
    type='mmringmoe.LoadRasterImage',
    modality='opt',
    file_channels=('NIR', 'R', 'G'),
    channel_order=('NIR', 'R', 'G'),
    expected_bands=3)
train_pipeline = [
    load_image,
    dict(type='mmringmoe.LoadSegAnnotations'),
    dict(type='RandomResize', scale=crop_size, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    load_image,
    dict(type='mmringmoe.LoadSegAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
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
        metainfo=metainfo,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator
