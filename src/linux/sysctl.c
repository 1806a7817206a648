/* burrow: linux.sysctl (see sysctl.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "linux/sysctl.h"
#include "util/cleanup.h"
#include "util/fs.h"

#ifndef RESOLVE_BENEATH
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH       0x08
#endif

/* The ipc namespace's sysctls under kernel. (ipc/ipc_sysctl.c). */
static const char *const ipc_keys[] = {
    "kernel.msgmax", "kernel.msgmnb",      "kernel.msgmni",          "kernel.msg_next_id",
    "kernel.sem",    "kernel.sem_next_id", "kernel.shmall",          "kernel.shmmax",
    "kernel.shmmni", "kernel.shm_next_id", "kernel.shm_rmid_forced",
};

/* The key with '/' as '.' (a key may be given either way). */
static void dotted(const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "%s", key);
    for (char *p = buf; *p; p++)
        if (*p == '/')
            *p = '.';
}

/* The namespace a key belongs to (CLONE_NEW*), or 0 when it is global. */
static unsigned long key_namespace(const char *key)
{
    char k[256];
    dotted(key, k, sizeof(k));
    if (strncmp(k, "net.", 4) == 0)
        return CLONE_NEWNET;
    if (strncmp(k, "fs.mqueue.", 10) == 0)
        return CLONE_NEWIPC;
    for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(ipc_keys[0]); i++)
        if (strcmp(k, ipc_keys[i]) == 0)
            return CLONE_NEWIPC;
    if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0)
        return CLONE_NEWUTS;
    return 0;
}

static const char *ns_word(unsigned long ns)
{
    return ns == CLONE_NEWNET ? "network" : ns == CLONE_NEWIPC ? "ipc" : "uts";
}

int bw_sysctl_check(const struct oci_config *c, unsigned long new_ns, bw_err_t *err)
{
    const struct oci_linux *l = c->linux;
    for (size_t i = 0; l != NULL && i < l->sysctl_len; i++) {
        const char *key = l->sysctl[i].key;
        if (strlen(key) > 200)
            return bw_error_set(err, EINVAL, "config.json: linux.sysctl[\"%.64s...\"]: too long",
                                key);
        unsigned long ns = key_namespace(key);
        if (ns == 0)
            return bw_error_set(err, EINVAL,
                                "config.json: linux.sysctl[\"%s\"]: not a namespaced sysctl: "
                                "setting it would change the host (only net.*, the ipc ones "
                                "kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, and "
                                "kernel.hostname, kernel.domainname can be set)",
                                key);
        if (!(new_ns & ns)) {
            const char *type = ns == CLONE_NEWNET ? "network" : ns_word(ns);
            const struct oci_namespace *n =
                oci_linux_find_namespace(l, ns == CLONE_NEWNET   ? OCI_NS_NETWORK
                                            : ns == CLONE_NEWIPC ? OCI_NS_IPC
                                                                 : OCI_NS_UTS);
            /* Joined by path: allowed unless it is the runtime's own (an
             * engine such as Podman gives the network namespace it made
             * this way, with its sysctls in the config). */
            if (n != NULL && n->path != NULL) {
                char own[64];
                snprintf(own, sizeof(own), "/proc/self/ns/%s",
                         ns == CLONE_NEWNET ? "net" : ns_word(ns));
                struct stat a, b;
                if (stat(n->path, &a) == 0 && stat(own, &b) == 0 &&
                    (a.st_dev != b.st_dev || a.st_ino != b.st_ino))
                    continue;
                return bw_error_set(err, EINVAL,
                                    "config.json: linux.sysctl[\"%s\"]: the %s namespace "
                                    "joined (`%s`) is the host's: setting it would change the "
                                    "host",
                                    key, type, n->path);
            }
            return bw_error_set(err, EINVAL,
                                "config.json: linux.sysctl[\"%s\"]: needs a new %s namespace "
                                "(add {\"type\": \"%s\"} to linux.namespaces); without one it "
                                "would change the host's",
                                key, type, type);
        }
    }
    return 0;
}

int bw_sysctl_open(const struct oci_config *c, bw_err_t *err)
{
    if (c->linux == NULL || c->linux->sysctl_len == 0)
        return -1;
    int fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "open `/proc/sys` for linux.sysctl");
    /* A joined mount namespace decides what /proc is: a plain directory
     * there would take the writes and change nothing. */
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
        close(fd);
        return bw_error_set(err, 0, "linux.sysctl: `/proc/sys` is not a procfs");
    }
    return fd;
}

static int write_one(int sysfd, const char *key, const char *value, bw_err_t *err)
{
    char k[256];
    dotted(key, k, sizeof(k));
    if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0) {
        int r =
            k[7] == 'h' ? sethostname(value, strlen(value)) : setdomainname(value, strlen(value));
        return r < 0 ? bw_error_errno(err, "set it to \"%s\"", value) : 0;
    }
    /* A key with '/' is a path already (an interface name may hold a dot:
     * net/ipv4/conf/eth0.100/forwarding); else dots separate. */
    char path[256];
    snprintf(path, sizeof(path), "%s", key);
    if (strchr(path, '/') == NULL)
        for (char *p = path; *p; p++)
            if (*p == '.')
                *p = '/';
    int fd = bw_openat2(sysfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY,
                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd < 0 && errno == ENOSYS)
        fd = openat(sysfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return bw_error_set(err, e, "no such sysctl (`/proc/sys/%s`) in the container", path);
        if (e == EROFS)
            return bw_error_set(err, e, "open `/proc/sys/%s`: burrow's own /proc/sys is read-only",
                                path);
        return bw_error_set(err, e, "open `/proc/sys/%s`", path);
    }
    int r = bw_write_all(fd, value, strlen(value));
    int e = errno;
    close(fd);
    if (r < 0)
        return bw_error_set(err, e, "write \"%s\" to `/proc/sys/%s`", value, path);
    return 0;
}

int bw_sysctl_apply(const struct oci_config *c, int sysfd, bw_err_t *err)
{
    if (sysfd < 0)
        return 0;
    cleanup_close int fd = sysfd;
    const struct oci_linux *l = c->linux;
    for (size_t i = 0; i < l->sysctl_len; i++) {
        if (write_one(fd, l->sysctl[i].key, l->sysctl[i].value, err) < 0)
            return bw_error_prefix(err, "config.json: linux.sysctl[\"%s\"]", l->sysctl[i].key);
    }
    return 0;
}
