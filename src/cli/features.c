/* burrow features: print the runtime-spec features structure. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "container/features.h"

int bw_cmd_features(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    (void)g;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            printf("usage: burrow features\n\n"
                   "Print what this build of burrow implements, as the runtime-spec's\n"
                   "features structure (JSON).\n");
            return 0;
        default:
            return bw_option_error(err, "features", c, argv);
        }
    }
    if (optind < argc)
        return bw_usage_error(err, "features", "unexpected argument \"%s\"", argv[optind]);
    return bw_features_print(stdout, err) < 0 ? -1 : 0;
}
