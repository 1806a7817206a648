# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# cgroup: the container's cgroup v2 (src/cgroup/): where it is made, the
# process born in it, limits, pause/resume, kill --all, ps, update, events,
# delete, and the none manager's warnings where nothing is delegated.
#
# Runs on a hybrid host (cgroup2 at /sys/fs/cgroup/unified with no
# controllers: placement, freeze and kill work there) and in the pure
# cgroup v2 VM of tests/vm (controllers delegated to the rootless user as
# systemd does).  A test that needs what the host lacks says so and skips.
# suite-modes: root rootless

# --- helpers -------------------------------------------------------------------

# cg_mount: the cgroup2 mount burrow uses (/sys/fs/cgroup on a pure v2 host,
# the unified hierarchy of a hybrid one).
cg_mount() {
    local best='' mp
    while read -r mp; do
        case $mp in
        /sys/fs/cgroup) best=$mp ;;
        /sys/fs/cgroup/unified) [ "$best" = /sys/fs/cgroup ] || best=$mp ;;
        *) [ -n "$best" ] || best=$mp ;;
        esac
    done < <(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' /proc/self/mountinfo)
    printf '%s' "$best"
}

# cg_own: our cgroup below the mount ("/" for the root); where burrow puts
# a rootless container by default (the parent when we are in its leaf).
cg_own() {
    sed -n 's/^0:://p' /proc/self/cgroup
}
cg_base() {
    if [ "$(id -u)" -eq 0 ]; then
        printf '/'
        return
    fi
    local own
    own=$(cg_own)
    case $own in
    */burrow.leaf) own=${own%/burrow.leaf} ;;
    esac
    printf '%s' "${own:-/}"
}

# cg_dir [ID]: the host directory of the container's default cgroup.
cg_dir() {
    local base
    base=$(cg_base)
    [ "$base" != / ] || base=
    printf '%s%s/burrow-%s' "$(cg_mount)" "$base" "${1:-$CID}"
}

# needs_cgroup: skip unless burrow can make a cgroup here for this user.
needs_cgroup() {
    local mnt base
    mnt=$(cg_mount)
    [ -n "$mnt" ] || skip "needs a cgroup2 hierarchy (this host has cgroup v1 only)"
    base=$(cg_base)
    [ "$base" != / ] || base=
    [ -w "$mnt$base" ] && [ -w "$mnt$base/cgroup.procs" ] ||
        skip "needs a cgroup v2 subtree delegated to $(id -un) (its cgroup \`$mnt$base\` is root's): runs in the VM (tests/vm)"
}

# needs_controller NAME: skip unless NAME can be enabled for the container.
needs_controller() {
    needs_cgroup
    local base
    base=$(cg_base)
    [ "$base" != / ] || base=
    grep -qw "$1" "$(cg_mount)$base/cgroup.controllers" 2>/dev/null ||
        skip "needs the $1 controller delegated: runs in the VM (tests/vm)"
}

# counter_args: a process that prints a growing count, 20 a second.
counter_args() {
    set_args /bin/sh -c 'i=0; while :; do i=$((i+1)); echo "$i"; sleep 0.05; done'
}

# no_pidns: no pid namespace of its own (the processes of the container are
# then not ended by the end of its init); /proc becomes a bind of the host's,
# since a new proc needs a pid namespace rootless.
no_pidns() {
    cfg '.linux.namespaces |= map(select(.type != "pid"))
         | .mounts |= map(if .destination == "/proc"
                          then {"destination": "/proc", "type": "bind", "source": "/proc", "options": ["rbind", "nosuid", "nodev", "noexec"]}
                          else . end)'
}

lines_of() {
    wc -l <"$1"
}

# --- placement -------------------------------------------------------------------

