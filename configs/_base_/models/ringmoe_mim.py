# RingMoE multi-modal SimMIM pretraining (paper Sec. 3.1-3.3, Eq. 5-7; spec section 3): the 1B-arch
# RingMoE (14.7B parameters with its experts) at 192 px, one linear decoder per modality, pixel targets for
# Opt, MS and SAR-L2 and the polarimetric power for SAR-L1.

# Per-modality input statistics, in each modality's canonical channel order (CANONICAL_BANDS in
# mmringmoe/models/backbones/arch_zoo.py; SAR-L1: HH_re, HH_im, HV_re, HV_im, VH_re, VH_im, VV_re, VV_im).
# The paper gives none. Every dataset is normalised with its own statistics; these are the placeholders
# for data whose statistics are not measured yet, and the ONE source of them: a fine-tuning config without
# measured statistics uses the same values for the same modality (tests/test_configs/
# test_config_band_stats.py holds them equal): ImageNet's for the 8-bit RGB, 127.5 / 127.5 (the 8-bit range
# to [-1, 1]) for the other 8-bit bands (MS, SAR-L2), 0 / 500 for the zero-mean 16-bit complex parts of a
# GF-3 SLC (SAR-L1). Replace them with those of your data: python tools/analysis_tools/pretrain_stats.py
# data/ringmoss (the demo config carries the demo set's).
model = dict(
    type='mmringmoe.RingMoESimMIM',
    # Eq. 7's weight of the load-balance loss; not given in the paper, Switch Transformer's 0.01.
    alpha=0.01,
    data_preprocessor=dict(
        type='mmringmoe.MultiModalSelfSupDataPreprocessor',
        mean=dict(
            opt=[123.675, 116.28, 103.53],
            ms=[127.5, 127.5, 127.5, 127.5],
            sar_l1=[0.0] * 8,
            sar_l2=[127.5]),
        std=dict(
            opt=[58.395, 57.12, 57.375],
            ms=[127.5, 127.5, 127.5, 127.5],
            sar_l1=[500.0] * 8,
            sar_l2=[127.5])),
    backbone=dict(
        type='mmringmoe.SimMIMRingMoE',
        arch='1b',
        modalities=['opt', 'ms', 'sar_l1', 'sar_l2'],
        num_specialized_experts=4,
        num_collaborative_experts=4,
        with_shared_expert=True,
        top_k=1,
        noisy_gating=True,
        img_size=192,
        # Not in the paper: 48, 24, 12, 6 tokens per side at 192 px; window 12, the last stage's whole 6 x 6
        # map (mmpretrain's SwinV2 w12 models at 192 px).
        window_size=[12, 12, 12, 6],
        drop_path_rate=0.1,  # not stated; mmpretrain's SimMIM default
        out_indices=(3, )),
    # One 1x1 conv + pixel shuffle per modality; out_channels follow the head's targets (opt 3, ms 4,
    # sar_l1 1 for the power or 8 for pixels, sar_l2 1).
    neck=dict(type='mmringmoe.MultiModalLinearDecoder', in_channels=448 * 2**3, encoder_stride=32),
    head=dict(
        type='mmringmoe.MultiModalMIMHead',
        # Eq. 6: squared error over masked pixels (SimMIM used L1).
        loss=dict(type='mmpretrain.PixelReconstructionLoss', criterion='L2'),
        # Eq. 5. The paper's Table A18 ablation (SAR-L1 pixels instead of power) is
        #   --cfg-options model.head.targets.sar_l1=pixel
        targets=dict(sar_l1='power'),
        # (log(power + eps) - mean) / std; placeholder statistics, see tools/analysis_tools/pretrain_stats.py.
        power_norm=dict(sar_l1=dict(log=True, eps=1.0, mean=12.0, std=2.0))))
