/* burrow: the systemd cgroup manager (--systemd-cgroup, or a cgroupsPath
 * of the form "slice:prefix:name").
 *
 * With systemd as the manager, the container's cgroup is a transient scope
 * that systemd creates with Delegate=yes (StartTransientUnit over D-Bus: the
 * system bus as root, the user's own manager rootless).  This version only
 * finds out whether such a manager is reachable: asked for explicitly, the
 * systemd manager is never replaced by cgroupfs behind the user's back, so
 * both "not reachable" and "reachable but not implemented here" are errors
 * that say what to do instead (drop --systemd-cgroup and use a plain
 * cgroupsPath: cgroupfs, which works in any delegated subtree).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"

bool bw_cgroup_is_systemd_path(const char *p)
{
    if (p == NULL || p[0] == '/' || p[0] == '\0')
        return false;
    const char *a = strchr(p, ':');
    return a != NULL && strchr(a + 1, ':') != NULL && strchr(p, '/') == NULL;
}

/* Whether a unix socket at `path` accepts a connection. */
static bool socket_answers(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return false;
    strcpy(sa.sun_path, path);
    cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

/* systemd's own private socket, then the bus it listens on. */
static bool manager_reachable(bool rootless, char *where, size_t size)
{
    if (!rootless) {
        snprintf(where, size, "/run/systemd/private");
        if (socket_answers(where))
            return true;
        snprintf(where, size, "/run/systemd/private or /run/dbus/system_bus_socket");
        /* The system bus alone is no systemd (pid 1 may be anything). */
        struct stat st;
        return socket_answers("/run/dbus/system_bus_socket") &&
               stat("/run/systemd/system", &st) == 0;
    }
    const char *rt = getenv("XDG_RUNTIME_DIR");
    if (rt == NULL || rt[0] == '\0') {
        snprintf(where, size, "the user's manager ($XDG_RUNTIME_DIR is not set)");
        return false;
    }
    snprintf(where, size, "%s/systemd/private", rt);
    if (socket_answers(where))
        return true;
    char bus[4096];
    snprintf(bus, sizeof(bus), "%s/bus", rt);
    snprintf(where, size, "%s/systemd/private or %s/bus", rt, rt);
    return socket_answers(bus);
}

int bw_cgroup_systemd_check(const char *cgroups_path, bool rootless, bw_err_t *err)
{
    char where[4200];
    const char *asked =
        bw_cgroup_is_systemd_path(cgroups_path) ? "linux.cgroupsPath" : "--systemd-cgroup";
    if (!manager_reachable(rootless, where, sizeof(where)))
        return bw_error_set(err, 0,
                            "%s: the systemd cgroup manager is not reachable (no %s; %s): "
                            "drop --systemd-cgroup and give linux.cgroupsPath as a path to "
                            "use the cgroupfs manager",
                            asked, rootless ? "systemd user manager" : "systemd as pid 1", where);
    return bw_error_set(err, 0,
                        "%s: systemd is reachable at %s, but this version of burrow cannot "
                        "create scopes through it yet: drop --systemd-cgroup and give "
                        "linux.cgroupsPath as a path to use the cgroupfs manager",
                        asked, where);
}
