#!/usr/bin/env bash
# Reproduces the paper's experiments (configs/paper, one config per curve): sets up and builds,
# runs every sweep into RESULTS (f* by memsgd-optimum once per data set; finished runs are
# skipped, so a second call continues an interrupted one), draws every figure into
# RESULTS/figures, copies those README.md shows to configs/paper/figures, and prints the table
# of findings. About 6 CPU-minutes: 4.5 minutes of wall time on an idle 2-core machine.
# Usage: launch/paper.sh [RESULTS]   (default: runs/paper)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="${1:-runs/paper}"
configs="$repo/configs/paper"
"$repo/launch/setup.sh" > /dev/null

sweep() { "$repo/launch/sweep.py" --optimum "$results/optimum" "$@"; }
plot() { "$repo/launch/plot.py" "$results/$1" --out "$results/figures" --prefix "$1_" "${@:2}"; }

# Findings 1 and 2: the paper's sequential runs, on one rank; bits by the paper's convention.
for data in epsilon rcv1 w8a; do
  sweep "$configs"/theory_"$data"_*.ini --out "$results/theory-$data" --ranks 1
  plot "theory-$data" --traffic paper --title "theory, 1 rank"
done
# Findings 3 and 4: on 2 ranks, so that MPI carries (and the run files count) real bytes.
for data in epsilon rcv1 w8a; do
  sweep "$configs"/bits_"$data"_*.ini --out "$results/bits-$data" --ranks 2
  plot "bits-$data" --title "bits, 2 ranks"
done
# Scaling: 4 ranks share the 2 cores of the machine this was written on.
sweep "$configs"/scaling_epsilon_*.ini --out "$results/scaling-epsilon" --ranks 1,2,4
plot scaling-epsilon --title "scaling"

mkdir -p "$configs/figures"
for figure in theory-epsilon_suboptimality_vs_epoch theory-rcv1_suboptimality_vs_epoch \
  theory-w8a_suboptimality_vs_epoch bits-epsilon_suboptimality_vs_mb \
  bits-rcv1_suboptimality_vs_mb bits-w8a_suboptimality_vs_mb bits-epsilon_accuracy_vs_mb \
  scaling-epsilon_time_to_target; do
  cp "$results/figures/$figure.png" "$configs/figures/"
done
"$repo/launch/findings.py" "$results"
