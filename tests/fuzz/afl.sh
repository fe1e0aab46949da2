#!/usr/bin/env bash
# Coverage-guided fuzzing of the seven parsers with AFL++ (Debian afl++) and SharpFuzz: builds
# tests/fuzz/Gateway.Fuzz, instruments a copy of the gateway assemblies, and runs afl-fuzz on each
# target for AFL_SECONDS (default 600) from the committed seeds in tests/fuzz/corpus/TARGET.
# Prints one line per target (seconds, execs, execs/s, corpus, edges, crashes) and exits 1 if any
# crash was saved; findings stay under AFL_OUT (default a temporary directory, printed).
# AFL_TARGETS picks targets (space-separated). Replay a saved crash with the uninstrumented build
# (instrumented code needs afl's shared memory):
#   dotnet tests/fuzz/Gateway.Fuzz/bin/Release/net10.0/Gateway.Fuzz.dll TARGET --replay FILE ./test.sh runs the same for a few seconds each
# (Security.Tests, CoverageGuidedFuzzTests).
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${AFL_SECONDS:-600}"
targets="${AFL_TARGETS:-connect-head client-hello http-peek dns-query socks5-replies absolute-form rule-pattern}"
out="${AFL_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/gateway-afl.XXXXXX")}"
command -v afl-fuzz >/dev/null || { echo "afl.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build tests/fuzz/Gateway.Fuzz -c Release -nologo -clp:ErrorsOnly </dev/null
mkdir -p "$out"
harness="$out/harness"
rm -rf "$harness" && cp -r tests/fuzz/Gateway.Fuzz/bin/Release/net10.0 "$harness"
dotnet "$harness/Gateway.Fuzz.dll" --instrument "$harness"

# The target is a dotnet process, not an afl-instrumented binary; a shared machine has no CPU to pin.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
crashes_total=0
printf 'target\tseconds\texecs\texecs/s\tcorpus\tedges\tcrashes\n'
for target in $targets; do
  afl-fuzz -i "tests/fuzz/corpus/$target" -o "$out/$target" -V "$seconds" -t 5000 -m none \
    -- dotnet "$harness/Gateway.Fuzz.dll" "$target" >"$out/$target.log" 2>&1 || true
  stats="$out/$target/default/fuzzer_stats"
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  if [ ! -f "$stats" ]; then
    echo "afl.sh: $target did not start; see $out/$target.log" >&2
    crashes_total=$((crashes_total + 1))
    continue
  fi
  crashes=$(get saved_crashes)
  crashes_total=$((crashes_total + crashes))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$(get run_time)" "$(get execs_done)" "$(get execs_per_sec)" \
    "$(get corpus_count)" "$(get edges_found)" "$crashes"
done
echo "afl.sh: findings in $out" >&2
[ "$crashes_total" -eq 0 ]
