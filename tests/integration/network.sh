# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# network: --network=none|slirp4netns|pasta, --publish, resolv.conf, and the
# backend's lifetime.  No traffic leaves the machine: on the host only
# 127.0.0.1; in the container only the backend's alias of the host's
# loopback (10.0.2.2 for slirp4netns, the gateway address for pasta).
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# net_bundle: a bundle whose container has a network namespace of its own.
net_bundle() {
    make_bundle
    cfg 'if any(.linux.namespaces[]; .type == "network") then .
         else .linux.namespaces += [{"type": "network"}] end'
}

# free_port: print a TCP port of 127.0.0.1 that nothing listens on.
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$((20000 + (RANDOM * 7 + i) % 40000))
        if ! "$PAYLOAD" tcp-get 127.0.0.1 "$p" 1 >/dev/null 2>&1; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    fail "found no free port"
}

# helper_pid ID: set hpid to the backend's pid (from the state directory)
# and track it, so that assert_nothing_left checks that it is gone.
helper_pid() {
    wait_until 5 test -s "$BW_ROOT/$1/network.pid"
    hpid=$(tr -d '[:space:]' <"$BW_ROOT/$1/network.pid")
    [[ $hpid =~ ^[0-9]+$ ]] || fail "network.pid of $1: \"$hpid\" is not a pid"
    local comm
    comm=$(cat "/proc/$hpid/comm" 2>/dev/null) || fail "backend $hpid of $1 is not running"
    [[ $comm == slirp4netns || $comm == pasta* || $comm == passt* ]] ||
        fail "network.pid of $1 names \`$comm\`, not the backend"
    track_pid "$1" "$hpid"
}

needs_backend() {
    needs_cmd "$1"
    [ -c /dev/net/tun ] || skip "needs /dev/net/tun"
}

# fetch PORT PATH: HTTP GET from the host's loopback, into stdout.
fetch() {
    capture curl --noproxy '*' -sS --max-time 5 "http://127.0.0.1:$1$2"
}

# --- lo and the default --------------------------------------------------------

# Without a mode, a new network namespace has `lo`, up, and nothing else;
# the state's annotations are the config's (none added).
test_default_none_lo_up() {
    net_bundle
    set_args /bin/ip -o link
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_match "$stdout" '^1: lo: <LOOPBACK,UP' "ip link"
    assert_eq "$(wc -l <<<"$stdout")" 1 "number of links"
    local c2
    c2=$(new_cid)
    payload_args exit 0
    bw create --bundle "$BUNDLE" "$c2"
    assert_success
    bw state "$c2"
    assert_eq "$(jq -c '.annotations // {}' <<<"$stdout")" "{}" "state annotations"
    bw delete "$c2"
    assert_success
    assert_nothing_left
}

# --- port forwards ---------------------------------------------------------------

# httpd in the container, published on a loopback port, fetched from the
# host; state and list show the mode and the port; delete ends the backend.
publish_http() {
    needs_backend "$1"
    needs_cmd curl
    net_bundle
    set_args /bin/httpd -f -p 8080 -h /etc
    local port
    port=$(free_port)
    bw run -d --bundle "$BUNDLE" --network="$1" -p "$port:8080" "$CID"
    assert_success
    get_pid "$CID"
    helper_pid "$CID"
    fetch "$port" /hostname
    assert_success
    assert_stdout_eq "burrow"
    bw state "$CID"
    assert_eq "$(jq -r '.annotations["org.burrow.network"]' <<<"$stdout")" "$1" "state: mode"
    assert_eq "$(jq -r '.annotations["org.burrow.network.publish"]' <<<"$stdout")" \
        "127.0.0.1:$port:8080/tcp" "state: ports"
    bw list --format json
    assert_success
    assert_eq "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .annotations["org.burrow.network.publish"]' <<<"$stdout")" \
        "127.0.0.1:$port:8080/tcp" "list: ports"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
    pid_reaped "$hpid" || fail "$1 ($hpid) still runs after delete"
}

test_publish_http_slirp4netns() {
    publish_http slirp4netns
}

test_publish_http_pasta() {
    publish_http pasta
}

