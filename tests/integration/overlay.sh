# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# overlay: --rootfs-overlay=auto|kernel|fuse|off: the container writes to an
# overlay over root.path, and the bundle's rootfs is never written.
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# sums DIR: a checksum list of every file (with type, mode, owner and link
# target) under DIR, to compare the rootfs before and after.
sums() {
    (cd "$1" && find . -printf '%y %m %U:%G %p %l\n' | LC_ALL=C sort &&
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# sh_args SCRIPT: process.args = busybox sh -c SCRIPT
sh_args() {
    set_args /bin/sh -c "$1"
}

# fuse_daemons: pids of fuse-overlayfs processes whose command line names $T.
fuse_daemons() {
    local f pid
    for f in /proc/[0-9]*/comm; do
        [ "$(cat "$f" 2>/dev/null)" = fuse-overlayfs ] || continue
        pid=${f#/proc/}
        pid=${pid%/comm}
        if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$T"; then
            printf '%s\n' "$pid"
        fi
    done
}

no_fuse_daemon() {
    [ -z "$(fuse_daemons)" ]
}

# --- writes, deletes, renames ---------------------------------------------------

# The container changes files of every kind; the bundle stays byte for byte.
overlay_writes() {
    local mode=$1
    make_bundle
    local before
    before=$(sums "$ROOTFS")
    sh_args 'set -e
        echo new >/newfile; mkdir -p /newdir/sub; echo deep >/newdir/sub/f
        echo changed >>/etc/passwd
        rm /bin/rm.payload-lower 2>/dev/null || true
        rm /etc/hostname.lower; mv /etc/group.lower /etc/group.moved
        cat /newfile /newdir/sub/f; tail -n1 /etc/passwd
        ls /etc/hostname.lower 2>&1 || true; cat /etc/group.moved'
    :
}

test_kernel_smoke() {
    make_bundle
    cfg ".root.readonly = false"
    sh_args 'echo hi >/newfile && cat /newfile && cat /proc/self/mountinfo | head -1'
    bw run --rootfs-overlay=kernel --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line hi
}

test_fuse_smoke() {
    make_bundle
    cfg ".root.readonly = false"
    sh_args 'echo hi >/newfile && cat /newfile && cat /proc/self/mountinfo | head -1'
    bw run --rootfs-overlay=fuse --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line hi
}
