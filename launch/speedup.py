#!/usr/bin/python3
"""Measures the parallel experiment in the results of launch/parallel.sh and prints it as Markdown.

Usage: launch/speedup.py [RESULTS]   (default: runs/parallel)

RESULTS holds one folder per data set (parallel-epsilon, parallel-rcv1), each with the runs of
every method in the shared-memory mode and the synchronous mode, several seeds each. Per data
set, method, mode and rank count:
  steps/s per rank   samples / (ranks * step_s) at the end of the run (median over the seeds);
  time to target     step seconds (/metrics/step_s) until the suboptimality first reaches the
                     method's target: median over the seeds, min-max (seeds that never reach it
                     are counted in "reached");
  speedup            as the paper defines it: the median time on 1 rank over that on P ranks,
                     same mode, same target ("-" unless every seed of both reaches it);
  per-sample band    shared against sync at the same rank count: the ratio of the median
                     suboptimalities at the same samples, min-max over the evaluations of the
                     run's second half.
A method's target is the largest of the best suboptimalities its shared-mode runs reach, so that
every one of them gets there.
"""

import sys
from pathlib import Path

import numpy as np

import plot

MODE = "communication.mode"


def key(run):
    return (plot.method_label(run.config), run.config[MODE], run.config["ranks"])


def groups(runs):
    """(method label, mode, ranks) -> the runs of its seeds."""
    result = {}
    for run in runs:
        result.setdefault(key(run), []).append(run)
    return result


def steps_per_second(run):
    samples = run.metrics["samples"][-1]
    return samples / (run.config["ranks"] * run.metrics["step_s"][-1])


def targets(runs):
    """Method label -> the largest best suboptimality of its shared-mode runs."""
    result = {}
    for run in runs:
        if run.config[MODE] == "shared":
            label = plot.method_label(run.config)
            result[label] = max(result.get(label, 0.0), run.metrics["suboptimality"].min())
    return result


def times_to(group, target):
    return [t for t in (plot.first_reach(run, target, "step_s") for run in group)
            if t is not None]


def second_half_band(shared, sync):
    """Min and max over the second half of the ratio of the median suboptimality curves."""
    def median_curve(group):
        return np.median([run.metrics["suboptimality"] for run in group], axis=0)

    samples = shared[0].metrics["samples"]
    if not all(np.array_equal(run.metrics["samples"], samples) for run in shared + sync):
        return None  # batches that cross an evaluation differently: no common samples
    ratio = median_curve(shared) / median_curve(sync)
    half = ratio[len(ratio) // 2:]
    return half.min(), half.max()


def rows_of(folder):
    runs = plot.load_runs(folder)
    if not runs:
        sys.exit(f"speedup: no complete run file in {folder}")
    data = plot.data_name(runs[0].config)
    by_key = groups(runs)
    goal = targets(runs)
    rows = []
    for (label, mode, ranks), group in sorted(by_key.items()):
        target = goal.get(label)
        if target is None:
            continue
        times = times_to(group, target)
        one_rank = by_key.get((label, mode, 1), [])
        base = times_to(one_rank, target)
        median = np.median(times) if times else None
        # Medians over only the seeds that got there would flatter: every seed must.
        complete = times and len(times) == len(group) and base and len(base) == len(one_rank)
        speedup = f"{np.median(base) / median:.2f}x" if complete else "-"
        band = "-"
        if mode == "shared" and (label, "sync", ranks) in by_key:
            limits = second_half_band(group, by_key[(label, "sync", ranks)])
            band = "-" if limits is None else f"{limits[0]:.2f}-{limits[1]:.2f}"
        rows.append([
            data, label, mode, f"{ranks}" + (" (oversubscribed)" if ranks > 2 else ""),
            f"{np.median([steps_per_second(run) for run in group]):,.0f}",
            f"{target:.2e}",
            f"{median:.2f} ({min(times):.2f}-{max(times):.2f})" if times else "never",
            f"{len(times)}/{len(group)}", speedup,
            f"{np.median([run.metrics['suboptimality'][-1] for run in group]):.2e}", band])
    return rows


def main(argv):
    results = Path(argv[0] if argv else "runs/parallel")
    header = ["data", "method", "mode", "ranks", "steps/s per rank", "target",
              "s to target: median (min-max)", "reached", "speedup", "final subopt.",
              "shared/sync per sample (2nd half)"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for folder in sorted(results.glob("parallel-*")):
        for row in rows_of(folder):
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
