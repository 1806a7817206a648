# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# seccomp: linux.seccomp is compiled at create and loaded in the container's
# process; `payload syscall NAME ARGS` makes one raw syscall and prints its
# result, so each rule is checked from inside.  The syscalls used for rules
# (getppid, getuid, gettid, sched_yield...) ignore their arguments, so any
# argument can be matched without changing what they do.
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# seccomp_cfg JSON: linux.seccomp of $BUNDLE is JSON (replacing the default
# profile `burrow spec` writes).
seccomp_cfg() {
    cfg '.linux.seccomp = $s' --argjson s "$1"
}

# allow_but RULES_JSON: defaultAction SCMP_ACT_ALLOW with these syscalls[].
allow_but() {
    seccomp_cfg "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": $1}"
}

# result_line N: the Nth `syscall:` line of the last output.
result_line() {
    grep '^syscall: ' <<<"$stdout" | sed -n "$1p"
}

# assert_denied N NAME ERRNAME: the Nth syscall made was NAME and failed
# with ERRNAME.
assert_denied() {
    assert_eq "$(result_line "$1")" "syscall: $2 = -1 $3" "syscall #$1"
}

# assert_allowed N NAME: the Nth syscall made was NAME and succeeded.
assert_allowed() {
    assert_match "$(result_line "$1")" "^syscall: $2 = [0-9]+\$" "syscall #$1"
}

# --- actions and errno ---------------------------------------------------------

# SCMP_ACT_ERRNO returns errnoRet, EPERM without one; the other syscalls run.
test_errno_ret() {
    make_bundle
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18},
                {"names": ["getuid"], "action": "SCMP_ACT_ERRNO"}]'
    payload_args syscall getppid -- syscall getuid -- syscall gettid
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid EXDEV
    assert_denied 2 getuid EPERM
    assert_allowed 3 gettid
    assert_nothing_left "$CID"
}

# defaultAction with an allow-list: what is not listed gets defaultErrnoRet
# (EPERM when absent).  The allow-list is the default profile's minus
# getppid.
test_default_action_allowlist() {
    make_bundle
    cfg '.linux.seccomp.syscalls[0].names -= ["getppid"]'
    payload_args syscall getppid -- syscall getpid
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid ENOSYS
    assert_allowed 2 getpid

    cfg 'del(.linux.seccomp.defaultErrnoRet)'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid EPERM
    assert_allowed 2 getpid
    assert_nothing_left "$CID"
}

