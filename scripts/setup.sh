#!/usr/bin/env bash
# Installs what the build, the tests and the demo need on Debian 12 (skipping what is
# already there), then configures and builds vnh into build/. Idempotent; run as root.
# Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${VNH_BUILD_DIR:-$ROOT/build}"

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libsqlite3-dev sqlite3 libprotobuf-dev protobuf-compiler libfmt-dev libspdlog-dev libsodium-dev
  libssl-dev libjemalloc-dev libtomlplusplus-dev prometheus-cpp-dev catch2 chromium fonts-noto-cjk
  clang
)
# Node and npm may already come from elsewhere (a newer release); Debian's otherwise.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all Debian packages present"
fi

# The browser tests drive Debian's chromium with playwright-core (never a downloaded browser).
if [ ! -d "$ROOT/tests/console/node_modules/playwright-core" ]; then
  echo "setup: installing playwright-core for the console tests"
  (cd "$ROOT/tests/console" && npm ci --no-audit --no-fund --loglevel=error)
fi

export CCACHE_DIR="${CCACHE_DIR:-$ROOT/.ccache}"
jobs="$(nproc)"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVNH_WERROR=ON >/dev/null
cmake --build "$BUILD" -j "$jobs"
