# 200 epochs of LEVIR-CD's 445 x 16 = 7120 training slices at batch 8: 890 iterations an epoch, 178,000 in
# all; validation and a checkpoint every 10 epochs.
_base_ = ['./cd_adamw-linear.py']
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=1.0, by_epoch=False, begin=0, end=178000)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=178000, val_interval=8900)
default_hooks = dict(checkpoint=dict(interval=8900))
