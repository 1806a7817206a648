/* burrow: linux.resources.devices as a cgroup v2 device program (root).
 *
 * cgroup v2 has no devices.allow file: the kernel asks a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup about every
 * open and mknod of a device node.  The program burrow writes looks at the
 * rules from the last to the first and returns the verdict of the first
 * that matches, which is the v1 semantics of applying them in order; no
 * match allows (the v1 default, which a leading deny-all rule turns into a
 * deny).  The devices every container must have (runtime-spec, "Default
 * Devices": null, zero, full, random, urandom, tty, console, ptmx and the
 * pts) are allowed after the config's rules, so no rule can take them away.
 *
 * A deny rule matches a request that asks for any of its accesses; an allow
 * rule one whose accesses are all among its own.
 *
 * Loading and attaching needs CAP_SYS_ADMIN (or CAP_BPF) in the initial
 * user namespace: rootless, the container reaches only the devices bound
 * into it, which is the same limit by other means.
 */
#include <config.h>

#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"

#define R0 0
#define R1 1
#define R2 2
#define R3 3
#define R4 4
#define R5 5
#define R6 6

struct prog {
    struct bpf_insn *v;
    size_t n, cap;
};

static int emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        struct bpf_insn *b = realloc(p->v, p->cap * sizeof(*b));
        if (b == NULL)
            return -1;
        p->v = b;
    }
    p->v[p->n++] =
        (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
    return 0;
}

static int access_bits(const char *a)
{
    if (a == NULL)
        return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    int bits = 0;
    for (; *a; a++)
        bits |= *a == 'r'   ? BPF_DEVCG_ACC_READ
                : *a == 'w' ? BPF_DEVCG_ACC_WRITE
                : *a == 'm' ? BPF_DEVCG_ACC_MKNOD
                            : 0;
    return bits;
}

/* One rule: a run of tests that jump past the block when they fail.
 * Sets *final for a rule that matches everything: what follows it would
 * be unreachable, which the verifier refuses. */
static int emit_rule(struct prog *p, const struct oci_device_cgroup *d, bool *final)
{
    int acc = access_bits(d->access);
    const int all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    int type = d->type == 'c' ? BPF_DEVCG_DEV_CHAR : d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : 0;
    /* The block's length decides every jump: count the tests first. */
    int tests = (type != 0) + (acc != all ? 3 : 0) + d->major_present + d->minor_present;
    int left = tests + 2; /* the tests and "r0 = verdict; exit" */
    *final = tests == 0;
    int r = 0;
    if (type != 0) {
        left--;
        r |= emit(p, BPF_JMP | BPF_JNE | BPF_K, R2, 0, (int16_t)left, type);
    }
    if (acc != all) {
        /* r1 = requested & (allow ? ~acc : acc); allow: any bit outside
         * fails; deny: no bit inside fails. */
        left -= 3;
        r |= emit(p, BPF_ALU64 | BPF_MOV | BPF_X, R1, R3, 0, 0);
        r |= emit(p, BPF_ALU64 | BPF_AND | BPF_K, R1, 0, 0, d->allow ? (~acc & all) : acc);
        r |= emit(p, BPF_JMP | (d->allow ? BPF_JNE : BPF_JEQ) | BPF_K, R1, 0, (int16_t)left, 0);
    }
    if (d->major_present) {
        left--;
        r |= emit(p, BPF_JMP | BPF_JNE | BPF_K, R4, 0, (int16_t)left, (int32_t)d->major);
    }
    if (d->minor_present) {
        left--;
        r |= emit(p, BPF_JMP | BPF_JNE | BPF_K, R5, 0, (int16_t)left, (int32_t)d->minor);
    }
    r |= emit(p, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, d->allow ? 1 : 0);
    r |= emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    return r;
}

static const struct oci_device_cgroup defaults[] = {
    {.allow = true,
     .type = 'c',
     .major_present = true,
     .major = 1,
     .minor_present = true,
     .minor = 3},
    {.allow = true,
     .type = 'c',
     .major_present = true,
     .major = 1,
     .minor_present = true,
     .minor = 5},
    {.allow = true,
     .type = 'c',
     .major_present = true,
     .major = 1,
     .minor_present = true,
     .minor = 7},
    {.allow = true,
     .type = 'c',
     .major_present = true,
     .major = 1,
     .minor_present = true,
     .minor = 8},
    {.allow = true,
     .type = 'c',
     .major_present = true,
     .major = 1,
     .minor_present = true,
     .minor = 9},
    {.allow = true,
     .type = 'c',
     .major_present = true,
     .major = 5,
     .minor_present = true,
     .minor = 0},
    {.allow = true,
     .type = 'c',
     .major_present = true,
     .major = 5,
     .minor_present = true,
     .minor = 1},
    {.allow = true,
     .type = 'c',
     .major_present = true,
     .major = 5,
     .minor_present = true,
     .minor = 2},
    {.allow = true, .type = 'c', .major_present = true, .major = 136},
};

int bw_cgroup_devices_apply(struct bw_cgroup *cg, const struct oci_resources *r, bw_err_t *err)
{
    if (r == NULL || r->devices_len == 0 || cg->fd < 0)
        return 0;
    struct prog p = {0};
    int bad = 0;
    /* r2 = type, r3 = access, r4 = major, r5 = minor */
    bad |= emit(&p, BPF_LDX | BPF_W | BPF_MEM, R2, R1, 0, 0);
    bad |= emit(&p, BPF_ALU64 | BPF_MOV | BPF_X, R3, R2, 0, 0);
    bad |= emit(&p, BPF_ALU64 | BPF_AND | BPF_K, R2, 0, 0, 0xffff);
    bad |= emit(&p, BPF_ALU64 | BPF_RSH | BPF_K, R3, 0, 0, 16);
    bad |= emit(&p, BPF_LDX | BPF_W | BPF_MEM, R4, R1, 4, 0);
    bad |= emit(&p, BPF_LDX | BPF_W | BPF_MEM, R5, R1, 8, 0);
    bool final = false;
    for (size_t i = sizeof(defaults) / sizeof(defaults[0]); i-- > 0 && !final;)
        bad |= emit_rule(&p, &defaults[i], &final);
    for (size_t i = r->devices_len; i-- > 0 && !final;)
        bad |= emit_rule(&p, &r->devices[i], &final);
    /* No rule matched: denied.  linux.resources.devices is an allowlist
     * (config-linux.md); the default devices were rules above. */
    if (!final) {
        bad |= emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
        bad |= emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
    if (bad) {
        free(p.v);
        return bw_error_set(err, ENOMEM, "devices");
    }
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)p.v;
    attr.insn_cnt = (uint32_t)p.n;
    attr.license = (uint64_t)(uintptr_t) "MIT";

    cleanup_close int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
    free(p.v);
    if (prog < 0)
        return bw_error_errno(err, "devices: load the device program");
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cg->fd;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    /* Not multi: attaching again (update) replaces the program; a nested
     * runtime below may put its own in place of ours. */
    attr.attach_flags = BPF_F_ALLOW_OVERRIDE;
    if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
        return bw_error_errno(err, "devices: attach the device program to `%s`", cg->path);
    return 0;
}