# The init is in the container's own cgroup from its first instruction
# (clone3 CLONE_INTO_CGROUP): its pid in cgroup.procs, the cgroup namespace
# shows it as "/"; delete removes the cgroup.
test_placement() {
    needs_cgroup
    make_bundle
    payload_args cat /proc/self/cgroup -- wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    get_pid "$CID"
    local dir
    dir=$(cg_dir)
    assert_file_exists "$dir/cgroup.procs"
    grep -qx "$pid" "$dir/cgroup.procs" || fail "pid $pid not in $dir/cgroup.procs: $(cat "$dir/cgroup.procs")"
    file_has_line "$bg_out" "0::/" || fail "the container's /proc/self/cgroup is not its namespace's root: $(cat "$bg_out")"
    bw ps --format json "$CID"
    assert_success
    assert_eq "$stdout" "[$pid]" "ps: the cgroup's processes"
    bw delete --force "$CID"
    assert_success
    bw_wait
    assert_file_missing "$dir"
    assert_nothing_left
}

# Without a cgroup namespace the container sees its cgroup's full path.
test_placement_no_cgroupns() {
    needs_cgroup
    make_bundle
    cfg '.linux.namespaces |= map(select(.type != "cgroup"))'
    payload_args cat /proc/self/cgroup
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    local base
    base=$(cg_base)
    [ "$base" != / ] || base=
    assert_stdout_line "0::$base/burrow-$CID"
    assert_file_missing "$(cg_dir)"
    assert_nothing_left
}

# linux.cgroupsPath: relative (below the default place) and absolute (from
# the root of the hierarchy); the directories made for it go with delete.
test_cgroups_path() {
    needs_cgroup
    make_bundle
    local mnt base
    mnt=$(cg_mount)
    base=$(cg_base)
    [ "$base" != / ] || base=
    cfg '.linux.cgroupsPath = $p' --arg p "rel-$CID/ctr"
    payload_args cat /proc/self/cgroup -- wait-signal 30
    cfg '.linux.namespaces |= map(select(.type != "cgroup"))'
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    file_has_line "$bg_out" "0::$base/rel-$CID/ctr" || fail "not in the relative cgroupsPath: $(cat "$bg_out")"
    assert_file_exists "$mnt$base/rel-$CID/ctr/cgroup.procs"
    bw delete --force "$CID"
    assert_success
    bw_wait
    assert_file_missing "$mnt$base/rel-$CID"

    # absolute: the delegated subtree is at $base, so below it
    local id2
    id2=$(new_cid)
    cfg '.linux.cgroupsPath = $p' --arg p "$base/abs-$id2"
    payload_args cat /proc/self/cgroup
    bw run --bundle "$BUNDLE" "$id2"
    assert_success
    assert_stdout_line "0::$base/abs-$id2"
    assert_file_missing "$mnt$base/abs-$id2"
    assert_nothing_left
}

# An existing cgroup that has processes is someone else's: create refuses
# it, and neither kills them nor removes it (a failed create owns nothing).
test_cgroups_path_busy() {
    needs_cgroup
    make_bundle
    local mnt base dir pid
    mnt=$(cg_mount)
    base=$(cg_base)
    [ "$base" != / ] || base=
    dir=$mnt$base/busy-$CID
    mkdir "$dir"
    sleep 60 &
    pid=$!
    echo "$pid" >"$dir/cgroup.procs" || { kill "$pid"; rmdir "$dir"; fail "cannot move a process into $dir"; }
    cfg '.linux.cgroupsPath = $p' --arg p "$base/busy-$CID"
    payload_args echo hi
    bw run --bundle "$BUNDLE" "$CID"
    local st=$status
    local alive=yes
    kill -0 "$pid" 2>/dev/null || alive=no
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local present=no
    [ -d "$dir" ] && present=yes
    rmdir "$dir" 2>/dev/null || true
    status=$st
    assert_status 1
    assert_stderr_contains "cgroup \`$dir\` already exists and has processes: a container needs a cgroup of its own"
    assert_eq "$alive" yes "the process in the existing cgroup"
    assert_eq "$present" yes "the existing cgroup"
    assert_nothing_left
}

