#!/usr/bin/env bash
# The Al-Li-Fe job (formerly the default): solves the Al-Li-Fe library from ../shared with the
# reference's allowed-phase mask and scores it against its ground truth (about 9 min on 2 cores);
# without ../shared it benchmarks the built-in synthetic library. Expects a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/drnet
[ -x "$bin" ] || swift build -c release
alf=../shared/datasets/al-li-fe
if [ -d "$alf" ]; then
  # --overwrite: a rerun replaces the previous result (as a whole, once the new one is complete);
  # to continue an interrupted run instead: .build/release/drnet solve --resume out/al-li-fe
  "$bin" solve "$alf" --sample-mask "$alf/npy/sample_indicator.npy" --out out/al-li-fe --overwrite "$@"
  "$bin" eval out/al-li-fe --truth "$alf/truth-fractions.csv" --threshold 0.001
else
  echo "run-al-li-fe: ../shared/datasets/al-li-fe not found; benchmarking the built-in synthetic library" >&2
  "$bin" bench
fi
