/* burrow-unpack: apply one layer tar to the rootfs with libarchive.
 *
 * libarchive reads (tar, pax, GNU; gzip, zstd or none, detected), but the
 * files are written here, through directory fds from resolve.c and *at()
 * calls on a single name, never through a path string: libarchive's own
 * writer resolves paths from the cwd, which cannot give the guarantee that
 * nothing lands outside the rootfs.
 *
 * Entry names are refused when absolute or with a ".." component; hard link
 * targets the same; a write through a symlink that points out of the rootfs
 * is refused by resolve.c.  The blob is hashed as it is read (one pass) and
 * checked at its end; a mismatch fails the whole unpack, which is made in a
 * temporary directory that is then removed, so nothing of a bad blob is
 * ever part of a bundle.
 *
 * Whiteouts (image-spec layer.md): `.wh.NAME` removes NAME and
 * `.wh..wh..opq` empties its directory, of what lower layers made only (a
 * path this layer created is spared).  With --layers (c->overlay) they are
 * written in the form overlayfs reads instead: a 0/0 character device for
 * NAME, and the `trusted.overlay.opaque` (as root) or `user.overlay.opaque`
 * (rootless overlay mounts with userxattr) xattr "y" on the directory.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define READ_BUF (1 << 20)
#define PROGRESS_MIN (16 << 20) /* layers smaller than this get no progress line */

struct reader {
    int fd;
    struct bw_sha256 *h;
    uint64_t done, total;
    unsigned char *buf;
    bool progress;
    struct timespec last;
    const char *what;
};

static void progress_line(struct reader *r, bool final)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - r->last.tv_sec) * 1000 + (now.tv_nsec - r->last.tv_nsec) / 1000000;
    if (!final && ms < 200)
        return;
    r->last = now;
    fprintf(stderr, "\r%s: %.1f / %.1f MB%s", r->what, (double)r->done / 1e6,
            (double)r->total / 1e6, final ? "\n" : "");
}

static la_ssize_t reader_read(struct archive *a, void *data, const void **buf)
{
    struct reader *r = data;
    for (;;) {
        ssize_t n = read(r->fd, r->buf, READ_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            archive_set_error(a, errno, "read");
            return -1;
        }
        bw_sha256_update(r->h, r->buf, (size_t)n);
        r->done += (uint64_t)n;
        if (r->progress)
            progress_line(r, false);
        *buf = r->buf;
        return n;
    }
}

/* Refuse what could name something outside the root; strip "./" and
 * trailing slashes.  Returns the normalised copy. */
static char *normalise(const struct layer_ctx *c, const char *name, const char *what,
                       bw_err_t *err)
{
    if (name == NULL || name[0] == '\0') {
        bw_error_set(err, 0, "%s: an entry without a name", c->what);
        return NULL;
    }
    if (name[0] == '/') {
        bw_error_set(err, 0, "%s: %s `%s`: absolute path refused (it would leave the rootfs)",
                     c->what, what, name);
        return NULL;
    }
    char *out = malloc(strlen(name) + 1);
    if (out == NULL) {
        bw_error_errno(err, "%s: `%s`", c->what, name);
        return NULL;
    }
    char *o = out;
    const char *p = name;
    while (*p != '\0') {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            free(out);
            bw_error_set(err, 0, "%s: %s `%s`: `..` component refused (it would leave the rootfs)",
                         c->what, what, name);
            return NULL;
        }
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (o != out)
                *o++ = '/';
            memcpy(o, p, n);
            o += n;
        }
        p += n;
        while (*p == '/')
            p++;
    }
    *o = '\0';
    return out;
}

/* Split "a/b/c" into "a/b" (in place) and return "c". */
static char *split_last(char *path)
{
    char *slash = strrchr(path, '/');
    if (slash == NULL) {
        memmove(path + 1, path, strlen(path) + 1);
        path[0] = '\0';
        return path + 1;
    }
    *slash = '\0';
    return slash + 1;
}

/* Make room for a new entry `name` in `dfd`: remove what is there, unless
 * both are directories (then 1: keep it). */
static int make_room(struct layer_ctx *c, int dfd, const char *name, bool new_is_dir,
                     bw_err_t *err)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : bw_error_errno(err, "stat `%s`", name);
    if (S_ISDIR(st.st_mode) && new_is_dir)
        return 1;
    if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
        /* The cached directory may be this one or below it. */
        int keep = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        resolve_forget(c);
        int r = S_ISDIR(st.st_mode) ? bw_rm_rf_at(keep, name, err) : unlinkat(keep, name, 0);
        int e = errno;
        close(keep);
        if (r < 0)
            return (err && *err) ? -1 : bw_error_set(err, e, "remove `%s`", name);
        return 0;
    }
    if (unlinkat(dfd, name, 0) < 0)
        return bw_error_errno(err, "remove `%s`", name);
    return 0;
}

