# Linear classification on RingMoE-EP (Opt, 4.3B), NWPU-RESISC45, 10% train, 224 px crops,
# 200 epochs (paper App. B.5.1).
# Paper (Table 2): 95.43 OA. The model and how to load its checkpoint: ../_base_/models/linear_ringmoe_ep_cls.py
_base_ = [
    '../_base_/models/linear_ringmoe_ep_cls.py', '../_base_/datasets/nwpu_resisc45_cls.py',
    '../_base_/schedules/cls_adamw-cosine_200e_nwpu-resisc45-10pct.py', '../_base_/cls_runtime.py'
]
model = dict(
    data_preprocessor=dict(num_classes=45),
    backbone=dict(img_size=224),
    head=dict(num_classes=45))
