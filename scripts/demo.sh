#!/usr/bin/env bash
# Quick start, part one: set up, build, and run the demo district (vnh demo).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
exec "$BUILD/app/vnh" demo "$@"