static void set_owner(struct layer_ctx *c, int fd, const char *name, int flags,
                      struct archive_entry *e)
{
    uid_t uid = (uid_t)archive_entry_uid(e);
    gid_t gid = (gid_t)archive_entry_gid(e);
    if (fchownat(fd, name, uid, gid, flags) < 0)
        c->unmapped_owners++; /* rootless: an id outside the mapping (EINVAL) */
}

static void set_xattrs(struct layer_ctx *c, int fd, struct archive_entry *e)
{
    const char *name;
    const void *value;
    size_t size;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        bool wanted = strncmp(name, "user.", 5) == 0 ||
                      strcmp(name, "security.capability") == 0 ||
                      (c->privileged && strncmp(name, "trusted.", 8) == 0);
        if (wanted && fsetxattr(fd, name, value, size, 0) < 0)
            c->failed_xattrs++;
    }
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (archive_entry_atime_is_set(e)) {
        ts[0].tv_sec = archive_entry_atime(e);
        ts[0].tv_nsec = archive_entry_atime_nsec(e);
    } else {
        ts[0] = ts[1];
    }
}

static int write_data(struct archive *a, int fd, bw_err_t *err)
{
    const void *buf;
    size_t size;
    la_int64_t off;
    int r;
    while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
        const char *p = buf;
        while (size > 0) {
            ssize_t n = pwrite(fd, p, size, off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return bw_error_errno(err, "write");
            p += n;
            size -= (size_t)n;
            off += n;
        }
    }
    if (r != ARCHIVE_EOF)
        return bw_error_set(err, archive_errno(a) > 0 ? archive_errno(a) : 0, "corrupt layer: %s",
                            archive_error_string(a));
    return 0;
}

/* Owner, mode, xattrs and times of the entry, on the file or directory
 * just made. */
static int set_attrs(struct layer_ctx *c, int fd, const char *name, struct archive_entry *e,
                     bw_err_t *err)
{
    set_owner(c, fd, "", AT_EMPTY_PATH, e);
    /* After chown, which clears setuid and setgid. */
    if (fchmod(fd, archive_entry_perm(e)) < 0)
        return bw_error_errno(err, "chmod `%s`", name);
    set_xattrs(c, fd, e);
    struct timespec ts[2];
    entry_times(e, ts);
    futimens(fd, ts);
    return 0;
}

static int put_file(struct layer_ctx *c, struct archive *a, struct archive_entry *e, int dfd,
                    const char *name, bw_err_t *err)
{
    if (make_room(c, dfd, name, false, err) < 0)
        return -1;
    cleanup_close int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                  0600);
    if (fd < 0)
        return bw_error_errno(err, "create `%s`", name);
    if (write_data(a, fd, err) < 0)
        return -1;
    if (archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0)
        return bw_error_errno(err, "truncate `%s`", name);
    return set_attrs(c, fd, name, e, err);
}

static int remember_dir_time(struct layer_ctx *c, const char *path, const struct timespec ts[2])
{
    if (c->dir_times_len == c->dir_times_cap) {
        size_t cap = c->dir_times_cap ? c->dir_times_cap * 2 : 256;
        struct dir_time *n = realloc(c->dir_times, cap * sizeof(*n));
        if (n == NULL)
            return -1;
        c->dir_times = n;
        c->dir_times_cap = cap;
    }
    struct dir_time *d = &c->dir_times[c->dir_times_len];
    d->path = strdup(path);
    if (d->path == NULL)
        return -1;
    d->ts[0] = ts[0];
    d->ts[1] = ts[1];
    c->dir_times_len++;
    return 0;
}

/* The directories' mtimes, last (what was written into them changed them).
 * A directory removed or replaced later in the layer is simply skipped. */
static void apply_dir_times(struct layer_ctx *c)
{
    for (size_t i = c->dir_times_len; i > 0; i--) {
        struct dir_time *d = &c->dir_times[i - 1];
        char *name = split_last(d->path);
        bw_err_t e = NULL;
        int dfd = resolve_dir(c, d->path, false, &e);
        bw_error_free(&e);
        if (dfd >= 0)
            utimensat(dfd, name, d->ts, AT_SYMLINK_NOFOLLOW);
    }
}

static void free_dir_times(struct layer_ctx *c)
{
    for (size_t i = 0; i < c->dir_times_len; i++)
        free(c->dir_times[i].path);
    free(c->dir_times);
    c->dir_times = NULL;
    c->dir_times_len = c->dir_times_cap = 0;
}

