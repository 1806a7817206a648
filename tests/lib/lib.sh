# shellcheck shell=bash disable=SC2034 # variables set for the tests
# lib.sh: the library of burrow's integration tests.  Sourced by
# tests/lib/run-one.sh before a test file; see tests/README.md.
#
# A test is a function `test_NAME` in tests/integration/SUITE.sh.  It runs in
# its own bash process, under `set -eEuo pipefail`, in a fresh directory $T,
# as root or as an unprivileged user ($BW_MODE: root, rootless or nosubuid).
#
# Variables a test can use:
#   T         the test's private directory (the cwd when the test starts)
#   BW_ROOT   the --root state directory `bw` passes ($T/state)
#   ROOTFS    the shared, read-only busybox + payload rootfs of this mode
#   BUNDLE    the bundle `make_bundle` creates ($T/bundle)
#   CID       a fresh container id, tracked for cleanup (new_cid makes more)
#   BW_MODE   root | rootless | nosubuid
#   BURROW    the burrow binary under test; PAYLOAD the payload (host path)
# After `bw` or `capture`:
#   status, stdout, stderr   exit status and output (final newline removed)
#
# Nothing here runs at source time except variable defaults: the runner
# sources this file too, for bw_find_leftovers.

: "${BW_MODE:=root}"
: "${BURROW:=burrow}"
: "${PAYLOAD:=}"
: "${T:=}" "${ROOTFS:=}" "${BW_ROOT:=}" "${BUNDLE:=}"

# Set by the functions below for the tests to read.
status=0
stdout=''
stderr=''
pid=''
bg_pid=''
bg_out=''
subuid_start=''
subuid_count=''
BW_CMD=
_bw_ncmd=0

# --- results -----------------------------------------------------------------
#
# The runner reads $T/.reason (a failure, one line), $T/.details (more lines
# shown under the failure) and $T/.skip (a skip reason).  Files rather than
# exit codes alone, so that a failure noticed inside a subshell still counts.

_bw_file() {
    printf '%s\n' "$2" >>"$T/$1"
}

# fail MESSAGE: the test fails with MESSAGE, and the last command's captured
# output is shown below it.
fail() {
    [ -e "$T/.reason" ] || _bw_file .reason "$*"
    if [ -n "$BW_CMD" ]; then
        local shown=${BW_CMD//"$BURROW"/burrow}
        [ -z "$T" ] || shown=${shown//"$T"/\$T}
        _bw_file .details "last command: $shown   (\$T=$T)"
        _bw_file .details "exit status: $status"
        _bw_show stdout "$stdout"
        _bw_show stderr "$stderr"
    fi
    exit 1
}

_bw_show() {
    if [ -z "$2" ]; then
        _bw_file .details "$1: (empty)"
    else
        _bw_file .details "$1:"
        printf '%s\n' "$2" | head -n 40 | sed 's/^/  | /' >>"$T/.details"
    fi
}

# skip REASON: the test is skipped; REASON says why (it is printed).
skip() {
    [ $# -gt 0 ] || set -- "no reason given"
    _bw_file .skip "$*"
    exit 77
}

needs_root() {
    [ "$(id -u)" -eq 0 ] || skip "needs root (mode $BW_MODE runs as uid $(id -u))"
}

needs_rootless() {
    [ "$(id -u)" -ne 0 ] || skip "only meaningful rootless (this run is as root)"
}

needs_subuid() {
    subuid_range
    [ -n "$subuid_start" ] || skip "needs a /etc/subuid range for $(id -un) (mode $BW_MODE has none)"
}

# needs_cmd CMD...: skip unless every CMD is in PATH.
needs_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || skip "needs \`$c\` (scripts/install-deps.sh --test installs it)"
    done
}

# --- running commands ----------------------------------------------------------

# capture CMD...: run CMD with stdin from /dev/null and set status, stdout and
# stderr.  Never fails itself.  Each call writes to new files in $T, so a
# detached process still holding an earlier output file cannot garble a later
# one; the files stay for debugging.
capture() {
    _bw_ncmd=$((_bw_ncmd + 1))
    local out="$T/.cmd$_bw_ncmd.out" err="$T/.cmd$_bw_ncmd.err"
    BW_CMD=$(_bw_quote "$@")
    printf '$ %s\n' "$BW_CMD" >>"$T/.log"
    status=0
    "$@" </dev/null >"$out" 2>"$err" || status=$?
    stdout=$(cat "$out")
    stderr=$(cat "$err")
    printf 'exit status %s\n' "$status" >>"$T/.log"
}

# bw ARGS...: run `burrow --root $BW_ROOT ARGS...` through capture.
bw() {
    capture "$BURROW" --root "$BW_ROOT" "$@"
}

# bw_bg ARGS...: start `burrow --root $BW_ROOT ARGS...` in the background
# (for a foreground `run` that a test signals); bw_wait collects it.
bw_bg() {
    _bw_ncmd=$((_bw_ncmd + 1))
    _bw_bg_out="$T/.cmd$_bw_ncmd.out"
    _bw_bg_err="$T/.cmd$_bw_ncmd.err"
    _bw_bg_cmd=$(_bw_quote "$BURROW" --root "$BW_ROOT" "$@")
    printf '$ %s &\n' "$_bw_bg_cmd" >>"$T/.log"
    "$BURROW" --root "$BW_ROOT" "$@" </dev/null >"$_bw_bg_out" 2>"$_bw_bg_err" &
    bg_pid=$!
    bg_out=$_bw_bg_out
}

# bw_wait: wait for the command bw_bg started, then set status/stdout/stderr.
bw_wait() {
    status=0
    wait "$bg_pid" || status=$?
    BW_CMD=$_bw_bg_cmd
    stdout=$(cat "$_bw_bg_out")
    stderr=$(cat "$_bw_bg_err")
    printf 'exit status %s (background: %s)\n' "$status" "$BW_CMD" >>"$T/.log"
}

_bw_quote() {
    local a s=
    for a in "$@"; do
        case $a in
        *[!A-Za-z0-9_./=:,@%+-]* | '') s+=" '${a//\'/\'\\\'\'}'" ;;
        *) s+=" $a" ;;
        esac
    done
    printf '%s' "${s# }"
}

