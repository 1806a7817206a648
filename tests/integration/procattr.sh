# shellcheck shell=bash disable=SC2154,SC2016 # lib.sh sets status, stdout, ...; $x in jq filters is jq's
# procattr: process.oomScoreAdj, ioPriority, scheduler, execCPUAffinity,
# linux.personality and linux.memoryPolicy are applied, read back from inside
# the container (`payload procattr`); process.apparmorProfile,
# process.selinuxLabel and linux.mountLabel are refused with a clear error on
# a host without AppArmor / SELinux (the only case a test here can check).
# suite-modes: root rootless nosubuid

# --- helpers -------------------------------------------------------------------

# run_procattr: run `payload procattr` in $BUNDLE; it must succeed.
run_procattr() {
    payload_args procattr
    bw run --bundle "$BUNDLE" "$CID"
    assert_success
}

# assert_run_fails MSG...: `burrow run` of $BUNDLE fails with exit status 1,
# each MSG on stderr, the payload never ran, and nothing is left.
assert_run_fails() {
    local m
    payload_args procattr
    bw run --bundle "$BUNDLE" "$CID"
    assert_status 1
    for m in "$@"; do
        assert_stderr_contains "$m"
    done
    assert_stdout_not_contains "oom_score_adj:"
    assert_file_missing "$BW_ROOT/$CID"
    assert_nothing_left "$CID"
}

# rootless: true unless the test runs as root.
rootless() {
    [ "$(id -u)" -ne 0 ]
}

# online_max FILE: the highest number in a sysfs list like "0-3,7".
online_max() {
    tr ',-' '\n\n' <"$1" | sort -n | tail -n 1
}

# needs_cpus N: skip unless the host has at least N CPUs online.
needs_cpus() {
    local n
    n=$(($(online_max /sys/devices/system/cpu/online) + 1))
    [ "$n" -ge "$1" ] || skip "needs $1 CPUs online (this host has $n)"
}

needs_numa() {
    [ -e /sys/devices/system/node/node0 ] || skip "the kernel has no NUMA support (no /sys/devices/system/node/node0)"
}

# --- nothing asked: nothing changed ------------------------------------------------

# Without the fields, the container's process has exactly the attributes of
# the process that ran burrow (the spec: oom_score_adj MUST NOT be changed).
test_unset_changes_nothing() {
    make_bundle
    cfg 'del(.process.oomScoreAdj) | del(.linux.personality) | del(.linux.memoryPolicy)'
    capture "$PAYLOAD" procattr
    assert_success
    local host=$stdout
    run_procattr
    assert_stdout_eq "$host"
    assert_nothing_left "$CID"
}

# --- oomScoreAdj -------------------------------------------------------------------

# Raising needs no privilege.
test_oom_score_adj_raise() {
    local before
    before=$(cat /proc/self/oom_score_adj)
    make_bundle
    cfg '.process.oomScoreAdj = 500'
    run_procattr
    assert_stdout_line "oom_score_adj: 500"
    # Only the container got it: this shell, burrow's parent, did not.
    assert_eq "$(cat /proc/self/oom_score_adj)" "$before" "this shell's oom_score_adj"
    assert_nothing_left "$CID"
}

# Lowering needs CAP_SYS_RESOURCE in the initial user namespace: a rootless
# container gets a clear error naming the field; as root it works where root
# has that capability (some sandboxes take it away from root too: then the
# same error).
test_oom_score_adj_lower() {
    local before
    before=$(cat /proc/self/oom_score_adj)
    [ "$before" -gt -500 ] || skip "this shell's oom_score_adj is already $before"
    make_bundle
    cfg '.process.oomScoreAdj = -500'
    if ! rootless && sh -c 'echo -500 >/proc/self/oom_score_adj' 2>/dev/null; then
        run_procattr
        assert_stdout_line "oom_score_adj: -500"
        assert_eq "$(cat /proc/self/oom_score_adj)" "$before" "this shell's oom_score_adj"
        assert_nothing_left "$CID"
    else
        assert_run_fails "process.oomScoreAdj: cannot set -500, below burrow's own $before" \
            "needs CAP_SYS_RESOURCE in the initial user namespace" "Permission denied"
    fi
}

