# 200 epochs of CDD's 10000 training pairs at batch 8: 1250 iterations an epoch, 250,000 in all;
# validation and a checkpoint every 10 epochs.
_base_ = ['./cd_adamw-linear.py']
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=1.0, by_epoch=False, begin=0, end=250000)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=250000, val_interval=12500)
default_hooks = dict(checkpoint=dict(interval=12500))
