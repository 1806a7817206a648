/* burrow: linux.seccomp compiled with libseccomp, loaded with seccomp(2).
 *
 * libseccomp only compiles: the program is exported as BPF in the parent
 * and the child loads it with the seccomp(2) syscall itself, so that the
 * config's flags reach the kernel as they are and nothing of libseccomp
 * (its own no_new_privs attribute, its allocations) runs in the child.
 */
#include <config.h>

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/seccomp-filter.h"
#include "util/cleanup.h"
#include "util/log.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
/* The kernel caps SECCOMP_RET_ERRNO's data at MAX_ERRNO. */
#define ERRNO_MAX 4095

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
    if (*ctx != NULL)
        seccomp_release(*ctx);
}
#define cleanup_seccomp __attribute__((cleanup(seccomp_releasep)))

/* libseccomp's constant for each SCMP_ARCH_* of the spec; 0 where the
 * libseccomp burrow was built with does not know the architecture. */
static uint32_t arch_token(enum oci_seccomp_arch a)
{
    switch (a) {
    case OCI_SECCOMP_ARCH_X86:
        return SCMP_ARCH_X86;
    case OCI_SECCOMP_ARCH_X86_64:
        return SCMP_ARCH_X86_64;
    case OCI_SECCOMP_ARCH_X32:
        return SCMP_ARCH_X32;
    case OCI_SECCOMP_ARCH_ARM:
        return SCMP_ARCH_ARM;
    case OCI_SECCOMP_ARCH_AARCH64:
        return SCMP_ARCH_AARCH64;
    case OCI_SECCOMP_ARCH_MIPS:
        return SCMP_ARCH_MIPS;
    case OCI_SECCOMP_ARCH_MIPS64:
        return SCMP_ARCH_MIPS64;
    case OCI_SECCOMP_ARCH_MIPS64N32:
        return SCMP_ARCH_MIPS64N32;
    case OCI_SECCOMP_ARCH_MIPSEL:
        return SCMP_ARCH_MIPSEL;
    case OCI_SECCOMP_ARCH_MIPSEL64:
        return SCMP_ARCH_MIPSEL64;
    case OCI_SECCOMP_ARCH_MIPSEL64N32:
        return SCMP_ARCH_MIPSEL64N32;
    case OCI_SECCOMP_ARCH_PPC:
        return SCMP_ARCH_PPC;
    case OCI_SECCOMP_ARCH_PPC64:
        return SCMP_ARCH_PPC64;
    case OCI_SECCOMP_ARCH_PPC64LE:
        return SCMP_ARCH_PPC64LE;
    case OCI_SECCOMP_ARCH_S390:
        return SCMP_ARCH_S390;
    case OCI_SECCOMP_ARCH_S390X:
        return SCMP_ARCH_S390X;
    case OCI_SECCOMP_ARCH_PARISC:
        return SCMP_ARCH_PARISC;
    case OCI_SECCOMP_ARCH_PARISC64:
        return SCMP_ARCH_PARISC64;
    case OCI_SECCOMP_ARCH_RISCV64:
        return SCMP_ARCH_RISCV64;
#ifdef SCMP_ARCH_LOONGARCH64
    case OCI_SECCOMP_ARCH_LOONGARCH64:
        return SCMP_ARCH_LOONGARCH64;
#endif
#ifdef SCMP_ARCH_M68K
    case OCI_SECCOMP_ARCH_M68K:
        return SCMP_ARCH_M68K;
#endif
#ifdef SCMP_ARCH_SH
    case OCI_SECCOMP_ARCH_SH:
        return SCMP_ARCH_SH;
    case OCI_SECCOMP_ARCH_SHEB:
        return SCMP_ARCH_SHEB;
#endif
    default:
        return 0;
    }
}

