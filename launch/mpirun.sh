#!/usr/bin/env bash
# Runs an MPI program with mpirun, adding only the flags this machine needs:
#   --allow-run-as-root   when run as root (containers, CI),
#   --oversubscribe       when more ranks than cores are asked for (laptops, CI).
# On a cluster neither applies and the command is plain mpirun.
# Usage: launch/mpirun.sh -np N PROGRAM [ARGS...]   (other mpirun flags may precede PROGRAM)
set -euo pipefail

ranks=1
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ "${args[$i]}" == "-np" || "${args[$i]}" == "-n" ]]; then
    ranks="${args[$((i + 1))]}"
    break
  fi
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
