/* burrow-unpack: run the layer work in a user namespace with the mapping
 * burrow uses rootless (the caller as 0, its /etc/subuid range from 1), so
 * that the owners in the image land where `burrow run` will map them: uid 0
 * of the image is the user, uid 33 is the 33rd id of its range.
 *
 * A child unshares the user namespace, the parent writes the maps through
 * burrow's own idmap code (newuidmap/newgidmap for ranges), the child does
 * the work as root of that namespace and sends back its error, if any, as
 * errno + text over a pipe.  As root, the work runs in this process. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void child_main(int go, int result, unpack_fn fn, void *arg)
{
    bw_err_t err = NULL;
    char c = 0;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (unshare(CLONE_NEWUSER) < 0) {
        bw_error_errno(&err, "create a user namespace (unprivileged user namespaces may be "
                             "disabled: sysctl kernel.unprivileged_userns_clone or "
                             "user.max_user_namespaces, or an AppArmor restriction)");
    } else {
        /* Tell the parent to write the maps, then wait until it has. */
        if (write(result, &c, 1) != 1 || read_full(go, &c, 1) < 0 || c != 'g')
            _exit(3);
        if (fn(arg, &err) == 0)
            _exit(0);
    }
    int code = err->code;
    size_t len = strlen(err->msg);
    if (write(result, "E", 1) == 1 && bw_write_all(result, &code, sizeof(code)) == 0 &&
        bw_write_all(result, &len, sizeof(len)) == 0)
        bw_write_all(result, err->msg, len);
    _exit(1);
}

int run_mapped(const struct bw_idmap_plan *plan, unpack_fn fn, void *arg, bw_err_t *err)
{
    if (plan == NULL)
        return fn(arg, err);
    int go[2], result[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return bw_error_errno(err, "pipe");
    if (pipe2(result, O_CLOEXEC) < 0) {
        close(go[0]);
        close(go[1]);
        return bw_error_errno(err, "pipe");
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(go[0]), close(go[1]), close(result[0]), close(result[1]);
        return bw_error_set(err, e, "fork");
    }
    if (pid == 0) {
        close(go[1]);
        close(result[0]);
        child_main(go[0], result[1], fn, arg);
    }
    close(go[0]);
    close(result[1]);
    cleanup_close int rfd = result[0];
    cleanup_close int gfd = go[1];
    char c = 0;
    int rc = 0;
    if (read_full(rfd, &c, 1) < 0) {
        rc = bw_error_set(err, 0, "the unpacking process died before its user namespace existed");
    } else if (c == 'E') {
        rc = -1; /* its error follows */
    } else if (bw_idmap_write(pid, plan, err) < 0) {
        rc = bw_error_prefix(err, "map ids of the unpacking process");
    } else if (write(gfd, "g", 1) != 1) {
        rc = bw_error_errno(err, "start the unpacking process");
    } else if (read_full(rfd, &c, 1) == 0 && c != 'E') {
        rc = bw_error_set(err, 0, "unexpected message from the unpacking process");
    } else if (c == 'E') {
        rc = -1;
    }
    if (rc < 0 && c == 'E' && (err == NULL || *err == NULL)) {
        int code = 0;
        size_t len = 0;
        cleanup_free char *msg = NULL;
        if (read_full(rfd, &code, sizeof(code)) == 0 && read_full(rfd, &len, sizeof(len)) == 0 &&
            len < 65536 && (msg = calloc(1, len + 1)) != NULL && read_full(rfd, msg, len) == 0)
            bw_error_set(err, code, "%s", msg);
        else
            bw_error_set(err, 0, "the unpacking process failed without a message");
    }
    if (rc < 0 && c != 'E')
        kill(pid, SIGKILL);
    close(steal_fd(&gfd));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        rc = bw_error_set(err, 0, "the unpacking process %s %d",
                          WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
                          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return rc;
}
