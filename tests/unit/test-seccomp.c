/* burrow: unit tests of the seccomp compile step (src/linux/seccomp.c): the
 * filter built from a struct oci_seccomp, where the child will load it, the
 * flags passed to the kernel, and errors.  Behaviour is checked by loading
 * the filter in a forked child. */
#include <config.h>

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/seccomp-filter.h"
#include "unit.h"

#define FLAG_NEW_LISTENER (1u << 3)
#define FLAG_TSYNC_ESRCH  (1u << 4)

static enum unit_result test_flag_probe(struct unit *u)
{
    if (!bw_seccomp_flag_supported(OCI_SECCOMP_FLAG_LOG))
        return unit_skip(u, "this kernel has no SECCOMP_FILTER_FLAG_LOG (or no seccomp)");
    UNIT_ASSERT(u, !bw_seccomp_flag_supported(1u << 30));
    return UNIT_PASS;
}

static enum unit_result test_no_seccomp(struct unit *u)
{
    struct bw_seccomp *sc = (struct bw_seccomp *)1;
    bw_err_t err = NULL;
    UNIT_ASSERT(u, bw_seccomp_prepare(NULL, true, NULL, &sc, &err) == 0 && sc == NULL);
    UNIT_ASSERT(u, bw_seccomp_apply(NULL, BW_SECCOMP_LAST, NULL, &err) == 0);
    return UNIT_PASS;
}

/* Where the child loads it, and the kernel flags. */
static enum unit_result test_stage_and_flags(struct unit *u)
{
    struct oci_seccomp_syscall rule = {
        .names = (char *[]){"getppid", NULL}, .names_len = 1, .action = OCI_SECCOMP_ACT_ERRNO};
    struct oci_seccomp s = {.default_action = OCI_SECCOMP_ACT_ALLOW,
                            .flags = OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV,
                            .syscalls = &rule,
                            .syscalls_len = 1};
    struct bw_seccomp *sc = NULL;
    bw_err_t err = NULL;

    UNIT_ASSERT(u, bw_seccomp_prepare(&s, true, NULL, &sc, &err) == 0);
    UNIT_ASSERT(u, sc->stage == BW_SECCOMP_LAST && sc->len > 0);
    /* No listener: WAIT_KILLABLE_RECV means nothing and is left out. */
    UNIT_ASSERT(u, sc->flags == 0);
    bw_seccomp_free(sc);

    UNIT_ASSERT(u, bw_seccomp_prepare(&s, false, NULL, &sc, &err) == 0);
    UNIT_ASSERT(u, sc->stage == BW_SECCOMP_BEFORE_IDS);
    bw_seccomp_free(sc);

    if (!bw_seccomp_flag_supported(FLAG_NEW_LISTENER | OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV))
        return unit_skip(u, "this kernel lacks seccomp user notification or WAIT_KILLABLE_RECV");
    rule.action = OCI_SECCOMP_ACT_NOTIFY;
    s.flags |= OCI_SECCOMP_FLAG_TSYNC;
    s.listener_path = "/run/agent.sock";
    UNIT_ASSERT(u, bw_seccomp_prepare(&s, true, NULL, &sc, &err) == 0);
    UNIT_ASSERT(u, sc->stage == BW_SECCOMP_BEFORE_CREATED);
    UNIT_ASSERT(u, sc->flags == (FLAG_NEW_LISTENER | OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV |
                                 OCI_SECCOMP_FLAG_TSYNC | FLAG_TSYNC_ESRCH));
    UNIT_ASSERT_STR_EQ(u, sc->listener_path, "/run/agent.sock");
    bw_seccomp_free(sc);
    return UNIT_PASS;
}

static enum unit_result expect_error(struct unit *u, const struct oci_seccomp *s, const char *msg)
{
    struct bw_seccomp *sc = NULL;
    bw_err_t err = NULL;
    if (bw_seccomp_prepare(s, true, NULL, &sc, &err) == 0) {
        bw_seccomp_free(sc);
        return unit_fail(u, "no error, expected \"%s\"", msg);
    }
    if (strcmp(err->msg, msg) != 0) {
        enum unit_result r = unit_fail(u, "got \"%s\", want \"%s\"", err->msg, msg);
        bw_error_free(&err);
        return r;
    }
    bw_error_free(&err);
    return UNIT_PASS;
}

