#!/usr/bin/python3
"""Turns a results folder of memsgd run files into PNG figures.

Usage: launch/plot.py RESULTS [--out DIR] [--prefix TEXT] [--traffic bytes|paper] [--target X]

Writes to DIR (default RESULTS/figures), from the complete run files in RESULTS:
  suboptimality_vs_epoch.png  f(x_bar) - f* against epochs, log y (the training loss without f*)
  suboptimality_vs_mb.png     the same against megabytes communicated, log-log
  accuracy_vs_mb.png          test accuracy against megabytes (runs with a test set)
  time_to_target.png          seconds spent in training steps (/metrics/step_s: evaluations and
                              checkpoints excluded) until the suboptimality first reaches the
                              target, against the rank count (when the runs have several)
Megabytes are those handed to MPI by all ranks (--traffic bytes; zero on one rank), or the
paper's convention of 64 bits per (index, value) pair and 64 d bits per dense vector (paper).
The MB axes are logarithmic and each curve starts at its first evaluation with non-zero traffic
(the evaluation before the first step has none, which a log axis cannot show).
Curves are labelled from each run's /config attributes: the compressor with the settings it
reads, and every other setting that differs between the runs. Runs that differ only in
optimizer.seed are one curve: the median over the seeds with a min-max band. Every figure's
title names the data set.
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)

# /config attributes that describe the data or follow from other settings, never label a curve.
DERIVED = {"memsgd_version", "train_rows", "train_nonzeros", "test_rows", "dim",
           "lambda_resolved", "offset_resolved", "k_resolved", "model.optimum", "optimum_value",
           "train_fingerprint", "test_fingerprint"}
# Settings that method_label() already shows.
IN_METHOD_LABEL = {"compression.method", "compression.k", "compression.memory",
                   "compression.levels", "compression.threshold"}
SEED = "optimizer.seed"
# The compression.* settings each compressor reads (src/compress/compressor_factory.cpp, with
# its codec); a compression key outside its set does not change its runs and never labels them.
METHOD_KEYS = {
    "none": set(),
    "top_k": {"compression.k"},
    "rand_k": {"compression.k"},
    "rand_k_unbiased": {"compression.k"},
    "approx_top_k": {"compression.k", "compression.sample_size"},
    "threshold": {"compression.threshold"},
    "scaled_sign": set(),
    "qsgd": {"compression.levels", "compression.qsgd_encoding"},
}
# Compressors whose messages are (index, value) pairs (communication.index_encoding applies);
# QSGD and scaled_sign have codecs of their own, dense SGD sends values only.
PAIR_MESSAGES = {"top_k", "rand_k", "rand_k_unbiased", "approx_top_k", "threshold"}

TRAFFIC = {
    "bytes": ("bytes_sent", 1e6, "MB sent by all ranks"),
    "paper": ("paper_bits", 8e6, "MB, paper's convention (64 bits per pair)"),
}
LOG_FROM_FIRST = " (log; curves start at their first non-zero value)"


@dataclass
class Run:
    name: str
    path: Path
    config: dict
    metrics: dict  # column name -> numpy array, one value per evaluation


@dataclass
class Curve:
    """One drawn line: the median over the seeds of one setting, and its min-max band."""
    label: str
    x: np.ndarray
    y: np.ndarray
    low: np.ndarray
    high: np.ndarray
    seeds: int


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
        runs.append(Run(path.stem, path, config, metrics))
    return runs


def uses(method, key):
    """Whether a run of compressor `method` reads setting `key` (unknown compressors: all)."""
    if method not in METHOD_KEYS:
        return True
    if key == "compression.memory":
        return method != "none"  # the identity leaves nothing behind to remember
    if key.startswith("compression."):
        return key in METHOD_KEYS[method]
    if key == "communication.index_encoding":
        return method in PAIR_MESSAGES
    if key == "communication.value_type":
        return method in PAIR_MESSAGES | {"none"}
    return True


def method_label(config):
    """The paper's names with the settings the compressor reads: SGD, top-1 with memory,
    QSGD 8 bit without memory (s = 2^8 levels), threshold τ=0.05 with memory, ..."""
    method = config["compression.method"]
    if method == "none":
        return "SGD"
    k = config.get("compression.k")
    if method == "qsgd":
        levels = int(config["compression.levels"])
        bits = levels.bit_length() - 1
        label = f"QSGD {bits} bit" if levels == 1 << bits else f"QSGD s={levels}"
    else:
        label = {"top_k": f"top-{k}", "rand_k": f"rand-{k}",
                 "rand_k_unbiased": f"unbiased rand-{k}", "approx_top_k": f"approx. top-{k}",
                 "threshold": f"threshold τ={config.get('compression.threshold')}",
                 "scaled_sign": "scaled sign"}.get(method, f"{method} k={k}")
    memory = config.get("compression.memory") == "true"
    return label + (" with memory" if memory else " without memory")


def setting(run):
    """What makes a run's curve: its configuration without the seed and the log settings."""
    return tuple(sorted((key, str(value)) for key, value in run.config.items()
                        if key != SEED and key != "memsgd_version" and not key.startswith("log.")))


