"""Time forward+backward of one RMoE layer against the floor and two common MoE implementations.

    python benchmarks/bench_rmoe.py                 # base arch stage 3 (d=512), 16384 mixed tokens
    python benchmarks/bench_rmoe.py --tokens 4096   # quicker

Implementations, all on the same weights and the same routing decisions:
- ``floor``: the dense FFNs a token really activates (1 specialized + 1 collaborative + 1 shared), each
  run once over all tokens: the compute no dispatch scheme can beat.
- ``rmoe``: mmringmoe's RMoE layer (sort by expert, contiguous blocks, gate-weighted scatter back).
- ``naive``: a loop over experts with boolean masks (``out[mask] += g * E(x[mask])``).
- ``onehot``: capacity-padded one-hot einsum dispatch with capacity factor 1.2, the ``capacity_factor`` of
  the authors' released multi-modal pretraining config (github.com/HanboBizl/RingMoE,
  ``config/simmim_pcl/pretrain_simmim_swinv2_giant_p4_w12_aircas_192_200ep_moe_mm.yaml``), whose MindSpore
  router builds the same one-hot dispatch and combine tensors (tokens over capacity are dropped there; here
  they are only timed).
The implementations are timed in interleaved rounds (floor, rmoe, naive, onehot, floor, rmoe, ...), so that
a load spike from another process hits one round of all of them rather than all runs of one; each time is
the median over ``--repeat`` rounds with its min-max, and each ratio the median of the per-round ratios to
the floor, with its min-max. Peak memory is the peak RSS during one forward+backward minus the RSS just
before, measured in a fresh subprocess per implementation (Linux), as a ratio to the floor.
Targets (issue #4): rmoe within 1.15x of the floor's time and 1.5x of its peak memory.
"""
import argparse
import json
import math
import os.path as osp
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F
from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmringmoe  # noqa: E402,F401
from mmringmoe.models.layers import RMoE  # noqa: E402
from mmringmoe.utils.atomic_io import atomic_write_text  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402

MODALITIES = ['opt', 'ms', 'sar_l1', 'sar_l2']
IMPLEMENTATIONS = ['floor', 'rmoe', 'naive', 'onehot']


def make_setup(tokens: int, dims: int, seed: int = 0):
    """The layer, a mixed-modality batch (equal shares, interleaved samples) and frozen routing."""
    torch.manual_seed(seed)
    layer = RMoE(dims, 4 * dims, MODALITIES, noisy_gating=False).eval()
    x = torch.randn(tokens, dims)
    modality = torch.arange(tokens) % len(MODALITIES)
    with torch.no_grad():
        spec = torch.zeros(tokens, dtype=torch.long)
        spec_gate = torch.zeros(tokens)
        for m, name in enumerate(MODALITIES):
            ids = (modality == m).nonzero(as_tuple=True)[0]
            routing = layer.specialized_routers[name](x[ids])
            spec[ids], spec_gate[ids] = routing.expert_index[:, 0], routing.gate[:, 0]
        routing = layer.collaborative_router(x)
        collab, collab_gate = routing.expert_index[:, 0], routing.gate[:, 0]
    return layer, x, modality, (spec, spec_gate, collab, collab_gate)


def ffn(x, w1, b1, w2, b2):
    return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)


def run_floor(layer, x, modality, routing):
    bank = layer.collaborative_experts
    shared = layer.shared_expert
    w = (bank.fc1_weight[0], bank.fc1_bias[0], bank.fc2_weight[0], bank.fc2_bias[0])
    return ffn(x, *w) + ffn(x, *w) + shared(x)


def run_rmoe(layer, x, modality, routing):
    return layer(x, modality)


def run_naive(layer, x, modality, routing):
    spec, spec_gate, collab, collab_gate = routing
    out = layer.shared_expert(x)
    for m, name in enumerate(MODALITIES):
        bank = layer.specialized_experts[name]
        for e in range(bank.num_experts):
            mask = (modality == m) & (spec == e)
            out[mask] = out[mask] + spec_gate[mask, None] * bank.expert_forward(e, x[mask])
    bank = layer.collaborative_experts
    for e in range(bank.num_experts):
        mask = collab == e
        out[mask] = out[mask] + collab_gate[mask, None] * bank.expert_forward(e, x[mask])
    return out


def onehot_dispatch(x, index, gate, bank, capacity_factor=1.2):
    """[T, E, C] one-hot dispatch/combine tensors and batched expert matmuls."""
    tokens, experts = x.shape[0], bank.num_experts
    capacity = math.ceil(capacity_factor * tokens / experts)
    mask = F.one_hot(index, experts)
    position = (torch.cumsum(mask, dim=0) - 1) * mask
    keep = mask * (position < capacity)
    dispatch = keep.unsqueeze(-1) * F.one_hot(position.clamp(max=capacity - 1), capacity)  # [T, E, C]
    dispatch = dispatch.to(x.dtype)
    expert_in = torch.einsum('tec,td->ecd', dispatch, x)
    hidden = F.gelu(torch.baddbmm(bank.fc1_bias.unsqueeze(1), expert_in, bank.fc1_weight.transpose(1, 2)))
    expert_out = torch.baddbmm(bank.fc2_bias.unsqueeze(1), hidden, bank.fc2_weight.transpose(1, 2))
    return torch.einsum('tec,ecd->td', dispatch * gate[:, None, None], expert_out)


