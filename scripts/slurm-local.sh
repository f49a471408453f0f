#!/usr/bin/env bash
# Runs ptc's parallel cpu programs under a local, single-node Slurm and
# checks them against mpirun: installs Slurm and munge (Debian packages),
# configures a one-node cluster on this host in $PTC_SLURM_DIR (default
# /tmp/ptc-slurm; /etc is not touched: private slurm.conf, munge socket,
# state and logs), starts munged, slurmctld and slurmd, builds the tiny spec
# as dp=2 (2 ranks) and tp=2 x dp=2 (4 ranks) for the cpu target, and checks:
#   - srun -n N --mpi=pmix and mpirun -np N give identical logs (20 steps,
#     compare_logs.py --rtol 1e-6) and byte-identical --save-weights files;
#   - srun -n 3 of the 4-rank program: the runtime's world-size error, fast;
#   - a rank killed (SIGKILL), a rank failing (NaN) and a rank hanging
#     (--comm-timeout) each end the whole srun step;
#   - sbatch: srun inside an allocation, mpirun inside an allocation, and the
#     batch script itself starting the program (refused: no launcher);
#   - srun --mpi=none / --mpi=pmi2 fail fast (Debian's Open MPI is built with
#     PMIx only), they do not hang.
# Stops every daemon it started, on success or failure; safe to rerun (it
# first stops daemons a previous run left behind, and starts from a fresh
# cluster state). Root is needed (apt-get, daemons). Not part of CI.
#
# Usage: scripts/slurm-local.sh
#   PTC=path/to/ptc         the compiler (default: build/bin/ptc)
#   PTC_DIST_TEST=path      ptc-dist-test-program for the NaN/hang cases
#                           (default: next to $PTC; skipped when absent)
#   PTC_SLURM_DIR=dir       cluster and work folder (default /tmp/ptc-slurm)
#   PTC_SLURM_KEEP=1        leave the daemons running (SLURM_CONF=dir/etc/slurm.conf)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ptc=${PTC:-$root/build/bin/ptc}
dist_test=${PTC_DIST_TEST:-$(dirname "$ptc")/ptc-dist-test-program}
dir=${PTC_SLURM_DIR:-/tmp/ptc-slurm}
run_job=(python3 "$root/test/Integration/dist-runtime/Inputs/run_job.py")
compare=(python3 "$root/test/reference/compare_logs.py")

if [[ $(id -u) -ne 0 ]]; then
  echo "slurm-local: needs root (apt-get, munged, slurmctld, slurmd)" >&2
  exit 1
fi
if [[ ! -x $ptc ]]; then
  echo "slurm-local: no compiler at $ptc (build it, or set PTC=...)" >&2
  exit 1
fi

