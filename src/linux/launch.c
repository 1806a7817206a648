/* burrow: the setup sequence of one container.
 *
 * Phases, in order (the function that does each is named after it):
 *
 *  parent
 *   P1 prepare      open namespace paths, decide the id mappings and find
 *                   newuidmap/newgidmap, resolve capability names, check
 *                   devices and sysctls, compile the seccomp filter: all
 *                   that can fail cleanly, before anything exists; then
 *                   the detached idmapped mounts
 *   P2 spawn        clone3 with the new namespaces (the user namespace is
 *                   created first by the kernel, the others owned by it);
 *                   process.oomScoreAdj is burrow's own around it, inherited
 *   P3 map ids      write uid_map/gid_map (or run newuidmap/newgidmap, both
 *                   at once), then tell the child
 *   P4 wait         for `created` or an error from the child
 *  child
 *   C1 join         setns into namespaces given by path (user first), create
 *                   the rest with unshare; fork once more when the pid or
 *                   time namespace only applies to children
 *   C2 become root  of the user namespace, non-dumpable from here on; a
 *                   session keyring of its own (unless --no-new-keyring)
 *   C3 rootfs       "/" a slave, the rootfs bound onto itself, mounts[] in
 *                   order, /dev, linux.devices, masked and read-only paths; with
 *                   process.terminal a pty of the container's devpts (the
 *                   controlling terminal and stdio), its master sent up
 *   C3' hooks       when the config has hooks before start: the parent runs
 *                   prestart and createRuntime (P4), then the child runs
 *                   createContainer (container/hooks.h)
 *   C4 pivot_root   and detach the old root; root.readonly
 *   C5 hostname     and domainname, then linux.sysctl
 *   C6 check        the executable and cwd exist; report `created`
 *   C7 wait         on the exec fifo until `start` opens it, then run the
 *                   startContainer hooks
 *   C8 exec         rlimits, process attributes (linux/procattr.h), ids,
 *                   capabilities, no_new_privs, seccomp, exec (seccomp
 *                   before the ids without no_new_privs, and before C6 with
 *                   a NOTIFY rule: see linux/seccomp.c)
 *
 * Errors in the child travel to the parent over the sync socket before
 * `created`, and through the exec fifo to `start` after it.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/hooks.h"
#include "container/state.h"
#include "linux/devices.h"
#include "linux/launch.h"
#include "linux/mounts.h"
#include "linux/proc.h"
#include "linux/seccomp-filter.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "linux/sysctl.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

struct clone_args_v2 {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
    uint64_t set_tid; /* v1 */
    uint64_t set_tid_size;
    uint64_t cgroup; /* v2: CLONE_INTO_CGROUP */
};

void bw_launch_init(struct bw_launch *l)
{
    memset(l, 0, sizeof(*l));
    l->statedir_fd = l->lock_fd = l->sync_fd = l->console_fd = l->console_sock = -1;
    l->cgroup_fd = -1;
    for (int i = 0; i < OCI_NS__COUNT; i++)
        l->join_fd[i] = -1;
}

void bw_launch_free(struct bw_launch *l)
{
    for (int i = 0; i < OCI_NS__COUNT; i++) {
        if (l->join_fd[i] >= 0)
            close(l->join_fd[i]);
        l->join_fd[i] = -1;
    }
    if (l->sync_fd >= 0)
        close(l->sync_fd);
    l->sync_fd = -1;
    if (l->console_fd >= 0)
        close(l->console_fd);
    l->console_fd = -1;
    bw_idmap_plan_free(&l->idmap);
    bw_process_plan_free(&l->proc);
    bw_idmounts_free(&l->idmounts);
}

/* ------------------------------------------------------------------------
 * P1 prepare
 */

static int open_namespace(const struct oci_namespace *ns, size_t index, bw_err_t *err)
{
    const char *type = oci_namespace_type_name(ns->type);
    int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "linux.namespaces[%zu]: open %s namespace `%s`", index, type,
                              ns->path);
    int kind = ioctl(fd, NS_GET_NSTYPE);
    if (kind >= 0 && kind != oci_namespace_clone_flag(ns->type)) {
        close(fd);
        return bw_error_set(err, EINVAL, "linux.namespaces[%zu]: `%s` is not a %s namespace", index,
                            ns->path, type);
    }
    if (kind < 0 && errno == ENOTTY) {
        close(fd);
        return bw_error_set(err, EINVAL, "linux.namespaces[%zu]: `%s` is not a namespace", index,
                            ns->path);
    }
    return fd;
}

