#!/bin/bash
# startup.sh [--json FILE] [--keep] [BURROW]: start-up time of `run /bin/true`,
# rootless, burrow beside crun, runc and bwrap.
#
# Builds once, in a temporary directory the bench user can read, a rootfs
# from Debian's busybox-static and ONE config.json (`burrow spec --rootless`
# run as the bench user, process.args = ["/bin/true"]) that burrow, crun and
# runc all run; bwrap gets the closest equivalent command line.  Then, as the
# bench user:
#   1. one hyperfine run (-N, warm-up, BENCH_RUNS runs) of the four, side by
#      side, exported as JSON; a table of median, mean +- sigma and the ratio
#      to crun; each runtime's maximum resident set (GNU time %M, median of
#      BENCH_RSS_RUNS runs); the targets beside the figures;
#   2. burrow with a config WITHOUT a user namespace, so that burrow maps the
#      user's /etc/subuid range through newuidmap/newgidmap, beside the
#      single-mapping run of section 1: the cost of the helpers.
#
# Targets are informational: a missed target never fails the script.  It
# fails only when a runtime cannot run at all (it says which and why); a
# reference runtime that is not installed is skipped with the reason.
#
# Run as root (what `make bench` does on CI and dev machines): the bench
# user is BENCH_USER (default burrowtest, created with the range
# 200000:65536 if missing, as tests/run-all.sh does), and everything runs in a
# private mount namespace where, on a hybrid cgroup host, an empty tmpfs hides
# /sys/fs/cgroup/unified (crun refuses hybrid cgroups; all four runtimes run
# in that same namespace).  Run as another user: that user is the bench user
# and nothing is hidden, so crun is skipped on a hybrid host.
#
# Arguments and environment:
#   BURROW              the burrow binary (argument, or $BURROW, or the build tree's)
#   --json FILE         where to copy hyperfine's JSON (default ./bench-startup.json);
#                       section 2's goes to FILE with -helpers before .json
#   --keep              keep the temporary directory (BENCH_KEEP=1)
#   BENCH_USER          the unprivileged user (as root; default burrowtest)
#   BENCH_RUNS          hyperfine runs per runtime, section 1 (default 200)
#   BENCH_WARMUP        hyperfine warm-up runs (default 20)
#   BENCH_RSS_RUNS      GNU time runs per runtime for the max RSS (default 20)
#   BENCH_HELPER_RUNS   hyperfine runs per command, section 2 (default 100)
#   BENCH_TMPDIR        parent of the temporary directory (default /tmp)
#   CRUN, RUNC, BWRAP, HYPERFINE   the tools (default: found in PATH)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
    echo "bench: error: $*" >&2
    exit 1
}

# ---------------------------------------------------------------------------
# Inner part: runs as the bench user, inside the prepared environment.
# ---------------------------------------------------------------------------

