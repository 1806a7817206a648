/* burrow-unpack: from the input to a manifest, a config and a list of
 * layers.
 *
 * Inputs: an OCI image layout directory (DIR or DIR:TAG, TAG matched against
 * `org.opencontainers.image.ref.name`), the same in a tar archive, and a
 * `docker save`/`podman save` archive (manifest.json with Config, RepoTags,
 * Layers).  An archive is extracted into a scratch directory inside the
 * temporary bundle (regular files, directories and symlinks only, through
 * the same confined resolution as layers); every blob is then opened inside
 * the image directory with RESOLVE_IN_ROOT, so a symlink in the archive
 * cannot point at a host file.
 *
 * Indexes (also nested) pick linux and this machine's architecture, or
 * --platform OS/ARCH[/VARIANT].  Index, manifest and config blobs are read
 * whole and checked against their digest and size before they are parsed;
 * layers are checked as they are read (layer.c).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MAX_SMALL_BLOB (16 << 20)
#define REF_NAME "org.opencontainers.image.ref.name"

static const char *const manifest_types[] = {
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json", NULL};
static const char *const index_types[] = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json", NULL};
static const char *const config_types[] = {
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json", NULL};
static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", NULL};

static bool in_list(const char *s, const char *const *list)
{
    for (; s != NULL && *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static struct json_object *jget(struct json_object *o, const char *key, enum json_type t)
{
    struct json_object *v;
    if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
        return NULL;
    return v;
}

static void blob_free(struct blob *b)
{
    free(b->media_type);
    free(b->digest);
    free(b->path);
    *b = (struct blob){0};
}

void image_free(struct image *img)
{
    if (img->dirfd >= 0)
        close(img->dirfd);
    free(img->where);
    blob_free(&img->config);
    for (size_t i = 0; i < img->layers_len; i++)
        blob_free(&img->layers[i]);
    free(img->layers);
    json_object_put(img->cfg);
    *img = (struct image){.dirfd = -1};
}

/* A descriptor (mediaType, digest, size) into *b; `what` names it. */
static int parse_descriptor(struct json_object *d, const char *what, struct blob *b, bw_err_t *err)
{
    const char *mt = jstr(d, "mediaType"), *dg = jstr(d, "digest");
    struct json_object *sz = jget(d, "size", json_type_int);
    if (mt == NULL || dg == NULL || sz == NULL || json_object_get_int64(sz) < 0)
        return bw_error_set(err, 0, "%s: a descriptor needs mediaType, digest and size", what);
    if (strncmp(dg, "sha256:", 7) != 0)
        return bw_error_set(err, 0, "%s: digest `%s`: only sha256 is supported", what, dg);
    if (!bw_digest_valid(dg))
        return bw_error_set(err, 0, "%s: malformed digest `%s`", what, dg);
    b->media_type = strdup(mt);
    b->digest = strdup(dg);
    b->size = json_object_get_int64(sz);
    if (asprintf(&b->path, "blobs/sha256/%s", dg + 7) < 0)
        b->path = NULL;
    if (b->media_type == NULL || b->digest == NULL || b->path == NULL)
        return bw_error_errno(err, "%s", what);
    return 0;
}

/* Read a small blob whole and check it; NUL-terminated. */
static char *read_blob(struct image *img, const struct blob *b, const char *what, bw_err_t *err)
{
    bw_err_t oe = NULL;
    cleanup_close int fd = bw_open_in_root(img->dirfd, b->path, O_RDONLY | O_NONBLOCK, &oe);
    if (fd < 0) {
        int code = oe ? oe->code : errno;
        bw_error_free(&oe);
        bw_error_set(err, code, "%s blob `%s` missing from `%s`", what, b->path, img->where);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        bw_error_set(err, 0, "%s `%s`: not a regular file", what, b->path);
        return NULL;
    }
    if (b->size >= 0 && st.st_size != b->size) {
        bw_error_set(err, 0, "%s %s: size %lld, the descriptor says %lld", what, b->digest,
                     (long long)st.st_size, (long long)b->size);
        return NULL;
    }
    size_t len;
    struct bw_fdpath fp;
    cleanup_free char *data = bw_read_file(bw_fdpath(&fp, fd), MAX_SMALL_BLOB, &len, err);
    if (data == NULL) {
        bw_error_prefix(err, "%s %s", what, b->path);
        return NULL;
    }
    if (b->digest != NULL) {
        struct bw_sha256 *h = bw_sha256_new();
        if (h == NULL) {
            bw_error_errno(err, "sha256");
            return NULL;
        }
        bw_sha256_update(h, data, len);
        char got[72];
        bw_sha256_finish(h, got);
        if (strcmp(got, b->digest) != 0) {
            bw_error_set(err, 0, "%s %s: digest mismatch: the blob is %s", what, b->digest, got);
            return NULL;
        }
    }
    return steal_pointer(&data);
}