# modes: root
test_oom_score_adj_out_of_range() {
    make_bundle
    cfg '.process.oomScoreAdj = 1001'
    assert_run_fails "config.json: process.oomScoreAdj: 1001 is out of range (-1000 to 1000)"
}

# --- ioPriority --------------------------------------------------------------------

test_io_priority_best_effort_and_idle() {
    make_bundle
    cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
    run_procattr
    assert_stdout_line "ioprio: class 2 priority 6"
    cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
    run_procattr
    assert_stdout_line "ioprio: class 3 priority 0"
    assert_nothing_left "$CID"
}

# The real-time class needs CAP_SYS_ADMIN or CAP_SYS_NICE in the initial user
# namespace: root has them, a rootless container does not.
test_io_priority_realtime() {
    make_bundle
    cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 3}'
    if rootless; then
        assert_run_fails "process.ioPriority: set IOPRIO_CLASS_RT, priority 3: the real-time class needs CAP_SYS_ADMIN or CAP_SYS_NICE" \
            "Operation not permitted"
    else
        run_procattr
        assert_stdout_line "ioprio: class 1 priority 3"
        assert_nothing_left "$CID"
    fi
}

# modes: root
test_io_priority_bad_values() {
    make_bundle
    cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 8}'
    assert_run_fails "config.json: process.ioPriority.priority: 8 is out of range (0 to 7)"
    cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_NONE", "priority": 0}'
    assert_run_fails "config.json: process.ioPriority.class" "IOPRIO_CLASS_NONE"
}

# --- scheduler ---------------------------------------------------------------------

test_scheduler_unprivileged_policies() {
    make_bundle
    cfg '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
    run_procattr
    assert_stdout_line "sched: SCHED_BATCH nice 5 priority 0 flags 0x0"
    cfg '.process.scheduler = {"policy": "SCHED_IDLE"}'
    run_procattr
    assert_stdout_line "sched: SCHED_IDLE nice 0 priority 0 flags 0x0"
    cfg '.process.scheduler = {"policy": "SCHED_OTHER", "nice": 2, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
    run_procattr
    assert_stdout_line "sched: SCHED_OTHER nice 2 priority 0 flags 0x1"
    assert_nothing_left "$CID"
}

# Real-time policies and a lower nice need CAP_SYS_NICE in the initial user
# namespace (or RLIMIT_RTPRIO / RLIMIT_NICE, 0 for the test users).
test_scheduler_privileged_policies() {
    make_bundle
    cfg '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}'
    if rootless; then
        assert_run_fails "process.scheduler: set SCHED_FIFO (priority 10, nice 0): real-time and deadline policies, and a nice value below the current one, need CAP_SYS_NICE" \
            "Operation not permitted"
        cfg '.process.scheduler = {"policy": "SCHED_OTHER", "nice": -5}'
        assert_run_fails "process.scheduler: set SCHED_OTHER (priority 0, nice -5)" "need CAP_SYS_NICE"
        return
    fi
    run_procattr
    assert_stdout_line "sched: SCHED_FIFO nice 0 priority 10 flags 0x0"
    cfg '.process.scheduler = {"policy": "SCHED_RR", "priority": 1}'
    run_procattr
    assert_stdout_line "sched: SCHED_RR nice 0 priority 1 flags 0x0"
    cfg '.process.scheduler = {"policy": "SCHED_OTHER", "nice": -5}'
    run_procattr
    assert_stdout_line "sched: SCHED_OTHER nice -5 priority 0 flags 0x0"
    cfg '.process.scheduler = {"policy": "SCHED_DEADLINE", "runtime": 10000000, "deadline": 30000000, "period": 30000000}'
    run_procattr
    assert_stdout_line "sched: SCHED_DEADLINE nice 0 priority 0 flags 0x0"
    assert_stdout_line "deadline: runtime 10000000 deadline 30000000 period 30000000"
    assert_nothing_left "$CID"
}

