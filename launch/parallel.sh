#!/usr/bin/env bash
# The paper's parallel experiment (configs/parallel, one config per method and data set): the
# asynchronous shared-memory mode on 1, 2 and 4 ranks and the synchronous mode on 1 and 2, three
# seeds each; f* once per data set by memsgd-optimum; then the table of launch/speedup.py and the
# time-to-target figures. 4 ranks share the cores of a 2-core machine (oversubscribed). Finished
# runs are skipped, so a second call continues an interrupted one. Time it on an idle machine:
# other jobs on the cores slow the steps, not the samples.
# Usage: launch/parallel.sh [RESULTS]   (default: runs/parallel)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="${1:-runs/parallel}"
"$repo/launch/setup.sh" > /dev/null

for data in epsilon rcv1; do
  configs=("$repo"/configs/parallel/"$data"_*.ini)
  sweep=("$repo/launch/sweep.py" --optimum "$results/optimum" --out "$results/parallel-$data")
  "${sweep[@]}" "${configs[@]}" --ranks 1,2,4 optimizer.seed=1,2,3
  "${sweep[@]}" "${configs[@]}" --ranks 1,2 optimizer.seed=1,2,3 communication.mode=sync
  "$repo/launch/plot.py" "$results/parallel-$data" --out "$results/figures" \
    --prefix "parallel-${data}_" --title "parallel, shared and sync"
done
"$repo/launch/speedup.py" "$results"
