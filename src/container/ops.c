/* burrow: kill, delete, state and list. */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/container.h"
#include "container/exec.h"
#include "container/hooks.h"
#include "container/state.h"
#include "linux/proc.h"
#include "util/cleanup.h"
#include "util/log.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static const struct {
    const char *name;
    int signo;
} signal_names[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int bw_signal_parse(const char *s)
{
    if (s == NULL || *s == '\0')
        return -1;
    if (isdigit((unsigned char)s[0])) {
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0 || *end != '\0' || v < 1 || v > SIGRTMAX)
            return -1;
        return (int)v;
    }
    char up[32];
    size_t n = strlen(s);
    if (n >= sizeof(up))
        return -1;
    for (size_t i = 0; i <= n; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    const char *name = strncmp(up, "SIG", 3) == 0 ? up + 3 : up;
    for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++) {
        if (strcmp(name, signal_names[i].name) == 0)
            return signal_names[i].signo;
    }
    /* RTMIN+N, RTMAX-N */
    if (strncmp(name, "RTMIN", 5) == 0 || strncmp(name, "RTMAX", 5) == 0) {
        bool min = name[4] == 'N';
        int base = min ? SIGRTMIN : SIGRTMAX;
        if (name[5] == '\0')
            return base;
        char *end = NULL;
        long off = strtol(name + 6, &end, 10);
        if ((name[5] != (min ? '+' : '-')) || *end != '\0' || off < 0 || off > SIGRTMAX - SIGRTMIN)
            return -1;
        return min ? base + (int)off : base - (int)off;
    }
    return -1;
}

/* Open the container, read its state; *s is zeroed when state.json is absent. */
static int open_container(const struct bw_ctx *ctx, const char *id, bool lock, struct bw_cdir *d,
                          struct bw_state *s, bool *have_state, bw_err_t *err)
{
    if (bw_id_check(id, err) < 0)
        return -1;
    cleanup_free char *root = bw_state_root(ctx->root_opt, false, err);
    if (root == NULL)
        return -1;
    if (bw_cdir_open(root, id, lock, d, err) < 0)
        return -1;
    int r = bw_cdir_read_state(d, s, err);
    if (r < 0)
        return -1;
    *have_state = r == 0;
    return 0;
}

/* Open the container's init as a pidfd (-1 without pidfd support), checked
 * against the recorded start time, so a recycled pid never gets a signal. */
static int open_init(const struct bw_state *s, int *pidfd, bw_err_t *err)
{
    *pidfd = bw_pidfd_open(s->pid);
    if (*pidfd < 0 && errno != ENOSYS)
        return bw_error_errno(err, "open process %d", (int)s->pid);
    if (!bw_proc_alive(s->pid, s->pid_start)) {
        if (*pidfd >= 0)
            close(*pidfd);
        *pidfd = -1;
        return bw_error_set(err, ESRCH, "the container's process %d has exited", (int)s->pid);
    }
    return 0;
}

static int send_init(const struct bw_state *s, int pidfd, int signo, bw_err_t *err)
{
    int r = pidfd >= 0 ? (int)syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0)
                       : kill(s->pid, signo);
    if (r < 0)
        return bw_error_errno(err, "send signal %d to process %d", signo, (int)s->pid);
    return 0;
}

static int signal_init(const struct bw_state *s, int signo, bw_err_t *err)
{
    cleanup_close int pidfd = -1;
    if (open_init(s, &pidfd, err) < 0)
        return -1;
    return send_init(s, pidfd, signo, err);
}

/* Every process of the container, as `ps` finds them (its mount namespace,
 * and its pid namespace when it has one), so a process `exec` started is
 * reached whether or not the container shares the host's pid namespace. */
static int signal_all(struct bw_cdir *d, const struct bw_state *s, int signo, bw_err_t *err)
{
    /* With a cgroup, its processes are exactly the container's. */
    struct bw_cgroup cg;
    int cr = bw_cgroup_load(&cg, d->fd, err);
    if (cr == 0 && cg.fd >= 0) {
        cr = bw_cgroup_signal(&cg, signo, err);
        bw_cgroup_free(&cg);
        return cr;
    }
    bw_cgroup_free(&cg);
    if (cr < 0)
        return -1;
    /* The init is opened before the others get the signal: their exit may
     * well end it (a shell waiting for them) before its own turn comes. */
    cleanup_close int pidfd = -1;
    if (open_init(s, &pidfd, err) < 0)
        return -1;
    cleanup_free pid_t *pids = NULL;
    size_t n = 0;
    bw_err_t e = NULL;
    if (bw_container_pids(s, &pids, &n, &e) < 0) {
        /* Exited since open_init: the init's signal below says so. */
        if (e->code != ESRCH) {
            *err = e;
            return -1;
        }
        bw_error_free(&e);
    }
    for (size_t i = 0; i < n; i++) {
        if (pids[i] != s->pid)
            kill(pids[i], signo);
    }
    /* The init last: SIGKILL to it ends the namespace.  If it has exited
     * meanwhile, the signal reached all there was. */
    if (send_init(s, pidfd, signo, &e) < 0) {
        if (e->code != ESRCH || pidfd < 0) {
            *err = e;
            return -1;
        }
        bw_error_free(&e);
    }
    return 0;
}

