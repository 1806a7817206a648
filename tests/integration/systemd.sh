# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# systemd: the systemd cgroup manager (src/cgroup/systemd.c).  The
# container's cgroup is a transient scope with Delegate=yes that systemd
# makes around the container's first process: the system manager as root,
# the user's own manager rootless.  Chosen by --systemd-cgroup, by a
# cgroupsPath "slice:prefix:name", or, rootless, when the caller's cgroup is
# not delegated and the user's manager answers.
#
# The tests that need systemd run in the systemd VM of tests/vm (systemd as
# pid 1, pure cgroup v2, the test users' managers running); on a host
# without systemd they say so and skip.  The errors of the cgroupsPath forms
# and of an unreachable manager run everywhere.
# suite-modes: root rootless

# --- helpers -------------------------------------------------------------------

# sd_ctl ARGS...: systemctl for this user's manager.
sd_ctl() {
    if [ "$(id -u)" -eq 0 ]; then systemctl "$@"; else systemctl --user "$@"; fi
}

# needs_systemd: skip unless this user's systemd manager answers.
needs_systemd() {
    if [ "$(id -u)" -eq 0 ]; then
        [ -S /run/systemd/private ] ||
            skip "needs systemd as pid 1 (runs in the systemd VM of tests/vm)"
    else
        [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -S "$XDG_RUNTIME_DIR/systemd/private" ] ||
            skip "needs this user's systemd manager (\$XDG_RUNTIME_DIR/systemd/private; runs in the systemd VM of tests/vm)"
    fi
}

# default_slice: where a scope goes without a slice in cgroupsPath.
default_slice() {
    if [ "$(id -u)" -eq 0 ]; then echo system.slice; else echo user.slice; fi
}

# scope_cgroup UNIT: the unit's cgroup below /sys/fs/cgroup ("" when none).
scope_cgroup() {
    sd_ctl show -p ControlGroup --value "$1" 2>/dev/null
}

# unit_gone UNIT: systemd no longer knows the unit.
unit_gone() {
    local s
    s=$(sd_ctl show -p LoadState --value "$1" 2>/dev/null)
    [ "$s" = not-found ] || [ -z "$s" ]
}

# --- the scope -----------------------------------------------------------------

# --systemd-cgroup: the init is in burrow-ID.scope of the default slice,
# with Delegate=yes, its cgroup namespace rooted there; ps lists it, exec
# joins it; delete removes the scope and its cgroup.
test_scope() {
    needs_systemd
    make_bundle
    payload_args cat /proc/self/cgroup -- wait-signal 60
    bw_bg --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    wait_until 30 file_has_line "$bg_out" "wait-signal: ready"
    get_pid "$CID"
    local unit="burrow-$CID.scope" cg
    cg=$(scope_cgroup "$unit")
    assert_match "$cg" "/$(default_slice)/$unit\$"
    grep -qx "$pid" "/sys/fs/cgroup$cg/cgroup.procs" ||
        fail "pid $pid not in the scope's cgroup.procs: $(cat "/sys/fs/cgroup$cg/cgroup.procs")"
    assert_eq "$(sd_ctl show -p Delegate --value "$unit")" yes "Delegate of $unit"
    file_has_line "$bg_out" "0::/" || fail "the container's /proc/self/cgroup is not its namespace's root: $(cat "$bg_out")"
    bw ps --format json "$CID"
    assert_success
    assert_eq "$stdout" "[$pid]" "ps: the scope's processes"
    # exec joins the scope
    bw exec "$CID" /bin/payload cat /proc/self/cgroup
    assert_success
    assert_stdout_eq "0::/"
    bw delete --force "$CID"
    assert_success
    bw_wait
    wait_until 10 unit_gone "$unit"
    assert_file_missing "/sys/fs/cgroup$cg"
    assert_nothing_left
}

# cgroupsPath "slice:prefix:name" selects systemd without the flag: the
# scope is prefix-name.scope in that slice (made on demand).
test_cgroups_path_slice() {
    needs_systemd
    make_bundle
    cfg '.linux.cgroupsPath = $p | .linux.namespaces |= map(select(.type != "cgroup"))' \
        --arg p "burrowtest.slice:bt:$CID"
    payload_args cat /proc/self/cgroup
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_match "$stdout" "^0::/(.*/)?burrowtest.slice/bt-$CID.scope\$"
    wait_until 10 unit_gone "bt-$CID.scope"
    assert_nothing_left
}

