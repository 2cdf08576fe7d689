#!/usr/bin/env bash
# Line and branch coverage of include/ by the unit tests (g++ --coverage, gcovr), printed
# per header; fails below 95% of lines or 90% of branches.
#
# Branch counting: header-only C++ gives gcov branches nobody wrote (exception edges of
# every call that may throw, destructor paths), so gcovr runs with
# --exclude-throw-branches (edges only taken when an exception propagates; the library
# never throws) and --exclude-unreachable-branches (branches on lines with no code,
# such as a closing brace). The numbers are therefore of the branches in our source.
#
#   bash scripts/coverage.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/summarized.sh
bash scripts/install-deps.sh g++ cmake ninja-build catch2 gcovr python3
out=${OAUTHCORE_BUILD_ROOT:-build}
dir=$out/coverage
min_lines=95
min_branches=90

cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="--coverage -O0 -fno-inline" -DCMAKE_EXE_LINKER_FLAGS=--coverage \
  -DOAUTHCORE_BUILD_TESTS=ON -DOAUTHCORE_BUILD_EXAMPLES=OFF -DOAUTHCORE_BUILD_FUZZ=OFF >/dev/null
cmake --build "$dir" -j2
find "$dir" -name '*.gcda' -delete
summarized 3 "$dir/ctest-output.txt" ctest --test-dir "$dir" -j2 --output-on-failure

echo "=== coverage of include/ by the unit tests (gcovr, throw and unreachable branches excluded) ==="
gcovr --root . --object-directory "$dir" --filter 'include/' \
  --exclude-throw-branches --exclude-unreachable-branches \
  --txt - --print-summary --fail-under-line "$min_lines" "$dir/tests" \
  || { echo "*** coverage is below ${min_lines}% of lines"; exit 1; }
# gcovr 5.2 counts each template instantiation's copy of a branch separately (its
# "branches" line above); the gate uses branches with instantiations merged.
echo "=== branch coverage of include/, template instantiations merged ==="
python3 scripts/coverage_branches.py "$dir" "$min_branches" \
  || { echo "*** coverage is below ${min_branches}% of branches"; exit 1; }
echo "coverage: at least ${min_lines}% of lines and ${min_branches}% of branches of include/"
