/* burrow: the container lifecycle, as the CLI sees it.
 *
 * Each function is one command: it validates its input, takes the
 * container's lock, does the work, and leaves nothing behind on failure.
 */
#ifndef BURROW_CONTAINER_CONTAINER_H
#define BURROW_CONTAINER_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "net/net.h"
#include "util/error.h"

/* What every command needs: where the state lives. */
struct bw_ctx {
    const char *root_opt; /* --root, or NULL for the default */
    bool systemd_cgroup;  /* --systemd-cgroup (cgroup/systemd.c) */
};

struct bw_create_opts {
    const char *id;
    const char *bundle;         /* NULL: the current directory */
    const char *pid_file;       /* NULL: none */
    const char *console_socket; /* NULL: none */
    bool no_pivot;
    bool no_new_keyring;
    int preserve_fds;           /* fds 3 .. 3+N-1 pass to the container */
    bool detach;                /* run only */
    bool run;                   /* set by bw_container_run: messages say "run" */
    struct bw_net_opts net;     /* --network, --publish, --dns... (net/net.h) */
    const char *rootfs_overlay; /* --rootfs-overlay MODE, or NULL (rootfs/rootfs.h) */
    const char *rootfs_upper;   /* --rootfs-upper DIR, or NULL */
};

int bw_container_create(const struct bw_ctx *ctx, const struct bw_create_opts *o, bw_err_t *err);
int bw_container_start(const struct bw_ctx *ctx, const char *id, bw_err_t *err);
/* Returns the exit status of the container's process (foreground), 0 when
 * detached, or -1 with *err. */
int bw_container_run(const struct bw_ctx *ctx, const struct bw_create_opts *o, bw_err_t *err);
int bw_container_kill(const struct bw_ctx *ctx, const char *id, int signo, bool all, bw_err_t *err);
int bw_container_delete(const struct bw_ctx *ctx, const char *id, bool force, bw_err_t *err);
/* Print the state as JSON to `out`. */
int bw_container_state(const struct bw_ctx *ctx, const char *id, FILE *out, bw_err_t *err);

/* update: --resources FILE ("-": standard input), with runc's flags over
 * it; a resources object that sets no limit is a successful no-op.  pause
 * and resume freeze and thaw the container's cgroup. */
struct bw_update_opts {
    const char *resources; /* NULL: flags only */
    bool memory_set, memory_reservation_set, memory_swap_set, pids_limit_set;
    bool cpu_quota_set, cpu_period_set, cpu_shares_set;
    int64_t memory, memory_reservation, memory_swap, pids_limit;
    int64_t cpu_quota, cpu_period, cpu_shares;
    const char *cpuset_cpus, *cpuset_mems;
};
int bw_container_update(const struct bw_ctx *ctx, const char *id, const struct bw_update_opts *o,
                        bw_err_t *err);
int bw_container_pause(const struct bw_ctx *ctx, const char *id, bool resume, bw_err_t *err);
/* events: statistics once (`stats_once`), or every `interval_ms` with OOM
 * events until the container stops. */
int bw_container_events(const struct bw_ctx *ctx, const char *id, bool stats_once, long interval_ms,
                        FILE *out, bw_err_t *err);

/* burrow check: print what rootless burrow can do here and the fixes;
 * returns the number of missing pieces. */
int bw_check(FILE *out, bw_err_t *err);

enum bw_list_format { BW_LIST_TABLE, BW_LIST_JSON, BW_LIST_QUIET };
int bw_container_list(const struct bw_ctx *ctx, enum bw_list_format fmt, FILE *out, bw_err_t *err);

/* "TERM", "SIGTERM", "sigterm", "15" -> 15; -1 when unknown. */
int bw_signal_parse(const char *s);

#endif
