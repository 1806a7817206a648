/* burrow: the pasta backend (passt).
 *
 * pasta configures the namespace, binds the forwarded ports, then forks into
 * the background: its first process exiting with status 0 means ready.  The
 * daemon is reparented to the monitor (a child subreaper), which ends it
 * with the container.  Every automatic port forward (its default) is turned
 * off: only --publish forwards, and nothing from the container to the host's
 * ports.  Host loopback is reachable at the gateway address unless
 * --no-map-gw.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/net.h"
#include "util/cleanup.h"
#include "util/log.h"

#define READY_MS 10000
#define MAX_ARGS (44 + 2 * BW_NET_MAX_PUBLISH)

int bw_net_pasta_start(struct bw_net *n, int netns, int userns, bw_err_t *err)
{
    cleanup_close int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    cleanup_close int log = openat(n->statedir_fd, BW_NET_LOG,
                                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (devnull < 0 || log < 0)
        return bw_error_errno(err, "open `%s`", log < 0 ? BW_NET_LOG : "/dev/null");
    /* 0-2 stdio, 3 netns, 4 userns (or /dev/null), 5 the state directory. */
    int fds[] = {devnull, devnull, log, netns, userns >= 0 ? userns : devnull, n->statedir_fd};
    char spec[BW_NET_MAX_PUBLISH][128];
    char *argv[MAX_ARGS];
    int a = 0;
    argv[a++] = (char *)n->helper_path;
    argv[a++] = "--config-net";
    argv[a++] = "--quiet";
    argv[a++] = "--pid";
    argv[a++] = "/proc/self/fd/5/" BW_NET_PID_FILE;
    argv[a++] = "--netns";
    argv[a++] = "/proc/self/fd/3";
    if (userns >= 0) {
        argv[a++] = "--userns";
        argv[a++] = "/proc/self/fd/4";
    }
    /* As root, pasta would drop to `nobody` before it joins the namespaces,
     * and then could not: it stays root (its own sandbox still applies). */
    if (geteuid() == 0) {
        argv[a++] = "--runas";
        argv[a++] = "0";
    }
    argv[a++] = "--mtu";
    argv[a++] = "65520";
    if (!n->allow_loopback)
        argv[a++] = "--no-map-gw";
    argv[a++] = "--dns-forward";
    argv[a++] = "169.254.1.1";
    bool tcp = false, udp = false;
    for (size_t i = 0; i < n->ports_len; i++) {
        const struct bw_net_port *p = &n->ports[i];
        snprintf(spec[i], sizeof(spec[i]), "%s/%u:%u", p->host_ip, (unsigned)p->host_port,
                 (unsigned)p->container_port);
        argv[a++] = p->udp ? "-u" : "-t";
        argv[a++] = spec[i];
        tcp |= !p->udp;
        udp |= p->udp;
    }
    if (!tcp) {
        argv[a++] = "-t";
        argv[a++] = "none";
    }
    if (!udp) {
        argv[a++] = "-u";
        argv[a++] = "none";
    }
    argv[a++] = "-T";
    argv[a++] = "none";
    argv[a++] = "-U";
    argv[a++] = "none";
    argv[a] = NULL;
    struct bw_monitor_helper h = {.argv = argv, .fds = fds, .nfds = 6, .userns_fd = -1};
    if (bw_monitor_spawn(&n->mon, &h, &n->helper, err) < 0)
        return -1;
    int status = 0;
    if (bw_monitor_wait(&n->mon, n->helper, -1, READY_MS, &status, err) < 0)
        return bw_error_prefix(err, "wait for pasta to be ready");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        cleanup_free char *tail = bw_net_log_tail(n);
        return bw_error_set(err, 0, "pasta failed (%s %d): %s",
                            WIFEXITED(status) ? "exit status" : "signal",
                            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), tail);
    }
    bw_debug("network: pasta ready");
    return 0;
}