/* The spec's default errno for ERRNO and TRACE is EPERM. */
static uint32_t action_value(enum oci_seccomp_action a, bool ret_present, uint32_t ret)
{
    uint32_t r = ret_present ? ret : EPERM;
    switch (a) {
    case OCI_SECCOMP_ACT_KILL:
        return SCMP_ACT_KILL;
    case OCI_SECCOMP_ACT_KILL_PROCESS:
        return SCMP_ACT_KILL_PROCESS;
    case OCI_SECCOMP_ACT_KILL_THREAD:
        return SCMP_ACT_KILL_THREAD;
    case OCI_SECCOMP_ACT_TRAP:
        return SCMP_ACT_TRAP;
    case OCI_SECCOMP_ACT_ERRNO:
        return SCMP_ACT_ERRNO(r);
    case OCI_SECCOMP_ACT_TRACE:
        return SCMP_ACT_TRACE(r);
    case OCI_SECCOMP_ACT_LOG:
        return SCMP_ACT_LOG;
    case OCI_SECCOMP_ACT_NOTIFY:
        return SCMP_ACT_NOTIFY;
    case OCI_SECCOMP_ACT_ALLOW:
    default:
        return SCMP_ACT_ALLOW;
    }
}

bool bw_seccomp_flag_supported(unsigned int flag)
{
    /* The kernel checks the flags before it reads the program: a known flag
     * with no program fails with EFAULT, an unknown one with EINVAL. */
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
    return r < 0 && errno == EFAULT;
}

/* The family of an architecture: the kernel of one member runs the
 * processes of the others (x86 and x32 binaries on x86_64, arm on
 * aarch64), never those of another family; 0 when not known here. */
static int arch_family(uint32_t token)
{
    switch (token) {
    case SCMP_ARCH_X86:
    case SCMP_ARCH_X86_64:
    case SCMP_ARCH_X32:
        return 1;
    case SCMP_ARCH_ARM:
    case SCMP_ARCH_AARCH64:
        return 2;
    case SCMP_ARCH_PPC:
    case SCMP_ARCH_PPC64:
    case SCMP_ARCH_PPC64LE:
        return 3;
    case SCMP_ARCH_S390:
    case SCMP_ARCH_S390X:
        return 4;
    case SCMP_ARCH_MIPS:
    case SCMP_ARCH_MIPS64:
    case SCMP_ARCH_MIPS64N32:
    case SCMP_ARCH_MIPSEL:
    case SCMP_ARCH_MIPSEL64:
    case SCMP_ARCH_MIPSEL64N32:
        return 5;
    case SCMP_ARCH_PARISC:
    case SCMP_ARCH_PARISC64:
        return 6;
    }
    return 0;
}

static int add_archs(scmp_filter_ctx ctx, const struct oci_seccomp *s, bw_err_t *err)
{
    int native = arch_family(seccomp_arch_native());
    /* The native architecture is always in a new filter; the ones listed
     * are added beside it (x86 and x32 binaries on x86_64...).  A syscall
     * from an architecture not in the filter gets libseccomp's default
     * bad-architecture action: the thread is killed. */
    for (size_t i = 0; i < s->architectures_len; i++) {
        uint32_t token = arch_token(s->architectures[i]);
        if (token == 0)
            return bw_error_set(err, ENOTSUP,
                                "linux.seccomp.architectures[%zu]: %s is not supported by the "
                                "libseccomp burrow was built with (%d.%d.%d)",
                                i, oci_seccomp_arch_name(s->architectures[i]), SCMP_VER_MAJOR,
                                SCMP_VER_MINOR, SCMP_VER_MICRO);
        /* No process on this kernel can make a syscall of another family's
         * architecture: its rules would only cost compile time (profiles
         * list x86 and Arm both; each doubles the work). */
        int family = arch_family(token);
        if (native != 0 && family != 0 && family != native) {
            bw_debug("linux.seccomp.architectures[%zu]: %s cannot run on this kernel: skipped", i,
                     oci_seccomp_arch_name(s->architectures[i]));
            continue;
        }
        int rc = seccomp_arch_add(ctx, token);
        if (rc < 0 && rc != -EEXIST)
            return bw_error_set(err, -rc, "linux.seccomp.architectures[%zu]: add %s", i,
                                oci_seccomp_arch_name(s->architectures[i]));
    }
    return 0;
}

/* One rule for `nr`.  libseccomp refuses two comparisons of the same
 * argument in one rule (a rule is an AND of at most one test per
 * argument).  A rule that names an index twice is taken as runc does, as
 * several rules of one comparison each: the action applies when ANY of the
 * comparisons holds.  That is what profiles written for runc rely on, e.g.
 * personality allowed for 0x0, 0x8, 0x20000... in one entry. */
