# SAR-AIRcraft-1.0 (paper App. B.5.4, Table A10): one-band amplitude chips of 800 to 1500 px stored as 8-bit
# JPEGs with R = G = B, read once as SAR-L2 (mmringmoe.GreyLoadRasterImage) and resized to 800 x 800 (keeping
# the aspect ratio); train on train + val, test on test. RandomFlip only, no multi-scale training (paper).
dataset_type = 'mmringmoe.SARAircraftDataset'
data_root = 'data/SAR-AIRcraft-1.0/'
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
trainval = [
    dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=f'ImageSets/Main/{split}.txt',
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
        data_prefix=dict(sub_data_root=''),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# mAP50 and AP50 per class as in Table A10 (area under the precision-recall curve, as for DIOR).
val_evaluator = dict(type='VOCMetric', metric='mAP', iou_thrs=[0.5], eval_mode='area')
test_evaluator = val_evaluator
