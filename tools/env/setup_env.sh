#!/usr/bin/env bash
# Build (or bring up to date) the project's virtual environment in .venv/ from nothing: CPU torch, the
# pinned OpenMMLab stack, mmcv with compiled CPU ops (built once per machine and cached), and mmringmoe
# itself in editable mode. Idempotent: a second run installs nothing new. Used by `make env`.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
VENV=.venv
C=requirements/constraints.txt
PIP_Q=(-q --disable-pip-version-check)

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)'; then
    echo "setup_env: $PYTHON is older than Python 3.9; set PYTHON=/path/to/python3.11" >&2; exit 1
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PY="$VENV/bin/python"

echo "setup_env: [1/4] torch (CPU) and build tools"
"$PY" -m pip install "${PIP_Q[@]}" -c "$C" torch "setuptools" wheel ninja
echo "setup_env: [2/4] mmcv with CPU ops (cached wheel, built on first use)"
MMCV_WHEEL=$(bash tools/env/build_mmcv_wheel.sh "$PY" "$C" | tail -n 1)
echo "setup_env: [3/4] the OpenMMLab stack and test tools"
"$PY" -m pip install "${PIP_Q[@]}" -c "$C" "$MMCV_WHEEL" -r requirements/runtime.txt -r requirements/tests.txt
# TrackEval 1.0.0 declares numpy<2.0 but runs on our numpy; newer releases need numpy>=2.3 (README "The stack").
"$PY" -m pip install "${PIP_Q[@]}" -c "$C" --no-deps trackeval
echo "setup_env: [4/4] mmringmoe (editable)"
"$PY" -m pip install "${PIP_Q[@]}" -c "$C" --no-deps --no-build-isolation -e .
"$PY" tools/env/check_env.py
