#!/bin/bash
# run-all.sh: burrow's test runner.  See tests/README.md.
#
#   tests/run-all.sh [-k PATTERN] [--keep] [--timeout SECONDS]
#
# As root it prepares the host (device modes, the users burrowtest and
# burrownosub and their /etc/subuid and /etc/subgid lines), stages the
# binaries, a rootfs and the test scripts in a world-readable temporary
# directory, runs the unit tests once, then every integration test as root,
# as burrowtest (rootless, with a subordinate id range) and, for the tests
# that opt in, as burrownosub (rootless, no range).  As another user it runs
# what that user can and reports the rest as skipped.
#
# Prints one line per result (`ok - `, `not ok - `, `skip - `), `# ` lines
# of detail, and last exactly one line `N passed, N failed[, N skipped]`.
# Exit status 0 iff nothing failed.
#
# Environment: BURROW, PAYLOAD (binaries under test; default: the build
# tree), BURROW_SRCDIR, BURROW_BUILDDIR, BURROW_TEST_PATTERN (as -k),
# BURROW_TEST_TIMEOUT (per test, default 60), BURROW_TEST_KEEP=1 (as --keep),
# BURROW_TEST_SUMMARY (a file to write the final line to), BURROW_TEST_MODES
# (default "root rootless nosubuid"), BURROW_TEST_VM=0 (no cgroup v2 VM
# stage, tests/vm/stage.sh).
set -eEuo pipefail

tests_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${BURROW_SRCDIR:-$(dirname "$tests_dir")}
builddir=${BURROW_BUILDDIR:-$srcdir}
burrow_bin=${BURROW:-$builddir/burrow}
payload_bin=${PAYLOAD:-$builddir/tests/payload/payload}
pattern=${BURROW_TEST_PATTERN:-}
test_timeout=${BURROW_TEST_TIMEOUT:-60}
unit_timeout=300
keep=${BURROW_TEST_KEEP:-0}
summary_file=${BURROW_TEST_SUMMARY:-}
all_modes=${BURROW_TEST_MODES:-root rootless nosubuid}
integration_dir=${BURROW_TEST_INTEGRATION_DIR:-$tests_dir/integration}
run_units=${BURROW_TEST_UNIT:-1}
run_selftest=${BURROW_TEST_SELFTEST:-1}
run_vm=${BURROW_TEST_VM:-1}
# Prefix of the mode in labels: "vm-" in the VM stage ("[vm-root]").
mode_label=${BURROW_TEST_MODE_LABEL:-}

rootless_user=burrowtest
nosub_user=burrownosub
rootless_range_start=200000
rootless_range_count=65536

usage() {
    sed -n '2,/^set -eEuo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit "$1"
}

while [ $# -gt 0 ]; do
    case $1 in
    -k)
        [ $# -ge 2 ] || usage 2
        pattern=$2
        shift 2
        ;;
    --keep) keep=1 && shift ;;
    --timeout)
        [ $# -ge 2 ] || usage 2
        test_timeout=$2
        shift 2
        ;;
    -h | --help) usage 0 ;;
    *) usage 2 ;;
    esac
done

# shellcheck source=tests/lib/lib.sh
. "$tests_dir/lib/lib.sh"

passed=0
failed=0
skipped=0
stage=
start_time=$SECONDS

# result KIND LABEL [REASON]: print and count one result line.
result() {
    local kind=$1 label=$2 reason=${3:-}
    case $kind in
    ok) passed=$((passed + 1)) ;;
    "not ok") failed=$((failed + 1)) ;;
    skip) skipped=$((skipped + 1)) ;;
    esac
    reason=${reason//$'\n'/ }
    if [ -n "$reason" ]; then
        printf '%s - %s: %s\n' "$kind" "$label" "$reason"
    else
        printf '%s - %s\n' "$kind" "$label"
    fi
}

# detail [FILE]: print FILE (or stdin) as `# ` lines under a result.
detail() {
    sed 's/^/#   /' "$@"
}

