#include <config.h>

#include "cli/cli.h"

int bw_cmd_create(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    return bw_error_set(err, 0, "create: not implemented yet");
}
