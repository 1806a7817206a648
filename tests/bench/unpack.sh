#!/bin/bash
# unpack.sh [UNPACK]: unpack time and peak memory of burrow-unpack beside
# `umoci unpack --rootless`, on the same multi-layer image built here.
#
# The image (an OCI layout, BENCH_UNPACK_MB megabytes of files, default 200,
# in BENCH_UNPACK_LAYERS gzip layers, default 4: per layer many small files,
# a few large ones, a deep tree, and a whiteout of the layer below) is made
# with tar, gzip and sha256sum.  Then, as the bench user, each tool unpacks
# it BENCH_UNPACK_RUNS times (default 3) into a fresh directory, timed by GNU
# time (wall seconds and maximum resident set); the medians and the ratio are
# printed.  Run as root, the bench user is BENCH_USER (default burrowtest,
# which must exist; tests/run-all.sh creates it): both tools run rootless.
#
# Targets are informational (issue 6: at least 2x faster than umoci); the
# script fails only when a tool cannot unpack the image.
#
#   UNPACK                 burrow-unpack (argument, $UNPACK, or the build tree's)
#   BENCH_UNPACK_MB, BENCH_UNPACK_LAYERS, BENCH_UNPACK_RUNS, BENCH_USER
#   BENCH_TMPDIR           parent of the temporary directory (default /tmp)
#   UMOCI                  umoci (default: found in PATH; skipped if missing)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
unpack=${1:-${UNPACK:-$here/../../helpers/burrow-unpack/burrow-unpack}}
mb=${BENCH_UNPACK_MB:-200}
nlayers=${BENCH_UNPACK_LAYERS:-4}
runs=${BENCH_UNPACK_RUNS:-3}
umoci=${UMOCI:-$(command -v umoci || true)}

die() {
    echo "bench: error: $*" >&2
    exit 1
}
[ -x "$unpack" ] || die "burrow-unpack not found at $unpack: build it (make)"
[ -x /usr/bin/time ] || die "GNU time not found at /usr/bin/time (apt-get install time)"

as_user=()
if [ "$(id -u)" -eq 0 ]; then
    user=${BENCH_USER:-burrowtest}
    id "$user" >/dev/null 2>&1 || die "bench user $user does not exist (tests/run-all.sh creates it)"
    as_user=(setpriv --reuid "$user" --regid "$user" --init-groups env HOME=/tmp)
fi

work=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/burrow-bench-unpack.XXXXXX")
chmod 0755 "$work"
cleanup() {
    rm -rf "$work"
}
trap cleanup EXIT

# --- the image ---------------------------------------------------------------
echo "# building a ${mb} MB image in $nlayers layers..."
img=$work/img
mkdir -p "$img/blobs/sha256"
per_layer=$((mb * 1024 * 1024 / nlayers))
layers_json=
diffs_json=
for l in $(seq 1 "$nlayers"); do
    d=$work/layer$l
    mkdir -p "$d"
    # half in 16 KiB files over a tree, half in 4 MiB files; base64 text of
    # random bytes, so gzip has work (compresses to ~75%).
    small=$((per_layer / 2 / 16384))
    big=$((per_layer / 2 / 4194304))
    head -c $((per_layer * 3 / 4 + 4194304)) /dev/urandom | base64 -w 0 >"$work/pool"
    # 100 files a directory, cut by split(1) from consecutive parts of the pool
    for i in $(seq 0 $(((small + 99) / 100 - 1))); do
        sub=$d/usr/share/l$l/$((i / 10))/$((i % 10))
        mkdir -p "$sub"
        dd if="$work/pool" bs=1M iflag=skip_bytes,count_bytes skip=$((i * 100 * 16384)) \
            count=$((100 * 16384)) status=none | split -b 16384 -a 2 -d - "$sub/f"
    done
    for i in $(seq 0 $((big - 1))); do
        mkdir -p "$d/opt/l$l"
        dd if="$work/pool" of="$d/opt/l$l/big$i" bs=1M iflag=skip_bytes,count_bytes \
            skip=$((i * 4194304)) count=4194304 status=none
    done
    mkdir -p "$d/opt"
    [ "$l" -eq 1 ] || touch "$d/opt/.wh.l$((l - 1))"
    rm -f "$work/pool"
    tar -C "$d" --numeric-owner --owner=0 --group=0 -cf "$work/l.tar" .
    diff=$(sha256sum <"$work/l.tar" | cut -d' ' -f1)
    gzip -1 -c "$work/l.tar" >"$work/l.tgz"
    dg=$(sha256sum <"$work/l.tgz" | cut -d' ' -f1)
    size=$(stat -c %s "$work/l.tgz")
    mv "$work/l.tgz" "$img/blobs/sha256/$dg"
    rm -rf "$work/l.tar" "$d"
    layers_json+="${layers_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$dg\",\"size\":$size}"
    diffs_json+="${diffs_json:+,}\"sha256:$diff\""
done
add_json() { # TEXT -> blobs/sha256/HEX; prints "HEX SIZE"
    local h
    h=$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)
    printf '%s' "$1" >"$img/blobs/sha256/$h"
    echo "$h ${#1}"
}
read -r ch cs < <(add_json "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diffs_json]}}")
read -r mh ms < <(add_json "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$ch\",\"size\":$cs},\"layers\":[$layers_json]}")
printf '{"imageLayoutVersion":"1.0.0"}' >"$img/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' "$mh" "$ms" >"$img/index.json"
# the bench user may not reach the build tree
cp "$unpack" "$work/burrow-unpack"
unpack=$work/burrow-unpack
chmod -R a+rX "$work"
echo "# image: $(du -sm "$img/blobs" | cut -f1) MB of gzip blobs, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the runs ------------------------------------------------------------------
out=$work/out
mkdir -m 0777 "$out"
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# run NAME CMD...: BENCH runs; prints "SECONDS KB" medians.
run() {
    local name=$1 i t
    shift
    : >"$work/$name.times"
    for i in $(seq 1 "$runs"); do
        sync
        t=$out/$name-$i
        "${as_user[@]}" /usr/bin/time -f '%e %M' -o "$out/time" "$@" "$t" >"$out/log" 2>&1 ||
            {
                cat "$out/log" >&2
                die "$name failed"
            }
        cat "$out/time" >>"$work/$name.times"
        rm -rf "$t" 2>/dev/null || "${as_user[@]}" unshare --map-root-user --map-users=auto --map-groups=auto rm -rf "$t" 2>/dev/null || true
        rm -rf "$t"
    done
    echo "$(cut -d' ' -f1 "$work/$name.times" | median) $(cut -d' ' -f2 "$work/$name.times" | median)"
}
read -r bt bm < <(run burrow-unpack "$unpack" -q "$img:bench")
printf '%-24s %8s s  %8s MB max RSS   (median of %s)\n' burrow-unpack "$bt" "$((bm / 1024))" "$runs"
if [ -n "$umoci" ]; then
    read -r ut um < <(run umoci "$umoci" unpack --rootless --image "$img:bench")
    printf '%-24s %8s s  %8s MB max RSS   (median of %s)\n' "umoci unpack --rootless" "$ut" "$((um / 1024))" "$runs"
    echo "ratio: umoci / burrow-unpack = $(awk -v u="$ut" -v b="$bt" 'BEGIN { printf "%.2f", u / b }')x time (target >= 2x), $(awk -v u="$um" -v b="$bm" 'BEGIN { printf "%.2f", u / b }')x memory"
else
    echo "umoci: skipped (not installed: apt-get install umoci)"
fi
