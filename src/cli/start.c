#include <config.h>

#include "cli/cli.h"

int bw_cmd_start(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    return bw_error_set(err, 0, "start: not implemented yet");
}
