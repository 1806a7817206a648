#!/bin/bash
# overlay.sh [--keep] [BURROW]: the cost of --rootfs-overlay, rootless.
#
# One bundle (busybox-static rootfs, `burrow spec --rootless` with the
# user's own id only), run as the bench user:
#   0. the floor: what the kernel overlay costs by itself, in a bare
#      `unshare -Urm` (a fresh work dir each run, mounted `volatile` with
#      `userxattr` as burrow does, then the namespace goes) beside the same
#      with `mount --fake` (everything but the mount);
#   1. start-up: hyperfine of `burrow run --rootfs-overlay=MODE` of /bin/true
#      for off, kernel and fuse, side by side, and the fuse-overlayfs mount +
#      unmount done by hand (fuse-overlayfs, then fusermount3 -u) over the
#      same layers; then the same BENCH_RUNS times interleaved (one of each
#      in turn, robust to a load that changes), whose medians give the
#      ratios: what kernel and fuse add to off, and fuse's addition beside
#      the hand mount;
#   2. throughput inside the container, per mode: write BENCH_MB MiB with dd
#      and read them back, and create BENCH_FILES small files; the same
#      workloads on the hand-mounted fuse-overlayfs (host side).  Each is
#      timed by the workload itself (/proc/uptime around it: 10 ms steps),
#      median of BENCH_IO_RUNS runs.
#
# Targets (informational, never a failure): kernel adds under 1 ms to the
# start-up; fuse adds no more than 1.2x the hand mount.
#
# Environment: BENCH_USER (as root; default burrowtest), BENCH_RUNS (hyperfine
# runs, default 100), BENCH_WARMUP (10), BENCH_MB (200), BENCH_FILES (10000),
# BENCH_IO_RUNS (3), BENCH_TMPDIR (/tmp), BENCH_STATE_DIR (burrow's --root,
# where the upper is made: default a directory in BENCH_TMPDIR; burrow's own
# default is $XDG_RUNTIME_DIR/burrow, a tmpfs on most hosts, and the upper's
# file system weighs: its directories are made and removed at each run;
# the floor's directories are made there too), HYPERFINE, FUSE_OVERLAYFS,
# FUSERMOUNT (default: found in PATH), BUSYBOX (/bin/busybox).
set -euo pipefail

