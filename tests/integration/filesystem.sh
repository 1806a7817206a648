# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# filesystem: linux.devices, linux.sysctl, linux.timeOffsets, idmapped
# mounts and linux.rootfsPropagation, checked from inside real containers.
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# devices JSON: set linux.devices.
devices() {
    cfg '.linux.devices = $d' --argjson d "$1"
}

# stat_args PATH...: process.args that print, for each PATH inside the
# container, `stat: PATH TYPE MAJOR:MINOR MODE UID:GID` (major and minor in
# hex, as busybox stat gives them).
stat_args() {
    local script="" p
    for p in "$@"; do
        script+="stat -c 'stat: %n %F %t:%T %a %u:%g' $p && "
    done
    set_args /bin/sh -c "${script}true"
}

# is_root: the mode runs burrow as root.
is_root() {
    [ "$(id -u)" -eq 0 ]
}

# root_userns_config: as root, a new user namespace needs explicit mappings.
root_userns_config() {
    cfg '.linux.namespaces += [{"type": "user"}]
         | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
         | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# --- linux.devices ---------------------------------------------------------------

# Devices listed in the config are there, with the default ones among them
# (/dev/null, /dev/zero) and one the defaults lack (/dev/fuse); as root they
# are made with mknod, rootless they are the host's nodes bound.
test_devices_default_and_extra() {
    [ -c /dev/fuse ] || skip "this host has no /dev/fuse"
    make_bundle
    devices '[{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438},
              {"path": "/dev/zero", "type": "c", "major": 1, "minor": 5, "fileMode": 438},
              {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
    stat_args /dev/null /dev/zero /dev/fuse /dev/full
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    # Rootless, the host's nodes belong to its root: unmapped, `nobody`.
    local own=0:0
    is_root || own=65534:65534
    assert_stdout_line "stat: /dev/null character special file 1:3 666 $own"
    assert_stdout_line "stat: /dev/zero character special file 1:5 666 $own"
    assert_stdout_line "stat: /dev/full character special file 1:7 666 $own"
    # The host's /dev/fuse (its mode may be what the test runner set).
    assert_match "$stdout" $'(^|\n)stat: /dev/fuse character special file a:e5 '
    assert_nothing_left "$CID"
}

# As root: every type, fileMode, uid and gid exactly as given, in a
# directory that did not exist, and a node over a default device's path.
# modes: root
test_devices_root_mknod_all_types() {
    make_bundle
    devices '[{"path": "/dev/mydev", "type": "c", "major": 1, "minor": 7, "fileMode": 416,
               "uid": 1, "gid": 2},
              {"path": "/dev/unbuf", "type": "u", "major": 1, "minor": 8},
              {"path": "/dev/sub/dir/blk", "type": "b", "major": 7, "minor": 3, "fileMode": 384},
              {"path": "/dev/myfifo", "type": "p", "fileMode": 420, "uid": 3, "gid": 4},
              {"path": "/dev/tty", "type": "c", "major": 1, "minor": 9, "fileMode": 420},
              {"path": "/dev/ptmx", "type": "c", "major": 5, "minor": 2, "fileMode": 438}]'
    stat_args /dev/mydev /dev/unbuf /dev/sub/dir/blk /dev/myfifo /dev/tty /dev/ptmx
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "stat: /dev/mydev character special file 1:7 640 1:2"
    assert_stdout_line "stat: /dev/unbuf character special file 1:8 666 0:0"
    assert_stdout_line "stat: /dev/sub/dir/blk block special file 7:3 600 0:0"
    assert_stdout_line "stat: /dev/myfifo fifo 0:0 644 3:4"
    assert_stdout_line "stat: /dev/tty character special file 1:9 644 0:0"
    assert_stdout_line "stat: /dev/ptmx character special file 5:2 666 0:0"
    assert_nothing_left "$CID"
}

