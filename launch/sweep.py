#!/usr/bin/python3
"""Runs memsgd-train once for every combination of configs, rank counts and key values.

Usage: launch/sweep.py CONFIG.ini [CONFIG.ini ...] --out DIR [--ranks 1,2,4] [--optimum DIR]
                       [--keep-stale] [KEY=VALUE[,VALUE...] ...]

  KEY=V1,V2     a config key and its values, e.g. compression.k=1,10 compression.method=top_k,rand_k
  --ranks       MPI rank counts (default: 2)
  --optimum     folder of f* files: computes f* once per problem (data fingerprint, rows, d,
                lambda, normalisation) with memsgd-optimum, reused when present there, and passes
                it as model.optimum, so runs log suboptimality
  --keep-stale  skip every complete run, even one whose configuration or data has changed

Each run writes DIR/NAME.h5 and its output to DIR/NAME.log, NAME being the config's name, the rank
count and every KEY=VALUE, e.g. theory_w8a_top_1__np2__k=10. A complete run is skipped only when
the /config it stored equals what `memsgd-train --dry-run` resolves now (data fingerprints and the
f* value included; log.* and the data and f* paths left out); otherwise it runs again, and the
sweep prints which keys differ. So an interrupted sweep continues where it stopped, and a changed
config or data file never returns an old result. The sweep stops at the first failing run with
its exit code and the end of its output.
"""

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import h5py

REPO = Path(__file__).resolve().parent.parent
# The /config attributes that name the problem f* belongs to, as memsgd-optimum stores them.
IDENTITY_KEYS = ("train_fingerprint", "train_rows", "dim", "lambda_resolved", "data.normalize")
# Paths stand for content that the fingerprints and the f* value compare instead.
PATH_KEYS = ("data.train", "data.test", "model.optimum")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("configs", nargs="+", metavar="CONFIG.ini or KEY=VALUES")
    parser.add_argument("--out", required=True, type=Path, help="results folder")
    parser.add_argument("--ranks", default="2", help="comma-separated MPI rank counts")
    parser.add_argument("--optimum", type=Path, help="folder of f* files, computed when missing")
    parser.add_argument("--keep-stale", action="store_true",
                        help="skip complete runs without checking their configuration")
    parser.add_argument("--build", type=Path,
                        default=Path(os.environ.get("MEMSGD_BUILD_DIR", REPO / "build")),
                        help="build folder holding memsgd-train and memsgd-optimum")
    args = parser.parse_intermixed_args(argv)
    # KEY=VALUES and configs may come in any order; a config never contains '='.
    args.sweep = {}
    configs = []
    for word in args.configs:
        if "=" in word:
            key, values = word.split("=", 1)
            args.sweep[key] = values.split(",")
        else:
            configs.append(Path(word))
    args.configs = configs
    if not configs:
        parser.error("no config given")
    for config in configs:
        if not config.is_file():
            parser.error(f"config {config} does not exist")
    short = [key.rsplit(".", 1)[-1] for key in args.sweep]
    if len(set(short)) != len(short):
        parser.error("two swept keys share their last name part, which run names use")
    args.ranks = [int(r) for r in args.ranks.split(",")]
    return args


def safe(text):
    """A file-name-safe form of a value: paths give their last part, odd characters become '_'."""
    return re.sub(r"[^A-Za-z0-9.+-]", "_", Path(text).name if "/" in text else text)


def run_name(config, ranks, settings):
    parts = [config.stem, f"np{ranks}"]
    parts += [f"{key.rsplit('.', 1)[-1]}={safe(value)}" for key, value in settings.items()]
    return "__".join(parts)


def is_complete(path):
    """Whether memsgd-train finished writing the run file (it marks it at the very end)."""
    try:
        with h5py.File(path, "r") as f:
            return f.attrs.get("complete", 0) == 1
    except OSError:
        return False


def compared(attributes):
    """The /config attributes that decide whether a run is still the one the sweep asks for."""
    return {key: value for key, value in attributes.items()
            if not key.startswith("log.") and key not in PATH_KEYS}


def stored_config(path):
    with h5py.File(path, "r") as f:
        return {key: (value.decode() if isinstance(value, bytes) else value)
                for key, value in f["config"].attrs.items()}


def differences(stored, wanted):
    """'key: OLD in the file, NEW now' for every compared key that differs."""
    stored, wanted = compared(stored), compared(wanted)
    missing = "(none)"
    return [f"{key}: {stored.get(key, missing)!r} in the file, {wanted.get(key, missing)!r} now"
            for key in sorted(set(stored) | set(wanted))
            if stored.get(key, missing) != wanted.get(key, missing)]


def mpirun(ranks, tool, build, config, arguments):
    return [str(REPO / "launch" / "mpirun.sh"), "-np", str(ranks), str(build / tool),
            str(config)] + arguments