# A cgroupsPath with ".." is refused, naming the field; nothing is made.
# vm: no
test_cgroups_path_dotdot() {
    make_bundle
    cfg '.linux.cgroupsPath = $p' --arg p "a/../../$CID"
    payload_args echo hi
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "config.json: linux.cgroupsPath: \`a/../../$CID\`: \".\" and \"..\" are not allowed"
    assert_nothing_left
}

# exec's process joins the container's cgroup.
test_exec_joins_cgroup() {
    needs_cgroup
    make_bundle
    payload_args wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    bw exec "$CID" /bin/sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.procs 2>/dev/null | wc -l >/dev/null'
    assert_success
    assert_stdout_line "0::/"
    bw exec -d "$CID" /bin/sleep 30
    assert_success
    wait_until 5 eval '[ "$(wc -l <"$(cg_dir)/cgroup.procs")" -eq 2 ]'
    bw delete --force "$CID"
    assert_success
    bw_wait
    assert_nothing_left
}

# --- pause, resume, kill --all, delete ----------------------------------------------

# pause freezes every process (a counter stops moving), state says
# "paused", resume thaws it (the counter moves again).
test_pause_resume() {
    needs_cgroup
    make_bundle
    counter_args
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 eval '[ "$(lines_of "$bg_out")" -ge 3 ]'
    bw pause "$CID"
    assert_success
    assert_state "$CID" paused
    assert_eq "$(sed -n 's/^frozen //p' "$(cg_dir)/cgroup.events")" 1 "cgroup.events frozen"
    local n1 n2
    n1=$(lines_of "$bg_out")
    sleep 0.5
    n2=$(lines_of "$bg_out")
    assert_eq "$n2" "$n1" "lines printed while paused"
    bw pause "$CID"
    assert_status 1
    assert_stderr_contains "pause container \`$CID\`: it is paused: only a running container can be paused"
    bw resume "$CID"
    assert_success
    assert_state "$CID" running
    wait_until 5 eval '[ "$(lines_of "$bg_out")" -gt '"$n2"' ]'
    bw resume "$CID"
    assert_status 1
    assert_stderr_contains "resume container \`$CID\`: it is running, not paused"
    # a paused container is deleted with --force only
    bw pause "$CID"
    assert_success
    bw delete "$CID"
    assert_status 1
    assert_stderr_contains "it is paused: stop it first, or use \`delete --force\`"
    bw delete --force "$CID"
    assert_success
    bw_wait
    assert_file_missing "$(cg_dir)"
    assert_nothing_left
}

# kill --all reaches every process of the cgroup, also those a container
# without a pid namespace leaves behind (cgroup.kill for SIGKILL).
test_kill_all() {
    needs_cgroup
    make_bundle
    no_pidns
    set_args /bin/sh -c 'sleep 60 & sleep 60 & exec /bin/payload wait-signal 60'
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    local dir procs p
    dir=$(cg_dir)
    wait_until 5 eval '[ "$(wc -l <"'"$dir"'/cgroup.procs")" -eq 3 ]'
    procs=$(cat "$dir/cgroup.procs")
    bw ps --format json "$CID"
    assert_success
    assert_eq "$(jq -c 'sort' <<<"$stdout")" "$(sort -n <<<"$procs" | jq -sc .)" "ps --format json"
    bw kill --all "$CID" KILL
    assert_success
    for p in $procs; do
        wait_until 5 pid_reaped "$p"
    done
    wait_until 5 eval '[ ! -s "'"$dir"'/cgroup.procs" ]'
    bw delete "$CID"
    assert_success
    assert_file_missing "$dir"
    assert_nothing_left
}

