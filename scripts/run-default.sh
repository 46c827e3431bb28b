#!/usr/bin/env bash
# The main job on a built-in default: the demo. Generates a synthetic Mg-Al-Ti-O library from the
# shipped crystal structures (data/structures/mg-al-ti-o) into out/demo with its truth, solves it
# into out/demo/solution and scores the solution against the truth (about a minute on 2 cores).
# Needs no data beyond the repository. Expects a release build (swift build -c release).
# The Al-Li-Fe job from ../shared is scripts/run-al-li-fe.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/drnet
[ -x "$bin" ] || swift build -c release
"$bin" demo --out out/demo "$@"