static int put_dir(struct layer_ctx *c, struct archive_entry *e, int dfd, const char *name,
                   bw_err_t *err)
{
    int r = make_room(c, dfd, name, true, err);
    if (r < 0)
        return -1;
    if (r == 0 && mkdirat(dfd, name, 0700) < 0)
        return bw_error_errno(err, "create directory `%s`", name);
    cleanup_close int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "open directory `%s`", name);
    return set_attrs(c, fd, name, e, err);
}

static int put_symlink(struct layer_ctx *c, struct archive_entry *e, int dfd, const char *name,
                       bw_err_t *err)
{
    const char *target = archive_entry_symlink(e);
    if (target == NULL)
        return bw_error_set(err, 0, "symlink `%s` without a target", name);
    if (make_room(c, dfd, name, false, err) < 0)
        return -1;
    if (symlinkat(target, dfd, name) < 0)
        return bw_error_errno(err, "create symlink `%s`", name);
    set_owner(c, dfd, name, AT_SYMLINK_NOFOLLOW, e);
    struct timespec ts[2];
    entry_times(e, ts);
    utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
    return 0;
}

static int put_node(struct layer_ctx *c, struct archive_entry *e, int dfd, const char *name,
                    bw_err_t *err)
{
    mode_t type = archive_entry_filetype(e);
    if (make_room(c, dfd, name, false, err) < 0)
        return -1;
    if (mknodat(dfd, name, type | archive_entry_perm(e), archive_entry_rdev(e)) < 0) {
        if ((errno == EPERM || errno == EACCES) && (type == AE_IFCHR || type == AE_IFBLK)) {
            c->skipped_devices++;
            return 0;
        }
        return bw_error_errno(err, "create node `%s`", name);
    }
    set_owner(c, dfd, name, AT_SYMLINK_NOFOLLOW, e);
    fchmodat(dfd, name, archive_entry_perm(e), 0);
    return 0;
}

/* --layers: a hard link to a file of a lower layer cannot cross directories;
 * the file is copied into this layer (overlayfs would copy it up anyway). */
static int copy_from_lower(struct layer_ctx *c, const char *t, int dfd, const char *name,
                           bw_err_t *err)
{
    for (size_t i = 0; i < c->lower_len; i++) {
        bw_err_t e = NULL;
        cleanup_close int src = bw_open_in_root(c->lower_fds[i], t, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, &e);
        bw_error_free(&e);
        if (src < 0)
            continue;
        struct stat st;
        if (fstat(src, &st) < 0 || !S_ISREG(st.st_mode))
            return bw_error_set(err, 0, "hard link to `%s`: not a regular file below", t);
        if (make_room(c, dfd, name, false, err) < 0)
            return -1;
        cleanup_close int dst =
            openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (dst < 0)
            return bw_error_errno(err, "create `%s`", name);
        for (off_t left = st.st_size; left > 0;) {
            ssize_t n = copy_file_range(src, NULL, dst, NULL, (size_t)left, 0);
            if (n <= 0)
                return bw_error_errno(err, "copy `%s` from a lower layer", t);
            left -= n;
        }
        if (fchown(dst, st.st_uid, st.st_gid) < 0)
            c->unmapped_owners++;
        if (fchmod(dst, st.st_mode & 07777) < 0)
            return bw_error_errno(err, "chmod `%s`", name);
        struct timespec ts[2] = {st.st_atim, st.st_mtim};
        futimens(dst, ts);
        return 0;
    }
    return bw_error_set(err, ENOENT, "hard link to `%s`", t);
}

static int put_hardlink(struct layer_ctx *c, const char *target, int dfd, const char *name,
                        bw_err_t *err)
{
    cleanup_free char *t = normalise(c, target, "hard link target", err);
    if (t == NULL)
        return -1;
    /* dfd is borrowed from the cache, which resolving the target replaces. */
    cleanup_close int own = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
    if (own < 0)
        return bw_error_errno(err, "dup");
    char *tname = split_last(t);
    int tdfd = resolve_dir(c, t, false, err);
    if (tdfd < 0 && c->overlay && err && *err && (*err)->code == ENOENT) {
        bw_error_free(err);
        cleanup_free char *again = normalise(c, target, "hard link target", err);
        return again ? copy_from_lower(c, again, own, name, err) : -1;
    }
    if (tdfd < 0)
        return bw_error_prefix(err, "hard link to `%s`", target);
    struct stat st;
    if (fstatat(tdfd, tname, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT && c->overlay) {
            cleanup_free char *again = normalise(c, target, "hard link target", err);
            return again ? copy_from_lower(c, again, own, name, err) : -1;
        }
        return bw_error_errno(err, "hard link to `%s`", target);
    }
    if (S_ISDIR(st.st_mode))
        return bw_error_set(err, 0, "hard link to directory `%s`", target);
    cleanup_close int tkeep = fcntl(tdfd, F_DUPFD_CLOEXEC, 3);
    if (make_room(c, own, name, false, err) < 0)
        return -1;
    if (linkat(tkeep, tname, own, name, 0) < 0)
        return bw_error_errno(err, "hard link to `%s`", target);
    return 0;
}

