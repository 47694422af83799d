# The detection demo (tools/demo/run_demo.py --task det): the DIOR config's dataset class, pipeline and
# Faster R-CNN + FPN, on a tiny RingMoE-KC trained from scratch on synthetic 128 px scenes in DIOR's layout
# (tools/dataset_converters/make_demo_det_data.py: storage tanks and tennis courts). Not the paper's
# setting: AdamW and a short schedule, so that a few minutes of CPU reach a clearly non-zero mAP50.
_base_ = ['../det/faster-rcnn_ringmoe-kc_fpn_12e_dior-800x800.py']
size = 128
model = dict(
    backbone=dict(arch='tiny', img_size=size, window_size=4, drop_path_rate=0.1),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=64),
    rpn_head=dict(
        in_channels=64,
        feat_channels=64,
        anchor_generator=dict(scales=[4], strides=[4, 8, 16, 32, 64])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=256)),
    train_cfg=dict(rpn=dict(sampler=dict(num=128)), rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(rcnn=dict(max_per_img=20)))
data_root = 'data/demo/DIOR/'
resize = dict(type='Resize', scale=(size, size), keep_ratio=True)
load_image = {{_base_.load_image}}
train_pipeline = [
    load_image,
    dict(type='LoadAnnotations', with_bbox=True), resize,
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    load_image, resize,
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(datasets=[
        dict(
            type='mmringmoe.DIORDataset',
            data_root=data_root,
            ann_file=f'ImageSets/Main/{split}.txt',
            img_subdir='JPEGImages-trainval',
            data_prefix=dict(sub_data_root=''),
            filter_cfg=dict(filter_empty_gt=True),
            pipeline=train_pipeline) for split in ('train', 'val')
    ]))
val_dataloader = dict(
    num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(_delete_=True, type='AdamW', lr=4e-4, weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=400, T_max=350, eta_min=1e-5)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=400, val_interval=400)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=400, max_keep_ckpts=1),
    visualization=dict(type='DetVisualizationHook', draw=True, interval=1, score_thr=0.5))
