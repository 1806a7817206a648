#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "util/cleanup.h"
#include "util/fs.h"

#ifndef RESOLVE_IN_ROOT
#define RESOLVE_NO_XDEV       0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH       0x08
#define RESOLVE_IN_ROOT       0x10
struct open_how {
    unsigned long long flags;
    unsigned long long mode;
    unsigned long long resolve;
};
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

char *bw_read_file_at(int dirfd, const char *path, size_t max, size_t *len, bw_err_t *err)
{
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
    cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        bw_error_errno(err, "open `%s`", path);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        bw_error_errno(err, "stat `%s`", path);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        bw_error_set(err, EISDIR, "read `%s`", path);
        return NULL;
    }
    /* A FIFO, socket or device would hang or never end. */
    if (!S_ISREG(st.st_mode)) {
        bw_error_set(err, 0, "`%s` is not a regular file", path);
        return NULL;
    }
    /* /proc files report size 0: grow as we go. */
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    if (cap > max + 1)
        cap = max + 1;
    cleanup_free char *buf = malloc(cap + 1);
    if (buf == NULL) {
        bw_error_set(err, ENOMEM, "read `%s`", path);
        return NULL;
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                bw_error_set(err, EFBIG, "read `%s`: larger than %zu bytes", path, max);
                return NULL;
            }
            cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, cap + 1);
            if (nb == NULL) {
                bw_error_set(err, ENOMEM, "read `%s`", path);
                return NULL;
            }
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            bw_error_errno(err, "read `%s`", path);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max) {
        bw_error_set(err, EFBIG, "read `%s`: larger than %zu bytes", path, max);
        return NULL;
    }
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return steal_pointer(&buf);
}

char *bw_read_file(const char *path, size_t max, size_t *len, bw_err_t *err)
{
    return bw_read_file_at(AT_FDCWD, path, max, len, err);
}

int bw_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int bw_write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                            bw_err_t *err)
{
    cleanup_free char *tmp = NULL;
    if (asprintf(&tmp, "%s.tmp%d", path, (int)getpid()) < 0)
        return bw_error_set(err, ENOMEM, "write `%s`", path);
    cleanup_close int fd =
        openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return bw_error_errno(err, "create `%s`", tmp);
    if (bw_write_all(fd, data, len) < 0) {
        int saved = errno;
        unlinkat(dirfd, tmp, 0);
        return bw_error_set(err, saved, "write `%s`", tmp);
    }
    if (renameat(dirfd, tmp, dirfd, path) < 0) {
        int saved = errno;
        unlinkat(dirfd, tmp, 0);
        return bw_error_set(err, saved, "rename `%s` to `%s`", tmp, path);
    }
    return 0;
}

int bw_write_existing_file(const char *path, const char *data, size_t len, bw_err_t *err)
{
    cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return bw_error_errno(err, "open `%s`", path);
    ssize_t n = write(fd, data, len);
    if (n < 0)
        return bw_error_errno(err, "write `%s`", path);
    if ((size_t)n != len)
        return bw_error_set(err, EIO, "write `%s`: short write", path);
    return 0;
}