finish() {
    trap - ERR EXIT
    if [ -n "$stage" ] && [ -d "$stage" ]; then
        if [ "$keep" = 1 ]; then
            echo "# kept the staging directory $stage"
        else
            rm -rf "$stage" 2>/dev/null || echo "# could not remove all of $stage"
        fi
    fi
    echo "# took $((SECONDS - start_time))s"
    local line="$passed passed, $failed failed"
    [ "$skipped" -eq 0 ] || line+=", $skipped skipped"
    [ -z "$summary_file" ] || echo "$line" >"$summary_file" || true
    echo "$line"
    if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}

# A bug in this script must show as a failure, never as a green run.
trap 'result "not ok" "harness/run-all" "internal error at line $LINENO: $BASH_COMMAND (status $?)"; finish' ERR
trap 'result "not ok" "harness/run-all" "interrupted"; finish' INT TERM

# setup_fail REASON: a prerequisite is missing; nothing can run.
setup_fail() {
    result "not ok" "harness/setup" "$1"
    finish
}

am_root=0
[ "$(id -u)" -ne 0 ] || am_root=1

# --- prerequisites -------------------------------------------------------------

[ -x "$burrow_bin" ] || setup_fail "burrow binary not found at $burrow_bin: build it (make) or set BURROW"
[ -x "$payload_bin" ] || setup_fail "payload not found at $payload_bin: run \`make payload\` or set PAYLOAD"
for tool in jq timeout setpriv find awk; do
    command -v "$tool" >/dev/null 2>&1 || setup_fail "\`$tool\` not found: run scripts/install-deps.sh --test"
done
[ -x /bin/busybox ] || setup_fail "/bin/busybox not found: install busybox-static (scripts/install-deps.sh)"

# --- host preparation (root only) ------------------------------------------------

