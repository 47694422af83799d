# Multi-modal UperNet (paper App. B.5.3): RingMoE-KC on the optical image and RingMoE-KC on the amplitude
# SAR image, features concatenated per scale and fused by a 3x3 and a 1x1 convolution, then UperNet.
# The pipeline stacks the pair channel-wise (opt then SAR, ``mmringmoe.LoadRasterPair``); ``in_channels``
# splits it back. Pretrained weights: model.backbone.init_cfg... (RingMoE-Opt) and
# model.second_backbone.init_cfg... (RingMoE-SAR_L2), as in upernet_ringmoe_kc.py, whose backbone
# (optical), heads and test settings this inherits.
_base_ = ['./upernet_ringmoe_kc.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53, 127.5],  # R, G, B of the optical image, then the SAR amplitude
    std=[58.395, 57.12, 57.375, 127.5])
model = dict(
    type='mmringmoe.DualModalityEncoderDecoder',
    data_preprocessor=data_preprocessor,
    in_channels=(3, 1),
    second_backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='1b',
        modality='sar_l2',
        img_size=512,
        window_size=[12, 12, 12, 6],
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.3,
        out_indices=(0, 1, 2, 3),
        pad_small_map=True),
    fusion=dict(
        type='mmringmoe.ConcatConvFusion',
        in_channels=[[448, 896, 1792, 3584], [448, 896, 1792, 3584]],
        norm_cfg=norm_cfg),
    decode_head=dict(num_classes=7),
    auxiliary_head=dict(num_classes=7))
