# shellcheck shell=bash disable=SC2154 # lib.sh sets status, stdout, ...
# errors: every bad input a user can hit gets a clear message that names the
# culprit, a non-zero exit status, and leaves nothing behind (DESIGN.md,
# "Non-negotiables"): no state directory, mount or process, and an empty
# `burrow list`.
# suite-modes: root rootless nosubuid

# --- helpers ---------------------------------------------------------------------

# A created container, $CID, whose process would wait for a signal.
create_waiting() {
    make_bundle
    payload_args wait-signal 30
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    assert_state "$CID" created
}

# A running container, $CID, detached, ready for signals.
run_detached_waiting() {
    make_bundle
    payload_args wait-signal 30
    bw run --detach --bundle "$BUNDLE" "$CID"
    assert_success
    # The container writes to that command's stdout file.
    local out="$T/.cmd$_bw_ncmd.out"
    get_pid "$CID"
    wait_until 10 file_has_line "$out" "wait-signal: ready"
    assert_state "$CID" running
}

# assert_reaped: right after a delete, the container's process ($pid, from
# get_pid) is dead: gone, or a zombie.  Then wait until it is reaped: after
# `create` its parent is the host's init (or a subreaper), and some inits
# reap only every couple of seconds, longer than assert_nothing_left's grace.
assert_reaped() {
    local line st=
    if read -r line 2>/dev/null <"/proc/$pid/stat"; then
        st=${line##*) }
        st=${st%% *}
    fi
    case $st in
    '' | Z | X) ;;
    *) fail "process $pid still alive (state $st) after: $BW_CMD" ;;
    esac
    wait_until 15 pid_reaped "$pid"
}

# --- the command line ---------------------------------------------------------------

test_create_without_id() {
    make_bundle
    bw create --bundle "$BUNDLE"
    assert_failed_cleanly "missing container id"
}

test_run_without_id() {
    make_bundle
    bw run --bundle "$BUNDLE"
    assert_failed_cleanly "missing container id"
}

test_start_state_kill_delete_without_id() {
    local cmd
    for cmd in start state kill delete; do
        bw "$cmd"
        assert_failure
        assert_stderr_contains "$cmd: missing container id"
    done
    bw delete --force
    assert_failure
    assert_stderr_contains "missing container id"
    assert_list_empty
    assert_nothing_left
}

test_too_many_arguments() {
    local cmd
    for cmd in create start state delete; do
        bw "$cmd" "$CID" extra
        assert_failure
        assert_stderr_contains "$cmd:"
        assert_stderr_contains "one container id"
    done
    bw kill "$CID" TERM extra
    assert_failure
    assert_stderr_contains "kill:"
    assert_list_empty
    assert_nothing_left
}

test_no_command() {
    bw
    assert_failure
    assert_stderr_contains "usage: burrow"
    assert_nothing_left
}

test_unknown_command() {
    bw frobnicate "$CID"
    assert_failure
    assert_stderr_contains 'unknown command "frobnicate"'
    assert_failed_cleanly
}

test_unknown_global_option() {
    capture "$BURROW" --root "$BW_ROOT" --frobnicate list
    assert_failure
    assert_stderr_contains "--frobnicate"
    assert_failed_cleanly
}

test_unknown_command_option() {
    make_bundle
    local cmd
    for cmd in create run; do
        bw "$cmd" --frobnicate --bundle "$BUNDLE" "$CID"
        assert_failure
        assert_stderr_contains "$cmd: unknown option \`--frobnicate\`"
        assert_file_missing "$BW_ROOT/$CID"
    done
    for cmd in start state kill delete list; do
        bw "$cmd" --frobnicate "$CID"
        assert_failure
        assert_stderr_contains "$cmd: unknown option \`--frobnicate\`"
        bw "$cmd" -Z "$CID"
        assert_failure
        assert_stderr_contains "$cmd: unknown option \`-Z\`"
    done
    assert_list_empty
    assert_nothing_left
}

test_option_without_argument() {
    bw create "$CID" --bundle
    assert_failure
    assert_stderr_contains "create: option \`--bundle\` needs an argument"
    bw run "$CID" -b
    assert_failure
    assert_stderr_contains "run: option \`-b\` needs an argument"
    assert_failed_cleanly
}