static int prepare_namespaces(struct bw_launch *l, bool rootless, bw_err_t *err)
{
    const struct oci_linux *lx = l->config->linux;
    unsigned long new_flags = 0;
    bool user_seen = false, mount_seen = false;
    for (size_t i = 0; lx != NULL && i < lx->namespaces_len; i++) {
        const struct oci_namespace *ns = &lx->namespaces[i];
        if (ns->type == OCI_NS_USER)
            user_seen = true;
        if (ns->type == OCI_NS_MOUNT)
            mount_seen = true;
        if (ns->type == OCI_NS_PID)
            l->own_pidns = true;
        if (ns->path != NULL) {
            l->join_fd[ns->type] = open_namespace(ns, i, err);
            if (l->join_fd[ns->type] < 0)
                return -1;
            if (ns->type == OCI_NS_PID)
                l->own_pidns = false; /* shared with whoever owns it */
        } else {
            new_flags |= (unsigned long)oci_namespace_clone_flag(ns->type);
        }
    }
    /* The rootfs is set up by mounting and pivot_root: in the runtime's own
     * mount namespace that would rearrange the host's mount table. */
    if (!mount_seen)
        return bw_error_set(err, EINVAL,
                            "linux.namespaces: a mount namespace is required: burrow mounts the "
                            "rootfs and pivots into it (add {\"type\": \"mount\"})");
    /* An unprivileged caller gets a user namespace whether the config asks
     * for one or not: nothing else would work without it. */
    if (!user_seen && rootless)
        new_flags |= CLONE_NEWUSER;
    l->new_userns = (new_flags & CLONE_NEWUSER) != 0;
    l->in_userns = l->new_userns || l->join_fd[OCI_NS_USER] >= 0 || bw_proc_in_child_userns();

    bool pid_join = l->join_fd[OCI_NS_PID] >= 0;
    bool time_any = (new_flags & CLONE_NEWTIME) || l->join_fd[OCI_NS_TIME] >= 0;
    /* After joining a user namespace a new pid namespace is made by unshare
     * (below), not by clone. */
    bool pid_unshared = (new_flags & CLONE_NEWPID) && l->join_fd[OCI_NS_USER] >= 0;
    /* A new or joined pid (time) namespace applies only to children of the
     * caller of unshare/setns, so the init must be forked once more. */
    l->fork_again = pid_join || time_any || pid_unshared;
    if (l->join_fd[OCI_NS_USER] >= 0) {
        /* Namespaces created after joining a user namespace must be created
         * by the child, inside it, to be owned by it. */
        l->unshare_flags = new_flags & ~(unsigned long)CLONE_NEWUSER;
        l->clone_flags = 0;
    } else if (l->fork_again) {
        l->unshare_flags = new_flags & (CLONE_NEWPID | CLONE_NEWTIME);
        l->clone_flags = new_flags & ~(unsigned long)(CLONE_NEWPID | CLONE_NEWTIME);
    } else {
        l->clone_flags = new_flags;
    }
    /* A joined mount namespace is only the starting point: the rootfs is set
     * up in a private copy of it (unshare after the setns), so that making
     * "/" a slave and pivot_root never touch the namespace joined (given
     * /proc/1/ns/mnt, the host's own). */
    if (l->join_fd[OCI_NS_MOUNT] >= 0)
        l->unshare_flags |= CLONE_NEWNS;
    return 0;
}

/* An id of process.user outside the mappings would only fail at exec, after
 * `start`, with a bare EINVAL from setresuid: name it now, before anything
 * exists. */
