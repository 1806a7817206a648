#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/idmap.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

extern char **environ;

void bw_idmap_plan_free(struct bw_idmap_plan *p)
{
    free(p->uid.m);
    free(p->gid.m);
    free(p->uid.helper);
    free(p->gid.helper);
    memset(p, 0, sizeof(*p));
}

int bw_subid_ranges(const char *path, const char *name, unsigned long id,
                    struct bw_subid_range **out, size_t *n, bw_err_t *err)
{
    *out = NULL;
    *n = 0;
    cleanup_file FILE *f = fopen(path, "re");
    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        return bw_error_errno(err, "open `%s`", path);
    }
    cleanup_free char *line = NULL;
    size_t cap = 0;
    char idstr[32];
    snprintf(idstr, sizeof(idstr), "%lu", id);
    while (getline(&line, &cap, f) > 0) {
        char *save = NULL;
        char *who = strtok_r(line, ":\n", &save);
        char *start = strtok_r(NULL, ":\n", &save);
        char *count = strtok_r(NULL, ":\n", &save);
        if (who == NULL || start == NULL || count == NULL || who[0] == '#')
            continue;
        if (!((name != NULL && strcmp(who, name) == 0) || strcmp(who, idstr) == 0))
            continue;
        char *e1 = NULL, *e2 = NULL;
        errno = 0;
        unsigned long s = strtoul(start, &e1, 10);
        unsigned long c = strtoul(count, &e2, 10);
        if (errno != 0 || *e1 != '\0' || *e2 != '\0' || c == 0 || s > UINT32_MAX ||
            c > UINT32_MAX - s)
            continue;
        struct bw_subid_range *nr = realloc(*out, (*n + 1) * sizeof(**out));
        if (nr == NULL)
            return bw_error_set(err, ENOMEM, "read `%s`", path);
        *out = nr;
        (*out)[*n].start = s;
        (*out)[(*n)++].count = c;
    }
    return (int)*n;
}

/* caller -> 0, ranges -> 1.. */
static int build_default(struct bw_idmap *map, unsigned long own, const char *file,
                         const char *name, bool *had_ranges, bw_err_t *err)
{
    struct bw_subid_range *r = NULL;
    size_t n = 0;
    if (bw_subid_ranges(file, name, own, &r, &n, err) < 0)
        return -1;
    map->m = calloc(n + 1, sizeof(*map->m));
    if (map->m == NULL) {
        free(r);
        return bw_error_set(err, ENOMEM, "id mappings");
    }
    map->m[0] = (struct oci_id_mapping){.container_id = 0, .host_id = (uint32_t)own, .size = 1};
    map->len = 1;
    uint64_t next = 1;
    for (size_t i = 0; i < n; i++) {
        /* Container ids must stay below 2^32 - 1. */
        if (next + r[i].count > UINT32_MAX)
            break;
        map->m[map->len++] = (struct oci_id_mapping){.container_id = (uint32_t)next,
                                                     .host_id = (uint32_t)r[i].start,
                                                     .size = (uint32_t)r[i].count};
        next += r[i].count;
    }
    free(r);
    *had_ranges = map->len > 1;
    return 0;
}

int bw_idmap_plan_default(uid_t uid, gid_t gid, struct bw_idmap_plan *p, bw_err_t *err)
{
    struct passwd pw, *res = NULL;
    char buf[4096];
    const char *name = NULL;
    if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
        name = res->pw_name;
    bool uid_ranges = false, gid_ranges = false;
    if (build_default(&p->uid, uid, "/etc/subuid", name, &uid_ranges, err) < 0 ||
        build_default(&p->gid, gid, "/etc/subgid", name, &gid_ranges, err) < 0)
        return -1;
    if (!uid_ranges || !gid_ranges) {
        const char *who = name ? name : "USER";
        bw_warn("no subordinate %s range for user `%s` in %s: the container gets a single "
                "mapping (your id as root, nothing else); to map more ids add a line like "
                "`%s:100000:65536` to /etc/subuid and /etc/subgid (e.g. `sudo usermod "
                "--add-subuids 100000-165535 --add-subgids 100000-165535 %s`)",
                !uid_ranges ? "uid" : "gid", who, !uid_ranges ? "/etc/subuid" : "/etc/subgid", who,
                who);
        /* Keep the two maps alike: a wide uid map with a single gid map (or
         * the reverse) would only confuse file ownership. */
        p->uid.len = 1;
        p->gid.len = 1;
    }
    return 0;
}

