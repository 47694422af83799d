# A tiny two-modality RingMoE pretraining config (the format of configs/pretrain/) for the tools/prune tests:
# the tools read model.backbone (the RingMoE) and model.data_preprocessor (per-modality statistics).
model = dict(
    type='mmringmoe.RingMoESimMIM',
    data_preprocessor=dict(
        type='mmringmoe.MultiModalSelfSupDataPreprocessor',
        mean=dict(opt=[110.0, 120.0, 100.0], sar_l2=[130.0]),
        std=dict(opt=[50.0, 40.0, 40.0], sar_l2=[40.0])),
    backbone=dict(
        type='mmringmoe.SimMIMRingMoE',
        arch='tiny',
        modalities=['opt', 'sar_l2'],
        num_specialized_experts=4,
        num_collaborative_experts=4,
        with_shared_expert=True,
        top_k=1,
        noisy_gating=True,
        img_size=64,
        window_size=[4, 4, 4, 2],
        drop_path_rate=0.1,
        out_indices=(3, )),
    neck=dict(type='mmringmoe.MultiModalLinearDecoder', in_channels=32 * 2**3, encoder_stride=32),
    head=dict(
        type='mmringmoe.MultiModalMIMHead',
        loss=dict(type='mmpretrain.PixelReconstructionLoss', criterion='L2')))
