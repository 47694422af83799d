# Scene classification (paper App. B.5.1) on RingMoE-EP (Opt, 4.3B): RingMoE-Opt after sparse expert pruning
# (tools/prune/prune.py --to ep --modality opt). The expert layout (kept experts per block) is read from the
# checkpoint, which must exist when the model is built; a checkpoint of another layout stops with the layer
# and what was expected. The routers keep training with alpha x the balance losses (Eq. 7; alpha 0.01).
_base_ = ['./linear_ringmoe_kc_cls.py']
model = dict(
    type='mmringmoe.MoEImageClassifier',
    balance_loss_weight=0.01,
    backbone=dict(
        _delete_=True,
        type='mmringmoe.RingMoE-EP',
        arch='1b',
        modality='opt',
        img_size=224,
        window_size=[12, 12, 12, 6],
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.3,
        out_indices=(3, ),
        init_cfg=dict(type='Pretrained', checkpoint='work_dirs/ringmoe-ep_opt/ringmoe-ep_opt.pth')))
