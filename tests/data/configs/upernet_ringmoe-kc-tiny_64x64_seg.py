# mmseg: UPerNet on a tiny RingMoE-KC backbone (toolkit smoke test; tests/test_toolkits/test_mmseg.py).
default_scope = 'mmseg'
custom_imports = dict(imports=['mmringmoe'], allow_failed_imports=False)

norm_cfg = dict(type='BN', requires_grad=True)  # SyncBN in multi-GPU runs
crop_size = (64, 64)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=crop_size),
    backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='tiny',
        modality='opt',
        img_size=crop_size[0],
        window_size=4,
        pad_small_map=True,
        drop_path_rate=0.1,
        out_indices=(0, 1, 2, 3)),
    decode_head=dict(
        type='UPerHead',
        in_channels=[32, 64, 128, 256],
        in_index=[0, 1, 2, 3],
        pool_scales=(1, 2, 3, 6),
        channels=32,
        dropout_ratio=0.1,
        num_classes=4,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01))