# Names and ranges are checked with the config, before anything is done.
# modes: root
test_scheduler_bad_values() {
    make_bundle
    cfg '.process.scheduler = {"policy": "SCHED_FOO"}'
    assert_run_fails "config.json: process.scheduler.policy" "SCHED_FOO"
    cfg '.process.scheduler = {"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_FOO"]}'
    assert_run_fails "config.json: process.scheduler.flags" "SCHED_FLAG_FOO"
    cfg '.process.scheduler = {"policy": "SCHED_ISO"}'
    assert_run_fails "config.json: process.scheduler.policy: \"SCHED_ISO\" is not implemented by Linux"
    cfg '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 100}'
    assert_run_fails "config.json: process.scheduler.priority: 100 is out of range (1 to 99)"
    cfg '.process.scheduler = {"policy": "SCHED_OTHER", "nice": 20}'
    assert_run_fails "config.json: process.scheduler.nice: 20 is out of range (-20 to 19)"
    cfg '.process.scheduler = {"policy": "SCHED_DEADLINE", "runtime": 2, "deadline": 1}'
    assert_run_fails "config.json: process.scheduler: SCHED_DEADLINE needs runtime <= deadline <= period"
}

# --- personality -------------------------------------------------------------------

test_personality() {
    make_bundle
    cfg '.linux.personality = {"domain": "LINUX32"}'
    run_procattr
    assert_stdout_line "personality: 0x0008"
    [ "$(uname -m)" != x86_64 ] || assert_stdout_line "machine: i686"
    cfg '.linux.personality = {"domain": "LINUX", "flags": []}'
    run_procattr
    assert_stdout_line "personality: 0x0000"
    assert_stdout_line "machine: $(uname -m)"
    assert_nothing_left "$CID"
}

# modes: root
test_personality_bad_values() {
    make_bundle
    cfg '.linux.personality = {"domain": "LINUX64"}'
    assert_run_fails "config.json: linux.personality.domain" "LINUX64"
    cfg '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
    assert_run_fails "config.json: linux.personality.flags[0]: unsupported flag \"ADDR_NO_RANDOMIZE\""
}

# --- execCPUAffinity ---------------------------------------------------------------

# `initial` is the affinity while burrow sets the container up; without
# `final` it stays (the spec: then the runtime does not change it again).
test_exec_cpu_affinity() {
    needs_cpus 2
    make_bundle
    cfg '.process.execCPUAffinity = {"initial": "1"}'
    run_procattr
    assert_stdout_line "affinity: 1"
    cfg '.process.execCPUAffinity = {"initial": "0", "final": "1"}'
    run_procattr
    assert_stdout_line "affinity: 1"
    cfg '.process.execCPUAffinity = {"initial": "1", "final": " 0 - 1 "}'
    run_procattr
    assert_stdout_line "affinity: 0-1"
    # Empty lists leave the affinity alone.
    capture "$PAYLOAD" procattr
    local host
    host=$(grep '^affinity:' <<<"$stdout")
    cfg '.process.execCPUAffinity = {"initial": "", "final": ""}'
    run_procattr
    assert_stdout_line "$host"
    assert_nothing_left "$CID"
}

# A CPU this host does not have is an error naming the field, before
# anything exists.
test_exec_cpu_affinity_unavailable() {
    local max bad
    max=$(online_max /sys/devices/system/cpu/online)
    bad=$((max + 1))
    make_bundle
    cfg '.process.execCPUAffinity = {"final": $l}' --arg l "0,$bad"
    assert_run_fails "process.execCPUAffinity.final: CPU $bad is not available on this host (online: $(cat /sys/devices/system/cpu/online))"
    cfg '.process.execCPUAffinity = {"initial": "100000"}'
    assert_run_fails "process.execCPUAffinity.initial: CPU" "is not available on this host"
}

