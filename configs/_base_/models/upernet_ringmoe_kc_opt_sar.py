# Multi-modal UperNet (paper App. B.5.3): RingMoE-KC on the optical image and RingMoE-KC on the amplitude
# SAR image, features concatenated per scale and fused by a 3x3 and a 1x1 convolution, then UperNet.
# The pipeline stacks the pair channel-wise (opt then SAR, ``mmringmoe.LoadRasterPair``); ``in_channels``
# splits it back. Pretrained weights: model.backbone.init_cfg... (RingMoE-Opt) and
# model.second_backbone.init_cfg... (RingMoE-SAR_L2), as in upernet_ringmoe_kc.py.
custom_imports = dict(imports=['mmringmoe'], allow_failed_imports=False)
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    type='mmringmoe.MultiBandSegDataPreProcessor',
    mean=[123.675, 116.28, 103.53, 127.5],  # R, G, B of the optical image, then the SAR amplitude
    std=[58.395, 57.12, 57.375, 127.5],
    pad_val=0,
    seg_pad_val=255)
ringmoe_kc = dict(
    type='mmringmoe.RingMoE-KC',
    arch='1b',
    img_size=512,
    window_size=[12, 12, 12, 6],
    pretrained_window_sizes=[12, 12, 12, 6],
    drop_path_rate=0.3,
    out_indices=(0, 1, 2, 3),
    pad_small_map=True)
model = dict(
    type='mmringmoe.DualModalityEncoderDecoder',
    data_preprocessor=data_preprocessor,
    in_channels=(3, 1),
    backbone=dict(ringmoe_kc, modality='opt'),
    second_backbone=dict(ringmoe_kc, modality='sar_l2'),
    fusion=dict(
        type='mmringmoe.ConcatConvFusion',
        in_channels=[[448, 896, 1792, 3584], [448, 896, 1792, 3584]],
        norm_cfg=norm_cfg),
    decode_head=dict(
        type='UPerHead',
        in_channels=[448, 896, 1792, 3584],
        in_index=[0, 1, 2, 3],
        pool_scales=(1, 2, 3, 6),
        channels=512,
        dropout_ratio=0.1,
        num_classes=7,
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
        num_classes=7,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4, avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
