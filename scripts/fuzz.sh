#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, -fsanitize=fuzzer,address,undefined) and runs
# each for SECONDS (default 60), one after the other. Fails if any target finds anything
# (a crash, a broken invariant, a sanitizer report, a leak, a timeout or an out-of-memory).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]      targets: form basic_auth json endpoint pkce authorization_request
#
# Each target starts from its seeds (fuzz/corpus/<target>/, never written to) and grows a
# working corpus in build/fuzz-corpus/<target>/, kept between runs, so a later run goes on
# where the last one stopped. Options per target are in fuzz/<target>.options (max_len,
# timeout, rss_limit_mb, dictionary). A finding is written to
# build/fuzz-artifacts/<target>-crash-<sha1> (or leak-, timeout-, oom-) and the way to
# reproduce it is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(form basic_auth json endpoint pkce authorization_request)
bash scripts/install-deps.sh clang-14 libclang-rt-14-dev cmake ninja-build nlohmann-json3-dev pkg-config libsodium-dev

out=${OAUTHCORE_BUILD_ROOT:-build}
build=$out/fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOAUTHCORE_BUILD_FUZZ=ON -DOAUTHCORE_BUILD_TESTS=OFF -DOAUTHCORE_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j2 --target $(printf 'oauthcore_fuzz_%s ' "${targets[@]}")

# libFuzzer flags from fuzz/<target>.options ("key = value" lines; dict relative to fuzz/).
options_of() {
  local target=$1 key value
  while IFS='=' read -r key value; do
    key=${key// /} value=${value// /}
    [[ -z $key || $key == \[* || $key == \#* ]] && continue
    [ "$key" = dict ] && value=fuzz/$value
    printf -- '-%s=%s\n' "$key" "$value"
  done <"fuzz/$target.options"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
mkdir -p "$out/fuzz-artifacts"
failed=()
for target in "${targets[@]}"; do
  corpus=$out/fuzz-corpus/$target
  mkdir -p "$corpus"
  log=$out/fuzz-artifacts/$target.log
  mapfile -t flags < <(options_of "$target")
  echo "=== fuzz: $target for ${seconds}s (${flags[*]}) ==="
  if "$build/fuzz/oauthcore_fuzz_$target" "${flags[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$out/fuzz-artifacts/$target-" "$corpus" "fuzz/corpus/$target" >"$log" 2>&1; then
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" || true
  else
    failed+=("$target")
    tail -n 60 "$log"
    echo "*** $target: finding; full log in $log"
    for artifact in "$out/fuzz-artifacts/$target-"*; do
      [ "$artifact" = "$log" ] || [ ! -f "$artifact" ] && continue
      echo "    reproduce: $build/fuzz/oauthcore_fuzz_$target $artifact"
    done
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}"
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds}s each, no findings"
