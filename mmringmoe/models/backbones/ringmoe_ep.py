"""RingMoE-EP: RingMoE after sparse expert pruning (paper Sec. 3.4.1, App. B.4.1, Eq. 15-16)."""
from typing import Dict, Optional, Sequence, Union

from mmringmoe.registry import MODELS
from .arch_zoo import DEFAULT_MODALITIES
from .ringmoe import RingMoE


@MODELS.register_module(name='RingMoE-EP')
class RingMoEEP(RingMoE):
    """A RingMoE whose blocks keep different numbers of collaborative experts.

    ``tools/prune/prune_experts.py`` (or ``tools/prune/prune.py --to ep``) writes such a checkpoint and a
    config snippet with the per-block counts. The routers hold exactly the rows of the kept experts, so
    this is a plain :class:`RingMoE` built with ``num_collaborative_experts`` as a list; the class adds
    only that the list may be left out and read from the shapes of ``init_cfg``'s checkpoint.

    Args:
        arch (str | dict): as :class:`RingMoE`. Defaults to ``'1b'``.
        modalities (dict | Sequence[str]): the sub-model's modalities (e.g. ``['opt']`` for RingMoE-EP
            (Opt)). Defaults to all four.
        num_collaborative_experts (Sequence[int], optional): kept collaborative experts per block, in
            block order. None: read from ``init_cfg=dict(type='Pretrained', checkpoint=...)``.
        **kwargs: the other arguments of :class:`RingMoE`.
    """

    def __init__(self,
                 arch: Union[str, dict] = '1b',
                 modalities: Union[Dict[str, int], Sequence[str]] = tuple(DEFAULT_MODALITIES),
                 num_collaborative_experts: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        if num_collaborative_experts is None:
            num_collaborative_experts = self._counts_from_checkpoint(kwargs.get('init_cfg'))
        super().__init__(arch=arch,
                         modalities=modalities,
                         num_collaborative_experts=num_collaborative_experts,
                         **kwargs)

    @staticmethod
    def _counts_from_checkpoint(init_cfg) -> list:
        """Collaborative experts per block, from the tensor shapes of the Pretrained checkpoint."""
        from mmringmoe.pruning.checkpoint_io import CheckpointReader  # the pruning package imports backbones
        from mmringmoe.pruning.layout import infer_layout

        if not (isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained'
                and init_cfg.get('checkpoint')):
            raise ValueError('RingMoE-EP: give num_collaborative_experts (one count per block) or '
                             "init_cfg=dict(type='Pretrained', checkpoint=...) to read them from")
        with CheckpointReader(init_cfg['checkpoint'], prefix=init_cfg.get('prefix', 'backbone.')) as reader:
            specs = {k: reader.spec(k) for k in reader.keys()}
        return list(infer_layout(specs, init_cfg['checkpoint'])['num_collaborative_experts'])
