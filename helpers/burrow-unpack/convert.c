/* burrow-unpack: config.json from the image config, as image-spec
 * conversion.md says, on top of the config `burrow spec` writes (rootless
 * when unpacking without root, with the same mappings).
 *
 *   Entrypoint + Cmd -> process.args     Env -> process.env (the template's
 *   WorkingDir -> process.cwd            variables the image does not name
 *   User -> process.user (names from     are kept: PATH, TERM)
 *     the image's /etc/passwd and /etc/group; additionalGids from
 *     /etc/group when User names a user and no group)
 *   os, architecture, variant, os.version, os.features, author, created,
 *   StopSignal, ExposedPorts -> org.opencontainers.image.* annotations,
 *   then Labels, which win over them.
 * Volumes are not turned into mounts (the directories stay in the rootfs). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotations.h"
#include "spec/generate.h"
#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

static struct json_object *jget(const struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static const char *jstr(const struct json_object *o, const char *key)
{
    struct json_object *v = jget(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* /etc/FILE of the image (the topmost layer that has it, with --layers). */
static char *read_etc(const struct convert_opts *o, const char *file)
{
    int fds[64];
    size_t n = 0;
    if (o->rootfd >= 0)
        fds[n++] = o->rootfd;
    for (size_t i = 0; i < o->layer_fds_len && n < 64; i++)
        fds[n++] = o->layer_fds[i];
    for (size_t i = 0; i < n; i++) {
        bw_err_t e = NULL;
        cleanup_close int fd = bw_open_in_root(fds[i], file, O_RDONLY | O_NONBLOCK, &e);
        bw_error_free(&e);
        if (fd < 0)
            continue;
        struct bw_fdpath p;
        size_t len;
        char *text = bw_read_file(bw_fdpath(&p, fd), 16 << 20, &len, &e);
        bw_error_free(&e);
        if (text != NULL)
            return text;
    }
    return NULL;
}

static bool numeric(const char *s, unsigned long *out)
{
    char *end;
    if (*s == '\0' || *s == '-')
        return false;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > 0xfffffffeUL)
        return false;
    *out = v;
    return true;
}

/* Find `name` (or numeric `id` when name is NULL) in passwd/group text:
 * field 0 the name, field 2 the id, field 3 (passwd) the gid or (group) the
 * members.  Returns the line's fields in f (a copy in *line). */
static bool find_entry(const char *text, const char *name, char **line, char *f[4])
{
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t n = strcspn(p, "\n");
        char *l = strndup(p, n);
        if (l == NULL)
            return false;
        char *s = l;
        for (int i = 0; i < 4; i++) {
            f[i] = s ? strsep(&s, ":") : (char *)"";
            if (f[i] == NULL)
                f[i] = (char *)"";
        }
        if (strcmp(f[0], name) == 0) {
            *line = l;
            return true;
        }
        free(l);
    }
    return false;
}

