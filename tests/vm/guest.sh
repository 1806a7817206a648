#!/bin/bash
# guest.sh: stage 2 of the test VM's init (pid 1, after switch_root into the
# host's root), run by the host's bash.  Mounts what a system has (devpts,
# /dev/shm, pure cgroup v2), the shared directories of vm-run.sh, delegates
# cgroup subtrees as systemd does, runs the command of the exchange
# directory and powers off.  See tests/README.md, "The cgroup v2 VM".
#
# Exchange directory (/run/burrow-vm/xchg, written by vm-run.sh):
#   config   bash: SHARES=(HOSTDIR...) (9p tags share0...), GUEST_ENV=(K=V...)
#   cmd      the command, a bash script run as root from /
#   output   its stdout and stderr, written here
#   status   its exit status, written last
#   guest.log  what this script says
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
x=/run/burrow-vm/xchg
exec >>"$x/guest.log" 2>&1

say() {
    local up
    read -r up _ </proc/uptime
    echo "guest: [$up] $*"
}

poweroff_now() {
    sync
    umount "$x" 2>/dev/null
    /bin/busybox poweroff -f
    echo o >/proc/sysrq-trigger
    sleep 10
}

echo burrow-vm >/proc/sys/kernel/hostname
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666,newinstance devpts /dev/pts || say "devpts failed"
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm || say "/dev/shm failed"
mount -t mqueue mqueue /dev/mqueue 2>/dev/null || true
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
# Pure cgroup v2 (the kernel runs with cgroup_no_v1=all), with the options
# systemd uses.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup || say "cgroup2 mount failed"

say "stage 2"
SHARES=()
GUEST_ENV=()
# shellcheck disable=SC1091
. "$x/config" || say "no config"
i=0
for d in "${SHARES[@]}"; do
    mkdir -p "$d" 2>/dev/null
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 "share$i" "$d" || say "cannot mount share$i on $d"
    i=$((i + 1))
done

# --- cgroup delegation -----------------------------------------------------------
#
# Like systemd: every available controller enabled from the root down;
# /system.slice/burrow-tests.service for root's tests; for each test user,
# /user.slice/user-UID.slice/user@UID.service delegated (the directory and
# its cgroup.procs, cgroup.threads, cgroup.subtree_control owned by the user)
# and, inside, app.slice/burrow-tests.scope, owned by the user (as if
# systemd --user had made it).  Controllers are enabled down to those two
# test cgroups, which hold no process: run-all.sh starts each test in a new
# child of its mode's one (run.PID, owned by the test's user).
say "delegating"
cg=/sys/fs/cgroup
# (bash builtins where possible: every exec costs under TCG.)
enable_all() {
    local c ctl=""
    for c in $(<"$1/cgroup.controllers"); do ctl+=" +$c"; done
    [ -z "$ctl" ] || echo "$ctl" >"$1/cgroup.subtree_control" || say "cannot enable$ctl in $1"
}
declare -A uids=() gids=()
while IFS=: read -r name _ uid gid _; do
    case $name in burrowtest | burrownosub) uids[$name]=$uid gids[$name]=$gid ;; esac
done </etc/passwd
dirs=("$cg/system.slice/burrow-tests.service")
for user in "${!uids[@]}"; do
    dirs+=("$cg/user.slice/user-${uids[$user]}.slice/user@${uids[$user]}.service/app.slice/burrow-tests.scope")
done
mkdir -p "${dirs[@]}"
enable_all "$cg"
enable_all "$cg/system.slice"
enable_all "$cg/system.slice/burrow-tests.service"
GUEST_ENV+=("BURROW_TEST_CGROUP_ROOT=$cg/system.slice/burrow-tests.service")
enable_all "$cg/user.slice"
for user in "${!uids[@]}"; do
    uid=${uids[$user]}
    d=$cg/user.slice/user-$uid.slice/user@$uid.service
    enable_all "$cg/user.slice/user-$uid.slice"
    enable_all "$d"
    enable_all "$d/app.slice"
    enable_all "$d/app.slice/burrow-tests.scope"
    own=("$d")
    for f in cgroup.procs cgroup.threads cgroup.subtree_control memory.oom.group memory.reclaim; do
        [ ! -e "$d/$f" ] || own+=("$d/$f")
    done
    chown "$uid:${gids[$user]}" "${own[@]}" && chown -R "$uid:${gids[$user]}" "$d/app.slice" ||
        say "delegation to $user failed"
    case $user in
    burrowtest) GUEST_ENV+=("BURROW_TEST_CGROUP_ROOTLESS=$d/app.slice/burrow-tests.scope") ;;
    burrownosub) GUEST_ENV+=("BURROW_TEST_CGROUP_NOSUBUID=$d/app.slice/burrow-tests.scope") ;;
    esac
done

# --- the command ---------------------------------------------------------------------

say "ready"
(
    cd / || exit 1
    exec env -i "PATH=$PATH" HOME=/root USER=root LOGNAME=root LANG=C.UTF-8 TERM=dumb \
        BURROW_VM=1 "${GUEST_ENV[@]}" bash "$x/cmd" </dev/null >"$x/output" 2>&1
) &
cmd_pid=$!
# bash reaps every child while it waits, orphans handed to pid 1 included.
wait "$cmd_pid"
rc=$?
echo "$rc" >"$x/status.tmp" && mv "$x/status.tmp" "$x/status"
say "done: status $rc"
poweroff_now
