/* burrow exec: run one more process in a running container.
 *
 *  parent (burrow exec)
 *   E1 check      the container is running; its config.json copy gives the
 *                 process, changed by the flags (exec-process.c); capability
 *                 names resolved, the seccomp filter compiled, process.user
 *                 checked against the init's id maps and setgroups, all
 *                 before any process exists
 *   E2 open       the init's namespaces (/proc/PID/ns/X, only those that
 *                 differ from ours) and root, then check that PID is still
 *                 the init by its start time: the fds are the container's
 *                 even if the pid is recycled afterwards
 *  child (C1)
 *   E3 join       the user namespace first (it gives the rights over the
 *                 others), become its root as the init did, then ipc, uts,
 *                 net, pid, cgroup, time, and mount last; then the
 *                 container's session keyring, not the caller's
 *   E4 root       setns(mnt) leaves us at the namespace's root; chroot into
 *                 the init's own root (fchdir to /proc/PID/root) to be
 *                 exactly where the init is, whatever no-pivot did
 *   E5 fork       setns(pid) and setns(time) apply only to children; the
 *                 grandchild (C2) is in them.  C1 reports C2's pid, exits
 *  grandchild (C2)
 *   E6 exec       with --tty, a new pty of the container's devpts as its
 *                 terminal, the master sent to burrow (which relays it or
 *                 hands it to --console-socket); then bw_process_check
 *                 (executable, cwd) and bw_process_exec, the init's code
 *                 path: rlimits, process attributes, ids, capabilities,
 *                 no_new_privs, seccomp, fds, exec
 *
 * C1 reports errors over the sync socket; C2 writes its error to a pipe
 * whose O_CLOEXEC end an exec closes: EOF with nothing read is success, as
 * with the exec fifo of `start`.
 *
 * A container that is only `created` is refused: its init is still
 * burrow's own code waiting for `start` (not dumpable, holding the
 * runtime's state), and runc's "exec before start" runs a process before
 * the container's own, which nothing needs.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/exec-internal.h"
#include "container/state.h"
#include "linux/idmap.h"
#include "linux/listenfds.h"
#include "linux/process.h"
#include "linux/seccomp-filter.h"
#include "linux/terminal.h"
#include "linux/proc.h"
#include "linux/sync.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* The namespaces to join, in order: user first, mount last (after it,
 * paths are the container's). */
static const struct {
    const char *proc; /* the name under /proc/PID/ns */
    int flag;
} ns_order[] = {
    {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
    {"time", CLONE_NEWTIME}, {"mnt", CLONE_NEWNS},
};
#define NS_N (sizeof(ns_order) / sizeof(ns_order[0]))

/* The container's init, as exec joins it. */
struct target {
    pid_t pid;
    int ns_fd[NS_N];  /* -1: the same namespace as ours, nothing to join */
    int rootfd;       /* /proc/PID/root */
    int cgroup_procs; /* the container's cgroup.procs (O_WRONLY), or -1 */
    bool setgroups_allowed;
};

static void target_close(struct target *t)
{
    for (size_t i = 0; i < NS_N; i++) {
        if (t->ns_fd[i] >= 0)
            close(t->ns_fd[i]);
        t->ns_fd[i] = -1;
    }
    if (t->rootfd >= 0)
        close(t->rootfd);
    t->rootfd = -1;
    if (t->cgroup_procs >= 0)
        close(t->cgroup_procs);
    t->cgroup_procs = -1;
}

/* ------------------------------------------------------------------------
 * E1 check
 */

/* Parse /proc/PID/{uid,gid}_map into mappings. */
static int read_id_map(pid_t pid, const char *which, struct oci_id_mapping **m, size_t *n,
                       bw_err_t *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
    cleanup_free char *text = bw_read_file(path, 1 << 16, NULL, err);
    if (text == NULL)
        return -1;
    *m = NULL;
    *n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned long in, outside, count;
        if (sscanf(line, "%lu %lu %lu", &in, &outside, &count) != 3)
            continue;
        struct oci_id_mapping *nm = realloc(*m, (*n + 1) * sizeof(**m));
        if (nm == NULL) {
            free(*m);
            *m = NULL;
            return bw_error_set(err, ENOMEM, "read `%s`", path);
        }
        *m = nm;
        (*m)[(*n)++] = (struct oci_id_mapping){(uint32_t)in, (uint32_t)outside, (uint32_t)count};
    }
    return 0;
}

