/* burrow: scope-bound cleanup through __attribute__((cleanup)).
 *
 *   cleanup_free char *p = strdup("x");    freed at scope exit
 *   cleanup_close int fd = open(...);      closed at scope exit (if >= 0)
 *   return steal_pointer(&p);              hand ownership to the caller
 */
#ifndef BURROW_UTIL_CLEANUP_H
#define BURROW_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/error.h"

static inline void bw_freep(void *p)
{
    free(*(void **)p);
}

static inline void bw_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno; /* a cleanup must not clobber the errno we report */
        close(*fd);
        errno = saved;
    }
}

static inline void bw_fclosep(FILE **f)
{
    if (*f != NULL) {
        int saved = errno;
        fclose(*f);
        errno = saved;
    }
}

static inline void bw_closedirp(DIR **d)
{
    if (*d != NULL) {
        int saved = errno;
        closedir(*d);
        errno = saved;
    }
}

static inline void bw_errorp(bw_err_t *e)
{
    bw_error_free(e);
}

/* Free a NULL-terminated array of strings. */
static inline void bw_strvfreep(char ***v)
{
    if (*v == NULL)
        return;
    for (char **s = *v; *s != NULL; s++)
        free(*s);
    free(*v);
}

#define cleanup_free  __attribute__((cleanup(bw_freep)))
#define cleanup_close __attribute__((cleanup(bw_closep)))
#define cleanup_file  __attribute__((cleanup(bw_fclosep)))
#define cleanup_dir   __attribute__((cleanup(bw_closedirp)))
#define cleanup_error __attribute__((cleanup(bw_errorp)))
#define cleanup_strv  __attribute__((cleanup(bw_strvfreep)))

static inline void *bw_steal_pointer(void *pp)
{
    void **p = (void **)pp;
    void *v = *p;
    *p = NULL;
    return v;
}
#define steal_pointer(pp) bw_steal_pointer(pp)

static inline int steal_fd(int *fd)
{
    int v = *fd;
    *fd = -1;
    return v;
}

#endif