def run_logged(command, log):
    """Runs `command` with its output in `log`; returns its exit code and the last lines."""
    with open(log, "w") as out:
        code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
    lines = Path(log).read_text(errors="replace").splitlines()
    return code, "\n".join(lines[-15:])


def fail(what, code, tail):
    print(f"sweep: {what} failed with exit code {code}; the end of its output:\n{tail}",
          file=sys.stderr)
    # A run killed by a signal has a negative code; the sweep's must be non-zero either way.
    sys.exit(code if code > 0 else 1)


def dry_run(args, config, ranks, arguments, name):
    """What the run's /config would hold: `memsgd-train --dry-run` prints it as JSON."""
    command = mpirun(ranks, "memsgd-train", args.build, config, arguments + ["--dry-run"])
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    if result.returncode != 0:
        print()
        fail(f"run {name}", result.returncode, "\n".join(result.stdout.splitlines()[-15:]))
    # The JSON object is the one line of the output that starts with '{'.
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if len(lines) != 1:
        print()
        fail(f"memsgd-train --dry-run for {name} (no JSON line in its output)", 1,
             "\n".join(result.stdout.splitlines()[-15:]))
    return json.loads(lines[0])


def optimum_file(args, config, arguments, identity, ranks):
    """The f* file for the problem `identity` (a dry run's attributes), computed on first use."""
    tag = "__".join(f"{key.rsplit('.', 1)[-1]}={safe(str(identity[key]))}"
                    for key in IDENTITY_KEYS)
    path = args.optimum / f"fstar__{tag}.h5"
    try:
        with h5py.File(path, "r") as f:
            if "f_star" in f:
                return path, float(f["f_star"][0])
    except OSError:
        pass  # missing or half-written: compute it
    args.optimum.mkdir(parents=True, exist_ok=True)
    print(f"sweep: computing f* for {tag} ...", end="", flush=True)
    start = time.monotonic()
    command = mpirun(ranks, "memsgd-optimum", args.build, config,
                     arguments + [f"--log.output={path}", "--log.overwrite=true"])
    code, tail = run_logged(command, path.with_suffix(".log"))
    if code != 0:
        print()
        fail(f"memsgd-optimum for {tag}", code, tail)
    print(f" {time.monotonic() - start:.1f} s")
    with h5py.File(path, "r") as f:
        return path, float(f["f_star"][0])


def main(argv):
    args = parse_arguments(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    keys = list(args.sweep)
    runs = [(config, ranks, dict(zip(keys, values)))
            for config in args.configs
            for ranks in args.ranks
            for values in itertools.product(*args.sweep.values())]
    sweep_start = time.monotonic()
    ran = 0
    for i, (config, ranks, settings) in enumerate(runs, 1):
        name = run_name(config, ranks, settings)
        output = args.out / f"{name}.h5"
        prefix = f"[{i}/{len(runs)}] {name}"
        complete = is_complete(output)
        if complete and args.keep_stale:
            print(f"{prefix}: complete, skipped (--keep-stale)")
            continue
        arguments = [f"--{key}={value}" for key, value in settings.items()]
        wanted = None
        if args.optimum:
            # f* is the same for every rank count: compute it on as many ranks as there are cores.
            wanted = dry_run(args, config, ranks, arguments + ["--model.optimum="], name)
            optimum_ranks = min(max(args.ranks), os.cpu_count() or 1)
            fstar, value = optimum_file(args, config, arguments, wanted, optimum_ranks)
            arguments.append(f"--model.optimum={fstar.resolve()}")
            # What memsgd-train stores for this f*; it checks the file's identity itself.
            wanted["model.optimum"] = str(fstar.resolve())
            wanted["optimum_value"] = value
        if complete:
            if wanted is None:
                wanted = dry_run(args, config, ranks, arguments, name)
            changed = differences(stored_config(output), wanted)
            if not changed:
                print(f"{prefix}: complete, skipped")
                continue
            print(f"{prefix}: stale, running again ({'; '.join(changed)})")
        arguments += [f"--log.output={output}", "--log.overwrite=true"]
        print(f"{prefix} ...", end="", flush=True)
        start = time.monotonic()
        code, tail = run_logged(mpirun(ranks, "memsgd-train", args.build, config, arguments),
                                output.with_suffix(".log"))
        if code != 0:
            print()
            fail(f"run {name}", code, tail)
        if not is_complete(output):
            print()
            fail(f"run {name} (exit 0, but {output} is not marked complete)", 1, tail)
        ran += 1
        print(f" {time.monotonic() - start:.1f} s (sweep {time.monotonic() - sweep_start:.1f} s)")
    print(f"sweep: {ran} run(s), {len(runs) - ran} already complete, "
          f"{time.monotonic() - sweep_start:.1f} s; results in {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
