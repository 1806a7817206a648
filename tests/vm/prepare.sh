#!/bin/bash
# prepare.sh: fetch (once) Debian's amd64 kernel and build the initramfs of
# the pure cgroup v2 test VM.  See tests/README.md, "The cgroup v2 VM".
#
#   tests/vm/prepare.sh [--offline | --cached]
#
# Prints two lines, `kernel: PATH` and `initrd: PATH`, and exits 0; on
# failure prints the reason on stderr and exits 1.  The kernel package is
# fetched with `apt-get download` (never installed) into the cache:
#
#   $BURROW_VM_CACHE/KVER/vmlinux        the uncompressed ELF (PVH direct boot)
#   $BURROW_VM_CACHE/KVER/vmlinuz        the bzImage (used if no vmlinux)
#   $BURROW_VM_CACHE/KVER/modules/*.ko   the modules the initramfs carries
#   $BURROW_VM_CACHE/KVER/initrd-HASH.img   keyed by the init scripts' hash
#
# Environment: BURROW_VM_CACHE (default /var/cache/burrow-vm as root, else
# ~/.cache/burrow-vm), BURROW_VM_KERNEL_PKG (default: the package
# linux-image-amd64 depends on; with --offline or without apt, the newest
# kernel already in the cache; with --cached, that one if there is one,
# which saves asking apt at each boot: vm-run.sh and stage.sh use it,
# install-deps.sh does not, so it picks up new kernel versions).
set -euo pipefail

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ "$(id -u)" -eq 0 ]; then
    cache=${BURROW_VM_CACHE:-/var/cache/burrow-vm}
else
    cache=${BURROW_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/burrow-vm}
fi
offline=0 cached=0
case ${1:-} in
--offline) offline=1 ;;
--cached) cached=1 ;;
esac

die() {
    echo "prepare.sh: $*" >&2
    exit 1
}

# The modules the guest needs (dependencies are added from each module's
# depends= field); tun is for slirp4netns.
wanted=(virtio_pci 9pnet_virtio 9p overlay fuse tun)

for tool in dpkg-deb xz gzip sha256sum flock; do
    command -v "$tool" >/dev/null 2>&1 || die "\`$tool\` not found"
done
[ -x /bin/busybox ] || die "/bin/busybox not found: install busybox-static"
busybox cpio --help >/dev/null 2>&1 || die "/bin/busybox has no cpio applet"
mkdir -p "$cache" || die "cannot create the cache directory $cache (set BURROW_VM_CACHE)"
exec 9>"$cache/.lock"
flock 9

# --- which kernel ---------------------------------------------------------------

# newest_cached: the newest kernel version prepared in the cache.
newest_cached() {
    find "$cache" -mindepth 2 -maxdepth 2 -name .complete -printf '%h\n' 2>/dev/null |
        sed 's|.*/||' | sort -V | tail -n 1
}

pkg=${BURROW_VM_KERNEL_PKG:-}
[ -n "$pkg" ] || [ "$cached" = 0 ] || [ -z "$(newest_cached)" ] || offline=1
if [ -z "$pkg" ] && [ "$offline" = 0 ] && command -v apt-cache >/dev/null 2>&1; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1) || pkg=
fi
if [ -z "$pkg" ]; then
    # No apt answer: the newest kernel already prepared.
    kver=$(newest_cached) || kver=
    [ -n "$kver" ] || die "no kernel in $cache and apt-cache does not name one (linux-image-amd64): run scripts/install-deps.sh --test, or set BURROW_VM_KERNEL_PKG"
