# RingMOSS-style unpaired multi-modal pretraining data (paper Sec. 3.5, App. B.1 and B.3; spec section 3).
#
# Layout under data_root, as tools/dataset_converters/make_pretrain_tiles.py writes it with
# `--out data/ringmoss/<modality>` (see docs/pretraining.md, "Pretraining data"):
#   <modality>/<modality>.txt              list file, one tile path per line, relative to <modality>/
#   <modality>/<scene>/<scene>_y*_x*.tif   192x192 GeoTIFF tiles
# Normalisation is not here: the SimMIM data preprocessor normalises each modality with its own statistics.
data_root = 'data/ringmoss/'

# Paper App. B.3: random crop of 0.2-1.0 of the tile, resized to 192, horizontal flip. Then masks, which the
# paper does not size: SimMIM's defaults at 192 px (32-px mask patches, ratio 0.6; patch size 4, SwinV2's).
# mmpretrain's RandomResizedCrop and mmcv's RandomFlip (re-exported by mmpretrain) handle float32 images of
# any channel count with bilinear resizing (tests/test_datasets/test_ringmoss_pretrain_config.py checks
# 1, 3, 4 and 8 channels). Not 'area': OpenCV's INTER_AREA rejects more than 4 channels. A 1-channel image
# leaves the resize as H x W; PackInputs restores the channel axis.
# PackInputs: 'mask' is one of its default keys (set as a tensor); listing it in algorithm_keys too would
# overwrite that tensor with the raw numpy array, so algorithm_keys stays empty.
pretrain_transforms = [
    dict(
        type='mmpretrain.RandomResizedCrop',
        scale=192,
        crop_ratio_range=(0.2, 1.0),
        interpolation='bilinear'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(
        type='mmpretrain.SimMIMMaskGenerator',
        input_size=192,
        mask_patch_size=32,
        model_patch_size=4,
        mask_ratio=0.6),
    dict(
        type='mmpretrain.PackInputs',
        meta_keys=('sample_idx', 'img_path', 'ori_shape', 'img_shape', 'flip', 'flip_direction',
                   'modality', 'crs', 'transform')),
]
# SAR-L1 is resized with nearest, not bilinear (the paper does not name the interpolation). Bilinear
# interpolation averages neighbouring complex samples whose speckle phases are independent, so the power of
# an interpolated value is sum(w_i^2) * P instead of P (1/4 of it midway between four pixels): an enlarged
# crop keeps only about half of its power, Eq. 5's target no longer describes the scene, and its statistics
# no longer match the tiles' (tests/test_configs/test_sar_l1_resize_keeps_power.py). Nearest keeps every
# value a measured sample.
sar_l1_transforms = [dict(pretrain_transforms[0], interpolation='nearest')] + pretrain_transforms[1:]

# Opt 3 / MS 4 / SAR-L2 1 channels of 8-bit data; SAR-L1 8 channels (HH, HV, VH, VV real and imaginary)
# kept at 16 bits (a 4-band CInt16 or an 8-band int16 GeoTIFF). Every tile becomes float32 exactly.
# The tiling tool writes every tile in its modality's canonical channel order (CANONICAL_BANDS in
# mmringmoe/models/backbones/arch_zoo.py; --file-channels reorders a scene stored otherwise), which
# file_channels states; tests/test_configs/test_config_band_order.py holds it to CANONICAL_BANDS.
tile_channels = dict(
    opt=('R', 'G', 'B'),
    ms=('B', 'G', 'R', 'NIR'),
    sar_l1=('HH_re', 'HH_im', 'HV_re', 'HV_im', 'VH_re', 'VH_im', 'VV_re', 'VV_im'),
    sar_l2=('amplitude', ))
tile_dataset = dict(type='mmringmoe.ModalityTileDataset', data_root=data_root)
train_dataset = dict(
    type='mmringmoe.MultiModalDataset',
    datasets=dict(
        opt=dict(
            **tile_dataset,
            ann_file='opt/opt.txt',
            data_prefix=dict(img_path='opt/'),
            pipeline=[
                dict(
                    type='mmringmoe.LoadRasterImage',
                    modality='opt',
                    file_channels=tile_channels['opt'],
                    expected_bands=3)
            ] + pretrain_transforms),
        ms=dict(
            **tile_dataset,
            ann_file='ms/ms.txt',
            data_prefix=dict(img_path='ms/'),
            pipeline=[
                dict(
                    type='mmringmoe.LoadRasterImage',
                    modality='ms',
                    file_channels=tile_channels['ms'],
                    expected_bands=4)
            ] + pretrain_transforms),
        sar_l1=dict(
            **tile_dataset,
            ann_file='sar_l1/sar_l1.txt',
            data_prefix=dict(img_path='sar_l1/'),
            pipeline=[
                dict(
                    type='mmringmoe.LoadRasterImage',
                    modality='sar_l1',
                    file_channels=tile_channels['sar_l1'],
                    expected_bands=8)
            ] + sar_l1_transforms),
        sar_l2=dict(
            **tile_dataset,
            ann_file='sar_l2/sar_l2.txt',
            data_prefix=dict(img_path='sar_l2/'),
            pipeline=[
                dict(
                    type='mmringmoe.LoadRasterImage',
                    modality='sar_l2',
                    file_channels=tile_channels['sar_l2'],
                    expected_bands=1)
            ] + pretrain_transforms),
    ))

# Tiles per modality in each batch (per GPU). The paper does not state the mix (RingMOSS itself is 70% Opt)
# nor the batch size; equal shares and SimMIM's 128 per GPU are our choice. Weights that do not sum to
# batch_size are scaled to it.
train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='mmengine.DefaultSampler', shuffle=True),
    batch_sampler=dict(
        type='mmringmoe.ModalityBatchSampler',
        proportions=dict(opt=32, ms=32, sar_l1=32, sar_l2=32)),
    # Items of different modalities have different channel counts: keep them as a list (no stacking).
    collate_fn=dict(type='pseudo_collate'),
    dataset=train_dataset)
