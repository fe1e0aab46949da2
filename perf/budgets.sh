#!/usr/bin/env bash
# Invariant 9 under load: a sandbox flooding the gateway with new CONNECT tunnels is held at its
# budget while another sandbox's requests keep their latency. Two sandboxes on loopback source
# addresses (flooder 127.0.0.2, neighbour 127.0.0.3), the gateway pinned to CPU 0, the origin and
# both drivers (LoadDriver load --source) on CPU 1, as perf/conn-cpu.sh pins them.
#
#   perf/budgets.sh [--seconds S] [--neighbour-rate R] [--flood-concurrency N]
#
# Three phases, each on a fresh gateway: the neighbour alone (open loop, a new tunnel per request,
# R requests/s); the neighbour while the flooder runs closed loop with budgets
# {connections: 50, connectionsPerSecond: 100}; the same flood with no budget. Prints the
# flooder's accepted rate and the neighbour's p50/p90/p99 per phase (the figures in
# perf/results/budgets.md). Uses builds already made: dotnet build gateway/Gateway.csproj perf/LoadDriver -c Release.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10 rate=100 flood_concurrency=16
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift ;;
    --neighbour-rate) rate=$2; shift ;;
    --flood-concurrency) flood_concurrency=$2; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "budgets.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
gateway_dll=gateway/bin/Release/net10.0/gateway.dll
driver=perf/LoadDriver/bin/Release/net10.0/LoadDriver.dll
if [ ! -f "$gateway_dll" ] || [ ! -f "$driver" ]; then echo "budgets.sh: build Release first (gateway, perf/LoadDriver)" >&2; exit 1; fi
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d "${TMPDIR:-/tmp}/budgets.XXXXXX")
. perf/lib.sh
gw=""

http=$(free_port) tls=$(free_port) bulk=$(free_port)
taskset -c 1 dotnet "$driver" origin --cert-dir "$work" --http "$http" --tls "$tls" --bulk "$bulk" >"$work/origin.log" 2>&1 &
pids+=($!)
wait_port "$http"

start_gateway() { # budgets line for the flooder ("" for none)
  local budgets=$1 dir
  dir=$(mktemp -d "$work/gw.XXXXXX")
  forward=$(free_port) metrics=$(free_port)
  cat >"$dir/policy.json" <<JSON
{"version":1,"default":"deny-all","rules":[{"id":"00000000-0000-4000-8000-000000000000","type":"network","decision":"allow","resources":["127.0.0.1"],"createdAt":"2026-01-01T00:00:00+00:00"}],"kits":[]}
JSON
  cat >"$dir/gateway.yaml" <<YAML
stateDir: $dir
listen:
  forward: 127.0.0.1:$forward
  metrics: 127.0.0.1:$metrics
  admin: unix:$dir/admin.sock
egress:
  allowCidrs: [127.0.0.0/8]
sandboxes:
  - name: flooder
    addresses: [127.0.0.2]
$budgets
  - name: neighbour
    addresses: [127.0.0.3]
limits:
  maxConnections: 50000
audit:
  file: $dir/audit.jsonl
YAML
  env DOTNET_CLI_TELEMETRY_OPTOUT=1 taskset -c 0 dotnet "$gateway_dll" run --config "$dir/gateway.yaml" --state-dir "$dir" >"$dir/gw.log" 2>&1 &
  gw=$!
  pids+=("$gw")
  wait_port "$forward"
  curl -s "http://127.0.0.1:$metrics/metrics" >/dev/null
}

stop_gateway() { kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true; }

neighbour() { taskset -c 1 dotnet "$driver" load --connect "127.0.0.1:$forward" --via connect --port "$http" --host 127.0.0.1 --per-request \
  --rate "$rate" --concurrency 64 --seconds "$seconds" --source 127.0.0.3 || true; }
flooder() { taskset -c 1 dotnet "$driver" load --connect "127.0.0.1:$forward" --via connect --port "$http" --host 127.0.0.1 --per-request \
  --concurrency "$flood_concurrency" --seconds $((seconds + 2)) --source 127.0.0.2 || true; }
summary() { # phase, gateway CPU %, neighbour json, flooder json
  python3 - "$@" <<'PY'
import json, sys
phase, cpu, n = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
f = json.loads(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else None
l = n["latencyUs"]
line = f"{phase}: gateway CPU {cpu} % of a core | neighbour {n['requestsPerSecond']:.0f} req/s ok={n['ok']} errors={sum(n['errors'].values())} p50 {l['P50Us']/1000:.2f} ms p90 {n['p90Us']/1000:.2f} ms p99 {l['P99Us']/1000:.2f} ms"
if f:
    line += f" | flooder accepted {f['requestsPerSecond']:.0f}/s of {f['sent']/f['elapsedSeconds']:.0f} attempts/s, refused/failed {f['errors']}"
print(line)
PY
}

hz=$(getconf CLK_TCK)
elapsed() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { print a - b }'; }
percent() { awk -v b="$1" -v a="$2" -v hz="$hz" -v s="$3" 'BEGIN { printf "%.0f", (a - b) / hz / s * 100 }'; }

start_gateway ""
before=$(cpu_ticks "$gw"); start=$(date +%s.%N)
n=$(neighbour)
summary "alone            " "$(percent "$before" "$(cpu_ticks "$gw")" "$(elapsed "$start")")" "$n"
stop_gateway

budgeted="    budgets: { connections: 50, connectionsPerSecond: 100 }"
start_gateway "$budgeted"
flooder >"$work/flood.json" & fl=$!
sleep 1
before=$(cpu_ticks "$gw"); start=$(date +%s.%N)
n=$(neighbour)
cpu=$(percent "$before" "$(cpu_ticks "$gw")" "$(elapsed "$start")")
wait "$fl" || true
summary "flood, budget 100/s" "$cpu" "$n" "$(cat "$work/flood.json")"
curl -s "http://127.0.0.1:$metrics/metrics" | grep '^gateway_budget_exceeded_total' || true
stop_gateway

start_gateway ""
flooder >"$work/flood.json" & fl=$!
sleep 1
before=$(cpu_ticks "$gw"); start=$(date +%s.%N)
n=$(neighbour)
cpu=$(percent "$before" "$(cpu_ticks "$gw")" "$(elapsed "$start")")
wait "$fl" || true
summary "flood, no budget " "$cpu" "$n" "$(cat "$work/flood.json")"
stop_gateway
