/* burrow: refuse, by name, what config.json asks and this version cannot apply. */
#ifndef BURROW_CONTAINER_SUPPORT_H
#define BURROW_CONTAINER_SUPPORT_H

#include "spec/config.h"
#include "util/error.h"

int bw_config_check_supported(const struct oci_config *c, bw_err_t *err);

/* The names of the limits `r` sets ("memory, pids"), in `list` (empty when
 * none): what burrow cannot apply while it manages no cgroup. */
void bw_resources_list(const struct oci_resources *r, char *list, size_t size);

#endif
