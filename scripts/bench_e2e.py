#!/usr/bin/python3
"""End-to-end benchmark: physically valid grasps per second on this machine.

Runs `graspqp generate --validate graspqp` on the bundled YCB objects (mug, banana, cracker_box) for
Allegro full and Shadow full, 32 grasps per object, seed 1, with the current defaults and with the
previous defaults (every test of every grasp simulated, no settling, the reference closing command), with the fast setting (--freeze-after 3500:
a sample stops after 3,500 steps of its own schedule) and with the screening setting (fast, validated under
graspqp-fast: cheaper physics, about 4 % of verdicts differ), RUNS times each (default 3), and prints the medians
side by side with their ratios. The binary is the same for all three: exact speed-ups (culling grids,
shared settle phase, pipelined objects) count in every column; their gain is in docs/results.md.

    scripts/bench_e2e.py [BUILD] [--runs N] [--hands allegro,shadow_hand] [--json OUT]

Columns: synthesized grasps/s (grasps / summed synthesis wall time of the objects), evaluated grasps/s
(grasps / summed validation wall time; objects are pipelined, so the two stages overlap), valid grasps/s (valid grasps / wall time of the whole command), success (valid / grasps), CPU time
of the command (user + system), and where the time went: energy (thread time in the energy, summed over
threads), sampler overhead (synthesis wall x threads - energy: proposals, z-scores, barriers; an upper
bound, as the threads are shared with the other object in flight) and simulation (validation wall).
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OBJECTS = [os.path.join(ROOT, "assets/objects/ycb", o, "textured.obj") for o in ("mug", "banana", "cracker_box")]
# Each setting: the protocol of --validate, then further options.
CONFIGS = {
    "previous": ("graspqp", ["--iters", "7000", "--validate-set", "stop_at_verdict=false", "--settle", "none",
                             "--closing", "reference"]),
    "current": ("graspqp", []),
    "fast": ("graspqp", ["--freeze-after", "3500"]),
    # Validated under graspqp-fast (its verdicts differ from graspqp's on about 4 % of grasps).
    "screening": ("graspqp-fast", ["--freeze-after", "3500"]),
}


def run_once(graspqp, hand, config, threads, out):
    cmd = [graspqp, "generate", "--hand", hand, "--grasp-type", "full", "--object", *OBJECTS, "--grasps", "32",
           "--seed", "1", "--threads", str(threads), "--validate", CONFIGS[config][0], "--out", out, *CONFIGS[config][1]]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    objs = summary["objects"]
    grasps = sum(o["grasps"] for o in objs)
    valid = sum(o["valid"] for o in objs)
    synthesis = sum(o["synthesis_seconds"] for o in objs)
    validation = sum(o["validation_seconds"] for o in objs)
    energy = sum(o["energy_cpu_seconds"] for o in objs)
    return {
        "synthesized_per_s": grasps / synthesis,
        "evaluated_per_s": grasps / validation,
        "valid_per_s": valid / wall,
        "success": valid / grasps,
        "wall_s": wall,
        "cpu_s": cpu,
        "energy_cpu_s": energy,
        "sampler_overhead_s": synthesis * summary["threads"] - energy,
        "simulation_s": validation,
        "grasps": grasps,
        "valid": valid,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", nargs="?", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    ap.add_argument("--hands", default="allegro,shadow_hand")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--json", help="also write the medians (and every run) to this file")
    args = ap.parse_args()
    graspqp = os.path.join(args.build, "bin", "graspqp")
    if not os.access(graspqp, os.X_OK):
        sys.exit(f"bench_e2e: {graspqp}: not built (run make build)")
    results = {}
    tmp = tempfile.mkdtemp(prefix="graspqp_bench_")
    try:
        for hand in args.hands.split(","):
            for config in CONFIGS:
                runs = []
                for r in range(args.runs):
                    out = os.path.join(tmp, f"{hand}-{config}-{r}")
                    runs.append(run_once(graspqp, hand, config, args.threads, out))
                    shutil.rmtree(out, ignore_errors=True)
                    print(f"  {hand:12} {config:9} run {r + 1}: {runs[-1]['valid_per_s']:.2f} valid grasps/s, "
                          f"{runs[-1]['wall_s']:.1f} s", file=sys.stderr, flush=True)
                median = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
                results[f"{hand}/{config}"] = {"median": median, "runs": runs}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    cols = [("synth/s", "synthesized_per_s", "%.2f"), ("eval/s", "evaluated_per_s", "%.2f"),
            ("valid/s", "valid_per_s", "%.2f"), ("success", "success", "%.1f%%"), ("wall s", "wall_s", "%.1f"),
            ("CPU s", "cpu_s", "%.1f"), ("energy s", "energy_cpu_s", "%.1f"),
            ("sampler s", "sampler_overhead_s", "%.1f"), ("sim s", "simulation_s", "%.1f")]
    print(f"end to end: generate --validate graspqp (screening: graspqp-fast), 3 YCB objects x 32 grasps, seed 1, {args.threads} threads, "
          f"median of {args.runs} run(s)")
    print(f"{'hand':12} {'defaults':9} " + " ".join(f"{c[0]:>9}" for c in cols))
    for key, res in results.items():
        hand, config = key.split("/")
        m = res["median"]
        cells = [(c[2] % (100 * m[c[1]] if c[1] == "success" else m[c[1]])) for c in cols]
        print(f"{hand:12} {config:9} " + " ".join(f"{c:>9}" for c in cells))
    for hand in args.hands.split(","):
        prev = results[f"{hand}/previous"]["median"]
        for config in ("current", "fast", "screening"):
            cur = results[f"{hand}/{config}"]["median"]
            print(f"{hand} {config} vs previous: valid grasps/s x{cur['valid_per_s'] / prev['valid_per_s']:.2f}, "
                  f"synthesized/s x{cur['synthesized_per_s'] / prev['synthesized_per_s']:.2f}, evaluated/s "
                  f"x{cur['evaluated_per_s'] / prev['evaluated_per_s']:.2f}, success "
                  f"{100 * (cur['success'] - prev['success']):+.1f} points")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