# As root with a user namespace mknod is refused too: the host's nodes are
# bound, the defaults among them listed without conflict.
# modes: root
test_devices_root_userns_bound() {
    [ -c /dev/net/tun ] || skip "this host has no /dev/net/tun"
    make_bundle
    root_userns_config
    devices '[{"path": "/dev/null", "type": "c", "major": 1, "minor": 3},
              {"path": "/dev/full", "type": "c", "major": 1, "minor": 7, "fileMode": 384},
              {"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200},
              {"path": "/dev/myfifo", "type": "p", "fileMode": 384, "uid": 1, "gid": 2}]'
    stat_args /dev/null /dev/full /dev/net/tun /dev/myfifo
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "stat: /dev/null character special file 1:3 666 65534:65534"
    # The host's mode, not fileMode: a bound node cannot be changed.
    assert_stdout_line "stat: /dev/full character special file 1:7 $(stat -c %a /dev/full) 65534:65534"
    assert_match "$stdout" $'(^|\n)stat: /dev/net/tun character special file a:c8 '
    assert_stdout_line "stat: /dev/myfifo fifo 0:0 600 1:2"
    assert_nothing_left "$CID"
}

# The device works: reading the configured /dev/zero and writing /dev/full.
test_devices_usable() {
    make_bundle
    devices '[{"path": "/dev/myzero", "type": "c", "major": 1, "minor": 5},
              {"path": "/dev/myfifo", "type": "p"}]'
    is_root || devices '[{"path": "/dev/zero", "type": "c", "major": 1, "minor": 5},
                         {"path": "/dev/myfifo", "type": "p"}]'
    local z=/dev/myzero
    is_root || z=/dev/zero
    set_args /bin/sh -c "head -c 4 $z | od -An -tx1 && stat -c 'fifo: %F %u:%g' /dev/myfifo"
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line " 00 00 00 00"
    assert_stdout_line "fifo: fifo 0:0"
    assert_nothing_left "$CID"
}

# In a user namespace (rootless, or root with a user namespace) a device the
# host lacks cannot be made: a clear error before anything exists.
test_devices_userns_host_missing() {
    make_bundle
    is_root && root_userns_config
    devices '[{"path": "/dev/null", "type": "c", "major": 1, "minor": 3},
              {"path": "/dev/burrow-no-such-device", "type": "c", "major": 1, "minor": 3}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.devices[1]: `/dev/burrow-no-such-device`: no such device on the host; in a user namespace device nodes cannot be created'
    assert_nothing_left "$CID"
}

# In a user namespace the host's node must be the configured device.
test_devices_userns_host_differs() {
    make_bundle
    is_root && root_userns_config
    devices '[{"path": "/dev/null", "type": "c", "major": 1, "minor": 5}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.devices[0]: `/dev/null`: the host'"'"'s is a character device 1:3, not a character device 1:5 as configured'
    assert_nothing_left "$CID"
    devices '[{"path": "/dev/null", "type": "b", "major": 1, "minor": 3}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'is a character device 1:3, not a block device 1:3 as configured'
    assert_nothing_left "$CID"
}

# A path that is a directory in the rootfs cannot become a device.
# modes: root
test_devices_on_directory() {
    make_bundle
    devices '[{"path": "/tmp", "type": "c", "major": 1, "minor": 3}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.devices[0]: `/tmp` is a directory in the rootfs'
    assert_nothing_left "$CID"
}

# --- linux.sysctl ----------------------------------------------------------------

# ns_add TYPE...: add a new namespace of each TYPE to linux.namespaces, if
# the config lacks one.
ns_add() {
    local t
    for t in "$@"; do
        cfg 'if any(.linux.namespaces[]; .type == $t) then . else .linux.namespaces += [{"type": $t}] end' \
            --arg t "$t"
    done
}

# Namespaced sysctls of each kind are set in the container (read back from
# its /proc/sys, which readonlyPaths makes read-only), the host's untouched;
# kernel.hostname is applied after `hostname`, as the last word.
test_sysctl_namespaced() {
    make_bundle
    ns_add ipc network uts
    cfg '.hostname = "box"
         | .linux.sysctl = {"kernel.shmmax": "123456789", "kernel.msgmax": "4321",
                            "kernel.sem": "250 32000 32 77", "fs/mqueue/queues_max": "77",
                            "net.ipv4.ip_forward": "1", "net.ipv4.ping_group_range": "0 0",
                            "kernel.hostname": "sysbox"}'
    local host_shmmax host_fwd
    host_shmmax=$(cat /proc/sys/kernel/shmmax)
    host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
    payload_args cat /proc/sys/kernel/shmmax -- cat /proc/sys/kernel/msgmax \
        -- cat /proc/sys/kernel/sem -- cat /proc/sys/fs/mqueue/queues_max \
        -- cat /proc/sys/net/ipv4/ip_forward -- cat /proc/sys/net/ipv4/ping_group_range \
        -- hostname -- writable /proc/sys/kernel/shmmax
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "123456789"
    assert_stdout_line "4321"
    assert_match "$stdout" $'(^|\n)250\t32000\t32\t77(\n|$)'
    assert_stdout_line "77"
    assert_stdout_line "1"
    assert_match "$stdout" $'(^|\n)0\t0(\n|$)'
    assert_stdout_line "hostname: sysbox"
    assert_stdout_line "writable: /proc/sys/kernel/shmmax no (EROFS)"
    assert_eq "$(cat /proc/sys/kernel/shmmax)" "$host_shmmax" "the host's kernel.shmmax"
    assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "the host's net.ipv4.ip_forward"
    assert_nothing_left "$CID"
}

