# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# terminal: process.terminal with --console-socket (create, run -d, run) and
# the relay of a foreground `run`; the fds a container gets (a terminal,
# --preserve-fds, LISTEN_FDS).
#
# The host side of a terminal is payload's console-recv (a console-socket
# receiver: it prints what the pty says, and reports on stderr) and pty-run
# (runs burrow on a pty of its own, as a user's terminal would).
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# terminal_bundle ARGS...: a bundle whose process has a terminal of 33x111
# and runs ARGS.
terminal_bundle() {
    make_bundle
    cfg '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
    set_args "$@"
}

# recv_start [ACTION...]: payload console-recv on $T/console.sock in the
# background ($recv_pid); returns once it listens.
recv_start() {
    "$PAYLOAD" console-recv "$T/console.sock" "$@" >"$T/recv.out" 2>"$T/recv.err" &
    recv_pid=$!
    wait_until 10 test -S "$T/console.sock"
}

# recv_wait: wait for console-recv; sets recv_status, and stdout/stderr to
# its output (carriage returns removed) and report.
recv_wait() {
    recv_status=0
    wait "$recv_pid" || recv_status=$?
    stdout=$(tr -d '\r' <"$T/recv.out")
    stderr=$(cat "$T/recv.err")
    BW_CMD="payload console-recv (background)"
    status=$recv_status
}

# pty_run ACTION... --- CMD...: capture payload pty-run, output without \r.
pty_run() {
    capture "$PAYLOAD" pty-run "$@"
    stdout=$(tr -d '\r' <<<"$stdout")
}

# assert_tty_lines: the `payload tty` report of a process whose terminal is
# the container's own first pty, its controlling terminal.
assert_tty_lines() {
    assert_stdout_line "tty: /dev/pts/0"
    assert_stdout_line "ctty: yes"
    assert_stdout_line "session leader: yes"
    assert_stdout_line "foreground: yes"
}

# --- create / start with --console-socket ---------------------------------------

