# Linear classification on RingMoE@Swin-88M (paper Table 5): RMoE layers in a Swin-B (`base` arch),
# restricted to the optical modality, AID, 20% train, 512 px crops, 200 epochs with the settings of the 1B
# model (App. B.5.1, "identical settings"). Paper: 96.57 OA. Load the checkpoint with
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
_base_ = ['./linear_ringmoe_opt_200e_aid-512x512.py']
model = dict(backbone=dict(arch='base'), head=dict(in_channels=1024))
