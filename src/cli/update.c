/* burrow update [-r FILE] [--memory N] [--pids-limit N] [--cpu-quota N] ... ID
 * (runc's flags) */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "container/container.h"

enum {
    OPT_MEMORY = 256,
    OPT_MEMORY_RESERVATION,
    OPT_MEMORY_SWAP,
    OPT_PIDS_LIMIT,
    OPT_CPU_QUOTA,
    OPT_CPU_PERIOD,
    OPT_CPU_SHARE,
    OPT_CPUSET_CPUS,
    OPT_CPUSET_MEMS,
};

/* A number with an optional k/m/g suffix (binary units) when `sizes`;
 * "-1" is allowed (no limit). */
static int parse_num(const char *opt, const char *s, bool sizes, int64_t *out, bw_err_t *err)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno != 0)
        return bw_error_set(err, 0, "update: --%s: `%s` is not a number", opt, s);
    long long mul = 1;
    if (sizes && *end != '\0') {
        switch (tolower((unsigned char)*end)) {
        case 'k':
            mul = 1024;
            break;
        case 'm':
            mul = 1024 * 1024;
            break;
        case 'g':
            mul = 1024LL * 1024 * 1024;
            break;
        case 'b':
            break;
        default:
            return bw_error_set(err, 0, "update: --%s: `%s`: unknown unit", opt, s);
        }
        end++;
        if (tolower((unsigned char)*end) == 'b' && mul != 1)
            end++;
    }
    if (*end != '\0' || v < -1 || (v > 0 && v > INT64_MAX / mul))
        return bw_error_set(err, 0, "update: --%s: `%s` is not a valid value", opt, s);
    *out = v < 0 ? v : v * mul;
    return 0;
}

int bw_cmd_update(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    static const struct option opts[] = {
        {"resources", required_argument, NULL, 'r'},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION},
        {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
        {"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
        {"cpu-quota", required_argument, NULL, OPT_CPU_QUOTA},
        {"cpu-period", required_argument, NULL, OPT_CPU_PERIOD},
        {"cpu-share", required_argument, NULL, OPT_CPU_SHARE},
        {"cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS},
        {"cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct bw_update_opts o = {0};
    bool any = false;
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":r:h", opts, NULL)) != -1) {
        int r = 0;
        any = any || (c != 'r' && c != 'h');
        switch (c) {
        case 'r':
            o.resources = optarg;
            break;
        case OPT_MEMORY:
            r = parse_num("memory", optarg, true, &o.memory, err);
            o.memory_set = true;
            break;
        case OPT_MEMORY_RESERVATION:
            r = parse_num("memory-reservation", optarg, true, &o.memory_reservation, err);
            o.memory_reservation_set = true;
            break;
        case OPT_MEMORY_SWAP:
            r = parse_num("memory-swap", optarg, true, &o.memory_swap, err);
            o.memory_swap_set = true;
            break;
        case OPT_PIDS_LIMIT:
            r = parse_num("pids-limit", optarg, false, &o.pids_limit, err);
            o.pids_limit_set = true;
            break;
        case OPT_CPU_QUOTA:
            r = parse_num("cpu-quota", optarg, false, &o.cpu_quota, err);
            o.cpu_quota_set = true;
            break;
        case OPT_CPU_PERIOD:
            r = parse_num("cpu-period", optarg, false, &o.cpu_period, err);
            o.cpu_period_set = true;
            break;
        case OPT_CPU_SHARE:
            r = parse_num("cpu-share", optarg, false, &o.cpu_shares, err);
            o.cpu_shares_set = true;
            break;
        case OPT_CPUSET_CPUS:
            o.cpuset_cpus = optarg;
            break;
        case OPT_CPUSET_MEMS:
            o.cpuset_mems = optarg;
            break;
        case 'h':
            printf("usage: burrow update [OPTIONS] ID\n\n"
                   "Change the resource limits of a created, running or paused container.  The\n"
                   "flags go over the values of --resources.  Limits are written to the\n"
                   "container's cgroup; one that cannot be applied is an error.\n\n"
                   "  -r, --resources FILE        a linux.resources object of config.json\n"
                   "                              (\"-\": the standard input)\n"
                   "  --memory BYTES              memory limit (k, m, g suffixes; -1: none)\n"
                   "  --memory-reservation BYTES  memory.low\n"
                   "  --memory-swap BYTES         memory plus swap\n"
                   "  --pids-limit N              maximum number of processes (-1: none)\n"
                   "  --cpu-quota US              CPU time per period (-1: none)\n"
                   "  --cpu-period US             the period of --cpu-quota\n"
                   "  --cpu-share N               relative CPU weight (cgroup v1 shares)\n"
                   "  --cpuset-cpus LIST          CPUs allowed (\"0-2,4\")\n"
                   "  --cpuset-mems LIST          memory nodes allowed\n");
            return 0;
        default:
            return bw_option_error(err, "update", c, argv);
        }
        if (r < 0)
            return -1;
    }
    if (argc - optind != 1)
        return bw_usage_error(err, "update",
                              argc - optind < 1 ? "missing container id"
                                                : "expected one container id");
    if (o.resources == NULL && !any)
        return bw_usage_error(err, "update",
                              "nothing to update: give --resources FILE or a limit flag");
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_update(&ctx, argv[optind], &o, err) < 0 ? -1 : 0;
}
