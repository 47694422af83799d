#!/usr/bin/env bash
# Distributed training with torchrun (gloo on CPU, nccl on GPU).
usage="usage: dist_train.sh CONFIG NUM_PROCS [tools/train.py arguments...]
Runs tools/train.py CONFIG --launcher pytorch in NUM_PROCS processes (torchrun). Environment: PYTHON (default
python), PORT (default 29500)."
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then echo "$usage"; exit 0; fi
if [ $# -lt 2 ]; then echo "$usage" >&2; exit 2; fi
set -euo pipefail
CONFIG=$1
NPROC=$2
shift 2
if [ ! -f "$CONFIG" ]; then echo "dist_train.sh: config not found: $CONFIG" >&2; exit 2; fi
DIR=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python}
exec "$PYTHON" -m torch.distributed.run --nproc-per-node "$NPROC" --master-port "${PORT:-29500}" \
    "$DIR/train.py" "$CONFIG" --launcher pytorch "$@"