# A sysctl that no namespace holds would change the host: refused at create,
# before anything exists.
test_sysctl_not_namespaced() {
    make_bundle
    local k
    for k in vm.swappiness kernel.pid_max user.max_user_namespaces; do
        cfg '.linux.sysctl = {($k): "1"}' --arg k "$k"
        bw create --bundle "$BUNDLE" "$CID"
        assert_status 1
        assert_stderr_contains "config.json: linux.sysctl[\"$k\"]: not a namespaced sysctl: setting it would change the host"
        assert_nothing_left "$CID"
    done
}

# A namespaced sysctl without a new namespace of its kind is refused too,
# whether the namespace is the host's or joined by path.
test_sysctl_namespace_not_new() {
    make_bundle
    cfg '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))
         | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.sysctl["net.ipv4.ip_forward"]: needs a new network namespace (add {"type": "network"} to linux.namespaces)'
    assert_nothing_left "$CID"
    cfg '.linux.sysctl = {"kernel.shmmax": "1"} | .linux.namespaces += [{"type": "ipc", "path": "/proc/self/ns/ipc"}]'
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.sysctl["kernel.shmmax"]: the ipc namespace joined (`/proc/self/ns/ipc`) is the host'"'"'s: setting it would change the host'
    assert_nothing_left "$CID"
    cfg '.linux.sysctl = {"kernel.domainname": "x"} | .linux.namespaces |= map(select(.type != "uts")) | del(.hostname)'
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.sysctl["kernel.domainname"]: needs a new uts namespace'
    assert_nothing_left "$CID"
}

# A network namespace joined by path that is not the host's takes the
# sysctls (Podman gives the one it made this way, with its default
# net.ipv4.ping_group_range): a second container in the first one's.
test_sysctl_joined_namespace() {
    make_bundle
    cfg 'del(.linux.seccomp) | .linux.namespaces |= map(select(.type != "network")) + [{"type":"network"}]'
    payload_args echo ready -- sleep 60
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "ready"
    get_pid "$CID"
    local first=$pid cid2
    cid2=$(new_cid)
    make_bundle "$T/bundle2"
    cfg '.linux.namespaces |= map(select(.type != "network"))
         | .linux.namespaces += [{"type":"network","path":"/proc/\($p)/ns/net"}]
         | .linux.sysctl = {"net.ipv4.ping_group_range": "0 0"}' --arg p "$first"
    if [ "$(id -u)" -ne 0 ]; then
        cfg '.linux.namespaces |= map(select(.type != "user"))
             | .linux.namespaces += [{"type":"user","path":"/proc/\($p)/ns/user"}]
             | del(.linux.uidMappings) | del(.linux.gidMappings)' --arg p "$first"
    fi
    payload_args cat /proc/sys/net/ipv4/ping_group_range
    bw run --bundle "$BUNDLE" "$cid2"
    assert_success
    assert_stdout_contains $'0\t0'
    # The host's is untouched.
    assert_ne "$(tr -s '\t ' ' ' </proc/sys/net/ipv4/ping_group_range)" "0 0" "the host's ping_group_range"
    bw kill "$CID" KILL
    bw_wait
    assert_nothing_left
}

# A namespaced name the kernel does not have fails in the container, named.
test_sysctl_no_such_key() {
    make_bundle
    ns_add network
    cfg '.linux.sysctl = {"net.ipv4.burrow_no_such": "1"}'
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.sysctl["net.ipv4.burrow_no_such"]: no such sysctl (`/proc/sys/net/ipv4/burrow_no_such`) in the container'
    assert_nothing_left "$CID"
    cfg '.linux.sysctl = {"kernel.shmmax": "not-a-number"}'
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.sysctl["kernel.shmmax"]: write "not-a-number" to `/proc/sys/kernel/shmmax`: Invalid argument'
    assert_nothing_left "$CID"
}