def seed_groups(runs):
    """The runs as lists that differ only in optimizer.seed, in the order of their first run."""
    groups = {}
    for run in runs:
        groups.setdefault(setting(run), []).append(run)
    return list(groups.values())


def varying_keys(runs):
    """Settings that differ between the runs and method_label() does not show."""
    keys = sorted({key for run in runs for key in run.config})
    return [key for key in keys
            if key not in DERIVED | IN_METHOD_LABEL and key != SEED and not key.startswith("log.")
            and len({str(run.config.get(key)) for run in runs}) > 1]


def labels(groups, leave_out=()):
    """One label per group of seeds: the method, every varying setting the method reads but
    those in `leave_out`, and the number of seeds when there are several."""
    firsts = [group[0] for group in groups]
    keys = [key for key in varying_keys(firsts) if key not in leave_out]
    result = []
    for group, run in zip(groups, firsts):
        parts = [method_label(run.config)]
        for key in keys:
            if not uses(run.config["compression.method"], key):
                continue
            value = run.config.get(key)
            parts.append(f"{value} rank{'s' * (value != 1)}" if key == "ranks"
                         else f"{key.split('.')[-1]}={value}")
        if len(group) > 1:
            parts.append(f"median of {len(group)} seeds")
        result.append(", ".join(parts))
    return result


def band(series):
    """Median, min and max over the (x, y) series of several seeds. Where their x differ (e.g.
    bytes of a compressor with variable-size messages), each is interpolated linearly onto the
    union of their x within the range that all of them cover."""
    xs = [x for x, _ in series]
    if all(np.array_equal(x, xs[0]) for x in xs):
        grid = xs[0]
        ys = np.array([y for _, y in series])
    else:
        first, last = max(x[0] for x in xs), min(x[-1] for x in xs)
        grid = np.unique(np.concatenate(xs))
        grid = grid[(grid >= first) & (grid <= last)]
        ys = np.array([np.interp(grid, x, y) for x, y in series])
    return grid, np.median(ys, axis=0), ys.min(axis=0), ys.max(axis=0)


def curves(runs, series, leave_out=()):
    """One Curve per group of seeds; `series(run)` gives a run's (x, y)."""
    groups = seed_groups(runs)
    result = []
    for group, label in zip(groups, labels(groups, leave_out)):
        x, y, low, high = band([series(run) for run in group])
        result.append(Curve(label, x, y, low, high, len(group)))
    return result


def loss_column(runs):
    """suboptimality when every run logged it (model.optimum given), else the training loss."""
    if all("suboptimality" in run.metrics for run in runs):
        return "suboptimality", r"suboptimality $f(\bar x) - f^\star$"
    return "train_loss", r"training loss $f(\bar x)$"


def data_name(config):
    """The training set's file name (without .bz2/.gz) or synthetic name, with n and d."""
    train = str(config.get("data.train", "?"))
    if not train.startswith("synthetic:"):
        train = Path(train).name
        for suffix in (".bz2", ".gz"):
            train = train.removesuffix(suffix)
    return f"{train} (n = {config.get('train_rows', '?')}, d = {config.get('dim', '?')})"


def title_of(runs, title=""):
    """The figure's title: the caller's `title` over the data set(s) of the runs drawn."""
    names = " + ".join(dict.fromkeys(data_name(run.config) for run in runs))
    return f"{title}\n{names}" if title else names


def new_figure(runs, title):
    figure, axes = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    axes.set_title(title_of(runs, title), fontsize=10)
    axes.grid(True, which="major", alpha=0.3)
    return figure, axes


