/* burrow: idmapped mounts (see idmount.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/idmount.h"
#include "linux/mounts.h"
#include "util/cleanup.h"

void bw_idmounts_free(struct bw_idmounts *m)
{
    for (size_t i = 0; m->fd != NULL && i < m->len; i++) {
        if (m->fd[i] >= 0)
            close(m->fd[i]);
    }
    free(m->fd);
    m->fd = NULL;
    m->len = 0;
}

/* A user namespace with the maps of `plan`, as an fd: a child unshares it
 * and waits while we write its maps and open /proc/PID/ns/user, then exits.
 * The namespace lives on through the fd. */
static int make_userns(const struct bw_idmap_plan *plan, bw_err_t *err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return bw_error_errno(err, "socketpair");
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return bw_error_set(err, e, "fork");
    }
    if (pid == 0) {
        close(sv[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        int e = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
        char c;
        if (write(sv[1], &e, sizeof(e)) == (ssize_t)sizeof(e))
            while (read(sv[1], &c, 1) < 0 && errno == EINTR)
                ;
        _exit(0);
    }
    close(sv[1]);
    int fd = -1, e = 0;
    ssize_t n;
    do
        n = read(sv[0], &e, sizeof(e));
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(e)) {
        bw_error_set(err, n < 0 ? errno : EIO, "create a user namespace for the mapping");
    } else if (e != 0) {
        bw_error_set(err, e, "create a user namespace for the mapping");
    } else if (bw_idmap_write(pid, plan, err) == 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            bw_error_errno(err, "open `%s`", path);
    }
    close(sv[0]); /* the child exits */
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return fd;
}

static bool is_bind(const struct oci_mount *m, const struct bw_mount_opts *o)
{
    return (o->flags & MS_BIND) || (m->type != NULL && strcmp(m->type, "bind") == 0);
}

/* The user namespace for mounts[i]: its own mappings, or the container's. */
static int userns_for(const struct oci_mount *m, const struct bw_idmap_plan *container,
                      int join_userns_fd, int *shared, bw_err_t *err)
{
    if (m->uid_mappings != NULL) {
        struct oci_linux l = {.uid_mappings = m->uid_mappings,
                              .uid_mappings_len = m->uid_mappings_len,
                              .gid_mappings = m->gid_mappings,
                              .gid_mappings_len = m->gid_mappings_len};
        struct bw_idmap_plan plan = {0};
        int fd = -1;
        if (bw_idmap_plan_from_config(&l, &plan, err) == 0 &&
            bw_idmap_plan_prepare(&plan, geteuid(), getegid(), err) == 0)
            fd = make_userns(&plan, err);
        bw_idmap_plan_free(&plan);
        return fd;
    }
    if (*shared < 0) {
        if (join_userns_fd >= 0)
            *shared = fcntl(join_userns_fd, F_DUPFD_CLOEXEC, 3);
        else if (container != NULL)
            *shared = make_userns(container, err);
        else
            return bw_error_set(err, EINVAL,
                                "no uidMappings and gidMappings, and the container has no user "
                                "namespace whose mapping could be used");
        if (*shared < 0)
            return *err ? -1 : bw_error_errno(err, "dup");
    }
    return fcntl(*shared, F_DUPFD_CLOEXEC, 3);
}

static int prepare_tree(const struct oci_mount *m, size_t i, const struct bw_mount_opts *o,
                        const char *bundle, const struct bw_idmap_plan *container,
                        int join_userns_fd, int *shared, bw_err_t *err)
{
    const char *field = m->uid_mappings != NULL ? "uidMappings" : "options";
    if (!is_bind(m, o) || m->source == NULL)
        return bw_error_set(err, ENOTSUP,
                            "config.json: mounts[%zu].%s: idmapped mounts are supported for bind "
                            "mounts only (`%s` on `%s`)",
                            i, field, m->type ? m->type : "none", m->destination);
    cleanup_free char *src = NULL;
    if (m->source[0] == '/')
        src = strdup(m->source);
    else if (asprintf(&src, "%s/%s", bundle, m->source) < 0)
        src = NULL;
    if (src == NULL)
        return bw_error_set(err, ENOMEM, "idmapped mount");
    char what[600];
    snprintf(what, sizeof(what), "config.json: mounts[%zu].%s: idmapped mount of `%s` on `%s`", i,
             field, m->source, m->destination);
    cleanup_close int userns = userns_for(m, container, join_userns_fd, shared, err);
    if (userns < 0)
        return bw_error_prefix(err, "%s", what);
    return bw_fs_idmapped_tree(src, o, userns, what, err);
}

static int prepare_one(const struct oci_mount *m, size_t i, const char *bundle,
                       const struct bw_idmap_plan *container, int join_userns_fd, int *shared,
                       int *out, bw_err_t *err)
{
    struct bw_mount_opts o;
    if (bw_mount_opts_parse(m->options, m->options_len, &o, err) < 0)
        return -1;
    *out = prepare_tree(m, i, &o, bundle, container, join_userns_fd, shared, err);
    bw_mount_opts_free(&o);
    return *out < 0 ? -1 : 0;
}

int bw_idmounts_prepare(const struct oci_config *c, const char *bundle,
                        const struct bw_idmap_plan *container, int join_userns_fd,
                        struct bw_idmounts *out, bw_err_t *err)
{
    out->fd = NULL;
    out->len = 0;
    cleanup_close int shared = -1;
    for (size_t i = 0; i < c->mounts_len; i++) {
        const struct oci_mount *m = &c->mounts[i];
        bool idmap = m->uid_mappings != NULL || m->gid_mappings != NULL;
        for (size_t k = 0; !idmap && k < m->options_len; k++)
            idmap = strcmp(m->options[k], "idmap") == 0 || strcmp(m->options[k], "ridmap") == 0;
        if (!idmap)
            continue;
        if (out->fd == NULL) {
            out->fd = malloc(c->mounts_len * sizeof(int));
            if (out->fd == NULL)
                return bw_error_set(err, ENOMEM, "idmapped mounts");
            out->len = c->mounts_len;
            for (size_t k = 0; k < out->len; k++)
                out->fd[k] = -1;
        }
        if (prepare_one(m, i, bundle, container, join_userns_fd, &shared, &out->fd[i], err) < 0) {
            bw_idmounts_free(out);
            return -1;
        }
    }
    return 0;
}
