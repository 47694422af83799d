"""Peak memory of the tools/prune conversions against the size of the checkpoint they convert.

    python benchmarks/bench_convert.py                       # base arch, 4 modalities: a 4.8 GB checkpoint
    python benchmarks/bench_convert.py --work-dir /data/b    # keep the generated checkpoint there for reruns
    python benchmarks/bench_convert.py --naive               # also time a plain torch.load of the checkpoint

A full RingMoE checkpoint of ``--arch`` (every modality, 4 + 4 x 4 + 1 experts per block) is generated with
random weights of the right shapes, itself written tensor by tensor (the generator holds one tensor), in
the layout of a pretraining checkpoint (``state_dict`` with ``backbone.`` keys, a ``meta``). Then each tool
runs in a fresh subprocess: extract_modality (RingMoE-Opt), prune_experts (RingMoE-EP top 25%, on synthetic
statistics), merge_experts ks and kc (the SVD path). For each: wall time, the process's peak RSS (its
``VmHWM``), that peak as a fraction of the checkpoint size, and the same for the peak above the RSS of a
process that only imports the tools (Python + torch + the OpenMMLab stack). Target (the pruning issue):
peak under 25% of the checkpoint size.
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

import mmringmoe  # noqa: E402,F401
from mmringmoe.models.backbones import RingMoE  # noqa: E402
from mmringmoe.models.utils import meta_device  # noqa: E402
from mmringmoe.pruning import (CheckpointWriter, TensorSpec, build_expert_stats,  # noqa: E402
                               save_expert_stats)
from mmringmoe.pruning.frequencies import layer_names  # noqa: E402

WINDOWS = [12, 12, 12, 6]  # the pretraining configs' windows at 192 px
# Each run is this launcher: it runs a tool (or code) and writes its own VmHWM, the peak RSS of its address
# space since exec. (A child's rusage is no use here: Linux counts the parent's RSS at fork into ru_maxrss.)
LAUNCHER = """
import atexit, os, runpy, sys
def report():
    with open('/proc/self/status') as status:
        peak = next(line for line in status if line.startswith('VmHWM:')).split()[1]
    with open(os.environ['BENCH_PEAK_FILE'], 'w') as out:
        out.write(peak)
atexit.register(report)
sys.path.insert(0, {root!r})
if sys.argv[1] == '--code':
    exec(sys.argv[2])
else:
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name='__main__')
"""
IMPORTS = 'import mmringmoe, mmringmoe.pruning, mmringmoe.pruning.pipeline'


def generate(path: str, arch: str) -> int:
    """Write a random full RingMoE checkpoint of ``arch``; return the number of backbone parameters."""
    with meta_device():
        model = RingMoE(arch=arch, window_size=WINDOWS)
    state = model.state_dict()
    plan = {f'backbone.{k}': TensorSpec(tuple(v.shape), v.dtype) for k, v in state.items()}
    generator = torch.Generator().manual_seed(0)
    with CheckpointWriter(path, plan, {'epoch': 1, 'note': 'bench_convert random weights'}) as writer:
        for key, spec in plan.items():
            if spec.dtype.is_floating_point:
                tensor = torch.randn(spec.shape, generator=generator, dtype=spec.dtype).mul_(0.02)
            else:
                tensor = torch.zeros(spec.shape, dtype=spec.dtype)
            writer.write(key, tensor)
    return sum(p.numel() for p in model.parameters())


def synthetic_stats(path: str, arch: str) -> None:
    """Routing statistics for modality opt, random counts, in the checkpoint's layer layout."""
    with meta_device():
        model = RingMoE(arch=arch)
    generator = torch.Generator().manual_seed(1)
    counts = [{
        kind: torch.randint(0, 1000, (4, 4), generator=generator)
        for kind in ('collaborative', 'specialized')
    } for _ in model.rmoe_layers]
    stats = build_expert_stats(layer_names(model),
                               counts, ['opt'],
                               model.modalities,
                               1, {'opt': 1000},
                               note='bench_convert synthetic')
    save_expert_stats(stats, path)


