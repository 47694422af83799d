# SARDet-100K (paper Table A15): amplitude chips of several sources and sizes, read once as one-band SAR-L2
# (mmringmoe.GreyLoadRasterImage: one band, or three equal bands) and resized to 800 x 800 (keeping the aspect
# ratio); COCO annotations, train -> val (validation) and test (testing). RandomFlip only (paper).
dataset_type = 'mmringmoe.SARDet100KDataset'
data_root = 'data/SARDet_100K/'
load_image = dict(
    type='mmringmoe.GreyLoadRasterImage', modality='sar_l2', file_channels=('amplitude', ), expected_bands=1)
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
train_dataloader = dict(
    batch_size=2,  # per GPU; the schedule counts iterations for 8 GPUs
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='Annotations/train.json',
        data_prefix=dict(img='JPEGImages/train/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='Annotations/val.json',
        data_prefix=dict(img='JPEGImages/val/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='Annotations/test.json',
        data_prefix=dict(img='JPEGImages/test/'),
        test_mode=True,
        pipeline=test_pipeline))
# mAP50 as in the paper (VOC-style, area under the precision-recall curve), and COCO's mAP@[.5:.95].
val_evaluator = [
    dict(type='VOCMetric', metric='mAP', iou_thrs=[0.5], eval_mode='area'),
    dict(type='CocoMetric', ann_file=data_root + 'Annotations/val.json', metric='bbox', classwise=True)
]
test_evaluator = [
    dict(type='VOCMetric', metric='mAP', iou_thrs=[0.5], eval_mode='area'),
    dict(type='CocoMetric', ann_file=data_root + 'Annotations/test.json', metric='bbox', classwise=True)
]
