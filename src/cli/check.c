/* burrow check: what rootless burrow can do here, and what to fix. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "container/container.h"

int bw_cmd_check(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    (void)g;
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("usage: burrow check\n\n"
                   "Probe what rootless burrow can do for this user on this host (user\n"
                   "namespaces, /etc/subuid and /etc/subgid ranges, newuidmap/newgidmap, the\n"
                   "cgroup version and delegated controllers, the kernel overlay in a user\n"
                   "namespace, /dev/fuse, fuse-overlayfs, slirp4netns, pasta) and print the\n"
                   "fix for each piece that is missing.  Exits 0 when nothing is missing.\n");
            return 0;
        }
        return bw_option_error(err, "check", c, argv);
    }
    if (optind != argc)
        return bw_usage_error(err, "check", "takes no arguments");
    fflush(stdout);
    /* Missing pieces are reported on stdout: the exit status says there
     * were some, with no second message. */
    return bw_check(stdout, err) > 0 ? 1 : 0;
}