# delete of a stopped container whose init left a process behind (no pid
# namespace): the cgroup is emptied, drained, and removed.
test_delete_drains() {
    needs_cgroup
    make_bundle
    no_pidns
    set_args /bin/sh -c 'sleep 60 >/dev/null 2>&1 & echo started'
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    wait_until 5 pid_reaped "$pid"
    local dir
    dir=$(cg_dir)
    wait_until 5 eval '[ "$(wc -l <"'"$dir"'/cgroup.procs")" -eq 1 ]'
    local left
    left=$(cat "$dir/cgroup.procs")
    assert_state "$CID" stopped
    bw delete "$CID"
    assert_success
    assert_file_missing "$dir"
    wait_until 5 pid_reaped "$left"
    assert_nothing_left
}

# --- events ------------------------------------------------------------------------

# events --stats prints one stats object in runc's shape; the stream prints
# one per interval and ends with the container, with an exit event.
test_events() {
    needs_cgroup
    make_bundle
    payload_args sleep 4
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    bw events --stats "$CID"
    assert_success
    jq -e --arg id "$CID" '.type == "stats" and .id == $id and (.data.cpu.usage.total | type == "number")' <<<"$stdout" >/dev/null ||
        fail "events --stats: not a stats event: $stdout"
    bw events --interval 200ms "$CID"
    assert_success
    local n
    n=$(jq -s 'map(select(.type == "stats")) | length' <<<"$stdout")
    [ "$n" -ge 2 ] || fail "events --interval 200ms printed $n stats events in 4 s"
    assert_eq "$(tail -n 1 <<<"$stdout" | jq -c .)" "{\"type\":\"exit\",\"id\":\"$CID\"}" "the last event"
    bw events --interval 0 "$CID"
    assert_status 1
    assert_stderr_contains "--interval: \`0\` is not a duration"
    bw delete "$CID"
    bw events --stats "$CID"
    assert_status 1
    assert_stderr_contains "\`$CID\` does not exist"
    assert_nothing_left
}

# --- limits ------------------------------------------------------------------------

# Limits land in the v2 files: memory.max, pids.max, cpu.max, cpu.weight
# (shares 1024 -> weight 39).
test_limits_written() {
    needs_controller memory
    needs_controller pids
    needs_controller cpu
    make_bundle
    cfg '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42},
                             "cpu": {"shares": 1024, "quota": 50000, "period": 100000}}'
    payload_args cat /sys/fs/cgroup/memory.max -- cat /sys/fs/cgroup/pids.max -- cat /sys/fs/cgroup/cpu.max -- cat /sys/fs/cgroup/cpu.weight
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq $'67108864\n42\n50000 100000\n39'
    assert_nothing_left
}

# A memory limit OOM-kills the process that exceeds it; events reports it.
# timeout: 90
test_memory_oom() {
    needs_controller memory
    make_bundle
    cfg '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
    set_args /bin/sh -c 'sleep 1; x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done'
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    bw events --interval 100ms "$CID"
    assert_success
    jq -se 'any(.[]; .type == "oom")' <<<"$stdout" >/dev/null || fail "no oom event: $(tail -c 300 <<<"$stdout")"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
}

# A pids limit stops a fork bomb: the forks beyond it fail, pids.events
# counts the refusals, and the count never passes the limit.
test_pids_limit() {
    needs_controller pids
    make_bundle
    cfg '.linux.resources = {"pids": {"limit": 8}}'
    # the subshell dies at its first failed fork; the init goes on
    set_args /bin/sh -c '(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & done; wait); exec /bin/payload wait-signal 30'
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 30 file_has_line "$bg_out" "wait-signal: ready"
    local dir
    dir=$(cg_dir)
    assert_match "$(cat "$dir/pids.events")" '^max [1-9]' "pids.events"
    local cur
    cur=$(cat "$dir/pids.current")
    [ "$cur" -ge 2 ] && [ "$cur" -le 8 ] || fail "pids.current is $cur, limit 8"
    bw delete --force "$CID"
    assert_success
    bw_wait
    assert_nothing_left
}

