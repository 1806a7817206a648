# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# security: the runtime binary cannot be reached from inside a container.
# suite-modes: root rootless nosubuid

# As root, the process that becomes the container runs from a sealed memfd
# copy of burrow: its /proc/PID/exe is no file on disk, and cannot be
# written even by root.
# modes: root
test_init_runs_from_sealed_copy() {
    make_bundle
    CID=$(new_cid)
    payload_args exit 0
    local before
    before=$(sha256sum <"$BURROW")
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    local exe
    exe=$(readlink "/proc/$pid/exe")
    assert_match "$exe" '^/memfd:burrow'
    if (: >>"/proc/$pid/exe") 2>/dev/null; then
        fail "opened /proc/$pid/exe (the container's process before exec) for writing"
    fi
    assert_eq "$(sha256sum <"$BURROW")" "$before" "checksum of the burrow binary"
    bw delete --force "$CID"
    assert_success
    assert_nothing_left "$CID"
}

# The runtime itself, bound into the container, is refused as its process,
# also when burrow runs from its sealed copy (it is recognised by what it
# is on disk).
test_runtime_binary_refused_as_process() {
    make_bundle
    CID=$(new_cid)
    cfg '.mounts += [{"destination": "/bin/payload", "type": "bind", "source": $b,
                      "options": ["bind", "ro"]}]' --arg b "$BURROW"
    payload_args exit 0
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "process.args[0] \`/bin/payload\` is the burrow binary itself"
    assert_nothing_left "$CID"
}

# The copy is made as root, and rootless only for a binary the user could
# write (one built in a home directory); the installed, root-owned binary
# runs as it is, rootless.
test_sealed_copy_when_needed() {
    make_bundle
    CID=$(new_cid)
    payload_args exit 0
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    if [ "$(id -u)" -eq 0 ]; then
        assert_stderr_contains "run from a sealed copy of \`$BURROW\`"
    else
        [ ! -w "$BURROW" ] || skip "the burrow under test is writable by $(id -un)"
        assert_stderr_not_contains "sealed copy"
        # A copy of its own: writable, so it protects itself.
        cp "$BURROW" "$T/burrow"
        CID=$(new_cid)
        capture "$T/burrow" --root "$BW_ROOT" --debug run --bundle "$BUNDLE" "$CID"
        assert_success
        assert_stderr_contains "run from a sealed copy of \`$T/burrow\`"
    fi
    assert_nothing_left
}

# The container gets a session keyring of its own, named after it, so it
# does not share the caller's keys; --no-new-keyring keeps the caller's.
test_session_keyring() {
    make_bundle
    CID=$(new_cid)
    # The default seccomp profile denies the keyring syscalls the payload
    # uses to look.
    cfg 'del(.linux.seccomp)'
    payload_args keyring
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    local host inside
    host=$("$PAYLOAD" keyring) || fail "payload keyring failed on the host"
    inside=$(sed -n 's/^keyring: //p' <<<"$stdout")
    assert_eq "${inside#* }" "_ses.$CID" "the container's session keyring"
    assert_ne "${inside%% *}" "$(sed 's/^keyring: \([0-9]*\).*/\1/' <<<"$host")" "keyring serial"
    assert_nothing_left "$CID"

    CID=$(new_cid)
    bw run --no-new-keyring --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_not_contains "_ses.$CID"
    # As root, the very keyring of the caller.  Rootless, a caller without a
    # session keyring of its own falls back to its user's, which the kernel
    # keeps per user namespace: the container sees its root's.
    [ "$(id -u)" -ne 0 ] || assert_stdout_line "$host"
    assert_nothing_left "$CID"
}
