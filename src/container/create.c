/* burrow: create, start and run. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/container.h"
#include "container/exec.h"
#include "container/hooks.h"
#include "container/state.h"
#include "container/support.h"
#include "linux/launch.h"
#include "linux/listenfds.h"
#include "linux/proc.h"
#include "linux/terminal.h"
#include "rootfs/rootfs.h"
#include "spec/config.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* A config.json larger than this is not a config. */
#define CONFIG_MAX (16u << 20)

/* Everything `create` learns before it touches the system. */
struct bundle {
    char *path;   /* absolute */
    char *rootfs; /* absolute */
    char *raw;    /* config.json as read, kept verbatim in the state directory */
    size_t raw_len;
    struct oci_config *config;
};

static void bundle_free(struct bundle *b)
{
    free(b->path);
    free(b->rootfs);
    free(b->raw);
    oci_config_free(b->config);
    memset(b, 0, sizeof(*b));
}

static int load_bundle(const char *dir, struct bundle *b, bw_err_t *err)
{
    if (dir == NULL || dir[0] == '\0')
        dir = ".";
    b->path = realpath(dir, NULL);
    if (b->path == NULL)
        return bw_error_errno(err, "bundle `%s`", dir);
    cleanup_close int fd = open(b->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "bundle `%s`", b->path);
    bw_err_t e = NULL;
    b->raw = bw_read_file_at(fd, "config.json", CONFIG_MAX, &b->raw_len, &e);
    if (b->raw == NULL) {
        if (e->code == 0) {
            /* No errno to show ("not a regular file"): keep the reason. */
            *err = e;
            return bw_error_prefix(err, "bundle `%s`", b->path);
        }
        int code = e->code;
        bw_error_free(&e);
        return bw_error_set(err, code, "read `%s/config.json`", b->path);
    }
    b->config = oci_config_parse(b->raw, b->raw_len, "config.json", err);
    if (b->config == NULL || oci_config_validate_for_create(b->config, "config.json", err) < 0 ||
        bw_config_check_supported(b->config, err) < 0)
        return -1;

    const char *root = b->config->root->path;
    cleanup_free char *joined = NULL;
    if (root[0] != '/' && asprintf(&joined, "%s/%s", b->path, root) < 0)
        return bw_error_set(err, ENOMEM, "rootfs");
    const char *rp = joined ? joined : root;
    b->rootfs = realpath(rp, NULL);
    struct stat st;
    if (b->rootfs == NULL || stat(b->rootfs, &st) < 0)
        return bw_error_errno(err, "rootfs `%s` (root.path in `%s/config.json`)", rp, b->path);
    if (!S_ISDIR(st.st_mode))
        return bw_error_set(err, ENOTDIR, "rootfs `%s` (root.path in `%s/config.json`)", rp,
                            b->path);
    return 0;
}

/* The exec fifo: the child opens it for writing and blocks until `start`
 * opens it for reading.  It belongs to the container's root user, who must
 * open it by name from the state directory. */
