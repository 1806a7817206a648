/* burrow: the config.json that `burrow spec` writes. */
#ifndef BURROW_SPEC_GENERATE_H
#define BURROW_SPEC_GENERATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

#include "spec/config.h"

struct oci_spec_options {
    bool rootless; /* user namespace with the mappings below, no network ns, /sys rbind */
    /* With rootless: the config's uidMappings/gidMappings (the caller as 0,
     * then its subordinate ranges when it has them). */
    const struct oci_id_mapping *uid_maps;
    size_t uid_maps_len;
    const struct oci_id_mapping *gid_maps;
    size_t gid_maps_len;
};

/* The template (configs/spec.json) adapted to `opts`, as pretty-printed JSON
 * text ending in a newline.  Caller frees.  NULL + *err on failure. */
char *oci_spec_generate(const struct oci_spec_options *opts, bw_err_t *err);

/* Write it as `dir`/config.json (mode 0644, through a temporary file and
 * rename).  Refuses to replace an existing config.json. */
int oci_spec_write(const char *dir, const struct oci_spec_options *opts, bw_err_t *err);

#endif
