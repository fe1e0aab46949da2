#!/usr/bin/env bash
# CPU per new connection of the gateway alone, the way perf/run.sh measures S3 and S5, for
# profiling and A/B runs without the peers: the gateway pinned to CPU 0, the origin and the
# driver (LoadDriver load) on CPU 1; CPU-µs per request from the gateway's /proc/PID/stat.
#
#   perf/conn-cpu.sh [--reps N] [--s3-requests N] [--s5-requests N] [--only S3|S5] [--gateway-dll PATH]
#
# Each repetition runs exactly N requests (LoadDriver load --requests), so the CPU sampled around
# it is all theirs; one unrecorded round first lets the JIT tier up.
# Extra environment for the gateway (a GC setting, DOTNET_PerfMapEnabled=1 for perf record) is
# passed through GW_ENV="NAME=value ...". Prints one line per repetition and a median per scenario.
# Uses builds already made: dotnet build gateway/Gateway.csproj perf/LoadDriver -c Release.
set -euo pipefail
cd "$(dirname "$0")/.."

reps=5 s3_requests=30000 s5_requests=5000 only="S3,S5"
gateway_dll=gateway/bin/Release/net10.0/gateway.dll
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift ;;
    --s3-requests) s3_requests=$2; shift ;;
    --s5-requests) s5_requests=$2; shift ;;
    --only) only=$2; shift ;;
    --gateway-dll) gateway_dll=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "conn-cpu.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
driver=perf/LoadDriver/bin/Release/net10.0/LoadDriver.dll
if [ ! -f "$gateway_dll" ] || [ ! -f "$driver" ]; then echo "conn-cpu.sh: build Release first (gateway, perf/LoadDriver)" >&2; exit 1; fi
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d "${TMPDIR:-/tmp}/conn-cpu.XXXXXX")
. perf/lib.sh

http=$(free_port) tls=$(free_port) bulk=$(free_port) forward=$(free_port) metrics=$(free_port) sni=$(free_port)
taskset -c 1 dotnet "$driver" origin --cert-dir "$work" --http "$http" --tls "$tls" --bulk "$bulk" >"$work/origin.log" 2>&1 &
pids+=($!)
wait_port "$http"; wait_port "$tls"

mkdir -p "$work/gw"
cat >"$work/gw/policy.json" <<JSON
{"version":1,"default":"deny-all","rules":[{"id":"00000000-0000-4000-8000-000000000000","type":"network","decision":"allow","resources":["127.0.0.1","*.example.test"],"createdAt":"2026-01-01T00:00:00+00:00"}],"kits":[]}
JSON
cat >"$work/gw/gateway.yaml" <<YAML
stateDir: $work/gw
listen:
  forward: 127.0.0.1:$forward
  metrics: 127.0.0.1:$metrics
  admin: unix:$work/gw/admin.sock
  transparentTls: 127.0.0.1:$sni
transparent:
  dialTlsPort: $tls
resolve:
  hosts:
    origin.example.test: 127.0.0.1
egress:
  allowCidrs: [127.0.0.0/8]
trust:
  extraRootCAs: [$work/origin-ca.pem]
limits:
  maxConnections: 50000
  idleTimeout: 10m
audit:
  file: $work/gw/audit.jsonl
YAML
# shellcheck disable=SC2086
env DOTNET_CLI_TELEMETRY_OPTOUT=1 ${GW_ENV:-} taskset -c 0 dotnet "$gateway_dll" run --config "$work/gw/gateway.yaml" --state-dir "$work/gw" >"$work/gw.log" 2>&1 &
gw=$!
pids+=("$gw")
wait_port "$forward"; wait_port "$sni"
echo "gateway pid $gw (forward $forward, sni $sni, origin http $http tls $tls)" >&2

hz=$(getconf CLK_TCK)
run() { # scenario, requests, load args...
  local scenario=$1 requests=$2; shift 2
  local before after out rate sw_before sw_after
  sw_before=$(switches "$gw")
  before=$(cpu_ticks "$gw")
  out=$(taskset -c 1 dotnet "$driver" load "$@" --requests "$requests" --seconds 120)
  after=$(cpu_ticks "$gw")
  sw_after=$(switches "$gw")
  rate=$(sed -E 's/.*"requestsPerSecond":([0-9.]+).*/\1/' <<<"$out")
  grep -q '"errors":{}' <<<"$out" || echo "conn-cpu.sh: $scenario errors: $out" >&2
  awk -v s="$scenario" -v b="$before" -v a="$after" -v hz="$hz" -v n="$requests" -v r="$rate" -v sw=$((sw_after - sw_before)) \
    'BEGIN { printf "%s rate %.0f req/s cpu %.1f us/req switches %.1f /req\n", s, r, (a - b) / hz * 1e6 / n, sw / n }'
}

for r in $(seq 0 "$reps"); do
  case ",$only," in *,S3,*) run S3 "$s3_requests" --connect "127.0.0.1:$forward" --via connect --port "$http" --host 127.0.0.1 --per-request --concurrency 32 | sed "s/^/$r /" ;; esac
  case ",$only," in *,S5,*) run S5 "$s5_requests" --connect "127.0.0.1:$sni" --via direct --port "$sni" --host origin.example.test --tls-root "$work/origin-ca.pem" --per-request --concurrency 16 | sed "s/^/$r /" ;; esac
done | tee "$work/lines"
python3 - "$work/lines" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    p = line.split()
    if p[0] == "0":
        continue  # the warm-up round
    p = p[1:]
    rows.setdefault(p[0], []).append((float(p[2]), float(p[5]), float(p[8])))
for s, v in rows.items():
    rates = [x[0] for x in v]; cpus = [x[1] for x in v]
    print(f"{s} median: {statistics.median(rates):.0f} req/s (spread {min(rates):.0f}-{max(rates):.0f}), {statistics.median(cpus):.1f} CPU-us/req (spread {min(cpus):.1f}-{max(cpus):.1f}), {statistics.median(x[2] for x in v):.1f} context switches/req, n={len(v)}")
PY
