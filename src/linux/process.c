#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/process.h"
#include "linux/selfexec.h"
#include "util/cleanup.h"
#include "util/log.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static int cap_set_from_names(char **names, size_t n, const char *set, uint64_t *mask,
                              bw_err_t *err)
{
    *mask = 0;
    int last = (int)cap_max_bits() - 1;
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        cap_value_t v;
        /* cap_from_name also takes numbers and lowercase: the spec's names
         * are "CAP_" and upper case. */
        bool ok = strncmp(name, "CAP_", 4) == 0 && isupper((unsigned char)name[4]);
        if (!ok || cap_from_name(name, &v) < 0)
            return bw_error_set(err, EINVAL,
                                "process.capabilities.%s[%zu]: unknown capability \"%s\"", set, i,
                                name);
        if (v > last || v > 63) {
            bw_warn("process.capabilities.%s: %s is not supported by this kernel; ignored", set,
                    name);
            continue;
        }
        *mask |= 1ULL << v;
    }
    return 0;
}

int bw_process_prepare(const struct oci_process *p, const struct oci_linux *lx,
                       struct bw_process_plan *plan, bw_err_t *err)
{
    memset(plan, 0, sizeof(*plan));
    plan->p = p;
    if (bw_procattr_prepare(&plan->attr, p, lx, err) < 0)
        return -1;
    /* The binary on disk, also when running from its sealed copy. */
    bw_selfexec_identity(&plan->self_dev, &plan->self_ino);
    const struct oci_capabilities *c = p->capabilities;
    if (c == NULL)
        return 0;
    plan->caps = true;
    if (cap_set_from_names(c->bounding, c->bounding_len, "bounding", &plan->bounding, err) < 0 ||
        cap_set_from_names(c->effective, c->effective_len, "effective", &plan->effective, err) <
            0 ||
        cap_set_from_names(c->inheritable, c->inheritable_len, "inheritable", &plan->inheritable,
                           err) < 0 ||
        cap_set_from_names(c->permitted, c->permitted_len, "permitted", &plan->permitted, err) <
            0 ||
        cap_set_from_names(c->ambient, c->ambient_len, "ambient", &plan->ambient, err) < 0)
        return -1;
    return 0;
}

int bw_process_before_clone(struct bw_process_plan *plan, bw_err_t *err)
{
    return bw_procattr_before_clone(&plan->attr, err);
}

void bw_process_after_clone(struct bw_process_plan *plan)
{
    bw_procattr_after_clone(&plan->attr);
}

int bw_process_early(struct bw_process_plan *plan, bw_err_t *err)
{
    return bw_procattr_early(&plan->attr, err);
}

void bw_process_plan_free(struct bw_process_plan *plan)
{
    free(plan->exec_path);
    plan->exec_path = NULL;
    bw_seccomp_free(plan->seccomp);
    plan->seccomp = NULL;
}

static const char *env_get(char **env, const char *name)
{
    size_t n = strlen(name);
    for (char **e = env; e != NULL && *e != NULL; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

/* False with errno set: stat's error, or EACCES (as execve would say) for
 * something that exists but is not an executable regular file. */
static bool is_executable_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return false;
    if (S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0)
        return true;
    errno = EACCES;
    return false;
}

int bw_process_check(struct bw_process_plan *plan, bw_err_t *err)
{
    const struct oci_process *p = plan->p;
    struct stat st;
    if (stat(p->cwd, &st) < 0)
        return bw_error_errno(err, "process.cwd `%s`", p->cwd);
    if (!S_ISDIR(st.st_mode))
        return bw_error_set(err, ENOTDIR, "process.cwd `%s` is not a directory in the container",
                            p->cwd);
    const char *arg0 = p->args[0];
    if (strchr(arg0, '/') != NULL) {
        /* As execvp: a name with a slash is a path, relative to cwd. */
        char *path = NULL;
        if (arg0[0] == '/')
            path = strdup(arg0);
        else if (asprintf(&path, "%s/%s", strcmp(p->cwd, "/") ? p->cwd : "", arg0) < 0)
            path = NULL;
        if (path == NULL)
            return bw_error_set(err, ENOMEM, "find the executable");
        if (!is_executable_file(path)) {
            int e = errno;
            free(path);
            return bw_error_set(
                err, e, "process.args[0] `%s`: not an executable file in the container", arg0);
        }
        plan->exec_path = path;
        return 0;
    }
    const char *search = env_get(p->env, "PATH");
    cleanup_free char *dirs = strdup(search ? search : default_path);
    if (dirs == NULL)
        return bw_error_set(err, ENOMEM, "find the executable");
    char *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
        char *cand = NULL;
        if (asprintf(&cand, "%s/%s", d[0] ? d : ".", arg0) < 0)
            return bw_error_set(err, ENOMEM, "find the executable");
        if (is_executable_file(cand)) {
            plan->exec_path = cand;
            return 0;
        }
        free(cand);
    }
    return bw_error_set(err, ENOENT,
                        "process.args[0] `%s`: executable file not found in the container's "
                        "PATH (%s)",
                        arg0, search ? search : default_path);
}

static int apply_rlimits(const struct oci_process *p, bw_err_t *err)
{
    for (size_t i = 0; i < p->rlimits_len; i++) {
        const struct oci_rlimit *r = &p->rlimits[i];
        struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};
        if (setrlimit(r->type, &rl) < 0)
            return bw_error_errno(err, "process.rlimits[%zu]: set %s to soft %llu, hard %llu", i,
                                  r->type_name, (unsigned long long)r->soft,
                                  (unsigned long long)r->hard);
    }
    return 0;
}

