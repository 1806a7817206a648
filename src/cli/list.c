#include <config.h>

#include "cli/cli.h"

int bw_cmd_list(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    return bw_error_set(err, 0, "list: not implemented yet");
}
