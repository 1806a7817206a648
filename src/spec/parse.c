/* burrow: config.json -> struct oci_config.
 *
 * One json-c pass builds the tree (json_tokener_parse_ex, strict RFC 8259
 * like Go's encoding/json that writes most configs), then one walk over the
 * tree, driven by the field tables, fills the C structs.  Every message
 * carries the JSON path of the offending value, kept in a small buffer in
 * the parse context as the walk descends.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/parse-internal.h"
#include "util/log.h"

/* ---------------------------------------------------------------------------
 * Context: messages and the path stack
 */

int pctx_error(struct pctx *ctx, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ctx->path_len == 0)
        return bw_error_set(ctx->err, 0, "%s: %s", ctx->filename, msg);
    return bw_error_set(ctx->err, 0, "%s: %s: %s", ctx->filename, ctx->path, msg);
}

int pctx_oom(struct pctx *ctx)
{
    return bw_error_set(ctx->err, ENOMEM, "%s: parse", ctx->filename);
}

/* Append `s` (n bytes), truncating when the buffer is full. */
static void path_append(struct pctx *ctx, const char *s, size_t n)
{
    size_t room = PCTX_PATH_MAX - 1 - ctx->path_len;

    if (n > room)
        n = room;
    memcpy(ctx->path + ctx->path_len, s, n);
    ctx->path_len += n;
    ctx->path[ctx->path_len] = '\0';
}

size_t pctx_push_key(struct pctx *ctx, const char *key)
{
    size_t saved = ctx->path_len;

    if (saved > 0)
        path_append(ctx, ".", 1);
    path_append(ctx, key, strlen(key));
    return saved;
}

/* Called for every array element: no printf on this path. */
size_t pctx_push_index(struct pctx *ctx, size_t index)
{
    size_t saved = ctx->path_len;
    char buf[24];
    char *p = buf + sizeof(buf);

    *--p = ']';
    do {
        *--p = (char)('0' + index % 10);
        index /= 10;
    } while (index > 0);
    *--p = '[';
    path_append(ctx, p, (size_t)(buf + sizeof(buf) - p));
    return saved;
}

/* Map keys often contain dots (annotations, sysctl): quote them. */
size_t pctx_push_mapkey(struct pctx *ctx, const char *key)
{
    size_t saved = ctx->path_len;

    path_append(ctx, "[\"", 2);
    path_append(ctx, key, strlen(key));
    path_append(ctx, "\"]", 2);
    return saved;
}

/* ---------------------------------------------------------------------------
 * Positions in the text
 */

static void offset_to_line_col(const char *s, size_t len, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, bol = 0;

    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            l++;
            bol = i + 1;
        }
    }
    *line = l;
    *col = off - bol + 1;
}

/* Does the integer literal of `n` digits exceed what json-c can hold?
 * json-c (0.16) silently saturates: above UINT64_MAX to UINT64_MAX, below
 * INT64_MIN to INT64_MIN.  Leading zeros are not valid JSON. */