def measure(argv, cwd: str):
    """Run ``LAUNCHER argv``; return (seconds, peak RSS in bytes)."""
    peak_file = osp.join(cwd, '.peak_rss_kb')
    start = time.perf_counter()
    process = subprocess.run([sys.executable, '-c', LAUNCHER.format(root=ROOT)] + argv,
                             cwd=cwd,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE,
                             env=dict(os.environ,
                                      BENCH_PEAK_FILE=peak_file,
                                      OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1')))
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f'bench_convert: {" ".join(argv)} failed:\n{process.stderr.decode()[-2000:]}')
    with open(peak_file) as f:
        peak = int(f.read()) * 1024
    os.remove(peak_file)
    return seconds, peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--arch', default='base', choices=['tiny', 'base', '1b'])
    parser.add_argument('--work-dir',
                        help='where to generate (and keep) the checkpoint; default a temporary folder')
    parser.add_argument('--naive',
                        action='store_true',
                        help='also measure torch.load of the whole checkpoint')
    args = parser.parse_args(argv)
    work = args.work_dir or tempfile.mkdtemp(prefix='bench_convert_')
    os.makedirs(work, exist_ok=True)
    checkpoint = osp.join(work, f'ringmoe_{args.arch}_full.pth')
    config = osp.join(work, f'ringmoe_{args.arch}.py')
    stats = osp.join(work, 'stats_opt.json')
    if not osp.exists(checkpoint):
        start = time.perf_counter()
        count = generate(checkpoint, args.arch)
        print(f'generated {checkpoint}: {count:,} parameters in {time.perf_counter() - start:.0f} s')
    if not osp.exists(stats):
        synthetic_stats(stats, args.arch)
    with open(config, 'w') as f:
        f.write(
            f"model = dict(backbone=dict(type='mmringmoe.SimMIMRingMoE', arch={args.arch!r}, img_size=192, "
            f"window_size={WINDOWS}))\n")
    size = osp.getsize(checkpoint)
    tools = osp.join(ROOT, 'tools', 'prune')
    runs = [
        ('imports only', ['--code', IMPORTS]),
        ('extract_modality opt',
         [osp.join(tools, 'extract_modality.py'), config, checkpoint, '--modality', 'opt', '--out', '{out}']),
        ('prune_experts opt top25', [
            osp.join(tools, 'prune_experts.py'), config, checkpoint, '--stats', stats, '--modality', 'opt',
            '--out', '{out}'
        ]),
        ('merge_experts ks', [
            osp.join(tools, 'merge_experts.py'), config, checkpoint, '--modality', 'opt', '--method', 'ks',
            '--out', '{out}'
        ]),
        ('merge_experts kc', [
            osp.join(tools, 'merge_experts.py'), config, checkpoint, '--modality', 'opt', '--method', 'kc',
            '--out', '{out}'
        ]),
    ]
    if args.naive:
        runs.append(('torch.load (naive)', [
            '--code', f'import torch; torch.load({checkpoint!r}, map_location="cpu", '
            f'weights_only=True)'
        ]))
    print(f'checkpoint: {checkpoint}, {size / 2**30:.2f} GiB ({args.arch}, 4 modalities)')
    print('| run | time (s) | output (GiB) | peak RSS (GiB) | peak / checkpoint | '
          '(peak - imports) / checkpoint |')
    print('| --- | ---: | ---: | ---: | ---: | ---: |')
    baseline = None
    for name, argv_template in runs:
        out = osp.join(work, f'out_{name.split()[0]}_{name.split()[-1]}.pth')
        if osp.exists(out):
            os.remove(out)
        seconds, peak = measure([a.replace('{out}', out) for a in argv_template], work)
        baseline = peak if baseline is None else baseline
        output = osp.getsize(out) / 2**30 if osp.exists(out) else 0.
        if osp.exists(out):
            os.remove(out)
        print(f'| {name} | {seconds:.0f} | {output:.2f} | {peak / 2**30:.2f} | {100 * peak / size:.1f}% | '
              f'{100 * (peak - baseline) / size:.1f}% |')
    if not args.work_dir:
        os.remove(checkpoint)
    return 0


if __name__ == '__main__':
    sys.exit(main())
