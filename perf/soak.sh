#!/usr/bin/env bash
# Soak: SOAK_REQUESTS (default 1,000,000) requests through the gateway process, a third of each
# kind, run side by side:
#   allowed      absolute-form GET http://allowed.example.test/…, relayed to the origin (ab -k)
#   blocked      absolute-form GET http://blocked.example.test/…, answered 403 (ab -k)
#   intercepted  CONNECT intercepted.example.test + TLS to the gateway's minted leaf + GET, a new
#                tunnel per request (perf/LoadDriver load --per-request --requests N); a kit binds
#                a credential to that host, the gateway injects Authorization, and every response
#                must carry the origin's SHA-256 of "Bearer <token>", so a request the credential
#                did not reach is an error, never a success.
# Afterwards: audit events = requests exactly, per kind; RSS back near its start; no descriptor
# growth.
#
# How the gateway counts (gateway/Listeners/AbsoluteFormHandler.cs, gateway/Interception/):
# one event per absolute-form request, allowed or blocked; one event per request served on an
# intercepted connection (InterceptedRequestHandler), and none for the tunnel itself, unless
# its TLS handshake fails, which is one event with status 0 and no request (the driver counts
# it as an error, so a run with errors cannot pass). Every request here is answered (0 failed
# is checked), so events(host) = requests sent to host, warm-up included.
#
# "No descriptor growth": at most the upstream pools (one per client connection) above the start.
# Loopback only; bounded by SOAK_TIMEOUT seconds (default 3600); every process started here is
# stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

requests="${SOAK_REQUESTS:-1000000}"
concurrency="${SOAK_CONCURRENCY:-32}"          # ab connections, each of the two plain kinds
tunnels="${SOAK_INTERCEPT_CONCURRENCY:-8}"     # driver workers, each a tunnel at a time
timeout_s="${SOAK_TIMEOUT:-3600}"
third=$((requests / 3))
n_allowed=$third; n_blocked=$third; n_intercepted=$((requests - 2 * third))
warm_plain=2000; warm_intercepted=1000
token=soak-injected-token

if ! command -v ab >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils </dev/null >/dev/null
  else
    echo "soak: needs ab (apt-get install apache2-utils)" >&2; exit 1
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build gateway -c Release -nologo -clp:ErrorsOnly </dev/null
dotnet build perf/LoadDriver -c Release -nologo -clp:ErrorsOnly </dev/null
gateway_dll=gateway/bin/Release/net10.0/gateway.dll
driver_dll=perf/LoadDriver/bin/Release/net10.0/LoadDriver.dll

work=$(mktemp -d "${TMPDIR:-/tmp}/gateway-soak.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && echo "soak: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); metrics=$(free_port); origin_http=$(free_port); origin_tls=$(free_port)

# The origin: the load driver's keep-alive HTTP/1.1 server (plain and TLS; GET /N answers N
# pattern bytes, and the SHA-256 of the request's Authorization). Its CA goes to the gateway.
dotnet "$driver_dll" origin --cert-dir "$work/certs" --http "$origin_http" --tls "$origin_tls" >"$work/origin.log" 2>&1 & pids+=($!)

# The kit lives in a directory of its own: the gateway watches a kit's directory for edits, and
# the logs and figures written into $work would make it reload the policy all the time.
mkdir -p "$work/kit"
cat >"$work/kit/spec.yaml" <<EOF
schemaVersion: "1"
kind: mixin
name: soak-intercept
credentials:
  sources:
    soak-token: { env: [SOAK_INJECTED_TOKEN] }
network:
  allowedDomains: [intercepted.example.test]
  serviceDomains: { intercepted.example.test: soak-token }
  serviceAuth:
    soak-token: { headerName: Authorization, valueFormat: "Bearer %s" }
