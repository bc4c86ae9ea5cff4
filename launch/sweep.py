#!/usr/bin/python3
"""Runs memsgd-train once for every combination of configs, rank counts and key values.

Usage: launch/sweep.py CONFIG.ini [CONFIG.ini ...] --out DIR [--ranks 1,2,4] [--optimum DIR]
                       [KEY=VALUE[,VALUE...] ...]

  KEY=V1,V2    a config key and its values, e.g. compression.k=1,10 compression.method=top_k,rand_k
  --ranks      MPI rank counts (default: 2)
  --optimum    folder of f* files: computes f* once per data set with memsgd-optimum (reused when
               present there) and passes it as model.optimum, so runs log suboptimality

Each run writes DIR/NAME.h5 and its output to DIR/NAME.log, NAME being the config's name, the rank
count and every KEY=VALUE, e.g. theory_w8a_top_1__np2__k=10. A run whose file is marked complete is
skipped, so an interrupted sweep continues where it stopped; an interrupted run starts again. The
sweep stops at the first failing run with its exit code and the end of its output.
"""

import argparse
import configparser
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import h5py

REPO = Path(__file__).resolve().parent.parent
# The keys that define the data set and objective, hence f*.
OPTIMUM_KEYS = ("data.train", "data.rows", "data.dim", "data.normalize", "model.lambda")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("configs", nargs="+", metavar="CONFIG.ini or KEY=VALUES")
    parser.add_argument("--out", required=True, type=Path, help="results folder")
    parser.add_argument("--ranks", default="2", help="comma-separated MPI rank counts")
    parser.add_argument("--optimum", type=Path, help="folder of f* files, computed when missing")
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


def data_settings(config, settings):
    """The settings of OPTIMUM_KEYS that the config file or the sweep give."""
    ini = configparser.ConfigParser(interpolation=None)  # '%' is plain text in memsgd configs
    ini.read(config)
    given = {}
    for key in OPTIMUM_KEYS:
        section, name = key.split(".")
        if key in settings:
            given[key] = settings[key]
        elif ini.has_option(section, name):
            given[key] = ini.get(section, name)
    return given


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


def optimum_file(args, config, settings, ranks):
    """The f* file for the run's data set, computed on first use."""
    given = data_settings(config, settings)
    tag = "__".join(f"{key.rsplit('.', 1)[-1]}={safe(value)}" for key, value in given.items())
    path = args.optimum / f"fstar__{tag}.h5"
    try:
        with h5py.File(path, "r") as f:
            if "f_star" in f:
                return path
    except OSError:
        pass  # missing or half-written: compute it
    args.optimum.mkdir(parents=True, exist_ok=True)
    print(f"sweep: computing f* for {tag} ...", end="", flush=True)
    start = time.monotonic()
    overrides = [f"--{key}={value}" for key, value in settings.items() if key in OPTIMUM_KEYS]
    command = mpirun(ranks, "memsgd-optimum", args.build, config,
                     overrides + [f"--log.output={path}", "--log.overwrite=true"])
    code, tail = run_logged(command, path.with_suffix(".log"))
    if code != 0:
        print()
        fail(f"memsgd-optimum for {tag}", code, tail)
    print(f" {time.monotonic() - start:.1f} s")
    return path


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
        if is_complete(output):
            print(f"{prefix}: complete, skipped")
            continue
        arguments = [f"--{key}={value}" for key, value in settings.items()]
        if args.optimum:
            # f* is the same for every rank count: compute it on as many ranks as there are cores.
            optimum_ranks = min(max(args.ranks), os.cpu_count() or 1)
            fstar = optimum_file(args, config, settings, optimum_ranks)
            arguments.append(f"--model.optimum={fstar.resolve()}")
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
