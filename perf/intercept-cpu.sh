#!/usr/bin/env bash
# S6 of the suite (intercepted HTTPS with an injected header) against the gateway alone, for
# profiling and A/B runs without the peers: direct TLS to the origin and the gateway's
# interception, warm (100 hosts cycled) and cold (a host never seen before per request), set up
# and pinned as perf/run.sh sets them up (gateway on CPU 0, origin and driver on CPU 1).
#
#   perf/intercept-cpu.sh [--reps N] [--warm-requests N] [--cold-requests N] [--gateway-dll PATH] [--concurrency N]
#
# Each repetition runs exactly N requests (LoadDriver load --requests), a new CONNECT + TLS
# handshake + GET /128 per request, every response checked for the injected header; the
# gateway's CPU (/proc/PID/stat) around it is all theirs. One unrecorded round first lets the JIT
# tier up. Prints one line per run and, per row, the median rate, the median ×direct of the same
# repetition, and the gateway's CPU-µs per request.
# Extra environment for the gateway: GW_ENV="NAME=value ..." (DOTNET_PerfMapEnabled=1 for perf).
# Uses builds already made: dotnet build gateway/Gateway.csproj perf/LoadDriver -c Release.
set -euo pipefail
cd "$(dirname "$0")/.."

reps=3 warm_requests=4000 cold_requests=2000 concurrency=8
gateway_dll=gateway/bin/Release/net10.0/gateway.dll
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift ;;
    --warm-requests) warm_requests=$2; shift ;;
    --cold-requests) cold_requests=$2; shift ;;
    --concurrency) concurrency=$2; shift ;;
    --gateway-dll) gateway_dll=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "intercept-cpu.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
driver=perf/LoadDriver/bin/Release/net10.0/LoadDriver.dll
if [ ! -f "$gateway_dll" ] || [ ! -f "$driver" ]; then echo "intercept-cpu.sh: build Release first (gateway, perf/LoadDriver)" >&2; exit 1; fi
ulimit -n 65536 2>/dev/null || true

work=$(mktemp -d "${TMPDIR:-/tmp}/intercept-cpu.XXXXXX")
. perf/lib.sh

http=$(free_port) tls=$(free_port) bulk=$(free_port) forward=$(free_port) metrics=$(free_port)
taskset -c 1 dotnet "$driver" origin --cert-dir "$work" --http "$http" --tls "$tls" --bulk "$bulk" >"$work/origin.log" 2>&1 &
pids+=($!)
wait_port "$http"; wait_port "$tls"

# Cold names: every repetition takes its own range, so no name is ever seen twice.
cold_total=$(( (reps + 1) * cold_requests ))
mkdir -p "$work/gw"
cat >"$work/gw/policy.json" <<JSON
{"version":1,"default":"deny-all","rules":[{"id":"00000000-0000-4000-8000-000000000000","type":"network","decision":"allow","resources":["127.0.0.1","*.example.test"],"createdAt":"2026-01-01T00:00:00+00:00"}],"kits":[]}
JSON
cat >"$work/gw/spec.yaml" <<'KIT'
schemaVersion: "1"
kind: mixin
name: perf-intercept
credentials:
  sources:
    perf-token:
      env: [PERF_INJECTED_TOKEN]
network:
  allowedDomains: ["*.example.test"]
  serviceDomains: { "*.example.test": perf-token }
  serviceAuth: { perf-token: { headerName: Authorization, valueFormat: "Bearer %s" } }
KIT
{
  cat <<YAML
stateDir: $work/gw
listen:
  forward: 127.0.0.1:$forward
  metrics: 127.0.0.1:$metrics
  admin: unix:$work/gw/admin.sock
egress:
  allowCidrs: [127.0.0.0/8]
trust:
  extraRootCAs: [$work/origin-ca.pem]
limits:
  maxConnections: 50000
  idleTimeout: 10m
audit:
  file: $work/gw/audit.jsonl
kits: [$work/gw/spec.yaml]
sandboxes:
  - name: perf
    kits: [perf-intercept]
    addresses: [127.0.0.1$(for i in $(seq 2 251); do printf ', 127.0.1.%s' "$i"; done)]
resolve:
  hosts:
YAML
  for i in $(seq 0 99); do echo "    h$i.example.test: 127.0.0.1"; done
  for i in $(seq 1 "$cold_total"); do echo "    c$i.example.test: 127.0.0.1"; done
} >"$work/gw/gateway.yaml"
# shellcheck disable=SC2086
env DOTNET_CLI_TELEMETRY_OPTOUT=1 PERF_INJECTED_TOKEN=perf-injected-token ${GW_ENV:-} \
  taskset -c 0 dotnet "$gateway_dll" run --config "$work/gw/gateway.yaml" --state-dir "$work/gw" >"$work/gw.log" 2>&1 &
