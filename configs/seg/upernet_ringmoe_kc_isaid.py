# UperNet + RingMoE-KC (1B) on iSAID, 896 x 896 crops, 80k iterations, batch 8 (paper App. B.5.2).
# Paper: 69.70 mIoU (Table 3).
_base_ = [
    '../_base_/models/upernet_ringmoe_kc.py', '../_base_/datasets/isaid.py',
    '../_base_/schedules/seg_adamw-poly_80k.py', '../_base_/seg_runtime.py'
]
crop_size = (896, 896)
data_preprocessor = dict(
    size=crop_size,
    mean=[123.675, 116.28, 103.53],  # R, G, B
    std=[58.395, 57.12, 57.375])
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(modality='opt', img_size=896),
    decode_head=dict(num_classes=16),
    auxiliary_head=dict(num_classes=16))
