/* burrow events [--stats] [--interval DURATION] ID */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "container/container.h"

/* "5s", "500ms", "1m", or plain seconds ("2", "0.5"). */
static long parse_interval(const char *s)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || v <= 0)
        return -1;
    double ms = strcmp(end, "ms") == 0           ? v
                : strcmp(end, "s") == 0 || !*end ? v * 1000
                : strcmp(end, "m") == 0          ? v * 60000
                                                 : -1;
    if (ms < 1 || ms > 86400000.0)
        return -1;
    return (long)ms;
}

int bw_cmd_events(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {{"stats", no_argument, NULL, 's'},
                                         {"interval", required_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    bool stats = false;
    long interval = 5000;
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            stats = true;
            break;
        case 'i':
            interval = parse_interval(optarg);
            if (interval < 0)
                return bw_usage_error(err, "events",
                                      "--interval: `%s` is not a duration (5s, 500ms, 1m)", optarg);
            break;
        case 'h':
            printf("usage: burrow events [--stats] [--interval DURATION] ID\n\n"
                   "Print the statistics of a container's cgroup (cpu, memory, pids, io) as\n"
                   "JSON, once with --stats, else every interval (default 5s) until the\n"
                   "container stops, with an \"oom\" event whenever the OOM killer acts in it.\n");
            return 0;
        default:
            return bw_option_error(err, "events", c, argv);
        }
    }
    if (argc - optind != 1)
        return bw_usage_error(err, "events",
                              argc - optind < 1 ? "missing container id"
                                                : "expected one container id");
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_events(&ctx, argv[optind], stats, interval, stdout, err) < 0 ? -1 : 0;
}
