#!/usr/bin/env bash
# kill -9 during a run must leave a readable run file holding every flushed row.
#   kill_during_run.sh job|rank1 MPIRUN_SH MEMSGD_TRAIN CONFIG
# job: the whole job is killed. rank1: only rank 1 is (a lost node); the rest of the job must then
# end by itself within 5 s, with a non-zero exit code.
set -uo pipefail
victim="$1" mpirun_sh="$2" train="$3" config="$4"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Long enough to be killed mid-run: many evaluations, many epochs.
setsid "$mpirun_sh" -np 2 "$train" "$config" --optimizer.epochs=200 --log.eval_every=2000 \
  --log.quiet=true --log.output="$tmp/run.h5" > "$tmp/out" 2>&1 &
job=$!

rows() {  # rows of /metrics/samples as h5ls reports them: "samples  Dataset {N/Inf}"
  h5ls "$tmp/run.h5/metrics/samples" 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p'
}
# Up to 60 s: under a loaded ctest -j the first rows can take far longer than on an idle machine.
for _ in $(seq 1 600); do
  [[ "$(rows)" =~ ^[0-9]+$ ]] && (($(rows) >= 5)) && break
  sleep 0.1
done
# setsid made the job its own session; Open MPI gives each rank its own process group, so the
# whole job (launcher and ranks) is found by session, and must be gone before reading.
if [[ "$victim" == job ]]; then
  pkill -9 -s "$job"
else
  for pid in $(pgrep -s "$job" -x "$(basename "$train")"); do
    if tr '\0' '\n' < "/proc/$pid/environ" | grep -qx "OMPI_COMM_WORLD_RANK=1"; then
      kill -9 "$pid"
    fi
  done
fi
killed_at=$SECONDS
wait "$job" 2>/dev/null
code=$?
for _ in $(seq 1 100); do
  pgrep -s "$job" > /dev/null || break
  sleep 0.1
done
if [[ "$victim" == rank1 ]]; then
  echo "the job ended $((SECONDS - killed_at)) s after rank 1 was killed, exit code $code"
  if ((SECONDS - killed_at > 5)); then
    echo "FAIL: the job took $((SECONDS - killed_at)) s to end after rank 1 was killed"
    exit 1
  fi
  if ((code == 0)); then
    echo "FAIL: the job exited 0 after rank 1 was killed"
    exit 1
  fi
fi

seen="$(rows)"
if ! [[ "$seen" =~ ^[0-9]+$ ]] || ((seen < 5)); then
  echo "FAIL: run file unreadable or short after kill -9 (rows: '${seen}')"
  h5ls -r "$tmp/run.h5"; cat "$tmp/out"
  exit 1
fi
# Every column holds the flushed rows (one more at most: a row in flight when the job died).
while read -r name _ shape; do
  n="$(sed -n 's/{\([0-9]*\)\/.*/\1/p' <<< "$shape")"
  if ((n < seen || n > seen + 1)); then
    echo "FAIL: /metrics/$name has $n rows, /metrics/samples $seen"
    exit 1
  fi
done < <(h5ls "$tmp/run.h5/metrics")
# The values themselves read back.
if ! h5dump -d /metrics/train_loss "$tmp/run.h5" > /dev/null; then
  echo "FAIL: h5dump cannot read /metrics/train_loss after kill -9"
  exit 1
fi
# Sweeps tell an interrupted run by the missing completion mark and run it again.
if h5dump -a /complete "$tmp/run.h5" > /dev/null 2>&1; then
  echo "FAIL: the killed run is marked complete"
  exit 1
fi
echo "PASS: $seen rows readable after kill -9 ($victim), not marked complete"