# The limits are in the scope's files and in systemd's properties, so that
# a daemon-reload keeps them; update changes both.
test_limits_and_update() {
    needs_systemd
    make_bundle
    cfg '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 64}}'
    payload_args cat /sys/fs/cgroup/memory.max -- cat /sys/fs/cgroup/pids.max -- wait-signal 60
    bw_bg --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    wait_until 30 file_has_line "$bg_out" "wait-signal: ready"
    local unit="burrow-$CID.scope" cg
    cg=/sys/fs/cgroup$(scope_cgroup "$unit")
    file_has_line "$bg_out" 67108864 || fail "memory.max inside: $(cat "$bg_out")"
    file_has_line "$bg_out" 64 || fail "pids.max inside: $(cat "$bg_out")"
    assert_eq "$(sd_ctl show -p MemoryMax --value "$unit")" 67108864 "MemoryMax"
    assert_eq "$(sd_ctl show -p TasksMax --value "$unit")" 64 "TasksMax"
    bw update --memory 134217728 --pids-limit 99 "$CID"
    assert_success
    assert_eq "$(cat "$cg/memory.max")" 134217728 "memory.max after update"
    assert_eq "$(sd_ctl show -p MemoryMax --value "$unit")" 134217728 "MemoryMax after update"
    # systemd writes its properties again at a reload: they are ours
    sd_ctl daemon-reload
    assert_eq "$(cat "$cg/memory.max")" 134217728 "memory.max after daemon-reload"
    assert_eq "$(cat "$cg/pids.max")" 99 "pids.max after daemon-reload"
    bw delete --force "$CID"
    assert_success
    bw_wait
    wait_until 10 unit_gone "$unit"
    assert_nothing_left
}

# pause and resume freeze the scope.
test_pause_resume() {
    needs_systemd
    make_bundle
    set_args /bin/sh -c 'i=0; while :; do i=$((i+1)); echo "$i"; sleep 0.05; done'
    bw_bg --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    wait_until 30 eval '[ "$(wc -l <"$bg_out")" -ge 3 ]'
    local cg
    cg=/sys/fs/cgroup$(scope_cgroup "burrow-$CID.scope")
    bw pause "$CID"
    assert_success
    assert_state "$CID" paused
    assert_eq "$(sed -n 's/^frozen //p' "$cg/cgroup.events")" 1 "cgroup.events frozen"
    local n1 n2
    n1=$(wc -l <"$bg_out")
    sleep 0.5
    n2=$(wc -l <"$bg_out")
    assert_eq "$n2" "$n1" "lines printed while paused"
    bw resume "$CID"
    assert_success
    wait_until 10 eval '[ "$(wc -l <"$bg_out")" -gt '"$n2"' ]'
    bw delete --force "$CID"
    assert_success
    bw_wait
    wait_until 10 unit_gone "burrow-$CID.scope"
    assert_nothing_left
}

# The init killed from outside: delete still removes the scope.
test_init_killed() {
    needs_systemd
    make_bundle
    payload_args wait-signal 60
    bw --systemd-cgroup create --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    kill -9 "$pid"
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_success
    wait_until 10 unit_gone "burrow-$CID.scope"
    assert_nothing_left
}

# A unit of that name exists already: systemd refuses, the running
# container keeps its scope, the second create leaves nothing.
test_unit_exists() {
    needs_systemd
    make_bundle
    payload_args wait-signal 60
    cfg '.linux.cgroupsPath = $p' --arg p ":bt:$CID"
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    local first=$CID second
    second=$(new_cid)
    bw create --bundle "$BUNDLE" "$second"
    assert_status 1
    assert_stderr_contains "create container \`$second\`: systemd refused to start scope \`bt-$first.scope\` in \`$(default_slice)\`: "
    assert_stderr_contains "(org.freedesktop.systemd1.UnitExists)"
    assert_stderr_not_contains "File exists"
    # (the first container runs on: only the second's state is checked here)
    assert_file_missing "$BW_ROOT/$second"
    assert_eq "$(sd_ctl show -p ActiveState --value "bt-$first.scope")" active "the first container's scope"
    bw delete --force "$first"
    assert_success
    wait_until 10 unit_gone "bt-$first.scope"
    assert_nothing_left
}

# A create that fails after systemd made the scope stops it again.
test_failed_create_stops_scope() {
    needs_systemd
    make_bundle
    payload_args true
    cfg '.hooks.createRuntime = [{"path": "/bin/false"}]'
    bw --systemd-cgroup create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "createRuntime"
    wait_until 10 unit_gone "burrow-$CID.scope"
    assert_nothing_left
}