/* `.wh.NAME` in directory `dir` (resolved to dfd). */
static int whiteout(struct layer_ctx *c, int dfd, const char *dir, const char *name,
                    bw_err_t *err)
{
    /* `.wh.` `.wh..` `.wh...` would hide nothing, the directory itself or
     * its parent. */
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return bw_error_set(err, EINVAL, "a whiteout of `%s` names no entry", name);
    cleanup_free char *full = NULL;
    if (asprintf(&full, "%s%s%s", dir, *dir ? "/" : "", name) < 0)
        return bw_error_errno(err, "whiteout");
    if (c->overlay) {
        if (make_room(c, dfd, name, false, err) < 0)
            return -1;
        if (mknodat(dfd, name, S_IFCHR | 0, makedev(0, 0)) < 0)
            return bw_error_errno(err, "create whiteout `%s`", full);
        return 0;
    }
    if (pathset_has(&c->created, full))
        return 0;
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return 0; /* nothing below to hide */
    return make_room(c, dfd, name, false, err);
}

static int opaque(struct layer_ctx *c, int dfd, const char *dir, bw_err_t *err)
{
    if (c->overlay) {
        cleanup_close int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return bw_error_errno(err, "open `%s`", dir);
        const char *xa = c->privileged ? "trusted.overlay.opaque" : "user.overlay.opaque";
        if (fsetxattr(fd, xa, "y", 1, 0) < 0)
            return bw_error_errno(err, "set %s on `%s`", xa, dir);
        if (c->privileged)
            fsetxattr(fd, "user.overlay.opaque", "y", 1, 0);
        return 0;
    }
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "open `%s`", dir);
    cleanup_dir DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return bw_error_errno(err, "read `%s`", dir);
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        cleanup_free char *full = NULL;
        if (asprintf(&full, "%s%s%s", dir, *dir ? "/" : "", de->d_name) < 0)
            return bw_error_errno(err, "opaque `%s`", dir);
        if (pathset_has(&c->created, full))
            continue;
        if (make_room(c, dirfd(d), de->d_name, false, err) < 0)
            return -1;
    }
    return 0;
}

int layer_entry_extract(struct layer_ctx *c, struct archive *a, struct archive_entry *e,
                        bw_err_t *err)
{
    const char *raw = archive_entry_pathname(e);
    cleanup_free char *path = normalise(c, raw, "entry", err);
    if (path == NULL)
        return -1;
    if (path[0] == '\0')
        return 0; /* "./": the rootfs itself */
    cleanup_free char *full = strdup(path);
    if (full == NULL)
        return bw_error_errno(err, "entry");
    char *name = split_last(path);
    const char *dir = path;
    int cached = resolve_dir(c, dir, true, err);
    if (cached < 0)
        return bw_error_prefix(err, "%s: entry `%s`", c->what, raw);
    /* Our own copy: making room for the entry may drop the resolver's
     * cache, and with it the fd it returned (make_room). */
    cleanup_close int dfd = fcntl(cached, F_DUPFD_CLOEXEC, 3);
    if (dfd < 0)
        return bw_error_errno(err, "%s: entry `%s`", c->what, raw);
    int r;
    if (strcmp(name, ".wh..wh..opq") == 0)
        r = opaque(c, dfd, dir, err);
    else if (strncmp(name, ".wh.", 4) == 0)
        r = whiteout(c, dfd, dir, name + 4, err);
    else if (archive_entry_hardlink(e) != NULL)
        r = put_hardlink(c, archive_entry_hardlink(e), dfd, name, err);
    else {
        switch (archive_entry_filetype(e)) {
        case AE_IFREG:
            r = put_file(c, a, e, dfd, name, err);
            break;
        case AE_IFDIR:
            r = put_dir(c, e, dfd, name, err);
            if (r == 0) {
                struct timespec ts[2];
                entry_times(e, ts);
                if (remember_dir_time(c, full, ts) < 0)
                    r = bw_error_errno(err, "remember the mtime");
            }
            break;
        case AE_IFLNK:
            r = put_symlink(c, e, dfd, name, err);
            break;
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
        case AE_IFSOCK:
            r = put_node(c, e, dfd, name, err);
            break;
        default:
            r = bw_error_set(err, 0, "unknown file type %o", archive_entry_filetype(e));
        }
    }
    if (r < 0)
        return bw_error_prefix(err, "%s: entry `%s`", c->what, raw);
    if (!c->overlay && pathset_add(&c->created, full) < 0)
        return bw_error_errno(err, "%s", c->what);
    return 0;
}

