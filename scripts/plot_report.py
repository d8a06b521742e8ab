#!/usr/bin/env python3
"""Plots of a `graspqp eval` run: success by object, penetration histogram, joint distributions.

Usage: plot_report.py OUT_DIR   (the --out folder of `graspqp eval`, holding report.json)

Reads report.json and the per-grasp <name>.eval.h5 files it lists, writes PNG files into OUT_DIR and prints
their names (one per line, relative to OUT_DIR) on stdout. Needs Debian's python3-matplotlib, python3-h5py
and python3-numpy; exits with status 2 (and a message on stderr) when one is missing.
"""
import json
import os
import sys


def save(fig, out, name, dpi):
    """Writes the figure atomically (a temporary in the same folder, then renamed): never a partial PNG."""
    tmp = os.path.join(out, f".{name}.tmp.{os.getpid()}")
    try:
        fig.savefig(tmp, dpi=dpi, format="png")
        os.replace(tmp, os.path.join(out, name))
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 1
    out = sys.argv[1]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
        import h5py
    except ImportError as e:  # pragma: no cover - depends on the system
        print(f"plot_report: {e}; install python3-matplotlib python3-h5py python3-numpy", file=sys.stderr)
        return 2
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    files = report["files"]
    if not files:
        return 0
    written = []
    protocol = report["protocol"]["name"]

    # 1. Success by object (protocol rule, any phase, all phases).
    labels = [f"{f['object']}\n{f['energy']}" for f in files]
    x = np.arange(len(files))
    w = 0.27
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(files) + 2), 4))
    ax.bar(x - w, [100 * f["success_rate"] for f in files], w, label=f"success ({report['protocol']['trial_rule']})")
    ax.bar(x, [100 * f["success_rate_any"] for f in files], w, label="any phase")
    ax.bar(x + w, [100 * f["success_rate_all"] for f in files], w, label="all phases")
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel("success rate [%]")
    ax.set_ylim(0, 105)
    ax.set_title(f"Success by object, protocol {protocol}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    save(fig, out, "success_by_object.png", 110)
    plt.close(fig)
    written.append("success_by_object.png")

    # Per-grasp data.
    pen_ok, pen_fail = [], []
    joints_by_hand = {}
    for f in files:
        path = f["eval_file"]
        if not os.path.isabs(path) and not os.path.exists(path):
            path = os.path.join(out, path)
        try:
            h = h5py.File(path, "r")
        except OSError:
            continue
        with h:
            success = h["success"][()].astype(bool)
            if "penetration_depth" in h:  # absent when evaluated with --no-analytic
                pen = 1e3 * h["penetration_depth"][()]
                pen_ok.extend(pen[success & np.isfinite(pen)])
                pen_fail.extend(pen[~success & np.isfinite(pen)])
            j = h["joints"][()]
            names = [n.decode() if isinstance(n, bytes) else str(n) for n in h["joints"].attrs["joint_names"]]
            limits = h["joints"].attrs["limits"]
            entry = joints_by_hand.setdefault(f["hand"], {"names": names, "limits": limits, "rows": []})
            if len(j) and j.shape[1] == len(names):
                entry["rows"].append(j[success])

    # 2. Penetration histogram.
    if pen_ok or pen_fail:
        fig, ax = plt.subplots(figsize=(6, 4))
        hi = max(max(pen_ok, default=0), max(pen_fail, default=0), 1e-3)
        bins = np.linspace(0, hi, 31)
        ax.hist([pen_ok, pen_fail], bins=bins, stacked=True, label=["successful", "failed"])
        ax.set_xlabel("max penetration depth [mm] (analytic)")
        ax.set_ylabel("grasps")
        ax.set_title("Penetration depth")
        ax.legend(fontsize=8)
        fig.tight_layout()
        save(fig, out, "penetration_histogram.png", 110)
        plt.close(fig)
        written.append("penetration_histogram.png")

    # 3. Joint distributions of successful grasps, per hand (32 bins on the joint range, as H).
    for hand, entry in sorted(joints_by_hand.items()):
        rows = [r for r in entry["rows"] if len(r)]
        if not rows:
            continue
        q = np.concatenate(rows)
        n = len(entry["names"])
        cols = min(4, n)
        nrows = (n + cols - 1) // cols
        fig, axes = plt.subplots(nrows, cols, figsize=(3 * cols, 2.2 * nrows), squeeze=False)
        for k in range(nrows * cols):
            ax = axes[k // cols][k % cols]
            if k >= n:
                ax.axis("off")
                continue
            lo, hi = entry["limits"][0][k], entry["limits"][1][k]
            if not hi > lo:  # equal limits: one narrow bin
                hi = lo + 1e-6
            ax.hist(np.clip(q[:, k], lo, hi), bins=np.linspace(lo, hi, 33))
            ax.set_title(entry["names"][k], fontsize=8)
            ax.tick_params(labelsize=7)
        fig.suptitle(f"{hand}: joint values of successful grasps ({len(q)})")
        fig.tight_layout()
        name = f"joints_{hand}.png"
        save(fig, out, name, 100)
        plt.close(fig)
        written.append(name)

    for w_ in written:
        print(w_)
    return 0


if __name__ == "__main__":
    sys.exit(main())
