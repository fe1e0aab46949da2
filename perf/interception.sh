#!/usr/bin/env bash
# Intercepted HTTPS requests/s with credential injection, HTTP/1.1 and HTTP/2, on loopback.
#
#   perf/interception.sh [REQUESTS] [CLIENTS] [STREAMS]
#
# An nginx TLS upstream (its own CA, given to the gateway in trust.extraRootCAs) serves a tiny
# body; the gateway (Release build) terminates on its transparent TLS listener for a host its
# kit binds a credential to, injects the header and forwards through YARP. h2load drives it
# (it cannot speak CONNECT, so the transparent listener is the entry; the termination, the L7
# handler and the forwarder are the same ones a CONNECT tunnel uses). The same h2load run
# straight at nginx is the baseline. Everything is on 127.0.0.1, bounded by REQUESTS and by a
# time limit per run; every process started here is stopped by its PID at the end.
set -euo pipefail

REQUESTS=${1:-20000}
CLIENTS=${2:-16}
STREAMS=${3:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/gw-intercept-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "port $1 did not open" >&2; exit 1
}

for tool in nginx h2load openssl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (Debian: nginx, nghttp2-client, openssl)" >&2; exit 1; }
done

UPSTREAM=$(free_port); TLS=$(free_port); FORWARD=$(free_port)

# Upstream CA and leaf (ECDSA P-256).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Bench Upstream CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bench.example.test" \
  -keyout "$WORK/leaf.key" -out "$WORK/leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:bench.example.test\nextendedKeyUsage=serverAuth\n' > "$WORK/leaf.ext"
openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
  -extfile "$WORK/leaf.ext" -out "$WORK/leaf.pem" 2>/dev/null

mkdir -p "$WORK/nginx"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$UPSTREAM ssl http2;
    ssl_certificate $WORK/leaf.pem; ssl_certificate_key $WORK/leaf.key;
    keepalive_requests 1000000;
    location / { return 200 "ok\n"; }
  }
}
CONF
nginx -c "$WORK/nginx.conf" -g 'daemon off;' &
PIDS+=($!)

cat > "$WORK/spec.yaml" <<KIT
schemaVersion: "1"
kind: mixin
name: bench-kit
network:
  allowedDomains: [bench.example.test]
  serviceDomains: { bench.example.test: bench }
  serviceAuth: { bench: { headerName: Authorization, valueFormat: "Bearer %s" } }
credentials:
  sources: { bench: { env: [GW_BENCH_TOKEN] } }
KIT
cat > "$WORK/gateway.yaml" <<YAML
stateDir: $WORK/state
listen: { forward: 127.0.0.1:$FORWARD, transparentTls: 127.0.0.1:$TLS, metrics: null }
transparent: { dialTlsPort: $UPSTREAM }
policy: { initialDefault: deny-all }
resolve: { hosts: { bench.example.test: 127.0.0.1 } }
egress: { allowCidrs: [127.0.0.0/8] }
trust: { extraRootCAs: [$WORK/ca.pem] }
kits: [$WORK/spec.yaml]
sandboxes: [ { name: bench, addresses: [127.0.0.1], kits: [bench-kit] } ]
YAML

dotnet build -c Release "$ROOT/gateway" -o "$WORK/bin" >/dev/null
GW_BENCH_TOKEN=bench-secret-token "$WORK/bin/gateway" run --config "$WORK/gateway.yaml" > "$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_port "$UPSTREAM"; wait_port "$TLS"

run() { # label, h2load args...
  local label=$1; shift
  # Warm-up (JIT, leaf mint, upstream pool), then the measured run.
  timeout 120 h2load -n 2000 -c "$CLIENTS" "$@" >/dev/null 2>&1 || true
  local out; out=$(timeout 300 h2load -n "$REQUESTS" -c "$CLIENTS" "$@" 2>&1)
  local rps; rps=$(awk '/^finished in/ {print $4}' <<<"$out")
  local ok; ok=$(awk '/^status codes:/ {print $3}' <<<"$out")
  printf '%-34s %10s req/s   2xx %s/%s\n' "$label" "$rps" "$ok" "$REQUESTS"
}

URL="https://bench.example.test:$UPSTREAM/"
echo "requests=$REQUESTS clients=$CLIENTS streams(h2)=$STREAMS"
run "nginx direct, HTTP/1.1"          --h1 --connect-to="127.0.0.1:$UPSTREAM" "$URL"
run "gateway intercept+inject, HTTP/1.1" --h1 --connect-to="127.0.0.1:$TLS" "$URL"
run "nginx direct, HTTP/2"            -m "$STREAMS" --connect-to="127.0.0.1:$UPSTREAM" "$URL"
run "gateway intercept+inject, HTTP/2"   -m "$STREAMS" --connect-to="127.0.0.1:$TLS" "$URL"

# The peer DESIGN.md's budget names: mitmproxy with an add-header addon, in reverse-proxy mode
# (TLS terminated, header set, forwarded over TLS), driven the same way.
if command -v mitmdump >/dev/null; then
  MITM=$(free_port)
  cat > "$WORK/inject.py" <<'PY'
import os
from mitmproxy import http

class Inject:
    def request(self, flow: http.HTTPFlow) -> None:
        flow.request.headers["authorization"] = "Bearer " + os.environ["GW_BENCH_TOKEN"]

addons = [Inject()]
PY
  GW_BENCH_TOKEN=bench-secret-token mitmdump -q --mode "reverse:https://127.0.0.1:$UPSTREAM" \
    --listen-host 127.0.0.1 --listen-port "$MITM" --set ssl_insecure=true --set confdir="$WORK/mitm" \
    -s "$WORK/inject.py" > "$WORK/mitm.log" 2>&1 &
  PIDS+=($!)
  wait_port "$MITM"
  run "mitmproxy add-header, HTTP/1.1" --h1 --connect-to="127.0.0.1:$MITM" "$URL"
  run "mitmproxy add-header, HTTP/2"   -m "$STREAMS" --connect-to="127.0.0.1:$MITM" "$URL"
fi
grep -c '"injected":"bench"' "$WORK/state/audit.jsonl" | sed 's/^/audit events with injected=bench: /' || true