# --- linux.timeOffsets -----------------------------------------------------------

# The container's CLOCK_MONOTONIC and CLOCK_BOOTTIME (and /proc/uptime) are
# the host's plus the offsets.
test_time_offsets() {
    make_bundle
    ns_add time
    cfg '.linux.timeOffsets = {"monotonic": {"secs": 864000, "nanosecs": 0},
                               "boottime": {"secs": 1728000, "nanosecs": 500000000}}'
    payload_args clocks -- cat /proc/uptime
    local before after mono boot up
    before=$("$PAYLOAD" clocks)
    bw run --bundle "$BUNDLE" "$CID"
    after=$("$PAYLOAD" clocks)
    assert_success
    mono=$(sed -n 's/^clock: monotonic //p' <<<"$stdout")
    boot=$(sed -n 's/^clock: boottime //p' <<<"$stdout")
    up=$(awk 'NR == 3 { print int($1) }' <<<"$stdout")
    local hm0 hm1 hb0 hb1
    hm0=$(sed -n 's/^clock: monotonic //p' <<<"$before")
    hm1=$(sed -n 's/^clock: monotonic //p' <<<"$after")
    hb0=$(sed -n 's/^clock: boottime //p' <<<"$before")
    hb1=$(sed -n 's/^clock: boottime //p' <<<"$after")
    [ "$mono" -ge $((hm0 + 864000)) ] && [ "$mono" -le $((hm1 + 864000)) ] ||
        fail "monotonic $mono inside, host's $hm0..$hm1: not shifted by 864000 s"
    [ "$boot" -ge $((hb0 + 1728000)) ] && [ "$boot" -le $((hb1 + 1728001)) ] ||
        fail "boottime $boot inside, host's $hb0..$hb1: not shifted by 1728000.5 s"
    [ "$up" -ge $((hb0 + 1728000)) ] && [ "$up" -le $((hb1 + 1728001)) ] ||
        fail "/proc/uptime $up inside, host's boottime $hb0..$hb1: not shifted"
    assert_nothing_left "$CID"
}

# A time namespace without offsets has the host's clocks.
test_time_namespace_no_offsets() {
    make_bundle
    ns_add time
    payload_args clocks
    local before after mono
    before=$("$PAYLOAD" clocks | sed -n 's/^clock: monotonic //p')
    bw run --bundle "$BUNDLE" "$CID"
    after=$("$PAYLOAD" clocks | sed -n 's/^clock: monotonic //p')
    assert_success
    mono=$(sed -n 's/^clock: monotonic //p' <<<"$stdout")
    [ "$mono" -ge "$before" ] && [ "$mono" -le "$after" ] ||
        fail "monotonic $mono inside, host's $before..$after"
    assert_nothing_left "$CID"
}

# Offsets need a new time namespace: none, or one joined by path, is an error.
test_time_offsets_without_namespace() {
    make_bundle
    cfg '.linux.timeOffsets = {"monotonic": {"secs": 10}}'
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.timeOffsets: needs a new time namespace (add {"type": "time"} to linux.namespaces)'
    assert_nothing_left "$CID"
    cfg '.linux.namespaces += [{"type": "time", "path": "/proc/self/ns/time"}]'
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains 'config.json: linux.timeOffsets: needs a new time namespace (add {"type": "time"} to linux.namespaces)'
    assert_nothing_left "$CID"
}

# --- linux.rootfsPropagation -----------------------------------------------------

# root_optional_fields: the optional fields (shared:N, master:N, unbindable)
# of the container's root mount in the last output (its mountinfo).
root_optional_fields() {
    awk '$5 == "/" { line = "" ; for (i = 7; $i != "-"; i++) line = line " " $i } END { print line }' <<<"$stdout"
}

