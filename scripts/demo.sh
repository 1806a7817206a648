#!/bin/bash
# demo.sh: build a busybox bundle in ./demo/ and run it rootless with burrow.
# `make demo` runs it with the binaries of the build tree.
#
# As root it still runs rootless: as the user nobody, from a copy of the
# bundle in a world-readable temporary directory.
#
# Environment: BURROW, PAYLOAD (default: the build tree), BURROW_SRCDIR,
# BURROW_BUILDDIR, DEMO_USER (the user to run as when root; default nobody).
set -euo pipefail

srcdir=${BURROW_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
builddir=${BURROW_BUILDDIR:-$srcdir}
burrow=${BURROW:-$builddir/burrow}
payload=${PAYLOAD:-$builddir/tests/payload/payload}
demo_user=${DEMO_USER:-nobody}
demo=$PWD/demo
cid="burrow-demo"

say() {
    printf 'demo: %s\n' "$*"
}

die() {
    printf 'demo: %s\n' "$*" >&2
    exit 1
}

[ -x "$burrow" ] || die "no burrow binary at $burrow: run \`make\` first"
command -v jq >/dev/null || die "jq is missing: run scripts/install-deps.sh"

say "building a busybox rootfs in $demo/rootfs"
PAYLOAD=$payload "$srcdir/tests/lib/make-rootfs.sh" "$demo/rootfs"

# The shell one-liner the container runs.
# shellcheck disable=SC2016 # expanded in the container
script='echo "hostname: $(hostname)"; id; echo "uid_map:"; cat /proc/self/uid_map'

# configure BUNDLE: make the config.json that `burrow spec --rootless` wrote
# run the one-liner.
configure() {
    local tmp
    tmp=$(mktemp)
    jq --arg s "$script" '.process.args = ["sh", "-c", $s] | .process.terminal = false
        | .hostname = "burrow-demo" | .root.path = "rootfs"' "$1/config.json" >"$tmp"
    cat "$tmp" >"$1/config.json"
    rm -f "$tmp"
}

if [ "$(id -u)" -ne 0 ]; then
    rm -f "$demo/config.json"
    say "\$ burrow spec --rootless --bundle $demo"
    "$burrow" spec --rootless --bundle "$demo" || die "burrow spec failed"
    configure "$demo"
    state=$(mktemp -d)
    trap 'rm -rf "$state"' EXIT
    say "\$ burrow --root $state run --bundle $demo $cid"
    status=0
    "$burrow" --root "$state" run --bundle "$demo" "$cid" </dev/null || status=$?
    "$burrow" --root "$state" delete --force "$cid" >/dev/null 2>&1 || true
    [ "$status" -eq 0 ] || die "burrow run failed with exit status $status"
    say "done: that was a rootless container of user $(id -un)"
    exit 0
fi

# Root: demonstrate the rootless path anyway, as an unprivileged user.  The
# build tree may be unreadable to that user (under /root), so copy the
# binary and the bundle to a world-readable temporary directory.
id -u "$demo_user" >/dev/null 2>&1 || die "user $demo_user does not exist (set DEMO_USER)"
uid=$(id -u "$demo_user")
gid=$(id -g "$demo_user")
say "running as root: the demo runs rootless as user $demo_user (uid $uid) instead"
tmp=$(mktemp -d /tmp/burrow-demo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
cp "$burrow" "$tmp/burrow"
mkdir "$tmp/bundle"
cp -a "$demo/rootfs" "$tmp/bundle/rootfs"
chown -R "$uid:$gid" "$tmp/bundle"
mkdir -m 0700 "$tmp/state" "$tmp/home"
chown "$uid:$gid" "$tmp/state" "$tmp/home"

as_user() {
    setpriv --reuid="$uid" --regid="$gid" --clear-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$tmp/home" USER="$demo_user" "$@"
}

say "\$ burrow spec --rootless --bundle $tmp/bundle   (as $demo_user)"
as_user "$tmp/burrow" spec --rootless --bundle "$tmp/bundle" || die "burrow spec failed"
configure "$tmp/bundle"
cp "$tmp/bundle/config.json" "$demo/config.json"
say "(a copy of that config.json is in $demo/config.json)"
say "\$ burrow --root $tmp/state run --bundle $tmp/bundle $cid   (as $demo_user)"
status=0
as_user "$tmp/burrow" --root "$tmp/state" run --bundle "$tmp/bundle" "$cid" </dev/null || status=$?
as_user "$tmp/burrow" --root "$tmp/state" delete --force "$cid" >/dev/null 2>&1 || true
[ "$status" -eq 0 ] || die "burrow run failed with exit status $status"
say "done: that was a rootless container of user $demo_user"
