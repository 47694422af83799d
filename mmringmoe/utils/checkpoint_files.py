"""Reading checkpoint files safely, and comparing their keys with a model's, with one-line errors.

Every loader of the project goes through :func:`read_checkpoint` (``torch.load`` with ``weights_only=True``,
which :mod:`.checkpoint_globals` lets read mmengine checkpoints): a file that is not a checkpoint is reported
as such, never with torch's advice to re-run with ``weights_only=False`` (unsafe, and useless for a file
that is not a checkpoint). :func:`compare_keys` and :func:`likely_cause` say how a checkpoint fits a model:
how many keys match, the first few that do not, and the usual reason (a backbone file where a whole model
is expected, a prefix, a pretraining checkpoint, a fusion checkpoint on a single model, another arch).
"""
import os.path as osp
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import torch

# SwinV2 re-creates these buffers from its window size (its load hook drops them): never compared.
POSITION_BUFFERS = ('relative_position_index', 'relative_coords_table')
# The pickled magic number that starts a checkpoint of torch's legacy (pre-zip) format.
_LEGACY_MAGIC = b'\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.'
_UNSUPPORTED_GLOBAL = re.compile(r'Unsupported global: GLOBAL (\S+)')
_SPARSE_FFN = re.compile(r'\.ffn\.(specialized_experts|collaborative_experts|shared_expert|'
                         r'specialized_routers|collaborative_router)\.')
_DENSE_FFN = re.compile(r'\.ffn\.layers\.')
_SHOWN = 3  # keys shown per kind in a message

Shapes = Mapping[str, Tuple[int, ...]]


class CheckpointError(ValueError):
    """A checkpoint that cannot be read, or does not fit; the message is one line that names the file."""


def is_position_buffer(key: str) -> bool:
    """Whether ``key`` is one of SwinV2's re-created position buffers."""
    return key.rsplit('.', 1)[-1] in POSITION_BUFFERS


def describe_load_error(path: str, err: BaseException) -> str:
    """One line saying why ``torch.load`` failed on ``path``, from the file itself (not torch's advice)."""
    with open(path, 'rb') as f:
        head = f.read(len(_LEGACY_MAGIC))
    if not head:
        return f'{path}: an empty file, not a PyTorch checkpoint'
    if head.startswith(b'PK\x03\x04'):  # a zip archive: torch's format since 1.6
        if not zipfile.is_zipfile(path):
            return f'{path}: a truncated or corrupt PyTorch checkpoint (its zip archive is incomplete)'
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        if not any(name.endswith('data.pkl') for name in names):
            return f'{path}: a zip archive, not a PyTorch checkpoint'
        unsupported = _UNSUPPORTED_GLOBAL.search(str(err))
        if unsupported:
            return (f'{path}: holds a {unsupported.group(1)} object, which safe loading (weights_only) '
                    'refuses: a checkpoint must hold tensors and plain data (as mmengine saves)')
        return f'{path}: a corrupt PyTorch checkpoint ({type(err).__name__})'
    if head == _LEGACY_MAGIC:
        return f'{path}: a truncated or corrupt PyTorch checkpoint (legacy format)'
    return f'{path}: not a PyTorch checkpoint'


def read_checkpoint(path: str, map_location: Any = 'cpu') -> Any:
    """``torch.load(path, weights_only=True)``, or mmengine's loader for a URL.

    ``map_location='meta'`` reads the keys and shapes only (no tensor data): a quick check of a large file.

    Raises:
        CheckpointError: missing file, or not a readable checkpoint (one line).
    """
    if '://' in path:  # http(s)://, open-mmlab://, torchvision://, s3://...
        from mmengine.runner.checkpoint import CheckpointLoader
        return CheckpointLoader.load_checkpoint(path, map_location=map_location)
    if not osp.isfile(path):
        raise CheckpointError(f'{path}: no such checkpoint file')
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError, RuntimeError, EOFError, KeyError, IndexError...
        raise CheckpointError(describe_load_error(path, err)) from err


def state_dict_of(checkpoint: Any, path: str) -> Dict[str, torch.Tensor]:
    """The tensors of ``checkpoint['state_dict']`` (mmengine's layout), or of the checkpoint itself."""
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        state = {}
    tensors = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise CheckpointError(f'{path}: a PyTorch file without a state dict of tensors')
    return tensors


def checkpoint_shapes(path: str) -> Dict[str, Tuple[int, ...]]:
    """``{key: shape}`` of the state dict of the checkpoint ``path``, read without the tensor data."""
    return shapes_of(state_dict_of(read_checkpoint(path, map_location='meta'), path))


def shapes_of(state: Mapping[str, torch.Tensor]) -> Dict[str, Tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in state.items()}


def strip_prefix(state: Mapping[str, Any], prefix: Optional[str]) -> Dict[str, Any]:
    """The keys under ``prefix`` without it when some key has it (a whole model's ``backbone.``), else all
    keys as they are (a backbone file). Both layouts thus load with or without ``prefix``."""
    if prefix and any(k.startswith(prefix) for k in state):
        return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    return dict(state)


