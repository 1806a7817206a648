/* burrow exec [options] ID [COMMAND [ARGS...]]: runc's flag names. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "container/exec.h"

enum {
    OPT_CWD = 256,
    OPT_NO_NEW_PRIVS,
    OPT_APPARMOR,
    OPT_PID_FILE,
    OPT_CONSOLE_SOCKET,
    OPT_PRESERVE_FDS,
    OPT_IGNORE_PAUSED,
};

static const struct option exec_options[] = {
    {"process", required_argument, NULL, 'p'},
    {"env", required_argument, NULL, 'e'},
    {"cwd", required_argument, NULL, OPT_CWD},
    {"user", required_argument, NULL, 'u'},
    {"additional-gids", required_argument, NULL, 'g'},
    {"cap", required_argument, NULL, 'c'},
    {"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
    {"apparmor", required_argument, NULL, OPT_APPARMOR},
    {"tty", no_argument, NULL, 't'},
    {"detach", no_argument, NULL, 'd'},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void exec_usage(void)
{
    printf("usage: burrow exec [options] ID COMMAND [ARGS...]\n"
           "       burrow exec [options] --process FILE ID\n\n"
           "Run a process in a running container: in all its namespaces, its root, with\n"
           "the process settings of its config.json (user, env, cwd, capabilities,\n"
           "rlimits, noNewPrivileges) unless changed below.  In the foreground the exit\n"
           "status is the process's, and signals are passed on to it.\n\n"
           "  -p, --process FILE        the whole process, as process.json (config.md)\n"
           "  -e, --env KEY=VALUE       set a variable (repeatable)\n"
           "      --cwd DIR             the working directory in the container\n"
           "  -u, --user UID[:GID]      numeric ids in the container\n"
           "  -g, --additional-gids G   supplementary group (repeatable)\n"
           "  -c, --cap CAP             add a capability, e.g. CAP_NET_RAW (repeatable)\n"
           "      --no-new-privs        set no_new_privs\n"
           "      --apparmor PROFILE    the AppArmor profile\n"
           "  -t, --tty                 a new pty in the container: relayed, or sent to\n"
           "                            --console-socket\n"
           "      --console-socket S    where to send the pty master (runc's protocol)\n"
           "  -d, --detach              return once the process runs\n"
           "      --pid-file FILE       write the process's pid (host) to FILE\n"
           "      --preserve-fds N      pass N extra file descriptors (3 to 3+N-1)\n"
           "      --ignore-paused       accepted for runc compatibility\n"
           "  -h, --help                this help\n");
}

static int parse_id(const char *s, const char *end, unsigned long *v)
{
    if (s == end || *s < '0' || *s > '9')
        return -1;
    char *e = NULL;
    errno = 0;
    unsigned long x = strtoul(s, &e, 10);
    if (errno != 0 || e != end || x > 0xfffffffeUL)
        return -1;
    *v = x;
    return 0;
}

static int parse_user(const char *arg, struct bw_exec_opts *o)
{
    const char *colon = strchr(arg, ':');
    unsigned long uid, gid;
    if (parse_id(arg, colon ? colon : arg + strlen(arg), &uid) < 0)
        return -1;
    if (colon != NULL && parse_id(colon + 1, colon + 1 + strlen(colon + 1), &gid) < 0)
        return -1;
    o->user_set = true;
    o->uid = (uid_t)uid;
    if (colon != NULL) {
        o->gid_set = true;
        o->gid = (gid_t)gid;
    }
    return 0;
}

static int push(char ***v, size_t *n, char *s)
{
    char **nv = realloc(*v, (*n + 2) * sizeof(char *));
    if (nv == NULL)
        return -1;
    nv[(*n)++] = s;
    nv[*n] = NULL;
    *v = nv;
    return 0;
}

static int parse_exec(int argc, char **argv, struct bw_exec_opts *o, bw_err_t *err)
{
    int c;
    opterr = 0; /* reported through err, naming the option */
    /* "+": options stop at the id, so that the command's own options
     * (`exec ID ls -l`) are its own. */
    while ((c = getopt_long(argc, argv, "+:p:e:u:g:c:tdh", exec_options, NULL)) != -1) {
        switch (c) {
        case 'p':
            o->process_file = optarg;
            break;
        case 'e':
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                return bw_usage_error(err, "exec", "--env: \"%s\" is not KEY=VALUE", optarg);
            if (push(&o->env, &o->env_len, optarg) < 0)
                return bw_error_set(err, ENOMEM, "exec: --env");
            break;
        case OPT_CWD:
            if (optarg[0] != '/')
                return bw_usage_error(err, "exec", "--cwd: \"%s\" is not an absolute path", optarg);
            o->cwd = optarg;
            break;
        case 'u':
            if (parse_user(optarg, o) < 0)
                return bw_usage_error(err, "exec",
                                      "--user: \"%s\" is not UID[:GID] (numeric ids in the "
                                      "container)",
                                      optarg);
            break;
        case 'g': {
            unsigned long g;
            if (parse_id(optarg, optarg + strlen(optarg), &g) < 0)
                return bw_usage_error(err, "exec", "--additional-gids: \"%s\" is not a gid",
                                      optarg);
            gid_t *ng = realloc(o->additional_gids, (o->additional_gids_len + 1) * sizeof(gid_t));
            if (ng == NULL)
                return bw_error_set(err, ENOMEM, "exec: --additional-gids");
            ng[o->additional_gids_len++] = (gid_t)g;
            o->additional_gids = ng;
            break;
        }
        case 'c':
            if (push(&o->caps, &o->caps_len, optarg) < 0)
                return bw_error_set(err, ENOMEM, "exec: --cap");
            break;
        case OPT_NO_NEW_PRIVS:
            o->no_new_privs = true;
            break;
        case OPT_APPARMOR:
            o->apparmor = optarg;
            break;
        case 't':
            o->tty = true;
            break;
        case 'd':
            o->detach = true;
            break;
        case OPT_PID_FILE:
            o->pid_file = optarg;
            break;
        case OPT_CONSOLE_SOCKET:
            o->console_socket = optarg;
            break;
        case OPT_PRESERVE_FDS: {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (*end != '\0' || end == optarg || n < 0 || n > 65536)
                return bw_usage_error(err, "exec", "--preserve-fds: \"%s\" is not a count", optarg);
            o->preserve_fds = (int)n;
            break;
        }
        case OPT_IGNORE_PAUSED:
            break;
        case 'h':
            exec_usage();
            return 1;
        default:
            return bw_option_error(err, "exec", c, argv);
        }
    }
    if (optind >= argc)
        return bw_usage_error(err, "exec", "missing container id");
    o->id = argv[optind++];
    if (optind < argc) {
        o->args = argv + optind;
        o->args_len = (size_t)(argc - optind);
    }
    if (o->process_file == NULL && o->args_len == 0)
        return bw_usage_error(err, "exec", "missing the command to run (or --process FILE)");
    return 0;
}

int bw_cmd_exec(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    struct bw_exec_opts o = {0};
    int r = parse_exec(argc, argv, &o, err);
    if (r == 0) {
        struct bw_ctx ctx = {.root_opt = g->root, .systemd_cgroup = g->systemd_cgroup};
        r = bw_container_exec(&ctx, &o, err);
    } else if (r > 0) {
        r = 0; /* --help */
    }
    free(o.env);
    free(o.caps);
    free(o.additional_gids);
    return r;
}