def run_onehot(layer, x, modality, routing):
    spec, spec_gate, collab, collab_gate = routing
    out = layer.shared_expert(x)
    for m, name in enumerate(MODALITIES):
        ids = (modality == m).nonzero(as_tuple=True)[0]
        part = onehot_dispatch(x[ids], spec[ids], spec_gate[ids], layer.specialized_experts[name])
        out = out.index_add(0, ids, part)
    return out + onehot_dispatch(x, collab, collab_gate, layer.collaborative_experts)


RUNNERS = {'floor': run_floor, 'rmoe': run_rmoe, 'naive': run_naive, 'onehot': run_onehot}


def step(name, layer, x, modality, routing):
    layer.zero_grad(set_to_none=True)
    x = x.detach().requires_grad_()
    RUNNERS[name](layer, x, modality, routing).square().mean().backward()


def _status_kib(field: str) -> float:
    """A ``/proc/self/status`` field in KiB (``VmRSS``: resident now, ``VmHWM``: peak resident)."""
    with open('/proc/self/status') as f:
        return float(next(line for line in f if line.startswith(f'{field}:')).split()[1])


def peak_rss_growth(name: str, tokens: int, dims: int) -> float:
    """Peak RSS over one forward+backward minus the RSS before it (MiB), in a fresh process.

    Not ``getrusage().ru_maxrss``: Linux carries it across ``exec`` from the parent, so a fresh process
    would report the benchmark's own peak. ``VmHWM`` belongs to the process's memory map and is reset to
    the current RSS right before the step (``/proc/self/clear_refs``, Linux >= 4.0).
    """
    layer, x, modality, routing = make_setup(tokens, dims)
    before = _status_kib('VmRSS')
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    step(name, layer, x, modality, routing)
    return (_status_kib('VmHWM') - before) / 1024


def measure_memory(name: str, tokens: int, dims: int) -> float:
    code = (f'import sys; sys.path.insert(0, {osp.dirname(osp.abspath(__file__))!r}); import bench_rmoe; '
            f'print(bench_rmoe.peak_rss_growth({name!r}, {tokens}, {dims}))')
    out = subprocess.run([sys.executable, '-c', code], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tokens', type=int, default=16384)
    parser.add_argument('--dims', type=int, default=512, help='512 = base arch, stage 3')
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--json', help='also write the results here')
    args = parser.parse_args(argv)
    configure_threads()
    layer, x, modality, routing = make_setup(args.tokens, args.dims)
    with torch.no_grad():  # all implementations compute the same function (up to capacity drops)
        reference = run_rmoe(layer, x, modality, routing)
        torch.testing.assert_close(run_naive(layer, x, modality, routing), reference, atol=1e-4, rtol=1e-4)
    for name in IMPLEMENTATIONS:  # warm-up
        step(name, layer, x, modality, routing)
    times = {name: [] for name in IMPLEMENTATIONS}
    for _ in tqdm(range(args.repeat), desc='rounds', unit='round'):
        for name in IMPLEMENTATIONS:
            start = time.perf_counter()
            step(name, layer, x, modality, routing)
            times[name].append(time.perf_counter() - start)
    results = {}
    for name in IMPLEMENTATIONS:
        ratios = [t / floor for t, floor in zip(times[name], times['floor'])]
        peak = measure_memory(name, args.tokens, args.dims)
        results[name] = {'seconds': statistics.median(times[name]), 'seconds_min': min(times[name]),
                         'seconds_max': max(times[name]), 'time_ratio': statistics.median(ratios),
                         'time_ratio_min': min(ratios), 'time_ratio_max': max(ratios), 'peak_mib': peak}
    for r in results.values():
        r['memory_ratio'] = r['peak_mib'] / results['floor']['peak_mib']
    print(f'RMoE forward+backward, {args.tokens} tokens (4 modalities), d={args.dims}, '
          f'{torch.get_num_threads()} threads, median (min-max) of {args.repeat} interleaved rounds')
    print(f'{"impl":8s} {"time (s)":>22s} {"x floor":>18s} {"peak MiB":>9s} {"x floor":>8s}')
    for name, r in results.items():
        print(f'{name:8s} {r["seconds"]:8.3f} ({r["seconds_min"]:.3f}-{r["seconds_max"]:.3f}) '
              f'{r["time_ratio"]:6.2f} ({r["time_ratio_min"]:.2f}-{r["time_ratio_max"]:.2f}) '
              f'{r["peak_mib"]:9.0f} {r["memory_ratio"]:8.2f}')
    if args.json:
        atomic_write_text(args.json, json.dumps(results, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
