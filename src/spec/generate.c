/* burrow: the config.json that `burrow spec` writes.
 *
 * The template is configs/spec.json, compiled in as a string (see
 * src/spec/spec.am).  It is close to what other runtimes write for the same
 * command, with these choices:
 *  - terminal is false (runc writes true): the config runs as it is with
 *    `create` and `run --detach`, which need --console-socket for a terminal.
 *  - capabilities: CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE in the
 *    bounding, effective and permitted sets; inheritable empty and no
 *    ambient set, so nothing leaks to programs run by a non-root user
 *    (ambient capabilities need to be inheritable anyway).
 *  - linux.seccomp is burrow's default profile, configs/seccomp.json (also
 *    compiled in, see src/spec/spec.am, and installed in pkgdatadir): the
 *    file and what `spec` writes cannot drift apart.
 *
 * --rootless rewrites it for an unprivileged user:
 *  - a user namespace with the mappings the caller passes: its own uid and
 *    gid as 0, then its /etc/subuid and /etc/subgid ranges from 1 when it
 *    has them (as burrow maps a config without a user namespace), so that
 *    images with several owners work;
 *  - no network namespace (unprivileged users get no connectivity in a new
 *    one without slirp4netns: ask for it explicitly);
 *  - /sys is a read-only recursive bind of the host's /sys, because sysfs
 *    cannot be mounted without owning the network namespace;
 *  - no uid=/gid= mount options naming an id the mappings leave out:
 *    devpts' gid=5 with a single mapping would make the mount fail.
 * The cgroup namespace stays: it works unprivileged.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "spec/generate.h"
#include "util/cleanup.h"

static const char template_text[] =
#include "spec/spec-template.inc"
    ;

static const char seccomp_profile_text[] =
#include "spec/seccomp-profile.inc"
    ;

static void json_putp(struct json_object **o)
{
    json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_putp)))

static struct json_object *id_mappings(const struct oci_id_mapping *maps, size_t len)
{
    struct json_object *arr = json_object_new_array();

    for (size_t i = 0; i < len; i++) {
        struct json_object *m = json_object_new_object();
        json_object_object_add(m, "containerID", json_object_new_int64(maps[i].container_id));
        json_object_object_add(m, "hostID", json_object_new_int64(maps[i].host_id));
        json_object_object_add(m, "size", json_object_new_int64(maps[i].size));
        json_object_array_add(arr, m);
    }
    return arr;
}

/* Whether the mount option `o` ("uid=N"/"gid=N") names an id that `maps`
 * maps in the container. */
static bool option_id_mapped(const char *o, const struct oci_id_mapping *maps, size_t len)
{
    char *end;
    errno = 0;
    unsigned long long id = strtoull(o + 4, &end, 10);

    if (errno != 0 || end == o + 4 || *end != '\0')
        return false;
    for (size_t i = 0; i < len; i++)
        if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
            return true;
    return false;
}

