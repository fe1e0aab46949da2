#!/usr/bin/env bash
# Builds the microVM boot image from Debian packages only: the Debian kernel that
# linux-image-amd64 depends on, and an initramfs holding busybox-static, the host's curl with
# the shared libraries ldd lists, the virtio modules, /init and the guest agent.
#
#   build-image.sh [DIR]     DIR defaults to ${VMM_STATE_DIR:-/var/lib/egress-gateway}/microvm
#
# Idempotent: downloaded packages stay in DIR/debs, and when DIR/image.stamp matches the inputs
# (kernel and busybox versions, curl and its libraries, the scripts) nothing is rebuilt. Prints the two paths it
# wrote (vmlinuz, initrd.img), one per line, on stdout; progress goes to stderr.
set -euo pipefail
umask 022
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${VMM_STATE_DIR:-/var/lib/egress-gateway}/microvm}
mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)
say() { echo "build-image: $*" >&2; }
die() { echo "build-image: $*" >&2; exit 1; }

for tool in apt-get apt-cache dpkg-deb ldd gzip find flock; do
  command -v "$tool" >/dev/null || die "needs $tool on the host"
done
# Concurrent creates share the image directory: one builds, the others wait and find it current.
exec 9>"$dir/.lock"
flock -w 600 9 || die "another build holds $dir/.lock for over 10 minutes"

curl_bin=$(command -v curl) || die "needs curl on the host (apt-get install curl): its binary and libraries go into the guest"

# Fast path: apt-cache takes seconds on a loaded host, so while the package lists, dpkg's
# database, curl, its libraries and these scripts are unchanged, the last verdict stands.
quick=$(
  { stat -L -c '%n %Y %s' /var/lib/apt/lists /var/lib/dpkg/status "$curl_bin" $(ldd "$curl_bin" | grep -o '/[^ ]*')
    sha256sum "$here/build-image.sh" "$here/init" "$here/agent.sh"; } 2>/dev/null | sha256sum | cut -d' ' -f1
)
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ] && [ "$(cat "$dir/quick.stamp" 2>/dev/null)" = "$quick" ]; then
  say "up to date"
  printf '%s\n%s\n' "$dir/vmlinuz" "$dir/initrd.img"
  exit 0
fi

# The kernel package linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64.
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$kernel_pkg" ]; then
  say "package lists know no linux-image-amd64; running apt-get update"
  timeout 300 apt-get update -qq </dev/null >/dev/null || die "apt-get update failed"
  kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
fi
[ -n "$kernel_pkg" ] || die "cannot tell which kernel package linux-image-amd64 depends on"

# apt-get download into the cache, once per package version.
fetch() {
  local pkg=$1 version file
  version=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
  [ -n "$version" ] && [ "$version" != "(none)" ] || die "no candidate version of $pkg in the package lists"
  file=$(find "$dir/debs" -maxdepth 1 -name "${pkg}_${version//:/%3a}_*.deb" | head -n 1)
  if [ -z "$file" ]; then
    say "downloading $pkg $version"
    (cd "$dir/debs" && timeout 600 apt-get download -qq -o APT::Sandbox::User=root "$pkg=$version" </dev/null >&2) || die "apt-get download $pkg failed"
    file=$(find "$dir/debs" -maxdepth 1 -name "${pkg}_${version//:/%3a}_*.deb" | head -n 1)
    [ -n "$file" ] || die "apt-get download $pkg left no .deb in $dir/debs"
  fi
  echo "$file"
}
kernel_deb=$(fetch "$kernel_pkg")
busybox_deb=$(fetch busybox-static)

stamp_input=$(
  basename "$kernel_deb"; basename "$busybox_deb"
  sha256sum "$curl_bin" "$here/build-image.sh" "$here/init" "$here/agent.sh" | cut -d' ' -f1
  for lib in $(ldd "$curl_bin" | grep -o '/[^ ]*'); do sha256sum "$lib" | cut -d' ' -f1; done
)
stamp=$(printf '%s\n' "$stamp_input" | sha256sum | cut -d' ' -f1)
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ] && [ "$(cat "$dir/image.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$quick" >"$dir/quick.stamp"
  say "up to date"
  printf '%s\n%s\n' "$dir/vmlinuz" "$dir/initrd.img"
  exit 0
fi

work=$(mktemp -d "$dir/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$kernel_deb" "$work/kernel"
dpkg-deb -x "$busybox_deb" "$work/busybox"
kver=${kernel_pkg#linux-image-}
vmlinuz=$work/kernel/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "$kernel_deb holds no boot/vmlinuz-$kver"

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/modules,etc/ssl/certs}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# virtio is modular in the Debian kernel; /init loads these in this order (dependencies first).
modules="virtio_ring virtio virtio_mmio failover net_failover virtio_net virtio_console"
for m in $modules; do
  ko=$(find "$work/kernel/lib/modules/$kver" -name "$m.ko*" | head -n 1)
  [ -n "$ko" ] || die "module $m not found in $kernel_pkg"
  case "$ko" in
    *.ko.xz) xz -dc "$ko" >"$root/lib/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$ko" >"$root/lib/modules/$m.ko" ;;
    *) cp "$ko" "$root/lib/modules/$m.ko" ;;
  esac
done
echo "$modules" >"$root/lib/modules/order"

# curl and every library ldd lists, at the same paths, with the dynamic loader.
cp "$curl_bin" "$root/usr/bin/curl"
for lib in $(ldd "$curl_bin" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"

install -m 0755 "$here/init" "$root/init"
install -m 0755 "$here/agent.sh" "$root/bin/vmm-agent"

(cd "$root" && find . | "$root/bin/busybox" cpio -o -H newc 2>/dev/null) | gzip -6 >"$work/initrd.img"
cp "$vmlinuz" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$dir/vmlinuz"
mv -f "$work/initrd.img" "$dir/initrd.img"
echo "$stamp" >"$dir/image.stamp"
echo "$quick" >"$dir/quick.stamp"
say "wrote $dir/vmlinuz ($kver) and $dir/initrd.img"
printf '%s\n%s\n' "$dir/vmlinuz" "$dir/initrd.img"
