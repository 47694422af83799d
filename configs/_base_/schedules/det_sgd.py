# Optimizer of the detection configs (paper App. B.5.4): SGD, lr 0.01, weight decay 0.05 as the paper states
# it (unusually large for SGD, where 1e-4 is the habit; kept as stated). Momentum 0.9 is not stated: mmdet's.
# The schedules built on this file (det_sgd_12e_*.py) count iterations for a total batch of 16 (8 GPUs x 2
# images, mmdet's habit; the paper gives no batch size): scale them if you train with another total batch.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.05),
    # Not stated in the paper: no decay on norms, biases and SwinV2's position/scale parameters, as in the
    # segmentation and classification configs.
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
            'logit_scale': dict(decay_mult=0.0)
        }))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