int bw_container_kill(const struct bw_ctx *ctx, const char *id, int signo, bool all, bw_err_t *err)
{
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    struct bw_state s = {0};
    bool have = false;
    if (open_container(ctx, id, true, &d, &s, &have, err) < 0)
        return bw_error_prefix(err, "kill");
    int r = 0;
    {
        enum bw_status st = bw_cdir_status(&d, have ? &s : NULL);
        if (st != BW_STATUS_CREATED && st != BW_STATUS_RUNNING && st != BW_STATUS_PAUSED)
            r = bw_error_set(err, 0,
                             "it is %s: only a created or running container can be "
                             "signalled",
                             bw_status_name(st));
        else if (all)
            r = signal_all(&d, &s, signo, err);
        else
            r = signal_init(&s, signo, err);
    }
    bw_state_free_fields(&s);
    if (r < 0)
        return bw_error_prefix(err, "kill container `%s`", id);
    return 0;
}

/* Wait until the process is gone (for at most `ms`). */
static bool wait_gone(const struct bw_state *s, int ms)
{
    cleanup_close int pidfd = bw_pidfd_open(s->pid);
    if (pidfd >= 0) {
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        while (poll(&p, 1, ms) < 0 && errno == EINTR)
            ;
        return !bw_proc_alive(s->pid, s->pid_start);
    }
    for (int waited = 0; waited < ms; waited += 10) {
        if (!bw_proc_alive(s->pid, s->pid_start))
            return true;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return !bw_proc_alive(s->pid, s->pid_start);
}

/* No state directory for a valid `id`: the container does not exist. */
static bool container_missing(const struct bw_ctx *ctx, const char *id)
{
    bw_err_t e = NULL;
    if (bw_id_check(id, &e) < 0) {
        bw_error_free(&e);
        return false;
    }
    cleanup_free char *root = bw_state_root(ctx->root_opt, false, &e);
    if (root == NULL) {
        bw_error_free(&e);
        return false;
    }
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/%s", root, id) < 0)
        return false;
    struct stat st;
    return lstat(path, &st) < 0 && errno == ENOENT;
}

int bw_container_delete(const struct bw_ctx *ctx, const char *id, bool force, bw_err_t *err)
{
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    struct bw_state s = {0};
    bool have = false;
    /* As runc and crun: `delete --force` makes sure the container is gone,
     * and gone already is success.  Engines rely on it: Podman runs it after
     * a create that failed, and logs an error when it fails. */
    if (force && container_missing(ctx, id)) {
        bw_debug("delete --force: container `%s` does not exist", id);
        return 0;
    }
    if (open_container(ctx, id, true, &d, &s, &have, err) < 0)
        return bw_error_prefix(err, "delete");
    int r = 0;
    {
        enum bw_status st = bw_cdir_status(&d, have ? &s : NULL);
        if ((st == BW_STATUS_RUNNING || st == BW_STATUS_PAUSED) && !force) {
            r = bw_error_set(err, 0, "it is %s: stop it first, or use `delete --force`",
                             bw_status_name(st));
        } else if (st == BW_STATUS_CREATED || st == BW_STATUS_RUNNING || st == BW_STATUS_PAUSED) {
            /* A created container never ran anything: deleting it is not
             * destructive, as runc does.  SIGKILL to the init of a pid
             * namespace ends every process in it. */
            r = signal_all(&d, &s, SIGKILL, err);
            if (r == 0 && !wait_gone(&s, 10000))
                r = bw_error_set(err, ETIMEDOUT, "process %d did not exit after SIGKILL",
                                 (int)s.pid);
        }
    }
    /* Read before the directory goes; a container whose create died early
     * may have no config, and no hooks to run then. */
    struct oci_config *config = NULL;
    if (r == 0) {
        bw_err_t e = NULL;
        config = bw_cdir_read_config(&d, &e);
        if (config == NULL) {
            bw_debug("delete `%s`: no poststop hooks: %s", id, e->msg);
            bw_error_free(&e);
        }
        /* The cgroup goes first: the record of it is in the directory. */
        r = bw_cgroup_destroy_recorded(d.fd, err);
        if (r == 0)
            r = bw_cdir_remove(&d, err);
    }
    if (r == 0 && config != NULL && bw_hooks_has(config, OCI_HOOK_POSTSTOP)) {
        bw_err_t e = NULL;
        cleanup_free char *state =
            bw_hooks_state(config, id, have ? s.bundle : "", 0, "stopped", &e);
        if (state != NULL)
            bw_hooks_run_warn(config, OCI_HOOK_POSTSTOP, state);
        else
            bw_warn("hooks.poststop: %s", e->msg);
        bw_error_free(&e);
    }
    oci_config_free(config);
    bw_state_free_fields(&s);
    if (r < 0)
        return bw_error_prefix(err, "delete container `%s`", id);
    return 0;
}

int bw_container_state(const struct bw_ctx *ctx, const char *id, FILE *out, bw_err_t *err)
{
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    struct bw_state s = {0};
    bool have = false;
    if (open_container(ctx, id, false, &d, &s, &have, err) < 0)
        return bw_error_prefix(err, "state");
    int r = 0;
    {
        enum bw_status st = bw_cdir_status(&d, have ? &s : NULL);
        if (!have) {
            s.id = strdup(id);
            s.bundle = strdup("");
        }
        if (st == BW_STATUS_STOPPED)
            s.pid = 0;
        cleanup_free char *json = bw_state_to_oci_json(&s, bw_status_name(st), true, err);
        if (json == NULL)
            r = -1;
        else
            fprintf(out, "%s\n", json);
    }
    bw_state_free_fields(&s);
    if (r < 0)
        return bw_error_prefix(err, "state of container `%s`", id);
    return 0;
}

static const char *owner_name(uid_t uid, char *buf, size_t len)
{
    struct passwd pw, *res = NULL;
    char tmp[1024];
    if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
        snprintf(buf, len, "%s", res->pw_name);
    else
        snprintf(buf, len, "%u", (unsigned)uid);
    return buf;
}

int bw_container_list(const struct bw_ctx *ctx, enum bw_list_format fmt, FILE *out, bw_err_t *err)
{
    cleanup_free char *root = bw_state_root(ctx->root_opt, false, err);
    if (root == NULL)
        return -1;
    cleanup_strv char **ids = bw_state_list_ids(root, err);
    if (ids == NULL)
        return -1;
    if (fmt == BW_LIST_TABLE)
        fprintf(out, "%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE",
                "CREATED", "OWNER");
    if (fmt == BW_LIST_JSON)
        fputc('[', out);
    bool first = true;
    for (char **id = ids; *id != NULL; id++) {
        cleanup_cdir struct bw_cdir d = {.fd = -1};
        struct bw_state s = {0};
        bw_err_t e = NULL;
        if (bw_cdir_open(root, *id, false, &d, &e) < 0) {
            bw_error_free(&e);
            continue; /* deleted meanwhile */
        }
        int r = bw_cdir_read_state(&d, &s, &e);
        bw_error_free(&e);
        enum bw_status st = bw_cdir_status(&d, r == 0 ? &s : NULL);
        if (r != 0) {
            s.id = strdup(*id);
            s.bundle = strdup("");
        }
        if (st == BW_STATUS_STOPPED)
            s.pid = 0;
        char who[64];
        if (fmt == BW_LIST_QUIET) {
            fprintf(out, "%s\n", *id);
        } else if (fmt == BW_LIST_TABLE) {
            fprintf(out, "%-20s %-8d %-10s %-40s %-31s %s\n", *id, (int)s.pid, bw_status_name(st),
                    s.bundle, s.created ? s.created : "",
                    r == 0 ? owner_name(s.owner, who, sizeof(who)) : "");
        } else {
            cleanup_free char *json = bw_state_to_oci_json(&s, bw_status_name(st), false, &e);
            bw_error_free(&e);
            if (json != NULL) {
                fprintf(out, "%s%s", first ? "" : ",", json);
                first = false;
            }
        }
        bw_state_free_fields(&s);
    }
    if (fmt == BW_LIST_JSON)
        fputs("]\n", out);
    return 0;
}