static const char *string_field(struct json_object *obj, const char *key)
{
    struct json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

static void rootless_namespaces(struct json_object *linux_obj)
{
    struct json_object *ns, *user = json_object_new_object();

    json_object_object_get_ex(linux_obj, "namespaces", &ns);
    for (size_t i = json_object_array_length(ns); i-- > 0;)
        if (strcmp(string_field(json_object_array_get_idx(ns, i), "type"), "network") == 0)
            json_object_array_del_idx(ns, i, 1);
    json_object_object_add(user, "type", json_object_new_string("user"));
    json_object_array_add(ns, user);
}

static struct json_object *sys_rbind(void)
{
    static const char *const options[] = {"rbind", "nosuid", "noexec", "nodev", "ro"};
    struct json_object *m = json_object_new_object();
    struct json_object *opts = json_object_new_array();

    json_object_object_add(m, "destination", json_object_new_string("/sys"));
    json_object_object_add(m, "type", json_object_new_string("none"));
    json_object_object_add(m, "source", json_object_new_string("/sys"));
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
        json_object_array_add(opts, json_object_new_string(options[i]));
    json_object_object_add(m, "options", opts);
    return m;
}

static void rootless_mounts(struct json_object *mounts, const struct oci_spec_options *sopts)
{
    for (size_t i = 0; i < json_object_array_length(mounts); i++) {
        struct json_object *m = json_object_array_get_idx(mounts, i), *opts;
        if (strcmp(string_field(m, "destination"), "/sys") == 0) {
            json_object_array_put_idx(mounts, i, sys_rbind());
            continue;
        }
        if (!json_object_object_get_ex(m, "options", &opts))
            continue;
        for (size_t j = json_object_array_length(opts); j-- > 0;) {
            const char *o = json_object_get_string(json_object_array_get_idx(opts, j));
            if ((strncmp(o, "uid=", 4) == 0 &&
                 !option_id_mapped(o, sopts->uid_maps, sopts->uid_maps_len)) ||
                (strncmp(o, "gid=", 4) == 0 &&
                 !option_id_mapped(o, sopts->gid_maps, sopts->gid_maps_len)))
                json_object_array_del_idx(opts, j, 1);
        }
    }
}

static int make_rootless(struct json_object *root, const struct oci_spec_options *opts,
                         bw_err_t *err)
{
    struct json_object *linux_obj, *mounts;

    if (!json_object_object_get_ex(root, "linux", &linux_obj) ||
        !json_object_object_get_ex(root, "mounts", &mounts))
        return bw_error_set(err, 0, "built-in config template lacks linux or mounts");
    rootless_namespaces(linux_obj);
    json_object_object_add(linux_obj, "uidMappings",
                           id_mappings(opts->uid_maps, opts->uid_maps_len));
    json_object_object_add(linux_obj, "gidMappings",
                           id_mappings(opts->gid_maps, opts->gid_maps_len));
    rootless_mounts(mounts, opts);
    return 0;
}

/* json-c prints an empty array as "[", newline, indentation, "]": make it
 * "[]" in place. */
static void collapse_empty(char *s)
{
    char *out = s;

    for (const char *in = s; *in != '\0';) {
        if (*in == '[' || *in == '{') {
            const char *p = in + 1;
            while (*p == '\n' || *p == '\t')
                p++;
            if ((*in == '[' && *p == ']') || (*in == '{' && *p == '}')) {
                *out++ = *in;
                *out++ = *p;
                in = p + 1;
                continue;
            }
        }
        *out++ = *in++;
    }
    *out = '\0';
}

char *oci_spec_generate(const struct oci_spec_options *opts, bw_err_t *err)
{
    cleanup_json struct json_object *root = json_tokener_parse(template_text);
    const char *text;
    char *out;

    if (root == NULL)
        return bw_error_set(err, 0, "parse the built-in config template"), NULL;
    struct json_object *linux_obj, *profile = json_tokener_parse(seccomp_profile_text);
    if (profile == NULL || !json_object_object_get_ex(root, "linux", &linux_obj)) {
        json_object_put(profile);
        return bw_error_set(err, 0, "parse the built-in seccomp profile"), NULL;
    }
    json_object_object_add(linux_obj, "seccomp", profile);
    if (opts->rootless && make_rootless(root, opts, err) < 0)
        return NULL;
    /* Tabs and "key": value like other runtimes' `spec`; no "\/" escaping. */
    text = json_object_to_json_string_ext(
        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB | JSON_C_TO_STRING_SPACED |
                  JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL || asprintf(&out, "%s\n", text) < 0)
        return bw_error_set(err, ENOMEM, "generate config.json"), NULL;
    collapse_empty(out);
    return out;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Move tmp to dst unless dst exists, atomically: a config.json written
 * concurrently, or by hand, is never lost. */
static int rename_noreplace(const char *tmp, const char *dst)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* A filesystem without RENAME_NOREPLACE: link(2) fails on EEXIST too. */
    if (link(tmp, dst) < 0)
        return -1;
    unlink(tmp);
    return 0;
}

int oci_spec_write(const char *dir, const struct oci_spec_options *opts, bw_err_t *err)
{
    cleanup_free char *text = NULL, *dst = NULL, *tmp = NULL;
    cleanup_close int fd = -1;
    struct stat st;

    if (stat(dir, &st) < 0)
        return bw_error_errno(err, "open bundle directory `%s`", dir);
    if (!S_ISDIR(st.st_mode))
        return bw_error_set(err, ENOTDIR, "open bundle directory `%s`", dir);
    if (asprintf(&dst, "%s/config.json", dir) < 0 ||
        asprintf(&tmp, "%s/.config.json.XXXXXX", dir) < 0)
        return bw_error_set(err, ENOMEM, "write config.json");
    /* Checked early for a clear message; rename_noreplace is what makes it
     * safe against a race. */
    if (lstat(dst, &st) == 0)
        return bw_error_set(err, 0, "config.json already exists in `%s`: not overwriting it", dir);
    if (errno != ENOENT)
        return bw_error_errno(err, "stat `%s`", dst);
    text = oci_spec_generate(opts, err);
    if (text == NULL)
        return -1;
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "create `%s`", tmp);
    if (fchmod(fd, 0644) < 0 || write_all(fd, text, strlen(text)) < 0 || close(steal_fd(&fd)) < 0) {
        bw_error_errno(err, "write `%s`", tmp);
        unlink(tmp);
        return -1;
    }
    if (rename_noreplace(tmp, dst) < 0) {
        int saved = errno;
        unlink(tmp);
        if (saved == EEXIST)
            return bw_error_set(err, 0, "config.json already exists in `%s`: not overwriting it",
                                dir);
        return bw_error_set(err, saved, "rename `%s` to `%s`", tmp, dst);
    }
    return 0;
}
