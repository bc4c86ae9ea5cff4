#!/usr/bin/env bash
# memsgd-convert as a user meets it: what it refuses, and what it leaves behind when it fails.
#   convert_test.sh CASE MEMSGD_CONVERT [A9A [MPIRUN_SH MEMSGD_TRAIN CONFIG]]
# CASE: existing (an existing OUT is refused and left alone), overwrite (--overwrite replaces it),
# malformed (a bad line mid-file: exit 3 with file:line, no OUT, no partial file), killed (SIGTERM
# mid-conversion: no OUT, no partial file), memory (a 300 MB LIBSVM file converts under a 200 MB
# address-space limit, and so does a 600 MB --layout dense file), train (a9a converted trains at np 2 to the same /metrics/train_loss, bit
# for bit, and the same fingerprint as a9a itself; so does its --layout dense conversion, stored
# as /dense), layout (auto stores a dense input as /dense and a9a as CSR, --layout sparse a dense
# one as CSR, same fingerprints; a bad --layout, and a dense file larger than the disk, are refused),
# csv (a gzip'd CSV with a header, CRLF and blank lines, and a TSV named .txt with --format csv,
# convert to the rows of their LIBSVM twin, in more than one block; a bad line is refused with
# file:line; --label-column for LIBSVM input is refused), truncated (training from a truncated
# conversion at np 2: exit 3 naming the file, printed once).
set -uo pipefail
case="$1" convert="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_exit() {  # expect_exit CODE COMMAND...: runs it, stderr in err.txt
  local code=$1
  shift
  echo "+ $*"
  timeout 120 "$@" 2> err.txt
  local got=$?
  cat err.txt
  ((got == code)) || fail "exit code $got, expected $code"
}
no_output_left() {  # neither OUT nor a partial file of it
  [[ ! -e out.h5 ]] || fail "out.h5 exists after a failed conversion"
  compgen -G "out.h5.partial*" > /dev/null && fail "a partial file is left: $(echo out.h5.partial*)"
}
# LIBSVM rows: $1 rows of 50 features, line $2 (0: none) malformed; identical blocks of 1,000
# distinct rows, so that hundreds of MB are written in seconds.
rows() {
  python3 - "$1" "$2" <<'PY'
import random, sys
count, bad = int(sys.argv[1]), int(sys.argv[2])
random.seed(3)
block = []
for r in range(1000):
    features = sorted(random.sample(range(1, 5000), 50))
    block.append(("+1" if r % 2 else "-1") + " " +
                 " ".join(f"{i}:{random.random():.9f}" for i in features) + "\n")
with open("in.svm", "w") as out:
    for start in range(0, count, 1000):
        lines = block[: min(1000, count - start)]
        if start < bad <= start + len(lines):
            lines = list(lines)
            lines[bad - start - 1] = "+1 7:0.5 3:0.25\n"
        out.write("".join(lines))
PY
}

# Which storage FILE holds: dense or csr.
storage() {
  if h5dump -n "$1" 2> /dev/null | grep -q " /dense$"; then echo dense; else echo csr; fi
}
fingerprint() { h5dump -a /fingerprint "$1" 2> /dev/null | grep -o '(0): [0-9]*'; }