# cpu.max throttles a busy loop (cpu.stat nr_throttled).
test_cpu_throttled() {
    needs_controller cpu
    make_bundle
    cfg '.linux.resources = {"cpu": {"quota": 20000, "period": 100000}}'
    set_args /bin/sh -c 'end=$(($(date +%s) + 2)); while [ "$(date +%s)" -lt "$end" ]; do :; done; grep nr_throttled /sys/fs/cgroup/cpu.stat'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_match "$stdout" 'nr_throttled [1-9]' "cpu.stat"
    assert_nothing_left
}

# update changes a limit on a running container (runc's flags, and -r).
test_update() {
    needs_controller pids
    make_bundle
    payload_args wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    bw update --pids-limit 17 "$CID"
    assert_success
    assert_eq "$(cat "$(cg_dir)/pids.max")" 17 "pids.max after --pids-limit"
    echo '{"pids": {"limit": 23}}' >"$T/res.json"
    bw update -r "$T/res.json" "$CID"
    assert_success
    assert_eq "$(cat "$(cg_dir)/pids.max")" 23 "pids.max after -r"
    bw delete --force "$CID"
    bw_wait
    assert_nothing_left
}

# Where the host has a cgroup but not the controller, update says which
# limit cannot be applied, and changes nothing; as does a container with no
# cgroup at all.  Bad input is refused before anything.
test_update_errors() {
    make_bundle
    payload_args wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    local base
    base=$(cg_base)
    [ "$base" != / ] || base=
    if grep -qw memory "$(cg_mount)$base/cgroup.controllers" 2>/dev/null; then
        bw update --memory 64m "$CID"
        assert_success
        assert_eq "$(cat "$(cg_dir)/memory.max")" 67108864 "memory.max"
    else
        bw update --memory 64m "$CID"
        assert_status 1
        assert_stderr_contains "update container \`$CID\`: "
        assert_match "$stderr" "memory(\.limit)?: cannot be applied: " "the message"
    fi
    bw update --memory lots "$CID"
    assert_status 1
    assert_stderr_contains "update: --memory: \`lots\` is not a number"
    bw update "$CID"
    assert_status 1
    assert_stderr_contains "nothing to update: give --resources FILE or a limit flag"
    echo '{}' >"$T/none.json"
    bw update -r "$T/none.json" "$CID"
    assert_success
    echo '{"memory":' >"$T/broken.json"
    bw update -r "$T/broken.json" "$CID"
    assert_status 1
    assert_stderr_contains "syntax error"
    bw update --pids-limit 5 no-such-id
    assert_status 1
    assert_stderr_contains "\`no-such-id\` does not exist"
    assert_state "$CID" running
    bw delete --force "$CID"
    bw_wait
    assert_nothing_left
}

# unified: keys are files of the container's own cgroup; the files that move
# processes or control the subtree are refused, by name, and nothing is left.
test_unified_refused() {
    needs_cgroup
    make_bundle
    payload_args echo hi
    cfg '.linux.resources.unified = {"cgroup.procs": "1"}'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "linux.resources: unified[\"cgroup.procs\"]: not allowed: burrow manages this file itself"
    assert_nothing_left
    cfg '.linux.resources.unified = {"cgroup.max.depth": "3"}'
    payload_args wait-signal 30
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    assert_eq "$(cat "$(cg_dir)/cgroup.max.depth")" 3 "cgroup.max.depth"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
}

# --- where limits cannot be applied ----------------------------------------------------

# As root on a hybrid host (cgroup v2 without controllers) a limit is a
# warning naming it, since burrow writes cgroup v2 only (an error would
# refuse every engine's config there); the strictness annotation makes it
# an error, and then nothing is left, no cgroup directory either.
# modes: root
test_root_limit_unavailable() {
    local mnt
    mnt=$(cg_mount)
    [ -n "$mnt" ] || skip "needs a cgroup2 hierarchy"
    [ "$mnt" != /sys/fs/cgroup ] || skip "a pure cgroup v2 host: root is strict there"
    ! grep -qw memory "$mnt/cgroup.subtree_control" 2>/dev/null ||
        skip "the memory controller is available here: see test_limits_written"
    make_bundle
    cfg '.linux.resources = {"memory": {"limit": 67108864}}'
    payload_args echo hi
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq hi
    assert_stderr_contains "burrow: warning: config.json: linux.resources.memory.limit not applied: the memory controller is not available in cgroup \`/\`"
    cfg '.annotations["org.burrow.cgroups.strict"] = "true"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "run container \`$CID\`: config.json: linux.resources.memory.limit: cannot be applied: the memory controller is not available in cgroup \`/\`"
    assert_file_missing "$(cg_dir)"
    assert_nothing_left
}

