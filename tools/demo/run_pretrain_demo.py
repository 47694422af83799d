"""The pretraining demo: RingMoE's multi-modal SimMIM on synthetic Opt, MS, SAR-L1 and SAR-L2 tiles, on the
CPU in about two minutes, with no download.

    python tools/demo/run_pretrain_demo.py
    python tools/demo/run_pretrain_demo.py --iters 60 --work-dir /tmp/pretrain_demo

1. Generates the demo set (``tools/dataset_converters/make_demo_pretrain_data.py``) in ``--data`` if its list
   files are missing.
2. Trains ``configs/pretrain/ringmoe-mim_tiny_demo.py`` (tiny RingMoE, 64 px, 2 tiles of each modality per
   batch, 400 iterations) with mmengine's Runner into ``--work-dir``.
3. Scores each modality's reconstruction (Eq. 6) on ``--eval-batches`` new batches of the same pipeline
   against its mean-predictor baseline (Eq. 6 when every masked pixel is predicted by the mean target, on the
   same pixels) and prints both with their ratio, next to the training loss averaged over the first 10 and
   the last ``--last`` iterations (and the same for the total loss, Eq. 7). A ratio below 1 means the model
   inferred something about the masked patches from the visible ones. Exits non-zero if the total loss did
   not fall, and, with ``--max-ratio R``, if a modality's ratio is not below R.

The bar of docs/pretraining.md ("Does every modality learn?"):

    python tools/demo/run_pretrain_demo.py --eval-batches 200 --max-ratio 0.9
"""
import argparse
import itertools
import os.path as osp
import sys
from typing import Dict, List, Optional, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)  # run from a checkout

import mmringmoe  # noqa: E402,F401  (import shims, registries)
import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner, set_random_seed  # noqa: E402

from mmringmoe.engine.runner_setup import build_runner  # noqa: E402
from mmringmoe.utils.scripts import load_script  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402

CONFIG = osp.join(ROOT, 'configs', 'pretrain', 'ringmoe-mim_tiny_demo.py')
WORK_DIR = 'work_dirs/pretrain_demo'  # its own: the segmentation demos write into work_dirs/demo*
WINDOW = 10


def make_demo_data(out: str, modalities: List[str]) -> None:
    """Run ``make_demo_pretrain_data.py --out OUT`` unless every modality's list file is there."""
    if all(osp.isfile(osp.join(out, m, f'{m}.txt')) for m in modalities):
        return
    path = osp.join(ROOT, 'tools', 'dataset_converters', 'make_demo_pretrain_data.py')
    sys.path.insert(0, osp.dirname(path))  # it imports its sibling make_pretrain_tiles
    if load_script(path).main(['--out', out]) != 0:
        sys.exit('run_pretrain_demo: making the demo data failed')


def loss_history(runner) -> Dict[str, List[float]]:
    """Every iteration's logged losses (mmengine's message hub keeps the whole history)."""
    history = {}
    for key, buffer in runner.message_hub.log_scalars.items():
        if key.startswith('train/') and 'loss' in key:
            history[key[len('train/'):]] = [float(v) for v in buffer.data[0]]
    return history