static int check_blob(const struct layer_ctx *c, struct reader *r, const struct blob *b,
                      bw_err_t *err)
{
    /* The rest after the tar's end (padding) is part of the digest too. */
    for (;;) {
        ssize_t n = read(r->fd, r->buf, READ_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bw_error_errno(err, "%s: read", c->what);
        if (n == 0)
            break;
        bw_sha256_update(r->h, r->buf, (size_t)n);
        r->done += (uint64_t)n;
    }
    if (b->size >= 0 && r->done != (uint64_t)b->size)
        return bw_error_set(err, 0, "%s: size %llu, the manifest says %lld", c->what,
                            (unsigned long long)r->done, (long long)b->size);
    char got[72];
    bw_sha256_finish(r->h, got);
    r->h = NULL;
    if (b->digest != NULL && strcmp(got, b->digest) != 0)
        return bw_error_set(err, 0, "%s: digest mismatch: the blob is %s", c->what, got);
    return 0;
}

int layer_apply(struct layer_ctx *c, int imgdirfd, const struct blob *b, bw_err_t *err)
{
    struct reader r = {.what = c->what};
    bw_err_t oe = NULL;
    /* O_NONBLOCK: a FIFO in the image must not hang us (it reads as empty). */
    r.fd = bw_open_in_root(imgdirfd, b->path, O_RDONLY | O_NONBLOCK, &oe);
    if (r.fd < 0) {
        int code = oe ? oe->code : errno;
        bw_error_free(&oe);
        return bw_error_set(err, code, "%s: blob `%s` missing from the image", c->what, b->path);
    }
    struct stat st;
    int rc = -1;
    struct archive *a = NULL;
    if (fstat(r.fd, &st) < 0) {
        bw_error_errno(err, "%s: stat", c->what);
        goto out;
    }
    /* A size that does not match is refused before any byte is used. */
    if (b->size >= 0 && st.st_size != b->size) {
        bw_error_set(err, 0, "%s: size %lld, the manifest says %lld", c->what,
                     (long long)st.st_size, (long long)b->size);
        goto out;
    }
    r.total = (uint64_t)st.st_size;
    r.progress = c->progress && r.total >= PROGRESS_MIN;
    clock_gettime(CLOCK_MONOTONIC, &r.last);
    r.buf = malloc(READ_BUF);
    r.h = bw_sha256_new();
    a = archive_read_new();
    if (r.buf == NULL || r.h == NULL || a == NULL) {
        bw_error_errno(err, "%s", c->what);
        goto out;
    }
    archive_read_support_format_tar(a);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    if (archive_read_open(a, &r, NULL, reader_read, NULL) != ARCHIVE_OK) {
        bw_error_set(err, 0, "%s: not a layer tar: %s", c->what, archive_error_string(a));
        goto out;
    }
    struct archive_entry *e;
    int ar;
    while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
        if (layer_entry_extract(c, a, e, err) < 0) {
            /* A damaged blob is reported as such when its digest says so. */
            bw_err_t digest = NULL;
            if (check_blob(c, &r, b, &digest) < 0 && strstr(digest->msg, "digest mismatch")) {
                bw_error_free(err);
                *err = steal_pointer(&digest);
            }
            bw_error_free(&digest);
            goto out;
        }
    }
    if (ar != ARCHIVE_EOF) {
        /* A damaged blob is reported as such when its digest says so. */
        cleanup_free char *why = strdup(archive_error_string(a) ?: "?");
        if (check_blob(c, &r, b, err) == 0)
            bw_error_set(err, 0, "%s: corrupt layer: %s", c->what, why ? why : "?");
        goto out;
    }
    if (check_blob(c, &r, b, err) < 0)
        goto out;
    apply_dir_times(c);
    if (r.progress)
        progress_line(&r, true);
    rc = 0;
out:
    if (rc < 0 && r.progress)
        fputc('\n', stderr);
    if (a != NULL)
        archive_read_free(a);
    bw_sha256_free(r.h);
    free(r.buf);
    close(r.fd);
    resolve_forget(c);
    pathset_clear(&c->created);
    free_dir_times(c);
    return rc;
}