static bool digits_overflow(const char *d, size_t n, bool negative)
{
    const char *limit = negative ? "9223372036854775808" : "18446744073709551615";
    size_t ln = strlen(limit);

    if (n != ln)
        return n > ln;
    return memcmp(d, limit, n) > 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Find the first integer literal json-c saturated.  Only called when a
 * parsed value sits exactly on a saturation bound, so the common case pays
 * nothing for it. */
static bool find_saturated_literal(const char *s, size_t len, size_t *off, size_t *n)
{
    size_t i = 0;

    while (i < len) {
        if (s[i] == '"') {
            for (i++; i < len && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            i++;
            continue;
        }
        if (s[i] != '-' && !is_digit(s[i])) {
            i++;
            continue;
        }
        size_t start = i;
        bool negative = s[i] == '-';
        if (negative)
            i++;
        size_t digits = i;
        while (i < len && is_digit(s[i]))
            i++;
        size_t ndigits = i - digits;
        bool integer = !(i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'));
        while (i < len && (is_digit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
                           s[i] == '+' || s[i] == '-'))
            i++;
        if (integer && digits_overflow(s + digits, ndigits, negative)) {
            *off = start;
            *n = i - start;
            return true;
        }
    }
    return false;
}

/* Called with a value at a saturation bound: -1 and an error if the text
 * held a larger number, 0 if the bound itself was written. */
static int check_saturation(struct pctx *ctx)
{
    size_t off, n, line, col;

    /* One scan per document at most: UINT64_MAX is common in rlimits. */
    if (ctx->saturation == 1)
        return 0;
    if (!find_saturated_literal(ctx->data, ctx->len, &off, &n)) {
        ctx->saturation = 1;
        return 0;
    }
    offset_to_line_col(ctx->data, ctx->len, off, &line, &col);
    return bw_error_set(ctx->err, 0, "%s: line %zu, column %zu: integer %.*s is out of range",
                        ctx->filename, line, col, (int)(n > 64 ? 64 : n), ctx->data + off);
}

/* ---------------------------------------------------------------------------
 * Leaf parsers
 */

static const char *json_kind(struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_double:
        return "number";
    case json_type_int:
        return "integer";
    case json_type_object:
        return "object";
    case json_type_array:
        return "array";
    case json_type_string:
        return "string";
    }
    return "unknown";
}

int expect_type(struct pctx *ctx, struct json_object *v, enum json_type type, const char *what)
{
    if (v != NULL && json_object_is_type(v, type))
        return 0;
    return pctx_error(ctx, "expected %s, got %s", what, json_kind(v));
}

int parse_string(struct pctx *ctx, struct json_object *v, char **out)
{
    if (expect_type(ctx, v, json_type_string, "string") < 0)
        return -1;
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    /* "\u0000" is valid JSON but would silently cut the C string short. */
    if (memchr(s, '\0', n) != NULL)
        return pctx_error(ctx, "string contains a NUL character");
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return pctx_oom(ctx);
    memcpy(copy, s, n + 1);
    free(*out); /* a duplicate key replaced in json-c is never seen twice; be safe */
    *out = copy;
    return 0;
}

/* json-c's getters convert strings, doubles and bools silently: check the
 * JSON type first, then the range of the C type. */
int parse_uint(struct pctx *ctx, struct json_object *v, uint64_t max, uint64_t *out)
{
    if (v == NULL || !json_object_is_type(v, json_type_int))
        return pctx_error(ctx, "expected unsigned integer, got %s", json_kind(v));
    int64_t s = json_object_get_int64(v);
    if (s < 0) {
        if (s == INT64_MIN && check_saturation(ctx) < 0)
            return -1;
        return pctx_error(ctx, "%" PRId64 " is out of range (0 to %" PRIu64 ")", s, max);
    }
    /* get_uint64 is exact for values json-c stored as int64 or uint64. */
    uint64_t u = json_object_get_uint64(v);
    if (u == UINT64_MAX && check_saturation(ctx) < 0)
        return -1;
    if (u > max)
        return pctx_error(ctx, "%" PRIu64 " is out of range (0 to %" PRIu64 ")", u, max);
    *out = u;
    return 0;
}

int parse_int(struct pctx *ctx, struct json_object *v, int64_t min, int64_t max, int64_t *out)
{
    if (v == NULL || !json_object_is_type(v, json_type_int))
        return pctx_error(ctx, "expected integer, got %s", json_kind(v));
    int64_t s = json_object_get_int64(v);
    if (s == INT64_MAX) {
        /* Stored as uint64 above INT64_MAX, or saturated: get the real value. */
        uint64_t u = json_object_get_uint64(v);
        if (u == UINT64_MAX && check_saturation(ctx) < 0)
            return -1;
        if (u > (uint64_t)max)
            return pctx_error(ctx, "%" PRIu64 " is out of range (%" PRId64 " to %" PRId64 ")", u,
                              min, max);
    }
    if (s == INT64_MIN && check_saturation(ctx) < 0)
        return -1;
    if (s < min || s > max)
        return pctx_error(ctx, "%" PRId64 " is out of range (%" PRId64 " to %" PRId64 ")", s, min,
                          max);
    *out = s;
    return 0;
}

int parse_u32(struct pctx *ctx, struct json_object *v, uint32_t *out)
{
    uint64_t u;

    if (parse_uint(ctx, v, UINT32_MAX, &u) < 0)
        return -1;
    *out = (uint32_t)u;
    return 0;
}

void free_strv(char **v, size_t len)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < len; i++)
        free(v[i]);
    free(v);
}

