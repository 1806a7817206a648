/* burrow: linux.resources to cgroup v2 files.
 *
 * Each limit becomes one write, named after its JSON path so that what is
 * not applied can be told by name.  The conversions are the usual ones of
 * v1 values to v2 files:
 *
 *   memory.limit -> memory.max, reservation -> memory.low, swap (memory +
 *   swap in v1) -> memory.swap.max = swap - limit;
 *   cpu.shares [2, 262144] -> cpu.weight [1, 10000] (linear), quota and
 *   period -> cpu.max "QUOTA PERIOD", burst -> cpu.max.burst, idle ->
 *   cpu.idle, cpus/mems -> cpuset.cpus/mems;
 *   blockIO weights [10, 1000] -> io.weight [1, 10000] (linear), throttles
 *   -> io.max "MAJ:MIN rbps=N" ...;
 *   hugepageLimits -> hugetlb.SIZE.max, rdma -> rdma.max, pids -> pids.max;
 *   unified: each key is a file of the container's own cgroup.
 *
 * devices: a device program (cgroup/devices.c) as root.
 *
 * What cgroup v2 has no file for (kernel memory, swappiness,
 * disableOOMKiller, realtime cpu, blockIO leaf weights, network) is a
 * warning, an error under the strictness annotation.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/log.h"

struct write {
    unsigned ctl; /* controller bit; 0: no controller (v2 core file) */
    char file[64];
    char value[160];
    char name[96]; /* the JSON path below linux.resources */
};

struct plan {
    struct write *w;
    size_t n, cap;
    char *absent[16]; /* limits v2 has no file for */
    size_t n_absent;
};

static void plan_free(struct plan *p)
{
    free(p->w);
    for (size_t i = 0; i < p->n_absent; i++)
        free(p->absent[i]);
}

static struct write *add(struct plan *p, unsigned ctl, const char *file, const char *name)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        struct write *bigger = realloc(p->w, p->cap * sizeof(*p->w));
        if (bigger == NULL)
            return NULL;
        p->w = bigger;
    }
    struct write *w = &p->w[p->n++];
    memset(w, 0, sizeof(*w));
    w->ctl = ctl;
    snprintf(w->file, sizeof(w->file), "%s", file);
    snprintf(w->name, sizeof(w->name), "%s", name);
    return w;
}

static void absent(struct plan *p, const char *name)
{
    if (p->n_absent < sizeof(p->absent) / sizeof(p->absent[0]))
        p->absent[p->n_absent++] = strdup(name);
}

static void fmt_max(char *buf, size_t size, int64_t v)
{
    if (v < 0)
        snprintf(buf, size, "max");
    else
        snprintf(buf, size, "%" PRId64, v);
}

/* blkio weight [10, 1000] -> io.weight [1, 10000] */
static unsigned io_weight(unsigned w)
{
    if (w < 10)
        w = 10;
    return 1 + (w - 10) * 9999 / 990;
}

static int plan_memory(struct plan *p, const struct oci_memory *m, bw_err_t *err)
{
    struct write *w;
    if (m->limit_present && (w = add(p, BW_CG_MEMORY, "memory.max", "memory.limit")))
        fmt_max(w->value, sizeof(w->value), m->limit);
    if (m->reservation_present && (w = add(p, BW_CG_MEMORY, "memory.low", "memory.reservation")))
        fmt_max(w->value, sizeof(w->value), m->reservation);
    if (m->swap_present) {
        int64_t swap = m->swap;
        if (swap >= 0 && m->limit_present && m->limit >= 0) {
            if (swap < m->limit)
                return bw_error_set(err, EINVAL,
                                    "memory.swap (%" PRId64 ") is memory plus swap: it must not "
                                    "be below memory.limit (%" PRId64 ")",
                                    swap, m->limit);
            swap -= m->limit;
        } else if (swap >= 0) {
            return bw_error_set(err, EINVAL,
                                "memory.swap needs memory.limit (it is memory plus swap)");
        }
        if ((w = add(p, BW_CG_MEMORY, "memory.swap.max", "memory.swap")))
            fmt_max(w->value, sizeof(w->value), swap);
    }
    if (m->kernel_present)
        absent(p, "memory.kernel");
    if (m->kernel_tcp_present)
        absent(p, "memory.kernelTCP");
    if (m->swappiness_present)
        absent(p, "memory.swappiness");
    if (m->disable_oom_killer_present && m->disable_oom_killer)
        absent(p, "memory.disableOOMKiller");
    return 0;
}

