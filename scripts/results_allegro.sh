#!/usr/bin/env bash
# Issue 4's quality table: Allegro full-hand grasps on 6 YCB objects with the GraspQP and the DexGraspNet
# energy (32 grasps x 7,000 steps each), evaluated in MuJoCo under the three protocols.
# Usage: scripts/results_allegro.sh [OUT] (default results/allegro); OBJECTS=<ycb folder>, THREADS=2.
# Resumable: finished generation files with the same parameters are skipped (others are redone); the
# evaluations always run again (deterministic; a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/allegro}
OBJECTS=${OBJECTS:-../shared/data/objects/ycb}
THREADS=${THREADS:-2}
BIN=${BIN:-build/bin/graspqp}
NAMES=(mug banana cracker_box power_drill mustard_bottle tomato_soup_can)
FILES=()
for n in "${NAMES[@]}"; do FILES+=("$OBJECTS/$n/textured.obj"); done
mkdir -p "$OUT"
for energy in graspqp dexgraspnet; do
  /usr/bin/time -f "generate $energy: %e s wall" $BIN generate --hand allegro --grasp-type full --object "${FILES[@]}" \
    --energy "$energy" --grasps 32 --contacts 12 --iters 7000 --seed 1 --threads "$THREADS" --overwrite --out "$OUT/gen"
done
for protocol in graspqp dexgraspnet dexgraspbench; do
  /usr/bin/time -f "eval $protocol: %e s wall" $BIN eval --grasps "$OUT/gen" --protocol "$protocol" \
    --threads "$THREADS" --cache "$OUT/cache" --out "$OUT/eval-$protocol"
done
/usr/bin/python3 scripts/results_table.py "$OUT"/eval-*/report.json
