# Oriented R-CNN (le90) + FPN + RingMoE-KC (1B) on HRSC2016 (one class, ship), 800 x 800, 12 epochs, batch 16
# (paper App. B.5.4). Paper: 92.17 mAP50 (Fig. A6.a, Table A14).
_base_ = [
    '../_base_/models/oriented-rcnn-le90_ringmoe_kc_fpn.py', '../_base_/datasets/hrsc2016_rotated.py',
    '../_base_/schedules/rotated_sgd-step_12e_hrsc2016.py', '../_base_/rotated_runtime.py'
]
model = dict(backbone=dict(modality='opt', img_size=800), roi_head=dict(bbox_head=dict(num_classes=1)))
