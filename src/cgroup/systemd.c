/* burrow: the systemd cgroup manager (--systemd-cgroup, a cgroupsPath of
 * the form "slice:prefix:name", or, rootless, when the caller's own cgroup
 * is not delegated and the user's manager is there).
 *
 * The container's cgroup is a transient scope that systemd makes with
 * Delegate=yes: StartTransientUnit over D-Bus, to the system manager as
 * root and to the user's own manager rootless, preferably on the manager's
 * private socket (no bus daemon needed), else through the bus.  A scope
 * must be given its first process, so the cgroup is made after the clone:
 * the container's process waits, before it has done anything, until
 * systemd has moved it (bw_cgroup_place; linux/launch.c).  Then the scope
 * is plain cgroup v2 like any other: burrow applies the limits itself
 * (cgroup/resources.c), and also hands the ones systemd has properties for
 * to systemd, which would otherwise write its own defaults over them when
 * it reloads.  Removal: kill, remove the directory, StopUnit.
 *
 * Asked for explicitly, the systemd manager is never replaced by cgroupfs
 * behind the user's back: "not reachable" is an error that says what to do.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/sdbus.h"
#include "util/cleanup.h"
#include "util/log.h"

int bw_cgroup_remove_dir(struct bw_cgroup *cg, bw_err_t *err);

bool bw_cgroup_is_systemd_path(const char *p)
{
    if (p == NULL || p[0] == '/' || p[0] == '\0')
        return false;
    const char *a = strchr(p, ':');
    return a != NULL && strchr(a + 1, ':') != NULL && strchr(p, '/') == NULL;
}

/* ------------------------------------------------------------------------
 * Where the manager is
 */

