# Faster R-CNN + FPN on RingMoE-KC (1B, SAR-L2 branch) on HRSID, 800 x 800, 12 epochs (paper App. B.5.4).
# Paper: 94.2 mAP50 (Sec. 4.2, Fig. A6).
_base_ = [
    '../_base_/models/faster-rcnn_ringmoe_kc_fpn.py', '../_base_/datasets/hrsid_det.py',
    '../_base_/schedules/det_sgd_12e_hrsid.py', '../_base_/det_runtime.py'
]
model = dict(
    # One amplitude band: the SAR-L2 placeholders (configs/_base_/models/ringmoe_mim.py, the 8-bit range to
    # [-1, 1]); replace them by the output of
    #   python tools/analysis_tools/compute_band_stats.py \
    #       configs/det/faster-rcnn_ringmoe-kc_fpn_12e_hrsid-800x800.py
    data_preprocessor=dict(mean=[127.5], std=[127.5]),
    backbone=dict(modality='sar_l2'),
    roi_head=dict(bbox_head=dict(num_classes=1)))