static int check_user_mapped(const struct bw_launch *l, bool rootless, bw_err_t *err)
{
    const struct oci_user *u = l->config->process ? l->config->process->user : NULL;
    if (u == NULL)
        return 0;
    const struct bw_idmap *um = &l->idmap.uid, *gm = &l->idmap.gid;
    /* The single mapping of a user without a subordinate range. */
    const char *hint = rootless && um->len == 1 && gm->len == 1
                           ? ": only your own id is mapped, as 0; to use other ids give your "
                             "user a range in /etc/subuid and /etc/subgid"
                           : "";
    if (bw_idmap_to_host(um->m, um->len, u->uid) < 0)
        return bw_error_set(err, EINVAL,
                            "process.user.uid %u is not mapped in the container's user "
                            "namespace%s",
                            (unsigned)u->uid, hint);
    if (bw_idmap_to_host(gm->m, gm->len, u->gid) < 0)
        return bw_error_set(err, EINVAL,
                            "process.user.gid %u is not mapped in the container's user "
                            "namespace%s",
                            (unsigned)u->gid, hint);
    if (bw_process_check_groups(l->config->process, !l->idmap.deny_setgroups, err) < 0)
        return -1;
    for (size_t i = 0; i < u->additional_gids_len; i++) {
        if (bw_idmap_to_host(gm->m, gm->len, u->additional_gids[i]) < 0)
            return bw_error_set(err, EINVAL,
                                "process.user.additionalGids[%zu]: gid %u is not mapped in the "
                                "container's user namespace%s",
                                i, (unsigned)u->additional_gids[i], hint);
    }
    return 0;
}

static int prepare_idmap(struct bw_launch *l, bool rootless, bw_err_t *err)
{
    const struct oci_linux *lx = l->config->linux;
    bool config_maps = lx != NULL && (lx->uid_mappings_len > 0 || lx->gid_mappings_len > 0);
    if (!l->new_userns) {
        if (config_maps && l->join_fd[OCI_NS_USER] < 0)
            return bw_error_set(err, EINVAL,
                                "linux.uidMappings: mappings need a new user namespace in "
                                "linux.namespaces");
        return 0;
    }
    if (config_maps) {
        if (lx->uid_mappings_len == 0 || lx->gid_mappings_len == 0)
            return bw_error_set(err, EINVAL, "linux.%s: required with linux.%s",
                                lx->uid_mappings_len ? "gidMappings" : "uidMappings",
                                lx->uid_mappings_len ? "uidMappings" : "gidMappings");
        if (bw_idmap_plan_from_config(lx, &l->idmap, err) < 0)
            return -1;
    } else if (rootless) {
        if (bw_idmap_plan_default(geteuid(), getegid(), &l->idmap, err) < 0)
            return -1;
    } else {
        return bw_error_set(err, EINVAL,
                            "linux.uidMappings: a new user namespace needs uidMappings and "
                            "gidMappings");
    }
    if (bw_idmap_plan_prepare(&l->idmap, geteuid(), getegid(), err) < 0 ||
        check_user_mapped(l, rootless, err) < 0)
        return -1;
    l->setgroups_allowed = !l->idmap.deny_setgroups;
    return 0;
}

int bw_launch_prepare(struct bw_launch *l, bw_err_t *err)
{
    bool rootless = geteuid() != 0;
    /* In a user namespace someone else made (`unshare -r`), setgroups(2) may
     * be denied already: a container that makes none inherits that. */
    l->setgroups_allowed = !bw_proc_setgroups_denied(0);
    if (prepare_namespaces(l, rootless, err) < 0 || prepare_idmap(l, rootless, err) < 0)
        return -1;
    if (l->config->hostname != NULL && l->config->hostname[0] != '\0' &&
        !((l->clone_flags | l->unshare_flags) & CLONE_NEWUTS))
        return bw_error_set(err, EINVAL,
                            "hostname: setting it needs a new uts namespace in linux.namespaces");
    if (l->config->domainname != NULL && l->config->domainname[0] != '\0' &&
        !((l->clone_flags | l->unshare_flags) & CLONE_NEWUTS))
        return bw_error_set(err, EINVAL,
                            "domainname: setting it needs a new uts namespace in "
                            "linux.namespaces");
    if (l->config->linux && l->config->linux->time_offsets &&
        !((l->clone_flags | l->unshare_flags) & CLONE_NEWTIME))
        return bw_error_set(err, EINVAL,
                            "linux.timeOffsets: needs a new time namespace in linux.namespaces");
    if (bw_devices_check_host(l->config, l->in_userns, err) < 0 ||
        bw_sysctl_check(l->config, l->clone_flags | l->unshare_flags, err) < 0)
        return -1;
    if (bw_process_prepare(l->config->process, l->config->linux, &l->proc, err) < 0)
        return -1;
    /* Compiled here so that a bad filter fails `create` before anything
     * exists; only loaded by the child. */
    if (bw_seccomp_prepare(l->config->linux ? l->config->linux->seccomp : NULL,
                           l->config->process->no_new_privileges, l->state_root, &l->proc.seccomp,
                           err) < 0)
        return -1;
    /* Last: it creates (and keeps) mounts, which the rest need not. */
    if (bw_idmounts_prepare(l->config, l->bundle, l->new_userns ? &l->idmap : NULL,
                            l->join_fd[OCI_NS_USER], &l->idmounts, err) < 0)
        return -1;
    l->proc.preserve_fds = l->preserve_fds;
    l->hook_stop = bw_hooks_has(l->config, OCI_HOOK_PRESTART) ||
                   bw_hooks_has(l->config, OCI_HOOK_CREATE_RUNTIME) ||
                   bw_hooks_has(l->config, OCI_HOOK_CREATE_CONTAINER);
    return 0;
}

