"""RingMoE-EP: RingMoE after sparse expert pruning (paper Sec. 3.4.1, App. B.4.1, Eq. 15-16)."""
from typing import Dict, Optional, Sequence, Union

from mmringmoe.registry import MODELS
from mmringmoe.utils.checkpoint_files import CheckpointError
from .arch_zoo import DEFAULT_MODALITIES
from .ringmoe import RingMoE


@MODELS.register_module(name='RingMoE-EP')
class RingMoEEP(RingMoE):
    """A RingMoE whose blocks keep different numbers of collaborative experts, with its expert layout read
    from its checkpoint.

    ``tools/prune/prune_experts.py`` (or ``tools/prune/prune.py --to ep``) writes such a checkpoint and a
    config snippet with the per-block counts. The routers hold exactly the rows of the kept experts, so
    this is a plain :class:`RingMoE` built with ``num_collaborative_experts`` as a list. What this class
    adds: every expert-layout argument left out (``modalities``, ``num_specialized_experts``,
    ``num_collaborative_experts``, ``with_shared_expert``) is read from the tensor shapes of ``init_cfg``'s
    checkpoint, and ``modality`` (one name, as ``mmringmoe.RingMoE-KC`` takes) selects a single modality.
    A downstream config written for RingMoE-KC thus fine-tunes any sparse checkpoint (RingMoE-EP, a
    decomposed RingMoE-Opt, an upcycled RingMoE) by changing the backbone's ``type`` and ``init_cfg``.

    Args:
        arch (str | dict): as :class:`RingMoE`. Defaults to ``'1b'``.
        modalities (dict | Sequence[str], optional): the sub-model's modalities (e.g. ``['opt']`` for
            RingMoE-EP (Opt)). None: ``modality``, else the checkpoint's, else all four.
        modality (str, optional): a single modality, the same as ``modalities=[modality]``.
        in_channels (int, optional): with ``modality``: its channel count, when not the default.
        num_specialized_experts (int, optional): N_S. None: the checkpoint's, else 4.
        num_collaborative_experts (Sequence[int], optional): kept collaborative experts per block, in
            block order. None: the checkpoint's.
        with_shared_expert (bool, optional): None: the checkpoint's, else True.
        **kwargs: the other arguments of :class:`RingMoE`.
    """

    def __init__(self,
                 arch: Union[str, dict] = '1b',
                 modalities: Union[None, Dict[str, int], Sequence[str]] = None,
                 modality: Optional[str] = None,
                 in_channels: Optional[int] = None,
                 num_specialized_experts: Optional[int] = None,
                 num_collaborative_experts: Optional[Sequence[int]] = None,
                 with_shared_expert: Optional[bool] = None,
                 **kwargs) -> None:
        if modality is not None and modalities is not None:
            raise ValueError('RingMoE-EP: give modality (one name) or modalities, not both')
        layout = self._layout_from_checkpoint(kwargs.get('init_cfg'))
        if num_collaborative_experts is None:
            if layout is None:
                raise ValueError('RingMoE-EP: give num_collaborative_experts (one count per block) or '
                                 "init_cfg=dict(type='Pretrained', checkpoint=...) to read them from")
            num_collaborative_experts = list(layout['num_collaborative_experts'])
        if modality is not None:
            if layout is not None and modality not in layout['modalities']:
                raise CheckpointError(f'{kwargs["init_cfg"]["checkpoint"]} has no modality {modality!r} '
                                      f'(it has {list(layout["modalities"])})')
            known = dict(DEFAULT_MODALITIES, **(layout['modalities'] if layout else {}))
            channels = in_channels or known.get(modality)
            if channels is None:
                raise ValueError(f'RingMoE-EP: modality {modality!r} has no default channel count; '
                                 'pass in_channels')
            modalities = {modality: channels}
        elif modalities is None:
            modalities = dict(layout['modalities']) if layout else tuple(DEFAULT_MODALITIES)
        if num_specialized_experts is None:
            num_specialized_experts = layout['num_specialized_experts'] if layout else 4
        if with_shared_expert is None:
            with_shared_expert = layout['with_shared_expert'] if layout else True
        super().__init__(arch=arch,
                         modalities=modalities,
                         num_specialized_experts=num_specialized_experts,
                         num_collaborative_experts=num_collaborative_experts,
                         with_shared_expert=with_shared_expert,
                         **kwargs)

    @staticmethod
    def _layout_from_checkpoint(init_cfg) -> Optional[dict]:
        """The expert layout (see :func:`mmringmoe.pruning.layout.infer_layout`) of the Pretrained checkpoint,
        read from its tensor shapes; None without one."""
        from mmringmoe.pruning.checkpoint_io import CheckpointReader  # the pruning package imports backbones
        from mmringmoe.pruning.layout import infer_layout

        if not (isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained'
                and init_cfg.get('checkpoint')):
            return None
        try:
            prefix = init_cfg.get('prefix') or 'backbone.'
            with CheckpointReader(init_cfg['checkpoint'], prefix=prefix) as reader:
                specs = {k: reader.spec(k) for k in reader.keys()}
            return infer_layout(specs, init_cfg['checkpoint'])
        except ValueError as err:  # unreadable, or not a RingMoE checkpoint (e.g. a dense RingMoE-KC file)
            raise CheckpointError(f'RingMoE-EP: {err}') from err
