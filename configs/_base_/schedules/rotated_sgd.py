# Optimizer of the oriented detection configs (paper App. B.5.4): the detection configs' SGD (det_sgd.py: lr
# 0.01, weight decay 0.05 as the paper states it, momentum 0.9), plus mmrotate's gradient clipping for
# Oriented R-CNN (max norm 35; not stated in the paper).
_base_ = ['./det_sgd.py']
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
