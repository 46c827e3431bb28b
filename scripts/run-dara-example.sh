#!/usr/bin/env bash
# The real-scan example: the seven PANalytical AERIS scans in ../shared/datasets/dara-scans (powder
# mixtures of named precursors) → drnet import (axis, Kα1/Kα2 and counts from each .xrdml) →
# candidates from the CIFs in data/structures/dara-precursors (drnet sticks) → drnet solve →
# drnet check, then a table of what was found beside the precursors each file name names.
# About 15-18 min on 2 cores (8 280 Q points per scan). Writes out/dara/{library,solution}.
# The solve uses examples/dara-scans/solve.json (sharp laboratory peaks, shifts within 3 %; the
# built-in defaults are the reference's thin-film settings). Extra arguments go to drnet solve
# (e.g. --max-steps 300 for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/drnet
[ -x "$bin" ] || swift build -c release
scans=../shared/datasets/dara-scans
if [ ! -d "$scans" ]; then
  echo "run-dara-example: $scans not found (the scans are read from ../shared, never copied here)" >&2
  exit 2
fi
lib=out/dara/library sol=out/dara/solution
rm -rf "$lib"
# 1. scans → a library folder; compositions: the nominal cation fractions from the file names;
#    the smooth background removed (SNIP); the files' Kα1/Kα2 make the solve render the doublet
"$bin" import "$scans" --compositions examples/dara-scans/compositions.csv --background snip --out "$lib"
# 2. candidates: 16 structures (the precursors, their polymorphs, likely products), on the grid's Q range
"$bin" sticks data/structures/dara-precursors/*.cif --wavelength CuKa1 --qmin 7.1 --qmax 62.5 \
  --out "$lib/sticks.csv"
# 3. the seven scans are separate mixtures, not a composition spread: every sample alone in the
#    composition graph (neighbors.txt: one line per sample, no neighbours), so no pairwise terms
n=$(($(wc -l <"$lib/samples.csv") - 1))
seq 0 $((n - 1)) >"$lib/neighbors.txt"
# 4. solve (element rule from the compositions; Gibbs limit = elements present) and check
rm -rf "$sol"
"$bin" solve "$lib" --out "$sol" --config examples/dara-scans/solve.json "$@"
"$bin" check "$sol" || echo "run-dara-example: drnet check exited $? (1: a rule is violated, listed above)"
# 5. what was found (fraction ≥ 0.01) beside the precursors named in each file name
echo
echo "scan | found (fraction) | reconstruction L1 share"
python3 - "$sol" <<'PY'
import csv, json, os, sys
sol = sys.argv[1]
rows = list(csv.reader(open(os.path.join(sol, "fractions.csv"))))
data = json.load(open(os.path.join(sol, "solution.json")))
samples = list(csv.DictReader(open(os.path.join(data["libraryPath"], "samples.csv"))))
share = data["reconstructionErrorShare"]
for r in rows[1:]:
    i = int(r[0])
    found = ", ".join(f"{rows[0][j]} {float(r[j]):.2f}" for j in range(1, len(r)) if float(r[j]) >= 0.01)
    print(f"{os.path.basename(samples[i]['source'])} | {found} | {share[i]:.2f}")
PY
