#!/usr/bin/python3
"""launch/speedup.py's measures on run files this test writes with h5py (plot_test's writer):
a method's target is the largest best suboptimality of its shared runs, times to it are medians
over the seeds that reach it, the speedup is the 1-rank time over the P-rank time of one mode,
steps per second per rank is samples / (ranks * step_s), and the per-sample band is the ratio of
the shared to the synchronous median curve over the second half.
"""

import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "launch"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import speedup  # noqa: E402 (after its folder is on the path)
from plot_test import write_run  # noqa: E402

SAMPLES = np.array([0, 1000, 2000, 3000])


def write(folder, mode, ranks, seed, suboptimality, step_s):
    write_run(folder, f"run_{mode}_{ranks}_{seed}",
              {"communication.mode": mode, "ranks": ranks, "optimizer.seed": str(seed),
               "optimizer.averaging": "last"},
              step_s=np.array(step_s), samples=SAMPLES, suboptimality=np.array(suboptimality))


class SpeedupMeasures(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = Path(self.tmp.name) / "parallel-a9a"
        self.folder.mkdir()

    def tearDown(self):
        self.tmp.cleanup()

    def rows(self):
        header = ["data", "method", "mode", "ranks", "steps_per_rank", "target", "time",
                  "reached", "speedup", "final", "band"]
        return {(row[2], row[3]): dict(zip(header, row)) for row in speedup.rows_of(self.folder)}

    def test_measures(self):
        for seed in (1, 2):
            write(self.folder, "shared", 1, seed, [0.4, 0.1, 0.02, 0.01], [0, 0.5, 1.0, 1.5])
            # The worst shared run's best value, 0.02, is the target.
            write(self.folder, "shared", 2, seed, [0.4, 0.1, 0.03, 0.02], [0, 0.2, 0.4, 0.6])
            write(self.folder, "sync", 2, seed, [0.4, 0.1, 0.02, 0.01], [0, 0.3, 0.6, 0.9])
        write(self.folder, "sync", 1, 1, [0.4, 0.1, 0.02, 0.01], [0, 1, 2, 3])
        write(self.folder, "sync", 1, 2, [0.4, 0.1, 0.05, 0.03], [0, 1, 2, 3])  # never gets there
        rows = self.rows()
        self.assertEqual(rows[("shared", "1")]["target"], "2.00e-02")
        self.assertEqual(rows[("shared", "1")]["time"], "1.00 (1.00-1.00)")
        self.assertEqual(rows[("shared", "2")]["time"], "0.60 (0.60-0.60)")
        self.assertEqual(rows[("shared", "2")]["speedup"], "1.67x")
        self.assertEqual(rows[("shared", "2")]["steps_per_rank"], "2,500")  # 3000 / (2 * 0.6)
        self.assertEqual(rows[("shared", "2")]["band"], "1.50-2.00")  # 0.03/0.02, 0.02/0.01
        # Medians over the seeds: sync's on 1 rank are 0.035 and 0.02 in the second half.
        self.assertEqual(rows[("shared", "1")]["band"], "0.50-0.57")
        self.assertEqual(rows[("sync", "1")]["reached"], "1/2")
        # Where a 1-rank seed never reaches the target, no speedup is claimed.
        self.assertEqual(rows[("sync", "1")]["speedup"], "-")
        self.assertEqual(rows[("sync", "2")]["speedup"], "-")
        self.assertEqual(rows[("sync", "2")]["time"], "0.60 (0.60-0.60)")


if __name__ == "__main__":
    unittest.main()
