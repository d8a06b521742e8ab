#!/usr/bin/env bash
# Runs every libFuzzer target of a GRASPQP_FUZZ build for SECONDS seconds each (`make fuzz`: FUZZ_SECONDS,
# default 60; `make test`: a short smoke run), after replaying the inputs that once crashed
# (fuzz/crashes/<target>/). Exits non-zero if any target crashed, leaked, hung or ran out of memory; the
# input that did it is in BUILD/fuzz-artifacts/<target>/ (fix the bug, then keep the input as a regression
# input in fuzz/crashes/<target>/). New interesting inputs accumulate in BUILD/fuzz-corpus/<target>/.
#   bash scripts/fuzz.sh BUILD SECONDS [TARGET...]
set -uo pipefail
BUILD=${1:-build-fuzz}
SECS=${2:-60}
shift 2 2>/dev/null || shift $#
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ ! -f "$BUILD/fuzz_targets.txt" ]; then
  echo "fuzz: $BUILD/fuzz_targets.txt not found; build with make fuzz-build first" >&2
  exit 2
fi
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < "$BUILD/fuzz_targets.txt"; fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:fast_unwind_on_malloc=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/scripts/sanitizer/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
printf "%-14s %8s %10s %10s  %s\n" target seconds runs corpus result
for t in "${targets[@]}"; do
  bin="$BUILD/fuzz/fuzz_$t"
  seeds="fuzz/corpus/$t"
  work="$BUILD/fuzz-corpus/$t"
  art="$BUILD/fuzz-artifacts/$t"
  log="$BUILD/fuzz-logs/$t.log"
  mkdir -p "$work" "$art" "$(dirname "$log")"
  : > "$log"
  result=ok
  elapsed=0
  # 1. Past crashes: each file once.
  crashes=()
  [ -d "fuzz/crashes/$t" ] && mapfile -t crashes < <(find "fuzz/crashes/$t" -type f ! -name '.*' | sort)
  if [ ${#crashes[@]} -gt 0 ] && ! "$bin" -runs=1 "${crashes[@]}" >> "$log" 2>&1; then
    result="CRASH on a saved regression input"
  fi
  # 2. Fuzzing from the seeds and what earlier runs found.
  runs=0
  if [ "$result" = ok ]; then
    start=$(date +%s)
    "$bin" -max_total_time="$SECS" -timeout=30 -rss_limit_mb=3072 -malloc_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$art/" "$work" $( [ -d "$seeds" ] && echo "$seeds" ) >> "$log" 2>&1
    rc=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
    [ $rc -ne 0 ] && result="CRASH (exit $rc): $(ls -t "$art" | head -1)"
  fi
  [ "$result" = ok ] || failed=1
  printf "%-14s %8s %10s %10s  %s\n" "$t" "${elapsed:-0}" "${runs:-0}" "$(ls "$work" | wc -l)" "$result"
  if [ "$result" != ok ]; then
    grep -E 'ERROR|BUG|SUMMARY|runtime error|#[0-9]+ 0x' "$log" | head -16 | cut -c1-160 | sed 's/^/    /'
    echo "    log: $log"
  fi
done
exit $failed
