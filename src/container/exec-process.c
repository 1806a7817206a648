/* burrow exec: the process to run, from the container's config.json copy
 * and the command line, or from a process.json (--process).
 *
 * As runc does: without --process the container's process object is the
 * starting point (user, env, cwd, capabilities, rlimits, noNewPrivileges),
 * ARGS replace its args and each flag replaces (or, for --env and --cap,
 * extends) one field.  With --process the file is the whole process, and
 * the flags that would change it are refused rather than silently ignored.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "container/exec-internal.h"
#include "container/support.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* A process.json larger than this is not one. */
#define PROCESS_MAX (4u << 20)

/* Append a copy of `s` to the NULL-terminated array *v of *n strings. */
static int strv_push(char ***v, size_t *n, const char *s)
{
    char *copy = strdup(s);
    char **nv = copy ? realloc(*v, (*n + 2) * sizeof(char *)) : NULL;
    if (nv == NULL) {
        free(copy);
        return -1;
    }
    nv[(*n)++] = copy;
    nv[*n] = NULL;
    *v = nv;
    return 0;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* --env K=V: replace K where the config has it, else append. */
static int env_set(struct oci_process *p, const char *kv)
{
    size_t klen = (size_t)(strchr(kv, '=') - kv);
    for (size_t i = 0; i < p->env_len; i++) {
        if (strncmp(p->env[i], kv, klen) == 0 && p->env[i][klen] == '=') {
            char *copy = strdup(kv);
            if (copy == NULL)
                return -1;
            free(p->env[i]);
            p->env[i] = copy;
            return 0;
        }
    }
    return strv_push(&p->env, &p->env_len, kv);
}

static bool strv_has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i], s) == 0)
            return true;
    }
    return false;
}

static int cap_add(char ***set, size_t *n, const char *name)
{
    return strv_has(*set, *n, name) ? 0 : strv_push(set, n, name);
}

int bw_exec_check_cap_name(const char *name, bw_err_t *err)
{
    cap_value_t v;
    /* As process.capabilities: "CAP_" and upper case (cap_from_name would
     * also take "chown" and numbers). */
    if (strncmp(name, "CAP_", 4) != 0 || !isupper((unsigned char)name[4]) ||
        cap_from_name(name, &v) < 0)
        return bw_error_set(err, 0, "--cap: unknown capability \"%s\"", name);
    return 0;
}

/* The flags that change the process, for the message when --process is
 * given too. */
static const char *process_flag_given(const struct bw_exec_opts *o)
{
    if (o->args_len > 0)
        return "ARGS";
    if (o->env_len > 0)
        return "--env";
    if (o->cwd != NULL)
        return "--cwd";
    if (o->user_set)
        return "--user";
    if (o->additional_gids != NULL)
        return "--additional-gids";
    if (o->caps_len > 0)
        return "--cap";
    if (o->no_new_privs)
        return "--no-new-privs";
    if (o->apparmor != NULL)
        return "--apparmor";
    return NULL;
}

static struct oci_process *load_process_file(const char *path, bw_err_t *err)
{
    size_t len = 0;
    cleanup_free char *raw = bw_read_file(path, PROCESS_MAX, &len, err);
    if (raw == NULL)
        return bw_error_prefix(err, "--process `%s`", path), NULL;
    struct oci_process *p = oci_process_parse(raw, len, "process.json", err);
    if (p == NULL)
        return NULL;
    if (oci_process_validate(p, "process.json", err) < 0) {
        oci_process_free(p);
        return NULL;
    }
    return p;
}

/* Apply the flags to the container's process `p` (owned by the caller's
 * config). */