# Every comparison operator, on a matching and a non-matching value.
test_args_operators() {
    make_bundle
    allow_but '[
        {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
         "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_EQ"}]},
        {"names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 2,
         "args": [{"index": 1, "value": 5, "op": "SCMP_CMP_NE"}]},
        {"names": ["getgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3,
         "args": [{"index": 2, "value": 5, "op": "SCMP_CMP_LT"}]},
        {"names": ["geteuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4,
         "args": [{"index": 3, "value": 5, "op": "SCMP_CMP_LE"}]},
        {"names": ["getegid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5,
         "args": [{"index": 4, "value": 5, "op": "SCMP_CMP_GE"}]},
        {"names": ["gettid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 6,
         "args": [{"index": 5, "value": 5, "op": "SCMP_CMP_GT"}]},
        {"names": ["sched_yield"], "action": "SCMP_ACT_ERRNO", "errnoRet": 7,
         "args": [{"index": 0, "value": 240, "valueTwo": 48, "op": "SCMP_CMP_MASKED_EQ"}]}]'
    payload_args syscall getppid 5 -- syscall getppid 6 \
        -- syscall getuid 0 6 -- syscall getuid 0 5 \
        -- syscall getgid 0 0 4 -- syscall getgid 0 0 5 \
        -- syscall geteuid 0 0 0 5 -- syscall geteuid 0 0 0 6 \
        -- syscall getegid 0 0 0 0 5 -- syscall getegid 0 0 0 0 4 \
        -- syscall gettid 0 0 0 0 0 6 -- syscall gettid 0 0 0 0 0 5 \
        -- syscall sched_yield 0x135 -- syscall sched_yield 0x145
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid EPERM
    assert_allowed 2 getppid
    assert_denied 3 getuid ENOENT
    assert_allowed 4 getuid
    assert_denied 5 getgid ESRCH
    assert_allowed 6 getgid
    assert_denied 7 geteuid EINTR
    assert_allowed 8 geteuid
    assert_denied 9 getegid EIO
    assert_allowed 10 getegid
    assert_denied 11 gettid ENXIO
    assert_allowed 12 gettid
    assert_denied 13 sched_yield E2BIG
    assert_allowed 14 sched_yield
    assert_nothing_left "$CID"
}

# Comparisons of different arguments in one rule must all hold (AND); two of
# the same argument are separate rules, as with runc: either one (OR).
test_args_and_or() {
    make_bundle
    allow_but '[
        {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
         "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                  {"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]},
        {"names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 2,
         "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                  {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]'
    payload_args syscall getppid 1 2 -- syscall getppid 1 3 -- syscall getppid 0 2 \
        -- syscall getuid 1 -- syscall getuid 2 -- syscall getuid 3
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid EPERM
    assert_allowed 2 getppid
    assert_allowed 3 getppid
    assert_denied 4 getuid ENOENT
    assert_denied 5 getuid ENOENT
    assert_allowed 6 getuid
    assert_nothing_left "$CID"
}

# SCMP_ACT_KILL_PROCESS, KILL_THREAD and TRAP end the process with SIGSYS:
# `run` exits 128 + 31.
test_kill_and_trap() {
    make_bundle
    local action
    for action in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD SCMP_ACT_KILL SCMP_ACT_TRAP; do
        allow_but "[{\"names\": [\"getppid\"], \"action\": \"$action\"}]"
        payload_args echo before -- syscall getppid -- echo after
        bw run --bundle "$BUNDLE" "$CID"
        assert_status 159
        assert_stdout_line before
        assert_stdout_not_contains after
    done
    assert_nothing_left "$CID"
}

# SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS (the kernel's
# rule); SCMP_ACT_LOG lets it through.
test_trace_and_log() {
    make_bundle
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_TRACE", "errnoRet": 1},
                {"names": ["getuid"], "action": "SCMP_ACT_LOG"}]'
    payload_args syscall getppid -- syscall getuid
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid ENOSYS
    assert_allowed 2 getuid
    assert_nothing_left "$CID"
}

# --- the default profile ---------------------------------------------------------

# `burrow spec` writes the default profile: busybox sh works (pipes, forks,
# exec), namespaces and the kernel keyring are denied with EPERM, personality
# only for the query and the usual domains, unknown syscalls get ENOSYS.
test_default_profile() {
    make_bundle
    assert_eq "$(jq -r '.linux.seccomp.defaultAction' "$BUNDLE/config.json")" SCMP_ACT_ERRNO \
        "the default profile's defaultAction"
    set_args sh -c 'x=$(echo hello | tr a-z A-Z); [ "$x" = HELLO ] && ls / >/dev/null &&
        sleep 0.1 && cat /proc/self/status >/dev/null && echo sh: ok
        unshare -U true 2>/dev/null || echo unshare: denied'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "sh: ok"
    assert_stdout_line "unshare: denied"

    payload_args syscall unshare 0x10000000 -- syscall unshare 0x20000 -- syscall unshare 0x200 \
        -- syscall keyctl 0 -- syscall add_key -- syscall bpf -- syscall setns 0 0 \
        -- syscall personality 0xffffffff -- syscall personality 0x4 \
        -- syscall clone 0x20000000 -- syscall ptrace 0x4200 0
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 unshare EPERM
    assert_denied 2 unshare EPERM
    assert_allowed 3 unshare
    assert_denied 4 keyctl EPERM
    assert_denied 5 add_key EPERM
    assert_denied 6 bpf EPERM
    assert_denied 7 setns EPERM
    assert_allowed 8 personality
    assert_denied 9 personality ENOSYS
    assert_denied 10 clone EPERM
    # ptrace is allowed: PTRACE_SETOPTIONS on pid 0, no tracee of ours, fails
    # in the kernel (ESRCH), not in the filter.
    assert_denied 11 ptrace ESRCH
    assert_nothing_left "$CID"
}

# Without no_new_privs the filter is loaded while the process still holds
# CAP_SYS_ADMIN, before it drops every capability; with it, last.
test_without_no_new_privs() {
    make_bundle
    cfg '.process.noNewPrivileges = false
         | .process.capabilities = {"bounding": [], "effective": [], "permitted": [],
                                    "inheritable": []}'
    cfg '.linux.seccomp.syscalls[0].names -= ["getppid"]'
    payload_args nnp -- caps -- syscall getppid -- syscall getpid
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stdout_line "nnp: 0"
    assert_stdout_line "CapEff: 0000000000000000"
    assert_denied 1 getppid ENOSYS
    assert_allowed 2 getpid
    assert_nothing_left "$CID"
}

# --- the cache of compiled filters --------------------------------------------

# A compiled filter is kept under the state root (@cache/seccomp) and
# loaded from there for the same filter, still applying.  A file there that
# holds another filter, is truncated, or can be written by others is not
# used: the filter is compiled again.
test_compiled_filter_cache() {
    make_bundle
    cfg '.linux.seccomp.syscalls[0].names -= ["getppid"]'
    payload_args syscall getppid -- syscall getpid
    local cache="$BW_ROOT/@cache/seccomp" file other
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stderr_not_contains "from the cache"
    file=$(find "$cache" -type f)
    [ "$(wc -l <<<"$file")" -eq 1 ] || fail "expected one file in $cache, found: $(ls -l "$cache")"
    assert_eq "$(stat -c %a "$file")" 600 "mode of $file"
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stderr_contains "BPF instructions, from the cache ($(basename "$file"))"
    assert_denied 1 getppid ENOSYS
    assert_allowed 2 getpid

    # Another filter under this one's name.
    cp "$BUNDLE/config.json" "$T/config.keep"
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]'
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid EPERM
    other=$(find "$cache" -type f ! -name "$(basename "$file")")
    [ -n "$other" ] || fail "no second file in $cache"
    cp "$T/config.keep" "$BUNDLE/config.json"
    cp "$other" "$file"
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stderr_contains "holds another filter: unused"
    assert_denied 1 getppid ENOSYS
    assert_allowed 2 getpid
    # Compiled again, and kept: the next run takes it.
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_stderr_contains "from the cache"

    truncate -s -8 "$file"
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stderr_contains "is truncated or malformed: unused"
    assert_denied 1 getppid ENOSYS

    chmod 620 "$file"
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_stderr_contains "is not a file of ours alone: unused"
    assert_stderr_not_contains "from the cache"
    assert_denied 1 getppid ENOSYS
    assert_nothing_left "$CID"
}

