#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/hooks.h"
#include "linux/proc.h"
#include "spec/state_json.h"
#include "util/cleanup.h"
#include "util/log.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* What a failing hook printed is shown up to this much. */
#define OUTPUT_MAX 2048

bool bw_hooks_has(const struct oci_config *c, enum oci_hook_kind kind)
{
    size_t n = 0;
    oci_hooks_get(c->hooks, kind, &n);
    return n > 0;
}

char *bw_hooks_state(const struct oci_config *c, const char *id, const char *bundle, pid_t pid,
                     const char *status, bw_err_t *err)
{
    struct bw_state s = {.id = (char *)id, .bundle = (char *)bundle, .pid = pid};
    /* bw_state keeps annotations as key, value, ..., NULL. */
    cleanup_free char **ann = calloc(2 * c->annotations_len + 1, sizeof(char *));
    if (ann == NULL) {
        bw_error_set(err, ENOMEM, "hook state");
        return NULL;
    }
    for (size_t i = 0; i < c->annotations_len; i++) {
        ann[2 * i] = c->annotations[i].key;
        ann[2 * i + 1] = c->annotations[i].value;
    }
    s.annotations = ann;
    return bw_state_to_oci_json(&s, status, false, err);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the forked hook process: stdio, no other fd, default signals, exec.
 * `errfd` (close-on-exec) carries errno back if execve fails. */
static __attribute__((noreturn)) void hook_exec(const struct oci_hook *hk, int in, int out,
                                                int errfd)
{
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    signal(SIGPIPE, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        goto fail;
    /* Every other fd closes at exec (errfd must stay open until then). */
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        for (int fd = 3; fd < 1024; fd++)
            if (fd != errfd)
                fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    char *argv0[] = {hk->path, NULL};
    char *envp0[] = {NULL};
    execve(hk->path, hk->args_len > 0 ? hk->args : argv0, hk->env_len > 0 ? hk->env : envp0);
fail:;
    int e = errno;
    ssize_t ignored = write(errfd, &e, sizeof(e));
    (void)ignored;
    _exit(127);
}

/* Keep the first OUTPUT_MAX bytes of what the hook prints; false at EOF. */
static bool read_output(int fd, char *buf, size_t *used)
{
    char tmp[4096];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof(tmp))) > 0) {
        size_t take = (size_t)n;
        if (take > OUTPUT_MAX - *used)
            take = OUTPUT_MAX - *used;
        memcpy(buf + *used, tmp, take);
        *used += take;
    }
    return n != 0;
}

/* The output, trimmed, as " (output: ...)" for a message; "" when none. */
static const char *output_suffix(char *buf, size_t used, char *dst, size_t len)
{
    while (used > 0 && (buf[used - 1] == '\n' || buf[used - 1] == ' '))
        used--;
    buf[used] = '\0';
    if (used == 0)
        dst[0] = '\0';
    else
        snprintf(dst, len, " (output: %s)", buf);
    return dst;
}

/* Feed `state` to the hook's stdin, collect its output, and wait for it
 * until `deadline` (ms, -1: none).  Returns its wait status, or -1 with
 * *timed_out when it was killed for its timeout.  Without a pidfd (old
 * kernels) the exit is polled for every 20 ms. */
static int supervise(pid_t pid, int pidfd, int *in, int out, const char *state, int64_t deadline,
                     char *buf, size_t *used, bool *timed_out)
{
    size_t len = strlen(state), off = 0;
    fcntl(*in, F_SETFL, O_NONBLOCK);
    fcntl(out, F_SETFL, O_NONBLOCK);
    int status = 0;
    bool reaped = false, out_open = true;
    for (;;) {
        if (pidfd < 0 && waitpid(pid, &status, WNOHANG) == pid) {
            reaped = true;
            break;
        }
        struct pollfd p[3] = {
            {.fd = pidfd, .events = POLLIN},
            {.fd = out_open ? out : -1, .events = POLLIN},
            {.fd = *in, .events = POLLOUT},
        };
        int timeout = pidfd < 0 ? 20 : -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                kill(pid, SIGKILL);
                *timed_out = true;
                break;
            }
            if (timeout < 0 || left < timeout)
                timeout = (int)left;
        }
        int n = poll(p, 3, timeout);
        if (n < 0 && errno != EINTR)
            break; /* cannot wait with poll: wait blocking below */
        if (n <= 0)
            continue;
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
            out_open = read_output(out, buf, used);
        if (p[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
            /* A hook that does not read its stdin is no error. */
            ssize_t w = write(*in, state + off, len - off);
            if (w > 0)
                off += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR)
                off = len;
            if (off == len) {
                /* EOF for the hook. */
                close(*in);
                *in = -1;
            }
        }
        if (p[0].revents & POLLIN)
            break;
    }
    /* Only what is there now: a daemon the hook left behind may hold the
     * pipe open for ever. */
    if (out_open)
        read_output(out, buf, used);
    if (!reaped)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    return *timed_out ? -1 : status;
}

