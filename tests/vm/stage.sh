#!/bin/bash
# stage.sh: the cgroup v2 VM stage of tests/run-all.sh.  See tests/README.md,
# "The cgroup v2 VM" and "The systemd VM".
#
# Runs the suites that need a pure cgroup v2 kernel (BURROW_VM_SUITES,
# default "cgroup vm": tests/integration/cgroup.sh and this directory's
# suite.sh as suite "vm") with tests/run-all.sh inside the VM
# (tests/vm/vm-run.sh), as root and as burrowtest, labelled
# `SUITE/NAME [vm-root]` and `SUITE/NAME [vm-rootless]`; then those that
# need systemd as pid 1 (BURROW_VM_SYSTEMD_SUITES, default "systemd
# vm-systemd": tests/integration/systemd.sh and this directory's
# systemd-smoke.sh as suite "vm-systemd") in the same VM booted with
# systemd (vm-run.sh --systemd), labelled `[vm-systemd-root]` and
# `[vm-systemd-rootless]`.  A suite that does not exist is left out.
# Prints their result lines and `# ` lines; when a VM cannot run (not root,
# no qemu, no kernel, no systemd) one `skip - vm/stage: REASON` (or
# `vm/systemd`) line; when it fails, `not ok - vm/stage: REASON` (or
# `vm/systemd`).  Prints nothing for a VM when BURROW_TEST_PATTERN matches
# none of its labels.
#
# Environment (run-all.sh passes the first ones): BURROW, PAYLOAD,
# BURROW_TEST_PATTERN, BURROW_TEST_TIMEOUT, BURROW_TEST_INTEGRATION_DIR;
# BURROW_VM_SUITES, BURROW_VM_SYSTEMD_SUITES, BURROW_VM_MODES (default
# "root rootless", both VMs), BURROW_VM_TIMEOUT (the whole stage, both VMs,
# default 2400 s), BURROW_VM_TEST_TIMEOUT (the default per test, 3 x
# BURROW_TEST_TIMEOUT) and those of vm-run.sh.
# A test marked `# vm: no` (comment block above it) is not run in the VMs.
set -euo pipefail

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tests_dir=$(dirname "$vm_dir")
integration_dir=${BURROW_TEST_INTEGRATION_DIR:-$tests_dir/integration}
pattern=${BURROW_TEST_PATTERN:-}
suites=${BURROW_VM_SUITES:-cgroup vm}
sd_suites=${BURROW_VM_SYSTEMD_SUITES:-systemd vm-systemd}
modes=${BURROW_VM_MODES:-root rootless}
stage_timeout=${BURROW_VM_TIMEOUT:-2400}
# Everything is slower under emulation.
test_timeout=${BURROW_VM_TEST_TIMEOUT:-$((3 * ${BURROW_TEST_TIMEOUT:-60}))}

# suite_file NAME: the file of a suite ("vm" is this directory's suite.sh,
# "vm-systemd" its systemd-smoke.sh).
suite_file() {
    case $1 in
    vm) echo "$vm_dir/suite.sh" ;;
    vm-systemd) echo "$vm_dir/systemd-smoke.sh" ;;
    *) echo "$integration_dir/$1.sh" ;;
    esac
}

# What the guest needs, in a directory shared with it read-write.  In the
# copies of the suites (tests/integration for the cgroup VM,
# tests/integration-systemd for the systemd one), a test marked `# vm: no`
# in the comment block right above it (it needs no VM) is renamed so that
# the runner in the VM does not see it: every test costs there.
x=$(mktemp -d /tmp/burrow-vm-stage.XXXXXX)
prep_err=$x/prepare.err
vm_pid=
# (A VM still running, if the stage ends early, is stopped first: vm-run.sh
# kills its qemu on TERM.)
trap '[ -z "$vm_pid" ] || { kill "$vm_pid" && wait "$vm_pid"; } 2>/dev/null || true; rm -rf "$x"' EXIT
mkdir -p "$x/bin" "$x/tests/integration" "$x/tests/integration-systemd"

# copy_suites DIR SUITE...: copy the suites that exist into DIR; print their names.
copy_suites() {
    local dir=$1 s f
    shift
    for s in "$@"; do
        f=$(suite_file "$s")
        [ -e "$f" ] || continue
        echo "$s"
        awk '
            /^#[ \t]*vm:[ \t]*no[ \t]*$/ { novm = 1; print; next }
            /^#/ { print; next }
            novm && /^(function[ \t]+)?test_[A-Za-z0-9_]+/ { sub(/test_/, "not_in_vm_") }
            { novm = 0; print }
        ' "$f" >"$dir/$s.sh"
    done
}

# wanted DIR LABEL: is a test of DIR's suites wanted in a mode labelled
# LABELMODE?  (Each test's own `# modes:` are left to the runner in the
# guest: here every function counts in every mode.)
wanted() {
    local f s func m
    for f in "$1"/*.sh; do
        [ -e "$f" ] || continue
        s=${f##*/}
        s=${s%.sh}
        while read -r func; do
            for m in $modes; do
                if [ -z "$pattern" ] || [[ "$s/${func#test_} [$2$m]" =~ $pattern ]]; then return 0; fi
            done
        done < <(sed -n 's/^\(function[ \t]\{1,\}\)\{0,1\}\(test_[A-Za-z0-9_]\{1,\}\).*/\2/p' "$f")
    done
    return 1
}

# shellcheck disable=SC2086 # word splitting of the suite lists
suites=$(copy_suites "$x/tests/integration" $suites | xargs)
# shellcheck disable=SC2086
sd_suites=$(copy_suites "$x/tests/integration-systemd" $sd_suites | xargs)
run_cg=0 run_sd=0
! wanted "$x/tests/integration" vm- || run_cg=1
! wanted "$x/tests/integration-systemd" vm-systemd- || run_sd=1
[ "$run_cg" = 1 ] || [ "$run_sd" = 1 ] || exit 0

