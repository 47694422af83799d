# Linear classification on the dense RingMoE-KC (1B) backbone, AID, 20% train, 512 px crops, 200 epochs
# (paper App. B.5.1). Paper (Table 2): 97.30 / 97.23 / 97.42 OA for KS / KA / KC. One config serves the
# three merged checkpoints:
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    '../_base_/models/linear_ringmoe_kc_cls.py', '../_base_/datasets/aid_cls.py',
    '../_base_/schedules/cls_adamw-cosine_200e_aid-20pct.py', '../_base_/cls_runtime.py'
]
model = dict(
    data_preprocessor=dict(num_classes=30),
    backbone=dict(img_size=512),
    head=dict(num_classes=30))