die() {
    echo "bench: error: $*" >&2
    exit 1
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# shellcheck disable=SC2016 # expanded by the container's shell
# The workload, run by busybox sh inside the container (or on the hand
# mount, with $1 as its root): prints "write MS", "read MS", "files MS".
WORKLOAD='d=${1:-}; now() { read -r u _ </proc/uptime; u=${u%.*}${u#*.}; echo $((u * 10)); }
t0=$(now); dd if=/dev/zero of=$d/big bs=1048576 count=$BENCH_MB 2>/dev/null; sync
t1=$(now); cat $d/big >/dev/null; t2=$(now)
mkdir $d/many; i=0; while [ $i -lt $BENCH_FILES ]; do : >$d/many/f$i; i=$((i + 1)); done; t3=$(now)
echo "write $((t1 - t0))"; echo "read $((t2 - t1))"; echo "files $((t3 - t2))"
rm -rf $d/big $d/many'

# shellcheck disable=SC2153 # settings.sh sets HYPERFINE, FUSE_OVERLAYFS, ...
inner() {
    W=$1
    # shellcheck source=/dev/null
    . "$W/settings.sh"
    cd "$W"
    local b="$W/bin/burrow --root $STATE run --bundle $W/bundle"
    local m
    for m in off kernel fuse; do
        $b --rootfs-overlay=$m pre-$m >/dev/null 2>"$W/pre-$m.err" ||
            die "burrow run --rootfs-overlay=$m fails: $(cat "$W/pre-$m.err")"
    done
    # By hand: the same layers, mounted and unmounted with the tools alone.
    local hand="sh -c 'rm -rf $W/hand && mkdir -p $W/hand/u $W/hand/w $W/hand/m && $FUSE_OVERLAYFS -o lowerdir=$W/bundle/rootfs,upperdir=$W/hand/u,workdir=$W/hand/w $W/hand/m && $FUSERMOUNT -u $W/hand/m'"

    # The floor, in the state root's file system (where burrow makes the
    # upper): a fresh upper and work each run, as burrow makes them.
    local F=$STATE/floor
    mkdir -p "$F/u" "$F/m"
    # The same commands but for mount(8)'s --fake (all but the mount(2)).
    local fl="unshare -Urm sh -c 'rm -rf $F/w && mkdir $F/w && mount"
    local fo="-t overlay overlay -o lowerdir=$W/bundle/rootfs,upperdir=$F/u,workdir=$F/w,userxattr,volatile $F/m'"
    echo "## 0. the floor: overlayfs mounted in a bare unshare -Urm (median of $BENCH_RUNS)"
    "$HYPERFINE" -N --warmup "$BENCH_WARMUP" --runs "$BENCH_RUNS" --export-json "$W/floor.json" \
        -n "unshare -Urm, mount --fake" "$fl --fake $fo" -n "unshare -Urm + overlay" "$fl $fo" \
        >"$W/hyperfine-floor.log"
    jq -r '.results[] | "\(.command)\t\(.median * 1000)\t\(.stddev * 1000)"' "$W/floor.json" |
        awk -F'\t' '{ m[NR] = $2; printf "  %-28s median %8.2f ms  (σ %.2f)\n", $1, $2, $3 }
            END { printf "the kernel overlay by itself (mount, then its end with the namespace): %.2f ms\n", m[2] - m[1] }'
    unshare -Urm rm -rf "$F" # the kernel's work dirs are mode 000
    echo

    echo "## 1. start-up: run /bin/true (median of $BENCH_RUNS)"
    "$HYPERFINE" -N --warmup "$BENCH_WARMUP" --runs "$BENCH_RUNS" --export-json "$W/startup.json" \
        -n off "$b --rootfs-overlay=off bench" -n kernel "$b --rootfs-overlay=kernel bench" \
        -n fuse "$b --rootfs-overlay=fuse bench" -n "fuse-overlayfs by hand" "$hand" >"$W/hyperfine.log"
    echo "hyperfine (each command's runs one after the other):"
    jq -r '.results[] | "\(.command)\t\(.median * 1000)\t\(.stddev * 1000)"' "$W/startup.json" |
        awk -F'\t' '{ printf "  %-24s median %8.2f ms  (σ %.2f)\n", $1, $2, $3 }'
    # Interleaved: one run of each in turn, so that a load changing over
    # the minutes (other work on the machine) weighs on all alike.
    local c
    for _ in $(seq "$BENCH_RUNS"); do
        for c in off kernel fuse hand; do
            local t0 t1
            t0=$(date +%s%N)
            if [ $c = hand ]; then
                eval "$hand" >/dev/null 2>&1
            else
                $b --rootfs-overlay=$c bench >/dev/null 2>&1
            fi
            t1=$(date +%s%N)
            echo "$(((t1 - t0) / 1000))" >>"$W/il-$c"
        done
    done
    declare -A med=()
    echo "interleaved (one run of each in turn; date(1) around each, its cost in all alike):"
    for c in off kernel fuse hand; do
        med[$c]=$(median <"$W/il-$c")
        printf '  %-24s median %8.2f ms\n' "$([ $c = hand ] && echo 'fuse-overlayfs by hand' || echo $c)" \
            "$(awk -v u="${med[$c]}" 'BEGIN { print u / 1000 }')"
    done
    awk -v off="${med[off]}" -v k="${med[kernel]}" -v f="${med[fuse]}" -v h="${med[hand]}" 'BEGIN {
        printf "kernel adds %.2f ms to start-up (target < 1 ms); kernel/off %.2fx\n", (k - off) / 1000, k / off
        printf "fuse adds %.2f ms; fuse/off %.2fx\n", (f - off) / 1000, f / off
        printf "fuse-overlayfs mount + unmount by hand: %.2f ms; what fuse mode adds is %.2fx that (target <= 1.2x)\n", h / 1000, (f - off) / h }'
    echo
    echo "## 2. throughput: write + read $BENCH_MB MiB, create $BENCH_FILES files (ms, median of $BENCH_IO_RUNS)"
    printf '  %-24s %10s %10s %10s\n' mode write read files
    local k
    for m in off kernel fuse hand; do
        : >"$W/io-$m"
        for _ in $(seq "$BENCH_IO_RUNS"); do
            if [ "$m" = hand ]; then
                rm -rf "$W/hand" && mkdir -p "$W/hand/u" "$W/hand/w" "$W/hand/m"
                "$FUSE_OVERLAYFS" -o "lowerdir=$W/bundle/rootfs,upperdir=$W/hand/u,workdir=$W/hand/w" "$W/hand/m"
                BENCH_MB=$BENCH_MB BENCH_FILES=$BENCH_FILES "$BUSYBOX" sh -c "$WORKLOAD" sh "$W/hand/m" >>"$W/io-$m"
                "$FUSERMOUNT" -u "$W/hand/m"
            else
                "$W/bin/burrow" --root "$STATE" run --bundle "$W/bundle-io" \
                    --rootfs-overlay=$m io >>"$W/io-$m"
            fi
        done
        printf '  %-24s' "$([ $m = hand ] && echo 'fuse-overlayfs by hand' || echo $m)"
        for k in write read files; do
            printf ' %10s' "$(awk -v k=$k '$1 == k { print $2 }' "$W/io-$m" | median)"
        done
        echo
    done
    echo "(MiB/s = $BENCH_MB * 1000 / ms; the page cache holds the data: read is a cached read through each layer)"
}