static enum unit_result test_errors(struct unit *u)
{
    struct oci_seccomp_syscall rule = {.names = (char *[]){"getppid", NULL},
                                       .names_len = 1,
                                       .action = OCI_SECCOMP_ACT_ERRNO,
                                       .errno_ret_present = true,
                                       .errno_ret = 4096};
    struct oci_seccomp s = {
        .default_action = OCI_SECCOMP_ACT_ALLOW, .syscalls = &rule, .syscalls_len = 1};
    if (expect_error(u, &s,
                     "linux.seccomp.syscalls[0].errnoRet: 4096 is out of range (at most 4095)") !=
        UNIT_PASS)
        return UNIT_FAIL;
    struct oci_seccomp d = {.default_action = OCI_SECCOMP_ACT_ERRNO,
                            .default_errno_ret_present = true,
                            .default_errno_ret = 65536};
    if (expect_error(u, &d,
                     "linux.seccomp.defaultErrnoRet: 65536 is out of range (at most 4095)") !=
        UNIT_PASS)
        return UNIT_FAIL;
#ifndef SCMP_ARCH_SHEB
    enum oci_seccomp_arch sheb = OCI_SECCOMP_ARCH_SHEB;
    struct oci_seccomp a = {
        .default_action = OCI_SECCOMP_ACT_ALLOW, .architectures = &sheb, .architectures_len = 1};
    char msg[256];
    snprintf(msg, sizeof(msg),
             "linux.seccomp.architectures[0]: SCMP_ARCH_SHEB is not supported by the libseccomp "
             "burrow was built with (%d.%d.%d)",
             SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
    if (expect_error(u, &a, msg) != UNIT_PASS)
        return UNIT_FAIL;
#endif
    return UNIT_PASS;
}

/* Load `sc` in a child that then calls getppid(arg, arg1) and exits with its errno
 * (0 on success); -1 if the child failed otherwise. */
static int errno_of_getppid(const struct bw_seccomp *sc, long arg, long arg1)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        bw_err_t err = NULL;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            bw_seccomp_apply(sc, BW_SECCOMP_LAST, NULL, &err) < 0)
            _exit(255);
        _exit(syscall(SYS_getppid, arg, arg1) < 0 ? errno : 0);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 255)
        return -1;
    return WEXITSTATUS(status);
}

/* Two comparisons of one argument: separate rules, either matches; of two
 * arguments: one rule, both must match. */
static enum unit_result test_repeated_index(struct unit *u)
{
    struct oci_seccomp_arg or_args[] = {{.index = 0, .value = 1, .op = OCI_SECCOMP_CMP_EQ},
                                        {.index = 0, .value = 2, .op = OCI_SECCOMP_CMP_EQ}};
    struct oci_seccomp_syscall rule = {.names = (char *[]){"getppid", NULL},
                                       .names_len = 1,
                                       .action = OCI_SECCOMP_ACT_ERRNO,
                                       .errno_ret_present = true,
                                       .errno_ret = EXDEV,
                                       .args = or_args,
                                       .args_len = 2};
    struct oci_seccomp s = {
        .default_action = OCI_SECCOMP_ACT_ALLOW, .syscalls = &rule, .syscalls_len = 1};
    struct bw_seccomp *sc = NULL;
    bw_err_t err = NULL;
    if (!bw_seccomp_flag_supported(OCI_SECCOMP_FLAG_LOG))
        return unit_skip(u, "this kernel has no seccomp filters");
    if (bw_seccomp_prepare(&s, true, NULL, &sc, &err) < 0)
        return unit_fail(u, "prepare: %s", err->msg);
    int e1 = errno_of_getppid(sc, 1, 0), e2 = errno_of_getppid(sc, 2, 0);
    int e3 = errno_of_getppid(sc, 3, 0);
    bw_seccomp_free(sc);
    if (e1 != EXDEV || e2 != EXDEV || e3 != 0)
        return unit_fail(u, "OR: getppid(1), (2), (3) gave errno %d %d %d", e1, e2, e3);

    struct oci_seccomp_arg and_args[] = {
        {.index = 0, .value = 1, .op = OCI_SECCOMP_CMP_EQ},
        {.index = 1, .value = 0xf0, .value_two = 0, .op = OCI_SECCOMP_CMP_MASKED_EQ}};
    rule.args = and_args;
    if (bw_seccomp_prepare(&s, true, NULL, &sc, &err) < 0)
        return unit_fail(u, "prepare: %s", err->msg);
    e1 = errno_of_getppid(sc, 1, 0x0f);
    e2 = errno_of_getppid(sc, 1, 0x10);
    e3 = errno_of_getppid(sc, 2, 0);
    bw_seccomp_free(sc);
    if (e1 != EXDEV || e2 != 0 || e3 != 0)
        return unit_fail(u, "AND: getppid(1, 0xf), (1, 0x10), (2, 0) gave errno %d %d %d", e1, e2,
                         e3);
    return UNIT_PASS;
}

int main(int argc, char **argv)
{
    static const struct unit_test tests[] = {
        UNIT_TEST(flag_probe), UNIT_TEST(no_seccomp),     UNIT_TEST(stage_and_flags),
        UNIT_TEST(errors),     UNIT_TEST(repeated_index),
    };
    return unit_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
