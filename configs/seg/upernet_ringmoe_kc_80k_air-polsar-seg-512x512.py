# UperNet + RingMoE-KC (1B, SAR-L2 branch) on AIR-PolSAR-Seg, amplitude, 512 x 512 crops, 80k iterations,
# batch 8 (paper App. B.5.2). Paper: 70.59 mIoU over 4 classes (Table A7).
_base_ = [
    '../_base_/models/upernet_ringmoe_kc.py', '../_base_/datasets/air_polsar_seg.py',
    '../_base_/schedules/seg_adamw-poly_80k.py', '../_base_/seg_runtime.py'
]
crop_size = (512, 512)
data_preprocessor = dict(
    size=crop_size,
    # One 8-bit amplitude band (assumed). Placeholder: the pretraining's SAR-L2 one
    # (configs/_base_/models/ringmoe_mim.py); recompute with tools/analysis_tools/compute_band_stats.py.
    mean=[127.5],
    std=[127.5])
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(modality='sar_l2', img_size=512),
    decode_head=dict(num_classes=6),
    auxiliary_head=dict(num_classes=6))
