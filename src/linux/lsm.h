/* burrow: AppArmor and SELinux: process.apparmorProfile,
 * process.selinuxLabel and linux.mountLabel.
 *
 * No library is needed: a profile or label for the next exec is a write to
 * the process's own /proc attr file, and a mount label is a mount option.
 * When the host does not run the LSM a field asks for, that is an error that
 * names the field, found before anything exists: the spec makes a property
 * the runtime cannot apply an error, and silently running a container
 * without its profile would be worse.
 */
#ifndef BURROW_LINUX_LSM_H
#define BURROW_LINUX_LSM_H

#include "spec/config.h"
#include "util/error.h"

/* In the parent: every LSM field set has its LSM enabled on this host, and
 * linux.mountLabel can be quoted as a mount option.  `lx` may be NULL. */
int bw_lsm_prepare(const struct oci_process *p, const struct oci_linux *lx, bw_err_t *err);

/* In the child, before exec: the AppArmor profile and the SELinux label
 * the exec will switch to.  Needs the container's /proc. */
int bw_lsm_apply_exec(const struct oci_process *p, bw_err_t *err);

/* Mount data for a filesystem of `type` with linux.mountLabel added as
 * context="LABEL".  *out is NULL when nothing is added (no label, or a
 * filesystem that takes none: proc, sysfs, cgroup); else the caller frees
 * it and mounts with it instead of `data`. */
int bw_lsm_mount_data(const struct oci_linux *lx, const char *type, const char *data, char **out,
                      bw_err_t *err);

#endif
