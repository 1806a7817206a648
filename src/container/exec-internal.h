/* burrow exec: what exec.c and exec-process.c share. */
#ifndef BURROW_CONTAINER_EXEC_INTERNAL_H
#define BURROW_CONTAINER_EXEC_INTERNAL_H

#include "container/exec.h"
#include "spec/config.h"
#include "util/error.h"

/* The process to run: a process.json (--process), or the container's
 * config->process changed by the flags, then moved out of `config`.  The
 * caller frees *out with oci_process_free. */
int bw_exec_build_process(struct oci_config *config, const struct bw_exec_opts *o,
                          struct oci_process **out, bw_err_t *err);

/* --cap NAME: a capability libcap knows, spelt as in config.json. */
int bw_exec_check_cap_name(const char *name, bw_err_t *err);

#endif
