/* burrow: the runtime binary cannot be overwritten from inside a container.
 *
 * A process that enters a container (create, run, exec) is, until its final
 * execve, the burrow binary: a container process that could open its
 * /proc/PID/exe for writing would replace the runtime on the host for every
 * later user (CVE-2019-5736 against runc).  As root, those commands
 * re-execute themselves once from a sealed memfd copy of the binary, so
 * /proc/PID/exe is a file nothing can write.  Rootless the copy is not
 * needed: the container's users are the caller's own ids, which cannot
 * write a binary they do not own, and the setup processes are not dumpable,
 * so their /proc/PID/exe cannot be opened from inside.
 */
#ifndef BURROW_LINUX_SELFEXEC_H
#define BURROW_LINUX_SELFEXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Re-execute from a sealed memfd unless already running from one.  Returns
 * 0 when running sealed (or rootless), -1 with *err when the copy could not
 * be made; on success of the re-exec it does not return. */
int bw_selfexec_sealed(char **argv, bw_err_t *err);

/* The device and inode of the burrow binary on disk (not of the memfd),
 * to recognise it as a container's executable.  False when unknown. */
bool bw_selfexec_identity(dev_t *dev, ino_t *ino);

#endif
