/* burrow state ID */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "container/container.h"

int bw_cmd_state(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("usage: burrow state ID\n\nPrint the state of a container as JSON (runtime-spec "
                   "state).\n");
            return 0;
        }
        return bw_option_error(err, "state", c, argv);
    }
    if (argc - optind != 1)
        return bw_usage_error(
            err, "state", argc - optind < 1 ? "missing container id" : "expected one container id");
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_state(&ctx, argv[optind], stdout, err) < 0 ? -1 : 0;
}