# Short options in a group are named alone, wherever getopt stopped in it.
test_short_option_in_a_group() {
    bw list -qf
    assert_failure
    assert_stderr_contains "list: option \`-f\` needs an argument"
    bw list --format=json -xq
    assert_failure
    assert_stderr_contains "list: unknown option \`-x\`"
    bw list -qx
    assert_failure
    assert_stderr_contains "list: unknown option \`-x\`"
    assert_failed_cleanly
}

# A flag given a value is not an unknown option.
test_flag_with_a_value() {
    make_bundle
    bw run --detach=1 --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "run: option \`--detach\` takes no argument"
    bw list --quiet=yes
    assert_failure
    assert_stderr_contains "list: option \`--quiet\` takes no argument"
    bw list --frob=1
    assert_failure
    assert_stderr_contains "list: unknown option \`--frob=1\`"
    assert_failed_cleanly
}

# Engines read the error from the --log file: it names the option too.
test_unknown_option_in_log() {
    make_bundle
    bw --log "$T/burrow.log" create --frobnicate --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_file_exists "$T/burrow.log"
    grep -qF -- "unknown option \`--frobnicate\`" "$T/burrow.log" ||
        fail "$T/burrow.log does not name --frobnicate: $(cat "$T/burrow.log")"
    assert_failed_cleanly
}

test_bad_preserve_fds() {
    make_bundle
    bw create --preserve-fds lots --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly '--preserve-fds: "lots"'
}

# A bad signal is refused before anything is sent: the container is unharmed.
test_kill_unknown_signal_name() {
    create_waiting
    bw kill "$CID" FOO
    assert_failure
    assert_stderr_contains '"FOO"'
    assert_stderr_contains "signal"
    bw kill "$CID" SIGFOO
    assert_failure
    assert_stderr_contains '"SIGFOO"'
    bw kill "$CID" ''
    assert_failure
    assert_stderr_contains "signal"
    assert_state "$CID" created
    bw delete "$CID"
    assert_success
    assert_reaped
    assert_nothing_left
}

test_kill_signal_number_out_of_range() {
    create_waiting
    local sig
    for sig in 65 1000 99999999999999999999 0x9 9x; do
        bw kill "$CID" "$sig"
        assert_failure
        assert_stderr_contains "\"$sig\""
    done
    # -9 is an option, as for any getopt command, and said so.
    bw kill "$CID" -9
    assert_failure
    assert_stderr_contains "unknown option \`-9\`"
    assert_state "$CID" created
    bw delete "$CID"
    assert_success
    assert_reaped
    assert_nothing_left
}

# --- the bundle ---------------------------------------------------------------------

test_bundle_does_not_exist() {
    bw create --bundle "$T/no-such-bundle" "$CID"
    assert_failed_cleanly "$T/no-such-bundle" "No such file or directory"
    bw run --bundle "$T/no-such-bundle" "$CID"
    assert_failed_cleanly "$T/no-such-bundle" "No such file or directory"
}

test_bundle_is_a_file() {
    echo '{}' >"$T/file"
    bw create --bundle "$T/file" "$CID"
    assert_failed_cleanly "$T/file" "Not a directory"
}

# Permissions do not stop root.
# modes: rootless nosubuid
test_bundle_not_readable() {
    make_bundle
    chmod 0000 "$BUNDLE"
    bw create --bundle "$BUNDLE" "$CID"
    chmod 0755 "$BUNDLE"
    assert_failed_cleanly "$BUNDLE" "Permission denied"
}

# The default bundle is the current directory.
test_default_bundle_without_config() {
    mkdir "$T/empty"
    cd "$T/empty" || fail "cd $T/empty"
    bw create "$CID"
    assert_failed_cleanly "$T/empty/config.json" "No such file or directory"
}

test_config_missing() {
    make_bundle
    rm "$BUNDLE/config.json"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$BUNDLE/config.json" "No such file or directory"
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$BUNDLE/config.json" "No such file or directory"
}

# modes: rootless nosubuid
test_config_not_readable() {
    make_bundle
    chmod 0000 "$BUNDLE/config.json"
    bw create --bundle "$BUNDLE" "$CID"
    chmod 0644 "$BUNDLE/config.json"
    assert_failed_cleanly "$BUNDLE/config.json" "Permission denied"
}

test_config_is_a_directory() {
    make_bundle
    rm "$BUNDLE/config.json"
    mkdir "$BUNDLE/config.json"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$BUNDLE/config.json"
}

test_config_empty() {
    make_bundle
    : >"$BUNDLE/config.json"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json"
}

