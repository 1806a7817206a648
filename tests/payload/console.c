/* payload: terminal subcommands.
 *
 *   tty                  inside a container: what the process's terminal is
 *   console-recv SOCK [ACTION...]
 *                        on the host: listen on the unix socket SOCK, take
 *                        the pty master a runtime sends (--console-socket),
 *                        run the ACTIONs on it, then copy what it says to
 *                        stdout until EIO (every holder of the slave closed)
 *   pty-run [ACTION...] --- CMD [ARGS...]
 *                        on the host: run CMD on a new pty (its controlling
 *                        terminal and stdio), run the ACTIONs on the master,
 *                        copy the output to stdout until CMD exits; then say
 *                        whether CMD left the pty's modes as it found them
 *
 * console-recv's first ACTION may be `hangup`: close the connection at once.
 * ACTIONs: expect:TEXT (wait until the output has TEXT, after the last
 * match), send:TEXT, resize:ROWS:COLS, modes (pty-run: print the icanon,
 * echo and isig flags CMD's terminal has now), timeout:SECONDS (for what
 * follows; default 30).  Reports go to stderr, as `console-recv: ...` or
 * `pty-run: ...` lines; a failed expect exits 3 once the output is copied.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Run argv[0] if it is one of these subcommands; -1 if it is not. */
int payload_console_run(int argc, char **argv);

static void die(const char *cmd, const char *what)
{
    fprintf(stderr, "payload: %s: %s: %s\n", cmd, what, strerror(errno));
    exit(1);
}

static int cmd_tty(int argc, char **argv)
{
    (void)argc;
    const char *name = ttyname(0);
    printf("tty: %s\n", name ? name : "not a tty");
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    printf("ctty: %s\n", fd >= 0 ? "yes" : "no");
    if (fd >= 0)
        close(fd);
    printf("session leader: %s\n", getsid(0) == getpid() ? "yes" : "no");
    pid_t fg = tcgetpgrp(0);
    printf("foreground: %s\n", fg >= 0 && fg == getpgrp() ? "yes" : "no");
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0)
        printf("winsize: %u %u\n", ws.ws_row, ws.ws_col);
    struct stat st;
    if (fstat(0, &st) == 0)
        printf("owner: %u\n", (unsigned)st.st_uid);
    (void)argv;
    return 0;
}

/* ------------------------------------------------------------------------
 * Driving a pty master
 */

struct drive {
    const char *cmd;
    int master;
    int slave; /* pty-run: the slave CMD runs on; -1 for console-recv */
    char *out; /* everything read so far */
    size_t len, cap, mark;
    bool eof;
    double timeout;
    bool failed;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait up to `secs` for output and copy it; false on EOF/EIO or timeout. */
static bool read_some(struct drive *d, double secs)
{
    if (d->eof)
        return false;
    struct pollfd p = {.fd = d->master, .events = POLLIN};
    int n = poll(&p, 1, (int)(secs * 1000));
    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    char buf[4096];
    ssize_t r = read(d->master, buf, sizeof(buf));
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (r <= 0) {
        d->eof = true;
        return false;
    }
    if (d->len + (size_t)r + 1 > d->cap) {
        d->cap = (d->len + (size_t)r + 1) * 2;
        d->out = realloc(d->out, d->cap);
        if (d->out == NULL)
            die(d->cmd, "realloc");
    }
    memcpy(d->out + d->len, buf, (size_t)r);
    d->len += (size_t)r;
    d->out[d->len] = '\0';
    fwrite(buf, 1, (size_t)r, stdout);
    fflush(stdout);
    return true;
}

static void expect(struct drive *d, const char *text)
{
    double end = now() + d->timeout;
    for (;;) {
        if (d->out != NULL) {
            char *at = strstr(d->out + d->mark, text);
            if (at != NULL) {
                d->mark = (size_t)(at - d->out) + strlen(text);
                return;
            }
        }
        double left = end - now();
        if (left <= 0 || (!read_some(d, left) && (d->eof || now() >= end))) {
            fprintf(stderr, "%s: expect: \"%s\" never came (%s)\n", d->cmd, text,
                    d->eof ? "end of output" : "timed out");
            d->failed = true;
            return;
        }
    }
}

static void run_actions(struct drive *d, int n, char **actions)
{
    for (int i = 0; i < n && !d->failed; i++) {
        const char *a = actions[i];
        if (strncmp(a, "expect:", 7) == 0) {
            expect(d, a + 7);
        } else if (strncmp(a, "send:", 5) == 0) {
            size_t len = strlen(a + 5);
            if (write(d->master, a + 5, len) != (ssize_t)len)
                die(d->cmd, "write to the master");
        } else if (strncmp(a, "resize:", 7) == 0) {
            unsigned rows, cols;
            if (sscanf(a + 7, "%u:%u", &rows, &cols) != 2) {
                fprintf(stderr, "payload: %s: bad action \"%s\"\n", d->cmd, a);
                exit(2);
            }
            struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
            if (ioctl(d->master, TIOCSWINSZ, &ws) < 0)
                die(d->cmd, "TIOCSWINSZ");
        } else if (strcmp(a, "modes") == 0) {
            /* What CMD did to its terminal's modes meanwhile. */
            struct termios t;
            if (d->slave < 0 || tcgetattr(d->slave, &t) < 0)
                die(d->cmd, "modes: tcgetattr");
            fprintf(stderr, "%s: modes: icanon %d echo %d isig %d\n", d->cmd,
                    (t.c_lflag & ICANON) != 0, (t.c_lflag & ECHO) != 0, (t.c_lflag & ISIG) != 0);
        } else if (strncmp(a, "timeout:", 8) == 0) {
            d->timeout = atof(a + 8);
        } else {
            fprintf(stderr, "payload: %s: unknown action \"%s\"\n", d->cmd, a);
            exit(2);
        }
    }
}

/* ------------------------------------------------------------------------
 * console-recv
 */

static int listen_at(const char *cmd, const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char tmp[sizeof(addr.sun_path)];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        die(cmd, "socket path too long");
    memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die(cmd, "socket");
    unlink(tmp);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0)
        die(cmd, "bind/listen");
    /* Appears under its name only once it listens: a test can wait for it. */
    if (rename(tmp, path) < 0)
        die(cmd, "rename");
    return fd;
}

