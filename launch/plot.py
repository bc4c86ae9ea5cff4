#!/usr/bin/python3
"""Turns a results folder of memsgd run files into PNG figures.

Usage: launch/plot.py RESULTS [--out DIR] [--prefix TEXT] [--traffic bytes|paper] [--target X]

Writes to DIR (default RESULTS/figures), from the complete run files in RESULTS:
  suboptimality_vs_epoch.png  f(x_bar) - f* against epochs, log y (the training loss without f*)
  suboptimality_vs_mb.png     the same against megabytes communicated, log-log
  accuracy_vs_mb.png          test accuracy against megabytes (runs with a test set)
  time_to_target.png          seconds until the suboptimality first reaches the target, against
                              the rank count (when the runs have several rank counts)
Megabytes are those handed to MPI by all ranks (--traffic bytes; zero on one rank), or the
paper's convention of 64 bits per (index, value) pair and 64 d bits per dense vector (paper).
Curves are labelled from each run's /config attributes: the compressor, and every other setting
that differs between the runs.
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

# /config attributes that describe the data or follow from other settings, never label a curve.
DERIVED = {"memsgd_version", "train_rows", "train_nonzeros", "test_rows", "dim",
           "lambda_resolved", "offset_resolved", "k_resolved", "model.optimum",
           "compression.qsgd_encoding"}
# Settings that method_label() already shows.
IN_METHOD_LABEL = {"compression.method", "compression.k", "compression.memory",
                   "compression.levels"}
# Compressors that run without memory by design (unbiased), so "without memory" says nothing.
UNBIASED = {"none", "qsgd", "rand_k_unbiased"}

TRAFFIC = {
    "bytes": ("bytes_sent", 1e6, "MB sent by all ranks"),
    "paper": ("paper_bits", 8e6, "MB, paper's convention (64 bits per pair)"),
}


@dataclass
class Run:
    name: str
    config: dict
    metrics: dict  # column name -> numpy array, one value per evaluation


def plain(value):
    """An h5py attribute as a Python value (numpy scalars have .item())."""
    return value.item() if hasattr(value, "item") else value


def load_runs(folder):
    """The complete run files of `folder`, by name; others are reported on stderr and left out."""
    runs = []
    for path in sorted(Path(folder).glob("*.h5")):
        with h5py.File(path, "r") as f:
            if "metrics" not in f:
                continue  # not a run file (e.g. an f* file)
            if f.attrs.get("complete", 0) != 1:
                print(f"plot: {path} is incomplete, left out", file=sys.stderr)
                continue
            config = {key: plain(value) for key, value in f["config"].attrs.items()}
            metrics = {name: column[:] for name, column in f["metrics"].items()}
        runs.append(Run(path.stem, config, metrics))
    return runs


def method_label(config):
    """The paper's names: SGD, top-1, rand-2, QSGD 8 bit (s = 2^8 levels), ..."""
    method = config["compression.method"]
    if method == "none":
        return "SGD"
    if method == "qsgd":
        levels = int(config["compression.levels"])
        bits = levels.bit_length() - 1
        return f"QSGD {bits} bit" if levels == 1 << bits else f"QSGD s={levels}"
    k = config["compression.k"]
    label = {"top_k": f"top-{k}", "rand_k": f"rand-{k}"}.get(method, f"{method} k={k}")
    if method not in UNBIASED and config["compression.memory"] == "false":
        label += " without memory"
    return label


def varying_keys(runs):
    """Settings that differ between the runs and method_label() does not show."""
    keys = sorted({key for run in runs for key in run.config})
    return [key for key in keys
            if key not in DERIVED | IN_METHOD_LABEL and not key.startswith("log.")
            and len({str(run.config.get(key)) for run in runs}) > 1]


def labels(runs, leave_out=()):
    """One label per run: the method, then every varying setting but those in `leave_out`."""
    keys = [key for key in varying_keys(runs) if key not in leave_out]
    result = []
    for run in runs:
        parts = [method_label(run.config)]
        for key in keys:
            value = run.config.get(key)
            parts.append(f"{value} rank{'s' * (value != 1)}" if key == "ranks"
                         else f"{key.split('.')[-1]}={value}")
        result.append(", ".join(parts))
    return result


def loss_column(runs):
    """suboptimality when every run logged it (model.optimum given), else the training loss."""
    if all("suboptimality" in run.metrics for run in runs):
        return "suboptimality", r"suboptimality $f(\bar x) - f^\star$"
    return "train_loss", r"training loss $f(\bar x)$"


def first_reach(run, target, column):
    """`column` at the first evaluation whose suboptimality is at most `target`, or None."""
    reached = (run.metrics["suboptimality"] <= target).nonzero()[0]
    return run.metrics[column][reached[0]] if reached.size else None


def new_figure(title):
    figure, axes = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    axes.set_title(title, fontsize=10)
    axes.grid(True, which="major", alpha=0.3)
    return figure, axes


