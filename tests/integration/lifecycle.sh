# shellcheck shell=bash disable=SC2154 # lib.sh sets status, stdout, ...
# lifecycle: create, start, state, kill, delete, run and list with runc's
# command names and flags, and the global options every command shares.
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# alive PID: a process PID exists and is no zombie.
alive() {
    local line
    read -r line 2>/dev/null <"/proc/$1/stat" || return 1
    line=${line##*) }
    [ "${line%% *}" != Z ]
}

# count_lines FILE LINE: how many lines of FILE are exactly LINE.
count_lines() {
    grep -cxF -- "$2" "$1" || true
}

# has_lines FILE LINE N: FILE has LINE exactly N times (for wait_until).
has_lines() {
    [ "$(count_lines "$1" "$2")" -eq "$3" ]
}

# --- create, start, state, delete --------------------------------------------------

# The whole lifecycle, step by step: created with a live pid that
# --pid-file also names, running after start, stopped once the process has
# exited, gone after delete.
test_create_start_stop_delete() {
    make_bundle
    payload_args echo started -- wait-signal 30
    bw_bg create --bundle "$BUNDLE" --pid-file "$T/pidfile" "$CID"
    bw_wait
    assert_success
    local out=$bg_out
    assert_state "$CID" created
    get_pid "$CID"
    alive "$pid" || fail "the pid of the created container ($pid) is not alive"
    assert_file_exists "$T/pidfile"
    assert_eq "$(cat "$T/pidfile")" "$pid" "--pid-file"

    bw start "$CID"
    assert_success
    wait_until 10 file_has_line "$out" "wait-signal: ready"
    assert_state "$CID" running
    assert_eq "$(jq -r .pid <<<"$stdout")" "$pid" "pid of the running container"
    file_has_line "$out" started || fail "the process did not print \"started\""

    # start twice is an error
    bw start "$CID"
    assert_failure

    bw kill "$CID" USR1
    assert_success
    wait_until 10 state_is "$CID" stopped
    wait_until 10 file_has_line "$out" "signal: USR1"
    assert_state "$CID" stopped

    bw delete "$CID"
    assert_success
    assert_file_missing "$BW_ROOT/$CID"
    bw state "$CID"
    assert_failure
    assert_stderr_contains "$CID"
    wait_until 10 pid_reaped "$pid"
    assert_nothing_left "$CID"
}

# The state of each status against the runtime-spec's state schema: the
# required keys and their types, an absolute bundle path even when
# --bundle was relative, and the config's annotations.
test_state_matches_oci_schema() {
    make_bundle
    cfg '.annotations = {"org.example.key": "value", "com.example/other": "with spaces, and \"quotes\""}'
    payload_args wait-signal 30
    local ann
    ann=$(jq -c .annotations "$BUNDLE/config.json")
    # a relative --bundle: the state has it absolute
    bw create --bundle bundle "$CID"
    assert_success

    local st
    for st in created running stopped; do
        case $st in
        running)
            bw start "$CID"
            assert_success
            ;;
        stopped)
            bw kill "$CID" KILL
            assert_success
            wait_until 10 state_is "$CID" stopped
            ;;
        esac
        assert_state "$CID" "$st"
        # shellcheck disable=SC2016 # jq's variables
        jq -e --arg id "$CID" --arg st "$st" --arg b "$(realpath "$BUNDLE")" --argjson ann "$ann" '
            (.ociVersion | type == "string" and test("^[0-9]+\\.[0-9]+\\.[0-9]+"))
            and .id == $id
            and .status == $st
            and (.status | IN("creating", "created", "running", "stopped"))
            and .bundle == $b and (.bundle | startswith("/"))
            and .annotations == $ann
            and (if $st == "stopped" then (has("pid") | not) or (.pid | type == "number" and . >= 0)
                 else (.pid | type == "number" and . > 0 and floor == .) end)
        ' <<<"$stdout" >/dev/null || fail "state ($st) does not match the OCI state schema"
    done
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

