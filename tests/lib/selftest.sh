# shellcheck shell=bash disable=SC2154 # lib.sh sets status, stdout, ...
# The harness's own test, run by tests/run-all.sh through a nested run-all.sh
# (results `harness/NAME`).  Each case's name says the result it must get
# (test_ok_*, test_fail_*, test_skip_*) and `# expect:` a text its result line
# must contain: every kind of failure must show as a failure, with its reason.
# None of them needs a working burrow.
# suite-modes: root rootless nosubuid

test_ok_assertions_pass() {
    capture printf 'a\nb c\n'
    assert_success
    assert_stdout_line "b c"
    assert_stdout_eq $'a\nb c'
    assert_stdout_contains "b"
    assert_stdout_not_contains "zz"
    assert_eq 1 1
    assert_ne 1 2
    assert_match abc '^a.c$'
    assert_file_exists "$T"
    assert_file_missing "$T/none"
    capture sh -c 'echo oops >&2; exit 3'
    assert_status 3
    assert_failure
    assert_stderr_contains oops
    assert_eq "$(json_array a -- "b c" "")" '["a","--","b c",""]' "json_array"
    assert_nothing_left
}

# expect: stdout has no line: b
test_fail_stdout_line() {
    capture echo "a b"
    assert_stdout_line "b"
}

# expect: expected exit status 0, got 3
test_fail_status() {
    capture sh -c 'exit 3'
    assert_success
}

# expect: letters: expected "b", got "a"
test_fail_in_subshell() {
    (assert_eq a b letters)
    true
}

# expect: command failed with status 1 at harness.sh
test_fail_errexit() {
    false
    true
}

# expect: unbound variable
test_fail_unbound_variable() {
    echo "$no_such_variable"
}

# expect: timed out after 1s
# timeout: 1
test_fail_timeout() {
    sleep 30
}

# A process that outlives the test, in its own session: the cleanup finds it.
# expect: left behind after
test_fail_leftover_process() {
    (cd "$T" && exec setsid sleep 30 >/dev/null 2>&1) &
}

# expect: left behind: pid
test_fail_assert_nothing_left() {
    (cd "$T" && exec sleep 30 >/dev/null 2>&1) &
    assert_nothing_left
}

# expect: the shared rootfs
test_fail_rootfs_modified() {
    touch "$ROOTFS/selftest"
}

# expect: needs `no-such-tool-xyz`
test_skip_needs_cmd() {
    needs_cmd no-such-tool-xyz
}

# expect: because of reasons
test_skip_explicit() {
    skip "because of reasons"
}
