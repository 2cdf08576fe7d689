#!/usr/bin/env bash
# Style and static checks: clang-format on every C++ file we own, and clang-tidy
# (.clang-tidy) on the translation units that instantiate the library.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh clang-format clang-tidy
mapfile -t sources < <(git ls-files '*.hpp' '*.cpp' | grep -v '^single_include/')
echo "=== clang-format: ${#sources[@]} files ==="
clang-format --dry-run --Werror "${sources[@]}"
echo "=== clang-tidy ==="
for unit in tests/lint/instantiate_all.cpp examples/vendor_demo/vendor_demo.cpp examples/minimal/minimal.cpp; do
  clang-tidy --quiet "$unit" -- -std=c++20 -Iinclude
done
echo "lint passed"