/* NULL-terminated as well as counted, so args/env can go to execve. */
int parse_string_array(struct pctx *ctx, struct json_object *v, char ***out, size_t *out_len)
{
    if (expect_type(ctx, v, json_type_array, "array of strings") < 0)
        return -1;
    size_t n = json_object_array_length(v);
    char **a = calloc(n + 1, sizeof(*a));
    if (a == NULL)
        return pctx_oom(ctx);
    free_strv(*out, *out_len);
    *out = a;
    *out_len = n; /* entries not yet parsed are NULL, which free_strv skips */
    for (size_t i = 0; i < n; i++) {
        size_t saved = pctx_push_index(ctx, i);
        if (parse_string(ctx, json_object_array_get_idx(v, i), &a[i]) < 0)
            return -1;
        pctx_pop(ctx, saved);
    }
    return 0;
}

int parse_enum(struct pctx *ctx, struct json_object *v, const struct enum_table *t,
               const struct enum_entry **out)
{
    if (expect_type(ctx, v, json_type_string, "string") < 0)
        return -1;
    const char *s = json_object_get_string(v);
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(s, t->entries[i].name) == 0) {
            *out = &t->entries[i];
            return 0;
        }
    }
    return pctx_error(ctx, "unknown %s \"%.128s\"", t->what, s);
}

const char *enum_name(const struct enum_table *t, long value)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->entries[i].value == value)
            return t->entries[i].name;
    return NULL;
}

/* ---------------------------------------------------------------------------
 * The generic walker
 */

static void store_uint(void *p, size_t size, uint64_t v)
{
    switch (size) {
    case 1:
        *(uint8_t *)p = (uint8_t)v;
        break;
    case 2:
        *(uint16_t *)p = (uint16_t)v;
        break;
    case 4:
        *(uint32_t *)p = (uint32_t)v;
        break;
    default:
        *(uint64_t *)p = v;
        break;
    }
}

static void store_int(void *p, size_t size, int64_t v)
{
    switch (size) {
    case 1:
        *(int8_t *)p = (int8_t)v;
        break;
    case 2:
        *(int16_t *)p = (int16_t)v;
        break;
    case 4:
        *(int32_t *)p = (int32_t)v;
        break;
    default:
        *(int64_t *)p = v;
        break;
    }
}

#define AT(base, off) ((void *)((char *)(base) + (off)))

static void set_present(void *base, const struct field *f)
{
    if (f->aux != NO_AUX)
        *(bool *)AT(base, f->aux) = true;
}

static int parse_map(struct pctx *ctx, struct json_object *v, void *base, const struct field *f)
{
    if (expect_type(ctx, v, json_type_object, "object") < 0)
        return -1;
    size_t n = (size_t)json_object_object_length(v), i = 0;
    if (n == 0)
        return 0;
    struct oci_kv *kv = calloc(n, sizeof(*kv));
    if (kv == NULL)
        return pctx_oom(ctx);
    *(struct oci_kv **)AT(base, f->off) = kv;
    size_t *len = AT(base, f->aux);
    json_object_object_foreach(v, key, val)
    {
        size_t saved = pctx_push_mapkey(ctx, key);
        kv[i].key = strdup(key);
        *len = ++i;
        if (kv[i - 1].key == NULL)
            return pctx_oom(ctx);
        if (parse_string(ctx, val, &kv[i - 1].value) < 0)
            return -1;
        pctx_pop(ctx, saved);
    }
    return 0;
}

static int parse_uint32_array(struct pctx *ctx, struct json_object *v, void *base,
                              const struct field *f)
{
    if (expect_type(ctx, v, json_type_array, "array of unsigned integers") < 0)
        return -1;
    size_t n = json_object_array_length(v);
    if (n == 0)
        return 0;
    uint32_t *a = calloc(n, sizeof(*a));
    if (a == NULL)
        return pctx_oom(ctx);
    *(uint32_t **)AT(base, f->off) = a;
    *(size_t *)AT(base, f->aux) = n;
    for (size_t i = 0; i < n; i++) {
        size_t saved = pctx_push_index(ctx, i);
        if (parse_u32(ctx, json_object_array_get_idx(v, i), &a[i]) < 0)
            return -1;
        pctx_pop(ctx, saved);
    }
    return 0;
}

