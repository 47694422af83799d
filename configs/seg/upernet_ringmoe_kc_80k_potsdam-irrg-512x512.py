# UperNet + RingMoE-KC (1B) on ISPRS Potsdam (NIR, R, G), 512 x 512 crops, 80k iterations, batch 8
# (paper App. B.5.2). Paper: 93.54 mF1 (Table 3; mFscore in the log).
_base_ = [
    '../_base_/models/upernet_ringmoe_kc.py', '../_base_/datasets/potsdam_irrg.py',
    '../_base_/schedules/seg_adamw-poly_80k.py', '../_base_/seg_runtime.py'
]
crop_size = (512, 512)
data_preprocessor = dict(
    size=crop_size,
    mean=[123.675, 116.28, 103.53],  # NIR, R, G as 8-bit bands; ImageNet statistics as in mmseg's Potsdam
    std=[58.395, 57.12, 57.375])
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(modality='opt', img_size=512),
    decode_head=dict(num_classes=5),
    auxiliary_head=dict(num_classes=5))
