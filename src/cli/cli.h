/* burrow: the command line.  One file per subcommand parses its options with
 * getopt_long into a small struct and calls one library function; only main
 * turns an error into a message and an exit status. */
#ifndef BURROW_CLI_CLI_H
#define BURROW_CLI_CLI_H

#include <stdbool.h>

#include "util/error.h"

/* Global options, parsed by main before the subcommand. */
struct bw_global {
    const char *root;     /* --root, or NULL for the default */
    const char *log_path; /* --log */
    bool log_json;        /* --log-format json */
    bool debug;           /* --debug */
    bool systemd_cgroup;  /* --systemd-cgroup (cgroup/systemd.c) */
    const char *progname; /* "burrow" */
};

/* A subcommand: returns the process exit status (>= 0), or -1 with *err set. */
typedef int (*bw_command_fn)(struct bw_global *g, int argc, char **argv, bw_err_t *err);

/* Report a usage error for `cmd` and return -1 (exit status 1). */
int bw_usage_error(bw_err_t *err, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* After getopt_long returned '?' or ':' (opterr 0, optstring starting with
 * ':'): a usage error naming the option, for the message and the --log
 * file alike.  Returns -1. */
int bw_option_error(bw_err_t *err, const char *cmd, int c, char **argv);

struct bw_create_opts;
/* Options shared by create and run; returns 1 for --help, 0, or -1. */
int bw_cli_parse_create(const char *cmd, int argc, char **argv, struct bw_create_opts *o,
                        bw_err_t *err);

#define BW_COMMANDS(X)                                                                             \
    X(create, "create a container from a bundle")                                                  \
    X(start, "start the user process of a created container")                                      \
    X(run, "create and start a container")                                                         \
    X(state, "print the state of a container as JSON")                                             \
    X(list, "list containers")                                                                     \
    X(kill, "send a signal to a container's process")                                              \
    X(exec, "run another process in a running container")                                          \
    X(ps, "list the processes of a container")                                                     \
    X(features, "print the features this build implements, as JSON")                               \
    X(delete, "delete a container and its resources")                                              \
    X(spec, "write a new config.json")                                                             \
    X(update, "update a container's resource limits (its cgroup)")                                 \
    X(pause, "pause a container (the cgroup freezer)")                                             \
    X(resume, "resume a paused container")                                                         \
    X(events, "print a container's cgroup statistics and OOM events")                              \
    X(check, "show what rootless burrow can do here, and what to fix")                             \
    X(unpack, "make a bundle from an OCI image or a docker save archive (burrow-unpack)")

#define BW_DECLARE_COMMAND(name, summary)                                                          \
    int bw_cmd_##name(struct bw_global *g, int argc, char **argv, bw_err_t *err);
BW_COMMANDS(BW_DECLARE_COMMAND)

#endif
