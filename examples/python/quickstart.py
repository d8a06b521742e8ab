"""Quickstart: generate (or load) a grasp dataset, recompute the energies of its grasps, plot them.

    python examples/python/quickstart.py [GRASP_FILE.h5] [--out DIR]

Without a file, a tiny dataset (8 grasps, 200 steps: seconds) is generated for the bundled mug.
"""
import argparse
import os

import matplotlib
matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt
import numpy as np

import graspqp

parser = argparse.ArgumentParser()
parser.add_argument("grasps", nargs="?", help="a grasp file (.h5); default: generate a tiny one")
parser.add_argument("--out", default="quickstart_out", help="output folder")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)

# 1. A dataset: read one, or generate one (the same grasps as `graspqp generate` with the same seed).
if args.grasps:
    g = graspqp.read_grasps(args.grasps)
else:
    mug = os.path.join(graspqp.assets_dir(), "objects", "ycb", "mug", "textured.obj")
    (result,) = graspqp.generate(hand="allegro", objects=[mug], grasps=8, iters=200, seed=1,
                                 out=os.path.join(args.out, "dataset"))
    g = result["dataset"]
print(f"{len(g['energy'])} grasps of {g['attrs']['hand']} on {g['attrs']['object_path']}")

# 2. The same energies from Python: the object loaded as the generator did (scale, samples, seed).
hand = graspqp.Hand(g["attrs"]["hand"])
params = g["attrs"]["parameters"]
obj = graspqp.Object(g["attrs"]["object_path"], scale=g["attrs"]["scale"],
                     surface_samples=params["surface_samples"], seed=g["attrs"]["seed"])
e = graspqp.energy(hand, obj, g["root_pose"], g["joints"], g["contact_idx"], grasp_type=g["attrs"]["grasp_type"],
                   energy=g["attrs"]["energy"], weights=params["weights"])
print("max |E(python) - E(file)|:", np.abs(e["total"] - g["energy"]).max())

# 3. The best grasp: its contacts' distances to the surface, and where the distal links are (FK).
best = int(np.argmin(g["energy"]))
d, _ = obj.signed_distance(g["contact_points"][best])
for link, dist in zip(g["contact_links"][best], d):
    print(f"  contact on {link:16s} {1000 * dist:7.2f} mm from the surface")
links = hand.fk(g["joints"][best], g["root_pose"][best])
for name in [n for n in hand.link_names if n.endswith("_3")]:
    print(f"  {name:16s} at {np.round(links[name][:3], 3)} (object frame)")

# 4. A plot: the energy terms of every grasp (unweighted, log scale).
terms = [n for n in g["energy_term_names"] if np.any(e[n] > 0)]
fig, ax = plt.subplots(figsize=(7, 3.5))
order = np.argsort(e["total"])
for n in terms:
    ax.semilogy(np.arange(len(order)), np.maximum(e[n][order], 1e-9), marker="o", label=n)
ax.set_xlabel("grasp (sorted by total energy)")
ax.set_ylabel("term value")
ax.legend(ncol=3, fontsize=8)
fig.tight_layout()
fig.savefig(os.path.join(args.out, "energy_terms.png"), dpi=100)
print("wrote", os.path.join(args.out, "energy_terms.png"))
