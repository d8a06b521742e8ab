#!/usr/bin/env bash
# End-to-end benchmark: 32 Allegro grasps x 7,000 iterations on the YCB mug with 2 threads,
# repeated RUNS times (default 3); prints each wall time and the median.
set -euo pipefail
BUILD=${1:-build}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
G="$BUILD/bin/graspqp"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
times=()
for i in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  "$G" generate --hand allegro --object assets/objects/ycb/mug/textured.obj --grasps 32 --iters 7000 \
    --threads "$THREADS" --out "$tmp/run$i" > /dev/null 2>&1
  end=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
  echo "run $i: ${t} s"
  times+=("$t")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "end-to-end (32 grasps x 7000 iterations, mug, $THREADS threads): median ${median} s over $RUNS runs"