gw=$!
pids+=("$gw")
wait_port "$forward"
ca="$work/gateway-ca.pem"
dotnet "$gateway_dll" ca export --state-dir "$work/gw" >"$ca"
echo "gateway pid $gw (forward $forward, origin tls $tls)" >&2
expect="X-Seen-Authorization-Sha256: $(printf 'Bearer perf-injected-token' | sha256sum | cut -d' ' -f1)"

hz=$(getconf CLK_TCK)
run() { # label, requests, load args...
  local label=$1 requests=$2; shift 2
  local before after out rate sw_before sw_after
  sw_before=$(switches "$gw")
  before=$(cpu_ticks "$gw")
  out=$(taskset -c 1 dotnet "$driver" load "$@" --requests "$requests" --seconds 300 --concurrency "$concurrency" --per-request --port "$tls")
  after=$(cpu_ticks "$gw")
  sw_after=$(switches "$gw")
  rate=$(sed -E 's/.*"requestsPerSecond":([0-9.]+).*/\1/' <<<"$out")
  grep -q '"errors":{}' <<<"$out" || echo "intercept-cpu.sh: $label errors: $out" >&2
  awk -v s="$label" -v b="$before" -v a="$after" -v hz="$hz" -v n="$requests" -v r="$rate" -v sw=$((sw_after - sw_before)) \
    'BEGIN { printf "%s rate %.0f req/s cpu %.1f us/req switches %.1f /req\n", s, r, (a - b) / hz * 1e6 / n, sw / n }'
}

for r in $(seq 0 "$reps"); do
  from=$(( r * cold_requests + 1 ))
  {
    run direct-warm "$warm_requests" --connect "127.0.0.1:$tls" --via direct --host warm:100 --tls-root "$work/origin-ca.pem"
    run gateway-warm "$warm_requests" --connect "127.0.0.1:$forward" --via connect --host warm:100 --tls-root "$ca" --expect-header "$expect"
    run direct-cold "$cold_requests" --connect "127.0.0.1:$tls" --via direct --host "unique:$from" --tls-root "$work/origin-ca.pem"
    run gateway-cold "$cold_requests" --connect "127.0.0.1:$forward" --via connect --host "unique:$from" --tls-root "$ca" --expect-header "$expect"
  } | sed "s/^/$r /"
done | tee "$work/lines"
echo "uptime: $(uptime)"
python3 - "$work/lines" <<'PY'
import sys, statistics
rows, by_rep = {}, {}
for line in open(sys.argv[1]):
    p = line.split()
    if p[0] == "0":
        continue  # the warm-up round
    rep, label, rate, cpu, sw = p[0], p[1], float(p[3]), float(p[6]), float(p[9])
    rows.setdefault(label, []).append((rate, cpu, sw))
    by_rep.setdefault(rep, {})[label] = rate
for label, v in rows.items():
    rates = [x[0] for x in v]; cpus = [x[1] for x in v]
    line = f"{label}: {statistics.median(rates):.0f} req/s ({min(rates):.0f}-{max(rates):.0f})"
    if label.startswith("gateway"):
        kind = label.split("-")[1]
        ratios = [r[label] / r["direct-" + kind] for r in by_rep.values()]
        line += f", x direct {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
        line += f", gateway {statistics.median(cpus):.0f} CPU-us/req ({min(cpus):.0f}-{max(cpus):.0f}), {statistics.median(x[2] for x in v):.1f} switches/req"
    print(line + f", n={len(v)}")
PY
