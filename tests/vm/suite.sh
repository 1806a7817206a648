# shellcheck shell=bash disable=SC2154 # lib.sh sets status, stdout, ...
# vm: checks of the cgroup v2 test VM itself (tests/vm/), run only in the VM
# by tests/vm/stage.sh, as suite "vm": labels `vm/NAME [vm-root]` and
# `vm/NAME [vm-rootless]`.  They prove what the cgroup suite relies on:
# pure cgroup v2, a systemd-style delegation to the test user, and burrow
# running there.
# suite-modes: root rootless

# own_cgroup: set $own to this process's cgroup directory (pure v2: one
# `0::/PATH` line).
own_cgroup() {
    local line
    line=$(cat /proc/self/cgroup)
    assert_match "$line" '^0::/' "/proc/self/cgroup (one cgroup2 line)"
    own=/sys/fs/cgroup${line#0::}
    own=${own%/}
}

# cgroup2 is the only hierarchy: one cgroup2 mount, no cgroup (v1) one, and
# the kernel refuses to mount v1 (cgroup_no_v1=all).
test_cgroup2_only() {
    capture awk '$3 == "cgroup" || $3 == "cgroup2" { print $3, $2 }' /proc/self/mounts
    assert_stdout_eq "cgroup2 /sys/fs/cgroup"
    capture cat /proc/self/cgroup
    assert_match "$stdout" '^0::/[^'$'\n'']*$' "/proc/self/cgroup"
    if [ "$(id -u)" -eq 0 ]; then
        mkdir "$T/v1"
        capture mount -t cgroup -o memory none "$T/v1"
        assert_failure
        umount "$T/v1" 2>/dev/null || true
    fi
}

# Each test starts in a cgroup of its own that the VM's init and the runner
# made for its user: for burrowtest, under user@UID.service, which it owns
# (as systemd delegates), with memory, pids and cpu available; root's under
# system.slice.
test_delegated_subtree() {
    local own deleg c f
    own_cgroup
    if [ "$(id -u)" -eq 0 ]; then
        assert_match "$own" '^/sys/fs/cgroup/system\.slice/burrow-tests\.service/run\.[0-9]+$' "root's test cgroup"
    else
        deleg=/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service
        assert_match "$own" "^$deleg/app\\.slice/burrow-tests\\.scope/run\\.[0-9]+\$" "the test cgroup"
        for f in "$deleg" "$deleg/cgroup.procs" "$deleg/cgroup.subtree_control" "$deleg/cgroup.threads" \
            "$own" "$own/cgroup.procs" "$own/cgroup.subtree_control"; do
            assert_eq "$(stat -c %u "$f")" "$(id -u)" "owner of $f"
        done
        # Not delegated: the limits of the delegated directory itself.
        assert_eq "$(stat -c %u "$deleg/memory.max")" 0 "owner of $deleg/memory.max"
        capture sh -c "echo 1M >$deleg/memory.max"
        assert_failure
        assert_stderr_contains "Permission denied"
    fi
    for c in memory pids cpu; do
        assert_match " $(cat "$own/cgroup.controllers") " " $c " "$own/cgroup.controllers"
    done
}

# The test user can make a cgroup next to its own, limit it and move a
# process there; the limit works (a fork beyond pids.max fails).
test_child_cgroup_limits() {
    local own child sleeper
    own_cgroup
    child=$(dirname "$own")/vm-test-$$
    mkdir "$child"
    echo 32M >"$child/memory.max"
    assert_eq "$(cat "$child/memory.max")" 33554432 "memory.max"
    echo 2 >"$child/pids.max"
    echo "50000 100000" >"$child/cpu.max"
    sh -c 'echo $$ >"$1/cgroup.procs" && exec sleep 30' sh "$child" &
    sleeper=$!
    wait_until 10 grep -qx "$sleeper" "$child/cgroup.procs"
    capture sh -c 'echo $$ >"$1/cgroup.procs" || exit 9; sleep 0 & sleep 0 & wait' sh "$child"
    assert_ne "$status" 9 "status of the shell moving itself into $child"
    kill "$sleeper"
    wait "$sleeper" 2>/dev/null || true
    assert_match "$(cat "$child/pids.events")" 'max [1-9]' "pids.events after forks beyond pids.max"
    wait_until 10 sh -c '[ -z "$(cat "$1/cgroup.procs")" ]' sh "$child"
    rmdir "$child"
}

# A trivial container runs in the VM (rootless: newuidmap from the host's
# root over 9p, setuid).  Without the cgroup mount: rootless, burrow binds
# the host's /sys (no network namespace of its own), whose /sys/fs/cgroup is
# then the same cgroup2 superblock, and mounting cgroup2 over it fails with
# EBUSY (the cgroup suite's business).
test_burrow_run() {
    make_bundle
    cfg 'del(.mounts[] | select(.destination == "/sys/fs/cgroup"))'
    payload_args ids -- echo in-vm
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "uid: 0"
    assert_stdout_line "in-vm"
    assert_nothing_left "$CID"
}

# End to end: linux.resources.pids.limit reaches the container's cgroup's
# pids.max (skipped while burrow only warns that it does not apply it).
test_pids_limit_applied() {
    make_bundle
    cfg '.linux.resources.pids.limit = 12'
    cfg 'del(.mounts[] | select(.destination == "/sys/fs/cgroup"))'
    payload_args wait-signal 30
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    if [[ $stderr == *"not applied"* ]]; then
        skip "burrow does not apply linux.resources yet: $stderr"
    fi
    get_pid "$CID"
    local line
    line=$(cat "/proc/$pid/cgroup")
    assert_match "$line" '^0::/' "/proc/$pid/cgroup"
    assert_eq "$(cat "/sys/fs/cgroup${line#0::}/pids.max")" 12 "pids.max of the container's cgroup"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left "$CID"
}
