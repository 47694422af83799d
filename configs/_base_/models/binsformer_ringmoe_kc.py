# BinsFormer on the dense RingMoE-KC backbone (paper App. B.5.7: "the Binsformer algorithm, utilizing
# RingMoE-Opt (KC) as the backbone network"): mmseg's DepthEstimator with mmringmoe.BinsFormerHead. Load the
# merged RingMoE-KC weights with
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
# The head's sizes follow BinsFormer's reference configs (zhyever/Monocular-Depth-Estimation-Toolbox,
# configs/binsformer/binsformer_swinl_22k_w7_nyu.py): 64 bin queries; a 6-layer deformable-attention encoder
# over the three coarsest scales (8 sampling points, FFN 1024, dropout 0.1); a 9-layer decoder (8 heads,
# FFN 2048); auxiliary losses after decoder layers 3 and 6 (indices 2, 5) weighted 1/4 and 1/2; SiLog with
# weight 10. Width 512, the reference's for its largest (Swin-L) backbone; the paper states none of these.
channels = 512
data_preprocessor = dict(
    type='mmringmoe.MultiBandSegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],  # per band, in the band order of the loading transform
    std=[58.395, 57.12, 57.375],
    size=(512,
          512),  # the converter's crops: nothing to pad; padded label pixels would be left out of the loss
    pad_val=0)
model = dict(
    type='DepthEstimator',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='1b',
        modality='opt',
        img_size=512,
        window_size=[12, 12, 12, 6],  # as in pretraining and the segmentation configs
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.3,  # not stated; the reference's and the segmentation configs'
        out_indices=(0, 1, 2, 3),
        pad_small_map=True),
    decode_head=dict(
        type='mmringmoe.BinsFormerHead',
        in_channels=[448, 896, 1792, 3584],
        channels=channels,
        num_bins=64,
        min_height=0.0,
        max_height=50.0,  # bins span 0-50 m above ground (nDSM); set both for another label (the DSM)
        pixel_decoder=dict(
            num_outs=3,
            norm_cfg=dict(type='GN', num_groups=32),
            act_cfg=dict(type='ReLU'),
            encoder=dict(
                num_layers=6,
                layer_cfg=dict(
                    self_attn_cfg=dict(
                        embed_dims=channels, num_heads=8, num_levels=3, num_points=8, dropout=0.1,
                        batch_first=True),
                    ffn_cfg=dict(
                        embed_dims=channels, feedforward_channels=1024, num_fcs=2, ffn_drop=0.1,
                        act_cfg=dict(type='ReLU', inplace=True)))),
            positional_encoding=dict(num_feats=channels // 2, normalize=True)),
        transformer_decoder=dict(
            return_intermediate=True,
            num_layers=9,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=channels, num_heads=8, dropout=0.0, batch_first=True),
                cross_attn_cfg=dict(embed_dims=channels, num_heads=8, dropout=0.0, batch_first=True),
                ffn_cfg=dict(
                    embed_dims=channels, feedforward_channels=2048, num_fcs=2, ffn_drop=0.0,
                    act_cfg=dict(type='ReLU', inplace=True))),
            init_cfg=None),
        aux_indices=(2, 5),
        aux_weights=(0.25, 0.5),
        # BinsFormer's SiLog (Var(g) + 0.15 mean(g)^2, weight 10); heights below 1 m count as 1 m in its log
        loss_decode=dict(type='mmringmoe.BinsFormerSiLogLoss', loss_weight=10.0, floor=1.0),
        align_corners=True),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
