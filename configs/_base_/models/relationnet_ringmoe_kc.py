# Few-shot scene classification (paper App. B.5.8, Table A4): RelationNet (Sung et al., CVPR 2018) on the
# frozen dense RingMoE-KC (1B). The backbone's last stage (8 x 8 x 3584 at 256 px) is the embedding; a class's
# prototype is the mean of its shots' maps; the relation module scores (prototype, query) pairs. Only the
# relation module trains. Load the merged KS / KA / KC backbone (tools/prune/prune.py --to kc) with
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
model = dict(
    type='mmringmoe.RelationNetClassifier',
    n_way=5,
    k_shot=1,
    feature_index=-1,
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        mean=[123.675, 116.28,
              103.53],  # R, G, B: 8-bit optical, ImageNet's statistics (as for classification)
        std=[58.395, 57.12, 57.375],
        to_rgb=False),  # mmringmoe.LoadRasterImage already gives R, G, B
    backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='1b',
        modality='opt',
        img_size=256,
        # pretraining's windows at 192 px (as in the classification configs); SwinV2 pads the other maps
        window_size=[12, 12, 12, 6],
        pretrained_window_sizes=[12, 12, 12, 6],
        drop_path_rate=0.0,  # frozen: eval mode throughout
        out_indices=(3, )),
    relation=dict(
        type='mmringmoe.RelationModule', in_channels=3584, feat_size=8, mid_channels=64, hidden_dims=8))
