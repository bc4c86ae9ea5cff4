#!/usr/bin/env bash
# Installs memsgd's Debian packages when any is missing (apt-get; sudo only when not root) and
# builds the project into build/ (Release). Safe to run again: it only does what is missing.
# Usage: launch/setup.sh [extra cmake -D options]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MEMSGD_BUILD_DIR:-$repo/build}"

packages=(
  g++ cmake make pkg-config
  openmpi-bin libopenmpi-dev
  libeigen3-dev liblbfgspp-dev
  libboost-program-options-dev libboost-iostreams-dev
  libhdf5-dev hdf5-tools
  libgtest-dev libbenchmark-dev
  python3-h5py python3-matplotlib
  dataset-fashion-mnist
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  if [[ "$(id -u)" != "0" ]]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" > "$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)"