# pid_reaped PID: no process PID, or only a zombie already handed to pid 1
# (dead; some hosts' pid 1, CI's among them, reaps orphans every couple of
# seconds, and that is not burrow's to wait for).
pid_reaped() {
    local line st
    read -r line 2>/dev/null <"/proc/$1/stat" || return 0
    st=${line##*) }
    [[ $st == "Z 1 "* ]]
}

# state_is ID STATUS [ROOT]: `burrow --root ROOT state ID` (default
# $BW_ROOT) succeeds and says STATUS (for wait_until).
state_is() {
    local s
    s=$("$BURROW" --root "${3:-$BW_ROOT}" state "$1" 2>/dev/null) || return 1
    [ "$(jq -r .status <<<"$s")" = "$2" ]
}

# assert_state ID STATUS: `burrow state ID` says STATUS; its output stays in
# $stdout.
assert_state() {
    bw state "$1"
    assert_success
    assert_eq "$(jq -r .status <<<"$stdout")" "$2" "status of $1"
}

# wait_until SECONDS CMD...: poll CMD every 0.05 s until it succeeds; fail
# the test after SECONDS.
wait_until() {
    local limit=$1 i=0
    shift
    while ! "$@" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -le "$((limit * 20))" ] || fail "waited ${limit}s in vain for: $(_bw_quote "$@")"
        sleep 0.05
    done
}

# file_has_line FILE LINE: FILE has exactly LINE as one of its lines.
file_has_line() {
    grep -qxF -- "$2" "$1"
}

# --- containers and bundles ------------------------------------------------------

# new_cid: print a fresh container id and track it for cleanup; the harness
# runs `burrow delete --force` on each tracked id after the test.
new_cid() {
    local id
    id=$(printf 'bwt-%04x%04x-%s' "$RANDOM" "$RANDOM" "$(($(wc -l <"$T/.ids" 2>/dev/null || echo 0) + 1))")
    printf '%s\n' "$id" >>"$T/.ids"
    printf '%s\n' "$id"
}

