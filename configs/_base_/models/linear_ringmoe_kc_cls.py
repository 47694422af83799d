# Scene classification (paper App. B.5.1): the backbone, global average pooling of its last stage and one
# linear layer (mmpretrain's ImageClassifier). The dense RingMoE-KC (1B): it takes the merged KS, KA and KC
# checkpoints alike (tools/prune/prune.py --to kc); load one with
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        num_classes=45,
        mean=[123.675, 116.28, 103.53],  # R, G, B: 8-bit optical, ImageNet's statistics (as for iSAID)
        std=[58.395, 57.12, 57.375],
        to_rgb=False),  # mmringmoe.LoadRasterImage already gives R, G, B
    backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='1b',
        modality='opt',
        img_size=224,
        # Pretraining's windows at 192 px (as in the segmentation configs): the log-spaced position-bias MLP
        # transfers unchanged; maps that are no multiple of the window are padded by SwinV2.
        window_size=[12, 12, 12, 6],
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.3,  # not stated for classification; the segmentation configs' value
        out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=45,
        in_channels=3584,  # the 1b arch's last stage
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
