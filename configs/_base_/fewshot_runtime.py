# Runtime of the few-shot scene classification configs (paper App. B.5.8): the project's runtime (exact
# resume, fixed seed), mmpretrain's scope (ClsDataPreprocessor, transforms) and the episodic evaluation: 600
# seeded episodes of the validation (val) or novel (test) classes, each unique image's frozen features
# computed once, reported as the mean accuracy and its 95% interval (fewshot/accuracy, fewshot/ci95). The
# configs set the episode shape (n_way, k_shot, n_query) of val_cfg / test_cfg.
_base_ = ['./default_runtime.py']
default_scope = 'mmpretrain'
visualizer = dict(type='UniversalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
val_cfg = dict(type='mmringmoe.EpisodicValLoop', n_way=5, k_shot=1, n_query=15, num_episodes=600, seed=0)
test_cfg = dict(type='mmringmoe.EpisodicTestLoop', n_way=5, k_shot=1, n_query=15, num_episodes=600, seed=0)
val_evaluator = dict(type='mmringmoe.EpisodeAccuracy')
test_evaluator = val_evaluator
