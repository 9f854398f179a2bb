#!/usr/bin/env bash
# Runs every test of the solution on a fresh Debian machine with the .NET 10 SDK, installing what
# the tests need first, and ends with one line "N passed, N failed[, N skipped]" from the results.
set -uo pipefail
cd "$(dirname "$0")/.."

# Browser tests drive Debian's chromium; install it once if it is missing.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
    || echo "warning: could not install chromium; browser tests will fail" >&2
fi

results=TestResults
rm -rf "$results"
dotnet test Ops.Dashboard.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

# Sum the counters of every TRX file (one per test project).
totals=$(find "$results" -name '*.trx' -print0 2>/dev/null | xargs -0 -r grep -ho '<Counters [^>]*>' \
  | awk '{
      for (i = 1; i <= NF; i++) {
        split($i, kv, "="); gsub(/"|\/|>/, "", kv[2]);
        if (kv[1] == "passed") p += kv[2];
        if (kv[1] == "failed") f += kv[2];
        if (kv[1] == "notExecuted") s += kv[2];
      }
    } END { printf "%d %d %d", p, f, s }')
read -r passed failed skipped <<< "${totals:-0 0 0}"
if [ "${passed:-0}" = 0 ] && [ "${failed:-0}" = 0 ]; then
  echo "no test results found" >&2
  status=1
fi
if [ "${skipped:-0}" -gt 0 ]; then
  echo "${passed} passed, ${failed} failed, ${skipped} skipped"
else
  echo "${passed} passed, ${failed} failed"
fi
[ "${failed:-0}" -gt 0 ] && status=1
exit $status