/* process.user's ids must be mapped in the container's user namespace; the
 * error is clearer here than a bare EINVAL from setresuid in the child. */
static int check_user(const struct oci_process *p, pid_t pid, bool setgroups_allowed, bw_err_t *err)
{
    if (bw_process_check_groups(p, setgroups_allowed, err) < 0)
        return -1;
    const struct oci_user *u = p->user;
    if (u == NULL)
        return 0;
    cleanup_free struct oci_id_mapping *um = NULL, *gm = NULL;
    size_t un = 0, gn = 0;
    if (read_id_map(pid, "uid_map", &um, &un, err) < 0 ||
        read_id_map(pid, "gid_map", &gm, &gn, err) < 0)
        return -1;
    if (bw_idmap_to_host(um, un, u->uid) < 0)
        return bw_error_set(err, EINVAL,
                            "process.user.uid %u is not mapped in the container's user namespace",
                            (unsigned)u->uid);
    if (bw_idmap_to_host(gm, gn, u->gid) < 0)
        return bw_error_set(err, EINVAL,
                            "process.user.gid %u is not mapped in the container's user namespace",
                            (unsigned)u->gid);
    for (size_t i = 0; i < u->additional_gids_len; i++) {
        if (bw_idmap_to_host(gm, gn, u->additional_gids[i]) < 0)
            return bw_error_set(err, EINVAL,
                                "process.user.additionalGids[%zu]: gid %u is not mapped in the "
                                "container's user namespace",
                                i, (unsigned)u->additional_gids[i]);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * E2 open
 */

static int open_target(const struct bw_state *s, struct target *t, bw_err_t *err)
{
    char path[64];
    t->pid = s->pid;
    for (size_t i = 0; i < NS_N; i++) {
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)s->pid, ns_order[i].proc);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && ns_order[i].flag == CLONE_NEWTIME)
            continue; /* a kernel without time namespaces */
        if (fd < 0)
            return bw_error_errno(err, "open `%s`", path);
        struct stat theirs, ours;
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_order[i].proc);
        if (fstat(fd, &theirs) == 0 && stat(path, &ours) == 0 && theirs.st_dev == ours.st_dev &&
            theirs.st_ino == ours.st_ino) {
            close(fd); /* ours already: setns would fail (user) or do nothing */
            continue;
        }
        t->ns_fd[i] = fd;
    }
    snprintf(path, sizeof(path), "/proc/%d/root", (int)s->pid);
    t->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (t->rootfd < 0)
        return bw_error_errno(err, "open `%s`", path);
    t->setgroups_allowed = !bw_proc_setgroups_denied(s->pid);
    /* Only now: the fds above are the init's if it is still the process
     * that started at pid_start. */
    if (!bw_proc_alive(s->pid, s->pid_start))
        return bw_error_set(err, ESRCH, "the container's process %d has exited", (int)s->pid);
    return 0;
}

/* ------------------------------------------------------------------------
 * The children
 */

struct exec_child {
    const char *id;
    struct target *t;
    struct bw_process_plan *plan;
    int lock_fd;
    int sync_fd;   /* C1 -> parent */
    int result_fd; /* C2 -> parent (write end of the pipe) */
    int tty_fd;    /* process.terminal: C2 sends the pty master here, or -1 */
};

/* Not the caller's session keyring: the container's, by its name, as the
 * init joined it (launch.c's child_keyring); where the init's cannot be
 * searched by us, a new one of that name. */
static int join_keyring(const char *id, bw_err_t *err)
{
    char name[1100];
    snprintf(name, sizeof(name), "_ses.%s", id);
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) >= 0 || errno == ENOSYS)
        return 0;
    return bw_error_errno(err, "join the container's session keyring `%s`", name);
}

