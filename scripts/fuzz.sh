#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with Debian's clang, ASan and UBSan into build-fuzz/ and
# runs each for VNH_FUZZ_SECONDS (30) on a copy of its committed seed corpus. Any crash, leak,
# sanitizer report or timeout fails the run and leaves the input in build-fuzz/findings/.
# Usage: bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${VNH_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_EACH="${1:-${VNH_FUZZ_SECONDS:-30}}"
TARGETS=(fuzz_partner_frame fuzz_csv_row fuzz_text fuzz_json_body)
if [ ! -f "$BUILD/build.ninja" ]; then
  # -O1 with line tables: what libFuzzer's documentation suggests, and a third of the compile
  # time of -O2 -g under the sanitizers.
  CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DVNH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" >/dev/null
fi
cmake --build "$BUILD" --target "${TARGETS[@]}"
mkdir -p "$BUILD/findings"
status=0
for t in "${TARGETS[@]}"; do
  work="$BUILD/corpus/$t"
  rm -rf "$work" && mkdir -p "$work"
  cp "$ROOT/fuzz/corpus/$t/"* "$work/"
  echo "fuzz: $t for ${SECONDS_EACH}s" >&2
  # Two jobs where there are two cores; the log's last lines say how far it got.
  if ! "$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$BUILD/findings/$t-" "$work" >"$BUILD/$t.log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM (input in $BUILD/findings/):" >&2
    tail -40 "$BUILD/$t.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$BUILD/$t.log" | tail -2 >&2 || true
  fi
done
exit $status