static int parse_enum_array(struct pctx *ctx, struct json_object *v, void *base,
                            const struct field *f)
{
    if (expect_type(ctx, v, json_type_array, "array of strings") < 0)
        return -1;
    size_t n = json_object_array_length(v);
    if (n == 0)
        return 0;
    int *a = calloc(n, sizeof(*a));
    if (a == NULL)
        return pctx_oom(ctx);
    *(int **)AT(base, f->off) = a;
    *(size_t *)AT(base, f->aux) = n;
    for (size_t i = 0; i < n; i++) {
        const struct enum_entry *e;
        size_t saved = pctx_push_index(ctx, i);
        if (parse_enum(ctx, json_object_array_get_idx(v, i), f->table, &e) < 0)
            return -1;
        a[i] = (int)e->value;
        pctx_pop(ctx, saved);
    }
    return 0;
}

static int parse_flags(struct pctx *ctx, struct json_object *v, void *base, const struct field *f)
{
    uint64_t acc = 0;

    if (expect_type(ctx, v, json_type_array, "array of strings") < 0)
        return -1;
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n; i++) {
        const struct enum_entry *e;
        size_t saved = pctx_push_index(ctx, i);
        if (parse_enum(ctx, json_object_array_get_idx(v, i), f->table, &e) < 0)
            return -1;
        acc |= (uint64_t)e->value;
        pctx_pop(ctx, saved);
    }
    store_uint(AT(base, f->off), f->size, acc);
    return 0;
}

static int parse_object_ptr(struct pctx *ctx, struct json_object *v, void *base,
                            const struct field *f)
{
    if (expect_type(ctx, v, json_type_object, "object") < 0)
        return -1;
    void *obj = calloc(1, f->desc->size);
    if (obj == NULL)
        return pctx_oom(ctx);
    *(void **)AT(base, f->off) = obj;
    return parse_object(ctx, v, f->desc, obj);
}

static int parse_object_array(struct pctx *ctx, struct json_object *v, void *base,
                              const struct field *f)
{
    if (expect_type(ctx, v, json_type_array, "array of objects") < 0)
        return -1;
    size_t n = json_object_array_length(v);
    if (n == 0)
        return 0;
    char *a = calloc(n, f->desc->size);
    if (a == NULL)
        return pctx_oom(ctx);
    *(void **)AT(base, f->off) = a;
    *(size_t *)AT(base, f->aux) = n; /* zeroed entries are safe to free */
    for (size_t i = 0; i < n; i++) {
        size_t saved = pctx_push_index(ctx, i);
        if (parse_object(ctx, json_object_array_get_idx(v, i), f->desc, a + i * f->desc->size) < 0)
            return -1;
        pctx_pop(ctx, saved);
    }
    return 0;
}

static int parse_object_map(struct pctx *ctx, struct json_object *v, void *base,
                            const struct field *f)
{
    if (expect_type(ctx, v, json_type_object, "object") < 0)
        return -1;
    size_t n = (size_t)json_object_object_length(v), i = 0;
    if (n == 0)
        return 0;
    char *a = calloc(n, f->desc->size);
    if (a == NULL)
        return pctx_oom(ctx);
    *(void **)AT(base, f->off) = a;
    *(size_t *)AT(base, f->aux) = n;
    json_object_object_foreach(v, key, val)
    {
        char *elem = a + (i++) * f->desc->size;
        size_t saved = pctx_push_mapkey(ctx, key);
        char *k = strdup(key);
        if (k == NULL)
            return pctx_oom(ctx);
        *(char **)AT(elem, f->desc->key_off) = k;
        if (parse_object(ctx, val, f->desc, elem) < 0)
            return -1;
        pctx_pop(ctx, saved);
    }
    return 0;
}

