# Oriented R-CNN (le90) + FPN + RingMoE-KC (1B) on DIOR-R, 800 x 800, 12 epochs (paper App. B.5.4), batch 16.
# Paper: 76.04 mAP50 (Table 4).
_base_ = [
    '../_base_/models/oriented-rcnn-le90_ringmoe_kc_fpn.py', '../_base_/datasets/dior_r_rotated.py',
    '../_base_/schedules/rotated_sgd-step_12e_dior-r.py', '../_base_/rotated_runtime.py'
]
model = dict(backbone=dict(modality='opt', img_size=800), roi_head=dict(bbox_head=dict(num_classes=20)))