# set_subid_line FILE USER [START COUNT]: USER has exactly that one range in
# FILE, or none.  Other lines are kept as they are.
set_subid_line() {
    local file=$1 user=$2 uid tmp
    uid=$(id -u "$user")
    [ -e "$file" ] || install -m 0644 /dev/null "$file"
    tmp=$(mktemp)
    awk -F: -v u="$user" -v n="$uid" '$1 != u && $1 != n' "$file" >"$tmp"
    [ $# -lt 4 ] || printf '%s:%s:%s\n' "$user" "$3" "$4" >>"$tmp"
    if ! cmp -s "$tmp" "$file"; then
        cat "$tmp" >"$file"
    fi
    rm -f "$tmp"
}

ensure_user() {
    id -u "$1" >/dev/null 2>&1 && return 0
    # A system account: useradd gives no automatic subordinate ranges to
    # those, and set_subid_line decides them anyway.
    # (Another run may be creating it at the same time: check again.)
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$1" || id -u "$1" >/dev/null 2>&1 || setup_fail "useradd $1 failed"
}

if [ "$am_root" = 1 ]; then
    # Distributions ship these 0666; some hosts (CI's) have 0600.
    for dev in /dev/fuse /dev/net/tun; do
        [ ! -c "$dev" ] || chmod 0666 "$dev"
    done
    command -v useradd >/dev/null || setup_fail "useradd not found (package passwd)"
    ensure_user "$rootless_user"
    ensure_user "$nosub_user"
    for f in /etc/subuid /etc/subgid; do
        set_subid_line "$f" "$rootless_user" "$rootless_range_start" "$rootless_range_count"
        set_subid_line "$f" "$nosub_user"
    done
fi

# --- staging -----------------------------------------------------------------------
#
# The build tree may be under /root, which the test users cannot read: copy
# what the tests need to a world-readable place.  Layout:
#   $stage/bin/{burrow,payload}   $stage/tests/{lib,integration}
#   $stage/pristine/rootfs        $stage/MODE/{rootfs,work,home}

stage=$(mktemp -d /tmp/burrow-tests.XXXXXX)
chmod 0755 "$stage"
mkdir -p "$stage/bin" "$stage/tests" "$stage/pristine"
cp "$burrow_bin" "$stage/bin/burrow"
cp "$payload_bin" "$stage/bin/payload"
# helpers beside burrow, where the suites look for them (unpack.sh)
unpack_bin=$builddir/helpers/burrow-unpack/burrow-unpack
[ ! -x "$unpack_bin" ] || cp "$unpack_bin" "$stage/bin/burrow-unpack"
cp -r "$tests_dir/lib" "$stage/tests/lib"
mkdir -p "$stage/tests/integration"
for f in "$integration_dir"/*.sh; do
    [ ! -e "$f" ] || cp "$f" "$stage/tests/integration/"
done
chmod -R a+rX "$stage"
if [ -n "${BURROW_TEST_ROOTFS:-}" ]; then
    # A rootfs make-rootfs.sh made beforehand (the VM stage: its hundreds of
    # execs are slow under emulation).
    cp -a "$BURROW_TEST_ROOTFS" "$stage/pristine/rootfs"
elif ! PAYLOAD="$stage/bin/payload" "$stage/tests/lib/make-rootfs.sh" "$stage/pristine/rootfs" >"$stage/make-rootfs.log" 2>&1; then
    detail "$stage/make-rootfs.log"
    setup_fail "tests/lib/make-rootfs.sh failed"
fi

mode_user() {
    if [ "$am_root" = 0 ]; then
        id -un
    else
        case $1 in
        root) echo root ;;
        rootless) echo "$rootless_user" ;;
        nosubuid) echo "$nosub_user" ;;
        esac
    fi
}

# A mode runs here if we are root, or if it is the one our own user is in.
self_mode=root
if [ "$am_root" = 0 ]; then
    subuid_range
    if [ -n "$subuid_start" ]; then self_mode=rootless; else self_mode=nosubuid; fi
fi

mode_skip_reason() {
    [ "$am_root" = 0 ] || return 1
    [ "$1" != "$self_mode" ] || return 1
    case $1 in
    root) echo "needs root: run tests/run-all.sh as root" ;;
    rootless) echo "needs a user with a /etc/subuid range ($(id -un) has none): run as root to use $rootless_user" ;;
    nosubuid) echo "needs a user without a /etc/subuid range ($(id -un) has one): run as root to use $nosub_user" ;;
    esac
}

# rootfs_manifest DIR: what must not change while tests use a rootfs.
rootfs_manifest() {
    (cd "$1" && find . -printf '%p %y %m %U %G %s %T@ %C@ %l\n' | LC_ALL=C sort)
}

prepare_mode() {
    local mode=$1 user
    user=$(mode_user "$mode")
    mkdir -p "$stage/$mode/work" "$stage/$mode/home"
    cp -a "$stage/pristine/rootfs" "$stage/$mode/rootfs"
    if [ "$am_root" = 1 ]; then
        chown -R -h "$user:$(id -gn "$user")" "$stage/$mode/rootfs" "$stage/$mode/work" "$stage/$mode/home"
    fi
    rootfs_manifest "$stage/$mode/rootfs" >"$stage/$mode/rootfs.manifest"
}

# as_mode MODE CMD...: run CMD as the mode's user with a clean environment
# (no XDG_RUNTIME_DIR but in the systemd VM; HOME in the stage), under a timeout.
as_mode() {
    local mode=$1 secs=$2 user home
    shift 2
    user=$(mode_user "$mode")
    home=$stage/$mode/home
    [ "$mode" != root ] || home=/root
    local env=(env -i "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        "HOME=$home" "USER=$user" "LOGNAME=$user" "LANG=C.UTF-8" "LC_ALL=C.UTF-8"
        "BURROW=$stage/bin/burrow" "PAYLOAD=$stage/bin/payload"
        "BW_MODE=$mode" "BW_ROOTFS=$stage/$mode/rootfs" "BW_TESTDIR=$cur_testdir"
        "BURROW_TEST_GRACE=${BURROW_TEST_GRACE:-2}")
    # BURROW_TEST_SYSTEMD=1, set in the systemd VM by tests/vm/guest-systemd.sh:
    # the tests know systemd is pid 1; a rootless one reaches its user manager
    # through XDG_RUNTIME_DIR, as a login session has it.
    if [ -n "${BURROW_TEST_SYSTEMD:-}" ]; then
        env+=(BURROW_TEST_SYSTEMD=1)
        [ "$user" = root ] || env+=("XDG_RUNTIME_DIR=/run/user/$(id -u "$user")")
    fi
    # BURROW_TEST_CGROUP_ROOT (_ROOTLESS, _NOSUBUID), set in the VM by
    # tests/vm/guest.sh: each run starts in a new cgroup under that one, owned
    # by the mode's user as systemd delegates a scope (a fresh one each time:
    # burrow may enable controllers in it, and then no process can enter it).
    local cg_var=BURROW_TEST_CGROUP_${mode^^} enter=()
    if [ -n "${!cg_var:-}" ]; then
        enter=(sh -c 'd=$0/run.$$ && mkdir "$d" && chown "$1" "$d" "$d/cgroup.procs" "$d/cgroup.threads" \
            "$d/cgroup.subtree_control" && echo $$ >"$d/cgroup.procs" && shift && exec "$@"' \
            "${!cg_var}" "$(id -u "$user"):$(id -g "$user")")
    fi
    if [ "$am_root" = 1 ] && [ "$user" != root ]; then
        timeout -k 5 "$secs" "${enter[@]}" setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
            "${env[@]}" "$@"
    else
        timeout -k 5 "$secs" "${enter[@]}" "${env[@]}" "$@"
    fi
}

# --- unit tests ----------------------------------------------------------------------

# Each binary prints `ok - `, `not ok - `, `skip - ` lines; it runs with no
# arguments, from the build directory, with srcdir set to the source
# directory.  Other output is shown as `# ` lines.
run_unit() {
    local bin=$1 label out rc=0 n_results=0 n_failed=0 line
    label="unit/${bin##*/}"
    out=$(mktemp)
    (cd "$builddir" && env srcdir="$srcdir" BURROW_SRCDIR="$srcdir" BURROW_BUILDDIR="$builddir" \
        timeout -k 5 "$unit_timeout" "$bin" </dev/null >"$out" 2>&1) || rc=$?
    while IFS= read -r line; do
        case $line in
        "ok - "*) passed=$((passed + 1)) n_results=$((n_results + 1)) && echo "ok - $label/${line#ok - }" ;;
        "not ok - "*) failed=$((failed + 1)) n_results=$((n_results + 1)) n_failed=$((n_failed + 1)) && echo "not ok - $label/${line#not ok - }" ;;
        "skip - "*) skipped=$((skipped + 1)) n_results=$((n_results + 1)) && echo "skip - $label/${line#skip - }" ;;
        *) printf '#   %s\n' "$line" ;;
        esac
    done <"$out"
    rm -f "$out"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        result "not ok" "$label" "timed out after ${unit_timeout}s"
    elif [ "$rc" -ne 0 ] && [ "$n_failed" -eq 0 ]; then
        result "not ok" "$label" "exited with status $rc$([ "$rc" -le 128 ] || echo " (signal $((rc - 128)))")"
    elif [ "$n_results" -eq 0 ] && [ "$rc" -eq 0 ]; then
        result ok "$label"
    fi
}

