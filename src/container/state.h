/* burrow: the state root and one directory per container.
 *
 *   ROOT/ID/            0711, created atomically by mkdir(2); flock(2)ed
 *   ROOT/ID/state.json  written atomically (temp file + rename)
 *   ROOT/ID/config.json the config as it was at create: edits of the bundle
 *                       after create do not change the container
 *   ROOT/ID/exec.fifo   exists while the container is `created`
 *
 * The status is never stored: it is derived from the recorded pid and its
 * start time, so a recycled pid is not mistaken for the container.
 */
#ifndef BURROW_CONTAINER_STATE_H
#define BURROW_CONTAINER_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/state_json.h"
#include "util/error.h"

#define BW_STATE_FILE  "state.json"
#define BW_CONFIG_FILE "config.json"
#define BW_EXEC_FIFO   "exec.fifo"

enum bw_status {
    BW_STATUS_CREATING,
    BW_STATUS_CREATED,
    BW_STATUS_RUNNING,
    BW_STATUS_STOPPED,
    BW_STATUS_PAUSED, /* running, with its cgroup frozen (pause) */
};
const char *bw_status_name(enum bw_status s);

/* Check a container id: 1 to 1024 characters of [A-Za-z0-9_+.-], not "." or "..". */
int bw_id_check(const char *id, bw_err_t *err);

/* Resolve the state root: `opt` (--root) when given, else /run/burrow for
 * root (root in a user namespace other than the initial one, as under
 * rootless Podman, is taken for a user when its XDG_RUNTIME_DIR is its own),
 * else $XDG_RUNTIME_DIR/burrow when that is a directory owned by the
 * caller, else /tmp/burrow-UID (created 0700 and checked to be ours).
 * Creates it when missing if `create` (for create and run); the commands
 * that only look at containers leave a missing root missing: it holds none.
 * Returns a malloc'd path. */
char *bw_state_root(const char *opt, bool create, bw_err_t *err);

struct bw_cdir {
    char *root; /* the state root */
    char *id;
    int fd;      /* the container's directory (O_RDONLY|O_DIRECTORY), also the lock */
    bool locked; /* we hold the exclusive lock on fd */
};
void bw_cdir_close(struct bw_cdir *d);
#define cleanup_cdir __attribute__((cleanup(bw_cdir_close)))

/* Create ROOT/ID and lock it exclusively; fails if the id is taken. */
int bw_cdir_create(const char *root, const char *id, struct bw_cdir *d, bw_err_t *err);
/* Open an existing ROOT/ID; lock it exclusively when `lock` (waits for a
 * create still in progress). */
int bw_cdir_open(const char *root, const char *id, bool lock, struct bw_cdir *d, bw_err_t *err);
/* Remove ROOT/ID and everything in it. */
int bw_cdir_remove(struct bw_cdir *d, bw_err_t *err);

int bw_cdir_write_state(struct bw_cdir *d, const struct bw_state *s, bw_err_t *err);
/* Read state.json; returns 1 when it does not exist yet (create in progress,
 * or a create that died), 0 when read. */
int bw_cdir_read_state(struct bw_cdir *d, struct bw_state *s, bw_err_t *err);

/* The config copy kept at create (NULL with *err when unreadable). */
struct oci_config *bw_cdir_read_config(struct bw_cdir *d, bw_err_t *err);

/* The status of the container in `d` whose state is `s` (NULL when
 * bw_cdir_read_state returned 1). */
enum bw_status bw_cdir_status(struct bw_cdir *d, const struct bw_state *s);

/* The ids under `root`, sorted; NULL-terminated, caller frees with free each. */
char **bw_state_list_ids(const char *root, bw_err_t *err);

/* Current time as RFC 3339 with nanoseconds, UTC. */
char *bw_now_rfc3339(void);

#endif
