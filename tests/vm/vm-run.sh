#!/bin/bash
# vm-run.sh: boot the pure cgroup v2 test VM (qemu, Debian's kernel) and run
# one command in it as root.  See tests/README.md, "The cgroup v2 VM".
#
#   tests/vm/vm-run.sh [--systemd] [--share DIR]... [--env K=V]... [--timeout S] [--] CMD [ARG...]
#
# The guest sees the host's root read-only (9p) with tmpfs on /tmp and /run
# and overlays on /etc, /var, /root, /home, pure cgroup v2 with subtrees
# delegated to the test users, and each --share DIR read-write at its own
# path.  CMD runs from / with a clean environment (PATH, HOME=/root,
# BURROW_VM=1, BURROW_TEST_CGROUP_{ROOT,ROOTLESS,NOSUBUID}, the --env
# variables); its output is copied to stdout as it comes.  With --systemd,
# the host's systemd is pid 1 (tests/vm/guest-systemd.sh: CMD runs as a
# service, with the test users' managers running; BURROW_TEST_SYSTEMD=1).
#
# Exit status: CMD's; 124 if the VM ran out of time (--timeout, default
# $BURROW_VM_TIMEOUT or 600 s); 125 if the VM could not be prepared or gave
# no status (reason on stderr, with the end of the console).
#
# Environment: BURROW_VM_CACHE (see prepare.sh), BURROW_VM_QEMU
# (qemu-system-x86_64), BURROW_VM_MEM (MiB, 1024), BURROW_VM_CPUS (1),
# BURROW_VM_CONSOLE_LINES (of the console shown on failure, 20),
# BURROW_VM_ACCEL (auto: kvm when /dev/kvm is usable and the CPU has
# vmx or svm, else tcg; a VM that fails under kvm is booted again under
# tcg), BURROW_VM_TIMEOUT.
set -euo pipefail

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
qemu=${BURROW_VM_QEMU:-qemu-system-x86_64}
mem=${BURROW_VM_MEM:-1024}
cpus=${BURROW_VM_CPUS:-1}
accel=${BURROW_VM_ACCEL:-auto}
timeout=${BURROW_VM_TIMEOUT:-600}
shares=()
envs=()
systemd=0

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit "$1"
}

while [ $# -gt 0 ]; do
    case $1 in
    --share)
        [ $# -ge 2 ] || usage 2
        [ -d "$2" ] || { echo "vm-run.sh: --share $2: not a directory" >&2 && exit 2; }
        shares+=("$(cd "$2" && pwd -P)")
        shift 2
        ;;
    --systemd)
        systemd=1
        shift
        ;;
    --env)
        [ $# -ge 2 ] && [[ $2 == [A-Za-z_]*=* ]] || usage 2
        envs+=("$2")
        shift 2
        ;;
    --timeout)
        [ $# -ge 2 ] || usage 2
        timeout=$2
        shift 2
        ;;
    -h | --help) usage 0 ;;
    --)
        shift
        break
        ;;
    -*) usage 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || usage 2

vm_fail() {
    echo "vm-run.sh: $*" >&2
    exit 125
}

command -v "$qemu" >/dev/null 2>&1 || vm_fail "$qemu not found: install qemu-system-x86 (scripts/install-deps.sh --test)"
prep=$("$vm_dir/prepare.sh" --cached) || vm_fail "tests/vm/prepare.sh failed"
kernel=$(sed -n 's/^kernel: //p' <<<"$prep")
initrd=$(sed -n 's/^initrd: //p' <<<"$prep")

x=$(mktemp -d /tmp/burrow-vm.XXXXXX)
qemu_pid=
cleanup() {
    [ -z "$qemu_pid" ] || kill -KILL "$qemu_pid" 2>/dev/null || true
    rm -rf "$x"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 0755 "$x"
{
    echo 'SHARES=()'
    for d in "${shares[@]}"; do printf 'SHARES+=(%q)\n' "$d"; done
    echo 'GUEST_ENV=()'
    for e in "${envs[@]}"; do printf 'GUEST_ENV+=(%q)\n' "$e"; done
} >"$x/config"
{
    printf 'exec'
    printf ' %q' "$@"
    printf '\n'
} >"$x/cmd"

if [ "$accel" = auto ]; then
    accel=tcg
    # (Some hosts have a /dev/kvm without hardware virtualization, e.g. PVM:
    # guests fail there.)
    if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel=kvm; fi
    fallback=1
else
    fallback=0
fi

cmdline="console=ttyS0 cgroup_no_v1=all panic=-1 quiet loglevel=3"
if [ "$systemd" = 1 ]; then
    # (fstab=no: the host's /etc/fstab is not the guest's.)
    cmdline+=" burrow.init=systemd systemd.unit=burrow-vm.target systemd.show_status=0"
    cmdline+=" systemd.unified_cgroup_hierarchy=1 fstab=no systemd.gpt_auto=0 systemd.firstboot=0"
fi

boot() {
    local accel=$1 cpu=()
    [ "$accel" != kvm ] || cpu=(-cpu host)
    args=(-nodefaults -no-user-config -display none -no-reboot
        -accel "$accel" "${cpu[@]}" -m "$mem" -smp "$cpus"
        -chardev "file,id=con,path=$x/console" -serial chardev:con
        -kernel "$kernel" -initrd "$initrd"
        -append "$cmdline"
        -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap,id=hostroot"
        -virtfs "local,path=$x,mount_tag=xchg,security_model=none,id=xchg")
    i=0
    for d in "${shares[@]}"; do
        args+=(-virtfs "local,path=$d,mount_tag=share$i,security_model=none,multidevs=remap,id=share$i")
        i=$((i + 1))
    done
    rm -f "$x/status" "$x/console" "$x/guest.log"
    : >"$x/output"
    "$qemu" "${args[@]}" </dev/null >"$x/qemu.log" 2>&1 &
    qemu_pid=$!
    tail -n +1 -f --pid="$qemu_pid" "$x/output" 2>/dev/null &
    tail_pid=$!
    while kill -0 "$qemu_pid" 2>/dev/null; do
        if [ $((SECONDS - start)) -ge "$timeout" ]; then
            timed_out=1
            kill -KILL "$qemu_pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
    wait "$tail_pid" 2>/dev/null || true
}

start=$SECONDS
timed_out=0
boot "$accel"
if [ "$accel" = kvm ] && [ "$fallback" = 1 ] && [ ! -s "$x/status" ] && [ ! -s "$x/output" ]; then
    echo "vm-run.sh: the VM gave nothing under kvm: booting it again under tcg" >&2
    timed_out=0
    boot tcg
fi

show_console() {
    echo "vm-run.sh: end of the console, guest and qemu logs:" >&2
    tail -n "${BURROW_VM_CONSOLE_LINES:-20}" "$x/console" "$x/guest.log" "$x/qemu.log" 2>/dev/null | sed 's/^/  /' >&2
}
if [ -s "$x/status" ]; then
    rc=$(cat "$x/status")
    [[ $rc =~ ^[0-9]+$ ]] || vm_fail "bad status \"$rc\" from the guest"
    exit "$rc"
elif [ "$timed_out" = 1 ]; then
    echo "vm-run.sh: the VM did not finish within ${timeout}s" >&2
    show_console
    exit 124
else
    echo "vm-run.sh: the VM stopped without a status for the command" >&2
    show_console
    exit 125
fi
