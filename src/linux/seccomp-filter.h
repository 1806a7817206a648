/* burrow: linux.seccomp.  (Not named seccomp.h: with -Isrc, that name would
 * shadow the kernel's <linux/seccomp.h>, which libseccomp's header includes.)
 *
 * The filter is compiled with libseccomp in the parent, before the
 * container's process exists (launch.c P1), so that a bad filter fails
 * `create` with nothing left behind; it is kept as raw BPF.  The child only
 * hands that program to seccomp(2), with the config's flags, at one of three
 * points (see enum bw_seccomp_stage and seccomp.c for why):
 *
 *   - before `created`, when a rule uses SCMP_ACT_NOTIFY: the listener fd
 *     goes back to the parent over the sync socket, and the parent sends it
 *     to linux.seccomp.listenerPath with the container process state;
 *   - last, just before exec, when process.noNewPrivileges is set;
 *   - before the change of ids and capabilities otherwise: without
 *     no_new_privs the kernel asks for CAP_SYS_ADMIN, which the process may
 *     be about to drop.
 */
#ifndef BURROW_LINUX_SECCOMP_H
#define BURROW_LINUX_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/config.h"
#include "util/error.h"

enum bw_seccomp_stage {
    BW_SECCOMP_BEFORE_CREATED, /* a NOTIFY rule: the listener must exist at create */
    BW_SECCOMP_BEFORE_IDS,     /* no no_new_privs: while CAP_SYS_ADMIN is still held */
    BW_SECCOMP_LAST,           /* no_new_privs: just before exec */
};

struct bw_seccomp {
    struct sock_filter *prog; /* the compiled filter */
    unsigned short len;       /* its instructions */
    unsigned int flags;       /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
    enum bw_seccomp_stage stage;
    const char *listener_path; /* borrowed from the config */
    const char *listener_metadata;
};

/* In the parent: compile `s` (NULL: no filter, *out stays NULL).  Errors name
 * the field: an architecture libseccomp lacks, a flag this kernel lacks, a
 * rule libseccomp refuses.  `nnp` is process.noNewPrivileges.  With a
 * `cache_root` (the state root; NULL: none), a program compiled before for
 * the same filter is taken from its cache, and a new one is kept there when
 * that directory exists (seccomp-cache.c). */
int bw_seccomp_prepare(const struct oci_seccomp *s, bool nnp, const char *cache_root,
                       struct bw_seccomp **out, bw_err_t *err);

/* The cache (seccomp-cache.c): load returns 1 and a malloc'd program when
 * `root` holds one for exactly `key`, else 0; store keeps one, silently
 * giving up (a debug line) when it cannot.  Both do nothing for a NULL
 * root or key. */
int bw_seccomp_cache_load(const char *root, const char *key, struct sock_filter **prog,
                          unsigned short *len);
void bw_seccomp_cache_store(const char *root, const char *key, const struct sock_filter *prog,
                            unsigned short len);
void bw_seccomp_free(struct bw_seccomp *sc);

/* Whether the kernel knows the seccomp(2) filter flag `flag` (one bit). */
bool bw_seccomp_flag_supported(unsigned int flag);

/* In the child: load the filter if `stage` is its stage (a NULL `sc` or
 * another stage does nothing).  For BW_SECCOMP_BEFORE_CREATED the listener
 * fd is stored in *listener_fd. */
int bw_seccomp_apply(const struct bw_seccomp *sc, enum bw_seccomp_stage stage, int *listener_fd,
                     bw_err_t *err);

/* What the container process state sent to the listener describes. */
struct bw_seccomp_peer {
    const char *id;
    const char *bundle;
    pid_t pid;
    const struct oci_kv *annotations;
    size_t annotations_len;
};

/* Child, before `created`: load a filter with a NOTIFY rule and pass its
 * listener fd to the parent over the sync socket.  Nothing without one. */
int bw_seccomp_notify_child(const struct bw_seccomp *sc, int sync_fd, bw_err_t *err);
/* Parent, before waiting for `created`: receive that fd and send it with
 * the container process state to listenerPath.  Nothing without NOTIFY. */
int bw_seccomp_notify_parent(const struct bw_seccomp *sc, int sync_fd,
                             const struct bw_seccomp_peer *peer, bw_err_t *err);

#endif
