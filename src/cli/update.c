/* burrow update --resources|-r FILE ID */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "container/container.h"

int bw_cmd_update(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {{"resources", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *resources = NULL;
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            resources = optarg;
            break;
        case 'h':
            printf("usage: burrow update --resources FILE ID\n\n"
                   "Change the resource limits of a created or running container to those of\n"
                   "FILE, a linux.resources object of config.json (\"-\": the standard input).\n"
                   "burrow does not manage cgroups yet: a FILE that sets any limit is refused,\n"
                   "one that sets none changes nothing.\n\n"
                   "  -r, --resources FILE   the new limits (required)\n");
            return 0;
        default:
            return bw_option_error(err, "update", c, argv);
        }
    }
    if (argc - optind != 1)
        return bw_usage_error(err, "update",
                              argc - optind < 1 ? "missing container id"
                                                : "expected one container id");
    if (resources == NULL)
        return bw_usage_error(err, "update",
                              "--resources FILE is required (runc's other update flags are not "
                              "supported)");
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_update(&ctx, argv[optind], resources, err) < 0 ? -1 : 0;
}
