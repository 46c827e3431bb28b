#!/usr/bin/env bash
# One prepared GPU check (issue 13), for the day a GPU node is lent: every figure the README's
# measured-results table needs from a GPU, printed as one JSON line each on stdout (progress on
# stderr), in at most about 5 minutes on one GPU.
#
#   scripts/gpu-check.sh [--tiny] [--drnet CMD] [--device SEL] [--work DIR]
#
#   --tiny     a rehearsal setting (seconds, not minutes): tiny library, few steps, 10³ streamed
#              patterns — what CI and a machine without a GPU run on PoCL
#   --drnet    how to run drnet (default: dist/drnet-bundle/run, unpacked from
#              dist/drnet-bundle.tar.xz when only the archive is there; else `drnet` on PATH)
#   --device   the OpenCL device (default: opencl, the first GPU or else the first device)
#   --work     scratch folder (default: a fresh temporary folder)
#
# On a lent GPU machine (the device tool; no Swift there): build the bundle here with
# scripts/build-gpu-bundle.sh, carry dist/drnet-bundle.tar.xz (dist/ is not tracked), and run
# `bash scripts/gpu-check.sh` in the repository root; it unpacks the archive itself.
#
# Figures, in order (each line has "figure": …):
#   device            the OpenCL devices (drnet devices --json) and nvidia-smi's view when present
#   kernel-compile    wall seconds of a one-step bench with empty program caches, then warm
#   train-step        drnet bench: step time, parts, per-kernel device times, launches and host
#                     synchronisations per step, bytes each way (bench's own JSON record)
#   batch-scaling     the training step at batches 10, 40, 160, 640 (walksPerStep 1, 4, 16, 64)
#   solve             an end-to-end solve of a generated library with its score against the truth
#   determinism       the same solve twice: identical fractions.csv and shifts.csv or not
#   streamed          inference streamed over 10⁵ generated patterns (10³ with --tiny)
# A step that fails prints {"figure": …, "error": …} and the script goes on; the exit status is
# the number of failed steps (0: every figure measured).
set -uo pipefail
cd "$(dirname "$0")/.."
tiny=0 drnet="" device="opencl" work=""
while [ $# -gt 0 ]; do
    case "$1" in
        --tiny) tiny=1 ;;
        --drnet) drnet="$2"; shift ;;
        --device) device="$2"; shift ;;
        --work) work="$2"; shift ;;
        -h|--help) sed -n 2,29p "$0"; exit 0 ;;
        *) echo "gpu-check: unknown argument '$1' (see --help)" >&2; exit 64 ;;
    esac
    shift
done
if [ -z "$drnet" ]; then
    if [ ! -x dist/drnet-bundle/run ] && [ -f dist/drnet-bundle.tar.xz ]; then
        echo "gpu-check: unpacking dist/drnet-bundle.tar.xz" >&2
        tar -C dist -xJf dist/drnet-bundle.tar.xz
    fi
    if [ -x dist/drnet-bundle/run ]; then drnet="dist/drnet-bundle/run"
    elif command -v drnet >/dev/null; then drnet="drnet"
    else echo "gpu-check: no drnet: build the bundle (scripts/build-gpu-bundle.sh) or pass --drnet" >&2; exit 64
    fi
fi
work="${work:-$(mktemp -d)}"
mkdir -p "$work"
failures=0

# Settings: the real check, or the rehearsal.
if [ "$tiny" = 1 ]; then
    divisions=6 steps=10 warmup=2 solve_steps=300 stream_n=1000 scaling_steps=3
else
    divisions=15 steps=200 warmup=20 solve_steps=4000 stream_n=100000 scaling_steps=30
fi

now() { date +%s.%N; }
# emit FIGURE JSON-OBJECT-BODY: one line {"figure": FIGURE, …}.
emit() { printf '{"figure":"%s",%s}\n' "$1" "$2"; }
fail() {
    failures=$((failures + 1))
    local why
    why=$(tail -c 600 "$2" 2>/dev/null | tr '\n"\\' '   ')
    emit "$1" "\"error\":\"$why\""
}
# tagged FIGURE FILE: each JSON line of FILE with "figure": FIGURE prepended.
tagged() { sed -n "s/^{/{\"figure\":\"$1\",/p" "$2"; }

echo "gpu-check: drnet = $drnet, device = $device, work = $work, tiny = $tiny" >&2

# 1. Device facts.
if $drnet devices --json >"$work/devices.json" 2>"$work/devices.err"; then
    emit device "\"devices\":$(tr -d '\n' <"$work/devices.json")"