case "$case" in
  existing)
    echo "not a dataset" > out.h5
    sum="$(md5sum < out.h5)"
    expect_exit 2 "$convert" "$3" out.h5
    grep -q "out.h5 exists; pass --overwrite" err.txt || fail "the message does not name out.h5"
    [[ "$(md5sum < out.h5)" == "$sum" ]] || fail "out.h5 was modified"
    ;;
  overwrite)
    echo "not a dataset" > out.h5
    expect_exit 0 "$convert" "$3" out.h5 --overwrite
    [[ "$(h5dump -a /n out.h5 2> /dev/null | grep -o '(0): [0-9]*')" == "(0): 32561" ]] ||
      fail "out.h5 does not hold a9a's 32561 rows"
    compgen -G "out.h5.partial*" > /dev/null && fail "a partial file is left"
    ;;
  malformed)
    rows 30000 25000  # some blocks are written before line 25000 is met
    expect_exit 3 "$convert" in.svm out.h5
    grep -q "in.svm:25000: index 3 .* is not strictly increasing" err.txt || fail "no in.svm:25000"
    no_output_left
    ;;
  killed)
    rows 400000 0
    echo "+ $convert in.svm out.h5 (SIGTERM once the partial file exists)"
    "$convert" in.svm out.h5 &
    job=$!
    for _ in $(seq 1 300); do
      compgen -G "out.h5.partial*" > /dev/null && break
      sleep 0.02
    done
    sleep 0.2
    kill -TERM "$job"
    wait "$job"
    code=$?
    echo "exit code $code"
    ((code == 143)) || fail "exit code $code, expected 143 (SIGTERM), or it finished first"
    no_output_left
    ;;
  memory)
    rows 500000 0  # about 300 MB of text, 25 M entries: 300 MB as rows in memory
    size=$(stat -c %s in.svm)
    echo "in.svm: $size bytes"
    ((size > 280000000)) || fail "in.svm is only $size bytes"
    expect_exit 0 prlimit --as=$((200 * 1024 * 1024)) "$convert" in.svm out.h5
    [[ "$(h5dump -a /n out.h5 2> /dev/null | grep -o '(0): [0-9]*')" == "(0): 500000" ]] ||
      fail "out.h5 does not hold 500000 rows"
    # The dense pass is bounded too: 30,000 x 4999 float32 values, 600 MB, under the same limit.
    rows 30000 0
    expect_exit 0 prlimit --as=$((200 * 1024 * 1024)) "$convert" in.svm dense.h5 --layout dense \
      --values float32
    [[ "$(storage dense.h5)" == dense ]] || fail "dense.h5 is not stored dense"
    ;;
  train)
    mpirun_sh="$4" train="$5" config="$6"
    expect_exit 0 "$convert" "$3" a9a.h5
    expect_exit 0 "$convert" "$3" dense.h5 --layout dense
    [[ "$(storage a9a.h5) $(storage dense.h5)" == "csr dense" ]] ||
      fail "storage: a9a.h5 $(storage a9a.h5), dense.h5 $(storage dense.h5); expected csr dense"
    for source in "$3" a9a.h5 dense.h5; do
      run="run_$(basename "$source").h5"
      expect_exit 0 "$mpirun_sh" -np 2 "$train" "$config" --data.train="$(realpath "$source")" \
        --optimizer.epochs=1 --log.quiet=true --log.output="$run"
      h5dump -d /metrics/train_loss -b LE -o "$run.loss" "$run" > /dev/null ||
        fail "no /metrics/train_loss in $run"
      h5dump -a /config/train_fingerprint "$run" | grep '(0)' > "$run.fingerprint"
    done
    cmp "run_$(basename "$3").h5.loss" run_a9a.h5.h5.loss ||
      fail "train_loss differs between the LIBSVM file and its conversion"
    [[ -s run_a9a.h5.h5.loss ]] || fail "no train_loss rows"
    cmp "run_$(basename "$3").h5.fingerprint" run_a9a.h5.h5.fingerprint ||
      fail "train_fingerprint differs: $(cat ./*.fingerprint)"
    cmp run_a9a.h5.h5.loss run_dense.h5.h5.loss ||
      fail "train_loss differs between the CSR and the dense conversion"
    cmp run_a9a.h5.h5.fingerprint run_dense.h5.h5.fingerprint ||
      fail "train_fingerprint differs between the CSR and the dense conversion"
    ;;
  layout)
    # 0.75 of the cells nonzero: above the 30% data.layout = auto stores dense from.
    python3 - <<'PY'
with open("dense.svm", "w") as out:
    for r in range(2000):
        out.write(f"{1 if r % 2 else -1} " +
                  " ".join(f"{j}:{(r * 7 + j) % 13 / 4}" for j in range(1, 9) if (r + j) % 4) + "\n")
