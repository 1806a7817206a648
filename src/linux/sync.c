#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linux/sync.h"
#include "util/fs.h"

#define SYNC_TEXT_MAX 3072

struct sync_msg {
    uint32_t type;
    int32_t code;
    int64_t value;
    char text[SYNC_TEXT_MAX];
};

static const char *type_name(uint32_t t)
{
    switch (t) {
    case BW_SYNC_IDMAP_DONE:
        return "IDMAP_DONE";
    case BW_SYNC_PID:
        return "PID";
    case BW_SYNC_CREATED:
        return "CREATED";
    case BW_SYNC_ACK:
        return "ACK";
    case BW_SYNC_ERROR:
        return "ERROR";
    case BW_SYNC_RELEASED:
        return "RELEASED";
    case BW_SYNC_HOOKS:
        return "HOOKS";
    case BW_SYNC_HOOKS_DONE:
        return "HOOKS_DONE";
    case BW_SYNC_OVERLAY_FD:
        return "OVERLAY_FD";
    case BW_SYNC_SECCOMP_FD:
        return "SECCOMP_FD";
    case BW_SYNC_CONSOLE:
        return "CONSOLE";
    }
    return "unknown";
}

static ssize_t send_msg(int fd, const struct sync_msg *m, size_t len)
{
    ssize_t n;
    do
        n = send(fd, m, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}

int bw_sync_send(int fd, enum bw_sync_type type, int64_t value, bw_err_t *err)
{
    struct sync_msg m = {.type = type, .value = value};
    if (send_msg(fd, &m, offsetof(struct sync_msg, text)) < 0)
        return bw_error_errno(err, "send %s to the other side of the setup", type_name(type));
    return 0;
}

void bw_sync_send_error(int fd, const struct bw_error *e)
{
    struct sync_msg m = {.type = BW_SYNC_ERROR, .code = e->code};
    snprintf(m.text, sizeof(m.text), "%s", e->msg);
    send_msg(fd, &m, offsetof(struct sync_msg, text) + strlen(m.text) + 1);
}

int bw_sync_expect(int fd, enum bw_sync_type type, int64_t *value, const char *who, bw_err_t *err)
{
    struct sync_msg m;
    ssize_t n;
    memset(&m, 0, sizeof(m));
    do
        n = recv(fd, &m, sizeof(m), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return bw_error_errno(err, "wait for %s from %s", type_name(type), who);
    if (n == 0)
        return bw_error_set(err, 0, "%s exited during setup", who);
    if ((size_t)n < offsetof(struct sync_msg, text))
        return bw_error_set(err, EPROTO, "short message from %s", who);
    if (m.type == BW_SYNC_ERROR) {
        m.text[sizeof(m.text) - 1] = '\0';
        return bw_error_set(err, m.code, "%s", m.text);
    }
    if (m.type != (uint32_t)type)
        return bw_error_set(err, EPROTO, "expected %s from %s, got %s", type_name(type), who,
                            type_name(m.type));
    if (value != NULL)
        *value = m.value;
    return 0;
}

/* ------------------------------------------------------------------------
 * Messages that carry an fd
 */

int bw_sync_send_fd(int sock, enum bw_sync_type type, int fd, bw_err_t *err)
{
    struct sync_msg m = {.type = type};
    if (bw_send_with_fd(sock, &m, offsetof(struct sync_msg, text), fd) < 0)
        return bw_error_errno(err, "send %s to the other side of the setup", type_name(type));
    return 0;
}

int bw_sync_recv_fd(int sock, enum bw_sync_type type, int *fd, const char *who, bw_err_t *err)
{
    struct sync_msg m;
    memset(&m, 0, sizeof(m));
    struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return bw_error_errno(err, "wait for %s from %s", type_name(type), who);
    int got = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len >= CMSG_LEN(sizeof(int)))
            memcpy(&got, CMSG_DATA(c), sizeof(int));
    }
    if (n == 0)
        return bw_error_set(err, 0, "%s exited during setup", who);
    int e = 0;
    if ((size_t)n < offsetof(struct sync_msg, text))
        e = bw_error_set(err, EPROTO, "short message from %s", who);
    else if (m.type == BW_SYNC_ERROR) {
        m.text[sizeof(m.text) - 1] = '\0';
        e = bw_error_set(err, m.code, "%s", m.text);
    } else if (m.type != (uint32_t)type)
        e = bw_error_set(err, EPROTO, "expected %s from %s, got %s", type_name(type), who,
                         type_name(m.type));
    else if (got < 0 || (mh.msg_flags & MSG_CTRUNC))
        e = bw_error_set(err, EPROTO, "%s from %s carried no file descriptor", type_name(type),
                         who);
    if (e < 0) {
        if (got >= 0)
            close(got);
        return -1;
    }
    *fd = got;
    return 0;
}