# The same through the annotations of config.json; the flag wins over them.
test_publish_by_annotation() {
    needs_backend slirp4netns
    needs_cmd curl
    net_bundle
    set_args /bin/httpd -f -p 8080 -h /etc
    local port
    port=$(free_port)
    cfg '.annotations["org.burrow.network"] = "bogus"
         | .annotations["org.burrow.network.publish"] = $p' --arg p "127.0.0.1:$port:8080/tcp"
    bw run -d --bundle "$BUNDLE" --network=slirp4netns "$CID"
    assert_success
    fetch "$port" /hostname
    assert_success
    assert_stdout_eq "burrow"
    bw delete --force "$CID"
    assert_nothing_left
}

# A datagram from the host's loopback reaches the container through a UDP
# forward.  The reply comes back only where the backend lets it: slirp4netns
# drops UDP replies to the host's loopback unless it is allowed
# (--network-allow-host-loopback), and this pasta sends none back; so the
# reply is checked with slirp4netns and host loopback only.
udp_forward() {
    needs_backend "$1"
    [ -e "$T/bundle/config.json" ] || net_bundle
    payload_args udp-echo 5353
    local port
    port=$(free_port)
    bw_bg run --bundle "$BUNDLE" --network="$1" "${@:2}" -p "127.0.0.1:$port:5353/udp" "$CID"
    wait_until 10 file_has_line "$bg_out" "udp-echo: ready"
    capture "$PAYLOAD" udp-send 127.0.0.1 "$port" burrow-udp 10
    local sent=$status reply=$stdout
    bw_wait
    assert_success
    assert_stdout_line "udp-echo: burrow-udp"
    if [[ " ${*:2} " == *" --network-allow-host-loopback "* ]]; then
        assert_eq "$sent" 0 "status of udp-send"
        assert_eq "$reply" "udp-reply: burrow-udp" "the reply"
    fi
    assert_nothing_left
}

test_udp_forward_slirp4netns() {
    udp_forward slirp4netns
    udp_forward slirp4netns --network-allow-host-loopback
}

test_udp_forward_pasta() {
    udp_forward pasta
}

# A host port already published by another container: a clear error, before
# the second container exists; the first goes on.
test_same_port_twice() {
    needs_backend slirp4netns
    needs_cmd curl
    net_bundle
    set_args /bin/httpd -f -p 8080 -h /etc
    local port c2
    port=$(free_port)
    bw run -d --bundle "$BUNDLE" --network=slirp4netns -p "$port:8080" "$CID"
    assert_success
    c2=$(new_cid)
    bw run -d --bundle "$BUNDLE" --network=slirp4netns -p "$port:8080" "$c2"
    assert_failure
    assert_stderr_contains "run container \`$c2\`: --publish 127.0.0.1:$port:8080/tcp: host port $port/tcp on 127.0.0.1 is already in use"
    # (The first container runs: only the second must have left nothing.)
    assert_file_missing "$BW_ROOT/$c2"
    ! pgrep -f -- "$c2" >/dev/null || fail "a process mentioning $c2 remains: $(pgrep -af -- "$c2")"
    fetch "$port" /hostname
    assert_success
    assert_stdout_eq "burrow"
    bw delete --force "$CID"
    assert_nothing_left
}

# --- the host's loopback -----------------------------------------------------------

# tcp-serve on the host's 127.0.0.1; the container connects to 10.0.2.2
# only with --network-allow-host-loopback.
test_host_loopback_slirp4netns() {
    needs_backend slirp4netns
    net_bundle
    local port
    port=$(free_port)
    "$PAYLOAD" tcp-serve "$port" hello-from-host 20 >"$T/server.out" 2>&1 &
    local server=$!
    wait_until 5 file_has_line "$T/server.out" "tcp-serve: ready"
    payload_args tcp-get 10.0.2.2 "$port" 3
    bw run --bundle "$BUNDLE" --network=slirp4netns --network-allow-host-loopback "$CID"
    assert_success
    assert_stdout_line "tcp-get: hello-from-host"
    bw run --bundle "$BUNDLE" --network=slirp4netns "$CID"
    assert_failure
    assert_stdout_contains "tcp-get: failed"
    kill "$server"
    wait "$server" || true
    assert_nothing_left
}

