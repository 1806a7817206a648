/* burrow: process.terminal.  See terminal.h for who calls what, and when. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "linux/proc.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* ------------------------------------------------------------------------
 * Options, and the console socket
 */

int bw_terminal_check_opts(bool terminal, const char *console_socket, const char *detached,
                           bw_err_t *err)
{
    if (terminal && console_socket == NULL && detached != NULL)
        return bw_error_set(err, 0,
                            "config.json: process.terminal: true, but %s has no terminal to "
                            "relay: give --console-socket, where the pty master is sent",
                            detached);
    if (!terminal && console_socket != NULL)
        return bw_error_set(err, 0,
                            "--console-socket: config.json has process.terminal false: there is "
                            "no terminal to send (set process.terminal to true, or drop the "
                            "option)");
    return 0;
}

static int connect_as(int type, const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int r;
    do
        r = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int bw_terminal_connect(const char *path, bw_err_t *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    cleanup_close int pathfd = -1;
    if (path[0] == '\0')
        return bw_error_set(err, 0, "--console-socket: empty path");
    if (strlen(path) >= sizeof(addr.sun_path)) {
        /* Too long for sun_path: connect through /proc/self/fd instead. */
        pathfd = open(path, O_PATH | O_CLOEXEC);
        if (pathfd < 0)
            return bw_error_errno(err, "--console-socket `%s`", path);
        struct bw_fdpath p;
        snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", bw_fdpath(&p, pathfd));
    } else {
        memcpy(addr.sun_path, path, strlen(path) + 1);
    }
    int fd = connect_as(SOCK_STREAM, &addr);
    if (fd < 0 && errno == EPROTOTYPE)
        fd = connect_as(SOCK_SEQPACKET, &addr);
    if (fd >= 0)
        return fd;
    int e = errno;
    struct stat st;
    if ((e == ECONNREFUSED || e == ENOTSOCK) && stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
        return bw_error_set(err, 0, "--console-socket `%s`: not a unix socket", path);
    if (e == ECONNREFUSED)
        return bw_error_set(err, 0, "--console-socket `%s`: nothing listens on this socket", path);
    errno = e;
    return bw_error_errno(err, "--console-socket: connect to `%s`", path);
}

int bw_terminal_send_master(int sock, int master, bw_err_t *err)
{
    /* The data is the slave's name in the container, as runc sends it;
     * receivers need only the fd. */
    char name[32] = "/dev/pts/?";
    int n;
    if (ioctl(master, TIOCGPTN, &n) == 0)
        snprintf(name, sizeof(name), "/dev/pts/%d", n);
    if (bw_send_with_fd(sock, name, strlen(name), master) < 0)
        return bw_error_errno(err, "send the terminal to the console socket");
    return 0;
}

/* ------------------------------------------------------------------------
 * The pty, in the process that gets it
 */

int bw_terminal_open(int rootfd, int *master, int *slave, bw_err_t *err)
{
    bw_err_t e = NULL;
    /* /dev/pts/ptmx rather than /dev/ptmx: the multiplexer of the devpts
     * mounted there, whatever /dev/ptmx is in the rootfs.  O_NONBLOCK: a
     * FIFO planted there must not hang us (cleared below). */
    cleanup_close int m =
        bw_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK, &e);
    if (m < 0) {
        int code = e->code;
        bw_error_free(&e);
        if (code == ENOENT)
            return bw_error_set(err, 0,
                                "process.terminal: no devpts in the container: mounts[] needs "
                                "{\"destination\": \"/dev/pts\", \"type\": \"devpts\", ...}");
        return bw_error_set(err, code, "process.terminal: open `/dev/pts/ptmx` in the container");
    }
    int n;
    if (ioctl(m, TIOCGPTN, &n) < 0)
        return bw_error_set(err, 0,
                            "process.terminal: `/dev/pts/ptmx` in the container is not a pty "
                            "multiplexer");
    int fl = fcntl(m, F_GETFL);
    if (fl < 0 || fcntl(m, F_SETFL, fl & ~O_NONBLOCK) < 0)
        return bw_error_errno(err, "process.terminal: set the pty master blocking");
    int unlock = 0;
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
        return bw_error_errno(err, "process.terminal: unlock pty %d", n);
    /* TIOCGPTPEER (Linux 4.13) opens the very peer, with no path lookup. */
    int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0 && (errno == EINVAL || errno == ENOTTY)) {
        char name[32];
        snprintf(name, sizeof(name), "/dev/pts/%d", n);
        s = bw_open_in_root(rootfd, name, O_RDWR | O_NOCTTY, &e);
        if (s < 0)
            errno = e->code;
        bw_error_free(&e);
    }
    if (s < 0)
        return bw_error_errno(err, "process.terminal: open the slave of pty %d", n);
    cleanup_close int sfd = s;
    cleanup_close int pts = bw_open_in_root(rootfd, "/dev/pts", O_PATH | O_DIRECTORY, &e);
    bw_error_free(&e);
    struct stat a, b;
    if (pts < 0 || fstat(pts, &a) < 0 || fstat(sfd, &b) < 0 || a.st_dev != b.st_dev)
        return bw_error_set(err, EXDEV,
                            "process.terminal: pty %d is not from the devpts mounted at "
                            "`/dev/pts` in the container",
                            n);
    *master = steal_fd(&m);
    *slave = steal_fd(&sfd);
    return 0;
}

