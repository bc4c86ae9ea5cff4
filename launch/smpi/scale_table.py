#!/usr/bin/python3
"""Short simulated jobs of every collective at several rank counts, as one markdown table.

For each data shape, k and P it runs launch/smpi/run.sh once per collective under /usr/bin/time
and prints a row: per collective the simulated microseconds per step (/metrics/step_s) and the
bytes received per rank per step (/metrics/bytes_received / (P steps)); the collective that
communication.collective = auto picks; and the simulator's wall time and largest peak RSS on this
machine over the row's jobs. Each rank holds ROWS_PER_RANK rows and samples one row a step, so a
job has ROWS_PER_RANK * epochs steps at any P.
auto's constants are calibrated once per shape and k, by a --dry-run at CALIBRATION_RANKS ranks of
the same platform, and given to every auto job: alpha and beta describe the platform, not P, and
calibrating at P = 1024 would gather 64 KiB from every rank into every rank of one process here.
Usage: scale_table.py [--ranks 2,8,32] [--shapes rcv1,epsilon] [--steps 100] [--k 10,1%]
                      [--collectives allgather,dense,split_allgather,auto] [--out DIR]
                      [key=value ...]    (extra keys go to every job)
"""

import argparse
import json
import pathlib
import re
import subprocess
import sys

import h5py

HERE = pathlib.Path(__file__).resolve().parent
ROWS_PER_RANK = 4
CALIBRATION_RANKS = 8
COST_KEYS = ["alpha_s", "beta_s_per_byte", "encode_s_per_pair", "decode_s_per_pair",
             "apply_s_per_pair", "dense_s_per_coordinate"]


def job_keys(shape, ranks, steps, k, extra):
    return [f"data.train=synthetic:{shape}", f"data.rows={ROWS_PER_RANK * ranks}",
            f"optimizer.epochs={steps / ROWS_PER_RANK:g}", "optimizer.batch_size=1",
            "compression.method=top_k", f"compression.k={k}", "log.eval_every=1000000000",
            "log.quiet=true", "log.overwrite=true",
            # Timing jobs: the paper's rate may diverge on 4 rows a rank (epsilon at P = 1024).
            "log.divergence_factor=0", *extra]


def run(ranks, keys, what):
    command = ["/usr/bin/time", "-f", "%e %M", str(HERE / "run.sh"), "-np", str(ranks), "", *keys]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"scale_table.py: {what} at P = {ranks} failed ({result.returncode}):\n"
                 f"{result.stderr[-3000:]}")
    wall, rss_kb = re.findall(r"^([0-9.]+) ([0-9]+)$", result.stderr, re.M)[-1]
    return result.stdout, float(wall), int(rss_kb) / 1024


def calibrate(shape, k, extra):
    """auto's six constants as key=value settings, measured on the simulated platform."""
    keys = job_keys(shape, CALIBRATION_RANKS, 1, k, extra)
    stdout, _, _ = run(CALIBRATION_RANKS, [*keys, "communication.collective=auto", "--dry-run"],
                       f"calibrating {shape}")
    attributes = json.loads(stdout[stdout.index("{"):])
    return [f"communication.{key}={attributes['cost_' + key]!r}" for key in COST_KEYS]


def run_job(shape, ranks, steps, k, collective, out, extra):
    output = out / f"{shape}_k{k.rstrip('%')}_np{ranks}_{collective}.h5"
    keys = [*job_keys(shape, ranks, steps, k, extra), f"log.output={output}",
            f"communication.collective={collective}"]
    _, wall, rss_mb = run(ranks, keys, f"{shape} with {collective}")
    with h5py.File(output) as f:
        done = int(f["/metrics/step"][-1])
        step_s = float(f["/metrics/step_s"][-1])
        received = float(f["/metrics/bytes_received"][-1])
        picked = f["/config"].attrs.get("collective_resolved", collective)
    return {"wall": wall, "rss_mb": rss_mb, "steps": done, "us_per_step": step_s / done * 1e6,
            "received": received / (ranks * done),
            "picked": picked.decode() if isinstance(picked, bytes) else str(picked)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", default="2,8,32,128,512,1024")
    parser.add_argument("--shapes", default="rcv1,epsilon")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--k", default="10", help="compression.k values, e.g. 10,1%%")
    parser.add_argument("--collectives", default="allgather,dense,split_allgather,auto")
    parser.add_argument("--out", default="runs/smpi_scale")
    parser.add_argument("keys", nargs="*", help="key=value for every job")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    collectives = args.collectives.split(",")
    measured = [c for c in collectives if c != "auto"]
    print("| data | k | P | steps | " +
          " | ".join(f"{c}: us/step, B received/rank/step" for c in measured) +
          (" | auto picks" if "auto" in collectives else "") +
          " | simulator wall s | simulator peak RSS MB |")
    print("|---" * (5 + len(measured) + ("auto" in collectives)) + "|---|")
    for shape in args.shapes.split(","):
        for k in args.k.split(","):
            costs = calibrate(shape, k, args.keys) if "auto" in collectives else []
            for ranks in (int(p) for p in args.ranks.split(",")):
                rows = {c: run_job(shape, ranks, args.steps, k, c, out,
                                   [*args.keys, *(costs if c == "auto" else [])])
                        for c in collectives}
                cells = [f"{rows[c]['us_per_step']:.1f}, {rows[c]['received']:.0f}"
                         for c in measured]
                if "auto" in rows:
                    cells.append(rows["auto"]["picked"])
                wall = sum(row["wall"] for row in rows.values())
                rss = max(row["rss_mb"] for row in rows.values())
                steps = rows[collectives[0]]["steps"]
                print(f"| {shape} | {k} | {ranks} | {steps} | " + " | ".join(cells) +
                      f" | {wall:.1f} | {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