@dataclass
class KeyFit:
    """How the keys of a checkpoint fit a model (position buffers left out).

    Attributes:
        matched: keys in both, with the same shape.
        missing: the model's keys that the checkpoint lacks.
        unexpected: the checkpoint's keys that the model lacks.
        mismatched: ``(key, checkpoint shape, model shape)`` of keys in both with different shapes.
    """
    matched: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    mismatched: List[Tuple[str, Tuple[int, ...], Tuple[int, ...]]] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    @property
    def num_model_keys(self) -> int:
        return len(self.matched) + len(self.missing) + len(self.mismatched)

    def summary(self) -> str:
        """``12 of 250 model keys match; 238 missing (a, b, c, ...); ...`` on one line."""
        parts = [f'{len(self.matched)} of {self.num_model_keys} model keys match']
        if self.missing:
            parts.append(f'{len(self.missing)} missing ({_first(self.missing)})')
        if self.unexpected:
            parts.append(f'{len(self.unexpected)} unexpected ({_first(self.unexpected)})')
        if self.mismatched:
            shown = ', '.join(f'{k}: {list(a)} in the file, {list(b)} in the model'
                              for k, a, b in self.mismatched[:_SHOWN])
            more = ', ...' if len(self.mismatched) > _SHOWN else ''
            parts.append(f'{len(self.mismatched)} of another shape ({shown}{more})')
        return '; '.join(parts)


def _first(keys: Sequence[str]) -> str:
    return ', '.join(keys[:_SHOWN]) + (', ...' if len(keys) > _SHOWN else '')


def compare_keys(model: Shapes, checkpoint: Shapes) -> KeyFit:
    """The :class:`KeyFit` of checkpoint shapes ``checkpoint`` on model shapes ``model``."""
    fit = KeyFit()
    for key, shape in model.items():
        if is_position_buffer(key):
            continue
        if key not in checkpoint:
            fit.missing.append(key)
        elif tuple(checkpoint[key]) != tuple(shape):
            fit.mismatched.append((key, tuple(checkpoint[key]), tuple(shape)))
        else:
            fit.matched.append(key)
    fit.unexpected = [k for k in checkpoint if k not in model and not is_position_buffer(k)]
    return fit


def _prefix_fix(model: Iterable[str], checkpoint: Iterable[str]) -> Tuple[str, str, int]:
    """The prefix that, added to or stripped from the checkpoint's keys, matches the most model keys:
    ``('add' | 'strip', prefix, matches)``."""
    model, checkpoint = set(model), list(checkpoint)
    best = ('', '', 0)
    for prefix in {k.split('.', 1)[0] + '.' for k in model if '.' in k}:
        count = sum(prefix + k in model for k in checkpoint)
        best = max(best, ('add', prefix, count), key=lambda b: b[2])
    for prefix in {k.split('.', 1)[0] + '.' for k in checkpoint if '.' in k}:
        count = sum(k.startswith(prefix) and k[len(prefix):] in model for k in checkpoint)
        best = max(best, ('strip', prefix, count), key=lambda b: b[2])
    return best


def likely_cause(model: Shapes, checkpoint: Shapes, fit: KeyFit) -> Optional[str]:
    """The usual reason why ``checkpoint`` does not fit ``model``, as advice, or None if none applies."""
    model_top = {k.split('.', 1)[0] for k in model}
    ckpt_top = {k.split('.', 1)[0] for k in checkpoint}
    sparse_ckpt = any(_SPARSE_FFN.search(k) for k in checkpoint)
    sparse_model = any(_SPARSE_FFN.search(k) for k in model)
    dense_model = any(_DENSE_FFN.search(k) for k in model)
    pretraining = 'backbone.mask_token' in checkpoint or ('neck' in ckpt_top and 'neck' not in model_top)
    if sparse_ckpt and pretraining:
        return ('a RingMoE pretraining checkpoint (SimMIM backbone and decoders): compress it with '
                'tools/prune/prune.py (--to kc or --to ep) and fine-tune from the result with '
                'model.backbone.init_cfg')
    how, prefix, count = _prefix_fix(model, checkpoint)
    if count > len(fit.matched):
        if how == 'add' and prefix == 'backbone.':
            return ("a backbone file (keys without 'backbone.', as tools/prune/prune.py and "
                    'tools/model_converters/upcycle_swinv2.py write) where a whole model is expected: '
                    'fine-tune from it with --cfg-options model.backbone.init_cfg.type=Pretrained '
                    'model.backbone.init_cfg.checkpoint=CKPT')
        return (f"the file's keys lack the prefix {prefix!r}" if how == 'add' else
                f"the file's keys carry the prefix {prefix!r} that the model's keys do not")
    if sparse_ckpt and dense_model and not sparse_model:
        return ('a sparse RingMoE checkpoint (experts in every block) on a dense RingMoE-KC model: merge it '
                'first with tools/prune/prune.py --to kc, or use a sparse backbone (mmringmoe.RingMoE-EP)')
    if sparse_model and not sparse_ckpt and any(_DENSE_FFN.search(k) for k in checkpoint):
        return ('a dense (RingMoE-KC / SwinV2) checkpoint on a sparse RingMoE model: use '
                'mmringmoe.RingMoE-KC, or upcycle it with tools/model_converters/upcycle_swinv2.py')
    extra, lacking = sorted(ckpt_top - model_top), sorted(model_top - ckpt_top)
    if {'second_backbone', 'fusion'} & set(extra):
        return 'a two-backbone (optical + SAR fusion) checkpoint on a single-backbone config'
    if {'second_backbone', 'fusion'} & set(lacking):
        return 'a single-backbone checkpoint on a two-backbone (optical + SAR fusion) config'
    if extra or lacking:
        where = ([f'{", ".join(extra)} only in the file'] if extra else []) + (
            [f'{", ".join(lacking)} only in the model'] if lacking else [])
        return f'a checkpoint of another model (modules {"; ".join(where)})'
    if fit.mismatched:
        return ('the same modules with other shapes: another arch, input channels (modality) or number of '
                'classes')
    return None


def fit_message(path: str, what: str, model: Shapes, checkpoint: Shapes, fit: KeyFit) -> str:
    """``PATH does not fit WHAT: <summary>; likely cause: <cause>`` on one line."""
    cause = likely_cause(model, checkpoint, fit)
    return f'{path} does not fit {what}: {fit.summary()}' + (f'; likely cause: {cause}' if cause else '')