def finish(figure, axes):
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


def suboptimality_vs_epoch(runs, title=""):
    column, name = loss_column(runs)
    figure, axes = new_figure(title)
    for run, label in zip(runs, labels(runs)):
        axes.plot(run.metrics["epoch"], run.metrics[column], label=label)
    axes.set_yscale("log")
    axes.set_xlabel("epochs")
    axes.set_ylabel(name)
    return finish(figure, axes)


def traffic(run, kind):
    """Megabytes communicated up to each evaluation, by the --traffic convention `kind`."""
    counter, scale, _ = TRAFFIC[kind]
    return run.metrics[counter] / scale


def with_traffic(runs, kind):
    """The runs that communicated anything under `kind` (on one rank, MPI carries no bytes)."""
    return [run for run in runs if traffic(run, kind)[-1] > 0]


def suboptimality_vs_mb(runs, kind="bytes", title=""):
    """None when no run communicated (all on one rank with --traffic bytes)."""
    runs = with_traffic(runs, kind)
    if not runs:
        return None
    column, name = loss_column(runs)
    figure, axes = new_figure(title)
    for run, label in zip(runs, labels(runs)):
        axes.plot(traffic(run, kind), run.metrics[column], label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(TRAFFIC[kind][2])
    axes.set_ylabel(name)
    return finish(figure, axes)


def accuracy_vs_mb(runs, kind="bytes", title=""):
    """None when no run has a test set."""
    runs = [run for run in with_traffic(runs, kind) if "test_accuracy" in run.metrics]
    if not runs:
        return None
    figure, axes = new_figure(title)
    for run, label in zip(runs, labels(runs)):
        axes.plot(traffic(run, kind), run.metrics["test_accuracy"], label=label)
    axes.set_xscale("log")
    axes.set_xlabel(TRAFFIC[kind][2])
    axes.set_ylabel("test accuracy")
    return finish(figure, axes)


def default_target(runs):
    """The smallest suboptimality every run reaches: the largest of their best values."""
    return max(run.metrics["suboptimality"].min() for run in runs)


def time_to_target(runs, target=None, title=""):
    """Seconds to the target against the rank count, one curve per setting; None unless the runs
    logged suboptimality with several rank counts."""
    if len({run.config["ranks"] for run in runs}) < 2 or loss_column(runs)[0] != "suboptimality":
        return None
    target = default_target(runs) if target is None else target
    curves = {}
    for run, label in zip(runs, labels(runs, leave_out={"ranks"})):
        seconds = first_reach(run, target, "wall_s")
        if seconds is not None:
            curves.setdefault(label, []).append((run.config["ranks"], seconds))
    figure, axes = new_figure(title)
    for label, points in curves.items():
        ranks, seconds = zip(*sorted(points))
        axes.plot(ranks, seconds, marker="o", label=label)
    axes.set_xticks(sorted({run.config["ranks"] for run in runs}))
    axes.set_xlabel("MPI ranks")
    axes.set_ylabel(f"seconds to suboptimality ≤ {target:.2g}")
    axes.set_ylim(bottom=0)
    return finish(figure, axes)


def figures(runs, kind="bytes", target=None, title=""):
    """File name -> figure, for the figures these runs allow."""
    communicating = {id(run) for run in with_traffic(runs, kind)}
    for run in (run for run in runs if id(run) not in communicating):
        print(f"plot: {run.name} has no {TRAFFIC[kind][0]} (one rank sends nothing through MPI; "
              f"--traffic paper counts it), left out of the MB figures", file=sys.stderr)
    built = {
        "suboptimality_vs_epoch": suboptimality_vs_epoch(runs, title),
        "suboptimality_vs_mb": suboptimality_vs_mb(runs, kind, title),
        "accuracy_vs_mb": accuracy_vs_mb(runs, kind, title),
        "time_to_target": time_to_target(runs, target, title),
    }
    return {name: figure for name, figure in built.items() if figure is not None}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="folder of run files (launch/sweep.py --out)")
    parser.add_argument("--out", type=Path, help="figure folder (default: RESULTS/figures)")
    parser.add_argument("--prefix", default="", help="text put before every figure's file name")
    parser.add_argument("--traffic", choices=sorted(TRAFFIC), default="bytes")
    parser.add_argument("--target", type=float,
                        help="suboptimality of time_to_target (default: the largest value "
                             "every run reaches)")
    parser.add_argument("--title", default="", help="title of every figure")
    args = parser.parse_args(argv)
    runs = load_runs(args.results)
    if not runs:
        sys.exit(f"plot: no complete run file in {args.results}")
    out = args.out or args.results / "figures"
    out.mkdir(parents=True, exist_ok=True)
    for name, figure in figures(runs, args.traffic, args.target, args.title).items():
        path = out / f"{args.prefix}{name}.png"
        figure.savefig(path)
        plt.close(figure)
        print(f"plot: wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
