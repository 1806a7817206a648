/* burrow: the features structure of `burrow features` (runtime-spec
 * features.md, features-linux.md) and its JSON.  What goes in it is decided
 * by src/container/features.c; this file only writes it. */
#ifndef BURROW_SPEC_FEATURES_H
#define BURROW_SPEC_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* A list of names; the strings are not owned. */
struct bw_names {
    const char **v;
    size_t n;
};

struct bw_features {
    const char *oci_version_min;
    const char *oci_version_max;
    struct bw_names hooks;
    struct bw_names mount_options;
    struct bw_names namespaces;
    struct bw_names capabilities;
    bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
    bool seccomp_enabled;
    struct bw_names seccomp_actions;
    struct bw_names seccomp_operators;
    struct bw_names seccomp_archs;
    struct bw_names seccomp_known_flags;
    struct bw_names seccomp_supported_flags;
    bool apparmor, selinux, intel_rdt, idmap_mounts, net_devices;
    const char **annotations; /* key, value, ..., NULL */
};

/* Append a name; -1 on ENOMEM. */
int bw_names_add(struct bw_names *l, const char *name);
void bw_names_free(struct bw_names *l);

/* Pretty-printed JSON, malloc'd. */
char *bw_features_to_json(const struct bw_features *f, bw_err_t *err);

#endif
