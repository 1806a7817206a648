/* burrow: the table-driven machinery behind oci_config_parse.
 *
 * Each JSON object of the spec is described by a `struct object_desc`: the
 * size of its C struct and a table of `struct field`, one per JSON key, each
 * saying where the value goes (offsetof), what kind it is and whether it is
 * required.  One generic walker (parse_object) reads any described object,
 * and one generic walker (free_object) frees it, so the parser and the
 * destructor cannot disagree about ownership.
 *
 * Only src/spec/parse*.c and src/spec/free.c include this file.
 */
#ifndef BURROW_SPEC_PARSE_INTERNAL_H
#define BURROW_SPEC_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "spec/config.h"

/* The JSON path of the value being parsed, for messages.  Long map keys are
 * truncated rather than failing: the path is only ever shown to people. */
#define PCTX_PATH_MAX 512

struct pctx {
    const char *filename; /* "config.json" */
    const char *data;     /* the whole document, for the out-of-range scan */
    size_t len;
    bw_err_t *err;
    int saturation; /* 0: not scanned yet, 1: no saturated literal, 2: found */
    size_t path_len;
    char path[PCTX_PATH_MAX];
};

/* Fill *ctx->err with "FILE: PATH: message" (or "FILE: message" at the top)
 * and return -1. */
