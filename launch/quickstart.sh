#!/usr/bin/env bash
# Sets up (packages + build) and runs Mem-SGD top-1 on a9a with 2 MPI ranks: writes
# runs/quickstart.h5 and prints progress and a summary. Extra arguments override config keys,
# e.g. launch/quickstart.sh --compression.k=10
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo/launch/setup.sh" > /dev/null
exec "$repo/launch/mpirun.sh" -np 2 "$repo/build/memsgd-train" "$repo/configs/quickstart.ini" "$@"
