#!/bin/bash
# stage.sh: the cgroup v2 VM stage of tests/run-all.sh.  See tests/README.md,
# "The cgroup v2 VM".
#
# Runs the suites that need a pure cgroup v2 kernel (BURROW_VM_SUITES,
# default "cgroup vm": tests/integration/cgroup.sh and this directory's
# suite.sh as suite "vm") with tests/run-all.sh inside the VM
# (tests/vm/vm-run.sh), as root and as burrowtest, labelled
# `SUITE/NAME [vm-root]` and `SUITE/NAME [vm-rootless]`.  Prints their
# result lines and `# ` lines; when the VM cannot run (not root, no qemu, no
# kernel) one `skip - vm/stage: REASON` line; when it fails, `not ok -
# vm/stage: REASON`.  Prints nothing when BURROW_TEST_PATTERN matches none
# of its labels.
#
# Environment (run-all.sh passes the first ones): BURROW, PAYLOAD,
# BURROW_TEST_PATTERN, BURROW_TEST_TIMEOUT, BURROW_TEST_INTEGRATION_DIR;
# BURROW_VM_SUITES, BURROW_VM_MODES (default "root rootless"),
# BURROW_VM_TIMEOUT (the whole stage, default 1800 s), BURROW_VM_TEST_TIMEOUT
# (the default per test, 3 x BURROW_TEST_TIMEOUT) and those of vm-run.sh.
# A test marked `# vm: no` (comment block above it) is not run in the VM.
set -euo pipefail

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tests_dir=$(dirname "$vm_dir")
integration_dir=${BURROW_TEST_INTEGRATION_DIR:-$tests_dir/integration}
pattern=${BURROW_TEST_PATTERN:-}
suites=${BURROW_VM_SUITES:-cgroup vm}
modes=${BURROW_VM_MODES:-root rootless}
stage_timeout=${BURROW_VM_TIMEOUT:-1800}
# Everything is slower under emulation.
test_timeout=${BURROW_VM_TEST_TIMEOUT:-$((3 * ${BURROW_TEST_TIMEOUT:-60}))}

# suite_file NAME: the file of a suite ("vm" is this directory's suite.sh).
suite_file() {
    if [ "$1" = vm ]; then echo "$vm_dir/suite.sh"; else echo "$integration_dir/$1.sh"; fi
}

# What the guest needs, in a directory shared with it read-write.  In the
# copies of the suites, a test marked `# vm: no` in the comment block right
# above it (it needs no pure cgroup v2 kernel) is renamed so that the runner
# in the VM does not see it: every test costs there.
x=$(mktemp -d /tmp/burrow-vm-stage.XXXXXX)
prep_err=$x/prepare.err
trap 'rm -rf "$x"' EXIT
mkdir -p "$x/bin" "$x/tests/integration"
found=()
for s in $suites; do
    f=$(suite_file "$s")
    [ -e "$f" ] || continue
    found+=("$s")
    awk '
        /^#[ \t]*vm:[ \t]*no[ \t]*$/ { novm = 1; print; next }
        /^#/ { print; next }
        novm && /^(function[ \t]+)?test_[A-Za-z0-9_]+/ { sub(/test_/, "not_in_vm_") }
        { novm = 0; print }
    ' "$f" >"$x/tests/integration/$s.sh"
done

# Is there anything to run?  (Each test's own `# modes:` are left to the
# runner in the guest: here every function counts in every mode.)
wanted=0
for f in "$x"/tests/integration/*.sh; do
    [ -e "$f" ] || continue
    s=${f##*/}
    s=${s%.sh}
    while read -r func; do
        for m in $modes; do
            if [ -z "$pattern" ] || [[ "$s/${func#test_} [vm-$m]" =~ $pattern ]]; then wanted=1; fi
        done
    done < <(sed -n 's/^\(function[ \t]\{1,\}\)\{0,1\}\(test_[A-Za-z0-9_]\{1,\}\).*/\2/p' "$f")
done
[ "$wanted" = 1 ] || exit 0
suites=${found[*]}

skip_stage() {
    echo "skip - vm/stage: $1 (suites not run: $suites)"
    exit 0
}

[ "$(id -u)" -eq 0 ] || skip_stage "needs root: the VM's test users are the host's burrowtest, made by run-all.sh as root"
[ "$(uname -m)" = x86_64 ] || skip_stage "the VM boots Debian's amd64 kernel: $(uname -m) host"
qemu=${BURROW_VM_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null 2>&1 ||
    skip_stage "$qemu not found: install qemu-system-x86 (scripts/install-deps.sh --test)"
if ! "$vm_dir/prepare.sh" --cached >/dev/null 2>"$prep_err"; then
    skip_stage "no kernel for the VM: $(grep '^prepare.sh: ' "$prep_err" | tail -n 1 | sed 's/^prepare.sh: //')"
fi

cp "$BURROW" "$x/bin/burrow"
cp "$PAYLOAD" "$x/bin/payload"
cp "$tests_dir/run-all.sh" "$x/tests/"
cp -r "$tests_dir/lib" "$x/tests/lib"
if ! PAYLOAD="$x/bin/payload" "$tests_dir/lib/make-rootfs.sh" "$x/rootfs" >"$x/make-rootfs.log" 2>&1; then
    echo "not ok - vm/stage: tests/lib/make-rootfs.sh failed"
    sed 's/^/#   /' "$x/make-rootfs.log"
    exit 0
fi
chmod -R a+rX "$x"

echo "# vm stage: suites ${suites}, modes ${modes} (qemu, pure cgroup v2: tests/vm/)"
start=$SECONDS
rc=0
"$vm_dir/vm-run.sh" --share "$x" --timeout "$stage_timeout" -- \
    env BURROW="$x/bin/burrow" PAYLOAD="$x/bin/payload" \
    BURROW_TEST_INTEGRATION_DIR="$x/tests/integration" BURROW_TEST_MODES="$modes" \
    BURROW_TEST_MODE_LABEL=vm- BURROW_TEST_UNIT=0 BURROW_TEST_SELFTEST=0 BURROW_TEST_VM=0 \
    BURROW_TEST_PATTERN="$pattern" BURROW_TEST_TIMEOUT="$test_timeout" \
    BURROW_TEST_ROOTFS="$x/rootfs" BURROW_TEST_SUMMARY="$x/summary" bash "$x/tests/run-all.sh" >"$x/out" 2>&1 &
vm_pid=$!
# Relay the runner's lines as they come; its summary becomes a `# ` line.
tail -n +1 -f --pid="$vm_pid" "$x/out" 2>/dev/null | while IFS= read -r line; do
    case $line in
    "ok - "* | "not ok - "* | "skip - "* | "#"*) printf '%s\n' "$line" ;;
    *) printf '# vm: %s\n' "$line" ;;
    esac
done
wait "$vm_pid" || rc=$?
took=$((SECONDS - start))
if [ "$rc" -eq 124 ]; then
    echo "not ok - vm/stage: the VM did not finish within ${stage_timeout}s (BURROW_VM_TIMEOUT)"
elif [ ! -s "$x/summary" ]; then
    echo "not ok - vm/stage: the runner in the VM gave no summary (vm-run.sh status $rc)"
else
    echo "# vm stage: $(cat "$x/summary") in ${took}s"
fi