# As root with no cgroup2 hierarchy (a private mount namespace without it):
# the container runs, a limit is a warning naming it, an error when strict.
# modes: root
test_root_no_cgroup2() {
    needs_cmd unshare
    local mnt
    mnt=$(cg_mount)
    [ -n "$mnt" ] || skip "needs a cgroup2 hierarchy to hide"
    make_bundle
    payload_args echo hi
    cfg '.linux.resources = {"pids": {"limit": 10}}'
    capture unshare -m --propagation private sh -c 'umount -l "$1" && shift && exec "$@"' sh "$mnt" \
        "$BURROW" --root "$BW_ROOT" run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq hi
    assert_stderr_contains "burrow: warning: config.json: linux.resources: pids not applied: no cgroup2 hierarchy is mounted"
    cfg '.annotations["org.burrow.cgroups.strict"] = "1"'
    capture unshare -m --propagation private sh -c 'umount -l "$1" && shift && exec "$@"' sh "$mnt" \
        "$BURROW" --root "$BW_ROOT" run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "config.json: linux.resources: pids: cannot be applied: no cgroup2 hierarchy is mounted"
    assert_nothing_left
}

# Rootless, a cgroupsPath outside what is delegated gives the none manager:
# warnings name what is not applied, the container runs.
# modes: rootless nosubuid
test_none_warns() {
    make_bundle
    cfg '.linux.cgroupsPath = $p | .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 10}}' \
        --arg p "/burrow-nodeleg-$CID"
    payload_args echo hi
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq hi
    assert_stderr_contains "burrow: warning: config.json: linux.cgroupsPath \`/burrow-nodeleg-$CID\` not used: cgroup \`"
    assert_stderr_contains "is not delegated to this user"
    assert_stderr_contains "burrow: warning: config.json: linux.resources: memory, pids not applied: "
    # pause and update say why they cannot work
    payload_args wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    bw pause "$CID"
    assert_status 1
    assert_stderr_contains "pause container \`$CID\`: pausing needs the cgroup freezer, and the container has no cgroup: cgroup \`"
    bw update --pids-limit 5 "$CID"
    assert_status 1
    assert_stderr_contains "update container \`$CID\`: flags: pids: cannot be applied: the container has no cgroup"
    bw events --stats "$CID"
    assert_status 1
    assert_stderr_contains "events container \`$CID\`: the container has no cgroup"
    bw delete --force "$CID"
    assert_success
    bw_wait
    assert_nothing_left
}

# The strictness annotation makes them errors, rootless too; nothing is left.
# modes: rootless nosubuid
test_none_strict() {
    make_bundle
    cfg '.linux.cgroupsPath = $p | .annotations["org.burrow.cgroups.strict"] = "true"' \
        --arg p "/burrow-nodeleg-$CID"
    payload_args echo hi
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "run container \`$CID\`: config.json: linux.cgroupsPath \`/burrow-nodeleg-$CID\`: cgroup \`"
    assert_nothing_left
}

# On this user's default place without delegation (the hybrid host,
# rootless), nothing but the limits is affected: a warning, and the
# container runs.
# modes: rootless nosubuid
test_none_default() {
    local mnt base
    mnt=$(cg_mount)
    base=$(cg_base)
    [ "$base" != / ] || base=
    if [ -n "$mnt" ] && [ -w "$mnt$base/cgroup.procs" ]; then
        skip "this user's cgroup is delegated: see test_placement"
    fi
    make_bundle
    cfg '.linux.resources = {"pids": {"limit": 10}}'
    payload_args echo hi
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq hi
    assert_stderr_contains "burrow: warning: config.json: linux.resources: pids not applied: "
    assert_nothing_left
}

