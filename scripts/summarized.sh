# Sourced by the scripts that run a test runner (test.sh, coverage.sh, sanitize.sh).
#
#   summarized LINES LOG COMMAND...
#
# Runs COMMAND with its output in LOG. When it passes, prints the runner's own summary
# (the last LINES lines). When it fails, prints the last 300 lines of the log and then the
# names of the failing tests, so that the end of CI's output, which is what a reader of
# a failed run sees first, says which test failed and what it printed.
summarized() {
  local lines=$1 log=$2
  shift 2
  mkdir -p "$(dirname "$log")"
  local status=0
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    tail -n "$lines" "$log"
    return 0
  fi
  echo "--- $* failed (exit $status); the last 300 lines of $log: ---"
  tail -n 300 "$log"
  echo "--- failing tests (exit $status): ---"
  grep -E '\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception| (FAIL|TIMEOUT|ERROR) |^[[:space:]]*[0-9]+ - ' "$log" || true
  return "$status"
}
