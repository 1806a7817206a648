# shellcheck shell=bash disable=SC2154 # lib.sh sets status, stdout, ...
# vm-systemd: checks of the systemd test VM itself (tests/vm/vm-run.sh
# --systemd), run only there by tests/vm/stage.sh, as suite "vm-systemd":
# labels `vm-systemd/NAME [vm-systemd-root]` and `... [vm-systemd-rootless]`.
# They prove what the systemd cgroup manager's tests rely on: systemd is
# pid 1, its managers answer over their private sockets, and a Delegate=yes
# scope gets every controller (the user's, owned by the user).
# suite-modes: root rootless

# in_systemd_vm: skip unless this runs in the systemd VM.
in_systemd_vm() {
    [ "${BURROW_TEST_SYSTEMD:-}" = 1 ] || skip "not in the systemd VM (tests/vm/vm-run.sh --systemd): no BURROW_TEST_SYSTEMD"
}

# The manager of this mode's user answers: the system manager as root
# (/run/systemd/private, and the system bus), the user's own manager
# rootless (XDG_RUNTIME_DIR=/run/user/UID, set by the runner).
test_manager_reachable() {
    local user=()
    in_systemd_vm
    assert_eq "$(cat /proc/1/comm)" systemd "pid 1"
    if [ "$(id -u)" -eq 0 ]; then
        [ -S /run/systemd/private ] || fail "no socket /run/systemd/private"
        capture busctl --system status --no-pager org.freedesktop.systemd1
        assert_success
    else
        user=(--user)
        assert_eq "${XDG_RUNTIME_DIR:-}" "/run/user/$(id -u)" "XDG_RUNTIME_DIR"
        assert_eq "$(stat -c %u "$XDG_RUNTIME_DIR")" "$(id -u)" "owner of $XDG_RUNTIME_DIR"
        [ -S "$XDG_RUNTIME_DIR/systemd/private" ] || fail "no socket $XDG_RUNTIME_DIR/systemd/private"
    fi
    capture systemctl "${user[@]}" is-system-running
    assert_match "$stdout" '^(running|degraded)$' "systemctl ${user[*]} is-system-running"
}

# systemd-run --scope -p Delegate=yes: the command runs in a scope of its
# own, under system.slice as root and under the user's manager (app.slice)
# rootless, owned by the user, with memory, pids and cpu available; the
# scope is gone afterwards.
test_delegated_scope() {
    local user=() unit cg base
    in_systemd_vm
    [ "$(id -u)" -eq 0 ] || user=(--user)
    unit=burrow-smoke-$$.scope
    capture systemd-run "${user[@]}" --quiet --scope --unit="$unit" -p Delegate=yes \
        sh -c 'c=$(cat /proc/self/cgroup); c=/sys/fs/cgroup${c#0::}; echo "$c"; stat -c %u "$c" "$c/cgroup.procs" "$c/cgroup.subtree_control"; cat "$c/cgroup.controllers"'
    assert_success
    cg=$(sed -n 1p <<<"$stdout")
    if [ "$(id -u)" -eq 0 ]; then
        base=/sys/fs/cgroup/system.slice
    else
        base=/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service/app.slice
    fi
    assert_eq "$cg" "$base/$unit" "the scope's cgroup"
    assert_eq "$(sed -n 2,4p <<<"$stdout" | sort -u)" "$(id -u)" "owner of the scope's cgroup, cgroup.procs, cgroup.subtree_control"
    local c
    for c in memory pids cpu; do
        assert_match " $(sed -n 5p <<<"$stdout") " " $c " "cgroup.controllers of the scope"
    done
    wait_until 10 sh -c '[ ! -e "$1" ]' sh "$cg"
}