static void plan_cpu(struct plan *p, const struct oci_cpu *c)
{
    struct write *w;
    if (c->shares_present && c->shares > 0 && (w = add(p, BW_CG_CPU, "cpu.weight", "cpu.shares"))) {
        uint64_t s = c->shares < 2 ? 2 : c->shares > 262144 ? 262144 : c->shares;
        snprintf(w->value, sizeof(w->value), "%" PRIu64, 1 + ((s - 2) * 9999) / 262142);
    }
    if ((c->quota_present || c->period_present) &&
        (w = add(p, BW_CG_CPU, "cpu.max", c->quota_present ? "cpu.quota" : "cpu.period"))) {
        char q[32];
        if (c->quota_present)
            fmt_max(q, sizeof(q), c->quota > 0 ? c->quota : -1);
        else
            snprintf(q, sizeof(q), "max");
        uint64_t period = c->period_present && c->period > 0 ? c->period : 100000;
        snprintf(w->value, sizeof(w->value), "%s %" PRIu64, q, period);
    }
    if (c->burst_present && (w = add(p, BW_CG_CPU, "cpu.max.burst", "cpu.burst")))
        snprintf(w->value, sizeof(w->value), "%" PRIu64, c->burst);
    if (c->idle_present && (w = add(p, BW_CG_CPU, "cpu.idle", "cpu.idle")))
        snprintf(w->value, sizeof(w->value), "%" PRId64, c->idle);
    if (c->cpus != NULL && c->cpus[0] != '\0' &&
        (w = add(p, BW_CG_CPUSET, "cpuset.cpus", "cpu.cpus")))
        snprintf(w->value, sizeof(w->value), "%s", c->cpus);
    if (c->mems != NULL && c->mems[0] != '\0' &&
        (w = add(p, BW_CG_CPUSET, "cpuset.mems", "cpu.mems")))
        snprintf(w->value, sizeof(w->value), "%s", c->mems);
    if (c->realtime_runtime_present)
        absent(p, "cpu.realtimeRuntime");
    if (c->realtime_period_present)
        absent(p, "cpu.realtimePeriod");
}

static void plan_throttle(struct plan *p, const struct oci_throttle_device *t, size_t n,
                          const char *key, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        char nm[96];
        snprintf(nm, sizeof(nm), "blockIO.%s[%zu]", name, i);
        struct write *w = add(p, BW_CG_IO, "io.max", nm);
        if (w)
            snprintf(w->value, sizeof(w->value), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major,
                     t[i].minor, key, t[i].rate);
    }
}

static void plan_io(struct plan *p, const struct oci_block_io *b)
{
    struct write *w;
    if (b->weight_present && (w = add(p, BW_CG_IO, "io.weight", "blockIO.weight")))
        snprintf(w->value, sizeof(w->value), "default %u", io_weight(b->weight));
    if (b->leaf_weight_present)
        absent(p, "blockIO.leafWeight");
    for (size_t i = 0; i < b->weight_device_len; i++) {
        const struct oci_weight_device *d = &b->weight_device[i];
        char nm[96];
        snprintf(nm, sizeof(nm), "blockIO.weightDevice[%zu]", i);
        if (d->weight_present && (w = add(p, BW_CG_IO, "io.weight", nm)))
            snprintf(w->value, sizeof(w->value), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                     io_weight(d->weight));
        if (d->leaf_weight_present)
            absent(p, "blockIO.weightDevice[].leafWeight");
    }
    plan_throttle(p, b->throttle_read_bps_device, b->throttle_read_bps_device_len, "rbps",
                  "throttleReadBpsDevice");
    plan_throttle(p, b->throttle_write_bps_device, b->throttle_write_bps_device_len, "wbps",
                  "throttleWriteBpsDevice");
    plan_throttle(p, b->throttle_read_iops_device, b->throttle_read_iops_device_len, "riops",
                  "throttleReadIOPSDevice");
    plan_throttle(p, b->throttle_write_iops_device, b->throttle_write_iops_device_len, "wiops",
                  "throttleWriteIOPSDevice");
}

