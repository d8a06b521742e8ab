#!/usr/bin/env bash
# `make demo`: the main job on the bundled default hand (Allegro) and object (YCB mug).
set -euo pipefail
BUILD=${1:-build}
G="$BUILD/bin/graspqp"
OUT=${DEMO_OUT:-demo_out}
mkdir -p "$OUT"

echo "== Bundled hands"
"$G" hands
echo
echo "== Allegro hand"
"$G" hands --hand allegro
"$G" fk --hand allegro --grasp-type precision > "$OUT/allegro_fk.json"
echo "forward kinematics at the default pose: $OUT/allegro_fk.json"
echo
echo "== Signed distance to the YCB mug (positive outside)"
printf '0 0 0\n-0.03 0.02 0.03\n0.1 0.1 0.1\n' | "$G" sdf --object assets/objects/ycb/mug/textured.obj
