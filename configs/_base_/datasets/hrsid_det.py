# HRSID (paper App. B.5.4): 800 x 800 one-band amplitude chips stored as 8-bit JPEGs with R = G = B, read once
# as SAR-L2 (mmringmoe.GreyLoadRasterImage); COCO annotations, official train2017 -> test2017 (65/35).
# RandomFlip only, no multi-scale training (paper).
dataset_type = 'mmringmoe.HRSIDDataset'
data_root = 'data/HRSID/'
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
        ann_file='annotations/train2017.json',
        data_prefix=dict(img='JPEGImages/'),
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
        ann_file='annotations/test2017.json',
        data_prefix=dict(img='JPEGImages/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# mAP50 as in the paper (VOC-style, area under the precision-recall curve), and COCO's mAP@[.5:.95].
val_evaluator = [
    dict(type='VOCMetric', metric='mAP', iou_thrs=[0.5], eval_mode='area'),
    dict(type='CocoMetric', ann_file=data_root + 'annotations/test2017.json', metric='bbox', classwise=True)
]
test_evaluator = val_evaluator
