/* burrow-unpack [--layers] [--platform OS/ARCH[/VARIANT]] [--quiet] IMAGE BUNDLE
 *
 * Makes the runtime bundle BUNDLE (config.json + rootfs/) from IMAGE: an OCI
 * image layout directory (DIR or DIR:TAG), an OCI layout in a tar archive,
 * or a `docker save`/`podman save` archive (ARCHIVE or ARCHIVE:TAG).
 *
 * Everything is made in a temporary directory beside BUNDLE and renamed at
 * the end: on any error nothing is left (the temporary tree is removed from
 * inside the same user namespace, where its subordinate owners are
 * mapped).  Without root, the layers are applied in a user namespace with
 * the mapping `burrow run` uses, so the owners of the image are right in the
 * container; as root they are kept as they are. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define SCRATCH ".image"

struct opts {
    const char *image, *bundle, *platform;
    bool layers, quiet;
};

struct job {
    const struct opts *o;
    struct image *img;
    int tmpfd;
    bool privileged;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: burrow-unpack [OPTIONS] IMAGE BUNDLE\n\n"
            "Make the runtime bundle BUNDLE (config.json and rootfs/) from IMAGE:\n"
            "  DIR[:TAG]      an OCI image layout (TAG: org.opencontainers.image.ref.name)\n"
            "  ARCHIVE[:TAG]  an OCI layout in a tar archive, or a `docker save` /\n"
            "                 `podman save` archive (TAG: one of its RepoTags)\n\n"
            "Without root the files get the owners `burrow run` maps (your uid for 0,\n"
            "your /etc/subuid range for the others).  BUNDLE must not exist (or be empty).\n\n"
            "  --layers            each layer in BUNDLE/layers/N (1 = lowest), whiteouts\n"
            "                      in overlayfs form, and config.json annotations for\n"
            "                      burrow's rootfs overlay instead of a merged rootfs\n"
            "  --platform OS/ARCH[/VARIANT]  the image of an index to use (default:\n"
            "                      linux and this machine's architecture)\n"
            "  -q, --quiet         no progress line\n"
            "  -h, --help          this help\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    enum { OPT_LAYERS = 256, OPT_PLATFORM };
    static const struct option lo[] = {{"layers", no_argument, NULL, OPT_LAYERS},
                                       {"platform", required_argument, NULL, OPT_PLATFORM},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
        switch (c) {
        case OPT_LAYERS:
            o->layers = true;
            break;
        case OPT_PLATFORM:
            o->platform = optarg;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "burrow-unpack: expected IMAGE and BUNDLE (see --help)\n");
        return -1;
    }
    o->image = argv[optind];
    o->bundle = argv[optind + 1];
    return 0;
}

static void warn_counts(const struct layer_ctx *c)
{
    if (c->skipped_devices)
        fprintf(stderr, "burrow-unpack: warning: %lu device nodes skipped: an unprivileged user "
                        "cannot create them (a container gets its /dev from config.json)\n",
                c->skipped_devices);
    if (c->unmapped_owners)
        fprintf(stderr, "burrow-unpack: warning: %lu files kept your own id as owner: their "
                        "owners are outside your id mapping (add a range for you to /etc/subuid "
                        "and /etc/subgid, e.g. `you:100000:65536`)\n",
                c->unmapped_owners);
    if (c->failed_xattrs)
        fprintf(stderr, "burrow-unpack: warning: %lu extended attributes could not be set "
                        "(not supported by this filesystem or not allowed)\n",
                c->failed_xattrs);
}

/* In the user namespace (or as root): every layer, in order. */
static int apply_layers(void *arg, bw_err_t *err)
{
    struct job *j = arg;
    umask(0);
    struct layer_ctx total = {0};
    size_t n = j->img->layers_len;
    if (!j->o->layers && mkdirat(j->tmpfd, "rootfs", 0755) < 0)
        return bw_error_errno(err, "create `rootfs`");
    if (j->o->layers && (mkdirat(j->tmpfd, "rootfs", 0755) < 0 || mkdirat(j->tmpfd, "layers", 0755) < 0))
        return bw_error_errno(err, "create `layers`");
    cleanup_close int rootfd = openat(j->tmpfd, "rootfs", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rootfd < 0)
        return bw_error_errno(err, "open `rootfs`");
    int *lfds = calloc(n ? n : 1, sizeof(int)); /* --layers: made so far, topmost first */
    size_t nl = 0;
    int rc = -1;
    if (lfds == NULL)
        return bw_error_errno(err, "layers");
    for (size_t i = 0; i < n; i++) {
        const struct blob *b = &j->img->layers[i];
        char what[128], dir[64];
        snprintf(what, sizeof(what), "layer %zu (%.19s)", i + 1, b->digest ? b->digest : b->path);
        struct layer_ctx c = {.rootfd = rootfd,
                              .what = what,
                              .overlay = j->o->layers,
                              .privileged = j->privileged,
                              .progress = !j->o->quiet && isatty(STDERR_FILENO),
                              .cached_fd = -1};
        if (j->o->layers) {
            int lfd;
            snprintf(dir, sizeof(dir), "layers/%zu", i + 1);
            if (mkdirat(j->tmpfd, dir, 0755) < 0 ||
                (lfd = openat(j->tmpfd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
                bw_error_errno(err, "create `%s`", dir);
                goto out;
            }
            c.rootfd = lfd;
            c.lower_fds = lfds;
            c.lower_len = nl;
        }
        int r = layer_apply(&c, j->img->dirfd, b, err);
        if (j->o->layers) {
            memmove(lfds + 1, lfds, nl * sizeof(int));
            lfds[0] = c.rootfd;
            nl++;
        }
        if (r < 0)
            goto out;
        total.skipped_devices += c.skipped_devices;
        total.unmapped_owners += c.unmapped_owners;
        total.failed_xattrs += c.failed_xattrs;
    }
    warn_counts(&total);
    rc = 0;
out:
    for (size_t i = 0; i < nl; i++)
        close(lfds[i]);
    free(lfds);
    return rc;
}

/* In the user namespace (or as root): remove what the layers made. */
static int remove_tree(void *arg, bw_err_t *err)
{
    struct job *j = arg;
    if (bw_rm_rf_at(j->tmpfd, "rootfs", err) < 0 || bw_rm_rf_at(j->tmpfd, "layers", err) < 0)
        return -1;
    return 0;
}

static int write_config(struct job *j, const struct bw_idmap_plan *plan, bw_err_t *err)
{
    struct convert_opts co = {.cfg = j->img->cfg, .rootfd = -1, .plan = plan};
    cleanup_close int rootfd = -1;
    int fds[256];
    cleanup_free char *lower = NULL;
    size_t n = j->img->layers_len;
    if (!j->o->layers) {
        rootfd = openat(j->tmpfd, "rootfs", O_PATH | O_DIRECTORY | O_CLOEXEC);
        co.rootfd = rootfd;
    } else {
        size_t len = 0;
        FILE *f = open_memstream(&lower, &len);
        if (f == NULL)
            return bw_error_errno(err, "config.json");
        for (size_t i = n; i > 0; i--) {
            fprintf(f, "%slayers/%zu", i == n ? "" : ":", i);
            if (co.layer_fds_len < 256) {
                char dir[64];
                snprintf(dir, sizeof(dir), "layers/%zu", i);
                int fd = openat(j->tmpfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                    fds[co.layer_fds_len++] = fd;
            }
        }
        fclose(f);
        co.layer_fds = fds;
        co.lowerdirs = lower;
    }
    cleanup_free char *text = convert_config(&co, err);
    for (size_t i = 0; i < co.layer_fds_len; i++)
        close(fds[i]);
    if (text == NULL)
        return -1;
    return bw_write_file_atomic_at(j->tmpfd, "config.json", text, strlen(text), 0644, err);
}

static int check_target(const char *bundle, bw_err_t *err)
{
    struct stat st;
    if (lstat(bundle, &st) < 0)
        return errno == ENOENT ? 0 : bw_error_errno(err, "bundle `%s`", bundle);
    if (!S_ISDIR(st.st_mode))
        return bw_error_set(err, EEXIST, "bundle `%s`", bundle);
    cleanup_dir DIR *d = opendir(bundle);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            return bw_error_set(err, 0, "bundle `%s` exists and is not empty", bundle);
    return 0;
}

static int unpack(const struct opts *o, bw_err_t *err)
{
    if (check_target(o->bundle, err) < 0)
        return -1;
    cleanup_free char *c1 = strdup(o->bundle), *c2 = strdup(o->bundle);
    if (c1 == NULL || c2 == NULL)
        return bw_error_errno(err, "bundle");
    const char *parent = dirname(c1), *base = basename(c2);
    cleanup_free char *tmp = NULL;
    if (asprintf(&tmp, "%s/.%s.unpack-XXXXXX", parent, base) < 0)
        return bw_error_errno(err, "bundle");
    if (mkdtemp(tmp) == NULL)
        return bw_error_errno(err, "create a temporary directory in `%s`", parent);
    struct image img = {.dirfd = -1};
    struct bw_idmap_plan plan = {0};
    bool rootless = geteuid() != 0;
    struct job j = {.o = o, .img = &img, .privileged = !rootless};
    int rc = -1;
    j.tmpfd = open(tmp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (j.tmpfd < 0) {
        bw_error_errno(err, "open `%s`", tmp);
        goto out;
    }
    if (image_open(o->image, j.tmpfd, SCRATCH, o->platform, &img, err) < 0)
        goto out;
    if (rootless && (bw_idmap_plan_default(getuid(), getgid(), &plan, err) < 0 ||
                     bw_idmap_plan_prepare(&plan, geteuid(), getegid(), err) < 0))
        goto out;
    if (run_mapped(rootless ? &plan : NULL, apply_layers, &j, err) < 0)
        goto out;
    if (write_config(&j, rootless ? &plan : NULL, err) < 0)
        goto out;
    if (bw_rm_rf_at(j.tmpfd, SCRATCH, err) < 0)
        goto out;
    if (rename(tmp, o->bundle) < 0) {
        bw_error_errno(err, "rename `%s` to `%s`", tmp, o->bundle);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0 && j.tmpfd >= 0) {
        /* What the layers made first, where its owners are mapped; then
         * the rest, which is ours. */
        bw_err_t e1 = NULL, e2 = NULL;
        if (faccessat(j.tmpfd, "rootfs", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
            faccessat(j.tmpfd, "layers", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            run_mapped(rootless && plan.uid.m ? &plan : NULL, remove_tree, &j, &e1);
        if (bw_rm_rf_at(AT_FDCWD, tmp, &e2) < 0) {
            cleanup_free char *t = bw_error_text(e1 ? e1 : e2);
            fprintf(stderr, "burrow-unpack: could not remove `%s`: %s\n", tmp, t ? t : "");
        }
        bw_error_free(&e1);
        bw_error_free(&e2);
    }
    if (j.tmpfd >= 0)
        close(j.tmpfd);
    image_free(&img);
    bw_idmap_plan_free(&plan);
    return rc;
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    if (parse_args(argc, argv, &o) < 0)
        return 2;
    bw_err_t err = NULL;
    if (bw_log_init(NULL, false, false, &err) < 0)
        bw_error_free(&err);
    if (unpack(&o, &err) < 0) {
        cleanup_free char *t = bw_error_text(err);
        fprintf(stderr, "burrow-unpack: %s\n", t ? t : "failed");
        bw_error_free(&err);
        return 1;
    }
    return 0;
}
