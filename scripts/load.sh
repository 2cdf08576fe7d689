#!/usr/bin/env bash
# The load benchmark (issue 18): builds the example token server and the Beast transport
# floor (Release), installs @node-oauth/oauth2-server 5 and express from the lock file in
# scripts/load/node_peer, and drives each with wrk on loopback, server and load generator
# pinned to different cores. Writes load-results.json; see scripts/load/run_load.py.
#   bash scripts/load.sh [--duration SECONDS]        (10 by default; about 2.5 minutes in all)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh g++ cmake ninja-build pkg-config python3 wrk util-linux libboost1.81-dev libssl-dev \
  libsqlite3-dev libsodium-dev catch2 libbenchmark-dev
command -v node >/dev/null && command -v npm >/dev/null || bash scripts/install-deps.sh nodejs npm

build=${OAUTHCORE_BUILD_ROOT:-build}/load
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
  -DOAUTHCORE_BUILD_TESTS=OFF -DOAUTHCORE_BUILD_EXAMPLES=ON -DOAUTHCORE_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j2 --target token_server http_floor_server

peer=$(mktemp -d /tmp/oauthcore_node_peer.XXXXXX)
trap 'rm -rf "$peer"' EXIT
cp scripts/load/node_peer/package.json scripts/load/node_peer/package-lock.json scripts/load/node_peer/server.js "$peer"
(cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)

python3 scripts/load/run_load.py "$build/examples/token_server/token_server" "$build/bench/http_floor_server" \
  "$peer" "$@"
