# UperNet on the dense RingMoE-KC backbone (paper Sec. 4, App. B.5.2): the 1B model, stage dims
# [448, 896, 1792, 3584]. Load the merged RingMoE-KC weights of the config's modality with
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT \
#                 model.backbone.init_cfg.prefix=backbone.
# custom_imports (mmringmoe) comes with the runtime, configs/_base_/default_runtime.py.
norm_cfg = dict(type='SyncBN', requires_grad=True)  # plain BatchNorm when not distributed
data_preprocessor = dict(
    type='mmringmoe.MultiBandSegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],  # per band, in the band order of the loading transform
    std=[58.395, 57.12, 57.375],
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='1b',
        modality='opt',
        img_size=512,
        # Pretraining used window 12 at 192 px (spec section 1, SimMIM's SwinV2: [12, 12, 12, 6]); keeping
        # those windows lets the log-spaced position-bias MLP transfer unchanged.
        window_size=[12, 12, 12, 6],
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.3,  # not stated for segmentation; the paper's detection setting and mmseg's Swin
        out_indices=(0, 1, 2, 3),
        pad_small_map=True),
    decode_head=dict(
        type='UPerHead',
        in_channels=[448, 896, 1792, 3584],
        in_index=[0, 1, 2, 3],
        pool_scales=(1, 2, 3, 6),
        channels=512,
        dropout_ratio=0.1,
        num_classes=16,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0, avg_non_ignore=True)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=1792,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=16,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4, avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
