#!/usr/bin/env bash
# SOCKS5 upstream bulk throughput, side by side in one run (DESIGN.md budget: gateway→Dante
# ≥ 0.9× Dante alone). Everything on loopback, bounded in count and time:
#   direct        curl → nginx
#   dante         curl --socks5 → Dante → nginx
#   gateway+dante curl -p -x gateway (CONNECT) → gateway → Dante → nginx
# nginx serves one SIZE_MIB file (sendfile) so the upstream is never the bottleneck. Runs
# alternate between the paths so load on a shared machine hits each alike; medians are reported.
#
#   perf/socks5-bulk.sh                 # SIZE_MIB=1024 RUNS=5
#   SIZE_MIB=256 RUNS=3 perf/socks5-bulk.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-5}
for tool in danted nginx curl python3 dotnet; do
  command -v "$tool" >/dev/null || { [ -x "/usr/sbin/$tool" ] || { echo "socks5-bulk: needs $tool" >&2; exit 2; }; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/socks5-bulk.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "socks5-bulk: nothing listens on $1" >&2; exit 1
}

# Upstream: nginx with sendfile.
nginx_port=$(free_port)
mkdir -p "$work/www" "$work/nginx"
chmod 755 "$work" "$work/www" # nginx workers run as nobody
truncate -s "${SIZE_MIB}M" "$work/www/blob"
chmod 644 "$work/www/blob"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!)

# Dante, no authentication (the ENVIRONMENT.md configuration).
dante_port=$(free_port)
mkdir -p "$work/dante"
users=""
[ "$(id -u)" = 0 ] && users=$'user.privileged: root\nuser.unprivileged: nobody'
cat >"$work/dante/danted.conf" <<EOF
logoutput: $work/dante/danted.log
internal: 127.0.0.1 port = $dante_port
external: lo
clientmethod: none
socksmethod: none
$users
client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
}
socks pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
  command: connect
}
EOF
danted -f "$work/dante/danted.conf" -N 1 -p "$work/dante/danted.pid" & pids+=($!)

# The gateway (Release), allow-all, loopback opened for the literal upstream, SOCKS5 on.
dotnet build gateway/Gateway.csproj -c Release -nologo -clp:ErrorsOnly </dev/null >/dev/null
gateway_dll=gateway/bin/Release/net10.0/gateway.dll
gateway_port=$(free_port)
cat >"$work/gateway.yaml" <<EOF
listen:
  forward: 127.0.0.1:$gateway_port
  metrics: null
egress:
  allowCidrs: [127.0.0.0/8]
upstream:
  socks5: socks5://127.0.0.1:$dante_port
audit:
  file: $work/audit.jsonl
EOF
dotnet "$gateway_dll" --state-dir "$work/state" policy set-default allow-all >/dev/null
dotnet "$gateway_dll" run --config "$work/gateway.yaml" --state-dir "$work/state" >"$work/gateway.log" 2>&1 </dev/null &
gateway_pid=$!; pids+=("$gateway_pid")

wait_port "$nginx_port"; wait_port "$dante_port"; wait_port "$gateway_port"

url="http://127.0.0.1:$nginx_port/blob"
measure() { # prints bytes/s
  local speed
  speed=$(curl --fail --silent --show-error --noproxy '' --max-time 300 -o /dev/null -w '%{speed_download}' "$@" "$url")
  printf '%s\n' "${speed%.*}"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$work/direct.txt"; : >"$work/dante.txt"; : >"$work/gateway.txt"
measure >/dev/null # warm-up: JIT, page cache
measure -p -x "http://127.0.0.1:$gateway_port" >/dev/null
for _ in $(seq "$RUNS"); do
  measure >>"$work/direct.txt"
  measure --socks5 "127.0.0.1:$dante_port" >>"$work/dante.txt"
  measure -p -x "http://127.0.0.1:$gateway_port" >>"$work/gateway.txt"
done

direct=$(median <"$work/direct.txt"); dante=$(median <"$work/dante.txt"); gateway=$(median <"$work/gateway.txt")
# SIGTERM flushes the audit log: every gateway transfer must say it left through SOCKS5.
kill "$gateway_pid"; for _ in $(seq 150); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.1; done
proxied=$(grep -c '"upstream":"socks5"' "$work/audit.jsonl" || true)
[ "$proxied" -eq $((RUNS + 1)) ] || { echo "socks5-bulk: $proxied of $((RUNS + 1)) gateway transfers went through SOCKS5" >&2; exit 1; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
echo "size ${SIZE_MIB} MiB, ${RUNS} runs each, medians (MiB/s):"
echo "  direct          $(mib "$direct")"
echo "  dante alone     $(mib "$dante")"
echo "  gateway→dante   $(mib "$gateway")"
awk -v g="$gateway" -v d="$dante" -v x="$direct" 'BEGIN { printf "ratio gateway→dante / dante alone: %.2f   (dante / direct: %.2f)\n", g / d, d / x }'