# --- delegation as systemd does it, on this host ----------------------------------------

# As root, delegate a cgroup to burrowtest the way systemd delegates
# user@UID.service (chown of the directory, cgroup.procs,
# cgroup.subtree_control, cgroup.threads) and run burrow rootless from a
# shell inside it: the rootless container gets its cgroup there, pauses,
# and delete removes it.
# modes: root
test_rootless_in_delegated_cgroup() {
    local mnt user=burrowtest
    mnt=$(cg_mount)
    [ -n "$mnt" ] || skip "needs a cgroup2 hierarchy"
    id "$user" >/dev/null 2>&1 || skip "needs the user $user (tests/run-all.sh creates it)"
    local deleg="$mnt/burrow-deleg-$CID"
    mkdir "$deleg"
    chown "$user:" "$deleg" "$deleg/cgroup.procs" "$deleg/cgroup.subtree_control" "$deleg/cgroup.threads"
    local home=$T/home
    mkdir -p "$home" "$T/ustate"
    chown "$user:" "$home" "$T/ustate"
    chmod 755 "$T"
    make_bundle
    mkdir "$T/ubundle"
    bw spec --rootless --bundle "$T/ubundle"
    jq --arg r "$ROOTFS" 'del(.linux.uidMappings, .linux.gidMappings) | .root.path = $r | .process.terminal = false | .process.args = ["/bin/sh", "-c", "cat /proc/self/cgroup; exec sleep 30"]' \
        "$T/ubundle/config.json" >"$T/ubundle/c" && mv "$T/ubundle/c" "$T/ubundle/config.json"
    chmod -R a+rX "$T/ubundle"
    # run as the user, from inside the delegated cgroup
    as_user() {
        bash -c 'echo $$ >"$1/cgroup.procs" && exec setpriv --reuid="$2" --regid="$(id -g "$2")" --init-groups env -i PATH="$PATH" HOME="$3" "$4" --root "$5" "${@:6}"' \
            bash "$deleg" "$user" "$home" "$BURROW" "$T/ustate" "$@"
    }
    capture as_user run -d --bundle "$T/ubundle" "$CID"
    assert_success
    local dir="$deleg/burrow-$CID"
    assert_file_exists "$dir/cgroup.procs"
    assert_eq "$(wc -l <"$dir/cgroup.procs")" 1 "processes in the rootless container's cgroup"
    capture as_user pause "$CID"
    assert_success
    assert_eq "$(sed -n 's/^frozen //p' "$dir/cgroup.events")" 1 "frozen"
    capture as_user resume "$CID"
    assert_success
    capture as_user delete --force "$CID"
    assert_success
    assert_file_missing "$dir"
    # the helper shells moved into $deleg are gone: it can go too
    wait_until 5 rmdir "$deleg"
    assert_nothing_left
}

# --- burrow check ---------------------------------------------------------------------

