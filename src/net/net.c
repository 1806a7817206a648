/* burrow: the network mode, port forwards, DNS, and the parent/child part
 * of starting a backend (see net.h). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/sync.h"
#include "net/net.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

static const char *const mode_names[] = {"none", "slirp4netns", "pasta"};

void bw_net_init(struct bw_net *n)
{
    memset(n, 0, sizeof(*n));
    n->statedir_fd = -1;
    bw_monitor_init(&n->mon);
}

void bw_net_free(struct bw_net *n)
{
    bw_monitor_close(&n->mon);
    if (n->statedir_fd >= 0)
        close(n->statedir_fd);
    n->statedir_fd = -1;
}

int bw_net_opt(struct bw_net_opts *o, const char *opt, const char *arg, bw_err_t *err)
{
    if (strcmp(opt, "network") == 0) {
        o->mode = arg;
    } else if (strcmp(opt, "publish") == 0) {
        if (o->publish_len >= BW_NET_MAX_PUBLISH)
            return bw_error_set(err, 0, "--publish: at most %d ports", BW_NET_MAX_PUBLISH);
        o->publish[o->publish_len++] = arg;
    } else if (strcmp(opt, "dns") == 0) {
        o->dns = 1;
    } else if (strcmp(opt, "no-dns") == 0) {
        o->dns = 2;
    } else if (strcmp(opt, "network-allow-host-loopback") == 0) {
        o->allow_loopback = 1;
    } else {
        return bw_error_set(err, 0, "unknown network option --%s", opt);
    }
    return 0;
}

static const char *annotation(const struct oci_config *c, const char *key)
{
    for (size_t i = 0; i < c->annotations_len; i++) {
        if (strcmp(c->annotations[i].key, key) == 0)
            return c->annotations[i].value;
    }
    return NULL;
}

static int parse_mode(const char *s, enum bw_net_mode *mode)
{
    for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
        if (strcmp(s, mode_names[i]) == 0) {
            *mode = (enum bw_net_mode)i;
            return 0;
        }
    }
    return -1;
}

static int parse_bool(const char *s, bool *b)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *b = true;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *b = false;
    else
        return -1;
    return 0;
}

static int parse_port_number(const char *s, size_t len, uint16_t *port)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

/* [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp], HOSTIP an IPv4 address or an
 * IPv6 one in brackets; the host address defaults to 127.0.0.1. */
static int parse_publish(const char *spec, const char *what, struct bw_net_port *p, bw_err_t *err)
{
    char buf[128];
    if (strlen(spec) >= sizeof(buf))
        return bw_error_set(err, 0, "%s: \"%.40s...\" is too long", what, spec);
    snprintf(buf, sizeof(buf), "%s", spec);
    memset(p, 0, sizeof(*p));
    char *slash = strrchr(buf, '/');
    if (slash != NULL) {
        *slash = '\0';
        if (strcmp(slash + 1, "udp") == 0)
            p->udp = true;
        else if (strcmp(slash + 1, "tcp") != 0)
            return bw_error_set(err, 0, "%s: \"%s\": unknown protocol \"%s\" (expected tcp or udp)",
                                what, spec, slash + 1);
    }
    char *ports = buf;
    const char *ip = "127.0.0.1";
    if (buf[0] == '[') {
        char *end = strchr(buf, ']');
        if (end == NULL || end[1] != ':')
            return bw_error_set(err, 0,
                                "%s: \"%s\": expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp]",
                                what, spec);
        *end = '\0';
        ip = buf + 1;
        ports = end + 2;
    } else {
        char *first = strchr(buf, ':');
        char *last = strrchr(buf, ':');
        if (first != NULL && first != last) {
            *first = '\0';
            ip = buf;
            ports = first + 1;
        }
    }
    char *colon = strchr(ports, ':');
    if (colon == NULL || strchr(colon + 1, ':') != NULL)
        return bw_error_set(
            err, 0, "%s: \"%s\": expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp]", what, spec);
    if (parse_port_number(ports, (size_t)(colon - ports), &p->host_port) < 0)
        return bw_error_set(err, 0, "%s: \"%s\": host port \"%.*s\" is not in 1-65535", what, spec,
                            (int)(colon - ports), ports);
    if (parse_port_number(colon + 1, strlen(colon + 1), &p->container_port) < 0)
        return bw_error_set(err, 0, "%s: \"%s\": container port \"%s\" is not in 1-65535", what,
                            spec, colon + 1);
    struct in6_addr a6;
    if (inet_pton(AF_INET, ip, &a6) == 1)
        p->family = AF_INET;
    else if (inet_pton(AF_INET6, ip, &a6) == 1)
        p->family = AF_INET6;
    else
        return bw_error_set(err, 0, "%s: \"%s\": \"%s\" is not an IP address", what, spec, ip);
    snprintf(p->host_ip, sizeof(p->host_ip), "%.63s", ip);
    return 0;
}

