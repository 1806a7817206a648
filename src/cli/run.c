/* burrow run [--bundle|-b DIR] [--pid-file F] [--detach|-d] ... ID */
#include <config.h>

#include "cli/cli.h"
#include "container/container.h"

int bw_cmd_run(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    struct bw_create_opts o = {0};
    int r = bw_cli_parse_create("run", argc, argv, &o, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_run(&ctx, &o, err);
}
