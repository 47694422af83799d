# Convpass parameter-efficient fine-tuning (paper Sec. 4.3.2, Fig. 12.b) of the linear RingMoE-KC (1B)
# classifier on AID: the backbone is frozen, a convolutional bypass beside each block's attention and FFN
# and the linear head train; everything else is the full fine-tuning config. Trainable fraction:
#   python tools/analysis_tools/trainable_params.py \
#       configs/peft/convpass_linear_ringmoe_kc_200e_aid-512x512.py
_base_ = ['../cls/linear_ringmoe_kc_200e_aid-512x512.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmringmoe.Convpass',
        hidden_dims=8,  # Convpass's bottleneck
        scale=0.01,  # s: not stated by the paper (see the README)
        backbone={{_base_.model.backbone}}))