/* A file of the image directory, opened without leaving it. */
static char *read_in_image(struct image *img, const char *name, bw_err_t *err)
{
    cleanup_close int fd = bw_open_in_root(img->dirfd, name, O_RDONLY | O_NONBLOCK, err);
    if (fd < 0)
        return NULL;
    size_t len;
    struct bw_fdpath fp;
    char *data = bw_read_file(bw_fdpath(&fp, fd), MAX_SMALL_BLOB, &len, err);
    if (data == NULL)
        bw_error_prefix(err, "`%s`", name);
    return data;
}

static struct json_object *parse_json(const char *text, const char *what, bw_err_t *err)
{
    struct json_object *o = json_tokener_parse(text);
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        bw_error_set(err, 0, "%s: malformed JSON", what);
        return NULL;
    }
    return o;
}

static void host_platform(char *arch, size_t size, const char **variant)
{
    struct utsname u;
    uname(&u);
    static const struct {
        const char *m, *arch, *variant;
    } map[] = {{"x86_64", "amd64", NULL},   {"aarch64", "arm64", NULL},
               {"armv7l", "arm", "v7"},      {"armv6l", "arm", "v6"},
               {"i686", "386", NULL},        {"i386", "386", NULL},
               {"ppc64le", "ppc64le", NULL}, {"s390x", "s390x", NULL},
               {"riscv64", "riscv64", NULL}};
    *variant = NULL;
    snprintf(arch, size, "%.60s", u.machine);
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(u.machine, map[i].m) == 0) {
            snprintf(arch, size, "%s", map[i].arch);
            *variant = map[i].variant;
        }
}

static bool platform_matches(struct json_object *p, const char *want)
{
    char os[64] = "linux", arch[64], var[64] = "";
    const char *hv = NULL;
    if (want != NULL) {
        if (sscanf(want, "%63[^/]/%63[^/]/%63s", os, arch, var) < 2)
            return false;
    } else {
        host_platform(arch, sizeof(arch), &hv);
    }
    const char *pos = jstr(p, "os"), *parch = jstr(p, "architecture"), *pvar = jstr(p, "variant");
    if (pos == NULL || parch == NULL || strcmp(pos, os) != 0 || strcmp(parch, arch) != 0)
        return false;
    if (var[0] != '\0')
        return pvar != NULL && strcmp(pvar, var) == 0;
    return true;
}

static int load_manifest(struct image *img, const struct blob *desc, const char *tag,
                         const char *platform, int depth, bw_err_t *err);

