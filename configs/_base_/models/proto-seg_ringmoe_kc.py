# 1-shot segmentation on a frozen RingMoE-KC (paper App. B.5.8): masked average pooling of the support
# features gives foreground and background prototypes, the cosine similarity of each query feature to them
# (times a scale) is the prediction. The backbone never trains; the 1 x 1 projection and the scale are what
# the 60 epochs on the base classes train (the paper does not say which parts train: README, "Where the
# paper is silent"). Load the merged RingMoE-KC weights with
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
# custom_imports (mmringmoe) comes with the runtime, configs/_base_/default_runtime.py.
mean = [123.675, 116.28, 103.53]  # R, G, B
std = [58.395, 57.12, 57.375]
model = dict(
    type='mmringmoe.PrototypeFewShotSegmentor',
    # the support and the query image are stacked channel-wise: the RGB statistics twice
    data_preprocessor=dict(
        type='mmringmoe.MultiBandSegDataPreProcessor', mean=mean * 2, std=std * 2, pad_val=0, seg_pad_val=255),
    backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='1b',
        modality='opt',
        img_size=256,
        window_size=[12, 12, 12, 6],  # the pretraining windows (see upernet_ringmoe_kc.py)
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.0,
        out_indices=(2, ),  # stride 16: 16 x 16 cells at 256 px, 24 x 24 at 384 px
        frozen_stages=3,
        pad_small_map=True),
    in_channels=1792,  # stage 3 of the 1b arch
    in_index=(0, ),
    channels=512,
    scale=10.0,
    learn_scale=True)