/* E3, E4 in C1 */
static int child_join(struct exec_child *c, bw_err_t *err)
{
    struct target *t = c->t;
    /* The container's cgroup first, so that C2 is born in it (its limits,
     * freezer and kill reach it); the fd was opened by burrow, whose
     * credentials the kernel checks. */
    if (t->cgroup_procs >= 0 && write(t->cgroup_procs, "0", 1) < 0)
        return bw_error_errno(err, "join the container's cgroup");
    for (size_t i = 0; i < NS_N; i++) {
        if (t->ns_fd[i] < 0)
            continue;
        if (setns(t->ns_fd[i], ns_order[i].flag) < 0)
            return bw_error_errno(err, "join the container's %s namespace", ns_order[i].proc);
        close(t->ns_fd[i]);
        t->ns_fd[i] = -1;
        if (ns_order[i].flag == CLONE_NEWUSER) {
            /* As the init after its join: root of the user namespace, so
             * that bw_process_exec starts from where the init's did. */
            if (t->setgroups_allowed && setgroups(0, NULL) < 0 && errno != EPERM)
                return bw_error_errno(err, "drop supplementary groups");
            if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return bw_error_errno(err, "become root in the container's user namespace");
        }
    }
    if (join_keyring(c->id, err) < 0)
        return -1;
    if (fchdir(t->rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return bw_error_errno(err, "enter the container's root");
    close(t->rootfd);
    t->rootfd = -1;
    return 0;
}

/* process.terminal: a new pty of the container's devpts (at its /dev/pts,
 * we are in its root by now) becomes our controlling terminal and stdio;
 * the master goes to burrow, which relays it or hands it to the console
 * socket.  C2 is no process group leader, as setsid needs. */
static int child_terminal(struct exec_child *c, bw_err_t *err)
{
    const struct oci_process *p = c->plan->p;
    cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return bw_error_errno(err, "open the container's root");
    int master = -1, slave = -1;
    if (bw_terminal_open(rootfd, &master, &slave, err) < 0)
        return -1;
    uid_t uid = p->user ? p->user->uid : 0;
    int r = bw_terminal_set_size(master, p->console_size, err);
    if (r == 0 && uid != 0 && fchown(slave, uid, (gid_t)-1) < 0)
        r = bw_error_errno(err, "give the pty to process.user.uid %u", (unsigned)uid);
    if (r == 0)
        r = bw_terminal_setup_slave(slave, err);
    else
        close(slave);
    if (r == 0)
        r = bw_sync_send_fd(c->tty_fd, BW_SYNC_CONSOLE, master, err);
    close(master);
    close(c->tty_fd);
    return r;
}

static __attribute__((noreturn)) void child_exec(struct exec_child *c)
{
    bw_err_t err = NULL;
    if (c->tty_fd >= 0 && child_terminal(c, &err) < 0) {
        char *text = bw_error_text(err);
        if (text != NULL)
            bw_write_all(c->result_fd, text, strlen(text));
        _exit(127);
    }
    if (bw_process_check(c->plan, &err) == 0)
        bw_process_exec(c->plan, c->t->setgroups_allowed, &err);
    char *text = bw_error_text(err);
    if (text != NULL)
        bw_write_all(c->result_fd, text, strlen(text));
    _exit(127);
}

static __attribute__((noreturn)) void child_main(struct exec_child *c)
{
    bw_err_t err = NULL;
    close(c->lock_fd);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* Once in the pid namespace the container sees us: it must not open
     * our /proc/PID/exe (the runtime binary) or read our memory. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (bw_process_early(c->plan, &err) < 0 || child_join(c, &err) < 0) {
        bw_sync_send_error(c->sync_fd, err);
        _exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        bw_error_errno(&err, "fork the process in the container");
        bw_sync_send_error(c->sync_fd, err);
        _exit(1);
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        close(c->sync_fd);
        child_exec(c);
    }
    bw_sync_send(c->sync_fd, BW_SYNC_PID, pid, &err);
    _exit(0);
}

/* ------------------------------------------------------------------------
 * The parent
 */

/* Read C2's report: EOF with nothing is a successful exec. */
static int read_result(int fd, pid_t pid, bw_err_t *err)
{
    char msg[4096];
    size_t used = 0;
    for (;;) {
        ssize_t r = read(fd, msg + used, sizeof(msg) - 1 - used);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        used += (size_t)r;
        if (used == sizeof(msg) - 1)
            break;
    }
    msg[used] = '\0';
    if (used > 0) {
        int status;
        /* Our child by now (we are its subreaper): leave no zombie. */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        return bw_error_set(err, 0, "%s", msg);
    }
    return 0;
}

/* E3-E6: start the process; *pid is its host pid. */
static int spawn(const char *id, struct target *t, struct bw_process_plan *plan, int lock_fd,
                 pid_t *pid, int *master, bw_err_t *err)
{
    int sv[2], res[2];
    int tv[2] = {-1, -1};
    if (plan->p->terminal && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, tv) < 0)
        return bw_error_errno(err, "socketpair");
    cleanup_close int tty_fd = tv[0];
    cleanup_close int tty_child = tv[1];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return bw_error_errno(err, "socketpair");
    if (pipe2(res, O_CLOEXEC) < 0) {
        close(sv[0]);
        close(sv[1]);
        return bw_error_errno(err, "pipe");
    }
    /* process.oomScoreAdj is inherited from the fork on (procattr.h). */
    if (bw_process_before_clone(plan, err) < 0) {
        close(sv[0]), close(sv[1]), close(res[0]), close(res[1]);
        return -1;
    }
    pid_t c1 = fork();
    if (c1 != 0)
        bw_process_after_clone(plan);
    if (c1 < 0) {
        int e = errno;
        close(sv[0]), close(sv[1]), close(res[0]), close(res[1]);
        return bw_error_set(err, e, "fork");
    }
    if (c1 == 0) {
        close(sv[0]);
        close(res[0]);
        struct exec_child c = {.id = id,
                               .t = t,
                               .plan = plan,
                               .lock_fd = lock_fd,
                               .sync_fd = sv[1],
                               .result_fd = res[1],
                               .tty_fd = tty_child};
        child_main(&c);
    }
    close(sv[1]);
    close(res[1]);
    if (tty_child >= 0)
        close(steal_fd(&tty_child));
    cleanup_close int sync_fd = sv[0];
    cleanup_close int result_fd = res[0];
    int64_t v = 0;
    int r = bw_sync_expect(sync_fd, BW_SYNC_PID, &v, "the exec process", err);
    int status;
    while (waitpid(c1, &status, 0) < 0 && errno == EINTR)
        ;
    if (r < 0)
        return -1;
    *pid = (pid_t)v;
    if (read_result(result_fd, *pid, err) < 0)
        return -1;
    /* Sent before the exec, queued since. */
    if (tty_fd >= 0 &&
        bw_sync_recv_fd(tty_fd, BW_SYNC_CONSOLE, master, "the exec process", err) < 0)
        return -1;
    return 0;
}

static int write_pid_file(const char *path, pid_t pid, bw_err_t *err)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
    if (bw_write_file_atomic_at(AT_FDCWD, path, buf, (size_t)n, 0644, err) < 0)
        return bw_error_prefix(err, "write --pid-file");
    return 0;
}