/* Whether a unix socket at `path` accepts a connection. */
static bool socket_answers(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return false;
    strcpy(sa.sun_path, path);
    cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

/* The manager's address ("unix:path=..."), malloc'd, or NULL with `where`
 * saying what was looked for.  systemd's private socket first: a direct
 * connection, no bus daemon in between. */
static char *manager_address(bool rootless, char *where, size_t size)
{
    char *addr = NULL;
    if (!rootless) {
        snprintf(where, size, "/run/systemd/private");
        if (socket_answers(where))
            return asprintf(&addr, "unix:path=%s", where) < 0 ? NULL : addr;
        snprintf(where, size, "/run/systemd/private or /run/dbus/system_bus_socket");
        /* The system bus alone is no systemd (pid 1 may be anything). */
        struct stat st;
        if (socket_answers("/run/dbus/system_bus_socket") && stat("/run/systemd/system", &st) == 0)
            return strdup("unix:path=/run/dbus/system_bus_socket");
        return NULL;
    }
    const char *rt = getenv("XDG_RUNTIME_DIR");
    if (rt == NULL || rt[0] == '\0') {
        snprintf(where, size, "the user's manager ($XDG_RUNTIME_DIR is not set)");
        return NULL;
    }
    snprintf(where, size, "%s/systemd/private", rt);
    if (socket_answers(where))
        return asprintf(&addr, "unix:path=%s", where) < 0 ? NULL : addr;
    char bus[4096];
    snprintf(bus, sizeof(bus), "%s/bus", rt);
    snprintf(where, size, "%s/systemd/private or %s/bus", rt, rt);
    if (socket_answers(bus))
        return asprintf(&addr, "unix:path=%s", bus) < 0 ? NULL : addr;
    return NULL;
}

bool bw_cgroup_systemd_reachable(bool rootless, char *where, size_t size)
{
    cleanup_free char *addr = manager_address(rootless, where, size);
    if (addr != NULL)
        snprintf(where, size, "%s", addr + strlen("unix:path="));
    return addr != NULL;
}

/* A direct connection to systemd's own socket, or through a bus daemon. */
static bool is_private(const char *address)
{
    size_t l = strlen(address), s = strlen("/systemd/private");
    return l >= s && strcmp(address + l - s, "/systemd/private") == 0;
}

/* ------------------------------------------------------------------------
 * Choosing the unit
 */

static bool ends_with(const char *s, const char *suffix)
{
    size_t l = strlen(s), sl = strlen(suffix);
    return l >= sl && strcmp(s + l - sl, suffix) == 0;
}

/* cgroupsPath "slice:prefix:name" (or none: the default) -> slice and
 * unit. */
static int choose_unit(struct bw_cgroup *cg, const struct bw_cgroup_request *req, bw_err_t *err)
{
    const char *p = req->cgroups_path;
    const char *dflt = cg->rootless ? "user.slice" : "system.slice";
    if (p == NULL || p[0] == '\0') {
        cg->slice = strdup(dflt);
        if (asprintf(&cg->unit, "burrow-%s.scope", req->id) < 0)
            cg->unit = NULL;
        return cg->slice && cg->unit ? 0 : bw_error_set(err, ENOMEM, "systemd unit");
    }
    if (!bw_cgroup_is_systemd_path(p))
        return bw_error_set(err, EINVAL,
                            "config.json: linux.cgroupsPath `%s`: with --systemd-cgroup it must "
                            "be \"slice:prefix:name\" (e.g. \"%s:burrow:%s\")",
                            p, dflt, req->id);
    const char *c1 = strchr(p, ':'), *c2 = strchr(c1 + 1, ':');
    cleanup_free char *slice = strndup(p, (size_t)(c1 - p));
    cleanup_free char *prefix = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
    const char *name = c2 + 1;
    if (slice == NULL || prefix == NULL)
        return bw_error_set(err, ENOMEM, "systemd unit");
    if (slice[0] != '\0' && !ends_with(slice, ".slice"))
        return bw_error_set(err, EINVAL,
                            "config.json: linux.cgroupsPath `%s`: `%s` is not a slice (a name "
                            "ending in \".slice\")",
                            p, slice);
    if (name[0] == '\0' || strchr(name, ':') != NULL)
        return bw_error_set(err, EINVAL,
                            "config.json: linux.cgroupsPath `%s`: the name after the second "
                            "\":\" is missing or has a \":\"",
                            p);
    if (ends_with(name, ".slice"))
        return bw_error_set(err, ENOTSUP,
                            "config.json: linux.cgroupsPath `%s`: a slice as the container's own "
                            "unit is not supported (burrow makes a scope): give a name without "
                            "\".slice\"",
                            p);
    cg->slice = strdup(slice[0] ? slice : dflt);
    int n = prefix[0]
                ? asprintf(&cg->unit, "%s-%s.scope", prefix, name)
                : asprintf(&cg->unit, "%s%s", name, ends_with(name, ".scope") ? "" : ".scope");
    if (n < 0)
        cg->unit = NULL;
    return cg->slice && cg->unit ? 0 : bw_error_set(err, ENOMEM, "systemd unit");
}

int bw_cgroup_systemd_prepare(struct bw_cgroup *cg, const struct bw_cgroup_request *req, bool asked,
                              bw_err_t *err)
{
    const char *how = bw_cgroup_is_systemd_path(req->cgroups_path)
                          ? "config.json: linux.cgroupsPath"
                      : req->systemd ? "--systemd-cgroup"
                                     : "cgroup";
    if (choose_unit(cg, req, err) < 0)
        return -1;
#ifndef HAVE_SD_BUS
    (void)asked;
    return bw_error_set(err, ENOTSUP,
                        "%s: this burrow was built without the systemd cgroup manager (configure "
                        "found no libsystemd headers): drop --systemd-cgroup and give "
                        "linux.cgroupsPath as a path to use the cgroupfs manager",
                        how);
#else
    char where[4200];
    cg->bus = manager_address(cg->rootless, where, sizeof(where));
    if (cg->bus == NULL)
        return bw_error_set(err, 0, "%s: the systemd cgroup manager is not reachable (no %s; %s)%s",
                            how, cg->rootless ? "systemd user manager" : "systemd as pid 1", where,
                            asked ? ": drop --systemd-cgroup and give linux.cgroupsPath as a path "
                                    "to use the cgroupfs manager"
                                  : "");
    if (bw_sd_load(err) == NULL)
        return bw_error_prefix(err, "%s", how);
    cg->mgr = &bw_cgroup_systemd;
    cg->asked = asked;
    return 0;
#endif
}

#ifdef HAVE_SD_BUS
/* ------------------------------------------------------------------------
 * Talking to systemd
 */

#define SD_DEST    "org.freedesktop.systemd1"
#define SD_PATH    "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* Under emulation (the test VM) systemd takes its time. */
#define JOB_TIMEOUT_MS 30000

struct job_wait {
    const struct bw_sd *sd;
    char *job; /* the job's object path, from the reply */
    const char *unit;
    char result[64];
    bool done;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
    struct job_wait *w = userdata;
    uint32_t id;
    const char *path = NULL, *unit = NULL, *result = NULL;
    (void)ret;
    if (w->sd->message_read(m, "uoss", &id, &path, &unit, &result) < 0)
        return 0;
    if (w->job != NULL && strcmp(path, w->job) == 0) {
        snprintf(w->result, sizeof(w->result), "%s", result);
        w->done = true;
    }
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "0-3,5" -> a bit mask, byte 0 bit 0 first (systemd's AllowedCPUs). */
static size_t cpu_mask(const char *list, uint8_t *mask, size_t size)
{
    size_t used = 0;
    memset(mask, 0, size);
    for (const char *p = list; *p;) {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (end == p)
            return 0;
        if (*end == '-')
            b = strtoul(end + 1, &end, 10);
        if (b < a || b >= size * 8)
            return 0;
        for (unsigned long i = a; i <= b; i++)
            mask[i / 8] |= (uint8_t)(1u << (i % 8));
        used = used > b / 8 + 1 ? used : b / 8 + 1;
        p = end + (*end == ',');
        if (*end != ',' && *end != '\0' && *end != '\n')
            return 0;
    }
    return used;
}

static uint64_t max_or(int64_t v)
{
    return v < 0 ? UINT64_MAX : (uint64_t)v;
}

/* The limits systemd has properties for, as properties, so that systemd
 * keeps them rather than its defaults.  The values are what
 * cgroup/resources.c writes (both must agree). */
static int append_limits(const struct bw_sd *sd, sd_bus_message *m, const struct oci_resources *r)
{
    int e = 0;
#define PROP(name, sig, ...)                                                                       \
    do {                                                                                           \
        if (e >= 0)                                                                                \
            e = sd->message_append(m, "(sv)", name, sig, __VA_ARGS__);                             \
    } while (0)
    if (r == NULL)
        return 0;
    const struct oci_memory *mem = r->memory;
    if (mem != NULL && mem->limit_present)
        PROP("MemoryMax", "t", max_or(mem->limit));
    if (mem != NULL && mem->reservation_present)
        PROP("MemoryLow", "t", max_or(mem->reservation));
    if (mem != NULL && mem->swap_present && mem->limit_present && mem->limit >= 0 &&
        mem->swap >= mem->limit)
        PROP("MemorySwapMax", "t", (uint64_t)(mem->swap - mem->limit));
    else if (mem != NULL && mem->swap_present && mem->swap < 0)
        PROP("MemorySwapMax", "t", UINT64_MAX);
    if (r->pids != NULL && r->pids->limit_present)
        PROP("TasksMax", "t", r->pids->limit > 0 ? (uint64_t)r->pids->limit : UINT64_MAX);
    const struct oci_cpu *c = r->cpu;
    if (c != NULL && c->shares_present && c->shares > 0) {
        uint64_t s = c->shares < 2 ? 2 : c->shares > 262144 ? 262144 : c->shares;
        PROP("CPUWeight", "t", (uint64_t)(1 + ((s - 2) * 9999) / 262142));
    }
    if (c != NULL && (c->quota_present || c->period_present)) {
        uint64_t period = c->period_present && c->period > 0 ? c->period : 100000;
        uint64_t per_sec =
            c->quota_present && c->quota > 0 ? (uint64_t)c->quota * 1000000 / period : UINT64_MAX;
        PROP("CPUQuotaPerSecUSec", "t", per_sec);
        PROP("CPUQuotaPeriodUSec", "t", period);
    }
    uint8_t mask[128];
    size_t n;
    const char *const lists[][2] = {{c ? c->cpus : NULL, "AllowedCPUs"},
                                    {c ? c->mems : NULL, "AllowedMemoryNodes"}};
    for (size_t i = 0; i < 2; i++) {
        if (lists[i][0] == NULL || lists[i][0][0] == '\0' ||
            (n = cpu_mask(lists[i][0], mask, sizeof(mask))) == 0)
            continue;
        if (e >= 0)
            e = sd->message_open_container(m, 'r', "sv");
        if (e >= 0)
            e = sd->message_append(m, "s", lists[i][1]);
        if (e >= 0)
            e = sd->message_open_container(m, 'v', "ay");
        if (e >= 0)
            e = sd->message_append_array(m, 'y', mask, n);
        if (e >= 0)
            e = sd->message_close_container(m);
        if (e >= 0)
            e = sd->message_close_container(m);
    }
    if (r->block_io != NULL && r->block_io->weight_present) {
        unsigned w = r->block_io->weight < 10 ? 10 : r->block_io->weight;
        PROP("IOWeight", "t", (uint64_t)(1 + (w - 10) * 9999 / 990));
    }
#undef PROP
    return e;
}

/* StartTransientUnit(name, "fail", properties, []) with the container's
 * first process, then wait for the job to finish. */
static int start_scope(const struct bw_sd *sd, sd_bus *bus, const struct bw_cgroup *cg,
                       const char *id, pid_t pid, const struct oci_resources *r, bw_err_t *err)
{
    sd_bus_error be = SD_BUS_ERROR_NULL;
    sd_bus_message *m = NULL, *reply = NULL;
    struct job_wait w = {.sd = sd, .unit = cg->unit};
    char desc[1200];
    snprintf(desc, sizeof(desc), "burrow container %s", id);
    int rc = -1;
    /* Signals go to every direct connection; through a bus daemon only to
     * subscribers. */
    int e =
        sd->match_signal(bus, NULL, NULL, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, &w);
    if (e >= 0 && !is_private(cg->bus))
        e = sd->call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &be, NULL, "");
    if (e < 0) {
        bw_error_set(err, 0, "subscribe to systemd's job signals: %s", bw_sd_error_text(&be, e));
        goto out;
    }
    e = sd->message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
    if (e >= 0)
        e = sd->message_append(m, "ss", cg->unit, "fail");
    if (e >= 0)
        e = sd->message_open_container(m, 'a', "(sv)");
    if (e >= 0)
        e = sd->message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s", desc, "Slice",
                               "s", cg->slice, "Delegate", "b", 1, "DefaultDependencies", "b", 0,
                               "CollectMode", "s", "inactive-or-failed", "PIDs", "au", 1,
                               (uint32_t)pid);
    if (e >= 0)
        e = append_limits(sd, m, r);
    if (e >= 0)
        e = sd->message_close_container(m);
    if (e >= 0)
        e = sd->message_append(m, "a(sa(sv))", 0);
    if (e < 0) {
        bw_error_set(err, -e, "build the StartTransientUnit call");
        goto out;
    }
    e = sd->call(bus, m, (uint64_t)JOB_TIMEOUT_MS * 1000, &be, &reply);
    if (e < 0) {
        /* (systemd's message says it all: no errno text after it) */
        bw_error_set(err, 0, "systemd refused to start scope `%s` in `%s`: %s", cg->unit, cg->slice,
                     bw_sd_error_text(&be, e));
        goto out;
    }
    const char *job = NULL;
    if ((e = sd->message_read(reply, "o", &job)) < 0 || (w.job = strdup(job)) == NULL) {
        bw_error_set(err, e < 0 ? -e : ENOMEM, "read systemd's reply to StartTransientUnit");
        goto out;
    }
    for (uint64_t end = now_ms() + JOB_TIMEOUT_MS; !w.done;) {
        e = sd->process(bus, NULL);
        if (e < 0) {
            bw_error_set(err, -e, "wait for systemd's job %s", w.job);
            goto out;
        }
        if (e > 0)
            continue;
        uint64_t now = now_ms();
        if (now >= end) {
            bw_error_set(err, ETIMEDOUT, "systemd did not start scope `%s` within %d s", cg->unit,
                         JOB_TIMEOUT_MS / 1000);
            goto out;
        }
        e = sd->wait(bus, (end - now) * 1000);
        if (e < 0) {
            bw_error_set(err, -e, "wait for systemd");
            goto out;
        }
    }
    if (strcmp(w.result, "done") != 0) {
        bw_error_set(err, 0, "systemd could not start scope `%s` in `%s`: job %s", cg->unit,
                     cg->slice, w.result);
        goto out;
    }
    rc = 0;
out:
    free(w.job);
    sd->error_free(&be);
    if (m != NULL)
        sd->message_unref(m);
    if (reply != NULL)
        sd->message_unref(reply);
    return rc;
}

/* A connection to the manager the scope was made through. */
static sd_bus *connect_manager(const struct bw_cgroup *cg, const struct bw_sd **sd, bw_err_t *err)
{
    *sd = bw_sd_load(err);
    return *sd ? bw_sd_connect(*sd, cg->bus, !is_private(cg->bus), err) : NULL;
}

/* StopUnit, where the scope is still there (systemd collects an empty
 * scope by itself). */
static void stop_scope(const struct bw_cgroup *cg)
{
    bw_err_t e = NULL;
    const struct bw_sd *sd;
    sd_bus *bus = connect_manager(cg, &sd, &e);
    if (bus == NULL) {
        bw_debug("stop systemd scope `%s`: %s", cg->unit, e->msg);
        bw_error_free(&e);
        return;
    }
    sd_bus_error be = SD_BUS_ERROR_NULL;
    int r = sd->call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", &be, NULL, "ss",
                            cg->unit, "replace");
    if (r < 0 && !sd->error_has_name(&be, "org.freedesktop.systemd1.NoSuchUnit"))
        bw_debug("stop systemd scope `%s`: %s", cg->unit, bw_sd_error_text(&be, r));
    sd->error_free(&be);
    sd->bus_flush_close_unref(bus);
}

