"""Plain gradient descent on the GraspQP energy from Python, with graspqp.energy's gradients
(joints and root pose), for a batch of grasps.

    python examples/python/gradient_descent.py [--steps 50]
"""
import argparse
import os

import numpy as np

import graspqp

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=50)
args = parser.parse_args()

hand = graspqp.Hand("allegro")
obj = graspqp.Object(os.path.join(graspqp.assets_dir(), "objects", "ycb", "mug", "textured.obj"))

# Start from a short generate run (already close to the object), then descend.
(r,) = graspqp.generate(hand="allegro", objects=[obj.path], grasps=8, iters=50, seed=2)
g = r["dataset"]
pose, q, idx = g["root_pose"].copy(), g["joints"].copy(), g["contact_idx"]
obj = graspqp.Object(obj.path, surface_samples=g["attrs"]["parameters"]["surface_samples"], seed=g["attrs"]["seed"])
e = graspqp.energy(hand, obj, pose, q, idx)
print(f"start: mean energy {e['total'].mean():.4f}")
step = np.full(len(q), 1e-4)
for it in range(args.steps):
    e = graspqp.energy(hand, obj, pose, q, idx)
    new_q = np.clip(q - step[:, None] * e["grad_joints"], hand.joint_lower, hand.joint_upper)
    new_pose = pose - step[:, None] * e["grad_root_pose"]
    new_pose[:, 3:] /= np.linalg.norm(new_pose[:, 3:], axis=1, keepdims=True)
    new_e = graspqp.energy(hand, obj, new_pose, new_q, idx, gradient=False)["total"]
    better = new_e < e["total"]  # accept improvements, else shrink the step of that grasp
    q[better], pose[better] = new_q[better], new_pose[better]
    step = np.where(better, step * 1.2, step * 0.5)
final = graspqp.energy(hand, obj, pose, q, idx, gradient=False)["total"]
print(f"after {args.steps} steps: mean energy {final.mean():.4f}")
assert final.mean() <= e["total"].mean() + 1e-12
