#!/usr/bin/env bash
# Smoke test of launch/benchmarks.sh: its quick mode must write a table with a row for each suite
# and each end-to-end run, ratios named where the suite has a bound.
# Usage: summary_quick_test.sh BENCHMARKS_SCRIPT OUT_DIR   (MEMSGD_BUILD_DIR: the build to use)
set -euo pipefail
script="$1"
out="$2"
rm -rf "$out"
"$script" --quick --out "$out" > /dev/null
table="$out/summary.md"

# Each check: the start of a row, and a text that row must hold.
checks=(
  "| selection | top_k/2000/1 |" "x_read = "
  "| step | step/double/sparse/top_k_1 |" "x_bound = "
  "| step | step/float/sparse/top_k_1 |" "x_bound = "
  "| exchange | exchange/sparse/k:1000 |" "ratio_to_raw = "
  "| exchange | exchange/dense |" "ratio_to_raw = "
  "| mlp_step | mlp/np1/double/top_k_1pct |" "x_gemm = "
  "| mlp_step | mlp/np2/double/top_k_1pct |" "x_gemm = "
  "| load | load/np1/epsilon/hdf5_f64 |" "x_raw = "
  "| load | load/np2/epsilon/hdf5_f64 |" "x_raw = "
)
for ranks in 1 2; do
  for run in epsilon/top_k_1 epsilon/top_k_1_float epsilon/sgd rcv1/top_k_10 \
             rcv1/top_k_10_float rcv1/sgd; do
    checks+=("| train | $run/np$ranks |" "| s/epoch |")
  done
done
for ((i = 0; i < ${#checks[@]}; i += 2)); do
  if ! grep -F -- "${checks[i]}" "$table" | grep -qF -- "${checks[i + 1]}"; then
    echo "summary_quick_test: no row '${checks[i]}' holding '${checks[i + 1]}' in $table:" >&2
    cat "$table" >&2
    exit 1
  fi
done
echo "summary_quick_test: all ${#checks[@]} checks passed"