#endif

void bw_cgroup_systemd_controllers(struct bw_cgroup *cg)
{
    /* Delegate=yes: the scope has every controller systemd could give it;
     * what its parent does not pass down is missing, and says why. */
    cg->enabled = 0;
    cleanup_free char *have = bw_cgroup_read(cg->fd, "cgroup.controllers");
    for (unsigned bit = 1; bit < (1u << 8); bit <<= 1) {
        const char *name = bw_cgroup_controller_name(bit);
        size_t nl = strlen(name);
        bool on = false;
        for (const char *p = have; p && *p;) {
            p += strspn(p, " \n");
            size_t l = strcspn(p, " \n");
            on = on || (l == nl && strncmp(p, name, l) == 0);
            p += l;
        }
        if (on) {
            cg->enabled |= bit;
            continue;
        }
        free(cg->missing_why[__builtin_ctz(bit)]);
        if (asprintf(&cg->missing_why[__builtin_ctz(bit)],
                     "systemd did not delegate the %s controller to scope `%s`%s", name, cg->unit,
                     cg->rootless ? " (the user's manager has only what user@.service's "
                                    "Delegate= gives it)"
                                  : "") < 0)
            cg->missing_why[__builtin_ctz(bit)] = NULL;
    }
}

int bw_cgroup_systemd_start(struct bw_cgroup *cg, const char *id, pid_t pid,
                            const struct oci_resources *r, bw_err_t *err)
{
#ifndef HAVE_SD_BUS
    (void)cg, (void)id, (void)pid, (void)r;
    return bw_error_set(err, ENOTSUP, "built without the systemd cgroup manager");
#else
    const struct bw_sd *sd;
    sd_bus *bus = connect_manager(cg, &sd, err);
    if (bus == NULL)
        return bw_error_prefix(err, "systemd cgroup manager");
    int rc = start_scope(sd, bus, cg, id, pid, r, err);
    sd->bus_flush_close_unref(bus);
    if (rc < 0)
        return -1;
    /* Ours from here: destroy stops it (never a unit someone else made). */
    cg->made = 1;
    /* Where systemd put it: the scope's cgroup, as the caller sees the
     * hierarchy (the mount's root is the caller's cgroup namespace's). */
    cleanup_free char *where = NULL, *mount = NULL, *why = NULL;
    if (bw_cgroup_find_pid(pid, &mount, &where, &why) < 0 || !ends_with(where, cg->unit)) {
        bw_error_set(err, EIO, "systemd started scope `%s`, but process %d is in cgroup `%s`",
                     cg->unit, (int)pid,
                     where ? where
                     : why ? why
                           : "(unknown)");
        stop_scope(cg);
        return -1;
    }
    cg->path = strdup(where);
    cleanup_free char *full = NULL;
    if (cg->path == NULL || asprintf(&full, "%s%s", cg->mount, cg->path) < 0) {
        stop_scope(cg);
        return bw_error_set(err, ENOMEM, "cgroup path");
    }
    cg->fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg->fd < 0) {
        bw_error_errno(err, "open the scope's cgroup `%s`", full);
        stop_scope(cg);
        return -1;
    }
    bw_cgroup_systemd_controllers(cg);
    bw_debug("cgroup: systemd scope `%s` in `%s` at `%s`", cg->unit, cg->slice, full);
    return 0;
