/* payload: the subcommands of the seccomp tests.
 *
 *   syscall NAME [ARG...]     make the raw syscall NAME (from a small table)
 *                             with integer ARGs (0x.. allowed); prints
 *                             `syscall: NAME = RET` or `syscall: NAME = -1 ENAME`
 *   seccomp-agent SOCKET [TIMEOUT]
 *                             on the host: listen on the unix socket SOCKET,
 *                             take one container process state and its
 *                             seccomp listener fd, print `state: JSON` and
 *                             `fds: N` (descriptors received), then answer
 *                             every notification with the value 4242 and
 *                             print `notify: NR`, until the filter's last
 *                             process exits (or TIMEOUT seconds, default 30)
 */
#include <config.h>

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int payload_cmd_syscall(int argc, char **argv);
int payload_cmd_seccomp_agent(int argc, char **argv);

static const struct {
    const char *name;
    long nr;
} syscalls[] = {
    {"personality", SYS_personality},
    {"unshare", SYS_unshare},
    {"keyctl", SYS_keyctl},
    {"add_key", SYS_add_key},
    {"getppid", SYS_getppid},
    {"getpid", SYS_getpid},
    {"bpf", SYS_bpf},
    {"setns", SYS_setns},
    {"getcwd", SYS_getcwd},
    {"umask", SYS_umask},
    {"ptrace", SYS_ptrace},
    {"clone", SYS_clone},
    /* These ignore their arguments: rules can match any. */
    {"getuid", SYS_getuid},
    {"getgid", SYS_getgid},
    {"geteuid", SYS_geteuid},
    {"getegid", SYS_getegid},
    {"gettid", SYS_gettid},
    {"sched_yield", SYS_sched_yield},
};

int payload_cmd_syscall(int argc, char **argv)
{
    long a[6] = {0};
    if (argc < 2 || argc > 8) {
        fprintf(stderr, "payload: usage: %s NAME [ARG...]\n", argv[0]);
        exit(2);
    }
    for (int i = 2; i < argc; i++)
        a[i - 2] = (long)strtoull(argv[i], NULL, 0);
    for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
        if (strcmp(syscalls[i].name, argv[1]) != 0)
            continue;
        errno = 0;
        long r = syscall(syscalls[i].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r == -1) {
            const char *n = strerrorname_np(errno);
            printf("syscall: %s = -1 %s\n", argv[1], n ? n : "EUNKNOWN");
        } else {
            printf("syscall: %s = %ld\n", argv[1], r);
        }
        return 0;
    }
    fprintf(stderr, "payload: syscall: \"%s\" is not in the table\n", argv[1]);
    exit(2);
}

static int agent_accept(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || strlen(path) >= sizeof(sa.sun_path))
        return -1;
    strcpy(sa.sun_path, path);
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0)
        return -1;
    int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
    close(s);
    return c;
}

/* Read the whole state (until EOF); the fds come with the first message. */
static int agent_receive(int c, char *buf, size_t size, int *fd, int *nfds)
{
    size_t len = 0;
    *fd = -1;
    *nfds = 0;
    for (;;) {
        union {
            char b[CMSG_SPACE(4 * sizeof(int))];
            struct cmsghdr align;
        } u;
        struct iovec iov = {.iov_base = buf + len, .iov_len = size - 1 - len};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
        ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h != NULL; h = CMSG_NXTHDR(&mh, h)) {
            if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
                continue;
            int k = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            if (*fd < 0 && k > 0)
                memcpy(fd, CMSG_DATA(h), sizeof(int));
            *nfds += k;
        }
        if (n == 0 || len + (size_t)n >= size - 1)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return 0;
}

int payload_cmd_seccomp_agent(int argc, char **argv)
{
    static char buf[65536];
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "payload: usage: %s SOCKET [TIMEOUT]\n", argv[0]);
        exit(2);
    }
    time_t deadline = time(NULL) + (argc > 2 ? atoi(argv[2]) : 30);
    int c = agent_accept(argv[1]);
    int fd, nfds;
    if (c < 0 || agent_receive(c, buf, sizeof(buf), &fd, &nfds) < 0) {
        fprintf(stderr, "payload: %s: %s: %s\n", argv[0], argv[1], strerror(errno));
        exit(1);
    }
    close(c);
    printf("state: %s\nfds: %d\n", buf, nfds);
    fflush(stdout);
    if (fd < 0)
        return 1;
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    while (time(NULL) < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 200) < 0 && errno != EINTR)
            return 1;
        if (p.revents & (POLLHUP | POLLERR))
            return 0; /* no process uses the filter any more */
        if (!(p.revents & POLLIN))
            continue;
        memset(&req, 0, sizeof(req));
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
            continue; /* the caller died meanwhile */
        resp = (struct seccomp_notif_resp){.id = req.id, .val = 4242};
        ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        printf("notify: %d\n", req.data.nr);
        fflush(stdout);
    }
    printf("seccomp-agent: timed out\n");
    return 124;
}
