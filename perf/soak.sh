#!/usr/bin/env bash
# Soak: SOAK_REQUESTS (default 1,000,000) absolute-form requests through the gateway process,
# half to an allowed host (relayed to a local upstream) and half to a blocked one (403), run
# side by side with ApacheBench through the proxy. Afterwards: audit events = requests exactly,
# RSS back near its start, no descriptor growth. Intercepted requests join the mix once TLS
# interception lands. "No descriptor growth": at most the upstream pool (one per connection)
# above the start. Loopback only; bounded by SOAK_TIMEOUT seconds (default 3600).
set -euo pipefail
cd "$(dirname "$0")/.."

requests="${SOAK_REQUESTS:-1000000}"
concurrency="${SOAK_CONCURRENCY:-32}"
timeout_s="${SOAK_TIMEOUT:-3600}"
half=$((requests / 2))

if ! command -v ab >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils </dev/null >/dev/null
  else
    echo "soak: needs ab (apt-get install apache2-utils)" >&2; exit 1
  fi
fi

dotnet build gateway -c Release -nologo -clp:ErrorsOnly </dev/null
gateway_dll=gateway/bin/Release/net10.0/gateway.dll

work=$(mktemp -d "${TMPDIR:-/tmp}/gateway-soak.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); metrics=$(free_port); upstream=$(free_port)

# The upstream: a keep-alive HTTP/1.1 server answering every GET with a short body.
cat >"$work/upstream.py" <<'EOF'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
python3 "$work/upstream.py" "$upstream" & pids+=($!)

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
egress:
  allowCidrs: [127.0.0.0/8]
EOF
dotnet "$gateway_dll" --state-dir "$state" run --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 & gw=$!; pids+=($gw)
for _ in $(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$metrics/readyz" && break
  sleep 0.1
done

rss() { awk '/VmRSS/ { print $2 }' "/proc/$gw/status"; }
fds() { ls "/proc/$gw/fd" | wc -l; }
# Warm up (JIT, pools), then take the starting figures.
ab -q -n 2000 -c "$concurrency" -k -X "127.0.0.1:$port" "http://allowed.example.test:$upstream/" >/dev/null
warm=2000
rss_start=$(rss); fds_start=$(fds)
started=$(date +%s)

timeout "$timeout_s" ab -q -n "$half" -c "$concurrency" -k -X "127.0.0.1:$port" "http://allowed.example.test:$upstream/" >"$work/allowed.txt" &
a=$!
timeout "$timeout_s" ab -q -n "$((requests - half))" -c "$concurrency" -k -X "127.0.0.1:$port" "http://blocked.example.test:$upstream/" >"$work/blocked.txt" &
b=$!
wait "$a"; wait "$b"
elapsed=$(( $(date +%s) - started ))

sleep 2
rss_end=$(rss); fds_end=$(fds)
kill -TERM "$gw"; wait "$gw" || true

complete() { awk '/Complete requests/ { print $3 }' "$1"; }
failed() { awk '/Failed requests/ { print $3 }' "$1"; }
allowed_done=$(complete "$work/allowed.txt"); blocked_done=$(complete "$work/blocked.txt")
events=$(cat "$state"/audit.jsonl* | wc -l)
allowed_events=$(cat "$state"/audit.jsonl* | grep -c '"decision":"allowed"' || true)
blocked_events=$(cat "$state"/audit.jsonl* | grep -c '"decision":"blocked"' || true)
expected=$((requests + warm))

echo "soak: $requests requests ($half allowed, $((requests - half)) blocked) + $warm warm-up, $concurrency connections each side, ${elapsed}s"
echo "soak: completed allowed $allowed_done (failed $(failed "$work/allowed.txt")), blocked $blocked_done (failed $(failed "$work/blocked.txt"))"
echo "soak: audit events $events (allowed $allowed_events, blocked $blocked_events), expected $expected"
echo "soak: RSS ${rss_start} KiB -> ${rss_end} KiB; descriptors $fds_start -> $fds_end"

status=0
[ "$events" -eq "$expected" ] || { echo "soak: FAIL audit events $events != requests $expected" >&2; status=1; }
[ "$fds_end" -le $((fds_start + concurrency + 10)) ] || { echo "soak: FAIL descriptors grew $fds_start -> $fds_end" >&2; status=1; }
[ "$rss_end" -le $((rss_start * 3 / 2 + 51200)) ] || { echo "soak: FAIL RSS grew ${rss_start} -> ${rss_end} KiB" >&2; status=1; }
exit "$status"