# Each propagation shows on the container's root mount: private has no peer
# and no master; slave (and the default, unset) never shares with the host.
# As root the rootfs is on a shared mount of the host, so that the slave is
# seen to have a master; rootless that cannot be arranged (nor is this
# host's / always shared), and slave shows only as not shared.
test_rootfs_propagation() {
    make_bundle
    if is_root; then
        mkdir "$T/rfs"
        trap 'umount "$T/rfs" 2>/dev/null || true' EXIT
        mount --bind "$ROOTFS" "$T/rfs"
        mount --make-shared "$T/rfs"
        cfg '.root.path = $r' --arg r "$T/rfs"
    fi
    payload_args cat /proc/self/mountinfo
    local p fields
    for p in shared slave private unbindable default; do
        if [ "$p" = default ]; then
            cfg 'del(.linux.rootfsPropagation)'
        else
            cfg '.linux.rootfsPropagation = $p' --arg p "$p"
        fi
        bw run --bundle "$BUNDLE" "$CID"
        assert_success
        fields=$(root_optional_fields)
        case $p in
        shared) assert_match "$fields" ' shared:[0-9]+' "optional fields of / ($p)" ;;
        slave | default)
            if is_root; then
                assert_match "$fields" '^ master:[0-9]+$' "optional fields of / ($p)"
            else
                assert_match "$fields" '^( master:[0-9]+)?$' "optional fields of / ($p)"
            fi
            ;;
        private) assert_eq "$fields" "" "optional fields of / ($p)" ;;
        unbindable) assert_eq "$fields" " unbindable" "optional fields of / ($p)" ;;
        esac
    done
    if is_root; then
        umount "$T/rfs"
    fi
    assert_nothing_left "$CID"
}

# --- idmapped mounts -------------------------------------------------------------

# idmap_source: $T/src with `f` owned by 1234:1235, `sub/g` by 5:6, and a
# submount on `sub` (a tmpfs, as root) holding `h` owned by 7:8.
idmap_source() {
    mkdir -p "$T/src/sub"
    touch "$T/src/f" "$T/src/sub/g"
    chown 1234:1235 "$T/src/f"
    chown 5:6 "$T/src/sub/g"
    chmod 0777 "$T/src"
}

# stat_owner_args PATH...: process.args printing `owner: PATH UID:GID`.
stat_owner_args() {
    local script="" p
    for p in "$@"; do
        script+="stat -c 'owner: %n %u:%g' $p && "
    done
    set_args /bin/sh -c "${script}true"
}

# As root without a user namespace: a file owned by containerID on the
# source shows as hostID; ids outside the mapping show as nobody.
# modes: root
test_idmap_mount_explicit() {
    make_bundle
    idmap_source
    cfg '.mounts += [{"destination": "/run", "type": "bind", "source": $s,
                      "options": ["bind", "idmap"],
                      "uidMappings": [{"containerID": 1234, "hostID": 42, "size": 1}],
                      "gidMappings": [{"containerID": 1235, "hostID": 43, "size": 1}]}]' \
        --arg s "$T/src"
    stat_owner_args /run/f /run/sub/g
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "owner: /run/f 42:43"
    assert_stdout_line "owner: /run/sub/g 65534:65534"
    # The source itself is unchanged.
    assert_eq "$(stat -c %u:%g "$T/src/f")" "1234:1235" "the owner of the source file"
    assert_nothing_left "$CID"
}

# As root with a user namespace: "idmap" without mappings uses the
# container's, so the host's files show with their own ids inside and a file
# the container's root creates belongs to the host's root; explicit mappings
# name host ids; "ridmap" maps the submounts of an rbind, "idmap" only the
# top; other options (ro) still apply.
# modes: root
test_idmap_mount_userns() {
    make_bundle
    root_userns_config
    idmap_source
    mkdir -p "$T/src2/sub"
    mount -t tmpfs tmpfs "$T/src2/sub"
    trap 'umount "$T/src2/sub" 2>/dev/null || true' EXIT
    touch "$T/src2/top" "$T/src2/sub/h"
    chown 3:4 "$T/src2/top"
    chown 7:8 "$T/src2/sub/h"
    cfg '.mounts += [{"destination": "/run", "type": "bind", "source": $s, "options": ["bind", "idmap"]},
                     {"destination": "/home/user", "type": "bind", "source": $s,
                      "options": ["bind", "idmap", "ro"],
                      "uidMappings": [{"containerID": 1234, "hostID": 100042, "size": 1}],
                      "gidMappings": [{"containerID": 1235, "hostID": 100043, "size": 1}]},
                     {"destination": "/var/tmp", "type": "bind", "source": $s2,
                      "options": ["rbind", "ridmap"]},
                     {"destination": "/root", "type": "bind", "source": $s2,
                      "options": ["rbind", "idmap"]}]' \
        --arg s "$T/src" --arg s2 "$T/src2"
    set_args /bin/sh -c "stat -c 'owner: %n %u:%g' /run/f /run/sub/g /home/user/f /var/tmp/top \
        /var/tmp/sub/h /root/top /root/sub/h && touch /run/new && echo made; touch /home/user/x"
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stdout_line "owner: /run/f 1234:1235"
    assert_stdout_line "owner: /run/sub/g 5:6"
    assert_stdout_line "owner: /home/user/f 42:43"
    assert_stdout_line "owner: /var/tmp/top 3:4"
    assert_stdout_line "owner: /var/tmp/sub/h 7:8"
    assert_stdout_line "owner: /root/top 3:4"
    # Not idmapped: the host's 7 is unmapped in the container.
    assert_stdout_line "owner: /root/sub/h 65534:65534"
    assert_stdout_line "made"
    assert_stderr_contains "touch: /home/user/x: Read-only file system"
    assert_eq "$(stat -c %u:%g "$T/src/new")" "0:0" "the owner of a file created through the mount"
    umount "$T/src2/sub"
    assert_nothing_left "$CID"
}