test_config_malformed_json() {
    make_bundle
    printf '{\n  "ociVersion": "1.2.0",\n  "process": {\n    "args": ["/bin/true",]\n  }\n}\n' \
        >"$BUNDLE/config.json"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json" "line 4, column"
}

test_config_not_an_object() {
    make_bundle
    echo '["not", "an", "object"]' >"$BUNDLE/config.json"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json"
}

test_config_args_empty() {
    make_bundle
    cfg '.process.args = []'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json" "process.args"
}

test_config_args_missing() {
    make_bundle
    cfg 'del(.process.args)'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json" "process.args"
}

test_config_oci_version_2() {
    make_bundle
    cfg '.ociVersion = "2.0.0"'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json" "ociVersion" "2.0.0"
}

test_config_unknown_rlimit() {
    make_bundle
    cfg '.process.rlimits = [{"type": "RLIMIT_FOO", "soft": 1, "hard": 1}]'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json" "process.rlimits[0].type" "RLIMIT_FOO"
}

test_config_relative_cwd() {
    make_bundle
    cfg '.process.cwd = "tmp"'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json" "process.cwd"
}

test_config_wrong_type() {
    make_bundle
    cfg '.process.args = "/bin/true"'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json" "process.args"
}

test_rootfs_does_not_exist() {
    make_bundle
    # shellcheck disable=SC2016 # $r is jq's
    cfg '.root.path = $r' --arg r "$T/no-such-rootfs"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$T/no-such-rootfs" "No such file or directory"
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$T/no-such-rootfs" "No such file or directory"
}

test_rootfs_relative_does_not_exist() {
    make_bundle
    cfg '.root.path = "rootfs"'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$BUNDLE/rootfs" "No such file or directory"
}

test_rootfs_is_a_file() {
    make_bundle
    echo x >"$T/rootfs-file"
    # shellcheck disable=SC2016 # $r is jq's
    cfg '.root.path = $r' --arg r "$T/rootfs-file"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$T/rootfs-file" "Not a directory"
}

test_run_args0_not_found() {
    make_bundle
    set_args /bin/nope
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "/bin/nope"
}

# `create` checks that process.args[0] can be executed, as runc does: the
# error comes at create time, not at start.
test_create_args0_not_found() {
    make_bundle
    set_args /bin/nope
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "/bin/nope"
}

test_run_args0_not_in_path() {
    make_bundle
    set_args no-such-program
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "no-such-program"
}

# It exists, so the reason is not "No such file or directory".
test_run_args0_is_a_directory() {
    make_bundle
    set_args /tmp
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "process.args[0] \`/tmp\`" "Permission denied"
    assert_stderr_not_contains "No such file"
}

