#!/usr/bin/python3
"""Measures the paper's findings in the results of launch/paper.sh and prints them as Markdown.

Usage: launch/findings.py [RESULTS]   (default: runs/paper)

  (1) theory-*: with memory, top-k and rand-k end at the suboptimality of SGD (ratio to SGD's);
  (2) theory-*: top-k without memory stalls (ratio to SGD's);
  (3) bits-epsilon: bits SGD needs to first reach a suboptimality target, over those of top-1;
  (4) bits-*: bits the best QSGD needs to reach a target, over those of top-k (top-1; top-10 on
      rcv1);
  and scaling-epsilon: seconds to a target on 1, 2 and 4 ranks.
The bits target is the suboptimality top-k ends at, or the best a baseline reaches if that is
higher, among the baselines that reach it; the time target is one every scaling run reaches.
"""

import sys
from pathlib import Path

import plot

# Bits by the paper's convention, and the bytes really handed to MPI (x 8).
COUNTERS = (("paper_bits", 1, "paper's bits"), ("bytes_sent", 8, "MPI bits"))


def curves(folder):
    """Method label -> run, for the runs of one results folder."""
    return {plot.method_label(run.config): run for run in plot.load_runs(folder)}


def final(run):
    return run.metrics["suboptimality"][-1]


def best(run):
    return run.metrics["suboptimality"].min()


def bits_to(run, target, counter, scale):
    return plot.first_reach(run, target, counter) * scale


def theory_rows(results):
    rows = []
    for folder in sorted(results.glob("theory-*")):
        data = folder.name.split("-", 1)[1]
        runs = curves(folder)
        sgd = final(runs["SGD"])
        with_memory = [label for label in runs if label != "SGD" and "without" not in label]
        ratios = ", ".join(f"{label} {final(runs[label]) / sgd:.2f}" for label in with_memory)
        rows.append(("(1) memory matches SGD per epoch", data,
                     f"final suboptimality / SGD's ({sgd:.2e}) after 3 epochs", ratios))
        for label in runs:
            if "without" in label:
                rows.append(("(2) without memory it stalls", data,
                             f"final suboptimality / SGD's, {label}",
                             f"{final(runs[label]) / sgd:.0f}"))
    return rows


def factor_rows(finding, data, runs, baseline_labels, what):
    """`what`: the setting's text; the factor is bits of the best baseline / bits of top-k (top-1,
    or top-10 on rcv1)."""
    top_label = next(label for label in runs if label.startswith("top-"))
    top = runs[top_label]
    baselines = [runs[label] for label in baseline_labels]
    target = max(best(top), min(best(run) for run in baselines))
    reaching = [run for run in baselines if best(run) <= target]
    rows = []
    for counter, scale, name in COUNTERS:
        best_baseline = min(reaching, key=lambda run: bits_to(run, target, counter, scale))
        factor = (bits_to(best_baseline, target, counter, scale)
                  / bits_to(top, target, counter, scale))
        rows.append((finding, data,
                     f"{what}: {name} to suboptimality {target:.2e}, "
                     f"{plot.method_label(best_baseline.config)} / {top_label}",
                     f"{factor:.0f}x"))
    return rows


def bits_rows(results):
    rows = []
    sgd = curves(results / "bits-epsilon")
    rows += factor_rows("(3) top-1 sends far fewer bits than SGD", "epsilon (dense)", sgd,
                        ["SGD"], "2 ranks")
    for folder in sorted(results.glob("bits-*")):
        runs = curves(folder)
        qsgd = [label for label in runs if label.startswith("QSGD")]
        rows += factor_rows("(4) top-k sends far fewer bits than QSGD", folder.name.split("-")[1],
                            runs, qsgd, "2 ranks, best of QSGD 2/4/8 bit")
    return rows


def scaling_rows(results):
    runs = plot.load_runs(results / "scaling-epsilon")
    target = plot.default_target(runs)
    seconds = {}
    for run in runs:
        seconds.setdefault(plot.method_label(run.config), {})[run.config["ranks"]] = (
            plot.first_reach(run, target, "step_s"))
    rows = []
    for label, by_ranks in sorted(seconds.items()):
        times = ", ".join(f"{ranks}: {by_ranks[ranks]:.1f} s" for ranks in sorted(by_ranks))
        rows.append(("scaling: time to target", "epsilon",
                     f"{label}, seconds of steps to suboptimality {target:.2e} by ranks "
                     "(4 ranks share 2 cores)", times))
    return rows


def main(argv):
    results = Path(argv[0] if argv else "runs/paper")
    rows = theory_rows(results) + bits_rows(results) + scaling_rows(results)
    print("| finding | dataset | setting | measured |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
