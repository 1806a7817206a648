/* burrow: the monitor process (see monitor.h). */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/monitor.h"
#include "linux/proc.h"
#include "util/cleanup.h"

#define MAX_CHILDREN 8
#define MSG_MAX      8192
#define LINGER_MS    250

enum msg_type {
    MSG_SPAWN = 0x6d01, /* burrow -> monitor: argv, fds */
    MSG_SPAWNED,        /* monitor -> burrow: value = pid or -errno */
    MSG_EXITED,         /* monitor -> burrow: value = pid, value2 = wait status */
    MSG_COMMIT,         /* burrow -> monitor */
};

struct msg_head {
    uint32_t type;
    int32_t value;
    int32_t value2;
    int32_t userns_fd;
};

/* Fixed fd numbers in the monitor. */
enum { MON_SOCK = 3, MON_PIDFD = 4, MON_FIRST_FREE = 5 };

void bw_monitor_init(struct bw_monitor *m)
{
    m->pid = 0;
    m->sock = -1;
}

static int send_msg(int sock, const struct msg_head *h, const void *data, size_t len,
                    const int *fds, int nfds)
{
    char buf[MSG_MAX];
    if (sizeof(*h) + len > sizeof(buf)) {
        errno = E2BIG;
        return -1;
    }
    memcpy(buf, h, sizeof(*h));
    if (len > 0)
        memcpy(buf + sizeof(*h), data, len);
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(*h) + len};
    union {
        char b[CMSG_SPACE(sizeof(int) * BW_MONITOR_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds > 0) {
        mh.msg_control = ctl.b;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

/* Returns the payload length, 0 on EOF (no message), -1 on error. */
static ssize_t recv_msg(int sock, struct msg_head *h, char *data, size_t cap, int *fds, int *nfds)
{
    char buf[MSG_MAX];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    union {
        char b[CMSG_SPACE(sizeof(int) * BW_MONITOR_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (nfds != NULL)
        *nfds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < k; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + (size_t)i * sizeof(int), sizeof(int));
            if (fds != NULL && nfds != NULL && *nfds < BW_MONITOR_MAX_FDS)
                fds[(*nfds)++] = fd;
            else
                close(fd);
        }
    }
    if (n <= 0)
        return n < 0 ? -1 : 0;
    if ((size_t)n < sizeof(*h)) {
        errno = EPROTO;
        return -1;
    }
    memcpy(h, buf, sizeof(*h));
    size_t len = (size_t)n - sizeof(*h);
    if (len >= cap)
        len = cap - 1;
    memcpy(data, buf + sizeof(*h), len);
    data[len] = '\0';
    return (ssize_t)(len + 1); /* > 0 even with no payload */
}

/* ------------------------------------------------------------------------
 * In the monitor
 */

struct child {
    pid_t pid;
    int pidfd;
};

/* The helper, between fork and exec: its fds exactly, its user namespace,
 * and death with the monitor. */
static __attribute__((noreturn)) void exec_helper(char **argv, int *fds, int nfds, int userns_fd)
{
    pid_t monitor = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != monitor)
        _exit(127);
    /* Move the fds above every target number first, then into place. */
    for (int i = 0; i < nfds; i++) {
        int fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 64);
        if (fd < 0)
            _exit(127);
        fds[i] = fd;
    }
    for (int i = 0; i < nfds; i++) {
        if (dup2(fds[i], i) < 0) /* dup2 clears FD_CLOEXEC on the copy */
            _exit(127);
    }
    syscall(SYS_close_range, (unsigned)nfds, ~0U, 0);
    if (userns_fd >= 0 && userns_fd < nfds && setns(userns_fd, CLONE_NEWUSER) < 0) {
        dprintf(2, "join the container's user namespace: %s\n", strerror(errno));
        _exit(127);
    }
    if (userns_fd >= 0 && userns_fd < nfds)
        close(userns_fd);
    execvp(argv[0], argv);
    dprintf(2, "execute `%s`: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static pid_t spawn_helper(char *payload, size_t len, int userns_fd, int *fds, int nfds)
{
    char *argv[64];
    int argc = 0;
    for (size_t off = 0; off < len && argc < 63; off += strlen(payload + off) + 1)
        argv[argc++] = payload + off;
    argv[argc] = NULL;
    if (argc == 0) {
        errno = EINVAL;
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0)
        exec_helper(argv, fds, nfds, userns_fd);
    return pid;
}

/* Kill every child (spawned or reparented to us), reap them all. */
static void kill_children(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    for (int round = 0; round < 300; round++) {
        FILE *f = fopen(path, "re");
        int killed = 0;
        if (f != NULL) {
            int p;
            while (fscanf(f, "%d", &p) == 1) {
                kill(p, SIGKILL);
                killed++;
            }
            fclose(f);
        }
        /* Reap what is dead; anything left blocks the next wait. */
        int st;
        while (waitpid(-1, &st, WNOHANG) > 0)
            ;
        if (killed == 0 && waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD)
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static __attribute__((noreturn)) void monitor_main(void)
{
    struct child kids[MAX_CHILDREN];
    int nkids = 0;
    bool sock_open = true, committed = false;
    for (;;) {
        struct pollfd p[2 + MAX_CHILDREN];
        p[0] = (struct pollfd){.fd = MON_PIDFD, .events = POLLIN};
        p[1] = (struct pollfd){.fd = sock_open ? MON_SOCK : -1, .events = POLLIN};
        for (int i = 0; i < nkids; i++)
            p[2 + i] = (struct pollfd){.fd = kids[i].pidfd, .events = POLLIN};
        if (poll(p, (nfds_t)(2 + nkids), -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[0].revents) {
            /* The container is gone, but what its sockets still had to send
             * (orphaned connections of its network namespace) goes through
             * the helper: a moment for it, then the end. */
            struct timespec ts = {0, LINGER_MS * 1000 * 1000};
            nanosleep(&ts, NULL);
            break;
        }
        for (int i = 0; i < nkids; i++) {
            if (!p[2 + i].revents)
                continue;
            int st = 0;
            if (waitpid(kids[i].pid, &st, WNOHANG) != kids[i].pid)
                continue;
            struct msg_head h = {.type = MSG_EXITED, .value = kids[i].pid, .value2 = st};
            if (sock_open)
                send_msg(MON_SOCK, &h, NULL, 0, NULL, 0);
            close(kids[i].pidfd);
            kids[i--] = kids[--nkids];
            /* p[] is stale now: poll again. */
            goto next;
        }
        if (p[1].revents) {
            struct msg_head h;
            char data[MSG_MAX];
            int fds[BW_MONITOR_MAX_FDS], nfds = 0;
            ssize_t n = recv_msg(MON_SOCK, &h, data, sizeof(data), fds, &nfds);
            if (n <= 0) {
                for (int i = 0; i < nfds; i++)
                    close(fds[i]);
                if (!committed)
                    break; /* burrow failed or died during create */
                close(MON_SOCK);
                sock_open = false;
                continue;
            }
            if (h.type == MSG_COMMIT) {
                committed = true;
            } else if (h.type == MSG_SPAWN) {
                pid_t pid = -1;
                if (nkids < MAX_CHILDREN)
                    pid = spawn_helper(data, (size_t)n - 1, h.userns_fd, fds, nfds);
                else
                    errno = EMFILE;
                struct msg_head r = {.type = MSG_SPAWNED, .value = pid > 0 ? pid : -errno};
                if (pid > 0) {
                    kids[nkids].pid = pid;
                    kids[nkids].pidfd = bw_pidfd_open(pid);
                    nkids++;
                }
                send_msg(MON_SOCK, &r, NULL, 0, NULL, 0);
            }
            for (int i = 0; i < nfds; i++)
                close(fds[i]);
        }
    next:;
    }
    kill_children();
    _exit(0);
}

/* Overwrite the command line burrow was started with (the arguments area
 * of our memory, which /proc/PID/cmdline shows): a monitor that outlives the
 * command would otherwise pass for it. */
static void set_cmdline(const char *label)
{
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t len = 0;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        len += (size_t)n;
    close(fd);
    char *area = program_invocation_name; /* argv[0], the start of the area */
    if (area == NULL || len < 2)
        return;
    memset(area, 0, len);
    snprintf(area, len - 1, "%s", label);
}

int bw_monitor_start(struct bw_monitor *m, pid_t watched, const char *label, bw_err_t *err)
{
    cleanup_close int pidfd = bw_pidfd_open(watched);
    if (pidfd < 0)
        return bw_error_errno(err, "watch the container's process %d (pidfd_open)", (int)watched);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return bw_error_errno(err, "socketpair");
    cleanup_close int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return bw_error_errno(err, "fork the monitor");
    }
    if (pid == 0) {
        /* Out of burrow's process group (a ^C to a foreground `run` is the
         * container's to get), with nothing of burrow's open: its lock
         * above all, which a copy here would keep held. */
        setsid();
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        prctl(PR_SET_NAME, "burrow-monitor", 0, 0, 0);
        set_cmdline(label);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < NSIG; s++)
            signal(s, SIG_DFL);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0 ||
            dup3(sv[1], MON_SOCK, O_CLOEXEC) < 0 || dup3(pidfd, MON_PIDFD, O_CLOEXEC) < 0)
            _exit(1);
        syscall(SYS_close_range, (unsigned)MON_FIRST_FREE, ~0U, 0);
        monitor_main();
    }
    close(sv[1]);
    m->pid = pid;
    m->sock = sv[0];
    return 0;
}

int bw_monitor_spawn(struct bw_monitor *m, const struct bw_monitor_helper *h, pid_t *pid,
                     bw_err_t *err)
{
    char data[MSG_MAX - sizeof(struct msg_head)];
    size_t len = 0;
    for (char *const *a = h->argv; *a != NULL; a++) {
        size_t l = strlen(*a) + 1;
        if (len + l > sizeof(data))
            return bw_error_set(err, E2BIG, "start `%s`: command line too long", h->argv[0]);
        memcpy(data + len, *a, l);
        len += l;
    }
    if (h->nfds > BW_MONITOR_MAX_FDS)
        return bw_error_set(err, EINVAL, "start `%s`: too many fds", h->argv[0]);
    struct msg_head head = {.type = MSG_SPAWN, .userns_fd = h->userns_fd};
    if (send_msg(m->sock, &head, data, len, h->fds, h->nfds) < 0)
        return bw_error_errno(err, "start `%s`: talk to the monitor", h->argv[0]);
    for (;;) {
        struct msg_head r;
        char buf[16];
        ssize_t n = recv_msg(m->sock, &r, buf, sizeof(buf), NULL, NULL);
        if (n <= 0)
            return bw_error_set(err, n < 0 ? errno : EPIPE, "start `%s`: the monitor died",
                                h->argv[0]);
        if (r.type != MSG_SPAWNED)
            continue; /* the exit of an earlier helper: not ours to report */
        if (r.value < 0)
            return bw_error_set(err, -r.value, "start `%s`", h->argv[0]);
        *pid = r.value;
        return 0;
    }
}

int bw_monitor_wait(struct bw_monitor *m, pid_t pid, int fd, int timeout_ms, int *status,
                    bw_err_t *err)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long spent =
            (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (spent >= timeout_ms)
            return bw_error_set(err, ETIMEDOUT, "timed out after %d ms", timeout_ms);
        struct pollfd p[2] = {{.fd = m->sock, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
        int n = poll(p, fd >= 0 ? 2 : 1, (int)(timeout_ms - spent));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bw_error_errno(err, "poll");
        if (fd >= 0 && p[1].revents)
            return 1;
        if (p[0].revents) {
            struct msg_head r;
            char buf[16];
            ssize_t k = recv_msg(m->sock, &r, buf, sizeof(buf), NULL, NULL);
            if (k <= 0)
                return bw_error_set(err, EPIPE, "the monitor died");
            if (r.type == MSG_EXITED && r.value == pid) {
                *status = r.value2;
                return 0;
            }
        }
    }
}

int bw_monitor_commit(struct bw_monitor *m, bw_err_t *err)
{
    if (m->sock < 0)
        return 0;
    struct msg_head h = {.type = MSG_COMMIT};
    if (send_msg(m->sock, &h, NULL, 0, NULL, 0) < 0)
        return bw_error_errno(err, "talk to the monitor");
    return 0;
}

void bw_monitor_close(struct bw_monitor *m)
{
    if (m->sock >= 0)
        close(m->sock);
    m->sock = -1;
}
