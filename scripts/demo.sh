#!/usr/bin/env bash
# `make demo`: the main job on the bundled default hand (Allegro) and object (YCB mug):
# 32 full-hand grasps with the GraspQP energy and MALA* (7,000 steps), validated in MuJoCo, then their
# analytic metrics, a physics evaluation report and the 3D viewer.
set -euo pipefail
BUILD=${1:-build}
G="$BUILD/bin/graspqp"
OUT=${DEMO_OUT:-demo_out}
mkdir -p "$OUT"

echo "== Bundled hands"
"$G" hands
echo
echo "== Generating 32 Allegro grasps on the YCB mug, validated in MuJoCo (reruns skip finished files;"
echo "   files made with other parameters are redone)"
"$G" generate --hand allegro --object assets/objects/ycb/mug/textured.obj --out "$OUT" --seed 1 \
  --validate graspqp --overwrite
echo
echo "== Analytic metrics (contact distance, penetration depth, Ferrari-Canny Q1)"
"$G" metrics --grasps "$OUT/mug/allegro-full-graspqp.h5" --json "$OUT/metrics.json"
echo
echo "Grasps: $OUT/mug/allegro-full-graspqp.h5 (format: docs/format.md); run summary: $OUT/summary.json"
echo
echo "== Physics evaluation (MuJoCo, graspqp protocol: 3 N pulls in 6 directions)"
"$G" eval --grasps "$OUT/mug/allegro-full-graspqp.h5" --protocol graspqp --out "$OUT/eval" | tail -n 3
echo "Report: $OUT/eval/report.md (per-grasp results: $OUT/eval/allegro-full-graspqp.eval.h5)"
echo
echo "== Viewer: the grasps in 3D (glTF files + one self-contained page; works offline from file://)"
PAGE=$("$G" view --grasps "$OUT/mug/allegro-full-graspqp.h5" --cones --out "$OUT/viewer")
echo "Open in a browser: $PAGE"
