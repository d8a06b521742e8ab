#!/usr/bin/env bash
# Runs every Google Benchmark binary with 5 repetitions and prints the medians.
set -euo pipefail
BUILD=${1:-build}
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_min_time=0.2 | grep -E "median|^-|Benchmark"
done
echo "== Python: graspqp.energy against the same batch in C++"
/usr/bin/python3 "$(dirname "$0")/bench_python_energy.py" "$BUILD"
echo "== end to end"
/usr/bin/python3 "$(dirname "$0")/bench_e2e.py" "$BUILD"
