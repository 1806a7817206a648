/* burrow: the runtime binary cannot be overwritten from inside a container.
 *
 * A process that enters a container (create, run, exec) is, until its final
 * execve, the burrow binary: a container process that could open its
 * /proc/PID/exe for writing would replace the runtime on the host for every
 * later user (CVE-2019-5736 against runc), and an entrypoint whose
 * interpreter is /proc/self/exe would run it inside.  So those commands
 * re-execute themselves once from a sealed memfd copy of the binary, whose
 * /proc/PID/exe is a file nothing can write: always as root; rootless only
 * when the caller could write the binary (one built in a home directory),
 * since the container's ids are the caller's own and cannot write a binary
 * owned by someone else.  The setup processes are also not dumpable, so
 * their /proc/PID/exe cannot be opened from inside without CAP_SYS_PTRACE.
 */
#ifndef BURROW_LINUX_SELFEXEC_H
#define BURROW_LINUX_SELFEXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Re-execute from a sealed memfd unless already running from one.  Returns
 * 0 when running sealed (or no copy is needed), -1 with *err when the copy could not
 * be made; on success of the re-exec it does not return. */
int bw_selfexec_sealed(char **argv, bw_err_t *err);

/* The device and inode of the burrow binary on disk (not of the memfd),
 * to recognise it as a container's executable.  False when unknown. */
bool bw_selfexec_identity(dev_t *dev, ino_t *ino);

#endif
