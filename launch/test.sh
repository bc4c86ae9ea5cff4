#!/usr/bin/env bash
# Sets up (packages + build) and runs the whole test suite: unit tests, MPI tests at 1, 2 and 4
# ranks, and end-to-end tests of memsgd-train. Extra arguments go to ctest (e.g. -R mpi).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$repo/launch/setup.sh"
cd "${MEMSGD_BUILD_DIR:-$repo/build}"
exec ctest -j "$(nproc)" --output-on-failure --timeout 900 "$@"
