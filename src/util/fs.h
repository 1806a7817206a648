/* burrow: small filesystem helpers, and path resolution confined to a root. */
#ifndef BURROW_UTIL_FS_H
#define BURROW_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Read a whole file (at most `max` bytes; more is an error).  Returns a
 * NUL-terminated buffer the caller frees, with its length in *len. */
char *bw_read_file_at(int dirfd, const char *path, size_t max, size_t *len, bw_err_t *err);
char *bw_read_file(const char *path, size_t max, size_t *len, bw_err_t *err);

/* Write `len` bytes to `path` (relative to dirfd) through a temporary file and
 * rename(2), so that readers see the old or the new content, never a part. */
int bw_write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                            bw_err_t *err);

/* write(2) all of buf, retrying on EINTR and short writes. */
int bw_write_all(int fd, const void *buf, size_t len);

/* Send `len` bytes of `data` on the unix socket `sock` with `fd` attached
 * (SCM_RIGHTS, on the first sendmsg), all of it, retrying on EINTR; no
 * SIGPIPE.  -1 with errno. */
int bw_send_with_fd(int sock, const void *data, size_t len, int fd);

/* Write a small string to a file that must exist (e.g. /proc/PID/uid_map). */
int bw_write_existing_file(const char *path, const char *data, size_t len, bw_err_t *err);

/* Remove a directory tree without following symlinks.  Missing is success. */
int bw_rm_rf_at(int dirfd, const char *name, bw_err_t *err);

/* openat2(2) where the kernel has it.  Returns the fd or -1 with errno set;
 * errno ENOSYS means the kernel lacks it. */
int bw_openat2(int dirfd, const char *path, int flags, unsigned long long resolve);

/* Open `path` inside the directory `rootfd` as if rootfd were "/": absolute
 * symlinks and ".." cannot leave it (openat2 RESOLVE_IN_ROOT, and no magic
 * links).  `flags` are open(2) flags (O_CLOEXEC is added). */
int bw_open_in_root(int rootfd, const char *path, int flags, bw_err_t *err);

/* Like bw_open_in_root with O_PATH, but create what is missing: directories
 * for every component, and the last one as a directory (`dir` true) or an
 * empty regular file.  Returns an O_PATH fd of the final path. */
int bw_mkpath_in_root(int rootfd, const char *path, bool dir, mode_t mode, bw_err_t *err);

/* "/proc/self/fd/N" for fd (static buffer owned by the caller). */
struct bw_fdpath {
    char s[32];
};
const char *bw_fdpath(struct bw_fdpath *buf, int fd);

#endif
