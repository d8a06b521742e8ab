#!/usr/bin/python3
"""The GraspQP paper's Table 1, re-measured with graspqp, with 95 % Wilson intervals on every rate.

Rows as in the paper: 4 contacts (DexGraspNet energy with DexGraspNet's annealing "MALA" and with MALA*,
GraspQP with MALA*), 12 contacts precision and pinch (DexGraspNet/MALA, TDG/MALA*, GraspQP/MALA*) and
12 contacts full (DexGraspNet/MALA, GraspQP/MALA*); columns the paper's five grippers, under each protocol.
Every cell is `graspqp generate` (with the reference's closing command, `--closing reference`, as the paper)
then `graspqp eval` (resumable: finished files are skipped), so a cut-off
run continues where it stopped. Prints the table (markdown) and writes OUT/table1.md, OUT/table1.json and
OUT/table1.png (success with its interval per cell).

  scripts/table1.py [--out results/table1] [--objects DIR] [--grasps 32] [--iters 7000]
                    [--hands allegro,shadow_hand,robotiq3,robotiq2,ability_hand] [--protocols graspqp,dexgraspbench]
                    [--threads 2] [--seed 1]

A difference is "resolved" when the two Wilson intervals do not overlap; at 96 grasps a cell's interval is
about +-10 points, so most differences of Table 1 need several hundred grasps per cell to resolve.
"""
import argparse
import json
import math
import os
import subprocess
import sys

ROWS = [  # (block, energy, optimizer, contacts, grasp type)
    ("4 contacts", "dexgraspnet", "annealing", 4, "full"),
    ("4 contacts", "dexgraspnet", "mala-star", 4, "full"),
    ("4 contacts", "graspqp", "mala-star", 4, "full"),
    ("12 / precision", "dexgraspnet", "annealing", 12, "precision"),
    ("12 / precision", "tdg", "mala-star", 12, "precision"),
    ("12 / precision", "graspqp", "mala-star", 12, "precision"),
    ("12 / pinch", "dexgraspnet", "annealing", 12, "pinch"),
    ("12 / pinch", "tdg", "mala-star", 12, "pinch"),
    ("12 / pinch", "graspqp", "mala-star", 12, "pinch"),
    ("12 / full", "dexgraspnet", "annealing", 12, "full"),
    ("12 / full", "graspqp", "mala-star", 12, "full"),
]
OPTIMIZER_NAME = {"annealing": "MALA", "mala-star": "MALA*"}


