#!/usr/bin/env bash
# `make test-cluster`: a real one-node SLURM cluster on this machine, the smoke profile through it.
#
# 1. installs Debian's slurm-wlm and munge (needs root and apt-get; without them it says so and skips),
# 2. starts munged, slurmctld and slurmd with a one-node, one-partition config (no accounting database),
# 3. runs the smoke profile locally and through `snakemake --profile workflows/profiles/slurm`, with this test's
#    overlay (tests/cluster/overlay.yaml: no account, squeue for the status queries, quick polling),
# 4. checks that every job of the SLURM run was a SLURM job (its job id in the logs) and that both runs wrote the
#    same results and claims (tests/cluster/compare.py),
# 5. stops the daemons it started and removes its scratch directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
PYTHON=${PYTHON:-$REPO/.venv/bin/python}

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "test-cluster: SKIPPED: it needs root and apt-get to install and start SLURM (Debian's slurm-wlm, munge)"
    exit 0
fi
if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
    echo "test-cluster: SKIPPED: SLURM daemons already run on this machine; this test starts its own"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q slurm-wlm munge >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q slurm-wlm munge >/dev/null; }

WORK=$(mktemp -d /tmp/replications-cluster.XXXXXX)
STARTED=()
stop() {
    status=$?
    scancel --user=root >/dev/null 2>&1 || true
    if [ "$status" != 0 ] && [ -d "$WORK" ]; then  # keep what explains a failure
        mkdir -p /tmp/replications-cluster-failed && cp -r "$WORK"/*.log "$WORK"/slurm_logs "$WORK"/slurm/results \
            /tmp/replications-cluster-failed/ 2>/dev/null || true
        echo "test-cluster: logs kept in /tmp/replications-cluster-failed"
    fi
    for pid in "${STARTED[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    if [ -e "$WORK/slurm.conf.original" ]; then cp -p "$WORK/slurm.conf.original" /etc/slurm/slurm.conf
    elif [ -e "$WORK/slurm.conf" ]; then rm -f /etc/slurm/slurm.conf; fi
    rm -rf "$WORK"
}
trap stop EXIT

# munge: a fresh key, a daemon of our own on a private socket
mkdir -p "$WORK/munge"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"
export MUNGE_SOCKET="$WORK/munge/socket"
munged --key-file="$WORK/munge/munge.key" --socket="$MUNGE_SOCKET" --pid-file="$WORK/munge/munged.pid" \
    --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/seed" --force
STARTED+=("$(cat "$WORK/munge/munged.pid")")

# slurm: one node (this machine), one partition, no accounting
NODE=$(hostname -s)
CPUS=$(nproc)
MEMORY=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 2048 ))
mkdir -p "$WORK/state" "$WORK/spool"
cat >"$WORK/slurm.conf" <<EOF
ClusterName=replications
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=300
NodeName=$NODE CPUs=$CPUS RealMemory=$MEMORY State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
# The config also goes to SLURM's default path: the executor plugin clears SLURM_* variables before it submits, so
# job steps (srun) inside the jobs find it only there. A config already there is put back at the end.
mkdir -p /etc/slurm
[ -e /etc/slurm/slurm.conf ] && cp -p /etc/slurm/slurm.conf "$WORK/slurm.conf.original"
cp "$WORK/slurm.conf" /etc/slurm/slurm.conf
export SLURM_CONF=/etc/slurm/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
    [ -s "$WORK/slurmctld.pid" ] && [ -s "$WORK/slurmd.pid" ] && sinfo -h -o %T 2>/dev/null | grep -qx idle && break
    sleep 1
done
STARTED+=("$(cat "$WORK/slurmd.pid")" "$(cat "$WORK/slurmctld.pid")")
if ! sinfo -h -o %T | grep -qx idle; then
    echo "test-cluster: FAILED: the node did not come up"; cat "$WORK/slurmctld.log" "$WORK/slurmd.log"; exit 1
fi
echo "test-cluster: one-node SLURM cluster up: $(sinfo -h -o '%P %D %c %m %T')"

SMOKE=(--workflow-profile workflows/profiles/smoke)
start=$SECONDS
"$PYTHON" -m snakemake --cores "$CPUS" "${SMOKE[@]}" \
    --config results_dir="$WORK/local/results" figures_dir="$WORK/local/figures" >"$WORK/local.log" 2>&1 \
    || { tail -40 "$WORK/local.log"; exit 1; }
echo "test-cluster: local smoke run in $((SECONDS - start)) s"
start=$SECONDS
"$PYTHON" -m snakemake --profile workflows/profiles/slurm "${SMOKE[@]}" $(tr '\n' ' ' <tests/cluster/overlay.args) \
    --slurm-logdir "$WORK/slurm_logs" \
    --config results_dir="$WORK/slurm/results" figures_dir="$WORK/slurm/figures" >"$WORK/slurm.log" 2>&1 \
    || { tail -60 "$WORK/slurm.log"; cat "$WORK/slurmctld.log" | tail -20; exit 1; }
echo "test-cluster: smoke run through SLURM in $((SECONDS - start)) s"
"$PYTHON" tests/cluster/compare.py "$WORK/local" "$WORK/slurm" "$WORK/slurm.log" "$WORK/slurm_logs"
