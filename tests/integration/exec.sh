# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# exec, ps, features: a second process in a running container sees what its
# init sees (namespaces, root, mounts, user, the config's process
# settings), the flags change exactly what they name, and ps lists it.
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# start_container [ID]: run $BUNDLE (made if missing) detached, its init
# sleeping; sets `init` to the init's host pid.
start_container() {
    local id=${1:-$CID}
    [ -f "${BUNDLE:-}/config.json" ] || make_bundle
    payload_args sleep 600
    bw run -d --bundle "$BUNDLE" "$id"
    assert_success
    get_pid "$id"
    init=$pid
}

# ns_of NAME: the `ns: NAME TARGET` target from the last payload output.
ns_of() {
    sed -n "s/^ns: $1 //p" <<<"$stdout"
}

# only_init_left: `burrow ps` lists the init alone (a failed exec left no
# process in the container).
only_init_left() {
    bw ps --format json "$CID"
    assert_success
    assert_eq "$(jq -c . <<<"$stdout")" "[$init]" "the container's processes"
}

# finish: delete the container and check nothing is left.
finish() {
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
}

# --- the process sees the container ----------------------------------------------

# Every namespace, the hostname, the root and its mounts, and the user are
# the init's; the pid namespace too, where the process is not pid 1.
test_exec_sees_the_container() {
    make_bundle
    cfg '.hostname = "inside"'
    start_container
    bw exec "$CID" /bin/payload hostname -- ns -- pid -- ids -- cat /proc/self/mountinfo
    assert_success
    assert_stdout_line "hostname: inside"
    assert_stdout_line "uid: 0"
    assert_stdout_line "gid: 0"
    local n
    for n in user mnt pid uts ipc net cgroup; do
        assert_eq "$(ns_of "$n")" "$(readlink "/proc/$init/ns/$n")" "the exec'd process's $n namespace"
    done
    assert_ne "$(sed -n 's/^pid: //p' <<<"$stdout")" 1 "the exec'd process's pid"
    # The same root and mounts as the init, seen from the same root.
    local mine theirs
    mine=$(awk 'NF > 6 && $1 ~ /^[0-9]+$/ { print $5, $9 }' <<<"$stdout" | sort)
    theirs=$(awk '{ print $5, $9 }' "/proc/$init/mountinfo" | sort)
    assert_eq "$mine" "$theirs" "the mount points of the exec'd process"
    [ -n "$mine" ] || fail "no mountinfo lines read"
    finish
}

