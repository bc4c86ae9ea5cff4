#!/usr/bin/env bash
# Runs an MPI program with mpirun, adding only the flags this machine needs:
#   --allow-run-as-root   when run as root (containers, CI),
#   --oversubscribe       when more ranks than cores are asked for (laptops, CI).
# On a cluster neither applies and the command is plain mpirun.
# Usage: launch/mpirun.sh -np N PROGRAM [ARGS...]   (other mpirun flags may precede PROGRAM)
# A missing or malformed rank count is refused with exit code 2 before mpirun starts.
set -euo pipefail

# The rank count, in every spelling Open MPI 4.1's mpirun accepts: -np, --np, -n, --n, -c, --c,
# each followed by the count as its own argument (mpirun rejects "--np=4" and "-np4").
ranks=1
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  flag="${args[$i]}"
  case "$flag" in
    -np | --np | -n | --n | -c | --c)
      if ((i + 1 >= ${#args[@]})); then
        echo "launch/mpirun.sh: $flag needs a rank count" >&2
        exit 2
      fi
      ranks="${args[$((i + 1))]}"
      if ! [[ "$ranks" =~ ^[1-9][0-9]*$ ]]; then
        echo "launch/mpirun.sh: $flag needs a positive integer rank count, got '$ranks'" >&2
        exit 2
      fi
      break
      ;;
    -np=* | --np=* | -n=* | --n=* | -c=* | --c=*)
      echo "launch/mpirun.sh: '$flag' is not an mpirun option (Open MPI rejects it); write" \
        "'${flag%%=*} ${flag#*=}'" >&2
      exit 2
      ;;
  esac
done

extra=()
if [[ "$(id -u)" == "0" ]]; then
  extra+=(--allow-run-as-root)
fi
if ((ranks > $(nproc))); then
  # Several ranks per core: binding them to cores would serialise them.
  extra+=(--oversubscribe --bind-to none)
fi
# MEMSGD_MPIRUN_FLAGS adds site-specific flags (e.g. "--bind-to none" when jobs share cores).
read -ra site_flags <<< "${MEMSGD_MPIRUN_FLAGS:-}"
exec mpirun "${extra[@]}" "${site_flags[@]}" "$@"
