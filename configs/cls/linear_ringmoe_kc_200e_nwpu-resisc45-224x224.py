# Linear classification on the dense RingMoE-KC (1B) backbone, NWPU-RESISC45, 10% train, 224 px crops, 200
# epochs (paper App. B.5.1). Paper (Table 2): 94.81 / 94.87 / 95.05 OA for KS / KA / KC. One config serves
# the three merged checkpoints:
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    '../_base_/models/linear_ringmoe_kc_cls.py', '../_base_/datasets/nwpu_resisc45_cls.py',
    '../_base_/schedules/cls_adamw-cosine_200e_nwpu-resisc45-10pct.py', '../_base_/cls_runtime.py'
]
model = dict(
    data_preprocessor=dict(num_classes=45),
    backbone=dict(img_size=224),
    head=dict(num_classes=45))
