# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# container: config.json is applied inside a real container: namespaces, id
# mappings, the rootfs, mounts[], /dev, and the process settings.
# suite-modes: root rootless

# --- helpers -------------------------------------------------------------------

# host_ns NAME: the host's namespace link, e.g. `uts:[4026531838]`.
host_ns() {
    readlink "/proc/self/ns/$1"
}

# ns_of NAME: the `ns: NAME TARGET` target from the last payload output.
ns_of() {
    sed -n "s/^ns: $1 //p" <<<"$stdout"
}

# private_rootfs: a copy of the shared rootfs in $T/rootfs that the test may
# change, used as root.path.
private_rootfs() {
    cp -a "$ROOTFS" "$T/rootfs"
    cfg '.root.path = $r' --arg r "$T/rootfs"
}

# add_mount JSON: append one entry to mounts[].
add_mount() {
    cfg '.mounts += [$m]' --argjson m "$1"
}

# mountinfo_line MOUNTPOINT: the last line of the container's mountinfo (the
# last payload output, from `payload cat /proc/self/mountinfo`) whose mount
# point is MOUNTPOINT.
mountinfo_line() {
    awk -v mp="$1" '$5 == mp { line = $0 } END { print line }' <<<"$stdout"
}

# root_userns_config: as root, a new user namespace needs explicit mappings.
root_userns_config() {
    cfg '.linux.namespaces += [{"type": "user"}]
         | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
         | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# --- namespaces ------------------------------------------------------------------

# Every namespace type asked for is a new one: different from the host's.
# modes: root rootless nosubuid
test_ns_all_new() {
    make_bundle
    cfg '.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},
                              {"type":"mount"},{"type":"cgroup"},{"type":"time"}]'
    if [ "$(id -u)" -eq 0 ]; then
        root_userns_config
    else
        cfg '.linux.namespaces += [{"type": "user"}]'
    fi
    payload_args ns -- pid
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    local n
    for n in user pid net ipc uts mnt cgroup time; do
        local inside
        inside=$(ns_of "$n")
        [ -n "$inside" ] || fail "payload printed no \`ns: $n\` line"
        assert_ne "$inside" "$(host_ns "$n")" "the container's $n namespace"
    done
    assert_stdout_line "pid: 1"
    assert_nothing_left "$CID"
}

# A namespace left out of linux.namespaces is the host's (rootless, a user
# namespace is added all the same: nothing works without one).
test_ns_omitted_shares_host() {
    make_bundle
    # Only a mount namespace; /proc is the host's, bound (a new proc needs a
    # pid namespace of our own, rootless).
    cfg '.linux.namespaces = [{"type":"mount"}] | del(.hostname) | del(.domainname)
         | .mounts = [{"destination":"/proc","type":"bind","source":"/proc","options":["rbind"]},
                      {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["mode=755"]}]'
    # Rootless, no mappings either: burrow's default ones.
    [ "$(id -u)" -eq 0 ] || cfg 'del(.linux.uidMappings) | del(.linux.gidMappings)'
    payload_args ns -- pid
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    local n
    for n in pid net ipc uts cgroup time; do
        assert_eq "$(ns_of "$n")" "$(host_ns "$n")" "the container's $n namespace"
    done
    if [ "$(id -u)" -eq 0 ]; then
        assert_eq "$(ns_of user)" "$(host_ns user)" "the container's user namespace (as root)"
    else
        assert_ne "$(ns_of user)" "$(host_ns user)" "the container's user namespace (rootless)"
    fi
    assert_ne "$(ns_of mnt)" "$(host_ns mnt)" "the container's mount namespace"
    assert_stdout_not_contains "pid: 1"$'\n'
    assert_nothing_left "$CID"
}

# Without a mount namespace burrow would mount and pivot_root in the host's
# own mount table: it must refuse, before anything is done.
test_ns_mount_required() {
    make_bundle
    cfg '.linux.namespaces |= map(select(.type != "mount"))'
    payload_args echo should-not-run
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stdout_not_contains "should-not-run"
    assert_stderr_contains "linux.namespaces"
    assert_stderr_contains "mount namespace"
    assert_nothing_left "$CID"
}

