#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/proc.h"
#include "util/cleanup.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int bw_proc_stat(pid_t pid, uint64_t *start_time, char *state)
{
    char path[64];
    char buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0) {
        errno = n == 0 ? ESRCH : errno;
        return -1;
    }
    buf[n] = '\0';
    /* The command name (field 2) may contain spaces and parentheses: the
     * fields we want follow the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ') {
        errno = EINVAL;
        return -1;
    }
    p += 2;
    char st = *p;
    /* p is at field 3 (state); start time is field 22. */
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (p == NULL) {
            errno = EINVAL;
            return -1;
        }
        p++;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno != 0 || end == p) {
        errno = EINVAL;
        return -1;
    }
    if (start_time != NULL)
        *start_time = v;
    if (state != NULL)
        *state = st;
    return 0;
}

bool bw_proc_alive(pid_t pid, uint64_t start_time)
{
    uint64_t st;
    char state;
    if (pid <= 0 || bw_proc_stat(pid, &st, &state) < 0)
        return false;
    return st == start_time && state != 'Z' && state != 'X';
}

int bw_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

uint64_t bw_proc_ns_inode(pid_t pid, const char *name)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
    if (stat(path, &st) < 0)
        return 0;
    return (uint64_t)st.st_ino;
}

bool bw_proc_in_child_userns(void)
{
    /* The initial user namespace maps every id: "0 0 4294967295".  Any
     * other map (a fraction of the ids, or several lines) is a namespace
     * someone made, e.g. the one rootless Podman runs its runtime in. */
    char buf[256];
    cleanup_close int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    unsigned long inside, outside, count;
    char rest;
    if (sscanf(buf, " %lu %lu %lu %c", &inside, &outside, &count, &rest) != 3)
        return true;
    return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

bool bw_proc_setgroups_denied(pid_t pid)
{
    char path[64], buf[16];
    if (pid == 0)
        snprintf(path, sizeof(path), "/proc/self/setgroups");
    else
        snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

int bw_proc_reap(pid_t pid)
{
    int status;
    pid_t w;
    while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
        if (w != pid)
            continue;
        if (WIFEXITED(status))
            return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
            return 128 + WTERMSIG(status);
    }
    return -1;
}