# pasta: the host's loopback is the gateway address (only the allowed case
# is tried: with --no-map-gw that address would leave the machine).
test_host_loopback_pasta() {
    needs_backend pasta
    net_bundle
    local port
    port=$(free_port)
    "$PAYLOAD" tcp-serve "$port" hello-from-host 20 >"$T/server.out" 2>&1 &
    local server=$!
    wait_until 5 file_has_line "$T/server.out" "tcp-serve: ready"
    set_args /bin/sh -c 'gw=$(ip route | awk "/^default/ { print \$3 }"); [ -n "$gw" ] || exit 9
                         exec /bin/payload tcp-get "$gw" "$0" 3' "$port"
    bw run --bundle "$BUNDLE" --network=pasta --network-allow-host-loopback "$CID"
    assert_success
    assert_stdout_line "tcp-get: hello-from-host"
    kill "$server"
    wait "$server" || true
    assert_nothing_left
}

# --- DNS ---------------------------------------------------------------------------

# The container's process gets no fd of the network setup either.
test_dns_resolv_conf() {
    needs_backend slirp4netns
    net_bundle
    payload_args cat /etc/resolv.conf -- writable /etc/resolv.conf -- fds
    bw run --bundle "$BUNDLE" --network=slirp4netns "$CID"
    assert_success
    assert_stdout_line "nameserver 10.0.2.3"
    assert_stdout_line "writable: /etc/resolv.conf no (EROFS)"
    assert_stdout_line "fds: 0 1 2"
    assert_file_missing "$BUNDLE/resolv.conf"
    # --no-dns: the image's own (empty) file.
    bw run --bundle "$BUNDLE" --network=slirp4netns --no-dns "$CID"
    assert_success
    assert_stdout_not_contains "nameserver"
    # A bundle that binds its own keeps it.
    printf 'nameserver 127.0.0.53\n' >"$T/my-resolv.conf"
    cfg '.mounts += [{"destination": "/etc/resolv.conf", "type": "bind", "source": $s,
                      "options": ["bind", "ro"]}]' --arg s "$T/my-resolv.conf"
    bw run --bundle "$BUNDLE" --network=slirp4netns "$CID"
    assert_success
    assert_stdout_line "nameserver 127.0.0.53"
    assert_nothing_left
}

test_dns_resolv_conf_pasta() {
    needs_backend pasta
    net_bundle
    payload_args cat /etc/resolv.conf -- writable /etc/resolv.conf
    bw run --bundle "$BUNDLE" --network=pasta "$CID"
    assert_success
    assert_stdout_line "nameserver 169.254.1.1"
    assert_stdout_line "writable: /etc/resolv.conf no (EROFS)"
    assert_nothing_left
}

# --- lifetime --------------------------------------------------------------------

kill9_ends_helper() {
    needs_backend "$1"
    net_bundle
    payload_args wait-signal 30
    bw run -d --bundle "$BUNDLE" --network="$1" "$CID"
    assert_success
    get_pid "$CID"
    helper_pid "$CID"
    kill -KILL "$pid"
    wait_until 5 pid_reaped "$hpid"
    bw delete "$CID"
    assert_success
    assert_nothing_left
}

test_kill9_ends_slirp4netns() {
    kill9_ends_helper slirp4netns
}

test_kill9_ends_pasta() {
    kill9_ends_helper pasta
}

# burrow killed during create (in a createRuntime hook, after the backend
# started): the backend goes with it.
crash_ends_helper() {
    needs_backend "$1"
    net_bundle
    cfg '.hooks.createRuntime = [{"path": $s, "args": ["sleep", "3"]}]' --arg s "$(command -v sleep)"
    payload_args exit 0
    bw_bg create --bundle "$BUNDLE" --network="$1" "$CID"
    helper_pid "$CID"
    kill -KILL "$bg_pid"
    bw_wait
    wait_until 5 pid_reaped "$hpid"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left
}

test_crash_ends_slirp4netns() {
    crash_ends_helper slirp4netns
}

test_crash_ends_pasta() {
    crash_ends_helper pasta
}

# --- errors ------------------------------------------------------------------------