/* ------------------------------------------------------------------------
 * The child
 */

/* The child cannot return an error to a caller: it reports and exits. */
static __attribute__((noreturn)) void child_fail(int sync_fd, bw_err_t *err)
{
    bw_sync_send_error(sync_fd, *err);
    _exit(1);
}

static const char *namespace_path(const struct oci_linux *lx, enum oci_namespace_type type)
{
    for (size_t i = 0; lx != NULL && i < lx->namespaces_len; i++) {
        if (lx->namespaces[i].type == type && lx->namespaces[i].path != NULL)
            return lx->namespaces[i].path;
    }
    return "?";
}

/* C1 join */
static int child_join(struct bw_launch *l, bw_err_t *err)
{
    /* The user namespace first: joining it gives the rights to join and
     * create the others. */
    static const enum oci_namespace_type order[] = {OCI_NS_USER,    OCI_NS_IPC,  OCI_NS_UTS,
                                                    OCI_NS_NETWORK, OCI_NS_PID,  OCI_NS_CGROUP,
                                                    OCI_NS_TIME,    OCI_NS_MOUNT};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        int fd = l->join_fd[order[i]];
        if (fd < 0)
            continue;
        if (setns(fd, oci_namespace_clone_flag(order[i])) < 0) {
            const char *type = oci_namespace_type_name(order[i]);
            const char *path = namespace_path(l->config->linux, order[i]);
            /* Rootless, the namespaces of another container belong to its
             * user namespace: ours, new, has no right over them. */
            if (errno == EPERM && l->new_userns)
                return bw_error_set(err, EPERM,
                                    "join the %s namespace `%s`: not allowed from a new user "
                                    "namespace; join the user namespace that owns it too "
                                    "({\"type\": \"user\", \"path\": ...} in linux.namespaces)",
                                    type, path);
            return bw_error_errno(err, "join the %s namespace `%s`", type, path);
        }
        close(fd);
        l->join_fd[order[i]] = -1;
        if (order[i] == OCI_NS_USER) {
            /* A user namespace made by an unprivileged single-id mapping
             * denies setgroups(2) to all its members, us included. */
            if (bw_proc_setgroups_denied(0))
                l->setgroups_allowed = false;
        }
    }
    if (l->unshare_flags != 0 && unshare((int)l->unshare_flags) < 0)
        return bw_error_errno(err, "create namespaces (unshare 0x%lx)", l->unshare_flags);
    const struct oci_linux *lx = l->config->linux;
    if ((l->unshare_flags & CLONE_NEWTIME) && lx != NULL && lx->time_offsets != NULL) {
        /* Offsets can be written only before a process enters the namespace. */
        char buf[128];
        int n = 0;
        const struct oci_time_offset *m = lx->time_offsets->monotonic;
        const struct oci_time_offset *b = lx->time_offsets->boottime;
        if (m != NULL)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "monotonic %lld %u\n",
                          (long long)m->secs, m->nanosecs);
        if (b != NULL)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "boottime %lld %u\n",
                          (long long)b->secs, b->nanosecs);
        if (n > 0 && bw_write_existing_file("/proc/self/timens_offsets", buf, (size_t)n, err) < 0)
            return bw_error_prefix(err, "linux.timeOffsets");
    }
    return 0;
}

/* C2 become root of the user namespace (after a join, or a mapping that
 * does not map our host uid to 0). */
static int child_become_root(struct bw_launch *l, bw_err_t *err)
{
    if (!l->in_userns)
        return 0;
    if (l->setgroups_allowed && setgroups(0, NULL) < 0 && errno != EPERM)
        return bw_error_errno(err, "drop supplementary groups");
    if (setresgid(0, 0, 0) < 0)
        return bw_error_errno(err, "become gid 0 in the container (is 0 mapped?)");
    if (setresuid(0, 0, 0) < 0)
        return bw_error_errno(err, "become uid 0 in the container (is 0 mapped?)");
    return 0;
}