# check probes each piece for real and names the fix of what is missing:
# the subuid range is there for burrowtest, missing for burrownosub.
# modes: root rootless nosubuid
test_check() {
    local before
    before=$(find /tmp -maxdepth 1 -name 'burrow-check.*' | sort)
    bw check
    # its probe's directories are gone again
    assert_eq "$(find /tmp -maxdepth 1 -name 'burrow-check.*' | sort)" "$before" "/tmp/burrow-check.* after check"
    local n
    n=$(sed -n 's/^\([0-9]*\) missing$/\1/p' <<<"$stdout")
    [ -n "$n" ] || fail "no summary line: $stdout"
    if [ "$n" -eq 0 ]; then assert_status 0; else assert_status 1; fi
    assert_eq "$(grep -c '^missing ' <<<"$stdout" || true)" "$n" "missing lines"
    local piece
    for piece in "user namespaces" subuid subgid newuidmap newgidmap "cgroup version" \
        "kernel overlay in a user namespace" /dev/fuse fuse-overlayfs slirp4netns pasta; do
        assert_match "$stdout" $'(^|\n)(ok|missing) +'"$piece"': ' "a line for $piece"
    done
    # every missing piece is followed by its fix
    assert_eq "$(grep -c '^ *fix: ' <<<"$stdout" || true)" "$n" "fix lines"
    subuid_range
    if [ -n "$subuid_start" ]; then
        assert_stdout_contains "ok       subuid: $(id -un):$subuid_start:$subuid_count"
    else
        assert_stdout_contains "missing  subuid: no range for $(id -un) in /etc/subuid"
        assert_stdout_contains "fix: add \`$(id -un):100000:65536\` to /etc/subuid"
    fi
    # the cgroup line follows delegation
    if [ "$(id -u)" -ne 0 ]; then
        local mnt base
        mnt=$(cg_mount)
        base=$(cg_base)
        [ "$base" != / ] || base=
        if [ -n "$mnt" ] && ! [ -w "$mnt$base/cgroup.procs" ]; then
            assert_stdout_contains "missing  cgroup delegation: your cgroup $(cg_own) is not delegated to you"
        fi
    fi
}

# Without the helper programs in PATH, check says each is missing and how to
# get it.
# modes: root rootless nosubuid
# vm: no
test_check_without_tools() {
    mkdir "$T/emptybin"
    capture env PATH="$T/emptybin" "$BURROW" check
    assert_status 1
    assert_stdout_contains "missing  newuidmap: not found in PATH"
    assert_stdout_contains "fix: install it: apt-get install uidmap"
    assert_stdout_contains "missing  fuse-overlayfs: not found in PATH"
    assert_stdout_contains "missing  slirp4netns: not found in PATH"
    assert_stdout_contains "fix: apt-get install slirp4netns"
    assert_stdout_contains "missing  pasta: not found in PATH"
    assert_stdout_contains "fix: apt-get install passt"
    bw check extra
    assert_status 1
    assert_stderr_contains "takes no arguments"
}

# --- devices -----------------------------------------------------------------------------

# As root, linux.resources.devices is a device program on the cgroup: a
# deny-all list keeps a device node the container has from being opened,
# an allow rule after it lets it be; the default devices stay usable; what
# no rule allows is denied (an allowlist).
# modes: root
test_devices_program() {
    needs_cgroup
    [ -c /dev/fuse ] || skip "needs /dev/fuse on the host"
    make_bundle
    cfg '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]
         | .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
    payload_args writable /dev/fuse -- writable /dev/null -- writable /dev/zero
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "writable: /dev/fuse no (EPERM)"
    assert_stdout_line "writable: /dev/null yes"
    assert_stdout_line "writable: /dev/zero yes"
    cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "writable: /dev/fuse yes"
    # a deny of write only: reading is still allowed
    cfg '.linux.resources.devices += [{"allow": false, "type": "c", "major": 10, "minor": 229, "access": "w"}]'
    payload_args writable /dev/fuse
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "writable: /dev/fuse no (EPERM)"
    # an allowlist: without a deny-all rule, what no rule allows is denied
    cfg '.linux.resources.devices = [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
    payload_args writable /dev/fuse -- writable /dev/null
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "writable: /dev/fuse no (EPERM)"
    assert_stdout_line "writable: /dev/null yes"
    assert_nothing_left
}

# Rootless, device rules need no program: the container reaches only the
# devices bound into it; no warning.
# modes: rootless nosubuid
# vm: no
test_devices_rootless() {
    make_bundle
    cfg '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
    payload_args writable /dev/null
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "writable: /dev/null yes"
    assert_stderr_not_contains "warning"
    assert_nothing_left
}
