#!/usr/bin/env bash
# launch/mpirun.sh reads the rank count in every spelling Open MPI 4.1's mpirun accepts
# (-np, --np, -n, --n, -c, --c followed by the count) and refuses a missing or malformed count.
# The count asked for is two more than the cores, so the job starts only if the wrapper saw the
# count and added --oversubscribe.
set -uo pipefail

wrapper="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/launch/mpirun.sh"
ranks=$(($(nproc) + 2))
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Each rank prints the job size that Open MPI gives it.
for flag in -np --np -n --n -c --c; do
  output="$(timeout 60 "$wrapper" "$flag" "$ranks" sh -c 'echo "size $OMPI_COMM_WORLD_SIZE"' 2>&1)"
  code=$?
  lines="$(grep -c "^size $ranks\$" <<< "$output")"
  if ((code != 0 || lines != ranks)); then
    fail "'$flag $ranks': exit $code, $lines of $ranks ranks reported size $ranks:"$'\n'"$output"
  else
    echo "ok: '$flag $ranks' started $ranks ranks"
  fi
done

# Bad counts: exit 2 and a message naming the flag, before mpirun starts anything.
refuse() {
  local pattern="$1"
  shift
  output="$(timeout 60 "$wrapper" "$@" 2>&1)"
  code=$?
  if ((code != 2)) || ! grep -qE -- "$pattern" <<< "$output"; then
    fail "'$*': expected exit 2 and /$pattern/, got exit $code:"$'\n'"$output"
  else
    echo "ok: '$*' refused: $output"
  fi
}
refuse "--np needs a rank count" --np
refuse "-np needs a positive integer rank count, got 'four'" -np four hostname
refuse "-n needs a positive integer rank count, got '0'" -n 0 hostname
refuse "--np needs a positive integer rank count, got '2x'" --np 2x hostname
refuse "'--np=4' is not an mpirun option.*--np 4" --np=4 hostname
refuse "'-n=2' is not an mpirun option.*-n 2" -n=2 hostname

((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