static int add_rule(scmp_filter_ctx ctx, uint32_t act, int nr, const struct oci_seccomp_syscall *s,
                    size_t i, const char *name, bw_err_t *err)
{
    struct scmp_arg_cmp cmp[6];
    bool seen[6] = {false}, repeated = false;
    int rc = 0;

    for (size_t j = 0; j < s->args_len; j++) {
        repeated = repeated || seen[s->args[j].index];
        seen[s->args[j].index] = true;
    }
    if (s->args_len == 0)
        rc = seccomp_rule_add_array(ctx, act, nr, 0, NULL);
    /* One rule of all the comparisons (at most 6 without a repeated
     * index), or one rule per comparison. */
    size_t n = repeated ? 1 : s->args_len;
    for (size_t first = 0; rc == 0 && first < s->args_len; first += n) {
        for (size_t k = 0; k < n; k++) {
            const struct oci_seccomp_arg *a = &s->args[first + k];
            /* For MASKED_EQ, value is the mask and valueTwo the datum. */
            cmp[k] = (struct scmp_arg_cmp){
                .arg = a->index,
                .op = (enum scmp_compare)a->op,
                .datum_a = a->value,
                .datum_b = a->value_two,
            };
        }
        rc = seccomp_rule_add_array(ctx, act, nr, (unsigned)n, cmp);
    }
    if (rc < 0)
        return bw_error_set(err, -rc, "linux.seccomp.syscalls[%zu]: add the rule for \"%s\"", i,
                            name);
    return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct oci_seccomp *s, uint32_t default_act,
                     bw_err_t *err)
{
    for (size_t i = 0; i < s->syscalls_len; i++) {
        const struct oci_seccomp_syscall *sc = &s->syscalls[i];
        if (sc->errno_ret_present && sc->errno_ret > ERRNO_MAX)
            return bw_error_set(err, EINVAL,
                                "linux.seccomp.syscalls[%zu].errnoRet: %u is out of range (at "
                                "most %d)",
                                i, (unsigned)sc->errno_ret, ERRNO_MAX);
        uint32_t act = action_value(sc->action, sc->errno_ret_present, sc->errno_ret);
        /* libseccomp refuses a rule that does what the default does; it
         * changes nothing, so it is left out. */
        if (act == default_act) {
            bw_debug("linux.seccomp.syscalls[%zu]: same action as the default: skipped", i);
            continue;
        }
        for (size_t j = 0; j < sc->names_len; j++) {
            const char *name = sc->names[j];
            int nr = seccomp_syscall_resolve_name(name);
            /* Profiles list syscalls of many kernels and architectures: a
             * name unknown here cannot be called here either. */
            if (nr == __NR_SCMP_ERROR) {
                bw_debug("linux.seccomp.syscalls[%zu].names[%zu]: unknown syscall \"%s\" on "
                         "this architecture: skipped",
                         i, j, name);
                continue;
            }
            if (add_rule(ctx, act, nr, sc, i, name, err) < 0)
                return -1;
        }
    }
    return 0;
}

