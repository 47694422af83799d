# HRSC2016 (paper App. B.5.4): the release as it is (mmringmoe.HRSC2016Dataset, docs/datasets.md), one class
# (ship), trainval for training and test for evaluation; 800 x 800 input (longer side, ratio kept),
# RandomFlip only, no multi-scale.
dataset_type = 'mmringmoe.HRSC2016Dataset'
data_root = 'data/HRSC2016'
input_size = (800, 800)
load_image = dict(
    type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)
train_pipeline = [
    load_image,
    dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox')),
    dict(type='mmdet.Resize', scale=input_size, keep_ratio=True),
    # The paper says RandomFlip; the directions and probability are mmrotate's DIOR/HRSC setting.
    dict(type='mmdet.RandomFlip', prob=0.75, direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='mmdet.PackDetInputs')
]
test_pipeline = [
    load_image,
    dict(type='mmdet.Resize', scale=input_size, keep_ratio=True),
    # loaded after Resize: the metric compares predictions (scaled back) with the boxes of the original image
    dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox')),
    dict(
        type='mmdet.PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
train_dataloader = dict(
    batch_size=2,  # per GPU; the schedule counts iterations for 8 GPUs (16 in all; not stated in the paper)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/trainval.txt',
        data_prefix=dict(sub_data_root='FullDataSet/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/test.txt',
        data_prefix=dict(sub_data_root='FullDataSet/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# mAP50, VOC-style AP per class, printed per class: the area under the interpolated precision-recall curve
# (eval_mode='area', VOC 2010 and later), as the horizontal detection configs compute it with mmdet's
# VOCMetric; mmrotate's default is VOC 2007's 11-point average. The paper names neither.
val_evaluator = dict(type='DOTAMetric', metric='mAP', iou_thrs=0.5, eval_mode='area')
test_evaluator = val_evaluator