static int drop_bounding(const struct bw_process_plan *plan, bw_err_t *err)
{
    int last = (int)cap_max_bits() - 1;
    for (int c = 0; c <= last; c++) {
        if (plan->bounding & (1ULL << c))
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return bw_error_errno(err, "drop capability %d from the bounding set", c);
    }
    return 0;
}

static int set_caps(const struct bw_process_plan *plan, bw_err_t *err)
{
    cap_t caps = cap_init();
    if (caps == NULL)
        return bw_error_errno(err, "cap_init");
    int last = (int)cap_max_bits() - 1;
    for (cap_value_t c = 0; c <= last && c < 64; c++) {
        if (plan->effective & (1ULL << c))
            cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
        if (plan->permitted & (1ULL << c))
            cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET);
        if (plan->inheritable & (1ULL << c))
            cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET);
    }
    int r = cap_set_proc(caps);
    int e = errno;
    cap_free(caps);
    if (r < 0)
        return bw_error_set(err, e, "set the process capabilities");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return bw_error_errno(err, "clear the ambient capabilities");
    for (int c = 0; c <= last && c < 64; c++) {
        if (!(plan->ambient & (1ULL << c)))
            continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
            bw_warn("process.capabilities.ambient: cannot raise capability %d: %s", c,
                    strerror(errno));
    }
    return 0;
}

int bw_process_check_groups(const struct oci_process *p, bool setgroups_allowed, bw_err_t *err)
{
    if (setgroups_allowed || p->user == NULL || p->user->additional_gids_len == 0)
        return 0;
    return bw_error_set(err, EPERM,
                        "process.user.additionalGids: supplementary groups cannot be set with a "
                        "single-id mapping (setgroups is denied); give your user a range in "
                        "/etc/subgid");
}

static int set_ids(const struct oci_process *p, bool setgroups_allowed, bw_err_t *err)
{
    uid_t uid = p->user ? p->user->uid : 0;
    gid_t gid = p->user ? p->user->gid : 0;
    size_t ngroups = p->user ? p->user->additional_gids_len : 0;
    if (bw_process_check_groups(p, setgroups_allowed, err) < 0)
        return -1;
    if (setgroups_allowed && setgroups(ngroups, ngroups ? p->user->additional_gids : NULL) < 0)
        return bw_error_errno(err, "set process.user.additionalGids");
    if (setresgid(gid, gid, gid) < 0)
        return bw_error_errno(err, "set process.user.gid %u (is it mapped in the container?)",
                              (unsigned)gid);
    if (setresuid(uid, uid, uid) < 0)
        return bw_error_errno(err, "set process.user.uid %u (is it mapped in the container?)",
                              (unsigned)uid);
    return 0;
}

int bw_process_exec(struct bw_process_plan *plan, bool setgroups_allowed, bw_err_t *err)
{
    const struct oci_process *p = plan->p;
    /* rlimits first: raising one needs CAP_SYS_RESOURCE, which may go below. */
    if (apply_rlimits(p, err) < 0)
        return -1;
    /* After rlimits (RLIMIT_RTPRIO, RLIMIT_NICE), before the ids and
     * capabilities change: scheduler, ioPriority, ... (procattr.h). */
    if (bw_procattr_apply(&plan->attr, err) < 0)
        return -1;
    /* The bounding set needs CAP_SETPCAP: drop it while we are still root. */
    if (plan->caps && drop_bounding(plan, err) < 0)
        return -1;
    /* Keep the permitted set across the change of uid, so the sets asked for
     * can be set afterwards. */
    if (plan->caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return bw_error_errno(err, "prctl(PR_SET_KEEPCAPS)");
    /* seccomp here without no_new_privs, last with it: see bw_seccomp_apply. */
    if (bw_seccomp_apply(plan->seccomp, BW_SECCOMP_BEFORE_IDS, NULL, err) < 0 ||
        set_ids(p, setgroups_allowed, err) < 0)
        return -1;
    if (plan->caps) {
        prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
        if (set_caps(plan, err) < 0)
            return -1;
    }
    umask(p->user && p->user->umask_present ? p->user->umask : 0022);
    if (chdir(p->cwd) < 0)
        return bw_error_errno(err, "chdir to process.cwd `%s`", p->cwd);
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return bw_error_errno(err, "set noNewPrivileges");
    if (bw_seccomp_apply(plan->seccomp, BW_SECCOMP_LAST, NULL, err) < 0)
        return -1;

    /* Open the executable once, check it is not burrow itself (a container
     * must never get hold of the runtime's binary through /proc/self/exe or
     * a bind mount), and exec that very file. */
    cleanup_close int fd = open(plan->exec_path, O_PATH | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return bw_error_errno(err, "open the executable `%s`", plan->exec_path);
    if (plan->self_ino != 0 && st.st_dev == plan->self_dev && st.st_ino == plan->self_ino)
        return bw_error_set(err, EPERM,
                            "process.args[0] `%s` is the burrow binary itself: refusing to run "
                            "the runtime inside the container",
                            p->args[0]);

    /* Nothing but stdio (and the fds asked for) reaches the container. */
    for (int keep = 3; keep < 3 + plan->preserve_fds; keep++)
        fcntl(keep, F_SETFD, 0);
    syscall(SYS_close_range, 3 + plan->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    char *const *envp = p->env ? p->env : (char *const[]){NULL};
    syscall(SYS_execveat, fd, "", p->args, envp, AT_EMPTY_PATH);
    /* A script run through an O_CLOEXEC fd fails with ENOENT (the
     * interpreter cannot open /dev/fd/N): exec it by path instead. */
    if (errno == ENOENT)
        execve(plan->exec_path, p->args, envp);
    return bw_error_errno(err, "exec `%s`", plan->exec_path);
}