PY
    expect_exit 0 "$convert" dense.svm auto.h5
    expect_exit 0 "$convert" dense.svm sparse.h5 --layout sparse
    expect_exit 0 "$convert" "$3" a9a.h5
    [[ "$(storage auto.h5) $(storage sparse.h5) $(storage a9a.h5)" == "dense csr csr" ]] ||
      fail "storage: auto.h5 $(storage auto.h5), sparse.h5 $(storage sparse.h5), a9a.h5 \
$(storage a9a.h5); expected dense csr csr"
    [[ -n "$(fingerprint auto.h5)" && "$(fingerprint auto.h5)" == "$(fingerprint sparse.h5)" ]] ||
      fail "fingerprints differ: $(fingerprint auto.h5) and $(fingerprint sparse.h5)"
    compgen -G "*.partial*" > /dev/null && fail "a partial file is left: $(echo ./*.partial*)"
    expect_exit 2 "$convert" dense.svm bad.h5 --layout csr
    grep -q -- "--layout csr: expected auto, dense or sparse" err.txt || fail "no --layout message"
    # 1,000 x 2e9 cells: some 16 TB dense, more than this file system holds.
    for r in $(seq 1 999); do echo "1 1:1"; done > wide.svm
    echo "-1 2000000000:1" >> wide.svm
    expect_exit 2 "$convert" wide.svm wide.h5 --layout dense
    grep -q -- "--layout dense: n x d = 1000 x 2000000000 values need 16000 GB" err.txt ||
      fail "no free-space refusal"
    compgen -G "wide.h5*" > /dev/null && fail "a file of wide.h5 is left: $(echo wide.h5*)"
    ;;
  csv)
    # 10,000 rows (three blocks of 4096), label last; the same rows as LIBSVM, zeros left out.
    python3 - <<'PY'
import gzip
csv, tsv, svm = [], [], []
for r in range(10000):
    values = [((r * 31 + j * 17) % 11 - 5) / 4 for j in range(6)]
    label = 1 if r % 3 else -1
    csv.append(",".join(f"{v:g}" for v in values) + f",{label}\r\n" + ("\r\n" if r % 977 == 0 else ""))
    tsv.append(f"{label}\t" + "\t".join(f"{v:g}" for v in values) + "\n")
    svm.append(f"{label} " + " ".join(f"{j + 1}:{v:g}" for j, v in enumerate(values) if v) + "\n")
with gzip.open("in.csv.gz", "wt", newline="") as out:
    out.write("a,b,c,d,e,f,y\r\n" + "".join(csv))
open("in.txt", "w").write("".join(tsv))
open("in.svm", "w").write("".join(svm))
open("bad.csv", "w").write("x,y\n" + "1,1\n" * 5000 + "1,,1\n")
PY
    expect_exit 0 "$convert" in.svm svm.h5
    expect_exit 0 "$convert" in.csv.gz csv.h5 --label-column last
    expect_exit 0 "$convert" in.txt tsv.h5 --format csv
    [[ "$(h5dump -a /n csv.h5 2> /dev/null | grep -o '(0): [0-9]*')" == "(0): 10000" ]] ||
      fail "csv.h5 does not hold 10000 rows"
    [[ -n "$(fingerprint svm.h5)" && "$(fingerprint csv.h5)" == "$(fingerprint svm.h5)" &&
      "$(fingerprint tsv.h5)" == "$(fingerprint svm.h5)" ]] ||
      fail "fingerprints differ: svm $(fingerprint svm.h5), csv $(fingerprint csv.h5), tsv $(fingerprint tsv.h5)"
    expect_exit 3 "$convert" bad.csv bad.h5
    grep -q "bad.csv:5002: .*has 3 fields, but the first data line (line 2) has 2" err.txt ||
      fail "no bad.csv:5002"
    expect_exit 2 "$convert" in.svm x.h5 --label-column 2
    grep -q -- "--label-column and --header are for CSV/TSV input" err.txt || fail "no CSV-option refusal"
    compgen -G "*.partial*" > /dev/null && fail "a partial file is left: $(echo ./*.partial*)"
    ;;
  truncated)
    mpirun_sh="$4" train="$5" config="$6"
    expect_exit 0 "$convert" "$3" a9a.h5
    truncate -s 3000000 a9a.h5
    expect_exit 3 "$mpirun_sh" -np 2 "$train" "$config" --data.train="$PWD/a9a.h5" \
      --log.output=run.h5
    grep -q "a9a.h5: cannot read it as an HDF5 dataset (not HDF5, truncated or corrupt?)" err.txt ||
      fail "the message does not name a9a.h5 as unreadable"
    n="$(grep -c "memsgd-train: error" err.txt)"
    ((n == 1)) || fail "the error is printed $n times, expected once"
    ;;
  *)
    echo "convert_test.sh: unknown case '$case'" >&2
    exit 2
    ;;
esac
((failures == 0)) && echo "PASS"
((failures == 0))