# The config's process settings apply: env, cwd, rlimits, capabilities,
# noNewPrivileges, umask.
test_exec_config_process() {
    make_bundle
    cfg '.process.env += ["FROM_CONFIG=1"] | .process.cwd = "/tmp"
         | .process.rlimits = [{"type":"RLIMIT_NOFILE","soft":123,"hard":456}]
         | .process.capabilities = {"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]}
         | .process.noNewPrivileges = true | .process.user.umask = 23'
    start_container
    bw exec "$CID" /bin/payload env -- cwd -- rlimit NOFILE -- caps -- nnp -- umask
    assert_success
    assert_stdout_line "env: FROM_CONFIG=1"
    assert_stdout_line "cwd: /tmp"
    assert_stdout_line "rlimit: NOFILE 123 456"
    assert_stdout_line "CapEff: 0000000000000020"
    assert_stdout_line "CapBnd: 0000000000000020"
    assert_stdout_line "nnp: 1"
    assert_stdout_line "umask: 0027"
    finish
}

# --env, --cwd, --cap, --no-new-privs change what they name, and only that.
test_exec_flags() {
    make_bundle
    cfg '.process.env = ["PATH=/bin", "KEEP=1", "OVER=old"] | .process.noNewPrivileges = false
         | .process.capabilities = {"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]}'
    start_container
    bw exec "$CID" /bin/payload env -- nnp -- caps
    assert_success
    assert_stdout_line "nnp: 0"
    bw exec --env OVER=new -e NEW=x=y --cwd /etc --cap CAP_NET_RAW -c CAP_CHOWN --no-new-privs \
        "$CID" /bin/payload env -- cwd -- nnp -- caps
    assert_success
    assert_stdout_line "env: KEEP=1"
    assert_stdout_line "env: OVER=new"
    assert_stdout_not_contains "OVER=old"
    assert_stdout_line "env: NEW=x=y"
    assert_stdout_line "cwd: /etc"
    assert_stdout_line "nnp: 1"
    # CAP_CHOWN 0, CAP_KILL 5, CAP_NET_RAW 13
    assert_stdout_line "CapEff: 0000000000002021"
    assert_stdout_line "CapBnd: 0000000000002021"
    assert_stdout_line "CapAmb: 0000000000000000"
    # The command's own options are its own: `exec ID CMD -x` is not ours.
    bw exec "$CID" sh -c 'echo "$0 $1"' -e --cwd
    assert_success
    assert_stdout_eq "-e --cwd"
    finish
}

# As root, a container with a user namespace of its own: exec joins it
# first and runs as its root (host uid 100000).
# modes: root
test_exec_root_user_namespace() {
    make_bundle
    cfg '.linux.namespaces += [{"type": "user"}]
         | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
         | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    start_container
    bw exec -u 1000 "$CID" /bin/payload ns -- ids -- uidmap -- sleep 0
    assert_success
    assert_eq "$(ns_of user)" "$(readlink "/proc/$init/ns/user")" "the exec'd process's user namespace"
    assert_ne "$(ns_of user)" "$(readlink /proc/self/ns/user)" "the exec'd process's user namespace"
    assert_stdout_line "uid: 1000"
    assert_stdout_line "uidmap: 0 100000 65536"
    bw exec -d --pid-file "$T/exec.pid" -u 1000 "$CID" /bin/payload sleep 600
    assert_success
    local p
    p=$(cat "$T/exec.pid")
    track_pid "$CID" "$p"
    assert_eq "$(stat -c %u "/proc/$p")" 101000 "the host uid of the exec'd process"
    bw exec -u 70000 "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "process.user.uid 70000 is not mapped in the container's user namespace"
    finish
}

# The exec'd process does not get the caller's session keyring but the
# container's, by its name.
test_exec_session_keyring() {
    make_bundle
    # The default seccomp profile denies the keyring syscalls the payload
    # uses to look.
    cfg 'del(.linux.seccomp)'
    start_container
    local host
    host=$("$PAYLOAD" keyring) || fail "payload keyring failed on the host"
    host=${host#keyring: }
    bw exec "$CID" /bin/payload keyring
    assert_success
    local inside
    inside=$(sed -n 's/^keyring: //p' <<<"$stdout")
    assert_eq "${inside#* }" "_ses.$CID" "the exec'd process's session keyring"
    assert_ne "${inside%% *}" "${host%% *}" "keyring serial"
    # The init's very keyring, joined each time, not a new one of that name.
    bw exec "$CID" /bin/payload keyring
    assert_success
    assert_stdout_line "keyring: $inside"
    finish
}

# --user and --additional-gids, where the ids are mapped.
# modes: root rootless
test_exec_user() {
    make_bundle
    start_container
    bw exec --user 1000:1001 --additional-gids 5 -g 6 "$CID" /bin/payload ids
    assert_success
    assert_stdout_line "uid: 1000"
    assert_stdout_line "gid: 1001"
    assert_stdout_line "groups: 5 6"
    # A uid alone keeps the config's gid.
    bw exec -u 1000 "$CID" /bin/payload ids
    assert_success
    assert_stdout_line "uid: 1000"
    assert_stdout_line "gid: 0"
    finish
}

# An init running as another user (rootless: a host uid that is not ours)
# can still be joined; the exec'd process gets the config's user, as the
# init did, unless --user says otherwise.
# modes: root rootless
test_exec_init_not_root() {
    make_bundle
    cfg '.process.user.uid = 1000 | .process.user.gid = 1000'
    start_container
    bw exec "$CID" /bin/payload ids
    assert_success
    assert_stdout_line "uid: 1000"
    assert_stdout_line "gid: 1000"
    bw exec -u 0:0 "$CID" /bin/payload ids
    assert_success
    assert_stdout_line "uid: 0"
    finish
}

# Only the caller's own id is mapped: another uid, or supplementary groups
# (setgroups is denied), are refused before anything runs.
# modes: nosubuid
test_exec_user_unmapped() {
    make_bundle
    start_container
    bw exec --user 1000 "$CID" /bin/payload ids
    assert_status 1
    assert_stderr_contains "exec in container \`$CID\`: process.user.uid 1000 is not mapped in the container's user namespace"
    assert_stdout_eq ""
    bw exec --additional-gids 0 "$CID" /bin/payload ids
    assert_status 1
    assert_stderr_contains "process.user.additionalGids: supplementary groups cannot be set"
    only_init_left
    finish
}

# --process FILE is the whole process; flags that would change it are refused.
test_exec_process_file() {
    make_bundle
    start_container
    jq -n '{"args":["/bin/payload","env","--","cwd","--","ids","--","nnp"],"cwd":"/dev",
            "env":["ONLY=this"],"user":{"uid":0,"gid":0},"noNewPrivileges":true}' >"$T/process.json"
    bw exec --process "$T/process.json" "$CID"
    assert_success
    # Only its env: none of the config's.
    assert_eq "$(grep '^env: ' <<<"$stdout")" "env: ONLY=this" "the environment"
    assert_stdout_line "cwd: /dev"
    assert_stdout_line "uid: 0"
    assert_stdout_line "gid: 0"
    assert_stdout_line "nnp: 1"
    jq '.terminal = true' "$T/process.json" >"$T/tty.json"
    bw exec -d -p "$T/tty.json" "$CID"
    assert_status 1
    assert_stderr_contains "process.terminal: true, but exec --detach has no terminal to relay"
    bw exec -p "$T/process.json" --env A=b "$CID"
    assert_status 1
    assert_stderr_contains "--env cannot be combined with --process"
    bw exec -p "$T/process.json" "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "ARGS cannot be combined with --process"
    # The file is parsed and validated as a process object.
    jq -n '{"args":["/bin/true"],"cwd":"relative"}' >"$T/bad.json"
    bw exec -p "$T/bad.json" "$CID"
    assert_status 1
    assert_stderr_contains "process.json: cwd"
    jq -n '{"args":[],"cwd":"/"}' >"$T/bad.json"
    bw exec -p "$T/bad.json" "$CID"
    assert_status 1
    assert_stderr_contains "process.json: args"
    echo '{"args": [' >"$T/bad.json"
    bw exec -p "$T/bad.json" "$CID"
    assert_status 1
    assert_stderr_contains "process.json: syntax error"
    bw exec -p "$T/missing.json" "$CID"
    assert_status 1
    assert_stderr_contains "--process \`$T/missing.json\`"
    only_init_left
    finish
}

# --- exit status, signals, detach ----------------------------------------------

test_exec_exit_status() {
    start_container
    bw exec "$CID" /bin/payload exit 7
    assert_status 7
    bw exec "$CID" sh -c 'kill -TERM $$'
    assert_status 143
    bw exec "$CID" true
    assert_status 0
    finish
}

# A signal to a foreground exec goes to the process.
test_exec_signal_forwarded() {
    start_container
    bw_bg exec "$CID" /bin/payload wait-signal 20
    wait_until 10 file_has_line "$bg_out" "wait-signal: ready"
    kill -USR1 "$bg_pid"
    bw_wait
    assert_status 138
    assert_stdout_line "signal: USR1"
    only_init_left
    finish
}

# --detach returns at once; --pid-file names the process (host pid), which
# runs in the container's pid namespace.
test_exec_detach_pid_file() {
    start_container
    bw exec --detach --pid-file "$T/exec.pid" "$CID" /bin/payload sleep 600
    assert_success
    assert_file_exists "$T/exec.pid"
    local p
    p=$(cat "$T/exec.pid")
    [[ $p =~ ^[0-9]+$ ]] || fail "pid file holds \"$p\""
    track_pid "$CID" "$p"
    assert_eq "$(readlink "/proc/$p/ns/pid")" "$(readlink "/proc/$init/ns/pid")" "the detached process's pid namespace"
    bw ps --format json "$CID"
    assert_success
    assert_eq "$(jq -c 'sort' <<<"$stdout")" "$(jq -cn '[$a, $b] | sort' --argjson a "$init" --argjson b "$p")" "ps"
    finish
}

# fds 3 .. 3+N-1 reach the process with --preserve-fds N, and no others; an
# fd that is not open is an error.
test_exec_fds() {
    start_container
    echo "through fd 4" >"$T/four"
    capture sh -c 'exec 3</dev/null 4<"$3" 5</dev/null; exec "$0" --root "$1" exec "$2" /bin/payload fds' \
        "$BURROW" "$BW_ROOT" "$CID" "$T/four"
    assert_success
    assert_stdout_eq "fds: 0 1 2"
    capture sh -c 'exec 3</dev/null 4<"$3" 5</dev/null; exec "$0" --root "$1" exec --preserve-fds 2 "$2" /bin/payload fds -- cat /proc/self/fd/4' \
        "$BURROW" "$BW_ROOT" "$CID" "$T/four"
    assert_success
    assert_stdout_eq $'fds: 0 1 2 3 4\nthrough fd 4'
    capture sh -c 'exec 3</dev/null; exec "$0" --root "$1" exec --preserve-fds 2 "$2" /bin/payload fds' \
        "$BURROW" "$BW_ROOT" "$CID"
    assert_status 1
    assert_stderr_contains "exec: --preserve-fds 2: fd 4 is not open"
    only_init_left
    finish
}

# --- terminals ------------------------------------------------------------------

# -t in the foreground: a new pty of the container's devpts is the process's
# controlling terminal and stdio, relayed by burrow (its stdin here is not a
# terminal); the exit status is the process's.
test_exec_tty_relay() {
    start_container
    bw exec -t "$CID" /bin/sh -c '/bin/payload tty; exit 4'
    assert_status 4
    stdout=$(tr -d '\r' <<<"$stdout")
    assert_stdout_line "tty: /dev/pts/0"
    assert_stdout_line "ctty: yes"
    assert_stdout_line "foreground: yes"
    only_init_left
    finish
}

# -t --console-socket --detach: the pty master goes to the socket (runc's
# protocol), and exec returns.
test_exec_tty_console_socket() {
    start_container
    "$PAYLOAD" console-recv "$T/console.sock" 'expect:# ' $'send:tty; exit 3\n' >"$T/recv.out" 2>"$T/recv.err" &
    local recv_pid=$!
    wait_until 10 test -S "$T/console.sock"
    bw exec -t -d --console-socket "$T/console.sock" --pid-file "$T/exec.pid" "$CID" /bin/sh
    assert_success
    track_pid "$CID" "$(cat "$T/exec.pid")"
    local recv_status=0
    wait "$recv_pid" || recv_status=$?
    assert_eq "$recv_status" 0 "console-recv's exit status ($(cat "$T/recv.err"))"
    assert_match "$(tr -d '\r' <"$T/recv.out")" "/dev/pts/[0-9]+" "what the pty said"
    wait_until 10 pid_reaped "$(cat "$T/exec.pid")"
    only_init_left
    finish
}

# --- containers in other states ------------------------------------------------------

# A stopped container (its init exited) and a created one are refused.
test_exec_not_running() {
    make_bundle
    payload_args exit 0
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    wait_until 10 state_is "$CID" stopped
    bw exec "$CID" /bin/payload echo should-not-run
    assert_status 1
    assert_stdout_eq ""
    assert_stderr_contains "exec in container \`$CID\`: it is stopped: only a running container can exec a process"
    bw delete "$CID"
    assert_success

    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    bw exec "$CID" /bin/payload echo should-not-run
    assert_status 1
    assert_stdout_eq ""
    assert_stderr_contains "it is created, not running"
    assert_state "$CID" created
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

test_exec_no_such_container() {
    bw exec no-such-container /bin/true
    assert_status 1
    assert_stderr_contains "exec: container \`no-such-container\` does not exist"
    bw exec "bad/id" /bin/true
    assert_status 1
    assert_stderr_contains "exec:"
    assert_nothing_left
}

# Every error about the command, the user or the process: the message, the
# exit status, and no process left in the container.
test_exec_errors() {
    start_container
    bw exec "$CID" /bin/no-such-program
    assert_status 1
    assert_stderr_contains "exec in container \`$CID\`: process.args[0] \`/bin/no-such-program\`: not an executable file in the container"
    bw exec -d --pid-file "$T/exec.pid" "$CID" no-such-program
    assert_status 1
    assert_file_missing "$T/exec.pid"
    assert_stderr_contains "process.args[0] \`no-such-program\`: executable file not found in the container's PATH"
    bw exec --cwd /no/such/dir "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "process.cwd \`/no/such/dir\`: No such file or directory"
    bw exec --cwd relative "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "--cwd: \"relative\" is not an absolute path"
    bw exec --user root "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "--user: \"root\" is not UID[:GID]"
    bw exec --user 1:x "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "--user: \"1:x\" is not UID[:GID]"
    bw exec --cap CAP_NO_SUCH "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "exec: --cap: unknown capability \"CAP_NO_SUCH\""
    bw exec --cap net_raw "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "unknown capability \"net_raw\""
    bw exec --env NOEQUALS "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "--env: \"NOEQUALS\" is not KEY=VALUE"
    bw exec --tty --detach "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "exec --detach has no terminal to relay: give --console-socket"
    bw exec --console-socket "$T/sock" "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "--console-socket: config.json has process.terminal false"
    bw exec -t --console-socket "$T/no-such.sock" "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "--console-socket: connect to \`$T/no-such.sock\`"
    bw exec --apparmor some-profile "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "apparmorProfile"
    bw exec "$CID"
    assert_status 1
    assert_stderr_contains "missing the command to run"
    bw exec
    assert_status 1
    assert_stderr_contains "missing container id"
    bw exec --no-such-flag "$CID" /bin/true
    assert_status 1
    assert_stderr_contains "unknown option \`--no-such-flag\`"
    # The burrow binary itself is never run inside.
    only_init_left
    finish
}

# The container's seccomp filter confines the exec'd process too, loaded
# as for the init (before the ids without noNewPrivileges, last with it).
test_exec_seccomp() {
    make_bundle
    cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                           "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
    start_container
    bw exec "$CID" /bin/payload syscall getppid -- syscall gettid -- cat /proc/self/status
    assert_success
    assert_stdout_line "syscall: getppid = -1 EXDEV"
    assert_match "$(grep '^syscall: gettid' <<<"$stdout")" '^syscall: gettid = [0-9]+$' "gettid"
    assert_stdout_contains $'Seccomp:	2'
    # Without no_new_privs, and as another user (loaded while root).
    if [ "$BW_MODE" != nosubuid ]; then
        bw exec --user 1000 "$CID" /bin/payload syscall getppid -- nnp
        assert_success
        assert_stdout_line "syscall: getppid = -1 EXDEV"
    fi
    finish
}

# A filter with SCMP_ACT_NOTIFY rules needs a listener exec cannot hand on
# yet: refused rather than run unconfined.  (The state directory's config
# copy is edited: a container with such a filter needs an agent to start.)
test_exec_seccomp_notify_refused() {
    start_container
    jq '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent.sock",
                          "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]}' \
        "$BW_ROOT/$CID/config.json" >"$T/config.new"
    cat "$T/config.new" >"$BW_ROOT/$CID/config.json"
    bw exec "$CID" /bin/payload echo should-not-run
    assert_status 1
    assert_stdout_eq ""
    assert_stderr_contains "linux.seccomp: a filter with SCMP_ACT_NOTIFY rules cannot be given to an exec'd process yet"
    only_init_left
    finish
}

# A container that joined another one's namespaces by path: exec joins the
# namespaces its init is in, the joined ones included.
test_exec_joined_namespaces() {
    make_bundle
    cfg '.hostname = "first"'
    start_container
    local first=$init
    local cid2
    cid2=$(new_cid)
    make_bundle "$T/bundle2"
    cfg 'del(.hostname) | .linux.namespaces |= map(select(.type != "uts" and .type != "ipc"))
         | .linux.namespaces += [{"type":"uts","path":"/proc/\($p)/ns/uts"},
                                 {"type":"ipc","path":"/proc/\($p)/ns/ipc"}]' --arg p "$first"
    if [ "$(id -u)" -ne 0 ]; then
        cfg '.linux.namespaces |= map(select(.type != "user"))
             | .linux.namespaces += [{"type":"user","path":"/proc/\($p)/ns/user"}]
             | del(.linux.uidMappings) | del(.linux.gidMappings)' --arg p "$first"
    fi
    start_container "$cid2"
    local second=$init
    bw exec "$cid2" /bin/payload hostname -- ns
    assert_success
    assert_stdout_line "hostname: first"
    local n
    for n in uts ipc user; do
        assert_eq "$(ns_of "$n")" "$(readlink "/proc/$first/ns/$n")" "the exec'd process's $n namespace"
    done
    for n in mnt pid; do
        assert_eq "$(ns_of "$n")" "$(readlink "/proc/$second/ns/$n")" "the exec'd process's $n namespace"
        assert_ne "$(ns_of "$n")" "$(readlink "/proc/$first/ns/$n")" "the exec'd process's $n namespace"
    done
    bw delete --force "$cid2"
    assert_success
    finish
}

# A container in the host's pid namespace: the exec'd process is found by
# the container's mount namespace, by ps and by delete --force.
test_exec_shared_pid_namespace() {
    make_bundle
    cfg '.linux.namespaces = [{"type":"mount"}] | del(.hostname) | del(.domainname)
         | .mounts = [{"destination":"/proc","type":"bind","source":"/proc","options":["rbind"]},
                      {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["mode=755"]}]'
    [ "$(id -u)" -eq 0 ] || cfg 'del(.linux.uidMappings) | del(.linux.gidMappings)'
    start_container
    bw exec -d --pid-file "$T/exec.pid" "$CID" /bin/payload sleep 600
    assert_success
    local p
    p=$(cat "$T/exec.pid")
    track_pid "$CID" "$p"
    assert_eq "$(readlink "/proc/$p/ns/pid")" "$(readlink /proc/self/ns/pid)" "the exec'd process's pid namespace"
    assert_eq "$(readlink "/proc/$p/ns/mnt")" "$(readlink "/proc/$init/ns/mnt")" "the exec'd process's mount namespace"
    bw ps --format json "$CID"
    assert_success
    assert_eq "$(jq -c sort <<<"$stdout")" "$(jq -cn '[$a, $b] | sort' --argjson a "$init" --argjson b "$p")" "ps"
    bw kill --all "$CID" KILL
    assert_success
    wait_until 10 pid_reaped "$p"
    finish
}

# --- ps ----------------------------------------------------------------------------

test_ps_formats() {
    start_container
    bw exec -d --pid-file "$T/exec.pid" "$CID" /bin/payload sleep 600
    assert_success
    local p
    p=$(cat "$T/exec.pid")
    track_pid "$CID" "$p"
    bw ps --format json "$CID"
    assert_success
    jq -e 'type == "array" and all(.[]; type == "number")' <<<"$stdout" >/dev/null ||
        fail "ps --format json: not an array of numbers: $stdout"
    assert_eq "$(jq -c sort <<<"$stdout")" "$(jq -cn '[$a, $b] | sort' --argjson a "$init" --argjson b "$p")" "ps --format json"
    # The table: ps -ef's header and the lines of those pids only.
    bw ps "$CID"
    assert_success
    assert_match "$(head -n 1 <<<"$stdout")" "PID" "the table's header"
    assert_eq "$(tail -n +2 <<<"$stdout" | awk '{ print $2 }' | sort -n | tr '\n' ' ')" \
        "$(printf '%s\n' "$init" "$p" | sort -n | tr '\n' ' ')" "the pids of the table"
    # Other ps options; the PID column is found by its header.
    bw ps -f table "$CID" -- -o pid,comm
    assert_success
    assert_eq "$(head -n 1 <<<"$stdout" | awk '{ print $1 }')" "PID" "the header of ps -o pid,comm"
    assert_eq "$(tail -n +2 <<<"$stdout" | awk '{ print $1 }' | sort -n | tr '\n' ' ')" \
        "$(printf '%s\n' "$init" "$p" | sort -n | tr '\n' ' ')" "the pids of ps -o pid,comm"
    finish
}

test_ps_errors() {
    bw ps no-such-container
    assert_status 1
    assert_stderr_contains "ps: container \`no-such-container\` does not exist"
    bw ps --format yaml "$CID"
    assert_status 1
    assert_stderr_contains "--format: \"yaml\" is not table or json"
    make_bundle
    payload_args exit 0
    bw run -d --bundle "$BUNDLE" "$CID"
    assert_success
    wait_until 10 state_is "$CID" stopped
    bw ps "$CID"
    assert_status 1
    assert_stderr_contains "ps container \`$CID\`: it is stopped"
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

# --- features ------------------------------------------------------------------------

# modes: root rootless
test_features() {
    make_bundle
    bw features
    assert_success
    local f=$stdout
    jq -e . <<<"$f" >/dev/null || fail "features: not JSON"
    # The shape the features schema asks for.
    jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")
           and (.hooks | type == "array") and (.mountOptions | type == "array")
           and (.linux.namespaces | type == "array") and (.linux.capabilities | type == "array")
           and all(.linux.capabilities[]; test("^CAP_[A-Z_]+$"))
           and all(.linux.namespaces[]; IN("mount","pid","network","uts","ipc","user","cgroup","time"))
           and ([.linux.cgroup[]] | all(type == "boolean"))
           and (.linux.seccomp.enabled | type == "boolean")
           and all(.linux.seccomp.actions[]; test("^SCMP_ACT_"))
           and all(.linux.seccomp.operators[]; test("^SCMP_CMP_"))
           and all(.linux.seccomp.archs[]; test("^SCMP_ARCH_"))
           and all(.linux.seccomp.knownFlags[]; test("^SECCOMP_FILTER_FLAG_"))
           and (.linux.apparmor.enabled | type == "boolean")
           and (.linux.selinux.enabled | type == "boolean")
           and (.linux.intelRdt.enabled == false)
           and (.linux.mountExtensions.idmap.enabled | type == "boolean")
           and (.annotations | type == "object") and all(.annotations[]; type == "string")' <<<"$f" >/dev/null ||
        fail "features: not the features structure: $f"
    # Honest about this build: the version config.json may say, every
    # namespace, what libcap knows, cgroup v2 only, the options the mount
    # code takes as flags (not "acl", which is filesystem data).
    assert_eq "$(jq -r .ociVersionMax <<<"$f")" "$(jq -r .ociVersion "$BUNDLE/config.json")" "ociVersionMax"
    assert_eq "$(jq -r .ociVersionMin <<<"$f")" "1.0.0" "ociVersionMin"
    assert_eq "$(jq -c '.linux.namespaces | sort' <<<"$f")" '["cgroup","ipc","mount","network","pid","time","user","uts"]' "namespaces"
    assert_eq "$(jq -c '.linux.cgroup' <<<"$f")" '{"v1":false,"v2":true,"systemd":true,"systemdUser":true,"rdma":true}' "cgroup"
    jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") and index("CAP_CHOWN")' <<<"$f" >/dev/null ||
        fail "features: CAP_SYS_ADMIN or CAP_CHOWN missing"
    jq -e '.mountOptions | index("rbind") and index("ro") and index("rro") and index("nosuid") and (index("acl") | not)' <<<"$f" >/dev/null ||
        fail "features: mountOptions are not what mounts.c knows: $(jq -c .mountOptions <<<"$f")"
    jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64") or index("SCMP_ARCH_AARCH64")' <<<"$f" >/dev/null ||
        fail "features: no seccomp architecture of this host"
    assert_match "$(jq -r '.annotations["org.burrow.version"] // empty' <<<"$f")" '^[0-9]+\.[0-9]+' "the version annotation"
    # What it says of hooks and seccomp is what create does.
    local hooks seccomp
    hooks=$(jq '.hooks | index("poststop") != null' <<<"$f")
    seccomp=$(jq '.linux.seccomp.enabled' <<<"$f")
    payload_args echo ran
    cfg '.hooks = {"poststop": [{"path": "/bin/true"}]}'
    bw run --bundle "$BUNDLE" "$CID"
    if [ "$hooks" = true ]; then assert_success; else
        assert_failure
        assert_stderr_contains "hooks.poststop: not supported"
    fi
    cfg 'del(.hooks) | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW"}'
    bw run --bundle "$BUNDLE" "$CID"
    if [ "$seccomp" = true ]; then assert_success; else
        assert_failure
        assert_stderr_contains "linux.seccomp: not supported"
    fi
    bw features extra
    assert_status 1
    assert_stderr_contains "unexpected argument"
    assert_nothing_left
}

# The output validates against the runtime-spec's features schema, where a
# copy of the spec's schema directory and python3's jsonschema are at hand
# (BURROW_SPEC_SCHEMA or the usual places).
# modes: root
test_features_schema() {
    local dir="" d
    for d in "${BURROW_SPEC_SCHEMA:-}" /work/shared/specs/runtime-spec/schema \
        /usr/share/oci-runtime-spec/schema; do
        if [ -n "$d" ] && [ -r "$d/features-schema.json" ]; then
            dir=$d
            break
        fi
    done
    [ -n "$dir" ] || skip "no runtime-spec schema directory (set BURROW_SPEC_SCHEMA)"
    needs_cmd python3
    python3 -c 'import jsonschema' 2>/dev/null || skip "the python3 jsonschema module is not installed (Debian: python3-jsonschema)"
    bw features
    assert_success
    printf '%s\n' "$stdout" >"$T/features.json"
    cat >"$T/validate.py" <<'PY'
import json, pathlib, sys
import jsonschema
d = pathlib.Path(sys.argv[1])
load = lambda n: json.loads((d / n).read_text())
names = ["features-schema.json", "features-linux.json", "defs.json", "defs-linux.json"]
try:  # jsonschema >= 4.18
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4
    reg = Registry().with_resources(
        [(n, Resource.from_contents(load(n), default_specification=DRAFT4)) for n in names])
    v = jsonschema.Draft4Validator(load(names[0]), registry=reg)
except ImportError:  # older: a resolver over the same files
    store = {n: load(n) for n in names}
    resolver = jsonschema.RefResolver(base_uri="", referrer=store[names[0]], store=store)
    v = jsonschema.Draft4Validator(store[names[0]], resolver=resolver)
errs = list(v.iter_errors(json.load(open(sys.argv[2]))))
for e in errs:
    print("/".join(map(str, e.path)) + ": " + e.message)
sys.exit(1 if errs else 0)
PY
    capture python3 "$T/validate.py" "$dir" "$T/features.json"
    assert_success
    # The check can fail: a name outside the schema's enumeration does.
    jq '.linux.seccomp.actions += ["SCMP_ACT_NO_SUCH"]' "$T/features.json" >"$T/bad.json"
    capture python3 "$T/validate.py" "$dir" "$T/bad.json"
    assert_failure
    assert_stdout_contains "SCMP_ACT_NO_SUCH"
}
