"""What ``tools/train.py`` and ``tools/test.py`` check before they build a model: ``--cfg-options`` keys, arch
names and checkpoint files. Each failure is one ``ValueError`` line, raised before any work is done."""
import difflib
from typing import Any, Iterator, Mapping

from mmengine.config import Config

from mmringmoe.models.backbones.arch_zoo import RINGMOE_ARCH_ZOO
from mmringmoe.registry import MODELS
from mmringmoe.utils.checkpoint_files import checkpoint_shapes

# How close a new key must be to an existing one to be taken for a misspelling of it (difflib's ratio):
# 'max_iter' / 'max_iters' 0.94, 'backbon' / 'backbone' 0.93; 'drop_rate' / 'drop_path_rate' (a real
# SwinV2 argument that configs may leave out) 0.78 is accepted as new.
_MISSPELLING = 0.8


def check_cfg_options(cfg: Config, options: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` for a ``--cfg-options`` key that is not the config's and looks like a mistake.

    Each dotted key is walked through the config (list items by index). A key that the config lacks is
    accepted when it is new in an existing dict: a new leaf (``model.backbone.with_cp``), or a new option
    dict under a module's config, i.e. a dict with ``type`` (``model.backbone.init_cfg.checkpoint`` when the
    backbone has no ``init_cfg``). It is refused when it is close to an existing key (a misspelling:
    ``train_cfg.max_iter``, ``model.backbon.arch``; the message names the nearest), or when it would
    create a new intermediate dict anywhere else (``train_cfgs.max_iters``).
    """
    for key in options:
        node: Any = cfg
        parts = key.split('.')
        for depth, part in enumerate(parts):
            parent, here = '.'.join(parts[:depth]), '.'.join(parts[:depth + 1])
            if isinstance(node, (list, tuple)):
                if not part.isdigit() or int(part) >= len(node):
                    raise ValueError(f'{key!r}: {parent} is a list of {len(node)} items; address one as '
                                     f'{parent}.<0..{len(node) - 1}>')
                node = node[int(part)]
                continue
            if not isinstance(node, (dict, Config)):
                raise ValueError(f'{key!r}: {parent} is {node!r} in the config, not a dict')
            if part in node:
                node = node[part]
                continue
            names = [str(name) for name in node.keys()]
            nearest = difflib.get_close_matches(part, names, n=1, cutoff=_MISSPELLING)
            if nearest:
                raise ValueError(f'unknown key {here!r}; did you mean {".".join(parts[:depth] + nearest)!r}?')
            if depth == len(parts) - 1 or 'type' in node:
                break  # a new leaf, or a new option dict of a module (init_cfg)
            suggestion = difflib.get_close_matches(part, names, n=1, cutoff=0.5)
            where = f'{parent} has' if parent else 'the config has'
            raise ValueError(f'unknown key {here!r}: {where} no {part!r}' +
                             (f' (nearest: {".".join(parts[:depth] + suggestion)!r})' if suggestion else ''))


def _module_configs(node: Any) -> Iterator[dict]:
    """Every dict with a ``type`` in a (nested) config."""
    if isinstance(node, dict):
        if 'type' in node:
            yield node
        for value in node.values():
            yield from _module_configs(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _module_configs(value)


def check_archs(cfg: Config) -> None:
    """Raise ``ValueError`` for an ``arch`` name that a RingMoE backbone of ``cfg.model`` does not know,
    listing the archs this project offers (mmpretrain's other SwinV2 sizes are not among them)."""
    for module in _module_configs(cfg.get('model')):
        name = module['type'] if isinstance(module['type'], str) else ''
        backbone = MODELS.module_dict.get(name[len('mmringmoe.'):] if name.startswith('mmringmoe.') else name)
        arch = module.get('arch')
        if not (hasattr(backbone, 'arch_zoo') and isinstance(arch, str)) or arch.lower() in backbone.arch_zoo:
            continue
        nearest = difflib.get_close_matches(arch.lower(), list(RINGMOE_ARCH_ZOO), n=1, cutoff=0.5)
        raise ValueError(f'unknown arch {arch!r} of {name}: choose {", ".join(map(repr, RINGMOE_ARCH_ZOO))} '
                         f'(or a dict of embed_dims, depths, num_heads)' +
                         (f'; did you mean {nearest[0]!r}?' if nearest else ''))


def pretrained_checkpoints(cfg: Config) -> Iterator[str]:
    """The checkpoints of every ``init_cfg=dict(type='Pretrained', checkpoint=...)`` of ``cfg.model``."""
    for module in _module_configs(cfg.get('model')):
        init_cfg = module.get('init_cfg')
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained' and init_cfg.get('checkpoint'):
            yield init_cfg['checkpoint']


def check_checkpoint_file(path: str) -> None:
    """Raise :class:`~mmringmoe.utils.checkpoint_files.CheckpointError` (a ``ValueError``) unless ``path``
    is a readable checkpoint with a state dict; reads the keys and shapes, not the tensor data."""
    if '://' not in path:  # a URL is mmengine's to fetch
        checkpoint_shapes(path)
