# shellcheck shell=bash disable=SC2154 # lib.sh sets status, stdout, ...
# smoke: the first things that must work, in every mode.
# suite-modes: root rootless nosubuid

test_version() {
    bw --version
    assert_success
    assert_stdout_line "spec: 1.3.0"
}

test_spec_writes_json() {
    local rootless=()
    [ "$(id -u)" -eq 0 ] || rootless=(--rootless)
    mkdir "$T/b"
    bw spec --bundle "$T/b" "${rootless[@]}"
    assert_success
    assert_file_exists "$T/b/config.json"
    capture jq -r .ociVersion "$T/b/config.json"
    assert_success
    assert_stdout_eq "1.3.0"
}

# The container's uid map, as payload prints it: the identity as root
# (unless the config asks for a user namespace); rootless, our uid as 0 then
# the /etc/subuid range, if the user has one, from 1.
test_run_hostname_uidmap() {
    make_bundle
    cfg '.hostname = "smoke"'
    payload_args hostname -- uidmap
    local expected="hostname: smoke"
    if [ "$(id -u)" -eq 0 ]; then
        if jq -e '.linux.namespaces // [] | any(.type == "user")' "$BUNDLE/config.json" >/dev/null; then
            expected+=$'\n'$(jq -r '.linux.uidMappings[] | "uidmap: \(.containerID) \(.hostID) \(.size)"' "$BUNDLE/config.json")
        else
            expected+=$'\n'"uidmap: 0 0 4294967295"
        fi
    else
        expected+=$'\n'"uidmap: 0 $(id -u) 1"
        subuid_range
        [ -z "$subuid_start" ] || expected+=$'\n'"uidmap: 1 $subuid_start $subuid_count"
    fi
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_eq "$expected"
    assert_nothing_left "$CID"
}

test_run_exit_status() {
    make_bundle
    payload_args echo bye -- exit 3
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 3
    assert_stdout_eq "bye"
    assert_nothing_left "$CID"
}

test_create_missing_bundle() {
    bw create --bundle "$T/no-such-bundle" "$CID"
    assert_failure
    assert_stderr_contains "$T/no-such-bundle"
    assert_nothing_left "$CID"
}
