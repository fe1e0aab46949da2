#!/bin/bash
# ab.sh ROUNDS SECONDS: alternates a gateway built from the base commit (/tmp/s1base) and this
# checkout, a fresh origin and gateway per measurement, one CONNECT download each (measure.py).
here=$(cd "$(dirname "$0")" && pwd)
for _ in $(seq "$1"); do
  for v in base splice; do
    dir=/tmp/s1base; [ "$v" = splice ] && dir=/work/wt-splice
    "$here/start.sh" "$dir" >/dev/null
    printf "%-7s " "$v"; taskset -c 1 python3 "$here/measure.py" "$(cat /tmp/s1prof/gw.pid)" 39128 39203 "$2"
    kill "$(cat /tmp/s1prof/gw.pid)" "$(cat /tmp/s1prof/origin.pid)"; wait 2>/dev/null; sleep 0.5
  done
done