# modes: root
test_exec_cpu_affinity_bad_list() {
    make_bundle
    cfg '.process.execCPUAffinity = {"initial": "0-"}'
    assert_run_fails "config.json: process.execCPUAffinity.initial: invalid CPU list \"0-\""
    cfg '.process.execCPUAffinity = {"final": "3-1"}'
    assert_run_fails "config.json: process.execCPUAffinity.final: invalid CPU list \"3-1\""
}

# --- memoryPolicy ------------------------------------------------------------------

test_memory_policy() {
    needs_numa
    make_bundle
    cfg '.linux.memoryPolicy = {"mode": "MPOL_PREFERRED", "nodes": "0"}'
    run_procattr
    assert_stdout_line "mempolicy: mode 1 flags 0x0 nodes 0x1"
    cfg '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
    run_procattr
    assert_stdout_line "mempolicy: mode 2 flags 0x8000 nodes 0x1"
    cfg '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
    run_procattr
    assert_stdout_line "mempolicy: mode 3 flags 0x0 nodes 0x1"
    cfg '.linux.memoryPolicy = {"mode": "MPOL_LOCAL"}'
    run_procattr
    assert_stdout_line "mempolicy: mode 4 flags 0x0 nodes 0x0"
    cfg '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT"}'
    run_procattr
    assert_stdout_line "mempolicy: mode 0 flags 0x0 nodes 0x0"
    assert_nothing_left "$CID"
}

# A node this host does not have is an error naming the field, before
# anything exists.
test_memory_policy_missing_node() {
    needs_numa
    local bad
    bad=$(($(online_max /sys/devices/system/node/online) + 1))
    make_bundle
    cfg '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": $n}' --arg n "0,$bad"
    assert_run_fails "linux.memoryPolicy.nodes: node $bad is not available on this host (online: $(cat /sys/devices/system/node/online))"
}

# What only the kernel judges (MPOL_F_NUMA_BALANCING is for MPOL_BIND and
# MPOL_PREFERRED_MANY) fails when the process starts: `start` reports it, and
# the container is then stopped and deleted like any other.
test_memory_policy_refused_by_kernel() {
    needs_numa
    make_bundle
    cfg '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_NUMA_BALANCING"]}'
    assert_run_fails "linux.memoryPolicy: set_mempolicy refused MPOL_INTERLEAVE with flags 0x2000 and nodes \"0\"" \
        "Invalid argument"
    payload_args procattr
    bw create --bundle "$BUNDLE" "$CID"
    assert_success
    get_pid "$CID"
    bw start "$CID"
    assert_status 1
    assert_stderr_contains "linux.memoryPolicy: set_mempolicy refused MPOL_INTERLEAVE"
    wait_until 10 state_is "$CID" stopped
    bw delete "$CID"
    assert_success
    assert_nothing_left "$CID"
}

# modes: root
test_memory_policy_bad_values() {
    make_bundle
    cfg '.linux.memoryPolicy = {"mode": "MPOL_FOO"}'
    assert_run_fails "config.json: linux.memoryPolicy.mode" "MPOL_FOO"
    cfg '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT", "nodes": "0"}'
    assert_run_fails "config.json: linux.memoryPolicy.nodes: must be empty with MPOL_DEFAULT"
    cfg '.linux.memoryPolicy = {"mode": "MPOL_BIND"}'
    assert_run_fails "config.json: linux.memoryPolicy.nodes: required with this mode"
    cfg '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_FOO"]}'
    assert_run_fails "config.json: linux.memoryPolicy.flags" "MPOL_F_FOO"
}

# --- all at once ---------------------------------------------------------------------

