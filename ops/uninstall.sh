#!/usr/bin/env bash
# Reverses ops/install.sh: stops and removes the units, the links and $PREFIX. The configuration,
# the state directory (policy, audit log) and the service user are kept unless --purge is given.
# Takes the same environment variables as install.sh.
#
#   sudo ops/uninstall.sh
#   sudo ops/uninstall.sh --purge
set -euo pipefail

PREFIX=${PREFIX:-/opt/egress-gateway}
BIN_DIR=${BIN_DIR:-/usr/local/bin}
UNIT_DIR=${UNIT_DIR:-/etc/systemd/system}
CONFIG_DIR=${CONFIG_DIR:-/etc/egress-gateway}
STATE_DIR=${STATE_DIR:-/var/lib/egress-gateway}

die() { echo "uninstall.sh: $*" >&2; exit 1; }

purge=
case "${1:-}" in
  "") ;;
  --purge) purge=1 ;;
  *) die "unknown argument $1; use --purge to remove the configuration, state and user too" ;;
esac
[ "$(id -u)" = 0 ] || die "run as root (sudo ops/uninstall.sh)"

units=(egress-gateway-vmm.service egress-gateway.service)
systemd_here=
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && [ "$UNIT_DIR" = /etc/systemd/system ]; then
  systemd_here=1
  systemctl disable --now "${units[@]}" 2>/dev/null || true
fi
for unit in "${units[@]}"; do
  rm -f "$UNIT_DIR/$unit"
done
[ -n "$systemd_here" ] && systemctl daemon-reload

for tool in gateway vmm; do
  # Only our own links: a gateway installed some other way stays.
  if [ -L "$BIN_DIR/$tool" ] && [ "$(readlink "$BIN_DIR/$tool")" = "$PREFIX/$tool" ]; then
    rm -f "$BIN_DIR/$tool"
  fi
done
rm -rf "$PREFIX"

if [ -n "$purge" ]; then
  created_user=
  [ -f "$CONFIG_DIR/.created-user" ] && created_user=$(cat "$CONFIG_DIR/.created-user")
  rm -rf "$CONFIG_DIR" "$STATE_DIR"
  if [ -n "$created_user" ] && getent passwd "$created_user" >/dev/null; then
    userdel "$created_user"
    getent group "$created_user" >/dev/null && groupdel "$created_user"
  fi
  echo "removed the gateway, its configuration $CONFIG_DIR, state $STATE_DIR${created_user:+ and user $created_user}"
else
  echo "removed the gateway; kept $CONFIG_DIR and $STATE_DIR (sudo ops/uninstall.sh --purge removes them and the user)"
fi
