#!/usr/bin/env bash
# Runs every test project of Gateway.sln and prints "N passed, N failed[, N skipped]" alone
# on the last line, counted from the TRX result files. Installs what the tests need when root.
set -uo pipefail
cd "$(dirname "$0")" || exit 1

# Debian packages the end-to-end tests drive (real clients and peers, never mocks).
packages=(curl openssl ca-certificates bind9-dnsutils iproute2 nftables dante-server iputils-ping)
# ops/ checks: shell scripts, systemd units (systemd-analyze) and alert rules (promtool).
packages+=(shellcheck systemd prometheus)
# Coverage-guided fuzzing smoke run (Security.Tests CoverageGuidedFuzzTests; skipped without it).
packages+=(afl++)
# The microVM tests boot QEMU; the image script downloads busybox-static, the host copy is for debugging.
packages+=(qemu-system-x86 busybox-static)
# SigV4 re-signing: the AWS CLI is the sandbox's client, botocore the origin's independent verifier.
packages+=(awscli python3-botocore)
# netns sandboxes run their processes under bubblewrap; the CA-trust tests drive git, python3, node and npm inside.
packages+=(bubblewrap git python3 nodejs npm)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq </dev/null >/dev/null && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null \
      || echo "test.sh: could not install ${missing[*]}; tests that need them will skip or fail" >&2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=$(mktemp -d "${TMPDIR:-/tmp}/gateway-tests.XXXXXX")
# The load tests append their figures (tunnels held, memory, descriptors) here; printed at the end.
export LOAD_REPORT="$results/load-report.txt"
trap 'rm -rf "$results"' EXIT

if ! dotnet build Gateway.sln -c Release -nologo -clp:ErrorsOnly </dev/null; then
  echo "test.sh: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# One results directory per project, so TRX file names can never collide.
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" \
    --results-directory "$results/$name" </dev/null || status=$?
done

# The decision path picks AVX-512, AVX2 or scalar code by what the CPU has: run its tests once more
# with each wider instruction set switched off, so a CI machine without them runs tested code.
for isa in EnableAVX512F EnableHWIntrinsic; do
  env "DOTNET_$isa=0" dotnet test tests/PolicyCompiler.Tests/PolicyCompiler.Tests.csproj -c Release --no-build -nologo \
    --logger "trx;LogFileName=PolicyCompiler.Tests.$isa.trx" --results-directory "$results/PolicyCompiler.Tests.$isa" </dev/null || status=$?
done

# `gateway run` inlines socket completions (gateway/Hosting/InlineIo.cs); the test process cannot
# switch that on for itself once it has a socket, so the HTTP/2 flood cases run once more with it on:
# the slot leak of HTTP/2 rapid reset showed only there.
env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet test tests/Security.Tests/Security.Tests.csproj -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Http2RapidResetTests" \
  --logger "trx;LogFileName=Security.Tests.Inline.trx" --results-directory "$results/Security.Tests.Inline" </dev/null || status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

if [ "$files" -eq 0 ]; then
  echo "test.sh: no test results were written" >&2
  failed=$((failed + 1))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: dotnet test exited $status" >&2
  failed=1
fi

if [ -s "$LOAD_REPORT" ]; then
  echo "test.sh: load figures:"
  sed 's/^/  /' "$LOAD_REPORT"
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
