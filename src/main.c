/* burrow: global options and dispatch to one subcommand.
 *
 * This is the only place where an error becomes a message and an exit status
 * (besides the container's child after clone, which reports errors to its
 * parent over the sync socket).
 */
#include <config.h>

#include <getopt.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "linux/selfexec.h"
#include "util/cleanup.h"
#include "util/log.h"

struct command {
    const char *name;
    bw_command_fn fn;
    const char *summary;
};

#define BW_COMMAND_ENTRY(n, s) {#n, bw_cmd_##n, s},
static const struct command commands[] = {BW_COMMANDS(BW_COMMAND_ENTRY)};

static void print_version(void)
{
    const struct scmp_version *sv = seccomp_version();
    printf("burrow version %s\n", PACKAGE_VERSION);
    printf("spec: %s\n", OCI_RUNTIME_SPEC_VERSION);
    printf("features: %s\n", BURROW_FEATURES);
    printf("libseccomp: %u.%u.%u\n", sv->major, sv->minor, sv->micro);
    printf("json-c: %s\n", json_c_version());
}

static void print_usage(FILE *out)
{
    fprintf(out, "usage: burrow [global options] COMMAND [options] [arguments]\n\n"
                 "burrow runs OCI bundles, as root or as an unprivileged user.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nglobal options:\n"
                 "  --root DIR            state directory (default /run/burrow as root,\n"
                 "                        $XDG_RUNTIME_DIR/burrow otherwise)\n"
                 "  --log FILE            also write errors and warnings to FILE\n"
                 "  --log-format FORMAT   text (default) or json, for --log\n"
                 "  --debug               log debug messages\n"
                 "  --systemd-cgroup      systemd's cgroup manager (not yet: see README)\n"
                 "  -v, --version         print the version and the features compiled in\n"
                 "  -h, --help            print this help\n\n"
                 "`burrow COMMAND --help` describes a command.\n");
}

int bw_usage_error(bw_err_t *err, const char *cmd, const char *fmt, ...)
{
    cleanup_free char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    return bw_error_set(err, 0, "%s: %s (see `burrow %s --help`)", cmd, msg ? msg : "bad usage",
                        cmd);
}

int bw_option_error(bw_err_t *err, const char *cmd, int c, char **argv)
{
    /* A long option is the last argument getopt consumed.  A short one
     * (optopt) is in a group getopt is still inside (argv[optind], "-xq"
     * with x unknown) or has just left (argv[optind - 1], "-qx" or "-qf"
     * with f missing its argument). */
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    const char *cur = argv[optind];
    bool is_short = optopt > 0 && optopt < 256 &&
                    ((cur != NULL && cur[0] == '-' && cur[1] != '-' && strchr(cur + 1, optopt)) ||
                     (arg[0] == '-' && arg[1] != '-'));
    if (c == ':')
        return is_short ? bw_usage_error(err, cmd, "option `-%c` needs an argument", optopt)
                        : bw_usage_error(err, cmd, "option `%s` needs an argument", arg);
    if (is_short)
        return bw_usage_error(err, cmd, "unknown option `-%c`", optopt);
    /* A known long option given a value it does not take (--detach=1):
     * glibc sets optopt to its value, and to 0 for an unknown one. */
    const char *eq = strchr(arg, '=');
    if (optopt != 0 && strncmp(arg, "--", 2) == 0 && eq != NULL)
        return bw_usage_error(err, cmd, "option `%.*s` takes no argument", (int)(eq - arg), arg);
    return bw_usage_error(err, cmd, "unknown option `%s`", arg);
}

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD_CGROUP, OPT_ROOTLESS };

int main(int argc, char **argv)
{
    struct bw_global g = {.progname = "burrow"};
    const char *log_format = "text";
    static const struct option opts[] = {
        {"root", required_argument, NULL, OPT_ROOT},
        {"log", required_argument, NULL, OPT_LOG},
        {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
        {"debug", no_argument, NULL, OPT_DEBUG},
        {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
        /* runc's --rootless=true|false|auto: burrow decides from its uid. */
        {"rootless", required_argument, NULL, OPT_ROOTLESS},
        {"version", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cleanup_error bw_err_t err = NULL;
    int c;

    /* "+": stop at the first non-option, the subcommand. */
    while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
        switch (c) {
        case OPT_ROOT:
            g.root = optarg;
            break;
        case OPT_LOG:
            g.log_path = optarg;
            break;
        case OPT_LOG_FORMAT:
            log_format = optarg;
            break;
        case OPT_DEBUG:
            g.debug = true;
            break;
        case OPT_SYSTEMD_CGROUP:
            g.systemd_cgroup = true;
            break;
        case OPT_ROOTLESS:
            break;
        case 'v':
            print_version();
            return 0;
        case 'h':
            print_usage(stdout);
            return 0;
        default:
            print_usage(stderr);
            return 1;
        }
    }
    if (strcmp(log_format, "json") == 0) {
        g.log_json = true;
    } else if (strcmp(log_format, "text") != 0) {
        fprintf(stderr, "burrow: --log-format: unknown format \"%s\" (expected text or json)\n",
                log_format);
        return 1;
    }
    if (bw_log_init(g.log_path, g.log_json, g.debug, &err) < 0) {
        bw_log_error_obj(err);
        return 1;
    }
    if (optind >= argc) {
        print_usage(stderr);
        return 1;
    }

    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    const struct command *cmd = NULL;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0)
            cmd = &commands[i];
    }
    if (cmd == NULL) {
        bw_error_log("unknown command \"%s\" (see `burrow --help`)", name);
        return 1;
    }

    /* Commands that put a process into a container run from a sealed copy
     * of the binary (linux/selfexec.h). */
    if ((strcmp(name, "create") == 0 || strcmp(name, "run") == 0 || strcmp(name, "exec") == 0) &&
        bw_selfexec_sealed(argv, &err) < 0) {
        bw_log_error_obj(err);
        return 1;
    }

    /* The subcommand sees argv[0] = its name, as getopt expects; optind = 0
     * makes glibc's getopt start over. */
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0;
    int status = cmd->fn(&g, sub_argc, sub_argv, &err);
    if (status < 0) {
        bw_log_error_obj(err);
        status = 1;
    }
    bw_log_close();
    return status;
}
