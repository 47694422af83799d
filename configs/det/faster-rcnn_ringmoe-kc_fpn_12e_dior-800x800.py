# Faster R-CNN + FPN on RingMoE-KC (1B, optical branch) on DIOR, 800 x 800, 12 epochs (paper App. B.5.4).
# Paper: 82.45 mAP50 (Table 4, Table A14).
_base_ = [
    '../_base_/models/faster-rcnn_ringmoe_kc_fpn.py', '../_base_/datasets/dior_det.py',
    '../_base_/schedules/det_sgd_12e_dior.py', '../_base_/det_runtime.py'
]
model = dict(
    # R, G, B: the placeholders of the optical modality (configs/_base_/models/ringmoe_mim.py); replace them
    # by the output of
    #   python tools/analysis_tools/compute_band_stats.py \
    #       configs/det/faster-rcnn_ringmoe-kc_fpn_12e_dior-800x800.py
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),
    backbone=dict(modality='opt'),
    roi_head=dict(bbox_head=dict(num_classes=20)))