def wilson(successes, n, z=1.959964):
    """95 % Wilson score interval of a binomial proportion."""
    if n == 0:
        return (None, None)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def hand_types(cli, hand):
    """{grasp type: contact candidates} of a hand, None for an unknown hand."""
    out = subprocess.run([cli, "hands", "--hand", hand, "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout).get("grasp_types", {})


def run(cmd, log):
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        sys.exit(f"table1: failed (exit {rc}): {' '.join(cmd)} (log: {log})")


def cell(args, row, hand, meshes):
    """Generates and evaluates one cell; returns {protocol: group of report.json} or None if not applicable."""
    block, energy, optimizer, contacts, gtype = row
    tag = f"{energy}-{optimizer}-{contacts}c-{gtype}"
    gen = os.path.join(args.out, "gen", hand, tag)
    log = os.path.join(args.out, "log.txt")
    run([args.cli, "generate", "--hand", hand, "--grasp-type", gtype, "--energy", energy, "--optimizer", optimizer,
         "--contacts", str(contacts), "--closing", "reference", "--grasps", str(args.grasps), "--iters", str(args.iters), "--seed",
         str(args.seed), "--threads", str(args.threads), "--out", gen, "--object", *meshes], log)
    groups = {}
    for protocol in args.protocols:
        ev = os.path.join(args.out, "eval", protocol, hand, tag)
        run([args.cli, "eval", "--grasps", gen, "--protocol", protocol, "--threads", str(args.threads), "--cache",
             os.path.join(args.out, "cache"), "--no-plots", "--out", ev], log)
        report = json.load(open(os.path.join(ev, "report.json")))
        groups[protocol] = report["groups"][0]
    return groups


def fmt_rate(g):
    if g is None:
        return "–"
    lo, hi = wilson(g["successes"], g["grasps"])
    return f"{100 * g['successes'] / g['grasps']:.0f} % [{100 * lo:.0f}, {100 * hi:.0f}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="results/table1")
    ap.add_argument("--objects", default=os.environ.get("OBJECTS", "../shared/data/objects/ycb"))
    ap.add_argument("--object-names", default="mug,banana,cracker_box")
    ap.add_argument("--grasps", type=int, default=32)
    ap.add_argument("--iters", type=int, default=7000)
    ap.add_argument("--hands", default="allegro,shadow_hand,robotiq3,robotiq2,ability_hand")
    ap.add_argument("--protocols", default="graspqp,dexgraspbench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cli", default=os.environ.get("BIN", "build/bin/graspqp"))
    args = ap.parse_args()
    args.protocols = args.protocols.split(",")
    hands = args.hands.split(",")
    meshes = []
    for name in args.object_names.split(","):
        for candidate in (os.path.join(args.objects, name, "textured.obj"), os.path.join(args.objects, name)):
            if os.path.isfile(candidate):
                meshes.append(candidate)
                break
        else:
            sys.exit(f"table1: --objects {args.objects}: no mesh for '{name}'")
    os.makedirs(args.out, exist_ok=True)

    results = []  # one entry per (row, hand)
    for row in ROWS:
        for hand in hands:
            types = hand_types(args.cli, hand)
            if types is None:
                sys.exit(f"table1: unknown hand '{hand}'")
            applicable = row[4] in types and row[3] <= types[row[4]]
            groups = cell(args, row, hand, meshes) if applicable else None
            results.append({"row": list(row), "hand": hand, "groups": groups})
            print(f"table1: {row[0]} {row[1]}/{OPTIMIZER_NAME[row[2]]} {hand}: " +
                  (", ".join(f"{p} {fmt_rate(g)}" for p, g in groups.items()) if groups else "not applicable"),
                  file=sys.stderr, flush=True)

    # The tables: success [95 % interval], H, penetration median per hand; one table per protocol.
    lines = [f"{len(meshes)} objects x {args.grasps} grasps per cell, {args.iters} steps, seed {args.seed}.", ""]
    for protocol in args.protocols:
        lines += [f"### Protocol `{protocol}`", "",
                  "| grasp type | energy | optimizer | " + " | ".join(hands) + " | resolved vs best baseline |",
                  "|---" * (4 + len(hands)) + "|"]
        for row in ROWS:
            cells = [r for r in results if r["row"] == list(row)]
            texts = []
            for r in cells:
                g = r["groups"][protocol] if r["groups"] else None
                texts.append("–" if g is None else f"{fmt_rate(g)}, H {g['joint_entropy']:.2f}")
            verdict = ""
            if row[1] == "graspqp":  # against the best other method of the block, per hand
                parts = []
                for r in cells:
                    if not r["groups"]:
                        continue
                    g = r["groups"][protocol]
                    others = [o["groups"][protocol] for o in results
                              if o["row"][0] == row[0] and o["row"][1] != "graspqp" and o["hand"] == r["hand"] and o["groups"]]
                    if not others:
                        continue
                    best = max(others, key=lambda o: o["successes"] / o["grasps"])
                    lo, hi = wilson(g["successes"], g["grasps"])
                    blo, bhi = wilson(best["successes"], best["grasps"])
                    parts.append(f"{r['hand']}: " + ("better" if lo > bhi else "worse" if hi < blo else "not resolved"))
                verdict = "; ".join(parts)
            lines.append(f"| {row[0]} | {row[1]} | {OPTIMIZER_NAME[row[2]]} | " + " | ".join(texts) + f" | {verdict} |")
        lines.append("")
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(args.out, "table1.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(args.out, "table1.json"), "w") as f:
        json.dump({"objects": meshes, "grasps": args.grasps, "iters": args.iters, "seed": args.seed,
                   "cells": results}, f, indent=1)
    plot(args, results, hands)


def plot(args, results, hands):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(1, len(args.protocols), figsize=(6 * len(args.protocols), 0.45 * len(ROWS) * len(hands) / 2 + 2),
                             squeeze=False)
    for ax, protocol in zip(axes[0], args.protocols):
        labels, y = [], 0
        for r in results:
            g = r["groups"][protocol] if r["groups"] else None
            if g is None:
                continue
            p = g["successes"] / g["grasps"]
            lo, hi = wilson(g["successes"], g["grasps"])
            ax.errorbar([100 * p], [y], xerr=[[100 * (p - lo)], [100 * (hi - p)]], fmt="o",
                        color="C0" if r["row"][1] == "graspqp" else "C1", capsize=3)
            labels.append(f"{r['hand']} {r['row'][0]} {r['row'][1]}/{OPTIMIZER_NAME[r['row'][2]]}")
            y += 1
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("success [%] with 95 % Wilson interval")
        ax.set_title(f"protocol {protocol}")
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "table1.png"), dpi=110)


if __name__ == "__main__":
    main()
