#!/usr/bin/python3
"""The simulator against this machine: the same short jobs run for real and simulated, as a table.

For each P it calibrates this machine's MPI with memsgd-train's own cost model (a --dry-run of
communication.collective = auto under launch/mpirun.sh: alpha, the latency of a message round,
and beta, the seconds per byte received), writes a flat platform of P hosts with those numbers
(host-to-host latency alpha, link bandwidth 1/beta, so a message of m bytes costs alpha + beta m),
then runs the same job for real (launch/mpirun.sh) and under SMPI (launch/smpi/run.sh) on it, REPEATS
times each, and prints the median microseconds per step of each and their ratio.
Usage: check_real.py [--ranks 2,4] [--repeats 3] [--out DIR] [key=value ...]   (keys: every job)
Needs build/ (the normal build) and build-smpi/ (-DMEMSGD_SMPI=ON).
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

import h5py

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
TRAIN = REPO / "build" / "memsgd-train"
JOB = ["data.train=synthetic:rcv1", "optimizer.epochs=1", "optimizer.batch_size=1",
       "compression.method=top_k", "compression.k=10", "log.eval_every=1000000000",
       "log.quiet=true", "log.overwrite=true", "log.divergence_factor=0",
       "communication.timeout_s=0"]
ROWS_PER_RANK = 2000


def checked(command, what, env=None):
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"check_real.py: {what} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def flags(keys):
    return [key if key.startswith("--") else f"--{key}" for key in keys]


def calibrate(ranks, keys):
    stdout = checked([str(REPO / "launch" / "mpirun.sh"), "-np", str(ranks), str(TRAIN),
                      *flags(keys), "--communication.collective=auto", "--dry-run"],
                     f"calibrating at P = {ranks}")
    attributes = json.loads(stdout[stdout.index("{"):])
    return attributes["cost_alpha_s"], attributes["cost_beta_s_per_byte"]


def write_platform(path, ranks, alpha, beta):
    # Two links per message, each with half the latency; each host's link runs at 1/beta.
    path.write_text(
        "<?xml version='1.0'?>\n"
        "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
        "<!-- Written by launch/smpi/check_real.py: this machine's MPI as the cost model measured "
        f"it (alpha {alpha:.3g} s, beta {beta:.3g} s/byte). -->\n"
        "<platform version=\"4.1\">\n"
        f"  <cluster id=\"measured\" prefix=\"node-\" suffix=\"\" radical=\"0-{ranks - 1}\" "
        f"speed=\"1Gf\" bw=\"{1 / beta:.6g}Bps\" lat=\"{alpha / 2:.6g}s\" "
        "sharing_policy=\"SPLITDUPLEX\" bb_bw=\"1000GBps\" bb_lat=\"0s\" "
        "bb_sharing_policy=\"FATPIPE\"/>\n"
        "</platform>\n")


def us_per_step(output):
    with h5py.File(output) as f:
        return float(f["/metrics/step_s"][-1]) / int(f["/metrics/step"][-1]) * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", default="2,4")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="runs/smpi_check")
    parser.add_argument("keys", nargs="*", help="key=value for every job")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count()
    print("| P | alpha us | beta ns/byte | real us/step | simulated us/step | simulated / real |")
    print("|---|---|---|---|---|---|")
    for ranks in (int(p) for p in args.ranks.split(",")):
        keys = [*JOB, f"data.rows={ROWS_PER_RANK * ranks}", *args.keys]
        alpha, beta = calibrate(ranks, keys)
        platform = out / f"measured_np{ranks}.xml"
        write_platform(platform, ranks, alpha, beta)
        real, simulated = [], []
        for repeat in range(args.repeats):
            output = out / f"real_np{ranks}_{repeat}.h5"
            checked([str(REPO / "launch" / "mpirun.sh"), "-np", str(ranks), str(TRAIN),
                     *flags(keys), f"--log.output={output}"], f"the real job at P = {ranks}")
            real.append(us_per_step(output))
            output = out / f"simulated_np{ranks}_{repeat}.h5"
            checked([str(HERE / "run.sh"), "-np", str(ranks), "", *keys, f"log.output={output}"],
                    f"the simulated job at P = {ranks}",
                    env=dict(os.environ, MEMSGD_SMPI_PLATFORM=str(platform)))
            simulated.append(us_per_step(output))
        real_us, simulated_us = statistics.median(real), statistics.median(simulated)
        note = f" ({ranks} ranks on {cores} cores)" if ranks > cores else ""
        print(f"| {ranks}{note} | {alpha * 1e6:.2f} | {beta * 1e9:.3f} | {real_us:.2f} | "
              f"{simulated_us:.2f} | {simulated_us / real_us:.2f} |", flush=True)


if __name__ == "__main__":
    main()