/* C2: a new session keyring, named after the container, so that the
 * container does not share the caller's keys (runc's behaviour; engines that
 * manage keyrings pass --no-new-keyring). */
static int child_keyring(struct bw_launch *l, bw_err_t *err)
{
    if (l->no_new_keyring)
        return 0;
    char name[1100];
    snprintf(name, sizeof(name), "_ses.%s", l->id != NULL ? l->id : "burrow");
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) >= 0) {
        /* The owner may search and link it too (the possessor may do all),
         * so that `burrow exec` joins this very keyring by its name rather
         * than making another. */
        const unsigned long perm = 0x3f000000 /* possessor: all */ | 0x00010000 /* user: view */ |
                                   0x00020000 /* read */ | 0x00080000 /* search */ |
                                   0x00100000 /* link */;
        if (syscall(SYS_keyctl, KEYCTL_SETPERM, KEY_SPEC_SESSION_KEYRING, perm) < 0)
            bw_debug("session keyring: set its permissions: %s", strerror(errno));
        return 0;
    }
    if (errno == ENOSYS)
        return 0; /* a kernel without keys: nothing to share either */
    if (errno == EDQUOT)
        return bw_error_errno(err, "create a session keyring for the container: too many keys "
                                   "for this user (see /proc/sys/kernel/keys/maxkeys; "
                                   "--no-new-keyring keeps the caller's instead)");
    return bw_error_errno(err, "create a session keyring for the container (--no-new-keyring "
                               "keeps the caller's instead)");
}

/* C3: a process.cwd missing from the rootfs is created (0755, owned by the
 * container's root), as runc and crun do, so an image's WorkingDir need not
 * exist.  Here, after mounts[] (the cwd may be on one of them) and before
 * root.readonly and readonlyPaths, which would forbid it. */
static int child_make_cwd(const struct bw_fs_ctx *fs, const char *cwd, bw_err_t *err)
{
    bw_err_t e = NULL;
    int fd = bw_open_in_root(fs->rootfd, cwd, O_PATH, &e);
    if (fd < 0 && e->code == ENOENT) {
        bw_error_free(&e);
        fd = bw_mkpath_in_root(fs->rootfd, cwd, true, 0755, err);
        if (fd < 0)
            return bw_error_prefix(err, "create process.cwd `%s`", cwd);
    }
    /* Anything else (not a directory, a loop) is for bw_process_check to
     * report, in the container's own terms. */
    bw_error_free(&e);
    if (fd >= 0)
        close(fd);
    return 0;
}

/* Hooks run by the child, in the container's namespaces: `status` and the
 * pid as the container sees it, with the usual umask rather than ours. */
static int child_hooks(struct bw_launch *l, enum oci_hook_kind kind, const char *status,
                       bw_err_t *err)
{
    if (!bw_hooks_has(l->config, kind))
        return 0;
    cleanup_free char *state = bw_hooks_state(l->config, l->id, l->bundle, getpid(), status, err);
    if (state == NULL)
        return -1;
    mode_t old = umask(022);
    int r = bw_hooks_run(l->config, kind, state, err);
    umask(old);
    return r;
}

/* C3': the parent runs prestart and createRuntime while we wait. */
static int child_hook_stop(struct bw_launch *l, int sync_fd, bw_err_t *err)
{
    if (!l->hook_stop)
        return 0;
    if (bw_sync_send(sync_fd, BW_SYNC_HOOKS, 0, err) < 0 ||
        bw_sync_expect(sync_fd, BW_SYNC_HOOKS_DONE, NULL, "burrow", err) < 0)
        return -1;
    return child_hooks(l, OCI_HOOK_CREATE_CONTAINER, "creating", err);
}

