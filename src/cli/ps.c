/* burrow ps [--format|-f table|json] ID [PS OPTIONS...] */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "container/exec.h"

int bw_cmd_ps(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    enum bw_ps_format fmt = BW_PS_TABLE;
    int c;
    opterr = 0; /* reported through err, naming the option */
    /* "+": what follows the id is for ps(1). */
    while ((c = getopt_long(argc, argv, "+:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") == 0)
                fmt = BW_PS_JSON;
            else if (strcmp(optarg, "table") == 0)
                fmt = BW_PS_TABLE;
            else
                return bw_usage_error(err, "ps", "--format: \"%s\" is not table or json", optarg);
            break;
        case 'h':
            printf("usage: burrow ps [--format|-f table|json] ID [PS OPTIONS...]\n\n"
                   "List the processes of a container.  table (the default) runs the host's\n"
                   "ps(1) with PS OPTIONS (default -ef) and keeps the container's lines; json\n"
                   "prints an array of their host pids: those of the container's cgroup, or\n"
                   "without one, of its mount and pid namespaces (see README).\n");
            return 0;
        default:
            return bw_option_error(err, "ps", c, argv);
        }
    }
    if (optind >= argc)
        return bw_usage_error(err, "ps", "missing container id");
    const char *id = argv[optind++];
    /* `ps ID -- -o pid`: the separator is ours. */
    if (optind < argc && strcmp(argv[optind], "--") == 0)
        optind++;
    if (fmt == BW_PS_JSON && optind < argc)
        return bw_usage_error(err, "ps", "ps options are for the table format only");
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    char **ps_args = optind < argc ? argv + optind : NULL;
    return bw_container_ps(&ctx, id, fmt, ps_args, stdout, err) < 0 ? -1 : 0;
}