/* Files a unified key may not name: they move processes or control the
 * subtree, which is the runtime's business, not the config's. */
static const char *const unified_refused[] = {
    "cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
    "cgroup.kill",  "cgroup.freeze",  "cgroup.type",
};

static int plan_unified(struct plan *p, const struct oci_resources *r, bw_err_t *err)
{
    for (size_t i = 0; i < r->unified_len; i++) {
        const char *k = r->unified[i].key;
        const char *dot = strchr(k, '.');
        if (strchr(k, '/') != NULL || dot == NULL || dot == k || dot[1] == '\0' ||
            strlen(k) >= sizeof(((struct write *)0)->file))
            return bw_error_set(err, EINVAL, "unified[\"%s\"]: not a cgroup v2 file name", k);
        for (size_t j = 0; j < sizeof(unified_refused) / sizeof(unified_refused[0]); j++) {
            if (strcmp(k, unified_refused[j]) == 0)
                return bw_error_set(err, EINVAL,
                                    "unified[\"%s\"]: not allowed: burrow manages this file "
                                    "itself",
                                    k);
        }
        unsigned ctl = bw_cgroup_controller_bit(k, (size_t)(dot - k));
        bool core = strncmp(k, "cgroup.", 7) == 0 || strncmp(k, "cpu.", 4) == 0 ||
                    strncmp(k, "memory.pressure", 15) == 0 || strncmp(k, "io.pressure", 11) == 0;
        if (ctl == 0 && !core)
            return bw_error_set(err, EINVAL, "unified[\"%s\"]: unknown controller `%.*s`", k,
                                (int)(dot - k), k);
        /* cpu.stat and cpu.pressure exist without the controller. */
        if (strcmp(k, "cpu.pressure") == 0)
            ctl = 0;
        char nm[96];
        snprintf(nm, sizeof(nm), "unified[\"%.70s\"]", k);
        struct write *w = add(p, ctl, k, nm);
        if (w == NULL)
            return bw_error_set(err, ENOMEM, "unified");
        if (strlen(r->unified[i].value) >= sizeof(w->value))
            return bw_error_set(err, EINVAL, "unified[\"%s\"]: value too long", k);
        snprintf(w->value, sizeof(w->value), "%s", r->unified[i].value);
    }
    return 0;
}

static int make_plan(const struct oci_resources *r, struct plan *p, bw_err_t *err)
{
    memset(p, 0, sizeof(*p));
    if (r->memory != NULL && plan_memory(p, r->memory, err) < 0)
        return -1;
    if (r->cpu != NULL)
        plan_cpu(p, r->cpu);
    struct write *w;
    if (r->pids != NULL && r->pids->limit_present &&
        (w = add(p, BW_CG_PIDS, "pids.max", "pids.limit")))
        fmt_max(w->value, sizeof(w->value), r->pids->limit > 0 ? r->pids->limit : -1);
    if (r->block_io != NULL)
        plan_io(p, r->block_io);
    for (size_t i = 0; i < r->hugepage_limits_len; i++) {
        char file[64], nm[96];
        snprintf(file, sizeof(file), "hugetlb.%.20s.max", r->hugepage_limits[i].page_size);
        snprintf(nm, sizeof(nm), "hugepageLimits[%zu]", i);
        if ((w = add(p, BW_CG_HUGETLB, file, nm)))
            snprintf(w->value, sizeof(w->value), "%" PRIu64, r->hugepage_limits[i].limit);
    }
    for (size_t i = 0; i < r->rdma_len; i++) {
        const struct oci_rdma *d = &r->rdma[i];
        char nm[96];
        snprintf(nm, sizeof(nm), "rdma[\"%.60s\"]", d->device);
        if ((w = add(p, BW_CG_RDMA, "rdma.max", nm))) {
            int n = snprintf(w->value, sizeof(w->value), "%.100s", d->device);
            if (d->hca_handles_present)
                n += snprintf(w->value + n, sizeof(w->value) - (size_t)n, " hca_handle=%u",
                              d->hca_handles);
            if (d->hca_objects_present)
                snprintf(w->value + n, sizeof(w->value) - (size_t)n, " hca_object=%u",
                         d->hca_objects);
        }
    }
    if (r->network != NULL)
        absent(p, "network");
    if (plan_unified(p, r, err) < 0)
        return -1;
    if (p->n > 0 && p->w == NULL)
        return bw_error_set(err, ENOMEM, "linux.resources");
    return 0;
}

