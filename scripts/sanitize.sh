#!/usr/bin/env bash
# The unit tests and the fuzz corpus replays under the dynamic checkers, with zero
# errors allowed:
#   1. clang 14 with AddressSanitizer + UndefinedBehaviorSanitizer (-fno-sanitize-recover=all:
#      the first report fails the test), leak detection on;
#   2. g++ under valgrind memcheck (--error-exitcode=1, definite and indirect leaks are errors);
#   3. constant_time_equal under callgrind: the instruction count is the same whether the
#      inputs differ at the first or at the last byte, and a length mismatch still reads
#      max(length) bytes (no early return), at -O0 and -O2.
#
#   bash scripts/sanitize.sh [asan] [valgrind] [callgrind]      (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/summarized.sh
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(asan valgrind callgrind)
bash scripts/install-deps.sh g++ clang-14 libclang-rt-14-dev cmake ninja-build catch2 nlohmann-json3-dev valgrind python3 \
  pkg-config libsodium-dev
out=${OAUTHCORE_BUILD_ROOT:-build}

configure() {  # build dir, compiler, extra cmake arguments...
  local dir=$1 compiler=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_BUILD_TYPE=Debug \
    -DOAUTHCORE_BUILD_TESTS=ON -DOAUTHCORE_BUILD_EXAMPLES=OFF -DOAUTHCORE_BUILD_FUZZ=ON \
    -DOAUTHCORE_BUILD_FUZZERS=OFF "$@" >/dev/null
  cmake --build "$dir" -j2
}

asan() {
  echo "=== sanitize: unit tests and corpus replays, clang 14, ASan + UBSan ==="
  local dir=$out/sanitize-asan
  configure "$dir" clang++-14 -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    summarized 3 "$dir/ctest-output.txt" ctest --test-dir "$dir" -j2 --output-on-failure
}

valgrind_memcheck() {
  echo "=== sanitize: unit tests and corpus replays, g++, valgrind memcheck ==="
  local dir=$out/sanitize-valgrind
  # -O0 (Debug): g++ 12 at -O1 and above gives a false -Warray-bounds on std::string
  # concatenation in tests/form.cpp, which -Werror turns into a build failure.
  configure "$dir" g++ -DCMAKE_CXX_FLAGS_DEBUG=-g
  local vg=(valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect
            --errors-for-leak-kinds=definite,indirect --track-origins=yes)
  # One process for all test cases (valgrind's start-up is the slow part), then each replay.
  "${vg[@]}" "$dir/tests/oauthcore_tests" --reporter compact
  "${vg[@]}" "$dir/tests/readme_embedding" >/dev/null
  local target
  for target in form basic_auth json endpoint pkce authorization_request; do
    "${vg[@]}" "$dir/fuzz/oauthcore_replay_$target" "fuzz/corpus/$target" 2>/dev/null
  done
  echo "valgrind: no errors"
}

callgrind() {
  echo "=== sanitize: constant_time_equal instruction counts (callgrind) ==="
  local dir=$out/sanitize-callgrind
  mkdir -p "$dir"
  cat >"$dir/count.cpp" <<'CPP'
// Compares a 64-byte secret with a guess chosen by argv[1], through a function callgrind
// can single out.
#include <string>
#include <string_view>
#include "oauthcore/constant_time.hpp"
__attribute__((noinline)) bool compare(std::string_view guess, std::string_view secret) {
    return oauthcore::constant_time_equal(guess, secret);
}
int main(int argc, char** argv) {
    const std::string secret(64, 's');
    std::string guess = secret;
    const std::string_view mode = argc > 1 ? argv[1] : "equal";
    if (mode == "first") guess.front() = 'x';
    if (mode == "last") guess.back() = 'x';
    if (mode == "shorter") guess.pop_back();
    if (mode == "empty") guess.clear();
    if (mode == "longer") guess += 's';
    return compare(guess, secret) == (mode == "equal") ? 0 : 1;
}
CPP
  local opt mode failed=0
  for opt in -O0 -O2; do
    g++ -std=c++20 "$opt" -Iinclude "$dir/count.cpp" -o "$dir/count$opt"
    declare -A ir=()
    for mode in equal first last shorter longer empty; do
      valgrind -q --tool=callgrind --callgrind-out-file="$dir/callgrind.out" --toggle-collect='compare*' \
        "$dir/count$opt" "$mode"
      ir[$mode]=$(sed -n 's/^summary: //p' "$dir/callgrind.out")
    done
    echo "g++ $opt, instructions in constant_time_equal for a 64-byte secret:" \
         "equal ${ir[equal]}, differ at first byte ${ir[first]}, at last byte ${ir[last]};" \
         "guess of 63 bytes ${ir[shorter]}, 65 bytes ${ir[longer]}, empty ${ir[empty]}"
    if [ "${ir[first]}" != "${ir[last]}" ] || [ "${ir[first]}" != "${ir[equal]}" ]; then
      echo "*** the count depends on where the inputs differ"; failed=1
    fi
    # No early return on a length mismatch: every mismatch still walks the 64 bytes, so
    # it costs at least 70% of the equal-length comparison (an early return costs ~1%).
    for mode in shorter longer empty; do
      if [ $((ir[$mode] * 10)) -lt $((ir[equal] * 7)) ]; then
        echo "*** a length mismatch ($mode) returns early"; failed=1
      fi
    done
    unset ir
  done
  [ $failed -eq 0 ] && echo "constant_time_equal: no timing dependence on content, no early return"
  return $failed
}

for step in "${steps[@]}"; do
  case $step in
    asan) asan ;;
    valgrind) valgrind_memcheck ;;
    callgrind) callgrind ;;
    *) echo "unknown step: $step (asan, valgrind, callgrind)" >&2; exit 2 ;;
  esac
done
echo "sanitize: ${steps[*]}: no errors"
