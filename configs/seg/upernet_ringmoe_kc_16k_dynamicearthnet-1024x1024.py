# UperNet + RingMoE-KC (1B, MS branch) on DynamicEarthNet ("Dyna.-pla"), 4-band 1024 x 1024, 16k iterations,
# batch 8 (paper App. B.5.2). Paper: 47.6 mIoU (Table 3).
_base_ = [
    '../_base_/models/upernet_ringmoe_kc.py', '../_base_/datasets/dynamic_earthnet.py',
    '../_base_/schedules/seg_adamw-poly_16k.py', 'mmseg::_base_/default_runtime.py'
]
crop_size = (1024, 1024)
data_preprocessor = dict(
    size=crop_size,
    # R, G, B, NIR surface reflectance (uint16); the statistics of the reference loader (aysim/dynnet)
    mean=[1042.59240722656, 915.618408203125, 671.260559082031, 2605.20922851562],
    std=[957.958435058593, 715.548767089843, 596.943908691406, 1059.90319824218])
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(modality='ms', img_size=1024),
    decode_head=dict(num_classes=6),
    auxiliary_head=dict(num_classes=6))
