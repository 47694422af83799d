# The height estimation demo (tools/demo/run_demo.py --task height): BinsFormer on a tiny RingMoE-KC, trained
# from scratch on the CPU on generated scenes in ISPRS Vaihingen's layout
# (tools/dataset_converters/make_demo_height_data.py, converted by tools/dataset_converters/isprs_height.py
# into 128 px crops), then evaluated and drawn. The paper's Vaihingen config with a small backbone and head,
# 128 px crops and a short schedule of the same shape (30% linear warm-up, then cosine).
_base_ = ['../height/binsformer_ringmoe-kc_38.4k_vaihingen-512x512.py']
data_root = 'data/demo/vaihingen_height'
channels = 64
max_iters = 300
warmup_iters = 90
model = dict(
    data_preprocessor=dict(size=(128, 128)),
    backbone=dict(arch='tiny', img_size=128, window_size=[8, 8, 8, 4], drop_path_rate=0.0),
    decode_head=dict(
        in_channels=[32, 64, 128, 256],
        channels=channels,
        max_height=20.0,  # the demo's objects stand at most 15 m high
        pixel_decoder=dict(
            _delete_=True,
            num_outs=3,
            norm_cfg=dict(type='GN', num_groups=32),
            act_cfg=dict(type='ReLU'),
            encoder=dict(
                num_layers=2,
                layer_cfg=dict(
                    self_attn_cfg=dict(
                        embed_dims=channels, num_heads=4, num_levels=3, num_points=4, dropout=0.0,
                        batch_first=True),
                    ffn_cfg=dict(
                        embed_dims=channels, feedforward_channels=2 * channels, num_fcs=2, ffn_drop=0.0,
                        act_cfg=dict(type='ReLU', inplace=True)))),
            positional_encoding=dict(num_feats=channels // 2, normalize=True)),
        transformer_decoder=dict(
            _delete_=True,
            return_intermediate=True,
            num_layers=3,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=channels, num_heads=4, dropout=0.0, batch_first=True),
                cross_attn_cfg=dict(embed_dims=channels, num_heads=4, dropout=0.0, batch_first=True),
                ffn_cfg=dict(
                    embed_dims=channels, feedforward_channels=2 * channels, num_fcs=2, ffn_drop=0.0,
                    act_cfg=dict(type='ReLU', inplace=True))),
            init_cfg=None),
        aux_indices=(0, 1)))
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root))
val_dataloader = dict(num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
# From scratch in a few hundred iterations: plain AdamW with a larger learning rate
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.01),
    clip_grad=dict(max_norm=35, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=1 / 25, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', eta_min=1e-3 / 2500, by_epoch=False, begin=warmup_iters, end=max_iters,
         T_max=max_iters - warmup_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=max_iters, save_best=None, max_keep_ckpts=1))
