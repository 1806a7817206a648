#include <config.h>

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "spec/features.h"

int bw_names_add(struct bw_names *l, const char *name)
{
    const char **nv = realloc(l->v, (l->n + 1) * sizeof(char *));
    if (nv == NULL)
        return -1;
    nv[l->n++] = name;
    l->v = nv;
    return 0;
}

void bw_names_free(struct bw_names *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static json_object *names_array(const struct bw_names *l)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < l->n; i++)
        json_object_array_add(a, json_object_new_string(l->v[i]));
    return a;
}

static json_object *enabled_object(bool enabled)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "enabled", json_object_new_boolean(enabled));
    return o;
}

static json_object *linux_object(const struct bw_features *f)
{
    json_object *l = json_object_new_object();
    json_object_object_add(l, "namespaces", names_array(&f->namespaces));
    json_object_object_add(l, "capabilities", names_array(&f->capabilities));

    json_object *cg = json_object_new_object();
    json_object_object_add(cg, "v1", json_object_new_boolean(f->cgroup_v1));
    json_object_object_add(cg, "v2", json_object_new_boolean(f->cgroup_v2));
    json_object_object_add(cg, "systemd", json_object_new_boolean(f->cgroup_systemd));
    json_object_object_add(cg, "systemdUser", json_object_new_boolean(f->cgroup_systemd_user));
    json_object_object_add(cg, "rdma", json_object_new_boolean(f->cgroup_rdma));
    json_object_object_add(l, "cgroup", cg);

    json_object *sc = enabled_object(f->seccomp_enabled);
    json_object_object_add(sc, "actions", names_array(&f->seccomp_actions));
    json_object_object_add(sc, "operators", names_array(&f->seccomp_operators));
    json_object_object_add(sc, "archs", names_array(&f->seccomp_archs));
    json_object_object_add(sc, "knownFlags", names_array(&f->seccomp_known_flags));
    json_object_object_add(sc, "supportedFlags", names_array(&f->seccomp_supported_flags));
    json_object_object_add(l, "seccomp", sc);

    json_object_object_add(l, "apparmor", enabled_object(f->apparmor));
    json_object_object_add(l, "selinux", enabled_object(f->selinux));
    json_object_object_add(l, "intelRdt", enabled_object(f->intel_rdt));
    json_object *me = json_object_new_object();
    json_object_object_add(me, "idmap", enabled_object(f->idmap_mounts));
    json_object_object_add(l, "mountExtensions", me);
    json_object_object_add(l, "netDevices", enabled_object(f->net_devices));
    return l;
}

char *bw_features_to_json(const struct bw_features *f, bw_err_t *err)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ociVersionMin", json_object_new_string(f->oci_version_min));
    json_object_object_add(o, "ociVersionMax", json_object_new_string(f->oci_version_max));
    json_object_object_add(o, "hooks", names_array(&f->hooks));
    json_object_object_add(o, "mountOptions", names_array(&f->mount_options));
    json_object_object_add(o, "linux", linux_object(f));
    json_object *a = json_object_new_object();
    for (const char **p = f->annotations; p != NULL && p[0] != NULL && p[1] != NULL; p += 2)
        json_object_object_add(a, p[0], json_object_new_string(p[1]));
    json_object_object_add(o, "annotations", a);
    const char *txt = json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *s = txt ? strdup(txt) : NULL;
    json_object_put(o);
    if (s == NULL)
        bw_error_set(err, ENOMEM, "serialize the features");
    return s;
}