# The master arrives over the socket; the process's stdio and controlling
# terminal is the slave, /dev/pts/0 of the container's own devpts instance,
# of process.consoleSize, and the process has no other fd.
test_console_socket_create_start() {
    terminal_bundle /bin/payload tty -- fds
    recv_start
    bw create --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    assert_success
    assert_state "$CID" created
    bw start "$CID"
    assert_success
    recv_wait
    assert_status 0
    assert_stderr_contains "console-recv: name: /dev/pts/0"
    assert_stderr_contains "console-recv: fds: 1"
    assert_stderr_contains "console-recv: master of pty 0"
    assert_stderr_contains "console-recv: closed"
    assert_tty_lines
    assert_stdout_line "winsize: 33 111"
    assert_stdout_line "owner: 0"
    assert_stdout_line "fds: 0 1 2"
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

# A shell on the terminal: what is typed reaches it, tty and stty see the
# pty, and /dev/console is that same pty (runtime-spec config-linux.md).
test_console_socket_interactive_shell() {
    terminal_bundle /bin/sh
    recv_start 'expect:# ' $'send:tty; stty size; stat -c "dev %t:%T" /dev/console /dev/pts/0; echo $((6 * 7)); exit 5\n'
    bw create --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    assert_success
    bw start "$CID"
    assert_success
    recv_wait
    assert_status 0
    assert_stdout_line "/dev/pts/0"
    assert_stdout_line "33 111"
    assert_stdout_line "42"
    local devs
    devs=$(grep '^dev ' <<<"$stdout" | sort -u)
    assert_eq "$(wc -l <<<"$devs")" 1 "distinct devices of /dev/console and /dev/pts/0 ($devs)"
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_nothing_left
}

# The process gets the pty as process.user, which owns it then.
# modes: root rootless
test_console_socket_user_owns_pty() {
    [ "$BW_MODE" = root ] || needs_subuid
    terminal_bundle /bin/payload tty
    cfg '.process.user = {"uid": 1000, "gid": 1000}'
    recv_start
    bw create --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    assert_success
    bw start "$CID"
    assert_success
    recv_wait
    assert_tty_lines
    assert_stdout_line "owner: 1000"
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_nothing_left
}

# `run --detach` hands the terminal over and returns; the container runs.
test_run_detach_console_socket() {
    terminal_bundle /bin/sh
    recv_start 'expect:# ' $'send:tty; exit 3\n'
    bw run --detach --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    assert_success
    recv_wait
    assert_status 0
    assert_stdout_line "/dev/pts/0"
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_nothing_left
}

# A foreground `run` may send the terminal away too: it still waits, and
# exits with the process's status.
test_run_foreground_console_socket() {
    terminal_bundle /bin/sh -c 'tty; exit 6'
    recv_start
    bw run --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    assert_status 6
    assert_stdout_eq ""
    recv_wait
    assert_stdout_line "/dev/pts/0"
    assert_nothing_left
}

# --- the foreground relay ------------------------------------------------------------

# burrow on a terminal: its stdin is raw while it relays (the container's
# pty does the echo and line editing), what is typed reaches the shell, the
# exit status is the shell's, and burrow's terminal is as it was after.
test_run_relay_on_a_terminal() {
    terminal_bundle /bin/sh
    pty_run 'timeout:20' 'expect:# ' modes $'send:tty; stty size; echo $((6 * 7)); exit 5\n' \
        --- "$BURROW" --root "$BW_ROOT" run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stderr_contains "pty-run: modes: icanon 0 echo 0 isig 0"
    assert_stderr_contains "pty-run: exit: 5"
    assert_stderr_contains "pty-run: termios: restored"
    assert_stdout_line "/dev/pts/0"
    # The size of burrow's terminal (pty-run's 24x80) wins over consoleSize.
    assert_stdout_line "24 80"
    assert_stdout_line "42"
    assert_nothing_left
}

# A change of the size of burrow's terminal reaches the container's
# (SIGWINCH), and ^C is a key for the container's terminal, whose line
# discipline makes it SIGINT for the shell.
test_run_relay_winch_and_ctrl_c() {
    terminal_bundle /bin/sh -c 'trap "stty size" WINCH; trap "echo got-int; exit 9" INT; echo ready; while :; do sleep 0.1; done'
    pty_run 'timeout:20' 'expect:ready' 'resize:40:120' 'expect:40 120' $'send:\003' 'expect:got-int' \
        --- "$BURROW" --root "$BW_ROOT" run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stderr_contains "pty-run: exit: 9"
    assert_stderr_contains "pty-run: termios: restored"
    assert_nothing_left
}

# Stdin not a terminal (here /dev/null): the output is relayed all the same,
# consoleSize applies, and the status is the process's.
test_run_relay_without_a_terminal() {
    terminal_bundle /bin/sh -c '/bin/payload tty; stty size; exit 4'
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 4
    stdout=$(tr -d '\r' <<<"$stdout")
    # payload is the shell's child here: not the session leader.
    assert_stdout_line "tty: /dev/pts/0"
    assert_stdout_line "ctty: yes"
    assert_stdout_line "foreground: yes"
    assert_stdout_line "33 111"
    assert_nothing_left
}

# A signal to burrow goes to the container's process; burrow exits with
# the process's status, its terminal restored.
test_run_relay_signal_forwarded() {
    terminal_bundle /bin/payload wait-signal 20
    "$PAYLOAD" pty-run 'timeout:20' 'expect:wait-signal: ready' \
        --- "$BURROW" --root "$BW_ROOT" run --bundle "$BUNDLE" "$CID" >"$T/pty.out" 2>"$T/pty.err" &
    local ppid=$! bpid
    wait_until 10 file_has_line "$T/pty.out" $'wait-signal: ready\r'
    bpid=$(pgrep -P "$ppid")
    [ -n "$bpid" ] || fail "no burrow process under pty-run"
    kill -TERM "$bpid"
    status=0
    wait "$ppid" || status=$?
    stdout=$(tr -d '\r' <"$T/pty.out")
    stderr=$(cat "$T/pty.err")
    BW_CMD="payload pty-run ... burrow run (background)"
    assert_success
    assert_stdout_line "signal: TERM"
    assert_stderr_contains "pty-run: exit: 143"
    assert_stderr_contains "pty-run: termios: restored"
    assert_nothing_left
}

# --- errors ---------------------------------------------------------------------------

test_create_terminal_needs_console_socket() {
    terminal_bundle /bin/payload tty
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "config.json: process.terminal" "give --console-socket"
}

test_run_detach_terminal_needs_console_socket() {
    terminal_bundle /bin/payload tty
    bw run --detach --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "process.terminal" "run --detach" "give --console-socket"
}

# Refused before the socket is even looked at (there is none).
test_console_socket_needs_terminal() {
    make_bundle
    payload_args tty
    bw create --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "--console-socket: config.json has process.terminal false"
    bw run --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "--console-socket: config.json has process.terminal false"
}

test_console_socket_missing() {
    terminal_bundle /bin/payload tty
    bw create --console-socket "$T/no-such.sock" --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "--console-socket: connect to \`$T/no-such.sock\`: No such file or directory"
}

# A socket file whose listener is gone.
test_console_socket_not_listening() {
    terminal_bundle /bin/payload tty
    recv_start
    kill -KILL "$recv_pid"
    wait "$recv_pid" || true
    assert_file_exists "$T/console.sock"
    bw create --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "--console-socket \`$T/console.sock\`: nothing listens on this socket"
}

# The receiver accepts, then hangs up before the terminal is sent.
test_console_socket_receiver_hangs_up() {
    terminal_bundle /bin/payload tty
    recv_start hangup
    bw create --console-socket "$T/console.sock" --bundle "$BUNDLE" "$CID"
    wait "$recv_pid"
    assert_failed_cleanly "send the terminal to the console socket: Broken pipe"
}

test_console_socket_not_a_socket() {
    terminal_bundle /bin/payload tty
    : >"$T/plain"
    bw run --console-socket "$T/plain" --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "--console-socket \`$T/plain\`: not a unix socket"
}

# Without a devpts at /dev/pts there is no pty of the container's own.
test_terminal_without_devpts() {
    terminal_bundle /bin/payload tty
    cfg '.mounts |= map(select(.destination != "/dev/pts"))'
    bw run --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "process.terminal: no devpts in the container"
}

# --- fds -------------------------------------------------------------------------

# With a terminal, the process has the pty on 0-2, the --preserve-fds fds,
# and nothing else: not the caller's fd 5, not burrow's own.
test_terminal_fds() {
    terminal_bundle /bin/payload fds
    capture sh -c 'exec 3</dev/null 5</dev/null; exec "$0" --root "$1" run --preserve-fds 1 --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID"
    assert_success
    assert_eq "$(tr -d '\r' <<<"$stdout")" "fds: 0 1 2 3" "the container's fds"
    assert_nothing_left
}

# LISTEN_FDS=N with LISTEN_PID burrow's own pid (systemd socket activation):
# fds 3..3+N-1 are passed, the process gets LISTEN_FDS=N, LISTEN_PID=1 and
# LISTEN_FDNAMES; --preserve-fds M passes the M fds after them.  Fd 7, open
# in the caller, is not passed.
test_listen_fds() {
    make_bundle
    payload_args fds -- env -- cat /proc/self/fd/4 -- cat /proc/self/fd/5
    echo "socket two" >"$T/four"
    echo "preserved" >"$T/five"
    capture sh -c 'exec 3</dev/null 4<"$4" 5<"$5" 7</dev/null; LISTEN_FDS=2 LISTEN_PID=$$ LISTEN_FDNAMES=a:b exec "$0" --root "$1" run --preserve-fds 1 --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID" "$T/four" "$T/five"
    assert_success
    assert_stdout_line "fds: 0 1 2 3 4 5"
    assert_stdout_line "env: LISTEN_FDS=2"
    assert_stdout_line "env: LISTEN_PID=1"
    assert_stdout_line "env: LISTEN_FDNAMES=a:b"
    assert_stdout_line "socket two"
    assert_stdout_line "preserved"
    assert_nothing_left
}

# LISTEN_FDS meant for another process (LISTEN_PID not burrow's) is not
# burrow's to pass: no fd, no variable.
test_listen_fds_other_pid() {
    make_bundle
    payload_args fds -- env
    capture sh -c 'exec 3</dev/null 4</dev/null; LISTEN_FDS=2 LISTEN_PID=1 exec "$0" --root "$1" run --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "fds: 0 1 2"
    assert_stdout_not_contains "LISTEN_"
    assert_nothing_left
}

# Socket activation of a container with a terminal: both at once.
test_listen_fds_with_terminal() {
    terminal_bundle /bin/payload fds -- env
    capture sh -c 'exec 3</dev/null 6</dev/null; LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" --root "$1" run --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID"
    assert_success
    stdout=$(tr -d '\r' <<<"$stdout")
    assert_stdout_line "fds: 0 1 2 3"
    assert_stdout_line "env: LISTEN_FDS=1"
    assert_nothing_left
}

# --preserve-fds naming an fd the caller did not open: an error, not one of
# burrow's own fds passed in its place.
test_preserve_fds_not_open() {
    make_bundle
    payload_args fds
    capture sh -c 'exec 3</dev/null 4<&-; exec "$0" --root "$1" create --preserve-fds 2 --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID"
    assert_failed_cleanly "--preserve-fds 2: fd 4 is not open"
}

# Here burrow's --log file takes the free number 3 (close-on-exec, as all
# of burrow's fds): it must not reach the container as the "preserved" fd.
test_preserve_fds_burrows_own() {
    make_bundle
    payload_args fds
    capture sh -c 'exec 3<&-; exec "$0" --root "$1" --log "$4" run --preserve-fds 1 --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID" "$T/burrow.log"
    assert_failed_cleanly "--preserve-fds 1: fd 3 is burrow's own"
}

test_listen_fds_not_open() {
    make_bundle
    payload_args fds
    capture sh -c 'exec 3<&-; LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" --root "$1" run --bundle "$2" "$3"' \
        "$BURROW" "$BW_ROOT" "$BUNDLE" "$CID"
    assert_failed_cleanly "LISTEN_FDS=1: fd 3 is not open"
}