static int run_one(const struct oci_hook *hk, const char *field, const char *state, bw_err_t *err)
{
    int in[2], out[2], ep[2];
    if (pipe2(in, O_CLOEXEC) < 0)
        return bw_error_errno(err, "%s `%s`: pipe", field, hk->path);
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return bw_error_errno(err, "%s `%s`: pipe", field, hk->path);
    }
    if (pipe2(ep, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        return bw_error_errno(err, "%s `%s`: pipe", field, hk->path);
    }
    int64_t start = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        close(in[1]);
        close(out[0]);
        close(ep[0]);
        hook_exec(hk, in[0], out[1], ep[1]);
    }
    int fork_errno = errno;
    close(in[0]);
    close(out[1]);
    close(ep[1]);
    cleanup_close int win = in[1];
    cleanup_close int rout = out[0];
    cleanup_close int rerr = ep[0];
    if (pid < 0)
        return bw_error_set(err, fork_errno, "%s `%s`: fork", field, hk->path);

    /* EOF: the exec happened; an int: why it did not. */
    int exec_errno = 0;
    ssize_t n;
    do
        n = read(rerr, &exec_errno, sizeof(exec_errno));
    while (n < 0 && errno == EINTR);
    if (n == sizeof(exec_errno)) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        return bw_error_set(err, exec_errno, "%s: execute `%s`", field, hk->path);
    }

    cleanup_close int pidfd = bw_pidfd_open(pid);
    int64_t deadline = hk->timeout_present ? start + (int64_t)hk->timeout * 1000 : -1;
    char buf[OUTPUT_MAX + 1];
    size_t used = 0;
    bool timed_out = false;
    /* A hook that exits without reading stdin must not kill us with SIGPIPE. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    int status = supervise(pid, pidfd, &win, rout, state, deadline, buf, &used, &timed_out);
    sigaction(SIGPIPE, &old, NULL);
    char suffix[OUTPUT_MAX + 16];
    output_suffix(buf, used, suffix, sizeof(suffix));
    if (timed_out)
        return bw_error_set(err, ETIMEDOUT, "%s `%s`: killed after its timeout of %d s%s", field,
                            hk->path, hk->timeout, suffix);
    if (WIFSIGNALED(status))
        return bw_error_set(err, 0, "%s `%s`: killed by signal %d%s", field, hk->path,
                            WTERMSIG(status), suffix);
    if (WEXITSTATUS(status) != 0)
        return bw_error_set(err, 0, "%s `%s`: exited with status %d%s", field, hk->path,
                            WEXITSTATUS(status), suffix);
    if (suffix[0] != '\0')
        bw_debug("%s `%s`%s", field, hk->path, suffix);
    return 0;
}

static void field_name(enum oci_hook_kind kind, size_t i, char *buf, size_t len)
{
    snprintf(buf, len, "hooks.%s[%zu]", oci_hook_kind_name(kind), i);
}

int bw_hooks_run(const struct oci_config *c, enum oci_hook_kind kind, const char *state,
                 bw_err_t *err)
{
    size_t n = 0;
    const struct oci_hook *h = oci_hooks_get(c->hooks, kind, &n);
    for (size_t i = 0; i < n; i++) {
        char field[64];
        field_name(kind, i, field, sizeof(field));
        bw_debug("run %s `%s`", field, h[i].path);
        if (run_one(&h[i], field, state, err) < 0)
            return -1;
    }
    return 0;
}

void bw_hooks_run_warn(const struct oci_config *c, enum oci_hook_kind kind, const char *state)
{
    size_t n = 0;
    const struct oci_hook *h = oci_hooks_get(c->hooks, kind, &n);
    for (size_t i = 0; i < n; i++) {
        char field[64];
        field_name(kind, i, field, sizeof(field));
        bw_debug("run %s `%s`", field, h[i].path);
        bw_err_t e = NULL;
        if (run_one(&h[i], field, state, &e) < 0) {
            cleanup_free char *text = bw_error_text(e);
            bw_warn("%s", text);
            bw_error_free(&e);
        }
    }
}
