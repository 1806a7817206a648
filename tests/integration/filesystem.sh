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