# Joining namespaces by path: a second container in the first one's uts, ipc
# and network namespaces sees its hostname.  Rootless, those namespaces
# belong to the first container's user namespace, so the second joins that
# too (runtime-spec config-linux.md: a path joins the namespace).
# modes: root rootless nosubuid
test_ns_join_by_path() {
    make_bundle
    cfg '.hostname = "first" | .linux.namespaces |= map(select(.type != "network")) + [{"type":"network"}]'
    payload_args hostname -- wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    get_pid "$CID"
    local first=$pid

    local cid2
    cid2=$(new_cid)
    make_bundle "$T/bundle2"
    cfg 'del(.hostname) | .linux.namespaces |= map(select(.type != "uts" and .type != "ipc" and .type != "network"))
         | .linux.namespaces += [{"type":"uts","path":"/proc/\($p)/ns/uts"},
                                 {"type":"ipc","path":"/proc/\($p)/ns/ipc"},
                                 {"type":"network","path":"/proc/\($p)/ns/net"}]' --arg p "$first"
    payload_args hostname -- ns -- pid
    if [ "$(id -u)" -ne 0 ]; then
        # Without the first one's user namespace: not allowed, and said so.
        bw run --bundle "$BUNDLE" "$cid2"
        assert_failure
        assert_stderr_contains "join the ipc namespace \`/proc/$first/ns/ipc\`: not allowed from a new user namespace"
        assert_stderr_contains "join the user namespace that owns it too"
        cfg '.linux.namespaces |= map(select(.type != "user"))
             | .linux.namespaces += [{"type":"user","path":"/proc/\($p)/ns/user"}]
             | del(.linux.uidMappings) | del(.linux.gidMappings)' --arg p "$first"
        # The network namespace is the first one's: its /sys is fine to bind.
    fi
    bw run --bundle "$BUNDLE" "$cid2"
    assert_success
    assert_stdout_line "hostname: first"
    # Its own new pid namespace, created inside the joined user namespace.
    assert_stdout_line "pid: 1"
    local n
    for n in uts ipc net; do
        assert_eq "$(ns_of "$n")" "$(readlink "/proc/$first/ns/$n")" "the second container's $n namespace"
    done
    if [ "$(id -u)" -ne 0 ]; then
        assert_eq "$(ns_of user)" "$(readlink "/proc/$first/ns/user")" "the second container's user namespace"
    fi
    assert_ne "$(ns_of mnt)" "$(readlink "/proc/$first/ns/mnt")" "the second container's mount namespace"

    bw kill "$CID" TERM
    bw_wait
    assert_status 143
    assert_nothing_left
}

