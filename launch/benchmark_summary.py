"""One markdown table from Google Benchmark JSON files and memsgd-train timings.

Usage: benchmark_summary.py OUT.md [RESULT ...]
  RESULT: a Google Benchmark JSON file (--benchmark_out_format=json), or a .tsv of end-to-end
  runs with the columns name, ranks, load_s, step_s, epochs (one run per line, no header).

Generic over benchmarks: every benchmark in a JSON file gets a row, with its median over
repetitions (or its single run). A counter is a ratio to a bound when the file's context has a
key of the counter's name; the key's text names the bound. Standard library only.
"""

import json
import re
import sys
from pathlib import Path

# Google Benchmark appends the clock it was told to use; no suffix means CPU time.
CLOCK_SUFFIXES = {"/manual_time": "manual (wall)", "/real_time": "wall"}

# Fields of every Google Benchmark run, not user counters.
KNOWN_FIELDS = {
    "family_index", "per_family_instance_index", "repetitions", "repetition_index", "threads",
    "iterations", "real_time", "cpu_time",
}


def number(value):
    return f"{value:.4g}"


def clock_of(name):
    for suffix, clock in CLOCK_SUFFIXES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], clock
    return name, "cpu"


def representative_runs(benchmarks):
    """The median aggregate of each run, or the run itself when it ran once; in run order."""
    with_median = {b["run_name"] for b in benchmarks if b.get("aggregate_name") == "median"}
    return [
        b for b in benchmarks
        if b.get("aggregate_name") == "median"
        or (b.get("run_type") == "iteration" and b["run_name"] not in with_median)
    ]


def benchmark_rows(path):
    text = Path(path).read_text()
    if not text.strip():
        return []  # the filter matched nothing in this binary
    report = json.loads(text)
    context = report["context"]
    suite = Path(context["executable"]).name.removeprefix("memsgd_").removesuffix("_benchmark")
    rows = []
    for run in representative_runs(report["benchmarks"]):
        name, clock = clock_of(re.sub(r"/iterations:\d+", "", run["run_name"]))
        if run.get("error_occurred"):
            rows.append([suite, name, "-", "-", clock, "-", "-", "-",
                         "error: " + run.get("error_message", "")])
            continue
        time = run["real_time"] if clock != "cpu" else run["cpu_time"]
        ratios, bounds, others = [], [], []
        for counter, value in run.items():
            is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not is_number or counter in KNOWN_FIELDS:
                continue
            if counter in context:
                ratios.append(f"{counter} = {number(value)}")
                bounds.append(context[counter])
            else:
                others.append(f"{counter}={number(value)}")
        rows.append(
            [suite, name, number(time), run["time_unit"], clock,
             str(run.get("repetitions", 1)), "; ".join(ratios) or "-",
             "; ".join(bounds) or "-", " ".join(others)])
    return rows


def end_to_end_rows(path):
    rows = []
    for line in Path(path).read_text().splitlines():
        name, ranks, load_s, step_s, epochs = line.split("\t")
        per_epoch = float(step_s) / float(epochs)
        rows.append(
            ["train", f"{name}/np{ranks}", number(per_epoch), "s/epoch", "wall (steps only)",
             "1", "-", "-",
             f"load_s={number(float(load_s))} steps_s={number(float(step_s))} epochs={epochs}"])
    return rows


def main():
    out, results = sys.argv[1], sys.argv[2:]
    rows = []
    for path in results:
        rows += end_to_end_rows(path) if path.endswith(".tsv") else benchmark_rows(path)
    header = ["suite", "benchmark", "time (median of reps)", "unit", "clock", "reps", "ratio",
              "bound of the ratio", "other counters"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    table = "\n".join(lines) + "\n"
    Path(out).write_text(table)
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
