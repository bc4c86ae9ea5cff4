#!/usr/bin/python3
"""launch/plot.py's rules on run files this test writes with h5py in the run file's layout
(README "The run file"): MB curves start at their first non-zero traffic, labels show only the
settings a compressor reads, seeds become one median curve with a min-max band, titles name the
data set, and time-to-target counts /metrics/step_s (runs without it are named and left out).
"""

import contextlib
import io
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "launch"))
import plot  # noqa: E402 (after its folder is on the path)

# The resolved configuration memsgd-train writes for a9a_top_k.ini on one rank (strings, as the
# run file stores them), plus its numeric data attributes.
BASE = {
    "communication.aggregation": "sum", "communication.index_encoding": "raw",
    "communication.value_type": "fp32", "compression.k": "1", "compression.levels": "16",
    "compression.memory": "true", "compression.method": "top_k",
    "compression.qsgd_encoding": "auto", "compression.sample_size": "1000",
    "compression.threshold": "0", "data.dim": "0", "data.normalize": "l2", "data.rows": "0",
    "data.test": "/data/a9a.t.bz2", "data.train": "/data/a9a.bz2", "log.eval_every": "auto",
    "log.output": "x.h5", "memsgd_version": "0.1.0", "model.lambda": "auto",
    "model.optimum": "fstar.h5", "model.precision": "double", "optimizer.averaging": "weighted",
    "optimizer.batch_size": "1", "optimizer.epochs": "3", "optimizer.gamma": "2",
    "optimizer.offset": "auto", "optimizer.schedule": "decay", "optimizer.seed": "1",
    "ranks": 2, "dim": 123, "train_rows": 32561, "test_rows": 16281, "train_nonzeros": 451592,
    "lambda_resolved": 3.07e-05, "offset_resolved": 123.0,
}
EPOCHS = np.array([0.0, 1.0, 2.0, 3.0])


def write_run(folder, name, settings=None, step_s=True, **columns):
    """A complete run file `name`.h5 in `folder`: BASE with `settings`, four evaluations, and the
    given /metrics columns over defaults (bytes from 0, decreasing suboptimality); `step_s` is
    its column, True for a default one, False for none (a file of an older memsgd-train)."""
    config = {**BASE, **(settings or {})}
    metrics = {
        "step": np.array([0, 10, 20, 30]), "epoch": EPOCHS,
        "wall_s": np.array([0.0, 2.0, 4.0, 6.0]), "train_loss": np.array([0.7, 0.4, 0.35, 0.33]),
        "suboptimality": np.array([0.4, 0.1, 0.02, 0.01]),
        "test_accuracy": np.array([0.5, 0.8, 0.84, 0.85]),
        "bytes_sent": np.array([0, 1e6, 2e6, 3e6]), "paper_bits": np.array([0, 8e6, 16e6, 24e6]),
        **columns,
    }
    if step_s is True:
        metrics["step_s"] = np.array([0.0, 0.5, 1.0, 1.5])
    elif step_s is not False:
        metrics["step_s"] = step_s
    path = Path(folder) / f"{name}.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("config")
        for key, value in config.items():
            group.attrs[key] = value
        for column, values in metrics.items():
            f.create_dataset(f"metrics/{column}", data=values, maxshape=(None,), chunks=True)
        f.attrs["complete"] = 1
    return path