else
    fail device "$work/devices.err"
fi
if command -v nvidia-smi >/dev/null; then
    smi=$(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv,noheader 2>/dev/null | head -1)
    emit nvidia-smi "\"query\":\"name, driver, memory, max SM clock, power limit\",\"value\":\"$smi\""
fi

# 2. Kernel compile: empty program caches (ours under XDG_CACHE_HOME, the driver's: PoCL's
#    POCL_CACHE_DIR, NVIDIA's CUDA_CACHE_PATH), then the same run warm.
cache="$work/cache"
rm -rf "$cache" && mkdir -p "$cache"
compile_run() {
    XDG_CACHE_HOME="$cache" POCL_CACHE_DIR="$cache/pocl" CUDA_CACHE_PATH="$cache/nv" \
        $drnet bench --device "$device" --steps 1 --warmup 0 --json >"$work/compile.json" 2>"$work/compile.err"
}
t0=$(now)
if compile_run; then
    t1=$(now)
    compile_run
    t2=$(now)
    emit kernel-compile "$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "\"coldSeconds\":%.2f,\"warmSeconds\":%.2f", b - a, c - b }')"
else
    fail kernel-compile "$work/compile.err"
fi

# 3. The default training step (bench's built-in library of Al-Li-Fe's size).
echo "gpu-check: training step ($steps steps)" >&2
if $drnet bench --device "$device" --steps "$steps" --warmup "$warmup" --json >"$work/step.json" 2>"$work/step.err"; then
    tagged train-step "$work/step.json"
else
    fail train-step "$work/step.err"
fi

# 4. Batch-size scaling: walks of 10 samples, 1 … 64 walks per step.
for walks in 1 4 16 64; do
    echo "{\"walksPerStep\": $walks}" >"$work/walks-$walks.json"
    if $drnet bench --device "$device" --config "$work/walks-$walks.json" --steps "$scaling_steps" --warmup 2 --json \
        >"$work/scaling-$walks.json" 2>"$work/scaling-$walks.err"; then
        tagged batch-scaling "$work/scaling-$walks.json"
    else
        fail batch-scaling "$work/scaling-$walks.err"
    fi
done

# 5. An end-to-end solve of a generated library, scored against its truth.
echo "gpu-check: solve of a generated library (divisions $divisions, $solve_steps training steps)" >&2
lib="$work/library"
if $drnet synth --divisions "$divisions" --background 0.05 --seed 3 --out "$lib" >"$work/synth.out" 2>"$work/synth.err"; then
    if $drnet bench --solve "$lib" --truth "$lib/truth-fractions.csv" --device "$device" --max-steps "$solve_steps" --json \
        >"$work/solve.json" 2>"$work/solve.err"; then
        tagged solve "$work/solve.json"
    else
        fail solve "$work/solve.err"
    fi
    # 6. Determinism: the same solve twice, byte-compared.
    ok=1
    for run in a b; do
        $drnet solve "$lib" --device "$device" --seed 5 --max-steps "$solve_steps" --no-plots --quiet --out "$work/det-$run" \
            >/dev/null 2>"$work/det-$run.err" || { ok=0; fail determinism "$work/det-$run.err"; break; }
    done
    if [ "$ok" = 1 ]; then
        same=true
        for f in fractions.csv shifts.csv; do cmp -s "$work/det-a/$f" "$work/det-b/$f" || same=false; done
        emit determinism "\"identical\":$same,\"files\":\"fractions.csv shifts.csv\",\"seed\":5,\"maxSteps\":$solve_steps"
        [ "$same" = true ] || failures=$((failures + 1))
    fi
else
    fail solve "$work/synth.err"
fi

# 7. Streamed inference over N generated patterns (memory bounded by the chunk).
echo "gpu-check: streamed inference over $stream_n patterns" >&2
if $drnet bench --device "$device" --sweep --sweep-n "$stream_n" --sweep-q 650 --sweep-p 159 --sweep-steps 2 --steps 2 --warmup 1 \
    --json >"$work/stream.json" 2>"$work/stream.err"; then
    grep '"benchmark":"inference-N"' "$work/stream.json" >"$work/stream-only.json" || true
    if [ -s "$work/stream-only.json" ]; then tagged streamed "$work/stream-only.json"; else fail streamed "$work/stream.json"; fi
else
    fail streamed "$work/stream.err"
fi

echo "gpu-check: done, $failures failed step(s); files in $work" >&2
exit "$failures"