median() { # numbers on stdin, one a line
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# preflight NAME CMD...: one run; on failure, leave its output and exit
# status in $W/preflight-NAME.log and return 1.
preflight() {
    local name=$1
    shift
    local out=$W/preflight-$name.log rc=0
    timeout 60 "$@" >"$out" 2>&1 || rc=$?
    [ "$rc" != 0 ] || return 0
    if [ "$rc" = 124 ]; then
        echo "(timed out after 60 s)" >>"$out"
    else
        echo "(exit status $rc)" >>"$out"
    fi
    return 1
}

inner() {
    W=$1
    # shellcheck source=/dev/null
    . "$W/settings.sh"
    cd "$W"
    local args=() failed=0

    # --- pre-flight: every runtime runs the container once ------------------
    for name in $RUNTIMES; do
        local var=CMD_$name
        # shellcheck disable=SC2086 # the command is a plain word list
        if preflight "$name" ${!var}; then
            continue
        fi
        local why
        why=$(tr '\n' ' ' <"$W/preflight-$name.log" | cut -c1-400)
        case $name:$why in
        crun:*"unknown version specified"*)
            # crun 1.8 knows only ociVersion 1.0.x: the one adjustment the
            # shared config needs; re-check everything with it.
            local tmp
            tmp=$(mktemp "$W/bundle/config.XXXXXX")
            jq '.ociVersion = "1.0.2"' "$W/bundle/config.json" >"$tmp"
            mv -f "$tmp" "$W/bundle/config.json"
            echo "note: crun rejected ociVersion $(jq -r .ociVersion "$W/config.orig.json") (\"$why\"): the shared config.json now says \"1.0.2\" (burrow and runc run it as well)" >>"$W/notes"
            # shellcheck disable=SC2086
            if preflight "$name" ${!var}; then
                # The others again, with the adjusted config.
                for other in $RUNTIMES; do
                    [ "$other" != "$name" ] || break
                    local ov=CMD_$other
                    # shellcheck disable=SC2086
                    if ! preflight "$other" ${!ov}; then
                        echo "bench: $other cannot run the adjusted config: $(tr '\n' ' ' <"$W/preflight-$other.log" | cut -c1-400)" >&2
                        failed=1
                    fi
                done
                continue
            fi
            why=$(tr '\n' ' ' <"$W/preflight-$name.log" | cut -c1-400)
            ;;
        esac
        case $name:$why in
        crun:*"hybrid mode not supported"*)
            if [ "$HIDDEN_CGROUP2" = 0 ]; then
                echo "skip: crun: it refuses this host's hybrid cgroups (\"$why\"); run the benchmark as root (sudo make bench) so that it can hide /sys/fs/cgroup/unified in a private mount namespace" >>"$W/notes"
                RUNTIMES=$(echo " $RUNTIMES " | sed 's/ crun / /; s/^ //; s/ $//')
                continue
            fi
            ;;
        esac
        echo "bench: $name cannot run the container: $why" >&2
        echo "bench: command: ${!var}" >&2
        failed=1
    done
    [ "$failed" = 0 ] || exit 1
    if [ -s "$W/notes" ]; then
        sed 's/^/# /' "$W/notes"
        : >"$W/notes"
    fi

    for name in $RUNTIMES; do
        local var=CMD_$name
        args+=(-n "$name" "${!var}")
    done

    # --- section 1: hyperfine, side by side --------------------------------
    echo
    echo "## 1. run /bin/true, rootless as $(id -un) (uid $(id -u)), single-id user namespace"
    echo
    "$HYPERFINE" -N --warmup "$BENCH_WARMUP" --runs "$BENCH_RUNS" \
        --export-json "$W/startup.json" "${args[@]}"

    # --- max RSS: GNU time, median of BENCH_RSS_RUNS -------------------------
    declare -A rss=()
    if [ -x "$GNU_TIME" ]; then
        for name in $RUNTIMES; do
            local var=CMD_$name
            : >"$W/rss-$name.txt"
            for _ in $(seq "$BENCH_RSS_RUNS"); do
                # shellcheck disable=SC2086
                "$GNU_TIME" -f %M -o "$W/rss.tmp" ${!var} >/dev/null 2>&1 || true
                tail -n 1 "$W/rss.tmp" >>"$W/rss-$name.txt"
            done
            rss[$name]=$(median <"$W/rss-$name.txt")
        done
    fi

    # --- the table -----------------------------------------------------------
    local crun_median
    crun_median=$(jq -r '.results[] | select(.command == "crun") | .median' "$W/startup.json")
    echo
    echo "runtime   median ms    mean ± σ ms       ratio to crun   max RSS MiB"
    for name in $RUNTIMES; do
        jq -r --arg n "$name" --arg c "${crun_median:-}" --arg r "${rss[$name]:-}" '
            .results[] | select(.command == $n) |
            [ $n, (.median * 1000), (.mean * 1000), (.stddev * 1000),
              (if $c == "" then "n/a" else (.median / ($c | tonumber)) end),
              (if $r == "" then "n/a" else ($r | tonumber) / 1024 end) ] | @tsv' "$W/startup.json"
    done | awk -F'\t' '{
        ratio = ($5 == "n/a") ? "n/a" : sprintf("%.2f×", $5)
        mem = ($6 == "n/a") ? "n/a" : sprintf("%.2f", $6)
        printf "%-8s %8.2f    %6.2f ± %-6.2f    %13s   %11s\n", $1, $2, $3, $4, ratio, mem }'
    echo

    local b_med bw_med
    b_med=$(jq -r '.results[] | select(.command == "burrow") | .median' "$W/startup.json")
    bw_med=$(jq -r '.results[] | select(.command == "bwrap") | .median' "$W/startup.json")
    verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo missed; fi; }
    if [ -n "$crun_median" ]; then
        local ratio
        ratio=$(awk -v a="$b_med" -v b="$crun_median" 'BEGIN { printf "%.2f", a / b }')
        echo "burrow/crun median ratio: $ratio   (target ≤ 0.50: $(verdict "$ratio <= 0.5"))"
    else
        echo "burrow/crun median ratio: n/a (crun skipped)   (target ≤ 0.50)"
    fi
    if [ -n "$bw_med" ]; then
        printf 'burrow vs bwrap median: %.2f ms vs %.2f ms   (target burrow ≤ bwrap: %s)\n' \
            "$(awk -v x="$b_med" 'BEGIN { print x * 1000 }')" \
            "$(awk -v x="$bw_med" 'BEGIN { print x * 1000 }')" \
            "$(verdict "$b_med <= $bw_med")"
    else
        echo "burrow vs bwrap median: n/a (bwrap skipped)   (target burrow ≤ bwrap)"
    fi
    if [ -n "${rss[burrow]:-}" ]; then
        local mib
        mib=$(awk -v k="${rss[burrow]}" 'BEGIN { printf "%.2f", k / 1024 }')
        echo "burrow max RSS: $mib MiB   (target ≤ 2.5 MiB: $(verdict "$mib <= 2.5"))"
    else
        echo "burrow max RSS: n/a (no GNU time at $GNU_TIME)   (target ≤ 2.5 MiB)"
    fi
    echo "(max RSS: GNU time's %M, the largest resident set of the runtime and the"
    echo " descendants it waited for, median of $BENCH_RSS_RUNS runs; 1 MiB = 1024 KiB)"

    # --- section 2: the cost of newuidmap/newgidmap ----------------------------
    echo
    echo "## 2. burrow: config without a user namespace (subordinate range through newuidmap/newgidmap)"
    echo
    if [ -n "$HELPERS_SKIP" ]; then
        echo "skip: $HELPERS_SKIP"
        return 0
    fi
    # shellcheck disable=SC2086
    if ! preflight burrow-helpers $CMD_burrow_helpers; then
        echo "bench: burrow cannot run the config without a user namespace: $(tr '\n' ' ' <"$W/preflight-burrow-helpers.log" | cut -c1-400)" >&2
        echo "bench: command: $CMD_burrow_helpers" >&2
        exit 1
    fi
    "$HYPERFINE" -N --warmup "$BENCH_WARMUP" --runs "$BENCH_HELPER_RUNS" \
        --export-json "$W/startup-helpers.json" \
        -n "burrow (single mapping)" "$CMD_burrow" \
        -n "burrow (newuidmap/newgidmap)" "$CMD_burrow_helpers"
    echo
    jq -r '.results | (.[0].median) as $a | (.[1].median) as $b |
        "single mapping: median \($a * 100000 | round / 100) ms; subordinate range through the helpers: median \($b * 100000 | round / 100) ms",
        "cost of newuidmap/newgidmap: +\(($b - $a) * 100000 | round / 100) ms (\((($b / $a) * 100 | round) / 100)× the single-mapping run)"' \
        "$W/startup-helpers.json"
    echo "uid mappings: $(jq -c '[.[] | [.containerID, .hostID, .size]]' "$W/maps.json")"
}

