/* burrow list [--format|-f table|json] [--quiet|-q] */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "container/container.h"

int bw_cmd_list(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    enum bw_list_format fmt = BW_LIST_TABLE;
    bool quiet = false;
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":f:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") == 0)
                fmt = BW_LIST_JSON;
            else if (strcmp(optarg, "table") == 0)
                fmt = BW_LIST_TABLE;
            else
                return bw_usage_error(err, "list", "--format: \"%s\" is not table or json", optarg);
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            printf("usage: burrow list [--format|-f table|json] [--quiet|-q]\n\n"
                   "List the containers in the state root.\n");
            return 0;
        default:
            return bw_option_error(err, "list", c, argv);
        }
    }
    if (optind < argc)
        return bw_usage_error(err, "list", "unexpected argument \"%s\"", argv[optind]);
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_list(&ctx, quiet ? BW_LIST_QUIET : fmt, stdout, err) < 0 ? -1 : 0;
}