static void port_text(const struct bw_net_port *p, char *buf, size_t len)
{
    bool v6 = p->family == AF_INET6;
    snprintf(buf, len, "%s%s%s:%u:%u/%s", v6 ? "[" : "", p->host_ip, v6 ? "]" : "",
             (unsigned)p->host_port, (unsigned)p->container_port, p->udp ? "udp" : "tcp");
}

/* The host port must be free now: a clear error before the container
 * starts, rather than a backend's vague one after. */
static int check_port_free(const struct bw_net_port *p, bw_err_t *err)
{
    cleanup_close int s = socket(p->family, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (s < 0)
        return bw_error_errno(err, "socket");
    int one = 1;
    /* A port in TIME_WAIT is not taken. */
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    union {
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } sa;
    memset(&sa, 0, sizeof(sa));
    socklen_t sl;
    if (p->family == AF_INET) {
        sa.v4.sin_family = AF_INET;
        sa.v4.sin_port = htons(p->host_port);
        inet_pton(AF_INET, p->host_ip, &sa.v4.sin_addr);
        sl = sizeof(sa.v4);
    } else {
        sa.v6.sin6_family = AF_INET6;
        sa.v6.sin6_port = htons(p->host_port);
        inet_pton(AF_INET6, p->host_ip, &sa.v6.sin6_addr);
        sl = sizeof(sa.v6);
    }
    char text[128];
    port_text(p, text, sizeof(text));
    if (bind(s, (struct sockaddr *)&sa, sl) == 0)
        return 0;
    if (errno == EADDRINUSE)
        return bw_error_set(err, 0, "--publish %s: host port %u/%s on %s is already in use", text,
                            (unsigned)p->host_port, p->udp ? "udp" : "tcp", p->host_ip);
    if (errno == EACCES)
        return bw_error_set(err, 0,
                            "--publish %s: host port %u is privileged (below "
                            "net.ipv4.ip_unprivileged_port_start)",
                            text, (unsigned)p->host_port);
    if (errno == EADDRNOTAVAIL)
        return bw_error_set(err, 0, "--publish %s: %s is not an address of this host", text,
                            p->host_ip);
    return bw_error_errno(err, "--publish %s: bind the host port", text);
}

/* The binary of a backend in PATH, or NULL. */
static const char *find_in_path(const char *name, char *buf, size_t len)
{
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0')
        path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
    while (*path != '\0') {
        const char *end = strchrnul(path, ':');
        snprintf(buf, len, "%.*s/%s", (int)(end - path), path, name);
        if (end != path && access(buf, X_OK) == 0)
            return buf;
        path = *end ? end + 1 : end;
    }
    return NULL;
}

static int check_netns(const struct oci_config *c, const char *what, bw_err_t *err)
{
    const struct oci_linux *lx = c->linux;
    for (size_t i = 0; lx != NULL && i < lx->namespaces_len; i++) {
        if (lx->namespaces[i].type != OCI_NS_NETWORK)
            continue;
        if (lx->namespaces[i].path != NULL)
            return bw_error_set(err, 0,
                                "%s: linux.namespaces[%zu] joins the network namespace `%s`: "
                                "burrow only connects a namespace it creates (use "
                                "--network=none)",
                                what, i, lx->namespaces[i].path);
        return 0;
    }
    return bw_error_set(err, 0,
                        "%s: the container has no network namespace of its own (add "
                        "{\"type\": \"network\"} to linux.namespaces)",
                        what);
}

static bool config_binds_resolv(const struct oci_config *c)
{
    for (size_t i = 0; i < c->mounts_len; i++) {
        const char *d = c->mounts[i].destination;
        while (*d == '/')
            d++;
        if (strcmp(d, "etc/resolv.conf") == 0)
            return true;
    }
    return false;
}

static int add_resolv_mount(struct oci_config *c, const char *root, const char *id, bw_err_t *err);

int bw_net_prepare(struct bw_net *n, struct oci_config *c, const struct bw_net_opts *o,
                   const char *root, const char *id, bw_err_t *err)
{
    /* The mode: the flag wins over the annotation. */
    const char *ann = annotation(c, BW_NET_ANN_MODE);
    char what[96];
    if (o->mode != NULL) {
        snprintf(what, sizeof(what), "--network=%s", o->mode);
        if (parse_mode(o->mode, &n->mode) < 0)
            return bw_error_set(err, 0,
                                "--network: unknown mode \"%s\" (expected none, slirp4netns or "
                                "pasta)",
                                o->mode);
    } else if (ann != NULL) {
        snprintf(what, sizeof(what), "config.json: annotations[\"%s\"]", BW_NET_ANN_MODE);
        if (parse_mode(ann, &n->mode) < 0)
            return bw_error_set(
                err, 0, "%s: unknown mode \"%s\" (expected none, slirp4netns or pasta)", what, ann);
    }
    n->dns = n->mode != BW_NET_NONE;
    const char *v = annotation(c, BW_NET_ANN_DNS);
    if (v != NULL && parse_bool(v, &n->dns) < 0)
        return bw_error_set(err, 0, "config.json: annotations[\"%s\"]: \"%s\" is not true or false",
                            BW_NET_ANN_DNS, v);
    if (o->dns != 0)
        n->dns = o->dns == 1;
    v = annotation(c, BW_NET_ANN_LOOPBACK);
    if (v != NULL && parse_bool(v, &n->allow_loopback) < 0)
        return bw_error_set(err, 0, "config.json: annotations[\"%s\"]: \"%s\" is not true or false",
                            BW_NET_ANN_LOOPBACK, v);
    if (o->allow_loopback > 0)
        n->allow_loopback = true;

    /* Ports: the flags when given, else the annotation (comma-separated). */
    if (o->publish_len > 0) {
        for (size_t i = 0; i < o->publish_len; i++) {
            if (parse_publish(o->publish[i], "--publish", &n->ports[n->ports_len], err) < 0)
                return -1;
            n->ports_len++;
        }
    } else if ((v = annotation(c, BW_NET_ANN_PUBLISH)) != NULL) {
        cleanup_free char *list = strdup(v);
        char *save = NULL, label[96];
        snprintf(label, sizeof(label), "config.json: annotations[\"%s\"]", BW_NET_ANN_PUBLISH);
        for (char *t = strtok_r(list, ", ", &save); t != NULL; t = strtok_r(NULL, ", ", &save)) {
            if (n->ports_len >= BW_NET_MAX_PUBLISH)
                return bw_error_set(err, 0, "%s: at most %d ports", label, BW_NET_MAX_PUBLISH);
            if (parse_publish(t, label, &n->ports[n->ports_len], err) < 0)
                return -1;
            n->ports_len++;
        }
    }
    if (n->mode == BW_NET_NONE) {
        if (n->ports_len > 0)
            return bw_error_set(err, 0,
                                "--publish: needs a network mode (--network=slirp4netns or "
                                "--network=pasta)");
        return 0;
    }
    if (check_netns(c, what, err) < 0)
        return -1;
    /* In a user namespace the backend runs as the container's root: a
     * container that could see it (no pid namespace of its own) could
     * trace it, and with it reach the host side.  (DESIGN: helpers stay
     * out of the container's reach.) */
    const struct oci_namespace *pidns = oci_linux_find_namespace(c->linux, OCI_NS_PID);
    if ((geteuid() != 0 || oci_linux_find_namespace(c->linux, OCI_NS_USER) != NULL) &&
        (pidns == NULL || pidns->path != NULL))
        return bw_error_set(err, 0,
                            "%s: the backend runs in the container's user namespace, where a "
                            "container without a pid namespace of its own could trace it (add "
                            "{\"type\": \"pid\"} to linux.namespaces)",
                            what);
    static char helper[4096];
    const char *name = mode_names[n->mode];
    n->helper_path = find_in_path(name, helper, sizeof(helper));
    if (n->helper_path == NULL)
        return bw_error_set(err, ENOENT, "%s: `%s` not found in PATH (install it: %s)", what, name,
                            n->mode == BW_NET_PASTA ? "the `passt` package"
                                                    : "the `slirp4netns` package");
    if (access("/dev/net/tun", R_OK | W_OK) < 0)
        return bw_error_errno(err, "%s: needs /dev/net/tun", what);
    for (size_t i = 0; i < n->ports_len; i++) {
        const struct bw_net_port *p = &n->ports[i];
        char text[128];
        port_text(p, text, sizeof(text));
        for (size_t j = 0; j < i; j++) {
            if (n->ports[j].host_port == p->host_port && n->ports[j].udp == p->udp &&
                strcmp(n->ports[j].host_ip, p->host_ip) == 0)
                return bw_error_set(err, 0, "--publish %s: host port %u/%s given twice", text,
                                    (unsigned)p->host_port, p->udp ? "udp" : "tcp");
        }
        if (n->mode == BW_NET_SLIRP4NETNS && p->family != AF_INET)
            return bw_error_set(err, 0,
                                "--publish %s: slirp4netns forwards IPv4 host addresses only "
                                "(pasta does IPv6 too)",
                                text);
        if (check_port_free(p, err) < 0)
            return -1;
    }
    if (n->dns && config_binds_resolv(c)) {
        bw_debug("network: mounts[] binds /etc/resolv.conf: burrow provides none");
        n->dns = false;
    }
    n->id = id;
    return n->dns ? add_resolv_mount(c, root, id, err) : 0;
}

int bw_net_write_files(struct bw_net *n, int statedir_fd, bw_err_t *err)
{
    /* A new open file: a dup of the locked fd would share its lock. */
    n->statedir_fd = openat(statedir_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (n->statedir_fd < 0)
        return bw_error_errno(err, "open the state directory");
    if (n->mode == BW_NET_NONE || !n->dns)
        return 0;
    /* slirp4netns answers DNS on 10.0.2.3; pasta forwards what is sent to
     * the address given to --dns-forward to the host's resolver. */
    const char *text =
        n->mode == BW_NET_SLIRP4NETNS ? "nameserver 10.0.2.3\n" : "nameserver 169.254.1.1\n";
    if (bw_write_file_atomic_at(statedir_fd, "resolv.conf", text, strlen(text), 0644, err) < 0)
        return bw_error_prefix(err, "network: write resolv.conf");
    return 0;
}

/* Never written into the bundle or the rootfs: a file of the state
 * directory, bound read-only over the image's. */
static int add_resolv_mount(struct oci_config *c, const char *root, const char *id, bw_err_t *err)
{
    struct oci_mount *m = realloc(c->mounts, (c->mounts_len + 1) * sizeof(*m));
    if (m == NULL)
        return bw_error_set(err, ENOMEM, "network: resolv.conf mount");
    c->mounts = m;
    m = &c->mounts[c->mounts_len];
    memset(m, 0, sizeof(*m));
    static const char *const opts[] = {"bind", "ro", "nosuid", "nodev", "noexec"};
    m->options = calloc(5, sizeof(char *));
    if (m->options == NULL || asprintf(&m->source, "%s/%s/resolv.conf", root, id) < 0) {
        free(m->options);
        m->options = NULL;
        return bw_error_set(err, ENOMEM, "network: resolv.conf mount");
    }
    c->mounts_len++;
    m->destination = strdup("/etc/resolv.conf");
    m->type = strdup("bind");
    for (size_t i = 0; i < 5; i++)
        m->options[i] = strdup(opts[i]);
    m->options_len = 5;
    if (m->destination == NULL || m->type == NULL)
        return bw_error_set(err, ENOMEM, "network: resolv.conf mount");
    return 0;
}

int bw_net_child(const struct bw_net *n, int sync_fd, bool new_netns, bw_err_t *err)
{
    if (new_netns) {
        /* Loopback is down in a new network namespace. */
        cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
            return bw_error_errno(err, "network: read the flags of `lo`");
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
            return bw_error_errno(err, "network: bring `lo` up");
    }
    if (n == NULL || n->mode == BW_NET_NONE)
        return 0;
    /* Neither burrow nor the backend could open /proc/PID/ns/net of this
     * process (it is not dumpable): send the namespaces themselves. */
    cleanup_close int net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    cleanup_close int user = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (net < 0 || user < 0)
        return bw_error_errno(err, "network: open the container's namespaces");
    if (bw_sync_send_fd(sync_fd, BW_SYNC_NETNS, net, err) < 0 ||
        bw_sync_send_fd(sync_fd, BW_SYNC_USERNS, user, err) < 0)
        return -1;
    return 0;
}

int bw_net_parent(struct bw_net *n, int sync_fd, pid_t init, bool in_userns, bw_err_t *err)
{
    if (n == NULL || n->mode == BW_NET_NONE)
        return 0;
    cleanup_close int net = -1, user = -1;
    if (bw_sync_recv_fd(sync_fd, BW_SYNC_NETNS, &net, "the container's process", err) < 0 ||
        bw_sync_recv_fd(sync_fd, BW_SYNC_USERNS, &user, "the container's process", err) < 0)
        return -1;
    char label[1100];
    snprintf(label, sizeof(label), "burrow-monitor %s", n->id);
    if (bw_monitor_start(&n->mon, init, label, err) < 0)
        return bw_error_prefix(err, "network");
    int r = n->mode == BW_NET_SLIRP4NETNS
                ? bw_net_slirp4netns_start(n, net, in_userns ? user : -1, err)
                : bw_net_pasta_start(n, net, in_userns ? user : -1, err);
    if (r < 0) {
        /* Nothing recorded yet: the monitor ends the backend. */
        bw_monitor_close(&n->mon);
        return bw_error_prefix(err, "network (%s)", mode_names[n->mode]);
    }
    return 0;
}

int bw_net_commit(struct bw_net *n, bw_err_t *err)
{
    return bw_monitor_commit(&n->mon, err);
}

static int set_annotation(char ***ann, const char *key, const char *value)
{
    size_t len = 0;
    char **a = *ann;
    for (; a != NULL && a[len] != NULL; len += 2) {
        if (strcmp(a[len], key) == 0) {
            char *v = strdup(value);
            if (v == NULL)
                return -1;
            free(a[len + 1]);
            a[len + 1] = v;
            return 0;
        }
    }
    a = realloc(a, (len + 3) * sizeof(char *));
    if (a == NULL)
        return -1;
    *ann = a;
    a[len] = strdup(key);
    a[len + 1] = strdup(value);
    a[len + 2] = NULL;
    return a[len] == NULL || a[len + 1] == NULL ? -1 : 0;
}

int bw_net_annotate(const struct bw_net *n, char ***annotations, bw_err_t *err)
{
    /* Without a mode the state's annotations stay exactly the config's
     * (engines read them back). */
    if (n->mode == BW_NET_NONE)
        return 0;
    char list[BW_NET_MAX_PUBLISH * 64] = "";
    size_t used = 0;
    for (size_t i = 0; i < n->ports_len; i++) {
        char text[128];
        port_text(&n->ports[i], text, sizeof(text));
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? "," : "", text);
    }
    if (set_annotation(annotations, BW_NET_ANN_MODE, mode_names[n->mode]) < 0 ||
        (n->ports_len > 0 && set_annotation(annotations, BW_NET_ANN_PUBLISH, list) < 0))
        return bw_error_set(err, ENOMEM, "network annotations");
    return 0;
}

char *bw_net_log_tail(const struct bw_net *n)
{
    size_t len = 0;
    bw_err_t e = NULL;
    cleanup_free char *text = bw_read_file_at(n->statedir_fd, BW_NET_LOG, 1 << 20, &len, &e);
    bw_error_free(&e);
    if (text == NULL)
        return strdup("(no message)");
    /* The last non-empty line that is not a banner. */
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
        text[--len] = '\0';
    char *line = strrchr(text, '\n');
    line = line ? line + 1 : text;
    return strdup(*line ? line : "(no message)");
}
