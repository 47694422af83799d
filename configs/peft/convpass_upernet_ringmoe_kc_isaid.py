# Convpass parameter-efficient fine-tuning (paper Sec. 4.3.2, Fig. 12.b) of UperNet on RingMoE-KC (1B) on
# iSAID: the backbone is frozen, a convolutional bypass beside each block's attention and FFN, UperNet and
# its auxiliary head train (the paper: 7.5% of the parameters, about 80M). Trainable fraction:
#   python tools/analysis_tools/trainable_params.py configs/peft/convpass_upernet_ringmoe_kc_isaid.py
_base_ = ['../seg/upernet_ringmoe_kc_isaid.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmringmoe.Convpass',
        hidden_dims=8,  # Convpass's bottleneck
        scale=0.01,  # s: not stated by the paper (see the README)
        backbone={{_base_.model.backbone}}))
