#!/bin/bash
# network.sh [BURROW]: the network backends side by side, rootless.
#
#   1. throughput: BENCH_NET_MB (default 500) MiB sent over TCP by the
#      container (payload tcp-source) to the host (payload tcp-count) through
#      a port published on 127.0.0.1, for slirp4netns and pasta; the host's
#      own loopback as the reference;
#   2. added start-up time: `burrow run` of `payload exit 0`, median of
#      BENCH_NET_RUNS (default 20) runs, with --network=none (a network
#      namespace with only lo), slirp4netns and pasta.
#
# Traffic stays on 127.0.0.1.  Run as root, everything runs as BENCH_USER
# (default burrowtest, which tests/run-all.sh creates); as another user, as
# that user.  Environment: BURROW, PAYLOAD (default: the build tree's),
# BENCH_NET_MB, BENCH_NET_RUNS, BENCH_TMPDIR (default /tmp).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
MB=${BENCH_NET_MB:-500}
RUNS=${BENCH_NET_RUNS:-20}

die() {
    echo "bench: error: $*" >&2
    exit 1
}


median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- inner part: as the bench user ----------------------------------------------
if [ "${1:-}" = --inner ]; then
    dir=$2
    B=$dir/burrow
    P=$dir/payload
    cd "$dir"
    mkdir -p bundle
    "$B" spec --rootless --bundle bundle
    jq --arg r "$dir/rootfs" '.root.path = $r | .process.terminal = false
        | .linux.namespaces += [{"type": "network"}]' bundle/config.json >bundle/c && mv bundle/c bundle/config.json
    set_args() {
        jq --argjson a "$1" '.process.args = $a' bundle/config.json >bundle/c && mv bundle/c bundle/config.json
    }
    port=$((30000 + RANDOM % 20000))

    echo "== throughput: $MB MiB, container -> host, through 127.0.0.1:$port"
    "$P" tcp-source "$port" "$MB" >/dev/null &
    src=$!
    ref=$("$P" tcp-count 127.0.0.1 "$port")
    wait "$src"
    printf '%-12s %s MiB/s (%s s)\n' "host lo" "$(awk '{print $4}' <<<"$ref")" "$(awk '{print $3}' <<<"$ref")"
    set_args "[\"/bin/payload\", \"tcp-source\", \"8000\", \"$MB\"]"
    for mode in slirp4netns pasta; do
        if ! command -v "$mode" >/dev/null; then
            printf '%-12s skipped: not installed\n' "$mode"
            continue
        fi
        port=$((port + 1))
        "$B" --root "$dir/state" run -d --bundle bundle --network="$mode" -p "$port:8000" "bench-$mode" >/dev/null
        # The backend accepts on the host before the container listens: a
        # connection it cannot pass on ends empty; try again.
        for _ in $(seq 1 50); do
            out=$("$P" tcp-count 127.0.0.1 "$port")
            [ "$(awk '{print $2}' <<<"$out")" = 0 ] || break
            sleep 0.1
        done
        "$B" --root "$dir/state" delete --force "bench-$mode"
        printf '%-12s %s MiB/s (%s s, %s bytes)\n' "$mode" "$(awk '{print $4}' <<<"$out")" \
            "$(awk '{print $3}' <<<"$out")" "$(awk '{print $2}' <<<"$out")"
    done

    echo "== start-up: burrow run of \`payload exit 0\`, median of $RUNS runs"
    set_args '["/bin/payload", "exit", "0"]'
    declare -A med
    for mode in none slirp4netns pasta; do
        if [ "$mode" != none ] && ! command -v "$mode" >/dev/null; then continue; fi
        times=()
        for i in $(seq 1 "$RUNS"); do
            t0=$(date +%s%N)
            "$B" --root "$dir/state" run --bundle bundle --network="$mode" "bench-s$i" >/dev/null
            t1=$(date +%s%N)
            times+=("$(((t1 - t0) / 1000))")
        done
        med[$mode]=$(printf '%s\n' "${times[@]}" | median)
        printf '%-12s %8.1f ms' "$mode" "$(awk -v u="${med[$mode]}" 'BEGIN { print u / 1000 }')"
        if [ "$mode" != none ]; then
            printf '   (+%.1f ms over none)' "$(awk -v a="${med[$mode]}" -v b="${med[none]}" 'BEGIN { print (a - b) / 1000 }')"
        fi
        echo
    done
    exit 0
fi

# --- outer part -------------------------------------------------------------------
BURROW=${1:-${BURROW:-$top/burrow}}
PAYLOAD=${PAYLOAD:-$top/tests/payload/payload}
[ -x "$BURROW" ] || die "no burrow binary at $BURROW (build first)"
[ -x "$PAYLOAD" ] || die "no payload at $PAYLOAD (make payload)"
tmp=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/burrow-bench-net.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "$BURROW" "$tmp/burrow"
cp "$PAYLOAD" "$tmp/payload"
PAYLOAD=$PAYLOAD bash "$top/tests/lib/make-rootfs.sh" "$tmp/rootfs" >/dev/null
cp "$0" "$tmp/network.sh"
echo "# $(nproc) cpus, load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$(id -u)" -eq 0 ]; then
    user=${BENCH_USER:-burrowtest}
    id "$user" >/dev/null 2>&1 || die "no user $user (tests/run-all.sh creates burrowtest)"
    chown -R "$user:" "$tmp"
    [ -e /dev/net/tun ] && chmod 0666 /dev/net/tun
    setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
        env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$tmp" BENCH_NET_MB="$MB" BENCH_NET_RUNS="$RUNS" \
        bash "$tmp/network.sh" --inner "$tmp"
else
    BENCH_NET_MB=$MB BENCH_NET_RUNS=$RUNS bash "$tmp/network.sh" --inner "$tmp"
fi