# Rootless, from a cgroup that is root's (a login session's, say), with
# no flag: the user's manager makes the scope.  As systemd's own
# user@.service does not own the caller's process, it asks the system
# manager to move it (over the system bus).
# modes: root
test_rootless_implicit() {
    [ -S /run/systemd/private ] || skip "needs systemd as pid 1 (runs in the systemd VM of tests/vm)"
    [ -S /run/dbus/system_bus_socket ] ||
        skip "needs the system bus (the user's manager asks the system manager over it to move a process it does not own)"
    local user=burrowtest uid
    id "$user" >/dev/null 2>&1 || skip "needs the user $user (tests/run-all.sh creates it)"
    uid=$(id -u "$user")
    [ -S "/run/user/$uid/systemd/private" ] || skip "needs $user's systemd manager running"
    local notmine=/sys/fs/cgroup/burrow-notmine-$CID
    mkdir "$notmine"
    mkdir -p "$T/ustate"
    chown "$user:" "$T/ustate"
    chmod 755 "$T"
    mkdir "$T/ubundle"
    bw spec --rootless --bundle "$T/ubundle"
    jq --arg r "$ROOTFS" 'del(.linux.uidMappings, .linux.gidMappings) | .root.path = $r | .process.terminal = false | .process.args = ["/bin/cat", "/proc/self/cgroup"] | .linux.namespaces |= map(select(.type != "cgroup"))' \
        "$T/ubundle/config.json" >"$T/ubundle/c" && mv "$T/ubundle/c" "$T/ubundle/config.json"
    chmod -R a+rX "$T/ubundle"
    capture bash -c 'echo $$ >"$1/cgroup.procs" && exec setpriv --reuid="$2" --regid="$(id -g "$2")" --init-groups env -i PATH="$PATH" HOME=/ XDG_RUNTIME_DIR="/run/user/$3" "$4" --root "$5" --debug run --bundle "$6" "$7"' \
        bash "$notmine" "$user" "$uid" "$BURROW" "$T/ustate" "$T/ubundle" "$CID"
    assert_success
    assert_stderr_contains "is not delegated to this user"
    assert_stderr_contains "the systemd user manager makes scope \`burrow-$CID.scope\`"
    assert_match "$stdout" "^0::/user.slice/user-$uid.slice/user@$uid.service/user.slice/burrow-$CID.scope\$"
    wait_until 5 rmdir "$notmine"
    assert_nothing_left
}

# --- errors ------------------------------------------------------------------------

# The systemd forms of cgroupsPath are checked before anything is made.
test_cgroups_path_errors() {
    make_bundle
    payload_args true
    cfg '.linux.cgroupsPath = "machine:bt:x"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "run container \`$CID\`: config.json: linux.cgroupsPath \`machine:bt:x\`: \`machine\` is not a slice (a name ending in \".slice\")"
    assert_nothing_left
    cfg '.linux.cgroupsPath = "machine.slice:bt:"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "config.json: linux.cgroupsPath \`machine.slice:bt:\`: the name after the second \":\" is missing"
    assert_nothing_left
    cfg '.linux.cgroupsPath = "machine.slice:bt:x.slice"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "a slice as the container's own unit is not supported"
    assert_nothing_left
    cfg '.linux.cgroupsPath = "/a/plain/path"'
    bw --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "config.json: linux.cgroupsPath \`/a/plain/path\`: with --systemd-cgroup it must be \"slice:prefix:name\""
    assert_nothing_left
}

# --systemd-cgroup (or a "slice:prefix:name" cgroupsPath) asks for systemd
# explicitly: without a reachable systemd it is an error saying so, never a
# silent fallback; nothing is left.
test_systemd_unreachable() {
    if [ "$(id -u)" -eq 0 ]; then
        [ ! -S /run/systemd/private ] || skip "systemd is running here"
    else
        [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -S "$XDG_RUNTIME_DIR/systemd/private" ] ||
            skip "this user's systemd manager is running here"
    fi
    grep -q ' - cgroup2 ' /proc/self/mountinfo || skip "needs a cgroup2 hierarchy"
    make_bundle
    payload_args echo hi
    bw --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "run container \`$CID\`: --systemd-cgroup: the systemd cgroup manager is not reachable"
    assert_stderr_contains "drop --systemd-cgroup"
    assert_nothing_left
    cfg '.linux.cgroupsPath = $p' --arg p "system.slice:burrow:$CID"
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "linux.cgroupsPath: the systemd cgroup manager is not reachable"
    assert_nothing_left
}
