#!/usr/bin/env bash
# kill -STOP of one rank (a frozen node, a debugger): the rank stops without dying, and the
# collective watchdog of the others must end the job.
#   stop_rank.sh NP RANK MPIRUN_SH MEMSGD_TRAIN CONFIG
# With communication.timeout_s = 2 the job must end within 2 + 5 s of the stop, with exit code 5
# (an MPI error), the watchdog's message printed once, every flushed row of the run file readable,
# and no process of the job left behind but the stopped rank, which the test continues: it must
# then end by itself (the launcher's SIGTERM waits for it). Any process left is killed on exit.
set -uo pipefail
np="$1" victim="$2" mpirun_sh="$3" train="$4" config="$5"
timeout_s=2
tmp="$(mktemp -d)"
job=""
cleanup() {
  if [[ -n "$job" ]]; then
    for pid in $(pgrep -s "$job"); do
      kill -CONT "$pid" 2> /dev/null
      kill -9 "$pid" 2> /dev/null
    done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

setsid "$mpirun_sh" -np "$np" "$train" "$config" --optimizer.epochs=200 --log.eval_every=2000 \
  --log.quiet=true --communication.timeout_s="$timeout_s" --log.output="$tmp/run.h5" \
  > "$tmp/out" 2>&1 &
job=$!

rows() {  # rows of /metrics/samples as h5ls reports them: "samples  Dataset {N/Inf}"
  h5ls "$tmp/run.h5/metrics/samples" 2> /dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p'
}
for _ in $(seq 1 200); do
  [[ "$(rows)" =~ ^[0-9]+$ ]] && (($(rows) >= 3)) && break
  sleep 0.1
done
stopped=""
for pid in $(pgrep -s "$job" -x "$(basename "$train")"); do
  if tr '\0' '\n' < "/proc/$pid/environ" | grep -qx "OMPI_COMM_WORLD_RANK=$victim"; then
    stopped="$pid"
  fi
done
if [[ -z "$stopped" ]]; then
  echo "FAIL: rank $victim not found running"
  cat "$tmp/out"
  exit 1
fi
kill -STOP "$stopped"
stopped_at="$(date +%s.%N)"
# Guard against a hang: the test gives up 20 s after the stop.
for _ in $(seq 1 200); do
  kill -0 "$job" 2> /dev/null || break
  sleep 0.1
done
ended_at="$(date +%s.%N)"
if kill -0 "$job" 2> /dev/null; then
  echo "FAIL: the job still runs 20 s after rank $victim of $np was stopped"
  cat "$tmp/out"
  exit 1
fi
wait "$job"
code=$?
took="$(awk -v a="$stopped_at" -v b="$ended_at" 'BEGIN { printf "%.2f", b - a }')"
echo "the job ended ${took} s after rank $victim of $np was stopped, exit code $code"
cat "$tmp/out"
status=0
if awk -v t="$took" -v limit="$((timeout_s + 5))" 'BEGIN { exit !(t > limit) }'; then
  echo "FAIL: more than timeout_s + 5 s"
  status=1
fi
if ((code != 5)); then
  echo "FAIL: exit code $code, not 5 (MPI error)"
  status=1
fi
# Mostly the step's exchange, but the stop may catch the ranks in an evaluation's collective.
message="error on rank [0-9]+: waited more than communication.timeout_s = $timeout_s s in [a-z' ]+ after step [0-9]+: another rank stopped responding"
if (($(grep -cE "$message" "$tmp/out") != 1)) || (($(grep -c "memsgd-train: error" "$tmp/out") != 1)); then
  echo "FAIL: the watchdog's message is not printed exactly once"
  status=1
fi
# The launcher has ended every other process; the stopped one only gets its SIGTERM once it runs.
for _ in $(seq 1 20); do
  pgrep -s "$job" | grep -qvx "$stopped" || break
  sleep 0.1
done
if left="$(pgrep -s "$job" | grep -vx "$stopped")"; then
  echo "FAIL: processes of the job left behind 2 s after it ended: $(ps -o pid,stat,args -p "$(echo $left | tr ' ' ,)")"
  status=1
fi
kill -CONT "$stopped" 2> /dev/null
for _ in $(seq 1 20); do
  kill -0 "$stopped" 2> /dev/null || break
  sleep 0.1
done
if kill -0 "$stopped" 2> /dev/null; then
  echo "FAIL: the stopped rank still runs 2 s after it was continued"
  status=1
fi
# Every flushed row reads back, in every column, and the run is not marked complete.
if ! /usr/bin/python3 - "$tmp/run.h5" "$np" << 'PYTHON'; then
import sys
import h5py
path, ranks = sys.argv[1], int(sys.argv[2])
with h5py.File(path, "r") as f:
    rows = len(f["/metrics/samples"][:])
    assert rows >= 3, f"only {rows} rows"
    for group in ("/metrics", "/ranks"):
        for name, column in f[group].items():
            values = column[:]
            assert rows <= len(values) <= rows + 1, f"{group}/{name}: {len(values)} rows, {rows} samples"
    assert f["/ranks/wait_s"].shape[1] == ranks, f["/ranks/wait_s"].shape
    assert "complete" not in f.attrs, "a stopped run is marked complete"
    print(f"{rows} rows readable")
PYTHON
  echo "FAIL: the run file does not read back"
  status=1
fi
((status == 0)) && echo "PASS: rank $victim of $np stopped, the job ended in ${took} s"
exit "$status"
