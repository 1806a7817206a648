/* burrow-unpack: directories of the rootfs, resolved without leaving it.
 *
 * The fast path is one openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS): a
 * path with no symlink on it cannot leave the root.  When it meets a symlink
 * (ELOOP) or a missing directory (ENOENT), the path is walked one component
 * at a time with O_NOFOLLOW, following symlinks ourselves: an absolute
 * target restarts from the rootfs (what the container will see), and a ".."
 * that would climb above the rootfs is refused: that symlink points outside,
 * and the entry that writes through it is an escape attempt.  Nobody else
 * writes the temporary rootfs while we do, so walking in user space is not
 * racy.  The last directory is cached: tar entries come grouped by
 * directory. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MAX_LINKS 40

void resolve_forget(struct layer_ctx *c)
{
    free(c->cached);
    c->cached = NULL;
    if (c->cached_fd >= 0)
        close(c->cached_fd);
    c->cached_fd = -1;
}

struct walk {
    int *fds; /* fds[0] is the root (borrowed); fds[depth] the current dir */
    size_t depth, cap;
    char *queue; /* the rest of the path to walk, NUL-separated components */
};

static void walk_free(struct walk *w)
{
    for (size_t i = 1; i <= w->depth; i++)
        close(w->fds[i]);
    free(w->fds);
    free(w->queue);
}

static int walk_push(struct walk *w, int fd)
{
    if (w->depth + 1 >= w->cap) {
        size_t cap = w->cap * 2 + 8;
        int *n = realloc(w->fds, cap * sizeof(*n));
        if (n == NULL) {
            close(fd);
            return -1;
        }
        w->fds = n;
        w->cap = cap;
    }
    w->fds[++w->depth] = fd;
    return 0;
}

/* Put `path` in front of the queue ("a/b" + "c/d" = "a/b/c/d"). */
static int queue_prepend(char **queue, const char *path)
{
    char *n = NULL;
    if (asprintf(&n, "%s%s%s", path, (*queue && **queue) ? "/" : "", *queue ? *queue : "") < 0)
        return -1;
    free(*queue);
    *queue = n;
    return 0;
}

/* Take the first component off the queue into `comp` (`size` bytes).
 * Returns 1, 0 at the end, -1 for a component too long. */
static int queue_pop(char *queue, char *comp, size_t size)
{
    char *q = queue;
    while (*q == '/')
        q++;
    if (*q == '\0')
        return 0;
    size_t n = strcspn(q, "/");
    if (n >= size)
        return -1;
    memcpy(comp, q, n);
    comp[n] = '\0';
    memmove(queue, q + n, strlen(q + n) + 1);
    return 1;
}

static int walk_slow(struct layer_ctx *c, const char *path, bool create, bw_err_t *err)
{
    struct walk w = {0};
    char comp[NAME_MAX + 1];
    int links = 0;
    int rc = -1;

    w.queue = strdup(path);
    w.cap = 16;
    w.fds = calloc(w.cap, sizeof(*w.fds));
    if (w.queue == NULL || w.fds == NULL)
        goto out;
    w.fds[0] = c->rootfd;
    int more;
    while ((more = queue_pop(w.queue, comp, sizeof(comp))) != 0) {
        if (more < 0) {
            bw_error_set(err, ENAMETOOLONG, "`%s`: a component is too long", path);
            goto out;
        }
        int top = w.fds[w.depth];
        if (strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            if (w.depth == 0) {
                bw_error_set(err, EXDEV, "`%s`: a symlink on the way points outside the rootfs",
                             path);
                goto out;
            }
            close(w.fds[w.depth--]);
            continue;
        }
        struct stat st;
        if (fstatat(top, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT || !create) {
                bw_error_errno(err, "`%s`: look up `%s`", path, comp);
                goto out;
            }
            if (mkdirat(top, comp, 0755) < 0 && errno != EEXIST) {
                bw_error_errno(err, "`%s`: create directory `%s`", path, comp);
                goto out;
            }
            st.st_mode = S_IFDIR;
        }
        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlinkat(top, comp, target, sizeof(target) - 1);
            if (n < 0 || ++links > MAX_LINKS) {
                bw_error_set(err, n < 0 ? errno : ELOOP, "`%s`: follow symlink `%s`", path, comp);
                goto out;
            }
            target[n] = '\0';
            if (target[0] == '/') {
                /* Absolute: from the rootfs, as inside the container. */
                while (w.depth > 0)
                    close(w.fds[w.depth--]);
            }
            if (queue_prepend(&w.queue, target) < 0)
                goto out;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bw_error_set(err, ENOTDIR, "`%s`: `%s` is not a directory", path, comp);
            goto out;
        }
        int fd = openat(top, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            bw_error_errno(err, "`%s`: open `%s`", path, comp);
            goto out;
        }
        if (walk_push(&w, fd) < 0)
            goto out;
    }
    if (w.depth == 0)
        rc = fcntl(c->rootfd, F_DUPFD_CLOEXEC, 3);
    else
        rc = steal_fd(&w.fds[w.depth--]);
out:
    if (rc < 0 && (err == NULL || *err == NULL))
        bw_error_errno(err, "resolve `%s`", path);
    walk_free(&w);
    return rc;
}

int resolve_dir(struct layer_ctx *c, const char *path, bool create, bw_err_t *err)
{
    if (path[0] == '\0')
        return c->rootfd;
    if (c->cached != NULL && strcmp(c->cached, path) == 0)
        return c->cached_fd;
    resolve_forget(c);
    int fd = bw_openat2(c->rootfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC,
                        RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd < 0)
        fd = walk_slow(c, path, create, err);
    if (fd < 0)
        return -1;
    c->cached = strdup(path);
    if (c->cached == NULL) {
        close(fd);
        return bw_error_errno(err, "resolve `%s`", path);
    }
    c->cached_fd = fd;
    return fd;
}

/* --- the set of paths a layer created ------------------------------------ */

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

bool pathset_has(const struct pathset *s, const char *p)
{
    if (s->cap == 0)
        return false;
    for (size_t i = hash_str(p) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->slot[i] == NULL)
            return false;
        if (strcmp(s->slot[i], p) == 0)
            return true;
    }
}

static void pathset_insert(char **slot, size_t cap, char *p)
{
    size_t i = hash_str(p) & (cap - 1);
    while (slot[i] != NULL)
        i = (i + 1) & (cap - 1);
    slot[i] = p;
}

int pathset_add(struct pathset *s, const char *p)
{
    if (pathset_has(s, p))
        return 0;
    if (2 * (s->len + 1) > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        char **n = calloc(cap, sizeof(*n));
        if (n == NULL)
            return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i] != NULL)
                pathset_insert(n, cap, s->slot[i]);
        free(s->slot);
        s->slot = n;
        s->cap = cap;
    }
    char *d = strdup(p);
    if (d == NULL)
        return -1;
    pathset_insert(s->slot, s->cap, d);
    s->len++;
    return 0;
}

void pathset_clear(struct pathset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i]);
    free(s->slot);
    *s = (struct pathset){0};
}
