"""Swin Transformer V2 sizes used by every RingMoE backbone (spec section 1; paper App. B.2).

``tiny`` is a test/demo size of ours; ``base`` is Swin-B (the paper's RingMoE@Swin-88M); ``1b`` is the
paper's model (embed 448, depths [2, 2, 18, 2]; heads are not given in the paper, head dim 32 as in the
other SwinV2 giants gives [14, 28, 56, 112]).
"""
RINGMOE_ARCH_ZOO = {
    'tiny': {'embed_dims': 32, 'depths': [2, 2, 2, 2], 'num_heads': [1, 2, 4, 8],
             'extra_norm_every_n_blocks': 0},
    'base': {'embed_dims': 128, 'depths': [2, 2, 18, 2], 'num_heads': [4, 8, 16, 32],
             'extra_norm_every_n_blocks': 0},
    '1b': {'embed_dims': 448, 'depths': [2, 2, 18, 2], 'num_heads': [14, 28, 56, 112],
           'extra_norm_every_n_blocks': 0},
}  # yapf: disable

# Default modalities and their input channels (spec section 1): Opt RGB, MS 4 bands, SAR-L1 HH/HV/VH/VV as
# real+imag, SAR-L2 amplitude.
DEFAULT_MODALITIES = {'opt': 3, 'ms': 4, 'sar_l1': 8, 'sar_l2': 1}
