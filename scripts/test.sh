#!/usr/bin/env bash
# The whole test suite: CMake with g++ 12 and clang 14, a -fno-exceptions build, and
# Meson with g++ (what the Meson build itself defines; a Meson suite with clang ran the
# CMake clang suite's tests again and kept CI near its 45-minute budget), all with
# -Wall -Wextra -Wpedantic -Werror. Each build's test runner (ctest, meson test) prints
# its own summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/summarized.sh
bash scripts/install-deps.sh g++ clang-14 cmake ninja-build meson pkg-config python3 catch2 \
  libboost1.81-dev libssl-dev openssl libsqlite3-dev libsodium-dev libpq-dev postgresql-15 curl python3-requests-oauthlib python3-authlib \
  chromium chromium-driver fonts-liberation
# node and npm for the openid-client test (installed offline from the packages committed in
# examples/token_server/tests/openid_client/vendor); Debian's when the machine has none.
command -v node >/dev/null && command -v npm >/dev/null || bash scripts/install-deps.sh nodejs npm

jobs=2
out=${OAUTHCORE_BUILD_ROOT:-build}

cmake_suite() {  # name, compiler, extra cmake arguments...
  local name=$1 compiler=$2
  shift 2
  echo "=== cmake: $name ==="
  cmake -S . -B "$out/$name" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_BUILD_TYPE=Debug "$@" >/dev/null
  cmake --build "$out/$name" -j"$jobs"
  summarized 3 "$out/$name/ctest-output.txt" ctest --test-dir "$out/$name" -j"$jobs" --output-on-failure
}

meson_suite() {  # name, compiler
  local name=$1 compiler=$2
  echo "=== meson: $name ==="
  rm -rf "$out/$name"
  CXX=$compiler meson setup "$out/$name" --buildtype=debug >/dev/null
  meson compile -C "$out/$name" -j "$jobs"
  summarized 8 "$out/$name/meson-test-output.txt" meson test -C "$out/$name" --num-processes "$jobs" --print-errorlogs
}

cmake_suite gcc g++
cmake_suite clang clang++-14
cmake_suite gcc-no-exceptions g++ -DOAUTHCORE_NO_EXCEPTIONS=ON
meson_suite meson-gcc g++
echo "all suites passed"
