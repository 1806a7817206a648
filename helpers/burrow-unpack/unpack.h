/* burrow-unpack: an OCI image layout, an OCI layout in a tar archive, or a
 * `docker save`/`podman save` archive, to a runtime bundle.
 *
 *   image.c    find the manifest (index, reference, platform) and the config;
 *              every small blob is checked against its digest before use
 *   digest.c   sha256 with libcrypto
 *   layer.c    apply one layer tar with libarchive, confined to the rootfs
 *   resolve.c  directories of the rootfs resolved without leaving it
 *   userns.c   run the layer work in a user namespace with burrow's mapping
 *   convert.c  config.json from the image config (image-spec conversion.md)
 *   main.c     options, the temporary directory beside the bundle, rename
 */
#ifndef BURROW_UNPACK_H
#define BURROW_UNPACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <json-c/json.h>

#include "linux/idmap.h"
#include "util/error.h"

/* --- digest.c --- */
struct bw_sha256;
struct bw_sha256 *bw_sha256_new(void);
void bw_sha256_update(struct bw_sha256 *h, const void *data, size_t len);
/* "sha256:" + 64 hex digits into out (72 bytes); frees h. */
void bw_sha256_finish(struct bw_sha256 *h, char out[72]);
void bw_sha256_free(struct bw_sha256 *h);
/* Whether `digest` is "sha256:" + 64 lowercase hex digits. */
bool bw_digest_valid(const char *digest);

/* --- image.c --- */
struct blob {
    char *media_type;
    char *digest;  /* "sha256:HEX"; NULL when the format gives none */
    int64_t size;  /* -1 when the format gives none */
    char *path;    /* inside the image directory */
    bool gzip_ok;  /* any compression libarchive detects is allowed */
};

struct image {
    int dirfd;                /* the layout directory (or the extracted archive) */
    char *where;              /* for messages */
    bool docker;              /* docker save format */
    struct blob config;
    struct blob *layers;
    size_t layers_len;
    struct json_object *cfg;  /* the image config */
};

/* Open `spec` (DIR, DIR:TAG, ARCHIVE, ARCHIVE:TAG).  An archive is extracted
 * into `scratch` (a directory fd inside the temporary bundle). */
int image_open(const char *spec, int scratchfd, const char *scratch_name, const char *platform,
               struct image *img, bw_err_t *err);
void image_free(struct image *img);

/* --- resolve.c / layer.c --- */
struct pathset {
    char **slot;
    size_t cap, len;
};
bool pathset_has(const struct pathset *s, const char *p);
int pathset_add(struct pathset *s, const char *p);
void pathset_clear(struct pathset *s);

struct dir_time {
    char *path;
    struct timespec ts[2];
};

struct layer_ctx {
    int rootfd;            /* where this layer goes */
    const char *what;      /* "layer 2 (sha256:...)" */
    bool overlay;          /* --layers: whiteouts in overlayfs form */
    bool privileged;       /* real root: device nodes, trusted xattrs */
    bool progress;         /* a progress line on stderr */
    struct pathset created; /* paths this layer made (whiteouts spare them) */
    struct dir_time *dir_times; /* set at the layer's end: entries below change them */
    size_t dir_times_len, dir_times_cap;
    const int *lower_fds;  /* --layers: the layers below, topmost first */
    size_t lower_len;
    char *cached;          /* the last directory resolved, and its fd */
    int cached_fd;
    /* counted, warned about once at the end */
    unsigned long skipped_devices, unmapped_owners, failed_xattrs;
};

/* An O_PATH fd of directory `path` (normalised, relative) inside the root,
 * created when missing if `create`; borrowed: valid until the next call. */
int resolve_dir(struct layer_ctx *c, const char *path, bool create, bw_err_t *err);
void resolve_forget(struct layer_ctx *c);

/* Apply the layer blob `b` (opened from the image dir) into c->rootfd. */
int layer_apply(struct layer_ctx *c, int imgdirfd, const struct blob *b, bw_err_t *err);

/* One tar entry into c->rootfd (also used to extract image archives). */
struct archive;
struct archive_entry;
int layer_entry_extract(struct layer_ctx *c, struct archive *a, struct archive_entry *e,
                        bw_err_t *err);

/* --- userns.c --- */
typedef int (*unpack_fn)(void *arg, bw_err_t *err);
/* Run fn(arg) in a child in a new user namespace mapped by `plan` (NULL:
 * in this process, as root).  The child's error comes back as *err. */
int run_mapped(const struct bw_idmap_plan *plan, unpack_fn fn, void *arg, bw_err_t *err);

/* --- convert.c --- */
struct convert_opts {
    const struct json_object *cfg;   /* image config */
    int rootfd;                      /* for /etc/passwd and /etc/group, or -1 */
    int *layer_fds;                  /* --layers: topmost first */
    size_t layer_fds_len;
    const char *lowerdirs;           /* --layers: the annotation value */
    const struct bw_idmap_plan *plan; /* rootless mappings, or NULL */
};
char *convert_config(const struct convert_opts *o, bw_err_t *err);

#endif
