# RingMOSS-style unpaired multi-modal pretraining data (paper Sec. 3.5, App. B.1 and B.3; spec section 3).
#
# Layout under data_root, as tools/dataset_converters/make_pretrain_tiles.py writes it with
# `--out data/ringmoss/<modality>` (see docs/readme/pretrain_data.md):
#   <modality>/<modality>.txt              list file, one tile path per line, relative to <modality>/
#   <modality>/<scene>/<scene>_y*_x*.tif   192x192 GeoTIFF tiles
# Normalisation is not here: the SimMIM data preprocessor normalises each modality with its own statistics.
data_root = 'data/ringmoss/'

# Paper App. B.3: random crop of 0.2-1.0 of the tile, resized to 192, horizontal flip; then SimMIM masks
# (192 input, 32-px mask patches, patch size 4, ratio 0.6; spec section 3).
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

# Opt 3 / MS 4 / SAR-L2 1 channels of 8-bit data; SAR-L1 8 channels (HH, HV, VH, VV real and imaginary)
# kept at 16 bits (a 4-band CInt16 or an 8-band int16 GeoTIFF). Every tile becomes float32 exactly.
tile_dataset = dict(type='mmringmoe.ModalityTileDataset', data_root=data_root)
train_dataset = dict(
    type='mmringmoe.MultiModalDataset',
    datasets=dict(
        opt=dict(
            **tile_dataset,
            ann_file='opt/opt.txt',
            data_prefix=dict(img_path='opt/'),
            pipeline=[dict(type='mmringmoe.LoadRasterImage', expected_bands=3)] + pretrain_transforms),
        ms=dict(
            **tile_dataset,
            ann_file='ms/ms.txt',
            data_prefix=dict(img_path='ms/'),
            pipeline=[dict(type='mmringmoe.LoadRasterImage', expected_bands=4)] + pretrain_transforms),
        sar_l1=dict(
            **tile_dataset,
            ann_file='sar_l1/sar_l1.txt',
            data_prefix=dict(img_path='sar_l1/'),
            pipeline=[dict(type='mmringmoe.LoadRasterImage', expected_bands=8)] + pretrain_transforms),
        sar_l2=dict(
            **tile_dataset,
            ann_file='sar_l2/sar_l2.txt',
            data_prefix=dict(img_path='sar_l2/'),
            pipeline=[dict(type='mmringmoe.LoadRasterImage', expected_bands=1)] + pretrain_transforms),
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
