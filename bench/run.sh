#!/usr/bin/env bash
# Runs every benchmark several times and writes docs/performance.md with the medians, beside
# the limits measured in the same run (raw SQLite insert rate, loopback websocket echo rate)
# and the machine's facts. Loopback only; bounded in time. Usage: bash bench/run.sh [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${VNH_BUILD_DIR:-$ROOT/build}"
RUNS="${1:-3}"
cmake --build "$BUILD" --target vnh intake_bench dispatch_bench offer_bench settlement_bench footprint_bench entitlements_bench map_bench >/dev/null
OUT="$(mktemp)"
for i in $(seq "$RUNS"); do
  echo "run $i/$RUNS: intake" >&2;     "$BUILD/bench/intake_bench" 10 >>"$OUT"
  echo "run $i/$RUNS: dispatch" >&2;   "$BUILD/bench/dispatch_bench" >>"$OUT"
  echo "run $i/$RUNS: offers" >&2;     "$BUILD/bench/offer_bench" 20 >>"$OUT"
  echo "run $i/$RUNS: footprint" >&2;  "$BUILD/bench/footprint_bench" "$BUILD/app/vnh" >>"$OUT"
done
# The 10M-ticket settlement loads ~3 GB; once is enough.
echo "settlement (100k, 1M, 10M)" >&2
"$BUILD/bench/settlement_bench" 100000 1000000 10000000 >>"$OUT" 2>/dev/null
echo "entitlements (20,000 recurrences, the eligibility watch)" >&2
"$BUILD/bench/entitlements_bench" 20000 >>"$OUT" 2>/dev/null
# Issue 6's load run: 10 minutes at 15 tickets/s, then 2 minutes at the highest rate, 126
# firms with links dropping. Set VNH_BENCH_SIMULATE=0 to leave it out (12 minutes).
SIM="$(mktemp)"
if [ "${VNH_BENCH_SIMULATE:-1}" != 0 ]; then
  echo "simulate (10 min at 15/s + 2 min burst)" >&2
  "$BUILD/app/vnh" simulate --in-process --rate 15 --duration 600 --burst 120 --firms 126 >"$SIM" || true
fi
# Issue 18's floor: 20 operator consoles in Chromium (needs tests/console/node_modules), and the
# operator's queries on the seven-year district. The district is generated once into
# $VNH_BENCH_HISTORY_DIR (default build/bench-history, ~5 GB, 5–12 minutes) and reused; set
# VNH_BENCH_HISTORY=0 to leave it out.
if [ -d "$ROOT/tests/console/node_modules/playwright-core" ] && [ -x /usr/bin/chromium ]; then
  for i in $(seq "$RUNS"); do
    echo "run $i/$RUNS: consoles (1 and 20)" >&2
    node "$ROOT/bench/console_bench.mjs" "$BUILD/app/vnh" 60 1 >>"$OUT"
    node "$ROOT/bench/console_bench.mjs" "$BUILD/app/vnh" 60 20 >>"$OUT"
  done
fi
if [ "${VNH_BENCH_HISTORY:-1}" != 0 ]; then
  HIST="${VNH_BENCH_HISTORY_DIR:-$BUILD/bench-history}"
  if [ ! -f "$HIST/logins.txt" ]; then
    echo "generating the seven-year district into $HIST" >&2
    mkdir -p "$HIST"
    "$BUILD/app/vnh" demo --dir "$HIST" --history-days 2555 --port 0 >"$HIST/demo.log" 2>&1 &
    DEMO=$!
    # The demo prints its folder once the district is written, then serves; stop it there.
    until grep -q '^demo folder:' "$HIST/demo.log" 2>/dev/null; do
      kill -0 "$DEMO" 2>/dev/null || { echo "vnh demo failed: $(tail -3 "$HIST/demo.log")" >&2; exit 1; }
      sleep 5
    done
    kill "$DEMO"; wait "$DEMO" || true
  fi
  echo "history (seven years)" >&2
  node "$ROOT/bench/history_bench.mjs" "$BUILD/app/vnh" "$HIST" 200 >>"$OUT"
  echo "command screen on seven years (statistics and queues)" >&2
  node "$ROOT/bench/stats_bench.mjs" "$BUILD/app/vnh" "$HIST" 100 3 >>"$OUT"
  echo "the live map's fan-out: 5,000 workers every 30 s to 20 consoles, 2 minutes" >&2
  "$BUILD/bench/map_bench" "$BUILD/app/vnh" "$HIST" 120 5000 20 >>"$OUT"
fi
# Issue 20's lunch rush: 65 canteens' counters, 200 card holders each, 13,000 lunches in 30
# minutes through the counter API (check, then record) beside 2 tickets/s. Set
# VNH_BENCH_LUNCH=0 to leave it out (31 minutes).
if [ "${VNH_BENCH_LUNCH:-1}" != 0 ]; then
  echo "lunch rush (65 counters, 7.2 meals/s for 30 min)" >&2
  LUNCH="$(mktemp)"
  "$BUILD/app/vnh" simulate --in-process --rate 2 --duration 1800 --firms 20 --elders 44000 --counters 65 \
    --meals-rate 7.2 --drain 30 --json "$LUNCH" >/dev/null 2>&1 || true
  python3 - "$LUNCH" >>"$OUT" <<'PY'
import json, sys
try:
    c = json.load(open(sys.argv[1]))["counters"]
except Exception:
    sys.exit(0)
def fig(name, value, unit):
    print(json.dumps({"bench": "lunch", "figure": name, "value": value, "unit": unit}))
fig("meals", c["recorded"], "meals"); fig("seconds", c["seconds"], "s"); fig("subsidised", c["subsidised"], "meals")
fig("refused", c["refused"], "meals"); fig("failed", c["failed"], "meals")
for k in ("check", "record", "check_to_recorded"):
    fig(k + "_p50_ms", c[k]["p50"], "ms"); fig(k + "_p99_ms", c[k]["p99"], "ms")
PY
fi
# Issue 19's memory soak: 30 minutes at 50 tickets/s with 126 partner clients. Set
# VNH_BENCH_SOAK=0 to leave it out.
if [ "${VNH_BENCH_SOAK:-1}" != 0 ]; then
  echo "soak (30 min at 50/s, 126 firms)" >&2
  python3 "$ROOT/bench/soak.py" "$BUILD/app/vnh" 30 50 126 >>"$OUT"
fi
python3 "$ROOT/bench/report.py" "$OUT" "$RUNS" "$SIM" >"$ROOT/docs/performance.md"
echo "wrote docs/performance.md" >&2
