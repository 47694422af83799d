# Multi-modal UperNet on RingMoE-KC (Opt) + RingMoE-KC (SAR-L2) on WHU-OPT-SAR, 256 x 256 crops, 80k
# iterations, batch 16, AdamW 6e-5 / weight decay 0.01 (paper App. B.5.3). Paper: 54.7 mIoU, 84.1 OA,
# 68.7 mF1 (Table A8).
_base_ = [
    '../_base_/models/upernet_ringmoe_kc_opt_sar.py', '../_base_/datasets/whu_opt_sar.py',
    '../_base_/schedules/seg_adamw-poly_80k.py', '../_base_/seg_runtime.py'
]
crop_size = (256, 256)
data_preprocessor = dict(
    size=crop_size,
    mean=[123.675, 116.28, 103.53, 127.5],  # optical R, G, B (8-bit), then the SAR amplitude (8-bit)
    std=[58.395, 57.12, 57.375, 127.5])
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(img_size=256),
    second_backbone=dict(img_size=256),
    decode_head=dict(num_classes=7),
    auxiliary_head=dict(num_classes=7))
optim_wrapper = dict(optimizer=dict(lr=6e-5, weight_decay=0.01))
