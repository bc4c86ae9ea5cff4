#!/usr/bin/python3
"""memsgd-train built with -DMEMSGD_SMPI=ON, run by launch/smpi/run.sh on 4 simulated hosts.

Checks that a short job trains and writes its run file (ranks, bytes received per rank per step:
(P - 1) k pairs of 8 bytes), that its step time is the simulated platform's (ten times the
latency with computation not simulated gives ten times the step time), that auto calibrates on
the simulated clock, and that a collective timeout, which SMPI cannot watch, and the shared mode
are refused once with exit code 2.
Usage: smpi_run_test.py SMPI_BUILD_DIR    (ctest runs it in a -DMEMSGD_SMPI=ON build)
"""

import os
import pathlib
import subprocess
import sys
import tempfile

import h5py

REPO = pathlib.Path(__file__).resolve().parents[2]
RUN = REPO / "launch" / "smpi" / "run.sh"
RANKS, ROWS_PER_RANK, EPOCHS, K = 4, 4, 25, 10
STEPS = ROWS_PER_RANK * EPOCHS  # batch size 1
JOB = [f"data.train=synthetic:rcv1", f"data.rows={RANKS * ROWS_PER_RANK}",
       f"optimizer.epochs={EPOCHS}", "optimizer.batch_size=1", "compression.method=top_k",
       f"compression.k={K}", "log.eval_every=1000000", "log.quiet=true"]


def run(build, folder, name, *keys, platform=None, flags=""):
    env = dict(os.environ, MEMSGD_SMPI_BUILD_DIR=str(build), MEMSGD_SMPI_FLAGS=flags)
    if platform:
        env["MEMSGD_SMPI_PLATFORM"] = str(platform)
    output = folder / f"{name}.h5"
    result = subprocess.run([str(RUN), "-np", str(RANKS), "", *JOB, f"log.output={output}",
                             *keys], env=env, capture_output=True, text=True, timeout=300)
    return result, output


def platform_with_latency(folder, link_latency):
    text = (REPO / "launch" / "smpi" / "cluster_flat.xml").read_text()
    assert 'lat="0.75us"' in text, "cluster_flat.xml changed its link latency"
    path = folder / f"lat_{link_latency}.xml"
    path.write_text(text.replace('lat="0.75us"', f'lat="{link_latency}"'))
    return path


def main():
    build = pathlib.Path(sys.argv[1])
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    with tempfile.TemporaryDirectory() as temporary:
        folder = pathlib.Path(temporary)
        result, output = run(build, folder, "job")
        check(result.returncode == 0, f"job: exit {result.returncode}: {result.stderr[-2000:]}")
        if result.returncode == 0:
            with h5py.File(output) as f:
                check(int(f["/config"].attrs["ranks"]) == RANKS, "job: /config ranks")
                check(int(f.attrs["complete"]) == 1, "job: run file not complete")
                steps = int(f["/metrics/step"][-1])
                check(steps == STEPS, f"job: {steps} steps, not {STEPS}")
                received = f["/ranks/bytes_received"][-1]
                expected = (RANKS - 1) * K * 8 * STEPS
                check(all(int(r) == expected for r in received),
                      f"job: bytes received per rank {list(received)}, not {expected}")
                check(f["/metrics/step_s"][-1] > 0, "job: step_s is 0")

        # Without simulated computation a step of k = 10 pairs costs latencies alone (80 bytes
        # take 6 ns at 12.5 GBps): ten times the latency, ten times the step time.
        times = []
        for latency in ("0.75us", "7.5us"):
            result, output = run(build, folder, f"lat_{latency}",
                                 platform=platform_with_latency(folder, latency),
                                 flags="--cfg=smpi/simulate-computation:no")
            check(result.returncode == 0, f"latency {latency}: exit {result.returncode}")
            if result.returncode == 0:
                with h5py.File(output) as f:
                    times.append(float(f["/metrics/step_s"][-1]))
        if len(times) == 2:
            ratio = times[1] / times[0]
            check(8 <= ratio <= 12, f"step_s {times}: ratio {ratio:.2f} for 10x the latency, "
                  "so step_s is not the simulated time")

        # auto calibrates on the simulated platform's clock: on it a small message's round is
        # the platform's latency (1.5 us host to host), not this machine's.
        result, output = run(build, folder, "auto", "communication.collective=auto")
        check(result.returncode == 0, f"auto: exit {result.returncode}: {result.stderr[-2000:]}")
        if result.returncode == 0:
            with h5py.File(output) as f:
                attributes = f["/config"].attrs
                check(attributes["collective_costs"] == "measured", "auto: constants not measured")
                alpha = float(attributes["cost_alpha_s"])
                check(1e-6 <= alpha <= 1e-5, f"auto: alpha {alpha} s is not the platform's")

        # A refusal printed once, exit 2: the timeout, which SMPI cannot watch, and the shared
        # mode, whose ranks cannot step at the same time in SMPI's one thread.
        for name, key, said_text in (
                ("timeout", "communication.timeout_s=5", "communication.timeout_s = 5"),
                ("shared", "communication.mode=shared", "communication.mode = shared: this")):
            result, _ = run(build, folder, name, key)
            said = (result.stdout + result.stderr).count(said_text)
            check(result.returncode == 2, f"{name}: exit {result.returncode}, not 2")
            check(said == 1, f"{name}: the refusal printed {said} times: {result.stderr[-2000:]}")

    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