/* C3-C6 */
static int child_setup(struct bw_launch *l, int sync_fd, bw_err_t *err)
{
    const struct oci_config *c = l->config;
    unsigned long ns = l->clone_flags | l->unshare_flags;
    /* Nothing in the container can read this process's memory or open its
     * /proc files while it still holds the runtime's state. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /* Device nodes and directories get exactly the modes asked for. */
    umask(0);

    struct bw_fs_ctx fs = {
        .config = c,
        .bundle = l->bundle,
        .rootfs = l->rootfs,
        .in_userns = l->in_userns,
        .new_netns = (ns & CLONE_NEWNET) != 0,
        .new_ipcns = (ns & CLONE_NEWIPC) != 0,
        .new_cgroupns = (ns & CLONE_NEWCGROUP) != 0,
        .rootfd = -1,
        .idmount_fd = l->idmounts.fd,
        .overlay = l->overlay,
    };
    if (l->overlay != NULL)
        l->overlay->sync_fd = sync_fd;
    /* /proc/sys as the runtime sees it, to write linux.sysctl after the
     * hostname (see sysctl.h). */
    int sysfd = bw_sysctl_open(c, err);
    if (sysfd < 0 && *err != NULL)
        return -1;
    if (bw_fs_prepare_rootfs(&fs, err) < 0 || bw_fs_mount_all(&fs, err) < 0 ||
        child_make_cwd(&fs, c->process->cwd, err) < 0 || bw_fs_mask_paths(&fs, err) < 0 ||
        (l->terminal && bw_terminal_init_console(fs.rootfd, c->process, &l->console_fd, err) < 0) ||
        child_hook_stop(l, sync_fd, err) < 0 || bw_fs_enter_rootfs(&fs, l->no_pivot, err) < 0)
        return -1;
    if (fs.rootfd >= 0)
        close(fs.rootfd);

    if (c->hostname != NULL && (ns & CLONE_NEWUTS) &&
        sethostname(c->hostname, strlen(c->hostname)) < 0)
        return bw_error_errno(err, "set hostname \"%s\"", c->hostname);
    if (c->domainname != NULL && (ns & CLONE_NEWUTS) &&
        setdomainname(c->domainname, strlen(c->domainname)) < 0)
        return bw_error_errno(err, "set domainname \"%s\"", c->domainname);
    if (bw_sysctl_apply(c, sysfd, err) < 0)
        return -1;
    return bw_process_check(&l->proc, err);
}

/* C7, C8: wait for `start`, then exec.  Errors after `start` go to whoever
 * opened the fifo: it reads until EOF, which a successful exec gives by
 * closing our O_CLOEXEC end. */
static __attribute__((noreturn)) void child_wait_and_exec(struct bw_launch *l)
{
    bw_err_t err = NULL;
    int fifo;
    do
        fifo = openat(l->statedir_fd, BW_EXEC_FIFO, O_WRONLY | O_CLOEXEC);
    while (fifo < 0 && errno == EINTR);
    if (fifo < 0)
        _exit(1);
    close(l->statedir_fd);
    if (child_hooks(l, OCI_HOOK_START_CONTAINER, "created", &err) == 0)
        bw_process_exec(&l->proc, l->setgroups_allowed, &err);
    char *text = bw_error_text(err);
    bw_write_all(fifo, text, strlen(text));
    _exit(127);
}

static __attribute__((noreturn)) void child_main(struct bw_launch *l, int sync_fd)
{
    bw_err_t err = NULL;
    /* The lock belongs to the burrow command; a copy here would keep the
     * container locked until exec. */
    close(l->lock_fd);
    if (l->console_sock >= 0)
        close(l->console_sock);
    /* Die with the parent until it has recorded us. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

    if (l->new_userns && bw_sync_expect(sync_fd, BW_SYNC_IDMAP_DONE, NULL, "burrow", &err) < 0)
        _exit(1);
    /* (With a user namespace, the parent places us before the maps.) */
    if (!l->new_userns && l->place != NULL &&
        bw_sync_expect(sync_fd, BW_SYNC_PLACED, NULL, "burrow", &err) < 0)
        _exit(1);
    if (bw_process_early(&l->proc, &err) < 0)
        child_fail(sync_fd, &err);
    if (child_join(l, &err) < 0)
        child_fail(sync_fd, &err);
    if (l->fork_again) {
        pid_t pid = fork();
        if (pid < 0) {
            bw_error_errno(&err, "fork the container's init");
            child_fail(sync_fd, &err);
        }
        if (pid > 0) {
            /* The parent learns the init's pid and reaps us. */
            bw_sync_send(sync_fd, BW_SYNC_PID, pid, &err);
            _exit(0);
        }
        /* Without a parent-death signal (our parent exits now), a dead
         * burrow shows as EOF on the sync socket. */
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    }
    if (child_become_root(l, &err) < 0 || child_keyring(l, &err) < 0 ||
        bw_net_child(l->net, sync_fd, ((l->clone_flags | l->unshare_flags) & CLONE_NEWNET) != 0,
                     &err) < 0 ||
        child_setup(l, sync_fd, &err) < 0)
        child_fail(sync_fd, &err);
    /* The pty master first: a NOTIFY filter, loaded next, would see the
     * sendmsg. */
    if (l->console_fd >= 0) {
        if (bw_sync_send_fd(sync_fd, BW_SYNC_CONSOLE, l->console_fd, &err) < 0)
            _exit(1);
        close(l->console_fd);
        l->console_fd = -1;
    }
    if (bw_seccomp_notify_child(l->proc.seccomp, sync_fd, &err) < 0)
        child_fail(sync_fd, &err);
    if (bw_sync_send(sync_fd, BW_SYNC_CREATED, 0, &err) < 0 ||
        bw_sync_expect(sync_fd, BW_SYNC_ACK, NULL, "burrow", &err) < 0)
        _exit(1);
    /* Recorded in state.json: from now on the container outlives `create`.
     * The parent waits for RELEASED before it exits, so that its exit
     * cannot deliver the parent-death signal we are clearing.  If it died
     * meanwhile, it did so after recording us: go on either way. */
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    bw_sync_send(sync_fd, BW_SYNC_RELEASED, 0, &err);
    bw_error_free(&err);
    close(sync_fd);
    child_wait_and_exec(l);
}

