/* burrow: connectivity for the container's network namespace.
 *
 * A network mode (none, slirp4netns, pasta) comes from `--network` or the
 * annotation org.burrow.network (the flag wins; default none).  With a mode
 * other than none the container must have a network namespace of its own,
 * created by burrow: a namespace given by path is never touched.
 *
 *   create (parent)                         child
 *   bw_net_prepare: mode, ports, checks     (before anything exists)
 *   (a mounts[] entry binds ROOT/ID/resolv.conf read-only)
 *   bw_net_write_files: resolv.conf in the state directory
 *                                            bw_net_child: lo up; sends its
 *                   <----------------------- NETNS and USERNS fds
 *   bw_net_parent: the monitor (container/monitor.h) starts the backend on
 *   those fds, waits until it is ready, adds the port forwards
 *   bw_net_commit: once state.json is written
 *
 * The helper is a child of the monitor, which ends it when the container's
 * init exits or when burrow dies before the commit.
 */
#ifndef BURROW_NET_NET_H
#define BURROW_NET_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "container/monitor.h"
#include "spec/config.h"
#include "util/error.h"

#define BW_NET_ANN_MODE     "org.burrow.network"
#define BW_NET_ANN_PUBLISH  "org.burrow.network.publish"
#define BW_NET_ANN_DNS      "org.burrow.network.dns"
#define BW_NET_ANN_LOOPBACK "org.burrow.network.allow-host-loopback"
#define BW_NET_MAX_PUBLISH  64

enum bw_net_mode { BW_NET_NONE, BW_NET_SLIRP4NETNS, BW_NET_PASTA };

/* The command line's choices (unset ones fall back to the annotations). */
struct bw_net_opts {
    const char *mode; /* --network, NULL: not given */
    const char *publish[BW_NET_MAX_PUBLISH];
    size_t publish_len;
    int dns;            /* 0: not given, 1: --dns, 2: --no-dns */
    int allow_loopback; /* 1: --network-allow-host-loopback, 0: not given */
};

struct bw_net_port {
    int family; /* AF_INET or AF_INET6 */
    char host_ip[64];
    uint16_t host_port;
    uint16_t container_port;
    bool udp;
};

struct bw_net {
    enum bw_net_mode mode;
    bool dns;
    bool allow_loopback;
    struct bw_net_port ports[BW_NET_MAX_PUBLISH];
    size_t ports_len;
    const char *helper_path; /* the backend binary (static storage) */
    const char *id;          /* the container's (the monitor's label) */

    int statedir_fd; /* the container's state directory (for the API socket) */
    struct bw_monitor mon;
    pid_t helper; /* the backend's pid (slirp4netns; pasta's first process) */
};

/* Parse one network option of create/run; returns 0, or -1 with *err.  `opt`
 * is the long option's name. */
int bw_net_opt(struct bw_net_opts *o, const char *opt, const char *arg, bw_err_t *err);
void bw_net_init(struct bw_net *n);
/* Decide the mode and ports, check the config and the host; all before
 * anything exists.  With DNS, adds to mounts[] the read-only bind of
 * ROOT/ID/resolv.conf on /etc/resolv.conf (unless mounts[] binds that file
 * itself): before bw_launch_prepare, which sizes its tables on mounts[]. */
int bw_net_prepare(struct bw_net *n, struct oci_config *c, const struct bw_net_opts *o,
                   const char *root, const char *id, bw_err_t *err);
/* Keep the state directory; write resolv.conf there.  Before the spawn. */
int bw_net_write_files(struct bw_net *n, int statedir_fd, bw_err_t *err);
/* Child side: `lo` up in a new network namespace; with a mode, send the
 * namespace fds to the parent. */
int bw_net_child(const struct bw_net *n, int sync_fd, bool new_netns, bw_err_t *err);
/* Parent side: receive the fds, start the backend under a monitor of `init`. */
int bw_net_parent(struct bw_net *n, int sync_fd, pid_t init, bool in_userns, bw_err_t *err);
/* state.json's annotations: mode and ports appended (key, value, ..., NULL). */
int bw_net_annotate(const struct bw_net *n, char ***annotations, bw_err_t *err);
int bw_net_commit(struct bw_net *n, bw_err_t *err);
void bw_net_free(struct bw_net *n);

/* Backends (net/slirp4netns.c, net/pasta.c): start under n->mon, with the
 * namespace fds, and wait until ready. */
int bw_net_slirp4netns_start(struct bw_net *n, int netns, int userns, bw_err_t *err);
int bw_net_pasta_start(struct bw_net *n, int netns, int userns, bw_err_t *err);

/* The helper's stderr (a file in the state directory) for messages. */
#define BW_NET_LOG "network.log"
/* The backend's pid (the daemon's, for pasta), for tests and debugging. */
#define BW_NET_PID_FILE "network.pid"
char *bw_net_log_tail(const struct bw_net *n);

#endif
