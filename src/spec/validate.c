/* burrow: the spec's rules over a parsed config, part 1: the document,
 * mounts, process, hooks, annotations.  The linux object is in
 * validate-linux.c.
 *
 * The parser already checked JSON types, integer ranges of the C types and
 * enumerations; this pass checks what the spec says about values and their
 * combinations, so it can run on structs built by hand (unit tests, fuzzing).
 */
#include <config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "spec/validate-internal.h"
#include "util/log.h"

int verr(struct vctx *v, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (path == NULL || path[0] == '\0')
        return bw_error_set(v->err, 0, "%s: %s", v->filename, msg);
    return bw_error_set(v->err, 0, "%s: %s: %s", v->filename, path, msg);
}

const char *vpath(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return buf;
}

/* Prefix a process path: "process.cwd" in config.json, "cwd" in process.json. */
static const char *ppath(char *buf, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *ppath(char *buf, const char *prefix, const char *fmt, ...)
{
    va_list ap;
    int n = 0;

    if (prefix[0] != '\0')
        n = snprintf(buf, VPATH_MAX, "%s.", prefix);
    va_start(ap, fmt);
    vsnprintf(buf + n, VPATH_MAX - (size_t)n, fmt, ap);
    va_end(ap);
    return buf;
}

/* The path is only formatted on error: this runs for every mount, device,
 * masked path... of every config. */
int validate_absolute(struct vctx *v, const char *value, const char *path_fmt, ...)
{
    char path[VPATH_MAX];
    va_list ap;

    if (value[0] == '/')
        return 0;
    va_start(ap, path_fmt);
    vsnprintf(path, sizeof(path), path_fmt, ap);
    va_end(ap);
    return verr(v, path, "must be an absolute path, got \"%.200s\"", value);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parse a decimal number at *s; false if none or if it overflows. */
static bool parse_decimal(const char **s, uint64_t *out)
{
    uint64_t n = 0;
    const char *p = *s;

    if (!is_digit(*p))
        return false;
    for (; is_digit(*p); p++) {
        if (n > (UINT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    *s = p;
    *out = n;
    return true;
}

static void skip_spaces(const char **s)
{
    while (**s == ' ')
        (*s)++;
}

/* The schema's pattern for CPU lists is ^[0-9, -]*$: spaces are allowed
 * around the numbers. */
bool valid_cpu_list(const char *s)
{
    skip_spaces(&s);
    if (*s == '\0')
        return true;
    for (;;) {
        uint64_t lo, hi;
        if (!parse_decimal(&s, &lo))
            return false;
        hi = lo;
        skip_spaces(&s);
        if (*s == '-') {
            s++;
            skip_spaces(&s);
            if (!parse_decimal(&s, &hi) || hi < lo)
                return false;
            skip_spaces(&s);
        }
        if (*s == '\0')
            return true;
        if (*s++ != ',')
            return false;
        skip_spaces(&s);
    }
}

/* ---------------------------------------------------------------------------
 * ociVersion: SemVer 2.0.0, major 1
 */

/* A numeric identifier: "0" or digits without a leading zero. */
static bool semver_number(const char **s, uint64_t *out)
{
    if (**s == '0' && is_digit((*s)[1]))
        return false;
    return parse_decimal(s, out);
}

static bool semver_ident_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Dot-separated non-empty identifiers; numeric ones without leading zeros
 * when `strict_numbers` (pre-release, not build metadata). */
static bool semver_identifiers(const char **s, bool strict_numbers)
{
    const char *p = *s;

    for (;;) {
        const char *start = p;
        bool numeric = true;
        for (; semver_ident_char(*p); p++)
            numeric = numeric && is_digit(*p);
        if (p == start)
            return false;
        if (strict_numbers && numeric && *start == '0' && p - start > 1)
            return false;
        if (*p != '.')
            break;
        p++;
    }
    *s = p;
    return true;
}

static bool parse_semver(const char *s, uint64_t *major)
{
    uint64_t minor, patch;

    if (!semver_number(&s, major) || *s++ != '.' || !semver_number(&s, &minor) || *s++ != '.' ||
        !semver_number(&s, &patch))
        return false;
    if (*s == '-') {
        s++;
        if (!semver_identifiers(&s, true))
            return false;
    }
    if (*s == '+') {
        s++;
        if (!semver_identifiers(&s, false))
            return false;
    }
    return *s == '\0';
}

/* The spec keeps compatibility within a major version, so any 1.x config
 * (including pre-releases such as 1.0.0-rc5) is one we implement. */
static int validate_version(struct vctx *v, const char *version)
{
    uint64_t major;

    if (version == NULL) /* the parser requires it; a struct built by hand may not */
        return verr(v, "ociVersion", "required");
    if (!parse_semver(version, &major))
        return verr(v, "ociVersion",
                    "invalid version \"%.64s\" (expected a semantic version such as 1.3.0)",
                    version);
    if (major != 1)
        return verr(v, "ociVersion",
                    "unsupported version \"%.64s\" (burrow implements runtime-spec 1.x)", version);
    return 0;
}

/* ---------------------------------------------------------------------------
 * mounts
 */

static bool has_option(const struct oci_mount *m, const char *opt)
{
    for (size_t i = 0; i < m->options_len; i++)
        if (strcmp(m->options[i], opt) == 0)
            return true;
    return false;
}

static int validate_mount(struct vctx *v, const struct oci_config *c, size_t i)
{
    const struct oci_mount *m = &c->mounts[i];
    char p[VPATH_MAX];

    if (m->destination == NULL || m->destination[0] == '\0')
        return verr(v, vpath(p, sizeof(p), "mounts[%zu].destination", i), "must not be empty");
    /* Relative destinations are deprecated but allowed (config.md: MUST be
     * interpreted as relative to "/"); the mount code does that. */
    if (m->destination[0] != '/')
        bw_warn("%s: mounts[%zu].destination: relative path \"%s\" is deprecated, taken as "
                "relative to /",
                v->filename, i, m->destination);
    if ((m->uid_mappings != NULL) != (m->gid_mappings != NULL))
        return verr(v, vpath(p, sizeof(p), "mounts[%zu]", i),
                    "uidMappings and gidMappings must be given together");
    if (m->uid_mappings != NULL &&
        (validate_id_mappings(v, vpath(p, sizeof(p), "mounts[%zu].uidMappings", i), m->uid_mappings,
                              m->uid_mappings_len) < 0 ||
         validate_id_mappings(v, vpath(p, sizeof(p), "mounts[%zu].gidMappings", i), m->gid_mappings,
                              m->gid_mappings_len) < 0))
        return -1;
    /* idmap without its own mappings borrows the container's user namespace
     * mapping: without a user namespace there is nothing to borrow. */
    if ((has_option(m, "idmap") || has_option(m, "ridmap")) && m->uid_mappings == NULL &&
        !has_namespace(c, OCI_NS_USER))
        return verr(v, vpath(p, sizeof(p), "mounts[%zu].options", i),
                    "idmap needs uidMappings and gidMappings or a user namespace");
    return 0;
}

/* ---------------------------------------------------------------------------
 * process
 */

static int validate_rlimits(struct vctx *v, const char *prefix, const struct oci_process *p)
{
    char path[VPATH_MAX];

    for (size_t i = 0; i < p->rlimits_len; i++) {
        const struct oci_rlimit *r = &p->rlimits[i];
        if (r->soft > r->hard)
            return verr(v, ppath(path, prefix, "rlimits[%zu]", i),
                        "soft limit %" PRIu64 " is greater than hard limit %" PRIu64 " for %s",
                        r->soft, r->hard, oci_rlimit_name(r->type));
        for (size_t j = 0; j < i; j++)
            if (p->rlimits[j].type == r->type)
                return verr(v, ppath(path, prefix, "rlimits[%zu].type", i),
                            "duplicate rlimit \"%s\" (also in rlimits[%zu])",
                            oci_rlimit_name(r->type), j);
    }
    return 0;
}

static int validate_scheduler(struct vctx *v, const char *prefix, const struct oci_scheduler *s)
{
    char path[VPATH_MAX];
    bool realtime = s->policy == OCI_SCHED_FIFO || s->policy == OCI_SCHED_RR;

    if (s->policy == OCI_SCHED_ISO)
        return verr(v, ppath(path, prefix, "scheduler.policy"),
                    "\"SCHED_ISO\" is not implemented by Linux");
    if (s->nice_present && (s->nice < -20 || s->nice > 19))
        return verr(v, ppath(path, prefix, "scheduler.nice"),
                    "%" PRId32 " is out of range (-20 to 19)", s->nice);
    if (s->priority_present && realtime && (s->priority < 1 || s->priority > 99))
        return verr(v, ppath(path, prefix, "scheduler.priority"),
                    "%" PRId32 " is out of range (1 to 99) for a real-time policy", s->priority);
    if (s->priority_present && !realtime && s->priority != 0)
        return verr(v, ppath(path, prefix, "scheduler.priority"),
                    "must be 0 unless the policy is SCHED_FIFO or SCHED_RR, got %" PRId32,
                    s->priority);
    /* sched_setattr(2): runtime <= deadline <= period (a zero period means
     * the deadline). */
    if (s->policy == OCI_SCHED_DEADLINE) {
        uint64_t period = s->period != 0 ? s->period : s->deadline;
        if (s->runtime > s->deadline || s->deadline > period)
            return verr(v, ppath(path, prefix, "scheduler"),
                        "SCHED_DEADLINE needs runtime <= deadline <= period, got %" PRIu64
                        ", %" PRIu64 ", %" PRIu64,
                        s->runtime, s->deadline, s->period);
    }
    return 0;
}

static int validate_env(struct vctx *v, const char *prefix, const struct oci_process *p)
{
    char path[VPATH_MAX];

    for (size_t i = 0; i < p->env_len; i++) {
        const char *eq = strchr(p->env[i], '=');
        if (eq == NULL || eq == p->env[i])
            return verr(v, ppath(path, prefix, "env[%zu]", i),
                        "\"%.100s\" is not of the form NAME=value", p->env[i]);
    }
    return 0;
}

static int validate_process_misc(struct vctx *v, const char *prefix, const struct oci_process *p)
{
    char path[VPATH_MAX];

    if (p->terminal && p->console_size != NULL &&
        (p->console_size->height > UINT16_MAX || p->console_size->width > UINT16_MAX))
        return verr(v, ppath(path, prefix, "consoleSize"),
                    "%" PRIu64 "x%" PRIu64 " is too large (at most 65535 in each dimension)",
                    p->console_size->width, p->console_size->height);
    if (p->user != NULL && p->user->umask_present && p->user->umask > 0777)
        return verr(v, ppath(path, prefix, "user.umask"), "%u is out of range (0 to 511, 0777)",
                    (unsigned)p->user->umask);
    /* proc(5): oom_score_adj takes -1000..1000. */
    if (p->oom_score_adj_present && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
        return verr(v, ppath(path, prefix, "oomScoreAdj"), "%d is out of range (-1000 to 1000)",
                    p->oom_score_adj);
    if (p->io_priority != NULL && p->io_priority->priority_present &&
        (p->io_priority->priority < 0 || p->io_priority->priority > 7))
        return verr(v, ppath(path, prefix, "ioPriority.priority"),
                    "%" PRId32 " is out of range (0 to 7)", p->io_priority->priority);
    if (p->scheduler != NULL && validate_scheduler(v, prefix, p->scheduler) < 0)
        return -1;
    if (p->exec_cpu_affinity != NULL) {
        const struct oci_exec_cpu_affinity *a = p->exec_cpu_affinity;
        if (a->initial != NULL && !valid_cpu_list(a->initial))
            return verr(v, ppath(path, prefix, "execCPUAffinity.initial"),
                        "invalid CPU list \"%.100s\" (expected e.g. \"0-3,7\")", a->initial);
        if (a->final != NULL && !valid_cpu_list(a->final))
            return verr(v, ppath(path, prefix, "execCPUAffinity.final"),
                        "invalid CPU list \"%.100s\" (expected e.g. \"0-3,7\")", a->final);
    }
    return 0;
}

static int validate_process_at(struct vctx *v, const char *prefix, const struct oci_process *p)
{
    char path[VPATH_MAX];

    if (p->cwd == NULL)
        return verr(v, ppath(path, prefix, "cwd"), "required");
    if (validate_absolute(v, p->cwd, "%s", ppath(path, prefix, "cwd")) < 0)
        return -1;
    /* config.md: at least one entry is REQUIRED (non-Windows). */
    if (p->args == NULL)
        return verr(v, ppath(path, prefix, "args"), "required");
    if (p->args_len == 0)
        return verr(v, ppath(path, prefix, "args"), "must not be empty");
    if (p->args[0][0] == '\0')
        return verr(v, ppath(path, prefix, "args[0]"), "must not be empty");
    if (validate_env(v, prefix, p) < 0 || validate_rlimits(v, prefix, p) < 0)
        return -1;
    return validate_process_misc(v, prefix, p);
}

int oci_process_validate(const struct oci_process *p, const char *filename, bw_err_t *err)
{
    struct vctx v = {.filename = filename, .err = err};

    return validate_process_at(&v, "", p);
}

/* ---------------------------------------------------------------------------
 * hooks, annotations, hostname, the document
 */

static int validate_hooks(struct vctx *v, const struct oci_hooks *hooks)
{
    char p[VPATH_MAX];

    for (int k = 0; k < OCI_HOOK__COUNT; k++) {
        size_t n;
        const struct oci_hook *h = oci_hooks_get(hooks, (enum oci_hook_kind)k, &n);
        const char *kind = oci_hook_kind_name((enum oci_hook_kind)k);
        for (size_t i = 0; i < n; i++) {
            if (validate_absolute(v, h[i].path, "hooks.%s[%zu].path", kind, i) < 0)
                return -1;
            if (h[i].timeout_present && h[i].timeout <= 0)
                return verr(v, vpath(p, sizeof(p), "hooks.%s[%zu].timeout", kind, i),
                            "must be greater than zero, got %d", h[i].timeout);
        }
    }
    return 0;
}

/* sethostname(2)/setdomainname(2) change the UTS namespace the process is
 * in: without one of its own that is the host's. */
static int validate_uts_name(struct vctx *v, const struct oci_config *c, const char *key,
                             const char *value)
{
    if (value == NULL || value[0] == '\0') /* "" means: leave it alone */
        return 0;
    if (strlen(value) > 64)
        return verr(v, key, "\"%.64s...\" is longer than 64 characters", value);
    if (!has_namespace(c, OCI_NS_UTS))
        return verr(v, key,
                    "setting it needs a UTS namespace (add {\"type\": \"uts\"} to "
                    "linux.namespaces)");
    return 0;
}

static int validate_document(struct vctx *v, const struct oci_config *c)
{
    char p[VPATH_MAX];

    if (validate_version(v, c->oci_version) < 0)
        return -1;
    for (size_t i = 0; i < c->mounts_len; i++)
        if (validate_mount(v, c, i) < 0)
            return -1;
    if (c->process != NULL && validate_process_at(v, "process", c->process) < 0)
        return -1;
    if (validate_uts_name(v, c, "hostname", c->hostname) < 0 ||
        validate_uts_name(v, c, "domainname", c->domainname) < 0)
        return -1;
    if (c->hooks != NULL && validate_hooks(v, c->hooks) < 0)
        return -1;
    for (size_t i = 0; i < c->annotations_len; i++)
        if (c->annotations[i].key[0] == '\0')
            return verr(v, vpath(p, sizeof(p), "annotations[\"\"]"), "key must not be empty");
    if (c->linux != NULL && validate_linux(v, c) < 0)
        return -1;
    return 0;
}

int oci_config_validate(const struct oci_config *c, const char *filename, bw_err_t *err)
{
    struct vctx v = {.filename = filename, .err = err};

    return validate_document(&v, c);
}

int oci_config_validate_for_create(const struct oci_config *c, const char *filename, bw_err_t *err)
{
    struct vctx v = {.filename = filename, .err = err};

    if (validate_document(&v, c) < 0)
        return -1;
    if (c->root == NULL || c->root->path == NULL || c->root->path[0] == '\0')
        return verr(&v, "root.path", "required to create a container");
    if (c->process == NULL)
        return verr(&v, "process", "required to start a container");
    return 0;
}
