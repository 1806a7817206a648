/* burrow unpack [OPTIONS] IMAGE BUNDLE: run the burrow-unpack helper.
 *
 * The helper is a program of its own (it links libarchive and libcrypto,
 * which the runtime does not need); this command only finds it and execs
 * it with the same arguments: BURROW_UNPACK if set, else beside the burrow
 * binary (installed), else in the build tree layout, else in PATH. */
#include <config.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int bw_cmd_unpack(struct bw_global *g, int argc, char **argv, bw_err_t *err)
{
    (void)g;
    char exe[PATH_MAX], cand[PATH_MAX + 64];
    char **args = calloc((size_t)argc + 1, sizeof(*args));
    if (args == NULL)
        return bw_error_errno(err, "unpack");
    args[0] = (char *)"burrow-unpack";
    for (int i = 1; i < argc; i++)
        args[i] = argv[i];
    const char *env = getenv("BURROW_UNPACK");
    if (env != NULL && env[0] != '\0') {
        execv(env, args);
        int e = errno;
        free(args);
        return bw_error_set(err, e, "unpack: run `%s` (BURROW_UNPACK)", env);
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        const char *dir = dirname(exe);
        const char *rel[] = {"burrow-unpack", "helpers/burrow-unpack/burrow-unpack"};
        for (size_t i = 0; i < 2; i++) {
            snprintf(cand, sizeof(cand), "%s/%s", dir, rel[i]);
            if (access(cand, X_OK) == 0)
                execv(cand, args);
        }
    }
    execvp("burrow-unpack", args);
    int e = errno;
    free(args);
    return bw_error_set(err, e,
                        "unpack: the burrow-unpack helper was not found beside burrow or in PATH "
                        "(install burrow fully, or set BURROW_UNPACK)");
}