EOF
# ab connects from 127.0.0.1; the driver spreads its tunnels over 127.0.1.2 … 127.0.1.251.
addresses="127.0.0.1"
for i in $(seq 2 251); do addresses+=", 127.0.1.$i"; done
state="$work/state"
dotnet "$gateway_dll" --state-dir "$state" policy set-default deny-all >/dev/null
dotnet "$gateway_dll" --state-dir "$state" policy allow network "allowed.example.test" >/dev/null
cat >"$work/gateway.yaml" <<EOF
listen:
  forward: 127.0.0.1:$port
  metrics: 127.0.0.1:$metrics
resolve:
  hosts:
    allowed.example.test: 127.0.0.1
    blocked.example.test: 127.0.0.1
    intercepted.example.test: 127.0.0.1
egress:
  allowCidrs: [127.0.0.0/8]
trust:
  extraRootCAs: [$work/certs/origin-ca.pem]
kits: [$work/kit/spec.yaml]
sandboxes:
  - { name: soak, kits: [soak-intercept], addresses: [$addresses] }
audit:
  keep: 1000                      # nothing rotated away: every event of the run is counted
EOF
SOAK_INJECTED_TOKEN=$token dotnet "$gateway_dll" --state-dir "$state" run --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 & gw=$!; pids+=($gw)
for _ in $(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$metrics/readyz" && [ -s "$work/certs/origin-ca.pem" ] && break
  sleep 0.1
done
dotnet "$gateway_dll" --state-dir "$state" ca export >"$work/gateway-ca.pem" 2>/dev/null
expect="X-Seen-Authorization-Sha256: $(printf 'Bearer %s' "$token" | sha256sum | cut -d' ' -f1)"

rss() { awk '/VmRSS/ { print $2 }' "/proc/$gw/status"; }
fds() { ls "/proc/$gw/fd" | wc -l; }
plain() { # label count url
  timeout "$timeout_s" ab -q -n "$2" -c "$concurrency" -k -X "127.0.0.1:$port" "$3" >"$work/$1.txt"
}
intercepted() { # label count
  timeout "$((timeout_s + 60))" dotnet "$driver_dll" load --connect "127.0.0.1:$port" --via connect --port "$origin_tls" \
    --host intercepted.example.test --tls-root "$work/gateway-ca.pem" --per-request --requests "$2" \
    --concurrency "$tunnels" --seconds "$timeout_s" --size 2 --expect-header "$expect" >"$work/$1.json" || true
}
allowed_url="http://allowed.example.test:$origin_http/2"
blocked_url="http://blocked.example.test:$origin_http/2"

# Warm up (JIT, pools, the leaf for the intercepted host), then take the starting figures.
plain warm-allowed "$warm_plain" "$allowed_url"
plain warm-blocked "$warm_plain" "$blocked_url"
intercepted warm-intercepted "$warm_intercepted"
sleep 2
rss_start=$(rss); fds_start=$(fds)
started=$(date +%s)

# RSS sampled every second while the run lasts, for the peak.
( while kill -0 "$gw" 2>/dev/null; do rss >>"$work/rss.samples" 2>/dev/null || true; sleep 1; done ) & sampler=$!; pids+=($sampler)
plain allowed "$n_allowed" "$allowed_url" & a=$!
plain blocked "$n_blocked" "$blocked_url" & b=$!
intercepted intercepted "$n_intercepted" & c=$!
wait "$a" || true; wait "$b" || true; wait "$c" || true
elapsed=$(( $(date +%s) - started ))

sleep 2
rss_end=$(rss); fds_end=$(fds)
kill "$sampler" 2>/dev/null || true
rss_peak=$(sort -n "$work/rss.samples" | tail -n 1)
kill -TERM "$gw"; wait "$gw" || true

complete() { awk '/Complete requests/ { print $3 }' "$work/$1.txt"; }
failed() { awk '/Failed requests/ { print $3 }' "$work/$1.txt"; }
non2xx() { awk '/Non-2xx responses/ { n = $3 } END { print n + 0 }' "$work/$1.txt"; }
json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/$1.json" "$2" 2>/dev/null || echo 0; }
events_for() { cat "$state"/audit.jsonl* | grep -c "\"host\":\"$1\"" || true; }

sent_allowed=$(( $(complete warm-allowed) + $(complete allowed) ))
sent_blocked=$(( $(complete warm-blocked) + $(complete blocked) ))
sent_intercepted=$(( $(json warm-intercepted sent) + $(json intercepted sent) ))
errors_intercepted=$(( $(json warm-intercepted sent) - $(json warm-intercepted ok) + $(json intercepted sent) - $(json intercepted ok) ))
failed_plain=$(( $(failed warm-allowed) + $(failed allowed) + $(failed warm-blocked) + $(failed blocked) ))
events=$(cat "$state"/audit.jsonl* | wc -l)
ev_allowed=$(events_for allowed.example.test); ev_blocked=$(events_for blocked.example.test); ev_intercepted=$(events_for intercepted.example.test)
injected=$(cat "$state"/audit.jsonl* | grep -c '"injected":"soak-token"' || true)
sent=$((sent_allowed + sent_blocked + sent_intercepted))
reloads=$(grep -c 'policy: reloaded' "$work/gateway.log" || true)
planned=$((requests + 2 * warm_plain + warm_intercepted))

echo "soak: $requests requests ($n_allowed allowed, $n_blocked blocked, $n_intercepted intercepted) + $((2 * warm_plain + warm_intercepted)) warm-up; $concurrency + $concurrency keep-alive connections, $tunnels tunnel workers; ${elapsed}s"
non2xx_allowed=$(( $(non2xx warm-allowed) + $(non2xx allowed) )); non2xx_blocked=$(( $(non2xx warm-blocked) + $(non2xx blocked) ))
echo "soak: allowed   sent $sent_allowed, failed $(( $(failed warm-allowed) + $(failed allowed) )), non-2xx $non2xx_allowed; audit events $ev_allowed"
echo "soak: blocked   sent $sent_blocked, failed $(( $(failed warm-blocked) + $(failed blocked) )), non-2xx $non2xx_blocked; audit events $ev_blocked"
echo "soak: intercepted sent $sent_intercepted, errors $errors_intercepted ($(json intercepted errors)); audit events $ev_intercepted (injected=soak-token: $injected); $(json intercepted requestsPerSecond) req/s"
echo "soak: audit events $events for $sent requests sent (planned $planned)"
echo "soak: policy reloads during the run $reloads (nothing edits the policy: expected 0)"
echo "soak: RSS ${rss_start} KiB start, ${rss_peak} KiB peak, ${rss_end} KiB end; descriptors $fds_start -> $fds_end"

status=0
fail() { echo "soak: FAIL $*" >&2; status=1; }
[ "$sent" -eq "$planned" ] || fail "sent $sent of $planned requests (SOAK_TIMEOUT ${timeout_s}s?)"
[ "$failed_plain" -eq 0 ] || fail "ab counted $failed_plain failed requests"
[ "$non2xx_allowed" -eq 0 ] || fail "$non2xx_allowed allowed requests were not answered 200"
[ "$non2xx_blocked" -eq "$sent_blocked" ] || fail "only $non2xx_blocked of $sent_blocked blocked requests were refused"
[ "$errors_intercepted" -eq 0 ] || fail "$errors_intercepted intercepted requests failed: $(json intercepted firstError)"
[ "$ev_allowed" -eq "$sent_allowed" ] || fail "allowed: audit events $ev_allowed != requests $sent_allowed"
[ "$ev_blocked" -eq "$sent_blocked" ] || fail "blocked: audit events $ev_blocked != requests $sent_blocked"
[ "$ev_intercepted" -eq "$sent_intercepted" ] || fail "intercepted: audit events $ev_intercepted != requests $sent_intercepted"
[ "$injected" -eq "$sent_intercepted" ] || fail "intercepted: $injected events name the injected credential, of $sent_intercepted"
[ "$events" -eq "$sent" ] || fail "audit events $events != requests $sent"
[ "$fds_end" -le $((fds_start + concurrency + tunnels + 10)) ] || fail "descriptors grew $fds_start -> $fds_end"
[ "$rss_end" -le $((rss_start * 3 / 2 + 51200)) ] || fail "RSS grew ${rss_start} -> ${rss_end} KiB"
exit "$status"
