/* burrow: linux.devices, the device nodes config.json asks for.
 *
 * As root in the initial user namespace each node is made with mknod
 * (type, major:minor, fileMode, uid, gid exactly as given), replacing what is
 * at its path, the default devices included.  In a user namespace the kernel
 * refuses mknod of devices, so the host's node of the same path is bound
 * onto an empty file instead, after checking that it is the device the
 * config describes (type and major:minor); its mode and owner stay the
 * host's.  FIFOs ("p") are made with mknod in both cases.
 *
 * Runs in the child, after mounts[] and the default devices, before
 * pivot_root; paths are resolved inside the rootfs.
 */
#ifndef BURROW_LINUX_DEVICES_H
#define BURROW_LINUX_DEVICES_H

#include <stdbool.h>

#include "linux/mounts.h"
#include "util/error.h"

/* Before anything exists: in a user namespace, every device (but FIFOs)
 * must be on the host with the configured type and major:minor. */
int bw_devices_check_host(const struct oci_config *c, bool in_userns, bw_err_t *err);
/* Create (or bind) every entry of linux.devices in the rootfs. */
int bw_devices_create(struct bw_fs_ctx *ctx, bw_err_t *err);

#endif
