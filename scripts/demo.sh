#!/usr/bin/env bash
# The demo: builds oauthcore's vendor demo and feeds it the vendor document's two
# example requests and one failing request, printing requests and responses.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh g++ cmake ninja-build catch2
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DOAUTHCORE_BUILD_TESTS=OFF >/dev/null
cmake --build build/demo -j2 --target vendor_demo >/dev/null
./build/demo/examples/vendor_demo