static int copy_maps(struct bw_idmap *map, const struct oci_id_mapping *m, size_t len,
                     bw_err_t *err)
{
    map->m = calloc(len ? len : 1, sizeof(*m));
    if (map->m == NULL)
        return bw_error_set(err, ENOMEM, "id mappings");
    memcpy(map->m, m, len * sizeof(*m));
    map->len = len;
    return 0;
}

int bw_idmap_plan_from_config(const struct oci_linux *l, struct bw_idmap_plan *p, bw_err_t *err)
{
    if (copy_maps(&p->uid, l->uid_mappings, l->uid_mappings_len, err) < 0 ||
        copy_maps(&p->gid, l->gid_mappings, l->gid_mappings_len, err) < 0)
        return -1;
    return 0;
}

/* The absolute path of `name`, from PATH and then the usual directories. */
static char *find_helper(const char *name)
{
    const char *path = getenv("PATH");
    cleanup_free char *dirs = NULL;
    if (asprintf(&dirs, "%s:/usr/bin:/bin:/usr/sbin:/sbin", path ? path : "") < 0)
        return NULL;
    char *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
        if (d[0] != '/')
            continue; /* never a relative PATH entry for a setuid helper */
        char *cand = NULL;
        if (asprintf(&cand, "%s/%s", d, name) < 0)
            return NULL;
        if (access(cand, X_OK) == 0)
            return cand;
        free(cand);
    }
    return NULL;
}

int bw_idmap_plan_prepare(struct bw_idmap_plan *p, uid_t euid, gid_t egid, bw_err_t *err)
{
    bool privileged = euid == 0;
    p->uid.direct =
        privileged || (p->uid.len == 1 && p->uid.m[0].host_id == euid && p->uid.m[0].size == 1);
    p->gid.direct =
        privileged || (p->gid.len == 1 && p->gid.m[0].host_id == egid && p->gid.m[0].size == 1);
    /* An unprivileged writer of gid_map must first give up setgroups(2),
     * or it could drop groups that deny it access to files. */
    p->deny_setgroups = !privileged && p->gid.direct;
    struct bw_idmap *maps[2] = {&p->uid, &p->gid};
    const char *tools[2] = {"newuidmap", "newgidmap"};
    for (int i = 0; i < 2; i++) {
        if (maps[i]->direct)
            continue;
        maps[i]->helper = find_helper(tools[i]);
        if (maps[i]->helper == NULL)
            return bw_error_set(err, 0,
                                "%s not found: it is needed to map more than your own %s into "
                                "the container; install it (Debian/Ubuntu: `apt-get install "
                                "uidmap`, Fedora: shadow-utils)",
                                tools[i], i == 0 ? "uid" : "gid");
    }
    return 0;
}

long long bw_idmap_to_host(const struct oci_id_mapping *m, size_t len, unsigned long id)
{
    for (size_t i = 0; i < len; i++) {
        if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
            return (long long)m[i].host_id + (long long)(id - m[i].container_id);
    }
    return -1;
}

static char *format_map(const struct bw_idmap *map)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    for (size_t i = 0; i < map->len; i++)
        fprintf(f, "%u %u %u\n", map->m[i].container_id, map->m[i].host_id, map->m[i].size);
    fclose(f);
    return buf;
}

static int write_direct(pid_t pid, const char *file, const struct bw_idmap *map, bw_err_t *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    cleanup_free char *text = format_map(map);
    if (text == NULL)
        return bw_error_set(err, ENOMEM, "write `%s`", path);
    if (bw_write_existing_file(path, text, strlen(text), err) < 0)
        return bw_error_prefix(err, "write %s mapping `%s`", file, strtok(text, "\n"));
    return 0;
}

