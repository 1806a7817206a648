# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# hooks: the six kinds of config.json hooks, run at their moment, in their
# namespace, with the state on stdin; failures stop the lifecycle (or warn,
# for poststop) and leave nothing behind.
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# hook_setup: $T/hk, bound at /home in the container, holds the hook script
# `hook KIND LOG`, which appends `KIND MNTNS STATE` to LOG, and the log.
# Hooks in the runtime namespace run it as $T/hk/hook with log $T/hk/log;
# startContainer, whose path resolves in the container, as /home/hook with
# /home/log: the same files.
hook_setup() {
    make_bundle
    mkdir -p "$T/hk"
    cat >"$T/hk/hook" <<'EOF'
#!/bin/sh
state=$(cat)
printf '%s %s %s\n' "$1" "$(readlink /proc/self/ns/mnt)" "$state" >>"$2"
EOF
    chmod 755 "$T/hk" "$T/hk/hook"
    : >"$T/hk/log"
    chmod 666 "$T/hk/log"
    cfg '.mounts += [{"destination": "/home", "type": "bind", "source": $d, "options": ["rbind"]}]
         | .annotations = {"org.example.hooks": "yes"}' --arg d "$T/hk"
}

# add_hook KIND PATH ARG... : append a hook of KIND.
add_hook() {
    local kind=$1 path=$2
    shift 2
    cfg '.hooks[$k] += [{"path": $p, "args": $a}]' --arg k "$kind" --arg p "$path" \
        --argjson a "$(json_array "$@")"
}

# logging_hooks KIND...: a hook of each KIND that logs to the shared log.
logging_hooks() {
    local k
    for k in "$@"; do
        if [ "$k" = startContainer ]; then
            add_hook "$k" /home/hook hook "$k" /home/log
        else
            add_hook "$k" "$T/hk/hook" hook "$k" "$T/hk/log"
        fi
    done
}

# log_kinds: the KIND column of the log, space separated.
log_kinds() {
    awk '{ printf "%s%s", sep, $1; sep = " " }' "$T/hk/log"
}

# log_state KIND: the state JSON logged by the hook of KIND.
log_state() {
    awk -v k="$1" '$1 == k { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }' "$T/hk/log"
}

# log_mntns KIND: the mount namespace the hook of KIND ran in.
log_mntns() {
    awk -v k="$1" '$1 == k { print $2; exit }' "$T/hk/log"
}

# check_state KIND STATUS PID: the state KIND's hook read has these, plus
# the id, the bundle and the annotations.
check_state() {
    local s
    s=$(log_state "$1")
    [ -n "$s" ] || fail "the $1 hook logged nothing (log: $(log_kinds))"
    jq -e . >/dev/null <<<"$s" || fail "the $1 hook read no valid JSON on stdin: $s"
    assert_eq "$(jq -r .status <<<"$s")" "$2" "status in the state of the $1 hook"
    assert_eq "$(jq -r .pid <<<"$s")" "$3" "pid in the state of the $1 hook"
    assert_eq "$(jq -r .id <<<"$s")" "$CID" "id in the state of the $1 hook"
    assert_eq "$(jq -r .bundle <<<"$s")" "$BUNDLE" "bundle in the state of the $1 hook"
    assert_eq "$(jq -r '.annotations["org.example.hooks"]' <<<"$s")" yes \
        "annotations in the state of the $1 hook"
}

# failing_hook FILE STATUS: a script that prints `boom` and exits STATUS.
failing_hook() {
    printf '#!/bin/sh\necho boom\nexit %s\n' "$2" >"$1"
    chmod 755 "$1"
}

# --- the lifecycle ---------------------------------------------------------------

