#!/usr/bin/env bash
# The main job on a built-in default: solves the Al-Li-Fe library (with the reference's allowed-
# phase mask) when ../shared is beside the project and scores it against its ground truth; else
# benchmarks the built-in synthetic library. Expects a release build (swift build -c release).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/drnet
[ -x "$bin" ] || swift build -c release
alf=../shared/datasets/al-li-fe
if [ -d "$alf" ]; then
  "$bin" solve "$alf" --sample-mask "$alf/npy/sample_indicator.npy" --out out/al-li-fe "$@"
  "$bin" eval out/al-li-fe --truth "$alf/truth-fractions.csv" --threshold 0.001
else
  echo "run-default: ../shared/datasets/al-li-fe not found; benchmarking the built-in synthetic library" >&2
  "$bin" bench
fi
