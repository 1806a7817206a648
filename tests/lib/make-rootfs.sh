#!/bin/bash
# make-rootfs.sh DEST: build a minimal root filesystem for tests and the demo.
#
# Contents: Debian's busybox-static as /bin/busybox with a link in /bin for
# every applet, the test payload as /bin/payload, /etc/passwd and /etc/group
# (root, nobody and a user 1000), and the usual empty directories.  No libc:
# both binaries are static.
#
# Environment:
#   PAYLOAD  path of the built payload (default: tests/payload/payload of the
#            build tree, found from this script's location)
#   BUSYBOX  path of a static busybox (default: /bin/busybox)
#
# Idempotent: running it again on the same DEST refreshes the binaries and
# files and leaves the rest alone.  It takes a few milliseconds.
set -euo pipefail

die() {
    echo "make-rootfs: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: make-rootfs.sh DEST"
dest=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
payload=${PAYLOAD:-$here/../payload/payload}
busybox=${BUSYBOX:-/bin/busybox}

[ -x "$busybox" ] || die "$busybox not found: install busybox-static (scripts/install-deps.sh)"
# A dynamically linked busybox (Debian's `busybox` package) would need a libc
# inside the rootfs; insist on the static one.
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
    die "$busybox is not statically linked: install busybox-static instead of busybox"
fi
[ -x "$payload" ] || die "payload not found at $payload: run \`make payload\` (or set PAYLOAD)"

mkdir -p "$dest"
cd "$dest"
mkdir -p bin sbin etc proc sys dev tmp root run home/user var/tmp usr/bin usr/sbin
chmod 1777 tmp var/tmp
chmod 0700 root

# Copy through a temporary name and rename: a rootfs in use by a running
# container keeps its old binary instead of seeing a half-written one.
install_file() {
    cp "$1" "$2.tmp.$$"
    chmod "$3" "$2.tmp.$$"
    mv -f "$2.tmp.$$" "$2"
}
install_file "$busybox" bin/busybox 0755
install_file "$payload" bin/payload 0755

for applet in $("$busybox" --list); do
    case $applet in
    busybox | payload | */*) continue ;;
    esac
    [ -L "bin/$applet" ] || ln -sf busybox "bin/$applet"
done

write_file() {
    printf '%s' "$2" >"$1.tmp.$$"
    chmod 0644 "$1.tmp.$$"
    mv -f "$1.tmp.$$" "$1"
}
write_file etc/passwd 'root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
'
write_file etc/group 'root:x:0:
user:x:1000:
nogroup:x:65534:
'
write_file etc/hostname 'burrow
'
write_file etc/hosts '127.0.0.1 localhost
::1 localhost
'
[ -e etc/resolv.conf ] || : >etc/resolv.conf