/* The container's seccomp filter, compiled here in the parent as create
 * does (for the exec'd process's own noNewPrivileges, which decides when
 * bw_process_exec loads it).  A filter with SCMP_ACT_NOTIFY rules is loaded
 * before `created` and its listener handed to linux.seccomp.listenerPath:
 * exec has no such step yet, and running the process without the filter
 * would make exec a way out of the container's confinement. */
static int prepare_seccomp(const struct oci_config *c, const struct oci_process *p,
                           const char *root, struct bw_process_plan *plan, bw_err_t *err)
{
    if (bw_seccomp_prepare(c->linux ? c->linux->seccomp : NULL, p->no_new_privileges, root,
                           &plan->seccomp, err) < 0)
        return -1;
    if (plan->seccomp != NULL && plan->seccomp->stage == BW_SECCOMP_BEFORE_CREATED)
        return bw_error_set(err, ENOTSUP,
                            "config.json: linux.seccomp: a filter with SCMP_ACT_NOTIFY rules "
                            "cannot be given to an exec'd process yet: refusing to run it "
                            "without the filter");
    return 0;
}

static int check_running(struct bw_cdir *d, struct bw_state *s, bw_err_t *err)
{
    int r = bw_cdir_read_state(d, s, err);
    if (r < 0)
        return -1;
    if (r == 1)
        return bw_error_set(err, 0, "it is still being created");
    enum bw_status st = bw_cdir_status(d, s);
    if (st == BW_STATUS_CREATED)
        return bw_error_set(err, 0,
                            "it is created, not running: `burrow start` it first (exec runs "
                            "only beside a started process)");
    if (st != BW_STATUS_RUNNING)
        return bw_error_set(err, 0, "it is %s: only a running container can exec a process",
                            bw_status_name(st));
    return 0;
}