# exec fifo: after create the user process has not run anything; start
# lets it go on.
test_create_does_not_run_the_process() {
    make_bundle
    mkdir "$T/shared"
    chmod 0777 "$T/shared"
    # shellcheck disable=SC2016 # jq's variables
    # /tmp exists in the rootfs, which must not be written
    cfg '.mounts += [{"destination": "/tmp", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' --arg s "$T/shared"
    payload_args echo hello -- touch /tmp/ran -- wait-signal 30
    bw_bg create --bundle "$BUNDLE" "$CID"
    bw_wait
    assert_success
    local out=$bg_out
    assert_state "$CID" created
    # the process could not have printed or touched anything yet; give it a
    # moment to be caught doing it anyway
    sleep 0.5
    assert_eq "$(cat "$out")" "" "the container's output before start"
    assert_file_missing "$T/shared/ran"

    bw start "$CID"
    assert_success
    wait_until 10 file_has_line "$out" "wait-signal: ready"
    assert_file_exists "$T/shared/ran"
    assert_eq "$(head -n 1 "$out")" hello "the first line of the output"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
}

# The config is read at create: editing the bundle afterwards changes
# nothing of what start runs.
test_config_kept_at_create() {
    make_bundle
    payload_args echo first -- wait-signal 30
    bw_bg create --bundle "$BUNDLE" "$CID"
    bw_wait
    assert_success
    local out=$bg_out
    payload_args echo second -- wait-signal 30
    cfg '.annotations = {"edited": "yes"}'
    bw start "$CID"
    assert_success
    wait_until 10 file_has_line "$out" "wait-signal: ready"
    file_has_line "$out" first || fail "start did not run the config as it was at create"
    ! file_has_line "$out" second || fail "start ran the edited config.json"
    bw state "$CID"
    assert_success
    assert_eq "$(jq -c '.annotations // {}' <<<"$stdout")" "{}" "annotations after editing config.json"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
}

# The status comes from the process: killed from outside by its owner,
# a running or created container is stopped, and delete needs no --force.
test_killed_from_outside_is_stopped() {
    make_bundle
    payload_args wait-signal 30
    local id st
    for st in running created; do
        id=$(new_cid)
        bw create --bundle "$BUNDLE" "$id"
        assert_success
        if [ "$st" = running ]; then
            bw start "$id"
            assert_success
        fi
        assert_state "$id" "$st"
        get_pid "$id"
        kill -KILL "$pid"
        wait_until 10 state_is "$id" stopped
        bw state "$id"
        assert_success
        assert_eq "$(jq -r '.pid // 0' <<<"$stdout")" 0 "the pid of a stopped container"
        bw list -f json
        assert_success
        # shellcheck disable=SC2016 # jq's variables
        jq -e --arg id "$id" '.[] | select(.id == $id) | .status == "stopped"' <<<"$stdout" >/dev/null ||
            fail "list does not say $id is stopped"
        bw kill "$id" TERM
        assert_failure
        bw delete "$id"
        assert_success
        wait_until 10 pid_reaped "$pid"
        assert_file_missing "$BW_ROOT/$id"
    done
    assert_nothing_left
}

# Relative --pid-file and --root are taken from the current directory; a
# created container can be killed (KILL: its init ignores the rest) and
# then neither started nor killed again.
test_relative_paths_and_created_kill() {
    make_bundle
    payload_args echo ran -- exit 0
    capture "$BURROW" --root state-rel create --bundle bundle --pid-file pid.rel "$CID"
    assert_success
    assert_file_exists "$T/state-rel/$CID"
    assert_file_exists "$T/pid.rel"
    capture "$BURROW" --root "$T/state-rel" state "$CID"
    assert_success
    assert_eq "$(jq -r .status <<<"$stdout")" created "status"
    assert_eq "$(jq -r .pid <<<"$stdout")" "$(cat "$T/pid.rel")" "pid against --pid-file"
    assert_eq "$(jq -r .bundle <<<"$stdout")" "$(realpath "$BUNDLE")" "bundle"
    pid=$(cat "$T/pid.rel")
    track_pid "$CID" "$pid"
    capture "$BURROW" --root state-rel kill "$CID" KILL
    assert_success
    wait_until 10 state_is "$CID" stopped state-rel
    capture "$BURROW" --root state-rel start "$CID"
    assert_failure
    assert_stderr_contains "stopped"
    capture "$BURROW" --root state-rel kill "$CID" KILL
    assert_failure
    capture "$BURROW" --root state-rel delete "$CID"
    assert_success
    assert_file_missing "$T/state-rel/$CID"
    wait_until 10 pid_reaped "$pid"
    assert_nothing_left
}

