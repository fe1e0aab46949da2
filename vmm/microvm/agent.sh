#!/bin/sh
# Guest agent of a vmm microVM. It serves `vmm exec` over the virtio serial port named
# vmm.agent (a QEMU unix socket on the host). One request per line, one job at a time:
#   PING ID                         -> PONG ID
#   RUN ID SECONDS BASE64-SCRIPT    -> O ID BASE64 ... (stdout), E ID BASE64 ... (stderr), EXIT ID CODE
# Every reply line carries the request's ID, so output a host gave up on can never be taken for
# the answer to a later request; base64 lines of 76 characters decode one by one.
port=
tries=0
while [ -z "$port" ] && [ "$tries" -lt 100 ]; do
  for dev in /sys/class/virtio-ports/*; do
    [ "$(cat "$dev/name" 2>/dev/null)" = vmm.agent ] && [ -e "/dev/${dev##*/}" ] && port=/dev/${dev##*/}
  done
  [ -n "$port" ] || sleep 0.1
  tries=$((tries + 1))
done
[ -n "$port" ] || { echo "vmm-agent: no virtio port named vmm.agent"; exit 1; }
exec 3<>"$port"
# Request words are split unquoted below: never let them expand as globs.
set -f
mkdir -p /run/vmm-agent
echo "vmm-agent: ready on $port ($(uname -r))"

while true; do
  # With no host connected, a read returns end of file at once: poll gently until one is.
  if ! IFS= read -r line <&3; then
    sleep 0.2
    continue
  fi
  set -- $line
  case "$1" in
    PING)
      echo "PONG $2" >&3
      ;;
    RUN)
      id=$2 limit=$3 job=/run/vmm-agent/job
      rm -rf "$job" && mkdir -p "$job"
      if [ -n "$4" ] && echo "$4" | base64 -d >"$job/script" 2>/dev/null; then
        (cd /root && exec timeout -s KILL "$limit" sh "$job/script" </dev/null >"$job/out" 2>"$job/err")
        code=$?
      else
        echo "vmm-agent: request $id carries no valid base64 script" >"$job/err"
        : >"$job/out"
        code=126
      fi
      {
        base64 "$job/out" | sed "s/^/O $id /"
        base64 "$job/err" | sed "s/^/E $id /"
        echo "EXIT $id $code"
      } >&3
      rm -rf "$job"
      ;;
  esac
done