/* ------------------------------------------------------------------------
 * P2-P4 in the parent
 */

/* The child starts in the container's cgroup (CLONE_INTO_CGROUP, Linux
 * 5.7), so that nothing it does is ever accounted or limited elsewhere.
 * Older kernels: plain clone, and the parent moves it at once (*moved
 * false); it cannot have run much before. */
static pid_t clone_child(unsigned long flags, int cgroup_fd, bool *moved)
{
    struct clone_args_v2 args = {.flags = flags, .exit_signal = SIGCHLD};
    size_t size = 64; /* v0 */
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
        size = sizeof(args);
    }
    *moved = cgroup_fd >= 0;
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, size);
    if (pid < 0 && cgroup_fd >= 0 && (errno == E2BIG || errno == EINVAL || errno == ENOSYS)) {
        *moved = false;
        args.flags = flags;
        pid = (pid_t)syscall(SYS_clone3, &args, 64);
    }
    if (pid < 0 && errno == ENOSYS)
        pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    return pid;
}

static int clone_error(unsigned long flags, bw_err_t *err)
{
    int e = errno;
    if ((flags & CLONE_NEWUSER) && (e == EPERM || e == EACCES))
        return bw_error_set(err, e,
                            "create a user namespace: this kernel does not allow unprivileged "
                            "user namespaces (check sysctl kernel.unprivileged_userns_clone=1, "
                            "user.max_user_namespaces > 0, and on Ubuntu "
                            "kernel.apparmor_restrict_unprivileged_userns=0)");
    if (e == ENOSPC)
        return bw_error_set(err, e,
                            "create namespaces: a namespace limit was reached (see "
                            "/proc/sys/user/max_*_namespaces)");
    return bw_error_set(err, e, "create the container's process (clone3 flags 0x%lx)", flags);
}

/* P4: the child stopped before pivot_root; prestart then createRuntime,
 * in our namespaces, with the pid as we see it. */
static int parent_hooks(struct bw_launch *l, bw_err_t *err)
{
    if (bw_sync_expect(l->sync_fd, BW_SYNC_HOOKS, NULL, "the container's process", err) < 0)
        return -1;
    l->hooks_started = true;
    cleanup_free char *state = bw_hooks_state(l->config, l->id, l->bundle, l->pid, "creating", err);
    if (state == NULL || bw_hooks_run(l->config, OCI_HOOK_PRESTART, state, err) < 0 ||
        bw_hooks_run(l->config, OCI_HOOK_CREATE_RUNTIME, state, err) < 0)
        return -1;
    return bw_sync_send(l->sync_fd, BW_SYNC_HOOKS_DONE, 0, err);
}

