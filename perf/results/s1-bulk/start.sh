#!/bin/bash
# start.sh [CHECKOUT]: the suite's bulk/HTTP origin on CPU 1 and a gateway built in CHECKOUT
# (Release) on CPU 0, in the scratch directory /tmp/s1prof (gw.yaml and state/policy.json from here).
# INLINE=1 sets DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS, PERFMAP=1 DOTNET_PerfMapEnabled.
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p /tmp/s1prof/state && cd /tmp/s1prof || exit 1
cp -n "$here/gw.yaml" . && cp -n "$here/policy.json" state/
dir=${1:-/work/wt-splice}
taskset -c 1 dotnet "$dir/perf/LoadDriver/bin/Release/net10.0/LoadDriver.dll" origin --cert-dir /tmp/s1prof --http 39201 --tls 39202 --bulk 39203 > origin.log 2>&1 &
echo $! > origin.pid
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=${INLINE:-0} DOTNET_PerfMapEnabled=${PERFMAP:-0} taskset -c 0 dotnet "$dir/gateway/bin/Release/net10.0/gateway.dll" run --config /tmp/s1prof/gw.yaml --state-dir /tmp/s1prof/state > gw.log 2>&1 &
echo $! > gw.pid
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/39128) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/39203) 2>/dev/null && break; sleep 0.2; done
echo started
