# The tracking demo (tools/demo/run_demo.py --task track): the AIR-MOT stage-1 config's ByteTrack + YOLOX, dataset
# classes, frame reading, cropping, tracker settings and metric, on a tiny RingMoE-KC trained from scratch on
# generated Jilin-1-like clips in the MOT-Challenge layout (tools/dataset_converters/make_demo_track_data.py,
# converted by tools/dataset_converters/mot2coco.py --layout air-mot). Not the paper's setting: 128 x 128 crops of
# 320 x 192 frames, batch 8, AdamW lr 1e-3 with cosine decay over 600 iterations, so that a few minutes of CPU reach
# a detector good enough to track with the paper's ByteTrack thresholds.
_base_ = ['../track/bytetrack_yolox_ringmoe-kc_stage1-5e_air-mot-640x640.py']
crop_size = (128, 128)
model = dict(
    detector=dict(
        backbone=dict(arch='tiny', img_size=crop_size[0], window_size=4, drop_path_rate=0.1),
        neck=dict(in_channels=[64, 128, 256], out_channels=64, num_csp_blocks=1),
        bbox_head=dict(in_channels=64, feat_channels=64)))
data_root = 'data/demo/AIR-MOT/'
load_image = {{_base_.load_image}}
train_pipeline = [
    load_image,
    dict(type='LoadAnnotations', with_bbox=True),
    {{_base_.keep_size}},
    dict(type='RandomCrop', crop_size=crop_size, allow_negative_crop=False, bbox_clip_border=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1, 1), keep_empty=False),
    {{_base_.pack_frame}}
]
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=600, T_max=570, eta_min=1e-5)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=600, val_interval=600)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=600, max_keep_ckpts=1))
