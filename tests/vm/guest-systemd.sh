#!/bin/bash
# guest-systemd.sh: stage 2 of the test VM when systemd is pid 1 (vm-run.sh
# --systemd), run by burrow-vm-test.service (see systemd-units.sh).  Mounts
# the shared directories of vm-run.sh, starts the user managers of the test
# users (user@UID.service, with every controller delegated) and, in each, a
# delegated service whose cgroup the runner's rootless tests start under,
# then runs the command of the exchange directory as guest.sh does and
# powers off.  See tests/README.md, "The systemd VM".
#
# The command's environment is guest.sh's (without BURROW_TEST_CGROUP_ROOT:
# root's tests run in this service's cgroup) plus BURROW_TEST_SYSTEMD=1 and
# BURROW_TEST_CGROUP_{ROOTLESS,NOSUBUID}; run-all.sh gives the rootless
# tests XDG_RUNTIME_DIR=/run/user/UID when BURROW_TEST_SYSTEMD=1.
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

say "stage 2 (systemd $(systemctl is-system-running 2>&1))"
echo burrow-vm >/proc/sys/kernel/hostname
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

# --- the user managers -----------------------------------------------------------
declare -A uids=() gids=()
while IFS=: read -r name _ uid gid _; do
    case $name in burrowtest | burrownosub) uids[$name]=$uid gids[$name]=$gid ;; esac
done </etc/passwd
units=()
for user in "${!uids[@]}"; do units+=("user@${uids[$user]}.service"); done
if [ ${#units[@]} -gt 0 ]; then
    say "starting ${units[*]}"
    systemctl start "${units[@]}" || say "cannot start ${units[*]}"
fi
# In each, burrow-tests.service (Delegate=yes, a sleeper keeps it): the
# runner starts each rootless test in a new child of its cgroup, owned by
# the user, as a terminal of a desktop session runs in a delegated cgroup of
# the user manager.
for user in "${!uids[@]}"; do
    uid=${uids[$user]}
    setpriv --reuid="$uid" --regid="${gids[$user]}" --init-groups \
        env -i "PATH=$PATH" "XDG_RUNTIME_DIR=/run/user/$uid" \
        systemd-run --user --quiet --unit=burrow-tests -p Delegate=yes sleep infinity ||
        say "cannot start burrow-tests.service for $user"
    d=/sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service/app.slice/burrow-tests.service
    case $user in
    burrowtest) GUEST_ENV+=("BURROW_TEST_CGROUP_ROOTLESS=$d") ;;
    burrownosub) GUEST_ENV+=("BURROW_TEST_CGROUP_NOSUBUID=$d") ;;
    esac
done

# --- the command ---------------------------------------------------------------------

say "ready (systemd $(systemctl is-system-running 2>&1))"
(
    cd / || exit 1
    exec env -i "PATH=$PATH" HOME=/root USER=root LOGNAME=root LANG=C.UTF-8 TERM=dumb \
        BURROW_VM=1 BURROW_TEST_SYSTEMD=1 "${GUEST_ENV[@]}" bash "$x/cmd" </dev/null >"$x/output" 2>&1
)
rc=$?
echo "$rc" >"$x/status.tmp" && mv "$x/status.tmp" "$x/status"
say "done: status $rc"
poweroff_now
