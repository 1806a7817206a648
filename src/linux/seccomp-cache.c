/* burrow: compiled seccomp filters kept under the state root.
 *
 * Compiling a profile with libseccomp costs far more than everything else
 * `create` does (about 35 ms for the default profile here, against some 15
 * ms for the whole rest), and the same profile is compiled again for every
 * container and every exec.  So the BPF program is kept in
 * STATEROOT/@cache/seccomp/, one file per profile:
 *
 *     "burrow-seccomp-bpf 1\n", u32 key length, the key, u32 instructions,
 *     the instructions (struct sock_filter, host byte order)
 *
 * The key (seccomp.c, bw_seccomp_key) is the whole text of everything the
 * program depends on: the filter's fields, burrow's build, libseccomp's
 * version and API level, the native architecture.  A file is used only when
 * its key is byte for byte the one asked for (the file name, a hash of the
 * key, only finds it), when it is a regular file of ours that nobody else
 * can write, and when its program has a sane length; anything else is a
 * miss, and the program is compiled as before.  `@` cannot occur in a
 * container id, so the directory never meets a container's.  The state
 * root lives on a tmpfs normally: the cache goes with a reboot, as does a
 * kernel update.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/seccomp-filter.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define CACHE_DIR    "@cache"
#define CACHE_SUBDIR "seccomp"
#define MAGIC        "burrow-seccomp-bpf 1\n"
#define MAX_FILE     (1u << 20)
/* More files than this and the directory is emptied before the next one:
 * profiles are few, and this bounds what a stream of distinct ones costs. */
#define MAX_FILES 64

/* 64-bit FNV-1a: only a file name; the key itself is compared. */
static void key_name(const char *key, size_t len, char out[17])
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 0x100000001b3ull;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* The cache directory under `root`, opened without following a symlink at
 * either step; created (0700) when `create`.  -1 when absent or unusable. */
static int open_dir(const char *root, bool create)
{
    cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return -1;
    if (create)
        mkdirat(rootfd, CACHE_DIR, 0700);
    cleanup_close int cfd =
        openat(rootfd, CACHE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (cfd < 0)
        return -1;
    if (create)
        mkdirat(cfd, CACHE_SUBDIR, 0700);
    int fd = openat(cfd, CACHE_SUBDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
        bw_debug("seccomp cache: `%s/" CACHE_DIR "/" CACHE_SUBDIR "` is not ours alone: unused",
                 root);
        close(fd);
        return -1;
    }
    return fd;
}

static bool take(const char **p, const char *end, void *out, size_t n)
{
    if ((size_t)(end - *p) < n)
        return false;
    memcpy(out, *p, n);
    *p += n;
    return true;
}

int bw_seccomp_cache_load(const char *root, const char *key, struct sock_filter **prog,
                          unsigned short *len)
{
    *prog = NULL;
    *len = 0;
    if (root == NULL || key == NULL)
        return 0;
    cleanup_close int dfd = open_dir(root, false);
    if (dfd < 0)
        return 0;
    size_t klen = strlen(key);
    char name[17];
    key_name(key, klen, name);
    cleanup_close int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 022) != 0 || st.st_size <= 0 || (size_t)st.st_size > MAX_FILE) {
        bw_debug("seccomp cache: %s is not a file of ours alone: unused", name);
        return 0;
    }
    cleanup_free char *buf = malloc((size_t)st.st_size);
    if (buf == NULL || pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
        return 0;
    const char *p = buf, *end = buf + st.st_size;
    char magic[sizeof(MAGIC) - 1];
    uint32_t fklen, n;
    if (!take(&p, end, magic, sizeof(magic)) || memcmp(magic, MAGIC, sizeof(magic)) != 0 ||
        !take(&p, end, &fklen, sizeof(fklen)) || fklen != klen || (size_t)(end - p) < klen ||
        memcmp(p, key, klen) != 0) {
        bw_debug("seccomp cache: %s holds another filter: unused", name);
        return 0;
    }
    p += klen;
    if (!take(&p, end, &n, sizeof(n)) || n == 0 || n > BPF_MAXINSNS ||
        (size_t)(end - p) != (size_t)n * sizeof(struct sock_filter)) {
        bw_debug("seccomp cache: %s is truncated or malformed: unused", name);
        return 0;
    }
    struct sock_filter *f = malloc((size_t)n * sizeof(*f));
    if (f == NULL)
        return 0;
    memcpy(f, p, (size_t)n * sizeof(*f));
    *prog = f;
    *len = (unsigned short)n;
    bw_debug("linux.seccomp: %u BPF instructions, from the cache (%s)", (unsigned)n, name);
    return 1;
}

/* Empties the directory when it holds MAX_FILES or more. */
static void bound_dir(int dfd)
{
    int fd2 = dup(dfd);
    if (fd2 < 0)
        return;
    cleanup_dir DIR *d = fdopendir(fd2);
    if (d == NULL) {
        close(fd2);
        return;
    }
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    if (n < MAX_FILES)
        return;
    rewinddir(d);
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            unlinkat(dfd, de->d_name, 0);
}

void bw_seccomp_cache_store(const char *root, const char *key, const struct sock_filter *prog,
                            unsigned short len)
{
    if (root == NULL || key == NULL || prog == NULL || len == 0)
        return;
    cleanup_close int dfd = open_dir(root, true);
    if (dfd < 0) {
        bw_debug("seccomp cache: cannot use `%s/" CACHE_DIR "/" CACHE_SUBDIR "`: not kept", root);
        return;
    }
    bound_dir(dfd);
    size_t klen = strlen(key);
    uint32_t k32 = (uint32_t)klen, n32 = len;
    size_t size = sizeof(MAGIC) - 1 + sizeof(k32) + klen + sizeof(n32) + len * sizeof(*prog);
    cleanup_free char *buf = malloc(size);
    if (buf == NULL)
        return;
    char *p = buf;
    memcpy(p, MAGIC, sizeof(MAGIC) - 1);
    p += sizeof(MAGIC) - 1;
    memcpy(p, &k32, sizeof(k32));
    p += sizeof(k32);
    memcpy(p, key, klen);
    p += klen;
    memcpy(p, &n32, sizeof(n32));
    p += sizeof(n32);
    memcpy(p, prog, len * sizeof(*prog));
    char name[17];
    key_name(key, klen, name);
    bw_err_t err = NULL;
    if (bw_write_file_atomic_at(dfd, name, buf, size, 0600, &err) < 0) {
        cleanup_free char *text = bw_error_text(err);
        bw_debug("seccomp cache: %s", text);
        bw_error_free(&err);
    }
}
