# UperNet + RingMoE-KC (1B, SAR-L1 branch) on SARSegL1, 8-channel complex, 500 x 500 crops, 20k iterations,
# batch 4 (paper App. B.5.2). Paper: 71.02 mIoU (Table A6).
_base_ = [
    '../_base_/models/upernet_ringmoe_kc.py', '../_base_/datasets/sarsegl1.py',
    '../_base_/schedules/seg_adamw-poly_20k.py', '../_base_/seg_runtime.py'
]
crop_size = (500, 500)
data_preprocessor = dict(
    size=crop_size,
    # HH_re, HH_im, HV_re, HV_im, VH_re, VH_im, VV_re, VV_im. The real and imaginary parts of an SLC have
    # zero mean (uniform phase); their spread depends on the product's calibration and is not published.
    # Placeholder: the pretraining's SAR-L1 one (configs/_base_/models/ringmoe_mim.py; GF-3 SLC, as
    # SARSegL1); replace it by the output of
    #   python tools/analysis_tools/compute_band_stats.py \
    #       configs/seg/upernet_ringmoe_kc_20k_sarsegl1-500x500.py
    mean=[0.0] * 8,
    std=[500.0] * 8)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(modality='sar_l1', img_size=500),
    decode_head=dict(num_classes=5),
    auxiliary_head=dict(num_classes=5))
