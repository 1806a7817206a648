/* burrow pause ID, burrow resume ID */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "container/container.h"

static int pause_or_resume(struct bw_global *g, const char *cmd, int argc, char **argv,
                           bw_err_t *err)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool resume = strcmp(cmd, "resume") == 0;
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("usage: burrow %s ID\n\n%s\n", cmd,
                   resume ? "Thaw the processes of a paused container (its cgroup's freezer)."
                          : "Freeze every process of a running container with its cgroup's\n"
                            "freezer (cgroup.freeze), and wait until they are frozen.");
            return 0;
        }
        return bw_option_error(err, cmd, c, argv);
    }
    if (argc - optind != 1)
        return bw_usage_error(
            err, cmd, argc - optind < 1 ? "missing container id" : "expected one container id");
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_pause(&ctx, argv[optind], resume, err) < 0 ? -1 : 0;
}

int bw_cmd_pause(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    return pause_or_resume(g, "pause", argc, argv, err);
}

int bw_cmd_resume(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    return pause_or_resume(g, "resume", argc, argv, err);
}
