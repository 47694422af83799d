# Linear classification on RingMoE-Opt (6.5B), AID, 20% train, 512 px crops, 200 epochs (paper App. B.5.1).
# Paper (Table 2): 98.19 OA. The model and how to load its checkpoint: ../_base_/models/linear_ringmoe_opt_cls.py
_base_ = [
    '../_base_/models/linear_ringmoe_opt_cls.py', '../_base_/datasets/aid_cls.py',
    '../_base_/schedules/cls_adamw-cosine_200e_aid-20pct.py', '../_base_/cls_runtime.py'
]
model = dict(
    data_preprocessor=dict(num_classes=30),
    backbone=dict(img_size=512),
    head=dict(num_classes=30))
