#!/usr/bin/python3
"""Short simulated jobs at several rank counts, as one markdown table (README "Simulated clusters").

For each data shape and P it runs launch/smpi/run.sh under /usr/bin/time and prints a row: the
simulator's wall time and peak RSS on this machine, and from the run file the simulated
microseconds per step (/metrics/step_s) and the bytes received per rank per step
(/metrics/bytes_received / (P steps)). Each rank holds ROWS_PER_RANK rows and samples one row a
step, so a job has ROWS_PER_RANK * epochs steps at any P.
Usage: scale_table.py [--ranks 2,8,32] [--shapes rcv1,epsilon] [--steps 100] [--k 10]
                      [--out DIR] [key=value ...]    (extra keys go to every job)
"""

import argparse
import pathlib
import re
import subprocess
import sys

import h5py

HERE = pathlib.Path(__file__).resolve().parent
ROWS_PER_RANK = 4


def run_job(shape, ranks, steps, k, out, extra):
    output = out / f"{shape}_np{ranks}.h5"
    keys = [f"data.train=synthetic:{shape}", f"data.rows={ROWS_PER_RANK * ranks}",
            f"optimizer.epochs={steps / ROWS_PER_RANK:g}", "optimizer.batch_size=1",
            "compression.method=top_k", f"compression.k={k}", "log.eval_every=1000000000",
            "log.quiet=true", "log.overwrite=true", f"log.output={output}",
            # Timing jobs: the paper's rate may diverge on 4 rows a rank (epsilon at P = 1024).
            "log.divergence_factor=0", *extra]
    command = ["/usr/bin/time", "-f", "%e %M", str(HERE / "run.sh"), "-np", str(ranks), "", *keys]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"scale_table.py: {shape} at P = {ranks} failed ({result.returncode}):\n"
                 f"{result.stderr[-3000:]}")
    wall, rss_kb = re.findall(r"^([0-9.]+) ([0-9]+)$", result.stderr, re.M)[-1]
    with h5py.File(output) as f:
        done = int(f["/metrics/step"][-1])
        step_s = float(f["/metrics/step_s"][-1])
        received = float(f["/metrics/bytes_received"][-1])
    return {"wall": float(wall), "rss_mb": int(rss_kb) / 1024, "steps": done,
            "us_per_step": step_s / done * 1e6, "received": received / (ranks * done)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", default="2,8,32,128,512,1024")
    parser.add_argument("--shapes", default="rcv1,epsilon")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", default="runs/smpi_scale")
    parser.add_argument("keys", nargs="*", help="key=value for every job")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("| data | P | steps | simulated us/step | bytes received/rank/step | "
          "simulator wall s | simulator peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for shape in args.shapes.split(","):
        for ranks in (int(p) for p in args.ranks.split(",")):
            row = run_job(shape, ranks, args.steps, args.k, out, args.keys)
            print(f"| {shape} | {ranks} | {row['steps']} | {row['us_per_step']:.1f} | "
                  f"{row['received']:.0f} | {row['wall']:.1f} | {row['rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
