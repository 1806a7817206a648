/* burrow: SCMP_ACT_NOTIFY, handing the seccomp listener to an agent.
 *
 * runtime-spec config-linux.md: the runtime connects to the AF_UNIX
 * SOCK_STREAM socket at linux.seccomp.listenerPath, sends the container
 * process state (JSON) with the listener fd as SCM_RIGHTS in the first
 * sendmsg, and closes the connection.
 *
 * Only the `create` process can do that: by `start` it is gone, and the
 * container's process is pivoted into its rootfs, where listenerPath (a
 * host path) does not resolve.  So with a NOTIFY rule the child loads the
 * filter before it reports `created`, passes the listener to the parent
 * over the sync socket, and the parent sends it on before it waits for
 * `created`.  The consequence: every syscall of the runtime's remaining
 * setup in the child (the rest of the sync protocol, waiting on the exec
 * fifo, changing ids and capabilities, exec) is subject to the filter, and
 * those matching a NOTIFY rule wait for the agent's answer.  The agent must
 * answer them (or the rule must not match them): `start` hangs otherwise.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/seccomp-filter.h"
#include "linux/sync.h"
#include "spec/state_json.h"
#include "util/cleanup.h"
#include "util/fs.h"

int bw_seccomp_notify_child(const struct bw_seccomp *sc, int sync_fd, bw_err_t *err)
{
    if (sc == NULL || sc->stage != BW_SECCOMP_BEFORE_CREATED)
        return 0;
    int listener = -1;
    if (bw_seccomp_apply(sc, BW_SECCOMP_BEFORE_CREATED, &listener, err) < 0)
        return -1;
    if (listener < 0)
        return bw_error_set(err, EPROTO,
                            "load the seccomp filter: the kernel returned no listener");
    int r = bw_sync_send_fd(sync_fd, BW_SYNC_SECCOMP_FD, listener, err);
    close(listener);
    return r;
}

/* `s` as a JSON string, quotes included. */
static char *json_quote(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len * 6 + 3), *o = out;
    if (out == NULL)
        return NULL;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p < 0x20) {
            o += sprintf(o, "\\u%04x", *p);
        } else {
            *o++ = (char)*p;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* The container process state: config-linux.md, "The Container Process
 * State"; `state` is the runtime state with status "creating". */
static char *process_state(const struct bw_seccomp *sc, const struct bw_seccomp_peer *peer,
                           bw_err_t *err)
{
    cleanup_free char **ann = calloc(peer->annotations_len * 2 + 1, sizeof(char *));
    if (ann == NULL)
        return bw_error_set(err, ENOMEM, "linux.seccomp.listenerPath"), NULL;
    for (size_t i = 0; i < peer->annotations_len; i++) {
        ann[2 * i] = peer->annotations[i].key;
        ann[2 * i + 1] = peer->annotations[i].value;
    }
    struct bw_state st = {
        .id = (char *)peer->id,
        .bundle = (char *)peer->bundle,
        .pid = peer->pid,
        .owner = geteuid(),
        .annotations = ann,
    };
    cleanup_free char *state = bw_state_to_oci_json(&st, "creating", false, err);
    if (state == NULL)
        return NULL;
    cleanup_free char *meta = NULL;
    if (sc->listener_metadata != NULL && (meta = json_quote(sc->listener_metadata)) == NULL)
        return bw_error_set(err, ENOMEM, "linux.seccomp.listenerMetadata"), NULL;
    char *out = NULL;
    if (asprintf(&out,
                 "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%d%s%s,\"state\":%s}",
                 OCI_RUNTIME_SPEC_VERSION, (int)peer->pid, meta ? ",\"metadata\":" : "",
                 meta ? meta : "", state) < 0)
        return bw_error_set(err, ENOMEM, "linux.seccomp.listenerPath"), NULL;
    return out;
}

int bw_seccomp_notify_parent(const struct bw_seccomp *sc, int sync_fd,
                             const struct bw_seccomp_peer *peer, bw_err_t *err)
{
    if (sc == NULL || sc->stage != BW_SECCOMP_BEFORE_CREATED)
        return 0;
    cleanup_close int listener = -1;
    if (bw_sync_recv_fd(sync_fd, BW_SYNC_SECCOMP_FD, &listener, "the container's process", err) < 0)
        return -1;
    cleanup_free char *text = process_state(sc, peer, err);
    if (text == NULL)
        return -1;
    const char *path = sc->listener_path;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return bw_error_set(err, ENAMETOOLONG,
                            "linux.seccomp.listenerPath `%s`: longer than a unix socket path can "
                            "be (%zu bytes)",
                            path, sizeof(sa.sun_path) - 1);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    cleanup_close int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return bw_error_errno(err, "linux.seccomp.listenerPath: socket");
    int r;
    do
        r = connect(sock, (struct sockaddr *)&sa, sizeof(sa));
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return bw_error_errno(err, "linux.seccomp.listenerPath: connect to `%s`", path);
    if (bw_send_with_fd(sock, text, strlen(text), listener) < 0)
        return bw_error_errno(err, "linux.seccomp.listenerPath: send the seccomp listener to `%s`",
                              path);
    return 0;
}
