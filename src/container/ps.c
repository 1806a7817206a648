/* burrow ps: the processes of a container.
 *
 * With a cgroup (cgroup/cgroup.h) they are its cgroup.procs and those of
 * its descendants: exactly the container's processes.  Without one (the
 * none manager) they are told by their namespaces instead:
 *
 *  - the mount namespace: burrow always gives a container one of its own (a
 *    private copy even when config.json joins one by path), and `exec`
 *    joins it, so it covers containers that share the host's (or another
 *    container's) pid namespace too;
 *  - the pid namespace when the container has its own: it also catches a
 *    process that left the mount namespace (unshare(CLONE_NEWNS)).
 *
 * What this misses: a process of a container without its own pid namespace
 * that made a mount namespace of its own, and, rootless, processes whose
 * /proc/PID/ns this user may not read (another container's uid that made
 * itself non-dumpable).
 *
 * The table is the host's ps(1) (default `ps -ef`), filtered to the lines
 * whose PID column is one of those: the same as runc does with its cgroup.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/exec.h"
#include "container/state.h"
#include "linux/proc.h"
#include "util/cleanup.h"

struct pidset {
    pid_t *v;
    size_t n;
};

static int cmp_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

static bool pidset_has(const struct pidset *s, long pid)
{
    pid_t key = (pid_t)pid;
    return bsearch(&key, s->v, s->n, sizeof(pid_t), cmp_pid) != NULL;
}

static int collect(const struct bw_state *st, struct pidset *out, bw_err_t *err)
{
    out->v = NULL;
    out->n = 0;
    uint64_t mnt = bw_proc_ns_inode(st->pid, "mnt");
    uint64_t pidns = st->own_pidns ? bw_proc_ns_inode(st->pid, "pid") : 0;
    /* The inodes are the init's only if it is still the same process. */
    if (!bw_proc_alive(st->pid, st->pid_start))
        return bw_error_set(err, ESRCH, "the container's process %d has exited", (int)st->pid);
    cleanup_dir DIR *dir = opendir("/proc");
    if (dir == NULL)
        return bw_error_errno(err, "open `/proc`");
    size_t cap = 16;
    out->v = malloc(cap * sizeof(pid_t));
    if (out->v == NULL)
        return bw_error_set(err, ENOMEM, "list processes");
    out->v[out->n++] = st->pid;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        char *end = NULL;
        long pid = strtol(de->d_name, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == st->pid || pid == getpid())
            continue;
        bool in = (mnt != 0 && bw_proc_ns_inode((pid_t)pid, "mnt") == mnt) ||
                  (pidns != 0 && bw_proc_ns_inode((pid_t)pid, "pid") == pidns);
        /* A zombie is gone already, waiting for its parent (a detached
         * exec's is pid 1's) to collect its status. */
        char state = 0;
        if (!in || (bw_proc_stat((pid_t)pid, NULL, &state) == 0 && state == 'Z'))
            continue;
        if (out->n == cap) {
            pid_t *nv = realloc(out->v, 2 * cap * sizeof(pid_t));
            if (nv == NULL)
                return bw_error_set(err, ENOMEM, "list processes");
            out->v = nv;
            cap *= 2;
        }
        out->v[out->n++] = (pid_t)pid;
    }
    qsort(out->v, out->n, sizeof(pid_t), cmp_pid);
    return 0;
}

int bw_container_pids(const struct bw_state *s, pid_t **pids, size_t *n, bw_err_t *err)
{
    struct pidset set;
    if (collect(s, &set, err) < 0) {
        free(set.v);
        return -1;
    }
    *pids = set.v;
    *n = set.n;
    return 0;
}