# A namespace path that is no namespace, or of the wrong type: a clear error.
test_ns_join_bad_path() {
    make_bundle
    cfg '.linux.namespaces |= map(select(.type != "uts")) | del(.hostname)
         | .linux.namespaces += [{"type":"uts","path":"/proc/self/ns/ipc"}]'
    payload_args echo should-not-run
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "is not a uts namespace"
    cfg '.linux.namespaces |= map(select(.type != "uts"))
         | .linux.namespaces += [{"type":"uts","path":$p}]' --arg p "$T/no-such-ns"
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "$T/no-such-ns"
    cfg '.linux.namespaces |= map(select(.type != "uts"))
         | .linux.namespaces += [{"type":"uts","path":"proc/self/ns/uts"}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "linux.namespaces"
    assert_stderr_contains "absolute"
    cfg '.linux.namespaces |= map(select(.type != "uts")) | .linux.namespaces += [{"type":"ipc"}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "linux.namespaces"
    assert_stderr_contains "ipc"
    assert_nothing_left "$CID"
}

# --- id mappings ----------------------------------------------------------------

# modes: rootless
test_idmap_rootless_range() {
    needs_subuid
    local gstart gcount
    IFS=: read -r _ gstart gcount < <(grep "^$(id -un):" /etc/subgid)
    make_bundle
    payload_args uidmap -- gidmap
    local expected
    expected="uidmap: 0 $(id -u) 1
uidmap: 1 $subuid_start $subuid_count
gidmap: 0 $(id -g) 1
gidmap: 1 $gstart $gcount"
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "$expected"
    # The same without mappings in the config: burrow's own default.
    cfg 'del(.linux.uidMappings) | del(.linux.gidMappings)'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "$expected"
    assert_stderr_not_contains "warning"
    assert_nothing_left "$CID"
}

# modes: nosubuid
test_idmap_nosubuid_single_and_warning() {
    make_bundle
    cfg 'del(.linux.uidMappings) | del(.linux.gidMappings)'
    payload_args uidmap -- gidmap
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "uidmap: 0 $(id -u) 1
gidmap: 0 $(id -g) 1"
    local me
    me=$(id -un)
    assert_stderr_contains "no subordinate uid range for user \`$me\` in /etc/subuid"
    assert_stderr_contains "add a line like \`$me:100000:65536\` to /etc/subuid and /etc/subgid"
    assert_stderr_contains "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $me"
    assert_nothing_left "$CID"
}

# modes: root
test_idmap_config_root() {
    make_bundle
    root_userns_config
    cfg '.linux.uidMappings += [{"containerID": 65536, "hostID": 300000, "size": 10}]'
    payload_args uidmap -- gidmap -- ids
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "uidmap: 0 100000 65536"
    assert_stdout_line "uidmap: 65536 300000 10"
    assert_stdout_line "gidmap: 0 100000 65536"
    assert_stdout_line "uid: 0"
    assert_nothing_left "$CID"
}

# --- the rootfs -----------------------------------------------------------------

test_rootfs_path_relative_and_absolute() {
    make_bundle
    cp -a "$ROOTFS" "$BUNDLE/rfs"
    echo relative >"$BUNDLE/rfs/marker"
    cfg '.root.path = "rfs"'
    payload_args cat /marker
    # From another directory: relative to the bundle, not to the cwd.
    mkdir "$T/elsewhere"
    cd "$T/elsewhere" || fail "cd $T/elsewhere"
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "relative"
    cfg '.root.path = $r' --arg r "$BUNDLE/rfs"
    echo absolute >"$BUNDLE/rfs/marker"
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "absolute"
    assert_nothing_left "$CID"
}

# modes: root rootless nosubuid
test_rootfs_readonly() {
    make_bundle
    cfg '.root.readonly = true'
    add_mount '{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["mode=1777"]}'
    payload_args writable / -- writable /tmp -- writable /etc/hostname
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "writable: / no (EROFS)"
    assert_stdout_line "writable: /tmp yes"
    assert_stdout_line "writable: /etc/hostname no (EROFS)"
    assert_nothing_left "$CID"
}

test_rootfs_writable() {
    make_bundle
    private_rootfs
    cfg '.root.readonly = false'
    payload_args writable / -- touch /made-inside
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "writable: / yes"
    assert_file_exists "$T/rootfs/made-inside"
    assert_nothing_left "$CID"
}

# After pivot_root the old root is detached: no host mount is visible.
test_rootfs_old_root_detached() {
    make_bundle
    payload_args mounts
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_not_contains "$T"
    assert_stdout_not_contains "$ROOTFS"
    local roots
    roots=$(grep -c '^mount: / ' <<<"$stdout" || true)
    assert_eq "$roots" 1 "mounts on / inside the container"
    local mp
    while read -r _ mp _; do
        case $mp in
        / | /proc | /proc/* | /dev | /dev/* | /sys | /sys/*) ;;
        *) fail "a mount at $mp inside the container: a host mount left from the old root?" ;;
        esac
    done <<<"$stdout"
    assert_nothing_left "$CID"
}

# --- mounts[] -------------------------------------------------------------------

# modes: root rootless nosubuid
test_mounts_kernel_filesystems() {
    make_bundle
    add_mount '{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","size=1m","mode=1750"]}'
    payload_args mounts -- writable /tmp -- writable /sys -- writable /dev/shm -- cat /proc/self/mountinfo
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_match "$stdout" $'(^|\n)mount: /proc proc rw' "the proc mount"
    assert_match "$stdout" $'(^|\n)mount: /dev tmpfs rw,nosuid' "the /dev tmpfs"
    assert_match "$stdout" $'(^|\n)mount: /dev/pts devpts rw,nosuid,noexec' "the devpts mount"
    assert_match "$stdout" $'(^|\n)mount: /dev/shm tmpfs rw,nosuid,nodev,noexec' "the /dev/shm tmpfs"
    assert_match "$stdout" $'(^|\n)mount: /dev/mqueue mqueue rw,nosuid,nodev,noexec' "the mqueue mount"
    assert_match "$stdout" $'(^|\n)mount: /sys sysfs ro,nosuid,nodev,noexec' "the /sys mount (a bind rootless)"
    assert_match "$stdout" $'(^|\n)mount: /sys/fs/cgroup [a-z0-9]+ ro,nosuid,nodev,noexec' "the cgroup mount"
    assert_match "$stdout" $'(^|\n)mount: /tmp tmpfs rw,nosuid[, ]' "the /tmp tmpfs"
    assert_stdout_line "writable: /tmp yes"
    assert_stdout_line "writable: /sys no (EROFS)"
    assert_stdout_line "writable: /dev/shm yes"
    local tmp
    tmp=$(mountinfo_line /tmp)
    assert_match "$tmp" 'size=1024k' "the /tmp mount's size"
    assert_match "$tmp" 'mode=1750' "the /tmp mount's mode"
    local dev
    dev=$(mountinfo_line /dev)
    assert_match "$dev" 'size=65536k' "the /dev mount's size"
    assert_match "$dev" 'mode=755' "the /dev mount's mode"
    # Mounts are done in order: /dev/pts after /dev, so it is on top of it.
    local mps
    mps=$(grep -n '^mount: /dev\(/pts\)\? ' <<<"$stdout" | cut -d: -f1 | tr '\n' ' ')
    read -r a b _ <<<"$mps"
    [ "${a:-0}" -lt "${b:-0}" ] || fail "/dev/pts is not mounted after /dev (lines $mps)"
    assert_nothing_left "$CID"
}

# Binds of host directories and a file, read-only and read-write, onto
# destinations created in an earlier tmpfs (mounts are applied in order).
# modes: root rootless nosubuid
test_mounts_bind() {
    make_bundle
    mkdir "$T/rw" "$T/ro"
    echo hello >"$T/ro/file"
    echo single >"$T/single"
    add_mount '{"destination":"/run","type":"tmpfs","source":"tmpfs","options":["mode=755"]}'
    add_mount "$(jq -cn --arg s "$T/rw" '{"destination":"/run/rw","type":"bind","source":$s,"options":["bind","rw"]}')"
    add_mount "$(jq -cn --arg s "$T/ro" '{"destination":"/run/ro","type":"bind","source":$s,"options":["rbind","ro","rprivate"]}')"
    add_mount "$(jq -cn --arg s "$T/single" '{"destination":"/run/sub/dir/single","source":$s,"options":["bind","ro","nosuid"]}')"
    payload_args touch /run/rw/from-inside -- writable /run/rw -- writable /run/ro \
        -- cat /run/ro/file -- cat /run/sub/dir/single -- writable /run/sub/dir/single -- mounts
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_file_exists "$T/rw/from-inside"
    assert_stdout_line "writable: /run/rw yes"
    assert_stdout_line "writable: /run/ro no (EROFS)"
    assert_stdout_line "hello"
    assert_stdout_line "single"
    assert_stdout_line "writable: /run/sub/dir/single no (EROFS)"
    assert_match "$stdout" $'(^|\n)mount: /run/ro [a-z0-9]+ ro' "the read-only bind"
    assert_match "$stdout" $'(^|\n)mount: /run/sub/dir/single [a-z0-9]+ ro,nosuid' "the file bind"
    assert_file_missing "$T/ro/from-inside"
    assert_nothing_left "$CID"
}

# bind leaves out the submounts of the source, rbind takes them along.
# modes: root
test_mounts_bind_vs_rbind() {
    make_bundle
    mkdir -p "$T/tree/sub"
    mount -t tmpfs -o size=1m tmpfs "$T/tree/sub"
    echo below >"$T/tree/sub/f"
    add_mount '{"destination":"/run","type":"tmpfs","source":"tmpfs"}'
    add_mount "$(jq -cn --arg s "$T/tree" '{"destination":"/run/bind","source":$s,"options":["bind"]}')"
    add_mount "$(jq -cn --arg s "$T/tree" '{"destination":"/run/rbind","source":$s,"options":["rbind"]}')"
    payload_args exists /run/bind/sub/f -- exists /run/rbind/sub/f
    bw run --bundle "$BUNDLE" "$CID"
    umount "$T/tree/sub"
    assert_success
    assert_stdout_line "exists: /run/bind/sub/f no (ENOENT)"
    assert_stdout_line "exists: /run/rbind/sub/f yes"
    assert_nothing_left "$CID"
}

# Propagation options are applied to the mount.
test_mounts_propagation() {
    make_bundle
    mkdir "$T/a" "$T/b" "$T/c"
    add_mount '{"destination":"/run","type":"tmpfs","source":"tmpfs"}'
    add_mount "$(jq -cn --arg s "$T/a" '{"destination":"/run/a","source":$s,"options":["rbind","rprivate"]}')"
    add_mount "$(jq -cn --arg s "$T/b" '{"destination":"/run/b","source":$s,"options":["rbind","rshared"]}')"
    add_mount "$(jq -cn --arg s "$T/c" '{"destination":"/run/c","source":$s,"options":["bind","slave"]}')"
    payload_args cat /proc/self/mountinfo
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    local a b
    a=$(mountinfo_line /run/a)
    b=$(mountinfo_line /run/b)
    if [ -z "$a" ] || [ -z "$b" ] || [ -z "$(mountinfo_line /run/c)" ]; then
        fail "a bind mount is missing"
    fi
    if [[ $a == *shared:* ]]; then fail "rprivate mount is shared: $a"; fi
    assert_match "$b" ' shared:[0-9]+' "the rshared mount's propagation"
    assert_nothing_left "$CID"
}

# A destination missing from the rootfs is created (in a private copy here:
# that writes to the rootfs, as runc does).
test_mounts_destination_created() {
    make_bundle
    private_rootfs
    add_mount '{"destination":"/new/deep/dir","type":"tmpfs","source":"tmpfs"}'
    payload_args mounts -- writable /new/deep/dir
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_match "$stdout" $'(^|\n)mount: /new/deep/dir tmpfs ' "the new mount"
    assert_stdout_line "writable: /new/deep/dir yes"
    [ -d "$T/rootfs/new/deep/dir" ] || fail "the mount point was not created in the rootfs"
    assert_nothing_left "$CID"
}

# A destination through a symlink that points out of the rootfs stays inside
# the rootfs (DESIGN.md: targets resolved in the root): /etc/evil -> /tmp is
# the rootfs' /tmp; /etc/evil2 -> $T/outside (a host directory) is that path
# under the rootfs.
test_mounts_symlink_destination_stays_inside() {
    make_bundle
    private_rootfs
    local name="burrow-evil-$CID"
    mkdir "$T/outside" "$T/rootfs/inner"
    mkdir -p "$T/rootfs$T/outside"
    echo secret >"$T/data"
    ln -s /tmp "$T/rootfs/etc/evil"
    ln -s "$T/outside" "$T/rootfs/etc/evil2"
    add_mount "$(jq -cn --arg d "/etc/evil/$name" '{"destination":$d,"type":"tmpfs","source":"tmpfs"}')"
    add_mount '{"destination":"/etc/evil2/x/y","type":"tmpfs","source":"tmpfs"}'
    add_mount "$(jq -cn --arg s "$T/data" '{"destination":"/etc/evil2/file","source":$s,"options":["bind"]}')"
    payload_args touch "/etc/evil/$name/inside" -- touch /etc/evil2/x/y/inside -- cat /etc/evil2/file -- mounts
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_file_missing "/tmp/$name"
    assert_file_missing "$T/outside/x"
    assert_file_missing "$T/outside/file"
    assert_stdout_line "secret"
    assert_match "$stdout" $'(^|\n)'"mount: /tmp/$name tmpfs " "the mount through /etc/evil"
    assert_match "$stdout" $'(^|\n)'"mount: $T/outside/x/y tmpfs " "the mount through /etc/evil2"
    [ -d "$T/rootfs/tmp/$name" ] || fail "the mount point is not in the rootfs' /tmp"
    [ -d "$T/rootfs$T/outside/x/y" ] || fail "the mount point is not under the rootfs"
    assert_nothing_left "$CID"
}

# A symlink whose target is missing inside the rootfs (but exists on the
# host) is not followed out to the host: a clear error, nothing created.
test_mounts_symlink_destination_dangling() {
    make_bundle
    private_rootfs
    mkdir "$T/outside"
    ln -s "$T/outside" "$T/rootfs/etc/evil"
    add_mount '{"destination":"/etc/evil/x","type":"tmpfs","source":"tmpfs"}'
    payload_args echo should-not-run
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "mounts[7]"
    assert_stderr_contains "\`/etc/evil\` is a symlink to a path that does not exist"
    assert_file_missing "$T/outside/x"
    assert_file_missing "$T/rootfs$T"
    assert_nothing_left "$CID"
}

# --- /dev -------------------------------------------------------------------------

# modes: root rootless nosubuid
test_dev() {
    make_bundle
    set_args /bin/sh -c '
        for d in null zero full random urandom tty; do
            test -c /dev/$d && echo "chr: $d"
        done
        for l in fd stdin stdout stderr ptmx; do
            echo "link: $l $(readlink /dev/$l)"
        done
        test -e /dev/ptmx && echo "ptmx: ok"
        echo x >/dev/null && echo "null: written"
        head -c 4 /dev/zero | od -An -tx1
        printf x 2>/dev/null >/dev/full || echo "full: ENOSPC"
        ls /dev/fd/ >/dev/null && echo "fd: listed"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    local d
    for d in null zero full random urandom tty; do
        assert_stdout_line "chr: $d"
    done
    assert_stdout_line "link: fd /proc/self/fd"
    assert_stdout_line "link: stdin /proc/self/fd/0"
    assert_stdout_line "link: stdout /proc/self/fd/1"
    assert_stdout_line "link: stderr /proc/self/fd/2"
    assert_stdout_line "link: ptmx pts/ptmx"
    assert_stdout_line "ptmx: ok"
    assert_stdout_line "null: written"
    assert_stdout_line " 00 00 00 00"
    assert_stdout_line "full: ENOSPC"
    assert_stdout_line "fd: listed"
    payload_args writable /dev/null -- exists /dev/urandom
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "writable: /dev/null yes"
    assert_stdout_line "exists: /dev/urandom yes"
    assert_nothing_left "$CID"
}

# --- the process ------------------------------------------------------------------

# modes: root rootless nosubuid
test_hostname_domainname() {
    make_bundle
    cfg '.hostname = "box.one" | .domainname = "example.org"'
    payload_args hostname -- domainname
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "hostname: box.one
domainname: example.org"
    assert_ne "$(uname -n)" "box.one" "the host's hostname"
    # Without a uts namespace of its own it would be the host's: refused.
    cfg '.linux.namespaces |= map(select(.type != "uts"))'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stdout_not_contains "hostname:"
    assert_stderr_contains "hostname: setting it needs a UTS namespace (add {\"type\": \"uts\"} to linux.namespaces)"
    assert_nothing_left "$CID"
}

test_args_env() {
    make_bundle
    cfg '.process.env = ["PATH=/bin", "A=one two", "EMPTY=", "X=a=b"]'
    payload_args echo "two  spaces" "*" '$HOME' -- env
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq 'two  spaces * $HOME
env: PATH=/bin
env: A=one two
env: EMPTY=
env: X=a=b'
    # args[0] found through the config's PATH.
    cfg '.process.env = ["PATH=/usr/bin:/bin"]'
    set_args payload echo found
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "found"
    assert_nothing_left "$CID"
}

test_cwd() {
    make_bundle
    cfg '.process.cwd = "/home/user"'
    payload_args cwd
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "cwd: /home/user"
    assert_nothing_left "$CID"
}

# A cwd missing from the rootfs is created, mode 0755, as runc and crun do.
test_cwd_missing_is_created() {
    make_bundle
    private_rootfs
    cfg '.root.readonly = false | .process.cwd = "/no/such/dir"'
    payload_args cwd -- ids
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "cwd: /no/such/dir"
    [ -d "$T/rootfs/no/such/dir" ] || fail "the cwd was not created in the rootfs"
    capture stat -c '%a' "$T/rootfs/no/such/dir"
    assert_stdout_eq 755
    assert_nothing_left "$CID"
}

# On a read-only root too: it is created before the root is made read-only
# (as runc does), so an image's WorkingDir works with root.readonly.
test_cwd_missing_readonly_root() {
    make_bundle
    private_rootfs
    cfg '.root.readonly = true | .process.cwd = "/no/such/dir"'
    payload_args cwd -- writable /
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "cwd: /no/such/dir"
    assert_stdout_line "writable: / no (EROFS)"
    [ -d "$T/rootfs/no/such/dir" ] || fail "the cwd was not created in the rootfs"
    assert_nothing_left "$CID"
}

# A cwd that is a file is refused.
test_cwd_not_a_directory() {
    make_bundle
    cfg '.process.cwd = "/etc/passwd"'
    payload_args echo should-not-run
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stdout_not_contains "should-not-run"
    assert_stderr_contains "process.cwd \`/etc/passwd\` is not a directory in the container"
    assert_nothing_left "$CID"
}

# modes: root rootless
test_user_ids() {
    [ "$(id -u)" -eq 0 ] || needs_subuid
    make_bundle
    cfg '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}'
    payload_args ids
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "uid: 1000"
    assert_stdout_line "gid: 1000"
    assert_stdout_line "euid: 1000"
    assert_stdout_line "egid: 1000"
    assert_stdout_line "groups: 10 20"
    assert_nothing_left "$CID"
}

# modes: nosubuid
test_user_unmapped_uid() {
    make_bundle
    cfg '.process.user = {"uid": 1000, "gid": 0}'
    payload_args ids
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stdout_not_contains "uid:"
    assert_stderr_contains "process.user.uid 1000 is not mapped in the container's user namespace"
    assert_stderr_contains "give your user a range in /etc/subuid and /etc/subgid"
    assert_nothing_left "$CID"
}

# modes: root rootless nosubuid
test_umask() {
    make_bundle
    payload_args umask
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "umask: 0022"
    cfg '.process.user.umask = 63'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "umask: 0077"
    assert_nothing_left "$CID"
}

# With a single mapping setgroups(2) is denied: supplementary groups are a
# clear error, even a mapped one.
# modes: nosubuid
test_user_additional_gids_single_mapping() {
    make_bundle
    cfg '.process.user = {"uid": 0, "gid": 0, "additionalGids": [0]}'
    payload_args ids
    # Refused by create already, not only when start execs.
    bw create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "process.user.additionalGids: supplementary groups cannot be set with a single-id mapping"
    assert_file_missing "$BW_ROOT/$CID"
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stdout_not_contains "uid:"
    assert_stderr_contains "process.user.additionalGids: supplementary groups cannot be set with a single-id mapping"
    assert_stderr_contains "/etc/subgid"
    assert_nothing_left "$CID"
}

# Joining a mount namespace by path sets the container up in a private copy
# of it: the namespace joined keeps its root and mounts.  The namespace here
# is a throwaway one (unshare -m) that burrow runs in and joins through
# /proc/self/ns/mnt; were it pivoted, the shell in it would lose the host's
# files.
# modes: root
test_join_mount_namespace_leaves_it_alone() {
    needs_cmd unshare
    make_bundle
    cfg '.linux.namespaces |= map(if .type == "mount" then .path = "/proc/self/ns/mnt" else . end)'
    payload_args echo inside
    touch "$T/marker"
    # shellcheck disable=SC2016 # expanded by the inner shell
    capture unshare -m --propagation private sh -c '
        "$1" --root "$2" run --bundle "$3" "$4"; echo "run: $?"
        if [ -e "$5" ]; then echo "root: intact"; else echo "root: moved"; fi
        grep -c " / / " /proc/self/mountinfo | sed "s/^/root mounts: /"' \
        sh "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID" "$T/marker"
    assert_success
    assert_stdout_eq $'inside\nrun: 0\nroot: intact\nroot mounts: 1'
    assert_nothing_left "$CID"
}

# The container's process gets stdio and nothing else of burrow's or of its
# caller's fds (here 5 and 7, open in the caller without O_CLOEXEC).
test_only_stdio_fds() {
    make_bundle
    payload_args fds
    # shellcheck disable=SC2016 # expanded by the inner shell
    capture sh -c 'exec 5</dev/null 7</dev/null; exec "$0" --root "$1" run --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "fds: 0 1 2"
    assert_nothing_left "$CID"
}

# --preserve-fds N passes fds 3 to 3+N-1 on, and no other.
test_preserve_fds() {
    make_bundle
    payload_args fds -- cat /proc/self/fd/4
    echo "through fd 4" >"$T/four"
    # shellcheck disable=SC2016 # expanded by the inner shell
    capture sh -c 'exec 3</dev/null 4<"$4" 5</dev/null; exec "$0" --root "$1" run --preserve-fds 2 --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID" "$T/four"
    assert_success
    assert_stdout_eq $'fds: 0 1 2 3 4\nthrough fd 4'
    assert_nothing_left "$CID"
}

# Run as root of a user namespace someone else made, whose setgroups(2) is
# denied (`unshare -r`), a config that makes no user namespace inherits the
# denial: burrow leaves the groups alone instead of failing.
# modes: root
test_foreign_userns_setgroups_denied() {
    make_bundle
    needs_cmd unshare
    # That namespace maps only 0: no gid=5 for devpts.
    cfg '.mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end)'
    payload_args ids
    capture unshare -r "$BURROW" --root "$BW_ROOT" run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "uid: 0"
    assert_nothing_left "$CID"
}
