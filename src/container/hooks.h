/* burrow: running the hooks of config.json.
 *
 * One hook is one process: `path` executed with `args` (argv[0] is
 * args[0], or the path when args is empty) and exactly `env`, the
 * container's state JSON on its stdin, its stdout and stderr captured and
 * shown when it fails.  It fails when it cannot be executed, exits non-zero,
 * is killed by a signal, or outlives its `timeout` (then it is killed).
 *
 * Where each kind runs (config.md, "POSIX-platform Hooks"):
 *
 *   prestart, createRuntime  burrow create, after the namespaces and mounts
 *                            exist, before pivot_root (launch.c, P4)
 *   createContainer          the container's init, same moment (launch.c, C3)
 *   startContainer           the container's init after `start`, before
 *                            exec (launch.c, C7)
 *   poststart                burrow start (or run), once the process runs
 *   poststop                 burrow delete (or run), once it is deleted
 *
 * The first four and poststart stop the lifecycle when they fail (the
 * runtime-spec's steps 3-9); poststop failures are warnings (step 13).
 */
#ifndef BURROW_CONTAINER_HOOKS_H
#define BURROW_CONTAINER_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/config.h"
#include "util/error.h"

/* True when the config has hooks of `kind`. */
bool bw_hooks_has(const struct oci_config *c, enum oci_hook_kind kind);

/* The state JSON a hook reads on stdin: id, status, pid (0: left out),
 * bundle and the config's annotations.  Caller frees. */
char *bw_hooks_state(const struct oci_config *c, const char *id, const char *bundle, pid_t pid,
                     const char *status, bw_err_t *err);

/* Run the hooks of `kind` in order; stop at the first that fails, with
 * *err naming it ("hooks.createRuntime[1] `/usr/bin/x`: exited with
 * status 3 (output: ...)"). */
int bw_hooks_run(const struct oci_config *c, enum oci_hook_kind kind, const char *state,
                 bw_err_t *err);

/* Run them all; a failure is a warning and the next one runs. */
void bw_hooks_run_warn(const struct oci_config *c, enum oci_hook_kind kind, const char *state);

#endif
