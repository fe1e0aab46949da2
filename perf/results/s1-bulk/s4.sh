#!/bin/bash
# s4.sh CHECKOUT SECONDS: the gateway's CPU-µs per request for 64 keep-alive tunnels of GET /128
# (LoadDriver load). The CPU spans the driver's 1 s warm-up too, so absolute values read high;
# compare only runs of this script with each other.
here=$(cd "$(dirname "$0")" && pwd)
"$here/start.sh" "$1" >/dev/null
pid=$(cat /tmp/s1prof/gw.pid); tck=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$pid/stat"; }
driver="$1/perf/LoadDriver/bin/Release/net10.0/LoadDriver.dll"
taskset -c 1 dotnet "$driver" load --connect 127.0.0.1:39128 --port 39201 --concurrency 64 --seconds 1 >/dev/null 2>&1
c0=$(cpu)
out=$(taskset -c 1 dotnet "$driver" load --connect 127.0.0.1:39128 --port 39201 --concurrency 64 --seconds "$2" 2>&1)
c1=$(cpu)
echo "$out" | python3 -c "
import json,sys
d=json.loads(sys.stdin.read()); ok=d['ok']
print('%d req, %.0f req/s, %.1f CPU-us/req, load %s' % (ok, ok/$2, ($c1-$c0)/$tck*1e6/ok, open('/proc/loadavg').read().split()[0]))"
kill "$pid" "$(cat /tmp/s1prof/origin.pid)"
