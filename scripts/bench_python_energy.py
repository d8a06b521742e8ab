#!/usr/bin/env python3
"""Per-call overhead of graspqp.energy from Python against the same batch in C++ (bench/bench_energy_batch).

    /usr/bin/python3 scripts/bench_python_energy.py [BUILD]

Makes 256 Allegro grasps on the bundled mug once (generate, 300 steps, seed 1: realistic contacts), then
times one energy + gradient call for N = 256 and N = 1 on 1 thread and on all cores: graspqp.energy from
Python against its C++ work timed in C++ in the same process (alternating, fastest call of each, so that
both see the same load), and, for reference, the same batch in bench/bench_energy_batch (Google
Benchmark, a separate program). The difference is the bindings' overhead per call (argument checks and
conversion, output arrays and dict, GIL release). Run on an otherwise idle machine: both sides are timed the same way.
"""
import json
import os
import re
import subprocess
import sys
import time

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
sys.path.insert(0, os.path.join(BUILD, "python"))
import numpy as np  # noqa: E402
import graspqp  # noqa: E402

mug = os.path.join(graspqp.assets_dir(), "objects", "ycb", "mug", "textured.obj")
data_dir = os.path.join(BUILD, "bench_data", "python_energy")
(r,) = graspqp.generate(hand="allegro", objects=[mug], grasps=256, iters=300, seed=1, out=data_dir)
g = r["dataset"]
hand = graspqp.Hand("allegro")
p = g["attrs"]["parameters"]
obj = graspqp.Object(g["attrs"]["object_path"], scale=g["attrs"]["scale"], surface_samples=p["surface_samples"],
                     seed=g["attrs"]["seed"])


def interleaved(args, threads, rounds=15, calls=20):
    """Fastest single call of graspqp.energy (timed in Python) and of its C++ work (timed in C++,
    graspqp._graspqp._energy_core_seconds: the same parallel loop over the same inputs), measured in
    alternating rounds so that both see the same machine load."""
    py_best = cpp_best = float("inf")
    graspqp.energy(hand, obj, *args, threads=threads)  # warm up
    for _ in range(rounds):
        cpp_best = min(cpp_best, graspqp._graspqp._energy_core_seconds(hand, obj, *args, repeats=calls, threads=threads))
        for _ in range(calls):
            t0 = time.perf_counter()
            graspqp.energy(hand, obj, *args, threads=threads)
            py_best = min(py_best, time.perf_counter() - t0)
    return py_best, cpp_best


rows = []
for threads in (1, 0):
    for n in (256, 1):
        args = (g["root_pose"][:n], g["joints"][:n], g["contact_idx"][:n])
        rows.append((n, threads) + interleaved(args, threads))
check = graspqp.energy(hand, obj, g["root_pose"], g["joints"], g["contact_idx"])["total"].sum()

# The same batch in a separate C++ program (Google Benchmark: mean per call, best of 5 repetitions).
bench = os.path.join(BUILD, "bench", "bench_energy_batch")
out = subprocess.run([bench, "--benchmark_format=json", "--benchmark_repetitions=5",
                      "--benchmark_min_time=0.3"], capture_output=True, text=True, check=True,
                     env=dict(os.environ, GRASPQP_BENCH_GRASPS=r["file"])).stdout
gbench = {}
for b in json.loads(out)["benchmarks"]:
    if b.get("run_type") != "iteration" or "fresh" not in b["name"]:
        continue
    key = (int(re.search(r"/n:(\d+)", b["name"]).group(1)), int(re.search(r"/threads:(\d+)", b["name"]).group(1)))
    gbench[key] = min(gbench.get(key, float("inf")), b["real_time"] * 1e-6)
    if key == (256, 0):
        assert abs(b["energy_sum"] - check) <= 1e-9 * abs(check), (b["energy_sum"], check)

print(f"graspqp.energy (energy + gradient) vs the same C++ work; Allegro, mug, {g['contact_idx'].shape[1]} "
      f"contacts, {os.cpu_count()} cores")
print(f"{'N':>4} {'threads':>8} {'C++ in-process':>15} {'Python call':>12} {'overhead/call':>14} "
      f"{'per grasp':>10} {'bench_energy_batch':>19}")
for n, threads, py_t, cpp_t in rows:
    print(f"{n:>4} {threads or 'all':>8} {cpp_t * 1e6:>13.1f}us {py_t * 1e6:>10.1f}us {(py_t - cpp_t) * 1e6:>12.1f}us "
          f"{(py_t - cpp_t) / n * 1e6:>8.2f}us {gbench[(n, threads)] * 1e6:>17.1f}us")
