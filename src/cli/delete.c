/* burrow delete [--force|-f] ID */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "container/container.h"

int bw_cmd_delete(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool force = false;
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":fh", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = true;
            break;
        case 'h':
            printf("usage: burrow delete [--force|-f] ID\n\n"
                   "Delete a stopped (or created) container and everything it holds.\n\n"
                   "  -f, --force   kill a running container first\n");
            return 0;
        default:
            return bw_option_error(err, "delete", c, argv);
        }
    }
    if (argc - optind != 1)
        return bw_usage_error(err, "delete",
                              argc - optind < 1 ? "missing container id"
                                                : "expected one container id");
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_delete(&ctx, argv[optind], force, err) < 0 ? -1 : 0;
}
