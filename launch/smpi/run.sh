#!/usr/bin/env bash
# Runs memsgd-train under SimGrid's smpirun on a simulated cluster (README "Simulated clusters
# (SimGrid SMPI)"): every rank one host of the platform, every rank a context of one process here.
# Usage: launch/smpi/run.sh -np P CONFIG [key=value ...]
#   CONFIG       an INI file as memsgd-train takes it ("" for none: keys alone)
#   key=value    a config override, passed as --key=value (--key=value works as well)
# Environment:
#   MEMSGD_SMPI_BUILD_DIR  the -DMEMSGD_SMPI=ON build holding memsgd-train (default build-smpi)
#   MEMSGD_SMPI_PLATFORM   the platform XML (default launch/smpi/cluster_flat.xml, 1024 hosts)
#   MEMSGD_SMPI_FLAGS      extra smpirun flags (e.g. "--cfg=smpi/simulate-computation:no")
# Times in the run file are simulated (MPI_Wtime), except /ranks/wait_s (see README).
# A bad command line is refused with exit code 2 before smpirun starts.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
usage="usage: launch/smpi/run.sh -np P CONFIG [key=value ...]"

if (($# < 3)) || [[ "$1" != "-np" ]]; then
  echo "launch/smpi/run.sh: $usage" >&2
  exit 2
fi
ranks="$2"
config="$3"
shift 3
if ! [[ "$ranks" =~ ^[1-9][0-9]*$ ]]; then
  echo "launch/smpi/run.sh: -np needs a positive integer rank count, got '$ranks'" >&2
  exit 2
fi

build="${MEMSGD_SMPI_BUILD_DIR:-$repo/build-smpi}"
platform="${MEMSGD_SMPI_PLATFORM:-$here/cluster_flat.xml}"
train="$build/memsgd-train"
if [[ ! -x "$train" ]]; then
  echo "launch/smpi/run.sh: no $train: build it with cmake -S $repo -B $build -DMEMSGD_SMPI=ON" \
    "&& cmake --build $build --target memsgd-train" >&2
  exit 2
fi
if [[ ! -f "$platform" ]]; then
  echo "launch/smpi/run.sh: no platform file $platform (MEMSGD_SMPI_PLATFORM)" >&2
  exit 2
fi
# The platform's hosts: one <cluster radical="0-N"> or one <host> element per host.
hosts=$(/usr/bin/python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
count = sum(1 for _ in root.iter("host"))
for cluster in root.iter("cluster"):
    for part in cluster.get("radical").split(","):
        low, _, high = part.partition("-")
        count += int(high or low) - int(low) + 1
print(count)' "$platform")
if ((ranks > hosts)); then
  echo "launch/smpi/run.sh: -np $ranks: the platform $platform has $hosts hosts" >&2
  exit 2
fi

args=()
if [[ -n "$config" ]]; then
  args+=("$config")
fi
timeout_given=false
for setting in "$@"; do
  if [[ "$setting" != --* && "$setting" == *=* ]]; then
    setting="--$setting"
  elif [[ "$setting" != --* ]]; then
    echo "launch/smpi/run.sh: '$setting' is not key=value ($usage)" >&2
    exit 2
  fi
  [[ "$setting" == --communication.timeout_s=* ]] && timeout_given=true
  args+=("$setting")
done
# No watchdog under SMPI: memsgd-train refuses a timeout other than 0 (and a key given twice).
if [[ "$timeout_given" == false ]]; then
  args+=(--communication.timeout_s=0)
fi

read -ra site_flags <<< "${MEMSGD_SMPI_FLAGS:-}"
# -no-privatize: memsgd-train keeps no mutable global state, so its ranks can share one copy of
# it (privatising copies the program once per rank). The factors of 1 make a message cost exactly
# the platform's latency plus size / bandwidth (SMPI's defaults fit a TCP Ethernet cluster), the
# ompi selector picks the collective algorithms Open MPI would, and host-speed matches the
# platform's 1 Gflop/s: a burst of computation costs its time on this machine. The kernel's
# warnings would repeat a failing exit code once per rank. alltoallv (split_allgather's) runs as
# Open MPI's pairwise algorithm, P - 1 rounds: its linear one starts all P (P - 1) flows at once,
# and SimGrid's bandwidth solver took minutes for a few steps of that at P = 128.
exec smpirun -np "$ranks" -platform "$platform" -no-privatize \
  --cfg=smpi/bw-factor:0:1 --cfg=smpi/lat-factor:0:1 --cfg=smpi/coll-selector:ompi \
  --cfg=smpi/alltoallv:pair \
  --cfg=smpi/host-speed:1Gf --log=root.thres:warning --log=smpi_kernel.thres:error \
  "${site_flags[@]}" "$train" "${args[@]}"