#endif
}

int bw_cgroup_systemd_set(const struct bw_cgroup *cg, const struct oci_resources *r, bw_err_t *err)
{
#ifndef HAVE_SD_BUS
    (void)cg, (void)r, (void)err;
    return 0;
#else
    const struct bw_sd *sd;
    sd_bus *bus = connect_manager(cg, &sd, err);
    if (bus == NULL)
        return -1;
    sd_bus_error be = SD_BUS_ERROR_NULL;
    sd_bus_message *m = NULL;
    /* runtime: until the next boot, as the scope itself. */
    int e = sd->message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
    if (e >= 0)
        e = sd->message_append(m, "sb", cg->unit, 1);
    if (e >= 0)
        e = sd->message_open_container(m, 'a', "(sv)");
    if (e >= 0)
        e = append_limits(sd, m, r);
    if (e >= 0)
        e = sd->message_close_container(m);
    if (e >= 0)
        e = sd->call(bus, m, (uint64_t)JOB_TIMEOUT_MS * 1000, &be, NULL);
    if (e < 0)
        bw_error_set(err, 0, "systemd: set the limits of scope `%s`: %s", cg->unit,
                     bw_sd_error_text(&be, e));
    sd->error_free(&be);
    if (m != NULL)
        sd->message_unref(m);
    sd->bus_flush_close_unref(bus);
    return e < 0 ? -1 : 0;
#endif
}

static int systemd_create(struct bw_cgroup *cg, unsigned need, bw_err_t *err)
{
    /* Made by bw_cgroup_systemd_start, once there is a process. */
    (void)cg;
    (void)need;
    (void)err;
    return 0;
}

static int systemd_destroy(struct bw_cgroup *cg, bw_err_t *err)
{
    /* Kill and remove what is there ourselves (systemd would SIGTERM and
     * wait), then have systemd forget the unit. */
    int r = cg->path != NULL ? bw_cgroup_remove_dir(cg, err) : 0;
#ifdef HAVE_SD_BUS
    if (cg->made > 0 && cg->bus != NULL && cg->unit != NULL)
        stop_scope(cg);
#endif
    return r;
}

const struct bw_cgroup_manager bw_cgroup_systemd = {
    .name = "systemd",
    .create = systemd_create,
    .destroy = systemd_destroy,
};