/* E1, E2, spawn; on success the process runs and *pid is set. */
static int do_exec(const struct bw_ctx *ctx, const struct bw_exec_opts *o, struct bw_cdir *d,
                   pid_t *pid, int *master, bw_err_t *err)
{
    /* What the command line alone gets wrong, before the container. */
    /* fds 3 .. 3+N-1 must be the caller's: then none of the fds burrow
     * opens can take one of those numbers and leak into the container. */
    char what[32];
    snprintf(what, sizeof(what), "--preserve-fds %d", o->preserve_fds);
    if (bw_passed_fds_check(3, o->preserve_fds, what, err) < 0)
        return bw_error_prefix(err, "exec");
    for (size_t i = 0; i < o->caps_len; i++) {
        if (bw_exec_check_cap_name(o->caps[i], err) < 0)
            return bw_error_prefix(err, "exec");
    }
    if (bw_id_check(o->id, err) < 0)
        return bw_error_prefix(err, "exec");
    cleanup_free char *root = bw_state_root(ctx->root_opt, false, err);
    if (root == NULL || bw_cdir_open(root, o->id, true, d, err) < 0)
        return bw_error_prefix(err, "exec");

    struct bw_state s = {0};
    struct oci_config *config = NULL;
    struct oci_process *p = NULL;
    struct bw_process_plan plan = {0};
    struct target t = {.rootfd = -1, .cgroup_procs = -1};
    for (size_t i = 0; i < NS_N; i++)
        t.ns_fd[i] = -1;
    cleanup_close int console_sock = -1;
    int rc = -1;
    if (check_running(d, &s, err) < 0 || (config = bw_cdir_read_config(d, err)) == NULL ||
        bw_exec_build_process(config, o, &p, err) < 0 ||
        bw_process_prepare(p, config->linux, &plan, err) < 0 ||
        prepare_seccomp(config, p, root, &plan, err) < 0 ||
        bw_terminal_check_opts(p->terminal, o->console_socket, o->detach ? "exec --detach" : NULL,
                               err) < 0 ||
        open_target(&s, &t, err) < 0 || check_user(p, s.pid, t.setgroups_allowed, err) < 0 ||
        bw_cgroup_open_procs(d->fd, &t.cgroup_procs, err) < 0)
        goto out;
    plan.preserve_fds = o->preserve_fds;
    /* Connected before the process exists: a wrong path undoes nothing. */
    if (o->console_socket != NULL &&
        (console_sock = bw_terminal_connect(o->console_socket, err)) < 0)
        goto out;
    if (spawn(o->id, &t, &plan, d->fd, pid, master, err) < 0)
        goto out;
    if (console_sock >= 0) {
        int r = bw_terminal_send_master(console_sock, *master, err);
        close(steal_fd(master));
        if (r < 0) {
            kill(*pid, SIGKILL);
            goto out;
        }
    }
    rc = 0;
out:
    if (rc < 0)
        bw_error_prefix(err, "exec in container `%s`", o->id);
    target_close(&t);
    bw_process_plan_free(&plan);
    oci_process_free(p);
    oci_config_free(config);
    bw_state_free_fields(&s);
    return rc;
}

int bw_container_exec(const struct bw_ctx *ctx, const struct bw_exec_opts *o, bw_err_t *err)
{
    sigset_t set, old;
    sigemptyset(&set);
    if (!o->detach) {
        /* As `run`: signals wait until the process runs, then go to it;
         * bw_process_exec clears the mask before exec. */
        bw_foreground_sigset(&set);
        sigprocmask(SIG_BLOCK, &set, &old);
    }
    /* The process is our grandchild: as subreaper we reap it (and, on an
     * error, collect it). */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    pid_t pid = 0;
    cleanup_close int master = -1; /* the pty, when this exec relays it */
    int rc = do_exec(ctx, o, &d, &pid, &master, err);
    if (rc == 0 && o->pid_file != NULL && write_pid_file(o->pid_file, pid, err) < 0) {
        kill(pid, SIGKILL);
        rc = bw_error_prefix(err, "exec in container `%s`", o->id);
    }
    /* Others may `kill`, `exec` or `delete` meanwhile. */
    bw_cdir_close(&d);
    if (rc == 0 && !o->detach &&
        (rc = master >= 0 ? bw_terminal_relay(master, pid, &set, err)
                          : bw_wait_foreground(pid, &set, err)) < 0)
        bw_error_prefix(err, "exec in container `%s`", o->id);
    if (!o->detach)
        sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}