# Rootless, a host directory cannot be idmapped (the kernel wants
# CAP_SYS_ADMIN over its filesystem's owner, the host's root): a clear error
# naming the mount, before anything exists.
# modes: rootless nosubuid
test_idmap_mount_rootless_refused() {
    make_bundle
    mkdir "$T/src"
    cfg '.mounts += [{"destination": "/run", "type": "bind", "source": $s, "options": ["bind", "idmap"]}]' \
        --arg s "$T/src"
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    local n
    n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
    assert_stderr_contains "config.json: mounts[$n].options: idmapped mount of \`$T/src\` on \`/run\`: not permitted: rootless, burrow cannot clone a host mount, and idmapping a host filesystem needs CAP_SYS_ADMIN over its owner, the host's root: idmapped mounts of host directories need root"
    assert_nothing_left "$CID"
    # The same with mappings of one's own id (written without newuidmap).
    cfg '.mounts[-1].uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}]
         | .mounts[-1].gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}]' \
        --argjson u "$(id -u)" --argjson g "$(id -g)"
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "config.json: mounts[$n].uidMappings: idmapped mount of \`$T/src\` on \`/run\`: not permitted: rootless"
    assert_nothing_left "$CID"
}

# Rootless, a mapping of ids the user does not own is refused by newuidmap.
# modes: rootless nosubuid
test_idmap_mount_rootless_foreign_ids() {
    make_bundle
    mkdir "$T/src"
    cfg '.mounts += [{"destination": "/run", "type": "bind", "source": $s, "options": ["bind", "idmap"],
                      "uidMappings": [{"containerID": 0, "hostID": 0, "size": 1}],
                      "gidMappings": [{"containerID": 0, "hostID": 0, "size": 1}]}]' \
        --arg s "$T/src"
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    local n
    n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
    assert_stderr_contains "config.json: mounts[$n].uidMappings: idmapped mount of \`$T/src\` on \`/run\`: "
    assert_stderr_contains "newuidmap"
    assert_nothing_left "$CID"
}

# A filesystem without idmapped mounts (sysfs) is a clear error.
# modes: root
test_idmap_mount_unsupported_fs() {
    make_bundle
    cfg '.mounts += [{"destination": "/run", "type": "bind", "source": "/sys/kernel", "options": ["rbind", "idmap"],
                      "uidMappings": [{"containerID": 0, "hostID": $u, "size": 1}],
                      "gidMappings": [{"containerID": 0, "hostID": $g, "size": 1}]}]' \
        --argjson u "$(id -u)" --argjson g "$(id -g)"
    local n
    n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "config.json: mounts[$n].uidMappings: idmapped mount of \`/sys/kernel\` on \`/run\`: idmapping it failed: the filesystem of \`/sys/kernel\` does not support idmapped mounts"
    assert_nothing_left "$CID"
}

# burrow idmaps bind mounts only: idmap on another type is a clear error.
test_idmap_mount_not_bind() {
    make_bundle
    cfg '.mounts += [{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"],
                      "uidMappings": [{"containerID": 0, "hostID": $u, "size": 1}],
                      "gidMappings": [{"containerID": 0, "hostID": $g, "size": 1}]}]' \
        --argjson u "$(id -u)" --argjson g "$(id -g)"
    local n
    n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "config.json: mounts[$n].uidMappings: idmapped mounts are supported for bind mounts only (\`tmpfs\` on \`/run\`)"
    assert_nothing_left "$CID"
}
