#!/usr/bin/env bash
# Distributed training with torchrun (gloo on CPU, nccl on GPU): dist_train.sh CONFIG NUM_PROCS [ARGS...]
set -euo pipefail
CONFIG=${1:?usage: dist_train.sh CONFIG NUM_PROCS [train.py args...]}
NPROC=${2:?usage: dist_train.sh CONFIG NUM_PROCS [train.py args...]}
shift 2
DIR=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python}
exec "$PYTHON" -m torch.distributed.run --nproc-per-node "$NPROC" --master-port "${PORT:-29500}" \
    "$DIR/train.py" "$CONFIG" --launcher pytorch "$@"