int pctx_error(struct pctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pctx_oom(struct pctx *ctx);

/* Path stack: each push returns the length to restore with pctx_pop. */
size_t pctx_push_key(struct pctx *ctx, const char *key);    /* ".key" */
size_t pctx_push_index(struct pctx *ctx, size_t index);     /* "[3]" */
size_t pctx_push_mapkey(struct pctx *ctx, const char *key); /* "[\"key\"]" */
static inline void pctx_pop(struct pctx *ctx, size_t saved)
{
    ctx->path_len = saved;
    ctx->path[saved] = '\0';
}

/* Typed leaf parsers: check the JSON type, then the range of the C type;
 * -1 with a message naming the path and the value otherwise. */
int parse_string(struct pctx *ctx, struct json_object *v, char **out);
int parse_uint(struct pctx *ctx, struct json_object *v, uint64_t max, uint64_t *out);
int parse_int(struct pctx *ctx, struct json_object *v, int64_t min, int64_t max, int64_t *out);
int parse_u32(struct pctx *ctx, struct json_object *v, uint32_t *out);
int parse_string_array(struct pctx *ctx, struct json_object *v, char ***out, size_t *out_len);
int parse_id_mapping(struct pctx *ctx, struct json_object *v, struct oci_id_mapping *out);
/* Type check only: "expected object, got array". */
int expect_type(struct pctx *ctx, struct json_object *v, enum json_type type, const char *what);

/* Enumerations: JSON string -> integer (kernel constant or oci_ enum). */
struct enum_entry {
    const char *name;
    long value;
};
struct enum_table {
    const char *what; /* for "unknown WHAT "VALUE"" */
    const struct enum_entry *entries;
    size_t n;
};
int parse_enum(struct pctx *ctx, struct json_object *v, const struct enum_table *t,
               const struct enum_entry **out);

enum field_kind {
    K_STRING,       /* char *                                         */
    K_BOOL,         /* bool (+ _present)                              */
    K_UINT,         /* unsigned integer of f->size bytes, <= f->max   */
    K_INT,          /* signed integer of f->size bytes, in [min, max] */
    K_STRV,         /* char ** NULL-terminated + _len                 */
    K_MAP,          /* struct oci_kv * + _len                         */
    K_UINT32_ARRAY, /* uint32_t * (uid_t, gid_t) + _len               */
    K_ENUM,         /* integer of f->size bytes from f->table         */
    K_ENUM_ARRAY,   /* int * + _len                                   */
    K_FLAGS,        /* OR of f->table values, integer of f->size      */
    K_OBJECT,       /* pointer to a struct described by f->desc       */
    K_OBJECT_ARRAY, /* array of structs described by f->desc + _len   */
    K_OBJECT_MAP,   /* JSON map -> array of structs + _len; the key
                       goes to the char * at f->desc->key_off         */
    K_CUSTOM,       /* f->custom handles it                           */
};

#define NO_AUX         ((size_t)-1)
#define FIELD_REQUIRED 0x1u
#define FIELD_AUX_NAME 0x2u /* K_ENUM: aux holds the static name, not _present */

struct field;
struct custom_ops {
    int (*parse)(struct pctx *ctx, struct json_object *v, void *base, const struct field *f);
    void (*free)(void *base, const struct field *f);
};

struct object_desc {
    size_t size;
    const struct field *fields;
    size_t nfields;
    size_t key_off;               /* K_OBJECT_MAP: where the map key goes */
    void (*init)(void *obj);      /* defaults before parsing, may be NULL */
    const char *unknown_key_what; /* non-NULL: unknown keys are errors ("clock") */
};

struct field {
    const char *key;
    enum field_kind kind;
    unsigned flags;
    size_t off;  /* the value */
    size_t aux;  /* _present for scalars, _len for arrays, or NO_AUX */
    size_t size; /* sizeof the value, for integers and enums */
    uint64_t max;
    int64_t min;
    const struct enum_table *table;
    const struct object_desc *desc;
    const struct custom_ops *custom;
};

int parse_object(struct pctx *ctx, struct json_object *v, const struct object_desc *d, void *dst);
void free_object(const struct object_desc *d, void *obj); /* contents, not obj itself */
void free_strv(char **v, size_t len);

/* Table helpers.  T is the C struct, m a member, k the JSON key. */
#define MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define F_(k, knd, fl, T, m, ax)                                                                   \
    .key = (k), .kind = (knd), .flags = (fl), .off = offsetof(T, m), .aux = (ax),                  \
    .size = MEMBER_SIZE(T, m)
#define F_STRING(T, k, m)                                                                          \
    {                                                                                              \
        F_(k, K_STRING, 0, T, m, NO_AUX)                                                           \
    }
#define F_STRING_REQ(T, k, m)                                                                      \
    {                                                                                              \
        F_(k, K_STRING, FIELD_REQUIRED, T, m, NO_AUX)                                              \
    }
#define F_BOOL(T, k, m)                                                                            \
    {                                                                                              \
        F_(k, K_BOOL, 0, T, m, offsetof(T, m##_present))                                           \
    }
#define F_BOOL_REQ(T, k, m)                                                                        \
    {                                                                                              \
        F_(k, K_BOOL, FIELD_REQUIRED, T, m, NO_AUX)                                                \
    }
#define F_UINT(T, k, m, mx)                                                                        \
    {                                                                                              \
        F_(k, K_UINT, 0, T, m, offsetof(T, m##_present)), .max = (mx)                              \
    }
#define F_UINT_REQ(T, k, m, mx)                                                                    \
    {                                                                                              \
        F_(k, K_UINT, FIELD_REQUIRED, T, m, NO_AUX), .max = (mx)                                   \
    }
#define F_INT(T, k, m, mn, mx)                                                                     \
    {                                                                                              \
        F_(k, K_INT, 0, T, m, offsetof(T, m##_present)), .min = (mn), .max = (uint64_t)(mx)        \
    }
#define F_INT_REQ(T, k, m, mn, mx)                                                                 \
    {                                                                                              \
        F_(k, K_INT, FIELD_REQUIRED, T, m, NO_AUX), .min = (mn), .max = (uint64_t)(mx)             \
    }
#define F_STRV(T, k, m)                                                                            \
    {                                                                                              \
        F_(k, K_STRV, 0, T, m, offsetof(T, m##_len))                                               \
    }
#define F_STRV_REQ(T, k, m)                                                                        \
    {                                                                                              \
        F_(k, K_STRV, FIELD_REQUIRED, T, m, offsetof(T, m##_len))                                  \
    }
#define F_MAP(T, k, m)                                                                             \
    {                                                                                              \
        F_(k, K_MAP, 0, T, m, offsetof(T, m##_len))                                                \
    }
#define F_UINT32_ARRAY(T, k, m)                                                                    \
    {                                                                                              \
        F_(k, K_UINT32_ARRAY, 0, T, m, offsetof(T, m##_len))                                       \
    }
#define F_ENUM(T, k, m, tbl)                                                                       \
    {                                                                                              \
        F_(k, K_ENUM, 0, T, m, offsetof(T, m##_present)), .table = (tbl)                           \
    }
#define F_ENUM_REQ(T, k, m, tbl)                                                                   \
    {                                                                                              \
        F_(k, K_ENUM, FIELD_REQUIRED, T, m, NO_AUX), .table = (tbl)                                \
    }
#define F_ENUM_NAMED(T, k, m, name_m, tbl)                                                         \
    {                                                                                              \
        F_(k, K_ENUM, FIELD_REQUIRED | FIELD_AUX_NAME, T, m, offsetof(T, name_m)), .table = (tbl)  \
    }
#define F_ENUM_ARRAY(T, k, m, tbl)                                                                 \
    {                                                                                              \
        F_(k, K_ENUM_ARRAY, 0, T, m, offsetof(T, m##_len)), .table = (tbl)                         \
    }
#define F_FLAGS(T, k, m, tbl)                                                                      \
    {                                                                                              \
        F_(k, K_FLAGS, 0, T, m, NO_AUX), .table = (tbl)                                            \
    }
#define F_OBJECT(T, k, m, d)                                                                       \
    {                                                                                              \
        F_(k, K_OBJECT, 0, T, m, NO_AUX), .desc = (d)                                              \
    }
#define F_OBJECT_ARRAY(T, k, m, d)                                                                 \
    {                                                                                              \
        F_(k, K_OBJECT_ARRAY, 0, T, m, offsetof(T, m##_len)), .desc = (d)                          \
    }
#define F_OBJECT_MAP(T, k, m, d)                                                                   \
    {                                                                                              \
        F_(k, K_OBJECT_MAP, 0, T, m, offsetof(T, m##_len)), .desc = (d)                            \
    }
#define F_CUSTOM(T, k, m, ops, fl)                                                                 \
    {                                                                                              \
        F_(k, K_CUSTOM, fl, T, m, NO_AUX), .custom = (ops)                                         \
    }

#define DESC(T, tbl, ...)                                                                          \
    {                                                                                              \
        .size = sizeof(T), .fields = (tbl), .nfields = sizeof(tbl) / sizeof((tbl)[0]), __VA_ARGS__ \
    }
#define ENUM_TABLE(what_, arr)                                                                     \
    {                                                                                              \
        .what = (what_), .entries = (arr), .n = sizeof(arr) / sizeof((arr)[0])                     \
    }

/* The descriptors, defined next to their parsers. */
extern const struct object_desc oci_process_desc;    /* parse-process.c */
extern const struct object_desc oci_linux_desc;      /* parse-linux.c */
extern const struct object_desc oci_resources_desc;  /* parse-resources.c */
extern const struct object_desc oci_seccomp_desc;    /* parse-seccomp.c */
extern const struct object_desc oci_id_mapping_desc; /* parse.c */

/* Enumeration tables shared by the parser, validation and `burrow spec`. */
extern const struct enum_table oci_namespace_table;
extern const struct enum_table oci_rlimit_table;
extern const struct enum_table oci_seccomp_action_table;
extern const struct enum_table oci_seccomp_arch_table;
extern const struct enum_table oci_seccomp_op_table;

/* Name of a value in a table, or NULL. */
const char *enum_name(const struct enum_table *t, long value);

#endif