struct helper_run {
    pid_t pid;
    int errfd; /* read end of the helper's stderr */
};

/* Start newuidmap/newgidmap PID c h s [c h s...] with stderr to a pipe. */
static int spawn_helper(pid_t target, const struct bw_idmap *map, struct helper_run *run,
                        bw_err_t *err)
{
    size_t argc = 2 + 3 * map->len + 1;
    cleanup_free char **argv = calloc(argc, sizeof(char *));
    cleanup_free char *nums = calloc(3 * map->len + 1, 12);
    if (argv == NULL || nums == NULL)
        return bw_error_set(err, ENOMEM, "run %s", map->helper);
    char pidbuf[16];
    snprintf(pidbuf, sizeof(pidbuf), "%d", (int)target);
    size_t a = 0;
    argv[a++] = map->helper;
    argv[a++] = pidbuf;
    for (size_t i = 0; i < map->len; i++) {
        uint32_t v[3] = {map->m[i].container_id, map->m[i].host_id, map->m[i].size};
        for (int j = 0; j < 3; j++) {
            char *slot = nums + (3 * i + (size_t)j) * 12;
            snprintf(slot, 12, "%u", v[j]);
            argv[a++] = slot;
        }
    }
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return bw_error_errno(err, "pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int r = posix_spawn(&run->pid, map->helper, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (r != 0) {
        close(pipefd[0]);
        return bw_error_set(err, r, "run `%s`", map->helper);
    }
    run->errfd = pipefd[0];
    return 0;
}

static int finish_helper(struct helper_run *run, const struct bw_idmap *map, bw_err_t *err)
{
    char out[1024];
    size_t used = 0;
    ssize_t n;
    while (used < sizeof(out) - 1 &&
           ((n = read(run->errfd, out + used, sizeof(out) - 1 - used)) > 0 ||
            (n < 0 && errno == EINTR)))
        used += n > 0 ? (size_t)n : 0;
    out[used] = '\0';
    close(run->errfd);
    while (used > 0 && (out[used - 1] == '\n' || out[used - 1] == ' '))
        out[--used] = '\0';
    int status = 0;
    while (waitpid(run->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    const char *tool = strrchr(map->helper, '/') + 1;
    bool uid = strcmp(tool, "newuidmap") == 0;
    return bw_error_set(err, 0,
                        "%s failed%s%s: check that %s gives your user a range covering the "
                        "mapping (e.g. `%s:100000:65536`) and that %s is setuid root",
                        tool, used ? ": " : "", out, uid ? "/etc/subuid" : "/etc/subgid",
                        getenv("USER") ? getenv("USER") : "USER", map->helper);
}

int bw_idmap_write(pid_t pid, const struct bw_idmap_plan *p, bw_err_t *err)
{
    struct helper_run runs[2] = {{-1, -1}, {-1, -1}};
    const struct bw_idmap *maps[2] = {&p->uid, &p->gid};
    /* Start both helpers first, then wait: they are independent. */
    for (int i = 0; i < 2; i++) {
        if (!maps[i]->direct && spawn_helper(pid, maps[i], &runs[i], err) < 0) {
            if (i == 1 && runs[0].pid > 0) {
                bw_err_t ignored = NULL;
                finish_helper(&runs[0], maps[0], &ignored);
                bw_error_free(&ignored);
            }
            return -1;
        }
    }
    int rc = 0;
    if (p->uid.direct && write_direct(pid, "uid_map", &p->uid, err) < 0)
        rc = -1;
    if (rc == 0 && p->deny_setgroups) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
        if (bw_write_existing_file(path, "deny", 4, err) < 0)
            rc = -1;
    }
    if (rc == 0 && p->gid.direct && write_direct(pid, "gid_map", &p->gid, err) < 0)
        rc = -1;
    for (int i = 0; i < 2; i++) {
        if (runs[i].pid > 0 && finish_helper(&runs[i], maps[i], err) < 0)
            rc = -1;
    }
    return rc;
}
