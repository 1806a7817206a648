#!/bin/bash
# install-deps.sh [--test]: install what burrow needs on Debian/Ubuntu.
#
#   (no option)  build dependencies and the runtime's helpers
#   --test       also what the tests and benchmarks use (and the test VM's kernel)
#
# Uses sudo when not root.  Safe to run again.
set -euo pipefail

with_test=0
for arg in "$@"; do
    case $arg in
    --test) with_test=1 ;;
    -h | --help)
        sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "install-deps.sh: unknown option $arg (see --help)" >&2
        exit 2
        ;;
    esac
done

build=(build-essential autoconf automake libtool pkg-config libjson-c-dev libcap-dev libseccomp-dev
    libarchive-dev libssl-dev libsystemd-dev)
# newuidmap/newgidmap, the rootfs overlay without kernel support, network,
# and the static busybox of the test and demo rootfs.
runtime=(uidmap fuse-overlayfs slirp4netns busybox-static)
# The test suite (jq, util-linux's setpriv, timeout in coreutils, ps),
# other runtimes and tools for comparisons and benchmarks, clang for fuzzing,
# clang-format for the format check of scripts/check.sh, python3-jsonschema
# for the check of `burrow features` against the runtime-spec schema, podman
# (with conmon) for tests/integration/podman.sh, which drives burrow through it,
# qemu for the pure cgroup v2 VM of tests/vm/ (its kernel is fetched below),
# systemd and dbus for its systemd variant (the host's systemd boots as the
# VM's pid 1; the user managers need the system bus).
testing=(jq crun runc bubblewrap hyperfine time util-linux procps passt clang clang-format
    python3-jsonschema podman conmon umoci qemu-system-x86 systemd dbus)

pkgs=("${build[@]}" "${runtime[@]}")
[ "$with_test" -eq 0 ] || pkgs+=("${testing[@]}")

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps.sh: not root and no sudo: install as root: apt-get install ${pkgs[*]}" >&2
        exit 1
    }
    sudo=(sudo)
fi
command -v apt-get >/dev/null 2>&1 || {
    echo "install-deps.sh: apt-get not found; on other distributions install the equivalents of: ${pkgs[*]}" >&2
    exit 1
}

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"
if [ "$with_test" -eq 1 ]; then
    # Debian's kernel for the cgroup v2 VM, downloaded (not installed) into
    # its cache.  Without it the VM stage of the tests says why it skips.
    "${sudo[@]}" "$(dirname "$0")/../tests/vm/prepare.sh" >/dev/null ||
        echo "install-deps.sh: no kernel for the cgroup v2 test VM (tests/vm/prepare.sh failed): its tests will be skipped" >&2
fi
