#!/usr/bin/python3
"""Markdown tables from `graspqp eval` reports (report.json), one row per (hand, grasp type, energy) and
protocol, and one per object. Usage: results_table.py REPORT.json [REPORT.json ...]"""
import json
import os
import sys

import h5py
import numpy as np


def pct(x):
    return "–" if x is None else f"{100 * x:.1f} %"


def num(x, fmt="{:.2f}"):
    return "–" if x is None else fmt.format(x)


def pooled_penetration_median(rep, report_path, group):
    """Median over the group's grasps of the per-grasp max penetration [mm], from the .eval.h5 files."""
    values = []
    for f in rep["files"]:
        if (f["hand"], f["grasp_type"], f["energy"]) != (group["hand"], group["grasp_type"], group["energy"]):
            continue
        path = f["eval_file"]
        if not os.path.exists(path):  # relative to the report's folder
            path = os.path.join(os.path.dirname(report_path), os.path.relpath(path, os.path.dirname(path)))
        with h5py.File(path, "r") as h:
            if "penetration_depth" in h:  # absent when evaluated with --no-analytic
                values.extend(h["penetration_depth"][()] * 1000)
    values = [v for v in values if np.isfinite(v)]
    return float(np.median(values)) if values else None


def main(paths):
    reports = [(p, json.load(open(p))) for p in paths]
    print("| hand | type | energy | protocol | objects | grasps | success (rule) | any | all | "
          "pen. mean / median [mm] | H [nats] | UGR 2cm/5°/0.2rad | Q1>0 | grasps/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for path, rep in reports:
        proto = rep["protocol"]["name"]
        ov = rep["overall"]
        gps = ov["grasps"] / ov["wall_seconds"] if ov.get("wall_seconds") else None
        for g in rep["groups"]:
            u = g["unique"].get("2cm_5deg_0.2rad", {}).get("ugr")
            med = pooled_penetration_median(rep, path, g)
            print(f"| {g['hand']} | {g['grasp_type']} | {g['energy']} | {proto} | {g['objects']} | {g['grasps']} | "
                  f"{pct(g['success_rate'])} | {pct(g['success_rate_any'])} | {pct(g['success_rate_all'])} | "
                  f"{num(g['penetration_depth_mm_mean'])} / {num(med)} | {num(g['joint_entropy'])} | {pct(u)} | "
                  f"{pct(g['q1_positive_fraction'])} | {num(gps, '{:.2f}')} |")
    print()
    print("| object | hand | type | energy | protocol | success | pen. mean [mm] | H [nats] |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for _, rep in reports:
        proto = rep["protocol"]["name"]
        for f in rep["files"]:
            rows.append((f["object"], f["hand"], f["grasp_type"], f["energy"], proto, f))
    for obj, hand, typ, energy, proto, f in sorted(rows, key=lambda r: r[:5]):
        print(f"| {obj} | {hand} | {typ} | {energy} | {proto} | {pct(f['success_rate'])} | "
              f"{num(f.get('penetration_depth_mm_mean'))} | {num(f.get('joint_entropy'))} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: results_table.py REPORT.json [REPORT.json ...]")
    main(sys.argv[1:])