# create, start, kill and delete run each kind once, in the spec's order,
# each with the state of its moment and in its namespace.
test_hooks_lifecycle_order_state_namespace() {
    hook_setup
    CID=$(new_cid)
    logging_hooks prestart createRuntime createContainer startContainer poststart poststop
    payload_args sleep 600
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_eq "$(log_kinds)" "prestart createRuntime createContainer" "hooks run by create"
    get_pid "$CID"
    local cpid=1
    # Without a pid namespace of its own, the container sees host pids.
    jq -e '.linux.namespaces | any(.type == "pid")' "$BUNDLE/config.json" >/dev/null || cpid=$pid
    check_state prestart creating "$pid"
    check_state createRuntime creating "$pid"
    check_state createContainer creating "$cpid"

    bw start "$CID"
    assert_success
    # Read once it runs: before exec, rootless, the init is not dumpable and
    # its /proc/PID/ns is closed to its own user.
    local host_mnt cont_mnt
    host_mnt=$(readlink /proc/self/ns/mnt)
    cont_mnt=$(readlink "/proc/$pid/ns/mnt")
    assert_eq "$(log_mntns prestart)" "$host_mnt" "mount namespace of prestart"
    assert_eq "$(log_mntns createRuntime)" "$host_mnt" "mount namespace of createRuntime"
    assert_eq "$(log_mntns createContainer)" "$cont_mnt" "mount namespace of createContainer"
    assert_eq "$(log_kinds)" "prestart createRuntime createContainer startContainer poststart" \
        "hooks run by create and start"
    check_state startContainer created "$cpid"
    check_state poststart running "$pid"
    assert_eq "$(log_mntns startContainer)" "$cont_mnt" "mount namespace of startContainer"
    assert_eq "$(log_mntns poststart)" "$host_mnt" "mount namespace of poststart"

    bw kill "$CID" KILL
    assert_success
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_success
    assert_eq "$(log_kinds)" \
        "prestart createRuntime createContainer startContainer poststart poststop" "all hooks"
    check_state poststop stopped 0
    assert_nothing_left "$CID"
}

# A foreground run runs all six, poststop once the process has exited.
test_hooks_run_foreground() {
    hook_setup
    CID=$(new_cid)
    logging_hooks prestart createRuntime createContainer startContainer poststart poststop
    payload_args exit 7
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 7
    assert_eq "$(log_kinds)" \
        "prestart createRuntime createContainer startContainer poststart poststop" "hooks of run"
    assert_nothing_left "$CID"
}

# Several hooks of one kind run in their order; args[0] is argv[0], env is
# exactly the hook's env, nothing of burrow's.
test_hooks_args_env_order() {
    make_bundle
    CID=$(new_cid)
    mkdir -p "$T/hk"
    chmod 755 "$T/hk"
    : >"$T/hk/out"
    chmod 666 "$T/hk/out"
    local dump='{ tr "\0" " " </proc/$$/cmdline; echo; env | sort; echo --; } >>"$0"'
    cfg '.hooks.createRuntime = [
           {"path": "/bin/sh", "args": ["first-sh", "-c", $d, $o], "env": ["ONE=1", "TWO=2"]},
           {"path": "/bin/sh", "args": ["second-sh", "-c", $d, $o]}]' \
        --arg d "$dump" --arg o "$T/hk/out"
    payload_args exit 0
    BURROW_SECRET=leak bw run --bundle "$BUNDLE" "$CID"
    assert_success
    local out
    out=$(cat "$T/hk/out")
    assert_eq "$(grep -c -e '-sh -c' <<<"$out")" 2 "hooks run"
    assert_eq "$(grep -e '-sh -c' <<<"$out" | cut -d' ' -f1 | tr '\n' ' ')" "first-sh second-sh " \
        "argv[0] of the hooks, in order"
    # Only the variables given (and PWD, which the shell adds itself).
    local names
    names=$(grep -v -e '-sh -c' -e '^--$' <<<"$out" | cut -d= -f1 | sort | tr '\n' ' ')
    assert_eq "$names" "ONE PWD PWD TWO " "variables the hooks saw"
    assert_nothing_left "$CID"
}

# A hook that never reads its stdin, with a state larger than a pipe holds,
# neither blocks burrow nor kills it with SIGPIPE.
test_hooks_state_not_read() {
    make_bundle
    CID=$(new_cid)
    head -c 200000 /dev/zero | tr '\0' x >"$T/big"
    cfg '.annotations = {"big": $b} | .hooks.prestart = [{"path": "/bin/true"}]' --rawfile b "$T/big"
    payload_args exit 0
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_nothing_left "$CID"
}

# --- failures --------------------------------------------------------------------