/* Choose one descriptor of `manifests` (an index's): by tag, then platform. */
static int pick_from_index(struct image *img, struct json_object *idx, const char *what,
                           const char *tag, const char *platform, int depth, bw_err_t *err)
{
    struct json_object *ms = jget(idx, "manifests", json_type_array);
    if (ms == NULL)
        return bw_error_set(err, 0, "%s: malformed index: no `manifests` array", what);
    size_t n = json_object_array_length(ms);
    struct json_object *pick = NULL;
    size_t candidates = 0;
    cleanup_free char *refs = NULL, *plats = NULL;
    size_t rlen = 0, plen = 0;
    FILE *rf = open_memstream(&refs, &rlen), *pf = open_memstream(&plats, &plen);
    for (size_t i = 0; i < n; i++) {
        struct json_object *d = json_object_array_get_idx(ms, i);
        const char *ref = jstr(jget(d, "annotations", json_type_object), REF_NAME);
        struct json_object *p = jget(d, "platform", json_type_object);
        if (ref != NULL && rf != NULL)
            fprintf(rf, "%s`%s`", rlen || ftell(rf) ? ", " : "", ref);
        if (tag != NULL && (ref == NULL || strcmp(ref, tag) != 0))
            continue;
        if (p != NULL && pf != NULL)
            fprintf(pf, "%s%s/%s%s%s", ftell(pf) ? ", " : "", jstr(p, "os") ?: "?",
                    jstr(p, "architecture") ?: "?", jstr(p, "variant") ? "/" : "",
                    jstr(p, "variant") ?: "");
        candidates++;
        if (p != NULL && !platform_matches(p, platform))
            continue;
        if (p == NULL && candidates > 1 && pick != NULL)
            continue;
        if (pick == NULL)
            pick = d;
    }
    if (rf)
        fclose(rf);
    if (pf)
        fclose(pf);
    if (candidates == 0 && tag != NULL)
        return bw_error_set(err, 0, "no image `%s` in `%s` (its names: %s)", tag, img->where,
                            refs && *refs ? refs : "none");
    if (candidates == 0)
        return bw_error_set(err, 0, "no image in `%s`", img->where);
    if (pick == NULL) {
        char arch[64];
        const char *v;
        host_platform(arch, sizeof(arch), &v);
        return bw_error_set(err, 0, "no image for %s%s%s in `%s` (it has: %s); choose one with --platform",
                            platform ? platform : "linux/", platform ? "" : arch,
                            "", img->where, plats ? plats : "");
    }
    if (tag == NULL && candidates > 1 && jget(pick, "platform", json_type_object) == NULL)
        return bw_error_set(err, 0, "%zu images in `%s`: name one as `%s:TAG` (names: %s)",
                            candidates, img->where, img->where, refs && *refs ? refs : "none");
    struct blob d = {0};
    int r = parse_descriptor(pick, what, &d, err);
    if (r == 0)
        /* The tag chose among this index's entries; below, only platforms. */
        r = load_manifest(img, &d, NULL, platform, depth + 1, err);
    blob_free(&d);
    return r;
}

static int load_manifest(struct image *img, const struct blob *desc, const char *tag,
                         const char *platform, int depth, bw_err_t *err)
{
    if (depth > 4)
        return bw_error_set(err, 0, "indexes nested too deep in `%s`", img->where);
    bool is_index = in_list(desc->media_type, index_types);
    if (!is_index && !in_list(desc->media_type, manifest_types))
        return bw_error_set(err, 0, "%s: unknown media type `%s`", desc->digest, desc->media_type);
    const char *what = is_index ? "index" : "manifest";
    cleanup_free char *text = read_blob(img, desc, what, err);
    if (text == NULL)
        return -1;
    struct json_object *m = parse_json(text, what, err);
    if (m == NULL)
        return bw_error_prefix(err, "%s %s", what, desc->digest);
    int r;
    if (is_index) {
        r = pick_from_index(img, m, "index", tag, platform, depth, err);
        json_object_put(m);
        return r;
    }
    struct json_object *sv = jget(m, "schemaVersion", json_type_int);
    struct json_object *cfg = jget(m, "config", json_type_object);
    struct json_object *layers = jget(m, "layers", json_type_array);
    if (sv == NULL || json_object_get_int(sv) != 2 || cfg == NULL || layers == NULL) {
        json_object_put(m);
        return bw_error_set(err, 0, "manifest %s: malformed: needs schemaVersion 2, config and layers",
                            desc->digest);
    }
    r = parse_descriptor(cfg, "manifest: config", &img->config, err);
    if (r == 0 && !in_list(img->config.media_type, config_types))
        r = bw_error_set(err, 0, "manifest %s: config: unknown media type `%s`", desc->digest,
                         img->config.media_type);
    size_t n = json_object_array_length(layers);
    img->layers = calloc(n ? n : 1, sizeof(*img->layers));
    if (r == 0 && img->layers == NULL)
        r = bw_error_errno(err, "manifest");
    for (size_t i = 0; r == 0 && i < n; i++) {
        char what_l[64];
        snprintf(what_l, sizeof(what_l), "manifest: layers[%zu]", i);
        struct blob *b = &img->layers[img->layers_len++];
        r = parse_descriptor(json_object_array_get_idx(layers, i), what_l, b, err);
        if (r == 0 && !in_list(b->media_type, layer_types))
            r = bw_error_set(err, 0, "%s: unknown media type `%s`", what_l, b->media_type);
    }
    json_object_put(m);
    return r;
}