static int convert_user(const struct convert_opts *o, struct json_object *proc, const char *user,
                        bw_err_t *err)
{
    cleanup_free char *u = strdup(user);
    if (u == NULL)
        return bw_error_errno(err, "User");
    char *g = strchr(u, ':');
    if (g != NULL)
        *g++ = '\0';
    unsigned long uid = 0, gid = 0;
    bool have_gid = false;
    cleanup_free char *passwd = NULL, *group = NULL;
    struct json_object *extra = NULL;
    if (!numeric(u, &uid)) {
        passwd = read_etc(o, "/etc/passwd");
        cleanup_free char *line = NULL;
        char *f[4];
        if (passwd == NULL || !find_entry(passwd, u, &line, f) || !numeric(f[2], &uid) ||
            !numeric(f[3], &gid))
            return bw_error_set(err, 0, "image config: config.User `%s`: no such user in the "
                                        "image's /etc/passwd",
                                user);
        have_gid = true;
        if (g == NULL) {
            /* additionalGids: the groups that list the user as a member. */
            group = read_etc(o, "/etc/group");
            extra = json_object_new_array();
            for (const char *p = group; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                cleanup_free char *l = strndup(p, strcspn(p, "\n"));
                char *s = l, *fields[4] = {0};
                for (int i = 0; i < 4 && s; i++)
                    fields[i] = strsep(&s, ":");
                unsigned long ggid;
                if (fields[3] == NULL || fields[2] == NULL || !numeric(fields[2], &ggid) ||
                    ggid == gid)
                    continue;
                for (char *m = fields[3], *tok; (tok = strsep(&m, ",")) != NULL;)
                    if (strcmp(tok, u) == 0)
                        json_object_array_add(extra, json_object_new_int64((int64_t)ggid));
            }
        }
    }
    if (g != NULL && !numeric(g, &gid)) {
        if (group == NULL)
            group = read_etc(o, "/etc/group");
        cleanup_free char *line = NULL;
        char *f[4];
        if (group == NULL || !find_entry(group, g, &line, f) || !numeric(f[2], &gid)) {
            json_object_put(extra);
            return bw_error_set(err, 0, "image config: config.User `%s`: no such group in the "
                                        "image's /etc/group",
                                user);
        }
        have_gid = true;
    } else if (g != NULL) {
        have_gid = true;
    }
    (void)have_gid; /* a numeric user alone gets gid 0 */
    struct json_object *pu = json_object_new_object();
    json_object_object_add(pu, "uid", json_object_new_int64((int64_t)uid));
    json_object_object_add(pu, "gid", json_object_new_int64((int64_t)gid));
    if (extra != NULL && json_object_array_length(extra) > 0)
        json_object_object_add(pu, "additionalGids", extra);
    else
        json_object_put(extra);
    json_object_object_add(proc, "user", pu);
    return 0;
}

static void set_args(struct json_object *proc, const struct json_object *c)
{
    struct json_object *args = json_object_new_array();
    const char *keys[2] = {"Entrypoint", "Cmd"};
    for (int k = 0; k < 2; k++) {
        struct json_object *a = jget(c, keys[k]);
        if (a == NULL || !json_object_is_type(a, json_type_array))
            continue;
        for (size_t i = 0; i < json_object_array_length(a); i++)
            json_object_array_add(args, json_object_get(json_object_array_get_idx(a, i)));
    }
    if (json_object_array_length(args) == 0) {
        /* Neither: the template's `sh` stays, as other converters do. */
        fprintf(stderr, "burrow-unpack: warning: the image has no Entrypoint or Cmd: "
                        "process.args is [\"sh\"]\n");
        json_object_put(args);
        return;
    }
    json_object_object_add(proc, "args", args);
}

static void set_env(struct json_object *proc, const struct json_object *c)
{
    struct json_object *img = jget(c, "Env");
    if (img == NULL || !json_object_is_type(img, json_type_array))
        return;
    struct json_object *env = json_object_new_array();
    struct json_object *tmpl = jget(proc, "env");
    for (size_t i = 0; i < json_object_array_length(img); i++)
        json_object_array_add(env, json_object_get(json_object_array_get_idx(img, i)));
    /* The template's variables the image does not set. */
    for (size_t i = 0; tmpl && i < json_object_array_length(tmpl); i++) {
        const char *t = json_object_get_string(json_object_array_get_idx(tmpl, i));
        size_t klen = strcspn(t, "=");
        bool named = false;
        for (size_t j = 0; j < json_object_array_length(img) && !named; j++) {
            const char *v = json_object_get_string(json_object_array_get_idx(img, j));
            named = v && strncmp(v, t, klen) == 0 && (v[klen] == '=' || v[klen] == '\0');
        }
        if (!named)
            json_object_array_add(env, json_object_new_string(t));
    }
    json_object_object_add(proc, "env", env);
}

