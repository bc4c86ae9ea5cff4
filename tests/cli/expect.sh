#!/usr/bin/env bash
# Runs one command as a user would and checks what the user sees: exit code, output, files.
#   expect.sh [OPTION...] -- COMMAND [ARG...]
# The command runs in a fresh temporary folder (removed on exit), where the setup options
# create its input files, so relative paths in COMMAND name those files.
# Setup:
#   --write NAME TEXT           write TEXT to NAME, '|' separating lines
#   --rows NAME COUNT BAD       COUNT valid LIBSVM rows (max index 7); line BAD (0: none) is
#                               replaced by one with a decreasing index
# Checks:
#   --exit CODE                 expected exit code (default 0)
#   --timeout SECONDS           hard limit; running longer counts as a hang (default 60)
#   --ends-within SECONDS NAME  the command exits at most SECONDS after it creates file NAME
#                               (how fast a failure ends the whole job)
#   --stdout RE | --stderr RE   that stream matches the extended regex RE
#   --once RE                   RE occurs exactly once in stdout and stderr together
#   --unchanged NAME            NAME has the same checksum after the run as before
#   --h5 NAME OBJECT            `h5ls -r NAME` lists OBJECT
#   --h5attr NAME ATTR RE       the value of HDF5 attribute ATTR (/group/name) in NAME matches RE
set -uo pipefail

expected_exit=0
limit=60
ends_within="" ends_after_file=""
writes=() rows=() stdout_res=() stderr_res=() once_res=() unchanged=() h5=() h5attrs=()
while (($#)); do
  case "$1" in
    --write) writes+=("$2" "$3"); shift 3 ;;
    --rows) rows+=("$2" "$3" "$4"); shift 4 ;;
    --exit) expected_exit="$2"; shift 2 ;;
    --timeout) limit="$2"; shift 2 ;;
    --ends-within) ends_within="$2" ends_after_file="$3"; shift 3 ;;
    --stdout) stdout_res+=("$2"); shift 2 ;;
    --stderr) stderr_res+=("$2"); shift 2 ;;
    --once) once_res+=("$2"); shift 2 ;;
    --unchanged) unchanged+=("$2"); shift 2 ;;
    --h5) h5+=("$2" "$3"); shift 3 ;;
    --h5attr) h5attrs+=("$2" "$3" "$4"); shift 4 ;;
    --) shift; break ;;
    *) echo "expect.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
(($#)) || { echo "expect.sh: no command after --" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2

for ((i = 0; i < ${#writes[@]}; i += 2)); do
  printf '%s\n' "${writes[i + 1]}" | tr '|' '\n' > "${writes[i]}"
done
for ((i = 0; i < ${#rows[@]}; i += 3)); do
  for ((line = 1; line <= rows[i + 1]; line++)); do
    if ((line == rows[i + 2])); then
      echo "+1 3:0.5 2:0.1"
    else
      echo "$((line % 2 ? 1 : -1)) 1:0.$line $((line % 5 + 2)):1 7:0.25"
    fi
  done > "${rows[i]}"
done
declare -A sums
for name in "${unchanged[@]}"; do sums[$name]="$(md5sum < "$name")"; done

echo "+ $*"
start=$SECONDS
# </dev/null: mpirun forwards stdin to rank 0, and a test must never wait for input.
timeout --kill-after=5 "$limit" "$@" > out.txt 2> err.txt < /dev/null &
job=$!
# Poll rather than wait, to time the job's end against the creation of ends_after_file.
appeared_at=""
newly_appeared() { [[ -n "$ends_after_file" && -z "$appeared_at" && -e "$ends_after_file" ]]; }
while kill -0 "$job" 2> /dev/null; do
  newly_appeared && appeared_at="$EPOCHREALTIME"
  sleep 0.05
done
ended_at="$EPOCHREALTIME"
# Created and ended between two polls.
newly_appeared && appeared_at="$ended_at"
wait "$job"
code=$?
elapsed=$((SECONDS - start))
echo "--- stdout"; cat out.txt
echo "--- stderr"; cat err.txt
echo "--- exit code $code after ${elapsed}s"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if ((code == 124 || code == 137)); then
  fail "still running after ${limit}s: killed (hang?)"
elif ((code != expected_exit)); then
  fail "exit code $code, expected $expected_exit"
fi
if [[ -n "$ends_after_file" ]]; then
  if [[ -z "$appeared_at" ]]; then
    fail "$ends_after_file was never created"
  else
    lag="$(awk -v a="$appeared_at" -v b="$ended_at" 'BEGIN { printf "%.2f", b - a }')"
    echo "--- job ended ${lag}s after $ends_after_file was created"
    awk -v lag="$lag" -v max="$ends_within" 'BEGIN { exit !(lag <= max) }' ||
      fail "job ended ${lag}s after $ends_after_file was created, more than ${ends_within}s"
  fi
fi
for re in "${stdout_res[@]}"; do grep -qE -- "$re" out.txt || fail "stdout does not match /$re/"; done
for re in "${stderr_res[@]}"; do grep -qE -- "$re" err.txt || fail "stderr does not match /$re/"; done
for re in "${once_res[@]}"; do
  n="$(cat out.txt err.txt | grep -oE -- "$re" | wc -l)"
  ((n == 1)) || fail "/$re/ occurs $n times in the output, expected once"
done
for name in "${unchanged[@]}"; do
  [[ "$(md5sum < "$name" 2> /dev/null)" == "${sums[$name]}" ]] || fail "$name was modified"
done
for ((i = 0; i < ${#h5[@]}; i += 2)); do
  h5ls -r "${h5[i]}" 2> /dev/null | grep -qE "^${h5[i + 1]}[[:space:]]" ||
    fail "h5ls -r ${h5[i]} does not list ${h5[i + 1]}"
done
for ((i = 0; i < ${#h5attrs[@]}; i += 3)); do
  # h5dump prints the value after "(0): "; a string in quotes.
  value=$(h5dump -a "${h5attrs[i + 1]}" "${h5attrs[i]}" 2> /dev/null | sed -n 's/^ *(0): //p')
  [[ "$value" =~ ${h5attrs[i + 2]} ]] ||
    fail "attribute ${h5attrs[i + 1]} of ${h5attrs[i]} is '$value', not /${h5attrs[i + 2]}/"
done

((failures == 0)) && echo "PASS"
((failures == 0))