int bw_launch_spawn(struct bw_launch *l, bw_err_t *err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return bw_error_errno(err, "socketpair");
    if (bw_process_before_clone(&l->proc, err) < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    /* A cgroup namespace made by clone3 would be rooted where we are, not
     * in the container's cgroup: the child makes it, from inside. */
    if ((l->cgroup_fd >= 0 || l->place != NULL) && (l->clone_flags & CLONE_NEWCGROUP)) {
        l->clone_flags &= ~(unsigned long)CLONE_NEWCGROUP;
        l->unshare_flags |= CLONE_NEWCGROUP;
    }
    bool in_cgroup = false;
    bw_overlay_before_clone(l->overlay);
    pid_t pid = clone_child(l->clone_flags, l->cgroup_fd, &in_cgroup);
    bw_overlay_after_clone(l->overlay, pid);
    if (pid != 0)
        bw_process_after_clone(&l->proc);
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return clone_error(l->clone_flags, err);
    }
    if (pid == 0) {
        close(sv[0]);
        child_main(l, sv[1]);
    }
    close(sv[1]);
    l->sync_fd = sv[0];
    l->child = l->pid = pid;
    if (l->cgroup_fd >= 0 && !in_cgroup) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        cleanup_close int procs = openat(l->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (procs < 0 || write(procs, buf, strlen(buf)) < 0)
            return bw_error_errno(err, "move the container's process into its cgroup");
    }
    if (l->place != NULL) {
        if (l->place(l->place_arg, pid, err) < 0)
            return -1;
        if (!l->new_userns && bw_sync_send(l->sync_fd, BW_SYNC_PLACED, 0, err) < 0)
            return -1;
    }

    if (l->new_userns) {
        if (bw_idmap_write(pid, &l->idmap, err) < 0)
            return bw_error_prefix(err, "map ids into the container");
        if (bw_sync_send(l->sync_fd, BW_SYNC_IDMAP_DONE, 0, err) < 0)
            return -1;
    }
    /* From here the container could see us (a shared pid namespace): it must
     * not be able to open our /proc/PID/exe or memory.  Done after the maps,
     * which newuidmap checks against the ownership of /proc/PID. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (l->fork_again) {
        int64_t init = 0;
        if (bw_sync_expect(l->sync_fd, BW_SYNC_PID, &init, "the container's process", err) < 0)
            return -1;
        l->pid = (pid_t)init;
        int status;
        while (waitpid(l->child, &status, 0) < 0 && errno == EINTR)
            ;
    }
    /* The backend starts while the child sets up its mounts. */
    if (bw_net_parent(l->net, l->sync_fd, l->pid, l->in_userns, err) < 0 ||
        bw_overlay_parent(l->overlay, l->sync_fd, err) < 0)
        return -1;
    if (l->hook_stop && parent_hooks(l, err) < 0)
        return -1;
    if (l->terminal && bw_sync_recv_fd(l->sync_fd, BW_SYNC_CONSOLE, &l->console_fd,
                                       "the container's process", err) < 0)
        return -1;
    struct bw_seccomp_peer peer = {l->id, l->bundle, l->pid, l->config->annotations,
                                   l->config->annotations_len};
    if (bw_seccomp_notify_parent(l->proc.seccomp, l->sync_fd, &peer, err) < 0)
        return -1;
    if (bw_sync_expect(l->sync_fd, BW_SYNC_CREATED, NULL, "the container's process", err) < 0)
        return -1;
    if (bw_proc_stat(l->pid, &l->pid_start, NULL) < 0)
        return bw_error_errno(err, "read the start time of the container's process %d",
                              (int)l->pid);
    return 0;
}

int bw_launch_release(struct bw_launch *l, bw_err_t *err)
{
    int r = bw_sync_send(l->sync_fd, BW_SYNC_ACK, 0, err);
    /* Until RELEASED the child dies with us (its parent-death signal). */
    if (r == 0)
        r = bw_sync_expect(l->sync_fd, BW_SYNC_RELEASED, NULL, "the container's process", err);
    close(l->sync_fd);
    l->sync_fd = -1;
    return r;
}

void bw_launch_abort(struct bw_launch *l)
{
    if (l->sync_fd >= 0) {
        close(l->sync_fd);
        l->sync_fd = -1;
    }
    if (l->pid > 0)
        kill(l->pid, SIGKILL);
    if (l->child > 0 && l->child != l->pid)
        kill(l->child, SIGKILL);
    /* Reap what is our child; a grandchild init was reparented and is
     * killed above. */
    if (l->child > 0) {
        int status;
        while (waitpid(l->child, &status, 0) < 0 && errno == EINTR)
            ;
    }
    if (l->pid > 0 && l->pid != l->child) {
        int status;
        while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    l->child = l->pid = 0;
}