# A missing cwd is created (container.sh), but not on a read-only mount.
test_run_cwd_on_a_read_only_mount() {
    make_bundle
    payload_args cwd
    cfg '.process.cwd = "/home/no-such-dir"
        | .mounts += [{"destination": "/home", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "create process.cwd \`/home/no-such-dir\`" "Read-only file system"
}

# Under a file: not a directory, and nothing is created.
test_run_cwd_under_a_file() {
    make_bundle
    payload_args cwd
    cfg '.process.cwd = "/bin/payload/sub"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "process.cwd \`/bin/payload/sub\`" "Not a directory"
}

test_run_cwd_is_a_file() {
    make_bundle
    payload_args cwd
    cfg '.process.cwd = "/bin/payload"'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "process.cwd \`/bin/payload\`" "Not a directory"
    assert_stderr_not_contains "No such file"
}

# --- container ids ---------------------------------------------------------------------

# The second create fails and leaves the first container alone.
test_id_taken() {
    create_waiting
    bw create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "\`$CID\` already exists"
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "\`$CID\` already exists"
    assert_state "$CID" created
    assert_file_exists "$BW_ROOT/$CID"
    bw list -q
    assert_stdout_eq "$CID"
    bw start "$CID"
    assert_success
    assert_state "$CID" running
    bw delete --force "$CID"
    assert_success
    assert_reaped
    assert_list_empty
    assert_nothing_left
}

test_malformed_ids() {
    make_bundle
    mkdir "$T/x" "$BW_ROOT"
    local id long cmd
    long=$(printf 'a%.0s' {1..1025})
    for id in ../x a/b . .. "$long" 'a b' 'a;b' $'a\nb'; do
        bw create --bundle "$BUNDLE" "$id"
        assert_failure
        assert_stderr_contains "invalid container id"
        # The message names the id (a long one by its length).
        if [ "$id" = "$long" ]; then
            assert_stderr_contains "1025 characters"
        else
            assert_stderr_contains "\"$id\""
        fi
        bw run --bundle "$BUNDLE" "$id"
        assert_failure
        assert_stderr_contains "invalid container id"
        for cmd in start state kill delete; do
            bw "$cmd" "$id"
            assert_failure
            assert_stderr_contains "invalid container id"
        done
        bw delete --force "$id"
        assert_failure
        assert_stderr_contains "invalid container id"
    done
    bw create --bundle "$BUNDLE" ""
    assert_failure
    assert_stderr_contains "invalid container id: empty"
    bw state ""
    assert_failure
    assert_stderr_contains "invalid container id: empty"
    # Nothing made outside the state root, nor in it.
    assert_eq "$(ls -A "$T/x")" "" "contents of $T/x"
    assert_eq "$(ls -A "$BW_ROOT")" "" "contents of $BW_ROOT"
    assert_list_empty
    assert_nothing_left
}

# An id the checks allow but longer than a file name can be.
test_id_longer_than_a_file_name() {
    make_bundle
    local id
    id=$(printf 'b%.0s' {1..300})
    bw create --bundle "$BUNDLE" "$id"
    assert_failure
    assert_match "$stderr" "container id|File name too long" "the message"
    assert_list_empty
    assert_nothing_left
}

test_ops_on_unknown_id() {
    local cmd
    for cmd in state start kill delete; do
        bw "$cmd" "$CID"
        assert_failure
        assert_stderr_contains "\`$CID\` does not exist"
    done
    bw kill "$CID" KILL
    assert_failure
    assert_stderr_contains "\`$CID\` does not exist"
    assert_failed_cleanly
}

# `delete --force` of a container that does not exist succeeds silently, as
# with runc and crun: engines (Podman) run it after a create that failed.
# An invalid id is still an error, and nothing is created.
test_delete_force_unknown_id() {
    bw delete --force "$CID"
    assert_success
    assert_eq "$stderr" "" "stderr of delete --force"
    assert_file_missing "$BW_ROOT"
    bw delete --force "bad/id"
    assert_failure
    assert_stderr_contains "invalid container id"
    assert_file_missing "$BW_ROOT"
    bw delete "$CID"
    assert_failure
    assert_stderr_contains "\`$CID\` does not exist"
    assert_nothing_left
}

# --- the lifecycle --------------------------------------------------------------------

test_start_running_container() {
    run_detached_waiting
    bw start "$CID"
    assert_failure
    assert_stderr_contains "$CID"
    assert_stderr_contains "running, not created"
    assert_state "$CID" running
    bw kill "$CID" USR1
    assert_success
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_success
    assert_reaped
    assert_nothing_left
}

test_start_stopped_container() {
    make_bundle
    payload_args exit 0
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    bw start "$CID"
    assert_success
    wait_until 10 state_is "$CID" stopped
    bw start "$CID"
    assert_failure
    assert_stderr_contains "$CID"
    assert_stderr_contains "stopped, not created"
    assert_state "$CID" stopped
    bw delete "$CID"
    assert_success
    assert_reaped
    assert_nothing_left
}

test_start_twice() {
    create_waiting
    bw start "$CID"
    assert_success
    bw start "$CID"
    assert_failure
    assert_stderr_contains "not created"
    assert_state "$CID" running
    bw delete --force "$CID"
    assert_success
    assert_reaped
    assert_nothing_left
}

test_delete_running_without_force() {
    run_detached_waiting
    bw delete "$CID"
    assert_failure
    assert_stderr_contains "$CID"
    assert_stderr_contains "running"
    assert_stderr_contains "--force"
    assert_state "$CID" running
    assert_file_exists "$BW_ROOT/$CID"
    bw delete --force "$CID"
    assert_success
    assert_reaped
    assert_list_empty
    assert_nothing_left
}

test_kill_stopped_container() {
    make_bundle
    payload_args exit 0
    bw run --detach --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    wait_until 10 state_is "$CID" stopped
    bw kill "$CID" TERM
    assert_failure
    assert_stderr_contains "$CID"
    assert_stderr_contains "stopped"
    bw delete "$CID"
    assert_success
    assert_reaped
    assert_nothing_left
}

# --- the state root ---------------------------------------------------------------------

test_root_is_a_file() {
    make_bundle
    echo x >"$T/rootfile"
    local cmd
    capture "$BURROW" --root "$T/rootfile" create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "$T/rootfile"
    capture "$BURROW" --root "$T/rootfile" run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "$T/rootfile"
    for cmd in state start kill delete; do
        capture "$BURROW" --root "$T/rootfile" "$cmd" "$CID"
        assert_failure
        assert_stderr_contains "$T/rootfile"
    done
    capture "$BURROW" --root "$T/rootfile" list
    assert_failure
    assert_stderr_contains "$T/rootfile"
    assert_eq "$(cat "$T/rootfile")" "x" "contents of $T/rootfile"
    assert_failed_cleanly
}

test_root_under_a_file() {
    make_bundle
    echo x >"$T/rootfile"
    capture "$BURROW" --root "$T/rootfile/state" create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "$T/rootfile"
    assert_stderr_contains "Not a directory"
    assert_failed_cleanly
}

# modes: rootless nosubuid
test_root_not_writable() {
    make_bundle
    mkdir "$T/ro"
    chmod 0555 "$T/ro"
    capture "$BURROW" --root "$T/ro" create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "$T/ro"
    assert_stderr_contains "Permission denied"
    capture "$BURROW" --root "$T/ro/state" run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "$T/ro/state"
    assert_stderr_contains "Permission denied"
    chmod 0755 "$T/ro"
    assert_eq "$(ls -A "$T/ro")" "" "contents of $T/ro"
    assert_failed_cleanly
}

# --- failures late in create: what was set up is undone ----------------------------------

# The pid file is written after the container's process exists: that
# process must go too.
test_pid_file_in_missing_directory() {
    make_bundle
    payload_args wait-signal 30
    bw create --pid-file "$T/no-such-dir/pid" --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$T/no-such-dir/pid"
    assert_file_missing "$T/no-such-dir"
}

# A mount whose source does not exist fails inside the child, after the
# namespaces and the state directory exist.
test_mount_source_missing() {
    make_bundle
    # shellcheck disable=SC2016 # $s is jq's
    cfg '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["bind"]}]' \
        --arg s "$T/no-such-source"
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "$T/no-such-source"
}

# Opening a FIFO for reading waits for a writer: burrow must not hang on
# one (or on a device) where config.json should be.
test_config_is_a_fifo() {
    make_bundle
    rm "$BUNDLE/config.json"
    mkfifo "$BUNDLE/config.json"
    capture timeout 10 "$BURROW" --root "$BW_ROOT" create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_failed_cleanly "$BUNDLE" "config.json" "not a regular file"
}

test_config_is_a_device() {
    make_bundle
    rm "$BUNDLE/config.json"
    ln -s /dev/zero "$BUNDLE/config.json"
    capture timeout 10 "$BURROW" --root "$BW_ROOT" create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_failed_cleanly "$BUNDLE" "config.json" "not a regular file"
}

# Commands that only look must not make the state root either.
test_unknown_id_makes_no_state_root() {
    local cmd
    assert_file_missing "$BW_ROOT"
    for cmd in state start kill delete; do
        bw "$cmd" "$CID"
        assert_failure
        assert_stderr_contains "\`$CID\` does not exist"
        assert_file_missing "$BW_ROOT"
    done
    bw list -q
    assert_success
    assert_stdout_eq ""
    assert_file_missing "$BW_ROOT"
    echo x >"$T/rootfile"
    capture "$BURROW" --root "$T/rootfile/state" state "$CID"
    assert_failure
    assert_stderr_contains "$T/rootfile/state"
    assert_stderr_not_contains "create"
    assert_nothing_left
}

# Fields this version cannot apply are refused by name before anything is
# made (runtime.md: a property that cannot be applied is an error).
test_unsupported_fields_refused() {
    local field filter
    for field in netDevices intelRdt; do
        case $field in
        netDevices) filter='.linux.netDevices = {"eth9": {"name": "eth0"}}' ;;
        intelRdt) filter='.linux.intelRdt = {"closID": "guaranteed_group"}' ;;
        esac
        rm -rf "$BUNDLE"
        make_bundle
        cfg "$filter"
        payload_args exit 0
        bw run --bundle "$BUNDLE" "$CID"
        assert_failed_cleanly "config.json: linux.$field: not supported by this version of burrow"
    done
}
