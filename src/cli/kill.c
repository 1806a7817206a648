/* burrow kill [--all|-a] ID [SIGNAL] */
#include <config.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cli/cli.h"
#include "container/container.h"

int bw_cmd_kill(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool all = false;
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":ah", opts, NULL)) != -1) {
        switch (c) {
        case 'a':
            all = true;
            break;
        case 'h':
            printf("usage: burrow kill [--all|-a] ID [SIGNAL]\n\n"
                   "Send SIGNAL (default TERM) to the container's process: a name with or\n"
                   "without SIG (KILL, SIGKILL) or a number (9).\n\n"
                   "  -a, --all   every process of the container\n");
            return 0;
        default:
            return bw_option_error(err, "kill", c, argv);
        }
    }
    int left = argc - optind;
    if (left < 1)
        return bw_usage_error(err, "kill", "missing container id");
    if (left > 2)
        return bw_usage_error(err, "kill", "expected ID [SIGNAL], got %d arguments", left);
    int signo = SIGTERM;
    if (left == 2) {
        signo = bw_signal_parse(argv[optind + 1]);
        if (signo < 0)
            return bw_error_set(err, 0, "kill: unknown signal \"%s\"", argv[optind + 1]);
    }
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_kill(&ctx, argv[optind], signo, all, err) < 0 ? -1 : 0;
}
