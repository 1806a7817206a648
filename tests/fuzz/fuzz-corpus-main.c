/* burrow: replay a fuzz corpus through LLVMFuzzerTestOneInput without
 * libFuzzer, so `make check` (any compiler, optionally with
 * --enable-sanitizers) re-runs every input that once found a bug.
 *
 *   fuzz-config-corpus [FILE|DIR]...    (default: the in-tree corpus)
 *
 * One line per input in the unit-test format: "ok - fuzz corpus FILE", or
 * "not ok - fuzz corpus FILE: REASON" when it cannot be read.  A crash is a
 * crash: the sanitizers or the missing final lines report it. */
#include <config.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef BURROW_FUZZ_CORPUS_DIR
#define BURROW_FUZZ_CORPUS_DIR "tests/fuzz/corpus/config"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rbe");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL) {
        printf("not ok - fuzz corpus %s: cannot open\n", path);
        return 1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap = cap * 2 + 65536);
            if (nb == NULL) {
                printf("not ok - fuzz corpus %s: out of memory\n", path);
                free(buf);
                fclose(f);
                return 1;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    /* An exact-size copy, so reads past the input trip ASan/valgrind. */
    uint8_t *exact = malloc(n > 0 ? n : 1);
    if (exact != NULL && n > 0)
        memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    printf("ok - fuzz corpus %s\n", path);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a directory in name order, for a stable output. */
static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0;
    int failed = 0;

    if (d == NULL) {
        printf("not ok - fuzz corpus %s: cannot open directory\n", dir);
        return 1;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof(*names));
        if (nn == NULL)
            break;
        names = nn;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), compare_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        failed |= replay_file(path);
        free(names[i]);
    }
    free(names);
    return failed;
}

static int replay(const char *path)
{
    struct stat st;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return replay_dir(path);
    return replay_file(path);
}

int main(int argc, char **argv)
{
    int failed = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2)
        return replay(BURROW_FUZZ_CORPUS_DIR);
    for (int i = 1; i < argc; i++)
        failed |= replay(argv[i]);
    return failed;
}