static int parse_scalar(struct pctx *ctx, struct json_object *v, void *base, const struct field *f)
{
    void *p = AT(base, f->off);
    const struct enum_entry *e;
    uint64_t u;
    int64_t s;

    switch (f->kind) {
    case K_BOOL:
        if (expect_type(ctx, v, json_type_boolean, "boolean") < 0)
            return -1;
        *(bool *)p = json_object_get_boolean(v);
        break;
    case K_UINT:
        if (parse_uint(ctx, v, f->max, &u) < 0)
            return -1;
        store_uint(p, f->size, u);
        break;
    case K_INT:
        if (parse_int(ctx, v, f->min, (int64_t)f->max, &s) < 0)
            return -1;
        store_int(p, f->size, s);
        break;
    case K_ENUM:
        if (parse_enum(ctx, v, f->table, &e) < 0)
            return -1;
        store_int(p, f->size, e->value);
        if (f->flags & FIELD_AUX_NAME) {
            *(const char **)AT(base, f->aux) = e->name;
            return 0;
        }
        break;
    default:
        return pctx_error(ctx, "internal error: field kind %d", (int)f->kind);
    }
    set_present(base, f);
    return 0;
}

static int parse_field(struct pctx *ctx, struct json_object *v, void *base, const struct field *f)
{
    switch (f->kind) {
    case K_STRING:
        return parse_string(ctx, v, AT(base, f->off));
    case K_STRV:
        return parse_string_array(ctx, v, AT(base, f->off), AT(base, f->aux));
    case K_MAP:
        return parse_map(ctx, v, base, f);
    case K_UINT32_ARRAY:
        return parse_uint32_array(ctx, v, base, f);
    case K_ENUM_ARRAY:
        return parse_enum_array(ctx, v, base, f);
    case K_FLAGS:
        return parse_flags(ctx, v, base, f);
    case K_OBJECT:
        return parse_object_ptr(ctx, v, base, f);
    case K_OBJECT_ARRAY:
        return parse_object_array(ctx, v, base, f);
    case K_OBJECT_MAP:
        return parse_object_map(ctx, v, base, f);
    case K_CUSTOM:
        return f->custom->parse(ctx, v, base, f);
    default:
        return parse_scalar(ctx, v, base, f);
    }
}

static const struct field *find_field(const struct object_desc *d, const char *key)
{
    for (size_t i = 0; i < d->nfields; i++)
        if (d->fields[i].key[0] == key[0] && strcmp(d->fields[i].key, key) == 0)
            return &d->fields[i];
    return NULL;
}

static int unknown_key(struct pctx *ctx, const struct object_desc *d, const char *key)
{
    if (d->unknown_key_what != NULL)
        return pctx_error(ctx, "unknown %s \"%.128s\"", d->unknown_key_what, key);
    /* The spec: runtimes MAY log unknown properties but MUST ignore them. */
    bw_debug("%s: %s%s%s: unknown key, ignored", ctx->filename, ctx->path,
             ctx->path_len > 0 ? "." : "", key);
    return 0;
}

int parse_object(struct pctx *ctx, struct json_object *v, const struct object_desc *d, void *dst)
{
    uint64_t seen = 0;

    if (expect_type(ctx, v, json_type_object, "object") < 0)
        return -1;
    if (d->init != NULL)
        d->init(dst);
    json_object_object_foreach(v, key, val)
    {
        const struct field *f = find_field(d, key);
        if (f == NULL) {
            if (unknown_key(ctx, d, key) < 0)
                return -1;
            continue;
        }
        if (val == NULL) /* JSON null: as if the key were absent */
            continue;
        size_t saved = pctx_push_key(ctx, key);
        if (parse_field(ctx, val, dst, f) < 0)
            return -1;
        pctx_pop(ctx, saved);
        seen |= UINT64_C(1) << (f - d->fields);
    }
    for (size_t i = 0; i < d->nfields; i++) {
        if ((d->fields[i].flags & FIELD_REQUIRED) && !(seen & (UINT64_C(1) << i))) {
            pctx_push_key(ctx, d->fields[i].key);
            return pctx_error(ctx, "required");
        }
    }
    return 0;
}