def score_against_baseline(model: torch.nn.Module, cfg: Config, batches: int,
                           seed: int = 1) -> Dict[str, Tuple[float, float]]:
    """Eq. 6 per modality of ``model`` and of the mean predictor, on the same ``batches`` batches of ``cfg``'s
    training pipeline (its crops, flips, masks, normalisation and targets, drawn with ``seed``).

    The mean predictor predicts every masked pixel by the mean target (per target channel, over all the
    masked pixels of these batches); its loss is the target's variance over the masked pixels, averaged
    over the target channels: about 1 for a target normalised with the statistics of what the pipeline
    produces. A model below it has inferred something about the masked patches from the visible ones.
    Both are scored on the same pixels, so tiles that are hard for both (e.g. with nodata pixels, whose
    SAR-L1 log-power target lies far below the rest) weigh on both alike.

    Returns:
        ``{modality: (model's loss, mean predictor's loss)}``, each pooled over all masked pixels.
    """
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    set_random_seed(seed)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=seed)
    head = model.head
    errors: Dict[str, Tuple[int, float]] = {}  # modality -> (masked elements, the model's squared error)
    moments: Dict[str, Tuple] = {}  # modality -> (masked pixels, per-channel sum, per-channel sum of squares)
    training = model.training
    model.eval()
    with torch.no_grad():
        for data in itertools.islice(loader, batches):
            batch = model.data_preprocessor(data)
            losses = model.loss(batch['inputs'], batch['data_samples'])
            elements: Dict[str, int] = {}
            for img, sample in zip(batch['inputs'], batch['data_samples']):
                modality = sample.metainfo['modality']
                target = head.target(modality, img[None], sample.raw_img[None]).double()
                masked = head.pixel_mask(sample.mask[None], target).bool()
                values = target[masked].view(target.shape[1], -1)  # [C, masked pixels]
                pixels, total, total_sq = moments.get(modality, (0, 0., 0.))
                moments[modality] = (pixels + values.shape[1], total + values.sum(dim=1),
                                     total_sq + (values**2).sum(dim=1))
                elements[modality] = elements.get(modality, 0) + values.numel()
            for modality, count in elements.items():  # the batch's loss is a mean over its masked elements
                seen, error = errors.get(modality, (0, 0.))
                errors[modality] = (seen + count, error + float(losses[f'loss_rec_{modality}']) * count)
    model.train(training)
    return {
        modality: (errors[modality][1] / errors[modality][0],
                   float((total_sq / pixels - (total / pixels)**2).mean()))
        for modality, (pixels, total, total_sq) in moments.items()
    }


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', default=CONFIG, help='pretraining config (default: the tiny demo)')
    parser.add_argument('--data', default='data/demo_pretrain',
                        help='demo data folder (default: data/demo_pretrain)')
    parser.add_argument('--work-dir', default=WORK_DIR, help=f'logs and checkpoints (default: {WORK_DIR})')
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations (default: the config\'s)')
    parser.add_argument('--last', type=int, default=WINDOW,
                        help=f'iterations at the end whose losses are averaged (default: {WINDOW})')
    parser.add_argument('--eval-batches', type=int, default=50,
                        help='batches the trained model and the mean predictor are scored on (default: 50)')
    parser.add_argument('--max-ratio', type=float, default=None,
                        help='exit non-zero unless every modality\'s reconstruction loss is below this '
                        'fraction of its mean-predictor baseline (default: no check)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config keys, e.g. model.alpha=0')
    args = parser.parse_args(argv)
    if not osp.isfile(args.config):
        parser.error(f'config not found: {args.config}')
    if args.iters is not None and args.iters < 2 * WINDOW:
        parser.error(f'--iters must be at least {2 * WINDOW} (first and last {WINDOW} are compared)')
    if args.last < 1 or args.eval_batches < 1:
        parser.error('--last and --eval-batches must be positive')
    if args.iters is not None and args.last > args.iters:
        parser.error(f'--last {args.last} is more than --iters {args.iters}')
    if args.max_ratio is not None and not args.max_ratio > 0:
        parser.error('--max-ratio must be positive')
    return args


def mean(values: List[float]) -> float:
    return sum(values) / len(values)


def report(history: Dict[str, List[float]], scores: Dict[str, Tuple[float, float]], last: int,
           max_ratio: Optional[float] = None) -> str:
    """Print each modality's scores (mean-predictor baseline, model, their ratio) and its training loss
    averaged over the first ``WINDOW`` and the last ``last`` iterations, then the total loss's; return what
    fails the demo ('' if nothing): a total loss that did not fall, or (with ``max_ratio``) modalities whose
    model/baseline ratio is not below ``max_ratio``."""
    print(f'  {"":20s} {"baseline":>8s} {"model":>8s} {"ratio":>6s}   training: {f"first {WINDOW}":>9s} '
          f'{f"last {last}":>9s}')
    above = []
    for modality in sorted(scores):
        model_loss, baseline = scores[modality]
        ratio = model_loss / baseline
        values = history[f'loss_rec_{modality}']
        print(f'  loss_rec_{modality:<11s} {baseline:8.4f} {model_loss:8.4f} {ratio:6.2f}   {"":9s} '
              f'{mean(values[:WINDOW]):9.4f} {mean(values[-last:]):9.4f}')
        if max_ratio is not None and not ratio < max_ratio:
            above.append(f'{modality} {ratio:.2f}')
    first, final = mean(history['loss'][:WINDOW]), mean(history['loss'][-last:])
    print(f'  {"loss (Eq. 7)":<20s} {"":8s} {"":8s} {"":6s}   {"":9s} {first:9.4f} {final:9.4f}')
    if not final < first:
        return f'the loss did not fall ({first:.4f} -> {final:.4f})'
    if above:
        return f'reconstruction not below {max_ratio} x the mean-predictor baseline: {", ".join(above)}'
    return ''


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    datasets = cfg.train_dataloader.dataset.datasets
    print(f'[1/3] demo data in {args.data}')
    make_demo_data(args.data, list(datasets))
    for dataset in datasets.values():
        dataset.data_root = args.data
    if args.iters is not None:
        cfg.train_cfg.max_iters = args.iters
        cfg.param_scheduler[-1].end = args.iters
    if args.last > cfg.train_cfg.max_iters:
        sys.exit(f'run_pretrain_demo: --last {args.last} is more than the config\'s '
                 f'{cfg.train_cfg.max_iters} iterations')
    cfg.work_dir = args.work_dir
    cfg.launcher = 'none'
    print(f'[2/3] training {osp.basename(args.config)} for {cfg.train_cfg.max_iters} iterations '
          f'(log in {args.work_dir})')
    runner = build_runner(cfg)
    runner.train()

    print(f'[3/3] Eq. 6 per modality on {args.eval_batches} new batches of the same pipeline, of the mean '
          f'predictor (baseline) and of the trained model; the mean training loss of the first {WINDOW} and '
          f'the last {args.last} iterations:')
    scores = score_against_baseline(runner.model, cfg, args.eval_batches)
    problems = report(loss_history(runner), scores, args.last, args.max_ratio)
    if problems:
        sys.exit(f'run_pretrain_demo: {problems}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