unit_bins=()
[ "$run_units" = 1 ] || builddir=/nonexistent
for f in "$builddir"/tests/unit/test-* "$builddir"/tests/fuzz/fuzz-*-corpus; do
    if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
    case $f in *.c | *.o | *.h | *.sh | *.log | *.trs | *.am | *.in) continue ;; esac
    [ -z "$pattern" ] || [[ "unit/${f##*/}" =~ $pattern ]] || continue
    unit_bins+=("$f")
done
if [ "$run_units" != 1 ]; then
    :
elif [ ${#unit_bins[@]} -eq 0 ]; then
    echo "# unit tests: none built${pattern:+ matching -k $pattern}"
else
    echo "# unit tests: ${#unit_bins[@]} binaries"
fi
for f in "${unit_bins[@]}"; do
    run_unit "$f"
done

# --- integration tests ----------------------------------------------------------------

# discover FILE: print "FUNCTION<TAB>MODES<TAB>TIMEOUT<TAB>EXPECT" per test
# function, in file order.  In the comment block right above a function,
# `# modes: a b` sets its modes and `# timeout: N` its timeout (seconds);
# `# expect: TEXT` is for the harness self-test.  `# suite-modes: a b`
# sets the default modes of the functions below it.
discover() {
    awk -v dflt_timeout="$test_timeout" '
        BEGIN { dflt = "root rootless"; OFS = "\t"; reset() }
        function reset() { modes = ""; timeout = ""; expect = "" }
        function value(line) { sub(/^#[ \t]*[a-z-]+:[ \t]*/, "", line); return line }
        /^#[ \t]*suite-modes:/ { dflt = value($0); next }
        /^#[ \t]*modes:/ { modes = value($0); next }
        /^#[ \t]*timeout:/ { timeout = value($0); next }
        /^#[ \t]*expect:/ { expect = value($0); next }
        /^#/ { next }
        /^test_[A-Za-z0-9_]+[ \t]*\(\)/ || /^function[ \t]+test_[A-Za-z0-9_]+/ {
            name = $0
            sub(/^function[ \t]+/, "", name)
            match(name, /^test_[A-Za-z0-9_]+/)
            print substr(name, 1, RLENGTH), (modes != "" ? modes : dflt), \
                (timeout ~ /^[0-9]+$/ ? timeout : dflt_timeout), expect
            reset()
            next
        }
        { reset() }
    ' "$1"
}

# run_test MODE SUITE_FILE FUNCTION TIMEOUT: run one test and its cleanup,
# report.
run_test() {
    local mode=$1 file=$2 func=$3 secs=$4 suite name label rc=0 reason
    suite=${file##*/}
    suite=${suite%.sh}
    name=${func#test_}
    label="$suite/$name [$mode_label$mode]"
    cur_testdir=$stage/$mode/work/$suite.$name
    mkdir -p "$cur_testdir"
    [ "$am_root" = 0 ] || chown "$(mode_user "$mode"):$(id -gn "$(mode_user "$mode")")" "$cur_testdir"
    as_mode "$mode" "$secs" bash "$stage/tests/lib/run-one.sh" run "$file" "$func" \
        >"$stage/cur.output" 2>&1 || rc=$?
    as_mode "$mode" 60 bash "$stage/tests/lib/run-one.sh" cleanup >>"$stage/cur.output" 2>&1 || true

    local T=$cur_testdir
    # As root, remove by force whatever the user could not (mounts, processes
    # of other users), and report it.
    local sweep=""
    if [ "$am_root" = 1 ]; then
        local ids=()
        [ ! -s "$T/.ids" ] || mapfile -t ids <"$T/.ids"
        sweep=$(bw_find_leftovers "$T" "$stage/$mode/rootfs" "$T/state" "${ids[@]}")
        force_remove "$sweep"
    fi

    local changed=""
    if ! rootfs_manifest "$stage/$mode/rootfs" | cmp -s - "$stage/$mode/rootfs.manifest"; then
        changed=$(rootfs_manifest "$stage/$mode/rootfs" | diff "$stage/$mode/rootfs.manifest" - | grep '^[<>]' | head -n 5 || true)
        rm -rf "$stage/$mode/rootfs"
        prepare_mode "$mode"
    fi

    if [ -e "$T/.reason" ]; then
        reason=$(head -n 1 "$T/.reason")
        result "not ok" "$label" "$reason"
        [ ! -e "$T/.details" ] || detail "$T/.details"
    elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        local last
        last=$(grep '^\$ ' "$T/.log" 2>/dev/null | grep -v '^\$ (cleanup)' | tail -n 1 | cut -c3-) || last=
        result "not ok" "$label" "timed out after ${secs}s${last:+ (last command: $last)}"
    elif [ "$rc" -eq 77 ] && [ -e "$T/.skip" ]; then
        result skip "$label" "$(head -n 1 "$T/.skip")"
    elif [ "$rc" -ne 0 ]; then
        result "not ok" "$label" "exited with status $rc: $(grep -v '^$' "$stage/cur.output" | tail -n 1 || true)"
    elif [ -s "$T/.leftover" ] || [ -n "$sweep" ]; then
        result "not ok" "$label" "left behind after \`burrow delete --force\`: $(head -n 1 "$T/.leftover" 2>/dev/null)${sweep:+ $(head -n 1 <<<"$sweep")}"
    elif [ -n "$changed" ]; then
        result "not ok" "$label" "the shared rootfs $stage/$mode/rootfs was modified"
    else
        result ok "$label"
    fi
    # Whatever the result, mention leftovers and rootfs changes.
    if [ "$rc" -ne 0 ] || [ -e "$T/.reason" ]; then
        [ ! -s "$T/.leftover" ] || { echo "#   left behind:" && detail "$T/.leftover"; }
    fi
    [ -z "$changed" ] || { echo "#   rootfs changes:" && detail <<<"$changed"; }
    if [ -e "$T/.reason" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; }; then
        if [ -s "$stage/cur.output" ]; then
            echo "#   test output:"
            tail -n 15 "$stage/cur.output" | detail
        fi
    fi
    [ "$keep" = 1 ] || rm -rf "$T" 2>/dev/null || true
}

# force_remove LEFTOVERS: kill, unmount, delete what bw_find_leftovers found.
force_remove() {
    local kind what
    [ -n "$1" ] || return 0
    while read -r kind what _; do
        if [ "$kind" = pid ]; then kill -KILL "${what%:}" 2>/dev/null || true; fi
    done <<<"$1"
    while read -r kind what _; do
        if [ "$kind" = mount ]; then umount -l "${what%:}" 2>/dev/null || true; fi
    done < <(sort -r <<<"$1")
    while read -r kind what _; do
        case $kind in
        state) rm -rf "${what%:}" ;;
        cgroup) rmdir "${what%:}" 2>/dev/null || true ;;
        esac
    done <<<"$1"
}

# --- harness self-test ----------------------------------------------------------------
#
# The library must turn every kind of failure into a failure: run the cases
# of tests/lib/selftest.sh through a nested run-all.sh, in one mode, and check
# each result line against the case's name and `# expect:` comment, and the
# nested summary against the counts the names imply.
selftest() {
    local out sdir mode=$self_mode func modes secs expect name kind line
    local want_ok=0 want_fail=0 want_skip=0
    out=$(mktemp)
    sdir=$(mktemp -d)
    cp "$tests_dir/lib/selftest.sh" "$sdir/harness.sh"
    BURROW_TEST_INTEGRATION_DIR=$sdir BURROW_TEST_MODES=$mode BURROW_TEST_UNIT=0 \
        BURROW_TEST_SELFTEST=0 BURROW_TEST_VM=0 BURROW_TEST_PATTERN='' BURROW_TEST_SUMMARY='' BURROW_TEST_KEEP=0 \
        BURROW_TEST_GRACE=0.3 BURROW="$burrow_bin" PAYLOAD="$payload_bin" \
        bash "$tests_dir/run-all.sh" </dev/null >"$out" 2>&1 || true
    while IFS=$'\t' read -r func modes secs expect; do
        name=${func#test_}
        case $name in
        ok_*) kind=ok want_ok=$((want_ok + 1)) ;;
        fail_*) kind="not ok" want_fail=$((want_fail + 1)) ;;
        *) kind=skip want_skip=$((want_skip + 1)) ;;
        esac
        line=$(grep -F -- " - harness/$name [$mode]" "$out" | head -n 1) || line=
        if [[ $line == "$kind - "* ]] && [[ $line == *"$expect"* ]]; then
            result ok "harness/$name"
        else
            result "not ok" "harness/$name" "expected \"$kind - ...${expect:+ $expect}\", got: ${line:-no result line}"
        fi
    done < <(discover "$sdir/harness.sh")
    line=$(tail -n 1 "$out")
    expect="$want_ok passed, $want_fail failed, $want_skip skipped"
    if [ "$line" = "$expect" ]; then
        result ok "harness/summary"
    else
        result "not ok" "harness/summary" "expected the final line \"$expect\", got \"$line\""
        tail -n 20 "$out" | detail
    fi
    rm -rf "$out" "$sdir"
}

if [ "$run_selftest" = 1 ] && { [ -z "$pattern" ] || [[ "harness/selftest" =~ $pattern ]]; }; then
    selftest
fi

cur_testdir=
for mode in $all_modes; do
    case $mode in root | rootless | nosubuid) ;; *) setup_fail "unknown mode $mode in BURROW_TEST_MODES" ;; esac
    skip_reason=$(mode_skip_reason "$mode") || skip_reason=
    prepared=0
    for file in "$stage"/tests/integration/*.sh; do
        [ -e "$file" ] || continue
        while IFS=$'\t' read -r func modes secs _; do
            suite=${file##*/}
            suite=${suite%.sh}
            label="$suite/${func#test_} [$mode_label$mode]"
            [ -z "$pattern" ] || [[ $label =~ $pattern ]] || continue
            for m in $modes; do
                case $m in root | rootless | nosubuid) ;;
                *) [ "$mode" != root ] || result "not ok" "$suite/${func#test_}" "unknown mode \"$m\" in its # modes: line" ;;
                esac
            done
            [[ " $modes " == *" $mode "* ]] || continue
            if [ -n "$skip_reason" ]; then
                result skip "$label" "$skip_reason"
            else
                if [ "$prepared" = 0 ]; then
                    prepare_mode "$mode"
                    prepared=1
                    echo "# mode $mode: as user $(mode_user "$mode") (uid $(id -u "$(mode_user "$mode")"))"
                fi
                run_test "$mode" "$file" "$func" "$secs"
            fi
        done < <(discover "$file")
    done