# skip_vms REASON: neither VM can run.
skip_vms() {
    [ "$run_cg" = 0 ] || echo "skip - vm/stage: $1 (suites not run: $suites)"
    [ "$run_sd" = 0 ] || echo "skip - vm/systemd: $1 (suites not run: $sd_suites)"
    exit 0
}

[ "$(id -u)" -eq 0 ] || skip_vms "needs root: the VM's test users are the host's burrowtest, made by run-all.sh as root"
[ "$(uname -m)" = x86_64 ] || skip_vms "the VM boots Debian's amd64 kernel: $(uname -m) host"
qemu=${BURROW_VM_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null 2>&1 ||
    skip_vms "$qemu not found: install qemu-system-x86 (scripts/install-deps.sh --test)"
if ! "$vm_dir/prepare.sh" --cached >/dev/null 2>"$prep_err"; then
    skip_vms "no kernel for the VM: $(grep '^prepare.sh: ' "$prep_err" | tail -n 1 | sed 's/^prepare.sh: //')"
fi

cp "$BURROW" "$x/bin/burrow"
cp "$PAYLOAD" "$x/bin/payload"
cp "$tests_dir/run-all.sh" "$x/tests/"
cp -r "$tests_dir/lib" "$x/tests/lib"
if ! PAYLOAD="$x/bin/payload" "$tests_dir/lib/make-rootfs.sh" "$x/rootfs" >"$x/make-rootfs.log" 2>&1; then
    [ "$run_cg" = 0 ] || echo "not ok - vm/stage: tests/lib/make-rootfs.sh failed"
    [ "$run_sd" = 0 ] || echo "not ok - vm/systemd: tests/lib/make-rootfs.sh failed"
    sed 's/^/#   /' "$x/make-rootfs.log"
    exit 0
fi
chmod -R a+rX "$x"

# run_vm NAME MODE_LABEL INTEGRATION_DIR TIMEOUT [VM-RUN OPTION...]: run the
# suites of INTEGRATION_DIR in a VM; results labelled `[MODE_LABELmode]`,
# failures of the VM itself `not ok - vm/NAME: ...`.
run_vm() {
    local name=$1 label=$2 dir=$3 secs=$4 rc=0 start=$SECONDS took
    shift 4
    # (The file exists before tail follows it: else tail may find none and fail.)
    : >"$x/out-$name"
    "$vm_dir/vm-run.sh" "$@" --share "$x" --timeout "$secs" -- \
        env BURROW="$x/bin/burrow" PAYLOAD="$x/bin/payload" \
        BURROW_TEST_INTEGRATION_DIR="$dir" BURROW_TEST_MODES="$modes" \
        BURROW_TEST_MODE_LABEL="$label" BURROW_TEST_UNIT=0 BURROW_TEST_SELFTEST=0 BURROW_TEST_VM=0 \
        BURROW_TEST_PATTERN="$pattern" BURROW_TEST_TIMEOUT="$test_timeout" \
        BURROW_TEST_ROOTFS="$x/rootfs" BURROW_TEST_SUMMARY="$x/summary-$name" bash "$x/tests/run-all.sh" >"$x/out-$name" 2>&1 &
    vm_pid=$!
    # Relay the runner's lines as they come; its summary becomes a `# ` line.
    tail -n +1 -f --pid="$vm_pid" "$x/out-$name" 2>/dev/null | while IFS= read -r line; do
        case $line in
        "ok - "* | "not ok - "* | "skip - "* | "#"*) printf '%s\n' "$line" ;;
        *) printf '# vm: %s\n' "$line" ;;
        esac
    done
    wait "$vm_pid" || rc=$?
    vm_pid=
    took=$((SECONDS - start))
    if [ "$rc" -eq 124 ]; then
        echo "not ok - vm/$name: the VM did not finish within ${secs}s (what BURROW_VM_TIMEOUT left)"
    elif [ ! -s "$x/summary-$name" ]; then
        echo "not ok - vm/$name: the runner in the VM gave no summary (vm-run.sh status $rc)"
    else
        echo "# vm $name: $(cat "$x/summary-$name") in ${took}s"
    fi
}

stage_start=$SECONDS
if [ "$run_cg" = 1 ]; then
    echo "# vm stage: suites ${suites}, modes ${modes} (qemu, pure cgroup v2: tests/vm/)"
    run_vm stage vm- "$x/tests/integration" "$stage_timeout"
fi
if [ "$run_sd" = 1 ]; then
    left=$((stage_timeout - (SECONDS - stage_start)))
    if [ ! -x /lib/systemd/systemd ]; then
        echo "skip - vm/systemd: no /lib/systemd/systemd on the host (the VM boots the host's systemd) (suites not run: $sd_suites)"
    elif [ ! -x /usr/bin/dbus-daemon ]; then
        echo "skip - vm/systemd: no /usr/bin/dbus-daemon on the host (package dbus): the guest's user managers need logind over the system bus (suites not run: $sd_suites)"
    elif [ "$left" -lt 60 ]; then
        echo "not ok - vm/systemd: ${left}s left of BURROW_VM_TIMEOUT=${stage_timeout}s (suites not run: $sd_suites)"
    else
        echo "# vm systemd stage: suites ${sd_suites}, modes ${modes} (qemu, systemd as pid 1: tests/vm/)"
        run_vm systemd vm-systemd- "$x/tests/integration-systemd" "$left" --systemd
    fi
fi
