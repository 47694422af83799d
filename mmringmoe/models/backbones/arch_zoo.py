"""Swin Transformer V2 sizes and the input channels of every modality (spec section 1; paper App. B.1-B.2).

``tiny`` is a test/demo size of ours; ``base`` is Swin-B (the paper's RingMoE@Swin-88M); ``1b`` is the
paper's model (embed 448, depths [2, 2, 18, 2], App. B.2). Not in the paper, our choices:

- heads of ``1b``: head dim 32 as in the other SwinV2 giants gives [14, 28, 56, 112];
- ``extra_norm_every_n_blocks`` of ``1b``: 6, SwinV2's setting for every size from H (embed 352, 658M)
  up, where it adds a LayerNorm on the main branch every 6 blocks to stabilise the training of large
  models (Liu et al., SwinV2, "model configurations"; mmpretrain's ``huge`` and ``giant``). The 1b's dense
  backbone (1.06B) lies between H and G and its experts make it 14.7B, so it takes the large sizes'
  recipe. Only stage 3 (18 blocks) gets extra norms: 3 LayerNorms, 10,752 parameters. ``tiny`` and
  ``base`` have none, as Swin-T/B.
"""
RINGMOE_ARCH_ZOO = {
    'tiny': {'embed_dims': 32, 'depths': [2, 2, 2, 2], 'num_heads': [1, 2, 4, 8],
             'extra_norm_every_n_blocks': 0},
    'base': {'embed_dims': 128, 'depths': [2, 2, 18, 2], 'num_heads': [4, 8, 16, 32],
             'extra_norm_every_n_blocks': 0},
    '1b': {'embed_dims': 448, 'depths': [2, 2, 18, 2], 'num_heads': [14, 28, 56, 112],
           'extra_norm_every_n_blocks': 6},
}  # yapf: disable

# The one channel order of each modality, the order its patch embedding ``E_e`` is pretrained with and
# every downstream config must feed (``LoadRasterImage(file_channels=...)`` reorders a file to it, and
# ``tools/dataset_converters/make_pretrain_tiles.py`` writes tiles in it). The paper lists the bands, not
# an order; ours:
# - opt: R, G, B (8-bit RGB, App. B.3);
# - ms: B, G, R, NIR, by increasing wavelength: the paper's own listing of RingMOSS' MS bands (App. B.1,
#   "blue, green, red, and near-infrared") and the order GF-1/GF-2 PMS and PlanetFusion (DynamicEarthNet)
#   files store, so neither needs reordering;
# - sar_l1: HH, HV, VH, VV (App. B.1), each as real then imaginary part: a 4-band complex SLC split by
#   LoadRasterImage, or an 8-band int16 file in this order;
# - sar_l2: one amplitude channel (which polarisation is the dataset's; App. B.1 does not say).
# One deliberate exception, the paper's: Potsdam is fed as near-infrared, red, green through the opt
# embedding (App. B.5.2, following RingMo); its config says so with ``channel_order``.
CANONICAL_BANDS = {
    'opt': ('R', 'G', 'B'),
    'ms': ('B', 'G', 'R', 'NIR'),
    'sar_l1': ('HH_re', 'HH_im', 'HV_re', 'HV_im', 'VH_re', 'VH_im', 'VV_re', 'VV_im'),
    'sar_l2': ('amplitude', ),
}

# Default modalities and their input channels: Opt 3, MS 4, SAR-L1 8, SAR-L2 1.
DEFAULT_MODALITIES = {modality: len(channels) for modality, channels in CANONICAL_BANDS.items()}
