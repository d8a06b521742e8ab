#!/usr/bin/env bash
# `make demo`: the main job on the bundled default hand (Allegro) and object (YCB mug):
# 32 full-hand grasps with the GraspQP energy and MALA* (7,000 steps), then their analytic metrics.
set -euo pipefail
BUILD=${1:-build}
G="$BUILD/bin/graspqp"
OUT=${DEMO_OUT:-demo_out}
mkdir -p "$OUT"

echo "== Bundled hands"
"$G" hands
echo
echo "== Generating 32 Allegro grasps on the YCB mug (reruns skip finished files)"
"$G" generate --hand allegro --object assets/objects/ycb/mug/textured.obj --out "$OUT" --seed 1
echo
echo "== Analytic metrics (contact distance, penetration depth, Ferrari-Canny Q1)"
"$G" metrics --grasps "$OUT/mug/allegro-full-graspqp.h5" --json "$OUT/metrics.json"
echo
echo "Grasps: $OUT/mug/allegro-full-graspqp.h5 (format: docs/format.md); run summary: $OUT/summary.json"
echo
echo "== Viewer: the grasps in 3D (glTF files + one self-contained page; works offline from file://)"
PAGE=$("$G" view --grasps "$OUT/mug/allegro-full-graspqp.h5" --cones --out "$OUT/viewer")
echo "Open in a browser: $PAGE"
