# BIT (Chen et al. 2021) on a Siamese RingMoE-KC (paper App. B.5.6): the 1B merged optical model, stage dims
# [448, 896, 1792, 3584], applied to both dates with shared weights, stage 1 frozen, stages 2-4 trained.
# The pipeline stacks date A's R, G, B then date B's; SiameseEncoderDecoder splits them, BITHead compares.
# Load the merged RingMoE-KC (Opt) weights with
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
norm_cfg = dict(type='SyncBN', requires_grad=True)  # plain BatchNorm when not distributed
data_preprocessor = dict(
    type='mmringmoe.MultiBandSegDataPreProcessor',
    # date A's R, G, B, then date B's (8-bit optical: ImageNet's statistics, as for the other Opt configs)
    mean=[123.675, 116.28, 103.53, 123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375, 58.395, 57.12, 57.375],
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='mmringmoe.SiameseEncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='1b',
        modality='opt',
        img_size=256,
        window_size=[12, 12, 12, 6],  # the pretraining windows, as in the segmentation configs
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.3,  # not stated for change detection; the segmentation configs' choice
        out_indices=(0, 1, 2, 3),
        # paper: "the parameters of the first stage in RingMoE are frozen": the patch embedding and stage 1
        # (mmpretrain's SwinV2 freezes stages 0..frozen_stages)
        frozen_stages=0,
        pad_small_map=True),
    decode_head=dict(
        type='mmringmoe.BITHead',
        # Not stated in the paper: all four scales, resized to stride 4 and concatenated per date (BIT's
        # ResNet-18 feeds one stride-8 map upsampled to stride 4; stage 1 alone is frozen, and stages 3-4
        # hold most of the trained weights).
        in_channels=[448, 896, 1792, 3584],
        in_index=[0, 1, 2, 3],
        channels=32,  # BIT's reference: 32-wide features and tokens, 4 tokens, encoder depth 1,
        token_len=4,  # decoder depth 8 (its LEVIR-CD model), 8 heads of 64, MLP 2 x 32
        enc_depth=1,
        dec_depth=8,
        num_heads=8,
        head_dims=64,
        mlp_ratio=2,
        upsample_scale=4,
        dropout_ratio=0.0,
        num_classes=2,
        out_channels=2,  # two logits and softmax cross-entropy: BCE on their difference (see the README)
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0, avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