def draw(axes, drawn):
    for curve in drawn:
        (line,) = axes.plot(curve.x, curve.y, label=curve.label)
        if curve.seeds > 1:
            axes.fill_between(curve.x, curve.low, curve.high, color=line.get_color(), alpha=0.2,
                              linewidth=0)


def finish(figure, axes):
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


def suboptimality_vs_epoch(runs, title=""):
    column, name = loss_column(runs)
    figure, axes = new_figure(runs, title)
    draw(axes, curves(runs, lambda run: (run.metrics["epoch"], run.metrics[column])))
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


def traffic_series(kind, column):
    """(MB, `column`) of a run from its first evaluation with traffic: a log axis has no 0."""
    def series(run):
        megabytes = traffic(run, kind)
        sent = megabytes > 0
        return megabytes[sent], run.metrics[column][sent]
    return series


def suboptimality_vs_mb(runs, kind="bytes", title=""):
    """None when no run communicated (all on one rank with --traffic bytes)."""
    runs = with_traffic(runs, kind)
    if not runs:
        return None
    column, name = loss_column(runs)
    figure, axes = new_figure(runs, title)
    draw(axes, curves(runs, traffic_series(kind, column)))
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(TRAFFIC[kind][2] + LOG_FROM_FIRST)
    axes.set_ylabel(name)
    return finish(figure, axes)


def accuracy_vs_mb(runs, kind="bytes", title=""):
    """None when no run has a test set."""
    runs = [run for run in with_traffic(runs, kind) if "test_accuracy" in run.metrics]
    if not runs:
        return None
    figure, axes = new_figure(runs, title)
    draw(axes, curves(runs, traffic_series(kind, "test_accuracy")))
    axes.set_xscale("log")
    axes.set_xlabel(TRAFFIC[kind][2] + LOG_FROM_FIRST)
    axes.set_ylabel("test accuracy")
    return finish(figure, axes)


def default_target(runs):
    """The smallest suboptimality every run reaches: the largest of their best values."""
    return max(run.metrics["suboptimality"].min() for run in runs)


def first_reach(run, target, column):
    """`column` at the first evaluation whose suboptimality is at most `target`, or None."""
    reached = (run.metrics["suboptimality"] <= target).nonzero()[0]
    return run.metrics[column][reached[0]] if reached.size else None


def with_step_time(runs):
    """The runs that logged /metrics/step_s; each other one is named once on stderr."""
    timed = []
    for run in runs:
        if "step_s" in run.metrics:
            timed.append(run)
        else:
            print(f"plot: {run.path} has no /metrics/step_s (seconds in steps; written by newer "
                  f"memsgd-train), left out of time_to_target", file=sys.stderr)
    return timed


def time_points(runs, target):
    """Label -> [(ranks, median, min, max)] of the step seconds until the suboptimality first
    reaches `target`, over the seeds of each setting that get there (a setting none of whose
    seeds gets there has no point)."""
    groups = seed_groups(runs)
    points = {}
    for group, label in zip(groups, labels(groups, leave_out={"ranks"})):
        seconds = [s for s in (first_reach(run, target, "step_s") for run in group)
                   if s is not None]
        if seconds:
            points.setdefault(label, []).append(
                (group[0].config["ranks"], np.median(seconds), min(seconds), max(seconds)))
    return {label: sorted(rows) for label, rows in points.items()}


def time_to_target(runs, target=None, title=""):
    """Step seconds to the target against the rank count, one curve per setting; None unless
    the runs logged suboptimality and step_s with several rank counts."""
    def several_rank_counts(runs):
        return len({run.config["ranks"] for run in runs}) > 1

    if loss_column(runs)[0] != "suboptimality" or not several_rank_counts(runs):
        return None
    runs = with_step_time(runs)
    if not several_rank_counts(runs):
        return None
    target = default_target(runs) if target is None else target
    figure, axes = new_figure(runs, title)
    for label, rows in time_points(runs, target).items():
        ranks, median, low, high = (np.array(column) for column in zip(*rows))
        axes.errorbar(ranks, median, yerr=[median - low, high - median], marker="o",
                      capsize=3, label=label)
    axes.set_xticks(sorted({run.config["ranks"] for run in runs}))
    axes.set_xlabel("MPI ranks")
    axes.set_ylabel(f"seconds in steps to suboptimality ≤ {target:.2g}")
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
    parser.add_argument("--title", default="",
                        help="first line of every figure's title (the data set is the second)")
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