# --- run -------------------------------------------------------------------------

test_run_exit_status() {
    make_bundle
    local n
    for n in 0 3 42; do
        payload_args echo "exit $n" -- exit "$n"
        bw run --bundle "$BUNDLE" "$CID"
        assert_status "$n"
        assert_stdout_eq "exit $n"
        assert_file_missing "$BW_ROOT/$CID"
    done
    assert_nothing_left
}

# A container process killed by a signal: burrow exits 128+N.
test_run_signal_death() {
    make_bundle
    payload_args wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    get_pid "$CID"
    kill -KILL "$pid"
    bw_wait
    assert_status 137
    assert_nothing_left
}

# Without a pid namespace the process is no init and dies of its own SIGTERM.
# (A new /proc needs a pid namespace of its own when rootless: none.)
test_run_signal_death_no_pidns() {
    make_bundle
    cfg '.linux.namespaces |= map(select(.type != "pid")) | .mounts |= map(select(.destination != "/proc"))'
    set_args /bin/sh -c 'kill -TERM $$; sleep 5'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 143
    assert_nothing_left
}

test_run_detach() {
    make_bundle
    payload_args wait-signal 30
    bw_bg run --detach --pid-file "$T/run.pid" --bundle "$BUNDLE" "$CID"
    bw_wait
    assert_success
    local out=$bg_out
    # it returned with the container started, not when it ended
    assert_state "$CID" running
    get_pid "$CID"
    assert_eq "$(cat "$T/run.pid")" "$pid" "run --pid-file"
    wait_until 10 file_has_line "$out" "wait-signal: ready"
    bw kill "$CID" USR2
    assert_success
    wait_until 10 state_is "$CID" stopped
    file_has_line "$out" "signal: USR2" || fail "the detached container did not get USR2"
    # -d too
    local id2
    id2=$(new_cid)
    bw run -d --bundle "$BUNDLE" "$id2"
    assert_success
    assert_state "$id2" running
    bw delete "$CID"
    assert_success
    bw delete -f "$id2"
    assert_success
    wait_until 10 pid_reaped "$pid"
    assert_nothing_left
}