# create_fails MESSAGE ARGS...: `create ARGS` fails naming MESSAGE, and
# leaves nothing.
create_fails() {
    local msg=$1
    shift
    bw create --bundle "$BUNDLE" "$@" "$CID"
    assert_failure
    assert_stderr_contains "create container \`$CID\`: $msg"
    assert_nothing_left
}

test_errors() {
    needs_backend slirp4netns
    net_bundle
    payload_args exit 0
    local S=--network=slirp4netns
    create_fails '--publish: "abc": expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp]' $S -p abc
    create_fails '--publish: "70000:80": host port "70000" is not in 1-65535' $S -p 70000:80
    create_fails '--publish: "8080:0": container port "0" is not in 1-65535' $S -p 8080:0
    create_fails '--publish: "8080:80/sctp": unknown protocol "sctp"' $S -p 8080:80/sctp
    create_fails '--publish: "1.2.3:80:80": "1.2.3" is not an IP address' $S -p 1.2.3:80:80
    create_fails '--publish [::1]:8080:80/tcp: slirp4netns forwards IPv4 host addresses only' $S -p '[::1]:8080:80'
    create_fails '--publish 192.0.2.99:8080:80/tcp: 192.0.2.99 is not an address of this host' $S -p 192.0.2.99:8080:80
    create_fails '--publish 127.0.0.1:8080:81/tcp: host port 8080/tcp given twice' $S -p 8080:80 -p 8080:81
    create_fails '--publish: needs a network mode' -p 8080:80
    create_fails '--network: unknown mode "bogus" (expected none, slirp4netns or pasta)' --network=bogus
    if [ "$(id -u)" -ne 0 ] && [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ]; then
        create_fails '--publish 127.0.0.1:80:80/tcp: host port 80 is privileged' $S -p 80:80
    fi
    cfg '.annotations["org.burrow.network"] = "bogus"'
    create_fails 'config.json: annotations["org.burrow.network"]: unknown mode "bogus"'
    cfg '.annotations["org.burrow.network"] = "slirp4netns"'
    cfg 'del(.annotations) | .linux.namespaces |= map(select(.type != "network"))'
    create_fails '--network=slirp4netns: the container has no network namespace of its own' $S
    local n
    n=$(jq '.linux.namespaces | length' "$BUNDLE/config.json")
    cfg '.linux.namespaces += [{"type": "network", "path": "/proc/self/ns/net"}]'
    create_fails "--network=slirp4netns: linux.namespaces[$n] joins the network namespace \`/proc/self/ns/net\`" $S
    # In a user namespace (rootless always) the backend is the container's
    # root there: a container sharing a pid namespace could trace it.
    cfg '.linux.namespaces |= map(select(.type != "network" and .type != "pid")) | .linux.namespaces += [{"type": "network"}]'
    if [ "$(id -u)" -ne 0 ]; then
        create_fails '--network=slirp4netns: the backend runs in the container'"'"'s user namespace, where a container without a pid namespace of its own could trace it' $S
    fi
}

# A backend missing from PATH, and one that fails: named, nothing left.
test_backend_missing_or_failing() {
    needs_backend slirp4netns
    net_bundle
    payload_args exit 0
    mkdir "$T/bin"
    local p
    for p in newuidmap newgidmap; do
        if command -v "$p" >/dev/null; then ln -s "$(command -v "$p")" "$T/bin/$p"; fi
    done
    capture env PATH="$T/bin" "$BURROW" --root "$BW_ROOT" create --bundle "$BUNDLE" --network=pasta "$CID"
    assert_failure
    assert_stderr_contains '--network=pasta: `pasta` not found in PATH (install it: the `passt` package)'
    assert_nothing_left
    printf '#!/bin/sh\necho "fake backend: cannot start" >&2\nexit 3\n' >"$T/bin/slirp4netns"
    chmod +x "$T/bin/slirp4netns"
    capture env PATH="$T/bin" "$BURROW" --root "$BW_ROOT" create --bundle "$BUNDLE" --network=slirp4netns "$CID"
    assert_failure
    assert_stderr_contains "network (slirp4netns): slirp4netns exited with status 3: fake backend: cannot start"
    assert_nothing_left
}
