#!/usr/bin/env bash
# Installs a built memsgd tree to a fresh prefix, builds tests/install/consumer against it in a
# fresh build folder (as a user would: find_package(memsgd)) and runs it on 2 ranks.
# Usage: install_test.sh CMAKE SOURCE_DIR BUILD_DIR WORK_DIR CXX_COMPILER BUILD_TYPE [CXX_FLAGS]
set -euo pipefail
cmake="$1" source="$2" build="$3" work="$4" compiler="$5" type="$6" flags="${7:-}"

rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log"
"$prefix/bin/memsgd-train" --help > /dev/null
"$prefix/bin/memsgd-optimum" --help > /dev/null
"$prefix/bin/memsgd-convert" --help > /dev/null

"$cmake" -S "$source/tests/install/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_BUILD_TYPE="$type" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > "$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
"$cmake" --build "$work/build"
# The build machine's CPU flags stay in memsgd's own tree unless the consumer asks for them.
if grep -q -- "-march=native" "$work/build/compile_commands.json"; then
  echo "install_test: -march=native reached the consumer's compile line:" >&2
  cat "$work/build/compile_commands.json" >&2
  exit 1
fi

# The consumer and its own model see memsgd's headers as installed: no include folder of the
# compile line, resolved, lies in memsgd's tree outside the prefix.
source_real=$(realpath "$source")
prefix_real=$(realpath "$prefix")
for folder in $(grep -oE -- '-(I|isystem) ?[^ "]+' "$work/build/compile_commands.json" |
                sed -E 's/^-(I|isystem) ?//' | sort -u); do
  resolved=$(realpath -m "$folder")
  if [[ "$resolved/" == "$source_real/"* && "$resolved/" != "$prefix_real/"* ]]; then
    echo "install_test: the consumer includes $folder, in memsgd's source tree" >&2
    exit 1
  fi
done

"$source/launch/mpirun.sh" -np 2 "$work/build/memsgd_consumer" \
  "$source/configs/data/heart_scale" "$work/run.h5"
