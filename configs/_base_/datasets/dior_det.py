# DIOR horizontal boxes (paper App. B.5.4): 800 x 800 RGB JPEGs read from the release as it is
# (mmringmoe.DIORDataset, docs/datasets.md); train on train + val, test on test. RandomFlip is the only
# augmentation and there is no multi-scale training (paper).
dataset_type = 'mmringmoe.DIORDataset'
data_root = 'data/DIOR/'
load_image = dict(
    type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)
train_pipeline = [
    load_image,
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(800, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    load_image,
    dict(type='Resize', scale=(800, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),  # after Resize: evaluated on the original boxes
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
trainval = [
    dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=f'ImageSets/Main/{split}.txt',
        img_subdir='JPEGImages-trainval',
        data_prefix=dict(sub_data_root=''),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline) for split in ('train', 'val')
]
train_dataloader = dict(
    batch_size=2,  # per GPU; the schedule counts iterations for 8 GPUs
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(type='ConcatDataset', datasets=trainval))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Main/test.txt',
        img_subdir='JPEGImages-test',
        data_prefix=dict(sub_data_root=''),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# mAP50 as in the paper; AP per class is the area under the interpolated precision-recall curve (VOC 2010+
# and mmdet's VOC2012 setting) rather than VOC 2007's 11-point average (README, "Where the paper is silent").
val_evaluator = dict(type='VOCMetric', metric='mAP', iou_thrs=[0.5], eval_mode='area')
test_evaluator = val_evaluator
