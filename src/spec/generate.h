/* burrow: the config.json that `burrow spec` writes. */
#ifndef BURROW_SPEC_GENERATE_H
#define BURROW_SPEC_GENERATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

struct oci_spec_options {
    bool rootless; /* user namespace mapping uid/gid below, no network ns, /sys rbind */
    uid_t uid;     /* host ids mapped to 0 when rootless (getuid()/getgid()) */
    gid_t gid;
};

/* The template (configs/spec.json) adapted to `opts`, as pretty-printed JSON
 * text ending in a newline.  Caller frees.  NULL + *err on failure. */
char *oci_spec_generate(const struct oci_spec_options *opts, bw_err_t *err);

/* Write it as `dir`/config.json (mode 0644, through a temporary file and
 * rename).  Refuses to replace an existing config.json. */
int oci_spec_write(const char *dir, const struct oci_spec_options *opts, bw_err_t *err);

#endif