int bw_terminal_set_size(int fd, const struct oci_console_size *size, bw_err_t *err)
{
    if (size == NULL || (size->height == 0 && size->width == 0))
        return 0;
    struct winsize ws = {.ws_row = (unsigned short)size->height,
                         .ws_col = (unsigned short)size->width};
    if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
        return bw_error_errno(err, "process.consoleSize: set the terminal to %llux%llu",
                              (unsigned long long)size->width, (unsigned long long)size->height);
    return 0;
}

int bw_terminal_setup_slave(int slave, bw_err_t *err)
{
    /* A new session has no controlling terminal, so the pty can become
     * ours; it also leaves the session (and the job control) of whoever ran
     * burrow. */
    if (setsid() < 0)
        return bw_error_errno(err, "process.terminal: create a session");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return bw_error_errno(err, "process.terminal: make the pty the controlling terminal");
    for (int i = 0; i <= 2; i++) {
        if (dup2(slave, i) < 0)
            return bw_error_errno(err, "process.terminal: make the pty fd %d", i);
        /* dup2(fd, fd) keeps O_CLOEXEC: stdio must survive exec. */
        if (fcntl(i, F_SETFD, 0) < 0)
            return bw_error_errno(err, "process.terminal: fd %d", i);
    }
    if (slave > 2)
        close(slave);
    return 0;
}

int bw_terminal_init_console(int rootfd, const struct oci_process *p, int *master, bw_err_t *err)
{
    int m = -1, s = -1;
    if (bw_terminal_open(rootfd, &m, &s, err) < 0)
        return -1;
    cleanup_close int mfd = m;
    cleanup_close int sfd = s;
    if (bw_terminal_set_size(s, p->console_size, err) < 0)
        return -1;
    /* The process's own terminal: its user may reopen it (/dev/pts/N) and
     * change its modes.  The group stays the one devpts gave (gid=5, tty,
     * when the mount asks for it). */
    uid_t uid = p->user ? p->user->uid : 0;
    if (uid != 0 && fchown(s, uid, (gid_t)-1) < 0)
        return bw_error_errno(err, "process.terminal: give the pty to process.user.uid %u",
                              (unsigned)uid);
    /* runtime-spec config-linux.md: /dev/console is the pty, bind-mounted. */
    cleanup_close int console = bw_mkpath_in_root(rootfd, "/dev/console", false, 0600, err);
    if (console < 0)
        return bw_error_prefix(err, "process.terminal: create `/dev/console`");
    struct bw_fdpath sp, tp;
    if (mount(bw_fdpath(&sp, s), bw_fdpath(&tp, console), NULL, MS_BIND, NULL) < 0)
        return bw_error_errno(err, "process.terminal: bind the pty over `/dev/console`");
    if (bw_terminal_setup_slave(steal_fd(&sfd), err) < 0)
        return -1;
    *master = steal_fd(&mfd);
    return 0;
}

/* ------------------------------------------------------------------------
 * The relay of a foreground `run`
 */