static void set_annotations(struct json_object *spec, const struct convert_opts *o)
{
    const struct json_object *cfg = o->cfg, *c = jget(cfg, "config");
    struct json_object *an = json_object_new_object();
    static const struct {
        const char *field, *key;
    } plain[] = {{"os", "os"},           {"architecture", "architecture"},
                 {"variant", "variant"}, {"os.version", "os.version"},
                 {"author", "author"},   {"created", "created"}};
    char key[128];
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        const char *v = jstr(cfg, plain[i].field);
        snprintf(key, sizeof(key), "org.opencontainers.image.%s", plain[i].key);
        if (v != NULL)
            json_object_object_add(an, key, json_object_new_string(v));
    }
    /* Lists become comma-separated values. */
    struct json_object *feat = jget(cfg, "os.features");
    struct json_object *ports = jget(c, "ExposedPorts");
    cleanup_free char *buf = NULL;
    size_t len = 0;
    FILE *f;
    if (feat && json_object_is_type(feat, json_type_array) && (f = open_memstream(&buf, &len))) {
        for (size_t i = 0; i < json_object_array_length(feat); i++)
            fprintf(f, "%s%s", i ? "," : "",
                    json_object_get_string(json_object_array_get_idx(feat, i)));
        fclose(f);
        json_object_object_add(an, "org.opencontainers.image.os.features",
                               json_object_new_string(buf));
        free(steal_pointer(&buf));
    }
    if (ports && json_object_is_type(ports, json_type_object) && (f = open_memstream(&buf, &len))) {
        bool first = true;
        json_object_object_foreach(ports, k, v) {
            (void)v;
            fprintf(f, "%s%s", first ? "" : ",", k);
            first = false;
        }
        fclose(f);
        json_object_object_add(an, "org.opencontainers.image.exposedPorts",
                               json_object_new_string(buf));
    }
    const char *stop = jstr(c, "StopSignal");
    if (stop != NULL)
        json_object_object_add(an, "org.opencontainers.image.stopSignal",
                               json_object_new_string(stop));
    struct json_object *labels = jget(c, "Labels");
    if (labels && json_object_is_type(labels, json_type_object)) {
        json_object_object_foreach(labels, k, v) {
            /* burrow obeys its own annotations (rootfs layers, network,
             * cgroups): an image must not choose them for the user. */
            if (strncmp(k, BW_ANNOTATION_PREFIX, strlen(BW_ANNOTATION_PREFIX)) == 0) {
                fprintf(stderr,
                        "burrow-unpack: warning: image label \"%s\" left out: the %s* "
                        "annotations are the user's to set\n",
                        k, BW_ANNOTATION_PREFIX);
                continue;
            }
            if (json_object_is_type(v, json_type_string))
                json_object_object_add(an, k, json_object_get(v));
        }
    }
    if (o->lowerdirs != NULL) {
        json_object_object_add(an, BW_ANNOTATION_ROOTFS_OVERLAY,
                               json_object_new_string(BW_ANNOTATION_ROOTFS_OVERLAY_AUTO));
        json_object_object_add(an, BW_ANNOTATION_ROOTFS_LOWERDIRS,
                               json_object_new_string(o->lowerdirs));
    }
    if (json_object_object_length(an) > 0)
        json_object_object_add(spec, "annotations", an);
    else
        json_object_put(an);
}

char *convert_config(const struct convert_opts *o, bw_err_t *err)
{
    struct oci_spec_options so = {.rootless = o->plan != NULL};
    if (o->plan != NULL) {
        so.uid_maps = o->plan->uid.m;
        so.uid_maps_len = o->plan->uid.len;
        so.gid_maps = o->plan->gid.m;
        so.gid_maps_len = o->plan->gid.len;
    }
    cleanup_free char *tmpl = oci_spec_generate(&so, err);
    if (tmpl == NULL)
        return NULL;
    struct json_object *spec = json_tokener_parse(tmpl);
    struct json_object *proc = jget(spec, "process");
    if (proc == NULL) {
        json_object_put(spec);
        bw_error_set(err, 0, "the config template has no process");
        return NULL;
    }
    const struct json_object *c = jget(o->cfg, "config");
    set_args(proc, c);
    set_env(proc, c);
    const char *cwd = jstr(c, "WorkingDir");
    if (cwd != NULL && cwd[0] != '\0')
        json_object_object_add(proc, "cwd", json_object_new_string(cwd));
    const char *user = jstr(c, "User");
    if (user != NULL && user[0] != '\0' && convert_user(o, proc, user, err) < 0) {
        json_object_put(spec);
        return NULL;
    }
    set_annotations(spec, o);
    const char *text = json_object_to_json_string_ext(
        spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = NULL;
    if (asprintf(&out, "%s\n", text) < 0)
        out = NULL;
    json_object_put(spec);
    if (out == NULL)
        bw_error_errno(err, "config.json");
    return out;
}