unsigned bw_cgroup_resources_need(const struct oci_resources *r)
{
    if (r == NULL)
        return 0;
    struct plan p;
    bw_err_t e = NULL;
    unsigned need = 0;
    if (make_plan(r, &p, &e) == 0) {
        for (size_t i = 0; i < p.n; i++)
            need |= p.w[i].ctl;
    }
    bw_error_free(&e);
    plan_free(&p);
    return need;
}

/* A limit not applied: a warning, or the error when strict. */
static int not_applied(bool strict, const char *what, const char *name, const char *why,
                       bw_err_t *err)
{
    if (strict)
        return bw_error_set(err, 0, "%s.%s: cannot be applied: %s", what, name, why);
    bw_warn("%s.%s not applied: %s", what, name, why);
    return 0;
}

int bw_cgroup_apply(struct bw_cgroup *cg, const struct oci_resources *r, bool strict,
                    const char *what, bw_err_t *err)
{
    struct plan p;
    if (make_plan(r, &p, err) < 0) {
        plan_free(&p);
        return bw_error_prefix(err, "%s", what);
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p.n_absent; i++)
        rc = not_applied(strict, what, p.absent[i], "cgroup v2 has no such limit", err);
    if (r->devices_len > 0 && cg->rootless)
        bw_debug("%s.devices: rootless, the container reaches only the devices bound into it",
                 what);
    else if (r->devices_len > 0 && rc == 0 && bw_cgroup_devices_apply(cg, r, err) < 0)
        rc = bw_error_prefix(err, "%s", what);
    for (size_t i = 0; rc == 0 && i < p.n; i++) {
        struct write *w = &p.w[i];
        if (w->ctl != 0 && !(cg->enabled & w->ctl)) {
            const char *why = cg->missing_why[__builtin_ctz(w->ctl)];
            char buf[512];
            if (why == NULL) {
                snprintf(buf, sizeof(buf),
                         "the %s controller is not enabled in cgroup `%s` (it is not delegated "
                         "to this user, or the kernel lacks it)",
                         bw_cgroup_controller_name(w->ctl), cg->path);
                why = buf;
            }
            rc = not_applied(strict, what, w->name, why, err);
            continue;
        }
        bw_err_t e = NULL;
        if (bw_cgroup_write(cg->fd, w->file, w->value, &e) < 0) {
            char buf[512];
            int code = e->code;
            snprintf(buf, sizeof(buf), "%s: %s", e->msg, strerror(code));
            bw_error_free(&e);
            /* A bad value is the config's fault, whoever runs it. */
            if (code == EINVAL || code == ERANGE)
                rc = bw_error_set(err, EINVAL, "%s.%s: %s", what, w->name, buf);
            else
                rc = not_applied(strict, what, w->name, buf, err);
            continue;
        }
        bw_debug("%s.%s: `%s` = %s", what, w->name, w->file, w->value);
    }
    plan_free(&p);
    return rc;
}
