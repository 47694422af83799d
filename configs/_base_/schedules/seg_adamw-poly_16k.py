# The schedule of seg_adamw-poly_80k.py over 16k iterations (Dyna.-pla, paper App. B.5.2).
_base_ = ['./seg_adamw-poly_80k.py']
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=1e-6, power=1.0, by_epoch=False, begin=1500, end=16000)
]
train_cfg = dict(max_iters=16000, val_interval=1600)
default_hooks = dict(checkpoint=dict(interval=1600))
