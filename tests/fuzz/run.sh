#!/usr/bin/env bash
# Runs every parser fuzz harness (tests/Security.Tests/Fuzz) for FUZZ_INPUTS inputs each
# (default 1,000,000), bounded by FUZZ_TIMEOUT seconds in all (default 3600), and prints one
# line per parser: name, inputs, seconds, inputs/s, failures. ./test.sh runs the same harnesses
# for 15,000 inputs each.
set -euo pipefail
cd "$(dirname "$0")/../.."

export FUZZ_INPUTS="${FUZZ_INPUTS:-1000000}"
timeout_s="${FUZZ_TIMEOUT:-3600}"
configuration="${FUZZ_CONFIGURATION:-Release}"
report="$(mktemp "${TMPDIR:-/tmp}/fuzz-report.XXXXXX")"
export FUZZ_REPORT="$report"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build tests/Security.Tests -c "$configuration" -nologo -clp:ErrorsOnly </dev/null
status=0
timeout "$timeout_s" dotnet test tests/Security.Tests -c "$configuration" --no-build -nologo \
  --filter "Category=Fuzz" </dev/null || status=$?

echo "parser	inputs	seconds	inputs/s	failures"
awk -F'\t' '{ printf "%s\t%s\t%s\t%s\t%s\n", $1, $2, $4, $6, $8 }' "$report"
rm -f "$report"
if [ "$status" -eq 124 ]; then
  echo "fuzz: stopped by the ${timeout_s}s bound before every parser finished" >&2
fi
exit "$status"
