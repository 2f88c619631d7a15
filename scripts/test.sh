#!/usr/bin/env bash
# Quick start, part two: set up, build, and run every test (unit, integration, browser).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$BUILD"
ctest --output-on-failure -j "$(nproc)" --timeout 900
# The libFuzzer targets (fuzz/), 30 s each on their seed corpora: any finding fails the run.
bash "$ROOT/scripts/fuzz.sh" "${VNH_FUZZ_SECONDS:-30}"
