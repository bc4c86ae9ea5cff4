#!/usr/bin/env bash
# Runs memsgd's benchmarks and writes one markdown table of their figures, printed too:
#   - the Google benchmarks in build/tests/bench: selection and step on one rank, exchange on 2
#     ranks through launch/mpirun.sh, the MLP step and loading (two 64 MB LIBSVM files, and their
#     bzip2 and HDF5 forms; 1 MB in quick mode) on 1 and 2; medians of 5 repetitions, with each
#     ratio and its bound;
#   - memsgd-train end to end: seconds per epoch of training steps (loading, generation and
#     evaluation excluded) on synthetic:epsilon (n = 400000, d = 2000) and synthetic:rcv1
#     (n = 20242, d = 47236), top-k (k = 1 on epsilon, 10 on rcv1; in double and in float) and
#     SGD, on 1 and 2 ranks.
# Builds nothing: uses build/ from launch/setup.sh, or MEMSGD_BUILD_DIR.
# Usage: launch/benchmarks.sh [--quick] [--filter REGEX] [--out DIR]
#   --quick         a smoke run of a few seconds: 1 repetition, a few small benchmarks, data
#                   sets of 2000 (epsilon) and 500 (rcv1) rows
#   --filter REGEX  only the Google benchmarks whose names match (in every binary)
#   --out DIR       where results and logs go (default bench-results/); the table: DIR/summary.md
# MEMSGD_MPIRUN_FLAGS reaches every mpirun (launch/mpirun.sh): on a machine shared with other
# jobs, ranks that spin while they wait slow each other down; "--mca mpi_yield_when_idle 1" helps.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MEMSGD_BUILD_DIR:-$repo/build}"
out="$repo/bench-results"
quick=false
filter=""
usage="usage: launch/benchmarks.sh [--quick] [--filter REGEX] [--out DIR]"
while (($# > 0)); do
  case "$1" in
    --quick) quick=true ;;
    --filter) filter="${2:?$usage}"; shift ;;
    --out) out="${2:?$usage}"; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done

repetitions=5
timing_flags=()
load_mb=64
epsilon_rows=400000
rcv1_rows=20242
if $quick; then
  repetitions=1
  filter="${filter:-^(top_k/2000/|step/[a-z]*/sparse/|exchange/sparse/k:1000/|exchange/dense|mlp/np[12]/double/top_k_1pct/|load/np[12]/epsilon/hdf5_f64/)}"
  timing_flags=(--benchmark_min_time=0.01)
  epsilon_rows=2000
  rcv1_rows=500
  load_mb=1
fi

for program in tests/bench/memsgd_selection_benchmark tests/bench/memsgd_step_benchmark \
               tests/bench/memsgd_load_benchmark \
               tests/bench/memsgd_exchange_benchmark tests/bench/memsgd_mlp_step_benchmark \
               memsgd-train; do
  if [[ ! -x "$build/$program" ]]; then
    echo "benchmarks: $build/$program is missing; build first (launch/setup.sh)" >&2
    exit 1
  fi
done
mkdir -p "$out/logs" "$out/runs"
rm -f "$out"/*.json "$out/train.tsv"

# run_google NAME COMMAND...: one benchmark binary, JSON to $out/NAME.json, console to its log.
run_google() {
  local name="$1"
  shift
  echo "benchmarks: $name" >&2
  "$@" --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/$name.json" --benchmark_out_format=json \
    ${filter:+"--benchmark_filter=$filter"} "${timing_flags[@]}" > "$out/logs/$name.txt" 2>&1 ||
    { cat "$out/logs/$name.txt" >&2; exit 1; }
}

# train DATA ROWS LABEL METHOD K RANKS [PRECISION]: one memsgd-train run of one epoch, evaluated
# only at its start and end; appends name, ranks, load_s, step_s, epochs to $out/train.tsv.
train() {
  local data="$1" rows="$2" label="$3" method="$4" k="$5" ranks="$6" precision="${7:-double}"
  local name="$data/$label"
  local log="$out/logs/train_${data}_${label}_np$ranks.txt"
  echo "benchmarks: memsgd-train $name on $ranks rank(s)" >&2
  local memory=true
  [[ "$method" == none ]] && memory=false
  "$repo/launch/mpirun.sh" -np "$ranks" "$build/memsgd-train" --data.train="synthetic:$data" \
    --data.rows="$rows" --compression.method="$method" --compression.k="$k" \
    --compression.memory="$memory" --model.precision="$precision" --optimizer.epochs=1 --log.eval_every=$((2 * rows)) \
    --log.quiet=true --log.overwrite=true \
    --log.output="$out/runs/${data}_${label}_np$ranks.h5" > "$log" 2>&1 ||
    { cat "$log" >&2; exit 1; }
  local pattern='^time: load ([0-9.]+) s, steps ([0-9.]+) s for ([0-9.]+) epochs'
  if [[ ! "$(grep '^time: ' "$log")" =~ $pattern ]]; then
    echo "benchmarks: no timing line in $log" >&2
    exit 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$ranks" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
    "${BASH_REMATCH[3]}" >> "$out/train.tsv"
}

run_google selection "$build/tests/bench/memsgd_selection_benchmark"
run_google step "$build/tests/bench/memsgd_step_benchmark"
run_google exchange "$repo/launch/mpirun.sh" -np 2 "$build/tests/bench/memsgd_exchange_benchmark"
for ranks in 1 2; do
  run_google "mlp_step_np$ranks" "$repo/launch/mpirun.sh" -np "$ranks" \
    "$build/tests/bench/memsgd_mlp_step_benchmark"
  run_google "load_np$ranks" "$repo/launch/mpirun.sh" -np "$ranks" \
    "$build/tests/bench/memsgd_load_benchmark" --load_mb="$load_mb"
done

for ranks in 1 2; do
  train epsilon "$epsilon_rows" top_k_1 top_k 1 "$ranks"
  train epsilon "$epsilon_rows" top_k_1_float top_k 1 "$ranks" float
  train epsilon "$epsilon_rows" sgd none 1 "$ranks"
  train rcv1 "$rcv1_rows" top_k_10 top_k 10 "$ranks"
  train rcv1 "$rcv1_rows" top_k_10_float top_k 10 "$ranks" float
  train rcv1 "$rcv1_rows" sgd none 1 "$ranks"
done

# A binary whose benchmarks the filter all skipped writes no JSON.
results=()
for name in selection step exchange mlp_step_np1 mlp_step_np2 load_np1 load_np2; do
  [[ -s "$out/$name.json" ]] && results+=("$out/$name.json")
done
/usr/bin/python3 "$repo/launch/benchmark_summary.py" "$out/summary.md" "${results[@]}" \
  "$out/train.tsv"
echo "benchmarks: table written to $out/summary.md" >&2
