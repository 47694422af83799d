# The oriented detection demo (tools/demo/run_demo.py --task rotated): the paper's DIOR-R config with a tiny
# RingMoE-KC trained from scratch on the CPU, on synthetic 128 px scenes of two DIOR classes in DIOR-R's
# release layout (tools/dataset_converters/make_demo_rotated_data.py), read by the same
# mmringmoe.DIORRDataset.
# Smaller FPN and heads, fewer proposals, 128 px input and a short AdamW schedule.
_base_ = ['../rotated/oriented-rcnn-le90_ringmoe-kc_fpn_12e_dior-r-800x800.py']
data_root = 'data/demo/DIOR-R'
classes = ('ship', 'tenniscourt')
input_size = (128, 128)
model = dict(
    backbone=dict(
        arch='tiny',
        img_size=128,
        window_size=[4, 4, 4, 2],
        pretrained_window_sizes=[4, 4, 4, 2],
        drop_path_rate=0.0),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=256, num_classes=2)),
    train_cfg=dict(
        rpn=dict(sampler=dict(num=128)),
        rpn_proposal=dict(nms_pre=500, max_per_img=300),
        rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300), rcnn=dict(nms_pre=500, max_per_img=50)))
load_image = dict(
    type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)
train_pipeline = [
    load_image,
    dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox')),
    dict(type='mmdet.Resize', scale=input_size, keep_ratio=True),
    dict(type='mmdet.RandomFlip', prob=0.75, direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='mmdet.PackDetInputs')
]
test_pipeline = [
    load_image,
    dict(type='mmdet.Resize', scale=input_size, keep_ratio=True),
    dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox')),
    dict(
        type='mmdet.PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
trainval_split = dict(
    type='mmringmoe.DIORRDataset',
    data_root=data_root,
    metainfo=dict(classes=classes),
    data_prefix=dict(img_path='JPEGImages-trainval'),
    filter_cfg=dict(filter_empty_gt=True),
    pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(trainval_split, ann_file='ImageSets/Main/train.txt'),
            dict(trainval_split, ann_file='ImageSets/Main/val.txt')
        ]))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=dict(classes=classes), pipeline=test_pipeline))
test_dataloader = val_dataloader
# From scratch in a few minutes: AdamW with a larger learning rate, a short warm-up, then cosine.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', eta_min=1e-5, T_max=380, by_epoch=False, begin=20, end=400)
]
train_cfg = dict(max_iters=400, val_interval=400)
default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(interval=400, save_best=None, max_keep_ckpts=1))