# --- 1. packages ------------------------------------------------------------
packages=(slurm-wlm munge openmpi-bin libopenmpi-dev python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi

# --- daemons ----------------------------------------------------------------
export SLURM_CONF=$dir/etc/slurm.conf
# Ends the daemon whose pid file is $1 (TERM, then KILL after 10 s).
stop_pidfile() {
  local file=$1 pid
  [[ -s $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$file"
}
stop_daemons() {
  # Let the last steps' slurmstepd finish before their slurmd goes.
  for _ in $(seq 50); do pgrep -x slurmstepd > /dev/null || break; sleep 0.2; done
  stop_pidfile "$dir/run/slurmd.pid"
  stop_pidfile "$dir/run/slurmctld.pid"
  stop_pidfile "$dir/munge/munged.pid"
}
stop_daemons # whatever an interrupted run left behind
if [[ -z ${PTC_SLURM_KEEP:-} ]]; then
  trap 'stop_daemons; echo "== daemons stopped"' EXIT
  trap 'exit 130' INT TERM # so that the EXIT trap runs
fi

host=$(hostname -s)
cpus=$(nproc)
((cpus < 4)) && cpus=4 # 4 tasks on a smaller machine: declare 4 CPUs
rm -rf "${dir:?}"/{state,spool,log,run,etc,munge}
mkdir -p "$dir"/{etc,state,spool,log,run,munge,work}
chmod 755 "$dir"
chown munge:munge "$dir/munge"
chmod 755 "$dir/munge" # munged wants others to reach its socket

# munge: the package's key (made by its postinst; made here if missing),
# a private socket, run as the munge user as the package does.
[[ -s /etc/munge/munge.key ]] || { mungekey --create --force && chown munge:munge /etc/munge/munge.key; }
runuser -u munge -- /usr/sbin/munged --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
  --seed-file="$dir/munge/munged.seed"
munge -n -S "$dir/munge/munge.socket" | unmunge -S "$dir/munge/munge.socket" > /dev/null

cat > "$SLURM_CONF" <<EOF
# One node, this host; written by scripts/slurm-local.sh.
ClusterName=ptc-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MailProg=/bin/true
# No cgroups (containers often lack them): linuxproc tracks the tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# CPUs below may exceed the hardware's (4 tasks on 2 cores).
SlurmdParameters=config_overrides
# Slurm's default; the commands below pass --mpi=pmix.
MpiDefault=none
ReturnToService=2
KillWait=5
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  sinfo -h -o %t 2>/dev/null | grep -qx idle && break
  sleep 0.5
done
echo "== cluster"
sinfo
srun -n 2 hostname
srun --mpi=list

# Four ranks on fewer cores: tell Open MPI to yield while it waits (mpirun
# --oversubscribe does so by itself; under srun it cannot know, and busy
# polling makes each step several times slower).
if (($(nproc) < 4)); then export OMPI_MCA_mpi_yield_when_idle=1; fi

# --- 2. programs --------------------------------------------------------------
work=$dir/work
cd "$work"
rm -f ./*.jsonl ./*.safetensors ./*.out
echo "== building tiny-dp2, tiny-tp2dp2 (cpu target)"
python3 - "$root/models/tiny.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
for name, plan in [("tiny-dp2", {"tp": 1, "pp": 1, "dp": 2}),
                   ("tiny-tp2dp2", {"tp": 2, "pp": 1, "dp": 2})]:
    spec["name"], spec["parallel"] = name, plan
    json.dump(spec, open(name + ".json", "w"), indent=2)
PY
"$ptc" data "$root/data/tinyshakespeare.txt" -o data > /dev/null
"$ptc" compile tiny-dp2.json -o tiny-dp2
"$ptc" compile tiny-tp2dp2.json -o tiny-tp2dp2
data=(--data "$work/data/train_*.bin" --steps 20 --quiet)
mpirun=(mpirun --oversubscribe --allow-run-as-root)

# --- 3. checks ----------------------------------------------------------------
failures=0
check() { # check NAME COMMAND...: runs it, prints its output on failure
  local name=$1; shift
  if "$@" > "$name.out" 2>&1; then
    echo "PASS  $name"
  else
    echo "FAIL  $name"; sed 's/^/      /' "$name.out"; failures=$((failures + 1))
  fi
}
expect() { # expect NAME PATTERN: the last check's output has PATTERN
  if grep -qE "$2" "$1.out"; then echo "PASS  $1: says '$2'"
  else echo "FAIL  $1: no '$2'"; sed 's/^/      /' "$1.out"; failures=$((failures + 1)); fi
}

for prog in tiny-dp2:2 tiny-tp2dp2:4; do
  p=${prog%:*} n=${prog#*:}
  check "$p-mpirun" "${mpirun[@]}" -np "$n" "./$p" "${data[@]}" --log "$p-mpirun.jsonl" --save-weights "$p-mpirun.safetensors"
  check "$p-srun" srun -n "$n" --mpi=pmix "./$p" "${data[@]}" --log "$p-srun.jsonl" --save-weights "$p-srun.safetensors"
  check "$p-logs-identical" "${compare[@]}" "$p-srun.jsonl" "$p-mpirun.jsonl" --steps 20 --rtol 1e-6
  grep "max rel diff" "$p-logs-identical.out" | sed 's/^/      /'
  check "$p-weights-identical" cmp "$p-srun.safetensors" "$p-mpirun.safetensors"
done

check wrong-size "${run_job[@]}" --fails --within 60 -- srun -n 3 --mpi=pmix ./tiny-tp2dp2 "${data[@]}"
expect wrong-size "^error: this program was compiled for 4 ranks \(pp=1 x dp=2 x tp=2\) but was launched with 3"

# SIGKILL to rank 1 after 3 s of a long run: Slurm ends the step.
(sleep 3
 for pid in $(pgrep -x tiny-tp2dp2); do
   tr '\0' '\n' < "/proc/$pid/environ" | grep -qx SLURM_PROCID=1 && kill -9 "$pid"
 done) &
check killed-rank "${run_job[@]}" --fails --within 60 -- srun -n 4 --mpi=pmix ./tiny-tp2dp2 --data "$work/data/train_*.bin" --steps 100000 --quiet
wait
expect killed-rank "task 1: Killed"

if [[ -x $dist_test ]]; then
  check nan-rank "${run_job[@]}" --fails --within 60 -- srun -n 4 --mpi=pmix "$dist_test" fail-rank 3 "${data[@]}"
  expect nan-rank "rank 3: error: step 2, micro-batch 0: the loss is nan"
  check hung-rank "${run_job[@]}" --fails --within 90 -- srun -n 4 --mpi=pmix "$dist_test" hang-rank 1 "${data[@]}" --comm-timeout 5
  expect hung-rank "rank [0-3]: error: step 2 did not finish within 5 s \(--comm-timeout\)"
else
  echo "SKIP  nan-rank, hung-rank: no $dist_test"
fi

cat > batch.sh <<EOF
#!/bin/bash
cd "$work"
echo "== the batch script itself"; ./tiny-tp2dp2 ${data[*]@Q}; echo "status \$?"
srun -n 2 --mpi=pmix ./tiny-dp2 ${data[*]@Q} --log tiny-dp2-sbatch-srun.jsonl
srun --mpi=pmix ./tiny-tp2dp2 ${data[*]@Q} --log tiny-tp2dp2-sbatch-srun.jsonl
mpirun --allow-run-as-root ./tiny-tp2dp2 ${data[*]@Q} --log tiny-tp2dp2-sbatch-mpirun.jsonl
EOF
check sbatch sbatch -n 4 -o sbatch.log --wait batch.sh
cat sbatch.log >> sbatch.out
expect sbatch "but was started without a launcher"
check tiny-dp2-sbatch-srun "${compare[@]}" tiny-dp2-sbatch-srun.jsonl tiny-dp2-mpirun.jsonl --steps 20 --rtol 1e-6
check tiny-tp2dp2-sbatch-srun "${compare[@]}" tiny-tp2dp2-sbatch-srun.jsonl tiny-tp2dp2-mpirun.jsonl --steps 20 --rtol 1e-6
check tiny-tp2dp2-sbatch-mpirun "${compare[@]}" tiny-tp2dp2-sbatch-mpirun.jsonl tiny-tp2dp2-mpirun.jsonl --steps 20 --rtol 1e-6

for mpi in none pmi2; do
  check "mpi-$mpi-fails-fast" "${run_job[@]}" --fails --within 60 -- srun -n 2 --mpi=$mpi ./tiny-dp2 "${data[@]}"
done

echo "== $failures failure(s); outputs and logs in $work"
((failures == 0))
