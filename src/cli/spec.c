/* burrow spec [--bundle|-b DIR] [--rootless]: write a starting config.json.
 *
 * The template and what --rootless changes in it are described in
 * src/spec/generate.c. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "linux/idmap.h"
#include "spec/generate.h"

struct spec_args {
    const char *bundle;
    bool rootless;
};

static void spec_usage(void)
{
    printf("usage: burrow spec [--bundle|-b DIR] [--rootless]\n\n"
           "Write a config.json template in DIR (default: the current directory).\n"
           "An existing config.json is never overwritten.\n\n"
           "  -b, --bundle DIR  the bundle directory\n"
           "      --rootless    for an unprivileged user: user namespace mapping root to\n"
           "                    your uid/gid and ids from 1 to your /etc/subuid and\n"
           "                    /etc/subgid ranges, no network namespace, /sys\n"
           "                    bind-mounted\n"
           "  -h, --help        this help\n");
}

/* Returns 1 when --help was given, 0 to proceed, -1 on a usage error. */
static int parse_spec_args(int argc, char **argv, struct spec_args *a, bw_err_t *err)
{
    enum { OPT_ROOTLESS = 256 };
    static const struct option opts[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"rootless", no_argument, NULL, OPT_ROOTLESS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0; /* we report errors ourselves, through err */
    while ((c = getopt_long(argc, argv, "+:b:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            a->bundle = optarg;
            break;
        case OPT_ROOTLESS:
            a->rootless = true;
            break;
        case 'h':
            spec_usage();
            return 1;
        case ':':
            return bw_usage_error(err, "spec", "option `%s` needs an argument", argv[optind - 1]);
        default:
            return bw_usage_error(err, "spec", "unknown option `%s`", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bw_usage_error(err, "spec", "unexpected argument `%s`", argv[optind]);
    return 0;
}

int bw_cmd_spec(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    struct spec_args a = {.bundle = "."};
    int r = parse_spec_args(argc, argv, &a, err);

    if (r != 0)
        return r < 0 ? -1 : 0;
    struct oci_spec_options opts = {.rootless = a.rootless};
    struct bw_idmap_plan plan = {0};
    if (a.rootless) {
        /* The mappings burrow would add itself: the caller as 0, then its
         * subordinate ranges (with a warning and a single mapping when it
         * has none). */
        if (bw_idmap_plan_default(getuid(), getgid(), &plan, err) < 0) {
            bw_idmap_plan_free(&plan);
            return bw_error_prefix(err, "spec");
        }
        opts.uid_maps = plan.uid.m;
        opts.uid_maps_len = plan.uid.len;
        opts.gid_maps = plan.gid.m;
        opts.gid_maps_len = plan.gid.len;
    }
    r = oci_spec_write(a.bundle, &opts, err);
    bw_idmap_plan_free(&plan);
    return r < 0 ? bw_error_prefix(err, "spec") : 0;
}