else
    case $pkg in linux-image-*-amd64) ;; *) die "BURROW_VM_KERNEL_PKG=$pkg: expected linux-image-VERSION-amd64 (the generic flavour: cloud-amd64 has no 9p)" ;; esac
    kver=${pkg#linux-image-}
fi
kdir=$cache/$kver

# --- fetch and unpack -----------------------------------------------------------

if [ ! -e "$kdir/.complete" ]; then
    [ "$offline" = 0 ] || die "kernel $kver not in $cache and --offline given"
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found: cannot download linux-image-$kver"
    rm -rf "$kdir"
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    # apt-get download drops to the _apt user: it must be able to write here.
    chmod 0777 "$tmp"
    if ! (cd "$tmp" && apt-get download -q "linux-image-$kver" >"$tmp/apt.log" 2>&1); then
        die "apt-get download linux-image-$kver failed: $(grep -E '^(E|W):' "$tmp/apt.log" | head -n 1)"
    fi
    deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
    [ -n "$deb" ] || die "apt-get download linux-image-$kver left no .deb"
    dpkg-deb -x "$deb" "$tmp/x" || die "dpkg-deb -x $deb failed"
    mkdir -p "$tmp/k/modules"
    cp "$tmp/x/boot/vmlinuz-$kver" "$tmp/k/vmlinuz" || die "no boot/vmlinuz-$kver in the package"
    moddir=$tmp/x/lib/modules/$kver/kernel
    # The uncompressed ELF vmlinux carries the PVH entry note: qemu then
    # boots it directly, without firmware nor the decompressor (~6 s
    # under TCG).  It is the xz stream that starts at the magic FD 37 7A 58 5A 00.
    off=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$tmp/k/vmlinuz" | LC_ALL=C awk -F: 'NR == 1 { print $1 }') || off=
    if [ -n "$off" ] && xz -dc --single-stream <(tail -c +"$((off + 1))" "$tmp/k/vmlinuz") >"$tmp/k/vmlinux" 2>/dev/null &&
        [ "$(head -c 4 "$tmp/k/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ]; then
        :
    else
        rm -f "$tmp/k/vmlinux"
        echo "prepare.sh: could not extract an ELF vmlinux; the VM boots the bzImage (slower)" >&2
    fi
    # Modules and their dependencies, in load order (no depmod: the package
    # is not installed).
    declare -A seen=()
    order=()
    add_module() {
        local name=${1//-/_} file dep deps
        [ -z "${seen[$name]:-}" ] || return 0
        seen[$name]=1
        file=$(find "$moddir" -name "$name.ko" -o -name "${name//_/-}.ko" | head -n 1)
        [ -n "$file" ] || die "module $name not found in linux-image-$kver"
        deps=$(tr '\0' '\n' <"$file" | sed -n 's/^depends=//p' | head -n 1)
        for dep in ${deps//,/ }; do add_module "$dep"; done
        cp "$file" "$tmp/k/modules/$name.ko"
        order+=("$name")
    }
    for m in "${wanted[@]}"; do add_module "$m"; done
    printf '%s\n' "${order[@]}" >"$tmp/k/modules/order"
    echo "$pkg" >"$tmp/k/package"
    touch "$tmp/k/.complete"
    mv "$tmp/k" "$kdir"
    rm -rf "$tmp"
    trap - EXIT
fi

kernel=$kdir/vmlinux
[ -e "$kernel" ] || kernel=$kdir/vmlinuz

# --- initramfs ------------------------------------------------------------------

hash=$(cat "$vm_dir/init.sh" "$vm_dir/guest.sh" "$vm_dir/guest-systemd.sh" "$vm_dir/systemd-units.sh" "$kdir/modules/order" /bin/busybox | sha256sum | cut -c1-12)
initrd=$kdir/initrd-$hash.img
if [ ! -e "$initrd" ]; then
    tmp=$(mktemp -d "$cache/.initrd.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    r=$tmp/root
    mkdir -p "$r"/{bin,dev,proc,sys,newroot,modules}
    cp /bin/busybox "$r/bin/busybox"
    install -m 0755 "$vm_dir/init.sh" "$r/init"
    install -m 0755 "$vm_dir/guest.sh" "$r/guest.sh"
    install -m 0755 "$vm_dir/guest-systemd.sh" "$r/guest-systemd.sh"
    install -m 0644 "$vm_dir/systemd-units.sh" "$r/systemd-units.sh"
    cp "$kdir"/modules/*.ko "$kdir/modules/order" "$r/modules/"
    (cd "$r" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$tmp/initrd.img" ||
        die "could not pack the initramfs"
    mv "$tmp/initrd.img" "$initrd"
    rm -rf "$tmp"
    trap - EXIT
    # Older initramfs images of this kernel are stale; those of the last
    # hour may be another work tree's, about to boot.
    find "$kdir" -maxdepth 1 -name 'initrd-*.img' ! -name "${initrd##*/}" -mmin +60 -delete
fi

echo "kernel: $kernel"
echo "initrd: $initrd"
