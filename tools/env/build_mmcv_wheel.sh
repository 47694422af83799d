#!/usr/bin/env bash
# Build (once per machine) the mmcv 2.0.1 wheel with compiled CPU ops for torch 2.13.
#
# Why: mmcv 2.0.1 (the newest mmcv that mmdet 3.1.0 / mmrotate 1.0.0rc1 admit) has no wheel for torch
# 2.13, and its setup.py compiles with -std=c++14 while torch 2.13's headers need C++17 (mmcv 2.1 made the
# same change upstream). We patch that one flag and build from the sdist. The wheel is cached outside the
# repo so that only the first set-up on a machine pays the ~10 minutes.
#
# Usage: build_mmcv_wheel.sh PYTHON CONSTRAINTS   (prints the wheel path on its last line)
set -euo pipefail
PY=$(cd "$(dirname "${1:?python of the venv}")" && pwd)/$(basename "$1")  # absolute, symlink kept (venv)
CONSTRAINTS=$(realpath "${2:?constraints file}")
VERSION=2.0.1
CACHE=${MMRINGMOE_CACHE:-$HOME/.cache/mmringmoe}
mkdir -p "$CACHE"
whl=$(ls "$CACHE"/mmcv-$VERSION-*.whl 2>/dev/null | head -n1 || true)
if [ -n "$whl" ]; then echo "$whl"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" -m pip download -q --no-deps --no-binary :all: --no-build-isolation -c "$CONSTRAINTS" \
    -d "$work" "mmcv==$VERSION" >&2
tar -xzf "$work"/mmcv-$VERSION.tar.gz -C "$work"
src="$work/mmcv-$VERSION"
# The one flag that builds mmcv._ext on Linux (setup.py: `extra_compile_args['cxx'] = ['-std=c++14']`).
line="extra_compile_args\['cxx'\] = \['-std=c++14'\]"
if [ "$(grep -c -- "$line" "$src/setup.py" || true)" != "1" ]; then
    echo "build_mmcv_wheel: mmcv's setup.py does not have the expected -std=c++14 line" >&2; exit 1
fi
sed -i "s/$line/extra_compile_args['cxx'] = ['-std=c++17']/" "$src/setup.py"
grep -q "extra_compile_args\['cxx'\] = \['-std=c++17'\]" "$src/setup.py"
echo "build_mmcv_wheel: compiling mmcv $VERSION with CPU ops (about 10 minutes on 2 cores)..." >&2
(cd "$src" && MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=${MAX_JOBS:-2} \
    "$PY" -m pip wheel -q --no-build-isolation --no-deps -w "$work/dist" . >&2)
built=$(ls "$work"/dist/mmcv-$VERSION-*.whl)
# Atomic: copy under a temporary name in the cache, then rename.
tmp="$CACHE/.$(basename "$built").part"
cp "$built" "$tmp" && mv "$tmp" "$CACHE/$(basename "$built")"
echo "$CACHE/$(basename "$built")"
