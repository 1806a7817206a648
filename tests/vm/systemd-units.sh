# shellcheck shell=sh
# systemd-units.sh: sourced by init.sh (busybox sh) when the test VM boots
# with systemd as pid 1 (vm-run.sh --systemd).  write_units ROOT writes into
# ROOT/run/systemd/system (the guest's /run is a tmpfs: nothing reaches the
# host) the units of the test run and masks what a test run does not need.
# See tests/README.md, "The systemd VM".
#
#   burrow-vm.target        systemd.unit= of the boot: wants the next one,
#                           the system bus and the test users' managers
#   burrow-vm-test.service  runs guest-systemd.sh (the exchange directory's
#                           command), which powers the VM off at the end
#   user@.service.d/        Delegate=yes: every controller to the user
#     burrow-delegate.conf  managers, as distributions that do rootless
#                           containers configure it (Debian delegates only
#                           pids memory cpu)

# What a test run does not need, and what is slow under emulation (each
# masked unit is a symlink to /dev/null, as `systemctl mask --runtime` does).
masked_units="
    getty@tty1.service serial-getty@ttyS0.service getty.target
    timers.target systemd-tmpfiles-clean.timer apt-daily.timer apt-daily-upgrade.timer
    dpkg-db-backup.timer e2scrub_all.timer fstrim.timer man-db.timer podman-auto-update.timer
    podman.socket podman.service podman-restart.service podman-auto-update.service
    postgresql.service e2scrub_reap.service remote-fs.target
    systemd-timesyncd.service systemd-pstore.service systemd-firstboot.service
    systemd-machine-id-commit.service systemd-repart.service systemd-binfmt.service
    proc-sys-fs-binfmt_misc.automount systemd-random-seed.service systemd-journal-flush.service
    systemd-pcrphase.service systemd-pcrphase-sysinit.service systemd-update-utmp.service
    systemd-sysusers.service systemd-modules-load.service kmod-static-nodes.service
    systemd-ask-password-console.path systemd-ask-password-wall.path
    sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount
    sys-fs-fuse-connections.mount dev-hugepages.mount
    cryptsetup.target integritysetup.target veritysetup.target
    systemd-remount-fs.service systemd-fsck-root.service
    systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service
    systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-hwdb-update.service
    ldconfig.service systemd-journal-catalog-update.service systemd-update-done.service
    swap.target local-fs-pre.target systemd-sysctl.service systemd-tmpfiles-setup-dev.service
"
# The same for the user managers (their dbus.socket stays: the user bus).
masked_user_units="
    timers.target systemd-tmpfiles-clean.timer systemd-tmpfiles-setup.service podman-auto-update.timer
    podman.socket podman.service podman-restart.service gpg-agent.socket gpg-agent-browser.socket
    gpg-agent-extra.socket gpg-agent-ssh.socket dirmngr.socket pk-debconf-helper.socket
"
# No generator is needed (and each costs an exec under emulation): one of
# the same name in /run masks it.
generator_dirs="system-generators user-generators user-environment-generators"

write_units() {
    d=$1/run/systemd/system
    mkdir -p "$d/user@.service.d" || return 1
    for u in $masked_units; do
        ln -sf /dev/null "$d/$u" || return 1
    done
    mkdir -p "$1/run/systemd/user" || return 1
    for u in $masked_user_units; do
        ln -sf /dev/null "$1/run/systemd/user/$u" || return 1
    done
    for g in $generator_dirs; do
        mkdir -p "$1/run/systemd/$g" || return 1
        for f in "$1/lib/systemd/$g"/* "$1/usr/lib/systemd/$g"/*; do
            [ -e "$f" ] || continue
            ln -sf /dev/null "$1/run/systemd/$g/${f##*/}" || return 1
        done
    done
    # The user managers of the test users start with the rest (their
    # runtime directory needs logind, activated over the system bus).
    users=$(awk -F: '$1 == "burrowtest" || $1 == "burrownosub" { printf " user@%s.service", $3 }' "$1/etc/passwd")
    cat >"$d/burrow-vm.target" <<UNIT || return 1
[Unit]
Description=burrow test VM
Wants=burrow-vm-test.service basic.target dbus.socket dbus.service systemd-logind.service$users
AllowIsolate=yes
UNIT
    cat >"$d/burrow-vm-test.service" <<'UNIT' || return 1
[Unit]
Description=burrow test VM: the exchange directory's command
After=basic.target dbus.socket

[Service]
Type=exec
ExecStart=/bin/bash /run/burrow-vm/guest-systemd.sh
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
UNIT
    cat >"$d/user@.service.d/burrow-delegate.conf" <<'UNIT' || return 1
[Service]
Delegate=yes
UNIT
}
