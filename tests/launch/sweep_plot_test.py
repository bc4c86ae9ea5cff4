#!/usr/bin/python3
"""launch/sweep.py and launch/plot.py on a tiny sweep of a9a (a few seconds): run names, completion,
skipping, rerunning an interrupted run, stopping at a failing run, and the figures (plot.py's rules
one by one: tests/launch/plot_test.py); and on heart_scale, that a changed config or data file
reruns a complete run, and that f* is cached by the data's content rather than its file name.

Needs MEMSGD_BUILD_DIR (the folder of memsgd-train and memsgd-optimum), as CTest sets it.
"""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import h5py

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "launch"))
import plot  # noqa: E402 (after its folder is on the path)

CONFIG = REPO / "configs" / "a9a_top_k.ini"
# a9a has 32561 rows: 0.05 epochs are about 1600 steps, evaluated 4 times and at the end.
SETTINGS = ["compression.k=1,2", "optimizer.epochs=0.05", "log.eval_every=400"]
NAMES = [f"a9a_top_k__np{ranks}__k={k}__epochs=0.05__eval_every=400"
         for ranks in (1, 2) for k in (1, 2)]


def sweep(out, *arguments):
    """Runs launch/sweep.py; returns its exit code and its output."""
    result = subprocess.run(
        [sys.executable, str(REPO / "launch" / "sweep.py"), *map(str, arguments), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return result.returncode, result.stdout


HEART_SCALE = REPO / "configs" / "data" / "heart_scale"


def write_data(path, flip_labels=False):
    """heart_scale (270 rows, d = 13) at `path`, every label flipped when asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = HEART_SCALE.read_text().splitlines()
    if flip_labels:
        lines = [("-" if line[0] == "+" else "+") + line[1:] for line in lines if line]
    path.write_text("\n".join(lines) + "\n")


def write_config(path, data, k=1):
    path.write_text(f"[data]\ntrain = {data}\nnormalize = l2\n[compression]\nmethod = top_k\n"
                    f"k = {k}\n[optimizer]\nepochs = 0.5\n")


class SweepReruns(unittest.TestCase):
    """A complete run is skipped only while its stored configuration and data are what the sweep
    would run now."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        self.data = self.root / "one" / "train.libsvm"
        write_data(self.data)
        self.config = self.root / "heart.ini"
        write_config(self.config, self.data)
        self.out = self.root / "results"
        self.run_file = self.out / "heart__np1.h5"

    def tearDown(self):
        self.tmp.cleanup()

    def sweep(self, *extra):
        code, output = sweep(self.out, self.config, "--ranks", "1", *extra)
        self.assertEqual(code, 0, output)
        return output

    def test_a_changed_key_reruns_the_run_saying_why(self):
        self.assertIn("1 run(s), 0 already complete", self.sweep())
        self.assertIn("heart__np1: complete, skipped", self.sweep())
        write_config(self.config, self.data, k=2)
        output = self.sweep()
        self.assertIn("heart__np1: stale, running again (compression.k: '1' in the file, '2' now;",
                      output)
        self.assertIn("1 run(s), 0 already complete", output)
        with h5py.File(self.run_file, "r") as f:
            self.assertEqual(f["config"].attrs["compression.k"], "2")

    def test_changed_data_at_the_same_path_reruns_the_run(self):
        self.sweep()
        write_data(self.data, flip_labels=True)
        output = self.sweep()
        self.assertIn("heart__np1: stale, running again (train_fingerprint:", output)
        self.assertIn("1 run(s), 0 already complete", output)
        self.assertIn("heart__np1: complete, skipped", self.sweep())

    def test_keep_stale_skips_a_complete_run_whatever_changed(self):
        self.sweep()
        before = self.run_file.stat().st_mtime_ns
        write_config(self.config, self.data, k=2)
        output = self.sweep("--keep-stale")
        self.assertIn("heart__np1: complete, skipped (--keep-stale)", output)
        self.assertEqual(self.run_file.stat().st_mtime_ns, before)

    def test_optimum_is_cached_by_content_not_by_file_name(self):
        # Two different data sets, both called train.libsvm, in two folders.
        other = self.root / "two" / "train.libsvm"
        write_data(other, flip_labels=True)
        other_config = self.root / "heart_two.ini"
        write_config(other_config, other)
        optimum = self.root / "optimum"
        code, output = sweep(self.out, self.config, other_config, "--ranks", "1",
                             "--optimum", optimum)
        self.assertEqual(code, 0, output)
        fstar_files = sorted(optimum.glob("fstar__*.h5"))
        self.assertEqual(len(fstar_files), 2, output)
        self.assertEqual(output.count("computing f*"), 2)
        for name in ("heart__np1", "heart_two__np1"):
            with h5py.File(self.out / f"{name}.h5", "r") as run:
                used = run["config"].attrs["model.optimum"]
                with h5py.File(used, "r") as fstar:
                    # The run's f* is its own data's, and the run records the value it used.
                    self.assertEqual(fstar.attrs["train_fingerprint"],
                                     run["config"].attrs["train_fingerprint"])
                    self.assertEqual(run["config"].attrs["optimum_value"], fstar["f_star"][0])
                self.assertGreater(run["metrics/suboptimality"][-1], 0)
        # Nothing changed: both runs and both f* files are reused.
        code, output = sweep(self.out, self.config, other_config, "--ranks", "1",
                             "--optimum", optimum)
        self.assertEqual(code, 0, output)
        self.assertIn("0 run(s), 2 already complete", output)
        self.assertNotIn("computing f*", output)


class SweepAndPlot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = Path(cls.tmp.name) / "results"
        cls.optimum = Path(cls.tmp.name) / "optimum"
        cls.code, cls.output = sweep(cls.out, CONFIG, *SETTINGS, "--ranks", "1,2",
                                     "--optimum", cls.optimum)
        print(cls.output)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_combination_has_its_complete_run_file(self):
        self.assertEqual(self.code, 0, self.output)
        self.assertEqual(sorted(p.stem for p in self.out.glob("*.h5")), sorted(NAMES))
        for i, name in enumerate(NAMES, 1):
            self.assertIn(f"[{i}/4] {name} ...", self.output)
            with h5py.File(self.out / f"{name}.h5", "r") as f:
                self.assertEqual(f.attrs["complete"], 1)
                self.assertEqual(f["config"].attrs["ranks"], int(name[len("a9a_top_k__np")]))
                self.assertEqual(f["config"].attrs["compression.k"], name.split("k=")[1][0])
                # f* was computed once and logged: suboptimality is f - f* > 0.
                self.assertGreater(f["metrics/suboptimality"][-1], 0)
        self.assertEqual(len(list(self.optimum.glob("fstar__*.h5"))), 1)
        self.assertEqual(self.output.count("computing f*"), 1)

    def test_second_invocation_runs_nothing_and_an_interrupted_run_runs_again(self):
        files = sorted(self.out.glob("*.h5"))
        before = {p: p.stat().st_mtime_ns for p in files}
        code, output = sweep(self.out, CONFIG, *SETTINGS, "--ranks", "1,2",
                             "--optimum", self.optimum)
        self.assertEqual(code, 0, output)
        self.assertIn("0 run(s), 4 already complete", output)
        self.assertNotIn("computing f*", output)
        self.assertEqual({p: p.stat().st_mtime_ns for p in files}, before)

        interrupted = self.out / f"{NAMES[1]}.h5"
        with h5py.File(interrupted, "a") as f:
            del f.attrs["complete"]  # what a killed run leaves
        code, output = sweep(self.out, CONFIG, *SETTINGS, "--ranks", "1,2",
                             "--optimum", self.optimum)
        self.assertEqual(code, 0, output)
        self.assertIn("1 run(s), 3 already complete", output)
        self.assertIn(f"[2/4] {NAMES[1]} ...", output)
        with h5py.File(interrupted, "r") as f:
            self.assertEqual(f.attrs["complete"], 1)

    def test_a_failing_run_stops_the_sweep_with_its_exit_code_and_message(self):
        out = Path(self.tmp.name) / "failing"
        # k = 500 exceeds a9a's d = 123: memsgd-train exits with code 2; k = 3 must not start.
        code, output = sweep(out, CONFIG, "compression.k=1,500,3", "optimizer.epochs=0.01",
                             "--ranks", "1")
        self.assertEqual(code, 2, output)
        self.assertIn("run a9a_top_k__np1__k=500__epochs=0.01 failed with exit code 2", output)
        self.assertIn("compression.k = 500", output)  # the end of the run's own output
        self.assertFalse((out / "a9a_top_k__np1__k=3__epochs=0.01.h5").exists())

    def test_figures_have_labelled_axes_and_curves(self):
        runs = plot.load_runs(self.out)
        self.assertEqual(len(runs), 4)
        figures = plot.figures(runs)
        # time_to_target needs /metrics/step_s, which memsgd-train writes from issue #10 on.
        timed = all("step_s" in run.metrics for run in runs)
        expected = {"suboptimality_vs_epoch", "suboptimality_vs_mb", "accuracy_vs_mb"}
        self.assertEqual(set(figures), expected | ({"time_to_target"} if timed else set()))
        for figure in figures.values():
            self.assertEqual(figure.axes[0].get_title(), "a9a (n = 32561, d = 123)")
        epoch = figures["suboptimality_vs_epoch"].axes[0]
        self.assertEqual(epoch.get_xlabel(), "epochs")
        self.assertTrue(epoch.get_ylabel().startswith("suboptimality"))
        self.assertEqual(epoch.get_yscale(), "log")
        self.assertEqual(sorted(line.get_label() for line in epoch.get_lines()),
                         ["top-1 with memory, 1 rank", "top-1 with memory, 2 ranks",
                          "top-2 with memory, 1 rank", "top-2 with memory, 2 ranks"])
        # One rank hands no bytes to MPI, so only the 2-rank runs have a place on an MB axis.
        mb = figures["suboptimality_vs_mb"].axes[0]
        self.assertTrue(mb.get_xlabel().startswith("MB sent by all ranks"))
        self.assertEqual((mb.get_xscale(), mb.get_yscale()), ("log", "log"))
        self.assertEqual(len(mb.get_lines()), 2)
        # The evaluation before the first step sent nothing: the curves start one row later.
        for line in mb.get_lines():
            self.assertTrue((line.get_xdata() > 0).all())
            self.assertEqual(len(line.get_xdata()), len(runs[0].metrics["step"]) - 1)
        self.assertEqual(figures["accuracy_vs_mb"].axes[0].get_ylabel(), "test accuracy")
        if timed:
            ranks = figures["time_to_target"].axes[0]
            self.assertEqual(ranks.get_xlabel(), "MPI ranks")
            self.assertEqual(sorted(container.get_label() for container in ranks.containers),
                             ["top-1 with memory", "top-2 with memory"])
        paper = plot.suboptimality_vs_mb(runs, "paper").axes[0]
        self.assertEqual(len(paper.get_lines()), 4)  # the paper's bits count on one rank too

    def test_the_command_writes_small_png_files(self):
        figures = Path(self.tmp.name) / "figures"
        result = subprocess.run(
            [sys.executable, str(REPO / "launch" / "plot.py"), str(self.out), "--out", str(figures),
             "--prefix", "tiny_"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(result.returncode, 0, result.stdout)
        written = sorted(p.name for p in figures.glob("*.png"))
        timed = all("step_s" in run.metrics for run in plot.load_runs(self.out))
        self.assertEqual(written, ["tiny_accuracy_vs_mb.png", "tiny_suboptimality_vs_epoch.png",
                                   "tiny_suboptimality_vs_mb.png"]
                         + (["tiny_time_to_target.png"] if timed else []))
        if not timed:
            self.assertEqual(result.stdout.count("has no /metrics/step_s"), 4, result.stdout)
        for name in written:
            data = (figures / name).read_bytes()
            self.assertTrue(data.startswith(b"\x89PNG"), name)
            self.assertLess(len(data), 150_000, name)


if __name__ == "__main__":
    os.environ.setdefault("MEMSGD_BUILD_DIR", str(REPO / "build"))
    unittest.main(verbosity=2)