static int make_exec_fifo(struct bw_cdir *d, const struct bw_launch *l, bw_err_t *err)
{
    if (mkfifoat(d->fd, BW_EXEC_FIFO, 0600) < 0)
        return bw_error_errno(err, "create `%s/%s/%s`", d->root, d->id, BW_EXEC_FIFO);
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (l->new_userns && uid == 0) {
        long long u = bw_idmap_to_host(l->idmap.uid.m, l->idmap.uid.len, 0);
        long long g = bw_idmap_to_host(l->idmap.gid.m, l->idmap.gid.len, 0);
        if (u >= 0)
            uid = (uid_t)u;
        if (g >= 0)
            gid = (gid_t)g;
    }
    if (fchownat(d->fd, BW_EXEC_FIFO, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return bw_error_errno(err, "chown `%s`", BW_EXEC_FIFO);
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

static char **annotations_copy(const struct oci_config *c)
{
    char **a = calloc(2 * c->annotations_len + 1, sizeof(char *));
    if (a == NULL)
        return NULL;
    for (size_t i = 0; i < c->annotations_len; i++) {
        a[2 * i] = strdup(c->annotations[i].key);
        a[2 * i + 1] = strdup(c->annotations[i].value);
    }
    return a;
}

/* poststop: the container is gone; failures are warnings. */
static void run_poststop(const struct oci_config *c, const char *id, const char *bundle)
{
    if (!bw_hooks_has(c, OCI_HOOK_POSTSTOP))
        return;
    bw_err_t e = NULL;
    cleanup_free char *state = bw_hooks_state(c, id, bundle, 0, "stopped", &e);
    if (state == NULL) {
        bw_warn("hooks.poststop: %s", e->msg);
        bw_error_free(&e);
        return;
    }
    bw_hooks_run_warn(c, OCI_HOOK_POSTSTOP, state);
}

/* The container's cgroup (cgroup/cgroup.h), recorded in the state
 * directory for the other commands: made now, or, by the systemd manager,
 * around the container's process (place_cgroup). */
struct cgroup_place {
    struct bw_cgroup *cg;
    struct bw_cgroup_request req;
    int statedir_fd;
};

static int create_cgroup(const struct bw_ctx *ctx, const char *id, const struct oci_config *c,
                         struct bw_cdir *d, struct cgroup_place *p, bw_err_t *err)
{
    const struct oci_linux *lx = c->linux;
    p->req = (struct bw_cgroup_request){
        .id = id,
        .cgroups_path = lx ? lx->cgroups_path : NULL,
        .systemd = ctx->systemd_cgroup,
        .resources = lx ? lx->resources : NULL,
        .strict = bw_cgroup_strict_requested(c),
    };
    p->statedir_fd = d->fd;
    if (bw_cgroup_setup(p->cg, &p->req, err) < 0)
        return -1;
    return bw_cgroup_pending(p->cg) ? 0 : bw_cgroup_save(p->cg, d->fd, err);
}

static int place_cgroup(void *arg, pid_t pid, bw_err_t *err)
{
    struct cgroup_place *p = arg;
    if (bw_cgroup_place(p->cg, &p->req, pid, err) < 0)
        return -1;
    return bw_cgroup_save(p->cg, p->statedir_fd, err);
}

/* create, up to the point where the container waits for `start`.  On
 * success the state directory stays locked in *d.  With process.terminal
 * the pty master goes to --console-socket, or, without one, to *console
 * (a foreground `run` relays it). */
static int do_create(const struct bw_ctx *ctx, const struct bw_create_opts *o, struct bw_cdir *d,
                     struct bw_state *st, int *console, bw_err_t *err)
{
    if (o->id == NULL)
        return bw_error_set(err, 0, "missing container id");
    if (bw_id_check(o->id, err) < 0)
        return bw_error_prefix(err, "%s", o->run ? "run" : "create");
    struct bundle b = {0};
    struct bw_launch l;
    bw_launch_init(&l);
    struct bw_overlay ov;
    bw_overlay_init(&ov);
    struct bw_cgroup cg;
    bw_cgroup_init(&cg);
    struct cgroup_place place = {.cg = &cg};
    cleanup_free char *root = NULL;
    int rc = -1;
    bool dir_made = false, pid_written = false;
    cleanup_close int console_sock = -1;
    struct bw_net net;
    bw_net_init(&net);

    /* Everything that can be checked is checked before anything is made. */
    if (load_bundle(o->bundle, &b, err) < 0)
        goto out;
    l.config = b.config;
    l.id = o->id;
    l.bundle = b.path;
    l.rootfs = b.rootfs;
    l.no_pivot = o->no_pivot;
    l.no_new_keyring = o->no_new_keyring;
    l.terminal = b.config->process->terminal;
    const char *detached = !o->run ? "create" : o->detach ? "run --detach" : NULL;
    if (bw_terminal_check_opts(l.terminal, o->console_socket, detached, err) < 0)
        goto out;
    /* Sockets of systemd socket activation come first, then --preserve-fds. */
    int listen_fds = bw_listen_fds();
    char what[32];
    snprintf(what, sizeof(what), "LISTEN_FDS=%d", listen_fds);
    if (listen_fds > 0 && (bw_passed_fds_check(3, listen_fds, what, err) < 0 ||
                           bw_listen_fds_env(b.config->process, listen_fds, err) < 0))
        goto out;
    snprintf(what, sizeof(what), "--preserve-fds %d", o->preserve_fds);
    if (bw_passed_fds_check(3 + listen_fds, o->preserve_fds, what, err) < 0)
        goto out;
    l.preserve_fds = listen_fds + o->preserve_fds;
    root = bw_state_root(ctx->root_opt, true, err);
    if (root == NULL || bw_net_prepare(&net, b.config, &o->net, root, o->id, err) < 0)
        goto out;
    /* Compiled seccomp filters are cached there. */
    l.state_root = root;
    l.net = &net;
    if (bw_launch_prepare(&l, err) < 0)
        goto out;
    if (o->console_socket != NULL) {
        console_sock = bw_terminal_connect(o->console_socket, err);
        if (console_sock < 0)
            goto out;
        l.console_sock = console_sock;
    }
    if (bw_overlay_prepare(&ov, o->rootfs_overlay ? bw_overlay_mode_parse(o->rootfs_overlay) : -1,
                           o->rootfs_upper, b.config, b.path, b.rootfs, l.in_userns, root, err) < 0)
        goto out;
    l.overlay = ov.mode != BW_OVERLAY_OFF ? &ov : NULL;
    if (bw_cdir_create(root, o->id, d, err) < 0)
        goto out;
    dir_made = true;
    if (bw_write_file_atomic_at(d->fd, BW_CONFIG_FILE, b.raw, b.raw_len, 0600, err) < 0 ||
        make_exec_fifo(d, &l, err) < 0 ||
        bw_overlay_make_dirs(&ov, d->fd, l.new_userns ? &l.idmap : NULL, err) < 0)
        goto out;
    /* The cgroup and its limits exist before the process: it starts in it. */
    if (create_cgroup(ctx, o->id, b.config, d, &place, err) < 0)
        goto out;
    l.cgroup_fd = cg.fd;
    if (bw_cgroup_pending(&cg)) {
        l.place = place_cgroup;
        l.place_arg = &place;
    }
    l.lock_fd = d->fd;
    l.statedir_fd = openat(d->fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (l.statedir_fd < 0) {
        bw_error_errno(err, "open the state directory");
        goto out;
    }
    if (bw_net_write_files(&net, d->fd, err) < 0 || bw_launch_spawn(&l, err) < 0 ||
        bw_overlay_started(&ov, o->id, l.pid, l.pid_start, err) < 0)
        goto out;
    if (console_sock >= 0 && bw_terminal_send_master(console_sock, l.console_fd, err) < 0)
        goto out;
    if (console_sock < 0 && console != NULL)
        *console = steal_fd(&l.console_fd);

    *st = (struct bw_state){
        .id = strdup(o->id),
        .bundle = strdup(b.path),
        .rootfs = strdup(b.rootfs),
        .created = bw_now_rfc3339(),
        .pid = l.pid,
        .pid_start = l.pid_start,
        .owner = geteuid(),
        .own_pidns = l.own_pidns,
        .rootless = geteuid() != 0,
        .annotations = annotations_copy(b.config),
    };
    if (bw_net_annotate(&net, &st->annotations, err) < 0 || bw_cdir_write_state(d, st, err) < 0 ||
        bw_net_commit(&net, err) < 0)
        goto out;
    if (o->pid_file != NULL && write_pid_file(o->pid_file, l.pid, err) < 0)
        goto out;
    pid_written = o->pid_file != NULL;
    if (bw_launch_release(&l, err) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0) {
        bw_launch_abort(&l);
        bw_err_t ce = NULL;
        if (bw_cgroup_destroy(&cg, &ce) < 0) {
            bw_warn("clean up after the failed create: %s", ce->msg);
            bw_error_free(&ce);
        }
        /* A pid file naming a dead (soon reused) pid would mislead the
         * engine that reads it. */
        if (pid_written)
            unlink(o->pid_file);
        if (dir_made) {
            bw_err_t e2 = NULL;
            if (bw_cdir_remove(d, &e2) < 0) {
                bw_warn("clean up after the failed create: %s", e2->msg);
                bw_error_free(&e2);
            }
        }
        bw_error_prefix(err, "%s container `%s`", o->run ? "run" : "create", o->id);
        /* The lifecycle goes on at "destroyed" (runtime.md, steps 3-5 and
         * 12-13): what the hooks before start set up, poststop undoes. */
        if (l.hooks_started)
            run_poststop(b.config, o->id, b.path);
    }
    if (l.statedir_fd >= 0)
        close(l.statedir_fd);
    bw_launch_free(&l);
    bw_net_free(&net);
    bw_overlay_free(&ov);
    bw_cgroup_free(&cg);
    bundle_free(&b);
    return rc;
}

int bw_container_create(const struct bw_ctx *ctx, const struct bw_create_opts *o, bw_err_t *err)
{
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    struct bw_state st = {0};
    int r = do_create(ctx, o, &d, &st, NULL, err);
    bw_state_free_fields(&st);
    return r;
}

/* Open the exec fifo for reading, which lets the waiting child go on, and
 * read until EOF: nothing means exec succeeded (the child's end was
 * O_CLOEXEC); text is the child's error.  The pidfd covers a child that died
 * before it opened the fifo. */
static int release_exec_fifo(struct bw_cdir *d, const struct bw_state *s, bw_err_t *err)
{
    cleanup_close int fifo = openat(d->fd, BW_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0)
        return bw_error_errno(err, "open `%s`", BW_EXEC_FIFO);
    cleanup_close int pidfd = bw_pidfd_open(s->pid);
    char msg[4096];
    size_t used = 0;
    bool child_gone = false;
    for (;;) {
        struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        int n = poll(p, pidfd >= 0 && !child_gone ? 2 : 1, child_gone ? 0 : -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bw_error_errno(err, "wait for the container's process to start");
        if (n == 0)
            break; /* gone, and nothing more to read */
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(fifo, msg + used, sizeof(msg) - 1 - used);
            if (r > 0) {
                used += (size_t)r;
                if (used < sizeof(msg) - 1)
                    continue;
            } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            break; /* EOF: exec done, or the buffer is full */
        }
        if (p[1].revents & POLLIN)
            child_gone = true; /* read what it may have written, then stop */
    }
    unlinkat(d->fd, BW_EXEC_FIFO, 0);
    msg[used] = '\0';
    if (used > 0)
        return bw_error_set(err, 0, "%s", msg);
    if (!bw_proc_alive(s->pid, s->pid_start) && child_gone)
        return bw_error_set(err, 0, "the container's process exited before it could start");
    return 0;
}

/* poststart, once the process runs.  A failure is an error that stops the
 * container (runtime.md, step 9); `delete` then finishes the lifecycle. */
static int run_poststart(const struct oci_config *c, const struct bw_state *s, bw_err_t *err)
{
    if (!bw_hooks_has(c, OCI_HOOK_POSTSTART))
        return 0;
    cleanup_free char *state = bw_hooks_state(c, s->id, s->bundle, s->pid, "running", err);
    if (state == NULL || bw_hooks_run(c, OCI_HOOK_POSTSTART, state, err) < 0) {
        if (bw_proc_alive(s->pid, s->pid_start))
            kill(s->pid, SIGKILL);
        return -1;
    }
    return 0;
}

/* Release the container's process and run the poststart hooks.  The config
 * is the copy kept at create. */
static int start_container(struct bw_cdir *d, const struct bw_state *s, bw_err_t *err)
{
    struct oci_config *c = bw_cdir_read_config(d, err);
    if (c == NULL)
        return bw_error_prefix(err, "read the container's config");
    int r = release_exec_fifo(d, s, err);
    if (r == 0)
        r = run_poststart(c, s, err);
    oci_config_free(c);
    return r;
}

static int do_start(struct bw_cdir *d, const struct bw_state *s, bw_err_t *err)
{
    enum bw_status status = bw_cdir_status(d, s);
    if (status != BW_STATUS_CREATED)
        return bw_error_set(err, 0, "it is %s, not created", bw_status_name(status));
    return start_container(d, s, err);
}

int bw_container_start(const struct bw_ctx *ctx, const char *id, bw_err_t *err)
{
    cleanup_free char *root = bw_state_root(ctx->root_opt, false, err);
    if (root == NULL)
        return -1;
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    struct bw_state s = {0};
    if (bw_id_check(id, err) < 0 || bw_cdir_open(root, id, true, &d, err) < 0)
        return bw_error_prefix(err, "start");
    int r = bw_cdir_read_state(&d, &s, err);
    if (r == 1)
        r = bw_error_set(err, 0, "it is still being created");
    if (r == 0)
        r = do_start(&d, &s, err);
    bw_state_free_fields(&s);
    if (r < 0)
        return bw_error_prefix(err, "start container `%s`", id);
    return 0;
}

/* Signals a foreground `run` passes on to the container's process. */
static const int forwarded[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGTERM, SIGUSR1,
                                SIGUSR2, SIGALRM, SIGCONT, SIGWINCH};

void bw_foreground_sigset(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(set, forwarded[i]);
    sigaddset(set, SIGCHLD);
}

int bw_wait_foreground(pid_t pid, const sigset_t *set, bw_err_t *err)
{
    cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC);
    if (sfd < 0)
        return bw_error_errno(err, "signalfd");
    for (;;) {
        /* One loop reaps the container's process and anything else
         * reparented to us (we are a subreaper): a separate waitpid(pid)
         * first would let the process exit between the two calls, be reaped
         * here with its status lost, and leave us waiting for ever. */
        int status = bw_proc_reap(pid);
        if (status >= 0)
            return status;
        struct signalfd_siginfo si;
        ssize_t n = read(sfd, &si, sizeof(si));
        if (n < 0 && errno == EINTR)
            continue;
        if (n != sizeof(si))
            return bw_error_errno(err, "read signalfd");
        if (si.ssi_signo != SIGCHLD)
            kill(pid, (int)si.ssi_signo);
    }
}

int bw_container_run(const struct bw_ctx *ctx, const struct bw_create_opts *o, bw_err_t *err)
{
    sigset_t set, old;
    sigemptyset(&set);
    if (!o->detach) {
        bw_foreground_sigset(&set);
        /* Signals wait until the container runs, then go to it; the child
         * clears the mask before exec.  As a subreaper we reap an init
         * that is our grandchild. */
        sigprocmask(SIG_BLOCK, &set, &old);
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    struct bw_state s = {0};
    struct bw_create_opts ro = *o;
    ro.run = true;
    cleanup_close int console = -1;
    int rc = do_create(ctx, &ro, &d, &s, &console, err);
    struct oci_config *config = NULL;
    if (rc == 0) {
        config = bw_cdir_read_config(&d, err);
        if (config == NULL) {
            bw_error_prefix(err, "read the container's config");
            kill(s.pid, SIGKILL);
            rc = -1;
        }
    }
    if (rc == 0 && (release_exec_fifo(&d, &s, err) < 0 || run_poststart(config, &s, err) < 0)) {
        bw_error_prefix(err, "run container `%s`", o->id);
        rc = -1;
    }
    if (rc == 0 && !o->detach) {
        /* Others may `kill` or `state` it while it runs. */
        flock(d.fd, LOCK_UN);
        d.locked = false;
        rc = console >= 0 ? bw_terminal_relay(console, s.pid, &set, err)
                          : bw_wait_foreground(s.pid, &set, err);
    }
    if (s.pid > 0 && (!o->detach || rc < 0)) {
        /* A foreground container is gone with its process, and a failed
         * start leaves nothing: remove it. */
        if (rc < 0)
            kill(s.pid, SIGKILL);
        /* Take the lock again, so that no `delete` is half-way through. */
        if (!d.locked && flock(d.fd, LOCK_EX) == 0)
            d.locked = true;
        bw_err_t e2 = NULL;
        if (bw_cgroup_destroy_recorded(d.fd, &e2) < 0) {
            bw_warn("remove container `%s`: %s", o->id, e2->msg);
            bw_error_free(&e2);
        }
        if (bw_cdir_remove(&d, &e2) < 0) {
            bw_warn("remove container `%s`: %s", o->id, e2->msg);
            bw_error_free(&e2);
        }
        if (config != NULL)
            run_poststop(config, s.id, s.bundle);
    }
    oci_config_free(config);
    if (!o->detach)
        sigprocmask(SIG_SETMASK, &old, NULL);
    bw_state_free_fields(&s);
    return rc;
}
