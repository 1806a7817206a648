/* burrow: LISTEN_FDS pass-through.  See listenfds.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/listenfds.h"
#include "util/log.h"

/* More would be a mistake, not a service's sockets. */
#define LISTEN_FDS_MAX 4096

static long env_number(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return -1;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < 0)
        return -1;
    return n;
}

int bw_listen_fds(void)
{
    if (getenv("LISTEN_FDS") == NULL)
        return 0;
    long n = env_number("LISTEN_FDS");
    long pid = env_number("LISTEN_PID");
    /* As sd_listen_fds(3): the sockets are ours only if LISTEN_PID says so;
     * otherwise they were meant for a process that ran before us. */
    if (pid != (long)getpid()) {
        bw_debug("LISTEN_FDS: LISTEN_PID is not burrow's pid (%ld): not passed on", pid);
        return 0;
    }
    if (n <= 0 || n > LISTEN_FDS_MAX) {
        bw_debug("LISTEN_FDS: \"%s\" is not a count of sockets: not passed on",
                 getenv("LISTEN_FDS"));
        return 0;
    }
    return (int)n;
}

static int env_set(struct oci_process *p, const char *name, const char *value, bw_err_t *err)
{
    char *entry = NULL;
    if (asprintf(&entry, "%s=%s", name, value) < 0)
        return bw_error_set(err, ENOMEM, "process.env");
    size_t nlen = strlen(name);
    for (size_t i = 0; i < p->env_len; i++) {
        if (strncmp(p->env[i], name, nlen) == 0 && p->env[i][nlen] == '=') {
            free(p->env[i]);
            p->env[i] = entry;
            return 0;
        }
    }
    char **env = realloc(p->env, (p->env_len + 2) * sizeof(char *));
    if (env == NULL) {
        free(entry);
        return bw_error_set(err, ENOMEM, "process.env");
    }
    env[p->env_len++] = entry;
    env[p->env_len] = NULL;
    p->env = env;
    return 0;
}

int bw_listen_fds_env(struct oci_process *p, int n, bw_err_t *err)
{
    char count[16];
    snprintf(count, sizeof(count), "%d", n);
    const char *names = getenv("LISTEN_FDNAMES");
    if (env_set(p, "LISTEN_FDS", count, err) < 0 || env_set(p, "LISTEN_PID", "1", err) < 0 ||
        (names != NULL && env_set(p, "LISTEN_FDNAMES", names, err) < 0))
        return -1;
    return 0;
}

int bw_passed_fds_check(int first, int count, const char *what, bw_err_t *err)
{
    for (int fd = first; fd < first + count; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl < 0)
            return bw_error_set(err, 0, "%s: fd %d is not open: there is nothing to pass on", what,
                                fd);
        if (fl & FD_CLOEXEC)
            return bw_error_set(err, 0,
                                "%s: fd %d is burrow's own, not one it was given (it is "
                                "close-on-exec)",
                                what, fd);
    }
    return 0;
}