# make_bundle [DIR]: a bundle from `burrow spec` (with --rootless unless
# root), edited so that root.path is the shared $ROOTFS and the process has
# no terminal.  Sets BUNDLE.  Fails the test if `burrow spec` fails.
make_bundle() {
    BUNDLE=${1:-$T/bundle}
    mkdir -p "$BUNDLE"
    local rootless=()
    [ "$(id -u)" -eq 0 ] || rootless=(--rootless)
    bw spec --bundle "$BUNDLE" "${rootless[@]}"
    [ "$status" -eq 0 ] || fail "make_bundle: \`burrow spec${rootless[*]:+ ${rootless[*]}}\` failed with status $status: $(_bw_first_line "$stderr")"
    [ -f "$BUNDLE/config.json" ] || fail "make_bundle: \`burrow spec\` exited 0 but wrote no $BUNDLE/config.json"
    jq -e . "$BUNDLE/config.json" >/dev/null 2>&1 || fail "make_bundle: $BUNDLE/config.json from \`burrow spec\` is not valid JSON"
    # shellcheck disable=SC2016 # $r is jq's
    cfg '.root.path = $r | .process.terminal = false' --arg r "$ROOTFS"
}

_bw_first_line() {
    local l=${1%%$'\n'*}
    printf '%s' "${l:-(no message)}"
}

