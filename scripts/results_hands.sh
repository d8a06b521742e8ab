#!/usr/bin/env bash
# Issue 5's per-hand table: every hand and grasp type on 4 YCB objects (GRASPS grasps x 7,000 steps each,
# 12 contacts, GraspQP energy), evaluated in MuJoCo under the graspqp protocol.
# Usage: scripts/results_hands.sh [OUT] (default results/hands); OBJECTS=<ycb folder>, THREADS=2,
# GRASPS=12, HANDS="allegro shadow_hand ..." to restrict. Resumable (finished files with the same
# parameters are skipped, others redone); the evaluation covers every file under OUT/gen.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/hands}
OBJECTS=${OBJECTS:-../shared/data/objects/ycb}
THREADS=${THREADS:-2}
GRASPS=${GRASPS:-12}
BIN=${BIN:-build/bin/graspqp}
HANDS=${HANDS:-"allegro shadow_hand ability_hand leap barrett robotiq3 robotiq2 panda schunk"}
NAMES=(mug cracker_box mustard_bottle tomato_soup_can)
FILES=()
for n in "${NAMES[@]}"; do FILES+=("$OBJECTS/$n/textured.obj"); done
mkdir -p "$OUT"
for hand in $HANDS; do
  for type in $($BIN hands --hand "$hand" --json | /usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["grasp_types"])))'); do
    /usr/bin/time -f "generate $hand $type: %e s wall" $BIN generate --hand "$hand" --grasp-type "$type" \
      --object "${FILES[@]}" --grasps "$GRASPS" --contacts 12 --iters 7000 --seed 1 --threads "$THREADS" --overwrite --out "$OUT/gen"
  done
done
/usr/bin/time -f "eval: %e s wall" $BIN eval --grasps "$OUT/gen" --protocol graspqp --threads "$THREADS" \
  --cache "$OUT/cache" --out "$OUT/eval-graspqp"
/usr/bin/python3 scripts/results_table.py "$OUT"/eval-graspqp/report.json
