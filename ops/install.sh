#!/usr/bin/env bash
# Installs the egress gateway on this host, from a checkout of this repository:
#   publishes gateway and vmm (framework-dependent) to $PREFIX,
#   links both into $BIN_DIR, creates the service user and its state directory,
#   installs the example configuration (never overwriting one that exists) and the systemd units.
# It does not start anything: choose the default policy, then `systemctl enable --now egress-gateway`.
# Every location can be moved with an environment variable (the tests install into a temporary
# directory this way); ops/uninstall.sh, given the same variables, removes what this created.
#
#   sudo ops/install.sh
#   sudo PREFIX=/srv/egress-gateway ops/install.sh
set -euo pipefail

PREFIX=${PREFIX:-/opt/egress-gateway}
BIN_DIR=${BIN_DIR:-/usr/local/bin}
UNIT_DIR=${UNIT_DIR:-/etc/systemd/system}
CONFIG_DIR=${CONFIG_DIR:-/etc/egress-gateway}
STATE_DIR=${STATE_DIR:-/var/lib/egress-gateway}
SERVICE_USER=${SERVICE_USER:-egress-gateway}
# A directory that already holds the published gateway and vmm: skips `dotnet publish`
# (for images and packages that build elsewhere).
PUBLISHED=${PUBLISHED:-}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "install.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (sudo ops/install.sh): it creates a user and writes to $PREFIX and $UNIT_DIR"

if [ -z "$PUBLISHED" ]; then
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is needed to publish (dotnet not found); or set PUBLISHED=DIR"
  PUBLISHED=$(mktemp -d "${TMPDIR:-/tmp}/egress-gateway-publish.XXXXXX")
  trap 'rm -rf "$PUBLISHED"' EXIT
  for project in gateway/Gateway.csproj vmm/Vmm.csproj; do
    # Framework-dependent: the host's ASP.NET Core runtime serves it, and its security updates
    # apply without a rebuild. Not single-file: that needs a runtime identifier, which restores the
    # checkout for one platform and makes the next plain build restore (and reach the feed) again;
    # the two apps share one directory instead, each an executable next to its assemblies.
    dotnet publish "$repo/$project" -c Release -o "$PUBLISHED" -nologo -v:quiet \
      || die "dotnet publish $project failed"
  done
fi
for tool in gateway vmm; do
  [ -x "$PUBLISHED/$tool" ] || die "$PUBLISHED/$tool is missing or not executable"
done

if ! getent passwd "$SERVICE_USER" >/dev/null; then
  useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
    --shell /usr/sbin/nologin --comment "egress gateway" "$SERVICE_USER"
  created_user=1
fi

install -d -m 0755 "$PREFIX" "$BIN_DIR" "$UNIT_DIR"
cp -R "$PUBLISHED/." "$PREFIX/"
chmod 0755 "$PREFIX/gateway" "$PREFIX/vmm"
install -m 0644 "$repo/README.md" "$PREFIX/README.md"
ln -sfn "$PREFIX/gateway" "$BIN_DIR/gateway"
ln -sfn "$PREFIX/vmm" "$BIN_DIR/vmm"

install -d -m 0755 "$CONFIG_DIR" "$CONFIG_DIR/kits"
if [ ! -e "$CONFIG_DIR/gateway.yaml" ]; then
  # The example turns on listeners and sources that need a real host; start from the keys that
  # matter here, with the state directory this install uses.
  cat >"$CONFIG_DIR/gateway.yaml" <<EOF
# Every key is documented in $PREFIX/README.md ("Configuration") and in the commented example
# ops/config/gateway.yaml of the repository. Check a change with: gateway policy check $CONFIG_DIR/gateway.yaml
stateDir: $STATE_DIR
listen:
  forward: 127.0.0.1:3128
  metrics: 127.0.0.1:9090
kits:
  - $CONFIG_DIR/kits/*/spec.yaml
EOF
fi

install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$STATE_DIR"
if [ -n "${created_user:-}" ]; then
  # Remembered so that `uninstall.sh --purge` removes only a user this script created.
  echo "$SERVICE_USER" >"$CONFIG_DIR/.created-user"
fi

for unit in egress-gateway.service egress-gateway-vmm.service; do
  sed -e "s#/opt/egress-gateway#$PREFIX#g" -e "s#/var/lib/egress-gateway#$STATE_DIR#g" \
    -e "s#/etc/egress-gateway#$CONFIG_DIR#g" -e "s#^User=egress-gateway#User=$SERVICE_USER#" \
    -e "s#^Group=egress-gateway#Group=$SERVICE_USER#" \
    "$repo/ops/systemd/$unit" >"$UNIT_DIR/$unit"
  chmod 0644 "$UNIT_DIR/$unit"
done

# Only where systemd runs: elsewhere (containers, build hosts) the files are all there is to do.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && [ "$UNIT_DIR" = /etc/systemd/system ]; then
  systemctl daemon-reload
fi

echo "installed: $PREFIX/{gateway,vmm}, links in $BIN_DIR, units in $UNIT_DIR, config $CONFIG_DIR/gateway.yaml, state $STATE_DIR (user $SERVICE_USER)"
echo "next: sudo -u $SERVICE_USER $BIN_DIR/gateway --state-dir $STATE_DIR policy set-default balanced && systemctl enable --now egress-gateway"
