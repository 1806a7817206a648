/* burrow: the container's state.json (runtime-spec state, plus burrow's own
 * fields), in and out of JSON.  The status is not stored: it is derived from
 * the process each time (see container/state.h). */
#ifndef BURROW_SPEC_STATE_JSON_H
#define BURROW_SPEC_STATE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct bw_state {
    char *id;
    char *bundle;       /* absolute */
    char *rootfs;       /* absolute */
    char *created;      /* RFC 3339, UTC */
    pid_t pid;          /* 0 until the container's process exists */
    uint64_t pid_start; /* its start time, to recognise a recycled pid */
    uid_t owner;        /* the uid that created it */
    bool own_pidns;     /* the container has its own pid namespace */
    bool rootless;      /* created by an unprivileged user */
    char **annotations; /* key, value, key, value, ..., NULL */
};

void bw_state_free_fields(struct bw_state *s);

/* Serialize for the state directory (all fields). */
char *bw_state_to_file_json(const struct bw_state *s, bw_err_t *err);
/* Parse the state directory's file; `what` names it in errors. */
int bw_state_from_file_json(const char *data, size_t len, const char *what, struct bw_state *s,
                            bw_err_t *err);
/* What `burrow state` prints: the runtime-spec state with `status`. */
char *bw_state_to_oci_json(const struct bw_state *s, const char *status, bool pretty,
                           bw_err_t *err);

#endif
