# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# overlay: --rootfs-overlay=auto|kernel|fuse|off: the container writes to an
# overlay over root.path, so the bundle's rootfs is never written.  Each
# behaviour is tested for `kernel` (overlayfs in the container's user
# namespace) and `fuse` (fuse-overlayfs), as root, rootless, and without a
# subordinate range (one id mapped: everything but chown to other ids works).
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# sums DIR: a checksum list of everything under DIR (type, mode, owner, link
# target, and each file's sha256).
sums() {
    (cd "$1" && find . -printf '%y %m %U:%G %p %l\n' | LC_ALL=C sort &&
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# sh_args SCRIPT: process.args = sh -c SCRIPT (busybox), root writable.
sh_args() {
    cfg '.root.readonly = false'
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

# no_mount_of DIR: no mount in our mount table mentions DIR.
no_mount_of() {
    ! grep -qF -- "$1" /proc/self/mountinfo
}

# is_whiteout PATH: overlayfs's whiteout (a 0:0 character device), or
# fuse-overlayfs's fallback `.wh.NAME` file where it cannot make one.
is_whiteout() {
    if [ -c "$1" ]; then
        [ "$(stat -c '%t:%T' "$1")" = 0:0 ]
    else
        [ -e "$(dirname "$1")/.wh.$(basename "$1")" ]
    fi
}

# root_fstype: the file system type of / in the container, from `payload
# mounts` output in $stdout.
root_fstype() {
    awk '$1 == "mount:" && $2 == "/" { t = $3 } END { print t }' <<<"$stdout"
}

# --- writes, deletes, renames, and the bundle unchanged ------------------------

# Writes, deletes and renames, of new files and of the lower layer's; the
# upper holds the changes and whiteouts, the bundle is byte-for-byte as it was.
overlay_changes() {
    make_bundle
    local before
    before=$(sums "$ROOTFS")
    sh_args 'set -e
        echo new >/newfile; mkdir -p /newdir/sub; echo deep >/newdir/sub/f
        mv /newfile /renamed
        echo more >>/etc/passwd
        rm /etc/hostname; mv /etc/group /etc/group.moved
        rm -r /var
        cat /renamed /newdir/sub/f; tail -n1 /etc/passwd
        ls /etc/hostname /etc/group /var 2>&1 || true; head -n1 /etc/group.moved'
    bw create --rootfs-overlay="$1" --bundle "$BUNDLE" "$CID"
    assert_success
    bw start "$CID"
    assert_success
    wait_until 10 state_is "$CID" stopped
    local out=$T/.cmd$((_bw_ncmd - 1)).out
    stdout=$(cat "$out")
    assert_stdout_line new
    assert_stdout_line deep
    assert_stdout_line more
    assert_stdout_contains "/etc/hostname: No such file or directory"
    assert_stdout_contains "/etc/group: No such file or directory"
    assert_stdout_line "$(head -n1 "$ROOTFS/etc/group")"
    local up=$BW_ROOT/$CID/upper
    assert_file_exists "$up/renamed"
    assert_file_exists "$up/etc/group.moved"
    is_whiteout "$up/etc/hostname" || fail "no whiteout of /etc/hostname in the upper"
    is_whiteout "$up/etc/group" || fail "no whiteout of /etc/group in the upper"
    is_whiteout "$up/var" || fail "no whiteout of /var in the upper"
    assert_eq "$(sums "$ROOTFS")" "$before" "checksums of the bundle's rootfs"
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

test_kernel_changes() { overlay_changes kernel; }
test_fuse_changes() { overlay_changes fuse; }

# Two containers of one bundle at once each see their own writes only.
overlay_two_at_once() {
    make_bundle
    local other
    other=$(new_cid)
    sh_args 'echo "$ME" >/who; touch "/only-$ME"; sleep 2; cat /who; ls / | grep only-'
    cfg '.process.env += ["ME=a"]'
    bw_bg run --rootfs-overlay="$1" --bundle "$BUNDLE" "$CID"
    local pid_a=$bg_pid out_a=$bg_out
    # The first has read config.json once it exists (a loaded host may
    # start it after the rewrite below otherwise).
    wait_until 10 state_is "$CID" running
    cfg '.process.env += ["ME=b"]'
    bw_bg run --rootfs-overlay="$1" --bundle "$BUNDLE" "$other"
    bw_wait
    assert_success
    assert_stdout_eq $'b\nonly-b'
    wait "$pid_a" || fail "the first container failed: $(cat "$out_a")"
    assert_eq "$(cat "$out_a")" $'a\nonly-a' "the first container's output"
    assert_file_missing "$ROOTFS/who"
    assert_nothing_left
}

test_kernel_two_at_once() { overlay_two_at_once kernel; }
test_fuse_two_at_once() { overlay_two_at_once fuse; }

# --rootfs-upper DIR keeps the changes for the next run; a second container
# on DIR while the first lives is refused.
overlay_persistent() {
    make_bundle
    sh_args 'cat /kept 2>/dev/null || echo none; echo "run $((${N:-0}))" >/kept; rm -f /etc/hosts'
    bw run --rootfs-overlay="$1" --rootfs-upper "$T/up" --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq none
    local second
    second=$(new_cid)
    cfg '.process.env += ["N=2"]'
    bw run --rootfs-overlay="$1" --rootfs-upper "$T/up" --bundle "$BUNDLE" "$second"
    assert_success
    assert_stdout_eq "run 0"
    assert_file_exists "$T/up/upper/kept"
    assert_file_exists "$ROOTFS/etc/hosts"
    assert_file_missing "$ROOTFS/kept"

    # One at a time.
    local third fourth
    third=$(new_cid)
    fourth=$(new_cid)
    set_args /bin/payload sleep 30
    bw create --rootfs-overlay="$1" --rootfs-upper "$T/up" --bundle "$BUNDLE" "$third"
    assert_success
    bw create --rootfs-overlay="$1" --rootfs-upper "$T/up" --bundle "$BUNDLE" "$fourth"
    assert_failure
    assert_stderr_contains "--rootfs-upper \`$T/up\` is in use by container \`$third\`"
    # (the first container's init, burrow until `start`, names $T: only
    # the refused one's state is checked here, the rest at the end)
    assert_file_missing "$BW_ROOT/$fourth"
    bw delete --force "$third"
    assert_success
    set_args /bin/cat /kept
    bw run --rootfs-overlay="$1" --rootfs-upper "$T/up" --bundle "$BUNDLE" "$fourth"
    assert_success
    assert_stdout_eq "run 2"
    assert_nothing_left
}

test_kernel_persistent() { overlay_persistent kernel; }
test_fuse_persistent() { overlay_persistent fuse; }

# Ownership inside is the image's: the rootfs's owner (root, or the
# rootless user, mapped to 0) shows as root; a chown inside lands in the
# upper as the mapped host id (not with a single mapping: only 0 exists).
overlay_ownership() {
    make_bundle
    local caps='["CAP_CHOWN", "CAP_FOWNER", "CAP_DAC_OVERRIDE"]'
    cfg '.process.capabilities |= with_entries(select(.key != "ambient") | .value += $c)' --argjson c "$caps"
    sh_args 'stat -c "%n %u:%g" /etc/passwd /bin/busybox /tmp
        touch /etc/passwd /made; stat -c "%n %u:%g" /etc/passwd /made
        chown 1000:1001 /made 2>/dev/null && stat -c "%n %u:%g" /made; true'
    bw create --rootfs-overlay="$1" --bundle "$BUNDLE" "$CID"
    assert_success
    local out=$T/.cmd$_bw_ncmd.out
    bw start "$CID"
    assert_success
    wait_until 10 state_is "$CID" stopped
    stdout=$(cat "$out")
    assert_stdout_line "/etc/passwd 0:0"
    assert_stdout_line "/bin/busybox 0:0"
    assert_stdout_line "/tmp 0:0"
    assert_stdout_line "/made 0:0"
    local up=$BW_ROOT/$CID/upper want
    case $BW_MODE in
    root) want=1000:1001 ;;
    rootless)
        subuid_range
        want=$((subuid_start + 999)):$((subuid_start + 1000))
        ;;
    nosubuid) want= ;;
    esac
    if [ -n "$want" ]; then
        assert_stdout_line "/made 1000:1001"
        assert_eq "$(stat -c %u:%g "$up/made")" "$want" "owner of the upper's /made on the host"
    else
        assert_stdout_not_contains "/made 1000"
        assert_eq "$(stat -c %u "$up/made")" "$(id -u)" "owner of the upper's /made on the host"
    fi
    # The copied-up /etc/passwd keeps its owner.
    assert_eq "$(stat -c %u:%g "$up/etc/passwd")" "$(stat -c %u:%g "$ROOTFS/etc/passwd")" \
        "owner of the copied-up /etc/passwd"
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

test_kernel_ownership() { overlay_ownership kernel; }
test_fuse_ownership() { overlay_ownership fuse; }

# As root, a lower layer with files of other ids shows them as they are.
# modes: root
test_ownership_of_layers() {
    make_bundle
    mkdir -p "$T/layer/etc" "$T/mnt"
    echo top >"$T/layer/etc/motd"
    echo layer >"$T/layer/etc/hostname"
    chown 1234:4321 "$T/layer/etc/motd"
    cfg '.annotations["org.burrow.rootfs.lowerdirs"] = $l | .root.path = $m' \
        --arg l "$T/layer:$ROOTFS" --arg m "$T/mnt"
    for mode in kernel fuse; do
        sh_args 'stat -c "%n %u:%g" /etc/motd /etc/passwd; cat /etc/hostname'
        bw run --rootfs-overlay=$mode --bundle "$BUNDLE" "$CID"
        assert_success
        assert_stdout_line "/etc/motd 1234:4321"
        assert_stdout_line "/etc/passwd 0:0"
        assert_stdout_line layer
    done
    assert_nothing_left
}

# --- root with a user namespace -------------------------------------------------

# As root, a config with a user namespace of its own (0 -> 100000, 65536
# ids): the container's root is host uid 100000, an image owned by that
# range shows as root's, a write lands in the upper as 100000's, and the
# bundle is unchanged.  The state root is root's alone (0700): the kernel
# overlay reaches its upper anyway (the container's process starts in the
# state directory); fuse-overlayfs, which runs as the container's root and
# opens the upper by path, says so and leaves nothing; with a state root
# that uid can traverse it works.
overlay_root_userns() {
    make_bundle
    local r=$T/rootfs-mapped before
    cp -a "$ROOTFS" "$r"
    chown -R 100000:100000 "$r"
    before=$(sums "$r")
    cfg '.root.path = $r
         | .linux.namespaces += [{"type": "user"}]
         | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
         | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' --arg r "$r"
    sh_args 'set -e; echo new >/newfile; echo more >>/etc/passwd
        stat -c "%n %u:%g" /etc/passwd /newfile; cat /newfile; id -u'
    if [ "$1" = fuse ]; then
        mkdir -p "$BW_ROOT" && chmod 0700 "$BW_ROOT"
        bw run --rootfs-overlay=fuse --bundle "$BUNDLE" "$CID"
        assert_failure
        assert_stderr_contains "rootfs overlay fuse: fuse-overlayfs runs as the container's root (host uid 100000), which cannot reach"
        assert_nothing_left
        BW_ROOT=$T/state-open
        mkdir -m 0711 "$BW_ROOT"
    else
        mkdir -p "$BW_ROOT" && chmod 0700 "$BW_ROOT"
    fi
    bw create --rootfs-overlay="$1" --bundle "$BUNDLE" "$CID"
    assert_success
    local out=$T/.cmd$_bw_ncmd.out
    bw start "$CID"
    assert_success
    wait_until 10 state_is "$CID" stopped
    stdout=$(cat "$out")
    assert_stdout_line "/etc/passwd 0:0"
    assert_stdout_line "/newfile 0:0"
    assert_stdout_line new
    assert_stdout_line 0
    assert_eq "$(stat -c %u:%g "$BW_ROOT/$CID/upper/newfile")" 100000:100000 \
        "owner of the upper's /newfile on the host"
    assert_eq "$(sums "$r")" "$before" "checksums of the bundle's rootfs"
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

# modes: root
test_kernel_root_userns() { overlay_root_userns kernel; }
# modes: root
test_fuse_root_userns() { overlay_root_userns fuse; }

# --- several lower layers ----------------------------------------------------

# The lowers annotation: highest first, lowest last; root.path is only where
# the overlay is mounted.
overlay_layers() {
    make_bundle
    mkdir -p "$T/top/etc" "$T/mid/etc" "$T/mid/opt" "$T/mnt"
    echo top >"$T/top/etc/hostname"
    echo mid >"$T/mid/etc/hostname"
    echo mid >"$T/mid/opt/only-mid"
    local before
    before=$(sums "$T/top")$(sums "$T/mid")
    cfg '.annotations["org.burrow.rootfs.lowerdirs"] = $l | .root.path = "mnt"' \
        --arg l "$T/top:../mid:$ROOTFS"
    sh_args 'cat /etc/hostname /opt/only-mid; echo x >/etc/hostname; rm /opt/only-mid; ls /bin/busybox'
    bw run --rootfs-overlay="$1" --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq $'top\nmid\n/bin/busybox'
    assert_eq "$(sums "$T/top")$(sums "$T/mid")" "$before" "checksums of the layers"
    assert_eq "$(find "$T/mnt" -mindepth 1 | wc -l)" 0 "files in root.path"
    assert_nothing_left
}

test_kernel_layers() { mkdir -p "$T/bundle/mnt"; overlay_layers kernel; }
test_fuse_layers() { mkdir -p "$T/bundle/mnt"; overlay_layers fuse; }

# --- modes, the annotation, root.readonly --------------------------------------

# auto is kernel here; fuse when the kernel's overlay is made to fail.
test_auto() {
    make_bundle
    payload_args mounts
    bw run --rootfs-overlay=auto --bundle "$BUNDLE" "$CID"
    assert_success
    assert_eq "$(root_fstype)" overlay "the root's file system type (auto)"
    assert_match "$(cat "$BW_ROOT/@cache/overlay-kernel.probe")" $'\t0\tyes$' "the remembered probe"
    BURROW_TEST_OVERLAY_KERNEL=fail bw run --rootfs-overlay=auto --bundle "$BUNDLE" "$CID"
    assert_success
    assert_eq "$(root_fstype)" fuse.fuse-overlayfs "the root's file system type (auto, no kernel)"
    assert_nothing_left
}

# The annotation picks the mode when no flag does; the flag wins; off is the
# default.
test_annotation() {
    make_bundle
    payload_args mounts
    cfg '.annotations["org.burrow.rootfs.overlay"] = "fuse"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_eq "$(root_fstype)" fuse.fuse-overlayfs "the root (annotation fuse)"
    bw run --rootfs-overlay=kernel --bundle "$BUNDLE" "$CID"
    assert_success
    assert_eq "$(root_fstype)" overlay "the root (annotation fuse, flag kernel)"
    bw run --rootfs-overlay=off --bundle "$BUNDLE" "$CID"
    assert_success
    assert_ne "$(root_fstype)" overlay "the root (flag off)"
    assert_ne "$(root_fstype)" fuse.fuse-overlayfs "the root (flag off)"
    cfg 'del(.annotations)'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_ne "$(root_fstype)" overlay "the root (default)"
    assert_ne "$(root_fstype)" fuse.fuse-overlayfs "the root (default)"
    assert_nothing_left
}

# root.readonly still makes the root read-only.
test_readonly() {
    make_bundle
    cfg '.root.readonly = true'
    payload_args writable / -- writable /etc/passwd
    for mode in kernel fuse; do
        bw run --rootfs-overlay=$mode --bundle "$BUNDLE" "$CID"
        assert_success
        assert_stdout_line "writable: / no (EROFS)"
        assert_stdout_line "writable: /etc/passwd no (EROFS)"
    done
    assert_nothing_left
}

# --- lifetime: nothing stays after the container --------------------------------

# delete: the daemon and the mount go.
overlay_delete() {
    make_bundle
    set_args /bin/payload sleep 30
    bw create --rootfs-overlay="$1" --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    if [ "$1" = fuse ]; then
        [ -n "$(fuse_daemons)" ] || fail "no fuse-overlayfs runs for the created container"
    fi
    bw delete --force "$CID"
    assert_success
    no_fuse_daemon || fail "fuse-overlayfs still runs after delete: $(fuse_daemons)"
    assert_nothing_left
}

test_kernel_delete() { overlay_delete kernel; }
test_fuse_delete() { overlay_delete fuse; }

# kill -9 of the container's init: the daemon leaves by itself.
overlay_kill_init() {
    make_bundle
    set_args /bin/payload sleep 30
    bw run -d --rootfs-overlay="$1" --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    kill -9 "$pid"
    wait_until 5 no_fuse_daemon
    wait_until 5 state_is "$CID" stopped
    no_mount_of "$BW_ROOT" || fail "a mount of the state root remains"
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

test_kernel_kill_init() { overlay_kill_init kernel; }
test_fuse_kill_init() { overlay_kill_init fuse; }

# burrow killed during create (in a prestart hook, after the overlay is
# up): the container's process dies with it, and so does the daemon.
overlay_crash() {
    make_bundle
    cat >"$T/hook" <<'HOOK'
#!/bin/sh
echo $$ >"$(dirname "$0")/hook.pid"
exec sleep 30
HOOK
    chmod +x "$T/hook"
    cfg '.hooks.prestart = [{"path": $h}]' --arg h "$T/hook"
    set_args /bin/true
    bw_bg create --rootfs-overlay="$1" --bundle "$BUNDLE" "$CID"
    wait_until 10 test -s "$T/hook.pid"
    if [ "$1" = fuse ]; then
        [ -n "$(fuse_daemons)" ] || fail "no fuse-overlayfs runs during create"
    fi
    kill -9 "$bg_pid"
    bw_wait
    kill "$(cat "$T/hook.pid")"
    wait_until 5 no_fuse_daemon
    no_mount_of "$BW_ROOT" || fail "a mount of the state root remains"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
}

test_kernel_crash() { overlay_crash kernel; }
test_fuse_crash() { overlay_crash fuse; }

# --- errors ------------------------------------------------------------------------

test_bad_flag() {
    make_bundle
    bw run --rootfs-overlay=yes --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains '--rootfs-overlay: "yes" is not one of auto, kernel, fuse, off'
    bw run --rootfs-upper "$T/up" --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "--rootfs-upper needs --rootfs-overlay"
    assert_file_missing "$T/up"
    assert_nothing_left
}

# Rootless, fuse-overlayfs is the container's root in its user namespace: a
# container without a pid namespace of its own could trace it, so fuse
# mode needs one; the kernel overlay does not.
test_fuse_needs_pid_namespace() {
    [ "$(id -u)" -ne 0 ] || skip "as root without a user namespace fuse-overlayfs is the host's root"
    make_bundle
    cfg '.linux.namespaces |= map(select(.type != "pid"))'
    payload_args exit 0
    bw run --rootfs-overlay=fuse --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "rootfs overlay fuse: fuse-overlayfs runs in the container's user namespace, where a container without a pid namespace of its own could trace it"
    assert_nothing_left
}

test_bad_annotation() {
    make_bundle
    cfg '.annotations["org.burrow.rootfs.overlay"] = "on"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains 'config.json: annotations["org.burrow.rootfs.overlay"]: "on" is not one of auto, kernel, fuse, off'
    cfg '.annotations = {"org.burrow.rootfs.lowerdirs": "/nonexistent"}'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains 'config.json: annotations["org.burrow.rootfs.lowerdirs"]: needs a rootfs overlay'
    bw run --rootfs-overlay=kernel --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains 'config.json: annotations["org.burrow.rootfs.lowerdirs"]: `/nonexistent`: No such file or directory'
    assert_nothing_left
}

# Each missing piece is named, with the fix; nothing is made.
test_missing_pieces() {
    make_bundle
    set_args /bin/true
    BURROW_TEST_OVERLAY_KERNEL=fail bw run --rootfs-overlay=kernel --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "rootfs overlay kernel: this kernel does not mount overlayfs"
    assert_stderr_contains "use --rootfs-overlay=fuse"
    assert_nothing_left

    BURROW_TEST_FUSE_DEV=$T/no-fuse bw run --rootfs-overlay=fuse --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "rootfs overlay fuse: \`$T/no-fuse\` is not accessible (No such file or directory): load the fuse module"
    assert_nothing_left

    # A PATH with the id-mapping tools but no fuse-overlayfs.
    mkdir "$T/bin"
    local tool
    for tool in newuidmap newgidmap; do
        if command -v $tool >/dev/null; then ln -s "$(command -v $tool)" "$T/bin/$tool"; fi
    done
    capture env PATH="$T/bin" "$BURROW" --root "$BW_ROOT" run --rootfs-overlay=fuse \
        --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "rootfs overlay fuse: fuse-overlayfs is not installed (not found in PATH): install the fuse-overlayfs package"
    assert_nothing_left

    BURROW_TEST_OVERLAY_KERNEL=fail BURROW_TEST_FUSE_DEV=$T/no-fuse \
        bw run --rootfs-overlay=auto --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "rootfs overlay auto: neither works: kernel overlayfs: made to fail"
    assert_stderr_contains "fuse: \`$T/no-fuse\` is not accessible"
    assert_nothing_left
    ls -A "$BW_ROOT" >"$T/left"
    # Only the cache of what is the same for every container (the overlay
    # probe, compiled seccomp filters).
    assert_eq "$(grep -v '^@cache$' "$T/left" || true)" "" "files left in the state root"
}

# Layer paths go into overlayfs's option string: `,` `:` `\` cannot.
test_bad_paths() {
    make_bundle
    mkdir -p "$T/a,b"
    cfg '.annotations["org.burrow.rootfs.lowerdirs"] = $l' --arg l "$T/a,b"
    bw run --rootfs-overlay=kernel --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "a layer's path cannot hold"
    cfg 'del(.annotations)'
    bw run --rootfs-overlay=kernel --rootfs-upper "$T/up,x" --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "--rootfs-upper \`$T/up,x\`: the path cannot hold"
    assert_file_missing "$T/up,x"
    assert_nothing_left
}