# --- names, architectures, flags ---------------------------------------------------

# A syscall name this architecture does not have is skipped (debug log), the
# rest of the rule applies.
test_unknown_syscall_skipped() {
    make_bundle
    allow_but '[{"names": ["no_such_syscall", "getppid"], "action": "SCMP_ACT_ERRNO"}]'
    payload_args syscall getppid
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid EPERM
    assert_stderr_contains 'unknown syscall "no_such_syscall" on this architecture: skipped'
    assert_nothing_left "$CID"
}

# Architectures of another family than this kernel's are left out of the
# filter (no process here can use them; each would double the compile
# time), with a debug line; the others still apply.
test_foreign_architectures_skipped() {
    [ "$(uname -m)" = x86_64 ] || skip "the test names x86 and Arm; this is $(uname -m)"
    make_bundle
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]'
    cfg '.linux.seccomp.architectures = ["SCMP_ARCH_X86", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]'
    payload_args syscall getppid
    bw --debug run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_denied 1 getppid EPERM
    assert_stderr_contains 'linux.seccomp.architectures[1]: SCMP_ARCH_AARCH64 cannot run on this kernel: skipped'
    assert_stderr_contains 'linux.seccomp.architectures[2]: SCMP_ARCH_ARM cannot run on this kernel: skipped'
    assert_stderr_not_contains 'SCMP_ARCH_X86 cannot run'
    assert_nothing_left "$CID"
}

# architectures (the native one is always in) and every flag.
test_architectures_and_flags() {
    make_bundle
    seccomp_cfg '{"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                          "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
        "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                  "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
        "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}'
    payload_args syscall getppid
    bw run --bundle "$BUNDLE" "$CID"
    if [ "$status" -ne 0 ] && [[ $stderr == *"is not supported by this kernel"* ]]; then
        skip "this kernel lacks a seccomp flag: $(_bw_first_line "$stderr")"
    fi
    assert_success
    assert_denied 1 getppid EXDEV
    assert_nothing_left "$CID"
}

# --- SCMP_ACT_NOTIFY ---------------------------------------------------------------

# start_agent: the payload as a seccomp agent on the host, listening on
# $T/agent.sock, answering 4242 to every notification; its output in
# $T/agent.out, its pid in $agent_pid.
start_agent() {
    "$PAYLOAD" seccomp-agent "$T/agent.sock" 30 >"$T/agent.out" 2>&1 &
    agent_pid=$!
    wait_until 10 test -S "$T/agent.sock"
}

