#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/selfexec.h"
#include "util/cleanup.h"
#include "util/log.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS   1033
#define F_GET_SEALS   1034
#define F_SEAL_SEAL   0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW   0x0004
#define F_SEAL_WRITE  0x0008
#endif

/* The binary's identity on disk travels to the sealed copy in this variable
 * (removed from the environment at once, so nothing inherits it). */
#define IDENTITY_ENV "_BURROW_SEALED_FROM"

static const int all_seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

static bool have_identity;
static dev_t orig_dev;
static ino_t orig_ino;

static bool running_sealed(void)
{
    cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    int seals = fcntl(fd, F_GET_SEALS);
    return seals >= 0 && (seals & all_seals) == all_seals;
}

static void take_identity(void)
{
    const char *v = getenv(IDENTITY_ENV);
    if (v == NULL)
        return;
    uintmax_t d, i;
    if (sscanf(v, "%ju:%ju", &d, &i) == 2) {
        orig_dev = (dev_t)d;
        orig_ino = (ino_t)i;
        have_identity = true;
    }
    unsetenv(IDENTITY_ENV);
}

static int sealed_copy(int src, off_t size, bw_err_t *err)
{
    int fd = (int)syscall(SYS_memfd_create, "burrow", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) /* kernels before 6.3 know no MFD_EXEC */
        fd = (int)syscall(SYS_memfd_create, "burrow", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return bw_error_errno(err, "memfd_create");
    off_t off = 0;
    while (off < size) {
        ssize_t n = sendfile(fd, src, &off, (size_t)(size - off));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            return bw_error_set(err, e, "copy the binary into a memfd");
        }
    }
    if (fcntl(fd, F_ADD_SEALS, all_seals) < 0) {
        int e = errno;
        close(fd);
        return bw_error_set(err, e, "seal the memfd");
    }
    return fd;
}

int bw_selfexec_sealed(char **argv, bw_err_t *err)
{
    take_identity();
    if (running_sealed())
        return 0;
    cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (exe < 0 || fstat(exe, &st) < 0)
        return bw_error_errno(err, "protect the runtime binary: open /proc/self/exe");
    /* Rootless, the container's ids are ours: the copy matters only for a
     * binary we could write ourselves (say, built in a home directory). */
    if (geteuid() != 0 && st.st_uid != geteuid() &&
        faccessat(exe, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
        return 0;
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = '\0';
    bw_debug("run from a sealed copy of `%s`", self);
    cleanup_close int fd = sealed_copy(exe, st.st_size, err);
    if (fd < 0)
        return bw_error_prefix(err, "protect the runtime binary");
    char id[64];
    snprintf(id, sizeof(id), "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
    if (setenv(IDENTITY_ENV, id, 1) < 0)
        return bw_error_errno(err, "protect the runtime binary: setenv");
    extern char **environ;
    syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
    int e = errno;
    unsetenv(IDENTITY_ENV);
    return bw_error_set(err, e, "protect the runtime binary: execute the sealed copy");
}

bool bw_selfexec_identity(dev_t *dev, ino_t *ino)
{
    if (have_identity) {
        *dev = orig_dev;
        *ino = orig_ino;
        return true;
    }
    struct stat st;
    if (stat("/proc/self/exe", &st) < 0)
        return false;
    *dev = st.st_dev;
    *ino = st.st_ino;
    return true;
}
