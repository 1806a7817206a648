#include <config.h>

#include "cli/cli.h"

int bw_cmd_run(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    return bw_error_set(err, 0, "run: not implemented yet");
}