void free_object(const struct object_desc *d, void *obj)
{
    for (size_t i = 0; i < d->nfields; i++) {
        const struct field *f = &d->fields[i];
        void *p = AT(obj, f->off);
        size_t len = 0;
        if (f->kind == K_STRV || f->kind == K_MAP || f->kind == K_OBJECT_ARRAY ||
            f->kind == K_OBJECT_MAP)
            len = *(size_t *)AT(obj, f->aux); /* for scalars aux is a bool */
        switch (f->kind) {
        case K_STRING:
        case K_UINT32_ARRAY:
        case K_ENUM_ARRAY:
            free(*(void **)p);
            break;
        case K_STRV:
            free_strv(*(char ***)p, len);
            break;
        case K_MAP: {
            struct oci_kv *kv = *(struct oci_kv **)p;
            for (size_t j = 0; kv != NULL && j < len; j++) {
                free(kv[j].key);
                free(kv[j].value);
            }
            free(kv);
            break;
        }
        case K_OBJECT:
            if (*(void **)p != NULL)
                free_object(f->desc, *(void **)p);
            free(*(void **)p);
            break;
        case K_OBJECT_ARRAY:
        case K_OBJECT_MAP: {
            char *a = *(char **)p;
            for (size_t j = 0; a != NULL && j < len; j++) {
                char *elem = a + j * f->desc->size;
                if (f->kind == K_OBJECT_MAP)
                    free(*(char **)AT(elem, f->desc->key_off));
                free_object(f->desc, elem);
            }
            free(a);
            break;
        }
        case K_CUSTOM:
            if (f->custom->free != NULL)
                f->custom->free(obj, f);
            break;
        default:
            break;
        }
    }
}

/* ---------------------------------------------------------------------------
 * The top-level objects: id mappings, root, mounts, hooks, the document
 */

#define T struct oci_id_mapping
static const struct field id_mapping_fields[] = {
    F_UINT_REQ(T, "containerID", container_id, UINT32_MAX),
    F_UINT_REQ(T, "hostID", host_id, UINT32_MAX),
    F_UINT_REQ(T, "size", size, UINT32_MAX),
};
const struct object_desc oci_id_mapping_desc = DESC(T, id_mapping_fields);
#undef T

int parse_id_mapping(struct pctx *ctx, struct json_object *v, struct oci_id_mapping *out)
{
    return parse_object(ctx, v, &oci_id_mapping_desc, out);
}

#define T struct oci_root
static const struct field root_fields[] = {
    F_STRING_REQ(T, "path", path),
    F_BOOL(T, "readonly", readonly),
};
static const struct object_desc root_desc = DESC(T, root_fields);
#undef T

#define T struct oci_mount
static const struct field mount_fields[] = {
    F_STRING_REQ(T, "destination", destination),
    F_STRING(T, "source", source),
    F_STRING(T, "type", type),
    F_STRV(T, "options", options),
    F_OBJECT_ARRAY(T, "uidMappings", uid_mappings, &oci_id_mapping_desc),
    F_OBJECT_ARRAY(T, "gidMappings", gid_mappings, &oci_id_mapping_desc),
};
static const struct object_desc mount_desc = DESC(T, mount_fields);
#undef T

#define T struct oci_hook
static const struct field hook_fields[] = {
    F_STRING_REQ(T, "path", path),
    F_STRV(T, "args", args),
    F_STRV(T, "env", env),
    F_INT(T, "timeout", timeout, INT32_MIN, INT32_MAX),
};
static const struct object_desc hook_desc = DESC(T, hook_fields);
#undef T

#define T struct oci_hooks
static const struct field hooks_fields[] = {
    F_OBJECT_ARRAY(T, "prestart", prestart, &hook_desc),
    F_OBJECT_ARRAY(T, "createRuntime", create_runtime, &hook_desc),
    F_OBJECT_ARRAY(T, "createContainer", create_container, &hook_desc),
    F_OBJECT_ARRAY(T, "startContainer", start_container, &hook_desc),
    F_OBJECT_ARRAY(T, "poststart", poststart, &hook_desc),
    F_OBJECT_ARRAY(T, "poststop", poststop, &hook_desc),
};
static const struct object_desc hooks_desc = DESC(T, hooks_fields);
#undef T

