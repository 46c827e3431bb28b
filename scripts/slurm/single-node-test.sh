#!/usr/bin/env bash
# A real Slurm on this machine for the test of scripts/slurm/drnet-array.sbatch: starts munged,
# slurmctld and slurmd (Debian's slurm-wlm and munge) on a private configuration in a scratch
# folder (one node: this machine, with one generic "gpu" so the script's --gres=gpu:1 is
# honoured), submits an array of three tiny solves (generated libraries), waits for them, and
# prints `drnet summary --json` of the results on stdout. Then it interrupts a fourth, longer
# solve with SIGTERM (as Slurm does at a time limit or on preemption), checks that the task was
# requeued and resumed from its checkpoint, and prints its summary line too.
#
#   scripts/slurm/single-node-test.sh DRNET [WORK]
#
# Exit status: 0 when every job finished; 77 when the daemons cannot run here (not root, Slurm
# or munge not installed, a daemon that does not come up: the caller skips, saying why, from the
# last line on stderr); anything else is a failure. The daemons are stopped on exit.
set -uo pipefail
drnet="${1:?usage: single-node-test.sh DRNET [WORK]}"
work="${2:-$(mktemp -d)}"
here="$(cd "$(dirname "$0")" && pwd)"
skip() { echo "single-node-test: skipped: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (slurmd runs jobs as their user)"
for d in slurmctld slurmd munged sbatch squeue sinfo scontrol; do
    command -v "$d" >/dev/null || [ -x "/usr/sbin/$d" ] || skip "$d is not installed (apt-get install slurm-wlm munge)"
done
export PATH="$PATH:/usr/sbin"
mkdir -p "$work"/{etc,state,spool,log,munge,results,libs}
chmod 711 "$work/munge"
node=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
pids=()
cleanup() {
    [ -n "${KEEP_SLURM:-}" ] && return
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    sleep 1
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
}
trap cleanup EXIT

# munge: a fresh key and a private socket.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" \
    || skip "munged did not start ($(tail -1 "$work/log/munged.log" 2>/dev/null))"
pids+=("$(cat "$work/munge/munged.pid")")

cat >"$work/etc/slurm.conf" <<CONF
ClusterName=drnet-test
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/socket
SlurmctldPort=$((20000 + RANDOM % 10000))
SlurmdPort=$((30000 + RANDOM % 10000))
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
NodeName=$node CPUs=$cpus RealMemory=$memory Gres=gpu:1 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
echo "NodeName=$node Name=gpu File=/dev/null" >"$work/etc/gres.conf"  # a stand-in device file
export SLURM_CONF="$work/etc/slurm.conf"

slurmctld -D -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 1 60); do
    if sinfo -h -N -o "%t" 2>/dev/null | grep -qE "^(idle|mix|alloc)"; then up=1; break; fi
    sleep 1
done
[ "$up" = 1 ] || { sinfo -N -l >&2; skip "the node did not come up: $(tail -2 "$work/log/slurmctld.log" "$work/log/slurmd.log" 2>/dev/null | tr '\n' ' ')"; }
echo "single-node-test: Slurm up on $node ($cpus CPUs), work $work" >&2

# Three tiny generated libraries, one array.
for i in 1 2 3; do
    "$drnet" synth --divisions 4 --seed "$i" --out "$work/libs/wafer-$i" >/dev/null 2>&1 || { echo "synth failed" >&2; exit 1; }
    echo "$work/libs/wafer-$i" >>"$work/libraries.txt"
done
cat >"$work/tiny.json" <<'JSON'
{"hiddenLayers": [32], "maxSteps": 150, "pretrainSteps": 50, "rampUnit": 5, "polishSteps": 20, "fineTuneSteps": 20}
JSON
wait_for() {  # wait_for JOBID SECONDS: until no task of the job is pending or running
    for _ in $(seq 1 "$2"); do
        [ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ] && return 0
        sleep 1
    done
    echo "single-node-test: job $1 still queued after $2 s: $(squeue -j "$1" 2>&1 | tr '\n' ' ')" >&2
    return 1
}
job=$(cd "$work" && DRNET="$drnet" DRNET_DEVICE=cpu sbatch --parsable --array=0-2 --cpus-per-task=1 --mem=2G \
    "$here/drnet-array.sbatch" "$work/libraries.txt" "$work/results" --config "$work/tiny.json" --no-plots) \
    || { echo "single-node-test: sbatch failed" >&2; exit 1; }
echo "single-node-test: array job $job submitted" >&2
wait_for "$job" 900 || exit 1
for i in 1 2 3; do
    [ -f "$work/results/wafer-$i/solution.json" ] || {
        echo "single-node-test: task $((i - 1)) wrote no solution; its log:" >&2
        cat "$work"/drnet-"${job}"_$((i - 1)).log >&2
        exit 1
    }
done
"$drnet" summary --json "$work"/results/wafer-{1,2,3} || exit 1

# Interrupted and requeued: a longer solve, SIGTERM to the batch shell while it trains.
echo "$work/libs/wafer-1" >"$work/long.txt"
cat >"$work/long.json" <<'JSON'
{"hiddenLayers": [32], "maxSteps": 1000, "pretrainSteps": 50, "rampUnit": 5, "polishSteps": 20, "fineTuneSteps": 20}
JSON
long=$(cd "$work" && DRNET="$drnet" DRNET_DEVICE=cpu sbatch --parsable --array=0 --cpus-per-task=1 --mem=2G \
    "$here/drnet-array.sbatch" "$work/long.txt" "$work/requeued" --config "$work/long.json" --no-plots --checkpoint-every 0) \
    || exit 1
for _ in $(seq 1 120); do
    [ "$(squeue -h -j "$long" -o %t 2>/dev/null)" = "R" ] && break
    sleep 1
done
sleep 5
scancel --batch --signal=TERM "$long"
wait_for "$long" 900 || exit 1
restarts=$(scontrol show job "$long" 2>/dev/null | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p' | head -1)
log=$(ls "$work"/drnet-"$long"_0.log "$work"/drnet-*_0.log 2>/dev/null | head -1)
grep -q "requeueing task 0" "$work"/drnet-*_0.log || { echo "single-node-test: the interrupted task was not requeued" >&2; cat "$log" >&2; exit 1; }
[ -f "$work/requeued/wafer-1/solution.json" ] || { echo "single-node-test: the requeued task wrote no solution" >&2; cat "$log" >&2; exit 1; }
[ ! -d "$work/requeued/wafer-1/plots" ] || { echo "single-node-test: the resumed run lost --no-plots (it drew plots/)" >&2; exit 1; }
echo "single-node-test: interrupted task requeued (restarts ${restarts:-?}) and finished" >&2
"$drnet" summary --json "$work/requeued/wafer-1" || exit 1