# Signals to a foreground run go to the container's process.
test_run_forwards_signals() {
    make_bundle
    payload_args wait-signal 30
    local sig n
    for sig in TERM:15 USR1:10 HUP:1 USR2:12 INT:2 QUIT:3; do
        n=${sig#*:}
        sig=${sig%:*}
        bw_bg run --bundle "$BUNDLE" "$CID"
        wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
        get_pid "$CID"
        kill -"$sig" "$bg_pid"
        bw_wait
        assert_status $((128 + n))
        assert_stdout_line "signal: $sig"
        assert_file_missing "$BW_ROOT/$CID"
    done
    assert_nothing_left
}

# Signals that arrive while the container's process exits must not make a
# foreground run lose its exit status (or wait for ever): flood run with
# WINCH, which it passes on and the payload, an init, ignores.
# timeout: 120
test_run_exit_status_under_signals() {
    make_bundle
    payload_args echo started -- sleep 0.1 -- exit 3
    local i deadline
    for i in $(seq 1 30); do
        bw_bg run --bundle "$BUNDLE" "$CID"
        # a bound against a hang only: run takes a fraction of a second
        deadline=$((SECONDS + 10))
        while alive "$bg_pid" && [ "$SECONDS" -lt "$deadline" ]; do
            for _ in {1..50}; do
                kill -WINCH "$bg_pid" 2>/dev/null || break
            done
        done
        if alive "$bg_pid"; then
            kill -KILL "$bg_pid"
            bw_wait
            fail "round $i: burrow run still waits after its container's process has exited"
        fi
        bw_wait
        assert_status 3
        assert_stdout_eq started
    done
    assert_nothing_left
}

# --- kill ------------------------------------------------------------------------

# Signal names with and without SIG, any case, numbers; TERM by default.
test_kill_signal_forms() {
    make_bundle
    payload_args wait-signal 30
    local form expect
    for form in USR1:USR1 SIGUSR1:USR1 10:USR1 sigusr2:USR2 HUP:HUP "":TERM; do
        expect=${form#*:}
        form=${form%:*}
        bw_bg run --bundle "$BUNDLE" "$CID"
        wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
        if [ -n "$form" ]; then
            bw kill "$CID" "$form"
        else
            bw kill "$CID"
        fi
        assert_success
        bw_wait
        assert_stdout_line "signal: $expect"
    done
    # bad signals are refused, and the container lives on
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    for form in NOSUCH SIGNOSUCH 0 99999 -9 ""; do
        bw kill "$CID" "$form"
        assert_failure
    done
    assert_state "$CID" running
    bw kill "$CID" KILL
    assert_success
    wait_until 10 state_is "$CID" stopped
    bw kill "$CID" KILL
    assert_failure
    bw delete "$CID"
    assert_success
    bw kill "$CID" KILL
    assert_failure
    assert_stderr_contains "$CID"
    assert_nothing_left
}

# kill --all/-a signals every process of the container, without it only
# the init: here a shell, which as the init of its pid namespace ignores
# USR1 and waits for its two children.
test_kill_all() {
    make_bundle
    set_args /bin/sh -c '/bin/payload wait-signal 30 & /bin/payload wait-signal 30; wait'
    local flag
    for flag in --all -a; do
        bw_bg run --bundle "$BUNDLE" "$CID"
        wait_until 10 has_lines "$bg_out" "wait-signal: ready" 2
        bw kill "$flag" "$CID" USR1
        assert_success
        bw_wait
        assert_success
        assert_eq "$(count_lines "$bg_out" "signal: USR1")" 2 "processes that got USR1 with kill $flag"
    done
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 has_lines "$bg_out" "wait-signal: ready" 2
    bw kill "$CID" USR1
    assert_success
    bw kill --all "$CID" TERM
    assert_success
    bw_wait
    assert_success
    assert_eq "$(count_lines "$bg_out" "signal: USR1")" 0 "processes that got USR1 without --all"
    assert_eq "$(count_lines "$bg_out" "signal: TERM")" 2 "processes that got TERM with --all"
    assert_nothing_left
}

# --- list ------------------------------------------------------------------------

test_list() {
    bw list -q
    assert_success
    assert_stdout_eq ""
    bw list --format json
    assert_success
    assert_eq "$(jq -c . <<<"$stdout")" "[]" "list --format json of no container"
    bw list
    assert_success
    assert_match "$stdout" "^ID +PID +STATUS +BUNDLE" "list header"
    assert_eq "$(wc -l <<<"$stdout")" 1 "lines of an empty list"

    make_bundle
    payload_args wait-signal 30
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    local id2
    id2=$(new_cid)
    bw run -d --bundle "$BUNDLE" "$id2"
    assert_success

    # The second container's seccomp filter was kept in the state root's
    # cache, which is no container.
    assert_file_exists "$BW_ROOT/@cache/seccomp"
    bw list
    assert_success
    assert_match "$(head -n 1 <<<"$stdout")" "^ID +PID +STATUS +BUNDLE" "list header"
    assert_eq "$(wc -l <<<"$stdout")" 3 "lines of the list"
    assert_match "$stdout" "(^|"$'\n'")$CID +$pid +created +$BUNDLE " "list row of $CID"
    assert_match "$stdout" "(^|"$'\n'")$id2 +[0-9]+ +running +$BUNDLE " "list row of $id2"

    for fmt in "--format json" "-f json"; do
        # shellcheck disable=SC2086 # two words on purpose
        bw list $fmt
        assert_success
        # shellcheck disable=SC2016 # jq's variables
        jq -e --arg a "$CID" --arg b "$id2" --argjson pid "$pid" --arg bundle "$BUNDLE" '
            type == "array" and length == 2
            and (map(.id) | sort) == ([$a, $b] | sort)
            and (.[] | select(.id == $a) | .status == "created" and .pid == $pid and .bundle == $bundle)
            and (.[] | select(.id == $b) | .status == "running" and .pid > 0 and .bundle == $bundle)
        ' <<<"$stdout" >/dev/null || fail "list $fmt is not the expected JSON array"
    done

    bw list -q
    assert_success
    assert_stdout_eq "$(printf '%s\n' "$CID" "$id2" | sort)"
    bw list --quiet
    assert_success
    assert_stdout_eq "$(printf '%s\n' "$CID" "$id2" | sort)"

    bw list --format yaml
    assert_failure
    bw delete --force "$CID"
    assert_success
    bw delete --force "$id2"
    assert_success
    bw list -q
    assert_success
    assert_stdout_eq ""
    wait_until 10 pid_reaped "$pid"
    assert_nothing_left
}

# --- delete ------------------------------------------------------------------------

test_delete_force_running() {
    make_bundle
    payload_args wait-signal 30
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    bw delete "$CID"
    assert_failure
    assert_stderr_contains "running"
    assert_state "$CID" running
    alive "$pid" || fail "delete without --force killed the container"
    bw delete --force "$CID"
    assert_success
    assert_file_missing "$BW_ROOT/$CID"
    ! alive "$pid" || fail "delete --force left the process $pid alive"
    bw state "$CID"
    assert_failure
    wait_until 10 pid_reaped "$pid"
    assert_nothing_left
}

# A foreground run is a container like another: state and list see it
# running, and delete --force from elsewhere ends it (run exits 137).
test_delete_force_foreground_run() {
    make_bundle
    payload_args wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    assert_state "$CID" running
    get_pid "$CID"
    bw list -q
    assert_success
    assert_stdout_eq "$CID"
    bw delete "$CID"
    assert_failure
    bw delete --force "$CID"
    assert_success
    assert_eq "$stderr" "" "stderr of delete --force"
    bw_wait
    assert_status 137
    assert_eq "$stderr" "" "stderr of the run"
    bw state "$CID"
    assert_failure
    assert_file_missing "$BW_ROOT/$CID"
    assert_nothing_left
}

test_delete_stopped_and_created() {
    make_bundle
    payload_args exit 0
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_success
    assert_file_missing "$BW_ROOT/$CID"

    # a created container never ran: delete needs no --force either
    local id2
    id2=$(new_cid)
    payload_args wait-signal 30
    bw create --bundle "$BUNDLE" "$id2"
    assert_success
    get_pid "$id2"
    bw delete "$id2"
    assert_success
    assert_file_missing "$BW_ROOT/$id2"

    bw delete "$id2"
    assert_failure
    assert_stderr_contains "$id2"
    wait_until 10 pid_reaped "$pid"
    assert_nothing_left
}

# --- concurrency -------------------------------------------------------------------

# Two creates of one id at the same time: exactly one wins, the other
# fails and leaves nothing, and the winner's container is intact.
# timeout: 120
test_concurrent_create_same_id() {
    make_bundle
    payload_args wait-signal 30
    local i id p1 p2 s1 s2 ok
    for i in 1 2 3 4 5; do
        id=$(new_cid)
        s1=0 s2=0
        "$BURROW" --root "$BW_ROOT" create --bundle "$BUNDLE" "$id" </dev/null >"$T/c$i.1.out" 2>"$T/c$i.1.err" &
        p1=$!
        "$BURROW" --root "$BW_ROOT" create --bundle "$BUNDLE" "$id" </dev/null >"$T/c$i.2.out" 2>"$T/c$i.2.err" &
        p2=$!
        wait "$p1" || s1=$?
        wait "$p2" || s2=$?
        ok=$(( (s1 == 0) + (s2 == 0) ))
        [ "$ok" -eq 1 ] ||
            fail "round $i: $ok of two concurrent creates of $id succeeded (exit $s1: $(cat "$T/c$i.1.err"); exit $s2: $(cat "$T/c$i.2.err"))"
        if [ "$s1" -ne 0 ]; then
            grep -q "$id" "$T/c$i.1.err" || fail "round $i: the losing create says nothing of $id: $(cat "$T/c$i.1.err")"
        else
            grep -q "$id" "$T/c$i.2.err" || fail "round $i: the losing create says nothing of $id: $(cat "$T/c$i.2.err")"
        fi
        assert_state "$id" created
        get_pid "$id"
        bw list -q
        assert_success
        assert_stdout_eq "$id"
        bw start "$id"
        assert_success
        assert_state "$id" running
        bw delete --force "$id"
        assert_success
        wait_until 10 pid_reaped "$pid"
        assert_nothing_left "$id"
    done
    assert_nothing_left
}

# Two starts of one created container at the same time: one starts it,
# the other fails; the process runs once.
test_concurrent_start() {
    make_bundle
    payload_args echo started -- wait-signal 30
    local i id p1 p2 s1 s2 out
    for i in 1 2 3; do
        id=$(new_cid)
        bw_bg create --bundle "$BUNDLE" "$id"
        bw_wait
        assert_success
        out=$bg_out
        get_pid "$id"
        s1=0 s2=0
        "$BURROW" --root "$BW_ROOT" start "$id" </dev/null >"$T/s$i.1.out" 2>"$T/s$i.1.err" &
        p1=$!
        "$BURROW" --root "$BW_ROOT" start "$id" </dev/null >"$T/s$i.2.out" 2>"$T/s$i.2.err" &
        p2=$!
        wait "$p1" || s1=$?
        wait "$p2" || s2=$?
        [ $(( (s1 == 0) + (s2 == 0) )) -eq 1 ] ||
            fail "round $i: exit statuses $s1 and $s2 of two concurrent starts ($(cat "$T/s$i.1.err" "$T/s$i.2.err"))"
        wait_until 10 file_has_line "$out" "wait-signal: ready"
        assert_eq "$(count_lines "$out" started)" 1 "round $i: times the process ran"
        assert_state "$id" running
        bw delete --force "$id"
        assert_success
        wait_until 10 pid_reaped "$pid"
    done
    assert_nothing_left
}

# --- update, pause, resume -------------------------------------------------------------

# update, pause and resume work on the container's cgroup: see
# tests/integration/cgroup.sh.

test_debug_and_systemd_cgroup() {
    make_bundle
    payload_args echo hi
    cfg '.xBurrowTestUnknownKey = 1'
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq hi
    assert_stderr_contains "burrow: debug: "
    assert_stderr_contains "xBurrowTestUnknownKey"
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stderr_not_contains "debug"

    # --systemd-cgroup is accepted by the commands that make no cgroup
    # (create and run ask for systemd: see cgroup.sh)
    bw --systemd-cgroup list
    assert_success
    # with --log, debug lines go to the log
    bw --debug --log "$T/debug.json" --log-format json run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq hi
    jq -se 'any(.[]; .level == "debug" and (.msg | contains("xBurrowTestUnknownKey")))' "$T/debug.json" >/dev/null ||
        fail "no debug line about the unknown key in the log: $(cat "$T/debug.json")"
    bw --log "$T/log3" --log-format xml list
    assert_failure
    assert_stderr_contains "xml"
    assert_stdout_eq ""
    assert_nothing_left
}

# A foreground run that finishes after its container was deleted and the
# id created again removes nothing of the new container.  (The run is
# stopped with SIGSTOP so that the delete and the new create happen
# before it cleans up.)
test_foreground_run_spares_a_recreated_id() {
    make_bundle
    payload_args wait-signal 30
    bw_bg run --bundle "$BUNDLE" "$CID"
    local run_pid=$bg_pid
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    kill -STOP "$run_pid"
    bw delete --force "$CID"
    assert_success
    payload_args echo second
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    kill -CONT "$run_pid"
    bw_wait
    assert_status 137
    assert_state "$CID" created
    bw start "$CID"
    assert_success
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
}