# The listener reaches listenerPath at create with the container process
# state (runtime-spec config-linux.md), and the agent answers the syscall.
test_notify() {
    make_bundle
    cfg '.annotations = {"org.example.key": "value"}'
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]'
    cfg '.linux.seccomp.listenerPath = $p | .linux.seccomp.listenerMetadata = "agent \"meta\" data"' \
        --arg p "$T/agent.sock"
    start_agent
    payload_args syscall getppid -- syscall getpid
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_eq "$(result_line 1)" "syscall: getppid = 4242" "the agent's answer"
    assert_allowed 2 getpid
    wait "$agent_pid" || fail "the seccomp agent failed: $(cat "$T/agent.out")"
    grep -qx 'fds: 1' "$T/agent.out" || fail "the agent did not get exactly one fd: $(cat "$T/agent.out")"
    local state
    state=$(sed -n 's/^state: //p' "$T/agent.out")
    assert_eq "$(jq -c .fds <<<"$state")" '["seccompFd"]' "fds"
    assert_eq "$(jq -r .metadata <<<"$state")" 'agent "meta" data' "metadata"
    assert_eq "$(jq -r .state.id <<<"$state")" "$CID" "state.id"
    assert_eq "$(jq -r .state.status <<<"$state")" creating "state.status"
    assert_eq "$(jq -r .state.bundle <<<"$state")" "$BUNDLE" "state.bundle"
    assert_eq "$(jq -r '.state.annotations["org.example.key"]' <<<"$state")" value "annotation"
    assert_eq "$(jq -r '.pid == .state.pid and .pid > 0' <<<"$state")" true "pid"
    assert_match "$(jq -r .ociVersion <<<"$state")" '^1\.' "ociVersion"
    assert_nothing_left "$CID"
}

# Nobody listening at listenerPath: create fails, nothing is left.
test_notify_no_listener() {
    make_bundle
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]'
    cfg '.linux.seccomp.listenerPath = $p' --arg p "$T/nobody.sock"
    payload_args syscall getppid
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "linux.seccomp.listenerPath: connect to \`$T/nobody.sock\`" \
        "No such file or directory"
}

# --- errors --------------------------------------------------------------------

test_error_errno_ret_range() {
    make_bundle
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000}]'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "linux.seccomp.syscalls[0].errnoRet: 5000 is out of range (at most 4095)"
    seccomp_cfg '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000}'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "linux.seccomp.defaultErrnoRet: 70000 is out of range (at most 4095)"
    # errnoRet with an action that returns no errno.
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_KILL", "errnoRet": 1}]'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly "linux.seccomp.syscalls[0].errnoRet: not allowed with action SCMP_ACT_KILL"
}

test_error_unknown_names() {
    make_bundle
    seccomp_cfg '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_VAX"]}'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly 'linux.seccomp.architectures[0]: unknown seccomp architecture "SCMP_ARCH_VAX"'
    seccomp_cfg '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NEW"]}'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly 'linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_NEW"'
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_EXPLODE"}]'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly 'linux.seccomp.syscalls[0].action: unknown seccomp action "SCMP_ACT_EXPLODE"'
    allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO",
                 "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]'
    bw create --bundle "$BUNDLE" "$CID"
    assert_failed_cleanly 'linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_ABOUT"'
}

# An architecture of the spec that the libseccomp burrow was built with does
# not know (M68K came with libseccomp 2.6).
test_error_arch_unsupported() {
    make_bundle
    seccomp_cfg '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_M68K"]}'
    bw create --bundle "$BUNDLE" "$CID"
    if [ "$status" -eq 0 ]; then
        skip "the libseccomp burrow was built with knows SCMP_ARCH_M68K"
    fi
    assert_failed_cleanly "linux.seccomp.architectures[0]: SCMP_ARCH_M68K is not supported by the libseccomp burrow was built with"
}

# A filter that denies exec: the container cannot start, and says why.
test_error_exec_denied() {
    make_bundle
    allow_but '[{"names": ["execve", "execveat"], "action": "SCMP_ACT_ERRNO"}]'
    payload_args echo never
    bw run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "exec \`/bin/payload\`: Operation not permitted"
    assert_stdout_not_contains never
    assert_nothing_left "$CID"
}
