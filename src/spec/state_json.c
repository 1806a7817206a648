#include <config.h>

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "spec/state_json.h"
#include "util/cleanup.h"

static void json_putp(json_object **o)
{
    if (*o != NULL)
        json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_putp)))

void bw_state_free_fields(struct bw_state *s)
{
    free(s->id);
    free(s->bundle);
    free(s->rootfs);
    free(s->created);
    if (s->annotations != NULL) {
        for (char **p = s->annotations; *p != NULL; p++)
            free(*p);
        free(s->annotations);
    }
    memset(s, 0, sizeof(*s));
}

static void add_string(json_object *o, const char *key, const char *value)
{
    json_object_object_add(o, key, json_object_new_string(value ? value : ""));
}

static json_object *annotations_object(const struct bw_state *s)
{
    json_object *a = json_object_new_object();
    for (char **p = s->annotations; p != NULL && p[0] != NULL && p[1] != NULL; p += 2)
        json_object_object_add(a, p[0], json_object_new_string(p[1]));
    return a;
}

static char *dup_json(json_object *o, int flags, bw_err_t *err)
{
    const char *txt = json_object_to_json_string_ext(o, flags | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *s = txt ? strdup(txt) : NULL;
    if (s == NULL)
        bw_error_set(err, ENOMEM, "serialize state");
    return s;
}

char *bw_state_to_file_json(const struct bw_state *s, bw_err_t *err)
{
    cleanup_json json_object *o = json_object_new_object();
    add_string(o, "ociVersion", OCI_RUNTIME_SPEC_VERSION);
    add_string(o, "id", s->id);
    json_object_object_add(o, "pid", json_object_new_int(s->pid));
    add_string(o, "bundle", s->bundle);
    add_string(o, "rootfs", s->rootfs);
    add_string(o, "created", s->created);
    json_object_object_add(o, "owner", json_object_new_int64(s->owner));
    json_object_object_add(o, "annotations", annotations_object(s));
    json_object *b = json_object_new_object();
    json_object_object_add(b, "pidStartTime", json_object_new_uint64(s->pid_start));
    json_object_object_add(b, "pidNamespace", json_object_new_boolean(s->own_pidns));
    json_object_object_add(b, "rootless", json_object_new_boolean(s->rootless));
    json_object_object_add(o, "burrow", b);
    return dup_json(o, JSON_C_TO_STRING_PLAIN, err);
}

char *bw_state_to_oci_json(const struct bw_state *s, const char *status, bool pretty, bw_err_t *err)
{
    cleanup_json json_object *o = json_object_new_object();
    add_string(o, "ociVersion", OCI_RUNTIME_SPEC_VERSION);
    add_string(o, "id", s->id);
    add_string(o, "status", status);
    json_object_object_add(o, "pid", json_object_new_int(s->pid));
    add_string(o, "bundle", s->bundle);
    add_string(o, "rootfs", s->rootfs);
    add_string(o, "created", s->created);
    json_object_object_add(o, "owner", json_object_new_int64(s->owner));
    json_object_object_add(o, "annotations", annotations_object(s));
    return dup_json(
        o, pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN,
        err);
}

static const char *get_string(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int64_t get_int(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return -1;
    return json_object_get_int64(v);
}

static bool get_bool(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
           json_object_get_boolean(v);
}

static char *xstrdup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int bw_state_from_file_json(const char *data, size_t len, const char *what, struct bw_state *s,
                            bw_err_t *err)
{
    memset(s, 0, sizeof(*s));
    json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        return bw_error_set(err, ENOMEM, "parse `%s`", what);
    cleanup_json json_object *o = json_tokener_parse_ex(tok, data, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (o == NULL || jerr != json_tokener_success || !json_object_is_type(o, json_type_object))
        return bw_error_set(err, 0, "`%s`: not a valid state file", what);

    const char *id = get_string(o, "id");
    const char *bundle = get_string(o, "bundle");
    int64_t pid = get_int(o, "pid");
    if (id == NULL || bundle == NULL || pid < 0 || pid > INT32_MAX)
        return bw_error_set(err, 0, "`%s`: not a valid state file", what);
    s->id = strdup(id);
    s->bundle = strdup(bundle);
    s->rootfs = xstrdup_or_null(get_string(o, "rootfs"));
    s->created = xstrdup_or_null(get_string(o, "created"));
    s->pid = (pid_t)pid;
    int64_t owner = get_int(o, "owner");
    s->owner = owner < 0 ? (uid_t)-1 : (uid_t)owner;

    json_object *b;
    if (json_object_object_get_ex(o, "burrow", &b) && json_object_is_type(b, json_type_object)) {
        json_object *v;
        if (json_object_object_get_ex(b, "pidStartTime", &v) &&
            json_object_is_type(v, json_type_int))
            s->pid_start = json_object_get_uint64(v);
        s->own_pidns = get_bool(b, "pidNamespace");
        s->rootless = get_bool(b, "rootless");
    }

    json_object *a;
    if (json_object_object_get_ex(o, "annotations", &a) &&
        json_object_is_type(a, json_type_object)) {
        size_t n = (size_t)json_object_object_length(a);
        s->annotations = calloc(2 * n + 1, sizeof(char *));
        size_t i = 0;
        json_object_object_foreach(a, key, val)
        {
            if (s->annotations == NULL || !json_object_is_type(val, json_type_string))
                continue;
            s->annotations[i++] = strdup(key);
            s->annotations[i++] = strdup(json_object_get_string(val));
        }
    }
    if (s->id == NULL || s->bundle == NULL) {
        bw_state_free_fields(s);
        return bw_error_set(err, ENOMEM, "parse `%s`", what);
    }
    return 0;
}
