#!/usr/bin/python3
"""Markdown tables from `graspqp eval` reports (report.json), one row per (hand, grasp type, energy) and
protocol, and one per object. Usage: results_table.py REPORT.json [REPORT.json ...]"""
import json
import sys


def pct(x):
    return "–" if x is None else f"{100 * x:.1f} %"


def num(x, fmt="{:.2f}"):
    return "–" if x is None else fmt.format(x)


def main(paths):
    reports = [json.load(open(p)) for p in paths]
    print("| hand | type | energy | protocol | objects | grasps | success (rule) | any | all | "
          "pen. mean [mm] | H [nats] | UGR 2cm/5°/0.2rad | Q1>0 | grasps/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for rep in reports:
        proto = rep["protocol"]["name"]
        ov = rep["overall"]
        gps = ov["grasps"] / ov["wall_seconds"] if ov.get("wall_seconds") else None
        for g in rep["groups"]:
            u = g["unique"].get("2cm_5deg_0.2rad", {}).get("ugr")
            print(f"| {g['hand']} | {g['grasp_type']} | {g['energy']} | {proto} | {g['objects']} | {g['grasps']} | "
                  f"{pct(g['success_rate'])} | {pct(g['success_rate_any'])} | {pct(g['success_rate_all'])} | "
                  f"{num(g['penetration_depth_mm_mean'])} | {num(g['joint_entropy'])} | {pct(u)} | "
                  f"{pct(g['q1_positive_fraction'])} | {num(gps, '{:.2f}')} |")
    print()
    print("| object | hand | type | energy | protocol | success | pen. mean [mm] | H [nats] |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for rep in reports:
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