done

# --- the cgroup v2 VM stage ----------------------------------------------------------
#
# tests/vm/stage.sh runs the suites that need a pure cgroup v2 kernel in a
# qemu VM (modes [vm-root], [vm-rootless]), or prints why it skips them.
if [ "$run_vm" = 1 ] && [ -z "${BURROW_VM:-}" ]; then
    vm_failed=0
    while IFS= read -r line; do
        case $line in
        "ok - "*) passed=$((passed + 1)) ;;
        "not ok - "*) failed=$((failed + 1)) vm_failed=1 ;;
        "skip - "*) skipped=$((skipped + 1)) ;;
        esac
        printf '%s\n' "$line"
    done < <(BURROW="$burrow_bin" PAYLOAD="$payload_bin" BURROW_TEST_PATTERN="$pattern" \
        BURROW_TEST_TIMEOUT="$test_timeout" BURROW_TEST_INTEGRATION_DIR="$integration_dir" \
        bash "$tests_dir/vm/stage.sh" </dev/null 2>&1)
    vm_rc=0
    wait $! || vm_rc=$?
    [ "$vm_rc" -eq 0 ] || [ "$vm_failed" = 1 ] || result "not ok" "vm/stage" "tests/vm/stage.sh exited with status $vm_rc"
fi

finish
