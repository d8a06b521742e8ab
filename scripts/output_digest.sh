#!/usr/bin/env bash
# Runs every verb on a small fixed job and writes one text digest of all outputs, so a refactor can be
# shown to leave every output byte-identical: run it on the build before and after and diff the digests.
#   bash scripts/output_digest.sh BUILD OUT_DIR   ->  OUT_DIR/digest.txt
# Use the same OUT_DIR for both runs: paths are part of some outputs.
# Fields that are measured times (seconds, grasps per second, dates) differ run to run; they are blanked in
# the digest, every other byte is compared (HDF5 through h5dump, the rest as files).
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-digest_out}
G="$BUILD/bin/graspqp"
rm -rf "$OUT"
mkdir -p "$OUT"
MUG=assets/objects/ycb/mug/textured.obj
CAN=assets/objects/ycb/banana/textured.obj

"$G" hands --json > "$OUT/hands.json"
"$G" fk --hand allegro --grasp-type full > "$OUT/fk.json"
"$G" generate --hand allegro --object "$MUG" "$CAN" --grasps 6 --iters 400 --seed 3 --threads 2 \
  --validate graspqp --out "$OUT/gen" > "$OUT/generate.txt" 2> /dev/null
"$G" generate --hand shadow_hand --grasp-type precision --energy dexgraspnet --object "$MUG" --grasps 4 \
  --iters 300 --seed 5 --threads 1 --out "$OUT/gen_shadow" > /dev/null 2>&1
"$G" metrics --grasps "$OUT/gen" --json "$OUT/metrics.json" > "$OUT/metrics.txt"
for p in graspqp dexgraspbench; do
  "$G" eval --grasps "$OUT/gen" --protocol "$p" --no-plots --threads 2 --out "$OUT/eval_$p" > "$OUT/eval_$p.txt" 2> /dev/null
done
"$G" view --grasps "$OUT/gen/mug/allegro-full-graspqp.h5" --best 2 --out "$OUT/view" > /dev/null
"$G" hand init --urdf assets/hands/leap/leap_hand_right.urdf --out "$OUT/leap_init" > "$OUT/hand_init.txt" 2>&1
"$G" hand check allegro > "$OUT/hand_check.txt" 2>&1 || true

# HDF5: every dataset's dtype, shape and the SHA-256 of its bytes; every attribute's value, except times.
H5DUMP='
import hashlib, sys, h5py, numpy as np
def show(name, obj):
    for k in sorted(obj.attrs):
        v = obj.attrs[k]
        timed = k == "program_version" or "seconds" in k or "per_second" in k
        print(name, "@" + k, "T" if timed else (v.decode() if isinstance(v, bytes) else repr(v)))
    if isinstance(obj, h5py.Dataset):
        a = obj[()]
        b = repr(a.tolist()).encode() if a.dtype == object else a.tobytes() if isinstance(a, np.ndarray) else repr(a).encode()
        print(name, obj.dtype, obj.shape, hashlib.sha256(b).hexdigest()[:16])
f = h5py.File(sys.argv[1], "r")
show("/", f)
f.visititems(show)
'
# Blank measured times: JSON keys and table columns that hold seconds or rates.
blank() {
  sed -E 's/("[a-z_]*(seconds|per_second|_s|date|time)[a-z_]*": *)[-0-9.e+]+/\1T/g; s/[0-9]+\.[0-9]+ ?s\b/T s/g;
          s/[0-9.]+ grasps\/s/T grasps\/s/g'
}
{
  cd "$OUT"
  find . -type f ! -name digest.txt ! -path './*/.cache/*' | LC_ALL=C sort | while read -r f; do
    echo "=== $f"
    case "$f" in
      *.h5) /usr/bin/python3 -c "$H5DUMP" "$f" ;;
      *.json | *.txt | *.md) blank < "$f" | sed -E 's/ +[0-9]+\.[0-9]+$/ T/' ;;
      *) sha256sum < "$f" ;;
    esac
  done
} > "$OUT/digest.txt"
echo "$OUT/digest.txt"
