# Scene classification (paper App. B.5.1) on RingMoE-Opt (6.5B): the sparse RingMoE restricted to the optical
# modality (tools/prune/extract_modality.py). The routers keep training: the loss adds alpha x the balance
# losses (Eq. 7; the pretraining alpha, 0.01). Load the checkpoint with
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
_base_ = ['./linear_ringmoe_kc_cls.py']
model = dict(
    type='mmringmoe.MoEImageClassifier',
    balance_loss_weight=0.01,
    backbone=dict(
        _delete_=True,
        type='mmringmoe.RingMoE',
        arch='1b',
        modalities=['opt'],
        num_specialized_experts=4,
        num_collaborative_experts=4,
        img_size=224,
        window_size=[12, 12, 12, 6],
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.3,
        out_indices=(3, )))