# Everything a root container can have, together (the order of application
# matters: the affinity before SCHED_DEADLINE/FIFO, all before exec).
# modes: root
test_all_together() {
    needs_cpus 2
    needs_numa
    make_bundle
    cfg '.process.oomScoreAdj = 300
         | .process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 2}
         | .process.scheduler = {"policy": "SCHED_FIFO", "priority": 5}
         | .process.execCPUAffinity = {"initial": "0", "final": "1"}
         | .linux.personality = {"domain": "LINUX32"}
         | .linux.memoryPolicy = {"mode": "MPOL_PREFERRED", "nodes": "0"}
         | .process.apparmorProfile = "" | .process.selinuxLabel = ""'
    run_procattr
    assert_stdout_line "oom_score_adj: 300"
    assert_stdout_line "ioprio: class 1 priority 2"
    assert_stdout_line "sched: SCHED_FIFO nice 0 priority 5 flags 0x0"
    assert_stdout_line "personality: 0x0008"
    assert_stdout_line "affinity: 1"
    assert_stdout_line "mempolicy: mode 1 flags 0x0 nodes 0x1"
    assert_nothing_left "$CID"
}

# Root with a user namespace for the container: oomScoreAdj is written before
# the clone, so it works as for root; the container's own root has no
# CAP_SYS_NICE in the initial user namespace, so a real-time policy is refused
# as for a rootless one.
# modes: root
test_root_with_user_namespace() {
    make_bundle
    cfg '.linux.namespaces += [{"type": "user"}]
         | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
         | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
         | .process.oomScoreAdj = 400 | .linux.personality = {"domain": "LINUX32"}'
    run_procattr
    assert_stdout_line "oom_score_adj: 400"
    assert_stdout_line "personality: 0x0008"
    cfg '.process.scheduler = {"policy": "SCHED_RR", "priority": 2}'
    assert_run_fails "process.scheduler: set SCHED_RR (priority 2, nice 0)" "need CAP_SYS_NICE in the initial user namespace"
}

# --- AppArmor and SELinux ------------------------------------------------------------
#
# Applying a profile or label needs a host running that LSM with a policy
# loaded; these tests check the error on hosts without it, and skip (saying
# so) on hosts with it.

apparmor_enabled() {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]
}

selinux_enabled() {
    [ -e /sys/fs/selinux/enforce ]
}

test_apparmor_profile_not_enabled() {
    ! apparmor_enabled || skip "AppArmor is enabled on this host: the error for a host without it cannot be tested here"
    make_bundle
    cfg '.process.apparmorProfile = "burrow-test"'
    assert_run_fails "process.apparmorProfile: AppArmor is not enabled on this host (\`/sys/module/apparmor/parameters/enabled\` is not \"Y\")"
    bw create --bundle "$BUNDLE" "$CID"
    assert_status 1
    assert_stderr_contains "process.apparmorProfile: AppArmor is not enabled on this host"
    assert_file_missing "$BW_ROOT/$CID"
    assert_nothing_left "$CID"
}

test_selinux_label_not_enabled() {
    ! selinux_enabled || skip "SELinux is enabled on this host: the error for a host without it cannot be tested here"
    make_bundle
    cfg '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
    assert_run_fails "process.selinuxLabel: SELinux is not enabled on this host (no selinuxfs at \`/sys/fs/selinux\`)"
}

test_mount_label_not_enabled() {
    ! selinux_enabled || skip "SELinux is enabled on this host: the error for a host without it cannot be tested here"
    make_bundle
    cfg '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
    assert_run_fails "linux.mountLabel: SELinux is not enabled on this host (no selinuxfs at \`/sys/fs/selinux\`)"
}

# An empty profile or label is no profile: nothing to refuse.
test_lsm_empty_strings_are_unset() {
    make_bundle
    cfg '.process.apparmorProfile = "" | .process.selinuxLabel = "" | .linux.mountLabel = ""'
    run_procattr
    assert_stdout_line "personality: 0x0000"
    assert_nothing_left "$CID"
}