#define T struct oci_config
static const struct field config_fields[] = {
    F_STRING_REQ(T, "ociVersion", oci_version),
    F_OBJECT(T, "root", root, &root_desc),
    F_OBJECT_ARRAY(T, "mounts", mounts, &mount_desc),
    F_OBJECT(T, "process", process, &oci_process_desc),
    F_STRING(T, "hostname", hostname),
    F_STRING(T, "domainname", domainname),
    F_OBJECT(T, "hooks", hooks, &hooks_desc),
    F_MAP(T, "annotations", annotations),
    F_OBJECT(T, "linux", linux, &oci_linux_desc),
};
static const struct object_desc config_desc = DESC(T, config_fields);
#undef T

/* Bytes json-c stopped at that are not the end of the document. */
static bool only_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

static int syntax_error(struct pctx *ctx, size_t off, const char *what)
{
    size_t line, col;

    offset_to_line_col(ctx->data, ctx->len, off, &line, &col);
    return bw_error_set(ctx->err, 0, "%s: syntax error at line %zu, column %zu: %s", ctx->filename,
                        line, col, what);
}

/* Parse the text into a json-c tree that is an object. */
static struct json_object *parse_json(struct pctx *ctx)
{
    struct json_tokener *tok = json_tokener_new(); /* default depth 32: plenty for the spec */
    struct json_object *root;
    enum json_tokener_error jerr;
    size_t end;

    if (tok == NULL) {
        pctx_oom(ctx);
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, ctx->data, (int)ctx->len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* The text ended inside a value: a final NUL tells json-c the input
         * is over (it completes a bare number, or reports the truncation). */
        root = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = ctx->len;
    }
    json_tokener_free(tok);
    if (jerr != json_tokener_success) {
        /* json-c takes a NUL byte for the end of the input (and stops just
         * after it). */
        if (end > 0 && end <= ctx->len && ctx->data[end - 1] == '\0')
            syntax_error(ctx, end - 1, "unexpected NUL character");
        else
            syntax_error(ctx, end, json_tokener_error_desc(jerr));
        goto fail;
    }
    if (end < ctx->len && !only_space(ctx->data + end, ctx->len - end)) {
        syntax_error(ctx, end, "unexpected data after the JSON value");
        goto fail;
    }
    if (!json_object_is_type(root, json_type_object)) {
        pctx_error(ctx, "expected a JSON object at the top level, got %s", json_kind(root));
        goto fail;
    }
    return root;
fail:
    json_object_put(root);
    return NULL;
}

static void *parse_document(const char *data, size_t len, const char *filename,
                            const struct object_desc *d, bw_err_t *err)
{
    struct pctx ctx = {.filename = filename, .data = data, .len = len, .err = err};
    struct json_object *root;
    void *obj;

    if (len > INT32_MAX) {
        bw_error_set(err, EFBIG, "%s: parse", filename);
        return NULL;
    }
    root = parse_json(&ctx);
    if (root == NULL)
        return NULL;
    obj = calloc(1, d->size);
    if (obj == NULL) {
        pctx_oom(&ctx);
    } else if (parse_object(&ctx, root, d, obj) < 0) {
        free_object(d, obj);
        free(obj);
        obj = NULL;
    }
    json_object_put(root);
    return obj;
}

struct oci_config *oci_config_parse(const char *data, size_t len, const char *filename,
                                    bw_err_t *err)
{
    return parse_document(data, len, filename, &config_desc, err);
}

struct oci_process *oci_process_parse(const char *data, size_t len, const char *filename,
                                      bw_err_t *err)
{
    return parse_document(data, len, filename, &oci_process_desc, err);
}

struct oci_resources *oci_resources_parse(const char *data, size_t len, const char *filename,
                                          bw_err_t *err)
{
    return parse_document(data, len, filename, &oci_resources_desc, err);
}

void oci_resources_free(struct oci_resources *r)
{
    if (r == NULL)
        return;
    free_object(&oci_resources_desc, r);
    free(r);
}

void oci_config_free(struct oci_config *c)
{
    if (c == NULL)
        return;
    free_object(&config_desc, c);
    free(c);
}

void oci_process_free(struct oci_process *p)
{
    if (p == NULL)
        return;
    free_object(&oci_process_desc, p);
    free(p);
}
