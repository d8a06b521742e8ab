"""The signed distance of the bundled mug on a plane through its centre, as a contour plot.

    python examples/python/sdf_slice.py [--out DIR]
"""
import argparse
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import graspqp

parser = argparse.ArgumentParser()
parser.add_argument("--out", default="sdf_out")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)

obj = graspqp.Object(os.path.join(graspqp.assets_dir(), "objects", "ycb", "mug", "textured.obj"))
c = obj.center
xs = np.linspace(c[0] - 0.1, c[0] + 0.1, 161)
zs = np.linspace(c[2] - 0.08, c[2] + 0.08, 129)
X, Z = np.meshgrid(xs, zs)
points = np.stack([X.ravel(), np.full(X.size, c[1]), Z.ravel()], axis=1)  # (N, 3)
d, normal = obj.signed_distance(points)  # one batched call, in parallel, GIL released
D = d.reshape(X.shape)
print(f"{len(points)} points: {np.sum(d < 0)} inside, distance in [{d.min():.4f}, {d.max():.4f}] m")

fig, ax = plt.subplots(figsize=(6, 5))
cs = ax.contourf(X, Z, 1000 * D, levels=np.linspace(-20, 60, 17), cmap="RdBu_r", extend="both")
ax.contour(X, Z, D, levels=[0], colors="k")
fig.colorbar(cs, label="signed distance [mm]")
ax.set_aspect("equal")
ax.set_xlabel("x [m]")
ax.set_ylabel("z [m]")
fig.savefig(os.path.join(args.out, "sdf_slice.png"), dpi=100)
print("wrote", os.path.join(args.out, "sdf_slice.png"))