static int load_config(struct image *img, bw_err_t *err)
{
    cleanup_free char *text = read_blob(img, &img->config, "config", err);
    if (text == NULL)
        return -1;
    img->cfg = parse_json(text, "image config", err);
    if (img->cfg == NULL)
        return -1;
    struct json_object *rootfs = jget(img->cfg, "rootfs", json_type_object);
    struct json_object *ids = jget(rootfs, "diff_ids", json_type_array);
    if (ids == NULL)
        return bw_error_set(err, 0, "image config %s: malformed: no rootfs.diff_ids",
                            img->config.digest ? img->config.digest : img->config.path);
    if (json_object_array_length(ids) != img->layers_len)
        return bw_error_set(err, 0, "image config: %zu diff_ids for %zu layers",
                            json_object_array_length(ids), img->layers_len);
    return 0;
}

static int open_oci(struct image *img, const char *tag, const char *platform, bw_err_t *err)
{
    cleanup_free char *layout = read_in_image(img, "oci-layout", err);
    if (layout == NULL)
        return bw_error_prefix(err, "`%s` is not an OCI image layout", img->where);
    cleanup_free char *index = read_in_image(img, "index.json", err);
    if (index == NULL)
        return bw_error_prefix(err, "`%s`", img->where);
    struct json_object *idx = parse_json(index, "index.json", err);
    if (idx == NULL)
        return bw_error_prefix(err, "`%s`", img->where);
    int r = pick_from_index(img, idx, "index.json", tag, platform, 0, err);
    json_object_put(idx);
    if (r == 0)
        r = load_config(img, err);
    return r;
}

/* docker save: manifest.json is [{"Config": PATH, "RepoTags": [...], "Layers": [PATH...]}]. */
static int open_docker(struct image *img, const char *tag, bw_err_t *err)
{
    cleanup_free char *text = read_in_image(img, "manifest.json", err);
    if (text == NULL)
        return -1;
    struct json_object *arr = json_tokener_parse(text);
    if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
        json_object_array_length(arr) == 0) {
        json_object_put(arr);
        return bw_error_set(err, 0, "`%s`: manifest.json: malformed (an array of images expected)",
                            img->where);
    }
    struct json_object *pick = NULL;
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n && pick == NULL; i++) {
        struct json_object *m = json_object_array_get_idx(arr, i);
        struct json_object *tags = jget(m, "RepoTags", json_type_array);
        if (tag == NULL)
            pick = n == 1 ? m : NULL;
        for (size_t j = 0; tag != NULL && tags && j < json_object_array_length(tags); j++) {
            const char *t = json_object_get_string(json_object_array_get_idx(tags, j));
            const char *colon = t ? strrchr(t, ':') : NULL;
            if (t && (strcmp(t, tag) == 0 || (colon && strcmp(colon + 1, tag) == 0)))
                pick = m;
        }
    }
    int r = 0;
    const char *cfgpath = jstr(pick, "Config");
    struct json_object *layers = jget(pick, "Layers", json_type_array);
    if (pick == NULL)
        r = tag ? bw_error_set(err, 0, "no image `%s` in `%s`", tag, img->where)
                : bw_error_set(err, 0, "%zu images in `%s`: name one as `%s:TAG`", n, img->where,
                               img->where);
    else if (cfgpath == NULL || layers == NULL)
        r = bw_error_set(err, 0, "`%s`: manifest.json: malformed (Config and Layers needed)",
                         img->where);
    if (r < 0) {
        json_object_put(arr);
        return r;
    }
    /* The config's name is its digest: HEX.json, or blobs/sha256/HEX. */
    img->config.path = strdup(cfgpath);
    img->config.size = -1;
    const char *base = strrchr(cfgpath, '/') ? strrchr(cfgpath, '/') + 1 : cfgpath;
    char dg[80];
    snprintf(dg, sizeof(dg), "sha256:%.64s", base);
    if (bw_digest_valid(dg))
        img->config.digest = strdup(dg);
    size_t nl = json_object_array_length(layers);
    img->layers = calloc(nl ? nl : 1, sizeof(*img->layers));
    for (size_t i = 0; img->layers && i < nl; i++) {
        struct blob *b = &img->layers[img->layers_len++];
        b->path = strdup(json_object_get_string(json_object_array_get_idx(layers, i)) ?: "");
        b->size = -1;
    }
    json_object_put(arr);
    if (img->config.path == NULL || img->layers == NULL)
        return bw_error_errno(err, "manifest.json");
    if (load_config(img, err) < 0)
        return -1;
    /* An uncompressed layer tar's digest is its diff_id; a blobs/sha256/HEX
     * path names the digest itself. */
    struct json_object *ids = jget(jget(img->cfg, "rootfs", json_type_object), "diff_ids",
                                   json_type_array);
    for (size_t i = 0; i < img->layers_len; i++) {
        struct blob *b = &img->layers[i];
        const char *p = b->path;
        if (strncmp(p, "blobs/sha256/", 13) == 0) {
            snprintf(dg, sizeof(dg), "sha256:%s", p + 13);
        } else {
            snprintf(dg, sizeof(dg), "%s",
                     json_object_get_string(json_object_array_get_idx(ids, i)) ?: "");
        }
        if (!bw_digest_valid(dg))
            return bw_error_set(err, 0, "`%s`: layer `%s`: no sha256 digest to check it against",
                                img->where, p);
        b->digest = strdup(dg);
        b->media_type = strdup("application/vnd.docker.image.rootfs.diff.tar");
    }
    img->docker = true;
    return 0;
}