/* The kernel's seccomp(2) flags, each checked against this kernel. */
static int kernel_flags(const struct oci_seccomp *s, bool notify, unsigned int *out, bw_err_t *err)
{
    static const struct {
        unsigned int flag;
        const char *name;
    } known[] = {
        {OCI_SECCOMP_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC"},
        {OCI_SECCOMP_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG"},
        {OCI_SECCOMP_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
        {OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
    };
    unsigned int flags = 0;
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        unsigned int f = known[k].flag;
        if (!(s->flags & f))
            continue;
        unsigned int probe = f;
        if (f == OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV) {
            /* It only changes how a notifying syscall waits for the
             * listener, and the kernel refuses it without one. */
            if (!notify) {
                bw_debug("linux.seccomp.flags: %s ignored: no SCMP_ACT_NOTIFY rule", known[k].name);
                continue;
            }
            probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        }
        if (!bw_seccomp_flag_supported(probe))
            return bw_error_set(err, ENOTSUP,
                                "linux.seccomp.flags: %s is not supported by this "
                                "kernel",
                                known[k].name);
        flags |= f;
    }
    if (notify) {
        if (!bw_seccomp_flag_supported(SECCOMP_FILTER_FLAG_NEW_LISTENER))
            return bw_error_set(err, ENOTSUP,
                                "linux.seccomp: SCMP_ACT_NOTIFY needs seccomp user notification, "
                                "which this kernel lacks (Linux 5.0 or later)");
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        /* TSYNC and a listener together need TSYNC_ESRCH (the process is
         * single-threaded then anyway). */
        if (flags & OCI_SECCOMP_FLAG_TSYNC)
            flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
    *out = flags;
    return 0;
}

/* The compiled program, through a memfd: libseccomp 2.5 exports BPF only to
 * a file descriptor. */
static int export_bpf(scmp_filter_ctx ctx, struct bw_seccomp *sc, bw_err_t *err)
{
    cleanup_close int fd = memfd_create("burrow-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "linux.seccomp: create a memfd for the filter");
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0)
        return bw_error_set(err, -rc, "linux.seccomp: compile the filter");
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0)
        return bw_error_errno(err, "linux.seccomp: read the compiled filter");
    size_t n = (size_t)size / sizeof(struct sock_filter);
    if (n == 0 || n > BPF_MAXINSNS)
        return bw_error_set(err, E2BIG,
                            "linux.seccomp: the filter compiles to %zu instructions; the kernel "
                            "takes 1 to %d",
                            n, BPF_MAXINSNS);
    sc->prog = calloc(n, sizeof(struct sock_filter));
    if (sc->prog == NULL)
        return bw_error_set(err, ENOMEM, "linux.seccomp: read the compiled filter");
    if (pread(fd, sc->prog, n * sizeof(struct sock_filter), 0) != (ssize_t)(n * sizeof(*sc->prog)))
        return bw_error_errno(err, "linux.seccomp: read the compiled filter");
    sc->len = (unsigned short)n;
    bw_debug("linux.seccomp: %zu BPF instructions", n);
    return 0;
}

/* Everything the compiled program depends on, as text (seccomp-cache.c):
 * this file's build (its compile logic), libseccomp's version and the API
 * level it found in the kernel, the native architecture, then every field
 * of the filter that reaches the program.  The flags and the listener do
 * not: they are given to seccomp(2) or used by the parent. */
static int compile(const struct oci_seccomp *s, struct bw_seccomp *sc, bw_err_t *err);

static char *cache_key(const struct oci_seccomp *s)
{
    char *key = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&key, &len);
    if (f == NULL)
        return NULL;
    const struct scmp_version *v = seccomp_version();
    fprintf(f, "burrow %s %s %s\nlibseccomp %u.%u.%u api %u native %#x\n", PACKAGE_VERSION,
            __DATE__, __TIME__, v->major, v->minor, v->micro, seccomp_api_get(),
            (unsigned)seccomp_arch_native());
    fprintf(f, "default %d %d %u\narch", (int)s->default_action, s->default_errno_ret_present,
            (unsigned)s->default_errno_ret);
    for (size_t i = 0; i < s->architectures_len; i++)
        fprintf(f, " %d", (int)s->architectures[i]);
    for (size_t i = 0; i < s->syscalls_len; i++) {
        const struct oci_seccomp_syscall *r = &s->syscalls[i];
        fprintf(f, "\nrule %d %d %u names", (int)r->action, r->errno_ret_present,
                (unsigned)r->errno_ret);
        /* Names cannot hold a space or a newline that libseccomp would
         * resolve: their length makes the text unambiguous anyway. */
        for (size_t k = 0; k < r->names_len; k++)
            fprintf(f, " %zu:%s", strlen(r->names[k]), r->names[k]);
        for (size_t k = 0; k < r->args_len; k++) {
            const struct oci_seccomp_arg *a = &r->args[k];
            fprintf(f, " arg %u %d %llu %d %llu", (unsigned)a->index, (int)a->op,
                    (unsigned long long)a->value, a->value_two_present,
                    (unsigned long long)a->value_two);
        }
    }
    if (fclose(f) != 0) {
        free(key);
        return NULL;
    }
    return key;
}

int bw_seccomp_prepare(const struct oci_seccomp *s, bool nnp, const char *cache_root,
                       struct bw_seccomp **out, bw_err_t *err)
{
    *out = NULL;
    if (s == NULL)
        return 0;
    if (s->default_errno_ret_present && s->default_errno_ret > ERRNO_MAX)
        return bw_error_set(err, EINVAL,
                            "linux.seccomp.defaultErrnoRet: %u is out of range (at most %d)",
                            (unsigned)s->default_errno_ret, ERRNO_MAX);
    bool notify = false;
    for (size_t i = 0; i < s->syscalls_len; i++)
        notify = notify || s->syscalls[i].action == OCI_SECCOMP_ACT_NOTIFY;

    cleanup_free struct bw_seccomp *sc = calloc(1, sizeof(*sc));
    if (sc == NULL)
        return bw_error_set(err, ENOMEM, "linux.seccomp");
    if (kernel_flags(s, notify, &sc->flags, err) < 0)
        return -1;
    cleanup_free char *key = cache_root != NULL ? cache_key(s) : NULL;
    if (bw_seccomp_cache_load(cache_root, key, &sc->prog, &sc->len) == 0) {
        if (compile(s, sc, err) < 0)
            return -1;
        bw_seccomp_cache_store(cache_root, key, sc->prog, sc->len);
    }
    sc->listener_path = s->listener_path;
    sc->listener_metadata = s->listener_metadata;
    /* Where the child loads it: see bw_seccomp_apply. */
    sc->stage = notify ? BW_SECCOMP_BEFORE_CREATED : nnp ? BW_SECCOMP_LAST : BW_SECCOMP_BEFORE_IDS;
    *out = steal_pointer(&sc);
    return 0;
}

static int compile(const struct oci_seccomp *s, struct bw_seccomp *sc, bw_err_t *err)
{
    uint32_t default_act =
        action_value(s->default_action, s->default_errno_ret_present, s->default_errno_ret);
    cleanup_seccomp scmp_filter_ctx ctx = seccomp_init(default_act);
    if (ctx == NULL)
        return bw_error_set(err, EINVAL, "linux.seccomp.defaultAction: libseccomp refused %s",
                            oci_seccomp_action_name(s->default_action));
    /* A binary tree of syscalls: a long allow-list costs a few comparisons
     * per syscall instead of one per entry.  An older libseccomp without it
     * still works, linearly. */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

    if (add_archs(ctx, s, err) < 0 || add_rules(ctx, s, default_act, err) < 0)
        return -1;
    if (export_bpf(ctx, sc, err) < 0) {
        free(sc->prog);
        sc->prog = NULL;
        return -1;
    }
    return 0;
}

void bw_seccomp_free(struct bw_seccomp *sc)
{
    if (sc == NULL)
        return;
    free(sc->prog);
    free(sc);
}

/* The order of the load in the child:
 *
 *  - Everything the runtime still does after the load goes through the
 *    filter, so the later the better: with process.noNewPrivileges the
 *    filter is loaded last, after no_new_privs is set and just before exec
 *    (only the open of the executable, fd and signal-mask cleanup, and
 *    execve remain).
 *  - Without no_new_privs the kernel allows a filter only to a holder of
 *    CAP_SYS_ADMIN in its user namespace, and the container's process may
 *    have given it up by exec time (another uid, a smaller capability set).
 *    So it is loaded before the ids and capabilities change, as runc does:
 *    setgroups, setresgid, setresuid, capset, prctl, umask, chdir and the
 *    exec steps then pass through the filter, and a profile must allow them
 *    (the default one does).
 *  - With a NOTIFY rule the listener must reach listenerPath, which only
 *    the `create` process can do (it is gone by `start`, and the child is
 *    pivoted into the rootfs): the filter is loaded before `created`, with
 *    all the runtime's remaining setup subject to it (see seccomp-notify.c).
 */
int bw_seccomp_apply(const struct bw_seccomp *sc, enum bw_seccomp_stage stage, int *listener_fd,
                     bw_err_t *err)
{
    if (sc == NULL || sc->stage != stage)
        return 0;
    struct sock_fprog prog = {.len = sc->len, .filter = sc->prog};
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, sc->flags, &prog);
    if (r < 0) {
        if (errno == EACCES)
            return bw_error_set(err, EACCES,
                                "load the seccomp filter (linux.seccomp): without "
                                "process.noNewPrivileges this needs CAP_SYS_ADMIN");
        return bw_error_errno(err, "load the seccomp filter (linux.seccomp, flags 0x%x)",
                              sc->flags);
    }
    if (listener_fd != NULL)
        *listener_fd = (sc->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? (int)r : -1;
    return 0;
}