if [ "${1:-}" = "--inner" ]; then
    inner "$2"
    exit 0
fi

# ---------------------------------------------------------------------------
# Outer part: prepare, then run the inner part as the bench user.
# ---------------------------------------------------------------------------

json_out=$PWD/bench-startup.json
keep=${BENCH_KEEP:-0}
burrow_bin=${BURROW:-}
while [ $# -gt 0 ]; do
    case $1 in
    --json)
        [ $# -ge 2 ] || die "--json needs a file name"
        json_out=$2
        shift 2
        ;;
    --keep)
        keep=1
        shift
        ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
        burrow_bin=$1
        shift
        ;;
    esac
done
[ -n "$burrow_bin" ] || burrow_bin=$here/../../burrow
[ -x "$burrow_bin" ] || die "burrow: no executable at $burrow_bin (build it first: make)"
burrow_bin=$(cd "$(dirname "$burrow_bin")" && pwd)/$(basename "$burrow_bin")
case $json_out in /*) ;; *) json_out=$PWD/$json_out ;; esac

BENCH_RUNS=${BENCH_RUNS:-200}
BENCH_WARMUP=${BENCH_WARMUP:-20}
BENCH_RSS_RUNS=${BENCH_RSS_RUNS:-20}
BENCH_HELPER_RUNS=${BENCH_HELPER_RUNS:-100}
for v in BENCH_RUNS BENCH_WARMUP BENCH_RSS_RUNS BENCH_HELPER_RUNS; do
    [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "$v must be a positive integer"
done

hyperfine=${HYPERFINE:-$(command -v hyperfine || true)}
[ -n "$hyperfine" ] || die "hyperfine not found (apt-get install hyperfine, or scripts/install-deps.sh --test)"
command -v jq >/dev/null || die "jq not found (apt-get install jq)"
command -v setpriv >/dev/null || die "setpriv not found (util-linux)"
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "$busybox not found: install busybox-static"
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
    die "$busybox is not statically linked: install busybox-static instead of busybox"
fi

notes=()
crun_bin=${CRUN:-$(command -v crun || true)}
runc_bin=${RUNC:-$(command -v runc || true)}
bwrap_bin=${BWRAP:-$(command -v bwrap || true)}
[ -n "$crun_bin" ] || notes+=("skip: crun: not installed (apt-get install crun)")
[ -n "$runc_bin" ] || notes+=("skip: runc: not installed (apt-get install runc)")
[ -n "$bwrap_bin" ] || notes+=("skip: bwrap: not installed (apt-get install bubblewrap)")
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || notes+=("skip: max RSS: GNU time not installed at $gnu_time (apt-get install time)")

# --- the bench user ----------------------------------------------------------
am_root=0
[ "$(id -u)" -ne 0 ] || am_root=1
if [ "$am_root" = 1 ]; then
    bench_user=${BENCH_USER:-burrowtest}
    if ! id -u "$bench_user" >/dev/null 2>&1; then
        command -v useradd >/dev/null || die "useradd not found (package passwd)"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$bench_user" || id -u "$bench_user" >/dev/null 2>&1 ||
            die "useradd $bench_user failed"
        for f in /etc/subuid /etc/subgid; do
            [ -e "$f" ] || install -m 0644 /dev/null "$f"
            grep -q "^$bench_user:" "$f" || echo "$bench_user:200000:65536" >>"$f"
        done
    fi
    as_user=(setpriv --reuid="$bench_user" --regid="$bench_user" --init-groups)
else
    bench_user=$(id -un)
    as_user=()
fi
bench_uid=$(id -u "$bench_user")
user_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 LC_ALL=C.UTF-8)

# --- the work directory ----------------------------------------------------------
W=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/burrow-bench.XXXXXX")
cleanup() {
    if [ "$keep" = 1 ]; then
        echo "# kept $W" >&2
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT
chmod 0755 "$W"
mkdir -p "$W/bin" "$W/bundle/rootfs" "$W/bundle-helpers" "$W/state" "$W/home"
cp "$burrow_bin" "$W/bin/burrow"
cp "${BASH_SOURCE[0]}" "$W/startup.sh"

# The rootfs: busybox, /bin/true, and the mount points the config uses.
R=$W/bundle/rootfs
mkdir -p "$R/bin" "$R/proc" "$R/dev" "$R/sys" "$R/tmp" "$R/etc"
chmod 1777 "$R/tmp"
cp "$busybox" "$R/bin/busybox"
ln -s busybox "$R/bin/true"
ln -s busybox "$R/bin/sh"
printf 'root:x:0:0:root:/:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
chown -R "$bench_uid:$(id -g "$bench_user")" "$W/bundle" "$W/bundle-helpers" "$W/state" "$W/home"
chmod -R a+rX "$W"
[ "$am_root" = 0 ] || chown "$bench_uid:$(id -g "$bench_user")" "$W"

# The config: `burrow spec --rootless` as the bench user, then only args,
# terminal, and the mappings cut to the first (the user's own id as 0, as
# bwrap maps it) with the uid=/gid= mount options that only the ranges map:
# spec adds the user's subordinate ranges, which section 2 measures.
(cd "$W/bundle" && "${as_user[@]}" "${user_env[@]}" HOME="$W/home" "$W/bin/burrow" spec --rootless) ||
    die "burrow: \`burrow spec --rootless\` failed as $bench_user"
"${as_user[@]}" "${user_env[@]}" sh -c '
    jq ".process.args = [\"/bin/true\"] | .process.terminal = false
        | .linux.uidMappings |= .[:1] | .linux.gidMappings |= .[:1]
        | .mounts |= map(if .options then .options |= map(select(test(\"^[ug]id=\") | not)) else . end)" \
        "$1/config.json" >"$1/config.json.tmp" &&
    mv -f "$1/config.json.tmp" "$1/config.json" && cp "$1/config.json" "$2/config.orig.json"' \
    sh "$W/bundle" "$W" || die "could not edit $W/bundle/config.json"
cfg=$W/bundle/config.json
jq '.linux.uidMappings' "$cfg" >"$W/maps.json"

# Section 2's config: the same without the user namespace and its mappings;
# the rootfs by absolute path.
"${as_user[@]}" "${user_env[@]}" sh -c '
    jq --arg r "$1/rootfs" "del(.linux.uidMappings, .linux.gidMappings)
        | .linux.namespaces |= map(select(.type != \"user\")) | .root.path = \$r" \
        "$1/config.json" >"$2/config.json"' sh "$W/bundle" "$W/bundle-helpers"
helpers_skip=""
if ! command -v newuidmap >/dev/null || ! command -v newgidmap >/dev/null; then
    helpers_skip="newuidmap/newgidmap not installed (apt-get install uidmap)"
elif ! grep -qs "^\($bench_user\|$bench_uid\):" /etc/subuid || ! grep -qs "^\($bench_user\|$bench_uid\):" /etc/subgid; then
    helpers_skip="$bench_user has no range in /etc/subuid and /etc/subgid"
fi

# The bwrap command: the config's sandbox, as far as bwrap's options go.
bwrap_cmd=""
if [ -n "$bwrap_bin" ]; then
    b=("$bwrap_bin")
    for ns in $(jq -r '.linux.namespaces[].type' "$cfg"); do
        case $ns in
        user) b+=(--unshare-user --uid 0 --gid 0) ;;
        pid) b+=(--unshare-pid --as-pid-1) ;;
        ipc) b+=(--unshare-ipc) ;;
        uts) b+=(--unshare-uts --hostname "$(jq -r '.hostname // "burrow"' "$cfg")") ;;
        cgroup) b+=(--unshare-cgroup) ;;
        network) b+=(--unshare-net) ;;
        mount) ;; # bwrap always has one
        *) notes+=("note: bwrap: no equivalent of the $ns namespace") ;;
        esac
    done
    if [ "$(jq -r '.root.readonly' "$cfg")" = true ]; then
        b+=(--ro-bind "$R" /)
    else
        b+=(--bind "$R" /)
    fi
    while IFS=$'\t' read -r dest type; do
        case $dest:$type in
        /proc:proc) b+=(--proc /proc) ;;
        /dev:tmpfs) b+=(--dev /dev) ;;
        /dev/pts:devpts) ;; # part of --dev
        /dev/shm:tmpfs) b+=(--perms 1777 --size $((65536 * 1024)) --tmpfs /dev/shm) ;;
        /dev/mqueue:mqueue) b+=(--mqueue /dev/mqueue) ;;
        /sys:none | /sys:bind | /sys:sysfs) b+=(--ro-bind /sys /sys) ;;
        /sys/fs/cgroup:cgroup*) b+=(--ro-bind /sys/fs/cgroup /sys/fs/cgroup) ;;
        *) notes+=("note: bwrap: mount $dest ($type) left out") ;;
        esac
    done < <(jq -r '.mounts[] | [.destination, .type] | @tsv' "$cfg")
    for p in $(jq -r '.linux.maskedPaths[]?' "$cfg"); do
        if [ -d "$p" ]; then
            b+=(--tmpfs "$p" --remount-ro "$p")
        elif [ -e "$p" ]; then
            b+=(--ro-bind /dev/null "$p")
        fi
    done
    for p in $(jq -r '.linux.readonlyPaths[]?' "$cfg"); do
        [ ! -e "$p" ] || b+=(--ro-bind "$p" "$p")
    done
    b+=(--cap-drop ALL)
    for c in $(jq -r '.process.capabilities.bounding[]?' "$cfg"); do
        b+=(--cap-add "$c")
    done
    b+=(/bin/true)
    bwrap_cmd=${b[*]}
fi

# Which runtimes, and their commands (no spaces in any path: mktemp's).
runtimes="burrow"
[ -z "$crun_bin" ] || runtimes+=" crun"
[ -z "$runc_bin" ] || runtimes+=" runc"
[ -z "$bwrap_bin" ] || runtimes+=" bwrap"
{
    printf 'RUNTIMES=%q\n' "$runtimes"
    printf 'CMD_burrow=%q\n' "$W/bin/burrow --root $W/state/burrow run --bundle $W/bundle bench"
    printf 'CMD_crun=%q\n' "$crun_bin --root $W/state/crun run --bundle $W/bundle bench"
    printf 'CMD_runc=%q\n' "$runc_bin --root $W/state/runc run --bundle $W/bundle bench"
    printf 'CMD_bwrap=%q\n' "$bwrap_cmd"
    printf 'CMD_burrow_helpers=%q\n' "$W/bin/burrow --root $W/state/burrow-helpers run --bundle $W/bundle-helpers bench"
    printf 'HELPERS_SKIP=%q\n' "$helpers_skip"
    printf 'HYPERFINE=%q\nGNU_TIME=%q\n' "$hyperfine" "$gnu_time"
    printf 'BENCH_RUNS=%q\nBENCH_WARMUP=%q\nBENCH_RSS_RUNS=%q\nBENCH_HELPER_RUNS=%q\n' \
        "$BENCH_RUNS" "$BENCH_WARMUP" "$BENCH_RSS_RUNS" "$BENCH_HELPER_RUNS"
} >"$W/settings.sh"

# --- the environment: a private mount namespace hiding cgroup2 (as root) -----
hidden=0
wrap=()
if [ "$am_root" = 1 ] && [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = tmpfs ] &&
    [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    # Only the unified mount is made private (so the tmpfs stays in this
    # namespace); the rest keeps the host's propagation.
    if unshare --mount --propagation unchanged sh -c \
        'mount --make-private /sys/fs/cgroup/unified && mount -t tmpfs -o ro,nosuid,nodev,noexec,mode=0755 bench-no-cgroup2 /sys/fs/cgroup/unified' 2>/dev/null; then
        hidden=1
        wrap=(unshare --mount --propagation unchanged sh -c
            'mount --make-private /sys/fs/cgroup/unified && mount -t tmpfs -o ro,nosuid,nodev,noexec,mode=0755 bench-no-cgroup2 /sys/fs/cgroup/unified && exec "$@"' sh)
    else
        notes+=("note: could not hide /sys/fs/cgroup/unified in a private mount namespace: crun may refuse the hybrid cgroups")
    fi
fi
echo "HIDDEN_CGROUP2=$hidden" >>"$W/settings.sh"
: >"$W/notes"
chown "$bench_uid" "$W/notes" "$W/settings.sh"

# --- what is compared ------------------------------------------------------------
echo "# burrow start-up benchmark: run /bin/true, rootless"
echo "# host: $(uname -sr), $(nproc) cores; bench user: $bench_user (uid $bench_uid)"
echo "# burrow: $burrow_bin ($("$burrow_bin" --version 2>/dev/null | head -n 1))"
[ -z "$crun_bin" ] || echo "# crun:   $crun_bin ($("$crun_bin" --version 2>/dev/null | head -n 1))"
[ -z "$runc_bin" ] || echo "# runc:   $runc_bin ($("$runc_bin" --version 2>/dev/null | head -n 1))"
[ -z "$bwrap_bin" ] || echo "# bwrap:  $bwrap_bin ($("$bwrap_bin" --version 2>/dev/null | head -n 1))"
echo "# hyperfine: $("$hyperfine" --version); runs: $BENCH_RUNS (+$BENCH_WARMUP warm-up), RSS runs: $BENCH_RSS_RUNS"
echo "# config: burrow spec --rootless as $bench_user; namespaces: $(jq -r '[.linux.namespaces[].type] | join(",")' "$cfg"); uid map $(jq -c '[.linux.uidMappings[] | [.containerID, .hostID, .size]]' "$cfg"); mounts: $(jq -r '[.mounts[].destination] | join(" ")' "$cfg")"
if [ "$hidden" = 1 ]; then
    echo "# environment: a private mount namespace with an empty tmpfs over /sys/fs/cgroup/unified (crun refuses hybrid cgroups); all runtimes run in it"
fi
[ -z "$bwrap_cmd" ] || echo "# bwrap command: ${bwrap_cmd//$W/\$W}"
echo "# (\$W = $W)"
for n in ${notes[@]+"${notes[@]}"}; do
    echo "# $n"
done

rc=0
"${wrap[@]}" "${as_user[@]}" "${user_env[@]}" HOME="$W/home" bash "$W/startup.sh" --inner "$W" || rc=$?
if [ -f "$W/startup.json" ]; then
    cp "$W/startup.json" "$json_out"
    echo
    echo "JSON: $json_out"
fi
if [ -f "$W/startup-helpers.json" ]; then
    cp "$W/startup-helpers.json" "${json_out%.json}-helpers.json"
    echo "JSON: ${json_out%.json}-helpers.json"
fi
exit "$rc"
