#!/usr/bin/env bash
# The side-by-side performance suite: the gateway against direct and against the proxies a
# load tester would pick instead, on loopback, every figure a ratio measured in the same run.
#
#   perf/run.sh            # full run (< 30 min): writes perf/results/latest.md and latest.json
#   perf/run.sh --quick    # short windows (< 5 min), labelled as such in the report
#   perf/run.sh --only S1,S3 [--quick]   # a subset of the scenarios S1..S8
#   perf/run.sh --micro    # also the BenchmarkDotNet micro-benchmarks (short job), in the report
#   perf/run.sh --only S1 --results DIR   # write latest.md/latest.json to DIR (default perf/results)
#
# As root it installs the peers from Debian. It builds the gateway and the driver (Release),
# pins the proxies to CPU 0 and the origin and driver to CPU 1, and stops everything it
# started by PID. The micro-benchmarks are separate: perf/Benchmarks (see perf/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
micro=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) args+=(--quick) ;;
    --micro) micro=1 ;;
    --only) [ $# -ge 2 ] || { echo "run.sh: --only needs a list (S1,S3)" >&2; exit 2; }; args+=(--only "$2"); shift ;;
    --results) [ $# -ge 2 ] || { echo "run.sh: --results needs a directory" >&2; exit 2; }; args+=(--results "$2"); shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

packages=(squid tinyproxy haproxy nginx libnginx-mod-stream dante-server mitmproxy iperf3 proxychains4
  nghttp2-client iproute2 util-linux procps)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "run.sh: installing ${missing[*]}" >&2
    apt-get update -qq </dev/null >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
  fi
else
  echo "run.sh: not root: using the peers already installed (missing ones are reported as not run)" >&2
fi

cpus=$(nproc --all)
if [ "$cpus" -lt 2 ]; then
  echo "run.sh: needs 2 CPUs (proxy on one, load on the other); this machine has $cpus" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build gateway/Gateway.csproj -c Release -nologo -clp:ErrorsOnly </dev/null
dotnet build perf/LoadDriver/LoadDriver.csproj -c Release -nologo -clp:ErrorsOnly </dev/null

# 10,000 idle tunnels are 20,000 sockets in the proxy and as many again in driver and origin.
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d "${TMPDIR:-/tmp}/perf-suite.XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
if [ -n "$micro" ]; then
  # Readers, relay, DNS, leaf mint and SOCKS5 framing with the short job, pinned to the proxy core; the decision benchmark
  # (~25 min at 1M rules) is left to perf/results/decision.md.
  echo "run.sh: micro-benchmarks (BenchmarkDotNet, short job)" >&2
  if ! taskset -c 0 dotnet run -c Release --project perf/Benchmarks -- --filter '*ConnectHead*' '*ClientHello*' '*Dns*' '*Relay*' '*LeafMint*' '*Socks5Frames*' \
      --quick --artifacts "$work/bdn" </dev/null >"$work/bdn.log" 2>&1; then
    echo "run.sh: micro-benchmarks failed; the end of their log:" >&2
    tail -n 5 "$work/bdn.log" >&2
  fi
  args+=(--micro-dir "$work/bdn/results")
fi

# The driver itself runs on the load core; it pins each peer to the proxy core when it starts it.
taskset -c 1 dotnet perf/LoadDriver/bin/Release/net10.0/LoadDriver.dll suite --root "$PWD" --work "$work" "${args[@]}" </dev/null
