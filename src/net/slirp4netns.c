/* burrow: the slirp4netns backend.
 *
 * slirp4netns runs as a child of the monitor, on the namespace fds the
 * container's init sent, with its API socket in the state directory, and
 * says it is ready through --ready-fd.  Port forwards go through the API
 * (add_hostfwd) once it is.
 *
 * Rootless, it is started inside the container's user namespace (the
 * monitor joins it before exec): there it is root, which its --enable-sandbox
 * needs (slirp4netns 1.2 run by a plain user with --netns-type=path fails
 * `setegid(0)`), and it keeps its sockets in the host's network namespace.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/net.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define API_SOCKET "slirp4netns.sock"
#define READY_MS   10000

/* One API request; the reply's `error.desc`, if any, becomes *err. */
static int api_call(const struct bw_net *n, const char *req, bw_err_t *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", n->statedir_fd, API_SOCKET);
    cleanup_close int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return bw_error_errno(err, "connect to the API socket of slirp4netns");
    if (bw_write_all(s, req, strlen(req)) < 0)
        return bw_error_errno(err, "send a request to slirp4netns");
    shutdown(s, SHUT_WR);
    char reply[1024];
    size_t used = 0;
    for (;;) {
        ssize_t r = read(s, reply + used, sizeof(reply) - 1 - used);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        used += (size_t)r;
        if (used == sizeof(reply) - 1)
            break;
    }
    reply[used] = '\0';
    if (strstr(reply, "\"return\"") != NULL)
        return 0;
    const char *desc = strstr(reply, "\"desc\":\"");
    if (desc != NULL) {
        desc += 8;
        const char *end = strchr(desc, '"');
        return bw_error_set(err, EIO, "slirp4netns: %.*s", end ? (int)(end - desc) : 200, desc);
    }
    return bw_error_set(err, EIO, "slirp4netns: unexpected reply \"%.200s\"", reply);
}

static int add_ports(const struct bw_net *n, bw_err_t *err)
{
    for (size_t i = 0; i < n->ports_len; i++) {
        const struct bw_net_port *p = &n->ports[i];
        char req[512];
        snprintf(req, sizeof(req),
                 "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\",\"host_addr\":"
                 "\"%s\",\"host_port\":%u,\"guest_port\":%u}}",
                 p->udp ? "udp" : "tcp", p->host_ip, (unsigned)p->host_port,
                 (unsigned)p->container_port);
        if (api_call(n, req, err) < 0)
            return bw_error_prefix(err, "--publish %s:%u:%u/%s", p->host_ip, (unsigned)p->host_port,
                                   (unsigned)p->container_port, p->udp ? "udp" : "tcp");
    }
    return 0;
}

/* slirp4netns died before it was ready: its exit status and last words. */
static int helper_failed(struct bw_net *n, int status, bool have_status, bw_err_t *err)
{
    bw_err_t e = NULL;
    if (!have_status && bw_monitor_wait(&n->mon, n->helper, -1, 2000, &status, &e) == 0)
        have_status = true;
    bw_error_free(&e);
    cleanup_free char *tail = bw_net_log_tail(n);
    if (!have_status)
        return bw_error_set(err, 0, "slirp4netns failed: %s", tail);
    if (WIFSIGNALED(status))
        return bw_error_set(err, 0, "slirp4netns was killed by signal %d: %s", WTERMSIG(status),
                            tail);
    return bw_error_set(err, 0, "slirp4netns exited with status %d: %s", WEXITSTATUS(status), tail);
}

int bw_net_slirp4netns_start(struct bw_net *n, int netns, int userns, bw_err_t *err)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return bw_error_errno(err, "pipe");
    cleanup_close int ready = pipefd[0];
    cleanup_close int ready_w = pipefd[1];
    cleanup_close int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    cleanup_close int log = openat(n->statedir_fd, BW_NET_LOG,
                                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (devnull < 0 || log < 0)
        return bw_error_errno(err, "open `%s`", log < 0 ? BW_NET_LOG : "/dev/null");
    /* The helper's fds: 0-2 stdio, 3 netns, 4 ready, 5 state dir, 6 userns. */
    int fds[] = {devnull, devnull, log, netns, ready_w, n->statedir_fd, userns};
    int nfds = userns >= 0 ? 7 : 6;
    /* As root, slirp4netns joins the user namespace itself (and stays
     * root for its sandbox); rootless, the monitor joins it first. */
    bool rootless = geteuid() != 0;
    char *argv[20];
    int a = 0;
    argv[a++] = (char *)n->helper_path;
    argv[a++] = "--configure";
    argv[a++] = "--mtu=65520";
    argv[a++] = "--enable-sandbox";
    argv[a++] = "--enable-seccomp";
    if (!n->allow_loopback)
        argv[a++] = "--disable-host-loopback";
    argv[a++] = "--ready-fd=4";
    argv[a++] = "--netns-type=path";
    if (userns >= 0 && !rootless)
        argv[a++] = "--userns-path=/proc/self/fd/6";
    argv[a++] = "--api-socket=/proc/self/fd/5/" API_SOCKET;
    argv[a++] = "/proc/self/fd/3";
    argv[a++] = "tap0";
    argv[a] = NULL;
    struct bw_monitor_helper h = {
        .argv = argv, .fds = fds, .nfds = nfds, .userns_fd = userns >= 0 && rootless ? 6 : -1};
    if (bw_monitor_spawn(&n->mon, &h, &n->helper, err) < 0)
        return -1;
    /* Only slirp4netns holds the write end now: EOF means it died. */
    close(ready_w);
    ready_w = -1;
    int status = 0;
    int r = bw_monitor_wait(&n->mon, n->helper, ready, READY_MS, &status, err);
    if (r < 0)
        return bw_error_prefix(err, "wait for slirp4netns to be ready");
    if (r == 0)
        return helper_failed(n, status, true, err);
    char c = 0;
    ssize_t got;
    do
        got = read(ready, &c, 1);
    while (got < 0 && errno == EINTR);
    if (got != 1)
        return helper_failed(n, 0, false, err);
    bw_debug("network: slirp4netns %d ready", (int)n->helper);
    char pid[32];
    int len = snprintf(pid, sizeof(pid), "%d\n", (int)n->helper);
    if (bw_write_file_atomic_at(n->statedir_fd, BW_NET_PID_FILE, pid, (size_t)len, 0644, err) < 0)
        return -1;
    return add_ports(n, err);
}
