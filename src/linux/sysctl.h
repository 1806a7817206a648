/* burrow: linux.sysctl.
 *
 * Only sysctls that belong to a namespace the container has a new one of
 * are allowed: the ipc ones (kernel.shm*, kernel.msg*, kernel.sem,
 * kernel.*_next_id, fs.mqueue.*) with a new ipc namespace, net.* with a new
 * network namespace, kernel.hostname and kernel.domainname with a new uts
 * namespace.  Anything else would change the host, and a namespace joined by
 * path belongs to someone else: both are refused before anything exists.
 *
 * The values are written through /proc/sys as seen before pivot_root (the
 * runtime's own procfs, out of the container's reach): what a sysctl file
 * shows and changes is decided by the namespaces of the process that opens
 * it, not by the procfs mount, so the container's values are the ones set.
 * That also works when the container's /proc/sys is read-only (readonlyPaths)
 * or its /proc is not a procfs at all.  kernel.hostname and kernel.domainname
 * use sethostname/setdomainname: their /proc/sys files are writable only by
 * the host's root, while the syscalls need only the container's.
 */
#ifndef BURROW_LINUX_SYSCTL_H
#define BURROW_LINUX_SYSCTL_H

#include "spec/config.h"
#include "util/error.h"

/* Before anything exists: each key is namespaced, and its namespace is in
 * `new_ns` (the CLONE_NEW* flags of the namespaces created, not joined). */
int bw_sysctl_check(const struct oci_config *c, unsigned long new_ns, bw_err_t *err);

/* In the child, before pivot_root: an O_PATH fd of /proc/sys, or -1 without
 * error when the config has no sysctl. */
int bw_sysctl_open(const struct oci_config *c, bw_err_t *err);

/* Write every sysctl through `sysfd` (from bw_sysctl_open), in document
 * order; closes sysfd. */
int bw_sysctl_apply(const struct oci_config *c, int sysfd, bw_err_t *err);

#endif
