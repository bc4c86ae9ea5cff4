#!/usr/bin/env bash
# A slow but alive rank: memsgd-fault makes rank 1 of 2 sleep 0.3 s after each of its 11 run file
# rows, outside the exchange: 3.3 s in all, longer than communication.timeout_s = 2 s but never
# that long at once. The job must finish (exit 0: the watchdog times each wait, not their sum),
# rank 0's /ranks/wait_s must hold the wait and rank 1's not, and the summary must name rank 1 as
# the slowest.
#   slow_rank.sh MPIRUN_SH MEMSGD_FAULT CONFIG
set -uo pipefail
mpirun_sh="$1" fault="$2" config="$3"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

MEMSGD_SLOW=1:300 timeout 60 "$mpirun_sh" -np 2 "$fault" "$config" --communication.timeout_s=2 \
  --log.output="$tmp/run.h5" > "$tmp/out" 2>&1
code=$?
cat "$tmp/out"
status=0
if ((code != 0)); then
  echo "FAIL: exit code $code: a rank that is slow but alive ended the job"
  status=1
fi
if ! grep -qE "^wait in the exchange: slowest rank 1 [0-9.]+% of step time, fastest rank 0 [0-9.]+%$" "$tmp/out"; then
  echo "FAIL: the summary does not name rank 1 as the slowest"
  status=1
fi
if ! /usr/bin/python3 - "$tmp/run.h5" << 'PYTHON'; then
import sys
import h5py
with h5py.File(sys.argv[1], "r") as f:
    wait = f["/ranks/wait_s"][:]
    print("/ranks/wait_s, first and last rows:", wait[0], wait[-1])
    assert wait.shape == (11, 2), wait.shape
    assert (wait[1:] >= wait[:-1]).all(), "wait_s is not cumulative"
    # Rank 0 waited for each of rank 1's 10 sleeps of 0.3 s before the last row.
    assert wait[-1, 0] >= 2.9, f"rank 0 waited only {wait[-1, 0]} s"
    assert wait[-1, 0] - wait[-1, 1] >= 2.0, f"rank 0 {wait[-1, 0]} s, rank 1 {wait[-1, 1]} s"
PYTHON
  echo "FAIL: /ranks/wait_s does not show the slow rank"
  status=1
fi
((status == 0)) && echo "PASS: a slow rank shows in /ranks/wait_s and the job finished"
exit "$status"
