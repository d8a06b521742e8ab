#!/usr/bin/env python3
"""Plots of a `graspqp dataset report`: success per hand and grasp type (95 % Wilson intervals) and the
per-file penetration medians.

Usage: plot_dataset.py DATASET_DIR   (holding report.json)

Writes PNG files into DATASET_DIR and prints their names (one per line) on stdout. Needs Debian's
python3-matplotlib; exits with status 2 (and a message on stderr) when it is missing.
"""
import json
import os
import sys


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 1
    out = sys.argv[1]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the system
        print(f"plot_dataset: {e}; install python3-matplotlib", file=sys.stderr)
        return 2
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    groups = report["groups"]
    labels = [f"{g['hand']}\n{g['grasp_type']}" for g in groups]
    written = []

    validated = [g for g in groups if g.get("success_rate") is not None]
    if validated:
        fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(validated)), 3.5))
        rates = [100 * g["success_rate"] for g in validated]
        lo = [100 * (g["success_rate"] - g["success_ci95"][0]) for g in validated]
        hi = [100 * (g["success_ci95"][1] - g["success_rate"]) for g in validated]
        ax.bar(range(len(validated)), rates, yerr=[lo, hi], capsize=4, color="#4878a8")
        ax.set_xticks(range(len(validated)))
        ax.set_xticklabels([f"{g['hand']}\n{g['grasp_type']}" for g in validated], fontsize=8)
        ax.set_ylabel("valid grasps [%]")
        ax.set_ylim(0, 100)
        ax.set_title("Success per hand and grasp type (95 % CI)")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "success.png"), dpi=110)
        plt.close(fig)
        written.append("success.png")

    medians = [[1e3 * v for v in g.get("unit_penetration_medians", [])] for g in groups]
    if any(medians):
        fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(groups)), 3.5))
        ax.boxplot(medians, labels=labels)
        ax.set_ylabel("penetration depth, median per file [mm]")
        ax.tick_params(axis="x", labelsize=8)
        ax.set_title("Penetration per file")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "penetration.png"), dpi=110)
        plt.close(fig)
        written.append("penetration.png")
    for name in written:
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