static int rm_rf_fd(int dfd, bw_err_t *err, int depth)
{
    if (depth > 256)
        return bw_error_set(err, ELOOP, "remove directory tree: too deep");
    int fd2 = dup(dfd);
    if (fd2 < 0)
        return bw_error_errno(err, "dup");
    cleanup_dir DIR *d = fdopendir(fd2);
    if (d == NULL) {
        close(fd2);
        return bw_error_errno(err, "opendir");
    }
    struct dirent *de;
    while ((errno = 0, de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (unlinkat(dfd, de->d_name, 0) == 0 || errno == ENOENT)
            continue;
        if (errno != EISDIR && errno != EPERM)
            return bw_error_errno(err, "remove `%s`", de->d_name);
        cleanup_close int sub =
            openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            return bw_error_errno(err, "open `%s`", de->d_name);
        if (rm_rf_fd(sub, err, depth + 1) < 0)
            return -1;
        if (unlinkat(dfd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            return bw_error_errno(err, "remove `%s`", de->d_name);
    }
    return 0;
}

int bw_rm_rf_at(int dirfd, const char *name, bw_err_t *err)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return bw_error_errno(err, "open `%s`", name);
    }
    if (rm_rf_fd(fd, err, 0) < 0)
        return bw_error_prefix(err, "remove `%s`", name);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return bw_error_errno(err, "remove `%s`", name);
    return 0;
}

int bw_openat2(int dirfd, const char *path, int flags, unsigned long long resolve)
{
    struct open_how how = {.flags = (unsigned long long)flags, .resolve = resolve};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* Without openat2 (kernels before 5.6) walk the path one component at a time
 * with O_NOFOLLOW and refuse symlinks and "..": stricter than RESOLVE_IN_ROOT,
 * but never wrong. */
static int open_in_root_walk(int rootfd, const char *path, int flags)
{
    cleanup_free char *copy = strdup(path);
    if (copy == NULL)
        return -1;
    cleanup_close int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return -1;
    char *save = NULL;
    char *comp = strtok_r(copy, "/", &save);
    if (comp == NULL)
        return openat(cur, ".", flags | O_CLOEXEC);
    while (comp != NULL) {
        char *next = strtok_r(NULL, "/", &save);
        if (strcmp(comp, "..") == 0) {
            errno = EXDEV;
            return -1;
        }
        if (strcmp(comp, ".") != 0) {
            int f = next ? (O_PATH | O_DIRECTORY) : flags;
            int fd = openat(cur, comp, f | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
                return -1;
            close(cur);
            cur = fd;
        }
        comp = next;
    }
    return steal_fd(&cur);
}

int bw_open_in_root(int rootfd, const char *path, int flags, bw_err_t *err)
{
    while (*path == '/')
        path++;
    if (*path == '\0')
        path = ".";
    int fd = bw_openat2(rootfd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd < 0 && errno == ENOSYS)
        fd = open_in_root_walk(rootfd, path, flags);
    if (fd < 0)
        return bw_error_errno(err, "open `%s` inside the container's root", path);
    return fd;
}

/* Open one more component below `parent`, whose path from the root is
 * `prefix`: resolved from the root (so absolute symlinks stay inside it), or,
 * without openat2, one component refusing symlinks. */
static int open_component(int rootfd, int parent, const char *prefix, const char *comp)
{
    int fd =
        bw_openat2(rootfd, prefix, O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd < 0 && errno == ENOSYS)
        fd = openat(parent, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    return fd;
}

int bw_mkpath_in_root(int rootfd, const char *path, bool dir, mode_t mode, bw_err_t *err)
{
    while (*path == '/')
        path++;
    int fd = bw_openat2(rootfd, *path ? path : ".", O_PATH | O_CLOEXEC,
                        RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd >= 0)
        return fd;
    if (errno != ENOENT && errno != ENOSYS)
        return bw_error_errno(err, "open `/%s` inside the container's root", path);

    /* Something is missing: walk from the root, resolving each prefix inside
     * the root and creating what does not exist.  What we create is reopened
     * with O_NOFOLLOW, so a symlink swapped in cannot redirect the mount. */
    size_t plen = strlen(path);
    cleanup_free char *copy = strdup(path);
    cleanup_free char *prefix = calloc(1, plen + 2);
    if (copy == NULL || prefix == NULL)
        return bw_error_set(err, ENOMEM, "create `/%s`", path);
    cleanup_close int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return bw_error_errno(err, "dup");
    char *save = NULL;
    char *comp = strtok_r(copy, "/", &save);
    while (comp != NULL) {
        char *next = strtok_r(NULL, "/", &save);
        bool want_dir = next != NULL || dir;
        if (strcmp(comp, "..") == 0)
            return bw_error_set(err, EINVAL, "create `/%s`: \"..\" is not allowed", path);
        if (prefix[0] != '\0')
            strcat(prefix, "/");
        strcat(prefix, comp);
        int sub = open_component(rootfd, cur, prefix, comp);
        if (sub < 0 && errno == ENOENT) {
            int r = want_dir ? mkdirat(cur, comp, next ? 0755 : mode)
                             : mknodat(cur, comp, S_IFREG | mode, 0);
            if (r < 0 && errno != EEXIST)
                return bw_error_errno(err, "create `/%s` inside the container's root", prefix);
            sub = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
            struct stat st;
            if (sub >= 0 && fstat(sub, &st) == 0 && S_ISLNK(st.st_mode)) {
                close(sub);
                return bw_error_set(err, ELOOP,
                                    "create `/%s` inside the container's root: `/%s` is a "
                                    "symlink to a path that does not exist",
                                    path, prefix);
            }
        }
        if (sub < 0)
            return bw_error_errno(err, "open `/%s` inside the container's root", prefix);
        close(cur);
        cur = sub;
        comp = next;
    }
    return steal_fd(&cur);
}

const char *bw_fdpath(struct bw_fdpath *buf, int fd)
{
    snprintf(buf->s, sizeof(buf->s), "/proc/self/fd/%d", fd);
    return buf->s;
}

int bw_send_with_fd(int sock, const void *data, size_t len, int fd)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    size_t done = 0;
    do {
        struct iovec iov = {.iov_base = (char *)data + done, .iov_len = len - done};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        if (done == 0) {
            mh.msg_control = ctl.buf;
            mh.msg_controllen = sizeof(ctl.buf);
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        done += (size_t)n;
    } while (done < len);
    return 0;
}
