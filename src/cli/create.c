/* burrow create [--bundle|-b DIR] [--pid-file F] [--console-socket S]
 *               [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID
 * and the options `run` shares with it. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "container/container.h"
#include "rootfs/rootfs.h"

enum {
    OPT_PID_FILE = 256,
    OPT_CONSOLE_SOCKET,
    OPT_NO_PIVOT,
    OPT_NO_NEW_KEYRING,
    OPT_PRESERVE_FDS,
    OPT_NET,
    OPT_ROOTFS_OVERLAY,
    OPT_ROOTFS_UPPER,
};

static const struct option create_options[] = {
    {"bundle", required_argument, NULL, 'b'},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
    {"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
    {"rootfs-overlay", required_argument, NULL, OPT_ROOTFS_OVERLAY},
    {"rootfs-upper", required_argument, NULL, OPT_ROOTFS_UPPER},
    {"detach", no_argument, NULL, 'd'},
    {"network", required_argument, NULL, OPT_NET},
    {"publish", required_argument, NULL, 'p'},
    {"dns", no_argument, NULL, OPT_NET},
    {"no-dns", no_argument, NULL, OPT_NET},
    {"network-allow-host-loopback", no_argument, NULL, OPT_NET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void create_usage(const char *cmd)
{
    bool run = strcmp(cmd, "run") == 0;
    printf("usage: burrow %s [options] ID\n\n", cmd);
    if (run)
        printf("Create a container from a bundle and start it; in the foreground the exit\n"
               "status is the container process's, and signals are passed on to it.\n\n");
    else
        printf("Create a container from a bundle: everything is set up, and the process\n"
               "waits for `burrow start ID` to run process.args.\n\n");
    printf("  -b, --bundle DIR         the bundle (default: the current directory)\n"
           "      --pid-file FILE      write the container process's pid to FILE\n"
           "      --console-socket S   send the pty master of process.terminal to the unix\n"
           "                           socket S\n"
           "      --no-pivot           move the rootfs over / and chroot instead of pivot_root\n"
           "      --no-new-keyring     keep the caller's session keyring (default: a new one)\n"
           "      --preserve-fds N     pass N extra file descriptors (3 to 3+N-1)\n"
           "      --network MODE       none (default), slirp4netns or pasta\n"
           "  -p, --publish [IP:]HOSTPORT:PORT[/tcp|udp]\n"
           "                           forward a host port (default IP 127.0.0.1)\n"
           "      --dns, --no-dns      bind a resolv.conf for the backend's resolver\n"
           "                           (default: on with a network mode)\n"
           "      --network-allow-host-loopback\n"
           "                           let the container reach the host's 127.0.0.1\n"
           "      --rootfs-overlay M   auto, kernel, fuse or off (default: off, or the\n"
           "                           org.burrow.rootfs.overlay annotation): write to an\n"
           "                           overlay, never to the bundle's rootfs\n"
           "      --rootfs-upper DIR   keep the overlay's changes in DIR across runs\n");
    if (run)
        printf("  -d, --detach             return once the container runs\n");
    printf("  -h, --help               this help\n");
}

/* Shared by create and run.  Returns 1 for --help, 0 to go on, -1 on error. */
int bw_cli_parse_create(const char *cmd, int argc, char **argv, struct bw_create_opts *o,
                        bw_err_t *err)
{
    bool run = strcmp(cmd, "run") == 0;
    int c, idx = -1;
    opterr = 0; /* reported through err, naming the option */
    while ((c = getopt_long(argc, argv, run ? ":b:p:dh" : ":b:p:h", create_options, &idx)) != -1) {
        switch (c) {
        case 'b':
            o->bundle = optarg;
            break;
        case OPT_PID_FILE:
            o->pid_file = optarg;
            break;
        case OPT_CONSOLE_SOCKET:
            o->console_socket = optarg;
            break;
        case OPT_NO_PIVOT:
            o->no_pivot = true;
            break;
        case OPT_NO_NEW_KEYRING:
            o->no_new_keyring = true;
            break;
        case OPT_PRESERVE_FDS: {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (*end != '\0' || n < 0 || n > 65536)
                return bw_usage_error(err, cmd, "--preserve-fds: \"%s\" is not a count", optarg);
            o->preserve_fds = (int)n;
            break;
        }
        case 'p':
        case OPT_NET: {
            bw_err_t e = NULL;
            if (bw_net_opt(&o->net, c == 'p' ? "publish" : create_options[idx].name, optarg, &e) <
                0) {
                bw_usage_error(err, cmd, "%s", e->msg);
                bw_error_free(&e);
                return -1;
            }
            break;
        }
        case OPT_ROOTFS_OVERLAY:
            if (bw_overlay_mode_parse(optarg) < 0)
                return bw_usage_error(err, cmd,
                                      "--rootfs-overlay: \"%s\" is not one of auto, kernel, "
                                      "fuse, off",
                                      optarg);
            o->rootfs_overlay = optarg;
            break;
        case OPT_ROOTFS_UPPER:
            o->rootfs_upper = optarg;
            break;
        case 'd':
            if (!run)
                return bw_usage_error(err, cmd, "unknown option -d");
            o->detach = true;
            break;
        case 'h':
            create_usage(cmd);
            return 1;
        default:
            return bw_option_error(err, cmd, c, argv);
        }
    }
    if (optind >= argc)
        return bw_usage_error(err, cmd, "missing container id");
    if (argc - optind > 1)
        return bw_usage_error(err, cmd, "expected one container id, got %d arguments",
                              argc - optind);
    o->id = argv[optind];
    return 0;
}

int bw_cmd_create(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    struct bw_create_opts o = {0};
    int r = bw_cli_parse_create("create", argc, argv, &o, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
    return bw_container_create(&ctx, &o, err) < 0 ? -1 : 0;
}