class PlotRules(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = Path(self.tmp.name)

    def tearDown(self):
        plot.plt.close("all")
        self.tmp.cleanup()

    def load(self):
        return plot.load_runs(self.folder)

    def test_mb_curves_start_at_their_first_non_zero_traffic(self):
        write_run(self.folder, "a")
        write_run(self.folder, "b", {"compression.k": "2"},
                  bytes_sent=np.array([0, 0, 2e6, 4e6]))  # nothing sent before the 2nd row
        runs = self.load()
        built = plot.curves(runs, plot.traffic_series("bytes", "suboptimality"))
        self.assertEqual([list(c.x) for c in built], [[1.0, 2.0, 3.0], [2.0, 4.0]])
        self.assertEqual([list(c.y) for c in built], [[0.1, 0.02, 0.01], [0.02, 0.01]])
        axes = plot.suboptimality_vs_mb(runs).axes[0]
        self.assertEqual(axes.get_xscale(), "log")
        self.assertIn("curves start at their first non-zero value", axes.get_xlabel())
        for line in axes.get_lines():
            self.assertTrue((line.get_xdata() > 0).all(), line.get_label())
        self.assertEqual([len(line.get_xdata()) for line in axes.get_lines()], [3, 2])
        accuracy = plot.accuracy_vs_mb(runs).axes[0]
        self.assertEqual(list(accuracy.get_lines()[0].get_ydata()), [0.8, 0.84, 0.85])

    def test_labels_show_only_the_settings_each_compressor_reads(self):
        # A sweep over methods and k: k, levels and tau must appear only where they act.
        sweep = [
            ("none", {"compression.memory": "false"}),
            ("top_k", {"compression.k": "1"}),
            ("top_k", {"compression.k": "10", "compression.memory": "false"}),
            ("scaled_sign", {"compression.k": "1"}),
            ("scaled_sign", {"compression.k": "10", "optimizer.seed": "2"}),
            ("qsgd", {"compression.k": "10", "compression.levels": "256",
                      "compression.memory": "false"}),
            ("qsgd", {"compression.levels": "10", "compression.memory": "true"}),
            ("threshold", {"compression.threshold": "0.05"}),
            ("rand_k_unbiased", {"compression.k": "3", "compression.memory": "false"}),
            ("approx_top_k", {"compression.k": "10", "compression.sample_size": "500"}),
            ("approx_top_k", {"compression.k": "10"}),
        ]
        for i, (method, settings) in enumerate(sweep):
            write_run(self.folder, f"run{i:02}", {"compression.method": method, **settings})
        runs = self.load()
        groups = plot.seed_groups(runs)
        # The two scaled_sign runs differ in k (which it ignores) and seed: two settings, one label.
        self.assertEqual(plot.labels(groups), [
            "SGD",
            "top-1 with memory",
            "top-10 without memory",
            "scaled sign with memory",
            "scaled sign with memory",
            "QSGD 8 bit without memory",
            "QSGD s=10 with memory",
            "threshold τ=0.05 with memory",
            "unbiased rand-3 without memory",
            "approx. top-10 with memory, sample_size=500",
            "approx. top-10 with memory, sample_size=1000",
        ])

    def test_other_varying_settings_label_only_the_compressors_that_read_them(self):
        write_run(self.folder, "a", {"communication.index_encoding": "varint", "ranks": 4})
        write_run(self.folder, "b", {"compression.method": "qsgd", "ranks": 4,
                                     "compression.memory": "false"})
        write_run(self.folder, "c", {"compression.method": "none", "ranks": 1})
        self.assertEqual(plot.labels(plot.seed_groups(self.load())), [
            "top-1 with memory, index_encoding=varint, 4 ranks",
            "QSGD 4 bit without memory, 4 ranks",
            "SGD, 1 rank",
        ])

    def test_seeds_are_one_median_curve_with_a_min_max_band(self):
        for seed, last in (("1", 0.01), ("2", 0.03), ("3", 0.02)):
            write_run(self.folder, f"top1_seed{seed}", {"optimizer.seed": seed},
                      suboptimality=np.array([0.4, 0.1, 0.05, last]))
        write_run(self.folder, "top2", {"compression.k": "2"})
        runs = self.load()
        (three, one) = plot.curves(runs, lambda run: (run.metrics["epoch"],
                                                      run.metrics["suboptimality"]))
        self.assertEqual((three.label, three.seeds), ("top-1 with memory, median of 3 seeds", 3))
        self.assertEqual(list(three.x), list(EPOCHS))
        self.assertEqual(list(three.y), [0.4, 0.1, 0.05, 0.02])
        self.assertEqual(list(three.low), [0.4, 0.1, 0.05, 0.01])
        self.assertEqual(list(three.high), [0.4, 0.1, 0.05, 0.03])
        self.assertEqual((one.label, one.seeds), ("top-2 with memory", 1))
        axes = plot.suboptimality_vs_epoch(runs).axes[0]
        self.assertEqual([line.get_label() for line in axes.get_lines()],
                         ["top-1 with memory, median of 3 seeds", "top-2 with memory"])
        self.assertEqual(len(axes.collections), 1)  # one band: the single-seed curve has none

    def test_seeds_with_different_x_are_interpolated_on_a_common_grid(self):
        # Variable-size messages: each seed sent different bytes by the same evaluation.
        write_run(self.folder, "s1", {"compression.method": "threshold", "optimizer.seed": "1"},
                  bytes_sent=np.array([0, 1e6, 2e6, 3e6]),
                  suboptimality=np.array([0.5, 0.3, 0.2, 0.1]))
        write_run(self.folder, "s2", {"compression.method": "threshold", "optimizer.seed": "2"},
                  bytes_sent=np.array([0, 1.5e6, 2.5e6, 3.5e6]),
                  suboptimality=np.array([0.5, 0.4, 0.2, 0.2]))
        (curve,) = plot.curves(self.load(), plot.traffic_series("bytes", "suboptimality"))
        # The union of both x within [1.5, 3] (covered by both); s1 at 1.5 and 2.5 is 0.25 and
        # 0.15, s2 at 2 and 3 is 0.3 and 0.2.
        self.assertEqual(list(curve.x), [1.5, 2.0, 2.5, 3.0])
        np.testing.assert_allclose(curve.low, [0.25, 0.2, 0.15, 0.1])
        np.testing.assert_allclose(curve.high, [0.4, 0.3, 0.2, 0.2])
        np.testing.assert_allclose(curve.y, [0.325, 0.25, 0.175, 0.15])

    def test_every_figure_names_its_data_set(self):
        write_run(self.folder, "a")
        write_run(self.folder, "b", {"data.train": "synthetic:rcv1", "dim": 47236,
                                     "train_rows": 20242, "compression.k": "10"})
        runs = self.load()
        self.assertEqual(plot.title_of(runs[:1]), "a9a (n = 32561, d = 123)")
        for figure in plot.figures(runs).values():
            self.assertEqual(figure.axes[0].get_title(),
                             "a9a (n = 32561, d = 123) + synthetic:rcv1 (n = 20242, d = 47236)")
        figure = plot.suboptimality_vs_epoch(runs[:1], "Mem-SGD")
        self.assertEqual(figure.axes[0].get_title(), "Mem-SGD\na9a (n = 32561, d = 123)")

    def test_time_to_target_counts_step_seconds_not_wall_time(self):
        # Reaches 0.02 at row 2: 4 s of wall time (evaluations included), 1.0 s or 0.6 s in steps.
        write_run(self.folder, "np1", {"ranks": 1})
        write_run(self.folder, "np2", {"ranks": 2}, step_s=np.array([0.0, 0.3, 0.6, 0.9]))
        write_run(self.folder, "np2_seed2", {"ranks": 2, "optimizer.seed": "2"},
                  step_s=np.array([0.0, 0.4, 0.8, 1.2]))
        runs = self.load()
        self.assertEqual(plot.time_points(runs, 0.02), {
            "top-1 with memory": [(1, 1.0, 1.0, 1.0)],
            "top-1 with memory, median of 2 seeds": [(2, 0.7, 0.6, 0.8)],
        })
        axes = plot.time_to_target(runs, 0.02).axes[0]
        self.assertEqual(axes.get_ylabel(), "seconds in steps to suboptimality ≤ 0.02")
        self.assertEqual(axes.get_xlabel(), "MPI ranks")

    def test_a_run_without_step_seconds_is_named_and_left_out_of_time_to_target(self):
        write_run(self.folder, "np1", {"ranks": 1})
        old = write_run(self.folder, "np2_old", {"ranks": 2}, step_s=False)
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            built = plot.figures(self.load())
        # One rank count is left: no time figure, the others are drawn with both runs.
        self.assertNotIn("time_to_target", built)
        self.assertEqual(len(built["suboptimality_vs_epoch"].axes[0].get_lines()), 2)
        self.assertEqual(stderr.getvalue().count("step_s"), 1, stderr.getvalue())
        self.assertIn(f"plot: {old} has no /metrics/step_s", stderr.getvalue())
        # With one rank count there is no time figure to leave the run out of: nothing to say.
        (self.folder / "np1.h5").unlink()
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            plot.figures(self.load())
        self.assertNotIn("step_s", stderr.getvalue())

    def test_the_command_writes_every_figure(self):
        for ranks in (1, 2, 4):
            write_run(self.folder, f"np{ranks}", {"ranks": ranks})
        out = self.folder / "figures"
        result = subprocess.run(
            [sys.executable, str(REPO / "launch" / "plot.py"), str(self.folder), "--out", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertEqual(sorted(p.name for p in out.glob("*.png")),
                         ["accuracy_vs_mb.png", "suboptimality_vs_epoch.png",
                          "suboptimality_vs_mb.png", "time_to_target.png"])
        for path in out.glob("*.png"):
            self.assertTrue(path.read_bytes().startswith(b"\x89PNG"), path)


if __name__ == "__main__":
    unittest.main(verbosity=2)
