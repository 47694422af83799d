# UperNet + RingMoE-KC (1B, MS branch) on DynamicEarthNet ("Dyna.-pla"), 4-band 1024 x 1024, 16k iterations,
# batch 8 (paper App. B.5.2). Paper: 47.6 mIoU (Table 3).
_base_ = [
    '../_base_/models/upernet_ringmoe_kc.py', '../_base_/datasets/dynamic_earthnet.py',
    '../_base_/schedules/seg_adamw-poly_16k.py', '../_base_/seg_runtime.py'
]
crop_size = (1024, 1024)
data_preprocessor = dict(
    size=crop_size,
    # B, G, R, NIR surface reflectance (uint16; the canonical MS order, as the loader gives it): the
    # statistics of the reference loader (aysim/dynnet), which lists them in its R, G, B, NIR order
    # (R 1042.59 / 957.96, G 915.62 / 715.55, B 671.26 / 596.94, NIR 2605.21 / 1059.90), reordered.
    mean=[671.260559082031, 915.618408203125, 1042.59240722656, 2605.20922851562],
    std=[596.943908691406, 715.548767089843, 957.958435058593, 1059.90319824218])
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(modality='ms', img_size=1024),
    decode_head=dict(num_classes=6),
    auxiliary_head=dict(num_classes=6))