/* Run ps(1) with `args`, keep its header and the lines of our pids. */
static int ps_table(char **args, const struct pidset *set, FILE *out, bw_err_t *err)
{
    size_t n = 0;
    while (args != NULL && args[n] != NULL)
        n++;
    cleanup_free char **argv = calloc(n + 2 + (n == 0), sizeof(char *));
    if (argv == NULL)
        return bw_error_set(err, ENOMEM, "run `ps`");
    argv[0] = (char *)"ps";
    if (n == 0)
        argv[1] = (char *)"-ef";
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = args[i];
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return bw_error_errno(err, "pipe");
    pid_t child = fork();
    if (child < 0) {
        close(fds[0]);
        close(fds[1]);
        return bw_error_errno(err, "fork");
    }
    if (child == 0) {
        dup2(fds[1], 1);
        execvp("ps", argv);
        fprintf(stderr, "burrow: ps: run `ps`: %s\n", strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    cleanup_file FILE *in = fdopen(fds[0], "r");
    if (in == NULL) {
        close(fds[0]);
        return bw_error_errno(err, "read the output of `ps`");
    }
    cleanup_free char *line = NULL;
    size_t len = 0;
    int pid_col = -1;
    bool header = true;
    while (getline(&line, &len, in) >= 0) {
        /* The PID column is found in the header (ps -o may move it). */
        cleanup_free char *copy = strdup(line);
        if (copy == NULL)
            break;
        char *save = NULL;
        int col = 0;
        long value = -1;
        for (char *f = strtok_r(copy, " \t\n", &save); f; f = strtok_r(NULL, " \t\n", &save)) {
            if (header && strcmp(f, "PID") == 0)
                pid_col = col;
            if (!header && col == pid_col) {
                char *end = NULL;
                value = strtol(f, &end, 10);
                if (*end != '\0')
                    value = -1;
            }
            col++;
        }
        if (header || (value > 0 && pidset_has(set, value)))
            fputs(line, out);
        header = false;
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return bw_error_set(err, 0, "`ps` failed (exit status %d)",
                            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    if (pid_col < 0)
        return bw_error_set(err, 0, "`ps` printed no PID column (add -o pid)");
    return 0;
}

int bw_container_ps(const struct bw_ctx *ctx, const char *id, enum bw_ps_format fmt, char **ps_args,
                    FILE *out, bw_err_t *err)
{
    if (bw_id_check(id, err) < 0)
        return bw_error_prefix(err, "ps");
    cleanup_free char *root = bw_state_root(ctx->root_opt, false, err);
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    if (root == NULL || bw_cdir_open(root, id, false, &d, err) < 0)
        return bw_error_prefix(err, "ps");
    struct bw_state s = {0};
    struct pidset set = {0};
    int r = bw_cdir_read_state(&d, &s, err);
    if (r == 1)
        r = bw_error_set(err, 0, "it is still being created");
    if (r == 0) {
        enum bw_status st = bw_cdir_status(&d, &s);
        if (st != BW_STATUS_CREATED && st != BW_STATUS_RUNNING && st != BW_STATUS_PAUSED)
            r = bw_error_set(err, 0, "it is %s", bw_status_name(st));
    }
    struct bw_cgroup cg;
    int cr = r == 0 ? bw_cgroup_load(&cg, d.fd, err) : (bw_cgroup_init(&cg), 1);
    if (cr < 0)
        r = -1;
    else if (r == 0 && cg.fd >= 0 && bw_cgroup_pids(&cg, &set.v, &set.n, err) == 0)
        qsort(set.v, set.n, sizeof(pid_t), cmp_pid);
    else if (r == 0 && cg.fd >= 0)
        r = -1;
    else if (r == 0)
        r = collect(&s, &set, err);
    bw_cgroup_free(&cg);
    if (r == 0 && fmt == BW_PS_JSON) {
        fputc('[', out);
        for (size_t i = 0; i < set.n; i++)
            fprintf(out, "%s%d", i ? "," : "", (int)set.v[i]);
        fputs("]\n", out);
    } else if (r == 0) {
        fflush(out);
        r = ps_table(ps_args, &set, out, err);
    }
    free(set.v);
    bw_state_free_fields(&s);
    if (r < 0)
        return bw_error_prefix(err, "ps container `%s`", id);
    return 0;
}