/* Extract the archive at `path` into `dfd` (regular files, dirs, symlinks). */
static int extract_archive(const char *path, int dfd, bw_err_t *err)
{
    struct layer_ctx c = {.rootfd = dfd, .what = path, .cached_fd = -1};
    struct archive *a = archive_read_new();
    if (a == NULL)
        return bw_error_errno(err, "read `%s`", path);
    archive_read_support_format_tar(a);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    int r = 0;
    if (archive_read_open_filename(a, path, 1 << 20) != ARCHIVE_OK) {
        r = bw_error_set(err, 0, "`%s`: not an image directory or archive: %s", path,
                         archive_error_string(a));
        goto out;
    }
    struct archive_entry *e;
    int ar;
    while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
        mode_t t = archive_entry_filetype(e);
        if (t != AE_IFREG && t != AE_IFDIR && t != AE_IFLNK)
            continue;
        if (archive_entry_hardlink(e) != NULL)
            continue;
        archive_entry_set_uid(e, getuid()); /* the owner does not matter here */
        archive_entry_set_gid(e, getgid());
        archive_entry_set_perm(e, t == AE_IFDIR ? 0755 : 0644);
        archive_entry_xattr_clear(e);
        c.what = "image archive";
        if ((r = layer_entry_extract(&c, a, e, err)) < 0)
            goto out;
    }
    if (ar != ARCHIVE_EOF)
        r = bw_error_set(err, 0, "`%s`: corrupt archive: %s", path, archive_error_string(a));
out:
    archive_read_free(a);
    resolve_forget(&c);
    pathset_clear(&c.created);
    for (size_t i = 0; i < c.dir_times_len; i++)
        free(c.dir_times[i].path);
    free(c.dir_times);
    return r;
}

int image_open(const char *spec, int scratchfd, const char *scratch_name, const char *platform,
               struct image *img, bw_err_t *err)
{
    *img = (struct image){.dirfd = -1};
    cleanup_free char *path = strdup(spec);
    if (path == NULL)
        return bw_error_errno(err, "image");
    char *tag = NULL;
    struct stat st;
    if (stat(path, &st) < 0) {
        /* PATH:TAG, where TAG may have colons of its own (name:tag). */
        for (char *colon = strchr(path, ':'); colon != NULL; colon = strchr(colon + 1, ':')) {
            *colon = '\0';
            if (stat(path, &st) == 0) {
                tag = colon + 1;
                break;
            }
            *colon = ':';
        }
        if (tag == NULL)
            return bw_error_set(err, ENOENT, "image `%s`", spec);
    }
    img->where = strdup(path);
    if (S_ISDIR(st.st_mode)) {
        img->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (img->dirfd < 0)
            return bw_error_errno(err, "open `%s`", path);
        return open_oci(img, tag, platform, err);
    }
    if (mkdirat(scratchfd, scratch_name, 0700) < 0)
        return bw_error_errno(err, "create `%s`", scratch_name);
    img->dirfd = openat(scratchfd, scratch_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (img->dirfd < 0)
        return bw_error_errno(err, "open `%s`", scratch_name);
    if (extract_archive(path, img->dirfd, err) < 0)
        return -1;
    if (faccessat(img->dirfd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
        faccessat(img->dirfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return open_oci(img, tag, platform, err);
    if (faccessat(img->dirfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return open_docker(img, tag, err);
    return bw_error_set(err, 0, "`%s`: neither an OCI layout (oci-layout, index.json) nor a "
                                "docker save archive (manifest.json)",
                        path);
}
