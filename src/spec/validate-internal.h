/* burrow: helpers shared by validate.c and validate-linux.c. */
#ifndef BURROW_SPEC_VALIDATE_INTERNAL_H
#define BURROW_SPEC_VALIDATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/config.h"

struct vctx {
    const char *filename;
    bw_err_t *err;
};

/* "FILE: PATH: message"; returns -1. */
int verr(struct vctx *v, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Format a JSON path into buf (truncated if needed) and return buf. */
const char *vpath(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define VPATH_MAX 256

/* "0-3,7": comma-separated numbers or ranges, each range low <= high. */
bool valid_cpu_list(const char *s);

/* "must be an absolute path" unless value starts with '/'; the JSON path is
 * a format, expanded only on error. */
int validate_absolute(struct vctx *v, const char *value, const char *path_fmt, ...)
    __attribute__((format(printf, 3, 4)));
int validate_id_mappings(struct vctx *v, const char *path, const struct oci_id_mapping *m,
                         size_t n);
int validate_linux(struct vctx *v, const struct oci_config *c);

/* Does linux.namespaces ask for a namespace of that type? */
bool has_namespace(const struct oci_config *c, enum oci_namespace_type type);

#endif