if [ "${1:-}" = "--inner" ]; then
    inner "$2"
    exit 0
fi

keep=${BENCH_KEEP:-0}
burrow_bin=${BURROW:-}
for a in "$@"; do
    case $a in
    --keep) keep=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    -*) die "unknown option $a (see --help)" ;;
    *) burrow_bin=$a ;;
    esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -n "$burrow_bin" ] || burrow_bin=$here/../../burrow
[ -x "$burrow_bin" ] || die "burrow: no executable at $burrow_bin (build it first: make)"
BENCH_RUNS=${BENCH_RUNS:-100}
BENCH_WARMUP=${BENCH_WARMUP:-10}
BENCH_MB=${BENCH_MB:-200}
BENCH_FILES=${BENCH_FILES:-10000}
BENCH_IO_RUNS=${BENCH_IO_RUNS:-3}
for v in BENCH_RUNS BENCH_WARMUP BENCH_MB BENCH_FILES BENCH_IO_RUNS; do
    if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" -eq 0 ]; then die "$v must be a positive integer"; fi
done
hyperfine=${HYPERFINE:-$(command -v hyperfine || true)}
[ -n "$hyperfine" ] || die "hyperfine not found (apt-get install hyperfine)"
fuse_overlayfs=${FUSE_OVERLAYFS:-$(command -v fuse-overlayfs || true)}
[ -n "$fuse_overlayfs" ] || die "fuse-overlayfs not found (apt-get install fuse-overlayfs)"
fusermount=${FUSERMOUNT:-$(command -v fusermount3 || command -v fusermount || true)}
[ -n "$fusermount" ] || die "fusermount3 not found (apt-get install fuse3)"
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "$busybox not found: install busybox-static"
command -v jq >/dev/null || die "jq not found"

as_user=()
bench_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    bench_user=${BENCH_USER:-burrowtest}
    id -u "$bench_user" >/dev/null 2>&1 || die "no user $bench_user (tests/run-all.sh or bench/startup.sh creates it)"
    as_user=(setpriv --reuid="$bench_user" --regid="$bench_user" --init-groups)