static int cmd_console_recv(int argc, char **argv)
{
    const char *cmd = "console-recv";
    if (argc < 2) {
        fprintf(stderr, "payload: usage: console-recv SOCKET [ACTION...]\n");
        exit(2);
    }
    int lfd = listen_at(cmd, argv[1]);
    int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        die(cmd, "accept");
    close(lfd);
    unlink(argv[1]);
    if (argc > 2 && strcmp(argv[2], "hangup") == 0) {
        /* A receiver gone before the runtime sends. */
        close(conn);
        fprintf(stderr, "console-recv: hung up\n");
        return 0;
    }
    char name[256] = "";
    struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf)};
    ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
    if (n < 0)
        die(cmd, "recvmsg");
    int master = -1, nfds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            nfds += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            memcpy(&master, CMSG_DATA(c), sizeof(int));
        }
    }
    close(conn);
    if (master < 0) {
        fprintf(stderr, "console-recv: no fd received (%zd bytes of data)\n", n);
        return 1;
    }
    int ptn = -1;
    fprintf(stderr, "console-recv: name: %s\n", name);
    fprintf(stderr, "console-recv: fds: %d\n", nfds);
    if (ioctl(master, TIOCGPTN, &ptn) == 0)
        fprintf(stderr, "console-recv: master of pty %d\n", ptn);
    else
        fprintf(stderr, "console-recv: not a pty master\n");
    struct drive d = {.cmd = cmd, .master = master, .slave = -1, .timeout = 30};
    run_actions(&d, argc - 2, argv + 2);
    /* The rest, until the last holder of the slave closes it. */
    double end = now() + d.timeout;
    while (!d.eof && now() < end)
        read_some(&d, end - now());
    fprintf(stderr, "console-recv: %s\n", d.eof ? "closed" : "timed out");
    return d.failed ? 3 : d.eof ? 0 : 4;
}

/* ------------------------------------------------------------------------
 * pty-run
 */

static bool same_termios(const struct termios *a, const struct termios *b)
{
    return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
           a->c_lflag == b->c_lflag && memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc)) == 0;
}

static int cmd_pty_run(int argc, char **argv)
{
    const char *cmd = "pty-run";
    /* "---": payload itself splits its arguments at "--". */
    int sep = 1;
    while (sep < argc && strcmp(argv[sep], "---") != 0)
        sep++;
    if (sep + 1 >= argc) {
        fprintf(stderr, "payload: usage: pty-run [ACTION...] --- CMD [ARGS...]\n");
        exit(2);
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
        die(cmd, "posix_openpt");
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        die(cmd, "open the slave");
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    ioctl(master, TIOCSWINSZ, &ws);
    struct termios before, after;
    if (tcgetattr(slave, &before) < 0)
        die(cmd, "tcgetattr");
    pid_t pid = fork();
    if (pid < 0)
        die(cmd, "fork");
    if (pid == 0) {
        setsid();
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
            die(cmd, "TIOCSCTTY");
        dup2(slave, 0);
        dup2(slave, 1);
        dup2(slave, 2);
        execvp(argv[sep + 1], argv + sep + 1);
        die(cmd, "exec");
    }
    struct drive d = {.cmd = cmd, .master = master, .slave = slave, .timeout = 30};
    run_actions(&d, sep - 1, argv + 1);
    /* We hold the slave (to read its modes afterwards): no EIO will come,
     * so read until CMD exits, then what is left. */
    int status = 0;
    double end = now() + d.timeout;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (now() >= end) {
            fprintf(stderr, "pty-run: timed out; killing %d\n", (int)pid);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            d.failed = true;
            break;
        }
        read_some(&d, 0.05);
    }
    while (read_some(&d, 0.2))
        ;
    if (tcgetattr(slave, &after) < 0)
        die(cmd, "tcgetattr");
    fprintf(stderr, "pty-run: exit: %d\n",
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    fprintf(stderr, "pty-run: termios: %s\n",
            same_termios(&before, &after) ? "restored" : "changed");
    return d.failed ? 3 : 0;
}

int payload_console_run(int argc, char **argv)
{
    int r = -1;
    if (strcmp(argv[0], "tty") == 0)
        r = cmd_tty(argc, argv);
    else if (strcmp(argv[0], "console-recv") == 0)
        r = cmd_console_recv(argc, argv);
    else if (strcmp(argv[0], "pty-run") == 0)
        r = cmd_pty_run(argc, argv);
    fflush(stdout);
    return r;
}