static int apply_flags(struct oci_process *p, const struct bw_exec_opts *o, bw_err_t *err)
{
    if (o->args_len == 0)
        return bw_error_set(err, 0,
                            "missing the command to run (burrow exec ID COMMAND [ARGS...])");
    strv_free(p->args, p->args_len);
    p->args = NULL;
    p->args_len = 0;
    for (size_t i = 0; i < o->args_len; i++) {
        if (strv_push(&p->args, &p->args_len, o->args[i]) < 0)
            return bw_error_set(err, ENOMEM, "copy the arguments");
    }
    for (size_t i = 0; i < o->env_len; i++) {
        if (env_set(p, o->env[i]) < 0)
            return bw_error_set(err, ENOMEM, "copy --env");
    }
    if (o->cwd != NULL) {
        char *cwd = strdup(o->cwd);
        if (cwd == NULL)
            return bw_error_set(err, ENOMEM, "copy --cwd");
        free(p->cwd);
        p->cwd = cwd;
    }
    if ((o->user_set || o->additional_gids != NULL) && p->user == NULL) {
        p->user = calloc(1, sizeof(*p->user));
        if (p->user == NULL)
            return bw_error_set(err, ENOMEM, "copy --user");
    }
    if (o->user_set) {
        p->user->uid = o->uid;
        if (o->gid_set)
            p->user->gid = o->gid;
    }
    if (o->additional_gids != NULL) {
        gid_t *g = malloc((o->additional_gids_len + 1) * sizeof(gid_t));
        if (g == NULL)
            return bw_error_set(err, ENOMEM, "copy --additional-gids");
        memcpy(g, o->additional_gids, o->additional_gids_len * sizeof(gid_t));
        free(p->user->additional_gids);
        p->user->additional_gids = g;
        p->user->additional_gids_len = o->additional_gids_len;
    }
    /* --cap joins the bounding, effective and permitted sets, and the
     * ambient one only where the config has inheritable capabilities (an
     * ambient capability must be inheritable too).  A config without a
     * capabilities object leaves the process all of them already. */
    struct oci_capabilities *c = p->capabilities;
    for (size_t i = 0; c != NULL && i < o->caps_len; i++) {
        const char *name = o->caps[i];
        if (cap_add(&c->bounding, &c->bounding_len, name) < 0 ||
            cap_add(&c->effective, &c->effective_len, name) < 0 ||
            cap_add(&c->permitted, &c->permitted_len, name) < 0 ||
            (c->inheritable_len > 0 && cap_add(&c->ambient, &c->ambient_len, name) < 0))
            return bw_error_set(err, ENOMEM, "copy --cap");
    }
    if (o->no_new_privs) {
        p->no_new_privileges = true;
        p->no_new_privileges_present = true;
    }
    if (o->apparmor != NULL) {
        char *a = strdup(o->apparmor);
        if (a == NULL)
            return bw_error_set(err, ENOMEM, "copy --apparmor");
        free(p->apparmor_profile);
        p->apparmor_profile = a;
    }
    /* A config's terminal does not apply to an exec'd process: -t decides
     * alone, as runc's. */
    p->terminal = o->tty;
    return 0;
}

/* What this version cannot apply to a process is refused as at create:
 * bw_config_check_supported on a config holding only the process. */
static int check_supported(struct oci_process *p, bool from_file, bw_err_t *err)
{
    struct oci_config only = {.process = p};
    bw_err_t e = NULL;
    if (bw_config_check_supported(&only, &e) < 0) {
        /* "config.json: process.x: ..." -> the name of what the user gave. */
        const char *msg = e->msg;
        if (strncmp(msg, "config.json: process.", 21) == 0)
            msg += 21;
        bw_error_set(err, e->code, "%s%s", from_file ? "process.json: " : "process.", msg);
        bw_error_free(&e);
        return -1;
    }
    return 0;
}

int bw_exec_build_process(struct oci_config *config, const struct bw_exec_opts *o,
                          struct oci_process **out, bw_err_t *err)
{
    *out = NULL;
    if (o->process_file != NULL) {
        const char *flag = process_flag_given(o);
        if (flag != NULL)
            return bw_error_set(err, 0,
                                "%s cannot be combined with --process: put it in the process "
                                "file",
                                flag);
        struct oci_process *p = load_process_file(o->process_file, err);
        if (p == NULL)
            return -1;
        if (check_supported(p, true, err) < 0) {
            oci_process_free(p);
            return -1;
        }
        *out = p;
        return 0;
    }
    if (config->process == NULL)
        return bw_error_set(err, EINVAL, "the container's config.json has no process");
    if (apply_flags(config->process, o, err) < 0 ||
        oci_process_validate(config->process, "exec", err) < 0 ||
        check_supported(config->process, false, err) < 0)
        return -1;
    /* The caller keeps owning it through the config. */
    *out = steal_pointer(&config->process);
    return 0;
}