fi
W=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/burrow-bench-overlay.XXXXXX")
state=$W/state
[ -z "${BENCH_STATE_DIR:-}" ] || state=$(mktemp -d "$BENCH_STATE_DIR/burrow-bench-state.XXXXXX")
# shellcheck disable=SC2329 # the trap runs it
cleanup() {
    if [ "$keep" = 1 ]; then
        echo "# kept $W $state" >&2
    else
        rm -rf "$W" "$state"
    fi
}
trap cleanup EXIT
mkdir -p "$W/bin" "$W/bundle/rootfs" "$state" "$W/home"
chmod 0700 "$state"
[ "$(id -u)" -ne 0 ] || chown "$bench_user:" "$state"
cp "$burrow_bin" "$W/bin/burrow"
cp "${BASH_SOURCE[0]}" "$W/overlay.sh"
R=$W/bundle/rootfs
mkdir -p "$R/bin" "$R/proc" "$R/dev" "$R/sys" "$R/tmp" "$R/etc"
chmod 1777 "$R/tmp"
cp "$busybox" "$R/bin/busybox"
for t in true sh dd cat date mkdir rm sync; do ln -s busybox "$R/bin/$t"; done
printf 'root:x:0:0:root:/:/bin/sh\n' >"$R/etc/passwd"
chmod -R a+rX "$W"
[ "$(id -u)" -ne 0 ] || chown -R "$bench_user:" "$W"
user_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$W/home" LANG=C.UTF-8)
(cd "$W/bundle" && "${as_user[@]}" "${user_env[@]}" "$W/bin/burrow" spec --rootless) ||
    die "burrow spec --rootless failed as $bench_user"
"${as_user[@]}" "${user_env[@]}" jq '
    .process.args = ["/bin/true"] | .process.terminal = false | .root.readonly = false
    | .linux.uidMappings |= .[:1] | .linux.gidMappings |= .[:1]
    | .mounts |= map(if .options then .options |= map(select(test("^[ug]id=") | not)) else . end)' \
    "$W/bundle/config.json" >"$W/config.true.json"
# Section 2's bundle: the same rootfs (by absolute path), the workload.
mkdir -p "$W/bundle-io"
jq --arg w "$WORKLOAD" --arg mb "$BENCH_MB" --arg n "$BENCH_FILES" --arg r "$R" '
    .process.args = ["/bin/sh", "-c", $w] | .root.path = $r
    | .process.env += ["BENCH_MB=" + $mb, "BENCH_FILES=" + $n]' \
    "$W/config.true.json" >"$W/bundle-io/config.json"
cp "$W/config.true.json" "$W/bundle/config.json"
{
    printf 'HYPERFINE=%q\nFUSE_OVERLAYFS=%q\nFUSERMOUNT=%q\nBUSYBOX=%q\n' "$hyperfine" "$fuse_overlayfs" "$fusermount" "$busybox"
    printf 'BENCH_RUNS=%q\nBENCH_WARMUP=%q\nBENCH_MB=%q\nBENCH_FILES=%q\nBENCH_IO_RUNS=%q\n' \
        "$BENCH_RUNS" "$BENCH_WARMUP" "$BENCH_MB" "$BENCH_FILES" "$BENCH_IO_RUNS"
    printf 'WORKLOAD=%q\nSTATE=%q\n' "$WORKLOAD" "$state"
} >"$W/settings.sh"
[ "$(id -u)" -ne 0 ] || chown -R "$bench_user:" "$W"

echo "# burrow rootfs overlay benchmark, rootless as $bench_user; $(uname -sr), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# state root (where the upper is made): $state ($(stat -f -c %T "$state"))"
echo "# $("$fuse_overlayfs" --version 2>&1 | head -n1); hyperfine $("$hyperfine" --version | cut -d' ' -f2)"
"${as_user[@]}" "${user_env[@]}" bash "$W/overlay.sh" --inner "$W"
