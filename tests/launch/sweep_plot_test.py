#!/usr/bin/python3
"""launch/sweep.py and launch/plot.py on a tiny sweep of a9a (a few seconds): run names, completion,
skipping, rerunning an interrupted run, stopping at a failing run, and the figures (plot.py's rules
one by one: tests/launch/plot_test.py).

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