# A failing createRuntime hook fails create with its status and output; the
# container is destroyed and the poststop hooks run.
test_hooks_create_runtime_fails() {
    hook_setup
    CID=$(new_cid)
    failing_hook "$T/hk/fail" 3
    add_hook createRuntime "$T/hk/fail"
    logging_hooks poststop
    payload_args sleep 600
    bw create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "create container \`$CID\`: hooks.createRuntime[0] \`$T/hk/fail\`: exited with status 3 (output: boom)"
    assert_eq "$(log_kinds)" "poststop" "hooks run after the failure"
    assert_nothing_left "$CID"
}

# The same for createContainer (run by the container's process) and prestart.
test_hooks_create_container_fails() {
    hook_setup
    CID=$(new_cid)
    failing_hook "$T/hk/fail" 4
    logging_hooks prestart createRuntime
    add_hook createContainer "$T/hk/fail"
    logging_hooks startContainer poststop
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "hooks.createContainer[0] \`$T/hk/fail\`: exited with status 4 (output: boom)"
    assert_eq "$(log_kinds)" "prestart createRuntime poststop" "hooks run"
    assert_nothing_left "$CID"
}

# A hook that cannot be executed is named with the reason.
test_hooks_missing_executable() {
    make_bundle
    CID=$(new_cid)
    cfg '.hooks.prestart = [{"path": "/nonexistent/hook"}]'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "hooks.prestart[0]: execute \`/nonexistent/hook\`: No such file or directory"
    assert_nothing_left "$CID"
}

# A hook that outlives its timeout is killed, and create fails saying so.
test_hooks_timeout() {
    make_bundle
    CID=$(new_cid)
    mkdir -p "$T/hk"
    printf '#!/bin/sh\necho $$ >%s\nexec sleep 60\n' "$T/hk/pid" >"$T/hk/slow"
    chmod 755 "$T/hk" "$T/hk/slow"
    cfg '.hooks.createRuntime = [{"path": $p, "timeout": 1}]' --arg p "$T/hk/slow"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "hooks.createRuntime[0] \`$T/hk/slow\`: killed after its timeout of 1 s"
    local hpid
    hpid=$(cat "$T/hk/pid")
    [[ $hpid =~ ^[0-9]+$ ]] || fail "the hook wrote no pid"
    pid_reaped "$hpid" || fail "the timed-out hook (pid $hpid) is still there"
    assert_nothing_left "$CID"
}

# A failing startContainer hook fails start, and the container stops without
# running its process; delete then runs poststop.
test_hooks_start_container_fails() {
    hook_setup
    CID=$(new_cid)
    printf '#!/bin/sh\necho nope\nexit 5\n' >"$T/hk/fail"
    chmod 755 "$T/hk/fail"
    add_hook startContainer /home/fail
    logging_hooks poststart poststop
    payload_args touch /home/ran
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    bw start "$CID"
    assert_failure
    assert_stderr_contains "start container \`$CID\`: hooks.startContainer[0] \`/home/fail\`: exited with status 5 (output: nope)"
    assert_file_missing "$T/hk/ran"
    wait_until 10 state_is "$CID" stopped
    assert_eq "$(log_kinds)" "" "hooks run before delete"
    bw delete "$CID"
    assert_success
    assert_eq "$(log_kinds)" "poststop" "hooks run by delete"
    assert_nothing_left "$CID"
}

# A failing poststart hook fails start and stops the container.
test_hooks_poststart_fails() {
    hook_setup
    CID=$(new_cid)
    failing_hook "$T/hk/fail" 6
    add_hook poststart "$T/hk/fail"
    payload_args sleep 600
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    bw start "$CID"
    assert_failure
    assert_stderr_contains "hooks.poststart[0] \`$T/hk/fail\`: exited with status 6 (output: boom)"
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_success
    assert_nothing_left "$CID"
}

# A failing poststop hook is a warning: delete succeeds, the next hook runs.
test_hooks_poststop_fails_warns() {
    hook_setup
    CID=$(new_cid)
    failing_hook "$T/hk/fail" 2
    add_hook poststop "$T/hk/fail"
    logging_hooks poststop
    payload_args exit 0
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    bw delete "$CID"
    assert_success
    assert_stderr_contains "hooks.poststop[0] \`$T/hk/fail\`: exited with status 2 (output: boom)"
    assert_eq "$(log_kinds)" "poststop" "the second poststop hook ran"
    assert_nothing_left "$CID"
}