# cfg JQ_FILTER [JQ_ARGS...]: edit $BUNDLE/config.json in place with jq.
#   cfg '.hostname = "box"'
#   cfg '.process.env += [$e]' --arg e FOO=bar
cfg() {
    local filter=$1
    shift
    jq "$filter" "$@" <"$BUNDLE/config.json" >"$BUNDLE/config.json.new" ||
        fail "cfg: jq failed on filter: $filter"
    mv -f "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# set_args ARG...: process.args of $BUNDLE, e.g. set_args /bin/payload ids
set_args() {
    # shellcheck disable=SC2016 # $a is jq's
    cfg '.process.args = $a' --argjson a "$(json_array "$@")"
}

# json_array ARG...: print ARGs as a JSON array of strings.  (jq's --args
# would drop a "--", which payload chains use.)
json_array() {
    local i=0 a named=()
    for a in "$@"; do
        named+=(--arg "a$i" "$a")
        i=$((i + 1))
    done
    jq -cn '[$ARGS.named | to_entries | sort_by(.key[1:] | tonumber)[] | .value]' "${named[@]}"
}

# payload_args SUBCOMMAND...: set_args /bin/payload SUBCOMMAND...
payload_args() {
    set_args /bin/payload "$@"
}

# get_pid ID: set `pid` from `burrow state ID` and track it, so that
# assert_nothing_left also checks that this very process is gone.
get_pid() {
    bw state "$1"
    [ "$status" -eq 0 ] || fail "burrow state $1 failed with status $status: $(_bw_first_line "$stderr")"
    pid=$(jq -r '.pid // empty' <<<"$stdout" 2>/dev/null) || pid=
    [[ $pid =~ ^[0-9]+$ ]] || fail "burrow state $1: no numeric .pid in its output"
    track_pid "$1" "$pid"
}

# track_pid ID PID: remember PID (with its start time, against pid reuse).
track_pid() {
    local st
    st=$(_bw_starttime "$2") || return 0
    printf '%s %s %s\n' "$1" "$2" "$st" >>"$T/.pids"
}

_bw_starttime() {
    local line rest
    read -r line 2>/dev/null <"/proc/$1/stat" || return 1
    rest=${line##*) }
    # shellcheck disable=SC2086 # split the fields on purpose
    set -- $rest
    printf '%s' "${20}"
}

# subuid_range: set subuid_start and subuid_count from the first
# /etc/subuid entry of the current user; both empty if it has none.
subuid_range() {
    subuid_range_of "$(id -un)"
}

# subuid_range_of USER: the same for USER.
subuid_range_of() {
    local user=$1 uid name start count
    uid=$(id -u "$user")
    subuid_start=
    subuid_count=
    [ -r /etc/subuid ] || return 0
    while IFS=: read -r name start count; do
        if [ "$name" = "$user" ] || [ "$name" = "$uid" ]; then
            subuid_start=$start
            subuid_count=$count
            return 0
        fi
    done </etc/subuid
}

# --- assertions ---------------------------------------------------------------
# Each names what failed and shows the last command's output.

assert_status() {
    [ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}

assert_success() {
    assert_status 0
}

assert_failure() {
    [ "$status" -ne 0 ] || fail "expected a non-zero exit status, got 0"
}

assert_stdout_contains() {
    [[ $stdout == *"$1"* ]] || fail "stdout does not contain: $1"
}

assert_stdout_not_contains() {
    [[ $stdout != *"$1"* ]] || fail "stdout contains: $1"
}

assert_stderr_contains() {
    [[ $stderr == *"$1"* ]] || fail "stderr does not contain: $1"
}

assert_stderr_not_contains() {
    [[ $stderr != *"$1"* ]] || fail "stderr contains: $1"
}

# assert_stdout_line LINE: stdout has exactly LINE as one of its lines.
assert_stdout_line() {
    grep -qxF -- "$1" <<<"$stdout" || fail "stdout has no line: $1"
}

# assert_stdout_eq TEXT: stdout is exactly TEXT (final newline ignored).
assert_stdout_eq() {
    [ "$stdout" = "$1" ] || {
        _bw_show "expected stdout" "$1"
        fail "stdout differs from what was expected"
    }
}

assert_eq() {
    [ "$1" = "$2" ] || fail "${3:-values differ}: expected \"$2\", got \"$1\""
}

assert_ne() {
    [ "$1" != "$2" ] || fail "${3:-values are equal}: got \"$1\" twice"
}

# assert_match STRING REGEX [WHAT]: bash =~ (ERE).
assert_match() {
    [[ $1 =~ $2 ]] || fail "${3:-value} \"$1\" does not match /$2/"
}

assert_file_exists() {
    [ -e "$1" ] || [ -L "$1" ] || fail "file does not exist: $1"
}

assert_file_missing() {
    ! { [ -e "$1" ] || [ -L "$1" ]; } || fail "file exists but should not: $1"
}

# assert_failed_cleanly [MSG...]: the last command failed, its stderr has each
# MSG, and nothing of $CID is left: no state directory, nothing listed, no
# process or mount.  Call it right after the failing command (it runs burrow).
assert_failed_cleanly() {
    local m
    assert_failure
    for m in "$@"; do
        assert_stderr_contains "$m"
    done
    assert_file_missing "$BW_ROOT/$CID"
    assert_list_empty
    assert_nothing_left
}

# assert_list_empty: `burrow list -q` succeeds and prints nothing.
assert_list_empty() {
    bw list -q
    assert_success
    assert_stdout_eq ""
}

# assert_nothing_left [ID...]: nothing remains of the containers (default:
# every id from new_cid/$CID): no state directory under $BW_ROOT, no process
# recorded for them or whose cmdline, cwd, root or exe refers to $T, $ROOTFS
# or the id, no mount mentioning $T or $ROOTFS, no cgroup named after the id
# (processes get 2 seconds to be reaped).
assert_nothing_left() {
    local ids=("$@") found
    [ $# -gt 0 ] || mapfile -t ids <"$T/.ids"
    found=$(bw_leftovers_settled "$T" "$ROOTFS" "$BW_ROOT" "${ids[@]}")
    if [ -n "$found" ]; then
        _bw_file .details "left behind:"
        printf '%s\n' "$found" | head -n 20 | sed 's/^/  | /' >>"$T/.details"
        fail "left behind: $(_bw_first_line "$found")$([ "$(wc -l <<<"$found")" -le 1 ] || echo " (and more)")"
    fi
}

# --- leftovers (used by the tests and the runner) -----------------------------

# bw_leftovers_settled ARGS...: bw_find_leftovers, retried for up to
# $BURROW_TEST_GRACE (2) seconds while it finds something: a killed process
# takes a moment to be reaped, and that is no leak.
bw_leftovers_settled() {
    local found deadline
    deadline=$(($(date +%s%N) + $(awk -v g="${BURROW_TEST_GRACE:-2}" 'BEGIN { printf "%d", g * 1e9 }')))
    while :; do
        found=$(bw_find_leftovers "$@")
        if [ -z "$found" ] || [ "$(date +%s%N)" -ge "$deadline" ]; then break; fi
        sleep 0.1
    done
    printf '%s' "$found"
}

# bw_find_leftovers DIR ROOTFS STATEROOT [ID...]: print one line per thing
# left behind, "KIND WHAT: description" (KIND: pid, mount, state, cgroup).
# Our own ancestors are not leftovers: the test shell's cwd is inside DIR.
# It runs from / and passes its patterns through a file, so that its own
# helper processes match nothing.
bw_find_leftovers() (
    dir=$1 rootfs=$2 stateroot=$3
    shift 3
    ids=("$@")
    cd /
    local -A skip_pid=()
    local p=$BASHPID line rest id fields
    while [ -n "$p" ] && [ "$p" != 0 ] && [ -z "${skip_pid[$p]:-}" ]; do
        skip_pid[$p]=1
        read -r line 2>/dev/null <"/proc/$p/stat" || break
        rest=${line##*) }
        read -r -a fields <<<"$rest"
        p=${fields[1]}
    done
    local patfile
    patfile=$(mktemp)
    printf '%s\n' "$dir" >"$patfile"
    [ -z "$rootfs" ] || printf '%s\n' "$rootfs" >>"$patfile"
    for id in "${ids[@]}"; do
        [ -z "$id" ] || printf '%s\n' "$id" >>"$patfile"
    done
    local -A seen=()
    local f pid desc
    _bw_describe() {
        local cmd
        cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | cut -c1-160) || cmd=
        local st='?'
        read -r line 2>/dev/null <"/proc/$1/stat" && st=${line##*) } && st=${st%% *}
        printf 'pid %s: process (state %s) %s: %s\n' "$1" "$st" "$2" "${cmd:-?}"
    }
    # Recorded pids, if the very same process (same start time) still exists
    # (a zombie handed to pid 1 is dead: see pid_reaped).
    if [ -s "$dir/.pids" ]; then
        local rid rpid rst
        while read -r rid rpid rst; do
            [ -z "${skip_pid[$rpid]:-}" ] || continue
            if [ "$(_bw_starttime "$rpid" 2>/dev/null)" = "$rst" ] && [ -z "${seen[$rpid]:-}" ] &&
                ! pid_reaped "$rpid"; then
                seen[$rpid]=1
                _bw_describe "$rpid" "recorded for $rid"
            fi
        done <"$dir/.pids"
    fi
    # Cmdlines mentioning the test dir, the rootfs or an id.
    while read -r f; do
        pid=${f#/proc/}
        pid=${pid%/cmdline}
        if [ -n "${skip_pid[$pid]:-}" ] || [ -n "${seen[$pid]:-}" ]; then continue; fi
        seen[$pid]=1
        _bw_describe "$pid" "whose command line refers to the test"
    done < <(grep -lsaF -f "$patfile" /proc/[0-9]*/cmdline 2>/dev/null || true)
    # cwd, root or executable inside the test dir or the rootfs.
    while read -r f desc; do
        pid=${f#/proc/}
        pid=${pid%%/*}
        if [ -n "${skip_pid[$pid]:-}" ] || [ -n "${seen[$pid]:-}" ]; then continue; fi
        seen[$pid]=1
        _bw_describe "$pid" "whose ${f##*/} is $desc"
    done < <(find /proc -mindepth 2 -maxdepth 2 \( -name cwd -o -name root -o -name exe \) \
        -printf '%p %l\n' 2>/dev/null | grep -F -f "$patfile" || true)
    # Helper daemons that name the container's pid rather than a path.
    if [ -s "$dir/.pids" ]; then
        local comm rpids
        rpids=" $(cut -d' ' -f2 "$dir/.pids" | tr '\n' ' ')"
        for f in /proc/[0-9]*/comm; do
            read -r comm 2>/dev/null <"$f" || continue
            case $comm in
            slirp4netns | pasta | passt | fuse-overlayfs) ;;
            *) continue ;;
            esac
            pid=${f#/proc/}
            pid=${pid%/comm}
            [ -z "${seen[$pid]:-}" ] || continue
            for rpid in $rpids; do
                if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qx -- "$rpid"; then
                    seen[$pid]=1
                    _bw_describe "$pid" "($comm) for container pid $rpid"
                fi
            done
        done
    fi
    # Mounts in our mount namespace.
    local mp fstype
    while read -r line; do
        rest=${line#* - }
        fstype=${rest%% *}
        read -r -a fields <<<"$line"
        mp=${fields[4]}
        printf 'mount %s: %s mount still mounted\n' "$mp" "$fstype"
    done < <(grep -F -f "$patfile" /proc/self/mountinfo || true)
    # State directories and cgroups named after an id.
    local cg2
    cg2=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' /proc/self/mountinfo)
    for id in "${ids[@]}"; do
        [ -n "$id" ] || continue
        if [ -n "$stateroot" ] && { [ -e "$stateroot/$id" ] || [ -L "$stateroot/$id" ]; }; then
            printf 'state %s: state directory still exists\n' "$stateroot/$id"
        fi
        for mp in $cg2; do
            find "$mp" -maxdepth 12 -type d -name "*$id*" -printf 'cgroup %p: cgroup still exists\n' 2>/dev/null || true
        done
    done
    rm -f "$patfile"
)
