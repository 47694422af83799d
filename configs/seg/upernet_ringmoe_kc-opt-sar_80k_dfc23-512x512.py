# Multi-modal UperNet on RingMoE-KC (Opt) + RingMoE-KC (SAR-L2) on DFC23 track 1 roof types, 512 x 512
# crops, 80k iterations, batch 12, AdamW 6e-5 / weight decay 0.01 (paper App. B.5.3). Paper: 73.4 mIoU,
# 95.8 OA (Table A9).
_base_ = [
    '../_base_/models/upernet_ringmoe_kc_opt_sar.py', '../_base_/datasets/dfc23.py',
    '../_base_/schedules/seg_adamw-poly_80k.py', '../_base_/seg_runtime.py'
]
crop_size = (512, 512)
data_preprocessor = dict(
    size=crop_size,
    mean=[123.675, 116.28, 103.53, 127.5],  # optical R, G, B (8-bit), then the SAR amplitude (8-bit)
    std=[58.395, 57.12, 57.375, 127.5])
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(img_size=512),
    second_backbone=dict(img_size=512),
    decode_head=dict(num_classes=13),
    auxiliary_head=dict(num_classes=13))
optim_wrapper = dict(optimizer=dict(lr=6e-5, weight_decay=0.01))