struct relay {
    int master;
    pid_t pid;
    bool in_open;   /* still reading stdin */
    bool out_open;  /* still reading the master */
    bool out_ok;    /* stdout still takes what we write */
    char buf[4096]; /* read from stdin, not yet written to the master */
    size_t len, off;
};

static void copy_winsize(int from, int to)
{
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) == 0 && (ws.ws_row != 0 || ws.ws_col != 0))
        ioctl(to, TIOCSWINSZ, &ws);
}

/* Read what the master has; false once it is done (EIO: every holder of
 * the slave closed it). */
static void relay_output(struct relay *r)
{
    char buf[8192];
    ssize_t n = read(r->master, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        r->out_open = false;
        return;
    }
    if (r->out_ok && bw_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
        r->out_ok = false; /* keep draining, so the container never blocks */
}

static void relay_input(struct relay *r)
{
    if (r->len == 0) {
        ssize_t n = read(STDIN_FILENO, r->buf, sizeof(r->buf));
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            /* End of input: the container keeps its terminal (as with
             * runc); it sees no end-of-file character from us. */
            r->in_open = false;
            return;
        }
        r->len = (size_t)n;
        r->off = 0;
    }
    ssize_t w = write(r->master, r->buf + r->off, r->len - r->off);
    if (w < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (w < 0) {
        r->in_open = false;
        r->len = 0;
        return;
    }
    r->off += (size_t)w;
    if (r->off == r->len)
        r->len = r->off = 0;
}

/* After the process exited: what it wrote is still in the pty.  Read until
 * EIO, or until nothing comes for a moment (something else in the
 * container may hold the slave open). */
static void relay_drain(struct relay *r)
{
    while (r->out_open) {
        struct pollfd p = {.fd = r->master, .events = POLLIN};
        int n = poll(&p, 1, 100);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        relay_output(r);
    }
}

static int relay_loop(struct relay *r, int sfd, bool tty_in, bw_err_t *err)
{
    for (;;) {
        /* One loop reaps the process and anything reparented to us, as
         * the foreground wait without a terminal does. */
        int status = bw_proc_reap(r->pid);
        if (status >= 0) {
            relay_drain(r);
            return status;
        }
        struct pollfd p[3] = {
            {.fd = sfd, .events = POLLIN},
            {.fd = r->out_open ? r->master : -1, .events = POLLIN},
            {.fd = -1},
        };
        if (r->len > 0)
            p[2] = (struct pollfd){.fd = r->master, .events = POLLOUT};
        else if (r->in_open)
            p[2] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        int n = poll(p, 3, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bw_error_errno(err, "relay the terminal");
        if (p[1].revents)
            relay_output(r);
        if (p[2].revents)
            relay_input(r);
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            ssize_t k = read(sfd, &si, sizeof(si));
            if (k < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (k != sizeof(si))
                return bw_error_errno(err, "read signalfd");
            if (si.ssi_signo == SIGWINCH) {
                /* The pty's size follows ours; the kernel sends SIGWINCH
                 * to the container's foreground process group. */
                if (tty_in)
                    copy_winsize(STDIN_FILENO, r->master);
            } else if (si.ssi_signo != SIGCHLD) {
                kill(r->pid, (int)si.ssi_signo);
            }
        }
    }
}

int bw_terminal_relay(int master, pid_t pid, const sigset_t *set, bw_err_t *err)
{
    struct relay r = {
        .master = master, .pid = pid, .in_open = true, .out_open = true, .out_ok = true};
    cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0)
        return bw_error_errno(err, "signalfd");
    int fl = fcntl(master, F_GETFL);
    if (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0)
        return bw_error_errno(err, "set the pty master non-blocking");
    /* A closed stdout must not kill us with the terminal left raw. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
    sigaction(SIGPIPE, &ign, &old_pipe);

    struct termios saved;
    bool tty_in = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    bool raw = false;
    if (tty_in) {
        copy_winsize(STDIN_FILENO, master);
        /* Raw: every key goes to the container's terminal, which does the
         * echo, line editing and ^C itself. */
        struct termios t = saved;
        cfmakeraw(&t);
        raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
    }
    int rc = relay_loop(&r, sfd, tty_in, err);
    if (raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    sigaction(SIGPIPE, &old_pipe, NULL);
    return rc;
}
