#!/bin/busybox sh
# init.sh: /init of the test VM's initramfs (busybox sh, packed by
# prepare.sh).  Loads the virtio, 9p, overlay and fuse modules, mounts the
# host's root (9p tag hostroot, read-only) on /newroot with tmpfs and
# overlays for the writable places, and the exchange directory (9p tag xchg)
# on /run/burrow-vm/xchg, then switches root and runs guest.sh (stage 2,
# with the host's userland).  Any failure ends in a kernel panic (init exits),
# which qemu's -no-reboot turns into an exit.
#
# With `burrow.init=systemd` on the kernel command line (vm-run.sh
# --systemd), the host's systemd is pid 1 instead: this script writes the
# units of the test run into /run/systemd/system (see systemd-units.sh) and
# switches root to /lib/systemd/systemd, which starts the target
# burrow-vm.target (systemd.unit=) and there guest-systemd.sh as a service.
/bin/busybox --install -s /bin
export PATH=/bin

fail() {
    echo "burrow-vm init: $*" >/dev/console
    exec busybox poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r m; do
    insmod "/modules/$m.ko" || fail "insmod $m failed"
done </modules/order

# The host's root: read-only, cached (it does not change under a test run).
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose hostroot /newroot ||
    fail "cannot mount the host root (9p tag hostroot)"
n=/newroot
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $n/run || fail "tmpfs on /run"
mkdir -p $n/run/burrow-vm/xchg $n/run/burrow-vm/ovl $n/run/lock $n/run/user
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 xchg $n/run/burrow-vm/xchg ||
    fail "cannot mount the exchange directory (9p tag xchg)"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $n/tmp || fail "tmpfs on /tmp"
# Writable copies of the host's directories: an overlay with a tmpfs upper.
for d in etc var root home; do
    [ -d $n/$d ] || continue
    o=$n/run/burrow-vm/ovl/$d
    mkdir -p $o/upper $o/work
    mount -t overlay -o lowerdir=$n/$d,upperdir=$o/upper,workdir=$o/work overlay $n/$d ||
        fail "overlay on /$d"
done
cp /guest.sh $n/run/burrow-vm/guest.sh
init=guest
case " $(cat /proc/cmdline) " in *" burrow.init=systemd "*) init=systemd ;; esac
if [ $init = systemd ]; then
    cp /guest-systemd.sh $n/run/burrow-vm/guest-systemd.sh
    # shellcheck source=systemd-units.sh
    . /systemd-units.sh || fail "cannot write the systemd units"
    write_units $n || fail "cannot write the systemd units"
fi
mount --move /dev $n/dev
mount --move /proc $n/proc
mount --move /sys $n/sys
# (container= empty: the host's root has a /.dockerenv, and systemd would
# take itself for a container's init, which ignores the kernel command line.)
[ $init = guest ] || exec env container= switch_root $n /lib/systemd/systemd
exec switch_root $n /bin/bash /run/burrow-vm/guest.sh
fail "switch_root failed"
